/**
 * Verification of another implementation's results: against a case, or against every test of
 * a vector file. For each test, `verify` says pass, or gives the first quantity that differs
 * (its position, both values and the relative error) and the known mistake whose result the
 * other implementation's matches, if one does.
 *
 * Quantities are compared in the order of the result format: `loss`, `outputs`, `gradients`,
 * `deltaWeights`, `updated` (weights before biases, row by row). A number passes when
 *
 * $$\lvert \text{given} - \text{expected} \rvert \le \text{absolute} + \text{relative} \cdot \lvert \text{expected} \rvert,$$
 *
 * with the tolerance of the test's group ({@link conformance/tolerance!verifyTolerance | verifyTolerance} by default): loose enough for
 * another order of summation, tight enough that every known mistake fails.
 *
 * @module
 */
import { BackpropRefError, describeValue } from "../numeric/errors.js";
import { caseResult, parseCase, type Problem, type ResultDocument } from "./case-format.js";
import { mistakeApplies, mistakeDescriptions, type MistakeName, mistakeNames, mistakenResult, transposedLayout } from "./mistakes.js";
import { assertSchema, schemaViolation } from "./schemas.js";
import type { VectorFile } from "./vector-format.js";
import { type Closeness, type Tolerance, verifyTolerance, withinTolerance } from "./tolerance.js";
import { resultInterval, rightSlopeResult } from "./kink-results.js";

/** The quantities of a result, in the order in which they are compared. */
export const resultQuantities = ["loss", "outputs", "gradients", "deltaWeights", "updated"] as const;

/** One of {@link resultQuantities}. */
export type ResultQuantity = (typeof resultQuantities)[number];

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

/** What `verify` concluded about one test. */
export interface TestVerdict {
  /** The test's id (a vector test's `id`, or a case's `id`). */
  readonly id: string;
  /** Whether the test passed. */
  readonly passed: boolean;
  /** The first difference from the reference, when there is one. */
  readonly difference: Difference | null;
  /** The known mistake whose result the given one matches, when there is one. */
  readonly mistake: MistakeName | null;
  /** What happened, in one line, when the test failed without a difference in numbers, or passed as acceptable. */
  readonly note: string | null;
  /**
   * Whether the test passed with another convention than this project's at a preactivation
   * exactly at a `relu` or `leaky_relu` kink: the result is not the expected one, but the one
   * with the right slope there, or between the two (see {@link conformance/kink-results | kink-results}).
   */
  readonly acceptable?: boolean;
}

/** The verdicts of a whole run. */
export interface VerifyReport {
  /** Whether every test passed. */
  readonly passed: boolean;
  /** One verdict per test, in the order of the tests. */
  readonly verdicts: readonly TestVerdict[];
}

/**
 * The first difference between a given result and an expected one, or `null` when they agree.
 * The given result may be anything: a field that is missing, of the wrong shape or not a number
 * is reported as the difference. Only the quantities named are compared, so that an
 * implementation that computes only some of them (a `train()` that updates the weights and
 * returns nothing else) can be judged on those; the others need not be present.
 *
 * @param given - the other implementation's result, as parsed from JSON
 * @param expected - the reference result
 * @param closeness - how close numbers must be: one tolerance, or an allowance for every number shaped like `expected`
 * @param quantities - which quantities to compare, by default all of them
 */
