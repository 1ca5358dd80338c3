/**
 * Momentum: a velocity per parameter that carries part of every step into the next
 * (classical momentum, Rumelhart, Hinton and Williams, 1986),
 *
 * $$v \leftarrow \mu v + \Delta W, \qquad W \leftarrow W + v,$$
 *
 * computed by the fused update in the order $W \leftarrow (W + \Delta W) + \mu v$,
 * $v \leftarrow \mu v + \Delta W$ (see {@link training/fused-update!addScaledProduct | addScaledProduct}).
 *
 * @module
 */
import { describeValue, ShapeError, ValueError } from "../numeric/errors.js";
import { zerosLike, type Matrix, type Vector } from "../numeric/tensor.js";
import type { Network, ParameterArrays } from "../model/network.js";

/** The momentum term of a step: $\mu$ and the velocities it carries from step to step. */
export interface Momentum {
  /** $\mu \in [0, 1)$. */
  readonly momentum: number;
  /** $v$, one array per parameter array, shaped like it, updated in place by every step. */
  readonly velocities: ParameterArrays;
}

/**
 * The rule for the momentum $\mu$: a number in $[0, 1)$. At $\mu = 0$ the step is plain gradient
 * descent; at $\mu \ge 1$ the velocity would never decay (it sums every step ever taken).
 *
 * @param momentum - $\mu$, as given
 * @param field - how the message names it (`momentum`, `--momentum`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<field> must be a number in [0, 1), got <value>`
 */
export function validateMomentum(momentum: number, field = "momentum"): void {
  if (!Number.isFinite(momentum) || momentum < 0 || momentum >= 1) {
    throw new ValueError(`${field} must be a number in [0, 1), got ${describeValue(momentum)}`);
  }
}

/**
 * Velocities of zero, one array shaped like each parameter array: the momentum term's start.
 *
 * @param network - the network whose parameters the velocities follow
 */
export function zeroVelocities(network: Network): ParameterArrays {
  return {
    weights: network.weights.map((matrix) => zerosLike(matrix)),
    biases: network.biases?.map((vector) => zerosLike(vector)) ?? null,
  };
}

/**
 * Refuses a momentum outside $[0, 1)$, and velocities that are not shaped like the network's
 * parameters.
 *
 * @param network - the network the velocities follow
 * @param momentum - $\mu$ and the velocities $v$
 * @throws {@link numeric/errors!ValueError | ValueError} for $\mu$ (see {@link validateMomentum}),
 *   {@link numeric/errors!ShapeError | ShapeError} for the velocities, naming the array
 */
export function validateVelocities(network: Network, { momentum, velocities }: Momentum): void {
  validateMomentum(momentum);
  const expectShapes = (what: string, arrays: readonly (Matrix | Vector)[] | null, like: readonly (Matrix | Vector)[] | null): void => {
    if ((arrays === null) !== (like === null)) {
      throw new ShapeError(
        `velocities.${what} must be ${like === null ? "null for a network without biases" : "one array per layer"}, got ${arrays === null ? "null" : `${arrays.length} arrays`}`,
      );
    }
    if (arrays === null || like === null) return;
    if (arrays.length !== like.length)
      throw new ShapeError(`velocities.${what} must hold ${like.length} arrays, one per layer, got ${arrays.length}`);
    arrays.forEach((array, index) => {
      const expected = like[index]!.shape.join("×");
      if (array.shape.join("×") !== expected)
        throw new ShapeError(`velocities.${what}[${index}] must be ${expected}, like ${what}[${index}], got ${array.shape.join("×")}`);
    });
  };
  expectShapes("weights", velocities.weights, network.weights);
  expectShapes("biases", velocities.biases, network.biases);
}
