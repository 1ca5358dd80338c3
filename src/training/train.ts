/**
 * Training: the seed's update rule applied sample after sample (or batch after batch), epoch
 * after epoch, until the network has learnt.
 *
 * One epoch visits every training sample once, in an order shuffled afresh from a seeded
 * stream, in batches of $B$ samples ($B = 1$ is the seed's "one sample at a time"). Each batch
 * is one {@link training/fused-step!fusedTrainingStep | fusedTrainingStep}: the step of {@link model/backprop!trainingStep | trainingStep}
 * (or, on request, of the seed's {@link model/intuitive!intuitiveStep | intuitive rule}) with steps
 * 5–7 folded into one pass over each weight matrix:
 *
 * $$W^{(l)} \leftarrow W^{(l)} + \Delta W^{(l)}, \qquad \Delta W^{(l)} = -\eta\, \frac{\partial E}{\partial W^{(l)}}$$
 *
 * With momentum $\mu > 0$, the step keeps a velocity $v^{(l)}$ per layer (classical momentum,
 * Rumelhart, Hinton and Williams, 1986):
 *
 * $$v^{(l)} \leftarrow \mu\, v^{(l)} + \Delta W^{(l)}, \qquad W^{(l)} \leftarrow W^{(l)} + v^{(l)}$$
 *
 * With a learning-rate decay $\gamma < 1$, epoch $e$ steps with $\eta_e = \eta\,\gamma^{e-1}$
 * ({@link training/learning-rate-decay | learning-rate-decay}).
 *
 * With weight decay, Nielsen's $\lambda$ (`weightDecay`): the loss of the whole training set of
 * $n$ samples is the mean of their losses plus $\frac{\lambda}{2n} \sum_l \lVert W^{(l)} \rVert_F^2$, so
 * every step's loss is its batch mean plus the penalty of coefficient $\lambda' = \lambda / n$
 * ({@link model/weight-decay!stepWeightDecay | stepWeightDecay}), whatever the batch size, and its
 * step $-\eta \left(\frac1B \delta^{(l)} o^{(l-1)\top} + \lambda' W^{(l)}\right)$. The biases are not decayed.
 *
 * The steps write into buffers made once per network and batch size
 * ({@link training/workspace!createWorkspace | createWorkspace}), and the network is updated in place,
 * so the inner loop allocates no array; the numbers are bit for bit those of `trainingStep`
 * followed by the momentum term. The same seed gives the same shuffles, so the same weights
 * and history, bit for bit.
 *
 * After each epoch the network is measured on the training set and on the held-out set, and
 * the epoch's record (mean loss, both accuracies, time, samples per second) joins the history.
 * Given a validation set ({@link training/data!holdOutValidation | holdOutValidation}), the held-out
 * set measured after each epoch is the validation set, and the test set is measured once, after
 * the last epoch: a setting chosen by the epochs' numbers has then not seen the test set.
 *
 * @module
 */
import { forward } from "../model/forward.js";
import { assertIntuitiveRuleApplies } from "../model/intuitive.js";
import { validateLearningRate } from "../model/learning-rate.js";
import { stepWeightDecay, validateWeightDecay } from "../model/weight-decay.js";
import { cloneNetwork, depth, type Network } from "../model/network.js";
import { describeValue, NumericError, ValueError } from "../numeric/errors.js";
import { seededRandom, validateSeed } from "../numeric/random.js";
import { withKernelThread } from "../numeric/kernel-thread.js";
import { type Matrix, withKernelMemory, zeros } from "../numeric/tensor.js";
import { assertOutputUnits, classTargets, predictedClass, shuffle, targetLevels, type TargetLevels } from "./data.js";
import { validateDataset, type Dataset } from "./dataset.js";
import { fusedTrainingStep, type TrainingRule, trainingRules } from "./fused-step.js";
import { epochLearningRates, validateLearningRateDecay } from "./learning-rate-decay.js";
import { validateMomentum, zeroVelocities } from "./momentum.js";
import { createWorkspace, validateBatchSize, type Workspace } from "./workspace.js";

/** How to train; every field but `epochs` and `learningRate` has a default. */
export interface TrainingOptions {
  /** How many passes over the training set. */
  readonly epochs: number;
  /** $\eta$, the step size. */
  readonly learningRate: number;
  /** $B$, samples per step. Default 1, the seed's one sample at a time. */
  readonly batchSize?: number;
  /** $\mu \in [0, 1)$, the momentum. Default 0 (plain stochastic gradient descent). */
  readonly momentum?: number;
  /** $\gamma \in (0, 1]$: epoch $e$ steps with $\eta\,\gamma^{e-1}$. Default 1, a constant rate. */
  readonly learningRateDecay?: number;
  /** The update rule. Default `exact`. */
  readonly rule?: TrainingRule;
  /** The seed of the shuffles. Default 1. */
  readonly seed?: number;
  /**
   * $\lambda \ge 0$, Nielsen's regularisation parameter: the penalty $\frac{\lambda}{2n} \sum_l \lVert W^{(l)} \rVert_F^2$
   * over the $n$ training samples, so that each step's coefficient is $\lambda' = \lambda / n$
   * (see {@link model/weight-decay | weight-decay}). Default 0, no weight decay.
   */
  readonly weightDecay?: number;
}

