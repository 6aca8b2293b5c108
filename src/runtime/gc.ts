/**
 * Wasm GC objects (structs and arrays) as plain JS objects that V8's own collector reclaims, and their
 * runtime types. Both tiers and the JS boundary share this one representation.
 *
 * - A struct keeps its fields in one JS array: a field of a number type takes one entry per 32-bit
 *   half (i32, f32 and packed fields one; i64 and f64 two, low half first; v128 four), as the value
 *   stack does, so that moving a field never turns NaN bits into a JS double. A reference field takes
 *   one entry, the reference itself.
 * - An array keeps its elements in a typed array of its element's width (`Int8Array` for i8,
 *   `Int16Array` for i16, `Int32Array` for every other number type, 1, 2 or 4 entries per element), or
 *   in a JS array for references.
 * - `i31ref` values are JS numbers (integers in [-2^30, 2^30)); `ref.eq` is `===` for every reference.
 *
 * The object's own keys are symbols, so JS that holds one sees an empty object (see docs/RATIONALE.md,
 * "GC objects").
 */

import { isSubRtt, type Rtt, rttOf } from "../wasm/type_canon.ts";
import { HeapType, type ModuleInfo, Packed, TYPE_HEAP, TypeKind, ValType } from "../wasm/types.ts";
import { signatureIds, trap } from "./objects.ts";

/** Keys of a GC object's internals. */
export const RTT: unique symbol = Symbol("wasm.rtt");
export const FIELDS: unique symbol = Symbol("wasm.fields");

export class GcStruct {
  [RTT]: Rtt;
  [FIELDS]: unknown[];
  constructor(rtt: Rtt, fields: unknown[]) {
    this[RTT] = rtt;
    this[FIELDS] = fields;
  }
}

/** An array's elements: see the module comment for which typed array each element type gets. */
export type ArrayElements = Int8Array | Int16Array | Int32Array | unknown[];

export class GcArray {
  [RTT]: Rtt;
  [FIELDS]: ArrayElements;
  /** The element count (the storage holds `length` × entries per element). */
  readonly length: number;
  constructor(rtt: Rtt, elements: ArrayElements, length: number) {
    this[RTT] = rtt;
    this[FIELDS] = elements;
    this.length = length;
  }
}
// Nothing JS could call or inspect on a GC object: its prototype has no methods and no `constructor`.
Object.setPrototypeOf(GcStruct.prototype, null);
Object.setPrototypeOf(GcArray.prototype, null);
delete (GcStruct.prototype as { constructor?: unknown }).constructor;
delete (GcArray.prototype as { constructor?: unknown }).constructor;

/** Whether `v` is an `i31ref`: a JS number that is an integer of 31 bits (never -0). */
export function isI31(v: unknown): v is number {
  return typeof v === "number" && (v | 0) === v && v >= -0x40000000 && v < 0x40000000 &&
    !Object.is(v, -0);
}

/**
 * The 16-bit code units of a GC array whose elements are i16 (what JS string builtins read and
 * write), or undefined when `v` is not such an array.
 */
export function i16Elements(v: unknown): Int16Array | undefined {
  if (!(v instanceof GcArray)) return undefined;
  const e = v[FIELDS];
  return e instanceof Int16Array ? e : undefined;
}

// ---- Layouts: how each struct and array type of a module stores its fields ----

/** How one field or element is stored (see the module comment). */
export const enum Storage {
  Ref = 0,
  /** i32 and f32 (f32 as its bits). */
  I32 = 1,
  /** i64 and f64, as two 32-bit halves, low first. */
  I64 = 2,
  V128 = 3,
  I8 = 4,
  I16 = 5,
}

/** A struct or array type's storage, worked out once per module type. */
export interface Layout {
  readonly rtt: Rtt;
  /** Each field's storage (an array type: its element's, alone). */
  readonly storage: Storage[];
  /** Each field's first entry. */
  readonly offsets: number[];
  /** Entries a struct takes (an array: per element). */
  readonly size: number;
  /** A struct's fields at their defaults (0, null): every new struct starts as a copy (one JS shape per type). */
  readonly defaults: unknown[];
}

export function storageOf(t: number): Storage {
  switch (t) {
    case Packed.I8:
      return Storage.I8;
    case Packed.I16:
      return Storage.I16;
    case ValType.I32:
    case ValType.F32:
      return Storage.I32;
    case ValType.I64:
    case ValType.F64:
      return Storage.I64;
    case ValType.V128:
      return Storage.V128;
  }
  return Storage.Ref;
}

