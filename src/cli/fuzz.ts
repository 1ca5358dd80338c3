/**
 * The `fuzz` command: `npx backprop-ref fuzz [options] -- COMMAND [ARGS...]` property-tests
 * another implementation, a program that answers cases on its standard input with results on
 * its standard output, one JSON document per line (the fuzz protocol of
 * `docs/fuzzing.md`). It starts COMMAND once, sends random cases from the space the options
 * describe, judges each answer against the reference, and on the first difference shrinks the
 * case to the smallest one that still fails, prints it with the first differing quantity and the
 * known mistake it matches, and writes `case.json`, `theirs.json` and `reference.json` into
 * `--out` for `check` and `verify`.
 *
 * Exit status 0 when every case agreed, 1 when a difference was found (or the program crashed,
 * hung, answered garbage or answered a repeated case differently), 2 for bad usage or a program
 * that could not be run at all. Every option is checked before the program starts.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { type Command, Option } from "commander";
import { ChildProgram } from "../conformance/child-program.js";
import type { Precision } from "../conformance/fuzz-judge.js";
import { type FuzzReport, defaultRuns, fuzz, resolveQuantities } from "../conformance/fuzz.js";
import { checkRejections, formatRejectionReport, invalidCases, type RejectionReport } from "../conformance/fuzz-invalid.js";
import { formatFuzzReport } from "../conformance/fuzz-report.js";
import { type BiasChoice, type FieldName, type FuzzSpace, resolveSpace, spaceLimits } from "../conformance/fuzz-space.js";
import { activationNames, type ActivationName } from "../model/activations.js";
import type { VectorFile } from "../conformance/vector-format.js";
import { lossNames, type LossName } from "../model/losses.js";
import { FileError } from "../numeric/errors.js";
import { formatJson } from "../numeric/json.js";
import { exitBadInput, exitCheckFailed, reportError, type CommandIo, type Exit } from "./io.js";
import { parseIntegerOption, parseNumberList } from "./options.js";
import { checkSavePath, saveAtomically } from "./save.js";

/** The options of `fuzz` as commander hands them over: text, checked by {@link readFuzzOptions}. */
interface FuzzCommandOptions {
  readonly runs: string;
  readonly seed?: string;
  readonly timeoutMs: string;
  readonly quantities?: string;
  readonly activations?: string;
  readonly losses?: string;
  readonly biases: BiasChoice;
  readonly maxDepth?: string;
  readonly maxWidth?: string;
  readonly maxBatch?: string;
  readonly learningRates?: string;
  readonly out?: string;
  readonly log?: string;
  readonly json?: boolean;
  readonly invalid?: boolean;
  readonly precision: Precision;
}

/** The longest time limit per case, in milliseconds: ten minutes. */
export const maximumTimeoutMs = 600_000;

/** The most runs: a million cases. */
export const maximumRuns = 1_000_000;

/** The format tag of the report `--json` prints. */
export const fuzzReportFormat = "backprop-ref/fuzz-report@1";

/**
 * Adds `fuzz` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the exit status: 0 all agreed, 1 a difference, 2 bad usage
 * @param terminal - where to draw the progress bar, or `null` for none
 */
