/**
 * The hvp vectors: the committed files are exactly what the code generates, they obey their
 * schema, every expected answer is the library's, each edge case is what its flag says, the
 * tolerance passes other orders of summation and fails every wrong test, and `verify` passes the
 * reference on every test and names each mistake.
 */
import { describe, expect, it } from "vitest";
import { type CaseDocument, caseResult, parseCase } from "../../src/conformance/case-format.js";
import {
  type HvpCaseDocument,
  type HvpDocument,
  hvpDocument,
  type HvpProblem,
  hvpResult,
  parseHvpCase,
} from "../../src/conformance/hvp-format.js";
import type { HvpVectorFile, HvpVectorTest } from "../../src/conformance/hvp-vector-format.js";
import {
  generateHvpVectorFiles,
  hvpVectorBatches,
  hvpVectorDepths,
  hvpVectorFolder,
  hvpVectorMistakeNames,
} from "../../src/conformance/hvp-vectors.js";
import { compareHvpAnswers, matchingHvpMistake, mistakenHvpAnswer, verifyHvpVectors } from "../../src/conformance/hvp-verify.js";
import { schemaViolation } from "../../src/conformance/schemas.js";
import {
  type SecondOrderMistakeName,
  secondOrderMistakeNames,
  secondOrderMistakesThatDiffer,
} from "../../src/conformance/second-order-mistakes.js";
import type { Tolerance } from "../../src/conformance/tolerance.js";
import { vectorFamilies } from "../../src/conformance/vectors.js";
import { formatVerifyReport, type TestVerdict } from "../../src/conformance/verify-report.js";
import type { ParameterArrays } from "../../src/model/network.js";
import { secondOrder, type SecondOrderProducts } from "../../src/model/second-order.js";
import { added, matrixFromRows, scaled, transposed } from "../../src/numeric/tensor.js";
import { complexStepDerivatives } from "../../src/oracles/complex-gradient.js";
import { combineParameters, scaledParameters } from "../../src/oracles/parameter-directions.js";
import { shapedLike } from "../support/directions.js";
import { sampleOf, valuesOf } from "../support/parameters.js";
import { hvpAnswersOf, hvpVectorFiles, vectorFiles } from "../support/vectors.js";

const files = hvpVectorFiles.map(({ file }) => file);
const tests = files.flatMap((file) => file.testGroups.flatMap((group) => group.tests.map((test) => ({ file, group, test }))));
const valid = tests.filter(({ test }) => test.result === "valid");
const wrong = tests.filter(({ test }) => test.result === "wrong");
const flagged = (flag: string) => tests.filter(({ test }) => test.flags.includes(flag)).map(({ test }) => test);
const exactly: Tolerance = { relative: 0, absolute: 0 };

/** Every number of an answer's five quantities, in the order of the format. */
function numbersOf(answer: HvpDocument): number[] {
  const all = (value: unknown): number[] =>
    typeof value === "number"
      ? [value]
      : Array.isArray(value)
        ? value.flatMap(all)
        : value === null
          ? []
          : Object.values(value as object).flatMap(all);
  return [
    answer.loss,
    answer.directionalDerivative,
    ...all(answer.outputTangents),
    ...all(answer.hessianVectorProduct),
    ...all(answer.gaussNewtonVectorProduct),
  ];
}

/**
 * How much of the tolerance one answer uses against another: the largest
 * $\lvert g - e \rvert / (a + r \lvert e \rvert)$ over all their numbers, at most 1 when every
 * number passes.
 */
function toleranceUsed(given: HvpDocument, expected: HvpDocument, tolerance: Tolerance): number {
  const expectedNumbers = numbersOf(expected);
  return Math.max(
    ...numbersOf(given).map(
      (value, index) =>
        Math.abs(value - expectedNumbers[index]!) / (tolerance.absolute + tolerance.relative * Math.abs(expectedNumbers[index]!)),
    ),
  );
}

function sum(products: readonly ParameterArrays[]): ParameterArrays {
  return products.reduce((total, product) => combineParameters(total, product, (a, b) => a + b));
}

