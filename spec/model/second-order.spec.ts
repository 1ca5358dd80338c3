import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCase } from "../../src/conformance/case-format.js";
import { sigmoidDerivative } from "../../src/model/activations.js";
import { networkLoss } from "../../src/model/forward.js";
import { directionalDerivative, forwardTangents } from "../../src/model/forward-mode.js";
import { createNetwork, type Network, type ParameterArrays } from "../../src/model/network.js";
import { gaussNewtonVectorProduct, hessianVectorProduct, secondOrder } from "../../src/model/second-order.js";
import { NumericError, ShapeError } from "../../src/numeric/errors.js";
import { dimensions, type Matrix, matrixFromRows, vectorFromArray } from "../../src/numeric/tensor.js";
import { numRuns } from "../support/arbitraries.js";
import { bilinearFloor, caseWithDirections, euclideanNorm, innerProduct, relativeToScale, shapedLike } from "../support/directions.js";
import { exampleWithBiases } from "../support/fixtures.js";
import { expectParametersClose, sampleOf, valuesOf, worstRelativeError } from "../support/parameters.js";
import { caseWithDirection, directionFromArrays } from "../../src/conformance/direction-arbitrary.js";
import {
  mistakenHessianProduct,
  type SecondOrderMistakeName,
  secondOrderMistakeNames,
} from "../../src/conformance/second-order-mistakes.js";
import { defaultFloor } from "../../src/oracles/comparison.js";
import { complexStepHessianProduct } from "../../src/oracles/complex-gradient.js";
import { hessianDifferenceTolerances, hessianProductFloor, richardsonHessianProduct } from "../../src/oracles/hessian-differences.js";

type Product = (network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays) => ParameterArrays;

/** $U^\top P V$ and $V^\top P U$ for a product $P$, with the scale of their terms. */
function bothWays(product: Product, network: Network, inputs: Matrix, targets: Matrix, u: readonly number[], v: readonly number[]) {
  const pv = valuesOf(product(network, inputs, targets, shapedLike(network, v)));
  const pu = valuesOf(product(network, inputs, targets, shapedLike(network, u)));
  const uPv = innerProduct(u, pv);
  const vPu = innerProduct(v, pu);
  const floor = bilinearFloor(networkLoss(network, inputs, targets), u, v);
  return { uPv: uPv.value, vPu: vPu.value, scale: Math.max(uPv.scale, vPu.scale, floor) };
}

/** The columns $P e_i$ of a product's matrix, for every unit direction $e_i$. */
function assembled(product: Product, network: Network, inputs: Matrix, targets: Matrix): number[][] {
  const count = valuesOf(network).length;
  return Array.from({ length: count }, (_, i) => {
    const unit = Array.from({ length: count }, (_, k) => (k === i ? 1 : 0));
    return valuesOf(product(network, inputs, targets, shapedLike(network, unit)));
  });
}

function matrixValues(matrix: Matrix): number[] {
  const [rows, columns] = dimensions(matrix);
  const values: number[] = [];
  for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) values.push(matrix.get(j, b));
  return values;
}

