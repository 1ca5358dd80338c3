import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/numeric/errors.js";
import { backpropagate, trainingStep } from "../../src/model/backprop.js";
import { numRuns } from "../support/arbitraries.js";
import { cloneNetwork, networkToArrays } from "../../src/model/network.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { exampleProblem, exampleWithBiases } from "../support/fixtures.js";
import { expectSameBits, valuesOf } from "../support/parameters.js";
import { intuitiveStep } from "../../src/model/intuitive.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import type { Matrix, Vector } from "../../src/numeric/tensor.js";
import { caseDocument, hiddenActivations } from "../../src/conformance/case-arbitrary.js";

/** Every entry of a list of matrices, as plain numbers. */
const entries = (matrices: readonly Matrix[]): number[] => valuesOf({ weights: matrices, biases: null });

const elementwiseOutputs = hiddenActivations.map((activation) => [activation, "squared_error"] as const);

/**
 * Throws unless each array is the very buffer at the same index (the same object, not equal
 * values: a step that wrote its numbers into a fresh array would give the same values).
 */
function expectSameBuffers(actual: readonly (Matrix | Vector)[] | null, buffers: readonly (Matrix | Vector)[] | null, what: string): void {
  if (buffers === null || actual === null) {
    expect(actual, what).toBe(buffers);
    return;
  }
  expect(actual.length, what).toBe(buffers.length);
  buffers.forEach((buffer, index) => {
    if (actual[index] !== buffer) expect.fail(`${what}[${index}] is not the workspace's own buffer`);
  });
}

