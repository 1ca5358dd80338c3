import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../src/errors.js";
import {
  addToEveryColumn,
  allFinite,
  matrixFromRows,
  matrixToRows,
  multiply,
  rowMeans,
  transposed,
  vectorFromArray,
  vectorToArray,
  zeros,
} from "../src/tensor.js";
import { numRuns } from "./arbitraries.js";

const entry = fc.double({ min: -10, max: 10, noNaN: true });
const rowsOf = (rows: number, columns: number) =>
  fc.array(fc.array(entry, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows });

describe("tensor", () => {
  it("multiply computes Σ_k A_ik B_kj in order of k, for matrices and transposed views alike", () => {
    const factors = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    fc.assert(
      fc.property(factors, ([a, b]) => {
        const expected = a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, k) => sum + value * b[k]![j]!, 0)));
        const m = a.length;
        const n = b[0]!.length;
        expect(matrixToRows(multiply(zeros(m, n), matrixFromRows(a), matrixFromRows(b)))).toEqual(expected);
        const viaViews = multiply(zeros(m, n), transposed(matrixFromRows(a)).transpose(1, 0), transposed(matrixFromRows(b)).transpose(1, 0));
        expect(matrixToRows(viaViews)).toEqual(expected);
      }),
      { numRuns },
    );
  });

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
});
