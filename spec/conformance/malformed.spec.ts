/**
 * Malformed input at every entry point: random damage to valid cases, results and vector files
 * (wrong shapes, NaN, strings, missing fields, huge sizes, deep nesting) must end in a typed
 * error with a message, or, where the damage leaves a valid document, in a correct answer:
 * never a crash, a hang or a wrong number.
 *
 * The damage: one node of the document, chosen at random, is replaced by a hostile value,
 * deleted, or (for `sizes`) made huge. Text-level damage puts `NaN`, `Infinity` and cut-off text
 * where JSON cannot hold them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseResult, gradientsFromResult, parseCase, type Problem, readCase } from "../../src/conformance/case-format.js";
import { schemaNames, schemaViolation } from "../../src/conformance/schemas.js";
import type { VectorFile } from "../../src/conformance/vector-format.js";
import { compareResults, verifyResult, verifyVectors } from "../../src/conformance/verify.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { BackpropRefError } from "../../src/numeric/errors.js";
import { numRuns } from "../support/arbitraries.js";
import { caseDocument, hvpCaseDocument } from "../../src/conformance/case-arbitrary.js";
import { hvpResult, parseHvpCase } from "../../src/conformance/hvp-format.js";
import { runCommand, scratchFolder } from "../support/command.js";
import { damage, hostile } from "../support/damage.js";

/** Cases of 1 to 3 layers of 1 to 3 units, 1 to 3 samples: small enough to damage and answer many of. */
const smallCases = () => caseDocument({ depth: { min: 1, max: 3 }, width: { min: 1, max: 3 }, batch: { min: 1, max: 3 } });

/** The same small cases with a direction, for `hvp`. */
const smallHvpCases = () => hvpCaseDocument({ depth: { min: 1, max: 3 }, width: { min: 1, max: 3 }, batch: { min: 1, max: 3 } });

/**
 * Runs `action`, requiring it to throw nothing but a typed error and to finish within ten
 * seconds (a guard against work that grows without bound with the input, not a speed goal: it
 * takes milliseconds, and the limit leaves room for a loaded machine); returns what it
 * returned, or the error.
 */
function guarded<T>(action: () => T): T | BackpropRefError {
  const start = performance.now();
  try {
    return action();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(BackpropRefError);
    expect((error as Error).message.length).toBeGreaterThan(10);
    return error as BackpropRefError;
  } finally {
    expect(performance.now() - start).toBeLessThan(10_000);
  }
}

/** The answer to an accepted case must be right: finite, shaped like the case, and valid by the result schema. */
function expectSoundResult(problem: Problem): void {
  const result = guarded(() => caseResult(problem));
  if (result instanceof BackpropRefError) {
    expect(result.name).toBe("NumericError");
    return;
  }
  expect(schemaViolation("result", result)).toBeNull();
  expect(result.outputs).toHaveLength(problem.inputs.shape[1]!);
  expect([result.loss, ...result.outputs.flat(), ...result.gradients.weights.flat(2)].every(Number.isFinite)).toBe(true);
}

