/**
 * A second-order check report: what it holds, and how it reads in words and in JSON.
 *
 * What it holds: the quantities of an answer and the oracles that judge them, the tolerance of
 * the checks, each check with its verdict (a quantity judged entry by entry against an oracle, or
 * the semi-definite law on the Gauss–Newton product), the known mistake a failing quantity
 * matches, and the report that gathers them. The checks themselves are made by
 * {@link oracles/second-order-check | second-order-check}, the law's by
 * {@link oracles/semi-definite-law | semi-definite-law}.
 *
 * How it reads (`backprop-ref/check2@1` in JSON): one line per check, the worst entries of a
 * failing one, the known mistake a failing quantity matches, the kinks, and the verdict, as the
 * first-order checks of {@link oracles/check | check} read in {@link oracles/report | report}.
 *
 * @module
 */
import { finiteOrNull } from "./check.js";
import type { Verdict } from "./comparison.js";
import type { KinkUnit } from "./kink-conventions.js";
import { table, verdictWord } from "./report.js";

/** The quantities of an answer, in the order of `backprop-ref/hvp@1` and of the report. */
export const secondOrderQuantities = [
  "loss",
  "directionalDerivative",
  "outputTangents",
  "hessianVectorProduct",
  "gaussNewtonVectorProduct",
] as const;

/** One of {@link secondOrderQuantities}. */
export type SecondOrderQuantity = (typeof secondOrderQuantities)[number];

/** What judges a quantity: the library's forward pass, the complex step, backpropagation's gradient, Richardson extrapolation, or a law. */
export type SecondOrderOracle = "forward" | "complex-step" | "backprop" | "richardson" | "semi-definite";

/**
 * The tolerance of every check but Richardson extrapolation's: $10^{-11}$ relative, about ten
 * times the worst the complex step of the gradient showed against the R-operator.
 *
 * Why $10^{-11}$: the complex step of the gradient agrees with the R-operator to
 * $1.4 \times 10^{-12}$ of the floor over 10,000 random cases (see
 * {@link oracles/complex-gradient | complex-gradient}), and $10^{-11}$ leaves room for another
 * order of summation while every known mistake still fails. Over 40,000 random hvp cases
 * (10,000 of each of the four spreads the specs draw from: `caseWithDirection` and
 * `hvpCaseDocument`, each with general and uniform numbers), backprop-ref's own answer showed at
 * worst: $\dot E$ $9.1 \times 10^{-14}$ (complex step) and $6.1 \times 10^{-14}$
 * (backpropagation), $JV$ $3.2 \times 10^{-12}$ (an output tangent of $7 \times 10^{-4}$ that is
 * a sum of terms near $1$), $HV$ $1.2 \times 10^{-12}$ (complex step) and $1.0 \times 10^{-8}$
 * (Richardson extrapolation, whose own error it is), $GV$ $9.5 \times 10^{-13}$; 11 of them were
 * inconclusive (a kink crossed, or a direction of subnormal numbers that the complex step cannot
 * scale), none failed. Richardson extrapolation keeps its own tolerance,
 * {@link oracles/hessian-differences!hessianDifferenceTolerances | hessianDifferenceTolerances}.
 */
export const secondOrderTolerance = 1e-11;

/** One number of the answer beside the oracle's. */
export interface ComparedEntry {
  /** Where it is in the JSON layout: `weights[0][1][0]`, `biases[1][0]`, `outputTangents[1][0]` (sample, then unit), or the quantity's name for a number. */
  readonly position: string;
  /** The answer's number. */
  readonly given: number;
  /** The oracle's. */
  readonly expected: number;
  /** $\lvert g - e \rvert$. */
  readonly absoluteError: number;
  /** $\lvert g - e \rvert / \max(\lvert g \rvert, \lvert e \rvert, \text{floor})$. */
  readonly relativeError: number;
}

/** A quantity judged entry by entry against an oracle. */
export interface EntryCheck {
  /** Always `entries`. */
  readonly kind: "entries";
  /** The quantity judged. */
  readonly quantity: SecondOrderQuantity;
  /** What judged it. */
  readonly oracle: Exclude<SecondOrderOracle, "semi-definite">;
  /** The verdict (see {@link oracles/second-order-check | second-order-check}). */
  readonly verdict: Verdict;
  /** Whether nothing shows the answer wrong: the verdict is `passed` or `inconclusive`. */
  readonly passed: boolean;
  /** The largest relative error over the judged entries ($0$ if none was judged). */
  readonly maxRelativeError: number;
  /** The largest relative error that passes. */
  readonly tolerance: number;
  /** The floor of the relative error's denominator. */
  readonly floor: number;
  /** How many entries the quantity has. */
  readonly count: number;
  /** The judged entry with the largest relative error, or `null` if none was judged. */
  readonly worst: ComparedEntry | null;
  /** The judged entries with the largest relative errors, worst first, at most five. */
  readonly worstEntries: readonly ComparedEntry[];
  /** Whether the oracle's steps crossed a `relu` or `leaky_relu` kink (Richardson extrapolation); then nothing was judged. */
  readonly kinkCrossed: boolean;
  /**
   * Whether the answer differs from the oracle where a preactivation is exactly at a kink, so
   * that another convention there (a slope at $0$ other than the left one, which every oracle
   * takes) may explain it: the check is then inconclusive, not failed. Left out otherwise.
   */
  readonly conventionAtKink?: true;
  /** How many entries the oracle gave no finite number for, and did not judge. */
  readonly oracleOverflows: number;
}

/** The law $V^\top G V \ge 0$ for a convex loss, judged on the answer's Gauss–Newton product. */
export interface SemiDefiniteCheck {
  /** Always `semi-definite`. */
  readonly kind: "semi-definite";
  /** Always `gaussNewtonVectorProduct`. */
  readonly quantity: "gaussNewtonVectorProduct";
  /** Always `semi-definite`. */
  readonly oracle: "semi-definite";
  /** `passed` or `failed`. */
  readonly verdict: Verdict;
  /** Whether $V^\top (GV) \ge -\text{allowance}$. */
  readonly passed: boolean;
  /** $V^\top (GV)$ of the answer's $GV$. */
  readonly value: number;
  /** How far below $0$ rounding may take it: $10^{-11} \sum_i \lvert V_i\rvert \max(\lvert (GV)_i\rvert, \text{floor})$. */
  readonly allowance: number;
}

/** One check of a second-order report. */
export type SecondOrderCheck = EntryCheck | SemiDefiniteCheck;

/** A failing quantity that matches a known mistake. */
export interface MatchedMistake {
  /** The quantity. */
  readonly quantity: "hessianVectorProduct" | "gaussNewtonVectorProduct";
  /** The mistake's name. */
  readonly name: string;
  /** What the mistake does, in one line. */
  readonly summary: string;
}

/** What a second-order check found. */
export interface SecondOrderReport {
  /** Whose answer was checked. */
  readonly subject: "backprop-ref" | "supplied";
  /** Whether no check failed (an inconclusive check, which could not judge everything, counts as passed). */
  readonly passed: boolean;
  /** Whether a check was inconclusive. */
  readonly inconclusive: boolean;
  /** Every check, in the order of the table of {@link oracles/second-order-check | second-order-check}. */
  readonly checks: readonly SecondOrderCheck[];
  /** For each failing quantity that matches a known mistake, the mistake (at most one per quantity). */
  readonly mistakes: readonly MatchedMistake[];
  /** The preactivations exactly at a `relu` or `leaky_relu` kink, where every oracle takes the left piece. */
  readonly kinks: readonly KinkUnit[];
}

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
