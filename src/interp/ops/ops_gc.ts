/**
 * GC's instructions (prefix 0xfb, and `ref.eq`) as closures: structs, arrays, `i31` and casts, over
 * the module's layouts (runtime/gc.ts). The interpreter lowers them here (`lowerGc`), and the JS tier
 * runs the same closures for the instructions it does not compile inline (jit/bridges.ts). `br_on_cast`
 * is a branch and lives with the other branches in lower.ts; its test comes from `castTest` here.
 */
import type { Reader } from "../../wasm/reader.ts";
import { GcOp } from "../../wasm/opcodes.ts";
import { canonicalHeap } from "../../wasm/type_canon.ts";
import { readHeapType } from "../../wasm/decoder.ts";
import {
  HeapType,
  isNullable,
  type ModuleInfo,
  refType,
  TYPE_HEAP,
  unpackedType,
  ValType,
} from "../../wasm/types.ts";
import { I32, R, V } from "../../runtime/machine.ts";
import { type InstanceState, type Op, signatureIds, trap } from "../../runtime/objects.ts";
import {
  arrayCopy,
  arrayFromData,
  arrayFromElems,
  checkRange,
  copyData,
  DATA_BYTES,
  FIELDS,
  type GcArray,
  GcStruct,
  type Layout,
  layoutOf,
  newArray,
  type RefTest,
  refTester,
  Storage,
} from "../../runtime/gc.ts";

/**
 * What the GC lowering needs of its caller: the main lowering (lower.ts) or a JS-tier bridge
 * (jit/bridges.ts), which runs one such closure for compiled code.
 */
export interface GcLowering {
  readonly module: ModuleInfo;
  readonly r: Reader;
  /** The operand stack's value types (what `any.convert_extern` and `extern.convert_any` keep of it). */
  readonly type: ValType[];
  readonly h: number;
  popSlot(): number;
  emit(make: (next: number) => Op): void;
  emitValue(t: ValType, make: (dst: number, next: number) => Op): void;
}

/** The test a cast to `(ref null? heap)` of `l`'s module runs (a type index made canonical first). */
export function castTest(l: GcLowering, heap: number, nullable: boolean): RefTest {
  return refTester(canonicalHeap(heap, signatureIds(l.module)), nullable);
}

