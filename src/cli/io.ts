/**
 * What every command shares: the streams it reads and writes, its exit statuses, reading a
 * file or standard input, and reporting bad input.
 *
 * Every message about bad input is the message of the library's typed error, prefixed with
 * `backprop-ref <command>: ` (and the file it is about, where there is one), written to
 * standard error with exit status 2; so a message read in a terminal can be searched for in the
 * code. An error that is not one of the library's is a bug, and is not caught.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { BackpropRefError, FormatError, ValueError } from "../numeric/errors.js";

/** Where the command line reads and writes: the process's streams, or buffers in tests. */
export interface CommandIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Reads all of standard input. */
  readonly stdin: () => Promise<string>;
}

/** Receives a command's exit status. */
export type Exit = (status: number) => void;

/** Exit status for bad input (a malformed case, a missing file, an unknown option). */
export const exitBadInput = 2;

/** Exit status of a command whose check found a difference: `check`, `verify`, `demo`. */
export const exitCheckFailed = 1;

/**
 * The text of a file, or of standard input for `-`.
 *
 * @param path - the file, or `-`
 * @param io - the streams
 * @throws {@link numeric/errors!FormatError | FormatError} `cannot read <path>: <reason>` when the file cannot be read
 */
export async function readText(path: string, io: CommandIo): Promise<string> {
  try {
    return path === "-" ? await io.stdin() : await readFile(path, "utf8");
  } catch (error) {
    throw new FormatError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * How a message names the file it is about: its path, or `standard input` for `-`.
 *
 * @param path - the file, or `-`
 */
export function sourceName(path: string): string {
  return path === "-" ? "standard input" : path;
}

/**
 * Reports a typed error of the library as bad input, `backprop-ref <command>: [<source>: ]<message>`,
 * and returns {@link exitBadInput}; rethrows anything else.
 *
 * @param error - what was thrown
 * @param command - the command's name
 * @param io - the streams
 * @param source - the file the message is about, when the error is about its contents
 */
export function reportError(error: unknown, command: string, io: CommandIo, source?: string): number {
  if (error instanceof BackpropRefError) {
    io.stderr(`backprop-ref ${command}: ${source === undefined ? "" : `${source}: `}${error.message}\n`);
    return exitBadInput;
  }
  throw error;
}

/**
 * A number given to a command-line option.
 *
 * @param text - what was typed
 * @param option - the option's name, as the message says it (`--lr`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<option> must be a number, got "<text>"`
 */
export function parseNumberOption(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new ValueError(`${option} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * A comma-separated list of numbers given to a command-line option (`--sizes 784,200,10`).
 *
 * @param text - what was typed
 * @param option - the option's name
 */
export function parseNumberList(text: string, option: string): number[] {
  return text.split(",").map((entry) => parseNumberOption(entry.trim(), option));
}
