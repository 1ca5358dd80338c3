/**
 * The Taylor-remainder test, which needs no tolerance on the step: along a random unit
 * direction $u$ (see {@link oracles/lines | lines}) it measures the remainder
 * $r(h) = |E(w + hu) - E(w) - h \nabla E \cdot u|$ for a range of $h$. With the right gradient
 * $r(h) = O(h^2)$, a line of slope $2$ on a log-log plot; with a wrong one the first-order term
 * survives and $r(h) \approx h\,|(\nabla E - g) \cdot u|$, slope $1$. The verdict rests on the
 * fitted slope alone, with no tolerance that depends on $h$ or on the size of the loss.
 *
 * @module
 */
import { backpropagate } from "../model/backprop.js";
import type { Network, ParameterArrays } from "../model/network.js";
import type { Matrix } from "../numeric/tensor.js";
import type { Verdict } from "./comparison.js";
import { alongRandomDirections, dot, largestMagnitude } from "./lines.js";

/** Settings of the Taylor test; every field has a default. */
export interface TaylorOptions {
  /** The seed of the direction. Default 1. */
  readonly seed?: number;
  /** The largest step, relative to $\max(1, \max |w|)$. Default $10^{-2}$. */
  readonly largestStep?: number;
  /** How many steps, each half the one before. Default 12. */
  readonly steps?: number;
  /** The smallest fitted slope that passes. Default 1.8. */
  readonly minimumSlope?: number;
  /** $\lambda' \ge 0$, the coefficient of the weight-decay penalty the loss includes. Default $0$. */
  readonly weightDecay?: number;
}

/** One step of the Taylor test. */
export interface TaylorStep {
  /** $h$. */
  readonly step: number;
  /** $r(h) = |E(w + hu) - E(w) - h \nabla E \cdot u|$. */
  readonly remainder: number;
  /** Whether the point was usable (above ten times the measured round-off level and on the same side of every kink); the fit takes the four smallest usable steps. */
  readonly used: boolean;
}

/** The result of a Taylor-remainder test. */
export interface TaylorReport {
  /** Always `taylor`. */
  readonly method: "taylor";
  /** `passed` (a settled slope at least the minimum), `failed` (a settled slope below it) or `inconclusive` (fewer than 3 usable points, the loss not finite along the direction, or a slope that has not settled). */
  readonly verdict: Verdict;
  /** Whether the verdict is `passed` or `inconclusive` (nothing shows the gradient wrong). */
  readonly passed: boolean;
  /** The least-squares slope of $\log r$ against $\log h$ over the four smallest usable steps, or `NaN` with fewer than three. */
  readonly slope: number;
  /** The smallest slope that passes. */
  readonly minimumSlope: number;
  /** Every step, largest first. */
  readonly steps: readonly TaylorStep[];
  /** Why the verdict is what it is, in words. */
  readonly reason: string;
}

/**
 * The Taylor-remainder test: the slope of $\log r(h)$ against $\log h$ along one random
 * direction.
 *
 * The steps are $h_i = h_0 2^{-i}$, $i = 0, \dots, 11$, with $h_0 = 10^{-2} \max(1, \max |w|)$. A point
 * is left out of the fit when its remainder is below ten times the round-off level (there $r$ is
 * rounding, not Taylor's remainder). The level is measured, not assumed: the largest remainder
 * at three steps of about $10^{-9} h_0$, where Taylor's remainder is negligible, is what rounding
 * contributes (the losses' terms can be much larger than $E$, so $\varepsilon |E|$ alone
 * underestimates it); the threshold is never below $16\,\varepsilon |E|$. A point is also left
 * out when its remainder is below $10 h \cdot 10^{-12} \sum_i |g_i u_i|$: the gradient under test
 * is itself rounded, and that rounding is a first-order term of its own. A point is also left
 * out when $w + h_i u$ puts a `relu` or `leaky_relu` preactivation on the other side of its kink
 * (there $E$ is not smooth along the segment), and when the loss at $w + h_i u$ is not finite
 * (the step carried the parameters past float64's range: the remainder says nothing about the
 * gradient). With fewer than three points left the verdict is `inconclusive`, for example when
 * $E$ is linear along $u$, and says why.
 *
 * The slope is fitted to the four smallest usable steps. That is where the two cases part: a
 * wrong gradient's first-order error $h\,|d|$ overtakes the second-order term $C h^2$ only once
 * $h < |d| / C$. It is also where a right gradient's remainder has usually settled to $C h^2$;
 * but where the second- and third-order terms have opposite signs the remainder dips, and near
 * the dip it follows no single power of $h$. So the verdict also asks the remainder to have
 * settled: the three local slopes between the four points must lie within $0.5$ of each other.
 * If they do, a slope of at least $1.8$ passes and a smaller one fails; if they do not, the test
 * is `inconclusive` and says so, rather than failing a correct gradient. A slope below $1.8$
 * whose local slopes still rise as $h$ shrinks, the last at least $1.5$, is also `inconclusive`:
 * that is a right gradient's remainder climbing back to $h^2$ after a dip, where a wrong one's
 * would fall towards $h^1$.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param analytic - the gradients under test; by default this library's {@link model/backprop!backpropagate | backpropagate}
 *   (with the options' weight decay)
 * @param options - seed, steps, the passing slope and the loss's weight decay (see {@link TaylorOptions})
 */
