/**
 * Random cases that aim at saturation, for the precision law of the 100-digit oracle: large
 * weights and preactivations, hidden layers whose outputs stay bounded however large $z$ is,
 * outputs that saturate, and targets at their asymptotes, where $1 - o$ formed by subtraction
 * has no digit left. The numbers are drawn as {@link conformance/case-numbers | case-numbers}
 * draws them; the general cases are {@link conformance/case-arbitrary | case-arbitrary}'s.
 *
 * @module
 */
import fc from "fast-check";
import type { ActivationName, ElementwiseActivationName } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import type { IntegerRange } from "./case-arbitrary.js";
import type { CaseDocument } from "./case-format.js";
import { caseOfShape, input, matrix, representable, targetsFor } from "./case-numbers.js";

/** The hidden activations of {@link saturatingCaseDocument}: the two whose outputs are bounded and saturate on both sides. */
export const saturatingHiddenActivations: readonly ElementwiseActivationName[] = ["sigmoid", "tanh"];

/** The output pairs of {@link saturatingCaseDocument}: every output that saturates, with each loss it takes. */
export const saturatingOutputPairs: readonly (readonly [ActivationName, LossName])[] = [
  ["sigmoid", "squared_error"],
  ["tanh", "squared_error"],
  ["softplus", "squared_error"],
  ["softmax", "squared_error"],
  ["softmax", "cross_entropy"],
  ["sigmoid", "binary_cross_entropy"],
];

/** Bounds on the saturating cases; every field is optional. */
export interface SaturatingConstraints {
  /** Weight layers $L$. Default 1 to 3. */
  readonly depth?: IntegerRange;
  /** Units per layer. Default 1 to 4. */
  readonly width?: IntegerRange;
  /** Samples $B$. Default 1 to 3. */
  readonly batch?: IntegerRange;
}

/** A weight of magnitude 10 to 40, either sign. */
const largeWeight = fc
  .tuple(fc.boolean(), fc.double({ min: 10, max: 40, noNaN: true }))
  .map(([negative, size]) => (negative ? -size : size));
const probability = fc.double({ min: 0, max: 1, noNaN: true });
/** Inputs of $\pm 1$ half the time, so that a preactivation can be a weight exactly. */
const saturatingInput = fc.oneof(fc.constantFrom(-1, 1), input);

/**
 * Targets for saturated outputs: the asymptotes themselves (0 and 1, and $-1$ for tanh), where
 * $t - o$ is the distance of a rounded output to its asymptote, or soft targets anywhere
 * between; for cross-entropy one-hot rows, probability rows (soft targets that sum to one, up
 * to rounding) and rows that need not sum to one.
 */
function saturatingTargetsFor(loss: LossName, samples: number, units: number): fc.Arbitrary<number[][]> {
  switch (loss) {
    case "squared_error":
      return matrix(samples, units, fc.oneof(fc.constantFrom(-1, 0, 1), fc.double({ min: -1, max: 1, noNaN: true })));
    case "binary_cross_entropy":
      return matrix(samples, units, fc.oneof(fc.constantFrom(0, 1), probability));
    case "cross_entropy":
      return fc.oneof(
        targetsFor("cross_entropy", samples, units),
        matrix(samples, units, fc.double({ min: 0.01, max: 1, noNaN: true })).map((rows) =>
          rows.map((row) => {
            const total = row.reduce((sum, entry) => sum + entry, 0);
            return row.map((entry) => entry / total);
          }),
        ),
      );
  }
}

/**
 * Cases that aim at saturation, for the precision law: weights (and biases) of magnitude 10 to
 * 40, inputs of $\pm 1$ or in $[-2, 2]$, so that preactivations reach tens to hundreds; sigmoid
 * and tanh hidden layers, whose outputs stay within $[-1, 1]$ however large $z$ is (the next
 * layer's $z$ is then tens to hundreds again); outputs that saturate (sigmoid, tanh, softplus,
 * confident softmax) with targets at their asymptotes or soft ones. Derivatives of $10^{-17}$ and less, softmax outputs within
 * $10^{-13}$ of 1, logits hundreds apart: where $1 - o$ formed by subtraction has no digit left.
 * No filter is needed: no `relu` kink, no layer that grows its outputs.
 *
 * @param constraints - bounds on depth, width and batch
 */
export function saturatingCaseDocument(constraints: SaturatingConstraints = {}): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 3 };
  const width = constraints.width ?? { min: 1, max: 4 };
  const batch = constraints.batch ?? { min: 1, max: 3 };
  const shape = fc.record({
    sizes: fc.integer(depth).chain((layers) => fc.array(fc.integer(width), { minLength: layers + 1, maxLength: layers + 1 })),
    hidden: fc.array(fc.constantFrom(...saturatingHiddenActivations), { minLength: 3, maxLength: 3 }),
    output: fc.constantFrom(...saturatingOutputPairs),
    biases: fc.boolean(),
    samples: fc.integer(batch),
  });
  return shape.chain((drawn) =>
    caseOfShape(drawn, {
      weight: largeWeight,
      bias: fc.double({ min: -40, max: 40, noNaN: true }),
      input: saturatingInput,
      targets: saturatingTargetsFor,
      learningRate: representable(0, 1),
    }),
  );
}
