/**
 * The `train`, `predict` and `demo` commands.
 *
 * `npx backprop-ref train --dataset mnist` trains the seed's network on the MNIST digits (every
 * option has the seed's value as its default), shows a progress bar while it trains when
 * standard output is a terminal, prints the history as a table and the held-out accuracy, and
 * with `--save model.json` writes the model and, next to it, a plot of the loss and the
 * accuracies (`model.svg`). With `--json` it prints the history as a `backprop-ref/history@1`
 * document instead. `npx backprop-ref predict --model model.json` classifies the samples of a
 * file or of standard input. `npx backprop-ref demo` is `npm start`: a gradient check of the
 * seed's network, then the seed's setting (10 epochs on the digits, the exact rule).
 *
 * Bad input (an unknown dataset, options out of range, a malformed model or input file) is
 * reported with the library's message and exit status 2.
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { forward } from "../model/forward.js";
import { depth, type InitializationScheme, initializationSchemes, initializeNetwork, type NetworkSpec } from "../model/network.js";
import { BackpropRefError, FormatError, ValueError } from "../numeric/errors.js";
import { formatJson } from "../numeric/json.js";
import { matrixFromRows, transposed } from "../numeric/tensor.js";
import { formatCheckReport, runChecks } from "../oracles/check.js";
import { table } from "../oracles/gradcheck.js";
import { classTargets, type DatasetName, type DatasetSplit, firstSamples, loadDataset, predictedClass, scaleFeatures, targetLevels } from "../training/data.js";
import type { TrainingRule } from "../training/fused-step.js";
import { formatModel, readModel } from "../training/model-file.js";
import { historyPlot } from "../training/plot.js";
import { type EpochRecord, train } from "../training/train.js";
import type { CommandIo } from "./index.js";

/** The format name of the history document that `train --json` prints. */
export const historyFormat = "backprop-ref/history@1";

/** What `train` does on a dataset when no option says otherwise. */
export interface DatasetDefaults {
  /** $n_0, \dots, n_L$. */
  readonly sizes: readonly number[];
  /** Whether the layers have biases. */
  readonly biases: boolean;
  /** Passes over the training set. */
  readonly epochs: number;
  /** $\eta$. */
  readonly learningRate: number;
}

/** The defaults of `train` for each dataset: the seed's setting for MNIST. */
export const datasetDefaults: Readonly<Record<DatasetName, DatasetDefaults>> = {
  mnist: { sizes: [784, 200, 10], biases: false, epochs: 10, learningRate: 0.1 },
  iris: { sizes: [4, 8, 3], biases: true, epochs: 100, learningRate: 0.1 },
  xor: { sizes: [2, 2, 1], biases: true, epochs: 4000, learningRate: 0.5 },
};

/** The command-line options of `train`, as commander gives them. */
export interface TrainCommandOptions {
  /** The dataset's name. */
  readonly dataset: string;
  /** Comma-separated layer sizes. */
  readonly sizes?: string;
  /** Comma-separated activations, or one for every layer. */
  readonly activations?: string;
  /** The loss. */
  readonly loss: string;
  /** Whether the layers have biases (`--biases`, `--no-biases`). */
  readonly biases?: boolean;
  /** The initialisation scheme. */
  readonly init: string;
  /** Epochs. */
  readonly epochs?: string;
  /** Learning rate. */
  readonly lr?: string;
  /** Batch size. */
  readonly batch: string;
  /** Momentum. */
  readonly momentum: string;
  /** Update rule. */
  readonly rule: string;
  /** Seed of the initial weights and of the shuffles. */
  readonly seed: string;
  /** Train on the first N training samples only. */
  readonly trainSize?: string;
  /** Where to save the model. */
  readonly save?: string;
  /** Print the history as JSON. */
  readonly json?: boolean;
}

/**
 * Adds `train`, `predict` and `demo` to a command line.
 *
 * @param program - the command line to add them to
 * @param io - the streams they read and write
 * @param exit - receives a command's exit status: 0 done, 2 bad input
 * @param terminal - the terminal to draw the progress bar on, or `null` to draw none (the
 *   default: standard output if it is a terminal)
 */
