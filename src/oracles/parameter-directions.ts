/**
 * Directions in parameter space: a direction $V$ is one array per weight layer shaped like the
 * network's parameters (a {@link model/network!ParameterArrays | ParameterArrays}, `biases`
 * `null` exactly when the network has none), and the second-order oracles
 * ({@link oracles/complex-gradient | complex-gradient},
 * {@link oracles/hessian-differences | hessian-differences}) move the parameters along it.
 *
 * What both need: its largest entry and the power of two near it (by which they scale it,
 * exactly), the point $w + sV$, and the dot product of two such arrays. The check that a
 * direction fits the network is the model's own,
 * {@link model/forward-mode!assertDirectionShape | assertDirectionShape}.
 *
 * @module
 */
import { cloneNetwork, type Network, type ParameterArrays } from "../model/network.js";
import { dimensions, zerosLike, type Matrix, type Vector } from "../numeric/tensor.js";

/**
 * $\max_i |V_i|$ over every weight and bias, $0$ for a direction of zeros.
 *
 * @param parameters - any parameter arrays
 */
export function largestEntry(parameters: ParameterArrays): number {
  let largest = 0;
  forEachEntry(parameters, (value) => {
    largest = Math.max(largest, Math.abs(value));
  });
  return largest;
}

/**
 * The power of two $\sigma = 2^{\lfloor \log_2 \max_i |V_i| \rfloor}$ (about; $1$ for a direction
 * of zeros), by which the second-order oracles divide a direction before they use it and
 * multiply what they find.
 *
 * Both oracles are linear in $V$, so $H V = \sigma\, H (V / \sigma)$; dividing and multiplying by
 * a power of two is exact (unless a result leaves the normal range), so the scaled direction,
 * whose largest entry is near $1$, gives every direction the numbers of its own scale: a
 * direction of $10^{-300}$ does not meet the step $10^{-20}$ of the complex step in subnormal
 * numbers, and $2^k V$ gives exactly $2^k$ times the product of $V$.
 *
 * @param parameters - the direction $V$
 */
export function powerOfTwoScale(parameters: ParameterArrays): number {
  const largest = largestEntry(parameters);
  return largest === 0 ? 1 : 2 ** Math.floor(Math.log2(largest));
}

/**
 * The parameter arrays times a number, $s V$, as new dense arrays.
 *
 * @param parameters - $V$
 * @param factor - $s$
 */
export function scaledParameters(parameters: ParameterArrays, factor: number): ParameterArrays {
  return mapParameters(parameters, (value) => factor * value);
}

/**
 * New dense parameter arrays of the same shapes, each entry $v$ replaced by `entry(v)`.
 *
 * @param parameters - any parameter arrays
 * @param entry - what each entry becomes
 */
export function mapParameters(parameters: ParameterArrays, entry: (value: number) => number): ParameterArrays {
  return combineParameters(parameters, parameters, (value) => entry(value));
}

/**
 * New dense parameter arrays of the shapes of `a`, each entry `entry(a_i, b_i)` of the entries
 * of `a` and `b` in the same place.
 *
 * @param a - parameter arrays
 * @param b - parameter arrays of the same shapes
 * @param entry - what the two entries in each place become
 */
export function combineParameters(
  a: ParameterArrays,
  b: ParameterArrays,
  entry: (first: number, second: number) => number,
): ParameterArrays {
  const combine = <Shaped extends Matrix | Vector>(first: Shaped, second: Shaped): Shaped => {
    const result = zerosLike(first);
    if (first.dimension === 1) for (let j = 0; j < first.shape[0]!; j++) result.set(j, entry(first.get(j), second.get(j)));
    else {
      const [rows, columns] = dimensions(first);
      for (let j = 0; j < rows; j++) for (let k = 0; k < columns; k++) result.set(j, k, entry(first.get(j, k), second.get(j, k)));
    }
    return result;
  };
  return {
    weights: a.weights.map((matrix, index) => combine(matrix, b.weights[index]!)),
    biases: a.biases?.map((vector, index) => combine(vector, b.biases![index]!)) ?? null,
  };
}

/**
 * The network at the point $w + sV$: every weight $w^{(l)}_{jk} + s V^{(l)}_{jk}$ and bias
 * $b^{(l)}_j + s V^{(l)}_{j}$, each sum rounded once to float64.
 *
 * @param network - the network at $w$ (left unchanged)
 * @param direction - $V$, shaped like the parameters
 * @param step - $s$ (negative for $w - |s| V$)
 */
export function displacedNetwork(network: Network, direction: ParameterArrays, step: number): Network {
  const displaced = cloneNetwork(network);
  displaced.weights.forEach((matrix, index) => {
    const along = direction.weights[index]!;
    const [rows, columns] = dimensions(matrix);
    for (let j = 0; j < rows; j++) for (let k = 0; k < columns; k++) matrix.set(j, k, matrix.get(j, k) + step * along.get(j, k));
  });
  displaced.biases?.forEach((vector, index) => {
    const along = direction.biases![index]!;
    for (let j = 0; j < vector.shape[0]!; j++) vector.set(j, vector.get(j) + step * along.get(j));
  });
  return displaced;
}

/**
 * The dot product $U \cdot V = \sum_l \sum_{jk} U^{(l)}_{jk} V^{(l)}_{jk} + \sum_l \sum_j U^{(l)}_j V^{(l)}_j$,
 * summed weights first, then biases, layer by layer, row by row.
 *
 * @param a - $U$
 * @param b - $V$, of the same shapes
 */
export function parameterDot(a: ParameterArrays, b: ParameterArrays): number {
  const values: number[] = [];
  forEachEntry(b, (value) => values.push(value));
  let sum = 0;
  let index = 0;
  forEachEntry(a, (value) => {
    sum += value * values[index++]!;
  });
  return sum;
}

/**
 * Calls `visit` with every entry and a function that names its position, weights first, then
 * biases, layer by layer, row by row.
 */
function forEachEntry(parameters: ParameterArrays, visit: (value: number, position: () => string) => void): void {
  parameters.weights.forEach((matrix, index) => {
    const [rows, columns] = dimensions(matrix);
    for (let j = 0; j < rows; j++) for (let k = 0; k < columns; k++) visit(matrix.get(j, k), () => `weights[${index}][${j}][${k}]`);
  });
  parameters.biases?.forEach((vector, index) => {
    for (let j = 0; j < vector.shape[0]!; j++) visit(vector.get(j), () => `biases[${index}][${j}]`);
  });
}
