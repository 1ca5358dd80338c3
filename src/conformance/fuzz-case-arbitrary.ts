/**
 * Random cases for fuzzing another implementation: the constraints and distributions of
 * {@link conformance/case-arbitrary!caseDocument | caseDocument}, drawn so that a failing case
 * shrinks well (every number drawn for the largest shape, the case taking the block its shape
 * needs) and reads by hand (mostly short decimals). The fuzzer's space
 * ({@link conformance/fuzz-space | fuzz-space}) draws its cases here.
 *
 * @module
 */
import fc from "fast-check";
import { type CaseConstraints, hiddenActivations, outputPairs, withinCaseBounds } from "./case-arbitrary.js";
import { caseFormat, type CaseDocument } from "./case-format.js";
import { crossEntropyTarget, input, matrix, representable, row } from "./case-numbers.js";

/** A number in $[-\text{limit}, \text{limit}]$: four times in five a multiple of $0.01$, otherwise drawn by `any`. */
function mostlyDecimal(limit: number, any: fc.Arbitrary<number>): fc.Arbitrary<number> {
  const hundredths = Math.round(limit * 100);
  return fc.oneof(
    { arbitrary: fc.integer({ min: -hundredths, max: hundredths }).map((count) => count / 100), weight: 4 },
    { arbitrary: any, weight: 1 },
  );
}

/**
 * Random case documents for fuzzing another implementation, within the same constraints and
 * from the same distributions as
 * {@link conformance/case-arbitrary!caseDocument | caseDocument}, drawn so that a failure
 * shrinks well.
 *
 * {@link conformance/case-arbitrary!caseDocument | caseDocument} draws the shape first and
 * then numbers for that shape, and fast-check cannot make a network smaller without drawing all
 * its numbers afresh, which a failure that depends on them may not survive: a shrunk case can
 * keep seven units it does not need. Here every number is drawn for the largest shape the
 * constraints allow, and the case takes the block its drawn shape needs: `weights[l-1]` the
 * top-left $n_l \times n_{l-1}$ block of a largest matrix, `inputs` and `targets` the first $B$
 * rows and the columns they need. The fields shrink in the order of importance to a reader,
 * each keeping the numbers of the rest: fewer layers, then fewer units, then fewer samples, then
 * the activations (towards the first listed), then simpler numbers (towards 0).
 *
 * The numbers are mostly short decimals (hundredths: $0.37$, $-1.2$), which a reader can follow
 * by hand and which shrink to shorter ones, and sometimes any float64 in the same range, as
 * {@link conformance/case-arbitrary!caseDocument | caseDocument} draws them all. fast-check
 * draws a float64 from a range about evenly over its bit patterns, so most of those are tiny
 * ($10^{-200}$): where every weight is tiny, a wrong gradient can differ from the right one by
 * less than the absolute tolerance and pass.
 *
 * @param constraints - bounds on depth, width, batch, activations, biases and the learning rate
 */
export function fuzzCaseDocument(constraints: CaseConstraints = {}): fc.Arbitrary<CaseDocument> {
  const depth = constraints.depth ?? { min: 1, max: 4 };
  const width = constraints.width ?? { min: 1, max: 8 };
  const batch = constraints.batch ?? { min: 1, max: 5 };
  const outputs = constraints.outputs ?? outputPairs;
  const largest = { layers: depth.max, units: width.max, samples: batch.max };
  return fc
    .record({
      layers: fc.integer(depth),
      sizes: fc.array(fc.integer(width), { minLength: largest.layers + 1, maxLength: largest.layers + 1 }),
      samples: fc.integer(batch),
      hidden: fc.array(fc.constantFrom(...(constraints.hidden ?? hiddenActivations)), {
        minLength: largest.layers,
        maxLength: largest.layers,
      }),
      output: fc.constantFrom(...outputs),
      biases: constraints.biases === undefined ? fc.boolean() : fc.constant(constraints.biases),
      weights: fc.array(matrix(largest.units, largest.units, mostlyDecimal(1.5, representable(-1.5, 1.5))), {
        minLength: largest.layers,
        maxLength: largest.layers,
      }),
      biasValues: fc.array(row(largest.units, mostlyDecimal(1.5, representable(-1.5, 1.5))), {
        minLength: largest.layers,
        maxLength: largest.layers,
      }),
      inputs: matrix(largest.samples, largest.units, mostlyDecimal(2, input)),
      squaredErrorTargets: matrix(largest.samples, largest.units, mostlyDecimal(1, fc.double({ min: -1, max: 1, noNaN: true }))),
      probabilityTargets: matrix(largest.samples, largest.units, crossEntropyTarget(representable)),
      hotUnits: fc.array(fc.nat({ max: largest.units - 1 }), { minLength: largest.samples, maxLength: largest.samples }),
      oneHot: fc.boolean(),
      learningRate: constraints.learningRate ?? representable(0, 1),
    })
    .map((drawn): CaseDocument => {
      const L = drawn.layers;
      const sizes = drawn.sizes.slice(0, L + 1);
      const [outputActivation, loss] = drawn.output;
      const nL = sizes[L]!;
      const block = (rows: readonly (readonly number[])[], height: number, columns: number): number[][] =>
        rows.slice(0, height).map((entries) => entries.slice(0, columns));
      const targets =
        loss === "squared_error"
          ? block(drawn.squaredErrorTargets, drawn.samples, nL)
          : loss === "cross_entropy" && drawn.oneHot
            ? drawn.hotUnits.slice(0, drawn.samples).map((hot) => Array.from({ length: nL }, (_, k) => (k === hot % nL ? 1 : 0)))
            : block(drawn.probabilityTargets, drawn.samples, nL);
      return {
        format: caseFormat,
        sizes,
        activations: [...drawn.hidden.slice(0, L - 1), outputActivation],
        loss,
        weights: sizes.slice(1).map((units, index) => block(drawn.weights[index]!, units, sizes[index]!)),
        biases: drawn.biases ? sizes.slice(1).map((units, index) => drawn.biasValues[index]!.slice(0, units)) : null,
        inputs: block(drawn.inputs, drawn.samples, sizes[0]!),
        targets,
        learningRate: drawn.learningRate,
      };
    })
    .filter((document) => withinCaseBounds(document, constraints.awayFromKinks !== false));
}
