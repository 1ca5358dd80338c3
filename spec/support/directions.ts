/**
 * Directions in parameter space for the second-order laws that need two or more of them, as
 * flat lists of numbers, and the inner products the laws compare.
 */
import fc from "fast-check";
import { type CaseConstraints, caseDocument, directionFor } from "../../src/conformance/case-arbitrary.js";
import { type CaseWithDirection, directionEntry, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { networkLoss } from "../../src/model/forward.js";
import type { CaseDocument } from "../../src/conformance/case-format.js";
import type { ParameterArrays } from "../../src/model/network.js";
import { zerosLike } from "../../src/numeric/tensor.js";
import { defaultFloor } from "../../src/oracles/comparison.js";

/** A case and directions for it, as plain numbers in the order of `valuesOf` (spec/support/parameters.ts). */
export interface CaseWithDirections {
  readonly document: CaseDocument;
  readonly directions: readonly (readonly number[])[];
}

/**
 * A case from `caseDocument(constraints)` and `count` directions for it, each drawn by
 * `directionFor` with `directionEntry` (src/conformance/case-arbitrary.ts and
 * direction-arbitrary.ts) and flattened in the JSON layout's order, which is `valuesOf`'s: a
 * direction's scale only scales every product, and the laws are relative.
 */
export function caseWithDirections(count: number, constraints: CaseConstraints = {}): fc.Arbitrary<CaseWithDirections> {
  return caseDocument(constraints).chain((document) =>
    fc.array(directionFor(document, directionEntry), { minLength: count, maxLength: count }).map((drawn) => ({
      document,
      directions: drawn.map((direction) => [...direction.weights.flat(2), ...(direction.biases?.flat() ?? [])]),
    })),
  );
}

/** Parameter arrays shaped like `like`, holding `values` in the order of `valuesOf` (spec/support/parameters.ts). */
export function shapedLike(like: ParameterArrays, values: readonly number[]): ParameterArrays {
  let next = 0;
  const fill = <Shaped extends ParameterArrays["weights"][number]>(array: Shaped): Shaped => {
    const result = zerosLike(array);
    for (let index = 0; index < result.data.length; index++) result.data[index] = values[next++]!;
    return result;
  };
  const weights = like.weights.map(fill);
  const biases = like.biases?.map(fill) ?? null;
  if (next !== values.length) throw new Error(`shapedLike: ${values.length} values for ${next} parameters`);
  return { weights, biases };
}

/** $\sum_i a_i b_i$ and $\sum_i |a_i b_i|$, the scale against which its rounding is judged. */
export function innerProduct(a: readonly number[], b: readonly number[]): { readonly value: number; readonly scale: number } {
  let value = 0;
  let scale = 0;
  a.forEach((entry, index) => {
    const term = entry * b[index]!;
    value += term;
    scale += Math.abs(term);
  });
  return { value, scale };
}

/** The smallest normal float64, $2^{-1022}$: below it a rounding is absolute ($2^{-1074}$), not relative. */
const smallestNormal = 2 ** -1022;

/**
 * The relative difference of two inner products, against the sum of the magnitudes of their
 * terms: two sums of $n$ float64 terms that agree mathematically differ by a few $n \varepsilon$
 * of that scale, however much the terms cancel. The scale is at least the smallest normal
 * number, where the terms are subnormal and their rounding no longer shrinks with them.
 */
export function relativeToScale(a: number, b: number, scale: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(scale, smallestNormal);
}

/**
 * The floor of a comparison of bilinear forms $U^\top P V$ of the loss's curvature: the gradient
 * check's floor $10^{-3}\max(1, |E|)$ (`defaultFloor`) times $\lVert U \rVert_2 \lVert V \rVert_2$, the
 * size a form of that curvature has. Below it a difference is judged absolutely: the products
 * of a case with tiny inputs and saturated units are sums whose terms cancel to $10^{-15}$ of
 * their size, and round to that size, not to the sum's.
 */
export function bilinearFloor(loss: number, u: readonly number[], v: readonly number[]): number {
  return defaultFloor(loss) * euclideanNorm(u) * euclideanNorm(v);
}

/** $\lVert x \rVert_2$. */
export function euclideanNorm(values: readonly number[]): number {
  return Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
}

/** The case, its network, batch and loss, and the direction as parameter arrays. */
export function problemOf(drawn: CaseWithDirection) {
  const { network, inputs, targets } = parseCase(drawn.document);
  return { network, inputs, targets, direction: directionFromArrays(drawn.direction), loss: networkLoss(network, inputs, targets) };
}
