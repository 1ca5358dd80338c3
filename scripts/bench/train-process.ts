/**
 * The bench's whole-process row: `backprop-ref train --dataset mnist` from start to exit against
 * a hand-written program that does the same work (scripts/bench/handwritten-train.ts), each a
 * child process timed by its wall clock, in alternating rounds on idle cores.
 *
 * Both children run the TypeScript sources under tsx (`node --import tsx`), so that they pay the
 * same start-up and need no build: the command is `src/cli/main.ts`, what `dist/cli/main.js`
 * is compiled from. The command's own one-thread run (`BACKPROP_REF_THREADS=1`) is timed beside
 * them, to show what the second thread does for the seed's one-digit-at-a-time steps.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ratio, type Section } from "./format.js";

/** One timed program of the row. */
export interface ProcessContender {
  /** What it is. */
  readonly name: string;
  /** The wall-clock seconds of each round, start to exit. */
  readonly seconds: readonly number[];
  /** Their median. */
  readonly medianSeconds: number;
  /** The test accuracy it printed last, as printed. */
  readonly accuracy: string;
}

/** The whole-process row: the settings and the three programs. */
export interface TrainProcessRow {
  readonly epochs: number;
  readonly rounds: number;
  /** The project's command (both cores allowed), its one-thread run, and the hand-written program. */
  readonly contenders: readonly ProcessContender[];
  /** The command's median over the hand-written program's. */
  readonly ratio: number;
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The programs: a name, the arguments after `node --import tsx`, the environment, and how to read its last test accuracy from what it printed. */
function programs(epochs: number): { name: string; args: string[]; env: NodeJS.ProcessEnv; accuracy: RegExp }[] {
  const command = ["src/cli/main.ts", "train", "--dataset", "mnist", "--epochs", String(epochs)];
  const accuracy = /held-out accuracy after \d+ epochs?: ([\d.]+ %)/;
  return [
    { name: `backprop-ref train --dataset mnist --epochs ${epochs}`, args: command, env: {}, accuracy },
    { name: "the same, BACKPROP_REF_THREADS=1", args: command, env: { BACKPROP_REF_THREADS: "1" }, accuracy },
    {
      name: "hand-written Float64Array program (scripts/bench/handwritten-train.ts)",
      args: ["scripts/bench/handwritten-train.ts", String(epochs)],
      env: {},
      accuracy: /test ([\d.]+ %)\n$/,
    },
  ];
}

/**
 * Times the three programs in `rounds` alternating rounds of `epochs` epochs each.
 *
 * @param epochs - epochs per run
 * @param rounds - runs of each program
 * @param log - where progress goes
 * @throws Error when a program fails or prints no accuracy
 */
export function trainProcessRow(epochs: number, rounds: number, log: (line: string) => void): TrainProcessRow {
  const runs = programs(epochs);
  const seconds = runs.map((): number[] => []);
  const accuracies = runs.map(() => "");
  for (let round = 1; round <= rounds; round++) {
    runs.forEach((program, index) => {
      log(`whole process, round ${round} of ${rounds}: ${program.name}`);
      const started = performance.now();
      const run = spawnSync(process.execPath, ["--import", "tsx", ...program.args], {
        cwd: root,
        env: { ...process.env, ...program.env },
        encoding: "utf8",
        maxBuffer: 1 << 24,
      });
      const elapsed = (performance.now() - started) / 1000;
      const printed = program.accuracy.exec(run.stdout ?? "");
      if (run.status !== 0 || printed === null) {
        throw new Error(`${program.name} failed (status ${run.status}): ${run.stderr || run.stdout}`);
      }
      seconds[index]!.push(elapsed);
      accuracies[index] = printed[1]!;
    });
  }
  const contenders = runs.map((program, index) => ({
    name: program.name,
    seconds: seconds[index]!,
    medianSeconds: median(seconds[index]!),
    accuracy: accuracies[index]!,
  }));
  return { epochs, rounds, contenders, ratio: contenders[0]!.medianSeconds / contenders[2]!.medianSeconds };
}

/** The median of a few numbers. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The whole-process table: each program's median and rounds in seconds, the accuracy it
 * printed, and its median over the hand-written program's.
 *
 * @param row - the measured row
 */
export function trainProcessSection(row: TrainProcessRow): Section {
  const yardstick = row.contenders[2]!.medianSeconds;
  return {
    title: `The whole process, start to exit: train on MNIST's 60,000 digits one at a time for ${row.epochs} epoch(s), measuring the training and test accuracy after each; seconds, median of ${row.rounds} alternating runs; × divides by the hand-written program`,
    header: ["program", "median", "runs", "test accuracy", "×"],
    rows: row.contenders.map((contender) => [
      contender.name,
      `${contender.medianSeconds.toFixed(1)} s`,
      contender.seconds.map((seconds) => seconds.toFixed(1)).join(", "),
      contender.accuracy,
      ratio(contender.medianSeconds / yardstick),
    ]),
    notes: [
      "Every program runs under tsx (node --import tsx), the command from src/cli/main.ts, and pays tsx's start-up. The hand-written program uses the bench's yardstick loops " +
        "(scripts/bench/handwritten.ts), reads the IDX files itself, measures its accuracies 64 digits at a time, and draws its own initial weights and order (so its accuracy differs a little).",
    ],
  };
}