export function taylorTest(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  analytic?: ParameterArrays,
  options: TaylorOptions = {},
): TaylorReport {
  const weightDecay = options.weightDecay ?? 0;
  const { gradient, parameters, directions, line } = alongRandomDirections(
    network,
    inputs,
    targets,
    analytic ?? backpropagate(network, inputs, targets, undefined, weightDecay).gradients,
    1,
    options.seed ?? 1,
    weightDecay,
  );
  const [direction] = directions;
  const slopeAlong = dot(gradient, direction!);
  const remainderAt = (step: number): { remainder: number; kinkCrossed: boolean } => {
    const point = line.at(direction!, step);
    return { remainder: Math.abs(point.loss - line.loss - step * slopeAlong), kinkCrossed: point.kinkCrossed };
  };
  const largestStep = (options.largestStep ?? 1e-2) * Math.max(1, largestMagnitude(parameters));
  // The round-off level, measured: at steps a million times smaller than the smallest one
  // fitted, Taylor's remainder is about 1e-12 of its value there, so what remains is rounding.
  const roundOff = [1e-9, 2e-9, 3e-9].map((fraction) => remainderAt(fraction * largestStep)).filter((point) => !point.kinkCrossed);
  const noise =
    Math.max(16 * Number.EPSILON * Math.abs(line.loss), 10 * Math.max(0, ...roundOff.map((point) => point.remainder))) + Number.MIN_VALUE;
  // A computed gradient is itself rounded, to about 1e-13 of its terms (the complex step
  // measures that), which leaves a first-order term h·1e-13·Σ|g_i u_i| in every remainder:
  // below ten times that, a remainder says nothing about the gradient.
  const slopeRounding = 1e-12 * gradient.reduce((sum, value, i) => sum + Math.abs(value * direction![i]!), 0);
  const minimumSlope = options.minimumSlope ?? 1.8;
  const steps: TaylorStep[] = [];
  for (let i = 0; i < (options.steps ?? 12); i++) {
    const step = largestStep * Math.pow(2, -i);
    const { remainder, kinkCrossed } = remainderAt(step);
    // A remainder that is not finite (the loss overflowed at w + hu) says nothing about the gradient.
    const usable = !kinkCrossed && Number.isFinite(remainder) && remainder > noise && remainder > 10 * step * slopeRounding;
    steps.push({ step, remainder, used: usable });
  }
  const used = steps.filter((point) => point.used);
  const inconclusive = (reason: string, slope = Number.NaN): TaylorReport => ({
    method: "taylor",
    verdict: "inconclusive",
    passed: true,
    slope,
    minimumSlope,
    steps,
    reason,
  });
  const overflowed = steps.filter((point) => !Number.isFinite(point.remainder)).length;
  if (used.length < 3 && (overflowed > 0 || !Number.isFinite(noise))) {
    return inconclusive(
      `only ${used.length} of ${steps.length} steps usable: the loss is not finite along the direction (it overflowed at ${Math.max(overflowed, 1)} or more steps)`,
    );
  }
  if (used.length < 3) {
    const kinks = steps.filter((point) => !point.used && point.remainder > noise).length;
    return inconclusive(
      kinks > 0
        ? `only ${used.length} of ${steps.length} steps usable: ${kinks} crossed a relu kink`
        : `only ${used.length} of ${steps.length} remainders above the round-off level ${noise.toExponential(1)}: the loss is nearly linear along the direction`,
    );
  }
  const fitted = used.slice(-4);
  const logSteps = fitted.map((point) => Math.log(point.step));
  const logRemainders = fitted.map((point) => Math.log(point.remainder));
  const slope = fittedSlope(logSteps, logRemainders);
  const localSlopes = fitted.slice(1).map((point, i) => (logRemainders[i]! - logRemainders[i + 1]!) / (logSteps[i]! - logSteps[i + 1]!));
  const spread = Math.max(...localSlopes) - Math.min(...localSlopes);
  // Local slopes that rise towards 2 as h shrinks are a right gradient's remainder recovering
  // from a dip; a wrong gradient's fall towards 1.
  const rising = localSlopes.every((value, i) => i === 0 || value >= localSlopes[i - 1]! - 0.05) && localSlopes.at(-1)! >= 1.5;
  if (slope < minimumSlope && rising) {
    return inconclusive(
      `the remainder is still rising towards h^2 over the smallest usable steps (local slopes ${localSlopes.map((value) => value.toFixed(2)).join(", ")}), as after a dip`,
      slope,
    );
  }
  if (!(spread <= maximumSpread)) {
    return inconclusive(
      `the remainder has not settled to one power of h over the smallest usable steps (local slopes ${localSlopes.map((value) => value.toFixed(2)).join(", ")})`,
      slope,
    );
  }
  const passed = slope >= minimumSlope;
  return {
    method: "taylor",
    verdict: passed ? "passed" : "failed",
    passed,
    slope,
    minimumSlope,
    steps,
    reason: passed
      ? `the remainder shrinks like h^${slope.toFixed(2)}: second order, as a correct gradient makes it`
      : `the remainder shrinks like h^${slope.toFixed(2)}, slower than h^${minimumSlope}: a first-order error survives, so the gradient is wrong`,
  };
}

/** How far apart the local slopes of the fitted steps may lie for the slope to count as settled. */
const maximumSpread = 0.5;

/** The least-squares slope of $y$ against $x$. */
function fittedSlope(x: readonly number[], y: readonly number[]): number {
  const meanX = x.reduce((sum, value) => sum + value, 0) / x.length;
  const meanY = y.reduce((sum, value) => sum + value, 0) / y.length;
  let covariance = 0;
  let variance = 0;
  x.forEach((value, i) => {
    covariance += (value - meanX) * (y[i]! - meanY);
    variance += (value - meanX) * (value - meanX);
  });
  return covariance / variance;
}
