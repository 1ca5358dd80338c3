/**
 * The gradients of the known mistakes (see the `mistake-catalogue` module): each one the exact
 * backpropagation of the `backprop` module with one step done wrong, as a foreign
 * implementation would do it wrong, computed with the model's own steps wherever one exists.
 *
 * **Nothing here is a gradient.** These are the negative controls of every oracle, and the
 * `gradients` of {@link conformance/mistakes!mistakenResult | mistakenResult}.
 *
 * Most mistakes of the backward pass replace one of its steps (see
 * {@link model/backprop!backpropagateDeltas | backpropagateDeltas}): step 2, the output delta
 * $\delta^{(L)}$; step 3, the hidden error $e^{(l)} = -W^{(l+1)\top} \delta^{(l+1)}$; or step 4,
 * the hidden delta $\delta^{(l)} = -e^{(l)} \odot f_l'(z^{(l)})$. The others are the exact
 * steps, and step 5 turns the mistaken deltas into gradients as usual. The mistakes of the batch
 * and of the sign scale the exact gradients.
 *
 * @module
 */
import { softmaxBackward, type ElementwiseActivationName } from "../model/activations.js";
import {
  backpropagate,
  deltaWeights,
  gradients,
  hiddenDelta,
  hiddenError,
  negatedErrorTimesSlope,
  outputDelta,
  outputError,
} from "../model/backprop.js";
import { forward, type Trace } from "../model/forward.js";
import { intuitiveBackwardPass } from "../model/intuitive.js";
import { weightDecayGradients } from "../model/weight-decay.js";
import { isFusedLoss } from "../model/losses.js";
import { depth, type Network, type NetworkSpec, type ParameterArrays } from "../model/network.js";
import { added, scaled, type Matrix } from "../numeric/tensor.js";
import type { MistakeName } from "./mistake-catalogue.js";

/**
 * The mistakes whose gradients follow from the network and the batch alone, the gradients of
 * {@link mistakenGradients}. The others: `transposed-weights` writes the exact gradients in
 * another layout; `weights-updated-early` changes them, but through the learning rate (see
 * {@link weightsUpdatedEarlyGradients}); `learning-rate-twice` and `learning-rate-missing`
 * leave them exact and change the step; the mistakes of the weight decay change its penalty's
 * share, not the batch mean's (see {@link conformance/mistakes!mistakenResult | mistakenResult}).
 */
export type GradientMistakeName = Exclude<
  MistakeName,
  | "transposed-weights"
  | "weights-updated-early"
  | "learning-rate-twice"
  | "learning-rate-missing"
  | "weight-decay-ignored"
  | "decayed-biases"
  | "decay-without-learning-rate"
  | "penalty-left-out-of-loss"
  | "penalty-without-half"
>;

/**
 * The layers $l$ whose delta the exact backward pass forms as $-e^{(l)} \odot f_l'(z^{(l)})$,
 * in increasing order: every hidden layer $1, \dots, L-1$, and the output layer $L$ when its
 * activation is element-wise and the loss is squared error. (A softmax output goes through its
 * Jacobian; the cross-entropies' fused deltas $o - t$ have no $f'$.) These are the layers where
 * $f'$ can be left out or evaluated at the wrong place.
 *
 * @param spec - the network's spec
 */
export function layersMultipliedBySlope(spec: NetworkSpec): number[] {
  const L = depth(spec);
  const layers = Array.from({ length: L - 1 }, (_, index) => index + 1);
  if (!isFusedLoss(spec.loss) && spec.activations[L - 1] !== "softmax") layers.push(L);
  return layers;
}

