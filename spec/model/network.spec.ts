import { describe, expect, it } from "vitest";
import { NumericError, ShapeError, SpecError } from "../../src/numeric/errors.js";
import {
  cloneNetwork,
  createNetwork,
  depth,
  initializeNetwork,
  initializationSchemes,
  maximumInitializedParameters,
  networkFromArrays,
  networkToArrays,
  parameterCount,
  validateSpec,
  type NetworkSpec,
} from "../../src/model/network.js";
import { type Matrix, matrixFromRows, vectorFromArray } from "../../src/numeric/tensor.js";

const spec: NetworkSpec = { sizes: [2, 3, 1], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: false };

describe("network specs", () => {
  it.each([
    [{ ...spec, sizes: [2] }, SpecError, "sizes must be an array of at least 2 layer sizes (inputs and outputs), got [2]"],
    [{ ...spec, sizes: [2, 0, 1] }, SpecError, "sizes[1] must be a positive integer, got 0"],
    [{ ...spec, sizes: [2, 1.5, 1] }, SpecError, "sizes[1] must be a positive integer, got 1.5"],
    [
      { ...spec, activations: ["sigmoid"] },
      SpecError,
      "activations must list one activation per weight layer: sizes [2, 3, 1] need 2, got 1",
    ],
    [
      { ...spec, activations: ["sigmoid", "swish"] },
      SpecError,
      'activations[1] must be one of sigmoid, tanh, relu, leaky_relu, softplus, identity, softmax, got "swish"',
    ],
    [
      { ...spec, activations: ["softmax", "sigmoid"] },
      SpecError,
      "activations[0] is softmax, but softmax is allowed in the output layer only (activations[1])",
    ],
    [{ ...spec, loss: "hinge" }, SpecError, 'loss must be one of squared_error, cross_entropy, binary_cross_entropy, got "hinge"'],
    [{ ...spec, loss: "cross_entropy" }, SpecError, "loss cross_entropy needs a softmax output layer, but activations[1] is sigmoid"],
    [
      { ...spec, activations: ["tanh", "softmax"], loss: "binary_cross_entropy" },
      SpecError,
      "loss binary_cross_entropy needs a sigmoid output layer, but activations[1] is softmax",
    ],
    [
      { ...spec, sizes: [100000, 100000, 1] },
      SpecError,
      "sizes [100000, 100000, 1] need 10000100000 parameters, more than the 50000000 allowed",
    ],
  ])("rejects an invalid spec with a message naming the field: %#", (invalid, kind, message) => {
    expect(() => validateSpec(invalid as NetworkSpec)).toThrow(kind);
    expect(() => validateSpec(invalid as NetworkSpec)).toThrow(message);
  });

  it("accepts every valid pairing, softmax with squared error included", () => {
    expect(() => validateSpec({ ...spec, activations: ["relu", "softmax"], loss: "cross_entropy" })).not.toThrow();
    expect(() => validateSpec({ ...spec, activations: ["relu", "softmax"], loss: "squared_error" })).not.toThrow();
    expect(() => validateSpec({ ...spec, activations: ["identity", "sigmoid"], loss: "binary_cross_entropy" })).not.toThrow();
    expect(depth(spec)).toBe(2);
    expect(parameterCount(spec)).toBe(9);
    expect(parameterCount({ ...spec, biases: true })).toBe(13);
  });
});

/** Weights for {@link spec}: 1 to 6 in the first layer, 7 to 9 in the second, made afresh for each test (one changes them). */
function specWeights(): Matrix[] {
  return [
    matrixFromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    matrixFromRows([[7, 8, 9]]),
  ];
}

