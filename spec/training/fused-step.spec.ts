import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { trainingStep } from "../../src/model/backprop.js";
import { intuitiveStep } from "../../src/model/intuitive.js";
import { cloneNetwork, type ParameterArrays } from "../../src/model/network.js";
import { NumericError, ShapeError, SpecError, ValueError } from "../../src/numeric/errors.js";
import { added, scaled, zeros } from "../../src/numeric/tensor.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { zeroVelocities } from "../../src/training/momentum.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { numRuns } from "../support/arbitraries.js";
import { anyWeightDecay } from "../support/weight-decay.js";
import { expectSameBits, valuesOf } from "../support/parameters.js";
import { caseDocument, hiddenActivations } from "../../src/conformance/case-arbitrary.js";
import { oneUnitCase } from "../support/fixtures.js";

const elementwiseOutputs = hiddenActivations.map((activation) => [activation, "squared_error"] as const);

describe("fusedTrainingStep: steps 5–7 folded into one pass over the weights", () => {
  it("leaves the network bit for bit where trainingStep's update puts it, with the same loss, three steps in a row, for every activation, loss, depth, width, batch and bias setting", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const folded = cloneNetwork(network);
        let reference = network;
        for (let round = 1; round <= 3; round++) {
          const expected = trainingStep(reference, inputs, targets, learningRate);
          const loss = fusedTrainingStep(folded, inputs, targets, learningRate, workspace);
          expectSameBits([loss], [expected.loss], `loss of step ${round}`);
          expectSameBits(valuesOf(folded), valuesOf(expected.updated), `parameters after step ${round}`);
          reference = expected.updated;
        }
      }),
      { numRuns },
    );
  });

  it("with weight decay, leaves the network bit for bit where trainingStep's update puts it, with the same loss, three steps in a row, for every activation, loss, depth, width, batch and bias setting", () => {
    fc.assert(
      fc.property(caseDocument({ weightDecay: anyWeightDecay() }), (document) => {
        const { network, inputs, targets, learningRate, weightDecay } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const folded = cloneNetwork(network);
        let reference = network;
        for (let round = 1; round <= 3; round++) {
          const expected = trainingStep(reference, inputs, targets, learningRate, undefined, weightDecay);
          const loss = fusedTrainingStep(folded, inputs, targets, learningRate, workspace, { weightDecay });
          expectSameBits([loss], [expected.loss], `loss of step ${round}`);
          expectSameBits(valuesOf(folded), valuesOf(expected.updated), `parameters after step ${round}`);
          reference = expected.updated;
        }
      }),
      { numRuns },
    );
  });

  it("with weight decay and the intuitive rule, or with momentum, takes the reference's step bit for bit", () => {
    fc.assert(
      fc.property(
        caseDocument({ outputs: elementwiseOutputs, weightDecay: anyWeightDecay() }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (document, momentum) => {
          const { network, inputs, targets, learningRate, weightDecay } = parseCase(document);
          const folded = cloneNetwork(network);
          const workspace = createWorkspace(network.spec, inputs.shape[1]!);
          fusedTrainingStep(folded, inputs, targets, learningRate, workspace, { rule: "intuitive", weightDecay });
          const intuitive = intuitiveStep(network, inputs, targets, learningRate, undefined, weightDecay).updated;
          expectSameBits(valuesOf(folded), valuesOf(intuitive), "parameters, intuitive rule");

          // Momentum: W ← (W + ΔW) + μv and v ← μv + ΔW, with ΔW = −η(g + λ'W) of the weights before the step.
          const withMomentum = cloneNetwork(network);
          const velocities = zeroVelocities(network);
          fusedTrainingStep(withMomentum, inputs, targets, learningRate, workspace, { momentum: { momentum, velocities }, weightDecay });
          fusedTrainingStep(withMomentum, inputs, targets, learningRate, workspace, { momentum: { momentum, velocities }, weightDecay });
          const reference = cloneNetwork(network);
          const referenceVelocities = zeroVelocities(network);
          const arrays = (parameters: ParameterArrays) => [...parameters.weights, ...(parameters.biases ?? [])];
          for (let round = 0; round < 2; round++) {
            const { deltaWeights } = trainingStep(
              reference,
              inputs,
              targets,
              learningRate,
              createWorkspace(network.spec, inputs.shape[1]!),
              weightDecay,
            );
            arrays(referenceVelocities).forEach((velocity, index) => {
              scaled(velocity, momentum, velocity);
              added(arrays(reference)[index]!, velocity, arrays(reference)[index]);
              added(velocity, arrays(deltaWeights)[index]!, velocity);
            });
          }
          expectSameBits(valuesOf(withMomentum), valuesOf(reference), "parameters, momentum");
          expectSameBits(valuesOf(velocities), valuesOf(referenceVelocities), "velocities");
        },
      ),
      { numRuns },
    );
  });

  it("with the intuitive rule, leaves the network bit for bit where intuitiveStep puts it", () => {
    fc.assert(
      fc.property(caseDocument({ outputs: elementwiseOutputs }), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const folded = cloneNetwork(network);
        fusedTrainingStep(folded, inputs, targets, learningRate, createWorkspace(network.spec, inputs.shape[1]!), { rule: "intuitive" });
        expectSameBits(valuesOf(folded), valuesOf(intuitiveStep(network, inputs, targets, learningRate).updated), "parameters");
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
        const foldedVelocities = zeroVelocities(network);
        let reference = cloneNetwork(network);
        const velocities = zeroVelocities(network);
        for (let round = 1; round <= 3; round++) {
          const { deltaWeights } = trainingStep(reference, inputs, targets, learningRate, createWorkspace(network.spec, inputs.shape[1]!));
          const arrays = (parameters: ParameterArrays) => [...parameters.weights, ...(parameters.biases ?? [])];
          const referenceArrays = arrays(reference);
          arrays(velocities).forEach((velocity, index) => {
            scaled(velocity, momentum, velocity);
            added(referenceArrays[index]!, velocity, referenceArrays[index]);
            added(velocity, arrays(deltaWeights)[index]!, velocity);
          });
          fusedTrainingStep(folded, inputs, targets, learningRate, workspace, { momentum: { momentum, velocities: foldedVelocities } });
          expectSameBits(valuesOf(folded), valuesOf(reference), `parameters after step ${round}`);
          expectSameBits(valuesOf(foldedVelocities), valuesOf(velocities), `velocities after step ${round}`);
          reference = cloneNetwork(reference);
        }
      }),
      { numRuns },
    );
  });

  it("refuses a learning rate that is negative or not finite, a softmax network under the intuitive rule, a weight that is not finite, and weights that overflow", () => {
    const { network, inputs, targets } = parseCase(
      fc.sample(caseDocument({ outputs: [["softmax", "cross_entropy"]] }), { numRuns: 1, seed: 3 })[0]!,
    );
    const workspace = createWorkspace(network.spec, inputs.shape[1]!);
    expect(() => fusedTrainingStep(network, inputs, targets, -0.1, workspace)).toThrow(
      new ValueError("learningRate must be a finite number ≥ 0, got -0.1"),
    );
    expect(() => fusedTrainingStep(network, inputs, targets, Number.NaN, workspace)).toThrow(ValueError);
    expect(() => fusedTrainingStep(network, inputs, targets, 0.1, workspace, { rule: "intuitive" })).toThrow(SpecError);
    // One identity unit, w = 1, x = 2, t = 0: the gradient is δx = 4, and a step of −η·4 with
    // η = MAX_VALUE overflows although the output and the loss are finite.
    const overflowing = parseCase(oneUnitCase({ id: "overflowing-step", inputs: [[2]], learningRate: 0.1 }));
    const { network: unit } = overflowing;
    // A weight made infinite or NaN after the network was built: its row's weighted sum is
    // infinite or NaN whatever the inputs, and the step reads that layer's parameters and refuses.
    for (const smuggled of [Number.POSITIVE_INFINITY, Number.NaN]) {
      const corrupted = cloneNetwork(network);
      corrupted.weights[0]!.data[0] = smuggled;
      expect(() => fusedTrainingStep(corrupted, inputs, targets, 0.1, workspace)).toThrow(
        new NumericError("the parameters of layer 1 hold an entry that is not finite: every weight and bias must be a finite number"),
      );
    }
    expect(() => fusedTrainingStep(unit, overflowing.inputs, overflowing.targets, Number.MAX_VALUE, createWorkspace(unit.spec, 1))).toThrow(
      new NumericError(
        "the updated weights of layer 1 overflowed (an entry is not finite): the weights or inputs are too large for float64",
      ),
    );
  });

  it("takes the step that trainingStep takes when a weighted sum overflows but the output saturates to a finite value", () => {
    // softmax of a logit of −∞ (the weight −1e300 times the input 1e10) is exactly 0 where the
    // target is 0: the loss, the outputs and the step are finite, and both steps must agree.
    const document = {
      format: "backprop-ref/case@1",
      id: "saturated-softmax",
      sizes: [1, 2],
      activations: ["softmax"],
      loss: "cross_entropy",
      weights: [[[-1e300], [1]]],
      biases: null,
      inputs: [[1e10]],
      targets: [[0, 1]],
      learningRate: 0.1,
    };
    const { network, inputs, targets, learningRate } = parseCase(document);
    const expected = trainingStep(network, inputs, targets, learningRate);
    const folded = cloneNetwork(network);
    expectSameBits([fusedTrainingStep(folded, inputs, targets, learningRate, createWorkspace(network.spec, 1))], [expected.loss], "loss");
    expectSameBits(valuesOf(folded), valuesOf(expected.updated), "parameters");
  });

  it("takes inputs that are a view, not stored densely, as trainingStep does", () => {
    fc.assert(
      fc.property(caseDocument({ batch: { min: 2, max: 5 } }), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        // Every other column of a wider matrix: a view whose column stride is 2.
        const [rows, columns] = [inputs.shape[0]!, inputs.shape[1]!];
        const wide = zeros(rows, 2 * columns);
        for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) wide.set(j, 2 * b, inputs.get(j, b));
        const view = wide.step(1, 2);
        const folded = cloneNetwork(network);
        fusedTrainingStep(folded, view, targets, learningRate, createWorkspace(network.spec, columns));
        expectSameBits(valuesOf(folded), valuesOf(trainingStep(network, inputs, targets, learningRate).updated), "parameters");
      }),
      { numRuns },
    );
  });

  it("refuses a momentum outside [0, 1) and velocities not shaped like the parameters, before it changes the network", () => {
    const { network, inputs, targets } = parseCase(
      fc.sample(caseDocument({ biases: true, depth: { min: 2, max: 2 } }), { numRuns: 1, seed: 7 })[0]!,
    );
    const workspace = createWorkspace(network.spec, inputs.shape[1]!);
    const before = valuesOf(network);
    const attempt = (momentum: number, velocities: ParameterArrays) => () =>
      fusedTrainingStep(network, inputs, targets, 0.1, workspace, { momentum: { momentum, velocities } });
    expect(attempt(1, zeroVelocities(network))).toThrow(new ValueError("momentum must be a number in [0, 1), got 1"));
    expect(attempt(Number.NaN, zeroVelocities(network))).toThrow(new ValueError("momentum must be a number in [0, 1), got NaN"));
    expect(attempt(0.9, { weights: [], biases: zeroVelocities(network).biases })).toThrow(
      new ShapeError(`velocities.weights must hold ${network.weights.length} arrays, one per layer, got 0`),
    );
    expect(attempt(0.9, { weights: zeroVelocities(network).weights, biases: null })).toThrow(
      new ShapeError("velocities.biases must be one array per layer, got null"),
    );
    const misshapen = zeroVelocities(network);
    const wrong = {
      weights: misshapen.weights.map((matrix, index) => (index === 1 ? zeros(matrix.shape[0]! + 1, matrix.shape[1]!) : matrix)),
      biases: misshapen.biases,
    };
    expect(attempt(0.9, wrong)).toThrow(/^velocities\.weights\[1\] must be \d+×\d+, like weights\[1\], got \d+×\d+$/);
    expectSameBits(valuesOf(network), before, "parameters after the refused steps");
  });
});
