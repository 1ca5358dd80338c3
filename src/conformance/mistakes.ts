/**
 * Deliberately wrong backpropagations: the classic mistakes, computed so that `verify` (and
 * `fuzz`) can say which one another implementation makes, and so that the conformance vectors
 * can carry them as known-wrong expectations.
 *
 * **Nothing here is a gradient.** Each mistake reproduces one wrong computation on purpose; the
 * exact rule is {@link model/backprop!trainingStep | trainingStep}. The catalogue (names, what
 * is wrong, how it arises, how to fix it) is {@link conformance/mistake-catalogue!mistakeCatalogue | mistakeCatalogue},
 * re-exported here; the wrong backward passes are in the `mistaken-gradients` module. In the
 * order `verify` tries them:
 *
 * 1. `intuitive-rule` — the seed's rule (see the `intuitive` module): hidden errors
 *    $e^{(l)} = W^{(l+1)\top} e^{(l+1)}$ without the next layer's $f'$, and
 *    $-\left(e^{(l)} \odot f_l'(z^{(l)})\right)$ in place of $\delta^{(l)}$ at every layer, whatever the loss.
 * 2. `missing-derivative` — the hidden deltas leave out their own layer's derivative:
 *    $\delta^{(l)} = W^{(l+1)\top} \delta^{(l+1)}$ instead of $\left(W^{(l+1)\top} \delta^{(l+1)}\right) \odot f_l'(z^{(l)})$.
 * 3. `derivative-at-output` — $f_l'$ evaluated at the layer's output instead of its weighted
 *    sum, $-e^{(l)} \odot f_l'(o^{(l)})$ instead of $-e^{(l)} \odot f_l'(z^{(l)})$, wherever the
 *    exact pass multiplies by $f'$.
 * 4. `transposed-hidden-error` — the hidden error sent back through $W^{(l+1)}$ instead of its
 *    transpose: $e^{(l)} = -W^{(l+1)} \delta^{(l+1)}$, which exists only for square matrices.
 * 5. `transposed-weights` — every weight-shaped matrix of the result (gradients, delta weights,
 *    updated weights) written $n_{l-1} \times n_l$, as $\partial E / \partial W^{(l)\top}$: the
 *    mistake of an implementation that stores `weights[l-1][k][j]` for $w^{(l)}_{jk}$.
 * 6. `batch-sum` — the batch gradient is the sum over the samples instead of their mean,
 *    $\delta^{(l)} o^{(l-1)\top}$ instead of $\frac1B \delta^{(l)} o^{(l-1)\top}$ (the loss is
 *    still the mean).
 * 7. `bias-sum` — only the bias gradients are sums, $\sum_b \delta^{(l)}_{:,b}$ instead of
 *    $\frac1B \sum_b \delta^{(l)}_{:,b}$; the weight gradients are means.
 * 8. `weights-updated-early` — each layer updated before its error is sent back through it:
 *    $e^{(l)} = -\left(W^{(l+1)} + \Delta W^{(l+1)}\right)^\top \delta^{(l+1)}$, from the output down.
 * 9. `softmax-jacobian-twice` — with softmax and cross-entropy, the Jacobian applied to the
 *    fused delta: $\delta^{(L)} = J^\top\left(o \sum_k t_k - t\right)$ instead of $o \sum_k t_k - t$.
 * 10. `sign-flipped` — the gradients' sign flipped, so the step climbs: gradients
 *     $-\partial E / \partial W$, delta weights $+\eta\, \partial E / \partial W$.
 * 11. `learning-rate-twice` — $\Delta W = -\eta^2 \partial E / \partial W$, the gradients exact.
 * 12. `learning-rate-missing` — $\Delta W = -\partial E / \partial W$, the gradients exact.
 *
 * The mistakes of the weight decay, for a case with a penalty $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$
 * ($\lambda'$ its `weightDecay`, see {@link model/weight-decay | weight-decay}), with $g$ the gradient of the batch mean:
 *
 * 13. `weight-decay-ignored` — the result of the case without its weight decay: no penalty in
 *     the loss, gradients $g$, delta weights $-\eta g$.
 * 14. `decayed-biases` — the biases decayed too: the loss gains $\frac{\lambda'}{2} \sum_l \lVert b^{(l)} \rVert^2$,
 *     the bias gradients $\lambda' b^{(l)}$.
 * 15. `decay-without-learning-rate` — $\Delta W = -\eta g - \lambda' W$ instead of
 *     $-\eta (g + \lambda' W)$; the gradients and the loss right.
 * 16. `penalty-left-out-of-loss` — the loss without the penalty; the gradients and the step right.
 * 17. `penalty-without-half` — the penalty $\lambda' \sum_l \lVert W^{(l)} \rVert_F^2$ without its $\frac12$,
 *     gradients $g + 2\lambda' W$: the result of the case with $2\lambda'$.
 *
 * On a case with weight decay, the first twelve are made on the batch mean and the penalty's
 * $\lambda' W$ is added to their gradients as the reference adds it (a mistake of the backward
 * pass does not change the derivative of a square), and their step is $-\eta$ times that.
 *
 * Every mistake but the first and the last two of the weight decay leaves the loss alone, and
 * every mistake leaves the forward pass alone, so its `outputs` are the reference's, and its
 * `updated` is $W + \Delta W$ of its own delta weights.
 *
 * **When two mistakes give the same result.** On general numbers every mistake's result differs
 * from every other's where both apply; particular numbers can make two agree (a gradient of
 * exactly zero hides the sign, the batch and the learning rate alike), and `verify` then names
 * the first in the order above.
 *
 * @module
 */
