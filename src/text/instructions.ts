/**
 * The instruction table: every instruction name of Wasm 3.0 text → its opcode (with prefix) and the
 * kind of immediates it takes. Sequences of opcodes are listed in opcode order, so a gap or slip shows.
 */

/** The immediates an instruction takes (and, for control instructions, its structure). */
export const enum Imm {
  None,
  Block,
  Loop,
  If,
  Else,
  End,
  TryTable,
  Try,
  Catch,
  CatchAll,
  Delegate,
  /** One label: br, br_if, br_on_null, br_on_non_null, rethrow. */
  Label,
  BrTable,
  /** A function index: call, return_call, ref.func. */
  Func,
  /** Optional table index, then a type use. */
  CallIndirect,
  /** A type index: call_ref, struct.new, array.get… */
  Type,
  /** A type index and a field index. */
  StructField,
  /** A type index and a count. */
  ArrayFixed,
  /** A type index and a data index. */
  ArrayData,
  /** A type index and an element index. */
  ArrayElem,
  /** Two type indices. */
  ArrayCopy,
  /** A label and two reference types. */
  BrOnCast,
  /** A reference type (`ref.test`, `ref.cast`: the opcode after the prefix depends on its nullability). */
  RefTest,
  /** A heap type. */
  RefNull,
  Select,
  Local,
  Global,
  /** An optional table index. */
  Table,
  TableCopy,
  TableInit,
  Elem,
  /** An optional memory index. */
  Memory,
  MemoryCopy,
  MemoryInit,
  Data,
  /** Optional memory index and a memarg. */
  MemArg,
  /** Optional memory index, a memarg and a lane index. */
  MemArgLane,
  I32,
  I64,
  F32,
  F64,
  V128,
  Shuffle,
  /** A lane index. */
  Lane,
  Tag,
}

/** One instruction's encoding. */
export interface Instr {
  imm: Imm;
  /** The prefix byte (0xfb, 0xfc, 0xfd), or -1 for a one-byte opcode. */
  prefix: number;
  /** The opcode, or the sub-opcode after the prefix. */
  code: number;
  /** For memory instructions: log2 of the natural alignment. */
  align: number;
}

/** Every instruction by name. */
export const INSTRUCTIONS: Map<string, Instr> = new Map();

function add(name: string, imm: Imm, code: number, prefix = -1, align = 0): void {
  INSTRUCTIONS.set(name, { imm, prefix, code, align });
}

/** Adds names with consecutive opcodes from `first`; "-" marks an unused opcode. */
function run(first: number, names: string, imm = Imm.None, prefix = -1): void {
  names.trim().split(/\s+/).forEach((name, i) => {
    if (name !== "-") add(name, imm, first + i, prefix);
  });
}

/** Adds `type.op` for each op, as one consecutive run. */
function family(first: number, type: string, ops: string, prefix = -1): void {
  run(
    first,
    ops.trim().split(/\s+/).map((op) => (op === "-" ? "-" : `${type}.${op}`)).join(" "),
    Imm.None,
    prefix,
  );
}

// Control.
add("unreachable", Imm.None, 0x00);
add("nop", Imm.None, 0x01);
add("block", Imm.Block, 0x02);
add("loop", Imm.Loop, 0x03);
add("if", Imm.If, 0x04);
add("else", Imm.Else, 0x05);
add("try", Imm.Try, 0x06);
add("catch", Imm.Catch, 0x07);
add("throw", Imm.Tag, 0x08);
add("rethrow", Imm.Label, 0x09);
add("throw_ref", Imm.None, 0x0a);
add("end", Imm.End, 0x0b);
add("br", Imm.Label, 0x0c);
add("br_if", Imm.Label, 0x0d);
add("br_table", Imm.BrTable, 0x0e);
add("return", Imm.None, 0x0f);
add("call", Imm.Func, 0x10);
add("call_indirect", Imm.CallIndirect, 0x11);
add("return_call", Imm.Func, 0x12);
add("return_call_indirect", Imm.CallIndirect, 0x13);
add("call_ref", Imm.Type, 0x14);
add("return_call_ref", Imm.Type, 0x15);
add("delegate", Imm.Delegate, 0x18);
add("catch_all", Imm.CatchAll, 0x19);
add("drop", Imm.None, 0x1a);
add("select", Imm.Select, 0x1b);
add("try_table", Imm.TryTable, 0x1f);
add("local.get", Imm.Local, 0x20);
add("local.set", Imm.Local, 0x21);
add("local.tee", Imm.Local, 0x22);
add("global.get", Imm.Global, 0x23);
add("global.set", Imm.Global, 0x24);
add("table.get", Imm.Table, 0x25);
add("table.set", Imm.Table, 0x26);

