/**
 * The rule every expected number of the vectors obeys: it is the exact value rounded, to within
 * the roundings a float64 evaluation cannot avoid, as the 100-digit oracle judges it. The
 * generator checks each result against it as it writes it, and the vector law of the specs
 * checks the committed files.
 *
 * @module
 */
import type { ParameterArrays } from "../model/network.js";
import { NumericError } from "../numeric/errors.js";
import { matrixFromRows, transposed, vectorFromArray } from "../numeric/tensor.js";
import { compareWithExact, describeDistance, type FloatStep } from "../oracles/exact-comparison.js";
import { exactStep, type ExactStep } from "../oracles/exact-step.js";
import type { ParameterDocument, Problem, ResultDocument } from "./case-format.js";

/**
 * Throws unless every number of a result agrees with the 100-digit oracle
 * ({@link oracles/exact-step!exactStep | exactStep}) to the bound of
 * {@link oracles/exact-comparison!compareWithExact | compareWithExact}: the generator refuses to
 * write a number that is not the exact value, rounded, to within a few of its own roundings.
 *
 * @param problem - the case
 * @param expected - its result, as it is about to be written
 * @param exact - the case's exact step, when several results of the same case are judged (the oracle is most of the time); computed from `problem` when left out
 * @throws {@link numeric/errors!NumericError | NumericError} naming the first disagreeing entry, both values and the distance
 */
export function assertExactlyRounded(problem: Problem, expected: ResultDocument, exact?: ExactStep): void {
  const { network, inputs, targets, learningRate, weightDecay } = problem;
  const comparison = compareWithExact(floatStepOfResult(expected), exact ?? exactStep(network, inputs, targets, learningRate, weightDecay));
  const [first] = comparison.disagreements;
  if (first !== undefined) {
    throw new NumericError(
      `${problem.id ?? "a case"}: ${comparison.disagreements.length} expected numbers disagree with the 100-digit oracle; ${describeDistance(first)}`,
    );
  }
}

/** The numbers of a result document as the float64 arrays of a step (samples as columns). */
function floatStepOfResult(result: ResultDocument): FloatStep {
  const parameters = (document: ParameterDocument): ParameterArrays => ({
    weights: document.weights.map((rows) => matrixFromRows(rows)),
    biases: document.biases?.map((entries) => vectorFromArray(entries)) ?? null,
  });
  return {
    loss: result.loss,
    outputs: transposed(matrixFromRows(result.outputs)),
    gradients: parameters(result.gradients),
    deltaWeights: parameters(result.deltaWeights),
    updated: parameters(result.updated),
  };
}
