/**
 * Canonical identity of defined types, across modules: two types get the same id exactly when they
 * are equivalent (iso-recursively, as GC defines it). A recursion group is keyed by its shape: a
 * reference inside the group stands for its position in the group, one to an earlier type for that
 * type's canonical id; finality and declared supertypes are part of the shape. Equal groups get the
 * same ids, so `call_indirect`'s check, import matching and the validator's subtyping compare integers.
 *
 * Each canonical id also has a runtime type (`Rtt`): its supertype chain, which makes a cast to a
 * concrete type one comparison at a known depth (`isSubRtt`).
 */
import {
  type DefType,
  type FieldType,
  type FuncType,
  heapOf,
  HeapType,
  isNullable,
  isRefType,
  REF_BASE,
  refType,
  TYPE_HEAP,
  TypeKind,
  type ValType,
} from "./types.ts";

/** What a cast checks: a canonical type id and the ids of its supertype chain by depth. */
export interface Rtt {
  readonly id: number;
  /** How many declared supertypes the type has above it. */
  readonly depth: number;
  /** The canonical ids of the type's supertype chain, root first; the type's own id last (`supers[depth]`). */
  readonly supers: Int32Array;
  readonly kind: TypeKind;
  /** Whether no type may declare this one as its supertype: a cast to it is then one comparison. */
  readonly final: boolean;
}

/** The first canonical id of every recursion group's shape seen in this realm. */
const groups = new Map<string, number>();
/** Runtime types by canonical id (as many as there are distinct types in the realm: bounded by code). */
const rtts: Rtt[] = [];

/** The runtime type of canonical id `id`. */
export function rttOf(id: number): Rtt {
  return rtts[id];
}

/** Whether runtime type `rtt` is `target` or one of its declared subtypes. */
export function isSubRtt(rtt: Rtt, target: Rtt): boolean {
  return rtt === target || (rtt.depth > target.depth && rtt.supers[target.depth] === target.id);
}

/** Whether a function of canonical type `actual` may be called as one of type `expected` (subtyping). */
export function sigMatches(actual: number, expected: number): boolean {
  return actual === expected || isSubRtt(rtts[actual], rtts[expected]);
}

/**
 * The canonical id of each of `types` (a module's type section; a plain function type without GC's
 * fields is a group of its own, final, with no supertype). A reference to a type index beyond its
 * own group has no meaning (the validator refuses it); here it is keyed as itself, so that nothing throws.
 */
export function canonicalTypeIds(types: readonly (DefType | FuncType)[]): number[] {
  const out: number[] = [];
  for (let start = 0; start < types.length;) {
    const first = types[start] as Partial<DefType>;
    const size = first.group === start && first.groupSize
      ? Math.min(first.groupSize, types.length - start)
      : 1;
    const ref = (v: ValType | number) => {
      if (v < REF_BASE) return String(v);
      const heap = heapOf(v as ValType);
      if (heap < TYPE_HEAP) return String(v);
      const x = heap - TYPE_HEAP;
      const target = x >= start && x < start + size ? `~${x - start}` : x < start ? `#${out[x]}` : `?${x}`;
      return `${isNullable(v as ValType) ? "n" : "r"}${target}`;
    };
    const field = (f: FieldType) => ref(f.type) + (f.mutable ? "m" : "c");
    const keys: string[] = [];
    for (let k = start; k < start + size; k++) {
      const t = types[k] as Partial<DefType> & FuncType;
      const sup = t.supertype ?? -1;
      keys.push(
        `${t.kind ?? 0}${t.final === false ? "o" : "f"}${
          sup < 0 ? "" : ref(refType(TYPE_HEAP + sup, false))
        }|` +
          t.params.map(ref).join(",") + ":" + t.results.map(ref).join(",") + ":" +
          (t.fields ?? []).map(field).join(","),
      );
    }
    const key = keys.join(";");
    let base = groups.get(key);
    if (base === undefined) {
      groups.set(key, base = rtts.length);
      for (let k = 0; k < size; k++) {
        const t = types[start + k] as Partial<DefType>;
        const id = base + k, sup = t.supertype ?? -1;
        // A supertype comes before its subtype (the validator refuses any other), so its id is known.
        const superId = sup < 0 ? -1 : sup < start ? out[sup] : sup < start + k ? base + sup - start : -1;
        const above = superId < 0 ? undefined : rtts[superId];
        const supers = new Int32Array((above?.depth ?? -1) + 2);
        if (above) supers.set(above.supers);
        supers[supers.length - 1] = id;
        rtts.push({
          id,
          depth: supers.length - 1,
          supers,
          kind: t.kind ?? TypeKind.Func,
          final: t.final ?? true,
        });
      }
    }
    for (let k = 0; k < size; k++) out.push(base + k);
    start += size;
  }
  return out;
}

