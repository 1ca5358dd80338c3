/**
 * Random cases with preactivations exactly at a kink of `relu` or `leaky_relu`, where the
 * slope is a convention: small integer weights, biases and inputs, so that many preactivations
 * are exactly $0$, in networks whose units at their kinks all lie in one layer. The general
 * cases ({@link conformance/case-arbitrary | case-arbitrary}) keep away from the kinks; these
 * are for the laws of the slopes there, {@link oracles/kink-conventions | kink-conventions}.
 *
 * @module
 */
import fc from "fast-check";
import type { ActivationName, ElementwiseActivationName } from "../model/activations.js";
import type { LossName } from "../model/losses.js";
import { kinkDistance } from "../oracles/kinks.js";
import { type CaseConstraints, hiddenOutputBound, largestHiddenOutput } from "./case-arbitrary.js";
import { caseFormat, parseCase, type CaseDocument } from "./case-format.js";
import { matrix, row, targetsFor, uniformly } from "./case-numbers.js";

/**
 * Random cases with preactivations exactly at a kink: `relu` and `leaky_relu` networks of
 * small integer weights ($-2$ to $2$), biases ($-1$ to $1$) and inputs ($-1$ to $1$), so that
 * every preactivation of the first layer is an integer and many are $0$; every case kept has at
 * least one preactivation at exactly $0$. Only the first weight layer is `relu` or
 * `leaky_relu`: with one layer it is the output, with squared error; with more, the layers after
 * it are `tanh` and the output `identity` with squared error or softmax with cross-entropy. So
 * the units at their kinks are all in one layer, and the interval of every gradient entry is
 * exactly the one between its values with the left and the right slope (see
 * `oracles/kink-conventions`).
 *
 * @param constraints - the depth (default 1 to 3), width (1 to 4) and batch (1 to 4)
 */
export function kinkCaseDocument(
  constraints: Pick<CaseConstraints, "depth" | "width" | "batch" | "biases"> = {},
): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 3 };
  const width = constraints.width ?? { min: 1, max: 4 };
  const batch = constraints.batch ?? { min: 1, max: 4 };
  const kinked = fc.constantFrom<ElementwiseActivationName>("relu", "leaky_relu");
  const integers = (limit: number) => fc.integer({ min: -limit, max: limit });
  return fc
    .record({
      sizes: fc.integer(depth).chain((layers) => fc.array(fc.integer(width), { minLength: layers + 1, maxLength: layers + 1 })),
      first: kinked,
      output: fc.constantFrom<readonly [ActivationName, LossName]>(["identity", "squared_error"], ["softmax", "cross_entropy"]),
      biases: constraints.biases === undefined ? fc.boolean() : fc.constant(constraints.biases),
      samples: fc.integer(batch),
    })
    .chain(({ sizes, first, output, biases, samples }) => {
      const L = sizes.length - 1;
      const [outputActivation, loss] = L === 1 ? ([first, "squared_error"] as const) : output;
      const activations: ActivationName[] =
        L === 1 ? [first] : [first, ...Array.from({ length: L - 2 }, () => "tanh" as const), outputActivation];
      return fc.record({
        format: fc.constant(caseFormat),
        sizes: fc.constant(sizes),
        activations: fc.constant(activations),
        loss: fc.constant(loss),
        weights: fc.tuple(...sizes.slice(1).map((units, index) => matrix(units, sizes[index]!, integers(2)))),
        biases: biases ? fc.tuple(...sizes.slice(1).map((units) => row(units, integers(1)))) : fc.constant(null),
        inputs: matrix(samples, sizes[0]!, integers(1)),
        targets: targetsFor(loss, samples, sizes[L]!, uniformly),
        learningRate: uniformly(0, 1),
      });
    })
    .filter((document) => {
      const problem = parseCase(document);
      return kinkDistance(problem.network, problem.inputs) === 0 && largestHiddenOutput(problem) <= hiddenOutputBound;
    });
}
