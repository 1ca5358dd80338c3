/**
 * Reruns the papers' MNIST table (issue 15; the rows are in scripts/mnist-table/rows.ts) with
 * `backprop-ref train` on the standard split, one row after another, each in a process of its
 * own running exactly the command the documentation shows, and records what each measured.
 *
 *   npm run reproduce:mnist                     (every row, one after another: about an hour of one core here, 57 min in the record)
 *   npm run reproduce:mnist -- --rows 7,8       (only those rows; the others keep their record)
 *   npm run reproduce:mnist -- --quick          (each row on 1,000 digits for one epoch: a smoke test; nothing is recorded)
 *   npm run reproduce:mnist -- --write          (also rewrites the table in docs/training.md and docs/mnist-table.svg)
 *   npm run reproduce:mnist -- --page           (trains nothing: rewrites the table and the chart from the record)
 *
 * Two runs of other rows may go at the same time, one per core: each reads the record again
 * before it writes a row.
 *
 * The record is docs/mnist-table.json: for each row its command, its seed, its epochs, the
 * seconds of training and of the whole process, the test error, the last validation accuracy,
 * the split's sizes, the day and the machine. While it runs, a progress bar shows the rows done
 * and an estimate of the time left: the time per weight, sample and epoch of the rows finished
 * so far (or of the last record, before the first) times what is left.
 *
 * Nothing here runs in `npm test`: a row takes minutes.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { saveAtomically } from "../src/cli/save.js";
import { commonOptions, optionValue, rowCommand, tableRows, weightCount, type TableRow } from "./mnist-table/rows.js";
import {
  duration,
  pageWithTable,
  percent,
  recordChart,
  type RowRecord,
  tableFiles,
  tableFormat,
  tableMarkdown,
  type TableRecord,
} from "./mnist-table/table.js";

const root = join(import.meta.dirname, "..");
const recordPath = join(root, tableFiles.record);
const chartPath = join(root, tableFiles.chart);
const pagePath = join(root, tableFiles.page);

/** The part of `train --json`'s history this script reads. */
interface TrainHistory {
  readonly trainingSamples: number;
  readonly validationSamples: number;
  readonly testSamples: number;
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly history: readonly { readonly validationAccuracy?: number }[];
}

/** Runs `backprop-ref train` with a row's options and `--json`; resolves with its history and the process's seconds. */
function runRow(options: readonly string[]): Promise<{ history: TrainHistory; processSeconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, "dist", "cli", "main.js"), "train", ...options, "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      if (status !== 0) {
        reject(new Error(`backprop-ref train ${options.join(" ")} exited with ${status}:\n${stderr}`));
        return;
      }
      resolve({ history: JSON.parse(stdout) as TrainHistory, processSeconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The work of a row, in weights × samples × epochs: what its time is taken to be proportional to. */
function work(row: TableRow, quick: boolean): number {
  const samples = quick ? 1000 : row.options.includes("--validation") ? 60000 - Number(optionValue(row, "--validation")) : 60000;
  return weightCount(row) * samples * (quick ? 1 : Number(optionValue(row, "--epochs")));
}

/** The options a row runs with: its own, or, with `--quick`, on the first 1,000 digits for one epoch. */
function runOptions(row: TableRow, quick: boolean): string[] {
  const options = [...commonOptions, ...row.options];
  if (!quick) return options;
  const epochs = options.indexOf("--epochs");
  options[epochs + 1] = "1";
  return [...options, "--train-size", "1000"];
}

/** The rows that `--rows` names, or all of them. */
function chosenRows(argument: string | undefined): readonly TableRow[] {
  if (argument === undefined) return tableRows;
  const numbers = argument.split(",").map((text) => Number(text.trim()));
  for (const number of numbers) {
    if (!tableRows.some((row) => row.row === number)) {
      throw new Error(`--rows takes row numbers from 1 to ${tableRows.length}, separated by commas, got ${JSON.stringify(argument)}`);
    }
  }
  return tableRows.filter((row) => numbers.includes(row.row));
}

/** The rows of the record as the file holds them now. */
function readRecord(): readonly RowRecord[] {
  return existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, "utf8")) as TableRecord).rows : [];
}

