/**
 * Gradient checking entry by entry: numeric gradients computed from the loss alone, and a
 * report that compares them with the gradients under test.
 *
 * Three oracles, none of which calls the backward pass or any activation's derivative:
 * - central differences ({@link numericGradients}): two losses per parameter, step
 *   $\varepsilon^{1/3}$, error about $10^{-10}$;
 * - Richardson extrapolation ({@link richardsonGradients}): two central differences with steps
 *   $h$ and $h/2$ combined so that the $h^2$ error cancels, error $O(h^4)$, with an error
 *   estimate for every entry;
 * - the complex step ({@link complexStepGradients}): one complex forward pass per parameter,
 *   exact to a few ulps.
 *
 * Agreement between the gradients of {@link backpropagate} and these oracles is evidence that
 * the derivation and its code are right; {@link checkGradients} runs one oracle and compares.
 * Perturbing a parameter can move a `relu` or `leaky_relu` preactivation across its kink at
 * $0$, where a difference measures the mean of two slopes; the finite-difference oracles notice
 * and mark such entries "kink crossed" instead of failing them.
 *
 * @module
 */
import { backpropagate } from "../model/backprop.js";
import { forward, networkLoss, traceLoss } from "../model/forward.js";
import { cloneNetwork, type Network, type ParameterArrays } from "../model/network.js";
import { ShapeError } from "../numeric/errors.js";
import { dimensions, type Matrix, type Vector, zerosLike } from "../numeric/tensor.js";
import { complexStepGradients } from "./complex-step.js";

/** The oracles that produce a numeric value for every gradient entry. */
export type EntryMethod = "central" | "richardson" | "complex-step";

/** Settings of a gradient check; every field has a documented default. */
export interface GradientCheckOptions {
  /** The oracle. Default `central`. */
  readonly method?: EntryMethod;
  /**
   * The step $h$ relative to the parameter: $h = r \max(1, |w|)$. Default
   * $r = \varepsilon^{1/3} \approx 6.06 \times 10^{-6}$ for central differences (see
   * {@link defaultRelativeStep}) and $\varepsilon^{1/5} \approx 7.4 \times 10^{-4}$ for Richardson
   * extrapolation (see {@link richardsonRelativeStep}); the complex step ignores it.
   */
  readonly relativeStep?: number;
  /** The largest relative error that passes. Default: see {@link defaultTolerances}. */
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

/**
 * The default relative step of Richardson extrapolation, $\varepsilon^{1/5} \approx 7.4 \times 10^{-4}$.
 *
 * Extrapolation removes the $h^2$ term, leaving truncation of order $h^4$ against round-off of
 * order $\varepsilon / h$; their sum is smallest near $h \approx \varepsilon^{1/5}$, where both are
 * about $\varepsilon^{4/5} \approx 3 \times 10^{-13}$.
 */
export const richardsonRelativeStep = Math.pow(Number.EPSILON, 1 / 5);

/** The default tolerance on the relative error of every entry for central differences: $10^{-6}$. */
export const defaultTolerance = 1e-6;

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
  /** Whether the perturbation moved a `relu` or `leaky_relu` preactivation across its kink; such an entry neither passes nor fails. */
  readonly kinkCrossed: boolean;
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
  /** The judged entry with the largest relative error, or `null` if every entry crossed a kink. */
  readonly worst: GradientEntry | null;
}

/** The result of comparing analytic gradients with numeric ones. */
export interface GradientReport {
  /** The oracle. */
  readonly method: EntryMethod;
  /** Whether every judged entry's relative error is at most the tolerance (entries that crossed a kink are not judged). */
  readonly passed: boolean;
  /** The largest relative error over the judged entries ($0$ if none was judged). */
  readonly maxRelativeError: number;
  /** The judged entry with the largest relative error, or `null` if every entry crossed a kink. */
  readonly worst: GradientEntry | null;
  /** The judged entries with the largest relative errors, worst first, at most five. */
  readonly worstEntries: readonly GradientEntry[];
  /** How many entries crossed a kink and were not judged. */
  readonly kinkCrossings: number;
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
 */
export function numericGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  options: GradientCheckOptions = {},
): NumericGradients {
  const relativeStep = options.relativeStep ?? defaultRelativeStep;
  return perturbEachParameter(network, inputs, targets, "central", relativeStep, (lossAt, original, step) => {
    const up = original + step;
    const down = original - step;
    return { value: (lossAt(up) - lossAt(down)) / (up - down), error: null };
  });
}

