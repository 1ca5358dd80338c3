import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/numeric/random.js";

describe("random", () => {
  it("the same seed gives the same stream, another seed another", () => {
    const draw = (seed: number): number[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? random.uniform() : random.normal(0, 1)));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it("uniform numbers lie in [0, 1) with mean ½; normal numbers have the requested mean and spread", () => {
    const random = seededRandom(2024);
    const uniform = Array.from({ length: 100_000 }, () => random.uniform());
    expect(uniform.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(uniform.reduce((sum, value) => sum + value, 0) / uniform.length).toBeCloseTo(0.5, 2);
    const normal = Array.from({ length: 100_000 }, () => random.normal(3, 2));
    const mean = normal.reduce((sum, value) => sum + value, 0) / normal.length;
    const spread = Math.sqrt(normal.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normal.length);
    expect(mean).toBeCloseTo(3, 1);
    expect(spread).toBeCloseTo(2, 1);
  });

  it("refuses a seed that is not a safe integer", () => {
    expect(() => seededRandom(1.5)).toThrow("seed must be a safe integer, got 1.5");
  });
});
