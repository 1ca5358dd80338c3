/**
 * How hard the properties look: the number of runs of every property, 100 by default and
 * `FAST_CHECK_RUNS=10000` for a deep run (`npm run test:deep`). The cases they draw come from
 * `caseDocument` (src/conformance/case-arbitrary.ts).
 */

/** Runs per property: 100 by default, `FAST_CHECK_RUNS=10000` for a deep run. */
export const numRuns = readRuns(process.env.FAST_CHECK_RUNS);

/**
 * Whether this is a deep run (`FAST_CHECK_RUNS` of 1,000 or more). A test that repeats a whole
 * session with a child program for each item of a list, each deliberate mistake of an example
 * say, runs it for every item then, and for a few chosen ones in the default run, where the
 * rest are judged by laws that run in-process (and say which in their file's comment).
 */
export const deepRun = numRuns >= 1000;

/**
 * The items a test runs through: all of them in a deep run, else the chosen ones (which must be among them).
 *
 * @param all - every item
 * @param chosen - the items of the default run
 */
export function deepRunOr<T>(all: readonly T[], chosen: readonly NoInfer<T>[]): readonly T[] {
  for (const item of chosen) if (!all.includes(item)) throw new Error(`${String(item)} is not one of ${all.join(", ")}`);
  return deepRun ? all : all.filter((item) => chosen.includes(item));
}

function readRuns(text: string | undefined): number {
  if (text === undefined || text === "") return 100;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(`FAST_CHECK_RUNS must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return runs;
}
