/**
 * Verification of another implementation's second-order answers (`backprop-ref/hvp@1`): against
 * an hvp case, or against every test of an hvp vector file
 * ({@link conformance/hvp-vector-format | hvp-vector-format}). The rules are `verify`'s for
 * results ({@link conformance/verify | verify}), and so is the report: pass, or the first
 * quantity that differs (its position, both values and the relative error) and the known
 * mistake of the R-operator whose answer the other implementation's matches, if one does.
 *
 * All five quantities of the answer are compared, in the order of the format: `loss`,
 * `directionalDerivative` ($\nabla E \cdot V$), `outputTangents` ($J V$),
 * `hessianVectorProduct` ($H V$) and `gaussNewtonVectorProduct` ($G V$), weights before
 * biases, row by row. A number passes when
 *
 * $$\lvert \text{given} - \text{expected} \rvert \le \text{absolute} + \text{relative} \cdot \lvert \text{expected} \rvert,$$
 *
 * with the tolerance of the test's group, {@link hvpTolerance} (the first-order files' own,
 * $10^{-9}$ relative and $10^{-12}$ absolute). An entry of $HV$ is a sum of more terms than an
 * entry of the gradient (a product of a forward pass of tangents and a backward pass of their
 * derivatives, each a sum over units and samples), so the tolerance was measured for it rather
 * than assumed: over every valid test of the hvp vectors, the same answers summed in other
 * orders (sample by sample, and entry by entry of $V$ by the linearity of $V \mapsto HV$) and
 * by the complex step of the gradient, an algorithm that shares only the forward pass with the
 * R-operator, use at most $4 \cdot 10^{-4}$ of it (relative errors of $4 \cdot 10^{-13}$ at
 * most); every wrong test's mistaken product is outside it by a factor of $7 \cdot 10^{7}$ or
 * more (see docs/conformance-guide.md, "The hvp vectors"; spec/conformance/hvp-vectors.spec.ts
 * holds the files to under $10^{-3}$ and beyond $10^{6}$).
 *
 * @module
 */
import { secondOrderQuantities } from "../oracles/second-order-report.js";
import { parameterDocument } from "./case-format.js";
import { type HvpDocument, hvpFormat, type HvpProblem, hvpResult, parseHvpCase } from "./hvp-format.js";
import type { HvpVectorFile } from "./hvp-vector-format.js";
import { assertSchema, schemaViolation } from "./schemas.js";
import {
  mistakenHessianProduct,
  type SecondOrderMistakeName,
  secondOrderMistakeNames,
  secondOrderMistakesThatDiffer,
} from "./second-order-mistakes.js";
import { type Tolerance, verifyTolerance } from "./tolerance.js";
import { type ComparedDocument, compareDocuments, type Difference } from "./document-comparison.js";
import { verifyAnswers } from "./verify.js";
import type { TestVerdict, VerifyReport } from "./verify-report.js";

/** One of the quantities of an hvp answer, {@link oracles/second-order-report!secondOrderQuantities | secondOrderQuantities}, in the order in which they are compared. */
export type HvpQuantity = (typeof secondOrderQuantities)[number];

/**
 * The tolerance of every test group of the hvp vectors, and of `verify` on a single hvp case:
 * $10^{-9}$ relative, $10^{-12}$ absolute, the first-order files' own
 * ({@link conformance/tolerance!verifyTolerance | verifyTolerance}). The module comment says how
 * it was measured for second-order numbers.
 */
export const hvpTolerance: Tolerance = verifyTolerance;

const hvpDocument: ComparedDocument = {
  name: "answer",
  format: hvpFormat,
  quantities: secondOrderQuantities.map((field) => ({
    field,
    parameters: field === "hessianVectorProduct" || field === "gaussNewtonVectorProduct",
  })),
};

/**
 * The first difference between a given hvp answer and an expected one, or `null` when they
 * agree. The given answer may be anything: a field that is missing, of the wrong shape or not a
 * number is reported as the difference (its schema is checked by {@link verifyHvpAnswer} once
 * the numbers agree).
 *
 * @param given - the other implementation's answer, as parsed from JSON
 * @param expected - the reference answer
 * @param tolerance - how close numbers must be
 */
export function compareHvpAnswers(given: unknown, expected: HvpDocument, tolerance: Tolerance = hvpTolerance): Difference | null {
  return compareDocuments(given, expected, hvpDocument, tolerance);
}

/**
 * The answer a known mistake of the R-operator gives for an hvp case: the reference answer with
 * `hessianVectorProduct` replaced by {@link conformance/second-order-mistakes!mistakenHessianProduct | mistakenHessianProduct}'s.
 * Every other quantity is as the reference's, since each mistake is in the backward pass of
 * tangents, which only $HV$ depends on.
 *
 * @param name - the mistake
 * @param problem - the hvp case
 * @param reference - the reference answer, when it is already known
 */
