import { availableParallelism } from "node:os";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/numeric/errors.js";
import { kernelArray, sharedKernels, wasmKernels } from "../../src/numeric/kernel-memory.js";
import {
  kernelThreadJobs,
  kernelThreadReady,
  kernelThreadStatus,
  splitKernels,
  splitWork,
  threadsRequest,
  withKernelThread,
  type SplitKernels,
} from "../../src/numeric/kernel-thread.js";
import * as dispatched from "../../src/numeric/kernels.js";
import * as javascript from "../../src/numeric/products.js";
import * as javascriptUpdates from "../../src/numeric/updates.js";
import { seededRandom } from "../../src/numeric/random.js";
import { copyMatrix, withKernelMemory, zeros, type Matrix } from "../../src/numeric/tensor.js";
import { initializeNetwork, cloneNetwork, type NetworkSpec } from "../../src/model/network.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { zeroVelocities } from "../../src/training/momentum.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { expectSameBits, sameEntries, valuesOf } from "../support/parameters.js";

/** Waits until the worker has started (it starts on the first {@link withKernelThread}), for at most ten seconds. */
async function workerStarted(): Promise<void> {
  withKernelThread(() => undefined);
  for (let waited = 0; !kernelThreadReady() && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(kernelThreadReady()).toBe(true);
}

/**
 * `length` numbers drawn from `seed`: mostly ordinary numbers of a few magnitudes, and in about
 * one entry of fifty a signed zero, a subnormal, the largest float64, an infinity or NaN, so that
 * the rows of both threads meet every kind of float64.
 */
function entries(length: number, seed: number, inKernelMemory: boolean): Float64Array {
  const random = seededRandom(seed);
  const special = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, Number.NaN];
  const array = inKernelMemory ? kernelArray(length)! : new Float64Array(length);
  for (let i = 0; i < length; i++) {
    array[i] =
      random.uniform() < 0.02
        ? special[Math.floor(random.uniform() * special.length)]!
        : (random.uniform() - 0.5) * 10 ** (4 * random.uniform() - 2);
  }
  return array;
}

/** A copy of an array in the kernels' memory. */
function inKernelMemory(array: Float64Array): Float64Array {
  const copy = kernelArray(array.length)!;
  copy.set(array);
  return copy;
}

/** Sizes of a product large enough to split: $m$ rows (odd counts and remainders of the blocks included), the rest to reach {@link splitWork}. */
const splitSizes = fc.record({
  m: fc.integer({ min: 9, max: 70 }),
  n: fc.integer({ min: 2, max: 9 }),
  extra: fc.nat(40),
  seed: fc.nat(10_000),
});

describe("the second thread", () => {
  it("BACKPROP_REF_THREADS is unset, empty, auto, 2 or 1, and any other value is refused by name", () => {
    expect([undefined, "", "auto", "2", "1"].map(threadsRequest)).toEqual(["auto", "auto", "auto", "auto", "1"]);
    expect(() => threadsRequest("two")).toThrow(new ValueError('BACKPROP_REF_THREADS must be "1", "2", "auto" or unset, got "two"'));
  });

  it("is used on a machine with two cores or more, in the process's main thread, and the worker starts", async () => {
    const cores = availableParallelism();
    expect(kernelThreadStatus()).toEqual(
      cores >= 2 ? { threads: 2, reason: `${cores} cores` } : { threads: 1, reason: "the machine has one core" },
    );
    if (cores >= 2) await workerStarted();
  });
});

