/**
 * The second derivative: the Hessian-vector product $HV$ by Pearlmutter's R-operator, and the
 * generalized Gauss–Newton product $GV$, each exact and each at the cost of about two gradients.
 *
 * The Hessian $H = \nabla^2 E$ of the batch loss has one row and one column per parameter (25
 * billion entries for the seed's 784-200-10 network), but second-order methods only ever need
 * its product with a direction $V$: Newton–CG and Hessian-free optimisation solve $H d = -\nabla E$
 * by conjugate gradients, which asks for $HV$ one $V$ at a time. That product is a directional
 * derivative of the gradient,
 *
 * $$H V = \frac{d}{d\epsilon} \nabla E(w + \epsilon V)\Big|_{\epsilon = 0},$$
 *
 * so Pearlmutter (1994) differentiates every step of backpropagation along $V$, writing
 * $\mathcal R\lbrace x\rbrace$ for the derivative of a quantity $x$ along $V$; here it is a dot,
 * $\dot x$, as in forward mode ({@link model/forward-mode | forward-mode}), whose tangents $\dot z^{(l)}$ and
 * $\dot o^{(l)}$ are the first half of the computation. The second half goes backwards, beside
 * the deltas:
 *
 * 1. {@link outputDeltaTangent}: $\dot\delta^{(L)}$, from the second derivative of the loss with
 *    respect to the output layer's weighted sums.
 * 2. {@link hiddenDeltaTangent}: $\dot\delta^{(l)}$, from $\dot\delta^{(l+1)}$, with one term for
 *    each of the three things in $\delta^{(l)} = f_l'(z^{(l)}) \odot W^{(l+1)\top}\delta^{(l+1)}$
 *    that move: the slope, the weights and the delta above.
 * 3. {@link hessianProducts}: $(HV)_W^{(l)} = \frac1B\left(\dot\delta^{(l)} o^{(l-1)\top} + \delta^{(l)} \dot o^{(l-1)\top}\right)$,
 *    the derivative of step 5 of backpropagation by the product rule.
 *
 * The Gauss–Newton product drops the terms that make $H$ indefinite:
 *
 * 4. {@link gaussNewtonOutputDelta}: $\tilde\delta^{(L)} = H_\ell\, \dot z^{(L)}$, the convex part of the loss's curvature.
 * 5. {@link gaussNewtonVectorProduct}: $\tilde\delta^{(L)}$ sent back by backpropagation's own
 *    steps 3–5, as if it were a delta: $G V = J^\top \tilde\delta$.
 *
 * {@link secondOrder} computes both products, the directional derivative and the output
 * tangents of one case.
 *
 * Every per-sample quantity is one column, as in backpropagation; only step 3 (and step 5 of
 * backpropagation in the Gauss–Newton product) takes the batch mean, because
 * $H = \frac1B \sum_b \nabla^2 E_b$.
 *
 * At a kink of `relu` or `leaky_relu` ($z = 0$) the first derivative jumps and the second does
 * not exist; everywhere else their $f''$ is $0$. The products here are those of the linear
 * piece the preactivation is on (the left piece at exactly $0$, as for the gradient), which is
 * what every automatic differentiation library computes there too.
 *
 * The derivation, step by step with the shapes, the table of $f''$, the choice of split for the
 * Gauss–Newton matrix and when it equals the Hessian, and a worked example in numbers, is the
 * chapter [10. The second derivative](../../docs/derivation/10-second-derivative.md).
 *
 * @module
 */
import { assertFinite, assertFiniteArrays, assertFiniteLoss } from "../numeric/overflow.js";
import { added, dimensions, hadamard, mapEntries, multiply, zeros, type Matrix } from "../numeric/tensor.js";
import { activationDerivative, elementwiseActivations, softmaxBackward, type ActivationName } from "./activations.js";
import { backpropagateDeltas, gradients, hiddenDelta, hiddenError } from "./backprop.js";
import { forward, traceLoss, type Trace } from "./forward.js";
import { directionalDerivative, forwardTangents, type Tangents } from "./forward-mode.js";
import { depth, type Network, type NetworkSpec, type ParameterArrays } from "./network.js";
import { SpecError } from "../numeric/errors.js";

