/**
 * Backpropagation, one step of the derivation per function, in the order of the derivation.
 *
 * The goal is the gradient of the batch loss $E = \frac1B \sum_b E_b$ (the mean of the
 * per-sample losses $E_b$) with respect to every weight, so that each weight can move a little
 * against it. The chain rule gets there backwards, one sample at a time: first how $E_b$
 * changes with the output layer's weighted sums, then, layer by layer, how it changes with the
 * sums before them. The quantity carried backwards is the delta, one column per sample,
 *
 * $$\delta^{(l)}_{jb} = \frac{\partial E_b}{\partial z^{(l)}_{jb}} \qquad (\delta^{(l)} \text{ is } n_l \times B)$$
 *
 * and the seed's "error" is its companion: the output error $e^{(L)} = t - o^{(L)}$ and the
 * hidden errors $e^{(l)}_{kb} = -\partial E_b / \partial o^{(l)}_{kb}$, again one column per
 * sample. Only step 5 averages over the batch. Read top to bottom:
 *
 * 1. {@link outputError}: $e^{(L)} = t - o^{(L)}$.
 * 2. {@link outputDelta}: $\delta^{(L)} = -e^{(L)} \odot f_L'(z^{(L)})$ for squared error.
 * 3. {@link hiddenError}: $e^{(l)} = -W^{(l+1)\top} \delta^{(l+1)}$, the error sent back through the weights.
 * 4. {@link hiddenDelta}: $\delta^{(l)} = -e^{(l)} \odot f_l'(z^{(l)})$.
 * 5. {@link gradients}: $\partial E / \partial W^{(l)} = \frac1B \delta^{(l)} o^{(l-1)\top}$.
 * 6. {@link deltaWeights}: $\Delta W^{(l)} = -\eta\, \partial E / \partial W^{(l)}$.
 * 7. {@link updatedNetwork}: $W^{(l)} + \Delta W^{(l)}$, "new weight = old weight + learning rate × error × input".
 *
 * {@link backpropagate} and {@link trainingStep} run the steps in that order.
 *
 * @module
 */
import { activationDerivative, softmaxBackward, type ActivationName } from "./activations.js";
import { NumericError, SpecError, ValueError } from "./errors.js";
import { assertTargetShape, forward, traceLoss, type Trace } from "./forward.js";
import { fusedOutputDelta, isFusedLoss } from "./losses.js";
import { depth, type Network, type NetworkSpec } from "./network.js";
import {
  added,
  allFinite,
  dimensions,
  hadamard,
  multiply,
  rowMeans,
  scaled,
  subtract,
  zeros,
  type Matrix,
  type Vector,
} from "./tensor.js";

/**
 * One array per weight layer, shaped like the network's parameters: the gradients
 * $\partial E / \partial W^{(l)}$ and $\partial E / \partial b^{(l)}$, or the delta weights.
 */
export interface ParameterArrays {
  /** One $n_l \times n_{l-1}$ matrix per weight layer, `weights[l-1]` for layer $l$. */
  readonly weights: readonly Matrix[];
  /** One length-$n_l$ vector per weight layer, or `null` for a network without biases. */
  readonly biases: readonly Vector[] | null;
}

/** What the backward pass computed, indexed as in DESIGN.md. */
export interface Backpropagation {
  /** The forward pass it started from. */
  readonly trace: Trace;
  /** $e^{(1)}, \dots, e^{(L)}$: `errors[l-1]` is $n_l \times B$; the last is $t - o^{(L)}$. */
  readonly errors: readonly Matrix[];
  /** $\delta^{(1)}, \dots, \delta^{(L)}$: `deltas[l-1]` is $\partial E / \partial z^{(l)}$, $n_l \times B$. */
  readonly deltas: readonly Matrix[];
  /** $\partial E / \partial W^{(l)}$ and $\partial E / \partial b^{(l)}$, batch means. */
  readonly gradients: ParameterArrays;
}

/** One step of gradient descent: the backward pass, the loss before the step, the delta weights and the network after. */
export interface TrainingStep extends Backpropagation {
  /** $E$, the batch mean of the loss, before the step. */
  readonly loss: number;
  /** $\eta$, the learning rate of the step. */
  readonly learningRate: number;
  /** $\Delta W^{(l)} = -\eta\, \partial E/\partial W^{(l)}$ (and likewise for the biases). */
  readonly deltaWeights: ParameterArrays;
  /** The network with $W^{(l)} + \Delta W^{(l)}$ and $b^{(l)} + \Delta b^{(l)}$. */
  readonly updated: Network;
}

