/**
 * The yardstick: one SGD step of a sigmoid network with one hidden layer, written by hand on
 * `Float64Array`s the way a careful person writes numeric code for V8. Every other contender's
 * time is divided by this one's.
 *
 * The math is the project's, for sigmoid hidden and output layers, squared error
 * $E = \frac12 \sum (t - o)^2$ averaged over the batch, and no biases:
 *
 * $$h = \sigma(W^{(1)} x), \quad o = \sigma(W^{(2)} h), \quad
 *   \delta^{(2)} = -(t - o) \odot o \odot (1 - o), \quad
 *   \delta^{(1)} = \left(W^{(2)\top} \delta^{(2)}\right) \odot h \odot (1 - h),$$
 * $$W^{(l)} \leftarrow W^{(l)} - \frac{\eta}{B}\, \delta^{(l)} o^{(l-1)\top}.$$
 *
 * What makes it fast, and is allowed to (it is a yardstick, not a strawman):
 * - No allocation per step: every buffer is made once by {@link createHandWrittenNetwork}.
 * - The sigmoid is applied as each weighted sum is stored, so no preactivation is stored at
 *   all, and $\sigma'$ is taken from the output as $o(1 - o)$.
 * - Register blocking: the forward product computes 4 rows of $W$ against 2 samples per pass
 *   (8 sums in registers, 6 loads per 8 multiply-adds); with one sample it is the
 *   matrix-vector product with 4 rows per pass, on a path of its own. The update computes 2
 *   rows by 4 columns of $\delta\, o^\top$ per pass.
 * - The update is fused: each weight is decremented by its entry of $\frac{\eta}{B} \delta\,
 *   o^\top$ as soon as that entry is summed; no gradient matrix is ever written. With one
 *   sample the update is a rank-one update, 8 rows per pass.
 * - Each blocked loop is a small function of its own, taking arrays and sizes as plain
 *   arguments: on the benchmark machine that ran a few percent faster than one function
 *   holding all the loops (TurboFan has fewer values to keep in registers in each loop).
 *
 * Layout. At batch 64 on V8 the fastest arrangement found keeps every batch in both layouts
 * (measured on the benchmark machine, 784-200-10: a single layout either way was 5–10 % slower).
 * The forward product $W x$ is a set of dot products along $k$, so it reads the inputs
 * sample-major (each sample contiguous, $B \times n$); the update's sums
 * $\sum_b \delta_{jb}\, o_{kb}$ run along the batch, so they read the deltas and the inputs
 * feature-major ($n \times B$, one sample per column, the project's layout). The step takes the
 * batch feature-major, like every other contender, and transposes it into a sample-major copy
 * (about 1 % of the step at batch 64); the hidden layer writes its outputs in both layouts as
 * it computes them. With one sample the two layouts are the same array and nothing is copied.
 *
 * @module
 */

/** The weights of the network and every buffer a step needs, made once for one batch size. */
export interface HandWrittenNetwork {
  /** $n_0$, $n_1$, $n_2$. */
  readonly sizes: readonly [inputs: number, hidden: number, outputs: number];
  /** $B$, the samples of every batch given to this network. */
  readonly batchSize: number;
  /** $W^{(1)}$, $n_1 \times n_0$, row-major. Updated in place. */
  readonly hiddenWeights: Float64Array;
  /** $W^{(2)}$, $n_2 \times n_1$, row-major. Updated in place. */
  readonly outputWeights: Float64Array;
  /** $x$ sample-major, $B \times n_0$ (unused with one sample). */
  readonly inputsBySample: Float64Array;
  /** $h = o^{(1)}$: feature-major $n_1 \times B$, and sample-major $B \times n_1$ (with one sample, one array serves as both). */
  readonly hidden: LayerOutputs;
  /** $o = o^{(2)}$, $n_2 \times B$ (feature-major only). */
  readonly outputs: LayerOutputs;
  /** $\delta^{(2)}$, $n_2 \times B$. */
  readonly outputDeltas: Float64Array;
  /** $\delta^{(1)}$, $n_1 \times B$. */
  readonly hiddenDeltas: Float64Array;
}

/**
 * A hand-written network with copies of the given weights and buffers for batches of `batchSize`.
 *
 * @param sizes - $n_0, n_1, n_2$
 * @param hiddenWeights - $W^{(1)}$, $n_1 \times n_0$ row-major (copied)
 * @param outputWeights - $W^{(2)}$, $n_2 \times n_1$ row-major (copied)
 * @param batchSize - $B \ge 1$
 */
