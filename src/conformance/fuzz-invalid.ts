/**
 * The other half of fuzzing an implementation: cases it must refuse. The invalid tests of the
 * conformance vectors (a wrong format tag, shapes that do not match `sizes`, `softmax` in a
 * hidden layer, a loss that does not fit the output, a string where a number belongs, an empty
 * batch, text that is not JSON, …) are sent one per line, and each must be answered with a
 * `backprop-ref/rejection@1` document: not a result, and not a crash, a hang or garbage.
 *
 * @module
 */
import { describeValue } from "../numeric/errors.js";
import type { Answer } from "./fuzz-judge.js";
import { rejectionFormat, type VectorFile } from "./vector-format.js";

/** A malformed case to send, as one line of text. */
export interface InvalidCase {
  /** The vector test's id, e.g. `invalid/7`. */
  readonly id: string;
  /** What is wrong with it, in words. */
  readonly comment: string;
  /** The case's text on one line: what the program reads. */
  readonly line: string;
}

/** How an implementation treated one malformed case it did not reject. */
export interface NotRejected {
  /** The case. */
  readonly case: InvalidCase;
  /** What it did instead, in one line: accepted it (its answer quoted) or failed to answer. */
  readonly what: string;
}

/** The outcome of sending the malformed cases. */
export interface RejectionReport {
  /** How many were sent. */
  readonly sent: number;
  /** Those not rejected, in the order they were sent. */
  readonly notRejected: readonly NotRejected[];
}

/**
 * The invalid tests of vector files, each as one line. A case's text is written on one line by
 * turning its line breaks into spaces, which JSON reads as the same white space (a text that
 * is not JSON stays not JSON).
 *
 * @param files - vector files
 */
export function invalidCases(files: readonly VectorFile[]): InvalidCase[] {
  return files.flatMap((file) =>
    file.testGroups.flatMap((group) =>
      group.tests
        .filter((test) => test.result === "invalid" && test.caseText !== undefined)
        .map((test) => ({ id: test.id, comment: test.comment, line: test.caseText!.replace(/\r?\n/g, " ") })),
    ),
  );
}

/**
 * Sends each malformed case and lists those the implementation did not reject.
 *
 * @param cases - from {@link invalidCases}
 * @param respond - sends one line and returns the answer
 */
export async function checkRejections(cases: readonly InvalidCase[], respond: (line: string) => Promise<Answer>): Promise<RejectionReport> {
  const notRejected: NotRejected[] = [];
  for (const invalid of cases) {
    const answer = await respond(invalid.line);
    if (answer.kind === "failure") {
      // The first line only: a crash's standard error follows on the next lines, and the log keeps it.
      notRejected.push({ case: invalid, what: `did not reject it: it ${answer.message.split("\n")[0]}` });
      continue;
    }
    const format = typeof answer.value === "object" && answer.value !== null ? (answer.value as { format?: unknown }).format : undefined;
    if (format !== rejectionFormat) {
      notRejected.push({ case: invalid, what: `accepted it: answered ${quoted(answer.value)}` });
    }
  }
  return { sent: cases.length, notRejected };
}

/** An answer as JSON, cut after 200 characters. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? describeValue(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The rejection report in words: one line for each case not rejected, then a summary.
 *
 * @param report - from {@link checkRejections}
 */
export function formatRejectionReport(report: RejectionReport): string {
  const lines = report.notRejected.map(({ case: invalid, what }) => `${invalid.id} (${invalid.comment}): ${what}`);
  lines.push(
    report.notRejected.length === 0
      ? `all ${report.sent} malformed cases were rejected`
      : `FAILED: ${report.notRejected.length} of ${report.sent} malformed cases were not rejected`,
  );
  return lines.join("\n");
}
