/**
 * The `grad` command: `npx backprop-ref grad case.json` reads a `backprop-ref/case@1` document
 * (or a `backprop-ref/case@2`, whose `weightDecay` adds its penalty to the loss) and prints its
 * `backprop-ref/result@1` document (the loss, the outputs, the gradients, the delta weights and
 * the updated weights), every number in the shortest form that reads back to the same float64.
 *
 * @module
 */
import type { Command } from "commander";
import { caseResult, readCase } from "../conformance/case-format.js";
import { formatJson } from "../numeric/json.js";
import { readInput, sourceName } from "./input.js";
import { reportError, type CommandIo, type Exit } from "./io.js";

/**
 * Adds `grad` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the exit status: 0 done, 2 bad input
 */
export function addGradCommand(program: Command, io: CommandIo, exit: Exit): void {
  program
    .command("grad")
    .description(
      "read a backprop-ref/case@1 document (or a case@2, with a weightDecay) and print its backprop-ref/result@1 document: " +
        "the loss, the outputs, the gradients, the delta weights and the updated weights",
    )
    .argument("<case>", "the case file, or - to read standard input")
    .action(async (path: string) => {
      exit(await grad(path, io));
    });
}

async function grad(path: string, io: CommandIo): Promise<number> {
  let text: string;
  try {
    text = await readInput(path, io);
  } catch (error) {
    return reportError(error, "grad", io);
  }
  try {
    io.stdout(`${formatJson(caseResult(readCase(text)))}\n`);
    return 0;
  } catch (error) {
    return reportError(error, "grad", io, sourceName(path));
  }
}
