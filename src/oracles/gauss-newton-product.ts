/**
 * An oracle of the generalized Gauss–Newton product $GV = J^\top H_\ell J V$ that does not use
 * the model's second-order code: the Jacobian-vector product $JV$ by the complex step, the
 * curvature $H_\ell$ of each loss applied from its definition, and $J^\top$ by backpropagation's
 * own first-order steps.
 *
 * The Gauss–Newton matrix is a product of three things, and each has a way to compute it that
 * is already judged elsewhere:
 *
 * $$G V = \frac1B \sum_b J_b^\top \, H_{\ell,b} \, (J_b V),$$
 *
 * 1. {@link complexStepTangents}: $J V$, the tangents $\dot z^{(L)}$ and $\dot o^{(L)}$ of the
 *    output layer along $V$, as the imaginary parts of one complex forward pass at $w + ihV$
 *    ({@link oracles/complex-step!complexForward | complexForward}, good to a few ulps), not by
 *    the model's forward mode.
 * 2. {@link lossCurvatureProduct}: $\tilde\delta^{(L)} = H_\ell\, J V$ at the output layer's
 *    weighted sums, written from the definition of each loss's curvature, at the split the
 *    library's $G$ makes (see {@link model/second-order!gaussNewtonOutputDelta | gaussNewtonOutputDelta}
 *    and the table below).
 * 3. {@link transposedJacobianProduct}: $J_z^\top \tilde\delta^{(L)}$, averaged over the batch,
 *    by backpropagation's steps 3–5 ({@link model/backprop!hiddenError | hiddenError},
 *    {@link model/backprop!hiddenDelta | hiddenDelta}, {@link model/backprop!gradients | gradients})
 *    with $\tilde\delta^{(L)}$ in place of the loss's output delta: backpropagation computes
 *    $J_z^\top u$ for any $u$ it is started from, and the first-order checks judge those steps.
 *
 * | loss, output | split | $H_\ell$ | $\tilde\delta^{(L)} = H_\ell J V$ at $z^{(L)}$ |
 * | --- | --- | --- | --- |
 * | `squared_error`, element-wise $f$ | at $o^{(L)}$ | $I$ | $f'(z) \odot \dot o$ (the identity, then the activation's $J^\top$) |
 * | `squared_error`, `softmax` | at $o^{(L)}$ | $I$ | $(\operatorname{diag}(o) - o o^\top)\, \dot o$ |
 * | `cross_entropy`, `softmax` | at $z^{(L)}$ | $\left(\sum_k t_k\right)(\operatorname{diag}(o) - o o^\top)$ | $\left(\sum_k t_k\right)(\operatorname{diag}(o) - o o^\top)\, \dot z$ |
 * | `binary_cross_entropy`, `sigmoid` | at $z^{(L)}$ | $\operatorname{diag}(\sigma'(z))$ | $\sigma'(z) \odot \dot z$ |
 *
 * **Independence.** What it shares with {@link model/second-order!gaussNewtonVectorProduct | gaussNewtonVectorProduct}:
 * the real forward pass, the first derivatives of the activations and backpropagation's steps
 * 3–5 (all judged by the first-order checks). What it does not: forward mode
 * ({@link model/forward-mode | forward-mode}), every second-order step, and the model's
 * $\tilde\delta^{(L)}$, which starts from the forward-mode $\dot o$ for the matching losses
 * where this one starts from the complex step's $\dot z$ and applies $H_\ell$ itself. A wrong
 * tangent, a wrong split (the Hessian of the loss at the outputs for cross-entropy, say), a
 * missing $\sum_k t_k$ or $H V$ reported as $G V$ shows up against it.
 *
 * **Accuracy.** Nothing is subtracted but what backpropagation subtracts: against the model's
 * product it agrees to $9.5 \times 10^{-13}$ at worst, relative with the floor of
 * {@link oracles/hessian-differences!hessianProductFloor | hessianProductFloor}, over 40,000
 * random hvp cases (10,000 of each of the four spreads the specs draw from), and
 * `check --order 2` judges with $10^{-11}$, the tolerance of the complex step of the gradient.
 *
 * **Kinks.** `relu` and `leaky_relu` layers take the piece their real preactivation is on (the
 * left one at exactly $0$), as both the complex step and backpropagation do; no step is taken
 * along $V$, so no kink is crossed.
 *
 * Cost: one complex forward pass and one real backward pass.
 *
 * @module
 */
