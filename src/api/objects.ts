/**
 * The JS API's Memory, Table and Global classes. Each wraps a runtime object; the runtime object
 * remembers its wrapper so that exporting it again yields the same JS object.
 */
import { ValType } from "../wasm/types.ts";
import { GlobalInst, MAX_TABLE_SIZE, MemoryInst, TableInst } from "../runtime/objects.ts";
import { MAX_PAGES } from "../wasm/types.ts";
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
  /** Size to start with, in 64 KiB pages (at most 65536). */
  initial: number;
  /** Pages `grow()` may never exceed; no limit but 65536 when absent. */
  maximum?: number;
  /**
   * Accepted for compatibility with the built-in API but otherwise ignored: shared memories (threads)
   * are not supported, `buffer` stays an ArrayBuffer. As there, `true` requires a `maximum`.
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
    const initial = toU32(descriptor.initial, "initial");
    const max = descriptor.maximum;
    const maximum = max === undefined ? undefined : toU32(max, "maximum");
    if (descriptor.shared && maximum === undefined) throw new TypeError("a shared memory needs a maximum");
    if (initial > MAX_PAGES) throw new RangeError("Memory initial size exceeds 65536 pages");
    if (maximum !== undefined && (maximum < initial || maximum > MAX_PAGES)) {
      throw new RangeError("Memory maximum is below initial or above 65536 pages");
    }
    Memory.#adopt(this, new MemoryInst(initial, maximum));
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
    return this.#mem.buffer;
  }

  /** Grows by `delta` pages and returns the previous size in pages. */
  grow(delta: number): number {
    const d = toU32(delta, "delta");
    const old = this.#mem.grow(d);
    if (old < 0) throw new RangeError("Memory.grow(): cannot grow beyond the maximum size");
    if (d === 0) this.#mem.renewBuffer(); // the JS API refreshes the buffer even when the size stays
    return old;
  }
}

/** Descriptor of `new Table(...)`. */
export interface TableDescriptor {
  /** What the table holds: wasm functions ("anyfunc" is the old name of "funcref") or any JS value. */
  element: "anyfunc" | "funcref" | "externref";
  /** Number of elements to start with. */
  initial: number;
  /** Elements `grow()` may never exceed; unbounded when absent. */
  maximum?: number;
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
    const elem = parseValueType(descriptor.element);
    if (elem !== ValType.FuncRef && elem !== ValType.ExternRef) {
      throw new TypeError("invalid table element type");
    }
    const initial = toU32(descriptor.initial, "initial");
    const max = descriptor.maximum;
    const maximum = max === undefined ? undefined : toU32(max, "maximum");
    if (maximum !== undefined && maximum < initial) throw new RangeError("Table maximum is below initial");
    if (initial > MAX_TABLE_SIZE) throw new RangeError("Table initial size is too large");
    const init = value === undefined ? (elem === ValType.ExternRef ? undefined : null) : jsToRef(elem, value);
    const table = new TableInst(elem, initial, maximum, init);
    // TableInst takes a missing `init` for null: an externref table's entries are JS undefined here.
    if (init === undefined) table.elements.fill(undefined);
    Table.#adopt(this, table);
  }

  static #adopt(self: Table, table: TableInst): void {
    self.#table = table;
    wrappers.set(table, self);
    internals.set(self, table);
  }

  /** Number of entries. */
  get length(): number {
    return this.#table.elements.length;
  }

  /** The entry at `index` (an exported function, a host value, or null). */
  get(index: number): unknown {
    const i = toU32(index, "index");
    if (i >= this.#table.elements.length) throw new RangeError("Table.get(): index out of bounds");
    return refToJs(this.#table.elemType, this.#table.elements[i]);
  }

  /** Replaces the entry at `index`. */
  set(index: number, value?: unknown): void {
    const i = toU32(index, "index");
    if (i >= this.#table.elements.length) throw new RangeError("Table.set(): index out of bounds");
    this.#table.elements[i] = this.#defaultOr(value, arguments.length > 1);
  }

  /** Adds `delta` entries (set to `value`) and returns the previous length. */
  grow(delta: number, value?: unknown): number {
    const d = toU32(delta, "delta");
    const old = this.#table.grow(d, this.#defaultOr(value, arguments.length > 1));
    if (old < 0) throw new RangeError("Table.grow(): cannot grow beyond the maximum size");
    return old;
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