/** Lowers GC instruction `sub` (the u32 after 0xfb), but `br_on_cast`; the validator has checked it. */
export function lowerGc(l: GcLowering, sub: number): void {
  const r = l.r, m = l.module;
  switch (sub) {
    case GcOp.StructNew:
    case GcOp.StructNewDefault: {
      const x = r.u32(), layout = layoutOf(m, x);
      const slots = sub === GcOp.StructNew ? popSlots(l, layout.storage.length) : null;
      const type = refType(TYPE_HEAP + x, false);
      if (slots === null) {
        const { rtt, defaults } = layout;
        return l.emitValue(
          type,
          (d, next) => (p) => (R[(p >> 1) + d] = new GcStruct(rtt, defaults.slice()), next),
        );
      }
      return l.emitValue(type, (d, next) => structNew(layout, slots, d, next));
    }
    case GcOp.StructGet:
    case GcOp.StructGetS:
    case GcOp.StructGetU: {
      const x = r.u32(), i = r.u32(), layout = layoutOf(m, x);
      const s = l.popSlot();
      const field = m.types[x].fields[i];
      return l.emitValue(
        unpackedType(field.type),
        (d, next) => fieldGet(layout.storage[i], layout.offsets[i], sub === GcOp.StructGetS, s, d, next),
      );
    }
    case GcOp.StructSet: {
      const x = r.u32(), i = r.u32(), layout = layoutOf(m, x);
      const v = l.popSlot(), s = l.popSlot();
      return l.emit((next) => fieldSet(layout.storage[i], layout.offsets[i], s, v, next));
    }
    case GcOp.ArrayNew:
    case GcOp.ArrayNewDefault: {
      const x = r.u32(), layout = layoutOf(m, x);
      const n = l.popSlot(), v = sub === GcOp.ArrayNew ? l.popSlot() : -1;
      return l.emitValue(refType(TYPE_HEAP + x, false), (d, next) => (p) => {
        const a = newArray(layout, I32[p + 2 * n] >>> 0);
        if (v >= 0) fill(a, layout.storage[0], 0, a.length, p, v);
        R[(p >> 1) + d] = a;
        return next;
      });
    }
    case GcOp.ArrayNewFixed: {
      const x = r.u32(), count = r.u32(), layout = layoutOf(m, x);
      const slots = popSlots(l, count), s = layout.storage[0];
      return l.emitValue(refType(TYPE_HEAP + x, false), (d, next) => (p) => {
        const a = newArray(layout, count);
        for (let k = 0; k < count; k++) store(a, s, k, p, slots[k]);
        R[(p >> 1) + d] = a;
        return next;
      });
    }
    case GcOp.ArrayNewData:
    case GcOp.ArrayNewElem: {
      const x = r.u32(), seg = r.u32(), layout = layoutOf(m, x);
      const n = l.popSlot(), o = l.popSlot();
      const fromData = sub === GcOp.ArrayNewData;
      return l.emitValue(refType(TYPE_HEAP + x, false), (d, next) => (p, vm) => {
        const offset = I32[p + 2 * o] >>> 0, count = I32[p + 2 * n] >>> 0;
        R[(p >> 1) + d] = fromData
          ? arrayFromData(layout, vm.datas[seg], offset, count)
          : arrayFromElems(layout, vm.elems[seg], offset, count);
        return next;
      });
    }
    case GcOp.ArrayGet:
    case GcOp.ArrayGetS:
    case GcOp.ArrayGetU: {
      const x = r.u32(), s = layoutOf(m, x).storage[0];
      const i = l.popSlot(), a = l.popSlot();
      const t = unpackedType(m.types[x].fields[0].type);
      return l.emitValue(t, (d, next) => elementGet(s, sub === GcOp.ArrayGetU, a, i, d, next));
    }
    case GcOp.ArraySet: {
      const s = layoutOf(m, r.u32()).storage[0];
      const v = l.popSlot(), i = l.popSlot(), a = l.popSlot();
      return l.emit((next) => (p) => {
        const array = arrayAt(p, a), k = I32[p + 2 * i] >>> 0;
        if (k >= array.length) trap("out of bounds array access");
        store(array, s, k, p, v);
        return next;
      });
    }
    case GcOp.ArrayLen: {
      const a = l.popSlot();
      return l.emitValue(ValType.I32, (d, next) => (p) => (I32[p + 2 * d] = arrayAt(p, a).length, next));
    }
    case GcOp.ArrayFill: {
      const s = layoutOf(m, r.u32()).storage[0];
      const n = l.popSlot(), v = l.popSlot(), i = l.popSlot(), a = l.popSlot();
      return l.emit((next) => (p) => {
        const start = I32[p + 2 * i] >>> 0, count = I32[p + 2 * n] >>> 0;
        fill(checkRange(R[(p >> 1) + a] as GcArray | null, start, count), s, start, start + count, p, v);
        return next;
      });
    }
    case GcOp.ArrayCopy: {
      r.u32(), r.u32();
      const n = l.popSlot(), si = l.popSlot(), src = l.popSlot(), di = l.popSlot(), dst = l.popSlot();
      return l.emit((next) => (p) => {
        const to = arrayAt(p, dst), from = arrayAt(p, src);
        arrayCopy(to, I32[p + 2 * di] >>> 0, from, I32[p + 2 * si] >>> 0, I32[p + 2 * n] >>> 0);
        return next;
      });
    }
    case GcOp.ArrayInitData:
    case GcOp.ArrayInitElem: {
      const layout = layoutOf(m, r.u32()), seg = r.u32();
      const n = l.popSlot(), s = l.popSlot(), i = l.popSlot(), a = l.popSlot();
      const fromData = sub === GcOp.ArrayInitData;
      return l.emit((next) => (p, vm) => initArray(layout, fromData, seg, p, vm, a, i, s, n, next));
    }
    case GcOp.RefTest:
    case GcOp.RefTestNull: {
      const test = castTest(l, readHeapType(r), sub === GcOp.RefTestNull);
      const s = l.popSlot();
      return l.emitValue(ValType.I32, (d, next) => (p) => (I32[p + 2 * d] = +test(R[(p >> 1) + s]), next));
    }
    case GcOp.RefCast:
    case GcOp.RefCastNull: {
      const heap = readHeapType(r), nullable = sub === GcOp.RefCastNull;
      const test = castTest(l, heap, nullable);
      const s = l.popSlot();
      return l.emitValue(refType(heap, nullable), (d, next) => (p) => {
        const v = R[(p >> 1) + s];
        if (!test(v)) trap("cast failure");
        R[(p >> 1) + d] = v;
        return next;
      });
    }
    case GcOp.AnyConvertExtern:
    case GcOp.ExternConvertAny: {
      // The same JS value in both hierarchies (see runtime/gc.ts): only the static type changes.
      const s = l.popSlot(), nullable = l.type[l.h] === undefined || isNullable(l.type[l.h]);
      const heap = sub === GcOp.AnyConvertExtern ? HeapType.Any : HeapType.Extern;
      return l.emitValue(
        refType(heap, nullable),
        (d, next) => (p) => (R[(p >> 1) + d] = R[(p >> 1) + s], next),
      );
    }
    case GcOp.RefI31: {
      const s = l.popSlot();
      const t = refType(HeapType.I31, false);
      return l.emitValue(t, (d, next) => (p) => (R[(p >> 1) + d] = (I32[p + 2 * s] << 1) >> 1, next));
    }
    case GcOp.I31GetS:
    case GcOp.I31GetU: {
      const s = l.popSlot(), mask = sub === GcOp.I31GetU ? 0x7fffffff : -1;
      return l.emitValue(ValType.I32, (d, next) => (p) => {
        const v = R[(p >> 1) + s];
        if (v === null) trap("null i31 reference");
        I32[p + 2 * d] = (v as number) & mask;
        return next;
      });
    }
  }
  throw new Error(`lowering: unknown GC opcode ${sub}`);
}

