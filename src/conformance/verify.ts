/**
 * Verification of another implementation's results: against a case, or against every test of
 * a vector file. For each test, `verify` says pass, or gives the first quantity that differs
 * (its position, both values and the relative error) and the known mistake whose result the
 * other implementation's matches, if one does: a
 * {@link conformance/verify-report!TestVerdict | TestVerdict}, which
 * {@link conformance/verify-report!formatVerifyReport | formatVerifyReport} puts in words.
 *
 * Quantities are compared in the order of the result format: `loss`, `outputs`, `gradients`,
 * `deltaWeights`, `updated` (weights before biases, row by row). A number passes when
 *
 * $$\lvert \text{given} - \text{expected} \rvert \le \text{absolute} + \text{relative} \cdot \lvert \text{expected} \rvert,$$
 *
 * with the tolerance of the test's group ({@link conformance/tolerance!verifyTolerance | verifyTolerance} by default): loose enough for
 * another order of summation, tight enough that every known mistake fails. The comparison itself
 * is {@link conformance/document-comparison | document-comparison}'s.
 *
 * The rules for a vector file's answers ({@link verifyAnswers}), the comparison of documents
 * ({@link conformance/document-comparison!compareDocuments | compareDocuments}) and the report
 * ({@link conformance/verify-report | verify-report}) are shared with the second-order files'
 * `verify`, {@link conformance/hvp-verify | hvp-verify}, which judges `backprop-ref/hvp@1` answers.
 *
 * @module
 */
import { BackpropRefError, describeValue } from "../numeric/errors.js";
import { caseResult, parseCase, type Problem, resultFormat, type ResultDocument } from "./case-format.js";
import { compareDocuments, type Difference } from "./document-comparison.js";
import { mistakeApplies, type MistakeName, mistakeNames, mistakenResult, transposedLayout } from "./mistakes.js";
import { assertSchema, schemaViolation } from "./schemas.js";
import { rejectionFormat, type TestVerdictKind, type VectorFile } from "./vector-format.js";
import { type Closeness, type Tolerance, verifyTolerance } from "./tolerance.js";
import { resultInterval, rightSlopeResult } from "./kink-results.js";
import type { TestVerdict, VerifyReport } from "./verify-report.js";

/** The quantities of a result, in the order in which they are compared. */
export const resultQuantities = ["loss", "outputs", "gradients", "deltaWeights", "updated"] as const;

/** One of {@link resultQuantities}. */
export type ResultQuantity = (typeof resultQuantities)[number];

/**
 * The first difference between a given result and an expected one, or `null` when they agree.
 * The given result may be anything: a field that is missing, of the wrong shape or not a number
 * is reported as the difference. Only the quantities named are compared, so that an
 * implementation that computes only some of them (a `train()` that updates the weights and
 * returns nothing else) can be judged on those; the others need not be present.
 *
 * @param given - the other implementation's result, as parsed from JSON
 * @param expected - the reference result
 * @param closeness - how close numbers must be: one tolerance, or an allowance for every number shaped like `expected`
 * @param quantities - which quantities to compare, by default all of them
 */
export function compareResults(
  given: unknown,
  expected: ResultDocument,
  closeness: Closeness = verifyTolerance,
  quantities: readonly ResultQuantity[] = resultQuantities,
): Difference | null {
  const allowances = "allowances" in closeness ? closeness.allowances : null;
  const tolerance = "allowances" in closeness ? verifyTolerance : closeness;
  const compared = resultQuantities
    .filter((quantity) => quantities.includes(quantity))
    .map((field) => ({ field, parameters: field !== "loss" && field !== "outputs" }));
  return compareDocuments(given, expected, { name: "result", format: resultFormat, quantities: compared }, tolerance, allowances);
}

/**
 * The known mistake whose result a given result matches, or `null`. Only mistakes that apply to
 * the case are tried (see {@link conformance/mistakes!mistakeApplies | mistakeApplies}).
 *
 * @param problem - the case
 * @param given - the other implementation's result
 * @param closeness - how close numbers must be: one tolerance, or an allowance for every number shaped like a result
 * @param quantities - which quantities to compare, by default all of them
 */
export function matchingMistake(
  problem: Problem,
  given: unknown,
  closeness: Closeness = verifyTolerance,
  quantities: readonly ResultQuantity[] = resultQuantities,
): MistakeName | null {
  for (const name of mistakeNames) {
    if (!mistakeApplies(name, problem)) continue;
    let wrong: ResultDocument;
    try {
      wrong = mistakenResult(name, problem);
    } catch (error) {
      if (error instanceof BackpropRefError) continue;
      throw error;
    }
    // The transposed layout's numbers sit at transposed positions, and so must their allowances.
    const allowed =
      name === "transposed-weights" && "allowances" in closeness ? { allowances: transposedLayout(closeness.allowances) } : closeness;
    if (compareResults(given, wrong, allowed, quantities) === null) return name;
  }
  return null;
}

