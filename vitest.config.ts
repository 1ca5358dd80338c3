import { defineConfig } from "vitest/config";

// A deep run (FAST_CHECK_RUNS=10000) takes minutes per property, so the per-test time limit
// grows with the number of runs; the default run keeps vitest's usual limits tight.
const runs = Number(process.env.FAST_CHECK_RUNS ?? 100);

export default defineConfig({
  test: {
    include: ["spec/**/*.spec.ts"],
    testTimeout: Math.max(20_000, runs * 200),
  },
});
