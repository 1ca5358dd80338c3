import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { activationDerivative, softmaxBackward } from "../../src/model/activations.js";
import { backpropagate, gradients, hiddenDelta, hiddenError, outputDelta, outputError } from "../../src/model/backprop.js";
import { forward, networkLoss } from "../../src/model/forward.js";
import {
  assertDirectionShape,
  directionalDerivative,
  forwardTangents,
  tangentLayerOutput,
  tangentWeightedSum,
} from "../../src/model/forward-mode.js";
import { depth, type Network, type ParameterArrays } from "../../src/model/network.js";
import { NumericError, ShapeError } from "../../src/numeric/errors.js";
import { dimensions, hadamard, mapEntries, type Matrix, matrixFromRows, vectorFromArray, zeros } from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { caseWithDirection, directionEntry, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import { complexStepDirectionalDerivative, complexStepOutputTangents } from "../../src/oracles/complex-gradient.js";
import { displacedNetwork, largestEntry, parameterDot, powerOfTwoScale, scaledParameters } from "../../src/oracles/parameter-directions.js";
import { defaultFloor, relativeError } from "../../src/oracles/comparison.js";
import { crossesKink, kinkBranches } from "../../src/oracles/kinks.js";
import { caseWithDirections, innerProduct, relativeToScale, shapedLike } from "../support/directions.js";
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
 * Bounds on forward mode's rounding: forward mode run on the magnitudes of everything
 * ($|V_W| |o| + |W| \lvert\dot o\rvert_+ + |V_b|$, then $|f'| \odot$, or for a softmax output
 * $o_i(\lvert\dot z_i\rvert_+ + \sum_j o_j \lvert\dot z_j\rvert_+)$, the magnitudes of its Jacobian's
 * terms). A sum that cancels is rounded relative to the sum of its terms' magnitudes, and this
 * carries that bound through every sum forward mode takes, where the magnitudes of the last
 * inner product alone see only the last.
 */
function tangentBounds(network: Network, inputs: Matrix, direction: ParameterArrays): { readonly z: Matrix; readonly o: Matrix } {
  const magnitude = (matrix: Matrix): Matrix => mapEntries(zeros(...dimensions(matrix)), matrix, Math.abs);
  const trace = forward(network, inputs);
  const L = depth(network.spec);
  let tangent: Matrix | null = null;
  let zBound = zeros(1, 1);
  for (let l = 1; l <= L; l++) {
    const bias = direction.biases?.[l - 1] ?? null;
    zBound = tangentWeightedSum(
      magnitude(network.weights[l - 1]!),
      magnitude(direction.weights[l - 1]!),
      bias === null ? null : vectorFromArray(Array.from(bias.data, Math.abs)),
      magnitude(trace.outputs[l - 1]!),
      tangent,
    );
    const activation = network.spec.activations[l - 1]!;
    if (activation === "softmax") {
      const o = trace.outputs[l]!;
      const [units, samples] = dimensions(o);
      tangent = zeros(units, samples);
      for (let b = 0; b < samples; b++) {
        let mean = 0;
        for (let j = 0; j < units; j++) mean += o.get(j, b) * zBound.get(j, b);
        for (let i = 0; i < units; i++) tangent.set(i, b, o.get(i, b) * (zBound.get(i, b) + mean));
      }
    } else {
      tangent = hadamard(magnitude(activationDerivative(activation, trace.preactivations[l - 1]!)), zBound);
    }
  }
  return { z: zBound, o: tangent! };
}

/** The scale of forward mode's $\dot E$: $\frac1B \sum |\delta^{(L)}| \odot \lvert\dot z^{(L)}\rvert_+$ (see {@link tangentBounds}). */
function directionalDerivativeScale(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): number {
  const trace = forward(network, inputs);
  const L = depth(network.spec);
  const zBound = tangentBounds(network, inputs, direction).z;
  const error = outputError(network.spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets);
  const delta = outputDelta(network.spec, trace, error, targets);
  const [units, samples] = dimensions(delta);
  let scale = 0;
  for (let k = 0; k < units; k++) for (let b = 0; b < samples; b++) scale += Math.abs(delta.get(k, b)) * zBound.get(k, b);
  return scale / samples;
}

/** $e^{(L)} = t - o^{(L)}$, $n_L \times B$. */
function outputErrorOf(network: Network, inputs: Matrix, targets: Matrix): Matrix {
  const trace = forward(network, inputs);
  const L = depth(network.spec);
  return outputError(network.spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets);
}

function matrixValues(matrix: Matrix): number[] {
  const [rows, columns] = dimensions(matrix);
  const values: number[] = [];
  for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) values.push(matrix.get(j, b));
  return values;
}