/**
 * Verifies one result against a case: the reference result is computed, compared, and on a
 * difference the known mistakes are tried.
 *
 * @param problem - the case, read by {@link conformance/case-format!parseCase | parseCase}
 * @param given - the other implementation's result, as parsed from JSON
 * @param tolerance - how close numbers must be
 * @param expected - the reference result, when it is already known (from a vector file)
 * @param alternative - the result with the right slope at the preactivations exactly at a kink,
 *   `null` when the case has none; a result that matches it, or lies between it and `expected`,
 *   passes as acceptable
 * @throws {@link numeric/errors!NumericError | NumericError} when the reference computation overflows
 */
export function verifyResult(
  problem: Problem,
  given: unknown,
  tolerance: Tolerance = verifyTolerance,
  expected: ResultDocument = caseResult(problem),
  alternative: ResultDocument | null = rightSlopeResult(problem),
): TestVerdict {
  const id = problem.id ?? "case";
  const difference = compareResults(given, expected, tolerance);
  const convention = difference === null || alternative === null ? null : kinkConvention(given, expected, alternative, tolerance);
  if (convention !== null && schemaViolation("result", given) === null) {
    return { id, passed: true, difference: null, mistake: null, note: convention, acceptable: true };
  }
  if (difference === null) {
    const violation = schemaViolation("result", given);
    if (violation !== null)
      return {
        id,
        passed: false,
        difference: null,
        mistake: null,
        note: `the numbers agree, but the result is not a result@1 document: ${violation}`,
      };
    return { id, passed: true, difference: null, mistake: null, note: null };
  }
  return { id, passed: false, difference, mistake: matchingMistake(problem, given, tolerance), note: null };
}

/**
 * Which convention at the kinks a result follows that differs from the expected one: the right
 * slope, a slope between, or `null` when it is outside the interval of the two (and so wrong).
 */
function kinkConvention(given: unknown, expected: ResultDocument, alternative: ResultDocument, tolerance: Tolerance): string | null {
  if (compareResults(given, alternative, tolerance) === null) {
    return "acceptable: takes the right slope f'(0) = 1 at the preactivations exactly at a kink, another convention than backprop-ref's left slope";
  }
  const { midpoints, closeness } = resultInterval(expected, alternative, tolerance);
  if (compareResults(given, midpoints, closeness) === null) {
    return "acceptable: takes a slope between the left and the right one at the preactivations exactly at a kink, another convention than backprop-ref's";
  }
  return null;
}

/** How many answers that are not for exactly one test are reported one by one; the rest are counted in one more verdict. */
export const maximumStrayVerdicts = 20;

/**
 * Verifies another implementation's results against every test of a vector file.
 *
 * `results` holds one entry per test id: a `backprop-ref/result@1` document for a test with a
 * case, a `backprop-ref/rejection@1` document (`format`, `id`, `message`) for a case the
 * implementation rejected. A `valid` test passes when its result agrees with `expected`; a
 * `wrong` test when its result agrees with the valid test `sameCaseAs` and so not with the
 * mistaken `expected`; an `acceptable` test when its result agrees with `expected` or with
 * `alternative`, or lies between them number by number (and then it passes as acceptable); an
 * `invalid` test when the case was rejected (by a rejection that is a
 * valid `rejection@1` document). An entry that is not an answer with an id, an id that no test
 * has, and a second answer for the same id each fail.
 *
 * @param file - a vector file; it is checked against its schema first
 * @param results - the other implementation's results and rejections, each with its test's `id`
 * @throws {@link numeric/errors!FormatError | FormatError} for a file that breaks the `vectors@1` schema, and whatever
 *   {@link conformance/case-format!parseCase | parseCase} throws for a test's case that the schema lets through but the library rejects
 */
export function verifyVectors(file: VectorFile, results: readonly unknown[]): VerifyReport {
  assertSchema("vectors", file, "the vector file");
  const validById = new Map<number, ResultDocument>();
  for (const group of file.testGroups)
    for (const test of group.tests) if (test.result === "valid") validById.set(test.tcId, test.expected!);
  const tests = file.testGroups.flatMap((group) =>
    group.tests.map((test) => ({ id: test.id, result: test.result, comment: test.comment, test, tolerance: group.tolerance })),
  );
  return verifyAnswers(tests, results, ({ test, tolerance }, given) => {
    const problem = parseCase(test.case);
    const expected = test.result === "wrong" ? (validById.get(test.sameCaseAs!) ?? caseResult(problem)) : test.expected!;
    const alternative = test.result === "acceptable" ? test.alternative! : null;
    return { ...verifyResult(problem, given, tolerance, expected, alternative), id: test.id };
  });
}

