/**
 * The space of cases that `fuzz` draws from: which activations, losses and biases an
 * implementation supports, how deep, wide and large a batch it should be given, and which
 * learning rates. An implementation that knows only sigmoid and squared error, without biases,
 * says so and is fuzzed only there.
 *
 * The cases themselves are those of {@link conformance/fuzz-case-arbitrary!fuzzCaseDocument | fuzzCaseDocument}: weights in
 * $[-1.5, 1.5]$, inputs in $[-2, 2]$, targets that suit the loss, away from the kinks of `relu`
 * and `leaky_relu`; fast-check shrinks a failing one towards fewer layers, fewer units, a
 * smaller batch and simpler numbers.
 *
 * @module
 */
import fc from "fast-check";
import { activationNames, type ActivationName, type ElementwiseActivationName } from "../model/activations.js";
import { lossNames, type LossName } from "../model/losses.js";
import { describeValue, ValueError } from "../numeric/errors.js";
import { hiddenActivations, outputPairs } from "./case-arbitrary.js";
import { fuzzCaseDocument } from "./fuzz-case-arbitrary.js";
import type { CaseDocument } from "./case-format.js";
import type { ResultQuantity } from "./verify.js";

/** Whether the cases have biases: always, never, or either. */
export type BiasChoice = "yes" | "no" | "both";

/** What an implementation supports; every field is optional, and the defaults cover everything the case format allows. */
export interface FuzzSpace {
  /** The activations it implements, hidden and output alike. Default all of them. */
  readonly activations?: readonly ActivationName[] | undefined;
  /** The losses it implements. Default all of them. */
  readonly losses?: readonly LossName[] | undefined;
  /** Biases always, never, or either. Default either. */
  readonly biases?: BiasChoice | undefined;
  /** The most weight layers $L$ a case has. Default 4. */
  readonly maxDepth?: number | undefined;
  /** The most units a layer has. Default 8. */
  readonly maxWidth?: number | undefined;
  /** The most samples a batch has. Default 5. */
  readonly maxBatch?: number | undefined;
  /**
   * The learning rates to use, or `null` to draw them: any $\eta \in [0, 1]$ when the gradients
   * are judged, $\eta \in [2^{-6}, 1]$ when they are judged only through `deltaWeights` or
   * `updated`, where a learning rate of 0 would hide every gradient. Default `null`.
   */
  readonly learningRates?: readonly number[] | null | undefined;
}

/** The largest `maxDepth`, `maxWidth` and `maxBatch` allowed: beyond these a case is no longer small enough to read. */
export const spaceLimits = {
  /** The most weight layers. */
  maxDepth: 16,
  /** The most units in a layer. */
  maxWidth: 64,
  /** The most samples in a batch. */
  maxBatch: 64,
} as const;

/**
 * How a message names a field of the space: as the field itself by default, or as the command
 * line's option for it (`--max-depth` for `maxDepth`), so that each caller's user reads the name
 * they typed.
 */
export type FieldName = (field: string) => string;

/** The field as it is spelt in a {@link FuzzSpace}. */
const asField: FieldName = (field) => field;

/** A {@link FuzzSpace} with every field filled in and checked. */
export interface ResolvedSpace {
  /** The activations, in the library's order. */
  readonly activations: readonly ActivationName[];
  /** The losses, in the library's order. */
  readonly losses: readonly LossName[];
  /** Biases always, never, or either. */
  readonly biases: BiasChoice;
  /** The most weight layers. */
  readonly maxDepth: number;
  /** The most units a layer has. */
  readonly maxWidth: number;
  /** The most samples a batch has. */
  readonly maxBatch: number;
  /** The learning rates, or `null` to draw them. */
  readonly learningRates: readonly number[] | null;
}

/**
 * Fills in a space's defaults and checks it: known names, bounds that are whole numbers within
 * {@link spaceLimits}, learning rates that are finite and $\ge 0$, and a space that holds at
 * least one network (an output activation that some listed loss accepts, and a hidden
 * activation when networks may have more than one layer).
 *
 * @param space - what the implementation supports
 * @param named - how messages name the fields (default: as in {@link FuzzSpace})
 * @throws {@link numeric/errors!ValueError | ValueError} naming the field, what it expects and what it got
 */
