/**
 * The update kernels of a training step in JavaScript, the definition that the WebAssembly ones
 * (`assembly/updates.ts`) match bit for bit: steps 5–7 of the derivation applied to a weight
 * matrix in place,
 *
 * $$W_{jk} \leftarrow W_{jk} + \big(G_{jk}\, s_1\big)\, s_2, \qquad G = \textstyle\sum_b \delta_{\cdot b}\, o_{\cdot b}^\top,\ s_1 = \tfrac1B,\ s_2 = -\eta,$$
 *
 * each entry rounded as the separate steps round it (the gradient, its product by $s_1$, the
 * delta weight's product by $s_2$, the sum), with the weight decay's share $c\, W_{jk}$ and the
 * momentum term where the step has them. The training step that calls them, and why it folds
 * the steps into one pass, is {@link training/fused-update!addScaledProduct | addScaledProduct};
 * {@link numeric/kernels | kernels} chooses between these and the WebAssembly ones per call.
 *
 * Every entry of the result depends on the same entry of the operands alone, so the order in
 * which the entries are visited changes no number.
 *
 * @module
 */
import { rowDotProducts } from "./products.js";

/**
 * $W_{jk} \leftarrow W_{jk} + \big((0 + a_j\, o_k)\, s_1\big)\, s_2$ for a row-major $m \times n$
 * matrix $W$ and vectors $a$ and $o$: the step of one sample, whose gradient $\delta_j o_k$ is
 * the one-term sum from zero (the $0 +$ turns a product $-0$ into $+0$, as the sum does). With a
 * `decay` $c \ne 0$: $W_{jk} \leftarrow W_{jk} + \big((0 + a_j o_k)\, s_1 + c\, W_{jk}\big)\, s_2$.
 *
 * Eight rows of $W$ per pass share each $o_k$ read (`eightRowsOuterStep`) when $s_1 = 1$,
 * as it is for one sample: a product by 1 changes no number (not even NaN or $-0$), so that loop
 * leaves it out. Other scales, and a decay, take a row at a time.
 *
 * @param w - the data of $W$, row after row from `wStart`, updated in place
 * @param wStart - the offset of $W_{00}$
 * @param a - the data of $a$ ($\delta$ of the layer), from `aStart`
 * @param aStart - the offset of $a_0$
 * @param o - the data of $o$ (the previous layer's outputs), from `oStart`
 * @param oStart - the offset of $o_0$
 * @param m - the rows of $W$, the length of $a$
 * @param n - the columns of $W$, the length of $o$
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param decay - $c$, or 0 for none
 */
export function outerProductStep(
  w: Float64Array,
  wStart: number,
  a: Float64Array,
  aStart: number,
  o: Float64Array,
  oStart: number,
  m: number,
  n: number,
  firstScale: number,
  secondScale: number,
  decay: number,
): void {
  if (decay !== 0) {
    for (let j = 0; j < m; j++) {
      const factor = a[aStart + j]!;
      const row = wStart + j * n;
      for (let k = 0; k < n; k++) {
        const weight = w[row + k]!;
        w[row + k] = weight + ((0 + factor * o[oStart + k]!) * firstScale + decay * weight) * secondScale;
      }
    }
    return;
  }
  let j = 0;
  if (firstScale === 1) for (; j + 7 < m; j += 8) eightRowsOuterStep(w, wStart + j * n, n, a, aStart + j, o, oStart, secondScale);
  for (; j < m; j++) {
    const factor = a[aStart + j]!;
    const row = wStart + j * n;
    for (let k = 0; k < n; k++) w[row + k] = w[row + k]! + (0 + factor * o[oStart + k]!) * firstScale * secondScale;
  }
}

/**
 * Rows `row` to `row + 7` of {@link outerProductStep} with $s_1 = 1$ and $s_2$ = `scale`. A
 * function of its own: the optimising compiler then keeps the eight row offsets and factors in
 * registers.
 */
function eightRowsOuterStep(
  w: Float64Array,
  row: number,
  n: number,
  a: Float64Array,
  aIndex: number,
  o: Float64Array,
  oStart: number,
  scale: number,
): void {
  const a0 = a[aIndex]!,
    a1 = a[aIndex + 1]!,
    a2 = a[aIndex + 2]!,
    a3 = a[aIndex + 3]!;
  const a4 = a[aIndex + 4]!,
    a5 = a[aIndex + 5]!,
    a6 = a[aIndex + 6]!,
    a7 = a[aIndex + 7]!;
  const row1 = row + n,
    row2 = row1 + n,
    row3 = row2 + n,
    row4 = row3 + n,
    row5 = row4 + n,
    row6 = row5 + n,
    row7 = row6 + n;
  for (let k = 0; k < n; k++) {
    const entry = o[oStart + k]!;
    w[row + k] = w[row + k]! + (0 + a0 * entry) * scale;
    w[row1 + k] = w[row1 + k]! + (0 + a1 * entry) * scale;
    w[row2 + k] = w[row2 + k]! + (0 + a2 * entry) * scale;
    w[row3 + k] = w[row3 + k]! + (0 + a3 * entry) * scale;
    w[row4 + k] = w[row4 + k]! + (0 + a4 * entry) * scale;
    w[row5 + k] = w[row5 + k]! + (0 + a5 * entry) * scale;
    w[row6 + k] = w[row6 + k]! + (0 + a6 * entry) * scale;
    w[row7 + k] = w[row7 + k]! + (0 + a7 * entry) * scale;
  }
}