describe("the Hessian-vector product (R-operator)", () => {
  it("agrees with the complex step of the gradient to 1e-11 on every entry (relative, with the floor 1e-3 max(1, |E|) max|V|), across random shapes, activations, losses, biases, batches and directions", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection(), ({ document, direction: arrays }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = directionFromArrays(arrays);
        const exact = hessianVectorProduct(network, inputs, targets, direction);
        const oracle = complexStepHessianProduct(network, inputs, targets, direction);
        const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
        expectParametersClose(exact, oracle, { tolerance: 1e-11, floor, what: "HV against the complex step of the gradient" });
        worst = Math.max(worst, worstRelativeError(exact, oracle, floor).error);
      }),
      { numRuns },
    );
    console.log(`HV against the complex step of the gradient: worst relative error ${worst.toExponential(2)} (tolerance 1e-11)`);
  });

  it("agrees with Richardson extrapolation of differences of gradients along V within its tolerance, where no step crosses a kink", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirection(), ({ document, direction: arrays }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = directionFromArrays(arrays);
        const differences = richardsonHessianProduct(network, inputs, targets, direction);
        fc.pre(!differences.kinkCrossed);
        const exact = hessianVectorProduct(network, inputs, targets, direction);
        const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
        const tolerance = hessianDifferenceTolerances.richardson;
        expectParametersClose(exact, differences.product, { tolerance, floor, what: "HV against Richardson extrapolation" });
        worst = Math.max(worst, worstRelativeError(exact, differences.product, floor).error);
      }),
      { numRuns },
    );
    console.log(
      `HV against Richardson extrapolation: worst relative error ${worst.toExponential(2)} (tolerance ${hessianDifferenceTolerances.richardson})`,
    );
  });

  it("rejects each known mistake of the R-operator by the complex step of the gradient, on the worked example and on random cases where the mistake changes the product (negative controls)", () => {
    const fixture = exampleWithBiases();
    const fixtureDirection = shapedLike(
      fixture.network,
      valuesOf(fixture.network).map((_, index) => ((index * 7) % 5) / 4 - 0.5),
    );
    const rejects = (
      name: SecondOrderMistakeName,
      network: Network,
      inputs: Matrix,
      targets: Matrix,
      direction: ParameterArrays,
    ): boolean => {
      const oracle = complexStepHessianProduct(network, inputs, targets, direction);
      const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
      return worstRelativeError(mistakenHessianProduct(name, network, inputs, targets, direction), oracle, floor).error > 1e-10;
    };
    for (const name of secondOrderMistakeNames) {
      expect(rejects(name, fixture.network, fixture.inputs, fixture.targets, fixtureDirection), name).toBe(true);
    }
    fc.assert(
      fc.property(
        caseWithDirection({ uniform: true }),
        fc.constantFrom(...secondOrderMistakeNames),
        ({ document, direction: arrays }, name) => {
          const { network, inputs, targets } = parseCase(document);
          const direction = directionFromArrays(arrays);
          const exact = hessianVectorProduct(network, inputs, targets, direction);
          const mistaken = mistakenHessianProduct(name, network, inputs, targets, direction);
          const floor = hessianProductFloor(networkLoss(network, inputs, targets), direction);
          fc.pre(worstRelativeError(mistaken, exact, floor).error > 1e-6);
          expect(rejects(name, network, inputs, targets, direction), name).toBe(true);
        },
      ),
      { numRuns },
    );
  });

  it("is symmetric: Uᵀ(HV) = Vᵀ(HU) to 1e-12 of the terms' magnitudes (or of the bilinear floor), across random shapes, activations, losses, biases, batches and directions", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirections(2), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const { uPv, vPu, scale } = bothWays(hessianVectorProduct, network, inputs, targets, directions[0]!, directions[1]!);
        const error = relativeToScale(uPv, vPu, scale);
        if (error > 1e-12) throw new Error(`Uᵀ(HV) = ${uPv} but Vᵀ(HU) = ${vPu}: ${error.toExponential(2)} of ${scale}`);
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(`Hessian symmetry: worst ${worst.toExponential(2)} of the terms' magnitudes (tolerance 1e-12)`);
  });

  it("assembled from one product per parameter, the whole Hessian is symmetric, entry by entry, to 1e-12 of its largest entry (or of the floor 1e-3 max(1, |E|))", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirections(0, { width: { min: 1, max: 3 }, depth: { min: 1, max: 3 } }), ({ document }) => {
        const { network, inputs, targets } = parseCase(document);
        const columns = assembled(hessianVectorProduct, network, inputs, targets);
        // Its largest entry, or the floor of a form of unit directions, defaultFloor(E), where every entry is tiny.
        const largest = Math.max(...columns.flat().map(Math.abs), defaultFloor(networkLoss(network, inputs, targets)));
        columns.forEach((column, i) =>
          column.forEach((entry, k) => {
            const error = relativeToScale(entry, columns[k]![i]!, largest);
            if (error > 1e-12)
              throw new Error(`H[${k}][${i}] = ${entry} but H[${i}][${k}] = ${columns[k]![i]}: ${error.toExponential(2)} of ${largest}`);
            worst = Math.max(worst, error);
          }),
        );
      }),
      { numRuns },
    );
    console.log(`assembled Hessian: worst asymmetry ${worst.toExponential(2)} of its largest entry (tolerance 1e-12)`);
  });

  it("for one identity layer with squared error equals its closed form: δ_jj′ mean_b x_kb x_k′b between weights, δ_jj′ mean_b x_kb between a weight and a bias, δ_jj′ between biases", () => {
    fc.assert(
      fc.property(caseWithDirections(0, { depth: { min: 1, max: 1 }, outputs: [["identity", "squared_error"]] }), ({ document }) => {
        const { network, inputs, targets } = parseCase(document);
        const [fanIn, samples] = dimensions(inputs);
        const units = network.spec.sizes[1]!;
        const mean = (f: (b: number) => number) => Array.from({ length: samples }, (_, b) => f(b)).reduce((sum, x) => sum + x, 0) / samples;
        const input = (k: number, b: number) => (k === fanIn ? 1 : inputs.get(k, b));
        const columns = assembled(hessianVectorProduct, network, inputs, targets);
        const parameter = (index: number) =>
          index < units * fanIn ? { j: Math.floor(index / fanIn), k: index % fanIn } : { j: index - units * fanIn, k: fanIn };
        columns.forEach((column, i) =>
          column.forEach((entry, r) => {
            const row = parameter(r);
            const col = parameter(i);
            const expected = row.j === col.j ? mean((b) => input(row.k, b) * input(col.k, b)) : 0;
            const error = relativeToScale(entry, expected, Math.max(Math.abs(expected), 1));
            if (error > 1e-14) throw new Error(`H[${r}][${i}] = ${entry}, closed form ${expected}`);
          }),
        );
      }),
      { numRuns },
    );
  });

  it("is linear in the direction: H(aU + V) = a HU + HV to 1e-12 of the terms' magnitudes", () => {
    fc.assert(
      fc.property(caseWithDirections(2), fc.double({ min: -4, max: 4, noNaN: true }), ({ document, directions }, a) => {
        const { network, inputs, targets } = parseCase(document);
        const [u, v] = directions as [number[], number[]];
        const combined = u.map((entry, index) => a * entry + v[index]!);
        const product = (values: readonly number[]) =>
          valuesOf(hessianVectorProduct(network, inputs, targets, shapedLike(network, values)));
        const [hu, hv, hCombined] = [product(u), product(v), product(combined)];
        const scale = Math.max(
          ...hu.map((x, i) => Math.abs(a * x) + Math.abs(hv[i]!)),
          bilinearFloor(networkLoss(network, inputs, targets), combined, combined) / Math.max(1e-300, euclideanNorm(combined)),
        );
        hCombined.forEach((entry, index) => {
          const error = relativeToScale(entry, a * hu[index]! + hv[index]!, scale);
          if (error > 1e-12)
            throw new Error(
              `entry ${index}: H(aU + V) = ${entry}, aHU + HV = ${a * hu[index]! + hv[index]!}, ${error.toExponential(2)} of ${scale}`,
            );
        });
      }),
      { numRuns },
    );
  });

  it("of a batch is the mean of the products of its samples, as the Hessian of a mean is", () => {
    fc.assert(
      fc.property(caseWithDirections(1, { batch: { min: 2, max: 5 } }), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const whole = valuesOf(hessianVectorProduct(network, inputs, targets, direction));
        const [, samples] = dimensions(inputs);
        const perSample = Array.from({ length: samples }, (_, b) =>
          valuesOf(hessianVectorProduct(network, sampleOf(inputs, b), sampleOf(targets, b), direction)),
        );
        const scale = Math.max(
          ...perSample.flat().map(Math.abs),
          bilinearFloor(networkLoss(network, inputs, targets), directions[0]!, directions[0]!) /
            Math.max(1e-300, euclideanNorm(directions[0]!)),
        );
        whole.forEach((entry, index) => {
          const mean = perSample.reduce((sum, product) => sum + product[index]!, 0) / samples;
          const error = relativeToScale(entry, mean, scale);
          if (error > 1e-12)
            throw new Error(
              `entry ${index}: the batch's ${entry}, the mean of its samples' ${mean}, ${error.toExponential(2)} of ${scale}`,
            );
        });
      }),
      { numRuns },
    );
  });
});

