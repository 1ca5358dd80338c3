/**
 * The numbers of the derivation's pages on forward mode and the second derivative
 * (docs/derivation/09-forward-mode.md and 10-second-derivative.md) are what the library
 * computes today: the worked example along the direction of its own weights, $V = W$; and those
 * of the page on weight decay (13-weight-decay.md), the worked example with $\lambda' = 0.01$. Each
 * number is written on the page to four significant digits, and each test builds the page's
 * formula from the library's numbers rounded the same way, so a change in the code that moves
 * a number fails here until the page is updated with it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { elementwiseActivations } from "../../src/model/activations.js";
import { backpropagate, trainingStep } from "../../src/model/backprop.js";
import { networkLoss } from "../../src/model/forward.js";
import { directionalDerivative, forwardTangents } from "../../src/model/forward-mode.js";
import { cloneNetwork, type Network, type ParameterArrays } from "../../src/model/network.js";
import {
  gaussNewtonVectorProduct,
  hessianVectorProduct,
  hiddenDeltaTangent,
  outputDeltaTangent,
} from "../../src/model/second-order.js";
import type { Matrix } from "../../src/numeric/tensor.js";
import { innerProduct, shapedLike } from "../support/directions.js";
import { exampleProblem } from "../support/fixtures.js";
import { valuesOf } from "../support/parameters.js";

const page = (name: string): string => readFileSync(new URL(`../../docs/derivation/${name}`, import.meta.url), "utf8");

/** A number as the pages write it: four significant digits, no trailing zeros. */
const figure = (x: number): string => Number(x.toPrecision(4)).toString();

/** A matrix as the pages write it, rows of figures in a `bmatrix`. */
const bmatrix = (matrix: Matrix): string => {
  const [rows, columns] = matrix.shape as [number, number];
  const lines = Array.from({ length: rows }, (_, j) => Array.from({ length: columns }, (_, b) => figure(matrix.get(j, b))).join(" & "));
  return `\\begin{bmatrix} ${lines.join(" \\\\ ")} \\end{bmatrix}`;
};

/** The loss with every weight scaled by `s`: the worked example on the line $w(\epsilon) = (1 + \epsilon) w$. */
function scaledLoss(network: Network, inputs: Matrix, targets: Matrix, s: number): number {
  const scaled = cloneNetwork(network);
  for (const weights of scaled.weights) for (let entry = 0; entry < weights.data.length; entry++) weights.data[entry] = weights.data[entry]! * s;
  return networkLoss(scaled, inputs, targets);
}

function expectOnPage(text: string, snippet: string): void {
  expect(text.includes(snippet), `the page should say ${snippet}`).toBe(true);
}

