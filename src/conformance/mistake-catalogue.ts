/**
 * The catalogue of known mistakes, in words: their names in the order `verify` tries them, and
 * for each one what is wrong, how it typically arises in code and how to fix it. The
 * computations are in the `mistakes` module (which re-exports everything here) and in
 * `mistaken-gradients`.
 *
 * A summary is one line of plain text, as `verify` prints it after "matches the known mistake";
 * the conformance vectors quote the summaries of the four mistakes they carry, so those four
 * never change.
 *
 * @module
 */

/**
 * The mistakes of the weight decay, in the order `verify` tries them: they apply only to a
 * `backprop-ref/case@2` whose `weightDecay` is not $0$, so an engine that sends `case@1`
 * documents only (the fuzzer's protocol) cannot meet them.
 */
export const weightDecayMistakeNames = [
  "weight-decay-ignored",
  "decayed-biases",
  "decay-without-learning-rate",
  "penalty-left-out-of-loss",
  "penalty-without-half",
] as const;

/**
 * The names of the known mistakes, in the order `verify` tries them: first the mistakes of the
 * backward pass, from the output down (the seed's rule, then one wrong step at a time), then
 * the layout of the result, the batch, the order of the updates, the softmax output, the step
 * itself, and last the weight decay of a `case@2` (which apply only where its `weightDecay` is
 * not $0$).
 */
export const mistakeNames = [
  "intuitive-rule",
  "missing-derivative",
  "derivative-at-output",
  "transposed-hidden-error",
  "transposed-weights",
  "batch-sum",
  "bias-sum",
  "weights-updated-early",
  "softmax-jacobian-twice",
  "sign-flipped",
  "learning-rate-twice",
  "learning-rate-missing",
  ...weightDecayMistakeNames,
] as const;

/** One of {@link mistakeNames}. */
export type MistakeName = (typeof mistakeNames)[number];

/** What the catalogue says about one mistake. */
export interface MistakeEntry {
  /** What is wrong, in one line of plain text: what `verify` prints, and {@link mistakeDescriptions} holds. */
  readonly summary: string;
  /** How the mistake typically arises in code, in one sentence. */
  readonly arises: string;
  /** How to fix it, in one sentence. */
  readonly fix: string;
}