/**
 * Numeric gradients by Richardson extrapolation of two central differences, with an error
 * estimate for every entry.
 *
 * A central difference with step $h$ has the expansion $D(h) = E' + c h^2 + O(h^4)$. Combining
 * the steps $h$ and $h/2$ cancels the $h^2$ term:
 *
 * $$R = \frac{4\, D(h/2) - D(h)}{3} = E' + O(h^4), \qquad
 *   \text{estimated error} = \frac{|D(h) - D(h/2)|}{3}$$
 *
 * The estimate is that of $D(h/2)$'s error $c h^2 / 4$, a conservative bound for $R$ as long as
 * the expansion holds. Cost: four forward passes per parameter. Default step
 * $h = \varepsilon^{1/5} \max(1, |w|)$ (see {@link richardsonRelativeStep}).
 *
 * @param network - the network (left unchanged)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the relative step (see {@link GradientCheckOptions})
 */
export function richardsonGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  options: GradientCheckOptions = {},
): NumericGradients {
  const relativeStep = options.relativeStep ?? richardsonRelativeStep;
  return perturbEachParameter(network, inputs, targets, "richardson", relativeStep, (lossAt, original, step) => {
    const central = (size: number): number => {
      const up = original + size;
      const down = original - size;
      return (lossAt(up) - lossAt(down)) / (up - down);
    };
    const coarse = central(step);
    const fine = central(step / 2);
    return { value: (4 * fine - coarse) / 3, error: Math.abs(coarse - fine) / 3 };
  });
}

/**
 * Runs an estimate of the derivative for every parameter of a copy of the network, noting for
 * each whether any loss it evaluated put a `relu` or `leaky_relu` preactivation on the other
 * side of the kink from where the unperturbed network has it.
 */
function perturbEachParameter(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  method: EntryMethod,
  relativeStep: number,
  estimate: (lossAt: (value: number) => number, original: number, step: number) => { value: number; error: number | null },
): NumericGradients {
  const probe = cloneNetwork(network);
  const branches = kinkBranches(network, forward(network, inputs).preactivations);
  const kinkCrossed: boolean[] = [];
  const differentiate = <Shaped extends Matrix | Vector>(parameters: Shaped, errors: Shaped): Shaped => {
    const result = zerosLike(parameters);
    for (let index = 0; index < parameters.data.length; index++) {
      const original = parameters.data[index]!;
      let crossed = false;
      const lossAt = (value: number): number => {
        parameters.data[index] = value;
        const trace = forward(probe, inputs);
        parameters.data[index] = original;
        if (!crossed) crossed = crossesKink(branches, probe, trace.preactivations);
        return traceLoss(probe, trace, targets);
      };
      const { value, error } = estimate(lossAt, original, relativeStep * Math.max(1, Math.abs(original)));
      result.data[index] = value;
      errors.data[index] = error ?? 0;
      kinkCrossed.push(crossed);
    }
    return result;
  };
  const weightErrors = probe.weights.map((weights) => zerosLike(weights));
  const biasErrors = probe.biases?.map((bias) => zerosLike(bias)) ?? null;
  const gradients: ParameterArrays = { weights: [], biases: probe.biases === null ? null : [] };
  probe.weights.forEach((weights, index) => {
    (gradients.weights as Matrix[]).push(differentiate(weights, weightErrors[index]!));
    if (probe.biases !== null) (gradients.biases as Vector[]).push(differentiate(probe.biases[index]!, biasErrors![index]!));
  });
  return {
    method,
    gradients,
    estimatedErrors: method === "richardson" ? { weights: weightErrors, biases: biasErrors } : null,
    kinkCrossed,
    relativeStep,
  };
}

/**
 * The side of its kink, $z > 0$, of every `relu` and `leaky_relu` preactivation, layer by layer,
 * row by row, sample by sample: two calls agree entry for entry exactly when no such
 * preactivation has crossed its kink between them (see {@link crossesKink}).
 *
 * @param network - the network (its activations say which layers to look at)
 * @param preactivations - $z^{(1)}, \dots, z^{(L)}$ of a forward pass
 */
export function kinkBranches(network: Network, preactivations: readonly Matrix[]): boolean[] {
  const branches: boolean[] = [];
  network.spec.activations.forEach((activation, index) => {
    if (activation !== "relu" && activation !== "leaky_relu") return;
    const z = preactivations[index]!;
    const [rows, columns] = dimensions(z);
    for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) branches.push(z.get(j, b) > 0);
  });
  return branches;
}

/**
 * Whether a perturbed forward pass put any `relu` or `leaky_relu` preactivation on the other side
 * of its kink from where it was.
 *
 * @param base - {@link kinkBranches} of the unperturbed network
 * @param network - the perturbed network
 * @param preactivations - its preactivations
 */
