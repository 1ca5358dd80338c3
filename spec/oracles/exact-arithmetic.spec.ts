/**
 * The oracle's arithmetic: exact values of doubles, and scales that count the roundings a
 * float64 evaluation makes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  exactDecimal,
  ExactDecimal,
  exactDigits,
  exactLog1p,
  given,
  minus,
  plus,
  rounding,
  sum,
  times,
} from "../../src/oracles/exact-arithmetic.js";
import { numRuns } from "../support/arbitraries.js";

describe("the oracle's arithmetic", () => {
  it("reads a double as its exact binary value, not its shortest decimal form", () => {
    expect(exactDecimal(0.1).toString()).toBe("0.1000000000000000055511151231257827021181583404541015625");
    expect(
      exactDecimal(2 ** -1074)
        .toSignificantDigits(10)
        .toString(),
    ).toBe("4.940656458e-324");
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(exactDecimal(x).toNumber()).toBe(x === 0 ? 0 : x);
      }),
      { numRuns },
    );
  });

  it(`computes in ${exactDigits} significant digits`, () => {
    expect(new ExactDecimal(1).dividedBy(3).toString()).toBe(`0.${"3".repeat(exactDigits)}`);
  });

  it("adds a rounding to the scale only where float64 cannot hold the exact result: 40 · 1 and 0.5 + 0.25 add none, 0.1 + 0.2 adds |0.3|", () => {
    expect(times(given(40), given(1)).scale).toBe(0);
    expect(plus(given(0.5), given(0.25)).scale).toBe(0);
    expect(plus(given(0.1), given(0.2)).scale).toBeCloseTo(0.3, 15);
    expect(rounding(exactDecimal(3).dividedBy(7))).toBeCloseTo(3 / 7, 15);
    expect(rounding(new ExactDecimal("1e-330"))).toBe(2 ** -1022);
  });

  it("carries the scale of a cancelling sum: (1 + 1e-10) − 1 keeps the scale of its terms, not of its small result", () => {
    const almostOne = plus(given(1), given(1e-10));
    const difference = minus(almostOne, given(1));
    expect(difference.value.toNumber()).toBe(1e-10);
    expect(difference.scale).toBeGreaterThan(1);
    expect(sum([given(1), given(2), given(3)]).value.toNumber()).toBe(6);
  });

  it("takes log(1 + x) to full precision however small x is", () => {
    expect(exactLog1p(new ExactDecimal("3e-191")).toNumber()).toBe(3e-191);
    expect(exactLog1p(new ExactDecimal(1)).minus(new ExactDecimal(2).ln()).abs().lessThan("1e-99")).toBe(true);
    const x = new ExactDecimal("1e-20");
    expect(
      exactLog1p(x)
        .minus(x.minus(x.pow(2).dividedBy(2)))
        .abs()
        .lessThan("1e-59"),
    ).toBe(true);
  });
});
