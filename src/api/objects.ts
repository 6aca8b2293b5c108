/**
 * The JS API's Memory, Table and Global classes. Each wraps a runtime object; the runtime object
 * remembers its wrapper so that exporting it again yields the same JS object.
 */
import { ValType } from "../wasm/types.ts";
import { ENGINE_BYTES, GlobalInst, MAX_TABLE_SIZE, MemoryInst, TableInst } from "../runtime/objects.ts";
import { MAX_PAGES, MAX_PAGES_64 } from "../wasm/types.ts";
import { jsToRef } from "../runtime/boundary.ts";
import { parseValueType, readGlobal, refToJs, writeGlobal } from "./values.ts";

const wrappers = new WeakMap<object, object>();
/** The runtime object behind each API object. */
const internals = new WeakMap<object, MemoryInst | TableInst | GlobalInst>();

/** Passed as the descriptor to wrap an existing runtime object instead of creating one. */
class Adopt {
  constructor(readonly inst: MemoryInst | TableInst | GlobalInst) {}
}

/**
 * WebIDL's `[EnforceRange] unsigned long`, as V8 applies it: ToNumber (a BigInt or Symbol is a
 * TypeError, an object's valueOf runs), then NaN, infinities and values outside 0..2^32-1 (fractions
 * below 0 included) are TypeErrors; the rest is truncated.
 */
function toU32(v: unknown, what: string): number {
  const n = +(v as number);
  if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) throw new TypeError(`${what} must be a u32, got ${n}`);
  return Math.trunc(n);
}

/**
 * An address-sized argument: a u32 (`toU32`), or for a 64-bit memory or table (`address: "i64"`) a
 * BigInt in 0..2^64-1, as V8 converts it (ToBigInt: a number is a TypeError). Returned as a number,
 * exact up to 2^53 (larger sizes are refused anyway).
 */
function toAddress(v: unknown, what: string, wide: boolean): number {
  if (!wide) return toU32(v, what);
  // ToBigInt: a number (or undefined, null, a symbol) is a TypeError, as in V8; a string or boolean converts.
  if (typeof v === "number" || v === undefined || v === null || typeof v === "symbol") {
    throw new TypeError(`${what}: cannot convert ${String(v)} to a BigInt`);
  }
  const n = typeof v === "bigint" ? v : BigInt(v as string);
  if (n < 0n || n >= 1n << 64n) throw new TypeError(`${what} must be in u64 range`);
  return Number(n);
}

/** A descriptor's `address` member: whether the memory or table is 64-bit. */
function isWide(address: unknown): boolean {
  if (address === undefined || address === "i32") return false;
  if (address === "i64") return true;
  throw new TypeError(`unknown address type '${address}'; pass 'i32' or 'i64'`);
}

/** A size or index for JS: a BigInt for a 64-bit memory or table. */
function fromAddress(n: number, wide: boolean): number | bigint {
  return wide ? BigInt(n) : n;
}