/** Everything {@link secondOrder} computes for one case and one direction $V$. */
export interface SecondOrderProducts {
  /** $E$, the batch mean of the loss. */
  readonly loss: number;
  /** $\dot E = \nabla E \cdot V$. */
  readonly directionalDerivative: number;
  /** $J V = \dot o^{(L)}$, $n_L \times B$: how the outputs move along $V$. */
  readonly outputTangents: Matrix;
  /** $H V$, shaped like the parameters. */
  readonly hessianVectorProduct: ParameterArrays;
  /** $G V$, the generalized Gauss–Newton product, shaped like the parameters. */
  readonly gaussNewtonVectorProduct: ParameterArrays;
}

/**
 * Step 1 — the tangent of the output delta: how $\delta^{(L)} = \partial E_b / \partial z^{(L)}$
 * moves along $V$.
 *
 * $\delta^{(L)}$ depends on the parameters only through $z^{(L)}$ (the targets are data), so
 * $\dot\delta^{(L)} = \left(\partial^2 E_b / \partial z^{(L)2}\right) \dot z^{(L)}$, the Hessian of
 * the loss with respect to the output layer's weighted sums times their tangent. Column by
 * column, for each loss and output activation, from its $\delta^{(L)}$ (step 2 of backpropagation):
 *
 * - squared error, element-wise $f$: $\delta = -e \odot f'(z)$ with $e = t - o$ and $\dot e = -\dot o = -f'(z) \odot \dot z$, so
 *   $$\dot\delta^{(L)} = f'(z) \odot \dot o - e \odot f''(z) \odot \dot z = \left(f'(z)^2 - e \odot f''(z)\right) \odot \dot z;$$
 * - squared error, softmax: $\delta = J g$ with $g = o - t = -e$ and the symmetric Jacobian
 *   $J = \operatorname{diag}(o) - o o^\top$, so $\dot\delta = J \dot g + \dot J g$ with $\dot g = \dot o = J \dot z$ and
 *   $\dot J = \operatorname{diag}(\dot o) - \dot o\, o^\top - o\, \dot o^\top$:
 *   $$\dot\delta_i = (J \dot o)_i + \dot o_i \Big(g_i - \sum_j o_j g_j\Big) - o_i \sum_j \dot o_j g_j,$$
 *   with $g_i - \sum_j o_j g_j = \sum_{j \ne i} o_j (g_i - g_j)$, the form that keeps its digits
 *   when one output is confident (see {@link model/activations!softmaxBackward | softmaxBackward});
 * - cross-entropy with softmax: $\delta = o \sum_k t_k - t$, so $\dot\delta = \dot o \sum_k t_k$;
 * - binary cross-entropy with sigmoid: $\delta = o - t$, so $\dot\delta = \dot o = \sigma'(z) \odot \dot z$.
 *
 * The term with $e$ is the one the Gauss–Newton product leaves out (see
 * {@link gaussNewtonOutputDelta}); it vanishes when the outputs fit the targets and for an
 * identity output, whose $f''$ is $0$.
 *
 * Shapes: every matrix is $n_L \times B$.
 *
 * @param spec - the network's spec (its loss and output activation)
 * @param trace - the forward pass
 * @param tangents - the tangents along $V$ ({@link model/forward-mode!forwardTangents | forwardTangents})
 * @param error - $e^{(L)} = t - o^{(L)}$ from step 1 of backpropagation
 * @param targets - $t$, $n_L \times B$ (read by cross-entropy)
 * @returns $\dot\delta^{(L)}$, $n_L \times B$
 */
export function outputDeltaTangent(spec: NetworkSpec, trace: Trace, tangents: Tangents, error: Matrix, targets: Matrix): Matrix {
  const L = depth(spec);
  const activation = spec.activations[L - 1]!;
  const z = trace.preactivations[L - 1]!;
  const outputs = trace.outputs[L]!;
  const zTangent = tangents.preactivationTangents[L - 1]!;
  const outputTangent = tangents.outputTangents[L]!;
  switch (spec.loss) {
    case "cross_entropy":
      return scaledColumns(outputTangent, columnSums(targets));
    case "binary_cross_entropy":
      return outputTangent;
    case "squared_error":
      if (activation === "softmax") return softmaxSquaredErrorDeltaTangent(outputs, outputTangent, error);
      return subtractCurvatureOfError(gaussNewtonOutputDelta(spec, trace, tangents, targets), activation, z, zTangent, error);
  }
}

