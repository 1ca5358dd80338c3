/**
 * Every command against damaged input, as a hostile user or a broken program would give it:
 * valid cases (with a direction, for `hvp`), results, models, sample files and option values,
 * each damaged at random (one node replaced or deleted, or the text cut short, a character
 * changed, NaN written in, a byte-order mark or UTF-16 bytes). Whatever arrives, a command answers with its documented
 * exit status and either a sound answer or one line on standard error that names the problem
 * (`backprop-ref <command>: …`): never a stack trace, never a crash of the test process, and
 * never output on standard output that could be mistaken for a result.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exitBadInput } from "../../src/cli/io.js";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { schemaViolation } from "../../src/conformance/schemas.js";
import { workedExampleCase, workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { initializeNetwork } from "../../src/model/network.js";
import { formatJson } from "../../src/numeric/json.js";
import { formatModel, readModel } from "../../src/training/model-file.js";
import { decodeText } from "../../src/cli/input.js";
import { numRuns } from "../support/arbitraries.js";
import { type CommandRun, runCommand, scratchFolder } from "../support/command.js";
import { damage, damageText } from "../support/damage.js";

const directory = scratchFolder("hostile");
const classes = ["setosa", "versicolor", "virginica"];

/** The valid documents to damage, as text: the worked example's case (and with its direction), its result, a model of Iris with {@link classes}. */
const validCase = (): string => formatJson(workedExampleCase);
const validHvpCase = (): string => formatJson(workedExampleHvpCase);
const validResult = (): string => formatJson(caseResult(parseCase(workedExampleCase)));
const validModel = (): string =>
  formatModel({
    network: initializeNetwork({ sizes: [4, 3, 3], activations: ["tanh", "softmax"], loss: "cross_entropy", biases: true }, { seed: 3 }),
    classes,
    inputScaling: { scale: [0.5, 0.5, 0.5, 0.5], offset: [-1, -1, -1, -1] },
    dataset: "iris",
  });

/** Writes `text` to the file `name` of the scratch folder, and returns its path. */
function written(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/** Runs per property: a tenth of the suite's, as each run is a whole command. */
const runs = Math.max(10, Math.ceil(numRuns / 10) * 3);

/** A document damaged as a tree or as text, in the form a command reads: text or bytes. */
function damaged(text: string): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    damage(fc.constant(JSON.parse(text) as unknown)).map((value) => (value === undefined ? "" : JSON.stringify(value))),
    damageText(text),
  );
}

/**
 * The promise every command keeps: its exit status is one it documents; a refusal (status 2)
 * prints nothing on standard output and exactly one line on standard error, prefixed with the
 * command's name; an answer prints nothing on standard error; no stack trace anywhere.
 */
function expectKeptPromise(command: string, run: CommandRun, statuses: readonly number[]): void {
  expect(statuses, `${command} exited ${run.status}: ${run.stderr}`).toContain(run.status);
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at \S+ \(|Error: .*\n\s+at /);
  if (run.status === exitBadInput) {
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(new RegExp(`^backprop-ref ${command}: [^\\n]{10,}\\n$`));
  } else {
    expect(run.stderr).toBe("");
  }
}

