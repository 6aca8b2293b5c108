/**
 * Built-in (V8's) WebAssembly objects given to our instances as imports. A built-in Memory is shared:
 * our memory views its bytes and grows it in place, and picks up a growth made on V8's side (which
 * detaches the old buffer) whenever control enters the engine. A built-in Global is copied into our
 * cell, and a mutable one kept in step at every crossing between the engine and JS (runtime/foreign.ts).
 * Whether one fits the import is V8's own verdict: the object is imported by a one-import module
 * compiled by V8, the only way to judge its maximum and address type, which V8 does not expose (its
 * `type()` is behind a flag).
 * Tables and tags hold V8's functions and identities, which our engine cannot run or match: those are
 * refused with a LinkError that says so.
 */
import { LinkError } from "../wasm/errors.ts";
import { type GlobalType, type Limits, type MemoryType, ValType, valTypeName } from "../wasm/types.ts";
import { type ByteStore, GlobalInst, MemoryInst } from "../runtime/objects.ts";
import { type ForeignLink, linkForeign } from "../runtime/foreign.ts";
import { readGlobal, writeGlobal } from "./values.ts";
import { setWrapper } from "./objects.ts";

interface BuiltinNamespace {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
  Memory: abstract new (...args: never[]) => ByteStore;
  Global: abstract new (...args: never[]) => { value: unknown };
  Table: abstract new (...args: never[]) => object;
  Tag?: abstract new (...args: never[]) => object;
  LinkError: new (...args: never[]) => Error;
}

/** V8's namespace as the process started (not one put in its place later, ours, say); none under --jitless. */
const V8: BuiltinNamespace | undefined = (() => {
  const ns = (globalThis as { WebAssembly?: BuiltinNamespace }).WebAssembly;
  const M = ns?.Memory;
  return typeof M === "function" && Function.prototype.toString.call(M).includes("[native code]")
    ? ns
    : undefined;
})();

/** Our memory for each built-in Memory, our cell for each built-in Global: the same one for every import. */
const adopted = new WeakMap<object, MemoryInst | GlobalInst>();
/** Keeps each registered link alive as long as the runtime object it serves. */
const linkOf = new WeakMap<MemoryInst | GlobalInst, ForeignLink>();

/** V8's modules that import one value of a given type, by that type's encoding. */
const probes = new Map<string, object>();

function leb(n: number, out: number[]): void {
  let x = BigInt(n);
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x === 0n ? b : b | 0x80);
  } while (x !== 0n);
}

/** The import description of a memory (kind 2) with these limits, in the binary format. */
function memoryDesc(limits: Limits): number[] {
  const flags = (limits.max === undefined ? 0 : 1) | (limits.address64 ? 4 : 0);
  const out = [2, flags];
  leb(limits.min, out);
  if (limits.max !== undefined) leb(limits.max, out);
  return out;
}

/**
 * Throws our LinkError when V8 would not link `value` to an import described by `desc` (its binary
 * encoding): the verdict and reason are V8's, as the object is V8's.
 */
