/**
 * The update kernels of a training step (the JavaScript ones are `src/numeric/updates.ts`), in
 * AssemblyScript with 128-bit SIMD: steps 5–7 of the derivation applied to the weights in place,
 *
 * $$W_{jk} \leftarrow W_{jk} + \big(G_{jk}\, s_1\big)\, s_2, \qquad G = \delta\, o^\top,\ s_1 = \tfrac1B,\ s_2 = -\eta,$$
 *
 * with the weight decay's share $c\, W_{jk}$ and the momentum term where a step has them.
 *
 * Every operation here is element-wise: the new $W_{jk}$ depends on $W_{jk}$, $G_{jk}$ (and
 * $v_{jk}$) alone, so the two lanes of a vector are two adjacent weights, two independent
 * computations, and each lane rounds exactly as JavaScript rounds the same expression, in the
 * same order (`f64x2.mul` and `f64x2.add` are IEEE 754 binary64, to nearest; no fused
 * multiply-add). The kernels therefore give bit for bit the weights of the JavaScript ones;
 * `spec/numeric/kernels.spec.ts` proves it on random sizes, values and offsets.
 *
 * Addresses are byte addresses in the module's imported memory; the arrays are dense.
 */
import { rowDotProducts } from "./products";

/** Bytes in one float64. */
const BYTES: usize = 8;

/** Bytes in one vector of two float64 lanes. */
const PAIR: usize = 16;

/** $(0, 0)$: where every one-term sum starts. */
const ZERO: v128 = f64x2.splat(0);

/**
 * $W_{jk} \leftarrow W_{jk} + \big((0 + a_j\, o_k)\, s_1\big)\, s_2$ for a row-major $m \times n$
 * matrix $W$ and vectors $a$ ($m$) and $o$ ($n$): the step of one sample, whose gradient
 * $\delta_j o_k$ is the one-term sum $0 + \delta_j o_k$ (the $0 +$ turns a product $-0$ into
 * $+0$, as the sum from zero does). With a `decay` $c \ne 0$,
 * $W_{jk} \leftarrow W_{jk} + \big((0 + a_j o_k)\, s_1 + c\, W_{jk}\big)\, s_2$.
 *
 * The JavaScript `outerProductStep`. The lanes are two adjacent weights $k, k+1$ of a row, which
 * share $a_j$ and read two adjacent $o_k$; four rows per pass share each pair of $o$ read.
 */
