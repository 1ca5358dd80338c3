import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CaseDocument, parseCase } from "../../src/conformance/case-format.js";
import { workedExampleCase } from "../../src/conformance/worked-example.js";
import { sigmoid } from "../../src/model/activations.js";
import { backpropagate, hiddenDelta, trainingStep } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { createNetwork, depth, type ParameterArrays, parameterEntries } from "../../src/model/network.js";
import { NumericError, SpecError } from "../../src/numeric/errors.js";
import { type Matrix, matrixFromRows, matrixToRows, vectorFromArray } from "../../src/numeric/tensor.js";
import { checkGradients } from "../../src/oracles/gradient-check.js";
import { describeEntry } from "../../src/oracles/report.js";
import { numRuns } from "../support/arbitraries.js";
import { expectParametersClose, largestParameterMagnitude, sampleOf } from "../support/parameters.js";
import { expectCloseToDecimal, expectMatrixCloseToDecimal, workedExampleDecimal } from "../support/worked-example.js";
import { mistakenGradients } from "../../src/conformance/mistakes.js";
import { exampleProblem, exampleWithBiases, identityStep } from "../support/fixtures.js";
import { caseDocument, hiddenActivations, outputPairs } from "../../src/conformance/case-arbitrary.js";

describe("backpropagation", () => {
  it("analytic gradients agree with central differences to a relative error of 1e-6 on every entry, for every activation, loss, depth 1–4, width 1–8, batch 1–5, with and without biases", () => {
    let worst = 0;
    let cases = 0;
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const report = checkGradients(network, inputs, targets);
        if (!report.passed) {
          throw new Error(`gradient check failed at ${describeEntry(report.worst!)}, tolerance ${report.tolerance.toExponential(0)}`);
        }
        worst = Math.max(worst, report.maxRelativeError);
        cases++;
      }),
      { numRuns },
    );
    console.log(`gradient check: ${cases} random cases, worst relative error ${worst.toExponential(2)} (tolerance 1e-6)`);
  });

  it("the generator reaches every hidden activation, every output pair, every depth and both bias settings", () => {
    const documents = fc.sample(caseDocument(), { numRuns: 2000, seed: 1 });
    const seen = (pick: (document: CaseDocument) => string): Set<string> => new Set(documents.map(pick));
    const hidden = new Set(documents.flatMap((document) => document.activations.slice(0, -1)));
    expect([...hidden].sort()).toEqual([...hiddenActivations].sort());
    expect(seen((document) => `${document.activations.at(-1)}/${document.loss}`).size).toBe(outputPairs.length);
    expect([...seen((document) => String(document.sizes.length - 1))].sort()).toEqual(["1", "2", "3", "4"]);
    expect(seen((document) => String(document.biases !== null)).size).toBe(2);
  });

  it("delta weights are exactly −η times the gradients, and the updated weights exactly the old plus the delta weights", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const step = trainingStep(network, inputs, targets, learningRate);
        const expectedDeltas = parameterEntries(step.gradients).map((entry) => -learningRate * entry.value);
        parameterEntries(step.deltaWeights).forEach((entry, index) => {
          if (!Object.is(entry.value, expectedDeltas[index])) {
            throw new Error(`Δ${entry.position} is ${entry.value}, expected −η · gradient = ${expectedDeltas[index]}`);
          }
        });
        const old = parameterEntries(network);
        const deltas = parameterEntries(step.deltaWeights);
        parameterEntries(step.updated).forEach((entry, index) => {
          const expected = old[index]!.value + deltas[index]!.value;
          if (!Object.is(entry.value, expected)) {
            throw new Error(`updated ${entry.position} is ${entry.value}, expected old + Δ = ${expected}`);
          }
        });
      }),
      { numRuns },
    );
  });

  it("for a sigmoid network with squared error and one sample, the delta weights are the seed's η · (e ⊙ o ⊙ (1 − o)) · o_prevᵀ with the hidden error e = Wᵀ (e ⊙ o ⊙ (1 − o))", () => {
    const sigmoidNetworks = caseDocument({
      hidden: ["sigmoid"],
      outputs: [["sigmoid", "squared_error"]],
      batch: { min: 1, max: 1 },
    });
    fc.assert(
      fc.property(sigmoidNetworks, (document) => {
        const { network, inputs, targets, learningRate } = parseCase(document);
        const step = trainingStep(network, inputs, targets, learningRate);
        const seed = seedUpdate(document);
        // The two group the same products differently, so they differ in the last bits, and the
        // hidden error's sum over units with weights of both signs can magnify that on entries
        // much smaller than the rest. Entries are therefore compared relative to the largest
        // entry as well; leaving out f′, or any other change to the formula, moves the large
        // entries too, by far more than 1e-9. Below 1e-300 the comparison is absolute: with a
        // subnormal learning rate the two groupings round the last bit of 5e-324 differently.
        const floor = 1e-6 * largestParameterMagnitude(seed) + 1e-300;
        expectParametersClose(step.deltaWeights, seed, { tolerance: 1e-9, floor, what: "delta weights against the seed's formula" });
      }),
      { numRuns },
    );
  });

  it("a small enough step against the gradient lowers the loss whenever the gradient is not zero", () => {
    fc.assert(
      fc.property(caseDocument(), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const loss = networkLoss(network, inputs, targets);
        const squaredNorm = parameterEntries(backpropagate(network, inputs, targets).gradients).reduce(
          (sum, entry) => sum + entry.value * entry.value,
          0,
        );
        // Below this the decrease of one step would drown in the rounding of the loss itself.
        fc.pre(squaredNorm > 1e-8 * Math.max(1, Math.abs(loss)));
        for (let halvings = 0; halvings <= 60; halvings++) {
          const learningRate = Math.pow(2, -halvings);
          const after = networkLoss(trainingStep(network, inputs, targets, learningRate).updated, inputs, targets);
          if (after < loss) return;
        }
        throw new Error(`no step 2^-k, k = 0…60, lowered the loss ${loss} (squared gradient norm ${squaredNorm})`);
      }),
      { numRuns },
    );
  });

  it("the gradient of a batch is the mean of the per-sample gradients", () => {
    fc.assert(
      fc.property(caseDocument({ batch: { min: 2, max: 5 } }), (document) => {
        const { network, inputs, targets } = parseCase(document);
        const batch = backpropagate(network, inputs, targets).gradients;
        const samples = inputs.shape[1]!;
        const perSample = Array.from({ length: samples }, (_, b) =>
          parameterEntries(backpropagate(network, sampleOf(inputs, b), sampleOf(targets, b)).gradients),
        );
        parameterEntries(batch).forEach((entry, index) => {
          const values = perSample.map((entries) => entries[index]!.value);
          const mean = values.reduce((sum, value) => sum + value, 0) / samples;
          const scale = values.reduce((sum, value) => sum + Math.abs(value), 0) / samples;
          // The two sums differ only in rounding: a few ulps of the sum of magnitudes.
          if (!(Math.abs(entry.value - mean) <= 1e-14 * scale)) {
            throw new Error(`${entry.position}: batch gradient ${entry.value}, mean of per-sample gradients ${mean}`);
          }
        });
      }),
      { numRuns },
    );
  });

  it("permuting the units of a hidden layer permutes the gradients the same way", () => {
    const permuted = caseDocument({ depth: { min: 2, max: 4 } }).chain((document) =>
      fc.integer({ min: 1, max: document.sizes.length - 2 }).chain((layer) => {
        const units = Array.from({ length: document.sizes[layer]! }, (_, index) => index);
        return fc
          .shuffledSubarray(units, { minLength: units.length, maxLength: units.length })
          .map((permutation) => ({ document, layer, permutation }));
      }),
    );
    fc.assert(
      fc.property(permuted, ({ document, layer, permutation }) => {
        const original = parseCase(document);
        const parameters = permuteHiddenUnits(original.network, layer, permutation);
        const shuffled = createNetwork(original.network.spec, parameters.weights, parameters.biases);
        const expected = permuteHiddenUnits(
          backpropagate(original.network, original.inputs, original.targets).gradients,
          layer,
          permutation,
        );
        const actual = backpropagate(shuffled, original.inputs, original.targets).gradients;
        // Permuting reorders the sums of the next layer, so entries differ in rounding: a few
        // ulps of the largest terms, which is what the floor admits on entries near zero.
        const floor = 1e-6 * Math.max(1, largestParameterMagnitude(expected));
        expectParametersClose(actual, expected, { tolerance: 1e-9, floor, what: `gradients after permuting layer ${layer}` });
      }),
      { numRuns },
    );
  });

  it("the bias gradients are the batch means of the deltas, and a network without biases has none", () => {
    const withBiases = exampleWithBiases();
    const { gradients, deltas } = backpropagate(withBiases.network, withBiases.inputs, withBiases.targets);
    gradients.biases!.forEach((vector, index) => {
      const delta = matrixToRows(deltas[index]!);
      expect(Array.from(vector.data)).toEqual(delta.map((row) => row.reduce((sum, entry) => sum + entry, 0) / row.length));
    });
    const example = exampleProblem();
    expect(backpropagate(example.network, example.inputs, example.targets).gradients.biases).toBeNull();
  });

  it("a softmax hidden layer is a SpecError", () => {
    const z = matrixFromRows([[0]]);
    expect(() => hiddenDelta("softmax", z, z)).toThrow(new SpecError("softmax is an output activation; a hidden layer cannot use it"));
  });
});

