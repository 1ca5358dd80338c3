/**
 * A learning rate that decays by a constant factor after each epoch: epoch $e$ steps with
 *
 * $$\eta_e = \eta\, \gamma^{\,e-1}, \qquad 0 < \gamma \le 1,$$
 *
 * computed as $\eta_1 = \eta$, $\eta_{e+1} = \eta_e \gamma$, one rounded product per epoch, so
 * that the same options give the same rates bit for bit on every machine.
 *
 * Why decay: a stochastic step at a fixed $\eta$ never settles. Near a minimum each step still
 * moves by $\eta$ times the noise of its batch's gradient, so the weights wander in a region
 * whose size grows with $\eta$; a smaller $\eta$ late in training lets them settle nearer the
 * minimum, while a large one early covers the distance fast. LeCun et al. (1998) train their
 * MNIST networks with a decreasing rate for this reason. At $\gamma = 1$ (the default) the rate is
 * constant, the seed's plain gradient descent.
 *
 * @module
 */
import { describeValue, ValueError } from "../numeric/errors.js";

/**
 * The rule for the decay factor $\gamma$: a number in $(0, 1]$. At $\gamma = 1$ the rate stays
 * $\eta$; $\gamma = 0$ would stop training after the first epoch, and $\gamma > 1$ would grow the
 * rate until the steps diverge.
 *
 * @param decay - $\gamma$, as given
 * @param field - how the message names it (`learningRateDecay`, `--lr-decay`)
 * @throws {@link numeric/errors!ValueError | ValueError} `<field> must be a number in (0, 1], got <value>`
 */
export function validateLearningRateDecay(decay: number, field = "learningRateDecay"): void {
  if (!Number.isFinite(decay) || decay <= 0 || decay > 1) {
    throw new ValueError(`${field} must be a number in (0, 1], got ${describeValue(decay)}`);
  }
}

/**
 * The learning rate of each epoch, $\eta_e = \eta\,\gamma^{e-1}$ for $e = 1, \dots,$ `epochs`,
 * each the previous one times $\gamma$ (rounded once per epoch).
 *
 * @param learningRate - $\eta$, the first epoch's rate
 * @param decay - $\gamma \in (0, 1]$
 * @param epochs - how many epochs
 */
export function epochLearningRates(learningRate: number, decay: number, epochs: number): number[] {
  const rates: number[] = [];
  for (let epoch = 1, rate = learningRate; epoch <= epochs; epoch++, rate *= decay) rates.push(rate);
  return rates;
}
