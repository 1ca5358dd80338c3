/**
 * The JSON formats through which other implementations check themselves against this one:
 * the case (`backprop-ref/case@1`) that describes a network, a batch and a learning rate, and
 * the result (`backprop-ref/result@1`) that holds the reference answer for it.
 *
 * **Two versions of the case.** `backprop-ref/case@2` is `case@1` with one more, optional
 * field, `weightDecay`: the coefficient $\lambda' \ge 0$ of the penalty
 * $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$ that the loss then includes (see
 * {@link model/weight-decay | weight-decay}; absent or $0$, none). Every `case@1` document is read as
 * before and means what it meant; `case@1` itself is unchanged, and a `weightDecay` in it is an
 * unknown field. A case with weight decay therefore carries a format tag that an older reader
 * refuses, instead of a field it might skip: no implementation that knows only `case@1` can
 * answer it as if the penalty were not there. {@link caseFromProblem} writes `case@1` whenever
 * $\lambda' = 0$, so every case without decay stays readable by every reader. The result format
 * is the same for both: its `loss` and `gradients` are those of the case's loss, the penalty
 * included when the case has one.
 *
 * A case is read by {@link parseCase} (or {@link readCase} from text), which checks every field
 * and throws a {@link numeric/errors!FormatError | FormatError}, {@link numeric/errors!SpecError | SpecError} or {@link numeric/errors!ShapeError | ShapeError} that names the first
 * field in error, what it expected and what it got. {@link caseResult} computes the result and
 * {@link numeric/json!formatJson | formatJson} writes it with every number in JavaScript's shortest round-trip form, so
 * that each reads back to the same float64.
 *
 * In both formats samples are rows (`inputs[b]` is sample $b$), as people write them; inside
 * the library samples are columns, so the conversion transposes.
 *
 * @module
 */
import { trainingStep } from "../model/backprop.js";
import { validateLearningRate } from "../model/learning-rate.js";
import { validateWeightDecay } from "../model/weight-decay.js";
import {
  depth,
  type Network,
  type NetworkArrays,
  networkFromArrays,
  type NetworkSpec,
  networkToArrays,
  type ParameterArrays,
  validateSpec,
} from "../model/network.js";
import { describeValue, FormatError, ShapeError } from "../numeric/errors.js";
import { type Matrix, matrixFromRows, matrixToRows, transposed, vectorFromArray, vectorToArray } from "../numeric/tensor.js";
import { readJson } from "../numeric/read-json.js";

/** The format tag of a case document: `case@1`, the one written whenever a case has no weight decay. */
export const caseFormat = "backprop-ref/case@1";

/** The format tag of a case document that may have a `weightDecay`: `case@1` with that one optional field more. */
export const caseFormat2 = "backprop-ref/case@2";

/** The case formats {@link parseCase} reads, the first version first. */
export const caseFormats = [caseFormat, caseFormat2] as const;

/** The format tag of a result document. */
export const resultFormat = "backprop-ref/result@1";

/** A case document, `backprop-ref/case@1` or `backprop-ref/case@2`, as it appears in JSON. */
export interface CaseDocument {
  /** {@link caseFormat}, or {@link caseFormat2} for a case that may have a `weightDecay`. */
  readonly format: (typeof caseFormats)[number];
  /** An optional name for the case, copied into the result; `null` is the same as no id. */
  readonly id?: string | null;
  /** $n_0, \dots, n_L$. */
  readonly sizes: readonly number[];
  /** $f_1, \dots, f_L$. */
  readonly activations: readonly string[];
  /** The loss. */
  readonly loss: string;
  /** `weights[l-1][j][k]` is $w^{(l)}_{jk}$. */
  readonly weights: readonly (readonly (readonly number[])[])[];
  /** `null`, or `biases[l-1][j]` is $b^{(l)}_j$. */
  readonly biases: readonly (readonly number[])[] | null;
  /** One row per sample: `inputs[b][k]` is $x_{kb}$. */
  readonly inputs: readonly (readonly number[])[];
  /** One row per sample: `targets[b][k]` is $t_{kb}$. */
  readonly targets: readonly (readonly number[])[];
  /** $\eta \ge 0$. */
  readonly learningRate: number;
  /** $\lambda' \ge 0$, the coefficient of the weight-decay penalty; `case@2` only, absent meaning $0$. */
  readonly weightDecay?: number;
}

