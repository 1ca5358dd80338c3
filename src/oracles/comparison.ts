/**
 * The comparison of gradients under test with an oracle's, entry by entry: the relative error
 * with its floor, the tolerances, and the report that names the worst entries.
 *
 * An oracle (see {@link oracles/finite-differences | finite-differences} and
 * {@link oracles/complex-step | complex-step}) produces {@link NumericGradients}, shaped like the
 * parameters; {@link compareGradients} puts them beside the gradients under test and judges
 * every entry that no kink made unreliable.
 *
 * @module
 */
import { parameterEntries, type ParameterArrays } from "../model/network.js";
import { ShapeError } from "../numeric/errors.js";
import { dimensions, type Matrix, type Vector } from "../numeric/tensor.js";

/** The oracles that produce a numeric value for every gradient entry. */
export type EntryMethod = "central" | "richardson" | "complex-step";

/** Settings of a gradient check; every field has a documented default. */
export interface GradientCheckOptions {
  /** The oracle. Default `central`. */
  readonly method?: EntryMethod;
  /**
   * The step $h$ relative to the parameter: $h = r \max(1, |w|)$. Default
   * $r = \varepsilon^{1/3} \approx 6.06 \times 10^{-6}$ for central differences (see
   * {@link oracles/finite-differences!defaultRelativeStep | defaultRelativeStep}) and $\varepsilon^{1/5} \approx 7.4 \times 10^{-4}$ for Richardson
   * extrapolation (see {@link oracles/finite-differences!richardsonRelativeStep | richardsonRelativeStep}); the complex step ignores it.
   */
  readonly relativeStep?: number;
  /** The largest relative error that passes. Default: see {@link defaultTolerances}. */
  readonly tolerance?: number;
  /**
   * The floor of the relative error's denominator (see {@link relativeError}). Default
   * $10^{-3} \max(1, |E|)$ in {@link oracles/gradient-check!checkGradients | checkGradients} (see {@link defaultFloor}), and
   * $10^{-3}$ in {@link compareGradients}, which does not know the loss.
   */
  readonly floor?: number;
  /**
   * $\lambda' \ge 0$, the coefficient of the weight-decay penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$
   * that the loss includes (see {@link model/weight-decay | weight-decay}). Default $0$. The oracles
   * differentiate the loss with its penalty, so that gradients with weight decay are checked
   * against the derivative of the same loss.
   */
  readonly weightDecay?: number;
}

/**
 * The default tolerance of each oracle, about ten times the worst relative error it showed over
 * the 100,000 random cases of `npm run check:deep` (see docs/gradient-checking.md): central
 * differences $10^{-6}$ (worst seen $1.5 \times 10^{-7}$), Richardson extrapolation $10^{-7}$
 * (worst seen $9 \times 10^{-9}$, on entries near the floor where round-off, not truncation,
 * dominates), the complex step $10^{-12}$ (worst seen $6.7 \times 10^{-13}$: its own error is a
 * few ulps, the rest is the analytic gradient's rounding).
 */
export const defaultTolerances: Readonly<Record<EntryMethod, number>> = {
  central: 1e-6,
  richardson: 1e-7,
  "complex-step": 1e-12,
};

/**
 * The default floor of the relative error's denominator, as a multiple of the loss:
 * $\text{floor} = 10^{-3} \max(1, |E|)$.
 *
 * A central difference carries an absolute error of its own, mostly round-off: the two losses
 * it subtracts are each rounded to about $\varepsilon |E|$, so the quotient is off by about
 * $\varepsilon |E| / h \approx 4 \times 10^{-11} |E|$ with the default step (measured on 2,000
 * random cases of the property suite: at most $5 \times 10^{-10}$ for losses up to $10$). An
 * entry whose true value is $0$ or tiny (a dead `relu` unit, an input of zero) would show a
 * relative error near $1$ from that noise alone and fail falsely. With the floor, an absolute
 * error of $10^{-9} \max(1, |E|)$ or less reads as a relative error of at most $10^{-6}$ on such
 * entries, while any mistake larger than that still fails; entries larger than the floor are
 * judged by their true relative error.
 */
export const defaultFloorScale = 1e-3;

/**
 * The floor for a check of a loss $E$: {@link defaultFloorScale} $\times \max(1, |E|)$.
 *
 * @param loss - the batch loss at the point of the check
 */