/**
 * $W_i \leftarrow W_i + (G_i\, s_1)\, s_2$ for `count` consecutive entries of $W$ and of the sums
 * $G$ (rows of the gradient, summed over the batch by
 * {@link numeric/products!rowDotProducts | rowDotProducts}); with a `decay` $c \ne 0$,
 * $W_i \leftarrow W_i + (G_i\, s_1 + c\, W_i)\, s_2$, the product $c W_i$ taken with the weight
 * before the step.
 *
 * @param w - the data of $W$, from `wStart`, updated in place
 * @param wStart - the offset of the first entry
 * @param sums - the data of $G$, from `sumsStart`
 * @param sumsStart - the offset of the first sum
 * @param count - how many entries
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param decay - $c$, or 0 for none
 */
export function sumsStep(
  w: Float64Array,
  wStart: number,
  sums: Float64Array,
  sumsStart: number,
  count: number,
  firstScale: number,
  secondScale: number,
  decay: number,
): void {
  if (decay === 0) {
    for (let i = 0; i < count; i++) w[wStart + i] = w[wStart + i]! + sums[sumsStart + i]! * firstScale * secondScale;
    return;
  }
  for (let i = 0; i < count; i++) {
    const weight = w[wStart + i]!;
    w[wStart + i] = weight + (sums[sumsStart + i]! * firstScale + decay * weight) * secondScale;
  }
}

/**
 * {@link sumsStep} followed by the momentum term $\mu v$, entry by entry in the order of the
 * separate steps of classical momentum ({@link training/momentum | momentum}): with the step
 * $d_i = (G_i s_1) s_2$ (or $(G_i s_1 + c W_i) s_2$ with a decay) and the carried velocity
 * $m_i = v_i \mu$,
 *
 * $$W_i \leftarrow (W_i + d_i) + m_i, \qquad v_i \leftarrow m_i + d_i.$$
 *
 * Returns whether every updated weight and velocity is finite: $x \cdot 0$ is $0$ for a finite
 * $x$ and NaN otherwise, so the sum of those products stays $0$ exactly when all are finite.
 *
 * @param w - the data of $W$, from `wStart`, updated in place
 * @param wStart - the offset of the first weight
 * @param v - the data of the velocity $v$, from `vStart`, updated in place
 * @param vStart - the offset of the first velocity
 * @param sums - the data of $G$, from `sumsStart`
 * @param sumsStart - the offset of the first sum
 * @param count - how many entries
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param decay - $c$, or 0 for none
 * @param momentum - $\mu$
 */
export function momentumSumsStep(
  w: Float64Array,
  wStart: number,
  v: Float64Array,
  vStart: number,
  sums: Float64Array,
  sumsStart: number,
  count: number,
  firstScale: number,
  secondScale: number,
  decay: number,
  momentum: number,
): boolean {
  let check = 0;
  for (let i = 0; i < count; i++) {
    const weight = w[wStart + i]!;
    const step =
      decay === 0 ? sums[sumsStart + i]! * firstScale * secondScale : (sums[sumsStart + i]! * firstScale + decay * weight) * secondScale;
    const carried = v[vStart + i]! * momentum;
    const updated = weight + step + carried;
    const newVelocity = carried + step;
    w[wStart + i] = updated;
    v[vStart + i] = newVelocity;
    check += updated * 0 + newVelocity * 0;
  }
  return check === 0;
}

/**
 * The step of a batch, or of any step with momentum, over a row-major $m \times n$ matrix $W$:
 * for each block of four rows, their sums $G_{jk} = \sum_b A_{jb} O_{kb}$ over the `samples`
 * columns of $A$ ($m \times B$) and $O$ ($n \times B$), from zero in increasing $b$
 * ({@link numeric/products!rowDotProducts | rowDotProducts}), into `sums`, which stays in the
 * processor's cache; then those four rows (consecutive in memory) updated in one pass by
 * {@link sumsStep}, or by {@link momentumSumsStep} with a velocity. (Updating each weight as soon
 * as its sum is complete needs no buffer, but measured on the seed's $200 \times 784$ weights it
 * is 10 to 40 % slower: the updates then jump between four rows instead of running along them.)
 *
 * @param w - the data of $W$, row after row from `wStart`, updated in place
 * @param wStart - the offset of $W_{00}$
 * @param a - the data of $A$ ($\delta$, one sample per column), row after row from `aStart`
 * @param aStart - the offset of $A_{00}$
 * @param o - the data of $O$ (the previous layer's outputs), row after row from `oStart`
 * @param oStart - the offset of $O_{00}$
 * @param m - the rows of $W$ and of $A$
 * @param n - the columns of $W$, the rows of $O$
 * @param samples - $B$, the columns of $A$ and of $O$
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param decay - $c$, or 0 for none
 * @param v - the data of the velocity (shaped like $W$), or `null` for no momentum
 * @param vStart - the offset of its first entry
 * @param momentum - $\mu$ (ignored without a velocity)
 * @param sums - room for $4n$ sums from index 0
 * @returns whether every updated weight and velocity is finite; `true` without a velocity (the
 *   caller bounds that step instead)
 */
export function dotProductsStep(
  w: Float64Array,
  wStart: number,
  a: Float64Array,
  aStart: number,
  o: Float64Array,
  oStart: number,
  m: number,
  n: number,
  samples: number,
  firstScale: number,
  secondScale: number,
  decay: number,
  v: Float64Array | null,
  vStart: number,
  momentum: number,
  sums: Float64Array,
): boolean {
  let finite = true;
  for (let j = 0; j < m; j += 4) {
    const rows = Math.min(4, m - j);
    rowDotProducts(sums, 0, a, aStart + j * samples, o, oStart, rows, samples, n);
    if (v === null) sumsStep(w, wStart + j * n, sums, 0, rows * n, firstScale, secondScale, decay);
    else if (!momentumSumsStep(w, wStart + j * n, v, vStart + j * n, sums, 0, rows * n, firstScale, secondScale, decay, momentum))
      finite = false;
  }
  return finite;
}
