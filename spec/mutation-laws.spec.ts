/**
 * Laws written for mutants that survived Stryker (docs/mutation-testing.md): each pins a piece
 * of the math core or of its report that the other laws left free, so that changing it fails.
 * The reports are pinned whole, as a reader sees them; the numbers come from the worked example
 * and from a relu network whose kink a step crosses.
 */
import { describe, expect, it } from "vitest";
import { parseCase } from "../src/conformance/case-format.js";
import { mistakenGradients } from "../src/conformance/mistakes.js";
import { workedExampleCase } from "../src/conformance/worked-example.js";
import { activate, activationDerivative, leakyReluSlope, sigmoid, softmax, softplus } from "../src/model/activations.js";
import { backpropagate, hiddenDelta, trainingStep } from "../src/model/backprop.js";
import { batchLoss } from "../src/model/losses.js";
import { NumericError, SpecError, ValueError } from "../src/numeric/errors.js";
import { matrixFromRows, matrixToRows, scaled } from "../src/numeric/tensor.js";
import { defaultFloor, relativeError } from "../src/oracles/comparison.js";
import { checkGradients } from "../src/oracles/gradient-check.js";
import { kinkDistance, kinkMargin } from "../src/oracles/kinks.js";
import { describeEntry, entryPosition, formatReport, summaryLine, table } from "../src/oracles/report.js";
import { createWorkspace } from "../src/training/workspace.js";

const example = parseCase(workedExampleCase);
const reluCase = parseCase({
  format: "backprop-ref/case@1",
  sizes: [1, 2, 1],
  activations: ["relu", "identity"],
  loss: "squared_error",
  weights: [[[1], [-1]], [[0.5, 0.25]]],
  biases: [[-0.9999999, 0.5], [0]],
  inputs: [[1]],
  targets: [[1]],
  learningRate: 0.1,
});

