import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../../src/numeric/errors.js";
import { idxMagic, idxMaxValues, pairIdx, readIdxImages, readIdxLabels } from "../../src/training/idx.js";
import { numRuns } from "../support/arbitraries.js";
import { idxImages, idxLabels, imagesFile, labelsFile, writeIdx } from "../support/idx.js";

/** The message of the FormatError that `read` throws; fails if it throws anything else or nothing. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return (error as FormatError).message;
  }
  throw new Error("expected a FormatError, but the file was accepted");
}

const images = (bytes: Uint8Array, options?: { maxValues?: number }) => () => readIdxImages(bytes, "images.idx", options);
const labels = (bytes: Uint8Array) => () => readIdxLabels(bytes, "labels.idx");

/** Two 2 × 3 images and their labels, for the exact messages. */
const twoImages = imagesFile({ count: 2, rows: 2, columns: 3, pixels: Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]) });
const twoLabels = labelsFile(Uint8Array.from([7, 3]));

describe("the IDX reader", () => {
  it("reads back every images file the writer makes: sizes from the big-endian header, pixels in row-major order, in one array", () => {
    fc.assert(
      fc.property(idxImages, (written) => {
        const read = readIdxImages(imagesFile(written), "images.idx");
        expect(read).toStrictEqual({ name: "images.idx", ...written });
      }),
      { numRuns },
    );
    const read = readIdxImages(twoImages, "images.idx");
    expect(read.pixels[(1 * read.rows + 0) * read.columns + 2]).toBe(252); // image 1, row 0, column 2
  });

  it("reads back every labels file the writer makes, and pairs images with as many labels", () => {
    fc.assert(
      fc.property(idxLabels, (written) => {
        expect(readIdxLabels(labelsFile(written), "labels.idx")).toStrictEqual({
          name: "labels.idx",
          count: written.length,
          labels: written,
        });
      }),
      { numRuns },
    );
    const digits = pairIdx(readIdxImages(twoImages, "images.idx"), readIdxLabels(twoLabels, "labels.idx"), "the training set");
    expect(digits).toMatchObject({ count: 2, rows: 2, columns: 3, labels: Uint8Array.from([7, 3]) });
    expect(digits.pixels.length).toBe(12);
  });

  it("reads a file that is a view into a larger buffer, at any offset", () => {
    fc.assert(
      fc.property(idxImages, fc.integer({ min: 1, max: 9 }), (written, offset) => {
        const file = imagesFile(written);
        const larger = new Uint8Array(offset + file.length + 3);
        larger.set(file, offset);
        expect(readIdxImages(larger.subarray(offset, offset + file.length), "images.idx").pixels).toStrictEqual(written.pixels);
      }),
      { numRuns },
    );
  });

  it("decompresses a gzip-compressed file as it was downloaded, and refuses one that does not decompress", () => {
    fc.assert(
      fc.property(idxImages, idxLabels, (writtenImages, writtenLabels) => {
        expect(readIdxImages(gzipSync(imagesFile(writtenImages)), "images.idx.gz").pixels).toStrictEqual(writtenImages.pixels);
        expect(readIdxLabels(gzipSync(labelsFile(writtenLabels)), "labels.idx.gz").labels).toStrictEqual(writtenLabels);
      }),
      { numRuns },
    );
    const compressed = gzipSync(twoImages);
    expect(refusal(images(compressed.subarray(0, compressed.length - 9)))).toBe(
      "images.idx: the file is gzip-compressed (it starts with 1f 8b) and does not decompress: unexpected end of file",
    );
    const corrupted = Uint8Array.from(compressed);
    corrupted[corrupted.length - 5]! ^= 1; // the CRC-32 of the decompressed bytes
    expect(refusal(images(corrupted))).toBe(
      "images.idx: the file is gzip-compressed (it starts with 1f 8b) and does not decompress: incorrect data check",
    );
    expect(refusal(images(compressed, { maxValues: 11 }))).toBe(
      "images.idx: the file is gzip-compressed (it starts with 1f 8b) and decompresses to more than 27 bytes, the most an IDX images file of 11 values or fewer takes",
    );
    expect(refusal(images(gzipSync(gzipSync(twoImages))))).toBe(
      "images.idx: the magic number is 0x1f8b0800 but an IDX images file starts with 0x00000803: it is still gzip-compressed after one decompression; gunzip it twice",
    );
    expect(refusal(images(gzipSync(twoLabels)))).toBe(
      "images.idx: the magic number is 0x00000801 but an IDX images file starts with 0x00000803: this is a labels file, not images",
    );
  });

  it("refuses a file cut short at every length, naming the header or the body's expected and given bytes", () => {
    const law = (file: Uint8Array, header: number, kind: string, length: number) =>
      length < header
        ? `${kind}.idx: the file is ${length} byte${length === 1 ? "" : "s"}, shorter than the ${header}-byte header of an IDX ${kind} file ` +
          `(a 4-byte magic number, then ${(header - 4) / 4} sizes of 4 bytes)`
        : new RegExp(
            `^${kind}\\.idx: the file is truncated: expected ${file.length - header} bytes after the ${header}-byte header for .*, got ${length - header}$`,
          );
    fc.assert(
      fc.property(
        idxImages.chain((written) => fc.tuple(fc.constant(imagesFile(written)), fc.nat({ max: imagesFile(written).length - 1 }))),
        ([file, length]) => {
          const message = refusal(images(file.subarray(0, length)));
          const expected = law(file, 16, "images", length);
          if (typeof expected === "string") expect(message).toBe(expected);
          else expect(message).toMatch(expected);
        },
      ),
      { numRuns },
    );
    for (let length = 0; length < twoLabels.length; length++) {
      const expected = law(twoLabels, 8, "labels", length);
      const message = refusal(labels(twoLabels.subarray(0, length)));
      if (typeof expected === "string") expect(message).toBe(expected);
      else expect(message).toMatch(expected);
    }
    expect(refusal(images(twoImages.subarray(0, 20)))).toBe(
      "images.idx: the file is truncated: expected 12 bytes after the 16-byte header for 2 images of 2 × 3 pixels, got 4",
    );
    expect(refusal(labels(twoLabels.subarray(0, 9)))).toBe(
      "labels.idx: the file is truncated: expected 2 bytes after the 8-byte header for 2 labels, got 1",
    );
    expect(refusal(images(new Uint8Array(0)))).toBe(
      "images.idx: the file is 0 bytes, shorter than the 16-byte header of an IDX images file (a 4-byte magic number, then 3 sizes of 4 bytes)",
    );
  });

  it("refuses bytes after the body, saying how many and where the file should end", () => {
    fc.assert(
      fc.property(idxImages, fc.uint8Array({ minLength: 1, maxLength: 20 }), (written, extra) => {
        const file = imagesFile(written);
        const longer = new Uint8Array(file.length + extra.length);
        longer.set(file);
        longer.set(extra, file.length);
        expect(refusal(images(longer))).toMatch(
          new RegExp(
            `^images\\.idx: ${extra.length} bytes? follows? the ${written.pixels.length} bytes of .*: expected the file to end at byte ${file.length}, it is ${longer.length} bytes long$`,
          ),
        );
      }),
      { numRuns },
    );
    expect(refusal(labels(Uint8Array.from([...twoLabels, 0])))).toBe(
      "labels.idx: 1 byte follows the 2 bytes of 2 labels: expected the file to end at byte 10, it is 11 bytes long",
    );
  });

  it("refuses a wrong magic number, giving both in hexadecimal and which byte is wrong", () => {
    const withMagic = (file: Uint8Array, magic: number) => {
      const copy = Uint8Array.from(file);
      new DataView(copy.buffer).setUint32(0, magic);
      return copy;
    };
    const start = (magic: string) => `images.idx: the magic number is ${magic} but an IDX images file starts with 0x00000803: `;
    expect(refusal(images(twoLabels))).toBe(`${start("0x00000801")}this is a labels file, not images`);
    expect(refusal(labels(twoImages))).toBe(
      "labels.idx: the magic number is 0x00000803 but an IDX labels file starts with 0x00000801: this is an images file, not labels",
    );
    expect(refusal(images(withMagic(twoImages, 0x89504e47)))).toBe(
      `${start("0x89504e47")}this is not an IDX file (its first two bytes are not zero)`,
    );
    expect(refusal(images(withMagic(twoImages, 0x00000d03)))).toBe(
      `${start("0x00000d03")}its values are 32-bit floats (0x0d), expected unsigned bytes (0x08)`,
    );
    expect(refusal(images(withMagic(twoImages, 0x00000903)))).toBe(
      `${start("0x00000903")}its values are signed bytes (0x09), expected unsigned bytes (0x08)`,
    );
    expect(refusal(images(withMagic(twoImages, 0x00002a03)))).toBe(
      `${start("0x00002a03")}its values are of no type IDX defines (0x2a), expected unsigned bytes (0x08)`,
    );
    expect(refusal(images(withMagic(twoImages, 0x00000802)))).toBe(`${start("0x00000802")}it has 2 dimensions, expected 3`);
    expect(refusal(labels(withMagic(twoLabels, 0x00000800)))).toBe(
      "labels.idx: the magic number is 0x00000800 but an IDX labels file starts with 0x00000801: it has 0 dimensions, expected 1",
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }).filter((magic) => magic !== idxMagic.images),
        (magic) => {
          const hex = `0x${magic.toString(16).padStart(8, "0")}`;
          expect(refusal(images(withMagic(twoImages, magic)))).toMatch(new RegExp(`^${start(hex)}`));
        },
      ),
      { numRuns },
    );
  });

  it("refuses a size of zero, naming the field and its bytes", () => {
    expect(refusal(images(writeIdx(0x803, [0, 28, 28], new Uint8Array(0))))).toBe(
      "images.idx: the number of images (bytes 4–7) is 0, expected at least 1",
    );
    expect(refusal(images(writeIdx(0x803, [5, 0, 28], new Uint8Array(0))))).toBe(
      "images.idx: the number of rows (bytes 8–11) is 0, expected at least 1",
    );
    expect(refusal(images(writeIdx(0x803, [5, 28, 0], new Uint8Array(0))))).toBe(
      "images.idx: the number of columns (bytes 12–15) is 0, expected at least 1",
    );
    expect(refusal(labels(writeIdx(0x801, [0], new Uint8Array(0))))).toBe(
      "labels.idx: the number of labels (bytes 4–7) is 0, expected at least 1",
    );
  });

  it("refuses sizes whose product exceeds the limit before allocating anything", () => {
    expect(refusal(images(writeIdx(0x803, [2 ** 32 - 1, 65536, 65536], new Uint8Array(0))))).toBe(
      `images.idx: the sizes 4294967295 × 65536 × 65536 make 18446744069414584000 values, more than the ${idxMaxValues} accepted: the header is corrupted`,
    );
    expect(refusal(images(writeIdx(0x803, [1025, 1024, 1024], new Uint8Array(0))))).toMatch(
      /make 1074790400 values, more than the 1073741824 accepted/,
    );
    expect(refusal(images(twoImages, { maxValues: 11 }))).toBe(
      "images.idx: the sizes 2 × 2 × 3 make 12 values, more than the 11 accepted: the header is corrupted",
    );
    expect(readIdxImages(twoImages, "images.idx", { maxValues: 12 }).count).toBe(2);
  });

  it("refuses a label above 9, naming the first one and its byte", () => {
    fc.assert(
      fc.property(
        idxLabels.chain((written) =>
          fc.tuple(fc.constant(written), fc.nat({ max: written.length - 1 }), fc.integer({ min: 10, max: 255 })),
        ),
        ([written, index, label]) => {
          const corrupted = Uint8Array.from(written);
          corrupted[index] = label;
          expect(refusal(labels(labelsFile(corrupted)))).toBe(
            `labels.idx: label ${index} (byte ${8 + index}) is ${label}, expected a digit from 0 to 9`,
          );
        },
      ),
      { numRuns },
    );
  });

  it("refuses to pair images with labels of another count, naming both files", () => {
    const threeLabels = readIdxLabels(labelsFile(Uint8Array.from([1, 2, 3])), "t10k-labels-idx1-ubyte");
    expect(refusal(() => pairIdx(readIdxImages(twoImages, "train-images-idx3-ubyte"), threeLabels, "the training set"))).toBe(
      "the training set: train-images-idx3-ubyte holds 2 images but t10k-labels-idx1-ubyte holds 3 labels, expected one label per image",
    );
  });
});
