import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSamples } from "../../src/cli/predict.js";
import { FormatError } from "../../src/numeric/errors.js";
import { formatModel, readModel } from "../../src/training/model-file.js";
import { initializeNetwork } from "../../src/model/network.js";
import { runCommand, scratchFolder } from "../support/command.js";

const directory = scratchFolder("predict");

/** A saved model of a 2-1 sigmoid network, with the given class names. */
function oneOutputModel(classes: readonly string[]): string {
  const network = initializeNetwork({ sizes: [2, 1], activations: ["sigmoid"], loss: "squared_error", biases: false }, { seed: 1 });
  return formatModel({ network, classes: ["no", "yes"], inputScaling: { scale: [1, 1], offset: [0, 0] }, dataset: null }).replace(
    '"classes": ["no", "yes"]',
    `"classes": ${JSON.stringify(classes)}`,
  );
}

describe("the samples predict reads", () => {
  it("are a JSON array of arrays, or lines of numbers; anything else is refused naming the sample and feature", () => {
    expect(parseSamples("[[1, 2], [3, 4]]")).toStrictEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parseSamples("1, 2\n\n3 4\r\n")).toStrictEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => parseSamples("1 2\n3 x")).toThrow(new FormatError('sample 1, feature 1 must be a finite number, got "x"'));
    expect(parseSamples("  [[1, 2]]  ")).toStrictEqual([[1, 2]]);
    expect(() => parseSamples("[[1, null]]")).toThrow("sample 0, feature 1 must be a number, got null");
    expect(() => parseSamples("")).toThrow("there are no samples to classify");
    expect(() => parseSamples("[1")).toThrow(/the list of samples is not valid JSON/);
    expect(() => parseSamples("[]")).toThrow("the samples must be a JSON array of arrays of numbers, at least one, got []");
    expect(() => parseSamples("[[1], 2]")).toThrow("sample 1 must be an array of numbers, got 2");
    expect(() => parseSamples('[[1, "2"]]')).toThrow('sample 0, feature 1 must be a number, got "2"');
    expect(parseSamples("  # a comment\n 1 2 \n\n3,4")).toStrictEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("are quoted as they were typed when they are not finite numbers, never shown as null", () => {
    expect(() => parseSamples("1 1e400")).toThrow(`sample 0, feature 1 must be a finite number, got "1e400", beyond float64's ±1.8e308`);
    expect(() => parseSamples("1 -")).toThrow('sample 0, feature 1 must be a finite number, got "-"');
    expect(() => parseSamples("[[1, 1e400]]")).toThrow(
      "sample 0, feature 1 must be a finite number, got Infinity, beyond float64's ±1.8e308",
    );
  });

  it("may nest so deeply that describing them would overflow the stack, and are refused with a message all the same", async () => {
    const model = join(directory, "model.json");
    writeFileSync(model, oneOutputModel(["no", "yes"]));
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const { status, stdout, stderr } = await runCommand(["predict", "--model", model], deep);
    expect({ status, stdout }).toStrictEqual({ status: 2, stdout: "" });
    expect(stderr).toBe(
      "backprop-ref predict: standard input: the list of samples nests arrays and objects deeper than 64 levels, at [0][0][0][0]…\n",
    );
  });
});

describe("backprop-ref predict", () => {
  it("refuses a one-output model with one class name: one output unit tells two classes apart", () => {
    expect(() => readModel(oneOutputModel(["yes"]))).toThrow(
      "classes has 1 names but the network has 1 output units (one name per unit, or 2 for one unit)",
    );
    expect(readModel(oneOutputModel(["no", "yes"])).classes).toStrictEqual(["no", "yes"]);
  });

  it("refuses a sample whose outputs are not finite rather than naming a class for it", async () => {
    const model = join(directory, "identity.json");
    const network = initializeNetwork({ sizes: [1, 2], activations: ["identity"], loss: "squared_error", biases: false }, { seed: 1 });
    writeFileSync(model, formatModel({ network, classes: ["a", "b"], inputScaling: { scale: [1e300], offset: [0] }, dataset: null }));
    const { status, stdout, stderr } = await runCommand(["predict", "--model", model], "1\n1e10\n");
    expect({ status, stdout }).toStrictEqual({ status: 2, stdout: "" });
    expect(stderr).toMatch(
      /^backprop-ref predict: standard input: the outputs of sample 1 overflowed to -?Infinity: the sample's features are too large for this model\n$/,
    );
    expect((await runCommand(["predict", "--model", model], "1\n")).status).toBe(0);
  });

  it("names the sample whose number of features does not fit the model", async () => {
    const model = join(directory, "features.json");
    writeFileSync(model, oneOutputModel(["no", "yes"]));
    expect(await runCommand(["predict", "--model", model], "0 0\n1 1 1\n")).toStrictEqual({
      status: 2,
      stdout: "",
      stderr: "backprop-ref predict: standard input: sample 1: a sample has 3 features but the network takes 2\n",
    });
  });

  it("reads a sample file with a byte-order mark as every command does", async () => {
    const model = join(directory, "bom.json");
    writeFileSync(model, oneOutputModel(["no", "yes"]));
    const samples = join(directory, "samples.txt");
    writeFileSync(samples, "\ufeff0 0\n1 1\n");
    const plain = await runCommand(["predict", "--model", model], "0 0\n1 1\n");
    expect(await runCommand(["predict", "--model", model, "--input", samples])).toStrictEqual(plain);
    expect(readFileSync(samples)[0]).toBe(0xef);
  });
});