/** What {@link verifyAnswers} needs to know of a test. */
export interface AnsweredTest {
  /** The test's id, which its answer carries. */
  readonly id: string;
  /** The test's verdict kind: an `invalid` test must be answered by a rejection, every other by numbers. */
  readonly result: TestVerdictKind;
  /** What the test is about, quoted when a malformed case was accepted. */
  readonly comment: string;
}

/** What an answer is called in the notes of {@link verifyAnswers}. */
export interface AnswerName {
  /** The bare name: `result`, `hvp answer`. */
  readonly name: string;
  /** The name with its article: `a result`, `an hvp answer`. */
  readonly withArticle: string;
}

/**
 * The rules every vector file's answers obey, whatever the answers hold: the part of
 * {@link verifyVectors} that the second-order files' `verify` shares.
 *
 * Each answer carries its test's `id`. An entry that is not an object with a string id, an id
 * that no test has, and a second answer for the same id each fail (none is ignored: a second
 * answer could overwrite a wrong one with a right one); a test without an answer fails. A
 * `backprop-ref/rejection@1` answer must obey its schema; it passes an `invalid` test and fails
 * any other (a valid case was rejected), and an `invalid` test answered otherwise fails (a
 * malformed case was accepted). Every other answer is judged by `judge`.
 *
 * @param tests - the tests, in the order of their verdicts
 * @param results - the other implementation's answers and rejections, each with its test's `id`
 * @param judge - the verdict on an answer with numbers to a test that is not `invalid`
 * @param answer - what an answer is called in the verdicts' notes, bare and with its article: `result` and `a result`, or `hvp answer` and `an hvp answer`
 */
export function verifyAnswers<Test extends AnsweredTest>(
  tests: readonly Test[],
  results: readonly unknown[],
  judge: (test: Test, given: unknown) => TestVerdict,
  answer: AnswerName = { name: "result", withArticle: "a result" },
): VerifyReport {
  const testIds = new Set(tests.map((test) => test.id));
  const byId = new Map<string, unknown>();
  const strays: TestVerdict[] = [];
  let unreported = 0;
  const duplicated = new Set<string>();
  /** A failed verdict without a difference in numbers: what happened, in one line. */
  const failure = (id: string, note: string): TestVerdict => ({ id, passed: false, difference: null, mistake: null, note });
  const addStray = (verdict: () => TestVerdict): void => {
    if (strays.length < maximumStrayVerdicts) strays.push(verdict());
    else unreported++;
  };
  results.forEach((entry, index) => {
    const id = typeof entry === "object" && entry !== null ? (entry as { id?: unknown }).id : undefined;
    if (typeof id !== "string") {
      addStray(() =>
        failure(`results[${index}]`, `is not ${answer.withArticle} or rejection with a string id, got ${describeValue(entry)}`),
      );
    } else if (!testIds.has(id)) {
      addStray(() => failure(id, `results[${index}] answers a test that the vector file does not have`));
    } else if (byId.has(id)) {
      duplicated.add(id);
    } else {
      byId.set(id, entry);
    }
  });
  const verdicts: TestVerdict[] = [];
  for (const test of tests) {
    const given = byId.get(test.id);
    if (given === undefined) {
      verdicts.push(failure(test.id, `no ${answer.name} or rejection with this id`));
      continue;
    }
    if (duplicated.has(test.id)) {
      verdicts.push(failure(test.id, `more than one ${answer.name} or rejection has this id; give each test one answer`));
      continue;
    }
    const rejected = (given as { format?: unknown }).format === rejectionFormat;
    const rejectionViolation = rejected ? schemaViolation("rejection", given) : null;
    if (rejectionViolation !== null) {
      verdicts.push(failure(test.id, `the rejection is not a rejection@1 document: ${rejectionViolation}`));
      continue;
    }
    if (test.result === "invalid") {
      verdicts.push(
        rejected
          ? { id: test.id, passed: true, difference: null, mistake: null, note: null }
          : failure(test.id, `accepted a malformed case (${test.comment}); it must be rejected`),
      );
      continue;
    }
    if (rejected) {
      verdicts.push(failure(test.id, `rejected a valid case: ${describeValue((given as { message?: unknown }).message)}`));
      continue;
    }
    verdicts.push(judge(test, given));
  }
  verdicts.push(...strays);
  if (unreported > 0) {
    verdicts.push(
      failure("results", `${unreported} more entries are not answers for exactly one test (the first ${maximumStrayVerdicts} are listed)`),
    );
  }
  return { passed: verdicts.every((verdict) => verdict.passed), verdicts };
}
