/**
 * Deliberately wrong backpropagations: the classic mistakes, computed so that `verify` can say
 * which one another implementation makes, and so that the conformance vectors can carry them as
 * known-wrong expectations.
 *
 * **Nothing here is a gradient.** Each function reproduces one mistake on purpose; the exact
 * rule is {@link model/backprop!trainingStep | trainingStep}. The mistakes:
 *
 * - `intuitive-rule` — the seed's rule (see the `intuitive` module): hidden errors
 *   $e^{(l)} = W^{(l+1)\top} e^{(l+1)}$ without the next layer's $f'$, and
 *   $-\left(e^{(l)} \odot f_l'(z^{(l)})\right)$ in place of $\delta^{(l)}$ at every layer, whatever the loss.
 * - `missing-derivative` — the hidden deltas leave out their own layer's derivative:
 *   $\delta^{(l)} = W^{(l+1)\top} \delta^{(l+1)}$ instead of $\left(W^{(l+1)\top} \delta^{(l+1)}\right) \odot f_l'(z^{(l)})$.
 * - `transposed-weights` — every weight-shaped matrix of the result (gradients, delta weights,
 *   updated weights) written $n_{l-1} \times n_l$, as $\partial E / \partial W^{(l)\top}$: the
 *   mistake of an implementation that stores `weights[l-1][k][j]` for $w^{(l)}_{jk}$.
 * - `batch-sum` — the batch gradient is the sum over the samples instead of their mean,
 *   $\delta^{(l)} o^{(l-1)\top}$ instead of $\frac1B \delta^{(l)} o^{(l-1)\top}$ (the loss is
 *   still the mean).
 *
 * Every mistake leaves the forward pass alone, so its `loss` and `outputs` are the reference's.
 *
 * @module
 */
import { backpropagate, deltaWeights, gradients, hiddenError, outputDelta, outputError, updatedNetwork } from "../model/backprop.js";
import { forward } from "../model/forward.js";
import { intuitiveBackwardPass, intuitiveRuleApplies } from "../model/intuitive.js";
import type { Network, ParameterArrays } from "../model/network.js";
import { scaled, type Matrix } from "../numeric/tensor.js";
import { caseResult, parameterDocument, type ParameterDocument, type Problem, type ResultDocument } from "./case-format.js";

/** The names of the known mistakes, in the order `verify` tries them. */
export const mistakeNames = ["intuitive-rule", "missing-derivative", "transposed-weights", "batch-sum"] as const;

/** One of {@link mistakeNames}. */
export type MistakeName = (typeof mistakeNames)[number];

/** One sentence per mistake, as `verify` and the vector files print it. */
export const mistakeDescriptions: Readonly<Record<MistakeName, string>> = {
  "intuitive-rule":
    "the seed's intuitive rule: hidden errors W^T e without the next layer's f', and -(e * f') as the delta at every layer whatever the loss",
  "missing-derivative": "the hidden deltas leave out their layer's activation derivative f'(z)",
  "transposed-weights": "every weight matrix of the result is transposed (n_{l-1} x n_l instead of n_l x n_{l-1})",
  "batch-sum": "the batch gradient is the sum over the samples instead of their mean",
};

/**
 * Whether a mistake can be made on a case, and gives a result different from the reference.
 *
 * The intuitive rule needs element-wise activations (see
 * {@link model/intuitive!intuitiveRuleApplies | intuitiveRuleApplies}) and differs from the
 * gradient unless the network has one layer with squared error; a missing derivative needs a
 * hidden layer; transposed weights need a weight matrix that is not $1 \times 1$; a batch sum
 * needs more than one sample. (A mistake can still agree with the reference on particular
 * numbers, for example at $\eta = 0$ for the delta weights; the comparison decides.)
 *
 * @param name - the mistake
 * @param problem - the case
 */
