import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { binaryModulePath, binaryModuleText, compileKernels } from "../../scripts/build-wasm.js";
import { parseCase } from "../../src/conformance/case-format.js";
import { cloneNetwork } from "../../src/model/network.js";
import { ValueError } from "../../src/numeric/errors.js";
import { kernelArray, kernelMemoryUsage, kernelsRequest, ownedByKernels } from "../../src/numeric/kernel-memory.js";
import { copyMatrix, withKernelMemory } from "../../src/numeric/tensor.js";
import { fusedTrainingStep } from "../../src/training/fused-step.js";
import { createWorkspace } from "../../src/training/workspace.js";
import { oneUnitCase } from "../support/fixtures.js";

/** A full collection, through V8's `gc` (exposed for this process at run time, as `node --expose-gc` would). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** The bytes of every `Float64Array` inside a value: the arrays of a workspace. */
function bytesOf(value: unknown): number {
  if (value instanceof Float64Array) return value.byteLength;
  if (typeof value !== "object" || value === null) return 0;
  return Object.values(value).reduce((sum: number, part) => sum + bytesOf(part), 0);
}

/** Lets the event loop turn, so that the finalizers of collected arrays run. */
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("the kernels' memory", () => {
  it("BACKPROP_REF_KERNELS is unset, empty, auto, js or wasm, and any other value is refused by name", () => {
    expect([undefined, "", "auto", "js", "wasm"].map(kernelsRequest)).toEqual(["auto", "auto", "auto", "js", "wasm"]);
    expect(() => kernelsRequest("JS")).toThrow(new ValueError('BACKPROP_REF_KERNELS must be "js", "wasm", "auto" or unset, got "JS"'));
  });

  it("BACKPROP_REF_KERNELS=js makes the JavaScript kernels compute every product: no array goes to the module's memory", () => {
    const tensor = new URL("../../src/numeric/tensor.ts", import.meta.url).href;
    const memory = new URL("../../src/numeric/kernel-memory.ts", import.meta.url).href;
    const program = [
      `const { withKernelMemory, zeros } = await import(${JSON.stringify(tensor)});`,
      `const { kernelStatus, ownedByKernels } = await import(${JSON.stringify(memory)});`,
      "console.log(JSON.stringify({ ...kernelStatus(), owned: ownedByKernels(withKernelMemory(() => zeros(2, 2)).data) }));",
    ].join("\n");
    const printed = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", program], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, BACKPROP_REF_KERNELS: "js" },
      encoding: "utf8",
    });
    expect(JSON.parse(printed)).toEqual({ kernels: "js", reason: "BACKPROP_REF_KERNELS=js", owned: false });
  });

  it("grows without detaching the arrays made before: they keep their entries and still lie in the memory", () => {
    const before = kernelArray(3)!;
    before.set([1, -0, 5e-324]);
    const { reserved } = kernelMemoryUsage();
    const large = kernelArray(reserved / 8 + 1)!;
    expect(kernelMemoryUsage().reserved).toBeGreaterThan(reserved);
    expect(large.buffer).not.toBe(before.buffer);
    expect([ownedByKernels(before), ownedByKernels(large), Array.from(before)]).toEqual([true, true, [1, -0, 5e-324]]);
    expect([large[0], large[large.length - 1]]).toEqual([0, 0]);
  });

  it("a training step allocates nothing there, and the blocks of collected workspaces come back: thirty workspaces, made and dropped one after another, leave the memory within two workspaces of where the first left it (finalizers may run a round late)", async () => {
    const { network, inputs, targets } = parseCase(oneUnitCase());
    const [trained, batch, workspace] = withKernelMemory(
      () => [cloneNetwork(network), copyMatrix(inputs), createWorkspace(network.spec, 1)] as const,
    );
    fusedTrainingStep(trained, batch, targets, 0.1, workspace);
    const afterOneStep = kernelMemoryUsage().top;
    for (let step = 0; step < 100; step++) fusedTrainingStep(trained, batch, targets, 0.1, workspace);
    expect(kernelMemoryUsage().top).toBe(afterOneStep);

    const spec = { ...network.spec, sizes: [40, 30, 20] };
    const tops: number[] = [];
    let workspaceBytes = 0;
    for (let round = 0; round < 30; round++) {
      const made = createWorkspace(spec, 8);
      expect(ownedByKernels(made.sums)).toBe(true);
      workspaceBytes = bytesOf(made);
      collectGarbage();
      await turn();
      tops.push(kernelMemoryUsage().top);
    }
    // A finalizer runs when V8 gets to it, not at once: on a busy machine a round's blocks may
    // come back a round or two late, and the next workspace then takes fresh memory. So the law
    // is a bound: at most two workspaces above the first round's mark, where a memory that took
    // blocks back never would have grown by 28.
    expect(tops.at(-1)! - tops[1]!).toBeLessThanOrEqual(2 * workspaceBytes);
  });

  it("the committed module (src/numeric/wasm-binary.ts) is what npm run build:wasm compiles from assembly/kernels.ts", async () => {
    expect(readFileSync(binaryModulePath, "utf8")).toBe(binaryModuleText(await compileKernels()));
  }, 120_000);
});
