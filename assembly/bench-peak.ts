/**
 * The bench's measure of the machine's float64 peak (scripts/bench/peak.ts compiles this file
 * when it runs; it is not part of the library's module): as many `f64x2` multiplications and
 * additions per second as one core does when nothing waits on memory.
 *
 * Twelve independent chains, each $a \leftarrow a \cdot m + c$ in both lanes, keep the
 * processor's multiply and add units busy: each chain waits on its own last result (a
 * multiplication, then an addition), and twelve of them cover that wait. Each iteration is
 * 12 chains × 2 lanes × 2 operations = 48 floating-point operations, the same two operations a
 * product kernel's term costs (no fused multiply-add, which the kernels do not use either).
 */

/** One chain's step, in both lanes. */
function chain(a: v128, m: v128, c: v128): v128 {
  return f64x2.add(f64x2.mul(a, m), c);
}

/** Runs `iterations` iterations of the twelve chains and returns a number that depends on all of them. */
export function peak(iterations: i32): f64 {
  const m = f64x2.splat(0.999999);
  const c = f64x2.splat(1e-6);
  let a0 = f64x2.splat(1.0),
    a1 = f64x2.splat(1.1),
    a2 = f64x2.splat(1.2),
    a3 = f64x2.splat(1.3),
    a4 = f64x2.splat(1.4),
    a5 = f64x2.splat(1.5);
  let a6 = f64x2.splat(1.6),
    a7 = f64x2.splat(1.7),
    a8 = f64x2.splat(1.8),
    a9 = f64x2.splat(1.9),
    a10 = f64x2.splat(2.0),
    a11 = f64x2.splat(2.1);
  for (let i = 0; i < iterations; i++) {
    a0 = chain(a0, m, c);
    a1 = chain(a1, m, c);
    a2 = chain(a2, m, c);
    a3 = chain(a3, m, c);
    a4 = chain(a4, m, c);
    a5 = chain(a5, m, c);
    a6 = chain(a6, m, c);
    a7 = chain(a7, m, c);
    a8 = chain(a8, m, c);
    a9 = chain(a9, m, c);
    a10 = chain(a10, m, c);
    a11 = chain(a11, m, c);
  }
  const sum = f64x2.add(
    f64x2.add(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)), f64x2.add(f64x2.add(a4, a5), f64x2.add(a6, a7))),
    f64x2.add(f64x2.add(a8, a9), f64x2.add(a10, a11)),
  );
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}