/** Weights and biases in the JSON layout, as they appear in a result. */
export interface ParameterDocument {
  /** `weights[l-1][j][k]`. */
  readonly weights: number[][][];
  /** `biases[l-1][j]`, or `null` for a network without biases. */
  readonly biases: number[][] | null;
}

/** A result document, `backprop-ref/result@1`, as it appears in JSON. */
export interface ResultDocument {
  /** Always {@link resultFormat}. */
  readonly format: typeof resultFormat;
  /** The case's `id`, when it has one. */
  readonly id?: string;
  /** $E$, the batch mean of the loss (plus the weight-decay penalty of a case that has one), before the step. */
  readonly loss: number;
  /** $o^{(L)}$, one row per sample. */
  readonly outputs: number[][];
  /** $\partial E / \partial W^{(l)}$ and $\partial E / \partial b^{(l)}$. */
  readonly gradients: ParameterDocument;
  /** $\Delta W^{(l)} = -\eta\, \partial E / \partial W^{(l)}$ and the same for the biases. */
  readonly deltaWeights: ParameterDocument;
  /** The weights and biases after one step, $W^{(l)} + \Delta W^{(l)}$. */
  readonly updated: ParameterDocument;
}

/** A case read into the library's types: samples are columns here. */
export interface Problem {
  /** The case's `id`, or `null`. */
  readonly id: string | null;
  /** The network with its weights and biases. */
  readonly network: Network;
  /** $x$, $n_0 \times B$. */
  readonly inputs: Matrix;
  /** $t$, $n_L \times B$. */
  readonly targets: Matrix;
  /** $\eta$. */
  readonly learningRate: number;
  /** $\lambda'$, the coefficient of the weight-decay penalty: $0$ for a `case@1` document and a `case@2` one without it. */
  readonly weightDecay: number;
}

const caseFields = ["format", "id", "sizes", "activations", "loss", "weights", "biases", "inputs", "targets", "learningRate"];

/** The optional fields of `case@2` beyond those of `case@1`. */
const case2Fields = ["weightDecay"];

/**
 * Reads a case from JSON text.
 *
 * @param text - the JSON text of a `backprop-ref/case@1` or `backprop-ref/case@2` document
 * @throws {@link numeric/errors!FormatError | FormatError} for malformed JSON, and whatever {@link parseCase} throws
 */
export function readCase(text: string): Problem {
  return parseCase(readJson(text, "the case"));
}

/**
 * Checks a parsed JSON value against the case format and reads it into a {@link Problem}.
 *
 * Checks, in order: an object; `format` (`case@1` or `case@2`); known fields only (`weightDecay`
 * only in `case@2`), all present but `id` and `weightDecay`; `id` (optional, a string or `null`);
 * the spec (`sizes`, `activations`, `loss`, and `biases` being `null` or an array); the shapes
 * and finiteness of `weights` and `biases` against `sizes`; `inputs` and `targets` (at least
 * one sample, the same number of rows, $n_0$ and $n_L$ columns, finite); `learningRate`
 * (finite, $\ge 0$); `weightDecay` (absent, or finite and $\ge 0$). Targets are not confined to $[0, 1]$ for the cross-entropies: they are
 * normally probabilities, but the losses and their gradients are defined, and computed
 * exactly, for any real targets.
 *
 * @param value - anything, typically the result of `JSON.parse`
 * @throws {@link numeric/errors!FormatError | FormatError} for a field of the wrong type or value, {@link numeric/errors!SpecError | SpecError} for a
 *   spec that cannot describe a network, {@link numeric/errors!ShapeError | ShapeError} for shapes that do not match `sizes`
 */
