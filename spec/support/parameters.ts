/**
 * Comparisons shared by the specs. A mismatch throws an error that names the layer, the entry,
 * both values and their relative error, so a failing property says where it failed.
 */
import { expect } from "vitest";
import { type ParameterArrays, parameterEntries } from "../../src/model/network.js";
import { copyMatrix, dimensions, type Matrix, matrixFromRows, matrixToRows } from "../../src/numeric/tensor.js";
import { firstParameterDifference, relativeError } from "../../src/oracles/comparison.js";

/** The values of {@link parameterEntries}, in its order: weights then biases, layer by layer, row by row. */
export function valuesOf(parameters: ParameterArrays): number[] {
  return parameterEntries(parameters).map((entry) => entry.value);
}

/**
 * Throws unless two sets of parameter arrays have the same positions and every pair of values
 * is within `tolerance` in relative error (with the given floor); a tolerance of 0 demands
 * bit-identical values, `-0` and `0` told apart. The message names `what`, the entry, both
 * values and the relative error (see {@link firstParameterDifference}).
 */
export function expectParametersClose(
  actual: ParameterArrays,
  expected: ParameterArrays,
  options: { readonly tolerance: number; readonly floor: number; readonly what: string },
): void {
  const difference = firstParameterDifference(actual, expected, options.tolerance, options.floor);
  if (difference !== null) throw new Error(`${options.what}: ${difference}`);
}

/** Column `b` of a matrix as a fresh $n \times 1$ matrix: one sample of a batch. */
export function sampleOf(matrix: Matrix, b: number): Matrix {
  const [rows] = dimensions(matrix);
  return copyMatrix(matrix.hi(rows, b + 1).lo(0, b));
}

/**
 * A view whose memory goes on past its last row: `rows` ($n \times B$) as the first $n$ rows of
 * an $(n + 1) \times B$ matrix whose last row holds `below` in every column. A loop that ran one
 * row past the view would read or write that row, which a fresh $n \times B$ matrix does not
 * have. Returns the view, and the whole matrix to look at the row below with {@link rowBelow}.
 */
export function topRowsOf(rows: readonly (readonly number[])[], below: number): { readonly view: Matrix; readonly whole: Matrix } {
  const columns = rows[0]!.length;
  const whole = matrixFromRows([...rows, Array.from({ length: columns }, () => below)]);
  return { view: whole.hi(rows.length, columns), whole };
}

/** The last row of a matrix made by {@link topRowsOf}: the row below the view. */
export function rowBelow(whole: Matrix): number[] {
  return matrixToRows(whole).at(-1)!;
}

/** The largest magnitude among all entries. */
export function largestParameterMagnitude(parameters: ParameterArrays): number {
  return parameterEntries(parameters).reduce((largest, entry) => Math.max(largest, Math.abs(entry.value)), 0);
}

/**
 * Expects two lists of numbers to be bit for bit the same, `-0` and `0` told apart, and names
 * the first entry that differs with both values.
 */
export function expectSameBits(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((value, index) => {
    if (!Object.is(value, expected[index])) expect.fail(`${what}[${index}]: ${value}, expected ${expected[index]}`);
  });
}

/**
 * Whether two arrays hold the same numbers, entry by entry by `Object.is` (so $+0 \ne -0$; NaN
 * equals NaN, whose payload neither JavaScript nor WebAssembly fixes): the comparison of the
 * kernels' properties, which judge whole arrays, the memory around a result included.
 */
export function sameEntries(x: Float64Array, y: Float64Array): boolean {
  return x.length === y.length && x.every((value, index) => Object.is(value, y[index]));
}

/**
 * The largest relative error (see `relativeError`, with the given floor) between two sets of
 * parameter arrays of the same positions, and where it is: `NaN` counts as worse than any number.
 */
export function worstRelativeError(
  actual: ParameterArrays,
  expected: ParameterArrays,
  floor: number,
): { readonly error: number; readonly position: string } {
  const expectedEntries = parameterEntries(expected);
  let worst = { error: 0, position: "none" };
  parameterEntries(actual).forEach((entry, index) => {
    const error = relativeError(entry.value, expectedEntries[index]!.value, floor);
    if (!(error <= worst.error)) worst = { error, position: entry.position };
  });
  return worst;
}
