/**
 * The TensorFlow.js contenders: the same training step written with tf ops, in float32, on the
 * pure-JavaScript `cpu` backend and on the WebAssembly `wasm` backend (XNNPACK).
 *
 * The backward pass is written out op by op, exactly as the other contenders compute it, rather
 * than taken from `tf.grad`: the point is the speed of the same arithmetic, and a tape would add
 * work the others do not do. Every step runs inside `tf.tidy`, the weights are `tf.Variable`s
 * updated with `assign`, and the step ends by reading the loss with `dataSync`, which waits for
 * the backend; both backends also run every kernel synchronously, so the updates are done too.
 *
 * Two choices that matter for TensorFlow.js's speed, both taken in its favour (measured on the
 * benchmark machine):
 * - Transposes are explicit `tf.transpose` calls, not `matMul`'s `transposeA`/`transposeB`
 *   flags: with the flags the wasm backend's products were about 10 times slower, and the cpu
 *   backend's were no faster.
 * - $\eta / B$ multiplies the deltas ($n_l \times B$) before the outer product, not the
 *   $n_l \times n_{l-1}$ product after it, which halves the cpu backend's step at batch 1.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { tensorFlowName } from "./contenders.js";
import { seedLearningRate, seedSizes, type SeedProblem, type StepContender } from "./seed-problem.js";

/** The two backends measured. */
export type TensorFlowBackend = "cpu" | "wasm";

/** Whether a backend could be used, and what the wasm backend runs with. */
export interface BackendStatus {
  /** The backend. */
  readonly backend: TensorFlowBackend;
  /** Whether it initialised. */
  readonly available: boolean;
  /** Why not, if it did not. */
  readonly reason: string | null;
  /** For wasm: whether the SIMD binary was loaded. */
  readonly simd: boolean | null;
  /** For wasm: the number of threads XNNPACK uses (1 when the single-threaded binary runs). */
  readonly threads: number | null;
  /** The version of tfjs-core (the backends are released in step with it). */
  readonly version: string;
}

/**
 * Initialises both backends once and reports what each runs with.
 *
 * The wasm backend loads its `.wasm` binaries from the installed package's `dist/` directory,
 * as a file path: in Node, Emscripten reads a path with `fs`, and nothing is fetched. After
 * initialisation TensorFlow.js is put in production mode (`tf.enableProdMode`), which skips its
 * debugging checks and the cpu backend's advice to install `@tensorflow/tfjs-node`.
 */
export async function initialiseBackends(): Promise<BackendStatus[]> {
  const require = createRequire(import.meta.url);
  const wasmPackage = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  setWasmPaths(join(dirname(wasmPackage), "dist") + sep);
  const version = tf.version_core;
  const statuses: BackendStatus[] = [];
  for (const backend of ["cpu", "wasm"] as const) {
    const { succeeded, warnings } = await withWarningsCaught(() => tf.setBackend(backend));
    if (!succeeded) {
      // Emscripten repeats the cause in every later message; the first says it.
      const reason = warnings[0]?.trim() || `tf.setBackend("${backend}") returned false`;
      statuses.push({ backend, available: false, reason, simd: null, threads: null, version });
      continue;
    }
    const wasm = backend === "wasm";
    statuses.push({
      backend,
      available: true,
      reason: null,
      simd: wasm ? Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) : null,
      threads: wasm ? getThreadsCount() : null,
      version,
    });
  }
  tf.enableProdMode();
  return statuses;
}

/**
 * The training step on a TensorFlow.js backend, which {@link initialiseBackends} must have
 * initialised.
 *
 * Layout as in the project: one sample per column, so $z = W x$ is `tf.matMul(W, x)`.
 *
 * @param backend - `cpu` or `wasm`
 */
export function tensorFlowContender(backend: TensorFlowBackend): StepContender {
  return {
    name: tensorFlowName(backend),
    precision: "float32",
    async prepare(problem: SeedProblem) {
      await selectBackend(backend);
      const [inputUnits, hiddenUnits, outputUnits] = seedSizes;
      const samples = problem.batchSize;
      // The problem's numbers are float32 already (see seedProblem), so these copies are exact.
      const hiddenWeights = variableFrom(problem.weights[0], hiddenUnits, inputUnits);
      const outputWeights = variableFrom(problem.weights[1], outputUnits, hiddenUnits);
      const inputs = tf.tensor2d(Float32Array.from(problem.inputs), [inputUnits, samples]);
      const targets = tf.tensor2d(Float32Array.from(problem.targets), [outputUnits, samples]);
      const scale = seedLearningRate / samples;
      const step = (): number => {
        const loss = tf.tidy(() => {
          const hidden = tf.sigmoid(tf.matMul(hiddenWeights, inputs));
          const outputs = tf.sigmoid(tf.matMul(outputWeights, hidden));
          const negatedErrors = tf.sub(outputs, targets); // o − t
          const batchLoss = tf.mul(tf.sum(tf.square(negatedErrors)), 0.5 / samples);
          const outputDeltas = tf.mul(tf.mul(negatedErrors, outputs), tf.sub(1, outputs));
          const hiddenErrors = tf.matMul(tf.transpose(outputWeights), outputDeltas);
          const hiddenDeltas = tf.mul(tf.mul(hiddenErrors, hidden), tf.sub(1, hidden));
          outputWeights.assign(tf.sub(outputWeights, tf.matMul(tf.mul(outputDeltas, scale), tf.transpose(hidden))));
          hiddenWeights.assign(tf.sub(hiddenWeights, tf.matMul(tf.mul(hiddenDeltas, scale), tf.transpose(inputs))));
          return batchLoss;
        });
        const value = loss.dataSync()[0]!;
        loss.dispose();
        return value;
      };
      return {
        step,
        weights: () => [Float64Array.from(hiddenWeights.dataSync()), Float64Array.from(outputWeights.dataSync())],
        enter: () => selectBackend(backend),
        dispose: () => tf.dispose([hiddenWeights, outputWeights, inputs, targets]),
      };
    },
  };
}

/** A float32 variable holding a copy of row-major data (the tensor it is made from is disposed at once). */
function variableFrom(data: Float64Array, rows: number, columns: number): tf.Variable {
  const initial = tf.tensor2d(Float32Array.from(data), [rows, columns]);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

/** Makes `backend` the current backend unless it already is (switching is cheap once both are initialised). */
async function selectBackend(backend: TensorFlowBackend): Promise<void> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
}

/** Runs `action` while keeping what it writes with `console.warn`, which is where TensorFlow.js reports a failed backend. */
async function withWarningsCaught(action: () => Promise<boolean>): Promise<{ succeeded: boolean; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...parts: unknown[]) => {
    warnings.push(parts.map((part) => (part instanceof Error ? part.message : String(part))).join(" "));
  };
  try {
    return { succeeded: await action(), warnings };
  } catch (error) {
    warnings.push(error instanceof Error ? error.message : String(error));
    return { succeeded: false, warnings };
  } finally {
    console.warn = original;
  }
}
