import { defineConfig } from "vitest/config";

// The test run behind `npm run test:mutation`: the specs that exercise the math core. Left out:
// spec/docs/** (builds the site and drives a browser), spec/cli/** (runs the command line, not the
// math core), spec/architecture.spec.ts (runs dependency-cruiser), the training, dataset and model specs (seconds of
// training and MNIST loading per run, for code outside the mutated modules) and the guide's
// spec (runs Python and Node.js checkers in child processes). Stryker re-runs every spec for
// each mutant of code that runs at import time, so each second here costs minutes there.
export default defineConfig({
  test: {
    include: ["spec/**/*.spec.ts"],
    exclude: [
      "node_modules/**",
      "spec/docs/**",
      "spec/architecture.spec.ts",
      "spec/cli/**",
      "spec/training/train.spec.ts",
      "spec/training/data.spec.ts",
      "spec/training/mnist.spec.ts",
      "spec/training/model-file.spec.ts",
    ],
    testTimeout: 60_000,
  },
});
