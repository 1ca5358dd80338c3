/**
 * The malformed cases that `fuzz --invalid` sends: every invalid test of the committed vectors,
 * each on one line, and a report that lists every one not rejected, with what happened instead.
 */
import { describe, expect, it } from "vitest";
import { checkRejections, formatRejectionReport, invalidCases } from "../../src/conformance/fuzz-invalid.js";
import type { Answer } from "../../src/conformance/fuzz-judge.js";
import { vectorFiles } from "../support/vectors.js";

describe("fuzz --invalid", () => {
  it("sends every invalid test of the committed vectors, each on one line", () => {
    const files = vectorFiles.map(({ file }) => file);
    const cases = invalidCases(files);
    const invalidTests = files
      .flatMap((file) => file.testGroups.flatMap((group) => group.tests))
      .filter((test) => test.result === "invalid");
    expect(cases.map((invalid) => invalid.id)).toEqual(invalidTests.map((test) => test.id));
    expect(cases.length).toBeGreaterThan(20);
    for (const invalid of cases) expect(invalid.line).not.toMatch(/[\r\n]/);
  });

  it("passes an implementation that rejects them all, and lists each one accepted or not answered", async () => {
    const cases = invalidCases(vectorFiles.map(({ file }) => file));
    const rejecting = (): Promise<Answer> =>
      Promise.resolve({ kind: "answer", value: { format: "backprop-ref/rejection@1", id: null, message: "no" } });
    const all = await checkRejections(cases, rejecting);
    expect(all).toEqual({ sent: cases.length, notRejected: [] });
    expect(formatRejectionReport(all)).toBe(`all ${cases.length} malformed cases were rejected`);

    let sent = 0;
    const sometimes = (): Promise<Answer> => {
      sent++;
      if (sent === 1) return Promise.resolve({ kind: "answer", value: { format: "backprop-ref/result@1", loss: 0 } });
      if (sent === 2) return Promise.resolve({ kind: "failure", reason: "exited", message: "exited with status 1 before answering" });
      return rejecting();
    };
    const report = await checkRejections(cases, sometimes);
    expect(report.notRejected.map((entry) => entry.case.id)).toEqual([cases[0]!.id, cases[1]!.id]);
    expect(report.notRejected[0]!.what).toMatch(/^accepted it: answered \{.*format.*\}/);
    expect(report.notRejected[1]!.what).toBe("did not reject it: it exited with status 1 before answering");
    expect(formatRejectionReport(report).split("\n").at(-1)).toBe(`FAILED: 2 of ${cases.length} malformed cases were not rejected`);
  });
});