/** Entries of each storage kind. */
const ENTRIES = [1, 1, 2, 4, 1, 1];
/** Bytes an element of each storage kind takes in a data segment (`array.new_data`). */
export const DATA_BYTES = [0, 4, 8, 16, 1, 2];

const layouts = new WeakMap<ModuleInfo, Layout[]>();

/** The layout of struct or array type `x` of `module`. */
export function layoutOf(module: ModuleInfo, x: number): Layout {
  let all = layouts.get(module);
  if (all === undefined) layouts.set(module, all = []);
  let layout = all[x];
  if (layout === undefined) {
    const t = module.types[x];
    const storage = t.fields.map((f) => storageOf(f.type));
    const offsets: number[] = [];
    let size = 0;
    for (const s of storage) offsets.push(size), size += ENTRIES[s];
    const defaults = new Array<unknown>(size).fill(0);
    storage.forEach((s, i) => {
      if (s === Storage.Ref) defaults[offsets[i]] = null;
    });
    const id = signatureIds(module)[x];
    layout = all[x] = {
      rtt: rttOf(id),
      storage,
      offsets,
      size: t.kind === TypeKind.Array ? ENTRIES[storage[0]] : size,
      defaults,
    };
  }
  return layout;
}

/**
 * A new struct of `layout`'s type with every field at its default, for compiled code to fill in. Every
 * struct starts as a copy of the same defaults (on both tiers), so all of a type have one JS shape.
 */
export function structMaker(layout: Layout): () => GcStruct {
  const { rtt, defaults } = layout;
  return () => new GcStruct(rtt, defaults.slice());
}

/**
 * The most elements an array of storage kind `s` may have: V8's limit (a little under 1 GiB of
 * elements, references counted as 8 bytes), so that the same allocation traps on both engines.
 */
export function maxArrayLength(s: Storage): number {
  const bytes = ELEMENT_BYTES[s];
  return 2 ** 30 / bytes - Math.max(8, 32 / bytes);
}

/** Bytes per element of each storage kind, as V8 counts them for its limit. */
const ELEMENT_BYTES = [8, 4, 8, 16, 1, 2];

/** A new array of `n` elements of `layout`'s type, each at its default (0, null). */
export function newArray(layout: Layout, n: number): GcArray {
  const s = layout.storage[0];
  if (n > maxArrayLength(s)) trap("requested new array is too large");
  let elements: ArrayElements;
  switch (s) {
    case Storage.Ref:
      elements = new Array<unknown>(n).fill(null);
      break;
    case Storage.I8:
      elements = new Int8Array(n);
      break;
    case Storage.I16:
      elements = new Int16Array(n);
      break;
    default:
      elements = new Int32Array(n * ENTRIES[s]);
  }
  return new GcArray(layout.rtt, elements, n);
}

/** `array.new_data`: `n` elements from data segment bytes `data` at `offset` (little-endian). */
export function arrayFromData(layout: Layout, data: Uint8Array, offset: number, n: number): GcArray {
  const bytes = DATA_BYTES[layout.storage[0]];
  if (offset + n * bytes > data.length) trap("out of bounds memory access");
  const a = newArray(layout, n);
  copyData(a, 0, data, offset, n, bytes);
  return a;
}

/** Copies `n` elements of `width` bytes from `data` at `offset` into array `a` from element `i`. */
export function copyData(
  a: GcArray,
  i: number,
  data: Uint8Array,
  offset: number,
  n: number,
  width: number,
): void {
  const e = a[FIELDS] as Int8Array | Int16Array | Int32Array;
  new Uint8Array(e.buffer, e.byteOffset + i * width, n * width).set(
    data.subarray(offset, offset + n * width),
  );
}

/** `array.new_elem`: `n` references from element segment `refs` at `offset`. */
export function arrayFromElems(layout: Layout, refs: unknown[], offset: number, n: number): GcArray {
  if (offset + n > refs.length) trap("out of bounds table access");
  if (n > maxArrayLength(Storage.Ref)) trap("requested new array is too large");
  return new GcArray(layout.rtt, refs.slice(offset, offset + n), n);
}

