/**
 * Forward mode: how every quantity of the forward pass moves when the parameters move along a
 * direction $V$, carried forwards beside the forward pass itself.
 *
 * Backpropagation answers "how does the loss change with each parameter?" by one pass
 * backwards. Forward mode answers the transposed question, "how does everything change when all
 * the parameters move together along one direction?", by one pass forwards. Put the parameters
 * on a line through them, $w(\epsilon) = w + \epsilon V$, with $V = (V_W^{(1)}, V_b^{(1)}, \dots,
 * V_W^{(L)}, V_b^{(L)})$ shaped like the weights and biases, and write a dot for the derivative
 * at $\epsilon = 0$, the *tangent*:
 *
 * $$\dot z^{(l)} = \frac{d z^{(l)}}{d\epsilon}\Big|_{\epsilon = 0}, \qquad \dot o^{(l)} = \frac{d o^{(l)}}{d\epsilon}\Big|_{\epsilon = 0}.$$
 *
 * The inputs do not depend on $\epsilon$, so $\dot o^{(0)} = 0$, and each layer's two steps
 * differentiate by the product rule and the chain rule:
 *
 * 1. {@link tangentWeightedSum}: $\dot z^{(l)} = V_W^{(l)} o^{(l-1)} + W^{(l)} \dot o^{(l-1)} + V_b^{(l)} \mathbf 1^\top$.
 * 2. {@link tangentLayerOutput}: $\dot o^{(l)} = f_l'(z^{(l)}) \odot \dot z^{(l)}$, or softmax's Jacobian times $\dot z^{(L)}$.
 *
 * {@link forwardTangents} runs both for every layer. The last tangent, $\dot o^{(L)} = J V$, is
 * the Jacobian of the outputs with respect to the parameters applied to $V$, one column per
 * sample, computed without forming $J$ (which has a row per output and sample and a column per
 * parameter). {@link directionalDerivative} finishes with the loss: $\dot E = \nabla E \cdot V$.
 *
 * The cost is about one more forward pass, whatever the number of parameters: forward mode
 * pays per direction, reverse mode per output. For one number, the loss, reverse mode wins
 * (one backward pass gives all of $\nabla E$); forward mode is what the second derivative
 * ({@link model/second-order | second-order}) is built on, where the direction is the point.
 *
 * The same tangents are what the complex step computes ({@link oracles/complex-step | complex-step}): with
 * $\epsilon = ih$, $z(w + ihV) = z + ih\dot z + O(h^2)$, so the imaginary part of a complex
 * forward pass, divided by $h$, is the tangent. Forward mode does it with real numbers and the
 * derivatives written out; the complex step does it with complex numbers and the values alone.
 * That is why one can judge the other.
 *
 * The derivation, with the dual-number view, the complex step as forward mode in disguise and
 * the adjoint test that ties forward mode to backpropagation, is the chapter
 * [9. Forward mode](../../docs/derivation/09-forward-mode.md).
 *
 * @module
 */
import { addToEveryColumn, added, dimensions, hadamard, multiply, zeros, type Matrix, type Vector } from "../numeric/tensor.js";
import { NumericError, ShapeError } from "../numeric/errors.js";
import { activationDerivative, softmaxBackward, type ActivationName } from "./activations.js";
import { outputDelta, outputError } from "./backprop.js";
import { forward, type Trace } from "./forward.js";
import { depth, parameterEntries, type Network, type ParameterArrays } from "./network.js";

/** The forward pass and its tangents along a direction $V$, indexed as in the notation. */
export interface Tangents {
  /** The forward pass the tangents are taken at. */
  readonly trace: Trace;
  /** $\dot z^{(1)}, \dots, \dot z^{(L)}$: `preactivationTangents[l-1]` is $n_l \times B$. */
  readonly preactivationTangents: readonly Matrix[];
  /** $\dot o^{(0)} = 0, \dot o^{(1)}, \dots, \dot o^{(L)}$: `outputTangents[l]` is $n_l \times B$; the last is $J V$. */
  readonly outputTangents: readonly Matrix[];
}

