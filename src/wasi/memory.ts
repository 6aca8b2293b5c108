/**
 * Bounds-checked access to the guest's linear memory. The memory's buffer is replaced whenever the
 * guest grows it, so views are re-created when the buffer changes. Guest pointers arrive as signed
 * i32 values and are read as unsigned. A pointer or length outside memory is EFAULT.
 */
import { Errno } from "./constants.ts";
import { WasiError } from "./errors.ts";

/** What the host needs from a memory: the `buffer` of a WebAssembly.Memory, from any engine. */
export interface MemoryLike {
  /** The memory's bytes (replaced by a new buffer when the memory grows). */
  readonly buffer: ArrayBufferLike;
}

/**
 * Where a memory of wasmrun's engine gives its bytes to this host without handing them to JS (the
 * engine's `ENGINE_BYTES`): reading `buffer` instead would make the engine keep them in a buffer that
 * growth detaches, which slows V8's compiled code down (src/runtime/objects.ts says why).
 */
const ENGINE_BYTES = Symbol.for("wasmrun.engineBytes");

/** The bytes of `memory`, by `ENGINE_BYTES` when it has that getter. */
export function bytesOf(memory: MemoryLike): ArrayBufferLike {
  return (memory as { [ENGINE_BYTES]?: ArrayBufferLike })[ENGINE_BYTES] ?? memory.buffer;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
export const utf8Encoder: TextEncoder = new TextEncoder();

export class GuestMemory {
  #buffer: ArrayBufferLike | undefined;
  #view!: DataView;
  #bytes!: Uint8Array;

  constructor(readonly memory: MemoryLike) {}

  #refresh(): void {
    const buffer = bytesOf(this.memory);
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#view = new DataView(buffer);
      this.#bytes = new Uint8Array(buffer);
    }
  }

  /** Checks that [ptr, ptr+len) lies inside memory; returns ptr as unsigned. */
  check(ptr: number, len: number): number {
    this.#refresh();
    const p = ptr >>> 0;
    if (p + len > this.#bytes.length) throw new WasiError(Errno.FAULT);
    return p;
  }

  // Each accessor checks (which refreshes the views after a grow) before it reads a view: in
  // `this.#view.getUint8(this.check(…))` the view would be read first, stale or not yet made.
  u8(ptr: number): number {
    const p = this.check(ptr, 1);
    return this.#view.getUint8(p);
  }
  u16(ptr: number): number {
    const p = this.check(ptr, 2);
    return this.#view.getUint16(p, true);
  }
  u32(ptr: number): number {
    const p = this.check(ptr, 4);
    return this.#view.getUint32(p, true);
  }
  u64(ptr: number): bigint {
    const p = this.check(ptr, 8);
    return this.#view.getBigUint64(p, true);
  }
  setU8(ptr: number, v: number): void {
    const p = this.check(ptr, 1);
    this.#view.setUint8(p, v);
  }
  setU16(ptr: number, v: number): void {
    const p = this.check(ptr, 2);
    this.#view.setUint16(p, v, true);
  }
  setU32(ptr: number, v: number): void {
    const p = this.check(ptr, 4);
    this.#view.setUint32(p, v, true);
  }
  setU64(ptr: number, v: bigint | number): void {
    const p = this.check(ptr, 8);
    this.#view.setBigUint64(p, BigInt.asUintN(64, BigInt(v)), true);
  }

  /** A live view of guest bytes (invalidated by memory.grow: use it before calling anything else). */
  bytes(ptr: number, len: number): Uint8Array {
    const p = this.check(ptr, len >>> 0);
    return this.#bytes.subarray(p, p + (len >>> 0));
  }

  /** Copies `data` into guest memory at `ptr`. */
  write(ptr: number, data: Uint8Array): void {
    this.bytes(ptr, data.length).set(data);
  }

  /** Reads a UTF-8 string; invalid UTF-8 is EILSEQ. */
  string(ptr: number, len: number): string {
    try {
      return utf8Decoder.decode(this.bytes(ptr, len));
    } catch (err) {
      if (err instanceof TypeError) throw new WasiError(Errno.ILSEQ);
      throw err;
    }
  }

  /** The buffers described by an array of `iovec`/`ciovec` ({ buf: u32, len: u32 }). */
  iovecs(ptr: number, count: number): Uint8Array[] {
    const n = count >>> 0;
    this.check(ptr, n * 8);
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      out.push(this.bytes(this.u32(ptr + i * 8), this.u32(ptr + i * 8 + 4)));
    }
    return out;
  }
}
