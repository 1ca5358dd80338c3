import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { caseDocument, directionFor } from "../../src/conformance/case-arbitrary.js";
import { caseWithDirection, directionEntry, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import { elementwiseActivations, type ElementwiseActivationName } from "../../src/model/activations.js";
import { backpropagate } from "../../src/model/backprop.js";
import { forward } from "../../src/model/forward.js";
import type { Network, ParameterArrays } from "../../src/model/network.js";
import * as C from "../../src/numeric/complex.js";
import { NumericError, ShapeError } from "../../src/numeric/errors.js";
import { dimensions, matrixFromRows, vectorFromArray, type Matrix } from "../../src/numeric/tensor.js";
import { defaultFloor, relativeError } from "../../src/oracles/comparison.js";
import {
  complexActivationDerivative,
  complexGradients,
  complexOutputDelta,
  complexStepDerivatives,
  complexStepDirectionalDerivative,
  complexStepHessianProduct,
  complexStepOutputTangents,
  complexTransposedProduct,
  imaginaryStep,
} from "../../src/oracles/complex-gradient.js";
import { complexForward, complexStep } from "../../src/oracles/complex-step.js";
import {
  centralHessianProduct,
  hessianCentralRelativeStep,
  hessianDifferenceTolerances,
  hessianProductFloor,
  richardsonHessianProduct,
} from "../../src/oracles/hessian-differences.js";
import {
  combineParameters,
  displacedNetwork,
  largestEntry,
  mapParameters,
  parameterDot,
  scaledParameters,
} from "../../src/oracles/parameter-directions.js";
import { numRuns } from "../support/arbitraries.js";
import { problemOf } from "../support/directions.js";
import { oneLinearLayer } from "../support/fixtures.js";
import { expectSameBits, valuesOf, worstRelativeError } from "../support/parameters.js";

/** $\sum_i |a_i b_i|$: the size of the terms of a dot product, what its rounding is relative to. */
function absoluteDot(a: ParameterArrays, b: ParameterArrays): number {
  return parameterDot(mapParameters(a, Math.abs), mapParameters(b, Math.abs));
}

/**
 * The complex step of a broken backpropagation: the same forward pass and output delta, then
 * `hidden` in place of step 3, then step 4, and $\sigma \operatorname{Im}/h$.
 */
function brokenComplexProduct(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  mistake: "hidden slope dropped" | "output slope dropped",
): ParameterArrays {
  const { imaginary, scale } = imaginaryStep(network, direction);
  const trace = complexForward(network, imaginary, inputs);
  const L = network.weights.length;
  const deltas = new Array<C.ComplexMatrix>(L);
  if (mistake === "output slope dropped") {
    // δ^(L) = o − t: the output error without f′(z^(L)), as if the output were the identity.
    const o = trace.outputs[L]!;
    const delta = C.complexZeros(o.rows, o.columns);
    for (let k = 0; k < o.rows; k++) {
      for (let b = 0; b < o.columns; b++) C.setComplexEntry(delta, k, b, C.sub(C.complexEntry(o, k, b), C.complex(targets.get(k, b))));
    }
    deltas[L - 1] = delta;
  } else {
    deltas[L - 1] = complexOutputDelta(network.spec, trace, targets);
  }
  for (let l = L - 1; l >= 1; l--) {
    const sent = complexTransposedProduct(network.weights[l]!, imaginary.weights[l]!, deltas[l]!);
    if (mistake === "hidden slope dropped") deltas[l - 1] = sent;
    else {
      const z = trace.preactivations[l - 1]!;
      const delta = C.complexZeros(sent.rows, sent.columns);
      const activation = network.spec.activations[l - 1] as ElementwiseActivationName;
      for (let k = 0; k < sent.rows; k++) {
        for (let b = 0; b < sent.columns; b++) {
          C.setComplexEntry(
            delta,
            k,
            b,
            C.mul(complexActivationDerivative(activation, C.complexEntry(z, k, b)), C.complexEntry(sent, k, b)),
          );
        }
      }
      deltas[l - 1] = delta;
    }
  }
  const gradients = complexGradients(trace, deltas, network.biases !== null);
  return mapParameters(gradients.im, (value) => (value / complexStep) * scale);
}

describe("the complex step of the gradient", () => {
  it("agrees with Richardson extrapolation of backpropagate's gradients within 1e-7, across random shapes, activations, losses, biases, batches and directions", () => {
    let worst = 0;
    let crossings = 0;
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        const product = complexStepHessianProduct(network, inputs, targets, direction);
        const richardson = richardsonHessianProduct(network, inputs, targets, direction);
        if (richardson.kinkCrossed) {
          crossings++;
          return;
        }
        const { error, position } = worstRelativeError(product, richardson.product, hessianProductFloor(loss, direction));
        if (!(error <= hessianDifferenceTolerances.richardson)) {
          throw new Error(
            `HV disagrees at ${position}: relative error ${error.toExponential(2)}, tolerance ${hessianDifferenceTolerances.richardson}`,
          );
        }
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(
      `complex step of the gradient against Richardson extrapolation: worst relative error ${worst.toExponential(2)}, ${crossings} kink crossings`,
    );
  });

  it("has as its real part backpropagate's gradient, to 1e-12 (the same derivation in complex numbers)", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        const { gradients, loss: complexLossValue } = complexStepDerivatives(network, inputs, targets, direction);
        const { error, position } = worstRelativeError(gradients, backpropagate(network, inputs, targets).gradients, defaultFloor(loss));
        if (!(error <= 1e-12)) throw new Error(`the real part differs at ${position}: relative error ${error.toExponential(2)}`);
        expect(relativeError(complexLossValue, loss, defaultFloor(loss))).toBeLessThanOrEqual(1e-13);
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(
      `real part of the complex gradient against backpropagate: worst relative error ${worst.toExponential(2)} (tolerance 1e-12)`,
    );
  });

  it("gives the directional derivative ∇E · V of backpropagate's gradient to 1e-12, relative to the sizes of its terms", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        const gradient = backpropagate(network, inputs, targets).gradients;
        const expected = parameterDot(gradient, direction);
        const slope = complexStepDirectionalDerivative(network, inputs, targets, direction);
        expect(complexStepDerivatives(network, inputs, targets, direction).directionalDerivative).toBe(slope);
        const error = relativeError(slope, expected, Math.max(absoluteDot(gradient, direction), hessianProductFloor(loss, direction)));
        if (!(error <= 1e-12)) throw new Error(`Ė is ${slope}, ∇E · V is ${expected}: relative error ${error.toExponential(2)}`);
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(`complex-step directional derivative against ∇E · V: worst relative error ${worst.toExponential(2)} (tolerance 1e-12)`);
  });

  it("gives output tangents JV that agree with central differences of the outputs to 2e-6", () => {
    // The tolerance is ten times the worst seen in 10,000 runs (1.9e-7), the difference's own truncation.
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, direction } = problemOf(drawn);
        const tangents = complexStepOutputTangents(network, inputs, direction);
        const largest = largestEntry(direction);
        if (largest === 0) {
          expect(Array.from(tangents.data).every((entry) => entry === 0)).toBe(true);
          return;
        }
        const step = 2 ** Math.round(Math.log2((hessianCentralRelativeStep * Math.max(1, largestEntry(network))) / largest));
        const outputsAt = (s: number): Matrix => forward(displacedNetwork(network, direction, s), inputs).outputs.at(-1)!;
        const [up, down] = [outputsAt(step), outputsAt(-step)];
        const [units, samples] = dimensions(tangents);
        for (let k = 0; k < units; k++) {
          for (let b = 0; b < samples; b++) {
            const difference = (up.get(k, b) - down.get(k, b)) / (2 * step);
            const error = relativeError(tangents.get(k, b), difference, 1e-3 * largest);
            if (!(error <= 2e-6))
              throw new Error(`JV[${k}][${b}] is ${tangents.get(k, b)}, the difference ${difference}: ${error.toExponential(2)}`);
            worst = Math.max(worst, error);
          }
        }
      }),
      { numRuns },
    );
    console.log(
      `complex-step output tangents against central differences: worst relative error ${worst.toExponential(2)} (tolerance 2e-6)`,
    );
  });

  it("is symmetric: U · (HV) = V · (HU) to 1e-12, relative to the sizes of the terms", () => {
    let worst = 0;
    fc.assert(
      fc.property(
        caseWithDirection().chain((drawn) => directionFor(drawn.document, directionEntry).map((other) => ({ ...drawn, other }))),
        (drawn) => {
          const { network, inputs, targets, direction, loss } = problemOf(drawn);
          const other = directionFromArrays(drawn.other);
          const productV = complexStepHessianProduct(network, inputs, targets, direction);
          const productU = complexStepHessianProduct(network, inputs, targets, other);
          const [left, right] = [parameterDot(other, productV), parameterDot(direction, productU)];
          const scale = Math.max(
            absoluteDot(other, productV),
            absoluteDot(direction, productU),
            hessianProductFloor(loss, direction) * largestEntry(other),
          );
          const error = relativeError(left, right, scale);
          if (!(error <= 1e-12)) throw new Error(`U·HV = ${left}, V·HU = ${right}: relative error ${error.toExponential(2)}`);
          worst = Math.max(worst, error);
        },
      ),
      { numRuns },
    );
    console.log(`symmetry of the complex-step Hessian: worst relative error ${worst.toExponential(2)} (tolerance 1e-12)`);
  });

  it("is linear in the direction: H(aU + V) = a HU + HV to 1e-12 of the products' size (or the floor)", () => {
    let worst = 0;
    fc.assert(
      fc.property(
        caseWithDirection().chain((drawn) =>
          fc
            .record({
              other: directionFor(drawn.document, directionEntry),
              // A general number in [-4, 4], a multiple of 2^-18: not the tiny ones fc.double draws mostly, which underflow.
              factor: fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((steps) => steps / 2 ** 18),
            })
            .map((extra) => ({ ...drawn, ...extra })),
        ),
        (drawn) => {
          const { network, inputs, targets, direction, loss } = problemOf(drawn);
          const other = directionFromArrays(drawn.other);
          const combined = combineParameters(other, direction, (u, v) => drawn.factor * u + v);
          const productU = complexStepHessianProduct(network, inputs, targets, other);
          const productV = complexStepHessianProduct(network, inputs, targets, direction);
          const expected = combineParameters(productU, productV, (u, v) => drawn.factor * u + v);
          // Normwise, with the floor of the comparisons: where H is 0 (all weights 0), what is left is the O(h²) of the step.
          const size = Math.max(
            Math.abs(drawn.factor) * largestEntry(productU) + largestEntry(productV),
            hessianProductFloor(loss, combined),
          );
          const { error, position } = worstRelativeError(complexStepHessianProduct(network, inputs, targets, combined), expected, size);
          if (!(error <= 1e-12))
            throw new Error(`H(aU + V) differs from aHU + HV at ${position}: ${error.toExponential(2)} of the size ${size}`);
          worst = Math.max(worst, error);
        },
      ),
      { numRuns },
    );
    console.log(`linearity of the complex-step product: worst error ${worst.toExponential(2)} of the products' size (tolerance 1e-12)`);
  });

  it("scales exactly with the direction: 2^k V gives 2^k times HV, Ė and JV, bit for bit", () => {
    fc.assert(
      fc.property(caseWithDirection({ uniform: true }), fc.integer({ min: -40, max: 40 }), (drawn, exponent) => {
        const { network, inputs, targets, direction } = problemOf(drawn);
        const factor = 2 ** exponent;
        const base = complexStepDerivatives(network, inputs, targets, direction);
        const scaled = complexStepDerivatives(network, inputs, targets, scaledParameters(direction, factor));
        expectSameBits(valuesOf(scaled.hessianVectorProduct), valuesOf(scaledParameters(base.hessianVectorProduct, factor)), "HV");
        expectSameBits([scaled.directionalDerivative], [base.directionalDerivative * factor], "Ė");
        expectSameBits(
          Array.from(scaled.outputTangents.data),
          Array.from(base.outputTangents.data, (entry) => entry * factor),
          "JV",
        );
      }),
      { numRuns },
    );
  });

  it("gives zeros along the direction of zeros", () => {
    fc.assert(
      fc.property(caseWithDirection(), (drawn) => {
        const { network, inputs, targets, direction } = problemOf(drawn);
        const result = complexStepDerivatives(
          network,
          inputs,
          targets,
          mapParameters(direction, () => 0),
        );
        expect(valuesOf(result.hessianVectorProduct).every((entry) => entry === 0)).toBe(true);
        expect(result.directionalDerivative).toBe(0);
        expect(Array.from(result.outputTangents.data).every((entry) => entry === 0)).toBe(true);
      }),
      { numRuns: Math.min(numRuns, 20) },
    );
  });

  it("equals the closed form of H for one identity layer with squared error, on every unit direction", () => {
    fc.assert(
      fc.property(singleLinearLayer(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const hessian = closedFormHessian(network, inputs);
        unitDirections(network).forEach((direction, column) => {
          const product = valuesOf(complexStepHessianProduct(network, inputs, targets, direction));
          product.forEach((entry, row) => {
            const expected = hessian[row]![column]!;
            if (!(relativeError(entry, expected.value, expected.scale) <= 1e-14)) {
              throw new Error(`H[${row}][${column}] is ${entry}, the closed form ${expected.value}`);
            }
          });
        });
      }),
      { numRuns },
    );
  });

  it("at a relu kink takes the branch of the real part: the Hessian of the left piece, where the unit is off", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 1, 1],
      activations: ["relu", "identity"],
      loss: "squared_error",
      weights: [[[0.5]], [[2]]],
      biases: [[-0.5], [0.25]],
      inputs: [[1]],
      targets: [[0]],
      learningRate: 0.1,
    });
    expect(forward(network, inputs).preactivations[0]!.get(0, 0)).toBe(0);
    // Parameters in the order of parameterEntries: w₁, w₂, b₁, b₂.
    const along = (values: readonly number[]): ParameterArrays => ({
      weights: [matrixFromRows([[values[0]!]]), matrixFromRows([[values[1]!]])],
      biases: [vectorFromArray([values[2]!]), vectorFromArray([values[3]!])],
    });
    // Off (z ≤ 0): o₁ = 0 and relu′ = 0, so E = ½(b₂ − t)² near w and only ∂²E/∂b₂² = 1 is left.
    // On (z > 0) the column of b₂ would be (w₂x, o₁, w₂, 1) = (2, 0, 2, 1).
    expect(valuesOf(complexStepHessianProduct(network, inputs, targets, along([0, 0, 0, 1])))).toEqual([0, 0, 0, 1]);
    expect(valuesOf(complexStepHessianProduct(network, inputs, targets, along([0, 0, 1, 0])))).toEqual([0, 0, 0, 0]);
    // Moving b₁ moves z across 0: the difference of gradients straddles the kink, and says so.
    const central = centralHessianProduct(network, inputs, targets, along([0, 0, 1, 0]));
    expect(central.kinkCrossed).toBe(true);
    expect(valuesOf(central.product)).not.toEqual([0, 0, 0, 0]);
  });

  it("refuses a direction of another shape, or with an entry that is not finite, naming the array", () => {
    const { network, inputs, targets } = oneLinearLayer();
    const good = unitDirections(network)[0]!;
    expect(() => complexStepHessianProduct(network, inputs, targets, { weights: good.weights, biases: null })).toThrow(ShapeError);
    expect(() => complexStepHessianProduct(network, inputs, targets, { ...good, weights: [matrixFromRows([[1, 2, 3]])] })).toThrow(
      /direction.weights\[0\] is 1×3 but weights\[0\] is 1×2/,
    );
    const infinite = mapParameters(good, (value) => (value === 1 ? Infinity : value));
    expect(() => complexStepDirectionalDerivative(network, inputs, targets, infinite)).toThrow(NumericError);
    expect(() => complexStepOutputTangents(network, inputs, infinite)).toThrow(
      /direction.weights\[0\]\[0\]\[0\] must be a finite number, got Infinity/,
    );
  });

  it.each([
    {
      mistake: "hidden slope dropped" as const,
      what: "a hidden layer's f′ is dropped",
      cases: () => caseWithDirection({ depth: { min: 2, max: 4 }, hidden: ["sigmoid", "tanh", "softplus"], uniform: true }),
    },
    {
      mistake: "output slope dropped" as const,
      what: "the output's f′ is dropped, δ = o − t for squared error",
      cases: () =>
        caseWithDirection({
          outputs: (["sigmoid", "tanh", "softplus"] as const).map((activation) => [activation, "squared_error"] as const),
          uniform: true,
        }),
    },
    // The cases are drawn inside the test, so that no library code runs when the spec is imported.
  ])("rejected by central differences of the gradients when $what (negative control)", ({ mistake, cases }) => {
    fc.assert(
      fc.property(cases(), (drawn) => {
        const { network, inputs, targets, direction, loss } = problemOf(drawn);
        fc.pre(largestEntry(direction) > 0);
        const broken = brokenComplexProduct(network, inputs, targets, direction, mistake);
        const floor = hessianProductFloor(loss, direction);
        // Where the mistake leaves HV as it is (no hidden unit's slope matters, a one-unit softmax), there is nothing to reject.
        fc.pre(worstRelativeError(broken, complexStepHessianProduct(network, inputs, targets, direction), floor).error > 1e-3);
        const central = centralHessianProduct(network, inputs, targets, direction);
        expect(worstRelativeError(broken, central.product, floor).error).toBeGreaterThan(hessianDifferenceTolerances.central);
      }),
      { numRuns },
    );
  });

  it("differentiates each activation's slope from its values alone: on the real line it is f′, and its complex step is f″", () => {
    const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
    // f″ in closed form: σ′(1 − 2σ), −2 tanh (1 − tanh²), softplus″ = σ′, and 0 on each piece of the others.
    const secondDerivatives: Record<ElementwiseActivationName, (z: number) => number> = {
      sigmoid: (z) => sigmoid(z) * sigmoid(-z) * (1 - 2 * sigmoid(z)),
      tanh: (z) => -2 * Math.tanh(z) * (1 - Math.tanh(z) ** 2),
      relu: () => 0,
      leaky_relu: () => 0,
      softplus: (z) => sigmoid(z) * sigmoid(-z),
      identity: () => 0,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(elementwiseActivations) as ElementwiseActivationName[])),
        fc.double({ min: -30, max: 30, noNaN: true }),
        (name, z) => {
          const slope = complexActivationDerivative(name, C.complex(z, complexStep));
          const derivative = elementwiseActivations[name].derivative(z);
          const second = secondDerivatives[name](z);
          expect(Math.abs(slope.re - derivative)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(derivative)));
          expect(Math.abs(slope.im / complexStep - second)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(second)));
        },
      ),
      { numRuns },
    );
  });
});

