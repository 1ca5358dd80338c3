/**
 * How `fuzz` judges one answer of another implementation to one case: what counts as an answer
 * at all, which quantities are compared, and what is said when they differ.
 *
 * An answer agrees when it is a `backprop-ref/result@1` object for the case that was asked (its
 * `id`), and each quantity the implementation says it returns agrees entry by entry with the
 * reference, $\lvert g - e \rvert \le a + r \lvert e \rvert$ (see
 * {@link conformance/verify!compareResults | compareResults}), or, for an implementation in
 * float32, within each number's allowance (see the `float32-tolerance` module). Everything else is a
 * disagreement with a reason: a crash, a hang or a line that is not JSON (the
 * {@link Answer} of a child program that misbehaved), a rejection of a valid case, another
 * `id`, a missing field, a wrong shape, a number that differs. A number that differs is checked
 * against the known mistakes, and the one whose result the answer matches is named.
 *
 * An implementation that returns only `updated`, as a `train()` that steps the weights does, is
 * judged on its gradients through the step: $W' = W - \eta\, \partial E / \partial W$, so a
 * weight that differs implies a gradient $(W - W')/\eta$, which the verdict gives beside the
 * reference's.
 *
 * @module
 */
import { describeValue } from "../numeric/errors.js";
import { type CaseDocument, type Problem, resultFormat, type ResultDocument } from "./case-format.js";
import type { MistakeName } from "./mistakes.js";
import { float32Allowances } from "./float32-tolerance.js";
import { schemaViolation } from "./schemas.js";
import { type Tolerance } from "./tolerance.js";
import { rejectionFormat } from "./vector-format.js";
import type { Difference } from "./document-comparison.js";
import { compareResults, matchingMistake, resultQuantities, type ResultQuantity } from "./verify.js";

/** What an implementation gave for one case: a parsed JSON answer, or a failure to give one. */
export type Answer =
  | {
      /** It answered. */
      readonly kind: "answer";
      /** The answer, parsed from JSON: a result, a rejection, or anything else it wrote. */
      readonly value: unknown;
    }
  | {
      /** It gave no answer: it crashed, hung, threw, or wrote something that is not JSON. */
      readonly kind: "failure";
      /** Why, in a word: `exited`, `timeout`, `garbage`, `threw`, … (a failure is shrunk to a case that fails for the same reason). */
      readonly reason: string;
      /** What happened, in one line or a few. */
      readonly message: string;
    };

/** The arithmetic an implementation computes in: float64, or float32 judged with allowances derived from the case. */
export type Precision = "float64" | "float32";

/** How answers are judged. */
export interface Judging {
  /** The quantities the implementation returns; only these are compared. */
  readonly quantities: readonly ResultQuantity[];
  /** How close numbers must be in float64. */
  readonly tolerance: Tolerance;
  /** The implementation's arithmetic: in float32 each number gets the allowance of {@link conformance/float32-tolerance!float32Allowances | float32Allowances}. */
  readonly precision: Precision;
}

/** What the judge concluded about one answer. */
export interface FuzzVerdict {
  /** Whether the answer agrees with the reference. */
  readonly agreed: boolean;
  /**
   * Why it disagrees, in a word: `difference` for numbers or shapes that differ, the
   * {@link Answer}'s reason for no answer, or `not-an-object`, `rejected`, `wrong-format`,
   * `wrong-id`, `not-a-result`; `agreed` when it agrees.
   */
  readonly reason: string;
  /** The first differing number or shape, when the answer is a result that differs. */
  readonly difference: Difference | null;
  /** The known mistake whose result the answer matches, when one does. */
  readonly mistake: MistakeName | null;
  /** Why the answer is not a result for the case (or more about the difference), in one line; `null` when there is nothing to add. */
  readonly note: string | null;
  /** The absolute error allowed at the differing number, when the difference is one of numbers. */
  readonly allowed: number | null;
}

/** The verdict of an answer that agrees. */
const agreement: FuzzVerdict = { agreed: true, reason: "agreed", difference: null, mistake: null, note: null, allowed: null };

/** A disagreement that is not about numbers. */
function refusal(reason: string, note: string): FuzzVerdict {
  return { agreed: false, reason, difference: null, mistake: null, note, allowed: null };
}

/**
 * Judges an answer to a case.
 *
 * @param document - the case as it was sent, with the `id` the answer must carry
 * @param problem - the same case, parsed
 * @param reference - the reference result for it
 * @param answer - what the implementation gave
 * @param judging - the quantities to compare and the tolerance
 */
