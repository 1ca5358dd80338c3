/**
 * The float32 allowances of `fuzz --precision float32`: float32 arithmetic in any summation
 * order and either form of the slopes stays within them, and every known mistake, computed and
 * then rounded to float32, does not; the float64 tolerance, by contrast, refuses float32.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzCaseDocument } from "../../src/conformance/fuzz-case-arbitrary.js";
import { caseResult, parseCase, type CaseDocument } from "../../src/conformance/case-format.js";
import { float32Step } from "../../src/conformance/float32-step.js";
import { float32Allowances, float32Roundoff, float32Safety } from "../../src/conformance/float32-tolerance.js";
import { fuzzImplementation } from "../../src/conformance/fuzz.js";
import { mistakeApplies, type MistakeName, mistakeNames, mistakenResult, weightDecayMistakeNames } from "../../src/conformance/mistakes.js";
import { compareResults } from "../../src/conformance/verify.js";
import { numRuns } from "../support/arbitraries.js";
import { oneUnitCase } from "../support/fixtures.js";

/** Every number of a JSON value rounded to float32, as a float32 implementation would write it. */
function roundedToFloat32(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, entry: unknown) => (typeof entry === "number" ? Math.fround(entry) : entry)) as unknown;
}

describe("float32 allowances", () => {
  it("hold float32 arithmetic in an order they were not read from (pairwise) with either form of the slopes, and the reference rounded to float32", () => {
    fc.assert(
      fc.property(fuzzCaseDocument(), (document) => {
        const reference = caseResult(parseCase(document));
        const allowances = float32Allowances(document, reference);
        for (const answer of [
          float32Step(document, "pairwise", "usual"),
          float32Step(document, "pairwise", "stable"),
          roundedToFloat32(reference),
        ]) {
          expect(compareResults(answer, reference, { allowances })).toBeNull();
        }
      }),
      { numRuns },
    );
  });

  it("hold every pair of order and slope form on the case CI found: ascending sums with the usual slopes, 1.2 times beyond the allowance of two emulations", () => {
    // Drawn by the property above when the allowances came from two emulations of the four:
    // there the ascending order with o(1 - o) and 1 - o² landed 7.2e-11 from gradients.weights[1][3][4], where the allowance was 5.8e-11.
    const document = {
      format: "backprop-ref/case@1",
      sizes: [1, 7, 4, 1, 1],
      activations: ["softplus", "relu", "tanh", "sigmoid"],
      loss: "squared_error",
      weights: [
        [[-0.17], [-0.34], [0.76], [0], [-1.32], [-1.17], [-0.01]],
        [
          [0, 0, 0, 0, 0, 0, 0],
          [0, 0, 0, 0, 0, 0, 0],
          [-0.04, 1.5, -0.01, -0.91, 1.1, 0.71, -0.06],
          [1.46, 1.45, 0.96, -0.36, -0.04, 0, 0.04],
        ],
        [[0, 0, 0.06, -1.5]],
        [[-0.01]],
      ],
      biases: [[1.4921911358833315, -1.49, 0.05, -1.14, 1.01, 0.43, 0.42], [0.01, -0.01, -0.24, -0.13], [1.44], [0.1]],
      inputs: [[-0.03], [0], [0.44]],
      targets: [[0], [0.15], [0]],
      learningRate: 0,
    } as unknown as CaseDocument;
    const reference = caseResult(parseCase(document));
    const allowances = float32Allowances(document, reference);
    for (const order of ["ascending", "descending", "pairwise"] as const) {
      for (const slopes of ["stable", "usual"] as const) {
        expect(compareResults(float32Step(document, order, slopes), reference, { allowances }), `${order}, ${slopes}`).toBeNull();
      }
    }
  });

  it("are at least S·u of each number, and grow with the spread of the emulations", () => {
    const document = oneUnitCase({ weights: [[[0.1]]], inputs: [[3]], learningRate: 0.5 });
    const reference = caseResult(parseCase(document));
    const allowances = float32Allowances(document, reference);
    // One number in its own block: u |e| and u m are the same, so the floor is 2 S u |e|, plus the spread.
    const spread = Math.abs(Math.fround(Math.fround(0.1) * 3) - reference.outputs[0]![0]!);
    expect(allowances.outputs[0]![0]).toBeCloseTo(float32Safety * (spread + 2 * float32Roundoff * Math.abs(reference.outputs[0]![0]!)), 20);
    expect(allowances.loss).toBeGreaterThanOrEqual(2 * float32Safety * float32Roundoff * reference.loss);
  });

  it("pass a float32 implementation that the float64 tolerance fails", async () => {
    const float32 = (document: CaseDocument): unknown => float32Step(document, "descending", "usual");
    expect((await fuzzImplementation(float32, { seed: 1, precision: "float32" })).passed).toBe(true);
    const strict = await fuzzImplementation(float32, { seed: 1 });
    expect(strict.passed).toBe(false);
    expect(strict.counterexample!.verdict.reason).toBe("difference");
  });

  // The fuzzer sends case@1 documents, without weight decay: the mistakes of the weight decay cannot show.
  it.each(mistakeNames.filter((name) => !(weightDecayMistakeNames as readonly string[]).includes(name)))(
    "catch and name %s in float32",
    async (mistake: MistakeName) => {
      const making = (document: CaseDocument): unknown => {
        const problem = parseCase(document);
        return roundedToFloat32(
          mistakeApplies(mistake, problem) ? { ...mistakenResult(mistake, problem), id: document.id } : caseResult(problem),
        );
      };
      const report = await fuzzImplementation(making, { seed: 2, precision: "float32" });
      expect(report.passed).toBe(false);
      expect(report.counterexample!.verdict.mistake).toBe(mistake);
      expect(report.precision).toBe("float32");
    },
  );
});
