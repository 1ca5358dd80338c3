/**
 * IDX files made by the specs: a writer as plain as the format (a magic number, big-endian
 * sizes, the bytes), so the reader in src/training/idx.ts is judged against a second, simpler
 * account of the layout, and small MNIST-like files of random sizes and pixels.
 */
import fc from "fast-check";

/**
 * The bytes of an IDX file: `magic` and `sizes` as big-endian 32-bit numbers, then `values`.
 *
 * @param magic - the magic number (`0x00000803` for images, `0x00000801` for labels)
 * @param sizes - the size of each dimension, as the header states it (not checked against the values)
 * @param values - the body
 */
export function writeIdx(magic: number, sizes: readonly number[], values: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * sizes.length + values.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic);
  sizes.forEach((size, d) => view.setUint32(4 + 4 * d, size));
  bytes.set(values, 4 + 4 * sizes.length);
  return bytes;
}

/** An images file's contents, small: 1 to 6 images of 1 to 7 × 1 to 7 random pixels. */
export const idxImages = fc
  .record({ count: fc.integer({ min: 1, max: 6 }), rows: fc.integer({ min: 1, max: 7 }), columns: fc.integer({ min: 1, max: 7 }) })
  .chain(({ count, rows, columns }) =>
    fc
      .uint8Array({ minLength: count * rows * columns, maxLength: count * rows * columns })
      .map((pixels) => ({ count, rows, columns, pixels })),
  );

/** A labels file's contents: 1 to 40 digits. */
export const idxLabels = fc.uint8Array({ min: 0, max: 9, minLength: 1, maxLength: 40 });

/** The bytes of an images file. */
export function imagesFile(images: { count: number; rows: number; columns: number; pixels: Uint8Array }): Uint8Array {
  return writeIdx(0x00000803, [images.count, images.rows, images.columns], images.pixels);
}

/** The bytes of a labels file. */
export function labelsFile(labels: Uint8Array): Uint8Array {
  return writeIdx(0x00000801, [labels.length], labels);
}
