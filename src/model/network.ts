/**
 * A network: its spec (layer sizes, activations, loss, biases on or off), its weights and
 * biases, their validation, and their seeded initialisation.
 *
 * Notation (docs/derivation/01-notation.md): the network has $L$ weight layers (its `depth`) and $L + 1$ layers of
 * units numbered $0..L$, with $n_l$ = `sizes[l]` units in layer $l$. The weights
 * $W^{(l)}$ = `weights[l-1]` form an $n_l \times n_{l-1}$ matrix whose entry $w^{(l)}_{jk}$
 * (row $j$, column $k$) connects unit $k$ of layer $l-1$ to unit $j$ of layer $l$; the optional
 * bias $b^{(l)}$ = `biases[l-1]` has $n_l$ entries.
 *
 * @module
 */
import { activationNames, isActivationName, type ActivationName } from "./activations.js";
import { describeValue, NumericError, ShapeError, SpecError } from "../numeric/errors.js";
import { isLossName, lossNames, requiredOutputActivation, type LossName } from "./losses.js";
import { seededRandom } from "../numeric/random.js";
import {
  copyMatrix,
  copyVector,
  dimensions,
  matrixFromRows,
  matrixToRows,
  shapeText,
  vectorFromArray,
  vectorToArray,
  zeroVector,
  zeros,
  type Matrix,
  type Vector,
} from "../numeric/tensor.js";

/** What a network is, without its numbers. */
export interface NetworkSpec {
  /** $n_0, n_1, \dots, n_L$: units per layer, inputs first, outputs last. */
  readonly sizes: readonly number[];
  /** $f_1, \dots, f_L$: one activation per weight layer; `softmax` only in the last. */
  readonly activations: readonly ActivationName[];
  /** The loss $E$ of one sample. */
  readonly loss: LossName;
  /** Whether the layers add a bias $b^{(l)}$ (the seed's network has none). */
  readonly biases: boolean;
}

/** A network with its parameters. */
export interface Network {
  /** What the network is. */
  readonly spec: NetworkSpec;
  /** $W^{(1)}, \dots, W^{(L)}$; `weights[l-1]` is $n_l \times n_{l-1}$. */
  readonly weights: readonly Matrix[];
  /** $b^{(1)}, \dots, b^{(L)}$, or `null` for a network without biases; `biases[l-1]` has $n_l$ entries. */
  readonly biases: readonly Vector[] | null;
}

/**
 * One array per weight layer, shaped like a network's parameters: the gradients
 * $\partial E / \partial W^{(l)}$ and $\partial E / \partial b^{(l)}$, the delta weights, the
 * velocities of momentum, a direction in parameter space. A {@link Network} is one too.
 */
export interface ParameterArrays {
  /** One $n_l \times n_{l-1}$ matrix per weight layer, `weights[l-1]` for layer $l$. */
  readonly weights: readonly Matrix[];
  /** One length-$n_l$ vector per weight layer, or `null` for a network without biases. */
  readonly biases: readonly Vector[] | null;
}

/** One entry of a set of parameter arrays, with its position in the JSON layout. */
export interface ParameterEntry {
  /** `weights[l-1][j][k]` or `biases[l-1][j]`. */
  readonly position: string;
  /** The entry's value. */
  readonly value: number;
}

/**
 * Every entry of a set of parameter arrays, weights first, then biases, layer by layer, row by
 * row, each with its position in the JSON layout.
 *
 * @param parameters - a network, its gradients, its delta weights, a direction
 */
export function parameterEntries(parameters: ParameterArrays): ParameterEntry[] {
  const entries: ParameterEntry[] = [];
  parameters.weights.forEach((matrix, index) => {
    const [rows, columns] = dimensions(matrix);
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) entries.push({ position: `weights[${index}][${j}][${k}]`, value: matrix.get(j, k) });
    }
  });
  parameters.biases?.forEach((vector, index) => {
    for (let j = 0; j < vector.shape[0]!; j++) entries.push({ position: `biases[${index}][${j}]`, value: vector.get(j) });
  });
  return entries;
}

