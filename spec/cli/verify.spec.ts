import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answersOf, vectorFiles } from "../support/vectors.js";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { formatJson } from "../../src/numeric/json.js";
import { mistakeApplies, mistakenResult } from "../../src/conformance/mistakes.js";
import { runCommand, scratchFolder } from "../support/command.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";

const run = runCommand;
const directory = scratchFolder("verify");

describe("backprop-ref verify", () => {
  const sigmoid = vectorFiles.find(({ name }) => name === "sigmoid-squared_error-biases.json")!;

  it("catches the intuitive rule, names it, and exits 1", async () => {
    const path = join(directory, "intuitive.json");
    writeFileSync(
      path,
      JSON.stringify(
        answersOf(sigmoid.file, (test) => {
          const problem = parseCase(test.case);
          return mistakeApplies("intuitive-rule", problem) ? mistakenResult("intuitive-rule", problem) : caseResult(problem);
        }),
      ),
    );
    const { status, stdout, stderr } = await run(["verify", sigmoid.path, path]);
    expect(stderr).toBe("");
    expect(status).toBe(1);
    expect(stdout).toMatch(/sigmoid-squared_error-biases\/1: pass\n/);
    expect(stdout).toMatch(
      /sigmoid-squared_error-biases\/\d+: FAIL gradients\.weights\[0\]\[\d\]\[\d\]: expected \S+, got \S+, relative error \S+\n {4}matches the known mistake intuitive-rule: /,
    );
    expect(stdout).toMatch(/\nFAILED \d+ of 37 tests \(\d+ intuitive-rule\)\n$/);
    const failures = await run(["verify", "--failures", sigmoid.path, path]);
    expect(failures.stdout).not.toMatch(/: pass/);
  });

  it("passes a correct implementation with exit 0", async () => {
    const path = join(directory, "correct.json");
    writeFileSync(path, JSON.stringify(answersOf(sigmoid.file, (test) => caseResult(parseCase(test.case)))));
    const { status, stdout } = await run(["verify", sigmoid.path, path]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/\nall 37 tests passed\n$/);
  });

  it("verifies one result against a case", async () => {
    const casePath = join(directory, "case.json");
    const resultPath = join(directory, "result.json");
    writeFileSync(casePath, formatJson(workedExampleCase));
    writeFileSync(resultPath, formatJson(caseResult(parseCase(workedExampleCase))));
    expect(await run(["verify", casePath, resultPath])).toMatchObject({
      status: 0,
      stdout: "xor-2-2-1-sigmoid: pass\nall 1 tests passed\n",
    });
    writeFileSync(resultPath, formatJson(mistakenResult("transposed-weights", parseCase(workedExampleCase))));
    const transposed = await run(["verify", casePath, resultPath]);
    expect(transposed.status).toBe(1);
    expect(transposed.stdout).toContain("matches the known mistake transposed-weights");
  });

  it.each([
    [["verify", "missing.json", "results.json"], /^backprop-ref verify: cannot read missing\.json: there is no such file\n$/],
    [["verify", "README.md", "results.json"], /^backprop-ref verify: the vector or case file README\.md is not valid JSON/],
    [
      ["verify", "package.json", "results.json"],
      /^backprop-ref verify: package\.json must be a backprop-ref\/vectors@1 or backprop-ref\/case@1 document, got format nothing\n$/,
    ],
    [
      ["verify", "spec/vectors/invalid.json", "package.json"],
      /^backprop-ref verify: the results file package\.json must be a JSON array of results and rejections/,
    ],
  ])("rejects input it cannot use with exit 2 and a message: %#", async (args, message) => {
    const { status, stdout, stderr } = await run(args);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });

  it("checks a vector file against its schema and a case with the library's own messages", async () => {
    const broken = join(directory, "broken-vectors.json");
    writeFileSync(broken, JSON.stringify({ ...sigmoid.file, numberOfTests: "many" }));
    expect((await run(["verify", broken, broken])).stderr).toBe(
      `backprop-ref verify: the vector file ${broken} is not a valid vectors@1 document: numberOfTests must be integer, got "many"\n`,
    );
    const badCase = join(directory, "bad-case.json");
    writeFileSync(
      badCase,
      JSON.stringify({
        ...workedExampleCase,
        weights: [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
          [[0.5], [-0.6]],
        ],
      }),
    );
    expect((await run(["verify", badCase, badCase])).stderr).toBe("backprop-ref verify: weights[1] is 2×1 but sizes [2, 2, 1] need 1×2\n");
  });
});
