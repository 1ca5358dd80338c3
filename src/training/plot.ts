/**
 * A plot of a training history as a small SVG document: the mean loss per epoch on the left,
 * the training and held-out accuracy per epoch on the right (the held-out set is the
 * validation set when training measured one, else the test set, and the legend says which). Written by hand, with no
 * dependency, so that it opens in any browser.
 *
 * @module
 */
import { ValueError } from "../numeric/errors.js";
import type { EpochRecord } from "./train.js";

const panelWidth = 360;
const panelHeight = 240;
const margin = { left: 56, right: 16, top: 36, bottom: 40 };

/**
 * The SVG text of a history's loss and accuracy curves.
 *
 * @param history - one record per epoch, at least one
 * @param title - a line above the plots, such as the setting that trained the network; it is
 *   broken into lines at each `; `
 */
export function historyPlot(history: readonly EpochRecord[], title: string): string {
  const epochs = history.map((record) => record.epoch);
  const loss = panel(0, "mean loss", epochs, [{ name: "loss", color: "#b03a2e", values: history.map((record) => record.loss) }], false);
  const accuracy = panel(
    panelWidth,
    "accuracy (%)",
    epochs,
    [{ name: "train", color: "#1f618d", values: history.map((record) => 100 * record.trainAccuracy) }, heldOutSeries(history)],
    true,
  );
  const width = 2 * panelWidth;
  const titleLines = title.split("; ");
  const titleHeight = 8 + 15 * titleLines.length;
  const height = panelHeight + titleHeight;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...titleLines.map(
      (line, index) => `<text x="${width / 2}" y="${16 + 15 * index}" text-anchor="middle" font-size="12">${escape(line)}</text>`,
    ),
    `<g transform="translate(0, ${titleHeight})">`,
    loss,
    accuracy,
    `</g>`,
    `</svg>`,
    "",
  ].join("\n");
}

/** The held-out accuracy of each epoch: the validation set's when the records hold it, else the test set's. */
function heldOutSeries(history: readonly EpochRecord[]): Series {
  const field = history[0]!.validationAccuracy === undefined ? "testAccuracy" : "validationAccuracy";
  const values = history.map((record, index) => {
    const value = record[field];
    if (value === undefined)
      throw new ValueError(`history[${index}] has no ${field}, expected every epoch measured on the same held-out set`);
    return 100 * value;
  });
  return { name: field === "validationAccuracy" ? "validation" : "held out", color: "#229954", values };
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

function panel(left: number, label: string, epochs: readonly number[], series: readonly Series[], legend: boolean): string {
  const values = series.flatMap((line) => line.values);
  let [low, high] = [Math.min(...values), Math.max(...values)];
  if (low === high) [low, high] = [low - 1, high + 1];
  const [first, last] = [epochs[0]!, epochs[epochs.length - 1]!];
  const plotWidth = panelWidth - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  const x = (epoch: number) => left + margin.left + (last === first ? plotWidth / 2 : ((epoch - first) / (last - first)) * plotWidth);
  const y = (value: number) => margin.top + plotHeight - ((value - low) / (high - low)) * plotHeight;
  const parts = [
    `<text x="${left + margin.left}" y="${margin.top - 12}">${escape(label)}</text>`,
    `<rect x="${left + margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const value = low + ((high - low) * tick) / 4;
    parts.push(`<text x="${left + margin.left - 4}" y="${y(value) + 4}" text-anchor="end">${number(value)}</text>`);
  }
  const step = Math.max(1, Math.ceil(epochs.length / 8));
  epochs.forEach((epoch, index) => {
    if (index % step === 0 || index === epochs.length - 1) {
      parts.push(`<text x="${x(epoch)}" y="${margin.top + plotHeight + 14}" text-anchor="middle">${epoch}</text>`);
    }
  });
  parts.push(`<text x="${left + margin.left + plotWidth / 2}" y="${margin.top + plotHeight + 30}" text-anchor="middle">epoch</text>`);
  series.forEach((line, index) => {
    const points = line.values.map((value, i) => `${x(epochs[i]!).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${line.color}" stroke-width="2"/>`);
    line.values.forEach((value, i) =>
      parts.push(`<circle cx="${x(epochs[i]!).toFixed(1)}" cy="${y(value).toFixed(1)}" r="2.5" fill="${line.color}"/>`),
    );
    if (legend) {
      const legendY = margin.top + plotHeight - 10 - 14 * (series.length - 1 - index);
      parts.push(
        `<text x="${left + margin.left + plotWidth - 6}" y="${legendY}" text-anchor="end" fill="${line.color}">${escape(line.name)}</text>`,
      );
    }
  });
  return parts.join("\n");
}

function number(value: number): string {
  return Math.abs(value) >= 10 ? value.toFixed(1) : Math.abs(value) >= 0.1 ? value.toFixed(2) : value.toPrecision(2);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
