/**
 * The engine of `check --order 2`: judge every quantity of a second-order answer (this
 * library's, or another implementation's `backprop-ref/hvp@1` answer, which the command line
 * reads with {@link conformance/hvp-format!readHvpAnswer | readHvpAnswer}) by oracles that do not
 * use the R-operator, and report in words and in JSON (the report, its checks and their words are
 * {@link oracles/second-order-report | second-order-report}'s).
 *
 * For a batch, a direction $V$ and an answer, each quantity is judged by the oracles that can
 * judge it, one check each, in this order:
 *
 * | quantity | oracle | what it compares with | tolerance |
 * | --- | --- | --- | --- |
 * | `loss` | `forward` | $E$ by the library's forward pass and loss | $10^{-11}$, floor $10^{-3}\max(1, \lvert E\rvert)$ |
 * | `directionalDerivative` | `complex-step` | $\operatorname{Im} E(w + ihV)/h$ | $10^{-11}$ of $\max\left(\sum_i \lvert \nabla_i E\, V_i\rvert, \text{floor}\right)$ |
 * | `directionalDerivative` | `backprop` | $\nabla E \cdot V$, $\nabla E$ by backpropagation | the same |
 * | `outputTangents` | `complex-step` | $\operatorname{Im} o^{(L)}(w + ihV)/h$ | $10^{-11}$, floor $10^{-3} \max_i \lvert V_i\rvert$ |
 * | `hessianVectorProduct` | `complex-step` | $\operatorname{Im} \nabla E(w + ihV)/h$ ({@link oracles/complex-gradient | complex-gradient}) | $10^{-11}$, floor {@link oracles/hessian-differences!hessianProductFloor | hessianProductFloor} |
 * | `hessianVectorProduct` | `richardson` | Richardson extrapolation of differences of gradients ({@link oracles/hessian-differences | hessian-differences}) | $10^{-7}$, the same floor |
 * | `gaussNewtonVectorProduct` | `complex-step` | $J^\top H_\ell (JV)$, $JV$ by the complex step ({@link oracles/gauss-newton-product | gauss-newton-product}) | $10^{-11}$, the same floor |
 * | `gaussNewtonVectorProduct` | `semi-definite` | $V^\top (GV) \ge 0$, where the loss is convex | the rounding of the sum |
 *
 * Every floor is at least the smallest normal number $2^{-1022}$: below it a number's rounding is
 * absolute, and a direction of subnormal entries gives products that are $0$ as far as float64
 * can tell (the complex step cannot even scale such a direction, and says it overflowed).
 *
 * Why $10^{-11}$: see {@link oracles/second-order-report!secondOrderTolerance | secondOrderTolerance}.
 *
 * **The Gauss–Newton product** has no oracle by differences (it is not the derivative of
 * anything the network computes), so two things judge it: an independent construction of
 * $J^\top H_\ell J V$ from the complex step's tangents and backpropagation's first-order steps,
 * and a law that needs no oracle ({@link oracles/semi-definite-law | semi-definite-law}), $V^\top G V \ge 0$ for the convex losses (squared error,
 * binary cross-entropy, and cross-entropy where every sample's targets sum to $0$ or more),
 * because $V^\top G V = \frac1B \sum_b (J_b V)^\top H_{\ell,b} (J_b V)$ and each $H_\ell$ is then
 * positive semi-definite.
 *
 * **Verdicts.** A check passes, fails, or is inconclusive: it found nothing wrong but could not
 * judge everything (an oracle overflowed on some entries, or a step of Richardson extrapolation
 * moved a `relu` preactivation across its kink, so that its difference measures a jump rather
 * than $HV$). The report fails when one check fails. A failing Hessian-vector product is
 * compared with each known mistake the caller supplies ({@link SecondOrderCheckOptions.knownMistakes},
 * the command line gives those of {@link conformance/second-order-mistakes | second-order-mistakes}),
 * and a failing Gauss–Newton product with the Hessian-vector product, and the report names the
 * one it matches.
 *
 * **Kinks.** At a `relu` or `leaky_relu` preactivation exactly at $0$ every oracle takes the
 * piece on the left, as backprop-ref does ($f'(0)$ the left slope, $f'' = 0$); the report says
 * how many there are. The slope there is a convention, and another one changes every quantity
 * but the loss. So where such a unit exists, the products are computed once more with the right
 * slope at every unit at its kink ({@link oracles/kink-conventions!rightSlopeProducts | rightSlopeProducts}), and a check that fails against
 * the oracle is left inconclusive when every entry of the answer lies between its values with
 * the left and the right slope (to the check's tolerance and floor): another convention may give
 * it. An entry outside that interval still fails the check.
 *
 * @module
 */