export function outerProductStep(w: usize, a: usize, o: usize, m: i32, n: i32, s1: f64, s2: f64, decay: f64): void {
  const row = <usize>n * BYTES;
  const first = f64x2.splat(s1),
    second = f64x2.splat(s2),
    c = f64x2.splat(decay);
  const pairs = n & ~1;
  let j = 0;
  if (decay == 0) {
    for (; j + 3 < m; j += 4) {
      const w0 = w + <usize>j * row;
      const w1 = w0 + row,
        w2 = w1 + row,
        w3 = w2 + row;
      const a0 = v128.load64_splat(a + <usize>j * BYTES),
        a1 = v128.load64_splat(a + <usize>(j + 1) * BYTES),
        a2 = v128.load64_splat(a + <usize>(j + 2) * BYTES),
        a3 = v128.load64_splat(a + <usize>(j + 3) * BYTES);
      let offset: usize = 0;
      for (let k = 0; k < pairs; k += 2, offset += PAIR) {
        const entry = v128.load(o + offset);
        v128.store(w0 + offset, oneTermStep(v128.load(w0 + offset), a0, entry, first, second));
        v128.store(w1 + offset, oneTermStep(v128.load(w1 + offset), a1, entry, first, second));
        v128.store(w2 + offset, oneTermStep(v128.load(w2 + offset), a2, entry, first, second));
        v128.store(w3 + offset, oneTermStep(v128.load(w3 + offset), a3, entry, first, second));
      }
    }
    for (; j < m; j++) {
      const wj = w + <usize>j * row;
      const aj = v128.load64_splat(a + <usize>j * BYTES);
      let offset: usize = 0;
      for (let k = 0; k < pairs; k += 2, offset += PAIR) {
        v128.store(wj + offset, oneTermStep(v128.load(wj + offset), aj, v128.load(o + offset), first, second));
      }
    }
    if (pairs < n) {
      const last = <usize>pairs * BYTES;
      const entry = load<f64>(o + last);
      for (let i = 0; i < m; i++) {
        const at = w + <usize>i * row + last;
        store<f64>(at, load<f64>(at) + (0 + load<f64>(a + <usize>i * BYTES) * entry) * s1 * s2);
      }
    }
    return;
  }
  for (; j < m; j++) {
    const wj = w + <usize>j * row;
    const aj = v128.load64_splat(a + <usize>j * BYTES);
    let offset: usize = 0;
    for (let k = 0; k < pairs; k += 2, offset += PAIR) {
      const weight = v128.load(wj + offset);
      const gradient = f64x2.add(ZERO, f64x2.mul(aj, v128.load(o + offset)));
      const step = f64x2.mul(f64x2.add(f64x2.mul(gradient, first), f64x2.mul(c, weight)), second);
      v128.store(wj + offset, f64x2.add(weight, step));
    }
    if (pairs < n) {
      const at = wj + offset;
      const weight = load<f64>(at);
      store<f64>(at, weight + ((0 + load<f64>(a + <usize>j * BYTES) * load<f64>(o + offset)) * s1 + decay * weight) * s2);
    }
  }
}

/** $w + \big((0 + a\, o)\, s_1\big)\, s_2$ in each lane. */
function oneTermStep(weight: v128, a: v128, o: v128, first: v128, second: v128): v128 {
  return f64x2.add(weight, f64x2.mul(f64x2.mul(f64x2.add(ZERO, f64x2.mul(a, o)), first), second));
}

/**
 * $W_i \leftarrow W_i + (G_i\, s_1)\, s_2$ for `count` entries of $W$ and of the sums $G$ (rows of
 * the gradient $\sum_b \delta o^\top$ that `rowDotProducts` computed); with a `decay` $c \ne 0$,
 * $W_i \leftarrow W_i + (G_i\, s_1 + c\, W_i)\, s_2$. The JavaScript `sumsStep`.
 */
function sumsStep(w: usize, sums: usize, count: i32, s1: f64, s2: f64, decay: f64): void {
  const first = f64x2.splat(s1),
    second = f64x2.splat(s2),
    c = f64x2.splat(decay);
  const pairs = count & ~1;
  let offset: usize = 0;
  if (decay == 0) {
    for (let i = 0; i < pairs; i += 2, offset += PAIR) {
      const step = f64x2.mul(f64x2.mul(v128.load(sums + offset), first), second);
      v128.store(w + offset, f64x2.add(v128.load(w + offset), step));
    }
    if (pairs < count) store<f64>(w + offset, load<f64>(w + offset) + load<f64>(sums + offset) * s1 * s2);
    return;
  }
  for (let i = 0; i < pairs; i += 2, offset += PAIR) {
    const weight = v128.load(w + offset);
    const step = f64x2.mul(f64x2.add(f64x2.mul(v128.load(sums + offset), first), f64x2.mul(c, weight)), second);
    v128.store(w + offset, f64x2.add(weight, step));
  }
  if (pairs < count) {
    const weight = load<f64>(w + offset);
    store<f64>(w + offset, weight + (load<f64>(sums + offset) * s1 + decay * weight) * s2);
  }
}

