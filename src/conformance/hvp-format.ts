/**
 * The second-order formats: the hvp case, a `backprop-ref/case@1` document with one more field,
 * `direction`, and its answer, `backprop-ref/hvp@1`, which holds what
 * {@link model/second-order!secondOrder | secondOrder} computes along that direction.
 *
 * The direction $V$ is a point of parameter space, written like the case's own parameters:
 *
 * ```json
 * "direction": { "weights": [[[1, 0], [0, 0]], [[0, 1]]], "biases": null }
 * ```
 *
 * `direction.weights[l-1][j][k]` is $V^{(l)}_{W,jk}$, the rate at which $w^{(l)}_{jk}$ moves;
 * `direction.biases` is `null` exactly when the case's `biases` are, and otherwise
 * `direction.biases[l-1][j]` is $V^{(l)}_{b,j}$. It is read by the case format's own readers
 * ({@link conformance/case-format!readWeightArrays | readWeightArrays} and
 * {@link conformance/case-format!readBiasArrays | readBiasArrays}), so a direction of the wrong
 * shape is refused in the words a case's weights of the wrong shape are:
 * `direction.weights[1] is 2×1 but sizes [2, 2, 1] need 1×2`.
 *
 * The answer holds, for the batch of the case and the direction $V$:
 *
 * | field | quantity | shape |
 * | --- | --- | --- |
 * | `loss` | $E$, the batch mean | a number |
 * | `directionalDerivative` | $\dot E = \nabla E \cdot V$ | a number |
 * | `outputTangents` | $J V = \dot o^{(L)}$ | one row per sample, like a result's `outputs` |
 * | `hessianVectorProduct` | $H V$, $H = \nabla^2 E$ | like the parameters |
 * | `gaussNewtonVectorProduct` | $G V$ | like the parameters |
 *
 * $G$ is the generalized Gauss–Newton matrix $J^\top H_\ell J$ of
 * {@link model/second-order!gaussNewtonOutputDelta | gaussNewtonOutputDelta}: for the matching
 * losses (cross-entropy with softmax, binary cross-entropy with sigmoid) $J$ is the Jacobian of
 * the output layer's weighted sums $z^{(L)}$ and $H_\ell$ the Hessian of the loss composed with
 * its activation; for squared error $J$ is the Jacobian of the outputs $o^{(L)}$ and
 * $H_\ell = I$, the classic Gauss–Newton matrix of least squares.
 *
 * {@link parseHvpCase} reads an hvp case; {@link hvpResult} answers it; {@link parseHvpAnswer}
 * reads another implementation's answer back into the library's types, checked against the
 * case, for a judge to compare.
 *
 * @module
 */
import { depth, type Network, type ParameterArrays } from "../model/network.js";
import { secondOrder, type SecondOrderProducts } from "../model/second-order.js";
import { describeValue, FormatError, ShapeError, ValueError } from "../numeric/errors.js";
import { readJson } from "../numeric/read-json.js";
import { matrixFromRows, matrixToRows, transposed, vectorFromArray } from "../numeric/tensor.js";
import {
  type CaseDocument,
  caseFormat,
  caseFormat2,
  caseFromProblem,
  caseObject,
  parameterDocument,
  type ParameterDocument,
  parseCase,
  type Problem,
  readArray,
  readBiasArrays,
  readNumber,
  readRow,
  readWeightArrays,
} from "./case-format.js";

/** The format tag of an hvp answer document. */
export const hvpFormat = "backprop-ref/hvp@1";

/** A direction $V$ in parameter space as it appears in JSON, shaped like the case's weights and biases. */
export interface DirectionDocument {
  /** `weights[l-1][j][k]` is $V^{(l)}_{W,jk}$. */
  readonly weights: readonly (readonly (readonly number[])[])[];
  /** `null` when the case has no biases, or `biases[l-1][j]` is $V^{(l)}_{b,j}$. */
  readonly biases: readonly (readonly number[])[] | null;
}

/** An hvp case: a `backprop-ref/case@1` document with a direction. */
export interface HvpCaseDocument extends CaseDocument {
  /** $V$, shaped like the case's parameters. */
  readonly direction: DirectionDocument;
}

