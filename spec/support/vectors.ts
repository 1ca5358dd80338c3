/**
 * The committed conformance vectors, first-order and second-order (hvp), and the answers an
 * implementation gives to them, for the specs of `verify` and of the command that runs it.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ResultDocument } from "../../src/conformance/case-format.js";
import type { HvpDocument } from "../../src/conformance/hvp-format.js";
import type { HvpVectorFile } from "../../src/conformance/hvp-vector-format.js";
import { rejectionFormat, type VectorFile } from "../../src/conformance/vector-format.js";

/** The committed vector files, each with its name, path and parsed contents. */
const vectorDirectory = new URL("../vectors/", import.meta.url);
export const vectorFiles = readdirSync(vectorDirectory)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({
    name,
    path: new URL(name, vectorDirectory).pathname,
    file: JSON.parse(readFileSync(new URL(name, vectorDirectory), "utf8")) as VectorFile,
  }));

/** The answers of an implementation that computes `answer` for each case and rejects what the library rejects. */
export function answersOf(
  file: VectorFile,
  answer: (test: VectorFile["testGroups"][number]["tests"][number]) => ResultDocument,
): unknown[] {
  return file.testGroups.flatMap((group) =>
    group.tests.map((test) =>
      test.result === "invalid" ? { format: rejectionFormat, id: test.id, message: "rejected" } : { ...answer(test), id: test.id },
    ),
  );
}

/** The committed hvp vector files (spec/vectors/hvp/), each with its name, path and parsed contents. */
const hvpVectorDirectory = new URL("hvp/", vectorDirectory);
export const hvpVectorFiles = readdirSync(hvpVectorDirectory)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({
    name,
    path: new URL(name, hvpVectorDirectory).pathname,
    text: readFileSync(new URL(name, hvpVectorDirectory), "utf8"),
  }))
  .map(({ name, path, text }) => ({ name, path, text, file: JSON.parse(text) as HvpVectorFile }));

/** The answers of an implementation that computes `answer` for each hvp case, each with its test's id. */
export function hvpAnswersOf(
  file: HvpVectorFile,
  answer: (test: HvpVectorFile["testGroups"][number]["tests"][number]) => HvpDocument,
): unknown[] {
  return file.testGroups.flatMap((group) => group.tests.map((test) => ({ ...answer(test), id: test.id })));
}