/** A dictionary argument: any object (functions included), as WebIDL converts dictionaries. */
function isDictionary(v: unknown): v is Record<string, unknown> {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** The runtime object behind a Memory, Table or Global (undefined for anything else). */
export function internalOf(obj: unknown): MemoryInst | TableInst | GlobalInst | undefined {
  return typeof obj === "object" && obj !== null ? internals.get(obj) : undefined;
}

/** Descriptor of `new Memory(...)`. */
export interface MemoryDescriptor {
  /** `"i64"` for a 64-bit memory (memory64): sizes are then BigInts. Default `"i32"`. */
  address?: "i32" | "i64";
  /** Size to start with, in 64 KiB pages (at most 65536). */
  initial: number | bigint;
  /** Pages `grow()` may never exceed; no limit but 65536 when absent (2^48 may be named for "i64"). */
  maximum?: number | bigint;
  /**
   * Shared memories (threads) are not supported: `true` throws a TypeError (as the built-in API does
   * when `maximum` is missing), never a plain memory in its place.
   */
  shared?: boolean;
}

/**
 * A linear memory: a resizable array of bytes addressed by wasm loads and stores.
 *
 * Deviation without a built-in WebAssembly (V8's `--jitless`): `buffer` is then a resizable
 * ArrayBuffer that grows in place, not a fixed-length one replaced at each growth (see `buffer`).
 */
export class Memory {
  #mem!: MemoryInst;
  /** Creates a zero-filled memory; throws RangeError when the sizes are out of bounds. */
  constructor(descriptor: MemoryDescriptor) {
    if (descriptor instanceof Adopt) {
      Memory.#adopt(this, descriptor.inst as MemoryInst);
      return;
    }
    if (!isDictionary(descriptor)) throw new TypeError("Memory descriptor required");
    // Each member read once, in WebIDL's (alphabetical) order, and converted as it is read.
    const wide = isWide(descriptor.address);
    const initial = toAddress(descriptor.initial, "initial", wide);
    const max = descriptor.maximum;
    const maximum = max === undefined ? undefined : toAddress(max, "maximum", wide);
    if (descriptor.shared) {
      throw new TypeError(
        maximum === undefined
          ? "a shared memory needs a maximum"
          : "shared memories (the threads proposal) are not supported by wasmrun",
      );
    }
    if (initial > MAX_PAGES) throw new RangeError("Memory initial size exceeds 65536 pages");
    const most = wide ? MAX_PAGES_64 : MAX_PAGES;
    if (maximum !== undefined && (maximum < initial || maximum > most)) {
      throw new RangeError(`Memory maximum is below initial or above ${wide ? "2^48" : "65536"} pages`);
    }
    Memory.#adopt(this, new MemoryInst(initial, maximum, wide));
  }

  static #adopt(self: Memory, mem: MemoryInst): void {
    self.#mem = mem;
    wrappers.set(mem, self);
    internals.set(self, mem);
  }

  /**
   * The current contents: a fixed-length ArrayBuffer, replaced (and the old one detached) whenever
   * the memory grows, and by every `grow` call from JS, `grow(0)` included.
   *
   * Where the host has no built-in WebAssembly (Deno run with `--v8-flags=--jitless`), this is a
   * resizable ArrayBuffer instead, so that growing need not copy the memory each time: it keeps its
   * identity while growth fits its reservation (its `byteLength` grows) and shrinks to length 0 when
   * the bytes move to a larger one; `grow(0)` keeps it. Do not `resize` it yourself.
   */
  get buffer(): ArrayBuffer {
    return this.#mem.exposedBuffer();
  }

  /**
   * The bytes, for our own WASI host, without handing them to JS: they may be a SharedArrayBuffer
   * that grows without being detached (see `MemoryInst`). Not for other code.
   */
  get [ENGINE_BYTES](): ArrayBufferLike {
    return this.#mem.buffer;
  }

  /** Grows by `delta` pages and returns the previous size in pages (BigInts for a 64-bit memory). */
  grow(delta: number | bigint): number | bigint {
    const wide = this.#mem.address64;
    const d = toAddress(delta, "delta", wide);
    const old = d > MAX_PAGES ? -1 : this.#mem.grow(d);
    if (old < 0) throw new RangeError("Memory.grow(): cannot grow beyond the maximum size");
    if (d === 0) this.#mem.renewBuffer(); // the JS API refreshes the buffer even when the size stays
    return fromAddress(old, wide);
  }
}

/** Descriptor of `new Table(...)`. */
export interface TableDescriptor {
  /** `"i64"` for a 64-bit table (table64): sizes and indices are then BigInts. Default `"i32"`. */
  address?: "i32" | "i64";
  /** What the table holds: wasm functions ("anyfunc" is the old name of "funcref") or any JS value. */
  element: "anyfunc" | "funcref" | "externref";
  /** Number of elements to start with. */
  initial: number | bigint;
  /** Elements `grow()` may never exceed; unbounded when absent. */
  maximum?: number | bigint;
}

/** A table of references (functions or host values) that wasm code indexes. */
export class Table {
  #table!: TableInst;
  /** Creates a table whose elements all start as `value` (null for funcref, undefined for externref when absent). */
  constructor(descriptor: TableDescriptor, value?: unknown) {
    if (descriptor instanceof Adopt) {
      Table.#adopt(this, descriptor.inst as TableInst);
      return;
    }
    if (!isDictionary(descriptor)) throw new TypeError("Table descriptor required");
    const wide = isWide(descriptor.address);
    const elem = parseValueType(descriptor.element);
    if (elem !== ValType.FuncRef && elem !== ValType.ExternRef) {
      throw new TypeError("invalid table element type");
    }
    const initial = toAddress(descriptor.initial, "initial", wide);
    const max = descriptor.maximum;
    const maximum = max === undefined ? undefined : toAddress(max, "maximum", wide);
    if (maximum !== undefined && maximum < initial) throw new RangeError("Table maximum is below initial");
    if (initial > MAX_TABLE_SIZE) throw new RangeError("Table initial size is too large");
    const init = value === undefined ? (elem === ValType.ExternRef ? undefined : null) : jsToRef(elem, value);
    const table = new TableInst(elem, initial, maximum, init, wide);
    // TableInst takes a missing `init` for null: an externref table's entries are JS undefined here.
    if (init === undefined) table.elements.fill(undefined);
    Table.#adopt(this, table);
  }

