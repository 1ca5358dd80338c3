import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { activationDerivative, type ElementwiseActivationName, softmaxBackward } from "../../src/model/activations.js";
import { backpropagate, gradients, hiddenDelta, hiddenError, outputDelta, outputError } from "../../src/model/backprop.js";
import { forward } from "../../src/model/forward.js";
import {
  assertDirectionShape,
  directionalDerivative,
  forwardTangents,
  tangentLayerOutput,
  tangentWeightedSum,
} from "../../src/model/forward-mode.js";
import { cloneNetwork, depth, type Network, type ParameterArrays } from "../../src/model/network.js";
import { ShapeError } from "../../src/numeric/errors.js";
import { dimensions, hadamard, mapEntries, type Matrix, matrixFromRows, vectorFromArray, zeros } from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { caseWithDirections, directionEntry, innerProduct, relativeToScale, shapedLike } from "../support/directions.js";
import { exampleProblem, exampleWithBiases } from "../support/fixtures.js";
import { valuesOf } from "../support/parameters.js";

/**
 * Reverse mode for the outputs: $J^\top u$ for a cotangent $u$ of $o^{(L)}$ ($n_L \times B$),
 * by backpropagation's own steps: through the output activation, then steps 3 and 4 down,
 * then step 5 times $B$ (step 5 takes the batch mean; $J^\top u$ is the sum over samples).
 */
function transposedJacobianProduct(network: Network, inputs: Matrix, cotangent: Matrix): number[] {
  const { spec, weights } = network;
  const L = depth(spec);
  const trace = forward(network, inputs);
  const output = spec.activations[L - 1]!;
  const deltas: Matrix[] = new Array<Matrix>(L);
  if (output === "softmax") deltas[L - 1] = softmaxBackward(trace.outputs[L]!, cotangent);
  else deltas[L - 1] = hadamard(activationDerivative(output, trace.preactivations[L - 1]!), cotangent);
  for (let l = L - 1; l >= 1; l--) {
    deltas[l - 1] = hiddenDelta(spec.activations[l - 1]!, trace.preactivations[l - 1]!, hiddenError(weights[l]!, deltas[l]!));
  }
  const [, samples] = dimensions(inputs);
  return valuesOf(gradients(trace, deltas, network.biases !== null)).map((value) => value * samples);
}

/** Forward mode with the mistake of forgetting that the earlier layers move: $\dot o^{(l-1)}$ never passed on. */
function tangentsOfEachLayerAlone(network: Network, inputs: Matrix, direction: ParameterArrays): Matrix {
  const trace = forward(network, inputs);
  let tangent = zeros(1, 1);
  for (let l = 1; l <= depth(network.spec); l++) {
    const zTangent = tangentWeightedSum(
      network.weights[l - 1]!,
      direction.weights[l - 1]!,
      direction.biases?.[l - 1] ?? null,
      trace.outputs[l - 1]!,
      null,
    );
    tangent = tangentLayerOutput(network.spec.activations[l - 1]!, trace.preactivations[l - 1]!, trace.outputs[l]!, zTangent);
  }
  return tangent;
}

/**
 * The scale against which forward mode's $\dot E$ is judged: $\frac1B \sum |\delta^{(L)}| \odot \lvert\dot z^{(L)}\rvert_+$,
 * where $\lvert\dot z\rvert_+$ is forward mode run on the magnitudes of everything
 * ($|V_W| |o| + |W| \lvert\dot o\rvert_+ + |V_b|$, then $|f'| \odot$). A sum that cancels is
 * rounded relative to the sum of its terms' magnitudes, and this carries that bound through
 * every sum forward mode takes, where $\sum |\nabla E \odot V|$ sees only the last. (Softmax is
 * an output activation only, and the output's own tangent is not needed: $\dot E$ uses $\dot z^{(L)}$.)
 */
function directionalDerivativeScale(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): number {
  const magnitude = (matrix: Matrix): Matrix => mapEntries(zeros(...dimensions(matrix)), matrix, Math.abs);
  const trace = forward(network, inputs);
  const L = depth(network.spec);
  let tangent: Matrix | null = null;
  for (let l = 1; l < L; l++) {
    const zBound = layerBound(network, direction, trace.outputs[l - 1]!, tangent, l, magnitude);
    const slopes = activationDerivative(network.spec.activations[l - 1] as ElementwiseActivationName, trace.preactivations[l - 1]!);
    tangent = hadamard(magnitude(slopes), zBound);
  }
  const zBound = layerBound(network, direction, trace.outputs[L - 1]!, tangent, L, magnitude);
  const error = outputError(network.spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets);
  const delta = outputDelta(network.spec, trace, error, targets);
  const [units, samples] = dimensions(delta);
  let scale = 0;
  for (let k = 0; k < units; k++) for (let b = 0; b < samples; b++) scale += Math.abs(delta.get(k, b)) * zBound.get(k, b);
  return scale / samples;
}