// Memory: name and natural alignment, from 0x28.
const memoryOps: [string, number][] = [
  ["i32.load", 2],
  ["i64.load", 3],
  ["f32.load", 2],
  ["f64.load", 3],
  ["i32.load8_s", 0],
  ["i32.load8_u", 0],
  ["i32.load16_s", 1],
  ["i32.load16_u", 1],
  ["i64.load8_s", 0],
  ["i64.load8_u", 0],
  ["i64.load16_s", 1],
  ["i64.load16_u", 1],
  ["i64.load32_s", 2],
  ["i64.load32_u", 2],
  ["i32.store", 2],
  ["i64.store", 3],
  ["f32.store", 2],
  ["f64.store", 3],
  ["i32.store8", 0],
  ["i32.store16", 1],
  ["i64.store8", 0],
  ["i64.store16", 1],
  ["i64.store32", 2],
];
memoryOps.forEach(([name, align], i) => add(name, Imm.MemArg, 0x28 + i, -1, align));
add("memory.size", Imm.Memory, 0x3f);
add("memory.grow", Imm.Memory, 0x40);
add("i32.const", Imm.I32, 0x41);
add("i64.const", Imm.I64, 0x42);
add("f32.const", Imm.F32, 0x43);
add("f64.const", Imm.F64, 0x44);

// Numeric, 0x45–0xc4.
family(0x45, "i32", "eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u");
family(0x50, "i64", "eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u");
family(0x5b, "f32", "eq ne lt gt le ge");
family(0x61, "f64", "eq ne lt gt le ge");
const intArith = "clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr";
family(0x67, "i32", intArith);
family(0x79, "i64", intArith);
const floatArith = "abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign";
family(0x8b, "f32", floatArith);
family(0x99, "f64", floatArith);
run(
  0xa7,
  `i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
   i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
   f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
   f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
   i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
   i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s`,
);

// References.
add("ref.null", Imm.RefNull, 0xd0);
add("ref.is_null", Imm.None, 0xd1);
add("ref.func", Imm.Func, 0xd2);
add("ref.eq", Imm.None, 0xd3);
add("ref.as_non_null", Imm.None, 0xd4);
add("br_on_null", Imm.Label, 0xd5);
add("br_on_non_null", Imm.Label, 0xd6);

// GC (0xfb).
const GC = 0xfb;
add("struct.new", Imm.Type, 0, GC);
add("struct.new_default", Imm.Type, 1, GC);
add("struct.get", Imm.StructField, 2, GC);
add("struct.get_s", Imm.StructField, 3, GC);
add("struct.get_u", Imm.StructField, 4, GC);
add("struct.set", Imm.StructField, 5, GC);
add("array.new", Imm.Type, 6, GC);
add("array.new_default", Imm.Type, 7, GC);
add("array.new_fixed", Imm.ArrayFixed, 8, GC);
add("array.new_data", Imm.ArrayData, 9, GC);
add("array.new_elem", Imm.ArrayElem, 10, GC);
add("array.get", Imm.Type, 11, GC);
add("array.get_s", Imm.Type, 12, GC);
add("array.get_u", Imm.Type, 13, GC);
add("array.set", Imm.Type, 14, GC);
add("array.len", Imm.None, 15, GC);
add("array.fill", Imm.Type, 16, GC);
add("array.copy", Imm.ArrayCopy, 17, GC);
add("array.init_data", Imm.ArrayData, 18, GC);
add("array.init_elem", Imm.ArrayElem, 19, GC);
add("ref.test", Imm.RefTest, 20, GC);
add("ref.cast", Imm.RefTest, 22, GC);
add("br_on_cast", Imm.BrOnCast, 24, GC);
add("br_on_cast_fail", Imm.BrOnCast, 25, GC);
add("any.convert_extern", Imm.None, 26, GC);
add("extern.convert_any", Imm.None, 27, GC);
add("ref.i31", Imm.None, 28, GC);
add("i31.get_s", Imm.None, 29, GC);
add("i31.get_u", Imm.None, 30, GC);