const args = process.argv.slice(2);
const rowsIndex = args.indexOf("--rows");
const unknown = args.filter(
  (arg, index) => !["--quick", "--write", "--page", "--rows"].includes(arg) && (rowsIndex < 0 || index !== rowsIndex + 1),
);
if (unknown.length > 0 || (rowsIndex >= 0 && rowsIndex + 1 >= args.length)) {
  console.error(`reproduce-mnist takes --rows <list>, --quick, --write and --page, got ${JSON.stringify(args.join(" "))}`);
  process.exit(2);
}
const quick = args.includes("--quick");
const page = args.includes("--page");
const write = args.includes("--write") || page;
const rows = page ? [] : chosenRows(rowsIndex < 0 ? undefined : args[rowsIndex + 1]);
const previous = readRecord();
const records = new Map(previous.map((record) => [record.row, record]));
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown"}), Node.js ${process.version.slice(1)}`;

// Seconds per unit of work: from the rows finished in this run, or the record's until then.
const recorded = previous.filter((record) => tableRows.some((row) => row.row === record.row));
let doneWork = recorded.reduce(
  (sum, record) =>
    sum +
    work(
      tableRows.find((row) => row.row === record.row)!,
      false,
    ),
  0,
);
let doneSeconds = recorded.reduce((sum, record) => sum + record.processSeconds, 0);
const totalWork = rows.reduce((sum, row) => sum + work(row, quick), 0);
const bar = new cliProgress.SingleBar(
  { format: "row {row} {bar} {percentage}% | {done}/{rows} rows | {left}", hideCursor: true, barsize: 30, stream: process.stderr },
  cliProgress.Presets.shades_classic,
);
bar.start(totalWork, 0, { row: rows[0]?.row ?? "-", done: 0, rows: rows.length, left: "estimating the time left" });
let finishedWork = 0;
for (const [index, row] of rows.entries()) {
  const rowWork = work(row, quick);
  const rate = doneWork > 0 ? doneSeconds / doneWork : null;
  const started = performance.now();
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    const within = rate === null ? 0 : Math.min(rowWork * 0.99, elapsed / rate);
    const left =
      rate === null ? "estimating the time left" : `about ${duration(Math.max(0, (totalWork - finishedWork) * rate - elapsed))} left`;
    bar.update(finishedWork + within, { row: row.row, done: index, left });
  }, 1000);
  try {
    const { history, processSeconds } = await runRow(runOptions(row, quick));
    finishedWork += rowWork;
    doneWork += rowWork;
    doneSeconds += processSeconds;
    if (!quick) {
      const last = history.history[history.history.length - 1];
      const testMistakes = Math.round((1 - history.testAccuracy) * history.testSamples);
      records.set(row.row, {
        row: row.row,
        command: rowCommand(row),
        seed: Number(commonOptions[commonOptions.indexOf("--seed") + 1]),
        epochs: history.history.length,
        trainingSamples: history.trainingSamples,
        validationSamples: history.validationSamples,
        testSamples: history.testSamples,
        testMistakes,
        testError: testMistakes / history.testSamples,
        lastValidationAccuracy: last?.validationAccuracy ?? null,
        trainingSeconds: history.seconds,
        processSeconds,
        measured: new Date().toISOString(),
        machine,
      });
      // Written after every row, so that a run stopped halfway keeps what it measured, and read
      // again first, so that runs of other rows at the same time (one per core) keep theirs.
      for (const record of readRecord()) if (!rows.some((chosen) => chosen.row === record.row)) records.set(record.row, record);
      const ordered = [...records.values()].sort((a, b) => a.row - b.row);
      await saveAtomically(recordPath, `${JSON.stringify({ format: tableFormat, rows: ordered } satisfies TableRecord, null, 2)}\n`);
    }
    process.stderr.write(`\nrow ${row.row}: test error ${percent(1 - history.testAccuracy)} in ${duration(processSeconds)}\n`);
  } finally {
    clearInterval(ticker);
  }
}
bar.update(totalWork, { row: "-", done: rows.length, left: "done" });
bar.stop();

// The file, not this run's map: it also holds what runs of other rows wrote meanwhile.
const measured = readRecord();
if (write && !quick) {
  await saveAtomically(pagePath, pageWithTable(readFileSync(pagePath, "utf8"), measured));
  await saveAtomically(chartPath, recordChart(measured));
  console.log(`wrote the table into ${pagePath} and the chart to ${chartPath}`);
} else {
  console.log(tableMarkdown(measured));
}
