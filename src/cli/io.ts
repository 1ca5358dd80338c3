/**
 * What every command shares: the streams it reads and writes, its exit statuses, and reporting
 * bad input.
 *
 * Every message about bad input is the message of the library's typed error, prefixed with
 * `backprop-ref <command>: ` (and the file it is about, where there is one), written to
 * standard error with exit status 2; so a message read in a terminal can be searched for in the
 * code. An error that is not one of the library's is a bug, and is not caught.
 *
 * @module
 */
import { BackpropRefError } from "../numeric/errors.js";

/** Where the command line reads and writes: the process's streams, or buffers in tests. */
export interface CommandIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Standard input, as the bytes arrive (read through {@link cli/input!readInput | readInput}, which bounds it). */
  readonly stdin: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** Receives a command's exit status. */
export type Exit = (status: number) => void;

/** Exit status for bad input (a malformed case, a missing file, an unknown option). */
export const exitBadInput = 2;

/** Exit status of a command whose check found a difference: `check`, `verify`, `demo`. */
export const exitCheckFailed = 1;

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
