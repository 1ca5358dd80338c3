import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseDocument, withWeightDecay } from "../../src/conformance/case-arbitrary.js";
import { kinkCaseDocument } from "../../src/conformance/kink-case-arbitrary.js";
import { lossWithWeightDecay } from "../../src/model/weight-decay.js";
import { generalWeightDecay } from "../support/weight-decay.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { backpropagate } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { cloneNetwork, parameterEntries, type ParameterArrays } from "../../src/model/network.js";
import { defaultFloor } from "../../src/oracles/comparison.js";
import { gradientsWithKinkSlope, judgeAtKinks, rightSlopeProducts, unitsAtKinks } from "../../src/oracles/kink-conventions.js";
import { parseHvpCase } from "../../src/conformance/hvp-format.js";
import { workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { secondOrder } from "../../src/model/second-order.js";
import { mapParameters, parameterDot } from "../../src/oracles/parameter-directions.js";
import { caseAtKinks } from "../support/fixtures.js";
import { numRuns } from "../support/arbitraries.js";
import { shapedLike } from "../support/directions.js";
import { expectSameBits, valuesOf } from "../support/parameters.js";

/**
 * The one-sided derivatives of the loss along one parameter, from the loss alone: the
 * second-order one-sided differences $D_\pm = \pm(-3E(w) + 4E(w \pm h) - E(w \pm 2h))/2h$, exact
 * for a loss that is quadratic on the side they look at and otherwise off by $O(h^2)$.
 */
function oneSidedDerivatives(document: Parameters<typeof parseCase>[0], index: number): { minus: number; plus: number } {
  const { network, inputs, targets } = parseCase(document);
  const values = valuesOf(network);
  const h = 1e-5 * Math.max(1, Math.abs(values[index]!));
  const lossAt = (shift: number) => {
    const moved = cloneNetwork(network);
    const shifted = values.map((value, position) => (position === index ? value + shift : value));
    const arrays = shapedLike(moved, shifted);
    return networkLoss({ spec: network.spec, weights: arrays.weights, biases: arrays.biases }, inputs, targets);
  };
  const at = lossAt(0);
  return {
    plus: (-3 * at + 4 * lossAt(h) - lossAt(2 * h)) / (2 * h),
    minus: -(-3 * at + 4 * lossAt(-h) - lossAt(-2 * h)) / (2 * h),
  };
}

describe("gradients at a kink", () => {
  it("the generator of kink cases puts at least one preactivation exactly at 0", () => {
    for (const document of fc.sample(kinkCaseDocument(), { numRuns: 200, seed: 5 })) {
      const { network, inputs } = parseCase(document);
      expect(unitsAtKinks(network, inputs).length).toBeGreaterThan(0);
    }
  });

  it("with the left slope at the kinks are bit for bit backpropagation's gradients, at kinks and away from them", () => {
    fc.assert(
      fc.property(fc.oneof(kinkCaseDocument(), caseDocument()), (document) => {
        const { network, inputs, targets } = parseCase(document);
        expectSameBits(
          valuesOf(gradientsWithKinkSlope(network, inputs, targets, "left")),
          valuesOf(backpropagate(network, inputs, targets).gradients),
          "left-slope gradients",
        );
      }),
      { numRuns },
    );
  });

  it("with either slope are the same away from the kinks", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        expectSameBits(
          valuesOf(gradientsWithKinkSlope(network, inputs, targets, "right")),
          valuesOf(gradientsWithKinkSlope(network, inputs, targets, "left")),
          "right-slope gradients away from kinks",
        );
      }),
      { numRuns },
    );
  });

  it("with the left and the right slope are the one-sided derivatives of the loss, [D−, D+] in some order, for every entry, where one unit is at its kink, to 1e-6 with the check's floor", () => {
    let worst = 0;
    fc.assert(
      fc.property(kinkCaseDocument({ depth: { min: 1, max: 2 }, width: { min: 1, max: 3 } }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        fc.pre(unitsAtKinks(network, inputs).length === 1);
        const floor = defaultFloor(networkLoss(network, inputs, targets));
        const left = valuesOf(gradientsWithKinkSlope(network, inputs, targets, "left"));
        const right = valuesOf(gradientsWithKinkSlope(network, inputs, targets, "right"));
        left.forEach((leftValue, index) => {
          const { minus, plus } = oneSidedDerivatives(document, index);
          const ends = [Math.min(leftValue, right[index]!), Math.max(leftValue, right[index]!)];
          const differences = [Math.min(minus, plus), Math.max(minus, plus)];
          ends.forEach((end, side) => {
            const error = Math.abs(end - differences[side]!) / Math.max(Math.abs(end), floor);
            if (error > 1e-6)
              throw new Error(`entry ${index}: ends [${ends.join(", ")}], one-sided differences [${differences.join(", ")}]`);
            worst = Math.max(worst, error);
          });
        });
      }),
      { numRuns },
    );
    console.log(`kink intervals: worst difference from the one-sided differences ${worst.toExponential(2)} (tolerance 1e-6)`);
  });
});

