import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commonOptions, optionValue, rowCommand, tableRows } from "../../scripts/mnist-table/rows.js";
import { pageWithTable, recordChart, tableFiles, tableFormat, type TableRecord } from "../../scripts/mnist-table/table.js";

const root = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const record = JSON.parse(read(tableFiles.record)) as TableRecord;

describe("the MNIST table of docs/training.md", () => {
  it("the committed page and chart show what the committed record measured (else run npm run reproduce:mnist -- --write)", () => {
    expect(record.format).toBe(tableFormat);
    const page = read(tableFiles.page);
    expect(page, `${tableFiles.page}'s table differs from ${tableFiles.record}`).toBe(pageWithTable(page, record.rows));
    expect(read(tableFiles.chart), `${tableFiles.chart} differs from ${tableFiles.record}`).toBe(recordChart(record.rows));
  });

  it("every recorded row ran the command its row gives today, on the standard split, and its error is its mistakes over the test digits", () => {
    for (const measured of record.rows) {
      const row = tableRows.find((candidate) => candidate.row === measured.row);
      expect(row, `the record's row ${measured.row}`).toBeDefined();
      expect(measured.command, `row ${measured.row}'s command`).toBe(rowCommand(row!));
      expect(measured.seed).toBe(Number(commonOptions[commonOptions.indexOf("--seed") + 1]));
      expect(measured.epochs).toBe(Number(optionValue(row!, "--epochs")));
      const validation = row!.options.includes("--validation") ? Number(optionValue(row!, "--validation")) : 0;
      expect([measured.trainingSamples, measured.validationSamples, measured.testSamples]).toStrictEqual([60000 - validation, validation, 10000]);
      expect(Number.isInteger(measured.testMistakes)).toBe(true);
      expect(measured.testError).toBe(measured.testMistakes / measured.testSamples);
      expect(measured.lastValidationAccuracy === null).toBe(validation === 0);
    }
  });

  it("the rows are numbered 1, 2, … in order, each with a distinct command", () => {
    expect(tableRows.map((row) => row.row)).toStrictEqual(tableRows.map((_, index) => index + 1));
    expect(new Set(tableRows.map(rowCommand)).size).toBe(tableRows.length);
  });
});
