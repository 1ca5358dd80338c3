/**
 * How hard the properties look: the number of runs of every property, 100 by default and
 * `FAST_CHECK_RUNS=10000` for a deep run (`npm run test:deep`). The cases they draw come from
 * `caseDocument` (src/conformance/case-arbitrary.ts).
 */

/** Runs per property: 100 by default, `FAST_CHECK_RUNS=10000` for a deep run. */
export const numRuns = readRuns(process.env.FAST_CHECK_RUNS);

function readRuns(text: string | undefined): number {
  if (text === undefined || text === "") return 100;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(`FAST_CHECK_RUNS must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return runs;
}
