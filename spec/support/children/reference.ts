/**
 * A child program that answers the fuzz protocol with the reference's own results, or, given
 * `--mistake NAME`, with the result of that known mistake wherever it applies: the foreign
 * program of the command line's tests, run as `node --import tsx reference.ts`. A line that is
 * not a valid case gets a rejection with the library's message.
 */
import { createInterface } from "node:readline";
import { caseResult, parseCase } from "../../../src/conformance/case-format.js";
import { mistakeApplies, type MistakeName, mistakenResult } from "../../../src/conformance/mistakes.js";
import { BackpropRefError } from "../../../src/numeric/errors.js";
import { readJson } from "../../../src/numeric/read-json.js";

const mistake = process.argv[2] === "--mistake" ? (process.argv[3] as MistakeName) : null;
for await (const line of createInterface({ input: process.stdin })) {
  let answer: unknown;
  try {
    const problem = parseCase(readJson(line, "the case"));
    answer =
      mistake !== null && mistakeApplies(mistake, problem) ? { ...mistakenResult(mistake, problem), id: problem.id } : caseResult(problem);
  } catch (error) {
    if (!(error instanceof BackpropRefError)) throw error;
    const id = (() => {
      try {
        return (JSON.parse(line) as { id?: unknown }).id ?? null;
      } catch {
        return null;
      }
    })();
    answer = { format: "backprop-ref/rejection@1", id, message: error.message };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