export function defaultFloor(loss: number): number {
  return defaultFloorScale * Math.max(1, Math.abs(loss));
}

/** Which kind of parameter an entry belongs to. */
export type ParameterKind = "weights" | "biases";

/** One parameter's analytic and numeric derivative and how far apart they are. */
export interface GradientEntry {
  /** The weight layer $l$, from $1$ to $L$ (the array index is $l - 1$). */
  readonly layer: number;
  /** A weight $w^{(l)}_{jk}$ or a bias $b^{(l)}_j$. */
  readonly parameter: ParameterKind;
  /** $j$, the unit of layer $l$. */
  readonly row: number;
  /** $k$, the unit of layer $l-1$ (always $0$ for a bias). */
  readonly column: number;
  /** The gradient under test. */
  readonly analytic: number;
  /** The central difference. */
  readonly numeric: number;
  /** $|a - n|$. */
  readonly absoluteError: number;
  /** $|a - n| / \max(|a|, |n|, \text{floor})$. */
  readonly relativeError: number;
  /** Whether the perturbation moved a `relu` or `leaky_relu` preactivation across its kink; such an entry neither passes nor fails. */
  readonly kinkCrossed: boolean;
  /**
   * Whether the oracle itself overflowed on this entry: its numeric value (or its error
   * estimate) is not finite, because the loss at a perturbed point is not. Such an entry
   * neither passes nor fails: the oracle cannot judge it, and says so.
   */
  readonly oracleOverflowed: boolean;
  /** The oracle's own estimate of its absolute error (Richardson extrapolation), or `null`. */
  readonly estimatedError: number | null;
}

/** What an entry-by-entry oracle produced. */
export interface NumericGradients {
  /** The oracle. */
  readonly method: EntryMethod;
  /** The numeric gradients, shaped like the parameters. */
  readonly gradients: ParameterArrays;
  /** An estimate of each entry's absolute error, shaped like the parameters, or `null`. */
  readonly estimatedErrors: ParameterArrays | null;
  /** For each entry, in the order weights then biases of layer 1, then layer 2, …, row by row: whether a perturbation crossed a kink. */
  readonly kinkCrossed: readonly boolean[];
  /** The relative step used (the absolute step $h$ for the complex step). */
  readonly relativeStep: number;
}

/** The worst entry of one layer's weights or biases. */
export interface LayerSummary {
  /** The weight layer $l$. */
  readonly layer: number;
  /** Weights or biases. */
  readonly parameter: ParameterKind;
  /** How many entries were compared. */
  readonly count: number;
  /** How many of them crossed a kink (and were not judged). */
  readonly kinkCrossings: number;
  /** How many of them the oracle overflowed on (and were not judged). */
  readonly oracleOverflows: number;
  /** The judged entry with the largest relative error, or `null` if no entry was judged. */
  readonly worst: GradientEntry | null;
}

/**
 * What a check concluded: `passed` (every judged entry within the tolerance), `failed` (one
 * beyond it), or `inconclusive` (none beyond it, but the oracle overflowed on some entries, so
 * it could not judge them all).
 */
export type Verdict = "passed" | "failed" | "inconclusive";

/** The result of comparing analytic gradients with numeric ones. */
export interface GradientReport {
  /** The oracle. */
  readonly method: EntryMethod;
  /** {@link Verdict | The verdict}. */
  readonly verdict: Verdict;
  /** Whether nothing shows the gradient wrong: the verdict is `passed` or `inconclusive` (entries that crossed a kink or overflowed the oracle are not judged). */
  readonly passed: boolean;
  /** The largest relative error over the judged entries ($0$ if none was judged). */
  readonly maxRelativeError: number;
  /** The judged entry with the largest relative error, or `null` if every entry crossed a kink. */
  readonly worst: GradientEntry | null;
  /** The judged entries with the largest relative errors, worst first, at most five. */
  readonly worstEntries: readonly GradientEntry[];
  /** How many entries crossed a kink and were not judged. */
  readonly kinkCrossings: number;
  /** How many entries the oracle overflowed on and did not judge. */
  readonly oracleOverflows: number;
  /** The tolerance used. */
  readonly tolerance: number;
  /** The floor of the denominator used. */
  readonly floor: number;
  /** The relative step used. */
  readonly relativeStep: number;
  /** One summary per layer and kind of parameter, weights before biases, layer $1$ first. */
  readonly layers: readonly LayerSummary[];
  /** Every entry, in the order of {@link layers}, row by row. */
  readonly entries: readonly GradientEntry[];
  /**
   * The smallest $|z|$ of a `relu` or `leaky_relu` preactivation ({@link oracles/kinks!kinkDistance | kinkDistance}):
   * `Infinity` without such layers, `null` when the check did not see the network
   * ({@link compareGradients} alone).
   */
  readonly kinkDistance: number | null;
}

