/**
 * The generator of the conformance vectors (the format is {@link conformance/vector-format | vector-format}):
 * test files another implementation can load without running this code, in the style of
 * Project Wycheproof and the ONNX backend tests.
 *
 * A vector file (`backprop-ref/vectors@1`) holds one family of networks (an activation, a loss,
 * biases on or off), in test groups that share a depth and a tolerance. Each test has an `id`,
 * a `tcId`, a comment, flags (explained in the file's `notes`) and a verdict:
 *
 * - `valid`: `case` is a `backprop-ref/case@1` document and `expected` its
 *   `backprop-ref/result@1` result; an implementation must agree within the group's tolerance.
 * - `wrong`: `expected` is what a known mistake (see the `mistakes` module) gives for `case`; a
 *   correct implementation must disagree with it, and agree with the valid test `sameCaseAs`.
 *   An implementation that agrees has made the mistake named by `mistake`.
 * - `invalid`: `caseText` is the text of a malformed case (it may not even be JSON), and
 *   `expectedError` the error this implementation raises; an implementation must reject it.
 *
 * {@link generateVectorFiles} builds every file from fixed seeds, so `npm run vectors`
 * regenerates the committed files byte for byte and a test fails when they drift.
 *
 * @module
 */
import { type ActivationName, type ElementwiseActivationName, elementwiseActivations } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import { BackpropRefError } from "../numeric/errors.js";
import { formatJson } from "../numeric/json.js";
import { type Random, seededRandom } from "../numeric/random.js";
import { kinkDistance, kinkMargin } from "../oracles/kinks.js";
import { type CaseDocument, caseFormat, caseResult, parseCase, readCase } from "./case-format.js";
import { mistakeApplies, mistakeDescriptions, type MistakeName, mistakenResult } from "./mistakes.js";
import { assertExactlyRounded } from "./exactly-rounded.js";
import { verifyTolerance } from "./tolerance.js";
import { compareResults } from "./verify.js";
import { workedExampleCase } from "./worked-example.js";
import { type ExpectedError, type VectorFile, type VectorGroup, vectorsFormat, type VectorTest } from "./vector-format.js";

/**
 * The version of the generator. It changes whenever the generated tests change, so that a
 * vector file says which generator wrote it; what changed in each version is in
 * docs/conformance-guide.md, "Changelog of the vectors".
 *
 * 1.1.0: every expected number is the exact value rounded to float64, to the bound of the
 * 100-digit oracle; the saturated tests (flag `SaturatedUnits`) are new.
 */
export const generatorVersion = "1.1.0";

/** A family of networks: one output activation and loss, hidden activations, biases on or off. */
export interface VectorFamily {
  /** The file name without `.json`, e.g. `sigmoid-squared_error-biases`. */
  readonly name: string;
  /** The output activation $f_L$. */
  readonly output: ActivationName;
  /** The loss. */
  readonly loss: LossName;
  /** The hidden activations, used in turn from the first hidden layer on. */
  readonly hidden: readonly ElementwiseActivationName[];
  /** Whether the networks have biases. */
  readonly biases: boolean;
}

const elementwiseNames = Object.keys(elementwiseActivations) as ElementwiseActivationName[];

/** Every family: each element-wise activation with squared error, softmax with squared error and cross-entropy, sigmoid with binary cross-entropy; each with and without biases. */
export const vectorFamilies: readonly VectorFamily[] = (
  [
    ...elementwiseNames.map((activation) => ({ output: activation, loss: "squared_error", hidden: [activation] }) as const),
    { output: "softmax", loss: "squared_error", hidden: ["sigmoid", "tanh", "softplus"] },
    { output: "softmax", loss: "cross_entropy", hidden: ["sigmoid", "tanh", "softplus"] },
    { output: "sigmoid", loss: "binary_cross_entropy", hidden: ["sigmoid"] },
  ] satisfies readonly Omit<VectorFamily, "name" | "biases">[]
).flatMap((family) =>
  [true, false].map((biases) => ({ ...family, biases, name: `${family.output}-${family.loss}-${biases ? "biases" : "no-biases"}` })),
);

/** The name of the file of invalid cases. */
export const invalidFamily = "invalid";

