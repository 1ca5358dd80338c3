import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelArray, kernelStatus, ownedByKernels } from "../../src/numeric/kernel-memory.js";
import * as dispatched from "../../src/numeric/kernels.js";
import * as javascript from "../../src/numeric/products.js";
import { copyMatrix, matrixFromRows, matrixToRows, multiply, withKernelMemory, zeros, type Matrix } from "../../src/numeric/tensor.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { trainingStep } from "../../src/model/backprop.js";
import { cloneNetwork } from "../../src/model/network.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { numRuns } from "../support/arbitraries.js";
import { expectSameBits, valuesOf } from "../support/parameters.js";
import { layouts, plainProduct, rowsOf, untouched, type Rows } from "../support/layouts.js";

/** The four dense kernels, each with the lengths of its result and operands for sizes $m, p, n$. */
const kernels = {
  matrixVectorProduct: { lengths: (m: number, p: number) => [m, m * p, p], oneColumn: true },
  columnPairProducts: { lengths: (m: number, p: number, n: number) => [m * n, m * p, p * n], oneColumn: false },
  transposedProduct: { lengths: (m: number, p: number, n: number) => [m * n, p * m, p * n], oneColumn: false },
  rowDotProducts: { lengths: (m: number, p: number, n: number) => [m * n, m * p, n * p], oneColumn: false },
} as const;
type KernelName = keyof typeof kernels;
type Kernel = (
  c: Float64Array,
  cStart: number,
  a: Float64Array,
  aStart: number,
  b: Float64Array,
  bStart: number,
  ...sizes: number[]
) => void;

/**
 * Sizes from 1 to 20, often around the blocks of the WebAssembly kernels (pairs of lanes, four
 * columns or rows, eight rows), so that full blocks and every kind of remainder occur.
 */
const size = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17));

/**
 * Every float64: fast-check's doubles reach the subnormals, the signed zeros, the largest
 * finite numbers and the infinities (whose products and sums give NaN, which both kernels must
 * give in the same entries), beside ordinary numbers of a few magnitudes.
 */
const anyDouble = fc.oneof(
  fc.double(),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom(0, -0, 5e-324, -5e-324, Number.MAX_VALUE),
);

/** A product's case: the kernel, its sizes, the offsets of $C$, $A$ and $B$ in their arrays, and the entries of $A$ and $B$. */
interface ProductCase {
  readonly name: KernelName;
  readonly sizes: readonly number[];
  readonly offsets: readonly [number, number, number];
  readonly a: readonly number[];
  readonly b: readonly number[];
}

/** Random {@link ProductCase}s. */
const productCase: fc.Arbitrary<ProductCase> = fc
  .record({
    name: fc.constantFrom(...(Object.keys(kernels) as KernelName[])),
    m: size,
    p: size,
    n: size,
    offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  })
  .chain(({ name, m, p, n, offsets }) => {
    const columns = kernels[name].oneColumn ? 1 : n;
    const [, aLength = 0, bLength = 0] = kernels[name].lengths(m, p, columns);
    return fc.record({
      name: fc.constant(name),
      sizes: fc.constant(kernels[name].oneColumn ? [m, p] : [m, p, columns]),
      offsets: fc.constant(offsets),
      a: fc.array(anyDouble, { minLength: aLength, maxLength: aLength }),
      b: fc.array(anyDouble, { minLength: bLength, maxLength: bLength }),
    });
  });

/** `entries` from `offset` in a new array two numbers longer than they need, in the kernels' memory or not, every other number `filler`. */
function placed(entries: readonly number[], offset: number, filler: number, inKernelMemory: boolean): Float64Array {
  const length = offset + entries.length + 2;
  const array = inKernelMemory ? kernelArray(length)! : new Float64Array(length);
  array.fill(filler);
  array.set(entries, offset);
  return array;
}

