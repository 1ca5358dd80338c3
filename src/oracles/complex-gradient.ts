/**
 * The complex step of the gradient: the Hessian-vector product $HV$ of the batch loss from one
 * backpropagation in complex arithmetic, with the parameters moved an imaginary step along $V$.
 *
 * Backpropagation computes the gradient $g(w) = \nabla E(w)$ of the batch loss
 * $E = \frac1B \sum_b E_b$ from the parameters $w$ (every weight and bias) by a chain of sums,
 * products, exponentials and quotients. Each of them is analytic, so $g$ extends to complex
 * parameters, and Taylor's theorem along the imaginary step $w + ihV$ gives
 *
 * $$g(w + ihV) = g(w) + ih\, \underbrace{\frac{\partial g}{\partial w}}_{H} V - \frac{h^2}{2} \dots
 *   \quad\Longrightarrow\quad
 *   H V = \frac{\operatorname{Im} \nabla E(w + ihV)}{h} + O(h^2),$$
 *
 * since the Jacobian of the gradient is the Hessian $H = \nabla^2 E$. The same pass gives, for
 * free, the directional derivative $\dot E = \nabla E \cdot V = \operatorname{Im} E(w + ihV)/h$
 * and the output tangents $JV = \operatorname{Im} o^{(L)}(w + ihV)/h$ (the derivative of the
 * outputs along $V$, $n_L \times B$).
 *
 * **Why about $10^{-12}$.** Nothing is subtracted: the imaginary parts are carried through the
 * pass as numbers of their own, each operation rounding them to a few ulps, never as a
 * difference of two nearly equal values. With $h = 10^{-20}$ (see
 * {@link oracles/complex-step!complexStep | complexStep}) the neglected $O(h^2)$ is $10^{-40}$
 * relative, so what is left is the rounding of the pass itself, as in the real backpropagation:
 * a few ulps per operation, grown by the cancellation of the sums in the data (a column of $H$
 * whose terms of $\pm 1$ add up to $10^{-3}$ keeps the absolute error of the terms). The
 * differences of gradients ({@link oracles/hessian-differences | hessian-differences}) divide a
 * difference of two gradients by a step of $10^{-6}$ to $10^{-4}$ and cannot do better than
 * $\varepsilon^{2/3} \approx 4 \times 10^{-11}$ even in the best case; at worst they are off by
 * $5 \times 10^{-7}$ (central) and $7 \times 10^{-9}$ (Richardson). No oracle here is more
 * accurate than this one, so its own error shows only in what it must satisfy: over 10,000
 * random cases of the specs, its real part agrees with backpropagate's gradient to
 * $1.3 \times 10^{-13}$, $\dot E$ with $\nabla E \cdot V$ to $10^{-13}$, and $U^\top(HV)$ with
 * $V^\top(HU)$ to $10^{-14}$, each relative to the sizes of the terms summed; against the
 * R-operator $HV$ agrees to $1.4 \times 10^{-12}$ of the comparisons' floor over 10,000 random
 * cases of general numbers. (A softmax computed as $e_a / S$ would get the imaginary part of a
 * saturated largest output $o_a$ as a difference of nearly equal numbers, only to the absolute
 * precision of $o_a$, and that worst would be $10^{-11}$; the shared forward pass computes
 * $o_a = 1/\sum_j e^{z_j - z_a}$ instead.)
 *
 * **Independence.** The oracle uses none of the model's derivatives: not
 * {@link model/backprop!backpropagate | backpropagate}, not the activations' derivatives, not the
 * second-order code. Every derivative it needs is written here in complex arithmetic:
 * $\sigma'(z) = \sigma(z)\sigma(-z)$, $\tanh' = 1 - \tanh^2$ (as $4e/(1+e)^2$), softplus'
 * $= \sigma$, and the output deltas of each loss. A mistake that both this file and the model
 * made alike would go unseen, so the two are written from the formulas separately; the
 * specs check this one against differences of the model's gradients.
 *
 * **The direction's scale.** $V$ is first divided by the power of two $\sigma$ nearest below its
 * largest entry ({@link oracles/parameter-directions!powerOfTwoScale | powerOfTwoScale}) and
 * everything found is multiplied back by $\sigma$, exactly: the imaginary parts are $h V/\sigma$,
 * of magnitude $h$ to $2h$ whatever the size of $V$, never subnormal and never large enough for
 * the $h^2$ terms to matter. What scaling cannot mend: every imaginary part is $h$ times a
 * derivative, so a derivative below about $10^{-288}$ (a network of numbers that tiny, as
 * fast-check's doubles draw them) makes a subnormal imaginary part, which keeps fewer digits; the
 * comparisons' floor counts such entries as the zeros they nearly are.
 *
 * **Kinks.** `relu` and `leaky_relu` are piecewise linear: each of them, and its derivative,
 * chooses its branch by the real part of $z$ (as in {@link oracles/complex-step | complex-step}),
 * and on a branch its second derivative is $0$. The product found is the Hessian of the piece
 * that the real parameters are on: what the R-operator with $f'' = 0$ computes, and what a
 * central difference of gradients measures as long as neither $w + sV$ nor $w - sV$ moves a
 * preactivation across $0$. At a kink, $E$ has no second derivative (its gradient jumps), no
 * oracle's $HV$ means anything, and the two oracles may disagree; at $z = 0$ exactly this one
 * takes the left branch, whose slope the real activations give at $0$ too. The property suite
 * keeps every such preactivation $10^{-3}$ from $0$ (see
 * {@link conformance/case-arbitrary | case-arbitrary}), where the differences' steps, which move
 * a preactivation by $10^{-6}$ to $10^{-4}$ as a rule, cross none but in rare cases, and those are
 * reported.
 *
 * Cost: one complex forward pass and one complex backward pass, about four times the real ones,
 * for the whole of $HV$; $H$ itself takes one per parameter (a unit direction each).
 *
 * @module
 */
