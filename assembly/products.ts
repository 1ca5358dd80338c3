/**
 * The product kernels of `src/numeric/products.ts`, in AssemblyScript compiled to WebAssembly
 * with 128-bit SIMD: each `v128` holds two float64 lanes, and `f64x2.mul` and `f64x2.add` round
 * each lane exactly as JavaScript's `*` and `+` round one number (IEEE 754 binary64, to nearest,
 * ties to even). A lane is a scalar computation; two lanes are two of them side by side.
 *
 * Every entry of every product is computed as the JavaScript kernels compute it, the sum from
 * zero over $k$ in increasing order, one rounded multiplication and one rounded addition per term:
 *
 * $$C_{ij} = \Big(\big((0 + A_{i0} B_{0j}) + A_{i1} B_{1j}\big) + \dots\Big) + A_{i,p-1} B_{p-1,j}.$$
 *
 * So the vectors run across independent entries (two columns $j, j+1$ of $C$, or two rows),
 * never along one sum: a lane never meets another lane's terms. No kernel uses a fused
 * multiply-add (core WebAssembly has none; the `relaxed-simd` feature that has one is not
 * enabled), and Binaryen's optimiser, which `asc -O3` runs, does not reassociate floating-point
 * arithmetic nor drop the `0 +` that turns a product $-0$ into $+0$. The kernels therefore give
 * bit for bit the numbers of the JavaScript ones; `spec/numeric/kernels.spec.ts` proves it
 * on random shapes and values.
 *
 * Memory is the module's imported memory, shared with JavaScript (`src/numeric/kernel-memory.ts`
 * allocates the matrices in it). Every address is a byte address; every matrix is dense and row
 * after row, so that entry $(i, j)$ of an $r \times s$ matrix at `x` is at `x + 8 (i s + j)`.
 * Unaligned addresses are allowed: WebAssembly's loads take any address (the allocator starts
 * every array on a 16-byte boundary, but a row of odd length or an offset moves the rest).
 *
 * The small helpers (`addProduct`, `splat`, `columnPair`, `dotProduct`) are functions for the
 * reader; Binaryen inlines every one of them, so the compiled kernels call nothing but
 * `denseRightProducts` and `transposedVectorProduct`.
 *
 * Build: `npm run build:wasm` (scripts/build-wasm.ts), which writes the module's bytes into
 * `src/numeric/wasm-binary.ts`.
 */

/** Bytes in one float64. */
const BYTES: usize = 8;

/** $(0, 0)$: where every sum starts. */
const ZERO: v128 = f64x2.splat(0);

/** `sum + x · y` in each lane: one rounded multiplication, then one rounded addition. */
function addProduct(sum: v128, x: v128, y: v128): v128 {
  return f64x2.add(sum, f64x2.mul(x, y));
}

/** The number at `address`, in both lanes. */
function splat(address: usize): v128 {
  return v128.load64_splat(address);
}

/**
 * $c = A b$ for a row-major $m \times p$ matrix $A$ and a vector $b$ (the forward pass $W o$ for
 * one sample), the JavaScript `matrixVectorProduct`.
 *
 * The two lanes are two rows, $i$ and $i + 1$: $(c_i, c_{i+1}) \mathrel{+}= (A_{ik}, A_{i+1,k})\, b_k$.
 * The two entries of one lane-pair are a row apart in memory, so the loop reads two adjacent
 * entries of each row, $(A_{ik}, A_{i,k+1})$ and $(A_{i+1,k}, A_{i+1,k+1})$, and shuffles them
 * into the column $(A_{ik}, A_{i+1,k})$ and the next column: each sum still takes its terms one
 * at a time in increasing $k$. Eight rows per pass (four lane-pairs) share each $b_k$ read, and
 * keep four additions in flight instead of waiting on one.
 */