/** Whether two arrays hold the same numbers, entry by entry by `Object.is` (so $+0 \ne -0$; NaN equals NaN, whose payload neither language fixes). */
function sameEntries(x: Float64Array, y: Float64Array): boolean {
  return x.length === y.length && x.every((value, index) => Object.is(value, y[index]));
}

/** Runs one product with the kernel `run` on arrays in the kernels' memory or not, and returns the whole result array. */
function computed(run: Kernel, test: ProductCase, inKernelMemory: boolean): Float64Array {
  const [cOffset, aOffset, bOffset] = test.offsets;
  const [m, p, n = 1] = test.sizes as [number, number, number?];
  const [cLength = 0] = kernels[test.name].lengths(m, p, n);
  const c = placed(
    Array.from({ length: cLength }, () => untouched),
    cOffset,
    untouched,
    inKernelMemory,
  );
  const a = placed(test.a, aOffset, Number.NaN, inKernelMemory);
  const b = placed(test.b, bOffset, Number.NaN, inKernelMemory);
  run(c, cOffset, a, aOffset, b, bOffset, ...test.sizes);
  return c;
}

describe("the WebAssembly kernels: the JavaScript kernels' sums, two independent entries per SIMD instruction", () => {
  it("are the kernels of this test run: Node.js compiles the module, and arrays made inside withKernelMemory lie in its memory, the others not", () => {
    expect(kernelStatus()).toEqual({ kernels: "wasm", reason: expect.stringContaining("compiled") });
    expect(ownedByKernels(withKernelMemory(() => zeros(3, 4)).data)).toBe(true);
    expect(ownedByKernels(zeros(3, 4).data)).toBe(false);
    expect(ownedByKernels(new Float64Array(12))).toBe(false);
  });

  it("each gives bit for bit what the JavaScript kernel of its name gives, for every size from 1 (full blocks and every remainder), every float64 (subnormals, signed zeros, infinities) and operands at any offset, and writes nothing around its result", () => {
    fc.assert(
      fc.property(productCase, (test) => {
        const expected = computed(javascript[test.name], test, false);
        const actual = computed(dispatched[test.name], test, true);
        expect(sameEntries(actual, expected), `${test.name} ${test.sizes.join("×")}`).toBe(true);
      }),
      { numRuns: numRuns * 5 },
    );
  });

  it("multiply over matrices in the kernels' memory (dense at an offset, and transposed views) gives the plain sum bit for bit, and so the JavaScript kernels' numbers", () => {
    const factors = fc.tuple(size, size, fc.oneof(fc.constant(1), size)).chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    const dense = { dense: layouts.dense, transposed: layouts.transposed };
    fc.assert(
      fc.property(factors, ([a, b]) => {
        const expected = plainProduct(a, b);
        const [m, n] = [a.length, b[0]!.length];
        for (const [aLayout, placeA] of Object.entries(dense)) {
          for (const [bLayout, placeB] of Object.entries(dense)) {
            const [left, right, result] = withKernelMemory((): [Matrix, Matrix, Matrix] => [placeA(a, 0), placeB(b, 0), zeros(m, n)]);
            expect([left, right, result].every((matrix) => ownedByKernels(matrix.data))).toBe(true);
            expect(matrixToRows(multiply(result, left, right)), `${aLayout} × ${bLayout}`).toEqual(expected);
          }
        }
      }),
      { numRuns },
    );
  });

  it("a product with one operand outside the kernels' memory, or whose entries would run past its array, takes the JavaScript kernel and gives the same numbers", () => {
    const rows: Rows = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const inside = withKernelMemory(() => [matrixFromRows(rows), matrixFromRows([[1], [0.5], [0.25]]), zeros(2, 1)] as const);
    const outside = matrixFromRows([[1], [0.5], [0.25]]);
    expect(matrixToRows(multiply(inside[2], inside[0], outside))).toEqual([[2.75], [8]]);
    // An array too short for the sizes asked: the JavaScript kernel reads `undefined` past its end (NaN), the WebAssembly kernel is never asked.
    const short = kernelArray(2)!;
    const c = kernelArray(2)!;
    dispatched.matrixVectorProduct(c, 0, inside[0].data, 0, short, 0, 2, 3);
    expect(Array.from(c)).toEqual([Number.NaN, Number.NaN]);
  });
});