  static #adopt(self: Table, table: TableInst): void {
    self.#table = table;
    wrappers.set(table, self);
    internals.set(self, table);
  }

  /** Number of entries (a BigInt for a 64-bit table). */
  get length(): number | bigint {
    return fromAddress(this.#table.elements.length, this.#table.address64);
  }

  /** The entry at `index` (an exported function, a host value, or null). */
  get(index: number | bigint): unknown {
    const i = toAddress(index, "index", this.#table.address64);
    if (i >= this.#table.elements.length) throw new RangeError("Table.get(): index out of bounds");
    return refToJs(this.#table.elemType, this.#table.elements[i]);
  }

  /** Replaces the entry at `index`. */
  set(index: number | bigint, value?: unknown): void {
    const i = toAddress(index, "index", this.#table.address64);
    if (i >= this.#table.elements.length) throw new RangeError("Table.set(): index out of bounds");
    this.#table.elements[i] = this.#defaultOr(value, arguments.length > 1);
  }

  /** Adds `delta` entries (set to `value`) and returns the previous length (BigInts for a 64-bit table). */
  grow(delta: number | bigint, value?: unknown): number | bigint {
    const wide = this.#table.address64;
    const d = toAddress(delta, "delta", wide);
    const old = this.#table.grow(d, this.#defaultOr(value, arguments.length > 1));
    if (old < 0) throw new RangeError("Table.grow(): cannot grow beyond the maximum size");
    return fromAddress(old, wide);
  }

  #defaultOr(value: unknown, given: boolean): unknown {
    const t = this.#table.elemType;
    if (!given) return t === ValType.ExternRef ? undefined : null;
    return jsToRef(t, value);
  }
}

/** Descriptor of `new Global(...)`. */
export interface GlobalDescriptor {
  /** The global's value type ("anyfunc" is the old name of "funcref"). */
  value: "i32" | "i64" | "f32" | "f64" | "anyfunc" | "funcref" | "externref";
  /** Whether JS and wasm may change the value after creation (default false). */
  mutable?: boolean;
}

/** A global variable shared between JS and one or more instances. */
export class Global {
  #global!: GlobalInst;
  /** Creates a global holding `value` (i64 as BigInt), or its type's default (0, null, undefined) when absent. */
  constructor(descriptor: GlobalDescriptor, value?: unknown) {
    if (descriptor instanceof Adopt) {
      Global.#adopt(this, descriptor.inst as GlobalInst);
      return;
    }
    if (!isDictionary(descriptor)) throw new TypeError("Global descriptor required");
    const mutable = Boolean(descriptor.mutable); // read before `value`, in WebIDL's order
    const type = parseValueType(descriptor.value);
    if (type === ValType.V128) throw new TypeError("v128 globals cannot be created from JS");
    const g = new GlobalInst(type, mutable);
    // Without a value a global holds its type's default: 0, null for funcref, undefined for externref.
    if (value !== undefined) writeGlobal(g, value);
    else if (type === ValType.ExternRef) g.ref = undefined;
    Global.#adopt(this, g);
  }

  static #adopt(self: Global, g: GlobalInst): void {
    self.#global = g;
    wrappers.set(g, self);
    internals.set(self, g);
  }

  /** The current value (i64 as BigInt). Setting it requires a mutable global. */
  get value(): unknown {
    return readGlobal(this.#global);
  }

  set value(v: unknown) {
    if (!this.#global.mutable) throw new TypeError("cannot set the value of an immutable global");
    writeGlobal(this.#global, v);
  }

  /** The current value, as `value` gives it. */
  valueOf(): unknown {
    return readGlobal(this.#global);
  }
}

/** Makes `obj`, a built-in Memory or Global adopted by foreign.ts, what exporting `inst` gives back. */
export function setWrapper(inst: MemoryInst | GlobalInst, obj: object): void {
  wrappers.set(inst, obj);
}

/** The API object for a runtime memory, table or global, created on first use and then reused. */
export function wrapMemory(mem: MemoryInst): Memory {
  return (wrappers.get(mem) as Memory) ?? new Memory(new Adopt(mem) as unknown as MemoryDescriptor);
}

export function wrapTable(table: TableInst): Table {
  return (wrappers.get(table) as Table) ?? new Table(new Adopt(table) as unknown as TableDescriptor);
}

export function wrapGlobal(g: GlobalInst): Global {
  return (wrappers.get(g) as Global) ?? new Global(new Adopt(g) as unknown as GlobalDescriptor);
}

Object.defineProperty(Memory.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Memory",
  configurable: true,
});
Object.defineProperty(Table.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Table",
  configurable: true,
});
Object.defineProperty(Global.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Global",
  configurable: true,
});
