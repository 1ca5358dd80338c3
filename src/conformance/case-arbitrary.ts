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
 * How the numbers are spread, and the constraint `uniform` that draws them evenly, is
 * {@link conformance/case-numbers | case-numbers}' to say. The cases that aim at saturation,
 * those for fuzzing other implementations and those exactly at a kink have arbitraries of their
 * own: {@link conformance/saturating-case-arbitrary | saturating-case-arbitrary},
 * {@link conformance/fuzz-case-arbitrary | fuzz-case-arbitrary} and
 * {@link conformance/kink-case-arbitrary | kink-case-arbitrary}.
 *
 * @module
 */
import fc from "fast-check";
import { forward } from "../model/forward.js";
import type { ActivationName, ElementwiseActivationName } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import { kinkDistance, kinkMargin } from "../oracles/kinks.js";
import { caseFormat2, parseCase, type CaseDocument, type Problem } from "./case-format.js";
import { type CaseEntries, caseOfShape, matrix, representable, row, targetsFor, uniformly } from "./case-numbers.js";
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
   * its interval. Default `false`: fast-check's doubles, most of them tiny (see {@link conformance/case-numbers | case-numbers}).
   */
  readonly uniform?: boolean;
  /** Where the learning rate $\eta$ is drawn from. Default any number in $[0, 1]$, drawn as the other numbers are. */
  readonly learningRate?: fc.Arbitrary<number>;
  /**
   * Where the weight decay $\lambda'$ is drawn from: given, every case is a `backprop-ref/case@2`
   * document with that `weightDecay` (see {@link withWeightDecay}). Left out, every case is a
   * `backprop-ref/case@1` document, without weight decay. {@link caseDocument} reads it; the fuzzer's
   * cases ({@link conformance/fuzz-case-arbitrary!fuzzCaseDocument | fuzzCaseDocument}) are `case@1` documents always, the protocol's format.
   */
  readonly weightDecay?: fc.Arbitrary<number>;
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
