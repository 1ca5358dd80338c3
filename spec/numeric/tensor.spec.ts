import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/numeric/errors.js";
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
} from "../../src/numeric/tensor.js";

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
});