describe("refusing numbers that overflowed", () => {
  it("an overflow names the quantity that overflowed: outputs, loss, gradients or updated weights", () => {
    const tail = "the weights or inputs are too large for float64";
    expect(identityStep({ weights: [[[1e300]]], inputs: [[1e300]] })).toThrow(
      new NumericError(`the outputs overflowed (an entry is not finite): ${tail}`),
    );
    expect(identityStep({ weights: [[[1e200]]], inputs: [[1e200]] }, 0)).toThrow(NumericError);
    expect(identityStep({ weights: [[[1e200]]] })).toThrow(
      new NumericError(
        "the loss overflowed to Infinity: the outputs and the targets are too far apart for float64 (largest |output| 1e+200, largest |target| 0)",
      ),
    );
    expect(identityStep({ sizes: [1, 1], weights: [[[1e154]]], inputs: [[1e154]] })).toThrow(NumericError);
    expect(identityStep({ inputs: [[1e100]] }, 1e300)).toThrow(
      new NumericError(`the updated weights overflowed (an entry is not finite): ${tail}`),
    );
  });

  it("a loss that overflows because of the targets shows them as the cause, not the weights or inputs", () => {
    expect(identityStep({ targets: [[1e300]] })).toThrow(
      new NumericError(
        "the loss overflowed to Infinity: the outputs and the targets are too far apart for float64 (largest |output| 1, largest |target| 1e+300)",
      ),
    );
  });

  it("a batch of two identical samples has the loss of one of them, even where their sum would overflow", () => {
    // ½ (1.5e154)² = 1.125e308 per sample: the sum of two is beyond float64, their mean is not.
    const one = identityStep({ inputs: [[0]], targets: [[1.5e154]] })();
    const two = identityStep({ inputs: [[0], [0]], targets: [[1.5e154], [1.5e154]] })();
    expect(one.loss).toBe(1.1250000000000002e308);
    expect(two.loss).toBe(one.loss);
  });

  it("a gradient that overflows while the loss does not is named", () => {
    expect(identityStep({ inputs: [[1e154], [1e154]], targets: [[0], [0]] }, 0)).toThrow(
      new NumericError("the gradients overflowed (an entry is not finite): the weights or inputs are too large for float64"),
    );
  });
});

