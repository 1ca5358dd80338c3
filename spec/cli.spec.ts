import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitBadInput, runCli } from "../src/cli.js";
import { caseResult, formatJson, parseCase } from "../src/conformance.js";
import { workedExampleCase } from "../src/example.js";

async function run(args: string[], stdin = ""): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stdin: async () => stdin,
  });
  return { status, stdout, stderr };
}

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
      spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], { input, encoding: "utf8" });
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

describe("backprop-ref example", () => {
  it("prints the worked example", async () => {
    const { status, stdout } = await run(["example"]);
    expect(status).toBe(0);
    expect(stdout).toContain("Forward pass");
    expect(stdout).toContain("passed: worst relative error");
  });
});
