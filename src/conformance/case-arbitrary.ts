/**
 * Random cases: networks, batches and learning rates drawn by fast-check as
 * `backprop-ref/case@1` documents (and, with a weight decay drawn too, `backprop-ref/case@2`), so that a shrunk counterexample can be saved to a file and
 * replayed with `npx backprop-ref grad case.json`. Every property of the test suite draws its
 * cases here, and so do the measurements in `scripts/` and property tests of other
 * implementations against this one.
 *
 * What the generators keep away from, and why:
 * - Kinks: `relu` and `leaky_relu` have no derivative at $z = 0$, and a central difference
 *   that straddles the kink measures the average of two slopes. Cases whose `relu` or
 *   `leaky_relu` preactivations come within the check's `kinkMargin` ($10^{-3}$) of zero are
 *   filtered out. The margin is about 100 times the largest step of the check
 *   ($6 \times 10^{-6} \times 1.5$), so a perturbation of one parameter moves no preactivation
 *   across the kink unless its sensitivity to that parameter exceeds 100, which the bounded
 *   weights and hidden outputs below make rare.
 * - Large hidden outputs: a central difference on $w^{(l)}_{jk}$ has a truncation error of about
 *   $\frac{h^2}{6} \partial^3 E / \partial w^3$, and that third derivative grows with the cube of
 *   the input $o^{(l-1)}_k$ the weight multiplies. Weights stay in $[-1.5, 1.5]$ and inputs in
 *   $[-2, 2]$, and cases with a hidden output larger than {@link hiddenOutputBound} in magnitude
 *   (reachable through chains of `identity`, `relu` or `softplus` layers) are filtered out: with
 *   outputs of $11$, the deep run met a truncation error of $10^{-9}$, a relative error of
 *   $10^{-6}$ on an entry near the floor, an error of the oracle and not of backpropagation.
 *   Saturated units are still generated (a sigmoid at $z = 20$).
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
import { forward } from "../model/forward.js";
import type { ActivationName, ElementwiseActivationName } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import { kinkDistance, kinkMargin } from "../oracles/kinks.js";
import { caseFormat, caseFormat2, parseCase, type CaseDocument, type Problem } from "./case-format.js";
import type { DirectionDocument, HvpCaseDocument } from "./hvp-format.js";

/** The largest magnitude a hidden layer's output may have (see the module comment). */
export const hiddenOutputBound = 5;

/** The activations allowed in hidden layers. */
export const hiddenActivations: readonly ElementwiseActivationName[] = ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity"];

/** Every valid pair of output activation and loss. */
export const outputPairs: readonly (readonly [ActivationName, LossName])[] = [
  ...hiddenActivations.map((activation) => [activation, "squared_error"] as const),
  ["softmax", "squared_error"],
  ["softmax", "cross_entropy"],
  ["sigmoid", "binary_cross_entropy"],
];

/** An inclusive range of whole numbers. */
export interface IntegerRange {
  /** The smallest. */
  readonly min: number;
  /** The largest. */
  readonly max: number;
}

/** Bounds on the generated cases; every field is optional. */
export interface CaseConstraints {
  /** Weight layers $L$. Default 1 to 4. */
  readonly depth?: IntegerRange;
  /** Units per layer. Default 1 to 8. */
  readonly width?: IntegerRange;
  /** Samples $B$. Default 1 to 5. */
  readonly batch?: IntegerRange;
  /** Hidden activations to draw from. Default all of {@link hiddenActivations}. */
  readonly hidden?: readonly ElementwiseActivationName[];
  /** Output pairs to draw from. Default all of {@link outputPairs}. */
  readonly outputs?: readonly (readonly [ActivationName, LossName])[];
  /** Biases on, off, or either. Default either. */
  readonly biases?: boolean;
  /** Whether to filter out cases near a `relu` kink. Default `true`; the deep check turns it off to exercise kink detection. */
  readonly awayFromKinks?: boolean;
  /**
   * Whether every weight, bias, input and target and the learning rate is drawn uniformly from
   * its interval. Default `false`: fast-check's doubles, most of them tiny (see the module comment).
   */
  readonly uniform?: boolean;
  /** Where the learning rate $\eta$ is drawn from. Default any number in $[0, 1]$, drawn as the other numbers are. */
  readonly learningRate?: fc.Arbitrary<number>;
  /**
   * Where the weight decay $\lambda'$ is drawn from: given, every case is a `backprop-ref/case@2`
   * document with that `weightDecay` (see {@link withWeightDecay}). Left out, every case is a
   * `backprop-ref/case@1` document, without weight decay. {@link caseDocument} reads it; the fuzzer's
   * cases ({@link fuzzCaseDocument}) are `case@1` documents always, the protocol's format.
   */
  readonly weightDecay?: fc.Arbitrary<number>;
}

