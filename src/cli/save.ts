/**
 * Writing files so that nothing is lost: a path is checked before the work that fills it
 * starts, and a file is written whole or not at all.
 *
 * - {@link checkSavePath} runs before training, so that a path that cannot be written (a
 *   missing folder, a folder, an empty name, a device such as `/dev/null`, a folder without
 *   permission) is refused in the first second, not after the run.
 * - {@link saveAtomically} writes to a temporary file beside the target (`.<name>.<pid>-<random>.tmp`),
 *   flushes it to the disk and renames it over the target. A rename within a folder is atomic,
 *   so a reader sees the old file or the new one, never a part; a run killed while writing
 *   leaves the old file as it was (and the temporary file, which names the process).
 *
 * @module
 */
import { constants } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { FileError } from "../numeric/errors.js";

/**
 * Checks that a file can be written at `path` and refuses it otherwise, before any work starts.
 * The target may exist (it will be replaced) if it is a regular file.
 *
 * @param path - where the file will go
 * @param option - the option that named it, as the message says it (`--save`)
 * @throws {@link numeric/errors!FileError | FileError} `<option> <path>: <reason>`
 */
export async function checkSavePath(path: string, option: string): Promise<void> {
  if (path === "") throw new FileError(`${option} must name a file, got an empty name`);
  const folder = dirname(path);
  const folderStatus = await stat(folder).catch(() => null);
  if (folderStatus === null) throw new FileError(`${option} ${path}: the folder ${folder} does not exist`);
  if (!folderStatus.isDirectory()) throw new FileError(`${option} ${path}: ${folder} is not a folder`);
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory() === true) throw new FileError(`${option} ${path}: it is a folder; name a file in it`);
  if (target !== null && !target.isFile()) {
    throw new FileError(`${option} ${path}: it is not a regular file (a device, a pipe or a socket), so it cannot be replaced`);
  }
  // Permission bits do not say it all (root, read-only mounts, access lists): try.
  const probe = temporaryPath(path);
  try {
    await (await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY)).close();
  } catch (error) {
    throw new FileError(`${option} ${path}: cannot write in the folder ${folder}: ${(error as NodeJS.ErrnoException).code}`);
  }
  await rm(probe, { force: true });
}

/**
 * Writes `text` to `path` whole or not at all: to a temporary file beside it, flushed, then
 * renamed over it.
 *
 * @param path - the file to write or replace
 * @param text - its new contents
 * @throws {@link numeric/errors!FileError | FileError} `cannot write <path>: <reason>`, with the old file untouched
 */
export async function saveAtomically(path: string, text: string): Promise<void> {
  const temporary = temporaryPath(path);
  let created = false;
  try {
    const file = await open(temporary, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    created = true;
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // Only a temporary file this call made is removed: whatever else holds the name is left alone.
    if (created) await rm(temporary, { force: true });
    throw new FileError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * A name beside `path` that no other writer uses: the process and a random part, so that a
 * temporary file left by a killed run (whose process number a container may hand out again)
 * never stands in the way of the next.
 */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}
