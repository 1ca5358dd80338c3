/**
 * The kinds of mistake backprop-ref reports, one error class for each.
 *
 * Every message names the field, what was expected and what was given, for example
 * `weights[1] is 3×2 but sizes [2, 3, 1] need 1×3`. The command line prints the same text as
 * the library throws, so a message read in a terminal can be searched for in the code.
 *
 * @module
 */

/** The common parent of every error that backprop-ref throws on purpose. */
export class BackpropRefError extends Error {
  /** @param message - what was expected and what was given */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Two arrays whose shapes must agree do not (a weights matrix against `sizes`, targets against the outputs). */
export class ShapeError extends BackpropRefError {}

/** A network specification that cannot describe a network (unknown activation, softmax in a hidden layer, a loss that does not go with the output activation). */
export class SpecError extends BackpropRefError {}

/** A document that is not a valid instance of its JSON format (malformed JSON, a missing field, a string where a number belongs, `NaN`). */
export class FormatError extends BackpropRefError {}

/** An argument outside its allowed range: a negative learning rate, a seed that is not an integer. */
export class ValueError extends BackpropRefError {}

/** A number that is not finite: `NaN` or $\pm\infty$ among the parameters, or an overflow of a computation on finite input. */
export class NumericError extends BackpropRefError {}

/** A file that cannot be read or written: missing, a folder, too large, not permitted. */
export class FileError extends BackpropRefError {}

/**
 * A value as an error message shows it: arrays in brackets (long ones cut short, nested ones
 * two levels deep), strings quoted and cut at 40 characters.
 *
 * @param value - anything, such as a field read from JSON
 * @param levels - how many levels of nested arrays to show before writing "an array"
 */
export function describeValue(value: unknown, levels = 2): string {
  if (Array.isArray(value)) {
    if (levels === 0) return "an array";
    const shown = value.slice(0, value.length > 8 ? 6 : 8).map((item) => describeValue(item, levels - 1));
    return value.length > 8 ? `[${shown.join(", ")}, … (${value.length} entries)]` : `[${shown.join(", ")}]`;
  }
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "symbol") return value.toString();
  return "a function";
}