export function createHandWrittenNetwork(
  sizes: readonly [number, number, number],
  hiddenWeights: Float64Array,
  outputWeights: Float64Array,
  batchSize: number,
): HandWrittenNetwork {
  const [inputs, hidden, outputs] = sizes;
  if (hiddenWeights.length !== hidden * inputs || outputWeights.length !== outputs * hidden) {
    throw new Error(`the weights do not fit sizes ${sizes.join("-")}`);
  }
  const hiddenByFeature = new Float64Array(hidden * batchSize);
  const hiddenBySample = batchSize === 1 ? null : new Float64Array(hidden * batchSize);
  return {
    sizes: [inputs, hidden, outputs],
    batchSize,
    hiddenWeights: Float64Array.from(hiddenWeights),
    outputWeights: Float64Array.from(outputWeights),
    inputsBySample: new Float64Array(batchSize === 1 ? 0 : inputs * batchSize),
    hidden: { units: hidden, samples: batchSize, byFeature: hiddenByFeature, bySample: hiddenBySample },
    outputs: { units: outputs, samples: batchSize, byFeature: new Float64Array(outputs * batchSize), bySample: null },
    outputDeltas: new Float64Array(outputs * batchSize),
    hiddenDeltas: new Float64Array(hidden * batchSize),
  };
}

/**
 * The forward pass: $h = \sigma(W^{(1)} x)$ and $o = \sigma(W^{(2)} h)$, into the network's buffers.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$ row-major (one sample per column)
 * @returns $o$, $n_2 \times B$ (`network.outputs.byFeature`)
 */
export function handWrittenForward(network: HandWrittenNetwork, inputs: Float64Array): Float64Array {
  const [inputUnits, hiddenUnits, outputUnits] = network.sizes;
  const { hidden, outputs } = network;
  if (network.batchSize === 1) {
    matrixVectorLayer(network.hiddenWeights, hiddenUnits, inputUnits, inputs, hidden.byFeature);
    matrixVectorLayer(network.outputWeights, outputUnits, hiddenUnits, hidden.byFeature, outputs.byFeature);
    return outputs.byFeature;
  }
  transposeInto(inputs, inputUnits, network.batchSize, network.inputsBySample);
  sigmoidLayer(network.hiddenWeights, inputUnits, network.inputsBySample, hidden);
  sigmoidLayer(network.outputWeights, hiddenUnits, hidden.bySample!, outputs);
  return outputs.byFeature;
}

/**
 * One step of stochastic gradient descent on a batch, updating the weights in place.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$ row-major (one sample per column)
 * @param targets - $t$, $n_2 \times B$ row-major
 * @param learningRate - $\eta$
 * @returns the batch loss before the step, $\frac1B \sum_b \frac12 \sum_j (t_{jb} - o_{jb})^2$
 */
export function handWrittenStep(network: HandWrittenNetwork, inputs: Float64Array, targets: Float64Array, learningRate: number): number {
  const [, hiddenUnits, outputUnits] = network.sizes;
  const samples = network.batchSize;
  const { outputDeltas, hiddenDeltas, outputWeights } = network;
  const outputs = handWrittenForward(network, inputs);
  const hidden = network.hidden.byFeature;

  // δ(2) = −(t − o) ⊙ o ⊙ (1 − o), and the loss on the way.
  let squaredErrors = 0;
  for (let index = 0; index < outputUnits * samples; index++) {
    const output = outputs[index]!;
    const error = targets[index]! - output;
    squaredErrors += error * error;
    outputDeltas[index] = -error * output * (1 - output);
  }

  // δ(1) = (W(2)ᵀ δ(2)) ⊙ h ⊙ (1 − h), from the weights before their update. The sum runs over
  // the n_2 = 10 output units only, so its strided reads of W(2) cost little.
  for (let k = 0; k < hiddenUnits; k++) {
    for (let b = 0; b < samples; b++) {
      let sum = 0;
      for (let j = 0, weight = k, delta = b; j < outputUnits; j++, weight += hiddenUnits, delta += samples) {
        sum += outputWeights[weight]! * outputDeltas[delta]!;
      }
      const output = hidden[k * samples + b]!;
      hiddenDeltas[k * samples + b] = sum * output * (1 - output);
    }
  }

  const scale = learningRate / samples;
  subtractOuterProducts(outputWeights, outputUnits, hiddenUnits, outputDeltas, hidden, samples, scale);
  subtractOuterProducts(network.hiddenWeights, hiddenUnits, network.sizes[0], hiddenDeltas, inputs, samples, scale);
  return (0.5 * squaredErrors) / samples;
}