/** What each flag means; a file's `notes` holds the flags it uses. */
export const flagNotes: Readonly<Record<string, string>> = {
  Random:
    "Weights, inputs and targets drawn from a fixed seed: weights in [-1.5, 1.5], inputs in [-2, 2], targets suited to the loss, widths 1 to 4.",
  SaturatedSigmoid:
    "Inputs of magnitude 25 to 40 drive sigmoid units to |z| > 20, where f'(z) < 2e-9. The expected derivative is the exact value rounded: " +
    "computed from z as e/(1 + e)^2 with e = exp(-|z|). The form o(1 - o) passes the group's absolute tolerance here but keeps fewer digits as z grows " +
    "(none above z = 37, where it is exactly 0).",
  LargeLogits:
    "Softmax preactivations of magnitude around 1000: exp overflows unless the largest logit is subtracted first (log-sum-exp). The expected loss " +
    "takes log o_k as (z_k - m) - log1p(sum of exp(z_j - m) over j other than the largest), not z_k - (m + log sum), which loses digits beside a large logit.",
  SaturatedUnits:
    "Weights of magnitude 10 to 40 (inputs of +-1 or in [-2, 2]) drive every sigmoid, tanh, softplus and softmax unit into its tails: derivatives " +
    "of 1e-17 and less, outputs within 1e-13 of their asymptotes, logits hundreds apart; targets at the asymptotes or soft. Every expected number " +
    "is the exact value rounded to float64, within a few roundings (checked against a 100-digit computation as the file was written). An " +
    "implementation that forms 1 - o, 1 - t^2, o(1 - o), o - t or o sum(t) - t by subtraction from a rounded o gets the small numbers wrong; the " +
    "group's absolute tolerance of 1e-12 does not see it, a relative comparison does.",
  ZeroLearningRate:
    "learningRate 0: the gradients are as usual, the delta weights are all zero (or -0) and the updated weights equal the weights.",
  SingleUnit: "One unit in every layer: every matrix is 1x1, which hides transposition mistakes but not others.",
  ZeroWeights:
    "All weights zero (biases, if any, away from zero): hidden units are identical and the gradients of a layer's rows coincide.",
  IntuitiveRule: `A known-wrong expectation: ${mistakeDescriptions["intuitive-rule"]}.`,
  MissingDerivative: `A known-wrong expectation: ${mistakeDescriptions["missing-derivative"]}.`,
  TransposedWeights: `A known-wrong expectation: ${mistakeDescriptions["transposed-weights"]}.`,
  BatchSum: `A known-wrong expectation: ${mistakeDescriptions["batch-sum"]}.`,
  MalformedJson: "The case text is not JSON.",
  WrongFormat: "The case's format tag is missing or not backprop-ref/case@1, or the case is not a JSON object.",
  MissingField: "A required field is missing or null where a value is needed.",
  UnknownField: "A field the format does not define.",
  WrongShape: "An array whose length or nesting disagrees with sizes, or inputs and targets with different numbers of rows.",
  NonNumber: "A string, boolean or array where a number belongs.",
  NonFinite: "NaN or a number beyond float64's range (1e400 reads as Infinity).",
  EmptyBatch: "No samples: inputs and targets are empty.",
  BadSpec:
    "A spec that describes no network: an unknown activation, softmax in a hidden layer, a loss without its output activation, a size that is not a positive integer.",
  NegativeLearningRate: "A learning rate below zero.",
  HugeSize:
    "Sizes whose parameter count exceeds what a reference computation should allocate: an implementation must refuse before allocating.",
};

/**
 * The mistakes whose results the vector files carry as `wrong` tests, in the order of their
 * tests: the four of generator 1.0.0. The vectors are a contract, so they do not follow the
 * catalogue as it grows ({@link conformance/mistake-catalogue!mistakeNames | mistakeNames}): a
 * mistake joins them only with a new {@link generatorVersion}, whose changelog says so.
 */
export const vectorMistakeNames = [
  "intuitive-rule",
  "missing-derivative",
  "transposed-weights",
  "batch-sum",
] as const satisfies readonly MistakeName[];

/** One of {@link vectorMistakeNames}. */
export type VectorMistakeName = (typeof vectorMistakeNames)[number];

const mistakeFlags: Readonly<Record<VectorMistakeName, string>> = {
  "intuitive-rule": "IntuitiveRule",
  "missing-derivative": "MissingDerivative",
  "transposed-weights": "TransposedWeights",
  "batch-sum": "BatchSum",
};

