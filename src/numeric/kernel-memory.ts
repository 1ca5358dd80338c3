/**
 * The WebAssembly kernels and the memory they compute in: the module compiled from
 * `assembly/kernels.ts` (the products of `assembly/products.ts`, the updates of a training step of
 * `assembly/updates.ts`), its shared memory, and the allocator that places `Float64Array`s in
 * that memory, so that a matrix the kernels multiply is already where they read it and no array
 * is copied per product.
 *
 * **The memory.** JavaScript makes a `WebAssembly.Memory` with `shared: true` and a maximum of
 * 65,536 pages (4 GiB, all that the module's 32-bit addresses reach), and the module imports it.
 * A shared memory grows in place: the arrays made over it before a growth stay valid, where a
 * memory that is not shared would detach every one of them. After a growth `memory.buffer` is a
 * new `SharedArrayBuffer` object over the same memory, so the allocator remembers every buffer
 * object it has made arrays over ({@link ownedByKernels} asks it), and an array's address in the
 * memory is its `byteOffset` whichever buffer object it was made over.
 *
 * **The allocator.** An array's block is a size rounded up to one of four sizes per power of two
 * (at most a quarter more than asked for, a multiple of 16 bytes, so that every array starts on a
 * 16-byte boundary), taken from a list of freed blocks of that size or else from the top of the
 * memory, which grows when it must. A `FinalizationRegistry` returns a block to its list once
 * its array has been collected, so a training run that makes its buffers once keeps the memory
 * flat, and runs that follow one another reuse the same blocks. Two things follow from freeing
 * by collection: a block comes back only after the collector has run *and* the event loop has
 * turned (finalizers run as tasks of their own), so a synchronous loop that makes new arrays on
 * every step grows the memory until it yields; and an array made from a kernel array with
 * `subarray` does not keep its block alive, so the library never does that, and neither should a
 * caller. When the memory cannot grow any more, the allocator gives no array, and the caller
 * makes an ordinary one, which the JavaScript kernels multiply.
 *
 * **The choice.** The environment variable `BACKPROP_REF_KERNELS` chooses: unset (or `auto`),
 * the WebAssembly kernels if this JavaScript engine compiles the module (it needs SIMD and shared
 * memory), the JavaScript ones otherwise; `js`, the JavaScript kernels always (the module is not
 * even compiled, and no array goes to its memory); `wasm`, the WebAssembly kernels or an error
 * when the library loads. The two give bit for bit the same numbers (see
 * {@link numeric/kernels | kernels}); the choice changes the speed only.
 *
 * @module
 */
import { ValueError } from "./errors.js";
import { kernelsModuleBase64 } from "./wasm-binary.js";

/** The environment variable that chooses the kernels. */
export const kernelsVariable = "BACKPROP_REF_KERNELS";

/** What {@link kernelsVariable} asks for: `auto` (unset), `js` or `wasm`. */
export type KernelsRequest = "auto" | "js" | "wasm";

/**
 * Reads the value of {@link kernelsVariable}.
 *
 * @param value - the variable's value, `undefined` if unset
 * @throws {@link numeric/errors!ValueError | ValueError} for a value other than unset, empty, `auto`, `js` or `wasm`
 */
export function kernelsRequest(value: string | undefined): KernelsRequest {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if (value === "js" || value === "wasm") return value;
  throw new ValueError(`${kernelsVariable} must be "js", "wasm", "auto" or unset, got ${JSON.stringify(value)}`);
}

/** Which kernels compute the products and updates in this process, and why. */
export interface KernelStatus {
  /** `wasm` when the WebAssembly kernels multiply the arrays in their memory, `js` when only the JavaScript kernels run. */
  readonly kernels: "wasm" | "js";
  /** Why: the variable's request, or the reason the module did not load. */
  readonly reason: string;
}

/**
 * The module's exports. Addresses are byte addresses in the kernels' memory; every matrix is
 * dense, row after row. Each computes what the JavaScript kernel of the same name in
 * {@link numeric/products | products} or {@link numeric/updates | updates} computes, with the same roundings.
 */
