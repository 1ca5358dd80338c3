/**
 * Weight decay: an L2 penalty on the weights added to the batch loss, so that large weights
 * cost something, and the one term it adds to the gradient and so to the step.
 *
 * **The loss.** With a coefficient $\lambda' \ge 0$ (a case's `weightDecay`), the loss of a
 * batch of $B$ samples is the mean of their losses plus the penalty
 *
 * $$E = \frac1B \sum_{b=1}^{B} E_b + \frac{\lambda'}{2} \sum_{l=1}^{L} \left\lVert W^{(l)} \right\rVert_F^2,
 *   \qquad \left\lVert W^{(l)} \right\rVert_F^2 = \sum_{j,k} \left(w^{(l)}_{jk}\right)^2 .$$
 *
 * The penalty is part of $E$: the loss this library reports, the gradient it computes and the
 * loss its oracles differentiate are all of this $E$. At $\lambda' = 0$ it is the loss of
 * every other page, bit for bit (nothing is added, not even $0$).
 *
 * **Biases are not decayed.** The penalty sums over the weights only, as in Nielsen's
 * *Neural Networks and Deep Learning* (chapter 3, and its `network2.py`, whose update decays
 * the weights and leaves the biases alone) and in Goodfellow, Bengio and Courville's *Deep
 * Learning* (§7.1): a bias moves one unit's threshold and does not multiply an input, so a
 * large bias does not make the network more sensitive to its inputs, and decaying it costs fit
 * without taming the function.
 *
 * **Which $\lambda'$.** Nielsen writes the penalty of the whole training set of $n$ samples,
 * $C = C_0 + \frac{\lambda}{2n} \sum_w w^2$, with $C_0$ the mean loss over the set. A batch's
 * mean loss estimates $C_0$, so the batch's share of $C$ is the $E$ above with
 *
 * $$\lambda' = \frac{\lambda}{n},$$
 *
 * the same in every step whatever the batch size: Nielsen's $\lambda = 5$ on 50,000 digits is
 * $\lambda' = 10^{-4}$. A case states $\lambda'$ itself; `train --weight-decay` takes Nielsen's
 * $\lambda$ and divides by the number of training samples ({@link stepWeightDecay}).
 *
 * **The gradient and the step.** The penalty's derivative with respect to one weight is
 * $\frac{\lambda'}{2} \cdot 2 w^{(l)}_{jk}$, so step 5's gradient gains one term
 * ({@link weightDecayGradients}), and step 6 scales the whole of it by $\eta$:
 *
 * $$\frac{\partial E}{\partial W^{(l)}} = \frac1B\, \delta^{(l)} o^{(l-1)\top} + \lambda' W^{(l)},
 *   \qquad
 *   \Delta W^{(l)} = -\eta \frac{\partial E}{\partial W^{(l)}}
 *   \quad\Longleftrightarrow\quad
 *   W^{(l)} \leftarrow (1 - \eta\lambda')\, W^{(l)} - \frac{\eta}{B}\, \delta^{(l)} o^{(l-1)\top}.$$
 *
 * The last form gives the name: every step first shrinks each weight by the factor
 * $1 - \eta\lambda'$, then takes the step of the data. The deltas of steps 1–4 do not change:
 * the penalty depends on the weights directly, not through any weighted sum. Neither do the
 * biases' gradients.
 *
 * Read top to bottom: {@link validateWeightDecay} (the rule for $\lambda'$),
 * {@link weightPenalty} and {@link lossWithWeightDecay} (the loss), {@link weightDecayGradients}
 * (the gradient), {@link stepWeightDecay} (Nielsen's $\lambda$ as $\lambda'$).
 *
 * @module
 */
import { describeValue, ValueError, type BackpropRefError } from "../numeric/errors.js";
import { addedMultiple, type Matrix } from "../numeric/tensor.js";
import type { ParameterArrays } from "./network.js";

/**
 * Refuses a weight-decay coefficient that is not a finite number $\lambda' \ge 0$. A negative
 * $\lambda'$ would reward large weights (the loss would have no minimum), and one that is not
 * finite would make every weight infinite or NaN. $\lambda' = 0$ is no decay.
 *
 * @param weightDecay - $\lambda'$, as given (from JSON or the command line it may be anything)
 * @param field - how the message names it (`weightDecay`, `--weight-decay`)
 * @param Kind - the error to throw: a {@link numeric/errors!ValueError | ValueError} for an
 *   argument, a {@link numeric/errors!FormatError | FormatError} for a field of a document
 * @throws `Kind` with the message `<field> must be a finite number ≥ 0, got <value>`
 */
export function validateWeightDecay(
  weightDecay: unknown,
  field = "weightDecay",
  Kind: new (message: string) => BackpropRefError = ValueError,
): asserts weightDecay is number {
  if (!Number.isFinite(weightDecay) || (weightDecay as number) < 0) {
    throw new Kind(`${field} must be a finite number ≥ 0, got ${describeValue(weightDecay)}`);
  }
}