/**
 * The gradients a mistaken backpropagation computes, shaped like the parameters.
 *
 * - `intuitive-rule`: the intuitive rule's errors, through
 *   {@link model/intuitive!intuitiveBackwardPass | intuitiveBackwardPass}, then the exact step 5;
 * - `missing-derivative`: step 4 without the layer's slope, $\delta^{(l)} = W^{(l+1)\top} \delta^{(l+1)}$;
 * - `derivative-at-output`: steps 2 and 4 with the slope at the output,
 *   $\delta^{(l)} = -e^{(l)} \odot f_l'(o^{(l)})$, on the layers of {@link layersMultipliedBySlope};
 * - `transposed-hidden-error`: step 3 through the weights themselves, $e^{(l)} = -W^{(l+1)} \delta^{(l+1)}$;
 * - `softmax-jacobian-twice`: step 2 as $\delta^{(L)} = J^\top\left(o \sum_k t_k - t\right)$ for
 *   softmax and cross-entropy;
 *
 *   each then with the exact other steps and step 5 (the functions beside this one in the
 *   source hold the derivations);
 * - `batch-sum`: the exact gradients times $B$; `bias-sum`: the exact bias gradients times $B$;
 *   `sign-flipped`: the exact gradients times $-1$.
 *
 * Where a mistake cannot be made (a network without hidden layers for the mistakes of steps 3
 * and 4, another loss than cross-entropy for `softmax-jacobian-twice`) the steps are the exact
 * ones, and so are the gradients.
 *
 * @param name - the mistake
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @throws {@link numeric/errors!SpecError | SpecError} for the intuitive rule on a `softmax` network, which it cannot handle
 * @throws {@link numeric/errors!ShapeError | ShapeError} for `transposed-hidden-error` when a hidden layer's next weight
 *   matrix is not square: $W^{(l+1)} \delta^{(l+1)}$ has no meaning then, and a foreign
 *   implementation that makes the mistake fails with a shape error too
 */
export function mistakenGradients(name: GradientMistakeName, network: Network, inputs: Matrix, targets: Matrix): ParameterArrays {
  const withBiases = network.biases !== null;
  const samples = inputs.shape[1]!;
  const wrongDeltas = (steps: BackwardSteps): ParameterArrays => {
    const { trace, deltas } = backwardPassWith(network, inputs, targets, steps);
    return gradients(trace, deltas, withBiases);
  };
  switch (name) {
    case "intuitive-rule": {
      const { trace, deltas } = intuitiveBackwardPass(network, inputs, targets);
      return gradients(trace, deltas, withBiases);
    }
    case "missing-derivative":
      return wrongDeltas(missingDerivative());
    case "derivative-at-output":
      return wrongDeltas(derivativeAtOutput(network.spec));
    case "transposed-hidden-error":
      return wrongDeltas(transposedHiddenError(network));
    case "softmax-jacobian-twice":
      return wrongDeltas(softmaxJacobianTwice(network.spec, targets));
    case "batch-sum":
      return scaledGradients(backpropagate(network, inputs, targets).gradients, samples, samples);
    case "bias-sum":
      return scaledGradients(backpropagate(network, inputs, targets).gradients, 1, samples);
    case "sign-flipped":
      return scaledGradients(backpropagate(network, inputs, targets).gradients, -1, -1);
  }
}

/**
 * The gradients of `weights-updated-early`: each layer's weights are updated before its error is
 * sent back through them, layer after layer from the output down, so the hidden error of layer
 * $l$ goes back through the new weights of layer $l+1$,
 *
 * $$e^{(l)} = -\left(W^{(l+1)} + \Delta W^{(l+1)}\right)^{\top} \delta^{(l+1)}
 *   \quad\text{instead of}\quad e^{(l)} = -W^{(l+1)\top} \delta^{(l+1)},
 *   \qquad \Delta W^{(l+1)} = -\frac{\eta}{B}\, \delta^{(l+1)} o^{(l)\top},$$
 *
 * where $\Delta W^{(l+1)}$ is the step the mistaken implementation takes, from its own
 * $\delta^{(l+1)}$ (exact for the output layer; below it, made with weights already updated),
 * and with weight decay the penalty's share too, $\Delta W^{(l+1)} = -\eta \left(\frac1B \delta^{(l+1)} o^{(l)\top} + \lambda' W^{(l+1)}\right)$.
 * The gradients are $\frac1B \delta^{(l)} o^{(l-1)\top}$ of these deltas (the penalty's share is
 * the caller's to add); the output layer's are exact. At $\eta = 0$, or without a hidden layer,
 * they are the exact gradients.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta \ge 0$
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the loss's weight-decay penalty; default $0$
 */
export function weightsUpdatedEarlyGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  learningRate: number,
  weightDecay = 0,
): ParameterArrays {
  const { trace, deltas } = backwardPassWith(network, inputs, targets, {
    hiddenError: (l, nextDelta, { preactivations, outputs }) => {
      // The trace of layer l + 1 alone: its input o^(l), its weighted sum and output.
      const layerAbove: Trace = { preactivations: [preactivations[l]!], outputs: [outputs[l]!, outputs[l + 1]!] };
      const layerGradient = weightDecayGradients(gradients(layerAbove, [nextDelta], false), [network.weights[l]!], weightDecay);
      const [step] = deltaWeights(layerGradient, learningRate).weights;
      return hiddenError(added(network.weights[l]!, step!), nextDelta);
    },
  });
  return gradients(trace, deltas, network.biases !== null);
}

/**
 * The steps of the backward pass that a mistake replaces; a step left out is the exact one.
 * `l` is a hidden layer, $1 \le l < L$, so `network.weights[l]` is $W^{(l+1)}$.
 */
interface BackwardSteps {
  /** Step 2: $\delta^{(L)}$ from the trace and $e^{(L)}$. */
  readonly outputDelta?: (trace: Trace, error: Matrix) => Matrix;
  /** Step 3: $e^{(l)}$ from $\delta^{(l+1)}$. */
  readonly hiddenError?: (l: number, nextDelta: Matrix, trace: Trace) => Matrix;
  /** Step 4: $\delta^{(l)}$ from $e^{(l)}$. */
  readonly hiddenDelta?: (l: number, error: Matrix, trace: Trace) => Matrix;
}

/**
 * Steps 1–4 as {@link model/backprop!backpropagateDeltas | backpropagateDeltas} runs them, with
 * the steps that `steps` gives in place of the exact ones.
 */
function backwardPassWith(network: Network, inputs: Matrix, targets: Matrix, steps: BackwardSteps): { trace: Trace; deltas: Matrix[] } {
  const { spec, weights } = network;
  const L = depth(spec);
  const trace = forward(network, inputs);
  const deltas = new Array<Matrix>(L);
  const error = outputError(spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets);
  deltas[L - 1] = steps.outputDelta?.(trace, error) ?? outputDelta(spec, trace, error, targets);
  for (let l = L - 1; l >= 1; l--) {
    const hidden = steps.hiddenError?.(l, deltas[l]!, trace) ?? hiddenError(weights[l]!, deltas[l]!);
    deltas[l - 1] = steps.hiddenDelta?.(l, hidden, trace) ?? hiddenDelta(spec.activations[l - 1]!, trace.preactivations[l - 1]!, hidden);
  }
  return { trace, deltas };
}

/**
 * `missing-derivative`, step 4: the hidden delta leaves out its own layer's slope,
 *
 * $$\delta^{(l)} = -e^{(l)} = W^{(l+1)\top} \delta^{(l+1)}
 *   \quad\text{instead of}\quad \delta^{(l)} = \left(W^{(l+1)\top} \delta^{(l+1)}\right) \odot f_l'(z^{(l)}).$$
 */
function missingDerivative(): BackwardSteps {
  return { hiddenDelta: (_l, error) => scaled(error, -1) };
}

