/**
 * The command line, a thin layer over the library: `grad` prints the reference result of a
 * case, `check` checks gradients against numeric oracles, `example` prints the worked example.
 *
 * Every message about bad input is the message of the library's typed error, prefixed with
 * the command's name, and goes to standard error with exit status 2; a result goes to standard
 * output with exit status 0; a `check` whose gradients fail exits with status 1.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { Command, CommanderError, Option } from "commander";
import { caseResult, readCase } from "../conformance/case-format.js";
import { workedExample } from "../conformance/worked-example.js";
import { BackpropRefError, FormatError } from "../numeric/errors.js";
import { formatJson } from "../numeric/json.js";
import { type CheckMethod, checkMethods, checkReportJson, formatCheckReport, gradientsFromResult, runChecks } from "../oracles/check.js";
import { addTrainCommands } from "./train.js";
import { addVerifyCommand } from "./verify.js";

/** Where the command line reads and writes: the process's streams, or buffers in tests. */
export interface CommandIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Reads all of standard input. */
  readonly stdin: () => Promise<string>;
}

/** Exit status for bad input (a malformed case, a missing file, an unknown option). */
export const exitBadInput = 2;

/** Exit status of `check` when the gradients fail a check. */
export const exitCheckFailed = 1;

/**
 * Runs the command line on its arguments and returns the exit status.
 *
 * @param args - the arguments after the program name, e.g. `["grad", "case.json"]`
 * @param io - the streams to use
 */
export async function runCli(args: readonly string[], io: CommandIo): Promise<number> {
  const program = new Command("backprop-ref")
    .description("A reference implementation of the multilayer perceptron and its backpropagation.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  let status = 0;
  program
    .command("grad")
    .description(
      "read a backprop-ref/case@1 document and print its backprop-ref/result@1 document: " +
        "the loss, the outputs, the gradients, the delta weights and the updated weights",
    )
    .argument("<case>", "the case file, or - to read standard input")
    .action(async (path: string) => {
      status = await grad(path, io);
    });
  program
    .command("check")
    .description(
      "check gradients of a case against numeric oracles and print a report: backprop-ref's own, " +
        "or, with a second file, another implementation's (the gradients of a backprop-ref/result@1 document); " +
        "exits 1 when a check fails",
    )
    .argument("<case>", "the case file, or - to read standard input")
    .argument("[result]", "a backprop-ref/result@1 file whose gradients to check instead of backprop-ref's")
    .addOption(
      new Option("--method <method>", "which oracle to run").choices(["all", ...checkMethods]).default("all"),
    )
    .option("--json", "print the report as JSON (backprop-ref/check@1)")
    .action(async (casePath: string, resultPath: string | undefined, options: { method: CheckMethod | "all"; json?: boolean }) => {
      status = await check(casePath, resultPath, options, io);
    });
  program
    .command("example")
    .description("print the worked example: forward pass, errors, hidden errors, delta weights and a gradient check")
    .action(() => {
      io.stdout(`${workedExample()}\n`);
    });
  // verify: another implementation's results against a vector file or a case (src/verify-cli.ts).
  addVerifyCommand(program, io, (code) => {
    status = code;
  });
  // train, predict and demo: training on MNIST, Iris and XOR (src/train-cli.ts).
  addTrainCommands(program, io, (code) => {
    status = code;
  });
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitBadInput;
    throw error;
  }
  return status;
}

async function check(
  casePath: string,
  resultPath: string | undefined,
  options: { readonly method: CheckMethod | "all"; readonly json?: boolean },
  io: CommandIo,
): Promise<number> {
  const caseText = await readInput(casePath, "check", io);
  const resultText = resultPath === undefined ? undefined : await readInput(resultPath, "check", io);
  if (caseText === null || resultText === null) return exitBadInput;
  let source = casePath;
  try {
    const problem = readCase(caseText);
    let gradients;
    if (resultText !== undefined) {
      source = resultPath!;
      let value: unknown;
      try {
        value = JSON.parse(resultText);
      } catch (error) {
        throw new FormatError(`the result is not valid JSON: ${(error as Error).message}`);
      }
      gradients = gradientsFromResult(value, problem);
    }
    const report = runChecks(problem, options.method === "all" ? checkMethods : [options.method], gradients);
    io.stdout(`${options.json === true ? formatJson(checkReportJson(report)) : formatCheckReport(report)}\n`);
    return report.passed ? 0 : exitCheckFailed;
  } catch (error) {
    if (error instanceof BackpropRefError) {
      io.stderr(`backprop-ref check: ${source === "-" ? "standard input" : source}: ${error.message}\n`);
      return exitBadInput;
    }
    throw error;
  }
}

async function readInput(path: string, command: string, io: CommandIo): Promise<string | null> {
  try {
    return path === "-" ? await io.stdin() : await readFile(path, "utf8");
  } catch (error) {
    io.stderr(`backprop-ref ${command}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return null;
  }
}

async function grad(path: string, io: CommandIo): Promise<number> {
  let text: string;
  try {
    text = path === "-" ? await io.stdin() : await readFile(path, "utf8");
  } catch (error) {
    io.stderr(`backprop-ref grad: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return exitBadInput;
  }
  try {
    io.stdout(`${formatJson(caseResult(readCase(text)))}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BackpropRefError) {
      io.stderr(`backprop-ref grad: ${path === "-" ? "standard input" : path}: ${error.message}\n`);
      return exitBadInput;
    }
    throw error;
  }
}