describe("the gradient report reads exactly so", () => {
  it("passing: the summary line, the table and the verdict", () => {
    const report = checkGradients(example.network, example.inputs, example.targets);
    expect(formatReport(report)).toMatchInlineSnapshot(`
      "layer  parameter  entries  kinks crossed  worst entry  analytic         numeric          relative error
      -----  ---------  -------  -------------  -----------  ---------------  ---------------  --------------
      1      weights    4        0              [1][1]       0.002094294820   0.002094294819   3.50e-10
      2      weights    2        0              [0][1]       0.0001913491149  0.0001913491155  6.38e-10

      central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6
      passed: worst relative error 6.38e-10 ≤ tolerance 1e-6"
    `);
    expect(summaryLine(report)).toMatchInlineSnapshot(`"central       passed  worst relative error 6.38e-10 ≤ 1e-6 at layer 2 weights[1][0][1]"`);
  });

  it("failing: the worst entries, each with its position, values and errors", () => {
    const wrong = mistakenGradients("missing-derivative", example.network, example.inputs, example.targets);
    const report = checkGradients(example.network, example.inputs, example.targets, wrong);
    expect(report.passed).toBe(false);
    expect(formatReport(report)).toMatchInlineSnapshot(`
      "worst entries             analytic                numeric                 absolute error  relative error
      ------------------------  ----------------------  ----------------------  --------------  --------------
      layer 1 weights[0][1][0]  -0.034214116163248876   -0.0075857100023729645  2.66e-2         7.78e-1
      layer 1 weights[0][0][1]  -0.004486380994164985   -0.0010574369503714605  3.43e-3         7.64e-1
      layer 1 weights[0][0][0]  0.028511763469374063    0.0071101506717333954   2.14e-2         7.51e-1
      layer 1 weights[0][1][1]  0.005383657192997979    0.0020942948189107847   3.29e-3         6.11e-1
      layer 2 weights[1][0][1]  0.00019134911487334733  0.00019134911551087008  6.38e-13        6.38e-10

      layer  parameter  entries  kinks crossed  worst entry  analytic         numeric          relative error
      -----  ---------  -------  -------------  -----------  ---------------  ---------------  --------------
      1      weights    4        0              [1][0]       -0.03421411616   -0.007585710002  7.78e-1
      2      weights    2        0              [0][1]       0.0001913491149  0.0001913491155  6.38e-10

      central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6
      FAILED: layer 1 weights[0][1][0]: analytic -0.034214116163248876, numeric -0.0075857100023729645, absolute error 2.66e-2, relative error 7.78e-1 > tolerance 1e-6"
    `);
    expect(summaryLine(report)).toMatchInlineSnapshot(`"central       FAILED  worst relative error 7.78e-1 > 1e-6 at layer 1 weights[0][1][0]"`);
    expect(report.entries.map(describeEntry)).toMatchInlineSnapshot(`
      [
        "layer 1 weights[0][0][0]: analytic 0.028511763469374063, numeric 0.0071101506717333954, absolute error 2.14e-2, relative error 7.51e-1",
        "layer 1 weights[0][0][1]: analytic -0.004486380994164985, numeric -0.0010574369503714605, absolute error 3.43e-3, relative error 7.64e-1",
        "layer 1 weights[0][1][0]: analytic -0.034214116163248876, numeric -0.0075857100023729645, absolute error 2.66e-2, relative error 7.78e-1",
        "layer 1 weights[0][1][1]: analytic 0.005383657192997979, numeric 0.0020942948189107847, absolute error 3.29e-3, relative error 6.11e-1",
        "layer 2 weights[1][0][0]: analytic -0.002621923479252837, numeric -0.002621923479633622, absolute error 3.81e-13, relative error 1.45e-10",
        "layer 2 weights[1][0][1]: analytic 0.00019134911487334733, numeric 0.00019134911551087008, absolute error 6.38e-13, relative error 6.38e-10",
      ]
    `);
    expect(report.entries.map(entryPosition)).toMatchInlineSnapshot(`
      [
        "weights[0][0][0]",
        "weights[0][0][1]",
        "weights[0][1][0]",
        "weights[0][1][1]",
        "weights[1][0][0]",
        "weights[1][0][1]",
      ]
    `);
  });

  it("kinks: a step across a relu kink is marked, with the distance to the kink", () => {
    const report = checkGradients(reluCase.network, reluCase.inputs, reluCase.targets);
    expect(report.kinkDistance).toBeCloseTo(1e-7, 12);
    expect(formatReport(report)).toMatchInlineSnapshot(`
      "layer  parameter  entries  kinks crossed  worst entry  analytic         numeric          relative error
      -----  ---------  -------  -------------  -----------  ---------------  ---------------  --------------
      1      weights    2        1              [1][0]       0.000000000      0.000000000      0.00e+0
      1      biases     2        1              [1]          0.000000000      0.000000000      0.00e+0
      2      weights    2        0              [0][0]       -9.999999495e-8  -1.000042447e-7  4.25e-9
      2      biases     1        0              [0]          -0.9999999500    -0.9999999500    1.07e-11

      central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6
      2 entries crossed a kink and were not judged
      warning: a relu/leaky_relu preactivation lies 1.00e-7 from its kink at 0, inside the 1e-3 margin: a central difference there may straddle the kink
      passed: worst relative error 4.25e-9 ≤ tolerance 1e-6"
    `);
    expect(report.entries.map(describeEntry)).toMatchInlineSnapshot(`
      [
        "layer 1 weights[0][0][0]: analytic -0.49999997500000004, numeric -0.2541281182265728, absolute error 2.46e-1, relative error 4.92e-1, kink crossed",
        "layer 1 weights[0][1][0]: analytic 0, numeric 0, absolute error 0.00e+0, relative error 0.00e+0",
        "layer 1 biases[0][0]: analytic -0.49999997500000004, numeric -0.25412811822424314, absolute error 2.46e-1, relative error 4.92e-1, kink crossed",
        "layer 1 biases[0][1]: analytic 0, numeric 0, absolute error 0.00e+0, relative error 0.00e+0",
        "layer 2 weights[1][0][0]: analytic -9.999999494736442e-8, numeric -1.0000424469249577e-7, absolute error 4.25e-12, relative error 4.25e-9",
        "layer 2 weights[1][0][1]: analytic 0, numeric 0, absolute error 0.00e+0, relative error 0.00e+0",
        "layer 2 biases[1][0]: analytic -0.9999999500000001, numeric -0.9999999499893466, absolute error 1.07e-11, relative error 1.07e-11",
      ]
    `);
  });

  it("with richardson and the complex step, the method and its error estimate are named", () => {
    for (const method of ["richardson", "complex-step"] as const) {
      const report = checkGradients(example.network, example.inputs, example.targets, undefined, { method });
      expect(formatReport(report).split("\n").slice(-2).join("\n").replace(/\d\.\d\de-\d+/g, "#")).toMatchSnapshot(method);
      expect(report.entries.every((entry) => entry.estimatedError === null || entry.estimatedError >= 0)).toBe(true);
    }
  });

  it("tables align every column to its widest cell, header first, two spaces apart", () => {
    expect(table(["a", "long header"], [["wide cell", "x"], ["", "yy"]])).toBe("a          long header\n---------  -----------\nwide cell  x\n           yy");
  });
});

