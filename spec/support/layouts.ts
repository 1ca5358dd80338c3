/**
 * The layouts in which the kernels meet a matrix, each among numbers of its buffer that are not
 * its entries, so that a kernel that reads or writes past an operand is caught: shared by the
 * product kernels' spec and the fused update's.
 */
import fc from "fast-check";
import { dimensions, matrixFromRows, type Matrix } from "../../src/numeric/tensor.js";
import { topRowsOf } from "./parameters.js";

/** A matrix as a list of rows. */
export type Rows = readonly (readonly number[])[];

/** An entry of a test matrix. */
export const entry = fc.double({ min: -10, max: 10, noNaN: true });
/** Matrices of the given size, as rows. */
export const rowsOf = (rows: number, columns: number, entries: fc.Arbitrary<number> = entry) =>
  fc.array(fc.array(entries, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows });

/**
 * Sizes up to 20, often a multiple of the four or eight rows that the kernels take per pass, or
 * one short of it or one past it: full blocks and every kind of rows left over occur.
 */
export const size = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(3, 4, 5, 7, 8, 9, 15, 16, 17));

/** What the memory around an operand holds: NaN, so that any sum that reads some of it is NaN. */
export const poison = Number.NaN;
/** What the memory around a result holds before and after: a stray write would change it. */
export const untouched = -1;

/** A row of `length` copies of `value`. */
export const constant = (length: number, value: number): number[] => Array.from({ length }, () => value);

/** The transpose of a list of rows. */
const columnsOf = (rows: Rows): number[][] => rows[0]!.map((_, k) => rows.map((row) => row[k]!));

/** $C_{ij} = \sum_k A_{ik} B_{kj}$, each sum from zero in increasing $k$. */
export const plainProduct = (a: Rows, b: Rows): number[][] =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, k) => sum + value * b[k]![j]!, 0)));

/** The rows as a column slice: the first columns of a matrix two columns wider, stride $[n + 2, 1]$. */
const columnSlice = (rows: Rows, filler: number): Matrix =>
  matrixFromRows(rows.map((row) => [...row, filler, filler])).hi(rows.length, rows[0]!.length);

/**
 * The ways the kernels meet an $m \times n$ matrix, each among numbers of its buffer that are
 * not its entries (all `filler`):
 * - dense, stride $[n, 1]$, with a row after it: dense whatever its offset, so it takes the fast
 *   loops, and a loop that ran past its last row would meet the row after;
 * - the transposed view of such a matrix, as $W^\top$ and $o^\top$ meet the products;
 * - a column slice, stride $[n + 2, 1]$, and the transposed view of one: not dense, so only the
 *   general loop, which reads through the strides, may take them.
 */
export type Layout = (rows: Rows, filler: number) => Matrix;
export const layouts = {
  dense: (rows: Rows, filler: number): Matrix => topRowsOf(rows, filler).view,
  transposed: (rows: Rows, filler: number): Matrix => topRowsOf(columnsOf(rows), filler).view.transpose(1, 0),
  "column slice": columnSlice,
  "transposed column slice": (rows: Rows, filler: number): Matrix => columnSlice(columnsOf(rows), filler).transpose(1, 0),
} satisfies Record<string, Layout>;

/** The numbers of a view's buffer that are not entries of the view. */
export function outsideOf(view: Matrix): number[] {
  const [rows, columns] = dimensions(view);
  const inside = new Set<number>();
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) inside.add(view.offset + i * view.stride[0]! + j * view.stride[1]!);
  return Array.from(view.data).filter((_, index) => !inside.has(index));
}
