/**
 * The guide's examples work: the Python and JavaScript checkers in
 * docs/conformance-guide.md, taken from the page as written, pass the vectors, and `verify`
 * agrees with their results. The Python one needs python3 with NumPy, which this project's
 * machines have (pip's numpy in the image); without it the test fails and says so.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/index.js";
import { standardInput } from "../support/command.js";
import { hvpAnswersOf, hvpVectorFiles } from "../support/vectors.js";
import { hvpResult, parseHvpCase } from "../../src/conformance/hvp-format.js";
import { hvpVectorMistakeNames } from "../../src/conformance/hvp-vectors.js";

const guide = readFileSync(new URL("../../docs/conformance-guide.md", import.meta.url), "utf8");
/** The one code block of the page that begins with `opening` (the Python block has no language tag: TypeDoc does not highlight Python). */
const block = (opening: string): string => {
  const blocks = [...guide.matchAll(/```[a-z]*\n([\s\S]*?)\n```/g)].map((match) => match[1]!).filter((text) => text.startsWith(opening));
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
};
const javascript = 'import { readFileSync, writeFileSync } from "node:fs";';
const python = "import json, sys";
const directory = mkdtempSync(join(tmpdir(), "backprop-ref-guide-"));
const vectors = ["softmax-cross_entropy-biases.json", "sigmoid-binary_cross_entropy-no-biases.json", "invalid.json"].map((name) => new URL(`../vectors/${name}`, import.meta.url).pathname);

async function verify(vectorPath: string): Promise<{ status: number; stdout: string }> {
  let stdout = "";
  const status = await runCli(["verify", "--failures", vectorPath, join(directory, "results.json")], { stdout: (text) => (stdout += text), stderr: (text) => (stdout += text), stdin: standardInput() });
  return { status, stdout };
}

describe("the conformance guide", () => {
  it("its JavaScript checker passes the vectors and verify agrees", async () => {
    writeFileSync(join(directory, "check-vectors.mjs"), block(javascript));
    for (const path of vectors) {
      const run = spawnSync(process.execPath, ["check-vectors.mjs", path], { cwd: directory, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^(\d+) of \1 tests passed; results\.json is ready for npx backprop-ref verify\n$/);
      expect(await verify(path)).toMatchObject({ status: 0, stdout: expect.stringMatching(/^all \d+ tests passed\n$/) });
    }
  });

  it("its Python checker passes the vectors and verify agrees", async () => {
    const numpy = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
    if (numpy.status !== 0) {
      throw new Error(`the guide's Python checker needs python3 with NumPy (python3 -m pip install numpy, or apt-get install -y python3-numpy): ${numpy.stderr || numpy.error?.message}`);
    }
    writeFileSync(join(directory, "check_vectors.py"), block(python));
    for (const path of vectors) {
      const run = spawnSync("python3", ["check_vectors.py", path], { cwd: directory, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^(\d+) of \1 tests passed; results\.json is ready for npx backprop-ref verify\n$/);
      expect(await verify(path)).toMatchObject({ status: 0, stdout: expect.stringMatching(/^all \d+ tests passed\n$/) });
    }
  });

  it("its JavaScript checker, given the intuitive rule, is caught by verify with the mistake named", async () => {
    const wrong = block(javascript).replace(
      "if (l > 0) delta = o[l].map((_, k) => sum(delta.map((d, j) => c.weights[l][j][k] * d)) * activations[act[l - 1]][1](zs[l - 1][k]));",
      "if (l > 0) delta = o[l].map((_, k) => sum(delta.map((d, j) => c.weights[l][j][k] * d / activations[act[l]][1](zs[l][j]))) * activations[act[l - 1]][1](zs[l - 1][k]));",
    );
    expect(wrong).not.toBe(block(javascript));
    writeFileSync(join(directory, "intuitive.mjs"), wrong);
    const path = new URL("../vectors/sigmoid-squared_error-biases.json", import.meta.url).pathname;
    const run = spawnSync(process.execPath, ["intuitive.mjs", path], { cwd: directory, encoding: "utf8" });
    expect(run.status).toBe(1);
    const { status, stdout } = await verify(path);
    expect(status).toBe(1);
    expect(stdout).toMatch(/FAIL gradients\.weights\[0\]/);
    expect(stdout).toMatch(/matches the known mistake intuitive-rule/);
  });

  it("shows what verify prints for an hvp implementation that gives G V as H V, and counts the hvp vectors' tests as the files do", async () => {
    const { path, file } = hvpVectorFiles.find(({ name }) => name === "tanh-squared_error-biases.json")!;
    const answers = hvpAnswersOf(file, (test) => {
      const answer = hvpResult(parseHvpCase(test.case));
      return { ...answer, hessianVectorProduct: answer.gaussNewtonVectorProduct };
    });
    writeFileSync(join(directory, "gauss-newton.json"), JSON.stringify(answers));
    let stdout = "";
    const status = await runCli(["verify", "--failures", path, join(directory, "gauss-newton.json")], { stdout: (text) => (stdout += text), stderr: (text) => (stdout += text), stdin: standardInput() });
    expect(status).toBe(1);
    for (const line of block("hvp/tanh-squared_error-biases/3: FAIL").split("\n").filter((line) => line !== "…")) expect(stdout).toContain(`${line}\n`);
    const tests = hvpVectorFiles.flatMap(({ file: each }) => each.testGroups.flatMap((group) => group.tests));
    const count = (predicate: (test: (typeof tests)[number]) => boolean) => tests.filter(predicate).length;
    expect(guide).toContain(`holds ${tests.length} tests of the second derivative in ${hvpVectorFiles.length} files`);
    expect(guide).toContain(`**\`valid\`** (${count((test) => test.result === "valid")} tests)`);
    expect(guide).toContain(`**\`wrong\`** (${count((test) => test.result === "wrong")} tests)`);
    for (const mistake of hvpVectorMistakeNames) expect(guide).toMatch(new RegExp(`\\| \`${mistake}\` \\| \`[A-Za-z]+\` \\| ${count((test) => test.mistake === mistake)} \\|`));
  });
});
