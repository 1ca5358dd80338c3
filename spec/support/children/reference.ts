/**
 * A child program that answers the fuzz protocol with the reference's own results, or, given
 * `--mistake NAME`, with the result of that known mistake wherever it applies: the foreign
 * program of the command line's tests, run as `node --import tsx reference.ts`.
 */
import { createInterface } from "node:readline";
import { caseResult, parseCase } from "../../../src/conformance/case-format.js";
import { mistakeApplies, type MistakeName, mistakenResult } from "../../../src/conformance/mistakes.js";

const mistake = process.argv[2] === "--mistake" ? (process.argv[3] as MistakeName) : null;
for await (const line of createInterface({ input: process.stdin })) {
  const problem = parseCase(JSON.parse(line));
  const result =
    mistake !== null && mistakeApplies(mistake, problem) ? { ...mistakenResult(mistake, problem), id: problem.id } : caseResult(problem);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