import { activationDerivative, softmaxBackward } from "../model/activations.js";
import { gradients, hiddenDelta, hiddenError } from "../model/backprop.js";
import { forward, type Trace } from "../model/forward.js";
import { depth, type Network, type NetworkSpec, type ParameterArrays } from "../model/network.js";
import type * as C from "../numeric/complex.js";
import { dimensions, hadamard, zeros, type Matrix } from "../numeric/tensor.js";
import { imaginaryStep } from "./complex-gradient.js";
import { complexForward, complexStep } from "./complex-step.js";

/** The tangents of the output layer along $V$, by the complex step. */
export interface OutputLayerTangents {
  /** $\dot z^{(L)} = \sigma \operatorname{Im} z^{(L)}(w + ihV/\sigma) / h$, $n_L \times B$. */
  readonly preactivationTangents: Matrix;
  /** $\dot o^{(L)} = J V = \sigma \operatorname{Im} o^{(L)}(w + ihV/\sigma) / h$, $n_L \times B$. */
  readonly outputTangents: Matrix;
}

/**
 * Step 1 — $J V$ by the complex step: the tangents $\dot z^{(L)}$ and $\dot o^{(L)}$ of the output
 * layer along $V$, the imaginary parts of one complex forward pass at $w + ihV/\sigma$ divided by
 * $h$ and multiplied by the direction's power of two $\sigma$ (see
 * {@link oracles/complex-gradient!imaginaryStep | imaginaryStep}):
 *
 * $$\dot z^{(L)} = \sigma \frac{\operatorname{Im} z^{(L)}}{h}, \qquad \dot o^{(L)} = \sigma \frac{\operatorname{Im} o^{(L)}}{h}.$$
 *
 * @param network - the network at $w$
 * @param inputs - $x$, $n_0 \times B$
 * @param direction - $V$, shaped like the parameters
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for an entry of it that is not finite
 */
export function complexStepTangents(network: Network, inputs: Matrix, direction: ParameterArrays): OutputLayerTangents {
  const { imaginary, scale } = imaginaryStep(network, direction);
  const trace = complexForward(network, imaginary, inputs);
  return {
    preactivationTangents: imaginaryOver(trace.preactivations.at(-1)!, scale),
    outputTangents: imaginaryOver(trace.outputs.at(-1)!, scale),
  };
}

/**
 * Step 2 — the loss's curvature applied to the tangents: $\tilde\delta^{(L)} = H_\ell\, J V$, at
 * the output layer's weighted sums, column by column (the table of the module comment).
 *
 * For squared error the split is at the outputs, where $\ell = \frac12 \lVert t - o \rVert^2$ has
 * $H_\ell = I$: $H_\ell \dot o = \dot o$, then the output activation's transposed Jacobian takes it
 * to $z^{(L)}$, $f'(z) \odot \dot o$ or, for softmax, $J_{\text{softmax}} \dot o$ with the symmetric
 * $J_{\text{softmax}} = \operatorname{diag}(o) - o o^\top$
 * ({@link model/activations!softmaxBackward | softmaxBackward}). For the matching losses the
 * split is at $z^{(L)}$ and $H_\ell$ is the Hessian of the loss composed with its activation:
 * $\partial^2 E_b / \partial z^2 = \left(\sum_k t_k\right) J_{\text{softmax}}$ for cross-entropy (the
 * derivative of $\delta = o \sum_k t_k - t$), $\operatorname{diag}(\sigma'(z))$ for binary
 * cross-entropy (of $\delta = o - t$), each applied to $\dot z$.
 *
 * Shapes: every matrix is $n_L \times B$.
 *
 * @param spec - the network's spec (its loss and output activation)
 * @param trace - the real forward pass (its $z^{(L)}$ and $o^{(L)}$)
 * @param tangents - $\dot z^{(L)}$ and $\dot o^{(L)}$ from {@link complexStepTangents}
 * @param targets - $t$, $n_L \times B$ (read by cross-entropy)
 * @returns $\tilde\delta^{(L)}$, $n_L \times B$
 */
