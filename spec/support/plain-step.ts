/**
 * One step of gradient descent in plain arrays, written apart from the library (it imports
 * types only), with the mistakes of the catalogue that change numbers as options: the second
 * computation against which the mistakes laws check that the library makes each mistake as its
 * catalogue entry says, and not some other wrong computation.
 *
 * Samples are rows, as in the JSON documents; every quantity is computed layer by layer over the
 * whole batch, the way the formulas read. It covers element-wise activations with squared error
 * and softmax with cross-entropy, biases on or off, and a case's weight decay $c$ (its
 * `weightDecay`): the loss plus $\frac{c}{2} \sum w^2$ over the weights, their gradients plus $c w$.
 */
import type { CaseDocument, ResultDocument } from "../../src/conformance/case-format.js";

/** The mistakes this computation can make, and `none` for the exact step. */
export const plainMistakes = [
  "none",
  "missing-derivative",
  "derivative-at-output",
  "transposed-hidden-error",
  "batch-sum",
  "bias-sum",
  "weights-updated-early",
  "softmax-jacobian-twice",
  "sign-flipped",
  "learning-rate-twice",
  "learning-rate-missing",
  "weight-decay-ignored",
  "decayed-biases",
  "decay-without-learning-rate",
  "penalty-left-out-of-loss",
  "penalty-without-half",
] as const;

/** One of {@link plainMistakes}. */
export type PlainMistake = (typeof plainMistakes)[number];

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Each element-wise activation and its slope, written out again. */
const plainActivations: Record<string, { value: (z: number) => number; slope: (z: number) => number }> = {
  sigmoid: { value: sigmoid, slope: (z) => Math.exp(-Math.abs(z)) / (1 + Math.exp(-Math.abs(z))) ** 2 },
  tanh: { value: Math.tanh, slope: (z) => 1 / Math.cosh(z) ** 2 },
  relu: { value: (z) => (z > 0 ? z : 0), slope: (z) => (z > 0 ? 1 : 0) },
  leaky_relu: { value: (z) => (z > 0 ? z : 0.01 * z), slope: (z) => (z > 0 ? 1 : 0.01) },
  softplus: { value: (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), slope: sigmoid },
  identity: { value: (z) => z, slope: () => 1 },
};

type Rows = number[][];

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/**
 * The result of one step on `document`, made with `mistake`: loss, outputs, gradients, delta
 * weights and updated parameters, shaped as in `backprop-ref/result@1`.
 *
 * @param document - a case with element-wise activations and squared error, or a softmax output with cross-entropy
 * @param mistake - the mistake to make, or `none`
 */
