/**
 * Float64 matrices and vectors on `ndarray`, and the few operations backpropagation needs.
 *
 * A {@link Matrix} is a two-dimensional `ndarray` over a `Float64Array`; a batch holds one sample
 * per column, so the outputs of layer $l$ form an $n_l \times B$ matrix. A {@link Vector} is a
 * one-dimensional `ndarray` (a bias $b^{(l)}$ of length $n_l$). The operations accept views as
 * well as fresh arrays (they read through `stride` and `offset`), so a transpose such as
 * $W^\top$ is the view `weights.transpose(1, 0)` and never a copy. Element-wise arithmetic goes
 * through `ndarray-ops`; the products go to the kernels of {@link numeric/products | products},
 * because they are the one place where the order of the loops decides the speed.
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
import { kernelArray } from "./kernel-memory.js";
import { columnPairProducts, matrixVectorProduct, rowDotProducts, transposedProduct } from "./kernels.js";
import { stridedProduct, type StridedOperand } from "./products.js";

/** A two-dimensional float64 `ndarray`: `shape` is `[rows, columns]`. */
export type Matrix = ndarray.NdArray<Float64Array>;

/** A one-dimensional float64 `ndarray`: `shape` is `[length]`. */
export type Vector = ndarray.NdArray<Float64Array>;

/** Whether {@link newData} places new arrays in the kernels' memory (inside {@link withKernelMemory}). */
let inKernelMemory = false;

/**
 * Runs `make` with every array that {@link zeros}, {@link zeroVector} and {@link zerosLike} make
 * (and so {@link copyMatrix}, {@link copyVector} and {@link transposed}) placed in the memory of the
 * WebAssembly kernels ({@link numeric/kernel-memory | kernel-memory}), so that the products
 * of those arrays run there without a copy. Training makes its long-lived arrays this way: the
 * workspace, and the weights it updates. Arrays made outside stay ordinary `Float64Array`s, which
 * the JavaScript kernels multiply; with the WebAssembly kernels off (`BACKPROP_REF_KERNELS=js`,
 * or a JavaScript engine without them), or when their memory is full, every array is ordinary.
 * The numbers are the same either way.
 *
 * @param make - makes the arrays
 * @returns what `make` returns
 */
export function withKernelMemory<Made>(make: () => Made): Made {
  const outer = inKernelMemory;
  inKernelMemory = true;
  try {
    return make();
  } finally {
    inKernelMemory = outer;
  }
}

/** A new array of `length` zeros: in the kernels' memory inside {@link withKernelMemory} when it has room, an ordinary one otherwise. */
function newData(length: number): Float64Array {
  return (inKernelMemory ? kernelArray(length) : null) ?? new Float64Array(length);
}

/**
 * A new matrix of zeros, stored row after row (row-major).
 *
 * @param rows - number of rows
 * @param columns - number of columns
 */
export function zeros(rows: number, columns: number): Matrix {
  return ndarray(newData(rows * columns), [rows, columns]);
}

/**
 * A new vector of zeros.
 *
 * @param length - number of entries
 */
export function zeroVector(length: number): Vector {
  return ndarray(newData(length), [length]);
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
  // Entry by entry through the view's strides: ndarray-ops' assign costs more to set up than to
  // copy the small matrices of a case, which are most of the copies.
  const { data, offset } = matrix;
  const [rowStride, columnStride] = matrix.stride as [number, number];
  let next = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0, at = offset + i * rowStride; j < columns; j++, at += columnStride) result.data[next++] = data[at]!;
  }
  return result;
}

/**
 * A fresh copy of a vector or vector view.
 *
 * @param vector - the vector to copy
 */
