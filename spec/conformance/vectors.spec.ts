/**
 * The conformance vectors: the committed files are exactly what the code generates, they obey
 * their schema, and each kind of test means what the file says it means.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { deepRun } from "../support/arbitraries.js";
import { caseFormat2, caseResult, parseCase, readCase } from "../../src/conformance/case-format.js";
import { mistakenResult } from "../../src/conformance/mistakes.js";
import { schemaViolation } from "../../src/conformance/schemas.js";
import type { VectorFile } from "../../src/conformance/vector-format.js";
import { assertExactlyRounded } from "../../src/conformance/exactly-rounded.js";
import {
  generateVectorFiles,
  vectorBatches,
  vectorDepths,
  vectorFamilies,
  weightDecayVectorMistakeNames,
} from "../../src/conformance/vectors.js";
import { compareResults, matchingMistake } from "../../src/conformance/verify.js";
import { BackpropRefError } from "../../src/numeric/errors.js";

const directory = new URL("../vectors/", import.meta.url);
const committed = new Map(
  readdirSync(directory)
    .filter((name) => name.endsWith(".json"))
    .map((name) => [name, readFileSync(new URL(name, directory), "utf8")]),
);
const files: VectorFile[] = [...committed.values()].map((text) => JSON.parse(text) as VectorFile);
const tests = files.flatMap((file) => file.testGroups.flatMap((group) => group.tests.map((test) => ({ file, group, test }))));

describe("conformance vectors", () => {
  it("are exactly what npm run vectors generates: run it and commit the files when this fails", () => {
    // Generated inside the test, not at import, so that Stryker can tell which tests reach which code.
    const generated = generateVectorFiles({ checkedByOracle: false });
    expect([...committed.keys()].sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) expect(committed.get(name), `spec/vectors/${name}`).toBe(text);
  });

  it("obey the vectors@1 schema, and every case and result in them its own schema", () => {
    for (const file of files) {
      expect(schemaViolation("vectors", file), file.family).toBeNull();
      for (const { test } of tests.filter((entry) => entry.file === file)) {
        if (test.case !== undefined)
          expect(schemaViolation(test.case.format === caseFormat2 ? "case-2" : "case", test.case), test.id).toBeNull();
        if (test.expected !== undefined) expect(schemaViolation("result", test.expected), test.id).toBeNull();
      }
    }
  });

  it("have headers that count their tests, unique ids, and a note for every flag", () => {
    const ids = new Set<string>();
    for (const file of files) {
      const own = tests.filter((entry) => entry.file === file);
      expect(file.numberOfTests).toBe(own.length);
      own.forEach(({ test }, index) => {
        expect(test.tcId).toBe(index + 1);
        expect(test.id).toBe(`${file.family}/${test.tcId}`);
        expect(ids.has(test.id)).toBe(false);
        ids.add(test.id);
        for (const flag of test.flags) expect(file.notes[flag], `${test.id} ${flag}`).toBeTypeOf("string");
      });
    }
  });

  it("cover every family, depths 1 to 4, batches 1 to 8, with and without biases, and with weight decay", () => {
    for (const family of vectorFamilies) {
      const file = files.find((candidate) => candidate.family === family.name)!;
      expect(file, family.name).toBeDefined();
      const kinkGroup = family.hidden.some((activation) => activation === "relu" || activation === "leaky_relu") ? [null] : [];
      expect(file.testGroups.map((group) => group.depth)).toEqual([...vectorDepths, ...kinkGroup, null]);
      const valid = file.testGroups.flatMap((group) => group.tests).filter((test) => test.result === "valid");
      const batches = new Set(valid.map((test) => test.case!.inputs.length));
      for (const batch of vectorBatches) expect(batches.has(batch), `${family.name} batch ${batch}`).toBe(true);
      expect(Math.max(...batches)).toBe(8);
      expect(valid.every((test) => (test.case!.biases !== null) === family.biases)).toBe(true);
    }
    const flags = new Set(tests.flatMap(({ test }) => test.flags));
    for (const flag of [
      "SaturatedSigmoid",
      "SaturatedUnits",
      "LargeLogits",
      "ZeroLearningRate",
      "SingleUnit",
      "ZeroWeights",
      "IntuitiveRule",
      "MissingDerivative",
      "TransposedWeights",
      "BatchSum",
      "WeightDecay",
      "ZeroWeightDecay",
      "WeightDecayIgnored",
      "DecayedBiases",
      "DecayWithoutLearningRate",
      "PenaltyLeftOutOfLoss",
      "PenaltyWithoutHalf",
    ]) {
      expect(flags.has(flag), flag).toBe(true);
    }
  });

  it("valid tests expect the reference result of their case, in every group's depth (the last group, of weight decay, has mixed depths)", () => {
    for (const { group, test } of tests.filter(({ test }) => test.result === "valid")) {
      const problem = parseCase(test.case);
      if (group.depth !== null) expect(problem.network.weights.length).toBe(group.depth);
      expect(compareResults(test.expected, caseResult(problem), { relative: 0, absolute: 0 }), test.id).toBeNull();
    }
  });

  it("every expected number of every valid test is the exact value rounded: it agrees with the 100-digit oracle to the bound of compareWithExact", () => {
    const valid = tests.filter(({ test }) => test.result === "valid");
    expect(valid.length).toBeGreaterThan(350);
    // npm run vectors checks every number against the oracle as it writes it, and the first law
    // above pins the files to what it writes; so the default run checks the edge cases and every
    // eighth other test (a fifth of the time), a deep run (FAST_CHECK_RUNS=10000) all of them.
    const edges = ["SaturatedSigmoid", "SaturatedUnits", "LargeLogits"];
    const checked = valid.filter(({ test }, index) => deepRun || index % 8 === 0 || test.flags.some((flag) => edges.includes(flag)));
    for (const { test } of checked) assertExactlyRounded(parseCase(test.case), test.expected!);
  });

  it("wrong tests expect their mistake's result, which differs from the valid test of the same case and is recognised as that mistake", () => {
    const wrong = tests.filter(({ test }) => test.result === "wrong");
    expect(wrong.length).toBeGreaterThan(100);
    for (const { file, group, test } of wrong) {
      const problem = parseCase(test.case);
      const same = file.testGroups.flatMap((candidate) => candidate.tests).find((candidate) => candidate.tcId === test.sameCaseAs)!;
      expect(same.result).toBe("valid");
      expect({ ...same.case, id: test.id }).toEqual(test.case);
      expect(compareResults(test.expected, same.expected!, group.tolerance), test.id).not.toBeNull();
      expect(compareResults(test.expected, mistakenResult(test.mistake!, problem), { relative: 0, absolute: 0 })).toBeNull();
      expect(matchingMistake(problem, test.expected, group.tolerance), test.id).toBe(test.mistake);
    }
  });

  it("invalid tests are rejected by the library with a typed error, the one the file records", () => {
    const invalid = tests.filter(({ test }) => test.result === "invalid");
    expect(invalid.length).toBeGreaterThanOrEqual(20);
    for (const { test } of invalid) {
      let thrown: unknown = null;
      try {
        readCase(test.caseText!);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, test.id).toBeInstanceOf(BackpropRefError);
      expect((thrown as Error).name).toBe(test.expectedError!.kind);
      expect((thrown as Error).message.startsWith(test.expectedError!.message)).toBe(true);
    }
  });

  it("edge cases are what their flags say: saturated sigmoids, saturated units, logits near 1000, a zero learning rate", () => {
    const flagged = (flag: string) => tests.filter(({ test }) => test.flags.includes(flag)).map(({ test }) => test);
    expect(flagged("SaturatedUnits").length).toBe(24);
    for (const test of flagged("SaturatedUnits")) {
      expect(
        test.case!.weights.flat(2).every((weight) => Math.abs(weight) >= 10 && Math.abs(weight) <= 40),
        test.id,
      ).toBe(true);
      expect(
        test.case!.activations.some((activation) => ["sigmoid", "tanh", "softplus", "softmax"].includes(activation)),
        test.id,
      ).toBe(true);
    }
    for (const test of flagged("SaturatedSigmoid")) expect(Math.max(...test.case!.inputs.flat().map(Math.abs))).toBeGreaterThanOrEqual(25);
    for (const test of flagged("ZeroLearningRate")) {
      expect(test.case!.learningRate).toBe(0);
      expect(test.expected!.updated.weights).toEqual(test.case!.weights);
    }
    for (const test of flagged("LargeLogits")) {
      const problem = parseCase(test.case);
      expect(Number.isFinite(caseResult(problem).loss)).toBe(true);
      expect(Math.max(...test.case!.weights.at(-1)!.flat().map(Math.abs))).toBeGreaterThan(50);
    }
    for (const test of flagged("ZeroWeights")) expect(test.case!.weights.flat(2).every((weight) => weight === 0)).toBe(true);
    for (const test of flagged("SingleUnit")) expect(test.case!.sizes.every((size) => size === 1)).toBe(true);
  });

  it("the weight-decay tests are case@2 documents in the last group of every family: a weightDecay that changes the result, or 0 that leaves the case@1 result bit for bit, and a wrong test for each mistake of the decay", () => {
    for (const file of files.filter((candidate) => candidate.family !== "invalid")) {
      const last = file.testGroups.at(-1)!;
      expect(last.depth, file.family).toBeNull();
      expect(
        last.tests.every(
          (test) => test.flags.includes("WeightDecay") || weightDecayVectorMistakeNames.some((name) => name === test.mistake),
        ),
        file.family,
      ).toBe(true);
      // Every case@2 of the file is in that group, and no test before it has weight decay.
      const decayed = file.testGroups.flatMap((group) => group.tests).filter((test) => test.case?.format === caseFormat2);
      expect(decayed, file.family).toEqual(last.tests);
      for (const test of last.tests.filter((candidate) => candidate.result === "valid")) {
        const problem = parseCase(test.case);
        const withoutDecay = caseResult({ ...problem, weightDecay: 0 });
        if (test.flags.includes("ZeroWeightDecay")) {
          expect(test.case!.weightDecay, test.id).toBe(0);
          expect(test.expected, test.id).toEqual({ ...withoutDecay, id: test.id });
        } else {
          expect(test.case!.weightDecay, test.id).toBeGreaterThanOrEqual(0.01);
          expect(compareResults(test.expected, withoutDecay, last.tolerance), test.id).not.toBeNull();
        }
      }
      const mistakes = last.tests.filter((test) => test.result === "wrong").map((test) => test.mistake);
      const hasBiases = !file.family.endsWith("-no-biases");
      expect(mistakes, file.family).toEqual(weightDecayVectorMistakeNames.filter((name) => hasBiases || name !== "decayed-biases"));
    }
  });
});
