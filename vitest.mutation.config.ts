import { defineConfig } from "vitest/config";

// The test run behind `npm run test:mutation`: every spec that exercises the math core, and
// none of spec/docs/** (which builds the site and drives a browser) or the command line's
// spec (which runs the built executable, not the mutated sources).
export default defineConfig({
  test: {
    include: ["spec/**/*.spec.ts"],
    exclude: ["spec/docs/**", "spec/cli.spec.ts", "spec/packaging.spec.ts", "node_modules/**"],
    testTimeout: 60_000,
  },
});