/** The five quantities summed in another order: sample by sample, each sample's products by the library, then their mean. */
function sampleBySample({ network, inputs, targets, direction, id }: HvpProblem): HvpDocument {
  const samples = inputs.shape[1]!;
  const each = Array.from({ length: samples }, (_, b) => secondOrder(network, sampleOf(inputs, b), sampleOf(targets, b), direction));
  const mean = (values: readonly number[]) => values.reduce((total, value) => total + value, 0) / samples;
  const products: SecondOrderProducts = {
    loss: mean(each.map((sample) => sample.loss)),
    directionalDerivative: mean(each.map((sample) => sample.directionalDerivative)),
    outputTangents: transposed(matrixFromRows(each.map((sample) => Array.from(sample.outputTangents.data)))),
    hessianVectorProduct: scaledParameters(sum(each.map((sample) => sample.hessianVectorProduct)), 1 / samples),
    gaussNewtonVectorProduct: scaledParameters(sum(each.map((sample) => sample.gaussNewtonVectorProduct)), 1 / samples),
  };
  return hvpDocument(products, id);
}

/** The five quantities summed in another order: $V = \sum_i v_i e_i$, and each product linear in $V$, so $HV = \sum_i v_i\, H e_i$. */
function entryByEntry(problem: HvpProblem): HvpDocument {
  const { network, inputs, targets, direction, id } = problem;
  const values = valuesOf(direction);
  const parts = values.flatMap((value, index) =>
    value === 0
      ? []
      : [
          {
            value,
            products: secondOrder(
              network,
              inputs,
              targets,
              shapedLike(
                direction,
                values.map((_, other) => (other === index ? 1 : 0)),
              ),
            ),
          },
        ],
  );
  if (parts.length === 0) return hvpResult(problem);
  return hvpDocument(
    {
      loss: parts[0]!.products.loss,
      directionalDerivative: parts.reduce((total, { value, products }) => total + value * products.directionalDerivative, 0),
      outputTangents: parts
        .map(({ value, products }) => scaled(products.outputTangents, value))
        .reduce((total, tangent) => added(total, tangent)),
      hessianVectorProduct: sum(parts.map(({ value, products }) => scaledParameters(products.hessianVectorProduct, value))),
      gaussNewtonVectorProduct: sum(parts.map(({ value, products }) => scaledParameters(products.gaussNewtonVectorProduct, value))),
    },
    id,
  );
}

/** $\dot E$, $JV$ and $HV$ by the complex step of the gradient, an algorithm that shares only the forward pass with the R-operator; $G V$ the reference's. */
function complexStep(problem: HvpProblem): HvpDocument {
  const { network, inputs, targets, direction, id } = problem;
  const reference = hvpResult(problem);
  const complex = complexStepDerivatives(network, inputs, targets, direction);
  return {
    ...hvpDocument({ ...complex, gaussNewtonVectorProduct: secondOrder(network, inputs, targets, direction).gaussNewtonVectorProduct }, id),
    loss: reference.loss,
  };
}

/** The case of an hvp case: every field but the direction. */
function withoutDirection(document: HvpCaseDocument): CaseDocument {
  return Object.fromEntries(Object.entries(document).filter(([field]) => field !== "direction")) as unknown as CaseDocument;
}

/**
 * Expects a failing verdict on a mistake's answer to name that mistake, or one before it in the
 * catalogue's order whose answer is, for this case and direction, the same within the
 * tolerance: for a single layer with squared error dropping $f''$ leaves exactly $G V$; along a
 * direction that moves only the first layer, the moving weights' term is zero and $G V$ is the
 * product without the moving inputs; in saturated units two products can agree in every
 * number above the absolute tolerance.
 */
