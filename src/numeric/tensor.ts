/**
 * Float64 matrices and vectors on `ndarray`, and the few operations backpropagation needs.
 *
 * A {@link Matrix} is a two-dimensional `ndarray` over a `Float64Array`; a batch holds one sample
 * per column, so the outputs of layer $l$ form an $n_l \times B$ matrix. A {@link Vector} is a
 * one-dimensional `ndarray` (a bias $b^{(l)}$ of length $n_l$). The operations accept views as
 * well as fresh arrays (they read through `stride` and `offset`), so a transpose such as
 * $W^\top$ is the view `weights.transpose(1, 0)` and never a copy. Element-wise arithmetic goes
 * through `ndarray-ops`; the products are written out here because they are the one place
 * where the order of the loops decides the speed.
 *
 * Every operation that produces an array takes an optional last argument `into`: without it the
 * result is a new array (the reference path, which keeps every intermediate); with it the result
 * is written into that array and returned, so that training can make its buffers once per
 * network and batch size and reuse them for every step. The arithmetic is the same either way,
 * entry for entry and in the same order, so both paths give bit-identical numbers.
 *
 * @module
 */
import ndarray from "ndarray";
import ops from "ndarray-ops";
import { ShapeError } from "./errors.js";

/** A two-dimensional float64 `ndarray`: `shape` is `[rows, columns]`. */
export type Matrix = ndarray.NdArray<Float64Array>;

/** A one-dimensional float64 `ndarray`: `shape` is `[length]`. */
export type Vector = ndarray.NdArray<Float64Array>;

/**
 * A new matrix of zeros, stored row after row (row-major).
 *
 * @param rows - number of rows
 * @param columns - number of columns
 */
export function zeros(rows: number, columns: number): Matrix {
  return ndarray(new Float64Array(rows * columns), [rows, columns]);
}

/**
 * A new vector of zeros.
 *
 * @param length - number of entries
 */
export function zeroVector(length: number): Vector {
  return ndarray(new Float64Array(length), [length]);
}

/**
 * A matrix holding the given rows. All rows must have the same length.
 *
 * @param rows - the entries, `rows[i][j]` going to row `i`, column `j`
 */
export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const rowCount = rows.length;
  const columnCount = rowCount === 0 ? 0 : rows[0]!.length;
  const result = zeros(rowCount, columnCount);
  for (let i = 0; i < rowCount; i++) {
    const row = rows[i]!;
    if (row.length !== columnCount) {
      throw new ShapeError(`row ${i} has ${row.length} entries but row 0 has ${columnCount}`);
    }
    for (let j = 0; j < columnCount; j++) result.data[i * columnCount + j] = row[j]!;
  }
  return result;
}

/**
 * The rows of a matrix as plain arrays (the inverse of {@link matrixFromRows}).
 *
 * @param matrix - any matrix or matrix view
 */
export function matrixToRows(matrix: Matrix): number[][] {
  const [rowCount, columnCount] = dimensions(matrix);
  const rows: number[][] = [];
  for (let i = 0; i < rowCount; i++) {
    const row: number[] = [];
    for (let j = 0; j < columnCount; j++) row.push(matrix.get(i, j));
    rows.push(row);
  }
  return rows;
}

/**
 * A vector holding the given entries.
 *
 * @param entries - the values, in order
 */
export function vectorFromArray(entries: readonly number[]): Vector {
  return ndarray(Float64Array.from(entries), [entries.length]);
}

/**
 * The entries of a vector as a plain array (the inverse of {@link vectorFromArray}).
 *
 * @param vector - any vector or vector view
 */
export function vectorToArray(vector: Vector): number[] {
  const entries: number[] = [];
  for (let i = 0; i < vector.shape[0]!; i++) entries.push(vector.get(i));
  return entries;
}

/**
 * The number of rows and columns of a matrix.
 *
 * @param matrix - a two-dimensional array
 */
export function dimensions(matrix: Matrix): [rows: number, columns: number] {
  return [matrix.shape[0]!, matrix.shape[1]!];
}

