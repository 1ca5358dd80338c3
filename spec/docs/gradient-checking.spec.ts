import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hvpDocument, parseHvpCase } from "../../src/conformance/hvp-format.js";
import { mistakenHessianProduct } from "../../src/conformance/second-order-mistakes.js";
import { workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { secondOrder } from "../../src/model/second-order.js";
import { formatJson } from "../../src/numeric/json.js";
import { exitCheckFailed } from "../../src/cli/io.js";
import { runCommand, scratchFolder } from "../support/command.js";

const page = readFileSync(new URL("../../docs/gradient-checking.md", import.meta.url), "utf8");

/** The text block that follows the shell block holding exactly `command` on the page. */
function outputShownFor(command: string): string {
  const at = page.indexOf("```sh\n" + command + "\n```\n");
  if (at < 0) throw new Error(`docs/gradient-checking.md shows no \`${command}\``);
  const block = /```text\n([\s\S]*?)\n```/.exec(page.slice(at));
  if (block === null) throw new Error(`docs/gradient-checking.md shows no output for \`${command}\``);
  return block[1]!;
}

describe("the gradient checking page", () => {
  it("shows what check --order 2 prints for the worked example's hvp case, and for an answer without the f'' terms, line for line", async () => {
    const casePath = fileURLToPath(new URL("../../docs/examples/xor-2-2-1-sigmoid-hvp.json", import.meta.url));
    const own = await runCommand(["check", "--order", "2", casePath]);
    expect(own.status).toBe(0);
    expect(outputShownFor("npx backprop-ref check --order 2 docs/examples/xor-2-2-1-sigmoid-hvp.json")).toBe(own.stdout.trimEnd());

    const { network, inputs, targets, direction, id } = parseHvpCase(workedExampleHvpCase);
    const products = secondOrder(network, inputs, targets, direction);
    const hessianVectorProduct = mistakenHessianProduct("activation-curvature-dropped", network, inputs, targets, direction);
    const theirsPath = join(scratchFolder("gradient-checking-page"), "theirs.json");
    writeFileSync(theirsPath, formatJson(hvpDocument({ ...products, hessianVectorProduct }, id)));
    const theirs = await runCommand(["check", "--order", "2", casePath, theirsPath]);
    expect(theirs.status).toBe(exitCheckFailed);
    expect(outputShownFor("npx backprop-ref check --order 2 docs/examples/xor-2-2-1-sigmoid-hvp.json theirs.json")).toBe(theirs.stdout.trimEnd());
  });
});
