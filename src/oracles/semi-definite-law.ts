/**
 * The semi-definite law of the Gauss–Newton product, the one check of `check --order 2` that
 * needs no oracle: $V^\top G V \ge 0$ for the convex losses (squared error, binary
 * cross-entropy, and cross-entropy where every sample's targets sum to $0$ or more), because
 * $V^\top G V = \frac1B \sum_b (J_b V)^\top H_{\ell,b} (J_b V)$ and each $H_\ell$ is then
 * positive semi-definite. An answer's $GV$ that breaks it is wrong whatever an oracle says;
 * {@link oracles/second-order-check | second-order-check} runs it beside the oracles, and its
 * result is a {@link oracles/second-order-report!SemiDefiniteCheck | SemiDefiniteCheck}.
 *
 * @module
 */
import { parameterEntries, type ParameterArrays } from "../model/network.js";
import { dimensions } from "../numeric/tensor.js";
import type { CheckedBatch } from "./check.js";
import { parameterDot } from "./parameter-directions.js";
import { secondOrderTolerance, type SemiDefiniteCheck } from "./second-order-report.js";

/**
 * Whether every sample's loss is convex in the output layer's weighted sums (or, for squared error, in the outputs), so that $G$ is positive semi-definite.
 *
 * @param batch - the network, inputs and targets
 */
export function convexLoss(batch: CheckedBatch): boolean {
  if (batch.network.spec.loss !== "cross_entropy") return true;
  const [units, samples] = dimensions(batch.targets);
  for (let b = 0; b < samples; b++) {
    let sum = 0;
    for (let k = 0; k < units; k++) sum += batch.targets.get(k, b);
    if (sum < 0) return false;
  }
  return true;
}

/**
 * The law judged on an answer's Gauss–Newton product: passed when $V^\top (GV)$ is at least
 * $-\text{allowance}$, the rounding of the sum, $10^{-11} \sum_i \lvert V_i\rvert \max(\lvert (GV)_i\rvert, \text{floor})$.
 *
 * @param direction - $V$, shaped like the parameters
 * @param product - the answer's $GV$, shaped like the parameters
 * @param floor - the least magnitude of an entry of $GV$ in the allowance: the products' floor, {@link oracles/hessian-differences!hessianProductFloor | hessianProductFloor}
 */
export function semiDefinite(direction: ParameterArrays, product: ParameterArrays, floor: number): SemiDefiniteCheck {
  const value = parameterDot(direction, product);
  const productEntries = parameterEntries(product);
  const scale = parameterEntries(direction).reduce(
    (sum, entry, index) => sum + Math.abs(entry.value) * Math.max(Math.abs(productEntries[index]!.value), floor),
    0,
  );
  const allowance = secondOrderTolerance * scale;
  const passed = value >= -allowance;
  return {
    kind: "semi-definite",
    quantity: "gaussNewtonVectorProduct",
    oracle: "semi-definite",
    verdict: passed ? "passed" : "failed",
    passed,
    value,
    allowance,
  };
}
