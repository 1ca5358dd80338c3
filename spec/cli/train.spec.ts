import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../support/command.js";
import { historyFormat } from "../../src/cli/train.js";
import { accuracyLine, historyTable } from "../../src/cli/training-report.js";
import { readModel } from "../../src/training/model-file.js";
import type { EpochRecord, TrainingResult } from "../../src/training/train.js";

const run = runCommand;

const directory = mkdtempSync(join(tmpdir(), "backprop-ref-train-"));

describe("backprop-ref train and predict", () => {
  it("trains XOR, prints the history table and the held-out accuracy, saves the model and its plot, and predict classifies with it", async () => {
    const modelPath = join(directory, "xor.json");
    const { status, stdout, stderr } = await run(["train", "--dataset", "xor", "--epochs", "1000", "--save", modelPath]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain("training xor: sizes 2,2,1, sigmoid,sigmoid, squared_error, biases");
    expect(stdout).toMatch(/epoch\s+loss\s+train accuracy\s+held-out accuracy\s+seconds\s+samples\/s/);
    expect(stdout).toContain("held-out accuracy after 1000 epochs: 100.00 % (4 of 4)");
    expect(stdout).not.toMatch(/█|░/); // no progress bar when the output is not a terminal
    expect(readModel(readFileSync(modelPath, "utf8")).dataset).toBe("xor");
    const plot = readFileSync(join(directory, "xor.svg"), "utf8");
    expect(plot).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(plot).toContain("<polyline");

    const lines = await run(["predict", "--model", modelPath], "0 0\n0 1\n1,0\n# a comment\n1 1\n");
    expect(lines).toStrictEqual({ status: 0, stdout: "0\n1\n1\n0\n", stderr: "" });
    const json = await run(["predict", "--model", modelPath, "--json"], "[[0, 1]]");
    expect(JSON.parse(json.stdout)).toMatchObject([{ class: "1", label: 1 }]);
  });

  it("prints the history as JSON with --json, the same numbers for the same seed", async () => {
    const args = ["train", "--dataset", "iris", "--epochs", "5", "--batch", "4", "--momentum", "0.5", "--json"];
    const first = JSON.parse((await run(args)).stdout) as { format: string; history: { loss: number; testAccuracy: number }[] };
    const again = JSON.parse((await run(args)).stdout) as typeof first;
    expect(first.format).toBe(historyFormat);
    expect(first.history).toHaveLength(5);
    expect(again.history.map((record) => record.loss)).toStrictEqual(first.history.map((record) => record.loss));
  });

  it("trains with --weight-decay λ, Nielsen's: says λ and λ/n in the setting, records λ in the JSON history's options, and decays the weights", async () => {
    const args = ["train", "--dataset", "xor", "--epochs", "50", "--json"];
    const plain = JSON.parse((await run(args)).stdout) as { options: { weightDecay: number }; history: { loss: number }[] };
    const decayed = JSON.parse((await run([...args, "--weight-decay", "0.4"])).stdout) as typeof plain;
    expect(plain.options.weightDecay).toBe(0);
    expect(decayed.options.weightDecay).toBe(0.4);
    expect(decayed.history.map((record) => record.loss)).not.toStrictEqual(plain.history.map((record) => record.loss));
    const text = await run(["train", "--dataset", "xor", "--epochs", "1", "--weight-decay", "0.4"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("momentum 0, weight decay λ 0.4 (λ/n = 0.1 per step), exact rule");
  });

  it("trains with --lr-decay γ: records γ in the JSON history's options and each epoch's η, says it in the setting, and shows an η column", async () => {
    const args = ["train", "--dataset", "xor", "--epochs", "3", "--lr", "0.5", "--json"];
    type History = { options: { learningRateDecay: number }; history: { learningRate: number; loss: number }[] };
    const constant = JSON.parse((await run(args)).stdout) as History;
    const decayed = JSON.parse((await run([...args, "--lr-decay", "0.5"])).stdout) as History;
    expect(constant.options.learningRateDecay).toBe(1);
    expect(constant.history.map((record) => record.learningRate)).toStrictEqual([0.5, 0.5, 0.5]);
    expect(decayed.options.learningRateDecay).toBe(0.5);
    expect(decayed.history.map((record) => record.learningRate)).toStrictEqual([0.5, 0.25, 0.125]);
    const text = await run(["train", "--dataset", "xor", "--epochs", "2", "--lr", "0.5", "--lr-decay", "0.5"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("η 0.5 decaying by 0.5 an epoch, batch 1");
    expect(text.stdout).toMatch(/\nepoch\s+η\s+loss/);
    expect(text.stdout).toMatch(/\n2\s+0\.2500\s/);
  });

  it("with --validation N on MNIST's standard split, holds out the last N training digits, measures them each epoch and the test set once, and says so", async () => {
    // The one run of this file that loads the 60,000 digits: a small network on a part of them.
    const modelPath = join(directory, "validated.json");
    const args = ["train", "--dataset", "mnist", "--sizes", "784,16,10", "--validation", "1000", "--train-size", "2000", "--epochs", "2"];
    const { status, stdout, stderr } = await run([...args, "--json", "--save", modelPath]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const history = JSON.parse(stdout) as {
      split: string;
      trainingSamples: number;
      validationSamples: number;
      testSamples: number;
      measuredEachEpoch: string;
      history: Record<string, number>[];
      testAccuracy: number;
    };
    expect(history).toMatchObject({ trainingSamples: 2000, validationSamples: 1000, testSamples: 10000, measuredEachEpoch: "validation" });
    expect(history.split).toBe(
      "the standard split in the files' order: 60000 training digits (train-*), 10000 test digits (t10k-*); pixels scaled to 0.01 + 0.99 x, x = byte / 255; " +
        "the last 1000 training samples held out for validation, 59000 left to train on",
    );
    expect(history.history.map((record) => Object.keys(record))).toStrictEqual(
      new Array(2).fill(["epoch", "learningRate", "loss", "trainAccuracy", "validationAccuracy", "seconds", "samplesPerSecond"]),
    );
    expect(history.testAccuracy).toBeGreaterThan(0.5);
    expect(Number.isInteger(history.testAccuracy * 10000)).toBe(true); // a fraction of the 10,000 test digits
    expect(readFileSync(join(directory, "validated.svg"), "utf8")).toContain(">validation</text>");
  });

  it("the table and the last line say which held-out set each number is of", () => {
    const record = { epoch: 1, learningRate: 0.1, loss: 0.5, trainAccuracy: 0.9, seconds: 1, samplesPerSecond: 100 };
    const validated: TrainingResult = {
      network: undefined as never,
      history: [{ ...record, validationAccuracy: 0.8 } satisfies EpochRecord],
      measuredEachEpoch: "validation",
      testAccuracy: 0.75,
    };
    expect(historyTable(validated.history)).toMatch(/^epoch\s+loss\s+train accuracy\s+validation accuracy\s+seconds/);
    expect(historyTable(validated.history)).toMatch(/\n1\s+0\.5000\s+90\.00 %\s+80\.00 %/);
    expect(accuracyLine(validated, 20, 1)).toBe(
      "test accuracy after 1 epoch, measured once, after the last (the epochs above were measured on the validation set): 75.00 % (15 of 20); training took 1.0 s",
    );
    const tested: TrainingResult = { ...validated, history: [{ ...record, testAccuracy: 0.75 }], measuredEachEpoch: "test" };
    expect(historyTable(tested.history)).toMatch(/held-out accuracy/);
    expect(accuracyLine(tested, 20, 1)).toBe("held-out accuracy after 1 epoch: 75.00 % (15 of 20); training took 1.0 s");
  });

  it("refuses a bad --validation with exit status 2 before it loads or trains anything", async () => {
    // 100,000 epochs of MNIST would train for days: an answer at all shows the option was checked first.
    for (const [value, message] of [
      ["60000", '--validation must be an integer from 1 to 59999, got "60000"'],
      ["-1", '--validation must be an integer from 1 to 59999, got "-1"'],
      ["ten", '--validation must be a decimal number, got "ten"'],
    ] as const) {
      expect(await run(["train", "--dataset", "mnist", "--epochs", "100000", "--validation", value])).toStrictEqual({
        status: 2,
        stdout: "",
        stderr: `backprop-ref train: ${message}\n`,
      });
    }
    expect((await run(["train", "--dataset", "iris", "--validation", "10"])).stderr).toContain(
      "is for --dataset mnist only, got --dataset iris",
    );
  });

  it("refuses an unknown dataset, options out of range and malformed models with exit status 2 and the library's message", async () => {
    expect(await run(["train", "--dataset", "cifar"])).toStrictEqual({
      status: 2,
      stdout: "",
      stderr: 'backprop-ref train: --dataset must be one of mnist, iris, xor, got "cifar"\n',
    });
    expect((await run(["train", "--dataset", "xor", "--epochs", "many"])).stderr).toBe(
      'backprop-ref train: --epochs must be a decimal number, got "many"\n',
    );
    // The library's rules for η and its decay, μ, B and the seed, naming the option that was typed.
    for (const [option, value, message] of [
      ["--lr", "-1", "--lr must be a finite number ≥ 0, got -1"],
      ["--momentum", "1", "--momentum must be a number in [0, 1), got 1"],
      ["--lr-decay", "0", "--lr-decay must be a number in (0, 1], got 0"],
      ["--lr-decay", "1.1", "--lr-decay must be a number in (0, 1], got 1.1"],
      ["--batch", "0.5", "--batch must be a positive integer, got 0.5"],
      ["--seed", "1.5", "--seed must be a safe integer, got 1.5"],
      ["--weight-decay", "-0.5", "--weight-decay must be a finite number ≥ 0, got -0.5"],
      ["--weight-decay", "NaN", '--weight-decay must be a decimal number, got "NaN"'],
    ] as const) {
      expect(await run(["train", "--dataset", "xor", option, value])).toStrictEqual({
        status: 2,
        stdout: "",
        stderr: `backprop-ref train: ${message}\n`,
      });
    }
    expect(await run(["demo", "--epochs", "many"])).toStrictEqual({
      status: 2,
      stdout: "",
      stderr: 'backprop-ref demo: --epochs must be a decimal number, got "many"\n',
    });
    expect(await run(["predict", "--model", "-"], "0 0")).toStrictEqual({
      status: 2,
      stdout: "",
      stderr: "backprop-ref predict: --model must name a file: standard input is where the samples are read from, got -\n",
    });
    expect((await run(["train", "--dataset", "xor", "--sizes", "2,3", "--activations", "sigmoid,sigmoid"])).stderr).toContain(
      "activations must list one activation per weight layer",
    );
    expect((await run(["train", "--dataset", "xor", "--sizes", "3,2,1"])).stderr).toContain(
      "inputs have 2 features per sample but the network takes 3",
    );
    expect((await run(["train", "--dataset", "xor", "--rule", "lucky"])).stderr).toContain(
      'rule must be one of exact, intuitive, got "lucky"',
    );
    const broken = join(directory, "broken.json");
    writeFileSync(broken, JSON.stringify({ format: "backprop-ref/model@1" }));
    expect(await run(["predict", "--model", broken], "0 0")).toStrictEqual({
      status: 2,
      stdout: "",
      stderr: `backprop-ref predict: ${broken}: sizes is missing\n`,
    });
    expect((await run(["predict", "--model", join(directory, "missing.json")])).stderr).toContain("cannot read");
  });

  it("has --help for train, predict and demo", async () => {
    for (const command of ["train", "predict", "demo"]) {
      const { status, stdout } = await run([command, "--help"]);
      expect(status).toBe(0);
      expect(stdout).toContain(`Usage: backprop-ref ${command}`);
    }
    expect((await run(["train", "--help"])).stdout).toContain("--momentum <mu>");
  });
});