/** The samples of a training run: those to train on, the test set and, if any, a validation set. */
export interface TrainingData {
  /** The samples to train on. */
  readonly train: Dataset;
  /** The test set: measured after each epoch, or, with a validation set, once after the last. */
  readonly test: Dataset;
  /** Held-out samples to measure after each epoch instead of the test set. */
  readonly validation?: Dataset;
}

/** What one epoch did. */
export interface EpochRecord {
  /** The epoch, from 1. */
  readonly epoch: number;
  /** $\eta_e$, the learning rate of the epoch's steps ($\eta$ itself without a decay). */
  readonly learningRate: number;
  /** The mean over the epoch's samples of the loss, each measured before its step (with the weight-decay penalty of its step, if any). */
  readonly loss: number;
  /** The fraction of training samples classified correctly after the epoch. */
  readonly trainAccuracy: number;
  /** The fraction of the test set classified correctly after the epoch; absent when a validation set is measured instead. */
  readonly testAccuracy?: number;
  /** The fraction of the validation set classified correctly after the epoch; present only when there is one. */
  readonly validationAccuracy?: number;
  /** Wall-clock seconds of the epoch's steps (not of the measurements). */
  readonly seconds: number;
  /** Training samples per second during the epoch's steps. */
  readonly samplesPerSecond: number;
}

/** Where training stands, as reported to a progress bar. */
export interface TrainingProgress {
  /** The current epoch, from 1. */
  readonly epoch: number;
  /** The number of epochs. */
  readonly epochs: number;
  /** Samples of this epoch done so far. */
  readonly samplesDone: number;
  /** Samples per epoch. */
  readonly samples: number;
  /** Samples per second so far in this epoch. */
  readonly samplesPerSecond: number;
  /** The mean loss of this epoch's samples so far. */
  readonly runningLoss: number;
}

/** Whom to tell about progress; both are optional. */
export interface TrainingObserver {
  /** Called every few hundred samples. */
  readonly progress?: (progress: TrainingProgress) => void;
  /** Called after each epoch with its record. */
  readonly epoch?: (record: EpochRecord) => void;
}

/** A trained network and how it got there. */
export interface TrainingResult {
  /** The network after the last epoch (a copy; the network passed in is not changed). */
  readonly network: Network;
  /** One record per epoch. */
  readonly history: readonly EpochRecord[];
  /** Which held-out set each record measured: `validation` when there is one, else `test`. */
  readonly measuredEachEpoch: "validation" | "test";
  /** The fraction of the test set the trained network classifies correctly (the last record's, without a validation set). */
  readonly testAccuracy: number;
}

/** How many samples pass between two progress reports. */
export const progressInterval = 250;

/**
 * Trains a copy of a network on a training set, measuring it after each epoch on the training
 * set and a held-out set: the validation set if there is one, else the test set. With a
 * validation set, the test set is measured once, after the last epoch.
 *
 * @param network - the starting network (left unchanged)
 * @param data - the training, test and (optional) validation samples
 * @param options - epochs, learning rate and its decay, batch size, momentum, rule, seed and weight decay
 * @param observer - called with progress and with each epoch's record
 * @throws {@link numeric/errors!ValueError | ValueError} for options out of range,
 *   {@link numeric/errors!ShapeError | ShapeError} for a dataset that does not fit the network,
 *   {@link numeric/errors!NumericError | NumericError} when the loss stops being finite (a learning rate too large),
 *   {@link numeric/errors!SpecError | SpecError} for the intuitive rule on a network with a `softmax` layer
 */
export function train(network: Network, data: TrainingData, options: TrainingOptions, observer: TrainingObserver = {}): TrainingResult {
  // The large products of every step and measurement split between two threads where the
  // machine has two cores: the same numbers, sooner (see numeric/kernel-thread).
  return withKernelThread(() => trainCopy(network, data, options, observer));
}