/** `ref.eq`: whether two references are the same (`===`: i31 values compare as numbers). */
export function lowerRefEq(l: GcLowering): void {
  const b = l.popSlot(), a = l.popSlot();
  l.emitValue(
    ValType.I32,
    (d, next) => (p) => (I32[p + 2 * d] = +(R[(p >> 1) + a] === R[(p >> 1) + b]), next),
  );
}

/** Pops `n` operands; their slots in the order they were pushed. */
function popSlots(l: GcLowering, n: number): number[] {
  const slots = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) slots[i] = l.popSlot();
  return slots;
}

function structNew(layout: Layout, slots: number[], d: number, next: number): Op {
  const { rtt, storage, offsets, defaults } = layout;
  return (p) => {
    const f = defaults.slice(); // the same JS shape for every struct of the type (see jit/gc.ts)
    for (let k = 0; k < slots.length; k++) {
      const o = offsets[k], q = p + 2 * slots[k];
      switch (storage[k]) {
        case Storage.Ref:
          f[o] = R[q >> 1];
          break;
        case Storage.I32:
          f[o] = I32[q];
          break;
        case Storage.I8:
          f[o] = I32[q] & 0xff;
          break;
        case Storage.I16:
          f[o] = I32[q] & 0xffff;
          break;
        case Storage.I64:
          f[o] = I32[q], f[o + 1] = I32[q + 1];
          break;
        case Storage.V128: {
          const w = 2 * q;
          f[o] = V[w], f[o + 1] = V[w + 1], f[o + 2] = V[w + 2], f[o + 3] = V[w + 3];
        }
      }
    }
    R[(p >> 1) + d] = new GcStruct(rtt, f);
    return next;
  };
}

/** The fields of the struct in slot `s`, trapping on null. */
function fieldsAt(p: number, s: number): unknown[] {
  const v = R[(p >> 1) + s];
  if (v === null) trap("null structure reference");
  return (v as GcStruct)[FIELDS];
}

function arrayAt(p: number, s: number): GcArray {
  const v = R[(p >> 1) + s];
  if (v === null) trap("null array reference");
  return v as GcArray;
}

function fieldGet(storage: Storage, o: number, signed: boolean, s: number, d: number, next: number): Op {
  switch (storage) {
    case Storage.Ref:
      return (p) => (R[(p >> 1) + d] = fieldsAt(p, s)[o], next);
    case Storage.I32:
      return (p) => (I32[p + 2 * d] = fieldsAt(p, s)[o] as number, next);
    case Storage.I8:
      return signed
        ? (p) => (I32[p + 2 * d] = ((fieldsAt(p, s)[o] as number) << 24) >> 24, next)
        : (p) => (I32[p + 2 * d] = fieldsAt(p, s)[o] as number, next);
    case Storage.I16:
      return signed
        ? (p) => (I32[p + 2 * d] = ((fieldsAt(p, s)[o] as number) << 16) >> 16, next)
        : (p) => (I32[p + 2 * d] = fieldsAt(p, s)[o] as number, next);
    case Storage.I64:
      return (p) => {
        const f = fieldsAt(p, s), q = p + 2 * d;
        I32[q] = f[o] as number, I32[q + 1] = f[o + 1] as number;
        return next;
      };
    case Storage.V128:
      return (p) => {
        const f = fieldsAt(p, s), w = 2 * p + 4 * d;
        V[w] = f[o] as number, V[w + 1] = f[o + 1] as number, V[w + 2] = f[o + 2] as number;
        V[w + 3] = f[o + 3] as number;
        return next;
      };
  }
}

function fieldSet(storage: Storage, o: number, s: number, v: number, next: number): Op {
  switch (storage) {
    case Storage.Ref:
      return (p) => (fieldsAt(p, s)[o] = R[(p >> 1) + v], next);
    case Storage.I32:
      return (p) => (fieldsAt(p, s)[o] = I32[p + 2 * v], next);
    case Storage.I8:
      return (p) => (fieldsAt(p, s)[o] = I32[p + 2 * v] & 0xff, next);
    case Storage.I16:
      return (p) => (fieldsAt(p, s)[o] = I32[p + 2 * v] & 0xffff, next);
    case Storage.I64:
      return (p) => {
        const f = fieldsAt(p, s), q = p + 2 * v;
        f[o] = I32[q], f[o + 1] = I32[q + 1];
        return next;
      };
    case Storage.V128:
      return (p) => {
        const f = fieldsAt(p, s), w = 2 * p + 4 * v;
        f[o] = V[w], f[o + 1] = V[w + 1], f[o + 2] = V[w + 2], f[o + 3] = V[w + 3];
        return next;
      };
  }
}