/** `array.copy`: `n` elements from `src` at `s` to `dst` at `d` (the same array may overlap). */
export function arrayCopy(dst: GcArray, d: number, src: GcArray, s: number, n: number): void {
  if (d + n > dst.length || s + n > src.length) trap("out of bounds array access");
  const de = dst[FIELDS], se = src[FIELDS];
  if (Array.isArray(de)) {
    const sa = se as unknown[];
    if (de === sa && s < d) { for (let k = n - 1; k >= 0; k--) de[d + k] = sa[s + k]; }
    else for (let k = 0; k < n; k++) de[d + k] = sa[s + k];
    return;
  }
  const per = dst.length === 0 ? 1 : de.length / dst.length;
  // TypedArray.set copies as if through a buffer when both share one: overlap is safe.
  (de as Int32Array).set((se as Int32Array).subarray(s * per, (s + n) * per), d * per);
}

/** Array `a` (trapping on null) when elements `i` to `i + n` are in it (else a trap). */
export function checkRange(a: GcArray | null, i: number, n: number): GcArray {
  if (a === null) trap("null array reference");
  if (i + n > a.length) trap("out of bounds array access");
  return a;
}

// ---- From values held in cells (constant expressions, the JS boundary) ----

/** A value as constant expressions hold it: bits in 32-bit words (low first), or a reference. */
export interface Cell {
  readonly i32: Int32Array;
  ref: unknown;
}

/** A struct of `layout`'s type with fields `cells` (null: every field at its default). */
export function structFromCells(layout: Layout, cells: Cell[] | null): GcStruct {
  const f = layout.defaults.slice();
  if (cells !== null) cells.forEach((c, k) => putEntries(f, layout.storage[k], layout.offsets[k], c));
  return new GcStruct(layout.rtt, f);
}

/** An array of `layout`'s type of `n` elements, element k being `cellAt(k)` (null: the default). */
export function arrayFromCells(layout: Layout, n: number, cellAt: (k: number) => Cell | null): GcArray {
  const a = newArray(layout, n);
  const s = layout.storage[0], e = a[FIELDS], per = ENTRIES[s];
  for (let k = 0; k < n; k++) {
    const c = cellAt(k);
    if (c === null) break;
    putEntries(e, s, k * per, c);
  }
  return a;
}

function putEntries(into: ArrayElements, s: Storage, o: number, c: Cell): void {
  switch (s) {
    case Storage.Ref:
      into[o] = c.ref;
      return;
    case Storage.I8:
      into[o] = Array.isArray(into) ? c.i32[0] & 0xff : c.i32[0];
      return;
    case Storage.I16:
      into[o] = Array.isArray(into) ? c.i32[0] & 0xffff : c.i32[0];
      return;
  }
  for (let k = 0; k < ENTRIES[s]; k++) into[o + k] = c.i32[k];
}

// ---- Casts ----

/** A test of a reference against a heap type: what `ref.test`, `ref.cast` and `br_on_cast` run. */
export type RefTest = (v: unknown) => boolean;

/**
 * The test for non-null references of heap type `heap` (canonical: a defined type as `TYPE_HEAP` +
 * its canonical id); `nullable` says what null gives.
 */
export function refTester(heap: number, nullable: boolean): RefTest {
  const test = nonNullTester(heap);
  return nullable ? (v) => v === null || test(v) : (v) => v !== null && test(v);
}

function nonNullTester(heap: number): RefTest {
  if (heap >= TYPE_HEAP) {
    const target = rttOf(heap - TYPE_HEAP);
    if (target.kind === TypeKind.Func) {
      return (v) => {
        const id = (v as { sigId: number }).sigId;
        return id === target.id || isSubRtt(rttOf(id), target);
      };
    }
    const Class = target.kind === TypeKind.Struct ? GcStruct : GcArray;
    if (target.final) return (v) => v instanceof Class && v[RTT] === target;
    return (v) => v instanceof Class && isSubRtt(v[RTT], target);
  }
  switch (heap) {
    case HeapType.Eq:
      return (v) => v instanceof GcStruct || v instanceof GcArray || isI31(v);
    case HeapType.I31:
      return isI31;
    case HeapType.Struct:
      return (v) => v instanceof GcStruct;
    case HeapType.Array:
      return (v) => v instanceof GcArray;
    case HeapType.None:
    case HeapType.NoFunc:
    case HeapType.NoExtern:
    case HeapType.NoExn:
      return () => false;
  }
  return () => true; // any, func, extern, exn: every reference of the hierarchy
}
