/**
 * The benchmark: how fast backprop-ref's training step, forward pass, gradient checks and
 * property suite run, measured against a hand-written yardstick and against other libraries in
 * one interleaved run, with the ratios that are the point of it.
 *
 *   npm run bench                  (about four minutes)
 *   npm run bench -- --quick       (a smoke test of a few seconds; its numbers are noise)
 *   npm run bench -- --json        (the results as JSON on stdout instead of tables)
 *   npm run bench -- --write       (also writes the tables into docs/speed.md)
 *
 * Rows:
 * 1. One SGD step of the seed's 784-200-10 network at batch 1 and 64, µs per sample, for the
 *    project's in-place step (`fusedTrainingStep`), its step that keeps every quantity (`trainingStep`),
 *    the hand-written Float64Array loop (the yardstick, scripts/bench/handwritten.ts),
 *    `ndarray` with `ndarray-ops` and `ndarray-gemm`, and TensorFlow.js on its cpu and wasm
 *    backends (float32). Every contender's first step is cross-checked against `trainingStep`
 *    before anything is timed; a contender that computes something else stops the run.
 * 1b. The same in-place step on the JavaScript kernels, on the WebAssembly kernels
 *    (src/numeric/kernels.ts), and on the WebAssembly kernels with the large products split
 *    between two threads (src/numeric/kernel-thread.ts), at batch 1, 8, 64 and 256, beside the
 *    yardstick (scripts/bench/kernel-section.ts).
 * 2. The forward pass alone, `forward` against the hand-written one.
 * 3. The central-difference check of a 4-8-8-3 network against the $2P + 1$ forward passes it needs.
 * 4. The directional check of 784-200-10 against one `backpropagate`.
 * 5. The property suite's gradient check as cases per second.
 * 6. The heap over 10 epochs of `train` (needs `--expose-gc`, which `npm run bench` passes).
 * 7. `fuzz`: cases per second through the protocol against a child that answers at once, beside
 *    the same run in process, and the time to find and shrink the NumPy example's mistake.
 * 8. The whole `train --dataset mnist` process, start to exit, against a hand-written program
 *    doing the same work (scripts/bench/train-process.ts); not in `--quick`.
 *
 * Times are medians over interleaved rounds (scripts/bench/harness.ts); the spread printed
 * beside each is the interquartile range of the rounds over the median.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { table } from "../src/oracles/report.js";
import { markdownTable, microseconds, milliseconds, ratio, spread, type Section } from "./bench/format.js";
import { kernelSection } from "./bench/kernel-section.js";
import { peakRow, rateSection, type PeakRow } from "./bench/peak.js";
import { trainProcessRow, trainProcessSection, type TrainProcessRow } from "./bench/train-process.js";
import {
  handWritten,
  handWrittenName,
  ndarrayGemm,
  projectDescent,
  projectTrainingStep,
  projectThreadedDescent,
  projectWasmDescent,
  tensorFlowName,
} from "./bench/contenders.js";
import { garbageCollectorExposed, type HarnessOptions } from "./bench/harness.js";
import {
  CrossCheckError,
  directionalRow,
  forwardRow,
  gradientCheckRow,
  memoryRow,
  propertySuiteRow,
  trainingStepRow,
  type ComparisonRow,
  type ContenderResult,
  type MemoryRow,
  type PropertySuiteRow,
  type TrainingStepRow,
} from "./bench/rows.js";
import { crossCheckTolerances, type StepContender } from "./bench/seed-problem.js";
import { fuzzProtocolRow, type FuzzProtocolRow } from "./bench/fuzz-protocol.js";
import type { BackendStatus, TensorFlowBackend } from "./bench/tfjs.js";

/** How long each part of the run takes, for a full run and for `--quick`. */
interface RunSettings {
  readonly steps: HarnessOptions;
  readonly checks: HarnessOptions;
  readonly propertyCases: number;
  readonly propertyPasses: number;
  readonly fuzzCases: number;
  readonly fuzzPasses: number;
  readonly memory: { readonly trainingSamples: number; readonly testSamples: number; readonly epochs: number };
  /** The whole-process row's epochs and rounds, or `null` to skip it (MNIST's full epoch takes seconds, too long for `--quick`). */
  readonly trainProcess: { readonly epochs: number; readonly rounds: number } | null;
  /** The peak kernel's timed runs and calls per run (scripts/bench/peak.ts). */
  readonly peak: { readonly rounds: number; readonly calls: number };
}

