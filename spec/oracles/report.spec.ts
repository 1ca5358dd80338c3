import { describe, expect, it } from "vitest";
import { backpropagate } from "../../src/model/backprop.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { compareGradients } from "../../src/oracles/comparison.js";
import { describeEntry, entryPosition, formatReport, summaryLine, table } from "../../src/oracles/report.js";

import { exampleProblem, exampleWithBiases, oneUnitCase, reluCase } from "../support/fixtures.js";
import { kinkDistance, kinkMargin } from "../../src/oracles/kinks.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { numericGradients } from "../../src/oracles/finite-differences.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { scaled } from "../../src/numeric/tensor.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { parameterEntries } from "../../src/model/network.js";

describe("the gradient report", () => {
  it("passing: the summary line, the table and the verdict", () => {
    const example = exampleProblem();
    const report = checkGradients(example.network, example.inputs, example.targets);
    expect(formatReport(report)).toMatchInlineSnapshot(`
      "layer  parameter  entries  kinks crossed  worst entry  analytic         numeric          relative error
      -----  ---------  -------  -------------  -----------  ---------------  ---------------  --------------
      1      weights    4        0              [1][1]       0.002094294820   0.002094294819   3.50e-10
      2      weights    2        0              [0][1]       0.0001913491149  0.0001913491155  6.38e-10

      central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6
      passed: worst relative error 6.38e-10 ≤ tolerance 1e-6"
    `);
    expect(summaryLine(report)).toMatchInlineSnapshot(
      `"central       passed  worst relative error 6.38e-10 ≤ 1e-6 at layer 2 weights[1][0][1]"`,
    );
  });

  it("failing: the worst entries, each with its position, values and errors", () => {
    const example = exampleProblem();
    const wrong = mistakenGradients("missing-derivative", example.network, example.inputs, example.targets);
    const report = checkGradients(example.network, example.inputs, example.targets, wrong);
    expect(report.passed).toBe(false);
    expect(formatReport(report)).toMatchInlineSnapshot(`
      "worst entries             analytic                numeric                 absolute error  relative error
      ------------------------  ----------------------  ----------------------  --------------  --------------
      layer 1 weights[0][1][0]  -0.034214116163248876   -0.0075857100023729645  2.66e-2         7.78e-1
      layer 1 weights[0][0][1]  -0.004486380994164981   -0.0010574369503714605  3.43e-3         7.64e-1
      layer 1 weights[0][0][0]  0.028511763469374066    0.0071101506717333954   2.14e-2         7.51e-1
      layer 1 weights[0][1][1]  0.005383657192997979    0.0020942948189107847   3.29e-3         6.11e-1
      layer 2 weights[1][0][1]  0.00019134911487335426  0.00019134911551087008  6.38e-13        6.38e-10

      layer  parameter  entries  kinks crossed  worst entry  analytic         numeric          relative error
      -----  ---------  -------  -------------  -----------  ---------------  ---------------  --------------
      1      weights    4        0              [1][0]       -0.03421411616   -0.007585710002  7.78e-1
      2      weights    2        0              [0][1]       0.0001913491149  0.0001913491155  6.38e-10

      central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6
      FAILED: layer 1 weights[0][1][0]: analytic -0.034214116163248876, numeric -0.0075857100023729645, absolute error 2.66e-2, relative error 7.78e-1 > tolerance 1e-6"
    `);
    expect(summaryLine(report)).toMatchInlineSnapshot(
      `"central       FAILED  worst relative error 7.78e-1 > 1e-6 at layer 1 weights[0][1][0]"`,
    );
    expect(report.entries.map(describeEntry)).toMatchInlineSnapshot(`
      [
        "layer 1 weights[0][0][0]: analytic 0.028511763469374066, numeric 0.0071101506717333954, absolute error 2.14e-2, relative error 7.51e-1",
        "layer 1 weights[0][0][1]: analytic -0.004486380994164981, numeric -0.0010574369503714605, absolute error 3.43e-3, relative error 7.64e-1",
        "layer 1 weights[0][1][0]: analytic -0.034214116163248876, numeric -0.0075857100023729645, absolute error 2.66e-2, relative error 7.78e-1",
        "layer 1 weights[0][1][1]: analytic 0.005383657192997979, numeric 0.0020942948189107847, absolute error 3.29e-3, relative error 6.11e-1",
        "layer 2 weights[1][0][0]: analytic -0.0026219234792528336, numeric -0.002621923479633622, absolute error 3.81e-13, relative error 1.45e-10",
        "layer 2 weights[1][0][1]: analytic 0.00019134911487335426, numeric 0.00019134911551087008, absolute error 6.38e-13, relative error 6.38e-10",
      ]
    `);
    expect(report.entries.map(entryPosition)).toMatchInlineSnapshot(`
      [
        "weights[0][0][0]",
        "weights[0][0][1]",
        "weights[0][1][0]",
        "weights[0][1][1]",
        "weights[1][0][0]",
        "weights[1][0][1]",
      ]
    `);
  });

  it("kinks: a step across a relu kink is marked, with the distance to the kink", () => {
    const nearKink = reluCase();
    const report = checkGradients(nearKink.network, nearKink.inputs, nearKink.targets);
    expect(report.kinkDistance).toBeCloseTo(1e-7, 12);
    expect(formatReport(report)).toMatchInlineSnapshot(`
      "layer  parameter  entries  kinks crossed  worst entry  analytic         numeric          relative error
      -----  ---------  -------  -------------  -----------  ---------------  ---------------  --------------
      1      weights    2        1              [1][0]       0.000000000      0.000000000      0.00e+0
      1      biases     2        1              [1]          0.000000000      0.000000000      0.00e+0
      2      weights    2        0              [0][0]       -9.999999495e-8  -1.000042447e-7  4.25e-9
      2      biases     1        0              [0]          -0.9999999500    -0.9999999500    1.07e-11

      central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6
      2 entries crossed a kink and were not judged
      warning: a relu/leaky_relu preactivation lies 1.00e-7 from its kink at 0, inside the 1e-3 margin: a central difference there may straddle the kink
      passed: worst relative error 4.25e-9 ≤ tolerance 1e-6"
    `);
    expect(report.entries.map(describeEntry)).toMatchInlineSnapshot(`
      [
        "layer 1 weights[0][0][0]: analytic -0.49999997500000004, numeric -0.2541281182265728, absolute error 2.46e-1, relative error 4.92e-1, kink crossed",
        "layer 1 weights[0][1][0]: analytic 0, numeric 0, absolute error 0.00e+0, relative error 0.00e+0",
        "layer 1 biases[0][0]: analytic -0.49999997500000004, numeric -0.25412811822424314, absolute error 2.46e-1, relative error 4.92e-1, kink crossed",
        "layer 1 biases[0][1]: analytic 0, numeric 0, absolute error 0.00e+0, relative error 0.00e+0",
        "layer 2 weights[1][0][0]: analytic -9.999999494736442e-8, numeric -1.0000424469249577e-7, absolute error 4.25e-12, relative error 4.25e-9",
        "layer 2 weights[1][0][1]: analytic 0, numeric 0, absolute error 0.00e+0, relative error 0.00e+0",
        "layer 2 biases[1][0]: analytic -0.9999999500000001, numeric -0.9999999499893466, absolute error 1.07e-11, relative error 1.07e-11",
      ]
    `);
  });

  it("with richardson and the complex step, the method and its error estimate are named", () => {
    const example = exampleProblem();
    for (const method of ["richardson", "complex-step"] as const) {
      const report = checkGradients(example.network, example.inputs, example.targets, undefined, { method });
      expect(
        formatReport(report)
          .split("\n")
          .slice(-2)
          .join("\n")
          .replace(/\d\.\d\de-\d+/g, "#"),
      ).toMatchSnapshot(method);
      expect(report.entries.every((entry) => entry.estimatedError === null || entry.estimatedError >= 0)).toBe(true);
    }
  });

  it("tables align every column to its widest cell, header first, two spaces apart", () => {
    expect(
      table(
        ["a", "long header"],
        [
          ["wide cell", "x"],
          ["", "yy"],
        ],
      ),
    ).toBe("a          long header\n---------  -----------\nwide cell  x\n           yy");
  });

  it("a table row shorter than the header leaves its missing cells empty", () => {
    expect(table(["a", "b"], [["x"]])).toBe("a  b\n-  -\nx");
  });

  it("reports the worst entry with its layer, position, both values and the relative error", () => {
    const { network, inputs, targets } = parseCase({
      format: "backprop-ref/case@1",
      sizes: [2, 3, 1],
      activations: ["sigmoid", "identity"],
      loss: "squared_error",
      weights: [
        [
          [0.5, -0.4],
          [0.3, 0.8],
          [-0.6, 0.1],
        ],
        [[0.7, -0.2, 0.9]],
      ],
      biases: [[0.1, 0.2, -0.1], [0.05]],
      inputs: [[1, -1]],
      targets: [[0.5]],
      learningRate: 0.5,
    });
    const correct = backpropagate(network, inputs, targets).gradients;
    const tampered = { weights: correct.weights.map((matrix) => scaled(matrix, 1)), biases: correct.biases };
    tampered.weights[0]!.set(2, 1, tampered.weights[0]!.get(2, 1) + 0.01);
    const report = checkGradients(network, inputs, targets, tampered);
    expect(report.passed).toBe(false);
    expect(report.worst!).toMatchObject({ layer: 1, parameter: "weights", row: 2, column: 1 });
    expect(report.worst!.analytic).toBe(tampered.weights[0]!.get(2, 1));
    expect(report.worst!.relativeError).toBeGreaterThan(0.01);
    expect(describeEntry(report.worst!)).toMatch(
      /^layer 1 weights\[0\]\[2\]\[1\]: analytic -?[0-9.e-]+, numeric -?[0-9.e-]+, absolute error [0-9.e+-]+, relative error [0-9.e+-]+$/,
    );
    const formatted = formatReport(report);
    expect(formatted).toContain("FAILED: layer 1 weights[0][2][1]");
    expect(formatted.split("\n").filter((line) => /^[12] +(weights|biases)/.test(line))).toHaveLength(4);
    expect(report.entries).toHaveLength(parameterEntries(correct).length);
    expect(formatReport(checkGradients(network, inputs, targets))).toMatch(/passed: worst relative error .* ≤ tolerance 1e-6/);
  });

  it("reports how close relu preactivations come to the kink and warns inside the margin; a report without a kink distance has no kink line, and one exactly at the margin is no warning", () => {
    const relu = (bias: number) =>
      parseCase({ ...workedExampleCase, activations: ["relu", "sigmoid"], biases: [[bias, 0], [0]], inputs: [[0, 0]], targets: [[1]] });
    const zeroBias = relu(0.5);
    expect(kinkDistance(zeroBias.network, zeroBias.inputs)).toBe(0);
    const near = relu(1e-5);
    const report = checkGradients(near.network, near.inputs, near.targets);
    expect(report.kinkDistance).toBe(0);
    expect(formatReport(report)).toContain("warning: a relu/leaky_relu preactivation lies 0.00e+0 from its kink at 0");
    const clear = parseCase({
      ...workedExampleCase,
      activations: ["leaky_relu", "sigmoid"],
      biases: [[0.5, -0.25], [0]],
      inputs: [[0, 0]],
      targets: [[1]],
    });
    const clearReport = checkGradients(clear.network, clear.inputs, clear.targets);
    expect(clearReport.kinkDistance).toBe(0.25);
    expect(clearReport.kinkDistance).toBeGreaterThan(kinkMargin);
    expect(formatReport(clearReport)).toContain("relu/leaky_relu preactivations keep at least 2.50e-1 from the kink at 0");
    expect(checkGradients(clear.network, clear.inputs, clear.targets).passed).toBe(true);
    const sigmoidOnly = parseCase(workedExampleCase);
    expect(checkGradients(sigmoidOnly.network, sigmoidOnly.inputs, sigmoidOnly.targets).kinkDistance).toBe(Infinity);

    const biased = exampleWithBiases();
    const withoutDistance = compareGradients(
      backpropagate(biased.network, biased.inputs, biased.targets).gradients,
      numericGradients(biased.network, biased.inputs, biased.targets),
      { floor: 1e-3 },
    );
    expect(withoutDistance.kinkDistance).toBeNull();
    expect(formatReport(withoutDistance)).not.toMatch(/kink at 0/);
    expect(formatReport({ ...withoutDistance, kinkDistance: kinkMargin })).toMatch(
      /relu\/leaky_relu preactivations keep at least 1\.00e-3 from the kink at 0/,
    );
    expect(formatReport({ ...withoutDistance, kinkDistance: kinkMargin / 2 })).toMatch(
      /^warning: a relu\/leaky_relu preactivation lies 5\.00e-4 from its kink at 0/m,
    );
  });

  it("a relu unit a hair from its kink, with a weight of 2, is reported crossed in every line", () => {
    const problem = parseCase({
      format: "backprop-ref/case@1",
      sizes: [1, 2, 1],
      activations: ["relu", "leaky_relu"],
      loss: "squared_error",
      weights: [[[2], [-1]], [[0.5, 0.25]]],
      biases: [[-1.9999999, 0.5], [0.3]],
      inputs: [[1]],
      targets: [[1]],
      learningRate: 0.1,
    });
    for (const method of ["central", "richardson"] as const) {
      const report = checkGradients(problem.network, problem.inputs, problem.targets, undefined, { method });
      expect(report.kinkCrossings).toBeGreaterThan(0);
      expect(summaryLine(report)).toMatchSnapshot(`${method} summary`);
      expect(report.entries.map(describeEntry)).toMatchSnapshot(`${method} entries`);
    }
  });

  it("a check whose every step crosses a kink judges no entry: it passes with no worst entry, and says so in every line", () => {
    // One relu weight of 1e-7 on an input of 1: z = 1e-7, and the step of 6e-6 crosses the kink
    // downward, so the only entry is listed but not judged.
    const { network, inputs, targets } = parseCase(oneUnitCase({ activations: ["relu"], weights: [[[1e-7]]] }));
    const report = checkGradients(network, inputs, targets);
    expect(report).toMatchObject({ passed: true, worst: null, worstEntries: [], maxRelativeError: 0, kinkCrossings: 1 });
    expect(report.layers).toEqual([{ layer: 1, parameter: "weights", count: 1, kinkCrossings: 1, oracleOverflows: 0, worst: null }]);
    expect(report.entries.map(describeEntry)).toEqual([
      "layer 1 weights[0][0][0]: analytic 1e-7, numeric 0.0000015642764640279643, absolute error 1.46e-6, relative error 1.46e-3, kink crossed",
    ]);
    expect(summaryLine(report)).toBe("central       passed  worst relative error 0.00e+0 ≤ 1e-6 no entry judged, 1 kink crossed");
    expect(formatReport(report)).toBe(
      [
        "layer  parameter  entries  kinks crossed  worst entry  analytic  numeric  relative error",
        "-----  ---------  -------  -------------  -----------  --------  -------  --------------",
        "1      weights    1        1              -            -         -        -",
        "",
        "central differences, step 6.06e-6 × max(1, |w|), floor 1.00e-3, tolerance 1e-6",
        "1 entries crossed a kink and were not judged",
        "warning: a relu/leaky_relu preactivation lies 1.00e-7 from its kink at 0, inside the 1e-3 margin: a central difference there may straddle the kink",
        "passed: worst relative error 0.00e+0 ≤ tolerance 1e-6",
      ].join("\n"),
    );
  });
});
