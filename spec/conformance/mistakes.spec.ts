/**
 * The catalogue of known mistakes: each mistake that applies to a case changes its result, and
 * `verify` names it from that result; where it does not apply for its documented reason it gives
 * the reference result number for number (or cannot be computed, as in a foreign
 * implementation); and the library makes each mistake as a plain-array computation of its
 * formula does, and as the worked example's 50-digit numbers say.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CaseConstraints, caseDocument, hiddenActivations, outputPairs } from "../../src/conformance/case-arbitrary.js";
import { type CaseDocument, caseResult, parseCase, type ResultDocument } from "../../src/conformance/case-format.js";
import { mistakeCatalogue, mistakeDescriptions, type MistakeName, mistakeNames } from "../../src/conformance/mistake-catalogue.js";
import { mistakeApplies, mistakenResult } from "../../src/conformance/mistakes.js";
import { verifyTolerance } from "../../src/conformance/tolerance.js";
import { compareResults, matchingMistake } from "../../src/conformance/verify.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import type { ActivationName, ElementwiseActivationName } from "../../src/model/activations.js";
import type { LossName } from "../../src/model/losses.js";
import { ShapeError, SpecError } from "../../src/numeric/errors.js";
import { numRuns } from "../support/arbitraries.js";
import { plainMistakes, plainStep } from "../support/plain-step.js";
import { workedExampleDecimal } from "../support/worked-example.js";

type Pair = readonly [ActivationName, LossName];

/** Exactly the same numbers: no tolerance at all. */
const exactly = { relative: 0, absolute: 0 };

/**
 * The activations of the laws on general numbers. `relu` and `leaky_relu` are left out: a layer
 * of them whose units are all on has the slope 1 of `identity`, and a `relu` unit that is off
 * sends back an error of exactly 0; both happen on sets of cases of positive measure (half the
 * cases of a one-unit layer and one sample), and there a mistake of the slopes or of the layers
 * below can agree with the reference. Their own law is the one of `derivative-at-output` below.
 */
const smooth: readonly ElementwiseActivationName[] = ["sigmoid", "tanh", "softplus", "identity"];
const smoothPairs = (): Pair[] => outputPairs.filter(([activation]) => activation !== "relu" && activation !== "leaky_relu");

/**
 * Cases with general numbers (drawn uniformly, so that no weight, input or learning rate is tiny
 * enough to hide a mistake under the comparison's absolute tolerance) of the shapes where the
 * mistake applies often; the properties still keep only those where it applies.
 */
function generalCases(name: MistakeName): fc.Arbitrary<CaseDocument> {
  // The mistakes of the weight decay need one; the others are made on cases with and without.
  if (weightDecayMistakes.includes(name)) return generalCasesOf(name, { weightDecay: generalWeightDecay() });
  return fc.oneof(generalCasesOf(name, {}), generalCasesOf(name, { weightDecay: generalWeightDecay() }));
}

/** The mistakes of the weight decay, which apply to a case@2 with a weightDecay above 0 only. */
const weightDecayMistakes: readonly MistakeName[] = [
  "weight-decay-ignored",
  "decayed-biases",
  "decay-without-learning-rate",
  "penalty-left-out-of-loss",
  "penalty-without-half",
];

/** A general weight decay: uniform in [0.01, 1], so that its share c W of a gradient is not hidden by the tolerance. */
const generalWeightDecay = (): fc.Arbitrary<number> => fc.integer({ min: 1, max: 100 }).map((hundredths) => hundredths / 100);

