import { describe, expect, it } from "vitest";
import { caseResult, gradientsFromResult } from "../../src/conformance/case-format.js";
import { checkMethods, checkReportJson, runChecks } from "../../src/oracles/check.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { exampleProblem } from "../support/fixtures.js";

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

  it("writes JSON without non-finite numbers: an inconclusive slope and a missing kink distance become null", () => {
    const json = checkReportJson(runChecks(exampleProblem(), ["central", "taylor"])) as { methods: Record<string, unknown>[] };
    expect(json.methods[0]!.kinkDistance).toBeNull();
    expect(JSON.stringify(json)).not.toMatch(/Infinity|NaN/);
  });
});
