/**
 * The Hessian-vector product $HV$ of the batch loss by differences of gradients: the gradient
 * from {@link model/backprop!backpropagate | backpropagate} at two points on either side of $w$
 * along $V$, and their difference divided by the distance between them.
 *
 * The gradient $g(w) = \nabla E(w)$ has the Hessian $H$ as its Jacobian, so along a line
 *
 * $$g(w + sV) = g(w) + s HV + \frac{s^2}{2} g''[V, V] + \frac{s^3}{6} g'''[V, V, V] + O(s^4)$$
 *
 * and the even terms cancel in the central difference:
 *
 * $$D(s) = \frac{g(w + sV) - g(w - sV)}{2s} = HV + \frac{s^2}{6} g'''[V, V, V] + O(s^4).$$
 *
 * It relies on the model's gradient and nothing else: no second derivative of an activation or
 * a loss, no complex arithmetic, so it is independent of both the R-operator of the model and
 * the complex step of the gradient ({@link oracles/complex-gradient | complex-gradient}).
 * {@link richardsonHessianProduct} combines two central differences to cancel the $s^2$ term as
 * well.
 *
 * **The step.** The two errors of $D(s)$ pull the step apart: the truncation above grows as
 * $s^2$, and the round-off of the two gradients, each computed to about $\varepsilon$ times the
 * size of its terms, is divided by $2s$. Measured by how far the parameters move, $u = s \max_i |V_i|$,
 * truncation is about $u^2$ and round-off about $\varepsilon / u$ relative to $HV$ when
 * parameters, inputs and derivatives are of order one, and their sum is least near
 * $u = \varepsilon^{1/3} \approx 6 \times 10^{-6}$ (for Richardson extrapolation, $u^4$ against
 * $\varepsilon / u$, near $\varepsilon^{1/5} \approx 7 \times 10^{-4}$): the balance of the
 * central difference of the loss ({@link oracles/finite-differences!defaultRelativeStep | defaultRelativeStep}),
 * one derivative up. With parameters larger than $1$ the move grows with them, so that
 * $w \pm sV$ still differ from $w$ in as many bits:
 *
 * $$s = \frac{r \max\left(1, \max_i |w_i|\right)}{\max_i |V_i|},$$
 *
 * rounded to a power of two (after dividing $V$ by the power of two near its largest entry, see
 * {@link oracles/parameter-directions!powerOfTwoScale | powerOfTwoScale}), so that $sV$, $sV/2$
 * and $1/2s$ are exact.
 *
 * The derivatives are not of order one, though: the third derivative of the gradient along
 * $V$ is a product of up to four layers' weights (entries up to $1.5$, eight units: a gain of
 * up to $12$ a layer) and grows much faster with depth than the round-off does, so truncation
 * dominates at $\varepsilon^{1/3}$ and $\varepsilon^{1/5}$. The defaults $r$ are where the
 * worst error over the property suite's cases was least, measured against the complex step of
 * the gradient with the floor of {@link hessianProductFloor}: random cases with random
 * directions as the specs draw them (`caseWithDirection`, 10,000 of each of the case
 * arbitrary's two spreads at every $r$, and 30,000 more of each at the three $r$ nearest each
 * default), the worst of all:
 *
 * | $r$ | central | Richardson |
 * | --- | --- | --- |
 * | $2^{-10} \approx 9.8 \times 10^{-4}$ | | $1.9 \times 10^{-5}$ |
 * | $2^{-12} \approx 2.4 \times 10^{-4}$ | | $7.2 \times 10^{-8}$ |
 * | $2^{-13} \approx 1.2 \times 10^{-4}$ | | $1.9 \times 10^{-8}$ |
 * | $2^{-14} \approx 6.1 \times 10^{-5}$ | $8.1 \times 10^{-4}$ | $7.3 \times 10^{-9}$ (default) |
 * | $2^{-15} \approx 3.1 \times 10^{-5}$ | | $6.4 \times 10^{-8}$ |
 * | $2^{-16} \approx 1.5 \times 10^{-5}$ | $5.1 \times 10^{-5}$ | $2.3 \times 10^{-8}$ |
 * | $2^{-18} \approx 3.8 \times 10^{-6}$ | $3.2 \times 10^{-6}$ | $9.8 \times 10^{-8}$ |
 * | $2^{-19} \approx 1.9 \times 10^{-6}$ | $2.0 \times 10^{-6}$ | |
 * | $2^{-20} \approx 9.5 \times 10^{-7}$ | $4.9 \times 10^{-7}$ (default) | $5.1 \times 10^{-7}$ |
 * | $2^{-21} \approx 4.8 \times 10^{-7}$ | $4.4 \times 10^{-7}$ | |
 * | $2^{-22} \approx 2.4 \times 10^{-7}$ | $1.1 \times 10^{-6}$ | |
 *
 * Above the best step truncation sets the worst: a deep, wide network whose hidden outputs
 * reach the generators' bound of $5$ (at $2^{-13}$ such a case met $1.9 \times 10^{-8}$ where
 * the typical worst is $3 \times 10^{-9}$). Below it round-off does, on entries near the floor,
 * where the absolute round-off counts. $2^{-20}$ and $2^{-21}$ tie for central differences;
 * the larger is kept, whose round-off is half as large for the cases that truncate little.
 * Richardson extrapolation buys about two orders of accuracy for twice the cost.
 *
 * **The step actually taken.** The gradient check of the loss divides by $w^+ - w^-$ as rounded,
 * rather than by $2h$, because one parameter moves and the rounding of that one number is all
 * there is to correct. Here every parameter moves at once, each $w_i \pm sV_i$ rounds on its
 * own, and no single number is the step: the points reached are $w \pm sV + r^\pm$ with
 * $|r^\pm_i| \le \frac12 \operatorname{ulp}(w_i)$. What the difference then measures is $HV$ plus
 * $H(r^+ + r^-)/2s$, about $\varepsilon \max|w|\, \|H\| / s$: of the size of the gradients'
 * own round-off, which the step already balances against truncation. So the quotient divides by
 * $2s$, exactly.
 *
 * **Kinks.** A `relu` or `leaky_relu` preactivation on one side of $0$ at $w$ and on the other
 * at $w + sV$ or $w - sV$ puts a jump of the gradient into the difference, which is then not
 * $HV$ of anything: the result says so ({@link HessianDifference.kinkCrossed}, from
 * {@link oracles/kinks!crossesKink | crossesKink}), and should not be judged. The property
 * suite's cases keep such preactivations $10^{-3}$ from $0$, and a move of $r \max(1, \max_i |w_i|)$
 * crosses none of them but in rare cases.
 *
 * @module
 */