/** The canonical id of one type that refers to no type index (a host function's, say). */
export function plainTypeId(type: FuncType): number {
  return canonicalTypeIds([type])[0];
}

/**
 * Whether heap type `a` is a subtype of `e`, both canonical: an abstract heap type by its code, a
 * defined type as `TYPE_HEAP` + its canonical id. The hierarchies: `none` ≤ `i31`, `struct`, `array`
 * (and every struct and array type) ≤ `eq` ≤ `any`; `nofunc` ≤ every function type ≤ `func`;
 * `noextern` ≤ `extern`; `noexn` ≤ `exn`.
 */
export function heapMatches(a: number, e: number): boolean {
  if (a === e) return true;
  if (a >= TYPE_HEAP) {
    const ra = rtts[a - TYPE_HEAP];
    if (e >= TYPE_HEAP) return isSubRtt(ra, rtts[e - TYPE_HEAP]);
    if (ra.kind === TypeKind.Func) return e === HeapType.Func;
    return e === HeapType.Any || e === HeapType.Eq ||
      e === (ra.kind === TypeKind.Struct ? HeapType.Struct : HeapType.Array);
  }
  if (e >= TYPE_HEAP) {
    const kind = rtts[e - TYPE_HEAP].kind;
    return a === (kind === TypeKind.Func ? HeapType.NoFunc : HeapType.None);
  }
  switch (a) {
    case HeapType.None:
      return e === HeapType.Any || e === HeapType.Eq || e === HeapType.I31 || e === HeapType.Struct ||
        e === HeapType.Array;
    case HeapType.I31:
    case HeapType.Struct:
    case HeapType.Array:
      return e === HeapType.Eq || e === HeapType.Any;
    case HeapType.Eq:
      return e === HeapType.Any;
    case HeapType.NoFunc:
      return e === HeapType.Func;
    case HeapType.NoExtern:
      return e === HeapType.Extern;
    case HeapType.NoExn:
      return e === HeapType.Exn;
  }
  return false;
}

/** The top of heap type `heap`'s hierarchy (`any`, `func`, `extern` or `exn`); `heap` canonical. */
export function topHeap(heap: number): HeapType {
  if (heap >= TYPE_HEAP) return rtts[heap - TYPE_HEAP].kind === TypeKind.Func ? HeapType.Func : HeapType.Any;
  switch (heap) {
    case HeapType.Func:
    case HeapType.NoFunc:
      return HeapType.Func;
    case HeapType.Extern:
    case HeapType.NoExtern:
      return HeapType.Extern;
    case HeapType.Exn:
    case HeapType.NoExn:
      return HeapType.Exn;
  }
  return HeapType.Any;
}

/** Heap type `heap` of a module whose canonical ids are `ids`, made canonical (unknown index: -1). */
export function canonicalHeap(heap: number, ids: readonly number[] | undefined): number {
  if (heap < TYPE_HEAP) return heap;
  const id = ids?.[heap - TYPE_HEAP];
  return id === undefined ? -1 : TYPE_HEAP + id;
}

/**
 * Whether value type `actual` (of a module whose canonical type ids are `actualIds`) matches
 * `expected` (of the module with `expectedIds`): across modules, a type index stands for its
 * canonical id. `exact` asks for equivalence (mutable globals, tables), else subtyping (immutable
 * globals).
 */
export function matchesAcross(
  actual: ValType,
  actualIds: readonly number[] | undefined,
  expected: ValType,
  expectedIds: readonly number[] | undefined,
  exact: boolean,
): boolean {
  if (actual === expected && actual < REF_BASE) return true;
  if (!isRefType(actual) || !isRefType(expected)) return false; // number and vector types: only themselves
  const a = canonicalHeap(heapOf(actual), actualIds), e = canonicalHeap(heapOf(expected), expectedIds);
  if (a < 0 || e < 0) return false;
  const an = isNullable(actual), en = isNullable(expected);
  if (exact) return a === e && an === en;
  if (an && !en) return false;
  return heapMatches(a, e);
}
