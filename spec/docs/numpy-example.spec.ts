/**
 * The NumPy example docs/examples/numpy_mlp.py answers the fuzz protocol as the reference
 * does: every committed vector test, random cases of the whole case space, malformed cases
 * refused with a rejection line. Its deliberate mistakes (`--mistake NAME`) are the negative
 * controls: each must change the result where the catalogue says it does, and each one the
 * library knows must be the library's mistake, named by `verify`.
 *
 * The program runs as a child process, once per test (all of a test's cases on its standard
 * input in one run, as `backprop-ref fuzz` feeds it): most of a test's time is Python starting
 * NumPy. python3 with NumPy is on every machine of the project (see conformance-guide.spec.ts).
 * No child outlives its test.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it, type TestContext } from "vitest";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";
import { type CaseDocument, caseResult, parseCase, type Problem, type ResultDocument } from "../../src/conformance/case-format.js";
import { mistakeApplies, type MistakeName, mistakeNames, mistakenResult } from "../../src/conformance/mistakes.js";
import { rejectionFormat } from "../../src/conformance/vector-format.js";
import { describeDifference } from "../../src/conformance/document-comparison.js";
import { compareResults, verifyResult, verifyVectors } from "../../src/conformance/verify.js";
import { BackpropRefError } from "../../src/numeric/errors.js";
import { vectorFiles } from "../support/vectors.js";

const program = new URL("../../docs/examples/numpy_mlp.py", import.meta.url).pathname;

/** What one run of the program printed, and how it ended. */
interface ProgramRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Standard output, one parsed document per line. */
  readonly answers: Record<string, unknown>[];
}

/** Starts the program for one test, which kills it when it ends, whether it passed, failed or timed out. */
function start(context: TestContext, args: readonly string[]): ChildProcessWithoutNullStreams {
  const child = spawn("python3", [program, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  context.onTestFinished(() => {
    child.kill("SIGKILL");
  });
  // A child that exits before reading all its input (bad usage) closes the pipe: not an error here.
  child.stdin.on("error", () => undefined);
  return child;
}

/** Runs the program once: every line on its standard input, then end of input; resolves when it exits. */
function runProgram(context: TestContext, lines: readonly string[], args: readonly string[] = []): Promise<ProgramRun> {
  const child = start(context, args);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const done = new Promise<ProgramRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      const lines = stdout === "" ? [] : stdout.replace(/\n$/, "").split("\n");
      resolve({ status, stdout, stderr, answers: lines.map((line) => JSON.parse(line) as Record<string, unknown>) });
    });
  });
  child.stdin.end(lines.map((line) => `${line}\n`).join(""));
  return done;
}

/**
 * `count` random cases of the whole case space that satisfy `keep`, from a fixed seed; with
 * `decayed`, case@2 documents with a weight decay of 0.01 to 1.
 */
function sampleCases(count: number, seed: number, keep: (document: CaseDocument) => boolean = () => true, decayed = false): CaseDocument[] {
  const weightDecay = fc.integer({ min: 1, max: 100 }).map((hundredths) => hundredths / 100);
  return fc.sample(caseDocument(decayed ? { weightDecay } : {}).filter(keep), { numRuns: count, seed });
}

/** A case of the committed vectors with its expected result, the reference's (vectors.spec.ts holds them equal). */
interface VectorCase {
  readonly document: CaseDocument;
  readonly expected: ResultDocument;
}

/** The cases of the committed vectors' random tests (flag `Random`): realistic numbers, of four decimals each. */
function randomVectorCases(): VectorCase[] {
  return vectorFiles.flatMap(({ file }) =>
    file.testGroups.flatMap((group) =>
      group.tests
        .filter((test) => test.result === "valid" && test.flags.includes("Random"))
        .map((test) => ({ document: test.case!, expected: test.expected! })),
    ),
  );
}

/** The library's result for a mistake, or `null` where the library cannot make it (it throws, as the intuitive rule does for softmax). */
function mistakenOrNull(name: MistakeName, problem: Problem): ResultDocument | null {
  try {
    return mistakenResult(name, problem);
  } catch (error) {
    if (error instanceof BackpropRefError) return null;
    throw error;
  }
}

