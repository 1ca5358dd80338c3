import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { backpropagate } from "../../src/model/backprop.js";
import { forward, networkLoss } from "../../src/model/forward.js";
import type { ParameterArrays } from "../../src/model/network.js";
import { ShapeError } from "../../src/numeric/errors.js";
import { matrixFromRows, scaled, transposed } from "../../src/numeric/tensor.js";
import { compareGradients, defaultFloor, type NumericGradients, relativeError } from "../../src/oracles/comparison.js";
import { defaultRelativeStep, numericGradients } from "../../src/oracles/finite-differences.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { kinkBranches, kinkDistance, kinkMargin } from "../../src/oracles/kinks.js";
import { describeEntry, entryPosition, formatReport, summaryLine, table } from "../../src/oracles/report.js";
import { caseDocument, numRuns } from "../support/arbitraries.js";
import { entriesOf, largestMagnitude } from "../support/parameters.js";

/**
 * A 1-2-1 network whose first hidden relu unit sits near its kink: with the input 1 and the
 * weight 1 its preactivation is $1 + b$, so the bias sets how far from the kink and on which side.
 */
function reluNearItsKink(bias: number) {
  return parseCase({
    format: "backprop-ref/case@1",
    sizes: [1, 2, 1],
    activations: ["relu", "identity"],
    loss: "squared_error",
    weights: [[[1], [0.5]], [[1, 1]]],
    biases: [[bias, 0.1], [0]],
    inputs: [[1]],
    targets: [[2]],
    learningRate: 0.1,
  });
}

