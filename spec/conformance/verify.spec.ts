/**
 * `verify`: a correct implementation passes every vector, each known mistake is caught and
 * named, and the report says where the first difference is.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/index.js";
import { caseResult, parseCase, type ResultDocument } from "../../src/conformance/case-format.js";
import { mistakeApplies, type MistakeName, mistakeNames, mistakenResult } from "../../src/conformance/mistakes.js";
import { verifyTolerance } from "../../src/conformance/tolerance.js";
import { rejectionFormat, type VectorFile } from "../../src/conformance/vector-format.js";
import { compareResults, formatVerifyReport, verifyResult, verifyVectors } from "../../src/conformance/verify.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { formatJson } from "../../src/numeric/json.js";

const vectorDirectory = new URL("../vectors/", import.meta.url);
const files = readdirSync(vectorDirectory)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({ name, path: new URL(name, vectorDirectory).pathname, file: JSON.parse(readFileSync(new URL(name, vectorDirectory), "utf8")) as VectorFile }));

/** The answers of an implementation that computes `answer` for each case and rejects what the library rejects. */
function answers(file: VectorFile, answer: (test: VectorFile["testGroups"][number]["tests"][number]) => ResultDocument): unknown[] {
  return file.testGroups.flatMap((group) =>
    group.tests.map((test) =>
      test.result === "invalid" ? { format: rejectionFormat, id: test.id, message: "rejected" } : { ...answer(test), id: test.id },
    ),
  );
}

async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), stdin: async () => "" });
  return { status, stdout, stderr };
}

const directory = mkdtempSync(join(tmpdir(), "backprop-ref-verify-"));

describe("verify", () => {
  it("passes the reference implementation on every test of every vector file", () => {
    for (const { name, file } of files) {
      const report = verifyVectors(file, answers(file, (test) => caseResult(parseCase(test.case))));
      expect(report.verdicts.filter((verdict) => !verdict.passed), name).toEqual([]);
      expect(report.verdicts.length).toBe(file.numberOfTests);
    }
  });

  it.each(mistakeNames)("catches the known mistake %s on every test it shows in, and names it", (mistake: MistakeName) => {
    let caught = 0;
    for (const { file } of files) {
      if (file.family === "invalid") continue;
      const report = verifyVectors(
        file,
        answers(file, (test) => {
          const problem = parseCase(test.case);
          return mistakeApplies(mistake, problem) ? mistakenResult(mistake, problem) : caseResult(problem);
        }),
      );
      const tests = file.testGroups.flatMap((group) => group.tests);
      for (const test of tests.filter((candidate) => candidate.mistake === mistake)) {
        const verdict = report.verdicts.find((candidate) => candidate.id === test.id)!;
        expect(verdict.passed, test.id).toBe(false);
        expect(verdict.mistake, test.id).toBe(mistake);
        caught += 1;
      }
      for (const verdict of report.verdicts.filter((candidate) => !candidate.passed)) expect(verdict.mistake, verdict.id).toBe(mistake);
    }
    expect(caught).toBeGreaterThan(10);
  });

  it("reports the first differing quantity, its position, both values and the relative error", () => {
    const problem = parseCase(workedExampleCase);
    const reference = caseResult(problem);
    const gradients = structuredClone(reference.gradients);
    gradients.weights[1]![0]![1] = reference.gradients.weights[1]![0]![1]! * 1.5;
    const verdict = verifyResult(problem, { ...reference, gradients });
    expect(verdict.passed).toBe(false);
    expect(verdict.difference).toMatchObject({ quantity: "gradients.weights[1]", position: "[0][1]", expected: reference.gradients.weights[1]![0]![1] });
    expect(verdict.difference!.relativeError).toBeCloseTo(0.5, 12);
    expect(verdict.mistake).toBeNull();
    expect(formatVerifyReport({ passed: false, verdicts: [verdict] })).toMatch(/^xor-2-2-1-sigmoid: FAIL gradients\.weights\[1\]\[0\]\[1\]: expected -?[\d.e-]+, got -?[\d.e-]+, relative error 0\.500\nFAILED 1 of 1 tests \(1 no known mistake\)$/);
  });

  it("reports a shape, a missing field, a non-number and a malformed result as differences, never throwing", () => {
    const problem = parseCase(workedExampleCase);
    const reference = caseResult(problem);
    expect(compareResults({ ...reference, outputs: [[1, 2]] }, reference)).toMatchObject({ quantity: "outputs", expected: "2×1", given: "1×2" });
    expect(compareResults({ ...reference, loss: "0.1" }, reference)).toMatchObject({ quantity: "loss", given: '"0.1"', relativeError: null });
    expect(compareResults({ ...reference, updated: undefined }, reference)).toMatchObject({ quantity: "updated" });
    expect(compareResults({ ...reference, gradients: { weights: reference.gradients.weights, biases: [[0]] } }, reference)).toMatchObject({ quantity: "gradients.biases" });
    expect(compareResults(null, reference)).toMatchObject({ quantity: "result" });
    expect(compareResults([], reference)).toMatchObject({ quantity: "result" });
    const { format: _format, ...unformatted } = reference;
    expect(verifyResult(problem, unformatted).note).toMatch(/not a result@1 document: the document must have required property 'format'/);
  });

  it("uses the tolerance: 1e-9 relative passes, 1e-7 fails", () => {
    const problem = parseCase(workedExampleCase);
    const reference = caseResult(problem);
    expect(verifyResult(problem, { ...reference, loss: reference.loss * (1 + 5e-10) }).passed).toBe(true);
    expect(verifyResult(problem, { ...reference, loss: reference.loss * (1 + 1e-7) }).passed).toBe(false);
    expect(verifyTolerance).toEqual({ relative: 1e-9, absolute: 1e-12 });
  });

  it("fails an invalid test that was answered with a result, a valid one that was rejected, and a test with no answer", () => {
    const invalid = files.find(({ file }) => file.family === "invalid")!.file;
    const first = invalid.testGroups[0]!.tests[0]!;
    const report = verifyVectors(invalid, [{ ...caseResult(parseCase(workedExampleCase)), id: first.id }]);
    expect(report.verdicts[0]).toMatchObject({ passed: false, note: expect.stringMatching(/^accepted a malformed case/) });
    expect(report.verdicts[1]).toMatchObject({ passed: false, note: "no result or rejection with this id" });
    const family = files.find(({ file }) => file.family !== "invalid")!.file;
    const test = family.testGroups[0]!.tests[0]!;
    expect(verifyVectors(family, [{ format: rejectionFormat, id: test.id, message: "no" }]).verdicts[0]).toMatchObject({ passed: false, note: 'rejected a valid case: "no"' });
  });
});