/**
 * Whether a verdict can name the mistake on this case: it applies, and the library's mistaken
 * result differs (beyond the tolerance) from the reference and from every other mistake that
 * applies. `caseDocument` draws each number uniformly over float64's bit patterns, so most of
 * its numbers are tiny (weights of 1e-200): there many a mistake vanishes below the tolerance's
 * absolute part, or two mistakes coincide (every sigmoid's slope is 1/4 at z = 0).
 */
function mistakeShows(name: MistakeName, problem: Problem): boolean {
  if (!mistakeApplies(name, problem)) return false;
  const mistaken = mistakenOrNull(name, problem);
  if (mistaken === null) return false;
  if (compareResults(mistaken, caseResult(problem)) === null) return false;
  // Each other mistake is computed only when the ones before it differ: most cases that do not
  // show the mistake are rejected at the first that coincides.
  return mistakeNames
    .filter((other) => other !== name && mistakeApplies(other, problem))
    .every((other) => {
      const result = mistakenOrNull(other, problem);
      return result === null || compareResults(mistaken, result) !== null;
    });
}

/** A flag of the program's --mistake and the cases on which the catalogue says it changes the result. */
interface Flag {
  readonly name: string;
  readonly showsOn: (document: CaseDocument) => boolean;
  /** Whether the mistake needs a case@2 with a weight decay to show. */
  readonly decayed?: boolean;
  /** Cases the program must refuse with NumPy's message instead, if there are any. */
  readonly refusedOn?: (document: CaseDocument) => boolean;
}

/** Whether the error of every hidden layer goes back through a square matrix (W^(l+1) is n_{l+1} × n_l). */
const squareAbove = (c: CaseDocument): boolean => c.sizes.slice(1, -1).every((n, l) => n === c.sizes[l + 2]);

/**
 * The seventeen flags (docs/examples/numpy_mlp.py), each with where it shows. The library's
 * `mistakeApplies` says the same of the mistakes it lists.
 */
const flags: readonly Flag[] = [
  // The intuitive rule drops the slopes f' of the layers above the first, and replaces a fused output delta.
  {
    name: "intuitive-rule",
    showsOn: (c) => !c.activations.includes("softmax") && (c.loss !== "squared_error" || c.activations.slice(1).some((f) => f !== "identity")),
  },
  { name: "missing-derivative", showsOn: (c) => c.activations.slice(0, -1).some((f) => f !== "identity") },
  // f'(o) = f'(z) for relu, leaky_relu and identity; a fused output delta has no f' to mistake.
  {
    name: "derivative-at-output",
    showsOn: (c) =>
      c.activations.some((f, l) => ["sigmoid", "tanh", "softplus"].includes(f) && (l < c.activations.length - 1 || c.loss === "squared_error")),
  },
  // NumPy refuses W @ delta for a matrix that is not square: a rejection with its message.
  {
    name: "transposed-hidden-error",
    showsOn: (c) => c.sizes.length > 2 && squareAbove(c) && c.sizes[1]! > 1,
    refusedOn: (c) => !squareAbove(c),
  },
  { name: "transposed-weights", showsOn: (c) => c.sizes.some((n, l) => l > 0 && n * c.sizes[l - 1]! > 1) },
  { name: "batch-sum", showsOn: (c) => c.inputs.length > 1 },
  { name: "bias-sum", showsOn: (c) => c.inputs.length > 1 && c.biases !== null },
  { name: "weights-updated-early", showsOn: (c) => c.sizes.length > 2 && c.learningRate > 0 },
  { name: "softmax-jacobian-twice", showsOn: (c) => c.loss === "cross_entropy" },
  { name: "sign-flipped", showsOn: () => true },
  { name: "learning-rate-twice", showsOn: (c) => c.learningRate !== 0 && c.learningRate !== 1 },
  { name: "learning-rate-missing", showsOn: (c) => c.learningRate !== 1 },
  // The mistakes of the weight decay, on the case@2 documents that have one.
  { name: "weight-decay-ignored", showsOn: (c) => (c.weightDecay ?? 0) > 0, decayed: true },
  { name: "decayed-biases", showsOn: (c) => (c.weightDecay ?? 0) > 0 && c.biases !== null, decayed: true },
  { name: "decay-without-learning-rate", showsOn: (c) => (c.weightDecay ?? 0) > 0 && c.learningRate !== 1, decayed: true },
  { name: "penalty-left-out-of-loss", showsOn: (c) => (c.weightDecay ?? 0) > 0, decayed: true },
  { name: "penalty-without-half", showsOn: (c) => (c.weightDecay ?? 0) > 0, decayed: true },
];

