/**
 * The `predict` command: `npx backprop-ref predict --model model.json` classifies the samples
 * of a file or of standard input with a model saved by `train --save`, one class per line (or
 * the classes and outputs as JSON with `--json`).
 *
 * @module
 */
import type { Command } from "commander";
import { forward } from "../model/forward.js";
import { depth } from "../model/network.js";
import { FormatError } from "../numeric/errors.js";
import { formatJson } from "../numeric/json.js";
import { matrixFromRows, transposed } from "../numeric/tensor.js";
import { predictedClass, scaleFeatures, targetLevels } from "../training/data.js";
import { readModel } from "../training/model-file.js";
import { readText, reportError, type CommandIo, type Exit } from "./io.js";

/**
 * Adds `predict` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the exit status: 0 done, 2 bad input
 */
export function addPredictCommand(program: Command, io: CommandIo, exit: Exit): void {
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
      exit(await predict(options, io));
    });
}

async function predict(
  options: { readonly model: string; readonly input: string; readonly json?: boolean },
  io: CommandIo,
): Promise<number> {
  try {
    if (options.model === "-") throw new FormatError("--model must name a file: standard input is where the samples are read from, got -");
    const model = readModel(await readText(options.model, io));
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
      io.stdout(
        `${formatJson(predictions.map((prediction) => ({ ...prediction, outputs: Array.from({ length: prediction.outputs.shape[0]! }, (_, j) => prediction.outputs.get(j)) })))}\n`,
      );
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
