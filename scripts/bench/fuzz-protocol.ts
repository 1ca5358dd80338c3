/**
 * The speed of `fuzz`: cases per second through the JSON Lines protocol against a child that
 * answers at once, beside the same run in process (the engine's own cost: drawing, the
 * reference, judging), and the time to find and shrink a broken example's mistake.
 *
 * The child is the reference itself in JavaScript (spec/support/children/reference.ts, run
 * with tsx), whose own work per case is the same `caseResult` the engine computes to judge it:
 * so the difference between the two rates is the protocol (a line each way, two JSON
 * round trips, the pipe). Its start-up is paid before the clock starts.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { caseResult, parseCase, type CaseDocument } from "../../src/conformance/case-format.js";
import { ChildProgram } from "../../src/conformance/child-program.js";
import { fuzz, fuzzImplementation } from "../../src/conformance/fuzz.js";

/** What the fuzz row measured. */
export interface FuzzProtocolRow {
  /** Random cases per run. */
  readonly cases: number;
  /** Cases judged per second in process, `fuzzImplementation` with the reference. */
  readonly inProcessPerSecond: number;
  /** Cases judged per second through the protocol, against the reference as a child program. */
  readonly childPerSecond: number;
  /** The protocol's cost per case, in microseconds: the difference of the two times per case. */
  readonly protocolMicroseconds: number;
  /** Seconds to find and shrink the NumPy example's `--mistake missing-derivative`, or `null` without python3 and NumPy. */
  readonly shrinkSeconds: number | null;
  /** The shrunk case's shape, e.g. `1-1-1 with 1 sample`, or `null`. */
  readonly shrunkTo: string | null;
}

const referenceChild = fileURLToPath(new URL("../../spec/support/children/reference.ts", import.meta.url));
const numpyExample = fileURLToPath(new URL("../../docs/examples/numpy_mlp.py", import.meta.url));

/**
 * Measures the row: the in-process run and the child run over the same cases (the same seed),
 * each the median of `passes` runs, and one shrinking run of the NumPy example.
 *
 * @param cases - random cases per run
 * @param passes - runs of each kind
 */
export async function fuzzProtocolRow(cases: number, passes: number): Promise<FuzzProtocolRow> {
  const reference = (document: CaseDocument): unknown => caseResult(parseCase(document));
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const timed = async (run: () => Promise<{ passed: boolean }>): Promise<number> => {
    const started = performance.now();
    const report = await run();
    if (!report.passed) throw new Error("the reference disagreed with itself in the fuzz row");
    return (performance.now() - started) / 1000;
  };

  const inProcess: number[] = [];
  for (let pass = 0; pass < passes; pass++) inProcess.push(await timed(() => fuzzImplementation(reference, { runs: cases, seed: 1 })));

  const program = new ChildProgram({
    command: process.execPath,
    args: ["--import", "tsx", referenceChild],
    timeoutMs: 30_000,
    logPath: null,
  });
  const child: number[] = [];
  try {
    // The child's start-up (Node and tsx) is paid here, before the clock.
    await fuzz((document) => program.ask(document), { runs: 5, seed: 2 });
    for (let pass = 0; pass < passes; pass++)
      child.push(await timed(() => fuzz((document) => program.ask(document), { runs: cases, seed: 1 })));
  } finally {
    await program.close();
  }

  const inProcessSeconds = median(inProcess);
  const childSeconds = median(child);
  const shrink = await shrinkNumpyMistake();
  return {
    cases,
    inProcessPerSecond: cases / inProcessSeconds,
    childPerSecond: cases / childSeconds,
    protocolMicroseconds: ((childSeconds - inProcessSeconds) / cases) * 1e6,
    shrinkSeconds: shrink?.seconds ?? null,
    shrunkTo: shrink?.shape ?? null,
  };
}

/** Finds and shrinks the NumPy example's missing derivative, start-up included; `null` without python3 and NumPy. */
async function shrinkNumpyMistake(): Promise<{ seconds: number; shape: string } | null> {
  if (spawnSync("python3", ["-c", "import numpy"]).status !== 0) return null;
  const program = new ChildProgram({
    command: "python3",
    args: [numpyExample, "--mistake", "missing-derivative"],
    timeoutMs: 30_000,
    logPath: null,
  });
  const started = performance.now();
  try {
    const report = await fuzz((document) => program.ask(document), { seed: 1 });
    const shrunk = report.counterexample?.case;
    if (shrunk === undefined) throw new Error("the NumPy example's missing derivative was not caught in the fuzz row");
    const samples = shrunk.inputs.length;
    return {
      seconds: (performance.now() - started) / 1000,
      shape: `${shrunk.sizes.join("-")} with ${samples} sample${samples === 1 ? "" : "s"}`,
    };
  } finally {
    await program.close();
  }
}