function expectNamed(verdict: TestVerdict, mistake: SecondOrderMistakeName, problem: HvpProblem): void {
  expect(verdict.mistake, verdict.id).not.toBeNull();
  if (verdict.mistake === mistake) return;
  const named = verdict.mistake as SecondOrderMistakeName;
  expect(secondOrderMistakeNames.indexOf(named), verdict.id).toBeLessThan(secondOrderMistakeNames.indexOf(mistake));
  expect(compareHvpAnswers(mistakenHvpAnswer(mistake, problem), mistakenHvpAnswer(named, problem)), verdict.id).toBeNull();
}

function sameCase(file: HvpVectorFile, test: HvpVectorTest): HvpVectorTest {
  return file.testGroups.flatMap((group) => group.tests).find((candidate) => candidate.tcId === test.sameCaseAs)!;
}

describe("hvp vectors", () => {
  it("are exactly what npm run vectors generates: run it and commit the files when this fails", () => {
    const generated = generateHvpVectorFiles();
    expect(hvpVectorFiles.map(({ name }) => name).sort()).toEqual([...generated.keys()].sort());
    for (const { name, text } of hvpVectorFiles) expect(text, `spec/vectors/${hvpVectorFolder}/${name}`).toBe(generated.get(name));
  });

  it("obey the hvp-vectors@1 schema, and every case and answer in them its own schema", () => {
    for (const file of files) expect(schemaViolation("hvp-vectors", file), file.family).toBeNull();
    for (const { test } of tests) {
      expect(schemaViolation("hvp-case", test.case), test.id).toBeNull();
      expect(schemaViolation("hvp", test.expected), test.id).toBeNull();
    }
  });

  it("have headers that count their tests, ids unique across the first- and second-order files, and a note for every flag", () => {
    const ids = new Set(vectorFiles.flatMap(({ file }) => file.testGroups.flatMap((group) => group.tests.map((test) => test.id))));
    for (const file of files) {
      const own = tests.filter((entry) => entry.file === file);
      expect(file.numberOfTests).toBe(own.length);
      own.forEach(({ test }, index) => {
        expect(test.tcId).toBe(index + 1);
        expect(test.id).toBe(`hvp/${file.family}/${test.tcId}`);
        expect(test.case.id).toBe(test.id);
        expect(test.expected.id).toBe(test.id);
        expect(ids.has(test.id), test.id).toBe(false);
        ids.add(test.id);
        for (const flag of test.flags) expect(file.notes[flag], `${test.id} ${flag}`).toBeTypeOf("string");
      });
      expect(Object.keys(file.notes).sort()).toEqual([...new Set(own.flatMap(({ test }) => test.flags))].sort());
    }
  });

  it("cover every family, depths 1 to 3, batches 1 to 5, with and without biases, with directions of four decimals that fit their cases", () => {
    expect(files.map((file) => file.family).sort()).toEqual(vectorFamilies.map((family) => family.name).sort());
    for (const family of vectorFamilies) {
      const file = files.find((candidate) => candidate.family === family.name)!;
      expect(file.testGroups.map((group) => group.depth)).toEqual(hvpVectorDepths);
      for (const group of file.testGroups) {
        const batches = new Set(group.tests.filter((test) => test.flags.includes("Random")).map((test) => test.case.inputs.length));
        expect([...batches].sort(), `${family.name} depth ${group.depth}`).toEqual(hvpVectorBatches);
        for (const test of group.tests) {
          expect(test.case.weights.length, test.id).toBe(group.depth);
          expect(test.case.biases !== null, test.id).toBe(family.biases);
          expect(test.case.direction.biases !== null, test.id).toBe(family.biases);
          const entries = [...test.case.direction.weights.flat(2), ...(test.case.direction.biases ?? []).flat()];
          expect(
            entries.every(
              (entry) => Math.abs(entry) <= 1 && Number.isInteger(Math.round(entry * 1e4)) && Math.round(entry * 1e4) / 1e4 === entry,
            ),
          ).toBe(true);
        }
      }
    }
    const used = new Set(tests.flatMap(({ test }) => test.flags));
    for (const flag of [
      "Random",
      "ZeroDirection",
      "UnitDirection",
      "SaturatedUnits",
      "GaussNewtonIsHessian",
      "ActivationCurvatureDropped",
      "GaussNewtonAsHessian",
    ]) {
      expect(used.has(flag), flag).toBe(true);
    }
  });

  it("valid tests expect the library's answer to their case, number for number", () => {
    expect(valid.length).toBe(250);
    for (const { test } of valid) expect(compareHvpAnswers(test.expected, hvpResult(parseHvpCase(test.case)), exactly), test.id).toBeNull();
  });

  it("the tolerance passes other orders of summation and the complex step with a margin of a thousand, and fails every wrong test by a factor of a million", () => {
    // Sample by sample (at most 1e-5 of the tolerance when written), entry by entry of V (4e-4)
    // and the complex step of the gradient (2e-4): the relative part of 1e-9 is left to spare
    // by three orders of magnitude for sums of many more terms than a gradient's entries.
    for (const { group, test } of valid) {
      const problem = parseHvpCase(test.case);
      for (const [what, other] of [
        ["sample by sample", sampleBySample],
        ["entry by entry of V", entryByEntry],
        ["the complex step", complexStep],
      ] as const) {
        expect(toleranceUsed(other(problem), test.expected, group.tolerance), `${test.id}, ${what}`).toBeLessThan(1e-3);
      }
    }
    // Every mistaken product is outside the tolerance by 7e7 or more when written.
    for (const { file, group, test } of wrong) {
      expect(toleranceUsed(test.expected, sameCase(file, test).expected, group.tolerance), test.id).toBeGreaterThan(1e6);
    }
  });

  it("wrong tests expect their mistake's answer, which differs from the valid test of the same case in the Hessian-vector product alone, and is named as that mistake", () => {
    expect(wrong.length).toBe(191);
    const mistakes = new Set(wrong.map(({ test }) => test.mistake));
    expect([...mistakes].sort()).toEqual([...hvpVectorMistakeNames].sort());
    for (const { file, group, test } of wrong) {
      const problem = parseHvpCase(test.case);
      const same = sameCase(file, test);
      expect(same.result).toBe("valid");
      expect({ ...same.case, id: test.id }).toEqual(test.case);
      expect(secondOrderMistakesThatDiffer(problem.network)).toContain(test.mistake);
      expect(compareHvpAnswers(test.expected, mistakenHvpAnswer(test.mistake!, problem), exactly), test.id).toBeNull();
      expect({ ...test.expected, id: same.id, hessianVectorProduct: same.expected.hessianVectorProduct }).toEqual(same.expected);
      expect(compareHvpAnswers(test.expected, same.expected, group.tolerance)?.quantity, test.id).toMatch(/^hessianVectorProduct\./);
      expect(matchingHvpMistake(problem, test.expected, group.tolerance), test.id).toBe(test.mistake);
    }
  });

  it("edge cases are what their flags say: a direction of zeros, along one weight, saturated units, a single layer where G = H", () => {
    expect(flagged("ZeroDirection").length).toBe(18);
    for (const test of flagged("ZeroDirection")) {
      expect(
        numbersOf(test.expected)
          .slice(1)
          .every((value) => value === 0),
        test.id,
      ).toBe(true);
    }
    expect(flagged("UnitDirection").length).toBe(36);
    for (const test of flagged("UnitDirection")) {
      const entries = [...test.case.direction.weights.flat(2), ...(test.case.direction.biases ?? []).flat()];
      expect(
        entries.filter((entry) => entry !== 0),
        test.id,
      ).toEqual([1]);
      // Ė along a unit direction is that weight's gradient, by backpropagation.
      const [layer, row, column] = test.comment
        .match(/weights\[(\d+)\]\[(\d+)\]\[(\d+)\]/)!
        .slice(1)
        .map(Number) as [number, number, number];
      expect(test.case.direction.weights[layer]![row]![column]).toBe(1);
      const gradient = caseResult(parseCase(withoutDirection(test.case))).gradients.weights[layer]![row]![column]!;
      expect(Math.abs(test.expected.directionalDerivative - gradient)).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(gradient));
    }
    expect(flagged("SaturatedUnits").length).toBe(24);
    for (const test of flagged("SaturatedUnits")) {
      expect(
        test.case.weights.flat(2).every((weight) => Math.abs(weight) >= 10 && Math.abs(weight) <= 40),
        test.id,
      ).toBe(true);
    }
    expect(flagged("GaussNewtonIsHessian").length).toBe(10);
    for (const test of flagged("GaussNewtonIsHessian")) {
      expect(test.case.weights.length).toBe(1);
      const asHessian = { ...test.expected, hessianVectorProduct: test.expected.gaussNewtonVectorProduct };
      expect(toleranceUsed(asHessian, test.expected, { relative: 1e-9, absolute: 1e-12 }), test.id).toBeLessThan(1e-3);
    }
  });
});

