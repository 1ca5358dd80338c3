import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { exitBadInput, exitCheckFailed } from "../../src/cli/io.js";
import { formatJson } from "../../src/numeric/json.js";
import { runCommand, scratchFolder, writeExampleCase } from "../support/command.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";

const run = runCommand;
const directory = scratchFolder("cli");
const casePath = writeExampleCase(directory);

describe("backprop-ref check", () => {
  const resultPath = join(directory, "result.json");
  const wrongPath = join(directory, "wrong.json");
  const result = caseResult(parseCase(workedExampleCase));
  writeFileSync(resultPath, formatJson(result));
  const wrong = JSON.parse(formatJson(result)) as { gradients: { weights: number[][][] } };
  wrong.gradients.weights[0]![1]![0]! *= 1.01;
  writeFileSync(wrongPath, JSON.stringify(wrong));

  it("passes backprop-ref's own gradients with one line per method", async () => {
    const { status, stdout } = await run(["check", casePath]);
    expect(status).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(["central", "richardson", "complex-step", "directional", "taylor", "all"]);
    expect(lines.slice(0, 5).every((line) => / passed /.test(line))).toBe(true);
    expect(lines.at(-1)).toBe("all checks passed for backprop-ref's gradients");
  });

  it("checks another implementation's gradients from a result file, and fails a 1 % error in one entry by every method", async () => {
    expect((await run(["check", casePath, resultPath])).status).toBe(0);
    const { status, stdout } = await run(["check", casePath, wrongPath]);
    expect(status).toBe(exitCheckFailed);
    expect(stdout).toContain("central       FAILED  worst relative error 9.90e-3 > 1e-6 at layer 1 weights[0][1][0]");
    expect(stdout).toContain("layer 1 weights[0][1][0]  -0.007661567101755495");
    expect(stdout).toMatch(/taylor +FAILED slope (0\.9\d|1\.0\d)/);
    expect(stdout.trim().split("\n").at(-1)).toBe("the supplied gradients FAILED 5 of 5 checks");
  });

  it("runs one method with --method and reports in JSON with --json", async () => {
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
  ])("rejects bad input with exit status 2: %#", async (args, message) => {
    const { status, stderr } = await run(args);
    expect(status).toBe(exitBadInput);
    expect(stderr).toContain(message);
  });
});
