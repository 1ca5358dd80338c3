/**
 * Results at a kink: where a case puts a `relu` or `leaky_relu` preactivation exactly at $0$,
 * the result with the right slope there is as correct as this project's (the left slope), and
 * so is every result between the two (see {@link oracles/kink-conventions | kink-conventions}).
 * `verify` and the vector files' `acceptable` tests judge a result against that interval.
 *
 * The loss and the outputs do not depend on the convention (the activation itself is
 * continuous); the gradients do, and through them the delta weights $-\eta g$ and the updated
 * weights $w - \eta g$, each an affine function of the gradient, so the interval of each is the
 * one between its values in the two results.
 *
 * @module
 */
import { deltaWeights, updatedNetwork } from "../model/backprop.js";
import { gradientsWithKinkSlope, unitsAtKinks } from "../oracles/kink-conventions.js";
import { caseResult, parameterDocument, type Problem, type ResultDocument } from "./case-format.js";
import type { Allowances, Tolerance } from "./tolerance.js";

/**
 * The result of a case with the right slope at every preactivation exactly at a kink, or `null`
 * when the case has none (then every convention gives {@link conformance/case-format!caseResult | caseResult}).
 *
 * @param problem - the case
 */
export function rightSlopeResult(problem: Problem): ResultDocument | null {
  const { network, inputs, targets, learningRate, weightDecay } = problem;
  if (unitsAtKinks(network, inputs).length === 0) return null;
  const reference = caseResult(problem);
  const gradients = gradientsWithKinkSlope(network, inputs, targets, "right", weightDecay);
  const steps = deltaWeights(gradients, learningRate);
  return {
    ...reference,
    gradients: parameterDocument(gradients),
    deltaWeights: parameterDocument(steps),
    updated: parameterDocument(updatedNetwork(network, steps)),
  };
}

/** The interval between two results, as {@link conformance/verify!compareResults | compareResults} takes it. */
export interface ResultInterval {
  /** The midpoint of every pair of numbers, as an expected result. */
  readonly midpoints: ResultDocument;
  /** The allowance of every number: half the distance of the pair plus the tolerance. */
  readonly closeness: Allowances;
}

/**
 * The interval between two results, as a comparison can use it: the midpoint of every pair of
 * numbers as the expected result, and as its allowance half their distance plus the tolerance
 * at the nearer end, $\lvert a - b \rvert / 2 + \text{absolute} + \text{relative} \cdot \min(\lvert a \rvert, \lvert b \rvert)$.
 * A number within its allowance of its midpoint is between the two, to the tolerance.
 *
 * @param left - one end (this project's result)
 * @param right - the other end, shaped like `left`
 * @param tolerance - how far beyond either end a number may be
 */
export function resultInterval(left: ResultDocument, right: ResultDocument, tolerance: Tolerance): ResultInterval {
  const midpoints = pairwise(left, right, (a, b) => a + (b - a) / 2) as ResultDocument;
  const allowances = pairwise(
    left,
    right,
    (a, b) => Math.abs(a - b) / 2 + tolerance.absolute + tolerance.relative * Math.min(Math.abs(a), Math.abs(b)),
  ) as ResultDocument;
  return { midpoints, closeness: { allowances } };
}

/** `combine` applied to every pair of numbers at the same place in two JSON values of one shape; anything else is taken from the first. */
function pairwise(first: unknown, second: unknown, combine: (a: number, b: number) => number): unknown {
  if (typeof first === "number" && typeof second === "number") return combine(first, second);
  if (Array.isArray(first) && Array.isArray(second)) return first.map((entry, index) => pairwise(entry, second[index], combine));
  if (typeof first === "object" && first !== null && typeof second === "object" && second !== null) {
    return Object.fromEntries(
      Object.entries(first).map(([key, value]) => [key, pairwise(value, (second as Record<string, unknown>)[key], combine)]),
    );
  }
  return first;
}
