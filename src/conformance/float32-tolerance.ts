/**
 * How close a single-precision implementation's numbers must be to the float64 reference, case
 * by case and number by number, derived from the case rather than fixed.
 *
 * A fixed tolerance cannot serve float32: a gradient entry that is a sum of terms which cancel
 * carries the rounding error of its terms, not of itself, and may be off by far more than
 * $2^{-24}$ of its value in any correct float32 code, while an entry of the same size computed
 * without cancellation is good to a few units in the last place. So the case is computed four
 * times in emulated float32 (see {@link conformance/float32-step!float32Step | float32Step}): every sum in ascending and in
 * descending order, each with the reference's stable slopes and with the slopes most float32
 * code forms from the outputs ($o(1 - o)$, $1 - o^2$), and each number $e$ of the reference gets
 * the allowance
 *
 * $$a(e) = S \left( \max_{\text{order, form}} \lvert e_{32} - e \rvert + u \lvert e \rvert + u\, m \right),
 * \qquad u = 2^{-24}, \quad S = 16,$$
 *
 * with $m$ the largest magnitude in the same matrix (or vector, or the loss itself). The first
 * term is the rounding error this computation shows in two orders and two forms (each pair of
 * them: one order with the usual slopes can be lucky where the other is not, as a unit whose
 * $1 - o^2$ cancels showed, 1.2 times beyond the allowance of two of the four); $u \lvert e \rvert$ and
 * $u\,m$ are floors for a number that both orders happened to get exactly, the second for a
 * small entry beside large ones (a float32 implementation that forms $\sigma'(z)$ from
 * $o(1 - o)$ loses a small slope entirely, to an error of about $u$ times the largest slope);
 * the safety factor $S = 16$ leaves room for another order of summation, fused operations and
 * library functions that are not correctly rounded. A mistake changes numbers by a sizeable
 * fraction of themselves, far beyond $a(e)$, except where a number is itself below the floors.
 *
 * @module
 */
import { caseResult, parseCase, type CaseDocument, type ParameterDocument, type ResultDocument } from "./case-format.js";
import { float32Step } from "./float32-step.js";

/** The unit roundoff of float32, $u = 2^{-24}$. */
export const float32Roundoff = 2 ** -24;

/** The safety factor $S$ of the float32 allowances. */
export const float32Safety = 16;

/**
 * The allowed absolute error of every number of a case's result for a float32 implementation,
 * shaped like the result (see the module comment).
 *
 * @param document - a valid case
 * @param reference - its float64 reference result, when already computed
 */
export function float32Allowances(document: CaseDocument, reference: ResultDocument = caseResult(parseCase(document))): ResultDocument {
  const emulated = (["ascending", "descending"] as const).flatMap((order) =>
    (["stable", "usual"] as const).map((slopes) => float32Step(document, order, slopes)),
  );
  const block = (expected: readonly number[], emulations: readonly (readonly number[])[]): number[] => {
    const largest = Math.max(0, ...expected.map(Math.abs));
    return expected.map((entry, index) => {
      const spread = Math.max(...emulations.map((emulation) => Math.abs(emulation[index]! - entry)));
      return float32Safety * (spread + float32Roundoff * Math.abs(entry) + float32Roundoff * largest);
    });
  };
  const matrix = (expected: readonly (readonly number[])[], emulations: readonly (readonly (readonly number[])[])[]): number[][] => {
    const columns = expected[0]?.length ?? 0;
    const flat = block(
      expected.flat(),
      emulations.map((emulation) => emulation.flat()),
    );
    return expected.map((_, row) => flat.slice(row * columns, (row + 1) * columns));
  };
  const parameters = (part: "gradients" | "deltaWeights" | "updated"): ParameterDocument => ({
    weights: reference[part].weights.map((expected, l) =>
      matrix(
        expected,
        emulated.map((emulation) => emulation[part].weights[l]!),
      ),
    ),
    biases:
      reference[part].biases?.map((expected, l) =>
        block(
          expected,
          emulated.map((emulation) => emulation[part].biases![l]!),
        ),
      ) ?? null,
  });
  return {
    ...reference,
    loss: block(
      [reference.loss],
      emulated.map((emulation) => [emulation.loss]),
    )[0]!,
    outputs: matrix(
      reference.outputs,
      emulated.map((emulation) => emulation.outputs),
    ),
    gradients: parameters("gradients"),
    deltaWeights: parameters("deltaWeights"),
    updated: parameters("updated"),
  };
}
