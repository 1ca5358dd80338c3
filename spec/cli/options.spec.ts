import { describe, expect, it } from "vitest";
import { parseIntegerOption, parseNumberList, parseNumberOption } from "../../src/cli/options.js";
import { ValueError } from "../../src/numeric/errors.js";
import { maximumEpochs } from "../../src/training/train.js";
import { runCommand } from "../support/command.js";

describe("command-line numbers", () => {
  it("are decimal numbers as JSON writes them, with an optional +", () => {
    expect(["1", "+1", "-0.5", ".5", "5.", "1e-3", "2E+2", "12.5", ".55"].map((text) => parseNumberOption(text, "--lr"))).toStrictEqual([
      1, 1, -0.5, 0.5, 5, 1e-3, 200, 12.5, 0.55,
    ]);
    expect(parseNumberList("784, 200,10", "--sizes")).toStrictEqual([784, 200, 10]);
  });

  it("refuse what JavaScript's Number would also take: hexadecimal, binary, Infinity, blanks", () => {
    for (const text of ["0x10", "0b11", "0o7", "Infinity", "", " ", " 1", "1_000", "1,5", "NaN", "--1"]) {
      expect(() => parseNumberOption(text, "--epochs")).toThrow(
        new ValueError(`--epochs must be a decimal number, got ${JSON.stringify(text)}`),
      );
    }
    expect(() => parseNumberOption("1e400", "--lr")).toThrow(
      new ValueError(`--lr must be a finite number, got "1e400", beyond float64's ±1.8e308`),
    );
  });

  it("that must be whole say the range they must be in", () => {
    expect(parseIntegerOption("16", "--epochs", 1, maximumEpochs)).toBe(16);
    expect(parseIntegerOption("1", "--epochs", 1, maximumEpochs)).toBe(1);
    expect(parseIntegerOption(String(maximumEpochs), "--epochs", 1, maximumEpochs)).toBe(maximumEpochs);
    for (const text of ["0", "2.5", "1e9", "100001"]) {
      expect(() => parseIntegerOption(text, "--epochs", 1, maximumEpochs)).toThrow(
        new ValueError(`--epochs must be an integer from 1 to 100000, got ${JSON.stringify(text)}`),
      );
    }
  });
});

describe("every command refuses a bad option before it prints anything", () => {
  it.each([
    [["demo", "--epochs", "abc"], 'backprop-ref demo: --epochs must be a decimal number, got "abc"'],
    [["demo", "--epochs", "1e9"], 'backprop-ref demo: --epochs must be an integer from 1 to 100000, got "1e9"'],
    [["train", "--dataset", "mnist", "--epochs", "0x10"], 'backprop-ref train: --epochs must be a decimal number, got "0x10"'],
    [["train", "--dataset", "mnist", "--epochs", "1e9"], 'backprop-ref train: --epochs must be an integer from 1 to 100000, got "1e9"'],
    [
      ["train", "--dataset", "mnist", "--init", "zeros"],
      'backprop-ref train: --init must be one of seed_normal, xavier_uniform, xavier_normal, he_normal, got "zeros"',
    ],
    [["train", "--dataset", "mnist", "--rule", "lucky"], 'backprop-ref train: --rule must be one of exact, intuitive, got "lucky"'],
    [["train", "--dataset", "mnist", "--train-size", "0"], 'backprop-ref train: --train-size must be an integer from 1 to 60000, got "0"'],
    [["train", "--dataset", "iris", "--train-size", "121"], 'backprop-ref train: --train-size must be an integer from 1 to 120, got "121"'],
    [
      ["train", "--dataset", "mnist", "--validation", "10000", "--train-size", "50001"],
      'backprop-ref train: --train-size must be an integer from 1 to 50000, got "50001"',
    ],
    [
      ["train", "--dataset", "mnist", "--validation", "60000"],
      'backprop-ref train: --validation must be an integer from 1 to 59999, got "60000"',
    ],
    [["train", "--dataset", "mnist", "--validation", "0"], 'backprop-ref train: --validation must be an integer from 1 to 59999, got "0"'],
    [
      ["train", "--dataset", "mnist", "--validation", "0.5"],
      'backprop-ref train: --validation must be an integer from 1 to 59999, got "0.5"',
    ],
    [["train", "--dataset", "mnist", "--validation", "1e4x"], 'backprop-ref train: --validation must be a decimal number, got "1e4x"'],
    [
      ["train", "--dataset", "iris", "--validation", "10"],
      "backprop-ref train: --validation holds out the last n of MNIST's training digits and is for --dataset mnist only, " +
        "got --dataset iris (whose training set is ordered by species)",
    ],
    [
      ["train", "--dataset", "xor", "--validation", "1"],
      "backprop-ref train: --validation holds out the last n of MNIST's training digits and is for --dataset mnist only, " +
        "got --dataset xor (whose test set is its training set)",
    ],
  ])("%j is refused at once, with nothing on standard output", async (args, message) => {
    expect(await runCommand(args)).toStrictEqual({ status: 2, stdout: "", stderr: `${message}\n` });
  });
});
