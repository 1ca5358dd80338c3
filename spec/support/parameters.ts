/**
 * Comparisons shared by the specs. A mismatch throws an error that names the layer, the entry,
 * both values and their relative error, so a failing property says where it failed.
 */
import { expect } from "vitest";
import { runCli } from "../../src/cli/index.js";
import type { ParameterArrays } from "../../src/model/network.js";
import { copyMatrix, dimensions, type Matrix, matrixFromRows, matrixToRows, type Vector } from "../../src/numeric/tensor.js";
import { relativeError } from "../../src/oracles/comparison.js";

/** One entry of a set of parameter arrays, with its position in the JSON layout. */
export interface Entry {
  /** `weights[layer-1][row][column]` or `biases[layer-1][row]`. */
  readonly position: string;
  /** The entry's value. */
  readonly value: number;
}

/** Every entry of weights (then biases), layer by layer, row by row. */
export function entriesOf(parameters: ParameterArrays): Entry[] {
  const entries: Entry[] = [];
  parameters.weights.forEach((matrix, index) => {
    const [rows, columns] = dimensions(matrix);
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) entries.push({ position: `weights[${index}][${j}][${k}]`, value: matrix.get(j, k) });
    }
  });
  parameters.biases?.forEach((vector, index) => {
    for (let j = 0; j < vector.shape[0]!; j++) entries.push({ position: `biases[${index}][${j}]`, value: vector.get(j) });
  });
  return entries;
}

/** The values of {@link entriesOf}, in its order: weights then biases, layer by layer, row by row. */
export function valuesOf(parameters: ParameterArrays): number[] {
  return entriesOf(parameters).map((entry) => entry.value);
}

/**
 * Throws unless two sets of parameter arrays have the same positions and every pair of values
 * is within `tolerance` in relative error (with the given floor; see {@link relativeError}).
 * A tolerance of 0 demands bit-identical values, `-0` and `0` told apart.
 */
export function expectParametersClose(
  actual: ParameterArrays,
  expected: ParameterArrays,
  options: { readonly tolerance: number; readonly floor: number; readonly what: string },
): void {
  const actualEntries = entriesOf(actual);
  const expectedEntries = entriesOf(expected);
  if (actualEntries.length !== expectedEntries.length) {
    throw new Error(`${options.what}: ${actualEntries.length} entries, expected ${expectedEntries.length}`);
  }
  actualEntries.forEach((entry, index) => {
    const other = expectedEntries[index]!;
    if (entry.position !== other.position) throw new Error(`${options.what}: ${entry.position} where ${other.position} was expected`);
    const error = relativeError(entry.value, other.value, options.floor);
    const mismatch = options.tolerance === 0 ? !Object.is(entry.value, other.value) : !(error <= options.tolerance);
    if (mismatch) {
      throw new Error(
        `${options.what}: ${entry.position} is ${entry.value}, expected ${other.value} ` +
          `(relative error ${error.toExponential(2)}, tolerance ${options.tolerance})`,
      );
    }
  });
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
export function largestMagnitude(parameters: ParameterArrays): number {
  return entriesOf(parameters).reduce((largest, entry) => Math.max(largest, Math.abs(entry.value)), 0);
}

/** A vector's entries (re-exported shape helper for specs that build vectors by hand). */
export function entriesOfVector(vector: Vector): number[] {
  return Array.from({ length: vector.shape[0]! }, (_, index) => vector.get(index));
}

/** What one run of the command line printed, and its exit status. */
export interface CommandRun {
  /** The exit status. */
  readonly status: number;
  /** Everything written to standard output. */
  readonly stdout: string;
  /** Everything written to standard error. */
  readonly stderr: string;
}

/** Runs the command line in-process on the arguments, with `stdin` as standard input. */
export async function runCommand(args: readonly string[], stdin = ""): Promise<CommandRun> {
  let stdout = "";
  let stderr = "";
  const status = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stdin: async () => stdin,
  });
  return { status, stdout, stderr };
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