/**
 * Step 2 — the tangent of a hidden delta: how $\delta^{(l)}$ moves along $V$.
 *
 * Steps 3 and 4 of backpropagation give $\delta^{(l)} = f_l'(z^{(l)}) \odot \left(W^{(l+1)\top} \delta^{(l+1)}\right)$,
 * a product of three things that all move along $V$: the slope (through $z^{(l)}$), the
 * weights above (at the rate $V_W^{(l+1)}$) and the delta above (at the rate
 * $\dot\delta^{(l+1)}$, one step earlier on the way back). The product rule gives a term for each:
 *
 * $$\dot\delta^{(l)} = f_l''(z^{(l)}) \odot \dot z^{(l)} \odot \left(W^{(l+1)\top}\delta^{(l+1)}\right)
 *   + f_l'(z^{(l)}) \odot \left(V_W^{(l+1)\top} \delta^{(l+1)} + W^{(l+1)\top} \dot\delta^{(l+1)}\right)$$
 *
 * The first factor of the first term is backpropagation's own $W^{(l+1)\top}\delta^{(l+1)} = -e^{(l)}$.
 * The first term is the curvature of the activation, and the second term's first part is how
 * the weights through which the delta is sent back themselves move. Drop both and what is left,
 * $f' \odot W^\top \dot\delta^{(l+1)}$, is backpropagation of $\dot\delta^{(l+1)}$: the
 * Gauss–Newton product's backward pass.
 *
 * Shapes: $V_W^{(l+1)}$ and $W^{(l+1)}$ are $n_{l+1} \times n_l$; $\delta^{(l+1)}$ and
 * $\dot\delta^{(l+1)}$ are $n_{l+1} \times B$; everything else, and the result, $n_l \times B$.
 *
 * @param activation - $f_l$ of the hidden layer
 * @param preactivations - $z^{(l)}$, $n_l \times B$
 * @param preactivationTangent - $\dot z^{(l)}$, $n_l \times B$
 * @param error - $e^{(l)} = -W^{(l+1)\top}\delta^{(l+1)}$ from step 3 of backpropagation, $n_l \times B$
 * @param nextWeights - $W^{(l+1)}$
 * @param nextDirectionWeights - $V_W^{(l+1)}$
 * @param nextDelta - $\delta^{(l+1)}$
 * @param nextDeltaTangent - $\dot\delta^{(l+1)}$
 * @returns $\dot\delta^{(l)}$, $n_l \times B$
 * @throws {@link numeric/errors!SpecError | SpecError} for `softmax`, which is not a hidden activation
 */
export function hiddenDeltaTangent(
  activation: ActivationName,
  preactivations: Matrix,
  preactivationTangent: Matrix,
  error: Matrix,
  nextWeights: Matrix,
  nextDirectionWeights: Matrix,
  nextDelta: Matrix,
  nextDeltaTangent: Matrix,
): Matrix {
  if (activation === "softmax") throw new SpecError("softmax is an output activation; a hidden layer cannot use it");
  const [units, samples] = dimensions(preactivations);
  const sentBack = multiply(zeros(units, samples), nextDirectionWeights.transpose(1, 0), nextDelta);
  added(sentBack, multiply(zeros(units, samples), nextWeights.transpose(1, 0), nextDeltaTangent), sentBack);
  const slopes = activationDerivative(activation, preactivations);
  const tangent = hadamard(slopes, sentBack, slopes);
  return subtractCurvatureOfError(tangent, activation, preactivations, preactivationTangent, error);
}

