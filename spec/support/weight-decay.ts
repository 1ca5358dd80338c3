/**
 * Gradients that get the weight decay wrong, for the negative controls of the oracles on a loss
 * with a penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$: each the library's gradient with one
 * classic mistake of the decay, named as the mistakes catalogue names it, and the general cases
 * and coefficients on which each must be caught.
 *
 * Built inside the tests (functions, nothing at import), as every fixture of spec/support.
 */
import fc from "fast-check";
import { type CaseConstraints, caseDocument } from "../../src/conformance/case-arbitrary.js";
import type { CaseDocument, Problem } from "../../src/conformance/case-format.js";
import { backpropagate } from "../../src/model/backprop.js";
import type { ParameterArrays } from "../../src/model/network.js";
import { addedMultiple } from "../../src/numeric/tensor.js";

/** The mistakes of the weight decay that change the gradients. */
export const wrongDecays = ["weight-decay-ignored", "decayed-biases", "penalty-without-half"] as const;

/** One of {@link wrongDecays}. */
export type WrongDecay = (typeof wrongDecays)[number];

/**
 * The gradients of a case with weight decay, made with one mistake of the decay: without it
 * ($g$), with the biases decayed too ($+\lambda' b$ on theirs), or with the ½ of the penalty
 * forgotten ($g + 2\lambda' W$).
 */
export function wrongDecayGradients(problem: Problem, mistake: WrongDecay): ParameterArrays {
  const { network, inputs, targets, weightDecay } = problem;
  switch (mistake) {
    case "weight-decay-ignored":
      return backpropagate(network, inputs, targets).gradients;
    case "penalty-without-half":
      return backpropagate(network, inputs, targets, undefined, 2 * weightDecay).gradients;
    case "decayed-biases": {
      const { gradients } = backpropagate(network, inputs, targets, undefined, weightDecay);
      return {
        weights: gradients.weights,
        biases: gradients.biases!.map((gradient, index) => addedMultiple(gradient, network.biases![index]!, weightDecay)),
      };
    }
  }
}

/** A general weight decay, a multiple of 0.01 from 0.01 to 1: its share λ'W of a gradient is not hidden by a floor. */
export function generalWeightDecay(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: 100 }).map((hundredths) => hundredths / 100);
}

/**
 * Any weight decay in [0, 1]: half the time fast-check's doubles (uniform over the representable
 * doubles, so most are tiny, subnormals and 0 among them, where the penalty's share rounds away),
 * half the time a general one ({@link generalWeightDecay}), where it shows in every entry.
 */
export function anyWeightDecay(): fc.Arbitrary<number> {
  return fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), generalWeightDecay());
}

/** Cases with general numbers and a general weight decay, with biases for the mistake that decays them. */
export function decayedCases(mistake: WrongDecay, constraints: CaseConstraints = {}): fc.Arbitrary<CaseDocument> {
  return caseDocument({
    uniform: true,
    weightDecay: generalWeightDecay(),
    ...(mistake === "decayed-biases" ? { biases: true } : {}),
    ...constraints,
  });
}
