/**
 * The rule for the learning rate $\eta$, the size of the step
 * $\Delta W^{(l)} = -\eta\, \partial E / \partial W^{(l)}$: a finite number $\eta \ge 0$.
 *
 * $\eta = 0$ is allowed everywhere: the step then leaves the network as it was (the delta
 * weights are all $0$ or $-0$), which the conformance vectors test, and a training run with it
 * measures the untrained network. A negative $\eta$ would climb the loss, and one that is not
 * finite would make every weight infinite or NaN.
 *
 * The one place this rule is written: a training step, the intuitive rule's step, the fused
 * step of the training loop, training itself, the command line and the case format all ask it.
 *
 * @module
 */
import { describeValue, ValueError, type BackpropRefError } from "../numeric/errors.js";

/**
 * Refuses a learning rate that is not a finite number $\ge 0$.
 *
 * @param learningRate - $\eta$, as given (from JSON or the command line it may be anything)
 * @param field - how the message names it (`learningRate`, `--lr`)
 * @param Kind - the error to throw: a {@link numeric/errors!ValueError | ValueError} for an
 *   argument, a {@link numeric/errors!FormatError | FormatError} for a field of a document
 * @throws `Kind` with the message `<field> must be a finite number ≥ 0, got <value>`
 */
export function validateLearningRate(
  learningRate: unknown,
  field = "learningRate",
  Kind: new (message: string) => BackpropRefError = ValueError,
): asserts learningRate is number {
  // Number.isFinite is false for anything that is not a number (it does not convert), so the
  // comparison below only ever sees a finite number.
  if (!Number.isFinite(learningRate) || (learningRate as number) < 0) {
    throw new Kind(`${field} must be a finite number ≥ 0, got ${describeValue(learningRate)}`);
  }
}
