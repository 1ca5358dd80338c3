/**
 * Gradient checking entry by entry: the gradients of a network's loss on a batch (this
 * library's, or any others') against one oracle, with the distance to the nearest `relu` kink.
 *
 * Three oracles, none of which calls the backward pass or any activation's derivative:
 * central differences and Richardson extrapolation
 * ({@link oracles/finite-differences | finite-differences}), and the complex step
 * ({@link oracles/complex-step | complex-step}), exact to a few ulps. Agreement between the
 * gradients of {@link model/backprop!backpropagate | backpropagate} and these oracles is
 * evidence that the derivation and its code are right.
 *
 * @module
 */
import { backpropagate } from "../model/backprop.js";
import { networkLoss } from "../model/forward.js";
import { lossWithWeightDecay } from "../model/weight-decay.js";
import type { Network, ParameterArrays } from "../model/network.js";
import type { Matrix } from "../numeric/tensor.js";
import { compareGradients, defaultFloor, type GradientCheckOptions, type GradientReport, type NumericGradients } from "./comparison.js";
import { complexStepGradients } from "./complex-step.js";
import { numericGradients, richardsonGradients } from "./finite-differences.js";
import { kinkDistance } from "./kinks.js";

/**
 * Checks gradients of a network's loss on a batch against one oracle (central differences by
 * default).
 *
 * The report also gives the distance of the closest `relu` or `leaky_relu` preactivation to
 * its kink ({@link oracles/kinks!kinkDistance | kinkDistance}); entries whose perturbation crossed the kink are reported as
 * such and not judged.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param analytic - the gradients to check; by default this library's {@link model/backprop!backpropagate | backpropagate}
 *   (with the options' weight decay)
 * @param options - oracle, step, tolerance, floor and the loss's weight decay (see {@link oracles/comparison!GradientCheckOptions | GradientCheckOptions})
 */
export function checkGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  analytic?: ParameterArrays,
  options: GradientCheckOptions = {},
): GradientReport {
  const weightDecay = options.weightDecay ?? 0;
  const gradients = analytic ?? backpropagate(network, inputs, targets, undefined, weightDecay).gradients;
  const floor = options.floor ?? defaultFloor(lossWithWeightDecay(networkLoss(network, inputs, targets), network.weights, weightDecay));
  const report = compareGradients(gradients, oracleGradients(network, inputs, targets, options), { ...options, floor });
  return { ...report, kinkDistance: kinkDistance(network, inputs) };
}

/**
 * The numeric gradients of the oracle named in the options.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the oracle, its step and the loss's weight decay
 */
export function oracleGradients(network: Network, inputs: Matrix, targets: Matrix, options: GradientCheckOptions = {}): NumericGradients {
  switch (options.method ?? "central") {
    case "central":
      return numericGradients(network, inputs, targets, options);
    case "richardson":
      return richardsonGradients(network, inputs, targets, options);
    case "complex-step":
      return complexStepGradients(network, inputs, targets, options);
  }
}
