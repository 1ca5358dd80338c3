/**
 * The WebAssembly module's exports: the product kernels (`products.ts`) and the update kernels
 * of a training step (`updates.ts`). `npm run build:wasm` (scripts/build-wasm.ts) compiles this
 * file, and with it every kernel it names, into `src/numeric/wasm-binary.ts`.
 */
export { matrixVectorProduct, columnPairProducts, transposedProduct, rowDotProducts } from "./products";
export { outerProductStep, dotProductsStep } from "./updates";
