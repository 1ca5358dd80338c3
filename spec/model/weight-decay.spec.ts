/**
 * Weight decay (src/model/weight-decay.ts): the loss is the batch mean plus half the
 * coefficient times the sum of the squared weights, the biases left out; the weights' gradients
 * gain exactly λ'W and nothing else changes; the step is −η times the whole gradient; λ' = 0 is
 * the step without decay, bit for bit; and the gradients agree with the numeric derivative of
 * the loss with its penalty (the negative controls of the oracles are in
 * spec/oracles/gradient-check.spec.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseDocument, hiddenActivations } from "../../src/conformance/case-arbitrary.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { backpropagate, trainingStep } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { intuitiveStep } from "../../src/model/intuitive.js";
import {
  lossWithWeightDecay,
  stepWeightDecay,
  validateWeightDecay,
  weightDecayGradients,
  weightPenalty,
} from "../../src/model/weight-decay.js";
import { cloneNetwork, parameterEntries } from "../../src/model/network.js";
import { FormatError, NumericError, ValueError } from "../../src/numeric/errors.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { oneUnitCase } from "../support/fixtures.js";
import { anyWeightDecay, generalWeightDecay } from "../support/weight-decay.js";
import { matrixFromRows, vectorFromArray } from "../../src/numeric/tensor.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { describeEntry } from "../../src/oracles/report.js";
import { numRuns } from "../support/arbitraries.js";
import { expectSameBits, valuesOf } from "../support/parameters.js";

/** Whether `a` and `b` agree to a few roundings of `scale`, the sum of the magnitudes of what made them. */
const closeToScale = (a: number, b: number, scale: number): boolean => Math.abs(a - b) <= 8 * 2 ** -53 * scale + 2 ** -1074;

