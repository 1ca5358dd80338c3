/**
 * Laws written for the mutants that survived the second Stryker run (docs/mutation-testing.md):
 * shape errors of the forward pass and of the comparison, the in-place training step, the
 * kink bookkeeping, and the reports of the Richardson oracle.
 */
import { describe, expect, it } from "vitest";
import { parseCase } from "../src/conformance/case-format.js";
import { workedExampleCase } from "../src/conformance/worked-example.js";
import { backpropagate, trainingStep } from "../src/model/backprop.js";
import { assertTargetShape, forward } from "../src/model/forward.js";
import { networkToArrays } from "../src/model/network.js";
import { NumericError, ShapeError } from "../src/numeric/errors.js";
import { matrixFromRows, zeros } from "../src/numeric/tensor.js";
import { compareGradients, relativeError } from "../src/oracles/comparison.js";
import { numericGradients } from "../src/oracles/finite-differences.js";
import { checkGradients } from "../src/oracles/gradient-check.js";
import { kinkDistance, kinkMargin } from "../src/oracles/kinks.js";
import { describeEntry, formatReport, summaryLine } from "../src/oracles/report.js";
import { createWorkspace } from "../src/training/workspace.js";

const example = parseCase(workedExampleCase);
const withBiases = () => parseCase({ ...workedExampleCase, biases: [[0.1, -0.1], [0.2]] });

describe("shape errors", () => {
  it("the forward pass refuses inputs of the wrong rows, no samples, or not a matrix", () => {
    expect(() => forward(example.network, zeros(3, 2))).toThrow(ShapeError);
    expect(() => forward(example.network, zeros(2, 0))).toThrow(ShapeError);
    const vector = matrixFromRows([[1, 2]]).pick(0, null) as unknown as ReturnType<typeof zeros>;
    expect(() => forward(example.network, vector)).toThrow(ShapeError);
  });

  it("targets must have the outputs' shape, rows and columns", () => {
    const outputs = zeros(2, 3);
    expect(() => assertTargetShape(outputs, zeros(2, 3))).not.toThrow();
    expect(() => assertTargetShape(outputs, zeros(3, 3))).toThrow(new ShapeError("targets are 3×3 but the outputs are 2×3"));
    expect(() => assertTargetShape(outputs, zeros(2, 2))).toThrow(new ShapeError("targets are 2×2 but the outputs are 2×3"));
    expect(() => assertTargetShape(outputs, outputs.pick(0, null) as unknown as ReturnType<typeof zeros>)).toThrow(ShapeError);
  });

  it("gradients to compare must have the same shapes, biases included", () => {
    const problem = withBiases();
    const analytic = backpropagate(problem.network, problem.inputs, problem.targets).gradients;
    const numeric = numericGradients(problem.network, problem.inputs, problem.targets);
    expect(compareGradients(analytic, numeric).passed).toBe(true);
    expect(() => compareGradients({ ...analytic, biases: null }, numeric)).toThrow(ShapeError);
    expect(() => compareGradients(analytic, { ...numeric, gradients: { ...numeric.gradients, biases: null } })).toThrow(ShapeError);
    const shortBias = { ...analytic, biases: [analytic.biases![0]!, zeros(2, 1).pick(null, 0)] };
    expect(() => compareGradients(shortBias as typeof analytic, numeric)).toThrow(/biases\[1\] of the gradients to compare have 2 and 1 entries/);
  });
});

