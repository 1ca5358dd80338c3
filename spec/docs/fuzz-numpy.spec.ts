/**
 * `fuzz` against the NumPy example of the documentation, as a user runs it: the correct
 * program passes 200 cases over the whole case space, and each deliberate mistake is caught,
 * shrunk to a small network and named. Needs python3 with NumPy, as the conformance guide's
 * checker does.
 *
 * A session is a second of Python, so the default run fuzzes three of the mistakes and a deep
 * run (`FAST_CHECK_RUNS=10000`) all eleven: transposed-hidden-error, which NumPy refuses on
 * shapes that are not square and so shrinks differently; missing-derivative, of the hidden
 * layers; and batch-sum, of the batch. That each of the others is caught, shrunk and named is
 * the law of spec/conformance/fuzz.spec.ts, run in-process on the library's own mistakes, and
 * that the NumPy example's flags compute those same mistakes is spec/docs/numpy-example.spec.ts.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fuzz, type FuzzReport } from "../../src/conformance/fuzz.js";
import { runCli } from "../../src/cli/index.js";
import { ChildProgram } from "../../src/conformance/child-program.js";
import { mistakeNames, type MistakeName, weightDecayMistakeNames } from "../../src/conformance/mistakes.js";
import { deepRunOr } from "../support/arbitraries.js";

const example = fileURLToPath(new URL("../../docs/examples/numpy_mlp.py", import.meta.url));

/** Fuzzes the example, with `--mistake NAME` when a mistake is given, and stops it afterwards. */
async function fuzzExample(seed: number, mistake: MistakeName | null): Promise<FuzzReport> {
  const program = new ChildProgram({
    command: "python3",
    args: [example, ...(mistake === null ? [] : ["--mistake", mistake])],
    timeoutMs: 20_000,
    logPath: null,
  });
  try {
    return await fuzz((document) => program.ask(document), { seed });
  } finally {
    await program.close();
  }
}

describe("fuzz on docs/examples/numpy_mlp.py", () => {
  it("prints the session of docs/fuzzing.md, line for line but the temporary paths", async () => {
    const page = readFileSync(new URL("../../docs/fuzzing.md", import.meta.url), "utf8");
    const block = /```console\n\$ ((?:[^\n]*\\\n)*[^\n]*)\n([^]*?)```/.exec(page)!;
    const command = block[1]!.replace(/\\\n\s*/g, " ");
    const args = command.split(/\s+/).slice(2);
    const directory = mkdtempSync(join(tmpdir(), "backprop-ref-session-"));
    let stdout = "";
    let stderr = "";
    // The page's command, run from the project's root as the page runs it, with --out inside a fresh folder.
    const status = await runCli(
      args.map((word) => (word === "counterexample" ? join(directory, "counterexample") : word)),
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), stdin: () => [] },
      null,
    );
    expect(stderr).toBe("");
    expect(status).toBe(1);
    const comparable = (text: string): string[] =>
      text
        .trim()
        .split("\n")
        .filter((line) => !line.startsWith("wrote ") && !line.startsWith("the program's standard error is in "));
    expect(comparable(stdout.replaceAll(join(directory, ""), ""))).toEqual(comparable(block[2]!));
  });

  it("passes the correct program on 200 cases over the whole case space", async () => {
    const report = await fuzzExample(1, null);
    expect(report.counterexample?.verdict ?? null).toBeNull();
    expect(report).toMatchObject({ passed: true, runs: 200 });
  });

  // The fuzzer sends case@1 documents, without weight decay: the mistakes of the weight decay cannot show.
  it.each(
    deepRunOr(
      mistakeNames.filter((name) => !(weightDecayMistakeNames as readonly string[]).includes(name)),
      ["transposed-hidden-error", "missing-derivative", "batch-sum"],
    ),
  )(
    "catches --mistake %s, shrinks it to at most 3 layers of 3 units and 2 samples, and names it",
    async (mistake: MistakeName) => {
      const report = await fuzzExample(2, mistake);
      expect(report.passed).toBe(false);
      const { case: document, verdict } = report.counterexample!;
      // transposed-hidden-error is named too: the reduction keeps square matrices square (a cut of one unit
      // out of every layer of a width), where NumPy computes W delta instead of refusing the shapes.
      expect(verdict.mistake).toBe(mistake);
      expect(document.sizes.length - 1).toBeLessThanOrEqual(3);
      expect(Math.max(...document.sizes)).toBeLessThanOrEqual(3);
      expect(document.inputs.length).toBeLessThanOrEqual(2);
    },
    // Shrinking asks the program some hundreds of cases, each a line to Python and back.
    60_000,
  );
});
