/**
 * The 100-digit oracle against the float64 reference: the examples of issue 18 pinned to the
 * last digit, the precision law on random and on saturating cases, the derivation's forms
 * computed as written rejected beside it, and the other oracles judged by it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";
import { saturatingCaseDocument } from "../../src/conformance/saturating-case-arbitrary.js";
import { caseFormat, type CaseDocument, caseResult, parseCase, type Problem } from "../../src/conformance/case-format.js";
import { assertExactlyRounded } from "../../src/conformance/exactly-rounded.js";
import { mistakenResult, weightDecayMistakeNames } from "../../src/conformance/mistakes.js";
import { NumericError } from "../../src/numeric/errors.js";
import { sigmoid } from "../../src/model/activations.js";
import { trainingStep } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { compareGradients, defaultFloor } from "../../src/oracles/comparison.js";
import { numericGradients } from "../../src/oracles/finite-differences.js";
import { complexStepGradients } from "../../src/oracles/complex-step.js";
import {
  compareWithExact,
  describeDistance,
  distanceToExact,
  type ExactComparison,
  exactQuantities,
  exactRoundings,
  roundedParameters,
  ulp,
  wellConditioned,
  type Distance,
  type ExactQuantity,
} from "../../src/oracles/exact-comparison.js";
import { type Exact, ExactDecimal, exactDecimal } from "../../src/oracles/exact-arithmetic.js";
import { type ExactMatrix, exactStep } from "../../src/oracles/exact-step.js";
import { exampleProblem } from "../support/fixtures.js";
import { workedExampleDecimal } from "../support/worked-example.js";
import { numRuns } from "../support/arbitraries.js";
import { anyWeightDecay } from "../support/weight-decay.js";

/** The float64 step of a case beside the exact one, with the case's weight decay. */
function judged(problem: Problem): ExactComparison {
  const { network, inputs, targets, learningRate, weightDecay } = problem;
  const step = trainingStep(network, inputs, targets, learningRate, undefined, weightDecay);
  return compareWithExact({ ...step, outputs: step.trace.outputs.at(-1)! }, exactStep(network, inputs, targets, learningRate, weightDecay));
}

/** A one-layer case of the issue: weights, one sample. */
function oneLayer(activation: string, loss: string, weights: number[][], inputs: number[], targets: number[]): Problem {
  return parseCase({
    format: caseFormat,
    sizes: [weights[0]!.length, weights.length],
    activations: [activation],
    loss,
    weights: [weights],
    biases: null,
    inputs: [inputs],
    targets: [targets],
    learningRate: 0.5,
  });
}

/** Runs the precision law on cases from `cases` and prints the worst distance of each quantity. */
function expectAgreement(cases: fc.Arbitrary<CaseDocument>, label: string, examples: CaseDocument[] = []): void {
  const worst: Partial<Record<ExactQuantity, Distance>> = {};
  const wellConditionedWorst: Partial<Record<ExactQuantity, number>> = {};
  fc.assert(
    fc.property(cases, (document) => {
      const comparison = judged(parseCase(document));
      for (const quantity of exactQuantities) {
        const seen = comparison.worst[quantity];
        const before = worst[quantity] ?? { ulps: 0, roundings: 0 };
        if (seen !== undefined)
          worst[quantity] = { ulps: Math.max(before.ulps, seen.ulps), roundings: Math.max(before.roundings, seen.roundings) };
      }
      for (const [quantity, ulps] of Object.entries(comparison.worstWellConditioned) as [ExactQuantity, number][]) {
        wellConditionedWorst[quantity] = Math.max(wellConditionedWorst[quantity] ?? 0, ulps);
      }
      if (comparison.disagreements.length > 0) {
        throw new Error(
          `${comparison.disagreements.length} entries disagree; the first: ${describeDistance(comparison.disagreements[0]!)}`,
        );
      }
    }),
    { numRuns, examples: examples.map((example) => [example]) },
  );
  const summary = exactQuantities.map(
    (quantity) =>
      `${quantity} ${worst[quantity]!.roundings.toPrecision(3)} roundings, ${worst[quantity]!.ulps.toPrecision(3)} ulps, ` +
      `${(wellConditionedWorst[quantity] ?? 0).toPrecision(3)} ulps where s(q) ≤ ${wellConditioned}|q|`,
  );
  console.log(`${label}, ${numRuns} cases, the worst per quantity: ${summary.join("; ")}`);
}

