/**
 * Backpropagation, one step of the derivation per function, in the order of the derivation.
 *
 * The goal is the gradient of the batch loss $E = \frac1B \sum_b E_b$ (the mean of the
 * per-sample losses $E_b$) with respect to every weight, so that each weight can move a little
 * against it. The chain rule gets there backwards, one sample at a time: first how $E_b$
 * changes with the output layer's weighted sums, then, layer by layer, how it changes with the
 * sums before them. The quantity carried backwards is the delta, one column per sample,
 *
 * $$\delta^{(l)}_{jb} = \frac{\partial E_b}{\partial z^{(l)}_{jb}} \qquad (\delta^{(l)} \text{ is } n_l \times B).$$
 *
 * **The sign convention, once for every step.** The seed's "error" is the companion of the
 * delta, and it points the other way: in every hidden layer it is *minus* the derivative of the
 * loss with respect to the layer's outputs,
 *
 * $$e^{(l)}_{kb} = -\frac{\partial E_b}{\partial o^{(l)}_{kb}} \qquad (l < L),$$
 *
 * and at the output it is the seed's "target − actual", $e^{(L)} = t - o^{(L)}$, for every loss,
 * which is $-\partial E_b / \partial o^{(L)}$ for squared error. The minus signs of steps 2–4 come
 * from this convention: a delta is $-e \odot f'(z)$, an error sent back is $-W^\top \delta$. (The
 * cross-entropies and a softmax output reach $\delta^{(L)}$ by their own formulas, in step 2; the
 * minus of step 6 is the other one, the step against the gradient. With squared error and one
 * sample, the two meet as the seed's plus: "learning rate × error × input".)
 *
 * Read top to bottom:
 *
 * 1. {@link outputError}: $e^{(L)} = t - o^{(L)}$.
 * 2. {@link outputDelta}: $\delta^{(L)} = -e^{(L)} \odot f_L'(z^{(L)})$ for squared error.
 * 3. {@link hiddenError}: $e^{(l)} = -W^{(l+1)\top} \delta^{(l+1)}$, the error sent back through the weights.
 * 4. {@link hiddenDelta}: $\delta^{(l)} = -e^{(l)} \odot f_l'(z^{(l)})$.
 *
 *    {@link backpropagateDeltas} runs steps 1–4: steps 3 and 4 once per hidden layer, from the
 *    last to the first.
 * 5. {@link gradients}: $\partial E / \partial W^{(l)} = \frac1B \delta^{(l)} o^{(l-1)\top}$. Only this step averages over the batch.
 *
 *    5b. {@link model/weight-decay!weightDecayGradients | weightDecayGradients}: $+\, \lambda' W^{(l)}$, when the loss has a
 *    weight-decay penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$ (see {@link model/weight-decay | weight-decay}).
 * 6. {@link deltaWeights}: $\Delta W^{(l)} = -\eta\, \partial E / \partial W^{(l)}$.
 * 7. {@link updatedNetwork}: $W^{(l)} + \Delta W^{(l)}$, "new weight = old weight + learning rate × error × input".
 *
 * {@link backpropagate} runs the forward pass and steps 1–5 (and 5b), {@link trainingStep} all seven.
 * Both take the weight-decay coefficient $\lambda'$ as an optional last argument; left out, it is
 * $0$ and the loss is the batch mean alone.
 *
 * Every step takes an optional last argument `into`, the array (or arrays) to write its result
 * to. Left out, as in the derivation, each step returns new arrays and every intermediate stays
 * available. Given, the step writes into buffers that training made once per network and batch
 * size, so that a step of stochastic gradient descent allocates no array: the same functions
 * compute the same numbers, bit for bit, either way.
 *
 * @module
 */