// Saturating truncations and bulk memory/tables (0xfc).
const FC = 0xfc;
run(
  0,
  `i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
   i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`,
  Imm.None,
  FC,
);
add("memory.init", Imm.MemoryInit, 8, FC);
add("data.drop", Imm.Data, 9, FC);
add("memory.copy", Imm.MemoryCopy, 10, FC);
add("memory.fill", Imm.Memory, 11, FC);
add("table.init", Imm.TableInit, 12, FC);
add("elem.drop", Imm.Elem, 13, FC);
add("table.copy", Imm.TableCopy, 14, FC);
add("table.grow", Imm.Table, 15, FC);
add("table.size", Imm.Table, 16, FC);
add("table.fill", Imm.Table, 17, FC);

// SIMD (0xfd).
const SIMD = 0xfd;
const simdMemory: [string, number, number][] = [
  ["v128.load", 0, 4],
  ["v128.load8x8_s", 1, 3],
  ["v128.load8x8_u", 2, 3],
  ["v128.load16x4_s", 3, 3],
  ["v128.load16x4_u", 4, 3],
  ["v128.load32x2_s", 5, 3],
  ["v128.load32x2_u", 6, 3],
  ["v128.load8_splat", 7, 0],
  ["v128.load16_splat", 8, 1],
  ["v128.load32_splat", 9, 2],
  ["v128.load64_splat", 10, 3],
  ["v128.store", 11, 4],
  ["v128.load32_zero", 92, 2],
  ["v128.load64_zero", 93, 3],
];
for (const [name, code, align] of simdMemory) add(name, Imm.MemArg, code, SIMD, align);
add("v128.const", Imm.V128, 12, SIMD);
add("i8x16.shuffle", Imm.Shuffle, 13, SIMD);
add("i8x16.swizzle", Imm.None, 14, SIMD);
run(15, "i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat", Imm.None, SIMD);
run(
  21,
  `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u
   i16x8.replace_lane i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane
   f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`,
  Imm.Lane,
  SIMD,
);
const intCompare = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u";
family(35, "i8x16", intCompare, SIMD);
family(45, "i16x8", intCompare, SIMD);
family(55, "i32x4", intCompare, SIMD);
family(65, "f32x4", "eq ne lt gt le ge", SIMD);
family(71, "f64x2", "eq ne lt gt le ge", SIMD);
family(77, "v128", "not and andnot or xor bitselect any_true", SIMD);
[["v128.load8_lane", 0], ["v128.load16_lane", 1], ["v128.load32_lane", 2], ["v128.load64_lane", 3]].forEach(
  ([name, align], i) => add(name as string, Imm.MemArgLane, 84 + i, SIMD, align as number),
);
[["v128.store8_lane", 0], ["v128.store16_lane", 1], ["v128.store32_lane", 2], ["v128.store64_lane", 3]]
  .forEach(
    ([name, align], i) => add(name as string, Imm.MemArgLane, 88 + i, SIMD, align as number),
  );
run(
  94,
  `f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
   i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
   f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
   i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s
   i8x16.sub_sat_u f64x2.ceil f64x2.floor i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc
   i8x16.avgr_u i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s
   i32x4.extadd_pairwise_i16x8_u
   i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask i16x8.narrow_i32x4_s
   i16x8.narrow_i32x4_u i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u
   i16x8.extend_high_i8x16_u i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u
   i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s
   i16x8.max_u - i16x8.avgr_u i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u
   i16x8.extmul_high_i8x16_u
   i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - - i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s
   i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - -
   i32x4.sub - - - i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
   i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
   i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - - i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s
   i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - -
   i64x2.sub - - - i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
   i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
   f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin
   f32x4.pmax f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max
   f64x2.pmin f64x2.pmax i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s
   f32x4.convert_i32x4_u i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s
   f64x2.convert_low_i32x4_u`,
  Imm.None,
  SIMD,
);
// Relaxed SIMD.
run(
  0x100,
  `i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
   i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero f32x4.relaxed_madd f32x4.relaxed_nmadd
   f64x2.relaxed_madd f64x2.relaxed_nmadd i8x16.relaxed_laneselect i16x8.relaxed_laneselect
   i32x4.relaxed_laneselect i64x2.relaxed_laneselect f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min
   f64x2.relaxed_max i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s
   i32x4.relaxed_dot_i8x16_i7x16_add_s`,
  Imm.None,
  SIMD,
);