export function parseCase(value: unknown): Problem {
  const document = caseObject(value);
  if (document.biases !== null && !Array.isArray(document.biases)) {
    throw new FormatError(`biases must be null or an array with one array per weight layer, got ${describeValue(document.biases)}`);
  }
  const spec: NetworkSpec = {
    sizes: document.sizes as number[],
    activations: document.activations as NetworkSpec["activations"],
    loss: document.loss as NetworkSpec["loss"],
    biases: document.biases !== null,
  };
  validateSpec(spec);
  const { sizes } = spec;
  const L = depth(spec);
  const weights = readWeightArrays(document.weights, "weights", sizes);
  const biases = document.biases === null ? null : readBiasArrays(document.biases, "biases", sizes);
  const network = networkFromArrays(spec, { weights, biases });
  const inputs = readSamples(document.inputs, "inputs", sizes[0]!, `sizes[0] is ${sizes[0]}`);
  const targets = readSamples(document.targets, "targets", sizes[L]!, `sizes[${L}] is ${sizes[L]}`);
  if (targets.length !== inputs.length) {
    throw new ShapeError(`targets has ${targets.length} rows but inputs has ${inputs.length}: one row per sample in both`);
  }
  const learningRate = document.learningRate;
  validateLearningRate(learningRate, "learningRate", FormatError);
  // Absent means no decay; null is not a number, and is refused like any other.
  const weightDecay = "weightDecay" in document ? document.weightDecay : 0;
  validateWeightDecay(weightDecay, "weightDecay", FormatError);
  return {
    id: typeof document.id === "string" ? document.id : null,
    network,
    inputs: transposed(matrixFromRows(inputs)),
    targets: transposed(matrixFromRows(targets)),
    learningRate,
    weightDecay,
  };
}

/**
 * The first checks of {@link parseCase}, shared with the formats that extend a case by more
 * fields (the hvp case's `direction`): the value is an object, its `format` is one of
 * `formats`, it has no field but the case's (of its version) and `extraFields`, and it has
 * every field of the case but the optional `id` and `weightDecay`. The extra fields themselves
 * are left to the extending format to require and read.
 *
 * @param value - anything, typically the result of `JSON.parse`
 * @param extraFields - the fields an extending format adds, allowed beside the case's
 * @param formats - the versions of the case that may be extended: by default both
 *   ({@link caseFormats}); the hvp case takes `case@1` only
 * @returns the value as a record of its fields
 * @throws {@link numeric/errors!FormatError | FormatError} naming the first field in error
 */
export function caseObject(
  value: unknown,
  extraFields: readonly string[] = [],
  formats: readonly (typeof caseFormats)[number][] = caseFormats,
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError(`a case must be a JSON object, got ${describeValue(value)}`);
  }
  const document = value as Record<string, unknown>;
  if (!(formats as readonly unknown[]).includes(document.format)) {
    const expected = formats.map((format) => JSON.stringify(format)).join(" or ");
    throw new FormatError(`format must be ${expected}, got ${describeValue(document.format)}`);
  }
  const fields = [...caseFields, ...(document.format === caseFormat2 ? case2Fields : []), ...extraFields];
  for (const field of Object.keys(document)) {
    if (!fields.includes(field)) {
      // A case with a direction given to grad, verify or fuzz, or a weight decay in a case@1: say where it belongs.
      const hint =
        field === "direction"
          ? " (a case with a direction is read by npx backprop-ref hvp)"
          : case2Fields.includes(field)
            ? ` (${field} is a field of ${caseFormat2})`
            : "";
      throw new FormatError(`unknown field ${JSON.stringify(field)}: a case has the fields ${fields.join(", ")}${hint}`);
    }
  }
  for (const field of caseFields) {
    if (field !== "id" && !(field in document)) throw new FormatError(`the case has no field ${JSON.stringify(field)}`);
  }
  if (document.id !== undefined && document.id !== null && typeof document.id !== "string") {
    throw new FormatError(`id must be a string (or null), got ${describeValue(document.id)}`);
  }
  return document;
}