export function mistakeApplies(name: MistakeName, problem: Problem): boolean {
  const { spec } = problem.network;
  const L = spec.sizes.length - 1;
  switch (name) {
    case "intuitive-rule":
      return intuitiveRuleApplies(spec) && (L > 1 || spec.loss !== "squared_error");
    case "missing-derivative":
      return L > 1;
    case "transposed-weights":
      return spec.sizes.some((size, index) => index > 0 && (size !== 1 || spec.sizes[index - 1] !== 1));
    case "batch-sum":
      return problem.inputs.shape[1]! > 1;
  }
}

/** The mistakes that change the gradients themselves (the fourth, `transposed-weights`, only writes them in the wrong layout). */
export type GradientMistakeName = Exclude<MistakeName, "transposed-weights">;

/**
 * The gradients a mistaken backpropagation computes, shaped like the parameters: the negative
 * controls of every oracle, and the `gradients` of {@link mistakenResult}.
 *
 * - `intuitive-rule`: the intuitive rule's errors, through
 *   {@link model/intuitive!intuitiveBackwardPass | intuitiveBackwardPass}, then the exact step 5;
 * - `missing-derivative`: the exact output delta, then $\delta^{(l)} = W^{(l+1)\top} \delta^{(l+1)}$
 *   (that is $-e^{(l)}$, {@link model/backprop!hiddenError | hiddenError} negated) at every hidden
 *   layer, without $f_l'(z^{(l)})$;
 * - `batch-sum`: the exact gradients times $B$.
 *
 * @param name - the mistake
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @throws {@link numeric/errors!SpecError | SpecError} for the intuitive rule on a `softmax` network, which it cannot handle
 */
export function mistakenGradients(name: GradientMistakeName, network: Network, inputs: Matrix, targets: Matrix): ParameterArrays {
  const withBiases = network.biases !== null;
  switch (name) {
    case "intuitive-rule": {
      const { trace, deltas } = intuitiveBackwardPass(network, inputs, targets);
      return gradients(trace, deltas, withBiases);
    }
    case "missing-derivative": {
      const trace = forward(network, inputs);
      const L = network.weights.length;
      const deltas: Matrix[] = new Array<Matrix>(L);
      deltas[L - 1] = outputDelta(
        network.spec,
        trace,
        outputError(network.spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets),
        targets,
      );
      for (let l = L - 1; l >= 1; l--) deltas[l - 1] = scaled(hiddenError(network.weights[l]!, deltas[l]!), -1);
      return gradients(trace, deltas, withBiases);
    }
    case "batch-sum": {
      const samples = inputs.shape[1]!;
      const mean = backpropagate(network, inputs, targets).gradients;
      return {
        weights: mean.weights.map((matrix) => scaled(matrix, samples)),
        biases: mean.biases?.map((vector) => scaled(vector, samples)) ?? null,
      };
    }
  }
}

/**
 * The result a mistaken implementation would give for a case, in the result format.
 *
 * @param name - the mistake to make
 * @param problem - the case
 * @throws {@link numeric/errors!SpecError | SpecError} for the intuitive rule on a `softmax` network, which it cannot handle
 * @throws {@link numeric/errors!NumericError | NumericError} when the reference computation overflows float64
 */
export function mistakenResult(name: MistakeName, problem: Problem): ResultDocument {
  const reference = caseResult(problem);
  if (name === "transposed-weights") {
    const transpose = (document: ParameterDocument): ParameterDocument => ({
      weights: document.weights.map((rows) => rows[0]!.map((_, k) => rows.map((row) => row[k]!))),
      biases: document.biases,
    });
    return {
      ...reference,
      gradients: transpose(reference.gradients),
      deltaWeights: transpose(reference.deltaWeights),
      updated: transpose(reference.updated),
    };
  }
  const { network, inputs, targets, learningRate } = problem;
  const wrong = mistakenGradients(name, network, inputs, targets);
  const steps = deltaWeights(wrong, learningRate);
  return {
    ...reference,
    gradients: parameterDocument(wrong),
    deltaWeights: parameterDocument(steps),
    updated: parameterDocument(updatedNetwork(network, steps)),
  };
}
