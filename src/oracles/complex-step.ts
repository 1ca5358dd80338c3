/**
 * The complex-step oracle: every gradient entry from one forward pass in complex arithmetic.
 *
 * Give one parameter an imaginary part, $w \to w + ih$ with $h = 10^{-20}$, and run the forward
 * pass and the loss with complex numbers. Because every activation and loss is analytic on the
 * path the real inputs take, Taylor's theorem gives
 *
 * $$E(w + ih) = E(w) + ih \frac{\partial E}{\partial w} - \frac{h^2}{2} \frac{\partial^2 E}{\partial w^2} + \dots
 *   \quad\Longrightarrow\quad
 *   \frac{\partial E}{\partial w} = \frac{\operatorname{Im} E(w + ih)}{h} + O(h^2)$$
 *
 * Nothing is subtracted, so there is no cancellation, and with $h = 10^{-20}$ the $O(h^2)$ term
 * is $10^{-40}$ relative: the result agrees with the exact derivative to a few ulps. The oracle
 * uses only the values of the activations and losses, written again here for complex
 * arguments, never their hand-written derivatives, so it is independent of everything
 * {@link model/backprop!backpropagate | backpropagate} relies on.
 *
 * The complex forward pass and loss are shared: {@link complexForward} and {@link complexLoss}
 * take imaginary parts for every parameter at once, so that the same pass at $w + ihV$ gives the
 * derivative along a whole direction $V$ (see {@link oracles/complex-gradient | complex-gradient},
 * which also runs backpropagation in complex arithmetic on it); the gradients here are the case
 * of the unit directions, one parameter's imaginary part $h$ and every other $0$.
 *
 * With a weight decay $\lambda'$, the loss is the batch mean plus the penalty
 * $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$, and the penalty is evaluated in complex arithmetic too
 * ({@link complexWeightPenalty}), from the same complex weights, so that its slope comes out of
 * the imaginary part with the data's and never from its derivative $\lambda' W$.
 *
 * `relu` and `leaky_relu` are not analytic at $0$: they choose their branch by the real part,
 * $z \mapsto z$ if $\operatorname{Re} z > 0$, which gives the derivative of the branch the real
 * input is on (and, at exactly $0$, the left slope, as the real activations do).
 *
 * @module
 */
import { type ActivationName, leakyReluSlope } from "../model/activations.js";
import { forward } from "../model/forward.js";
import type { LossName } from "../model/losses.js";
import { parameterEntries, type Network, type ParameterArrays } from "../model/network.js";
import { dimensions, type Matrix, type Vector, zerosLike } from "../numeric/tensor.js";
import type { GradientCheckOptions, NumericGradients } from "./comparison.js";
import { gradientsWithKinkSlope, unitsAtKinks } from "./kink-conventions.js";
import * as C from "../numeric/complex.js";

/** The imaginary step $h$: small enough that $h^2$ vanishes next to $1$, large enough not to underflow. */
export const complexStep = 1e-20;

/**
 * An activation of a complex argument, using only its defining formula.
 *
 * | name | $f(z)$ for complex $z$ |
 * | --- | --- |
 * | `sigmoid` | $1/(1 + e^{-z})$ if $\operatorname{Re} z \ge 0$, else $e^{z}/(1 + e^{z})$ |
 * | `tanh` | $(\sinh 2a + i \sin 2b)/(\cosh 2a + \cos 2b)$ for $z = a + ib$ |
 * | `relu` | $z$ if $\operatorname{Re} z > 0$, else $0$ |
 * | `leaky_relu` | $z$ if $\operatorname{Re} z > 0$, else $0.01\,z$ |
 * | `softplus` | $z + \log(1 + e^{-z})$ if $\operatorname{Re} z > 0$, else $\log(1 + e^{z})$ |
 * | `identity` | $z$ |
 *
 * @param name - an element-wise activation
 * @param z - the complex argument
 */
export function complexActivation(name: Exclude<ActivationName, "softmax">, z: C.Complex): C.Complex {
  switch (name) {
    case "sigmoid":
      return C.complexSigmoid(z);
    case "tanh":
      return C.tanh(z);
    case "relu":
      return z.re > 0 ? z : C.complex(0);
    case "leaky_relu":
      return z.re > 0 ? z : C.scale(z, leakyReluSlope);
    case "softplus":
      return complexSoftplus(z);
    case "identity":
      return z;
  }
}

function complexSoftplus(z: C.Complex): C.Complex {
  return z.re > 0 ? C.add(z, C.log1p(C.exp(C.scale(z, -1)))) : C.log1p(C.exp(z));
}

