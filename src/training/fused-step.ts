/**
 * One step of stochastic gradient descent, in place: the step the training loop runs for every
 * batch.
 *
 * {@link model/backprop!trainingStep | trainingStep} keeps every quantity of the derivation: the
 * gradients $\partial E/\partial W^{(l)}$ (step 5), the delta weights $\Delta W^{(l)}$ (step 6)
 * and the updated weights (step 7) are three arrays as large as the weights, written one after
 * the other. Training needs none of them but the last, and the weights are the one large array
 * of a step (158,800 numbers in the seed's 784-200-10 network against 420 in its errors and
 * deltas for one sample): writing and reading three copies of them costs more time than the rest of the
 * step together. So this step computes the errors and deltas of steps 1–4 with the derivation's
 * own functions, and then folds steps 5–7 into one pass over each weight matrix
 * ({@link training/fused-update!addScaledProduct | addScaledProduct}):
 *
 * $$W^{(l)}_{jk} \leftarrow W^{(l)}_{jk} + \Big(\big(\textstyle\sum_b \delta^{(l)}_{jb}\, o^{(l-1)}_{kb}\big)\,\tfrac{1}{B}\Big)(-\eta),$$
 *
 * the seed's "new weight = old weight + learning rate × error × input", with every rounding of
 * steps 5–7 made in the same order. With weight decay $\lambda'$ the sum times $\frac1B$ gains
 * $\lambda' W^{(l)}_{jk}$ before the product by $-\eta$ (step 5b), and the loss the penalty, as in
 * `trainingStep`. The weights it gives are bit for bit those of
 * `trainingStep`, and of {@link model/intuitive!intuitiveStep | intuitiveStep} for the intuitive rule
 * (a property in `spec/training/fused-step.spec.ts` proves both on random networks).
 *
 * @module
 */
import { backpropagateDeltas } from "../model/backprop.js";
import { validateLearningRate } from "../model/learning-rate.js";
import { traceLoss } from "../model/forward.js";
import { lossWithWeightDecay, validateWeightDecay } from "../model/weight-decay.js";
import { intuitiveBackwardPass } from "../model/intuitive.js";
import { depth, type Network } from "../model/network.js";
import { NumericError } from "../numeric/errors.js";
import { arrayOverflow, assertFinite, assertFiniteArrays, assertFiniteLoss } from "../numeric/overflow.js";
import { added, allFinite, copyMatrix, dimensions, isDense, type Matrix, rowMeans, scaled } from "../numeric/tensor.js";
import { addScaledProduct } from "./fused-update.js";
import { validateVelocities, type Momentum } from "./momentum.js";
import type { Workspace } from "./workspace.js";

/** The update rules: the exact gradient, or the seed's intuitive rule ($W^\top e$ without $f'$). */
export const trainingRules = ["exact", "intuitive"] as const;

/** One of {@link trainingRules}. */
export type TrainingRule = (typeof trainingRules)[number];

/** The rule of a step and its momentum. */
export interface FusedStepOptions {
  /** The update rule. Default `exact`. */
  readonly rule?: TrainingRule;
  /**
   * Momentum: $\mu \in [0, 1)$ and the velocities $v$ (shaped like the parameters, updated in
   * place). The step is then $W \leftarrow (W + \Delta W) + \mu v$, $v \leftarrow \mu v + \Delta W$.
   * Left out, plain gradient descent.
   */
  readonly momentum?: Momentum;
  /**
   * $\lambda' \ge 0$, the coefficient of the weight-decay penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$
   * (see {@link model/weight-decay | weight-decay}): the weights' step gains $-\eta \lambda' W^{(l)}$ and
   * the loss the penalty; the biases are not decayed. Default $0$, none.
   */
  readonly weightDecay?: number;
}

