import fc from "fast-check";
import { assertDirectionShape } from "../../src/model/forward-mode.js";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { caseWithDirection, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import { parameterEntries } from "../../src/model/network.js";
import { matrixFromRows, vectorFromArray } from "../../src/numeric/tensor.js";
import {
  combineParameters,
  displacedNetwork,
  largestEntry,
  mapParameters,
  parameterDot,
  powerOfTwoScale,
  scaledParameters,
} from "../../src/oracles/parameter-directions.js";
import { numRuns } from "../support/arbitraries.js";
import { oneLinearLayer } from "../support/fixtures.js";
import { valuesOf } from "../support/parameters.js";

describe("directions in parameter space", () => {
  it("a drawn direction fits its network: the shapes of the parameters, biases null iff the network has none", () => {
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network } = parseCase(drawn.document);
        const direction = directionFromArrays(drawn.direction);
        expect(() => assertDirectionShape(network, direction)).not.toThrow();
        expect(parameterEntries(direction).map((entry) => entry.position)).toEqual(
          parameterEntries(network).map((entry) => entry.position),
        );
      }),
      { numRuns },
    );
  });

  it("the scale is a power of two within a factor 2 below the largest entry, and 1 for the direction of zeros", () => {
    fc.assert(
      fc.property(caseWithDirection(), fc.integer({ min: -1000, max: 1000 }), (drawn, exponent) => {
        const direction = scaledParameters(directionFromArrays(drawn.direction), 2 ** exponent);
        const largest = largestEntry(direction);
        const scale = powerOfTwoScale(direction);
        expect(Number.isInteger(Math.log2(scale))).toBe(true);
        if (largest === 0) expect(scale).toBe(1);
        else {
          expect(largest / scale).toBeGreaterThanOrEqual(1 - 1e-15);
          expect(largest / scale).toBeLessThan(2 + 1e-15);
        }
      }),
      { numRuns },
    );
  });

  it("w + sV moves every parameter by s times its entry of V, rounded once, and leaves the network as it was", () => {
    fc.assert(
      fc.property(caseWithDirection(), fc.double({ min: -1, max: 1, noNaN: true }), (drawn, step) => {
        const { network } = parseCase(drawn.document);
        const direction = directionFromArrays(drawn.direction);
        const before = valuesOf(network);
        const moved = valuesOf(displacedNetwork(network, direction, step));
        expect(valuesOf(network)).toEqual(before);
        const along = valuesOf(direction);
        moved.forEach((value, index) => expect(value).toBe(before[index]! + step * along[index]!));
      }),
      { numRuns },
    );
  });

  it("the dot product sums the products of the entries in the same places; map and combine keep the shapes", () => {
    const other = { weights: [matrixFromRows([[2, 4]])], biases: [vectorFromArray([8])] };
    expect(parameterDot(oneLinearLayer().network, other)).toBe(0.5 * 2 - 0.25 * 4 + 0.125 * 8);
    expect(valuesOf(mapParameters(other, (value) => value + 1))).toEqual([3, 5, 9]);
    expect(valuesOf(combineParameters(oneLinearLayer().network, other, (a, b) => a * b))).toEqual([1, -1, 1]);
    expect(largestEntry(oneLinearLayer().network)).toBe(0.5);
  });
});