describe("gradient check", () => {
  it("rejects a backprop that drops f′ in the hidden layers, for every sigmoid network whose hidden-layer gradients are above the floor", () => {
    const deepSigmoid = caseDocument({ depth: { min: 2, max: 4 }, hidden: ["sigmoid"] });
    fc.assert(
      fc.property(deepSigmoid, (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        const lower: ParameterArrays = {
          weights: correct.weights.slice(0, -1),
          biases: correct.biases?.slice(0, -1) ?? null,
        };
        // Sigmoid's f′ is at most 1/4, so dropping it multiplies each hidden delta by at least
        // 4; the check can see that wherever a lower-layer gradient exceeds its noise floor.
        fc.pre(largestMagnitude(lower) > 10 * defaultFloor(networkLoss(network, inputs, targets)));
        const report = checkGradients(network, inputs, targets, mistakenGradients("missing-derivative", network, inputs, targets));
        expect(report.passed).toBe(false);
        expect(report.worst!.layer).toBeLessThan(network.weights.length);
      }),
      { numRuns },
    );
  });

  it("rejects a backprop that sums the batch instead of averaging it, whenever B > 1 and some gradient is above the floor", () => {
    fc.assert(
      fc.property(caseDocument({ batch: { min: 2, max: 5 } }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        fc.pre(largestMagnitude(correct) > 10 * defaultFloor(networkLoss(network, inputs, targets)));
        expect(checkGradients(network, inputs, targets, mistakenGradients("batch-sum", network, inputs, targets)).passed).toBe(false);
      }),
      { numRuns },
    );
  });

  it("numeric gradients approach the analytic ones as the step shrinks from 1e-2 to 1e-5, as a central difference's h² truncation error predicts", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [3, 4, 2],
      activations: ["tanh", "sigmoid"],
      loss: "binary_cross_entropy",
      weights: [
        [
          [0.3, -0.8, 0.5],
          [1.1, 0.2, -0.4],
          [-0.7, 0.9, 0.6],
          [0.05, -0.3, 1.2],
        ],
        [
          [0.4, -1.0, 0.7, 0.2],
          [-0.6, 0.8, -0.1, 0.9],
        ],
      ],
      biases: [
        [0.1, -0.2, 0.3, 0],
        [0.2, -0.1],
      ],
      inputs: [
        [0.5, -1.5, 2],
        [1, 0.25, -0.75],
      ],
      targets: [
        [1, 0],
        [0.3, 0.8],
      ],
      learningRate: 0.1,
    });
    const analytic = backpropagate(network, inputs, targets).gradients;
    const worstErrors = [1e-2, 1e-3, 1e-4, 1e-5].map(
      (relativeStep) => compareGradients(analytic, numericGradients(network, inputs, targets, { relativeStep }), { floor: 1e-3 }).maxRelativeError,
    );
    // Each tenfold smaller step divides the h² error by about 100 until round-off takes over.
    expect(worstErrors[1]! / worstErrors[0]!).toBeLessThan(0.02);
    expect(worstErrors[2]! / worstErrors[1]!).toBeLessThan(0.02);
    expect(worstErrors[3]!).toBeLessThan(1e-8);
    expect(checkGradients(network, inputs, targets).maxRelativeError).toBeLessThan(1e-8);
  });

  it("reports the worst entry with its layer, position, both values and the relative error", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [2, 3, 1],
      activations: ["sigmoid", "identity"],
      loss: "squared_error",
      weights: [
        [
          [0.5, -0.4],
          [0.3, 0.8],
          [-0.6, 0.1],
        ],
        [[0.7, -0.2, 0.9]],
      ],
      biases: [[0.1, 0.2, -0.1], [0.05]],
      inputs: [[1, -1]],
      targets: [[0.5]],
      learningRate: 0.5,
    });
    const correct = backpropagate(network, inputs, targets).gradients;
    const tampered = { weights: correct.weights.map((matrix) => scaled(matrix, 1)), biases: correct.biases };
    tampered.weights[0]!.set(2, 1, tampered.weights[0]!.get(2, 1) + 0.01);
    const report = checkGradients(network, inputs, targets, tampered);
    expect(report.passed).toBe(false);
    expect(report.worst!).toMatchObject({ layer: 1, parameter: "weights", row: 2, column: 1 });
    expect(report.worst!.analytic).toBe(tampered.weights[0]!.get(2, 1));
    expect(report.worst!.relativeError).toBeGreaterThan(0.01);
    expect(describeEntry(report.worst!)).toMatch(/^layer 1 weights\[0\]\[2\]\[1\]: analytic -?[0-9.e-]+, numeric -?[0-9.e-]+, absolute error [0-9.e+-]+, relative error [0-9.e+-]+$/);
    const formatted = formatReport(report);
    expect(formatted).toContain("FAILED: layer 1 weights[0][2][1]");
    expect(formatted.split("\n").filter((line) => /^[12] +(weights|biases)/.test(line))).toHaveLength(4);
    expect(report.entries).toHaveLength(entriesOf(correct).length);
    expect(formatReport(checkGradients(network, inputs, targets))).toMatch(/passed: worst relative error .* ≤ tolerance 1e-6/);
  });

  it("the relative error is symmetric, zero for equal values, and an absolute error over the floor when both values are tiny", () => {
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
  });

  it("refuses to compare gradients of different shapes, or with biases on one side only", () => {
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
    expect(() => compareGradients(without, oracle(withBiases))).toThrow("one set of gradients has biases and the other has none (analytic: none, numeric: biases)");
    expect(() => compareGradients({ weights: withBiases.weights.slice(0, 1), biases: null }, oracle(without))).toThrow(
      "the gradients to compare have 1 and 2 weight layers; expected the same number, at least 1",
    );
    expect(() => compareGradients({ weights: [], biases: null }, oracle({ weights: [], biases: null }))).toThrow(ShapeError);
    const transposedFirst = { weights: [transposed(withBiases.weights[0]!.hi(2, 1)), withBiases.weights[1]!], biases: null };
    expect(() => compareGradients(transposedFirst, oracle(without))).toThrow("weights[0] of the gradients to compare are 1×2 and 2×2");
  });

  it("a bias vector missing from either side's list is a ShapeError naming the layer and the side, not a TypeError", () => {
    const { network, inputs, targets } = parseCase({ ...workedExampleCase, biases: [[0.1, -0.1], [0.2]] });
    const analytic = backpropagate(network, inputs, targets).gradients;
    const numeric = numericGradients(network, inputs, targets);
    const firstOnly = (gradients: ParameterArrays): ParameterArrays => ({ weights: gradients.weights, biases: gradients.biases!.slice(0, 1) });
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

  it("reports how close relu preactivations come to the kink, and warns inside the margin", () => {
    const relu = (bias: number) =>
      parseCase({ ...workedExampleCase, activations: ["relu", "sigmoid"], biases: [[bias, 0], [0]], inputs: [[0, 0]], targets: [[1]] });
    const zeroBias = relu(0.5);
    expect(kinkDistance(zeroBias.network, zeroBias.inputs)).toBe(0);
    const near = relu(1e-5);
    const report = checkGradients(near.network, near.inputs, near.targets);
    expect(report.kinkDistance).toBe(0);
    expect(formatReport(report)).toContain("warning: a relu/leaky_relu preactivation lies 0.00e+0 from its kink at 0");
    const clear = parseCase({ ...workedExampleCase, activations: ["leaky_relu", "sigmoid"], biases: [[0.5, -0.25], [0]], inputs: [[0, 0]], targets: [[1]] });
    const clearReport = checkGradients(clear.network, clear.inputs, clear.targets);
    expect(clearReport.kinkDistance).toBe(0.25);
    expect(clearReport.kinkDistance).toBeGreaterThan(kinkMargin);
    expect(formatReport(clearReport)).toContain("relu/leaky_relu preactivations keep at least 2.50e-1 from the kink at 0");
    expect(checkGradients(clear.network, clear.inputs, clear.targets).passed).toBe(true);
    const sigmoidOnly = parseCase(workedExampleCase);
    expect(checkGradients(sigmoidOnly.network, sigmoidOnly.inputs, sigmoidOnly.targets).kinkDistance).toBe(Infinity);
  });

  it("Richardson extrapolation agrees with backpropagation to 1e-7 on every entry, for every activation, loss, depth, width, batch and bias setting", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const report = checkGradients(network, inputs, targets, undefined, { method: "richardson" });
        if (!report.passed) throw new Error(`Richardson disagrees at ${describeEntry(report.worst!)}, tolerance 1e-7`);
        worst = Math.max(worst, report.maxRelativeError);
      }),
      { numRuns },
    );
    console.log(`Richardson: worst relative error ${worst.toExponential(2)} (tolerance 1e-7)`);
  });

  it("Richardson extrapolation rejects a backprop that drops f′ in the hidden layers (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 2, max: 4 }, hidden: ["sigmoid"] }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        fc.pre(largestMagnitude({ weights: correct.weights.slice(0, -1), biases: null }) > 10 * defaultFloor(networkLoss(network, inputs, targets)));
        expect(checkGradients(network, inputs, targets, mistakenGradients("missing-derivative", network, inputs, targets), { method: "richardson" }).passed).toBe(false);
      }),
      { numRuns },
    );
  });

  it("marks an entry whose step crosses a relu kink as 'kink crossed' instead of failing it", () => {
    // The first hidden unit sits 1e-7 above its kink; a central step of 6e-6 on its bias, or on
    // the weight from the input of 1, moves it to the other side.
    const { network, inputs, targets } = reluNearItsKink(-0.9999999);
    const report = checkGradients(network, inputs, targets);
    const crossed = report.entries.filter((entry) => entry.kinkCrossed).map(entryPosition);
    expect(crossed).toEqual(expect.arrayContaining(["weights[0][0][0]", "biases[0][0]"]));
    expect(report.kinkCrossings).toBe(crossed.length);
    expect(report.passed).toBe(true);
    const bias = report.entries.find((entry) => entryPosition(entry) === "biases[0][0]")!;
    // Half of each slope: the difference straddles the kink and would have failed.
    expect(bias.relativeError).toBeGreaterThan(0.1);
    expect(describeEntry(bias)).toMatch(/kink crossed$/);
    expect(formatReport(report)).toContain(`${crossed.length} entries crossed a kink and were not judged`);
    expect(checkGradients(network, inputs, targets, undefined, { method: "complex-step" }).kinkCrossings).toBe(0);
  });

  it("marks an entry 'kink crossed' when any step crosses, the upward one too: a relu unit 1e-7 below its kink", () => {
    // z = w + b = −1e-7: the step up on the weight or the bias crosses to z > 0, the step down,
    // evaluated last, stays below. Each oracle must remember the crossing, not its last step.
    const { network, inputs, targets } = reluNearItsKink(-1.0000001);
    for (const method of ["central", "richardson"] as const) {
      const report = checkGradients(network, inputs, targets, undefined, { method });
      const crossed = report.entries.filter((entry) => entry.kinkCrossed).map(entryPosition);
      expect(crossed, method).toEqual(["weights[0][0][0]", "biases[0][0]"]);
      expect(report.kinkCrossings, method).toBe(2);
      expect(report.passed, method).toBe(true);
    }
  });

  it("a check whose every step crosses a kink judges no entry: it passes with no worst entry, and says so in every line", () => {
    // One relu weight of 1e-7 on an input of 1: z = 1e-7, and the step of 6e-6 crosses the kink
    // downward, so the only entry is listed but not judged.
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 1],
      activations: ["relu"],
      loss: "squared_error",
      weights: [[[1e-7]]],
      biases: null,
      inputs: [[1]],
      targets: [[0]],
      learningRate: 0.1,
    });
    const report = checkGradients(network, inputs, targets);
    expect(report).toMatchObject({ passed: true, worst: null, worstEntries: [], maxRelativeError: 0, kinkCrossings: 1 });
    expect(report.layers).toEqual([{ layer: 1, parameter: "weights", count: 1, kinkCrossings: 1, worst: null }]);
    expect(report.entries.map(describeEntry)).toEqual([
      "layer 1 weights[0][0][0]: analytic 1e-7, numeric 0.0000015642764640279643, absolute error 1.46e-6, relative error 1.46e-3, kink crossed",
    ]);
    expect(summaryLine(report)).toBe("central       passed  worst relative error 0.00e+0 ≤ 1e-6 no entry judged, 1 kink crossed");
    expect(formatReport(report)).toBe(
      [
        "layer  parameter  entries  kinks crossed  worst entry  analytic  numeric  relative error",
        "-----  ---------  -------  -------------  -----------  --------  -------  --------------",
        "1      weights    1        1              -            -         -        -",
        "",
        "central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6",
        "1 entries crossed a kink and were not judged",
        "warning: a relu/leaky_relu preactivation lies 1.00e-7 from its kink at 0, inside the 1e-3 margin: a central difference there may straddle the kink",
        "passed: worst relative error 0.00e+0 ≤ tolerance 1e-6",
      ].join("\n"),
    );
  });

  it("the kink branches are z > 0 for every relu and leaky relu preactivation, layer by layer, row by row, sample by sample, and nothing for other layers", () => {
    const { network } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [2, 2, 2, 1],
      activations: ["relu", "sigmoid", "leaky_relu"],
      loss: "squared_error",
      weights: [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 1]]],
      biases: null,
      inputs: [[1, 1]],
      targets: [[0]],
      learningRate: 0.1,
    });
    const relu = matrixFromRows([[0.5, 0], [-0.5, 2]]);
    const sigmoid = matrixFromRows([[3, -3], [0, 1]]);
    const leaky = matrixFromRows([[-1e-300, 1e-300]]);
    expect(kinkBranches(network, [relu, sigmoid, leaky])).toEqual([true, false, false, true, false, true]);
    const sigmoidOnly = parseCase(workedExampleCase);
    expect(kinkBranches(sigmoidOnly.network, forward(sigmoidOnly.network, sigmoidOnly.inputs).preactivations)).toEqual([]);
  });

  it("a table row shorter than the header leaves its missing cells empty", () => {
    expect(table(["a", "b"], [["x"]])).toBe("a  b\n-  -\nx");
  });
});