import type { ElementwiseActivationName } from "../model/activations.js";
import type { Network, NetworkSpec, ParameterArrays } from "../model/network.js";
import * as C from "../numeric/complex.js";
import { assertDirectionShape } from "../model/forward-mode.js";
import { dimensions, zeros, zeroVector, type Matrix } from "../numeric/tensor.js";
import { complexForward, complexLoss, complexStep, type ComplexTrace } from "./complex-step.js";
import { mapParameters, powerOfTwoScale, scaledParameters } from "./parameter-directions.js";

/** Parameter arrays of complex numbers: the real parts and the imaginary parts, each shaped like the parameters. */
export interface ComplexParameterArrays {
  /** The real parts. */
  readonly re: ParameterArrays;
  /** The imaginary parts. */
  readonly im: ParameterArrays;
}

/** The imaginary step along a direction, ready for the complex passes. */
export interface ImaginaryStep {
  /** The imaginary parts of the parameters, $h V / \sigma$, shaped like the parameters. */
  readonly imaginary: ParameterArrays;
  /** $\sigma$, the power of two the direction was divided by. */
  readonly scale: number;
}

/** Everything one complex backpropagation along $V$ finds. */
export interface ComplexStepDerivatives {
  /** $E(w) = \operatorname{Re} E(w + ihV)$, the batch loss. */
  readonly loss: number;
  /** $\dot E = \nabla E \cdot V = \operatorname{Im} E(w + ihV) / h$. */
  readonly directionalDerivative: number;
  /** $JV = \operatorname{Im} o^{(L)}(w + ihV) / h$, $n_L \times B$: how the outputs move along $V$. */
  readonly outputTangents: Matrix;
  /** $\nabla E(w) = \operatorname{Re} \nabla E(w + ihV)$, shaped like the parameters. */
  readonly gradients: ParameterArrays;
  /** $HV = \operatorname{Im} \nabla E(w + ihV) / h$, shaped like the parameters. */
  readonly hessianVectorProduct: ParameterArrays;
}