export function matrixVectorProduct(c: usize, a: usize, b: usize, m: i32, p: i32): void {
  const row = <usize>p * BYTES;
  let i = 0;
  for (; i + 7 < m; i += 8) {
    const row0 = a + <usize>i * row;
    const row1 = row0 + row,
      row2 = row1 + row,
      row3 = row2 + row,
      row4 = row3 + row,
      row5 = row4 + row,
      row6 = row5 + row,
      row7 = row6 + row;
    let sum01 = ZERO,
      sum23 = ZERO,
      sum45 = ZERO,
      sum67 = ZERO;
    let k = 0;
    let offset: usize = 0;
    for (; k + 1 < p; k += 2, offset += 2 * BYTES) {
      const entry = splat(b + offset),
        next = splat(b + offset + BYTES);
      const x0 = v128.load(row0 + offset),
        x1 = v128.load(row1 + offset),
        x2 = v128.load(row2 + offset),
        x3 = v128.load(row3 + offset),
        x4 = v128.load(row4 + offset),
        x5 = v128.load(row5 + offset),
        x6 = v128.load(row6 + offset),
        x7 = v128.load(row7 + offset);
      sum01 = addProduct(sum01, f64x2.shuffle(x0, x1, 0, 2), entry);
      sum23 = addProduct(sum23, f64x2.shuffle(x2, x3, 0, 2), entry);
      sum45 = addProduct(sum45, f64x2.shuffle(x4, x5, 0, 2), entry);
      sum67 = addProduct(sum67, f64x2.shuffle(x6, x7, 0, 2), entry);
      sum01 = addProduct(sum01, f64x2.shuffle(x0, x1, 1, 3), next);
      sum23 = addProduct(sum23, f64x2.shuffle(x2, x3, 1, 3), next);
      sum45 = addProduct(sum45, f64x2.shuffle(x4, x5, 1, 3), next);
      sum67 = addProduct(sum67, f64x2.shuffle(x6, x7, 1, 3), next);
    }
    if (k < p) {
      const entry = splat(b + offset);
      sum01 = addProduct(sum01, columnPair(row0 + offset, row1 + offset), entry);
      sum23 = addProduct(sum23, columnPair(row2 + offset, row3 + offset), entry);
      sum45 = addProduct(sum45, columnPair(row4 + offset, row5 + offset), entry);
      sum67 = addProduct(sum67, columnPair(row6 + offset, row7 + offset), entry);
    }
    const out = c + <usize>i * BYTES;
    v128.store(out, sum01);
    v128.store(out, sum23, 16);
    v128.store(out, sum45, 32);
    v128.store(out, sum67, 48);
  }
  for (; i < m; i++) store<f64>(c + <usize>i * BYTES, dotProduct(a + <usize>i * row, BYTES, b, BYTES, p));
}

/** $(x, y)$ from the numbers at two addresses. */
function columnPair(first: usize, second: usize): v128 {
  return v128.load64_lane(second, v128.load64_zero(first), 1);
}

/**
 * $\sum_k x_k y_k$ over $p$ terms, from zero in increasing $k$, the entries $x_k$ and $y_k$ at
 * `x + k · xStep` and `y + k · yStep`: the scalar loop every kernel ends with for the entries
 * left over from its blocks.
 */
function dotProduct(x: usize, xStep: usize, y: usize, yStep: usize, p: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < p; k++, x += xStep, y += yStep) sum += load<f64>(x) * load<f64>(y);
  return sum;
}

/**
 * $C = A B$ for a row-major $m \times p$ matrix $A$ and $p \times n$ matrix $B$, $n > 1$ (the
 * forward pass $W o$ for a batch), the JavaScript `columnPairProducts`: see {@link denseRightProducts}.
 */
export function columnPairProducts(c: usize, a: usize, b: usize, m: i32, p: i32, n: i32): void {
  denseRightProducts(c, a, <usize>p * BYTES, BYTES, b, m, p, n);
}

/**
 * $C = W^\top B$ for a row-major $p \times m$ matrix $W$ and $p \times n$ matrix $B$ (the hidden
 * error $W^\top \delta$), the JavaScript `transposedProduct`. For a batch, the loop of
 * {@link denseRightProducts} with $A = W^\top$ ($A_{ik} = W_{ki}$, a row of $W$ apart for each
 * $k$); for one sample, {@link transposedVectorProduct}.
 */
export function transposedProduct(c: usize, w: usize, b: usize, m: i32, p: i32, n: i32): void {
  if (n === 1) transposedVectorProduct(c, w, b, m, p);
  else denseRightProducts(c, w, BYTES, <usize>m * BYTES, b, m, p, n);
}

