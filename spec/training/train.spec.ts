import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hiddenActivations } from "../../src/conformance/case-arbitrary.js";
import { forward } from "../../src/model/forward.js";
import { trainingStep } from "../../src/model/backprop.js";
import { initializeNetwork, networkToArrays, type Network, type NetworkSpec } from "../../src/model/network.js";
import { NumericError, ValueError } from "../../src/numeric/errors.js";
import { seededRandom } from "../../src/numeric/random.js";
import { copyMatrix, type Matrix, matrixFromRows, matrixToRows } from "../../src/numeric/tensor.js";
import {
  classTargets,
  firstSamples,
  loadDataset,
  predictedClass,
  samplesAsColumns,
  shuffle,
  targetLevels,
} from "../../src/training/data.js";
import type { Dataset } from "../../src/training/dataset.js";
import { accuracy, type EpochRecord, train } from "../../src/training/train.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { expectSameBits, sampleOf, valuesOf } from "../support/parameters.js";

/** Every entry of a list of matrices, as plain numbers. */
const entries = (matrices: readonly Matrix[]): number[] => valuesOf({ weights: matrices, biases: null });

const xorSpec: NetworkSpec = { sizes: [2, 2, 1], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: true };
const withoutTime = (history: readonly EpochRecord[]) => history.map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest);

