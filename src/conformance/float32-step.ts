/**
 * The step of a case as an implementation in single precision computes it, emulated: every
 * product, sum, activation and division rounded to float32 with `Math.fround`, the sums taken
 * in a chosen order, the slopes of sigmoid and tanh formed in a chosen way. `fuzz --precision
 * float32` runs it four times (ascending and descending sums, each with stable and with the
 * usual slopes) and reads the tolerance of each number from how far they land from the float64
 * reference (see the `float32-tolerance` module); nothing here is a reference itself. The
 * pairwise order (NumPy's for float32 sums) is what the allowances are tested against: an order
 * they were not read from.
 *
 * The arithmetic is that of the reference's derivation (see {@link model/backprop!trainingStep | trainingStep}), in its
 * stable forms but for the slopes of {@link SlopeForm} `usual`, each result rounded as a float32
 * library would round it, one sample $b$ at a time (the shapes are those of the notation:
 * $W^{(l)}$ is $n_l \times n_{l-1}$, $z^{(l)}$, $o^{(l)}$ and $\delta^{(l)}$ have $n_l$ entries
 * per sample):
 *
 * - forward: $z_j = \operatorname{fl}\bigl(\sum_k \operatorname{fl}(w_{jk} o_k) + b_j\bigr)$, $o = \operatorname{fl}(f(z))$;
 *   softmax as $\operatorname{fl}(e^{\operatorname{fl}(z_j - m)}) / \operatorname{fl}(\sum_k \dots)$;
 * - the loss per sample, then its mean; cross-entropy through $\log o_k = z_k - m - \log \sum_k e^{z_k - m}$,
 *   binary cross-entropy through $\log o = -\operatorname{softplus}(-z)$ and $\log(1 - o) = -\operatorname{softplus}(z)$;
 * - the output delta of each loss ($(o - t) \odot f'(z)$, the softmax Jacobian for squared error,
 *   $o \sum_k t_k - t$ for cross-entropy, $o - t$ for binary cross-entropy), the hidden deltas
 *   $\bigl(W^{(l+1)\top} \delta^{(l+1)}\bigr) \odot f'(z^{(l)})$;
 * - the gradients as batch means, $\partial E / \partial w_{jk} = \operatorname{fl}\bigl(\operatorname{fl}(\sum_b \operatorname{fl}(\delta_{jb}\, o_{kb})) / B\bigr)$
 *   ($n_l \times n_{l-1}$, like $W^{(l)}$), $\Delta W = \operatorname{fl}(-\eta\, g)$, $W' = \operatorname{fl}(W + \Delta W)$.
 *
 * @module
 */
import { elementwiseActivations, type ElementwiseActivationName, softplus } from "../model/activations.js";
import { type CaseDocument, resultFormat, type ResultDocument } from "./case-format.js";
import { ValueError } from "../numeric/errors.js";

/**
 * The order in which every sum adds its terms: first to last, last to first, or pairwise (the
 * two halves summed each the same way, then added, as NumPy sums float32 arrays).
 */
export type SummationOrder = "ascending" | "descending" | "pairwise";

/**
 * How the slopes $f'(z)$ of sigmoid and tanh are formed: `stable` from $z$, as the reference
 * does; `usual` from the output, $o(1 - o)$ and $1 - o^2$, as most float32 code does, which
 * loses the digits of $1 - o$ as a unit saturates (and all of them once $o$ rounds to 1).
 */
export type SlopeForm = "stable" | "usual";

const round = Math.fround;

/** $\operatorname{fl}\bigl(\sum_i \text{terms}_i\bigr)$, each partial sum rounded, in the given order. */
function sum32(terms: readonly number[], order: SummationOrder): number {
  if (order === "pairwise") return pairwiseSum32(terms, 0, terms.length);
  let total = 0;
  if (order === "ascending") for (let i = 0; i < terms.length; i++) total = round(total + terms[i]!);
  else for (let i = terms.length - 1; i >= 0; i--) total = round(total + terms[i]!);
  return total;
}

