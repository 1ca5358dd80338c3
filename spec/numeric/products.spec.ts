import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matrixFromRows, matrixToRows, multiply, transposed, zeros } from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { layouts, outsideOf, plainProduct, poison, rowsOf, size, untouched } from "../support/layouts.js";

describe("the product kernels", () => {
  it("multiply computes Σ_k A_ik B_kj in order of k, for matrices and transposed views alike", () => {
    const factors = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    fc.assert(
      fc.property(factors, ([a, b]) => {
        const expected = plainProduct(a, b);
        const m = a.length;
        const n = b[0]!.length;
        expect(matrixToRows(multiply(zeros(m, n), matrixFromRows(a), matrixFromRows(b)))).toEqual(expected);
        const viaViews = multiply(
          zeros(m, n),
          transposed(matrixFromRows(a)).transpose(1, 0),
          transposed(matrixFromRows(b)).transpose(1, 0),
        );
        expect(matrixToRows(viaViews)).toEqual(expected);
      }),
      { numRuns },
    );
  });

  it("the layouts hold exactly the given entries among their filler, the dense ones with the strides of a fresh array, and a write past a view shows outside it", () => {
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    for (const [name, place] of Object.entries(layouts)) {
      const view = place(rows, untouched);
      expect(matrixToRows(view), name).toEqual(rows);
      expect(outsideOf(view), name).toEqual(Array.from({ length: view.data.length - 6 }, () => untouched));
    }
    expect(layouts.dense(rows, untouched).stride).toEqual([3, 1]);
    expect(layouts.transposed(rows, untouched).stride).toEqual([1, 2]);
    const overrun = layouts.dense(rows, untouched);
    overrun.data[6] = 0;
    expect(outsideOf(overrun)).toEqual([0, untouched, untouched]);
  });

  it("every layout of the operands and of the result (dense with a row after it, transposed, column slice, transposed column slice) gives bit for bit the sum over k from zero in increasing order, reads nothing around the operands and writes nothing around the result", () => {
    // One column often: W o takes a loop of its own, eight rows per pass.
    const factors = fc.tuple(size, size, fc.oneof(fc.constant(1), size)).chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    fc.assert(
      fc.property(factors, ([a, b]) => {
        const expected = plainProduct(a, b);
        const [m, n] = [a.length, b[0]!.length];
        const stale = Array.from({ length: m }, () => Array.from({ length: n }, () => untouched));
        for (const [aLayout, placeA] of Object.entries(layouts)) {
          for (const [bLayout, placeB] of Object.entries(layouts)) {
            for (const [resultLayout, placeResult] of Object.entries(layouts)) {
              const what = `${resultLayout} = ${aLayout} × ${bLayout}`;
              const result = multiply(placeResult(stale, untouched), placeA(a, poison), placeB(b, poison));
              expect(matrixToRows(result), what).toEqual(expected);
              const outside = outsideOf(result);
              expect(outside, what).toEqual(outside.map(() => untouched));
            }
          }
        }
      }),
      { numRuns },
    );
  });
});
