/**
 * The deep check: every oracle over at least 100,000 random cases of the property suite's
 * generator, with relu kinks allowed, and a table of what each found.
 *
 *   npm run check:deep                 (100,000 cases on 2 worker threads)
 *   npm run check:deep -- 5000         (fewer cases, for a quick look)
 *   npm run check:deep -- 100000 --write   (also writes the table into docs/gradient-checking.md)
 *
 * For each method: how many cases and entries (or directions, or steps) it judged, the worst
 * and the median of the per-case worst relative errors (over the cases where it judged
 * anything), how many entries it skipped because a step crossed a relu kink, how many cases
 * failed, and the time; for the Taylor test the smallest and the median fitted slope and how
 * many cases were inconclusive. It exits 1 if any case failed. The cases come from the
 * property suite's generator with the kink filter off, so relu preactivations at or near 0
 * (common: fast-check favours zeros) exercise the kink detection.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { parseCase } from "../src/conformance/case-format.js";
import { formatJson } from "../src/numeric/json.js";
import { type CheckMethod, checkMethods, runChecks } from "../src/oracles/check.js";
import { table } from "../src/oracles/report.js";
import { caseDocument } from "../src/conformance/case-arbitrary.js";

/** What one worker found for one method. */
interface MethodTally {
  cases: number;
  judged: number;
  kinksSkipped: number;
  failures: number;
  inconclusive: number;
  worstPerCase: number[];
  seconds: number;
  firstFailure: string | null;
}

const baseSeed = 20261127;

function tallyCases(seed: number, count: number): Record<CheckMethod, MethodTally> {
  const tallies = Object.fromEntries(
    checkMethods.map((method) => [
      method,
      { cases: 0, judged: 0, kinksSkipped: 0, failures: 0, inconclusive: 0, worstPerCase: [], seconds: 0, firstFailure: null },
    ]),
  ) as unknown as Record<CheckMethod, MethodTally>;
  const documents = fc.sample(caseDocument({ awayFromKinks: false }), { numRuns: count, seed });
  for (const document of documents) {
    const problem = parseCase(document);
    for (const method of checkMethods) {
      const started = performance.now();
      const [report] = runChecks(problem, [method]).reports;
      const tally = tallies[method];
      tally.seconds += (performance.now() - started) / 1000;
      tally.cases++;
      if (!report!.passed && tally.firstFailure === null) tally.firstFailure = formatJson(document);
      if (!report!.passed) tally.failures++;
      switch (report!.method) {
        case "directional": {
          const judged = report!.results.filter((result) => !result.kinkCrossed).length;
          tally.judged += judged;
          tally.kinksSkipped += report!.results.length - judged;
          if (judged > 0) tally.worstPerCase.push(report!.maxRelativeError);
          break;
        }
        case "taylor":
          if (report!.verdict === "inconclusive") tally.inconclusive++;
          else tally.worstPerCase.push(report!.slope);
          tally.judged += report!.steps.filter((step) => step.used).length;
          tally.kinksSkipped += report!.reason.includes("kink") ? 1 : 0;
          break;
        default:
          tally.judged += report!.entries.length - report!.kinkCrossings;
          tally.kinksSkipped += report!.kinkCrossings;
          if (report!.worst !== null) tally.worstPerCase.push(report!.maxRelativeError);
      }
    }
  }
  return tallies;
}

