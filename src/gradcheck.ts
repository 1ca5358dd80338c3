/**
 * Gradient checking: numeric gradients by central differences, computed from the loss alone,
 * and a report that compares them with the analytic gradients entry by entry.
 *
 * The numeric gradient never calls the backward pass or any activation's derivative: it
 * perturbs one parameter at a time and evaluates the loss twice. It is therefore an oracle
 * independent of {@link backpropagate}, and agreement between the two is evidence that the
 * derivation and its code are right.
 *
 * @module
 */
import { backpropagate, type ParameterArrays } from "./backprop.js";
import { ShapeError } from "./errors.js";
import { forward, networkLoss } from "./forward.js";
import { cloneNetwork, type Network } from "./network.js";
import { dimensions, zerosLike, type Matrix, type Vector } from "./tensor.js";

/** Settings of a gradient check; every field has a documented default. */
export interface GradientCheckOptions {
  /**
   * The step $h$ relative to the parameter: $h = r \max(1, |w|)$. Default
   * $r = \varepsilon^{1/3} \approx 6.06 \times 10^{-6}$ (see {@link defaultRelativeStep}).
   */
  readonly relativeStep?: number;
  /** The largest relative error that passes. Default $10^{-6}$. */
  readonly tolerance?: number;
  /**
   * The floor of the relative error's denominator (see {@link relativeError}). Default
   * $10^{-3} \max(1, |E|)$ in {@link checkGradients} (see {@link defaultFloor}), and
   * $10^{-3}$ in {@link compareGradients}, which does not know the loss.
   */
  readonly floor?: number;
}

/**
 * The default relative step, $\varepsilon^{1/3}$ with $\varepsilon = 2^{-52}$ the float64 machine
 * epsilon.
 *
 * A central difference has two errors that pull the step in opposite directions:
 *
 * $$\frac{E(w + h) - E(w - h)}{2h} = \frac{\partial E}{\partial w}
 *   + \underbrace{\frac{h^2}{6} \frac{\partial^3 E}{\partial w^3}}_{\text{truncation}}
 *   + \underbrace{O\!\left(\frac{\varepsilon |E|}{h}\right)}_{\text{round-off}}$$
 *
 * The sum of $h^2$ and $\varepsilon / h$ is smallest near $h \approx \varepsilon^{1/3}$, where both
 * are about $\varepsilon^{2/3} \approx 4 \times 10^{-11}$ (for derivatives and losses of order one).
 * The step grows with $|w|$ so that $w \pm h$ still differ from $w$ in about the same number of
 * bits when $|w| > 1$.
 */
export const defaultRelativeStep = Math.cbrt(Number.EPSILON);

/** The default tolerance on the relative error of every entry: $10^{-6}$. */
export const defaultTolerance = 1e-6;

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

/**
 * How close a `relu` or `leaky_relu` preactivation may come to its kink at $z = 0$ before a
 * check warns: $10^{-3}$, about a hundred times the largest step the default settings take for
 * parameters up to $1.5$ in magnitude.
 *
 * A central difference that moves a preactivation across the kink measures the mean of the
 * two slopes, not the derivative, and fails for a reason that is not a mistake in the
 * gradient. How far a step moves $z$ depends on the rest of the network, so the margin is a
 * rule of thumb: {@link checkGradients} reports the closest distance it saw, and the property
 * suite's generators keep every such preactivation beyond this margin.
 */
export const kinkMargin = 1e-3;

/**
 * The smallest $|z|$ over the preactivations of the `relu` and `leaky_relu` layers on a batch,
 * or `Infinity` for a network without such layers.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 */
export function kinkDistance(network: Network, inputs: Matrix): number {
  const { activations } = network.spec;
  if (!activations.some((activation) => activation === "relu" || activation === "leaky_relu")) return Infinity;
  const trace = forward(network, inputs);
  let smallest = Infinity;
  activations.forEach((activation, index) => {
    if (activation !== "relu" && activation !== "leaky_relu") return;
    const z = trace.preactivations[index]!;
    const [rows, columns] = dimensions(z);
    for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) smallest = Math.min(smallest, Math.abs(z.get(j, b)));
  });
  return smallest;
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
}

