import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernelArray, kernelStatus, ownedByKernels } from "../../src/numeric/kernel-memory.js";
import * as dispatched from "../../src/numeric/kernels.js";
import * as javascript from "../../src/numeric/products.js";
import * as javascriptUpdates from "../../src/numeric/updates.js";
import { copyMatrix, matrixFromRows, matrixToRows, multiply, withKernelMemory, zeros, type Matrix } from "../../src/numeric/tensor.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { trainingStep } from "../../src/model/backprop.js";
import { cloneNetwork } from "../../src/model/network.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { zeroVelocities } from "../../src/training/momentum.js";
import type { ParameterArrays } from "../../src/model/network.js";
import { anyWeightDecay } from "../support/weight-decay.js";
import { numRuns } from "../support/arbitraries.js";
import { expectSameBits, sameEntries, valuesOf } from "../support/parameters.js";
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

/** An update's case: the kernel, its sizes, the offsets of its arrays, their entries and the scalars of the step. */
interface UpdateCase {
  readonly name: "outerProductStep" | "dotProductsStep";
  /** $m, n$ for the outer product; $m, n, B$ for the dot products. */
  readonly sizes: readonly number[];
  readonly offsets: readonly [number, number, number, number];
  /** The entries of $W$, $A$ (or $a$), $O$ (or $o$) and, for the dot products, $v$. */
  readonly arrays: readonly (readonly number[])[];
  readonly withVelocity: boolean;
  readonly firstScale: number;
  readonly secondScale: number;
  readonly decay: number;
  readonly momentum: number;
}

/** The lengths of an update's arrays: $W$, $A$, $O$ and (for the dot products) $v$. */
function updateLengths(name: UpdateCase["name"], [m = 0, n = 0, samples = 1]: readonly number[]): number[] {
  return name === "outerProductStep" ? [m * n, m, n] : [m * n, m * samples, n * samples, m * n];
}

/**
 * Random {@link UpdateCase}s: sizes around the kernels' blocks (pairs, four rows), every float64
 * in every array, $s_1 = 1$ often (the one-sample step, which the JavaScript kernel runs eight
 * rows at a time) and a decay of 0 often (its own loops in both languages).
 */
const updateCase: fc.Arbitrary<UpdateCase> = fc
  .record({
    name: fc.constantFrom("outerProductStep" as const, "dotProductsStep" as const),
    m: size,
    n: size,
    samples: fc.integer({ min: 1, max: 9 }),
    offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    withVelocity: fc.boolean(),
    firstScale: fc.oneof(fc.constant(1), fc.constantFrom(1 / 3, 1 / 64), anyDouble),
    secondScale: fc.oneof(fc.constant(-0.1), anyDouble),
    decay: fc.oneof(fc.constant(0), fc.constant(1e-4), anyDouble),
    momentum: fc.oneof(fc.constant(0.9), anyDouble),
  })
  .chain(({ name, m, n, samples, ...scalars }) => {
    const sizes = name === "outerProductStep" ? [m, n] : [m, n, samples];
    const arrays = updateLengths(name, sizes).map((length) => fc.array(anyDouble, { minLength: length, maxLength: length }));
    return fc.record({ name: fc.constant(name), sizes: fc.constant(sizes), arrays: fc.tuple(...arrays), ...mapConstants(scalars) });
  });

/** Each value of a record as an arbitrary that gives it. */
function mapConstants<T extends object>(record: T): { [K in keyof T]: fc.Arbitrary<T[K]> } {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fc.constant(value)])) as {
    [K in keyof T]: fc.Arbitrary<T[K]>;
  };
}

/** The update kernels, JavaScript or dispatched, under one signature. */
type UpdateKernels = Pick<typeof javascriptUpdates, "outerProductStep" | "dotProductsStep">;

/** Runs one update with `kernels` on arrays in the kernels' memory or not; returns every array it was given and its verdict. */
function updated(kernels: UpdateKernels, test: UpdateCase, inKernelMemory: boolean): { arrays: Float64Array[]; verdict: boolean | null } {
  const arrays = test.arrays.map((entries, index) => placed(entries, test.offsets[index]!, untouched, inKernelMemory));
  const [w, a, o, v] = arrays as [Float64Array, Float64Array, Float64Array, Float64Array?];
  const [wStart, aStart, oStart, vStart] = test.offsets;
  const { firstScale, secondScale, decay, momentum } = test;
  const [m = 0, n = 0, samples = 1] = test.sizes;
  if (test.name === "outerProductStep") {
    kernels.outerProductStep(w, wStart, a, aStart, o, oStart, m, n, firstScale, secondScale, decay);
    return { arrays, verdict: null };
  }
  // The room for the sums holds whatever an earlier step left there: the kernel must not read it before it writes it.
  const sums = placed(new Array<number>(4 * n).fill(Number.NaN), 0, Number.NaN, inKernelMemory);
  const velocity = test.withVelocity ? v! : null;
  const verdict = kernels.dotProductsStep(
    w,
    wStart,
    a,
    aStart,
    o,
    oStart,
    m,
    n,
    samples,
    firstScale,
    secondScale,
    decay,
    velocity,
    vStart,
    momentum,
    sums,
  );
  return { arrays, verdict };
}