/** $\dot z^\top H_\ell \dot z$ of one sample, from the definition of each loss's curvature in the split the Gauss–Newton product uses. */
function lossCurvature(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): number {
  const tangents = forwardTangents(network, inputs, direction);
  const L = network.spec.sizes.length - 1;
  const z = tangents.trace.preactivations[L - 1]!;
  const o = tangents.trace.outputs[L]!;
  const zTangent = tangents.preactivationTangents[L - 1]!;
  const oTangent = tangents.outputTangents[L]!;
  const [units, samples] = dimensions(z);
  let sum = 0;
  for (let b = 0; b < samples; b++) {
    for (let k = 0; k < units; k++) {
      if (network.spec.loss === "squared_error") sum += oTangent.get(k, b) ** 2;
      if (network.spec.loss === "binary_cross_entropy") sum += sigmoidDerivative(z.get(k, b)) * zTangent.get(k, b) ** 2;
    }
    if (network.spec.loss === "cross_entropy") {
      let targetSum = 0;
      let meanSquare = 0;
      let mean = 0;
      for (let k = 0; k < units; k++) {
        targetSum += targets.get(k, b);
        meanSquare += o.get(k, b) * zTangent.get(k, b) ** 2;
        mean += o.get(k, b) * zTangent.get(k, b);
      }
      sum += targetSum * (meanSquare - mean * mean);
    }
  }
  return sum / samples;
}