/** {@link train}, on whichever threads the kernels use. */
function trainCopy(network: Network, data: TrainingData, options: TrainingOptions, observer: TrainingObserver): TrainingResult {
  const {
    epochs,
    learningRate,
    learningRateDecay,
    batchSize,
    momentum,
    rule,
    seed,
    weightDecay: lambda,
  } = validateTraining(network, data, options);
  const { spec } = network;
  const rates = epochLearningRates(learningRate, learningRateDecay, epochs);

  // The weights that every step multiplies, in the WebAssembly kernels' memory beside the workspace.
  const trained = withKernelMemory(() => cloneNetwork(network));
  const levels = targetLevels(spec);
  const targets = classTargets(data.train, spec.sizes[depth(spec)]!, levels);
  const samples = data.train.labels.length;
  const weightDecay = stepWeightDecay(lambda, samples);
  const order = Int32Array.from({ length: samples }, (_, index) => index);
  const random = seededRandom(seed);
  // A full batch's buffers, and a smaller batch's for the remainder of an epoch if B does not divide N.
  const full = batchBuffers(trained, Math.min(batchSize, samples));
  const remainder = samples % batchSize === 0 || batchSize > samples ? full : batchBuffers(trained, samples % batchSize);
  const velocities = momentum > 0 ? zeroVelocities(trained) : null;
  const measure = evaluator(trained, levels);
  const history: EpochRecord[] = [];

  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffle(order, random);
    const rate = rates[epoch - 1]!;
    const started = performance.now();
    let lossSum = 0;
    for (let start = 0; start < samples;) {
      const buffers = samples - start >= full.size ? full : remainder;
      copyColumns(data.train.inputs, order, start, buffers.inputs);
      copyColumns(targets, order, start, buffers.targets);
      const loss = fusedTrainingStep(trained, buffers.inputs, buffers.targets, rate, buffers.workspace, {
        rule,
        weightDecay,
        ...(velocities === null ? {} : { momentum: { momentum, velocities } }),
      });
      if (!Number.isFinite(loss)) {
        throw new NumericError(
          `training diverged in epoch ${epoch} after ${start} samples: the loss is ${loss}; try a smaller learning rate than ${rate}`,
        );
      }
      lossSum += loss * buffers.size;
      const before = start;
      start += buffers.size;
      if (
        observer.progress !== undefined &&
        (Math.floor(start / progressInterval) > Math.floor(before / progressInterval) || start === samples)
      ) {
        const seconds = (performance.now() - started) / 1000;
        observer.progress({ epoch, epochs, samplesDone: start, samples, samplesPerSecond: start / seconds, runningLoss: lossSum / start });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const record: EpochRecord = {
      epoch,
      learningRate: rate,
      loss: lossSum / samples,
      trainAccuracy: measure(data.train),
      ...(data.validation === undefined ? { testAccuracy: measure(data.test) } : { validationAccuracy: measure(data.validation) }),
      seconds,
      samplesPerSecond: samples / seconds,
    };
    history.push(record);
    observer.epoch?.(record);
  }
  const testAccuracy = data.validation === undefined ? history[history.length - 1]!.testAccuracy! : measure(data.test);
  return { network: trained, history, measuredEachEpoch: data.validation === undefined ? "test" : "validation", testAccuracy };
}

/**
 * The fraction of a dataset's samples that a network classifies correctly (see
 * {@link training/data!predictedClass | predictedClass}).
 *
 * @param network - the network
 * @param dataset - labelled samples with $n_0$ features
 */
export function accuracy(network: Network, dataset: Dataset): number {
  validateDataset(dataset, network.spec.sizes[0]);
  return withKernelThread(() => evaluator(network, targetLevels(network.spec))(dataset));
}

/**
 * Checks everything {@link train} needs before it starts, so that a caller can refuse bad
 * options before it prints or saves anything, and returns the options with their defaults.
 *
 * @param network - the starting network
 * @param data - the training, test and (optional) validation samples
 * @param options - the training options
 * @throws what {@link train} throws before its first step
 */
export function validateTraining(network: Network, data: TrainingData, options: TrainingOptions): Required<TrainingOptions> {
  const complete: Required<TrainingOptions> = {
    epochs: options.epochs,
    learningRate: options.learningRate,
    learningRateDecay: options.learningRateDecay ?? 1,
    batchSize: options.batchSize ?? 1,
    momentum: options.momentum ?? 0,
    rule: options.rule ?? "exact",
    seed: options.seed ?? 1,
    weightDecay: options.weightDecay ?? 0,
  };
  validateTrainingOptions(complete);
  const { spec } = network;
  validateDataset(data.train, spec.sizes[0]);
  validateDataset(data.test, spec.sizes[0]);
  if (data.validation !== undefined) validateDataset(data.validation, spec.sizes[0]);
  assertOutputUnits(spec.sizes[depth(spec)]!, data.train.classes.length);
  if (complete.rule === "intuitive") assertIntuitiveRuleApplies(spec);
  return complete;
}

/**
 * The most epochs one run may take: 100,000 (XOR's 4,000 by default, the MNIST table's tens).
 * The history keeps a record per epoch, so a mistyped `--epochs 1e9` would grow it until
 * memory runs out instead of training.
 */
export const maximumEpochs = 100_000;

/**
 * The rule for the number of epochs: an integer from 1 to {@link maximumEpochs}.
 *
 * @param epochs - the number, as given
 * @param field - how the message names it (`epochs`, `--epochs`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<field> must be an integer from 1 to 100000, got <value>`
 */
export function validateEpochs(epochs: number, field = "epochs"): void {
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > maximumEpochs) {
    throw new ValueError(`${field} must be an integer from 1 to ${maximumEpochs}, got ${describeValue(epochs)}`);
  }
}