function checkWithV8(
  v8: BuiltinNamespace,
  value: unknown,
  desc: number[],
  where: string,
  what: string,
): void {
  const key = desc.join(",");
  let probe = probes.get(key);
  try {
    if (probe === undefined) {
      const body = [1, 1, 0x6d, 1, 0x76, ...desc]; // one import, "m" "v"
      const size: number[] = [];
      leb(body.length, size);
      const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, ...size, ...body]);
      probes.set(key, probe = new v8.Module(bytes)); // refused when past V8's limits: then no object fits
    }
    new v8.Instance(probe, { m: { v: value } });
  } catch (e) {
    if (!(e instanceof Error) || e instanceof RangeError) throw e;
    // V8 says "WebAssembly.Instance(): Import #0 "m" "v": <reason>"; its reason names no import of ours.
    // (A compile error's offset is in that module: dropped.)
    const reason = e.message.replace(/^.*?: (Import #0 "m" "v": )?/, "").replace(/ @\+\d+$/, "");
    throw new LinkError(`${where}: ${reason} (${what})`);
  }
}

/** The bytes of a built-in 64-bit memory take BigInt sizes; our memory grows by numbers. */
function storeOf(builtin: ByteStore, address64: boolean): ByteStore {
  if (!address64) return builtin;
  return {
    get buffer() {
      return builtin.buffer;
    },
    grow: (delta: number) => Number(builtin.grow(BigInt(delta) as unknown as number)),
  };
}

/**
 * Our memory sharing the bytes of `value`, a built-in WebAssembly.Memory that fits `type` (else a
 * LinkError); undefined when `value` is not a built-in Memory.
 */
export function foreignMemory(value: unknown, type: MemoryType, where: string): MemoryInst | undefined {
  if (V8 === undefined || !(value instanceof V8.Memory)) return undefined;
  const limits = type.limits;
  checkWithV8(V8, value, memoryDesc(limits), where, "a built-in WebAssembly.Memory");
  const known = adopted.get(value);
  if (known instanceof MemoryInst) {
    linkOf.get(known)!.pull();
    return known;
  }
  // Its maximum is V8's to enforce: a growth past it fails there, and our memory.grow gives -1.
  const mem = new MemoryInst(0, undefined, limits.address64 === true);
  const store = storeOf(value, limits.address64 === true);
  mem.useStore(store);
  const link: ForeignLink = {
    // V8 detaches the buffer a memory had whenever it grows, `grow(0)` included; a detached buffer's
    // length is 0 (cheaper to read than `detached`). An empty memory is asked each time.
    pull: () => (mem.buffer.byteLength !== mem.size || mem.size === 0) && mem.useStore(store),
  };
  adopted.set(value, mem), linkOf.set(mem, link), setWrapper(mem, value);
  linkForeign(link);
  return mem;
}

/** Value types whose values mean the same to V8 and to us (references to functions do not). */
function sharable(t: ValType): boolean {
  return t === ValType.I32 || t === ValType.I64 || t === ValType.F32 || t === ValType.F64 ||
    t === ValType.ExternRef;
}

/**
 * Our global holding the value of `value`, a built-in WebAssembly.Global that fits `type` (else a
 * LinkError), kept in step with it when mutable; undefined when `value` is not a built-in Global.
 */
export function foreignGlobal(value: unknown, type: GlobalType, where: string): GlobalInst | undefined {
  if (V8 === undefined || !(value instanceof V8.Global)) return undefined;
  if (!sharable(type.type)) {
    throw new LinkError(
      `${where}: a built-in WebAssembly.Global of type ${
        valTypeName(type.type)
      } cannot be imported by a wasmrun instance ` +
        "(only i32, i64, f32, f64 and externref values mean the same to both engines): " +
        "create it with wasmrun's WebAssembly.Global",
    );
  }
  checkWithV8(V8, value, [3, type.type, type.mutable ? 1 : 0], where, "a built-in WebAssembly.Global");
  const known = adopted.get(value);
  if (known instanceof GlobalInst) {
    linkOf.get(known)?.pull();
    return known;
  }
  const g = new GlobalInst(type.type, type.mutable);
  writeGlobal(g, value.value);
  adopted.set(value, g), setWrapper(g, value);
  if (type.mutable) {
    // An immutable one never changes: the copy is all it needs.
    const link: ForeignLink = {
      pull: () => writeGlobal(g, value.value),
      push: () => value.value = readGlobal(g),
    };
    linkOf.set(g, link);
    linkForeign(link);
  }
  return g;
}

/**
 * The LinkError for a built-in Table or Tag given where our instance imports one (undefined for
 * anything else): their entries and identities are V8's, which our engine cannot call or match.
 */
export function foreignRefusal(value: unknown, where: string): LinkError | undefined {
  if (V8 === undefined || typeof value !== "object" || value === null) return undefined;
  const kind = value instanceof V8.Table ? "Table" : V8.Tag && value instanceof V8.Tag ? "Tag" : undefined;
  if (kind === undefined) return undefined;
  const why = kind === "Table"
    ? "its entries live in V8, out of reach of wasmrun's code"
    : "its exceptions are V8's, which wasmrun cannot catch by tag";
  return new LinkError(
    `${where}: a built-in WebAssembly.${kind} cannot be imported by a wasmrun instance (${why}): ` +
      `create it with wasmrun's WebAssembly.${kind}`,
  );
}
