/**
 * The invalid conformance vectors: malformed cases a correct implementation must reject, each one
 * change away from a valid 2-2-1 sigmoid network (text that is not JSON, a wrong format tag, a
 * missing or unknown field, wrong shapes, non-numbers, non-finite numbers, an empty batch, a spec
 * that describes no network, a negative learning rate, sizes too large to allocate, a weight
 * decay that is misplaced, negative or not a number), with the
 * error this implementation raises for each. The valid files are the `vectors` module's.
 *
 * @module
 */
import { BackpropRefError } from "../numeric/errors.js";
import { caseFormat2, readCase } from "./case-format.js";
import { verifyTolerance } from "./tolerance.js";
import { type ExpectedError, type VectorFile, vectorsFormat, type VectorTest } from "./vector-format.js";
import { flagNotes, generatorVersion, invalidFamily } from "./vector-notes.js";
import { workedExampleCase } from "./worked-example.js";

/** The base of the invalid cases: the worked example's 2-2-1 sigmoid network and two samples, with biases. */
const { id: _workedExampleId, ...workedExample } = workedExampleCase;
const validBase = { ...workedExample, biases: [[0.1, -0.1], [0.2]] };

/**
 * The invalid cases: malformed input that a correct implementation must reject, each changing
 * one thing in a valid case.
 */
export function invalidVectors(): VectorFile {
  const edits: [string, string[], (base: Record<string, unknown>) => Record<string, unknown> | string][] = [
    ["the text stops in the middle", ["MalformedJson"], (base) => JSON.stringify(base).slice(0, 60)],
    [
      "NaN, which JSON does not have",
      ["NonFinite", "MalformedJson"],
      (base) => JSON.stringify(base).replace('"learningRate":0.3', '"learningRate":NaN'),
    ],
    ["a JSON array instead of an object", ["WrongFormat"], () => "[1, 2, 3]"],
    // case@2 is defined since generator 1.3.0 (the case with weight decay): the later version is case@3.
    ["the format tag of a later version", ["WrongFormat"], (base) => ({ ...base, format: "backprop-ref/case@3" })],
    ["no format tag", ["WrongFormat", "MissingField"], ({ format: _format, ...rest }) => rest],
    ["no weights", ["MissingField"], ({ weights: _weights, ...rest }) => rest],
    ["no learningRate", ["MissingField"], ({ learningRate: _learningRate, ...rest }) => rest],
    ["weights null", ["MissingField"], (base) => ({ ...base, weights: null })],
    ["a field the format does not define", ["UnknownField"], (base) => ({ ...base, momentum: 0.9 })],
    [
      "weights[0] has 3 columns where sizes need 2",
      ["WrongShape"],
      (base) => ({
        ...base,
        weights: [
          [
            [0.1, -0.2, 0],
            [0.4, 0.3, 0],
          ],
          [[0.5, -0.6]],
        ],
      }),
    ],
    [
      "one weight matrix for two weight layers",
      ["WrongShape"],
      (base) => ({
        ...base,
        weights: [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
        ],
      }),
    ],
    [
      "weights[1] transposed: 2x1 where sizes need 1x2",
      ["WrongShape"],
      (base) => ({
        ...base,
        weights: [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
          [[0.5], [-0.6]],
        ],
      }),
    ],
    [
      "an input row of 3 numbers where sizes[0] is 2",
      ["WrongShape"],
      (base) => ({
        ...base,
        inputs: [
          [0, 1, 2],
          [1, 1],
        ],
      }),
    ],
    ["one target row for two input rows", ["WrongShape"], (base) => ({ ...base, targets: [[1]] })],
    [
      "biases[1] has 2 entries where sizes need 1",
      ["WrongShape"],
      (base) => ({
        ...base,
        biases: [
          [0.1, -0.1],
          [0.2, 0],
        ],
      }),
    ],
    [
      "a weight written as a string",
      ["NonNumber"],
      (base) => ({
        ...base,
        weights: [
          [
            ["0.1", -0.2],
            [0.4, 0.3],
          ],
          [[0.5, -0.6]],
        ],
      }),
    ],
    ["the learning rate written as a string", ["NonNumber"], (base) => ({ ...base, learningRate: "0.3" })],
    ["a target that is true", ["NonNumber"], (base) => ({ ...base, targets: [[true], [0]] })],
    ["a weight of 1e400, which overflows float64", ["NonFinite"], (base) => JSON.stringify(base).replace("0.4,0.3", "1e400,0.3")],
    ["no samples", ["EmptyBatch"], (base) => ({ ...base, inputs: [], targets: [] })],
    ["an activation no one defines", ["BadSpec"], (base) => ({ ...base, activations: ["gelu", "sigmoid"] })],
    ["softmax in a hidden layer", ["BadSpec"], (base) => ({ ...base, activations: ["softmax", "sigmoid"] })],
    ["cross-entropy without a softmax output", ["BadSpec"], (base) => ({ ...base, loss: "cross_entropy" })],
    ["a layer of 2.5 units", ["BadSpec"], (base) => ({ ...base, sizes: [2, 2.5, 1] })],
    ["a negative learning rate", ["NegativeLearningRate"], (base) => ({ ...base, learningRate: -0.1 })],
    ["sizes of 100000 units: 2e10 parameters", ["HugeSize"], (base) => ({ ...base, sizes: [100000, 100000, 100000] })],
    // Generator 1.3.0: the weight decay of case@2.
    ["a weightDecay in a case@1 document, which does not define it", ["UnknownField"], (base) => ({ ...base, weightDecay: 0.01 })],
    ["a negative weight decay", ["NegativeWeightDecay"], (base) => ({ ...base, format: caseFormat2, weightDecay: -0.01 })],
    ["the weight decay written as a string", ["NonNumber"], (base) => ({ ...base, format: caseFormat2, weightDecay: "0.01" })],
    ["a weight decay of null", ["NonNumber"], (base) => ({ ...base, format: caseFormat2, weightDecay: null })],
  ];
  const tests: VectorTest[] = edits.map(([comment, flags, edit], index) => {
    const tcId = index + 1;
    const id = `${invalidFamily}/${tcId}`;
    const edited = edit({ ...validBase, id });
    const caseText = typeof edited === "string" ? edited : JSON.stringify(edited);
    return { id, tcId, comment, flags, result: "invalid", caseText, expectedError: rejectionOf(caseText) };
  });
  const used = new Set(tests.flatMap((test) => test.flags));
  return {
    format: vectorsFormat,
    generatorVersion,
    family: invalidFamily,
    description:
      "Malformed cases, each one change away from a valid 2-2-1 sigmoid network: a correct implementation must reject every one " +
      "(report a rejection, not a result). expectedError is what backprop-ref says; the wording is not part of the test.",
    numberOfTests: tests.length,
    notes: Object.fromEntries(Object.entries(flagNotes).filter(([flag]) => used.has(flag))),
    testGroups: [{ depth: null, tolerance: verifyTolerance, tests }],
  };
}

function rejectionOf(caseText: string): ExpectedError {
  try {
    readCase(caseText);
  } catch (error) {
    // The JSON parser's own words differ between JavaScript engines; keep only ours.
    if (error instanceof BackpropRefError)
      return { kind: error.name, message: error.message.replace(/^(the case is not valid JSON).*$/s, "$1") };
    throw error;
  }
  throw new Error(`an invalid vector was accepted: ${caseText}`);
}