/** $\sigma(z) = 1 / (1 + e^{-z})$; for very negative $z$ the exponential overflows to $\infty$ and the result is the correct limit 0. */
function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Writes `source` ($r \times c$, row-major) transposed into `into` ($c \times r$, row-major). */
function transposeInto(source: Float64Array, rows: number, columns: number, into: Float64Array): void {
  for (let row = 0; row < rows; row++) {
    for (let column = 0, read = row * columns; column < columns; column++, read++) into[column * rows + row] = source[read]!;
  }
}

/**
 * Where a layer's outputs go: $o$ feature-major ($m \times B$) and, unless `null`, the same
 * numbers sample-major ($B \times m$) for the next layer's forward product.
 */
export interface LayerOutputs {
  /** $m$, the layer's units. */
  readonly units: number;
  /** $B$. */
  readonly samples: number;
  /** $o$, $m \times B$ row-major. */
  readonly byFeature: Float64Array;
  /** $o$, $B \times m$ row-major, or `null` when nothing reads it. */
  readonly bySample: Float64Array | null;
}

/** Stores $\sigma(z)$ of unit $j$, sample $b$, in both layouts. */
function storeOutput(
  outputs: Float64Array,
  outputsBySample: Float64Array | null,
  units: number,
  samples: number,
  j: number,
  b: number,
  sum: number,
): void {
  const output = logistic(sum);
  outputs[j * samples + b] = output;
  if (outputsBySample !== null) outputsBySample[b * units + j] = output;
}

/**
 * $o = \sigma(W x)$ for every sample of the batch.
 *
 * The sums are dot products along $k$ over contiguous rows of $W$ and of the sample-major
 * inputs: 4 rows by 2 samples per pass, then 4 rows by 1 sample for an odd last sample, then
 * one row at a time for the rows left over. Each block is a function of its own (see the
 * module comment). One sample takes {@link matrixVectorLayer} instead.
 */
function sigmoidLayer(weights: Float64Array, fanIn: number, inputsBySample: Float64Array, into: LayerOutputs): void {
  const { units, samples, byFeature: outputs, bySample: outputsBySample } = into;
  let j = 0;
  for (; j + 4 <= units; j += 4) {
    let b = 0;
    for (; b + 2 <= samples; b += 2) fourRowsTwoSamples(weights, units, fanIn, inputsBySample, samples, outputs, outputsBySample, j, b);
    for (; b < samples; b++) fourRowsOneSample(weights, units, fanIn, inputsBySample, samples, outputs, outputsBySample, j, b);
  }
  for (; j < units; j++) {
    for (let b = 0; b < samples; b++) {
      storeOutput(outputs, outputsBySample, units, samples, j, b, dotProduct(weights, j * fanIn, inputsBySample, b * fanIn, fanIn));
    }
  }
}

/** $o = \sigma(W x)$ for one sample: the matrix-vector product, 4 rows per pass. */
function matrixVectorLayer(weights: Float64Array, units: number, fanIn: number, inputs: Float64Array, outputs: Float64Array): void {
  let j = 0;
  for (; j + 4 <= units; j += 4) fourRowsOneSample(weights, units, fanIn, inputs, 1, outputs, null, j, 0);
  for (; j < units; j++) outputs[j] = logistic(dotProduct(weights, j * fanIn, inputs, 0, fanIn));
}

/** Rows $j..j+3$ of $W$ against samples $b$ and $b+1$: 8 sums, 6 loads per 8 multiply-adds. */
function fourRowsTwoSamples(
  weights: Float64Array,
  units: number,
  fanIn: number,
  inputsBySample: Float64Array,
  samples: number,
  outputs: Float64Array,
  outputsBySample: Float64Array | null,
  j: number,
  b: number,
): void {
  const row0 = j * fanIn;
  const row1 = row0 + fanIn;
  const row2 = row1 + fanIn;
  const row3 = row2 + fanIn;
  const first = b * fanIn;
  const second = first + fanIn;
  let sum00 = 0,
    sum01 = 0,
    sum10 = 0,
    sum11 = 0,
    sum20 = 0,
    sum21 = 0,
    sum30 = 0,
    sum31 = 0;
  for (let k = 0; k < fanIn; k++) {
    const x0 = inputsBySample[first + k]!;
    const x1 = inputsBySample[second + k]!;
    const w0 = weights[row0 + k]!;
    const w1 = weights[row1 + k]!;
    const w2 = weights[row2 + k]!;
    const w3 = weights[row3 + k]!;
    sum00 += w0 * x0;
    sum01 += w0 * x1;
    sum10 += w1 * x0;
    sum11 += w1 * x1;
    sum20 += w2 * x0;
    sum21 += w2 * x1;
    sum30 += w3 * x0;
    sum31 += w3 * x1;
  }
  storeOutput(outputs, outputsBySample, units, samples, j, b, sum00);
  storeOutput(outputs, outputsBySample, units, samples, j, b + 1, sum01);
  storeOutput(outputs, outputsBySample, units, samples, j + 1, b, sum10);
  storeOutput(outputs, outputsBySample, units, samples, j + 1, b + 1, sum11);
  storeOutput(outputs, outputsBySample, units, samples, j + 2, b, sum20);
  storeOutput(outputs, outputsBySample, units, samples, j + 2, b + 1, sum21);
  storeOutput(outputs, outputsBySample, units, samples, j + 3, b, sum30);
  storeOutput(outputs, outputsBySample, units, samples, j + 3, b + 1, sum31);
}