describe("verify on the hvp vectors", () => {
  it("passes the reference implementation on every test of every hvp vector file", () => {
    for (const { name, file } of hvpVectorFiles) {
      const report = verifyHvpVectors(
        file,
        hvpAnswersOf(file, (test) => hvpResult(parseHvpCase(test.case))),
      );
      expect(
        report.verdicts.filter((verdict) => !verdict.passed),
        name,
      ).toEqual([]);
      expect(report.verdicts.length).toBe(file.numberOfTests);
    }
  });

  it.each(hvpVectorMistakeNames)("catches the known mistake %s on every test it changes, and names it", (mistake) => {
    let caught = 0;
    for (const { file } of hvpVectorFiles) {
      const report = verifyHvpVectors(
        file,
        hvpAnswersOf(file, (test) => {
          const problem = parseHvpCase(test.case);
          return secondOrderMistakesThatDiffer(problem.network).includes(mistake)
            ? mistakenHvpAnswer(mistake, problem)
            : hvpResult(problem);
        }),
      );
      const all = file.testGroups.flatMap((group) => group.tests);
      for (const test of all.filter((candidate) => candidate.mistake === mistake)) {
        const verdict = report.verdicts.find((candidate) => candidate.id === test.id)!;
        expect(verdict.passed, test.id).toBe(false);
        expect(verdict.mistake, test.id).toBe(mistake);
      }
      for (const verdict of report.verdicts.filter((candidate) => !candidate.passed)) {
        expectNamed(verdict, mistake, parseHvpCase(all.find((test) => test.id === verdict.id)!.case));
        expect(verdict.difference?.quantity, verdict.id).toMatch(/^hessianVectorProduct\./);
        caught += 1;
      }
    }
    expect(caught).toBeGreaterThan(30);
  });

  it("names an answer that gives the Gauss-Newton product as the Hessian-vector product, and passes it only where G = H", () => {
    const file = hvpVectorFiles.find(({ name }) => name === "tanh-squared_error-biases.json")!.file;
    const report = verifyHvpVectors(
      file,
      hvpAnswersOf(file, (test) => {
        const answer = hvpResult(parseHvpCase(test.case));
        return { ...answer, hessianVectorProduct: answer.gaussNewtonVectorProduct };
      }),
    );
    const failed = report.verdicts.filter((verdict) => !verdict.passed);
    const deep = file.testGroups.filter((group) => group.depth > 1).flatMap((group) => group.tests);
    const zero = deep.filter((test) => test.flags.includes("ZeroDirection")).map((test) => test.id);
    expect(failed.map((verdict) => verdict.id).filter((id) => deep.some((test) => test.id === id))).toEqual(
      deep.map((test) => test.id).filter((id) => !zero.includes(id)),
    );
    for (const verdict of failed)
      expectNamed(verdict, "gauss-newton-as-hessian", parseHvpCase(tests.find(({ test }) => test.id === verdict.id)!.test.case));
    expect(failed.filter((verdict) => verdict.mistake === "gauss-newton-as-hessian").length).toBeGreaterThan(failed.length / 2);
    expect(formatVerifyReport(report)).toMatch(
      /\n {4}matches the known mistake gauss-newton-as-hessian: the Gauss-Newton product G V is reported as the Hessian-vector product H V\n/,
    );
  });
});