/**
 * Complex-step gradients of the batch loss: one complex forward pass per parameter, along its
 * unit direction (imaginary part $h$ on that parameter, $0$ on every other).
 *
 * Layers before the perturbed one are real and are taken from one real forward pass; the
 * complex pass starts at the perturbed layer.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the weight decay $\lambda'$ of the loss (see {@link oracles/comparison!GradientCheckOptions | GradientCheckOptions}); default $0$
 * @returns the gradients and no error estimate. The imaginary step crosses no kink, but at a
 *   preactivation exactly at one the branch taken is a convention (the left slope), so the
 *   entries that depend on it are marked as crossed, and judged by the kinks' own check
 *   ({@link oracles/kink-conventions!judgeAtKinks | judgeAtKinks}) instead
 */
export function complexStepGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  options: Pick<GradientCheckOptions, "weightDecay"> = {},
): NumericGradients {
  const weightDecay = options.weightDecay ?? 0;
  const trace = forward(network, inputs);
  const imaginary = zeroParameters(network);
  const differentiate = (parameters: Matrix | Vector, steps: Matrix | Vector, layer: number): Matrix | Vector => {
    const result = zerosLike(parameters);
    const previous = complexFromReal(trace.outputs[layer - 1]!);
    for (let index = 0; index < parameters.data.length; index++) {
      steps.data[index] = complexStep;
      const pass = forwardFrom(network, imaginary, layer, previous);
      const batchLoss = complexBatchLoss(network.spec.loss, pass.preactivations.at(-1)!, pass.outputs.at(-1)!, targets);
      const loss = weightDecay === 0 ? batchLoss : C.add(batchLoss, complexWeightPenalty(network, imaginary, weightDecay));
      steps.data[index] = 0;
      result.data[index] = loss.im / complexStep;
    }
    return result;
  };
  const gradients: ParameterArrays = {
    weights: network.weights.map((weights, index) => differentiate(weights, imaginary.weights[index]!, index + 1)),
    biases: network.biases?.map((bias, index) => differentiate(bias, imaginary.biases![index]!, index + 1)) ?? null,
  };
  return {
    method: "complex-step",
    gradients,
    estimatedErrors: null,
    kinkCrossed: conventionalEntries(network, inputs, targets),
    relativeStep: complexStep,
  };
}

/**
 * The forward pass in complex arithmetic, with complex parameters $W^{(l)} + i\,\operatorname{Im}
 * W^{(l)}$ and $b^{(l)} + i\,\operatorname{Im} b^{(l)}$ and real inputs: layer by layer, for
 * $l = 1, \dots, L$,
 *
 * $$z^{(l)} = \left(W^{(l)} + i\,\operatorname{Im} W^{(l)}\right) o^{(l-1)} + \left(b^{(l)} + i\,\operatorname{Im} b^{(l)}\right) \mathbf 1^\top,
 *   \qquad o^{(l)} = f_l\!\left(z^{(l)}\right),$$
 *
 * with each activation from its defining formula ({@link complexActivation}, and softmax as
 * $o_a = 1 / \sum_k e^{z_k - z_a}$ for the unit $a$ of the largest real part and
 * $o_j = e^{z_j - z_a} o_a$ for the others, so that nothing cancels in the imaginary part of an
 * output near $1$). With imaginary parts
 * $hV$ this is the network at $w + ihV$: the real parts are the real forward pass (to
 * $O(h^2)$), the imaginary parts $h$ times its tangents along $V$. Shapes: `preactivations[l-1]`
 * and `outputs[l]` are $n_l \times B$, `outputs[0]` is $x$ with imaginary part $0$.
 *
 * @param network - the real parameters $w$, and the spec
 * @param imaginary - the imaginary parts, shaped like the parameters (`biases` `null` iff the network has none)
 * @param inputs - $x$, $n_0 \times B$
 */
export function complexForward(network: Network, imaginary: ParameterArrays, inputs: Matrix): ComplexTrace {
  return forwardFrom(network, imaginary, 1, complexFromReal(inputs));
}

/**
 * The batch loss $E = \frac1B \sum_b E_b$ of a complex forward pass, each loss from its
 * defining formula in complex arithmetic (cross-entropy through the log-sum-exp of $z^{(L)}$,
 * binary cross-entropy as $t \operatorname{softplus}(-z) + (1 - t)\operatorname{softplus}(z)$).
 * At $w + ihV$, $\operatorname{Re} E = E(w) + O(h^2)$ and $\operatorname{Im} E = h\, \nabla E \cdot V + O(h^3)$.
 *
 * @param network - the network that made the trace (its loss and depth)
 * @param trace - from {@link complexForward}
 * @param targets - $t$, $n_L \times B$, real
 */
