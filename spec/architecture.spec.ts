/**
 * The layer rules can fail: dependency-cruiser, with the rules of .dependency-cruiser.cjs, finds
 * each violation planted in a copy of src/ (an import from a lower layer, and a circle).
 * That the tree itself keeps the rules is the static check `npm run lint:layers`, part of
 * `npm test`, which cruises all of src/, spec/ and scripts/; here only the planted folder,
 * src/model/, is cruised (with what it imports), in half the time of all of src/.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const copies: string[] = [];

/** Runs dependency-cruiser with the project's rules on `src/model` of a tree; returns its exit status and output. */
function cruise(tree: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [
      join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs"),
      "src/model",
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