import { backpropagate, deltaWeights, updatedNetwork } from "../model/backprop.js";
import { weightDecayGradients } from "../model/weight-decay.js";
import { intuitiveRuleApplies } from "../model/intuitive.js";
import { depth, type ParameterArrays } from "../model/network.js";
import { addedMultiple, dimensions, type Matrix, type Vector } from "../numeric/tensor.js";
import { caseResult, parameterDocument, type ParameterDocument, type Problem, type ResultDocument } from "./case-format.js";
import { type MistakeName, weightDecayMistakeNames } from "./mistake-catalogue.js";
import { layersMultipliedBySlope, mistakenGradients, weightsUpdatedEarlyGradients } from "./mistaken-gradients.js";

export {
  mistakeNames,
  type MistakeName,
  type MistakeEntry,
  mistakeCatalogue,
  mistakeDescriptions,
  weightDecayMistakeNames,
} from "./mistake-catalogue.js";
export { type GradientMistakeName, mistakenGradients, weightsUpdatedEarlyGradients } from "./mistaken-gradients.js";

/** The activations whose slope at the output differs from their slope at the weighted sum (see `derivative-at-output`). */
const slopeDependsOnPlace: readonly string[] = ["sigmoid", "tanh", "softplus"];

/**
 * Whether a mistake can be made on a case and gives a result different from the reference, for
 * general numbers of the case's shape. Where it does not apply for one of the reasons below, the
 * mistake's computation gives the reference result (or, for `intuitive-rule` and
 * `transposed-hidden-error`, cannot be carried out).
 *
 * - Every mistake but `transposed-weights`: not with a one-unit softmax output, which is the
 *   constant $1$, so that every gradient is $0$.
 * - `intuitive-rule`: element-wise activations (see
 *   {@link model/intuitive!intuitiveRuleApplies | intuitiveRuleApplies}), and a loss other than
 *   squared error or a layer above the first that is not `identity` (the rule leaves out the
 *   slopes $f_l'$ of layers $2, \dots, L$, and an identity's slope is $1$).
 * - `missing-derivative`: a hidden layer that is not `identity`.
 * - `derivative-at-output`: a `sigmoid`, `tanh` or `softplus` layer among the layers whose
 *   delta is multiplied by $f'$ (see {@link conformance/mistaken-gradients!layersMultipliedBySlope | layersMultipliedBySlope});
 *   for `relu`, `leaky_relu` and `identity` $f'(o) = f'(z)$, since $o$ has the sign of $z$.
 * - `transposed-hidden-error`: a hidden layer, every hidden layer's next matrix $W^{(l+1)}$
 *   square (so that the mistaken product exists: $n_1 = n_2 = \dots = n_L$), and one of them
 *   not symmetric.
 * - `transposed-weights`: a weight matrix that is not $1 \times 1$.
 * - `batch-sum`: more than one sample; `bias-sum`: biases and more than one sample.
 * - `weights-updated-early`: a hidden layer and $\eta > 0$.
 * - `softmax-jacobian-twice`: a softmax output of more than one unit with cross-entropy.
 * - `sign-flipped`: always.
 * - `learning-rate-twice`: $\eta \notin \lbrace 0, 1 \rbrace$; `learning-rate-missing`: $\eta \ne 1$.
 * - The mistakes of the weight decay: $\lambda' > 0$; `decayed-biases` also biases, and
 *   `decay-without-learning-rate` also $\eta \ne 1$.
 *
 * A mistake that applies can still agree with the reference on particular numbers: a gradient
 * of exactly zero, inputs of zero, a `relu` layer whose units are all on (it acts as `identity`)
 * or all off (it sends back an error of $0$), a `leaky_relu` layer whose units are all on. The
 * comparison decides.
 *
 * @param name - the mistake
 * @param problem - the case
 */
