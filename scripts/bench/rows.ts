/**
 * The rows of the benchmark, one function each: the training step against its yardstick, the
 * forward pass, the entry-by-entry and the directional gradient checks against the passes they
 * cannot do without, the property suite's throughput, and the heap over ten epochs.
 *
 * @module
 */
import fc from "fast-check";
import { parseCase } from "../../src/conformance/case-format.js";
import { backpropagate } from "../../src/model/backprop.js";
import { forward, networkLoss } from "../../src/model/forward.js";
import { initializeNetwork, type NetworkSpec, parameterCount } from "../../src/model/network.js";
import { kernelMemoryUsage } from "../../src/numeric/kernel-memory.js";
import { seededRandom } from "../../src/numeric/random.js";
import { type Matrix, zeros } from "../../src/numeric/tensor.js";
import { directionalCheck } from "../../src/oracles/directional.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { firstSamples } from "../../src/training/data.js";
import { mnistDataset } from "../../src/training/mnist.js";
import { train } from "../../src/training/train.js";
import { createWorkspace } from "../../src/training/workspace.js";

import { handWrittenName } from "./contenders.js";
import { collectGarbage, garbageCollectorExposed, timeInterleaved, type HarnessOptions, type Timing } from "./harness.js";
import { createHandWrittenNetwork, handWrittenForward } from "./handwritten.js";
import {
  crossCheck,
  matrixFrom,
  projectNetwork,
  referenceStep,
  rowMajor,
  seedProblem,
  seedSizes,
  seedSpec,
  type CrossCheck,
  type PreparedStep,
  type Precision,
  type StepContender,
} from "./seed-problem.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

/** Raised when a contender's step does not compute what the reference computes; the benchmark stops. */
export class CrossCheckError extends Error {
  override readonly name = "CrossCheckError";
}

/** One contender's line in a timed row. */
export interface ContenderResult {
  /** The contender. */
  readonly name: string;
  /** Its arithmetic. */
  readonly precision: Precision;
  /** Whether it ran; `false` with a reason when it could not be set up. */
  readonly available: boolean;
  /** Why it did not run. */
  readonly reason: string | null;
  /** The median time per sample, in microseconds. */
  readonly microsecondsPerSample: number;
  /** The interquartile range of the per-round times over their median. */
  readonly relativeSpread: number;
  /** Its time divided by the yardstick's. */
  readonly ratioToYardstick: number;
  /** The number of steps timed. */
  readonly iterations: number;
}

/** The training-step row at one batch size. */
export interface TrainingStepRow {
  /** $B$. */
  readonly batchSize: number;
  /** One line per contender, in the order given. */
  readonly contenders: readonly ContenderResult[];
  /** How far each contender's first step was from the reference. */
  readonly crossChecks: readonly CrossCheck[];
}

/**
 * Row 1 at one batch size: cross-checks every contender's first step against the reference,
 * then times their steps in interleaved rounds.
 *
 * @param batchSize - $B$
 * @param contenders - the contenders, the yardstick among them
 * @param harness - warm-up, slices and rounds
 * @param log - where to say what is happening
 * @throws {@link CrossCheckError} if a contender's step differs from the reference
 */
