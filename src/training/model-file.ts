/**
 * The model file: a trained network with what it needs to classify new inputs, as JSON.
 *
 * The format `backprop-ref/model@1`:
 *
 * ```json
 * {
 *   "format": "backprop-ref/model@1",
 *   "sizes": [2, 2, 1],
 *   "activations": ["sigmoid", "sigmoid"],
 *   "loss": "squared_error",
 *   "weights": [[[5.1, -5.3], [-4.9, 5.2]], [[7.8, 7.7]]],
 *   "biases": [[-2.6, -2.7], [-3.6]],
 *   "classes": ["0", "1"],
 *   "inputScaling": { "scale": [1, 1], "offset": [0, 0] },
 *   "dataset": "xor"
 * }
 * ```
 *
 * `sizes`, `activations`, `loss`, `weights` and `biases` are as in the case format
 * (`weights[l-1][j][k]` is $w^{(l)}_{jk}$; `biases` is `null` for a network without). `classes`
 * names the class of each output unit (for one output unit, of outputs below and above the
 * middle); `inputScaling` turns raw features into the network's inputs,
 * $x'_i = \text{offset}_i + \text{scale}_i\, x_i$; `dataset` records where the model was
 * trained (or `null`). Numbers are written in the shortest form that reads back to the same
 * float64, so a model round-trips exactly.
 *
 * @module
 */
import { depth, type Network, networkFromArrays, type NetworkSpec, networkToArrays } from "../model/network.js";
import { describeValue, FormatError } from "../numeric/errors.js";
import { formatJson } from "../numeric/json.js";
import { readJson } from "../numeric/read-json.js";
import type { InputScaling } from "./dataset.js";

/** The format name of a model file. */
export const modelFormat = "backprop-ref/model@1";

/** A trained network and how to use it. */
export interface Model {
  /** The network. */
  readonly network: Network;
  /** The name of each class. */
  readonly classes: readonly string[];
  /** How raw features become inputs. */
  readonly inputScaling: InputScaling;
  /** The dataset it was trained on, or `null`. */
  readonly dataset: string | null;
}

const modelFields = ["format", "sizes", "activations", "loss", "weights", "biases", "classes", "inputScaling", "dataset"];

/**
 * A model as the JSON text of a `backprop-ref/model@1` document.
 *
 * @param model - the model to write
 */
export function formatModel(model: Model): string {
  const { spec } = model.network;
  const arrays = networkToArrays(model.network);
  return formatJson({
    format: modelFormat,
    sizes: spec.sizes,
    activations: spec.activations,
    loss: spec.loss,
    weights: arrays.weights,
    biases: arrays.biases,
    classes: model.classes,
    inputScaling: { scale: model.inputScaling.scale, offset: model.inputScaling.offset },
    dataset: model.dataset,
  });
}

/**
 * Reads a model from the JSON text of a `backprop-ref/model@1` document, checking every field.
 *
 * @param text - the JSON text
 * @throws {@link numeric/errors!FormatError | FormatError} for malformed JSON, a missing or unknown
 *   field, a wrong format name, or an entry that is not a finite number; the network's own
 *   errors ({@link numeric/errors!SpecError | SpecError}, {@link numeric/errors!ShapeError | ShapeError}) for a
 *   spec or shapes that do not fit together
 */
export function readModel(text: string): Model {
  const value = readJson(text, "the model");
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError(`a model must be a JSON object, got ${describeValue(value)}`);
  }
  const document = value as Record<string, unknown>;
  if (document["format"] !== modelFormat) {
    throw new FormatError(`format must be "${modelFormat}", got ${describeValue(document["format"])}`);
  }
  for (const field of modelFields) {
    if (!(field in document)) throw new FormatError(`${field} is missing`);
  }
  for (const field of Object.keys(document)) {
    if (!modelFields.includes(field))
      throw new FormatError(`${field} is not a field of ${modelFormat} (fields: ${modelFields.join(", ")})`);
  }
  const biases = document["biases"];
  const spec = {
    sizes: document["sizes"],
    activations: document["activations"],
    loss: document["loss"],
    biases: biases !== null,
  } as unknown as NetworkSpec;
  const network = networkFromArrays(spec, {
    weights: numberArray(document["weights"], "weights", 3) as number[][][],
    biases: biases === null ? null : (numberArray(biases, "biases", 2) as number[][]),
  });
  const outputUnits = network.spec.sizes[depth(network.spec)]!;
  const classes = document["classes"];
  if (!Array.isArray(classes) || !classes.every((name) => typeof name === "string")) {
    throw new FormatError(`classes must be an array of strings, got ${describeValue(classes)}`);
  }
  // One output unit tells two classes apart (below or above the middle of the target levels), so it needs two names.
  if (outputUnits === 1 ? classes.length !== 2 : classes.length !== outputUnits) {
    throw new FormatError(
      `classes has ${classes.length} names but the network has ${outputUnits} output units (one name per unit, or 2 for one unit)`,
    );
  }
  const scaling = document["inputScaling"];
  if (typeof scaling !== "object" || scaling === null || Array.isArray(scaling)) {
    throw new FormatError(`inputScaling must be an object with scale and offset, got ${describeValue(scaling)}`);
  }
  const { scale, offset } = scaling as Record<string, unknown>;
  const inputScaling = {
    scale: numberArray(scale, "inputScaling.scale", 1) as number[],
    offset: numberArray(offset, "inputScaling.offset", 1) as number[],
  };
  for (const [name, entries] of Object.entries(inputScaling)) {
    if (entries.length !== network.spec.sizes[0]) {
      throw new FormatError(`inputScaling.${name} has ${entries.length} entries but sizes[0] is ${network.spec.sizes[0]}`);
    }
  }
  const dataset = document["dataset"];
  if (dataset !== null && typeof dataset !== "string")
    throw new FormatError(`dataset must be a string or null, got ${describeValue(dataset)}`);
  return { network, classes: classes, inputScaling, dataset };
}

/** Checks that a value is an array nested `levels` deep with finite numbers at the bottom. */
function numberArray(value: unknown, path: string, levels: number): unknown[] {
  if (!Array.isArray(value)) throw new FormatError(`${path} must be an array, got ${describeValue(value)}`);
  value.forEach((entry, index) => {
    const where = `${path}[${index}]`;
    if (levels > 1) numberArray(entry, where, levels - 1);
    else if (typeof entry !== "number" || !Number.isFinite(entry))
      throw new FormatError(`${where} must be a finite number, got ${describeValue(entry)}`);
  });
  return value;
}
