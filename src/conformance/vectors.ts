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
 * - `acceptable`: `case` puts a `relu` or `leaky_relu` preactivation exactly at its kink,
 *   where the derivative is a convention. `expected` is this project's result (the left slope
 *   there) and `alternative` the result with the right slope; an implementation must agree with
 *   either, or lie between them, number by number (see {@link conformance/kink-results | kink-results}).
 * - `invalid`: `caseText` is the text of a malformed case (it may not even be JSON), and
 *   `expectedError` the error this implementation raises; an implementation must reject it.
 *   These are one file of their own, made by the `invalid-vectors` module; this one makes the
 *   valid and wrong tests of every family, and writes all the files.
 *
 * {@link generateVectorFiles} builds every file from fixed seeds, so `npm run vectors`
 * regenerates the committed files byte for byte and a test fails when they drift.
 *
 * @module
 */
import {
  activationsOf,
  type CaseFields,
  clearOfKinks,
  describeShape,
  draw,
  drawTargets,
  type EdgeCase,
  randomCase,
  saturatedCases,
  type VectorFamily,
  vectorFamilies,
} from "./vector-cases.js";
import { formatJson } from "../numeric/json.js";
import { type Random, seededRandom } from "../numeric/random.js";
import { unitsAtKinks } from "../oracles/kink-conventions.js";
import { type CaseDocument, caseFormat, caseResult, parseCase } from "./case-format.js";
import { mistakeApplies, mistakeDescriptions, type MistakeName, mistakenResult } from "./mistakes.js";
import { assertExactlyRounded } from "./exactly-rounded.js";
import { verifyTolerance } from "./tolerance.js";
import { compareResults } from "./verify.js";
import { invalidVectors } from "./invalid-vectors.js";
import { rightSlopeResult } from "./kink-results.js";
import { flagNotes, generatorVersion, invalidFamily } from "./vector-notes.js";
import { type VectorFile, type VectorGroup, vectorsFormat, type VectorTest } from "./vector-format.js";

// The families and their random cases are shared with the second-order vectors; they are
// exported from here too, where they were first.
export { type VectorFamily, vectorFamilies } from "./vector-cases.js";

/**
 * The mistakes whose results the vector files carry as `wrong` tests, in the order of their
 * tests: the four of generator 1.0.0. The vectors are a contract, so they do not follow the
 * catalogue as it grows ({@link conformance/mistake-catalogue!mistakeNames | mistakeNames}): a
 * mistake joins them only with a new {@link conformance/vector-notes!generatorVersion | generatorVersion}, whose changelog says so.
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
  // The kink tests (generator 1.2.0) have a stream of their own for the same reason.
  const kinkRandom = seededRandom(11001 + seed);
  let tcId = 0;
  const groups = vectorDepths.map((depth) => {
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
    return { depth, tolerance: verifyTolerance, tests, add };
  });
  // The kink tests come after every test of 1.1.0, so that each of those keeps its tcId, in a
  // group of their own of mixed depths (1 and 2).
  const kinkGroup = { depth: null, tolerance: verifyTolerance, tests: [] as VectorTest[] };
  for (const group of groups) {
    for (const kink of kinkCases(family, group.depth, kinkRandom)) {
      const test = group.add(kink.comment, kink.flags, kink.document);
      group.tests.pop();
      kinkGroup.tests.push({ ...test, result: "acceptable", alternative: rightSlopeResult(parseCase(test.case!))! });
    }
  }
  const tests = [...groups.flatMap((group) => group.tests), ...kinkGroup.tests];
  const used = new Set(tests.flatMap((test) => test.flags));
  const testGroups: VectorGroup[] = [
    ...groups.map(({ depth, tolerance, tests: groupTests }) => ({ depth, tolerance, tests: groupTests })),
    ...(kinkGroup.tests.length === 0 ? [] : [kinkGroup]),
  ];
  return {
    format: vectorsFormat,
    generatorVersion,
    family: family.name,
    description:
      `Networks with ${family.output} output and ${family.loss} loss, hidden layers ${family.hidden.join(", then ")}, ` +
      `${family.biases ? "with" : "without"} biases; depths 1 to 4, batches 1 to 8; one test group per depth` +
      (kinkGroup.tests.length === 0 ? "." : ", and a last group of cases with preactivations exactly at the kink."),
    numberOfTests: tests.length,
    notes: Object.fromEntries(Object.entries(flagNotes).filter(([flag]) => used.has(flag))),
    testGroups,
  };
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

/** The batch sizes of the kink tests of a group (flag `KinkAtZero`). */
const kinkBatches: readonly number[] = [1, 3];

/**
 * The kink tests of a family (flag `KinkAtZero`) of depth 1 and 2, in a last group of mixed
 * depths, for the families with `relu` or `leaky_relu` units: small integer weights ($-2$ to $2$), biases
 * ($-1$ to $1$) and inputs ($-1$ to $1$) that put at least one preactivation exactly at $0$,
 * where the slope chosen changes the result beyond the tolerance, all of them in one layer (so that every convention there lies between the left and the right
 * slope; see `oracles/kink-conventions`).
 */
function kinkCases(family: VectorFamily, depth: number, random: Random): EdgeCase[] {
  const activations = activationsOf(family, depth);
  if (depth > 2 || !activations.some((activation) => activation === "relu" || activation === "leaky_relu")) return [];
  const integer = (limit: number): number => Math.min(limit, Math.floor(random.uniform() * (2 * limit + 1)) - limit);
  return kinkBatches.map((batch) => {
    for (;;) {
      const sizes = Array.from({ length: depth + 1 }, () => 1 + Math.floor(random.uniform() * 3));
      if (family.output === "softmax") sizes[depth] = Math.max(2, sizes[depth]!);
      const document: CaseFields = {
        sizes,
        activations,
        loss: family.loss,
        weights: sizes
          .slice(1)
          .map((rows, index) => Array.from({ length: rows }, () => Array.from({ length: sizes[index]! }, () => integer(2)))),
        biases: family.biases ? sizes.slice(1).map((rows) => Array.from({ length: rows }, () => integer(1))) : null,
        inputs: Array.from({ length: batch }, () => Array.from({ length: sizes[0]! }, () => integer(1))),
        targets: drawTargets(random, family.loss, batch, sizes[depth]!),
        learningRate: draw(random, 0.05, 1),
      };
      const problem = parseCase({ format: caseFormat, ...document });
      const units = unitsAtKinks(problem.network, problem.inputs);
      const decided = units.length > 0 && compareResults(rightSlopeResult(problem)!, caseResult(problem), verifyTolerance) !== null;
      if (decided && new Set(units.map((unit) => unit.layer)).size === 1) {
        return {
          comment: `${units.length} ${units.length === 1 ? "preactivation" : "preactivations"} exactly at the kink, ${describeShape(family, depth)}, batch of ${batch}`,
          flags: ["KinkAtZero"],
          document,
        };
      }
    }
  });
}
