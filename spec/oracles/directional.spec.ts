import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { backpropagate } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { initializeNetwork } from "../../src/model/network.js";
import { seededRandom } from "../../src/numeric/random.js";
import { matrixFromRows, transposed } from "../../src/numeric/tensor.js";
import { defaultFloor } from "../../src/oracles/comparison.js";
import { directionalCheck } from "../../src/oracles/directional.js";
import { numRuns } from "../support/arbitraries.js";
import { largestParameterMagnitude, valuesOf } from "../support/parameters.js";
import { anyWeightDecay, decayedCases, wrongDecayGradients, wrongDecays } from "../support/weight-decay.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

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
        fc.pre(largestParameterMagnitude(lower) > 0.3 * largestParameterMagnitude(correct));
        fc.pre(largestParameterMagnitude(lower) > 100 * defaultFloor(networkLoss(network, inputs, targets)));
        expect(directionalCheck(network, inputs, targets, broken, { directions: 4 }).passed).toBe(false);
      }),
      { numRuns },
    );
  });

  it("checks the seed's 784-200-10 network along two directions (two forward passes each, however many weights), and it passes", () => {
    const network = initializeNetwork(
      { sizes: [784, 200, 10], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: false },
      { seed: 3 },
    );
    const random = seededRandom(9);
    const inputs = transposed(matrixFromRows([Array.from({ length: 784 }, () => 0.01 + 0.99 * random.uniform())]));
    const targets = transposed(matrixFromRows([Array.from({ length: 10 }, (_, k) => (k === 3 ? 0.99 : 0.01))]));
    const report = directionalCheck(network, inputs, targets, undefined, { directions: 2 });
    expect(report.passed).toBe(true);
    expect(report.results).toHaveLength(2);
    expect(report.maxRelativeError).toBeLessThan(1e-7);
  });

  it("with weight decay, ∇E·u of backprop-ref's gradients agrees with the central difference of the loss with its penalty, and a gradient that leaves the decay out, decays the biases or forgets the ½ is rejected (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), fc.integer({ min: 1, max: 1000 }), (document, seed) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        const report = directionalCheck(network, inputs, targets, undefined, { seed, weightDecay });
        if (!report.passed) throw new Error(`directional check failed with weight decay ${weightDecay}: ${JSON.stringify(report.results)}`);
      }),
      { numRuns },
    );
    for (const mistake of wrongDecays) {
      fc.assert(
        fc.property(decayedCases(mistake), (document) => {
          const problem = parseCase(document);
          const { network, inputs, targets, weightDecay } = problem;
          const right = backpropagate(network, inputs, targets, undefined, weightDecay).gradients;
          const wrong = wrongDecayGradients(problem, mistake);
          const difference = valuesOf(wrong).map((entry, index) => Math.abs(entry - valuesOf(right)[index]!));
          // As above: the error must carry a good share of the gradient for a random direction to see it.
          fc.pre(Math.max(...difference) > 0.3 * largestParameterMagnitude(right));
          fc.pre(Math.max(...difference) > 100 * defaultFloor(networkLoss(network, inputs, targets)));
          expect(directionalCheck(network, inputs, targets, wrong, { directions: 4, weightDecay }).passed, mistake).toBe(false);
        }),
        { numRuns },
      );
    }
  });
});
