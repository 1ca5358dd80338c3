/**
 * The known mistakes of a Hessian-vector product: Pearlmutter's R-operator of
 * {@link model/second-order!hessianVectorProduct | hessianVectorProduct} with one term left
 * out, as an implementation of the second derivative gets it wrong, each computed with the
 * model's own steps wherever one exists.
 *
 * **Nothing here is a Hessian-vector product.** These are the negative controls of the
 * second-order oracles and `check --order 2`, and the known-wrong expectations of the hvp
 * vectors.
 *
 * The exact product has five places where a term can go missing, one per name:
 *
 * | name | what is left out | what it computes instead |
 * | --- | --- | --- |
 * | `activation-curvature-dropped` | every $f''$ term (and softmax's $\dot J g$) | $\dot\delta^{(l)} = f' \odot (V_W^\top \delta + W^\top \dot\delta)$, and for squared error $\dot\delta^{(L)} = f'^2 \odot \dot z$ (or $J J \dot z$) |
 * | `loss-curvature-dropped` | the tangent of the output delta | $\dot\delta^{(L)} = 0$ |
 * | `moving-weights-dropped` | the weights' own tangent on the way back | $\dot\delta^{(l)}$ without $f' \odot V_W^{(l+1)\top} \delta^{(l+1)}$ |
 * | `moving-inputs-dropped` | the tangent of a layer's inputs in the product rule of step 5 | $(HV)_W^{(l)} = \frac1B \dot\delta^{(l)} o^{(l-1)\top}$ |
 * | `gauss-newton-as-hessian` | everything the Gauss–Newton approximation drops | $G V$, reported as $H V$ |
 *
 * Each agrees with the exact product on some networks (a single layer has no hidden delta and
 * no moving inputs; an identity output has no $f''$), which is why {@link secondOrderMistakesThatDiffer}
 * says where each can be told apart.
 *
 * @module
 */
import { backpropagateDeltas, gradients } from "../model/backprop.js";
import { forwardTangents, type Tangents } from "../model/forward-mode.js";
import type { Network, ParameterArrays } from "../model/network.js";
import { depth } from "../model/network.js";
import {
  gaussNewtonOutputDelta,
  gaussNewtonVectorProduct,
  hessianProducts,
  hiddenDeltaTangent,
  outputDeltaTangent,
} from "../model/second-order.js";
import { dimensions, zeros, zerosLike, type Matrix } from "../numeric/tensor.js";
import type { KnownMistake } from "../oracles/second-order-check.js";

/** The names of the known mistakes of a Hessian-vector product, in the order of the module's table. */
export const secondOrderMistakeNames = [
  "activation-curvature-dropped",
  "loss-curvature-dropped",
  "moving-weights-dropped",
  "moving-inputs-dropped",
  "gauss-newton-as-hessian",
] as const;

/** One of {@link secondOrderMistakeNames}. */
export type SecondOrderMistakeName = (typeof secondOrderMistakeNames)[number];

/** One line of plain text per mistake, as a report prints it after "matches the known mistake". */
export const secondOrderMistakeSummaries: Readonly<Record<SecondOrderMistakeName, string>> = {
  "activation-curvature-dropped": "the f'' terms of the activations are left out of the R-operator's backward pass",
  "loss-curvature-dropped": "the tangent of the output delta (the loss's curvature times the output tangent) is left out: R{delta^(L)} = 0",
  "moving-weights-dropped": "the hidden delta's tangent leaves out that the weights it is sent back through move too: no V_W^T delta term",
  "moving-inputs-dropped": "step 5's product rule leaves out the tangent of the layer's inputs: no delta o_dot^T term",
  "gauss-newton-as-hessian": "the Gauss-Newton product G V is reported as the Hessian-vector product H V",
};

