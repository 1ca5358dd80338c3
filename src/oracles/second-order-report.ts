/**
 * A second-order check report in words and in JSON (`backprop-ref/check2@1`): one line per
 * check, the worst entries of a failing one, the known mistake a failing quantity matches, the
 * kinks, and the verdict. The checks themselves are made by
 * {@link oracles/second-order-check | second-order-check}, as the first-order ones by
 * {@link oracles/check | check} with their words in {@link oracles/report | report}.
 *
 * @module
 */
import { finiteOrNull } from "./check.js";
import { table, verdictWord } from "./report.js";
import type { EntryCheck, SecondOrderCheck, SecondOrderReport } from "./second-order-check.js";

/** The format tag of a second-order check report in JSON. */
export const secondOrderCheckFormat = "backprop-ref/check2@1";

/**
 * A second-order report in words: one line per check, the worst entries of each failing one
 * and the known mistake a failing quantity matches, the kinks, and the verdict.
 *
 * @param report - a report from {@link oracles/second-order-check!runSecondOrderChecks | runSecondOrderChecks}
 */
export function formatSecondOrderReport(report: SecondOrderReport): string {
  const lines: string[] = [];
  report.checks.forEach((check, index) => {
    lines.push(checkLine(check));
    const detailed = check.kind === "entries" && !check.passed && check.count > 1;
    if (detailed) lines.push("", indent(entryDetail(check)));
    const last = report.checks[index + 1]?.quantity !== check.quantity;
    const mistake = report.mistakes.find((matched) => matched.quantity === check.quantity);
    if (last && mistake !== undefined)
      lines.push(...(detailed ? [""] : []), `    matches the known mistake ${mistake.name}: ${mistake.summary}`);
    if (detailed) lines.push("");
  });
  if (report.kinks.length > 0) lines.push(kinkLine(report.kinks.length));
  const whose = report.subject === "backprop-ref" ? "backprop-ref's answer" : "the supplied answer";
  const checks = report.checks.length;
  const failed = report.checks.filter((check) => !check.passed).length;
  const inconclusive = report.checks.filter((check) => check.verdict === "inconclusive").length;
  lines.push(
    !report.passed
      ? `${whose} FAILED ${failed} of ${checks} checks`
      : inconclusive > 0
        ? `no check failed for ${whose}, but ${inconclusive} of ${checks} ${inconclusive === 1 ? "was" : "were"} inconclusive`
        : `all ${checks} checks passed for ${whose}`,
  );
  return lines.join("\n");
}

/**
 * A second-order report as plain JSON data, `backprop-ref/check2@1`: the verdict, every check
 * with its worst entries (not every entry), the mistakes matched and the kinks. A number that is
 * not finite is written as `null`.
 *
 * @param report - a report from {@link oracles/second-order-check!runSecondOrderChecks | runSecondOrderChecks}
 */
export function secondOrderReportJson(report: SecondOrderReport): unknown {
  return finiteOrNull({
    format: secondOrderCheckFormat,
    order: 2,
    subject: report.subject,
    passed: report.passed,
    inconclusive: report.inconclusive,
    checks: report.checks,
    mistakes: report.mistakes,
    kinks: report.kinks,
  });
}

/** `layer 1 weights[0][1][0]` for a parameter, the position itself otherwise. */
function where(position: string): string {
  const layer = /^(?:weights|biases)\[(\d+)\]/.exec(position);
  return layer === null ? position : `layer ${Number(layer[1]) + 1} ${position}`;
}

function checkLine(check: SecondOrderCheck): string {
  const start = `${check.quantity.padEnd(24)} ${check.oracle.padEnd(13)} ${verdictWord(check.verdict)}  `;
  if (check.kind === "semi-definite") {
    return (
      start +
      (check.passed
        ? `VᵀGV = ${check.value.toExponential(2)} ≥ 0 (to within ${check.allowance.toExponential(2)} of rounding), as a convex loss makes it`
        : `VᵀGV = ${check.value.toExponential(2)} < 0 (beyond ${check.allowance.toExponential(2)} of rounding): G is not positive semi-definite along V, as a convex loss makes it`)
    );
  }
  if (check.kinkCrossed) {
    return (
      start +
      "a step along V moved a relu or leaky_relu preactivation across its kink, so the difference of gradients measures a jump, not H V: not judged"
    );
  }
  const bound = `${check.passed && check.conventionAtKink !== true ? "≤" : ">"} ${check.tolerance.toExponential(0)}`;
  const convention =
    check.conventionAtKink === true
      ? ", but another slope at the preactivations exactly at a kink may give this, and the oracles take the left one only: not judged"
      : "";
  const overflows =
    check.oracleOverflows === 0
      ? ""
      : `, the oracle overflowed on ${check.oracleOverflows} ${check.oracleOverflows === 1 ? "entry" : "entries"}, which it could not judge`;
  if (check.count === 1) {
    const entry = check.worst;
    const values = entry === null || check.passed ? "" : `: the answer's ${entry.given}, the oracle's ${entry.expected}`;
    return `${start}relative error ${check.maxRelativeError.toExponential(2)} ${bound}${values}${overflows}${convention}`;
  }
  const at = check.worst === null ? "no entry judged" : `at ${where(check.worst.position)}`;
  return `${start}worst relative error ${check.maxRelativeError.toExponential(2)} ${bound} ${at}${overflows}${convention}`;
}

function entryDetail(check: EntryCheck): string {
  return (
    table(
      ["worst entries", "answer", check.oracle, "absolute error", "relative error"],
      check.worstEntries.map((entry) => [
        where(entry.position),
        String(entry.given),
        String(entry.expected),
        entry.absoluteError.toExponential(2),
        entry.relativeError.toExponential(2),
      ]),
    ) + `\n${check.count} entries, floor ${check.floor.toExponential(2)}, tolerance ${check.tolerance.toExponential(0)}`
  );
}

function kinkLine(count: number): string {
  return (
    `${"kinks".padEnd(24)} ${count} ${count === 1 ? "preactivation is" : "preactivations are"} exactly at a relu or leaky_relu kink: ` +
    "every oracle takes the piece on the left there (f'(0) the left slope, f'' = 0), backprop-ref's convention; an answer that differs from it " +
    "but lies between the left and the right slope's products there may take another convention, and is not judged"
  );
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `    ${line}`))
    .join("\n");
}
