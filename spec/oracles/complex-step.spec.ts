import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { type ElementwiseActivationName, elementwiseActivations } from "../../src/model/activations.js";
import { backpropagate } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { defaultFloor } from "../../src/oracles/comparison.js";
import { complexActivation, complexStepGradients } from "../../src/oracles/complex-step.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { describeEntry } from "../../src/oracles/report.js";
import * as C from "../../src/numeric/complex.js";
import { numRuns } from "../support/arbitraries.js";
import { largestParameterMagnitude } from "../support/parameters.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

describe("complex-step oracle", () => {
  it("agrees with backpropagation to a relative error of 1e-12 on every entry, across random shapes, activations, losses, biases and batches", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const report = checkGradients(network, inputs, targets, undefined, { method: "complex-step" });
        if (!report.passed) throw new Error(`complex step disagrees at ${describeEntry(report.worst!)}, tolerance 1e-12`);
        worst = Math.max(worst, report.maxRelativeError);
      }),
      { numRuns },
    );
    console.log(`complex step: worst relative error ${worst.toExponential(2)} (tolerance 1e-12)`);
  });

  it("rejects a backprop that drops f′ in the hidden layers (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 2, max: 4 }, hidden: ["sigmoid"] }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        fc.pre(
          largestParameterMagnitude({ weights: correct.weights.slice(0, -1), biases: null }) >
            10 * defaultFloor(networkLoss(network, inputs, targets)),
        );
        const broken = mistakenGradients("missing-derivative", network, inputs, targets);
        expect(checkGradients(network, inputs, targets, broken, { method: "complex-step" }).passed).toBe(false);
      }),
      { numRuns },
    );
  });

  it("evaluates each activation from its values alone: on the real line it is the real activation", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(elementwiseActivations) as ElementwiseActivationName[])),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (name, z) => {
          const value = complexActivation(name, C.complex(z)).re;
          const expected = elementwiseActivations[name].value(z);
          expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(expected)));
        },
      ),
      { numRuns },
    );
  });

  it("takes the branch of the real part at a kink: relu′(0) = 0 and leaky_relu′(0) = 0.01, as the real activations", () => {
    const h = 1e-20;
    expect(complexActivation("relu", C.complex(0, h)).im / h).toBe(0);
    expect(complexActivation("leaky_relu", C.complex(0, h)).im / h).toBe(0.01);
    expect(complexActivation("relu", C.complex(1e-300, h)).im / h).toBe(1);
  });

  it("marks no entry as crossing a kink, since its step is imaginary", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 2, 1],
      activations: ["relu", "identity"],
      loss: "squared_error",
      weights: [[[1], [-1]], [[1, 1]]],
      biases: [[1e-9, 0.5], [0]],
      inputs: [[0]],
      targets: [[0]],
      learningRate: 0.1,
    });
    const numeric = complexStepGradients(network, inputs, targets);
    expect(numeric.kinkCrossed.every((crossed) => !crossed)).toBe(true);
    expect(checkGradients(network, inputs, targets, undefined, { method: "complex-step" }).passed).toBe(true);
  });
});
