/**
 * Types for `ndarray-gemm` 1.0, which ships none: one function, the general matrix product
 * of BLAS's xGEMM.
 */
declare module "ndarray-gemm" {
  import type { NdArray } from "ndarray";

  /**
   * $C \leftarrow \alpha A B + \beta C$, written into `c`.
   *
   * @param c - the $n \times m$ result; it must not share memory with `a` or `b`
   * @param a - the $n \times p$ left factor (any strides, so a transposed view works)
   * @param b - the $p \times m$ right factor
   * @param alpha - $\alpha$, default 1
   * @param beta - $\beta$, default 0
   */
  function gemm(c: NdArray, a: NdArray, b: NdArray, alpha?: number, beta?: number): void;
  export = gemm;
}