/** $\operatorname{fl}$ of the sum of `terms[start]` to `terms[end - 1]`: each half summed pairwise, then the two added. */
function pairwiseSum32(terms: readonly number[], start: number, end: number): number {
  if (end - start === 0) return 0;
  if (end - start === 1) return terms[start]!;
  const middle = start + Math.floor((end - start) / 2);
  return round(pairwiseSum32(terms, start, middle) + pairwiseSum32(terms, middle, end));
}

/** A column of layer values: `column[j]` is unit $j$ of one sample. */
type Column = number[];

/**
 * The step of a case in emulated float32 arithmetic, as a result document. The case's numbers
 * are rounded to float32 first, as a single-precision implementation reads them.
 *
 * @param document - a valid case without weight decay (see {@link conformance/case-format!parseCase | parseCase}),
 *   as the fuzzer sends them
 * @param order - the order of every sum
 * @param slopes - how the slopes of sigmoid and tanh are formed
 * @throws {@link numeric/errors!ValueError | ValueError} for a case with a `weightDecay` other than $0$, which this step does not emulate
 */
export function float32Step(document: CaseDocument, order: SummationOrder, slopes: SlopeForm = "stable"): ResultDocument {
  if ((document.weightDecay ?? 0) !== 0) {
    throw new ValueError(`the float32 step does not emulate weight decay, got weightDecay ${document.weightDecay}`);
  }
  /** $\operatorname{fl}(f'(z))$ of an element-wise activation, given $z$ and $o = f(z)$. */
  const slope = (name: ElementwiseActivationName, zj: number, oj: number): number => {
    if (slopes === "usual" && name === "sigmoid") return round(oj * round(1 - oj));
    if (slopes === "usual" && name === "tanh") return round(1 - round(oj * oj));
    return round(elementwiseActivations[name].derivative(zj));
  };
  const L = document.sizes.length - 1;
  const weights = document.weights.map((matrix) => matrix.map((row) => row.map(round)));
  const biases = document.biases?.map((vector) => vector.map(round)) ?? null;
  const eta = round(document.learningRate);
  const B = document.inputs.length;
  const outputActivation = document.activations[L - 1]!;

  // Forward, one sample at a time: z[l][b] and o[l][b] (o[0] the inputs).
  const z: Column[][] = Array.from({ length: L }, () => []);
  const o: Column[][] = [document.inputs.map((row) => row.map(round))];
  for (let l = 0; l < L; l++) {
    o.push([]);
    for (let b = 0; b < B; b++) {
      const previous = o[l]![b]!;
      const weighted = weights[l]!.map((row, j) => {
        const total = sum32(
          row.map((w, k) => round(w * previous[k]!)),
          order,
        );
        return biases === null ? total : round(total + biases[l]![j]!);
      });
      z[l]!.push(weighted);
      o[l + 1]!.push(activate(document.activations[l]!, weighted, order));
    }
  }

  // The loss of each sample, and the output delta dE_b/dz^(L).
  const targets = document.targets.map((row) => row.map(round));
  const losses: number[] = [];
  let deltas: Column[] = [];
  for (let b = 0; b < B; b++) {
    const zL = z[L - 1]![b]!;
    const oL = o[L]![b]!;
    const t = targets[b]!;
    losses.push(sampleLoss(document.loss, zL, oL, t, order));
    deltas.push(outputDelta(document.loss, outputActivation, zL, oL, t, order, slope));
  }
  const loss = round(sum32(losses, order) / B);

  // Backward: gradients of each layer from its deltas, then the deltas of the layer below.
  const weightGradients: number[][][] = new Array<number[][]>(L);
  const biasGradients: number[][] = new Array<number[]>(L);
  for (let l = L - 1; l >= 0; l--) {
    const inputs = o[l]!;
    weightGradients[l] = weights[l]!.map((row, j) =>
      row.map((_, k) =>
        round(
          sum32(
            deltas.map((delta, b) => round(delta[j]! * inputs[b]![k]!)),
            order,
          ) / B,
        ),
      ),
    );
    biasGradients[l] = weights[l]!.map((_, j) =>
      round(
        sum32(
          deltas.map((delta) => delta[j]!),
          order,
        ) / B,
      ),
    );
    if (l > 0) {
      const name = document.activations[l - 1] as ElementwiseActivationName;
      deltas = deltas.map((delta, b) =>
        z[l - 1]![b]!.map((zj, j) =>
          round(
            sum32(
              weights[l]!.map((row, i) => round(row[j]! * delta[i]!)),
              order,
            ) * slope(name, zj, o[l]![b]![j]!),
          ),
        ),
      );
    }
  }

  const step = (gradient: number): number => round(-eta * gradient);
  const deltaWeights = weightGradients.map((matrix) => matrix.map((row) => row.map(step)));
  const deltaBiases = biasGradients.map((vector) => vector.map(step));
  return {
    format: resultFormat,
    ...(document.id === undefined || document.id === null ? {} : { id: document.id }),
    loss,
    outputs: o[L]!.map((column) => [...column]),
    gradients: { weights: weightGradients, biases: biases === null ? null : biasGradients },
    deltaWeights: { weights: deltaWeights, biases: biases === null ? null : deltaBiases },
    updated: {
      weights: weights.map((matrix, l) => matrix.map((row, j) => row.map((w, k) => round(w + deltaWeights[l]![j]![k]!)))),
      biases: biases === null ? null : biases.map((vector, l) => vector.map((bias, j) => round(bias + deltaBiases[l]![j]!))),
    },
  };
}