export function copyVector(vector: Vector): Vector {
  const length = vector.shape[0]!;
  const result = zeroVector(length);
  const { data, offset } = vector;
  const stride = vector.stride[0]!;
  for (let i = 0, at = offset; i < length; i++, at += stride) result.data[i] = data[at]!;
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
 * The products that backpropagation asks for have three layouts, each with a kernel of its own
 * (in {@link numeric/products | products}) that walks through memory in the order the data is
 * stored; the weights are the large operand, and each kernel reads them once, row after row:
 *
 * - $W o$ (the forward pass): $A$ and $B$ stored row after row. For one sample,
 *   {@link numeric/products!matrixVectorProduct | matrixVectorProduct} takes eight rows of $A$
 *   in one pass, so each entry of $B$ read serves eight sums; for a batch,
 *   {@link numeric/products!columnPairProducts | columnPairProducts} makes eight sums from
 *   blocks of four rows of $A$ and two columns of $B$.
 * - $W^\top \delta$ (the hidden error): $A$ is the transposed view of a row-major $W$.
 *   {@link numeric/products!transposedProduct | transposedProduct} adds row $j$ of $W$, times
 *   $\delta_j$, to the rows of $C$ (four rows of $W$ per pass for one sample).
 * - $\delta\, o^\top$ (the weight gradient): $B$ is the transposed view of a row-major $o$.
 *   {@link numeric/products!rowDotProducts | rowDotProducts} makes $C_{jk}$ the dot product of
 *   row $j$ of $\delta$ and row $k$ of $o$, both contiguous, in blocks of four rows by two.
 *
 * Any other layout takes {@link numeric/products!stridedProduct | stridedProduct}, which reads every
 * operand through its strides.
 *
 * The three dense layouts go through {@link numeric/kernels | kernels}: when `result`, `a` and `b`
 * all lie in the WebAssembly kernels' memory (made inside {@link withKernelMemory}), a WebAssembly
 * kernel with 128-bit SIMD computes the product, with the same sums in the same order and so the
 * same bits; otherwise the JavaScript kernel named above does.
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
      `cannot multiply ${shapeText(a)} by ${shapeText(b)} into ${shapeText(result)}: ` + `expected ${m}×${p} by ${p}×${n} into ${m}×${n}`,
    );
  }
  if (isDense(result)) {
    if (isDense(a) && isDense(b)) {
      if (n === 1) matrixVectorProduct(result.data, result.offset, a.data, a.offset, b.data, b.offset, m, p);
      else columnPairProducts(result.data, result.offset, a.data, a.offset, b.data, b.offset, m, p, n);
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
  stridedProduct(strided(result), strided(a), strided(b), m, p, n);
  return result;
}

/** A matrix's data, offset and strides, as the general product reads them. */
function strided(matrix: Matrix): StridedOperand {
  return { data: matrix.data, offset: matrix.offset, rowStride: matrix.stride[0]!, columnStride: matrix.stride[1]! };
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
  return ndarray(newData(length), [...array.shape]) as Shaped;
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
 * The sum of an array and a multiple of another, $C = A + sB$, entry by entry as
 * `a + (s * b)`: the product rounded first, then the sum.
 *
 * @param a - the first term
 * @param b - the array to scale, of the same shape
 * @param scalar - $s$
 * @param into - where to write $C$ (it may be `a` or `b`); a new array if left out
 */
export function addedMultiple<Shaped extends Matrix | Vector>(a: Shaped, b: Shaped, scalar: number, into: Shaped = zerosLike(a)): Shaped {
  if (!a.shape.every((size, axis) => size === b.shape[axis] && size === into.shape[axis]) || a.dimension !== b.dimension) {
    throw new ShapeError(`cannot add a multiple of an array of shape ${b.shape.join("×")} to one of shape ${a.shape.join("×")}`);
  }
  if (!sameDenseLayout(into, a, b)) {
    // Views (a transpose, a column): through the strides, one entry at a time, in the same order of roundings.
    if (a.dimension === 1) {
      for (let i = 0; i < a.shape[0]!; i++) into.set(i, a.get(i) + scalar * b.get(i));
    } else {
      const [rows, columns] = dimensions(a);
      for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) into.set(i, j, a.get(i, j) + scalar * b.get(i, j));
    }
    return into;
  }
  const [c, x, y, size] = [into.data, a.data, b.data, into.size];
  const [cStart, xStart, yStart] = [into.offset, a.offset, b.offset];
  for (let i = 0; i < size; i++) c[cStart + i] = x[xStart + i]! + scalar * y[yStart + i]!;
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