describe("the in-place training step", () => {
  it("gives the same bits as the allocating one, writes into the network, and fills a workspace of the right shapes", () => {
    for (const make of [() => parseCase(workedExampleCase), withBiases]) {
      const fresh = make();
      const reference = trainingStep(fresh.network, fresh.inputs, fresh.targets, 0.5);
      const inPlace = make();
      const workspace = createWorkspace(inPlace.network.spec, 2);
      const step = trainingStep(inPlace.network, inPlace.inputs, inPlace.targets, 0.5, workspace);
      expect(step.loss).toBe(reference.loss);
      expect(networkToArrays(step.updated)).toEqual(networkToArrays(reference.updated));
      expect(networkToArrays(inPlace.network)).toEqual(networkToArrays(reference.updated));
      expect(step.gradients.weights.map((matrix) => Array.from(matrix.data))).toEqual(reference.gradients.weights.map((matrix) => Array.from(matrix.data)));
    }
    const workspace = createWorkspace(withBiases().network.spec, 3);
    expect(workspace.gradients.weights.map((matrix) => matrix.shape)).toEqual([[2, 2], [1, 2]]);
    expect(workspace.gradients.biases!.map((vector) => vector.shape)).toEqual([[2], [1]]);
    expect(workspace.deltaWeights.weights.map((matrix) => matrix.shape)).toEqual([[2, 2], [1, 2]]);
    expect(workspace.trace.outputs.map((matrix) => matrix.shape)).toEqual([[2, 3], [2, 3], [1, 3]]);
    expect(workspace.trace.preactivations.map((matrix) => matrix.shape)).toEqual([[2, 3], [1, 3]]);
    expect(createWorkspace(example.network.spec, 1).gradients.biases).toBeNull();
  });

  it("a gradient that overflows while the loss does not is named", () => {
    const problem = parseCase({ format: "backprop-ref/case@1", sizes: [1, 1], activations: ["identity"], loss: "squared_error", weights: [[[1]]], biases: null, inputs: [[1e154], [1e154]], targets: [[0], [0]], learningRate: 0 });
    expect(() => trainingStep(problem.network, problem.inputs, problem.targets, 0)).toThrow(
      new NumericError("the gradients overflowed (an entry is not finite): the weights or inputs are too large for float64"),
    );
  });
});

describe("kinks and oracles", () => {
  it("the kink distance looks at relu and leaky relu layers only, whatever the other layers' preactivations", () => {
    for (const activation of ["relu", "leaky_relu"]) {
      const problem = parseCase({ format: "backprop-ref/case@1", sizes: [1, 1, 1], activations: ["sigmoid", activation], loss: "squared_error", weights: [[[0]], [[1]]], biases: [[0], [0.2]], inputs: [[1]], targets: [[0]], learningRate: 0 });
      expect(kinkDistance(problem.network, problem.inputs)).toBeCloseTo(0.7, 15);
      const report = checkGradients(problem.network, problem.inputs, problem.targets);
      expect(report.kinkCrossings).toBe(0);
      expect(summaryLine(report)).not.toMatch(/kink/);
    }
  });

  it("a relu unit a hair from its kink, with a weight of 2, is reported crossed in every line", () => {
    const problem = parseCase({ format: "backprop-ref/case@1", sizes: [1, 2, 1], activations: ["relu", "leaky_relu"], loss: "squared_error", weights: [[[2], [-1]], [[0.5, 0.25]]], biases: [[-1.9999999, 0.5], [0.3]], inputs: [[1]], targets: [[1]], learningRate: 0.1 });
    for (const method of ["central", "richardson"] as const) {
      const report = checkGradients(problem.network, problem.inputs, problem.targets, undefined, { method });
      expect(report.kinkCrossings).toBeGreaterThan(0);
      expect(summaryLine(report)).toMatchSnapshot(`${method} summary`);
      expect(report.entries.map(describeEntry)).toMatchSnapshot(`${method} entries`);
    }
  });

  it("Richardson's entries carry their error estimate, |coarse − fine| / 3, in the report", () => {
    const report = checkGradients(example.network, example.inputs, example.targets, undefined, { method: "richardson" });
    expect(report.entries.every((entry) => entry.estimatedError !== null && entry.estimatedError >= 0)).toBe(true);
    expect(report.entries.map(describeEntry)).toMatchSnapshot();
    const biased = withBiases();
    const withBias = checkGradients(biased.network, biased.inputs, biased.targets, undefined, { method: "richardson" });
    expect(withBias.entries.filter((entry) => entry.parameter === "biases").length).toBe(3);
    expect(withBias.entries.filter((entry) => entry.parameter === "biases").every((entry) => entry.estimatedError !== null)).toBe(true);
    expect(withBias.entries.map(describeEntry)).toMatchSnapshot();
  });

  it("relative error is 0 for equal numbers even with a zero floor, and the floor and tolerance options are used", () => {
    expect(relativeError(0, 0, 0)).toBe(0);
    const strict = checkGradients(example.network, example.inputs, example.targets, undefined, { floor: 1e-30, tolerance: 1e-30 });
    expect(strict.passed).toBe(false);
    expect(strict.floor).toBe(1e-30);
    const loose = checkGradients(example.network, example.inputs, example.targets, undefined, { floor: 10 });
    expect(loose.floor).toBe(10);
    expect(Math.max(...loose.entries.map((entry) => entry.relativeError))).toBeLessThan(1e-12);
  });
});