export function addTrainCommands(
  program: Command,
  io: CommandIo,
  exit: (status: number) => void,
  terminal: NodeJS.WriteStream | null = process.stdout.isTTY ? process.stdout : null,
): void {
  program
    .command("train")
    .description(
      "train a network on a dataset with stochastic gradient descent, print the history and the held-out accuracy; " +
        "defaults are the seed's setting (MNIST: 784-200-10 sigmoid, squared error, no biases, learning rate 0.1, one sample at a time, 10 epochs)",
    )
    .requiredOption("--dataset <name>", "mnist, iris or xor")
    .option("--sizes <list>", "layer sizes, inputs first (default mnist 784,200,10; iris 4,8,3; xor 2,2,1)")
    .option("--activations <list>", "one activation per weight layer, or one for all (default sigmoid)")
    .option("--loss <name>", "squared_error, cross_entropy (softmax output) or binary_cross_entropy (sigmoid output)", "squared_error")
    .option("--biases", "give every layer a bias (default for iris and xor)")
    .option("--no-biases", "no biases, as the seed's network (default for mnist)")
    .option("--init <scheme>", `initial weights: ${initializationSchemes.join(", ")}`, "seed_normal")
    .option("--epochs <n>", "passes over the training set (default mnist 10, iris 100, xor 4000)")
    .option("--lr <rate>", "learning rate η (default mnist 0.1, iris 0.1, xor 0.5)")
    .option("--batch <size>", "samples per step", "1")
    .option("--momentum <mu>", "momentum μ in [0, 1)", "0")
    .option("--rule <rule>", "exact (the gradient) or intuitive (the seed's Wᵀe without f′)", "exact")
    .option("--seed <seed>", "seed of the initial weights and of the shuffles", "1")
    .option("--train-size <n>", "train on the first n training samples only")
    .option("--save <file>", "save the model (backprop-ref/model@1) there, and a loss and accuracy plot beside it (.svg)")
    .option("--json", `print the history as JSON (${historyFormat}) instead of tables, with no progress bar`)
    .action(async (options: TrainCommandOptions) => {
      exit(await trainCommand(options, io, options.json === true ? null : terminal));
    });
  program
    .command("predict")
    .description(
      "classify samples with a saved model: a JSON array of samples (arrays of raw features) or one sample per line " +
        "(numbers separated by commas or spaces); prints one class per line",
    )
    .requiredOption("--model <file>", "a model saved by train --save")
    .option("--input <file>", "the samples, or - for standard input", "-")
    .option("--json", "print each sample's class and outputs as JSON")
    .action(async (options: { model: string; input: string; json?: boolean }) => {
      exit(await predictCommand(options, io));
    });
  program
    .command("demo")
    .description("check the gradients of the seed's 784-200-10 network, then train it on the MNIST digits in the seed's setting (npm start)")
    .option("--epochs <n>", "epochs to train", "10")
    .action(async (options: { epochs: string }) => {
      exit(await demoCommand(Number(options.epochs), io, terminal));
    });
}

/**
 * Runs `train`: reads the options, trains, prints, saves.
 *
 * @param options - the parsed options
 * @param io - the streams
 * @param terminal - where to draw the progress bar, or `null`
 * @returns the exit status
 */
export async function trainCommand(options: TrainCommandOptions, io: CommandIo, terminal: NodeJS.WriteStream | null): Promise<number> {
  try {
    const split = loadDataset(options.dataset);
    const defaults = datasetDefaults[split.name];
    const sizes = options.sizes === undefined ? [...defaults.sizes] : numberList(options.sizes, "--sizes");
    const layers = Math.max(sizes.length - 1, 1);
    const named = options.activations === undefined ? ["sigmoid"] : options.activations.split(",").map((name) => name.trim());
    const activations = named.length === 1 ? new Array<string>(layers).fill(named[0]!) : named;
    const spec = { sizes, activations, loss: options.loss, biases: options.biases ?? defaults.biases } as unknown as NetworkSpec;
    const seed = number(options.seed, "--seed");
    const scheme = options.init as InitializationScheme;
    const network = initializeNetwork(spec, { scheme, seed });
    const trainingOptions = {
      epochs: options.epochs === undefined ? defaults.epochs : number(options.epochs, "--epochs"),
      learningRate: options.lr === undefined ? defaults.learningRate : number(options.lr, "--lr"),
      batchSize: number(options.batch, "--batch"),
      momentum: number(options.momentum, "--momentum"),
      rule: options.rule as TrainingRule,
      seed,
    };
    const data = options.trainSize === undefined ? split : { ...split, train: firstSamples(split.train, number(options.trainSize, "--train-size")) };
    const setting =
      `${split.name}: sizes ${sizes.join(",")}, ${activations.join(",")}, ${spec.loss}, ${spec.biases ? "biases" : "no biases"}, ${scheme} init; ` +
      `${trainingOptions.epochs} epochs, η ${trainingOptions.learningRate}, batch ${trainingOptions.batchSize}, momentum ${trainingOptions.momentum}, ` +
      `${trainingOptions.rule} rule, seed ${seed}; ${data.train.labels.length} training samples, ${data.test.labels.length} held out`;
    if (options.json !== true) io.stdout(`training ${setting}\n`);
    const result = trainWithBar(network, data, trainingOptions, terminal);
    const last = result.history[result.history.length - 1]!;
    const seconds = result.history.reduce((sum, record) => sum + record.seconds, 0);
    if (options.json === true) {
      io.stdout(
        `${formatJson({
          format: historyFormat,
          dataset: split.name,
          split: split.description,
          spec: network.spec,
          init: scheme,
          options: trainingOptions,
          trainingSamples: data.train.labels.length,
          testSamples: data.test.labels.length,
          history: result.history,
          testAccuracy: last.testAccuracy,
          seconds,
        })}\n`,
      );
    } else {
      io.stdout(`${historyTable(result.history)}\n\n`);
      io.stdout(`${accuracyLine(last, data.test.labels.length, seconds)}\n`);
    }
    if (options.save !== undefined) {
      const model = { network: result.network, classes: split.train.classes, inputScaling: split.scaling, dataset: split.name };
      const plotPath = options.save.replace(/(\.json)?$/, ".svg");
      await writeFile(options.save, formatModel(model));
      await writeFile(plotPath, historyPlot(result.history, `backprop-ref train ${setting}`));
      if (options.json !== true) io.stdout(`saved the model to ${options.save} and the plot to ${plotPath}\n`);
    }
    return 0;
  } catch (error) {
    return reportError(error, "train", io);
  }
}

