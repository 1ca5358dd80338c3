/**
 * What `verify` concludes: one verdict per test (pass; or fail, with the first difference in
 * numbers and the known mistake the answer matches, or a note saying what happened), the report
 * of a whole run, and the report in words. The verdicts of {@link conformance/verify | verify}
 * and of {@link conformance/hvp-verify | hvp-verify} are of this one shape, so a report names a
 * known mistake of either kind ({@link KnownMistakeName}): of the first derivative, or of a
 * Hessian-vector product.
 *
 * @module
 */
import { type Difference, describeDifference } from "./document-comparison.js";
import { mistakeDescriptions, type MistakeName, mistakeNames } from "./mistakes.js";
import { type SecondOrderMistakeName, secondOrderMistakeSummaries } from "./second-order-mistakes.js";

/**
 * A known mistake `verify` can name: one of the first derivative
 * ({@link conformance/mistakes!MistakeName | MistakeName}), or one of a Hessian-vector product
 * ({@link conformance/second-order-mistakes!SecondOrderMistakeName | SecondOrderMistakeName}).
 * The two lists share no name.
 */
export type KnownMistakeName = MistakeName | SecondOrderMistakeName;

/**
 * The one-line description of a known mistake, as a report prints it after "matches the known mistake".
 *
 * @param name - the mistake
 */
export function knownMistakeDescription(name: KnownMistakeName): string {
  return (mistakeNames as readonly string[]).includes(name)
    ? mistakeDescriptions[name as MistakeName]
    : secondOrderMistakeSummaries[name as SecondOrderMistakeName];
}

/** What `verify` concluded about one test. */
export interface TestVerdict {
  /** The test's id (a vector test's `id`, or a case's `id`). */
  readonly id: string;
  /** Whether the test passed. */
  readonly passed: boolean;
  /** The first difference from the reference, when there is one. */
  readonly difference: Difference | null;
  /** The known mistake whose result the given one matches, when there is one: a first-order one, or one of a Hessian-vector product. */
  readonly mistake: KnownMistakeName | null;
  /** What happened, in one line, when the test failed without a difference in numbers, or passed as acceptable. */
  readonly note: string | null;
  /**
   * Whether the test passed with another convention than this project's at a preactivation
   * exactly at a `relu` or `leaky_relu` kink: the result is not the expected one, but the one
   * with the right slope there, or between the two (see {@link conformance/kink-results | kink-results}).
   */
  readonly acceptable?: boolean;
}

/** The verdicts of a whole run. */
export interface VerifyReport {
  /** Whether every test passed. */
  readonly passed: boolean;
  /** One verdict per test, in the order of the tests. */
  readonly verdicts: readonly TestVerdict[];
}

/**
 * A report in words: one line per test (`pass`, or `FAIL` with the first difference and the
 * matching mistake), then a summary that counts the failures by mistake.
 *
 * @param report - from {@link conformance/verify!verifyVectors | verifyVectors}, or a single verdict's report
 */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = report.verdicts.map((verdict) => {
    if (verdict.passed) return verdict.acceptable === true ? `${verdict.id}: pass, ${verdict.note}` : `${verdict.id}: pass`;
    const what = verdict.difference !== null ? describeDifference(verdict.difference) : verdict.note!;
    const mistake =
      verdict.mistake === null ? "" : `\n    matches the known mistake ${verdict.mistake}: ${knownMistakeDescription(verdict.mistake)}`;
    return `${verdict.id}: FAIL ${what}${mistake}`;
  });
  const failed = report.verdicts.filter((verdict) => !verdict.passed);
  const acceptable = report.verdicts.filter((verdict) => verdict.acceptable === true).length;
  if (failed.length === 0) {
    lines.push(
      `all ${report.verdicts.length} tests passed${acceptable === 0 ? "" : ` (${acceptable} acceptable, with another convention at a kink)`}`,
    );
  } else {
    const counts = new Map<string, number>();
    for (const verdict of failed)
      counts.set(verdict.mistake ?? "no known mistake", (counts.get(verdict.mistake ?? "no known mistake") ?? 0) + 1);
    const byMistake = [...counts].map(([name, count]) => `${count} ${name}`).join(", ");
    lines.push(`FAILED ${failed.length} of ${report.verdicts.length} tests (${byMistake})`);
  }
  return lines.join("\n");
}
