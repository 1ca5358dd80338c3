/**
 * What every vector file says of itself: the version of the generator that wrote it, the name of
 * the file of invalid cases, and what each flag of a test means (a file's `notes` holds those it
 * uses). The generators of the valid and the invalid files (the `vectors` and `invalid-vectors`
 * modules) share them.
 *
 * @module
 */
import { mistakeDescriptions } from "./mistakes.js";

/**
 * The version of the generator. It changes whenever the generated tests change, so that a
 * vector file says which generator wrote it; what changed in each version is in
 * docs/conformance-guide.md, "Changelog of the vectors".
 *
 * 1.1.0: every expected number is the exact value rounded to float64, to the bound of the
 * 100-digit oracle; the saturated tests (flag `SaturatedUnits`) are new.
 *
 * 1.2.0: the kink tests (flag `KinkAtZero`, verdict `acceptable`) are new; every test of 1.1.0
 * keeps its case, its expected result and its tcId.
 *
 * 1.3.0: the weight-decay tests (flag `WeightDecay`, `backprop-ref/case@2` cases) are new, in a
 * last group of every family file, with the five mistakes of the weight decay as `wrong` tests,
 * and four invalid cases of the `weightDecay` field; the invalid test of a later version's format
 * tag names `case@3`, since `case@2` is now defined. Every other test of 1.2.0 keeps its case, its
 * expected result and its tcId.
 */
export const generatorVersion = "1.3.0";

/** The name of the file of invalid cases. */
export const invalidFamily = "invalid";

/** What each flag means; a file's `notes` holds the flags it uses. */
export const flagNotes: Readonly<Record<string, string>> = {
  Random:
    "Weights, inputs and targets drawn from a fixed seed: weights in [-1.5, 1.5], inputs in [-2, 2], targets suited to the loss, widths 1 to 4.",
  SaturatedSigmoid:
    "Inputs of magnitude 25 to 40 drive sigmoid units to |z| > 20, where f'(z) < 2e-9. The expected derivative is the exact value rounded: " +
    "computed from z as e/(1 + e)^2 with e = exp(-|z|). The form o(1 - o) passes the group's absolute tolerance here but keeps fewer digits as z grows " +
    "(none above z = 37, where it is exactly 0).",
  LargeLogits:
    "Softmax preactivations of magnitude around 1000: exp overflows unless the largest logit is subtracted first (log-sum-exp). The expected loss " +
    "takes log o_k as (z_k - m) - log1p(sum of exp(z_j - m) over j other than the largest), not z_k - (m + log sum), which loses digits beside a large logit.",
  SaturatedUnits:
    "Weights of magnitude 10 to 40 (inputs of +-1 or in [-2, 2]) drive every sigmoid, tanh, softplus and softmax unit into its tails: derivatives " +
    "of 1e-17 and less, outputs within 1e-13 of their asymptotes, logits hundreds apart; targets at the asymptotes or soft. Every expected number " +
    "is the exact value rounded to float64, within a few roundings (checked against a 100-digit computation as the file was written). An " +
    "implementation that forms 1 - o, 1 - t^2, o(1 - o), o - t or o sum(t) - t by subtraction from a rounded o gets the small numbers wrong; the " +
    "group's absolute tolerance of 1e-12 does not see it, a relative comparison does.",
  KinkAtZero:
    "Small integer weights, biases and inputs put relu or leaky_relu preactivations exactly at 0, where the derivative is a convention. " +
    "The test is acceptable: expected takes the left slope there (f'(0) = 0 for relu, 0.01 for leaky_relu, as backprop-ref, PyTorch and TensorFlow do), " +
    "alternative the right slope (f'(0) = 1); a result that matches either, or lies between the two number by number (any slope between), passes. " +
    "All the preactivations at the kink are in one layer, so every convention lies between the two.",
  ZeroLearningRate:
    "learningRate 0: the gradients are as usual, the delta weights are all zero (or -0) and the updated weights equal the weights.",
  WeightDecay:
    "A backprop-ref/case@2 with weightDecay, the coefficient c of an L2 penalty on the weights: the loss is the batch mean plus (c/2) times the sum of " +
    "the squares of every weight (not the biases), each weight's gradient gains c w, and the delta weights are -eta times the whole gradient " +
    "(so W <- (1 - eta c) W - eta (1/B) delta o^T). The result's loss includes the penalty. An implementation without weight decay must reject " +
    "these cases (case@2 is not case@1) and can leave these tests out.",
  ZeroWeightDecay: "weightDecay 0 in a case@2: no penalty; the result is that of the same numbers as a case@1.",
  SingleUnit: "One unit in every layer: every matrix is 1x1, which hides transposition mistakes but not others.",
  ZeroWeights:
    "All weights zero (biases, if any, away from zero): hidden units are identical and the gradients of a layer's rows coincide.",
  IntuitiveRule: `A known-wrong expectation: ${mistakeDescriptions["intuitive-rule"]}.`,
  MissingDerivative: `A known-wrong expectation: ${mistakeDescriptions["missing-derivative"]}.`,
  TransposedWeights: `A known-wrong expectation: ${mistakeDescriptions["transposed-weights"]}.`,
  BatchSum: `A known-wrong expectation: ${mistakeDescriptions["batch-sum"]}.`,
  WeightDecayIgnored: `A known-wrong expectation: ${mistakeDescriptions["weight-decay-ignored"]}.`,
  DecayedBiases: `A known-wrong expectation: ${mistakeDescriptions["decayed-biases"]}.`,
  DecayWithoutLearningRate: `A known-wrong expectation: ${mistakeDescriptions["decay-without-learning-rate"]}.`,
  PenaltyLeftOutOfLoss: `A known-wrong expectation: ${mistakeDescriptions["penalty-left-out-of-loss"]}.`,
  PenaltyWithoutHalf: `A known-wrong expectation: ${mistakeDescriptions["penalty-without-half"]}.`,
  MalformedJson: "The case text is not JSON.",
  WrongFormat: "The case's format tag is missing or neither backprop-ref/case@1 nor backprop-ref/case@2, or the case is not a JSON object.",
  MissingField: "A required field is missing or null where a value is needed.",
  UnknownField: "A field the format does not define.",
  WrongShape: "An array whose length or nesting disagrees with sizes, or inputs and targets with different numbers of rows.",
  NonNumber: "A string, boolean or array where a number belongs.",
  NonFinite: "NaN or a number beyond float64's range (1e400 reads as Infinity).",
  EmptyBatch: "No samples: inputs and targets are empty.",
  BadSpec:
    "A spec that describes no network: an unknown activation, softmax in a hidden layer, a loss without its output activation, a size that is not a positive integer.",
  NegativeLearningRate: "A learning rate below zero.",
  NegativeWeightDecay: "A weightDecay below zero, which would reward large weights.",
  HugeSize:
    "Sizes whose parameter count exceeds what a reference computation should allocate: an implementation must refuse before allocating.",
};
