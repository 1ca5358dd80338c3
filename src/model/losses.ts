/**
 * Loss functions $E$: their values, computed stably, and the first step of the chain rule.
 *
 * Each loss is a sum over the $n_L$ output units of one sample; the loss of a batch of $B$
 * samples is the mean of the per-sample losses, $E = \frac{1}{B}\sum_b E_b$. Targets $t$ and
 * outputs $o$ are $n_L \times B$ matrices, one sample per column.
 *
 * | name | per-sample $E$ | output activation | $\delta^{(L)} = \partial E / \partial z^{(L)}$ per sample |
 * | --- | --- | --- | --- |
 * | `squared_error` | $\frac12 \sum_k (t_k - o_k)^2$ | any | $(o - t) \odot f'(z)$, or through softmax's Jacobian |
 * | `cross_entropy` | $-\sum_k t_k \log o_k$ | `softmax` | $o \sum_k t_k - t$, which is $o - t$ when $\sum_k t_k = 1$ |
 * | `binary_cross_entropy` | $-\sum_k \left[t_k \log o_k + (1 - t_k)\log(1 - o_k)\right]$ | `sigmoid` | $o - t$ |
 *
 * @module
 */
import { softplus } from "./activations.js";
import { dimensions, subtract, zeros, type Matrix } from "../numeric/tensor.js";

/** The names of the losses, as written in a network spec and in the JSON case format. */
export const lossNames = ["squared_error", "cross_entropy", "binary_cross_entropy"] as const;

/** One of {@link lossNames}. */
export type LossName = (typeof lossNames)[number];

/** The losses that fix their output activation, and that activation. */
export const requiredOutputActivation = {
  /** Cross-entropy compares probability vectors, which softmax produces. */
  cross_entropy: "softmax",
  /** Binary cross-entropy compares independent probabilities, which sigmoid produces. */
  binary_cross_entropy: "sigmoid",
} as const;

/** The losses computed together with their output activation: {@link requiredOutputActivation}'s keys. */
export type FusedLossName = keyof typeof requiredOutputActivation;

/**
 * Whether a name is one of the losses.
 *
 * @param name - any value, typically read from JSON
 */
export function isLossName(name: unknown): name is LossName {
  return typeof name === "string" && (lossNames as readonly string[]).includes(name);
}

/**
 * Whether a loss is computed together with its output activation (cross-entropy with softmax,
 * binary cross-entropy with sigmoid).
 *
 * @param name - a loss
 */
export function isFusedLoss(name: LossName): name is FusedLossName {
  return name in requiredOutputActivation;
}

/**
 * The loss of a batch: the mean over samples of each sample's sum over output units.
 *
 * The cross-entropies are computed from the preactivations $z = z^{(L)}$ rather than from
 * $o$, so that $\log o$ is never $\log 0$ even when $o$ rounds to $0$ or $1$:
 *
 * - `cross_entropy`: $\log o_k = z_k - m - \log \sum_j e^{z_j - m}$ with $m = \max_j z_j$
 *   (log-sum-exp), so $E_b = -\sum_k t_k \log o_k$ is finite for every finite $z$;
 * - `binary_cross_entropy`: $-\log \sigma(z) = \operatorname{softplus}(-z)$ and
 *   $-\log(1 - \sigma(z)) = \operatorname{softplus}(z)$, so
 *   $E_b = \sum_k \left[t_k \operatorname{softplus}(-z_k) + (1 - t_k) \operatorname{softplus}(z_k)\right]$.
 *
 * @param name - the loss
 * @param preactivations - $z^{(L)}$, $n_L \times B$ (read by the cross-entropies only)
 * @param outputs - $o^{(L)} = f_L(z^{(L)})$, $n_L \times B$ (read by squared error only)
 * @param targets - $t$, $n_L \times B$
 */