/**
 * Step 1 — the imaginary step: the parameters become $w + i h V / \sigma$.
 *
 * $\sigma$ is the power of two of {@link oracles/parameter-directions!powerOfTwoScale | powerOfTwoScale},
 * so the largest imaginary part is between $h$ and $2h$, $h = 10^{-20}$. For a unit direction
 * ($\sigma = 1$) the one imaginary part is $h$ exactly, the step of
 * {@link oracles/complex-step!complexStepGradients | complexStepGradients}.
 *
 * @param network - the network (its shape)
 * @param direction - $V$, shaped like the parameters
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for an entry that is not finite
 */
export function imaginaryStep(network: Network, direction: ParameterArrays): ImaginaryStep {
  assertDirectionShape(network, direction);
  const scale = powerOfTwoScale(direction);
  // V / σ is exact (σ is a power of two); h (V / σ) is then rounded once per entry.
  return { imaginary: scaledParameters(scaledParameters(direction, 1 / scale), complexStep), scale };
}

/**
 * The derivative $f'(z)$ of an element-wise activation at a complex argument, written in complex
 * arithmetic from the activation's formula:
 *
 * | name | $f'(z)$ |
 * | --- | --- |
 * | `sigmoid` | $\sigma(z)\,\sigma(-z)$ |
 * | `tanh` | $1 - \tanh^2 z = 4e/(1 + e)^2$, $e = e^{\mp 2z}$ |
 * | `relu` | $1$ if $\operatorname{Re} z > 0$, else $0$ |
 * | `leaky_relu` | $1$ if $\operatorname{Re} z > 0$, else $0.01$ |
 * | `softplus` | $\sigma(z)$ |
 * | `identity` | $1$ |
 *
 * `relu` and `leaky_relu` choose the branch of the real part, as their values in
 * {@link oracles/complex-step!complexActivation | complexActivation} do, and their slope is a
 * real constant on each branch: the imaginary part of $f'$ is $0$, $f'' = 0$.
 *
 * @param name - an element-wise activation
 * @param z - the complex argument
 */
export function complexActivationDerivative(name: ElementwiseActivationName, z: C.Complex): C.Complex {
  switch (name) {
    case "sigmoid":
      return C.complexSigmoidDerivative(z);
    case "tanh":
      return C.complexTanhDerivative(z);
    case "relu":
      return C.complex(z.re > 0 ? 1 : 0);
    case "leaky_relu":
      return C.complex(z.re > 0 ? 1 : 0.01);
    case "softplus":
      return C.complexSigmoid(z);
    case "identity":
      return C.complex(1);
  }
}

/**
 * Step 2 — the output delta $\delta^{(L)} = \partial E_b / \partial z^{(L)}$ in complex arithmetic,
 * column by column (one sample per column):
 *
 * | loss, output | $\delta^{(L)}$ |
 * | --- | --- |
 * | `squared_error`, element-wise $f$ | $(o - t) \odot f'(z)$ |
 * | `squared_error`, `softmax` | $J^\top (o - t)$, $J = \operatorname{diag}(o) - o o^\top$, so $\delta_k = o_k \left(g_k - \sum_j o_j g_j\right)$, $g = o - t$ |
 * | `cross_entropy`, `softmax` | $o \sum_k t_k - t$ |
 * | `binary_cross_entropy`, `sigmoid` | $o - t$ |
 *
 * The transposes are transposes, not conjugate transposes: every formula is the analytic
 * extension of the real one, so that its imaginary part is $h$ times its derivative. Shapes:
 * $z^{(L)}$, $o^{(L)}$, $t$ and $\delta^{(L)}$ are $n_L \times B$.
 *
 * @param spec - the network's spec (its loss and output activation)
 * @param trace - the complex forward pass
 * @param targets - $t$, $n_L \times B$, real
 */
