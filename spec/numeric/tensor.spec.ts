import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/numeric/errors.js";
import {
  addScaledProduct,
  addToEveryColumn,
  allFinite,
  dimensions,
  matrixFromRows,
  matrixToRows,
  multiply,
  rowMeans,
  transposed,
  vectorFromArray,
  vectorToArray,
  zeros,
  type Matrix,
} from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { topRowsOf } from "../support/parameters.js";

type Rows = readonly (readonly number[])[];

const entry = fc.double({ min: -10, max: 10, noNaN: true });
const rowsOf = (rows: number, columns: number, entries: fc.Arbitrary<number> = entry) =>
  fc.array(fc.array(entries, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows });

/**
 * Sizes up to 20, often a multiple of the four or eight rows that the kernels take per pass, or
 * one short of it or one past it: full blocks and every kind of rows left over occur.
 */
const size = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(3, 4, 5, 7, 8, 9, 15, 16, 17));

/** What the memory around an operand holds: NaN, so that any sum that reads some of it is NaN. */
const poison = Number.NaN;
/** What the memory around a result holds before and after: a stray write would change it. */
const untouched = -1;

/** The transpose of a list of rows. */
const columnsOf = (rows: Rows): number[][] => rows[0]!.map((_, k) => rows.map((row) => row[k]!));

/** $C_{ij} = \sum_k A_{ik} B_{kj}$, each sum from zero in increasing $k$. */
const plainProduct = (a: Rows, b: Rows): number[][] =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, k) => sum + value * b[k]![j]!, 0)));

/** The rows as a column slice: the first columns of a matrix two columns wider, stride $[n + 2, 1]$. */
const columnSlice = (rows: Rows, filler: number): Matrix =>
  matrixFromRows(rows.map((row) => [...row, filler, filler])).hi(rows.length, rows[0]!.length);

/**
 * The ways the kernels meet an $m \times n$ matrix, each among numbers of its buffer that are
 * not its entries (all `filler`):
 * - dense, stride $[n, 1]$, with a row after it: dense whatever its offset, so it takes the fast
 *   loops, and a loop that ran past its last row would meet the row after;
 * - the transposed view of such a matrix, as $W^\top$ and $o^\top$ meet the products;
 * - a column slice, stride $[n + 2, 1]$, and the transposed view of one: not dense, so only the
 *   general loop, which reads through the strides, may take them.
 */
type Layout = (rows: Rows, filler: number) => Matrix;
const layouts = {
  dense: (rows: Rows, filler: number): Matrix => topRowsOf(rows, filler).view,
  transposed: (rows: Rows, filler: number): Matrix => topRowsOf(columnsOf(rows), filler).view.transpose(1, 0),
  "column slice": columnSlice,
  "transposed column slice": (rows: Rows, filler: number): Matrix => columnSlice(columnsOf(rows), filler).transpose(1, 0),
} satisfies Record<string, Layout>;

/** The numbers of a view's buffer that are not entries of the view. */
function outsideOf(view: Matrix): number[] {
  const [rows, columns] = dimensions(view);
  const inside = new Set<number>();
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) inside.add(view.offset + i * view.stride[0]! + j * view.stride[1]!);
  return Array.from(view.data).filter((_, index) => !inside.has(index));
}

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

describe("tensor", () => {
  it("multiply computes Σ_k A_ik B_kj in order of k, for matrices and transposed views alike", () => {
    const factors = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    fc.assert(
      fc.property(factors, ([a, b]) => {
        const expected = plainProduct(a, b);
        const m = a.length;
        const n = b[0]!.length;
        expect(matrixToRows(multiply(zeros(m, n), matrixFromRows(a), matrixFromRows(b)))).toEqual(expected);
        const viaViews = multiply(zeros(m, n), transposed(matrixFromRows(a)).transpose(1, 0), transposed(matrixFromRows(b)).transpose(1, 0));
        expect(matrixToRows(viaViews)).toEqual(expected);
      }),
      { numRuns },
    );
  });

  it("the layouts hold exactly the given entries among their filler, the dense ones with the strides of a fresh array, and a write past a view shows outside it", () => {
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    for (const [name, place] of Object.entries(layouts)) {
      const view = place(rows, untouched);
      expect(matrixToRows(view), name).toEqual(rows);
      expect(outsideOf(view), name).toEqual(Array.from({ length: view.data.length - 6 }, () => untouched));
    }
    expect(layouts.dense(rows, untouched).stride).toEqual([3, 1]);
    expect(layouts.transposed(rows, untouched).stride).toEqual([1, 2]);
    const overrun = layouts.dense(rows, untouched);
    overrun.data[6] = 0;
    expect(outsideOf(overrun)).toEqual([0, untouched, untouched]);
  });

  it("every layout of the operands and of the result (dense with a row after it, transposed, column slice, transposed column slice) gives bit for bit the sum over k from zero in increasing order, reads nothing around the operands and writes nothing around the result", () => {
    // One column often: W o takes a loop of its own, eight rows per pass.
    const factors = fc.tuple(size, size, fc.oneof(fc.constant(1), size)).chain(([m, p, n]) => fc.tuple(rowsOf(m, p), rowsOf(p, n)));
    fc.assert(
      fc.property(factors, ([a, b]) => {
        const expected = plainProduct(a, b);
        const [m, n] = [a.length, b[0]!.length];
        const stale = Array.from({ length: m }, () => Array.from({ length: n }, () => untouched));
        for (const [aLayout, placeA] of Object.entries(layouts)) {
          for (const [bLayout, placeB] of Object.entries(layouts)) {
            for (const [resultLayout, placeResult] of Object.entries(layouts)) {
              const what = `${resultLayout} = ${aLayout} × ${bLayout}`;
              const result = multiply(placeResult(stale, untouched), placeA(a, poison), placeB(b, poison));
              expect(matrixToRows(result), what).toEqual(expected);
              const outside = outsideOf(result);
              expect(outside, what).toEqual(outside.map(() => untouched));
            }
          }
        }
      }),
      { numRuns },
    );
  });

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
    expect(addScaledProduct(withMomentum, matrixFromRows([[1e308]]), matrixFromRows([[1e308]]), 1, 1, matrixFromRows([[0]]), 0.5)).toBe(false);
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

  it("multiply refuses shapes that do not chain", () => {
    expect(() => multiply(zeros(2, 2), zeros(2, 3), zeros(2, 2))).toThrow(
      new ShapeError("cannot multiply 2×3 by 2×2 into 2×2: expected 2×3 by 3×2 into 2×2"),
    );
  });

  it("adds a bias to every column and takes row means", () => {
    const matrix = matrixFromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(matrixToRows(addToEveryColumn(matrix, vectorFromArray([10, -1])))).toEqual([
      [11, 12, 13],
      [3, 4, 5],
    ]);
    expect(vectorToArray(rowMeans(matrix))).toEqual([12, 4]);
    expect(() => addToEveryColumn(matrix, vectorFromArray([1]))).toThrow(ShapeError);
  });

  it("builds matrices from rows and refuses ragged rows", () => {
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow("row 1 has 1 entries but row 0 has 2");
    expect(matrixToRows(transposed(matrixFromRows([[1, 2, 3]])))).toEqual([[1], [2], [3]]);
    expect(allFinite(matrixFromRows([[1, Number.NaN]]))).toBe(false);
    expect(allFinite(vectorFromArray([1, -Infinity]))).toBe(false);
    expect(allFinite(matrixFromRows([[1, 2]]))).toBe(true);
  });
});