/**
 * A shape written the way error messages write it, `3×2`.
 *
 * @param matrix - a two-dimensional array
 */
export function shapeText(matrix: Matrix): string {
  const [rows, columns] = dimensions(matrix);
  return `${rows}×${columns}`;
}

/**
 * A fresh row-major copy of a matrix or matrix view.
 *
 * @param matrix - the matrix to copy
 */
export function copyMatrix(matrix: Matrix): Matrix {
  const [rows, columns] = dimensions(matrix);
  const result = zeros(rows, columns);
  ops.assign(result, matrix);
  return result;
}

/**
 * A fresh copy of a vector or vector view.
 *
 * @param vector - the vector to copy
 */
export function copyVector(vector: Vector): Vector {
  const result = zeroVector(vector.shape[0]!);
  ops.assign(result, vector);
  return result;
}

/**
 * The transpose as a fresh row-major matrix (use `matrix.transpose(1, 0)` for a view).
 *
 * @param matrix - the matrix to transpose
 */
export function transposed(matrix: Matrix): Matrix {
  return copyMatrix(matrix.transpose(1, 0));
}

/**
 * The matrix product $C = A B$, written into `result`.
 *
 * $$C_{ij} = \sum_k A_{ik} B_{kj}$$
 *
 * Shapes: $A$ is $m \times p$, $B$ is $p \times n$, $C$ is $m \times n$. Any of them may be a
 * view (for example a transpose). For every entry the sum starts from zero and runs over $k$ in
 * increasing order, one rounded addition after another, so the result does not depend on the
 * layout of the operands nor on which of the loops below computes it: they differ only in the
 * order in which they visit the entries, never in the order of the terms of one sum.
 *
 * The products that backpropagation asks for have three layouts, each with a loop of its own
 * that walks through memory in the order the data is stored (the weights are the large operand,
 * and each of these loops reads them once, row after row):
 *
 * - $W o$ (the forward pass): $A$ and $B$ stored row after row. For one sample, eight rows of
 *   $A$ are taken in one pass, so each entry of $B$ read serves eight sums; for a batch, $B$ is
 *   first copied transposed, and blocks of four rows of $A$ and two samples make eight dot
 *   products along memory.
 * - $W^\top \delta$ (the hidden error): $A$ is the transposed view of a row-major $W$. Row $j$
 *   of $W$ is added, times $\delta_j$, to the rows of $C$ (four rows of $W$ per pass for one
 *   sample).
 * - $\delta\, o^\top$ (the weight gradient): $B$ is the transposed view of a row-major $o$.
 *   $C_{jk}$ is the dot product of row $j$ of $\delta$ and row $k$ of $o$, both contiguous, in
 *   blocks of four rows by two.
 *
 * Any other layout takes the general loop, which reads every operand through its strides.
 *
 * @param result - the $m \times n$ matrix to write; must not share memory with `a` or `b`
 * @param a - the left factor
 * @param b - the right factor
 * @returns `result`
 */
export function multiply(result: Matrix, a: Matrix, b: Matrix): Matrix {
  const [m, p] = dimensions(a);
  const [pB, n] = dimensions(b);
  const [mC, nC] = dimensions(result);
  if (p !== pB || m !== mC || n !== nC) {
    throw new ShapeError(
      `cannot multiply ${shapeText(a)} by ${shapeText(b)} into ${shapeText(result)}: ` +
        `expected ${m}×${p} by ${p}×${n} into ${m}×${n}`,
    );
  }
  if (isDense(result)) {
    if (isDense(a) && isDense(b)) {
      if (n === 1) matrixVectorProduct(result.data, result.offset, a.data, a.offset, b.data, b.offset, m, p);
      else matrixMatrixProduct(result.data, result.offset, a.data, a.offset, b.data, b.offset, m, p, n);
      return result;
    }
    if (isDenseTranspose(a) && isDense(b)) {
      transposedProduct(result.data, result.offset, a.data, a.offset, b.data, b.offset, m, p, n);
      return result;
    }
    if (isDense(a) && isDenseTranspose(b)) {
      rowDotProducts(result.data, result.offset, a.data, a.offset, b.data, b.offset, m, p, n);
      return result;
    }
  }
  return stridedProduct(result, a, b);
}

