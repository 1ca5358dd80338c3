#!/usr/bin/env node
/**
 * The executable behind `npx backprop-ref`: runs {@link cli/index!runCli | runCli} on the process's arguments and
 * streams and exits with its status.
 *
 * @module
 */
import { runCli } from "./index.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: () => process.stdin,
});
