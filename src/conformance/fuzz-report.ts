/**
 * A fuzz run in words: what was fuzzed, and, when something failed, the smallest case, the
 * first difference (quantity, layer, row and column, both values, the relative error), the known
 * mistake it matches with how that mistake arises and how to fix it, and the command that
 * replays it. Also the throwing form of {@link conformance/fuzz!fuzzImplementation | fuzzImplementation}, for a
 * test of one's own implementation inside vitest or jest.
 *
 * @module
 */
import { formatJson } from "../numeric/json.js";
import { type FuzzOptions, type FuzzReport, fuzzImplementation, type Implementation } from "./fuzz.js";
import { mistakeCatalogue } from "./mistake-catalogue.js";
import { describeDifference } from "./document-comparison.js";

/** How the report says to replay a run: a function from the seed and path to a command, or `null` to say nothing. */
export type ReplayCommand = ((seed: number, path: string | null) => string) | null;

/**
 * The space of a run in one line: activations, losses, biases, bounds, learning rates, quantities.
 *
 * @param report - a fuzz report
 */
export function describeSpace(report: FuzzReport): string {
  const { space } = report;
  const rates = space.learningRates === null ? "drawn" : space.learningRates.join(", ");
  return (
    `activations ${space.activations.join(", ")}; losses ${space.losses.join(", ")}; biases ${space.biases}; ` +
    `at most ${space.maxDepth} layers of ${space.maxWidth} units, batches of ${space.maxBatch}; learning rates ${rates}; ` +
    `judged on ${report.quantities.join(", ")} in ${report.precision}`
  );
}

/**
 * A fuzz report in words, as the `fuzz` command prints it.
 *
 * @param report - from {@link conformance/fuzz!fuzz | fuzz}
 * @param replay - the command that replays a failure
 */
export function formatFuzzReport(report: FuzzReport, replay: ReplayCommand = null): string {
  const lines = [`space: ${describeSpace(report)}`];
  const { counterexample, nondeterminism } = report;
  if (report.passed) {
    lines.push(`all ${report.runs} cases agreed with the reference (seed ${report.seed}, ${report.calls} answers in all)`);
    return lines.join("\n");
  }
  if (counterexample !== null) {
    const { verdict } = counterexample;
    const shape = counterexample.case.sizes.join("-");
    lines.push(
      `FAILED on case ${report.runs} of the run (seed ${report.seed}); shrunk ${counterexample.shrinks} times to a ${shape} network ` +
        `with ${counterexample.case.inputs.length} sample${counterexample.case.inputs.length === 1 ? "" : "s"}:`,
      formatJson(counterexample.case),
    );
    if (verdict.difference !== null) lines.push(`first difference: ${describeDifference(verdict.difference)}`);
    if (verdict.note !== null) lines.push(verdict.difference === null ? `the implementation ${verdict.note}` : verdict.note);
    if (verdict.mistake !== null) {
      const entry = mistakeCatalogue[verdict.mistake];
      lines.push(
        `this is the known mistake ${verdict.mistake}: ${entry.summary}`,
        `  how it arises: ${entry.arises}`,
        `  how to fix it: ${entry.fix}`,
      );
    } else if (verdict.difference !== null) {
      lines.push("no known mistake gives this result; the case above is the smallest that shows the difference");
    }
    if (replay !== null) lines.push(`replay: ${replay(report.seed, counterexample.path)}`);
  }
  if (nondeterminism !== null) {
    lines.push(
      "NONDETERMINISTIC: one case got two different answers when it was sent twice:",
      formatJson(nondeterminism.case),
      `first answer:  ${JSON.stringify(nondeterminism.first).slice(0, 200)}`,
      `second answer: ${JSON.stringify(nondeterminism.second).slice(0, 200)}`,
    );
    if (replay !== null && counterexample === null) lines.push(`replay: ${replay(report.seed, null)}`);
  }
  return lines.join("\n");
}

/** Thrown by {@link assertAgreement} when an implementation disagrees with the reference; its message is the report. */
export class FuzzFailure extends Error {
  /** The report of the run. */
  readonly report: FuzzReport;

  /**
   * @param report - a report that did not pass
   */
  constructor(report: FuzzReport) {
    super(
      formatFuzzReport(
        report,
        (seed, path) => `fuzzImplementation(implementation, { seed: ${seed}${path === null ? "" : `, path: "${path}"`} })`,
      ),
    );
    this.name = "FuzzFailure";
    this.report = report;
  }
}

/**
 * Fuzzes a JavaScript implementation and throws a {@link FuzzFailure} with the report when it
 * disagrees: `await assertAgreement(myStep)` inside a test.
 *
 * @param implementation - maps a case to a result
 * @param options - runs, seed, space, quantities, tolerance
 * @returns the report of a run that passed
 */
export async function assertAgreement(implementation: Implementation, options: FuzzOptions = {}): Promise<FuzzReport> {
  const report = await fuzzImplementation(implementation, options);
  if (!report.passed) throw new FuzzFailure(report);
  return report;
}
