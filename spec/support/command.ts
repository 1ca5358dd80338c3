/**
 * Running the command line in the test process, as a user would from a shell: its arguments,
 * its standard input, what it printed and its exit status; and the files it is given.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli/index.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { formatJson } from "../../src/numeric/json.js";

/** What one run of the command line printed, and its exit status. */
export interface CommandRun {
  /** The exit status. */
  readonly status: number;
  /** Everything written to standard output. */
  readonly stdout: string;
  /** Everything written to standard error. */
  readonly stderr: string;
}

/**
 * Standard input that holds `content`, arriving in chunks of at most `chunkBytes` bytes as a pipe delivers it.
 *
 * @param content - the text or bytes
 * @param chunkBytes - the size of each chunk
 */
export function standardInput(content: string | Uint8Array = "", chunkBytes = 65536): () => Iterable<Uint8Array> {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return function* chunks() {
    for (let start = 0; start < bytes.length; start += chunkBytes) yield bytes.subarray(start, start + chunkBytes);
  };
}

/** Runs the command line in-process on the arguments, with `stdin` as standard input. */
export async function runCommand(args: readonly string[], stdin: string | Uint8Array = ""): Promise<CommandRun> {
  let stdout = "";
  let stderr = "";
  const status = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stdin: standardInput(stdin),
  });
  return { status, stdout, stderr };
}

/**
 * A new folder for the files of one spec, under the system's temporary folder.
 *
 * @param name - what the files are for, part of the folder's name
 */
export function scratchFolder(name: string): string {
  return mkdtempSync(join(tmpdir(), `backprop-ref-${name}-`));
}

/**
 * The worked example's case written to a file in `folder`, as `npx backprop-ref grad` reads it.
 *
 * @param folder - where to write it
 * @returns the file's path
 */
export function writeExampleCase(folder: string): string {
  const path = join(folder, "case.json");
  writeFileSync(path, formatJson(workedExampleCase));
  return path;
}
