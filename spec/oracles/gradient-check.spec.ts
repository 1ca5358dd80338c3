import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ParameterArrays } from "../../src/model/network.js";
import { backpropagate } from "../../src/model/backprop.js";
import { numRuns } from "../support/arbitraries.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { defaultFloor, relativeError } from "../../src/oracles/comparison.js";
import { exampleProblem } from "../support/fixtures.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { networkLoss } from "../../src/model/forward.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { largestParameterMagnitude } from "../support/parameters.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

describe("the gradient check", () => {
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
        fc.pre(largestParameterMagnitude(lower) > 10 * defaultFloor(networkLoss(network, inputs, targets)));
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
        fc.pre(largestParameterMagnitude(correct) > 10 * defaultFloor(networkLoss(network, inputs, targets)));
        expect(checkGradients(network, inputs, targets, mistakenGradients("batch-sum", network, inputs, targets)).passed).toBe(false);
      }),
      { numRuns },
    );
  });

  it("relative error is 0 for equal numbers even with a zero floor, and the floor and tolerance options are used", () => {
    const example = exampleProblem();
    expect(relativeError(0, 0, 0)).toBe(0);
    const strict = checkGradients(example.network, example.inputs, example.targets, undefined, {
      floor: 1e-30,
      tolerance: 1e-30,
    });
    expect(strict.passed).toBe(false);
    expect(strict.floor).toBe(1e-30);
    const loose = checkGradients(example.network, example.inputs, example.targets, undefined, { floor: 10 });
    expect(loose.floor).toBe(10);
    expect(Math.max(...loose.entries.map((entry) => entry.relativeError))).toBeLessThan(1e-12);
  });
});
