/**
 * JSON text whose every number reads back to the same float64: how backprop-ref writes its
 * results, vectors, models and reports, so that a number printed is the number computed.
 *
 * @module
 */
import { FormatError, NumericError } from "./errors.js";

/**
 * JSON text with two-space indentation, arrays of numbers or strings on one line, and every number in
 * the shortest form that reads back to the same float64 (JavaScript's `String(number)`, which
 * also keeps $-0$ as `-0`).
 *
 * @param value - plain data: objects, arrays, strings, finite numbers, booleans and `null`
 * @throws {@link numeric/errors!NumericError | NumericError} for a number that is not finite, which JSON cannot hold
 */
export function formatJson(value: unknown): string {
  return write(value, "", "$");
}

function write(value: unknown, indent: string, path: string): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new NumericError(`${path} is ${value}, which JSON cannot hold`);
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => typeof item === "number" || typeof item === "string")) {
      return `[${value.map((item, index) => write(item, inner, `${path}[${index}]`)).join(", ")}]`;
    }
    return `[\n${value.map((item, index) => `${inner}${write(item, inner, `${path}[${index}]`)}`).join(",\n")}\n${indent}]`;
  }
  if (typeof value === "object") {
    const fields = Object.entries(value).filter(([, item]) => item !== undefined);
    if (fields.length === 0) return "{}";
    return `{\n${fields
      .map(([key, item]) => `${inner}${JSON.stringify(key)}: ${write(item, inner, `${path}.${key}`)}`)
      .join(",\n")}\n${indent}}`;
  }
  throw new FormatError(`${path} is a ${typeof value}, which JSON cannot hold`);
}
