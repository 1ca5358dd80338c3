import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { backpropagate } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { initializeNetwork } from "../../src/model/network.js";
import { ShapeError } from "../../src/numeric/errors.js";
import { seededRandom } from "../../src/numeric/random.js";
import { matrixFromRows, transposed } from "../../src/numeric/tensor.js";
import { defaultFloor } from "../../src/oracles/comparison.js";
import { directionalCheck } from "../../src/oracles/directional.js";
import { unitDirections } from "../../src/oracles/lines.js";
import { taylorTest } from "../../src/oracles/taylor.js";
import { caseDocument, numRuns } from "../support/arbitraries.js";
import { largestMagnitude } from "../support/parameters.js";

describe("directional check", () => {
  it("∇E·u agrees with a central difference along u to 1e-6 for random networks and directions", () => {
    fc.assert(
      fc.property(caseDocument(), fc.integer({ min: 1, max: 1000 }), (document, seed) => {
        const { network, inputs, targets } = parseCase(document);
        const report = directionalCheck(network, inputs, targets, undefined, { seed });
        if (!report.passed) throw new Error(`directional check failed: ${JSON.stringify(report.results)}`);
      }),
      { numRuns },
    );
  });

  it("rejects a backprop that drops f′ in the hidden layers along some of 4 directions (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 2, max: 3 }, hidden: ["sigmoid"] }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        const broken = mistakenGradients("missing-derivative", network, inputs, targets);
        const lower = { weights: correct.weights.slice(0, -1), biases: null };
        // A random direction sees the error in proportion to its size against the whole
        // gradient; require the broken layers to carry a good share of it.
        fc.pre(largestMagnitude(lower) > 0.3 * largestMagnitude(correct));
        fc.pre(largestMagnitude(lower) > 100 * defaultFloor(networkLoss(network, inputs, targets)));
        expect(directionalCheck(network, inputs, targets, broken, { directions: 4 }).passed).toBe(false);
      }),
      { numRuns },
    );
  });

  it("checks the seed's 784-200-10 network along two directions (two forward passes each, however many weights), and it passes", () => {
    const network = initializeNetwork({ sizes: [784, 200, 10], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: false }, { seed: 3 });
    const random = seededRandom(9);
    const inputs = transposed(matrixFromRows([Array.from({ length: 784 }, () => 0.01 + 0.99 * random.uniform())]));
    const targets = transposed(matrixFromRows([Array.from({ length: 10 }, (_, k) => (k === 3 ? 0.99 : 0.01))]));
    const report = directionalCheck(network, inputs, targets, undefined, { directions: 2 });
    expect(report.passed).toBe(true);
    expect(report.results).toHaveLength(2);
    expect(report.maxRelativeError).toBeLessThan(1e-7);
  });

  it("draws unit directions, the same for the same seed", () => {
    const [first] = unitDirections(50, 1, 4);
    const [again] = unitDirections(50, 1, 4);
    expect(first).toEqual(again);
    expect(Math.hypot(...first!)).toBeCloseTo(1, 14);
  });

  it("refuses gradients with the wrong number of entries", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 1],
      activations: ["identity"],
      loss: "squared_error",
      weights: [[[0.5]]],
      biases: null,
      inputs: [[1]],
      targets: [[0]],
      learningRate: 0.1,
    });
    expect(() => directionalCheck(network, inputs, targets, { weights: [matrixFromRows([[1, 2]])], biases: null })).toThrow(
      new ShapeError("the gradients have 2 entries but the network has 1 parameters"),
    );
  });
});

describe("Taylor-remainder test", () => {
  it("the remainder of a correct gradient shrinks like h² (fitted slope at least 1.8), or the test says why it cannot tell", () => {
    fc.assert(
      fc.property(caseDocument(), fc.integer({ min: 1, max: 1000 }), (document, seed) => {
        const { network, inputs, targets } = parseCase(document);
        const report = taylorTest(network, inputs, targets, undefined, { seed });
        if (report.verdict === "failed") throw new Error(`Taylor test failed: slope ${report.slope}, steps ${JSON.stringify(report.steps)}`);
        if (report.verdict === "passed") expect(report.slope).toBeGreaterThanOrEqual(1.8);
        else expect(report.reason).toMatch(/usable|round-off|settled|rising/);
      }),
      { numRuns },
    );
  });

  it("a wrong gradient leaves a first-order remainder: the settled slope falls below 1.8, towards 1 (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 2, max: 3 }, hidden: ["sigmoid"], outputs: [["sigmoid", "squared_error"], ["identity", "squared_error"]] }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        fc.pre(largestMagnitude({ weights: correct.weights.slice(0, -1), biases: null }) > 0.3 * largestMagnitude(correct));
        fc.pre(largestMagnitude(correct) > 1e-3);
        const report = taylorTest(network, inputs, targets, mistakenGradients("missing-derivative", network, inputs, targets));
        expect(report.verdict).toBe("failed");
        expect(report.slope).toBeLessThan(1.8);
      }),
      { numRuns },
    );
  });

  it("is inconclusive, not failed, when the loss is linear along the direction", () => {
    // One identity layer with squared error has a quadratic loss; with zero inputs the weights
    // do not matter, and the loss is flat along them.
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [2, 1],
      activations: ["identity"],
      loss: "squared_error",
      weights: [[[0.5, -0.5]]],
      biases: null,
      inputs: [[0, 0]],
      targets: [[1]],
      learningRate: 0.1,
    });
    const report = taylorTest(network, inputs, targets);
    expect(report.verdict).toBe("inconclusive");
    expect(report.passed).toBe(true);
    expect(report.reason).toContain("nearly linear");
  });
});