/** Numbers in $[min, max]$, as one of the two spreads of the module comment draws them. */
type NumberDraw = (min: number, max: number) => fc.Arbitrary<number>;

/** fast-check's doubles: uniform over the representable doubles of the interval. */
const representable: NumberDraw = (min, max) => fc.double({ min, max, noNaN: true });

/** The steps of {@link uniformly}: multiples of $2^{-28}$, about $4 \cdot 10^{-9}$. */
const uniformSteps = 2 ** 28;

/**
 * Uniform over the interval: the multiples of $2^{-28}$ from $min$ to $max$, each as likely
 * (without fast-check's bias towards small numbers and the ends), shrinking towards $0$.
 */
const uniformly: NumberDraw = (min, max) =>
  fc.noBias(fc.integer({ min: Math.ceil(min * uniformSteps), max: Math.floor(max * uniformSteps) })).map((step) => step / uniformSteps);

const input = fc.double({ min: -2, max: 2, noNaN: true });
const probability = fc.double({ min: 0, max: 1, noNaN: true });
/** Mostly probabilities, sometimes a little outside $[0, 1]$, which the case format accepts. */
const crossEntropyTarget = (draw: NumberDraw): fc.Arbitrary<number> =>
  fc.oneof({ arbitrary: draw(0, 1), weight: 4 }, { arbitrary: draw(-0.5, 1.5), weight: 1 });

const row = (length: number, entry: fc.Arbitrary<number>): fc.Arbitrary<number[]> =>
  fc.array(entry, { minLength: length, maxLength: length });
const matrix = (rows: number, columns: number, entry: fc.Arbitrary<number>): fc.Arbitrary<number[][]> =>
  fc.array(row(columns, entry), { minLength: rows, maxLength: rows });

/**
 * Targets that suit the loss: any numbers in $[-1, 1]$ for squared error; for the
 * cross-entropies mostly probabilities, sometimes numbers a little outside $[0, 1]$; for
 * cross-entropy either one-hot rows or soft rows that need not sum to one (the output delta's
 * general form $o\sum_k t_k - t$ is then exercised).
 */
function targetsFor(loss: LossName, samples: number, units: number, draw: NumberDraw = representable): fc.Arbitrary<number[][]> {
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

/**
 * Random case documents within the constraints, away from `relu` kinks (see the module comment).
 *
 * @param constraints - bounds on depth, width, batch, activations and biases
 */
export function caseDocument(constraints: CaseConstraints = {}): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 4 };
  const width = constraints.width ?? { min: 1, max: 8 };
  const batch = constraints.batch ?? { min: 1, max: 5 };
  const shape = fc.record({
    sizes: fc.integer(depth).chain((layers) => fc.array(fc.integer(width), { minLength: layers + 1, maxLength: layers + 1 })),
    hidden: fc.array(fc.constantFrom(...(constraints.hidden ?? hiddenActivations)), { minLength: 3, maxLength: 3 }),
    output: fc.constantFrom(...(constraints.outputs ?? outputPairs)),
    biases: constraints.biases === undefined ? fc.boolean() : fc.constant(constraints.biases),
    samples: fc.integer(batch),
  });
  const draw = constraints.uniform === true ? uniformly : representable;
  const entries: CaseEntries = {
    weight: draw(-1.5, 1.5),
    bias: draw(-1.5, 1.5),
    input: draw(-2, 2),
    targets: (loss, samples, units) => targetsFor(loss, samples, units, draw),
    learningRate: constraints.learningRate ?? draw(0, 1),
  };
  const documents = shape.chain((drawn) => caseOfShape(drawn, entries));
  const decayed =
    constraints.weightDecay === undefined
      ? documents
      : fc.tuple(documents, constraints.weightDecay).map(([document, weightDecay]) => withWeightDecay(document, weightDecay));
  return decayed.filter((document) => withinCaseBounds(document, constraints.awayFromKinks !== false));
}

