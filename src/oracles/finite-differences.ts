/**
 * Numeric gradients from the loss alone, one parameter at a time: central differences, and
 * Richardson extrapolation of two of them. Neither calls the backward pass or any
 * activation's derivative, which is what makes them independent witnesses of it. The loss is
 * the batch mean plus, with a weight decay $\lambda'$ (the option `weightDecay`), its penalty
 * $\frac{\lambda'}{2} \sum_l \lVert W^{(l)} \rVert_F^2$ at the perturbed weights: the differences
 * see the penalty's slope as they see the data's, and never its derivative $\lambda' W$.
 *
 * - central differences ({@link numericGradients}): two losses per parameter, step
 *   $\varepsilon^{1/3}$, error about $10^{-10}$;
 * - Richardson extrapolation ({@link richardsonGradients}): two central differences with steps
 *   $h$ and $h/2$ combined so that the $h^2$ error cancels, error $O(h^4)$, with an error
 *   estimate for every entry.
 *
 * Each notes, for every entry, whether one of its perturbed forward passes put a `relu` or
 * `leaky_relu` preactivation across its kink (see {@link oracles/kinks | kinks}).
 *
 * @module
 */
import { forward, traceLoss } from "../model/forward.js";
import { cloneNetwork, type Network, type ParameterArrays } from "../model/network.js";
import { lossWithWeightDecay } from "../model/weight-decay.js";
import { zerosLike, type Matrix, type Vector } from "../numeric/tensor.js";
import type { EntryMethod, GradientCheckOptions, NumericGradients } from "./comparison.js";
import { crossesKink, kinkBranches } from "./kinks.js";

/**
 * The default relative step, $\varepsilon^{1/3}$ with $\varepsilon = 2^{-52}$ the float64 machine
 * epsilon.
 *
 * A central difference has two errors that pull the step in opposite directions:
 *
 * $$\frac{E(w + h) - E(w - h)}{2h} = \frac{\partial E}{\partial w}
 *   + \underbrace{\frac{h^2}{6} \frac{\partial^3 E}{\partial w^3}}_{\text{truncation}}
 *   + \underbrace{O\!\left(\frac{\varepsilon |E|}{h}\right)}_{\text{round-off}}$$
 *
 * The sum of $h^2$ and $\varepsilon / h$ is smallest near $h \approx \varepsilon^{1/3}$, where both
 * are about $\varepsilon^{2/3} \approx 4 \times 10^{-11}$ (for derivatives and losses of order one).
 * The step grows with $|w|$ so that $w \pm h$ still differ from $w$ in about the same number of
 * bits when $|w| > 1$.
 */
export const defaultRelativeStep = Math.cbrt(Number.EPSILON);

/**
 * The default relative step of Richardson extrapolation, $\varepsilon^{1/5} \approx 7.4 \times 10^{-4}$.
 *
 * Extrapolation removes the $h^2$ term, leaving truncation of order $h^4$ against round-off of
 * order $\varepsilon / h$; their sum is smallest near $h \approx \varepsilon^{1/5}$, where both are
 * about $\varepsilon^{4/5} \approx 3 \times 10^{-13}$.
 */
export const richardsonRelativeStep = Math.pow(Number.EPSILON, 1 / 5);

/**
 * Numeric gradients of the batch loss by central differences, one parameter at a time.
 *
 * For each parameter $w$: $h = r \max(1, |w|)$, then
 *
 * $$\frac{\partial E}{\partial w} \approx \frac{E(w^+) - E(w^-)}{w^+ - w^-}, \qquad w^\pm = w \pm h$$
 *
 * dividing by the step actually taken, $w^+ - w^-$ as rounded in float64, rather than by $2h$.
 * Cost: two forward passes per parameter.
 *
 * @param network - the network (left unchanged)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the relative step and the weight decay (see {@link oracles/comparison!GradientCheckOptions | GradientCheckOptions})
 */
export function numericGradients(network: Network, inputs: Matrix, targets: Matrix, options: GradientCheckOptions = {}): NumericGradients {
  const relativeStep = options.relativeStep ?? defaultRelativeStep;
  return perturbEachParameter(network, inputs, targets, options.weightDecay ?? 0, "central", relativeStep, (lossAt, original, step) => {
    const up = original + step;
    const down = original - step;
    return { value: (lossAt(up) - lossAt(down)) / (up - down), error: null };
  });
}