/**
 * $C_{ij} = \sum_k A_{ik} B_{kj}$ for a dense row-major $p \times n$ matrix $B$ and an $m \times p$
 * matrix $A$ whose entry $A_{ik}$ is at `a + i · rowStep + k · columnStep` (so one loop serves
 * $A = W$ and $A = W^\top$).
 *
 * The two lanes are two adjacent columns of $B$ and of $C$, $(C_{ij}, C_{i,j+1}) \mathrel{+}=
 * A_{ik}\, (B_{kj}, B_{k,j+1})$: one load of $B$ for two sums. Blocks of four rows of $A$ by four
 * columns of $B$ keep eight lane-pairs of sums, sixteen sums, in registers through the whole
 * pass over $k$ (four numbers of $A$ and two loads of $B$ for sixteen products); then two
 * columns, one column, and the rows left over.
 */
function denseRightProducts(c: usize, a: usize, rowStep: usize, columnStep: usize, b: usize, m: i32, p: i32, n: i32): void {
  const rowOfB = <usize>n * BYTES;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const row0 = a + <usize>i * rowStep;
    const row1 = row0 + rowStep,
      row2 = row1 + rowStep,
      row3 = row2 + rowStep;
    const out = c + <usize>i * rowOfB;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      let sum00 = ZERO,
        sum02 = ZERO,
        sum10 = ZERO,
        sum12 = ZERO,
        sum20 = ZERO,
        sum22 = ZERO,
        sum30 = ZERO,
        sum32 = ZERO;
      let entry = b + <usize>j * BYTES;
      let offset: usize = 0;
      for (let k = 0; k < p; k++, entry += rowOfB, offset += columnStep) {
        const x0 = v128.load(entry),
          x2 = v128.load(entry, 16);
        const a0 = splat(row0 + offset),
          a1 = splat(row1 + offset),
          a2 = splat(row2 + offset),
          a3 = splat(row3 + offset);
        sum00 = addProduct(sum00, a0, x0);
        sum02 = addProduct(sum02, a0, x2);
        sum10 = addProduct(sum10, a1, x0);
        sum12 = addProduct(sum12, a1, x2);
        sum20 = addProduct(sum20, a2, x0);
        sum22 = addProduct(sum22, a2, x2);
        sum30 = addProduct(sum30, a3, x0);
        sum32 = addProduct(sum32, a3, x2);
      }
      const at = out + <usize>j * BYTES;
      v128.store(at, sum00);
      v128.store(at, sum02, 16);
      v128.store(at + rowOfB, sum10);
      v128.store(at + rowOfB, sum12, 16);
      v128.store(at + 2 * rowOfB, sum20);
      v128.store(at + 2 * rowOfB, sum22, 16);
      v128.store(at + 3 * rowOfB, sum30);
      v128.store(at + 3 * rowOfB, sum32, 16);
    }
    for (; j + 1 < n; j += 2) {
      let sum0 = ZERO,
        sum1 = ZERO,
        sum2 = ZERO,
        sum3 = ZERO;
      let entry = b + <usize>j * BYTES;
      let offset: usize = 0;
      for (let k = 0; k < p; k++, entry += rowOfB, offset += columnStep) {
        const x = v128.load(entry);
        sum0 = addProduct(sum0, splat(row0 + offset), x);
        sum1 = addProduct(sum1, splat(row1 + offset), x);
        sum2 = addProduct(sum2, splat(row2 + offset), x);
        sum3 = addProduct(sum3, splat(row3 + offset), x);
      }
      const at = out + <usize>j * BYTES;
      v128.store(at, sum0);
      v128.store(at + rowOfB, sum1);
      v128.store(at + 2 * rowOfB, sum2);
      v128.store(at + 3 * rowOfB, sum3);
    }
    if (j < n) {
      const column = b + <usize>j * BYTES;
      const at = out + <usize>j * BYTES;
      store<f64>(at, dotProduct(row0, columnStep, column, rowOfB, p));
      store<f64>(at + rowOfB, dotProduct(row1, columnStep, column, rowOfB, p));
      store<f64>(at + 2 * rowOfB, dotProduct(row2, columnStep, column, rowOfB, p));
      store<f64>(at + 3 * rowOfB, dotProduct(row3, columnStep, column, rowOfB, p));
    }
  }
  for (; i < m; i++) {
    const row = a + <usize>i * rowStep;
    const out = c + <usize>i * rowOfB;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      let sum = ZERO;
      let entry = b + <usize>j * BYTES;
      let offset: usize = 0;
      for (let k = 0; k < p; k++, entry += rowOfB, offset += columnStep) sum = addProduct(sum, splat(row + offset), v128.load(entry));
      v128.store(out + <usize>j * BYTES, sum);
    }
    if (j < n) store<f64>(out + <usize>j * BYTES, dotProduct(row, columnStep, b + <usize>j * BYTES, rowOfB, p));
  }
}