/**
 * The seed's update rule, written out literally on plain arrays for one sample of a sigmoid
 * network with squared error, independent of the library: forward, then
 * $\Delta W = \eta\,(e \odot o \odot (1 - o))\, o_{\text{prev}}^\top$ layer by layer, with the
 * hidden error $e_{\text{prev}} = W^\top (e \odot o \odot (1 - o))$.
 */
function seedUpdate(document: CaseDocument): ParameterArrays {
  const L = document.sizes.length - 1;
  const outputs: number[][] = [document.inputs[0]!.slice()];
  for (let l = 1; l <= L; l++) {
    const weights = document.weights[l - 1]!;
    outputs.push(
      weights.map((row, j) => sigmoid(row.reduce((sum, w, k) => sum + w * outputs[l - 1]![k]!, 0) + (document.biases?.[l - 1]![j] ?? 0))),
    );
  }
  let error = document.targets[0]!.map((target, k) => target - outputs[L]![k]!);
  const weightSteps: Matrix[] = new Array<Matrix>(L);
  const biasSteps: number[][] = new Array<number[]>(L);
  for (let l = L; l >= 1; l--) {
    const o = outputs[l]!;
    const scaledError = error.map((e, j) => e * o[j]! * (1 - o[j]!));
    weightSteps[l - 1] = matrixFromRows(scaledError.map((s) => outputs[l - 1]!.map((input) => document.learningRate * s * input)));
    biasSteps[l - 1] = scaledError.map((s) => document.learningRate * s);
    const weights = document.weights[l - 1]!;
    error = outputs[l - 1]!.map((_, k) => weights.reduce((sum, row, j) => sum + row[k]! * scaledError[j]!, 0));
  }
  return { weights: weightSteps, biases: document.biases === null ? null : biasSteps.map((entries) => vectorFromArray(entries)) };
}

