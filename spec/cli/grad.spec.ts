import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseResult, parseCase } from "../../src/conformance/case-format.js";
import { exitBadInput } from "../../src/cli/io.js";
import { formatJson } from "../../src/numeric/json.js";
import { runCommand, scratchFolder, writeExampleCase } from "../support/command.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { workedExampleDecimal } from "../support/worked-example.js";

const run = runCommand;
const directory = scratchFolder("cli");

describe("backprop-ref grad", () => {
  it("prints the result document of a case file, numbers in shortest round-trip form", async () => {
    const casePath = writeExampleCase(directory);
    const { status, stdout, stderr } = await run(["grad", casePath]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe(`${formatJson(caseResult(parseCase(workedExampleCase)))}\n`);
    const result = JSON.parse(stdout) as { loss: number; id: string };
    expect(result.loss).toBe(Number(workedExampleDecimal.loss));
    expect(result.id).toBe("xor-2-2-1-sigmoid");
  });

  it("answers a case@2 with its weight decay (the loss with the penalty, λ'W in the weights' gradients), and a case@2 with weightDecay 0 as the case@1", async () => {
    const decayed = { ...workedExampleCase, format: "backprop-ref/case@2", weightDecay: 0.01 };
    const { status, stdout } = await run(["grad", "-"], JSON.stringify(decayed));
    expect(status).toBe(0);
    expect(stdout).toBe(`${formatJson(caseResult(parseCase(decayed)))}\n`);
    const plain = caseResult(parseCase(workedExampleCase));
    const result = JSON.parse(stdout) as typeof plain;
    const squares = workedExampleCase.weights.flat(2).reduce((total, weight) => total + weight * weight, 0);
    expect(result.loss).toBeCloseTo(plain.loss + (0.01 / 2) * squares, 15);
    expect(result.gradients.weights[1]![0]![0]).toBeCloseTo(plain.gradients.weights[1]![0]![0]! + 0.01 * 0.5, 15);
    expect(result.gradients.biases).toBeNull();
    const zero = await run(["grad", "-"], JSON.stringify({ ...decayed, weightDecay: 0 }));
    expect(zero.stdout).toBe(`${formatJson(plain)}\n`);
    expect((await run(["grad", "-"], JSON.stringify({ ...workedExampleCase, weightDecay: 0.01 }))).stderr).toMatch(
      /^backprop-ref grad: standard input: unknown field "weightDecay": .* \(weightDecay is a field of backprop-ref\/case@2\)\n$/,
    );
  });

  it("reads standard input for -", async () => {
    const { status, stdout } = await run(["grad", "-"], JSON.stringify(workedExampleCase));
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ format: "backprop-ref/result@1" });
  });

  it.each([
    ["{", "backprop-ref grad: standard input: the case is not valid JSON"],
    [
      JSON.stringify({
        ...workedExampleCase,
        weights: [
          [
            [0.1, -0.2],
            [0.4, 0.3],
          ],
          [[0.5], [-0.6]],
        ],
      }),
      "backprop-ref grad: standard input: weights[1] is 2×1 but sizes [2, 2, 1] need 1×2",
    ],
    [
      JSON.stringify({ ...workedExampleCase, activations: ["sigmoid", "Sigmoid"] }),
      "backprop-ref grad: standard input: activations[1] must be one of",
    ],
    [JSON.stringify({ ...workedExampleCase, inputs: [] }), "backprop-ref grad: standard input: inputs is empty"],
  ])("rejects bad input with exit status 2 and the library's message: %#", async (text, message) => {
    const { status, stdout, stderr } = await run(["grad", "-"], text);
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("names a file it cannot read", async () => {
    const { status, stderr } = await run(["grad", join(directory, "missing.json")]);
    expect(status).toBe(exitBadInput);
    expect(stderr).toMatch(/^backprop-ref grad: cannot read .*missing\.json: there is no such file\n$/);
  });

  it("explains its usage on a missing argument or an unknown command", async () => {
    const missing = await run(["grad"]);
    expect(missing.status).toBe(exitBadInput);
    expect(missing.stderr).toContain("missing required argument 'case'");
    const unknown = await run(["gradient"]);
    expect(unknown.status).toBe(exitBadInput);
    expect(unknown.stderr).toContain("unknown command 'gradient'");
    const help = await run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("grad <case>");
    const gradHelp = await run(["grad", "--help"]);
    expect(gradHelp.stdout).toContain("Usage: backprop-ref grad [options] <case>");
  });
});
