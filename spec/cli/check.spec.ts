import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { exitBadInput, exitCheckFailed } from "../../src/cli/io.js";
import { formatJson } from "../../src/numeric/json.js";
import { runCommand, scratchFolder } from "../support/command.js";
import { hvpResult, parseHvpCase } from "../../src/conformance/hvp-format.js";
import { workedExampleCase, workedExampleHvpCase } from "../../src/conformance/worked-example.js";

const run = runCommand;
const directory = scratchFolder("cli");
const casePath = join(directory, "case.json");
const resultPath = join(directory, "result.json");
const wrongPath = join(directory, "wrong.json");

/** Writes the worked example's case, its result, and the result with one gradient 1 % off, at the paths above. */
function writeExampleFiles(): void {
  writeFileSync(casePath, formatJson(workedExampleCase));
  const result = caseResult(parseCase(workedExampleCase));
  writeFileSync(resultPath, formatJson(result));
  const wrong = JSON.parse(formatJson(result)) as { gradients: { weights: number[][][] } };
  wrong.gradients.weights[0]![1]![0]! *= 1.01;
  writeFileSync(wrongPath, JSON.stringify(wrong));
}

describe("backprop-ref check", () => {
  it("passes backprop-ref's own gradients with one line per method", async () => {
    writeExampleFiles();
    const { status, stdout } = await run(["check", casePath]);
    expect(status).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(["central", "richardson", "complex-step", "directional", "taylor", "all"]);
    expect(lines.slice(0, 5).every((line) => / passed /.test(line))).toBe(true);
    expect(lines.at(-1)).toBe("all checks passed for backprop-ref's gradients");
  });

  it("checks another implementation's gradients from a result file, and fails a 1 % error in one entry by every method", async () => {
    writeExampleFiles();
    expect((await run(["check", casePath, resultPath])).status).toBe(0);
    const { status, stdout } = await run(["check", casePath, wrongPath]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout).toContain("central       FAILED  worst relative error 9.90e-3 > 1e-6 at layer 1 weights[0][1][0]");
    expect(stdout).toContain("layer 1 weights[0][1][0]  -0.007661567101755495");
    expect(stdout).toMatch(/taylor +FAILED slope (0\.9\d|1\.0\d)/);
    expect(stdout.trim().split("\n").at(-1)).toBe("the supplied gradients FAILED 5 of 5 checks");
  });

  it("checks a case@2 on the loss with its weight decay: backprop-ref's gradients pass, a result that leaves the decay out fails every method", async () => {
    const decayed = { ...workedExampleCase, format: "backprop-ref/case@2", weightDecay: 0.01 };
    writeFileSync(casePath, formatJson(decayed));
    expect((await run(["check", casePath])).status).toBe(0);
    writeFileSync(resultPath, formatJson(caseResult(parseCase(workedExampleCase))));
    const { status, stdout } = await run(["check", casePath, resultPath]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout.trim().split("\n").at(-1)).toBe("the supplied gradients FAILED 5 of 5 checks");
  });

  it("runs one method with --method and reports in JSON with --json", async () => {
    writeExampleFiles();
    const { status, stdout } = await run(["check", casePath, wrongPath, "--method", "complex-step", "--json"]);
    expect(status).toBe(exitCheckFailed);
    const report = JSON.parse(stdout) as {
      format: string;
      subject: string;
      passed: boolean;
      methods: { method: string; worst: { position: string } }[];
    };
    expect(report).toMatchObject({ format: "backprop-ref/check@1", subject: "supplied", passed: false });
    expect(report.methods).toHaveLength(1);
    expect(report.methods[0]).toMatchObject({ method: "complex-step", worst: { position: "weights[0][1][0]" } });
  });

  it.each([
    [
      ["check", casePath, "--method", "finite"],
      "argument 'finite' is invalid. Allowed choices are all, central, richardson, complex-step, directional, taylor",
    ],
    [["check", casePath, casePath], 'format must be "backprop-ref/result@1", got "backprop-ref/case@1"'],
    [["check", casePath, join(directory, "nothing.json")], "cannot read"],
    [["check", "-", "-"], "only one of the case and the result can be read from standard input, got - for both"],
  ])("rejects bad input with exit status 2: %#", async (args, message) => {
    writeExampleFiles();
    const { status, stderr } = await run(args);
    expect(status).toBe(exitBadInput);
    expect(stderr).toContain(message);
  });

  it("refuses a case whose own forward pass overflows as bad input, as grad does, rather than failing the gradients", async () => {
    const path = join(directory, "overflowing.json");
    writeFileSync(
      path,
      JSON.stringify({
        ...workedExampleCase,
        activations: ["identity", "identity"],
        weights: [
          [
            [1e200, 0],
            [0, 0],
          ],
          [[1e200, 0]],
        ],
      }),
    );
    const grad = await run(["grad", path]);
    const check = await run(["check", path]);
    expect(grad.status).toBe(exitBadInput);
    expect(check).toStrictEqual({
      status: exitBadInput,
      stdout: "",
      stderr: grad.stderr.replace("backprop-ref grad:", "backprop-ref check:"),
    });
  });

  it("says inconclusive, not FAILED, where an oracle's own loss overflows along its steps", async () => {
    // The first layer saturates (σ(1e306) = 1, its gradient exactly 0); the directional and Taylor steps scale with
    // the largest weight, 1e306, and carry the second weight so far that the loss at those points is not finite.
    const path = join(directory, "saturated.json");
    writeFileSync(
      path,
      JSON.stringify({
        format: "backprop-ref/case@1",
        sizes: [1, 1, 1],
        activations: ["sigmoid", "identity"],
        loss: "squared_error",
        weights: [[[1e306]], [[1]]],
        biases: null,
        inputs: [[1]],
        targets: [[0]],
        learningRate: 0.1,
      }),
    );
    const { status, stdout } = await run(["check", path]);
    expect(status).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.slice(0, 3).every((line) => / passed /.test(line))).toBe(true);
    expect(lines[3]).toBe(
      "directional   inconclusive  worst relative error 0.00e+0 ≤ 1e-6 over 0 random directions (the loss overflowed along 4, which could not be judged)",
    );
    expect(lines[4]).toMatch(/^taylor {8}inconclusive only 0 of 12 steps usable: the loss is not finite along the direction/);
    expect(lines.at(-1)).toBe("no check failed for backprop-ref's gradients, but 2 of 5 were inconclusive");
    const json = JSON.parse((await run(["check", path, "--json"])).stdout) as {
      passed: boolean;
      inconclusive: boolean;
      methods: { verdict: string }[];
    };
    expect(json).toMatchObject({ passed: true, inconclusive: true });
    expect(json.methods.map((method) => method.verdict)).toStrictEqual(["passed", "passed", "passed", "inconclusive", "inconclusive"]);
  });
});