export interface WasmKernels {
  /** $c = A b$, $A$ $m \times p$. */
  matrixVectorProduct(c: number, a: number, b: number, m: number, p: number): void;
  /** $C = A B$, $A$ $m \times p$, $B$ $p \times n$. */
  columnPairProducts(c: number, a: number, b: number, m: number, p: number, n: number): void;
  /** $C = W^\top B$, $W$ $p \times m$, $B$ $p \times n$. */
  transposedProduct(c: number, w: number, b: number, m: number, p: number, n: number): void;
  /** $C = A O^\top$, $A$ $m \times p$, $O$ $n \times p$. */
  rowDotProducts(c: number, a: number, o: number, m: number, p: number, n: number): void;
  /** $W \leftarrow W + ((0 + a o^\top) s_1 + c W) s_2$, $W$ $m \times n$. */
  outerProductStep(w: number, a: number, o: number, m: number, n: number, s1: number, s2: number, decay: number): void;
  /** Four rows of sums $G = A O^\top$ at a time, then those rows stepped (with momentum when `hasVelocity` is 1); 1 when every updated entry is finite. */
  dotProductsStep(
    w: number,
    a: number,
    o: number,
    m: number,
    n: number,
    samples: number,
    s1: number,
    s2: number,
    decay: number,
    hasVelocity: number,
    v: number,
    momentum: number,
    sums: number,
  ): number;
}

/** The memory of the module, as the WebAssembly JavaScript API gives it. */
interface Memory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/** The part of the WebAssembly JavaScript API that this module uses (TypeScript's ES2022 library does not declare it). */
interface WebAssemblyApi {
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => Memory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}

/** Bytes in a page of WebAssembly memory. */
const pageBytes = 65536;

/** The most pages a 32-bit memory holds: 4 GiB. */
const maximumPages = 65536;

/** The fewest pages the memory grows by at once (1 MiB). */
const growthPages = 16;

/** A block of the memory: its address and its size in bytes. */
interface Block {
  readonly address: number;
  readonly size: number;
}

/**
 * The size of the block for `bytes` bytes: `bytes` rounded up to a multiple of a quarter of the
 * power of two below it (and of 16), so that blocks come in four sizes per power of two and a
 * freed block fits every later array of nearly its size.
 */
function blockSize(bytes: number): number {
  const granule = Math.max(16, 2 ** (Math.floor(Math.log2(bytes)) - 2));
  return Math.ceil(bytes / granule) * granule;
}

/** The allocator of the kernels' memory (see the module's comment). */
class KernelHeap {
  readonly #memory: Memory;
  #buffer: ArrayBufferLike;
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  #top = 0;
  #live = 0;
  readonly #free = new Map<number, number[]>();
  readonly #registry = new FinalizationRegistry<Block>((block) => this.#release(block));

  constructor(memory: Memory) {
    this.#memory = memory;
    this.#buffer = memory.buffer;
    this.#buffers.add(this.#buffer);
  }