/**
 * $c = A b$ for a row-major $m \times p$ matrix $A$ and a vector $b$ of length $p$, eight rows of
 * $A$ per pass: each entry of $b$ is read once for eight independent sums, each over $k$ in
 * increasing order. (Measured on the project's machine, eight rows run the seed's $200 \times 784$
 * product about twice as fast as one row at a time: the eight sums keep the processor's
 * adders busy while one sum would wait for its own previous addition.)
 */
function matrixVectorProduct(c: Float64Array, cStart: number, a: Float64Array, aStart: number, b: Float64Array, bStart: number, m: number, p: number): void {
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
  const row1 = row + p, row2 = row1 + p, row3 = row2 + p, row4 = row3 + p, row5 = row4 + p, row6 = row5 + p, row7 = row6 + p;
  let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0, sum4 = 0, sum5 = 0, sum6 = 0, sum7 = 0;
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
 * $C = A B$ for row-major $A$ ($m \times p$), $B$ ($p \times n$) and $C$, as $A (B^\top)^\top$: $B$ is
 * first copied transposed into a scratch buffer, so that each $C_{ij}$ is the dot product of two
 * contiguous rows ({@link rowDotProducts}). The copy costs $pn$ moves against $mpn$
 * multiplications.
 */
function matrixMatrixProduct(
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
  const columns = scratch(p * n);
  for (let k = 0; k < p; k++) {
    const rowOfB = bStart + k * n;
    for (let j = 0; j < n; j++) columns[j * p + k] = b[rowOfB + j]!;
  }
  rowDotProducts(c, cStart, a, aStart, columns, 0, m, p, n);
}

let scratchBuffer = new Float64Array(0);

/**
 * A buffer of at least `length` numbers, made once and grown when needed (up to
 * {@link scratchLimit}), for the transposed copy of {@link matrixMatrixProduct} and the sums of
 * {@link addScaledProduct}: training then allocates nothing per step. Its contents are overwritten by every call (neither of the two
 * calls the other).
 */
function scratch(length: number): Float64Array {
  // A very large request (the transposed copy of a whole dataset given as one batch, say) gets
  // a buffer of its own, so that the module does not keep it alive for the rest of the process.
  if (length > scratchLimit) return new Float64Array(length);
  if (scratchBuffer.length < length) scratchBuffer = new Float64Array(length);
  return scratchBuffer;
}

/** The most numbers the kept scratch buffer grows to: 1 MiB numbers, 8 MiB. */
const scratchLimit = 1 << 20;

/**
 * $C = W^\top B$ where $W$ is row-major $p \times m$ (so $A = W^\top$ is $m \times p$) and $B$ is
 * row-major $p \times n$: for $k = 0, 1, \dots$ in turn, $C_{i\cdot} \mathrel{+}= W_{ki} B_{k\cdot}$,
 * which reads $W$ row after row. For one column, four rows of $W$ per pass, added to each entry
 * one after another in increasing $k$.
 */
function transposedProduct(
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
      const row1 = row0 + m, row2 = row0 + 2 * m, row3 = row0 + 3 * m;
      const b0 = b[bStart + k]!, b1 = b[bStart + k + 1]!, b2 = b[bStart + k + 2]!, b3 = b[bStart + k + 3]!;
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
 * $C = A O^\top$ where $A$ is row-major $m \times p$ and $O$ row-major $n \times p$ (so
 * $B = O^\top$): $C_{ik}$ is the dot product of row $i$ of $A$ and row $k$ of $O$, both read along
 * memory. A block of four rows of $A$ and two rows of $O$ makes eight sums in one pass, six
 * numbers read for eight products.
 */
function rowDotProducts(
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
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const row0 = aStart + i * p;
    const row1 = row0 + p, row2 = row0 + 2 * p, row3 = row0 + 3 * p;
    const out0 = cStart + i * n;
    let k = 0;
    for (; k + 1 < n; k += 2) {
      const first = oStart + k * p;
      const second = first + p;
      let sum00 = 0, sum01 = 0, sum10 = 0, sum11 = 0, sum20 = 0, sum21 = 0, sum30 = 0, sum31 = 0;
      for (let s = 0; s < p; s++) {
        const x0 = o[first + s]!, x1 = o[second + s]!;
        const a0 = a[row0 + s]!, a1 = a[row1 + s]!, a2 = a[row2 + s]!, a3 = a[row3 + s]!;
        sum00 += a0 * x0;
        sum01 += a0 * x1;
        sum10 += a1 * x0;
        sum11 += a1 * x1;
        sum20 += a2 * x0;
        sum21 += a2 * x1;
        sum30 += a3 * x0;
        sum31 += a3 * x1;
      }
      c[out0 + k] = sum00;
      c[out0 + k + 1] = sum01;
      c[out0 + n + k] = sum10;
      c[out0 + n + k + 1] = sum11;
      c[out0 + 2 * n + k] = sum20;
      c[out0 + 2 * n + k + 1] = sum21;
      c[out0 + 3 * n + k] = sum30;
      c[out0 + 3 * n + k + 1] = sum31;
    }
    for (; k < n; k++) {
      const rowOfO = oStart + k * p;
      let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
      for (let s = 0; s < p; s++) {
        const entry = o[rowOfO + s]!;
        sum0 += a[row0 + s]! * entry;
        sum1 += a[row1 + s]! * entry;
        sum2 += a[row2 + s]! * entry;
        sum3 += a[row3 + s]! * entry;
      }
      c[out0 + k] = sum0;
      c[out0 + n + k] = sum1;
      c[out0 + 2 * n + k] = sum2;
      c[out0 + 3 * n + k] = sum3;
    }
  }
  for (; i < m; i++) {
    const row = aStart + i * p;
    const out = cStart + i * n;
    for (let k = 0; k < n; k++) {
      const rowOfO = oStart + k * p;
      let sum = 0;
      for (let s = 0; s < p; s++) sum += a[row + s]! * o[rowOfO + s]!;
      c[out + k] = sum;
    }
  }
}

/**
 * Adds a scaled product to a matrix in place — one step of gradient descent on a weight matrix,
 * in a single pass over it:
 *
 * $$W_{jk} \leftarrow W_{jk} + \Big(\big(\textstyle\sum_{b} A_{jb}\, O_{kb}\big)\, s_1\Big)\, s_2$$
 *
 * With $A = \delta^{(l)}$, $O = o^{(l-1)}$, $s_1 = 1/B$ and $s_2 = -\eta$ this is
 * $W^{(l)} + \Delta W^{(l)}$ with $\Delta W^{(l)} = -\eta\, \delta^{(l)} o^{(l-1)\top} / B$, computed
 * with the same roundings, in the same order, as {@link multiply} (the sum, from zero, in
 * increasing $b$), then the product by $s_1$, then by $s_2$, then the addition: bit for bit the
 * weights that the separate steps give, without writing the gradient anywhere. The weights are
 * the one large array of a training step, and this reads and writes each of them once.
 *
 * With a `velocity` $v$ and a `momentum` $\mu$, the step $d$ above is followed by the momentum
 * term, again entry by entry in the order of the separate steps:
 * $W \leftarrow (W + d) + \mu v$ and $v \leftarrow \mu v + d$.
 *
 * Shapes: `target` and `velocity` are $m \times n$, `a` is $m \times B$, `o` is $n \times B$, all
 * stored densely row after row.
 *
 * Whether the result is finite is known without a look at every entry. Every entry of `target`
 * is assumed finite before the call (a caller that computed $W o$ with these weights and found
 * every sum finite knows it: an infinite or NaN weight makes its row's sum infinite or NaN,
 * whatever $o$ holds, since $\infty \cdot 0$ is NaN). Then with
 * $M = B \max|A| \max|O|\, |s_1|\, |s_2|$, which bounds every step up to a few roundings, a
 * step below $2^{960}$ cannot carry a finite weight past the largest float64 ($\approx 2^{1024}$,
 * whose rounding unit is $2^{971}$). Only when $M$ is not below $2^{960}$ (or is NaN) are the
 * updated entries looked at one by one. With momentum the entries are always looked at.
 *
 * @param target - $W$, updated in place
 * @param a - $A$ ($\delta$, one sample per column)
 * @param o - $O$ (the previous layer's outputs, one sample per column)
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param velocity - $v$, updated in place, or `null` for no momentum
 * @param momentum - $\mu$ (ignored without a velocity)
 * @returns whether every updated entry of `target` (and of `velocity`) is finite, if every entry
 *   of `target` was finite before
 */
export function addScaledProduct(
  target: Matrix,
  a: Matrix,
  o: Matrix,
  firstScale: number,
  secondScale: number,
  velocity: Matrix | null = null,
  momentum = 0,
): boolean {
  const [m, n] = dimensions(target);
  const [mA, samples] = dimensions(a);
  const [nO, samplesO] = dimensions(o);
  if (mA !== m || nO !== n || samplesO !== samples || (velocity !== null && (velocity.shape[0] !== m || velocity.shape[1] !== n))) {
    throw new ShapeError(
      `cannot add the product of ${shapeText(a)} and the transpose of ${shapeText(o)} to ${shapeText(target)}` +
        (velocity === null ? "" : ` with a ${shapeText(velocity)} velocity`) +
        `: expected ${m}×B and ${n}×B for a ${m}×${n} target`,
    );
  }
  if (!isDense(target) || !isDense(a) || !isDense(o) || (velocity !== null && !isDense(velocity))) {
    throw new ShapeError("addScaledProduct needs arrays stored densely, row after row (as zeros() makes them), not views");
  }
  const [w, x, y] = [target.data, a.data, o.data];
  const [wStart, aStart, oStart] = [target.offset, a.offset, o.offset];
  if (velocity === null && samples === 1) {
    addScaledOuterProduct(w, wStart, x, aStart, y, oStart, m, n, firstScale, secondScale);
  } else {
    const finite = addScaledDotProducts(w, wStart, x, aStart, y, oStart, m, n, samples, firstScale, secondScale, velocity?.data ?? null, velocity?.offset ?? 0, momentum);
    if (velocity !== null) return finite;
  }
  const bound = samples * largestMagnitude(x, aStart, m * samples) * largestMagnitude(y, oStart, n * samples) * Math.abs(firstScale) * Math.abs(secondScale);
  return bound < 2 ** 960 || allEntriesFinite(w, wStart, m * n);
}

/**
 * {@link addScaledProduct} for a batch, or with momentum: four rows of sums at a time from the
 * blocked dot products ({@link rowDotProducts}) into a scratch buffer that stays in the
 * processor's cache, then the four rows of $W$ (consecutive in memory) updated in one pass.
 *
 * With a velocity every updated weight and velocity is also tested: $x \cdot 0$ is $0$ for a
 * finite $x$ and NaN otherwise, so the sum of those products stays $0$ exactly when all are
 * finite. Returns that test's verdict, and `true` without a velocity (the caller bounds the step
 * instead).
 */
function addScaledDotProducts(
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
  v: Float64Array | null,
  vStart: number,
  momentum: number,
): boolean {
  const sums = scratch(4 * n);
  let check = 0;
  for (let j = 0; j < m; j += 4) {
    const rows = Math.min(4, m - j);
    rowDotProducts(sums, 0, a, aStart + j * samples, o, oStart, rows, samples, n);
    const row = wStart + j * n;
    if (v === null) {
      for (let index = 0, end = rows * n; index < end; index++) w[row + index] = w[row + index]! + sums[index]! * firstScale * secondScale;
      continue;
    }
    const velocityRow = vStart + j * n;
    for (let index = 0, end = rows * n; index < end; index++) {
      const step = sums[index]! * firstScale * secondScale;
      const carried = v[velocityRow + index]! * momentum;
      const updated = w[row + index]! + step + carried;
      const newVelocity = carried + step;
      w[row + index] = updated;
      v[velocityRow + index] = newVelocity;
      check += updated * 0 + newVelocity * 0;
    }
  }
  return check === 0;
}

/**
 * {@link addScaledProduct} for one sample and no momentum, the seed's one-digit-at-a-time step:
 * each sum has the single term $0 + A_j O_k$. Eight rows of $W$ per pass
 * ({@link eightRowsOuterStep}) share each $O_k$ read.
 */
function addScaledOuterProduct(
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
): void {
  let j = 0;
  // With one sample $s_1 = 1/B$ is 1, and a product by 1 changes no number (not even NaN or
  // $-0$): the eight-row loop leaves it out, and other scales take the loop below.
  if (firstScale === 1) for (; j + 7 < m; j += 8) eightRowsOuterStep(w, wStart + j * n, n, a, aStart + j, o, oStart, secondScale);
  for (; j < m; j++) {
    const factor = a[aStart + j]!;
    const row = wStart + j * n;
    for (let k = 0; k < n; k++) w[row + k] = w[row + k]! + (0 + factor * o[oStart + k]!) * firstScale * secondScale;
  }
}

/**
 * Rows `row` to `row + 7` of {@link addScaledOuterProduct} with $s_1 = 1$ and $s_2$ = `scale`. A
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
  const a0 = a[aIndex]!, a1 = a[aIndex + 1]!, a2 = a[aIndex + 2]!, a3 = a[aIndex + 3]!;
  const a4 = a[aIndex + 4]!, a5 = a[aIndex + 5]!, a6 = a[aIndex + 6]!, a7 = a[aIndex + 7]!;
  const row1 = row + n, row2 = row1 + n, row3 = row2 + n, row4 = row3 + n, row5 = row4 + n, row6 = row5 + n, row7 = row6 + n;
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

/** The largest $|x_i|$ of `length` entries from `start` (NaN if one is NaN; 0 for none). */
function largestMagnitude(data: Float64Array, start: number, length: number): number {
  let largest = 0;
  for (let i = start; i < start + length; i++) {
    const magnitude = Math.abs(data[i]!);
    if (Number.isNaN(magnitude)) return Number.NaN;
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}

/** Whether `length` entries from `start` are all finite. */
function allEntriesFinite(data: Float64Array, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}

/** The general product, reading every operand through its strides (any views). */
function stridedProduct(result: Matrix, a: Matrix, b: Matrix): Matrix {
  const [m, p] = dimensions(a);
  const [, n] = dimensions(b);
  const aData = a.data;
  const bData = b.data;
  const cData = result.data;
  const [aRow, aColumn] = [a.stride[0]!, a.stride[1]!];
  const [bRow, bColumn] = [b.stride[0]!, b.stride[1]!];
  const [cRow, cColumn] = [result.stride[0]!, result.stride[1]!];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let aIndex = a.offset + i * aRow;
      let bIndex = b.offset + j * bColumn;
      for (let k = 0; k < p; k++) {
        sum += aData[aIndex]! * bData[bIndex]!;
        aIndex += aColumn;
        bIndex += bRow;
      }
      cData[result.offset + i * cRow + j * cColumn] = sum;
    }
  }
  return result;
}