/**
 * The relative error of an analytic value $a$ against a numeric value $n$:
 *
 * $$r = \frac{|a - n|}{\max\left(|a|, |n|, \text{floor}\right)}$$
 *
 * Symmetric in $a$ and $n$, equal to the usual relative error when either is large, and an
 * absolute error scaled by $1/\text{floor}$ when both are tiny (see {@link defaultFloor}).
 *
 * @param analytic - $a$
 * @param numeric - $n$
 * @param floor - the smallest denominator
 */
export function relativeError(analytic: number, numeric: number, floor: number): number {
  const difference = Math.abs(analytic - numeric);
  if (difference === 0) return 0;
  return difference / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
}

/**
 * Compares the gradients under test with an oracle's, entry by entry, and reports the worst
 * entries. Entries whose perturbation crossed a kink are listed but not judged.
 *
 * @param analytic - the gradients under test (from {@link model/backprop!backpropagate | backpropagate}, or from anywhere)
 * @param numeric - the oracle's gradients, of the same shapes
 * @param options - the tolerance and floor (see {@link GradientCheckOptions})
 * @throws {@link numeric/errors!ShapeError | ShapeError} if the two do not have the same layers, shapes and biases
 */
export function compareGradients(analytic: ParameterArrays, numeric: NumericGradients, options: GradientCheckOptions = {}): GradientReport {
  assertSameShapes(analytic, numeric.gradients);
  const tolerance = options.tolerance ?? defaultTolerances[numeric.method];
  const floor = options.floor ?? defaultFloorScale;
  const entries: GradientEntry[] = [];
  const layers: LayerSummary[] = [];
  const compareLayer = (
    layer: number,
    parameter: ParameterKind,
    a: Matrix | Vector,
    n: Matrix | Vector,
    estimates: Matrix | Vector | null,
  ): void => {
    const [rows, columns] = a.dimension === 1 ? [a.shape[0]!, 1] : dimensions(a);
    const read = (array: Matrix | Vector, row: number, column: number): number =>
      array.dimension === 1 ? array.get(row) : array.get(row, column);
    let worst: GradientEntry | null = null;
    let crossings = 0;
    let overflows = 0;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const analyticValue = read(a, row, column);
        const numericValue = read(n, row, column);
        const kinkCrossed = numeric.kinkCrossed[entries.length] ?? false;
        const estimatedError = estimates === null ? null : read(estimates, row, column);
        const oracleOverflowed = !Number.isFinite(numericValue) || (estimatedError !== null && !Number.isFinite(estimatedError));
        const entry: GradientEntry = {
          layer,
          parameter,
          row,
          column,
          analytic: analyticValue,
          numeric: numericValue,
          absoluteError: Math.abs(analyticValue - numericValue),
          relativeError: relativeError(analyticValue, numericValue, floor),
          kinkCrossed,
          oracleOverflowed,
          estimatedError,
        };
        entries.push(entry);
        if (kinkCrossed) crossings++;
        else if (oracleOverflowed) overflows++;
        else if (worst === null || !(entry.relativeError <= worst.relativeError)) worst = entry;
      }
    }
    layers.push({ layer, parameter, count: rows * columns, kinkCrossings: crossings, oracleOverflows: overflows, worst });
  };
  analytic.weights.forEach((weights, index) => {
    compareLayer(index + 1, "weights", weights, numeric.gradients.weights[index]!, numeric.estimatedErrors?.weights[index] ?? null);
    if (analytic.biases !== null && numeric.gradients.biases !== null) {
      compareLayer(
        index + 1,
        "biases",
        analytic.biases[index]!,
        numeric.gradients.biases[index]!,
        numeric.estimatedErrors?.biases?.[index] ?? null,
      );
    }
  });
  const judged = entries.filter((entry) => !entry.kinkCrossed && !entry.oracleOverflowed);
  const worstEntries = [...judged].sort((a, b) => worseFirst(a.relativeError, b.relativeError)).slice(0, 5);
  const worst = worstEntries[0] ?? null;
  const oracleOverflows = entries.filter((entry) => !entry.kinkCrossed && entry.oracleOverflowed).length;
  const failed = !judged.every((entry) => entry.relativeError <= tolerance);
  return {
    method: numeric.method,
    verdict: failed ? "failed" : oracleOverflows > 0 ? "inconclusive" : "passed",
    passed: !failed,
    maxRelativeError: worst === null ? 0 : worst.relativeError,
    worst,
    worstEntries,
    kinkCrossings: entries.filter((entry) => entry.kinkCrossed).length,
    oracleOverflows,
    tolerance,
    floor,
    relativeStep: numeric.relativeStep,
    layers,
    entries,
    kinkDistance: null,
  };
}

