import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/numeric/errors.js";
import { epochLearningRates, validateLearningRateDecay } from "../../src/training/learning-rate-decay.js";

describe("learning-rate decay", () => {
  const rate = fc.double({ min: 1e-6, max: 10, noNaN: true });
  const decay = fc.double({ min: 1e-3, max: 1, noNaN: true });
  const epochs = fc.integer({ min: 1, max: 60 });

  it("epoch 1 steps with η and every later epoch with the one before times γ, rounded once: η γ^(e-1)", () => {
    fc.assert(
      fc.property(rate, decay, epochs, (eta, gamma, count) => {
        const rates = epochLearningRates(eta, gamma, count);
        expect(rates).toHaveLength(count);
        expect(rates[0]).toBe(eta);
        for (let e = 1; e < count; e++) expect(rates[e]).toBe(rates[e - 1]! * gamma);
        // Within a few roundings of the power itself.
        const last = eta * gamma ** (count - 1);
        if (last > 1e-300) expect(Math.abs(rates[count - 1]! - last) / last).toBeLessThan(count * 2 ** -52);
      }),
    );
  });

  it("at γ = 1 the rate is constant, and below 1 it never grows", () => {
    fc.assert(
      fc.property(rate, decay, epochs, (eta, gamma, count) => {
        expect(epochLearningRates(eta, 1, count)).toStrictEqual(new Array(count).fill(eta));
        const rates = epochLearningRates(eta, gamma, count);
        for (let e = 1; e < count; e++) expect(rates[e]).toBeLessThanOrEqual(rates[e - 1]!);
      }),
    );
  });

  it("refuses a γ outside (0, 1], naming the field", () => {
    for (const bad of [0, -0.5, 1.0000001, 2, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => validateLearningRateDecay(bad, "--lr-decay")).toThrow(
        new ValueError(`--lr-decay must be a number in (0, 1], got ${bad}`),
      );
    }
    for (const good of [1, 0.5, Number.MIN_VALUE]) expect(() => validateLearningRateDecay(good)).not.toThrow();
  });
});