/**
 * `derivative-at-output`, steps 2 and 4: wherever the exact pass multiplies by $f_l'(z^{(l)})$
 * (the layers of {@link layersMultipliedBySlope}), the slope is taken at the layer's output,
 *
 * $$\delta^{(l)} = -e^{(l)} \odot f_l'\!\left(o^{(l)}\right)
 *   \quad\text{instead of}\quad \delta^{(l)} = -e^{(l)} \odot f_l'\!\left(z^{(l)}\right),$$
 *
 * for sigmoid $\sigma(o)\left(1 - \sigma(o)\right)$ where $o(1 - o) = \sigma'(z)$ was meant. For
 * `relu`, `leaky_relu` and `identity` nothing changes: $o$ has the sign of $z$ (and is $0$ where
 * $z$ is), so $f'(o) = f'(z)$.
 */
function derivativeAtOutput(spec: NetworkSpec): BackwardSteps {
  const L = depth(spec);
  const steps: BackwardSteps = { hiddenDelta: (l, error, trace) => hiddenDelta(spec.activations[l - 1]!, trace.outputs[l]!, error) };
  if (!layersMultipliedBySlope(spec).includes(L)) return steps;
  const activation = spec.activations[L - 1] as ElementwiseActivationName;
  return { ...steps, outputDelta: (trace, error) => negatedErrorTimesSlope(error, activation, trace.outputs[L]!) };
}

/**
 * `transposed-hidden-error`, step 3: the deltas are sent back through the weights themselves,
 *
 * $$e^{(l)} = -W^{(l+1)} \delta^{(l+1)}
 *   \quad\text{instead of}\quad e^{(l)} = -W^{(l+1)\top} \delta^{(l+1)},$$
 *
 * {@link model/backprop!hiddenError | hiddenError} given $W^{(l+1)\top}$ for $W^{(l+1)}$. The
 * product exists only when $W^{(l+1)}$ is square ($n_{l+1} = n_l$); on any other shape it is a
 * shape error, here as in a foreign implementation. A symmetric $W^{(l+1)}$ hides the mistake.
 */
function transposedHiddenError(network: Network): BackwardSteps {
  return { hiddenError: (l, nextDelta) => hiddenError(network.weights[l]!.transpose(1, 0), nextDelta) };
}

/**
 * `softmax-jacobian-twice`, step 2: with a softmax output and cross-entropy, the fused delta
 * $o \sum_k t_k - t$ (which already is $\partial E / \partial z^{(L)}$, the Jacobian included) is
 * passed through the softmax Jacobian $J$ once more, sample by sample
 * ({@link model/activations!softmaxBackward | softmaxBackward}):
 *
 * $$\delta^{(L)} = J^\top \left(o \textstyle\sum_k t_k - t\right), \quad J_{ij} = o_i (\delta_{ij} - o_j),
 *   \qquad\text{instead of}\quad \delta^{(L)} = o \textstyle\sum_k t_k - t.$$
 *
 * Other losses keep the exact output delta. With one output unit the output is the constant 1,
 * $J = 0$ and the fused delta is $0$: the mistake changes nothing.
 */
function softmaxJacobianTwice(spec: NetworkSpec, targets: Matrix): BackwardSteps {
  if (spec.loss !== "cross_entropy") return {};
  const L = depth(spec);
  return { outputDelta: (trace, error) => softmaxBackward(trace.outputs[L]!, outputDelta(spec, trace, error, targets)) };
}

/**
 * The exact gradients with the weights' scaled by one factor and the biases' by another: for
 * `batch-sum` $B \frac{\partial E}{\partial W}$ and $B \frac{\partial E}{\partial b}$ (the sum
 * $\delta^{(l)} o^{(l-1)\top}$ instead of the mean); for `bias-sum` $\frac{\partial E}{\partial W}$
 * and $B \frac{\partial E}{\partial b} = \sum_b \delta^{(l)}_{:,b}$; for `sign-flipped`
 * $-\frac{\partial E}{\partial W}$ and $-\frac{\partial E}{\partial b}$.
 */
function scaledGradients(exact: ParameterArrays, weightFactor: number, biasFactor: number): ParameterArrays {
  return {
    weights: exact.weights.map((matrix) => scaled(matrix, weightFactor)),
    biases: exact.biases?.map((vector) => scaled(vector, biasFactor)) ?? null,
  };
}
