/**
 * The `check` command's engine: run any of the five oracles against a case's gradients (this
 * library's, or another implementation's read from a result document) and report in words
 * and in JSON.
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
import type { Problem } from "../conformance/case-format.js";
import { backpropagate } from "../model/backprop.js";
import { depth, type ParameterArrays } from "../model/network.js";
import { describeValue, FormatError, ShapeError } from "../numeric/errors.js";
import { matrixFromRows, vectorFromArray } from "../numeric/tensor.js";
import { directionalCheck, type DirectionalReport, type TaylorReport, taylorTest } from "./directional.js";
import { checkGradients, type EntryMethod, entryPosition, formatReport, type GradientEntry, type GradientReport, summaryLine, table } from "./gradcheck.js";

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
  /** Whether every method passed (an inconclusive Taylor test counts as passed). */
  readonly passed: boolean;
  /** One report per method, in the order asked for. */
  readonly reports: readonly MethodReport[];
}

/**
 * Whether a name is one of the methods, or `all`.
 *
 * @param name - any value, typically a command-line argument
 */
export function isCheckMethod(name: unknown): name is CheckMethod | "all" {
  return name === "all" || (typeof name === "string" && (checkMethods as readonly string[]).includes(name));
}

/**
 * Runs the chosen methods against gradients of a case's batch loss.
 *
 * @param problem - the case
 * @param methods - the methods to run, in order
 * @param gradients - the gradients to check; by default this library's
 */
export function runChecks(problem: Problem, methods: readonly CheckMethod[], gradients?: ParameterArrays): CheckReport {
  const { network, inputs, targets } = problem;
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
  return { subject: gradients === undefined ? "backprop-ref" : "supplied", passed: reports.every((report) => report.passed), reports };
}

/**
 * Reads the `gradients` of a `backprop-ref/result@1` document written by another
 * implementation for the given case, checking their shapes against the case's network.
 *
 * @param value - the parsed result document
 * @param problem - the case it answers
 * @throws {@link numeric/errors!FormatError | FormatError} for a document that is not a result or holds non-numbers,
 *   {@link numeric/errors!ShapeError | ShapeError} for gradients shaped unlike the case's parameters
 */
export function gradientsFromResult(value: unknown, problem: Problem): ParameterArrays {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError(`a result must be a JSON object, got ${describeValue(value)}`);
  }
  const document = value as Record<string, unknown>;
  if (document.format !== "backprop-ref/result@1") {
    throw new FormatError(`format must be "backprop-ref/result@1", got ${describeValue(document.format)}`);
  }
  const gradients = document.gradients;
  if (typeof gradients !== "object" || gradients === null || Array.isArray(gradients)) {
    throw new FormatError(`gradients must be an object with weights and biases, got ${describeValue(gradients)}`);
  }
  const { weights, biases } = gradients as Record<string, unknown>;
  const { sizes } = problem.network.spec;
  const L = depth(problem.network.spec);
  if (!Array.isArray(weights) || weights.length !== L) {
    throw new ShapeError(`gradients.weights must hold ${L} matrices for sizes ${describeValue(sizes)}, got ${describeValue(weights)}`);
  }
  const withBiases = problem.network.biases !== null;
  if (withBiases ? !Array.isArray(biases) || biases.length !== L : biases !== null) {
    throw new ShapeError(
      withBiases
        ? `gradients.biases must hold ${L} vectors, since the case has biases; got ${describeValue(biases)}`
        : `gradients.biases must be null, since the case has no biases; got ${describeValue(biases)}`,
    );
  }
  const number = (entry: unknown, where: string): number => {
    if (typeof entry !== "number" || !Number.isFinite(entry)) throw new FormatError(`${where} must be a finite number, got ${describeValue(entry)}`);
    return entry;
  };
  const row = (entries: unknown, where: string, length: number): number[] => {
    if (!Array.isArray(entries) || entries.length !== length) {
      throw new ShapeError(`${where} must hold ${length} numbers, got ${describeValue(entries)}`);
    }
    return entries.map((entry, index) => number(entry, `${where}[${index}]`));
  };
  return {
    weights: weights.map((matrix: unknown, index) => {
      const [rows, columns] = [sizes[index + 1]!, sizes[index]!];
      if (!Array.isArray(matrix) || matrix.length !== rows) {
        throw new ShapeError(`gradients.weights[${index}] must be ${rows}×${columns} for sizes ${describeValue(sizes)}, got ${describeValue(matrix)}`);
      }
      return matrixFromRows(matrix.map((entries: unknown, j) => row(entries, `gradients.weights[${index}][${j}]`, columns)));
    }),
    biases: withBiases
      ? (biases as unknown[]).map((vector, index) => vectorFromArray(row(vector, `gradients.biases[${index}]`, sizes[index + 1]!)))
      : null,
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
  lines.push(report.passed ? `all checks passed for ${whose}` : `${whose} FAILED ${report.reports.filter((r) => !r.passed).length} of ${report.reports.length} checks`);
  return lines.join("\n");
}

function methodLine(report: MethodReport): string {
  switch (report.method) {
    case "directional": {
      const judged = report.results.filter((result) => !result.kinkCrossed).length;
      return (
        `directional   ${report.passed ? "passed" : "FAILED"}  worst relative error ${report.maxRelativeError.toExponential(2)} ` +
        `${report.passed ? "≤" : ">"} ${report.tolerance.toExponential(0)} over ${judged} random directions` +
        (judged < report.results.length ? ` (${report.results.length - judged} crossed a kink)` : "")
      );
    }
    case "taylor":
      return `taylor        ${report.verdict === "failed" ? "FAILED" : report.verdict}${report.verdict === "passed" ? "  " : " "}` +
        (Number.isNaN(report.slope) ? "" : `slope ${report.slope.toFixed(2)} (at least ${report.minimumSlope} needed): `) + report.reason;
    default:
      return summaryLine(report);
  }
}

function methodDetail(report: MethodReport): string {
  switch (report.method) {
    case "directional":
      return table(
        ["direction", "∇E·u (analytic)", "central difference", "relative error", "kink"],
        report.results.map((result, index) => [
          String(index + 1),
          String(result.analytic),
          String(result.numeric),
          result.relativeError.toExponential(2),
          result.kinkCrossed ? "crossed" : "",
        ]),
      ) + `\nstep ${report.step.toExponential(2)}, floor ${report.floor.toExponential(2)}, seed ${report.seed}`;
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
  const entry = (value: GradientEntry | null) =>
    value === null ? null : { position: entryPosition(value), ...value };
  return {
    format: "backprop-ref/check@1",
    subject: report.subject,
    passed: report.passed,
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