describe("the small functions of the check", () => {
  it("the floor is 1e-3 max(1, |E|)", () => {
    expect(defaultFloor(0)).toBe(1e-3);
    expect(defaultFloor(0.5)).toBe(1e-3);
    expect(defaultFloor(-5)).toBe(5e-3);
    expect(defaultFloor(2000)).toBe(2);
  });

  it("the relative error divides by the largest of |a|, |n| and the floor, and is 0 only for equal numbers", () => {
    expect(relativeError(1, 1, 1e-3)).toBe(0);
    expect(relativeError(2, 1, 1e-3)).toBe(0.5);
    expect(relativeError(-1, -2, 1e-3)).toBe(0.5);
    expect(relativeError(1e-6, 2e-6, 1e-3)).toBeCloseTo(1e-3, 15);
    expect(relativeError(0, -4, 1)).toBe(1);
  });

  it("the kink distance is the smallest |z| of relu and leaky relu layers only, Infinity without them", () => {
    expect(kinkDistance(example.network, example.inputs)).toBe(Infinity);
    expect(kinkDistance(reluCase.network, reluCase.inputs)).toBeCloseTo(1e-7, 12);
    expect(kinkMargin).toBe(1e-3);
  });
});

describe("activations and losses at their exact values", () => {
  it("sigmoid, softplus and leaky relu at points where a changed constant or branch shows", () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-2)).toBeCloseTo(0.11920292202211755, 15);
    expect(softplus(0)).toBe(Math.LN2);
    expect(softplus(-800)).toBe(0);
    expect(softplus(800)).toBe(800);
    expect(leakyReluSlope).toBe(0.01);
    const z = matrixFromRows([[-2, 0, 3]]);
    expect(matrixToRows(activate("leaky_relu", z))).toEqual([[-0.02, 0, 3]]);
    expect(matrixToRows(activate("relu", z))).toEqual([[0, 0, 3]]);
    expect(matrixToRows(activationDerivative("leaky_relu", z))).toEqual([[0.01, 0.01, 1]]);
    expect(matrixToRows(activationDerivative("relu", z))).toEqual([[0, 0, 1]]);
    expect(matrixToRows(activationDerivative("identity", z))).toEqual([[1, 1, 1]]);
    expect(matrixToRows(activationDerivative("softplus", matrixFromRows([[0]])))).toEqual([[0.5]]);
    expect(matrixToRows(activationDerivative("tanh", matrixFromRows([[0]])))).toEqual([[1]]);
    expect(matrixToRows(activationDerivative("sigmoid", matrixFromRows([[0]])))).toEqual([[0.25]]);
  });

  it("softmax sums to one per column, survives logits of 1000, and is exact on equal logits", () => {
    const z = matrixFromRows([[1000, 0], [1000, 0], [-1000, 0]]);
    expect(matrixToRows(softmax(z))).toEqual([[0.5, 1 / 3], [0.5, 1 / 3], [0, 1 / 3]]);
  });

  it("each loss at a point computed by hand", () => {
    const t = matrixFromRows([[1], [0]]);
    const o = matrixFromRows([[0.75], [0.5]]);
    expect(batchLoss("squared_error", o, o, t)).toBe(0.5 * (0.0625 + 0.25));
    const z = matrixFromRows([[0], [0]]);
    expect(batchLoss("cross_entropy", z, softmax(z), t)).toBeCloseTo(Math.LN2, 15);
    expect(batchLoss("binary_cross_entropy", z, activate("sigmoid", z), t)).toBeCloseTo(2 * Math.LN2, 15);
    const twoSamples = matrixFromRows([[1, 3]]);
    expect(batchLoss("squared_error", twoSamples, twoSamples, matrixFromRows([[0, 0]]))).toBe((0.5 + 4.5) / 2);
  });
});

