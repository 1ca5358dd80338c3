import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// A deep run (FAST_CHECK_RUNS=10000) takes minutes per property, so the per-test time limit
// grows with the number of runs; the default run keeps vitest's usual limits tight.
const runs = Number(process.env.FAST_CHECK_RUNS ?? 100);

export default defineConfig({
  test: {
    include: ["spec/**/*.spec.ts"],
    testTimeout: Math.max(20_000, runs * 200),
    // One worker per core (vitest's default leaves one core to the main process, which on two
    // cores halves the suite's speed), and the spec files of a worker share their modules
    // instead of loading the library afresh for each of the 55: together 97 s against 135 s
    // here. No spec changes a module's state or mocks a module, so none depends on a fresh copy.
    maxWorkers: availableParallelism(),
    isolate: false,
  },
});