import { assertDirectionShape } from "../model/forward-mode.js";
import { backpropagate } from "../model/backprop.js";
import { forward } from "../model/forward.js";
import type { Network, ParameterArrays } from "../model/network.js";
import type { Matrix } from "../numeric/tensor.js";
import { defaultFloorScale } from "./comparison.js";
import { crossesKink, kinkBranches } from "./kinks.js";
import {
  combineParameters,
  displacedNetwork,
  largestEntry,
  mapParameters,
  powerOfTwoScale,
  scaledParameters,
} from "./parameter-directions.js";

/**
 * The default relative step of {@link centralHessianProduct}: $r = 2^{-20} \approx 9.5 \times 10^{-7}$,
 * where the worst error of the measurements in the module comment was least (the theory's
 * $\varepsilon^{1/3}$, for derivatives of order one, is $6 \times 10^{-6}$, six times larger).
 */
export const hessianCentralRelativeStep = 2 ** -20;

/**
 * The default relative step of {@link richardsonHessianProduct}: $r = 2^{-14} \approx 6.1 \times 10^{-5}$,
 * where the worst error of the measurements in the module comment was least (the theory's
 * $\varepsilon^{1/5}$ is $7.4 \times 10^{-4}$, twelve times larger).
 */
export const hessianRichardsonRelativeStep = 2 ** -14;

/** The two difference oracles of $HV$. */
export type HessianDifferenceMethod = "central" | "richardson";

/** Settings of a difference of gradients; every field has a default. */
export interface HessianDifferenceOptions {
  /**
   * $r$, the largest move of a parameter relative to $\max(1, \max_i |w_i|)$ (see the module
   * comment). Default {@link hessianCentralRelativeStep} for {@link centralHessianProduct},
   * {@link hessianRichardsonRelativeStep} for {@link richardsonHessianProduct}.
   */
  readonly relativeStep?: number;
}

/** What a difference of gradients found. */
export interface HessianDifference {
  /** The oracle. */
  readonly method: HessianDifferenceMethod;
  /** The estimate of $HV$, shaped like the parameters. */
  readonly product: ParameterArrays;
  /** $s$: the gradients were taken at $w \pm sV$ (and at $w \pm sV/2$ for Richardson extrapolation); $0$ for a direction of zeros. */
  readonly step: number;
  /** Whether a point $w \pm sV$ (or $w \pm sV/2$) put a `relu` or `leaky_relu` preactivation on the other side of its kink from $w$; then the product is not to be judged. */
  readonly kinkCrossed: boolean;
  /** Richardson extrapolation's estimate of each entry's absolute error, $|D(s) - D(s/2)|/3$, shaped like the parameters; `null` for central differences. */
  readonly estimatedErrors: ParameterArrays | null;
}