export function mistakeApplies(name: MistakeName, problem: Problem): boolean {
  const { network, inputs, learningRate, weightDecay } = problem;
  const { spec } = network;
  const L = depth(spec);
  const samples = inputs.shape[1]!;
  if ((weightDecayMistakeNames as readonly MistakeName[]).includes(name)) {
    const applies = weightDecay > 0 && (name !== "decayed-biases" || network.biases !== null);
    return applies && (name !== "decay-without-learning-rate" || learningRate !== 1);
  }
  if (name !== "transposed-weights" && spec.activations[L - 1] === "softmax" && spec.sizes[L] === 1) return false;
  const notIdentity = (layer: number): boolean => spec.activations[layer - 1] !== "identity";
  const layers = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
  switch (name) {
    case "intuitive-rule":
      return intuitiveRuleApplies(spec) && (spec.loss !== "squared_error" || layers(2, L).some(notIdentity));
    case "missing-derivative":
      return layers(1, L - 1).some(notIdentity);
    case "derivative-at-output":
      return layersMultipliedBySlope(spec).some((layer) => slopeDependsOnPlace.includes(spec.activations[layer - 1]!));
    case "transposed-hidden-error": {
      const next = network.weights.slice(1);
      return next.length > 0 && next.every(isSquare) && !next.every(isSymmetric);
    }
    case "transposed-weights":
      return spec.sizes.some((size, index) => index > 0 && (size !== 1 || spec.sizes[index - 1] !== 1));
    case "batch-sum":
      return samples > 1;
    case "bias-sum":
      return network.biases !== null && samples > 1;
    case "weights-updated-early":
      return L > 1 && learningRate > 0;
    case "softmax-jacobian-twice":
      return spec.loss === "cross_entropy";
    case "sign-flipped":
      return true;
    case "learning-rate-twice":
      return learningRate !== 0 && learningRate !== 1;
    case "learning-rate-missing":
      return learningRate !== 1;
    default:
      return false;
  }
}

function isSquare(matrix: Matrix): boolean {
  const [rows, columns] = dimensions(matrix);
  return rows === columns;
}

function isSymmetric(matrix: Matrix): boolean {
  const [rows] = dimensions(matrix);
  for (let j = 0; j < rows; j++) for (let k = 0; k < j; k++) if (matrix.get(j, k) !== matrix.get(k, j)) return false;
  return true;
}

/**
 * The result a mistaken implementation would give for a case, in the result format: the
 * reference's `outputs`, the mistake's loss (the reference's but for the mistakes of the
 * weight decay that change it), gradients and delta weights, and $W + \Delta W$ of those delta weights.
 *
 * @param name - the mistake to make
 * @param problem - the case
 * @throws {@link numeric/errors!SpecError | SpecError} for the intuitive rule on a `softmax` network, which it cannot handle
 * @throws {@link numeric/errors!ShapeError | ShapeError} for `transposed-hidden-error` on a network with a hidden layer
 *   whose next weight matrix is not square, where the mistaken product does not exist
 * @throws {@link numeric/errors!NumericError | NumericError} when the reference computation overflows float64
 */
export function mistakenResult(name: MistakeName, problem: Problem): ResultDocument {
  const reference = caseResult(problem);
  switch (name) {
    case "transposed-weights":
      return transposedLayout(reference);
    case "weight-decay-ignored":
      return caseResult({ ...problem, weightDecay: 0 });
    case "penalty-without-half":
      // λ' Σ w² is the penalty of the coefficient 2λ': its loss, and the gradient g + 2λ'W.
      return caseResult({ ...problem, weightDecay: 2 * problem.weightDecay });
    case "penalty-left-out-of-loss":
      return { ...reference, loss: caseResult({ ...problem, weightDecay: 0 }).loss };
    default: {
      const { gradients, deltaWeights: steps, loss } = mistakenStep(name, problem);
      return {
        ...reference,
        ...(loss === undefined ? {} : { loss }),
        gradients: parameterDocument(gradients),
        deltaWeights: parameterDocument(steps),
        updated: parameterDocument(updatedNetwork(problem.network, steps)),
      };
    }
  }
}