export function resolveSpace(space: FuzzSpace = {}, named: FieldName = asField): ResolvedSpace {
  const activations = chosen(named("activations"), space.activations, activationNames);
  const losses = chosen(named("losses"), space.losses, lossNames);
  const biases = space.biases ?? "both";
  if (!["yes", "no", "both"].includes(biases)) {
    throw new ValueError(`${named("biases")} must be yes, no or both, got ${describeValue(biases)}`);
  }
  const resolved: ResolvedSpace = {
    activations,
    losses,
    biases,
    maxDepth: bound(named("maxDepth"), spaceLimits.maxDepth, space.maxDepth, 4),
    maxWidth: bound(named("maxWidth"), spaceLimits.maxWidth, space.maxWidth, 8),
    maxBatch: bound(named("maxBatch"), spaceLimits.maxBatch, space.maxBatch, 5),
    learningRates: learningRates(named("learningRates"), space.learningRates ?? null),
  };
  if (spaceOutputs(resolved).length === 0) {
    throw new ValueError(
      `no output layer can be made from the ${named("activations")} ${activations.join(", ")} and the ${named("losses")} ${losses.join(", ")}: ` +
        "squared_error takes any output activation, cross_entropy needs softmax and binary_cross_entropy needs sigmoid",
    );
  }
  if (resolved.maxDepth > 1 && spaceHidden(resolved).length === 0) {
    throw new ValueError(
      `networks of more than one layer need a hidden activation, and softmax is allowed only last: add one of ` +
        `${hiddenActivations.join(", ")} to the ${named("activations")}, or set ${named("maxDepth")} to 1 (got ${named("activations")} ${activations.join(", ")})`,
    );
  }
  return resolved;
}

/**
 * The case documents of a space, for an implementation judged on the given quantities.
 *
 * @param space - a space from {@link resolveSpace}
 * @param quantities - what the implementation returns; without `gradients`, learning rates are kept away from 0
 */
export function spaceCases(space: ResolvedSpace, quantities: readonly ResultQuantity[]): fc.Arbitrary<CaseDocument> {
  const judgedThroughTheStep = !quantities.includes("gradients");
  const smallest = judgedThroughTheStep ? 2 ** -6 : 0;
  // Mostly hundredths, as the other numbers of a fuzz case (see fuzzCaseDocument), so that a shrunk case reads by hand.
  const learningRate =
    space.learningRates !== null
      ? fc.constantFrom(...space.learningRates)
      : fc.oneof(
          { arbitrary: fc.integer({ min: Math.ceil(smallest * 100), max: 100 }).map((count) => count / 100), weight: 4 },
          { arbitrary: fc.double({ min: smallest, max: 1, noNaN: true }), weight: 1 },
        );
  return fuzzCaseDocument({
    depth: { min: 1, max: space.maxDepth },
    width: { min: 1, max: space.maxWidth },
    batch: { min: 1, max: space.maxBatch },
    // A space without hidden activations has maxDepth 1 (resolveSpace sees to it), so no case
    // draws from this list; the arbitrary still needs one to draw from.
    hidden: spaceHidden(space).length > 0 ? spaceHidden(space) : ["identity"],
    outputs: spaceOutputs(space),
    ...(space.biases === "both" ? {} : { biases: space.biases === "yes" }),
    learningRate,
  });
}

/** The hidden activations of a space. */
function spaceHidden(space: ResolvedSpace): ElementwiseActivationName[] {
  return hiddenActivations.filter((name) => space.activations.includes(name));
}

/** The pairs of output activation and loss of a space. */
function spaceOutputs(space: ResolvedSpace): (readonly [ActivationName, LossName])[] {
  return outputPairs.filter(([activation, loss]) => space.activations.includes(activation) && space.losses.includes(loss));
}

/** The listed names in the library's order, checked against the known ones. */
function chosen<Name extends string>(field: string, given: readonly string[] | undefined, known: readonly Name[]): Name[] {
  if (given === undefined) return [...known];
  const names: readonly string[] = given;
  if (!isList(names) || names.length === 0) {
    throw new ValueError(`${field} must be a non-empty list of ${known.join(", ")}, got ${describeValue(given)}`);
  }
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new ValueError(`${field} must be among ${known.join(", ")}, got ${describeValue(name)}`);
    }
  }
  return known.filter((name) => names.includes(name));
}

/** A bound on depth, width or batch: a whole number from 1 to its limit in {@link spaceLimits}. */
function bound(field: string, limit: number, given: number | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  if (!Number.isInteger(given) || given < 1 || given > limit) {
    throw new ValueError(`${field} must be a whole number from 1 to ${limit}, got ${describeValue(given)}`);
  }
  return given;
}

/** The learning rates, each finite and $\ge 0$, or `null`. */
function learningRates(field: string, given: readonly number[] | null): readonly number[] | null {
  if (given === null) return null;
  const rates: readonly number[] = given;
  if (!isList(rates) || rates.length === 0) {
    throw new ValueError(`${field} must be a non-empty list of numbers, got ${describeValue(given)}`);
  }
  rates.forEach((rate, index) => {
    if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) {
      throw new ValueError(`${field}[${index}] must be a finite number >= 0, got ${describeValue(rate)}`);
    }
  });
  return [...rates];
}

/** Whether a value is an array, for callers from JavaScript; a plain boolean, so that the value keeps its declared type. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}