/**
 * The largest relative error each difference oracle of $HV$ may show against the exact product,
 * with the floor of {@link hessianProductFloor} and the default steps: about ten times the worst
 * seen against the complex step of the gradient over the measurements of the module comment
 * (80,000 random cases with random directions at each default): central differences
 * $5 \times 10^{-6}$ (worst seen $4.9 \times 10^{-7}$), Richardson extrapolation $10^{-7}$ (worst
 * seen $7.3 \times 10^{-9}$). The complex step itself is good to about $10^{-12}$, so what was
 * seen is the differences' own error.
 */
export const hessianDifferenceTolerances: Readonly<Record<HessianDifferenceMethod, number>> = {
  central: 5e-6,
  richardson: 1e-7,
};

/**
 * The floor of the relative error's denominator for the entries of a Hessian-vector product:
 * $10^{-3} \max(1, |E|) \max_i |V_i|$, the floor of the gradient check
 * ({@link oracles/comparison!defaultFloor | defaultFloor}) times the size of the direction.
 *
 * Every error of a difference of gradients is proportional to $V$ (the product is linear in it,
 * and the step is chosen relative to $\max_i |V_i|$), and its round-off is absolute, about
 * $\varepsilon^{2/3}$ times the size of the gradients' terms: an entry of $HV$ that is $0$ or
 * tiny (a weight of a dead unit, an input of zero) would otherwise show a relative error near $1$
 * from that noise alone.
 *
 * @param loss - $E(w)$
 * @param direction - $V$
 */
export function hessianProductFloor(loss: number, direction: ParameterArrays): number {
  return defaultFloorScale * Math.max(1, Math.abs(loss)) * largestEntry(direction);
}

/** The step of a difference of gradients, along the direction divided by its power of two. */
export interface HessianDifferenceStep {
  /** $\tilde s$, a power of two: the gradients are taken at $w \pm \tilde s V / \sigma$; $0$ for a direction of zeros. */
  readonly scaledStep: number;
  /** $\sigma$ (see {@link oracles/parameter-directions!powerOfTwoScale | powerOfTwoScale}); the step along $V$ itself is $\tilde s / \sigma$. */
  readonly scale: number;
}

/**
 * The step of a difference of gradients along $V$, as in the module comment: for the direction
 * divided by its power of two $\sigma$, the power of two nearest
 * $r \max(1, \max_i |w_i|) / \max_i |V_i / \sigma|$.
 *
 * @param network - the network at $w$
 * @param direction - $V$
 * @param relativeStep - $r$
 */
export function hessianDifferenceStep(network: Network, direction: ParameterArrays, relativeStep: number): HessianDifferenceStep {
  const scale = powerOfTwoScale(direction);
  const largest = largestEntry(direction) / scale;
  if (largest === 0) return { scaledStep: 0, scale };
  const move = relativeStep * Math.max(1, largestEntry(network));
  return { scaledStep: 2 ** Math.round(Math.log2(move / largest)), scale };
}

/**
 * The Hessian-vector product by the central difference of gradients,
 *
 * $$HV \approx \frac{\nabla E(w + sV) - \nabla E(w - sV)}{2s},$$
 *
 * with the step of {@link hessianDifferenceStep} (default $r$ {@link hessianCentralRelativeStep}),
 * error $O(s^2)$ plus round-off, up to about $5 \times 10^{-7}$ relative in practice (see
 * {@link hessianDifferenceTolerances}). Cost: two backward passes.
 *
 * @param network - the network at $w$ (left unchanged)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters (`biases` `null` iff the network has none)
 * @param options - the relative step (see {@link HessianDifferenceOptions})
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for an entry of it that is not finite
 */
export function centralHessianProduct(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  options: HessianDifferenceOptions = {},
): HessianDifference {
  const along = alongDirection(network, inputs, targets, direction, options.relativeStep ?? hessianCentralRelativeStep);
  if (along === null) return zeroProduct("central", direction);
  const central = along.centralDifference(along.scaledStep);
  return {
    method: "central",
    product: scaledParameters(central.difference, along.scale),
    step: along.scaledStep / along.scale,
    kinkCrossed: central.kinkCrossed,
    estimatedErrors: null,
  };
}

