/**
 * The generator of the second-order conformance vectors (the format is
 * {@link conformance/hvp-vector-format | hvp-vector-format}): for every family of the
 * first-order files, test files of hvp cases (a case with a direction $V$) and their
 * `backprop-ref/hvp@1` answers, which another implementation of $\nabla E \cdot V$, $J V$,
 * $H V$ and $G V$ can load without running this code.
 *
 * Each file has one test group per depth $L = 1, 2, 3$, sharing the tolerance
 * {@link conformance/hvp-verify!hvpTolerance | hvpTolerance}. A group holds:
 *
 * - random cases (flag `Random`) with batches of 1, 2 and 5, drawn as the first-order files draw
 *   theirs ({@link conformance/vector-cases!randomCase | randomCase}), each with a random
 *   direction whose entries have four decimals, so that it reads the same in every language;
 * - edge cases: for $L = 1$, where the family's loss and output leave no curvature outside the
 *   Gauss–Newton matrix, a single layer with $G = H$ (flag `GaussNewtonIsHessian`); for $L = 2$
 *   a direction of zeros (`ZeroDirection`); for $L = 2$ and $3$ a direction along one weight,
 *   whose $HV$ is a column of the Hessian (`UnitDirection`); for $L = 3$, in the families whose
 *   units saturate, two cases with weights of 10 to 40 (`SaturatedUnits`, the first-order files'
 *   {@link conformance/vector-cases!saturatedCases | saturatedCases});
 * - known-wrong tests: the random case of 5 samples answered with the product of each known
 *   mistake of the R-operator ({@link hvpVectorMistakeNames}) that can differ for the network
 *   ({@link conformance/second-order-mistakes!secondOrderMistakesThatDiffer | secondOrderMistakesThatDiffer}),
 *   only `hessianVectorProduct` replaced. A mistake whose answer agrees with the valid one
 *   within the tolerance, or with an earlier mistake's on the same case, is left out: it could
 *   not be told apart.
 *
 * {@link generateHvpVectorFiles} builds every file from fixed seeds of its own, so `npm run
 * vectors` regenerates the committed files under `spec/vectors/hvp/` byte for byte and a test
 * fails when they drift; the first-order files keep every number.
 *
 * @module
 */
import { formatJson } from "../numeric/json.js";
import { type Random, seededRandom } from "../numeric/random.js";
import { caseFormat, parseCase } from "./case-format.js";
import { type DirectionDocument, type HvpCaseDocument, type HvpDocument, hvpResult, parseHvpCase } from "./hvp-format.js";
import { type HvpVectorFile, type HvpVectorGroup, hvpVectorsFormat, type HvpVectorTest } from "./hvp-vector-format.js";
import { compareHvpAnswers, hvpTolerance, mistakenHvpAnswer } from "./hvp-verify.js";
import { type SecondOrderMistakeName, secondOrderMistakesThatDiffer, secondOrderMistakeSummaries } from "./second-order-mistakes.js";
import {
  type CaseFields,
  describeShape,
  drawMatrix,
  type EdgeCase,
  randomCase,
  saturatedCases,
  type VectorFamily,
  vectorFamilies,
} from "./vector-cases.js";

/**
 * The version of the generator of the hvp vectors. It changes whenever the generated tests
 * change; what changed in each version is in docs/conformance-guide.md, "Changelog of the hvp
 * vectors". It is the second-order files' own: the first-order files'
 * {@link conformance/vector-notes!generatorVersion | generatorVersion} does not move with it.
 */
export const hvpGeneratorVersion = "1.0.0";

/** The folder of the hvp vector files, under the first-order files' `spec/vectors/`. */
export const hvpVectorFolder = "hvp";

/** The depths of the test groups. */
export const hvpVectorDepths: readonly number[] = [1, 2, 3];

/** The batch sizes of the random tests in every depth group. */
export const hvpVectorBatches: readonly number[] = [1, 2, 5];

/**
 * The mistakes whose answers the hvp vector files carry as `wrong` tests, in the order of their
 * tests: every mistake of the R-operator of generator 1.0.0. The vectors are a contract, so they
 * do not follow {@link conformance/second-order-mistakes!secondOrderMistakeNames | secondOrderMistakeNames} as it grows: a mistake joins
 * them only with a new {@link hvpGeneratorVersion}.
 */
export const hvpVectorMistakeNames = [
  "activation-curvature-dropped",
  "loss-curvature-dropped",
  "moving-weights-dropped",
  "moving-inputs-dropped",
  "gauss-newton-as-hessian",
] as const satisfies readonly SecondOrderMistakeName[];

/** One of {@link hvpVectorMistakeNames}. */
export type HvpVectorMistakeName = (typeof hvpVectorMistakeNames)[number];

