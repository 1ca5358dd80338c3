import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activate, softmax } from "../../src/model/activations.js";
import { trainingStep } from "../../src/model/backprop.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { batchLoss, fusedOutputDelta, isFusedLoss, isLossName, type FusedLossName } from "../../src/model/losses.js";
import { matrixFromRows, matrixToRows, zeros, type Matrix } from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { rowBelow, topRowsOf } from "../support/parameters.js";
import { constant, untouched } from "../support/layouts.js";

const column = (values: readonly number[]): Matrix => matrixFromRows(values.map((value) => [value]));
const outputActivation = { cross_entropy: "softmax", binary_cross_entropy: "sigmoid" } as const;
const lossOfLogits = (loss: FusedLossName, logits: readonly number[], targets: readonly number[]): number => {
  const z = column(logits);
  return batchLoss(loss, outputActivation[loss], z, activate(outputActivation[loss], z), column(targets));
};

const logitsAndTargets = fc
  .integer({ min: 1, max: 6 })
  .chain((units) =>
    fc.tuple(
      fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: units, maxLength: units }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: units, maxLength: units }),
    ),
  );

/** Logits and targets of one shape, $n$ from 1 to 6 units and $B$ from 1 to 4 samples. */
const logitsAndTargetBatches = fc.integer({ min: 1, max: 6 }).chain((units) =>
  fc.integer({ min: 1, max: 4 }).chain((samples) => {
    const batch = (entry: fc.Arbitrary<number>) =>
      fc.array(fc.array(entry, { minLength: samples, maxLength: samples }), { minLength: units, maxLength: units });
    return fc.tuple(batch(fc.double({ min: -20, max: 20, noNaN: true })), batch(fc.double({ min: 0, max: 1, noNaN: true })));
  }),
);
/** What the row below a view holds: read as an output or a target it would swamp $o \sum_k t_k - t$. */
const poison = 1e4;

