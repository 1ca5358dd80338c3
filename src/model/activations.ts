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
 * Precision: every value and derivative keeps its relative precision where the unit saturates,
 * to a few roundings of the exact value at the given $z$. No formula subtracts a rounded output
 * from its asymptote ($1 - o$, $1 - t^2$): the distance to the asymptote is computed from $z$
 * (see {@link sigmoidDerivative}, {@link tanhDerivative}, {@link targetMinusActivation} and
 * {@link softmaxComplement}). The 100-digit oracle (`src/oracles/exact-step.ts`) measures it.
 *
 * @module
 */
import { ShapeError } from "../numeric/errors.js";
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
  /** $f''(z)$, the curvature that the second derivative of the loss needs (src/model/second-order.ts). */
  readonly secondDerivative: (z: number) => number;
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
 * The sigmoid's derivative, computed from $z$ so that it keeps its relative precision in the tails.
 *
 * The derivation's form is $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$, and it is the idea to keep:
 * the slope is largest, $\frac14$, at $o = \frac12$, and vanishes as $o$ nears $0$ or $1$. In
 * float64 it fails in the upper tail: $\sigma(z)$ rounds to a number within $2^{-53}$ of $1$, so
 * $1 - \sigma(z)$ keeps fewer and fewer digits (half of them at $z = 18$) and is exactly $0$ above
 * $z \approx 37$, where the true slope is still $10^{-16}$. Written with $e = e^{-\lvert z \rvert}$ instead,
 *
 * $$\sigma(z)\,\sigma(-z) = \frac{1}{1 + e^{-z}} \cdot \frac{1}{1 + e^{z}} = \frac{e}{(1 + e)^2},
 *   \qquad e = e^{-\lvert z \rvert} \in (0, 1],$$
 *
 * (the product is even in $z$, so either sign gives it), which is a product and a quotient of
 * numbers near $1$ and $e$, each with its own relative precision: a few roundings in all, for
 * every $z$, and exactly $0$ only where $e/(1+e)^2$ underflows ($z > 745$).
 *
 * @param z - any finite number
 */
export function sigmoidDerivative(z: number): number {
  const e = Math.exp(-Math.abs(z));
  const denominator = 1 + e;
  return e / (denominator * denominator);
}

/**
 * The tanh's derivative, computed from $z$ so that it keeps its relative precision in the tails.
 *
 * The derivation's form is $\tanh'(z) = 1 - \tanh^2 z$, which cancels as $\tanh z$ rounds
 * toward $\pm 1$ (off by $10^{-4}$ relative at $z = 15$, and $0$ from $z \approx 19$). With
 * $e = e^{-2\lvert z \rvert}$, $\tanh\lvert z \rvert = (1 - e)/(1 + e)$, so
 *
 * $$1 - \tanh^2 z = \frac{(1 + e)^2 - (1 - e)^2}{(1 + e)^2} = \frac{4e}{(1 + e)^2},$$
 *
 * with no subtraction left ($-2\lvert z \rvert$ is exact, $4e$ too): a few roundings for every $z$.
 *
 * @param z - any finite number
 */
export function tanhDerivative(z: number): number {
  const e = Math.exp(-2 * Math.abs(z));
  const denominator = 1 + e;
  return (4 * e) / (denominator * denominator);
}

/**
 * The sigmoid's second derivative, from $z$, keeping its relative precision in both tails.
 *
 * Differentiating $\sigma' = \sigma(1 - \sigma)$ once more gives $\sigma'' = \sigma'(1 - 2\sigma)$, and
 * near $z = 0$, where $\sigma(z)$ is near $\frac12$, $1 - 2\sigma(z)$ is a difference of two numbers
 * near $1$ that keeps few digits of its small result (about $-z/2$). Without a
 * subtraction:
 *
 * $$1 - 2\sigma(z) = \frac{1 + e^{-z} - 2}{1 + e^{-z}} = -\frac{1 - e^{-z}}{1 + e^{-z}} = -\tanh\frac z2,
 *   \qquad \sigma''(z) = -\sigma'(z) \tanh\frac z2,$$
 *
 * a product of two factors that each keep their relative precision (`Math.tanh` is accurate
 * near $0$, where $1 - 2\sigma$ would cancel). It is odd: $0$ at $z = 0$, negative for $z > 0$.
 *
 * @param z - any finite number
 */
