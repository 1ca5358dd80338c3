import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWorkspace, trainingStep, type ParameterArrays } from "../src/backprop.js";
import { parseCase } from "../src/conformance.js";
import { descend } from "../src/descent.js";
import { NumericError, SpecError, ValueError } from "../src/errors.js";
import { intuitiveStep } from "../src/intuitive.js";
import { cloneNetwork, type Network } from "../src/network.js";
import { added, scaled, zerosLike } from "../src/tensor.js";
import { caseDocument, hiddenActivations, numRuns } from "./arbitraries.js";
import { entriesOf, expectSameBits } from "./support.js";

const parameters = (network: Network | ParameterArrays): number[] => entriesOf(network as ParameterArrays).map((entry) => entry.value);

const velocitiesOf = (network: Network): ParameterArrays => ({
  weights: network.weights.map((matrix) => zerosLike(matrix)),
  biases: network.biases?.map((vector) => zerosLike(vector)) ?? null,
});

const elementwiseOutputs = hiddenActivations.map((activation) => [activation, "squared_error"] as const);

describe("descend: steps 5–7 folded into one pass over the weights", () => {
  it("leaves the network bit for bit where trainingStep's update puts it, with the same loss, three steps in a row, for every activation, loss, depth, width, batch and bias setting", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const folded = cloneNetwork(network);
        let reference = network;
        for (let round = 1; round <= 3; round++) {
          const expected = trainingStep(reference, inputs, targets, learningRate);
          const loss = descend(folded, inputs, targets, learningRate, workspace);
          expectSameBits([loss], [expected.loss], `loss of step ${round}`);
          expectSameBits(parameters(folded), parameters(expected.updated), `parameters after step ${round}`);
          reference = expected.updated;
        }
      }),
      { numRuns },
    );
  });

  it("with the intuitive rule, leaves the network bit for bit where intuitiveStep puts it", () => {
    fc.assert(
      fc.property(caseDocument({ outputs: elementwiseOutputs }), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const folded = cloneNetwork(network);
        descend(folded, inputs, targets, learningRate, createWorkspace(network.spec, inputs.shape[1]!), { rule: "intuitive" });
        expectSameBits(parameters(folded), parameters(intuitiveStep(network, inputs, targets, learningRate).updated), "parameters");
      }),
      { numRuns },
    );
  });

  it("with momentum μ, gives bit for bit W ← (W + ΔW) + μv and v ← μv + ΔW, three steps in a row", () => {
    fc.assert(
      fc.property(caseDocument(), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (document, momentum) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const folded = cloneNetwork(network);
        const foldedVelocities = velocitiesOf(network);
        let reference = cloneNetwork(network);
        const velocities = velocitiesOf(network);
        for (let round = 1; round <= 3; round++) {
          const { deltaWeights } = trainingStep(reference, inputs, targets, learningRate, createWorkspace(network.spec, inputs.shape[1]!));
          const arrays = (parameters: ParameterArrays) => [...parameters.weights, ...(parameters.biases ?? [])];
          const referenceArrays = arrays(reference);
          arrays(velocities).forEach((velocity, index) => {
            scaled(velocity, momentum, velocity);
            added(referenceArrays[index]!, velocity, referenceArrays[index]);
            added(velocity, arrays(deltaWeights)[index]!, velocity);
          });
          descend(folded, inputs, targets, learningRate, workspace, { momentum: { momentum, velocities: foldedVelocities } });
          expectSameBits(parameters(folded), parameters(reference), `parameters after step ${round}`);
          expectSameBits(parameters(foldedVelocities), parameters(velocities), `velocities after step ${round}`);
          reference = cloneNetwork(reference);
        }
      }),
      { numRuns },
    );
  });

  it("refuses a learning rate that is negative or not finite, a softmax network under the intuitive rule, a weight that is not finite, and weights that overflow", () => {
    const { network, inputs, targets } = parseCase(fc.sample(caseDocument({ outputs: [["softmax", "cross_entropy"]] }), { numRuns: 1, seed: 3 })[0]!);
    const workspace = createWorkspace(network.spec, inputs.shape[1]!);
    expect(() => descend(network, inputs, targets, -0.1, workspace)).toThrow(new ValueError("learningRate must be a finite number ≥ 0, got -0.1"));
    expect(() => descend(network, inputs, targets, Number.NaN, workspace)).toThrow(ValueError);
    expect(() => descend(network, inputs, targets, 0.1, workspace, { rule: "intuitive" })).toThrow(SpecError);
    // One identity unit, w = 1, x = 2, t = 0: the gradient is δx = 4, and a step of −η·4 with
    // η = MAX_VALUE overflows although the output and the loss are finite.
    const overflowing = parseCase({
      format: "backprop-ref/case@1",
      id: "overflowing-step",
      sizes: [1, 1],
      activations: ["identity"],
      loss: "squared_error",
      weights: [[[1]]],
      biases: null,
      inputs: [[2]],
      targets: [[0]],
      learningRate: 0.1,
    });
    const { network: unit } = overflowing;
    // A weight made infinite after the network was built: its row's weighted sum is infinite
    // or NaN whatever the inputs, so the step refuses it before it reads a single weight more.
    for (const smuggled of [Number.POSITIVE_INFINITY, Number.NaN]) {
      const corrupted = cloneNetwork(network);
      corrupted.weights[0]!.data[0] = smuggled;
      expect(() => descend(corrupted, inputs, targets, 0.1, workspace)).toThrow(
        new NumericError("the weighted sums overflowed (an entry is not finite): the weights or inputs are too large for float64"),
      );
    }
    expect(() => descend(unit, overflowing.inputs, overflowing.targets, Number.MAX_VALUE, createWorkspace(unit.spec, 1))).toThrow(
      new NumericError("the updated weights overflowed (an entry is not finite): the weights or inputs are too large for float64"),
    );
  });
});