export function compareResults(
  given: unknown,
  expected: ResultDocument,
  closeness: Closeness = verifyTolerance,
  quantities: readonly ResultQuantity[] = resultQuantities,
): Difference | null {
  const allowances = "allowances" in closeness ? closeness.allowances : null;
  const tolerance = "allowances" in closeness ? verifyTolerance : closeness;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    return {
      quantity: "result",
      position: "",
      expected: "a backprop-ref/result@1 object",
      given: describeValue(given),
      relativeError: null,
    };
  }
  const document = given as Record<string, unknown>;
  const compared: [string, unknown, unknown, unknown][] = [];
  if (quantities.includes("loss")) compared.push(["loss", document.loss, expected.loss, allowances?.loss]);
  if (quantities.includes("outputs")) compared.push(["outputs", document.outputs, expected.outputs, allowances?.outputs]);
  for (const part of ["gradients", "deltaWeights", "updated"] as const) {
    if (!quantities.includes(part)) continue;
    const section = document[part];
    const fields =
      typeof section === "object" && section !== null && !Array.isArray(section) ? (section as Record<string, unknown>) : undefined;
    if (fields === undefined) {
      return {
        quantity: part,
        position: "",
        expected: "an object with weights and biases",
        given: describeValue(section),
        relativeError: null,
      };
    }
    for (const kind of ["weights", "biases"] as const) {
      const layers = expected[part][kind]?.length;
      const givenLayers = fields[kind];
      if (layers !== undefined && Array.isArray(givenLayers) && givenLayers.length !== layers) {
        // An extra layer appended, or one missing, is a difference even where every layer that should be there agrees.
        return {
          quantity: `${part}.${kind}`,
          position: "",
          expected: `${layers} layers`,
          given: `${givenLayers.length} layers`,
          relativeError: null,
        };
      }
    }
    expected[part].weights.forEach((matrix, index) =>
      compared.push([
        `${part}.weights[${index}]`,
        Array.isArray(fields.weights) ? fields.weights[index] : fields.weights,
        matrix,
        allowances?.[part].weights[index],
      ]),
    );
    if (expected[part].biases === null) compared.push([`${part}.biases`, fields.biases, null, undefined]);
    else
      expected[part].biases.forEach((vector, index) =>
        compared.push([
          `${part}.biases[${index}]`,
          Array.isArray(fields.biases) ? fields.biases[index] : fields.biases,
          vector,
          allowances?.[part].biases?.[index],
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
 * The known mistake whose result a given result matches, or `null`. Only mistakes that apply to
 * the case are tried (see {@link conformance/mistakes!mistakeApplies | mistakeApplies}).
 *
 * @param problem - the case
 * @param given - the other implementation's result
 * @param closeness - how close numbers must be: one tolerance, or an allowance for every number shaped like a result
 * @param quantities - which quantities to compare, by default all of them
 */
export function matchingMistake(
  problem: Problem,
  given: unknown,
  closeness: Closeness = verifyTolerance,
  quantities: readonly ResultQuantity[] = resultQuantities,
): MistakeName | null {
  for (const name of mistakeNames) {
    if (!mistakeApplies(name, problem)) continue;
    let wrong: ResultDocument;
    try {
      wrong = mistakenResult(name, problem);
    } catch (error) {
      if (error instanceof BackpropRefError) continue;
      throw error;
    }
    // The transposed layout's numbers sit at transposed positions, and so must their allowances.
    const allowed =
      name === "transposed-weights" && "allowances" in closeness ? { allowances: transposedLayout(closeness.allowances) } : closeness;
    if (compareResults(given, wrong, allowed, quantities) === null) return name;
  }
  return null;
}

/**
 * Verifies one result against a case: the reference result is computed, compared, and on a
 * difference the known mistakes are tried.
 *
 * @param problem - the case, read by {@link conformance/case-format!parseCase | parseCase}
 * @param given - the other implementation's result, as parsed from JSON
 * @param tolerance - how close numbers must be
 * @param expected - the reference result, when it is already known (from a vector file)
 * @param alternative - the result with the right slope at the preactivations exactly at a kink,
 *   `null` when the case has none; a result that matches it, or lies between it and `expected`,
 *   passes as acceptable
 * @throws {@link numeric/errors!NumericError | NumericError} when the reference computation overflows
 */
export function verifyResult(
  problem: Problem,
  given: unknown,
  tolerance: Tolerance = verifyTolerance,
  expected: ResultDocument = caseResult(problem),
  alternative: ResultDocument | null = rightSlopeResult(problem),
): TestVerdict {
  const id = problem.id ?? "case";
  const difference = compareResults(given, expected, tolerance);
  const convention = difference === null || alternative === null ? null : kinkConvention(given, expected, alternative, tolerance);
  if (convention !== null && schemaViolation("result", given) === null) {
    return { id, passed: true, difference: null, mistake: null, note: convention, acceptable: true };
  }
  if (difference === null) {
    const violation = schemaViolation("result", given);
    if (violation !== null)
      return {
        id,
        passed: false,
        difference: null,
        mistake: null,
        note: `the numbers agree, but the result is not a result@1 document: ${violation}`,
      };
    return { id, passed: true, difference: null, mistake: null, note: null };
  }
  return { id, passed: false, difference, mistake: matchingMistake(problem, given, tolerance), note: null };
}

/**
 * Which convention at the kinks a result follows that differs from the expected one: the right
 * slope, a slope between, or `null` when it is outside the interval of the two (and so wrong).
 */
function kinkConvention(given: unknown, expected: ResultDocument, alternative: ResultDocument, tolerance: Tolerance): string | null {
  if (compareResults(given, alternative, tolerance) === null) {
    return "acceptable: takes the right slope f'(0) = 1 at the preactivations exactly at a kink, another convention than backprop-ref's left slope";
  }
  const { midpoints, closeness } = resultInterval(expected, alternative, tolerance);
  if (compareResults(given, midpoints, closeness) === null) {
    return "acceptable: takes a slope between the left and the right one at the preactivations exactly at a kink, another convention than backprop-ref's";
  }
  return null;
}

/** How many answers that are not for exactly one test are reported one by one; the rest are counted in one more verdict. */
export const maximumStrayVerdicts = 20;

/**
 * Verifies another implementation's results against every test of a vector file.
 *
 * `results` holds one entry per test id: a `backprop-ref/result@1` document for a test with a
 * case, a `backprop-ref/rejection@1` document (`format`, `id`, `message`) for a case the
 * implementation rejected. A `valid` test passes when its result agrees with `expected`; a
 * `wrong` test when its result agrees with the valid test `sameCaseAs` and so not with the
 * mistaken `expected`; an `acceptable` test when its result agrees with `expected` or with
 * `alternative`, or lies between them number by number (and then it passes as acceptable); an
 * `invalid` test when the case was rejected (by a rejection that is a
 * valid `rejection@1` document). An entry that is not an answer with an id, an id that no test
 * has, and a second answer for the same id each fail.
 *
 * @param file - a vector file; it is checked against its schema first
 * @param results - the other implementation's results and rejections, each with its test's `id`
 * @throws {@link numeric/errors!FormatError | FormatError} for a file that breaks the `vectors@1` schema, and whatever
 *   {@link conformance/case-format!parseCase | parseCase} throws for a test's case that the schema lets through but the library rejects
 */
export function verifyVectors(file: VectorFile, results: readonly unknown[]): VerifyReport {
  assertSchema("vectors", file, "the vector file");
  const testIds = new Set(file.testGroups.flatMap((group) => group.tests.map((test) => test.id)));
  const byId = new Map<string, unknown>();
  // Answers that are not for exactly one test fail on their own: a second answer for an id
  // (which could overwrite a wrong one with a right one), an id no test has, an entry that is
  // not an answer at all. None of them is ignored.
  const strays: TestVerdict[] = [];
  let unreported = 0;
  const duplicated = new Set<string>();
  /** A failed verdict without a difference in numbers: what happened, in one line. */
  const failure = (id: string, note: string): TestVerdict => ({ id, passed: false, difference: null, mistake: null, note });
  const addStray = (verdict: () => TestVerdict): void => {
    if (strays.length < maximumStrayVerdicts) strays.push(verdict());
    else unreported++;
  };
  results.forEach((entry, index) => {
    const id = typeof entry === "object" && entry !== null ? (entry as { id?: unknown }).id : undefined;
    if (typeof id !== "string") {
      addStray(() => failure(`results[${index}]`, `is not a result or rejection with a string id, got ${describeValue(entry)}`));
    } else if (!testIds.has(id)) {
      addStray(() => failure(id, `results[${index}] answers a test that the vector file does not have`));
    } else if (byId.has(id)) {
      duplicated.add(id);
    } else {
      byId.set(id, entry);
    }
  });
  const validById = new Map<number, ResultDocument>();
  for (const group of file.testGroups)
    for (const test of group.tests) if (test.result === "valid") validById.set(test.tcId, test.expected!);
  const verdicts: TestVerdict[] = [];
  for (const group of file.testGroups) {
    for (const test of group.tests) {
      const given = byId.get(test.id);
      if (given === undefined) {
        verdicts.push(failure(test.id, "no result or rejection with this id"));
        continue;
      }
      if (duplicated.has(test.id)) {
        verdicts.push(failure(test.id, "more than one result or rejection has this id; give each test one answer"));
        continue;
      }
      const rejected = (given as { format?: unknown }).format === "backprop-ref/rejection@1";
      const rejectionViolation = rejected ? schemaViolation("rejection", given) : null;
      if (rejectionViolation !== null) {
        verdicts.push(failure(test.id, `the rejection is not a rejection@1 document: ${rejectionViolation}`));
        continue;
      }
      if (test.result === "invalid") {
        verdicts.push(
          rejected
            ? { id: test.id, passed: true, difference: null, mistake: null, note: null }
            : failure(test.id, `accepted a malformed case (${test.comment}); it must be rejected`),
        );
        continue;
      }
      if (rejected) {
        verdicts.push(failure(test.id, `rejected a valid case: ${describeValue((given as { message?: unknown }).message)}`));
        continue;
      }
      const problem = parseCase(test.case);
      const expected = test.result === "wrong" ? (validById.get(test.sameCaseAs!) ?? caseResult(problem)) : test.expected!;
      const alternative = test.result === "acceptable" ? test.alternative! : null;
      verdicts.push({ ...verifyResult(problem, given, group.tolerance, expected, alternative), id: test.id });
    }
  }
  verdicts.push(...strays);
  if (unreported > 0) {
    verdicts.push(
      failure("results", `${unreported} more entries are not answers for exactly one test (the first ${maximumStrayVerdicts} are listed)`),
    );
  }
  return { passed: verdicts.every((verdict) => verdict.passed), verdicts };
}

/**
 * A difference in words: the quantity and position, both values and the relative error.
 *
 * @param difference - from {@link compareResults}
 */
export function describeDifference(difference: Difference): string {
  const where = `${difference.quantity}${difference.position}`;
  if (difference.relativeError === null) return `${where}: expected ${difference.expected}, got ${difference.given}`;
  return `${where}: expected ${difference.expected}, got ${difference.given}, relative error ${difference.relativeError.toPrecision(3)}`;
}

/**
 * A report in words: one line per test (`pass`, or `FAIL` with the first difference and the
 * matching mistake), then a summary that counts the failures by mistake.
 *
 * @param report - from {@link verifyVectors}, or a single verdict's report
 */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = report.verdicts.map((verdict) => {
    if (verdict.passed) return verdict.acceptable === true ? `${verdict.id}: pass, ${verdict.note}` : `${verdict.id}: pass`;
    const what = verdict.difference !== null ? describeDifference(verdict.difference) : verdict.note!;
    const mistake =
      verdict.mistake === null ? "" : `\n    matches the known mistake ${verdict.mistake}: ${mistakeDescriptions[verdict.mistake]}`;
    return `${verdict.id}: FAIL ${what}${mistake}`;
  });
  const failed = report.verdicts.filter((verdict) => !verdict.passed);
  const acceptable = report.verdicts.filter((verdict) => verdict.acceptable === true).length;
  if (failed.length === 0) {
    lines.push(
      `all ${report.verdicts.length} tests passed${acceptable === 0 ? "" : ` (${acceptable} acceptable, with another convention at a kink)`}`,
    );
  } else {
    const counts = new Map<string, number>();
    for (const verdict of failed)
      counts.set(verdict.mistake ?? "no known mistake", (counts.get(verdict.mistake ?? "no known mistake") ?? 0) + 1);
    const byMistake = [...counts].map(([name, count]) => `${count} ${name}`).join(", ");
    lines.push(`FAILED ${failed.length} of ${report.verdicts.length} tests (${byMistake})`);
  }
  return lines.join("\n");
}