/**
 * {@link sumsStep} followed by the momentum term, entry by entry in the order of the separate
 * steps: with $d_i = (G_i s_1) s_2$ (or $(G_i s_1 + c W_i) s_2$ with a decay) and
 * $m_i = \mu\, v_i$ computed as $v_i \mu$,
 * $W_i \leftarrow (W_i + d_i) + m_i$ and $v_i \leftarrow m_i + d_i$. The JavaScript
 * `momentumSumsStep`.
 *
 * Returns 1 when every updated weight and velocity is finite, 0 otherwise: $x \cdot 0$ is $0$
 * for a finite $x$ and NaN otherwise, and a sum of such products is $0$ exactly when each is,
 * in whatever order it is taken.
 */
function momentumSumsStep(w: usize, v: usize, sums: usize, count: i32, s1: f64, s2: f64, decay: f64, momentum: f64): i32 {
  const first = f64x2.splat(s1),
    second = f64x2.splat(s2),
    c = f64x2.splat(decay),
    mu = f64x2.splat(momentum);
  const pairs = count & ~1;
  let check = ZERO;
  let offset: usize = 0;
  for (let i = 0; i < pairs; i += 2, offset += PAIR) {
    const weight = v128.load(w + offset);
    const scaled = f64x2.mul(v128.load(sums + offset), first);
    const step = decay == 0 ? f64x2.mul(scaled, second) : f64x2.mul(f64x2.add(scaled, f64x2.mul(c, weight)), second);
    const carried = f64x2.mul(v128.load(v + offset), mu);
    const updated = f64x2.add(f64x2.add(weight, step), carried);
    const velocity = f64x2.add(carried, step);
    v128.store(w + offset, updated);
    v128.store(v + offset, velocity);
    check = f64x2.add(check, f64x2.add(f64x2.mul(updated, ZERO), f64x2.mul(velocity, ZERO)));
  }
  let sum = f64x2.extract_lane(check, 0) + f64x2.extract_lane(check, 1);
  if (pairs < count) {
    const weight = load<f64>(w + offset);
    const scaled = load<f64>(sums + offset) * s1;
    const step = decay == 0 ? scaled * s2 : (scaled + decay * weight) * s2;
    const carried = load<f64>(v + offset) * momentum;
    const updated = weight + step + carried;
    const velocity = carried + step;
    store<f64>(w + offset, updated);
    store<f64>(v + offset, velocity);
    sum += updated * 0 + velocity * 0;
  }
  return sum == 0 ? 1 : 0;
}

/**
 * The step of a batch, or of any step with momentum: for each block of four rows of $W$
 * ($m \times n$), their sums $G_{jk} = \sum_b A_{jb} O_{kb}$ over the `samples` columns of $A$
 * ($m \times B$) and $O$ ($n \times B$) into `sums` ({@link rowDotProducts}, room for $4n$
 * numbers), then those four rows updated by {@link sumsStep}, or by {@link momentumSumsStep} when
 * `hasVelocity` is 1 (the velocity $v$ at `v`, shaped like $W$). The JavaScript `dotProductsStep`.
 *
 * Returns 1 when every updated weight and velocity is finite (always 1 without a velocity, whose
 * step the caller bounds instead), 0 otherwise.
 */
export function dotProductsStep(
  w: usize,
  a: usize,
  o: usize,
  m: i32,
  n: i32,
  samples: i32,
  s1: f64,
  s2: f64,
  decay: f64,
  hasVelocity: i32,
  v: usize,
  momentum: f64,
  sums: usize,
): i32 {
  let finite = 1;
  const rowOfW = <usize>n * BYTES;
  for (let j = 0; j < m; j += 4) {
    const rows = min(4, m - j);
    rowDotProducts(sums, a + <usize>j * <usize>samples * BYTES, o, rows, samples, n);
    const row = <usize>j * rowOfW;
    if (hasVelocity == 0) sumsStep(w + row, sums, rows * n, s1, s2, decay);
    else if (momentumSumsStep(w + row, v + row, sums, rows * n, s1, s2, decay, momentum) == 0) finite = 0;
  }
  return finite;
}
