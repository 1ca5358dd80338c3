import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitBadInput } from "../../src/cli/io.js";
import { hvpDocument, parseHvpCase } from "../../src/conformance/hvp-format.js";
import { schemaViolation } from "../../src/conformance/schemas.js";
import { workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { secondOrder } from "../../src/model/second-order.js";
import { formatJson } from "../../src/numeric/json.js";
import { runCommand, scratchFolder } from "../support/command.js";

const directory = scratchFolder("cli-hvp");

/** The worked example's hvp case written to a file, as `npx backprop-ref hvp` reads it. */
function writeHvpCase(document: unknown = workedExampleHvpCase): string {
  const path = join(directory, "hvp-case.json");
  writeFileSync(path, formatJson(document));
  return path;
}

describe("backprop-ref hvp", () => {
  it("prints the hvp@1 document of a case file: what secondOrder computes, numbers in shortest round-trip form", async () => {
    const { status, stdout, stderr } = await runCommand(["hvp", writeHvpCase()]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const problem = parseHvpCase(workedExampleHvpCase);
    const products = secondOrder(problem.network, problem.inputs, problem.targets, problem.direction);
    expect(stdout).toBe(`${formatJson(hvpDocument(products, "xor-2-2-1-sigmoid"))}\n`);
    const answer = JSON.parse(stdout) as { format: string; directionalDerivative: number };
    expect(schemaViolation("hvp", answer)).toBeNull();
    expect(answer.format).toBe("backprop-ref/hvp@1");
    expect(answer.directionalDerivative).toBe(products.directionalDerivative);
  });

  it("answers a case with biases, whose direction has biases too", async () => {
    const document = {
      ...workedExampleHvpCase,
      biases: [[0.1, -0.1], [0.2]],
      direction: { ...workedExampleHvpCase.direction, biases: [[1, 0], [-1]] },
    };
    const { status, stdout } = await runCommand(["hvp", "-"], JSON.stringify(document));
    expect(status).toBe(0);
    const answer = JSON.parse(stdout) as { hessianVectorProduct: { biases: number[][] } };
    expect(answer.hessianVectorProduct.biases.map((vector) => vector.length)).toEqual([2, 1]);
  });

  it("reads standard input for -, with or without a UTF-8 byte-order mark", async () => {
    const text = JSON.stringify(workedExampleHvpCase);
    const plain = await runCommand(["hvp", "-"], text);
    expect(plain.status).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ format: "backprop-ref/hvp@1", id: "xor-2-2-1-sigmoid" });
    const marked = await runCommand(["hvp", "-"], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(marked).toEqual(plain);
  });

  const text = JSON.stringify(workedExampleHvpCase);
  it.each<[string, string | Uint8Array, string]>([
    ["text that is not JSON", "{", "backprop-ref hvp: standard input: the case is not valid JSON"],
    [
      "a case without a direction",
      JSON.stringify({ ...workedExampleHvpCase, direction: undefined }),
      'backprop-ref hvp: standard input: the case has no field "direction": an hvp case is a backprop-ref/case@1 document with a direction',
    ],
    [
      "a direction shaped unlike the weights",
      JSON.stringify({
        ...workedExampleHvpCase,
        direction: {
          weights: [
            [
              [1, 0],
              [0, 0],
            ],
            [[0], [1]],
          ],
          biases: null,
        },
      }),
      "backprop-ref hvp: standard input: direction.weights[1] is 2×1 but sizes [2, 2, 1] need 1×2",
    ],
    [
      "a direction with biases the case does not have",
      JSON.stringify({ ...workedExampleHvpCase, direction: { ...workedExampleHvpCase.direction, biases: [[0, 0], [0]] } }),
      "backprop-ref hvp: standard input: direction.biases must be null, since the case's biases are null",
    ],
    [
      "a NaN that Python wrote",
      text.replace('"weights":[[[1,0]', '"weights":[[[NaN,0]'),
      "backprop-ref hvp: standard input: the case is not valid JSON: direction.weights[0][0][0] is NaN, which JSON does not have (Python's json.dumps",
    ],
    ["UTF-16 text", Buffer.from(text, "utf16le"), "backprop-ref hvp: cannot read standard input: it is UTF-16 text (or binary)"],
    [
      "a case@1 error before the direction's",
      JSON.stringify({ ...workedExampleHvpCase, activations: ["sigmoid", "Sigmoid"] }),
      "backprop-ref hvp: standard input: activations[1] must be one of",
    ],
  ])("refuses %s with exit status 2 and one line naming the problem", async (_, input, message) => {
    const { status, stdout, stderr } = await runCommand(["hvp", "-"], input);
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    expect(stderr).toMatch(/^backprop-ref hvp: [^\n]+\n$/);
  });

  it("refuses finite input whose products overflow float64, rather than printing infinities", async () => {
    const document = {
      ...workedExampleHvpCase,
      activations: ["identity", "identity"],
      weights: [
        [
          [1e300, 0],
          [0, 0],
        ],
        [[1e300, 0]],
      ],
    };
    const { status, stdout, stderr } = await runCommand(["hvp", "-"], JSON.stringify(document));
    expect(status).toBe(exitBadInput);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^backprop-ref hvp: standard input: [^\n]*not finite[^\n]*\n$/);
  });

  it("is where grad sends a case with a direction", async () => {
    const { status, stderr } = await runCommand(["grad", "-"], JSON.stringify(workedExampleHvpCase));
    expect(status).toBe(exitBadInput);
    expect(stderr).toMatch(
      /^backprop-ref grad: standard input: unknown field "direction": .* \(a case with a direction is read by npx backprop-ref hvp\)\n$/,
    );
  });

  it("refuses a case@2, whose weight decay the second-order products do not have, and says so, as verify and check --order 2 do", async () => {
    const decayed = writeHvpCase({ ...workedExampleHvpCase, format: "backprop-ref/case@2", weightDecay: 0.01 });
    const message =
      "the case is a backprop-ref/case@2 document: the second-order products do not support weight decay, and an hvp case is a " +
      "backprop-ref/case@1 document with a direction (write the case as backprop-ref/case@1, without weightDecay, for the products of the loss without the penalty)";
    const refused = await runCommand(["hvp", decayed]);
    expect(refused).toMatchObject({ status: exitBadInput, stdout: "" });
    expect(refused.stderr).toBe(`backprop-ref hvp: ${decayed}: ${message}\n`);
    const checked = await runCommand(["check", "--order", "2", decayed]);
    expect(checked.status).toBe(exitBadInput);
    expect(checked.stderr).toContain(message);
    const verified = await runCommand(["verify", decayed, decayed]);
    expect(verified.status).toBe(exitBadInput);
    expect(verified.stderr).toContain(message);
  });

  it("names a file it cannot read", async () => {
    const { status, stderr } = await runCommand(["hvp", join(directory, "missing.json")]);
    expect(status).toBe(exitBadInput);
    expect(stderr).toMatch(/^backprop-ref hvp: cannot read .*missing\.json: there is no such file\n$/);
  });

  it("is listed in the help, and its own help says what the direction is and which Gauss–Newton product it prints", async () => {
    const help = await runCommand(["--help"]);
    expect(help.stdout).toContain("hvp <case>");
    const own = await runCommand(["hvp", "--help"]);
    expect(own.status).toBe(0);
    expect(own.stdout).toContain("Usage: backprop-ref hvp [options] <case>");
    expect(own.stdout.replace(/\s+/g, " ")).toContain(
      "Gauss–Newton product G V. G is Jᵀ H_ℓ J with J the Jacobian of the output layer's weighted sums",
    );
    const missing = await runCommand(["hvp"]);
    expect(missing.status).toBe(exitBadInput);
    expect(missing.stderr).toContain("missing required argument 'case'");
  });
});
