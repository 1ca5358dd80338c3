/**
 * backprop-ref: a reference implementation of the multilayer perceptron and its
 * backpropagation. Everything the library offers, re-exported from its modules in the order of
 * the design's layers: tensors and randomness; activations and losses; the network, the forward
 * pass and backpropagation; gradient checking; the JSON case and result formats, the conformance vectors, their schemas and
 * their verification; training on XOR, Iris and MNIST, and the model file.
 *
 * @module
 */
export * from "./errors.js";
export * from "./tensor.js";
export * from "./random.js";
export * from "./activations.js";
export * from "./losses.js";
export * from "./network.js";
export * from "./forward.js";
export * from "./backprop.js";
export * from "./descent.js";
export * from "./gradcheck.js";
export * from "./conformance.js";
export * from "./mistakes.js";
export * from "./verify.js";
export * from "./vectors.js";
export * from "./schemas.js";
export * from "./example.js";
export * from "./data.js";
export * from "./train.js";
export * from "./model.js";
export * from "./plot.js";
export { runCli, exitBadInput, type CommandIo } from "./cli.js";
