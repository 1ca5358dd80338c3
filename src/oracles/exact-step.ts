/**
 * The 100-digit oracle: one step of gradient descent on a case (the forward pass, the loss, the
 * deltas, the gradients, the delta weights and the update) computed in decimal arithmetic of
 * {@link oracles/exact-arithmetic!exactDigits | 100 significant digits} from the exact values of
 * the case's float64 numbers.
 *
 * It is independent of the model: it derives the forward and the backward pass here, in
 * `Decimal`s, and imports no function of the model (its types only). Its answers are exact to far
 * more digits than float64 holds, so they judge the float64 reference entry by entry, in units
 * in the last place ({@link oracles/exact-comparison | exact-comparison}), and through it the
 * other oracles and the conformance vectors.
 *
 * A hundred digits are not infinitely many: $1 - \sigma(z)$ formed by subtraction keeps
 * $100 - z/\ln 10$ of them and none at $z = 231$, and the weights of a saturating case give
 * preactivations of hundreds. So the oracle evaluates the same exact quantities through forms
 * that never subtract nearly equal numbers, $e = \exp(-\lvert z \rvert)$ for the tails of
 * sigmoid and tanh, the complement $1 - o_i = \sum_{j \ne i} o_j$ of softmax, $\log \sum$ as
 * $\operatorname{log1p}$ of the terms below the largest. Each form's derivation is beside the
 * function of the model that uses it (`src/model/activations.ts`, `src/model/losses.ts`), and
 * the scale each result carries (see {@link oracles/exact-arithmetic | exact-arithmetic}) is that
 * of those forms: the bound says how close a float64 evaluation that takes the same care comes.
 *
 * @module
 */
import type { Decimal } from "decimal.js";
import type { ElementwiseActivationName } from "../model/activations.js";
import type { Network } from "../model/network.js";
import type { Matrix } from "../numeric/tensor.js";
import {
  applied,
  dividedBy,
  type Exact,
  ExactDecimal,
  exactOne,
  exactZero,
  given,
  exactLog1p,
  minus,
  negated,
  plus,
  roundedConstant,
  sum,
  times,
} from "./exact-arithmetic.js";

/** A matrix of exact numbers: `[j][b]` is row $j$, column (sample) $b$, as in the notation. */
export type ExactMatrix = readonly (readonly Exact[])[];

/** Weights and biases, or their gradients, in exact numbers: `weights[l-1][j][k]`, `biases[l-1][j]`. */
export interface ExactParameters {
  /** One $n_l \times n_{l-1}$ matrix per layer. */
  readonly weights: readonly ExactMatrix[];
  /** One length-$n_l$ vector per layer, or `null` without biases. */
  readonly biases: readonly (readonly Exact[])[] | null;
}

/** Every quantity of one step, exact. */
export interface ExactStep {
  /** $z^{(1)}, \dots, z^{(L)}$. */
  readonly preactivations: readonly ExactMatrix[];
  /** $o^{(1)}, \dots, o^{(L)}$ (the inputs $o^{(0)}$ are given and left out): `outputs[l-1]` is $o^{(l)}$. */
  readonly outputs: readonly ExactMatrix[];
  /** $E$, the batch mean of the loss, plus the weight-decay penalty when $\lambda' > 0$. */
  readonly loss: Exact;
  /** $\delta^{(1)}, \dots, \delta^{(L)}$. */
  readonly deltas: readonly ExactMatrix[];
  /** $\partial E / \partial W^{(l)}$ and $\partial E / \partial b^{(l)}$. */
  readonly gradients: ExactParameters;
  /** $\Delta W^{(l)} = -\eta\, \partial E / \partial W^{(l)}$. */
  readonly deltaWeights: ExactParameters;
  /** $W^{(l)} + \Delta W^{(l)}$ and $b^{(l)} + \Delta b^{(l)}$. */
  readonly updated: ExactParameters;
}

/**
 * One step of gradient descent, exact: what {@link model/backprop!trainingStep | trainingStep}
 * computes in float64.
 *
 * With a weight decay $\lambda' > 0$ the loss gains the penalty
 * $\frac{\lambda'}{2} \sum_l \sum_{j,k} (w^{(l)}_{jk})^2$ (the squares summed layer by layer, row
 * by row, then multiplied by $\lambda'/2$) and each weight's gradient the term $\lambda' w^{(l)}_{jk}$,
 * added to the batch mean: derived here from the penalty's definition, as the rest of the step is.
 *
 * @param network - the network (its weights and biases are read exactly)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param learningRate - $\eta$
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the weight-decay penalty; default $0$, none
 */