/**
 * $c = W^\top b$ for a row-major $p \times m$ matrix $W$ and a vector $b$ of length $p$ (the hidden
 * error for one sample): $c_i = \sum_k W_{ki} b_k$.
 *
 * The two lanes are two adjacent entries $i, i+1$ of $c$, which are two adjacent entries of each
 * row of $W$: $(c_i, c_{i+1}) \mathrel{+}= (W_{ki}, W_{k,i+1})\, b_k$. Blocks of eight entries of
 * $c$ (four lane-pairs, 64 bytes of each row of $W$) stay in registers while $k$ runs down the
 * rows of $W$; then pairs, and the last entry alone.
 */
function transposedVectorProduct(c: usize, w: usize, b: usize, m: i32, p: i32): void {
  const row = <usize>m * BYTES;
  let i = 0;
  for (; i + 7 < m; i += 8) {
    let sum0 = ZERO,
      sum2 = ZERO,
      sum4 = ZERO,
      sum6 = ZERO;
    let entry = w + <usize>i * BYTES;
    let factor = b;
    for (let k = 0; k < p; k++, entry += row, factor += BYTES) {
      const x = splat(factor);
      sum0 = addProduct(sum0, v128.load(entry), x);
      sum2 = addProduct(sum2, v128.load(entry, 16), x);
      sum4 = addProduct(sum4, v128.load(entry, 32), x);
      sum6 = addProduct(sum6, v128.load(entry, 48), x);
    }
    const out = c + <usize>i * BYTES;
    v128.store(out, sum0);
    v128.store(out, sum2, 16);
    v128.store(out, sum4, 32);
    v128.store(out, sum6, 48);
  }
  for (; i + 1 < m; i += 2) {
    let sum = ZERO;
    let entry = w + <usize>i * BYTES;
    let factor = b;
    for (let k = 0; k < p; k++, entry += row, factor += BYTES) sum = addProduct(sum, v128.load(entry), splat(factor));
    v128.store(c + <usize>i * BYTES, sum);
  }
  if (i < m) store<f64>(c + <usize>i * BYTES, dotProduct(w + <usize>i * BYTES, row, b, BYTES, p));
}

/**
 * $C = A O^\top$ for row-major $A$ ($m \times p$) and $O$ ($n \times p$): $C_{ik} = \sum_b A_{ib} O_{kb}$
 * (the weight gradient $\delta\, o^\top$, whose sum runs over the $p$ samples of the batch), the
 * JavaScript `rowDotProducts`.
 *
 * Both factors of a term lie along memory, the direction of the sum, which two lanes must not
 * share. So the two lanes are two rows $k, k+1$ of $O$ (two adjacent entries of a row of $C$):
 * the loop reads two adjacent samples of each row, $(O_{kb}, O_{k,b+1})$ and
 * $(O_{k+1,b}, O_{k+1,b+1})$, and shuffles them into $(O_{kb}, O_{k+1,b})$ and the next sample's
 * pair, as {@link matrixVectorProduct} does with the rows of $A$; each sum takes its terms one at
 * a time in increasing $b$. Blocks of four rows of $A$ by four rows of $O$ keep sixteen sums in
 * eight lane-pairs; then two rows of $O$, one, and the rows of $A$ left over.
 */