const fullRun: RunSettings = {
  steps: { warmupMilliseconds: 500, sliceMilliseconds: 70, rounds: 31 },
  checks: { warmupMilliseconds: 300, sliceMilliseconds: 70, rounds: 21 },
  propertyCases: 2000,
  propertyPasses: 5,
  fuzzCases: 2000,
  fuzzPasses: 3,
  memory: { trainingSamples: 1000, testSamples: 500, epochs: 10 },
  trainProcess: { epochs: 1, rounds: 2 },
  peak: { rounds: 9, calls: 100 },
};

const quickRun: RunSettings = {
  steps: { warmupMilliseconds: 20, sliceMilliseconds: 5, rounds: 3 },
  checks: { warmupMilliseconds: 20, sliceMilliseconds: 5, rounds: 3 },
  propertyCases: 100,
  propertyPasses: 1,
  fuzzCases: 100,
  fuzzPasses: 1,
  memory: { trainingSamples: 40, testSamples: 20, epochs: 10 },
  trainProcess: null,
  peak: { rounds: 3, calls: 10 },
};

/** A goal of the project, as measured. */
interface Goal {
  readonly description: string;
  readonly measured: number;
  readonly target: string;
  readonly met: boolean | null;
}

/** Everything the run measured; `--json` prints this. */
interface BenchResults {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly v8: string; readonly date: string };
  readonly quick: boolean;
  readonly harness: { readonly steps: HarnessOptions; readonly checks: HarnessOptions };
  readonly backends: readonly BackendStatus[];
  readonly trainingStep: readonly TrainingStepRow[];
  readonly peak: PeakRow;
  readonly goals: readonly Goal[];
  readonly forward: readonly ComparisonRow[];
  readonly gradientCheck: ComparisonRow;
  readonly directionalCheck: ComparisonRow;
  readonly propertySuite: PropertySuiteRow;
  readonly memory: MemoryRow;
  readonly fuzz: FuzzProtocolRow;
  readonly trainProcess: TrainProcessRow | null;
  readonly seconds: number;
}

const projectName = projectDescent.name;
const docsPath = new URL("../docs/speed.md", import.meta.url);
const blockStart = "<!-- bench:start -->";
const blockEnd = "<!-- bench:end -->";

async function main(): Promise<void> {
  const flags = new Set(process.argv.slice(2));
  const unknown = [...flags].filter((flag) => !["--quick", "--json", "--write"].includes(flag));
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(", ")}; usage: npm run bench [-- --quick] [--json] [--write]`);
    process.exitCode = 2;
    return;
  }
  const quick = flags.has("--quick");
  const settings = quick ? quickRun : fullRun;
  const started = performance.now();
  const log = (line: string): void => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  if (!garbageCollectorExposed())
    log(
      "global.gc is not exposed (run with node --expose-gc, as npm run bench does): no scavenge between slices, and the memory row is skipped",
    );

  const tensorFlow = await tensorFlowContenders(log);
  const backends = tensorFlow.backends;
  const contenders = [
    { contender: projectDescent, unavailable: null },
    { contender: projectWasmDescent, unavailable: null },
    { contender: projectThreadedDescent, unavailable: null },
    { contender: projectTrainingStep, unavailable: null },
    { contender: handWritten, unavailable: null },
    { contender: ndarrayGemm, unavailable: null },
    ...tensorFlow.contenders,
  ];

  const trainingStep: TrainingStepRow[] = [];
  for (const batchSize of stepBatchSizes) trainingStep.push(await trainingStepRow(batchSize, contenders, settings.steps, log));
  log("the float64 peak of one core");
  const peak = await peakRow(settings.peak.rounds, settings.peak.calls);
  log("forward pass");
  const forward = [await forwardRow(1, settings.steps), await forwardRow(64, settings.steps)];
  log("gradient check of 4-8-8-3");
  const gradientCheck = await gradientCheckRow(settings.checks);
  log("directional check of 784-200-10");
  const directionalCheck = await directionalRow(settings.checks);
  log(`property suite: ${settings.propertyCases} cases, ${settings.propertyPasses} pass(es)`);
  const propertySuite = await propertySuiteRow(settings.propertyCases, settings.propertyPasses);
  log(`memory: ${settings.memory.epochs} epochs on ${settings.memory.trainingSamples} MNIST digits`);
  const memory = memoryRow(settings.memory.trainingSamples, settings.memory.testSamples, settings.memory.epochs);
  log(`fuzz: ${settings.fuzzCases} cases in process and through the protocol, and shrinking the NumPy example's mistake`);
  const fuzz = await fuzzProtocolRow(settings.fuzzCases, settings.fuzzPasses);
  const trainProcess =
    settings.trainProcess === null ? null : trainProcessRow(settings.trainProcess.epochs, settings.trainProcess.rounds, log);

  const results: BenchResults = {
    machine: machine(),
    quick,
    harness: { steps: settings.steps, checks: settings.checks },
    backends,
    trainingStep,
    peak,
    goals: goals(trainingStep, propertySuite, fuzz, trainProcess),
    forward,
    gradientCheck,
    directionalCheck,
    propertySuite,
    memory,
    fuzz,
    trainProcess,
    seconds: (performance.now() - started) / 1000,
  };
  log(`done in ${results.seconds.toFixed(0)} s`);
  if (flags.has("--json"))
    console.log(JSON.stringify(results, (_, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2));
  else console.log(report(results, "text"));
  if (flags.has("--write")) {
    writeDocs(report(results, "markdown"));
    log("wrote the tables into docs/speed.md");
  }
}