/** An hvp case read into the library's types. */
export interface HvpProblem extends Problem {
  /** $V$, shaped like the network's parameters. */
  readonly direction: ParameterArrays;
}

/** An answer document, `backprop-ref/hvp@1`, as it appears in JSON. */
export interface HvpDocument {
  /** Always {@link hvpFormat}. */
  readonly format: typeof hvpFormat;
  /** The case's `id`, when it has one. */
  readonly id?: string;
  /** $E$, the batch mean of the loss. */
  readonly loss: number;
  /** $\dot E = \nabla E \cdot V$. */
  readonly directionalDerivative: number;
  /** $J V = \dot o^{(L)}$, one row per sample. */
  readonly outputTangents: number[][];
  /** $H V$, shaped like the case's parameters. */
  readonly hessianVectorProduct: ParameterDocument;
  /** $G V$, the generalized Gauss–Newton product, shaped like the case's parameters. */
  readonly gaussNewtonVectorProduct: ParameterDocument;
}

/** An hvp answer read into the library's types: what {@link model/second-order!secondOrder | secondOrder} returns, and the answer's id. */
export interface HvpAnswer extends SecondOrderProducts {
  /** The answer's `id`, or `null` when it has none. */
  readonly id: string | null;
}

const parameterFields = ["weights", "biases"];
const hvpFields = ["format", "id", "loss", "directionalDerivative", "outputTangents", "hessianVectorProduct", "gaussNewtonVectorProduct"];

/**
 * Reads an hvp case from JSON text.
 *
 * @param text - the JSON text of a `backprop-ref/case@1` document with a `direction`
 * @throws {@link numeric/errors!FormatError | FormatError} for malformed JSON, and whatever {@link parseHvpCase} throws
 */
export function readHvpCase(text: string): HvpProblem {
  return parseHvpCase(readJson(text, "the case"));
}

/**
 * Checks a parsed JSON value against the hvp case format and reads it into an
 * {@link HvpProblem}.
 *
 * Checks, in order: that the document is not a `backprop-ref/case@2` (the second-order
 * products do not support weight decay, so a case with it is refused by name rather than
 * answered without its penalty); what {@link conformance/case-format!caseObject | caseObject}
 * checks of a `case@1`, with `direction` allowed beside the case's fields; that `direction` is there; the case without it,
 * as {@link conformance/case-format!parseCase | parseCase} reads a case; then the direction,
 * as {@link readParameterDocument} reads anything shaped like the parameters. The case's
 * `learningRate` is read and checked (the document is a case) but no product depends on it.
 *
 * @param value - anything, typically the result of `JSON.parse`
 * @throws {@link numeric/errors!FormatError | FormatError}, {@link numeric/errors!SpecError | SpecError} and
 *   {@link numeric/errors!ShapeError | ShapeError} as {@link conformance/case-format!parseCase | parseCase} does, and as
 *   {@link readParameterDocument} does for `direction`, naming the field (`direction.weights[1][0][2]`)
 */
export function parseHvpCase(value: unknown): HvpProblem {
  if (typeof value === "object" && value !== null && (value as { format?: unknown }).format === caseFormat2) {
    throw new FormatError(
      `the case is a ${caseFormat2} document: the second-order products do not support weight decay, and an hvp case is a ` +
        `${caseFormat} document with a direction (write the case as ${caseFormat}, without weightDecay, for the products of the loss without the penalty)`,
    );
  }
  const document = caseObject(value, ["direction"], [caseFormat]);
  if (document.direction === undefined) {
    throw new FormatError(
      'the case has no field "direction": an hvp case is a backprop-ref/case@1 document with a direction ' +
        '{"weights": [...], "biases": [...] | null}, shaped like its weights and biases',
    );
  }
  const { direction, ...rest } = document;
  const problem = parseCase(rest);
  return { ...problem, direction: readParameterDocument(direction, "direction", problem.network) };
}

