import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backpropagate } from "../../src/model/backprop.js";
import { numRuns } from "../support/arbitraries.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { taylorTest } from "../../src/oracles/taylor.js";
import { largestParameterMagnitude } from "../support/parameters.js";
import { anyWeightDecay, decayedCases, wrongDecayGradients } from "../support/weight-decay.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

describe("Taylor-remainder test", () => {
  it("the remainder of a correct gradient shrinks like h² (fitted slope at least 1.8), or the test says why it cannot tell", () => {
    fc.assert(
      fc.property(caseDocument(), fc.integer({ min: 1, max: 1000 }), (document, seed) => {
        const { network, inputs, targets } = parseCase(document);
        const report = taylorTest(network, inputs, targets, undefined, { seed });
        if (report.verdict === "failed")
          throw new Error(`Taylor test failed: slope ${report.slope}, steps ${JSON.stringify(report.steps)}`);
        if (report.verdict === "passed") expect(report.slope).toBeGreaterThanOrEqual(1.8);
        else expect(report.reason).toMatch(/usable|round-off|settled|rising/);
      }),
      { numRuns },
    );
  });

  it("a wrong gradient leaves a first-order remainder: the settled slope falls below 1.8, towards 1 (negative control)", () => {
    fc.assert(
      fc.property(
        caseDocument({
          depth: { min: 2, max: 3 },
          hidden: ["sigmoid"],
          outputs: [
            ["sigmoid", "squared_error"],
            ["identity", "squared_error"],
          ],
        }),
        (document) => {
          const { network, inputs, targets } = parseCase(document);
          const correct = backpropagate(network, inputs, targets).gradients;
          fc.pre(
            largestParameterMagnitude({ weights: correct.weights.slice(0, -1), biases: null }) > 0.3 * largestParameterMagnitude(correct),
          );
          fc.pre(largestParameterMagnitude(correct) > 1e-3);
          const report = taylorTest(network, inputs, targets, mistakenGradients("missing-derivative", network, inputs, targets));
          expect(report.verdict).toBe("failed");
          expect(report.slope).toBeLessThan(1.8);
        },
      ),
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

  it("with weight decay, the remainder of backprop-ref's gradients shrinks like h², and that of a gradient without the decay's share falls towards h (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), fc.integer({ min: 1, max: 1000 }), (document, seed) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        const report = taylorTest(network, inputs, targets, undefined, { seed, weightDecay });
        if (report.verdict === "failed") throw new Error(`Taylor test failed with weight decay ${weightDecay}: slope ${report.slope}`);
      }),
      { numRuns },
    );
    fc.assert(
      fc.property(decayedCases("weight-decay-ignored", { hidden: ["sigmoid", "tanh"] }), (document) => {
        const problem = parseCase(document);
        const { network, inputs, targets, weightDecay } = problem;
        const right = backpropagate(network, inputs, targets, undefined, weightDecay).gradients;
        const decayShare = weightDecay * largestParameterMagnitude({ weights: network.weights, biases: null });
        fc.pre(decayShare > 0.3 * largestParameterMagnitude(right) && decayShare > 1e-3);
        const report = taylorTest(network, inputs, targets, wrongDecayGradients(problem, "weight-decay-ignored"), { weightDecay });
        expect(report.verdict).toBe("failed");
        expect(report.slope).toBeLessThan(1.8);
      }),
      { numRuns },
    );
  });
});
