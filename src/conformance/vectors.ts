/**
 * The generator of the conformance vectors (the format is {@link conformance/vector-format | vector-format}):
 * test files another implementation can load without running this code, in the style of
 * Project Wycheproof and the ONNX backend tests.
 *
 * A vector file (`backprop-ref/vectors@1`) holds one family of networks (an activation, a loss,
 * biases on or off), in test groups that share a depth and a tolerance. Each test has an `id`,
 * a `tcId`, a comment, flags (explained in the file's `notes`) and a verdict:
 *
 * - `valid`: `case` is a `backprop-ref/case@1` document (a `backprop-ref/case@2` with a
 *   `weightDecay`, in the last group) and `expected` its `backprop-ref/result@1` result; an
 *   implementation must agree within the group's tolerance.
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
import { backpropagate } from "../model/backprop.js";
import { formatJson } from "../numeric/json.js";
import { type Random, seededRandom } from "../numeric/random.js";
import { unitsAtKinks } from "../oracles/kink-conventions.js";
import { type CaseDocument, caseFormat, caseFormat2, caseResult, parseCase } from "./case-format.js";
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
 * The mistakes of the weight decay whose results the last group of every file carries as
 * `wrong` tests (generator 1.3.0), in the order of their tests.
 */
export const weightDecayVectorMistakeNames = [
  "weight-decay-ignored",
  "decayed-biases",
  "decay-without-learning-rate",
  "penalty-left-out-of-loss",
  "penalty-without-half",
] as const satisfies readonly MistakeName[];

/**
 * The mistakes whose results the vector files carry as `wrong` tests, in the order of their
 * tests: the four of generator 1.0.0, in the groups of one depth, then those of the weight
 * decay ({@link weightDecayVectorMistakeNames}, generator 1.3.0), in its group. The vectors are
 * a contract, so they do not follow the catalogue as it grows
 * ({@link conformance/mistake-catalogue!mistakeNames | mistakeNames}): a mistake joins them only
 * with a new {@link conformance/vector-notes!generatorVersion | generatorVersion}, whose changelog says so.
 */
export const vectorMistakeNames = [
  "intuitive-rule",
  "missing-derivative",
  "transposed-weights",
  "batch-sum",
  ...weightDecayVectorMistakeNames,
] as const satisfies readonly MistakeName[];

/** One of {@link vectorMistakeNames}. */
export type VectorMistakeName = (typeof vectorMistakeNames)[number];

const mistakeFlags: Readonly<Record<VectorMistakeName, string>> = {
  "intuitive-rule": "IntuitiveRule",
  "missing-derivative": "MissingDerivative",
  "transposed-weights": "TransposedWeights",
  "batch-sum": "BatchSum",
  "weight-decay-ignored": "WeightDecayIgnored",
  "decayed-biases": "DecayedBiases",
  "decay-without-learning-rate": "DecayWithoutLearningRate",
  "penalty-left-out-of-loss": "PenaltyLeftOutOfLoss",
  "penalty-without-half": "PenaltyWithoutHalf",
};

