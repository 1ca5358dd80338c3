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
import { describeValue, FormatError, ShapeError } from "../numeric/errors.js";
import { assertFinite } from "../numeric/overflow.js";
import { readJson } from "../numeric/read-json.js";
import { formatJson } from "../numeric/json.js";
import { matrixFromRows, transposed } from "../numeric/tensor.js";
import { predictedClass, scaleFeatures, targetLevels } from "../training/data.js";
import { readModel } from "../training/model-file.js";
import { readInput, sourceName } from "./input.js";
import { reportError, type CommandIo, type Exit } from "./io.js";
import { decimalNumber } from "./options.js";

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
  // The file a message is about, once its contents are being read; none for the options and for files that cannot be read.
  let source: string | undefined;
  try {
    if (options.model === "-") throw new FormatError("--model must name a file: standard input is where the samples are read from, got -");
    const modelText = await readInput(options.model, io);
    const samplesText = await readInput(options.input, io);
    source = options.model;
    const model = readModel(modelText);
    source = sourceName(options.input);
    const samples = parseSamples(samplesText);
    const scaled = samples.map((sample, b) => {
      try {
        return scaleFeatures(sample, model.inputScaling);
      } catch (error) {
        if (error instanceof ShapeError) throw new ShapeError(`sample ${b}: ${error.message}`);
        throw error;
      }
    });
    const trace = forward(model.network, transposed(matrixFromRows(scaled)));
    const outputs = trace.outputs[depth(model.network.spec)]!;
    const levels = targetLevels(model.network.spec);
    const predictions = samples.map((_, b) => {
      const sampleOutputs = Array.from({ length: outputs.shape[0]! }, (_, j) => outputs.get(j, b));
      // A sample far outside what the model was trained on can overflow the weighted sums; no class can be read from that.
      assertFinite(`the outputs of sample ${b}`, sampleOutputs, "the sample's features are too large for this model");
      const label = predictedClass(outputs, b, levels);
      return { class: model.classes[label]!, label, outputs: sampleOutputs };
    });
    io.stdout(options.json === true ? `${formatJson(predictions)}\n` : predictions.map((prediction) => `${prediction.class}\n`).join(""));
    return 0;
  } catch (error) {
    return reportError(error, "predict", io, source);
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
  if (trimmed.startsWith("[")) {
    const rows = readJson(trimmed, "the list of samples");
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new FormatError(`the samples must be a JSON array of arrays of numbers, at least one, got ${describeValue(rows)}`);
    }
    return rows.map((row: unknown, b) => {
      if (!Array.isArray(row)) throw new FormatError(`sample ${b} must be an array of numbers, got ${describeValue(row)}`);
      row.forEach((entry: unknown, i) => {
        if (typeof entry !== "number") throw new FormatError(`sample ${b}, feature ${i} must be a number, got ${describeValue(entry)}`);
        if (!Number.isFinite(entry))
          throw new FormatError(`sample ${b}, feature ${i} must be a finite number, got ${entry}, beyond float64's ±1.8e308`);
      });
      return row as number[];
    });
  }
  const lines = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (lines.length === 0) throw new FormatError("there are no samples to classify");
  return lines.map((line, b) =>
    line.split(/[\s,]+/).map((entry, i) => {
      const value = decimalNumber.test(entry) ? Number(entry) : Number.NaN;
      if (!Number.isFinite(value)) {
        const why = decimalNumber.test(entry) ? ", beyond float64's ±1.8e308" : "";
        throw new FormatError(`sample ${b}, feature ${i} must be a finite number, got ${describeValue(entry)}${why}`);
      }
      return value;
    }),
  );
}