describe("backprop-ref verify", () => {
  const sigmoid = files.find(({ name }) => name === "sigmoid-squared_error-biases.json")!;

  it("catches the intuitive rule, names it, and exits 1", async () => {
    const path = join(directory, "intuitive.json");
    writeFileSync(path, JSON.stringify(answers(sigmoid.file, (test) => {
      const problem = parseCase(test.case);
      return mistakeApplies("intuitive-rule", problem) ? mistakenResult("intuitive-rule", problem) : caseResult(problem);
    })));
    const { status, stdout, stderr } = await run(["verify", sigmoid.path, path]);
    expect(stderr).toBe("");
    expect(status).toBe(1);
    expect(stdout).toMatch(/sigmoid-squared_error-biases\/1: pass\n/);
    expect(stdout).toMatch(/sigmoid-squared_error-biases\/\d+: FAIL gradients\.weights\[0\]\[\d\]\[\d\]: expected \S+, got \S+, relative error \S+\n {4}matches the known mistake intuitive-rule: /);
    expect(stdout).toMatch(/\nFAILED \d+ of 35 tests \(\d+ intuitive-rule\)\n$/);
    const failures = await run(["verify", "--failures", sigmoid.path, path]);
    expect(failures.stdout).not.toMatch(/: pass/);
  });

  it("passes a correct implementation with exit 0", async () => {
    const path = join(directory, "correct.json");
    writeFileSync(path, JSON.stringify(answers(sigmoid.file, (test) => caseResult(parseCase(test.case)))));
    const { status, stdout } = await run(["verify", sigmoid.path, path]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/\nall 35 tests passed\n$/);
  });

  it("verifies one result against a case", async () => {
    const casePath = join(directory, "case.json");
    const resultPath = join(directory, "result.json");
    writeFileSync(casePath, formatJson(workedExampleCase));
    writeFileSync(resultPath, formatJson(caseResult(parseCase(workedExampleCase))));
    expect(await run(["verify", casePath, resultPath])).toMatchObject({ status: 0, stdout: "xor-2-2-1-sigmoid: pass\nall 1 tests passed\n" });
    writeFileSync(resultPath, formatJson(mistakenResult("transposed-weights", parseCase(workedExampleCase))));
    const transposed = await run(["verify", casePath, resultPath]);
    expect(transposed.status).toBe(1);
    expect(transposed.stdout).toContain("matches the known mistake transposed-weights");
  });

  it.each([
    [["verify", "missing.json", "results.json"], /^backprop-ref verify: cannot read missing\.json: ENOENT\n$/],
    [["verify", "README.md", "results.json"], /^backprop-ref verify: the vector or case file README\.md is not valid JSON/],
    [["verify", "package.json", "results.json"], /^backprop-ref verify: package\.json must be a backprop-ref\/vectors@1 or backprop-ref\/case@1 document, got format nothing\n$/],
    [["verify", "spec/vectors/invalid.json", "package.json"], /^backprop-ref verify: the results file package\.json must be a JSON array of results and rejections/],
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
    writeFileSync(badCase, JSON.stringify({ ...workedExampleCase, weights: [[[0.1, -0.2], [0.4, 0.3]], [[0.5], [-0.6]]] }));
    expect((await run(["verify", badCase, badCase])).stderr).toBe("backprop-ref verify: weights[1] is 2×1 but sizes [2, 2, 1] need 1×2\n");
  });
});