/**
 * Step 1 — the output error: how far each output is from its target.
 *
 * $$e^{(L)} = t - o^{(L)}$$
 *
 * Shapes: $t$ and $o^{(L)}$ are $n_L \times B$, one sample per column. This is the seed's
 * "error = target − actual". For squared error it is exactly minus the gradient of the loss
 * with respect to the outputs,
 *
 * $$-\frac{\partial E_b}{\partial o^{(L)}_k} = -\frac{\partial}{\partial o^{(L)}_k} \frac12 \sum_j \left(t_j - o^{(L)}_j\right)^2 = t_k - o^{(L)}_k = e^{(L)}_k,$$
 *
 * which is why it is the right thing to send backwards.
 *
 * @param outputs - $o^{(L)}$, $n_L \times B$
 * @param targets - $t$, $n_L \times B$
 * @returns a new $n_L \times B$ matrix
 */
export function outputError(outputs: Matrix, targets: Matrix): Matrix {
  assertTargetShape(outputs, targets);
  return subtract(targets, outputs);
}

/**
 * Step 2 — the output delta: how the loss changes with the output layer's weighted sums.
 *
 * The output $o^{(L)}_k = f_L(z^{(L)}_k)$ depends on $z^{(L)}_k$ alone (for an element-wise
 * activation), so the chain rule has one term:
 *
 * $$\delta^{(L)}_k = \frac{\partial E_b}{\partial o^{(L)}_k} \frac{\partial o^{(L)}_k}{\partial z^{(L)}_k}
 *   = -e^{(L)}_k\, f_L'\!\left(z^{(L)}_k\right)
 *   \quad\Longleftrightarrow\quad
 *   \delta^{(L)} = -e^{(L)} \odot f_L'\!\left(z^{(L)}\right)$$
 *
 * Shapes: all three are $n_L \times B$. In the seed's words, $e \odot f'(z)$ (for sigmoid,
 * "error × sigmoid × (1 − sigmoid)") is the error scaled by how steeply the unit responds.
 *
 * Three cases take another route:
 * - a `softmax` output with squared error: every output depends on every $z_i$, so the
 *   Jacobian replaces the element-wise product: $\delta = J^\top(-e)$ per sample
 *   ({@link softmaxBackward});
 * - `binary_cross_entropy` with `sigmoid` and `cross_entropy` with `softmax`: the loss's
 *   $1/o$ cancels the activation's derivative and $\delta^{(L)} = o - t = -e^{(L)}$ (for
 *   cross-entropy, $o\sum_k t_k - t$ in general); see {@link fusedOutputDelta}.
 *
 * @param spec - the network's spec (its loss and output activation)
 * @param trace - the forward pass
 * @param error - $e^{(L)}$ from {@link outputError}
 * @param targets - $t$, $n_L \times B$ (read by the cross-entropies)
 * @returns a new $n_L \times B$ matrix, $\delta^{(L)}$
 */
export function outputDelta(spec: NetworkSpec, trace: Trace, error: Matrix, targets: Matrix): Matrix {
  const L = depth(spec);
  const outputs = trace.outputs[L]!;
  const activation = spec.activations[L - 1]!;
  if (isFusedLoss(spec.loss)) return fusedOutputDelta(spec.loss, outputs, targets);
  const outputGradient = scaled(error, -1);
  if (activation === "softmax") return softmaxBackward(outputs, outputGradient);
  return hadamard(outputGradient, activationDerivative(activation, trace.preactivations[L - 1]!));
}

/**
 * Step 3 — the hidden error: send the next layer's deltas back through its weights.
 *
 * A unit $k$ of layer $l$ feeds every unit $j$ of layer $l+1$ through the weight
 * $w^{(l+1)}_{jk}$, so by the chain rule its output's effect on the loss is the weighted sum of
 * the effects it caused:
 *
 * $$\frac{\partial E_b}{\partial o^{(l)}_k} = \sum_j \frac{\partial E_b}{\partial z^{(l+1)}_j}\frac{\partial z^{(l+1)}_j}{\partial o^{(l)}_k}
 *   = \sum_j \delta^{(l+1)}_j w^{(l+1)}_{jk}
 *   \quad\Longrightarrow\quad
 *   e^{(l)} = -W^{(l+1)\top} \delta^{(l+1)}$$
 *
 * Shapes: $W^{(l+1)}$ is $n_{l+1} \times n_l$, so $W^{(l+1)\top}$ maps the $n_{l+1} \times B$
 * deltas back to $n_l \times B$; the transpose is a view, not a copy. For squared error and an
 * element-wise output this is the seed's "hidden error = $W^\top$ (output error ⊙ $f'$)":
 * $e^{(L-1)} = W^{(L)\top}\left(e^{(L)} \odot f_L'(z^{(L)})\right)$, "the output error, split
 * back along the weights" after scaling each by its unit's slope.
 *
 * @param nextWeights - $W^{(l+1)}$, $n_{l+1} \times n_l$
 * @param nextDelta - $\delta^{(l+1)}$, $n_{l+1} \times B$
 * @returns a new $n_l \times B$ matrix, $e^{(l)}$
 */
