import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { caseResult } from "../../src/conformance/case-format.js";
import { workedExampleCase, workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { formatJson } from "../../src/numeric/json.js";
import { runCommand, scratchFolder } from "../support/command.js";
import { exampleProblem } from "../support/fixtures.js";

const page = readFileSync(new URL("../../docs/case-format.md", import.meta.url), "utf8");

/** The JSON block under a heading of the page, parsed. */
function jsonUnder(heading: string): unknown {
  const section = page.slice(page.indexOf(heading));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  if (block === null) throw new Error(`docs/case-format.md has no JSON block under ${heading}`);
  return JSON.parse(block[1]!);
}

describe("the case format page", () => {
  it("shows the worked example's case, and the result that npx backprop-ref grad prints for it, to the last digit", () => {
    const example = exampleProblem();
    expect(jsonUnder("## `backprop-ref/case@1`")).toEqual(workedExampleCase);
    expect(jsonUnder("## `backprop-ref/result@1`")).toEqual(JSON.parse(formatJson(caseResult(example))));
  });

  it("shows the worked example's hvp case, and the answer that npx backprop-ref hvp prints for it, to the last digit", async () => {
    expect(jsonUnder("## Second order: the hvp case")).toEqual(workedExampleHvpCase);
    const path = fileURLToPath(new URL("../../docs/examples/xor-2-2-1-sigmoid-hvp.json", import.meta.url));
    const { status, stdout } = await runCommand(["hvp", path]);
    expect(status).toBe(0);
    expect(jsonUnder("## `backprop-ref/hvp@1`")).toEqual(JSON.parse(stdout));
  });

  it("shows the messages that hvp prints for a malformed direction, word for word", async () => {
    const path = join(scratchFolder("case-format-page"), "case.json");
    const { direction } = workedExampleHvpCase;
    const malformed = [
      { ...workedExampleHvpCase, direction: undefined },
      { ...workedExampleHvpCase, direction: { weights: [direction.weights[0], [[0], [1]]], biases: null } },
      { ...workedExampleHvpCase, direction: { weights: [[[1, 0], [0, "0"]], [[0, 1]]], biases: null } },
      { ...workedExampleHvpCase, direction: { ...direction, biases: [[0, 0], [0]] } },
    ];
    for (const document of malformed) {
      writeFileSync(path, JSON.stringify(document));
      const { status, stderr } = await runCommand(["hvp", path]);
      expect(status).toBe(2);
      expect(page).toContain(stderr.replace(path, "case.json"));
    }
  });

  it("shows the worked example as a case@2 with weight decay, and the messages that grad and hvp print for a misplaced, a negative and a refused weight decay, word for word", async () => {
    expect(jsonUnder("## Weight decay: the case@2")).toEqual({ ...workedExampleCase, format: "backprop-ref/case@2", weightDecay: 0.01 });
    const path = join(scratchFolder("case-format-page"), "case.json");
    for (const [command, document] of [
      ["grad", { ...workedExampleCase, weightDecay: 0.01 }],
      ["grad", { ...workedExampleCase, format: "backprop-ref/case@2", weightDecay: -0.01 }],
      ["hvp", { ...workedExampleHvpCase, format: "backprop-ref/case@2", weightDecay: 0.01 }],
    ] as const) {
      writeFileSync(path, JSON.stringify(document));
      const { status, stderr } = await runCommand([command, path]);
      expect(status).toBe(2);
      expect(page).toContain(stderr.replace(path, "case.json"));
    }
  });
});
