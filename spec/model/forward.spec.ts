import ndarray from "ndarray";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { assertTargetShape, forward, layerOutput, networkLoss, weightedSum } from "../../src/model/forward.js";
import { createNetwork, type Network } from "../../src/model/network.js";
import { ShapeError } from "../../src/numeric/errors.js";
import { type Matrix, matrixFromRows, matrixToRows, vectorFromArray, zeros } from "../../src/numeric/tensor.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { numRuns } from "../support/arbitraries.js";
import { exampleProblem } from "../support/fixtures.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

/** A 2-2-1 network, relu then identity, with biases. */
function reluNetwork(): Network {
  return createNetwork(
    { sizes: [2, 2, 1], activations: ["relu", "identity"], loss: "squared_error", biases: true },
    [
      matrixFromRows([
        [1, -1],
        [2, 0.5],
      ]),
      matrixFromRows([[1, -2]]),
    ],
    [vectorFromArray([0.5, -1]), vectorFromArray([0.25])],
  );
}

describe("forward pass", () => {
  it("computes z = W o_prev + b per sample (column) and o = f(z)", () => {
    const network = reluNetwork();
    const inputs = matrixFromRows([
      [1, 2],
      [3, -2],
    ]);
    const trace = forward(network, inputs);
    // Sample 1: z1 = [1 − 3 + 0.5, 2 + 1.5 − 1] = [−1.5, 2.5]; sample 2: [2 + 2 + 0.5, 4 − 1 − 1] = [4.5, 2].
    expect(matrixToRows(trace.preactivations[0]!)).toEqual([
      [-1.5, 4.5],
      [2.5, 2],
    ]);
    expect(matrixToRows(trace.outputs[1]!)).toEqual([
      [0, 4.5],
      [2.5, 2],
    ]);
    // z2 = 1·o1 − 2·o2 + 0.25.
    expect(matrixToRows(trace.outputs[2]!)).toEqual([[-4.75, 0.75]]);
    expect(trace.outputs[0]).toBe(inputs);
    expect(networkLoss(network, inputs, matrixFromRows([[0.25, 0.75]]))).toBe((0.5 * 25) / 2);
  });

  it("a forward pass into a trace returns that trace's own matrices, z⁽ˡ⁾ and o⁽ˡ⁾ at the same index, with the inputs themselves as o⁽⁰⁾", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs } = parseCase(document);
        const into = createWorkspace(network.spec, inputs.shape[1]!).trace;
        const trace = forward(network, inputs, into);
        expect(trace.outputs[0]).toBe(inputs);
        expect(trace.preactivations).toHaveLength(into.preactivations.length);
        expect(trace.outputs).toHaveLength(into.outputs.length);
        // Identity, not equality: a pass that wrote into fresh matrices would give the same values.
        into.preactivations.forEach((buffer, index) => expect(trace.preactivations[index], `preactivations[${index}]`).toBe(buffer));
        for (let l = 1; l < into.outputs.length; l++) expect(trace.outputs[l], `outputs[${l}]`).toBe(into.outputs[l]);
      }),
      { numRuns },
    );
  });

  it("exposes each layer's two steps", () => {
    const z = weightedSum(matrixFromRows([[2, 3]]), null, matrixFromRows([[1], [-1]]));
    expect(matrixToRows(z)).toEqual([[-1]]);
    expect(matrixToRows(layerOutput("relu", z))).toEqual([[0]]);
  });

  it("refuses inputs and targets of the wrong shape, naming both shapes", () => {
    const network = reluNetwork();
    expect(() => forward(network, matrixFromRows([[1, 2, 3]]))).toThrow(
      new ShapeError("inputs are 1×3 but sizes [2, 2, 1] need 2×B with B ≥ 1 (one sample per column)"),
    );
    expect(() => networkLoss(network, matrixFromRows([[1], [2]]), matrixFromRows([[1, 2]]))).toThrow(
      new ShapeError("targets are 1×2 but the outputs are 1×1"),
    );
  });

  it("targets must be a matrix: an array of three dimensions, even one whose first two are the outputs' n_L × B, is refused with a ShapeError naming its shape", () => {
    const outputs = zeros(2, 3);
    const threeDimensional: Matrix = ndarray(new Float64Array(6), [2, 3, 1]);
    expect(() => assertTargetShape(outputs, threeDimensional)).toThrow(
      new ShapeError("targets must be a matrix (n_L × B) of the outputs' shape 2×3, got an array of shape 2×3×1"),
    );
    const vector: Matrix = ndarray(new Float64Array(2), [2]);
    expect(() => assertTargetShape(outputs, vector)).toThrow(
      new ShapeError("targets must be a matrix (n_L × B) of the outputs' shape 2×3, got an array of shape 2"),
    );
    // The matrix of that shape passes: only the dimensions were wrong.
    expect(() => assertTargetShape(outputs, ndarray(new Float64Array(6), [2, 3]))).not.toThrow();
  });

  it("the forward pass refuses inputs of the wrong rows, no samples, or not a matrix", () => {
    const example = exampleProblem();
    expect(() => forward(example.network, zeros(3, 2))).toThrow(ShapeError);
    expect(() => forward(example.network, zeros(2, 0))).toThrow(ShapeError);
    const vector = matrixFromRows([[1, 2]]).pick(0, null);
    expect(() => forward(example.network, vector)).toThrow(ShapeError);
  });

  it("targets must have the outputs' shape, rows and columns", () => {
    const outputs = zeros(2, 3);
    expect(() => assertTargetShape(outputs, zeros(2, 3))).not.toThrow();
    expect(() => assertTargetShape(outputs, zeros(3, 3))).toThrow(new ShapeError("targets are 3×3 but the outputs are 2×3"));
    expect(() => assertTargetShape(outputs, zeros(2, 2))).toThrow(new ShapeError("targets are 2×2 but the outputs are 2×3"));
    expect(() => assertTargetShape(outputs, outputs.pick(0, null))).toThrow(ShapeError);
  });
});