/**
 * A case with weight decay: the same case as a `backprop-ref/case@2` document with the given
 * `weightDecay` $\lambda'$ (whose loss is its batch mean plus $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$).
 *
 * @param document - a case, of either version
 * @param weightDecay - $\lambda' \ge 0$
 */
export function withWeightDecay(document: CaseDocument, weightDecay: number): CaseDocument {
  return { ...document, format: caseFormat2, weightDecay };
}

/**
 * Whether a case stays where the generated cases stay (see the module comment): its hidden
 * outputs within {@link hiddenOutputBound}, and, unless kinks are wanted, every `relu` and
 * `leaky_relu` preactivation further than the check's `kinkMargin` from zero.
 *
 * @param document - a valid case
 * @param awayFromKinks - whether to require the distance from the kinks
 */
export function withinCaseBounds(document: CaseDocument, awayFromKinks = true): boolean {
  const problem = parseCase(document);
  const clearOfKinks = !awayFromKinks || kinkDistance(problem.network, problem.inputs) > kinkMargin;
  return clearOfKinks && largestHiddenOutput(problem) <= hiddenOutputBound;
}

/**
 * The largest $|o^{(l)}|$ over the hidden layers $l = 1, \dots, L-1$, or $0$ for a network
 * without hidden layers.
 *
 * @param problem - a parsed case
 */
export function largestHiddenOutput(problem: Problem): number {
  const trace = forward(problem.network, problem.inputs);
  let largest = 0;
  for (const outputs of trace.outputs.slice(1, -1)) {
    for (let entry = 0; entry < outputs.data.length; entry++) largest = Math.max(largest, Math.abs(outputs.data[entry]!));
  }
  return largest;
}

/**
 * Random hvp cases: a case of {@link caseDocument} within the constraints, with a direction $V$
 * drawn for its shape by {@link directionFor}.
 *
 * @param constraints - bounds on the case, as for {@link caseDocument}
 */
export function hvpCaseDocument(constraints: CaseConstraints = {}): fc.Arbitrary<HvpCaseDocument> {
  const entry = constraints.uniform === true ? uniformly(-1, 1) : representable(-1, 1);
  return caseDocument(constraints).chain((document) => directionFor(document, entry).map((direction) => ({ ...document, direction })));
}

/**
 * Random directions $V$ shaped like a case's parameters: `weights` like its weights, `biases`
 * like its biases or `null` when they are. Entries are in $[-1, 1]$, the scale of the weights;
 * a product along $V$ is linear in $V$, so its scale is no loss of generality.
 *
 * @param document - the case whose parameters the direction is shaped like
 * @param entry - what each entry is drawn from
 */
export function directionFor(document: CaseDocument, entry: fc.Arbitrary<number> = representable(-1, 1)): fc.Arbitrary<DirectionDocument> {
  const { sizes } = document;
  return fc.record({
    weights: fc.tuple(...sizes.slice(1).map((units, index) => matrix(units, sizes[index]!, entry))),
    biases: document.biases === null ? fc.constant(null) : fc.tuple(...sizes.slice(1).map((units) => row(units, entry))),
  });
}

/** The hidden activations of {@link saturatingCaseDocument}: the two whose outputs are bounded and saturate on both sides. */
export const saturatingHiddenActivations: readonly ElementwiseActivationName[] = ["sigmoid", "tanh"];

/** The output pairs of {@link saturatingCaseDocument}: every output that saturates, with each loss it takes. */
export const saturatingOutputPairs: readonly (readonly [ActivationName, LossName])[] = [
  ["sigmoid", "squared_error"],
  ["tanh", "squared_error"],
  ["softplus", "squared_error"],
  ["softmax", "squared_error"],
  ["softmax", "cross_entropy"],
  ["sigmoid", "binary_cross_entropy"],
];

/** Bounds on the saturating cases; every field is optional. */
export interface SaturatingConstraints {
  /** Weight layers $L$. Default 1 to 3. */
  readonly depth?: IntegerRange;
  /** Units per layer. Default 1 to 4. */
  readonly width?: IntegerRange;
  /** Samples $B$. Default 1 to 3. */
  readonly batch?: IntegerRange;
}

