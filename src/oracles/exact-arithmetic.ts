/**
 * Arithmetic in 100 significant digits that carries, beside each exact value, the size of the
 * rounding errors a careful float64 evaluation of it cannot avoid: the numbers of the 100-digit
 * oracle ({@link oracles/exact-step | exact-step}).
 *
 * Every float64 operation rounds its result $r$ to the nearest double, an error of at most
 * $u \lvert r \rvert$ with $u = 2^{-53}$, and an error already in an argument is carried on by the
 * operation's sensitivity to it. To first order, the error of a quantity $q$ is therefore at most
 * $u\, s(q)$, where the *scale* $s$ follows the computation:
 *
 * $$s(a \pm b) = s(a) + s(b) + \lvert a \pm b \rvert, \qquad
 *   s(ab) = s(a)\lvert b \rvert + \lvert a \rvert s(b) + \lvert ab \rvert, \qquad
 *   s(f(a)) = \lvert f'(a) \rvert\, s(a) + \lvert f(a) \rvert,$$
 *
 * and $s(x) = 0$ for a number given exactly (a weight, an input, a target). A result that float64
 * holds exactly ($40 \cdot 1$, $x - x$, $\exp(0)$) is not rounded, and adds no $\lvert r \rvert$; a
 * result below the normal range adds $2^{-1022}$ (see {@link rounding}). Where nothing cancels,
 * $s(q)$ is a small multiple of $\lvert q \rvert$ and $u\,s(q)$ is a few ulps of $q$; where a sum
 * cancels ($a - b$ with $a \approx b$), $s(q) \gg \lvert q \rvert$ and no float64 evaluation of
 * that sum can do better, since its terms are already rounded. The scale thus states what
 * "correct to the last digits" can mean for each entry, however small: the exact value, within
 * a stated number of its own rounding errors.
 *
 * The scale is kept as a float64 number (a bound needs no more digits); the exact values are
 * `Decimal`s of decimal.js with {@link exactDigits} significant digits.
 *
 * @module
 */
import { Decimal } from "decimal.js";

/** The significant digits of the oracle's arithmetic. */
export const exactDigits = 100;

/** decimal.js configured for the oracle: {@link exactDigits} digits, rounding half to even, no overflow in the range of any case. */
export const ExactDecimal = Decimal.clone({
  precision: exactDigits,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -7,
  toExpPos: 21,
  minE: -9e15,
  maxE: 9e15,
});

/** A number of the oracle: its exact value and the scale of its float64 rounding errors. */
export interface Exact {
  /** The value, to {@link exactDigits} significant digits. */
  readonly value: Decimal;
  /** $s$, such that a careful float64 evaluation is within a few $u\,s$ of `value` (see the module's comment). */
  readonly scale: number;
}

/**
 * The exact value of a float64 number: every double is a fraction $m 2^{e}$, whose decimal
 * expansion `toPrecision(100)` writes to 100 significant digits (JavaScript's `Decimal` from a
 * number would read its shortest form instead, $0.1$ for the double nearest $0.1$, which is not
 * its value).
 *
 * @param x - a finite number
 */
export function exactDecimal(x: number): Decimal {
  return new ExactDecimal(x.toPrecision(exactDigits));
}

/**
 * A number given exactly, as every weight, input, target and learning rate of a case is:
 * scale 0.
 *
 * @param x - a finite number
 */
export function given(x: number): Exact {
  return { value: exactDecimal(x), scale: 0 };
}

/**
 * A constant that float64 holds only rounded ($1/B$ for $B = 3$, the slope $0.01$ of
 * `leaky_relu`): its exact value, with the scale of one rounding.
 *
 * @param value - the exact value
 */
export function roundedConstant(value: Decimal): Exact {
  return { value, scale: magnitude(value) };
}

/** The exact zero, which every evaluation gets exactly. */
export const exactZero: Exact = { value: new ExactDecimal(0), scale: 0 };

/** The exact one. */
export const exactOne: Exact = { value: new ExactDecimal(1), scale: 0 };

