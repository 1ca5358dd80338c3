/**
 * The comparison of documents made of numbers: the first place where a given document
 * disagrees with an expected one ({@link Difference}), for any document made of numbers, arrays
 * of numbers and sections shaped like the parameters (a `result@1`, an `hvp@1`), and a
 * difference in words. {@link conformance/verify | verify} compares results with it, and
 * {@link conformance/hvp-verify | hvp-verify} the answers of the second-order files.
 *
 * A number passes when
 *
 * $$\lvert \text{given} - \text{expected} \rvert \le \text{absolute} + \text{relative} \cdot \lvert \text{expected} \rvert,$$
 *
 * with the tolerance the caller gives, or within the absolute allowance given for that number.
 * The given document may be anything: a field that is missing, of the wrong shape or not a
 * number is the difference, and so is a section with more or fewer layers than expected.
 *
 * @module
 */
import { describeValue } from "../numeric/errors.js";
import type { ParameterDocument } from "./case-format.js";
import { type Tolerance, withinTolerance } from "./tolerance.js";

/** The first place where a given result disagrees with an expected one. */
export interface Difference {
  /** The quantity, e.g. `gradients.weights[0]`. */
  readonly quantity: string;
  /** The position within it, e.g. `[1][0]`, or `""` for a number such as the loss. */
  readonly position: string;
  /** The expected value, or a description of the expected shape. */
  readonly expected: number | string;
  /** The given value, or a description of what was given instead. */
  readonly given: number | string;
  /** $\lvert \text{given} - \text{expected} \rvert / \lvert \text{expected} \rvert$, or `null` when the two are not both numbers. */
  readonly relativeError: number | null;
}

/** One quantity of a document, as {@link compareDocuments} compares it. */
export interface ComparedQuantity {
  /** The field's name in the document, e.g. `loss` or `gradients`. */
  readonly field: string;
  /**
   * Whether the field is shaped like the parameters, `{"weights": [...], "biases": [...] | null}`,
   * and so compared layer by layer (`gradients.weights[1]`); otherwise it is a number or an array
   * of numbers (`loss`, `outputs`).
   */
  readonly parameters: boolean;
}

/** What a document holds, for {@link compareDocuments}: its name, its format and its quantities in the order compared. */
export interface ComparedDocument {
  /** How a difference names the whole document when it is not an object, e.g. `result`. */
  readonly name: string;
  /** The document's format tag, e.g. `backprop-ref/result@1`. */
  readonly format: string;
  /** The quantities, in the order in which they are compared. */
  readonly quantities: readonly ComparedQuantity[];
}

/**
 * The first difference between a given document and an expected one, or `null` when they agree:
 * the comparison of {@link conformance/verify!compareResults | compareResults}, for any document made of numbers, arrays of numbers
 * and sections shaped like the parameters (a `result@1`, an `hvp@1`). The given document may be
 * anything: a field that is missing, of the wrong shape or not a number is the difference. A
 * section that is not an object, or has more or fewer layers than expected, is reported before
 * any number is compared; then the numbers are compared in the order of `document.quantities`,
 * each section's weights before its biases.
 *
 * @param given - the other implementation's document, as parsed from JSON
 * @param expected - the reference document
 * @param document - its name, format and quantities
 * @param tolerance - how close numbers must be where `allowances` does not say
 * @param allowances - an allowed absolute error for every number, shaped like `expected`, or `null` to use `tolerance`
 */