/** A weight of magnitude 10 to 40, either sign. */
const largeWeight = fc
  .tuple(fc.boolean(), fc.double({ min: 10, max: 40, noNaN: true }))
  .map(([negative, size]) => (negative ? -size : size));
/** Inputs of $\pm 1$ half the time, so that a preactivation can be a weight exactly. */
const saturatingInput = fc.oneof(fc.constantFrom(-1, 1), input);

/**
 * Targets for saturated outputs: the asymptotes themselves (0 and 1, and $-1$ for tanh), where
 * $t - o$ is the distance of a rounded output to its asymptote, or soft targets anywhere
 * between; for cross-entropy one-hot rows, probability rows (soft targets that sum to one, up
 * to rounding) and rows that need not sum to one.
 */
function saturatingTargetsFor(loss: LossName, samples: number, units: number): fc.Arbitrary<number[][]> {
  switch (loss) {
    case "squared_error":
      return matrix(samples, units, fc.oneof(fc.constantFrom(-1, 0, 1), fc.double({ min: -1, max: 1, noNaN: true })));
    case "binary_cross_entropy":
      return matrix(samples, units, fc.oneof(fc.constantFrom(0, 1), probability));
    case "cross_entropy":
      return fc.oneof(
        targetsFor("cross_entropy", samples, units),
        matrix(samples, units, fc.double({ min: 0.01, max: 1, noNaN: true })).map((rows) =>
          rows.map((row) => {
            const total = row.reduce((sum, entry) => sum + entry, 0);
            return row.map((entry) => entry / total);
          }),
        ),
      );
  }
}

/**
 * Cases that aim at saturation, for the precision law: weights (and biases) of magnitude 10 to
 * 40, inputs of $\pm 1$ or in $[-2, 2]$, so that preactivations reach tens to hundreds; sigmoid
 * and tanh hidden layers, whose outputs stay within $[-1, 1]$ however large $z$ is (the next
 * layer's $z$ is then tens to hundreds again); outputs that saturate (sigmoid, tanh, softplus,
 * confident softmax) with targets at their asymptotes or soft ones. Derivatives of $10^{-17}$ and less, softmax outputs within
 * $10^{-13}$ of 1, logits hundreds apart: where $1 - o$ formed by subtraction has no digit left.
 * No filter is needed: no `relu` kink, no layer that grows its outputs.
 *
 * @param constraints - bounds on depth, width and batch
 */
export function saturatingCaseDocument(constraints: SaturatingConstraints = {}): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 3 };
  const width = constraints.width ?? { min: 1, max: 4 };
  const batch = constraints.batch ?? { min: 1, max: 3 };
  const shape = fc.record({
    sizes: fc.integer(depth).chain((layers) => fc.array(fc.integer(width), { minLength: layers + 1, maxLength: layers + 1 })),
    hidden: fc.array(fc.constantFrom(...saturatingHiddenActivations), { minLength: 3, maxLength: 3 }),
    output: fc.constantFrom(...saturatingOutputPairs),
    biases: fc.boolean(),
    samples: fc.integer(batch),
  });
  return shape.chain((drawn) =>
    caseOfShape(drawn, {
      weight: largeWeight,
      bias: fc.double({ min: -40, max: 40, noNaN: true }),
      input: saturatingInput,
      targets: saturatingTargetsFor,
      learningRate: representable(0, 1),
    }),
  );
}

/** The shape of a case as the arbitraries draw it first: sizes, activations, the output pair, biases or not, the batch size. */
interface CaseShape {
  readonly sizes: readonly number[];
  readonly hidden: readonly ElementwiseActivationName[];
  readonly output: readonly [ActivationName, LossName];
  readonly biases: boolean;
  readonly samples: number;
}

/** What the numbers of a case are drawn from, once its shape is known. */
interface CaseEntries {
  readonly weight: fc.Arbitrary<number>;
  readonly bias: fc.Arbitrary<number>;
  readonly input: fc.Arbitrary<number>;
  readonly targets: (loss: LossName, samples: number, units: number) => fc.Arbitrary<number[][]>;
  readonly learningRate: fc.Arbitrary<number>;
}

