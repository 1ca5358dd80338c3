import { describe, expect, it } from "vitest";
import { caseResult, gradientsFromResult, parseCase } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { checkMethods, checkReportJson, formatCheckReport, runChecks } from "../../src/oracles/check.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { caseAtKinks, exampleProblem } from "../support/fixtures.js";
import { gradientsWithKinkSlope } from "../../src/oracles/kink-conventions.js";
import { shapedLike } from "../support/directions.js";
import { valuesOf } from "../support/parameters.js";

describe("check", () => {
  it("reads the gradients of another implementation's result and checks them by every method", () => {
    const problem = exampleProblem();
    const result = caseResult(problem);
    const gradients = gradientsFromResult(JSON.parse(JSON.stringify(result)), problem);
    const report = runChecks(problem, checkMethods, gradients);
    expect(report.subject).toBe("supplied");
    expect(report.passed).toBe(true);
    expect(report.reports.map((methodReport) => methodReport.method)).toEqual([...checkMethods]);
  });

  it("catches the seed's intuitive rule when it is passed off as the gradient, by every method", () => {
    const problem = exampleProblem();
    const report = runChecks(problem, checkMethods, mistakenGradients("intuitive-rule", problem.network, problem.inputs, problem.targets));
    expect(report.passed).toBe(false);
    expect(report.reports.filter((methodReport) => methodReport.passed).map((methodReport) => methodReport.method)).toEqual([]);
  });

  it("checks a case with weight decay by every method on the loss with its penalty: backprop-ref's gradients pass, those without the decay fail every method", () => {
    const problem = parseCase({ ...workedExampleCase, format: "backprop-ref/case@2", weightDecay: 0.01 });
    const own = runChecks(problem, checkMethods);
    expect(own.passed, formatCheckReport(own)).toBe(true);
    const withoutDecay = gradientsFromResult(JSON.parse(JSON.stringify(caseResult({ ...problem, weightDecay: 0 }))), problem);
    const report = runChecks(problem, checkMethods, withoutDecay);
    expect(report.reports.filter((methodReport) => methodReport.passed).map((methodReport) => methodReport.method)).toEqual([]);
  });

  it("writes JSON without non-finite numbers: an inconclusive slope and a missing kink distance become null", () => {
    const json = checkReportJson(runChecks(exampleProblem(), ["central", "taylor"])) as { methods: Record<string, unknown>[] };
    expect(json.methods[0]!.kinkDistance).toBeNull();
    expect(JSON.stringify(json)).not.toMatch(/Infinity|NaN/);
  });

  it("at preactivations exactly at a kink passes the left slope, accepts the right one and names it, and fails an entry outside both", () => {
    const batch = caseAtKinks();
    const own = runChecks(batch, checkMethods);
    expect([own.passed, own.acceptable, own.kinks?.convention, own.kinks?.units.length]).toEqual([true, false, "left", 2]);
    expect(formatCheckReport(own)).toContain(
      "kinks         passed  2 preactivations are exactly at a kink, 4 entries depend on the slope chosen there",
    );
    const right = gradientsWithKinkSlope(batch.network, batch.inputs, batch.targets, "right");
    const theirs = runChecks(batch, checkMethods, right);
    expect([theirs.passed, theirs.acceptable, theirs.kinks?.convention]).toEqual([true, true, "right"]);
    expect(formatCheckReport(theirs)).toMatch(/acceptable: at the kinks they take another convention than backprop-ref's$/);
    const wrong = shapedLike(
      right,
      valuesOf(right).map((value, index) => (index === 0 ? value + 3 : value)),
    );
    const failed = runChecks(batch, checkMethods, wrong);
    expect([failed.passed, failed.kinks?.verdict, failed.kinks?.outside?.position]).toEqual([false, "failed", "weights[0][0][0]"]);
    expect(formatCheckReport(failed)).toContain("weights[0][0][0] is 5.25, outside [0.75, 2.25] (left slope 0.75, right slope 2.25)");
  });
});
