/**
 * Damage to valid documents, shared by the specs that feed malformed input to the library and
 * to the command line: one node of a document, chosen at random, replaced by a hostile value or
 * deleted; and damage to the text itself (cut short, a byte changed, NaN written in).
 */
import fc from "fast-check";

/** Values that have broken parsers: non-finite numbers, huge and fractional sizes, wrong types, big and deep arrays. */
export const hostile = fc.oneof(
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    -1,
    0,
    -0,
    0.5,
    1e308,
    2 ** 53,
    1e9,
    "",
    "1",
    "NaN",
    true,
    false,
    null,
    [],
    {},
    [[]],
    [[[]]],
    { weights: [] },
  ),
  fc.constant(Array.from({ length: 100_000 }, () => 1)),
  fc.constant(Array.from({ length: 2_000 }, () => 0).reduce<unknown>((nested) => [nested], 1)),
  fc.string({ maxLength: 50 }),
  fc.double(),
);

export type Path = (string | number)[];

/** Every path to a node of a JSON value, the root excluded. */
export function paths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...paths(item, [...prefix, index])]);
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...paths(item, [...prefix, key])]);
  return [];
}

/** A copy of `value` with the node at `path` replaced by `replacement`, or deleted when `replacement` is `undefined`. */
export function damaged(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

/** A damaged document: a valid one with one node replaced or deleted. */
export function damage<T>(documents: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return documents.chain((document) =>
    fc
      .tuple(fc.constantFrom(...paths(document)), fc.oneof(hostile, fc.constant(undefined)))
      .map(([path, replacement]) => damaged(document, path, replacement)),
  );
}

/** Damaged text: cut short, one character replaced, `NaN` or `Infinity` written over a number, a byte-order mark or UTF-16 bytes. */
export function damageText(text: string): fc.Arbitrary<string | Uint8Array> {
  const at = fc.nat({ max: Math.max(0, text.length - 1) });
  return fc.oneof(
    at.map((cut) => text.slice(0, cut)),
    fc
      .tuple(at, fc.constantFrom("\u0000", "{", "]", '"', ",", "\\", "\ud800", "é", " "))
      .map(([index, character]) => text.slice(0, index) + character + text.slice(index + 1)),
    fc.constantFrom("NaN", "Infinity", "-Infinity", "1e400", "-0", "0x10").map((token) => text.replace(/-?\d+(\.\d+)?(e-?\d+)?/, token)),
    fc.constant(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])),
    fc.constant(Buffer.from(text, "utf16le")),
  );
}