/**
 * Adds a vector to every column of a matrix, in place: $C_{ij} \mathrel{+}= v_i$.
 *
 * This is how one bias $b^{(l)}$ (length $n_l$) reaches every sample of an $n_l \times B$ batch.
 *
 * @param matrix - the $n \times B$ matrix to add to
 * @param vector - the length-$n$ vector
 * @returns `matrix`
 */
export function addToEveryColumn(matrix: Matrix, vector: Vector): Matrix {
  const [rows, columns] = dimensions(matrix);
  if (vector.shape[0] !== rows) {
    throw new ShapeError(`cannot add a vector of length ${vector.shape[0]} to the columns of a ${shapeText(matrix)} matrix`);
  }
  const data = matrix.data;
  const [rowStride, columnStride] = [matrix.stride[0]!, matrix.stride[1]!];
  for (let i = 0; i < rows; i++) {
    const entry = vector.get(i);
    let index = matrix.offset + i * rowStride;
    for (let j = 0; j < columns; j++, index += columnStride) data[index] = data[index]! + entry;
  }
  return matrix;
}

/**
 * The mean of each row, $v_i = \frac{1}{B} \sum_{b=1}^{B} M_{ib}$, summed in column order.
 *
 * @param matrix - an $n \times B$ matrix with $B \ge 1$
 * @param into - where to write the length-$n$ result; a new vector if left out
 */
