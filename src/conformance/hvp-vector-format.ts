/**
 * The second-order vector format, `backprop-ref/hvp-vectors@1`: test files of Hessian-vector
 * products another implementation can load without running this code, laid out as the
 * first-order files are ({@link conformance/vector-format | vector-format}).
 *
 * An hvp vector file holds one family of networks (an activation, a loss, biases on or off), in
 * test groups that share a depth and a tolerance. Each test has an `id`, a `tcId`, a comment,
 * flags (explained in the file's `notes`) and a verdict:
 *
 * - `valid`: `case` is an hvp case (a `backprop-ref/case@1` document with a `direction` $V$,
 *   see {@link conformance/hvp-format | hvp-format}) and `expected` its `backprop-ref/hvp@1`
 *   answer: the loss, $\nabla E \cdot V$, $J V$, $H V$ and $G V$. An implementation must agree
 *   within the group's tolerance, in all five.
 * - `wrong`: `expected` is the answer of a known mistake of the R-operator (see
 *   {@link conformance/second-order-mistakes | second-order-mistakes}): the valid answer with
 *   `hessianVectorProduct` replaced by the mistaken product, every other quantity as it is. A
 *   correct implementation must disagree with it, and agree with the valid test `sameCaseAs`.
 *   An implementation that agrees has made the mistake named by `mistake`.
 *
 * There are no `acceptable` tests (every `relu` and `leaky_relu` preactivation is kept clear of
 * its kink) and no `invalid` ones (a malformed direction is refused as a malformed case is; the
 * first-order file `invalid.json` holds the malformed cases).
 *
 * The generator ({@link conformance/hvp-vectors | hvp-vectors}) writes such files and `verify`
 * ({@link conformance/hvp-verify | hvp-verify}) reads them; both import the format from here.
 *
 * @module
 */
import type { HvpCaseDocument, HvpDocument } from "./hvp-format.js";
import type { SecondOrderMistakeName } from "./second-order-mistakes.js";
import type { Tolerance } from "./tolerance.js";

/** The format tag of an hvp vector file. */
export const hvpVectorsFormat = "backprop-ref/hvp-vectors@1";

/** What a test of an hvp vector file expects of an implementation. */
export type HvpTestVerdictKind = "valid" | "wrong";

/** One test of an hvp vector file. */
export interface HvpVectorTest {
  /** The test's id, unique across all vector files: `hvp/`, the family, a slash and the `tcId`. */
  readonly id: string;
  /** The test's number within its file, from 1. */
  readonly tcId: number;
  /** What the test is about, in words. */
  readonly comment: string;
  /** Flags, each explained in the file's `notes`. */
  readonly flags: readonly string[];
  /** Whether an implementation must match (`valid`) or must not match (`wrong`) `expected`. */
  readonly result: HvpTestVerdictKind;
  /** The hvp case: a case with a direction. */
  readonly case: HvpCaseDocument;
  /** The reference answer (`valid`) or the mistaken one (`wrong`). */
  readonly expected: HvpDocument;
  /** The mistake that gives `expected`, for `wrong` tests. */
  readonly mistake?: SecondOrderMistakeName;
  /** The `tcId` of the valid test with the same case, for `wrong` tests. */
  readonly sameCaseAs?: number;
}

/** Tests that share a depth and a tolerance. */
export interface HvpVectorGroup {
  /** The number of weight layers $L$ of every case in the group. */
  readonly depth: number;
  /** How close every number of an answer must be: see {@link conformance/tolerance!withinTolerance | withinTolerance}. */
  readonly tolerance: Tolerance;
  /** The tests. */
  readonly tests: readonly HvpVectorTest[];
}

/** An hvp vector file, `backprop-ref/hvp-vectors@1`. */
export interface HvpVectorFile {
  /** Always {@link hvpVectorsFormat}. */
  readonly format: typeof hvpVectorsFormat;
  /** The version of the generator that wrote the file (see {@link conformance/hvp-vectors!hvpGeneratorVersion | hvpGeneratorVersion}). */
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
  readonly testGroups: readonly HvpVectorGroup[];
}
