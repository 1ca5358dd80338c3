import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";
import { parseCase, type CaseDocument } from "../../src/conformance/case-format.js";
import { caseWithDirection } from "../../src/conformance/direction-arbitrary.js";
import { mistakenGradients } from "../../src/conformance/mistaken-gradients.js";
import { networkLoss } from "../../src/model/forward.js";
import type { Network, ParameterArrays } from "../../src/model/network.js";
import { NumericError, ShapeError } from "../../src/numeric/errors.js";
import { matrixFromRows, vectorFromArray, type Matrix } from "../../src/numeric/tensor.js";
import { complexStepHessianProduct } from "../../src/oracles/complex-gradient.js";
import {
  centralHessianProduct,
  hessianCentralRelativeStep,
  hessianDifferenceStep,
  hessianDifferenceTolerances,
  hessianProductFloor,
  hessianRichardsonRelativeStep,
  richardsonHessianProduct,
} from "../../src/oracles/hessian-differences.js";
import {
  combineParameters,
  displacedNetwork,
  largestEntry,
  mapParameters,
  scaledParameters,
} from "../../src/oracles/parameter-directions.js";
import { numRuns } from "../support/arbitraries.js";
import { problemOf } from "../support/directions.js";
import { expectSameBits, valuesOf, worstRelativeError } from "../support/parameters.js";