describe("the Gauss–Newton product", () => {
  it("is VᵀGV = mean_b żᵀH_ℓż: ‖JV‖² for squared error, Σ σ′(z) ż² for binary cross-entropy, (Σt)(Σ o ż² − (Σ o ż)²) for cross-entropy, to 1e-12 of the terms' magnitudes", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseWithDirections(1), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const v = directions[0]!;
        const direction = shapedLike(network, v);
        const form = innerProduct(v, valuesOf(gaussNewtonVectorProduct(network, inputs, targets, direction)));
        const expected = lossCurvature(network, inputs, targets, direction);
        const scale = Math.max(form.scale, Math.abs(expected), bilinearFloor(networkLoss(network, inputs, targets), v, v));
        const error = relativeToScale(form.value, expected, scale);
        if (error > 1e-12) throw new Error(`VᵀGV = ${form.value} but żᵀH_ℓż = ${expected}: ${error.toExponential(2)} of ${scale}`);
        worst = Math.max(worst, error);
      }),
      { numRuns },
    );
    console.log(`Gauss–Newton form: worst ${worst.toExponential(2)} of the terms' magnitudes (tolerance 1e-12)`);
  });

  it("is positive semi-definite where the loss is convex: VᵀGV ≥ 0, to rounding, for squared error, binary cross-entropy, and cross-entropy with targets that sum to 0 or more", () => {
    fc.assert(
      fc.property(caseWithDirections(1), ({ document, directions }) => {
        fc.pre(document.loss !== "cross_entropy" || document.targets.every((row) => row.reduce((sum, t) => sum + t, 0) >= 0));
        const { network, inputs, targets } = parseCase(document);
        const v = directions[0]!;
        const form = innerProduct(v, valuesOf(gaussNewtonVectorProduct(network, inputs, targets, shapedLike(network, v))));
        expect(form.value).toBeGreaterThanOrEqual(
          -1e-12 * Math.max(form.scale, bilinearFloor(networkLoss(network, inputs, targets), v, v)),
        );
      }),
      { numRuns },
    );
  });

  it("is symmetric: Uᵀ(GV) = Vᵀ(GU) to 1e-12 of the terms' magnitudes", () => {
    fc.assert(
      fc.property(caseWithDirections(2), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const { uPv, vPu, scale } = bothWays(gaussNewtonVectorProduct, network, inputs, targets, directions[0]!, directions[1]!);
        expect(relativeToScale(uPv, vPu, scale)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns },
    );
  });

  it("equals the Hessian-vector product where the split point is linear in the parameters: one weight layer, with a matching loss or an identity output", () => {
    fc.assert(
      fc.property(
        caseWithDirections(1, {
          depth: { min: 1, max: 1 },
          outputs: [
            ["identity", "squared_error"],
            ["softmax", "cross_entropy"],
            ["sigmoid", "binary_cross_entropy"],
          ],
        }),
        ({ document, directions }) => {
          const { network, inputs, targets } = parseCase(document);
          const direction = shapedLike(network, directions[0]!);
          const hessian = valuesOf(hessianVectorProduct(network, inputs, targets, direction));
          const gaussNewton = valuesOf(gaussNewtonVectorProduct(network, inputs, targets, direction));
          hessian.forEach((entry, index) => expect(entry + 0, `entry ${index}`).toBe(gaussNewton[index]! + 0));
        },
      ),
      { numRuns },
    );
  });

  it("differs from the Hessian-vector product once a hidden layer bends (the difference the Gauss–Newton approximation makes)", () => {
    const { network, inputs, targets } = exampleWithBiases();
    const direction = shapedLike(
      network,
      valuesOf(network).map((_, index) => ((index * 7) % 5) / 4 - 0.5),
    );
    const hessian = valuesOf(hessianVectorProduct(network, inputs, targets, direction));
    const gaussNewton = valuesOf(gaussNewtonVectorProduct(network, inputs, targets, direction));
    expect(Math.max(...hessian.map((entry, index) => Math.abs(entry - gaussNewton[index]!)))).toBeGreaterThan(1e-3);
  });
});