/**
 * Numeric gradients by Richardson extrapolation of two central differences, with an error
 * estimate for every entry.
 *
 * A central difference with step $h$ has the expansion $D(h) = E' + c h^2 + O(h^4)$. Combining
 * the steps $h$ and $h/2$ cancels the $h^2$ term:
 *
 * $$R = \frac{4\, D(h/2) - D(h)}{3} = E' + O(h^4), \qquad
 *   \text{estimated error} = \frac{|D(h) - D(h/2)|}{3}$$
 *
 * The estimate is that of $D(h/2)$'s error $c h^2 / 4$, a conservative bound for $R$ as long as
 * the expansion holds. Cost: four forward passes per parameter. Default step
 * $h = \varepsilon^{1/5} \max(1, |w|)$ (see {@link richardsonRelativeStep}).
 *
 * @param network - the network (left unchanged)
 * @param inputs - $x$, $n_0 \times B$
 * @param targets - $t$, $n_L \times B$
 * @param options - the relative step and the weight decay (see {@link oracles/comparison!GradientCheckOptions | GradientCheckOptions})
 */
export function richardsonGradients(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  options: GradientCheckOptions = {},
): NumericGradients {
  const relativeStep = options.relativeStep ?? richardsonRelativeStep;
  return perturbEachParameter(network, inputs, targets, options.weightDecay ?? 0, "richardson", relativeStep, (lossAt, original, step) => {
    const central = (size: number): number => {
      const up = original + size;
      const down = original - size;
      return (lossAt(up) - lossAt(down)) / (up - down);
    };
    const coarse = central(step);
    const fine = central(step / 2);
    return { value: (4 * fine - coarse) / 3, error: Math.abs(coarse - fine) / 3 };
  });
}

/**
 * Runs an estimate of the derivative for every parameter of a copy of the network, noting for
 * each whether any loss it evaluated put a `relu` or `leaky_relu` preactivation on the other
 * side of the kink from where the unperturbed network has it.
 */
function perturbEachParameter(
  network: Network,
  inputs: Matrix,
  targets: Matrix,
  weightDecay: number,
  method: EntryMethod,
  relativeStep: number,
  estimate: (lossAt: (value: number) => number, original: number, step: number) => { value: number; error: number | null },
): NumericGradients {
  const probe = cloneNetwork(network);
  const branches = kinkBranches(network, forward(network, inputs).preactivations);
  const kinkCrossed: boolean[] = [];
  const differentiate = <Shaped extends Matrix | Vector>(parameters: Shaped, errors: Shaped): Shaped => {
    const result = zerosLike(parameters);
    for (let index = 0; index < parameters.data.length; index++) {
      const original = parameters.data[index]!;
      let crossed = false;
      const lossAt = (value: number): number => {
        parameters.data[index] = value;
        const trace = forward(probe, inputs);
        // The penalty is of the perturbed weights: taken before the parameter is put back.
        const loss = lossWithWeightDecay(traceLoss(probe, trace, targets), probe.weights, weightDecay);
        parameters.data[index] = original;
        if (!crossed) crossed = crossesKink(branches, probe, trace.preactivations);
        return loss;
      };
      const { value, error } = estimate(lossAt, original, relativeStep * Math.max(1, Math.abs(original)));
      result.data[index] = value;
      errors.data[index] = error ?? 0;
      kinkCrossed.push(crossed);
    }
    return result;
  };
  const weightErrors = probe.weights.map((weights) => zerosLike(weights));
  const biasErrors = probe.biases?.map((bias) => zerosLike(bias)) ?? null;
  const gradients: ParameterArrays = { weights: [], biases: probe.biases === null ? null : [] };
  probe.weights.forEach((weights, index) => {
    (gradients.weights as Matrix[]).push(differentiate(weights, weightErrors[index]!));
    if (probe.biases !== null) (gradients.biases as Vector[]).push(differentiate(probe.biases[index]!, biasErrors![index]!));
  });
  return {
    method,
    gradients,
    estimatedErrors: method === "richardson" ? { weights: weightErrors, biases: biasErrors } : null,
    kinkCrossed,
    relativeStep,
  };
}
