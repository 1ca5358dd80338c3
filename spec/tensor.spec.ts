import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../src/errors.js";
import {
  addScaledProduct,
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

  it("every layout of the operands (dense, or the transposed view of a dense matrix) gives bit for bit the sum over k from zero in increasing order", () => {
    // Up to 11 rows and columns: the products take four rows per pass, so this reaches full
    // blocks of four, the rows left over, and single columns (the matrix-vector products).
    const size = fc.integer({ min: 1, max: 11 });
    const factors = fc.tuple(size, size, size).chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    const asLayout = (rows: number[][], transposedView: boolean) =>
      transposedView ? transposed(matrixFromRows(rows)).transpose(1, 0) : matrixFromRows(rows);
    fc.assert(
      fc.property(factors, fc.boolean(), fc.boolean(), ([a, b], aTransposed, bTransposed) => {
        const expected = a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, k) => sum + value * b[k]![j]!, 0)));
        const product = multiply(zeros(a.length, b[0]!.length), asLayout(a, aTransposed), asLayout(b, bTransposed));
        expect(matrixToRows(product)).toEqual(expected);
      }),
      { numRuns },
    );
  });

  it("addScaledProduct adds ((Σ_b A_jb O_kb)·s₁)·s₂ to every entry, bit for bit, and with momentum gives W + d + μv and μv + d", () => {
    const shape = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }));
    const problem = shape.chain(([m, n, samples]) =>
      fc.record({ target: rowsOf(m, n), velocity: rowsOf(m, n), a: rowsOf(m, samples), o: rowsOf(n, samples), s1: entry, s2: entry, momentum: fc.double({ min: 0, max: 0.99, noNaN: true }) }),
    );
    fc.assert(
      fc.property(problem, ({ target, velocity, a, o, s1, s2, momentum }) => {
        const step = (j: number, k: number) => a[j]!.reduce((sum, value, b) => sum + value * o[k]![b]!, 0) * s1 * s2;
        const plain = matrixFromRows(target);
        expect(addScaledProduct(plain, matrixFromRows(a), matrixFromRows(o), s1, s2)).toBe(true);
        expect(matrixToRows(plain)).toEqual(target.map((row, j) => row.map((w, k) => w + step(j, k))));

        const [withMomentum, v] = [matrixFromRows(target), matrixFromRows(velocity)];
        expect(addScaledProduct(withMomentum, matrixFromRows(a), matrixFromRows(o), s1, s2, v, momentum)).toBe(true);
        expect(matrixToRows(withMomentum)).toEqual(target.map((row, j) => row.map((w, k) => w + step(j, k) + velocity[j]![k]! * momentum)));
        expect(matrixToRows(v)).toEqual(velocity.map((row, j) => row.map((value, k) => value * momentum + step(j, k))));
      }),
      { numRuns },
    );
  });

  it("addScaledProduct says when an updated entry is not finite, for one sample, a batch and with momentum, and refuses shapes that do not fit and views", () => {
    const huge = matrixFromRows([[1e308, 1]]);
    expect(addScaledProduct(huge, matrixFromRows([[1e308]]), matrixFromRows([[1], [0]]), 1, 1)).toBe(false);
    expect(addScaledProduct(matrixFromRows([[1]]), matrixFromRows([[1e308, 1e308]]), matrixFromRows([[1, 1]]), 1, 1)).toBe(false);
    expect(addScaledProduct(matrixFromRows([[1]]), matrixFromRows([[1e307, 1e307]]), matrixFromRows([[1, 1]]), 0.5, 0.5)).toBe(true);
    const withMomentum = matrixFromRows([[1]]);
    expect(addScaledProduct(withMomentum, matrixFromRows([[1e308]]), matrixFromRows([[1e308]]), 1, 1, matrixFromRows([[0]]), 0.5)).toBe(false);
    expect(() => addScaledProduct(zeros(2, 3), zeros(2, 1), zeros(2, 1), 1, 1)).toThrow(
      new ShapeError("cannot add the product of 2×1 and the transpose of 2×1 to 2×3: expected 2×B and 3×B for a 2×3 target"),
    );
    expect(() => addScaledProduct(zeros(2, 2), zeros(2, 1), zeros(2, 1), 1, 1, zeros(1, 2), 0.5)).toThrow(/with a 1×2 velocity/);
    expect(() => addScaledProduct(zeros(2, 2).transpose(1, 0), zeros(2, 1), zeros(2, 1), 1, 1)).toThrow(/stored densely/);
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