export function rowMeans(matrix: Matrix, into: Vector = zeroVector(matrix.shape[0]!)): Vector {
  const [rows, columns] = dimensions(matrix);
  const data = matrix.data;
  const [rowStride, columnStride] = [matrix.stride[0]!, matrix.stride[1]!];
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    let index = matrix.offset + i * rowStride;
    for (let j = 0; j < columns; j++, index += columnStride) sum += data[index]!;
    into.set(i, sum / columns);
  }
  return into;
}

/**
 * Applies a function of one number to every entry, writing into `result` (which may be `matrix`).
 *
 * @param result - the matrix to write, of the same shape
 * @param matrix - the matrix to read
 * @param entry - the function applied to each entry
 * @returns `result`
 */
export function mapEntries(result: Matrix, matrix: Matrix, entry: (value: number) => number): Matrix {
  const [rows, columns] = dimensions(matrix);
  const [source, target] = [matrix.data, result.data];
  // Read and write through the strides rather than `get`/`set`: this loop runs over every unit
  // of every layer at every training step.
  for (let i = 0; i < rows; i++) {
    let from = matrix.offset + i * matrix.stride[0]!;
    let to = result.offset + i * result.stride[0]!;
    for (let j = 0; j < columns; j++, from += matrix.stride[1]!, to += result.stride[1]!) target[to] = entry(source[from]!);
  }
  return result;
}