export function exactStep(network: Network, inputs: Matrix, targets: Matrix, learningRate: number, weightDecay = 0): ExactStep {
  const { spec } = network;
  const L = spec.activations.length;
  const samples = inputs.shape[1]!;
  const weights = network.weights.map(exactOfMatrix);
  const biases = network.biases?.map((bias) => Array.from({ length: bias.shape[0]! }, (_, j) => given(bias.get(j)))) ?? null;
  const t = exactOfMatrix(targets);

  // The forward pass: z = W o + b, o = f(z).
  const preactivations: ExactMatrix[] = [];
  const outputs: ExactMatrix[] = [];
  // Softmax, the output layer's alone, per sample: the loss and its delta use the same columns.
  let softmax: SoftmaxColumn[] = [];
  let previous = exactOfMatrix(inputs);
  for (let l = 0; l < L; l++) {
    const z = weights[l]!.map((row, j) =>
      columnsOf(samples, (b) => sum([...row.map((w, k) => times(w, previous[k]![b]!)), ...(biases === null ? [] : [biases[l]![j]!])])),
    );
    const activation = spec.activations[l]!;
    let o: Exact[][];
    if (activation === "softmax") {
      softmax = Array.from({ length: samples }, (_, b) => softmaxColumn(z.map((row) => row[b]!)));
      o = z.map((_, j) => softmax.map((column) => column.outputs[j]!));
    } else o = z.map((row) => row.map((entry) => activate(activation, entry)));
    preactivations.push(z);
    outputs.push(o);
    previous = o;
  }

  // The loss and the output delta, from z^{(L)} and t.
  const zL = preactivations[L - 1]!;
  const outputActivation = spec.activations[L - 1]!;
  const units = zL.length;
  const sampleLosses: Exact[] = [];
  const outputDelta: Exact[][] = Array.from({ length: units }, () => []);
  for (let b = 0; b < samples; b++) {
    const z = zL.map((row) => row[b]!);
    const target = t.map((row) => row[b]!);
    const { loss, delta } = lossAndDelta(spec.loss, outputActivation === "softmax" ? softmax[b]! : outputActivation, z, target);
    sampleLosses.push(loss);
    delta.forEach((entry, j) => outputDelta[j]!.push(entry));
  }
  const batchLoss = dividedBy(sum(sampleLosses), given(samples));
  // The penalty (λ'/2) Σ w², the squares summed from the first weight on; none at λ' = 0.
  const decay = given(weightDecay);
  const loss =
    weightDecay === 0
      ? batchLoss
      : plus(
          batchLoss,
          times(dividedBy(decay, given(2)), sum(weights.flatMap((matrix) => matrix.flatMap((row) => row.map((w) => times(w, w)))))),
        );

  // The hidden deltas: δ^{(l)} = (W^{(l+1)ᵀ} δ^{(l+1)}) ⊙ f'(z^{(l)}).
  const deltas: ExactMatrix[] = new Array<ExactMatrix>(L);
  deltas[L - 1] = outputDelta;
  for (let l = L - 2; l >= 0; l--) {
    const next = deltas[l + 1]!;
    const activation = spec.activations[l]! as ElementwiseActivationName;
    deltas[l] = preactivations[l]!.map((row, k) =>
      row.map((z, b) => times(sum(weights[l + 1]!.map((weightRow, j) => times(weightRow[k]!, next[j]![b]!))), derivative(activation, z))),
    );
  }

  // The gradients, batch means: (Σ_b δ_jb o_kb) · (1/B), then −η times them, then the update.
  const inverseBatch = samples === 1 ? exactOne : roundedConstant(new ExactDecimal(1).dividedBy(samples));
  const layerInputs = [exactOfMatrix(inputs), ...outputs.slice(0, -1)];
  // The weights' gradients: the batch mean, plus λ' w with weight decay.
  const gradients: ExactParameters = {
    weights: deltas.map((delta, l) =>
      delta.map((row, j) =>
        layerInputs[l]!.map((inputRow, k) => {
          const mean = times(sum(row.map((entry, b) => times(entry, inputRow[b]!))), inverseBatch);
          return weightDecay === 0 ? mean : plus(mean, times(decay, weights[l]![j]![k]!));
        }),
      ),
    ),
    biases: biases === null ? null : deltas.map((delta) => delta.map((row) => dividedBy(sum(row), given(samples)))),
  };
  const step = given(-learningRate);
  const deltaWeights: ExactParameters = {
    weights: gradients.weights.map((matrix) => matrix.map((row) => row.map((entry) => times(entry, step)))),
    biases: gradients.biases?.map((vector) => vector.map((entry) => times(entry, step))) ?? null,
  };
  const updated: ExactParameters = {
    weights: weights.map((matrix, l) => matrix.map((row, j) => row.map((w, k) => plus(w, deltaWeights.weights[l]![j]![k]!)))),
    biases: biases?.map((vector, l) => vector.map((bias, j) => plus(bias, deltaWeights.biases![l]![j]!))) ?? null,
  };
  return { preactivations, outputs, loss, deltas, gradients, deltaWeights, updated };
}

