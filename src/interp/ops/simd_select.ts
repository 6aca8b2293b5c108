/**
 * Which closure factory runs SIMD instruction `sub` (the u32 after 0xfd), for both tiers: the
 * interpreter's lowering and the JS tier, for the instructions it does not emit inline, call the same
 * selection. Each tier reads the immediates (`readSimdImmediates`) and places the operands itself.
 */
import type { Reader } from "../../wasm/reader.ts";
import { readMemarg } from "../../wasm/code.ts";
import { simdMemoryOn } from "./ops_memory_wide.ts";
import { SimdImm, simdImmediate, SimdOp } from "../../wasm/opcodes.ts";
import { ValType } from "../../wasm/types.ts";
import type { Op } from "../../runtime/objects.ts";
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
import { relaxedOperands, relaxedSimd } from "./ops_simd_relaxed.ts";

/** The immediates of a SIMD instruction. */
export interface SimdImmediates {
  /** The memarg's offset (loads and stores, lane loads and stores). */
  offset: number;
  /** A constant the lowering folded into a load's address (0 when none). */
  addressK: number;
  /** The memory a load or store accesses (multiple memories). */
  memory: number;
  /** That memory has 64-bit addresses (memory64): set by the caller, which knows the module. */
  wide: boolean;
  /** The lane index (extract/replace_lane, lane loads and stores). */
  lane: number;
  /** v128.const's value, or i8x16.shuffle's lane indices: 16 bytes of their own (4-byte aligned). */
  bytes: Uint8Array;
}

const NO_BYTES = new Uint8Array(16);

