/**
 * Activation functions $f$ and their derivatives $f'$, stable for every finite input.
 *
 * A layer's output is $o^{(l)} = f_l(z^{(l)})$. All activations but softmax act on each entry
 * of $z$ alone, so their derivative is a number per entry and the chain rule through them is an
 * element-wise product, $\partial E / \partial z = \partial E / \partial o \odot f'(z)$. Softmax
 * mixes the entries of a column, its derivative is a matrix (the Jacobian), and it is allowed
 * in the output layer only, where {@link softmaxBackward} applies that Jacobian.
 *
 * Stability: no formula here evaluates `Math.exp` of a positive argument that could overflow,
 * so every finite $z$ gives a finite value and a finite derivative.
 *
 * @module
 */
import { dimensions, mapEntries, zeros, type Matrix } from "../numeric/tensor.js";

/** The names of the activations, as written in a network spec and in the JSON case format. */
export const activationNames = ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity", "softmax"] as const;

/** One of {@link activationNames}. */
export type ActivationName = (typeof activationNames)[number];

/** The activations that act on each entry alone: every activation except `softmax`. */
export type ElementwiseActivationName = Exclude<ActivationName, "softmax">;

/** The slope of `leaky_relu` for negative inputs. */
export const leakyReluSlope = 0.01;

/** An activation that acts on each entry alone: its value and its derivative at one number. */
export interface ElementwiseActivation {
  /** $f(z)$. */
  readonly value: (z: number) => number;
  /** $f'(z)$. */
  readonly derivative: (z: number) => number;
}

/**
 * The logistic sigmoid, computed without overflow.
 *
 * $$\sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}$$
 *
 * The first form is used for $z \ge 0$ and the second for $z < 0$, so `Math.exp` only ever sees
 * a non-positive argument: for $z = -1000$ the first form would compute $1/(1 + \infty) = 0$
 * correctly but $e^{1000}$ on the way; the second gives $e^{-1000}/(1 + e^{-1000})$ directly.
 *
 * @param z - any finite number
 */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const exponential = Math.exp(z);
  return exponential / (1 + exponential);
}

/**
 * The softplus function $\log(1 + e^{z})$, computed without overflow or loss of precision.
 *
 * $$\operatorname{softplus}(z) = \max(z, 0) + \log\!\left(1 + e^{-|z|}\right)$$
 *
 * The two forms agree (for $z > 0$, $\log(1 + e^{z}) = z + \log(e^{-z} + 1)$), the exponent is
 * never positive, and `Math.log1p` keeps the small correction exact when $e^{-|z|}$ is tiny.
 *
 * @param z - any finite number
 */
export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * The element-wise activations by name.
 *
 * | name | $f(z)$ | $f'(z)$ |
 * | --- | --- | --- |
 * | `sigmoid` | $\sigma(z) = 1/(1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z))$ |
 * | `tanh` | $\tanh z$ | $1 - \tanh^2 z$ |
 * | `relu` | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
 * | `leaky_relu` | $z$ if $z > 0$, else $0.01\,z$ | $1$ if $z > 0$, else $0.01$ |
 * | `softplus` | $\log(1 + e^{z})$ | $\sigma(z)$ |
 * | `identity` | $z$ | $1$ |
 *
 * At the kink $z = 0$ of `relu` and `leaky_relu` the derivative does not exist; the table's
 * choice (the left slope) is the usual convention, and gradient checks keep away from it.
 */