/**
 * The product a mistaken R-operator computes, shaped like the parameters (see the module's
 * table).
 *
 * @param name - the mistake
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 */
export function mistakenHessianProduct(
  name: SecondOrderMistakeName,
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
): ParameterArrays {
  const tangents = forwardTangents(network, inputs, direction);
  if (name === "gauss-newton-as-hessian") return gaussNewtonVectorProduct(network, inputs, targets, direction, tangents);
  const { deltas, deltaTangents } = mistakenDeltaTangents(name, network, inputs, targets, direction, tangents);
  if (name !== "moving-inputs-dropped") return hessianProducts(tangents, deltas, deltaTangents, network.biases !== null);
  return gradients(tangents.trace, deltaTangents, network.biases !== null);
}

/**
 * The mistakes that give a product other than the exact one for a network of this shape: every
 * mistake but `moving-weights-dropped` and `moving-inputs-dropped` for a single layer (which has
 * neither hidden deltas nor moving inputs), and none of the curvature mistakes where the
 * curvature they drop is zero. A direction and a case can still make a mistake agree by
 * chance; the oracles judge the products themselves.
 *
 * @param network - the network
 */
export function secondOrderMistakesThatDiffer(network: Network): SecondOrderMistakeName[] {
  const { activations, loss } = network.spec;
  const L = depth(network.spec);
  // The activations whose f'' is not zero (softmax: its Jacobian moves); relu, leaky relu and identity are linear on each piece.
  const curvedActivation = (name: string) => name === "sigmoid" || name === "tanh" || name === "softplus" || name === "softmax";
  return secondOrderMistakeNames.filter((name) => {
    switch (name) {
      case "moving-weights-dropped":
      case "moving-inputs-dropped":
        return L > 1;
      case "activation-curvature-dropped":
        return activations.slice(0, L - 1).some(curvedActivation) || (loss === "squared_error" && curvedActivation(activations[L - 1]!));
      case "gauss-newton-as-hessian":
        return L > 1 || (loss === "squared_error" && curvedActivation(activations[L - 1]!));
      case "loss-curvature-dropped":
        return true;
    }
  });
}

/**
 * The known mistakes of a Hessian-vector product that differ from it for this network
 * ({@link secondOrderMistakesThatDiffer}), each with what it computes for the batch and the
 * direction: what `check --order 2` tries on a failing $HV$ to name the mistake it matches
 * (see {@link oracles/second-order-check!SecondOrderCheckOptions.knownMistakes | knownMistakes}).
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 */
export function knownHessianMistakes(network: Network, inputs: Matrix, targets: Matrix, direction: ParameterArrays): KnownMistake[] {
  return secondOrderMistakesThatDiffer(network).map((name) => ({
    quantity: "hessianVectorProduct",
    name,
    summary: secondOrderMistakeSummaries[name],
    product: mistakenHessianProduct(name, network, inputs, targets, direction),
  }));
}

function mistakenDeltaTangents(
  name: Exclude<SecondOrderMistakeName, "gauss-newton-as-hessian">,
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  tangents: Tangents,
): { deltas: readonly Matrix[]; deltaTangents: Matrix[] } {
  const { spec, weights } = network;
  const L = depth(spec);
  const { trace } = tangents;
  const { errors, deltas } = backpropagateDeltas(network, inputs, targets, undefined, trace);
  const deltaTangents: Matrix[] = new Array<Matrix>(L);
  deltaTangents[L - 1] =
    name === "loss-curvature-dropped"
      ? zerosLike(deltas[L - 1]!)
      : name === "activation-curvature-dropped" && spec.loss === "squared_error"
        ? gaussNewtonOutputDelta(spec, trace, tangents, targets)
        : outputDeltaTangent(spec, trace, tangents, errors[L - 1]!, targets);
  for (let l = L - 1; l >= 1; l--) {
    deltaTangents[l - 1] = hiddenDeltaTangent(
      spec.activations[l - 1]!,
      trace.preactivations[l - 1]!,
      tangents.preactivationTangents[l - 1]!,
      name === "activation-curvature-dropped" ? zeros(...dimensions(errors[l - 1]!)) : errors[l - 1]!,
      weights[l]!,
      name === "moving-weights-dropped" ? zerosLike(direction.weights[l]!) : direction.weights[l]!,
      deltas[l]!,
      deltaTangents[l]!,
    );
  }
  return { deltas, deltaTangents };
}