export function compareDocuments(
  given: unknown,
  expected: object,
  document: ComparedDocument,
  tolerance: Tolerance,
  allowances: object | null = null,
): Difference | null {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    return {
      quantity: document.name,
      position: "",
      expected: `a ${document.format} object`,
      given: describeValue(given),
      relativeError: null,
    };
  }
  const fields = given as Record<string, unknown>;
  const reference = expected as Record<string, unknown>;
  const allowed = allowances as Record<string, unknown> | null;
  const compared: [string, unknown, unknown, unknown][] = [];
  for (const { field, parameters } of document.quantities) {
    if (!parameters) {
      compared.push([field, fields[field], reference[field], allowed?.[field]]);
      continue;
    }
    const expectedSection = reference[field] as ParameterDocument;
    const allowedSection = allowed?.[field] as ParameterDocument | undefined;
    const value = fields[field];
    const section = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    if (section === undefined) {
      return {
        quantity: field,
        position: "",
        expected: "an object with weights and biases",
        given: describeValue(value),
        relativeError: null,
      };
    }
    for (const kind of ["weights", "biases"] as const) {
      const layers = expectedSection[kind]?.length;
      const givenLayers = section[kind];
      if (layers !== undefined && Array.isArray(givenLayers) && givenLayers.length !== layers) {
        // An extra layer appended, or one missing, is a difference even where every layer that should be there agrees.
        return {
          quantity: `${field}.${kind}`,
          position: "",
          expected: `${layers} layers`,
          given: `${givenLayers.length} layers`,
          relativeError: null,
        };
      }
    }
    expectedSection.weights.forEach((matrix, index) =>
      compared.push([
        `${field}.weights[${index}]`,
        Array.isArray(section.weights) ? section.weights[index] : section.weights,
        matrix,
        allowedSection?.weights[index],
      ]),
    );
    if (expectedSection.biases === null) compared.push([`${field}.biases`, section.biases, null, undefined]);
    else
      expectedSection.biases.forEach((vector, index) =>
        compared.push([
          `${field}.biases[${index}]`,
          Array.isArray(section.biases) ? section.biases[index] : section.biases,
          vector,
          allowedSection?.biases?.[index],
        ]),
      );
  }
  for (const [quantity, givenValue, expectedValue, allowance] of compared) {
    const difference = compareValue(quantity, "", givenValue, expectedValue, tolerance, allowance);
    if (difference !== null) return difference;
  }
  return null;
}

function shape(value: unknown): string {
  if (!Array.isArray(value)) return describeValue(value);
  if (value.every(Array.isArray)) {
    const lengths = new Set(value.map((row: unknown[]) => row.length));
    return lengths.size <= 1 ? `${value.length}×${[...lengths][0] ?? 0}` : `${value.length} rows of unequal length`;
  }
  return `${value.length} entries`;
}

/** Compares one value, descending into arrays; `allowance` is the allowed absolute error shaped like `expected`, or `undefined` to use `tolerance`. */
function compareValue(
  quantity: string,
  position: string,
  given: unknown,
  expected: unknown,
  tolerance: Tolerance,
  allowance: unknown,
): Difference | null {
  if (typeof expected === "number") {
    if (typeof given !== "number" || !Number.isFinite(given)) {
      return { quantity, position, expected, given: describeValue(given), relativeError: null };
    }
    const within = typeof allowance === "number" ? Math.abs(given - expected) <= allowance : withinTolerance(given, expected, tolerance);
    if (within) return null;
    return { quantity, position, expected, given, relativeError: Math.abs(given - expected) / Math.abs(expected) };
  }
  if (expected === null) {
    return given === null ? null : { quantity, position, expected: "null", given: describeValue(given), relativeError: null };
  }
  const rows = expected as unknown[];
  if (
    !Array.isArray(given) ||
    given.length !== rows.length ||
    (Array.isArray(rows[0]) && !given.every((row, index) => Array.isArray(row) && row.length === (rows[index] as unknown[]).length))
  ) {
    return { quantity, position, expected: shape(rows), given: shape(given), relativeError: null };
  }
  for (let index = 0; index < rows.length; index++) {
    const difference = compareValue(
      quantity,
      `${position}[${index}]`,
      given[index],
      rows[index],
      tolerance,
      Array.isArray(allowance) ? (allowance as unknown[])[index] : undefined,
    );
    if (difference !== null) return difference;
  }
  return null;
}

/**
 * A difference in words: the quantity and position, both values and the relative error.
 *
 * @param difference - from {@link conformance/verify!compareResults | compareResults}, or {@link compareDocuments}
 */
export function describeDifference(difference: Difference): string {
  const where = `${difference.quantity}${difference.position}`;
  if (difference.relativeError === null) return `${where}: expected ${difference.expected}, got ${difference.given}`;
  return `${where}: expected ${difference.expected}, got ${difference.given}, relative error ${difference.relativeError.toPrecision(3)}`;
}