/** The batch sizes of the random tests in every depth group. */
export const vectorBatches: readonly number[] = [1, 2, 5, 8];

/** The depths of the test groups. */
export const vectorDepths: readonly number[] = [1, 2, 3, 4];

/** How {@link generateVectorFiles} works. */
export interface GenerationOptions {
  /**
   * Whether to check every expected number of a valid test against the 100-digit oracle as it
   * is written, and refuse to write one that disagrees (see {@link conformance/exactly-rounded!assertExactlyRounded | assertExactlyRounded}).
   * Default `true`; the test that compares the committed files with the generator's turns it
   * off, since another test checks the committed files against the oracle.
   */
  readonly checkedByOracle?: boolean;
}

/**
 * Every vector file, keyed by its file name (`<family>.json`), generated from fixed seeds.
 *
 * @param options - whether the oracle checks the expected numbers
 * @returns a map from file name to the file's JSON text, in the order of {@link vectorFamilies}, the invalid cases last
 * @throws {@link numeric/errors!NumericError | NumericError} if an expected number disagrees with the 100-digit oracle
 */
export function generateVectorFiles(options: GenerationOptions = {}): Map<string, string> {
  const files = new Map<string, string>();
  vectorFamilies.forEach((family, index) =>
    files.set(`${family.name}.json`, `${formatJson(familyVectors(family, index, options.checkedByOracle ?? true))}\n`),
  );
  files.set(`${invalidFamily}.json`, `${formatJson(invalidVectors())}\n`);
  return files;
}

/**
 * The vector file of one family.
 *
 * @param family - the family
 * @param seed - the seed of its random cases (the family's index in {@link vectorFamilies})
 * @param checkedByOracle - whether to check every expected number against the 100-digit oracle (see {@link GenerationOptions})
 * @throws {@link numeric/errors!NumericError | NumericError} if an expected number disagrees with the 100-digit oracle
 */
export function familyVectors(family: VectorFamily, seed: number, checkedByOracle = true): VectorFile {
  const random = seededRandom(7001 + seed);
  // The saturated tests (generator 1.1.0) draw from a stream of their own, so that every test
  // of 1.0.0 keeps its case and its tcId.
  const saturatedRandom = seededRandom(9001 + seed);
  let tcId = 0;
  const groups: VectorGroup[] = vectorDepths.map((depth) => {
    const tests: VectorTest[] = [];
    const add = (comment: string, flags: string[], document: Omit<CaseDocument, "format" | "id">): VectorTest => {
      tcId += 1;
      const id = `${family.name}/${tcId}`;
      const caseDocument: CaseDocument = { format: caseFormat, id, ...document };
      const problem = parseCase(caseDocument);
      const expected = caseResult(problem);
      if (checkedByOracle) assertExactlyRounded(problem, expected);
      const test: VectorTest = { id, tcId, comment, flags, result: "valid", case: caseDocument, expected };
      tests.push(test);
      return test;
    };
    const randomTests = vectorBatches.map((batch) =>
      add(`random ${describeShape(family, depth)}, batch of ${batch}`, ["Random"], randomCase(family, depth, batch, random)),
    );
    for (const edge of edgeCases(family, depth, random)) add(edge.comment, edge.flags, edge.document);
    const base = randomTests.find((test) => test.case!.inputs.length === 5)!;
    const problem = parseCase(base.case);
    for (const mistake of vectorMistakeNames) {
      if (!mistakeApplies(mistake, problem)) continue;
      const wrong = mistakenResult(mistake, problem);
      if (compareResults(wrong, base.expected!, verifyTolerance) === null) continue;
      tcId += 1;
      const id = `${family.name}/${tcId}`;
      tests.push({
        id,
        tcId,
        comment: `the case of test ${base.tcId} with the result of a known mistake: ${mistakeDescriptions[mistake]}`,
        flags: [mistakeFlags[mistake]],
        result: "wrong",
        case: { ...base.case!, id },
        expected: { ...wrong, id },
        mistake,
        sameCaseAs: base.tcId,
      });
    }
    if (depth === vectorDepths[vectorDepths.length - 1]) {
      for (const saturated of saturatedCases(family, depth, saturatedRandom)) add(saturated.comment, saturated.flags, saturated.document);
    }
    return { depth, tolerance: verifyTolerance, tests };
  });
  const tests = groups.flatMap((group) => group.tests);
  const used = new Set(tests.flatMap((test) => test.flags));
  return {
    format: vectorsFormat,
    generatorVersion,
    family: family.name,
    description:
      `Networks with ${family.output} output and ${family.loss} loss, hidden layers ${family.hidden.join(", then ")}, ` +
      `${family.biases ? "with" : "without"} biases; depths 1 to 4, batches 1 to 8; one test group per depth.`,
    numberOfTests: tests.length,
    notes: Object.fromEntries(Object.entries(flagNotes).filter(([flag]) => used.has(flag))),
    testGroups: groups,
  };
}

