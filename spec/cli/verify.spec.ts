import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answersOf, hvpAnswersOf, hvpVectorFiles, vectorFiles } from "../support/vectors.js";
import { hvpResult, parseHvpCase } from "../../src/conformance/hvp-format.js";
import { mistakenHvpAnswer } from "../../src/conformance/hvp-verify.js";
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
    expect(stdout).toMatch(new RegExp(`\nFAILED \\d+ of ${sigmoid.file.numberOfTests} tests \\(\\d+ intuitive-rule\\)\n$`));
    const failures = await run(["verify", "--failures", sigmoid.path, path]);
    expect(failures.stdout).not.toMatch(/: pass/);
  });

  it("passes a correct implementation with exit 0", async () => {
    const path = join(directory, "correct.json");
    writeFileSync(path, JSON.stringify(answersOf(sigmoid.file, (test) => caseResult(parseCase(test.case)))));
    const { status, stdout } = await run(["verify", sigmoid.path, path]);
    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`\nall ${sigmoid.file.numberOfTests} tests passed\n$`));
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

  it("verifies one result against a case@2 with its weight decay, and names a result that leaves the decay out", async () => {
    const casePath = join(directory, "decay-case.json");
    const resultPath = join(directory, "decay-result.json");
    const decayed = { ...workedExampleCase, format: "backprop-ref/case@2", weightDecay: 0.01 };
    writeFileSync(casePath, formatJson(decayed));
    writeFileSync(resultPath, formatJson(caseResult(parseCase(decayed))));
    expect(await run(["verify", casePath, resultPath])).toMatchObject({
      status: 0,
      stdout: "xor-2-2-1-sigmoid: pass\nall 1 tests passed\n",
    });
    writeFileSync(resultPath, formatJson(caseResult(parseCase(workedExampleCase))));
    const ignored = await run(["verify", casePath, resultPath]);
    expect(ignored.status).toBe(1);
    expect(ignored.stdout).toContain("matches the known mistake weight-decay-ignored");
    writeFileSync(casePath, formatJson({ ...decayed, weightDecay: -1 }));
    expect((await run(["verify", casePath, resultPath])).stderr).toBe(
      "backprop-ref verify: weightDecay must be a finite number ≥ 0, got -1\n",
    );
  });

  it.each([
    [["verify", "missing.json", "results.json"], /^backprop-ref verify: cannot read missing\.json: there is no such file\n$/],
    [["verify", "README.md", "results.json"], /^backprop-ref verify: the vector or case file README\.md is not valid JSON/],
    [
      ["verify", "package.json", "results.json"],
      /^backprop-ref verify: package\.json must be a backprop-ref\/vectors@1, backprop-ref\/hvp-vectors@1, backprop-ref\/case@1 or backprop-ref\/case@2 document \(a backprop-ref\/case@1 with a direction for an hvp case\), got format nothing\n$/,
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

  describe("on second-order answers", () => {
    const tanh = hvpVectorFiles.find(({ name }) => name === "tanh-squared_error-biases.json")!;
    const example = "docs/examples/xor-2-2-1-sigmoid-hvp.json";

    it("passes a correct implementation on an hvp vector file with exit 0", async () => {
      const path = join(directory, "hvp-correct.json");
      writeFileSync(path, JSON.stringify(hvpAnswersOf(tanh.file, (test) => hvpResult(parseHvpCase(test.case)))));
      const { status, stdout, stderr } = await run(["verify", tanh.path, path]);
      expect(stderr).toBe("");
      expect(status).toBe(0);
      expect(stdout).toMatch(/^hvp\/tanh-squared_error-biases\/1: pass\n/);
      expect(stdout).toMatch(new RegExp(`\nall ${tanh.file.numberOfTests} tests passed\n$`));
    });

    it("catches the Gauss-Newton product passed off as the Hessian-vector product, names it, and exits 1", async () => {
      const path = join(directory, "hvp-gauss-newton.json");
      writeFileSync(
        path,
        JSON.stringify(
          hvpAnswersOf(tanh.file, (test) => {
            const answer = hvpResult(parseHvpCase(test.case));
            return { ...answer, hessianVectorProduct: answer.gaussNewtonVectorProduct };
          }),
        ),
      );
      const { status, stdout, stderr } = await run(["verify", "--failures", tanh.path, path]);
      expect(stderr).toBe("");
      expect(status).toBe(1);
      expect(stdout).not.toMatch(/: pass/);
      expect(stdout).toMatch(
        /\nhvp\/tanh-squared_error-biases\/\d+: FAIL hessianVectorProduct\.(weights|biases)\[\d\](\[\d\])+: expected \S+, got \S+, relative error \S+\n {4}matches the known mistake gauss-newton-as-hessian: the Gauss-Newton product G V is reported as the Hessian-vector product H V\n/,
      );
      // Only the direction of zeros passes. Dropping f'' gives G V too on the five tests of a single
      // layer, and agrees with it above the absolute tolerance on a saturated case: those six are
      // named activation-curvature-dropped, the first of the catalogue's mistakes that matches.
      expect(stdout).toMatch(/\nFAILED 25 of 26 tests \(6 activation-curvature-dropped, 19 gauss-newton-as-hessian\)\n$/);
    });

    it("verifies one hvp answer against an hvp case, and names a mistaken one", async () => {
      const answerPath = join(directory, "hvp-answer.json");
      const problem = parseHvpCase(JSON.parse(readFileSync(example, "utf8")));
      writeFileSync(answerPath, formatJson(hvpResult(problem)));
      expect(await run(["verify", example, answerPath])).toMatchObject({
        status: 0,
        stdout: "xor-2-2-1-sigmoid: pass\nall 1 tests passed\n",
      });
      writeFileSync(answerPath, formatJson(mistakenHvpAnswer("activation-curvature-dropped", problem)));
      const mistaken = await run(["verify", example, answerPath]);
      expect(mistaken.status).toBe(1);
      expect(mistaken.stdout).toMatch(
        /^xor-2-2-1-sigmoid: FAIL hessianVectorProduct\.weights\[\d\]\[\d\]\[\d\]: expected \S+, got \S+, relative error \S+\n {4}matches the known mistake activation-curvature-dropped: the f'' terms of the activations are left out of the R-operator's backward pass\nFAILED 1 of 1 tests \(1 activation-curvature-dropped\)\n$/,
      );
      // A first-order result is no answer to an hvp case: the first quantity it lacks is named.
      writeFileSync(answerPath, formatJson(caseResult(parseCase(workedExampleCase))));
      const result = await run(["verify", example, answerPath]);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(
        /^xor-2-2-1-sigmoid: FAIL hessianVectorProduct: expected an object with weights and biases, got nothing\n/,
      );
    });

    it("rejects an hvp vector file or hvp case it cannot use with exit 2 and a message naming the field", async () => {
      const broken = join(directory, "broken-hvp-vectors.json");
      writeFileSync(
        broken,
        JSON.stringify({ ...tanh.file, testGroups: [{ depth: 0, tolerance: { relative: 1e-9, absolute: 1e-12 }, tests: [] }] }),
      );
      expect(await run(["verify", broken, broken])).toMatchObject({
        status: 2,
        stdout: "",
        stderr: `backprop-ref verify: the hvp vector file ${broken} is not a valid hvp-vectors@1 document: testGroups[0].depth must be >= 1, got 0\n`,
      });
      expect(await run(["verify", tanh.path, "package.json"])).toMatchObject({
        status: 2,
        stderr: expect.stringMatching(
          /^backprop-ref verify: the answers file package\.json must be a JSON array of backprop-ref\/hvp@1 answers and rejections, one per test id, got an object\n$/,
        ),
      });
      const badCase = join(directory, "bad-hvp-case.json");
      const hvpCase = JSON.parse(readFileSync(example, "utf8")) as { direction: { weights: number[][][] } };
      writeFileSync(
        badCase,
        JSON.stringify({ ...hvpCase, direction: { ...hvpCase.direction, weights: [hvpCase.direction.weights[0], [[0], [1]]] } }),
      );
      expect(await run(["verify", badCase, badCase])).toMatchObject({
        status: 2,
        stdout: "",
        stderr: "backprop-ref verify: direction.weights[1] is 2×1 but sizes [2, 2, 1] need 1×2\n",
      });
    });
  });
});
