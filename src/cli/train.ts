/**
 * The `train` command: `npx backprop-ref train --dataset mnist` trains the seed's network on the
 * MNIST digits (every option has the seed's value as its default), shows a progress bar while
 * it trains when standard output is a terminal, prints the history as a table and the held-out
 * accuracy, and with `--save model.json` writes the model and, next to it, a plot of the loss
 * and the accuracies (`model.svg`). With `--json` it prints the history as a
 * `backprop-ref/history@1` document instead.
 *
 * `--dataset mnist` is the standard split, 60,000 digits to train and 10,000 to test.
 * `--validation N` (MNIST only) holds out the last $N$ training digits, as Nielsen's
 * 50,000/10,000 does: each epoch is then measured on them, and the test set once, after the
 * last epoch, so that choosing a setting by the epochs' numbers never looks at the test set.
 * Iris has no such option, since its training set is ordered by species (its last samples are
 * all of one), nor XOR, whose test set is its training set.
 *
 * Bad input (an unknown dataset, options out of range, a save path that cannot be written) is
 * reported with the library's message and exit status 2, before the data is loaded and before
 * anything is printed; the files are written whole or not at all ({@link cli/save | save}).
 *
 * @module
 */
import { basename } from "node:path";
import type { Command } from "commander";
import { initializationSchemes, initializeNetwork, type InitializationScheme, type NetworkSpec } from "../model/network.js";
import { formatJson } from "../numeric/json.js";
import { firstSamples, holdOutValidation, loadDataset, trainingSetSizes } from "../training/data.js";
import { datasetNames, type DatasetName } from "../training/dataset.js";
import { type TrainingRule, trainingRules } from "../training/fused-step.js";
import { formatModel } from "../training/model-file.js";
import { historyPlot } from "../training/plot.js";
import { reportError, type CommandIo, type Exit } from "./io.js";
import { parseIntegerOption, parseNumberList, parseNumberOption } from "./options.js";
import { checkSavePath, saveAtomically } from "./save.js";
import { accuracyLine, historyTable, trainWithBar } from "./training-report.js";
import { validateBatchSize } from "../training/workspace.js";
import { validateLearningRate } from "../model/learning-rate.js";
import { validateLearningRateDecay } from "../training/learning-rate-decay.js";
import { validateMomentum } from "../training/momentum.js";
import { stepWeightDecay, validateWeightDecay } from "../model/weight-decay.js";
import { validateSeed } from "../numeric/random.js";
import { ValueError } from "../numeric/errors.js";
import { maximumEpochs, validateTraining } from "../training/train.js";

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

/**
 * Adds `train` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the exit status: 0 done, 2 bad input
 * @param terminal - the terminal to draw the progress bar on, or `null` to draw none
 */
export function addTrainCommand(program: Command, io: CommandIo, exit: Exit, terminal: NodeJS.WriteStream | null): void {
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
    .option("--lr-decay <gamma>", "learning-rate decay γ in (0, 1]: epoch e steps with η·γ^(e-1)", "1")
    .option("--batch <size>", "samples per step", "1")
    .option("--momentum <mu>", "momentum μ in [0, 1)", "0")
    .option(
      "--weight-decay <lambda>",
      "L2 weight decay λ ≥ 0 as Nielsen writes it: the loss gains λ/(2n) Σ w² over the n training samples, each step's weights decay by η·λ/n; biases are not decayed",
      "0",
    )
    .option("--rule <rule>", "exact (the gradient) or intuitive (the seed's Wᵀe without f′)", "exact")
    .option("--seed <seed>", "seed of the initial weights and of the shuffles", "1")
    .option(
      "--validation <n>",
      "mnist only: hold out the last n of the 60000 training digits as a validation set, measured after each epoch; the test set is then measured once, after the last",
    )
    .option("--train-size <n>", "train on the first n training samples only (of those left after --validation)")
    .option("--save <file>", "save the model (backprop-ref/model@1) there, and a loss and accuracy plot beside it (.svg)")
    .option("--json", `print the history as JSON (${historyFormat}) instead of tables, with no progress bar`)
    .action(async (options: TrainCommandOptions) => {
      exit(await train(options, io, options.json === true ? null : terminal));
    });
}

