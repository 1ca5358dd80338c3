import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/numeric/errors.js";
import {
  addToEveryColumn,
  allFinite,
  addedMultiple,
  added,
  copyMatrix,
  copyVector,
  dimensions,
  hadamard,
  mapEntries,
  scaled,
  subtract,
  matrixFromRows,
  matrixToRows,
  multiply,
  rowMeans,
  transposed,
  vectorFromArray,
  vectorToArray,
  zeros,
  type Matrix,
  type Vector,
} from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { layouts, outsideOf, poison, rowsOf, size, untouched } from "../support/layouts.js";

/** The entries of a view read one by one through `get`, row after row. */
const entriesOf = (view: Matrix): number[][] => {
  const [rows, columns] = dimensions(view);
  return Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => view.get(i, j)));
};

describe("tensor", () => {
  it("multiply refuses shapes that do not chain", () => {
    expect(() => multiply(zeros(2, 2), zeros(2, 3), zeros(2, 2))).toThrow(
      new ShapeError("cannot multiply 2×3 by 2×2 into 2×2: expected 2×3 by 3×2 into 2×2"),
    );
  });

  it("adds a bias to every column and takes row means", () => {
    const matrix = matrixFromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(matrixToRows(addToEveryColumn(matrix, vectorFromArray([10, -1])))).toEqual([
      [11, 12, 13],
      [3, 4, 5],
    ]);
    expect(vectorToArray(rowMeans(matrix))).toEqual([12, 4]);
    expect(() => addToEveryColumn(matrix, vectorFromArray([1]))).toThrow(ShapeError);
  });

  it("builds matrices from rows and refuses ragged rows", () => {
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow("row 1 has 1 entries but row 0 has 2");
    expect(matrixToRows(transposed(matrixFromRows([[1, 2, 3]])))).toEqual([[1], [2], [3]]);
    expect(allFinite(matrixFromRows([[1, Number.NaN]]))).toBe(false);
    expect(allFinite(vectorFromArray([1, -Infinity]))).toBe(false);
    expect(allFinite(matrixFromRows([[1, 2]]))).toBe(true);
  });

  it("copyMatrix and copyVector give a view's entries in a fresh dense array, whatever its layout: dense, transposed, sliced, reversed", () => {
    const views = fc.tuple(size, size).chain(([m, n]) =>
      fc.record({
        rows: rowsOf(m, n),
        layout: fc.constantFrom(...(Object.keys(layouts) as (keyof typeof layouts)[])),
        reversed: fc.constantFrom([1, 1], [-1, 1], [1, -1], [-1, -1]),
      }),
    );
    fc.assert(
      fc.property(views, ({ rows, layout, reversed }) => {
        const view = layouts[layout](rows, poison).step(reversed[0], reversed[1]);
        const copy = copyMatrix(view);
        const [m, n] = dimensions(view);
        expect(copy.stride).toEqual([n, 1]);
        expect(copy.offset).toBe(0);
        expect(copy.data).toHaveLength(m * n);
        expect(matrixToRows(copy)).toEqual(entriesOf(view));
        for (let j = 0; j < n; j++) {
          const column = view.pick(null, j);
          const columnCopy = copyVector(column);
          expect([columnCopy.stride[0], columnCopy.offset, columnCopy.data.length]).toEqual([1, 0, m]);
          expect(vectorToArray(columnCopy)).toEqual(entriesOf(view).map((row) => row[j]));
        }
        copy.set(0, 0, 1e300);
        expect(view.get(0, 0)).not.toBe(1e300);
      }),
      { numRuns },
    );
  });

  it("multiply refuses a result with the wrong number of rows or of columns, as it refuses factors that do not chain", () => {
    expect(() => multiply(zeros(3, 2), zeros(2, 3), zeros(3, 2))).toThrow(
      new ShapeError("cannot multiply 2×3 by 3×2 into 3×2: expected 2×3 by 3×2 into 2×2"),
    );
    expect(() => multiply(zeros(2, 3), zeros(2, 3), zeros(3, 2))).toThrow(
      new ShapeError("cannot multiply 2×3 by 3×2 into 2×3: expected 2×3 by 3×2 into 2×2"),
    );
    expect(() => addToEveryColumn(zeros(2, 3), vectorFromArray([1]))).toThrow(
      new ShapeError("cannot add a vector of length 1 to the columns of a 2×3 matrix"),
    );
    expect(() => addedMultiple(zeros(2, 3), zeros(3, 2), 1)).toThrow(
      new ShapeError("cannot add a multiple of an array of shape 3×2 to one of shape 2×3"),
    );
    expect(() => addedMultiple(zeros(2, 3), zeros(2, 3), 1, zeros(2, 2))).toThrow(ShapeError);
  });

  it("every element-wise operation writes exactly its result's entries, whatever the layout of result and operands, and no number around them", () => {
    const layoutName = fc.constantFrom(...(Object.keys(layouts) as (keyof typeof layouts)[]));
    const cases = fc.tuple(size, size).chain(([m, n]) =>
      fc.record({
        a: rowsOf(m, n),
        b: rowsOf(m, n),
        v: rowsOf(1, m),
        scalar: fc.double({ min: -4, max: 4, noNaN: true }),
        aLayout: layoutName,
        bLayout: layoutName,
        intoLayout: layoutName,
      }),
    );
    fc.assert(
      fc.property(cases, ({ a, b, v, scalar, aLayout, bLayout, intoLayout }) => {
        const [m, n] = [a.length, a[0]!.length];
        const plain = (entry: (x: number, y: number) => number): number[][] => a.map((row, i) => row.map((x, j) => entry(x, b[i]![j]!)));
        const operations: [string, (into: Matrix) => Matrix, number[][]][] = [
          ["hadamard", (into) => hadamard(layouts[aLayout](a, poison), layouts[bLayout](b, poison), into), plain((x, y) => x * y)],
          ["subtract", (into) => subtract(layouts[aLayout](a, poison), layouts[bLayout](b, poison), into), plain((x, y) => x - y)],
          ["added", (into) => added(layouts[aLayout](a, poison), layouts[bLayout](b, poison), into), plain((x, y) => x + y)],
          ["scaled", (into) => scaled(layouts[aLayout](a, poison), scalar, into), plain((x) => x * scalar)],
          [
            "addedMultiple",
            (into) => addedMultiple(layouts[aLayout](a, poison), layouts[bLayout](b, poison), scalar, into),
            plain((x, y) => x + scalar * y),
          ],
          ["mapEntries", (into) => mapEntries(into, layouts[aLayout](a, poison), (x) => 2 * x + 1), plain((x) => 2 * x + 1)],
          [
            "addToEveryColumn",
            (into) => {
              mapEntries(into, layouts[aLayout](a, poison), (x) => x);
              return addToEveryColumn(into, vectorFromArray(v[0]!));
            },
            plain((x) => x).map((row, i) => row.map((x) => x + v[0]![i]!)),
          ],
        ];
        for (const [name, operation, expected] of operations) {
          const into = layouts[intoLayout](
            Array.from({ length: m }, () => Array.from({ length: n }, () => untouched)),
            untouched,
          );
          expect(operation(into), name).toBe(into);
          expect(matrixToRows(copyMatrix(into)), name).toEqual(expected);
          expect(
            outsideOf(into).every((entry) => entry === untouched),
            `${name} wrote outside its result`,
          ).toBe(true);
        }
        // rowMeans into a vector that is a column of a larger matrix: every other entry stays.
        const means = layouts[intoLayout](
          Array.from({ length: m }, () => [untouched]),
          untouched,
        ).pick(null, 0) as Vector;
        rowMeans(layouts[aLayout](a, poison), means);
        expect(vectorToArray(copyVector(means))).toEqual(a.map((row) => row.reduce((sum, x) => sum + x, 0) / n));
        // By position, not by value: a mean may itself be −1.
        const inside = new Set(Array.from({ length: m }, (_, i) => means.offset + i * means.stride[0]!));
        expect(Array.from(means.data).every((entry, index) => inside.has(index) || entry === untouched)).toBe(true);
      }),
      { numRuns },
    );
  });

  it("allFinite reads the entries of a view and nothing around them, in every layout", () => {
    const cases = fc.tuple(size, size).chain(([m, n]) =>
      fc.record({
        rows: rowsOf(m, n),
        layout: fc.constantFrom(...(Object.keys(layouts) as (keyof typeof layouts)[])),
        bad: fc.record({ i: fc.nat(m - 1), j: fc.nat(n - 1), value: fc.constantFrom(Number.NaN, Infinity, -Infinity) }),
      }),
    );
    fc.assert(
      fc.property(cases, ({ rows, layout, bad }) => {
        // Non-finite numbers all around the view do not count; one inside it does.
        expect(allFinite(layouts[layout](rows, Number.NaN))).toBe(true);
        expect(allFinite(layouts[layout](rows, Number.NaN).pick(null, bad.j) as Vector)).toBe(true);
        const spoilt = rows.map((row, i) => row.map((entry, j) => (i === bad.i && j === bad.j ? bad.value : entry)));
        expect(allFinite(layouts[layout](spoilt, 0))).toBe(false);
        expect(allFinite(layouts[layout](spoilt, 0).pick(null, bad.j) as Vector)).toBe(false);
        expect(allFinite(layouts[layout](spoilt, 0).pick(bad.i, null) as Vector)).toBe(false);
      }),
      { numRuns },
    );
  });
});