export function complexLoss(network: Network, trace: ComplexTrace, targets: Matrix): C.Complex {
  return complexBatchLoss(network.spec.loss, trace.preactivations.at(-1)!, trace.outputs.at(-1)!, targets);
}

/**
 * The weight-decay penalty of complex weights, from its defining formula:
 *
 * $$P = \frac{\lambda'}{2} \sum_{l} \sum_{j,k} \left(w^{(l)}_{jk} + i\,\operatorname{Im} w^{(l)}_{jk}\right)^2,$$
 *
 * every square a complex product, the biases left out as the real penalty leaves them. At
 * $w + ihV$, $\operatorname{Im} P = h \lambda' \sum w\, V_W$ exactly (to rounding): nothing cancels.
 *
 * @param network - the real weights $w$
 * @param imaginary - the imaginary parts, shaped like the parameters (their biases are not read)
 * @param weightDecay - $\lambda' \ge 0$
 */
export function complexWeightPenalty(network: Network, imaginary: ParameterArrays, weightDecay: number): C.Complex {
  let squares = C.complex(0);
  network.weights.forEach((weights, index) => {
    const steps = imaginary.weights[index]!;
    const [rows, columns] = dimensions(weights);
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) {
        const weight = C.complex(weights.get(j, k), steps.get(j, k));
        squares = C.add(squares, C.mul(weight, weight));
      }
    }
  });
  return C.scale(squares, weightDecay / 2);
}

/** What {@link complexForward} computed, indexed as the real {@link model/forward!Trace | Trace}. */
export interface ComplexTrace {
  /** $z^{(1)}, \dots, z^{(L)}$; `preactivations[l-1]` is $n_l \times B$. */
  readonly preactivations: readonly C.ComplexMatrix[];
  /** $o^{(0)} = x, o^{(1)}, \dots, o^{(L)}$; `outputs[l]` is $n_l \times B$. */
  readonly outputs: readonly C.ComplexMatrix[];
}

/** Imaginary parts of zero, shaped like the network's parameters. */
function zeroParameters(network: Network): ParameterArrays {
  return { weights: network.weights.map((weights) => zerosLike(weights)), biases: network.biases?.map((bias) => zerosLike(bias)) ?? null };
}

/** A real $n \times B$ matrix as a complex one with imaginary part $0$. */
function complexFromReal(matrix: Matrix): C.ComplexMatrix {
  const [rows, columns] = dimensions(matrix);
  const result = C.complexZeros(rows, columns);
  for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) result.re[j * columns + b] = matrix.get(j, b);
  return result;
}

/**
 * The complex forward pass from layer `firstLayer` on, given the (complex) outputs of the layer
 * before it: `preactivations` holds $z^{(l)}$ for $l \ge$ `firstLayer`, `outputs` starts with
 * `previous`. The complex-step gradients start at the layer of the one perturbed parameter.
 */
function forwardFrom(network: Network, imaginary: ParameterArrays, firstLayer: number, previous: C.ComplexMatrix): ComplexTrace {
  const preactivations: C.ComplexMatrix[] = [];
  const outputs: C.ComplexMatrix[] = [previous];
  for (let l = firstLayer; l <= network.weights.length; l++) {
    const z = complexWeightedSum(network, imaginary, l, outputs.at(-1)!);
    preactivations.push(z);
    outputs.push(complexLayerOutput(network.spec.activations[l - 1]!, z));
  }
  return { preactivations, outputs };
}

function complexWeightedSum(network: Network, imaginary: ParameterArrays, layer: number, inputs: C.ComplexMatrix): C.ComplexMatrix {
  const weights = network.weights[layer - 1]!;
  const weightSteps = imaginary.weights[layer - 1]!;
  const bias = network.biases?.[layer - 1] ?? null;
  const biasSteps = imaginary.biases?.[layer - 1] ?? null;
  const [units, fanIn] = dimensions(weights);
  const samples = inputs.columns;
  const { re, im } = C.complexZeros(units, samples);
  for (let j = 0; j < units; j++) {
    for (let b = 0; b < samples; b++) {
      let sumRe = bias === null ? 0 : bias.get(j);
      let sumIm = biasSteps === null ? 0 : biasSteps.get(j);
      for (let k = 0; k < fanIn; k++) {
        const weightRe = weights.get(j, k);
        const weightIm = weightSteps.get(j, k);
        const inputRe = inputs.re[k * samples + b]!;
        const inputIm = inputs.im[k * samples + b]!;
        sumRe += weightRe * inputRe - weightIm * inputIm;
        sumIm += weightRe * inputIm + weightIm * inputRe;
      }
      re[j * samples + b] = sumRe;
      im[j * samples + b] = sumIm;
    }
  }
  return { rows: units, columns: samples, re, im };
}