export function addFuzzCommand(program: Command, io: CommandIo, exit: Exit, terminal: NodeJS.WriteStream | null): void {
  program
    .command("fuzz")
    .description(
      "property-test another implementation: start COMMAND once, send it random cases (one backprop-ref/case@1 per line on its " +
        "standard input), judge each answer (one backprop-ref/result@1 per line on its standard output), and shrink the first " +
        "difference to the smallest case; exits 1 when a difference is found",
    )
    .argument("<command...>", "the implementation to run, after --: e.g. -- python3 my_mlp.py")
    .option("--runs <n>", "random cases to judge", String(defaultRuns))
    .option("--seed <n>", "the seed of the cases (printed on every run, to replay it)")
    .option("--timeout-ms <ms>", "how long one answer may take before the program is killed and started again", "10000")
    .option("--quantities <list>", "what the implementation returns: loss,outputs,gradients,deltaWeights,updated (default all)")
    .option("--activations <list>", `the activations it implements (default all: ${activationNames.join(",")})`)
    .option("--losses <list>", `the losses it implements (default all: ${lossNames.join(",")})`)
    .addOption(new Option("--biases <choice>", "cases with biases, without, or both").choices(["yes", "no", "both"]).default("both"))
    .option("--max-depth <n>", `the most weight layers (default 4, at most ${spaceLimits.maxDepth})`)
    .option("--max-width <n>", `the most units in a layer (default 8, at most ${spaceLimits.maxWidth})`)
    .option("--max-batch <n>", `the most samples in a batch (default 5, at most ${spaceLimits.maxBatch})`)
    .option("--learning-rates <list>", "the learning rates to use, e.g. 0.1,0.5 (default: drawn from [0, 1])")
    .option("--out <dir>", "write the shrunk counterexample there as case.json, theirs.json and reference.json")
    .option("--log <file>", "append the program's standard error to this file (default: a new file in the temporary folder)")
    .addOption(
      new Option(
        "--precision <arithmetic>",
        "the implementation's arithmetic: float32 judges each number with an allowance derived from the case",
      )
        .choices(["float64", "float32"])
        .default("float64"),
    )
    .option("--invalid", "also send the malformed cases of the conformance vectors, each of which must be rejected")
    .option("--json", `print the report as JSON (${fuzzReportFormat})`)
    .action(async (command: string[], options: FuzzCommandOptions) => {
      exit(await fuzzCommand(command, options, io, options.json === true ? null : terminal));
    });
}

/** The options of a run, checked. */
interface FuzzRun {
  readonly runs: number;
  readonly seed: number | undefined;
  readonly timeoutMs: number;
  readonly quantities: ReturnType<typeof resolveQuantities>;
  readonly space: FuzzSpace;
  readonly out: string | null;
  readonly log: string;
}

/** Reads and checks every option, before anything runs. */
async function readFuzzOptions(options: FuzzCommandOptions): Promise<FuzzRun> {
  const list = (text: string | undefined): string[] | undefined => text?.split(",").map((entry) => entry.trim());
  const integer = (text: string | undefined, option: string, maximum: number): number | undefined =>
    text === undefined ? undefined : parseIntegerOption(text, option, 1, maximum);
  const space: FuzzSpace = {
    activations: list(options.activations) as ActivationName[] | undefined,
    losses: list(options.losses) as LossName[] | undefined,
    biases: options.biases,
    maxDepth: integer(options.maxDepth, "--max-depth", spaceLimits.maxDepth),
    maxWidth: integer(options.maxWidth, "--max-width", spaceLimits.maxWidth),
    maxBatch: integer(options.maxBatch, "--max-batch", spaceLimits.maxBatch),
    learningRates: options.learningRates === undefined ? null : parseNumberList(options.learningRates, "--learning-rates"),
  };
  resolveSpace(space, optionName);
  const out = options.out ?? null;
  if (out !== null) await checkOutFolder(out);
  const log = options.log ?? join(tmpdir(), `backprop-ref-fuzz-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.log`);
  await checkSavePath(log, "--log");
  return {
    runs: parseIntegerOption(options.runs, "--runs", 1, maximumRuns),
    seed: options.seed === undefined ? undefined : parseIntegerOption(options.seed, "--seed", -(2 ** 31), 2 ** 31 - 1),
    timeoutMs: parseIntegerOption(options.timeoutMs, "--timeout-ms", 1, maximumTimeoutMs),
    quantities: resolveQuantities(list(options.quantities), optionName),
    space,
    out,
    log,
  };
}

