// A float32 implementation of the case format with TensorFlow.js (tfjs-core on its cpu
// backend), speaking the fuzz protocol: one backprop-ref/case@1 document per line on standard
// input, one backprop-ref/result@1 per line on standard output. Every tensor is float32, as
// TensorFlow.js computes by default, and the backward pass is written with tf ops the way a
// float32 implementation usually writes it (sigmoid'(z) as o(1 - o), tanh'(z) as 1 - o^2).
// tfjs-core alone registers no gradients for tf.grad (the union package @tensorflow/tfjs does,
// through a bundler), so the derivatives are spelled out.
//
//   npx backprop-ref fuzz --precision float32 -- node docs/examples/tfjs_mlp.mjs
//
// `--mistake NAME` makes one of four known mistakes on purpose, in float32, for the tests that
// show fuzz catching them at this precision: missing-derivative, batch-sum, sign-flipped,
// learning-rate-missing.
//
// It needs the development dependencies @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu.
import { createInterface } from "node:readline";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

const mistakes = ["missing-derivative", "batch-sum", "sign-flipped", "learning-rate-missing"];
const mistake = process.argv[2] === "--mistake" ? process.argv[3] : null;
if (mistake !== null && !mistakes.includes(mistake)) {
  process.stderr.write(`usage: node tfjs_mlp.mjs [--mistake ${mistakes.join("|")}]\n`);
  process.exit(2);
}

await tf.setBackend("cpu");
tf.enableProdMode();

/** f(z) and f'(z) from z and o = f(z); samples are rows (B x n). */
const activations = {
  sigmoid: { value: (z) => tf.sigmoid(z), slope: (z, o) => tf.mul(o, tf.sub(1, o)) },
  tanh: { value: (z) => tf.tanh(z), slope: (z, o) => tf.sub(1, tf.square(o)) },
  relu: { value: (z) => tf.relu(z), slope: (z) => tf.cast(tf.greater(z, 0), "float32") },
  leaky_relu: { value: (z) => tf.leakyRelu(z, 0.01), slope: (z) => tf.where(tf.greater(z, 0), tf.onesLike(z), tf.fill(z.shape, 0.01)) },
  softplus: { value: (z) => tf.softplus(z), slope: (z) => tf.sigmoid(z) },
  identity: { value: (z) => z, slope: (z) => tf.onesLike(z) },
  softmax: { value: (z) => tf.softmax(z, -1), slope: null },
};

/** The batch loss, a mean over the rows, of the output layer's z and o. */
function batchLoss(loss, z, o, t) {
  const samples = t.shape[0];
  switch (loss) {
    case "squared_error":
      return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(t, o)))), samples);
    case "cross_entropy":
      return tf.div(tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(z, -1)))), samples);
    default:
      // binary_cross_entropy: -[t log o + (1 - t) log(1 - o)] = t softplus(-z) + (1 - t) softplus(z).
      return tf.div(tf.sum(tf.add(tf.mul(t, tf.softplus(tf.neg(z))), tf.mul(tf.sub(1, t), tf.softplus(z)))), samples);
  }
}

/** dE_b/dz of the output layer, one row per sample. */
function outputDelta(loss, activation, z, o, t) {
  if (loss === "cross_entropy") return tf.sub(tf.mul(o, tf.sum(t, -1, true)), t);
  if (loss === "binary_cross_entropy") return tf.sub(o, t);
  const gradient = tf.sub(o, t);
  if (activation !== "softmax") return tf.mul(gradient, activations[activation].slope(z, o));
  // Squared error through the softmax Jacobian: delta_j = o_j (g_j - sum_k o_k g_k).
  return tf.mul(o, tf.sub(gradient, tf.sum(tf.mul(o, gradient), -1, true)));
}

/** One step of gradient descent on a case, as a result document. */
function step(document) {
  return tf.tidy(() => {
    const L = document.weights.length;
    const samples = document.inputs.length;
    const weights = document.weights.map((matrix) => tf.tensor2d(matrix, undefined, "float32"));
    const biases = document.biases?.map((vector) => tf.tensor1d(vector, "float32")) ?? null;
    const targets = tf.tensor2d(document.targets, undefined, "float32");
    // Forward: z = o W^T + b, one row per sample.
    const o = [tf.tensor2d(document.inputs, undefined, "float32")];
    const z = [];
    for (let l = 0; l < L; l++) {
      const weighted = tf.matMul(o[l], tf.transpose(weights[l]));
      z.push(biases === null ? weighted : tf.add(weighted, biases[l]));
      o.push(activations[document.activations[l]].value(z[l]));
    }
    const loss = batchLoss(document.loss, z[L - 1], o[L], targets);
    // Backward: gradients as batch means, deltas sent back through W.
    let delta = outputDelta(document.loss, document.activations[L - 1], z[L - 1], o[L], targets);
    const weightGradients = new Array(L);
    const biasGradients = new Array(L);
    for (let l = L - 1; l >= 0; l--) {
      // batch-sum: the batch's gradients summed, not averaged; sign-flipped: the gradient of -E.
      const scale = (mistake === "batch-sum" ? 1 : 1 / samples) * (mistake === "sign-flipped" ? -1 : 1);
      weightGradients[l] = tf.mul(tf.matMul(tf.transpose(delta), o[l]), scale);
      biasGradients[l] = tf.mul(tf.sum(delta, 0), scale);
      if (l > 0) {
        const back = tf.matMul(delta, weights[l]);
        // missing-derivative: the hidden delta without its layer's slope.
        delta = mistake === "missing-derivative" ? back : tf.mul(back, activations[document.activations[l - 1]].slope(z[l - 1], o[l]));
      }
    }
    // learning-rate-missing: the step is -g, whatever the learning rate.
    const eta = mistake === "learning-rate-missing" ? 1 : document.learningRate;
    const parameters = (values, gradients) => {
      const deltas = gradients.map((gradient) => tf.mul(-eta, gradient));
      return {
        gradients: gradients.map((gradient) => gradient.arraySync()),
        deltas: deltas.map((entry) => entry.arraySync()),
        updated: values.map((value, l) => tf.add(value, deltas[l]).arraySync()),
      };
    };
    const w = parameters(weights, weightGradients);
    const b = biases === null ? null : parameters(biases, biasGradients);
    const pick = (field) => ({ weights: w[field], biases: b === null ? null : b[field] });
    return {
      format: "backprop-ref/result@1",
      id: document.id ?? null,
      loss: loss.arraySync(),
      outputs: o[L].arraySync(),
      gradients: pick("gradients"),
      deltaWeights: pick("deltas"),
      updated: pick("updated"),
    };
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  try {
    answer = step(JSON.parse(line));
  } catch (error) {
    let id = null;
    try {
      id = JSON.parse(line).id ?? null;
    } catch {
      // not JSON: the rejection has no id
    }
    answer = { format: "backprop-ref/rejection@1", id, message: String(error?.message ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
