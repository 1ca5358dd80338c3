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
import { largestParameterMagnitude, valuesOf } from "../support/parameters.js";
import { anyWeightDecay, decayedCases, wrongDecayGradients, wrongDecays } from "../support/weight-decay.js";
import { lossWithWeightDecay } from "../../src/model/weight-decay.js";
import { describeEntry } from "../../src/oracles/report.js";
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

describe("the gradient check of a loss with weight decay", () => {
  const entryMethods = ["central", "richardson", "complex-step"] as const;

  it("passes backprop-ref's gradients with weight decay by central differences, Richardson extrapolation and the complex step of the loss with its penalty, for every activation, loss, depth, width, batch and bias setting", () => {
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), (document) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        for (const method of entryMethods) {
          const report = checkGradients(network, inputs, targets, undefined, { method, weightDecay });
          if (!report.passed) throw new Error(`${method} failed at ${describeEntry(report.worst!)} with weight decay ${weightDecay}`);
        }
      }),
      { numRuns },
    );
  });

  it.each(wrongDecays)("rejects gradients made with the mistake %s, by every entry-by-entry oracle (negative control)", (mistake) => {
    fc.assert(
      fc.property(decayedCases(mistake), (document) => {
        const problem = parseCase(document);
        const { network, inputs, targets, weightDecay } = problem;
        const right = valuesOf(backpropagate(network, inputs, targets, undefined, weightDecay).gradients);
        const wrong = wrongDecayGradients(problem, mistake);
        const floor = defaultFloor(lossWithWeightDecay(networkLoss(network, inputs, targets), network.weights, weightDecay));
        fc.pre(Math.max(...valuesOf(wrong).map((entry, index) => Math.abs(entry - right[index]!))) > 10 * floor);
        for (const method of entryMethods) {
          expect(checkGradients(network, inputs, targets, wrong, { method, weightDecay }).passed, method).toBe(false);
        }
      }),
      { numRuns },
    );
  });

  it("differentiates the penalty: without the weight decay, the oracles reject the gradients of the loss with it", () => {
    fc.assert(
      fc.property(decayedCases("weight-decay-ignored"), (document) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        const decayed = backpropagate(network, inputs, targets, undefined, weightDecay).gradients;
        fc.pre(
          weightDecay * largestParameterMagnitude({ weights: network.weights, biases: null }) >
            10 * defaultFloor(networkLoss(network, inputs, targets)),
        );
        for (const method of entryMethods) expect(checkGradients(network, inputs, targets, decayed, { method }).passed, method).toBe(false);
      }),
      { numRuns },
    );
  });
});
