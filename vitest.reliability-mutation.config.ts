import { defineConfig } from "vitest/config";

// The test run behind `npx stryker run stryker.reliability.json`: the mutation run over the modules
// of the reliability work (cli/input, cli/options, cli/save, cli/predict, numeric/read-json,
// conformance/verify with document-comparison and verify-report) and the specs that exercise them. Left out: spec/cli/main.spec.ts, whose
// commands run in child processes that Stryker's active mutant never reaches.
export default defineConfig({
  test: {
    include: [
      "spec/cli/**/*.spec.ts",
      "spec/numeric/read-json.spec.ts",
      "spec/conformance/verify.spec.ts",
      "spec/conformance/malformed.spec.ts",
      "spec/conformance/case-format.spec.ts",
    ],
    exclude: ["node_modules/**", "spec/cli/main.spec.ts"],
    testTimeout: 60_000,
  },
});