function complexLayerOutput(activation: ActivationName, z: C.ComplexMatrix): C.ComplexMatrix {
  const re = new Float64Array(z.re.length);
  const im = new Float64Array(z.im.length);
  if (activation !== "softmax") {
    for (let index = 0; index < re.length; index++) {
      const value = complexActivation(activation, C.complex(z.re[index]!, z.im[index]));
      re[index] = value.re;
      im[index] = value.im;
    }
    return { rows: z.rows, columns: z.columns, re, im };
  }
  // o_a = 1 / Σ_j e^(z_j − z_a) for the largest real part z_a, then o_k = e^(z_k − z_a) o_a: the
  // term j = a is exactly 1, so the imaginary part of o_a near 1 is not a difference of nearly
  // equal numbers, as in e_a / S, and every exponent has a real part of at most 0.
  for (let b = 0; b < z.columns; b++) {
    let largest = 0;
    for (let j = 1; j < z.rows; j++) if (z.re[j * z.columns + b]! > z.re[largest * z.columns + b]!) largest = j;
    const top = C.complex(z.re[largest * z.columns + b]!, z.im[largest * z.columns + b]);
    const exponentials: C.Complex[] = [];
    let sum = C.complex(0);
    for (let j = 0; j < z.rows; j++) {
      const exponential = C.exp(C.sub(C.complex(z.re[j * z.columns + b]!, z.im[j * z.columns + b]), top));
      exponentials.push(exponential);
      sum = C.add(sum, exponential);
    }
    const largestOutput = C.div(C.complex(1), sum);
    exponentials.forEach((exponential, j) => {
      const value = j === largest ? largestOutput : C.mul(exponential, largestOutput);
      re[j * z.columns + b] = value.re;
      im[j * z.columns + b] = value.im;
    });
  }
  return { rows: z.rows, columns: z.columns, re, im };
}

function complexBatchLoss(loss: LossName, z: C.ComplexMatrix, o: C.ComplexMatrix, targets: Matrix): C.Complex {
  const { rows: units, columns: samples } = o;
  let total = C.complex(0);
  for (let b = 0; b < samples; b++) {
    const at = (matrix: C.ComplexMatrix, k: number): C.Complex => C.complex(matrix.re[k * samples + b]!, matrix.im[k * samples + b]);
    switch (loss) {
      case "squared_error":
        for (let k = 0; k < units; k++) {
          const difference = C.sub(C.complex(targets.get(k, b)), at(o, k));
          total = C.add(total, C.scale(C.mul(difference, difference), 0.5));
        }
        break;
      case "cross_entropy": {
        let maximum = -Infinity;
        for (let k = 0; k < units; k++) maximum = Math.max(maximum, z.re[k * samples + b]!);
        let sum = C.complex(0);
        for (let k = 0; k < units; k++) sum = C.add(sum, C.exp(C.sub(at(z, k), C.complex(maximum))));
        const logNormalizer = C.add(C.complex(maximum), C.log(sum));
        for (let k = 0; k < units; k++) {
          total = C.sub(total, C.scale(C.sub(at(z, k), logNormalizer), targets.get(k, b)));
        }
        break;
      }
      case "binary_cross_entropy":
        for (let k = 0; k < units; k++) {
          const target = targets.get(k, b);
          const preactivation = at(z, k);
          total = C.add(
            total,
            C.add(C.scale(complexSoftplus(C.scale(preactivation, -1)), target), C.scale(complexSoftplus(preactivation), 1 - target)),
          );
        }
        break;
    }
  }
  return C.scale(total, 1 / samples);
}

/**
 * For each entry in the order of `parameterEntries`, whether its value depends on the slope
 * taken at a preactivation exactly at a kink: its gradients with the left and the right slope
 * there differ. All `false` where no preactivation is at a kink.
 */
function conventionalEntries(network: Network, inputs: Matrix, targets: Matrix): boolean[] {
  const count = parameterEntries(network).length;
  if (unitsAtKinks(network, inputs).length === 0) return new Array<boolean>(count).fill(false);
  const left = parameterEntries(gradientsWithKinkSlope(network, inputs, targets, "left"));
  const right = parameterEntries(gradientsWithKinkSlope(network, inputs, targets, "right"));
  return left.map((entry, index) => entry.value !== right[index]!.value);
}