const mistakeFlags: Readonly<Record<HvpVectorMistakeName, string>> = {
  "activation-curvature-dropped": "ActivationCurvatureDropped",
  "loss-curvature-dropped": "LossCurvatureDropped",
  "moving-weights-dropped": "MovingWeightsDropped",
  "moving-inputs-dropped": "MovingInputsDropped",
  "gauss-newton-as-hessian": "GaussNewtonAsHessian",
};

/** What each flag of the hvp vectors means; a file's `notes` holds the flags it uses. */
export const hvpFlagNotes: Readonly<Record<string, string>> = {
  Random:
    "Weights, inputs and targets drawn from a fixed seed as in the first-order files: weights and biases in [-1.5, 1.5], inputs in [-2, 2], " +
    "targets suited to the loss, widths 1 to 4, every relu and leaky_relu preactivation clear of its kink. The direction's entries are drawn " +
    "uniformly from [-1, 1], four decimals each.",
  ZeroDirection: "A direction of zeros: the directional derivative, the output tangents and both products are all zero (or -0).",
  UnitDirection:
    "A direction of zeros but for one weight, at 1: the Hessian-vector product is that weight's column of the Hessian, the directional " +
    "derivative its gradient, and the Gauss-Newton product its column of G.",
  GaussNewtonIsHessian:
    "A single weight layer whose output and loss leave no curvature outside the Gauss-Newton matrix (identity, relu or leaky_relu with squared " +
    "error, where f'' = 0; softmax with cross-entropy and sigmoid with binary cross-entropy, where G is the Hessian of the loss through its " +
    "activation): G V equals H V, to the last few roundings.",
  SaturatedUnits:
    "Weights of magnitude 10 to 40 (inputs of +-1 or in [-2, 2]) drive every sigmoid, tanh, softplus and softmax unit into its tails, as in the " +
    "first-order files: first and second derivatives of 1e-17 and less, so that most entries of H V and G V are far below the group's absolute " +
    "tolerance and the few large ones come from the layers that are not saturated.",
  ActivationCurvatureDropped: `A known-wrong expectation: ${secondOrderMistakeSummaries["activation-curvature-dropped"]}.`,
  LossCurvatureDropped: `A known-wrong expectation: ${secondOrderMistakeSummaries["loss-curvature-dropped"]}.`,
  MovingWeightsDropped: `A known-wrong expectation: ${secondOrderMistakeSummaries["moving-weights-dropped"]}.`,
  MovingInputsDropped: `A known-wrong expectation: ${secondOrderMistakeSummaries["moving-inputs-dropped"]}.`,
  GaussNewtonAsHessian: `A known-wrong expectation: ${secondOrderMistakeSummaries["gauss-newton-as-hessian"]}.`,
};

/**
 * Every hvp vector file, keyed by its file name (`<family>.json`, to be written under
 * `spec/vectors/hvp/`), generated from fixed seeds.
 *
 * @returns a map from file name to the file's JSON text, in the order of {@link conformance/vector-cases!vectorFamilies | vectorFamilies}
 */
export function generateHvpVectorFiles(): Map<string, string> {
  const files = new Map<string, string>();
  vectorFamilies.forEach((family, index) => files.set(`${family.name}.json`, `${formatJson(familyHvpVectors(family, index))}\n`));
  return files;
}

/**
 * The hvp vector file of one family.
 *
 * @param family - the family
 * @param seed - the seed of its random cases (the family's index in {@link conformance/vector-cases!vectorFamilies | vectorFamilies})
 */
