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
import { networkLoss } from "../model/forward.js";
import { lossWithWeightDecay } from "../model/weight-decay.js";
import type { Network, ParameterArrays } from "../model/network.js";
import type { Matrix } from "../numeric/tensor.js";
import { defaultFloor, type EntryMethod, type GradientEntry, type GradientReport } from "./comparison.js";
import { directionalCheck, type DirectionalReport } from "./directional.js";
import { checkGradients } from "./gradient-check.js";
import { judgeAtKinks, type KinkConvention, type KinkJudgement, unitsAtKinks } from "./kink-conventions.js";
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
  /**
   * $\lambda' \ge 0$, the coefficient of the weight-decay penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$
   * that the loss includes (a case's `weightDecay`). Default $0$. Every method differentiates
   * the loss with its penalty.
   */
  readonly weightDecay?: number;
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
  /** Whether no method failed and no entry at a kink is outside its interval (an inconclusive method, which could not judge, counts as passed). */
  readonly passed: boolean;
  /** Whether a method was inconclusive: it found nothing wrong, but could not judge everything (an oracle overflowed, a loss nearly linear). */
  readonly inconclusive: boolean;
  /**
   * Whether the gradients pass with a convention at the kinks other than this project's: a
   * preactivation is exactly at a `relu` or `leaky_relu` kink, and they take another subgradient
   * there (see {@link oracles/kink-conventions | kink-conventions}). Acceptable gradients pass.
   */
  readonly acceptable: boolean;
  /** One report per method, in the order asked for. */
  readonly reports: readonly MethodReport[];
  /** The judgement at the preactivations exactly at a kink, or `null` when there is none. */
  readonly kinks: KinkJudgement | null;
}

/**
 * Runs the chosen methods against gradients of a case's batch loss (with its weight-decay
 * penalty, when the batch has one).
 *
 * @param batch - the network, inputs and targets, and the weight decay of the loss
 * @param methods - the methods to run, in order
 * @param gradients - the gradients to check; by default this library's
 */
export function runChecks(batch: CheckedBatch, methods: readonly CheckMethod[], gradients?: ParameterArrays): CheckReport {
  const { network, inputs, targets } = batch;
  const weightDecay = batch.weightDecay ?? 0;
  const analytic = gradients ?? backpropagate(network, inputs, targets, undefined, weightDecay).gradients;
  const loss = lossWithWeightDecay(networkLoss(network, inputs, targets), network.weights, weightDecay);
  // The oracles cannot judge an entry whose perturbation crosses a kink; at a preactivation
  // exactly on one, the two slopes bound the entry instead.
  const kinks =
    unitsAtKinks(network, inputs).length === 0
      ? null
      : judgeAtKinks(network, inputs, targets, analytic, defaultFloor(loss), undefined, weightDecay);
  const reports = methods.map((method): MethodReport => {
    switch (method) {
      case "directional":
        return directionalCheck(network, inputs, targets, analytic, { weightDecay });
      case "taylor":
        return taylorTest(network, inputs, targets, analytic, { weightDecay });
      default:
        return checkGradients(network, inputs, targets, analytic, { method: method satisfies EntryMethod, weightDecay });
    }
  });
  return {
    subject: gradients === undefined ? "backprop-ref" : "supplied",
    passed: reports.every((report) => report.passed) && kinks?.verdict !== "failed",
    inconclusive: reports.some((report) => report.verdict === "inconclusive") || kinks?.verdict === "inconclusive",
    acceptable: kinks?.verdict === "acceptable",
    reports,
    kinks,
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
  if (report.kinks !== null) lines.push(kinkLine(report.kinks));
  const whose = report.subject === "backprop-ref" ? "backprop-ref's gradients" : "the supplied gradients";
  const checks = report.reports.length + (report.kinks === null ? 0 : 1);
  const failed = report.reports.filter((r) => !r.passed).length + (report.kinks?.verdict === "failed" ? 1 : 0);
  const inconclusive =
    report.reports.filter((r) => r.verdict === "inconclusive").length + (report.kinks?.verdict === "inconclusive" ? 1 : 0);
  const convention = report.acceptable ? "; acceptable: at the kinks they take another convention than backprop-ref's" : "";
  lines.push(
    !report.passed
      ? `${whose} FAILED ${failed} of ${checks} checks`
      : inconclusive > 0
        ? `no check failed for ${whose}, but ${inconclusive} of ${checks} ${inconclusive === 1 ? "was" : "were"} inconclusive${convention}`
        : `all checks passed for ${whose}${convention}`,
  );
  return lines.join("\n");
}

/** The slope at the kink that each convention takes, in words. */
const conventionWords: Readonly<Record<KinkConvention, string>> = {
  left: "take the left slope there, f'(0) = 0 for relu and 0.01 for leaky relu: backprop-ref's convention",
  right: "take the right slope there, f'(0) = 1: another convention, a subgradient",
  between: "take a slope between the left and the right one there: another convention, a subgradient",
  none: "are outside the interval that every convention there falls in",
};

function kinkLine(judgement: KinkJudgement): string {
  const count = judgement.units.length;
  const where = `${count} ${count === 1 ? "preactivation is" : "preactivations are"} exactly at a kink`;
  const decided = judgement.decided.length;
  const depends = `${decided} ${decided === 1 ? "entry depends" : "entries depend"} on the slope chosen there`;
  const word = { passed: "passed", acceptable: "acceptable", failed: "FAILED", inconclusive: "inconclusive" }[judgement.verdict];
  const outside =
    judgement.outside === null
      ? ""
      : `; ${judgement.outside.position} is ${judgement.outside.given}, outside [${Math.min(judgement.outside.left, judgement.outside.right)}, ` +
        `${Math.max(judgement.outside.left, judgement.outside.right)}] (left slope ${judgement.outside.left}, right slope ${judgement.outside.right})` +
        (judgement.verdict === "inconclusive" ? ", but kinks in more than one layer leave the interval of a convention unknown" : "");
  return `${"kinks".padEnd(13)} ${word}  ${where}, ${depends}; the gradients ${conventionWords[judgement.convention]}${outside}`;
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

/**
 * A copy of plain JSON data with every number that is not finite ($\pm\infty$, NaN) replaced by
 * `null`, which JSON can hold (`JSON.stringify` would write `null` for them anyway, silently): the
 * reports in JSON of `check` and `check --order 2` pass through it.
 *
 * @param value - plain data: numbers, strings, booleans, `null`, arrays and objects of them
 */
export function finiteOrNull(value: unknown): unknown {
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
    acceptable: report.acceptable,
    kinks: report.kinks,
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
