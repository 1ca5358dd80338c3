/**
 * The `verify` command: `npx backprop-ref verify <vectors.json> <results.json>` checks another
 * implementation's answers to a vector file, and `npx backprop-ref verify <case.json>
 * <result.json>` one result against a case; the same for the second order, with an hvp vector
 * file (`backprop-ref/hvp-vectors@1`) and `backprop-ref/hvp@1` answers, or an hvp case (a case
 * with a `direction`) and one answer. The first file's `format` (and, for a case, whether it has
 * a `direction`) says which. It prints one line per test (`pass`, or `FAIL` with the first
 * differing quantity, its position, both values, the relative error and the known mistake it
 * matches) and a summary; it exits 0 when every test passes, 1 when one fails, 2 for input it
 * cannot read.
 *
 * @module
 */
import type { Command } from "commander";
import { readInput } from "./input.js";
import { exitCheckFailed, reportError, type CommandIo, type Exit } from "./io.js";
import { readJson } from "../numeric/read-json.js";
import { caseFormat, caseFormat2, caseFormats, parseCase } from "../conformance/case-format.js";
import { assertSchema } from "../conformance/schemas.js";
import { type VectorFile, vectorsFormat } from "../conformance/vector-format.js";
import { verifyResult, verifyVectors } from "../conformance/verify.js";
import { formatVerifyReport, type VerifyReport } from "../conformance/verify-report.js";
import { hvpFormat, parseHvpCase } from "../conformance/hvp-format.js";
import { type HvpVectorFile, hvpVectorsFormat } from "../conformance/hvp-vector-format.js";
import { verifyHvpAnswer, verifyHvpVectors } from "../conformance/hvp-verify.js";
import { describeValue, FileError, FormatError } from "../numeric/errors.js";

/**
 * Adds the `verify` command to a command line.
 *
 * @param program - the command line to add it to
 * @param io - the streams it reads and writes
 * @param exit - receives the command's exit status: 0 all passed, 1 a test failed, 2 bad input
 */
export function addVerifyCommand(program: Command, io: CommandIo, exit: Exit): void {
  program
    .command("verify")
    .description(
      "compare another implementation's results with backprop-ref's: a vector file (backprop-ref/vectors@1) and a JSON array " +
        "of results and rejections, one per test id; or a case (backprop-ref/case@1, or case@2 with a weight decay) and a result (backprop-ref/result@1). " +
        "For the second order: an hvp vector file (backprop-ref/hvp-vectors@1) and a JSON array of backprop-ref/hvp@1 answers, " +
        "one per test id; or an hvp case (a case with a direction) and one backprop-ref/hvp@1 answer. " +
        "Prints pass or the first difference and the known mistake it matches for each test; exits 1 when a test fails",
    )
    .argument("<vectors-or-case>", "a vector file, an hvp vector file, a case or an hvp case file, or - to read standard input")
    .argument(
      "<results>",
      "the other implementation's results (a JSON array for a vector file, a result document for a case, an hvp@1 document for an hvp case)",
    )
    .option("--failures", "print only the failing tests and the summary")
    .action(async (expectedPath: string, givenPath: string, options: { failures?: boolean }) => {
      exit(await verify(expectedPath, givenPath, options.failures === true, io));
    });
}

async function readJsonFile(path: string, what: string, io: CommandIo): Promise<unknown> {
  return readJson(await readInput(path, io), `${what} ${path === "-" ? "on standard input" : path}`);
}

async function verify(expectedPath: string, givenPath: string, failuresOnly: boolean, io: CommandIo): Promise<number> {
  let report: VerifyReport;
  try {
    if (expectedPath === "-" && givenPath === "-") {
      throw new FileError("only one of the two files can be read from standard input, got - for both");
    }
    const expected = await readJsonFile(expectedPath, "the vector or case file", io);
    const format = typeof expected === "object" && expected !== null ? (expected as { format?: unknown }).format : undefined;
    if (format === vectorsFormat) {
      assertSchema("vectors", expected, `the vector file ${expectedPath}`);
      const given = await readJsonFile(givenPath, "the results file", io);
      if (!Array.isArray(given)) {
        throw new FormatError(
          `the results file ${givenPath} must be a JSON array of results and rejections, one per test id, got ${describeValue(given)}`,
        );
      }
      report = verifyVectors(expected as VectorFile, given);
    } else if (format === hvpVectorsFormat) {
      assertSchema("hvp-vectors", expected, `the hvp vector file ${expectedPath}`);
      const given = await readJsonFile(givenPath, "the answers file", io);
      if (!Array.isArray(given)) {
        throw new FormatError(
          `the answers file ${givenPath} must be a JSON array of ${hvpFormat} answers and rejections, one per test id, got ${describeValue(given)}`,
        );
      }
      report = verifyHvpVectors(expected as HvpVectorFile, given);
    } else if (
      (caseFormats as readonly unknown[]).includes(format) &&
      typeof expected === "object" &&
      expected !== null &&
      "direction" in expected
    ) {
      // parseHvpCase refuses a case@2, naming why: the second-order products have no weight decay.
      const problem = parseHvpCase(expected);
      assertSchema("hvp-case", expected, `the hvp case ${expectedPath}`);
      const given = await readJsonFile(givenPath, "the answer file", io);
      const verdict = verifyHvpAnswer(problem, given);
      report = { passed: verdict.passed, verdicts: [verdict] };
    } else if ((caseFormats as readonly unknown[]).includes(format)) {
      const problem = parseCase(expected);
      assertSchema(format === caseFormat2 ? "case-2" : "case", expected, `the case ${expectedPath}`);
      const given = await readJsonFile(givenPath, "the result file", io);
      const verdict = verifyResult(problem, given);
      report = { passed: verdict.passed, verdicts: [verdict] };
    } else {
      throw new FormatError(
        `${expectedPath} must be a ${vectorsFormat}, ${hvpVectorsFormat}, ${caseFormat} or ${caseFormat2} document (a ${caseFormat} with a direction for an hvp case), ` +
          `got format ${describeValue(format)}`,
      );
    }
  } catch (error) {
    return reportError(error, "verify", io);
  }
  const text = formatVerifyReport(report);
  io.stdout(
    `${
      failuresOnly
        ? text
            .split("\n")
            .filter((line) => !line.endsWith(": pass"))
            .join("\n")
        : text
    }\n`,
  );
  return report.passed ? 0 : exitCheckFailed;
}