function exactOfMatrix(matrix: Matrix): Exact[][] {
  return Array.from({ length: matrix.shape[0]! }, (_, j) => Array.from({ length: matrix.shape[1]! }, (_, b) => given(matrix.get(j, b))));
}

function columnsOf(samples: number, entry: (b: number) => Exact): Exact[] {
  return Array.from({ length: samples }, (_, b) => entry(b));
}

const one = new ExactDecimal(1);
const two = new ExactDecimal(2);
const four = new ExactDecimal(4);
const leakySlope = roundedConstant(new ExactDecimal("0.01"));

/**
 * The tails already computed, by factor $c$ and preactivation: the forward pass, the loss and the
 * derivative each need $e$ of the same $z^{(l)}_{jb}$, and a 100-digit exponential is most of the
 * oracle's time. Keyed by the `Decimal` itself, so an entry lives as long as its preactivation.
 */
const tails = { 1: new WeakMap<Decimal, Decimal>(), 2: new WeakMap<Decimal, Decimal>() };

/** $e = \exp(-c\lvert z \rvert)$, the tail of sigmoid ($c = 1$) and tanh ($c = 2$): never an exponent above 0. */
function tail(z: Exact, factor: 1 | 2): Decimal {
  const known = tails[factor].get(z.value);
  if (known !== undefined) return known;
  const e = z.value.abs().times(-factor).exp();
  tails[factor].set(z.value, e);
  return e;
}

/** $\sigma(z)$: $1/(1+e)$ for $z \ge 0$, $e/(1+e)$ below, with $e = \exp(-\lvert z \rvert)$; its slope $\sigma'(z) = e/(1+e)^2$. */
function sigmoidOf(z: Exact): Exact {
  const e = tail(z, 1);
  const value = z.value.isNegative() ? e.dividedBy(one.plus(e)) : one.dividedBy(one.plus(e));
  return applied(value, e.dividedBy(one.plus(e).pow(2)), z);
}

/**
 * $\tanh z$, with its slope $\tanh'(z) = 4e/(1+e)^2$, $e = \exp(-2\lvert z \rvert)$. From
 * $\lvert z \rvert = 1/2$ on, $\tanh \lvert z \rvert = (1 - e)/(1 + e)$ with $e \le e^{-1}$: the
 * subtraction keeps every digit, as $1 - e \ge 0.63$. Nearer zero that form would leave no digit
 * of a tiny $2\lvert z \rvert$, and decimal.js's own $\tanh$ (from $\sinh$ and $\cosh$, two more
 * series) is used instead.
 */
function tanhOf(z: Exact): Exact {
  const e = tail(z, 2);
  let value: Decimal;
  if (z.value.abs().lessThan(0.5)) value = z.value.tanh();
  else {
    const magnitudeOfTanh = one.minus(e).dividedBy(one.plus(e));
    value = z.value.isNegative() ? magnitudeOfTanh.negated() : magnitudeOfTanh;
  }
  return applied(value, four.times(e).dividedBy(one.plus(e).pow(2)), z);
}

/**
 * $1 - f(z)$ for $z \ge 0$, or $1 + f(z)$ for $z < 0$, of sigmoid or tanh: the distance of the
 * output to its nearer asymptote, which float64 cannot get from a rounded $o$.
 * Sigmoid: $1 - \sigma(z) = \sigma(-z) = e/(1+e)$; tanh: $1 - \tanh\lvert z \rvert = 2e/(1+e)$.
 */