/**
 * Reorders the units of hidden layer `layer`: unit `permutation[j]` becomes unit `j`. Rows of
 * `weights[layer-1]` and entries of `biases[layer-1]` move, and so do the columns of
 * `weights[layer]`, the links leaving the layer. Works on a network's parameters or on gradients.
 */
function permuteHiddenUnits(parameters: ParameterArrays, layer: number, permutation: readonly number[]): ParameterArrays {
  const weights = parameters.weights.map((matrix, index) => {
    const rows = entriesRows(matrix);
    if (index === layer - 1) return matrixFromRows(permutation.map((source) => rows[source]!));
    if (index === layer) return matrixFromRows(rows.map((row) => permutation.map((source) => row[source]!)));
    return matrixFromRows(rows);
  });
  const biases =
    parameters.biases?.map((vector, index) => {
      const entries = Array.from({ length: vector.shape[0]! }, (_, j) => vector.get(j));
      return vectorFromArray(index === layer - 1 ? permutation.map((source) => entries[source]!) : entries);
    }) ?? null;
  return { weights, biases };
}

function entriesRows(matrix: Matrix): number[][] {
  return Array.from({ length: matrix.shape[0]! }, (_, j) => Array.from({ length: matrix.shape[1]! }, (_, k) => matrix.get(j, k)));
}

describe("the worked example (docs/examples/xor-2-2-1-sigmoid.json)", () => {
  const decimal = workedExampleDecimal;

  it("takes every step of the derivation to the numbers of the 50-digit decimal computation, to 1e-13", () => {
    const { network, inputs, targets, learningRate } = exampleProblem();
    expect(depth(network.spec)).toBe(2);
    const step = trainingStep(network, inputs, targets, learningRate);
    expectCloseToDecimal(step.loss, decimal.loss, "loss");
    [1, 2].forEach((l) => {
      expectMatrixCloseToDecimal(step.trace.preactivations[l - 1]!, decimal.preactivations[l - 1]!, `z(${l})`);
      expectMatrixCloseToDecimal(step.trace.outputs[l]!, decimal.outputs[l - 1]!, `o(${l})`);
      expectMatrixCloseToDecimal(step.errors[l - 1]!, decimal.errors[l - 1]!, `e(${l})`);
      expectMatrixCloseToDecimal(step.deltas[l - 1]!, decimal.deltas[l - 1]!, `δ(${l})`);
      expectMatrixCloseToDecimal(step.gradients.weights[l - 1]!, decimal.gradients.weights[l - 1]!, `gradients.weights[${l - 1}]`);
      expectMatrixCloseToDecimal(step.deltaWeights.weights[l - 1]!, decimal.deltaWeights.weights[l - 1]!, `deltaWeights.weights[${l - 1}]`);
      expectMatrixCloseToDecimal(step.updated.weights[l - 1]!, decimal.updated.weights[l - 1]!, `updated.weights[${l - 1}]`);
    });
    expect(step.gradients.biases).toBeNull();
  });

  it("the 50-digit computation would catch a mistake: the intuitive rule's hidden-layer gradient is far from it", () => {
    const { network, inputs, targets } = exampleProblem();
    const wrong = mistakenGradients("intuitive-rule", network, inputs, targets);
    expect(() => expectMatrixCloseToDecimal(wrong.weights[0]!, decimal.gradients.weights[0]!, "gradients.weights[0]")).toThrow(
      /the 50-digit computation gives/,
    );
  });

  it("shows the seed's rule on its first sample: Δw = η × (error × o(1 − o)) × input", () => {
    const { network, inputs, targets } = parseCase({ ...workedExampleCase, inputs: [[0, 1]], targets: [[1]] });
    const step = trainingStep(network, inputs, targets, 0.3);
    const o = Number(decimal.outputs[1]![0]![0]!);
    const error = 1 - o;
    const hidden = decimal.outputs[0]!.map((row) => Number(row[0]!));
    hidden.forEach((input, k) =>
      expectCloseToDecimal(step.deltaWeights.weights[1]!.get(0, k), String(0.3 * error * o * (1 - o) * input), `ΔW(2)[0][${k}]`),
    );
  });
});
