/**
 * The seed's intuitive rule: the hidden error as $W^\top e$, without the next layer's $f'$.
 *
 * Tariq Rashid's *Make Your Own Neural Network*, and the lecture this project comes from,
 * explain backpropagation by splitting the output error back along the weights:
 *
 * $$e^{(L)} = t - o^{(L)}, \qquad e^{(l)} = W^{(l+1)\top} e^{(l+1)}, \qquad
 *   \Delta W^{(l)} = \frac{\eta}{B} \left(e^{(l)} \odot f_l'\!\left(z^{(l)}\right)\right) o^{(l-1)\top}$$
 *
 * The exact rule ({@link model/backprop!hiddenError | hiddenError}) sends back $-\delta^{(l+1)}$,
 * which is $e^{(l+1)} \odot f_{l+1}'(z^{(l+1)})$ for a hidden layer and for a squared-error output,
 * instead of $e^{(l+1)}$: the chain rule must pass through the next layer's activation before it
 * can pass through its weights. The intuitive rule leaves that factor out, so:
 *
 * - **The output layer's update is exact for squared error.** $\Delta W^{(L)}$ uses $e^{(L)}$ and
 *   $f_L'$ exactly as {@link model/backprop!outputDelta | outputDelta} does.
 * - **The hidden layers' updates are not the squared-error gradient.** The last hidden layer
 *   receives $W^{(L)\top} e^{(L)}$ where the gradient has $W^{(L)\top}(e^{(L)} \odot f_L')$; for a
 *   sigmoid output $f_L' = o(1 - o) \le \frac14$, so the hidden updates are too large by a factor
 *   of at least 4 per unit, and not in proportion across units.
 * - **For a sigmoid output, the last hidden layer's update is the binary cross-entropy
 *   gradient.** With binary cross-entropy, $\delta^{(L)} = o - t = -e^{(L)}$ (see
 *   {@link model/losses!fusedOutputDelta | fusedOutputDelta}), so its exact hidden error is $-W^{(L)\top} \delta^{(L)} = W^{(L)\top}
 *   e^{(L)}$: the intuitive one. (Deeper hidden layers drop $f'$ again at every layer, and
 *   match neither loss.)
 * - **No single loss gives both steps.** The output update fixes the loss's output delta to
 *   $-e \odot f_L'$ (squared error); the hidden update fixes it to $-e$ (binary
 *   cross-entropy). They agree only where $f_L' = 1$ or $e = 0$, never for a sigmoid output
 *   with an error.
 *
 * The rule is measured against the exact gradient by the properties in
 * `spec/model/intuitive.spec.ts` and `npm run intuitive:measure`; the numbers are in
 * `docs/intuitive-rule.md`. It is never the default: {@link model/backprop!trainingStep | trainingStep} is exact.
 *
 * @module
 */
import { SpecError } from "../numeric/errors.js";
import { dimensions, type Matrix, multiply, zeros } from "../numeric/tensor.js";
import type { ElementwiseActivationName } from "./activations.js";
import {
  deltaWeights,
  gradients,
  negatedErrorTimesSlope,
  outputError,
  updatedNetwork,
  type ErrorsAndDeltas,
  type StepBuffers,
} from "./backprop.js";
import { validateLearningRate } from "./learning-rate.js";
import { validateWeightDecay, weightDecayGradients } from "./weight-decay.js";
import { forward, type Trace } from "./forward.js";
import { depth, type Network, type NetworkSpec, type ParameterArrays } from "./network.js";

/**
 * Whether the intuitive rule can be applied to a network: only when every activation acts on
 * each entry alone. The rule multiplies each layer's error by $f'(z)$ entry by entry, and
 * softmax's derivative is a Jacobian, not a number per entry.
 *
 * @param spec - the network's spec
 */
export function intuitiveRuleApplies(spec: NetworkSpec): boolean {
  return !spec.activations.includes("softmax");
}

/**
 * Refuses a network the intuitive rule cannot be applied to (see {@link intuitiveRuleApplies}).
 *
 * @param spec - the network's spec
 * @throws {@link numeric/errors!SpecError | SpecError} naming the softmax layer
 */
export function assertIntuitiveRuleApplies(spec: NetworkSpec): void {
  if (!intuitiveRuleApplies(spec)) {
    throw new SpecError(
      `the intuitive rule needs element-wise activations, but activations[${spec.activations.indexOf("softmax")}] is softmax: choose another output activation, or the exact rule`,
    );
  }
}

/** What one step of the intuitive rule computed. */
export interface IntuitiveStep {
  /** The forward pass. */
  readonly trace: Trace;
  /** $e^{(1)}, \dots, e^{(L)}$ by the intuitive rule; the last is $t - o^{(L)}$. */
  readonly errors: readonly Matrix[];
  /** $\Delta W^{(l)} = \frac{\eta}{B} (e^{(l)} \odot f_l'(z^{(l)})) o^{(l-1)\top}$ and the same for the biases. */
  readonly deltaWeights: ParameterArrays;
  /** The network after the step. */
  readonly updated: Network;
}

