/**
 * The worked example's numbers, from the one file that holds them:
 * docs/examples/xor-2-2-1-sigmoid.decimal.json, every quantity of one step computed in 50-digit
 * decimal arithmetic by scripts/worked-example-decimal.py, independently of the library. The
 * specs compare the library's float64 results with it; the worked example page prints it.
 */
import { workedExampleDecimal, type WorkedExampleDecimal } from "../../scripts/worked-example.js";
import type { Matrix } from "../../src/numeric/tensor.js";

/** The worked example in 50 digits, read once by the page's script (scripts/worked-example.ts). */
export { workedExampleDecimal, type WorkedExampleDecimal };

/** A matrix of decimal strings, one row per unit, one column per sample. */
type DecimalRows = WorkedExampleDecimal["outputs"][number];

/** The largest relative error the library's float64 values may have against the 50-digit ones. */
const decimalTolerance = 1e-13;

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
