import { describe, expect, it } from "vitest";
import { FormatError } from "../../src/numeric/errors.js";
import { maximumJsonDepth, readJson } from "../../src/numeric/read-json.js";

/** The message readJson throws for `text`, or "accepted". */
function refusal(text: string, what = "the case"): string {
  try {
    readJson(text, what);
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return (error as Error).message;
  }
}

describe("reading JSON", () => {
  it("names the field that holds NaN or an infinity, as Python's json.dumps writes them", () => {
    // What json.dumps({"weights": [[[0.1, float("nan")]]]}) prints.
    const fromPython = '{"format": "backprop-ref/case@1", "weights": [[[0.1, NaN]], [[0.5, -0.6]]], "inputs": [[0, Infinity]]}';
    expect(refusal(fromPython)).toBe(
      "the case is not valid JSON: weights[0][0][1] is NaN, which JSON does not have " +
        "(Python's json.dumps writes NaN and Infinity for non-finite floats unless given allow_nan=False); write a finite number",
    );
    expect(refusal('{"learningRate": -Infinity}')).toMatch(
      /^the case is not valid JSON: learningRate is -Infinity, which JSON does not have/,
    );
    expect(refusal("[1, 2, Infinity]", "the list of samples")).toMatch(/^the list of samples is not valid JSON: \[2\] is Infinity/);
    expect(refusal("NaN")).toMatch(/^the case is not valid JSON: the document is NaN/);
  });

  it("reads NaN inside a string as the string it is, and leaves other syntax errors in the parser's words", () => {
    expect(readJson('{"id": "NaN and \\"Infinity\\"", "x": 1}', "the case")).toStrictEqual({ id: 'NaN and "Infinity"', x: 1 });
    expect(refusal('{"id": "NaN", "x": Infinity')).toMatch(/^the case is not valid JSON: (?!.*which JSON does not have)/);
    expect(refusal("[1, 2")).toMatch(/^the case is not valid JSON: \S/);
    // The parser quotes the text around the mistake; its line breaks and half surrogate pairs are escaped, so the message is one line.
    expect(refusal('\ud800\n  "format": 1\n}')).toMatch(/^the case is not valid JSON: [^\n\ud800]*\\ud800[^\n]*\\u000a[^\n]*$/);
  });

  it(`refuses nesting deeper than ${maximumJsonDepth} levels with the path where it goes too deep, however deep it goes`, () => {
    const nested = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
    expect(readJson(`{"sizes": ${nested(maximumJsonDepth - 1)}}`, "the case")).toBeTypeOf("object");
    expect(refusal(`{"sizes": [2, ${nested(maximumJsonDepth)}]}`)).toBe(
      `the case nests arrays and objects deeper than ${maximumJsonDepth} levels, at sizes[1][0][0]…`,
    );
    // A hundred thousand levels: the parser copes, and so must everything after it (a recursive walk would exhaust the stack).
    expect(refusal(nested(100_000))).toBe(`the case nests arrays and objects deeper than ${maximumJsonDepth} levels, at [0][0][0][0]…`);
  });

  it("finds the first non-finite number in document order, through escaped quotes and nested objects", () => {
    expect(refusal('{"id": "say \\"NaN\\" twice \\\\", "w": [1, NaN]}')).toMatch(/^the case is not valid JSON: w\[1\] is NaN,/);
    expect(refusal('{"a": [1, Infinity], "b": NaN}')).toMatch(/^the case is not valid JSON: a\[1\] is Infinity,/);
    expect(refusal('{"outer": {"inner": [[-Infinity]]}}')).toMatch(/^the case is not valid JSON: outer\.inner\[0\]\[0\] is -Infinity,/);
    expect(refusal("[NaN,NaN]")).toMatch(/^the case is not valid JSON: \[0\] is NaN,/);
    expect(refusal('{"id": "xNaN", "w": NaN}')).toMatch(/^the case is not valid JSON: w is NaN,/);
    // A bare NaN as a key is no number of any field: the parser's own words, and no crash.
    expect(refusal("{NaN: 1}")).toMatch(/^the case is not valid JSON: (?!.*which JSON does not have)/);
  });

  it("escapes every character that would break the message's line, and keeps a whole surrogate pair", () => {
    const message = refusal("x😀\u2028\u007f\udc00\u0001");
    expect(message).toMatch(/^the case is not valid JSON: /);
    for (const escaped of ["\\u2028", "\\u007f", "\\udc00", "\\u0001"]) expect(message).toContain(escaped);
    expect(message).toContain("😀");
    for (const raw of ["\u2028", "\u007f", "\u0001"]) expect(message).not.toContain(raw);
  });

  it(`accepts exactly ${maximumJsonDepth} levels and shows a deep path through objects to its first four levels`, () => {
    const nested = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
    expect(readJson(nested(maximumJsonDepth), "the case")).toBeInstanceOf(Array);
    expect(refusal(nested(maximumJsonDepth + 1))).toBe(
      `the case nests arrays and objects deeper than ${maximumJsonDepth} levels, at [0][0][0][0]…`,
    );
    expect(refusal(`{"a": {"b": {"c": {"d": {"e": ${nested(maximumJsonDepth)}}}}}}`)).toBe(
      `the case nests arrays and objects deeper than ${maximumJsonDepth} levels, at a.b.c.d…`,
    );
    expect(readJson("[1, [2], {}]", "the case")).toStrictEqual([1, [2], {}]);
  });
});
