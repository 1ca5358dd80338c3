/**
 * The `check` command's engine: run any of the five oracles against the gradients of a batch's
 * loss (this library's, or another implementation's, which the command line reads from a result
 * document with {@link conformance/case-format!gradientsFromResult | gradientsFromResult}) and
 * report in words and in JSON.
 *
 * | method | what it compares | cost | default tolerance |
 * | --- | --- | --- | --- |
 * | `central` | every entry with a central difference | 2 forward passes per parameter | $10^{-6}$ |
 * | `richardson` | every entry with an extrapolated difference, plus an error estimate | 4 per parameter | $10^{-7}$ |
 * | `complex-step` | every entry with the complex-step derivative | 1 complex pass per parameter | $10^{-12}$ |
 * | `directional` | $\nabla E \cdot u$ along 4 random directions | 8 forward passes in all | $10^{-6}$ |
 * | `taylor` | the order of the Taylor remainder along a random direction | 16 forward passes | a settled slope $\ge 1.8$ |
 *
 * A passing method takes one line; a failing one lists its worst entries and a per-layer
 * table (or its directions, or its steps).
 *
 * @module
 */
import { backpropagate } from "../model/backprop.js";
import type { Network, ParameterArrays } from "../model/network.js";
import type { Matrix } from "../numeric/tensor.js";
import type { EntryMethod, GradientEntry, GradientReport } from "./comparison.js";
import { directionalCheck, type DirectionalReport } from "./directional.js";
import { checkGradients } from "./gradient-check.js";
import { entryPosition, formatReport, summaryLine, table, verdictWord } from "./report.js";
import { type TaylorReport, taylorTest } from "./taylor.js";

/** A batch to check gradients on: a network, its inputs and its targets (a case read by the case format is one). */
export interface CheckedBatch {
  /** The network whose loss is differentiated. */
  readonly network: Network;
  /** $x$, $n_0 \times B$. */
  readonly inputs: Matrix;
  /** $t$, $n_L \times B$. */
  readonly targets: Matrix;
}

/** The five oracles, in the order they run. */
export const checkMethods = ["central", "richardson", "complex-step", "directional", "taylor"] as const;

/** One of {@link checkMethods}. */
export type CheckMethod = (typeof checkMethods)[number];

/** The report of one method. */
export type MethodReport = GradientReport | DirectionalReport | TaylorReport;

/** What a check found. */
export interface CheckReport {
  /** Whose gradients were checked. */
  readonly subject: "backprop-ref" | "supplied";
  /** Whether no method failed (an inconclusive method, which could not judge, counts as passed). */
  readonly passed: boolean;
  /** Whether a method was inconclusive: it found nothing wrong, but could not judge everything (an oracle overflowed, a loss nearly linear). */
  readonly inconclusive: boolean;
  /** One report per method, in the order asked for. */
  readonly reports: readonly MethodReport[];
}

/**
 * Runs the chosen methods against gradients of a case's batch loss.
 *
 * @param batch - the network, inputs and targets
 * @param methods - the methods to run, in order
 * @param gradients - the gradients to check; by default this library's
 */
export function runChecks(batch: CheckedBatch, methods: readonly CheckMethod[], gradients?: ParameterArrays): CheckReport {
  const { network, inputs, targets } = batch;
  const analytic = gradients ?? backpropagate(network, inputs, targets).gradients;
  const reports = methods.map((method): MethodReport => {
    switch (method) {
      case "directional":
        return directionalCheck(network, inputs, targets, analytic);
      case "taylor":
        return taylorTest(network, inputs, targets, analytic);
      default:
        return checkGradients(network, inputs, targets, analytic, { method: method satisfies EntryMethod });
    }
  });
  return {
    subject: gradients === undefined ? "backprop-ref" : "supplied",
    passed: reports.every((report) => report.passed),
    inconclusive: reports.some((report) => report.verdict === "inconclusive"),
    reports,
  };
}

/**
 * A check report in words: one line per passing method, the details of each failing one, and
 * the verdict.
 *
 * @param report - a report from {@link runChecks}
 */
