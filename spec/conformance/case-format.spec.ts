import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CaseDocument,
  caseFormat2,
  caseFromProblem,
  caseResult,
  gradientsFromResult,
  parseCase,
  readCase,
  type ResultDocument,
} from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { BackpropRefError, FormatError, NumericError, ShapeError, SpecError } from "../../src/numeric/errors.js";
import { formatJson } from "../../src/numeric/json.js";
import { numRuns } from "../support/arbitraries.js";
import { exampleProblem } from "../support/fixtures.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

const valid = workedExampleCase;
const withField = (field: string, value: unknown): unknown => ({ ...valid, [field]: value });

describe("the case format", () => {
  it("reads every generated case back to the same document, case@1 and case@2 with a weight decay alike", () => {
    const decay = fc.double({ min: 0, max: 1, noNaN: true, minExcluded: true });
    fc.assert(
      fc.property(fc.oneof(caseDocument(), caseDocument({ weightDecay: decay })), (document) => {
        expect(caseFromProblem(parseCase(document))).toEqual(document);
      }),
      { numRuns },
    );
  });

  it("reads a case@2 without weightDecay, or with 0, as the case@1 of the same numbers: the same problem, written back as case@1, answered bit for bit alike", () => {
    fc.assert(
      fc.property(caseDocument(), fc.boolean(), (document, explicit) => {
        const version2 = { ...document, format: caseFormat2, ...(explicit ? { weightDecay: 0 } : {}) };
        const problem = parseCase(version2);
        expect(problem.weightDecay).toBe(0);
        expect(caseFromProblem(problem)).toEqual(document);
        expect(JSON.stringify(caseResult(problem))).toBe(JSON.stringify(caseResult(parseCase(document))));
      }),
      { numRuns },
    );
  });

  it.each([
    ["[1, 2]", FormatError, "a case must be a JSON object, got [1, 2]"],
    ['{"format": "backprop-ref/case@1"', FormatError, "the case is not valid JSON"],
    [
      JSON.stringify({ ...valid, learning_rate: 0.3 }),
      FormatError,
      'unknown field "learning_rate": a case has the fields format, id, sizes',
    ],
    [
      JSON.stringify(withField("format", "backprop-ref/case@3")),
      FormatError,
      'format must be "backprop-ref/case@1" or "backprop-ref/case@2", got "backprop-ref/case@3"',
    ],
    [
      JSON.stringify(withField("weightDecay", 0.01)),
      FormatError,
      'unknown field "weightDecay": a case has the fields format, id, sizes, activations, loss, weights, biases, inputs, targets, learningRate (weightDecay is a field of backprop-ref/case@2)',
    ],
    [
      JSON.stringify({ ...valid, format: "backprop-ref/case@2", weightDecay: -0.01 }),
      FormatError,
      "weightDecay must be a finite number ≥ 0, got -0.01",
    ],
    [
      JSON.stringify({ ...valid, format: "backprop-ref/case@2", weightDecay: "0.01" }),
      FormatError,
      'weightDecay must be a finite number ≥ 0, got "0.01"',
    ],
    [
      JSON.stringify({ ...valid, format: "backprop-ref/case@2", weightDecay: null }),
      FormatError,
      "weightDecay must be a finite number ≥ 0, got null",
    ],
    [
      JSON.stringify({ ...valid, format: "backprop-ref/case@2", weightDecay: 0.01 }).replace('"weightDecay":0.01', '"weightDecay":1e400'),
      FormatError,
      "weightDecay must be a finite number ≥ 0, got Infinity",
    ],
    [
      JSON.stringify({ ...valid, format: "backprop-ref/case@2", weight_decay: 0.01 }),
      FormatError,
      'unknown field "weight_decay": a case has the fields format, id, sizes, activations, loss, weights, biases, inputs, targets, learningRate, weightDecay',
    ],
    [JSON.stringify(withField("id", 7)), FormatError, "id must be a string (or null), got 7"],
    [
      JSON.stringify({ format: "backprop-ref/result@1", loss: 0.1, outputs: [[0.5]] }),
      FormatError,
      'format must be "backprop-ref/case@1" or "backprop-ref/case@2", got "backprop-ref/result@1"',
    ],
    [
      JSON.stringify(withField("sizes", [2, "NESTED", 1])).replace('"NESTED"', `${"[".repeat(5000)}2${"]".repeat(5000)}`),
      FormatError,
      "the case nests arrays and objects deeper than 64 levels, at sizes[1][0][0]…",
    ],
    [
      JSON.stringify(withField("biases", {})),
      FormatError,
      "biases must be null or an array with one array per weight layer, got an object",
    ],
    [JSON.stringify(withField("sizes", [2, "2", 1])), SpecError, 'sizes[1] must be a positive integer, got "2"'],
    [JSON.stringify(withField("activations", ["sigmoid", "gelu"])), SpecError, "activations[1] must be one of sigmoid"],
    [JSON.stringify(withField("activations", ["softmax", "sigmoid"])), SpecError, "softmax is allowed in the output layer only"],
    [
      JSON.stringify(withField("loss", "cross_entropy")),
      SpecError,
      "loss cross_entropy needs a softmax output layer, but activations[1] is sigmoid",
    ],
    [
      JSON.stringify(
        withField("weights", [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
        ]),
      ),
      ShapeError,
      "weights has 1 entries but sizes [2, 2, 1] need 2 (one per weight layer)",
    ],
    [
      JSON.stringify(
        withField("weights", [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
          [[0.5], [-0.6]],
        ]),
      ),
      ShapeError,
      "weights[1] is 2×1 but sizes [2, 2, 1] need 1×2",
    ],
    [
      JSON.stringify(withField("weights", [[[0.1, -0.2], [0.4]], [[0.5, -0.6]]])),
      ShapeError,
      "weights[0][1] has 1 entries but sizes [2, 2, 1] need 2 columns",
    ],
    [
      JSON.stringify(
        withField("weights", [
          [
            [0.1, "x"],
            [0.4, 0.3],
          ],
          [[0.5, -0.6]],
        ]),
      ),
      FormatError,
      'weights[0][0][1] must be a number, got "x"',
    ],
    [
      '{"format":"backprop-ref/case@1","sizes":[2,2,1],"activations":["sigmoid","sigmoid"],"loss":"squared_error","weights":[[[0.1,1e400],[0.4,0.3]],[[0.5,-0.6]]],"biases":null,"inputs":[[0,1]],"targets":[[1]],"learningRate":0.3}',
      FormatError,
      "weights[0][0][1] must be a finite number, got Infinity",
    ],
    [
      JSON.stringify(
        withField("biases", [
          [0, 0],
          [0, 0],
        ]),
      ),
      ShapeError,
      "biases[1] has 2 entries but sizes [2, 2, 1] need 1",
    ],
    [JSON.stringify(withField("inputs", [])), ShapeError, "inputs is empty: a batch needs at least one sample"],
    [
      JSON.stringify(
        withField("inputs", [
          [0, 1, 2],
          [1, 1, 1],
        ]),
      ),
      ShapeError,
      "inputs[0] has 3 entries but sizes[0] is 2",
    ],
    [JSON.stringify(withField("inputs", "0,1")), FormatError, 'inputs must be an array with one row per sample, got "0,1"'],
    [JSON.stringify(withField("targets", [[1]])), ShapeError, "targets has 1 rows but inputs has 2: one row per sample in both"],
    [
      JSON.stringify(
        withField("targets", [
          [1, 0],
          [0, 1],
        ]),
      ),
      ShapeError,
      "targets[0] has 2 entries but sizes[2] is 1",
    ],
    [JSON.stringify(withField("learningRate", -0.1)), FormatError, "learningRate must be a finite number ≥ 0, got -0.1"],
    [JSON.stringify(withField("learningRate", "0.3")), FormatError, 'learningRate must be a finite number ≥ 0, got "0.3"'],
    [
      JSON.stringify(Object.fromEntries(Object.entries(valid).filter(([key]) => key !== "targets"))),
      FormatError,
      'the case has no field "targets"',
    ],
  ])("rejects a malformed case with a message naming the field: %#", (text, kind, message) => {
    expect(() => readCase(text)).toThrow(kind);
    expect(() => readCase(text)).toThrow(message);
  });

  it("answers a malformed case with a typed error, never another exception, whatever one field is replaced with", () => {
    const jsonValue = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.string({ maxLength: 5 }),
      fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 3 }), fc.array(fc.double(), { maxLength: 3 })), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.double(), { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          caseDocument({ depth: { min: 1, max: 2 } }),
          caseDocument({ depth: { min: 1, max: 2 }, weightDecay: fc.double({ min: 0, max: 1, noNaN: true }) }),
        ),
        fc.constantFrom(...Object.keys(valid), "weightDecay"),
        jsonValue,
        (document, field, value) => {
          const broken = { ...document, [field]: value } as Record<string, unknown>;
          try {
            parseCase(broken);
          } catch (error) {
            expect(error).toBeInstanceOf(BackpropRefError);
          }
        },
      ),
      { numRuns },
    );
  });
});