export function hiddenError(nextWeights: Matrix, nextDelta: Matrix): Matrix {
  const [, units] = dimensions(nextWeights);
  const [, samples] = dimensions(nextDelta);
  const backwards = multiply(zeros(units, samples), nextWeights.transpose(1, 0), nextDelta);
  return scaled(backwards, -1);
}

/**
 * Step 4 — the hidden delta: pass the hidden error through the layer's own activation.
 *
 * $o^{(l)}_k = f_l(z^{(l)}_k)$, so one more link of the chain rule gives
 *
 * $$\delta^{(l)}_k = \frac{\partial E_b}{\partial o^{(l)}_k} f_l'\!\left(z^{(l)}_k\right)
 *   \quad\Longleftrightarrow\quad
 *   \delta^{(l)} = -e^{(l)} \odot f_l'\!\left(z^{(l)}\right)$$
 *
 * Shapes: $n_l \times B$ throughout. Hidden layers are never softmax (the spec forbids it), so
 * the derivative is element-wise. Steps 3 and 4 repeat for $l = L-1, \dots, 1$.
 *
 * @param activation - $f_l$ of the hidden layer
 * @param preactivations - $z^{(l)}$, $n_l \times B$
 * @param error - $e^{(l)}$ from {@link hiddenError}, $n_l \times B$
 * @returns a new $n_l \times B$ matrix, $\delta^{(l)}$
 */
export function hiddenDelta(activation: ActivationName, preactivations: Matrix, error: Matrix): Matrix {
  if (activation === "softmax") {
    throw new SpecError("softmax is an output activation; a hidden layer cannot use it");
  }
  return hadamard(scaled(error, -1), activationDerivative(activation, preactivations));
}

/**
 * Step 5 — the gradients: how the batch loss changes with every weight and bias.
 *
 * The weight $w^{(l)}_{jk}$ enters sample $b$'s loss only through $z^{(l)}_{jb} = \sum_k w^{(l)}_{jk}
 * o^{(l-1)}_{kb} + b^{(l)}_j$, with $\partial z^{(l)}_{jb} / \partial w^{(l)}_{jk} = o^{(l-1)}_{kb}$,
 * so $\partial E_b / \partial w^{(l)}_{jk} = \delta^{(l)}_{jb}\, o^{(l-1)}_{kb}$; the batch loss is
 * the mean $E = \frac1B \sum_b E_b$, and so is its gradient:
 *
 * $$\frac{\partial E}{\partial w^{(l)}_{jk}} = \frac1B \sum_{b=1}^{B} \delta^{(l)}_{jb}\, o^{(l-1)}_{kb}
 *   \quad\Longleftrightarrow\quad
 *   \frac{\partial E}{\partial W^{(l)}} = \frac1B\, \delta^{(l)} o^{(l-1)\top},
 *   \qquad
 *   \frac{\partial E}{\partial b^{(l)}} = \frac1B \sum_b \delta^{(l)}_{:,b}$$
 *
 * Shapes: $\delta^{(l)}$ is $n_l \times B$ and $o^{(l-1)\top}$ is $B \times n_{l-1}$, so the
 * product is $n_l \times n_{l-1}$, the shape of $W^{(l)}$: one outer product "delta × input"
 * per sample, averaged over the batch.
 *
 * @param trace - the forward pass (its outputs $o^{(0)}, \dots, o^{(L-1)}$ are the layers' inputs)
 * @param deltas - $\delta^{(1)}, \dots, \delta^{(L)}$
 * @param withBiases - whether the network has biases (their gradients are `null` otherwise)
 * @returns new matrices and vectors shaped like the parameters
 */
export function gradients(trace: Trace, deltas: readonly Matrix[], withBiases: boolean): ParameterArrays {
  const weights = deltas.map((delta, index) => {
    const previousOutputs = trace.outputs[index]!;
    const [units, samples] = dimensions(delta);
    const [inputs] = dimensions(previousOutputs);
    const sum = multiply(zeros(units, inputs), delta, previousOutputs.transpose(1, 0));
    return scaled(sum, 1 / samples);
  });
  const biases = withBiases ? deltas.map(rowMeans) : null;
  return { weights, biases };
}