/**
 * The case document of a problem (the inverse of {@link parseCase}): a `case@1` document when
 * the problem has no weight decay, a `case@2` one with its `weightDecay` when it has.
 *
 * @param problem - a network, a batch, a learning rate and a weight decay
 */
export function caseFromProblem(problem: Problem): CaseDocument {
  const { spec } = problem.network;
  const parameters: NetworkArrays = networkToArrays(problem.network);
  const decayed = problem.weightDecay !== 0;
  return {
    format: decayed ? caseFormat2 : caseFormat,
    ...(problem.id === null ? {} : { id: problem.id }),
    sizes: [...spec.sizes],
    activations: [...spec.activations],
    loss: spec.loss,
    weights: parameters.weights,
    biases: parameters.biases,
    inputs: matrixToRows(problem.inputs.transpose(1, 0)),
    targets: matrixToRows(problem.targets.transpose(1, 0)),
    learningRate: problem.learningRate,
    ...(decayed ? { weightDecay: problem.weightDecay } : {}),
  };
}

/**
 * The reference result of a case: one step of gradient descent on its batch, of the loss with
 * the case's weight-decay penalty when it has one.
 *
 * @param problem - a case read by {@link parseCase}
 * @throws {@link numeric/errors!NumericError | NumericError} when the computation overflows float64
 */
export function caseResult(problem: Problem): ResultDocument {
  const step = trainingStep(problem.network, problem.inputs, problem.targets, problem.learningRate, undefined, problem.weightDecay);
  const L = depth(problem.network.spec);
  return {
    format: resultFormat,
    ...(problem.id === null ? {} : { id: problem.id }),
    loss: step.loss,
    outputs: matrixToRows(step.trace.outputs[L]!.transpose(1, 0)),
    gradients: parameterDocument(step.gradients),
    deltaWeights: parameterDocument(step.deltaWeights),
    updated: parameterDocument(step.updated),
  };
}

/**
 * Weights and biases in the JSON layout.
 *
 * @param parameters - gradients, delta weights or a network's parameters
 */
export function parameterDocument(parameters: ParameterArrays): ParameterDocument {
  return {
    weights: parameters.weights.map(matrixToRows),
    biases: parameters.biases === null ? null : parameters.biases.map(vectorToArray),
  };
}

/**
 * The weights of a network in the JSON layout, checked against `sizes`: $L$ matrices,
 * `field[l-1]` with $n_l$ rows of $n_{l-1}$ finite numbers. The case's `weights` are read by
 * it, and so is everything shaped like them (an hvp case's `direction.weights`, the products
 * of an hvp answer), so that every message about them reads the same.
 *
 * @param value - the field's value
 * @param field - the field's name in messages, e.g. `weights` or `direction.weights`
 * @param sizes - $n_0, \dots, n_L$ of a valid spec
 * @throws {@link numeric/errors!FormatError | FormatError} for a value that is not an array of matrices of finite numbers,
 *   {@link numeric/errors!ShapeError | ShapeError} for one of the wrong shape (`weights[1] is 2×1 but sizes [2, 2, 1] need 1×2`)
 */
export function readWeightArrays(value: unknown, field: string, sizes: readonly number[]): number[][][] {
  const L = sizes.length - 1;
  return readArray(value, field, L, `sizes ${describeValue(sizes)} need ${L} (one per weight layer)`).map((matrix, index) =>
    readMatrix(matrix, `${field}[${index}]`, sizes[index + 1]!, sizes[index]!, `sizes ${describeValue(sizes)}`),
  );
}