export function sigmoidSecondDerivative(z: number): number {
  return -sigmoidDerivative(z) * Math.tanh(z / 2);
}

/**
 * The tanh's second derivative, from $z$: differentiating $\tanh' = 1 - \tanh^2$,
 *
 * $$\tanh''(z) = -2 \tanh z \,(1 - \tanh^2 z) = -2 \tanh(z) \tanh'(z),$$
 *
 * with $\tanh'$ from {@link tanhDerivative}, so no factor is a difference of rounded numbers.
 *
 * @param z - any finite number
 */
export function tanhSecondDerivative(z: number): number {
  return -2 * Math.tanh(z) * tanhDerivative(z);
}

/**
 * $t - f(z)$, the output error of one entry, computed so that an output near an asymptote of
 * its activation loses nothing.
 *
 * A sigmoid output near $1$ (or a tanh output near $\pm 1$) is rounded to a double within
 * $2^{-53}$ of the asymptote, and $t - o$ with $t = 1$ then keeps only the digits that rounding
 * left (none above $z \approx 37$). The distance to the asymptote is known from $z$ without a
 * subtraction: $1 - \sigma(z) = \sigma(-z)$, and $1 - \tanh\lvert z \rvert = 2e/(1 + e)$ with
 * $e = e^{-2\lvert z \rvert}$. So past half way to an asymptote ($\lvert o \rvert > \frac12$),
 *
 * $$t - o = (t - 1) + (1 - o) \quad (z > 0), \qquad t - o = (t + 1) - (1 + o) \quad (z < 0,\ \tanh),$$
 *
 * where $t \mp 1$ is exact for the targets at or near the asymptote that make the case delicate,
 * and otherwise rounded once with a result of at least $\frac12$ in size. Nearer zero, and for
 * every other activation, $t - o$ directly, which keeps the digits of a small $o$ and a small $t$.
 *
 * @param name - the activation $f$
 * @param z - the preactivation
 * @param output - $o = f(z)$, as the forward pass computed it
 * @param target - $t$
 */
export function targetMinusActivation(name: ElementwiseActivationName, z: number, output: number, target: number): number {
  if (name === "sigmoid" && output > 0.5) return target - 1 + sigmoid(-z);
  if (name === "tanh" && Math.abs(output) > 0.5) {
    const e = Math.exp(-2 * Math.abs(z));
    const distance = (2 * e) / (1 + e);
    return z > 0 ? target - 1 + distance : target + 1 - distance;
  }
  return target - output;
}