/**
 * Step 6 — the delta weights: a step of size $\eta$ against the gradient.
 *
 * $$\Delta W^{(l)} = -\eta \frac{\partial E}{\partial W^{(l)}}, \qquad \Delta b^{(l)} = -\eta \frac{\partial E}{\partial b^{(l)}}$$
 *
 * With squared error, an element-wise output activation and one sample ($B = 1$), steps 1–5
 * make this literally the seed's "learning rate × error × input": $\Delta w^{(l)}_{jk} = \eta\, \left(e^{(l)}_j
 * f_l'(z^{(l)}_j)\right) o^{(l-1)}_k$, or in matrix form
 * $\Delta W^{(l)} = \eta \left(e^{(l)} \odot f_l'(z^{(l)})\right) o^{(l-1)\top}$.
 *
 * @param parameterGradients - the gradients from {@link gradients}
 * @param learningRate - $\eta \ge 0$
 * @returns new matrices and vectors shaped like the parameters
 */
export function deltaWeights(parameterGradients: ParameterArrays, learningRate: number): ParameterArrays {
  return {
    weights: parameterGradients.weights.map((gradient) => scaled(gradient, -learningRate)),
    biases: parameterGradients.biases?.map((gradient) => scaled(gradient, -learningRate)) ?? null,
  };
}

/**
 * Step 7 — the update: "new weight = old weight + learning rate × error × input".
 *
 * $$W^{(l)} \leftarrow W^{(l)} + \Delta W^{(l)}, \qquad b^{(l)} \leftarrow b^{(l)} + \Delta b^{(l)}$$
 *
 * @param network - the network before the step (left unchanged)
 * @param steps - the delta weights from {@link deltaWeights}
 * @returns a new network
 */
export function updatedNetwork(network: Network, steps: ParameterArrays): Network {
  return {
    spec: network.spec,
    weights: network.weights.map((weights, index) => added(weights, steps.weights[index]!)),
    biases: network.biases?.map((bias, index) => added(bias, steps.biases![index]!)) ?? null,
  };
}

/**
 * The forward pass and steps 1–5: errors, deltas and gradients of the batch loss.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 */
export function backpropagate(network: Network, inputs: Matrix, targets: Matrix): Backpropagation {
  const { spec, weights } = network;
  const L = depth(spec);
  const trace = forward(network, inputs);
  const errors: Matrix[] = new Array<Matrix>(L);
  const deltas: Matrix[] = new Array<Matrix>(L);
  errors[L - 1] = outputError(trace.outputs[L]!, targets);
  deltas[L - 1] = outputDelta(spec, trace, errors[L - 1]!, targets);
  for (let l = L - 1; l >= 1; l--) {
    errors[l - 1] = hiddenError(weights[l]!, deltas[l]!);
    deltas[l - 1] = hiddenDelta(spec.activations[l - 1]!, trace.preactivations[l - 1]!, errors[l - 1]!);
  }
  return { trace, errors, deltas, gradients: gradients(trace, deltas, network.biases !== null) };
}

/**
 * One step of gradient descent on a batch: the forward pass, steps 1–7, and the loss before
 * the step.
 *
 * @param network - the network (left unchanged)
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta \ge 0$
 * @throws {@link errors!NumericError | NumericError} if finite input overflows: an output, the loss, a gradient
 *   or an updated weight that is not finite. A preactivation may overflow when its activation
 *   still gives a finite output (a sigmoid of $10^{600}$ is $1$ in float64), since the answer is
 *   then representable and exact to float64 precision.
 * @throws {@link errors!ValueError | ValueError} for a learning rate that is negative or not finite
 */
export function trainingStep(network: Network, inputs: Matrix, targets: Matrix, learningRate: number): TrainingStep {
  if (!Number.isFinite(learningRate) || learningRate < 0) {
    throw new ValueError(`learningRate must be a finite number ≥ 0, got ${learningRate}`);
  }
  const backpropagation = backpropagate(network, inputs, targets);
  const loss = traceLoss(network, backpropagation.trace, targets);
  const steps = deltaWeights(backpropagation.gradients, learningRate);
  const updated = updatedNetwork(network, steps);
  assertFiniteArrays("the outputs", backpropagation.trace.outputs);
  assertFinite("the loss", [loss]);
  assertFiniteArrays("the gradients", [...backpropagation.gradients.weights, ...(backpropagation.gradients.biases ?? [])]);
  assertFiniteArrays("the updated weights", [...updated.weights, ...(updated.biases ?? [])]);
  return { ...backpropagation, loss, learningRate, deltaWeights: steps, updated };
}

function assertFinite(what: string, values: readonly number[]): void {
  if (!values.every(Number.isFinite)) {
    throw new NumericError(`${what} overflowed to ${values.find((value) => !Number.isFinite(value))}: the weights or inputs are too large for float64`);
  }
}

function assertFiniteArrays(what: string, arrays: readonly (Matrix | Vector)[]): void {
  if (!arrays.every(allFinite)) {
    throw new NumericError(`${what} overflowed (an entry is not finite): the weights or inputs are too large for float64`);
  }
}
