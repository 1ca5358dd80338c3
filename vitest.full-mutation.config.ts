import { defineConfig } from "vitest/config";

// The test run behind `npx stryker run stryker.full.json`, the mutation run over all of src/:
// every spec but the three whose work never reaches the mutated code in Stryker's process.
// spec/docs/** builds the site with TypeDoc from the sources on disk and drives a browser, and
// runs the conformance guide's Python and Node.js checkers; spec/cli/main.spec.ts runs the
// built command line in child processes, which the active mutant never reaches; and
// spec/architecture.spec.ts reads the imports with dependency-cruiser, not by running them.
export default defineConfig({
  test: {
    include: ["spec/**/*.spec.ts"],
    exclude: ["node_modules/**", "spec/docs/**", "spec/cli/main.spec.ts", "spec/architecture.spec.ts"],
    testTimeout: 60_000,
  },
});