describe("training", () => {
  it("learns XOR to 100 % with the seed's update, one sample at a time", () => {
    const xor = loadDataset("xor");
    const result = train(initializeNetwork(xorSpec, { seed: 1 }), xor, { epochs: 1000, learningRate: 0.5, seed: 1 });
    const last = result.history[result.history.length - 1]!;
    expect(last.trainAccuracy).toBe(1);
    expect(last.loss).toBeLessThan(0.01);
    expect(result.history[0]!.loss).toBeGreaterThan(last.loss);
  });

  it("the same seed gives bit-identical weights and history (but for the clock), another seed others", () => {
    const xor = loadDataset("xor");
    const run = (seed: number) =>
      train(initializeNetwork(xorSpec, { seed }), xor, { epochs: 50, learningRate: 0.5, batchSize: 3, momentum: 0.5, seed });
    const [first, again, other] = [run(3), run(3), run(4)];
    expectSameBits(valuesOf(again.network), valuesOf(first.network), "weights");
    expect(withoutTime(again.history)).toStrictEqual(withoutTime(first.history));
    expect(valuesOf(other.network)).not.toStrictEqual(valuesOf(first.network));
  });

  it("leaves the starting network unchanged", () => {
    const xor = loadDataset("xor");
    const start = initializeNetwork(xorSpec, { seed: 1 });
    const before = valuesOf(start);
    train(start, xor, { epochs: 5, learningRate: 0.5 });
    expectSameBits(valuesOf(start), before, "starting weights");
  });

  it("with weight decay λ, every step's coefficient is λ/n: one epoch of XOR in one batch of its 4 samples is trainingStep with λ/4 on them, bit for bit", () => {
    const xor = loadDataset("xor");
    const start = initializeNetwork(xorSpec, { seed: 2 });
    const [lambda, eta, seed] = [0.8, 0.5, 5];
    const result = train(start, xor, { epochs: 1, learningRate: eta, batchSize: 4, seed, weightDecay: lambda });
    // The epoch's one batch: the 4 samples in the order of the epoch's shuffle.
    const order = Int32Array.from({ length: 4 }, (_, index) => index);
    shuffle(order, seededRandom(seed));
    const columns = (matrix: Matrix): Matrix => matrixFromRows(matrixToRows(matrix).map((row) => [...order].map((b) => row[b]!)));
    const targets = classTargets(xor.train, 1, targetLevels(xorSpec));
    const step = trainingStep(start, columns(xor.train.inputs), columns(targets), eta, undefined, lambda / 4);
    expectSameBits(valuesOf(result.network), valuesOf(step.updated), "weights after the epoch");
    expectSameBits([result.history[0]!.loss], [step.loss], "the epoch's loss, with the penalty");
    const plain = train(start, xor, { epochs: 1, learningRate: eta, batchSize: 4, seed });
    expect(valuesOf(plain.network)).not.toStrictEqual(valuesOf(result.network));
    expectSameBits(
      valuesOf(train(start, xor, { epochs: 1, learningRate: eta, batchSize: 4, seed, weightDecay: 0 }).network),
      valuesOf(plain.network),
      "λ = 0",
    );
  });

  it("with a learning-rate decay γ, epoch e steps with η γ^(e-1): two epochs of XOR in one batch each are trainingStep at η, then at η γ, bit for bit", () => {
    const xor = loadDataset("xor");
    const start = initializeNetwork(xorSpec, { seed: 2 });
    const [eta, gamma, seed] = [0.5, 0.25, 7];
    const result = train(start, xor, { epochs: 2, learningRate: eta, learningRateDecay: gamma, batchSize: 4, seed });
    // The two epochs' batches: the 4 samples in the order of each epoch's shuffle, from one
    // stream, each epoch shuffling the order the one before left.
    const random = seededRandom(seed);
    const order = Int32Array.from({ length: 4 }, (_, index) => index);
    const targets = classTargets(xor.train, 1, targetLevels(xorSpec));
    let network = start;
    for (const rate of [eta, eta * gamma]) {
      shuffle(order, random);
      const columns = (matrix: Matrix): Matrix => matrixFromRows(matrixToRows(matrix).map((row) => [...order].map((b) => row[b]!)));
      network = trainingStep(network, columns(xor.train.inputs), columns(targets), rate).updated;
    }
    expectSameBits(valuesOf(result.network), valuesOf(network), "weights after two epochs");
    expect(result.history.map((record) => record.learningRate)).toStrictEqual([0.5, 0.125]);
    // The negative control: without the decay, the second epoch's step is another.
    const constant = train(start, xor, { epochs: 2, learningRate: eta, batchSize: 4, seed });
    expect(constant.history.map((record) => record.learningRate)).toStrictEqual([0.5, 0.5]);
    expect(valuesOf(constant.network)).not.toStrictEqual(valuesOf(result.network));
  });

  it("learns Iris with mini-batches that do not divide the training set, momentum, and softmax with cross-entropy", () => {
    const iris = loadDataset("iris");
    const spec: NetworkSpec = { sizes: [4, 8, 3], activations: ["tanh", "softmax"], loss: "cross_entropy", biases: true };
    const result = train(initializeNetwork(spec, { seed: 1, scheme: "xavier_uniform" }), iris, {
      epochs: 60,
      learningRate: 0.1,
      batchSize: 7,
      momentum: 0.9,
    });
    expect(result.history[result.history.length - 1]!.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(accuracy(result.network, iris.test)).toBe(result.history[result.history.length - 1]!.testAccuracy);
  });

  it("learns MNIST digits: a 784-32-10 sigmoid network on the first 1,000 training digits for one epoch, exact and intuitive, measured on the first 500 test digits", () => {
    const mnist = loadDataset("mnist");
    const data = { train: firstSamples(mnist.train, 1000), test: firstSamples(mnist.test, 500) };
    const spec: NetworkSpec = { sizes: [784, 32, 10], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: false };
    for (const rule of ["exact", "intuitive"] as const) {
      const { history } = train(initializeNetwork(spec, { seed: 1 }), data, { epochs: 1, learningRate: 0.3, rule });
      expect(history[0]!.testAccuracy, rule).toBeGreaterThan(0.6);
    }
  });

  it("with a validation set, measures it after each epoch and the test set once, after the last", () => {
    const iris = loadDataset("iris");
    const spec: NetworkSpec = { sizes: [4, 8, 3], activations: ["tanh", "softmax"], loss: "cross_entropy", biases: true };
    const network = initializeNetwork(spec, { seed: 1, scheme: "xavier_uniform" });
    // The test set behind a proxy that counts every read of its samples.
    let reads = 0;
    const test = new Proxy(iris.test, {
      get: (target, key, receiver) => {
        if (key === "inputs" || key === "labels") reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const validation = firstSamples(iris.train, 30);
    const readsAtEpoch: number[] = [];
    let readsAtFirstStep = -1;
    const result = train(
      network,
      { train: iris.train, validation, test },
      { epochs: 5, learningRate: 0.1, batchSize: 7 },
      {
        progress: () => (readsAtFirstStep = readsAtFirstStep < 0 ? reads : readsAtFirstStep),
        epoch: () => readsAtEpoch.push(reads),
      },
    );
    expect(readsAtEpoch).toStrictEqual(new Array<number>(5).fill(readsAtFirstStep)); // untouched by the epochs
    expect(reads).toBeGreaterThan(readsAtFirstStep); // and read once they are over
    expect(result.measuredEachEpoch).toBe("validation");
    for (const record of result.history) {
      expect(Object.keys(record)).toStrictEqual([
        "epoch",
        "learningRate",
        "loss",
        "trainAccuracy",
        "validationAccuracy",
        "seconds",
        "samplesPerSecond",
      ]);
    }
    expect(result.history[4]!.validationAccuracy).toBe(accuracy(result.network, validation));
    expect(result.testAccuracy).toBe(accuracy(result.network, iris.test));

    const without = train(network, iris, { epochs: 5, learningRate: 0.1, batchSize: 7 });
    expect(without.measuredEachEpoch).toBe("test");
    expect(Object.keys(without.history[0]!)).toStrictEqual([
      "epoch",
      "learningRate",
      "loss",
      "trainAccuracy",
      "testAccuracy",
      "seconds",
      "samplesPerSecond",
    ]);
    expect(without.testAccuracy).toBe(without.history[4]!.testAccuracy);
    // The same shuffles and steps either way: only what is measured differs.
    expectSameBits(valuesOf(result.network), valuesOf(without.network), "weights");
    expect(() => train(network, { ...iris, validation: loadDataset("xor").train }, { epochs: 1, learningRate: 0.1 })).toThrow(
      /inputs have 2 features per sample but the network takes 4/,
    );
  });

  it("refuses options out of range, data that does not fit the network, and divergence, with messages that name the problem", () => {
    const xor = loadDataset("xor");
    const network = initializeNetwork(xorSpec, { seed: 1 });
    expect(() => train(network, xor, { epochs: 0, learningRate: 0.5 })).toThrow(
      new ValueError("epochs must be an integer from 1 to 100000, got 0"),
    );
    expect(() => train(network, xor, { epochs: 1, learningRate: -1 })).toThrow(
      new ValueError("learningRate must be a finite number ≥ 0, got -1"),
    );
    // The one learning-rate rule of the step, the case format and training: η = 0 is allowed, and leaves the network where it was.
    expect(networkToArrays(train(network, xor, { epochs: 2, learningRate: 0 }).network)).toEqual(networkToArrays(network));
    expect(() => train(network, xor, { epochs: 1, learningRate: 0.5, momentum: 1 })).toThrow(
      /momentum must be a number in \[0, 1\), got 1/,
    );
    for (const decay of [0, 1.5, Number.NaN]) {
      expect(() => train(network, xor, { epochs: 1, learningRate: 0.5, learningRateDecay: decay })).toThrow(
        new ValueError(`learningRateDecay must be a number in (0, 1], got ${decay}`),
      );
    }
    expect(() => train(network, xor, { epochs: 1, learningRate: 0.5, batchSize: 1.5 })).toThrow(
      /batchSize must be a positive integer, got 1.5/,
    );
    expect(() => train(network, xor, { epochs: 1, learningRate: 0.5, rule: "other" as never })).toThrow(
      /rule must be one of exact, intuitive, got "other"/,
    );
    expect(() => train(network, xor, { epochs: 1, learningRate: 0.5, weightDecay: -1 })).toThrow(
      new ValueError("weightDecay must be a finite number ≥ 0, got -1"),
    );
    const iris = loadDataset("iris");
    expect(() => train(network, iris, { epochs: 1, learningRate: 0.5 })).toThrow(
      /inputs have 4 features per sample but the network takes 2/,
    );
    const threeClasses = { ...xor, train: { ...xor.train, classes: ["a", "b", "c"] } };
    expect(() => train(network, threeClasses, { epochs: 1, learningRate: 0.5 })).toThrow(
      /the network has 1 output units but the dataset has 3 classes/,
    );
    const softmax = initializeNetwork({ sizes: [2, 2], activations: ["softmax"], loss: "cross_entropy", biases: true });
    expect(() => train(softmax, xor, { epochs: 1, learningRate: 0.5, rule: "intuitive" })).toThrow(
      /intuitive rule needs element-wise activations/,
    );
    const huge = samplesAsColumns([[1e150, 1e150]], [1], ["0", "1"]);
    expect(() =>
      train(
        initializeNetwork({ ...xorSpec, activations: ["identity", "identity"] }),
        { train: huge, test: huge },
        { epochs: 1, learningRate: 1e10 },
      ),
    ).toThrow(NumericError);
  });
});

describe("accuracy, measured in batches", () => {
  /** Each sample's class from a forward pass of that sample alone: what the batches must reproduce. */
  const alone = (network: Network, dataset: Dataset): number[] =>
    dataset.labels.map((_, b) =>
      predictedClass(forward(network, sampleOf(dataset.inputs, b)).outputs.at(-1)!, 0, targetLevels(network.spec)),
    );

  it("classifies every sample as its own forward pass does, whatever the number of samples (below, at and past a multiple of the batch): with each label set to that class the accuracy is 1, and with one label changed it is (N − 1)/N", () => {
    fc.assert(
      fc.property(
        fc.record({
          inputs: fc.integer({ min: 1, max: 6 }),
          hidden: fc.integer({ min: 1, max: 8 }),
          classes: fc.integer({ min: 2, max: 5 }),
          hiddenActivation: fc.constantFrom(...hiddenActivations),
          softmax: fc.boolean(),
          samples: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(63, 64, 65, 128, 129)),
          seed: fc.nat(1000),
          changed: fc.nat(),
        }),
        ({ inputs, hidden, classes, hiddenActivation, softmax, samples, seed, changed }) => {
          const spec: NetworkSpec = softmax
            ? { sizes: [inputs, hidden, classes], activations: [hiddenActivation, "softmax"], loss: "cross_entropy", biases: true }
            : { sizes: [inputs, hidden, classes], activations: [hiddenActivation, "sigmoid"], loss: "squared_error", biases: true };
          const network = initializeNetwork(spec, { seed });
          const random = seededRandom(seed + 1);
          const rows = Array.from({ length: samples }, () => Array.from({ length: inputs }, () => 4 * random.uniform() - 2));
          const names = Array.from({ length: classes }, (_, c) => `class ${c}`);
          const unlabelled = samplesAsColumns(rows, new Array<number>(samples).fill(0), names);
          const predicted = alone(network, unlabelled);
          expect(accuracy(network, { ...unlabelled, labels: predicted })).toBe(1);
          const wrong = changed % samples;
          const oneWrong = predicted.map((label, b) => (b === wrong ? (label + 1) % classes : label));
          expect(accuracy(network, { ...unlabelled, labels: oneWrong })).toBe((samples - 1) / samples);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("inputs copied into the workspace", () => {
  it("are never written by a step", () => {
    const network = initializeNetwork(xorSpec, { seed: 2 });
    const workspace = createWorkspace(network.spec, 4);
    const inputs = workspace.trace.outputs[0]!;
    inputs.data.set([0, 0, 1, 1, 0, 1, 0, 1]);
    const before = copyMatrix(inputs);
    trainingStep(network, inputs, copyMatrix(workspace.errors[1]!), 0.5, workspace);
    expectSameBits(entries([inputs]), entries([before]), "inputs");
  });
});