describe("the result format", () => {
  it("holds the loss, the outputs (one row per sample), and gradients, delta weights and updated weights shaped like the case", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const result = caseResult(parseCase(document));
        expect(result.format).toBe("backprop-ref/result@1");
        expect(result.outputs).toHaveLength(document.inputs.length);
        expect(result.outputs[0]).toHaveLength(document.sizes.at(-1)!);
        for (const parameters of [result.gradients, result.deltaWeights, result.updated]) {
          expect(parameters.weights.map((matrix) => [matrix.length, matrix[0]!.length])).toEqual(
            document.weights.map((matrix) => [matrix.length, matrix[0]!.length]),
          );
          expect(parameters.biases?.map((vector) => vector.length) ?? null).toEqual(
            document.biases?.map((vector) => vector.length) ?? null,
          );
        }
      }),
      { numRuns },
    );
  });

  it("writes numbers that read back to the same float64, −0 included", () => {
    const numbers = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(fc.array(numbers, { minLength: 1, maxLength: 3 }), (rows) => {
        const back = JSON.parse(formatJson({ rows })) as { rows: number[][] };
        rows.forEach((row, i) => row.forEach((value, j) => expect(Object.is(back.rows[i]![j], value)).toBe(true)));
      }),
      { numRuns },
    );
    expect(formatJson([0.1, -0, 1e21, 5e-324])).toBe("[0.1, -0, 1e+21, 5e-324]");
  });

  it("refuses to write a number JSON cannot hold, naming where it is", () => {
    expect(() => formatJson({ loss: Number.POSITIVE_INFINITY })).toThrow(new NumericError("$.loss is Infinity, which JSON cannot hold"));
  });

  it("reports an overflow of finite input as a numeric error rather than writing Infinity", () => {
    const huge: CaseDocument = {
      ...valid,
      activations: ["identity", "identity"],
      weights: [
        [
          [1e300, 1e300],
          [0.4, 0.3],
        ],
        [[1e300, -0.6]],
      ],
      inputs: [[1e300, 1e300]],
      targets: [[1]],
    };
    expect(() => caseResult(parseCase(huge))).toThrow(
      new NumericError("the outputs overflowed (an entry is not finite): the weights or inputs are too large for float64"),
    );
  });

  it("answers a case whose preactivations overflow but whose sigmoid outputs are finite and exact to float64", () => {
    const saturated: CaseDocument = {
      ...valid,
      weights: [
        [
          [1e300, 1e300],
          [0.4, 0.3],
        ],
        [[1e300, -0.6]],
      ],
      inputs: [[1e300, 1e300]],
      targets: [[1]],
    };
    const result = caseResult(parseCase(saturated));
    expect(result.outputs).toEqual([[1]]);
    expect(result.loss).toBe(0);
    expect(result.gradients.weights.flat(2).every(Number.isFinite)).toBe(true);
  });

  // Each row damages the worked example's result, which the test computes.
  it.each<[(result: ResultDocument) => unknown, typeof BackpropRefError, string]>([
    [() => [1, 2], FormatError, "a result must be a JSON object, got [1, 2]"],
    [
      (result) => ({ ...result, format: "backprop-ref/case@1" }),
      FormatError,
      'format must be "backprop-ref/result@1", got "backprop-ref/case@1"',
    ],
    [(result) => ({ ...result, gradients: null }), FormatError, "gradients must be an object with weights and biases, got null"],
    [
      (result) => ({ ...result, gradients: { weights: [result.gradients.weights[0]], biases: null } }),
      ShapeError,
      "gradients.weights must hold 2 matrices for sizes [2, 2, 1]",
    ],
    [
      (result) => ({ ...result, gradients: { weights: result.gradients.weights, biases: [[0, 0], [0]] } }),
      ShapeError,
      "gradients.biases must be null, since the case has no biases",
    ],
    [
      (result) => ({ ...result, gradients: { weights: [result.gradients.weights[0], [[1]]], biases: null } }),
      ShapeError,
      "gradients.weights[1][0] must hold 2 numbers, got [1]",
    ],
    [
      (result) => ({ ...result, gradients: { weights: [result.gradients.weights[0], [[1, "x"]]], biases: null } }),
      FormatError,
      'gradients.weights[1][0][1] must be a finite number, got "x"',
    ],
  ])(
    "reads another implementation's gradients from a result only if they fit the case, and names the field that does not: %#",
    (damage, kind, message) => {
      const problem = exampleProblem();
      const value = damage(caseResult(problem));
      expect(() => gradientsFromResult(value, problem)).toThrow(kind);
      expect(() => gradientsFromResult(value, problem)).toThrow(message);
    },
  );
});
