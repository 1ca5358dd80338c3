/**
 * The worked example: a network the size of the seed's first one (2-2-1, sigmoid, squared
 * error, no biases) and a batch of two XOR samples, taken through the forward pass, every step
 * of backpropagation, one update, and a gradient check, with every intermediate number printed.
 *
 * It is what `npx backprop-ref example` prints, the example case of the case format (docs/case-format.md), and the case
 * pinned to independently computed numbers by the example tests.
 *
 * @module
 */
import { trainingStep } from "../model/backprop.js";
import { depth, type ParameterArrays } from "../model/network.js";
import { dimensions, type Matrix, type Vector } from "../numeric/tensor.js";
import { checkGradients } from "../oracles/gradient-check.js";
import { formatReport } from "../oracles/report.js";
import { type CaseDocument, caseFormat, parseCase } from "./case-format.js";
import type { HvpCaseDocument } from "./hvp-format.js";

/** The worked example as a `backprop-ref/case@1` document (also `docs/examples/xor-2-2-1-sigmoid.json`). */
export const workedExampleCase: CaseDocument = {
  format: caseFormat,
  id: "xor-2-2-1-sigmoid",
  sizes: [2, 2, 1],
  activations: ["sigmoid", "sigmoid"],
  loss: "squared_error",
  weights: [
    [
      [0.1, -0.2],
      [0.4, 0.3],
    ],
    [[0.5, -0.6]],
  ],
  biases: null,
  inputs: [
    [0, 1],
    [1, 1],
  ],
  targets: [[1], [0]],
  learningRate: 0.3,
};

/**
 * The worked example with a direction, the example of `npx backprop-ref hvp` (also
 * `docs/examples/xor-2-2-1-sigmoid-hvp.json` and docs/case-format.md): $V$ moves the first
 * hidden unit's weight from the first input, $w^{(1)}_{11}$, and the output's weight from the
 * second hidden unit, $w^{(2)}_{12}$, each at rate 1, and nothing else. So
 * $\nabla E \cdot V = \partial E / \partial w^{(1)}_{11} + \partial E / \partial w^{(2)}_{12}$, which a
 * reader can check against the gradients of the result.
 */
export const workedExampleHvpCase: HvpCaseDocument = {
  ...workedExampleCase,
  direction: {
    weights: [
      [
        [1, 0],
        [0, 0],
      ],
      [[0, 1]],
    ],
    biases: null,
  },
};

/**
 * The worked example as text: each quantity with its formula, one sample per column.
 *
 * @param document - the case to work through; by default {@link workedExampleCase}
 */
export function workedExample(document: CaseDocument = workedExampleCase): string {
  const problem = parseCase(document);
  const { network, inputs, targets, learningRate } = problem;
  const L = depth(network.spec);
  const step = trainingStep(network, inputs, targets, learningRate);
  const lines: string[] = [];
  const section = (title: string): void => {
    lines.push("", title, "=".repeat(title.length));
  };
  const show = (label: string, value: Matrix | Vector): void => {
    lines.push(...labelled(label, value));
  };

  lines.push(
    `backprop-ref worked example: ${document.id ?? "a case"}`,
    `sizes ${network.spec.sizes.join("-")}, activations ${network.spec.activations.join(", ")}, ` +
      `loss ${network.spec.loss}, ${network.biases === null ? "no biases" : "with biases"}, ` +
      `batch of ${dimensions(inputs)[1]} (one sample per column), learning rate η = ${learningRate}`,
  );
  section("Network");
  network.weights.forEach((weights, index) => show(`W(${index + 1})`, weights));
  network.biases?.forEach((bias, index) => show(`b(${index + 1})`, bias));

  section("Forward pass: z(l) = W(l) o(l-1) + b(l),  o(l) = f(z(l))");
  show("x = o(0)", inputs);
  for (let l = 1; l <= L; l++) {
    show(`z(${l})`, step.trace.preactivations[l - 1]!);
    show(`o(${l})`, step.trace.outputs[l]!);
  }
  show("t", targets);
  lines.push(`loss E = ${step.loss}  (batch mean of ½ Σ (t − o)² for squared error)`);

  section("Backward pass");
  show(`e(${L}) = t − o(${L})`, step.errors[L - 1]!);
  show(`δ(${L}) = ∂E/∂z(${L})`, step.deltas[L - 1]!);
  for (let l = L - 1; l >= 1; l--) {
    show(`e(${l}) = −W(${l + 1})ᵀ δ(${l + 1})`, step.errors[l - 1]!);
    show(`δ(${l}) = −e(${l}) ⊙ f′(z(${l}))`, step.deltas[l - 1]!);
  }

  section("Gradients ∂E/∂W(l) = δ(l) o(l-1)ᵀ / B");
  showParameters(lines, "∂E/∂", step.gradients);
  section(`Delta weights ΔW(l) = −η ∂E/∂W(l), η = ${learningRate}`);
  showParameters(lines, "Δ", step.deltaWeights);
  section("Updated: new weight = old weight + ΔW");
  showParameters(lines, "new ", step.updated);

  section("Gradient check: backpropagation against central differences");
  lines.push(formatReport(checkGradients(network, inputs, targets, step.gradients)));
  return lines.join("\n");
}

function showParameters(lines: string[], prefix: string, parameters: ParameterArrays): void {
  parameters.weights.forEach((weights, index) => lines.push(...labelled(`${prefix}W(${index + 1})`, weights)));
  parameters.biases?.forEach((bias, index) => lines.push(...labelled(`${prefix}b(${index + 1})`, bias)));
}

/**
 * A matrix or vector as aligned rows under a label, each number to 12 significant digits.
 *
 * @param label - the quantity's name and formula
 * @param value - the matrix or vector to print
 */
function labelled(label: string, value: Matrix | Vector): string[] {
  const [rows, columns] = value.dimension === 1 ? [value.shape[0]!, 1] : dimensions(value);
  const cells: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < columns; j++) {
      const entry = value.dimension === 1 ? value.get(i) : value.get(i, j);
      row.push(Number(entry.toPrecision(12)).toString());
    }
    cells.push(row);
  }
  const width = Math.max(...cells.flat().map((cell) => cell.length));
  return [`${label}:`, ...cells.map((row) => `  [ ${row.map((cell) => cell.padStart(width)).join("  ")} ]`)];
}