export function complexOutputDelta(spec: NetworkSpec, trace: ComplexTrace, targets: Matrix): C.ComplexMatrix {
  const z = trace.preactivations.at(-1)!;
  const o = trace.outputs.at(-1)!;
  const activation = spec.activations.at(-1)!;
  const { rows: units, columns: samples } = o;
  const delta = C.complexZeros(units, samples);
  for (let b = 0; b < samples; b++) {
    const target = (k: number): C.Complex => C.complex(targets.get(k, b));
    switch (spec.loss) {
      case "squared_error":
        if (activation === "softmax") {
          let projection = C.complex(0);
          for (let j = 0; j < units; j++)
            projection = C.add(projection, C.mul(C.complexEntry(o, j, b), C.sub(C.complexEntry(o, j, b), target(j))));
          for (let k = 0; k < units; k++) {
            const output = C.complexEntry(o, k, b);
            C.setComplexEntry(delta, k, b, C.mul(output, C.sub(C.sub(output, target(k)), projection)));
          }
        } else {
          for (let k = 0; k < units; k++) {
            const slope = complexActivationDerivative(activation, C.complexEntry(z, k, b));
            C.setComplexEntry(delta, k, b, C.mul(C.sub(C.complexEntry(o, k, b), target(k)), slope));
          }
        }
        break;
      case "cross_entropy": {
        let targetSum = 0;
        for (let k = 0; k < units; k++) targetSum += targets.get(k, b);
        for (let k = 0; k < units; k++) C.setComplexEntry(delta, k, b, C.sub(C.scale(C.complexEntry(o, k, b), targetSum), target(k)));
        break;
      }
      case "binary_cross_entropy":
        for (let k = 0; k < units; k++) C.setComplexEntry(delta, k, b, C.sub(C.complexEntry(o, k, b), target(k)));
        break;
    }
  }
  return delta;
}

/**
 * Step 3 — the hidden delta, sent back through the complex weights and the layer's slope:
 *
 * $$\delta^{(l)} = f_l'\!\left(z^{(l)}\right) \odot \left(W^{(l+1)} + i\,\operatorname{Im} W^{(l+1)}\right)^{\!\top} \delta^{(l+1)}$$
 *
 * (the transpose, not the conjugate transpose). Shapes: $W^{(l+1)}$ is $n_{l+1} \times n_l$, the
 * deltas $n_{l+1} \times B$ and $n_l \times B$.
 *
 * @param activation - $f_l$ of the hidden layer
 * @param preactivations - $z^{(l)}$, complex, $n_l \times B$
 * @param nextWeights - $W^{(l+1)}$, the real parts
 * @param nextWeightSteps - $\operatorname{Im} W^{(l+1)}$, the imaginary parts
 * @param nextDelta - $\delta^{(l+1)}$, complex, $n_{l+1} \times B$
 */
export function complexHiddenDelta(
  activation: ElementwiseActivationName,
  preactivations: C.ComplexMatrix,
  nextWeights: Matrix,
  nextWeightSteps: Matrix,
  nextDelta: C.ComplexMatrix,
): C.ComplexMatrix {
  const sent = complexTransposedProduct(nextWeights, nextWeightSteps, nextDelta);
  const delta = C.complexZeros(sent.rows, sent.columns);
  for (let k = 0; k < sent.rows; k++) {
    for (let b = 0; b < sent.columns; b++) {
      const slope = complexActivationDerivative(activation, C.complexEntry(preactivations, k, b));
      C.setComplexEntry(delta, k, b, C.mul(slope, C.complexEntry(sent, k, b)));
    }
  }
  return delta;
}

/**
 * $\left(W + i S\right)^\top \delta$ for real $W$ and $S$, $n_{l+1} \times n_l$, and complex
 * $\delta$, $n_{l+1} \times B$: the product that sends deltas back through complex weights,
 * $n_l \times B$. Shared by {@link complexHiddenDelta} and the negative controls that leave its
 * slope out.
 *
 * @param weights - $W$, the real parts
 * @param weightSteps - $S$, the imaginary parts
 * @param delta - $\delta$
 */