/**
 * The history as a table: epoch, mean loss, accuracies in percent, seconds and samples per second;
 * of a history longer than 20 epochs, every $k$-th epoch and the last.
 *
 * @param history - one record per epoch
 */
export function historyTable(history: readonly EpochRecord[]): string {
  // A long history (XOR's thousands of epochs) shows about 20 rows: every k-th epoch and the last.
  const every = Math.ceil(history.length / 20);
  const shown = history.filter((record, index) => index % every === every - 1 || index === history.length - 1);
  return table(
    ["epoch", "loss", "train accuracy", "held-out accuracy", "seconds", "samples/s"],
    shown.map((record) => [
      String(record.epoch),
      record.loss.toPrecision(4),
      percent(record.trainAccuracy),
      percent(record.testAccuracy),
      record.seconds.toFixed(1),
      record.samplesPerSecond.toFixed(0),
    ]),
  );
}

function accuracyLine(last: EpochRecord, testSamples: number, seconds: number): string {
  const correct = Math.round(last.testAccuracy * testSamples);
  return `held-out accuracy after ${last.epoch} epochs: ${percent(last.testAccuracy)} (${correct} of ${testSamples}); training took ${seconds.toFixed(1)} s`;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

function trainWithBar(
  network: Parameters<typeof train>[0],
  data: DatasetSplit,
  options: Parameters<typeof train>[2],
  terminal: NodeJS.WriteStream | null,
): ReturnType<typeof train> {
  if (terminal === null) return train(network, data, options);
  const bar = new cliProgress.SingleBar(
    {
      stream: terminal,
      format: "epoch {epoch}/{epochs} {bar} {percentage}% | {speed} samples/s | loss {loss}",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let current = 0;
  try {
    return train(network, data, options, {
      progress: (progress) => {
        const payload = { epoch: progress.epoch, epochs: progress.epochs, speed: progress.samplesPerSecond.toFixed(0), loss: progress.runningLoss.toPrecision(4) };
        if (progress.epoch !== current) {
          if (current !== 0) bar.stop();
          current = progress.epoch;
          bar.start(progress.samples, progress.samplesDone, payload);
        } else {
          bar.update(progress.samplesDone, payload);
        }
        // Training runs synchronously, so the bar's timer never fires: draw by hand.
        bar.render();
      },
    });
  } finally {
    if (current !== 0) bar.stop();
  }
}

async function predictCommand(options: { readonly model: string; readonly input: string; readonly json?: boolean }, io: CommandIo): Promise<number> {
  try {
    const model = readModel(await readText(options.model));
    const samples = parseSamples(await readText(options.input, io));
    const inputs = transposed(matrixFromRows(samples.map((sample) => scaleFeatures(sample, model.inputScaling))));
    const trace = forward(model.network, inputs);
    const outputs = trace.outputs[depth(model.network.spec)]!;
    const levels = targetLevels(model.network.spec);
    const predictions = samples.map((_, b) => {
      const label = predictedClass(outputs, b, levels);
      return { class: model.classes[label]!, label, outputs: outputs.pick(null, b) };
    });
    if (options.json === true) {
      io.stdout(`${formatJson(predictions.map((prediction) => ({ ...prediction, outputs: Array.from({ length: prediction.outputs.shape[0]! }, (_, j) => prediction.outputs.get(j)) })))}\n`);
    } else {
      io.stdout(predictions.map((prediction) => `${prediction.class}\n`).join(""));
    }
    return 0;
  } catch (error) {
    return reportError(error, "predict", io);
  }
}

/**
 * Reads samples of raw features: a JSON array of arrays of numbers, or one sample per line
 * with numbers separated by commas or white space (empty lines and lines starting with `#`
 * are skipped).
 *
 * @param text - the samples
 * @throws {@link numeric/errors!FormatError | FormatError} naming the sample and the entry that is not a finite number
 */
export function parseSamples(text: string): number[][] {
  const trimmed = text.trim();
  let rows: unknown[];
  if (trimmed.startsWith("[")) {
    try {
      rows = JSON.parse(trimmed) as unknown[];
    } catch (error) {
      throw new FormatError(`the samples are not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(rows)) throw new FormatError("the samples must be a JSON array of arrays of numbers");
  } else {
    rows = trimmed
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(/[\s,]+/).map((entry) => (/^[-+0-9.eE]+$/.test(entry) ? Number(entry) : entry)));
  }
  if (rows.length === 0) throw new FormatError("there are no samples to classify");
  return rows.map((row, b) => {
    if (!Array.isArray(row)) throw new FormatError(`sample ${b} must be an array of numbers, got ${JSON.stringify(row)}`);
    row.forEach((entry, i) => {
      if (typeof entry !== "number" || !Number.isFinite(entry)) {
        throw new FormatError(`sample ${b}, feature ${i} must be a finite number, got ${JSON.stringify(entry)}`);
      }
    });
    return row as number[];
  });
}

async function demoCommand(epochs: number, io: CommandIo, terminal: NodeJS.WriteStream | null): Promise<number> {
  try {
    const started = performance.now();
    const split = loadDataset("mnist");
    const spec: NetworkSpec = { sizes: [784, 200, 10], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: false };
    const network = initializeNetwork(spec, { seed: 1 });
    const batch = firstSamples(split.train, 10);
    io.stdout("1. The gradients of the seed's 784-200-10 network (158,800 weights) on 10 digits, against two oracles whose cost does not grow with the weights:\n\n");
    const problem = { id: "mnist-784-200-10", network, inputs: batch.inputs, targets: classTargets(batch, 10, targetLevels(spec)), learningRate: 0.1 };
    const report = runChecks(problem, ["directional", "taylor"]);
    io.stdout(`${formatCheckReport(report)}\n\n`);
    io.stdout(`2. Training it in the seed's setting on ${split.train.labels.length} MNIST digits (learning rate 0.1, one digit at a time, ${epochs} epochs), with the exact gradient:\n\n`);
    const options = { epochs, learningRate: 0.1, batchSize: 1, momentum: 0, rule: "exact" as const, seed: 1 };
    const result = trainWithBar(network, split, options, terminal);
    const last = result.history[result.history.length - 1]!;
    io.stdout(`${historyTable(result.history)}\n\n`);
    io.stdout(`${accuracyLine(last, split.test.labels.length, result.history.reduce((sum, record) => sum + record.seconds, 0))}\n`);
    io.stdout(
      `all done in ${((performance.now() - started) / 1000).toFixed(0)} s. The seed's own update rule, Wᵀe without f′: ` +
        "npx backprop-ref train --dataset mnist --rule intuitive; see docs/training.md\n",
    );
    return report.passed ? 0 : 1;
  } catch (error) {
    return reportError(error, "demo", io);
  }
}

async function readText(path: string, io?: CommandIo): Promise<string> {
  try {
    return path === "-" && io !== undefined ? await io.stdin() : await readFile(path, "utf8");
  } catch (error) {
    throw new FormatError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function numberList(text: string, option: string): number[] {
  return text.split(",").map((entry) => number(entry.trim(), option));
}

function number(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new ValueError(`${option} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

function reportError(error: unknown, command: string, io: CommandIo): number {
  if (error instanceof BackpropRefError) {
    io.stderr(`backprop-ref ${command}: ${error.message}\n`);
    return 2;
  }
  throw error;
}