import { backpropagate, type Backpropagation } from "../model/backprop.js";
import { traceLoss } from "../model/forward.js";
import { parameterEntries, type ParameterArrays, type ParameterEntry } from "../model/network.js";
import { secondOrder, type SecondOrderProducts } from "../model/second-order.js";
import { ValueError } from "../numeric/errors.js";
import { dimensions, type Matrix } from "../numeric/tensor.js";
import type { CheckedBatch } from "./check.js";
import { defaultFloor, defaultFloorScale, relativeError } from "./comparison.js";
import { complexStepDerivatives, type ComplexStepDerivatives } from "./complex-gradient.js";
import { complexStepGaussNewtonProduct } from "./gauss-newton-product.js";
import {
  type HessianDifference,
  hessianDifferenceTolerances,
  hessianProductFloor,
  richardsonHessianProduct,
} from "./hessian-differences.js";
import { rightSlopeProducts, unitsAtKinks } from "./kink-conventions.js";
import { largestEntry, parameterDot } from "./parameter-directions.js";
import {
  type ComparedEntry,
  type EntryCheck,
  type MatchedMistake,
  type SecondOrderCheck,
  type SecondOrderQuantity,
  type SecondOrderReport,
  secondOrderTolerance,
} from "./second-order-report.js";
import { convexLoss, semiDefinite } from "./semi-definite-law.js";

/** The smallest normal float64, $2^{-1022}$: the least floor of every comparison. */
const smallestNormal = 2 ** -1022;

/** The numeric oracles a second-order check can be limited to (`check --order 2 --method`), in the order they run. */
export const secondOrderMethods = ["complex-step", "richardson"] as const;

/** One of {@link secondOrderMethods}. */
export type SecondOrderMethod = (typeof secondOrderMethods)[number];

/** A product that an answer may hold instead of the right one, under the name of the mistake that computes it. */
export interface KnownMistake {
  /** The quantity it stands in for. */
  readonly quantity: "hessianVectorProduct" | "gaussNewtonVectorProduct";
  /** Its name, e.g. `gauss-newton-as-hessian`. */
  readonly name: string;
  /** One line of plain text: what the mistake does. */
  readonly summary: string;
  /** What it computes for the batch and the direction, shaped like the parameters. */
  readonly product: ParameterArrays;
}

/** Settings of a second-order check; every field has a default. */
export interface SecondOrderCheckOptions {
  /** The numeric oracles to run, default both of {@link secondOrderMethods}; the loss, $\nabla E \cdot V$ and the semi-definite law are judged always. */
  readonly methods?: readonly SecondOrderMethod[];
  /**
   * The known mistakes to try on a failing quantity, asked for only when one fails; default
   * none but the one this module knows itself, the Hessian-vector product reported as the
   * Gauss–Newton product (`hessian-as-gauss-newton`).
   */
  readonly knownMistakes?: () => readonly KnownMistake[];
}

/**
 * Judges a second-order answer for a batch and a direction $V$ by every oracle of the module
 * comment's table (or those of `options.methods`).
 *
 * @param batch - the network, inputs and targets (without weight decay: the second-order products are of the loss without a penalty)
 * @param direction - $V$, shaped like the parameters
 * @param answer - the answer to judge, shaped like the batch's (as {@link conformance/hvp-format!parseHvpAnswer | parseHvpAnswer} checks it); by default this library's, {@link model/second-order!secondOrder | secondOrder}
 * @param options - the oracles to run and the known mistakes to try
 * @throws {@link numeric/errors!ShapeError | ShapeError} for a direction of another shape,
 *   {@link numeric/errors!NumericError | NumericError} for one with an entry that is not finite, or where
 *   the library's own answer overflows
 * @throws {@link numeric/errors!ValueError | ValueError} for a batch with a weight decay other than $0$
 */