export function complexTransposedProduct(weights: Matrix, weightSteps: Matrix, delta: C.ComplexMatrix): C.ComplexMatrix {
  const [units, fanIn] = dimensions(weights);
  const result = C.complexZeros(fanIn, delta.columns);
  for (let k = 0; k < fanIn; k++) {
    for (let b = 0; b < delta.columns; b++) {
      let sum = C.complex(0);
      for (let j = 0; j < units; j++) {
        sum = C.add(sum, C.mul(C.complex(weights.get(j, k), weightSteps.get(j, k)), C.complexEntry(delta, j, b)));
      }
      C.setComplexEntry(result, k, b, sum);
    }
  }
  return result;
}

/**
 * Step 4 — the complex gradients, batch means as in the real step:
 *
 * $$\frac{\partial E}{\partial W^{(l)}} = \frac1B\, \delta^{(l)} o^{(l-1)\top}, \qquad
 *   \frac{\partial E}{\partial b^{(l)}} = \frac1B \sum_b \delta^{(l)}_{:,b}$$
 *
 * with complex $\delta^{(l)}$ and $o^{(l-1)}$ (again a transpose, not a conjugate transpose).
 * Their real parts are $\nabla E(w)$, their imaginary parts $h$ times $HV/\sigma$. Shapes: like
 * the parameters.
 *
 * @param trace - the complex forward pass (its outputs $o^{(0)}, \dots, o^{(L-1)}$)
 * @param deltas - $\delta^{(1)}, \dots, \delta^{(L)}$, complex
 * @param withBiases - whether the network has biases (their gradients are `null` otherwise)
 */
export function complexGradients(trace: ComplexTrace, deltas: readonly C.ComplexMatrix[], withBiases: boolean): ComplexParameterArrays {
  const re: Matrix[] = [];
  const im: Matrix[] = [];
  deltas.forEach((delta, index) => {
    const previous = trace.outputs[index]!;
    const samples = delta.columns;
    const [real, imaginary] = [zeros(delta.rows, previous.rows), zeros(delta.rows, previous.rows)];
    for (let j = 0; j < delta.rows; j++) {
      for (let k = 0; k < previous.rows; k++) {
        let sum = C.complex(0);
        for (let b = 0; b < samples; b++) sum = C.add(sum, C.mul(C.complexEntry(delta, j, b), C.complexEntry(previous, k, b)));
        real.set(j, k, sum.re / samples);
        imaginary.set(j, k, sum.im / samples);
      }
    }
    re.push(real);
    im.push(imaginary);
  });
  if (!withBiases) return { re: { weights: re, biases: null }, im: { weights: im, biases: null } };
  const biasMeans = deltas.map((delta) => {
    const [real, imaginary] = [zeroVector(delta.rows), zeroVector(delta.rows)];
    for (let j = 0; j < delta.rows; j++) {
      let sum = C.complex(0);
      for (let b = 0; b < delta.columns; b++) sum = C.add(sum, C.complexEntry(delta, j, b));
      real.set(j, sum.re / delta.columns);
      imaginary.set(j, sum.im / delta.columns);
    }
    return [real, imaginary] as const;
  });
  return {
    re: { weights: re, biases: biasMeans.map(([real]) => real) },
    im: { weights: im, biases: biasMeans.map(([, imaginary]) => imaginary) },
  };
}

/**
 * The complex deltas $\delta^{(1)}, \dots, \delta^{(L)}$ of a complex forward pass: step 2 at the
 * output, then step 3 once per hidden layer, $l = L-1, \dots, 1$.
 *
 * @param network - the real parameters and the spec
 * @param imaginary - the imaginary parts of the parameters (from {@link imaginaryStep})
 * @param trace - the complex forward pass at those parameters
 * @param targets - $t$, $n_L \times B$
 */
