/**
 * The kinks of `relu` and `leaky_relu` at $z = 0$, where the derivative does not exist: how
 * close a batch comes to them, and whether a perturbed forward pass crossed one.
 *
 * A numeric derivative whose step moves a preactivation across the kink measures the mean of
 * the two slopes, not the derivative, and would fail a correct gradient for a reason that is not
 * a mistake. The oracles that perturb the parameters (central differences, Richardson
 * extrapolation, the directional check, the Taylor test) note such a crossing and do not judge
 * what it touched; the property suite's generators keep every such preactivation beyond
 * {@link kinkMargin}.
 *
 * @module
 */
import { forward } from "../model/forward.js";
import type { Network } from "../model/network.js";
import { dimensions, type Matrix } from "../numeric/tensor.js";

/**
 * How close a `relu` or `leaky_relu` preactivation may come to its kink at $z = 0$ before a
 * check warns: $10^{-3}$, about a hundred times the largest step the default settings take for
 * parameters up to $1.5$ in magnitude.
 *
 * A central difference that moves a preactivation across the kink measures the mean of the
 * two slopes, not the derivative, and fails for a reason that is not a mistake in the
 * gradient. How far a step moves $z$ depends on the rest of the network, so the margin is a
 * rule of thumb: {@link oracles/gradient-check!checkGradients | checkGradients} reports the closest distance it saw, and the property
 * suite's generators keep every such preactivation beyond this margin.
 */
export const kinkMargin = 1e-3;

/**
 * The smallest $|z|$ over the preactivations of the `relu` and `leaky_relu` layers on a batch,
 * or `Infinity` for a network without such layers.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 */
export function kinkDistance(network: Network, inputs: Matrix): number {
  const { activations } = network.spec;
  if (!activations.some((activation) => activation === "relu" || activation === "leaky_relu")) return Infinity;
  const trace = forward(network, inputs);
  let smallest = Infinity;
  activations.forEach((activation, index) => {
    if (activation !== "relu" && activation !== "leaky_relu") return;
    const z = trace.preactivations[index]!;
    const [rows, columns] = dimensions(z);
    for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) smallest = Math.min(smallest, Math.abs(z.get(j, b)));
  });
  return smallest;
}

/**
 * The side of its kink, $z > 0$, of every `relu` and `leaky_relu` preactivation, layer by layer,
 * row by row, sample by sample: two calls agree entry for entry exactly when no such
 * preactivation has crossed its kink between them (see {@link crossesKink}).
 *
 * @param network - the network (its activations say which layers to look at)
 * @param preactivations - $z^{(1)}, \dots, z^{(L)}$ of a forward pass
 */
export function kinkBranches(network: Network, preactivations: readonly Matrix[]): boolean[] {
  const branches: boolean[] = [];
  network.spec.activations.forEach((activation, index) => {
    if (activation !== "relu" && activation !== "leaky_relu") return;
    const z = preactivations[index]!;
    const [rows, columns] = dimensions(z);
    for (let j = 0; j < rows; j++) for (let b = 0; b < columns; b++) branches.push(z.get(j, b) > 0);
  });
  return branches;
}

/**
 * Whether a perturbed forward pass put any `relu` or `leaky_relu` preactivation on the other side
 * of its kink from where it was.
 *
 * @param base - {@link kinkBranches} of the unperturbed network
 * @param network - the perturbed network
 * @param preactivations - its preactivations
 */
export function crossesKink(base: readonly boolean[], network: Network, preactivations: readonly Matrix[]): boolean {
  return base.length > 0 && kinkBranches(network, preactivations).some((branch, position) => branch !== base[position]);
}
