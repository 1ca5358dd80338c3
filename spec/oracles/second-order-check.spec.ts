import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hvpCaseDocument } from "../../src/conformance/case-arbitrary.js";
import { caseWithDirection, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import { hvpResult, parseHvpAnswer, parseHvpCase, type HvpProblem } from "../../src/conformance/hvp-format.js";
import {
  knownHessianMistakes,
  mistakenHessianProduct,
  secondOrderMistakeNames,
  secondOrderMistakeSummaries,
} from "../../src/conformance/second-order-mistakes.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { workedExampleHvpCase } from "../../src/conformance/worked-example.js";
import { secondOrder, type SecondOrderProducts } from "../../src/model/second-order.js";
import { matrixFromRows } from "../../src/numeric/tensor.js";
import { relativeError } from "../../src/oracles/comparison.js";
import { hessianProductFloor } from "../../src/oracles/hessian-differences.js";
import { mapParameters, scaledParameters } from "../../src/oracles/parameter-directions.js";
import { rightSlopeProducts } from "../../src/oracles/kink-conventions.js";
import { runSecondOrderChecks } from "../../src/oracles/second-order-check.js";
import {
  formatSecondOrderReport,
  secondOrderReportJson,
  secondOrderTolerance,
  type SecondOrderReport,
} from "../../src/oracles/second-order-report.js";
import { numRuns } from "../support/arbitraries.js";
import { caseAtKinks, reluNearItsKink } from "../support/fixtures.js";
import { valuesOf } from "../support/parameters.js";

/** The worked example's hvp case (docs/examples/xor-2-2-1-sigmoid-hvp.json), read. */
function workedExample(): HvpProblem {
  return parseHvpCase(workedExampleHvpCase);
}

/** The library's own answer for an hvp problem. */
function ownAnswer(problem: HvpProblem): SecondOrderProducts {
  return secondOrder(problem.network, problem.inputs, problem.targets, problem.direction);
}

/** An answer judged with the known mistakes of second-order-mistakes, as the command line judges it. */
function judged(problem: HvpProblem, answer: SecondOrderProducts): SecondOrderReport {
  const { network, inputs, targets, direction } = problem;
  return runSecondOrderChecks(problem, direction, answer, {
    knownMistakes: () => knownHessianMistakes(network, inputs, targets, direction),
  });
}

/** The lines of a report's checks as `quantity oracle verdict`. */
function verdicts(report: SecondOrderReport): string[] {
  return report.checks.map((check) => `${check.quantity} ${check.oracle} ${check.verdict}`);
}

/** Whether two products differ somewhere by more than the tolerance of the checks. */
function differ(a: SecondOrderProducts["hessianVectorProduct"], b: SecondOrderProducts["hessianVectorProduct"], floor: number): boolean {
  const other = valuesOf(b);
  return valuesOf(a).some((value, index) => relativeError(value, other[index]!, floor) > secondOrderTolerance);
}

describe("check --order 2: the second-order check", () => {
  it("passes backprop-ref's own answer by every oracle, and the same answer read back from its hvp@1 document, across random shapes, activations, losses, biases, batches and directions", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          caseWithDirection({ uniform: true }).map(({ document, direction }) => ({
            ...parseCase(document),
            direction: directionFromArrays(direction),
          })),
          hvpCaseDocument({ uniform: true }).map((document) => parseHvpCase(document)),
        ),
        (problem) => {
          const own = runSecondOrderChecks(problem, problem.direction);
          if (!own.passed) throw new Error(formatSecondOrderReport(own));
          expect(own.subject).toBe("backprop-ref");
          const answer = parseHvpAnswer(JSON.parse(JSON.stringify(hvpResult(problem))), problem);
          const supplied = runSecondOrderChecks(problem, problem.direction, answer);
          expect([supplied.subject, supplied.passed]).toEqual(["supplied", true]);
        },
      ),
      { numRuns },
    );
  });

  it("refuses a batch with weight decay rather than judge products of the loss without its penalty", () => {
    const problem = { ...workedExample(), weightDecay: 0.01 };
    expect(() => runSecondOrderChecks(problem, problem.direction)).toThrow(
      "the second-order checks do not support weight decay, got weightDecay 0.01: the products are of the loss without its penalty",
    );
  });

  it("judges each quantity by its oracles, one line each, and passes the worked example", () => {
    const report = runSecondOrderChecks(workedExample(), workedExample().direction);
    expect(verdicts(report)).toEqual([
      "loss forward passed",
      "directionalDerivative complex-step passed",
      "directionalDerivative backprop passed",
      "outputTangents complex-step passed",
      "hessianVectorProduct complex-step passed",
      "hessianVectorProduct richardson passed",
      "gaussNewtonVectorProduct complex-step passed",
      "gaussNewtonVectorProduct semi-definite passed",
    ]);
    const lines = formatSecondOrderReport(report).split("\n");
    expect(lines[4]).toMatch(
      /^hessianVectorProduct {5}complex-step {2}passed {2}worst relative error \S+ ≤ 1e-11 at layer \d weights\[\d\]\[\d\]\[\d\]$/,
    );
    expect(lines[5]).toMatch(/^hessianVectorProduct {5}richardson {4}passed {2}worst relative error \S+ ≤ 1e-7 at /);
    expect(lines.at(-1)).toBe("all 8 checks passed for backprop-ref's answer");
  });

  it("rejects every known mistake of a Hessian-vector product on the worked example, by both oracles of H V, and names it", () => {
    const problem = workedExample();
    const { network, inputs, targets, direction } = problem;
    for (const name of secondOrderMistakeNames) {
      const answer = { ...ownAnswer(problem), hessianVectorProduct: mistakenHessianProduct(name, network, inputs, targets, direction) };
      const report = judged(problem, answer);
      expect(report.passed).toBe(false);
      const failed = report.checks.filter((check) => !check.passed).map((check) => `${check.quantity} ${check.oracle}`);
      expect(failed).toEqual(["hessianVectorProduct complex-step", "hessianVectorProduct richardson"]);
      expect(report.mistakes).toEqual([{ quantity: "hessianVectorProduct", name, summary: secondOrderMistakeSummaries[name] }]);
      expect(formatSecondOrderReport(report)).toContain(`    matches the known mistake ${name}: ${secondOrderMistakeSummaries[name]}`);
    }
  });

  it("names the Gauss–Newton product passed off as the Hessian-vector product, and the FAILED lines say where", () => {
    const problem = workedExample();
    const own = ownAnswer(problem);
    const text = formatSecondOrderReport(judged(problem, { ...own, hessianVectorProduct: own.gaussNewtonVectorProduct }));
    expect(text).toContain(
      "hessianVectorProduct     complex-step  FAILED  worst relative error 1.37e+0 > 1e-11 at layer 1 weights[0][1][0]",
    );
    expect(text).toContain(
      "    matches the known mistake gauss-newton-as-hessian: the Gauss-Newton product G V is reported as the Hessian-vector product H V",
    );
    expect(text.split("\n").at(-1)).toBe("the supplied answer FAILED 2 of 8 checks");
  });

  it("rejects a Gauss–Newton product that is the Hessian-vector product wherever the two differ, by the Gauss–Newton oracle, and names it", () => {
    let differing = 0;
    fc.assert(
      fc.property(hvpCaseDocument({ uniform: true }), (document) => {
        const problem = parseHvpCase(document);
        const own = ownAnswer(problem);
        const floor = hessianProductFloor(own.loss, problem.direction);
        const report = judged(problem, { ...own, gaussNewtonVectorProduct: own.hessianVectorProduct });
        const oracle = report.checks.find((check) => check.quantity === "gaussNewtonVectorProduct" && check.oracle === "complex-step")!;
        if (!differ(own.hessianVectorProduct, own.gaussNewtonVectorProduct, floor)) return;
        differing++;
        expect(oracle.verdict).toBe("failed");
        expect(report.mistakes.map((mistake) => mistake.name)).toContain("hessian-as-gauss-newton");
      }),
      { numRuns },
    );
    expect(differing).toBeGreaterThan(numRuns / 4);
  });

  it("fails an answer with one output tangent wrong, naming the entry by sample and unit", () => {
    const problem = workedExample();
    const own = ownAnswer(problem);
    const rows = [0, 1].map((b) => [own.outputTangents.get(0, b)]);
    rows[1]![0]! *= 1 + 1e-6;
    const report = judged(problem, { ...own, outputTangents: matrixFromRows(rows).transpose(1, 0) });
    expect(report.checks.filter((check) => !check.passed).map((check) => check.quantity)).toEqual(["outputTangents"]);
    expect(formatSecondOrderReport(report)).toMatch(
      /^outputTangents {11}complex-step {2}FAILED {2}worst relative error 1\.00e-6 > 1e-11 at outputTangents\[1\]\[0\]$/m,
    );
  });

  it("fails a wrong loss and a wrong directional derivative with both numbers, by each oracle", () => {
    const problem = workedExample();
    const own = ownAnswer(problem);
    const report = judged(problem, { ...own, loss: own.loss * 1.001, directionalDerivative: -own.directionalDerivative });
    expect(verdicts(report).slice(0, 3)).toEqual([
      "loss forward failed",
      "directionalDerivative complex-step failed",
      "directionalDerivative backprop failed",
    ]);
    expect(formatSecondOrderReport(report)).toContain(`: the answer's ${own.loss * 1.001}, the oracle's ${own.loss}`);
  });

  it("fails a Gauss–Newton product that is not positive semi-definite along V, for a convex loss: the negated product", () => {
    const problem = workedExample();
    const own = ownAnswer(problem);
    const report = runSecondOrderChecks(
      problem,
      problem.direction,
      { ...own, gaussNewtonVectorProduct: scaledParameters(own.gaussNewtonVectorProduct, -1) },
      {
        methods: ["richardson"],
      },
    );
    expect(verdicts(report)).toEqual([
      "loss forward passed",
      "directionalDerivative backprop passed",
      "hessianVectorProduct richardson passed",
      "gaussNewtonVectorProduct semi-definite failed",
    ]);
    expect(formatSecondOrderReport(report)).toMatch(
      /semi-definite FAILED {2}VᵀGV = -2\.96e-2 < 0 .*: G is not positive semi-definite along V/,
    );
  });

  it("does not judge V^T G V for cross-entropy with targets that sum to less than 0, where the loss is not convex", () => {
    const problem = parseHvpCase({
      ...workedExampleHvpCase,
      sizes: [2, 2, 2],
      activations: ["sigmoid", "softmax"],
      loss: "cross_entropy",
      weights: [
        workedExampleHvpCase.weights[0],
        [
          [0.5, -0.6],
          [0.2, 0.1],
        ],
      ],
      targets: [
        [1, 0],
        [-1, -0.5],
      ],
      direction: {
        weights: [
          workedExampleHvpCase.direction.weights[0],
          [
            [0, 1],
            [1, 0],
          ],
        ],
        biases: null,
      },
    });
    const report = runSecondOrderChecks(problem, problem.direction);
    expect(report.passed).toBe(true);
    expect(report.checks.map((check) => check.oracle)).not.toContain("semi-definite");
  });

  it("says inconclusive, not FAILED, where a step of Richardson extrapolation crosses a relu kink, and judges by the complex step there", () => {
    // The first hidden unit's preactivation is 1e-5 from its kink; the step along V on its weight is about 6e-5.
    const { network, inputs, targets } = reluNearItsKink(-1 + 1e-5);
    const direction = mapParameters(network, () => 1);
    const report = runSecondOrderChecks({ network, inputs, targets }, direction);
    expect(report.passed).toBe(true);
    expect(report.inconclusive).toBe(true);
    const richardson = report.checks.find((check) => check.oracle === "richardson")!;
    expect([richardson.verdict, richardson.kind === "entries" && richardson.kinkCrossed]).toEqual(["inconclusive", true]);
    const text = formatSecondOrderReport(report);
    expect(text).toContain(
      "hessianVectorProduct     richardson    inconclusive  a step along V moved a relu or leaky_relu preactivation across its kink",
    );
    expect(text.split("\n").at(-1)).toBe("no check failed for backprop-ref's answer, but 1 of 8 was inconclusive");
    // A wrong answer there still fails, by the complex step.
    const wrong = { ...secondOrder(network, inputs, targets, direction), hessianVectorProduct: mapParameters(direction, () => 0) };
    expect(runSecondOrderChecks({ network, inputs, targets }, direction, wrong).passed).toBe(false);
  });

  it("says how many preactivations are exactly at a kink, where every oracle takes the left piece", () => {
    const batch = caseAtKinks();
    const report = runSecondOrderChecks(
      batch,
      mapParameters(batch.network, () => 1),
    );
    expect(report.kinks).toHaveLength(2);
    expect(formatSecondOrderReport(report)).toContain(
      "kinks                    2 preactivations are exactly at a relu or leaky_relu kink: every oracle takes the piece on the left there",
    );
  });

  it("at a kink, leaves the answer with the right slope there inconclusive, since it is another convention, and fails one outside both slopes' products; away from kinks the same change fails", () => {
    const batch = caseAtKinks();
    const direction = mapParameters(batch.network, () => 1);
    const right = rightSlopeProducts(batch.network, batch.inputs, batch.targets, direction);
    const withRightSlope = runSecondOrderChecks(batch, direction, right);
    expect([withRightSlope.passed, withRightSlope.inconclusive]).toEqual([true, true]);
    const line = formatSecondOrderReport(withRightSlope)
      .split("\n")
      .find((text) => text.startsWith("hessianVectorProduct     complex-step"))!;
    expect(line).toContain("inconclusive");
    expect(line).toContain("another slope at the preactivations exactly at a kink may give this");
    const own = secondOrder(batch.network, batch.inputs, batch.targets, direction);
    const outside: SecondOrderProducts = {
      ...own,
      directionalDerivative: 12345,
      hessianVectorProduct: mapParameters(own.hessianVectorProduct, (value) => value + 0.5),
    };
    const failed = runSecondOrderChecks(batch, direction, outside);
    expect(failed.passed).toBe(false);
    const failing = failed.checks.filter((check) => check.verdict === "failed").map((check) => `${check.quantity} ${check.oracle}`);
    expect(failing).toContain("directionalDerivative complex-step");
    expect(failing).toContain("hessianVectorProduct complex-step");
    const problem = workedExample();
    const elsewhere = ownAnswer(problem);
    const wrong = { ...elsewhere, hessianVectorProduct: mapParameters(elsewhere.hessianVectorProduct, (value) => value + 0.5) };
    expect(runSecondOrderChecks(problem, problem.direction, wrong).passed).toBe(false);
  });

  it("runs only the oracles asked for: the loss, ∇E·V by backpropagation and the semi-definite law always", () => {
    const problem = workedExample();
    const oracles = (methods: readonly ("complex-step" | "richardson")[]) =>
      runSecondOrderChecks(problem, problem.direction, undefined, { methods }).checks.map((check) => `${check.quantity} ${check.oracle}`);
    expect(oracles(["complex-step"])).toEqual([
      "loss forward",
      "directionalDerivative complex-step",
      "directionalDerivative backprop",
      "outputTangents complex-step",
      "hessianVectorProduct complex-step",
      "gaussNewtonVectorProduct complex-step",
      "gaussNewtonVectorProduct semi-definite",
    ]);
    expect(oracles(["richardson"])).toEqual([
      "loss forward",
      "directionalDerivative backprop",
      "hessianVectorProduct richardson",
      "gaussNewtonVectorProduct semi-definite",
    ]);
  });

  it("writes the report as backprop-ref/check2@1 JSON: every check with its worst entries, the mistakes, the kinks, no number that is not finite", () => {
    const problem = workedExample();
    const own = ownAnswer(problem);
    const json = secondOrderReportJson(judged(problem, { ...own, hessianVectorProduct: own.gaussNewtonVectorProduct })) as {
      format: string;
      order: number;
      passed: boolean;
      checks: { quantity: string; oracle: string; verdict: string; worst?: { position: string } }[];
      mistakes: { name: string }[];
    };
    expect(json).toMatchObject({
      format: "backprop-ref/check2@1",
      order: 2,
      subject: "supplied",
      passed: false,
      inconclusive: false,
      kinks: [],
    });
    expect(json.checks[4]).toMatchObject({
      quantity: "hessianVectorProduct",
      oracle: "complex-step",
      verdict: "failed",
      worst: { position: "weights[0][1][0]" },
    });
    expect(json.mistakes.map((mistake) => mistake.name)).toEqual(["gauss-newton-as-hessian"]);
    expect(JSON.stringify(json)).not.toMatch(/Infinity|NaN/);
  });
});
