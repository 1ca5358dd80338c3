/**
 * The forward pass: from the inputs, layer by layer, to the outputs, keeping every
 * intermediate quantity (the trace) because backpropagation needs each of them.
 *
 * Each layer does two things: it sums its weighted inputs ({@link weightedSum}) and passes the
 * sum through its activation ({@link layerOutput}). In the seed's words: "the signal is
 * combined by the weights, then moderated by the activation function".
 *
 * @module
 */
import { activate, type ActivationName } from "./activations.js";
import { describeValue, ShapeError } from "../numeric/errors.js";
import { batchLoss } from "./losses.js";
import { depth, type Network } from "./network.js";
import { addToEveryColumn, dimensions, multiply, shapeText, zeros, type Matrix, type Vector } from "../numeric/tensor.js";

/** Everything the forward pass computed, indexed as in the notation (docs/derivation/01-notation.md). */
export interface Trace {
  /** $z^{(1)}, \dots, z^{(L)}$; `preactivations[l-1]` is $n_l \times B$. */
  readonly preactivations: readonly Matrix[];
  /** $o^{(0)} = x, o^{(1)}, \dots, o^{(L)}$; `outputs[l]` is $n_l \times B$. */
  readonly outputs: readonly Matrix[];
}

/**
 * Step 1 of each layer — the weighted sum of the previous layer's outputs.
 *
 * Unit $j$ of layer $l$ adds up what every unit $k$ of layer $l-1$ sends it, each signal scaled
 * by the weight of its link, plus the unit's bias:
 *
 * $$z^{(l)}_{jb} = \sum_k w^{(l)}_{jk}\, o^{(l-1)}_{kb} + b^{(l)}_j
 *   \quad\Longleftrightarrow\quad
 *   z^{(l)} = W^{(l)} o^{(l-1)} + b^{(l)} \mathbf 1^\top$$
 *
 * Shapes: $W^{(l)}$ is $n_l \times n_{l-1}$ and $o^{(l-1)}$ is $n_{l-1} \times B$, so $z^{(l)}$ is
 * $n_l \times B$; the bias is added to every sample (every column). Because samples are
 * columns, one matrix product handles the whole batch.
 *
 * @param weights - $W^{(l)}$, $n_l \times n_{l-1}$
 * @param bias - $b^{(l)}$ (length $n_l$), or `null` for a layer without bias
 * @param previousOutputs - $o^{(l-1)}$, $n_{l-1} \times B$
 * @param into - where to write $z^{(l)}$, $n_l \times B$; a new matrix if left out
 * @returns `into`, $z^{(l)}$
 */
export function weightedSum(
  weights: Matrix,
  bias: Vector | null,
  previousOutputs: Matrix,
  into: Matrix = zeros(weights.shape[0]!, previousOutputs.shape[1]!),
): Matrix {
  const preactivations = multiply(into, weights, previousOutputs);
  return bias === null ? preactivations : addToEveryColumn(preactivations, bias);
}

/**
 * Step 2 of each layer — the activation: $o^{(l)} = f_l\!\left(z^{(l)}\right)$.
 *
 * For every activation but softmax this is applied to each entry alone; softmax normalises
 * each column (sample) into probabilities. Shapes: $n_l \times B$ in, $n_l \times B$ out.
 *
 * @param activation - $f_l$
 * @param preactivations - $z^{(l)}$, $n_l \times B$
 * @param into - where to write $o^{(l)}$, $n_l \times B$; a new matrix if left out
 * @returns `into`, $o^{(l)}$
 */
export function layerOutput(activation: ActivationName, preactivations: Matrix, into?: Matrix): Matrix {
  return activate(activation, preactivations, into);
}

/**
 * The forward pass through every layer, $l = 1, \dots, L$, starting from $o^{(0)} = x$.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$ with one sample per column and $B \ge 1$
 * @param into - a trace of the same shapes whose matrices receive $z^{(l)}$ and $o^{(l)}$
 *   ($l \ge 1$; its `outputs[0]` is not written), as training reuses them step after step;
 *   new matrices if left out
 * @returns the trace: every $z^{(l)}$ and every $o^{(l)}$, with `outputs[0]` being `inputs`
 * @throws {@link numeric/errors!ShapeError | ShapeError} if `inputs` does not have $n_0$ rows or has no column
 */
export function forward(network: Network, inputs: Matrix, into?: Trace): Trace {
  const { sizes, activations } = network.spec;
  const [rows, samples] = dimensions(inputs);
  if (inputs.dimension !== 2 || rows !== sizes[0] || samples < 1) {
    throw new ShapeError(
      `inputs are ${shapeText(inputs)} but sizes ${describeValue(sizes)} need ${sizes[0]}×B with B ≥ 1 (one sample per column)`,
    );
  }
  const preactivations: Matrix[] = [];
  const outputs: Matrix[] = [inputs];
  for (let l = 1; l <= depth(network.spec); l++) {
    const z = weightedSum(network.weights[l - 1]!, network.biases?.[l - 1] ?? null, outputs[l - 1]!, into?.preactivations[l - 1]);
    preactivations.push(z);
    outputs.push(layerOutput(activations[l - 1]!, z, into?.outputs[l]));
  }
  return { preactivations, outputs };
}

/**
 * The loss of the network on a batch: a forward pass, then the batch mean of the loss.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 */
export function networkLoss(network: Network, inputs: Matrix, targets: Matrix): number {
  const trace = forward(network, inputs);
  return traceLoss(network, trace, targets);
}

/**
 * The loss of a batch whose forward pass is already done.
 *
 * @param network - the network that produced the trace
 * @param trace - its forward pass
 * @param targets - $t$, $n_L \times B$
 * @throws {@link numeric/errors!ShapeError | ShapeError} if the targets' shape is not that of the outputs
 */
export function traceLoss(network: Network, trace: Trace, targets: Matrix): number {
  const output = trace.outputs[trace.outputs.length - 1]!;
  assertTargetShape(output, targets);
  const { loss, activations } = network.spec;
  return batchLoss(loss, activations[activations.length - 1]!, trace.preactivations[trace.preactivations.length - 1]!, output, targets);
}

/**
 * Throws a {@link numeric/errors!ShapeError | ShapeError} unless the targets have the shape of the outputs, $n_L \times B$.
 *
 * @param outputs - $o^{(L)}$
 * @param targets - $t$
 */
export function assertTargetShape(outputs: Matrix, targets: Matrix): void {
  const [units, samples] = dimensions(outputs);
  const [rows, columns] = dimensions(targets);
  if (targets.dimension !== 2) {
    throw new ShapeError(
      `targets must be a matrix (n_L × B) of the outputs' shape ${units}×${samples}, got an array of shape ${targets.shape.join("×")}`,
    );
  }
  if (rows !== units || columns !== samples) {
    throw new ShapeError(`targets are ${shapeText(targets)} but the outputs are ${units}×${samples}`);
  }
}
