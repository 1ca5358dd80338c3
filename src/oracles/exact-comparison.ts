/**
 * The float64 answer beside the exact one: the distance of every entry in units in the last
 * place, and whether it is within the bound the reference promises.
 *
 * The distance of a computed $\hat q$ from the exact $q$ is counted in ulps of $q$ rounded to
 * float64, $\lvert \hat q - q \rvert / \operatorname{ulp}(q)$, where $\operatorname{ulp}(x)$ is
 * the gap from $\lvert x \rvert$ to the next larger double: $0.5$ means $\hat q$ is $q$ correctly
 * rounded. The bound is stated in roundings: with the scale $s(q)$ of the oracle's arithmetic
 * (see {@link oracles/exact-arithmetic | exact-arithmetic}) and $u = 2^{-53}$,
 *
 * $$\lvert \hat q - q \rvert \le K \left(u\, s(q) + 2^{-1074}\right)$$
 *
 * with $K$ = {@link exactRoundings},
 * that is, at most $K$ of the rounding errors that the float64 evaluation of $q$ cannot avoid
 * (the second term is the gap between subnormal numbers, for results below float64's normal
 * range). Where nothing cancels, $s(q)$ is a few times $\lvert q \rvert$, and the bound is a few
 * tens of ulps; where a sum cancels, it grows with the sum's condition, as it must.
 *
 * @module
 */
import type { Decimal } from "decimal.js";
import type { ParameterArrays } from "../model/network.js";
import { matrixFromRows, vectorFromArray, type Matrix } from "../numeric/tensor.js";
import { type Exact, exactDecimal } from "./exact-arithmetic.js";
import type { ExactMatrix, ExactParameters, ExactStep } from "./exact-step.js";

/** $u = 2^{-53}$, the largest relative error of one rounding to nearest in float64. */
export const unitRoundoff = 2 ** -53;

/** $2^{-1074}$, the smallest positive double and the gap between subnormal numbers. */
export const smallestSubnormal = 2 ** -1074;

/**
 * $K$, the roundings a float64 quantity may be off by: 8, measured with room to spare (the worst
 * of 10,000 random and 10,000 saturating cases is in docs/gradient-checking.md, "Precision").
 */
export const exactRoundings = 8;

/** The quantities of a step that the comparison judges, in the order of a result document. */
export const exactQuantities = ["loss", "outputs", "deltas", "gradients", "deltaWeights", "updated"] as const;

/** One of {@link exactQuantities}. */
export type ExactQuantity = (typeof exactQuantities)[number];

/** The float64 quantities of a step, as {@link model/backprop!trainingStep | trainingStep} returns them. */
export interface FloatStep {
  /** $E$. */
  readonly loss: number;
  /** $o^{(L)}$, $n_L \times B$. */
  readonly outputs: Matrix;
  /** $\delta^{(1)}, \dots, \delta^{(L)}$, if the answer has them (a result document has not). */
  readonly deltas?: readonly Matrix[];
  /** The gradients. */
  readonly gradients: ParameterArrays;
  /** The delta weights. */
  readonly deltaWeights: ParameterArrays;
  /** The weights and biases after the step. */
  readonly updated: ParameterArrays;
}

/** One entry beside its exact value. */
export interface EntryDistance {
  /** Which quantity. */
  readonly quantity: ExactQuantity;
  /** Where: `weights[l-1][j][k]`, `biases[l-1][j]`, `[b][j]` for sample $b$'s output $j$, `[l-1][j][b]` for a delta. */
  readonly position: string;
  /** The float64 value. */
  readonly computed: number;
  /** The exact value, to 25 significant digits. */
  readonly exact: string;
  /** $\lvert \hat q - q \rvert / \operatorname{ulp}(q)$. */
  readonly ulps: number;
  /** $\lvert \hat q - q \rvert / (u\, s(q) + 2^{-1074})$: the roundings it is off by, at most {@link exactRoundings} to agree. */
  readonly roundings: number;
  /** $s(q) / \lvert q \rvert$, the entry's condition: a few where nothing cancels, large where a sum does ($0$ for an exact $0$). */
  readonly condition: number;
}

/** A distance from the exact value, in ulps and in roundings (of one entry, or the worst of a quantity's entries). */
export interface Distance {
  /** $\lvert \hat q - q \rvert / \operatorname{ulp}(q)$. */
  readonly ulps: number;
  /** $\lvert \hat q - q \rvert / (u\, s(q) + 2^{-1074})$. */
  readonly roundings: number;
}

/**
 * The condition below which an entry counts as one where nothing cancels, for
 * {@link ExactComparison}'s `worstWellConditioned`: $s(q) \le 16 \lvert q \rvert$.
 */
export const wellConditioned = 16;

/** A float64 step judged against the exact one. */
export interface ExactComparison {
  /** The worst distance of each quantity compared. */
  readonly worst: Readonly<Partial<Record<ExactQuantity, Distance>>>;
  /** The worst distance in ulps of each quantity over its entries of condition at most {@link wellConditioned}. */
  readonly worstWellConditioned: Readonly<Partial<Record<ExactQuantity, number>>>;
  /** The entries further than the bound, in the order of the quantities. */
  readonly disagreements: readonly EntryDistance[];
}

/**
 * The gap from $\lvert x \rvert$ to the next larger double: $2^{e - 52}$ for $2^e \le \lvert x \rvert < 2^{e+1}$
 * in the normal range, $2^{-1074}$ below it.
 *
 * @param x - a finite number
 */
