/**
 * The `example` command: `npx backprop-ref example` prints the worked example, a 2-2-1 sigmoid
 * network taken through the forward pass, every step of backpropagation, one update and a
 * gradient check.
 *
 * @module
 */
import type { Command } from "commander";
import { workedExample } from "../conformance/worked-example.js";
import type { CommandIo } from "./io.js";

/**
 * Adds `example` to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it writes
 */
export function addExampleCommand(program: Command, io: CommandIo): void {
  program
    .command("example")
    .description("print the worked example: forward pass, errors, hidden errors, delta weights and a gradient check")
    .action(() => {
      io.stdout(`${workedExample()}\n`);
    });
}
