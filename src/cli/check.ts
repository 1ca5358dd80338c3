/**
 * The `check` command: `npx backprop-ref check case.json [result.json]` runs the five oracles
 * against the gradients of a case, backprop-ref's own or, with a result file, another
 * implementation's, and prints a report (in JSON with `--json`); it exits 0 when every method
 * passed, 1 when one failed, 2 for bad input. A `backprop-ref/case@2` with a `weightDecay` is
 * checked as it is answered: every oracle differentiates the loss with its penalty.
 *
 * With `--order 2`, `npx backprop-ref check --order 2 case.hvp.json [answer.json]` reads an hvp
 * case (a case with a `direction`) and judges a `backprop-ref/hvp@1` answer, backprop-ref's own
 * or another implementation's, by the oracles of
 * {@link oracles/second-order-check | second-order-check}: every quantity of the answer, the
 * known mistake a failing Hessian-vector product matches, the same exit statuses, and in JSON
 * `backprop-ref/check2@1`. `--method` then chooses among `all`, `complex-step` and `richardson`.
 *
 * @module
 */
import { Option, type Command } from "commander";
import { caseResult, gradientsFromResult, readCase } from "../conformance/case-format.js";
import { readHvpAnswer, readHvpCase } from "../conformance/hvp-format.js";
import { knownHessianMistakes } from "../conformance/second-order-mistakes.js";
import { secondOrder } from "../model/second-order.js";
import { FileError, ValueError } from "../numeric/errors.js";
import type { ParameterArrays } from "../model/network.js";
import { readJson } from "../numeric/read-json.js";
import { formatJson } from "../numeric/json.js";
import { checkMethods, checkReportJson, formatCheckReport, runChecks, type CheckMethod } from "../oracles/check.js";
import { runSecondOrderChecks, secondOrderMethods, type SecondOrderMethod } from "../oracles/second-order-check.js";
import { formatSecondOrderReport, secondOrderReportJson } from "../oracles/second-order-report.js";
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
    .summary("check gradients (or, with --order 2, second-order products) against numeric oracles and print a report")
    .description(
      "check gradients of a case (with its weight decay, for a case@2) against numeric oracles and print a report: backprop-ref's own, " +
        "or, with a second file, another implementation's (the gradients of a backprop-ref/result@1 document); " +
        "exits 1 when a check fails. " +
        "With --order 2 the case is an hvp case (a backprop-ref/case@1 document with a direction), the second file a backprop-ref/hvp@1 answer, " +
        "and every quantity of the answer is judged by oracles that do not use the R-operator: the loss by the forward pass, " +
        "∇E·V by the complex step and by backpropagation's gradient, J V by the complex step, H V by the complex step of the gradient " +
        "and by Richardson extrapolation of differences of gradients, G V by Jᵀ H_ℓ J V with J V from the complex step, and Vᵀ G V ≥ 0 " +
        "for a convex loss; a failing H V is matched against the known mistakes",
    )
    .argument("<case>", "the case file (with --order 2, an hvp case), or - to read standard input")
    .argument(
      "[result]",
      "a backprop-ref/result@1 file (with --order 2, a backprop-ref/hvp@1 answer) to check instead of backprop-ref's own",
    )
    .addOption(
      new Option("--order <order>", "the derivative to check: 1, the gradients, or 2, an hvp answer").choices(["1", "2"]).default("1"),
    )
    .addOption(
      new Option(
        "--method <method>",
        `which oracle to run (with --order 2: all, ${secondOrderMethods.join(" or ")}; the loss, ∇E·V by backpropagation and Vᵀ G V ≥ 0 are judged always)`,
      )
        .choices(["all", ...checkMethods])
        .default("all"),
    )
    .option("--json", "print the report as JSON (backprop-ref/check@1; with --order 2, backprop-ref/check2@1)")
    .action(
      async (
        casePath: string,
        resultPath: string | undefined,
        options: { order: "1" | "2"; method: CheckMethod | "all"; json?: boolean },
      ) => {
        exit(await (options.order === "2" ? checkSecondOrder : check)(casePath, resultPath, options, io));
      },
    );
}

