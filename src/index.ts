/**
 * backprop-ref: a reference implementation of the multilayer perceptron and its
 * backpropagation. Everything the library offers, re-exported from its modules layer by layer,
 * each layer using only the ones above it in this list (see docs/architecture.md).
 *
 * @module
 */

// numeric: float64 matrices on ndarray and their product kernels, seeded randomness, complex
// numbers, the errors, exact JSON.
export * from "./numeric/errors.js";
export * from "./numeric/tensor.js";
export * from "./numeric/products.js";
// Which kernels run and the memory of the WebAssembly ones; their per-call choice (numeric/kernels)
// has the JavaScript kernels' names and stays inside `multiply`.
export * from "./numeric/kernel-memory.js";
export * from "./numeric/overflow.js";
export * from "./numeric/random.js";
export * from "./numeric/complex.js";
export * from "./numeric/json.js";

// model: what a student reads, in order.
export * from "./model/activations.js";
export * from "./model/losses.js";
export * from "./model/network.js";
export * from "./model/forward.js";
export * from "./model/learning-rate.js";
export * from "./model/weight-decay.js";
export * from "./model/backprop.js";
export * from "./model/intuitive.js";
export * from "./model/forward-mode.js";
export * from "./model/second-order.js";

// oracles: numeric gradients from the loss alone, Hessian-vector products by the complex step and by differences of
// gradients, the Gauss–Newton product from the complex step's tangents, the 100-digit oracle, the comparison and its report, check and
// check --order 2.
export * from "./oracles/kinks.js";
export * from "./oracles/comparison.js";
export * from "./oracles/finite-differences.js";
export * from "./oracles/complex-step.js";
export * from "./oracles/parameter-directions.js";
export * from "./oracles/complex-gradient.js";
export * from "./oracles/hessian-differences.js";
export * from "./oracles/gauss-newton-product.js";
export * from "./oracles/gradient-check.js";
export * from "./oracles/lines.js";
export * from "./oracles/directional.js";
export * from "./oracles/taylor.js";
export * from "./oracles/exact-arithmetic.js";
export * from "./oracles/exact-step.js";
export * from "./oracles/exact-comparison.js";
export * from "./oracles/report.js";
export * from "./oracles/check.js";
export * from "./oracles/second-order-check.js";
export * from "./oracles/second-order-report.js";

// training: the workspace, the fused update and step, momentum, datasets, the IDX reader, train, the model file, the plot.
export * from "./training/workspace.js";
export * from "./training/fused-update.js";
export * from "./training/momentum.js";
export * from "./training/fused-step.js";
export * from "./training/dataset.js";
export * from "./training/mnist.js";
export * from "./training/data.js";
export * from "./training/idx.js";
export * from "./training/train.js";
export * from "./training/model-file.js";
export * from "./training/plot.js";

// conformance: the case and result formats, the hvp case and answer, schemas, mistakes, tolerance, vectors, verify, the hvp vectors and their verify, fuzz, the worked example.
export * from "./conformance/case-format.js";
export * from "./conformance/hvp-format.js";
export * from "./conformance/case-arbitrary.js";
export * from "./conformance/saturating-case-arbitrary.js";
export * from "./conformance/fuzz-case-arbitrary.js";
export * from "./conformance/kink-case-arbitrary.js";
export * from "./conformance/direction-arbitrary.js";
export * from "./conformance/schemas.js";
export * from "./conformance/mistakes.js";
export * from "./conformance/tolerance.js";
export * from "./conformance/vector-format.js";
export * from "./conformance/exactly-rounded.js";
export * from "./conformance/vector-notes.js";
export * from "./conformance/vectors.js";
export * from "./conformance/invalid-vectors.js";
export * from "./conformance/document-comparison.js";
export * from "./conformance/verify.js";
export * from "./conformance/verify-report.js";
export * from "./conformance/hvp-vector-format.js";
export * from "./conformance/hvp-vectors.js";
export * from "./conformance/hvp-verify.js";
export * from "./conformance/fuzz-space.js";
export * from "./conformance/fuzz-judge.js";
export * from "./conformance/fuzz-reduce.js";
export * from "./conformance/fuzz.js";
export * from "./conformance/fuzz-report.js";
export * from "./conformance/fuzz-invalid.js";
export * from "./conformance/float32-step.js";
export * from "./conformance/float32-tolerance.js";
export * from "./conformance/child-program.js";
export * from "./conformance/worked-example.js";

// cli: the command line, for embedding it.
export { runCli } from "./cli/index.js";
export { exitBadInput, exitCheckFailed, type CommandIo } from "./cli/io.js";
