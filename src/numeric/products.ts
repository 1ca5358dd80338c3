/**
 * The product kernels: the loops that compute $C = A B$ for each layout in which
 * backpropagation meets a product, over the `Float64Array`s that hold the matrices.
 *
 * Every kernel here computes each entry the same way: the sum starts from zero and runs over
 * $k$ in increasing order, one rounded addition after another,
 *
 * $$C_{ij} = \Big(\big((0 + A_{i0} B_{0j}) + A_{i1} B_{1j}\big) + \dots\Big) + A_{i,p-1} B_{p-1,j},$$
 *
 * so they give bit for bit the same numbers; they differ only in the order in which they visit
 * the entries, which decides how well they use the processor's caches and adders. Each reads
 * the large operand (the weights) once, along memory. None keeps a buffer between calls or
 * allocates one: they read their operands where they are stored.
 *
 * {@link numeric/tensor!multiply | multiply} chooses the kernel from the layout of its operands.
 * The offsets and strides are those of `ndarray` (entry $(i, j)$ of a matrix is
 * `data[offset + i * stride[0] + j * stride[1]]`); a matrix stored densely, row after row, has
 * the strides $[n, 1]$.
 *
 * @module
 */

/**
 * $c = A b$ for a row-major $m \times p$ matrix $A$ and a vector $b$ of length $p$ (the forward
 * pass $W o$ for one sample), eight rows of $A$ per pass: each entry of $b$ is read once for eight independent sums, each over $k$ in
 * increasing order. (Measured on the project's machine, eight rows run the seed's $200 \times 784$
 * product about twice as fast as one row at a time: the eight sums keep the processor's
 * adders busy while one sum would wait for its own previous addition.)
 *
 * @param c - where $c$ goes, from `cStart`
 * @param cStart - the offset of $c_0$
 * @param a - the data of $A$, row after row from `aStart`
 * @param aStart - the offset of $A_{00}$
 * @param b - the data of $b$, from `bStart`
 * @param bStart - the offset of $b_0$
 * @param m - the rows of $A$
 * @param p - the columns of $A$, the length of $b$
 */
export function matrixVectorProduct(
  c: Float64Array,
  cStart: number,
  a: Float64Array,
  aStart: number,
  b: Float64Array,
  bStart: number,
  m: number,
  p: number,
): void {
  let i = 0;
  for (; i + 7 < m; i += 8) eightDotProducts(c, cStart + i, a, aStart + i * p, b, bStart, p);
  for (; i < m; i++) {
    const row = aStart + i * p;
    let sum = 0;
    for (let k = 0; k < p; k++) sum += a[row + k]! * b[bStart + k]!;
    c[cStart + i] = sum;
  }
}

/**
 * Entries `out` to `out + 7` of {@link matrixVectorProduct}, from the eight rows of $A$ that start
 * at `row`. A function of its own, so that the optimising compiler keeps the eight sums and row
 * offsets in registers.
 */
function eightDotProducts(c: Float64Array, out: number, a: Float64Array, row: number, b: Float64Array, bStart: number, p: number): void {
  const row1 = row + p,
    row2 = row1 + p,
    row3 = row2 + p,
    row4 = row3 + p,
    row5 = row4 + p,
    row6 = row5 + p,
    row7 = row6 + p;
  let sum0 = 0,
    sum1 = 0,
    sum2 = 0,
    sum3 = 0,
    sum4 = 0,
    sum5 = 0,
    sum6 = 0,
    sum7 = 0;
  for (let k = 0; k < p; k++) {
    const entry = b[bStart + k]!;
    sum0 += a[row + k]! * entry;
    sum1 += a[row1 + k]! * entry;
    sum2 += a[row2 + k]! * entry;
    sum3 += a[row3 + k]! * entry;
    sum4 += a[row4 + k]! * entry;
    sum5 += a[row5 + k]! * entry;
    sum6 += a[row6 + k]! * entry;
    sum7 += a[row7 + k]! * entry;
  }
  c[out] = sum0;
  c[out + 1] = sum1;
  c[out + 2] = sum2;
  c[out + 3] = sum3;
  c[out + 4] = sum4;
  c[out + 5] = sum5;
  c[out + 6] = sum6;
  c[out + 7] = sum7;
}