export function ulp(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude < 2 ** -1022) return smallestSubnormal;
  const exponent = Math.floor(Math.log2(magnitude));
  // log2 may round up just below a power of two; the binade is the one 2^exponent does not exceed.
  const binade = 2 ** exponent > magnitude ? exponent - 1 : exponent;
  return 2 ** (binade - 52);
}

/**
 * How far a float64 entry is from the exact value: in ulps and in roundings (see the module's comment).
 *
 * @param computed - $\hat q$
 * @param exact - $q$ with its scale
 */
export function distanceToExact(computed: number, exact: Exact): Distance {
  const distance = exactDecimal(computed).minus(exact.value).abs().toNumber();
  const rounded = exact.value.toNumber();
  return { ulps: distance / ulp(rounded), roundings: distance / (unitRoundoff * exact.scale + smallestSubnormal) };
}

/**
 * Every entry of a float64 step beside the exact step: the worst distance per quantity, and the
 * entries further than $K$ roundings.
 *
 * @param computed - the float64 quantities
 * @param exact - the oracle's ({@link oracles/exact-step!exactStep | exactStep}) for the same case
 * @param roundings - $K$; default {@link exactRoundings}
 */
export function compareWithExact(computed: FloatStep, exact: ExactStep, roundings: number = exactRoundings): ExactComparison {
  const entries: EntryDistance[] = [];
  const add = (quantity: ExactQuantity, position: string, value: number, exactValue: Exact): void => {
    const magnitude = Math.abs(exactValue.value.toNumber());
    const condition = exactValue.scale === 0 ? 0 : exactValue.scale / magnitude;
    entries.push({
      quantity,
      position,
      computed: value,
      exact: describeExact(exactValue.value),
      ...distanceToExact(value, exactValue),
      condition,
    });
  };
  add("loss", "", computed.loss, exact.loss);
  const outputs = exact.outputs[exact.outputs.length - 1]!;
  eachEntry(computed.outputs, outputs, (j, b, value, exactValue) => add("outputs", `[${b}][${j}]`, value, exactValue));
  computed.deltas?.forEach((delta, l) =>
    eachEntry(delta, exact.deltas[l]!, (j, b, value, exactValue) => add("deltas", `[${l}][${j}][${b}]`, value, exactValue)),
  );
  for (const quantity of ["gradients", "deltaWeights", "updated"] as const) {
    eachParameter(computed[quantity], exact[quantity], (position, value, exactValue) => add(quantity, position, value, exactValue));
  }
  const worst: Partial<Record<ExactQuantity, Distance>> = {};
  const worstWellConditioned: Partial<Record<ExactQuantity, number>> = {};
  for (const entry of entries) {
    const previous = worst[entry.quantity] ?? { ulps: 0, roundings: 0 };
    worst[entry.quantity] = { ulps: Math.max(previous.ulps, entry.ulps), roundings: Math.max(previous.roundings, entry.roundings) };
    if (entry.condition <= wellConditioned) {
      worstWellConditioned[entry.quantity] = Math.max(worstWellConditioned[entry.quantity] ?? 0, entry.ulps);
    }
  }
  return { worst, worstWellConditioned, disagreements: entries.filter((entry) => !(entry.roundings <= roundings)) };
}

/**
 * One disagreement in words: the quantity and entry (with its layer), both values and the distance.
 *
 * @param entry - an entry of {@link ExactComparison}'s `disagreements`
 */
export function describeDistance(entry: EntryDistance): string {
  return (
    `${entry.quantity}${entry.position}: float64 ${entry.computed}, exact ${entry.exact}: ` +
    `${formatCount(entry.ulps)} ulps, ${formatCount(entry.roundings)} roundings (at most ${exactRoundings} agree)`
  );
}

function formatCount(count: number): string {
  return count < 1000 ? String(Number(count.toPrecision(3))) : count.toExponential(2);
}

function describeExact(value: Decimal): string {
  return value.toSignificantDigits(25).toString();
}

function eachEntry(computed: Matrix, exact: ExactMatrix, visit: (j: number, b: number, value: number, exact: Exact) => void): void {
  exact.forEach((row, j) => row.forEach((entry, b) => visit(j, b, computed.get(j, b), entry)));
}

function eachParameter(
  computed: ParameterArrays,
  exact: ExactParameters,
  visit: (position: string, value: number, exact: Exact) => void,
): void {
  exact.weights.forEach((matrix, l) =>
    matrix.forEach((row, j) => row.forEach((entry, k) => visit(`.weights[${l}][${j}][${k}]`, computed.weights[l]!.get(j, k), entry))),
  );
  exact.biases?.forEach((vector, l) => vector.forEach((entry, j) => visit(`.biases[${l}][${j}]`, computed.biases![l]!.get(j), entry)));
}

/**
 * Exact parameters (gradients, say) rounded to float64, shaped like the parameters: what an
 * implementation correct to the last digit would give, for a comparison with the other oracles.
 *
 * @param exact - exact weights and biases
 */
export function roundedParameters(exact: ExactParameters): ParameterArrays {
  const rounded = (rows: readonly (readonly Exact[])[]): Matrix =>
    matrixFromRows(rows.map((row) => row.map((entry) => entry.value.toNumber())));
  return {
    weights: exact.weights.map(rounded),
    biases: exact.biases?.map((vector) => vectorFromArray(vector.map((entry) => entry.value.toNumber()))) ?? null,
  };
}