export function mistakenHvpAnswer(
  name: SecondOrderMistakeName,
  problem: HvpProblem,
  reference: HvpDocument = hvpResult(problem),
): HvpDocument {
  const product = mistakenHessianProduct(name, problem.network, problem.inputs, problem.targets, problem.direction);
  return { ...reference, hessianVectorProduct: parameterDocument(product) };
}

/**
 * The known mistake of the R-operator whose answer a given answer matches, or `null`. Only the
 * mistakes that can differ for the case's network are tried
 * ({@link conformance/second-order-mistakes!secondOrderMistakesThatDiffer | secondOrderMistakesThatDiffer}),
 * in the order of {@link conformance/second-order-mistakes!secondOrderMistakeNames | secondOrderMistakeNames}: where two give the same product
 * (for a single layer with squared error, dropping $f''$ leaves exactly $G V$), the first is named.
 *
 * @param problem - the hvp case
 * @param given - the other implementation's answer
 * @param tolerance - how close numbers must be
 * @param reference - the reference answer, when it is already known
 */
export function matchingHvpMistake(
  problem: HvpProblem,
  given: unknown,
  tolerance: Tolerance = hvpTolerance,
  reference: HvpDocument = hvpResult(problem),
): SecondOrderMistakeName | null {
  const differing = secondOrderMistakesThatDiffer(problem.network);
  for (const name of secondOrderMistakeNames) {
    if (!differing.includes(name)) continue;
    if (compareHvpAnswers(given, mistakenHvpAnswer(name, problem, reference), tolerance) === null) return name;
  }
  return null;
}

/**
 * Verifies one hvp answer against an hvp case: the reference answer is computed (or given),
 * compared in all five quantities, and on a difference the known mistakes of the R-operator are
 * tried. An answer whose numbers agree must also be an `hvp@1` document (its schema).
 *
 * @param problem - the hvp case, read by {@link conformance/hvp-format!parseHvpCase | parseHvpCase}
 * @param given - the other implementation's answer, as parsed from JSON
 * @param tolerance - how close numbers must be
 * @param expected - the reference answer, when it is already known (from a vector file)
 * @throws {@link numeric/errors!NumericError | NumericError} when the reference computation overflows
 */
export function verifyHvpAnswer(
  problem: HvpProblem,
  given: unknown,
  tolerance: Tolerance = hvpTolerance,
  expected: HvpDocument = hvpResult(problem),
): TestVerdict {
  const id = problem.id ?? "case";
  const difference = compareHvpAnswers(given, expected, tolerance);
  if (difference === null) {
    const violation = schemaViolation("hvp", given);
    if (violation !== null) {
      return {
        id,
        passed: false,
        difference: null,
        mistake: null,
        note: `the numbers agree, but the answer is not an hvp@1 document: ${violation}`,
      };
    }
    return { id, passed: true, difference: null, mistake: null, note: null };
  }
  return { id, passed: false, difference, mistake: matchingHvpMistake(problem, given, tolerance, expected), note: null };
}

/**
 * Verifies another implementation's answers against every test of an hvp vector file.
 *
 * `answers` holds one entry per test id: a `backprop-ref/hvp@1` document with the test's `id`,
 * or a `backprop-ref/rejection@1` document for a case the implementation refused (which fails:
 * every case of the hvp files is valid). A `valid` test passes when its answer agrees with
 * `expected`, a `wrong` test when its answer agrees with the valid test `sameCaseAs` and so not
 * with the mistaken `expected`. A missing answer, an id that no test has, a second answer for
 * the same id and an entry that is not an answer with an id each fail, as in
 * {@link conformance/verify!verifyVectors | verifyVectors} (the rules are
 * {@link conformance/verify!verifyAnswers | verifyAnswers}').
 *
 * @param file - an hvp vector file; it is checked against its schema first
 * @param answers - the other implementation's answers and rejections, each with its test's `id`
 * @throws {@link numeric/errors!FormatError | FormatError} for a file that breaks the `hvp-vectors@1` schema, and whatever
 *   {@link conformance/hvp-format!parseHvpCase | parseHvpCase} throws for a test's case that the schema lets through but the library rejects
 */
export function verifyHvpVectors(file: HvpVectorFile, answers: readonly unknown[]): VerifyReport {
  assertSchema("hvp-vectors", file, "the hvp vector file");
  const validById = new Map<number, HvpDocument>();
  for (const group of file.testGroups) for (const test of group.tests) if (test.result === "valid") validById.set(test.tcId, test.expected);
  const tests = file.testGroups.flatMap((group) =>
    group.tests.map((test) => ({ id: test.id, result: test.result, comment: test.comment, test, tolerance: group.tolerance })),
  );
  return verifyAnswers(
    tests,
    answers,
    ({ test, tolerance }, given) => {
      const problem = parseHvpCase(test.case);
      const expected = test.result === "wrong" ? (validById.get(test.sameCaseAs!) ?? hvpResult(problem)) : test.expected;
      return { ...verifyHvpAnswer(problem, given, tolerance, expected), id: test.id };
    },
    { name: "hvp answer", withArticle: "an hvp answer" },
  );
}
