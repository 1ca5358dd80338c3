/**
 * Random directions in parameter space, for the properties of the second-order quantities
 * ($\nabla E \cdot V$, $JV$, $HV$): a case with a direction $V$ shaped like its parameters, drawn
 * by {@link conformance/case-arbitrary!directionFor | directionFor} in the layout of the
 * `direction` field of `backprop-ref/hvp@1` (`{"weights": [...], "biases": [...] | null}`), so
 * that a shrunk counterexample prints as numbers and can be saved beside its case, with entries
 * spread as below.
 *
 * How the entries are spread, and why: four times in six a number drawn uniformly from
 * $[-1, 1]$ (a multiple of $2^{-28}$, as the case arbitrary's `uniform` spread), once $0$ (sparse
 * directions, unit directions and the direction of zeros all occur), once such a number times
 * $2^{-k}$, $k = 1, \dots, 60$ (entries of many sizes in one direction). Not fast-check's
 * `fc.double` over $[-1, 1]$, most of whose draws are below $10^{-20}$: every oracle scales a
 * direction by a power of two before using it, exactly (see
 * {@link oracles/parameter-directions!powerOfTwoScale | powerOfTwoScale}), so a direction of
 * $10^{-300}$ tests nothing that $1$ does not, while its products, as small as
 * $10^{-300}$ times the Hessian's entries, would meet the subnormal numbers, where a relative
 * comparison counts lost bits as errors. The scale law ($H(2^k V) = 2^k HV$, bit for bit) is a
 * property of its own.
 *
 * The cases come from {@link conformance/case-arbitrary!caseDocument | caseDocument}, with what
 * it avoids: `relu` and `leaky_relu` preactivations within $10^{-3}$ of their kink (a difference
 * of gradients across it measures a jump, not $HV$, and the complex step takes one branch) and
 * hidden outputs beyond $5$.
 *
 * @module
 */
import fc from "fast-check";
import type { ParameterArrays } from "../model/network.js";
import { matrixFromRows, vectorFromArray } from "../numeric/tensor.js";
import { caseDocument, directionFor, type CaseConstraints } from "./case-arbitrary.js";
import type { CaseDocument } from "./case-format.js";
import type { DirectionDocument } from "./hvp-format.js";

/** A case and a direction for its network. */
export interface CaseWithDirection {
  /** The case, as {@link conformance/case-arbitrary!caseDocument | caseDocument} draws it. */
  readonly document: CaseDocument;
  /** $V$, laid out as the case's `weights` and `biases` (`biases` `null` iff the case has none). */
  readonly direction: DirectionDocument;
}

/** A number in $[-1, 1]$ drawn uniformly: a multiple of $2^{-28}$, each as likely, shrinking towards $0$. */
const uniformEntry = fc.noBias(fc.integer({ min: -(2 ** 28), max: 2 ** 28 })).map((step) => step / 2 ** 28);

/**
 * One entry of a direction, spread as the module comment says: four times in six uniform in
 * $[-1, 1]$, once $0$, once uniform times $2^{-k}$, $k = 1, \dots, 60$. For
 * {@link conformance/case-arbitrary!directionFor | directionFor}'s `entry`.
 */
export const directionEntry: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: uniformEntry, weight: 4 },
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.tuple(uniformEntry, fc.integer({ min: 1, max: 60 })).map(([entry, exponent]) => entry * 2 ** -exponent), weight: 1 },
);

/**
 * Random cases, each with a random direction for its network, its entries drawn by
 * {@link directionEntry}.
 *
 * @param constraints - bounds on the cases, as for {@link conformance/case-arbitrary!caseDocument | caseDocument}
 */
export function caseWithDirection(constraints: CaseConstraints = {}): fc.Arbitrary<CaseWithDirection> {
  return caseDocument(constraints).chain((document) =>
    directionFor(document, directionEntry).map((direction): CaseWithDirection => ({ document, direction })),
  );
}

/**
 * A direction in the JSON layout as parameter arrays, the shape the oracles take (with no check:
 * the drawn directions fit their cases; {@link conformance/hvp-format!readParameterDocument | readParameterDocument}
 * reads one from a document with every check).
 *
 * @param arrays - `weights[l-1][j][k]` and `biases[l-1][j]` (or `null`)
 */
export function directionFromArrays(arrays: DirectionDocument): ParameterArrays {
  return {
    weights: arrays.weights.map((rows) => matrixFromRows(rows)),
    biases: arrays.biases === null ? null : arrays.biases.map((entries) => vectorFromArray(entries)),
  };
}
