import { defineConfig } from "vitest/config";

// The test run behind `npx stryker run stryker.kernels.json`, the mutation run over the tensor
// layer's kernels, the fused training step and the intuitive rule: the specs of the layers they
// serve, spec/numeric/**, spec/model/** and spec/training/** (without the MNIST and file loading
// of train, data, mnist and model-file). Every other spec also reaches these functions, through
// the whole library, but each mutant of a product kernel would then re-run most of the suite:
// a mutant counts as detected here only if the laws of its own layers catch it.
export default defineConfig({
  test: {
    include: ["spec/numeric/**/*.spec.ts", "spec/model/**/*.spec.ts", "spec/training/**/*.spec.ts"],
    exclude: [
      "node_modules/**",
      "spec/training/train.spec.ts",
      "spec/training/data.spec.ts",
      "spec/training/mnist.spec.ts",
      "spec/training/model-file.spec.ts",
    ],
    testTimeout: 60_000,
  },
});