/**
 * The element-wise activations by name.
 *
 * | name | $f(z)$ | $f'(z)$ | $f''(z)$ |
 * | --- | --- | --- | --- |
 * | `sigmoid` | $\sigma(z) = 1/(1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z))$, computed as $e/(1+e)^2$ with $e = e^{-\lvert z \rvert}$ | $\sigma'(z)(1 - 2\sigma(z))$, computed as $-\sigma'(z)\tanh(z/2)$ |
 * | `tanh` | $\tanh z$ | $1 - \tanh^2 z$, computed as $4e/(1+e)^2$ with $e = e^{-2\lvert z \rvert}$ | $-2\tanh(z)\tanh'(z)$ |
 * | `relu` | $\max(0, z)$ | $1$ if $z > 0$, else $0$ | $0$ |
 * | `leaky_relu` | $z$ if $z > 0$, else $0.01\,z$ | $1$ if $z > 0$, else $0.01$ | $0$ |
 * | `softplus` | $\max(z, 0) + \operatorname{log1p}(e^{-\lvert z \rvert})$ | $\sigma(z)$ | $\sigma'(z)$ |
 * | `identity` | $z$ | $1$ | $0$ |
 *
 * At the kink $z = 0$ of `relu` and `leaky_relu` the derivative does not exist; the table's
 * choice (the left slope) is the usual convention, and gradient checks keep away from it. Away
 * from it both are linear, so their second derivative is $0$; at it, the first derivative jumps
 * and the second is no function at all (a multiple of Dirac's delta), which no finite
 * computation can report: the second-order products of src/model/second-order.ts are those of
 * the piecewise-linear branch the preactivation is on.
 *
 * Every derivative is taken from $z$, never from $o$: where a sigmoid or tanh saturates, $o$ has
 * rounded away the information the slope needs (see {@link sigmoidDerivative} and
 * {@link tanhDerivative}). Softplus needs no such care: its value adds the small correction
 * $\operatorname{log1p}(e^{-\lvert z \rvert})$ to $\max(z, 0)$, never subtracts, and its
 * derivative $\sigma(z)$ is $1/(1 + e)$ or $e/(1 + e)$ with $e = e^{-\lvert z \rvert}$, both
 * with their relative precision in both tails.
 */
