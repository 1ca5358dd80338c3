/**
 * The numbers of random cases, for every arbitrary of cases
 * ({@link conformance/case-arbitrary | case-arbitrary}, and the saturating, fuzzing and kink
 * cases beside it): the two spreads a number can be drawn with, rows and matrices of numbers,
 * targets that suit each loss, and the case document of a shape drawn first.
 *
 * How the numbers are spread: by default each one is fast-check's `fc.double` within its
 * interval, which is uniform over the *representable* doubles of the interval, not over the
 * interval: most draws are tiny (of the doubles in $[-1.5, 1.5]$ nearly all are below
 * $10^{-20}$ in magnitude), and the ends and zero come often. That explores every scale, but a
 * network of tiny numbers has gradients and steps of the same size, which a comparison's
 * absolute tolerance cannot tell from zero. The constraint `uniform` draws every number
 * uniformly from its interval instead, for laws that need general numbers (a mistake that
 * changes a gradient, or the learning rate, must show).
 *
 * @module
 */
import fc from "fast-check";
import type { ActivationName, ElementwiseActivationName } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import { caseFormat, type CaseDocument } from "./case-format.js";

/** Numbers in $[min, max]$, as one of the two spreads of the module comment draws them. */
export type NumberDraw = (min: number, max: number) => fc.Arbitrary<number>;

/** fast-check's doubles: uniform over the representable doubles of the interval. */
export const representable: NumberDraw = (min, max) => fc.double({ min, max, noNaN: true });

/** The steps of {@link uniformly}: multiples of $2^{-28}$, about $4 \cdot 10^{-9}$. */
const uniformSteps = 2 ** 28;

/**
 * Uniform over the interval: the multiples of $2^{-28}$ from $min$ to $max$, each as likely
 * (without fast-check's bias towards small numbers and the ends), shrinking towards $0$.
 */
export const uniformly: NumberDraw = (min, max) =>
  fc.noBias(fc.integer({ min: Math.ceil(min * uniformSteps), max: Math.floor(max * uniformSteps) })).map((step) => step / uniformSteps);

/** An input of a case: any number in $[-2, 2]$, drawn as fast-check's doubles are. */
export const input = fc.double({ min: -2, max: 2, noNaN: true });
/** Mostly probabilities, sometimes a little outside $[0, 1]$, which the case format accepts. */
export const crossEntropyTarget = (draw: NumberDraw): fc.Arbitrary<number> =>
  fc.oneof({ arbitrary: draw(0, 1), weight: 4 }, { arbitrary: draw(-0.5, 1.5), weight: 1 });

/**
 * A row of `length` numbers, each drawn from `entry`.
 *
 * @param length - how many numbers
 * @param entry - what each is drawn from
 */
export const row = (length: number, entry: fc.Arbitrary<number>): fc.Arbitrary<number[]> =>
  fc.array(entry, { minLength: length, maxLength: length });
/**
 * A matrix of `rows` rows and `columns` columns as JSON writes it, one array per row, each number drawn from `entry`.
 *
 * @param rows - how many rows
 * @param columns - how many numbers in each
 * @param entry - what each is drawn from
 */
export const matrix = (rows: number, columns: number, entry: fc.Arbitrary<number>): fc.Arbitrary<number[][]> =>
  fc.array(row(columns, entry), { minLength: rows, maxLength: rows });

/**
 * Targets that suit the loss: any numbers in $[-1, 1]$ for squared error; for the
 * cross-entropies mostly probabilities, sometimes numbers a little outside $[0, 1]$; for
 * cross-entropy either one-hot rows or soft rows that need not sum to one (the output delta's
 * general form $o\sum_k t_k - t$ is then exercised).
 *
 * @param loss - the loss the targets are for
 * @param samples - $B$, the rows
 * @param units - $n_L$, the numbers in each row
 * @param draw - the spread of the numbers, by default {@link representable}
 */
export function targetsFor(loss: LossName, samples: number, units: number, draw: NumberDraw = representable): fc.Arbitrary<number[][]> {
  switch (loss) {
    case "squared_error":
      return matrix(samples, units, draw(-1, 1));
    case "binary_cross_entropy":
      return matrix(samples, units, crossEntropyTarget(draw));
    case "cross_entropy":
      return fc.oneof(
        fc.array(
          fc.nat({ max: units - 1 }).map((hot) => Array.from({ length: units }, (_, k) => (k === hot ? 1 : 0))),
          { minLength: samples, maxLength: samples },
        ),
        matrix(samples, units, crossEntropyTarget(draw)),
      );
  }
}

/** The shape of a case as the arbitraries draw it first: sizes, activations, the output pair, biases or not, the batch size. */
export interface CaseShape {
  /** $n_0, \dots, n_L$. */
  readonly sizes: readonly number[];
  /** Activations for the hidden layers, the first $L - 1$ of them used. */
  readonly hidden: readonly ElementwiseActivationName[];
  /** The output layer's activation and the loss. */
  readonly output: readonly [ActivationName, LossName];
  /** Whether the case has biases. */
  readonly biases: boolean;
  /** $B$. */
  readonly samples: number;
}

/** What the numbers of a case are drawn from, once its shape is known. */
export interface CaseEntries {
  /** Each weight. */
  readonly weight: fc.Arbitrary<number>;
  /** Each bias. */
  readonly bias: fc.Arbitrary<number>;
  /** Each input. */
  readonly input: fc.Arbitrary<number>;
  /** The targets, $B$ rows of $n_L$, for the loss. */
  readonly targets: (loss: LossName, samples: number, units: number) => fc.Arbitrary<number[][]>;
  /** The learning rate $\eta$. */
  readonly learningRate: fc.Arbitrary<number>;
}

/**
 * Case documents of one shape, their numbers (the learning rate too) drawn from `entries`.
 *
 * @param shape - the sizes, activations, output pair, biases and batch size
 * @param entries - what each number is drawn from
 */
export function caseOfShape({ sizes, hidden, output, biases, samples }: CaseShape, entries: CaseEntries): fc.Arbitrary<CaseDocument> {
  const L = sizes.length - 1;
  const [outputActivation, loss] = output;
  return fc.record({
    format: fc.constant(caseFormat),
    sizes: fc.constant([...sizes]),
    activations: fc.constant([...hidden.slice(0, L - 1), outputActivation]),
    loss: fc.constant(loss),
    weights: fc.tuple(...sizes.slice(1).map((units, index) => matrix(units, sizes[index]!, entries.weight))),
    biases: biases ? fc.tuple(...sizes.slice(1).map((units) => row(units, entries.bias))) : fc.constant(null),
    inputs: matrix(samples, sizes[0]!, entries.input),
    targets: entries.targets(loss, samples, sizes[L]!),
    learningRate: entries.learningRate,
  });
}
