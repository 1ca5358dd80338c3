import { describe, expect, it } from "vitest";
import { NumericError } from "../../src/numeric/errors.js";
import { assertFinite } from "../../src/numeric/overflow.js";

describe("refusing numbers that overflowed", () => {
  it("assertFinite refuses a list with one value that is not finite among finite ones, naming the first such value; an all-finite list passes", () => {
    const tail = "the weights or inputs are too large for float64";
    expect(() => assertFinite("the loss", [1, Infinity])).toThrow(new NumericError(`the loss overflowed to Infinity: ${tail}`));
    expect(() => assertFinite("the loss", [NaN, 2, -Infinity])).toThrow(new NumericError(`the loss overflowed to NaN: ${tail}`));
    expect(() => assertFinite("the loss", [1, -2.5, 0, Number.MAX_VALUE])).not.toThrow();
    expect(() => assertFinite("the loss", [])).not.toThrow();
  });
});
