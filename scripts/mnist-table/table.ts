/**
 * The MNIST table's record and page: what `npm run reproduce:mnist` measured for each row
 * (`docs/mnist-table.json`, format `backprop-ref/mnist-table@1`), and the section of
 * `docs/training.md` between its markers that shows it, written from the record alone, so that
 * a test can tell when the committed page and chart no longer match the committed record.
 *
 * @module
 */
import { tableChart } from "./chart.js";
import { rowCommand, tableRows } from "./rows.js";

/** The format of the record. */
export const tableFormat = "backprop-ref/mnist-table@1";

/** The paths of the record, the chart and the page, from the repository's root. */
export const tableFiles = { record: "docs/mnist-table.json", chart: "docs/mnist-table.svg", page: "docs/training.md" } as const;

/** The markers around the section of the page that the table fills. */
export const tableMarkers = { start: "<!-- mnist-table:start -->", end: "<!-- mnist-table:end -->" } as const;

/** What one row measured. */
export interface RowRecord {
  /** The row's number. */
  readonly row: number;
  /** The command that ran, as the page shows it. */
  readonly command: string;
  /** The seed of the initial weights and the shuffles. */
  readonly seed: number;
  /** The epochs trained. */
  readonly epochs: number;
  /** The digits trained on. */
  readonly trainingSamples: number;
  /** The digits held out for validation (0 for none). */
  readonly validationSamples: number;
  /** The test digits. */
  readonly testSamples: number;
  /** The test digits the trained network misclassifies. */
  readonly testMistakes: number;
  /** `testMistakes / testSamples`. */
  readonly testError: number;
  /** The validation accuracy after the last epoch, or `null` without a validation set. */
  readonly lastValidationAccuracy: number | null;
  /** The seconds of the training steps (not of the measurements after each epoch). */
  readonly trainingSeconds: number;
  /** The seconds of the whole process, start to exit. */
  readonly processSeconds: number;
  /** When it finished, as an ISO 8601 date and time. */
  readonly measured: string;
  /** The machine: its cores and Node.js. */
  readonly machine: string;
}

/** The record's document. */
export interface TableRecord {
  /** {@link tableFormat}. */
  readonly format: typeof tableFormat;
  /** One record per row that has run, in the rows' order. */
  readonly rows: readonly RowRecord[];
}

/** Minutes and seconds: `58 s`, `12 min 05 s`. */
export function duration(seconds: number): string {
  const rounded = Math.round(seconds);
  return rounded < 60 ? `${rounded} s` : `${Math.floor(rounded / 60)} min ${String(rounded % 60).padStart(2, "0")} s`;
}

/** A fraction as a percentage with two decimals: on 10,000 test digits, exactly one digit per 0.01 %. */
export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

/**
 * The section of the page, markers included: one line per row of `tableRows`,
 * with what the record measured for it (or "not run yet"), the machines and days of the
 * measurements, and the chart.
 *
 * @param records - the record's rows
 */
export function tableMarkdown(records: readonly RowRecord[]): string {
  const byRow = new Map(records.map((record) => [record.row, record]));
  const lines = [
    tableMarkers.start,
    "",
    "| row | architecture and loss | published test error | source | backprop-ref test error | epochs | training time | command |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of tableRows) {
    const record = byRow.get(row.row);
    const measured =
      record === undefined ? "not run yet" : `${percent(record.testError)} (${record.testMistakes} of ${record.testSamples})`;
    const epochs = record === undefined ? "" : String(record.epochs);
    const time = record === undefined ? "" : duration(record.trainingSeconds);
    lines.push(
      `| ${row.row} | ${row.architecture} | ${row.published} | ${row.source} | ${measured} | ${epochs} | ${time} | \`${rowCommand(row)}\` |`,
    );
  }
  const machines = [...new Set(records.map((record) => `${record.machine}, ${record.measured.slice(0, 10)}`))];
  lines.push(
    "",
    `Measured on ${machines.join("; ") || "no machine yet"}.`,
    "",
    "![The MNIST table as a chart: for each row the published test error beside the one measured here](mnist-table.svg)",
    "",
    tableMarkers.end,
  );
  return lines.join("\n");
}

/**
 * The page with its section replaced by {@link tableMarkdown}.
 *
 * @param page - the text of `docs/training.md`
 * @param records - the record's rows
 * @throws Error when the page has no section between the markers
 */
export function pageWithTable(page: string, records: readonly RowRecord[]): string {
  const start = page.indexOf(tableMarkers.start);
  const end = page.indexOf(tableMarkers.end);
  if (start < 0 || end < start) throw new Error(`${tableFiles.page} has no ${tableMarkers.start} … ${tableMarkers.end} section to rewrite`);
  return `${page.slice(0, start)}${tableMarkdown(records)}${page.slice(end + tableMarkers.end.length)}`;
}

/** The chart of the record: `tableChart` of every row and what was measured. */
export function recordChart(records: readonly RowRecord[]): string {
  return tableChart(
    tableRows,
    records.map((record) => ({ row: record.row, testError: record.testError })),
  );
}
