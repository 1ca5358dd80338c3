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