/**
 * The TensorFlow.js contenders with their backends initialised; a contender whose backend (or
 * TensorFlow.js itself) cannot be loaded comes with the reason, and its line in the table says
 * "unavailable" instead of stopping the run.
 */
async function tensorFlowContenders(
  log: (line: string) => void,
): Promise<{ backends: BackendStatus[]; contenders: { contender: StepContender; unavailable: string | null }[] }> {
  const all: readonly TensorFlowBackend[] = ["cpu", "wasm"];
  const placeholder = (backend: TensorFlowBackend): StepContender => ({
    name: tensorFlowName(backend),
    precision: "float32",
    prepare: () => {
      throw new Error("TensorFlow.js is unavailable");
    },
  });
  let tfjs: typeof import("./bench/tfjs.js");
  try {
    tfjs = await import("./bench/tfjs.js");
  } catch (error) {
    const reason = `TensorFlow.js could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    log(reason);
    return { backends: [], contenders: all.map((backend) => ({ contender: placeholder(backend), unavailable: reason })) };
  }
  const backends = await tfjs.initialiseBackends();
  for (const status of backends) {
    log(
      status.available
        ? `TensorFlow.js ${status.backend} ready${status.simd === null ? "" : `, SIMD ${status.simd ? "on" : "off"}, ${status.threads} thread(s)`}`
        : `TensorFlow.js ${status.backend} unavailable: ${status.reason}`,
    );
  }
  return {
    backends,
    contenders: all.map((backend) => {
      const status = backends.find((candidate) => candidate.backend === backend);
      return status?.available === true
        ? { contender: tfjs.tensorFlowContender(backend), unavailable: null }
        : { contender: placeholder(backend), unavailable: `the backend did not initialise: ${status?.reason ?? "unknown"}` };
    }),
  };
}

/** The machine the numbers come from. */
function machine(): BenchResults["machine"] {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString().slice(0, 10),
  };
}

/** The project's speed goals, each with the ratio measured for it. */
function goals(
  rows: readonly TrainingStepRow[],
  property: PropertySuiteRow,
  fuzz: FuzzProtocolRow,
  trainProcess: TrainProcessRow | null,
): Goal[] {
  const timeIn = (table: readonly TrainingStepRow[], batchSize: number, name: string): number => {
    const result = table.find((row) => row.batchSize === batchSize)?.contenders.find((contender) => contender.name === name);
    return result?.available === true ? result.microsecondsPerSample : Number.NaN;
  };
  const time = (batchSize: number, name: string): number => timeIn(rows, batchSize, name);
  const kernel = time;
  const threaded = projectThreadedDescent.name;
  const atMost = (description: string, measured: number, limit: number): Goal => ({
    description,
    measured,
    target: `≤ ${limit}×`,
    met: Number.isFinite(measured) ? measured <= limit : null,
  });
  const atLeast = (description: string, measured: number, limit: number, unit = "×"): Goal => ({
    description,
    measured,
    target: `≥ ${limit.toLocaleString("en-US")}${unit}`,
    met: Number.isFinite(measured) ? measured >= limit : null,
  });
  const tensorFlowCpu = tensorFlowName("cpu");
  const ndarray = ndarrayGemm.name;
  return [
    atMost("training step / hand-written loop, batch 1", time(1, projectName) / time(1, handWrittenName), 1.2),
    atMost("training step / hand-written loop, batch 64", time(64, projectName) / time(64, handWrittenName), 1.2),
    atLeast("ndarray-gemm code / training step, batch 1", time(1, ndarray) / time(1, projectName), 3),
    atLeast("TensorFlow.js cpu / training step, batch 1", time(1, tensorFlowCpu) / time(1, projectName), 20),
    atLeast("TensorFlow.js cpu / training step, batch 64", time(64, tensorFlowCpu) / time(64, projectName), 3.5),
    atMost("WebAssembly step on 2 threads / hand-written loop, batch 1", kernel(1, threaded) / kernel(1, handWrittenName), 0.7),
    atLeast("JavaScript step / WebAssembly step on 2 threads, batch 64", kernel(64, projectName) / kernel(64, threaded), 4),
    atMost("whole train --dataset mnist process / hand-written program", trainProcess?.ratio ?? Number.NaN, 1.2),
    atLeast("property suite, gradient-checked cases per second", property.checkedPerSecond, 1000, " /s"),
    atLeast("fuzz, cases per second through the protocol", fuzz.childPerSecond, 500, " /s"),
    {
      description: "fuzz, seconds to find and shrink the NumPy example's missing derivative",
      measured: fuzz.shrinkSeconds ?? Number.NaN,
      target: "≤ 10 s",
      met: fuzz.shrinkSeconds === null ? null : fuzz.shrinkSeconds <= 10,
    },
  ];
}

/** The whole report as plain text (aligned columns) or Markdown. */
function report(results: BenchResults, style: "text" | "markdown"): string {
  const sections = [
    trainingStepSection(results),
    goalSection(results),
    kernelSection(results.trainingStep),
    rateSection(results.trainingStep, results.peak),
    forwardSection(results),
    checkSection(results),
    propertySection(results),
    memorySection(results),
    fuzzSection(results),
    ...(results.trainProcess === null ? [] : [trainProcessSection(results.trainProcess)]),
  ];
  const rendered = sections.map((section) => {
    const body = style === "text" ? table(section.header, section.rows) : markdownTable(section.header, section.rows);
    const title = style === "text" ? `${section.title}\n` : `**${section.title}**\n\n`;
    const separator = style === "text" ? "\n" : "\n\n";
    const notes = section.notes.length === 0 ? "" : `${separator}${section.notes.join(separator)}`;
    return `${title}${body}${notes}`;
  });
  return [...rendered, machineLine(results)].join("\n\n");
}

function trainingStepSection(results: BenchResults): Section {
  const [first] = results.trainingStep;
  const cells = (result: ContenderResult | undefined): string[] =>
    result === undefined || !result.available
      ? ["unavailable", ""]
      : [`${microseconds(result.microsecondsPerSample)} ± ${spread(result.relativeSpread)}`, ratio(result.ratioToYardstick)];
  const rows = first!.contenders.map((result, index) => [
    result.name,
    result.precision,
    ...results.trainingStep.flatMap((row) => cells(row.contenders[index])),
  ]);
  const unavailableNotes = first!.contenders
    .filter((result) => !result.available)
    .map((result) => `${result.name}: unavailable, ${result.reason}.`);
  const worst = (precision: "float64" | "float32"): string => {
    const checks = results.trainingStep.flatMap((row) => row.crossChecks).filter((check) => check.precision === precision);
    if (checks.length === 0) return `${precision}: none run`;
    const largest = (pick: (check: (typeof checks)[number]) => number): string => Math.max(...checks.map(pick)).toExponential(1);
    const tolerance = crossCheckTolerances[precision];
    return (
      `${precision} contenders differ from trainingStep by at most ${largest((check) => check.weights)} in the updated weights ` +
      `(tolerance ${tolerance.weights.toExponential(0)}), ${largest((check) => check.steps)} in the step (${tolerance.steps.toExponential(0)}), ` +
      `${largest((check) => check.loss)} in the loss (${tolerance.loss.toExponential(0)})`
    );
  };
  const wasm = results.backends.find((status) => status.backend === "wasm");
  return {
    title: `One SGD step of 784-200-10 (sigmoid, squared error, no biases, η = 0.1): µs per sample, median of ${results.harness.steps.rounds} interleaved rounds, ± the interquartile range over the median; × divides by the hand-written loop`,
    header: ["contender", "arithmetic", ...results.trainingStep.flatMap((row) => [`batch ${row.batchSize}`, "×"])],
    rows,
    notes: [
      `Cross-check before timing, one step from the same weights and batch: ${worst("float64")}; ${worst("float32")}.`,
      ...(wasm?.available === true
        ? [
            `TensorFlow.js ${wasm.version}, the backward pass written out with tf ops (no tf.grad); the wasm backend ran with SIMD ${wasm.simd ? "on" : "off"} ` +
              `and ${wasm.threads} thread(s) (in Node, tfjs-backend-wasm loads its single-threaded binary).`,
          ]
        : []),
      ...unavailableNotes,
    ],
  };
}

function goalSection(results: BenchResults): Section {
  return {
    title: "Goals",
    header: ["goal", "measured", "target", ""],
    rows: results.goals.map((goal) => [
      goal.description,
      goal.target.endsWith("/s")
        ? `${Math.round(goal.measured).toLocaleString("en-US")} /s`
        : goal.target.endsWith(" s")
          ? `${goal.measured.toFixed(1)} s`
          : ratio(goal.measured),
      goal.target,
      goal.met === null ? "n/a" : goal.met ? "met" : "missed",
    ]),
    notes: [],
  };
}

/** The batch sizes of the training-step rows. */
const stepBatchSizes = [1, 8, 64, 256] as const;

function forwardSection(results: BenchResults): Section {
  return {
    title: "The forward pass of 784-200-10 alone: µs per sample",
    header: ["batch", "backprop-ref forward", "±", "hand-written forward", "±", "×"],
    rows: results.forward.map((row, index) => [
      String([1, 64][index]),
      microseconds(row.subjectTime),
      spread(row.subjectSpread),
      microseconds(row.baselineTime),
      spread(row.baselineSpread),
      ratio(row.ratio),
    ]),
    notes: [],
  };
}

function checkSection(results: BenchResults): Section {
  const rows = [results.gradientCheck, results.directionalCheck].map((row) => [
    row.subject,
    `${milliseconds(row.subjectTime)} ms`,
    spread(row.subjectSpread),
    row.baseline,
    `${milliseconds(row.baselineTime)} ms`,
    spread(row.baselineSpread),
    ratio(row.ratio),
  ]);
  return {
    title: "Gradient checks against the work they cannot avoid: ms per check; × is the overhead factor",
    header: ["check", "time", "±", "baseline", "time", "±", "×"],
    rows,
    notes: [],
  };
}

function fuzzSection(results: BenchResults): Section {
  const row = results.fuzz;
  return {
    title: "fuzz: random cases judged per second, and the time to shrink a broken example",
    header: ["cases", "in process", "through the protocol", "protocol per case", "NumPy mistake found and shrunk"],
    rows: [
      [
        row.cases.toLocaleString("en-US"),
        `${Math.round(row.inProcessPerSecond).toLocaleString("en-US")} /s`,
        `${Math.round(row.childPerSecond).toLocaleString("en-US")} /s`,
        `${microseconds(row.protocolMicroseconds)} µs`,
        row.shrinkSeconds === null ? "python3 with NumPy unavailable" : `${row.shrinkSeconds.toFixed(1)} s, to ${row.shrunkTo}`,
      ],
    ],
    notes: [
      "The child is the reference in JavaScript (spec/support/children/reference.ts), whose work per case is the caseResult the engine also computes; the difference per case is the protocol. " +
        "Each rate is the median of its runs (seed 1); one case in ten is sent twice, so the answers are 1.1 times the cases.",
      "The NumPy run is docs/examples/numpy_mlp.py --mistake missing-derivative, seed 1, Python's start-up included.",
    ],
  };
}

function propertySection(results: BenchResults): Section {
  const row = results.propertySuite;
  return {
    title: "The property suite's gradient check (spec/model/backprop.spec.ts): random cases per second",
    header: ["cases", "generated (fast-check)", "checked (parseCase + checkGradients)", "±"],
    rows: [
      [
        row.cases.toLocaleString("en-US"),
        `${Math.round(row.generatedPerSecond).toLocaleString("en-US")} /s`,
        `${Math.round(row.checkedPerSecond).toLocaleString("en-US")} /s`,
        spread(row.relativeSpread),
      ],
    ],
    notes: [
      `fc.sample(caseDocument(), { numRuns: ${row.cases}, seed: 1 }), generated once, then checked ${row.passes === 1 ? "once" : `${row.passes} times (the median pass counts)`}.`,
    ],
  };
}

function memorySection(results: BenchResults): Section {
  const row = results.memory;
  if (!row.measured) {
    return { title: "Memory", header: ["row"], rows: [["skipped: global.gc is not exposed (run with node --expose-gc)"]], notes: [] };
  }
  const kibibytes = (value: number): string => `${Math.round(value).toLocaleString("en-US")} KiB`;
  const signed = (value: number): string => `${value >= 0 ? "+" : "−"}${kibibytes(Math.abs(value))}`;
  return {
    title: `Memory: heapUsed after a full collection at the end of each of ${row.heapAfterEpochKibibytes.length} epochs of train (batch 1, ${row.trainingSamples} MNIST digits, ${row.testSamples} held out)`,
    header: [
      "after epoch 1",
      `after epoch ${row.heapAfterEpochKibibytes.length}`,
      "growth at the end",
      "largest growth",
      "per epoch (epochs 2–10)",
      "verdict",
    ],
    rows: [
      [
        kibibytes(row.heapAfterEpochKibibytes[0]!),
        kibibytes(row.heapAfterEpochKibibytes.at(-1)!),
        signed(row.lastGrowthKibibytes),
        signed(row.maximumGrowthKibibytes),
        `${signed(row.growthPerEpochKibibytes)}/epoch`,
        row.flat ? "flat" : "growing",
      ],
    ],
    notes: [
      `Growth is measured from the heap after epoch 1 (every buffer made, the code compiled); "flat" means below 1 % of the heap or 256 KiB, whichever is larger, after every later epoch. ` +
        `Heap before training ${kibibytes(row.heapBeforeKibibytes)}; every epoch: ${row.heapAfterEpochKibibytes.map((value) => Math.round(value).toLocaleString("en-US")).join(", ")} KiB; training took ${row.seconds.toFixed(1)} s.`,
      `The WebAssembly kernels' memory (the workspace and the trained weights, outside the heap), the top of its allocator after every epoch: ${[...new Set(row.kernelMemoryAfterEpochKibibytes.map((value) => Math.round(value).toLocaleString("en-US")))].join(", ")} KiB.`,
    ],
  };
}

