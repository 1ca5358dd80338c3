import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { caseResult } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { formatJson } from "../../src/numeric/json.js";
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
});