describe("the comparison at its edges", () => {
  const problem = withBiases();
  const analytic = () => backpropagate(problem.network, problem.inputs, problem.targets).gradients;
  const numeric = () => numericGradients(problem.network, problem.inputs, problem.targets);

  it("names which side lacks biases", () => {
    expect(() => compareGradients({ ...analytic(), biases: null }, numeric())).toThrow(
      new ShapeError("one set of gradients has biases and the other has none (analytic: none, numeric: biases)"),
    );
    const oracle = numeric();
    expect(() => compareGradients(analytic(), { ...oracle, gradients: { ...oracle.gradients, biases: null } })).toThrow(
      new ShapeError("one set of gradients has biases and the other has none (analytic: biases, numeric: none)"),
    );
  });

  it("passes an entry exactly at the tolerance, keeps the first of tied worst entries, and puts NaN first", () => {
    const oracle = numeric();
    const report = compareGradients(analytic(), oracle, { floor: 1e-3 });
    expect(compareGradients(analytic(), oracle, { floor: 1e-3, tolerance: report.maxRelativeError }).passed).toBe(true);
    const exact = compareGradients(oracle.gradients, oracle, { floor: 1e-3 });
    expect(exact.layers.map((layer) => [layer.worst!.row, layer.worst!.column])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0]]);
    const broken = analytic();
    broken.weights[1]!.set(0, 1, NaN);
    const withNaN = compareGradients(broken, oracle, { floor: 1e-3 });
    expect(withNaN.passed).toBe(false);
    expect(Number.isNaN(withNaN.worst!.analytic)).toBe(true);
    expect([withNaN.worst!.layer, withNaN.worst!.row, withNaN.worst!.column]).toEqual([2, 0, 1]);
  });

  it("a report without a kink distance has no kink line; one exactly at the margin is not a warning", () => {
    const report = compareGradients(analytic(), numeric(), { floor: 1e-3 });
    expect(report.kinkDistance).toBeNull();
    expect(formatReport(report)).not.toMatch(/kink at 0/);
    expect(formatReport({ ...report, kinkDistance: kinkMargin })).toMatch(/relu\/leaky_relu preactivations keep at least 1\.00e-3 from the kink at 0/);
    expect(formatReport({ ...report, kinkDistance: kinkMargin / 2 })).toMatch(/^warning: a relu\/leaky_relu preactivation lies 5\.00e-4 from its kink at 0/m);
  });

  it("a step across a leaky relu kink is marked crossed too", () => {
    const leaky = parseCase({ format: "backprop-ref/case@1", sizes: [1, 1, 1], activations: ["leaky_relu", "identity"], loss: "squared_error", weights: [[[1]], [[1]]], biases: [[-0.9999999], [0]], inputs: [[1]], targets: [[1]], learningRate: 0 });
    const report = checkGradients(leaky.network, leaky.inputs, leaky.targets);
    expect(report.kinkCrossings).toBeGreaterThan(0);
    expect(report.entries.filter((entry) => entry.kinkCrossed).map((entry) => [entry.layer, entry.parameter])).toContainEqual([1, "weights"]);
  });
});