describe("backprop-ref check --order 2", () => {
  const hvpCasePath = join(directory, "case.hvp.json");
  const answerPath = join(directory, "answer.json");
  const mistakenPath = join(directory, "mistaken.json");

  /** The worked example's hvp case, backprop-ref's answer, and the answer with G V in place of H V, at the paths above. */
  function writeHvpFiles(): void {
    writeFileSync(hvpCasePath, formatJson(workedExampleHvpCase));
    const answer = hvpResult(parseHvpCase(workedExampleHvpCase));
    writeFileSync(answerPath, formatJson(answer));
    writeFileSync(mistakenPath, formatJson({ ...answer, hessianVectorProduct: answer.gaussNewtonVectorProduct }));
  }

  it("passes backprop-ref's own answer with one line per quantity and oracle, and the same answer from a file", async () => {
    writeHvpFiles();
    const { status, stdout } = await run(["check", "--order", "2", hvpCasePath]);
    expect(status).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.map((line) => line.split(/\s+/).slice(0, 3).join(" "))).toEqual([
      "loss forward passed",
      "directionalDerivative complex-step passed",
      "directionalDerivative backprop passed",
      "outputTangents complex-step passed",
      "hessianVectorProduct complex-step passed",
      "hessianVectorProduct richardson passed",
      "gaussNewtonVectorProduct complex-step passed",
      "gaussNewtonVectorProduct semi-definite passed",
      "all 8 checks",
    ]);
    expect(lines.at(-1)).toBe("all 8 checks passed for backprop-ref's answer");
    const supplied = await run(["check", "--order", "2", hvpCasePath, answerPath]);
    expect(supplied.status).toBe(0);
    expect(supplied.stdout.trim().split("\n").at(-1)).toBe("all 8 checks passed for the supplied answer");
  });

  it("fails the Gauss–Newton product passed off as H V with exit status 1 and names the mistake", async () => {
    writeHvpFiles();
    const { status, stdout } = await run(["check", "--order", "2", hvpCasePath, mistakenPath]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout).toContain(
      "hessianVectorProduct     complex-step  FAILED  worst relative error 1.37e+0 > 1e-11 at layer 1 weights[0][1][0]",
    );
    expect(stdout).toContain(
      "matches the known mistake gauss-newton-as-hessian: the Gauss-Newton product G V is reported as the Hessian-vector product H V",
    );
    expect(stdout.trim().split("\n").at(-1)).toBe("the supplied answer FAILED 2 of 8 checks");
  });

  it("runs one oracle with --method and reports in JSON as backprop-ref/check2@1 with --json", async () => {
    writeHvpFiles();
    const { status, stdout } = await run(["check", "--order", "2", hvpCasePath, mistakenPath, "--method", "richardson", "--json"]);
    expect(status).toBe(exitCheckFailed);
    const report = JSON.parse(stdout) as {
      format: string;
      order: number;
      passed: boolean;
      checks: { oracle: string }[];
      mistakes: { name: string }[];
    };
    expect(report).toMatchObject({ format: "backprop-ref/check2@1", order: 2, subject: "supplied", passed: false });
    expect(report.checks.map((check) => check.oracle)).toEqual(["forward", "backprop", "richardson", "semi-definite"]);
    expect(report.mistakes.map((mistake) => mistake.name)).toEqual(["gauss-newton-as-hessian"]);
  });

  it.each([
    [["check", "--order", "3", hvpCasePath], "option '--order <order>' argument '3' is invalid. Allowed choices are 1, 2."],
    [["check", "--order", "x", hvpCasePath], "option '--order <order>' argument 'x' is invalid. Allowed choices are 1, 2."],
    [
      ["check", "--order", "2", "--method", "taylor", hvpCasePath],
      "backprop-ref check: --method taylor is an oracle of the gradient only: with --order 2, --method must be all, complex-step or richardson",
    ],
    [
      ["check", "--order", "2", casePath],
      `backprop-ref check: ${casePath}: the case has no field "direction": an hvp case is a backprop-ref/case@1 document with a direction`,
    ],
    [
      ["check", "--order", "2", hvpCasePath, resultPath],
      `backprop-ref check: ${resultPath}: format must be "backprop-ref/hvp@1", got "backprop-ref/result@1"`,
    ],
    [
      ["check", "--order", "2", hvpCasePath, join(directory, "short.json")],
      "short.json: outputTangents has 1 entries but the case has 2 samples (one row per sample)",
    ],
    [["check", "--order", "2", "-", "-"], "only one of the case and the result can be read from standard input, got - for both"],
  ])("rejects bad usage and bad input with exit status 2, naming the option or the field: %#", async (args, message) => {
    writeExampleFiles();
    writeHvpFiles();
    const answer = JSON.parse(formatJson(hvpResult(parseHvpCase(workedExampleHvpCase)))) as { outputTangents: number[][] };
    writeFileSync(join(directory, "short.json"), JSON.stringify({ ...answer, outputTangents: answer.outputTangents.slice(0, 1) }));
    const { status, stdout, stderr } = await run(args);
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });

  it("reads the hvp case from standard input", async () => {
    writeHvpFiles();
    const { status, stdout } = await run(["check", "--order", "2", "-", answerPath], JSON.stringify(workedExampleHvpCase));
    expect(status).toBe(0);
    expect(stdout.trim().split("\n").at(-1)).toBe("all 8 checks passed for the supplied answer");
  });
});
