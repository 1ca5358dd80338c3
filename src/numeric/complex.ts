/**
 * Complex numbers, and the few functions of them that the complex-step oracle needs.
 *
 * The complex-step derivative of a real function $f$ that extends to complex arguments is
 *
 * $$f'(x) = \frac{\operatorname{Im} f(x + i h)}{h} + O(h^2)$$
 *
 * with no subtraction of nearly equal numbers, so $h$ can be as small as $10^{-20}$ and the
 * result is exact to machine precision. That only holds if every operation on the way keeps
 * the imaginary part accurate to a few ulps, which is what the functions here are written for:
 * each one computes its imaginary part without cancellation, and avoids overflow the same way
 * the real activations do.
 *
 * @module
 */

/** A complex number $a + ib$. */
export interface Complex {
  /** The real part $a$. */
  readonly re: number;
  /** The imaginary part $b$. */
  readonly im: number;
}

/**
 * The complex number $a + ib$.
 *
 * @param re - $a$
 * @param im - $b$ (default $0$)
 */
export function complex(re: number, im = 0): Complex {
  return { re, im };
}

/**
 * $x + y$.
 *
 * @param x - a complex number
 * @param y - a complex number
 */
export function add(x: Complex, y: Complex): Complex {
  return { re: x.re + y.re, im: x.im + y.im };
}

/**
 * $x - y$.
 *
 * @param x - a complex number
 * @param y - a complex number
 */
export function sub(x: Complex, y: Complex): Complex {
  return { re: x.re - y.re, im: x.im - y.im };
}

/**
 * $xy = (ac - bd) + i(ad + bc)$ for $x = a + ib$, $y = c + id$.
 *
 * @param x - a complex number
 * @param y - a complex number
 */
export function mul(x: Complex, y: Complex): Complex {
  return { re: x.re * y.re - x.im * y.im, im: x.re * y.im + x.im * y.re };
}

/**
 * $s x$ for a real $s$.
 *
 * @param x - a complex number
 * @param scalar - a real number
 */
export function scale(x: Complex, scalar: number): Complex {
  return { re: x.re * scalar, im: x.im * scalar };
}

/**
 * $x / y$, by Smith's algorithm, which divides by the larger of $|c|$ and $|d|$ first so that
 * no intermediate overflows or underflows needlessly.
 *
 * @param x - the dividend
 * @param y - the divisor, not $0$
 */
export function div(x: Complex, y: Complex): Complex {
  if (Math.abs(y.re) >= Math.abs(y.im)) {
    const ratio = y.im / y.re;
    const denominator = y.re + y.im * ratio;
    return { re: (x.re + x.im * ratio) / denominator, im: (x.im - x.re * ratio) / denominator };
  }
  const ratio = y.re / y.im;
  const denominator = y.re * ratio + y.im;
  return { re: (x.re * ratio + x.im) / denominator, im: (x.im * ratio - x.re) / denominator };
}

/**
 * $e^{a + ib} = e^a (\cos b + i \sin b)$.
 *
 * @param x - the exponent
 */
export function exp(x: Complex): Complex {
  const magnitude = Math.exp(x.re);
  return x.im === 0 ? { re: magnitude, im: 0 } : { re: magnitude * Math.cos(x.im), im: magnitude * Math.sin(x.im) };
}

/**
 * $\log(1 + x)$, accurate when $x$ is small: the real part is $\tfrac12 \log\left((1 + a)^2 +
 * b^2\right)$, computed as $\tfrac12 \operatorname{log1p}(2a + a^2 + b^2)$, and the imaginary
 * part is $\operatorname{atan2}(b, 1 + a)$. The principal branch; $x \ne -1$.
 *
 * @param x - a complex number
 */
export function log1p(x: Complex): Complex {
  return { re: 0.5 * Math.log1p(2 * x.re + x.re * x.re + x.im * x.im), im: Math.atan2(x.im, 1 + x.re) };
}

/**
 * $\log x = \log |x| + i \arg x$, the principal branch; $x \ne 0$.
 *
 * @param x - a complex number
 */
export function log(x: Complex): Complex {
  return { re: Math.log(Math.hypot(x.re, x.im)), im: Math.atan2(x.im, x.re) };
}

/**
 * $\tanh(a + ib) = \dfrac{\sinh 2a + i \sin 2b}{\cosh 2a + \cos 2b}$.
 *
 * The imaginary part comes from $\sin 2b$ alone, with no cancellation. For $|a| > 20$ the
 * hyperbolic functions are replaced by their exponential tails, so nothing overflows:
 * $\tanh(a + ib) \approx \operatorname{sign}(a) + 2 i \sin(2b)\, e^{-2|a|}$ there.
 *
 * @param x - a complex number
 */