function describeShape(family: VectorFamily, depth: number): string {
  return `depth ${depth} network with ${family.output} output and ${family.loss}`;
}

function activationsOf(family: VectorFamily, depth: number): ActivationName[] {
  return Array.from({ length: depth }, (_, index) => (index === depth - 1 ? family.output : family.hidden[index % family.hidden.length]!));
}

/** A number drawn uniformly from $[low, high]$, rounded to four decimals so that it reads the same in every language. */
function draw(random: Random, low: number, high: number): number {
  return Math.round((low + (high - low) * random.uniform()) * 1e4) / 1e4;
}

function drawMatrix(random: Random, rows: number, columns: number, low: number, high: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: columns }, () => draw(random, low, high)));
}

function drawTargets(random: Random, loss: LossName, samples: number, units: number): number[][] {
  switch (loss) {
    case "squared_error":
      return drawMatrix(random, samples, units, -1, 1);
    case "binary_cross_entropy":
      return drawMatrix(random, samples, units, 0, 1);
    case "cross_entropy":
      return Array.from({ length: samples }, () => {
        const hot = Math.min(units - 1, Math.floor(random.uniform() * units));
        return Array.from({ length: units }, (_, k) => (k === hot ? 1 : 0));
      });
  }
}

type CaseFields = Omit<CaseDocument, "format" | "id">;

function randomCase(family: VectorFamily, depth: number, batch: number, random: Random, sizes?: number[]): CaseFields {
  for (;;) {
    const layerSizes = sizes ?? Array.from({ length: depth + 1 }, () => 1 + Math.floor(random.uniform() * 4));
    if (family.output === "softmax" && sizes === undefined) layerSizes[depth] = Math.max(2, layerSizes[depth]!);
    const document: CaseFields = {
      sizes: layerSizes,
      activations: activationsOf(family, depth),
      loss: family.loss,
      weights: layerSizes.slice(1).map((units, index) => drawMatrix(random, units, layerSizes[index]!, -1.5, 1.5)),
      biases: family.biases ? layerSizes.slice(1).map((units) => drawMatrix(random, 1, units, -1.5, 1.5)[0]!) : null,
      inputs: drawMatrix(random, batch, layerSizes[0]!, -2, 2),
      targets: drawTargets(random, family.loss, batch, layerSizes[depth]!),
      learningRate: draw(random, 0.05, 1),
    };
    if (clearOfKinks(document)) return document;
  }
}

/** Whether every `relu` or `leaky_relu` preactivation is further than the kink margin from 0, where their derivative is a convention. */
function clearOfKinks(document: CaseFields): boolean {
  const problem = parseCase({ format: caseFormat, ...document });
  return kinkDistance(problem.network, problem.inputs) > kinkMargin;
}

interface EdgeCase {
  readonly comment: string;
  readonly flags: string[];
  readonly document: CaseFields;
}

