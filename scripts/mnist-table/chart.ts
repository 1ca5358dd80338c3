/**
 * The MNIST table as a chart: for each row, the published test error beside the one measured
 * here, as two bars, in an SVG document written by hand (like `src/training/plot.ts`), so that
 * it opens in any browser and in the documentation site.
 *
 * @module
 */
import type { TableRow } from "./rows.js";

/** What one row measured, as far as the chart needs it. */
export interface MeasuredError {
  /** The row's number. */
  readonly row: number;
  /** The test error measured here, as a fraction. */
  readonly testError: number;
}

const rowHeight = 34;
const barHeight = 12;
const left = 250;
const right = 70;
const width = 760;
const top = 44;
const colors = { published: "#7f8c8d", measured: "#1f618d" };

/** Escapes the characters that XML gives a meaning to. */
function xml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The SVG text of the chart.
 *
 * @param rows - the table's rows, in order
 * @param measured - the errors measured, one per row that has run (rows without one show the published bar only)
 */
export function tableChart(rows: readonly TableRow[], measured: readonly MeasuredError[]): string {
  const byRow = new Map(measured.map((entry) => [entry.row, entry.testError]));
  const largest = Math.max(0.01, ...rows.map((row) => row.publishedError ?? 0), ...measured.map((entry) => entry.testError));
  const scale = (width - left - right) / largest;
  const height = top + rows.length * rowHeight + 30;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">MNIST test error, standard 10,000 test digits (%)</text>`,
    `<rect x="${left}" y="26" width="12" height="10" fill="${colors.published}"/><text x="${left + 16}" y="35">published</text>`,
    `<rect x="${left + 100}" y="26" width="12" height="10" fill="${colors.measured}"/><text x="${left + 116}" y="35">backprop-ref</text>`,
  ];
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    lines.push(
      `<text x="${left - 8}" y="${y + barHeight + 4}" text-anchor="end">${xml(`${row.row}. ${row.architecture.split(",")[0]!}, ${row.source.split(",")[0]!}`)}</text>`,
    );
    if (row.publishedError !== null) {
      const length = row.publishedError * scale;
      lines.push(`<rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${colors.published}"/>`);
      lines.push(`<text x="${(left + length + 4).toFixed(1)}" y="${y + barHeight - 2}">${(100 * row.publishedError).toFixed(2)}</text>`);
    }
    const error = byRow.get(row.row);
    if (error !== undefined) {
      const length = error * scale;
      lines.push(
        `<rect x="${left}" y="${y + barHeight + 2}" width="${length.toFixed(1)}" height="${barHeight}" fill="${colors.measured}"/>`,
      );
      lines.push(`<text x="${(left + length + 4).toFixed(1)}" y="${y + 2 * barHeight}">${(100 * error).toFixed(2)}</text>`);
    }
  });
  lines.push("</svg>", "");
  return lines.join("\n");
}