/** {@link generalCases} with more constraints (the weight decay): the shapes where the mistake applies often. */
function generalCasesOf(name: MistakeName, more: CaseConstraints): fc.Arbitrary<CaseDocument> {
  const general = { uniform: true, hidden: smooth, outputs: smoothPairs(), ...more } as const;
  switch (name) {
    case "intuitive-rule":
      return caseDocument({ ...general, outputs: smoothPairs().filter(([activation]) => activation !== "softmax") });
    case "missing-derivative":
      return caseDocument({ ...general, depth: { min: 2, max: 4 } });
    case "weights-updated-early":
      // The mistake changes the result through the step it takes early, in proportion to η: a
      // learning rate of 2^-28, which the uniform draw can give, changes it by less than the
      // tolerance. General numbers here are learning rates of 0.05 and more. The change is also
      // quadratic in the output delta (the early step moves W by η δ oᵀ, and δ goes back through
      // it): a saturated output, δ near 1e-6 (a softmax at 0.9999986 once), changes the hidden
      // gradients by about 1e-13, below the absolute tolerance. General numbers here are output
      // layers whose weights' gradient reaches 1e-4 somewhere.
      return caseDocument({
        ...general,
        depth: { min: 2, max: 4 },
        learningRate: fc.integer({ min: 5, max: 100 }).map((hundredths) => hundredths / 100),
      }).filter((document) => {
        const last = caseResult(parseCase(document)).gradients.weights.at(-1)!;
        return last.some((row) => row.some((entry) => Math.abs(entry) >= 1e-4));
      });
    case "transposed-hidden-error":
      // Every hidden layer's next matrix square: one width for every layer.
      return fc
        .integer({ min: 2, max: 5 })
        .chain((width) => caseDocument({ ...general, depth: { min: 2, max: 4 }, width: { min: width, max: width } }));
    case "batch-sum":
      return caseDocument({ ...general, batch: { min: 2, max: 5 } });
    case "bias-sum":
      return caseDocument({ ...general, batch: { min: 2, max: 5 }, biases: true });
    case "softmax-jacobian-twice":
      return caseDocument({ ...general, outputs: [["softmax", "cross_entropy"]], width: { min: 2, max: 6 } });
    case "decayed-biases":
      return caseDocument({ ...general, biases: true });
    default:
      return caseDocument(general);
  }
}

/** The case with its output layer cut to its first unit. */
function withOneOutput(document: CaseDocument): CaseDocument {
  const L = document.weights.length;
  return {
    ...document,
    sizes: [...document.sizes.slice(0, L), 1],
    weights: [...document.weights.slice(0, L - 1), [document.weights[L - 1]![0]!]],
    biases: document.biases === null ? null : [...document.biases.slice(0, L - 1), [document.biases[L - 1]![0]!]],
    targets: document.targets.map((row) => [row[0]!]),
  };
}

/** The case with every weight matrix above the first replaced by its symmetric part, $\frac12 (W + W^\top)$ (square matrices only). */
function withSymmetricNextWeights(document: CaseDocument): CaseDocument {
  return {
    ...document,
    weights: document.weights.map((matrix, index) =>
      index === 0 ? matrix : matrix.map((row, j) => row.map((entry, k) => (entry + matrix[k]![j]!) / 2)),
    ),
  };
}

/** What a mistake gives where it does not apply: the reference result, or an error of the kind a foreign implementation meets. */
type Outcome = "the reference result" | typeof SpecError | typeof ShapeError;

/** A documented reason for a mistake not to apply, and cases that have it. */
interface Reason {
  readonly reason: string;
  readonly cases: fc.Arbitrary<CaseDocument>;
  readonly outcome: Outcome;
}

