import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { workedExample, workedExampleCase, workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { formatJson } from "../../src/numeric/json.js";
import { workedExampleDecimal } from "../support/worked-example.js";

describe("the worked example", () => {
  it("is the case committed in docs/examples, so the file and the code cannot drift apart", () => {
    expect(readFileSync(new URL("../../docs/examples/xor-2-2-1-sigmoid.json", import.meta.url), "utf8")).toBe(
      `${formatJson(workedExampleCase)}\n`,
    );
  });

  it("with its direction, is the hvp case committed in docs/examples, and differs from the case by the direction alone", () => {
    expect(readFileSync(new URL("../../docs/examples/xor-2-2-1-sigmoid-hvp.json", import.meta.url), "utf8")).toBe(
      `${formatJson(workedExampleHvpCase)}\n`,
    );
    const { direction: _, ...withoutDirection } = workedExampleHvpCase;
    expect(withoutDirection).toEqual(workedExampleCase);
  });

  it("prints the forward pass, the errors, the hidden errors, the delta weights and a passing gradient check", () => {
    const text = workedExample();
    for (const heading of ["Forward pass", "Backward pass", "e(2) = t − o(2)", "e(1) = −W(2)ᵀ δ(2)", "Delta weights", "Gradient check"]) {
      expect(text).toContain(heading);
    }
    expect(text).toContain(`loss E = ${Number(workedExampleDecimal.loss)}`);
    expect(text).toContain(Number(Number(workedExampleDecimal.errors[1]![0]![0]!).toPrecision(12)).toString());
    expect(text).toMatch(/passed: worst relative error \S+ ≤ tolerance 1e-6/);
  });
});
