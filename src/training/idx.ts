/**
 * The IDX format of LeCun's original MNIST files (`train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte` and their `t10k` test counterparts), read from bytes and checked
 * field by field before use.
 *
 * An IDX file is a header followed by the values, every number of the header a 32-bit
 * unsigned integer written big-endian (most significant byte first):
 *
 * | bytes | field | images file | labels file |
 * | --- | --- | --- | --- |
 * | 0–1 | always zero | `00 00` | `00 00` |
 * | 2 | type of the values | `08`: unsigned bytes | `08`: unsigned bytes |
 * | 3 | number of dimensions $d$ | `03` | `01` |
 * | 4–7 | size of dimension 1 | the number of images $N$ | the number of labels $N$ |
 * | 8–11 | size of dimension 2 | rows $R$ (28 in MNIST) | |
 * | 12–15 | size of dimension 3 | columns $C$ (28 in MNIST) | |
 * | then | the values | $N R C$ pixels, 0 (white) to 255 (black) | $N$ digits, 0 to 9 |
 *
 * Read as one big-endian number, the first four bytes are the magic number: `0x00000803` for
 * images, `0x00000801` for labels. The values follow in row-major order, so pixel $(r, c)$ of
 * image $i$ is byte $16 + (i R + r) C + c$ of the file and label $i$ is byte $8 + i$.
 *
 * The readers return the values as one contiguous `Uint8Array` (a view of the bytes given,
 * not a copy, and never one array per digit): 60,000 training images are 47,040,000 bytes in
 * one block. Everything that can be wrong with a file is refused with a
 * {@link numeric/errors!FormatError | FormatError} whose message begins with the file's name and
 * says what was expected and what was found: a file shorter than its header, a wrong magic
 * number (in hexadecimal, and which kind of file it is when it is the other one), values that
 * are not unsigned bytes, a wrong number of dimensions, a size of zero, sizes whose product
 * exceeds {@link idxMaxValues}, a truncated body, bytes after the body, a label above 9, and
 * an images file paired with a labels file of another length.
 *
 * Files still compressed as LeCun's site serves them (`train-images-idx3-ubyte.gz`, starting
 * with gzip's bytes `1f 8b`) are decompressed with `node:zlib`'s `gunzipSync` before they are
 * read, the output capped at the largest file the reader accepts, so a `.gz` file can be
 * given as it was downloaded and a corrupted or enormous one is refused like any other.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { FormatError } from "../numeric/errors.js";

/** The magic numbers of the two kinds of MNIST file: unsigned bytes (`0x08`) in 3 or 1 dimensions. */
export const idxMagic = {
  /** `0x00000803`: images, $N \times R \times C$ unsigned bytes. */
  images: 0x00000803,
  /** `0x00000801`: labels, $N$ unsigned bytes. */
  labels: 0x00000801,
} as const;

/** One of the two kinds of IDX file that MNIST ships. */
export type IdxKind = keyof typeof idxMagic;

/**
 * The largest number of values, the product of the sizes, a reader accepts unless told
 * otherwise: $2^{30}$, about a billion bytes, twenty times MNIST's 47,040,000 training pixels
 * and twice EMNIST's largest set. Sizes beyond it come from a corrupted header, and refusing
 * them before allocating anything keeps a four-byte error from asking for exabytes.
 */
export const idxMaxValues = 2 ** 30;

/** The largest label of a digit; a labels byte above it is corruption. */
export const largestDigit = 9;

/** What a reader accepts besides the bytes. */
export interface IdxReadOptions {
  /** The largest product of the sizes accepted (default {@link idxMaxValues}); a smaller one refuses large files sooner. */
  readonly maxValues?: number;
}

/** The images of an IDX images file (magic number `0x00000803`). */
export interface IdxImages {
  /** The file's name, as the messages say it. */
  readonly name: string;
  /** $N$, the number of images, at least 1. */
  readonly count: number;
  /** $R$, the rows of each image (28 in MNIST), at least 1. */
  readonly rows: number;
  /** $C$, the columns of each image (28 in MNIST), at least 1. */
  readonly columns: number;
  /** The $N R C$ pixels, 0 to 255, image after image and row after row: pixel $(r, c)$ of image $i$ is `pixels[(i * rows + r) * columns + c]`. */
  readonly pixels: Uint8Array;
}

/** The labels of an IDX labels file (magic number `0x00000801`). */
export interface IdxLabels {
  /** The file's name, as the messages say it. */
  readonly name: string;
  /** $N$, the number of labels, at least 1. */
  readonly count: number;
  /** The $N$ digits, each from 0 to 9. */
  readonly labels: Uint8Array;
}