/**
 * $C = A B$ for row-major $A$ ($m \times p$), $B$ ($p \times n$) and $C$, with $n > 1$ (the forward
 * pass $W o$ for a batch): blocks of four rows of $A$ and two columns of $B$ make eight sums in
 * one pass over $k$, six numbers read for eight products. The two entries $B_{kj}$ and
 * $B_{k,j+1}$ of a block sit side by side in memory, and $k$ steps down the rows of $B$ by a
 * fixed stride, which the processor's prefetcher follows: measured on the seed's $200 \times 784$
 * weights, this runs as fast as first copying $B$ transposed so that its columns are contiguous,
 * without the copy or a buffer to hold it. The loop is the one {@link rowDotProducts} runs, with
 * $B$'s strides.
 *
 * @param c - where $C$ goes, row after row from `cStart`
 * @param cStart - the offset of $C_{00}$
 * @param a - the data of $A$, row after row from `aStart`
 * @param aStart - the offset of $A_{00}$
 * @param b - the data of $B$, row after row from `bStart`
 * @param bStart - the offset of $B_{00}$
 * @param m - the rows of $A$ and of $C$
 * @param p - the columns of $A$, the rows of $B$
 * @param n - the columns of $B$ and of $C$
 */
export function columnPairProducts(
  c: Float64Array,
  cStart: number,
  a: Float64Array,
  aStart: number,
  b: Float64Array,
  bStart: number,
  m: number,
  p: number,
  n: number,
): void {
  blockedDotProducts(c, cStart, a, aStart, b, bStart, m, p, n, n, 1);
}

/**
 * $C = W^\top B$ (the hidden error $W^\top \delta$) where $W$ is row-major $p \times m$ (so
 * $A = W^\top$ is $m \times p$) and $B$ is row-major $p \times n$: for $k = 0, 1, \dots$ in turn, $C_{i\cdot} \mathrel{+}= W_{ki} B_{k\cdot}$,
 * which reads $W$ row after row. For one column, four rows of $W$ per pass, added to each entry
 * one after another in increasing $k$.
 *
 * @param c - where $C$ goes, row after row from `cStart`
 * @param cStart - the offset of $C_{00}$
 * @param w - the data of $W$, row after row from `wStart`
 * @param wStart - the offset of $W_{00}$
 * @param b - the data of $B$, row after row from `bStart`
 * @param bStart - the offset of $B_{00}$
 * @param m - the rows of $C$ (the columns of $W$)
 * @param p - the rows of $W$ and of $B$
 * @param n - the columns of $B$ and of $C$
 */
export function transposedProduct(
  c: Float64Array,
  cStart: number,
  w: Float64Array,
  wStart: number,
  b: Float64Array,
  bStart: number,
  m: number,
  p: number,
  n: number,
): void {
  c.fill(0, cStart, cStart + m * n);
  let k = 0;
  if (n === 1) {
    for (; k + 3 < p; k += 4) {
      const row0 = wStart + k * m;
      const row1 = row0 + m,
        row2 = row0 + 2 * m,
        row3 = row0 + 3 * m;
      const b0 = b[bStart + k]!,
        b1 = b[bStart + k + 1]!,
        b2 = b[bStart + k + 2]!,
        b3 = b[bStart + k + 3]!;
      for (let i = 0; i < m; i++) {
        let sum = c[cStart + i]!;
        sum += w[row0 + i]! * b0;
        sum += w[row1 + i]! * b1;
        sum += w[row2 + i]! * b2;
        sum += w[row3 + i]! * b3;
        c[cStart + i] = sum;
      }
    }
  }
  for (; k < p; k++) {
    const row = wStart + k * m;
    const rowOfB = bStart + k * n;
    for (let i = 0; i < m; i++) {
      const factor = w[row + i]!;
      const out = cStart + i * n;
      for (let j = 0; j < n; j++) c[out + j] = c[out + j]! + factor * b[rowOfB + j]!;
    }
  }
}

/**
 * $C = A O^\top$ (the weight gradient $\delta\, o^\top$) where $A$ is row-major $m \times p$ and $O$
 * row-major $n \times p$ (so $B = O^\top$): $C_{ik}$ is the dot product of row $i$ of $A$ and row $k$ of $O$, both read along
 * memory. A block of four rows of $A$ and two rows of $O$ makes eight sums in one pass, six
 * numbers read for eight products: the loop of {@link columnPairProducts}, with $O^\top$'s strides.
 *
 * @param c - where $C$ goes, row after row from `cStart`
 * @param cStart - the offset of $C_{00}$
 * @param a - the data of $A$, row after row from `aStart`
 * @param aStart - the offset of $A_{00}$
 * @param o - the data of $O$, row after row from `oStart`
 * @param oStart - the offset of $O_{00}$
 * @param m - the rows of $A$ and of $C$
 * @param p - the columns of $A$ and of $O$
 * @param n - the rows of $O$, the columns of $C$
 */
export function rowDotProducts(
  c: Float64Array,
  cStart: number,
  a: Float64Array,
  aStart: number,
  o: Float64Array,
  oStart: number,
  m: number,
  p: number,
  n: number,
): void {
  blockedDotProducts(c, cStart, a, aStart, o, oStart, m, p, n, 1, p);
}

