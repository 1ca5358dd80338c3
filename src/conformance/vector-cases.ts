/**
 * The cases of the vector files, shared by the generators of the first-order files
 * ({@link conformance/vectors | vectors}) and of the second-order ones
 * ({@link conformance/hvp-vectors | hvp-vectors}): the families of networks, and random and
 * saturated cases of a family drawn from a seeded stream, every number rounded to four decimals
 * so that a case reads the same in every language.
 *
 * Each function draws from the stream it is given in a fixed order, so that a generator that
 * calls them in a fixed order writes the same files every time.
 *
 * @module
 */
import { type ActivationName, type ElementwiseActivationName, elementwiseActivations } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import type { Random } from "../numeric/random.js";
import { kinkDistance, kinkMargin } from "../oracles/kinks.js";
import { type CaseDocument, caseFormat, parseCase } from "./case-format.js";

/** A family of networks: one output activation and loss, hidden activations, biases on or off. */
export interface VectorFamily {
  /** The file name without `.json`, e.g. `sigmoid-squared_error-biases`. */
  readonly name: string;
  /** The output activation $f_L$. */
  readonly output: ActivationName;
  /** The loss. */
  readonly loss: LossName;
  /** The hidden activations, used in turn from the first hidden layer on. */
  readonly hidden: readonly ElementwiseActivationName[];
  /** Whether the networks have biases. */
  readonly biases: boolean;
}

const elementwiseNames = Object.keys(elementwiseActivations) as ElementwiseActivationName[];

/** Every family: each element-wise activation with squared error, softmax with squared error and cross-entropy, sigmoid with binary cross-entropy; each with and without biases. */
export const vectorFamilies: readonly VectorFamily[] = (
  [
    ...elementwiseNames.map((activation) => ({ output: activation, loss: "squared_error", hidden: [activation] }) as const),
    { output: "softmax", loss: "squared_error", hidden: ["sigmoid", "tanh", "softplus"] },
    { output: "softmax", loss: "cross_entropy", hidden: ["sigmoid", "tanh", "softplus"] },
    { output: "sigmoid", loss: "binary_cross_entropy", hidden: ["sigmoid"] },
  ] satisfies readonly Omit<VectorFamily, "name" | "biases">[]
).flatMap((family) =>
  [true, false].map((biases) => ({ ...family, biases, name: `${family.output}-${family.loss}-${biases ? "biases" : "no-biases"}` })),
);

/**
 * A network of a family in words, for a test's comment: `depth 2 network with sigmoid output and squared_error`.
 *
 * @param family - the family
 * @param depth - the number of weight layers $L$
 */
export function describeShape(family: VectorFamily, depth: number): string {
  return `depth ${depth} network with ${family.output} output and ${family.loss}`;
}

/**
 * The activations $f_1, \dots, f_L$ of a family's network of depth $L$: the hidden ones in
 * turn from the first layer on, the output one last.
 *
 * @param family - the family
 * @param depth - the number of weight layers $L$
 */
export function activationsOf(family: VectorFamily, depth: number): ActivationName[] {
  return Array.from({ length: depth }, (_, index) => (index === depth - 1 ? family.output : family.hidden[index % family.hidden.length]!));
}

/**
 * A number drawn uniformly from $[low, high]$, rounded to four decimals so that it reads the same in every language.
 *
 * @param random - the stream to draw from
 * @param low - the least value
 * @param high - the greatest value
 */
export function draw(random: Random, low: number, high: number): number {
  return Math.round((low + (high - low) * random.uniform()) * 1e4) / 1e4;
}

/**
 * A matrix of numbers drawn by {@link draw}, row by row.
 *
 * @param random - the stream to draw from
 * @param rows - the number of rows
 * @param columns - the number of columns
 * @param low - the least value
 * @param high - the greatest value
 */
export function drawMatrix(random: Random, rows: number, columns: number, low: number, high: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: columns }, () => draw(random, low, high)));
}

/**
 * Targets suited to a loss, one row per sample: in $[-1, 1]$ for squared error, in $[0, 1]$ for
 * binary cross-entropy, one-hot rows for cross-entropy.
 *
 * @param random - the stream to draw from
 * @param loss - the loss
 * @param samples - the batch size $B$
 * @param units - the number of outputs $n_L$
 */
export function drawTargets(random: Random, loss: LossName, samples: number, units: number): number[][] {
  switch (loss) {
    case "squared_error":
      return drawMatrix(random, samples, units, -1, 1);
    case "binary_cross_entropy":
      return drawMatrix(random, samples, units, 0, 1);
    case "cross_entropy":
      return Array.from({ length: samples }, () => {
        const hot = Math.min(units - 1, Math.floor(random.uniform() * units));
        return Array.from({ length: units }, (_, k) => (k === hot ? 1 : 0));
      });
  }
}

/** A case's fields but its `format` and `id`, which a generator adds as it numbers its tests. */
export type CaseFields = Omit<CaseDocument, "format" | "id">;