export async function trainingStepRow(
  batchSize: number,
  contenders: readonly { readonly contender: StepContender; readonly unavailable: string | null }[],
  harness: HarnessOptions,
  log: (line: string) => void,
): Promise<TrainingStepRow> {
  const problem = seedProblem(batchSize);
  const reference = referenceStep(problem);
  const prepared: { contender: StepContender; step: PreparedStep }[] = [];
  const unavailable = new Map<string, string>();
  const crossChecks: CrossCheck[] = [];
  for (const { contender, unavailable: reason } of contenders) {
    if (reason !== null) {
      unavailable.set(contender.name, reason);
      continue;
    }
    let step: PreparedStep;
    try {
      step = await contender.prepare(problem);
    } catch (error) {
      unavailable.set(contender.name, `could not be set up: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const check = crossCheck(contender, step, problem, reference);
    crossChecks.push(check);
    if (!check.passed) {
      throw new CrossCheckError(
        `${contender.name} does not compute the reference step at batch ${batchSize}: ` +
          `updated weights differ by ${check.weights.toExponential(2)}, the step by ${check.steps.toExponential(2)}, ` +
          `the loss by ${check.loss.toExponential(2)} (relative; ${contender.precision} tolerances in scripts/bench/seed-problem.ts). ` +
          `Timing it would compare different math.`,
      );
    }
    prepared.push({ contender, step });
  }
  log(`training step, batch ${batchSize}: cross-check passed for ${prepared.length} contenders; timing`);
  const timings = await timeInterleaved(
    prepared.map(({ contender, step }) => ({
      name: contender.name,
      run: step.step,
      ...(step.enter === undefined ? {} : { enter: step.enter }),
    })),
    harness,
  );
  for (const { step } of prepared) step.dispose?.();
  const yardstick = timings.find((timing) => timing.name === handWrittenName);
  const results = contenders.map(({ contender }): ContenderResult => {
    const timing = timings.find((candidate) => candidate.name === contender.name);
    if (timing === undefined) return unavailableResult(contender, unavailable.get(contender.name) ?? "not run");
    return {
      name: contender.name,
      precision: contender.precision,
      available: true,
      reason: null,
      microsecondsPerSample: (timing.medianMilliseconds * 1000) / batchSize,
      relativeSpread: timing.relativeSpread,
      ratioToYardstick: yardstick === undefined ? Number.NaN : timing.medianMilliseconds / yardstick.medianMilliseconds,
      iterations: timing.iterations,
    };
  });
  return { batchSize, contenders: results, crossChecks };
}

function unavailableResult(contender: StepContender, reason: string): ContenderResult {
  return {
    name: contender.name,
    precision: contender.precision,
    available: false,
    reason,
    microsecondsPerSample: Number.NaN,
    relativeSpread: Number.NaN,
    ratioToYardstick: Number.NaN,
    iterations: 0,
  };
}

/** A row that times one thing against its baseline. */
export interface ComparisonRow {
  /** What is measured. */
  readonly subject: string;
  /** What it is measured against. */
  readonly baseline: string;
  /** The subject's median time, in the row's unit. */
  readonly subjectTime: number;
  /** The baseline's median time, in the row's unit. */
  readonly baselineTime: number;
  /** `µs/sample` or `ms`. */
  readonly unit: string;
  /** The subject's spread (interquartile range over median). */
  readonly subjectSpread: number;
  /** The baseline's spread. */
  readonly baselineSpread: number;
  /** Subject time over baseline time. */
  readonly ratio: number;
  /** Anything else worth printing. */
  readonly note: string;
}

/**
 * Row 2 at one batch size: the project's `forward` into a workspace's trace against the
 * hand-written forward pass, after checking that they give the same outputs.
 *
 * @param batchSize - $B$
 * @param harness - warm-up, slices and rounds
 */
export async function forwardRow(batchSize: number, harness: HarnessOptions): Promise<ComparisonRow> {
  const problem = seedProblem(batchSize);
  const [inputUnits] = seedSizes;
  const network = projectNetwork(problem);
  const workspace = createWorkspace(seedSpec, batchSize);
  const inputs = matrixFrom(problem.inputs, inputUnits, batchSize);
  const handNetwork = createHandWrittenNetwork(seedSizes, problem.weights[0], problem.weights[1], batchSize);
  const handInputs = Float64Array.from(problem.inputs);
  const projectOutputs = rowMajor(forward(network, inputs, workspace.trace).outputs[2]!);
  const handOutputs = handWrittenForward(handNetwork, handInputs);
  const difference = Math.max(...projectOutputs.map((value, index) => Math.abs(value - handOutputs[index]!)));
  if (!(difference <= 1e-12))
    throw new CrossCheckError(`the hand-written forward pass differs from forward by ${difference} at batch ${batchSize}`);
  const [project, hand] = await timeInterleaved(
    [
      { name: "forward", run: () => forward(network, inputs, workspace.trace) },
      { name: "hand-written forward", run: () => handWrittenForward(handNetwork, handInputs) },
    ],
    harness,
  );
  return comparison(
    `backprop-ref forward, batch ${batchSize}`,
    `hand-written forward, batch ${batchSize}`,
    project!,
    hand!,
    (milliseconds) => (milliseconds * 1000) / batchSize,
    "µs/sample",
    "",
  );
}

/**
 * Row 3: the full central-difference check of a 4-8-8-3 network with biases (sigmoid and tanh
 * hidden layers, softmax with cross-entropy, batch 4) against the $2P + 1$ forward passes
 * (`networkLoss`) it cannot do without.
 *
 * @param harness - warm-up, slices and rounds
 */
export async function gradientCheckRow(harness: HarnessOptions): Promise<ComparisonRow> {
  const spec: NetworkSpec = { sizes: [4, 8, 8, 3], activations: ["sigmoid", "tanh", "softmax"], loss: "cross_entropy", biases: true };
  const network = initializeNetwork(spec, { scheme: "xavier_normal", seed: 3 });
  const random = seededRandom(4);
  network.biases!.forEach((bias) => bias.data.forEach((_, index) => (bias.data[index] = 0.2 * random.normal(0, 1))));
  const samples = 4;
  const inputs = randomMatrix(spec.sizes[0]!, samples, () => random.uniform() * 2 - 1);
  const targets = zeros(3, samples);
  for (let b = 0; b < samples; b++) targets.set(Math.floor(random.uniform() * 3), b, 1);
  const report = checkGradients(network, inputs, targets);
  if (!report.passed)
    throw new Error(
      `the gradient check of the 4-8-8-3 network failed (worst relative error ${report.maxRelativeError}); the row would time a failing check`,
    );
  const passes = 2 * parameterCount(spec) + 1;
  const [check, baseline] = await timeInterleaved(
    [
      { name: "checkGradients", run: () => checkGradients(network, inputs, targets) },
      {
        name: `${passes} × networkLoss`,
        run: () => {
          let sum = 0;
          for (let pass = 0; pass < passes; pass++) sum += networkLoss(network, inputs, targets);
          return sum;
        },
      },
    ],
    harness,
  );
  return comparison(
    "checkGradients, 4-8-8-3 with biases, batch 4",
    `its ${passes} = 2P+1 forward passes (networkLoss), P = ${parameterCount(spec)}`,
    check!,
    baseline!,
    (milliseconds) => milliseconds,
    "ms",
    `${report.entries.length} entries checked`,
  );
}

/**
 * Row 4: the directional check of the seed's 784-200-10 network (4 directions, batch 10)
 * against one `backpropagate` of the same network and batch.
 *
 * @param harness - warm-up, slices and rounds
 */
export async function directionalRow(harness: HarnessOptions): Promise<ComparisonRow> {
  const samples = 10;
  const problem = seedProblem(samples);
  const network = projectNetwork(problem);
  const [inputUnits, , outputUnits] = seedSizes;
  const inputs = matrixFrom(problem.inputs, inputUnits, samples);
  const targets = matrixFrom(problem.targets, outputUnits, samples);
  const report = directionalCheck(network, inputs, targets);
  if (!report.passed) throw new Error(`the directional check of 784-200-10 failed (worst relative error ${report.maxRelativeError})`);
  const [check, baseline] = await timeInterleaved(
    [
      { name: "directionalCheck", run: () => directionalCheck(network, inputs, targets) },
      { name: "backpropagate", run: () => backpropagate(network, inputs, targets) },
    ],
    harness,
  );
  return comparison(
    "directionalCheck, 784-200-10, batch 10, 4 directions",
    "one backpropagate of the same network and batch",
    check!,
    baseline!,
    (milliseconds) => milliseconds,
    "ms",
    "",
  );
}

/** Row 5: how fast the property suite's gradient check runs. */
export interface PropertySuiteRow {
  /** The number of generated cases. */
  readonly cases: number;
  /** Cases generated per second by `fc.sample(caseDocument(), …)` (filter included). */
  readonly generatedPerSecond: number;
  /** Cases parsed and checked per second (median over passes). */
  readonly checkedPerSecond: number;
  /** The spread of the per-pass checking times. */
  readonly relativeSpread: number;
  /** The number of timed passes over all the cases. */
  readonly passes: number;
}

/**
 * Row 5: the property "analytic gradients agree with central differences …" of
 * spec/model/backprop.spec.ts, as throughput. The cases come from the same generator,
 * `fc.sample(caseDocument(), { numRuns, seed: 1 })`, made (and timed) before the checks; each
 * check does what the property's body does: `parseCase`, `checkGradients`, and a look at
 * `passed`.
 *
 * @param cases - how many cases to generate
 * @param passes - how many times to check them all (the median pass counts)
 */
export async function propertySuiteRow(cases: number, passes: number): Promise<PropertySuiteRow> {
  const generationStarted = performance.now();
  const documents = fc.sample(caseDocument(), { numRuns: cases, seed: 1 });
  const generationSeconds = (performance.now() - generationStarted) / 1000;
  const checkAll = (): number => {
    let failed = 0;
    for (const document of documents) {
      const { network, inputs, targets } = parseCase(document);
      if (!checkGradients(network, inputs, targets).passed) failed++;
    }
    return failed;
  };
  const failed = checkAll();
  if (failed > 0)
    throw new Error(`${failed} of the ${cases} generated cases failed the gradient check; the property suite itself would fail`);
  const [timing] = await timeInterleaved([{ name: "property", run: checkAll }], {
    warmupMilliseconds: 0,
    sliceMilliseconds: 0,
    rounds: passes,
  });
  return {
    cases,
    generatedPerSecond: cases / generationSeconds,
    checkedPerSecond: cases / (timing!.medianMilliseconds / 1000),
    relativeSpread: timing!.relativeSpread,
    passes,
  };
}

/** Row 6: the heap over the epochs of a training run. */
export interface MemoryRow {
  /** Whether `global.gc` was exposed; without it the row is skipped. */
  readonly measured: boolean;
  /** Training samples and held-out samples used. */
  readonly trainingSamples: number;
  /** Held-out samples measured after each epoch. */
  readonly testSamples: number;
  /** Whether the samples are MNIST digits (else synthetic). */
  readonly dataset: string;
  /** `heapUsed` after a full collection, in KiB, before training and after each epoch. */
  readonly heapBeforeKibibytes: number;
  /** `heapUsed` after each epoch's full collection, KiB. */
  readonly heapAfterEpochKibibytes: readonly number[];
  /** The heap after the last epoch minus after the first, KiB. */
  readonly lastGrowthKibibytes: number;
  /** The largest heap after epochs 2–10 minus after the first, KiB. */
  readonly maximumGrowthKibibytes: number;
  /** The least-squares slope of the heap over epochs 2–10, KiB per epoch. */
  readonly growthPerEpochKibibytes: number;
  /** Whether the heap stayed flat (see {@link memoryRow}). */
  readonly flat: boolean;
  /** The top of the WebAssembly kernels' memory (the bytes its allocator has handed out) after each epoch, KiB; zeros when the kernels are off. */
  readonly kernelMemoryAfterEpochKibibytes: readonly number[];
  /** Seconds the training took. */
  readonly seconds: number;
}

/**
 * Row 6: trains the seed's network for 10 epochs on a part of MNIST with `train`, collecting
 * the garbage and reading `process.memoryUsage().heapUsed` after every epoch (from the
 * observer's `epoch` callback). The heap is called flat when, after epoch 1 (by which every
 * buffer exists and the code is compiled), it has grown at every later epoch by less than 1 %
 * of itself or 256 KiB, whichever is larger. A leak in the loop would show as growth that
 * goes on from epoch to epoch (see `growthPerEpochKibibytes`). In full benchmark runs the heap
 * has shown a single step of 100–250 KiB between two late epochs and then stayed level, which
 * a leak would not do; in a process of its own the row grew by 26 KiB over 20 epochs.
 *
 * @param trainingSamples - how many MNIST training digits to train on
 * @param testSamples - how many held-out digits to measure after each epoch
 * @param epochs - the number of epochs (10 for the row)
 */
export function memoryRow(trainingSamples: number, testSamples: number, epochs: number): MemoryRow {
  const kibibytes = (): number => process.memoryUsage().heapUsed / 1024;
  if (!garbageCollectorExposed()) {
    return {
      measured: false,
      trainingSamples,
      testSamples,
      dataset: "MNIST",
      heapBeforeKibibytes: Number.NaN,
      heapAfterEpochKibibytes: [],
      lastGrowthKibibytes: Number.NaN,
      maximumGrowthKibibytes: Number.NaN,
      growthPerEpochKibibytes: Number.NaN,
      flat: false,
      kernelMemoryAfterEpochKibibytes: [],
      seconds: 0,
    };
  }
  const mnist = mnistDataset();
  const data = { train: firstSamples(mnist.train, trainingSamples), test: firstSamples(mnist.test, testSamples) };
  const network = initializeNetwork(seedSpec, { seed: 1 });
  collectGarbage();
  const before = kibibytes();
  const heaps: number[] = [];
  const kernelTops: number[] = [];
  const started = performance.now();
  train(
    network,
    data,
    { epochs, learningRate: 0.1, batchSize: 1, seed: 1 },
    {
      epoch: () => {
        collectGarbage();
        heaps.push(kibibytes());
        kernelTops.push(kernelMemoryUsage().top / 1024);
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const first = heaps[0]!;
  const later = heaps.slice(1);
  const growths = later.map((heap) => heap - first);
  const maximumGrowth = Math.max(0, ...growths);
  const allowance = Math.max(0.01 * first, 256);
  return {
    measured: true,
    trainingSamples,
    testSamples,
    dataset: "MNIST",
    heapBeforeKibibytes: before,
    heapAfterEpochKibibytes: heaps,
    lastGrowthKibibytes: heaps[heaps.length - 1]! - first,
    maximumGrowthKibibytes: maximumGrowth,
    growthPerEpochKibibytes: slope(later),
    flat: growths.every((growth) => growth < allowance),
    kernelMemoryAfterEpochKibibytes: kernelTops,
    seconds,
  };
}

/** The least-squares slope of values against their index; 0 for fewer than two. */
function slope(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const meanIndex = (values.length - 1) / 2;
  const meanValue = values.reduce((sum, value) => sum + value, 0) / values.length;
  let numerator = 0;
  let denominator = 0;
  values.forEach((value, index) => {
    numerator += (index - meanIndex) * (value - meanValue);
    denominator += (index - meanIndex) ** 2;
  });
  return numerator / denominator;
}

function comparison(
  subject: string,
  baseline: string,
  subjectTiming: Timing,
  baselineTiming: Timing,
  unit: (milliseconds: number) => number,
  unitName: string,
  note: string,
): ComparisonRow {
  return {
    subject,
    baseline,
    subjectTime: unit(subjectTiming.medianMilliseconds),
    baselineTime: unit(baselineTiming.medianMilliseconds),
    unit: unitName,
    subjectSpread: subjectTiming.relativeSpread,
    baselineSpread: baselineTiming.relativeSpread,
    ratio: subjectTiming.medianMilliseconds / baselineTiming.medianMilliseconds,
    note,
  };
}

function randomMatrix(rows: number, columns: number, draw: () => number): Matrix {
  const matrix = zeros(rows, columns);
  for (let index = 0; index < matrix.data.length; index++) matrix.data[index] = draw();
  return matrix;
}