describe("a workspace", () => {
  it("a step into a workspace computes every quantity bit for bit as the allocating step, twice in a row, and updates the network in place", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const inPlace = cloneNetwork(network);
        let allocated = network;
        for (let round = 1; round <= 2; round++) {
          const expected = trainingStep(allocated, inputs, targets, learningRate);
          const actual = trainingStep(inPlace, inputs, targets, learningRate, workspace);
          expect(actual.updated).toBe(inPlace);
          expectSameBits([actual.loss], [expected.loss], "loss");
          expectSameBits(entries(actual.trace.outputs), entries(expected.trace.outputs), "outputs");
          expectSameBits(entries(actual.trace.preactivations), entries(expected.trace.preactivations), "preactivations");
          expectSameBits(entries(actual.errors), entries(expected.errors), "errors");
          expectSameBits(entries(actual.deltas), entries(expected.deltas), "deltas");
          expectSameBits(valuesOf(actual.gradients), valuesOf(expected.gradients), "gradients");
          expectSameBits(valuesOf(actual.deltaWeights), valuesOf(expected.deltaWeights), "delta weights");
          expectSameBits(valuesOf(inPlace), valuesOf(expected.updated), `parameters after step ${round}`);
          allocated = expected.updated;
        }
      }),
      { numRuns },
    );
  });

  it("the intuitive rule into a workspace is bit for bit the allocating intuitive rule", () => {
    fc.assert(
      fc.property(caseDocument({ outputs: elementwiseOutputs }), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const inPlace = cloneNetwork(network);
        const expected = intuitiveStep(network, inputs, targets, learningRate);
        const actual = intuitiveStep(inPlace, inputs, targets, learningRate, workspace);
        expectSameBits(entries(actual.errors), entries(expected.errors), "errors");
        expectSameBits(valuesOf(actual.deltaWeights), valuesOf(expected.deltaWeights), "delta weights");
        expectSameBits(valuesOf(inPlace), valuesOf(expected.updated), "parameters");
      }),
      { numRuns },
    );
  });

  it("a step into a workspace returns the workspace's own arrays: every preactivation, output after the inputs, error, delta, gradient and delta weight is its buffer at the same index", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const workspace = createWorkspace(network.spec, inputs.shape[1]!);
        const backpropagation = backpropagate(network, inputs, targets, workspace);
        const step = trainingStep(cloneNetwork(network), inputs, targets, learningRate, workspace);
        for (const [result, name] of [
          [backpropagation, "backpropagate"],
          [step, "trainingStep"],
        ] as const) {
          expect(result.trace.outputs[0], `${name}: outputs[0]`).toBe(inputs);
          expectSameBuffers(result.trace.outputs.slice(1), workspace.trace.outputs.slice(1), `${name}: outputs[1…]`);
          expectSameBuffers(result.trace.preactivations, workspace.trace.preactivations, `${name}: preactivations`);
          expectSameBuffers(result.errors, workspace.errors, `${name}: errors`);
          expectSameBuffers(result.deltas, workspace.deltas, `${name}: deltas`);
          expectSameBuffers(result.gradients.weights, workspace.gradients.weights, `${name}: gradients.weights`);
          expectSameBuffers(result.gradients.biases, workspace.gradients.biases, `${name}: gradients.biases`);
        }
        expectSameBuffers(step.deltaWeights.weights, workspace.deltaWeights.weights, "trainingStep: deltaWeights.weights");
        expectSameBuffers(step.deltaWeights.biases, workspace.deltaWeights.biases, "trainingStep: deltaWeights.biases");
        // Negative control: the allocating step's arrays, of the same values, are told apart.
        expect(() => expectSameBuffers(backpropagate(network, inputs, targets).errors, workspace.errors, "allocated errors")).toThrow();
      }),
      { numRuns },
    );
  });

  it("a workspace holds buffers of the network's shapes for B samples, biases only for a network with them, and room for the fused update's sums; a step into it on the worked example, with and without biases, gives the allocating step's numbers; another batch size is refused", () => {
    const { network, inputs, targets } = parseCase(fc.sample(caseDocument({ batch: { min: 2, max: 3 } }), { numRuns: 1, seed: 5 })[0]!);
    expect(() => trainingStep(network, inputs, targets, 0.1, createWorkspace(network.spec, 1))).toThrow(ShapeError);
    expect(() => createWorkspace(network.spec, 0)).toThrow(/batchSize must be a positive integer, got 0/);
    for (const make of [() => parseCase(workedExampleCase), exampleWithBiases]) {
      const fresh = make();
      const reference = trainingStep(fresh.network, fresh.inputs, fresh.targets, 0.5);
      const inPlace = make();
      const workspace = createWorkspace(inPlace.network.spec, 2);
      const step = trainingStep(inPlace.network, inPlace.inputs, inPlace.targets, 0.5, workspace);
      expect(step.loss).toBe(reference.loss);
      expect(networkToArrays(step.updated)).toEqual(networkToArrays(reference.updated));
      expect(networkToArrays(inPlace.network)).toEqual(networkToArrays(reference.updated));
      expect(step.gradients.weights.map((matrix) => Array.from(matrix.data))).toEqual(
        reference.gradients.weights.map((matrix) => Array.from(matrix.data)),
      );
    }
    const workspace = createWorkspace(exampleWithBiases().network.spec, 3);
    expect(workspace.gradients.weights.map((matrix) => matrix.shape)).toEqual([
      [2, 2],
      [1, 2],
    ]);
    expect(workspace.gradients.biases!.map((vector) => vector.shape)).toEqual([[2], [1]]);
    expect(workspace.deltaWeights.weights.map((matrix) => matrix.shape)).toEqual([
      [2, 2],
      [1, 2],
    ]);
    expect(workspace.trace.outputs.map((matrix) => matrix.shape)).toEqual([
      [2, 3],
      [2, 3],
      [1, 3],
    ]);
    expect(workspace.trace.preactivations.map((matrix) => matrix.shape)).toEqual([
      [2, 3],
      [1, 3],
    ]);
    const example = exampleProblem();
    expect(createWorkspace(example.network.spec, 1).gradients.biases).toBeNull();
    for (const batch of [0, 1.5, -1]) {
      expect(() => createWorkspace(example.network.spec, batch)).toThrow(
        new ValueError(`batchSize must be a positive integer, got ${batch}`),
      );
    }
    expect(createWorkspace(example.network.spec, 1).deltas.map((delta) => delta.shape)).toEqual([
      [2, 1],
      [1, 1],
    ]);
    expect(createWorkspace(example.network.spec, 3).sums.length).toBeGreaterThanOrEqual(4 * 2);
  });
});
