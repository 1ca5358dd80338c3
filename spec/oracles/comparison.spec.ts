import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareGradients,
  defaultFloor,
  firstParameterDifference,
  type NumericGradients,
  relativeError,
} from "../../src/oracles/comparison.js";
import { cloneNetwork, type ParameterArrays } from "../../src/model/network.js";
import { ShapeError } from "../../src/numeric/errors.js";
import { backpropagate } from "../../src/model/backprop.js";
import { defaultRelativeStep, numericGradients } from "../../src/oracles/finite-differences.js";
import { exampleWithBiases } from "../support/fixtures.js";
import { copyMatrix, type Matrix, matrixFromRows, transposed, zeros } from "../../src/numeric/tensor.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { numRuns } from "../support/arbitraries.js";

/** The gradients of the worked example with biases, by backpropagation and by central differences, made afresh for each call. */
function analytic() {
  const { network, inputs, targets } = exampleWithBiases();
  return backpropagate(network, inputs, targets).gradients;
}
function numeric() {
  const { network, inputs, targets } = exampleWithBiases();
  return numericGradients(network, inputs, targets);
}

describe("the comparison", () => {
  it("the relative error divides by the largest of |a|, |n| and the floor: symmetric, 0 exactly for equal values (even with a zero floor), and an absolute error over the floor when both values are tiny", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, n) => {
        expect(relativeError(a, n, 1e-3)).toBe(relativeError(n, a, 1e-3));
        expect(relativeError(a, a, 1e-3)).toBe(0);
      }),
      { numRuns },
    );
    expect(relativeError(2e-9, 1e-9, 1e-3)).toBeCloseTo(1e-6, 20);
    expect(relativeError(2, 1, 1e-3)).toBe(0.5);
    expect(defaultRelativeStep).toBeCloseTo(6.055454e-6, 11);
    expect(defaultFloor(0.2)).toBe(1e-3);
    expect(defaultFloor(-50)).toBeCloseTo(5e-2, 15);
    expect(relativeError(1, 1, 1e-3)).toBe(0);
    expect(relativeError(2, 1, 1e-3)).toBe(0.5);
    expect(relativeError(-1, -2, 1e-3)).toBe(0.5);
    expect(relativeError(1e-6, 2e-6, 1e-3)).toBeCloseTo(1e-3, 15);
    expect(relativeError(0, -4, 1)).toBe(1);
  });

  it("the floor is 1e-3 max(1, |E|)", () => {
    expect(defaultFloor(0)).toBe(1e-3);
    expect(defaultFloor(0.5)).toBe(1e-3);
    expect(defaultFloor(-5)).toBe(5e-3);
    expect(defaultFloor(2000)).toBe(2);
  });

  it("refuses to compare gradients of different shapes, or with biases on one side only, naming which side lacks them", () => {
    const { network, inputs, targets } = parseCase({ ...workedExampleCase, biases: [[0, 0], [0]] });
    const withBiases = backpropagate(network, inputs, targets).gradients;
    const without = { weights: withBiases.weights, biases: null };
    const oracle = (gradients: ParameterArrays): NumericGradients => ({
      method: "central",
      gradients,
      estimatedErrors: null,
      kinkCrossed: [],
      relativeStep: defaultRelativeStep,
    });
    expect(() => compareGradients(without, oracle(withBiases))).toThrow(ShapeError);
    expect(() => compareGradients(without, oracle(withBiases))).toThrow(
      "one set of gradients has biases and the other has none (analytic: none, numeric: biases)",
    );
    expect(() => compareGradients({ weights: withBiases.weights.slice(0, 1), biases: null }, oracle(without))).toThrow(
      "the gradients to compare have 1 and 2 weight layers; expected the same number, at least 1",
    );
    expect(() => compareGradients({ weights: [], biases: null }, oracle({ weights: [], biases: null }))).toThrow(ShapeError);
    const transposedFirst = { weights: [transposed(withBiases.weights[0]!.hi(2, 1)), withBiases.weights[1]!], biases: null };
    expect(() => compareGradients(transposedFirst, oracle(without))).toThrow("weights[0] of the gradients to compare are 1×2 and 2×2");

    // The worked example with biases, its gradients against central differences.
    const gradients = analytic();
    const central = numeric();
    expect(compareGradients(gradients, central).passed).toBe(true);
    expect(() => compareGradients({ ...gradients, biases: null }, central)).toThrow(ShapeError);
    expect(() => compareGradients(gradients, { ...central, gradients: { ...central.gradients, biases: null } })).toThrow(ShapeError);
    const shortBias = { ...gradients, biases: [gradients.biases![0]!, zeros(2, 1).pick(null, 0)] };
    expect(() => compareGradients(shortBias as typeof gradients, central)).toThrow(
      /biases\[1\] of the gradients to compare have 2 and 1 entries/,
    );
    expect(() => compareGradients({ ...gradients, biases: null }, central)).toThrow(
      new ShapeError("one set of gradients has biases and the other has none (analytic: none, numeric: biases)"),
    );
    expect(() => compareGradients(gradients, { ...central, gradients: { ...central.gradients, biases: null } })).toThrow(
      new ShapeError("one set of gradients has biases and the other has none (analytic: biases, numeric: none)"),
    );
  });

  it("a bias vector missing from either side's list is a ShapeError naming the layer and the side, not a TypeError", () => {
    const { network, inputs, targets } = exampleWithBiases();
    const analytic = backpropagate(network, inputs, targets).gradients;
    const numeric = numericGradients(network, inputs, targets);
    const firstOnly = (gradients: ParameterArrays): ParameterArrays => ({
      weights: gradients.weights,
      biases: gradients.biases!.slice(0, 1),
    });
    const shortNumeric: NumericGradients = { ...numeric, gradients: firstOnly(numeric.gradients) };
    const expected = (side: string, analyticCount: number, numericCount: number) =>
      new ShapeError(
        `biases[1] of the gradients to compare is missing on ${side}: expected one bias vector per weight layer, 2, got ${analyticCount} (analytic) and ${numericCount} (numeric)`,
      );
    expect(() => compareGradients(firstOnly(analytic), numeric)).toThrow(expected("the analytic side", 1, 2));
    expect(() => compareGradients(analytic, shortNumeric)).toThrow(expected("the numeric side", 2, 1));
    expect(() => compareGradients(firstOnly(analytic), shortNumeric)).toThrow(expected("both sides", 1, 1));
    // Negative control: the full lists compare.
    expect(compareGradients(analytic, numeric).passed).toBe(true);
  });

  it("lists the worst entries NaN first, in the order of the entries, then the finite relative errors from the largest down, wherever the NaN entries sit", () => {
    // Relative errors against a numeric 1: 0.2, NaN, 0.75, 0.5, 0.1/1.1, NaN. The last NaN comes
    // after the largest finite error, and the first after a finite one, so neither the entries'
    // own order nor a sort that leaves a NaN where it found it gives this ranking.
    const analytic = { weights: [matrixFromRows([[1.25, NaN, 4, 2, 1.1, NaN]])], biases: null };
    const oracle: NumericGradients = {
      method: "central",
      gradients: { weights: [matrixFromRows([[1, 1, 1, 1, 1, 1]])], biases: null },
      estimatedErrors: null,
      kinkCrossed: [],
      relativeStep: defaultRelativeStep,
    };
    const report = compareGradients(analytic, oracle, { floor: 1e-3 });
    expect(report.worstEntries.map((entry) => entry.column)).toEqual([1, 5, 2, 3, 0]);
    expect(report.worst!.column).toBe(1);
    expect(report.maxRelativeError).toBeNaN();
    expect(report.passed).toBe(false);
  });

  it("passes an entry exactly at the tolerance, keeps the first of tied worst entries, and puts NaN first", () => {
    const oracle = numeric();
    const report = compareGradients(analytic(), oracle, { floor: 1e-3 });
    expect(compareGradients(analytic(), oracle, { floor: 1e-3, tolerance: report.maxRelativeError }).passed).toBe(true);
    const exact = compareGradients(oracle.gradients, oracle, { floor: 1e-3 });
    expect(exact.layers.map((layer) => [layer.worst!.row, layer.worst!.column])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const broken = analytic();
    broken.weights[1]!.set(0, 1, NaN);
    const withNaN = compareGradients(broken, oracle, { floor: 1e-3 });
    expect(withNaN.passed).toBe(false);
    expect(Number.isNaN(withNaN.worst!.analytic)).toBe(true);
    expect([withNaN.worst!.layer, withNaN.worst!.row, withNaN.worst!.column]).toEqual([2, 0, 1]);
  });

  it("the first difference between two sets of parameter arrays names the entry, both values and the relative error; a tolerance of 0 asks for the same bits; arrays of other sizes or layouts are named as such", () => {
    const reference = exampleWithBiases().network;
    const copy = (change: (parameters: ParameterArrays) => void): ParameterArrays => {
      const parameters = cloneNetwork(reference);
      change(parameters);
      return parameters;
    };
    expect(
      firstParameterDifference(
        reference,
        copy(() => undefined),
        0,
        0,
      ),
    ).toBeNull();
    const original = reference.weights[1]!.get(0, 1);
    const nudged = copy((parameters) => parameters.weights[1]!.set(0, 1, original * (1 + 1e-6)));
    const error = relativeError(nudged.weights[1]!.get(0, 1), original, 1e-12);
    expect(firstParameterDifference(nudged, reference, 1e-9, 1e-12)).toBe(
      `weights[1][0][1] is ${nudged.weights[1]!.get(0, 1)}, expected ${original} (relative error ${error.toExponential(2)}, tolerance 1e-9)`,
    );
    expect(firstParameterDifference(nudged, reference, error, 1e-12)).toBeNull();
    expect(firstParameterDifference(nudged, reference, error / 2, 1e-12)).not.toBeNull();
    expect(firstParameterDifference(nudged, reference, 0, 0)).toMatch(/^weights\[1\]\[0\]\[1\] is /);
    const signed = copy((parameters) => parameters.biases![1]!.set(0, -0));
    const unsigned = copy((parameters) => parameters.biases![1]!.set(0, 0));
    expect(firstParameterDifference(signed, unsigned, 0, 0)).toBe("biases[1][0] is 0, expected 0 (relative error 0.00e+0, tolerance 0)");
    expect(firstParameterDifference(signed, unsigned, 1e-9, 1e-12)).toBeNull();
    expect(firstParameterDifference({ weights: reference.weights.slice(0, 1), biases: null }, reference, 1e-9, 1e-12)).toBe(
      "4 entries, expected 9",
    );
    const flipped = { weights: [zeros(1, 2)], biases: null };
    expect(firstParameterDifference(flipped, { weights: [zeros(2, 1)], biases: null }, 1e-9, 1e-12)).toBe(
      "weights[0][0][1] where weights[0][1][0] was expected",
    );
  });

  it("an entry on which the oracle overflowed is not judged: the check is inconclusive if nothing else fails, and still fails on a wrong entry", () => {
    const gradients = analytic();
    const oracle = numeric();
    const overflowed: NumericGradients = {
      ...oracle,
      gradients: {
        ...oracle.gradients,
        weights: oracle.gradients.weights.map((layer, l) => (l === 0 ? withEntry(layer, Infinity) : layer)),
      },
    };
    const report = compareGradients(gradients, overflowed);
    expect(report).toMatchObject({ verdict: "inconclusive", passed: true, oracleOverflows: 1 });
    expect(report.entries[0]).toMatchObject({ oracleOverflowed: true, numeric: Infinity });
    expect(report.worst?.oracleOverflowed).toBe(false);
    // The negative control: a wrong entry elsewhere fails the check, overflow or not.
    const wrong = {
      ...gradients,
      weights: gradients.weights.map((layer, l) => (l === 1 ? withEntry(layer, layer.get(0, 0) * 1.01) : layer)),
    };
    expect(compareGradients(wrong, overflowed)).toMatchObject({ verdict: "failed", passed: false, oracleOverflows: 1 });
    expect(compareGradients(gradients, oracle)).toMatchObject({ verdict: "passed", passed: true, oracleOverflows: 0 });
  });
});

/** A copy of a matrix with its entry [0][0] set to `value`. */
function withEntry(matrix: Matrix, value: number): Matrix {
  const copy = copyMatrix(matrix);
  copy.set(0, 0, value);
  return copy;
}
