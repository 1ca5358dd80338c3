import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/numeric/errors.js";
import { allFinite, matrixFromRows, matrixToRows, zeros } from "../../src/numeric/tensor.js";
import { addScaledProduct } from "../../src/training/fused-update.js";
import { numRuns } from "../support/arbitraries.js";
import { entry, layouts, outsideOf, poison, rowsOf, size, untouched, type Layout, type Rows } from "../support/layouts.js";

/**
 * Entries of a weight update, often exactly $0$ or $-0$: the one-sample step adds
 * $(0 + A_j O_k)\, s_1 s_2$, whose leading $0$ turns a product of $-0$ into $+0$, and a weight of
 * $-0$ tells the two apart ($-0 + (-0)$ is $-0$, $-0 + 0$ is $0$).
 */
const zeroOrEntry = fc.oneof({ arbitrary: entry, weight: 2 }, { arbitrary: fc.constantFrom(0, -0), weight: 1 });

/**
 * A weight update: $W$ and $v$ are $m \times n$, $A$ is $m \times B$, $O$ is $n \times B$. Up to 20
 * rows, so that blocks of four and of eight rows and the rows left over occur; often one sample
 * and $s_1$ exactly 1, the one case that takes the eight-row loop.
 */
const update = fc.tuple(size, size, fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 }))).chain(([m, n, samples]) =>
  fc.record({
    target: rowsOf(m, n, zeroOrEntry),
    velocity: rowsOf(m, n, zeroOrEntry),
    a: rowsOf(m, samples, zeroOrEntry),
    o: rowsOf(n, samples, zeroOrEntry),
    s1: fc.oneof(fc.constant(1), zeroOrEntry),
    s2: zeroOrEntry,
    momentum: fc.double({ min: 0, max: 0.99, noNaN: true }),
  }),
);
type Update = typeof update extends fc.Arbitrary<infer Drawn> ? Drawn : never;

/**
 * What an update must give by the plain formulas: the step $d_{jk} = ((\sum_b A_{jb} O_{kb})\, s_1)\, s_2$,
 * the sum from zero in increasing $b$; then $W + d$ without momentum, $W + d + \mu v$ and
 * $\mu v + d$ with it.
 */
function plainUpdate({ target, velocity, a, o, s1, s2, momentum }: Update) {
  const step = (j: number, k: number) => a[j]!.reduce((sum, value, b) => sum + value * o[k]![b]!, 0) * s1 * s2;
  return {
    plain: target.map((row, j) => row.map((w, k) => w + step(j, k))),
    withMomentum: target.map((row, j) => row.map((w, k) => w + step(j, k) + velocity[j]![k]! * momentum)),
    velocity: velocity.map((row, j) => row.map((value, k) => value * momentum + step(j, k))),
  };
}

/**
 * Runs an update on arrays laid out by `place` (the operands among {@link poison}, the target and
 * the velocity among {@link untouched}), once without momentum and once with: what it returned,
 * what the arrays hold then, and the numbers around them.
 */
function runUpdate({ target, velocity, a, o, s1, s2, momentum }: Update, place: Layout) {
  const [deltas, outputs] = [place(a, poison), place(o, poison)];
  const plain = place(target, untouched);
  const plainFinite = addScaledProduct(plain, deltas, outputs, s1, s2);
  const [withMomentum, v] = [place(target, untouched), place(velocity, untouched)];
  const momentumFinite = addScaledProduct(withMomentum, deltas, outputs, s1, s2, v, momentum);
  return {
    finite: [plainFinite, momentumFinite],
    plain: matrixToRows(plain),
    withMomentum: matrixToRows(withMomentum),
    velocity: matrixToRows(v),
    outside: [plain, withMomentum, v].flatMap(outsideOf),
  };
}

/** Fresh arrays of their own size, nothing around them. */
const fresh: Layout = (rows) => matrixFromRows(rows);

