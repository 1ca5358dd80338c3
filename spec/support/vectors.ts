/**
 * The committed conformance vectors, and the answers an implementation gives to them, for the
 * specs of `verify` and of the command that runs it.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ResultDocument } from "../../src/conformance/case-format.js";
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