/**
 * Step 3 — the Hessian-vector product, layer by layer: the derivative along $V$ of step 5 of
 * backpropagation.
 *
 * The gradient is $\partial E / \partial W^{(l)} = \frac1B \delta^{(l)} o^{(l-1)\top}$ and
 * $\partial E / \partial b^{(l)} = \frac1B \sum_b \delta^{(l)}_{:,b}$; both factors of the first
 * move along $V$, so by the product rule
 *
 * $$(HV)_W^{(l)} = \frac1B\left(\dot\delta^{(l)} o^{(l-1)\top} + \delta^{(l)} \dot o^{(l-1)\top}\right), \qquad
 *   (HV)_b^{(l)} = \frac1B \sum_b \dot\delta^{(l)}_{:,b}.$$
 *
 * In the first layer $\dot o^{(0)} = 0$ and the second term is zero. Shapes: $n_l \times B$
 * times $B \times n_{l-1}$, the shape of $W^{(l)}$, as for the gradient; the two terms are
 * step 5 itself, applied to $(\dot\delta, o)$ and to $(\delta, \dot o)$.
 *
 * @param tangents - the forward pass and its tangents along $V$
 * @param deltas - $\delta^{(1)}, \dots, \delta^{(L)}$
 * @param deltaTangents - $\dot\delta^{(1)}, \dots, \dot\delta^{(L)}$
 * @param withBiases - whether the network has biases (their products are `null` otherwise)
 * @returns $HV$, shaped like the parameters
 */
export function hessianProducts(
  tangents: Tangents,
  deltas: readonly Matrix[],
  deltaTangents: readonly Matrix[],
  withBiases: boolean,
): ParameterArrays {
  const moving = gradients(tangents.trace, deltaTangents, withBiases);
  const movingInputs = gradients({ preactivations: tangents.preactivationTangents, outputs: tangents.outputTangents }, deltas, false);
  return {
    weights: moving.weights.map((weights, index) => added(weights, movingInputs.weights[index]!, weights)),
    biases: moving.biases,
  };
}

/**
 * The Hessian-vector product $HV$ of the batch loss by the R-operator: the forward pass and
 * its tangents, backpropagation's deltas from the same forward pass
 * ({@link model/backprop!backpropagateDeltas | backpropagateDeltas}), their tangents from the
 * output down (steps 1 and 2), then step 3.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 * @param tangents - the tangents along $V$, if they are already computed
 * @returns $HV$, shaped like the parameters
 */
export function hessianVectorProduct(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  tangents = forwardTangents(network, inputs, direction),
): ParameterArrays {
  const { spec, weights } = network;
  const L = depth(spec);
  const { trace } = tangents;
  const { errors, deltas } = backpropagateDeltas(network, inputs, targets, undefined, trace);
  const deltaTangents: Matrix[] = new Array<Matrix>(L);
  deltaTangents[L - 1] = outputDeltaTangent(spec, trace, tangents, errors[L - 1]!, targets);
  for (let l = L - 1; l >= 1; l--) {
    deltaTangents[l - 1] = hiddenDeltaTangent(
      spec.activations[l - 1]!,
      trace.preactivations[l - 1]!,
      tangents.preactivationTangents[l - 1]!,
      errors[l - 1]!,
      weights[l]!,
      direction.weights[l]!,
      deltas[l]!,
      deltaTangents[l]!,
    );
  }
  return hessianProducts(tangents, deltas, deltaTangents, network.biases !== null);
}

