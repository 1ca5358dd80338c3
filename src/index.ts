/**
 * backprop-ref: a reference implementation of the multilayer perceptron and its
 * backpropagation. Everything the library offers, re-exported from its modules in the order of
 * the design's layers: tensors and randomness; activations and losses; the network, the forward
 * pass and backpropagation; gradient checking; the JSON case and result formats, the conformance vectors, their schemas and
 * their verification; training on XOR, Iris and MNIST, and the model file.
 *
 * @module
 */
export * from "./numeric/errors.js";
export * from "./numeric/tensor.js";
export * from "./numeric/random.js";
export * from "./model/activations.js";
export * from "./model/losses.js";
export * from "./model/network.js";
export * from "./model/forward.js";
export * from "./model/backprop.js";
export * from "./training/fused-step.js";
export * from "./oracles/gradcheck.js";
export * from "./conformance/case-format.js";
export * from "./conformance/mistakes.js";
export * from "./conformance/verify.js";
export * from "./conformance/vectors.js";
export * from "./conformance/schemas.js";
export * from "./conformance/worked-example.js";
export * from "./training/data.js";
export * from "./training/train.js";
export * from "./training/model-file.js";
export * from "./training/plot.js";
export { runCli, exitBadInput, type CommandIo } from "./cli/index.js";
