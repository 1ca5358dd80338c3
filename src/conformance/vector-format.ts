/**
 * The vector format, `backprop-ref/vectors@1`: test files another implementation can load
 * without running this code, in the style of Project Wycheproof and the ONNX backend tests.
 *
 * A vector file holds one family of networks (an activation, a loss, biases on or off), in test
 * groups that share a depth and a tolerance. Each test has an `id`, a `tcId`, a comment, flags
 * (explained in the file's `notes`) and a verdict:
 *
 * - `valid`: `case` is a `backprop-ref/case@1` document and `expected` its
 *   `backprop-ref/result@1` result; an implementation must agree within the group's tolerance.
 * - `wrong`: `expected` is what a known mistake (see {@link conformance/mistakes | mistakes})
 *   gives for `case`; a correct implementation must disagree with it, and agree with the valid
 *   test `sameCaseAs`. An implementation that agrees has made the mistake named by `mistake`.
 * - `invalid`: `caseText` is the text of a malformed case (it may not even be JSON), and
 *   `expectedError` the error this implementation raises; an implementation must reject it.
 *
 * The generator ({@link conformance/vectors | vectors}) writes such files and `verify`
 * ({@link conformance/verify | verify}) reads them; both import the format from here.
 *
 * @module
 */
import type { CaseDocument, ResultDocument } from "./case-format.js";
import type { MistakeName } from "./mistakes.js";
import type { Tolerance } from "./tolerance.js";

/** The format tag of a vector file. */
export const vectorsFormat = "backprop-ref/vectors@1";

/** The format tag of a rejection, what an implementation reports for an invalid test. */
export const rejectionFormat = "backprop-ref/rejection@1";

/** What a test expects of an implementation. */
export type TestVerdictKind = "valid" | "wrong" | "acceptable" | "invalid";

/** One test of a vector file. */
export interface VectorTest {
  /** The test's id, unique across all vector files: the family, a slash and the `tcId`. */
  readonly id: string;
  /** The test's number within its file, from 1. */
  readonly tcId: number;
  /** What the test is about, in words. */
  readonly comment: string;
  /** Flags, each explained in the file's `notes`. */
  readonly flags: readonly string[];
  /** Whether an implementation must match (`valid`), must not match (`wrong`), may match either of two or lie between (`acceptable`), or must reject (`invalid`). */
  readonly result: TestVerdictKind;
  /** The case, for `valid` and `wrong` tests. */
  readonly case?: CaseDocument;
  /** The text of a malformed case, for `invalid` tests. */
  readonly caseText?: string;
  /** The reference result (`valid`, `acceptable`) or the mistaken one (`wrong`). */
  readonly expected?: ResultDocument;
  /** The result with the right slope at the preactivations exactly at a kink, for `acceptable` tests. */
  readonly alternative?: ResultDocument;
  /** The mistake that gives `expected`, for `wrong` tests. */
  readonly mistake?: MistakeName;
  /** The `tcId` of the valid test with the same case, for `wrong` tests. */
  readonly sameCaseAs?: number;
  /** The error this implementation raises, for `invalid` tests. */
  readonly expectedError?: ExpectedError;
}

/** How backprop-ref rejects an invalid test's case; other implementations need only reject it, in their own words. */
export interface ExpectedError {
  /** The error's class: `FormatError`, `ShapeError` or `SpecError`. */
  readonly kind: string;
  /** backprop-ref's message (the JSON parser's own words left out). */
  readonly message: string;
}

/** Tests that share a depth and a tolerance. */
export interface VectorGroup {
  /** The number of weight layers $L$ of every case in the group, or `null` for mixed depths. */
  readonly depth: number | null;
  /** How close a result must be: see {@link conformance/tolerance!withinTolerance | withinTolerance}. */
  readonly tolerance: Tolerance;
  /** The tests. */
  readonly tests: readonly VectorTest[];
}

/** A vector file, `backprop-ref/vectors@1`. */
export interface VectorFile {
  /** Always {@link vectorsFormat}. */
  readonly format: typeof vectorsFormat;
  /** The version of the generator that wrote the file (see {@link conformance/vector-notes!generatorVersion | generatorVersion}). */
  readonly generatorVersion: string;
  /** The family's name, also the file's name without `.json`. */
  readonly family: string;
  /** What the family covers. */
  readonly description: string;
  /** The number of tests in all groups. */
  readonly numberOfTests: number;
  /** One sentence per flag used in the file. */
  readonly notes: Readonly<Record<string, string>>;
  /** The groups. */
  readonly testGroups: readonly VectorGroup[];
}