/** Images and their labels, checked to be as many: label $i$ is the digit of image $i$. */
export interface IdxDigits {
  /** $N$, the number of images and of labels. */
  readonly count: number;
  /** $R$, the rows of each image. */
  readonly rows: number;
  /** $C$, the columns of each image. */
  readonly columns: number;
  /** The $N R C$ pixels, laid out as in {@link IdxImages}. */
  readonly pixels: Uint8Array;
  /** The $N$ digits. */
  readonly labels: Uint8Array;
}

/**
 * Reads an IDX images file: the magic number `0x00000803`, then $N$, $R$ and $C$, then
 * $N R C$ pixels. A gzip-compressed file is decompressed first.
 *
 * @param bytes - the file's contents
 * @param name - the file's name, for the messages (`"train-images-idx3-ubyte"`)
 * @param options - the limit on the file's size
 * @throws {@link numeric/errors!FormatError | FormatError} naming the file and what is wrong with it
 */
export function readIdxImages(bytes: Uint8Array, name: string, options: IdxReadOptions = {}): IdxImages {
  const { sizes, values } = readIdx(bytes, name, "images", options.maxValues ?? idxMaxValues);
  const [count, rows, columns] = sizes as [number, number, number];
  return { name, count, rows, columns, pixels: values };
}

/**
 * Reads an IDX labels file: the magic number `0x00000801`, then $N$, then $N$ labels, each
 * checked to be a digit from 0 to 9. A gzip-compressed file is decompressed first.
 *
 * @param bytes - the file's contents
 * @param name - the file's name, for the messages (`"train-labels-idx1-ubyte"`)
 * @param options - the limit on the file's size
 * @throws {@link numeric/errors!FormatError | FormatError} naming the file and what is wrong with it
 */
export function readIdxLabels(bytes: Uint8Array, name: string, options: IdxReadOptions = {}): IdxLabels {
  const { sizes, values } = readIdx(bytes, name, "labels", options.maxValues ?? idxMaxValues);
  const index = values.findIndex((label) => label > largestDigit);
  if (index >= 0) {
    throw new FormatError(
      `${name}: label ${index} (byte ${headerBytes("labels") + index}) is ${values[index]}, expected a digit from 0 to ${largestDigit}`,
    );
  }
  return { name, count: sizes[0]!, labels: values };
}

/**
 * Pairs an images file with its labels file, refusing two files of different lengths (a
 * training images file with the test labels, say), since label $i$ must be the digit of
 * image $i$.
 *
 * @param images - from {@link readIdxImages}
 * @param labels - from {@link readIdxLabels}
 * @param name - what the pair is, for the message (`"the training set"`)
 * @throws {@link numeric/errors!FormatError | FormatError} when the counts differ
 */
export function pairIdx(images: IdxImages, labels: IdxLabels, name: string): IdxDigits {
  if (images.count !== labels.count) {
    throw new FormatError(
      `${name}: ${images.name} holds ${images.count} images but ${labels.name} holds ${labels.count} labels, expected one label per image`,
    );
  }
  const { count, rows, columns, pixels } = images;
  return { count, rows, columns, pixels, labels: labels.labels };
}

/** The number of dimensions of each kind of file: images are $N \times R \times C$, labels $N$. */
const dimensionCount: Record<IdxKind, number> = { images: 3, labels: 1 };

/** What each size in a header is, in the order the header holds them. */
const sizeNames: Record<IdxKind, readonly string[]> = {
  images: ["the number of images", "the number of rows", "the number of columns"],
  labels: ["the number of labels"],
};

/** The type codes of IDX (the magic number's third byte), in words. */
const typeNames: Readonly<Record<number, string>> = {
  0x08: "unsigned bytes",
  0x09: "signed bytes",
  0x0b: "16-bit integers",
  0x0c: "32-bit integers",
  0x0d: "32-bit floats",
  0x0e: "64-bit floats",
};

/** The header's length in bytes: the magic number and one 4-byte size per dimension. */
function headerBytes(kind: IdxKind): number {
  return 4 + 4 * dimensionCount[kind];
}

/** A 32-bit number as the messages write it: `0x` and eight hexadecimal digits. */
function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** A count with its noun, for the messages: "1 image", "3 labels". */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The checks every IDX file passes, in the order its bytes are read: decompression, the
 * header's length, the magic number, the sizes, the body's length. Returns the sizes and the
 * body as a view of the (decompressed) bytes.
 */
