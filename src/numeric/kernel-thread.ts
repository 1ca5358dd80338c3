/**
 * The second thread: a worker that instantiates the WebAssembly kernels over the same shared
 * memory and computes the lower half of the rows of a large product or update while the main
 * thread computes the upper half, so that a step uses both cores of a two-core machine.
 *
 * **The same numbers.** A row of a product (an entry $C_{ij}$, a weight $W_{jk}$) is computed
 * by one thread, by the same kernel, with the sum in the same order as when one thread computes
 * every row; splitting the rows changes which thread computes an entry, never how. The kernels
 * give the same entry whatever the number of rows they are given (`spec/numeric/kernels.spec.ts`
 * proves every size against the JavaScript kernels), so the split results are bit for bit the
 * unsplit ones, and `spec/numeric/kernel-thread.spec.ts` proves that too.
 *
 * **The handover.** A block of the kernels' memory holds the job: which kernel, its arguments,
 * and two counters. The main thread writes the job, increments the job counter
 * (`Atomics.store`, then `Atomics.notify`), computes its own rows, and waits until the worker has
 * copied the job counter into the done counter. A job is run once: the worker claims it by an
 * atomic exchange before it starts, and the main thread, if the worker has not claimed it within
 * ten seconds, claims it instead and computes those rows itself. The worker spins on the job counter for a while
 * after each job (a step asks for the next product within microseconds, and waking a sleeping
 * thread takes tens of them), then sleeps in `Atomics.wait` until the next job. The atomic
 * operations order the plain reads and writes of the kernels around them, so each thread sees
 * the other's rows once it has seen the counter move.
 *
 * **Where it is used.** Only inside {@link withKernelThread}: training and the accuracy
 * measurements run there (see {@link training/train!train | train}), where the products are
 * large and come one after another; elsewhere, and in any thread but the process's main one,
 * one thread computes everything. A product is split only when it has at least
 * {@link splitWork} multiply-adds: below that, the handover costs more than half the product.
 * `BACKPROP_REF_THREADS=1` keeps one thread everywhere. Until the worker has started (its
 * first use, some tens of milliseconds), the main thread computes every row itself.
 *
 * @module
 */
import { ValueError } from "./errors.js";
import { kernelArray, sharedKernels, type WasmKernels } from "./kernel-memory.js";

/** The environment variable that can keep the kernels on one thread: `1`, or `2`/`auto`/unset for both cores. */
export const threadsVariable = "BACKPROP_REF_THREADS";

/**
 * The fewest multiply-adds (for the dot products of an update, weights times samples; for the
 * one-sample update, weights) for which a product is split between the two threads, $2^{18}$.
 * Measured on two cores, training the seed's 784-200-10 network on MNIST: at batch 64 an epoch's
 * steps took 3.7 s on two threads against 5.0 to 6.0 s on one; at batch 1, whose largest
 * products have 156,800 multiply-adds, they took 7.2 s against 7.1 s (the handover and the
 * caches cost what the second core saves), so those stay on one thread.
 */
export const splitWork = 2 ** 18;

/** The kernels a job can name, by number. */
const jobKinds = { matrixVectorProduct: 0, columnPairProducts: 1, outerProductStep: 2, dotProductsStep: 3 } as const;

/** Positions in the job block, as indices of an `Int32Array` over it. */
const slot = { job: 0, done: 1, ready: 2, kind: 3, result: 4, claim: 5, firstInteger: 6 } as const;

/** Where the job's float64 arguments start, as an index of a `Float64Array` over the block (byte 64). */
const firstFloat = 8;

/** Float64 numbers in the job block: 16 (128 bytes): 16 int32 slots, then 8 float64 ones. */
const blockLength = 16;

