import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activate,
  activationDerivative,
  elementwiseActivations,
  isActivationName,
  leakyReluSlope,
  sigmoid,
  sigmoidDerivative,
  sigmoidSecondDerivative,
  softmax,
  softmaxBackward,
  softmaxComplement,
  softplus,
  tanhDerivative,
  tanhSecondDerivative,
  targetMinusActivation,
  type ElementwiseActivationName,
} from "../../src/model/activations.js";
import { dimensions, matrixFromRows, matrixToRows } from "../../src/numeric/tensor.js";
import { ShapeError } from "../../src/numeric/errors.js";
import { numRuns } from "../support/arbitraries.js";
import { rowBelow, topRowsOf } from "../support/parameters.js";
import { constant, untouched } from "../support/layouts.js";

const names = Object.keys(elementwiseActivations) as ElementwiseActivationName[];
const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true });
const moderate = fc.double({ min: -30, max: 30, noNaN: true });

/** An $n \times B$ batch and an upstream gradient of its shape, $n$ from 1 to 6 and $B$ from 1 to 4. */
const logitsAndUpstream = fc.integer({ min: 1, max: 6 }).chain((units) =>
  fc.integer({ min: 1, max: 4 }).chain((samples) => {
    const batch = (bound: number) =>
      fc.array(fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: samples, maxLength: samples }), {
        minLength: units,
        maxLength: units,
      });
    return fc.tuple(batch(10), batch(5));
  }),
);
/**
 * What the row below a view holds: read as a logit it would be the maximum and send every other
 * output of its column to $0$; read as an output or an upstream gradient it would swamp
 * $\sum_j o_j g_j$.
 */
const poison = 1e4;