/**
 * The gradients and delta weights of every mistake but those whose result is another case's
 * (or the reference's in another layout), and the loss of those that change it. For the
 * mistakes of the gradients, $\Delta W = -\eta\, G$ of their gradients $G$ (step 6 as usual),
 * each with the penalty's $\lambda' W$ added to the weights' (step 5b as usual); the mistakes of
 * the step keep the exact gradients $\partial E / \partial W$ and scale them wrongly:
 *
 * $$\text{learning-rate-twice: } \Delta W = -\eta^2 \frac{\partial E}{\partial W}, \qquad
 *   \text{learning-rate-missing: } \Delta W = -\frac{\partial E}{\partial W}, \qquad
 *   \text{decay-without-learning-rate: } \Delta W = -\eta\, g - \lambda' W.$$
 *
 * `decayed-biases` decays the biases as the weights: $\partial E / \partial b + \lambda' b$, and
 * the loss gains $\frac{\lambda'}{2} \sum_l \lVert b^{(l)} \rVert^2$.
 */
function mistakenStep(
  name: Exclude<MistakeName, "transposed-weights" | "weight-decay-ignored" | "penalty-without-half" | "penalty-left-out-of-loss">,
  problem: Problem,
): { gradients: ParameterArrays; deltaWeights: ParameterArrays; loss?: number } {
  const { network, inputs, targets, learningRate, weightDecay } = problem;
  const decayed = (gradients: ParameterArrays): ParameterArrays => weightDecayGradients(gradients, network.weights, weightDecay);
  switch (name) {
    case "weights-updated-early": {
      const gradients = decayed(weightsUpdatedEarlyGradients(network, inputs, targets, learningRate, weightDecay));
      return { gradients, deltaWeights: deltaWeights(gradients, learningRate) };
    }
    case "learning-rate-twice": {
      const { gradients } = backpropagate(network, inputs, targets, undefined, weightDecay);
      return { gradients, deltaWeights: deltaWeights(gradients, learningRate * learningRate) };
    }
    case "learning-rate-missing": {
      const { gradients } = backpropagate(network, inputs, targets, undefined, weightDecay);
      return { gradients, deltaWeights: deltaWeights(gradients, 1) };
    }
    case "decay-without-learning-rate": {
      const { gradients: batchMean } = backpropagate(network, inputs, targets);
      const dataStep = deltaWeights(batchMean, learningRate);
      return {
        gradients: decayed(batchMean),
        deltaWeights: {
          weights: dataStep.weights.map((step, index) => addedMultiple(step, network.weights[index]!, -weightDecay)),
          biases: dataStep.biases,
        },
      };
    }
    case "decayed-biases": {
      const { gradients: exact } = backpropagate(network, inputs, targets, undefined, weightDecay);
      // Without biases there is nothing more to decay: the exact step.
      const biases = network.biases;
      if (biases === null) return { gradients: exact, deltaWeights: deltaWeights(exact, learningRate) };
      const gradients = {
        weights: exact.weights,
        biases: exact.biases!.map((gradient, index) => addedMultiple(gradient, biases[index]!, weightDecay)),
      };
      const loss = caseResult(problem).loss + biasPenalty(biases, weightDecay);
      return { gradients, deltaWeights: deltaWeights(gradients, learningRate), loss };
    }
    default: {
      const gradients = decayed(mistakenGradients(name, network, inputs, targets));
      return { gradients, deltaWeights: deltaWeights(gradients, learningRate) };
    }
  }
}

/** The penalty `decayed-biases` adds for the biases: $\frac{\lambda'}{2} \sum_l \sum_j \left(b^{(l)}_j\right)^2$. */
function biasPenalty(biases: readonly Vector[], weightDecay: number): number {
  let squares = 0;
  for (const bias of biases) for (let j = 0; j < bias.shape[0]!; j++) squares += bias.get(j) * bias.get(j);
  return (weightDecay / 2) * squares;
}

/**
 * A result with every weight-shaped matrix (gradients, delta weights, updated weights) written
 * $n_{l-1} \times n_l$, as the `transposed-weights` mistake writes them; the loss, the outputs
 * and the biases stay. Also how the allowances of a float32 comparison move with the numbers
 * they allow for.
 *
 * @param result - a result, or allowances shaped like one
 */
export function transposedLayout(result: ResultDocument): ResultDocument {
  const transpose = (document: ParameterDocument): ParameterDocument => ({
    weights: document.weights.map((rows) => rows[0]!.map((_, k) => rows.map((row) => row[k]!))),
    biases: document.biases,
  });
  return {
    ...result,
    gradients: transpose(result.gradients),
    deltaWeights: transpose(result.deltaWeights),
    updated: transpose(result.updated),
  };
}