/** $o = \operatorname{fl}(f(z))$ for one sample; softmax with its maximum subtracted. */
function activate(name: string, z: Column, order: SummationOrder): Column {
  if (name !== "softmax") return z.map((zj) => round(elementwiseActivations[name as ElementwiseActivationName].value(zj)));
  const m = Math.max(...z);
  const exponentials = z.map((zj) => round(Math.exp(round(zj - m))));
  const total = sum32(exponentials, order);
  return exponentials.map((e) => round(e / total));
}

/** $\log o_k$ of a softmax output, as $z_k - m - \log \sum_k e^{z_k - m}$. */
function logSoftmax(z: Column, order: SummationOrder): Column {
  const m = Math.max(...z);
  const logTotal = round(
    Math.log(
      sum32(
        z.map((zj) => round(Math.exp(round(zj - m)))),
        order,
      ),
    ),
  );
  return z.map((zj) => round(round(zj - m) - logTotal));
}

/** The loss of one sample, summed over the output units. */
function sampleLoss(loss: string, z: Column, o: Column, t: Column, order: SummationOrder): number {
  switch (loss) {
    case "squared_error":
      return round(
        0.5 *
          sum32(
            o.map((ok, k) => {
              const error = round(t[k]! - ok);
              return round(error * error);
            }),
            order,
          ),
      );
    case "cross_entropy": {
      const logs = logSoftmax(z, order);
      return round(
        -sum32(
          logs.map((log, k) => round(t[k]! * log)),
          order,
        ),
      );
    }
    default:
      // binary_cross_entropy: -[t log o + (1 - t) log(1 - o)] = t softplus(-z) + (1 - t) softplus(z).
      return sum32(
        z.map((zk, k) => round(round(t[k]! * round(softplus(-zk))) + round(round(1 - t[k]!) * round(softplus(zk))))),
        order,
      );
  }
}

/** $\delta^{(L)} = \partial E_b / \partial z^{(L)}$ for one sample. */
function outputDelta(
  loss: string,
  activation: string,
  z: Column,
  o: Column,
  t: Column,
  order: SummationOrder,
  slope: (name: ElementwiseActivationName, zj: number, oj: number) => number,
): Column {
  if (loss === "cross_entropy") {
    const targetTotal = sum32(t, order);
    return o.map((ok, k) => round(round(ok * targetTotal) - t[k]!));
  }
  if (loss === "binary_cross_entropy") return o.map((ok, k) => round(ok - t[k]!));
  const gradient = o.map((ok, k) => round(ok - t[k]!));
  if (activation !== "softmax") {
    return gradient.map((g, k) => round(g * slope(activation as ElementwiseActivationName, z[k]!, o[k]!)));
  }
  // Squared error through the softmax Jacobian: delta_j = o_j (g_j - sum_k o_k g_k).
  const weighted = sum32(
    o.map((ok, k) => round(ok * gradient[k]!)),
    order,
  );
  return o.map((oj, j) => round(oj * round(gradient[j]! - weighted)));
}