/**
 * The intuitive hidden error: the next layer's error split back along the weights,
 *
 * $$e^{(l)} = W^{(l+1)\top} e^{(l+1)}$$
 *
 * "The error at a hidden unit is the sum of the errors it contributed to, weighted by the links
 * it contributed through." Shapes: $W^{(l+1)\top}$ is $n_l \times n_{l+1}$, $e^{(l+1)}$ is
 * $n_{l+1} \times B$.
 *
 * @param nextWeights - $W^{(l+1)}$, $n_{l+1} \times n_l$
 * @param nextError - $e^{(l+1)}$, $n_{l+1} \times B$
 * @param into - where to write $e^{(l)}$; a new matrix if left out
 * @returns `into`, $n_l \times B$
 */
export function intuitiveHiddenError(nextWeights: Matrix, nextError: Matrix, into?: Matrix): Matrix {
  const [, units] = dimensions(nextWeights);
  const [, samples] = dimensions(nextError);
  return multiply(into ?? zeros(units, samples), nextWeights.transpose(1, 0), nextError);
}

/**
 * One step of the intuitive rule on a batch.
 *
 * The errors come from {@link model/backprop!outputError | outputError} and {@link intuitiveHiddenError}; the update then
 * follows the exact steps 5–7 ({@link model/backprop!gradients | gradients}, {@link model/backprop!deltaWeights | deltaWeights}, {@link model/backprop!updatedNetwork | updatedNetwork})
 * with $-\left(e^{(l)} \odot f_l'(z^{(l)})\right)$ in place of $\delta^{(l)}$, so the two rules
 * differ in the errors alone. The loss named in the spec is not consulted: the rule is the
 * same whatever the loss. With weight decay, step 5b adds $\lambda' W^{(l)}$ to the weights'
 * "gradients" as it does for the exact rule ({@link model/weight-decay!weightDecayGradients | weightDecayGradients}):
 * the penalty's share does not depend on how the errors were sent back.
 *
 * @param network - a network whose activations are all element-wise (no `softmax`)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta \ge 0$
 * @param into - arrays to write into, as for {@link model/backprop!trainingStep | trainingStep}
 *   (training's workspace): the errors go into its `errors`, the
 *   $-\left(e^{(l)} \odot f_l'(z^{(l)})\right)$ into its `deltas`, and `network` is updated in
 *   place. Left out, new arrays and a new network
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the weight-decay penalty; default $0$, none
 * @throws {@link numeric/errors!SpecError | SpecError} for a `softmax` layer (see {@link assertIntuitiveRuleApplies})
 * @throws {@link numeric/errors!ValueError | ValueError} for a learning rate or a weight decay that is negative or not finite
 */
export function intuitiveStep(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  learningRate: number,
  into?: StepBuffers,
  weightDecay = 0,
): IntuitiveStep {
  validateLearningRate(learningRate);
  validateWeightDecay(weightDecay);
  const { trace, errors, deltas } = intuitiveBackwardPass(network, inputs, targets, into);
  const batchGradients = gradients(trace, deltas, network.biases !== null, into?.gradients);
  const parameterGradients = weightDecayGradients(batchGradients, network.weights, weightDecay, batchGradients);
  const steps = deltaWeights(parameterGradients, learningRate, into?.deltaWeights);
  return { trace, errors, deltaWeights: steps, updated: updatedNetwork(network, steps, into === undefined ? undefined : network) };
}

/**
 * The forward pass and the intuitive rule's errors, with $-\left(e^{(l)} \odot f_l'(z^{(l)})\right)$
 * in the place of each $\delta^{(l)}$: what {@link intuitiveStep} feeds to the exact steps 5–7,
 * and what {@link training/fused-step!fusedTrainingStep | fusedTrainingStep} folds into one pass
 * over each weight matrix. It returns the same three fields as the exact rule's
 * {@link model/backprop!backpropagateDeltas | backpropagateDeltas}, but its `errors` are the
 * intuitive rule's and its `deltas` are $-\left(e^{(l)} \odot f_l'(z^{(l)})\right)$, not
 * $\partial E / \partial z^{(l)}$.
 *
 * @param network - a network whose activations are all element-wise (no `softmax`)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param into - arrays of the same shapes to write into; new arrays if left out
 * @throws {@link numeric/errors!SpecError | SpecError} for a `softmax` layer (see {@link assertIntuitiveRuleApplies})
 */
export function intuitiveBackwardPass(network: Network, inputs: Matrix, targets: Matrix, into?: ErrorsAndDeltas): ErrorsAndDeltas {
  assertIntuitiveRuleApplies(network.spec);
  const { activations } = network.spec;
  const L = depth(network.spec);
  const trace = forward(network, inputs, into?.trace);
  const errors: Matrix[] = new Array<Matrix>(L);
  errors[L - 1] = outputError(activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets, into?.errors[L - 1]);
  for (let l = L - 1; l >= 1; l--) errors[l - 1] = intuitiveHiddenError(network.weights[l]!, errors[l]!, into?.errors[l - 1]);
  const deltas = errors.map((error, index) =>
    negatedErrorTimesSlope(error, activations[index] as ElementwiseActivationName, trace.preactivations[index]!, into?.deltas[index]),
  );
  return { trace, errors, deltas };
}