describe("training over the WebAssembly kernels", () => {
  it("fusedTrainingStep with the network, the batch and the workspace in the kernels' memory leaves the network bit for bit where trainingStep over ordinary arrays (the JavaScript kernels) puts it, three steps in a row, for widths up to 20 and batches up to 9", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 1, max: 3 }, width: { min: 1, max: 20 }, batch: { min: 1, max: 9 } }), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const [folded, batch, workspace] = withKernelMemory(
          () => [cloneNetwork(network), copyMatrix(inputs), createWorkspace(network.spec, inputs.shape[1]!)] as const,
        );
        expect([...folded.weights, batch, ...workspace.deltas].every((matrix) => ownedByKernels(matrix.data))).toBe(true);
        expect(ownedByKernels(network.weights[0]!.data)).toBe(false);
        let reference = network;
        for (let round = 1; round <= 3; round++) {
          const expected = trainingStep(reference, inputs, targets, learningRate);
          const loss = fusedTrainingStep(folded, batch, targets, learningRate, workspace);
          expectSameBits([loss], [expected.loss], `loss of step ${round}`);
          expectSameBits(valuesOf(folded), valuesOf(expected.updated), `parameters after step ${round}`);
          reference = expected.updated;
        }
      }),
      { numRuns },
    );
  });
});

/**
 * $C_{ij}$ with the terms of even $k$ summed in one lane and those of odd $k$ in the other, then
 * the two lanes added: what a SIMD kernel gives that vectorises along the sum instead of across
 * entries. The same numbers in real arithmetic, other roundings in float64.
 */
function lanesAlongTheSum(c: Float64Array, a: Float64Array, b: Float64Array, m: number, p: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let even = 0;
      let odd = 0;
      for (let k = 0; k < p; k++) {
        if (k % 2 === 0) even += a[i * p + k]! * b[k * n + j]!;
        else odd += a[i * p + k]! * b[k * n + j]!;
      }
      c[i * n + j] = even + odd;
    }
  }
}

/** $C_{ij}$ summed from the last $k$ down to the first: the same terms in the other order. */
function reversedSum(c: Float64Array, a: Float64Array, b: Float64Array, m: number, p: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = p - 1; k >= 0; k--) sum += a[i * p + k]! * b[k * n + j]!;
      c[i * n + j] = sum;
    }
  }
}

describe("the negative controls: the bit-for-bit comparison rejects a kernel that sums in another order", () => {
  for (const [name, broken] of Object.entries({
    "lanes along the sum (even and odd k apart)": lanesAlongTheSum,
    "k in decreasing order": reversedSum,
  })) {
    it(`finds a product where ${name} differs from the WebAssembly kernel in some bit`, () => {
      const factors = fc
        .tuple(size, fc.integer({ min: 3, max: 20 }), size)
        .chain(([m, p, n]) => fc.tuple(fc.constant([m, p, n] as const), rowsOf(m, p), rowsOf(p, n)));
      const outcome = fc.check(
        fc.property(factors, ([[m, p, n], a, b]) => {
          const [left, right, result] = withKernelMemory(() => [matrixFromRows(a), matrixFromRows(b), zeros(m, n)] as const);
          multiply(result, left, right);
          const brokenResult = new Float64Array(m * n);
          broken(brokenResult, Float64Array.from(a.flat()), Float64Array.from(b.flat()), m, p, n);
          return sameEntries(result.data, brokenResult);
        }),
        { numRuns: 1000, seed: 17 },
      );
      expect(outcome.failed).toBe(true);
    });
  }
});
