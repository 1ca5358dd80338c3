/**
 * One step of stochastic gradient descent, in place: the step the training loop runs for every
 * batch.
 *
 * {@link backprop!trainingStep | trainingStep} keeps every quantity of the derivation: the
 * gradients $\partial E/\partial W^{(l)}$ (step 5), the delta weights $\Delta W^{(l)}$ (step 6)
 * and the updated weights (step 7) are three arrays as large as the weights, written one after
 * the other. Training needs none of them but the last, and the weights are the one large array
 * of a step (159,010 numbers in the seed's 784-200-10 network against 1,000 in its errors and
 * deltas): writing and reading three copies of them costs more time than the rest of the
 * step together. So this step computes the errors and deltas of steps 1–4 with the derivation's
 * own functions, and then folds steps 5–7 into one pass over each weight matrix
 * ({@link tensor!addScaledProduct | addScaledProduct}):
 *
 * $$W^{(l)}_{jk} \leftarrow W^{(l)}_{jk} + \Big(\big(\textstyle\sum_b \delta^{(l)}_{jb}\, o^{(l-1)}_{kb}\big)\,\tfrac{1}{B}\Big)(-\eta),$$
 *
 * the seed's "new weight = old weight + learning rate × error × input", with every rounding of
 * steps 5–7 made in the same order. The weights it gives are bit for bit those of
 * `trainingStep`, and of {@link intuitive!intuitiveStep | intuitiveStep} for the intuitive rule
 * (a property in `spec/descent.spec.ts` proves both on random networks).
 *
 * @module
 */
import { assertFinite, assertFiniteArrays, backwardPass, type ParameterArrays, type Workspace } from "./backprop.js";
import { NumericError, ValueError } from "./errors.js";
import { traceLoss } from "./forward.js";
import { intuitiveBackwardPass } from "./intuitive.js";
import { depth, type Network } from "./network.js";
import { addScaledProduct, added, dimensions, rowMeans, scaled, type Matrix } from "./tensor.js";

/** The update rules: the exact gradient, or the seed's intuitive rule ($W^\top e$ without $f'$). */
export const trainingRules = ["exact", "intuitive"] as const;

/** One of {@link trainingRules}. */
export type TrainingRule = (typeof trainingRules)[number];

/** The rule of a step and its momentum. */
export interface DescentOptions {
  /** The update rule. Default `exact`. */
  readonly rule?: TrainingRule;
  /**
   * Momentum: $\mu \in [0, 1)$ and the velocities $v$ (shaped like the parameters, updated in
   * place). The step is then $W \leftarrow (W + \Delta W) + \mu v$, $v \leftarrow \mu v + \Delta W$.
   * Left out, plain gradient descent.
   */
  readonly momentum?: Momentum;
}

/** The momentum term of a step: $\mu$ and the velocities it carries from step to step. */
export interface Momentum {
  /** $\mu \in [0, 1)$. */
  readonly momentum: number;
  /** $v$, one array per parameter array, shaped like it, updated in place by every step. */
  readonly velocities: ParameterArrays;
}

/**
 * One step of gradient descent on a batch, updating `network` in place; returns the batch loss
 * $E$ before the step.
 *
 * 1. Forward pass and steps 1–4 ({@link backprop!backwardPass | backwardPass}, or
 *    {@link intuitive!intuitiveBackwardPass | intuitiveBackwardPass} for the intuitive rule),
 *    written into the workspace.
 * 2. The loss of the batch, from the forward pass.
 * 3. For each layer, steps 5–7 in one pass over $W^{(l)}$ (see the module's comment); the biases,
 *    $n_l$ numbers, take the derivation's steps one by one:
 *    $b^{(l)} \leftarrow b^{(l)} + \left(\frac1B \sum_b \delta^{(l)}_{\cdot b}\right)(-\eta)$.
 *
 * @param network - the network, updated in place
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta \ge 0$
 * @param workspace - buffers from {@link backprop!createWorkspace | createWorkspace} for this
 *   network's spec and the batch size $B$; the trace, errors and deltas are left in it (its
 *   `gradients` hold the biases' gradients and its `deltaWeights` the biases' steps; the
 *   weights' are not written)
 * @param options - the rule and the momentum
 * @returns $E$, the batch mean of the loss before the step
 * @throws {@link errors!NumericError | NumericError} if finite input overflows: a weighted sum
 *   (which `trainingStep` lets pass when the activation saturates; here it is refused, since it
 *   is how this step knows every weight finite without reading them all), an output, the loss or
 *   an updated parameter
 */
export function descend(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  learningRate: number,
  workspace: Workspace,
  options: DescentOptions = {},
): number {
  if (!Number.isFinite(learningRate) || learningRate < 0) {
    throw new ValueError(`learningRate must be a finite number ≥ 0, got ${learningRate}`);
  }
  const rule = options.rule ?? "exact";
  const { trace, deltas } = rule === "exact" ? backwardPass(network, inputs, targets, workspace) : intuitiveBackwardPass(network, inputs, targets, workspace);
  const loss = traceLoss(network, trace, targets);
  // Finite weighted sums also prove every weight and bias finite (a non-finite weight makes its
  // row's sum infinite or NaN whatever the inputs), which addScaledProduct relies on.
  assertFiniteArrays("the weighted sums", trace.preactivations);
  assertFiniteArrays("the outputs", trace.outputs);
  assertFinite("the loss", [loss]);

  const [, samples] = dimensions(inputs);
  const momentum = options.momentum?.momentum ?? 0;
  const velocities = options.momentum?.velocities ?? null;
  for (let l = 1; l <= depth(network.spec); l++) {
    const finite = addScaledProduct(
      network.weights[l - 1]!,
      deltas[l - 1]!,
      trace.outputs[l - 1]!,
      1 / samples,
      -learningRate,
      velocities?.weights[l - 1] ?? null,
      momentum,
    );
    if (!finite) {
      throw new NumericError("the updated weights overflowed (an entry is not finite): the weights or inputs are too large for float64");
    }
  }
  if (network.biases !== null) {
    network.biases.forEach((bias, index) => {
      const gradient = rowMeans(deltas[index]!, workspace.gradients.biases?.[index]);
      const step = scaled(gradient, -learningRate, workspace.deltaWeights.biases?.[index]);
      added(bias, step, bias);
      const velocity = velocities?.biases?.[index];
      if (velocity !== undefined) {
        scaled(velocity, momentum, velocity);
        added(bias, velocity, bias);
        added(velocity, step, velocity);
      }
    });
    assertFiniteArrays("the updated weights", [...network.biases, ...(velocities?.biases ?? [])]);
  }
  return loss;
}