describe.runIf(availableParallelism() >= 2)("products and updates split between two threads", () => {
  it("each split product and update gives bit for bit the JavaScript kernel's numbers, for row counts with every remainder of the blocks, every kind of float64 and momentum or none, and the worker computed a share of each", async () => {
    await workerStarted();
    fc.assert(
      fc.property(
        splitSizes,
        fc.constantFrom("matrixVectorProduct", "columnPairProducts", "outerProductStep", "dotProductsStep"),
        fc.boolean(),
        ({ m, n, extra, seed }, kernel, momentum) => {
          const jobs = kernelThreadJobs();
          if (kernel === "matrixVectorProduct" || kernel === "columnPairProducts") {
            const columns = kernel === "matrixVectorProduct" ? 1 : n;
            const p = Math.ceil(splitWork / (m * columns)) + extra;
            const [a, b] = [entries(m * p, seed, false), entries(p * columns, seed + 1, false)];
            const [expected, actual] = [new Float64Array(m * columns), kernelArray(m * columns)!];
            if (kernel === "matrixVectorProduct") {
              javascript.matrixVectorProduct(expected, 0, a, 0, b, 0, m, p);
              withKernelThread(() => dispatched.matrixVectorProduct(actual, 0, inKernelMemory(a), 0, inKernelMemory(b), 0, m, p));
            } else {
              javascript.columnPairProducts(expected, 0, a, 0, b, 0, m, p, columns);
              withKernelThread(() => dispatched.columnPairProducts(actual, 0, inKernelMemory(a), 0, inKernelMemory(b), 0, m, p, columns));
            }
            expect(sameEntries(actual, expected), `${kernel} ${m}×${p}×${columns}`).toBe(true);
          } else if (kernel === "outerProductStep") {
            const width = Math.ceil(splitWork / m) + extra;
            const [w, a, o] = [entries(m * width, seed, false), entries(m, seed + 1, false), entries(width, seed + 2, false)];
            const actual = inKernelMemory(w);
            javascriptUpdates.outerProductStep(w, 0, a, 0, o, 0, m, width, 1, -0.1, 0);
            withKernelThread(() =>
              dispatched.outerProductStep(actual, 0, inKernelMemory(a), 0, inKernelMemory(o), 0, m, width, 1, -0.1, 0),
            );
            expect(sameEntries(actual, w), `outerProductStep ${m}×${width}`).toBe(true);
          } else {
            const width = Math.ceil(splitWork / (m * n)) + extra;
            const [w, a, o] = [entries(m * width, seed, false), entries(m * n, seed + 1, false), entries(width * n, seed + 2, false)];
            const v = momentum ? entries(m * width, seed + 3, false) : null;
            const [actualW, actualV] = [inKernelMemory(w), v === null ? null : inKernelMemory(v)];
            const sums = new Float64Array(4 * width);
            const expectedFinite = javascriptUpdates.dotProductsStep(w, 0, a, 0, o, 0, m, width, n, 1 / n, -0.1, 1e-4, v, 0, 0.9, sums);
            const finite = withKernelThread(() =>
              dispatched.dotProductsStep(
                actualW,
                0,
                inKernelMemory(a),
                0,
                inKernelMemory(o),
                0,
                m,
                width,
                n,
                1 / n,
                -0.1,
                1e-4,
                actualV,
                0,
                0.9,
                kernelArray(4 * width)!,
              ),
            );
            expect(sameEntries(actualW, w), `dotProductsStep ${m}×${width}, ${n} samples`).toBe(true);
            if (v !== null) expect(sameEntries(actualV!, v), "velocities").toBe(true);
            expect(finite).toBe(expectedFinite);
          }
          expect(kernelThreadJobs(), "jobs handed to the worker").toBe(jobs + 1);
        },
      ),
      { numRuns: 24 },
    );
  });

  it("a product below splitWork multiply-adds, or one outside withKernelThread, stays on the main thread", async () => {
    await workerStarted();
    const jobs = kernelThreadJobs();
    const [a, b, c] = [kernelArray(200 * 784)!, kernelArray(784)!, kernelArray(200)!];
    withKernelThread(() => dispatched.matrixVectorProduct(c, 0, a, 0, b, 0, 200, 784));
    const [large, column, result] = [kernelArray(512 * 512)!, kernelArray(512)!, kernelArray(512)!];
    dispatched.matrixVectorProduct(result, 0, large, 0, column, 0, 512, 512);
    expect(kernelThreadJobs()).toBe(jobs);
  });

  it("the negative control: with the main thread's own rows left undone, the worker's rows come out right and the main thread's are missing, so the split really hands half the rows to the worker", async () => {
    await workerStarted();
    const idle: SplitKernels = { ...wasmKernels!, matrixVectorProduct: () => undefined };
    const halfDone = splitKernels(idle, () => null);
    const [m, p] = [64, 8192];
    const [a, b] = [entries(m * p, 5, true), entries(p, 6, true)];
    const [expected, actual] = [new Float64Array(m), kernelArray(m)!];
    actual.fill(-1);
    javascript.matrixVectorProduct(expected, 0, a, 0, b, 0, m, p);
    withKernelThread(() => halfDone.matrixVectorProduct(actual.byteOffset, a.byteOffset, b.byteOffset, m, p));
    expect(sameEntries(actual.subarray(32), expected.subarray(32))).toBe(true);
    expect(Array.from(actual.subarray(0, 32))).toEqual(new Array<number>(32).fill(-1));
    expect(sameEntries(actual, expected)).toBe(false);
  });

  it("fusedTrainingStep with its products split leaves the network, with momentum and weight decay, bit for bit where the same steps on one thread over ordinary arrays leave it, three steps in a row at batches 1 to 40", async () => {
    await workerStarted();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 60, max: 90 }),
        fc.nat(1000),
        fc.boolean(),
        (batch, hidden, seed, momentum) => {
          const spec: NetworkSpec = { sizes: [200, hidden, 3], activations: ["tanh", "sigmoid"], loss: "squared_error", biases: true };
          const network = initializeNetwork(spec, { seed });
          const random = seededRandom(seed + 1);
          const columns = (rows: number): Matrix => {
            const matrix = withKernelMemory(() => zeros(rows, batch));
            for (let i = 0; i < matrix.data.length; i++) matrix.data[i] = random.uniform();
            return matrix;
          };
          const [inputs, targets] = [columns(200), columns(3)];
          const [split, splitVelocities, workspace] = withKernelMemory(
            () => [cloneNetwork(network), zeroVelocities(network), createWorkspace(spec, batch)] as const,
          );
          const [plain, plainVelocities, plainWorkspace] = [cloneNetwork(network), zeroVelocities(network), createWorkspace(spec, batch)];
          const jobs = kernelThreadJobs();
          for (let round = 1; round <= 3; round++) {
            const options = (velocities: typeof plainVelocities) => ({
              weightDecay: 1e-4,
              ...(momentum ? { momentum: { momentum: 0.9, velocities } } : {}),
            });
            const expected = fusedTrainingStep(plain, copyMatrix(inputs), targets, 0.1, plainWorkspace, options(plainVelocities));
            const loss = withKernelThread(() => fusedTrainingStep(split, inputs, targets, 0.1, workspace, options(splitVelocities)));
            expectSameBits([loss], [expected], `loss of step ${round}`);
            expectSameBits(valuesOf(split), valuesOf(plain), `parameters after step ${round}`);
            expectSameBits(valuesOf(splitVelocities), valuesOf(plainVelocities), `velocities after step ${round}`);
          }
          if (200 * hidden * batch >= splitWork) expect(kernelThreadJobs()).toBeGreaterThan(jobs);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("the module and memory a second thread instantiates", () => {
  it("are the kernels' own: a module that exports every kernel the worker may run, and a shared memory", () => {
    const shared = sharedKernels()!;
    // The engine's WebAssembly API, typed by hand: the project's TypeScript libraries leave it out.
    const { Module } = (globalThis as unknown as { WebAssembly: { Module: { exports(module: object): { name: string }[] } } }).WebAssembly;
    const names = Module.exports(shared.module).map(({ name }) => name);
    expect(names).toEqual([
      "matrixVectorProduct",
      "columnPairProducts",
      "transposedProduct",
      "rowDotProducts",
      "outerProductStep",
      "dotProductsStep",
    ]);
    expect((shared.memory as { buffer: unknown }).buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
