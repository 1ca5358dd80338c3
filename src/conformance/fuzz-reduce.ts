/**
 * The last step of shrinking a failing case: taking out one layer, one unit or one sample at a
 * time, for as long as the case still fails the same way.
 *
 * fast-check's shrinking makes numbers simpler and a network shallower, but it can stop at a
 * layer wider than it needs to be, when every smaller width it tries draws a case that no longer
 * fails. Here the case is cut instead: unit $j$ of layer $l$ goes with row $j$ of $W^{(l)}$ and
 * entry $j$ of $b^{(l)}$ and column $j$ of $W^{(l+1)}$ (for the inputs, column $j$ of the
 * inputs; for the outputs, column $j$ of the targets), sample $b$ with row $b$ of the inputs and
 * targets; every other number stays. A layer whose weight matrix is square goes with that matrix,
 * its biases and its activation (the output layer's activation stays with the outputs, for the
 * loss). A case cut this way that comes near a `relu` kink or grows
 * a hidden output past the bound is not tried, as the random cases keep away from both.
 *
 * @module
 */
import { withinCaseBounds } from "./case-arbitrary.js";
import type { CaseDocument } from "./case-format.js";

/**
 * The cases one layer, one unit or one sample smaller than a case, in that order (units from
 * the input layer to the output layer, then one unit out of every layer of the same width); only those that stay away from kinks and within the
 * hidden output bound.
 *
 * @param document - a case
 */
export function smallerCases(document: CaseDocument): CaseDocument[] {
  const candidates: CaseDocument[] = [];
  const L = document.sizes.length - 1;
  for (let index = 0; index < L && L > 1; index++) {
    if (document.sizes[index] === document.sizes[index + 1]) candidates.push(withoutLayer(document, index));
  }
  document.sizes.forEach((units, layer) => {
    if (units > 1) for (let unit = 0; unit < units; unit++) candidates.push(withoutUnit(document, layer, unit));
  });
  // Unit j out of every layer of one width at once, so that square matrices stay square: a mistake that
  // needs them (the hidden error through W instead of its transpose) survives the cut.
  for (const width of new Set(document.sizes)) {
    const layers = document.sizes.flatMap((units, layer) => (units === width ? [layer] : []));
    if (width > 1 && layers.length > 1) {
      for (let unit = 0; unit < width; unit++) {
        candidates.push(layers.reduce((smaller, layer) => withoutUnit(smaller, layer, unit), document));
      }
    }
  }
  if (document.inputs.length > 1) {
    for (let sample = 0; sample < document.inputs.length; sample++) candidates.push(withoutSample(document, sample));
  }
  return candidates.filter((candidate) => withinCaseBounds(candidate));
}

/** Everything but entry `index`. */
function without<Entry>(entries: readonly Entry[], index: number): Entry[] {
  return entries.filter((_, position) => position !== index);
}

/**
 * The case without unit `unit` of layer `layer` (0 the inputs, $L$ the outputs).
 *
 * @param document - a case
 * @param layer - $l$, from 0 to $L$
 * @param unit - $j$, from 0 to $n_l - 1$
 */
export function withoutUnit(document: CaseDocument, layer: number, unit: number): CaseDocument {
  const L = document.sizes.length - 1;
  const weights = document.weights.map((matrix, index) => {
    // weights[index] is W^(index+1): its rows are the units of layer index+1, its columns those of layer index.
    if (index + 1 === layer) return without(matrix, unit);
    if (index === layer) return matrix.map((row) => without(row, unit));
    return matrix.map((row) => [...row]);
  });
  return {
    ...document,
    sizes: document.sizes.map((units, index) => (index === layer ? units - 1 : units)),
    weights,
    biases:
      document.biases === null ? null : document.biases.map((vector, index) => (index + 1 === layer ? without(vector, unit) : [...vector])),
    inputs: layer === 0 ? document.inputs.map((row) => without(row, unit)) : document.inputs,
    targets: layer === L ? document.targets.map((row) => without(row, unit)) : document.targets,
  };
}

/**
 * The case without its weight layer `index` ($W^{(index+1)}$), which must be square, and the
 * layer of units it leads to; the last weight layer's activation moves to the layer before, so
 * that the output activation and the loss still pair.
 *
 * @param document - a case of at least two weight layers
 * @param index - the weight layer, from 0 to $L - 1$, with `sizes[index] === sizes[index + 1]`
 */
export function withoutLayer(document: CaseDocument, index: number): CaseDocument {
  const L = document.sizes.length - 1;
  const activations = without(document.activations, index);
  if (index === L - 1) activations[L - 2] = document.activations[L - 1]!;
  return {
    ...document,
    sizes: without(document.sizes, index + 1),
    activations,
    weights: without(document.weights, index),
    biases: document.biases === null ? null : without(document.biases, index),
  };
}

/**
 * The case without sample `sample`.
 *
 * @param document - a case of at least two samples
 * @param sample - $b$, from 0 to $B - 1$
 */
export function withoutSample(document: CaseDocument, sample: number): CaseDocument {
  return { ...document, inputs: without(document.inputs, sample), targets: without(document.targets, sample) };
}
