/**
 * Reading the numbers typed as command-line options, strictly: a decimal number as JSON would
 * write it (with an optional `+`), nothing that JavaScript's `Number` would also take (`0x10`,
 * `0b11`, `Infinity`, an empty string, white space), so that what runs is what was meant.
 * Every command reads and checks all of its options before it reads data or prints anything.
 *
 * @module
 */
import { ValueError } from "../numeric/errors.js";

/** A decimal number as JSON writes it, with an optional `+`: what a number option or a sample's feature may be. */
export const decimalNumber = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * A number given to a command-line option.
 *
 * @param text - what was typed
 * @param option - the option's name, as the message says it (`--lr`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<option> must be a decimal number, got "<text>"`, or
 *   `<option> must be a finite number, got "<text>"` for one beyond float64's range
 */
export function parseNumberOption(text: string, option: string): number {
  if (!decimalNumber.test(text)) throw new ValueError(`${option} must be a decimal number, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new ValueError(`${option} must be a finite number, got ${JSON.stringify(text)}, beyond float64's ±1.8e308`);
  }
  return value;
}

/**
 * A whole number given to a command-line option, within bounds.
 *
 * @param text - what was typed
 * @param option - the option's name
 * @param minimum - the smallest allowed
 * @param maximum - the largest allowed
 * @throws {@link numeric/errors!ValueError | ValueError} `<option> must be an integer from <minimum> to <maximum>, got "<text>"`
 */
export function parseIntegerOption(text: string, option: string, minimum: number, maximum: number): number {
  const value = parseNumberOption(text, option);
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new ValueError(`${option} must be an integer from ${minimum} to ${maximum}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * A comma-separated list of numbers given to a command-line option (`--sizes 784,200,10`).
 *
 * @param text - what was typed
 * @param option - the option's name
 */
export function parseNumberList(text: string, option: string): number[] {
  return text.split(",").map((entry) => parseNumberOption(entry.trim(), option));
}