function layerBound(
  network: Network,
  direction: ParameterArrays,
  previousOutputs: Matrix,
  previousBound: Matrix | null,
  l: number,
  magnitude: (matrix: Matrix) => Matrix,
): Matrix {
  const bias = direction.biases?.[l - 1] ?? null;
  return tangentWeightedSum(
    magnitude(network.weights[l - 1]!),
    magnitude(direction.weights[l - 1]!),
    bias === null ? null : vectorFromArray(Array.from(bias.data, Math.abs)),
    magnitude(previousOutputs),
    previousBound,
  );
}

function matrixValues(matrix: Matrix): number[] {
  const [rows, columns] = dimensions(matrix);
  const values: number[] = [];
  for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) values.push(matrix.get(j, b));
  return values;
}

function moved(network: Network, direction: ParameterArrays, step: number): Network {
  const result = cloneNetwork(network);
  result.weights.forEach((weights, index) => {
    for (let entry = 0; entry < weights.data.length; entry++)
      weights.data[entry] = weights.data[entry]! + step * direction.weights[index]!.data[entry]!;
  });
  result.biases?.forEach((bias, index) => {
    for (let entry = 0; entry < bias.data.length; entry++)
      bias.data[entry] = bias.data[entry]! + step * direction.biases![index]!.data[entry]!;
  });
  return result;
}

