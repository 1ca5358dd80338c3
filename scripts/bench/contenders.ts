/**
 * The float64 contenders of the training-step row: the project's two steps, the hand-written
 * yardstick, and the same math on `ndarray` with `ndarray-ops` and `ndarray-gemm`.
 *
 * Each contender loads the problem into its own structures once, in `prepare`; its `step` then
 * allocates nothing that the contender could avoid allocating.
 *
 * @module
 */
import gemm from "ndarray-gemm";
import ops from "ndarray-ops";
import { trainingStep } from "../../src/model/backprop.js";
import type { Network, ParameterArrays } from "../../src/model/network.js";
import { kernelStatus } from "../../src/numeric/kernel-memory.js";
import { withKernelThread } from "../../src/numeric/kernel-thread.js";
import { copyMatrix, copyVector, type Matrix, withKernelMemory, zeros } from "../../src/numeric/tensor.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { createWorkspace, type Workspace } from "../../src/training/workspace.js";
import { createHandWrittenNetwork, handWrittenStep } from "./handwritten.js";
import {
  matrixFrom,
  projectNetwork,
  rowMajor,
  seedLearningRate,
  seedSizes,
  seedSpec,
  type SeedProblem,
  type StepContender,
} from "./seed-problem.js";

/** The name of the yardstick, whose time every ratio divides by. */
export const handWrittenName = "hand-written Float64Array loop";

/**
 * The name of a TensorFlow.js contender (here, so that it is known even when TensorFlow.js
 * cannot be loaded).
 *
 * @param backend - `cpu` or `wasm`
 */
export function tensorFlowName(backend: "cpu" | "wasm"): string {
  return `TensorFlow.js ${backend} (float32)`;
}

/**
 * The project's in-place step, `fusedTrainingStep` from src/training/fused-step.ts, with a
 * workspace, on the JavaScript kernels: the network, the batch and the workspace are ordinary
 * arrays (a copy of the workspace that `createWorkspace` makes in the WebAssembly kernels' memory).
 */
export const projectDescent = projectContender(
  "backprop-ref (training step)",
  (network, inputs, targets, workspace) => fusedTrainingStep(network, inputs, targets, seedLearningRate, workspace),
  "ordinary",
);

/**
 * The same step on the WebAssembly kernels: the network, the batch and the workspace in their
 * memory, as `train` places them (src/numeric/kernel-memory.ts).
 */
export const projectWasmDescent = projectContender(
  "backprop-ref (training step, WebAssembly kernels)",
  (network, inputs, targets, workspace) => fusedTrainingStep(network, inputs, targets, seedLearningRate, workspace),
  "kernels",
);

/** The project's training step on the WebAssembly kernels with the large products split between two threads (`withKernelThread`). */
export const projectThreadedDescent = projectContender(
  "backprop-ref (training step, WebAssembly kernels, 2 threads)",
  (network, inputs, targets, workspace) => withKernelThread(() => fusedTrainingStep(network, inputs, targets, seedLearningRate, workspace)),
  "kernels",
);

/** The project's step that keeps every quantity (gradients, delta weights), `trainingStep` with a workspace, on the JavaScript kernels. */
export const projectTrainingStep = projectContender(
  "backprop-ref (every quantity kept)",
  (network, inputs, targets, workspace) => trainingStep(network, inputs, targets, seedLearningRate, workspace).loss,
  "ordinary",
);

/**
 * A contender made of one of the project's steps: the problem loaded into a network, a batch and
 * a workspace, as ordinary arrays (the JavaScript kernels multiply them) or in the WebAssembly
 * kernels' memory; the step must match the reference bit for bit. With the WebAssembly kernels
 * off (`BACKPROP_REF_KERNELS=js`), a contender that asks for them is unavailable.
 */
function projectContender(
  name: string,
  step: (network: Network, inputs: Matrix, targets: Matrix, workspace: Workspace) => number,
  memory: "ordinary" | "kernels",
): StepContender {
  return {
    name,
    precision: "float64",
    bitIdentical: true,
    prepare(problem) {
      if (memory === "kernels" && kernelStatus().kernels !== "wasm")
        throw new Error(`the WebAssembly kernels are off: ${kernelStatus().reason}`);
      const { network, inputs, targets, workspace } =
        memory === "kernels"
          ? withKernelMemory(() => ({ ...projectBatch(problem), workspace: createWorkspace(seedSpec, problem.batchSize) }))
          : { ...projectBatch(problem), workspace: ordinaryCopy(createWorkspace(seedSpec, problem.batchSize)) };
      return { step: () => step(network, inputs, targets, workspace), weights: () => network.weights.map(rowMajor) };
    },
  };
}

