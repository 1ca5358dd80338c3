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
});
