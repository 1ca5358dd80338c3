/**
 * Gradients at a kink, judged honestly: where a `relu` or `leaky_relu` preactivation is exactly
 * $0$, the derivative there is a convention, and any value between the one-sided derivatives is
 * a correct answer (a subgradient).
 *
 * Integer weights and inputs with zeros in them put a preactivation exactly on the kink more
 * often than one would think ($z = 1 \cdot 1 + (-1) \cdot 1$). There $f'(0)$ does not exist:
 * the slope is $f'_- = 0$ (`relu`) or $0.01$ (`leaky_relu`) on the left and $f'_+ = 1$ on the
 * right, and libraries choose: this project, PyTorch and TensorFlow take the left slope for
 * `relu` ($f'(0) = 0$), others take $1$ or $\frac12$. None is wrong. Moving one parameter $w$ a
 * little moves such a unit's $z$ to one side or the other, so the loss has a derivative from
 * each side, $D_+$ and $D_-$, and each gradient entry that goes through the unit may be any
 * value between them:
 *
 * $$\frac{\partial E}{\partial w} \in \left[\min(D_-, D_+),\ \max(D_-, D_+)\right].$$
 *
 * For one unit at its kink, backpropagation with the left slope there gives one end of that
 * interval and with the right slope the other (which end depends on the sign of
 * $\partial z / \partial w$), and a slope $s$ between gives a point between, because the entry is
 * affine in $s$: $z$ enters the chain rule once, through $f'$. So {@link gradientsWithKinkSlope}
 * computes both ends exactly, and the laws of spec/oracles/kink-conventions.spec.ts confirm them
 * against one-sided differences of the loss alone.
 *
 * With several units at their kinks the one-sided derivatives no longer describe what an
 * implementation may answer: moving $w$ can turn one unit on and another off (two samples whose
 * inputs to the unit have opposite signs), so $D_+$ mixes two conventions, while every library
 * takes one convention at every kink. The interval judged is therefore the one that every
 * uniform convention falls in: between the gradients with the left slope at every kink and with
 * the right slope at every kink. Units at their kinks in the *same* layer keep each entry affine
 * in the common slope, so every slope between lands between the two ends; for one unit it is
 * $[D_-, D_+]$. Units at their kinks in two or more layers, one feeding the other, make the
 * entry a polynomial in the slope; a convention between the slopes may then fall outside, and
 * an entry outside is reported as inconclusive rather than wrong.
 *
 * {@link judgeAtKinks} puts the gradients under test beside both ends and says which convention
 * they follow: the left slope (this project's), the right slope, another subgradient between
 * them, or none.
 *
 * @module
 */
import { backpropagate, backpropagateDeltas, gradients } from "../model/backprop.js";
import { weightDecayGradients } from "../model/weight-decay.js";
import { forward, traceLoss, type Trace } from "../model/forward.js";
import { directionalDerivative, forwardTangents } from "../model/forward-mode.js";
import { gaussNewtonVectorProduct, hessianVectorProduct, type SecondOrderProducts } from "../model/second-order.js";
import { parameterEntries, type Network, type ParameterArrays } from "../model/network.js";
import { dimensions, mapEntries, zeros, type Matrix } from "../numeric/tensor.js";
import { relativeError } from "./comparison.js";

/** Which one-sided slope a gradient takes where a preactivation is exactly at its kink. */
export type KinkSide = "left" | "right";

/** One preactivation exactly at a kink: $z^{(l)}_{jb} = 0$ in a `relu` or `leaky_relu` layer. */
export interface KinkUnit {
  /** The layer $l$, from $1$ to $L$. */
  readonly layer: number;
  /** The unit $j$. */
  readonly unit: number;
  /** The sample $b$. */
  readonly sample: number;
}

/**
 * Every preactivation exactly at a kink ($0$ or $-0$) of its layer's `relu` or `leaky_relu`,
 * layer by layer, unit by unit, sample by sample.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param trace - its forward pass, if it is already done
 */
