/**
 * The layers of src/ hold: dependency-cruiser, with the rules of .dependency-cruiser.cjs, finds
 * no violation in src/, and finds each planted one in a copy of it (an import from a lower
 * layer, and a circle). `npm run lint:layers`, part of `npm test`, runs the rules on the whole
 * tree (src/, spec/ and scripts/, where the rule that no library code imports a spec lives);
 * here only src/ is cruised, which is where the planted violations are, in a third of the time.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const copies: string[] = [];

/** Runs dependency-cruiser with the project's rules on `src` of a tree; returns its exit status and output. */
function cruise(tree: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [
      join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs"),
      "src",
      "--config",
      join(root, ".dependency-cruiser.cjs"),
    ],
    { cwd: tree, encoding: "utf8" },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A copy of the tree's code and configuration, with one file's text changed by `plant`. */
function treeWith(file: string, plant: (text: string) => string): string {
  const copy = mkdtempSync(join(tmpdir(), "backprop-ref-layers-"));
  copies.push(copy);
  for (const part of ["src", "tsconfig.json", "package.json"]) cpSync(join(root, part), join(copy, part), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
  writeFileSync(join(copy, file), plant(readFileSync(join(copy, file), "utf8")));
  return copy;
}

afterAll(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

describe("the layers", () => {
  it("src/ keeps every layer rule: no import against the layers, no circle", () => {
    const { status, output } = cruise(root);
    expect(output).toMatch(/no dependency violations found/);
    expect(status).toBe(0);
  });

  it("an import against the layers planted in the model (backprop.ts importing training's workspace, a layer below it) fails, naming the rule and the import", () => {
    const planted = treeWith("src/model/backprop.ts", (text) => `import "../training/workspace.js";\n${text}`);
    const { status, output } = cruise(planted);
    expect(status).not.toBe(0);
    expect(output).toMatch(/model-imports-only-from-above: src\/model\/backprop\.ts → src\/training\/workspace\.ts/);
  });

  it("a circle planted between two modules of one layer fails as a circle", () => {
    const planted = treeWith("src/model/forward.ts", (text) => `import "./backprop.js";\n${text}`);
    const { status, output } = cruise(planted);
    expect(status).not.toBe(0);
    expect(output).toMatch(/no-circular: src\/model\/(forward|backprop)\.ts →/);
  });
});