export function rowDotProducts(c: usize, a: usize, o: usize, m: i32, p: i32, n: i32): void {
  const row = <usize>p * BYTES;
  const rowOfC = <usize>n * BYTES;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = a + <usize>i * row;
    const a1 = a0 + row,
      a2 = a1 + row,
      a3 = a2 + row;
    const out = c + <usize>i * rowOfC;
    let k = 0;
    for (; k + 3 < n; k += 4) {
      const o0 = o + <usize>k * row;
      const o1 = o0 + row,
        o2 = o1 + row,
        o3 = o2 + row;
      let sum00 = ZERO,
        sum02 = ZERO,
        sum10 = ZERO,
        sum12 = ZERO,
        sum20 = ZERO,
        sum22 = ZERO,
        sum30 = ZERO,
        sum32 = ZERO;
      let b = 0;
      let offset: usize = 0;
      for (; b + 1 < p; b += 2, offset += 2 * BYTES) {
        const x0 = v128.load(o0 + offset),
          x1 = v128.load(o1 + offset),
          x2 = v128.load(o2 + offset),
          x3 = v128.load(o3 + offset);
        const now01 = f64x2.shuffle(x0, x1, 0, 2),
          now23 = f64x2.shuffle(x2, x3, 0, 2);
        const next01 = f64x2.shuffle(x0, x1, 1, 3),
          next23 = f64x2.shuffle(x2, x3, 1, 3);
        let y = splat(a0 + offset);
        sum00 = addProduct(sum00, y, now01);
        sum02 = addProduct(sum02, y, now23);
        y = splat(a1 + offset);
        sum10 = addProduct(sum10, y, now01);
        sum12 = addProduct(sum12, y, now23);
        y = splat(a2 + offset);
        sum20 = addProduct(sum20, y, now01);
        sum22 = addProduct(sum22, y, now23);
        y = splat(a3 + offset);
        sum30 = addProduct(sum30, y, now01);
        sum32 = addProduct(sum32, y, now23);
        y = splat(a0 + offset + BYTES);
        sum00 = addProduct(sum00, y, next01);
        sum02 = addProduct(sum02, y, next23);
        y = splat(a1 + offset + BYTES);
        sum10 = addProduct(sum10, y, next01);
        sum12 = addProduct(sum12, y, next23);
        y = splat(a2 + offset + BYTES);
        sum20 = addProduct(sum20, y, next01);
        sum22 = addProduct(sum22, y, next23);
        y = splat(a3 + offset + BYTES);
        sum30 = addProduct(sum30, y, next01);
        sum32 = addProduct(sum32, y, next23);
      }
      if (b < p) {
        const now01 = columnPair(o0 + offset, o1 + offset),
          now23 = columnPair(o2 + offset, o3 + offset);
        let y = splat(a0 + offset);
        sum00 = addProduct(sum00, y, now01);
        sum02 = addProduct(sum02, y, now23);
        y = splat(a1 + offset);
        sum10 = addProduct(sum10, y, now01);
        sum12 = addProduct(sum12, y, now23);
        y = splat(a2 + offset);
        sum20 = addProduct(sum20, y, now01);
        sum22 = addProduct(sum22, y, now23);
        y = splat(a3 + offset);
        sum30 = addProduct(sum30, y, now01);
        sum32 = addProduct(sum32, y, now23);
      }
      const at = out + <usize>k * BYTES;
      v128.store(at, sum00);
      v128.store(at, sum02, 16);
      v128.store(at + rowOfC, sum10);
      v128.store(at + rowOfC, sum12, 16);
      v128.store(at + 2 * rowOfC, sum20);
      v128.store(at + 2 * rowOfC, sum22, 16);
      v128.store(at + 3 * rowOfC, sum30);
      v128.store(at + 3 * rowOfC, sum32, 16);
    }
    for (; k < n; k++) {
      const column = o + <usize>k * row;
      const at = out + <usize>k * BYTES;
      store<f64>(at, dotProduct(a0, BYTES, column, BYTES, p));
      store<f64>(at + rowOfC, dotProduct(a1, BYTES, column, BYTES, p));
      store<f64>(at + 2 * rowOfC, dotProduct(a2, BYTES, column, BYTES, p));
      store<f64>(at + 3 * rowOfC, dotProduct(a3, BYTES, column, BYTES, p));
    }
  }
  for (; i < m; i++) {
    const rowOfA = a + <usize>i * row;
    const out = c + <usize>i * rowOfC;
    for (let k = 0; k < n; k++) store<f64>(out + <usize>k * BYTES, dotProduct(rowOfA, BYTES, o + <usize>k * row, BYTES, p));
  }
}
