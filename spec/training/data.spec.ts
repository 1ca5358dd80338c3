import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import {
  classTargets,
  firstSamples,
  lastSamples,
  loadDataset,
  predictedClass,
  samplesAsColumns,
  targetLevels,
  trainingSetSizes,
} from "../../src/training/data.js";
import { datasetNames, validateDataset } from "../../src/training/dataset.js";
import { mnistSizes } from "../../src/training/mnist.js";
import { NumericError, ShapeError, ValueError } from "../../src/numeric/errors.js";
import { matrixFromRows, matrixToRows } from "../../src/numeric/tensor.js";

describe("the datasets", () => {
  it("each has the training set's size the command line checks --train-size and --validation against", () => {
    for (const name of datasetNames.filter((name) => name !== "mnist")) {
      expect(loadDataset(name).train.labels.length, name).toBe(trainingSetSizes[name]);
    }
    expect(trainingSetSizes.mnist).toBe(mnistSizes.train); // the MNIST loader refuses any other number, tested above
  });

  it("the first and the last N samples are views of the inputs, in order", () => {
    const data = samplesAsColumns([[1], [2], [3], [4]], [0, 1, 0, 1], ["a", "b"]);
    expect(matrixToRows(firstSamples(data, 3).inputs)).toStrictEqual([[1, 2, 3]]);
    expect(matrixToRows(lastSamples(data, 3).inputs)).toStrictEqual([[2, 3, 4]]);
    expect(lastSamples(data, 3).labels).toStrictEqual([1, 0, 1]);
    expect(lastSamples(data, 4).inputs.data).toBe(data.inputs.data);
    expect(() => lastSamples(data, 5)).toThrow(new ValueError("the number of samples must be an integer from 1 to 4, got 5"));
    expect(() => lastSamples(data, 0)).toThrow(/from 1 to 4, got 0/);
  });

  it("Iris: a stratified split of 40 and 10 per species, features in [0.01, 1] on the training set", () => {
    const iris = loadDataset("iris");
    expect(iris.train.labels.length).toBe(120);
    expect(iris.test.labels.length).toBe(30);
    for (let label = 0; label < 3; label++) expect(iris.test.labels.filter((value) => value === label).length).toBe(10);
    const rows = matrixToRows(iris.train.inputs);
    for (const row of rows) {
      expect(Math.min(...row)).toBeCloseTo(0.01, 12);
      expect(Math.max(...row)).toBeCloseTo(1, 12);
    }
  });

  it("XOR: four points, class 1 when exactly one input is 1", () => {
    const xor = loadDataset("xor");
    expect(matrixToRows(xor.train.inputs)).toStrictEqual([
      [0, 0, 1, 1],
      [0, 1, 0, 1],
    ]);
    expect(xor.train.labels).toStrictEqual([0, 1, 1, 0]);
  });

  it("refuses an unknown dataset name, naming the known ones", () => {
    expect(() => loadDataset("cifar")).toThrow(new ValueError('dataset must be one of mnist, iris, xor, got "cifar"'));
  });

  it("refuses wrong shapes, labels out of range and NaN inputs, naming the sample", () => {
    const good = samplesAsColumns(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      [0, 1],
      ["a", "b"],
    );
    expect(() => validateDataset(good)).not.toThrow();
    expect(() => validateDataset(good, 3)).toThrow(new ShapeError("inputs have 2 features per sample but the network takes 3 (sizes[0])"));
    expect(() => validateDataset({ ...good, labels: [0] })).toThrow(/inputs are 2×2 but there are 1 labels/);
    expect(() => validateDataset({ ...good, labels: [0, 2] })).toThrow(
      new ValueError("labels[1] must be an integer from 0 to 1 (2 classes), got 2"),
    );
    expect(() => validateDataset({ ...good, labels: [0.5, 1] })).toThrow(/labels\[0\] must be an integer/);
    expect(() =>
      validateDataset({
        ...good,
        inputs: matrixFromRows([
          [0.1, NaN],
          [0.3, 0.4],
        ]),
      }),
    ).toThrow(new NumericError("inputs of sample 1, feature 0 must be a finite number, got NaN"));
    expect(() => validateDataset({ ...good, inputs: ndarray(new Float64Array(2), [2]) })).toThrow(/inputs must be a matrix/);
    expect(() => samplesAsColumns([[1, 2], [3]], [0, 1], ["a", "b"])).toThrow(/sample 1 has 1 features but sample 0 has 2/);
    expect(() => firstSamples(good, 3)).toThrow(/from 1 to 2, got 3/);
  });
});

describe("targets and predictions", () => {
  it("the seed's 0.01 and 0.99 for sigmoid with squared error, one-hot 0 and 1 for softmax with cross-entropy", () => {
    const data = samplesAsColumns([[0], [0], [0]], [2, 0, 1], ["a", "b", "c"]);
    const seed = targetLevels({ activations: ["sigmoid", "sigmoid"], loss: "squared_error" });
    expect(seed).toStrictEqual({ low: 0.01, high: 0.99 });
    expect(matrixToRows(classTargets(data, 3, seed))).toStrictEqual([
      [0.01, 0.99, 0.01],
      [0.01, 0.01, 0.99],
      [0.99, 0.01, 0.01],
    ]);
    const oneHot = targetLevels({ activations: ["relu", "softmax"], loss: "cross_entropy" });
    expect(matrixToRows(classTargets(data, 3, oneHot))).toStrictEqual([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(() => classTargets(data, 2, oneHot)).toThrow(/the network has 2 output units but the dataset has 3 classes: use 3 output units/);
  });

  it("the largest output names the class; one output unit splits two classes at the middle of the targets", () => {
    expect(predictedClass(matrixFromRows([[0.1], [0.7], [0.2]]), 0, { low: 0, high: 1 })).toBe(1);
    expect(predictedClass(matrixFromRows([[0.51, 0.49]]), 0, { low: 0.01, high: 0.99 })).toBe(1);
    expect(predictedClass(matrixFromRows([[0.51, 0.49]]), 1, { low: 0.01, high: 0.99 })).toBe(0);
  });
});
