/**
 * The problem every training-step contender solves: one SGD step of the seed's 784-200-10
 * network, sigmoid hidden and output layers, squared error, no biases, learning rate 0.1, on a
 * batch shaped like MNIST digits; and the cross-check that makes sure they all compute it.
 *
 * @module
 */
import { trainingStep } from "../../src/model/backprop.js";
import { createNetwork, initializeNetwork, type Network, type NetworkSpec } from "../../src/model/network.js";
import { seededRandom } from "../../src/numeric/random.js";
import { dimensions, zeros, type Matrix } from "../../src/numeric/tensor.js";

/** The seed's network: 784 inputs, 200 sigmoid hidden units, 10 sigmoid outputs, squared error, no biases. */
export const seedSpec: NetworkSpec = {
  sizes: [784, 200, 10],
  activations: ["sigmoid", "sigmoid"],
  loss: "squared_error",
  biases: false,
};

/** $n_0, n_1, n_2$ of {@link seedSpec}. */
export const seedSizes: readonly [number, number, number] = [784, 200, 10];

/** $\eta$ of the seed. */
export const seedLearningRate = 0.1;

/** Starting weights and one batch, as plain row-major arrays every contender can load. */
export interface SeedProblem {
  /** $B$. */
  readonly batchSize: number;
  /** $W^{(1)}$ ($200 \times 784$) and $W^{(2)}$ ($10 \times 200$), row-major. */
  readonly weights: readonly [Float64Array, Float64Array];
  /** $x$, $784 \times B$ row-major: one sample per column. */
  readonly inputs: Float64Array;
  /** $t$, $10 \times B$ row-major: 0.99 for the sample's class, 0.01 elsewhere. */
  readonly targets: Float64Array;
}

/**
 * The problem for a batch size: the seed's initialisation ($\mathcal N(0, n_{l-1}^{-1/2})$,
 * seed 1), pixels $0.01 + 0.99\,u$ with $u$ uniform (the seed's scaling of MNIST) and one-hot
 * targets of 0.01 and 0.99.
 *
 * Every number is rounded to the nearest float32 first, so that the float32 contenders start
 * from exactly the numbers the float64 ones start from, and the cross-check compares their
 * arithmetic and nothing else.
 *
 * @param batchSize - $B \ge 1$
 */
export function seedProblem(batchSize: number): SeedProblem {
  const network = initializeNetwork(seedSpec, { seed: 1 });
  const weights = network.weights.map((matrix) => Float64Array.from(matrix.data, Math.fround)) as [Float64Array, Float64Array];
  const random = seededRandom(2);
  const [inputUnits, , outputUnits] = seedSizes;
  const inputs = new Float64Array(inputUnits * batchSize);
  for (let index = 0; index < inputs.length; index++) inputs[index] = Math.fround(0.01 + 0.99 * random.uniform());
  const targets = new Float64Array(outputUnits * batchSize).fill(Math.fround(0.01));
  for (let b = 0; b < batchSize; b++) targets[Math.floor(random.uniform() * outputUnits) * batchSize + b] = Math.fround(0.99);
  return { batchSize, weights, inputs, targets };
}

/**
 * The problem's network as a project {@link Network} (a copy of the weights).
 *
 * @param problem - the problem
 */
export function projectNetwork(problem: SeedProblem): Network {
  return createNetwork(
    seedSpec,
    problem.weights.map((weights, index) => matrixFrom(weights, seedSizes[index + 1]!, seedSizes[index]!)),
    null,
  );
}

/**
 * A fresh row-major matrix holding a copy of row-major data.
 *
 * @param data - `rows × columns` numbers, row after row
 * @param rows - the number of rows
 * @param columns - the number of columns
 */
export function matrixFrom(data: Float64Array, rows: number, columns: number): Matrix {
  const matrix = zeros(rows, columns);
  matrix.data.set(data);
  return matrix;
}

/**
 * The entries of a matrix or matrix view, row after row, as a new array.
 *
 * @param matrix - any matrix
 */
export function rowMajor(matrix: Matrix): Float64Array {
  const [rows, columns] = dimensions(matrix);
  const result = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) result[i * columns + j] = matrix.get(i, j);
  return result;
}

/** A contender's training step, set up for one problem. */
export interface PreparedStep {
  /** One step on the problem's batch, updating the contender's own weights; returns the batch loss before the step. */
  readonly step: () => number;
  /** The contender's current $W^{(1)}$ and $W^{(2)}$, row-major, as float64. */
  readonly weights: () => readonly Float64Array[];
  /** Called before each of the contender's timing slices (for example to select its TensorFlow.js backend). */
  readonly enter?: () => Promise<void>;
  /** Frees what the contender holds outside the JavaScript heap. */
  readonly dispose?: () => void;
}

/** Whether a contender computes in float64 or float32. */
export type Precision = "float64" | "float32";