function edgeCases(family: VectorFamily, depth: number, random: Random): EdgeCase[] {
  const edges: EdgeCase[] = [];
  const activations = activationsOf(family, depth);
  if (depth === 2) {
    edges.push({
      comment: "a learning rate of zero",
      flags: ["ZeroLearningRate"],
      document: { ...randomCase(family, depth, 3, random), learningRate: 0 },
    });
    const zero = randomCase(family, depth, 3, random);
    const zeroed: CaseFields = { ...zero, weights: zero.weights.map((matrix) => matrix.map((row) => row.map(() => 0))) };
    if (clearOfKinks(zeroed)) edges.push({ comment: "all weights zero", flags: ["ZeroWeights"], document: zeroed });
  }
  if (depth === 3) {
    const sizes = [1, 1, 1, 1];
    if (family.output !== "softmax") {
      edges.push({ comment: "one unit in every layer", flags: ["SingleUnit"], document: randomCase(family, depth, 4, random, sizes) });
    }
  }
  if ((depth === 1 || depth === 2) && activations.includes("sigmoid")) {
    const document = randomCase(family, depth, 4, random);
    const saturated: CaseFields = {
      ...document,
      inputs: document.inputs.map((row) => row.map(() => (random.uniform() < 0.5 ? -1 : 1) * draw(random, 25, 40))),
    };
    edges.push({ comment: "sigmoid units driven far into saturation", flags: ["SaturatedSigmoid"], document: saturated });
  }
  if ((depth === 1 || depth === 2) && family.output === "softmax") {
    const document = randomCase(family, depth, 3, random);
    const last = document.weights.length - 1;
    const weights = document.weights.map((matrix, index) =>
      index === last ? matrix.map((row) => row.map((entry) => entry * 1000)) : matrix,
    );
    edges.push({ comment: "softmax preactivations around 1000 in magnitude", flags: ["LargeLogits"], document: { ...document, weights } });
  }
  return edges;
}

/** The activations whose units saturate, for which {@link saturatedCases} writes tests. */
const saturatingActivations: readonly ActivationName[] = ["sigmoid", "tanh", "softplus", "softmax"];

/**
 * The saturated tests of a family (flag `SaturatedUnits`), in the deepest group: two cases whose
 * weights have magnitudes 10 to 40, one with the targets at the asymptotes of the outputs
 * (0 and 1, $\pm 1$ for tanh, one-hot rows), one with soft targets. Families with no unit that
 * saturates (`relu`, `leaky_relu`, `identity`) have none.
 */
function saturatedCases(family: VectorFamily, depth: number, random: Random): EdgeCase[] {
  const activations = activationsOf(family, depth);
  if (!activations.some((activation) => saturatingActivations.includes(activation))) return [];
  const largeWeight = (): number => (random.uniform() < 0.5 ? -1 : 1) * draw(random, 10, 40);
  const saturatedCase = (batch: number, atAsymptotes: boolean): CaseFields => {
    const sizes = Array.from({ length: depth + 1 }, () => 1 + Math.floor(random.uniform() * 3));
    if (family.output === "softmax") sizes[depth] = Math.max(2, sizes[depth]!);
    const units = sizes[depth]!;
    const asymptotes = family.output === "tanh" ? [-1, 1] : [0, 1];
    const targets = atAsymptotes
      ? Array.from({ length: batch }, () => {
          if (family.output === "softmax") {
            const hot = Math.min(units - 1, Math.floor(random.uniform() * units));
            return Array.from({ length: units }, (_, k) => (k === hot ? 1 : 0));
          }
          return Array.from({ length: units }, () => (family.output === "softplus" ? 0 : asymptotes[random.uniform() < 0.5 ? 0 : 1]!));
        })
      : drawTargets(random, family.loss, batch, units);
    return {
      sizes,
      activations,
      loss: family.loss,
      weights: sizes.slice(1).map((rows, index) => Array.from({ length: rows }, () => Array.from({ length: sizes[index]! }, largeWeight))),
      biases: family.biases ? sizes.slice(1).map((rows) => Array.from({ length: rows }, () => draw(random, -40, 40))) : null,
      inputs: Array.from({ length: batch }, () =>
        Array.from({ length: sizes[0]! }, () => (random.uniform() < 0.5 ? (random.uniform() < 0.5 ? -1 : 1) : draw(random, -2, 2))),
      ),
      targets,
      learningRate: draw(random, 0.05, 1),
    };
  };
  return [
    {
      comment: "units driven into their tails by weights of 10 to 40, targets at the asymptotes",
      flags: ["SaturatedUnits"],
      document: saturatedCase(2, true),
    },
    {
      comment: "units driven into their tails by weights of 10 to 40, soft targets",
      flags: ["SaturatedUnits"],
      document: saturatedCase(3, false),
    },
  ];
}

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
    ["the format tag of a later version", ["WrongFormat"], (base) => ({ ...base, format: "backprop-ref/case@2" })],
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