/** Every known mistake: what is wrong, how it arises and how to fix it. */
export const mistakeCatalogue: Readonly<Record<MistakeName, MistakeEntry>> = {
  "intuitive-rule": {
    summary:
      "the seed's intuitive rule: hidden errors W^T e without the next layer's f', and -(e * f') as the delta at every layer whatever the loss",
    arises:
      "Following the intuitive explanation of backpropagation (Make Your Own Neural Network), the output error is split back along the weights as W^T e before the next layer's slope f' has scaled it, and e * f' stands for the delta whatever the loss.",
    fix: "Send back the delta, not the error: e^(l) = -W^(l+1)T delta^(l+1), with delta^(L) from the loss (-e * f'(z) for squared error, o - t for the cross-entropies).",
  },
  "missing-derivative": {
    summary: "the hidden deltas leave out their layer's activation derivative f'(z)",
    arises:
      "The error sent back through the weights, W^T delta, is used as the hidden delta itself, and the multiplication by the layer's own f'(z) is forgotten (identity layers, whose f' is 1, hide it).",
    fix: "Multiply each hidden error by its own layer's slope: delta^(l) = (W^(l+1)T delta^(l+1)) * f'(z^(l)).",
  },
  "derivative-at-output": {
    summary: "the activation derivative is evaluated at the layer's output instead of its weighted sum: f'(o) where f'(z) is meant",
    arises:
      "A derivative written for the weighted sum, sigmoid'(z) = sigma(z)(1 - sigma(z)), is called with the output o kept from the forward pass, mixed up with its form in terms of the output, o(1 - o).",
    fix: "Evaluate f' at z, or use the derivative's form in terms of the output with o (o(1 - o) for sigmoid, 1 - o^2 for tanh), never one form with the other's argument.",
  },
  "transposed-hidden-error": {
    summary: "the hidden error is sent back through W instead of its transpose W^T",
    arises:
      "The product W delta is written where W^T delta is meant; it runs only when W is square (any other shape is a shape error), so networks of equal widths hide it.",
    fix: "Send the error back through the transpose: e^(l) = -W^(l+1)T delta^(l+1), which maps the n_(l+1) x B deltas to n_l x B.",
  },
  "transposed-weights": {
    summary: "every weight matrix of the result is transposed (n_{l-1} x n_l instead of n_l x n_{l-1})",
    arises:
      "The weights are stored input by output, weights[l-1][k][j] for w_jk, so every matrix written out is the transpose of the format's.",
    fix: "Write W^(l) with one row per unit of layer l (n_l rows of n_(l-1) numbers), or transpose when reading and writing the JSON.",
  },
  "batch-sum": {
    summary: "the batch gradient is the sum over the samples instead of their mean",
    arises: "The per-sample gradients are accumulated over the batch and the division by the batch size B is forgotten.",
    fix: "Divide the accumulated gradients by B: the batch loss is the mean of the samples' losses, and so is its gradient.",
  },
  "bias-sum": {
    summary: "the bias gradients are summed over the samples while the weight gradients are averaged",
    arises:
      "The bias gradient is summed over the batch on its own, beside the weight gradient delta o^T / B, and only the weight gradient is divided by B.",
    fix: "Average the bias gradients too: dE/db^(l) = (1/B) sum_b delta^(l)_b, the mean of the delta's columns.",
  },
  "weights-updated-early": {
    summary: "each layer's weights are updated before its error is sent back through them",
    arises:
      "Each layer is updated as soon as its gradient is known, inside the backward loop, so the layer below receives its error through the new weights W - eta dE/dW.",
    fix: "Send every error back through the weights of the forward pass: compute all the gradients first and update afterwards, or keep the old weights for the backward pass.",
  },
  "softmax-jacobian-twice": {
    summary: "the softmax Jacobian is applied again to the fused softmax and cross-entropy output delta o sum(t) - t",
    arises:
      "A softmax layer's backward step (its Jacobian) is applied to the output delta o - t of the cross-entropy, which already includes it, as if o - t were the gradient with respect to the outputs.",
    fix: "Use o sum(t) - t (o - t for one-hot targets) as the output delta itself, or pass -t / o, the gradient with respect to the outputs, through the Jacobian: one or the other, not both.",
  },
  "sign-flipped": {
    summary: "the gradients have the wrong sign, so the step climbs the loss: delta weights +eta g instead of -eta g",
    arises:
      "The output error t - o is used where the gradient of the loss, o - t, is meant (or a step already negated is subtracted again), so every gradient changes sign.",
    fix: "Backpropagate the gradient of the loss, delta = dE/dz (o - t times f'(z) at a squared-error output), and step against it: delta W = -eta dE/dW.",
  },
  "learning-rate-twice": {
    summary: "the learning rate is applied twice: delta weights -eta^2 g instead of -eta g",
    arises: "The delta weights are scaled by the learning rate, and the update scales them by it again, W + eta delta W.",
    fix: "Apply the learning rate once: delta W = -eta dE/dW, then W + delta W.",
  },
  "learning-rate-missing": {
    summary: "the learning rate is left out: delta weights -g instead of -eta g",
    arises: "The update adds the negated gradient itself, W - dE/dW, with the learning rate multiplied in nowhere.",
    fix: "Scale the step by the learning rate: delta W = -eta dE/dW.",
  },
  "weight-decay-ignored": {
    summary: "the weight decay is left out altogether: the loss, gradients and step of the case without its weightDecay",
    arises:
      "An implementation that reads the fields of backprop-ref/case@1 skips the weightDecay of a case@2 (or has no weight decay), and answers for the loss without its penalty.",
    fix: "Add the penalty (weightDecay/2) sum of W^2 to the loss and weightDecay * W to each weight's gradient, then step by -eta times the whole gradient.",
  },
  "decayed-biases": {
    summary: "the biases are decayed too: the penalty sums their squares as well, and their gradients gain weightDecay * b",
    arises: "The penalty is written over every parameter, or the decay is applied to every array of the update, the biases among them.",
    fix: "Decay the weights only: the penalty is (weightDecay/2) sum of W^2 over the weight matrices, and the bias gradients are the batch means alone.",
  },
  "decay-without-learning-rate": {
    summary:
      "the weight decay is not scaled by the learning rate: delta W = -eta g - weightDecay * W instead of -eta (g + weightDecay * W)",
    arises:
      "The decay is applied as its own shrink of the weights, W - weightDecay * W, beside the step -eta g, instead of as part of the gradient.",
    fix: "Add weightDecay * W to the gradient and scale the whole by the learning rate: W <- (1 - eta weightDecay) W - eta g.",
  },
  "penalty-left-out-of-loss": {
    summary: "the reported loss leaves out the weight-decay penalty; the gradients and the step include it",
    arises: "The decay is added to the gradient (or the update) only, and the loss reported is the batch mean of the data's losses.",
    fix: "Report the loss that the gradient is the gradient of: the batch mean plus (weightDecay/2) sum of W^2.",
  },
  "penalty-without-half": {
    summary: "the penalty is written without its 1/2: weightDecay * sum of W^2 in the loss and 2 weightDecay * W in the gradients",
    arises:
      "The penalty is taken as weightDecay times the sum of squares, and its derivative as 2 weightDecay * W, where the coefficient of the format multiplies half of it.",
    fix: "The penalty is (weightDecay/2) sum of W^2, so that its gradient is weightDecay * W.",
  },
};

/** The {@link mistakeCatalogue}'s summaries: one line per mistake, as `verify` and the vector files print it. */
export const mistakeDescriptions: Readonly<Record<MistakeName, string>> = Object.fromEntries(
  mistakeNames.map((name) => [name, mistakeCatalogue[name].summary]),
) as Record<MistakeName, string>;