describe("networks", () => {
  it("rejects weights and biases that do not match sizes, naming the array, its shape and the needed shape", () => {
    const weights = specWeights();
    expect(() =>
      createNetwork(
        spec,
        [
          weights[0]!,
          matrixFromRows([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
        ],
        null,
      ),
    ).toThrow(new ShapeError("weights[1] is 3×2 but sizes [2, 3, 1] need 1×3"));
    expect(() => createNetwork(spec, [weights[0]!], null)).toThrow("weights has 1 matrices but sizes [2, 3, 1] need 2");
    expect(() => createNetwork({ ...spec, biases: true }, weights, [vectorFromArray([0, 0, 0]), vectorFromArray([0, 0])])).toThrow(
      "biases[1] has 2 entries but sizes [2, 3, 1] need 1",
    );
    expect(() => createNetwork({ ...spec, biases: true }, weights, null)).toThrow("biases are switched on in the spec but none were given");
    expect(() => createNetwork(spec, [weights[0]!, matrixFromRows([[7, Number.NaN, 9]])], null)).toThrow(
      new NumericError("weights[1][0][1] must be a finite number, got NaN"),
    );
  });

  it("copies its parameters, so changing the arguments or a clone leaves it alone", () => {
    const weights = specWeights();
    const network = createNetwork(spec, weights, null);
    weights[0]!.set(0, 0, 100);
    expect(network.weights[0]!.get(0, 0)).toBe(1);
    const clone = cloneNetwork(network);
    clone.weights[1]!.set(0, 0, -1);
    expect(network.weights[1]!.get(0, 0)).toBe(7);
  });

  it("round-trips through the case format's arrays", () => {
    const arrays = {
      weights: [
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [[7, 8, 9]],
      ],
      biases: [[0.1, 0.2, 0.3], [-0.5]],
    };
    expect(networkToArrays(networkFromArrays({ ...spec, biases: true }, arrays))).toEqual(arrays);
    expect(() => networkFromArrays(spec, { weights: [[[1, 2], [3]], [[7, 8, 9]]], biases: null })).toThrow(
      "weights[0] is not a matrix: row 1 has 1 entries but row 0 has 2",
    );
  });
});

describe("initialisation", () => {
  const big: NetworkSpec = { sizes: [400, 300, 10], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: true };
  const standardDeviation = (values: Float64Array): number => {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
  };

  it("the same seed gives bit-identical weights, another seed other weights", () => {
    for (const scheme of initializationSchemes) {
      const first = initializeNetwork(big, { scheme, seed: 42 });
      const again = initializeNetwork(big, { scheme, seed: 42 });
      const other = initializeNetwork(big, { scheme, seed: 43 });
      expect(Buffer.from(again.weights[0]!.data.buffer).equals(Buffer.from(first.weights[0]!.data.buffer))).toBe(true);
      expect(other.weights[0]!.data[0]).not.toBe(first.weights[0]!.data[0]);
      expect(first.biases![0]!.data.every((value) => value === 0)).toBe(true);
    }
  });

  it("draws with each scheme's spread: n_in^(-1/2), √(2/(n_in + n_out)), √(6/(n_in + n_out)) bounds, √(2/n_in)", () => {
    const spread = (scheme: (typeof initializationSchemes)[number]): number =>
      standardDeviation(initializeNetwork(big, { scheme, seed: 7 }).weights[0]!.data);
    // 120,000 draws: the sample standard deviation is within 1 % of the true one.
    expect(spread("seed_normal")).toBeCloseTo(Math.pow(400, -0.5), 3);
    expect(spread("xavier_normal") / Math.sqrt(2 / 700)).toBeCloseTo(1, 1);
    expect(spread("he_normal") / Math.sqrt(2 / 400)).toBeCloseTo(1, 1);
    const uniform = initializeNetwork(big, { scheme: "xavier_uniform", seed: 7 }).weights[0]!.data;
    const limit = Math.sqrt(6 / 700);
    expect(uniform.every((value) => Math.abs(value) <= limit)).toBe(true);
    expect(standardDeviation(uniform) / (limit / Math.sqrt(3))).toBeCloseTo(1, 1);
  });

  it("refuses to make more parameters than it may, so that mistyped sizes cannot exhaust memory", () => {
    const huge: NetworkSpec = { ...spec, sizes: [784, 30_000, 10] };
    expect(parameterCount(huge)).toBeGreaterThan(maximumInitializedParameters);
    expect(() => initializeNetwork(huge)).toThrow(
      new SpecError(`sizes [784, 30000, 10] make 23820000 parameters, more than the 20000000 a network may be initialized with`),
    );
    expect(parameterCount(initializeNetwork({ ...spec, sizes: [784, 1000, 10] }).spec)).toBe(794_000);
  });

  it("rejects an unknown scheme", () => {
    expect(() => initializeNetwork(spec, { scheme: "glorot" as never })).toThrow(
      'scheme must be one of seed_normal, xavier_uniform, xavier_normal, he_normal, got "glorot"',
    );
  });
});