/**
 * Step 4 — the Gauss–Newton output delta: the tangent of the output delta with the
 * curvature of the error left out.
 *
 * Split the loss of a sample as $E_b = \ell(z^{(L)}(w))$, the network up to its last weighted
 * sums and then the rest. The chain rule twice gives
 *
 * $$\nabla^2 E_b = J_z^\top H_\ell J_z + \sum_k \frac{\partial \ell}{\partial z_k} \nabla^2 z_k,
 *   \qquad J_z = \frac{\partial z^{(L)}}{\partial w}, \quad H_\ell = \frac{\partial^2 \ell}{\partial z^{(L)2}}.$$
 *
 * The generalized Gauss–Newton matrix $G$ (Schraudolph, 2002) keeps the first term: $H_\ell$ is
 * positive semi-definite where $\ell$ is convex, and then so is $G$, for every network, which
 * makes it a safe curvature for Hessian-free optimisation and K-FAC (Martens, 2010; Martens and
 * Grosse, 2015). Which split, and so which $G$, is a choice; this project makes the usual one
 * for each loss, the one that leaves a convex $\ell$:
 *
 * - cross-entropy with softmax, binary cross-entropy with sigmoid (the *matching* losses): split
 *   at $z^{(L)}$, the loss composed with its activation, which is convex in $z$:
 *   $H_\ell = \left(\sum_k t_k\right) J_{\text{softmax}}$ and $H_\ell = \operatorname{diag}(\sigma'(z))$.
 *   Here $H_\ell \dot z$ is the tangent of the output delta itself, {@link outputDeltaTangent}.
 * - squared error: split at the outputs $o^{(L)}$, where $\ell = \frac12 \lVert t - o \rVert^2$ has
 *   $H_\ell = I$: $G = J_o^\top J_o$, the classic Gauss–Newton matrix of least squares, for any
 *   output activation. Sent back to $z^{(L)}$ through the activation, $J_o^\top J_o V$ starts
 *   from $f'(z) \odot \dot o$ (element-wise) or $J_{\text{softmax}} \dot o$ (softmax), with
 *   $\dot o = J_o V$ the output tangent: the tangent of the output delta without its term in $e$.
 *
 * Each $H_\ell$ here is positive semi-definite, and so $G$ is, for every target of squared error
 * and binary cross-entropy ($\operatorname{diag}(\sigma'(z))$ does not depend on $t$), and for
 * cross-entropy where each sample's targets sum to $0$ or more, as one-hot and probability
 * targets do ($J_{\text{softmax}}$ is positive semi-definite; a negative sum flips it).
 *
 * So $G = H$ when that term and the terms of the hidden layers vanish: for a network whose
 * split point is linear in the parameters (one weight layer, and for squared error an identity
 * output), or where every output fits its target.
 *
 * @param spec - the network's spec
 * @param trace - the forward pass
 * @param tangents - the tangents along $V$
 * @param targets - $t$, $n_L \times B$
 * @returns $\tilde\delta^{(L)}$, $n_L \times B$
 */
export function gaussNewtonOutputDelta(spec: NetworkSpec, trace: Trace, tangents: Tangents, targets: Matrix): Matrix {
  const L = depth(spec);
  const activation = spec.activations[L - 1]!;
  const outputTangent = tangents.outputTangents[L]!;
  if (spec.loss === "cross_entropy") return scaledColumns(outputTangent, columnSums(targets));
  if (spec.loss === "binary_cross_entropy") return outputTangent;
  if (activation === "softmax") return softmaxBackward(trace.outputs[L]!, outputTangent);
  const slopes = activationDerivative(activation, trace.preactivations[L - 1]!);
  return hadamard(slopes, outputTangent, slopes);
}

/**
 * Step 5 — the Gauss–Newton product $GV = \frac1B \sum_b J_{z,b}^\top \tilde\delta^{(L)}_{:,b}$:
 * send $\tilde\delta^{(L)}$ back through the network exactly as backpropagation sends a delta
 * (its steps 3 and 4, then step 5 for the batch mean), since $J_z^\top u$ is what
 * backpropagation computes from the output delta $u$.
 *
 * $$\tilde\delta^{(l)} = f_l'(z^{(l)}) \odot W^{(l+1)\top}\tilde\delta^{(l+1)}, \qquad
 *   (GV)_W^{(l)} = \frac1B \tilde\delta^{(l)} o^{(l-1)\top}, \qquad (GV)_b^{(l)} = \frac1B \sum_b \tilde\delta^{(l)}_{:,b}$$
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 * @param tangents - the tangents along $V$, if they are already computed
 * @returns $GV$, shaped like the parameters
 */
export function gaussNewtonVectorProduct(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  tangents = forwardTangents(network, inputs, direction),
): ParameterArrays {
  const { spec, weights } = network;
  const L = depth(spec);
  const { trace } = tangents;
  const deltas: Matrix[] = new Array<Matrix>(L);
  deltas[L - 1] = gaussNewtonOutputDelta(spec, trace, tangents, targets);
  for (let l = L - 1; l >= 1; l--) {
    deltas[l - 1] = hiddenDelta(spec.activations[l - 1]!, trace.preactivations[l - 1]!, hiddenError(weights[l]!, deltas[l]!));
  }
  return gradients(trace, deltas, network.biases !== null);
}