/**
 * The loop that {@link columnPairProducts} and {@link rowDotProducts} share: $C_{ij} = \sum_k A_{ik} B_{kj}$
 * for a row-major $m \times p$ matrix $A$ and a $p \times n$ matrix $B$ whose entry $B_{kj}$ is
 * `b[bStart + k * along + j * across]`, so that one loop serves $B$ stored row after row
 * (`along` $= n$, `across` $= 1$) and $B = O^\top$ for an $O$ stored row after row (`along` $= 1$,
 * `across` $= p$). Blocks of four rows of $A$ and two columns of $B$ make eight sums in one pass
 * over $k$, six numbers read for eight products; then the columns and the rows left over. (With
 * the strides as arguments it measured as fast as either loop written for its own layout.)
 */
function blockedDotProducts(
  c: Float64Array,
  cStart: number,
  a: Float64Array,
  aStart: number,
  b: Float64Array,
  bStart: number,
  m: number,
  p: number,
  n: number,
  along: number,
  across: number,
): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const row0 = aStart + i * p;
    const row1 = row0 + p,
      row2 = row0 + 2 * p,
      row3 = row0 + 3 * p;
    const out0 = cStart + i * n;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      let sum00 = 0,
        sum01 = 0,
        sum10 = 0,
        sum11 = 0,
        sum20 = 0,
        sum21 = 0,
        sum30 = 0,
        sum31 = 0;
      for (let k = 0, entry = bStart + j * across; k < p; k++, entry += along) {
        const x0 = b[entry]!,
          x1 = b[entry + across]!;
        const a0 = a[row0 + k]!,
          a1 = a[row1 + k]!,
          a2 = a[row2 + k]!,
          a3 = a[row3 + k]!;
        sum00 += a0 * x0;
        sum01 += a0 * x1;
        sum10 += a1 * x0;
        sum11 += a1 * x1;
        sum20 += a2 * x0;
        sum21 += a2 * x1;
        sum30 += a3 * x0;
        sum31 += a3 * x1;
      }
      c[out0 + j] = sum00;
      c[out0 + j + 1] = sum01;
      c[out0 + n + j] = sum10;
      c[out0 + n + j + 1] = sum11;
      c[out0 + 2 * n + j] = sum20;
      c[out0 + 2 * n + j + 1] = sum21;
      c[out0 + 3 * n + j] = sum30;
      c[out0 + 3 * n + j + 1] = sum31;
    }
    for (; j < n; j++) {
      let sum0 = 0,
        sum1 = 0,
        sum2 = 0,
        sum3 = 0;
      for (let k = 0, entry = bStart + j * across; k < p; k++, entry += along) {
        const x = b[entry]!;
        sum0 += a[row0 + k]! * x;
        sum1 += a[row1 + k]! * x;
        sum2 += a[row2 + k]! * x;
        sum3 += a[row3 + k]! * x;
      }
      c[out0 + j] = sum0;
      c[out0 + n + j] = sum1;
      c[out0 + 2 * n + j] = sum2;
      c[out0 + 3 * n + j] = sum3;
    }
  }
  for (; i < m; i++) {
    const row = aStart + i * p;
    const out = cStart + i * n;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0, entry = bStart + j * across; k < p; k++, entry += along) sum += a[row + k]! * b[entry]!;
      c[out + j] = sum;
    }
  }
}

/** Where a matrix's entries are in its data: entry $(i, j)$ is `data[offset + i * rowStride + j * columnStride]`. */
export interface StridedOperand {
  /** The numbers. */
  readonly data: Float64Array;
  /** The index of entry $(0, 0)$. */
  readonly offset: number;
  /** How far apart two rows are. */
  readonly rowStride: number;
  /** How far apart two columns are. */
  readonly columnStride: number;
}

/**
 * The general product, for any layout (views of views, column slices): each $C_{ij}$ is a dot
 * product read through the strides.
 *
 * @param c - where $C$ goes
 * @param a - $A$
 * @param b - $B$
 * @param m - the rows of $A$ and of $C$
 * @param p - the columns of $A$, the rows of $B$
 * @param n - the columns of $B$ and of $C$
 */
export function stridedProduct(c: StridedOperand, a: StridedOperand, b: StridedOperand, m: number, p: number, n: number): void {
  const [aData, bData, cData] = [a.data, b.data, c.data];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let aIndex = a.offset + i * a.rowStride;
      let bIndex = b.offset + j * b.columnStride;
      for (let k = 0; k < p; k++) {
        sum += aData[aIndex]! * bData[bIndex]!;
        aIndex += a.columnStride;
        bIndex += b.rowStride;
      }
      cData[c.offset + i * c.rowStride + j * c.columnStride] = sum;
    }
  }
}