/** Case documents of one shape, their numbers (the learning rate too) drawn from `entries`. */
function caseOfShape({ sizes, hidden, output, biases, samples }: CaseShape, entries: CaseEntries): fc.Arbitrary<CaseDocument> {
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

/** A number in $[-\text{limit}, \text{limit}]$: four times in five a multiple of $0.01$, otherwise drawn by `any`. */
function mostlyDecimal(limit: number, any: fc.Arbitrary<number>): fc.Arbitrary<number> {
  const hundredths = Math.round(limit * 100);
  return fc.oneof(
    { arbitrary: fc.integer({ min: -hundredths, max: hundredths }).map((count) => count / 100), weight: 4 },
    { arbitrary: any, weight: 1 },
  );
}

/**
 * Random case documents for fuzzing another implementation, within the same constraints and
 * from the same distributions as {@link caseDocument}, drawn so that a failure shrinks well.
 *
 * {@link caseDocument} draws the shape first and then numbers for that shape, and fast-check
 * cannot make a network smaller without drawing all its numbers afresh, which a failure that
 * depends on them may not survive: a shrunk case can keep seven units it does not need. Here
 * every number is drawn for the largest shape the constraints allow, and the case takes the
 * block its drawn shape needs: `weights[l-1]` the top-left $n_l \times n_{l-1}$ block of a
 * largest matrix, `inputs` and `targets` the first $B$ rows and the columns they need. The
 * fields shrink in the order of importance to a reader, each keeping the numbers of the rest:
 * fewer layers, then fewer units, then fewer samples, then the activations (towards the first
 * listed), then simpler numbers (towards 0).
 *
 * The numbers are mostly short decimals (hundredths: $0.37$, $-1.2$), which a reader can follow
 * by hand and which shrink to shorter ones, and sometimes any float64 in the same range, as
 * {@link caseDocument} draws them all. fast-check draws a float64 from a range about evenly over
 * its bit patterns, so most of those are tiny ($10^{-200}$): where every weight is tiny, a wrong
 * gradient can differ from the right one by less than the absolute tolerance and pass.
 *
 * @param constraints - bounds on depth, width, batch, activations, biases and the learning rate
 */
export function fuzzCaseDocument(constraints: CaseConstraints = {}): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 4 };
  const width = constraints.width ?? { min: 1, max: 8 };
  const batch = constraints.batch ?? { min: 1, max: 5 };
  const outputs = constraints.outputs ?? outputPairs;
  const largest = { layers: depth.max, units: width.max, samples: batch.max };
  return fc
    .record({
      layers: fc.integer(depth),
      sizes: fc.array(fc.integer(width), { minLength: largest.layers + 1, maxLength: largest.layers + 1 }),
      samples: fc.integer(batch),
      hidden: fc.array(fc.constantFrom(...(constraints.hidden ?? hiddenActivations)), {
        minLength: largest.layers,
        maxLength: largest.layers,
      }),
      output: fc.constantFrom(...outputs),
      biases: constraints.biases === undefined ? fc.boolean() : fc.constant(constraints.biases),
      weights: fc.array(matrix(largest.units, largest.units, mostlyDecimal(1.5, representable(-1.5, 1.5))), {
        minLength: largest.layers,
        maxLength: largest.layers,
      }),
      biasValues: fc.array(row(largest.units, mostlyDecimal(1.5, representable(-1.5, 1.5))), {
        minLength: largest.layers,
        maxLength: largest.layers,
      }),
      inputs: matrix(largest.samples, largest.units, mostlyDecimal(2, input)),
      squaredErrorTargets: matrix(largest.samples, largest.units, mostlyDecimal(1, fc.double({ min: -1, max: 1, noNaN: true }))),
      probabilityTargets: matrix(largest.samples, largest.units, crossEntropyTarget(representable)),
      hotUnits: fc.array(fc.nat({ max: largest.units - 1 }), { minLength: largest.samples, maxLength: largest.samples }),
      oneHot: fc.boolean(),
      learningRate: constraints.learningRate ?? representable(0, 1),
    })
    .map((drawn): CaseDocument => {
      const L = drawn.layers;
      const sizes = drawn.sizes.slice(0, L + 1);
      const [outputActivation, loss] = drawn.output;
      const nL = sizes[L]!;
      const block = (rows: readonly (readonly number[])[], height: number, columns: number): number[][] =>
        rows.slice(0, height).map((entries) => entries.slice(0, columns));
      const targets =
        loss === "squared_error"
          ? block(drawn.squaredErrorTargets, drawn.samples, nL)
          : loss === "cross_entropy" && drawn.oneHot
            ? drawn.hotUnits.slice(0, drawn.samples).map((hot) => Array.from({ length: nL }, (_, k) => (k === hot % nL ? 1 : 0)))
            : block(drawn.probabilityTargets, drawn.samples, nL);
      return {
        format: caseFormat,
        sizes,
        activations: [...drawn.hidden.slice(0, L - 1), outputActivation],
        loss,
        weights: sizes.slice(1).map((units, index) => block(drawn.weights[index]!, units, sizes[index]!)),
        biases: drawn.biases ? sizes.slice(1).map((units, index) => drawn.biasValues[index]!.slice(0, units)) : null,
        inputs: block(drawn.inputs, drawn.samples, sizes[0]!),
        targets,
        learningRate: drawn.learningRate,
      };
    })
    .filter((document) => withinCaseBounds(document, constraints.awayFromKinks !== false));
}

