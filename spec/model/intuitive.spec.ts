import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type CaseDocument, parseCase } from "../../src/conformance/case-format.js";
import { trainingStep } from "../../src/model/backprop.js";
import { intuitiveBackwardPass, intuitiveStep } from "../../src/model/intuitive.js";
import { type ParameterArrays, parameterEntries } from "../../src/model/network.js";
import { SpecError } from "../../src/numeric/errors.js";
import { formatJson } from "../../src/numeric/json.js";
import { numRuns } from "../support/arbitraries.js";
import { counterexampleSeed, hiddenUpdatesAgree, intuitiveDescends, layer, uphillSeed } from "../../scripts/intuitive-laws.js";
import { expectParametersClose, largestParameterMagnitude } from "../support/parameters.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

const withLoss = (document: CaseDocument, loss: string): CaseDocument => ({ ...document, loss });

/** Sigmoid networks with squared error, the seed's setting, with one hidden layer or more. */
const sigmoidNetworks = (depth: { min: number; max: number }, batch = { min: 1, max: 5 }) =>
  caseDocument({ depth, batch, hidden: ["sigmoid"], outputs: [["sigmoid", "squared_error"]] });

describe("the seed's intuitive rule", () => {
  it("its output-layer update is exactly the squared-error update, for every element-wise network", () => {
    const elementwise = caseDocument({
      outputs: [
        ["sigmoid", "squared_error"],
        ["tanh", "squared_error"],
        ["identity", "squared_error"],
        ["softplus", "squared_error"],
      ],
    });
    fc.assert(
      fc.property(elementwise, (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const L = document.sizes.length - 1;
        const exact = trainingStep(network, inputs, targets, learningRate).deltaWeights;
        const intuitive = intuitiveStep(network, inputs, targets, learningRate).deltaWeights;
        expectParametersClose(layer(intuitive, L), layer(exact, L), { tolerance: 0, floor: 0, what: "output-layer delta weights" });
      }),
      { numRuns },
    );
  });

  it("its hidden-layer update is not the squared-error update: fast-check finds a counterexample and shrinks it to the one in the docs", () => {
    const result = fc.check(hiddenUpdatesAgree, { seed: counterexampleSeed, numRuns: 100 });
    expect(result.failed).toBe(true);
    const [counterexample] = result.counterexample as [CaseDocument];
    const documented = readFileSync(new URL("../../docs/intuitive-rule.md", import.meta.url), "utf8");
    expect(documented).toContain(formatJson(counterexample));
  });

  it("is not always a descent direction for squared error: fast-check finds a network where it points uphill, the one in the docs", () => {
    const result = fc.check(intuitiveDescends(), { seed: uphillSeed, numRuns: 20_000 });
    expect(result.failed).toBe(true);
    const [counterexample] = result.counterexample as [CaseDocument];
    const documented = readFileSync(new URL("../../docs/intuitive-rule.md", import.meta.url), "utf8");
    expect(documented).toContain(formatJson(counterexample));
  });

  it("for a sigmoid output, its last hidden layer's update is exactly the binary cross-entropy update", () => {
    fc.assert(
      fc.property(sigmoidNetworks({ min: 2, max: 4 }), (document) => {
        const L = document.sizes.length - 1;
        const squared = parseCase(document);
        const binary = parseCase(withLoss(document, "binary_cross_entropy"));
        const intuitive = intuitiveStep(squared.network, squared.inputs, squared.targets, squared.learningRate).deltaWeights;
        const exact = trainingStep(binary.network, binary.inputs, binary.targets, binary.learningRate).deltaWeights;
        expectParametersClose(layer(intuitive, L - 1), layer(exact, L - 1), {
          tolerance: 0,
          floor: 0,
          what: "last hidden layer against binary cross-entropy",
        });
      }),
      { numRuns },
    );
  });

  it("no single loss gives both its steps: squared error matches the output layer only, binary cross-entropy the hidden layer only", () => {
    fc.assert(
      fc.property(sigmoidNetworks({ min: 2, max: 2 }, { min: 1, max: 1 }), (document) => {
        const squared = parseCase(document);
        const binary = parseCase(withLoss(document, "binary_cross_entropy"));
        // The learning rate only scales all three updates; 1 keeps them away from underflow.
        const intuitive = intuitiveStep(squared.network, squared.inputs, squared.targets, 1).deltaWeights;
        const bySquared = trainingStep(squared.network, squared.inputs, squared.targets, 1).deltaWeights;
        const byBinary = trainingStep(binary.network, binary.inputs, binary.targets, 1).deltaWeights;
        // Where the updates are too small to tell apart, any two rules agree; skip those.
        fc.pre(largestParameterMagnitude(layer(intuitive, 1)) > 1e-6 && largestParameterMagnitude(layer(intuitive, 2)) > 1e-6);
        const differs = (a: ParameterArrays, b: ParameterArrays): boolean => {
          const others = parameterEntries(b);
          return parameterEntries(a).some((entry, index) => Math.abs(entry.value - others[index]!.value) > 1e-3 * Math.abs(entry.value));
        };
        expect(differs(layer(intuitive, 2), layer(bySquared, 2))).toBe(false);
        expect(differs(layer(intuitive, 1), layer(bySquared, 1))).toBe(true);
        expect(differs(layer(intuitive, 1), layer(byBinary, 1))).toBe(false);
        expect(differs(layer(intuitive, 2), layer(byBinary, 2))).toBe(true);
      }),
      { numRuns },
    );
  });

  it("with one output unit and one sample, its hidden update is the squared-error update divided by f′(z(L)): a descent direction", () => {
    fc.assert(
      fc.property(
        caseDocument({
          depth: { min: 2, max: 2 },
          batch: { min: 1, max: 1 },
          hidden: ["sigmoid", "tanh", "softplus"],
          outputs: [
            ["sigmoid", "squared_error"],
            ["tanh", "squared_error"],
          ],
        }).filter((document) => document.sizes[2] === 1),
        (document) => {
          const { network, inputs, targets, learningRate } = parseCase(document);
          const step = trainingStep(network, inputs, targets, learningRate);
          const intuitive = intuitiveStep(network, inputs, targets, learningRate).deltaWeights;
          const outputSlope =
            document.activations[1] === "sigmoid"
              ? step.trace.outputs[2]!.get(0, 0) * (1 - step.trace.outputs[2]!.get(0, 0))
              : 1 - step.trace.outputs[2]!.get(0, 0) ** 2;
          fc.pre(outputSlope > 1e-6);
          const exact = parameterEntries(layer(step.deltaWeights, 1));
          parameterEntries(layer(intuitive, 1)).forEach((entry, index) => {
            const expected = exact[index]!.value / outputSlope;
            expect(Math.abs(entry.value - expected)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(expected), 1e-300));
          });
        },
      ),
      { numRuns },
    );
  });

  it("refuses a softmax layer, whose derivative is not element-wise", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [2, 2],
      activations: ["softmax"],
      loss: "cross_entropy",
      weights: [
        [
          [1, 0],
          [0, 1],
        ],
      ],
      biases: null,
      inputs: [[1, 2]],
      targets: [[0, 1]],
      learningRate: 0.1,
    });
    expect(() => intuitiveStep(network, inputs, targets, 0.1)).toThrow(
      new SpecError(
        "the intuitive rule needs element-wise activations, but activations[0] is softmax: choose another output activation, or the exact rule",
      ),
    );
  });

  it("its backward pass given arrays to write into writes every error and delta there, and computes the same numbers as without them", () => {
    fc.assert(
      fc.property(
        caseDocument({
          outputs: [
            ["sigmoid", "squared_error"],
            ["identity", "squared_error"],
            ["tanh", "squared_error"],
          ],
        }),
        (document) => {
          const { network, inputs, targets } = parseCase(document);
          const fresh = intuitiveBackwardPass(network, inputs, targets);
          const into = intuitiveBackwardPass(network, inputs, targets);
          for (const matrix of [...into.errors, ...into.deltas]) matrix.data.fill(Number.NaN);
          const written = intuitiveBackwardPass(network, inputs, targets, into);
          written.errors.forEach((error, index) => expect(error, `errors[${index}]`).toBe(into.errors[index]));
          written.deltas.forEach((delta, index) => expect(delta, `deltas[${index}]`).toBe(into.deltas[index]));
          expect(written.errors.map((error) => Array.from(error.data))).toEqual(fresh.errors.map((error) => Array.from(error.data)));
          expect(written.deltas.map((delta) => Array.from(delta.data))).toEqual(fresh.deltas.map((delta) => Array.from(delta.data)));
        },
      ),
      { numRuns },
    );
  });
});
