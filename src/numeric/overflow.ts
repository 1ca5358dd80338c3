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

/** What a message says caused an overflow, unless the caller knows better. */
export const usualCause = "the weights or inputs are too large for float64";

/**
 * Refuses numbers that overflowed: throws a {@link numeric/errors!NumericError | NumericError}
 * naming `what`, the first value that is not finite, and the cause.
 *
 * @param what - what the values are, as the message should say it ("the loss")
 * @param values - the numbers to check
 * @param cause - what the message blames
 */
export function assertFinite(what: string, values: readonly number[], cause = usualCause): void {
  if (!values.every(Number.isFinite)) {
    throw new NumericError(`${what} overflowed to ${values.find((value) => !Number.isFinite(value))}: ${cause}`);
  }
}

/**
 * Refuses a batch loss that overflowed, blaming what did: with finite outputs (checked first),
 * a loss overflows only when outputs and targets are too far apart, so the message gives the
 * largest of each and the user sees which is out of range (a target of $10^{200}$, say).
 *
 * @param loss - the batch loss
 * @param outputs - $o^{(L)}$, finite
 * @param targets - $t$
 */
export function assertFiniteLoss(loss: number, outputs: Matrix, targets: Matrix): void {
  if (Number.isFinite(loss)) return;
  throw new NumericError(
    `the loss overflowed to ${loss}: the outputs and the targets are too far apart for float64 ` +
      `(largest |output| ${largestMagnitude(outputs)}, largest |target| ${largestMagnitude(targets)})`,
  );
}

function largestMagnitude(matrix: Matrix): number {
  let largest = 0;
  const [rows, columns] = [matrix.shape[0]!, matrix.shape[1]!];
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) largest = Math.max(largest, Math.abs(matrix.get(i, j)));
  return largest;
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
