/**
 * Which closure factory runs SIMD instruction `sub` (the u32 after 0xfd), for both tiers: the
 * interpreter's lowering and the JS tier, for the instructions it does not emit inline, call the same
 * selection. Each tier reads the immediates (`readSimdImmediates`) and places the operands itself.
 */
import type { Reader } from "../../wasm/reader.ts";
import { SimdImm, simdImmediate, SimdOp } from "../../wasm/opcodes.ts";
import { ValType } from "../../wasm/types.ts";
import type { MemoryInst, Op } from "../../runtime/objects.ts";
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
} from "./ops_simd.ts";
import { narrowIntBinary, narrowIntShift, narrowIntUnary } from "./ops_simd_int.ts";
import { laneTest, wideIntBinary, wideIntShift, wideIntUnary } from "./ops_simd_wide.ts";
import { floatBinary, floatUnary } from "./ops_simd_float.ts";

/** The immediates of a SIMD instruction. */
export interface SimdImmediates {
  /** The memarg's offset (loads and stores, lane loads and stores). */
  offset: number;
  /** A constant the lowering folded into a load's address (0 when none). */
  addressK: number;
  /** The lane index (extract/replace_lane, lane loads and stores). */
  lane: number;
  /** v128.const's value, or i8x16.shuffle's lane indices: 16 bytes of their own (4-byte aligned). */
  bytes: Uint8Array;
}

const NO_BYTES = new Uint8Array(16);

/** Reads the immediates of SIMD instruction `sub` (the reader is after the sub-opcode). */
export function readSimdImmediates(r: Reader, sub: number): SimdImmediates {
  const imm: SimdImmediates = { offset: 0, addressK: 0, lane: 0, bytes: NO_BYTES };
  switch (simdImmediate(sub)) {
    case SimdImm.MemArg:
      r.u32(); // alignment: a hint only
      imm.offset = r.u32();
      break;
    case SimdImm.MemArgLane:
      r.u32();
      imm.offset = r.u32();
      imm.lane = r.u8();
      break;
    case SimdImm.Lane:
      imm.lane = r.u8();
      break;
    case SimdImm.Bytes16:
      imm.bytes = r.take(16).slice(); // a copy: 4-byte aligned for the Int32Array view
      break;
  }
  return imm;
}

/** Whether `sub` is a plain v128 load (its address may have a constant folded in: `addressK`). */
export function isSimdLoad(sub: number): boolean {
  return simdImmediate(sub) === SimdImm.MemArg && sub !== SimdOp.V128Store;
}

/**
 * The closure of a SIMD instruction: it takes `operands` slots (in the order they were pushed) and
 * leaves a value of type `result` (null: nothing) in slot `d`.
 */
export interface SimdClosure {
  operands: number;
  result: ValType | null;
  make(slots: number[], d: number, next: number): Op;
}

const closure = (operands: number, result: ValType | null, make: SimdClosure["make"]): SimdClosure => ({
  operands,
  result,
  make,
});

/** The closure factory for SIMD instruction `sub`, validated, with immediates `imm`. */
export function selectSimd(sub: number, mem: MemoryInst, imm: SimdImmediates): SimdClosure {
  const { offset, lane, bytes } = imm;
  switch (simdImmediate(sub)) {
    case SimdImm.MemArg:
      if (sub === SimdOp.V128Store) {
        return closure(2, null, ([a, s], _d, next) => simdStore(mem, a, s, offset, next));
      }
      return closure(1, ValType.V128, ([a], d, next) => simdLoad(sub, mem, d, a, imm.addressK, offset, next));
    case SimdImm.MemArgLane:
      if (sub >= SimdOp.V128Store8Lane) {
        return closure(2, null, ([a, s], _d, next) => simdStoreLane(sub, mem, a, s, offset, lane, next));
      }
      return closure(
        2,
        ValType.V128,
        ([a, s], d, next) => simdLoadLane(sub, mem, d, a, s, offset, lane, next),
      );
    case SimdImm.Lane: {
      const result = EXTRACT_RESULT[sub];
      if (result !== undefined) {
        return closure(1, result, ([a], d, next) => extractLane(sub, d, a, lane, next));
      }
      return closure(2, ValType.V128, ([a, x], d, next) => replaceLane(sub, d, a, x, lane, next));
    }
    case SimdImm.Bytes16:
      if (sub === SimdOp.V128Const) {
        const c = new Int32Array(bytes.buffer);
        return closure(0, ValType.V128, (_slots, d, next) => v128Const(d, c, next));
      }
      return closure(2, ValType.V128, ([a, b], d, next) => shuffle(d, a, b, bytes, next));
  }
  if (sub >= SimdOp.I8x16Splat && sub <= SimdOp.F64x2Splat) {
    return closure(1, ValType.V128, ([a], d, next) => splat(sub, d, a, next));
  }
  if (sub === SimdOp.V128AnyTrue) return closure(1, ValType.I32, ([a], d, next) => anyTrue(d, a, next));
  if (LANE_TESTS.has(sub)) return closure(1, ValType.I32, ([a], d, next) => laneTest(sub, d, a, next));
  if (sub === SimdOp.V128Bitselect) {
    return closure(3, ValType.V128, ([a, b, c], d, next) => bitselect(d, a, b, c, next));
  }
  if (SHIFTS.has(sub)) {
    const shift = sub <= SimdOp.I16x8ShrU ? narrowIntShift : wideIntShift;
    return closure(2, ValType.V128, ([a, s], d, next) => shift(sub, d, a, s, next));
  }
  if (sub === SimdOp.V128Not) return closure(1, ValType.V128, ([a], d, next) => bitwise(sub, d, a, a, next));
  const unary = FLOAT_UNARY.has(sub)
    ? floatUnary
    : NARROW_INT_UNARY.has(sub)
    ? narrowIntUnary
    : WIDE_INT_UNARY.has(sub)
    ? wideIntUnary
    : null;
  if (unary !== null) return closure(1, ValType.V128, ([a], d, next) => unary(sub, d, a, next));
  const binary = binaryFactory(sub);
  return closure(2, ValType.V128, ([a, b], d, next) => binary(sub, d, a, b, next));
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

type Binary = (op: number, d: number, a: number, b: number, next: number) => Op;

function binaryFactory(sub: number): Binary {
  if (sub === SimdOp.I8x16Swizzle) return (_op, d, a, b, next) => swizzle(d, a, b, next);
  if (sub >= SimdOp.V128And && sub <= SimdOp.V128Xor) return bitwise;
  if ((sub >= SimdOp.F32x4Eq && sub <= SimdOp.F64x2Ge) || sub >= SimdOp.F32x4Add) return floatBinary;
  if ((sub >= SimdOp.I32x4Eq && sub <= SimdOp.I32x4GeU) || sub >= SimdOp.I32x4Add) return wideIntBinary;
  return narrowIntBinary;
}