export function tanh(x: Complex): Complex {
  const twiceRe = 2 * x.re;
  const twiceIm = 2 * x.im;
  if (Math.abs(x.re) > 20) {
    return { re: Math.sign(x.re), im: 2 * Math.sin(twiceIm) * Math.exp(-Math.abs(twiceRe)) };
  }
  const denominator = Math.cosh(twiceRe) + Math.cos(twiceIm);
  return { re: Math.sinh(twiceRe) / denominator, im: Math.sin(twiceIm) / denominator };
}

/**
 * The logistic sigmoid of a complex argument, from its definition alone, without overflow:
 *
 * $$\sigma(z) = \frac{1}{1 + e^{-z}} \quad (\operatorname{Re} z \ge 0), \qquad
 *   \sigma(z) = \frac{e^{z}}{1 + e^{z}} \quad (\operatorname{Re} z < 0).$$
 *
 * The two forms are one analytic function; choosing by the sign of the real part keeps
 * $|e^{\mp z}| \le 1$, as the real sigmoid does, so nothing overflows and the imaginary part
 * keeps its relative precision in both tails.
 *
 * @param z - a complex number
 */
export function complexSigmoid(z: Complex): Complex {
  const one = complex(1);
  if (z.re >= 0) return div(one, add(one, exp(scale(z, -1))));
  const exponential = exp(z);
  return div(exponential, add(one, exponential));
}

/**
 * The sigmoid's derivative at a complex argument, as a product of two sigmoids:
 *
 * $$\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = \sigma(z)\,\sigma(-z).$$
 *
 * The second form is the one computed: $1 - \sigma(z)$ would subtract a number near $1$ from
 * $1$ in the upper tail and keep none of its digits, while $\sigma(-z)$ is evaluated directly
 * and keeps them. For a complex step of it, $z = x + ih$,
 * $\operatorname{Im} \sigma'(x + ih) / h = \sigma''(x) = \sigma'(x)(1 - 2\sigma(x))$.
 *
 * @param z - a complex number
 */
export function complexSigmoidDerivative(z: Complex): Complex {
  return mul(complexSigmoid(z), complexSigmoid(scale(z, -1)));
}

/**
 * The tanh's derivative at a complex argument, $1 - \tanh^2 z$, written so that nothing cancels:
 * with $e = e^{-2z}$ where $\operatorname{Re} z \ge 0$ and $e = e^{2z}$ elsewhere (so $|e| \le 1$),
 *
 * $$1 - \tanh^2 z = \frac{(1 + e)^2 - (1 - e)^2}{(1 + e)^2} = \frac{4e}{(1 + e)^2}.$$
 *
 * The identity holds for complex $z$ as for real (the derivative is even, so either sign of the
 * exponent gives it); in the tails $1 - \tanh^2$ would subtract from $1$ a square that rounds to
 * $1$, and the real part of the derivative, which multiplies every imaginary part sent back
 * through the layer, would keep few digits.
 *
 * @param z - a complex number
 */
export function complexTanhDerivative(z: Complex): Complex {
  const e = exp(scale(z, z.re >= 0 ? -2 : 2));
  const onePlus = add(complex(1), e);
  return div(scale(e, 4), mul(onePlus, onePlus));
}

/**
 * An $n \times B$ matrix of complex numbers, row-major ($z_{jb}$ at index $jB + b$), its real and
 * imaginary parts in two arrays: the preactivations, outputs and deltas of a forward or backward
 * pass in complex arithmetic.
 */
export interface ComplexMatrix {
  /** $n$. */
  readonly rows: number;
  /** $B$. */
  readonly columns: number;
  /** The real parts, row-major. */
  readonly re: Float64Array;
  /** The imaginary parts, row-major. */
  readonly im: Float64Array;
}

/**
 * The $n \times B$ complex matrix of zeros.
 *
 * @param rows - $n$
 * @param columns - $B$
 */
export function complexZeros(rows: number, columns: number): ComplexMatrix {
  return { rows, columns, re: new Float64Array(rows * columns), im: new Float64Array(rows * columns) };
}

/**
 * The entry $z_{jb}$ of a complex matrix.
 *
 * @param matrix - the matrix
 * @param row - $j$
 * @param column - $b$
 */
export function complexEntry(matrix: ComplexMatrix, row: number, column: number): Complex {
  const index = row * matrix.columns + column;
  return { re: matrix.re[index]!, im: matrix.im[index]! };
}

/**
 * Writes the entry $z_{jb}$ of a complex matrix.
 *
 * @param matrix - the matrix, changed in place
 * @param row - $j$
 * @param column - $b$
 * @param value - the new entry
 */
export function setComplexEntry(matrix: ComplexMatrix, row: number, column: number, value: Complex): void {
  const index = row * matrix.columns + column;
  matrix.re[index] = value.re;
  matrix.im[index] = value.im;
}
