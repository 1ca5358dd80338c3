/**
 * The second-order formats: the hvp case (a case@1 document with a `direction`) and its answer
 * (`backprop-ref/hvp@1`). A case reads back to the same document; the answer holds exactly what
 * `secondOrder` computes, reads back to the same numbers and validates against its schema; and
 * every malformed direction or answer is refused with a typed error that names its field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hvpCaseDocument } from "../../src/conformance/case-arbitrary.js";
import {
  type HvpCaseDocument,
  hvpCaseFromProblem,
  hvpDocument,
  hvpResult,
  parseHvpAnswer,
  parseHvpCase,
  readHvpAnswer,
  readHvpCase,
} from "../../src/conformance/hvp-format.js";
import { schemaViolation } from "../../src/conformance/schemas.js";
import { workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { secondOrder } from "../../src/model/second-order.js";
import { BackpropRefError, FormatError, ShapeError, ValueError } from "../../src/numeric/errors.js";
import { formatJson } from "../../src/numeric/json.js";
import { matrixToRows } from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { damage, damaged, hostile, type Path, paths } from "../support/damage.js";
import { expectSameBits, valuesOf } from "../support/parameters.js";

/** Cases of 1 to 3 layers of 1 to 3 units, 1 to 3 samples, with a direction: small enough to damage and answer many of. */
const smallCases = () => hvpCaseDocument({ depth: { min: 1, max: 3 }, width: { min: 1, max: 3 }, batch: { min: 1, max: 3 } });

/** The worked example's hvp case with its direction replaced (or, for `undefined`, removed). */
const withDirection = (direction: unknown): unknown => ({ ...workedExampleHvpCase, direction });

/** The worked example's hvp case with biases, and a direction with biases. */
const withBiases = (biases: unknown): unknown => ({
  ...workedExampleHvpCase,
  biases: [[0.1, -0.1], [0.2]],
  direction: { ...workedExampleHvpCase.direction, biases },
});

