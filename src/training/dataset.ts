/**
 * What a dataset is, here: labelled samples one per column, scaled inputs and the scaling
 * that made them, a split into the samples to train on and those held out, and the check
 * every dataset passes before training or measuring touches it.
 *
 * The datasets themselves are in {@link training/data | data} (XOR, Iris, and the loading of
 * each by name) and {@link training/mnist | mnist} (the digits of the standard split).
 *
 * @module
 */
import { describeValue, NumericError, ShapeError, ValueError } from "../numeric/errors.js";
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
  /**
   * Samples held out of the training set by {@link training/data!holdOutValidation | holdOutValidation}, if any: training then
   * measures them after each epoch and touches the test set only once, after the last.
   */
  readonly validation?: Dataset;
  /** The scaling applied to the raw features of both sets, to apply again to new inputs. */
  readonly scaling: InputScaling;
  /** How the split was made, in words. */
  readonly description: string;
}

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