describe("losses", () => {
  it("squared error is ½ Σ (t − o)² per sample and the batch loss is the mean over samples", () => {
    const outputs = matrixFromRows([
      [0.2, 0.9],
      [0.5, 0.1],
    ]);
    const targets = matrixFromRows([
      [1, 0],
      [0, 1],
    ]);
    const first = 0.5 * (0.8 * 0.8 + 0.5 * 0.5);
    const second = 0.5 * (0.9 * 0.9 + 0.9 * 0.9);
    expect(batchLoss("squared_error", "identity", zeros(2, 2), outputs, targets)).toBeCloseTo((first + second) / 2, 15);
  });

  it("the cross-entropies equal their textbook formulas wherever those are accurate (|z| ≤ 10)", () => {
    // Beyond |z| ≈ 10 the textbook log(1 − σ(z)) loses digits to cancellation; that is why the
    // library computes it as softplus(z) from the logits instead.
    fc.assert(
      fc.property(logitsAndTargets, ([wide, targets]) => {
        const logits = wide.map((z) => z / 2);
        const softmaxOutputs = activate("softmax", column(logits)).data;
        const crossEntropy = -targets.reduce((sum, t, k) => sum + t * Math.log(softmaxOutputs[k]!), 0);
        expect(lossOfLogits("cross_entropy", logits, targets)).toBeCloseTo(crossEntropy, 10);
        const sigmoidOutputs = activate("sigmoid", column(logits)).data;
        const binary = -targets.reduce(
          (sum, t, k) => sum + t * Math.log(sigmoidOutputs[k]!) + (1 - t) * Math.log(1 - sigmoidOutputs[k]!),
          0,
        );
        expect(lossOfLogits("binary_cross_entropy", logits, targets)).toBeCloseTo(binary, 10);
      }),
      { numRuns },
    );
  });

  it("the cross-entropies stay finite and exact for logits so large that the outputs round to 0 and 1", () => {
    expect(lossOfLogits("cross_entropy", [1000, 0], [0, 1])).toBe(1000);
    expect(lossOfLogits("cross_entropy", [1000, 0], [1, 0])).toBe(0);
    expect(lossOfLogits("binary_cross_entropy", [-800], [1])).toBe(800);
    expect(lossOfLogits("binary_cross_entropy", [800], [0])).toBe(800);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (logits, target) => {
          const targets = logits.map(() => target);
          expect(Number.isFinite(lossOfLogits("cross_entropy", logits, targets))).toBe(true);
          expect(Number.isFinite(lossOfLogits("binary_cross_entropy", logits, targets))).toBe(true);
        },
      ),
      { numRuns },
    );
  });

  it("cross-entropy leaves out the terms whose target is 0, so a logit of −∞ there, whose softmax output 0 is exact, costs nothing: the loss stays finite", () => {
    // 0 · (z_k − lse) would be 0 · (−∞) = NaN; the term t_k log o_k is 0 for t_k = 0 whatever o_k.
    expect(lossOfLogits("cross_entropy", [-Infinity, 0], [0, 1])).toBe(0);
    expect(lossOfLogits("cross_entropy", [-Infinity, Math.log(3), 0], [0, 0.5, 0.5])).toBeCloseTo(
      0.5 * Math.log(4 / 3) + 0.5 * Math.log(4),
      15,
    );
    // Reached through the public step: a weight of −10³⁰⁰ on an input of 10¹⁰ overflows z₁ to
    // −∞ while the outputs stay finite, (0, 1), and the step accepts it.
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 2],
      activations: ["softmax"],
      loss: "cross_entropy",
      weights: [[[-1e300], [0]]],
      biases: null,
      inputs: [[1e10]],
      targets: [[0, 1]],
      learningRate: 0.1,
    });
    const step = trainingStep(network, inputs, targets, 0.1);
    expect(step.trace.preactivations[0]!.get(0, 0)).toBe(-Infinity);
    expect(step.loss).toBe(0);
  });

  it("the fused output delta is the derivative of the loss with respect to the output preactivations, even for soft targets that do not sum to one", () => {
    fc.assert(
      fc.property(logitsAndTargets, fc.constantFrom<FusedLossName>("cross_entropy", "binary_cross_entropy"), ([logits, targets], loss) => {
        const outputs = activate(outputActivation[loss], column(logits));
        const delta = fusedOutputDelta(loss, column(logits), outputs, column(targets));
        logits.forEach((z, k) => {
          const h = 1e-6 * Math.max(1, Math.abs(z));
          const up = logits.map((value, index) => (index === k ? z + h : value));
          const down = logits.map((value, index) => (index === k ? z - h : value));
          const numeric = (lossOfLogits(loss, up, targets) - lossOfLogits(loss, down, targets)) / (z + h - (z - h));
          expect(Math.abs(delta.get(k, 0) - numeric)).toBeLessThan(1e-7);
        });
      }),
      { numRuns },
    );
  });

  it("the fused output delta of the first rows of larger matrices equals that of fresh copies, and neither reads nor writes the rows below, for cross-entropy and binary cross-entropy", () => {
    fc.assert(
      fc.property(
        logitsAndTargetBatches,
        fc.constantFrom<FusedLossName>("cross_entropy", "binary_cross_entropy"),
        ([logits, targets], loss) => {
          const [units, samples] = [logits.length, logits[0]!.length];
          const outputs = matrixToRows(activate(outputActivation[loss], matrixFromRows(logits)));
          const expected = matrixToRows(fusedOutputDelta(loss, matrixFromRows(logits), matrixFromRows(outputs), matrixFromRows(targets)));
          const z = topRowsOf(logits, poison);
          const o = topRowsOf(outputs, poison);
          const t = topRowsOf(targets, poison);
          const into = topRowsOf(
            Array.from({ length: units }, () => constant(samples, 0)),
            untouched,
          );
          expect(matrixToRows(fusedOutputDelta(loss, z.view, o.view, t.view, into.view))).toEqual(expected);
          expect(rowBelow(z.whole)).toEqual(constant(samples, poison));
          expect(rowBelow(into.whole)).toEqual(constant(samples, untouched));
          expect(rowBelow(o.whole)).toEqual(constant(samples, poison));
          expect(rowBelow(t.whole)).toEqual(constant(samples, poison));
        },
      ),
      { numRuns },
    );
  });

  it("names are recognised exactly, and only the cross-entropies are fused with their activation", () => {
    expect(isLossName("squared_error")).toBe(true);
    expect(isLossName("mse")).toBe(false);
    expect(isFusedLoss("cross_entropy")).toBe(true);
    expect(isFusedLoss("binary_cross_entropy")).toBe(true);
    expect(isFusedLoss("squared_error")).toBe(false);
  });

  it("each loss at a point computed by hand", () => {
    const t = matrixFromRows([[1], [0]]);
    const o = matrixFromRows([[0.75], [0.5]]);
    expect(batchLoss("squared_error", "identity", o, o, t)).toBe(0.5 * (0.0625 + 0.25));
    const z = matrixFromRows([[0], [0]]);
    expect(batchLoss("cross_entropy", "softmax", z, softmax(z), t)).toBeCloseTo(Math.LN2, 15);
    expect(batchLoss("binary_cross_entropy", "sigmoid", z, activate("sigmoid", z), t)).toBeCloseTo(2 * Math.LN2, 15);
    const twoSamples = matrixFromRows([[1, 3]]);
    expect(batchLoss("squared_error", "identity", twoSamples, twoSamples, matrixFromRows([[0, 0]]))).toBe((0.5 + 4.5) / 2);
  });
});

describe("the batch loss near float64's limit", () => {
  it("is the mean of finite per-sample losses even when their sum overflows, and the plain sum divided by B otherwise", () => {
    const outputs = matrixFromRows([[0, 0, 0]]);
    const large = matrixFromRows([[1.5e154, 1.5e154, 1e154]]);
    const perSample = [0.5 * 1.5e154 * 1.5e154, 0.5 * 1.5e154 * 1.5e154, 0.5 * 1e154 * 1e154];
    expect(perSample.every(Number.isFinite)).toBe(true);
    expect(perSample.reduce((sum, loss) => sum + loss, 0)).toBe(Infinity);
    expect(batchLoss("squared_error", "identity", outputs, outputs, large)).toBe(perSample.reduce((mean, loss) => mean + loss / 3, 0));
    // An ordinary batch keeps the rounding of the definition, (E_1 + E_2 + E_3) / 3.
    const ordinary = matrixFromRows([[0.1, 0.7, 0.3]]);
    const sum = [0.1, 0.7, 0.3].reduce((total, t) => total + 0.5 * t * t, 0);
    expect(batchLoss("squared_error", "identity", outputs, outputs, ordinary)).toBe(sum / 3);
  });
});