describe("differences of gradients along a direction", () => {
  it("central differences agree with the complex step of the gradient within 5e-6, across random shapes, activations, losses, biases, batches and directions", () => {
    let worst = 0;
    let crossings = 0;
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        const central = centralHessianProduct(network, inputs, targets, direction);
        if (central.kinkCrossed) {
          crossings++;
          return;
        }
        const exact = complexStepHessianProduct(network, inputs, targets, direction);
        const { error, position } = worstRelativeError(central.product, exact, hessianProductFloor(loss, direction));
        if (!(error <= hessianDifferenceTolerances.central)) {
          throw new Error(
            `central difference disagrees at ${position}: ${error.toExponential(2)}, tolerance ${hessianDifferenceTolerances.central}`,
          );
        }
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(
      `central differences of gradients: worst relative error ${worst.toExponential(2)} (tolerance 5e-6), ${crossings} kink crossings`,
    );
  });

  it("Richardson extrapolation agrees with the complex step of the gradient within 1e-7, and its error is within its own estimate", () => {
    let worst = 0;
    let crossings = 0;
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        const richardson = richardsonHessianProduct(network, inputs, targets, direction);
        if (richardson.kinkCrossed) {
          crossings++;
          return;
        }
        const exact = complexStepHessianProduct(network, inputs, targets, direction);
        const floor = hessianProductFloor(loss, direction);
        const { error, position } = worstRelativeError(richardson.product, exact, floor);
        if (!(error <= hessianDifferenceTolerances.richardson)) {
          throw new Error(`Richardson extrapolation disagrees at ${position}: ${error.toExponential(2)}, tolerance 1e-7`);
        }
        worst = Math.max(worst, error);
        // The estimate is the error of the finer difference D(s/2); the extrapolation's own error is its O(s⁴) and round-off.
        const excess = combineParameters(
          combineParameters(richardson.product, exact, (value, exactValue) => Math.abs(value - exactValue)),
          richardson.estimatedErrors!,
          (actualError, estimate) => actualError - estimate,
        );
        const allowance = hessianDifferenceTolerances.richardson * Math.max(largestEntry(exact), floor);
        expect(valuesOf(excess).every((entry) => entry <= allowance)).toBe(true);
      }),
      { numRuns },
    );
    console.log(
      `Richardson extrapolation of gradients: worst relative error ${worst.toExponential(2)} (tolerance 1e-7), ${crossings} kink crossings`,
    );
  });

  it("gives the closed form of H for one identity layer with squared error on every unit direction, within the tolerances (E is quadratic: only round-off is left)", () => {
    const worst = { central: 0, richardson: 0 };
    fc.assert(
      fc.property(
        caseDocument({ depth: { min: 1, max: 1 }, width: { min: 1, max: 4 }, outputs: [["identity", "squared_error"]], uniform: true }),
        (document) => {
          const { network, inputs, targets } = parseCase(document);
          const loss = networkLoss(network, inputs, targets);
          unitDirections(network).forEach((direction) => {
            const exact = complexStepHessianProduct(network, inputs, targets, direction);
            for (const difference of [
              centralHessianProduct(network, inputs, targets, direction),
              richardsonHessianProduct(network, inputs, targets, direction),
            ]) {
              const { error, position } = worstRelativeError(difference.product, exact, hessianProductFloor(loss, direction));
              if (!(error <= hessianDifferenceTolerances[difference.method])) {
                throw new Error(`${difference.method} differs from the closed form at ${position}: ${error.toExponential(2)}`);
              }
              worst[difference.method] = Math.max(worst[difference.method], error);
            }
          });
        },
      ),
      { numRuns },
    );
    console.log(
      `differences on a quadratic loss: worst relative error ${worst.central.toExponential(2)} (central), ${worst.richardson.toExponential(2)} (Richardson)`,
    );
  });

  it("takes a step that is a power of two, moving the largest entry of V by r max(1, max|w|) to within a factor √2", () => {
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction } = problemOf(drawn);
        fc.pre(largestEntry(direction) > 0);
        for (const [method, relativeStep] of [
          [centralHessianProduct, hessianCentralRelativeStep],
          [richardsonHessianProduct, hessianRichardsonRelativeStep],
        ] as const) {
          const { step } = method(network, inputs, targets, direction);
          const { scaledStep, scale } = hessianDifferenceStep(network, direction, relativeStep);
          expect(step).toBe(scaledStep / scale);
          expect(Number.isInteger(Math.log2(scaledStep))).toBe(true);
          const ratio = (step * largestEntry(direction)) / (relativeStep * Math.max(1, largestEntry(network)));
          expect(ratio).toBeGreaterThanOrEqual(Math.SQRT1_2 * (1 - 1e-15));
          expect(ratio).toBeLessThanOrEqual(Math.SQRT2 * (1 + 1e-15));
        }
      }),
      { numRuns },
    );
  });

  it("scales exactly with the direction: 2^k V gives 2^k times the product and the estimate, bit for bit", () => {
    fc.assert(
      fc.property(caseWithDirection({ uniform: true }), fc.integer({ min: -40, max: 40 }), (drawn, exponent) => {
        const { network, inputs, targets, direction } = problemOf(drawn);
        const factor = 2 ** exponent;
        const larger = scaledParameters(direction, factor);
        const central = centralHessianProduct(network, inputs, targets, direction);
        expectSameBits(
          valuesOf(centralHessianProduct(network, inputs, targets, larger).product),
          valuesOf(scaledParameters(central.product, factor)),
          "central",
        );
        const richardson = richardsonHessianProduct(network, inputs, targets, direction);
        const largerRichardson = richardsonHessianProduct(network, inputs, targets, larger);
        expectSameBits(valuesOf(largerRichardson.product), valuesOf(scaledParameters(richardson.product, factor)), "Richardson");
        expectSameBits(
          valuesOf(largerRichardson.estimatedErrors!),
          valuesOf(scaledParameters(richardson.estimatedErrors!, factor)),
          "estimate",
        );
      }),
      { numRuns: Math.min(numRuns, 50) },
    );
  });

  it("gives zeros along the direction of zeros, with no step and no kink crossed", () => {
    const { network, inputs, targets } = parseCase(kinkCase);
    const zeros = mapParameters(network, () => 0);
    for (const method of [centralHessianProduct, richardsonHessianProduct]) {
      const result = method(network, inputs, targets, zeros);
      expect(valuesOf(result.product)).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect(result.step).toBe(0);
      expect(result.kinkCrossed).toBe(false);
    }
  });

  it("reports a relu preactivation moved across its kink, and none when the direction leaves it where it is", () => {
    const { network, inputs, targets } = parseCase(kinkCase);
    const along = (position: string): ParameterArrays => unit(network, position);
    // z₁ = x + 1e-9 is within the step of 0 along b₁: both methods straddle the kink.
    expect(centralHessianProduct(network, inputs, targets, along("biases[0][0]")).kinkCrossed).toBe(true);
    expect(richardsonHessianProduct(network, inputs, targets, along("biases[0][0]")).kinkCrossed).toBe(true);
    // z₂ = −x + 0.5 is far from 0, and the output layer has no kink.
    expect(centralHessianProduct(network, inputs, targets, along("biases[0][1]")).kinkCrossed).toBe(false);
    expect(richardsonHessianProduct(network, inputs, targets, along("biases[1][0]")).kinkCrossed).toBe(false);
  });

  it("refuses a direction of another shape, or with an entry that is not finite, naming the array", () => {
    const { network, inputs, targets } = parseCase(kinkCase);
    const good = unit(network, "weights[0][0][0]");
    expect(() => centralHessianProduct(network, inputs, targets, { weights: good.weights, biases: null })).toThrow(ShapeError);
    expect(() =>
      richardsonHessianProduct(network, inputs, targets, { ...good, biases: [vectorFromArray([0, 0]), vectorFromArray([0, 0])] }),
    ).toThrow(/direction.biases\[1\] has 2 entries but biases\[1\] has 1/);
    const notFinite = { ...good, weights: [matrixFromRows([[NaN], [0]]), good.weights[1]!] };
    expect(() => centralHessianProduct(network, inputs, targets, notFinite)).toThrow(NumericError);
  });

  it("rejected by the complex step of the gradient when the gradients differenced drop a hidden layer's f′ (negative control)", () => {
    fc.assert(
      fc.property(caseWithDirection({ depth: { min: 2, max: 4 }, hidden: ["sigmoid", "tanh", "softplus"], uniform: true }), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        fc.pre(largestEntry(direction) > 0);
        const floor = hessianProductFloor(loss, direction);
        const broken = brokenCentralDifference(network, inputs, targets, direction);
        // Where the mistake leaves the difference as it is (no hidden slope matters, a one-unit softmax), there is nothing to reject.
        fc.pre(worstRelativeError(broken, centralHessianProduct(network, inputs, targets, direction).product, floor).error > 1e-3);
        const exact = complexStepHessianProduct(network, inputs, targets, direction);
        expect(worstRelativeError(broken, exact, floor).error).toBeGreaterThan(hessianDifferenceTolerances.central);
      }),
      { numRuns },
    );
  });
});

