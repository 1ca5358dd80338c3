/**
 * Reading what a command is given: one reader for a file and for standard input, with the same
 * limit on size and the same handling of encodings.
 *
 * - At most {@link inputLimitBytes} bytes are read, from a file or from standard input alike;
 *   reading stops there, so `grad - < /dev/zero` is refused after 256 MiB rather than growing
 *   until memory runs out.
 * - Text is UTF-8. A UTF-8 byte-order mark (which some Windows editors write) is dropped, by
 *   every command alike. UTF-16 text (its byte-order mark, or the zero bytes that ASCII
 *   characters have in it) and bytes that are not UTF-8 are refused with a message that says so.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { FileError, FormatError } from "../numeric/errors.js";
import type { CommandIo } from "./io.js";

/** The most bytes a command reads from one file or from standard input: 256 MiB, ten times the largest model of the MNIST table. */
export const inputLimitBytes = 256 * 1024 * 1024;

/**
 * How a message names the file it is about: its path, or `standard input` for `-`.
 *
 * @param path - the file, or `-`
 */
export function sourceName(path: string): string {
  return path === "-" ? "standard input" : path;
}

/**
 * The text of a file, or of standard input for `-`.
 *
 * @param path - the file, or `-`
 * @param io - the streams
 * @param limit - the most bytes to read ({@link inputLimitBytes} unless a test asks for fewer)
 * @throws {@link numeric/errors!FileError | FileError} `cannot read <source>: <reason>` when it cannot be read or is larger than
 *   `limit`; {@link numeric/errors!FormatError | FormatError} when it is not UTF-8 text
 */
export async function readInput(path: string, io: CommandIo, limit = inputLimitBytes): Promise<string> {
  const source = sourceName(path);
  if (path === "") throw new FileError("cannot read a file with an empty name");
  const bytes = await readBytes(path === "-" ? io.stdin() : createReadStream(path), source, limit);
  return decodeText(bytes, source);
}

/** All the bytes of a stream, up to `limit`; the stream is left as soon as there are more. */
async function readBytes(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, source: string, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const chunk of chunks) {
      length += chunk.length;
      if (length > limit) throw new FileError(`cannot read ${source}: it is larger than ${sizeInWords(limit)}, the most a command reads`);
      parts.push(chunk);
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`cannot read ${source}: ${systemReason(error as NodeJS.ErrnoException)}`);
  }
  return Buffer.concat(parts, length);
}

/**
 * Bytes as text: UTF-8, its byte-order mark dropped; UTF-16 and invalid UTF-8 refused.
 *
 * @param bytes - what was read
 * @param source - the file, as the message names it
 */
export function decodeText(bytes: Uint8Array, source: string): string {
  const startsWith = (...prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);
  if (startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff) || bytes.subarray(0, 64).includes(0)) {
    throw new FormatError(
      `cannot read ${source}: it is UTF-16 text (or binary), and backprop-ref reads UTF-8; convert it, e.g. iconv -f UTF-16 -t UTF-8`,
    );
  }
  const text = startsWith(0xef, 0xbb, 0xbf) ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(text);
  } catch {
    throw new FormatError(`cannot read ${source}: it is not UTF-8 text`);
  }
}

function systemReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "there is no such file";
    case "EISDIR":
      return "it is a folder, not a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return error.code ?? error.message;
  }
}

function sizeInWords(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