/**
 * Step 1 of each layer, differentiated — the tangent of the weighted sum.
 *
 * $z^{(l)} = W^{(l)} o^{(l-1)} + b^{(l)} \mathbf 1^\top$ is a product of two things that both
 * move along the direction: the weights, at the rate $V_W^{(l)}$, and the previous layer's
 * outputs, at the rate $\dot o^{(l-1)}$. The product rule gives one term for each, and the bias
 * moves at the rate $V_b^{(l)}$:
 *
 * $$\dot z^{(l)}_{jb} = \sum_k \left(V^{(l)}_{W,jk}\, o^{(l-1)}_{kb} + w^{(l)}_{jk}\, \dot o^{(l-1)}_{kb}\right) + V^{(l)}_{b,j}
 *   \quad\Longleftrightarrow\quad
 *   \dot z^{(l)} = V_W^{(l)} o^{(l-1)} + W^{(l)} \dot o^{(l-1)} + V_b^{(l)} \mathbf 1^\top$$
 *
 * Shapes: $V_W^{(l)}$ and $W^{(l)}$ are $n_l \times n_{l-1}$, $o^{(l-1)}$ and $\dot o^{(l-1)}$
 * are $n_{l-1} \times B$, so $\dot z^{(l)}$ is $n_l \times B$, like $z^{(l)}$. In the first layer
 * $\dot o^{(0)} = 0$ (the inputs are data, not parameters) and the middle term is left out.
 *
 * @param weights - $W^{(l)}$, $n_l \times n_{l-1}$
 * @param directionWeights - $V_W^{(l)}$, $n_l \times n_{l-1}$
 * @param directionBias - $V_b^{(l)}$ (length $n_l$), or `null` for a layer without bias
 * @param previousOutputs - $o^{(l-1)}$, $n_{l-1} \times B$
 * @param previousTangent - $\dot o^{(l-1)}$, $n_{l-1} \times B$, or `null` for the first layer
 * @returns $\dot z^{(l)}$, $n_l \times B$
 */
export function tangentWeightedSum(
  weights: Matrix,
  directionWeights: Matrix,
  directionBias: Vector | null,
  previousOutputs: Matrix,
  previousTangent: Matrix | null,
): Matrix {
  const [units] = dimensions(weights);
  const [, samples] = dimensions(previousOutputs);
  const tangent = multiply(zeros(units, samples), directionWeights, previousOutputs);
  if (previousTangent !== null) added(tangent, multiply(zeros(units, samples), weights, previousTangent), tangent);
  return directionBias === null ? tangent : addToEveryColumn(tangent, directionBias);
}

/**
 * Step 2 of each layer, differentiated — the tangent of the activation.
 *
 * An element-wise $o_k = f(z_k)$ moves by the chain rule at the rate
 *
 * $$\dot o^{(l)}_k = f_l'\!\left(z^{(l)}_k\right) \dot z^{(l)}_k
 *   \quad\Longleftrightarrow\quad
 *   \dot o^{(l)} = f_l'\!\left(z^{(l)}\right) \odot \dot z^{(l)},$$
 *
 * the same slope $f'$ that step 2 of backpropagation multiplies by on the way back. Softmax
 * mixes a column, so its Jacobian $\partial o_j / \partial z_i = o_j(\delta_{ij} - o_i)$ acts on
 * the whole tangent column:
 *
 * $$\dot o_j = \sum_i o_j(\delta_{ij} - o_i)\, \dot z_i = o_j\left(\dot z_j - \sum_i o_i \dot z_i\right).$$
 *
 * That Jacobian is symmetric ($o_j \delta_{ij} - o_j o_i$ does not change when $i$ and $j$
 * swap), so the forward product $J \dot z$ is the backward product $J^\top \dot z$ that
 * {@link model/activations!softmaxBackward | softmaxBackward} computes, in its form that keeps
 * the digits of a confident output.
 *
 * Shapes: $n_l \times B$ in and out.
 *
 * @param activation - $f_l$
 * @param preactivations - $z^{(l)}$, $n_l \times B$
 * @param outputs - $o^{(l)}$, $n_l \times B$ (read by softmax)
 * @param tangent - $\dot z^{(l)}$, $n_l \times B$
 * @returns $\dot o^{(l)}$, $n_l \times B$
 */
export function tangentLayerOutput(activation: ActivationName, preactivations: Matrix, outputs: Matrix, tangent: Matrix): Matrix {
  if (activation === "softmax") return softmaxBackward(outputs, tangent);
  const slopes = activationDerivative(activation, preactivations);
  return hadamard(slopes, tangent, slopes);
}

/**
 * The forward pass and its tangents along $V$ through every layer, $l = 1, \dots, L$, from
 * $\dot o^{(0)} = 0$.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param direction - $V$, shaped like the network's parameters (see {@link assertDirectionShape})
 * @param trace - the forward pass at the network's parameters, if it is already done
 * @throws {@link numeric/errors!ShapeError | ShapeError} if the direction is not shaped like the parameters, or the inputs like the first layer
 * @throws {@link numeric/errors!NumericError | NumericError} if an entry of the direction is not finite
 */