import { assertFinite, assertFiniteArrays, assertFiniteLoss } from "../numeric/overflow.js";
import { added, dimensions, hadamard, multiply, rowMeans, scaled, zeros, type Matrix } from "../numeric/tensor.js";
import {
  activationDerivative,
  softmaxBackward,
  targetMinusOutput,
  type ActivationName,
  type ElementwiseActivationName,
} from "./activations.js";
import { assertTargetShape, forward, traceLoss, type Trace } from "./forward.js";
import { validateLearningRate } from "./learning-rate.js";
import { fusedOutputDelta, isFusedLoss } from "./losses.js";
import { depth, type Network, type NetworkSpec, type ParameterArrays } from "./network.js";
import { SpecError } from "../numeric/errors.js";
import { lossWithWeightDecay, validateWeightDecay, weightDecayGradients } from "./weight-decay.js";

/** What steps 1–4 computed: the forward pass, then every error and delta, indexed as in the notation (docs/derivation/01-notation.md). */
export interface ErrorsAndDeltas {
  /** The forward pass they started from. */
  readonly trace: Trace;
  /** $e^{(1)}, \dots, e^{(L)}$: `errors[l-1]` is $n_l \times B$; the last is $t - o^{(L)}$. */
  readonly errors: readonly Matrix[];
  /** $\delta^{(1)}, \dots, \delta^{(L)}$: `deltas[l-1]` is $\partial E / \partial z^{(l)}$, $n_l \times B$. */
  readonly deltas: readonly Matrix[];
}

/** What the forward pass and steps 1–5 computed. */
export interface Backpropagation extends ErrorsAndDeltas {
  /** $\partial E / \partial W^{(l)}$ and $\partial E / \partial b^{(l)}$: batch means, and $+\, \lambda' W^{(l)}$ for the weights with weight decay. */
  readonly gradients: ParameterArrays;
}

/** One step of gradient descent: the backward pass, the loss before the step, the delta weights and the network after. */
export interface TrainingStep extends Backpropagation {
  /** $E$, the batch mean of the loss (plus the weight-decay penalty when $\lambda' > 0$), before the step. */
  readonly loss: number;
  /** $\eta$, the learning rate of the step. */
  readonly learningRate: number;
  /** $\lambda'$, the coefficient of the weight-decay penalty ($0$: none). */
  readonly weightDecay: number;
  /** $\Delta W^{(l)} = -\eta\, \partial E/\partial W^{(l)}$ (and likewise for the biases). */
  readonly deltaWeights: ParameterArrays;
  /** The network with $W^{(l)} + \Delta W^{(l)}$ and $b^{(l)} + \Delta b^{(l)}$. */
  readonly updated: Network;
}

/**
 * Arrays to write every quantity of a {@link trainingStep} into, shaped like what it computes
 * for one network shape and one batch size: the trace, errors, deltas, gradients and delta
 * weights. Training makes them once and reuses them for every step.
 */
export interface StepBuffers extends Backpropagation {
  /** $\Delta W^{(l)}$ and $\Delta b^{(l)}$, shaped like the parameters. */
  readonly deltaWeights: ParameterArrays;
}

/**
 * Step 1 — the output error: how far each output is from its target.
 *
 * $$e^{(L)} = t - o^{(L)}$$
 *
 * Shapes: $t$ and $o^{(L)}$ are $n_L \times B$, one sample per column. This is the seed's
 * "error = target − actual". For squared error it is exactly the error of the sign convention,
 * minus the gradient of the loss with respect to the outputs:
 *
 * $$-\frac{\partial E_b}{\partial o^{(L)}_k} = -\frac{\partial}{\partial o^{(L)}_k} \frac12 \sum_j \left(t_j - o^{(L)}_j\right)^2 = t_k - o^{(L)}_k = e^{(L)}_k,$$
 *
 * which is why it is the right thing to send backwards.
 *
 * The subtraction is the formula, not always the computation: an output near an asymptote
 * of its activation (a sigmoid output $1 - 10^{-12}$ with target $1$) is rounded, and
 * $t - o$ would keep only the digits that rounding left. So the distance of a saturated
 * output to its asymptote comes from $z^{(L)}$ (see
 * {@link model/activations!targetMinusOutput | targetMinusOutput}), and $e^{(L)}$ keeps its
 * relative precision.
 *
 * @param activation - $f_L$
 * @param preactivations - $z^{(L)}$, $n_L \times B$
 * @param outputs - $o^{(L)}$, $n_L \times B$
 * @param targets - $t$, $n_L \times B$
 * @param into - where to write $e^{(L)}$; a new matrix if left out
 * @returns `into`, $n_L \times B$
 */
