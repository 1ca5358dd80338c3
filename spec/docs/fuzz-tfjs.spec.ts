/**
 * `fuzz --precision float32` on a real float32 implementation, the TensorFlow.js example of the
 * documentation: it passes 200 cases over the whole case space in float32 and fails in float64,
 * and each of its deliberate mistakes is caught and named in float32.
 *
 * Each session starts TensorFlow.js, a second or more, so the default run fuzzes two of the four
 * mistakes, missing-derivative (of the hidden layers) and batch-sum (of the batch), and a deep
 * run (`FAST_CHECK_RUNS=10000`) all four. That the float32 tolerance catches and names every
 * mistake is the law of spec/conformance/float32-tolerance.spec.ts, run in-process.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ChildProgram } from "../../src/conformance/child-program.js";
import { fuzz, type FuzzOptions, type FuzzReport } from "../../src/conformance/fuzz.js";
import { deepRunOr } from "../support/arbitraries.js";

const example = fileURLToPath(new URL("../../docs/examples/tfjs_mlp.mjs", import.meta.url));

/** Fuzzes the example, with `--mistake NAME` when a mistake is given, and stops it afterwards. */
async function fuzzExample(options: FuzzOptions, mistake: string | null = null): Promise<FuzzReport> {
  const program = new ChildProgram({
    command: process.execPath,
    args: [example, ...(mistake === null ? [] : ["--mistake", mistake])],
    timeoutMs: 20_000,
    logPath: null,
  });
  try {
    return await fuzz((document) => program.ask(document), options);
  } finally {
    await program.close();
  }
}

describe("fuzz --precision float32 on docs/examples/tfjs_mlp.mjs", () => {
  it("passes TensorFlow.js on 200 cases in float32, and fails it in float64", async () => {
    const float32 = await fuzzExample({ seed: 1, precision: "float32" });
    expect(float32.counterexample?.verdict ?? null).toBeNull();
    expect(float32).toMatchObject({ passed: true, runs: 200, precision: "float32" });
    const float64 = await fuzzExample({ seed: 1, runs: 50 });
    expect(float64.passed).toBe(false);
    expect(float64.counterexample!.verdict.reason).toBe("difference");
    expect(float64.counterexample!.verdict.difference!.relativeError).toBeLessThan(1e-5);
  });

  it.each(deepRunOr(["missing-derivative", "batch-sum", "sign-flipped", "learning-rate-missing"], ["missing-derivative", "batch-sum"]))(
    "catches --mistake %s in float32 and names it",
    async (mistake) => {
      const report = await fuzzExample({ seed: 3, precision: "float32" }, mistake);
      expect(report.passed).toBe(false);
      expect(report.counterexample!.verdict.mistake).toBe(mistake);
      expect(report.counterexample!.case.sizes.length - 1).toBeLessThanOrEqual(3);
    },
    60_000,
  );
});