/** Rows $j..j+3$ of $W$ against sample $b$: the matrix-vector product, 4 rows per pass sharing each load of $x_k$. */
function fourRowsOneSample(
  weights: Float64Array,
  units: number,
  fanIn: number,
  inputsBySample: Float64Array,
  samples: number,
  outputs: Float64Array,
  outputsBySample: Float64Array | null,
  j: number,
  b: number,
): void {
  const row0 = j * fanIn;
  const row1 = row0 + fanIn;
  const row2 = row1 + fanIn;
  const row3 = row2 + fanIn;
  const sample = b * fanIn;
  let sum0 = 0,
    sum1 = 0,
    sum2 = 0,
    sum3 = 0;
  for (let k = 0; k < fanIn; k++) {
    const x = inputsBySample[sample + k]!;
    sum0 += weights[row0 + k]! * x;
    sum1 += weights[row1 + k]! * x;
    sum2 += weights[row2 + k]! * x;
    sum3 += weights[row3 + k]! * x;
  }
  storeOutput(outputs, outputsBySample, units, samples, j, b, sum0);
  storeOutput(outputs, outputsBySample, units, samples, j + 1, b, sum1);
  storeOutput(outputs, outputsBySample, units, samples, j + 2, b, sum2);
  storeOutput(outputs, outputsBySample, units, samples, j + 3, b, sum3);
}

/** $\sum_k a_{\text{start}+k}\, b_{\text{start}+k}$ over `length` entries. */
function dotProduct(a: Float64Array, aStart: number, b: Float64Array, bStart: number, length: number): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += a[aStart + k]! * b[bStart + k]!;
  return sum;
}

/**
 * $W \leftarrow W - s\, \delta\, o^\top$, fused: each entry of $\delta\, o^\top$ is subtracted
 * as soon as it is summed, and no gradient matrix exists.
 *
 * With one sample this is a rank-one update, 8 rows of $W$ per pass sharing each load of
 * $o_k$ (about 10 % faster than 4 rows here). With more, entry $(j, k)$ is the dot product
 * $\sum_b \delta_{jb}\, o_{kb}$ of two contiguous rows of the feature-major arrays, 2 rows by
 * 4 columns per pass (8 sums in registers, 6 loads per 8 multiply-adds). What the blocks leave
 * over is done one row, or one entry, at a time.
 *
 * @param weights - $W$, $m \times n$ row-major
 * @param deltas - $\delta$, $m \times B$ row-major
 * @param inputs - $o$, $n \times B$ row-major
 * @param scale - $s = \eta / B$
 */
function subtractOuterProducts(
  weights: Float64Array,
  units: number,
  fanIn: number,
  deltas: Float64Array,
  inputs: Float64Array,
  samples: number,
  scale: number,
): void {
  if (samples === 1) {
    let j = 0;
    for (; j + 8 <= units; j += 8) eightRowsRankOne(weights, fanIn, inputs, j, deltas, scale);
    for (; j < units; j++) oneRowRankOne(weights, fanIn, inputs, j, scale * deltas[j]!);
    return;
  }
  let j = 0;
  for (; j + 2 <= units; j += 2) {
    let k = 0;
    for (; k + 4 <= fanIn; k += 4) twoRowsFourColumns(weights, fanIn, deltas, inputs, samples, scale, j, k);
    for (; k < fanIn; k++) {
      oneEntry(weights, fanIn, deltas, inputs, samples, scale, j, k);
      oneEntry(weights, fanIn, deltas, inputs, samples, scale, j + 1, k);
    }
  }
  for (; j < units; j++) for (let k = 0; k < fanIn; k++) oneEntry(weights, fanIn, deltas, inputs, samples, scale, j, k);
}