/**
 * Reads a value shaped like a network's parameters, `{"weights": [...], "biases": [...] | null}`:
 * an hvp case's `direction`, or a product of an hvp answer.
 *
 * Checks, in order: an object with exactly the fields `weights` and `biases`; `weights` as the
 * case's weights are checked ({@link conformance/case-format!readWeightArrays | readWeightArrays}); `biases` `null` exactly when the
 * network has no biases, and otherwise as the case's biases are checked
 * ({@link conformance/case-format!readBiasArrays | readBiasArrays}).
 *
 * @param value - the field's value
 * @param field - the field's name in messages, e.g. `direction` or `hessianVectorProduct`
 * @param network - the network whose parameters it is shaped like
 * @throws {@link numeric/errors!FormatError | FormatError} for a value that is not such an object or holds what is not a finite number,
 *   {@link numeric/errors!ShapeError | ShapeError} for arrays shaped unlike the network's parameters, and for `biases` that are
 *   `null` when the network's are not, or the other way round
 */
export function readParameterDocument(value: unknown, field: string, network: Network): ParameterArrays {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError(
      `${field} must be an object {"weights": [...], "biases": [...] | null} shaped like the case's weights and biases, got ${describeValue(value)}`,
    );
  }
  const document = value as Record<string, unknown>;
  for (const key of Object.keys(document)) {
    if (!parameterFields.includes(key)) {
      throw new FormatError(`unknown field ${JSON.stringify(`${field}.${key}`)}: ${field} has the fields weights and biases`);
    }
  }
  for (const key of parameterFields) {
    if (!(key in document)) {
      throw new FormatError(
        `${field} has no field ${JSON.stringify(key)}: it holds weights and biases shaped like the case's (biases null when the case's are)`,
      );
    }
  }
  const { sizes } = network.spec;
  const L = depth(network.spec);
  const weights = readWeightArrays(document.weights, `${field}.weights`, sizes);
  const biases = document.biases;
  if (network.biases === null) {
    if (biases !== null) {
      const Kind = Array.isArray(biases) ? ShapeError : FormatError;
      throw new Kind(`${field}.biases must be null, since the case's biases are null, got ${describeValue(biases)}`);
    }
  } else if (biases === null) {
    throw new ShapeError(
      `${field}.biases is null but the case has biases: it needs ${L} arrays (one per weight layer), like the case's biases`,
    );
  } else if (!Array.isArray(biases)) {
    throw new FormatError(
      `${field}.biases must be an array with one array per weight layer, like the case's biases, got ${describeValue(biases)}`,
    );
  }
  return {
    weights: weights.map(matrixFromRows),
    biases: biases === null ? null : readBiasArrays(biases, `${field}.biases`, sizes).map(vectorFromArray),
  };
}

/**
 * The hvp case document of a problem (the inverse of {@link parseHvpCase}).
 *
 * @param problem - a network, a batch, a learning rate and a direction
 * @throws {@link numeric/errors!ValueError | ValueError} for a problem with weight decay (see {@link assertNoWeightDecay})
 */
export function hvpCaseFromProblem(problem: HvpProblem): HvpCaseDocument {
  assertNoWeightDecay(problem);
  return { ...caseFromProblem(problem), direction: parameterDocument(problem.direction) };
}

/**
 * Refuses a problem with weight decay where the second-order products are asked for: they are
 * of the loss without the penalty, so answering would leave it out silently.
 *
 * @param problem - a case read into the library's types
 * @throws {@link numeric/errors!ValueError | ValueError} naming the `weightDecay` given
 */
export function assertNoWeightDecay(problem: Pick<Problem, "weightDecay">): void {
  if (problem.weightDecay !== 0) {
    throw new ValueError(
      `the second-order products do not support weight decay, got weightDecay ${problem.weightDecay}: they are of the loss without its penalty`,
    );
  }
}

/**
 * The reference answer of an hvp case: {@link model/second-order!secondOrder | secondOrder} of its network, batch and
 * direction, as an `backprop-ref/hvp@1` document.
 *
 * @param problem - an hvp case read by {@link parseHvpCase}
 * @throws {@link numeric/errors!NumericError | NumericError} when the computation overflows float64
 * @throws {@link numeric/errors!ValueError | ValueError} for a problem with weight decay (see {@link assertNoWeightDecay})
 */
export function hvpResult(problem: HvpProblem): HvpDocument {
  assertNoWeightDecay(problem);
  return hvpDocument(secondOrder(problem.network, problem.inputs, problem.targets, problem.direction), problem.id);
}