export function outputError(activation: ActivationName, preactivations: Matrix, outputs: Matrix, targets: Matrix, into?: Matrix): Matrix {
  assertTargetShape(outputs, targets);
  return targetMinusOutput(activation, preactivations, outputs, targets, into);
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
 *   ({@link model/activations!softmaxBackward | softmaxBackward});
 * - `binary_cross_entropy` with `sigmoid` and `cross_entropy` with `softmax`: the loss's
 *   $1/o$ cancels the activation's derivative and $\delta^{(L)} = o - t = -e^{(L)}$ (for
 *   cross-entropy, $o\sum_k t_k - t$ in general); see
 *   {@link model/losses!fusedOutputDelta | fusedOutputDelta}.
 *
 * @param spec - the network's spec (its loss and output activation)
 * @param trace - the forward pass
 * @param error - $e^{(L)}$ from {@link outputError}
 * @param targets - $t$, $n_L \times B$ (read by the cross-entropies)
 * @param into - where to write $\delta^{(L)}$; a new matrix if left out
 * @returns `into`, $\delta^{(L)}$, $n_L \times B$
 */
export function outputDelta(spec: NetworkSpec, trace: Trace, error: Matrix, targets: Matrix, into?: Matrix): Matrix {
  const L = depth(spec);
  const outputs = trace.outputs[L]!;
  const activation = spec.activations[L - 1]!;
  if (isFusedLoss(spec.loss)) return fusedOutputDelta(spec.loss, trace.preactivations[L - 1]!, outputs, targets, into);
  if (activation === "softmax") {
    // J^T(-e) = -(J^T e), and the negation is exact: the same bits as the product with -e.
    const product = softmaxBackward(outputs, error, into);
    return scaled(product, -1, product);
  }
  return negatedErrorTimesSlope(error, activation, trace.preactivations[L - 1]!, into);
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
 * @param into - where to write $e^{(l)}$; a new matrix if left out
 * @returns `into`, $e^{(l)}$, $n_l \times B$
 */
export function hiddenError(nextWeights: Matrix, nextDelta: Matrix, into?: Matrix): Matrix {
  const [, units] = dimensions(nextWeights);
  const [, samples] = dimensions(nextDelta);
  const backwards = multiply(into ?? zeros(units, samples), nextWeights.transpose(1, 0), nextDelta);
  return scaled(backwards, -1, backwards);
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
 * the derivative is element-wise.
 *
 * @param activation - $f_l$ of the hidden layer
 * @param preactivations - $z^{(l)}$, $n_l \times B$
 * @param error - $e^{(l)}$ from {@link hiddenError}, $n_l \times B$
 * @param into - where to write $\delta^{(l)}$; a new matrix if left out
 * @returns `into`, $\delta^{(l)}$, $n_l \times B$
 * @throws {@link numeric/errors!SpecError | SpecError} for `softmax`, which is not element-wise
 */
export function hiddenDelta(activation: ActivationName, preactivations: Matrix, error: Matrix, into?: Matrix): Matrix {
  if (activation === "softmax") {
    throw new SpecError("softmax is an output activation; a hidden layer cannot use it");
  }
  return negatedErrorTimesSlope(error, activation, preactivations, into);
}

/**
 * Steps 1–4 for every layer: the forward pass, the output error and delta, then steps 3 and 4
 * once per hidden layer, $l = L-1, \dots, 1$, each from the delta of the layer above.
 *
 * The deltas are all that step 5 needs; a training step that folds steps 5–7 into one pass
 * over each weight matrix (see {@link training/fused-step!fusedTrainingStep | fusedTrainingStep})
 * stops here.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param into - buffers of the same shapes to write every quantity into; new arrays if left out
 * @param trace - the forward pass to start from, if it is already done (the second derivative
 *   reuses one; the kink oracle gives one whose preactivations at a kink sit on its right piece)
 */
export function backpropagateDeltas(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  into?: ErrorsAndDeltas,
  trace: Trace = forward(network, inputs, into?.trace),
): ErrorsAndDeltas {
  const { spec, weights } = network;
  const L = depth(spec);
  const errors: Matrix[] = new Array<Matrix>(L);
  const deltas: Matrix[] = new Array<Matrix>(L);
  errors[L - 1] = outputError(spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets, into?.errors[L - 1]);
  deltas[L - 1] = outputDelta(spec, trace, errors[L - 1]!, targets, into?.deltas[L - 1]);
  for (let l = L - 1; l >= 1; l--) {
    errors[l - 1] = hiddenError(weights[l]!, deltas[l]!, into?.errors[l - 1]);
    deltas[l - 1] = hiddenDelta(spec.activations[l - 1]!, trace.preactivations[l - 1]!, errors[l - 1]!, into?.deltas[l - 1]);
  }
  return { trace, errors, deltas };
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
 * @param into - arrays shaped like the parameters to write the gradients into; new ones if left out
 * @returns the gradients, matrices and vectors shaped like the parameters
 */
export function gradients(trace: Trace, deltas: readonly Matrix[], withBiases: boolean, into?: ParameterArrays): ParameterArrays {
  const weights = deltas.map((delta, index) => {
    const previousOutputs = trace.outputs[index]!;
    const [units, samples] = dimensions(delta);
    const [inputs] = dimensions(previousOutputs);
    const sum = multiply(into?.weights[index] ?? zeros(units, inputs), delta, previousOutputs.transpose(1, 0));
    return scaled(sum, 1 / samples, sum);
  });
  const biases = withBiases ? deltas.map((delta, index) => rowMeans(delta, into?.biases?.[index])) : null;
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
 * $\Delta W^{(l)} = \eta \left(e^{(l)} \odot f_l'(z^{(l)})\right) o^{(l-1)\top}$: the two minus signs,
 * of the step and of the delta, cancel.
 *
 * @param parameterGradients - the gradients from {@link gradients}
 * @param learningRate - $\eta \ge 0$
 * @param into - arrays shaped like the parameters to write the delta weights into (they may be
 *   the gradients themselves); new ones if left out
 * @returns the delta weights, matrices and vectors shaped like the parameters
 */
export function deltaWeights(parameterGradients: ParameterArrays, learningRate: number, into?: ParameterArrays): ParameterArrays {
  return {
    weights: parameterGradients.weights.map((gradient, index) => scaled(gradient, -learningRate, into?.weights[index])),
    biases: parameterGradients.biases?.map((gradient, index) => scaled(gradient, -learningRate, into?.biases?.[index])) ?? null,
  };
}

/**
 * Step 7 — the update: "new weight = old weight + learning rate × error × input".
 *
 * $$W^{(l)} \leftarrow W^{(l)} + \Delta W^{(l)}, \qquad b^{(l)} \leftarrow b^{(l)} + \Delta b^{(l)}$$
 *
 * @param network - the network before the step (left unchanged unless it is `into`)
 * @param steps - the delta weights from {@link deltaWeights}
 * @param into - a network of the same shapes to write the new parameters into; training passes
 *   `network` itself, to update it in place. A new network if left out
 * @returns the network after the step
 */
export function updatedNetwork(network: Network, steps: ParameterArrays, into?: Network): Network {
  const weights = network.weights.map((weights, index) => added(weights, steps.weights[index]!, into?.weights[index]));
  const biases = network.biases?.map((bias, index) => added(bias, steps.biases![index]!, into?.biases?.[index])) ?? null;
  return into ?? { spec: network.spec, weights, biases };
}

/**
 * The forward pass and steps 1–5: errors, deltas and gradients of the batch loss, and with
 * weight decay step 5b, the penalty's $\lambda' W^{(l)}$ added to the weights' gradients.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param into - buffers of the same shapes to write every quantity into; new arrays if left out
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$
 *   (see {@link model/weight-decay | weight-decay}); default $0$, no penalty
 * @throws {@link numeric/errors!ValueError | ValueError} for a $\lambda'$ that is negative or not finite
 */
export function backpropagate(network: Network, inputs: Matrix, targets: Matrix, into?: Backpropagation, weightDecay = 0): Backpropagation {
  validateWeightDecay(weightDecay);
  const { trace, errors, deltas } = backpropagateDeltas(network, inputs, targets, into);
  const batchGradients = gradients(trace, deltas, network.biases !== null, into?.gradients);
  return { trace, errors, deltas, gradients: weightDecayGradients(batchGradients, network.weights, weightDecay, batchGradients) };
}

/**
 * One step of gradient descent on a batch: the forward pass, steps 1–7, and the loss before
 * the step.
 *
 * @param network - the network (left unchanged, unless `into` is given)
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta \ge 0$ (see {@link model/learning-rate!validateLearningRate | validateLearningRate})
 * @param into - arrays for this network's spec and the batch size (training's workspace):
 *   every intermediate is written into them, and `network`'s own parameters are updated in
 *   place (the step's `updated` is then `network`). Left out, the step allocates new arrays and
 *   leaves `network` unchanged
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the weight-decay penalty (see
 *   {@link model/weight-decay | weight-decay}): the loss gains $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$,
 *   the weights' gradients $\lambda' W^{(l)}$, and the step is $-\eta$ times the whole gradient.
 *   Default $0$, no penalty
 * @throws {@link numeric/errors!NumericError | NumericError} if finite input overflows: an output, the loss, a gradient
 *   or an updated weight that is not finite. A preactivation may overflow when its activation
 *   still gives a finite output (a sigmoid of $10^{600}$ is $1$ in float64), since the answer is
 *   then representable and exact to float64 precision.
 * @throws {@link numeric/errors!ValueError | ValueError} for a learning rate or a weight decay that is negative or not finite
 */
export function trainingStep(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  learningRate: number,
  into?: StepBuffers,
  weightDecay = 0,
): TrainingStep {
  validateLearningRate(learningRate);
  validateWeightDecay(weightDecay);
  const backpropagation = backpropagate(network, inputs, targets, into, weightDecay);
  const batchLoss = traceLoss(network, backpropagation.trace, targets);
  // The penalty is of the weights before the step: read them before the update, which may be in place.
  const loss = lossWithWeightDecay(batchLoss, network.weights, weightDecay);
  const steps = deltaWeights(backpropagation.gradients, learningRate, into?.deltaWeights);
  const updated = updatedNetwork(network, steps, into === undefined ? undefined : network);
  assertFiniteArrays("the outputs", backpropagation.trace.outputs);
  assertFiniteLoss(batchLoss, backpropagation.trace.outputs[depth(network.spec)]!, targets);
  assertFinite("the loss with the weight-decay penalty", [loss], "the weights are too large for float64");
  assertFiniteArrays("the gradients", [...backpropagation.gradients.weights, ...(backpropagation.gradients.biases ?? [])]);
  assertFiniteArrays("the updated weights", [...updated.weights, ...(updated.biases ?? [])]);
  return { ...backpropagation, loss, learningRate, weightDecay, deltaWeights: steps, updated };
}

/**
 * $\delta = -e \odot f'(z)$ for an element-wise activation, the common form of steps 2 and 4
 * (and of the intuitive rule's update, which puts its own errors in the place of $e$).
 * The negation comes last so that one array can hold $f'(z)$, then $e \odot f'(z)$, then
 * $\delta$; negating is exact, so this is bit for bit $(-e) \odot f'(z)$.
 *
 * Shapes: `error`, `preactivations` and the result are all $n_l \times B$.
 *
 * @param error - $e$
 * @param activation - the layer's element-wise activation $f$
 * @param preactivations - $z$
 * @param into - where to write $\delta$; a new matrix if left out
 */
export function negatedErrorTimesSlope(
  error: Matrix,
  activation: ElementwiseActivationName,
  preactivations: Matrix,
  into?: Matrix,
): Matrix {
  const slopes = activationDerivative(activation, preactivations, into);
  return scaled(hadamard(error, slopes, slopes), -1, slopes);
}