  /** A new array of `length` zeros in the memory, or `null` if the memory cannot hold it. */
  allocate(length: number): Float64Array | null {
    if (length === 0) return null;
    const size = blockSize(8 * length);
    const freed = this.#free.get(size)?.pop();
    const address = freed ?? this.#top;
    if (freed === undefined) {
      if (!this.#reach(address + size)) return null;
      this.#top += size;
    }
    const array = new Float64Array(this.#buffer, address, length);
    // A block from the top has never been written (new pages are zero); a freed one has.
    if (freed !== undefined) array.fill(0);
    this.#registry.register(array, { address, size });
    this.#live += size;
    return array;
  }

  /** Whether `array` lies in the memory. */
  owns(array: Float64Array): boolean {
    return this.#buffers.has(array.buffer);
  }

  /** The bytes in use: `top` (the memory handed out so far), `live` (blocks of arrays not yet collected), `reserved` (the memory's size). */
  usage(): KernelMemoryUsage {
    return { top: this.#top, live: this.#live, reserved: this.#buffer.byteLength };
  }

  /** Grows the memory so that it holds `end` bytes; `false` if it cannot. */
  #reach(end: number): boolean {
    const current = this.#buffer.byteLength;
    if (end <= current) return true;
    const pages = Math.max(growthPages, Math.ceil((end - current) / pageBytes));
    if (current / pageBytes + pages > maximumPages) return false;
    try {
      this.#memory.grow(pages);
    } catch {
      return false;
    }
    this.#buffer = this.#memory.buffer;
    this.#buffers.add(this.#buffer);
    return true;
  }

  #release(block: Block): void {
    const list = this.#free.get(block.size);
    if (list === undefined) this.#free.set(block.size, [block.address]);
    else list.push(block.address);
    this.#live -= block.size;
  }
}

/** The bytes of the kernels' memory in use (see {@link kernelMemoryUsage}). */
export interface KernelMemoryUsage {
  /** Bytes handed out from the bottom of the memory so far: the high-water mark of the allocator. */
  readonly top: number;
  /** Bytes of the blocks whose arrays have not been collected yet (as far as the allocator has been told). */
  readonly live: number;
  /** The memory's size in bytes. */
  readonly reserved: number;
}

/** The module, its memory's allocator and the status, as loaded once when the library loads. */
interface Loaded {
  readonly kernels: WasmKernels | null;
  /** The compiled module and the memory it was instantiated over, for a second thread to instantiate it over the same memory. */
  readonly shared: SharedKernels | null;
  readonly heap: KernelHeap | null;
  readonly status: KernelStatus;
}

/** Compiles and instantiates the module over a new shared memory, as {@link kernelsVariable} asks. */
function load(): Loaded {
  const request = kernelsRequest(globalThis.process?.env?.[kernelsVariable]);
  if (request === "js") return { kernels: null, shared: null, heap: null, status: { kernels: "js", reason: `${kernelsVariable}=js` } };
  try {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined) throw new Error("this JavaScript engine has no WebAssembly");
    const memory = new api.Memory({ initial: 1, maximum: maximumPages, shared: true });
    const bytes = Uint8Array.from(atob(kernelsModuleBase64), (character) => character.charCodeAt(0));
    const module = new api.Module(bytes);
    const instance = new api.Instance(module, { env: { memory } });
    const kernels = instance.exports as unknown as WasmKernels;
    const reason = request === "wasm" ? `${kernelsVariable}=wasm` : `the module compiled (${kernelsVariable} unset)`;
    return { kernels, shared: { module, memory }, heap: new KernelHeap(memory), status: { kernels: "wasm", reason } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (request === "wasm") throw new ValueError(`${kernelsVariable}=wasm, but the WebAssembly kernels did not load: ${message}`);
    return {
      kernels: null,
      shared: null,
      heap: null,
      status: { kernels: "js", reason: `the WebAssembly kernels did not load: ${message}` },
    };
  }
}

const loaded = load();

/** The WebAssembly kernels, or `null` when the JavaScript kernels compute every product and update. */
export const wasmKernels: WasmKernels | null = loaded.kernels;

/**
 * The compiled module and its shared memory, which another thread can instantiate the module
 * over (both can be sent to a worker) so that its kernels compute in the same arrays; `null` when
 * the WebAssembly kernels are off.
 */
export interface SharedKernels {
  /** The compiled module (a `WebAssembly.Module`). */
  readonly module: object;
  /** Its memory (a shared `WebAssembly.Memory`). */
  readonly memory: object;
}

/** The module and memory of this thread's WebAssembly kernels, or `null` when they are off. */
export function sharedKernels(): SharedKernels | null {
  return loaded.shared;
}

/** Which kernels compute the products and updates in this process, and why. */
export function kernelStatus(): KernelStatus {
  return loaded.status;
}

/**
 * A new array of `length` zeros in the kernels' memory, or `null` when the WebAssembly kernels
 * are off, `length` is 0, or the memory cannot grow to hold it (then make an ordinary array).
 *
 * @param length - the number of entries
 */
export function kernelArray(length: number): Float64Array | null {
  return loaded.heap?.allocate(length) ?? null;
}

/**
 * Whether an array lies in the kernels' memory (made by {@link kernelArray}, or a view of one).
 *
 * @param array - any array
 */
export function ownedByKernels(array: Float64Array): boolean {
  return loaded.heap?.owns(array) ?? false;
}

/** The bytes of the kernels' memory in use, to see that it stays flat; zeros when the kernels are off. */
export function kernelMemoryUsage(): KernelMemoryUsage {
  return loaded.heap?.usage() ?? { top: 0, live: 0, reserved: 0 };
}