describe("every command against damaged input", () => {
  it("grad answers a damaged case with a valid result@1 document, or one line naming the problem", async () => {
    const caseText = validCase();
    await fc.assert(
      fc.asyncProperty(damaged(caseText), async (input) => {
        const run = await runCommand(["grad", "-"], input);
        expectKeptPromise("grad", run, [0, 2]);
        if (run.status === 0) expect(schemaViolation("result", JSON.parse(run.stdout))).toBeNull();
      }),
      { numRuns: runs },
    );
  });

  it("hvp answers a damaged case with a direction with a valid hvp@1 document, or one line naming the problem", async () => {
    const caseText = validHvpCase();
    await fc.assert(
      fc.asyncProperty(damaged(caseText), async (input) => {
        const run = await runCommand(["hvp", "-"], input);
        expectKeptPromise("hvp", run, [0, 2]);
        if (run.status === 0) expect(schemaViolation("hvp", JSON.parse(run.stdout))).toBeNull();
      }),
      { numRuns: runs },
    );
  });

  it("check answers a damaged case or result with a report that ends in its verdict, or one line naming the problem", async () => {
    const [caseText, resultText] = [validCase(), validResult()];
    const casePath = written("case.json", caseText);
    const resultPath = written("result.json", resultText);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), damaged(caseText), damaged(resultText), async (damageCase, caseInput, resultInput) => {
        const run = damageCase
          ? await runCommand(["check", "-", resultPath, "--method", "central"], caseInput)
          : await runCommand(["check", casePath, "-", "--method", "central"], resultInput);
        expectKeptPromise("check", run, [0, 1, 2]);
        if (run.status !== exitBadInput)
          expect(run.stdout.trim().split("\n").at(-1)).toMatch(/checks? (passed|failed)|FAILED|inconclusive/);
      }),
      { numRuns: runs },
    );
  });

  it("verify answers a damaged result with pass or FAIL and a summary, or one line naming the problem", async () => {
    const resultText = validResult();
    const casePath = written("case.json", validCase());
    await fc.assert(
      fc.asyncProperty(damaged(resultText), async (input) => {
        const run = await runCommand(["verify", casePath, "-"], input);
        expectKeptPromise("verify", run, [0, 1, 2]);
        if (run.status !== exitBadInput) expect(run.stdout).toMatch(/(all 1 tests passed|FAILED 1 of 1 tests .*)\n$/);
      }),
      { numRuns: runs },
    );
  });

  it("predict answers a damaged model or sample file with one class name per sample, or one line naming the problem", async () => {
    const modelText = validModel();
    const modelPath = written("model.json", modelText);
    const samples = "5.1 3.5 1.4 0.2\n6.2 2.9 4.3 1.3\n7.7 3.0 6.1 2.3\n";
    await fc.assert(
      fc.asyncProperty(fc.boolean(), damaged(modelText), damageText(samples), async (damageModel, modelInput, samplesInput) => {
        let run: CommandRun;
        if (damageModel) {
          const path = join(directory, "damaged-model.json");
          writeFileSync(path, modelInput);
          run = await runCommand(["predict", "--model", path], samples);
        } else {
          run = await runCommand(["predict", "--model", modelPath], samplesInput);
        }
        expectKeptPromise("predict", run, [0, 2]);
        if (run.status === 0) {
          // A damaged model may still be a valid one, with other class names: the classes are the ones it holds.
          const bytes = typeof modelInput === "string" ? Buffer.from(modelInput) : modelInput;
          const named = damageModel ? readModel(decodeText(bytes, "the model")).classes : classes;
          const lines = run.stdout.trimEnd().split("\n");
          expect(lines.length).toBeGreaterThan(0);
          for (const line of lines) expect(named).toContain(line);
        }
      }),
      { numRuns: runs },
    );
  });

  it("train answers a hostile option value by training XOR, or one line naming the option, before any output", async () => {
    const options = [
      "--sizes",
      "--activations",
      "--loss",
      "--init",
      "--epochs",
      "--lr",
      "--batch",
      "--momentum",
      "--rule",
      "--seed",
      "--train-size",
    ];
    const values = fc.oneof(
      fc.constantFrom(
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e400",
        "1e9",
        "0x10",
        "NaN",
        "Infinity",
        "-",
        "abc",
        "2,2",
        "2,0,1",
        "2,3000000,1",
        "sigmoid,",
        "१२",
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...options), values, async (option, value) => {
        const run = await runCommand(["train", "--dataset", "xor", "--epochs", "2", "--json", option, value]);
        expectKeptPromise("train", run, [0, 2]);
        if (run.status === 0) expect(JSON.parse(run.stdout)).toMatchObject({ format: "backprop-ref/history@1" });
      }),
      { numRuns: runs },
    );
  });
});
