import { describe, expect, it } from "vitest";
import { BackpropRefError, describeValue, FormatError, NumericError, ShapeError, SpecError, ValueError } from "../../src/numeric/errors.js";

describe("errors", () => {
  it("messages describe values briefly: arrays cut after six entries and nested two levels deep, nothing and objects in words", () => {
    expect(describeValue([1, "a", null])).toBe('[1, "a", null]');
    expect(describeValue(Array.from({ length: 100 }, (_, index) => index))).toBe("[0, 1, 2, 3, 4, 5, … (100 entries)]");
    expect(describeValue(undefined)).toBe("nothing");
    expect(describeValue({})).toBe("an object");
    expect(describeValue([[[1]]])).toBe("[[an array]]");
    expect(describeValue("x".repeat(50))).toBe(`"${"x".repeat(40)}…"`);
    expect(describeValue(Number.NaN)).toBe("NaN");
  });

  it("every kind of mistake is a BackpropRefError that carries its own class name", () => {
    for (const Kind of [ShapeError, SpecError, FormatError, ValueError, NumericError]) {
      const error = new Kind("a message");
      expect(error).toBeInstanceOf(BackpropRefError);
      expect([error.name, error.message]).toEqual([Kind.name, "a message"]);
    }
  });
});