/** The worst entry of one layer's weights or biases. */
export interface LayerSummary {
  /** The weight layer $l$. */
  readonly layer: number;
  /** Weights or biases. */
  readonly parameter: ParameterKind;
  /** How many entries were compared. */
  readonly count: number;
  /** The entry with the largest relative error. */
  readonly worst: GradientEntry;
}

/** The result of comparing analytic gradients with numeric ones. */
export interface GradientReport {
  /** Whether every entry's relative error is at most the tolerance. */
  readonly passed: boolean;
  /** The largest relative error over all entries. */
  readonly maxRelativeError: number;
  /** The entry with the largest relative error. */
  readonly worst: GradientEntry;
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
   * The smallest $|z|$ of a `relu` or `leaky_relu` preactivation ({@link kinkDistance}):
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
 * Numeric gradients of the batch loss by central differences, one parameter at a time.
 *
 * For each parameter $w$: $h = r \max(1, |w|)$, then
 *
 * $$\frac{\partial E}{\partial w} \approx \frac{E(w^+) - E(w^-)}{w^+ - w^-}, \qquad w^\pm = w \pm h$$
 *
 * dividing by the step actually taken, $w^+ - w^-$ as rounded in float64, rather than by $2h$.
 * Cost: two forward passes per parameter.
 *
 * @param network - the network (left unchanged)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the relative step (see {@link GradientCheckOptions})
 * @returns new arrays shaped like the parameters
 */
export function numericGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  options: GradientCheckOptions = {},
): ParameterArrays {
  const relativeStep = options.relativeStep ?? defaultRelativeStep;
  const probe = cloneNetwork(network);
  const lossAt = (): number => networkLoss(probe, inputs, targets);
  const centralDifference = (array: Matrix | Vector, index: number): number => {
    const original = array.data[index]!;
    const step = relativeStep * Math.max(1, Math.abs(original));
    const up = original + step;
    const down = original - step;
    array.data[index] = up;
    const lossUp = lossAt();
    array.data[index] = down;
    const lossDown = lossAt();
    array.data[index] = original;
    return (lossUp - lossDown) / (up - down);
  };
  const differentiate = <Shaped extends Matrix | Vector>(parameters: Shaped): Shaped => {
    const result = zerosLike(parameters);
    for (let index = 0; index < parameters.data.length; index++) {
      result.data[index] = centralDifference(parameters, index);
    }
    return result;
  };
  return {
    weights: probe.weights.map(differentiate),
    biases: probe.biases?.map(differentiate) ?? null,
  };
}

/**
 * Compares two sets of gradients entry by entry and reports the worst entries.
 *
 * @param analytic - the gradients under test (from {@link backpropagate}, or from anywhere)
 * @param numeric - the oracle's gradients, of the same shapes
 * @param options - the tolerance and floor (see {@link GradientCheckOptions})
 */
export function compareGradients(
  analytic: ParameterArrays,
  numeric: ParameterArrays,
  options: GradientCheckOptions = {},
): GradientReport {
  assertSameShapes(analytic, numeric);
  const tolerance = options.tolerance ?? defaultTolerance;
  const floor = options.floor ?? defaultFloorScale;
  const entries: GradientEntry[] = [];
  const layers: LayerSummary[] = [];
  const compareLayer = (layer: number, parameter: ParameterKind, a: Matrix | Vector, n: Matrix | Vector): void => {
    const [rows, columns] = a.dimension === 1 ? [a.shape[0]!, 1] : dimensions(a);
    const read = (array: Matrix | Vector, row: number, column: number): number =>
      array.dimension === 1 ? array.get(row) : array.get(row, column);
    let worst: GradientEntry | undefined;
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const analyticValue = read(a, row, column);
        const numericValue = read(n, row, column);
        const entry: GradientEntry = {
          layer,
          parameter,
          row,
          column,
          analytic: analyticValue,
          numeric: numericValue,
          absoluteError: Math.abs(analyticValue - numericValue),
          relativeError: relativeError(analyticValue, numericValue, floor),
        };
        entries.push(entry);
        if (worst === undefined || !(entry.relativeError <= worst.relativeError)) worst = entry;
      }
    }
    layers.push({ layer, parameter, count: rows * columns, worst: worst! });
  };
  analytic.weights.forEach((weights, index) => {
    compareLayer(index + 1, "weights", weights, numeric.weights[index]!);
    if (analytic.biases !== null && numeric.biases !== null) {
      compareLayer(index + 1, "biases", analytic.biases[index]!, numeric.biases[index]!);
    }
  });
  const worst = layers
    .map((summary) => summary.worst)
    .reduce((a, b) => (!(b.relativeError <= a.relativeError) ? b : a));
  return {
    passed: worst.relativeError <= tolerance,
    maxRelativeError: worst.relativeError,
    worst,
    tolerance,
    floor,
    relativeStep: options.relativeStep ?? defaultRelativeStep,
    layers,
    entries,
    kinkDistance: null,
  };
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
    const [bias, otherBias] = [analytic.biases?.[index], numeric.biases?.[index]];
    if (analytic.biases !== null && bias?.shape[0] !== otherBias?.shape[0]) {
      throw new ShapeError(`biases[${index}] of the gradients to compare have ${bias?.shape[0]} and ${otherBias?.shape[0]} entries`);
    }
  });
}