export function runSecondOrderChecks(
  batch: CheckedBatch,
  direction: ParameterArrays,
  answer?: SecondOrderProducts,
  options: SecondOrderCheckOptions = {},
): SecondOrderReport {
  const { network, inputs, targets } = batch;
  if ((batch.weightDecay ?? 0) !== 0) {
    throw new ValueError(
      `the second-order checks do not support weight decay, got weightDecay ${batch.weightDecay}: the products are of the loss without its penalty`,
    );
  }
  const methods = options.methods ?? secondOrderMethods;
  const given = answer ?? secondOrder(network, inputs, targets, direction);
  const oracles = lazyOracles(batch, direction);
  const kinks = unitsAtKinks(network, inputs, oracles.backpropagation.trace);
  const judged: SecondOrderCheck[] = [
    ...firstOrderChecks(oracles, given, methods),
    ...productChecks(oracles, given, methods),
    ...(convexLoss(batch) ? [semiDefinite(direction, given.gaussNewtonVectorProduct, oracles.floor)] : []),
  ];
  // At a preactivation exactly at a kink the slope there is a convention (see
  // oracles/kink-conventions), and it enters every quantity but the loss; the oracles know the
  // left one only, so a difference there may be another convention rather than a mistake.
  // The two ends of what a convention at the kinks may give: the library's products (the left
  // slope, which the oracles confirm) and those with the right slope.
  const right = kinks.length === 0 ? null : rightSlopeProducts(network, inputs, targets, direction, oracles.backpropagation.trace);
  const left = right === null ? null : secondOrder(network, inputs, targets, direction);
  const checks = judged.map((check): SecondOrderCheck =>
    right !== null &&
    left !== null &&
    check.kind === "entries" &&
    check.verdict === "failed" &&
    check.quantity !== "loss" &&
    betweenConventions(
      quantityValues(given, check.quantity),
      quantityValues(left, check.quantity),
      quantityValues(right, check.quantity),
      check,
    )
      ? { ...check, verdict: "inconclusive", passed: true, conventionAtKink: true }
      : check,
  );
  return {
    subject: answer === undefined ? "backprop-ref" : "supplied",
    passed: checks.every((check) => check.passed),
    inconclusive: checks.some((check) => check.verdict === "inconclusive"),
    checks,
    mistakes: matchedMistakes(checks, oracles, given, options.knownMistakes),
    kinks,
  };
}

/** What the oracles found for a batch and a direction, each computed when first asked for. */
interface LazyOracles {
  /** $E$ and $\nabla E$ by backpropagation, with its forward pass. */
  readonly backpropagation: Backpropagation;
  /** $E$. */
  readonly loss: number;
  /** The floor of the products: {@link oracles/hessian-differences!hessianProductFloor | hessianProductFloor}. */
  readonly floor: number;
  /** The direction $V$. */
  readonly direction: ParameterArrays;
  /** $\dot E$, $JV$ and $HV$ by the complex step of the gradient. */
  readonly complexStep: () => ComplexStepDerivatives;
  /** $HV$ by Richardson extrapolation of differences of gradients. */
  readonly richardson: () => HessianDifference;
  /** $GV$ by $J^\top H_\ell (JV)$. */
  readonly gaussNewton: () => ParameterArrays;
}

function lazyOracles(batch: CheckedBatch, direction: ParameterArrays): LazyOracles {
  const { network, inputs, targets } = batch;
  const backpropagation = backpropagate(network, inputs, targets);
  const loss = traceLoss(network, backpropagation.trace, targets);
  let complex: ComplexStepDerivatives | undefined;
  let differences: HessianDifference | undefined;
  let gaussNewton: ParameterArrays | undefined;
  return {
    backpropagation,
    loss,
    floor: hessianProductFloor(loss, direction),
    direction,
    complexStep: () => (complex ??= complexStepDerivatives(network, inputs, targets, direction)),
    richardson: () => (differences ??= richardsonHessianProduct(network, inputs, targets, direction)),
    gaussNewton: () => (gaussNewton ??= complexStepGaussNewtonProduct(network, inputs, targets, direction)),
  };
}

