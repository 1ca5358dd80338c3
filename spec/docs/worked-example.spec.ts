import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workedExample, workedExampleFiles } from "../../scripts/worked-example.js";
import { workedExampleDecimal } from "../support/worked-example.js";

const root = join(import.meta.dirname, "..", "..");

describe("the worked example page", () => {
  it.each([
    ["page", workedExampleFiles.markdown, "markdown"],
    ["diagram", workedExampleFiles.svg, "svg"],
  ] as const)("the committed %s is what the library computes today (else run npm run docs:example)", (_, path, part) => {
    const committed = readFileSync(join(root, path), "utf8");
    expect(committed, `${path} differs from what scripts/worked-example.ts generates: run npm run docs:example and commit it`).toBe(
      workedExample()[part],
    );
  });

  it("prints the numbers of the 50-digit decimal computation, rounded as the page rounds them, and that file is what its script computes", () => {
    const generated = workedExample();
    const twelve = (text: string) => Number(Number(text).toPrecision(12)).toString();
    const outputError = workedExampleDecimal.errors[1]![0]!;
    expect(generated.markdown).toContain(`E = ${twelve(workedExampleDecimal.loss)}`);
    expect(generated.markdown).toContain(`e^{(2)} = t - o^{(2)} = \\begin{bmatrix} ${twelve(outputError[0]!)} & ${twelve(outputError[1]!)} \\end{bmatrix}`);
    expect(generated.svg).toContain(`e = ${Number(Number(outputError[0]!).toPrecision(4))} | `);
    const recomputed = spawnSync("python3", [join(root, "scripts", "worked-example-decimal.py"), "--check"], { encoding: "utf8" });
    expect(recomputed.stderr + recomputed.stdout).toBe("");
    expect(recomputed.status).toBe(0);
  });
});
