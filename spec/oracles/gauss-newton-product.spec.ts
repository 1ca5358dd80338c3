import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { outputPairs } from "../../src/conformance/case-arbitrary.js";
import { caseWithDirection, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import { forward } from "../../src/model/forward.js";
import { networkLoss } from "../../src/model/forward.js";
import { gaussNewtonVectorProduct } from "../../src/model/second-order.js";
import { complexStepHessianProduct } from "../../src/oracles/complex-gradient.js";
import { complexStepGaussNewtonProduct, complexStepTangents, transposedJacobianProduct } from "../../src/oracles/gauss-newton-product.js";
import { hessianProductFloor } from "../../src/oracles/hessian-differences.js";
import { relativeError } from "../../src/oracles/comparison.js";
import { secondOrderTolerance } from "../../src/oracles/second-order-report.js";
import { numRuns } from "../support/arbitraries.js";
import { expectParametersClose, valuesOf } from "../support/parameters.js";

/** The output pairs whose curvature at $z^{(L)}$ is not the identity. */
const curvedOutputs = outputPairs.filter(
  ([activation]) => activation !== "identity" && activation !== "relu" && activation !== "leaky_relu",
);

function worstRelativeError(a: readonly number[], b: readonly number[], floor: number): number {
  return a.reduce((worst, value, index) => Math.max(worst, relativeError(value, b[index]!, floor)), 0);
}

describe("the Gauss–Newton oracle Jᵀ H_ℓ (J V), J V by the complex step", () => {
  it("agrees with the model's Gauss–Newton product to 1e-11 on every entry (relative, with the floor of hessianProductFloor), across random shapes, activations, losses, biases, batches and directions", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection(), ({ document, direction: arrays }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = directionFromArrays(arrays);
        const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
        const oracle = complexStepGaussNewtonProduct(network, inputs, targets, direction);
        const exact = gaussNewtonVectorProduct(network, inputs, targets, direction);
        expectParametersClose(exact, oracle, { tolerance: secondOrderTolerance, floor, what: "G V against the oracle" });
        worst = Math.max(worst, worstRelativeError(valuesOf(exact), valuesOf(oracle), floor));
      }),
      { numRuns },
    );
    console.log(`G V against Jᵀ H_ℓ (J V) of the complex step: worst relative error ${worst.toExponential(2)} (tolerance 1e-11)`);
  });

  it("equals the complex step of the gradient for a single identity layer with squared error, whose loss is quadratic in the parameters (G = H)", () => {
    fc.assert(
      fc.property(
        caseWithDirection({ depth: { min: 1, max: 1 }, outputs: [["identity", "squared_error"]] }),
        ({ document, direction: arrays }) => {
          const { network, inputs, targets } = parseCase(document);
          const direction = directionFromArrays(arrays);
          const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
          expectParametersClose(
            complexStepGaussNewtonProduct(network, inputs, targets, direction),
            complexStepHessianProduct(network, inputs, targets, direction),
            {
              tolerance: secondOrderTolerance,
              floor,
              what: "G V against H V of a quadratic loss",
            },
          );
        },
      ),
      { numRuns },
    );
  });

  it("rejects the negative control that leaves the loss's curvature out (δ̃ = ż) on nearly every case whose output layer curves", () => {
    // Uniform numbers: fast-check's general doubles put many preactivations at 0 or 1e-300, where
    // tanh' is exactly 1 and the control is the product itself. Piecewise-linear outputs (identity,
    // relu and leaky relu on their positive side) have f' = 1 and H_ℓ = I at z too, so they are left out.
    let rejected = 0;
    let judged = 0;
    fc.assert(
      fc.property(caseWithDirection({ uniform: true, outputs: curvedOutputs }), ({ document, direction: arrays }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = directionFromArrays(arrays);
        const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
        const tangents = complexStepTangents(network, inputs, direction);
        const broken = transposedJacobianProduct(network, forward(network, inputs), tangents.preactivationTangents);
        judged++;
        if (
          worstRelativeError(valuesOf(broken), valuesOf(gaussNewtonVectorProduct(network, inputs, targets, direction)), floor) >
          secondOrderTolerance
        )
          rejected++;
      }),
      { numRuns },
    );
    // A direction that moves nothing the outputs see (zeros, or only the weights of a dead unit) leaves both products 0.
    expect(rejected).toBeGreaterThan(judged * 0.9);
  });
});
