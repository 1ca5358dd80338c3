/**
 * Deliberately broken backpropagations, the negative controls of every oracle: each oracle
 * must reject them wherever the mistake is visible.
 */
import { backpropagate, gradients, hiddenError, outputDelta, outputError, type ParameterArrays } from "../../src/model/backprop.js";
import { forward } from "../../src/model/forward.js";
import type { Network } from "../../src/model/network.js";
import { scaled, type Matrix } from "../../src/numeric/tensor.js";

/**
 * The hidden deltas leave out the activation's derivative: $\delta^{(l)} = -e^{(l)}$ instead of
 * $-e^{(l)} \odot f'(z^{(l)})$.
 */
export function backpropWithoutHiddenDerivative(network: Network, inputs: Matrix, targets: Matrix): ParameterArrays {
  const L = network.weights.length;
  const trace = forward(network, inputs);
  const deltas: Matrix[] = new Array<Matrix>(L);
  deltas[L - 1] = outputDelta(network.spec, trace, outputError(trace.outputs[L]!, targets), targets);
  for (let l = L - 1; l >= 1; l--) deltas[l - 1] = scaled(hiddenError(network.weights[l]!, deltas[l]!), -1);
  return gradients(trace, deltas, network.biases !== null);
}

/** The batch gradient is the sum over the samples instead of their mean. */
export function backpropSummingTheBatch(network: Network, inputs: Matrix, targets: Matrix): ParameterArrays {
  const { weights, biases } = backpropagate(network, inputs, targets).gradients;
  const samples = inputs.shape[1]!;
  return { weights: weights.map((matrix) => scaled(matrix, samples)), biases: biases?.map((vector) => scaled(vector, samples)) ?? null };
}