/**
 * Everything second order for one case and one direction: the loss, $\nabla E \cdot V$,
 * $J V$, $H V$ and $G V$, from one forward pass and one pass of tangents.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$, one sample per column
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction, inputs or targets of the wrong shape
 * @throws {@link numeric/errors!NumericError | NumericError} if finite input overflows: an output,
 *   the loss, a tangent or a product that is not finite
 */
export function secondOrder(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): SecondOrderProducts {
  const trace = forward(network, inputs);
  const loss = traceLoss(network, trace, targets);
  const L = depth(network.spec);
  assertFiniteArrays("the outputs", trace.outputs);
  assertFiniteLoss(loss, trace.outputs[L]!, targets);
  const tangents = forwardTangents(network, inputs, direction, trace);
  assertFiniteArrays("the output tangents", tangents.outputTangents);
  const products: SecondOrderProducts = {
    loss,
    directionalDerivative: directionalDerivative(network, inputs, targets, direction, tangents),
    outputTangents: tangents.outputTangents[L]!,
    hessianVectorProduct: hessianVectorProduct(network, inputs, targets, direction, tangents),
    gaussNewtonVectorProduct: gaussNewtonVectorProduct(network, inputs, targets, direction, tangents),
  };
  assertFinite("the directional derivative", [products.directionalDerivative]);
  for (const [what, parameters] of [
    ["the Hessian-vector product", products.hessianVectorProduct],
    ["the Gauss–Newton product", products.gaussNewtonVectorProduct],
  ] as const) {
    assertFiniteArrays(what, [...parameters.weights, ...(parameters.biases ?? [])]);
  }
  return products;
}

/**
 * $\dot\delta$ minus the curvature term of the error, $e \odot f''(z) \odot \dot z$, for an
 * element-wise activation: the part of steps 1 and 2 that the Gauss–Newton product leaves out.
 * Writes into `tangent` and returns it; activations with $f'' = 0$ leave it as it is.
 */
function subtractCurvatureOfError(tangent: Matrix, activation: ActivationName, z: Matrix, zTangent: Matrix, error: Matrix): Matrix {
  if (activation === "softmax") throw new SpecError("softmax has no element-wise second derivative");
  const curvature = mapEntries(zeros(...dimensions(z)), z, elementwiseActivations[activation].secondDerivative);
  const [rows, columns] = dimensions(z);
  for (let j = 0; j < rows; j++) {
    for (let b = 0; b < columns; b++) {
      const term = error.get(j, b) * curvature.get(j, b) * zTangent.get(j, b);
      if (term !== 0) tangent.set(j, b, tangent.get(j, b) - term);
    }
  }
  return tangent;
}

/** Step 1's softmax with squared error: $J\dot o + \dot o \odot (g - o^\top g) - o\,(\dot o^\top g)$ per column, $g = -e$. */
function softmaxSquaredErrorDeltaTangent(outputs: Matrix, outputTangent: Matrix, error: Matrix): Matrix {
  const result = softmaxBackward(outputs, outputTangent);
  const [rows, columns] = dimensions(outputs);
  for (let b = 0; b < columns; b++) {
    let tangentTimesGradient = 0;
    for (let j = 0; j < rows; j++) tangentTimesGradient -= outputTangent.get(j, b) * error.get(j, b);
    for (let i = 0; i < rows; i++) {
      let centred = 0;
      for (let j = 0; j < rows; j++) if (j !== i) centred += outputs.get(j, b) * (error.get(j, b) - error.get(i, b));
      result.set(i, b, result.get(i, b) + outputTangent.get(i, b) * centred - outputs.get(i, b) * tangentTimesGradient);
    }
  }
  return result;
}

function columnSums(matrix: Matrix): number[] {
  const [rows, columns] = dimensions(matrix);
  const sums = new Array<number>(columns).fill(0);
  for (let b = 0; b < columns; b++) for (let j = 0; j < rows; j++) sums[b] = sums[b]! + matrix.get(j, b);
  return sums;
}

function scaledColumns(matrix: Matrix, factors: readonly number[]): Matrix {
  const [rows, columns] = dimensions(matrix);
  const result = zeros(rows, columns);
  for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) result.set(j, b, matrix.get(j, b) * factors[b]!);
  return result;
}