describe("the numbers of the pages on forward mode and the second derivative", () => {
  it("page 9's tangents of the worked example along its own weights are forward mode's, and Ė is ∇E·V and the central difference of E(s w)", () => {
    const text = page("09-forward-mode.md");
    const { network, inputs, targets } = exampleProblem();
    const direction: ParameterArrays = { weights: network.weights, biases: null };
    const tangents = forwardTangents(network, inputs, direction);
    const [zTangent1, zTangent2] = tangents.preactivationTangents as [Matrix, Matrix];
    const outputTangent1 = tangents.outputTangents[1]!;
    const z2 = tangents.trace.preactivations[1]!;
    expect(valuesOf({ weights: [zTangent1], biases: null })).toEqual(valuesOf({ weights: [tangents.trace.preactivations[0]!], biases: null }));
    expectOnPage(text, `\\dot o^{(1)} = f'\\!\\left(z^{(1)}\\right) \\odot z^{(1)} = ${bmatrix(outputTangent1)}`);
    expect([network.weights[1]!.get(0, 0), network.weights[1]!.get(0, 1)]).toEqual([0.5, -0.6]);
    expectOnPage(
      text,
      `$${figure(z2.get(0, 0))} + (0.5 \\cdot (${figure(outputTangent1.get(0, 0))}) - 0.6 \\cdot ${figure(outputTangent1.get(1, 0))}) \\approx ${figure(zTangent2.get(0, 0))}$`,
    );
    expectOnPage(text, `\\dot z^{(2)} = ${bmatrix(zTangent2)}, \\qquad J V = \\dot o^{(2)} = ${bmatrix(tangents.outputTangents[2]!)}:`);

    const rate = directionalDerivative(network, inputs, targets, direction);
    const fromGradient = innerProduct(valuesOf(backpropagate(network, inputs, targets).gradients), valuesOf(direction)).value;
    const central = (scaledLoss(network, inputs, targets, 1.001) - scaledLoss(network, inputs, targets, 0.999)) / 0.002;
    expect(figure(fromGradient)).toBe(figure(rate));
    expect(figure(central)).toBe(figure(rate));
    expectOnPage(text, `$\\dot E = ${figure(rate)}$`);
    expectOnPage(text, `\\left(E(1.001\\, w) - E(0.999\\, w)\\right) / 0.002 = ${figure(central)}$`);
  });

  it("page 10's steps, products and curvatures of the worked example along its own weights are the R-operator's and the Gauss–Newton product's", () => {
    const text = page("10-second-derivative.md");
    const { network, inputs, targets } = exampleProblem();
    const direction: ParameterArrays = { weights: network.weights, biases: null };
    const tangents = forwardTangents(network, inputs, direction);
    const { trace } = tangents;
    const { errors, deltas } = backpropagate(network, inputs, targets);
    const sigmoid = elementwiseActivations.sigmoid;

    const z2 = trace.preactivations[1]!.get(0, 0);
    const slope = sigmoid.derivative(z2);
    const curvature = sigmoid.secondDerivative(z2);
    const error = errors[1]!.get(0, 0);
    const outputDeltaTangents = outputDeltaTangent(network.spec, trace, tangents, errors[1]!, targets);
    expectOnPage(text, `$f'(z^{(2)}) = ${figure(slope)}$, $f''(z^{(2)}) = ${figure(curvature)}$ and`);
    expectOnPage(text, `$e^{(2)} = ${figure(error)}$, and page 9 gave its tangent $\\dot z^{(2)} = ${figure(tangents.preactivationTangents[1]!.get(0, 0))}$`);
    expectOnPage(text, `$\\dot\\delta^{(2)} = (${figure(slope * slope)} - ${figure(error * curvature)}) \\cdot (${figure(tangents.preactivationTangents[1]!.get(0, 0))})$`);
    expectOnPage(text, `$$\\dot\\delta^{(2)} = ${bmatrix(outputDeltaTangents)}.$$`);

    // Step 2's three terms for the first sample, each from its definition; their sum is what hiddenDeltaTangent computes.
    const W2 = network.weights[1]!;
    const hiddenTangents = hiddenDeltaTangent(
      "sigmoid",
      trace.preactivations[0]!,
      tangents.preactivationTangents[0]!,
      errors[0]!,
      W2,
      direction.weights[1]!,
      deltas[1]!,
      outputDeltaTangents,
    );
    const terms = [0, 1].map((k) => {
      const z = trace.preactivations[0]!.get(k, 0);
      const bends = sigmoid.secondDerivative(z) * tangents.preactivationTangents[0]!.get(k, 0) * W2.get(0, k) * deltas[1]!.get(0, 0);
      const weightsMove = sigmoid.derivative(z) * direction.weights[1]!.get(0, k) * deltas[1]!.get(0, 0);
      const deltaMoves = sigmoid.derivative(z) * W2.get(0, k) * outputDeltaTangents.get(0, 0);
      expect(Math.abs(bends + weightsMove + deltaMoves - hiddenTangents.get(k, 0))).toBeLessThan(1e-16);
      expect(Math.abs(weightsMove - deltas[0]!.get(k, 0))).toBeLessThan(1e-16);
      return [bends, weightsMove, deltaMoves, hiddenTangents.get(k, 0)];
    });
    const column = (index: number) => `\\begin{bmatrix} ${figure(terms[0]![index]!)} \\\\ ${figure(terms[1]![index]!)} \\end{bmatrix}`;
    expectOnPage(text, `\\underbrace{${column(0)}}_{f'' \\odot \\dot z \\odot W^\\top \\delta}`);
    expectOnPage(text, `+ \\underbrace{${column(1)}}_{f' \\odot V_W^\\top \\delta}`);
    expectOnPage(text, `+ \\underbrace{${column(2)}}_{f' \\odot W^\\top \\dot\\delta}`);
    expectOnPage(text, `= ${column(3)} = \\dot\\delta^{(1)}_{:,1}.$$`);

    const hessian = hessianVectorProduct(network, inputs, targets, direction);
    const gaussNewton = gaussNewtonVectorProduct(network, inputs, targets, direction);
    expectOnPage(text, `(HV)_W^{(1)} = ${bmatrix(hessian.weights[0]!)}, \\qquad\n(HV)_W^{(2)} = ${bmatrix(hessian.weights[1]!)},$$`);
    expectOnPage(text, `(GV)_W^{(1)} = ${bmatrix(gaussNewton.weights[0]!)}, \\qquad\n(GV)_W^{(2)} = ${bmatrix(gaussNewton.weights[1]!)},$$`);

    const v = valuesOf(direction);
    const curvatureAlong = innerProduct(v, valuesOf(hessian)).value;
    const second =
      (scaledLoss(network, inputs, targets, 1.001) - 2 * scaledLoss(network, inputs, targets, 1) + scaledLoss(network, inputs, targets, 0.999)) / 1e-6;
    expect(figure(second)).toBe(figure(curvatureAlong));
    expectOnPage(text, `and $V^\\top H V = ${figure(curvatureAlong)}$.`);
    expectOnPage(text, `\\left(E(1.001\\, w) - 2 E(w) + E(0.999\\, w)\\right) / 10^{-6} = ${figure(second)}$.`);
    expectOnPage(text, `and $V^\\top G V = ${figure(innerProduct(v, valuesOf(gaussNewton)).value)}$, about twice`);

    // U raises w⁽¹⁾₁₁ and lowers w⁽²⁾₁₁ by the same amount.
    const u = v.map((_, index) => (index === 0 ? 1 : index === 4 ? -1 : 0));
    expect(network.weights[0]!.get(0, 0)).toBe(v[0]);
    expect(network.weights[1]!.get(0, 0)).toBe(v[4]);
    const uHu = innerProduct(u, valuesOf(hessianVectorProduct(network, inputs, targets, shapedLike(network, u)))).value;
    const uGu = innerProduct(u, valuesOf(gaussNewtonVectorProduct(network, inputs, targets, shapedLike(network, u)))).value;
    expect(uHu).toBeLessThan(0);
    expect(uGu).toBeGreaterThan(0);
    expectOnPage(text, `$U^\\top H U = ${figure(uHu)}$, while $U^\\top G U = ${figure(uGu)}$`);
  });

  it("page 13's loss, gradient and step of the worked example with weight decay 0.01 are the library's: the batch mean plus 0.005 · 0.91, and λ'w added to the gradient", () => {
    const text = page("13-weight-decay.md");
    const problem = exampleProblem();
    const { network, inputs, targets, learningRate } = problem;
    const weightDecay = 0.01;
    const plain = trainingStep(network, inputs, targets, learningRate);
    const decayed = trainingStep(network, inputs, targets, learningRate, undefined, weightDecay);
    const squares = valuesOf({ weights: network.weights, biases: null }).reduce((total, weight) => total + weight * weight, 0);
    expect(figure(squares)).toBe("0.91");
    expect(figure(decayed.loss)).toBe(figure(plain.loss + (weightDecay / 2) * squares));
    expectOnPage(text, `$E = ${figure(plain.loss)} + \\frac{0.01}{2} \\cdot 0.91 = ${figure(decayed.loss)}$`);
    const w = network.weights[1]!.get(0, 0);
    const gradient = decayed.gradients.weights[1]!.get(0, 0);
    expect(gradient).toBe(plain.gradients.weights[1]!.get(0, 0) + weightDecay * w);
    expectOnPage(
      text,
      `$\\partial E / \\partial w^{(2)}_{11} = ${figure(plain.gradients.weights[1]!.get(0, 0))} + 0.01 \\cdot ${w} = ${figure(gradient)}$`,
    );
    expectOnPage(text, `$\\Delta w^{(2)}_{11} = -${learningRate} \\cdot ${figure(gradient)} = ${figure(decayed.deltaWeights.weights[1]!.get(0, 0))}$`);
  });
});