/**
 * The biases of a network in the JSON layout, checked against `sizes`: $L$ arrays,
 * `field[l-1]` with $n_l$ finite numbers. Like {@link readWeightArrays}, it reads the case's
 * `biases` and everything shaped like them.
 *
 * @param value - the field's value (not `null`: whether biases are there is the caller's to decide)
 * @param field - the field's name in messages, e.g. `biases` or `direction.biases`
 * @param sizes - $n_0, \dots, n_L$ of a valid spec
 * @throws {@link numeric/errors!FormatError | FormatError} for a value that is not an array of arrays of finite numbers,
 *   {@link numeric/errors!ShapeError | ShapeError} for one of the wrong length
 */
export function readBiasArrays(value: unknown, field: string, sizes: readonly number[]): number[][] {
  const L = sizes.length - 1;
  return readArray(value, field, L, `sizes ${describeValue(sizes)} need ${L} (one per weight layer)`).map((vector, index) =>
    readRow(vector, `${field}[${index}]`, sizes[index + 1]!, `sizes ${describeValue(sizes)} need ${sizes[index + 1]}`),
  );
}

/**
 * An array of a given length, or the message that it is not one.
 *
 * @param value - the field's value
 * @param field - the field's name in messages
 * @param length - how many entries it must have
 * @param need - why, as the message ends: `… has 3 entries but <need>`
 * @throws {@link numeric/errors!FormatError | FormatError} for a value that is not an array, {@link numeric/errors!ShapeError | ShapeError} for one of another length
 */
export function readArray(value: unknown, field: string, length: number, need: string): unknown[] {
  if (!Array.isArray(value)) throw new FormatError(`${field} must be an array, got ${describeValue(value)}`);
  if (value.length !== length) throw new ShapeError(`${field} has ${value.length} entries but ${need}`);
  return value;
}

/**
 * A finite number, or the message that it is not one.
 *
 * @param value - the field's value
 * @param field - the field's name in messages
 * @throws {@link numeric/errors!FormatError | FormatError} `<field> must be a number` or `<field> must be a finite number`
 */
export function readNumber(value: unknown, field: string): number {
  if (typeof value !== "number") throw new FormatError(`${field} must be a number, got ${describeValue(value)}`);
  if (!Number.isFinite(value)) {
    throw new FormatError(`${field} must be a finite number, got ${value} (JSON numbers beyond ±1.8e308 overflow)`);
  }
  return value;
}

/**
 * A row of finite numbers of a given length, each read by {@link readNumber} and named
 * `<field>[<index>]`.
 *
 * @param value - the field's value
 * @param field - the field's name in messages
 * @param length - how many numbers it must hold
 * @param need - why, as the message ends: `… has 3 entries but <need>`
 * @throws {@link numeric/errors!FormatError | FormatError} for a value that is not an array of finite numbers, {@link numeric/errors!ShapeError | ShapeError} for one of another length
 */
export function readRow(value: unknown, field: string, length: number, need: string): number[] {
  if (!Array.isArray(value)) throw new FormatError(`${field} must be an array of numbers, got ${describeValue(value)}`);
  if (value.length !== length) throw new ShapeError(`${field} has ${value.length} entries but ${need}`);
  return value.map((entry, index) => readNumber(entry, `${field}[${index}]`));
}

function readMatrix(value: unknown, field: string, rows: number, columns: number, sizes: string): number[][] {
  if (!Array.isArray(value) || !value.every(Array.isArray)) {
    throw new FormatError(`${field} must be an array of rows (arrays of numbers), got ${describeValue(value)}`);
  }
  const rowLengths = new Set(value.map((row: unknown[]) => row.length));
  if (value.length !== rows || (rowLengths.size === 1 && !rowLengths.has(columns))) {
    const shape =
      value.length === 0
        ? "0×0"
        : rowLengths.size === 1
          ? `${value.length}×${[...rowLengths][0]}`
          : `${value.length} rows of unequal length`;
    throw new ShapeError(`${field} is ${shape} but ${sizes} need ${rows}×${columns}`);
  }
  return value.map((row, index) => readRow(row, `${field}[${index}]`, columns, `${sizes} need ${columns} columns`));
}