export function forwardTangents(network: Network, inputs: Matrix, direction: ParameterArrays, trace = forward(network, inputs)): Tangents {
  assertDirectionShape(network, direction);
  const [, samples] = dimensions(inputs);
  const preactivationTangents: Matrix[] = [];
  const outputTangents: Matrix[] = [zeros(network.spec.sizes[0]!, samples)];
  for (let l = 1; l <= depth(network.spec); l++) {
    const zTangent = tangentWeightedSum(
      network.weights[l - 1]!,
      direction.weights[l - 1]!,
      direction.biases?.[l - 1] ?? null,
      trace.outputs[l - 1]!,
      l === 1 ? null : outputTangents[l - 1]!,
    );
    preactivationTangents.push(zTangent);
    outputTangents.push(tangentLayerOutput(network.spec.activations[l - 1]!, trace.preactivations[l - 1]!, trace.outputs[l]!, zTangent));
  }
  return { trace, preactivationTangents, outputTangents };
}

/**
 * The directional derivative of the batch loss, $\dot E = \nabla E \cdot V$, by forward mode.
 *
 * The loss of sample $b$ depends on the parameters only through the output layer's weighted
 * sums $z^{(L)}_{:,b}$, and $\partial E_b / \partial z^{(L)} = \delta^{(L)}$ is backpropagation's
 * step 2, so one more link of the chain rule, and the batch mean, give
 *
 * $$\dot E = \frac1B \sum_b \sum_k \delta^{(L)}_{kb}\, \dot z^{(L)}_{kb} = \sum_{\text{parameters } w} \frac{\partial E}{\partial w}\, V_w = \nabla E \cdot V,$$
 *
 * the same number that the dot product of backpropagation's gradient with $V$ gives, reached
 * without any of the hidden layers' deltas.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 * @param tangents - the tangents along $V$, if they are already computed
 */
export function directionalDerivative(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  tangents = forwardTangents(network, inputs, direction),
): number {
  const { spec } = network;
  const L = depth(spec);
  const { trace } = tangents;
  const error = outputError(spec.activations[L - 1]!, trace.preactivations[L - 1]!, trace.outputs[L]!, targets);
  const delta = outputDelta(spec, trace, error, targets);
  const zTangent = tangents.preactivationTangents[L - 1]!;
  const [units, samples] = dimensions(delta);
  let sum = 0;
  for (let b = 0; b < samples; b++) for (let k = 0; k < units; k++) sum += delta.get(k, b) * zTangent.get(k, b);
  return sum / samples;
}

/**
 * Throws a {@link numeric/errors!ShapeError | ShapeError} unless a direction is shaped like the
 * network's parameters: one $n_l \times n_{l-1}$ matrix per weight layer, and biases exactly
 * when the network has them, each of length $n_l$; and a {@link numeric/errors!NumericError | NumericError}
 * for an entry that is not finite. The message names the array or entry that is wrong
 * (`direction.weights[1]`, `direction.biases[0][2]`), what it should be, and what it is.
 *
 * @param network - the network whose parameters the direction moves
 * @param direction - $V$
 */
export function assertDirectionShape(network: Network, direction: ParameterArrays): void {
  const { sizes } = network.spec;
  const L = depth(network.spec);
  if (direction.weights.length !== L) {
    throw new ShapeError(`direction.weights has ${direction.weights.length} matrices but the network has ${L} weight layers`);
  }
  direction.weights.forEach((matrix, index) => {
    const [rows, columns] = dimensions(matrix);
    if (matrix.dimension !== 2 || rows !== sizes[index + 1] || columns !== sizes[index]) {
      throw new ShapeError(
        `direction.weights[${index}] is ${matrix.shape.join("×")} but weights[${index}] is ${sizes[index + 1]}×${sizes[index]}`,
      );
    }
  });
  if ((direction.biases === null) !== (network.biases === null)) {
    throw new ShapeError(
      network.biases === null
        ? "direction.biases must be null: the network has no biases"
        : "direction.biases is null but the network has biases",
    );
  }
  if (direction.biases !== null && direction.biases.length !== L) {
    throw new ShapeError(`direction.biases has ${direction.biases.length} vectors but the network has ${L} weight layers`);
  }
  direction.biases?.forEach((vector, index) => {
    if (vector.dimension !== 1 || vector.shape[0] !== sizes[index + 1]) {
      throw new ShapeError(`direction.biases[${index}] has ${vector.shape.join("×")} entries but biases[${index}] has ${sizes[index + 1]}`);
    }
  });
  for (const entry of parameterEntries(direction)) {
    if (!Number.isFinite(entry.value)) throw new NumericError(`direction.${entry.position} must be a finite number, got ${entry.value}`);
  }
}