export function judgeAnswer(
  document: CaseDocument,
  problem: Problem,
  reference: ResultDocument,
  answer: Answer,
  judging: Judging,
): FuzzVerdict {
  if (answer.kind === "failure") return refusal(answer.reason, answer.message);
  const value = answer.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refusal("not-an-object", `answered ${describeValue(value)}, not a ${resultFormat} object`);
  }
  const fields = value as Record<string, unknown>;
  if (fields.format === rejectionFormat) {
    return refusal("rejected", `rejected a valid case: ${describeValue(fields.message)}`);
  }
  if (fields.format !== resultFormat) {
    return refusal("wrong-format", `answered a document whose format is ${describeValue(fields.format)}, expected "${resultFormat}"`);
  }
  const id = document.id ?? null;
  if ((fields.id ?? null) !== id) {
    return refusal(
      "wrong-id",
      `answered the id ${describeValue(fields.id ?? null)} to the case ${describeValue(id)}: ` +
        "each answer must copy its case's id, and answers must come in the order of the cases",
    );
  }
  const allowances = judging.precision === "float32" ? float32Allowances(document, reference) : null;
  const closeness = allowances === null ? judging.tolerance : { allowances };
  const difference = compareResults(value, reference, closeness, judging.quantities);
  if (difference === null) {
    // Numbers alone do not make a result: with every quantity asked for, the whole document must be one.
    if (judging.quantities.length === resultQuantities.length) {
      const violation = schemaViolation("result", value);
      if (violation !== null) return refusal("not-a-result", `the numbers agree, but the answer is not a result@1 document: ${violation}`);
    }
    return agreement;
  }
  return {
    agreed: false,
    reason: "difference",
    difference,
    mistake: matchingMistake(problem, value, closeness, judging.quantities),
    note: judging.quantities.includes("gradients") ? null : impliedGradient(problem, reference, difference),
    allowed:
      typeof difference.expected !== "number"
        ? null
        : allowances === null
          ? judging.tolerance.absolute + judging.tolerance.relative * Math.abs(difference.expected)
          : allowanceAt(allowances, difference),
  };
}

/** The allowance of the number a difference is about: `gradients.weights[1]` at `[2][0]`. */
function allowanceAt(allowances: ResultDocument, difference: Difference): number | null {
  const [part, kind] = difference.quantity.split(/[.[\]]/).filter((word) => word !== "");
  const indices = [...`${difference.quantity.slice(part!.length)}${difference.position}`.matchAll(/\[(\d+)\]/g)].map((index) =>
    Number(index[1]),
  );
  let value: unknown = (allowances as unknown as Record<string, unknown>)[part!];
  if (kind !== undefined && !/^\d+$/.test(kind)) value = (value as Record<string, unknown>)[kind];
  for (const index of indices) value = (value as unknown[])[index];
  return typeof value === "number" ? value : null;
}

/**
 * For a difference in `updated` (or `deltaWeights`) of an implementation judged without its
 * gradients, the gradient entry that its number implies beside the reference's:
 * $g = (W - W')/\eta$ from `updated`, $g = -\Delta W/\eta$ from `deltaWeights`.
 */
function impliedGradient(problem: Problem, reference: ResultDocument, difference: Difference): string | null {
  const match = /^(updated|deltaWeights)\.(weights|biases)\[(\d+)\]$/.exec(difference.quantity);
  const indices = [...difference.position.matchAll(/\[(\d+)\]/g)].map((index) => Number(index[1]));
  const { learningRate } = problem;
  if (match === null || typeof difference.given !== "number" || typeof difference.expected !== "number" || learningRate === 0) {
    return null;
  }
  const [, part, kind, layer] = match;
  const l = Number(layer);
  const parameter =
    kind === "weights" ? problem.network.weights[l]!.get(indices[0]!, indices[1]!) : problem.network.biases![l]!.get(indices[0]!);
  const implied = part === "updated" ? (parameter - difference.given) / learningRate : -difference.given / learningRate;
  const gradients = reference.gradients;
  const exact = kind === "weights" ? gradients.weights[l]![indices[0]!]![indices[1]!]! : gradients.biases![l]![indices[0]!]!;
  return `this implies the gradient ${implied} for ${kind}[${l}]${difference.position}, where the reference's is ${exact}`;
}