export function crossesKink(base: readonly boolean[], network: Network, preactivations: readonly Matrix[]): boolean {
  return base.length > 0 && kinkBranches(network, preactivations).some((branch, position) => branch !== base[position]);
}

/**
 * Compares the gradients under test with an oracle's, entry by entry, and reports the worst
 * entries. Entries whose perturbation crossed a kink are listed but not judged.
 *
 * @param analytic - the gradients under test (from {@link backpropagate}, or from anywhere)
 * @param numeric - the oracle's gradients, of the same shapes
 * @param options - the tolerance and floor (see {@link GradientCheckOptions})
 * @throws {@link numeric/errors!ShapeError | ShapeError} if the two do not have the same layers, shapes and biases
 */
export function compareGradients(
  analytic: ParameterArrays,
  numeric: NumericGradients,
  options: GradientCheckOptions = {},
): GradientReport {
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
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const analyticValue = read(a, row, column);
        const numericValue = read(n, row, column);
        const kinkCrossed = numeric.kinkCrossed[entries.length] ?? false;
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
          estimatedError: estimates === null ? null : read(estimates, row, column),
        };
        entries.push(entry);
        if (kinkCrossed) crossings++;
        else if (worst === null || !(entry.relativeError <= worst.relativeError)) worst = entry;
      }
    }
    layers.push({ layer, parameter, count: rows * columns, kinkCrossings: crossings, worst });
  };
  analytic.weights.forEach((weights, index) => {
    compareLayer(index + 1, "weights", weights, numeric.gradients.weights[index]!, numeric.estimatedErrors?.weights[index] ?? null);
    if (analytic.biases !== null && numeric.gradients.biases !== null) {
      compareLayer(index + 1, "biases", analytic.biases[index]!, numeric.gradients.biases[index]!, numeric.estimatedErrors?.biases?.[index] ?? null);
    }
  });
  const judged = entries.filter((entry) => !entry.kinkCrossed);
  const worstEntries = [...judged].sort((a, b) => worseFirst(a.relativeError, b.relativeError)).slice(0, 5);
  const worst = worstEntries[0] ?? null;
  return {
    method: numeric.method,
    passed: judged.every((entry) => entry.relativeError <= tolerance),
    maxRelativeError: worst === null ? 0 : worst.relativeError,
    worst,
    worstEntries,
    kinkCrossings: entries.length - judged.length,
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
 * Checks gradients of a network's loss on a batch against one oracle (central differences by
 * default).
 *
 * The report also gives the distance of the closest `relu` or `leaky_relu` preactivation to
 * its kink ({@link kinkDistance}); entries whose perturbation crossed the kink are reported as
 * such and not judged.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param analytic - the gradients to check; by default this library's {@link backpropagate}
 * @param options - oracle, step, tolerance and floor (see {@link GradientCheckOptions})
 */
export function checkGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  analytic: ParameterArrays = backpropagate(network, inputs, targets).gradients,
  options: GradientCheckOptions = {},
): GradientReport {
  const floor = options.floor ?? defaultFloor(networkLoss(network, inputs, targets));
  const report = compareGradients(analytic, oracleGradients(network, inputs, targets, options), { ...options, floor });
  return { ...report, kinkDistance: kinkDistance(network, inputs) };
}

/**
 * The numeric gradients of the oracle named in the options.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the oracle and its step
 */
export function oracleGradients(network: Network, inputs: Matrix, targets: Matrix, options: GradientCheckOptions = {}): NumericGradients {
  switch (options.method ?? "central") {
    case "central":
      return numericGradients(network, inputs, targets, options);
    case "richardson":
      return richardsonGradients(network, inputs, targets, options);
    case "complex-step":
      return complexStepGradients(network, inputs, targets);
  }
}

/**
 * One entry in words: `layer 2 weights[1][0][1]: analytic …, numeric …, relative error …`.
 *
 * The indices are those of the JSON case format (`weights[l-1][j][k]`), the layer is $l$.
 *
 * @param entry - an entry of a report
 */
export function describeEntry(entry: GradientEntry): string {
  const estimate = entry.estimatedError === null ? "" : ` (oracle's error estimate ${entry.estimatedError.toExponential(2)})`;
  return (
    `layer ${entry.layer} ${entryPosition(entry)}: analytic ${entry.analytic}, numeric ${entry.numeric}${estimate}, ` +
    `absolute error ${entry.absoluteError.toExponential(2)}, relative error ${entry.relativeError.toExponential(2)}` +
    (entry.kinkCrossed ? ", kink crossed" : "")
  );
}