/** The files of a check, read: the case's text and the result's (or the answer's), if there is one. */
async function readFiles(
  casePath: string,
  resultPath: string | undefined,
  io: CommandIo,
): Promise<{ caseText: string; resultText?: string }> {
  if (casePath === "-" && resultPath === "-")
    throw new FileError("only one of the case and the result can be read from standard input, got - for both");
  const caseText = await readInput(casePath, io);
  return resultPath === undefined ? { caseText } : { caseText, resultText: await readInput(resultPath, io) };
}

async function check(
  casePath: string,
  resultPath: string | undefined,
  options: { readonly method: CheckMethod | "all"; readonly json?: boolean },
  io: CommandIo,
): Promise<number> {
  let files: { caseText: string; resultText?: string };
  try {
    files = await readFiles(casePath, resultPath, io);
  } catch (error) {
    return reportError(error, "check", io);
  }
  let source = casePath;
  try {
    const problem = readCase(files.caseText);
    // A case whose own forward or backward pass overflows is bad input, as grad says; no oracle could judge it.
    caseResult(problem);
    let gradients: ParameterArrays | undefined;
    if (files.resultText !== undefined) {
      source = resultPath!;
      gradients = gradientsFromResult(readJson(files.resultText, "the result"), problem);
    }
    const report = runChecks(problem, options.method === "all" ? checkMethods : [options.method], gradients);
    io.stdout(`${options.json === true ? formatJson(checkReportJson(report)) : formatCheckReport(report)}\n`);
    return report.passed ? 0 : exitCheckFailed;
  } catch (error) {
    return reportError(error, "check", io, sourceName(source));
  }
}

/** `check --order 2`: an hvp case, and an hvp@1 answer or backprop-ref's own, judged by the second-order oracles. */
async function checkSecondOrder(
  casePath: string,
  resultPath: string | undefined,
  options: { readonly method: CheckMethod | "all"; readonly json?: boolean },
  io: CommandIo,
): Promise<number> {
  let methods: readonly SecondOrderMethod[];
  let files: { caseText: string; resultText?: string };
  try {
    // The options are checked before any file is read.
    methods = secondOrderMethodsOf(options.method);
    files = await readFiles(casePath, resultPath, io);
  } catch (error) {
    return reportError(error, "check", io);
  }
  let source = casePath;
  try {
    const problem = readHvpCase(files.caseText);
    const { network, inputs, targets, direction } = problem;
    // A case whose own products overflow is bad input, as hvp says; no oracle could judge it.
    secondOrder(network, inputs, targets, direction);
    let answer;
    if (files.resultText !== undefined) {
      source = resultPath!;
      answer = readHvpAnswer(files.resultText, problem);
    }
    const report = runSecondOrderChecks(problem, direction, answer, {
      methods,
      knownMistakes: () => knownHessianMistakes(network, inputs, targets, direction),
    });
    io.stdout(`${options.json === true ? formatJson(secondOrderReportJson(report)) : formatSecondOrderReport(report)}\n`);
    return report.passed ? 0 : exitCheckFailed;
  } catch (error) {
    return reportError(error, "check", io, sourceName(source));
  }
}

/** The second-order oracles a `--method` names, or a ValueError for a method of the first order only. */
function secondOrderMethodsOf(method: CheckMethod | "all"): readonly SecondOrderMethod[] {
  if (method === "all") return secondOrderMethods;
  if ((secondOrderMethods as readonly string[]).includes(method)) return [method as SecondOrderMethod];
  throw new ValueError(
    `--method ${method} is an oracle of the gradient only: with --order 2, --method must be all, ${secondOrderMethods.join(" or ")}`,
  );
}
