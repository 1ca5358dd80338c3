#!/usr/bin/env node
/**
 * The executable behind `npx backprop-ref`: runs {@link cli/index!runCli | runCli} on the process's arguments and
 * streams and exits with its status.
 *
 * The library reads the environment variables `BACKPROP_REF_KERNELS` and `BACKPROP_REF_THREADS`
 * when it loads (see {@link numeric/kernel-memory | kernel-memory} and
 * {@link numeric/kernel-thread | kernel-thread}), before any command can catch what it refuses; so
 * the command line is loaded here inside a guard, and a value it refuses is reported as bad
 * usage, in one line naming the variable, with the exit status of bad input, instead of a
 * stack trace.
 *
 * @module
 */
import { exitBadInput } from "./io.js";
import { BackpropRefError } from "../numeric/errors.js";

let cli: typeof import("./index.js");
try {
  cli = await import("./index.js");
} catch (error) {
  if (!(error instanceof BackpropRefError)) throw error;
  process.stderr.write(`backprop-ref: ${error.message}\n`);
  process.exit(exitBadInput);
}

process.exitCode = await cli.runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: () => process.stdin,
});
