import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backpropagate } from "../../src/model/backprop.js";
import { numRuns } from "../support/arbitraries.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { compareGradients, defaultFloor } from "../../src/oracles/comparison.js";
import { describeEntry, entryPosition, formatReport } from "../../src/oracles/report.js";
import { exampleProblem, exampleWithBiases, reluNearItsKink } from "../support/fixtures.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { networkLoss } from "../../src/model/forward.js";
import { numericGradients } from "../../src/oracles/finite-differences.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { largestParameterMagnitude } from "../support/parameters.js";
import { caseDocument } from "../../src/conformance/case-arbitrary.js";

describe("finite differences", () => {
  it("numeric gradients approach the analytic ones as the step shrinks from 1e-2 to 1e-5, as a central difference's h² truncation error predicts", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [3, 4, 2],
      activations: ["tanh", "sigmoid"],
      loss: "binary_cross_entropy",
      weights: [
        [
          [0.3, -0.8, 0.5],
          [1.1, 0.2, -0.4],
          [-0.7, 0.9, 0.6],
          [0.05, -0.3, 1.2],
        ],
        [
          [0.4, -1.0, 0.7, 0.2],
          [-0.6, 0.8, -0.1, 0.9],
        ],
      ],
      biases: [
        [0.1, -0.2, 0.3, 0],
        [0.2, -0.1],
      ],
      inputs: [
        [0.5, -1.5, 2],
        [1, 0.25, -0.75],
      ],
      targets: [
        [1, 0],
        [0.3, 0.8],
      ],
      learningRate: 0.1,
    });
    const analytic = backpropagate(network, inputs, targets).gradients;
    const worstErrors = [1e-2, 1e-3, 1e-4, 1e-5].map(
      (relativeStep) =>
        compareGradients(analytic, numericGradients(network, inputs, targets, { relativeStep }), { floor: 1e-3 }).maxRelativeError,
    );
    // Each tenfold smaller step divides the h² error by about 100 until round-off takes over.
    expect(worstErrors[1]! / worstErrors[0]!).toBeLessThan(0.02);
    expect(worstErrors[2]! / worstErrors[1]!).toBeLessThan(0.02);
    expect(worstErrors[3]!).toBeLessThan(1e-8);
    expect(checkGradients(network, inputs, targets).maxRelativeError).toBeLessThan(1e-8);
  });

  it("Richardson extrapolation agrees with backpropagation to 1e-7 on every entry, for every activation, loss, depth, width, batch and bias setting", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const report = checkGradients(network, inputs, targets, undefined, { method: "richardson" });
        if (!report.passed) throw new Error(`Richardson disagrees at ${describeEntry(report.worst!)}, tolerance 1e-7`);
        worst = Math.max(worst, report.maxRelativeError);
      }),
      { numRuns },
    );
    console.log(`Richardson: worst relative error ${worst.toExponential(2)} (tolerance 1e-7)`);
  });

  it("Richardson extrapolation rejects a backprop that drops f′ in the hidden layers (negative control)", () => {
    fc.assert(
      fc.property(caseDocument({ depth: { min: 2, max: 4 }, hidden: ["sigmoid"] }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const correct = backpropagate(network, inputs, targets).gradients;
        fc.pre(
          largestParameterMagnitude({ weights: correct.weights.slice(0, -1), biases: null }) >
            10 * defaultFloor(networkLoss(network, inputs, targets)),
        );
        expect(
          checkGradients(network, inputs, targets, mistakenGradients("missing-derivative", network, inputs, targets), {
            method: "richardson",
          }).passed,
        ).toBe(false);
      }),
      { numRuns },
    );
  });

  it("Richardson's entries carry their error estimate, |coarse − fine| / 3, in the report", () => {
    const example = exampleProblem();
    const report = checkGradients(example.network, example.inputs, example.targets, undefined, {
      method: "richardson",
    });
    expect(report.entries.every((entry) => entry.estimatedError !== null && entry.estimatedError >= 0)).toBe(true);
    expect(report.entries.map(describeEntry)).toMatchSnapshot();
    const biased = exampleWithBiases();
    const withBias = checkGradients(biased.network, biased.inputs, biased.targets, undefined, { method: "richardson" });
    expect(withBias.entries.filter((entry) => entry.parameter === "biases").length).toBe(3);
    expect(withBias.entries.filter((entry) => entry.parameter === "biases").every((entry) => entry.estimatedError !== null)).toBe(true);
    expect(withBias.entries.map(describeEntry)).toMatchSnapshot();
  });

  it("marks an entry whose step crosses a relu or leaky relu kink as 'kink crossed' instead of failing it", () => {
    // The first hidden unit sits 1e-7 above its kink; a central step of 6e-6 on its bias, or on
    // the weight from the input of 1, moves it to the other side.
    const { network, inputs, targets } = reluNearItsKink(-0.9999999);
    const report = checkGradients(network, inputs, targets);
    const crossed = report.entries.filter((entry) => entry.kinkCrossed).map(entryPosition);
    expect(crossed).toEqual(expect.arrayContaining(["weights[0][0][0]", "biases[0][0]"]));
    expect(report.kinkCrossings).toBe(crossed.length);
    expect(report.passed).toBe(true);
    const bias = report.entries.find((entry) => entryPosition(entry) === "biases[0][0]")!;
    // Half of each slope: the difference straddles the kink and would have failed.
    expect(bias.relativeError).toBeGreaterThan(0.1);
    expect(describeEntry(bias)).toMatch(/kink crossed$/);
    expect(formatReport(report)).toContain(`${crossed.length} entries crossed a kink and were not judged`);
    expect(checkGradients(network, inputs, targets, undefined, { method: "complex-step" }).kinkCrossings).toBe(0);

    const leaky = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 1, 1],
      activations: ["leaky_relu", "identity"],
      loss: "squared_error",
      weights: [[[1]], [[1]]],
      biases: [[-0.9999999], [0]],
      inputs: [[1]],
      targets: [[1]],
      learningRate: 0,
    });
    const leakyReport = checkGradients(leaky.network, leaky.inputs, leaky.targets);
    expect(leakyReport.kinkCrossings).toBeGreaterThan(0);
    expect(leakyReport.entries.filter((entry) => entry.kinkCrossed).map((entry) => [entry.layer, entry.parameter])).toContainEqual([
      1,
      "weights",
    ]);
  });

  it("marks an entry 'kink crossed' when any step crosses, the upward one too: a relu unit 1e-7 below its kink", () => {
    // z = w + b = −1e-7: the step up on the weight or the bias crosses to z > 0, the step down,
    // evaluated last, stays below. Each oracle must remember the crossing, not its last step.
    const { network, inputs, targets } = reluNearItsKink(-1.0000001);
    for (const method of ["central", "richardson"] as const) {
      const report = checkGradients(network, inputs, targets, undefined, { method });
      const crossed = report.entries.filter((entry) => entry.kinkCrossed).map(entryPosition);
      expect(crossed, method).toEqual(["weights[0][0][0]", "biases[0][0]"]);
      expect(report.kinkCrossings, method).toBe(2);
      expect(report.passed, method).toBe(true);
    }
  });
});