/**
 * The worker's program, as source text: it runs with `eval: true`, so that the same text serves
 * the sources (run by tsx or vitest) and the compiled package, with no file to find. It receives
 * the module, the memory and the job block's address, instantiates the module, says it is ready,
 * and then runs job after job.
 */
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, block, spinMilliseconds } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ints = new Int32Array(memory.buffer, block, ${2 * blockLength});
const floats = new Float64Array(memory.buffer, block, ${blockLength});
const i = ${slot.firstInteger}, f = ${firstFloat};
// The job counter is read before the worker says it is ready: the main thread posts no job
// before it sees the worker ready, so none can slip in between.
let seen = Atomics.load(ints, ${slot.job});
Atomics.store(ints, ${slot.ready}, 1);
Atomics.notify(ints, ${slot.ready});
for (;;) {
  let since = performance.now();
  for (let spins = 1; Atomics.load(ints, ${slot.job}) === seen; spins++) {
    if ((spins & 1023) === 0 && performance.now() - since > spinMilliseconds) {
      Atomics.wait(ints, ${slot.job}, seen);
      since = performance.now();
    }
  }
  seen = Atomics.load(ints, ${slot.job});
  let result = 1;
  // A job is run once: by the worker if it claims it first, else by the main thread, which claims
  // it only when it has waited too long; the worker then leaves it alone.
  if (Atomics.compareExchange(ints, ${slot.claim}, 0, 1) !== 0) {
    Atomics.store(ints, ${slot.done}, seen);
    Atomics.notify(ints, ${slot.done});
    continue;
  }
  try {
  switch (ints[${slot.kind}]) {
    case ${jobKinds.matrixVectorProduct}:
      kernels.matrixVectorProduct(ints[i], ints[i + 1], ints[i + 2], ints[i + 3], ints[i + 4]);
      break;
    case ${jobKinds.columnPairProducts}:
      kernels.columnPairProducts(ints[i], ints[i + 1], ints[i + 2], ints[i + 3], ints[i + 4], ints[i + 5]);
      break;
    case ${jobKinds.outerProductStep}:
      kernels.outerProductStep(ints[i], ints[i + 1], ints[i + 2], ints[i + 3], ints[i + 4], floats[f], floats[f + 1], floats[f + 2]);
      break;
    case ${jobKinds.dotProductsStep}:
      result = kernels.dotProductsStep(ints[i], ints[i + 1], ints[i + 2], ints[i + 3], ints[i + 4], ints[i + 5],
        floats[f], floats[f + 1], floats[f + 2], ints[i + 6], ints[i + 7], floats[f + 3], ints[i + 8]);
      break;
  }
  } catch {
    result = -1;
  }
  ints[${slot.result}] = result;
  Atomics.store(ints, ${slot.done}, seen);
  Atomics.notify(ints, ${slot.done});
}
`;

/** How long the worker spins for the next job before it sleeps, in milliseconds. */
const spinMilliseconds = 2;

/** Whether the process may use the second thread, and why not if it may not. */
export interface KernelThreadStatus {
  /** 2 when products inside {@link withKernelThread} may be split, 1 otherwise. */
  readonly threads: 1 | 2;
  /** Why. */
  readonly reason: string;
}

/** The parts of `node:worker_threads` used here. */
interface WorkerThreads {
  readonly isMainThread: boolean;
  readonly Worker: new (
    source: string,
    options: { eval: true; workerData: unknown },
  ) => { unref(): void; on(event: "error", listener: (error: unknown) => void): void };
}

/** The parts of `node:os` used here. */
interface OperatingSystem {
  availableParallelism(): number;
}

/** `process.getBuiltinModule`, where the engine has it (Node.js 20.16 and later); browsers have no process. */
function builtin<Module>(name: string): Module | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return process?.getBuiltinModule?.(name) as Module | undefined;
}

/** The worker and its job block, once started. */
interface Started {
  readonly ints: Int32Array;
  readonly floats: Float64Array;
  /** Keeps the block's array alive, so that its memory is never given to another array. */
  readonly block: Float64Array;
  sequence: number;
  jobs: number;
  failed: boolean;
}

/** What {@link threadsVariable} asks for. */
export type ThreadsRequest = "auto" | "1";

/**
 * Reads a value of {@link threadsVariable}: unset, empty, `auto` or `2` ask for both cores where
 * the machine has them, `1` for one thread.
 *
 * @param value - the variable's value, or `undefined` when it is unset
 * @throws {@link numeric/errors!ValueError | ValueError} for any other value, naming the variable
 */
export function threadsRequest(value: string | undefined): ThreadsRequest {
  if (value === undefined || value === "" || value === "auto" || value === "2") return "auto";
  if (value === "1") return "1";
  throw new ValueError(`${threadsVariable} must be "1", "2", "auto" or unset, got ${JSON.stringify(value)}`);
}

/** Reads {@link threadsVariable} and the machine, once. */
function status(): KernelThreadStatus {
  if (threadsRequest(globalThis.process?.env?.[threadsVariable]) === "1") return { threads: 1, reason: `${threadsVariable}=1` };
  if (sharedKernels() === null) return { threads: 1, reason: "the WebAssembly kernels are off" };
  const threads = builtin<WorkerThreads>("node:worker_threads");
  const os = builtin<OperatingSystem>("node:os");
  if (threads === undefined || os === undefined) return { threads: 1, reason: "this JavaScript engine has no worker threads" };
  if (!threads.isMainThread) return { threads: 1, reason: "not the process's main thread" };
  if (os.availableParallelism() < 2) return { threads: 1, reason: "the machine has one core" };
  return { threads: 2, reason: `${os.availableParallelism()} cores` };
}

const threadStatus = status();

/** Whether products are split now: inside {@link withKernelThread}, with two threads allowed. */
let splitting = false;

let started: Started | null = null;

/** Which threads the kernels may use in this process, and why. */
export function kernelThreadStatus(): KernelThreadStatus {
  return threadStatus;
}

/** Whether the worker has started and taken the module, so that products can be split now. */
export function kernelThreadReady(): boolean {
  return started !== null && !started.failed && Atomics.load(started.ints, slot.ready) === 1;
}

/** How many jobs the main thread has handed to the worker since the process started: the products and updates split. */
export function kernelThreadJobs(): number {
  return started?.jobs ?? 0;
}

/**
 * Runs `work` with the large products and updates split between the main thread and the worker
 * (started on the first call). The numbers are the same as on one thread.
 *
 * @param work - the computation
 * @returns what `work` returns
 */
export function withKernelThread<Result>(work: () => Result): Result {
  if (threadStatus.threads === 1) return work();
  start();
  const outer = splitting;
  splitting = true;
  try {
    return work();
  } finally {
    splitting = outer;
  }
}

/** Starts the worker, once; a worker that cannot start leaves every product to the main thread. */
function start(): void {
  if (started !== null) return;
  const shared = sharedKernels()!;
  const block = kernelArray(blockLength);
  if (block === null) return;
  const ints = new Int32Array(block.buffer, block.byteOffset, 2 * blockLength);
  const floats = new Float64Array(block.buffer, block.byteOffset, blockLength);
  const state: Started = { ints, floats, block, sequence: 0, jobs: 0, failed: false };
  try {
    const { Worker } = builtin<WorkerThreads>("node:worker_threads")!;
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { module: shared.module, memory: shared.memory, block: block.byteOffset, spinMilliseconds },
    });
    worker.on("error", () => {
      state.failed = true;
    });
    worker.unref();
  } catch {
    state.failed = true;
  }
  started = state;
}

/**
 * The worker, when a product of `work` multiply-adds should be split now: inside
 * {@link withKernelThread}, large enough, and with the worker ready; `null` otherwise.
 */
function helper(work: number): Started | null {
  return splitting && work >= splitWork && kernelThreadReady() ? started : null;
}

/** Hands a job to the worker: its kind, int32 arguments and float64 arguments. */
function post(worker: Started, kind: number, integers: readonly number[], floats: readonly number[] = []): void {
  worker.ints[slot.kind] = kind;
  worker.ints[slot.claim] = 0;
  integers.forEach((value, index) => (worker.ints[slot.firstInteger + index] = value));
  floats.forEach((value, index) => (worker.floats[firstFloat + index] = value));
  worker.sequence = (worker.sequence + 1) | 0;
  worker.jobs++;
  Atomics.store(worker.ints, slot.job, worker.sequence);
  Atomics.notify(worker.ints, slot.job);
}

/** How long the main thread waits for the worker's half before it gives the worker up, in milliseconds. */
const patienceMilliseconds = 10_000;

/**
 * Waits until the worker has done the job posted last and returns its result.
 *
 * If the worker has not even claimed the job within {@link patienceMilliseconds} (it died, or
 * never runs), this thread claims it, runs `instead` (the worker's rows, here) and stops using
 * the worker; a worker that claims a job runs it to the end, so its rows are never computed
 * twice (an update computed twice would step its weights twice). A kernel that failed in the
 * worker may have updated part of its rows, so that is an error, not a second try.
 */
function finish(worker: Started, instead: () => number): number {
  const { ints, sequence } = worker;
  let since = Number.NaN;
  for (let spins = 0; Atomics.load(ints, slot.done) !== sequence; spins++) {
    if (spins < 1 << 20) continue;
    if (Number.isNaN(since)) since = performance.now();
    else if (performance.now() - since > patienceMilliseconds && Atomics.compareExchange(ints, slot.claim, 0, 2) === 0) {
      worker.failed = true;
      return instead();
    }
    Atomics.wait(ints, slot.done, Atomics.load(ints, slot.done), 1);
  }
  const result = ints[slot.result]!;
  if (result >= 0) return result;
  worker.failed = true;
  throw new Error("a WebAssembly kernel failed in the second thread; set BACKPROP_REF_THREADS=1 to compute on one thread");
}

/**
 * The first row of the worker's share of `rows` rows: the nearest multiple of `block` to half,
 * so that both shares keep the kernel's full blocks of rows (0 when there are too few rows to
 * share).
 */
function splitRow(rows: number, block: number): number {
  const row = Math.round(rows / 2 / block) * block;
  return row < rows ? row : 0;
}

/**
 * The kernels of the WebAssembly module that {@link splitKernels} splits, as
 * {@link numeric/kernel-memory!WasmKernels | WasmKernels} has them: $c = A b$ and $C = A B$ (rows of
 * $A$ and $C$ split), the one-sample update (rows of $W$ and $a$), and the step of a batch or with
 * momentum (rows of $W$, $A$ and $v$, each thread with its own room for sums).
 */
export type SplitKernels = Pick<WasmKernels, "matrixVectorProduct" | "columnPairProducts" | "outerProductStep" | "dotProductsStep">;

/**
 * The kernels of {@link SplitKernels} with their rows split between the two threads where
 * {@link withKernelThread} allows it, and computed by `kernels` alone otherwise. Addresses are
 * byte addresses, as the module takes them.
 *
 * @param kernels - the main thread's WebAssembly kernels
 * @param workerSums - room for the worker's sums of `dotProductsStep`, `4n` numbers, at a byte address; made on demand
 */
export function splitKernels(kernels: SplitKernels, workerSums: (columns: number) => number | null): SplitKernels {
  const bytes = 8;
  return {
    matrixVectorProduct(c, a, b, m, p) {
      const worker = helper(m * p);
      const h = splitRow(m, 8);
      if (worker === null || h === 0) return kernels.matrixVectorProduct(c, a, b, m, p);
      const theirs = [c + h * bytes, a + h * p * bytes, b, m - h, p] as const;
      post(worker, jobKinds.matrixVectorProduct, theirs);
      kernels.matrixVectorProduct(c, a, b, h, p);
      finish(worker, () => (kernels.matrixVectorProduct(...theirs), 1));
    },
    columnPairProducts(c, a, b, m, p, n) {
      const worker = helper(m * p * n);
      const h = splitRow(m, 4);
      if (worker === null || h === 0) return kernels.columnPairProducts(c, a, b, m, p, n);
      const theirs = [c + h * n * bytes, a + h * p * bytes, b, m - h, p, n] as const;
      post(worker, jobKinds.columnPairProducts, theirs);
      kernels.columnPairProducts(c, a, b, h, p, n);
      finish(worker, () => (kernels.columnPairProducts(...theirs), 1));
    },
    outerProductStep(w, a, o, m, n, s1, s2, decay) {
      const worker = helper(m * n);
      const h = splitRow(m, 4);
      if (worker === null || h === 0) return kernels.outerProductStep(w, a, o, m, n, s1, s2, decay);
      const theirs = [w + h * n * bytes, a + h * bytes, o, m - h, n] as const;
      post(worker, jobKinds.outerProductStep, theirs, [s1, s2, decay]);
      kernels.outerProductStep(w, a, o, h, n, s1, s2, decay);
      finish(worker, () => (kernels.outerProductStep(...theirs, s1, s2, decay), 1));
    },
    dotProductsStep(w, a, o, m, n, samples, s1, s2, decay, hasVelocity, v, momentum, sums) {
      const worker = helper(m * n * samples);
      const h = splitRow(m, 4);
      const room = worker === null || h === 0 ? null : workerSums(n);
      if (worker === null || room === null)
        return kernels.dotProductsStep(w, a, o, m, n, samples, s1, s2, decay, hasVelocity, v, momentum, sums);
      const below = h * n * bytes;
      const [wTheirs, aTheirs, vTheirs] = [w + below, a + h * samples * bytes, v + (hasVelocity === 0 ? 0 : below)];
      post(
        worker,
        jobKinds.dotProductsStep,
        [wTheirs, aTheirs, o, m - h, n, samples, hasVelocity, vTheirs, room],
        [s1, s2, decay, momentum],
      );
      const mine = kernels.dotProductsStep(w, a, o, h, n, samples, s1, s2, decay, hasVelocity, v, momentum, sums);
      const theirs = finish(worker, () =>
        kernels.dotProductsStep(wTheirs, aTheirs, o, m - h, n, samples, s1, s2, decay, hasVelocity, vTheirs, momentum, sums),
      );
      return theirs & mine;
    },
  };
}
