/**
 * Lowering of the SIMD instructions (prefix 0xfd): reads the immediates, pops the operand slots and
 * emits one closure from the ops_simd* factories. Called by the main lowering for `case 0xfd`; v128
 * values occupy ordinary frame slots, whose contents live in `V` (see machine.ts).
 */
import type { Reader } from "../wasm/reader.ts";
import { SimdImm, simdImmediate, SimdOp } from "../wasm/opcodes.ts";
import { ValType } from "../wasm/types.ts";
import type { InstanceState, Op } from "../runtime/objects.ts";
import {
  anyTrue,
  bitselect,
  bitwise,
  extractLane,
  replaceLane,
  shuffle,
  simdLoad,
  simdLoadLane,
  simdStore,
  simdStoreLane,
  splat,
  swizzle,
  v128Const,
} from "./ops/ops_simd.ts";
import { narrowIntBinary, narrowIntShift, narrowIntUnary } from "./ops/ops_simd_int.ts";
import { laneTest, wideIntBinary, wideIntShift, wideIntUnary } from "./ops/ops_simd_wide.ts";
import { floatBinary, floatUnary } from "./ops/ops_simd_float.ts";

/** What the main lowering holds back of an i32 op: its operands, so a consumer can fold it in. */
interface HeldBack {
  prev: unknown;
  bin: { op: number; a: number; b: number; imm: boolean } | null;
}

/** The part of the main lowering this one uses. */
export interface SimdLowering {
  readonly r: Reader;
  readonly inst: InstanceState;
  /** Operand stack height, and the held-back op (see lower.ts). */
  h: number;
  pending: unknown;
  /** The held-back op if it produces stack entry h. */
  pendingProduces(h: number): HeldBack | null;
  /** `p` with any op held back before it emitted, so that `p` can be fused on its own. */
  detached(p: HeldBack | null): HeldBack | null;
  /** Pops the top operand; returns the frame slot its value can be read from. */
  popSlot(): number;
  /** Emits an op with no result. */
  emit(make: (next: number) => Op): void;
  /** Emits an op producing a value of type `t` on top of the operand stack. */
  emitValue(t: ValType, make: (dst: number, next: number) => Op): void;
  /** `make`, counted under `form` while the lowering counts closure forms (see lower.ts). */
  named?<A extends unknown[]>(form: string, make: (...args: A) => Op): (...args: A) => Op;
}

/** Result types of extract_lane (0x15..0x21; replace_lane entries unused). */
const EXTRACT_RESULT: Record<number, ValType> = {
  0x15: ValType.I32,
  0x16: ValType.I32,
  0x18: ValType.I32,
  0x19: ValType.I32,
  0x1b: ValType.I32,
  0x1d: ValType.I64,
  0x1f: ValType.F32,
  0x21: ValType.F64,
};

const FLOAT_UNARY = new Set([
  0x5e,
  0x5f,
  0x67,
  0x68,
  0x69,
  0x6a,
  0x74,
  0x75,
  0x7a,
  0x94,
  0xe0,
  0xe1,
  0xe3,
  0xec,
  0xed,
  0xef,
  0xf8,
  0xf9,
  0xfa,
  0xfb,
  0xfc,
  0xfd,
  0xfe,
  0xff,
]);
const NARROW_INT_UNARY = new Set([0x60, 0x61, 0x62, 0x7c, 0x7d, 0x80, 0x81, 0x87, 0x88, 0x89, 0x8a]);
const WIDE_INT_UNARY = new Set([
  0x7e,
  0x7f,
  0xa0,
  0xa1,
  0xa7,
  0xa8,
  0xa9,
  0xaa,
  0xc0,
  0xc1,
  0xc7,
  0xc8,
  0xc9,
  0xca,
]);
const LANE_TESTS = new Set([0x63, 0x64, 0x83, 0x84, 0xa3, 0xa4, 0xc3, 0xc4]);
const SHIFTS = new Set([0x6b, 0x6c, 0x6d, 0x8b, 0x8c, 0x8d, 0xab, 0xac, 0xad, 0xcb, 0xcc, 0xcd]);