/** The loss against the forward pass, and $\dot E$ against the complex step and $\nabla E \cdot V$. */
function firstOrderChecks(oracles: LazyOracles, given: SecondOrderProducts, methods: readonly SecondOrderMethod[]): EntryCheck[] {
  const { loss, direction } = oracles;
  const { gradients } = oracles.backpropagation;
  const checks = [
    compareEntries("loss", "forward", [scalar("loss", given.loss)], [scalar("loss", loss)], secondOrderTolerance, defaultFloor(loss)),
  ];
  // Ė is a sum of the terms ∇_i E V_i: its rounding is relative to their magnitudes, however much they cancel.
  const slopeFloor = Math.max(absoluteDot(gradients, direction), oracles.floor);
  const slope = (expected: number, oracle: EntryCheck["oracle"]): EntryCheck =>
    compareEntries(
      "directionalDerivative",
      oracle,
      [scalar("directionalDerivative", given.directionalDerivative)],
      [scalar("directionalDerivative", expected)],
      secondOrderTolerance,
      slopeFloor,
    );
  if (methods.includes("complex-step")) checks.push(slope(oracles.complexStep().directionalDerivative, "complex-step"));
  checks.push(slope(parameterDot(gradients, direction), "backprop"));
  return checks;
}

/** $JV$, $HV$ and $GV$ against the oracles asked for, in the order of the module comment's table. */
function productChecks(oracles: LazyOracles, given: SecondOrderProducts, methods: readonly SecondOrderMethod[]): EntryCheck[] {
  const { floor } = oracles;
  const complexStep = methods.includes("complex-step");
  const checks: EntryCheck[] = [];
  const entries = parameterEntries;
  if (complexStep) {
    // Outputs move at about the rate of the parameters, whatever the loss.
    const tangentFloor = defaultFloorScale * largestEntry(oracles.direction);
    const { outputTangents, hessianVectorProduct } = oracles.complexStep();
    checks.push(
      compareEntries(
        "outputTangents",
        "complex-step",
        tangentEntries(given.outputTangents),
        tangentEntries(outputTangents),
        secondOrderTolerance,
        tangentFloor,
      ),
      compareEntries(
        "hessianVectorProduct",
        "complex-step",
        entries(given.hessianVectorProduct),
        entries(hessianVectorProduct),
        secondOrderTolerance,
        floor,
      ),
    );
  }
  if (methods.includes("richardson")) {
    const { product, kinkCrossed } = oracles.richardson();
    checks.push(
      compareEntries(
        "hessianVectorProduct",
        "richardson",
        entries(given.hessianVectorProduct),
        entries(product),
        hessianDifferenceTolerances.richardson,
        floor,
        kinkCrossed,
      ),
    );
  }
  if (complexStep) {
    checks.push(
      compareEntries(
        "gaussNewtonVectorProduct",
        "complex-step",
        entries(given.gaussNewtonVectorProduct),
        entries(oracles.gaussNewton()),
        secondOrderTolerance,
        floor,
      ),
    );
  }
  return checks;
}

/**
 * For each failing product, the first known mistake within the tolerance of the answer (and not
 * within it of the oracle's product, or it could not be told from the right one): those the
 * caller supplies, and the Hessian-vector product reported as the Gauss–Newton product.
 */
function matchedMistakes(
  checks: readonly SecondOrderCheck[],
  oracles: LazyOracles,
  given: SecondOrderProducts,
  knownMistakes: SecondOrderCheckOptions["knownMistakes"],
): MatchedMistake[] {
  const failing = (["hessianVectorProduct", "gaussNewtonVectorProduct"] as const).filter((quantity) =>
    checks.some((check) => check.quantity === quantity && !check.passed),
  );
  if (failing.length === 0) return [];
  const candidates: KnownMistake[] = [
    ...(knownMistakes?.() ?? []),
    {
      quantity: "gaussNewtonVectorProduct",
      name: "hessian-as-gauss-newton",
      summary: "the Hessian-vector product H V is reported as the Gauss-Newton product G V",
      product: oracles.complexStep().hessianVectorProduct,
    },
  ];
  const references = {
    hessianVectorProduct: () => oracles.complexStep().hessianVectorProduct,
    gaussNewtonVectorProduct: oracles.gaussNewton,
  };
  const within = (a: ParameterArrays, b: ParameterArrays) => withinTolerance(a, b, secondOrderTolerance, oracles.floor);
  return failing.flatMap((quantity) => {
    const reference = references[quantity]();
    const match = candidates.find(
      (mistake) => mistake.quantity === quantity && !within(mistake.product, reference) && within(given[quantity], mistake.product),
    );
    return match === undefined ? [] : [{ quantity, name: match.name, summary: match.summary }];
  });
}