export const elementwiseActivations: Readonly<Record<ElementwiseActivationName, ElementwiseActivation>> = {
  sigmoid: {
    value: sigmoid,
    derivative: sigmoidDerivative,
    secondDerivative: sigmoidSecondDerivative,
  },
  tanh: {
    value: Math.tanh,
    derivative: tanhDerivative,
    secondDerivative: tanhSecondDerivative,
  },
  relu: {
    value: (z) => (z > 0 ? z : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
    secondDerivative: () => 0,
  },
  leaky_relu: {
    value: (z) => (z > 0 ? z : leakyReluSlope * z),
    derivative: (z) => (z > 0 ? 1 : leakyReluSlope),
    secondDerivative: () => 0,
  },
  softplus: {
    value: softplus,
    derivative: sigmoid,
    secondDerivative: sigmoidDerivative,
  },
  identity: {
    value: (z) => z,
    derivative: () => 1,
    secondDerivative: () => 0,
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
 * $1 - o_k$ for one entry of a softmax output, computed from $z$ when $o_k$ is near $1$.
 *
 * When $o_k > \frac12$, $z_k$ is the column's largest preactivation ($e^{z_k}$ outweighs all the
 * others together), and the softmax of $z$ gives, with $r = \sum_{j \ne k} e^{z_j - z_k}$ (every
 * exponent at most $0$),
 *
 * $$o_k = \frac{1}{1 + r}, \qquad 1 - o_k = \sum_{j \ne k} o_j = \frac{r}{1 + r},$$
 *
 * with no subtraction: a confident output $o_k = 1 - 10^{-13}$ rounds to a double that keeps
 * only three digits of $1 - o_k$, and $r/(1 + r)$ keeps all of them. When $o_k \le \frac12$,
 * $1 - o_k$ is at least $\frac12$ and the subtraction rounds once.
 *
 * @param z - the $n \times B$ preactivations
 * @param outputs - their softmax, as {@link softmax} computed it
 * @param k - the unit
 * @param b - the sample (column)
 */
export function softmaxComplement(z: Matrix, outputs: Matrix, k: number, b: number): number {
  const output = outputs.get(k, b);
  if (!(output > 0.5)) return 1 - output;
  const [rows] = dimensions(z);
  const largest = z.get(k, b);
  let others = 0;
  for (let j = 0; j < rows; j++) if (j !== k) others += Math.exp(z.get(j, b) - largest);
  return others / (1 + others);
}

/**
 * The chain rule through softmax: from $g = \partial E/\partial o$ to $\partial E/\partial z$.
 *
 * Softmax's Jacobian is $\partial o_j / \partial z_i = o_j(\delta_{ij} - o_i)$ (with $\delta_{ij}$
 * Kronecker's delta), so, column by column,
 *
 * $$\frac{\partial E}{\partial z_i} = \sum_j g_j\, o_j (\delta_{ij} - o_i) = o_i \left(g_i - \sum_j o_j g_j\right)
 *   = o_i \sum_{j \ne i} o_j \left(g_i - g_j\right),$$
 *
 * the last form because $\sum_j o_j = 1$ lets $g_i$ enter the mean: $g_i - \sum_j o_j g_j = \sum_j o_j (g_i - g_j)$,
 * whose term $j = i$ is $0$. The middle form is the familiar one; the code computes the last.
 * When one output is confident, $o_i \approx 1$, the mean $\sum_j o_j g_j$ is within a rounding
 * of $g_i$, and their difference keeps only the digits the rounding left; each $g_i - g_j$ is
 * exact information, weighted by the small $o_j$. It costs $O(n^2)$ per sample instead of
 * $O(n)$, still without forming the $n \times n$ Jacobian.
 *
 * @param outputs - the softmax outputs $o$, $n \times B$
 * @param outputGradient - $g = \partial E / \partial o$, $n \times B$
 * @param result - where to write $\partial E / \partial z$, not `outputGradient` itself (each entry
 *   reads every $g_j$ of its column); a new matrix if left out
 * @returns `result`, $n \times B$
 * @throws {@link numeric/errors!ShapeError | ShapeError} if `result` shares its storage with `outputGradient`
 */
export function softmaxBackward(outputs: Matrix, outputGradient: Matrix, result: Matrix = zeros(...dimensions(outputs))): Matrix {
  if (result.data === outputGradient.data) {
    throw new ShapeError("softmaxBackward cannot write into the array it reads the output gradient from: give it another");
  }
  const [rows, columns] = dimensions(outputs);
  for (let b = 0; b < columns; b++) {
    for (let i = 0; i < rows; i++) {
      const own = outputGradient.get(i, b);
      let weighted = 0;
      for (let j = 0; j < rows; j++) if (j !== i) weighted += outputs.get(j, b) * (own - outputGradient.get(j, b));
      result.set(i, b, outputs.get(i, b) * weighted);
    }
  }
  return result;
}

/**
 * $e = t - o$ for a whole layer of outputs, entry by entry as {@link targetMinusActivation}
 * computes it, and for softmax with the complement $1 - o_k$ of a confident output from $z$
 * ({@link softmaxComplement}): $t_k - o_k = (t_k - 1) + (1 - o_k)$ when $o_k > \frac12$.
 *
 * @param name - the layer's activation
 * @param z - the $n \times B$ preactivations
 * @param outputs - $o = f(z)$, $n \times B$
 * @param targets - $t$, $n \times B$
 * @param into - where to write $t - o$; a new matrix if left out
 * @returns `into`
 */
export function targetMinusOutput(
  name: ActivationName,
  z: Matrix,
  outputs: Matrix,
  targets: Matrix,
  into: Matrix = zeros(...dimensions(outputs)),
): Matrix {
  const [rows, columns] = dimensions(outputs);
  for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) into.set(j, b, targetMinusOutputAt(name, z, outputs, targets, j, b));
  return into;
}

/**
 * One entry of {@link targetMinusOutput}: $t_{jb} - o_{jb}$, for the loss, which needs it without
 * a matrix to write into.
 *
 * @param name - the layer's activation
 * @param z - the $n \times B$ preactivations
 * @param outputs - $o = f(z)$, $n \times B$
 * @param targets - $t$, $n \times B$
 * @param j - the unit
 * @param b - the sample
 */
export function targetMinusOutputAt(name: ActivationName, z: Matrix, outputs: Matrix, targets: Matrix, j: number, b: number): number {
  const output = outputs.get(j, b);
  const target = targets.get(j, b);
  if (name !== "softmax") return targetMinusActivation(name, z.get(j, b), output, target);
  return output > 0.5 ? target - 1 + softmaxComplement(z, outputs, j, b) : target - output;
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