/** A copy of a workspace in ordinary arrays, outside the WebAssembly kernels' memory. */
function ordinaryCopy(workspace: Workspace): Workspace {
  const copies = (matrices: readonly Matrix[]): Matrix[] => matrices.map(copyMatrix);
  const parameters = ({ weights, biases }: ParameterArrays): ParameterArrays => ({
    weights: copies(weights),
    biases: biases?.map(copyVector) ?? null,
  });
  return {
    trace: { preactivations: copies(workspace.trace.preactivations), outputs: copies(workspace.trace.outputs) },
    errors: copies(workspace.errors),
    deltas: copies(workspace.deltas),
    gradients: parameters(workspace.gradients),
    deltaWeights: parameters(workspace.deltaWeights),
    sums: new Float64Array(workspace.sums.length),
  };
}

/** The yardstick of scripts/bench/handwritten.ts. */
export const handWritten: StepContender = {
  name: handWrittenName,
  precision: "float64",
  prepare(problem) {
    const network = createHandWrittenNetwork(seedSizes, problem.weights[0], problem.weights[1], problem.batchSize);
    const inputs = Float64Array.from(problem.inputs);
    const targets = Float64Array.from(problem.targets);
    return {
      step: () => handWrittenStep(network, inputs, targets, seedLearningRate),
      weights: () => [Float64Array.from(network.hiddenWeights), Float64Array.from(network.outputWeights)],
    };
  },
};

/**
 * The same math written the straightforward way on `ndarray` views: `ndarray-gemm` for the
 * three products, `ndarray-ops` for everything element-wise. Buffers are made once.
 *
 * The sigmoid is four `ndarray-ops` passes ($-z$, $e^{\cdot}$, $+1$, $1/\cdot$), since the
 * package has no sigmoid; the updates use `gemm`'s own $C \leftarrow \alpha A B + \beta C$ with
 * $\alpha = -\eta/B$, $\beta = 1$, so they too write no gradient matrix.
 */
export const ndarrayGemm: StepContender = {
  name: "ndarray + ndarray-ops + ndarray-gemm",
  precision: "float64",
  prepare(problem) {
    const [inputUnits, hiddenUnits, outputUnits] = seedSizes;
    const samples = problem.batchSize;
    const hiddenWeights = matrixFrom(problem.weights[0], hiddenUnits, inputUnits);
    const outputWeights = matrixFrom(problem.weights[1], outputUnits, hiddenUnits);
    const inputs = matrixFrom(problem.inputs, inputUnits, samples);
    const targets = matrixFrom(problem.targets, outputUnits, samples);
    const hidden = zeros(hiddenUnits, samples);
    const outputs = zeros(outputUnits, samples);
    const outputErrors = zeros(outputUnits, samples);
    const outputDeltas = zeros(outputUnits, samples);
    const outputSlopes = zeros(outputUnits, samples);
    const hiddenErrors = zeros(hiddenUnits, samples);
    const hiddenDeltas = zeros(hiddenUnits, samples);
    const hiddenSlopes = zeros(hiddenUnits, samples);
    const sigmoidInPlace = (matrix: Matrix): void => {
      ops.negeq(matrix);
      ops.expeq(matrix);
      ops.addseq(matrix, 1);
      ops.recipeq(matrix);
    };
    // f′ = o ⊙ (1 − o), written into `slopes`.
    const sigmoidSlopes = (slopes: Matrix, outputs: Matrix): void => {
      ops.muls(slopes, outputs, -1);
      ops.addseq(slopes, 1);
      ops.muleq(slopes, outputs);
    };
    const step = (): number => {
      gemm(hidden, hiddenWeights, inputs);
      sigmoidInPlace(hidden);
      gemm(outputs, outputWeights, hidden);
      sigmoidInPlace(outputs);
      ops.sub(outputErrors, outputs, targets); // o − t = −e
      const loss = (0.5 * ops.norm2squared(outputErrors)) / samples;
      sigmoidSlopes(outputSlopes, outputs);
      ops.mul(outputDeltas, outputErrors, outputSlopes);
      gemm(hiddenErrors, outputWeights.transpose(1, 0), outputDeltas);
      sigmoidSlopes(hiddenSlopes, hidden);
      ops.mul(hiddenDeltas, hiddenErrors, hiddenSlopes);
      gemm(outputWeights, outputDeltas, hidden.transpose(1, 0), -seedLearningRate / samples, 1);
      gemm(hiddenWeights, hiddenDeltas, inputs.transpose(1, 0), -seedLearningRate / samples, 1);
      return loss;
    };
    return { step, weights: () => [rowMajor(hiddenWeights), rowMajor(outputWeights)] };
  },
};

/** The problem as the project's structures: a network of its own and the batch as matrices. */
function projectBatch(problem: SeedProblem): { network: ReturnType<typeof projectNetwork>; inputs: Matrix; targets: Matrix } {
  const [inputUnits, , outputUnits] = seedSizes;
  return {
    network: projectNetwork(problem),
    inputs: matrixFrom(problem.inputs, inputUnits, problem.batchSize),
    targets: matrixFrom(problem.targets, outputUnits, problem.batchSize),
  };
}