describe("the NumPy example (docs/examples/numpy_mlp.py)", () => {
  it("answers every test of every committed vector file, and verify passes them all", async (context) => {
    const tests = vectorFiles.flatMap(({ file }) => file.testGroups.flatMap((group) => group.tests));
    const run = await runProgram(
      context,
      tests.map((test) => (test.result === "invalid" ? test.caseText! : JSON.stringify(test.case))),
    );
    expect(run).toMatchObject({ status: 0, stderr: "" });
    expect(run.answers).toHaveLength(tests.length);
    let offset = 0;
    for (const { name, file } of vectorFiles) {
      const fileTests = tests.slice(offset, offset + file.numberOfTests);
      const answers = run.answers.slice(offset, offset + file.numberOfTests);
      offset += file.numberOfTests;
      fileTests.forEach((test, index) => {
        expect(answers[index]!.format, test.id).toBe(test.result === "invalid" ? rejectionFormat : "backprop-ref/result@1");
        if (test.result !== "invalid") expect(answers[index]!.id, test.id).toBe(test.case!.id);
      });
      // The lines answer the tests in order; a rejection of text that is not even JSON has no id of its own.
      const report = verifyVectors(
        file,
        answers.map((answer, index) => ({ ...answer, id: fileTests[index]!.id })),
      );
      expect(
        report.verdicts.filter((verdict) => !verdict.passed),
        name,
      ).toEqual([]);
    }
    expect(offset).toBe(809);
  });

  it("agrees with the reference on 200 random cases of the whole case space, 50 of them with weight decay", async (context) => {
    const documents = [...sampleCases(150, 20260101), ...sampleCases(50, 20260102, () => true, true)];
    const run = await runProgram(
      context,
      documents.map((document) => JSON.stringify(document)),
    );
    expect(run).toMatchObject({ status: 0, stderr: "" });
    expect(run.answers).toHaveLength(200);
    const failures = documents.flatMap((document, index) => {
      const verdict = verifyResult(parseCase(document), run.answers[index]);
      if (verdict.passed) return [];
      const why = verdict.difference === null ? verdict.note : describeDifference(verdict.difference);
      return [`case ${index} (${document.activations.join(", ")}; ${document.loss}): ${why}`];
    });
    expect(failures).toEqual([]);
  });

  it.for(flags)("with --mistake $name, changes the result where the mistake shows, and verify names a mistake it knows", async (flag, context) => {
    const vectorCases = randomVectorCases();
    const shownCases = vectorCases.filter(({ document }) => flag.showsOn(document));
    const shown = shownCases.map(({ document }) => document);
    const refused = vectorCases
      .map(({ document }) => document)
      .filter((c) => flag.refusedOn?.(c) ?? false)
      .slice(0, 5);
    // The library's own mistake, when it knows this one: 50 random cases on which a verdict can name it.
    const known = (mistakeNames as readonly string[]).includes(flag.name) ? (flag.name as MistakeName) : null;
    const named = known === null ? [] : sampleCases(50, 7, (document) => mistakeShows(known, parseCase(document)), flag.decayed === true);
    const documents = [...shown, ...refused, ...named];
    const run = await runProgram(
      context,
      documents.map((document) => JSON.stringify(document)),
      ["--mistake", flag.name],
    );
    expect(run.status).toBe(0);
    expect(run.answers).toHaveLength(documents.length);

    const unchanged = shown.filter((_, index) => compareResults(run.answers[index], shownCases[index]!.expected) === null);
    // Only relu and leaky_relu hide a mistake on realistic cases: a slope of exactly 1 (or 0) on
    // every unit the mistake touches, or dead units that pass no gradient at all.
    expect(unchanged.filter((document) => !document.activations.some((f) => f === "relu" || f === "leaky_relu")).map((d) => d.id)).toEqual([]);
    expect(unchanged.length).toBeLessThanOrEqual(shown.length / 10);
    expect(shown.length).toBeGreaterThanOrEqual(10);

    expect(run.answers.slice(shown.length, shown.length + refused.length)).toEqual(
      refused.map((document) => ({ format: rejectionFormat, id: document.id, message: expect.stringMatching(/^ValueError: matmul: /) })),
    );

    const unnamed = named.flatMap((document, index) => {
      const verdict = verifyResult(parseCase(document), run.answers[shown.length + refused.length + index]);
      return verdict.mistake === known ? [] : [{ index, passed: verdict.passed, named: verdict.mistake }];
    });
    expect(unnamed).toEqual([]);
  });

  it("refuses a malformed case with a rejection line, at once, and goes on with the next", async (context) => {
    const [valid] = sampleCases(1, 3);
    const lines = [
      JSON.stringify({ ...valid, id: "first" }),
      '{"format": "backprop-ref/case@1", "sizes": [2, 1',
      JSON.stringify({ ...valid, id: "negative", learningRate: -0.5 }),
      JSON.stringify({ ...valid, id: "boolean", learningRate: true }),
      JSON.stringify({ ...valid, id: "misspelt", learningrate: 0.1 }),
      JSON.stringify(valid).replace(/("inputs":\[\[)[^,\]]+/, "$1NaN"),
      "[1, 2, 3]",
      "",
      JSON.stringify({ ...valid, id: "last" }),
    ];
    // One line at a time, each answered before the next is written, as fuzz may feed it.
    const child = start(context, []);
    child.stdout.setEncoding("utf8");
    let pending = "";
    const waiting: ((line: string) => void)[] = [];
    child.stdout.on("data", (text: string) => {
      pending += text;
      for (let end = pending.indexOf("\n"); end >= 0 && waiting.length > 0; end = pending.indexOf("\n")) {
        waiting.shift()!(pending.slice(0, end));
        pending = pending.slice(end + 1);
      }
    });
    const answers: Record<string, unknown>[] = [];
    for (const line of lines) {
      const answer = new Promise<string>((resolve) => waiting.push(resolve));
      child.stdin.write(`${line}\n`);
      answers.push(JSON.parse(await answer) as Record<string, unknown>);
    }
    const status = new Promise((resolve) => child.on("close", resolve));
    child.stdin.end();
    expect(await status).toBe(0);
    expect(answers.map((answer) => [answer.format, answer.id])).toEqual([
      ["backprop-ref/result@1", "first"],
      [rejectionFormat, null],
      [rejectionFormat, "negative"],
      [rejectionFormat, "boolean"],
      [rejectionFormat, "misspelt"],
      [rejectionFormat, null],
      [rejectionFormat, null],
      [rejectionFormat, null],
      ["backprop-ref/result@1", "last"],
    ]);
    expect(answers.filter((answer) => answer.format === rejectionFormat).map((answer) => typeof answer.message)).toEqual(Array(7).fill("string"));
    expect(verifyResult(parseCase({ ...valid, id: "last" }), answers[8]).passed).toBe(true);
  });

  it("exits 2 with a usage message for an unknown --mistake, which lists the seventeen, every mistake the library knows among them", async (context) => {
    const run = await runProgram(context, [], ["--mistake", "no-such-mistake"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^usage: numpy_mlp\.py .*\n.*invalid choice: 'no-such-mistake' \(choose from (.*)\)\n$/s);
    const choices = /\(choose from (.*)\)/s.exec(run.stderr)![1]!.replace(/\s+/g, " ");
    expect(choices.split(", ").map((choice) => choice.replace(/'/g, ""))).toEqual(flags.map((flag) => flag.name));
    expect(mistakeNames.filter((name) => !flags.some((flag) => flag.name === name))).toEqual([]);
  });
});