/** The options of `train`, as commander gives them: strings, to be read by {@link cli/io!parseNumberOption | parseNumberOption}. */
interface TrainCommandOptions {
  readonly dataset: string;
  readonly sizes?: string;
  readonly activations?: string;
  readonly loss: string;
  readonly biases?: boolean;
  readonly init: string;
  readonly epochs?: string;
  readonly lr?: string;
  readonly lrDecay: string;
  readonly batch: string;
  readonly momentum: string;
  readonly weightDecay: string;
  readonly rule: string;
  readonly seed: string;
  readonly validation?: string;
  readonly trainSize?: string;
  readonly save?: string;
  readonly json?: boolean;
}

/** Runs `train`: reads and checks every option and the save paths, trains, prints, saves; returns the exit status. */
async function train(options: TrainCommandOptions, io: CommandIo, terminal: NodeJS.WriteStream | null): Promise<number> {
  try {
    if (!(datasetNames as readonly string[]).includes(options.dataset)) {
      throw new ValueError(`--dataset must be one of ${datasetNames.join(", ")}, got ${JSON.stringify(options.dataset)}`);
    }
    const defaults = datasetDefaults[options.dataset as DatasetName];
    const sizes = options.sizes === undefined ? [...defaults.sizes] : parseNumberList(options.sizes, "--sizes");
    const layers = Math.max(sizes.length - 1, 1);
    const named = options.activations === undefined ? ["sigmoid"] : options.activations.split(",").map((name) => name.trim());
    const activations = named.length === 1 ? new Array<string>(layers).fill(named[0]!) : named;
    const spec = { sizes, activations, loss: options.loss, biases: options.biases ?? defaults.biases } as unknown as NetworkSpec;
    const seed = parseNumberOption(options.seed, "--seed");
    const trainingOptions = {
      epochs: options.epochs === undefined ? defaults.epochs : parseIntegerOption(options.epochs, "--epochs", 1, maximumEpochs),
      learningRate: options.lr === undefined ? defaults.learningRate : parseNumberOption(options.lr, "--lr"),
      learningRateDecay: parseNumberOption(options.lrDecay, "--lr-decay"),
      batchSize: parseNumberOption(options.batch, "--batch"),
      momentum: parseNumberOption(options.momentum, "--momentum"),
      weightDecay: parseNumberOption(options.weightDecay, "--weight-decay"),
      rule: options.rule as TrainingRule,
      seed,
    };
    // The library's rules, with the names of the options the user typed, before a network is made.
    validateSeed(seed, "--seed");
    validateLearningRate(trainingOptions.learningRate, "--lr");
    validateLearningRateDecay(trainingOptions.learningRateDecay, "--lr-decay");
    validateBatchSize(trainingOptions.batchSize, "--batch");
    validateMomentum(trainingOptions.momentum, "--momentum");
    validateWeightDecay(trainingOptions.weightDecay, "--weight-decay");
    if (!(trainingRules as readonly string[]).includes(options.rule)) {
      throw new ValueError(`--rule must be one of ${trainingRules.join(", ")}, got ${JSON.stringify(options.rule)}`);
    }
    if (!(initializationSchemes as readonly string[]).includes(options.init)) {
      throw new ValueError(`--init must be one of ${initializationSchemes.join(", ")}, got ${JSON.stringify(options.init)}`);
    }
    const scheme = options.init as InitializationScheme;
    const network = initializeNetwork(spec, { scheme, seed });
    const validation = validationSize(options.validation, options.dataset as DatasetName);
    const available = trainingSetSizes[options.dataset as DatasetName] - (validation ?? 0);
    const trainSize = options.trainSize === undefined ? undefined : parseIntegerOption(options.trainSize, "--train-size", 1, available);
    const saved = options.save === undefined ? undefined : await savePaths(options.save);
    // Only now, with every option read and the save paths known to be writable, load the data.
    const loaded = loadDataset(options.dataset);
    const split = validation === undefined ? loaded : holdOutValidation(loaded, validation);
    const data = trainSize === undefined ? split : { ...split, train: firstSamples(split.train, trainSize) };
    validateTraining(network, data, trainingOptions);
    const heldOut =
      data.validation === undefined
        ? `${data.test.labels.length} held out`
        : `${data.validation.labels.length} for validation (measured after each epoch), ${data.test.labels.length} to test (measured once, after the last)`;
    const setting =
      `${split.name}: sizes ${sizes.join(",")}, ${activations.join(",")}, ${spec.loss}, ${spec.biases ? "biases" : "no biases"}, ${scheme} init; ` +
      `${trainingOptions.epochs} epochs, η ${trainingOptions.learningRate}${rateDecaySetting(trainingOptions.learningRateDecay)}, batch ${trainingOptions.batchSize}, momentum ${trainingOptions.momentum}${decaySetting(trainingOptions.weightDecay, data.train.labels.length)}, ` +
      `${trainingOptions.rule} rule, seed ${seed}; ${data.train.labels.length} training samples, ${heldOut}`;
    if (options.json !== true) io.stdout(`training ${setting}\n`);
    const result = trainWithBar(network, data, trainingOptions, terminal);
    const seconds = result.history.reduce((sum, record) => sum + record.seconds, 0);
    if (saved !== undefined) {
      const model = { network: result.network, classes: split.train.classes, inputScaling: split.scaling, dataset: split.name };
      await saveAtomically(saved.model, formatModel(model));
      await saveAtomically(saved.plot, historyPlot(result.history, `backprop-ref train ${setting}`));
    }
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
          validationSamples: data.validation?.labels.length ?? 0,
          testSamples: data.test.labels.length,
          measuredEachEpoch: result.measuredEachEpoch,
          history: result.history,
          testAccuracy: result.testAccuracy,
          seconds,
        })}\n`,
      );
    } else {
      io.stdout(`${historyTable(result.history)}\n\n`);
      io.stdout(`${accuracyLine(result, data.test.labels.length, seconds)}\n`);
      if (saved !== undefined) io.stdout(`saved the model to ${saved.model} and the plot to ${saved.plot}\n`);
    }
    return 0;
  } catch (error) {
    return reportError(error, "train", io);
  }
}

/** The learning-rate decay in the setting's words, or nothing for a constant rate. */
function rateDecaySetting(decay: number): string {
  return decay === 1 ? "" : ` decaying by ${decay} an epoch`;
}

/** The weight decay in the setting's words, or nothing without one: Nielsen's λ, and the coefficient λ/n of every step. */
function decaySetting(lambda: number, trainingSamples: number): string {
  return lambda === 0 ? "" : `, weight decay λ ${lambda} (λ/n = ${stepWeightDecay(lambda, trainingSamples)} per step)`;
}

/**
 * The number `--validation` holds out, checked before any data is read: MNIST only, and an
 * integer from 1 to 59,999 so that at least one training digit is left.
 *
 * @param text - what was typed, if anything
 * @param dataset - the `--dataset` given
 * @throws {@link numeric/errors!ValueError | ValueError} naming `--validation`, what it takes and what was given
 */
function validationSize(text: string | undefined, dataset: DatasetName): number | undefined {
  if (text === undefined) return undefined;
  if (dataset !== "mnist") {
    throw new ValueError(
      `--validation holds out the last n of MNIST's training digits and is for --dataset mnist only, got --dataset ${dataset} ` +
        `(${dataset === "iris" ? "whose training set is ordered by species" : "whose test set is its training set"})`,
    );
  }
  return parseIntegerOption(text, "--validation", 1, trainingSetSizes.mnist - 1);
}

/**
 * Where `--save` puts the model and its plot, both checked to be writable: the model in a
 * `.json` file, the plot beside it with `.svg` in place of `.json`.
 *
 * @param model - what `--save` named
 * @throws {@link numeric/errors!ValueError | ValueError} for a name that does not end in `.json`, and what
 *   {@link cli/save!checkSavePath | checkSavePath} throws for a path that cannot be written
 */
async function savePaths(model: string): Promise<{ model: string; plot: string }> {
  if (!model.endsWith(".json") || basename(model) === ".json") {
    throw new ValueError(`--save must name the model's .json file (the plot goes beside it, .svg for .json), got ${JSON.stringify(model)}`);
  }
  const plot = `${model.slice(0, -".json".length)}.svg`;
  await checkSavePath(model, "--save");
  await checkSavePath(plot, "--save (its plot)");
  return { model, plot };
}