/** Rows $j..j+7$ of the rank-one update $W \leftarrow W - s\, \delta\, x^\top$ (one sample). */
function eightRowsRankOne(
  weights: Float64Array,
  fanIn: number,
  inputs: Float64Array,
  j: number,
  deltas: Float64Array,
  scale: number,
): void {
  const row0 = j * fanIn;
  const row1 = row0 + fanIn;
  const row2 = row1 + fanIn;
  const row3 = row2 + fanIn;
  const row4 = row3 + fanIn;
  const row5 = row4 + fanIn;
  const row6 = row5 + fanIn;
  const row7 = row6 + fanIn;
  const step0 = scale * deltas[j]!;
  const step1 = scale * deltas[j + 1]!;
  const step2 = scale * deltas[j + 2]!;
  const step3 = scale * deltas[j + 3]!;
  const step4 = scale * deltas[j + 4]!;
  const step5 = scale * deltas[j + 5]!;
  const step6 = scale * deltas[j + 6]!;
  const step7 = scale * deltas[j + 7]!;
  for (let k = 0; k < fanIn; k++) {
    const x = inputs[k]!;
    weights[row0 + k] = weights[row0 + k]! - step0 * x;
    weights[row1 + k] = weights[row1 + k]! - step1 * x;
    weights[row2 + k] = weights[row2 + k]! - step2 * x;
    weights[row3 + k] = weights[row3 + k]! - step3 * x;
    weights[row4 + k] = weights[row4 + k]! - step4 * x;
    weights[row5 + k] = weights[row5 + k]! - step5 * x;
    weights[row6 + k] = weights[row6 + k]! - step6 * x;
    weights[row7 + k] = weights[row7 + k]! - step7 * x;
  }
}

/** Row $j$ of the rank-one update, with `step` $= s\, \delta_j$. */
function oneRowRankOne(weights: Float64Array, fanIn: number, inputs: Float64Array, j: number, step: number): void {
  const row = j * fanIn;
  for (let k = 0; k < fanIn; k++) weights[row + k] = weights[row + k]! - step * inputs[k]!;
}

/** Entries $(j..j+1,\ k..k+3)$ of $W \leftarrow W - s\, \delta\, o^\top$, each a dot product over the batch. */
function twoRowsFourColumns(
  weights: Float64Array,
  fanIn: number,
  deltas: Float64Array,
  inputs: Float64Array,
  samples: number,
  scale: number,
  j: number,
  k: number,
): void {
  const delta0 = j * samples;
  const delta1 = delta0 + samples;
  const input0 = k * samples;
  const input1 = input0 + samples;
  const input2 = input1 + samples;
  const input3 = input2 + samples;
  let sum00 = 0,
    sum01 = 0,
    sum02 = 0,
    sum03 = 0,
    sum10 = 0,
    sum11 = 0,
    sum12 = 0,
    sum13 = 0;
  for (let b = 0; b < samples; b++) {
    const d0 = deltas[delta0 + b]!;
    const d1 = deltas[delta1 + b]!;
    const x0 = inputs[input0 + b]!;
    const x1 = inputs[input1 + b]!;
    const x2 = inputs[input2 + b]!;
    const x3 = inputs[input3 + b]!;
    sum00 += d0 * x0;
    sum01 += d0 * x1;
    sum02 += d0 * x2;
    sum03 += d0 * x3;
    sum10 += d1 * x0;
    sum11 += d1 * x1;
    sum12 += d1 * x2;
    sum13 += d1 * x3;
  }
  const row0 = j * fanIn + k;
  const row1 = row0 + fanIn;
  weights[row0] = weights[row0]! - scale * sum00;
  weights[row0 + 1] = weights[row0 + 1]! - scale * sum01;
  weights[row0 + 2] = weights[row0 + 2]! - scale * sum02;
  weights[row0 + 3] = weights[row0 + 3]! - scale * sum03;
  weights[row1] = weights[row1]! - scale * sum10;
  weights[row1 + 1] = weights[row1 + 1]! - scale * sum11;
  weights[row1 + 2] = weights[row1 + 2]! - scale * sum12;
  weights[row1 + 3] = weights[row1 + 3]! - scale * sum13;
}

/** Entry $(j, k)$ of $W \leftarrow W - s\, \delta\, o^\top$. */
function oneEntry(
  weights: Float64Array,
  fanIn: number,
  deltas: Float64Array,
  inputs: Float64Array,
  samples: number,
  scale: number,
  j: number,
  k: number,
): void {
  const index = j * fanIn + k;
  weights[index] = weights[index]! - scale * dotProduct(deltas, j * samples, inputs, k * samples, samples);
}