/**
 * Random cases with preactivations exactly at a kink: `relu` and `leaky_relu` networks of
 * small integer weights ($-2$ to $2$), biases ($-1$ to $1$) and inputs ($-1$ to $1$), so that
 * every preactivation of the first layer is an integer and many are $0$; every case kept has at
 * least one preactivation at exactly $0$. Only the first weight layer is `relu` or
 * `leaky_relu`: with one layer it is the output, with squared error; with more, the layers after
 * it are `tanh` and the output `identity` with squared error or softmax with cross-entropy. So
 * the units at their kinks are all in one layer, and the interval of every gradient entry is
 * exactly the one between its values with the left and the right slope (see
 * `oracles/kink-conventions`).
 *
 * @param constraints - the depth (default 1 to 3), width (1 to 4) and batch (1 to 4)
 */
export function kinkCaseDocument(
  constraints: Pick<CaseConstraints, "depth" | "width" | "batch" | "biases"> = {},
): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 3 };
  const width = constraints.width ?? { min: 1, max: 4 };
  const batch = constraints.batch ?? { min: 1, max: 4 };
  const kinked = fc.constantFrom<ElementwiseActivationName>("relu", "leaky_relu");
  const integers = (limit: number) => fc.integer({ min: -limit, max: limit });
  return fc
    .record({
      sizes: fc.integer(depth).chain((layers) => fc.array(fc.integer(width), { minLength: layers + 1, maxLength: layers + 1 })),
      first: kinked,
      output: fc.constantFrom<readonly [ActivationName, LossName]>(["identity", "squared_error"], ["softmax", "cross_entropy"]),
      biases: constraints.biases === undefined ? fc.boolean() : fc.constant(constraints.biases),
      samples: fc.integer(batch),
    })
    .chain(({ sizes, first, output, biases, samples }) => {
      const L = sizes.length - 1;
      const [outputActivation, loss] = L === 1 ? ([first, "squared_error"] as const) : output;
      const activations: ActivationName[] =
        L === 1 ? [first] : [first, ...Array.from({ length: L - 2 }, () => "tanh" as const), outputActivation];
      return fc.record({
        format: fc.constant(caseFormat),
        sizes: fc.constant(sizes),
        activations: fc.constant(activations),
        loss: fc.constant(loss),
        weights: fc.tuple(...sizes.slice(1).map((units, index) => matrix(units, sizes[index]!, integers(2)))),
        biases: biases ? fc.tuple(...sizes.slice(1).map((units) => row(units, integers(1)))) : fc.constant(null),
        inputs: matrix(samples, sizes[0]!, integers(1)),
        targets: targetsFor(loss, samples, sizes[L]!, uniformly),
        learningRate: uniformly(0, 1),
      });
    })
    .filter((document) => {
      const problem = parseCase(document);
      return kinkDistance(problem.network, problem.inputs) === 0 && largestHiddenOutput(problem) <= hiddenOutputBound;
    });
}