/** $a + b$, with $s = s(a) + s(b) + \lvert a + b \rvert$. */
export function plus(a: Exact, b: Exact): Exact {
  const value = a.value.plus(b.value);
  return { value, scale: a.scale + b.scale + rounding(value) };
}

/** $a - b$, with $s = s(a) + s(b) + \lvert a - b \rvert$. */
export function minus(a: Exact, b: Exact): Exact {
  const value = a.value.minus(b.value);
  return { value, scale: a.scale + b.scale + rounding(value) };
}

/** $-a$, exact in float64: the scale is unchanged. */
export function negated(a: Exact): Exact {
  return { value: a.value.negated(), scale: a.scale };
}

/** $ab$, with $s = s(a)\lvert b \rvert + \lvert a \rvert s(b) + \lvert ab \rvert$. */
export function times(a: Exact, b: Exact): Exact {
  const value = a.value.times(b.value);
  return { value, scale: a.scale * magnitude(b.value) + magnitude(a.value) * b.scale + rounding(value) };
}

/** $a / b$, with $s = \left(s(a) + \lvert a/b \rvert s(b)\right)/\lvert b \rvert + \lvert a/b \rvert$. */
export function dividedBy(a: Exact, b: Exact): Exact {
  const value = a.value.dividedBy(b.value);
  return { value, scale: (a.scale + magnitude(value) * b.scale) / magnitude(b.value) + rounding(value) };
}

/**
 * $\sum_i a_i$ added from the first term on, each partial sum $p_k = a_1 + \dots + a_k$
 * ($k \ge 2$) rounded once: $s = \sum_i s(a_i) + \sum_{k \ge 2} \lvert p_k \rvert$. A float64
 * kernel that adds in another order (in blocks) has other partial sums, of the same size.
 *
 * @param terms - the terms, at least one
 */
export function sum(terms: readonly Exact[]): Exact {
  let total = terms[0]!;
  for (let index = 1; index < terms.length; index++) total = plus(total, terms[index]!);
  return total;
}

/**
 * $f(a)$ for a function that float64 evaluates to within an ulp or two of its exact value at
 * the rounded argument: $s = \lvert f'(a) \rvert s(a) + \lvert f(a) \rvert$.
 *
 * @param value - $f(a)$, exact
 * @param slope - $f'(a)$ (only its magnitude matters, and only to float64 precision)
 * @param argument - $a$
 */
export function applied(value: Decimal, slope: Decimal, argument: Exact): Exact {
  return { value, scale: magnitude(slope) * argument.scale + rounding(value) };
}

/**
 * What rounding an exact result to float64 adds to the scale: $\lvert r \rvert$, or $0$ when $r$
 * is a double (an operation whose exact result float64 holds returns it exactly). Below the
 * normal range the grid of doubles is even, $2^{-1074}$ apart, and a rounding errs by up to
 * $2^{-1075} = u \cdot 2^{-1022}$ however small $r$ is: the term is then $2^{-1022}$.
 *
 * @param value - the exact result $r$
 */
export function rounding(value: Decimal): number {
  const nearest = value.toNumber();
  if (Number.isFinite(nearest) && exactDecimal(nearest).equals(value)) return 0;
  return Math.max(Math.abs(nearest), 2 ** -1022);
}

/**
 * $\log(1 + x)$ to {@link exactDigits} digits for $x \ge 0$: $1 + x$ rounded to 100 digits would
 * lose every digit of an $x$ below $10^{-100}$ ($\operatorname{softplus}(-438) = 3 \cdot 10^{-191}$),
 * so below $10^{-30}$ the series $x - x^2/2 + x^3/3$ is used, whose next term is $10^{-90}$ of it.
 *
 * @param x - a number at least 0
 */
export function exactLog1p(x: Decimal): Decimal {
  if (x.greaterThanOrEqualTo("1e-30")) return x.plus(1).ln();
  const square = x.times(x);
  return x.minus(square.dividedBy(2)).plus(square.times(x).dividedBy(3));
}

/** $\lvert x \rvert$ as a float64 number, for a scale. */
export function magnitude(x: Decimal): number {
  return Math.abs(x.toNumber());
}