export function batchLoss(name: LossName, preactivations: Matrix, outputs: Matrix, targets: Matrix): number {
  const [units, samples] = dimensions(targets);
  let total = 0;
  for (let b = 0; b < samples; b++) {
    total += sampleLoss(name, preactivations, outputs, targets, b, units);
  }
  if (Number.isFinite(total) || samples === 1) return total / samples;
  // The sum overflowed, but the mean of finite losses never exceeds the largest of them: sum
  // each sample's share instead. Only here, so that every other batch keeps the rounding of
  // the definition, the sum divided by B.
  let mean = 0;
  for (let b = 0; b < samples; b++) {
    mean += sampleLoss(name, preactivations, outputs, targets, b, units) / samples;
  }
  return mean;
}

function sampleLoss(name: LossName, z: Matrix, o: Matrix, t: Matrix, b: number, units: number): number {
  let sum = 0;
  switch (name) {
    case "squared_error":
      for (let k = 0; k < units; k++) {
        const difference = t.get(k, b) - o.get(k, b);
        sum += 0.5 * difference * difference;
      }
      return sum;
    case "cross_entropy": {
      let maximum = -Infinity;
      for (let k = 0; k < units; k++) maximum = Math.max(maximum, z.get(k, b));
      let exponentials = 0;
      for (let k = 0; k < units; k++) exponentials += Math.exp(z.get(k, b) - maximum);
      const logNormalizer = maximum + Math.log(exponentials);
      for (let k = 0; k < units; k++) {
        const target = t.get(k, b);
        if (target !== 0) sum -= target * (z.get(k, b) - logNormalizer);
      }
      return sum;
    }
    case "binary_cross_entropy":
      for (let k = 0; k < units; k++) {
        const target = t.get(k, b);
        const preactivation = z.get(k, b);
        sum += target * softplus(-preactivation) + (1 - target) * softplus(preactivation);
      }
      return sum;
  }
}

/**
 * The output delta $\delta^{(L)} = \partial E_b / \partial z^{(L)}$ of a loss computed together
 * with its output activation, where the two derivatives cancel into a simple difference.
 *
 * - Binary cross-entropy with sigmoid: $\partial E/\partial o_k = \frac{o_k - t_k}{o_k(1 - o_k)}$
 *   and $\sigma'(z_k) = o_k(1 - o_k)$, so $\delta_k = o_k - t_k$.
 * - Cross-entropy with softmax: $\partial E/\partial o_j = -t_j / o_j$ and
 *   $\partial o_j / \partial z_i = o_j(\delta_{ij} - o_i)$, so
 *   $\delta_i = \sum_j -\frac{t_j}{o_j} o_j (\delta_{ij} - o_i) = o_i \sum_j t_j - t_i$,
 *   which is the familiar $o - t$ when the targets of a sample sum to $1$ (one-hot or a
 *   probability vector). The general form is computed, so soft targets that do not sum to one
 *   still get the exact gradient.
 *
 * Neither form divides by $o$ or by $1 - o$, so saturated outputs give exact, finite deltas.
 *
 * @param name - `cross_entropy` or `binary_cross_entropy`
 * @param outputs - $o^{(L)}$, $n_L \times B$ (softmax or sigmoid outputs)
 * @param targets - $t$, $n_L \times B$
 * @param result - where to write $\delta^{(L)}$, $n_L \times B$; a new matrix if left out
 * @returns `result`
 */
export function fusedOutputDelta(
  name: FusedLossName,
  outputs: Matrix,
  targets: Matrix,
  result: Matrix = zeros(...dimensions(targets)),
): Matrix {
  if (name === "binary_cross_entropy") return subtract(outputs, targets, result);
  const [units, samples] = dimensions(targets);
  for (let b = 0; b < samples; b++) {
    let targetSum = 0;
    for (let k = 0; k < units; k++) targetSum += targets.get(k, b);
    for (let k = 0; k < units; k++) result.set(k, b, outputs.get(k, b) * targetSum - targets.get(k, b));
  }
  return result;
}