/** One way of computing the training step. */
export interface StepContender {
  /** The name printed in the tables. */
  readonly name: string;
  /** Its arithmetic. */
  readonly precision: Precision;
  /** Loads the problem's weights and batch into the contender's own structures. */
  readonly prepare: (problem: SeedProblem) => PreparedStep | Promise<PreparedStep>;
  /** Whether its step must equal the reference bit for bit (the project's own steps claim it). */
  readonly bitIdentical?: boolean;
}

/** The largest differences a contender's step may show against the reference, by precision. */
export const crossCheckTolerances: Readonly<
  Record<Precision, { readonly weights: number; readonly steps: number; readonly loss: number }>
> = {
  // Float64 contenders differ from the reference only in the order of their additions.
  float64: { weights: 1e-12, steps: 1e-12, loss: 1e-12 },
  // Float32 carries 24 bits: the updated weights and the loss come out good to about 1e-7 of
  // their size. The step W_after − W_before, read back as the difference of two float32
  // weights some 100 times larger than it, keeps about 1e-5 of its own size.
  float32: { weights: 1e-4, steps: 1e-4, loss: 1e-4 },
};

/** How far a contender's first step landed from the reference step. */
export interface CrossCheck {
  /** The contender. */
  readonly name: string;
  /** Its arithmetic, which sets the tolerances. */
  readonly precision: Precision;
  /** $B$. */
  readonly batchSize: number;
  /** The largest $|W_{\text{contender}} - W_{\text{reference}}|$ over the updated weights of a layer, divided by the layer's largest $|W_{\text{reference}}|$; the worse layer. */
  readonly weights: number;
  /** The same for the step $W_{\text{after}} - W_{\text{before}}$ (which a wrong step could not hide in). */
  readonly steps: number;
  /** $|E_{\text{contender}} - E_{\text{reference}}| / |E_{\text{reference}}|$. */
  readonly loss: number;
  /** Whether all three are within the tolerances of its precision. */
  readonly passed: boolean;
}

/** The reference result of one step: the project's allocating `trainingStep`, every quantity kept. */
export interface ReferenceStep {
  /** $W^{(1)}$ and $W^{(2)}$ after the step, row-major. */
  readonly weights: readonly Float64Array[];
  /** The batch loss before the step. */
  readonly loss: number;
}

/**
 * The reference step of a problem: `trainingStep` without a workspace, on a fresh copy of the network.
 *
 * @param problem - the problem
 */
export function referenceStep(problem: SeedProblem): ReferenceStep {
  const [inputUnits, , outputUnits] = seedSizes;
  const step = trainingStep(
    projectNetwork(problem),
    matrixFrom(problem.inputs, inputUnits, problem.batchSize),
    matrixFrom(problem.targets, outputUnits, problem.batchSize),
    seedLearningRate,
  );
  return { weights: step.updated.weights.map(rowMajor), loss: step.loss };
}

/**
 * Runs one step of a prepared contender and compares it with the reference (see {@link CrossCheck}).
 *
 * @param contender - the contender
 * @param prepared - the contender set up on `problem`, not yet stepped
 * @param problem - the problem
 * @param reference - the reference step of `problem`
 */
export function crossCheck(contender: StepContender, prepared: PreparedStep, problem: SeedProblem, reference: ReferenceStep): CrossCheck {
  const loss = prepared.step();
  const after = prepared.weights();
  let weights = 0;
  let steps = 0;
  reference.weights.forEach((expected, layer) => {
    const actual = after[layer];
    if (actual === undefined || actual.length !== expected.length) {
      weights = steps = Number.POSITIVE_INFINITY;
      return;
    }
    const before = problem.weights[layer]!;
    weights = Math.max(
      weights,
      largestRelativeDifference(actual, expected, (array, index) => array[index]!),
    );
    steps = Math.max(
      steps,
      largestRelativeDifference(actual, expected, (array, index) => array[index]! - before[index]!),
    );
  });
  const lossDifference = differenceOrInfinity(loss, reference.loss) / Math.abs(reference.loss);
  const tolerance = contender.bitIdentical === true ? { weights: 0, steps: 0, loss: 0 } : crossCheckTolerances[contender.precision];
  return {
    name: contender.name,
    precision: contender.precision,
    batchSize: problem.batchSize,
    weights,
    steps,
    loss: lossDifference,
    passed: weights <= tolerance.weights && steps <= tolerance.steps && lossDifference <= tolerance.loss,
  };
}

/**
 * $\max_i |a_i - e_i| / \max_i |e_i|$ over the entries `entry(array, i)` of both arrays;
 * infinite if an entry is not a number.
 */
function largestRelativeDifference(
  actual: Float64Array,
  expected: Float64Array,
  entry: (array: Float64Array, index: number) => number,
): number {
  let largestDifference = 0;
  let largestExpected = 0;
  for (let index = 0; index < expected.length; index++) {
    const wanted = entry(expected, index);
    largestDifference = Math.max(largestDifference, differenceOrInfinity(entry(actual, index), wanted));
    largestExpected = Math.max(largestExpected, Math.abs(wanted));
  }
  return largestDifference === 0 ? 0 : largestDifference / largestExpected;
}

function differenceOrInfinity(actual: number, expected: number): number {
  const difference = Math.abs(actual - expected);
  return Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference;
}