/** A relu layer with one preactivation $10^{-9}$ from its kink (sizes 1, 2, 1; biases). */
const kinkCase: CaseDocument = {
  format: "backprop-ref/case@1",
  sizes: [1, 2, 1],
  activations: ["relu", "identity"],
  loss: "squared_error",
  weights: [[[1], [-1]], [[1, 1]]],
  biases: [[1e-9, 0.5], [0]],
  inputs: [[0]],
  targets: [[0.25]],
  learningRate: 0.1,
};

/** The unit direction of the parameter at `position` (as `parameterEntries` names it). */
function unit(network: Network, position: string): ParameterArrays {
  const positions = parameterPositions(network);
  let index = 0;
  return mapParameters(network, () => (positions[index++] === position ? 1 : 0));
}

/** The positions of the parameters, in the order `mapParameters` visits them (weights, then biases). */
function parameterPositions(network: Network): string[] {
  const positions: string[] = [];
  network.weights.forEach((matrix, l) => {
    for (let j = 0; j < matrix.shape[0]!; j++) for (let k = 0; k < matrix.shape[1]!; k++) positions.push(`weights[${l}][${j}][${k}]`);
  });
  network.biases?.forEach((vector, l) => {
    for (let j = 0; j < vector.shape[0]!; j++) positions.push(`biases[${l}][${j}]`);
  });
  return positions;
}

/** The unit directions $e_i$, one per parameter, in the order of `parameterEntries`. */
function unitDirections(network: Network): ParameterArrays[] {
  return parameterPositions(network).map((position) => unit(network, position));
}

/**
 * The central difference, with the step {@link centralHessianProduct} takes, of the gradients of
 * the `missing-derivative` mistake: backpropagation with every hidden layer's $f'$ left out.
 */
function brokenCentralDifference(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): ParameterArrays {
  const { scaledStep, scale } = hessianDifferenceStep(network, direction, hessianCentralRelativeStep);
  const scaled = scaledParameters(direction, 1 / scale);
  const at = (step: number): ParameterArrays =>
    mistakenGradients("missing-derivative", displacedNetwork(network, scaled, step), inputs, targets);
  return combineParameters(at(scaledStep), at(-scaledStep), (up, down) => ((up - down) / (2 * scaledStep)) * scale);
}
