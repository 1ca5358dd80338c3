/**
 * `verify`: a correct implementation passes every vector, each known mistake is caught and
 * named, and the report says where the first difference is.
 */
import { describe, expect, it } from "vitest";
import { caseFormat2, caseResult, parseCase } from "../../src/conformance/case-format.js";
import { mistakeApplies, type MistakeName, mistakeNames, mistakenResult } from "../../src/conformance/mistakes.js";
import { resultInterval, rightSlopeResult } from "../../src/conformance/kink-results.js";
import { verifyTolerance } from "../../src/conformance/tolerance.js";
import { rejectionFormat } from "../../src/conformance/vector-format.js";
import { compareResults, maximumStrayVerdicts, verifyResult, verifyVectors } from "../../src/conformance/verify.js";
import { formatVerifyReport } from "../../src/conformance/verify-report.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { answersOf, vectorFiles } from "../support/vectors.js";

describe("verify", () => {
  it("passes the reference implementation on every test of every vector file", () => {
    for (const { name, file } of vectorFiles) {
      const report = verifyVectors(
        file,
        answersOf(file, (test) => caseResult(parseCase(test.case))),
      );
      expect(
        report.verdicts.filter((verdict) => !verdict.passed),
        name,
      ).toEqual([]);
      expect(report.verdicts.length).toBe(file.numberOfTests);
    }
  });

  it("passes an implementation with the right slope at a kink, or one between, on every acceptable test as acceptable, and names the convention", () => {
    let acceptable = 0;
    for (const { name, file } of vectorFiles) {
      if (file.family === "invalid") continue;
      const kinkTests = file.testGroups.flatMap((group) => group.tests).filter((test) => test.result === "acceptable");
      for (const between of [false, true]) {
        const report = verifyVectors(
          file,
          answersOf(file, (test) => {
            const problem = parseCase(test.case);
            const right = rightSlopeResult(problem) ?? caseResult(problem);
            if (!between) return right;
            return resultInterval(caseResult(problem), right, { relative: 0, absolute: 0 }).midpoints;
          }),
        );
        expect(
          report.verdicts.filter((verdict) => !verdict.passed),
          name,
        ).toEqual([]);
        for (const test of kinkTests) {
          const verdict = report.verdicts.find((candidate) => candidate.id === test.id)!;
          expect(verdict.acceptable, test.id).toBe(true);
          expect(verdict.note, test.id).toContain(between ? "a slope between the left and the right one" : "the right slope f'(0) = 1");
          acceptable += 1;
        }
        if (kinkTests.length > 0) expect(formatVerifyReport(report)).toMatch(/acceptable, with another convention at a kink\)$/);
      }
    }
    expect(acceptable).toBe(32);
  });

  it("with weight decay at a kink, passes the right slope with the penalty's share as acceptable, and names a result that leaves the decay out", () => {
    const file = vectorFiles.find(({ name }) => name === "relu-squared_error-biases.json")!.file;
    for (const test of file.testGroups.flatMap((group) => group.tests).filter((candidate) => candidate.result === "acceptable")) {
      const problem = parseCase({ ...test.case!, format: caseFormat2, weightDecay: 0.25 });
      const right = rightSlopeResult(problem)!;
      expect(compareResults(right, caseResult(problem))).not.toBeNull();
      expect(verifyResult(problem, right)).toMatchObject({ passed: true, acceptable: true });
      const ignored = verifyResult(problem, caseResult({ ...problem, weightDecay: 0 }));
      expect([ignored.passed, ignored.mistake], test.id).toEqual([false, "weight-decay-ignored"]);
    }
  });

  it("fails an acceptable test whose gradient lies outside both slopes at the kink", () => {
    const file = vectorFiles.find(({ name }) => name === "relu-squared_error-biases.json")!.file;
    const test = file.testGroups.flatMap((group) => group.tests).find((candidate) => candidate.result === "acceptable")!;
    const problem = parseCase(test.case);
    const expected = caseResult(problem);
    const alternative = rightSlopeResult(problem)!;
    const beyond = structuredClone(alternative);
    const [first] = beyond.gradients.weights[0]![0]!;
    const reference = expected.gradients.weights[0]![0]![0]!;
    beyond.gradients.weights[0]![0]![0] = Math.max(first!, reference) + 1;
    const verdict = verifyResult(problem, beyond, verifyTolerance, expected, alternative);
    expect([verdict.passed, verdict.acceptable]).toEqual([false, undefined]);
    expect(verdict.difference?.quantity).toBe("gradients.weights[0]");
  });

  it.each(mistakeNames)("catches the known mistake %s on every test it changes, and names it", (mistake: MistakeName) => {
    // Every test is answered with the mistake's result where it applies: each test that fails
    // must be named after it, and so must every wrong test that carries it (the vectors carry
    // four of the mistakes; the others show in their valid tests).
    let caught = 0;
    for (const { file } of vectorFiles) {
      if (file.family === "invalid") continue;
      const report = verifyVectors(
        file,
        answersOf(file, (test) => {
          const problem = parseCase(test.case);
          return mistakeApplies(mistake, problem) ? mistakenResult(mistake, problem) : caseResult(problem);
        }),
      );
      const tests = file.testGroups.flatMap((group) => group.tests);
      for (const test of tests.filter((candidate) => candidate.mistake === mistake)) {
        const verdict = report.verdicts.find((candidate) => candidate.id === test.id)!;
        expect(verdict.passed, test.id).toBe(false);
        expect(verdict.mistake, test.id).toBe(mistake);
      }
      for (const verdict of report.verdicts.filter((candidate) => !candidate.passed)) {
        expect(verdict.mistake, verdict.id).toBe(mistake);
        caught += 1;
      }
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
    expect(verdict.difference).toMatchObject({
      quantity: "gradients.weights[1]",
      position: "[0][1]",
      expected: reference.gradients.weights[1]![0]![1],
    });
    expect(verdict.difference!.relativeError).toBeCloseTo(0.5, 12);
    expect(verdict.mistake).toBeNull();
    expect(formatVerifyReport({ passed: false, verdicts: [verdict] })).toMatch(
      /^xor-2-2-1-sigmoid: FAIL gradients\.weights\[1\]\[0\]\[1\]: expected -?[\d.e-]+, got -?[\d.e-]+, relative error 0\.500\nFAILED 1 of 1 tests \(1 no known mistake\)$/,
    );
  });

  it("reports a shape, a missing field, a non-number and a malformed result as differences, never throwing", () => {
    const problem = parseCase(workedExampleCase);
    const reference = caseResult(problem);
    expect(compareResults({ ...reference, outputs: [[1, 2]] }, reference)).toMatchObject({
      quantity: "outputs",
      expected: "2×1",
      given: "1×2",
    });
    expect(compareResults({ ...reference, loss: "0.1" }, reference)).toMatchObject({
      quantity: "loss",
      given: '"0.1"',
      relativeError: null,
    });
    expect(compareResults({ ...reference, updated: undefined }, reference)).toMatchObject({ quantity: "updated" });
    expect(compareResults({ ...reference, gradients: { weights: reference.gradients.weights, biases: [[0]] } }, reference)).toMatchObject({
      quantity: "gradients.biases",
    });
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
    const invalid = vectorFiles.find(({ file }) => file.family === "invalid")!.file;
    const first = invalid.testGroups[0]!.tests[0]!;
    const report = verifyVectors(invalid, [{ ...caseResult(parseCase(workedExampleCase)), id: first.id }]);
    expect(report.verdicts[0]).toMatchObject({ passed: false, note: expect.stringMatching(/^accepted a malformed case/) });
    expect(report.verdicts[1]).toMatchObject({ passed: false, note: "no result or rejection with this id" });
    const family = vectorFiles.find(({ file }) => file.family !== "invalid")!.file;
    const test = family.testGroups[0]!.tests[0]!;
    expect(verifyVectors(family, [{ format: rejectionFormat, id: test.id, message: "no" }]).verdicts[0]).toMatchObject({
      passed: false,
      note: 'rejected a valid case: "no"',
    });
  });

  it("fails a result with a layer appended to its gradients, or one missing, though every layer that should be there agrees", () => {
    const problem = parseCase(workedExampleCase);
    const expected = caseResult(problem);
    const extra = { ...expected, gradients: { ...expected.gradients, weights: [...expected.gradients.weights, [[0]]] } };
    expect(compareResults(extra, expected)).toStrictEqual({
      quantity: "gradients.weights",
      position: "",
      expected: "2 layers",
      given: "3 layers",
      relativeError: null,
    });
    const missing = { ...expected, updated: { ...expected.updated, weights: expected.updated.weights.slice(0, 1) } };
    expect(compareResults(missing, expected)).toMatchObject({ quantity: "updated.weights", expected: "2 layers", given: "1 layers" });
    expect(verifyResult(problem, extra).passed).toBe(false);
  });

  it("fails a second answer for a test, an answer for a test the file does not have, and an entry that is no answer", () => {
    const { file } = vectorFiles.find(({ file }) => file.family !== "invalid")!;
    const right = answersOf(file, (test) => caseResult(parseCase(test.case)));
    const [first] = file.testGroups[0]!.tests;
    const wrong = { ...(right[0] as object), loss: 12345 };
    // A wrong answer followed by a right one for the same id must not pass by being overwritten.
    const duplicated = verifyVectors(file, [wrong, ...right]);
    expect(duplicated.passed).toBe(false);
    expect(duplicated.verdicts.find((verdict) => verdict.id === first!.id)).toMatchObject({
      passed: false,
      note: "more than one result or rejection has this id; give each test one answer",
    });
    const unknown = verifyVectors(file, [...right, { ...(right[0] as object), id: "no-such-test" }]);
    expect(unknown.passed).toBe(false);
    expect(unknown.verdicts.at(-1)).toMatchObject({
      id: "no-such-test",
      passed: false,
      note: `results[${right.length}] answers a test that the vector file does not have`,
    });
    const junk = verifyVectors(file, [...right, 42, null, { format: "backprop-ref/result@1" }]);
    expect(junk.passed).toBe(false);
    expect(junk.verdicts.slice(-3).map((verdict) => verdict.note)).toStrictEqual([
      "is not a result or rejection with a string id, got 42",
      "is not a result or rejection with a string id, got null",
      "is not a result or rejection with a string id, got an object",
    ]);
    expect(verifyVectors(file, right).passed).toBe(true);
    // A flood of junk is counted, not listed line by line.
    const flood = verifyVectors(file, [...right, ...new Array<number>(1000).fill(1)]);
    expect(flood.verdicts).toHaveLength(right.length + maximumStrayVerdicts + 1);
    expect(flood.verdicts.at(-1)).toMatchObject({
      id: "results",
      passed: false,
      note: `${1000 - maximumStrayVerdicts} more entries are not answers for exactly one test (the first ${maximumStrayVerdicts} are listed)`,
    });
  });

  it("checks a rejection against the rejection@1 schema before it counts as rejecting a malformed case", () => {
    const invalid = vectorFiles.find(({ file }) => file.family === "invalid")!.file;
    const right = answersOf(invalid, () => {
      throw new Error("an invalid test has no expected result");
    });
    expect(verifyVectors(invalid, right).passed).toBe(true);
    const [first, ...rest] = right as { id: string }[];
    for (const bad of [
      { format: rejectionFormat, id: first!.id },
      { format: rejectionFormat, id: first!.id, message: 7 },
      { format: rejectionFormat, id: first!.id, message: "no", extra: true },
    ]) {
      const verdict = verifyVectors(invalid, [bad, ...rest]).verdicts[0]!;
      expect(verdict.passed).toBe(false);
      expect(verdict.note).toMatch(/^the rejection is not a rejection@1 document: /);
    }
  });

  it("describes what was given in place of a number, a section or a matrix, exactly", () => {
    const expected = caseResult(parseCase(workedExampleCase));
    const at = (changes: Record<string, unknown>) => compareResults({ ...expected, ...changes }, expected);
    expect(compareResults([expected], expected)).toStrictEqual({
      quantity: "result",
      position: "",
      expected: "a backprop-ref/result@1 object",
      given: "[an object]",
      relativeError: null,
    });
    for (const section of [null, [], "x"]) {
      expect(at({ gradients: section })).toStrictEqual({
        quantity: "gradients",
        position: "",
        expected: "an object with weights and biases",
        given: section === null ? "null" : section === "x" ? '"x"' : "[]",
        relativeError: null,
      });
    }
    const outputs = (given: unknown) => at({ outputs: given });
    expect(outputs([[0.5], [0.5, 1]])).toMatchObject({ quantity: "outputs", expected: "2×1", given: "2 rows of unequal length" });
    expect(outputs([[0.5]])).toMatchObject({ expected: "2×1", given: "1×1" });
    expect(outputs([0.5, 0.5])).toMatchObject({ expected: "2×1", given: "2 entries" });
    expect(outputs([[0.5], 0.5])).toMatchObject({ expected: "2×1", given: "2 entries" });
    expect(outputs([[], []])).toMatchObject({ expected: "2×1", given: "2×0" });
    expect(outputs("0.5")).toMatchObject({ expected: "2×1", given: '"0.5"' });
    expect(at({ loss: "0.1" })).toStrictEqual({
      quantity: "loss",
      position: "",
      expected: expected.loss,
      given: '"0.1"',
      relativeError: null,
    });
    expect(at({ loss: null })).toMatchObject({ given: "null", relativeError: null });
    expect(at({ loss: expected.loss * 2 })).toStrictEqual({
      quantity: "loss",
      position: "",
      expected: expected.loss,
      given: expected.loss * 2,
      relativeError: 1,
    });
    const biases = at({ gradients: { ...expected.gradients, biases: [[0, 0], [0]] } });
    expect(biases).toStrictEqual({
      quantity: "gradients.biases",
      position: "",
      expected: "null",
      given: "[[0, 0], [0]]",
      relativeError: null,
    });
  });

  it("writes a report line by line and counts the failures by mistake, those that match none together", () => {
    const difference = { quantity: "loss", position: "", expected: 1, given: 2, relativeError: 1 };
    const report = {
      passed: false,
      verdicts: [
        { id: "a", passed: true, difference: null, mistake: null, note: null },
        { id: "b", passed: false, difference, mistake: "intuitive-rule" as const, note: null },
        { id: "c", passed: false, difference: { ...difference, position: "[0]", relativeError: null }, mistake: null, note: null },
        { id: "d", passed: false, difference: null, mistake: null, note: "no result or rejection with this id" },
      ],
    };
    expect(formatVerifyReport(report).split("\n")).toStrictEqual([
      "a: pass",
      "b: FAIL loss: expected 1, got 2, relative error 1.00",
      expect.stringMatching(/^ {4}matches the known mistake intuitive-rule: \S/),
      "c: FAIL loss[0]: expected 1, got 2",
      "d: FAIL no result or rejection with this id",
      "FAILED 3 of 4 tests (1 intuitive-rule, 2 no known mistake)",
    ]);
    const { id: _id, ...withoutId } = workedExampleCase;
    expect(verifyResult(parseCase(withoutId), null).id).toBe("case");
  });

  it("compares biases layer by layer, calls a number that is not finite not a number, and names stray answers by their place", () => {
    const withBiases = parseCase({ ...workedExampleCase, biases: [[0.1, -0.1], [0.2]] });
    const expected = caseResult(withBiases);
    const wrongBias = structuredClone(expected) as { gradients: { biases: number[][] } };
    wrongBias.gradients.biases[1]![0]! += 1;
    expect(compareResults(wrongBias, expected)).toMatchObject({ quantity: "gradients.biases[1]", position: "[0]" });
    for (const loss of [Infinity, NaN]) {
      expect(compareResults({ ...expected, loss }, expected)).toStrictEqual({
        quantity: "loss",
        position: "",
        expected: expected.loss,
        given: String(loss),
        relativeError: null,
      });
    }
    const { file } = vectorFiles.find(({ file }) => file.family !== "invalid")!;
    const right = answersOf(file, (test) => caseResult(parseCase(test.case)));
    expect(verifyVectors(file, [...right, 7]).verdicts.at(-1)).toMatchObject({ id: `results[${right.length}]`, passed: false });
    expect(() => verifyVectors({ format: "backprop-ref/vectors@1" } as never, [])).toThrow(/^the vector file /);
  });
});