/** Orders relative errors from worst to best, `NaN` (an oracle or gradient that is not a number) first. */
function worseFirst(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return b - a;
}

function assertSameShapes(analytic: ParameterArrays, numeric: ParameterArrays): void {
  if (analytic.weights.length === 0 || analytic.weights.length !== numeric.weights.length) {
    throw new ShapeError(
      `the gradients to compare have ${analytic.weights.length} and ${numeric.weights.length} weight layers; expected the same number, at least 1`,
    );
  }
  if ((analytic.biases === null) !== (numeric.biases === null)) {
    throw new ShapeError(
      `one set of gradients has biases and the other has none (analytic: ${analytic.biases === null ? "none" : "biases"}, numeric: ${numeric.biases === null ? "none" : "biases"})`,
    );
  }
  analytic.weights.forEach((matrix, index) => {
    const other = numeric.weights[index]!;
    if (matrix.shape.join("×") !== other.shape.join("×")) {
      throw new ShapeError(`weights[${index}] of the gradients to compare are ${matrix.shape.join("×")} and ${other.shape.join("×")}`);
    }
    if (analytic.biases === null) return;
    const [bias, otherBias] = [analytic.biases[index], numeric.biases![index]];
    if (bias === undefined || otherBias === undefined) {
      const side = bias !== undefined ? "the numeric side" : otherBias !== undefined ? "the analytic side" : "both sides";
      throw new ShapeError(
        `biases[${index}] of the gradients to compare is missing on ${side}: expected one bias vector per weight layer, ${analytic.weights.length}, ` +
          `got ${analytic.biases.length} (analytic) and ${numeric.biases!.length} (numeric)`,
      );
    }
    if (bias.shape[0] !== otherBias.shape[0]) {
      throw new ShapeError(`biases[${index}] of the gradients to compare have ${bias.shape[0]} and ${otherBias.shape[0]} entries`);
    }
  });
}

/**
 * The first entry at which two sets of parameter arrays differ by more than a tolerance, in
 * words (its position, both values, the relative error), or `null` when every entry is close.
 * A tolerance of $0$ asks for the same bits, $-0$ told from $0$.
 *
 * @param actual - the arrays under test
 * @param expected - the arrays they should equal
 * @param tolerance - the largest relative error allowed (see {@link relativeError}), or $0$ for bit-identical
 * @param floor - the floor of the relative error's denominator
 */
export function firstParameterDifference(
  actual: ParameterArrays,
  expected: ParameterArrays,
  tolerance: number,
  floor: number,
): string | null {
  const actualEntries = parameterEntries(actual);
  const expectedEntries = parameterEntries(expected);
  if (actualEntries.length !== expectedEntries.length) return `${actualEntries.length} entries, expected ${expectedEntries.length}`;
  for (const [index, entry] of actualEntries.entries()) {
    const other = expectedEntries[index]!;
    if (entry.position !== other.position) return `${entry.position} where ${other.position} was expected`;
    const error = relativeError(entry.value, other.value, floor);
    const mismatch = tolerance === 0 ? !Object.is(entry.value, other.value) : !(error <= tolerance);
    if (mismatch)
      return `${entry.position} is ${entry.value}, expected ${other.value} (relative error ${error.toExponential(2)}, tolerance ${tolerance})`;
  }
  return null;
}