describe("forward mode", () => {
  it("is the adjoint of reverse mode: ⟨u, J V⟩ = ⟨Jᵀu, V⟩ to 1e-12 of the sum of the terms' magnitudes, across random shapes, activations, losses, biases, batches and directions", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirections(1), fc.integer(), ({ document, directions }, seed) => {
        const { network, inputs } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const jv = forwardTangents(network, inputs, direction).outputTangents.at(-1)!;
        const [units, samples] = dimensions(jv);
        const cotangentValues = fc.sample(directionEntry, { numRuns: units * samples, seed });
        const cotangent = matrixFromRows(Array.from({ length: units }, (_, j) => cotangentValues.slice(j * samples, (j + 1) * samples)));
        const forwardSide = innerProduct(matrixValues(cotangent), matrixValues(jv));
        const reverseSide = innerProduct(transposedJacobianProduct(network, inputs, cotangent), directions[0]!);
        const scale = Math.max(forwardSide.scale, reverseSide.scale);
        fc.pre(scale > 0);
        const error = relativeToScale(forwardSide.value, reverseSide.value, scale);
        if (error > 1e-12)
          throw new Error(`⟨u, JV⟩ = ${forwardSide.value} but ⟨Jᵀu, V⟩ = ${reverseSide.value}: ${error.toExponential(2)} of ${scale}`);
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(`adjoint test: worst difference ${worst.toExponential(2)} of the terms' magnitudes (tolerance 1e-12)`);
  });

  it("rejects forward mode that forgets the tangents of the earlier layers (negative control of the adjoint test)", () => {
    fc.assert(
      fc.property(caseWithDirections(1, { depth: { min: 2, max: 4 } }), ({ document, directions }) => {
        const { network, inputs } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const right = forwardTangents(network, inputs, direction).outputTangents.at(-1)!;
        const wrong = tangentsOfEachLayerAlone(network, inputs, direction);
        const difference = matrixValues(right).reduce(
          (largest, value, index) => Math.max(largest, Math.abs(value - matrixValues(wrong)[index]!)),
          0,
        );
        fc.pre(difference > 1e-6 * Math.max(1, ...matrixValues(right).map(Math.abs)));
        const [units, samples] = dimensions(right);
        const cotangent = matrixFromRows(
          Array.from({ length: units }, (_, j) => Array.from({ length: samples }, (_, b) => ((j + b) % 3 === 0 ? 1 : -0.5))),
        );
        const reverseSide = innerProduct(transposedJacobianProduct(network, inputs, cotangent), directions[0]!);
        const mistaken = innerProduct(matrixValues(cotangent), matrixValues(wrong));
        const wrongSide = mistaken.value;
        // A single cotangent can be orthogonal to the mistake; the unit cotangent at the entry of the largest difference is not.
        const values = matrixValues(right);
        const wrongValues = matrixValues(wrong);
        let at = 0;
        values.forEach((value, index) => {
          if (Math.abs(value - wrongValues[index]!) > Math.abs(values[at]! - wrongValues[at]!)) at = index;
        });
        const unit = zeros(units, samples);
        unit.set(Math.floor(at / samples), at % samples, 1);
        const unitReverse = innerProduct(transposedJacobianProduct(network, inputs, unit), directions[0]!);
        const unitError = relativeToScale(wrongValues[at]!, unitReverse.value, Math.max(Math.abs(wrongValues[at]!), unitReverse.scale));
        expect(
          unitError,
          `the mistaken tangent ${wrongValues[at]} against ⟨Jᵀe, V⟩ = ${unitReverse.value} (and ${wrongSide} against ${reverseSide.value})`,
        ).toBeGreaterThan(1e-12);
      }),
      { numRuns },
    );
  });

  it("gives the directional derivative of the loss: Ė = ∇E·V as backpropagation's gradient gives it, to 1e-12 of the magnitudes of the terms of every sum forward mode takes", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirections(1), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const forwardValue = directionalDerivative(network, inputs, targets, direction);
        const reverse = innerProduct(valuesOf(backpropagate(network, inputs, targets).gradients), directions[0]!);
        const scale = Math.max(reverse.scale, directionalDerivativeScale(network, inputs, targets, direction));
        const error = relativeToScale(forwardValue, reverse.value, scale);
        if (error > 1e-12) throw new Error(`Ė = ${forwardValue} but ∇E·V = ${reverse.value}: ${error.toExponential(2)} of ${scale}`);
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(`directional derivative: worst difference from ∇E·V ${worst.toExponential(2)} of the sums' magnitudes (tolerance 1e-12)`);
  });

  it("gives the output tangents J V that central differences of the outputs approach, to 1e-6 relative to the largest", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirections(1), ({ document, directions }) => {
        const { network, inputs } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const tangent = matrixValues(forwardTangents(network, inputs, direction).outputTangents.at(-1)!);
        const step = Math.cbrt(Number.EPSILON) * Math.max(1, ...valuesOf(network).map(Math.abs));
        const up = matrixValues(forward(moved(network, direction, step), inputs).outputs.at(-1)!);
        const down = matrixValues(forward(moved(network, direction, -step), inputs).outputs.at(-1)!);
        const scale = Math.max(1e-3, ...tangent.map(Math.abs));
        tangent.forEach((value, index) => {
          const numeric = (up[index]! - down[index]!) / (2 * step);
          const error = Math.abs(value - numeric) / scale;
          if (error > 1e-6)
            throw new Error(`output tangent ${index}: ${value}, central difference ${numeric}, ${error.toExponential(2)} of ${scale}`);
          worst = Math.max(worst, error);
        });
      }),
      { numRuns },
    );
    console.log(`output tangents: worst difference from central differences ${worst.toExponential(2)} (tolerance 1e-6)`);
  });

  it("pins the tangents of the worked example along the direction of its own weights, which scales them: ż = z and ȯ = f′(z) ⊙ z for one layer", () => {
    const { network, inputs } = exampleProblem();
    const oneLayer = {
      spec: { ...network.spec, sizes: network.spec.sizes.slice(0, 2), activations: network.spec.activations.slice(0, 1) },
      weights: network.weights.slice(0, 1),
      biases: null,
    };
    const tangents = forwardTangents(oneLayer, inputs, { weights: oneLayer.weights, biases: null });
    const z = forward(oneLayer, inputs).preactivations[0]!;
    expect(matrixValues(tangents.preactivationTangents[0]!)).toEqual(matrixValues(z));
    const slopes = activationDerivative("sigmoid", z);
    expect(matrixValues(tangents.outputTangents[1]!)).toEqual(matrixValues(hadamard(slopes, z)));
    expect(matrixValues(tangents.outputTangents[0]!)).toEqual(matrixValues(zeros(...dimensions(inputs))));
  });

  it("refuses a direction not shaped like the parameters, naming the array, the shape it needs and the shape it has", () => {
    const { network } = exampleWithBiases();
    const right: ParameterArrays = { weights: network.weights, biases: network.biases };
    expect(() => assertDirectionShape(network, right)).not.toThrow();
    const cases: [ParameterArrays, string][] = [
      [
        { weights: network.weights.slice(1), biases: network.biases },
        "direction.weights has 1 matrices but the network has 2 weight layers",
      ],
      [{ weights: [network.weights[0]!, network.weights[0]!], biases: network.biases }, "direction.weights[1] is 2×2 but weights[1] is"],
      [{ weights: network.weights, biases: null }, "direction.biases is null but the network has biases"],
      [{ weights: network.weights, biases: [network.biases![0]!] }, "direction.biases has 1 vectors but the network has 2 weight layers"],
      [
        { weights: network.weights, biases: [network.biases![0]!, vectorFromArray([1, 2, 3])] },
        "direction.biases[1] has 3 entries but biases[1] has",
      ],
    ];
    for (const [direction, message] of cases) {
      expect(() => assertDirectionShape(network, direction)).toThrow(ShapeError);
      expect(() => assertDirectionShape(network, direction)).toThrow(message);
    }
    const { network: withoutBiases } = exampleProblem();
    expect(() => assertDirectionShape(withoutBiases, { weights: withoutBiases.weights, biases: [vectorFromArray([1])] })).toThrow(
      "direction.biases must be null: the network has no biases",
    );
  });
});