function scalar(position: string, value: number): ParameterEntry {
  return { position, value };
}

/** The entries of $n_L \times B$ output tangents in the JSON layout, one row per sample: `outputTangents[b][k]`. */
function tangentEntries(tangents: Matrix): ParameterEntry[] {
  const [units, samples] = dimensions(tangents);
  const entries: ParameterEntry[] = [];
  for (let b = 0; b < samples; b++)
    for (let k = 0; k < units; k++) entries.push({ position: `outputTangents[${b}][${k}]`, value: tangents.get(k, b) });
  return entries;
}

function compareEntries(
  quantity: SecondOrderQuantity,
  oracle: EntryCheck["oracle"],
  given: readonly ParameterEntry[],
  expected: readonly ParameterEntry[],
  tolerance: number,
  floor: number,
  kinkCrossed = false,
): EntryCheck {
  // Below the normal range a number keeps fewer digits, and its rounding is absolute: a direction
  // of subnormal entries gives products of subnormals, equal to 0 as far as float64 can tell.
  floor = Math.max(floor, smallestNormal);
  const compared: ComparedEntry[] = [];
  let oracleOverflows = 0;
  given.forEach((entry, index) => {
    const other = expected[index]!.value;
    if (!Number.isFinite(other)) {
      oracleOverflows++;
      return;
    }
    compared.push({
      position: entry.position,
      given: entry.value,
      expected: other,
      absoluteError: Math.abs(entry.value - other),
      relativeError: relativeError(entry.value, other, floor),
    });
  });
  const worstEntries = kinkCrossed ? [] : [...compared].sort((a, b) => worseFirst(a.relativeError, b.relativeError)).slice(0, 5);
  const worst = worstEntries[0] ?? null;
  const failed = !kinkCrossed && !compared.every((entry) => entry.relativeError <= tolerance);
  return {
    kind: "entries",
    quantity,
    oracle,
    verdict: failed ? "failed" : kinkCrossed || oracleOverflows > 0 ? "inconclusive" : "passed",
    passed: !failed,
    maxRelativeError: worst?.relativeError ?? 0,
    tolerance,
    floor,
    count: given.length,
    worst,
    worstEntries,
    kinkCrossed,
    oracleOverflows,
  };
}

/** Orders relative errors from worst to best, `NaN` first. */
function worseFirst(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return b - a;
}

function withinTolerance(given: ParameterArrays, expected: ParameterArrays, tolerance: number, floor: number): boolean {
  const expectedEntries = parameterEntries(expected);
  return parameterEntries(given).every((entry, index) => relativeError(entry.value, expectedEntries[index]!.value, floor) <= tolerance);
}

/** $\sum_i \lvert a_i b_i \rvert$. */
function absoluteDot(a: ParameterArrays, b: ParameterArrays): number {
  const other = parameterEntries(b);
  return parameterEntries(a).reduce((sum, entry, index) => sum + Math.abs(entry.value * other[index]!.value), 0);
}

/** The numbers of one quantity of an answer, in the order of its entries (parameters as `parameterEntries`, tangents as `tangentEntries`). */
function quantityValues(products: SecondOrderProducts, quantity: SecondOrderQuantity): number[] {
  switch (quantity) {
    case "loss":
      return [products.loss];
    case "directionalDerivative":
      return [products.directionalDerivative];
    case "outputTangents":
      return tangentEntries(products.outputTangents).map((entry) => entry.value);
    case "hessianVectorProduct":
    case "gaussNewtonVectorProduct":
      return parameterEntries(products[quantity]).map((entry) => entry.value);
  }
}

/** Whether every number lies between its values with the left and the right slope at the kinks, or within the check's tolerance of either. */
function betweenConventions(given: number[], left: number[], right: number[], check: EntryCheck): boolean {
  return given.every((value, index) => {
    const low = Math.min(left[index]!, right[index]!);
    const high = Math.max(left[index]!, right[index]!);
    return (
      (value >= low && value <= high) ||
      relativeError(value, low, check.floor) <= check.tolerance ||
      relativeError(value, high, check.floor) <= check.tolerance
    );
  });
}