export function lossCurvatureProduct(spec: NetworkSpec, trace: Trace, tangents: OutputLayerTangents, targets: Matrix): Matrix {
  const L = depth(spec);
  const activation = spec.activations[L - 1]!;
  const z = trace.preactivations[L - 1]!;
  const outputs = trace.outputs[L]!;
  switch (spec.loss) {
    case "cross_entropy": {
      const curvature = softmaxBackward(outputs, tangents.preactivationTangents);
      const [units, samples] = dimensions(curvature);
      for (let b = 0; b < samples; b++) {
        let targetSum = 0;
        for (let k = 0; k < units; k++) targetSum += targets.get(k, b);
        for (let k = 0; k < units; k++) curvature.set(k, b, curvature.get(k, b) * targetSum);
      }
      return curvature;
    }
    case "binary_cross_entropy": {
      const slopes = activationDerivative("sigmoid", z);
      return hadamard(slopes, tangents.preactivationTangents, slopes);
    }
    case "squared_error": {
      if (activation === "softmax") return softmaxBackward(outputs, tangents.outputTangents);
      const slopes = activationDerivative(activation, z);
      return hadamard(slopes, tangents.outputTangents, slopes);
    }
  }
}

/**
 * Step 3 — $J_z^\top$ applied to $\tilde\delta^{(L)}$ and averaged over the batch: backpropagation's
 * steps 3–5 started from $\tilde\delta^{(L)}$ instead of the loss's output delta,
 *
 * $$\tilde\delta^{(l)} = f_l'(z^{(l)}) \odot W^{(l+1)\top}\tilde\delta^{(l+1)}, \qquad
 *   (GV)_W^{(l)} = \frac1B \tilde\delta^{(l)} o^{(l-1)\top}, \qquad (GV)_b^{(l)} = \frac1B \sum_b \tilde\delta^{(l)}_{:,b}.$$
 *
 * Backpropagation's deltas are $J_z^\top$ of whatever it starts from, since each step is the
 * transpose of one link of the chain rule; step 5's mean is the $\frac1B$ of $G = \frac1B \sum_b J_b^\top H_{\ell,b} J_b$.
 *
 * @param network - the network at $w$
 * @param trace - its real forward pass
 * @param outputDelta - $\tilde\delta^{(L)}$, $n_L \times B$
 * @returns $J_z^\top \tilde\delta^{(L)} / B$, shaped like the parameters
 */
export function transposedJacobianProduct(network: Network, trace: Trace, outputDelta: Matrix): ParameterArrays {
  const { spec, weights } = network;
  const L = depth(spec);
  const deltas: Matrix[] = new Array<Matrix>(L);
  deltas[L - 1] = outputDelta;
  for (let l = L - 1; l >= 1; l--) {
    deltas[l - 1] = hiddenDelta(spec.activations[l - 1]!, trace.preactivations[l - 1]!, hiddenError(weights[l]!, deltas[l]!));
  }
  return gradients(trace, deltas, network.biases !== null);
}

/**
 * The Gauss–Newton product $GV = J^\top H_\ell J V$ by steps 1–3: the complex step's tangents,
 * the loss's curvature, backpropagation's transpose.
 *
 * @param network - the network at $w$
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters (`biases` `null` iff the network has none)
 * @returns $GV$, shaped like the parameters
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for an entry of it that is not finite
 */
export function complexStepGaussNewtonProduct(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
): ParameterArrays {
  const tangents = complexStepTangents(network, inputs, direction);
  const trace = forward(network, inputs);
  return transposedJacobianProduct(network, trace, lossCurvatureProduct(network.spec, trace, tangents, targets));
}

/** $\sigma \operatorname{Im} m / h$ as a real matrix of the same shape. */
function imaginaryOver(matrix: C.ComplexMatrix, scale: number): Matrix {
  const result = zeros(matrix.rows, matrix.columns);
  for (let j = 0; j < matrix.rows; j++) {
    for (let b = 0; b < matrix.columns; b++) result.set(j, b, (matrix.im[j * matrix.columns + b]! / complexStep) * scale);
  }
  return result;
}