export function plainStep(document: CaseDocument, mistake: PlainMistake): Omit<ResultDocument, "format" | "id"> {
  const { weights, biases, inputs, targets, activations, loss } = document;
  const eta = document.learningRate;
  const decay = mistake === "weight-decay-ignored" ? 0 : (document.weightDecay ?? 0);
  // The coefficient of the penalty's gradient c w, and of the penalty in the loss (c/2) sum w^2.
  const gradientDecay = mistake === "penalty-without-half" ? 2 * decay : decay;
  const lossDecay = mistake === "penalty-left-out-of-loss" ? 0 : mistake === "penalty-without-half" ? 2 * decay : decay;
  const biasDecay = mistake === "decayed-biases" ? decay : 0;
  const L = weights.length;
  const B = inputs.length;
  const crossEntropy = loss === "cross_entropy";
  if (!crossEntropy && loss !== "squared_error") throw new Error(`plainStep has no ${loss}`);
  // sums[l][b][j] is z^(l+1) of sample b, outputs[l][b][j] is o^(l).
  const sums: Rows[] = [];
  const outputs: Rows[] = [inputs.map((row) => [...row])];
  for (let l = 0; l < L; l++) {
    const z = outputs[l]!.map((o) => weights[l]!.map((row, j) => sum(row.map((w, k) => w * o[k]!)) + (biases?.[l]![j] ?? 0)));
    sums.push(z);
    const activation = activations[l]!;
    if (activation === "softmax") {
      outputs.push(
        z.map((column) => {
          const largest = Math.max(...column);
          const exponentials = column.map((entry) => Math.exp(entry - largest));
          return exponentials.map((entry) => entry / sum(exponentials));
        }),
      );
    } else {
      outputs.push(z.map((column) => column.map(plainActivations[activation]!.value)));
    }
  }
  const o = outputs[L]!;
  const sampleLosses = o.map((column, b) =>
    crossEntropy
      ? -sum(
          column.map((_, k) => {
            const z = sums[L - 1]![b]!;
            const largest = Math.max(...z);
            return targets[b]![k]! * (z[k]! - largest - Math.log(sum(z.map((entry) => Math.exp(entry - largest)))));
          }),
        )
      : sum(column.map((entry, k) => 0.5 * (targets[b]![k]! - entry) ** 2)),
  );
  // The slope of layer l + 1 of sample b, unit j: at z, or at o for derivative-at-output.
  const slope = (l: number, b: number, j: number): number =>
    plainActivations[activations[l]!]!.slope(mistake === "derivative-at-output" ? outputs[l + 1]![b]![j]! : sums[l]![b]![j]!);

  const deltas: Rows[] = new Array<Rows>(L);
  deltas[L - 1] = o.map((column, b) => {
    if (!crossEntropy) return column.map((entry, j) => -(targets[b]![j]! - entry) * slope(L - 1, b, j));
    const fused = column.map((entry, i) => entry * sum(targets[b]!) - targets[b]![i]!);
    if (mistake !== "softmax-jacobian-twice") return fused;
    // J^T d with J_ij = o_i (delta_ij - o_j): o_i (d_i - sum_j o_j d_j).
    const mean = sum(column.map((entry, j) => entry * fused[j]!));
    return column.map((entry, i) => entry * (fused[i]! - mean));
  });
  const weightDivisor = mistake === "batch-sum" ? 1 : B;
  const biasDivisor = mistake === "batch-sum" || mistake === "bias-sum" ? 1 : B;
  const weightGradient = (l: number): Rows =>
    weights[l]!.map((row, j) => row.map((_, k) => sum(deltas[l]!.map((delta, b) => delta[j]! * outputs[l]![b]![k]!)) / weightDivisor));
  for (let l = L - 2; l >= 0; l--) {
    // Layer l + 2's weights, W^(l+2) in the notation, as the error goes back through them.
    const next = weights[l + 1]!;
    const back =
      mistake === "weights-updated-early"
        ? weightGradient(l + 1).map((row, j) => row.map((gradient, k) => next[j]![k]! - eta * (gradient + gradientDecay * next[j]![k]!)))
        : next;
    deltas[l] = deltas[l + 1]!.map((delta, b) =>
      outputs[l + 1]![b]!.map((_, k) => {
        const error = -sum(delta.map((entry, j) => (mistake === "transposed-hidden-error" ? back[k]![j]! : back[j]![k]!) * entry));
        return mistake === "missing-derivative" ? -error : -error * slope(l, b, k);
      }),
    );
  }
  const sign = mistake === "sign-flipped" ? -1 : 1;
  const gradients = {
    weights: weights.map((matrix, l) =>
      weightGradient(l).map((row, j) => row.map((entry, k) => sign * entry + gradientDecay * matrix[j]![k]!)),
    ),
    biases:
      biases === null
        ? null
        : biases.map((bias, l) => bias.map((b, j) => (sign * sum(deltas[l]!.map((delta) => delta[j]!))) / biasDivisor + biasDecay * b)),
  };
  const rate = mistake === "learning-rate-twice" ? eta * eta : mistake === "learning-rate-missing" ? 1 : eta;
  const deltaWeights = {
    weights: gradients.weights.map((matrix, l) =>
      matrix.map((row, j) =>
        row.map((entry, k) =>
          // The decay as a shrink of its own, beside the step of the data: -eta (g - c w) - c w.
          mistake === "decay-without-learning-rate"
            ? -rate * (entry - decay * weights[l]![j]![k]!) - decay * weights[l]![j]![k]!
            : -rate * entry,
        ),
      ),
    ),
    biases: gradients.biases?.map((vector) => vector.map((entry) => -rate * entry)) ?? null,
  };
  const squares = (arrays: readonly (readonly number[])[]): number => sum(arrays.map((row) => sum(row.map((entry) => entry * entry))));
  const penalty = (lossDecay / 2) * sum(weights.map(squares)) + (biasDecay / 2) * (biases === null ? 0 : squares(biases));
  return {
    loss: sum(sampleLosses) / B + penalty,
    outputs: o,
    gradients,
    deltaWeights,
    updated: {
      weights: weights.map((matrix, l) => matrix.map((row, j) => row.map((entry, k) => entry + deltaWeights.weights[l]![j]![k]!))),
      biases: biases?.map((vector, l) => vector.map((entry, j) => entry + deltaWeights.biases![l]![j]!)) ?? null,
    },
  };
}