function machineLine(results: BenchResults): string {
  const { cpu, cores, node, v8, date } = results.machine;
  return `Machine: ${cpu}, ${cores} cores, Node ${node} (V8 ${v8}), ${date}${results.quick ? ", --quick run (too short to trust)" : ""}; the whole run took ${results.seconds.toFixed(0)} s.`;
}

/** Replaces the block between the markers in docs/speed.md, creating the page if it is missing. */
function writeDocs(markdown: string): void {
  const block = `${blockStart}\n${markdown}\n${blockEnd}`;
  if (!existsSync(docsPath)) {
    const page = [
      "# Speed",
      "",
      "How fast backprop-ref trains and checks, measured by `npm run bench` (scripts/bench.ts) against a",
      "hand-written Float64Array loop and against other JavaScript libraries doing the same math. The",
      "ratios are the point; the absolute times belong to the machine named under the tables.",
      "",
      block,
      "",
    ].join("\n");
    writeFileSync(docsPath, page);
    return;
  }
  const page = readFileSync(docsPath, "utf8");
  const start = page.indexOf(blockStart);
  const end = page.indexOf(blockEnd);
  if (start < 0 || end < start) throw new Error(`docs/speed.md has no ${blockStart} … ${blockEnd} block to replace`);
  writeFileSync(docsPath, page.slice(0, start) + block + page.slice(end + blockEnd.length));
}

main().catch((error: unknown) => {
  if (error instanceof CrossCheckError) {
    console.error(`[bench] stopped: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