describe("judging gradients at a kink", () => {
  it("passes backpropagation's gradients as the left slope, this project's convention", () => {
    fc.assert(
      fc.property(kinkCaseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const judgement = judgeAtKinks(
          network,
          inputs,
          targets,
          backpropagate(network, inputs, targets).gradients,
          defaultFloor(networkLoss(network, inputs, targets)),
        );
        expect(judgement.verdict).toBe("passed");
        expect(judgement.convention).toBe("left");
        expect(judgement.units.length).toBeGreaterThan(0);
      }),
      { numRuns },
    );
  });

  it("accepts the right slope and any slope between as a subgradient, and names the convention", () => {
    fc.assert(
      fc.property(kinkCaseDocument(), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (document, weight) => {
        const { network, inputs, targets } = parseCase(document);
        const floor = defaultFloor(networkLoss(network, inputs, targets));
        const left = gradientsWithKinkSlope(network, inputs, targets, "left");
        const right = gradientsWithKinkSlope(network, inputs, targets, "right");
        const rightJudgement = judgeAtKinks(network, inputs, targets, right, floor);
        fc.pre(rightJudgement.decided.length > 0);
        expect([rightJudgement.verdict, rightJudgement.convention]).toEqual(["acceptable", "right"]);
        const between = shapedLike(
          left,
          valuesOf(left).map((value, index) => (1 - weight) * value + weight * valuesOf(right)[index]!),
        );
        const betweenJudgement = judgeAtKinks(network, inputs, targets, between, floor);
        expect([betweenJudgement.verdict, betweenJudgement.convention]).toEqual(["acceptable", "between"]);
      }),
      { numRuns },
    );
  });

  it("with weight decay, judges between the two slopes with the penalty's λ'W in both: backpropagation's gradients pass, the right slope is acceptable, gradients without the decay fail (inconclusive when the kinks lie in two layers)", () => {
    const decayed = kinkCaseDocument().chain((document) =>
      generalWeightDecay().map((weightDecay) => withWeightDecay(document, weightDecay)),
    );
    fc.assert(
      fc.property(decayed, (document) => {
        const { network, inputs, targets, weightDecay } = parseCase(document);
        const floor = defaultFloor(lossWithWeightDecay(networkLoss(network, inputs, targets), network.weights, weightDecay));
        const judge = (gradients: ParameterArrays) => judgeAtKinks(network, inputs, targets, gradients, floor, undefined, weightDecay);
        expect(judge(backpropagate(network, inputs, targets, undefined, weightDecay).gradients).verdict).toBe("passed");
        const right = judge(gradientsWithKinkSlope(network, inputs, targets, "right", weightDecay));
        if (right.decided.length > 0) expect([right.verdict, right.convention]).toEqual(["acceptable", "right"]);
        // The control needs an entry the kink leaves alone (both slopes give the same value), which
        // the missing λ'W then moves far beyond the tolerance; an entry the kink does touch may
        // hold the undecayed value inside its interval, and then leaving out the decay is no error.
        const undecayed = backpropagate(network, inputs, targets).gradients;
        const leftSlope = valuesOf(gradientsWithKinkSlope(network, inputs, targets, "left", weightDecay));
        const rightSlope = valuesOf(gradientsWithKinkSlope(network, inputs, targets, "right", weightDecay));
        const given = valuesOf(undecayed);
        const movedBeyondTolerance = (value: number, index: number) =>
          value === rightSlope[index] && Math.abs(given[index]! - value) > 1e-6 * Math.max(Math.abs(value), floor);
        fc.pre(leftSlope.some(movedBeyondTolerance));
        const judgement = judge(undecayed);
        expect(judgement.verdict).toBe(new Set(judgement.units.map((unit) => unit.layer)).size > 1 ? "inconclusive" : "failed");
      }),
      { numRuns },
    );
  });

  it("fails an entry outside its interval, and names it with both ends (negative control)", () => {
    fc.assert(
      fc.property(kinkCaseDocument(), fc.nat(), (document, pick) => {
        const { network, inputs, targets } = parseCase(document);
        const floor = defaultFloor(networkLoss(network, inputs, targets));
        const left = valuesOf(gradientsWithKinkSlope(network, inputs, targets, "left"));
        const right = valuesOf(gradientsWithKinkSlope(network, inputs, targets, "right"));
        const index = pick % left.length;
        const beyond = Math.max(left[index]!, right[index]!) + 1;
        const supplied: ParameterArrays = shapedLike(
          network,
          left.map((value, position) => (position === index ? beyond : value)),
        );
        const judgement = judgeAtKinks(network, inputs, targets, supplied, floor);
        expect(judgement.verdict).toBe("failed");
        expect(judgement.outside?.position).toBe(parameterEntries(network)[index]!.position);
        expect(judgement.outside?.given).toBe(beyond);
      }),
      { numRuns },
    );
  });

  it("computes the products with the right slope at the kinks exactly: their Ė is the right-slope gradient times V, and away from kinks they are the library's", () => {
    const batch = caseAtKinks();
    const direction = mapParameters(batch.network, (value) => value / 2 + 0.25);
    const right = rightSlopeProducts(batch.network, batch.inputs, batch.targets, direction);
    const gradient = gradientsWithKinkSlope(batch.network, batch.inputs, batch.targets, "right");
    expect(right.directionalDerivative).toBeCloseTo(parameterDot(gradient, direction), 14);
    expect(right.directionalDerivative).not.toBeCloseTo(
      secondOrder(batch.network, batch.inputs, batch.targets, direction).directionalDerivative,
      3,
    );
    const problem = parseHvpCase(workedExampleHvpCase);
    const away = rightSlopeProducts(problem.network, problem.inputs, problem.targets, problem.direction);
    expect(valuesOf(away.hessianVectorProduct)).toEqual(
      valuesOf(secondOrder(problem.network, problem.inputs, problem.targets, problem.direction).hessianVectorProduct),
    );
  });
});
