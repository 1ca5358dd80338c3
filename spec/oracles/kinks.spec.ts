import { describe, expect, it } from "vitest";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { exampleProblem, reluCase } from "../support/fixtures.js";
import { forward } from "../../src/model/forward.js";
import { kinkBranches, kinkDistance, kinkMargin } from "../../src/oracles/kinks.js";
import { matrixFromRows } from "../../src/numeric/tensor.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { summaryLine } from "../../src/oracles/report.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";

describe("kinks", () => {
  it("the kink distance is the smallest |z| over the relu and leaky relu layers alone, whatever the other layers' preactivations, and Infinity without such layers", () => {
    const example = exampleProblem();
    const nearKink = reluCase();
    expect(kinkDistance(example.network, example.inputs)).toBe(Infinity);
    expect(kinkDistance(nearKink.network, nearKink.inputs)).toBeCloseTo(1e-7, 12);
    expect(kinkMargin).toBe(1e-3);
    for (const activation of ["relu", "leaky_relu"]) {
      const problem = parseCase({
        format: "backprop-ref/case@1",
        sizes: [1, 1, 1],
        activations: ["sigmoid", activation],
        loss: "squared_error",
        weights: [[[0]], [[1]]],
        biases: [[0], [0.2]],
        inputs: [[1]],
        targets: [[0]],
        learningRate: 0,
      });
      expect(kinkDistance(problem.network, problem.inputs)).toBeCloseTo(0.7, 15);
      const report = checkGradients(problem.network, problem.inputs, problem.targets);
      expect(report.kinkCrossings).toBe(0);
      expect(summaryLine(report)).not.toMatch(/kink/);
    }
  });

  it("the kink branches are z > 0 for every relu and leaky relu preactivation, layer by layer, row by row, sample by sample, and nothing for other layers", () => {
    const { network } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [2, 2, 2, 1],
      activations: ["relu", "sigmoid", "leaky_relu"],
      loss: "squared_error",
      weights: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        [[1, 1]],
      ],
      biases: null,
      inputs: [[1, 1]],
      targets: [[0]],
      learningRate: 0.1,
    });
    const relu = matrixFromRows([
      [0.5, 0],
      [-0.5, 2],
    ]);
    const sigmoid = matrixFromRows([
      [3, -3],
      [0, 1],
    ]);
    const leaky = matrixFromRows([[-1e-300, 1e-300]]);
    expect(kinkBranches(network, [relu, sigmoid, leaky])).toEqual([true, false, false, true, false, true]);
    const sigmoidOnly = parseCase(workedExampleCase);
    expect(kinkBranches(sigmoidOnly.network, forward(sigmoidOnly.network, sigmoidOnly.inputs).preactivations)).toEqual([]);
  });
});