/** The parameters of a network in plain arrays, laid out as in the JSON case format. */
export interface NetworkArrays {
  /** `weights[l-1][j][k]` is $w^{(l)}_{jk}$. */
  readonly weights: number[][][];
  /** `biases[l-1][j]` is $b^{(l)}_j$, or `null`. */
  readonly biases: number[][] | null;
}

/**
 * The most parameters a network may have (weights and biases together): 50 million, 400 MB of
 * float64, far beyond the seed's 784-200-10 network (158,800 weights) but small enough that
 * a typing mistake in `sizes` is reported instead of exhausting memory.
 */
export const maximumParameterCount = 50_000_000;

/**
 * The number of weight layers $L$ of a spec or network.
 *
 * @param spec - a network spec
 */
export function depth(spec: NetworkSpec): number {
  return spec.sizes.length - 1;
}

/**
 * The number of parameters: $\sum_l n_l n_{l-1}$ weights, plus $\sum_l n_l$ biases if any.
 *
 * @param spec - a network spec
 */
export function parameterCount(spec: NetworkSpec): number {
  let count = 0;
  for (let l = 1; l < spec.sizes.length; l++) {
    count += spec.sizes[l]! * spec.sizes[l - 1]! + (spec.biases ? spec.sizes[l]! : 0);
  }
  return count;
}

/**
 * Checks that a spec describes a network, and throws a {@link numeric/errors!SpecError | SpecError} naming the first
 * field that does not.
 *
 * A spec is valid when `sizes` holds at least two positive integers, there is one known
 * activation per weight layer, `softmax` appears only in the output layer, the loss is known,
 * `cross_entropy` has a `softmax` output and `binary_cross_entropy` a `sigmoid` output (the
 * pairs whose gradients are computed together, see {@link model/losses!requiredOutputActivation | requiredOutputActivation}), and the parameter count is
 * at most {@link maximumParameterCount}.
 *
 * @param spec - the spec to check; its fields may hold anything, as when read from JSON
 */
export function validateSpec(spec: NetworkSpec): void {
  const { sizes, activations, loss } = spec;
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new SpecError(`sizes must be an array of at least 2 layer sizes (inputs and outputs), got ${describeValue(sizes)}`);
  }
  sizes.forEach((size, l) => {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new SpecError(`sizes[${l}] must be a positive integer, got ${describeValue(size)}`);
    }
  });
  const layers = sizes.length - 1;
  if (!Array.isArray(activations) || activations.length !== layers) {
    throw new SpecError(
      `activations must list one activation per weight layer: sizes ${describeValue(sizes)} need ${layers}, ` +
        `got ${Array.isArray(activations) ? activations.length : describeValue(activations)}`,
    );
  }
  activations.forEach((activation, index) => {
    if (!isActivationName(activation)) {
      throw new SpecError(`activations[${index}] must be one of ${activationNames.join(", ")}, got ${describeValue(activation)}`);
    }
    if (activation === "softmax" && index !== layers - 1) {
      throw new SpecError(`activations[${index}] is softmax, but softmax is allowed in the output layer only (activations[${layers - 1}])`);
    }
  });
  if (!isLossName(loss)) {
    throw new SpecError(`loss must be one of ${lossNames.join(", ")}, got ${describeValue(loss)}`);
  }
  if (loss !== "squared_error") {
    const needed = requiredOutputActivation[loss];
    if (activations[layers - 1] !== needed) {
      throw new SpecError(`loss ${loss} needs a ${needed} output layer, but activations[${layers - 1}] is ${activations[layers - 1]}`);
    }
  }
  if (typeof spec.biases !== "boolean") {
    throw new SpecError(`biases must be true or false, got ${describeValue(spec.biases)}`);
  }
  const count = parameterCount(spec);
  if (count > maximumParameterCount) {
    throw new SpecError(`sizes ${describeValue(sizes)} need ${count} parameters, more than the ${maximumParameterCount} allowed`);
  }
}

