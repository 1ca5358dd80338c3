/**
 * Refusing numbers that overflowed: a computation on finite input whose result is not finite
 * (an output, the loss, a gradient, an updated weight beyond float64's $\approx 1.8 \times 10^{308}$)
 * is reported as a {@link numeric/errors!NumericError | NumericError} naming the quantity,
 * never returned as `Infinity` or `NaN`.
 *
 * @module
 */
import { NumericError } from "./errors.js";
import { allFinite, type Matrix, type Vector } from "./tensor.js";

/**
 * Refuses numbers that overflowed: throws a {@link numeric/errors!NumericError | NumericError}
 * naming `what` and the first value that is not finite.
 *
 * @param what - what the values are, as the message should say it ("the loss")
 * @param values - the numbers to check
 */
export function assertFinite(what: string, values: readonly number[]): void {
  if (!values.every(Number.isFinite)) {
    throw new NumericError(
      `${what} overflowed to ${values.find((value) => !Number.isFinite(value))}: the weights or inputs are too large for float64`,
    );
  }
}

/**
 * Refuses arrays with an entry that overflowed: throws a
 * {@link numeric/errors!NumericError | NumericError} naming `what`.
 *
 * @param what - what the arrays are, as the message should say it ("the outputs")
 * @param arrays - the arrays to check
 */
export function assertFiniteArrays(what: string, arrays: readonly (Matrix | Vector)[]): void {
  if (!arrays.every(allFinite)) throw arrayOverflow(what);
}

/**
 * The error for arrays with an entry that overflowed, for a caller that knows it without looking
 * at every entry (the fused update bounds its step instead).
 *
 * @param what - what the arrays are, as the message should say it ("the updated weights of layer 2")
 */
export function arrayOverflow(what: string): NumericError {
  return new NumericError(`${what} overflowed (an entry is not finite): the weights or inputs are too large for float64`);
}