export function familyHvpVectors(family: VectorFamily, seed: number): HvpVectorFile {
  // Streams of their own, apart from the first-order files' (7001, 9001 and 11001 on), so that
  // neither set of files moves when the other does; the saturated tests have a second one, so
  // that adding or leaving them out does not move the other tests.
  const random = seededRandom(13001 + seed);
  const saturatedRandom = seededRandom(15001 + seed);
  let tcId = 0;
  const testGroups: HvpVectorGroup[] = hvpVectorDepths.map((depth) => {
    const tests: HvpVectorTest[] = [];
    const add = (comment: string, flags: string[], document: CaseFields, direction: DirectionDocument): HvpVectorTest => {
      tcId += 1;
      const id = `${hvpVectorFolder}/${family.name}/${tcId}`;
      const caseDocument: HvpCaseDocument = { format: caseFormat, id, ...document, direction };
      const test: HvpVectorTest = {
        id,
        tcId,
        comment,
        flags,
        result: "valid",
        case: caseDocument,
        expected: hvpResult(parseHvpCase(caseDocument)),
      };
      tests.push(test);
      return test;
    };
    const randomTests = hvpVectorBatches.map((batch) => {
      const document = randomCase(family, depth, batch, random);
      return add(
        `random ${describeShape(family, depth)}, batch of ${batch}, a random direction`,
        ["Random"],
        document,
        randomDirection(document, random),
      );
    });
    for (const edge of edgeCases(family, depth, random)) add(edge.comment, edge.flags, edge.document, edge.direction);
    const base = randomTests.find((test) => test.case.inputs.length === 5)!;
    const problem = parseHvpCase(base.case);
    const differing = secondOrderMistakesThatDiffer(problem.network);
    const written: HvpDocument[] = [];
    for (const mistake of hvpVectorMistakeNames) {
      if (!differing.includes(mistake)) continue;
      const wrong = mistakenHvpAnswer(mistake, problem, base.expected);
      if (compareHvpAnswers(wrong, base.expected, hvpTolerance) === null) continue;
      if (written.some((earlier) => compareHvpAnswers(wrong, earlier, hvpTolerance) === null)) continue;
      written.push(wrong);
      tcId += 1;
      const id = `${hvpVectorFolder}/${family.name}/${tcId}`;
      tests.push({
        id,
        tcId,
        comment: `the case of test ${base.tcId} with the Hessian-vector product of a known mistake: ${secondOrderMistakeSummaries[mistake]}`,
        flags: [mistakeFlags[mistake]],
        result: "wrong",
        case: { ...base.case, id },
        expected: { ...wrong, id },
        mistake,
        sameCaseAs: base.tcId,
      });
    }
    if (depth === hvpVectorDepths[hvpVectorDepths.length - 1]) {
      for (const saturated of saturatedCases(family, depth, saturatedRandom)) {
        add(
          `${saturated.comment}, a random direction`,
          saturated.flags,
          saturated.document,
          randomDirection(saturated.document, saturatedRandom),
        );
      }
    }
    return { depth, tolerance: hvpTolerance, tests };
  });
  const tests = testGroups.flatMap((group) => group.tests);
  const used = new Set(tests.flatMap((test) => test.flags));
  return {
    format: hvpVectorsFormat,
    generatorVersion: hvpGeneratorVersion,
    family: family.name,
    description:
      `Hessian-vector products of networks with ${family.output} output and ${family.loss} loss, hidden layers ${family.hidden.join(", then ")}, ` +
      `${family.biases ? "with" : "without"} biases; depths 1 to 3, batches 1 to 5, each case with a direction V and its answer ` +
      "(the loss, ∇E·V, J V, H V and G V); one test group per depth.",
    numberOfTests: tests.length,
    notes: Object.fromEntries(Object.entries(hvpFlagNotes).filter(([flag]) => used.has(flag))),
    testGroups,
  };
}

/** A direction for a case, its entries drawn uniformly from $[-1, 1]$ with four decimals; biases `null` exactly when the case's are. */
function randomDirection(document: CaseFields, random: Random): DirectionDocument {
  return {
    weights: document.weights.map((matrix) => drawMatrix(random, matrix.length, matrix[0]!.length, -1, 1)),
    biases: document.biases === null ? null : document.biases.map((vector) => drawMatrix(random, 1, vector.length, -1, 1)[0]!),
  };
}

/** A direction of zeros for a case, but for `entry` at one weight, `weights[layer][row][column]`. */
function directionAlong(document: CaseFields, layer: number, row: number, column: number, entry: number): DirectionDocument {
  return {
    weights: document.weights.map((matrix, l) =>
      matrix.map((weights, j) => weights.map((_, k) => (l === layer && j === row && k === column ? entry : 0))),
    ),
    biases: document.biases === null ? null : document.biases.map((vector) => vector.map(() => 0)),
  };
}

/** One of $0, 1, \dots, n - 1$, each as likely. */
function drawIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random.uniform() * n));
}

/** An edge case of the hvp vectors: a case, its direction, the comment and the flags. */
interface HvpEdgeCase extends EdgeCase {
  readonly direction: DirectionDocument;
}

function edgeCases(family: VectorFamily, depth: number, random: Random): HvpEdgeCase[] {
  const edges: HvpEdgeCase[] = [];
  if (depth === 1) {
    const document = randomCase(family, depth, 3, random);
    const { network } = parseCase({ format: caseFormat, ...document });
    if (!secondOrderMistakesThatDiffer(network).includes("gauss-newton-as-hessian")) {
      edges.push({
        comment: `a single layer with ${family.output} output and ${family.loss}, where G = H: the Gauss-Newton product equals the Hessian-vector product`,
        flags: ["GaussNewtonIsHessian"],
        document,
        direction: randomDirection(document, random),
      });
    }
  }
  if (depth === 2) {
    const document = randomCase(family, depth, 3, random);
    edges.push({ comment: "a direction of zeros", flags: ["ZeroDirection"], document, direction: directionAlong(document, -1, -1, -1, 0) });
  }
  if (depth === 2 || depth === 3) {
    const document = randomCase(family, depth, 4, random);
    const layer = drawIndex(random, depth);
    const row = drawIndex(random, document.weights[layer]!.length);
    const column = drawIndex(random, document.weights[layer]![0]!.length);
    edges.push({
      comment: `a direction along the single weight weights[${layer}][${row}][${column}]: H V is its column of the Hessian`,
      flags: ["UnitDirection"],
      document,
      direction: directionAlong(document, layer, row, column, 1),
    });
  }
  return edges;
}
