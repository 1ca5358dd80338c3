/**
 * A gradient report in words: one entry, one line per method, and the tables a failing check
 * prints (the worst entries, then one line per layer and kind of parameter).
 *
 * @module
 */
import type { EntryMethod, GradientEntry, GradientReport, Verdict } from "./comparison.js";
import { kinkMargin } from "./kinks.js";

/**
 * One entry in words: `layer 2 weights[1][0][1]: analytic …, numeric …, relative error …`.
 *
 * The indices are those of the JSON case format (`weights[l-1][j][k]`), the layer is $l$.
 *
 * @param entry - an entry of a report
 */
export function describeEntry(entry: GradientEntry): string {
  const estimate = entry.estimatedError === null ? "" : ` (oracle's error estimate ${entry.estimatedError.toExponential(2)})`;
  return (
    `layer ${entry.layer} ${entryPosition(entry)}: analytic ${entry.analytic}, numeric ${entry.numeric}${estimate}, ` +
    `absolute error ${entry.absoluteError.toExponential(2)}, relative error ${entry.relativeError.toExponential(2)}` +
    (entry.kinkCrossed ? ", kink crossed" : "")
  );
}

/**
 * Where an entry sits in the JSON layout: `weights[l-1][j][k]` or `biases[l-1][j]`.
 *
 * @param entry - an entry of a report
 */
export function entryPosition(entry: GradientEntry): string {
  return entry.parameter === "weights"
    ? `weights[${entry.layer - 1}][${entry.row}][${entry.column}]`
    : `biases[${entry.layer - 1}][${entry.row}]`;
}

/**
 * A report in one line: the method, the verdict and the worst error, e.g.
 * `central       passed  worst relative error 3.50e-10 ≤ 1e-6 at layer 1 weights[0][1][1]`.
 *
 * @param report - a report from {@link oracles/comparison!compareGradients | compareGradients} or {@link oracles/gradient-check!checkGradients | checkGradients}
 */
export function summaryLine(report: GradientReport): string {
  const where = report.worst === null ? "no entry judged" : `at layer ${report.worst.layer} ${entryPosition(report.worst)}`;
  const kinks = report.kinkCrossings === 0 ? "" : `, ${report.kinkCrossings} kink crossed`;
  const overflows = report.oracleOverflows === 0 ? "" : `, ${overflowWords(report.oracleOverflows)}`;
  return (
    `${report.method.padEnd(13)} ${verdictWord(report.verdict)}  worst relative error ` +
    `${report.maxRelativeError.toExponential(2)} ${report.passed ? "≤" : ">"} ${report.tolerance.toExponential(0)} ${where}${kinks}${overflows}`
  );
}

/**
 * A verdict as a report's line says it: `passed`, `FAILED` (in capitals, to be seen in a long
 * report) or `inconclusive`.
 *
 * @param verdict - the verdict
 */
export function verdictWord(verdict: Verdict): string {
  return { passed: "passed", failed: "FAILED", inconclusive: "inconclusive" }[verdict];
}

function overflowWords(count: number): string {
  return `the oracle overflowed on ${count} ${count === 1 ? "entry" : "entries"} (the loss is not finite at a perturbed point), which it could not judge`;
}

/**
 * A report as tables: the worst entries, then one line per layer and kind of parameter, then
 * the settings and the verdict.
 *
 * @param report - a report from {@link oracles/comparison!compareGradients | compareGradients} or {@link oracles/gradient-check!checkGradients | checkGradients}
 */
export function formatReport(report: GradientReport): string {
  const worstTable = table(
    ["worst entries", "analytic", "numeric", "absolute error", "relative error"],
    report.worstEntries.map((entry) => [
      `layer ${entry.layer} ${entryPosition(entry)}`,
      String(entry.analytic),
      String(entry.numeric),
      entry.absoluteError.toExponential(2),
      entry.relativeError.toExponential(2),
    ]),
  );
  const layerTable = table(
    ["layer", "parameter", "entries", "kinks crossed", "worst entry", "analytic", "numeric", "relative error"],
    report.layers.map((summary) => {
      const { worst } = summary;
      const position = worst === null ? "-" : summary.parameter === "weights" ? `[${worst.row}][${worst.column}]` : `[${worst.row}]`;
      return [
        String(summary.layer),
        summary.parameter,
        String(summary.count),
        String(summary.kinkCrossings),
        position,
        worst === null ? "-" : worst.analytic.toPrecision(10),
        worst === null ? "-" : worst.numeric.toPrecision(10),
        worst === null ? "-" : worst.relativeError.toExponential(2),
      ];
    }),
  );
  const kink =
    report.kinkDistance === null || report.kinkDistance === Infinity
      ? []
      : report.kinkDistance < kinkMargin
        ? [
            `warning: a relu/leaky_relu preactivation lies ${report.kinkDistance.toExponential(2)} from its kink at 0, ` +
              `inside the ${kinkMargin.toExponential(0)} margin: a central difference there may straddle the kink`,
          ]
        : [`relu/leaky_relu preactivations keep at least ${report.kinkDistance.toExponential(2)} from the kink at 0`];
  const steps: Record<EntryMethod, string> = {
    central: `central differences, step ${report.relativeStep.toExponential(2)} × max(1, |w|)`,
    richardson: `Richardson extrapolation of central differences, steps h and h/2 with h = ${report.relativeStep.toExponential(2)} × max(1, |w|)`,
    "complex-step": `complex step, h = ${report.relativeStep.toExponential(0)}`,
  };
  const verdict = report.passed
    ? `passed: worst relative error ${report.maxRelativeError.toExponential(2)} ≤ tolerance ${report.tolerance.toExponential(0)}`
    : `FAILED: ${report.worst === null ? "" : describeEntry(report.worst)} > tolerance ${report.tolerance.toExponential(0)}`;
  return [
    ...(report.passed ? [] : [worstTable, ""]),
    layerTable,
    "",
    `${steps[report.method]}, floor ${report.floor.toExponential(2)}, tolerance ${report.tolerance.toExponential(0)}`,
    ...(report.kinkCrossings === 0 ? [] : [`${report.kinkCrossings} entries crossed a kink and were not judged`]),
    ...(report.oracleOverflows === 0 ? [] : [overflowWords(report.oracleOverflows)]),
    ...kink,
    verdict,
  ].join("\n");
}

/**
 * A plain-text table with aligned columns and a rule under the header.
 *
 * @param header - the column titles
 * @param rows - the cells, one array per row
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
