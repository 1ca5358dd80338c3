/**
 * Small networks that several specs take apart: the worked example with and without biases,
 * and relu units near their kink, each a case the reader can replay with
 * `npx backprop-ref grad`.
 *
 * Each is a function that makes its case afresh, called inside the tests, so that no library
 * code runs when a spec is imported: Stryker counts code run at import as static mutants, and
 * re-runs the whole suite for each of them.
 */
import { type CaseDocument, parseCase, type Problem } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { trainingStep, type TrainingStep } from "../../src/model/backprop.js";

/** The worked example (docs/examples/xor-2-2-1-sigmoid.json): 2-2-1 sigmoid, squared error, no biases, two samples. */
export function exampleProblem(): Problem {
  return parseCase(workedExampleCase);
}

/** The worked example with biases $b^{(1)} = (0.1, -0.1)$ and $b^{(2)} = 0.2$, made afresh for each call. */
export function exampleWithBiases(): Problem {
  return parseCase({ ...workedExampleCase, biases: [[0.1, -0.1], [0.2]] });
}

/**
 * A 1-2-1 network whose first hidden relu unit sits $10^{-7}$ below its kink (its preactivation
 * is $1 - 0.9999999$), closer than any step of a central difference: the step on its incoming
 * weight and bias crosses the kink.
 */
export function reluCase(): Problem {
  return parseCase({
    format: "backprop-ref/case@1",
    sizes: [1, 2, 1],
    activations: ["relu", "identity"],
    loss: "squared_error",
    weights: [[[1], [-1]], [[0.5, 0.25]]],
    biases: [[-0.9999999, 0.5], [0]],
    inputs: [[1]],
    targets: [[1]],
    learningRate: 0.1,
  });
}

/**
 * A 1-2-1 network whose first hidden relu unit sits near its kink: with the input 1 and the
 * weight 1 its preactivation is $1 + b$, so the bias sets how far from the kink and on which side.
 *
 * @param bias - $b^{(1)}_1$
 */
export function reluNearItsKink(bias: number): Problem {
  return parseCase({
    format: "backprop-ref/case@1",
    sizes: [1, 2, 1],
    activations: ["relu", "identity"],
    loss: "squared_error",
    weights: [[[1], [0.5]], [[1, 1]]],
    biases: [[bias, 0.1], [0]],
    inputs: [[1]],
    targets: [[2]],
    learningRate: 0.1,
  });
}

/**
 * The smallest case there is, the 1-1 identity network with weight 1, input 1, target 0 and a
 * learning rate of 0, with some fields replaced: the case of a test about one thing (a shape,
 * an overflow, a line of the protocol), where every other field should not matter.
 *
 * @param overrides - fields of the case to replace
 */
export function oneUnitCase(overrides: Record<string, unknown> = {}): CaseDocument {
  return {
    format: "backprop-ref/case@1",
    sizes: [1, 1],
    activations: ["identity"],
    loss: "squared_error",
    weights: [[[1]]],
    biases: null,
    inputs: [[1]],
    targets: [[0]],
    learningRate: 0,
    ...overrides,
  };
}

/**
 * A training step of the 1-1 identity network with weight 1, input 1 and target 0 (loss ½),
 * with some fields of its case replaced: the smallest case in which to make one thing overflow
 * or one argument wrong. Returns the step as a function, to be called or to be expected to throw.
 *
 * @param overrides - fields of the case to replace
 * @param learningRate - $\eta$ of the step
 */
export function identityStep(overrides: Record<string, unknown>, learningRate = 0.1): () => TrainingStep {
  const problem = parseCase(oneUnitCase(overrides));
  return () => trainingStep(problem.network, problem.inputs, problem.targets, learningRate);
}

/**
 * A 2-2-1 relu network with two preactivations exactly at the kink, $z^{(1)}_{1} = 1 \cdot 1 - 1 \cdot 1$
 * for the first sample and $z^{(1)}_{2} = 1 \cdot 1 + 1 \cdot (-1)$ for the second: four gradient
 * entries depend on the slope taken there.
 */
export function caseAtKinks(): Problem {
  return parseCase({
    format: "backprop-ref/case@1",
    id: "kink",
    sizes: [2, 2, 1],
    activations: ["relu", "identity"],
    loss: "squared_error",
    weights: [
      [
        [1, -1],
        [1, 1],
      ],
      [[1, 2]],
    ],
    biases: null,
    inputs: [
      [1, 1],
      [1, -1],
    ],
    targets: [[1], [0.5]],
    learningRate: 0.1,
  });
}

/**
 * One identity layer with squared error, 2 inputs to 1 output with a bias, two samples: the
 * smallest case whose Hessian has a closed form, with numbers a reader can multiply by hand
 * ($w = (0.5, -0.25)$, $b = 0.125$).
 */
export function oneLinearLayer(): Problem {
  return parseCase({
    format: "backprop-ref/case@1",
    sizes: [2, 1],
    activations: ["identity"],
    loss: "squared_error",
    weights: [[[0.5, -0.25]]],
    biases: [[0.125]],
    inputs: [
      [1, 2],
      [3, -1],
    ],
    targets: [[0], [1]],
    learningRate: 0.1,
  });
}