export function unitsAtKinks(network: Network, inputs: Matrix, trace: Trace = forward(network, inputs)): KinkUnit[] {
  const units: KinkUnit[] = [];
  network.spec.activations.forEach((activation, index) => {
    if (activation !== "relu" && activation !== "leaky_relu") return;
    const z = trace.preactivations[index]!;
    const [rows, columns] = dimensions(z);
    for (let j = 0; j < rows; j++)
      for (let b = 0; b < columns; b++) if (z.get(j, b) === 0) units.push({ layer: index + 1, unit: j, sample: b });
  });
  return units;
}

/**
 * The forward pass with every preactivation exactly at a kink moved onto the kink's right
 * piece: each such $z = 0$ of a `relu` or `leaky_relu` layer replaced by the smallest positive
 * double, the outputs left as they are. Every step of backpropagation, forward mode and the
 * R-operator takes its slopes from the preactivations ($f'(z) = 1$ and $f''(z) = 0$ for
 * $z > 0$) and its outputs from the trace, so run on this trace they compute exactly what the
 * right slope at the kinks gives, at the same point. Away from the kinks it is the trace itself.
 *
 * @param network - the network whose forward pass it is
 * @param trace - its forward pass
 */
export function onTheRightOfKinks(network: Network, trace: Trace): Trace {
  const kinked = (index: number) => network.spec.activations[index] === "relu" || network.spec.activations[index] === "leaky_relu";
  const preactivations = trace.preactivations.map((z, index) =>
    kinked(index) ? mapEntries(zeros(...dimensions(z)), z, (value) => (value === 0 ? Number.MIN_VALUE : value)) : z,
  );
  return { preactivations, outputs: trace.outputs };
}

/**
 * The gradients of the batch loss with the left or the right slope at every preactivation
 * exactly at a kink: $f'(0)$ of `relu` taken as $0$ or $1$ and of `leaky_relu` as $0.01$ or $1$.
 * The left slope is {@link model/backprop!backpropagate | backpropagate}'s own; the right one is
 * backpropagation's steps 1–5 on the forward pass {@link onTheRightOfKinks}. Away from the kinks
 * both are the gradient. With weight decay both gain the penalty's $\lambda' W$ (step 5b), which
 * no slope at a kink changes.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param side - which slope at the kinks
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the loss's weight-decay penalty; default $0$
 */
export function gradientsWithKinkSlope(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  side: KinkSide,
  weightDecay = 0,
): ParameterArrays {
  if (side === "left") return backpropagate(network, inputs, targets, undefined, weightDecay).gradients;
  const trace = onTheRightOfKinks(network, forward(network, inputs));
  const batchGradients = gradients(trace, backpropagateDeltas(network, inputs, targets, undefined, trace).deltas, network.biases !== null);
  return weightDecayGradients(batchGradients, network.weights, weightDecay, batchGradients);
}

/**
 * The second-order products with the right slope at every preactivation exactly at a kink: the
 * model's own forward mode and R-operator on the forward pass {@link onTheRightOfKinks}.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$
 * @param trace - the network's forward pass on the inputs, if it is already done
 */
export function rightSlopeProducts(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  trace: Trace = forward(network, inputs),
): SecondOrderProducts {
  const tangents = forwardTangents(network, inputs, direction, onTheRightOfKinks(network, trace));
  return {
    loss: traceLoss(network, trace, targets),
    directionalDerivative: directionalDerivative(network, inputs, targets, direction, tangents),
    outputTangents: tangents.outputTangents.at(-1)!,
    hessianVectorProduct: hessianVectorProduct(network, inputs, targets, direction, tangents),
    gaussNewtonVectorProduct: gaussNewtonVectorProduct(network, inputs, targets, direction, tangents),
  };
}