function readSamples(value: unknown, field: string, units: number, need: string): number[][] {
  if (!Array.isArray(value)) {
    throw new FormatError(`${field} must be an array with one row per sample, got ${describeValue(value)}`);
  }
  if (value.length === 0) throw new ShapeError(`${field} is empty: a batch needs at least one sample (one row per sample)`);
  return value.map((row, index) => readRow(row, `${field}[${index}]`, units, `${need}`));
}

/**
 * Reads the `gradients` of a `backprop-ref/result@1` document written by another
 * implementation for the given case, checking their shapes against the case's network.
 *
 * @param value - the parsed result document
 * @param problem - the case it answers
 * @throws {@link numeric/errors!FormatError | FormatError} for a document that is not a result or holds non-numbers,
 *   {@link numeric/errors!ShapeError | ShapeError} for gradients shaped unlike the case's parameters
 */
export function gradientsFromResult(value: unknown, problem: Problem): ParameterArrays {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError(`a result must be a JSON object, got ${describeValue(value)}`);
  }
  const document = value as Record<string, unknown>;
  if (document.format !== resultFormat) {
    throw new FormatError(`format must be ${JSON.stringify(resultFormat)}, got ${describeValue(document.format)}`);
  }
  const gradients = document.gradients;
  if (typeof gradients !== "object" || gradients === null || Array.isArray(gradients)) {
    throw new FormatError(`gradients must be an object with weights and biases, got ${describeValue(gradients)}`);
  }
  const { weights, biases } = gradients as Record<string, unknown>;
  const { sizes } = problem.network.spec;
  const L = depth(problem.network.spec);
  if (!Array.isArray(weights) || weights.length !== L) {
    throw new ShapeError(`gradients.weights must hold ${L} matrices for sizes ${describeValue(sizes)}, got ${describeValue(weights)}`);
  }
  const withBiases = problem.network.biases !== null;
  if (withBiases ? !Array.isArray(biases) || biases.length !== L : biases !== null) {
    throw new ShapeError(
      withBiases
        ? `gradients.biases must hold ${L} vectors, since the case has biases; got ${describeValue(biases)}`
        : `gradients.biases must be null, since the case has no biases; got ${describeValue(biases)}`,
    );
  }
  const number = (entry: unknown, where: string): number => {
    if (typeof entry !== "number" || !Number.isFinite(entry))
      throw new FormatError(`${where} must be a finite number, got ${describeValue(entry)}`);
    return entry;
  };
  const row = (entries: unknown, where: string, length: number): number[] => {
    if (!Array.isArray(entries) || entries.length !== length) {
      throw new ShapeError(`${where} must hold ${length} numbers, got ${describeValue(entries)}`);
    }
    return entries.map((entry, index) => number(entry, `${where}[${index}]`));
  };
  return {
    weights: weights.map((matrix: unknown, index) => {
      const [rows, columns] = [sizes[index + 1]!, sizes[index]!];
      if (!Array.isArray(matrix) || matrix.length !== rows) {
        throw new ShapeError(
          `gradients.weights[${index}] must be ${rows}×${columns} for sizes ${describeValue(sizes)}, got ${describeValue(matrix)}`,
        );
      }
      return matrixFromRows(matrix.map((entries: unknown, j) => row(entries, `gradients.weights[${index}][${j}]`, columns)));
    }),
    biases: withBiases
      ? (biases as unknown[]).map((vector, index) => vectorFromArray(row(vector, `gradients.biases[${index}]`, sizes[index + 1]!)))
      : null,
  };
}