describe("backpropagation on the worked example, number by number", () => {
  it("gives the hand-checked gradients, and biases the mean of the deltas", () => {
    const withBiases = parseCase({ ...workedExampleCase, biases: [[0.1, -0.1], [0.2]] });
    const { gradients, deltas } = backpropagate(withBiases.network, withBiases.inputs, withBiases.targets);
    gradients.biases!.forEach((vector, index) => {
      const delta = matrixToRows(deltas[index]!);
      expect(Array.from(vector.data)).toEqual(delta.map((row) => row.reduce((sum, entry) => sum + entry, 0) / row.length));
    });
    const plain = backpropagate(example.network, example.inputs, example.targets);
    expect(plain.gradients.biases).toBeNull();
    expect(matrixToRows(plain.gradients.weights[1]!)).toMatchInlineSnapshot(`
      [
        [
          -0.002621923479252837,
          0.00019134911487334733,
        ],
      ]
    `);
    expect(matrixToRows(plain.gradients.weights[0]!)).toMatchInlineSnapshot(`
      [
        [
          0.007110150672908855,
          -0.001057436950557167,
        ],
        [
          -0.007585710001738112,
          0.002094294819642793,
        ],
      ]
    `);
    expect(matrixToRows(scaled(plain.errors[1]!, 1))).toMatchInlineSnapshot(`
      [
        [
          0.5298600524930743,
          -0.45924008722403115,
        ],
      ]
    `);
  });
});

describe("backpropagation refuses what it cannot compute, with the error and message it documents", () => {
  const step = (overrides: Record<string, unknown>, learningRate = 0.1) => {
    const problem = parseCase({ format: "backprop-ref/case@1", sizes: [1, 1], activations: ["identity"], loss: "squared_error", weights: [[[1]]], biases: null, inputs: [[1]], targets: [[0]], learningRate: 0, ...overrides });
    return () => trainingStep(problem.network, problem.inputs, problem.targets, learningRate);
  };

  it("a learning rate that is negative, NaN or infinite is a ValueError; zero is allowed", () => {
    for (const rate of [-0.1, NaN, Infinity]) expect(step({}, rate)).toThrow(new ValueError(`learningRate must be a finite number ≥ 0, got ${rate}`));
    expect(step({}, 0)().loss).toBe(0.5);
  });

  it("an overflow names the quantity that overflowed: outputs, loss, gradients or updated weights", () => {
    const tail = "the weights or inputs are too large for float64";
    expect(step({ weights: [[[1e300]]], inputs: [[1e300]] })).toThrow(new NumericError(`the outputs overflowed (an entry is not finite): ${tail}`));
    expect(step({ weights: [[[1e200]]], inputs: [[1e200]] }, 0)).toThrow(NumericError);
    expect(step({ weights: [[[1e200]]] })).toThrow(new NumericError(`the loss overflowed to Infinity: ${tail}`));
    expect(step({ sizes: [1, 1], weights: [[[1e154]]], inputs: [[1e154]] })).toThrow(NumericError);
    expect(step({ inputs: [[1e100]] }, 1e300)).toThrow(new NumericError(`the updated weights overflowed (an entry is not finite): ${tail}`));
  });

  it("a softmax hidden layer is a SpecError, and a workspace needs a positive whole batch", () => {
    const z = matrixFromRows([[0]]);
    expect(() => hiddenDelta("softmax", z, z)).toThrow(new SpecError("softmax is an output activation; a hidden layer cannot use it"));
    for (const batch of [0, 1.5, -1]) expect(() => createWorkspace(example.network.spec, batch)).toThrow(new ValueError(`batchSize must be a positive integer, got ${batch}`));
    expect(createWorkspace(example.network.spec, 1).deltas.map((delta) => delta.shape)).toEqual([[2, 1], [1, 1]]);
  });
});