/**
 * A network from its spec and parameters, after checking every shape against `sizes` and every
 * entry for finiteness. The matrices are copied, so later changes to the arguments do not
 * reach the network.
 *
 * @param spec - the network's spec, validated by {@link validateSpec}
 * @param weights - one $n_l \times n_{l-1}$ matrix per weight layer
 * @param biases - one length-$n_l$ vector per weight layer if `spec.biases`, else `null`
 * @throws {@link numeric/errors!SpecError | SpecError} for an invalid spec, {@link numeric/errors!ShapeError | ShapeError} for a shape that does not
 *   match `sizes`, {@link numeric/errors!NumericError | NumericError} for a non-finite entry
 */
export function createNetwork(spec: NetworkSpec, weights: readonly Matrix[], biases: readonly Vector[] | null): Network {
  validateSpec(spec);
  const { sizes } = spec;
  const layers = depth(spec);
  if (weights.length !== layers) {
    throw new ShapeError(`weights has ${weights.length} matrices but sizes ${describeValue(sizes)} need ${layers}`);
  }
  weights.forEach((matrix, index) => {
    const [rows, columns] = dimensions(matrix);
    if (matrix.dimension !== 2 || rows !== sizes[index + 1] || columns !== sizes[index]) {
      throw new ShapeError(
        `weights[${index}] is ${shapeText(matrix)} but sizes ${describeValue(sizes)} need ${sizes[index + 1]}×${sizes[index]}`,
      );
    }
  });
  if (spec.biases !== (biases !== null)) {
    throw new ShapeError(
      spec.biases ? `biases are switched on in the spec but none were given` : `biases were given but the spec has none`,
    );
  }
  if (biases !== null) {
    if (biases.length !== layers) {
      throw new ShapeError(`biases has ${biases.length} vectors but sizes ${describeValue(sizes)} need ${layers}`);
    }
    biases.forEach((vector, index) => {
      if (vector.dimension !== 1 || vector.shape[0] !== sizes[index + 1]) {
        throw new ShapeError(
          `biases[${index}] has ${vector.shape.join("×")} entries but sizes ${describeValue(sizes)} need ${sizes[index + 1]}`,
        );
      }
    });
  }
  const network: Network = {
    spec: { sizes: [...sizes], activations: [...spec.activations], loss: spec.loss, biases: spec.biases },
    weights: weights.map(copyMatrix),
    biases: biases === null ? null : biases.map(copyVector),
  };
  assertFiniteParameters(network);
  return network;
}

/**
 * A network from parameters laid out as in the JSON case format (see {@link NetworkArrays}).
 *
 * @param spec - the network's spec
 * @param arrays - `weights[l-1][j][k]` and `biases[l-1][j]` (or `null`)
 */
export function networkFromArrays(spec: NetworkSpec, arrays: NetworkArrays): Network {
  validateSpec(spec);
  const weights = arrays.weights.map((rows, index) => {
    try {
      return matrixFromRows(rows);
    } catch (error) {
      throw new ShapeError(`weights[${index}] is not a matrix: ${(error as Error).message}`);
    }
  });
  const biases = arrays.biases === null ? null : arrays.biases.map((entries) => vectorFromArray(entries));
  return createNetwork(spec, weights, biases);
}

/**
 * The parameters of a network as plain arrays, laid out as in the JSON case format.
 *
 * @param network - any network
 */
export function networkToArrays(network: Network): NetworkArrays {
  return {
    weights: network.weights.map(matrixToRows),
    biases: network.biases === null ? null : network.biases.map(vectorToArray),
  };
}

/** A deep copy of a network, whose parameters can be changed without touching the original. */
export function cloneNetwork(network: Network): Network {
  return {
    spec: network.spec,
    weights: network.weights.map(copyMatrix),
    biases: network.biases === null ? null : network.biases.map(copyVector),
  };
}

/**
 * How initial weights are drawn. Biases always start at zero.
 *
 * | scheme | distribution of $w^{(l)}_{jk}$ | origin |
 * | --- | --- | --- |
 * | `seed_normal` | $\mathcal N\!\left(0,\ n_{l-1}^{-1/2}\right)$ (standard deviation) | Rashid, the seed's network |
 * | `xavier_uniform` | $\mathcal U\!\left(-a, a\right)$, $a = \sqrt{6/(n_{l-1} + n_l)}$ | Glorot and Bengio, 2010 |
 * | `xavier_normal` | $\mathcal N\!\left(0,\ \sqrt{2/(n_{l-1} + n_l)}\right)$ | Glorot and Bengio, 2010 |
 * | `he_normal` | $\mathcal N\!\left(0,\ \sqrt{2/n_{l-1}}\right)$ | He et al., 2015, for `relu` layers |
 */