/** How a message names the field at a path: `direction.weights[1][0][2]`. */
function fieldName(path: Path): string {
  return path.map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`)).join("");
}

/** A valid hvp case with one node of its direction (the direction itself included) replaced by a hostile value or deleted. */
function damagedDirection() {
  return smallCases().chain((document) =>
    fc
      .tuple(fc.constantFrom(...paths(document).filter((path) => path[0] === "direction")), fc.oneof(hostile, fc.constant(undefined)))
      .map(([path, replacement]) => ({ path, document: damaged(document, path, replacement) })),
  );
}

describe("the hvp case format", () => {
  it("reads every generated hvp case back to the same document, which its schema accepts", () => {
    fc.assert(
      fc.property(smallCases(), (document) => {
        expect(hvpCaseFromProblem(parseHvpCase(document))).toEqual(document);
        expect(schemaViolation("hvp-case", document)).toBeNull();
      }),
      { numRuns },
    );
  });

  it.each<[string, unknown, typeof FormatError | typeof ShapeError, string]>([
    ["missing", withDirection(undefined), FormatError, 'the case has no field "direction": an hvp case is a backprop-ref/case@1 document'],
    ["an array", withDirection([1, 2]), FormatError, 'direction must be an object {"weights": [...], "biases": [...] | null}'],
    ["null", withDirection(null), FormatError, "direction must be an object {"],
    ["a number", withDirection(0), FormatError, "shaped like the case's weights and biases, got 0"],
    [
      "an extra key",
      withDirection({ ...workedExampleHvpCase.direction, bias: null }),
      FormatError,
      'unknown field "direction.bias": direction has the fields weights and biases',
    ],
    ["no weights", withDirection({ biases: null }), FormatError, 'direction has no field "weights"'],
    ["no biases", withDirection({ weights: workedExampleHvpCase.direction.weights }), FormatError, 'direction has no field "biases"'],
    [
      "weights not an array",
      withDirection({ weights: {}, biases: null }),
      FormatError,
      "direction.weights must be an array, got an object",
    ],
    [
      "one weight layer too few",
      withDirection({ weights: [workedExampleHvpCase.direction.weights[0]], biases: null }),
      ShapeError,
      "direction.weights has 1 entries but sizes [2, 2, 1] need 2 (one per weight layer)",
    ],
    [
      "a matrix transposed",
      withDirection({ weights: [workedExampleHvpCase.direction.weights[0], [[0], [1]]], biases: null }),
      ShapeError,
      "direction.weights[1] is 2×1 but sizes [2, 2, 1] need 1×2",
    ],
    [
      "a matrix nested one level too shallow",
      withDirection({ weights: [workedExampleHvpCase.direction.weights[0], [0, 1]], biases: null }),
      FormatError,
      "direction.weights[1] must be an array of rows (arrays of numbers), got [0, 1]",
    ],
    [
      "a matrix nested one level too deep",
      withDirection({ weights: [workedExampleHvpCase.direction.weights[0], [[[0], [1]]]], biases: null }),
      FormatError,
      "direction.weights[1][0][0] must be a number, got [0]",
    ],
    [
      "a short row",
      withDirection({ weights: [[[1, 0], [0]], [[0, 1]]], biases: null }),
      ShapeError,
      "direction.weights[0][1] has 1 entries but sizes [2, 2, 1] need 2 columns",
    ],
    [
      "a string",
      withDirection({
        weights: [
          [
            [1, 0],
            [0, "0"],
          ],
          [[0, 1]],
        ],
        biases: null,
      }),
      FormatError,
      'direction.weights[0][1][1] must be a number, got "0"',
    ],
    [
      "NaN, as a program would pass it",
      withDirection({
        weights: [
          [
            [1, 0],
            [0, 0],
          ],
          [[0, NaN]],
        ],
        biases: null,
      }),
      FormatError,
      "direction.weights[1][0][1] must be a finite number, got NaN",
    ],
    [
      "biases where the case has none",
      withDirection({ ...workedExampleHvpCase.direction, biases: [[0, 0], [0]] }),
      ShapeError,
      "direction.biases must be null, since the case's biases are null, got [[0, 0], [0]]",
    ],
    [
      "biases of the wrong type where the case has none",
      withDirection({ ...workedExampleHvpCase.direction, biases: 0 }),
      FormatError,
      "direction.biases must be null, since the case's biases are null, got 0",
    ],
    [
      "no biases where the case has them",
      withBiases(null),
      ShapeError,
      "direction.biases is null but the case has biases: it needs 2 arrays (one per weight layer), like the case's biases",
    ],
    [
      "biases that are not an array",
      withBiases({}),
      FormatError,
      "direction.biases must be an array with one array per weight layer, like the case's biases, got an object",
    ],
    [
      "a bias vector too long",
      withBiases([
        [0, 0],
        [0, 1],
      ]),
      ShapeError,
      "direction.biases[1] has 2 entries but sizes [2, 2, 1] need 1",
    ],
    ["a bias that is not a number", withBiases([[0, true], [0]]), FormatError, "direction.biases[0][1] must be a number, got true"],
  ])("refuses a direction that is %s, naming the field", (_, document, Kind, message) => {
    expect(() => parseHvpCase(document)).toThrow(Kind);
    expect(() => parseHvpCase(document)).toThrow(message);
  });

  it("refuses a case@2 and a problem with weight decay, whatever its weightDecay: the products are of the loss without a penalty", () => {
    for (const weightDecay of [0, 0.01]) {
      expect(() => parseHvpCase({ ...workedExampleHvpCase, format: "backprop-ref/case@2", weightDecay })).toThrow(
        /^the case is a backprop-ref\/case@2 document: the second-order products do not support weight decay/,
      );
    }
    const decayed = { ...parseHvpCase(workedExampleHvpCase), weightDecay: 0.01 };
    const refusal = new ValueError(
      "the second-order products do not support weight decay, got weightDecay 0.01: they are of the loss without its penalty",
    );
    expect(() => hvpResult(decayed)).toThrow(refusal);
    expect(() => hvpCaseFromProblem(decayed)).toThrow(refusal);
  });

  it("refuses a direction number beyond float64's range in the text, as it refuses one among the weights", () => {
    const text = JSON.stringify(workedExampleHvpCase).replace('"direction":{"weights":[[[1,', '"direction":{"weights":[[[1e400,');
    expect(() => readHvpCase(text)).toThrow("direction.weights[0][0][0] must be a finite number, got Infinity");
    expect(() => readHvpCase(JSON.stringify(workedExampleHvpCase).replace('"biases":null}}', '"biases":NaN}}'))).toThrow(
      "the case is not valid JSON: direction.biases is NaN, which JSON does not have",
    );
  });

  it("checks the case before its direction, in the case format's words", () => {
    expect(() => parseHvpCase({ ...workedExampleHvpCase, learning_rate: 0.3 })).toThrow(
      'unknown field "learning_rate": a case has the fields format, id, sizes, activations, loss, weights, biases, inputs, targets, learningRate, direction',
    );
    expect(() =>
      parseHvpCase({
        ...workedExampleHvpCase,
        weights: [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
          [[0.5], [-0.6]],
        ],
        direction: null,
      }),
    ).toThrow("weights[1] is 2×1 but sizes [2, 2, 1] need 1×2");
  });

  it("refuses every damaged direction with a format or shape error naming the damaged field or one at most two levels above it, or answers it soundly", () => {
    fc.assert(
      fc.property(damagedDirection(), ({ path, document }) => {
        let problem;
        try {
          problem = parseHvpCase(document);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(BackpropRefError);
          expect((error as Error).name).toMatch(/^(FormatError|ShapeError)$/);
          // Two levels up: a number deleted from the only row of a matrix makes the matrix the wrong shape.
          const enclosing = path.map((_, index) => fieldName(path.slice(0, index + 1))).slice(Math.max(0, path.length - 3));
          const named = enclosing.filter((field) => (error as Error).message.includes(field));
          expect(named, `${(error as Error).message} names none of ${enclosing.join(", ")}`).not.toEqual([]);
          return;
        }
        expect(schemaViolation("hvp-case", document)).toBeNull();
        try {
          expect(schemaViolation("hvp", hvpResult(problem))).toBeNull();
        } catch (error) {
          expect((error as Error).name, String(error)).toBe("NumericError");
        }
      }),
      { numRuns: numRuns * 2 },
    );
  });
});

describe("the hvp answer format", () => {
  it("holds exactly what secondOrder computes, validates against its schema, and reads back to the same numbers", () => {
    fc.assert(
      fc.property(smallCases(), (document) => {
        const problem = parseHvpCase(document);
        const answer = hvpResult(problem);
        const products = secondOrder(problem.network, problem.inputs, problem.targets, problem.direction);
        expect(answer).toEqual(hvpDocument(products, problem.id));
        expect(schemaViolation("hvp", answer)).toBeNull();
        expect(answer.outputTangents).toEqual(matrixToRows(products.outputTangents.transpose(1, 0)));
        const read = readHvpAnswer(formatJson(answer), problem);
        expectSameBits([read.loss, read.directionalDerivative], [products.loss, products.directionalDerivative], "loss and ∇E·V");
        expectSameBits(matrixToRows(read.outputTangents).flat(), matrixToRows(products.outputTangents).flat(), "outputTangents");
        expectSameBits(valuesOf(read.hessianVectorProduct), valuesOf(products.hessianVectorProduct), "hessianVectorProduct");
        expectSameBits(valuesOf(read.gaussNewtonVectorProduct), valuesOf(products.gaussNewtonVectorProduct), "gaussNewtonVectorProduct");
        expect(hvpDocument(read, read.id)).toEqual(answer);
      }),
      { numRuns },
    );
  });

  it("copies the case's id, and leaves it out when the case has none", () => {
    expect(hvpResult(parseHvpCase(workedExampleHvpCase)).id).toBe("xor-2-2-1-sigmoid");
    expect("id" in hvpResult(parseHvpCase({ ...workedExampleHvpCase, id: null }))).toBe(false);
  });

  const problem = () => parseHvpCase(workedExampleHvpCase);
  const reference = () => hvpResult(problem());

  it.each<[string, (answer: Record<string, unknown>) => unknown, typeof FormatError | typeof ShapeError, string]>([
    ["not an object", () => [], FormatError, "an hvp answer must be a JSON object, got []"],
    [
      "a result@1 document",
      (answer) => ({ ...answer, format: "backprop-ref/result@1" }),
      FormatError,
      'format must be "backprop-ref/hvp@1"',
    ],
    [
      "an unknown field",
      (answer) => ({ ...answer, hessian: 1 }),
      FormatError,
      'unknown field "hessian": an hvp answer has the fields format',
    ],
    [
      "a missing product",
      ({ gaussNewtonVectorProduct: _, ...rest }) => rest,
      FormatError,
      'the answer has no field "gaussNewtonVectorProduct"',
    ],
    ["an id that is not a string", (answer) => ({ ...answer, id: 3 }), FormatError, "id must be a string when it is there, got 3"],
    ["a loss that is a string", (answer) => ({ ...answer, loss: "0.1" }), FormatError, 'loss must be a number, got "0.1"'],
    [
      "a directional derivative that is not finite",
      (answer) => ({ ...answer, directionalDerivative: Infinity }),
      FormatError,
      "directionalDerivative must be a finite number, got Infinity",
    ],
    [
      "output tangents with one sample per column",
      (answer) => ({ ...answer, outputTangents: [[0.1, 0.2]] }),
      ShapeError,
      "outputTangents has 1 entries but the case has 2 samples (one row per sample)",
    ],
    [
      "an output tangent row too long",
      (answer) => ({ ...answer, outputTangents: [[0.1], [0.2, 0.3]] }),
      ShapeError,
      "outputTangents[1] has 2 entries but sizes[2] is 1",
    ],
    [
      "a product whose matrix is transposed",
      (answer) => ({
        ...answer,
        hessianVectorProduct: {
          weights: [
            [
              [0, 0],
              [0, 0],
            ],
            [[0], [0]],
          ],
          biases: null,
        },
      }),
      ShapeError,
      "hessianVectorProduct.weights[1] is 2×1 but sizes [2, 2, 1] need 1×2",
    ],
    [
      "a product with biases the case does not have",
      (answer) => ({
        ...answer,
        gaussNewtonVectorProduct: {
          weights: [
            [
              [0, 0],
              [0, 0],
            ],
            [[0, 0]],
          ],
          biases: [[0, 0], [0]],
        },
      }),
      ShapeError,
      "gaussNewtonVectorProduct.biases must be null, since the case's biases are null",
    ],
  ])("refuses an answer with %s, naming the field", (_, edit, Kind, message) => {
    const answer = edit(reference() as unknown as Record<string, unknown>);
    expect(() => parseHvpAnswer(answer, problem())).toThrow(Kind);
    expect(() => parseHvpAnswer(answer, problem())).toThrow(message);
  });

  it("reads a damaged answer as a typed error, or as the numbers it holds when the damage left a valid answer", () => {
    const given = problem();
    fc.assert(
      fc.property(damage(fc.constant(reference())), (answer) => {
        let read;
        try {
          read = parseHvpAnswer(answer, given);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(BackpropRefError);
          expect((error as Error).message.length).toBeGreaterThan(10);
          return;
        }
        expect(schemaViolation("hvp", answer)).toBeNull();
        expect(hvpDocument(read, read.id)).toEqual(answer);
      }),
      { numRuns },
    );
  });

  it("the worked example's hvp case answers ∇E·V with the sum of the two gradient entries its direction moves", () => {
    const document: HvpCaseDocument = workedExampleHvpCase;
    const answer = hvpResult(parseHvpCase(document));
    // V moves w(1)[0][0] and w(2)[0][1] at rate 1: ∇E·V = 0.007110150672908856 + 0.00019134911487335426 (the result@1 gradients).
    expect(answer.directionalDerivative).toBeCloseTo(0.007110150672908856 + 0.00019134911487335426, 17);
    expect(answer.loss).toBe(0.1229132832353748);
  });
});
