/**
 * The machine's float64 peak, measured in the bench's own run: assembly/bench-peak.ts compiled
 * by AssemblyScript with the kernels' options and timed on one core, twelve independent chains
 * of `f64x2` multiplications and additions that never touch memory. The machine's peak is that
 * rate times the cores that `os.availableParallelism()` reports (each core has its own
 * floating-point units; the two-thread step uses two of them).
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { compileKernels } from "../build-wasm.js";
import { type Section } from "./format.js";
import type { TrainingStepRow } from "./rows.js";
import { seedSizes } from "./seed-problem.js";

/** The measured peak. */
export interface PeakRow {
  /** Floating-point operations per second on one core, in GFLOP/s: the best of the rounds. */
  readonly perCore: number;
  /** Cores counted for the machine's peak. */
  readonly cores: number;
  /** `perCore` × `cores`. */
  readonly machine: number;
}

/** The WebAssembly API, typed by hand: the project's TypeScript libraries leave it out. */
interface WebAssemblyApi {
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => object;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: { peak(iterations: number): number } };
}

/**
 * Compiles and times the peak kernel: after a warm-up of 1.5 s, long enough for the engine to
 * compile it with its optimising tier (here V8 tiered it up after about 0.6 s of calls, and a
 * WebAssembly function is tiered up between calls, never inside a running loop), `rounds` timed runs of `calls` calls of 100,000 iterations (48 operations
 * each), the fastest run counted.
 *
 * @param rounds - timed runs
 * @param calls - calls per run
 */
export async function peakRow(rounds: number, calls: number): Promise<PeakRow> {
  const bytes = await compileKernels(fileURLToPath(new URL("../../assembly/bench-peak.ts", import.meta.url)));
  const api = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const memory = new api.Memory({ initial: 1, maximum: 65536, shared: true });
  const kernel = new api.Instance(new api.Module(bytes), { env: { memory } }).exports;
  const iterations = 100_000;
  let checksum = 0;
  for (let started = performance.now(); performance.now() - started < 1500;) checksum += kernel.peak(iterations);
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let call = 0; call < calls; call++) checksum += kernel.peak(iterations);
    const seconds = (performance.now() - started) / 1000;
    best = Math.max(best, (48 * iterations * calls) / seconds / 1e9);
  }
  if (!Number.isFinite(checksum)) throw new Error("the peak kernel's chains overflowed");
  const cores = availableParallelism();
  return { perCore: best, cores, machine: best * cores };
}

/**
 * The floating-point operations of one sample's step of the seed's network, counting each
 * multiply-add of a product as two: the forward pass $W^{(l)} o^{(l-1)}$ of every layer, the
 * hidden errors $W^{(l)\top} \delta^{(l)}$ of every layer but the first, and the gradients
 * $\delta^{(l)} o^{(l-1)\top}$ of every layer. The element-wise work and the update of each weight
 * are left out, so the rate is a lower bound of what the step computes.
 */
export function flopsPerSample(sizes: readonly number[] = seedSizes): number {
  const weights = sizes.slice(1).map((units, index) => units * sizes[index]!);
  const all = weights.reduce((sum, count) => sum + count, 0);
  return 2 * (all + (all - weights[0]!) + all);
}

/**
 * The arithmetic rate of every contender at every batch size, in GFLOP/s ({@link flopsPerSample}
 * over its time per sample), and for the float64 ones the fraction of the machine's peak.
 *
 * @param rows - the training-step rows
 * @param peak - the measured peak
 */
export function rateSection(rows: readonly TrainingStepRow[], peak: PeakRow): Section {
  const flops = flopsPerSample();
  const [first] = rows;
  const body = first!.contenders.map((contender, index) => [
    contender.name,
    contender.precision,
    ...rows.flatMap((row) => {
      const result = row.contenders[index]!;
      if (!result.available) return ["unavailable", ""];
      const rate = flops / (result.microsecondsPerSample * 1000);
      return [rate.toFixed(rate >= 10 ? 1 : 2), result.precision === "float64" ? `${((100 * rate) / peak.machine).toFixed(1)} %` : ""];
    }),
  ]);
  return {
    title: `Arithmetic rate of the training step: GFLOP/s (${flops.toLocaleString("en-US")} operations per sample), and the share of the machine's float64 peak, ${peak.machine.toFixed(1)} GFLOP/s`,
    header: ["contender", "arithmetic", ...rows.flatMap((row) => [`batch ${row.batchSize}`, "of peak"])],
    rows: body,
    notes: [
      `The operations are the products' multiply-adds, two each: the forward pass, the hidden errors and the gradients; the element-wise work and the update of each weight are not counted. ` +
        `The peak is ${peak.perCore.toFixed(1)} GFLOP/s on one core times ${peak.cores} cores: assembly/bench-peak.ts, twelve independent chains of f64x2 multiplications and additions ` +
        `that never touch memory, compiled by AssemblyScript with the kernels' options and timed in this run (the fastest of its runs). ` +
        `A float32 contender's share is left out: float32 SIMD does twice the operations per instruction.`,
    ],
  };
}
