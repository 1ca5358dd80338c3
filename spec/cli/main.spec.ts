import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { exitBadInput } from "../../src/cli/io.js";
import { formatJson } from "../../src/numeric/json.js";
import { scratchFolder, writeExampleCase } from "../support/command.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";

const directory = scratchFolder("main");

describe("the backprop-ref executable", () => {
  it("works as an executable: a file argument, standard input, and exit statuses", () => {
    const casePath = writeExampleCase(directory);
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

  it("refuses a BACKPROP_REF_KERNELS or BACKPROP_REF_THREADS it does not know in one line naming the variable, with exit status 2 and no stack trace", () => {
    const refusals = {
      BACKPROP_REF_KERNELS: ["simd", 'backprop-ref: BACKPROP_REF_KERNELS must be "js", "wasm", "auto" or unset, got "simd"\n'],
      BACKPROP_REF_THREADS: ["4", 'backprop-ref: BACKPROP_REF_THREADS must be "1", "2", "auto" or unset, got "4"\n'],
    };
    for (const [variable, [value, message]] of Object.entries(refusals)) {
      const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "example"], {
        encoding: "utf8",
        env: { ...process.env, [variable]: value },
      });
      expect(run.status, variable).toBe(exitBadInput);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe(message);
    }
  });
});