/**
 * A new array of zeros with the shape of another (a matrix or a vector).
 *
 * @param array - the array whose shape to copy
 */
export function zerosLike<Shaped extends Matrix | Vector>(array: Shaped): Shaped {
  const length = array.shape.reduce((product, size) => product * size, 1);
  return ndarray(new Float64Array(length), [...array.shape]) as Shaped;
}

/**
 * The element-wise (Hadamard) product $C = A \odot B$.
 *
 * @param a - the first factor
 * @param b - the second factor, of the same shape
 * @param into - where to write $C$ (it may be `a` or `b`); a new array if left out
 */
export function hadamard<Shaped extends Matrix | Vector>(a: Shaped, b: Shaped, into: Shaped = zerosLike(a)): Shaped {
  if (!sameDenseLayout(into, a, b)) {
    ops.mul(into, a, b);
    return into;
  }
  const [c, x, y, size] = [into.data, a.data, b.data, into.size];
  const [cStart, xStart, yStart] = [into.offset, a.offset, b.offset];
  for (let i = 0; i < size; i++) c[cStart + i] = x[xStart + i]! * y[yStart + i]!;
  return into;
}

/**
 * The difference $C = A - B$.
 *
 * @param a - the minuend
 * @param b - the subtrahend, of the same shape
 * @param into - where to write $C$ (it may be `a` or `b`); a new array if left out
 */
