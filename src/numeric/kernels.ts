/**
 * The kernel of each dense product and of each update of a training step, chosen per call: the
 * WebAssembly kernel when every operand lies in the kernels' memory
 * ({@link numeric/kernel-memory | kernel-memory}) and fits inside its array, the JavaScript
 * kernel of {@link numeric/products | products} or {@link numeric/updates | updates} otherwise.
 *
 * The functions here take the arguments of the JavaScript kernels of the same names, so that a
 * caller (`multiply` in {@link numeric/tensor | tensor}, the fused update of training) switches by
 * importing from here. Both kernels of a product compute every entry as the sum from zero over
 * $k$ in increasing order, one rounded multiplication and one rounded addition per term; the
 * WebAssembly ones put two independent entries side by side in a 128-bit vector and never split
 * a sum across lanes. So the choice changes no bit of any result, only the speed; the JavaScript
 * kernels stay the definition and the oracle (`spec/numeric/kernels.spec.ts` proves the two
 * equal bit for bit on random shapes, values and offsets).
 *
 * @module
 */
import { kernelArray, ownedByKernels, wasmKernels } from "./kernel-memory.js";
import { splitKernels } from "./kernel-thread.js";
import * as javascript from "./products.js";
import * as javascriptUpdates from "./updates.js";

/** Room for the second thread's sums in {@link dotProductsStep}, in the kernels' memory, made larger when a wider matrix needs more. */
let workerRoom: Float64Array | null = null;

/** The byte address of room for $4n$ sums for the second thread, or `null` if the memory has none. */
function workerSums(columns: number): number | null {
  if (workerRoom === null || workerRoom.length < 4 * columns) workerRoom = kernelArray(4 * columns);
  return workerRoom?.byteOffset ?? null;
}

/**
 * The WebAssembly kernels, with the rows of the large products and updates split between two
 * threads inside {@link numeric/kernel-thread!withKernelThread | withKernelThread}.
 */
const threaded = wasmKernels === null ? null : splitKernels(wasmKernels, workerSums);

/**
 * Whether the WebAssembly kernels can take an operand: it lies in their memory, and the
 * `length` entries the product reads or writes from `start` lie inside the array (the
 * WebAssembly kernels do not check bounds, and must not touch another array's entries).
 */
function fits(array: Float64Array, start: number, length: number): boolean {
  return ownedByKernels(array) && start >= 0 && start + length <= array.length;
}

/** The byte address in the kernels' memory of entry `start` of an array that lies there. */
function address(array: Float64Array, start: number): number {
  return array.byteOffset + 8 * start;
}

