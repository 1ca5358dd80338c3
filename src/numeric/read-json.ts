/**
 * Reading JSON text that someone else wrote: every document backprop-ref reads (a case, a
 * result, a model, a vector file, samples) goes through {@link readJson}, so that each kind of
 * malformed text gets the same clear message.
 *
 * Two mistakes are common enough to be named rather than left to the parser's words:
 *
 * - `NaN`, `Infinity` and `-Infinity`, which JSON does not have but Python's `json.dumps`
 *   writes for the floats `nan` and `inf` unless it is given `allow_nan=False`; most cases are
 *   written from Python, so the message names the field that holds one.
 * - Nesting deeper than any backprop-ref document needs ({@link maximumJsonDepth} levels): the
 *   parser itself copes, but a message that describes such a value, a schema check or a
 *   recursive reader would exhaust the stack; it is refused here, with the path where it goes
 *   too deep.
 *
 * @module
 */
import { FormatError } from "./errors.js";

/**
 * The deepest nesting of arrays and objects accepted: a vector file, the deepest document,
 * nests 8 levels (`testGroups[g].tests[t].case.weights[l][j][k]`).
 */
export const maximumJsonDepth = 64;

/**
 * Parses JSON text, or throws a {@link numeric/errors!FormatError | FormatError} that says what is wrong in words
 * a user can act on.
 *
 * @param text - the JSON text
 * @param what - the document, as the message names it (`"the case"`)
 * @throws {@link numeric/errors!FormatError | FormatError} `<what> is not valid JSON: …`, naming the field
 *   for `NaN` or an infinity, and the path where the nesting exceeds {@link maximumJsonDepth}
 */
export function readJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`${what} is not valid JSON: ${nonFiniteField(text) ?? oneLine((error as Error).message)}`);
  }
  const tooDeep = pathBeyondDepth(value, maximumJsonDepth);
  if (tooDeep !== null) {
    throw new FormatError(`${what} nests arrays and objects deeper than ${maximumJsonDepth} levels, at ${tooDeep}`);
  }
  return value;
}

/**
 * The parser's message on one line: it quotes the text around the mistake, which may hold line
 * breaks, other control characters or half of a surrogate pair; those are written as JSON
 * escapes (`\u000a`, `\u0000`, `\ud800`), so that a message is always one printable line.
 */
function oneLine(message: string): string {
  return message.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this escapes
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const nonFiniteMarker = "\u0000backprop-ref non-finite:";

/**
 * Where the text holds `NaN`, `Infinity` or `-Infinity` outside a string, as a message; `null`
 * when it holds none, or when the text is not valid JSON even with them read as strings.
 */
function nonFiniteField(text: string): string | null {
  if (!/NaN|Infinity/.test(text)) return null;
  let marked = "";
  let found = false;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (inString) {
      marked += character;
      if (character === "\\") marked += text[++index] ?? "";
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    const token = /^-?(?:NaN|Infinity)/.exec(text.slice(index, index + 9))?.[0];
    if (token === undefined) {
      marked += character;
      continue;
    }
    marked += JSON.stringify(nonFiniteMarker + token);
    index += token.length - 1;
    found = true;
  }
  if (!found) return null;
  let value: unknown;
  try {
    value = JSON.parse(marked);
  } catch {
    return null;
  }
  const place = markerPlace(value);
  if (place === null) return null;
  return (
    `${place.path === "" ? "the document" : place.path} is ${place.token}, which JSON does not have ` +
    "(Python's json.dumps writes NaN and Infinity for non-finite floats unless given allow_nan=False); write a finite number"
  );
}

/** The first marked number, depth first in document order, and its path. */
function markerPlace(root: unknown): { path: string; token: string } | null {
  const pending: [unknown, string][] = [[root, ""]];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === "string" && value.startsWith(nonFiniteMarker)) return { path, token: value.slice(nonFiniteMarker.length) };
    for (const [key, item] of children(value, path, (item) => typeof item === "string" || isContainer(item)).reverse()) {
      pending.push([item, key]);
    }
  }
  return null;
}

/** The path of the first value nested deeper than `limit` levels, or `null`; shown to its first few levels, then `…`. */
function pathBeyondDepth(root: unknown, limit: number): string | null {
  if (!isContainer(root)) return null;
  const shownLevels = 4;
  const pending: [unknown, string, number][] = [[root, "", 0]];
  while (pending.length > 0) {
    const [value, path, level] = pending.pop()!;
    if (level >= limit) return path === "" ? "the top level" : path;
    if (level >= shownLevels) {
      for (const item of Array.isArray(value) ? value : Object.values(value as object)) {
        if (isContainer(item)) pending.push([item, path.endsWith("…") ? path : `${path}…`, level + 1]);
      }
      continue;
    }
    for (const [key, item] of children(value, path, isContainer)) pending.push([item, key, level + 1]);
  }
  return null;
}

function isContainer(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

/** The entries of an array or object that `keep` accepts, with their paths (made only for those, so rows of numbers cost none). */
function children(value: unknown, path: string, keep: (item: unknown) => boolean): [string, unknown][] {
  const kept: [string, unknown][] = [];
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      if (keep(item)) kept.push([`${path}[${index}]`, item]);
    });
  } else if (isContainer(value)) {
    for (const [key, item] of Object.entries(value as object)) if (keep(item)) kept.push([path === "" ? key : `${path}.${key}`, item]);
  }
  return kept;
}
