import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workedExample, workedExampleFiles } from "../../scripts/worked-example.js";

const root = join(import.meta.dirname, "..", "..");

describe("the worked example page", () => {
  const generated = workedExample();

  it.each([
    ["page", workedExampleFiles.markdown, generated.markdown],
    ["diagram", workedExampleFiles.svg, generated.svg],
  ])("the committed %s is what the library computes today (else run npm run docs:example)", (_, path, expected) => {
    const committed = readFileSync(join(root, path), "utf8");
    expect(committed, `${path} differs from what scripts/worked-example.ts generates: run npm run docs:example and commit it`).toBe(expected);
  });

  it("prints the numbers that spec/example.spec.ts pins independently", () => {
    expect(generated.markdown).toContain("E = 0.122913283235");
    expect(generated.markdown).toContain("e^{(2)} = t - o^{(2)} = \\begin{bmatrix} 0.529860052493 & ");
    expect(generated.svg).toContain("e = 0.5299 | ");
  });
});