/** One identity layer with squared error: $E$ is quadratic in the parameters and $H$ has a closed form. */
function singleLinearLayer() {
  return caseDocument({
    depth: { min: 1, max: 1 },
    width: { min: 1, max: 5 },
    outputs: [["identity", "squared_error"]],
    uniform: true,
  });
}

/** The unit directions $e_i$, one per parameter, in the order of `parameterEntries`. */
function unitDirections(network: Network): ParameterArrays[] {
  const count = valuesOf(network).length;
  return Array.from({ length: count }, (_, unit) => {
    let index = 0;
    return mapParameters(network, () => (index++ === unit ? 1 : 0));
  });
}

/**
 * $H$ of $E = \frac1B \sum_b \frac12 \lVert W x_b + b - t_b \rVert^2$ in the order of
 * `parameterEntries` (weights row by row, then biases): for $W_{jk}, W_{j'k'}$,
 * $\delta_{jj'} \frac1B \sum_b x_{kb} x_{k'b}$; weight and bias $\delta_{jj'} \frac1B \sum_b x_{kb}$;
 * two biases $\delta_{jj'}$. Each entry with the mean of its terms' magnitudes, the scale of its
 * rounding (a mean of products of both signs cancels).
 */
function closedFormHessian(network: Network, inputs: Matrix): { readonly value: number; readonly scale: number }[][] {
  const [units, fanIn] = dimensions(network.weights[0]!);
  const [, samples] = dimensions(inputs);
  const mean = (term: (b: number) => number): { value: number; scale: number } => {
    let [total, scale] = [0, 0];
    for (let b = 0; b < samples; b++) {
      total += term(b);
      scale += Math.abs(term(b));
    }
    return { value: total / samples, scale: scale / samples };
  };
  const input = (k: number, b: number): number => (k === fanIn ? 1 : inputs.get(k, b));
  const positions: { unit: number; input: number }[] = [];
  for (let j = 0; j < units; j++) for (let k = 0; k < fanIn; k++) positions.push({ unit: j, input: k });
  if (network.biases !== null) for (let j = 0; j < units; j++) positions.push({ unit: j, input: fanIn });
  return positions.map((row) =>
    positions.map((column) =>
      row.unit === column.unit ? mean((b) => input(row.input, b) * input(column.input, b)) : { value: 0, scale: 0 },
    ),
  );
}
