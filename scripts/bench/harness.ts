/**
 * The timing harness of the benchmark: warm-up, interleaved rounds, medians and spreads.
 *
 * Contenders that are compared with each other are timed in the same rounds, round-robin: in
 * every round each contender runs for a fixed slice of time, in an order shuffled afresh each
 * round from a fixed seed. Whatever else the machine does during the run (another
 * process, a thermal limit, a frequency change) then falls on all of them alike, and the
 * ratio of their medians is what is left. One round gives one number per contender, the mean
 * time of one call over its slice; the result is the median of those numbers over the rounds,
 * with the interquartile range relative to the median as its spread.
 *
 * @module
 */
import { seededRandom } from "../../src/numeric/random.js";

/** One thing to time: a call to repeat, and what to do before its slices. */
export interface Timed {
  /** The name printed in the tables. */
  readonly name: string;
  /** One iteration: the work whose time is measured. Its result is kept so that it cannot be optimised away. */
  readonly run: () => unknown;
  /**
   * Called before each of the contender's slices, outside the timing: for example to switch
   * TensorFlow.js to the contender's backend.
   */
  readonly enter?: () => Promise<void> | void;
}

/** How long to warm up and how many rounds of which length to time. */
export interface HarnessOptions {
  /** Milliseconds each contender runs, untimed, before the first round (long enough for the optimising compiler). */
  readonly warmupMilliseconds: number;
  /** Milliseconds each contender runs per round; a slice always holds at least one call. */
  readonly sliceMilliseconds: number;
  /** The number of rounds. */
  readonly rounds: number;
}

/** What the harness measured for one contender. */
export interface Timing {
  /** The contender's name. */
  readonly name: string;
  /** The median over rounds of the mean time of one call in the round, in milliseconds. */
  readonly medianMilliseconds: number;
  /** The interquartile range of the per-round times divided by their median. */
  readonly relativeSpread: number;
  /** The number of calls timed over all rounds. */
  readonly iterations: number;
  /** The per-round times, in milliseconds, in the order of the rounds. */
  readonly rounds: readonly number[];
}

/** The result of a call that the harness keeps, so that no call can be dropped as dead code. */
let sink: unknown;

/**
 * Times contenders in interleaved rounds (see the module comment).
 *
 * Before every slice the young generation is collected if `global.gc` is exposed, so that no
 * contender pays in its own slice for the short-lived garbage another one left behind. Only
 * the young generation: after a forced full collection V8 threw away optimised code of
 * TensorFlow.js (dozens of deoptimisations per slice under `--trace-deopt`, none with a
 * scavenge), which then ran unoptimised until it was compiled again, two to three times slower.
 *
 * @param contenders - the things to time, compared with each other
 * @param options - warm-up, slice length and rounds
 * @returns one timing per contender, in the order given
 */
export async function timeInterleaved(contenders: readonly Timed[], options: HarnessOptions): Promise<Timing[]> {
  for (const contender of contenders) {
    await contender.enter?.();
    runFor(contender.run, options.warmupMilliseconds);
  }
  const perRound = contenders.map((): number[] => []);
  const iterations = contenders.map(() => 0);
  // A fresh order every round, shuffled from a fixed seed, so that no contender always follows
  // the same neighbour (whose data it would find in the caches, or whose garbage it would pay for).
  const random = seededRandom(1);
  const order = contenders.map((_, index) => index);
  for (let round = 0; round < options.rounds; round++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const contender = contenders[index]!;
      await contender.enter?.();
      collectYoungGarbage();
      const { milliseconds, calls } = runFor(contender.run, options.sliceMilliseconds);
      perRound[index]!.push(milliseconds / calls);
      iterations[index]! += calls;
    }
  }
  return contenders.map((contender, index) => ({
    name: contender.name,
    medianMilliseconds: median(perRound[index]!),
    relativeSpread: interquartileRange(perRound[index]!) / median(perRound[index]!),
    iterations: iterations[index]!,
    rounds: perRound[index]!,
  }));
}

/**
 * Calls `run` until at least `milliseconds` have passed (and at least once).
 *
 * @returns the time taken and the number of calls
 */
export function runFor(run: () => unknown, milliseconds: number): { milliseconds: number; calls: number } {
  const started = performance.now();
  let now: number;
  let calls = 0;
  do {
    sink = run();
    calls++;
    now = performance.now();
  } while (now - started < milliseconds);
  return { milliseconds: now - started, calls };
}

/** Whether `global.gc` is available (Node started with `--expose-gc`). */
export function garbageCollectorExposed(): boolean {
  return typeof globalThis.gc === "function";
}

/** A full garbage collection if `global.gc` is exposed; nothing otherwise. */
export function collectGarbage(): void {
  if (typeof globalThis.gc === "function") globalThis.gc();
}

/** A collection of the young generation (a scavenge) if `global.gc` is exposed; nothing otherwise. */
export function collectYoungGarbage(): void {
  if (typeof globalThis.gc === "function") globalThis.gc({ type: "minor" });
}

/**
 * The median of some numbers (the mean of the middle two for an even count).
 *
 * @param values - at least one number
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The interquartile range, the distance between the first and the third quartile.
 *
 * @param values - at least one number
 */
export function interquartileRange(values: readonly number[]): number {
  return quantile(values, 0.75) - quantile(values, 0.25);
}

/**
 * A quantile by linear interpolation between the closest ranks (the definition of R's and
 * NumPy's default).
 *
 * @param values - at least one number
 * @param fraction - in $[0, 1]$
 */
export function quantile(values: readonly number[], fraction: number): number {
  if (values.length === 0) throw new Error("a quantile of no numbers");
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * The result the harness keeps from the last call; reading it is the other half of keeping
 * the calls alive.
 */
export function lastResult(): unknown {
  return sink;
}