export function subtract<Shaped extends Matrix | Vector>(a: Shaped, b: Shaped, into: Shaped = zerosLike(a)): Shaped {
  if (!sameDenseLayout(into, a, b)) {
    ops.sub(into, a, b);
    return into;
  }
  const [c, x, y, size] = [into.data, a.data, b.data, into.size];
  const [cStart, xStart, yStart] = [into.offset, a.offset, b.offset];
  for (let i = 0; i < size; i++) c[cStart + i] = x[xStart + i]! - y[yStart + i]!;
  return into;
}

/**
 * The product of an array with a number, $C = s A$.
 *
 * @param array - a matrix or a vector
 * @param scalar - the number
 * @param into - where to write $C$ (it may be `array`); a new array if left out
 */
export function scaled<Shaped extends Matrix | Vector>(array: Shaped, scalar: number, into: Shaped = zerosLike(array)): Shaped {
  if (!sameDenseLayout(into, array, array)) {
    ops.muls(into, array, scalar);
    return into;
  }
  const [c, x, size] = [into.data, array.data, into.size];
  const [cStart, xStart] = [into.offset, array.offset];
  for (let i = 0; i < size; i++) c[cStart + i] = x[xStart + i]! * scalar;
  return into;
}

/**
 * The sum $C = A + B$.
 *
 * @param a - the first term
 * @param b - the second term, of the same shape
 * @param into - where to write $C$ (it may be `a` or `b`); a new array if left out
 */
