import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { trainingStep } from "../../src/model/backprop.js";
import { intuitiveStep } from "../../src/model/intuitive.js";
import { validateLearningRate } from "../../src/model/learning-rate.js";
import { FormatError, ValueError } from "../../src/numeric/errors.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { loadDataset } from "../../src/training/data.js";
import { train } from "../../src/training/train.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { exampleProblem, identityStep } from "../support/fixtures.js";

describe("the learning rate", () => {
  it("a learning rate that is negative, NaN or infinite is a ValueError; zero is allowed", () => {
    for (const rate of [-0.1, NaN, Infinity])
      expect(identityStep({}, rate)).toThrow(new ValueError(`learningRate must be a finite number ≥ 0, got ${rate}`));
    expect(identityStep({}, 0)().loss).toBe(0.5);
  });

  it("is one rule, with one message, wherever η is taken: the step, the intuitive step, the fused step, training and the case format", () => {
    const { network, inputs, targets } = exampleProblem();
    const message = "learningRate must be a finite number ≥ 0, got -1";
    expect(() => trainingStep(network, inputs, targets, -1)).toThrow(new ValueError(message));
    expect(() => intuitiveStep(network, inputs, targets, -1)).toThrow(new ValueError(message));
    expect(() => fusedTrainingStep(network, inputs, targets, -1, createWorkspace(network.spec, 2))).toThrow(new ValueError(message));
    const xor = loadDataset("xor");
    expect(() => train(network, xor, { epochs: 1, learningRate: -1 })).toThrow(new ValueError(message));
    expect(() => parseCase({ ...workedExampleCase, learningRate: -1 })).toThrow(new FormatError(message));
    expect(() => validateLearningRate("0.3", "--lr", FormatError)).toThrow(new FormatError('--lr must be a finite number ≥ 0, got "0.3"'));
    for (const rate of [0, 1e-300, 0.3, 1e300]) expect(() => validateLearningRate(rate)).not.toThrow();
  });
});