if (!isMainThread) {
  const { seed, count } = workerData as { seed: number; count: number };
  parentPort!.postMessage(tallyCases(seed, count));
} else {
  const cases = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 100_000);
  const threads = Math.max(1, Math.min(availableParallelism(), 8));
  const started = performance.now();
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, index) => {
      const count = Math.floor(cases / threads) + (index < cases % threads ? 1 : 0);
      return new Promise<Record<CheckMethod, MethodTally>>((resolve, reject) => {
        // A worker starts without tsx's loader, so it registers it before importing this file.
        const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
        const worker = new Worker(bootstrap, { eval: true, workerData: { seed: baseSeed + index, count } });
        worker.once("message", resolve);
        worker.once("error", reject);
      });
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const merged = checkMethods.map((method) => {
    const tallies = parts.map((part) => part[method]);
    const worstPerCase = tallies.flatMap((tally) => tally.worstPerCase).sort((a, b) => a - b);
    return {
      method,
      cases: tallies.reduce((sum, tally) => sum + tally.cases, 0),
      judged: tallies.reduce((sum, tally) => sum + tally.judged, 0),
      kinksSkipped: tallies.reduce((sum, tally) => sum + tally.kinksSkipped, 0),
      failures: tallies.reduce((sum, tally) => sum + tally.failures, 0),
      inconclusive: tallies.reduce((sum, tally) => sum + tally.inconclusive, 0),
      seconds: tallies.reduce((sum, tally) => sum + tally.seconds, 0),
      worstPerCase,
      firstFailure: tallies.find((tally) => tally.firstFailure !== null)?.firstFailure ?? null,
    };
  });
  const median = (values: readonly number[]) => (values.length === 0 ? Number.NaN : values[Math.floor(values.length / 2)]!);
  const rows = merged.map((row) =>
    row.method === "taylor"
      ? [
          row.method,
          row.cases.toLocaleString("en-US"),
          `${row.judged.toLocaleString("en-US")} steps`,
          `slope ≥ ${(row.worstPerCase[0] ?? Number.NaN).toFixed(2)}`,
          `slope ${median(row.worstPerCase).toFixed(2)}`,
          `${row.kinksSkipped} cases, ${row.inconclusive} inconclusive`,
          String(row.failures),
          `${row.seconds.toFixed(0)} s`,
        ]
      : [
          row.method,
          row.cases.toLocaleString("en-US"),
          `${row.judged.toLocaleString("en-US")} ${row.method === "directional" ? "directions" : "entries"}`,
          (row.worstPerCase.at(-1) ?? Number.NaN).toExponential(2),
          median(row.worstPerCase).toExponential(2),
          `${row.kinksSkipped.toLocaleString("en-US")} ${row.method === "directional" ? "directions" : "entries"}`,
          String(row.failures),
          `${row.seconds.toFixed(0)} s`,
        ],
  );
  const header = ["method", "cases", "judged", "worst", "median of per-case worst", "kinks skipped", "failed cases", "time"];
  console.log(table(header, rows));
  console.log(
    `\n${cases.toLocaleString("en-US")} cases on ${threads} threads in ${wall.toFixed(0)} s of wall time (times above are per method, summed over threads)`,
  );
  for (const row of merged) if (row.firstFailure !== null) console.log(`\nfirst failing case for ${row.method}:\n${row.firstFailure}`);
  if (process.argv.includes("--write")) {
    const markdown = [
      `| ${header.join(" | ")} |`,
      `| ${header.map(() => "---").join(" | ")} |`,
      ...rows.map((row) => `| ${row.join(" | ")} |`),
    ].join("\n");
    const path = new URL("../docs/gradient-checking.md", import.meta.url);
    const page = readFileSync(path, "utf8");
    const start = "<!-- check-deep:start -->";
    const end = "<!-- check-deep:end -->";
    if (!page.includes(start) || !page.includes(end)) throw new Error(`docs/gradient-checking.md has no ${start} … ${end} block`);
    const block = `${start}\n${markdown}\n\n${cases.toLocaleString("en-US")} cases (seeds ${baseSeed} to ${baseSeed + threads - 1}) on ${threads} threads, ${wall.toFixed(0)} s of wall time, ${new Date().toISOString().slice(0, 10)}.\n${end}`;
    writeFileSync(path, page.slice(0, page.indexOf(start)) + block + page.slice(page.indexOf(end) + end.length));
    console.log("wrote the table into docs/gradient-checking.md");
  }
  process.exitCode = merged.some((row) => row.failures > 0) ? 1 : 0;
}
