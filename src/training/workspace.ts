/**
 * The workspace of a training run: buffers for every quantity of a training step, made once
 * per network shape and batch size and written again by every step, so that the loop that
 * runs thousands of steps allocates no array.
 *
 * The derivation's steps each take an optional `into` (see {@link model/backprop | backprop}):
 * a workspace is the set of `into` arrays for all of them at once, plus the four rows of sums
 * that the fused update needs ({@link training/fused-update!addScaledProduct | addScaledProduct}).
 *
 * @module
 */
import { withKernelMemory, zeroVector, zeros } from "../numeric/tensor.js";
import { describeValue, ValueError } from "../numeric/errors.js";
import type { StepBuffers } from "../model/backprop.js";
import type { NetworkSpec, ParameterArrays } from "../model/network.js";
import { fusedUpdateRoom } from "./fused-update.js";

/**
 * Buffers for every quantity of a training step, for one network shape and one batch size $B$:
 * a {@link model/backprop!StepBuffers | StepBuffers} (trace, errors, deltas, gradients, delta
 * weights) for {@link model/backprop!trainingStep | trainingStep}, and room for the fused
 * update's sums.
 */
export interface Workspace extends StepBuffers {
  /** Room for the sums of the fused update of any of the network's weight matrices. */
  readonly sums: Float64Array;
}

/**
 * Refuses a batch size that is not a positive whole number: $B \ge 1$ samples per step.
 *
 * @param batchSize - $B$, as given
 * @param field - how the message names it (`batchSize`, `--batch`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<field> must be a positive integer, got <value>`
 */
export function validateBatchSize(batchSize: number, field = "batchSize"): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ValueError(`${field} must be a positive integer, got ${describeValue(batchSize)}`);
  }
}

/**
 * Buffers for every quantity of a training step of one network shape and batch size, made once
 * and reused by every step that is given them.
 *
 * `trace.outputs[0]` is an $n_0 \times B$ matrix that the caller may fill with a batch and pass
 * as the step's inputs; the step itself never writes it.
 *
 * @param spec - the network's spec: $n_0, \dots, n_L$ and whether it has biases
 * @param batchSize - $B \ge 1$, the number of samples per step
 */
export function createWorkspace(spec: NetworkSpec, batchSize: number): Workspace {
  validateBatchSize(batchSize);
  const { sizes } = spec;
  const layers = sizes.slice(1).map((units, index) => ({ units, inputs: sizes[index]! }));
  const columns = () => layers.map(({ units }) => zeros(units, batchSize));
  const parameters = (): ParameterArrays => ({
    weights: layers.map(({ units, inputs }) => zeros(units, inputs)),
    biases: spec.biases ? layers.map(({ units }) => zeroVector(units)) : null,
  });
  // In the WebAssembly kernels' memory, so that the step's products run there without a copy.
  return withKernelMemory(() => ({
    trace: { preactivations: columns(), outputs: [zeros(sizes[0]!, batchSize), ...columns()] },
    errors: columns(),
    deltas: columns(),
    gradients: parameters(),
    deltaWeights: parameters(),
    sums: zeroVector(fusedUpdateRoom(Math.max(...layers.map(({ inputs }) => inputs)))).data,
  }));
}