function elementGet(storage: Storage, unsigned: boolean, a: number, i: number, d: number, next: number): Op {
  const at = (p: number) => {
    const array = arrayAt(p, a), k = I32[p + 2 * i] >>> 0;
    if (k >= array.length) trap("out of bounds array access");
    return k;
  };
  switch (storage) {
    case Storage.Ref:
      return (p) => {
        const k = at(p);
        R[(p >> 1) + d] = (R[(p >> 1) + a] as GcArray)[FIELDS][k];
        return next;
      };
    case Storage.I8:
    case Storage.I16: {
      const mask = unsigned ? (storage === Storage.I8 ? 0xff : 0xffff) : -1;
      return (p) => {
        const k = at(p);
        I32[p + 2 * d] = ((R[(p >> 1) + a] as GcArray)[FIELDS] as Int16Array)[k] & mask;
        return next;
      };
    }
    case Storage.I32:
      return (p) => {
        const k = at(p);
        I32[p + 2 * d] = ((R[(p >> 1) + a] as GcArray)[FIELDS] as Int32Array)[k];
        return next;
      };
    case Storage.I64:
      return (p) => {
        const k = 2 * at(p), e = (R[(p >> 1) + a] as GcArray)[FIELDS] as Int32Array, q = p + 2 * d;
        I32[q] = e[k], I32[q + 1] = e[k + 1];
        return next;
      };
    case Storage.V128:
      return (p) => {
        const k = 4 * at(p), e = (R[(p >> 1) + a] as GcArray)[FIELDS] as Int32Array, w = 2 * p + 4 * d;
        V[w] = e[k], V[w + 1] = e[k + 1], V[w + 2] = e[k + 2], V[w + 3] = e[k + 3];
        return next;
      };
  }
}

/** Stores the value in slot `v` as element `k` of `a` (of storage kind `s`); the index is checked. */
function store(a: GcArray, s: Storage, k: number, p: number, v: number): void {
  const e = a[FIELDS];
  switch (s) {
    case Storage.Ref:
      (e as unknown[])[k] = R[(p >> 1) + v];
      return;
    case Storage.I32:
    case Storage.I8:
    case Storage.I16:
      (e as Int32Array)[k] = I32[p + 2 * v]; // a typed array of the element's width wraps it
      return;
    case Storage.I64: {
      const q = p + 2 * v, w = e as Int32Array;
      w[2 * k] = I32[q], w[2 * k + 1] = I32[q + 1];
      return;
    }
    case Storage.V128: {
      const q = 2 * p + 4 * v, w = e as Int32Array;
      w[4 * k] = V[q], w[4 * k + 1] = V[q + 1], w[4 * k + 2] = V[q + 2], w[4 * k + 3] = V[q + 3];
    }
  }
}

/** Sets elements `from` to `to` of `a` to the value in slot `v`. */
function fill(a: GcArray, s: Storage, from: number, to: number, p: number, v: number): void {
  const e = a[FIELDS];
  switch (s) {
    case Storage.Ref:
      (e as unknown[]).fill(R[(p >> 1) + v], from, to);
      return;
    case Storage.I32:
    case Storage.I8:
    case Storage.I16:
      (e as Int32Array).fill(I32[p + 2 * v], from, to);
      return;
  }
  for (let k = from; k < to; k++) store(a, s, k, p, v);
}

function initArray(
  layout: Layout,
  fromData: boolean,
  seg: number,
  p: number,
  vm: InstanceState,
  a: number,
  i: number,
  s: number,
  n: number,
  next: number,
): number {
  const d = I32[p + 2 * i] >>> 0, from = I32[p + 2 * s] >>> 0, count = I32[p + 2 * n] >>> 0;
  const array = checkRange(R[(p >> 1) + a] as GcArray | null, d, count);
  if (fromData) {
    const data = vm.datas[seg], width = DATA_BYTES[layout.storage[0]];
    if (from + count * width > data.length) trap("out of bounds memory access");
    copyData(array, d, data, from, count, width);
  } else {
    const refs = vm.elems[seg];
    if (from + count > refs.length) trap("out of bounds table access");
    const e = array[FIELDS] as unknown[];
    for (let k = 0; k < count; k++) e[d + k] = refs[from + k];
  }
  return next;
}