/**
 * The Hessian-vector product by Richardson extrapolation of two central differences of
 * gradients, with an error estimate for every entry.
 *
 * $D(s) = HV + c s^2 + O(s^4)$ with the same $c$ for every $s$, so the steps $s$ and $s/2$
 * combine to cancel the $s^2$ term:
 *
 * $$R = \frac{4\, D(s/2) - D(s)}{3} = HV + O(s^4), \qquad \text{estimated error} = \frac{|D(s) - D(s/2)|}{3}.$$
 *
 * With truncation $O(s^4)$ against round-off $O(\varepsilon / s)$ the best move is larger than a
 * central difference's (default $r$ {@link hessianRichardsonRelativeStep}, $2^{6}$ times
 * {@link hessianCentralRelativeStep}), the round-off it divides by $s$ is smaller, and the worst
 * error seen is $7 \times 10^{-9}$ against $5 \times 10^{-7}$: two orders of accuracy for twice
 * the cost (four backward passes). The larger step reaches further, though: a `relu`
 * preactivation within about $10^{-3}$ of its kink is crossed more often, and then
 * {@link HessianDifference.kinkCrossed} is set.
 *
 * @param network - the network at $w$ (left unchanged)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param direction - $V$, shaped like the parameters
 * @param options - the relative step (see {@link HessianDifferenceOptions})
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for an entry of it that is not finite
 */
export function richardsonHessianProduct(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  options: HessianDifferenceOptions = {},
): HessianDifference {
  const along = alongDirection(network, inputs, targets, direction, options.relativeStep ?? hessianRichardsonRelativeStep);
  if (along === null) return zeroProduct("richardson", direction);
  const coarse = along.centralDifference(along.scaledStep);
  const fine = along.centralDifference(along.scaledStep / 2);
  const combine = (combination: (coarseValue: number, fineValue: number) => number): ParameterArrays =>
    combineParameters(coarse.difference, fine.difference, (coarseValue, fineValue) => combination(coarseValue, fineValue) * along.scale);
  return {
    method: "richardson",
    product: combine((coarseValue, fineValue) => (4 * fineValue - coarseValue) / 3),
    step: along.scaledStep / along.scale,
    kinkCrossed: coarse.kinkCrossed || fine.kinkCrossed,
    estimatedErrors: combine((coarseValue, fineValue) => Math.abs(coarseValue - fineValue) / 3),
  };
}

/** The gradient along the scaled direction $\tilde V = V/\sigma$, and central differences of it. */
interface AlongDirection {
  /** $\tilde s$, the step along $\tilde V$. */
  readonly scaledStep: number;
  /** $\sigma$. */
  readonly scale: number;
  /** $\left(g(w + \tilde s \tilde V) - g(w - \tilde s \tilde V)\right) / 2\tilde s$ for a step $\tilde s$, and whether either point crossed a kink. */
  centralDifference(step: number): { readonly difference: ParameterArrays; readonly kinkCrossed: boolean };
}

/** The direction checked and scaled, the step chosen, and the differences along it; `null` for a direction of zeros. */
function alongDirection(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  direction: ParameterArrays,
  relativeStep: number,
): AlongDirection | null {
  assertDirectionShape(network, direction);
  const { scaledStep, scale } = hessianDifferenceStep(network, direction, relativeStep);
  if (scaledStep === 0) return null;
  const scaled = scaledParameters(direction, 1 / scale);
  const branches = kinkBranches(network, forward(network, inputs).preactivations);
  const gradientAt = (step: number): { gradients: ParameterArrays; kinkCrossed: boolean } => {
    const displaced = displacedNetwork(network, scaled, step);
    const { trace, gradients } = backpropagate(displaced, inputs, targets);
    return { gradients, kinkCrossed: crossesKink(branches, displaced, trace.preactivations) };
  };
  return {
    scaledStep,
    scale,
    centralDifference(step) {
      const up = gradientAt(step);
      const down = gradientAt(-step);
      // 1/2s is a power of two: the quotient rounds only in the subtraction.
      const difference = combineParameters(up.gradients, down.gradients, (upValue, downValue) => (upValue - downValue) * (1 / (2 * step)));
      return { difference, kinkCrossed: up.kinkCrossed || down.kinkCrossed };
    },
  };
}

/** The product along a direction of zeros: zeros, with no step taken. */
function zeroProduct(method: HessianDifferenceMethod, direction: ParameterArrays): HessianDifference {
  const zeros = mapParameters(direction, () => 0);
  return { method, product: zeros, step: 0, kinkCrossed: false, estimatedErrors: method === "richardson" ? zeros : null };
}
