import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import {
  mistakenHessianProduct,
  secondOrderMistakeNames,
  secondOrderMistakesThatDiffer,
  secondOrderMistakeSummaries,
} from "../../src/conformance/second-order-mistakes.js";
import { hessianVectorProduct } from "../../src/model/second-order.js";
import { numRuns } from "../support/arbitraries.js";
import { caseWithDirections, shapedLike } from "../support/directions.js";
import { exampleWithBiases } from "../support/fixtures.js";
import { valuesOf } from "../support/parameters.js";

describe("the known mistakes of a Hessian-vector product", () => {
  it("each mistake gives a product other than the exact one on the worked example with biases, by more than 1e-6 of its largest entry", () => {
    const { network, inputs, targets } = exampleWithBiases();
    const direction = shapedLike(
      network,
      valuesOf(network).map((_, index) => ((index * 7) % 5) / 4 - 0.5),
    );
    const exact = valuesOf(hessianVectorProduct(network, inputs, targets, direction));
    const largest = Math.max(...exact.map(Math.abs));
    expect(secondOrderMistakesThatDiffer(network)).toEqual(secondOrderMistakeNames);
    for (const name of secondOrderMistakeNames) {
      const mistaken = valuesOf(mistakenHessianProduct(name, network, inputs, targets, direction));
      const difference = Math.max(...mistaken.map((entry, index) => Math.abs(entry - exact[index]!)));
      expect(difference, name).toBeGreaterThan(1e-6 * largest);
    }
  });

  it("each mistake that cannot differ for a network's shape gives exactly the exact product", () => {
    fc.assert(
      fc.property(caseWithDirections(1), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const exact = valuesOf(hessianVectorProduct(network, inputs, targets, direction));
        const differing = secondOrderMistakesThatDiffer(network);
        for (const name of secondOrderMistakeNames.filter((mistake) => !differing.includes(mistake))) {
          const mistaken = valuesOf(mistakenHessianProduct(name, network, inputs, targets, direction));
          mistaken.forEach((entry, index) => expect(entry + 0, `${name}, entry ${index}`).toBe(exact[index]! + 0));
        }
      }),
      { numRuns },
    );
  });

  it("each mistake has a one-line summary", () => {
    for (const name of secondOrderMistakeNames) {
      expect(secondOrderMistakeSummaries[name]).toMatch(/^[^\n]{20,160}$/);
    }
  });
});