/** A field of the fuzz space as its option on the command line: `--max-depth` for `maxDepth`. */
const optionName: FieldName = (field) => `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/** `--out` must be a folder, or a new one in a folder that exists. */
async function checkOutFolder(out: string): Promise<void> {
  const status = await stat(out).catch(() => null);
  if (status !== null && !status.isDirectory()) throw new FileError(`--out ${out}: it is not a folder`);
  if (status === null) {
    await mkdir(out).catch((error: NodeJS.ErrnoException) => {
      throw new FileError(`--out ${out}: cannot make the folder: ${error.code}`);
    });
  }
  await checkSavePath(join(out, "case.json"), "--out");
}

async function fuzzCommand(
  command: string[],
  options: FuzzCommandOptions,
  io: CommandIo,
  terminal: NodeJS.WriteStream | null,
): Promise<number> {
  let run: FuzzRun;
  try {
    run = await readFuzzOptions(options);
  } catch (error) {
    return reportError(error, "fuzz", io);
  }
  await saveAtomically(run.log, "");
  const program = new ChildProgram({ command: command[0]!, args: command.slice(1), timeoutMs: run.timeoutMs, logPath: run.log });
  const bar =
    terminal === null
      ? null
      : new cliProgress.SingleBar(
          { stream: terminal, format: "cases {value}/{total} {bar} {percentage}%", hideCursor: true, barsize: 30, fps: 10 },
          cliProgress.Presets.shades_classic,
        );
  let report: FuzzReport;
  let rejections: RejectionReport | null = null;
  try {
    bar?.start(run.runs, 0);
    report = await fuzz((document) => program.ask(document), {
      runs: run.runs,
      ...(run.seed === undefined ? {} : { seed: run.seed }),
      space: run.space,
      quantities: run.quantities,
      precision: options.precision,
      onProgress: (judged) => bar?.update(judged),
    });
    if (options.invalid === true) rejections = await checkRejections(invalidCases(readVectorFiles()), (line) => program.askLine(line));
  } finally {
    bar?.stop();
    await program.close();
  }
  if (report.counterexample?.verdict.reason === "not-started") {
    io.stderr(`backprop-ref fuzz: ${report.counterexample.verdict.note}\n`);
    return exitBadInput;
  }
  const files = run.out === null || report.counterexample === null ? null : await writeCounterexample(run.out, report);
  const replay = (seed: number): string => replayCommand(command, options, seed);
  const passed = report.passed && (rejections === null || rejections.notRejected.length === 0);
  if (options.json === true) {
    const replayed = report.passed ? null : replay(report.seed);
    io.stdout(`${formatJson({ format: fuzzReportFormat, ...report, passed, replay: replayed, rejections, log: run.log, files })}\n`);
  } else {
    const lines = [formatFuzzReport(report, replay)];
    if (files !== null) lines.push(`wrote ${files.join(", ")}: try npx backprop-ref verify ${files[0]} ${files[1]}`);
    if (rejections !== null) lines.push(formatRejectionReport(rejections));
    if (!passed) lines.push(`the program's standard error is in ${run.log}`);
    io.stdout(`${lines.join("\n")}\n`);
  }
  return passed ? 0 : exitCheckFailed;
}

/** The conformance vectors shipped with the package (`spec/vectors/*.json`, beside `dist/` and `src/`). */
function readVectorFiles(): VectorFile[] {
  const folder = new URL("../../spec/vectors/", import.meta.url);
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(new URL(name, folder), "utf8")) as VectorFile);
}

/** Writes the counterexample's three files and returns their paths. */
async function writeCounterexample(out: string, report: FuzzReport): Promise<string[]> {
  const counterexample = report.counterexample!;
  const files: [string, unknown][] = [
    ["case.json", counterexample.case],
    ["theirs.json", counterexample.theirs],
    ["reference.json", counterexample.reference],
  ];
  const paths: string[] = [];
  for (const [name, value] of files) {
    const path = join(out, name);
    await saveAtomically(path, `${formatJson(value)}\n`);
    paths.push(path);
  }
  return paths;
}

/** The command line that replays a run: the same options with its seed. */
function replayCommand(command: readonly string[], options: FuzzCommandOptions, seed: number): string {
  const given: [string, string | undefined][] = [
    ["--runs", options.runs === String(defaultRuns) ? undefined : options.runs],
    ["--quantities", options.quantities],
    ["--activations", options.activations],
    ["--losses", options.losses],
    ["--biases", options.biases === "both" ? undefined : options.biases],
    ["--precision", options.precision === "float64" ? undefined : options.precision],
    ["--max-depth", options.maxDepth],
    ["--max-width", options.maxWidth],
    ["--max-batch", options.maxBatch],
    ["--learning-rates", options.learningRates],
  ];
  const quote = (word: string): string => (/^[\w./:=,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
  const flags = given.flatMap(([flag, value]) => (value === undefined ? [] : [flag, quote(value)]));
  return ["npx backprop-ref fuzz", "--seed", String(seed), ...flags, "--", ...command.map(quote)].join(" ");
}