/** Lowers SIMD instruction `sub` (the u32 after 0xfd); the validator has checked it. */
export function lowerSimd(l: SimdLowering, sub: number): void {
  const r = l.r;
  switch (simdImmediate(sub)) {
    case SimdImm.MemArg: {
      r.u32(); // alignment: a hint only
      const offset = r.u32();
      const mem = l.inst.memories[0];
      if (sub === SimdOp.V128Store) {
        const s = l.popSlot(), a = l.popSlot();
        return l.emit((next) => simdStore(mem, a, s, offset, next));
      }
      const [a, k, folded] = popAddress(l);
      const make = (d: number, next: number) => simdLoad(sub, mem, d, a, k, offset, next);
      return l.emitValue(
        ValType.V128,
        l.named ? l.named(folded ? "simdLoad:folded" : "simdLoad", make) : make,
      );
    }
    case SimdImm.MemArgLane: {
      r.u32();
      const offset = r.u32();
      const lane = r.u8();
      const mem = l.inst.memories[0];
      const s = l.popSlot(), a = l.popSlot();
      if (sub >= SimdOp.V128Store8Lane) {
        return l.emit((next) => simdStoreLane(sub, mem, a, s, offset, lane, next));
      }
      return l.emitValue(ValType.V128, (d, next) => simdLoadLane(sub, mem, d, a, s, offset, lane, next));
    }
    case SimdImm.Lane: {
      const lane = r.u8();
      const result = EXTRACT_RESULT[sub];
      if (result !== undefined) {
        const a = l.popSlot();
        return l.emitValue(result, (d, next) => extractLane(sub, d, a, lane, next));
      }
      const x = l.popSlot(), a = l.popSlot();
      return l.emitValue(ValType.V128, (d, next) => replaceLane(sub, d, a, x, lane, next));
    }
    case SimdImm.Bytes16: {
      const bytes = r.take(16).slice(); // a copy: 4-byte aligned for the Int32Array view
      if (sub === SimdOp.V128Const) {
        const c = new Int32Array(bytes.buffer);
        return l.emitValue(ValType.V128, (d, next) => v128Const(d, c, next));
      }
      const b = l.popSlot(), a = l.popSlot();
      return l.emitValue(ValType.V128, (d, next) => shuffle(d, a, b, bytes, next));
    }
  }
  if (sub >= SimdOp.I8x16Splat && sub <= SimdOp.F64x2Splat) {
    const a = l.popSlot();
    return l.emitValue(ValType.V128, (d, next) => splat(sub, d, a, next));
  }
  if (LANE_TESTS.has(sub) || sub === SimdOp.V128AnyTrue) {
    const a = l.popSlot();
    const make = sub === SimdOp.V128AnyTrue
      ? anyTrue
      : (d: number, a: number, next: number) => laneTest(sub, d, a, next);
    return l.emitValue(ValType.I32, (d, next) => make(d, a, next));
  }
  if (sub === SimdOp.V128Bitselect) {
    const c = l.popSlot(), b = l.popSlot(), a = l.popSlot();
    return l.emitValue(ValType.V128, (d, next) => bitselect(d, a, b, c, next));
  }
  if (SHIFTS.has(sub)) {
    const s = l.popSlot(), a = l.popSlot();
    const make = sub <= SimdOp.I16x8ShrU ? narrowIntShift : wideIntShift;
    return l.emitValue(ValType.V128, (d, next) => make(sub, d, a, s, next));
  }
  if (
    sub === SimdOp.V128Not || FLOAT_UNARY.has(sub) || NARROW_INT_UNARY.has(sub) || WIDE_INT_UNARY.has(sub)
  ) {
    const a = l.popSlot();
    const make = sub === SimdOp.V128Not
      ? (o: number, d: number, a: number, n: number) => bitwise(o, d, a, a, n)
      : FLOAT_UNARY.has(sub)
      ? floatUnary
      : NARROW_INT_UNARY.has(sub)
      ? narrowIntUnary
      : wideIntUnary;
    return l.emitValue(ValType.V128, (d, next) => make(sub, d, a, next));
  }
  // Binary v128 operations.
  const b = l.popSlot(), a = l.popSlot();
  const make = binaryFactory(sub);
  l.emitValue(ValType.V128, (d, next) => make(sub, d, a, b, next));
}

/**
 * Pops a load address as (slot, k): an `i32.add` of a constant k that was just held back is folded
 * into the load (it wraps as that add would), saving one op per access in typical loops.
 */
function popAddress(l: SimdLowering): [number, number, boolean] {
  const p = l.detached(l.pendingProduces(l.h - 1));
  const add = p?.bin;
  if (p && add && p.prev === null && add.op === 0x6a && add.imm) {
    l.pending = null;
    l.h--;
    return [add.a, add.b, true];
  }
  return [l.popSlot(), 0, false];
}

type Binary = (op: number, d: number, a: number, b: number, next: number) => Op;

function binaryFactory(sub: number): Binary {
  if (sub === SimdOp.I8x16Swizzle) return (_op, d, a, b, next) => swizzle(d, a, b, next);
  if (sub >= SimdOp.V128And && sub <= SimdOp.V128Xor) return bitwise;
  if ((sub >= SimdOp.F32x4Eq && sub <= SimdOp.F64x2Ge) || sub >= SimdOp.F32x4Add) return floatBinary;
  if ((sub >= SimdOp.I32x4Eq && sub <= SimdOp.I32x4GeU) || sub >= SimdOp.I32x4Add) return wideIntBinary;
  return narrowIntBinary;
}
