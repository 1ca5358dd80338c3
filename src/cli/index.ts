/**
 * The command line, a thin layer over the library, one file per command: `grad` prints the
 * reference result of a case, `hvp` its second-order products along a direction, `check`
 * checks gradients against numeric oracles, `verify` compares another implementation's results
 * with the reference, `fuzz` property-tests another implementation against it, `example`
 * prints the worked example, `train`, `predict` and `demo` train and use networks on XOR, Iris
 * and MNIST's standard split.
 *
 * A result goes to standard output with exit status 0; bad input gets the library's message on
 * standard error and exit status 2 (see {@link cli/io | io}); a check or verification that
 * finds a difference exits with status 1.
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import { addCheckCommand } from "./check.js";
import { addDemoCommand } from "./demo.js";
import { addExampleCommand } from "./example.js";
import { addFuzzCommand } from "./fuzz.js";
import { addGradCommand } from "./grad.js";
import { addHvpCommand } from "./hvp.js";
import { exitBadInput, type CommandIo } from "./io.js";
import { addPredictCommand } from "./predict.js";
import { addTrainCommand } from "./train.js";
import { addVerifyCommand } from "./verify.js";

/**
 * Runs the command line on its arguments and returns the exit status.
 *
 * @param args - the arguments after the program name, e.g. `["grad", "case.json"]`
 * @param io - the streams to use
 * @param terminal - the terminal to draw the progress bars of `train`, `demo` and `fuzz` on, or `null`
 *   to draw none (the default: standard output if it is a terminal)
 */
export async function runCli(
  args: readonly string[],
  io: CommandIo,
  terminal: NodeJS.WriteStream | null = process.stdout.isTTY ? process.stdout : null,
): Promise<number> {
  const program = new Command("backprop-ref")
    .description("A reference implementation of the multilayer perceptron and its backpropagation.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  let status = 0;
  const exit = (code: number): void => {
    status = code;
  };
  addGradCommand(program, io, exit);
  addHvpCommand(program, io, exit);
  addCheckCommand(program, io, exit);
  addExampleCommand(program, io);
  addVerifyCommand(program, io, exit);
  addFuzzCommand(program, io, exit, terminal);
  addTrainCommand(program, io, exit, terminal);
  addPredictCommand(program, io, exit);
  addDemoCommand(program, io, exit, terminal);
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitBadInput;
    throw error;
  }
  return status;
}
