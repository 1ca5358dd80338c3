import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/numeric/errors.js";
import { directionalCheck } from "../../src/oracles/directional.js";
import { matrixFromRows } from "../../src/numeric/tensor.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { unitDirections } from "../../src/oracles/lines.js";
import { oneUnitCase } from "../support/fixtures.js";

describe("lines through the parameters", () => {
  it("draws unit directions, the same for the same seed", () => {
    const [first] = unitDirections(50, 1, 4);
    const [again] = unitDirections(50, 1, 4);
    expect(first).toEqual(again);
    expect(Math.hypot(...first!)).toBeCloseTo(1, 14);
  });

  it("refuses gradients with the wrong number of entries", () => {
    const { network, inputs, targets } = parseCase(oneUnitCase());
    expect(() => directionalCheck(network, inputs, targets, { weights: [matrixFromRows([[1, 2]])], biases: null })).toThrow(
      new ShapeError("the gradients have 2 entries but the network has 1 parameters"),
    );
  });
});