/** The reasons of `mistakeApplies`, mistake by mistake (built inside the tests, as every arbitrary here). */
function reasonsNotToApply(name: MistakeName): Reason[] {
  const reference = "the reference result";
  const oneSoftmaxUnit: Reason = {
    reason: "a one-unit softmax output, the constant 1: every gradient is 0",
    cases: caseDocument({
      outputs: [
        ["softmax", "squared_error"],
        ["softmax", "cross_entropy"],
      ],
    }).map(withOneOutput),
    outcome: reference,
  };
  const withRate = (rate: number) => caseDocument().map((document) => ({ ...document, learningRate: rate }));
  switch (name) {
    case "intuitive-rule":
      return [
        {
          reason: "squared error with identity layers above the first (the rule leaves out slopes of 1)",
          cases: fc
            .tuple(caseDocument({ hidden: ["identity"], outputs: [["identity", "squared_error"]] }), fc.constantFrom(...hiddenActivations))
            .map(([document, first]) => ({ ...document, activations: [first, ...document.activations.slice(1)] })),
          outcome: reference,
        },
        {
          reason: "a softmax layer, which the rule cannot handle",
          cases: caseDocument({ outputs: [["softmax", "squared_error"]] }),
          outcome: SpecError,
        },
      ];
    case "missing-derivative":
      return [
        { reason: "identity hidden layers, or none", cases: caseDocument({ hidden: ["identity"] }), outcome: reference },
        oneSoftmaxUnit,
      ];
    case "derivative-at-output":
      return [
        {
          reason: "relu, leaky_relu and identity layers, whose output has the sign of their weighted sum, and outputs without f'",
          cases: caseDocument({
            hidden: ["relu", "leaky_relu", "identity"],
            outputs: [
              ["relu", "squared_error"],
              ["leaky_relu", "squared_error"],
              ["identity", "squared_error"],
              ["softmax", "squared_error"],
              ["softmax", "cross_entropy"],
              ["sigmoid", "binary_cross_entropy"],
            ],
          }),
          outcome: reference,
        },
        oneSoftmaxUnit,
      ];
    case "transposed-hidden-error":
      return [
        { reason: "no hidden layer", cases: caseDocument({ depth: { min: 1, max: 1 } }), outcome: reference },
        {
          reason: "symmetric square next matrices",
          cases: fc
            .integer({ min: 1, max: 5 })
            .chain((width) => caseDocument({ depth: { min: 2, max: 4 }, width: { min: width, max: width } }))
            .map(withSymmetricNextWeights),
          outcome: reference,
        },
        {
          reason: "a next matrix that is not square, where W delta is a shape error",
          cases: caseDocument({ depth: { min: 2, max: 4 } }).filter((document) =>
            document.sizes.slice(1).some((size, index) => index > 0 && size !== document.sizes[index]),
          ),
          outcome: ShapeError,
        },
        // A one-unit output makes every square next matrix 1 x 1, and so symmetric: the reason above.
      ];
    case "transposed-weights":
      return [{ reason: "1 x 1 weight matrices only", cases: caseDocument({ width: { min: 1, max: 1 } }), outcome: reference }];
    case "batch-sum":
      return [{ reason: "one sample", cases: caseDocument({ batch: { min: 1, max: 1 } }), outcome: reference }, oneSoftmaxUnit];
    case "bias-sum":
      return [
        { reason: "one sample", cases: caseDocument({ batch: { min: 1, max: 1 } }), outcome: reference },
        { reason: "no biases", cases: caseDocument({ biases: false }), outcome: reference },
        oneSoftmaxUnit,
      ];
    case "weights-updated-early":
      return [
        { reason: "no hidden layer", cases: caseDocument({ depth: { min: 1, max: 1 } }), outcome: reference },
        { reason: "a learning rate of 0", cases: withRate(0), outcome: reference },
        oneSoftmaxUnit,
      ];
    case "softmax-jacobian-twice":
      return [
        {
          reason: "a loss other than cross-entropy",
          cases: caseDocument({ outputs: outputPairs.filter(([, loss]) => loss !== "cross_entropy") }),
          outcome: reference,
        },
        oneSoftmaxUnit,
      ];
    case "sign-flipped":
      return [oneSoftmaxUnit];
    case "learning-rate-twice":
      return [
        { reason: "a learning rate of 0", cases: withRate(0), outcome: reference },
        { reason: "a learning rate of 1", cases: withRate(1), outcome: reference },
        oneSoftmaxUnit,
      ];
    case "learning-rate-missing":
      return [{ reason: "a learning rate of 1", cases: withRate(1), outcome: reference }, oneSoftmaxUnit];
    default: {
      // The mistakes of the weight decay.
      const noDecay: Reason[] = [
        { reason: "a case@1, without weight decay", cases: caseDocument(), outcome: reference },
        { reason: "a case@2 with a weightDecay of 0", cases: caseDocument({ weightDecay: fc.constant(0) }), outcome: reference },
      ];
      const decayed = (constraints: CaseConstraints = {}) => caseDocument({ ...constraints, weightDecay: generalWeightDecay() });
      if (name === "decayed-biases") return [...noDecay, { reason: "no biases", cases: decayed({ biases: false }), outcome: reference }];
      if (name === "decay-without-learning-rate") {
        return [
          ...noDecay,
          { reason: "a learning rate of 1", cases: decayed().map((document) => ({ ...document, learningRate: 1 })), outcome: reference },
        ];
      }
      return noDecay;
    }
  }
}