/**
 * $c = A b$ for a row-major $m \times p$ matrix $A$ and a vector $b$: the arguments and the result of
 * {@link numeric/products!matrixVectorProduct | the JavaScript kernel}.
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
  if (threaded !== null && fits(c, cStart, m) && fits(a, aStart, m * p) && fits(b, bStart, p)) {
    threaded.matrixVectorProduct(address(c, cStart), address(a, aStart), address(b, bStart), m, p);
  } else javascript.matrixVectorProduct(c, cStart, a, aStart, b, bStart, m, p);
}

/**
 * $C = A B$ for row-major $A$ ($m \times p$), $B$ ($p \times n$) and $C$: the arguments and the
 * result of {@link numeric/products!columnPairProducts | the JavaScript kernel}.
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
  if (threaded !== null && fits(c, cStart, m * n) && fits(a, aStart, m * p) && fits(b, bStart, p * n)) {
    threaded.columnPairProducts(address(c, cStart), address(a, aStart), address(b, bStart), m, p, n);
  } else javascript.columnPairProducts(c, cStart, a, aStart, b, bStart, m, p, n);
}

/**
 * $C = W^\top B$ for row-major $W$ ($p \times m$), $B$ ($p \times n$) and $C$ ($m \times n$): the
 * arguments and the result of {@link numeric/products!transposedProduct | the JavaScript kernel}.
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
  if (wasmKernels !== null && fits(c, cStart, m * n) && fits(w, wStart, p * m) && fits(b, bStart, p * n)) {
    wasmKernels.transposedProduct(address(c, cStart), address(w, wStart), address(b, bStart), m, p, n);
  } else javascript.transposedProduct(c, cStart, w, wStart, b, bStart, m, p, n);
}

/**
 * $C = A O^\top$ for row-major $A$ ($m \times p$), $O$ ($n \times p$) and $C$ ($m \times n$): the
 * arguments and the result of {@link numeric/products!rowDotProducts | the JavaScript kernel}.
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
  if (wasmKernels !== null && fits(c, cStart, m * n) && fits(a, aStart, m * p) && fits(o, oStart, n * p)) {
    wasmKernels.rowDotProducts(address(c, cStart), address(a, aStart), address(o, oStart), m, p, n);
  } else javascript.rowDotProducts(c, cStart, a, aStart, o, oStart, m, p, n);
}

/**
 * $W_{jk} \leftarrow W_{jk} + ((0 + a_j o_k) s_1 + c W_{jk}) s_2$, the step of one sample: the
 * arguments and the result of {@link numeric/updates!outerProductStep | the JavaScript kernel}.
 *
 * @param w - the data of $W$ ($m \times n$), row after row from `wStart`, updated in place
 * @param wStart - the offset of $W_{00}$
 * @param a - the data of $a$, from `aStart`
 * @param aStart - the offset of $a_0$
 * @param o - the data of $o$, from `oStart`
 * @param oStart - the offset of $o_0$
 * @param m - the rows of $W$
 * @param n - the columns of $W$
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
  if (threaded !== null && fits(w, wStart, m * n) && fits(a, aStart, m) && fits(o, oStart, n)) {
    threaded.outerProductStep(address(w, wStart), address(a, aStart), address(o, oStart), m, n, firstScale, secondScale, decay);
  } else javascriptUpdates.outerProductStep(w, wStart, a, aStart, o, oStart, m, n, firstScale, secondScale, decay);
}

/**
 * The step of a batch, or with momentum: for each block of four rows of $W$ their sums over the
 * batch into `sums`, then those rows updated: the arguments and the result of
 * {@link numeric/updates!dotProductsStep | the JavaScript kernel}.
 *
 * @param w - the data of $W$ ($m \times n$), row after row from `wStart`, updated in place
 * @param wStart - the offset of $W_{00}$
 * @param a - the data of $A$ ($m \times B$), row after row from `aStart`
 * @param aStart - the offset of $A_{00}$
 * @param o - the data of $O$ ($n \times B$), row after row from `oStart`
 * @param oStart - the offset of $O_{00}$
 * @param m - the rows of $W$
 * @param n - the columns of $W$
 * @param samples - $B$
 * @param firstScale - $s_1$
 * @param secondScale - $s_2$
 * @param decay - $c$, or 0 for none
 * @param v - the velocity's data, shaped like $W$, or `null` for no momentum
 * @param vStart - the offset of its first entry
 * @param momentum - $\mu$
 * @param sums - room for $4n$ sums from index 0
 * @returns whether every updated weight and velocity is finite (`true` without a velocity)
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
  if (
    threaded !== null &&
    fits(w, wStart, m * n) &&
    fits(a, aStart, m * samples) &&
    fits(o, oStart, n * samples) &&
    fits(sums, 0, 4 * n) &&
    (v === null || fits(v, vStart, m * n))
  ) {
    const hasVelocity = v === null ? 0 : 1;
    const velocity = v === null ? 0 : address(v, vStart);
    const finite = threaded.dotProductsStep(
      address(w, wStart),
      address(a, aStart),
      address(o, oStart),
      m,
      n,
      samples,
      firstScale,
      secondScale,
      decay,
      hasVelocity,
      velocity,
      momentum,
      address(sums, 0),
    );
    return finite === 1;
  }
  return javascriptUpdates.dotProductsStep(
    w,
    wStart,
    a,
    aStart,
    o,
    oStart,
    m,
    n,
    samples,
    firstScale,
    secondScale,
    decay,
    v,
    vStart,
    momentum,
    sums,
  );
}