describe("the 100-digit oracle", () => {
  it("the examples of issue 18 come out as their exact values rounded to float64, or within the ulp or two of the last rounding", () => {
    // [what, case, the quantity, the float64 value, the exact value rounded, ulps between them at most]
    const examples: [string, Problem, (step: ReturnType<typeof trainingStep>) => number, number, number, number][] = [
      [
        "σ'(40) in the gradient of a 1-1 sigmoid network, weight 40, target 0",
        oneLayer("sigmoid", "squared_error", [[40]], [1], [0]),
        (step) => step.gradients.weights[0]!.get(0, 0),
        4.248354255291589e-18,
        4.248354255291589e-18,
        0.5,
      ],
      [
        "σ'(20), weight 20, target 0",
        oneLayer("sigmoid", "squared_error", [[20]], [1], [0]),
        (step) => step.gradients.weights[0]!.get(0, 0),
        2.061153609693495e-9,
        2.061153609693495e-9,
        0.5,
      ],
      [
        "σ'(20) and 1 − σ(20), weight 20, target 1",
        oneLayer("sigmoid", "squared_error", [[20]], [1], [1]),
        (step) => step.gradients.weights[0]!.get(0, 0),
        -4.248354229022056e-18,
        -4.248354229022057e-18,
        1,
      ],
      [
        "tanh'(15), weight 15, target 0",
        oneLayer("tanh", "squared_error", [[15]], [1], [0]),
        (step) => step.gradients.weights[0]!.get(0, 0),
        3.7430491875346694e-13,
        3.743049187534669e-13,
        1.5,
      ],
      [
        "a 1-2 softmax with cross-entropy, weights [30, 0]: the hot unit's gradient",
        oneLayer("softmax", "cross_entropy", [[30], [0]], [1], [1, 0]),
        (step) => step.gradients.weights[0]!.get(0, 0),
        -9.3576229688393e-14,
        -9.357622968839299e-14,
        1,
      ],
      [
        "its loss",
        oneLayer("softmax", "cross_entropy", [[30], [0]], [1], [1, 0]),
        (step) => step.loss,
        9.357622968839737e-14,
        9.357622968839737e-14,
        0.5,
      ],
      [
        "the cross-entropy of logits 500 and 485",
        oneLayer("softmax", "cross_entropy", [[500], [485]], [1], [1, 0]),
        (step) => step.loss,
        3.059022737137205e-7,
        3.059022737137205e-7,
        0.5,
      ],
      [
        "a 1-2 softmax with squared error, weights [30, 0]: the hot unit's gradient",
        oneLayer("softmax", "squared_error", [[30], [0]], [1], [1, 0]),
        (step) => step.gradients.weights[0]!.get(0, 0),
        -1.7513021525388133e-26,
        -1.7513021525388124e-26,
        4,
      ],
    ];
    for (const [what, problem, quantity, float64, exactRounded, ulps] of examples) {
      const { network, inputs, targets, learningRate } = problem;
      const step = trainingStep(network, inputs, targets, learningRate);
      const exact = exactStep(network, inputs, targets, learningRate);
      expect(quantity(step), what).toBe(float64);
      const comparison = compareWithExact({ ...step, outputs: step.trace.outputs.at(-1)! }, exact);
      expect(comparison.disagreements, what).toEqual([]);
      const exactValue = what.includes("loss") || what.includes("cross-entropy of") ? exact.loss : exact.gradients.weights[0]![0]![0]!;
      expect(exactValue.value.toNumber(), what).toBe(exactRounded);
      expect(distanceToExact(float64, exactValue).ulps, what).toBeLessThanOrEqual(ulps);
    }
  });

  it(`every quantity of a step (loss, outputs, deltas, gradients, delta weights, updated weights) agrees with the 100-digit oracle to ${exactRoundings} roundings, on every entry of random cases`, () => {
    expectAgreement(caseDocument({ depth: { min: 1, max: 4 }, width: { min: 1, max: 6 }, batch: { min: 1, max: 4 } }), "random cases");
  });

  it(`every quantity of a step with weight decay (the loss with its penalty, the gradients with λ'W) agrees with the 100-digit oracle to ${exactRoundings} roundings, on every entry of random cases, subnormal coefficients among them`, () => {
    expectAgreement(
      caseDocument({
        depth: { min: 1, max: 4 },
        width: { min: 1, max: 6 },
        batch: { min: 1, max: 4 },
        weightDecay: anyWeightDecay(),
      }),
      "random cases with weight decay",
    );
  });

  it("rejects every mistake of the weight decay as a disagreement with the exact step (negative control): the decay ignored, the biases decayed, the decay not scaled by η, the penalty out of the loss, the penalty without its ½", () => {
    fc.assert(
      fc.property(
        caseDocument({ uniform: true, biases: true, weightDecay: fc.integer({ min: 1, max: 100 }).map((hundredths) => hundredths / 100) }),
        (document) => {
          const problem = parseCase(document);
          fc.pre(problem.learningRate !== 1);
          const exact = exactStep(problem.network, problem.inputs, problem.targets, problem.learningRate, problem.weightDecay);
          for (const mistake of weightDecayMistakeNames) {
            expect(() => assertExactlyRounded(problem, mistakenResult(mistake, problem), exact), mistake).toThrow(NumericError);
          }
          expect(() => assertExactlyRounded(problem, caseResult(problem), exact)).not.toThrow();
        },
      ),
      { numRuns: Math.max(1, Math.floor(numRuns / 4)) },
    );
  });

  it(`every quantity of a step agrees with the 100-digit oracle to ${exactRoundings} roundings, on every entry however small, of cases that saturate: weights of 10 to 40, logits of hundreds, confident softmax, targets at the asymptotes and soft`, () => {
    // A counterexample of a deep run, kept: equal logits give o = 1/2 exactly, and the delta
    // o Σt − t of soft targets rounds the sum of the targets, which the oracle must count.
    const equalLogitsSoftTargets: CaseDocument = {
      format: caseFormat,
      sizes: [1, 2],
      activations: ["softmax"],
      loss: "cross_entropy",
      weights: [[[10], [10]]],
      biases: null,
      inputs: [[0], [0], [-1]],
      targets: [
        [0.5, 0.5],
        [0.5, 0.5],
        [0.7417275911648586, 0.2582724088351414],
      ],
      learningRate: 0,
    };
    expectAgreement(saturatingCaseDocument(), "saturating cases", [equalLogitsSoftTargets]);
  });

  it("rejects the derivation's forms computed as written, where units saturate (negative control): s(1 − s), 1 − t², 1 − o by subtraction, z − (m + log Σ)", () => {
    const sigmoid20 = oneLayer("sigmoid", "squared_error", [[20]], [1], [0]);
    const exactSigmoid = exactStep(sigmoid20.network, sigmoid20.inputs, sigmoid20.targets, 0.5);
    const s = sigmoid(20);
    expect(distanceToExact(s * s * (1 - s), exactSigmoid.gradients.weights[0]![0]![0]!).roundings).toBeGreaterThan(1e6);

    const tanh15 = oneLayer("tanh", "squared_error", [[15]], [1], [0]);
    const exactTanh = exactStep(tanh15.network, tanh15.inputs, tanh15.targets, 0.5);
    const t = Math.tanh(15);
    expect(distanceToExact(t * (1 - t * t), exactTanh.gradients.weights[0]![0]![0]!).roundings).toBeGreaterThan(1e6);

    const confident = oneLayer("softmax", "cross_entropy", [[30], [0]], [1], [1, 0]);
    const exactConfident = exactStep(confident.network, confident.inputs, confident.targets, 0.5);
    const o = 1 / (1 + Math.exp(-30));
    expect(distanceToExact(o * 1 - 1, exactConfident.gradients.weights[0]![0]![0]!).roundings).toBeGreaterThan(1e6);

    const logits = oneLayer("softmax", "cross_entropy", [[500], [485]], [1], [1, 0]);
    const exactLogits = exactStep(logits.network, logits.inputs, logits.targets, 0.5);
    const groupedLogSoftmax = 500 - (500 + Math.log(1 + Math.exp(-15)));
    expect(distanceToExact(-groupedLogSoftmax, exactLogits.loss).roundings).toBeGreaterThan(1e4);
  });

  it(`counts in ulps and in roundings: one ulp off the exact value rounded is one more ulp, and ${exactRoundings + 1} roundings off is a disagreement that names the quantity, the entry, both values and the distance`, () => {
    const problem = oneLayer("sigmoid", "squared_error", [[40]], [1], [0]);
    const { network, inputs, targets, learningRate } = problem;
    const step = trainingStep(network, inputs, targets, learningRate);
    const exact = exactStep(network, inputs, targets, learningRate);
    const gradient = step.gradients.weights[0]!.get(0, 0);
    const exactGradient = exact.gradients.weights[0]![0]![0]!;
    // One ulp further from the exact value than the rounded gradient is.
    const offByOne = gradient + (exactDecimal(gradient).greaterThan(exactGradient.value) ? 1 : -1) * ulp(gradient);
    expect(distanceToExact(gradient, exactGradient).ulps).toBeLessThanOrEqual(0.5);
    expect(distanceToExact(offByOne, exactGradient).ulps).toBeGreaterThan(1);
    expect(distanceToExact(offByOne, exactGradient).ulps - distanceToExact(gradient, exactGradient).ulps).toBeCloseTo(1, 6);

    const moved = step.gradients.weights[0]!.get(0, 0) + (exactRoundings + 1) * 2 ** -53 * exactGradient.scale;
    step.gradients.weights[0]!.set(0, 0, moved);
    const comparison = compareWithExact({ ...step, outputs: step.trace.outputs.at(-1)! }, exact);
    expect(comparison.disagreements.map((entry) => entry.quantity)).toEqual(["gradients"]);
    const [disagreement] = comparison.disagreements;
    expect(disagreement!.roundings).toBeGreaterThan(exactRoundings);
    expect(describeDistance(disagreement!)).toBe(
      `gradients.weights[0][0][0]: float64 ${moved}, exact 4.248354255291588941183693e-18: ` +
        `${Number(disagreement!.ulps.toPrecision(3))} ulps, ${Number(disagreement!.roundings.toPrecision(3))} roundings (at most 8 agree)`,
    );
  });

  it("judges the other oracles: central differences are within their tolerance, 1e-6, and the complex step within its own, 1e-12, of the exact gradients rounded, on random cases", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 1, max: 3 }, width: { min: 1, max: 4 }, batch: { min: 1, max: 3 } }), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const exact = roundedParameters(exactStep(network, inputs, targets, learningRate).gradients);
        const floor = defaultFloor(networkLoss(network, inputs, targets));
        const central = compareGradients(exact, numericGradients(network, inputs, targets), { tolerance: 1e-6, floor });
        if (!central.passed) throw new Error(`central differences are ${central.maxRelativeError} from the exact gradients`);
        const complex = compareGradients(exact, complexStepGradients(network, inputs, targets), { tolerance: 1e-12, floor });
        if (!complex.passed) throw new Error(`the complex step is ${complex.maxRelativeError} from the exact gradients`);
      }),
      { numRuns: Math.max(1, Math.floor(numRuns / 4)) },
    );
  });

  it("agrees with the worked example's independent 50-digit computation (scripts/worked-example-decimal.py) to 45 digits, on every quantity", () => {
    const { network, inputs, targets, learningRate } = exampleProblem();
    const exact = exactStep(network, inputs, targets, learningRate);
    const expectDigits = (value: Exact, decimal: string, what: string): void => {
      const difference = value.value.minus(decimal).abs().dividedBy(new ExactDecimal(decimal).abs());
      if (!difference.lessThan("1e-45")) throw new Error(`${what}: 100 digits give ${value.value.toString()}, 50 digits ${decimal}`);
    };
    expectDigits(exact.loss, workedExampleDecimal.loss, "the loss");
    const matrices = (name: "preactivations" | "outputs" | "deltas", of: readonly ExactMatrix[]): void =>
      workedExampleDecimal[name].forEach((rows, l) =>
        rows.forEach((row, j) => row.forEach((decimal, b) => expectDigits(of[l]![j]![b]!, decimal, `${name}[${l}][${j}][${b}]`))),
      );
    matrices("preactivations", exact.preactivations);
    matrices("outputs", exact.outputs.slice(-workedExampleDecimal.outputs.length));
    matrices("deltas", exact.deltas);
    for (const quantity of ["gradients", "deltaWeights", "updated"] as const) {
      workedExampleDecimal[quantity].weights.forEach((rows, l) =>
        rows.forEach((row, j) =>
          row.forEach((decimal, k) => expectDigits(exact[quantity].weights[l]![j]![k]!, decimal, `${quantity}[${l}][${j}][${k}]`)),
        ),
      );
    }
  });
});
