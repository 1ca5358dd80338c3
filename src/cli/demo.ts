/**
 * The `demo` command, which `npm start` runs: a gradient check of the seed's 784-200-10 network
 * on ten MNIST digits by the two oracles whose cost does not grow with the weights, then the
 * seed's setting (the digits one at a time, learning rate 0.1, the exact rule) for one pass over
 * MNIST's 60,000 standard training digits, with a progress bar, and the accuracy on the
 * standard 10,000 test digits.
 *
 * One epoch of all 60,000 digits, rather than several of a part, keeps `npm start` under a
 * minute on two cores (the demo took 16 s on idle cores, with the WebAssembly kernels): 60,000 steps and 70,000 measurements, where
 * 10 epochs of the first 10,000 digits are 100,000 steps and 200,000 measurements, and took
 * more than twice as long for a similar accuracy. `--epochs` asks for more passes.
 *
 * @module
 */
import type { Command } from "commander";
import { initializeNetwork, type NetworkSpec } from "../model/network.js";
import { formatCheckReport, runChecks } from "../oracles/check.js";
import { classTargets, firstSamples, loadDataset, targetLevels } from "../training/data.js";
import { exitCheckFailed, reportError, type CommandIo, type Exit } from "./io.js";
import { parseIntegerOption } from "./options.js";
import { maximumEpochs } from "../training/train.js";
import { accuracyLine, historyTable, trainWithBar } from "./training-report.js";

/**
 * Adds `demo` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it writes
 * @param exit - receives the exit status: 0 done, 1 the gradient check failed, 2 bad input
 * @param terminal - the terminal to draw the progress bar on, or `null` to draw none
 */
export function addDemoCommand(program: Command, io: CommandIo, exit: Exit, terminal: NodeJS.WriteStream | null): void {
  program
    .command("demo")
    .description(
      "check the gradients of the seed's 784-200-10 network, then train it on the MNIST digits in the seed's setting (npm start)",
    )
    .option("--epochs <n>", "passes over the 60000 training digits", "1")
    .action((options: { epochs: string }) => {
      exit(demo(options.epochs, io, terminal));
    });
}

function demo(epochsText: string, io: CommandIo, terminal: NodeJS.WriteStream | null): number {
  try {
    const epochs = parseIntegerOption(epochsText, "--epochs", 1, maximumEpochs);
    const started = performance.now();
    const split = loadDataset("mnist");
    const spec: NetworkSpec = { sizes: [784, 200, 10], activations: ["sigmoid", "sigmoid"], loss: "squared_error", biases: false };
    const network = initializeNetwork(spec, { seed: 1 });
    const batch = firstSamples(split.train, 10);
    io.stdout(
      "1. The gradients of the seed's 784-200-10 network (158,800 weights) on 10 digits, against two oracles whose cost does not grow with the weights:\n\n",
    );
    const report = runChecks({ network, inputs: batch.inputs, targets: classTargets(batch, 10, targetLevels(spec)) }, [
      "directional",
      "taylor",
    ]);
    io.stdout(`${formatCheckReport(report)}\n\n`);
    io.stdout(
      `2. Training it in the seed's setting on MNIST's ${split.train.labels.length} training digits (learning rate 0.1, one digit at a time, ` +
        `${epochs} ${epochs === 1 ? "epoch" : "epochs"}), with the exact gradient, and testing it on the ${split.test.labels.length} test digits:\n\n`,
    );
    const options = { epochs, learningRate: 0.1, batchSize: 1, momentum: 0, rule: "exact" as const, seed: 1 };
    const result = trainWithBar(network, split, options, terminal);
    io.stdout(`${historyTable(result.history)}\n\n`);
    io.stdout(
      `${accuracyLine(
        result,
        split.test.labels.length,
        result.history.reduce((sum, record) => sum + record.seconds, 0),
      )}\n`,
    );
    io.stdout(
      `all done in ${((performance.now() - started) / 1000).toFixed(0)} s. The seed's own update rule, Wᵀe without f′: ` +
        "npx backprop-ref train --dataset mnist --rule intuitive; see docs/training.md\n",
    );
    return report.passed ? 0 : exitCheckFailed;
  } catch (error) {
    return reportError(error, "demo", io);
  }
}
