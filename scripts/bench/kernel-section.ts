/**
 * The bench report's table of the training step on each kernel path: the JavaScript kernels,
 * the WebAssembly kernels on one thread, and the WebAssembly kernels with the large products
 * split between two threads (`withKernelThread`, as `train` runs them), beside the hand-written
 * loop, at each batch size of the kernels' rows.
 *
 * @module
 */
import { projectDescent, projectThreadedDescent, projectWasmDescent } from "./contenders.js";
import { microseconds, ratio, spread, type Section } from "./format.js";
import type { ContenderResult, TrainingStepRow } from "./rows.js";

/**
 * The kernels' table.
 *
 * @param kernels - the rows of the three project steps and the hand-written loop, one per batch size
 */
export function kernelSection(kernels: readonly TrainingStepRow[]): Section {
  const time = (row: TrainingStepRow, name: string): ContenderResult | undefined =>
    row.contenders.find((result) => result.name === name && result.available);
  const rows = kernels.map((row) => {
    const [javascript, wasm, threaded] = [projectDescent, projectWasmDescent, projectThreadedDescent].map((contender) =>
      time(row, contender.name),
    );
    const cells = (result: ContenderResult | undefined): string[] =>
      result === undefined ? ["unavailable", ""] : [microseconds(result.microsecondsPerSample), spread(result.relativeSpread)];
    const divided = (numerator: ContenderResult | undefined, denominator: ContenderResult | undefined): string =>
      numerator === undefined || denominator === undefined
        ? ""
        : ratio(numerator.microsecondsPerSample / denominator.microsecondsPerSample);
    return [
      String(row.batchSize),
      ...cells(javascript),
      ...cells(wasm),
      ...cells(threaded),
      divided(javascript, wasm),
      divided(javascript, threaded),
      threaded === undefined ? "" : ratio(threaded.ratioToYardstick),
    ];
  });
  const unavailable = kernels
    .flatMap((row) => row.contenders)
    .filter((result) => !result.available)
    .map((result) => `${result.name}: unavailable, ${result.reason}.`);
  return {
    title:
      "The training step on the JavaScript kernels, the WebAssembly kernels, and the WebAssembly kernels on two threads: µs per sample; × divides the JavaScript step by each WebAssembly one, and the two-thread step by the hand-written loop",
    header: [
      "batch",
      "JavaScript",
      "±",
      "WebAssembly",
      "±",
      "WebAssembly, 2 threads",
      "±",
      "JS / wasm",
      "JS / 2 threads",
      "2 threads / hand-written",
    ],
    rows,
    notes: [
      "All three steps are fusedTrainingStep; the WebAssembly ones have their network, batch and workspace in the kernels' memory (src/numeric/kernel-memory.ts), as train places them, " +
        "and the two-thread one runs inside withKernelThread (src/numeric/kernel-thread.ts), as train does, which splits a product between the threads from 2^18 multiply-adds on. " +
        "Each passed the cross-check bit for bit against trainingStep before timing.",
      ...new Set(unavailable),
    ],
  };
}