/**
 * One step of gradient descent on a batch, updating `network` in place; returns the batch loss
 * $E$ before the step.
 *
 * 1. Forward pass and steps 1–4 ({@link model/backprop!backpropagateDeltas | backpropagateDeltas}, or
 *    {@link model/intuitive!intuitiveBackwardPass | intuitiveBackwardPass} for the intuitive rule),
 *    written into the workspace.
 * 2. The loss of the batch, from the forward pass (and the weights' penalty, with weight decay).
 * 3. For each layer, steps 5–7 in one pass over $W^{(l)}$ (see the module's comment); the biases,
 *    $n_l$ numbers, take the derivation's steps one by one:
 *    $b^{(l)} \leftarrow b^{(l)} + \left(\frac1B \sum_b \delta^{(l)}_{\cdot b}\right)(-\eta)$.
 *
 * @param network - the network, updated in place
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta \ge 0$
 * @param workspace - buffers from {@link training/workspace!createWorkspace | createWorkspace} for this
 *   network's spec and the batch size $B$; the trace, errors and deltas are left in it (its
 *   `gradients` hold the biases' gradients and its `deltaWeights` the biases' steps; the
 *   weights' are not written)
 * @param options - the rule, the momentum and the weight decay
 * @returns $E$, the batch mean of the loss (plus the penalty, with weight decay) before the step
 * @throws {@link numeric/errors!ValueError | ValueError} for a learning rate or a weight decay below 0
 *   or not finite, or a momentum outside $[0, 1)$
 * @throws {@link numeric/errors!ShapeError | ShapeError} for velocities that are not shaped like the
 *   parameters, or inputs and targets that do not fit the network
 * @throws {@link numeric/errors!NumericError | NumericError} for a parameter that is not finite, and if
 *   finite input overflows: an output, the loss or an updated parameter
 * @throws {@link numeric/errors!SpecError | SpecError} for the intuitive rule on a network with a `softmax` layer
 */
export function fusedTrainingStep(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  learningRate: number,
  workspace: Workspace,
  options: FusedStepOptions = {},
): number {
  validateLearningRate(learningRate);
  const weightDecay = options.weightDecay ?? 0;
  validateWeightDecay(weightDecay);
  if (options.momentum !== undefined) validateVelocities(network, options.momentum);
  const rule = options.rule ?? "exact";
  // The fused update reads the previous layer's outputs along memory: a view of the inputs that
  // is not stored densely is copied first (the one array such a step allocates).
  const denseInputs = isDense(inputs) ? inputs : copyMatrix(inputs);
  const { trace, deltas } =
    rule === "exact"
      ? backpropagateDeltas(network, denseInputs, targets, workspace)
      : intuitiveBackwardPass(network, denseInputs, targets, workspace);
  assertFiniteParameters(network, trace.preactivations);
  assertFiniteArrays("the outputs", trace.outputs);
  const batchLoss = traceLoss(network, trace, targets);
  assertFiniteLoss(batchLoss, trace.outputs[depth(network.spec)]!, targets);
  const loss = lossWithWeightDecay(batchLoss, network.weights, weightDecay);
  assertFinite("the loss with the weight-decay penalty", [loss], "the weights are too large for float64");

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
      workspace.sums,
      weightDecay,
    );
    if (!finite) throw arrayOverflow(`the updated weights of layer ${l}`);
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

/**
 * Makes sure every weight and bias is finite before the fused update, which relies on it (see
 * {@link training/fused-update!addScaledProduct | addScaledProduct}), reading them only where it must. A
 * non-finite weight makes its row's weighted sum infinite or NaN whatever the inputs hold
 * ($\infty \cdot 0$ is NaN), so a layer whose sums are all finite has finite parameters. A layer
 * with a sum that is not finite (finite weights can overflow it too, and a saturating
 * activation may still give a finite output that `trainingStep` accepts) has its parameters
 * read one by one.
 */
function assertFiniteParameters(network: Network, preactivations: readonly Matrix[]): void {
  preactivations.forEach((sums, index) => {
    if (allFinite(sums)) return;
    const parameters = [network.weights[index]!, ...(network.biases === null ? [] : [network.biases[index]!])];
    if (!parameters.every(allFinite)) {
      throw new NumericError(
        `the parameters of layer ${index + 1} hold an entry that is not finite: every weight and bias must be a finite number`,
      );
    }
  });
}