export const elementwiseActivations: Readonly<Record<ElementwiseActivationName, ElementwiseActivation>> = {
  sigmoid: {
    value: sigmoid,
    derivative(z) {
      const s = sigmoid(z);
      return s * (1 - s);
    },
  },
  tanh: {
    value: Math.tanh,
    derivative(z) {
      const t = Math.tanh(z);
      return 1 - t * t;
    },
  },
  relu: {
    value: (z) => (z > 0 ? z : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
  },
  leaky_relu: {
    value: (z) => (z > 0 ? z : leakyReluSlope * z),
    derivative: (z) => (z > 0 ? 1 : leakyReluSlope),
  },
  softplus: {
    value: softplus,
    derivative: sigmoid,
  },
  identity: {
    value: (z) => z,
    derivative: () => 1,
  },
};

/**
 * Whether a name is one of the activations.
 *
 * @param name - any value, typically read from JSON
 */
export function isActivationName(name: unknown): name is ActivationName {
  return typeof name === "string" && (activationNames as readonly string[]).includes(name);
}

/**
 * Softmax of each column, with the column's maximum subtracted first.
 *
 * $$o_j = \frac{e^{z_j}}{\sum_k e^{z_k}} = \frac{e^{z_j - m}}{\sum_k e^{z_k - m}}, \qquad m = \max_k z_k$$
 *
 * Subtracting $m$ changes nothing mathematically (it cancels between numerator and
 * denominator) but keeps every exponent at most $0$: no overflow, and the largest term is
 * exactly $1$, so the denominator is at least $1$.
 *
 * @param z - the $n \times B$ preactivations, one sample per column
 * @param result - where to write the $n \times B$ outputs (it may be `z`); a new matrix if left out
 * @returns `result`, whose columns are probability vectors
 */
export function softmax(z: Matrix, result: Matrix = zeros(...dimensions(z))): Matrix {
  const [rows, columns] = dimensions(z);
  for (let b = 0; b < columns; b++) {
    let maximum = -Infinity;
    for (let j = 0; j < rows; j++) maximum = Math.max(maximum, z.get(j, b));
    let sum = 0;
    for (let j = 0; j < rows; j++) {
      const exponential = Math.exp(z.get(j, b) - maximum);
      result.set(j, b, exponential);
      sum += exponential;
    }
    for (let j = 0; j < rows; j++) result.set(j, b, result.get(j, b) / sum);
  }
  return result;
}

/**
 * The chain rule through softmax: from $g = \partial E/\partial o$ to $\partial E/\partial z$.
 *
 * Softmax's Jacobian is $\partial o_j / \partial z_i = o_j(\delta_{ij} - o_i)$ (with $\delta_{ij}$
 * Kronecker's delta), so, column by column,
 *
 * $$\frac{\partial E}{\partial z_i} = \sum_j g_j\, o_j (\delta_{ij} - o_i) = o_i \left(g_i - \sum_j o_j g_j\right)$$
 *
 * which costs $O(n)$ per sample instead of forming the $n \times n$ Jacobian.
 *
 * @param outputs - the softmax outputs $o$, $n \times B$
 * @param outputGradient - $g = \partial E / \partial o$, $n \times B$
 * @param result - where to write $\partial E / \partial z$ (it may be `outputGradient`); a new matrix if left out
 * @returns `result`, $n \times B$
 */
export function softmaxBackward(outputs: Matrix, outputGradient: Matrix, result: Matrix = zeros(...dimensions(outputs))): Matrix {
  const [rows, columns] = dimensions(outputs);
  for (let b = 0; b < columns; b++) {
    let weightedMean = 0;
    for (let j = 0; j < rows; j++) weightedMean += outputs.get(j, b) * outputGradient.get(j, b);
    for (let i = 0; i < rows; i++) {
      result.set(i, b, outputs.get(i, b) * (outputGradient.get(i, b) - weightedMean));
    }
  }
  return result;
}

/**
 * $o = f(z)$ for a whole layer: each entry for element-wise activations, each column for softmax.
 *
 * @param name - the layer's activation
 * @param z - the $n \times B$ preactivations
 * @param into - where to write the $n \times B$ outputs; a new matrix if left out
 * @returns `into`
 */
export function activate(name: ActivationName, z: Matrix, into: Matrix = zeros(...dimensions(z))): Matrix {
  if (name === "softmax") return softmax(z, into);
  return mapEntries(into, z, elementwiseActivations[name].value);
}

/**
 * $f'(z)$ for a whole layer of an element-wise activation.
 *
 * @param name - the layer's activation (not `softmax`, whose derivative is a Jacobian: see {@link softmaxBackward})
 * @param z - the $n \times B$ preactivations
 * @param into - where to write the $n \times B$ derivatives (it may be `z`); a new matrix if left out
 * @returns `into`
 */
export function activationDerivative(name: ElementwiseActivationName, z: Matrix, into: Matrix = zeros(...dimensions(z))): Matrix {
  return mapEntries(into, z, elementwiseActivations[name].derivative);
}