/** Reads the immediates of SIMD instruction `sub` (the reader is after the sub-opcode). */
export function readSimdImmediates(r: Reader, sub: number): SimdImmediates {
  const imm: SimdImmediates = { offset: 0, addressK: 0, memory: 0, wide: false, lane: 0, bytes: NO_BYTES };
  switch (simdImmediate(sub)) {
    case SimdImm.MemArg: {
      const { memory, offset } = readMemarg(r); // the alignment is a hint only
      imm.memory = memory, imm.offset = offset;
      break;
    }
    case SimdImm.MemArgLane: {
      const { memory, offset } = readMemarg(r);
      imm.memory = memory, imm.offset = offset;
      imm.lane = r.u8();
      break;
    }
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
export function selectSimd(sub: number, imm: SimdImmediates): SimdClosure {
  const { offset, lane, bytes } = imm;
  if (sub >= SimdOp.I8x16RelaxedSwizzle) {
    return closure(
      relaxedOperands(sub),
      ValType.V128,
      ([a, b, c], d, next) => relaxedSimd(sub, d, a, b, c ?? 0, next),
    );
  }
  // An access to another memory than a 32-bit memory 0 runs the same closure on that memory.
  const on = (a: number, op: Op) =>
    imm.memory === 0 && !imm.wide ? op : simdMemoryOn(imm.memory, imm.wide, a, op);
  switch (simdImmediate(sub)) {
    case SimdImm.MemArg:
      if (sub === SimdOp.V128Store) {
        return closure(2, null, ([a, s], _d, next) => on(a, simdStore(a, s, offset, next)));
      }
      return closure(
        1,
        ValType.V128,
        ([a], d, next) => on(a, simdLoad(sub, d, a, imm.addressK, offset, next)),
      );
    case SimdImm.MemArgLane:
      if (sub >= SimdOp.V128Store8Lane) {
        return closure(2, null, ([a, s], _d, next) => on(a, simdStoreLane(sub, a, s, offset, lane, next)));
      }
      return closure(
        2,
        ValType.V128,
        ([a, s], d, next) => on(a, simdLoadLane(sub, d, a, s, offset, lane, next)),
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
  [SimdOp.I8x16ExtractLaneS]: ValType.I32,
  [SimdOp.I8x16ExtractLaneU]: ValType.I32,
  [SimdOp.I16x8ExtractLaneS]: ValType.I32,
  [SimdOp.I16x8ExtractLaneU]: ValType.I32,
  [SimdOp.I32x4ExtractLane]: ValType.I32,
  [SimdOp.I64x2ExtractLane]: ValType.I64,
  [SimdOp.F32x4ExtractLane]: ValType.F32,
  [SimdOp.F64x2ExtractLane]: ValType.F64,
};

const FLOAT_UNARY = new Set<number>([
  SimdOp.F32x4DemoteF64x2Zero,
  SimdOp.F64x2PromoteLowF32x4,
  SimdOp.F32x4Ceil,
  SimdOp.F32x4Floor,
  SimdOp.F32x4Trunc,
  SimdOp.F32x4Nearest,
  SimdOp.F64x2Ceil,
  SimdOp.F64x2Floor,
  SimdOp.F64x2Trunc,
  SimdOp.F64x2Nearest,
  SimdOp.F32x4Abs,
  SimdOp.F32x4Neg,
  SimdOp.F32x4Sqrt,
  SimdOp.F64x2Abs,
  SimdOp.F64x2Neg,
  SimdOp.F64x2Sqrt,
  SimdOp.I32x4TruncSatF32x4S,
  SimdOp.I32x4TruncSatF32x4U,
  SimdOp.F32x4ConvertI32x4S,
  SimdOp.F32x4ConvertI32x4U,
  SimdOp.I32x4TruncSatF64x2SZero,
  SimdOp.I32x4TruncSatF64x2UZero,
  SimdOp.F64x2ConvertLowI32x4S,
  SimdOp.F64x2ConvertLowI32x4U,
]);
const NARROW_INT_UNARY = new Set<number>([
  SimdOp.I8x16Abs,
  SimdOp.I8x16Neg,
  SimdOp.I8x16Popcnt,
  SimdOp.I16x8ExtaddPairwiseI8x16S,
  SimdOp.I16x8ExtaddPairwiseI8x16U,
  SimdOp.I16x8Abs,
  SimdOp.I16x8Neg,
  SimdOp.I16x8ExtendLowI8x16S,
  SimdOp.I16x8ExtendHighI8x16S,
  SimdOp.I16x8ExtendLowI8x16U,
  SimdOp.I16x8ExtendHighI8x16U,
]);
const WIDE_INT_UNARY = new Set<number>([
  SimdOp.I32x4ExtaddPairwiseI16x8S,
  SimdOp.I32x4ExtaddPairwiseI16x8U,
  SimdOp.I32x4Abs,
  SimdOp.I32x4Neg,
  SimdOp.I32x4ExtendLowI16x8S,
  SimdOp.I32x4ExtendHighI16x8S,
  SimdOp.I32x4ExtendLowI16x8U,
  SimdOp.I32x4ExtendHighI16x8U,
  SimdOp.I64x2Abs,
  SimdOp.I64x2Neg,
  SimdOp.I64x2ExtendLowI32x4S,
  SimdOp.I64x2ExtendHighI32x4S,
  SimdOp.I64x2ExtendLowI32x4U,
  SimdOp.I64x2ExtendHighI32x4U,
]);
const LANE_TESTS = new Set<number>([
  SimdOp.I8x16AllTrue,
  SimdOp.I8x16Bitmask,
  SimdOp.I16x8AllTrue,
  SimdOp.I16x8Bitmask,
  SimdOp.I32x4AllTrue,
  SimdOp.I32x4Bitmask,
  SimdOp.I64x2AllTrue,
  SimdOp.I64x2Bitmask,
]);
const SHIFTS = new Set<number>([
  SimdOp.I8x16Shl,
  SimdOp.I8x16ShrS,
  SimdOp.I8x16ShrU,
  SimdOp.I16x8Shl,
  SimdOp.I16x8ShrS,
  SimdOp.I16x8ShrU,
  SimdOp.I32x4Shl,
  SimdOp.I32x4ShrS,
  SimdOp.I32x4ShrU,
  SimdOp.I64x2Shl,
  SimdOp.I64x2ShrS,
  SimdOp.I64x2ShrU,
]);

type Binary = (op: number, d: number, a: number, b: number, next: number) => Op;

function binaryFactory(sub: number): Binary {
  if (sub === SimdOp.I8x16Swizzle) return (_op, d, a, b, next) => swizzle(d, a, b, next);
  if (sub >= SimdOp.V128And && sub <= SimdOp.V128Xor) return bitwise;
  if ((sub >= SimdOp.F32x4Eq && sub <= SimdOp.F64x2Ge) || sub >= SimdOp.F32x4Add) return floatBinary;
  if ((sub >= SimdOp.I32x4Eq && sub <= SimdOp.I32x4GeU) || sub >= SimdOp.I32x4Add) return wideIntBinary;
  return narrowIntBinary;
}
