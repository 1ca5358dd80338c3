/**
 * Distances from the exact value: ulps and roundings, and the entries a comparison names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactDecimal, given } from "../../src/oracles/exact-arithmetic.js";
import { distanceToExact, smallestSubnormal, ulp } from "../../src/oracles/exact-comparison.js";
import { numRuns } from "../support/arbitraries.js";

describe("distances from the exact value", () => {
  it("ulp(x) is the gap from |x| to the next larger double, 2^-1074 below the normal range", () => {
    expect(ulp(1)).toBe(2 ** -52);
    expect(ulp(-1.5)).toBe(2 ** -52);
    expect(ulp(2)).toBe(2 ** -51);
    expect(ulp(0)).toBe(smallestSubnormal);
    expect(ulp(1e-310)).toBe(smallestSubnormal);
    fc.assert(
      // From 2^-1000, so that 0.4 and 0.6 of the gap are normal numbers and exact: near 2^-1022
      // they would round to a subnormal multiple of 2^-1074, which says nothing about ulp.
      fc.property(fc.double({ min: 2 ** -1000, max: 1e300, noNaN: true }), (x) => {
        const gap = ulp(x);
        expect(x + gap).toBeGreaterThan(x);
        expect(x + gap * 0.4).toBe(x);
        expect(x + gap * 0.6).toBe(x + gap);
      }),
      { numRuns },
    );
  });

  it("a double is 0 ulps from itself, a neighbour 1 ulp, and the distance in roundings divides by u times the scale", () => {
    const exact = given(1.25);
    expect(distanceToExact(1.25, exact)).toEqual({ ulps: 0, roundings: 0 });
    expect(distanceToExact(1.25 + ulp(1.25), exact).ulps).toBe(1);
    const third = { value: exactDecimal(1).dividedBy(3), scale: 1 / 3 };
    const distance = distanceToExact(1 / 3, third);
    expect(distance.ulps).toBeLessThanOrEqual(0.5);
    expect(distance.roundings).toBeLessThanOrEqual(1);
  });
});
