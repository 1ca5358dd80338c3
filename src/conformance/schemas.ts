/**
 * The JSON Schemas of the formats, published in the package under `schemas/`, and their
 * validation with Ajv.
 *
 * | schema | file | what it describes |
 * | --- | --- | --- |
 * | `case@1` | `schemas/case.schema.json` | a network, a batch and a learning rate |
 * | `case@2` | `schemas/case-2.schema.json` | a `case@1` with an optional `weightDecay`, the coefficient of the weights' L2 penalty |
 * | `result@1` | `schemas/result.schema.json` | loss, outputs, gradients, delta weights, updated weights |
 * | `rejection@1` | `schemas/rejection.schema.json` | an implementation's refusal of a malformed case |
 * | `results@1` | `schemas/results.schema.json` | the answers to a vector file, one per test id |
 * | `vectors@1` | `schemas/vectors.schema.json` | a file of conformance vectors (their cases `case@1` or `case@2`) |
 * | `hvp-case@1` | `schemas/hvp-case.schema.json` | a `case@1` document with a `direction` $V$, the input of `hvp` |
 * | `hvp@1` | `schemas/hvp.schema.json` | loss, $\nabla E \cdot V$, $J V$, $H V$ and $G V$ |
 * | `hvp-vectors@1` | `schemas/hvp-vectors.schema.json` | a file of second-order conformance vectors: hvp cases and their `hvp@1` answers |
 * | `hvp-results@1` | `schemas/hvp-results.schema.json` | the answers to an hvp vector file, one per test id |
 *
 * The schemas describe structure and types. What they cannot say (shapes against `sizes`, the
 * pairing of a loss with its output activation, finiteness) is checked by
 * {@link conformance/case-format!parseCase | parseCase} (and, for the second-order formats, by
 * {@link conformance/hvp-format!parseHvpCase | parseHvpCase} and
 * {@link conformance/hvp-format!parseHvpAnswer | parseHvpAnswer}), whose typed errors remain the
 * messages people read: the command line parses a case with the library first and consults the
 * schema after, so a schema never replaces a precise message with a vaguer one.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describeValue, FormatError } from "../numeric/errors.js";

/** The schemas, by the name of their file without `.schema.json`. */
export const schemaNames = [
  "case",
  "case-2",
  "result",
  "rejection",
  "results",
  "vectors",
  "hvp-case",
  "hvp",
  "hvp-vectors",
  "hvp-results",
] as const;

/** One of {@link schemaNames}. */
export type SchemaName = (typeof schemaNames)[number];

/**
 * The URL of a schema's file, in the package's `schemas/` folder (beside `src/` and `dist/`).
 *
 * @param name - the schema
 */
export function schemaUrl(name: SchemaName): URL {
  return new URL(`../../schemas/${name}.schema.json`, import.meta.url);
}

/**
 * A schema, read from its file.
 *
 * @param name - the schema
 */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaUrl(name), "utf8")) as Record<string, unknown>;
}

let validators: Map<SchemaName, ValidateFunction> | undefined;

function validator(name: SchemaName): ValidateFunction {
  if (validators === undefined) {
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    const schemas = schemaNames.map((schema) => [schema, loadSchema(schema)] as const);
    for (const [, schema] of schemas) ajv.addSchema(schema);
    validators = new Map(schemas.map(([schema, definition]) => [schema, ajv.getSchema(definition.$id as string)!]));
  }
  return validators.get(name)!;
}

/**
 * The first schema violation of a value, in words, or `null` when the value is valid.
 *
 * @param name - the schema to check against
 * @param value - anything, typically the result of `JSON.parse`
 */
export function schemaViolation(name: SchemaName, value: unknown): string | null {
  const validate = validator(name);
  if (validate(value)) return null;
  return describeSchemaError(validate.errors![0]!, value);
}

/**
 * Checks a value against a schema.
 *
 * @param name - the schema to check against
 * @param value - anything, typically the result of `JSON.parse`
 * @param what - how the message names the document, e.g. `the vector file`
 * @throws {@link numeric/errors!FormatError | FormatError} naming the first field in error, what the schema expected and what was given
 */
export function assertSchema(name: SchemaName, value: unknown, what: string): void {
  const violation = schemaViolation(name, value);
  if (violation !== null) throw new FormatError(`${what} is not a valid ${schemaTag(name)} document: ${violation}`);
}

/**
 * The name and version a schema describes, as its `$id` ends: `case@1`, `case@2`, `vectors@1`.
 *
 * @param name - the schema
 */
export function schemaTag(name: SchemaName): string {
  const id = loadSchema(name).$id as string;
  return id.slice(id.lastIndexOf(":") + 1);
}

function describeSchemaError(error: ErrorObject, root: unknown): string {
  const path =
    error.instancePath === ""
      ? "the document"
      : error.instancePath
          .slice(1)
          .split("/")
          .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
          .join("")
          .replace(/^\./, "");
  let given: unknown = root;
  for (const part of error.instancePath.split("/").slice(1)) {
    given =
      typeof given === "object" && given !== null
        ? (given as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")]
        : undefined;
  }
  const extra =
    error.keyword === "additionalProperties"
      ? ` (${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)})`
      : error.keyword === "enum"
        ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.map((value) => JSON.stringify(value)).join(", ")})`
        : error.keyword === "const"
          ? ` ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`
          : "";
  return `${path} ${error.message ?? "is invalid"}${extra}, got ${describeValue(given)}`;
}
