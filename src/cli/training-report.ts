/**
 * What `train` and `demo` print while and after they train: the progress bar, the history as a
 * table, and the test accuracy in one line.
 *
 * @module
 */
import cliProgress from "cli-progress";
import { table } from "../oracles/report.js";
import type { DatasetSplit } from "../training/dataset.js";
import { train, type EpochRecord, type TrainingResult } from "../training/train.js";

/**
 * The history as a table: epoch, mean loss, accuracies in percent, seconds and samples per second;
 * of a history longer than 20 epochs, every $k$-th epoch and the last. The held-out column is
 * headed `validation accuracy` when the epochs were measured on a validation set, else
 * `held-out accuracy` (the test set's). When the learning rate changes from epoch to epoch
 * (`--lr-decay`), a column `η` after the epoch gives each epoch's rate.
 *
 * @param history - one record per epoch
 */
export function historyTable(history: readonly EpochRecord[]): string {
  // A long history (XOR's thousands of epochs) shows about 20 rows: every k-th epoch and the last.
  const every = Math.ceil(history.length / 20);
  const shown = history.filter((record, index) => index % every === every - 1 || index === history.length - 1);
  const validation = history[0]?.validationAccuracy !== undefined;
  const decaying = history.some((record) => record.learningRate !== history[0]!.learningRate);
  return table(
    [
      "epoch",
      ...(decaying ? ["η"] : []),
      "loss",
      "train accuracy",
      validation ? "validation accuracy" : "held-out accuracy",
      "seconds",
      "samples/s",
    ],
    shown.map((record) => [
      String(record.epoch),
      ...(decaying ? [record.learningRate.toPrecision(4)] : []),
      record.loss.toPrecision(4),
      percent(record.trainAccuracy),
      percent((validation ? record.validationAccuracy : record.testAccuracy) ?? Number.NaN),
      record.seconds.toFixed(1),
      record.samplesPerSecond.toFixed(0),
    ]),
  );
}

/**
 * The test accuracy in one line: `held-out accuracy after 1 epoch: 93.99 % (9399 of 10000); training took 21.4 s` (the demo's),
 * or, when the epochs were measured on a validation set, `test accuracy after 10 epochs,
 * measured once, after the last (the epochs above were measured on the validation set): …`.
 *
 * @param result - the trained network's history and test accuracy
 * @param testSamples - how many samples the test set holds
 * @param seconds - how long the training steps took in all
 */
export function accuracyLine(result: TrainingResult, testSamples: number, seconds: number): string {
  const { testAccuracy, history } = result;
  const correct = Math.round(testAccuracy * testSamples);
  const what =
    result.measuredEachEpoch === "validation"
      ? `test accuracy after ${epochs(history.length)}, measured once, after the last (the epochs above were measured on the validation set)`
      : `held-out accuracy after ${epochs(history.length)}`;
  return `${what}: ${percent(testAccuracy)} (${correct} of ${testSamples}); training took ${seconds.toFixed(1)} s`;
}

function epochs(count: number): string {
  return `${count} ${count === 1 ? "epoch" : "epochs"}`;
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

/**
 * {@link training/train!train | train}, with a progress bar drawn on a terminal (epoch, samples
 * per second, running loss), or without one.
 *
 * @param network - the starting network
 * @param data - the training and held-out samples
 * @param options - the training options
 * @param terminal - where to draw the bar, or `null` for none
 */
export function trainWithBar(
  network: Parameters<typeof train>[0],
  data: DatasetSplit,
  options: Parameters<typeof train>[2],
  terminal: NodeJS.WriteStream | null,
): ReturnType<typeof train> {
  if (terminal === null) return train(network, data, options);
  const bar = new cliProgress.SingleBar(
    {
      stream: terminal,
      format: "epoch {epoch}/{epochs} {bar} {percentage}% | {speed} samples/s | loss {loss}",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let current = 0;
  try {
    return train(network, data, options, {
      progress: (progress) => {
        const payload = {
          epoch: progress.epoch,
          epochs: progress.epochs,
          speed: progress.samplesPerSecond.toFixed(0),
          loss: progress.runningLoss.toPrecision(4),
        };
        if (progress.epoch !== current) {
          if (current !== 0) bar.stop();
          current = progress.epoch;
          bar.start(progress.samples, progress.samplesDone, payload);
        } else {
          bar.update(progress.samplesDone, payload);
        }
        // Training runs synchronously, so the bar's timer never fires: draw by hand.
        bar.render();
      },
    });
  } finally {
    if (current !== 0) bar.stop();
  }
}