export function complexDeltas(network: Network, imaginary: ParameterArrays, trace: ComplexTrace, targets: Matrix): C.ComplexMatrix[] {
  const L = network.weights.length;
  const deltas = new Array<C.ComplexMatrix>(L);
  deltas[L - 1] = complexOutputDelta(network.spec, trace, targets);
  for (let l = L - 1; l >= 1; l--) {
    const activation = network.spec.activations[l - 1] as ElementwiseActivationName;
    deltas[l - 1] = complexHiddenDelta(activation, trace.preactivations[l - 1]!, network.weights[l]!, imaginary.weights[l]!, deltas[l]!);
  }
  return deltas;
}

/**
 * Steps 1–4 and what they give: the loss, the directional derivative, the output tangents, the
 * gradient and the Hessian-vector product, all from one complex forward and backward pass at
 * $w + ihV/\sigma$:
 *
 * $$\dot E = \sigma \frac{\operatorname{Im} E}{h}, \qquad JV = \sigma \frac{\operatorname{Im} o^{(L)}}{h}, \qquad
 *   HV = \sigma \frac{\operatorname{Im} \nabla E}{h}.$$
 *
 * @param network - the network at $w$
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters (`biases` `null` iff the network has none)
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for an entry of it that is not finite
 */
export function complexStepDerivatives(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
): ComplexStepDerivatives {
  const { imaginary, scale } = imaginaryStep(network, direction);
  const trace = complexForward(network, imaginary, inputs);
  const loss = complexLoss(network, trace, targets);
  const gradients = complexGradients(trace, complexDeltas(network, imaginary, trace, targets), network.biases !== null);
  return {
    loss: loss.re,
    directionalDerivative: (loss.im / complexStep) * scale,
    outputTangents: tangentsOf(trace.outputs.at(-1)!, scale),
    gradients: gradients.re,
    hessianVectorProduct: mapParameters(gradients.im, (value) => (value / complexStep) * scale),
  };
}

/**
 * The Hessian-vector product $HV = \operatorname{Im} \nabla E(w + ihV)/h$ of the batch loss by the
 * complex step of the gradient (see the module comment).
 *
 * @param network - the network at $w$
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 * @returns $HV$, shaped like the parameters
 */
export function complexStepHessianProduct(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): ParameterArrays {
  return complexStepDerivatives(network, inputs, targets, direction).hessianVectorProduct;
}

/**
 * The directional derivative $\dot E = \nabla E \cdot V = \operatorname{Im} E(w + ihV)/h$ of the
 * batch loss, by the complex forward pass and loss alone (no backward pass).
 *
 * @param network - the network at $w$
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 */
export function complexStepDirectionalDerivative(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): number {
  const { imaginary, scale } = imaginaryStep(network, direction);
  return (complexLoss(network, complexForward(network, imaginary, inputs), targets).im / complexStep) * scale;
}

/**
 * The output tangents $JV = \operatorname{Im} o^{(L)}(w + ihV)/h$: how each output of each sample
 * moves along $V$, by the complex forward pass alone.
 *
 * @param network - the network at $w$
 * @param inputs - $x$, $n_0 \times B$
 * @param direction - $V$, shaped like the parameters
 * @returns $JV$, $n_L \times B$
 */
export function complexStepOutputTangents(network: Network, inputs: Matrix, direction: ParameterArrays): Matrix {
  const { imaginary, scale } = imaginaryStep(network, direction);
  return tangentsOf(complexForward(network, imaginary, inputs).outputs.at(-1)!, scale);
}

/** $\sigma \operatorname{Im} o / h$ as a real $n \times B$ matrix. */
function tangentsOf(outputs: C.ComplexMatrix, scale: number): Matrix {
  const tangents = zeros(outputs.rows, outputs.columns);
  for (let k = 0; k < outputs.rows; k++) {
    for (let b = 0; b < outputs.columns; b++) tangents.set(k, b, (outputs.im[k * outputs.columns + b]! / complexStep) * scale);
  }
  return tangents;
}