/** The mistakes of the groups of one depth: those of generator 1.0.0, which need no weight decay. */
const depthGroupMistakes = vectorMistakeNames.filter((name) => !(weightDecayVectorMistakeNames as readonly string[]).includes(name));

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
  // And so do the weight-decay tests (generator 1.3.0).
  const decayRandom = seededRandom(13001 + seed);
  let tcId = 0;
  const groups = vectorDepths.map((depth) => {
    const tests: VectorTest[] = [];
    const add = (comment: string, flags: string[], document: Omit<CaseDocument, "format" | "id">): VectorTest => {
      tcId += 1;
      const id = `${family.name}/${tcId}`;
      const format = document.weightDecay === undefined ? caseFormat : caseFormat2;
      const caseDocument: CaseDocument = { format, id, ...document };
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
    const wrongTests = (mistakes: readonly VectorMistakeName[], valid: VectorTest): VectorTest[] => {
      const problem = parseCase(valid.case);
      return mistakes.flatMap((mistake): VectorTest[] => {
        if (!mistakeApplies(mistake, problem)) return [];
        const wrong = mistakenResult(mistake, problem);
        if (compareResults(wrong, valid.expected!, verifyTolerance) === null) return [];
        tcId += 1;
        const id = `${family.name}/${tcId}`;
        return [
          {
            id,
            tcId,
            comment: `the case of test ${valid.tcId} with the result of a known mistake: ${mistakeDescriptions[mistake]}`,
            flags: [mistakeFlags[mistake]],
            result: "wrong",
            case: { ...valid.case!, id },
            expected: { ...wrong, id },
            mistake,
            sameCaseAs: valid.tcId,
          },
        ];
      });
    };
    tests.push(...wrongTests(depthGroupMistakes, base));
    if (depth === vectorDepths[vectorDepths.length - 1]) {
      for (const saturated of saturatedCases(family, depth, saturatedRandom)) add(saturated.comment, saturated.flags, saturated.document);
    }
    return { depth, tolerance: verifyTolerance, tests, add, wrongTests };
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
  // The weight-decay tests come after every test of 1.2.0, in a last group of mixed depths.
  const decayGroup = { depth: null, tolerance: verifyTolerance, tests: [] as VectorTest[] };
  const added = (group: (typeof groups)[number], edge: EdgeCase): VectorTest => {
    const test = group.add(edge.comment, edge.flags, edge.document);
    group.tests.pop();
    decayGroup.tests.push(test);
    return test;
  };
  const decayed = decayCases(family, decayRandom).map(({ depth, edge }) => ({ depth, test: added(groups[depth - 1]!, edge) }));
  const decayBase = decayed.find(({ test }) => test.flags.includes("Random") && test.case!.inputs.length === 5)!;
  const decayWrong = groups[decayBase.depth - 1]!.wrongTests(weightDecayVectorMistakeNames, decayBase.test);
  decayGroup.tests.push(...decayWrong);
  const tests = [...groups.flatMap((group) => group.tests), ...kinkGroup.tests, ...decayGroup.tests];
  const used = new Set(tests.flatMap((test) => test.flags));
  const testGroups: VectorGroup[] = [
    ...groups.map(({ depth, tolerance, tests: groupTests }) => ({ depth, tolerance, tests: groupTests })),
    ...(kinkGroup.tests.length === 0 ? [] : [kinkGroup]),
    decayGroup,
  ];
  return {
    format: vectorsFormat,
    generatorVersion,
    family: family.name,
    description:
      `Networks with ${family.output} output and ${family.loss} loss, hidden layers ${family.hidden.join(", then ")}, ` +
      `${family.biases ? "with" : "without"} biases; depths 1 to 4, batches 1 to 8; one test group per depth` +
      (kinkGroup.tests.length === 0 ? "" : ", a group of cases with preactivations exactly at the kink") +
      ", and a last group of cases with weight decay (backprop-ref/case@2).",
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

/** The depths and batch sizes of the random weight-decay tests (flags `Random` and `WeightDecay`). */
const decayShapes: readonly (readonly [depth: number, batch: number])[] = [
  [1, 1],
  [2, 5],
  [3, 3],
];

/**
 * The weight-decay tests of a family (flag `WeightDecay`), for its last group: random cases of
 * depths 1 to 3 ({@link decayShapes}) with a `weightDecay` $\lambda'$ drawn from $[0.01, 0.5]$ (four
 * decimals), large enough that the penalty's share $\lambda' W$ of a gradient is far beyond the
 * tolerance; and a case with `weightDecay` $0$ (flag `ZeroWeightDecay`), which must give the
 * result of the same numbers without it. A random case is drawn again until the batch mean's
 * gradient of some weight is not $0$ (a relu network whose units are all off has none): where
 * it is $0$ everywhere, the step without the learning rate on the decay,
 * $-\eta g - \lambda' W$, is the step without it anywhere, $-(g + \lambda' W)$, and the two
 * mistakes could not be told apart.
 */
function decayCases(family: VectorFamily, random: Random): { depth: number; edge: EdgeCase }[] {
  const decayedCase = (depth: number, batch: number): CaseFields => {
    for (;;) {
      const document = randomCase(family, depth, batch, random);
      const weightDecay = draw(random, 0.01, 0.5);
      const problem = parseCase({ format: caseFormat, ...document });
      const { gradients } = backpropagate(problem.network, problem.inputs, problem.targets);
      if (gradients.weights.some((matrix) => matrix.data.some((entry) => entry !== 0))) return { ...document, weightDecay };
    }
  };
  const cases = decayShapes.map(([depth, batch]) => ({
    depth,
    edge: {
      comment: `random ${describeShape(family, depth)}, batch of ${batch}, with weight decay`,
      flags: ["Random", "WeightDecay"],
      document: decayedCase(depth, batch),
    },
  }));
  const zero: EdgeCase = {
    comment: `a case@2 with weightDecay 0, ${describeShape(family, 2)}: the same result as without it`,
    flags: ["WeightDecay", "ZeroWeightDecay"],
    document: { ...randomCase(family, 2, 2, random), weightDecay: 0 },
  };
  return [...cases, { depth: 2, edge: zero }];
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