export function formatCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  for (const methodReport of report.reports) {
    lines.push(methodLine(methodReport));
    if (!methodReport.passed) lines.push("", indent(methodDetail(methodReport)), "");
  }
  const whose = report.subject === "backprop-ref" ? "backprop-ref's gradients" : "the supplied gradients";
  const inconclusive = report.reports.filter((r) => r.verdict === "inconclusive").length;
  lines.push(
    !report.passed
      ? `${whose} FAILED ${report.reports.filter((r) => !r.passed).length} of ${report.reports.length} checks`
      : inconclusive > 0
        ? `no check failed for ${whose}, but ${inconclusive} of ${report.reports.length} ${inconclusive === 1 ? "was" : "were"} inconclusive`
        : `all checks passed for ${whose}`,
  );
  return lines.join("\n");
}

function methodLine(report: MethodReport): string {
  switch (report.method) {
    case "directional": {
      const crossed = report.results.filter((result) => result.kinkCrossed).length;
      const overflowed = report.results.filter((result) => !result.kinkCrossed && result.oracleOverflowed).length;
      const judged = report.results.length - crossed - overflowed;
      return (
        `directional   ${verdictWord(report.verdict)}  worst relative error ${report.maxRelativeError.toExponential(2)} ` +
        `${report.passed ? "≤" : ">"} ${report.tolerance.toExponential(0)} over ${judged} random directions` +
        (crossed > 0 ? ` (${crossed} crossed a kink)` : "") +
        (overflowed > 0 ? ` (the loss overflowed along ${overflowed}, which could not be judged)` : "")
      );
    }
    case "taylor":
      return (
        `taylor        ${verdictWord(report.verdict)}${report.verdict === "passed" ? "  " : " "}` +
        (Number.isNaN(report.slope) ? "" : `slope ${report.slope.toFixed(2)} (at least ${report.minimumSlope} needed): `) +
        report.reason
      );
    default:
      return summaryLine(report);
  }
}

function methodDetail(report: MethodReport): string {
  switch (report.method) {
    case "directional":
      return (
        table(
          ["direction", "∇E·u (analytic)", "central difference", "relative error", "kink"],
          report.results.map((result, index) => [
            String(index + 1),
            String(result.analytic),
            String(result.numeric),
            result.relativeError.toExponential(2),
            result.kinkCrossed ? "crossed" : "",
          ]),
        ) + `\nstep ${report.step.toExponential(2)}, floor ${report.floor.toExponential(2)}, seed ${report.seed}`
      );
    case "taylor":
      return table(
        ["step h", "remainder |E(w+hu) − E(w) − h ∇E·u|", "used"],
        report.steps.map((step) => [step.step.toExponential(3), step.remainder.toExponential(3), step.used ? "yes" : "no"]),
      );
    default:
      return formatReport(report);
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `    ${line}`))
    .join("\n");
}

/**
 * A check report as plain JSON data: per method its verdict, worst error, tolerance and, for
 * the entry-by-entry methods, the worst entries and the per-layer summary (not every entry).
 * A number that is not finite (the kink distance of a network without `relu`, the slope of an
 * inconclusive Taylor test) is written as `null`.
 *
 * @param report - a report from {@link runChecks}
 */
export function checkReportJson(report: CheckReport): unknown {
  return finiteOrNull(checkReportData(report));
}

function finiteOrNull(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(finiteOrNull);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, finiteOrNull(item)]));
  }
  return value;
}

function checkReportData(report: CheckReport): unknown {
  const entry = (value: GradientEntry | null) => (value === null ? null : { position: entryPosition(value), ...value });
  return {
    format: "backprop-ref/check@1",
    subject: report.subject,
    passed: report.passed,
    inconclusive: report.inconclusive,
    methods: report.reports.map((methodReport) => {
      switch (methodReport.method) {
        case "directional":
        case "taylor":
          return methodReport;
        default: {
          const { entries: _entries, worst, worstEntries, layers, ...rest } = methodReport;
          return {
            ...rest,
            worst: entry(worst),
            worstEntries: worstEntries.map(entry),
            layers: layers.map((summary) => ({ ...summary, worst: entry(summary.worst) })),
          };
        }
      }
    }),
  };
}
