/**
 * Canonical identity of function types, across modules: two types get the same id exactly when they
 * are equivalent. Without typed references that is "the same parameters and results"; with them, a
 * `(ref $t)` inside a type stands for $t's own canonical id, and a type that refers to itself (each
 * type is a recursion group of its own until GC's `rec`) is equivalent to another that does so in
 * the same shape (iso-recursive equivalence). `call_indirect`'s check, import matching and the
 * validator's subtyping all compare these ids: one integer.
 */
import { type FuncType, heapOf, HeapType, isNullable, REF_BASE, TYPE_HEAP, type ValType } from "./types.ts";

/** Every canonical shape seen in this realm, by its key; the id is the insertion order. */
const ids = new Map<string, number>();

/**
 * The canonical id of each of `types`. A reference to a type index at or beyond the type's own has no
 * meaning (the validator refuses it); here it is keyed as itself, so that nothing throws.
 */
export function canonicalTypeIds(types: readonly FuncType[]): number[] {
  const out: number[] = [];
  types.forEach((t, i) => {
    const part = (v: ValType) => {
      if (v < REF_BASE) return String(v);
      const heap = heapOf(v);
      if (heap < TYPE_HEAP) return String(v);
      const x = heap - TYPE_HEAP;
      const target = x === i ? "self" : x < i ? `#${out[x]}` : `?${x}`;
      return `${isNullable(v) ? "n" : "r"}${target}`;
    };
    const key = t.params.map(part).join(",") + ":" + t.results.map(part).join(",");
    let id = ids.get(key);
    if (id === undefined) ids.set(key, id = ids.size);
    out.push(id);
  });
  return out;
}

/** The canonical id of one type that refers to no type index (a host function's, say). */
export function plainTypeId(type: FuncType): number {
  return canonicalTypeIds([type])[0];
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
  if (actual < REF_BASE && expected < REF_BASE) return actual === expected;
  const a = canonicalHeap(actual, actualIds), e = canonicalHeap(expected, expectedIds);
  const an = isNullable(actual), en = isNullable(expected);
  if (exact) return a === e && an === en;
  if (an && !en) return false;
  if (a === e) return true;
  if (typeof a !== "number") return e === HeapType.Func; // a function type under func
  if (a === HeapType.NoFunc) return e === HeapType.Func || typeof e !== "number";
  if (a === HeapType.NoExtern) return e === HeapType.Extern;
  return a === HeapType.NoExn && e === HeapType.Exn;
}

/**
 * The heap type of reference type `t`, a type index replaced by its canonical id (as a string); an
 * index whose module is not known matches nothing (a fresh object).
 */
function canonicalHeap(t: ValType, ids: readonly number[] | undefined): number | string | object {
  const heap = heapOf(t);
  if (heap < TYPE_HEAP) return heap;
  const id = ids?.[heap - TYPE_HEAP];
  return id === undefined ? {} : `#${id}`;
}