/** An entry of the gradients under test beside the two ends of its interval. */
export interface KinkEntry {
  /** `weights[l-1][j][k]` or `biases[l-1][j]`. */
  readonly position: string;
  /** The value under test. */
  readonly given: number;
  /** The entry with the left slope at the kinks (this project's convention). */
  readonly left: number;
  /** The entry with the right slope at the kinks. */
  readonly right: number;
  /** Whether the value is between the two ends, to the tolerance. */
  readonly within: boolean;
}

/** Which convention the gradients under test follow at the kinks. */
export type KinkConvention = "left" | "right" | "between" | "none";

/** What {@link judgeAtKinks} found. */
export interface KinkJudgement {
  /** The preactivations exactly at a kink. */
  readonly units: readonly KinkUnit[];
  /**
   * `passed` when the gradients follow the left slope, this project's convention (and when no
   * unit is at a kink); `acceptable` when they follow another subgradient; `failed` when an
   * entry is outside its interval; `inconclusive` when it is outside but units at kinks in more
   * than one layer make the interval of a uniform convention unknown.
   */
  readonly verdict: "passed" | "acceptable" | "failed" | "inconclusive";
  /** The convention the gradients follow: both ends agree, or all of the entries that differ take one end, or lie between. */
  readonly convention: KinkConvention;
  /** The entries whose two ends differ: the ones that the convention decides. */
  readonly decided: readonly KinkEntry[];
  /** The first entry outside its interval, if any. */
  readonly outside: KinkEntry | null;
  /** The relative tolerance. */
  readonly tolerance: number;
  /** The floor of the relative error's denominator. */
  readonly floor: number;
}

/** The tolerance of {@link judgeAtKinks}: both ends are exact gradients, so an entry may differ from one by its rounding only. */
export const kinkTolerance = 1e-9;

/**
 * Judges gradients at a point where preactivations sit exactly at their kinks: every entry
 * must lie between its values with the left and the right slope there (to the tolerance, with
 * the floor of {@link oracles/comparison!relativeError | relativeError}), and the convention
 * they follow is named.
 *
 * @param network - the network
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param supplied - the gradients under test, shaped like the parameters
 * @param floor - the floor of the relative error's denominator, as the oracles use it
 * @param tolerance - the relative tolerance; {@link kinkTolerance} by default
 * @param weightDecay - $\lambda' \ge 0$, the coefficient of the loss's weight-decay penalty; default $0$
 */
export function judgeAtKinks(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  supplied: ParameterArrays,
  floor: number,
  tolerance = kinkTolerance,
  weightDecay = 0,
): KinkJudgement {
  const units = unitsAtKinks(network, inputs);
  const left = parameterEntries(gradientsWithKinkSlope(network, inputs, targets, "left", weightDecay));
  const right = parameterEntries(gradientsWithKinkSlope(network, inputs, targets, "right", weightDecay));
  const given = parameterEntries(supplied);
  const close = (a: number, b: number) => relativeError(a, b, floor) <= tolerance;
  const entries: KinkEntry[] = given.map((entry, index) => {
    const low = Math.min(left[index]!.value, right[index]!.value);
    const high = Math.max(left[index]!.value, right[index]!.value);
    const within = (entry.value >= low && entry.value <= high) || close(entry.value, low) || close(entry.value, high);
    return { position: entry.position, given: entry.value, left: left[index]!.value, right: right[index]!.value, within };
  });
  const decided = entries.filter((entry) => !close(entry.left, entry.right));
  const outside = entries.find((entry) => !entry.within) ?? null;
  const convention: KinkConvention =
    outside !== null
      ? "none"
      : decided.every((entry) => close(entry.given, entry.left))
        ? "left"
        : decided.every((entry) => close(entry.given, entry.right))
          ? "right"
          : "between";
  const layers = new Set(units.map((unit) => unit.layer));
  const verdict = outside !== null ? (layers.size > 1 ? "inconclusive" : "failed") : convention === "left" ? "passed" : "acceptable";
  return { units, verdict, convention, decided, outside, tolerance, floor };
}
