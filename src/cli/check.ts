/**
 * The `check` command: `npx backprop-ref check case.json [result.json]` runs the five oracles
 * against the gradients of a case, backprop-ref's own or, with a result file, another
 * implementation's, and prints a report (in JSON with `--json`); it exits 0 when every method
 * passed, 1 when one failed, 2 for bad input.
 *
 * @module
 */
import { Option, type Command } from "commander";
import { caseResult, gradientsFromResult, readCase } from "../conformance/case-format.js";
import { FileError } from "../numeric/errors.js";
import type { ParameterArrays } from "../model/network.js";
import { readJson } from "../numeric/read-json.js";
import { formatJson } from "../numeric/json.js";
import { checkMethods, checkReportJson, formatCheckReport, runChecks, type CheckMethod } from "../oracles/check.js";
import { readInput, sourceName } from "./input.js";
import { exitCheckFailed, reportError, type CommandIo, type Exit } from "./io.js";

/**
 * Adds `check` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the exit status: 0 all passed, 1 a check failed, 2 bad input
 */
export function addCheckCommand(program: Command, io: CommandIo, exit: Exit): void {
  program
    .command("check")
    .description(
      "check gradients of a case against numeric oracles and print a report: backprop-ref's own, " +
        "or, with a second file, another implementation's (the gradients of a backprop-ref/result@1 document); " +
        "exits 1 when a check fails",
    )
    .argument("<case>", "the case file, or - to read standard input")
    .argument("[result]", "a backprop-ref/result@1 file whose gradients to check instead of backprop-ref's")
    .addOption(new Option("--method <method>", "which oracle to run").choices(["all", ...checkMethods]).default("all"))
    .option("--json", "print the report as JSON (backprop-ref/check@1)")
    .action(async (casePath: string, resultPath: string | undefined, options: { method: CheckMethod | "all"; json?: boolean }) => {
      exit(await check(casePath, resultPath, options, io));
    });
}

async function check(
  casePath: string,
  resultPath: string | undefined,
  options: { readonly method: CheckMethod | "all"; readonly json?: boolean },
  io: CommandIo,
): Promise<number> {
  let caseText: string;
  let resultText: string | undefined;
  try {
    if (casePath === "-" && resultPath === "-")
      throw new FileError("only one of the case and the result can be read from standard input, got - for both");
    caseText = await readInput(casePath, io);
    resultText = resultPath === undefined ? undefined : await readInput(resultPath, io);
  } catch (error) {
    return reportError(error, "check", io);
  }
  let source = casePath;
  try {
    const problem = readCase(caseText);
    // A case whose own forward or backward pass overflows is bad input, as grad says; no oracle could judge it.
    caseResult(problem);
    let gradients: ParameterArrays | undefined;
    if (resultText !== undefined) {
      source = resultPath!;
      gradients = gradientsFromResult(readJson(resultText, "the result"), problem);
    }
    const report = runChecks(problem, options.method === "all" ? checkMethods : [options.method], gradients);
    io.stdout(`${options.json === true ? formatJson(checkReportJson(report)) : formatCheckReport(report)}\n`);
    return report.passed ? 0 : exitCheckFailed;
  } catch (error) {
    return reportError(error, "check", io, sourceName(source));
  }
}