describe("weight decay", () => {
  it("the loss is the batch mean plus λ'/2 times the sum of the squared weights, the biases left out", () => {
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), (document) => {
        const { network, inputs, targets, learningRate, weightDecay } = parseCase(document);
        const squares = document.weights.flat(2).reduce((total, weight) => total + weight * weight, 0);
        // At λ' = 0 nothing is added, so that a loss of −0 stays −0.
        const batchMean = networkLoss(network, inputs, targets);
        const expected = weightDecay === 0 ? batchMean : batchMean + (weightDecay / 2) * squares;
        const { loss } = trainingStep(network, inputs, targets, learningRate, undefined, weightDecay);
        expectSameBits([loss], [expected], "loss");
        expect(weightPenalty(network.weights, weightDecay)).toBe((weightDecay / 2) * squares);
      }),
      { numRuns },
    );
  });

  it("the weights' gradients gain exactly λ'W (nothing at all for λ' = 0, so a −0 stays −0); the biases' gradients, the errors and the deltas are those without decay, bit for bit", () => {
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), (document) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        const without = backpropagate(network, inputs, targets);
        const decayed = backpropagate(network, inputs, targets, undefined, weightDecay);
        const weights = parameterEntries({ weights: network.weights, biases: null });
        // For λ' = 0 nothing is added, as weightDecayGradients documents: a −0 stays −0, where
        // −0 + 0 · w would give +0 and change the bits of a case@1's gradient.
        const expected = parameterEntries({ weights: without.gradients.weights, biases: null }).map((entry, index) =>
          weightDecay === 0 ? entry.value : entry.value + weightDecay * weights[index]!.value,
        );
        expectSameBits(valuesOf({ weights: decayed.gradients.weights, biases: null }), expected, "the weights' gradients");
        expectSameBits(
          valuesOf({ weights: [], biases: decayed.gradients.biases }),
          valuesOf({ weights: [], biases: without.gradients.biases }),
          "the biases' gradients",
        );
        expectSameBits(valuesOf({ weights: decayed.deltas, biases: null }), valuesOf({ weights: without.deltas, biases: null }), "deltas");
        expectSameBits(valuesOf({ weights: decayed.errors, biases: null }), valuesOf({ weights: without.errors, biases: null }), "errors");
      }),
      { numRuns },
    );
  });

  it("the delta weights are −η times the whole gradient, so that W ← (1 − ηλ')W − (η/B) δ oᵀ: every weight shrinks before the data's step", () => {
    fc.assert(
      fc.property(caseDocument({ uniform: true, weightDecay: generalWeightDecay() }), (document) => {
        const { network, inputs, targets, learningRate: eta, weightDecay } = parseCase(document);
        const step = trainingStep(network, inputs, targets, eta, undefined, weightDecay);
        expectSameBits(
          valuesOf(step.deltaWeights),
          valuesOf(step.gradients).map((gradient) => -eta * gradient),
          "delta weights",
        );
        const data = valuesOf({ weights: backpropagate(network, inputs, targets).gradients.weights, biases: null });
        const weights = valuesOf({ weights: network.weights, biases: null });
        valuesOf({ weights: step.updated.weights, biases: null }).forEach((updated, index) => {
          const w = weights[index]!;
          const shrunk = (1 - eta * weightDecay) * w - eta * data[index]!;
          const scale = Math.abs(w) * (1 + eta * weightDecay) + Math.abs(eta * data[index]!);
          if (!closeToScale(updated, shrunk, scale)) throw new Error(`weight ${index}: ${updated}, expected (1 − ηλ')w − ηg = ${shrunk}`);
        });
      }),
      { numRuns },
    );
  });

  it("at λ' = 0 nothing is added: the gradients are the same arrays, a −0 stays −0, and the step is the one without decay, bit for bit", () => {
    const gradients = { weights: [matrixFromRows([[-0, 1]])], biases: [vectorFromArray([-0])] };
    const weights = [matrixFromRows([[3, 4]])];
    expect(weightDecayGradients(gradients, weights, 0)).toBe(gradients);
    expect(Object.is(lossWithWeightDecay(-0, weights, 0), -0)).toBe(true);
    expect(Object.is(weightDecayGradients(gradients, weights, 0.5).weights[0]!.get(0, 0), 1.5)).toBe(true);
    expect(weightDecayGradients(gradients, weights, 0.5).biases).toBe(gradients.biases);
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const plain = trainingStep(network, inputs, targets, learningRate);
        const zero = trainingStep(network, inputs, targets, learningRate, undefined, 0);
        expectSameBits(
          [zero.loss, ...valuesOf(zero.gradients), ...valuesOf(zero.updated)],
          [plain.loss, ...valuesOf(plain.gradients), ...valuesOf(plain.updated)],
          "step",
        );
      }),
      { numRuns },
    );
  });

  it("analytic gradients with weight decay agree with central differences of the loss with its penalty, for every activation, loss, depth, width, batch and bias setting", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), (document) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        const report = checkGradients(network, inputs, targets, undefined, { weightDecay });
        if (!report.passed) {
          throw new Error(`gradient check failed at ${describeEntry(report.worst!)}, tolerance ${report.tolerance.toExponential(0)}`);
        }
        worst = Math.max(worst, report.maxRelativeError);
      }),
      { numRuns },
    );
    console.log(`gradient check with weight decay: worst relative error ${worst.toExponential(2)} (tolerance 1e-6)`);
  });

  it("the intuitive rule's step gains the same −ηλ'W: the penalty's share does not depend on how the errors were sent back", () => {
    const elementwise = hiddenActivations.map((activation) => [activation, "squared_error"] as const);
    fc.assert(
      fc.property(caseDocument({ uniform: true, outputs: elementwise, weightDecay: generalWeightDecay() }), (document) => {
        const { network, inputs, targets, learningRate: eta, weightDecay } = parseCase(document);
        const without = valuesOf({ weights: intuitiveStep(network, inputs, targets, eta).deltaWeights.weights, biases: null });
        const decayed = intuitiveStep(network, inputs, targets, eta, undefined, weightDecay).deltaWeights;
        const weights = valuesOf({ weights: network.weights, biases: null });
        valuesOf({ weights: decayed.weights, biases: null }).forEach((delta, index) => {
          const expected = without[index]! - eta * weightDecay * weights[index]!;
          const scale = Math.abs(without[index]!) + Math.abs(eta * weightDecay * weights[index]!);
          if (!closeToScale(delta, expected, 2 * scale)) throw new Error(`Δw ${index}: ${delta}, expected ${expected}`);
        });
        expectSameBits(
          valuesOf({ weights: [], biases: decayed.biases }),
          valuesOf({ weights: [], biases: intuitiveStep(network, inputs, targets, eta).deltaWeights.biases }),
          "the biases' steps",
        );
      }),
      { numRuns },
    );
  });

  it("Nielsen's λ over n training samples is the coefficient λ/n of every step: λ = 5 on 50,000 digits is 1e-4", () => {
    expect(stepWeightDecay(5, 50_000)).toBe(1e-4);
    expect(stepWeightDecay(0, 8000)).toBe(0);
    expect(() => stepWeightDecay(-1, 10)).toThrow(new ValueError("weightDecay must be a finite number ≥ 0, got -1"));
  });

  it("refuses a penalty or a step that overflows float64, in the reference step and the fused step of training alike", () => {
    // One identity unit, w = 2, x = 1, t = 0: the batch loss is 2, the penalty (λ'/2)·4.
    const { network, inputs, targets } = parseCase(oneUnitCase({ weights: [[[2]]] }));
    const workspace = () => createWorkspace(network.spec, 1);
    const penalty = new NumericError(
      "the loss with the weight-decay penalty overflowed to Infinity: the weights are too large for float64",
    );
    expect(() => trainingStep(network, inputs, targets, 0.1, undefined, Number.MAX_VALUE)).toThrow(penalty);
    expect(() => fusedTrainingStep(cloneNetwork(network), inputs, targets, 0.1, workspace(), { weightDecay: Number.MAX_VALUE })).toThrow(
      penalty,
    );
    // λ' = 1e300 keeps the penalty finite (2e300), but the step −η(2 + 2e300) of η = 1e10 does not.
    expect(() => trainingStep(network, inputs, targets, 1e10, undefined, 1e300)).toThrow(NumericError);
    expect(() => fusedTrainingStep(cloneNetwork(network), inputs, targets, 1e10, workspace(), { weightDecay: 1e300 })).toThrow(
      new NumericError(
        "the updated weights of layer 1 overflowed (an entry is not finite): the weights or inputs are too large for float64",
      ),
    );
  });

  it("refuses a coefficient that is negative, not finite or not a number, naming the field, the rule and the value", () => {
    for (const [value, shown] of [
      [-0.001, "-0.001"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      ["0.1", '"0.1"'],
      [null, "null"],
    ] as const) {
      expect(() => validateWeightDecay(value)).toThrow(new ValueError(`weightDecay must be a finite number ≥ 0, got ${shown}`));
      expect(() => validateWeightDecay(value, "--weight-decay")).toThrow(`--weight-decay must be a finite number ≥ 0, got ${shown}`);
      expect(() => validateWeightDecay(value, "weightDecay", FormatError)).toThrow(FormatError);
    }
    expect(() => validateWeightDecay(0)).not.toThrow();
    const { network, inputs, targets } = parseCase(fc.sample(caseDocument(), { numRuns: 1, seed: 2 })[0]!);
    expect(() => trainingStep(network, inputs, targets, 0.1, undefined, -1)).toThrow(ValueError);
    expect(() => backpropagate(network, inputs, targets, undefined, Number.NaN)).toThrow(ValueError);
  });
});