/**
 * Where an entry sits in the JSON layout: `weights[l-1][j][k]` or `biases[l-1][j]`.
 *
 * @param entry - an entry of a report
 */
export function entryPosition(entry: GradientEntry): string {
  return entry.parameter === "weights" ? `weights[${entry.layer - 1}][${entry.row}][${entry.column}]` : `biases[${entry.layer - 1}][${entry.row}]`;
}

/**
 * A report in one line: the method, the verdict and the worst error, e.g.
 * `central       passed  worst relative error 3.50e-10 ≤ 1e-6 at layer 1 weights[0][1][1]`.
 *
 * @param report - a report from {@link compareGradients} or {@link checkGradients}
 */
export function summaryLine(report: GradientReport): string {
  const where = report.worst === null ? "no entry judged" : `at layer ${report.worst.layer} ${entryPosition(report.worst)}`;
  const kinks = report.kinkCrossings === 0 ? "" : `, ${report.kinkCrossings} kink crossed`;
  return (
    `${report.method.padEnd(13)} ${report.passed ? "passed" : "FAILED"}  worst relative error ` +
    `${report.maxRelativeError.toExponential(2)} ${report.passed ? "≤" : ">"} ${report.tolerance.toExponential(0)} ${where}${kinks}`
  );
}

/**
 * A report as tables: the worst entries, then one line per layer and kind of parameter, then
 * the settings and the verdict.
 *
 * @param report - a report from {@link compareGradients} or {@link checkGradients}
 */
export function formatReport(report: GradientReport): string {
  const worstTable = table(
    ["worst entries", "analytic", "numeric", "absolute error", "relative error"],
    report.worstEntries.map((entry) => [
      `layer ${entry.layer} ${entryPosition(entry)}`,
      String(entry.analytic),
      String(entry.numeric),
      entry.absoluteError.toExponential(2),
      entry.relativeError.toExponential(2),
    ]),
  );
  const layerTable = table(
    ["layer", "parameter", "entries", "kinks crossed", "worst entry", "analytic", "numeric", "relative error"],
    report.layers.map((summary) => {
      const { worst } = summary;
      const position = worst === null ? "-" : summary.parameter === "weights" ? `[${worst.row}][${worst.column}]` : `[${worst.row}]`;
      return [
        String(summary.layer),
        summary.parameter,
        String(summary.count),
        String(summary.kinkCrossings),
        position,
        worst === null ? "-" : worst.analytic.toPrecision(10),
        worst === null ? "-" : worst.numeric.toPrecision(10),
        worst === null ? "-" : worst.relativeError.toExponential(2),
      ];
    }),
  );
  const kink =
    report.kinkDistance === null || report.kinkDistance === Infinity
      ? []
      : report.kinkDistance < kinkMargin
        ? [
            `warning: a relu/leaky_relu preactivation lies ${report.kinkDistance.toExponential(2)} from its kink at 0, ` +
              `inside the ${kinkMargin.toExponential(0)} margin: a central difference there may straddle the kink`,
          ]
        : [`relu/leaky_relu preactivations keep at least ${report.kinkDistance.toExponential(2)} from the kink at 0`];
  const steps: Record<EntryMethod, string> = {
    central: `central differences, step ${report.relativeStep.toExponential(2)} × max(1, |w|)`,
    richardson: `Richardson extrapolation of central differences, steps h and h/2 with h = ${report.relativeStep.toExponential(2)} × max(1, |w|)`,
    "complex-step": `complex step, h = ${report.relativeStep.toExponential(0)}`,
  };
  const verdict = report.passed
    ? `passed: worst relative error ${report.maxRelativeError.toExponential(2)} ≤ tolerance ${report.tolerance.toExponential(0)}`
    : `FAILED: ${report.worst === null ? "" : describeEntry(report.worst)} > tolerance ${report.tolerance.toExponential(0)}`;
  return [
    ...(report.passed ? [] : [worstTable, ""]),
    layerTable,
    "",
    `${steps[report.method]}, floor ${report.floor.toExponential(2)}, tolerance ${report.tolerance.toExponential(0)}`,
    ...(report.kinkCrossings === 0 ? [] : [`${report.kinkCrossings} entries crossed a kink and were not judged`]),
    ...kink,
    verdict,
  ].join("\n");
}

/**
 * A plain-text table with aligned columns and a rule under the header.
 *
 * @param header - the column titles
 * @param rows - the cells, one array per row
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
