/**
 * The loss along a line through the parameters, $w + s u$ for a seeded random unit direction
 * $u$ (one entry per weight and bias, $\|u\|_2 = 1$), where the gradient predicts
 *
 * $$E(w + s u) = E(w) + s\, \nabla E \cdot u + O(s^2).$$
 *
 * $E$ is the batch mean of the loss, plus the weight-decay penalty
 * $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$ at $w + s u$ when the loss has one.
 *
 * What the two checks along directions start from: the directional check
 * ({@link oracles/directional | directional}) and the Taylor-remainder test
 * ({@link oracles/taylor | taylor}).
 *
 * @module
 */
import { forward, networkLoss, traceLoss } from "../model/forward.js";
import { lossWithWeightDecay } from "../model/weight-decay.js";
import { cloneNetwork, parameterCount, type Network, type ParameterArrays } from "../model/network.js";
import { ShapeError } from "../numeric/errors.js";
import { seededRandom } from "../numeric/random.js";
import { dimensions, type Matrix, type Vector } from "../numeric/tensor.js";
import { crossesKink, kinkBranches } from "./kinks.js";

/** The loss at one point of a line, and whether getting there crossed a kink. */
export interface LinePoint {
  /** $E(w + s u)$. */
  readonly loss: number;
  /** Whether $w + s u$ put a `relu` or `leaky_relu` preactivation on the other side of its kink from $w$. */
  readonly kinkCrossed: boolean;
}

/** The loss along lines through a network's parameters $w$. */
export interface Line {
  /** $E(w)$. */
  readonly loss: number;
  /**
   * The point $w + s u$.
   *
   * @param direction - $u$, one entry per parameter, weights then biases
   * @param scale - $s$
   */
  at(direction: Float64Array, scale: number): LinePoint;
}

/** What both checks along directions start from. */
export interface Directions {
  /** The gradients under test as one vector, weights then biases, layer by layer, row by row. */
  readonly gradient: Float64Array;
  /** The parameters $w$, in the same order. */
  readonly parameters: Float64Array;
  /** The seeded unit directions $u$. */
  readonly directions: readonly Float64Array[];
  /** The loss along lines through $w$. */
  readonly line: Line;
}

/**
 * The gradients under test and the parameters as vectors, `count` seeded unit directions, and
 * the loss along lines through the parameters.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param analytic - the gradients under test
 * @param count - how many directions
 * @param seed - the seed of the directions
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the loss's weight-decay penalty; default $0$
 * @throws {@link numeric/errors!ShapeError | ShapeError} for gradients with another number of entries than the network has parameters
 */
export function alongRandomDirections(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  analytic: ParameterArrays,
  count: number,
  seed: number,
  weightDecay = 0,
): Directions {
  const gradient = flatten(analytic, parameterCount(network.spec));
  return {
    gradient,
    parameters: flatten(network, gradient.length),
    directions: unitDirections(gradient.length, count, seed),
    line: lineThrough(network, inputs, targets, weightDecay),
  };
}

/** The loss at $w + s u$ for the network's parameters $w$, and whether any kink was crossed. */
function lineThrough(network: Network, inputs: Matrix, targets: Matrix, weightDecay: number): Line {
  const probe = cloneNetwork(network);
  const arrays: (Matrix | Vector)[] = [...probe.weights, ...(probe.biases ?? [])];
  const originals = arrays.map((array) => Float64Array.from(array.data));
  const branches = kinkBranches(network, forward(network, inputs).preactivations);
  return {
    loss: lossWithWeightDecay(networkLoss(network, inputs, targets), network.weights, weightDecay),
    at(direction: Float64Array, scale: number): LinePoint {
      let offset = 0;
      for (const [index, array] of arrays.entries()) {
        const original = originals[index]!;
        for (let entry = 0; entry < original.length; entry++) array.data[entry] = original[entry]! + scale * direction[offset + entry]!;
        offset += original.length;
      }
      const trace = forward(probe, inputs);
      const loss = lossWithWeightDecay(traceLoss(probe, trace, targets), probe.weights, weightDecay);
      return { loss, kinkCrossed: crossesKink(branches, probe, trace.preactivations) };
    },
  };
}

/**
 * Seeded random unit vectors: standard normal entries, divided by their norm, so every
 * direction is equally likely.
 *
 * @param length - the number of parameters
 * @param count - how many directions
 * @param seed - the seed
 */
export function unitDirections(length: number, count: number, seed: number): Float64Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const direction = new Float64Array(length);
    let squares = 0;
    for (let i = 0; i < length; i++) {
      direction[i] = random.normal(0, 1);
      squares += direction[i]! * direction[i]!;
    }
    const norm = Math.sqrt(squares);
    for (let i = 0; i < length; i++) direction[i]! /= norm;
    return direction;
  });
}

/** Weights then biases, layer by layer in the order of the arrays, as one vector. */
function flatten(parameters: ParameterArrays, expectedLength: number): Float64Array {
  const arrays = [...parameters.weights, ...(parameters.biases ?? [])];
  const length = arrays.reduce((sum, array) => sum + array.data.length, 0);
  if (length !== expectedLength) {
    throw new ShapeError(`the gradients have ${length} entries but the network has ${expectedLength} parameters`);
  }
  const result = new Float64Array(length);
  let offset = 0;
  for (const array of arrays) {
    const [rows, columns] = array.dimension === 1 ? [array.shape[0]!, 1] : dimensions(array);
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) result[offset++] = array.dimension === 1 ? array.get(j) : array.get(j, k);
    }
  }
  return result;
}

/**
 * The dot product $a \cdot b$, summed in order.
 *
 * @param a - a vector
 * @param b - a vector of the same length
 */
export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * $\max_i |v_i|$, $0$ for no entries.
 *
 * @param values - $v$
 */
export function largestMagnitude(values: Float64Array): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return largest;
}