function distanceToAsymptote(activation: "sigmoid" | "tanh", z: Exact): Exact {
  const e = tail(z, activation === "sigmoid" ? 1 : 2);
  if (activation === "sigmoid") return applied(e.dividedBy(one.plus(e)), e.dividedBy(one.plus(e).pow(2)), z);
  return applied(two.times(e).dividedBy(one.plus(e)), four.times(e).dividedBy(one.plus(e).pow(2)), z);
}

function activate(activation: ElementwiseActivationName, z: Exact): Exact {
  switch (activation) {
    case "sigmoid":
      return sigmoidOf(z);
    case "tanh":
      return tanhOf(z);
    case "relu":
      return z.value.isPositive() && !z.value.isZero() ? z : exactZero;
    case "leaky_relu":
      return z.value.isPositive() && !z.value.isZero() ? z : times(leakySlope, z);
    case "softplus": {
      // max(z, 0) + log(1 + e), e = exp(−|z|); its slope is σ(z).
      const e = tail(z, 1);
      const correction = applied(exactLog1p(e), one.dividedBy(one.plus(e)), applied(e, e, z));
      return z.value.isPositive() ? plus(z, correction) : correction;
    }
    case "identity":
      return z;
  }
}

/** $f'(z)$, with its own slope $f''(z)$ for the scale. */
function derivative(activation: ElementwiseActivationName, z: Exact): Exact {
  switch (activation) {
    case "sigmoid": {
      // σ'(z) = e/(1+e)², and |σ''(z)| = σ'(z) |1 − 2σ(z)| = σ'(z) (1 − e)/(1 + e).
      const e = tail(z, 1);
      const value = e.dividedBy(one.plus(e).pow(2));
      return applied(value, value.times(one.minus(e)).dividedBy(one.plus(e)), z);
    }
    case "tanh": {
      // tanh'(z) = 4e/(1+e)² with e = exp(−2|z|), and |tanh''(z)| = 2 |tanh z| tanh'(z).
      const e = tail(z, 2);
      const value = four.times(e).dividedBy(one.plus(e).pow(2));
      return applied(value, two.times(value).times(one.minus(e)).dividedBy(one.plus(e)), z);
    }
    case "relu":
      return z.value.isPositive() && !z.value.isZero() ? exactOne : exactZero;
    case "leaky_relu":
      return z.value.isPositive() && !z.value.isZero() ? exactOne : leakySlope;
    case "softplus":
      return sigmoidOf(z);
    case "identity":
      return exactOne;
  }
}

/**
 * $o - t$ for an element-wise output. Past half way to an asymptote ($\lvert o \rvert > 1/2$
 * for sigmoid and tanh), the distance to it is taken from $z$: $o - t = (1 - t) - (1 - o)$ above
 * zero, $(1 + o) - (1 + t)$ below (tanh); nearer zero, $o - t$ directly, which keeps the digits of
 * a small $o$ and a small $t$ that $1 \pm t$ would round away.
 */
function outputMinusTarget(activation: ElementwiseActivationName, z: Exact, target: Exact): Exact {
  const output = activate(activation, z);
  if ((activation === "sigmoid" || activation === "tanh") && output.value.abs().greaterThan(0.5)) {
    const distance = distanceToAsymptote(activation, z);
    if (!z.value.isNegative()) return minus(minus(exactOne, target), distance);
    return minus(distance, plus(exactOne, target));
  }
  return minus(output, target);
}

interface SoftmaxColumn {
  /** $o_j$. */
  readonly outputs: Exact[];
  /** $1 - o_j = \sum_{i \ne j} o_i$. */
  readonly complements: Exact[];
  /** $\log o_j = (z_j - m) - \operatorname{log1p}\left(\sum_{i \ne a} e^{z_i - m}\right)$, $a$ the first largest. */
  readonly logOutputs: Exact[];
}