describe("malformed input", () => {
  it("parseCase rejects a damaged case with a typed error, or accepts a case the schema accepts too and answers it soundly", () => {
    fc.assert(
      fc.property(damage(smallCases()), (document) => {
        const problem = guarded(() => parseCase(document));
        if (problem instanceof BackpropRefError) return;
        expect(schemaViolation("case", document)).toBeNull();
        expectSoundResult(problem);
      }),
      { numRuns: numRuns * 3 },
    );
  });

  it("parseHvpCase rejects a damaged hvp case with a typed error, or accepts one the schema accepts too and answers it soundly", () => {
    fc.assert(
      fc.property(damage(smallHvpCases()), (document) => {
        const problem = guarded(() => parseHvpCase(document));
        if (problem instanceof BackpropRefError) return;
        expect(schemaViolation("hvp-case", document)).toBeNull();
        const answer = guarded(() => hvpResult(problem));
        if (answer instanceof BackpropRefError) {
          expect(answer.name).toBe("NumericError");
          return;
        }
        expect(schemaViolation("hvp", answer)).toBeNull();
        expect(answer.outputTangents).toHaveLength(problem.inputs.shape[1]!);
      }),
      { numRuns: numRuns * 2 },
    );
  });

  it("readCase rejects text with NaN, Infinity, cut-off JSON or a huge size with a typed error", () => {
    const text = JSON.stringify(workedExampleCase);
    const edits = fc.oneof(
      fc.nat({ max: text.length - 1 }).map((end) => text.slice(0, end)),
      fc.constantFrom("NaN", "Infinity", "-Infinity", "1e999", "undefined", "'0'").map((token) => text.replace("0.3", token)),
      fc
        .constantFrom("[1e9, 1e9, 1]", "[9007199254740993, 2, 1]", "[2, 0, 1]", "[2]", "[]")
        .map((sizes) => text.replace("[2, 2, 1]", sizes).replace("[2,2,1]", sizes)),
    );
    fc.assert(
      fc.property(edits, (edited) => {
        expect(guarded(() => readCase(edited))).toBeInstanceOf(BackpropRefError);
      }),
      { numRuns },
    );
  });

  it("the schemas never throw, whatever they are given", () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemaNames), fc.oneof(hostile, damage(smallCases()), fc.jsonValue()), (name, value) => {
        const violation = schemaViolation(name, value);
        expect(violation === null || violation.length > 0).toBe(true);
      }),
      { numRuns },
    );
  });

  it("gradientsFromResult and verify take a damaged result as a typed error or a failing verdict, never a pass unless the numbers are right", () => {
    const problem = parseCase(workedExampleCase);
    const reference = caseResult(problem);
    fc.assert(
      fc.property(damage(fc.constant(reference)), (given) => {
        guarded(() => gradientsFromResult(given, problem));
        const verdict = guarded(() => verifyResult(problem, given));
        if (verdict instanceof BackpropRefError) throw verdict;
        if (verdict.passed) {
          expect(compareResults(given, reference, { relative: 1e-9, absolute: 1e-12 })).toBeNull();
          expect(schemaViolation("result", given)).toBeNull();
        } else {
          expect(verdict.difference !== null || verdict.note !== null).toBe(true);
        }
      }),
      { numRuns: numRuns * 2 },
    );
  });

  it("verifyVectors takes damaged answers without throwing, and passes only the tests answered correctly", () => {
    const file = JSON.parse(readFileSync(new URL("../vectors/tanh-squared_error-no-biases.json", import.meta.url), "utf8")) as VectorFile;
    const tests = file.testGroups[0]!.tests.slice(0, 4);
    const small: VectorFile = { ...file, numberOfTests: tests.length, testGroups: [{ ...file.testGroups[0]!, tests }] };
    const answers = tests.map((test) => ({ ...caseResult(parseCase(test.case)), id: test.id }));
    fc.assert(
      fc.property(fc.oneof(damage(fc.constant(answers)), hostile), (given) => {
        const report = guarded(() => verifyVectors(small, Array.isArray(given) ? given : [given]));
        if (report instanceof BackpropRefError) throw report;
        // One verdict per test, in order; then one failing verdict per answer that is not for exactly one test.
        expect(report.verdicts.slice(0, tests.length).map((verdict) => verdict.id)).toEqual(tests.map((test) => test.id));
        for (const stray of report.verdicts.slice(tests.length)) expect(stray.passed).toBe(false);
        const entries = Array.isArray(given) ? given : [given];
        report.verdicts.slice(0, tests.length).forEach((verdict, index) => {
          if (!verdict.passed) return;
          const answer = entries.find(
            (entry) => typeof entry === "object" && entry !== null && (entry as { id?: unknown }).id === verdict.id,
          );
          expect(compareResults(answer, tests[index]!.expected!)).toBeNull();
        });
      }),
      { numRuns },
    );
  });

  it("verifyVectors and the command line take a damaged vector file as a typed error or a report, never a crash", async () => {
    const path = new URL("../vectors/identity-squared_error-biases.json", import.meta.url);
    const file = JSON.parse(readFileSync(path, "utf8")) as VectorFile;
    const small: VectorFile = {
      ...file,
      numberOfTests: 2,
      testGroups: [{ ...file.testGroups[1]!, tests: file.testGroups[1]!.tests.slice(0, 2) }],
    };
    const answers = small.testGroups[0]!.tests.map((test) => ({ ...caseResult(parseCase(test.case)), id: test.id }));
    const answersPath = join(scratchFolder("malformed"), "answers.json");
    writeFileSync(answersPath, JSON.stringify(answers));
    await fc.assert(
      fc.asyncProperty(damage(fc.constant(small)), async (damagedFile) => {
        const report = guarded(() => verifyVectors(damagedFile as VectorFile, answers));
        // One verdict per test, and one more for each answer that no test of the damaged file has.
        if (!(report instanceof BackpropRefError)) expect(report.verdicts.length).toBeLessThanOrEqual(2 + answers.length);
        const { status, stdout, stderr } = await runCommand(["verify", "-", answersPath], JSON.stringify(damagedFile));
        expect([0, 1, 2]).toContain(status);
        if (status === 2) expect(stderr).toMatch(/^backprop-ref verify: [^\n]+\n$/);
        else expect(stdout.length).toBeGreaterThan(0);
      }),
      { numRuns },
    );
  });

  it("the command line answers damaged input with exit 2 and a one-line message, never a stack trace", async () => {
    // hvp reads a case with a direction; grad and verify, a case.
    const commandAndDamagedCase = fc
      .constantFrom("grad", "hvp", "verify")
      .chain((command) => damage(command === "hvp" ? smallHvpCases() : smallCases()).map((document) => [command, document] as const));
    await fc.assert(
      fc.asyncProperty(commandAndDamagedCase, async ([command, document]) => {
        const text = JSON.stringify(document) ?? "null";
        const args = command === "verify" ? ["verify", "-", "-"] : [command, "-"];
        const { status, stdout, stderr } = await runCommand(args, text);
        if (status === 0 || status === 1) {
          expect(stderr).toBe("");
          expect(stdout.length).toBeGreaterThan(0);
        } else {
          expect(status).toBe(2);
          expect(stdout).toBe("");
          expect(stderr).toMatch(new RegExp(`^backprop-ref ${command}: [^\\n]+\\n$`));
        }
      }),
      { numRuns },
    );
  });
});