export function added<Shaped extends Matrix | Vector>(a: Shaped, b: Shaped, into: Shaped = zerosLike(a)): Shaped {
  if (!sameDenseLayout(into, a, b)) {
    ops.add(into, a, b);
    return into;
  }
  const [c, x, y, size] = [into.data, a.data, b.data, into.size];
  const [cStart, xStart, yStart] = [into.offset, a.offset, b.offset];
  for (let i = 0; i < size; i++) c[cStart + i] = x[xStart + i]! + y[yStart + i]!;
  return into;
}

/**
 * Whether three arrays of one shape are each stored densely, row after row (as {@link zeros}
 * makes them): then entry $i$ of each is `data[offset + i]`, and an element-wise operation is
 * one loop over the data instead of `ndarray-ops`' general loops over strides.
 */
function sameDenseLayout(into: Matrix | Vector, a: Matrix | Vector, b: Matrix | Vector): boolean {
  return isDense(into) && isDense(a) && isDense(b) && into.shape.every((size, axis) => size === a.shape[axis] && size === b.shape[axis]);
}

/**
 * Whether an array is stored densely, row after row, from its offset (as {@link zeros} makes
 * arrays, and as views of the first rows of such an array are): entry $i$ is then
 * `data[offset + i]`, which the fast loops of this module need.
 *
 * @param array - a matrix or a vector, or a view of one
 */
export function isDense(array: Matrix | Vector): boolean {
  if (array.dimension === 1) return array.stride[0] === 1;
  return array.dimension === 2 && array.stride[1] === 1 && array.stride[0] === array.shape[1];
}

/** Whether a matrix is the transposed view of a dense row-major matrix: `stride` is `[1, rows]`. */
function isDenseTranspose(matrix: Matrix): boolean {
  return matrix.dimension === 2 && matrix.stride[0] === 1 && matrix.stride[1] === matrix.shape[0];
}

/**
 * Whether every entry is a finite number (neither `NaN` nor $\pm\infty$).
 *
 * @param array - a matrix or a vector, or a view of one
 */
export function allFinite(array: Matrix | Vector): boolean {
  const data = array.data;
  if (isDense(array)) {
    for (let i = array.offset, end = array.offset + array.size; i < end; i++) if (!Number.isFinite(data[i])) return false;
    return true;
  }
  if (array.dimension === 1) {
    for (let i = 0, index = array.offset; i < array.shape[0]!; i++, index += array.stride[0]!) {
      if (!Number.isFinite(data[index])) return false;
    }
    return true;
  }
  const [rows, columns] = dimensions(array);
  for (let i = 0; i < rows; i++) {
    let index = array.offset + i * array.stride[0]!;
    for (let j = 0; j < columns; j++, index += array.stride[1]!) if (!Number.isFinite(data[index])) return false;
  }
  return true;
}