/**
 * A random case of a family (flag `Random`): widths 1 to 4 (at least 2 outputs for softmax),
 * weights and biases in $[-1.5, 1.5]$, inputs in $[-2, 2]$, targets as {@link drawTargets}
 * draws them, a learning rate in $[0.05, 1]$; drawn again until every `relu` or `leaky_relu`
 * preactivation is clear of its kink ({@link clearOfKinks}).
 *
 * @param family - the family
 * @param depth - the number of weight layers $L$
 * @param batch - the batch size $B$
 * @param random - the stream to draw from
 * @param sizes - the layer sizes, when they are not to be drawn
 */
export function randomCase(family: VectorFamily, depth: number, batch: number, random: Random, sizes?: number[]): CaseFields {
  for (;;) {
    const layerSizes = sizes ?? Array.from({ length: depth + 1 }, () => 1 + Math.floor(random.uniform() * 4));
    if (family.output === "softmax" && sizes === undefined) layerSizes[depth] = Math.max(2, layerSizes[depth]!);
    const document: CaseFields = {
      sizes: layerSizes,
      activations: activationsOf(family, depth),
      loss: family.loss,
      weights: layerSizes.slice(1).map((units, index) => drawMatrix(random, units, layerSizes[index]!, -1.5, 1.5)),
      biases: family.biases ? layerSizes.slice(1).map((units) => drawMatrix(random, 1, units, -1.5, 1.5)[0]!) : null,
      inputs: drawMatrix(random, batch, layerSizes[0]!, -2, 2),
      targets: drawTargets(random, family.loss, batch, layerSizes[depth]!),
      learningRate: draw(random, 0.05, 1),
    };
    if (clearOfKinks(document)) return document;
  }
}

/**
 * Whether every `relu` or `leaky_relu` preactivation is further than the kink margin from 0, where their derivative is a convention.
 *
 * @param document - the case's fields
 */
export function clearOfKinks(document: CaseFields): boolean {
  const problem = parseCase({ format: caseFormat, ...document });
  return kinkDistance(problem.network, problem.inputs) > kinkMargin;
}

/** A case a generator writes as a test, with the test's comment and flags. */
export interface EdgeCase {
  /** What the test is about, in words. */
  readonly comment: string;
  /** The test's flags, each explained in the file's `notes`. */
  readonly flags: string[];
  /** The case's fields. */
  readonly document: CaseFields;
}

/** The activations whose units saturate, for which {@link saturatedCases} writes tests. */
export const saturatingActivations: readonly ActivationName[] = ["sigmoid", "tanh", "softplus", "softmax"];

/**
 * The saturated tests of a family (flag `SaturatedUnits`), in the deepest group: two cases whose
 * weights have magnitudes 10 to 40, one with the targets at the asymptotes of the outputs
 * (0 and 1, $\pm 1$ for tanh, one-hot rows), one with soft targets. Families with no unit that
 * saturates (`relu`, `leaky_relu`, `identity`) have none.
 *
 * @param family - the family
 * @param depth - the number of weight layers $L$
 * @param random - the stream to draw from (one of the generator's own, so that the other tests keep their cases)
 */
export function saturatedCases(family: VectorFamily, depth: number, random: Random): EdgeCase[] {
  const activations = activationsOf(family, depth);
  if (!activations.some((activation) => saturatingActivations.includes(activation))) return [];
  const largeWeight = (): number => (random.uniform() < 0.5 ? -1 : 1) * draw(random, 10, 40);
  const saturatedCase = (batch: number, atAsymptotes: boolean): CaseFields => {
    const sizes = Array.from({ length: depth + 1 }, () => 1 + Math.floor(random.uniform() * 3));
    if (family.output === "softmax") sizes[depth] = Math.max(2, sizes[depth]!);
    const units = sizes[depth]!;
    const asymptotes = family.output === "tanh" ? [-1, 1] : [0, 1];
    const targets = atAsymptotes
      ? Array.from({ length: batch }, () => {
          if (family.output === "softmax") {
            const hot = Math.min(units - 1, Math.floor(random.uniform() * units));
            return Array.from({ length: units }, (_, k) => (k === hot ? 1 : 0));
          }
          return Array.from({ length: units }, () => (family.output === "softplus" ? 0 : asymptotes[random.uniform() < 0.5 ? 0 : 1]!));
        })
      : drawTargets(random, family.loss, batch, units);
    return {
      sizes,
      activations,
      loss: family.loss,
      weights: sizes.slice(1).map((rows, index) => Array.from({ length: rows }, () => Array.from({ length: sizes[index]! }, largeWeight))),
      biases: family.biases ? sizes.slice(1).map((rows) => Array.from({ length: rows }, () => draw(random, -40, 40))) : null,
      inputs: Array.from({ length: batch }, () =>
        Array.from({ length: sizes[0]! }, () => (random.uniform() < 0.5 ? (random.uniform() < 0.5 ? -1 : 1) : draw(random, -2, 2))),
      ),
      targets,
      learningRate: draw(random, 0.05, 1),
    };
  };
  return [
    {
      comment: "units driven into their tails by weights of 10 to 40, targets at the asymptotes",
      flags: ["SaturatedUnits"],
      document: saturatedCase(2, true),
    },
    {
      comment: "units driven into their tails by weights of 10 to 40, soft targets",
      flags: ["SaturatedUnits"],
      document: saturatedCase(3, false),
    },
  ];
}
