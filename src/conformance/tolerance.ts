/**
 * How close another implementation's number must be to the reference's:
 *
 * $$\lvert \text{given} - \text{expected} \rvert \le \text{absolute} + \text{relative} \cdot \lvert \text{expected} \rvert,$$
 *
 * loose enough for another order of summation, tight enough that every known mistake fails.
 * Every test group of a vector file carries one; `verify` uses {@link verifyTolerance} for a
 * single case.
 *
 * @module
 */
import type { ResultDocument } from "./case-format.js";

/** How close a number must be to the expected one: see {@link withinTolerance}. */
export interface Tolerance {
  /** The relative part, a fraction of $\lvert \text{expected} \rvert$. */
  readonly relative: number;
  /** The absolute part, for expected values near zero. */
  readonly absolute: number;
}

/**
 * How close another implementation's numbers must be when the tolerance depends on the number:
 * the allowed absolute error of every number of a result, shaped like the result (the float32
 * allowances of {@link conformance/float32-tolerance!float32Allowances | float32Allowances}).
 */
export interface Allowances {
  /** One allowed absolute error per number, at the number's place in a result document. */
  readonly allowances: ResultDocument;
}

/** How close numbers must be: one {@link Tolerance} for all, or {@link Allowances} number by number. */
export type Closeness = Tolerance | Allowances;

/** The tolerance of every generated test group: $10^{-9}$ relative, $10^{-12}$ absolute. */
export const verifyTolerance: Tolerance = { relative: 1e-9, absolute: 1e-12 };

/**
 * Whether a number is close enough to the expected one:
 * $\lvert g - e \rvert \le a + r \lvert e \rvert$.
 *
 * @param given - the other implementation's number
 * @param expected - the reference number
 * @param tolerance - $r$ and $a$
 */
export function withinTolerance(given: number, expected: number, tolerance: Tolerance): boolean {
  return Math.abs(given - expected) <= tolerance.absolute + tolerance.relative * Math.abs(expected);
}