/**
 * Second-order products in the JSON layout of `backprop-ref/hvp@1`: samples as rows, parameters
 * as in a case.
 *
 * @param products - what {@link model/second-order!secondOrder | secondOrder} computed (or a judge's alternative to it)
 * @param id - the case's id, or `null` for none
 */
export function hvpDocument(products: SecondOrderProducts, id: string | null): HvpDocument {
  return {
    format: hvpFormat,
    ...(id === null ? {} : { id }),
    loss: products.loss,
    directionalDerivative: products.directionalDerivative,
    outputTangents: matrixToRows(products.outputTangents.transpose(1, 0)),
    hessianVectorProduct: parameterDocument(products.hessianVectorProduct),
    gaussNewtonVectorProduct: parameterDocument(products.gaussNewtonVectorProduct),
  };
}

/**
 * Reads an hvp answer from JSON text: {@link parseHvpAnswer} of its parsed value.
 *
 * @param text - the JSON text of a `backprop-ref/hvp@1` document
 * @param problem - the case it answers
 * @throws {@link numeric/errors!FormatError | FormatError} for malformed JSON, and whatever {@link parseHvpAnswer} throws
 */
export function readHvpAnswer(text: string, problem: HvpProblem): HvpAnswer {
  return parseHvpAnswer(readJson(text, "the answer"), problem);
}

/**
 * Checks a `backprop-ref/hvp@1` document written by another implementation against the case it
 * answers, and reads it into the library's types, samples as columns, for a judge to compare
 * with {@link model/second-order!secondOrder | secondOrder}'s.
 *
 * Checks, in order: an object; `format`; known fields only, all present but `id`; `id` (a
 * string when present); `loss` and `directionalDerivative`, finite numbers; `outputTangents`,
 * one row of $n_L$ finite numbers per sample of the case; `hessianVectorProduct` and
 * `gaussNewtonVectorProduct`, each as {@link readParameterDocument} reads it.
 *
 * @param value - the parsed answer document
 * @param problem - the case it answers
 * @throws {@link numeric/errors!FormatError | FormatError} for a document that is not an hvp answer or holds what is not a finite
 *   number, {@link numeric/errors!ShapeError | ShapeError} for quantities shaped unlike the case's, naming the field
 */
export function parseHvpAnswer(value: unknown, problem: HvpProblem): HvpAnswer {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError(`an hvp answer must be a JSON object, got ${describeValue(value)}`);
  }
  const document = value as Record<string, unknown>;
  if (document.format !== hvpFormat) {
    throw new FormatError(`format must be ${JSON.stringify(hvpFormat)}, got ${describeValue(document.format)}`);
  }
  for (const field of Object.keys(document)) {
    if (!hvpFields.includes(field)) {
      throw new FormatError(`unknown field ${JSON.stringify(field)}: an hvp answer has the fields ${hvpFields.join(", ")}`);
    }
  }
  for (const field of hvpFields) {
    if (field !== "id" && !(field in document)) throw new FormatError(`the answer has no field ${JSON.stringify(field)}`);
  }
  if (document.id !== undefined && typeof document.id !== "string") {
    throw new FormatError(`id must be a string when it is there, got ${describeValue(document.id)}`);
  }
  const { network } = problem;
  const { sizes } = network.spec;
  const L = depth(network.spec);
  const samples = problem.inputs.shape[1]!;
  const loss = readNumber(document.loss, "loss");
  const directionalDerivative = readNumber(document.directionalDerivative, "directionalDerivative");
  const rows = readArray(document.outputTangents, "outputTangents", samples, `the case has ${samples} samples (one row per sample)`).map(
    (row, index) => readRow(row, `outputTangents[${index}]`, sizes[L]!, `sizes[${L}] is ${sizes[L]}`),
  );
  return {
    id: typeof document.id === "string" ? document.id : null,
    loss,
    directionalDerivative,
    outputTangents: transposed(matrixFromRows(rows)),
    hessianVectorProduct: readParameterDocument(document.hessianVectorProduct, "hessianVectorProduct", network),
    gaussNewtonVectorProduct: readParameterDocument(document.gaussNewtonVectorProduct, "gaussNewtonVectorProduct", network),
  };
}