describe("secondOrder", () => {
  it("returns the loss, Ė, JV, HV and GV of the functions that compute each", () => {
    fc.assert(
      fc.property(caseWithDirections(1, { batch: { min: 1, max: 3 } }), ({ document, directions }) => {
        const { network, inputs, targets } = parseCase(document);
        const direction = shapedLike(network, directions[0]!);
        const products = secondOrder(network, inputs, targets, direction);
        expect(products.loss).toBe(networkLoss(network, inputs, targets));
        expect(products.directionalDerivative).toBe(directionalDerivative(network, inputs, targets, direction));
        expect(matrixValues(products.outputTangents)).toEqual(
          matrixValues(forwardTangents(network, inputs, direction).outputTangents.at(-1)!),
        );
        expect(valuesOf(products.hessianVectorProduct)).toEqual(valuesOf(hessianVectorProduct(network, inputs, targets, direction)));
        expect(valuesOf(products.gaussNewtonVectorProduct)).toEqual(
          valuesOf(gaussNewtonVectorProduct(network, inputs, targets, direction)),
        );
      }),
      { numRuns },
    );
  });

  it("refuses a direction not shaped like the parameters and input that overflows, naming what", () => {
    const { network, inputs, targets } = exampleWithBiases();
    expect(() => secondOrder(network, inputs, targets, { weights: network.weights, biases: null })).toThrow(ShapeError);
    const huge = createNetwork(
      { ...network.spec, activations: ["identity", "identity"] },
      network.weights.map((weights) => matrixFromRows(matrixToRowsScaled(weights, 1e160))),
      network.biases!.map((bias) => vectorFromArray(Array.from(bias.data))),
    );
    expect(() => secondOrder(huge, inputs, targets, huge)).toThrow(NumericError);
  });
});

function matrixToRowsScaled(matrix: Matrix, factor: number): number[][] {
  const [rows, columns] = dimensions(matrix);
  return Array.from({ length: rows }, (_, j) => Array.from({ length: columns }, (_, k) => matrix.get(j, k) * factor));
}