describe("the fused update", () => {
  it("addScaledProduct adds ((Σ_b A_jb O_kb)·s₁)·s₂ to every entry, bit for bit, −0 told from 0, and with momentum gives W + d + μv and μv + d", () => {
    fc.assert(
      fc.property(update, (problem) => {
        const { finite, outside, ...updated } = runUpdate(problem, fresh);
        expect(finite).toEqual([true, true]);
        expect(outside).toEqual([]);
        expect(updated).toEqual(plainUpdate(problem));
      }),
      { numRuns },
    );
  });

  it("addScaledProduct on dense views with a row after them gives the same entries, for one sample (s₁ = 1 or not) and a batch, with and without momentum, and reads and writes none of the memory after them", () => {
    fc.assert(
      fc.property(update, (problem) => {
        const oneSample = { ...problem, a: problem.a.map((row) => [row[0]!]), o: problem.o.map((row) => [row[0]!]) };
        const variants: [string, Update][] = [
          ["one sample, s₁ = 1", { ...oneSample, s1: 1 }],
          ["one sample", oneSample],
          ["the batch", problem],
        ];
        for (const [what, variant] of variants) {
          const { finite, outside, ...updated } = runUpdate(variant, layouts.dense);
          expect(finite, what).toEqual([true, true]);
          expect(updated, what).toEqual(plainUpdate(variant));
          expect(outside, what).toEqual(outside.map(() => untouched));
        }
      }),
      { numRuns },
    );
  });

  it("a NaN among the deltas or the outputs makes addScaledProduct report a non-finite update, however small the other entries, with and without momentum", () => {
    /** The rows with their entry number `index` (row after row, modulo their count) set to NaN. */
    const withNaN = (rows: Rows, index: number): number[][] => {
      const columns = rows[0]!.length;
      const at = index % (rows.length * columns);
      return rows.map((row, j) => row.map((value, b) => (j * columns + b === at ? Number.NaN : value)));
    };
    fc.assert(
      fc.property(update, fc.boolean(), fc.nat(), (problem, inDeltas, index) => {
        const poisoned = inDeltas ? { ...problem, a: withNaN(problem.a, index) } : { ...problem, o: withNaN(problem.o, index) };
        const { finite, plain, withMomentum } = runUpdate(poisoned, fresh);
        expect(finite).toEqual([false, false]);
        expect([plain, withMomentum].map((rows) => allFinite(matrixFromRows(rows)))).toEqual([false, false]);
      }),
      { numRuns },
    );
  });

  it("addScaledProduct says when an updated entry is not finite, for one sample, a batch and with momentum, and refuses shapes that do not fit and views", () => {
    const huge = matrixFromRows([[1e308, 1]]);
    expect(addScaledProduct(huge, matrixFromRows([[1e308]]), matrixFromRows([[1], [0]]), 1, 1)).toBe(false);
    expect(addScaledProduct(matrixFromRows([[1]]), matrixFromRows([[1e308, 1e308]]), matrixFromRows([[1, 1]]), 1, 1)).toBe(false);
    expect(addScaledProduct(matrixFromRows([[1]]), matrixFromRows([[1e307, 1e307]]), matrixFromRows([[1, 1]]), 0.5, 0.5)).toBe(true);
    const withMomentum = matrixFromRows([[1]]);
    expect(addScaledProduct(withMomentum, matrixFromRows([[1e308]]), matrixFromRows([[1e308]]), 1, 1, matrixFromRows([[0]]), 0.5)).toBe(
      false,
    );
    // A step of 2^1000 is far below the largest float64, yet carries it to infinity (the rounding
    // unit there is 2^971): the steps left unchecked must stay below half of that.
    const largest = matrixFromRows([[Number.MAX_VALUE]]);
    expect(addScaledProduct(largest, matrixFromRows([[2 ** 1000]]), matrixFromRows([[1]]), 1, 1)).toBe(false);
    expect(matrixToRows(largest)).toEqual([[Infinity]]);
    // The velocity counts too: W + d + μv = (−MAX + MAX) + 0.9·MAX stays finite, μv + d = 0.9·MAX + MAX does not.
    const [weight, velocity] = [matrixFromRows([[-Number.MAX_VALUE]]), matrixFromRows([[Number.MAX_VALUE]])];
    expect(addScaledProduct(weight, matrixFromRows([[Number.MAX_VALUE]]), matrixFromRows([[1]]), 1, 1, velocity, 0.9)).toBe(false);
    expect([weight.get(0, 0), velocity.get(0, 0)]).toEqual([0.9 * Number.MAX_VALUE, Infinity]);
    expect(() => addScaledProduct(zeros(2, 3), zeros(2, 1), zeros(2, 1), 1, 1)).toThrow(
      new ShapeError("cannot add the product of 2×1 and the transpose of 2×1 to 2×3: expected 2×B and 3×B for a 2×3 target"),
    );
    expect(() => addScaledProduct(zeros(2, 2), zeros(2, 1), zeros(2, 1), 1, 1, zeros(1, 2), 0.5)).toThrow(/with a 1×2 velocity/);
    expect(() => addScaledProduct(zeros(2, 2).transpose(1, 0), zeros(2, 1), zeros(2, 1), 1, 1)).toThrow(/stored densely/);
  });
});
