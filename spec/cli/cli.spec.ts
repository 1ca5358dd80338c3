import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../support/parameters.js";
import { exitBadInput, exitCheckFailed } from "../../src/cli/io.js";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { formatJson } from "../../src/numeric/json.js";

const run = runCommand;

const directory = mkdtempSync(join(tmpdir(), "backprop-ref-cli-"));
const casePath = join(directory, "case.json");
writeFileSync(casePath, formatJson(workedExampleCase));

describe("backprop-ref grad", () => {
  it("prints the result document of a case file, numbers in shortest round-trip form", async () => {
    const { status, stdout, stderr } = await run(["grad", casePath]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe(`${formatJson(caseResult(parseCase(workedExampleCase)))}\n`);
    const result = JSON.parse(stdout) as { loss: number; id: string };
    expect(result.loss).toBe(0.1229132832353748);
    expect(result.id).toBe("xor-2-2-1-sigmoid");
  });

  it("reads standard input for -", async () => {
    const { status, stdout } = await run(["grad", "-"], JSON.stringify(workedExampleCase));
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ format: "backprop-ref/result@1" });
  });

  it.each([
    ["{", "backprop-ref grad: standard input: the case is not valid JSON"],
    [JSON.stringify({ ...workedExampleCase, weights: [[[0.1, -0.2], [0.4, 0.3]], [[0.5], [-0.6]]] }), "backprop-ref grad: standard input: weights[1] is 2×1 but sizes [2, 2, 1] need 1×2"],
    [JSON.stringify({ ...workedExampleCase, activations: ["sigmoid", "Sigmoid"] }), "backprop-ref grad: standard input: activations[1] must be one of"],
    [JSON.stringify({ ...workedExampleCase, inputs: [] }), "backprop-ref grad: standard input: inputs is empty"],
  ])("rejects bad input with exit status 2 and the library's message: %#", async (text, message) => {
    const { status, stdout, stderr } = await run(["grad", "-"], text);
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("names a file it cannot read", async () => {
    const { status, stderr } = await run(["grad", join(directory, "missing.json")]);
    expect(status).toBe(exitBadInput);
    expect(stderr).toMatch(/^backprop-ref grad: cannot read .*missing\.json: ENOENT\n$/);
  });

  it("explains its usage on a missing argument or an unknown command", async () => {
    const missing = await run(["grad"]);
    expect(missing.status).toBe(exitBadInput);
    expect(missing.stderr).toContain("missing required argument 'case'");
    const unknown = await run(["gradient"]);
    expect(unknown.status).toBe(exitBadInput);
    expect(unknown.stderr).toContain("unknown command 'gradient'");
    const help = await run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("grad <case>");
    const gradHelp = await run(["grad", "--help"]);
    expect(gradHelp.stdout).toContain("Usage: backprop-ref grad [options] <case>");
  });

  it("works as an executable: a file argument, standard input, and exit statuses", () => {
    const executable = (args: string[], input?: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { input, encoding: "utf8" });
    const fromFile = executable(["grad", casePath]);
    expect(fromFile.status).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toEqual(JSON.parse(formatJson(caseResult(parseCase(workedExampleCase)))));
    const fromStdin = executable(["grad", "-"], readFileSync(casePath, "utf8"));
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    const broken = executable(["grad", "-"], "not json");
    expect(broken.status).toBe(exitBadInput);
    expect(broken.stderr).toContain("the case is not valid JSON");
  });
});

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
    expect(stdout).toContain("layer 1 weights[0][1][0]  -0.007661567101755493");
    expect(stdout).toMatch(/taylor +FAILED slope (0\.9\d|1\.0\d)/);
    expect(stdout.trim().split("\n").at(-1)).toBe("the supplied gradients FAILED 5 of 5 checks");
  });

  it("runs one method with --method and reports in JSON with --json", async () => {
    const { status, stdout } = await run(["check", casePath, wrongPath, "--method", "complex-step", "--json"]);
    expect(status).toBe(exitCheckFailed);
    const report = JSON.parse(stdout) as { format: string; subject: string; passed: boolean; methods: { method: string; worst: { position: string } }[] };
    expect(report).toMatchObject({ format: "backprop-ref/check@1", subject: "supplied", passed: false });
    expect(report.methods).toHaveLength(1);
    expect(report.methods[0]).toMatchObject({ method: "complex-step", worst: { position: "weights[0][1][0]" } });
  });

  it.each([
    [["check", casePath, "--method", "finite"], "argument 'finite' is invalid. Allowed choices are all, central, richardson, complex-step, directional, taylor"],
    [["check", casePath, casePath], "format must be \"backprop-ref/result@1\", got \"backprop-ref/case@1\""],
    [["check", casePath, join(directory, "nothing.json")], "cannot read"],
  ])("rejects bad input with exit status 2: %#", async (args, message) => {
    const { status, stderr } = await run(args);
    expect(status).toBe(exitBadInput);
    expect(stderr).toContain(message);
  });
});

describe("backprop-ref example", () => {
  it("prints the worked example", async () => {
    const { status, stdout } = await run(["example"]);
    expect(status).toBe(0);
    expect(stdout).toContain("Forward pass");
    expect(stdout).toContain("passed: worst relative error");
  });
});