/**
 * The penalty: half the coefficient times the sum of the squares of every weight.
 *
 * $$P = \frac{\lambda'}{2} \sum_{l=1}^{L} \sum_{j,k} \left(w^{(l)}_{jk}\right)^2$$
 *
 * The squares are summed layer by layer, row by row, from zero, and the sum is multiplied by
 * $\lambda'/2$ once. No bias enters it.
 *
 * @param weights - $W^{(1)}, \dots, W^{(L)}$
 * @param weightDecay - $\lambda' \ge 0$
 * @returns $P$, $0$ for $\lambda' = 0$
 */
export function weightPenalty(weights: readonly Matrix[], weightDecay: number): number {
  let squares = 0;
  for (const matrix of weights) {
    const [rows, columns] = [matrix.shape[0]!, matrix.shape[1]!];
    for (let j = 0; j < rows; j++) {
      for (let k = 0; k < columns; k++) {
        const weight = matrix.get(j, k);
        squares += weight * weight;
      }
    }
  }
  return (weightDecay / 2) * squares;
}

/**
 * The loss with the penalty: $E = \frac1B \sum_b E_b + P$.
 *
 * @param batchLoss - $\frac1B \sum_b E_b$, the batch mean of the loss (from the forward pass)
 * @param weights - $W^{(1)}, \dots, W^{(L)}$, the weights that gave it
 * @param weightDecay - $\lambda' \ge 0$
 * @returns `batchLoss` itself for $\lambda' = 0$; otherwise `batchLoss` + {@link weightPenalty}
 */
export function lossWithWeightDecay(batchLoss: number, weights: readonly Matrix[], weightDecay: number): number {
  return weightDecay === 0 ? batchLoss : batchLoss + weightPenalty(weights, weightDecay);
}

/**
 * Step 5b — the penalty's share of the gradient: $\lambda' W$, added to step 5's batch mean.
 *
 * The weight $w^{(l)}_{jk}$ appears in the penalty in one square, so
 *
 * $$\frac{\partial}{\partial w^{(l)}_{jk}}\, \frac{\lambda'}{2} \sum_{l', j', k'} \left(w^{(l')}_{j'k'}\right)^2 = \lambda' w^{(l)}_{jk}
 *   \quad\Longrightarrow\quad
 *   \frac{\partial E}{\partial W^{(l)}} = \frac1B\, \delta^{(l)} o^{(l-1)\top} + \lambda' W^{(l)},
 *   \qquad \frac{\partial E}{\partial b^{(l)}} = \frac1B \sum_b \delta^{(l)}_{:,b} .$$
 *
 * Shapes: $\lambda' W^{(l)}$ is $n_l \times n_{l-1}$, the shape of the gradient it joins. Each
 * entry is computed as `gradient + λ' * weight` (the product rounded, then the sum), which the
 * fused training step repeats in the same order. The $\frac12$ of the penalty is there so that
 * the $2$ of the square's derivative cancels; a penalty $\lambda' \sum w^2$ would give
 * $2\lambda' W$.
 *
 * @param parameterGradients - step 5's gradients of the batch mean $\frac1B \sum_b E_b$
 * @param weights - $W^{(1)}, \dots, W^{(L)}$, the weights before the step
 * @param weightDecay - $\lambda' \ge 0$
 * @param into - arrays shaped like the weights to write the weights' gradients into (they may
 *   be `parameterGradients.weights` themselves); new ones if left out
 * @returns the gradients of $E$: the weights' with $\lambda' W$ added, the biases' the same
 *   arrays as before. For $\lambda' = 0$, `parameterGradients` itself, unchanged (nothing is
 *   added, so a $-0$ stays $-0$)
 * @throws {@link numeric/errors!ValueError | ValueError} for a $\lambda'$ that is negative or not finite
 */
export function weightDecayGradients(
  parameterGradients: ParameterArrays,
  weights: readonly Matrix[],
  weightDecay: number,
  into?: ParameterArrays,
): ParameterArrays {
  validateWeightDecay(weightDecay);
  if (weightDecay === 0) return parameterGradients;
  return {
    weights: parameterGradients.weights.map((gradient, index) =>
      addedMultiple(gradient, weights[index]!, weightDecay, into?.weights[index]),
    ),
    biases: parameterGradients.biases,
  };
}

/**
 * Nielsen's regularisation parameter $\lambda$, whose penalty $\frac{\lambda}{2n} \sum w^2$ is
 * over a training set of $n$ samples, as the coefficient $\lambda'$ of one step's loss.
 *
 * $$\lambda' = \frac{\lambda}{n}$$
 *
 * @param lambda - $\lambda \ge 0$, as `train --weight-decay` takes it
 * @param trainingSamples - $n \ge 1$, the number of training samples
 * @returns $\lambda'$ (Nielsen's $\lambda = 5$ and $n = 50{,}000$ give $10^{-4}$)
 * @throws {@link numeric/errors!ValueError | ValueError} for a $\lambda$ that is negative or not finite
 */
export function stepWeightDecay(lambda: number, trainingSamples: number): number {
  validateWeightDecay(lambda);
  return lambda / trainingSamples;
}