/** Softmax of one column of preactivations, with the complements and logarithms of its outputs. */
function softmaxColumn(z: readonly Exact[]): SoftmaxColumn {
  let largest = 0;
  z.forEach((entry, j) => {
    if (entry.value.greaterThan(z[largest]!.value)) largest = j;
  });
  // z_a − z_a is exactly 0 and exp(0) exactly 1 in float64 as here: no rounding to carry.
  const shifted = z.map((entry, j) => (j === largest ? exactZero : minus(entry, z[largest]!)));
  const exponentials = shifted.map((entry, j) => {
    if (j === largest) return exactOne;
    const exponential = entry.value.exp();
    return applied(exponential, exponential, entry);
  });
  const total = sum([exponentials[largest]!, ...exponentials.filter((_, j) => j !== largest)]);
  const others = (excluded: number): Exact => sum(exponentials.filter((_, j) => j !== excluded).concat(z.length === 1 ? [exactZero] : []));
  const belowLargest = others(largest);
  const logTotal = applied(exactLog1p(belowLargest.value), one.dividedBy(belowLargest.value.plus(1)), belowLargest);
  return {
    outputs: exponentials.map((entry) => dividedBy(entry, total)),
    complements: z.map((_, j) => dividedBy(others(j), total)),
    logOutputs: shifted.map((entry) => minus(entry, logTotal)),
  };
}

/**
 * The loss of one sample and its output delta $\delta^{(L)} = \partial E_b / \partial z^{(L)}$,
 * from $z^{(L)}$ and $t$ (each of length $n_L$), given the output layer's element-wise activation
 * or, for softmax, the sample's column that the forward pass computed:
 *
 * - squared error: $E_b = \frac12 \sum_k (o_k - t_k)^2$; element-wise,
 *   $\delta_k = (o_k - t_k) f'(z_k)$; softmax, $\delta_i = o_i \sum_{j \ne i} o_j (g_i - g_j)$ with
 *   $g = o - t$ (softmax's Jacobian $o_i(\delta_{ij} - o_j)$ applied to $g$, using $\sum_j o_j = 1$);
 * - cross-entropy: $E_b = -\sum_k t_k \log o_k$, $\delta_i = o_i \sum_{j \ne i} t_j - t_i (1 - o_i)$
 *   for $o_i > \frac12$, and $o_i \sum_j t_j - t_i$ (the same number) below;
 * - binary cross-entropy: $E_b = \sum_k t_k \operatorname{softplus}(-z_k) + (1 - t_k) \operatorname{softplus}(z_k)$,
 *   $\delta_k = \sigma(z_k) - t_k$.
 */
function lossAndDelta(
  loss: Network["spec"]["loss"],
  activation: ElementwiseActivationName | SoftmaxColumn,
  z: readonly Exact[],
  t: readonly Exact[],
): { loss: Exact; delta: Exact[] } {
  const half = given(0.5);
  if (typeof activation !== "string") {
    const { outputs, complements, logOutputs } = activation;
    if (loss === "cross_entropy") {
      const terms = t.map((target, k) => (target.value.isZero() ? exactZero : times(target, logOutputs[k]!)));
      // Past one half, o_i Σ_{j≠i} t_j − t_i (1 − o_i); below, o_i Σ_j t_j − t_i, whose sum of targets is rounded.
      const targetSum = sum(t);
      const delta = outputs.map((o, i) =>
        o.value.greaterThan(0.5)
          ? minus(times(o, sum(t.filter((_, j) => j !== i).concat(t.length === 1 ? [exactZero] : []))), times(t[i]!, complements[i]!))
          : minus(times(o, targetSum), t[i]!),
      );
      return { loss: negated(sum(terms)), delta };
    }
    // A softmax output with squared error: g = o − t, from the complement where o > 1/2.
    const g = outputs.map((o, j) => (o.value.greaterThan(0.5) ? minus(minus(exactOne, t[j]!), complements[j]!) : minus(o, t[j]!)));
    const delta = outputs.map((o, i) =>
      times(o, sum(outputs.map((other, j) => (j === i ? exactZero : times(other, minus(g[i]!, g[j]!)))))),
    );
    return { loss: sum(g.map((entry) => times(half, times(entry, entry)))), delta };
  }
  const elementwise = activation;
  if (loss === "binary_cross_entropy") {
    const terms = z.map((entry, k) =>
      plus(times(t[k]!, activate("softplus", negated(entry))), times(minus(exactOne, t[k]!), activate("softplus", entry))),
    );
    return { loss: sum(terms), delta: z.map((entry, k) => outputMinusTarget("sigmoid", entry, t[k]!)) };
  }
  const g = z.map((entry, k) => outputMinusTarget(elementwise, entry, t[k]!));
  return {
    loss: sum(g.map((entry) => times(half, times(entry, entry)))),
    delta: g.map((entry, k) => times(entry, derivative(elementwise, z[k]!))),
  };
}