describe("the WebAssembly update kernels: the JavaScript steps of the weights, two adjacent weights per SIMD instruction", () => {
  it("each leaves the weights (and the velocities) bit for bit where the JavaScript kernel of its name leaves them, says the same about their finiteness, and writes nothing around them, for every size from 1, every float64 in every operand and scalar, and any offset", () => {
    fc.assert(
      fc.property(updateCase, (test) => {
        const expected = updated(javascriptUpdates, test, false);
        const actual = updated(dispatched, test, true);
        expect(actual.arrays.every((array) => ownedByKernels(array))).toBe(true);
        actual.arrays.forEach((array, index) => {
          expect(sameEntries(array, expected.arrays[index]!), `${test.name} ${test.sizes.join("×")}, array ${index}`).toBe(true);
        });
        expect(actual.verdict).toBe(expected.verdict);
      }),
      { numRuns: numRuns * 5 },
    );
  });

  it("the negative control: an update that multiplies the two scales first, w + G·(s₁s₂) as a hand-written loop does, differs from the WebAssembly kernel in some bit", () => {
    const outcome = fc.check(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 2, max: 64 }),
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        (gradient, batch, learningRate) => {
          // One row: A = [1], O = the gradient as a column, so that each sum G_k is 0 + 1·g_k = g_k.
          const n = gradient.length;
          const [weights, a, o, sums] = [kernelArray(n)!, kernelArray(1)!, kernelArray(n)!, kernelArray(4 * n)!];
          a[0] = 1;
          o.set(gradient);
          dispatched.dotProductsStep(weights, 0, a, 0, o, 0, 1, n, 1, 1 / batch, -learningRate, 0, null, 0, 0, sums);
          const factor = (1 / batch) * -learningRate;
          return gradient.every((g, k) => Object.is(weights[k], 0 + g * factor));
        },
      ),
      { numRuns: 1000, seed: 17 },
    );
    expect(outcome.failed).toBe(true);
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

describe("training with momentum and weight decay over the WebAssembly kernels", () => {
  it("fusedTrainingStep with momentum and a weight decay, the network, its velocities, the batch and the workspace in the kernels' memory, leaves the network and the velocities bit for bit where the same steps over ordinary arrays (the JavaScript kernels) leave them, three steps in a row, at batch 1 (the one-sample update) and beyond", () => {
    fc.assert(
      fc.property(
        caseDocument({ depth: { min: 1, max: 3 }, width: { min: 1, max: 20 }, batch: { min: 1, max: 9 }, weightDecay: anyWeightDecay() }),
        fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 0.99, noNaN: true })),
        fc.boolean(),
        (document, momentum, withMomentum) => {
          const { network, inputs, targets, learningRate, weightDecay } = parseCase(document);
          const [folded, velocities, batch, workspace] = withKernelMemory(
            () =>
              [
                cloneNetwork(network),
                zeroVelocities(network),
                copyMatrix(inputs),
                createWorkspace(network.spec, inputs.shape[1]!),
              ] as const,
          );
          expect([...folded.weights, ...velocities.weights].every((matrix) => ownedByKernels(matrix.data))).toBe(true);
          const [plain, plainVelocities] = [cloneNetwork(network), zeroVelocities(network)];
          const plainWorkspace = createWorkspace(network.spec, inputs.shape[1]!);
          for (let round = 1; round <= 3; round++) {
            const options = (v: ParameterArrays) => ({ weightDecay, ...(withMomentum ? { momentum: { momentum, velocities: v } } : {}) });
            const expected = fusedTrainingStep(plain, inputs, targets, learningRate, plainWorkspace, options(plainVelocities));
            const loss = fusedTrainingStep(folded, batch, targets, learningRate, workspace, options(velocities));
            expectSameBits([loss], [expected], `loss of step ${round}`);
            expectSameBits(valuesOf(folded), valuesOf(plain), `parameters after step ${round}`);
            expectSameBits(valuesOf(velocities), valuesOf(plainVelocities), `velocities after step ${round}`);
          }
        },
      ),
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
