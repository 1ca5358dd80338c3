import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as C from "../../src/numeric/complex.js";
import { numRuns } from "../support/arbitraries.js";

const part = fc.double({ min: -30, max: 30, noNaN: true });
// Steps of 1e-30 to 1e-10 in magnitude: subnormal steps would lose the bits of the derivative.
const tiny = fc.tuple(fc.integer({ min: -30, max: -10 }), fc.boolean()).map(([exponent, negative]) => (negative ? -1 : 1) * 10 ** exponent);
const close = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
};

describe("complex arithmetic", () => {
  it("multiplication and division are inverse to each other, and exp and log too", () => {
    fc.assert(
      fc.property(part, part, part, part, (a, b, c, d) => {
        fc.pre(Math.hypot(c, d) > 1e-3);
        const x = C.complex(a, b);
        const y = C.complex(c, d);
        const back = C.div(C.mul(x, y), y);
        close(back.re, a, 1e-12);
        close(back.im, b, 1e-12);
        const z = C.complex(a / 4, b / 10);
        const logged = C.log(C.exp(z));
        close(logged.re, z.re, 1e-13);
        close(logged.im, z.im, 1e-13);
      }),
      { numRuns },
    );
  });

  it("on the real line, exp, log1p and tanh agree with Math's", () => {
    fc.assert(
      fc.property(part, (x) => {
        expect(C.exp(C.complex(x)).re).toBe(Math.exp(x));
        close(C.tanh(C.complex(x)).re, Math.tanh(x), 1e-15);
        close(C.log1p(C.complex(Math.abs(x))).re, Math.log1p(Math.abs(x)), 1e-15);
      }),
      { numRuns },
    );
  });

  it("a tiny imaginary step gives the derivative: Im f(x + ih)/h = f′(x) for exp, log1p and tanh", () => {
    fc.assert(
      fc.property(part, tiny, (x, h) => {
        fc.pre(h !== 0);
        close(C.exp(C.complex(x / 2, h)).im / h, Math.exp(x / 2), 1e-13);
        close(C.log1p(C.complex(Math.abs(x), h)).im / h, 1 / (1 + Math.abs(x)), 1e-13);
        close(C.tanh(C.complex(x, h)).im / h, 1 - Math.tanh(x) ** 2, 1e-13);
      }),
      { numRuns },
    );
    expect(C.tanh(C.complex(400, 1e-20)).im).toBe(2 * Math.sin(2e-20) * Math.exp(-800));
  });

  it("on the real line, the sigmoid and the derivatives of sigmoid and tanh are the real functions, σ(x), σ(x)σ(−x) and 1 − tanh² x", () => {
    fc.assert(
      fc.property(part, (x) => {
        const sigmoid = (y: number): number => 1 / (1 + Math.exp(-y));
        close(C.complexSigmoid(C.complex(x)).re, sigmoid(x), 1e-15);
        close(C.complexSigmoidDerivative(C.complex(x)).re, sigmoid(x) * sigmoid(-x), 1e-15);
        close(C.complexTanhDerivative(C.complex(x)).re, 1 - Math.tanh(x) ** 2, 1e-15);
        expect(C.complexSigmoid(C.complex(x)).im).toBe(0);
        expect(C.complexSigmoidDerivative(C.complex(x)).im).toBe(0);
        expect(C.complexTanhDerivative(C.complex(x)).im).toBe(0);
      }),
      { numRuns },
    );
  });

  it("the derivatives of sigmoid and tanh keep their relative precision in the tails, where 1 − σ and 1 − tanh² would cancel", () => {
    fc.assert(
      fc.property(fc.double({ min: -300, max: 300, noNaN: true }), (x) => {
        const e = Math.exp(-Math.abs(x));
        const sigmoidSlope = e / (1 + e) ** 2;
        const tanhSlope = (4 * e * e) / (1 + e * e) ** 2;
        expect(Math.abs(C.complexSigmoidDerivative(C.complex(x)).re - sigmoidSlope)).toBeLessThanOrEqual(1e-14 * sigmoidSlope);
        expect(Math.abs(C.complexTanhDerivative(C.complex(x)).re - tanhSlope)).toBeLessThanOrEqual(1e-14 * tanhSlope);
      }),
      { numRuns },
    );
    expect(C.complexTanhDerivative(C.complex(30)).re).toBeGreaterThan(0);
    expect(1 - Math.tanh(30) ** 2).toBe(0);
  });

  it("a tiny imaginary step of the sigmoid and of the two derivatives gives the next derivative: σ′, σ′(1 − 2σ) and −2 tanh (1 − tanh²)", () => {
    fc.assert(
      fc.property(part, tiny, (x, h) => {
        const sigmoid = 1 / (1 + Math.exp(-x));
        const slope = sigmoid * (1 - sigmoid);
        close(C.complexSigmoid(C.complex(x, h)).im / h, slope, 1e-13);
        close(C.complexSigmoidDerivative(C.complex(x, h)).im / h, slope * (1 - 2 * sigmoid), 1e-13);
        close(C.complexTanhDerivative(C.complex(x, h)).im / h, -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), 1e-13);
      }),
      { numRuns },
    );
  });

  it("a complex matrix is row-major: entry (j, b) of an n × B matrix is at index jB + b of both parts", () => {
    const matrix = C.complexZeros(2, 3);
    C.setComplexEntry(matrix, 1, 2, C.complex(4, -5));
    expect(matrix.re[5]).toBe(4);
    expect(matrix.im[5]).toBe(-5);
    expect(C.complexEntry(matrix, 1, 2)).toEqual(C.complex(4, -5));
    expect(C.complexEntry(matrix, 0, 2)).toEqual(C.complex(0, 0));
  });
});