/** Decimal strings read as float64 (each rounded once). */
const decimals = (matrices: readonly (readonly (readonly string[])[])[]): number[][][] =>
  matrices.map((matrix) => matrix.map((row) => row.map(Number)));

/** The worked example's reference gradients, from its 50-digit decimals. */
const decimalGradients = (): number[][][] => decimals(workedExampleDecimal.gradients.weights);

/** Throws unless `actual` is within $10^{-13}$ relative of `expected`, entry by entry. */
function expectClose(
  actual: readonly (readonly (readonly number[])[])[],
  expected: readonly (readonly (readonly number[])[])[],
  what: string,
): void {
  expected.forEach((matrix, l) =>
    matrix.forEach((row, j) =>
      row.forEach((value, k) => {
        const given = actual[l]![j]![k]!;
        expect(Math.abs(given - value) / Math.abs(value), `${what}[${l}][${j}][${k}]: ${given} for ${value}`).toBeLessThan(1e-13);
      }),
    ),
  );
}

describe("the mistakes catalogue", () => {
  it("lists the seventeen mistakes in the order verify tries them, each with a one-line summary, how it arises and how to fix it", () => {
    expect(mistakeNames).toStrictEqual([
      "intuitive-rule",
      "missing-derivative",
      "derivative-at-output",
      "transposed-hidden-error",
      "transposed-weights",
      "batch-sum",
      "bias-sum",
      "weights-updated-early",
      "softmax-jacobian-twice",
      "sign-flipped",
      "learning-rate-twice",
      "learning-rate-missing",
      "weight-decay-ignored",
      "decayed-biases",
      "decay-without-learning-rate",
      "penalty-left-out-of-loss",
      "penalty-without-half",
    ]);
    expect(Object.keys(mistakeCatalogue)).toStrictEqual([...mistakeNames]);
    for (const name of mistakeNames) {
      const { summary, arises, fix } = mistakeCatalogue[name];
      expect(mistakeDescriptions[name]).toBe(summary);
      expect(summary, name).toMatch(/^[a-z][^\n]*[^.]$/);
      for (const sentence of [arises, fix]) expect(sentence, name).toMatch(/^[A-Z][^\n]*\.$/);
    }
  });

  it("keeps the summaries of the four mistakes that the committed vectors quote, byte for byte", () => {
    expect(mistakeDescriptions["intuitive-rule"]).toBe(
      "the seed's intuitive rule: hidden errors W^T e without the next layer's f', and -(e * f') as the delta at every layer whatever the loss",
    );
    expect(mistakeDescriptions["missing-derivative"]).toBe("the hidden deltas leave out their layer's activation derivative f'(z)");
    expect(mistakeDescriptions["transposed-weights"]).toBe(
      "every weight matrix of the result is transposed (n_{l-1} x n_l instead of n_l x n_{l-1})",
    );
    expect(mistakeDescriptions["batch-sum"]).toBe("the batch gradient is the sum over the samples instead of their mean");
  });

  it.each(mistakeNames)("%s changes the result of every case with general numbers that it applies to", (name) => {
    fc.assert(
      fc.property(generalCases(name), (document) => {
        const problem = parseCase(document);
        fc.pre(mistakeApplies(name, problem));
        expect(compareResults(mistakenResult(name, problem), caseResult(problem), verifyTolerance)).not.toBeNull();
      }),
      { numRuns },
    );
  });

  it.each(mistakeNames)("verify names %s from its own result, on every case with general numbers that it applies to", (name) => {
    // No mistake earlier in the order gives the same result on general numbers: each one
    // changes another quantity, or the same one by another rule (see the module comment of
    // src/conformance/mistakes.ts for the particular numbers where two agree).
    fc.assert(
      fc.property(generalCases(name), (document) => {
        const problem = parseCase(document);
        fc.pre(mistakeApplies(name, problem));
        expect(matchingMistake(problem, mistakenResult(name, problem))).toBe(name);
      }),
      { numRuns },
    );
  });

  it.each(mistakeNames)("%s does not apply for its documented reasons, and then gives the reference result number for number", (name) => {
    for (const { reason, cases, outcome } of reasonsNotToApply(name)) {
      fc.assert(
        fc.property(cases, (document) => {
          const problem = parseCase(document);
          expect(mistakeApplies(name, problem), reason).toBe(false);
          if (outcome === "the reference result") {
            expect(compareResults(mistakenResult(name, problem), caseResult(problem), exactly), reason).toBeNull();
          } else {
            expect(() => mistakenResult(name, problem), reason).toThrow(outcome);
          }
        }),
        { numRuns },
      );
    }
  });

  it("computes each mistake as a plain-array computation of its formula does, on cases with general numbers, with and without weight decay", () => {
    const constraints = {
      uniform: true,
      outputs: outputPairs.filter(([activation, loss]) => (loss === "squared_error" ? activation !== "softmax" : loss === "cross_entropy")),
    };
    const cases = fc.oneof(caseDocument(constraints), caseDocument({ ...constraints, weightDecay: generalWeightDecay() }));
    fc.assert(
      fc.property(cases, (document) => {
        const problem = parseCase(document);
        expect(compareResults(caseResult(problem), plainStep(document, "none") as ResultDocument, verifyTolerance), "none").toBeNull();
        for (const name of plainMistakes) {
          if (name === "none" || !mistakeApplies(name, problem)) continue;
          expect(
            compareResults(mistakenResult(name, problem), plainStep(document, name) as ResultDocument, verifyTolerance),
            name,
          ).toBeNull();
        }
      }),
      { numRuns },
    );
  });

  it("gives the worked example's step mistakes from its 50-digit gradients: -g, -eta^2 g, and +eta g", () => {
    const problem = parseCase(workedExampleCase);
    const eta = workedExampleCase.learningRate;
    const gradients = decimalGradients();
    const times = (factor: number) => gradients.map((matrix) => matrix.map((row) => row.map((entry) => factor * entry)));
    const plus = (steps: number[][][]) =>
      workedExampleCase.weights.map((matrix, l) => matrix.map((row, j) => row.map((w, k) => w + steps[l]![j]![k]!)));

    const missing = mistakenResult("learning-rate-missing", problem);
    expectClose(missing.gradients.weights, gradients, "learning-rate-missing gradients");
    expectClose(missing.deltaWeights.weights, times(-1), "learning-rate-missing deltaWeights");
    expectClose(missing.updated.weights, plus(times(-1)), "learning-rate-missing updated");

    const twice = mistakenResult("learning-rate-twice", problem);
    expectClose(twice.deltaWeights.weights, times(-0.09), "learning-rate-twice deltaWeights");

    const flipped = mistakenResult("sign-flipped", problem);
    expectClose(flipped.gradients.weights, times(-1), "sign-flipped gradients");
    expectClose(flipped.deltaWeights.weights, times(eta), "sign-flipped deltaWeights");
    expectClose(flipped.updated.weights, plus(times(eta)), "sign-flipped updated");
  });

  it("gives the worked example's derivative-at-output and weights-updated-early gradients, computed by hand in 50 digits", () => {
    // scripts/worked-example-mistakes.py: the formulas of the two mistakes in 60-digit decimal
    // arithmetic, from the exact values of the case's float64 numbers.
    const problem = parseCase(workedExampleCase);
    expectClose(
      mistakenResult("derivative-at-output", problem).gradients.weights,
      decimals([
        [
          ["6.4400283352630811263552385e-3", "-1.0138404976054480622829843e-3"],
          ["-7.3238863629912358669912138e-3", "1.3464614096444581303973025e-3"],
        ],
        [["-2.3470234303717687221955766e-3", "3.8446798698420457995680370e-4"]],
      ]),
      "derivative-at-output gradients",
    );
    const early = mistakenResult("weights-updated-early", problem);
    expectClose(
      early.gradients.weights,
      [
        ...decimals([
          [
            ["7.1213360355030515956653827e-3", "-1.0591004618182620735746943e-3"],
            ["-7.5864357611853726982473265e-3", "2.0944951903728040008937323e-3"],
          ],
        ]),
        decimalGradients()[1]!,
      ],
      "weights-updated-early gradients",
    );
    expectClose(
      early.updated.weights.slice(0, 1),
      decimals([
        [
          ["9.7863599189349090151478221e-2", "-1.9968226986145453249191622e-1"],
          ["4.0227593072835563392970833e-1", "2.9937165144288814772075520e-1"],
        ],
      ]),
      "weights-updated-early updated",
    );
  });
});