function readIdx(compressed: Uint8Array, name: string, kind: IdxKind, maxValues: number): { sizes: number[]; values: Uint8Array } {
  const header = headerBytes(kind);
  const bytes = gunzipIfCompressed(compressed, name, kind, maxValues);
  if (bytes.length < 4) throw shortHeader(bytes.length, name, kind);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkMagic(view.getUint32(0), name, kind);
  if (bytes.length < header) throw shortHeader(bytes.length, name, kind);
  const sizes = sizeNames[kind].map((_, d) => view.getUint32(4 + 4 * d));
  const expected = checkSizes(sizes, name, kind, maxValues);
  const given = bytes.length - header;
  const what = kind === "images" ? `${plural(sizes[0]!, "image")} of ${sizes[1]} × ${sizes[2]} pixels` : plural(sizes[0]!, "label");
  if (given < expected) {
    throw new FormatError(
      `${name}: the file is truncated: expected ${expected} bytes after the ${header}-byte header for ${what}, got ${given}`,
    );
  }
  if (given > expected) {
    throw new FormatError(
      `${name}: ${plural(given - expected, "byte")} ${given - expected === 1 ? "follows" : "follow"} the ${expected} bytes of ${what}: ` +
        `expected the file to end at byte ${header + expected}, it is ${bytes.length} bytes long`,
    );
  }
  return { sizes, values: bytes.subarray(header) };
}

/** The error for a file that ends before its header does. */
function shortHeader(length: number, name: string, kind: IdxKind): FormatError {
  return new FormatError(
    `${name}: the file is ${plural(length, "byte")}, shorter than the ${headerBytes(kind)}-byte header of an IDX ${kind} file ` +
      `(a 4-byte magic number, then ${dimensionCount[kind]} sizes of 4 bytes)`,
  );
}

/**
 * Decompresses a file that starts with gzip's magic bytes `1f 8b`, refusing one that does not
 * decompress or that decompresses to more bytes than the largest file of its kind accepted (the
 * header and `maxValues` values), without ever holding more than that; returns any other file
 * as it is. Only one layer is removed: a file compressed twice is refused by its magic number.
 */
function gunzipIfCompressed(bytes: Uint8Array, name: string, kind: IdxKind, maxValues: number): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const limit = headerBytes(kind) + maxValues;
  try {
    const output = gunzipSync(bytes, { maxOutputLength: limit });
    // A plain Uint8Array over the Buffer's bytes, so decompressed files read like the others.
    return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  } catch (error) {
    const start = `${name}: the file is gzip-compressed (it starts with 1f 8b)`;
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new FormatError(
        `${start} and decompresses to more than ${limit} bytes, the most an IDX ${kind} file of ${maxValues} values or fewer takes`,
      );
    }
    throw new FormatError(`${start} and does not decompress: ${(error as Error).message}`);
  }
}

/**
 * Refuses a magic number other than the kind's, saying which byte is wrong: not IDX at all
 * (the first two bytes are not zero), values of another type than unsigned bytes, or another
 * number of dimensions, which for 1 and 3 is the other kind of MNIST file.
 */
function checkMagic(magic: number, name: string, kind: IdxKind): void {
  if (magic === idxMagic[kind]) return;
  const start = `${name}: the magic number is ${hex32(magic)} but an IDX ${kind} file starts with ${hex32(idxMagic[kind])}`;
  if (magic >>> 16 === 0x1f8b) throw new FormatError(`${start}: it is still gzip-compressed after one decompression; gunzip it twice`);
  if (magic >>> 16 !== 0) throw new FormatError(`${start}: this is not an IDX file (its first two bytes are not zero)`);
  const type = (magic >>> 8) & 0xff;
  if (type !== 0x08) {
    const typeName = typeNames[type] ?? "of no type IDX defines";
    throw new FormatError(`${start}: its values are ${typeName} (0x${type.toString(16).padStart(2, "0")}), expected unsigned bytes (0x08)`);
  }
  const other: IdxKind = kind === "images" ? "labels" : "images";
  if (magic === idxMagic[other]) throw new FormatError(`${start}: this is ${other === "images" ? "an" : "a"} ${other} file, not ${kind}`);
  throw new FormatError(`${start}: it has ${plural(magic & 0xff, "dimension")}, expected ${dimensionCount[kind]}`);
}

/**
 * Refuses a size of zero and sizes whose product, the number of values, exceeds `maxValues`;
 * returns the product. A product of numbers below $2^{32}$ is computed exactly in float64 while
 * it stays below $2^{53}$, and rounding never carries a larger one below the limit.
 */
function checkSizes(sizes: readonly number[], name: string, kind: IdxKind, maxValues: number): number {
  sizes.forEach((size, d) => {
    if (size === 0) throw new FormatError(`${name}: ${sizeNames[kind][d]} (bytes ${4 + 4 * d}–${7 + 4 * d}) is 0, expected at least 1`);
  });
  const product = sizes.reduce((total, size) => total * size, 1);
  if (product > maxValues) {
    throw new FormatError(
      `${name}: the sizes ${sizes.join(" × ")} make ${product} values, more than the ${maxValues} accepted: the header is corrupted`,
    );
  }
  return product;
}