export type InitializationScheme = "seed_normal" | "xavier_uniform" | "xavier_normal" | "he_normal";

/** The initialisation schemes, in the order of {@link InitializationScheme}'s table. */
export const initializationSchemes: readonly InitializationScheme[] = ["seed_normal", "xavier_uniform", "xavier_normal", "he_normal"];

/**
 * The most parameters {@link initializeNetwork} makes: 20 million (160 MB of float64, which
 * training holds several times over), twenty-five times the largest network of the MNIST table.
 * A network read from a file is bounded by the file; one made from sizes alone is bounded here,
 * so that a mistyped `--sizes 784,2000000,10` is refused instead of exhausting memory.
 */
export const maximumInitializedParameters = 20_000_000;

/**
 * A network with random weights drawn by a scheme from a seeded stream, and zero biases.
 *
 * The weights are drawn layer by layer, row by row, so the same spec, scheme and seed give a
 * bit-identical network on every machine.
 *
 * @param spec - the network's spec
 * @param options - the scheme (default `seed_normal`) and the seed (default 1)
 * @throws {@link numeric/errors!SpecError | SpecError} for a spec that cannot describe a network, an unknown scheme, or
 *   more than {@link maximumInitializedParameters} parameters
 */
export function initializeNetwork(
  spec: NetworkSpec,
  options: { readonly scheme?: InitializationScheme; readonly seed?: number } = {},
): Network {
  validateSpec(spec);
  const scheme = options.scheme ?? "seed_normal";
  if (!initializationSchemes.includes(scheme)) {
    throw new SpecError(`scheme must be one of ${initializationSchemes.join(", ")}, got ${describeValue(scheme)}`);
  }
  const parameters = parameterCount(spec);
  if (parameters > maximumInitializedParameters) {
    throw new SpecError(
      `sizes [${spec.sizes.join(", ")}] make ${parameters} parameters, more than the ${maximumInitializedParameters} a network may be initialized with`,
    );
  }
  const random = seededRandom(options.seed ?? 1);
  const weights: Matrix[] = [];
  for (let l = 1; l <= depth(spec); l++) {
    const fanIn = spec.sizes[l - 1]!;
    const fanOut = spec.sizes[l]!;
    const draw = drawWeight(scheme, fanIn, fanOut, random);
    const matrix = zeros(fanOut, fanIn);
    for (let j = 0; j < fanOut; j++) for (let k = 0; k < fanIn; k++) matrix.set(j, k, draw());
    weights.push(matrix);
  }
  const biases = spec.biases ? spec.sizes.slice(1).map((size) => zeroVector(size)) : null;
  return createNetwork(spec, weights, biases);
}

function drawWeight(scheme: InitializationScheme, fanIn: number, fanOut: number, random: ReturnType<typeof seededRandom>): () => number {
  switch (scheme) {
    case "seed_normal":
      return () => random.normal(0, Math.pow(fanIn, -0.5));
    case "xavier_uniform": {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return () => (2 * random.uniform() - 1) * limit;
    }
    case "xavier_normal":
      return () => random.normal(0, Math.sqrt(2 / (fanIn + fanOut)));
    case "he_normal":
      return () => random.normal(0, Math.sqrt(2 / fanIn));
  }
}

function assertFiniteParameters(network: Network): void {
  network.weights.forEach((matrix, index) => {
    const [rows, columns] = dimensions(matrix);
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) {
        const value = matrix.get(j, k);
        if (!Number.isFinite(value)) throw new NumericError(`weights[${index}][${j}][${k}] must be a finite number, got ${value}`);
      }
    }
  });
  network.biases?.forEach((vector, index) => {
    for (let j = 0; j < vector.shape[0]!; j++) {
      const value = vector.get(j);
      if (!Number.isFinite(value)) throw new NumericError(`biases[${index}][${j}] must be a finite number, got ${value}`);
    }
  });
}