describe("activations", () => {
  it("every activation's derivative agrees with a central difference of its value, away from the relu kink", () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), moderate, (name, z) => {
        fc.pre(Math.abs(z) > 1e-3);
        const { value, derivative } = elementwiseActivations[name];
        const h = 1e-6 * Math.max(1, Math.abs(z));
        const numeric = (value(z + h) - value(z - h)) / (z + h - (z - h));
        expect(Math.abs(derivative(z) - numeric)).toBeLessThan(1e-8);
      }),
      { numRuns },
    );
  });

  it("every activation's second derivative agrees with a central difference of its derivative, away from the relu kink", () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), moderate, (name, z) => {
        fc.pre(Math.abs(z) > 1e-3);
        const { derivative, secondDerivative } = elementwiseActivations[name];
        const h = 1e-6 * Math.max(1, Math.abs(z));
        const numeric = (derivative(z + h) - derivative(z - h)) / (z + h - (z - h));
        expect(Math.abs(secondDerivative(z) - numeric)).toBeLessThan(1e-8);
      }),
      { numRuns },
    );
  });

  it("the second derivatives keep their relative precision: σ″(z) is σ′(z)·(−expm1(z)/(1 + eᶻ)) and tanh″(z) is −2 sinh z / cosh³ z to a few ulps, and σ″(z) is −z/8 near 0, where 1 − 2σ(z) keeps no digit", () => {
    const relativeDifference = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -200, max: 200, noNaN: true }), (z, y) => {
        const oneMinusTwiceSigmoid = -Math.expm1(z) / (1 + Math.exp(z));
        expect(relativeDifference(sigmoidSecondDerivative(z), sigmoidDerivative(z) * oneMinusTwiceSigmoid)).toBeLessThan(16 * 2 ** -53);
        const cosh = Math.cosh(y);
        expect(relativeDifference(tanhSecondDerivative(y), (-2 * Math.sinh(y)) / (cosh * cosh * cosh))).toBeLessThan(16 * 2 ** -53);
      }),
      { numRuns },
    );
    for (const z of [1e-9, -3e-12]) {
      expect(relativeDifference(sigmoidSecondDerivative(z), -z / 8)).toBeLessThan(1e-15);
      expect(relativeDifference((1 - 2 * sigmoid(z)) * sigmoidDerivative(z), -z / 8)).toBeGreaterThan(1e-8);
    }
    expect(Object.is(sigmoidSecondDerivative(0), -0) || sigmoidSecondDerivative(0) === 0).toBe(true);
    expect(elementwiseActivations.softplus.secondDerivative(3)).toBe(sigmoidDerivative(3));
    for (const name of ["relu", "leaky_relu", "identity"] as const) expect(elementwiseActivations[name].secondDerivative(-2.5)).toBe(0);
  });

  it("every activation gives a finite value, a finite derivative and a finite second derivative for every finite input", () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), anyFinite, (name, z) => {
        const { value, derivative, secondDerivative } = elementwiseActivations[name];
        expect(Number.isFinite(value(z))).toBe(true);
        expect(Number.isFinite(derivative(z))).toBe(true);
        expect(Number.isFinite(secondDerivative(z))).toBe(true);
      }),
      { numRuns },
    );
  });

  it("the derivatives keep their relative precision in the tails: σ'(z) is σ(z)σ(−z) to a few ulps for |z| up to 700, tanh'(z) is 1/cosh²(z) for |z| up to 350 (where it is still a normal number)", () => {
    const relativeDifference = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    fc.assert(
      fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (z) => {
        expect(relativeDifference(sigmoidDerivative(z), sigmoid(z) * sigmoid(-z))).toBeLessThan(8 * 2 ** -53);
        const secant = 1 / Math.cosh(z / 2);
        expect(relativeDifference(tanhDerivative(z / 2), secant * secant)).toBeLessThan(16 * 2 ** -53);
      }),
      { numRuns },
    );
    // Where s(1 − s) and 1 − t² have no digit left, the slopes are still there.
    expect(sigmoidDerivative(40)).toBeCloseTo(4.248354255291589e-18, 30);
    expect(tanhDerivative(20)).toBeGreaterThan(1e-17);
  });

  it("t − f(z) near an asymptote is the distance of z's output to it, not of the rounded output: (t − 1) + σ(−z), (t ∓ 1) ± 2e/(1 + e) for tanh", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.6, max: 700, noNaN: true }), fc.constantFrom(-1, 1), (magnitude, sign) => {
        const z = sign * magnitude;
        // At the asymptote's own target the error is the distance to it, positive or negative.
        expect(targetMinusActivation("sigmoid", z, sigmoid(z), sign > 0 ? 1 : 0)).toBe(sign > 0 ? sigmoid(-z) : -sigmoid(z));
        const e = Math.exp(-2 * magnitude);
        // (+ 0 makes −0 and 0 one: where e underflows, 0 − 0 is +0.)
        expect(targetMinusActivation("tanh", z, Math.tanh(z), sign) + 0).toBe((sign * (2 * e)) / (1 + e) + 0);
      }),
      { numRuns },
    );
    expect(targetMinusActivation("sigmoid", 40, sigmoid(40), 1)).toBe(sigmoid(-40));
    expect(targetMinusActivation("identity", 40, 40, 1)).toBe(-39);
  });

  it("the complement 1 − o of a confident softmax output comes from z: r/(1 + r), where 1 − o from the rounded o keeps three digits", () => {
    const z = matrixFromRows([[30], [0]]);
    const o = softmax(z);
    expect(softmaxComplement(z, o, 0, 0)).toBe(Math.exp(-30) / (1 + Math.exp(-30)));
    expect(Math.abs(1 - o.get(0, 0) - softmaxComplement(z, o, 0, 0)) / softmaxComplement(z, o, 0, 0)).toBeGreaterThan(1e-4);
    expect(softmaxComplement(z, o, 1, 0)).toBe(1 - o.get(1, 0));
  });

  it("sigmoid is stable at the extremes and symmetric: σ(−z) = 1 − σ(z)", () => {
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-745)).toBeGreaterThan(0);
    expect(sigmoid(0)).toBe(0.5);
    fc.assert(
      fc.property(moderate, (z) => {
        expect(sigmoid(-z)).toBeCloseTo(1 - sigmoid(z), 15);
      }),
      { numRuns },
    );
  });

  it("softplus equals log(1 + eᶻ) where that is safe to evaluate, z where eᶻ overflows, and eᶻ where it underflows", () => {
    fc.assert(
      fc.property(moderate, (z) => {
        expect(softplus(z)).toBeCloseTo(Math.log(1 + Math.exp(z)), 12);
      }),
      { numRuns },
    );
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(softplus(-40)).toBeCloseTo(Math.exp(-40), 30);
  });

  it("relu and leaky_relu take the left slope at the kink: f′(0) = 0 and 0.01", () => {
    expect(elementwiseActivations.relu.derivative(0)).toBe(0);
    expect(elementwiseActivations.leaky_relu.derivative(0)).toBe(leakyReluSlope);
    expect(elementwiseActivations.leaky_relu.value(-2)).toBe(-0.02);
    expect(elementwiseActivations.relu.value(-2)).toBe(0);
  });

  it("softmax columns are probability vectors, unchanged by adding a constant to a column, and finite for huge logits", () => {
    const column = fc.array(fc.double({ min: -1e300, max: 1e300, noNaN: true }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(column, fc.double({ min: -50, max: 50, noNaN: true }), (logits, shift) => {
        const z = matrixFromRows(logits.map((value) => [value]));
        const o = softmax(z).data;
        const sum = o.reduce((total, value) => total + value, 0);
        expect(o.every((value) => value >= 0 && value <= 1)).toBe(true);
        expect(sum).toBeCloseTo(1, 12);
        const small = logits.map((value) => Math.max(-100, Math.min(100, value)));
        const shifted = softmax(matrixFromRows(small.map((value) => [value + shift]))).data;
        softmax(matrixFromRows(small.map((value) => [value]))).data.forEach((value, index) =>
          expect(Math.abs(value - shifted[index]!)).toBeLessThan(1e-12),
        );
      }),
      { numRuns },
    );
  });

  it("softmaxBackward equals the product with softmax's full Jacobian, o_j(δ_ij − o_i)", () => {
    const columns = fc
      .integer({ min: 1, max: 6 })
      .chain((units) =>
        fc.tuple(
          fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: units, maxLength: units }),
          fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: units, maxLength: units }),
        ),
      );
    fc.assert(
      fc.property(columns, ([logits, upstream]) => {
        const o = softmax(matrixFromRows(logits.map((value) => [value])));
        const result = softmaxBackward(o, matrixFromRows(upstream.map((value) => [value])));
        logits.forEach((_, i) => {
          let expected = 0;
          upstream.forEach((g, j) => {
            expected += g * o.get(j, 0) * ((i === j ? 1 : 0) - o.get(i, 0));
          });
          expect(Math.abs(result.get(i, 0) - expected)).toBeLessThan(1e-12);
        });
      }),
      { numRuns },
    );
  });

  it("softmax of the first rows of a larger matrix equals softmax of a fresh copy, into another view or in place, and neither reads nor writes the row below", () => {
    fc.assert(
      fc.property(logitsAndUpstream, ([logits]) => {
        const [units, samples] = [logits.length, logits[0]!.length];
        const expected = matrixToRows(softmax(matrixFromRows(logits)));
        const z = topRowsOf(logits, poison);
        const into = topRowsOf(
          Array.from({ length: units }, () => constant(samples, 0)),
          untouched,
        );
        expect(matrixToRows(softmax(z.view, into.view))).toEqual(expected);
        expect(rowBelow(into.whole)).toEqual(constant(samples, untouched));
        expect(matrixToRows(softmax(z.view, z.view))).toEqual(expected);
        expect(rowBelow(z.whole)).toEqual(constant(samples, poison));
      }),
      { numRuns },
    );
  });

  it("softmaxBackward of the first rows of larger matrices equals softmaxBackward of fresh copies, into another view, neither reads nor writes the rows below, and refuses to write in place", () => {
    fc.assert(
      fc.property(logitsAndUpstream, ([logits, upstream]) => {
        const [units, samples] = [logits.length, logits[0]!.length];
        const outputs = matrixToRows(softmax(matrixFromRows(logits)));
        const expected = matrixToRows(softmaxBackward(matrixFromRows(outputs), matrixFromRows(upstream)));
        const o = topRowsOf(outputs, poison);
        const g = topRowsOf(upstream, poison);
        const into = topRowsOf(
          Array.from({ length: units }, () => constant(samples, 0)),
          untouched,
        );
        expect(matrixToRows(softmaxBackward(o.view, g.view, into.view))).toEqual(expected);
        expect(rowBelow(into.whole)).toEqual(constant(samples, untouched));
        // Each entry reads the whole column of g: in place, the first would overwrite what the others read.
        expect(() => softmaxBackward(o.view, g.view, g.view)).toThrow(ShapeError);
        expect(rowBelow(g.whole)).toEqual(constant(samples, poison));
        expect(rowBelow(o.whole)).toEqual(constant(samples, poison));
      }),
      { numRuns },
    );
  });

  it("relu maps −0 to +0, as max(0, z) does, directly and through activate", () => {
    // −0 and +0 compare equal; only Object.is tells the sign of a zero apart.
    expect(Object.is(elementwiseActivations.relu.value(-0), 0)).toBe(true);
    expect(Object.is(activate("relu", matrixFromRows([[-0]])).get(0, 0), 0)).toBe(true);
    expect(Object.is(Math.max(0, -0), 0)).toBe(true);
  });

  it("activate and activationDerivative apply the function to every entry of a batch", () => {
    const z = matrixFromRows([
      [-1, 0.5],
      [2, -3],
    ]);
    expect(matrixToRows(activate("relu", z))).toEqual([
      [0, 0.5],
      [2, 0],
    ]);
    expect(matrixToRows(activationDerivative("leaky_relu", z))).toEqual([
      [0.01, 1],
      [1, 0.01],
    ]);
    expect(dimensions(activate("softmax", z))).toEqual([2, 2]);
    expect(activate("tanh", z).get(1, 1)).toBe(Math.tanh(-3));
  });

  it("names are recognised exactly", () => {
    expect(isActivationName("leaky_relu")).toBe(true);
    expect(isActivationName("ReLU")).toBe(false);
    expect(isActivationName(3)).toBe(false);
  });

  it("sigmoid, softplus and leaky relu at points where a changed constant or branch shows", () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-2)).toBeCloseTo(0.11920292202211755, 15);
    expect(softplus(0)).toBe(Math.LN2);
    expect(softplus(-800)).toBe(0);
    expect(softplus(800)).toBe(800);
    expect(leakyReluSlope).toBe(0.01);
    const z = matrixFromRows([[-2, 0, 3]]);
    expect(matrixToRows(activate("leaky_relu", z))).toEqual([[-0.02, 0, 3]]);
    expect(matrixToRows(activate("relu", z))).toEqual([[0, 0, 3]]);
    expect(matrixToRows(activationDerivative("leaky_relu", z))).toEqual([[0.01, 0.01, 1]]);
    expect(matrixToRows(activationDerivative("relu", z))).toEqual([[0, 0, 1]]);
    expect(matrixToRows(activationDerivative("identity", z))).toEqual([[1, 1, 1]]);
    expect(matrixToRows(activationDerivative("softplus", matrixFromRows([[0]])))).toEqual([[0.5]]);
    expect(matrixToRows(activationDerivative("tanh", matrixFromRows([[0]])))).toEqual([[1]]);
    expect(matrixToRows(activationDerivative("sigmoid", matrixFromRows([[0]])))).toEqual([[0.25]]);
  });

  it("softmax sums to one per column, survives logits of 1000, and is exact on equal logits", () => {
    const z = matrixFromRows([
      [1000, 0],
      [1000, 0],
      [-1000, 0],
    ]);
    expect(matrixToRows(softmax(z))).toEqual([
      [0.5, 1 / 3],
      [0.5, 1 / 3],
      [0, 1 / 3],
    ]);
  });
});