/**
 * Checks training options and throws a {@link numeric/errors!ValueError | ValueError} naming the first
 * one out of range.
 *
 * @param options - the options, every field given
 */
export function validateTrainingOptions(options: Required<TrainingOptions>): void {
  const { epochs, learningRate, learningRateDecay, batchSize, momentum, rule, seed, weightDecay } = options;
  validateEpochs(epochs);
  validateLearningRate(learningRate);
  validateLearningRateDecay(learningRateDecay);
  validateWeightDecay(weightDecay);
  validateBatchSize(batchSize);
  validateMomentum(momentum);
  if (!(trainingRules as readonly string[]).includes(rule))
    throw new ValueError(`rule must be one of ${trainingRules.join(", ")}, got ${JSON.stringify(rule)}`);
  validateSeed(seed);
}

interface BatchBuffers {
  readonly size: number;
  readonly workspace: Workspace;
  readonly inputs: Matrix;
  readonly targets: Matrix;
}

function batchBuffers(network: Network, size: number): BatchBuffers {
  const workspace = createWorkspace(network.spec, size);
  return { size, workspace, inputs: workspace.trace.outputs[0]!, targets: zeros(network.spec.sizes[depth(network.spec)]!, size) };
}

/** Copies the columns `order[start]`, `order[start + 1]`, … of `source` into the columns of `into`. */
function copyColumns(source: Matrix, order: Int32Array, start: number, into: Matrix): void {
  const [rows, columns] = [into.shape[0]!, into.shape[1]!];
  const [from, to] = [source.data, into.data];
  for (let b = 0; b < columns; b++) {
    const column = order[start + b]!;
    let read = source.offset + column * source.stride[1]!;
    let write = into.offset + b * into.stride[1]!;
    for (let i = 0; i < rows; i++, read += source.stride[0]!, write += into.stride[0]!) to[write] = from[read]!;
  }
}

/**
 * How many samples {@link accuracy} and the measurements after each epoch put through one
 * forward pass. Each product then runs as a matrix product over many samples: the forward pass
 * of 784-200-10 took 48 µs a sample alone and 20 µs a sample in batches of 64 on the WebAssembly
 * kernels, and 28 µs in batches of 256, whose $784 \times 256$ inputs (1.6 MB) no longer stay
 * in the processor's nearest caches.
 */
const measuredBatch = 64;

/**
 * A function measuring accuracy, in batches of {@link measuredBatch} samples (and one smaller
 * batch for the rest) whose buffers are made once per size and kept.
 *
 * The batches change no prediction: every entry of $W o$ is the same sum, in the same order,
 * whether its column is computed alone or beside others, and every activation and loss works
 * column by column, so each sample's outputs are bit for bit those of its own forward pass
 * (`spec/training/train.spec.ts` holds it to that).
 */
function evaluator(network: Network, levels: TargetLevels): (dataset: Dataset) => number {
  const buffers = new Map<number, BatchBuffers>();
  const buffersFor = (size: number): BatchBuffers => {
    let made = buffers.get(size);
    if (made === undefined) buffers.set(size, (made = batchBuffers(network, size)));
    return made;
  };
  return (dataset) => {
    const count = dataset.labels.length;
    const order = Int32Array.from({ length: count }, (_, index) => index);
    let correct = 0;
    for (let start = 0; start < count; start += measuredBatch) {
      const batch = buffersFor(Math.min(measuredBatch, count - start));
      copyColumns(dataset.inputs, order, start, batch.inputs);
      const { outputs } = forward(network, batch.inputs, batch.workspace.trace);
      const last = outputs[outputs.length - 1]!;
      for (let b = 0; b < batch.size; b++) if (predictedClass(last, b, levels) === dataset.labels[start + b]) correct++;
    }
    return correct / count;
  };
}