/**
 * Checks gradients of a network's loss on a batch against central differences.
 *
 * The report also gives the distance of the closest `relu` or `leaky_relu` preactivation to
 * its kink ({@link kinkDistance}); a failure with that distance below {@link kinkMargin} may be
 * the kink's and not the gradient's, and {@link formatReport} says so.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param analytic - the gradients to check; by default this library's {@link backpropagate}
 * @param options - step, tolerance and floor (see {@link GradientCheckOptions})
 */
export function checkGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  analytic: ParameterArrays = backpropagate(network, inputs, targets).gradients,
  options: GradientCheckOptions = {},
): GradientReport {
  const floor = options.floor ?? defaultFloor(networkLoss(network, inputs, targets));
  const report = compareGradients(analytic, numericGradients(network, inputs, targets, options), { ...options, floor });
  return { ...report, kinkDistance: kinkDistance(network, inputs) };
}

/**
 * One entry in words: `layer 2 weights[1][0]: analytic …, numeric …, relative error …`.
 *
 * The indices are those of the JSON case format (`weights[l-1][j][k]`), the layer is $l$.
 *
 * @param entry - an entry of a report
 */
export function describeEntry(entry: GradientEntry): string {
  const position =
    entry.parameter === "weights"
      ? `weights[${entry.layer - 1}][${entry.row}][${entry.column}]`
      : `biases[${entry.layer - 1}][${entry.row}]`;
  return (
    `layer ${entry.layer} ${position}: analytic ${entry.analytic}, numeric ${entry.numeric}, ` +
    `absolute error ${entry.absoluteError.toExponential(2)}, relative error ${entry.relativeError.toExponential(2)}`
  );
}

/**
 * A report as a table, one line per layer and kind of parameter, then the verdict.
 *
 * @param report - a report from {@link compareGradients} or {@link checkGradients}
 */
export function formatReport(report: GradientReport): string {
  const header = ["layer", "parameter", "entries", "worst entry", "analytic", "numeric", "relative error"];
  const rows = report.layers.map((summary) => {
    const { worst } = summary;
    const position = summary.parameter === "weights" ? `[${worst.row}][${worst.column}]` : `[${worst.row}]`;
    return [
      String(summary.layer),
      summary.parameter,
      String(summary.count),
      position,
      worst.analytic.toPrecision(10),
      worst.numeric.toPrecision(10),
      worst.relativeError.toExponential(2),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  const verdict = report.passed
    ? `passed: worst relative error ${report.maxRelativeError.toExponential(2)} ≤ tolerance ${report.tolerance.toExponential(0)}`
    : `FAILED: ${describeEntry(report.worst)} > tolerance ${report.tolerance.toExponential(0)}`;
  const kink =
    report.kinkDistance === null || report.kinkDistance === Infinity
      ? []
      : report.kinkDistance < kinkMargin
        ? [
            `warning: a relu/leaky_relu preactivation lies ${report.kinkDistance.toExponential(2)} from its kink at 0, ` +
              `inside the ${kinkMargin.toExponential(0)} margin: a central difference there may straddle the kink`,
          ]
        : [`relu/leaky_relu preactivations keep at least ${report.kinkDistance.toExponential(2)} from the kink at 0`];
  return [
    line(header),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map(line),
    "",
    `central differences, step ${report.relativeStep.toExponential(2)} × max(1, |w|), floor ${report.floor.toExponential(2)}`,
    ...kink,
    verdict,
  ].join("\n");
}
