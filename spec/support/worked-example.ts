/**
 * The worked example's numbers, from the one file that holds them:
 * docs/examples/xor-2-2-1-sigmoid.decimal.json, every quantity of one step computed in 50-digit
 * decimal arithmetic by scripts/worked-example-decimal.py, independently of the library. The
 * specs compare the library's float64 results with it; the worked example page prints it.
 */
import { readFileSync } from "node:fs";
import type { Matrix } from "../../src/numeric/tensor.js";

/** A matrix of decimal strings, one row per unit, one column per sample. */
type DecimalRows = readonly (readonly string[])[];

/** The decimal file, as written by scripts/worked-example-decimal.py. */
export interface WorkedExampleDecimal {
  /** How many significant digits each number has. */
  readonly digits: number;
  /** $E$. */
  readonly loss: string;
  /** $z^{(1)}, z^{(2)}$. */
  readonly preactivations: readonly DecimalRows[];
  /** $o^{(1)}, o^{(2)}$. */
  readonly outputs: readonly DecimalRows[];
  /** $e^{(1)}, e^{(2)}$. */
  readonly errors: readonly DecimalRows[];
  /** $\delta^{(1)}, \delta^{(2)}$. */
  readonly deltas: readonly DecimalRows[];
  /** $\partial E / \partial W^{(l)}$. */
  readonly gradients: { readonly weights: readonly DecimalRows[] };
  /** $\Delta W^{(l)}$. */
  readonly deltaWeights: { readonly weights: readonly DecimalRows[] };
  /** $W^{(l)} + \Delta W^{(l)}$. */
  readonly updated: { readonly weights: readonly DecimalRows[] };
}

/** The worked example in 50 digits. */
export const workedExampleDecimal = JSON.parse(
  readFileSync(new URL("../../docs/examples/xor-2-2-1-sigmoid.decimal.json", import.meta.url), "utf8"),
) as WorkedExampleDecimal;

/** The largest relative error the library's float64 values may have against the 50-digit ones. */
export const decimalTolerance = 1e-13;

/** Throws unless `actual` is within {@link decimalTolerance} of the decimal value, naming what and both values. */
export function expectCloseToDecimal(actual: number, decimal: string, what: string): void {
  const wanted = Number(decimal);
  const error = Math.abs(actual - wanted) / Math.max(Math.abs(wanted), 1e-300);
  if (!(error <= decimalTolerance))
    throw new Error(`${what} is ${actual}, the 50-digit computation gives ${decimal} (relative error ${error.toExponential(2)})`);
}

/** {@link expectCloseToDecimal} for every entry of a matrix. */
export function expectMatrixCloseToDecimal(actual: Matrix, decimal: DecimalRows, what: string): void {
  if (actual.shape[0] !== decimal.length || actual.shape[1] !== decimal[0]!.length) {
    throw new Error(`${what} is ${actual.shape.join("×")}, the 50-digit computation ${decimal.length}×${decimal[0]!.length}`);
  }
  decimal.forEach((row, j) => row.forEach((value, k) => expectCloseToDecimal(actual.get(j, k), value, `${what}[${j}][${k}]`)));
}
