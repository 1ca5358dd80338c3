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
import type { NumericGradients } from "./comparison.js";
import { gradientsWithKinkSlope, unitsAtKinks } from "./kink-conventions.js";
import * as C from "../numeric/complex.js";

/** The imaginary step $h$: small enough that $h^2$ vanishes next to $1$, large enough not to underflow. */
export const complexStep = 1e-20;

/** An $n \times B$ matrix of complex numbers, row-major, its real and imaginary parts apart. */
interface ComplexMatrix {
  readonly rows: number;
  readonly columns: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Which parameter carries the imaginary step. */
interface Perturbation {
  /** The weight layer $l$ (1-based). */
  readonly layer: number;
  /** Weights or biases. */
  readonly parameter: "weights" | "biases";
  /** The index into the parameter's row-major data. */
  readonly index: number;
}

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
    case "sigmoid": {
      const one = C.complex(1);
      if (z.re >= 0) return C.div(one, C.add(one, C.exp(C.scale(z, -1))));
      const exponential = C.exp(z);
      return C.div(exponential, C.add(one, exponential));
    }
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
 * Complex-step gradients of the batch loss: one complex forward pass per parameter.
 *
 * Layers before the perturbed one are real and are taken from one real forward pass; the
 * complex pass starts at the perturbed layer.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @returns the gradients and no error estimate. The imaginary step crosses no kink, but at a
 *   preactivation exactly at one the branch taken is a convention (the left slope), so the
 *   entries that depend on it are marked as crossed, and judged by the kinks' own check
 *   ({@link oracles/kink-conventions!judgeAtKinks | judgeAtKinks}) instead
 */
export function complexStepGradients(network: Network, inputs: Matrix, targets: Matrix): NumericGradients {
  const trace = forward(network, inputs);
  const differentiate = (parameters: Matrix | Vector, layer: number, parameter: "weights" | "biases"): Matrix | Vector => {
    const result = zerosLike(parameters);
    for (let index = 0; index < parameters.data.length; index++) {
      result.data[index] = complexLoss(network, trace.outputs[layer - 1]!, targets, { layer, parameter, index }).im / complexStep;
    }
    return result;
  };
  const gradients: ParameterArrays = {
    weights: network.weights.map((weights, index) => differentiate(weights, index + 1, "weights")),
    biases: network.biases?.map((bias, index) => differentiate(bias, index + 1, "biases")) ?? null,
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
 * The batch loss in complex arithmetic, with the imaginary step on one parameter, starting from
 * the real outputs of the layer before it.
 */
function complexLoss(network: Network, previousOutputs: Matrix, targets: Matrix, perturbation: Perturbation): C.Complex {
  const { activations, loss } = network.spec;
  const [inputUnits, samples] = dimensions(previousOutputs);
  let outputs: ComplexMatrix = {
    rows: inputUnits,
    columns: samples,
    re: new Float64Array(inputUnits * samples),
    im: new Float64Array(inputUnits * samples),
  };
  for (let k = 0; k < inputUnits; k++) for (let b = 0; b < samples; b++) outputs.re[k * samples + b] = previousOutputs.get(k, b);
  let preactivations = outputs;
  for (let l = perturbation.layer; l <= network.weights.length; l++) {
    preactivations = complexWeightedSum(network, l, outputs, perturbation);
    outputs = complexLayerOutput(activations[l - 1]!, preactivations);
  }
  return complexBatchLoss(loss, preactivations, outputs, targets);
}

function complexWeightedSum(network: Network, layer: number, inputs: ComplexMatrix, perturbation: Perturbation): ComplexMatrix {
  const weights = network.weights[layer - 1]!;
  const bias = network.biases?.[layer - 1] ?? null;
  const [units, fanIn] = dimensions(weights);
  const samples = inputs.columns;
  const re = new Float64Array(units * samples);
  const im = new Float64Array(units * samples);
  const perturbed = perturbation.layer === layer;
  for (let j = 0; j < units; j++) {
    for (let b = 0; b < samples; b++) {
      let sumRe = bias === null ? 0 : bias.get(j);
      let sumIm = perturbed && perturbation.parameter === "biases" && perturbation.index === j ? complexStep : 0;
      for (let k = 0; k < fanIn; k++) {
        const weightRe = weights.get(j, k);
        const weightIm = perturbed && perturbation.parameter === "weights" && perturbation.index === j * fanIn + k ? complexStep : 0;
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

function complexLayerOutput(activation: ActivationName, z: ComplexMatrix): ComplexMatrix {
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
  for (let b = 0; b < z.columns; b++) {
    let maximum = -Infinity;
    for (let j = 0; j < z.rows; j++) maximum = Math.max(maximum, z.re[j * z.columns + b]!);
    const exponentials: C.Complex[] = [];
    let sum = C.complex(0);
    for (let j = 0; j < z.rows; j++) {
      const exponential = C.exp(C.complex(z.re[j * z.columns + b]! - maximum, z.im[j * z.columns + b]));
      exponentials.push(exponential);
      sum = C.add(sum, exponential);
    }
    exponentials.forEach((exponential, j) => {
      const value = C.div(exponential, sum);
      re[j * z.columns + b] = value.re;
      im[j * z.columns + b] = value.im;
    });
  }
  return { rows: z.rows, columns: z.columns, re, im };
}

function complexBatchLoss(loss: LossName, z: ComplexMatrix, o: ComplexMatrix, targets: Matrix): C.Complex {
  const { rows: units, columns: samples } = o;
  let total = C.complex(0);
  for (let b = 0; b < samples; b++) {
    const at = (matrix: ComplexMatrix, k: number): C.Complex => C.complex(matrix.re[k * samples + b]!, matrix.im[k * samples + b]);
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