describe("forward mode", () => {
  it("is the adjoint of reverse mode: ⟨u, J V⟩ = ⟨Jᵀu, V⟩ to 1e-12 of the magnitudes of the terms of every sum it takes, across random shapes, activations, losses, biases, batches and directions", () => {
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
        const bound = innerProduct(matrixValues(cotangent).map(Math.abs), matrixValues(tangentBounds(network, inputs, direction).o));
        const scale = Math.max(forwardSide.scale, reverseSide.scale, bound.value);
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

  it("gives the output tangents J V and Ė of the complex step, w + ihV, to 1e-12 on cases of general numbers (where the default spread's subnormal ones underflow differently in the two): JV relative to its largest entry (or 1e-3 max|V|), Ė to the magnitudes of the terms of its sums", () => {
    let worstTangent = 0;
    let worstLoss = 0;
    fc.assert(
      fc.property(caseWithDirection({ uniform: true }), ({ document, direction: arrays }) => {
        const { network, inputs, targets } = parseCase(document);
        // Scaled by a power of two to a largest entry near 1, as the complex step scales it: a
        // direction of 2^-60 times tiny weights underflows in forward mode, not in the oracle.
        const drawn = directionFromArrays(arrays);
        const direction = scaledParameters(drawn, 1 / powerOfTwoScale(drawn));
        const tangent = matrixValues(forwardTangents(network, inputs, direction).outputTangents.at(-1)!);
        const oracle = matrixValues(complexStepOutputTangents(network, inputs, direction));
        // Relative to the largest entry, or to 1e-3 max|V| (outputs move at about the rate of the parameters) where all are tiny.
        const largest = Math.max(...oracle.map(Math.abs), 1e-3 * largestEntry(direction));
        tangent.forEach((value, index) => {
          const error = relativeToScale(value, oracle[index]!, largest);
          if (error > 1e-12)
            throw new Error(`output tangent ${index}: ${value}, complex step ${oracle[index]}, ${error.toExponential(2)} of ${largest}`);
          worstTangent = Math.max(worstTangent, error);
        });
        // The complex step takes Ė through the outputs (or, for the cross-entropies, through z
        // against the targets), and rounds relative to those sums' terms: (|e| + |t|)(|ȯ| + |ż|).
        const bounds = tangentBounds(network, inputs, direction);
        const error = outputErrorOf(network, inputs, targets);
        const [units, samples] = dimensions(error);
        let oracleScale = 0;
        for (let k = 0; k < units; k++) {
          for (let b = 0; b < samples; b++) {
            oracleScale += (Math.abs(error.get(k, b)) + Math.abs(targets.get(k, b))) * (bounds.o.get(k, b) + bounds.z.get(k, b));
          }
        }
        const scale = Math.max(directionalDerivativeScale(network, inputs, targets, direction), oracleScale / samples);
        const lossError = relativeToScale(
          directionalDerivative(network, inputs, targets, direction),
          complexStepDirectionalDerivative(network, inputs, targets, direction),
          scale,
        );
        if (lossError > 1e-12) throw new Error(`Ė differs from the complex step's by ${lossError.toExponential(2)} of ${scale}`);
        worstLoss = Math.max(worstLoss, lossError);
      }),
      { numRuns },
    );
    console.log(
      `forward mode against the complex step: worst ${worstTangent.toExponential(2)} (JV), ${worstLoss.toExponential(2)} (Ė) (tolerance 1e-12)`,
    );
  });

  it("gives the Ė that the central difference of the loss along V approaches, (E(w + hV) − E(w − hV))/2h, along a unit direction, to 1e-6 with the floor 1e-3 max(1, |E|) max|V|, as the directional check judges ∇E·u", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection({ uniform: true }), ({ document, direction: arrays }) => {
        const { network, inputs, targets } = parseCase(document);
        const drawn = directionFromArrays(arrays);
        const norm = Math.sqrt(parameterDot(drawn, drawn));
        fc.pre(norm > 0);
        // A unit direction and the step of the directional check (oracles/directional), ε^(1/3) max(1, max|w|).
        const direction = scaledParameters(drawn, 1 / norm);
        const step = Math.cbrt(Number.EPSILON) * Math.max(1, largestEntry(network));
        const before = forward(network, inputs);
        const up = displacedNetwork(network, direction, step);
        const down = displacedNetwork(network, direction, -step);
        fc.pre(!crossesKink(kinkBranches(network, before.preactivations), up, forward(up, inputs).preactivations));
        fc.pre(!crossesKink(kinkBranches(network, before.preactivations), down, forward(down, inputs).preactivations));
        const numeric = (networkLoss(up, inputs, targets) - networkLoss(down, inputs, targets)) / (2 * step);
        const loss = networkLoss(network, inputs, targets);
        const floor = defaultFloor(loss) * largestEntry(direction);
        const error = relativeError(directionalDerivative(network, inputs, targets, direction), numeric, floor);
        if (error > 1e-6)
          throw new Error(
            `Ė ${directionalDerivative(network, inputs, targets, direction)}, central difference ${numeric}: ${error.toExponential(2)}`,
          );
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(`Ė against the central difference of the loss: worst relative error ${worst.toExponential(2)} (tolerance 1e-6)`);
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
    const notFinite = { weights: network.weights, biases: [network.biases![0]!, vectorFromArray([Number.NaN])] };
    expect(() => assertDirectionShape(network, notFinite)).toThrow(NumericError);
    expect(() => assertDirectionShape(network, notFinite)).toThrow("direction.biases[1][0] must be a finite number, got NaN");
  });
});
