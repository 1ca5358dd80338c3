import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeText, inputLimitBytes, readInput } from "../../src/cli/input.js";
import type { CommandIo } from "../../src/cli/io.js";
import { FileError, FormatError } from "../../src/numeric/errors.js";
import { runCommand, scratchFolder, standardInput, writeExampleCase } from "../support/command.js";

const directory = scratchFolder("input");

/** Streams whose standard input is `stdin`. */
function withInput(stdin: CommandIo["stdin"]): CommandIo {
  return { stdout: () => undefined, stderr: () => undefined, stdin };
}

describe("reading a command's input", () => {
  it("stops reading standard input at the limit, so an endless stream is refused instead of filling memory", async () => {
    let delivered = 0;
    function* endless() {
      for (;;) {
        delivered += 1024;
        yield new Uint8Array(1024);
      }
    }
    await expect(readInput("-", withInput(endless), 10_000)).rejects.toThrow(
      new FileError("cannot read standard input: it is larger than 10000 bytes, the most a command reads"),
    );
    expect(delivered).toBeLessThanOrEqual(11 * 1024);
  });

  it("holds a file to the same limit as standard input", async () => {
    const path = join(directory, "large.json");
    writeFileSync(path, " ".repeat(20_000));
    await expect(readInput(path, withInput(standardInput()), 10_000)).rejects.toThrow(
      new FileError(`cannot read ${path}: it is larger than 10000 bytes, the most a command reads`),
    );
    expect(inputLimitBytes).toBe(256 * 1024 * 1024);
  });

  it("says in words why a file cannot be read: missing, a folder, an empty name", async () => {
    const io = withInput(standardInput());
    await expect(readInput(join(directory, "missing.json"), io)).rejects.toThrow(/: there is no such file$/);
    mkdirSync(join(directory, "folder"));
    await expect(readInput(join(directory, "folder"), io)).rejects.toThrow(/: it is a folder, not a file$/);
    await expect(readInput("", io)).rejects.toThrow(new FileError("cannot read a file with an empty name"));
  });

  it("drops a UTF-8 byte-order mark for every command alike, from a file and from standard input", async () => {
    const casePath = writeExampleCase(directory);
    const text = '{"a": 1}';
    const marked = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(decodeText(marked, "case.json")).toBe(text);
    const plain = await runCommand(["grad", casePath]);
    const withMark = await runCommand(["grad", "-"], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(casePath)]));
    expect(withMark).toStrictEqual(plain);
    expect(withMark.status).toBe(0);
  });

  it("refuses UTF-16 text and bytes that are not UTF-8, saying which", () => {
    const utf16 = Buffer.from("\ufeff{}", "utf16le");
    expect(() => decodeText(utf16, "case.json")).toThrow(
      new FormatError(
        "cannot read case.json: it is UTF-16 text (or binary), and backprop-ref reads UTF-8; convert it, e.g. iconv -f UTF-16 -t UTF-8",
      ),
    );
    // UTF-16 without its mark still has a zero byte beside every ASCII character.
    expect(() => decodeText(Buffer.from("{}", "utf16le"), "case.json")).toThrow(/it is UTF-16 text/);
    expect(() => decodeText(Buffer.from([0x7b, 0xff, 0x7d]), "case.json")).toThrow(
      new FormatError("cannot read case.json: it is not UTF-8 text"),
    );
  });

  it("reads standard input however it arrives, in one chunk or byte by byte", async () => {
    const text = "héllo, wörld ✓";
    const io = (chunk: number) => withInput(standardInput(text, chunk));
    expect(await readInput("-", io(1))).toBe(text);
    expect(await readInput("-", io(1 << 16))).toBe(text);
  });

  it("reads exactly the limit, and says the limit in MiB when it is that large", async () => {
    expect(await readInput("-", withInput(standardInput("x".repeat(100))), 100)).toBe("x".repeat(100));
    await expect(readInput("-", withInput(standardInput("x".repeat(101))), 100)).rejects.toThrow(/larger than 100 bytes,/);
    await expect(readInput("-", withInput(standardInput("x".repeat(1024 * 1024 + 1))), 1024 * 1024)).rejects.toThrow(/larger than 1 MiB,/);
    await expect(readInput("-", withInput(standardInput("x".repeat(3 * 1024 * 1024))), 2 * 1024 * 1024)).rejects.toThrow(
      new FileError("cannot read standard input: it is larger than 2 MiB, the most a command reads"),
    );
  });

  it("refuses text that starts with either UTF-16 byte-order mark, even with no zero byte after it", () => {
    for (const mark of [
      [0xff, 0xfe],
      [0xfe, 0xff],
    ]) {
      expect(() => decodeText(Uint8Array.from([...mark, 0x7b, 0x7d]), "case.json")).toThrow(/it is UTF-16 text/);
    }
    expect(decodeText(Uint8Array.from([0x7b]), "case.json")).toBe("{");
  });

  it("names the system's reason when a read fails: permission, or the error's own code or message", async () => {
    const casePath = writeExampleCase(directory);
    const failing = (error: object) =>
      withInput(() => ({
        [Symbol.iterator]: () => ({
          next: () => {
            throw Object.assign(new Error("the stream broke"), error);
          },
        }),
      }));
    await expect(readInput("-", failing({ code: "EACCES" }))).rejects.toThrow(
      new FileError("cannot read standard input: permission denied"),
    );
    await expect(readInput("-", failing({ code: "EPERM" }))).rejects.toThrow(
      new FileError("cannot read standard input: permission denied"),
    );
    await expect(readInput("-", failing({ code: "EIO" }))).rejects.toThrow(new FileError("cannot read standard input: EIO"));
    await expect(readInput("-", failing({}))).rejects.toThrow(new FileError("cannot read standard input: the stream broke"));
    await expect(readInput(join(casePath, "inside.json"), withInput(standardInput()))).rejects.toThrow(/: ENOTDIR$/);
  });
});
