/**
 * The instruction table of the text printer: for every opcode of Wasm 3.0 its text name, the kind of
 * immediates that follow it in the binary, and its stack effect when that is fixed (the folded form
 * needs to know how many operands an instruction takes). Opcodes are given in runs: a run starts at an
 * opcode and lists the names of consecutive opcodes, `_` marking an unassigned one.
 */

/** What follows an opcode in the binary, and so how its immediates are read and printed. */
export type Immediate =
  | "none"
  | "block" // block type: block, loop, if, try
  | "try_table" // block type, then a vector of catch clauses
  | "label"
  | "br_table"
  | "func"
  | "call_indirect" // type index, table index
  | "type"
  | "local"
  | "global"
  | "table"
  | "memory"
  | "tag"
  | "data"
  | "elem"
  | "memarg"
  | "memarg_lane"
  | "lane"
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "v128"
  | "shuffle"
  | "select_t"
  | "heap" // ref.null
  | "ref" // ref.test / ref.cast of a non-nullable reference
  | "ref_null"
  | "br_on_cast" // flags, label, two heap types
  | "type_field"
  | "type_type"
  | "type_data"
  | "type_elem"
  | "type_count" // array.new_fixed
  | "memory_init" // data index, memory index
  | "memory_copy"
  | "table_init" // element index, table index
  | "table_copy";

/** One instruction. `pops`/`pushes` are -1 when the stack effect depends on types (calls, branches…). */
export interface Instruction {
  readonly name: string;
  readonly immediate: Immediate;
  readonly pops: number;
  readonly pushes: number;
}

/** The one-byte opcodes, indexed by opcode. */
export const oneByteOps: (Instruction | undefined)[] = new Array(256);
/** The prefixed opcodes (0xfb GC, 0xfc misc, 0xfd SIMD), by prefix then sub-opcode. */
export const prefixedOps: Map<number, Map<number, Instruction>> = new Map([
  [0xfb, new Map()],
  [0xfc, new Map()],
  [0xfd, new Map()],
]);

/**
 * Adds a run: `names` (space separated) get opcodes `first`, `first + 1`, …; `effect` is "pops pushes"
 * as two digits, or "?" when it depends on types.
 */
function run(prefix: number, first: number, immediate: Immediate, effect: string, names: string): void {
  const [pops, pushes] = effect === "?" ? [-1, -1] : [Number(effect[0]), Number(effect[1])];
  let op = first;
  for (const name of names.trim().split(/\s+/)) {
    if (name !== "_") {
      const instruction = { name, immediate, pops, pushes };
      if (prefix === 0) oneByteOps[op] = instruction;
      else prefixedOps.get(prefix)!.set(op, instruction);
    }
    op++;
  }
}

// Control, parametric and variables.
run(0, 0x00, "none", "00", "unreachable nop");
run(0, 0x02, "block", "?", "block loop if");
run(0, 0x05, "none", "?", "else");
run(0, 0x06, "block", "?", "try");
run(0, 0x07, "tag", "?", "catch");
run(0, 0x08, "tag", "?", "throw");
run(0, 0x09, "label", "00", "rethrow");
run(0, 0x0a, "none", "10", "throw_ref");
run(0, 0x0b, "none", "?", "end");
run(0, 0x0c, "label", "?", "br br_if");
run(0, 0x0e, "br_table", "?", "br_table");
run(0, 0x0f, "none", "?", "return");
run(0, 0x10, "func", "?", "call");
run(0, 0x11, "call_indirect", "?", "call_indirect");
run(0, 0x12, "func", "?", "return_call");
run(0, 0x13, "call_indirect", "?", "return_call_indirect");
run(0, 0x14, "type", "?", "call_ref return_call_ref");
run(0, 0x18, "label", "?", "delegate");
run(0, 0x19, "none", "?", "catch_all");
run(0, 0x1a, "none", "10", "drop");
run(0, 0x1b, "none", "31", "select");
run(0, 0x1c, "select_t", "31", "select");
run(0, 0x1f, "try_table", "?", "try_table");
run(0, 0x20, "local", "01", "local.get");
run(0, 0x21, "local", "10", "local.set");
run(0, 0x22, "local", "11", "local.tee");
run(0, 0x23, "global", "01", "global.get");
run(0, 0x24, "global", "10", "global.set");
run(0, 0x25, "table", "11", "table.get");
run(0, 0x26, "table", "20", "table.set");

// Memory.
run(
  0,
  0x28,
  "memarg",
  "11",
  `i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u
   i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u`,
);
run(
  0,
  0x36,
  "memarg",
  "20",
  "i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32",
);
run(0, 0x3f, "memory", "01", "memory.size");
run(0, 0x40, "memory", "11", "memory.grow");

// Numeric.
run(0, 0x41, "i32", "01", "i32.const");
run(0, 0x42, "i64", "01", "i64.const");
run(0, 0x43, "f32", "01", "f32.const");
run(0, 0x44, "f64", "01", "f64.const");
run(0, 0x45, "none", "11", "i32.eqz");
run(
  0,
  0x46,
  "none",
  "21",
  "i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u",
);
run(0, 0x50, "none", "11", "i64.eqz");
run(
  0,
  0x51,
  "none",
  "21",
  "i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u",
);
run(
  0,
  0x5b,
  "none",
  "21",
  "f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f64.eq f64.ne f64.lt f64.gt f64.le f64.ge",
);
run(0, 0x67, "none", "11", "i32.clz i32.ctz i32.popcnt");
run(
  0,
  0x6a,
  "none",
  "21",
  `i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u i32.and i32.or i32.xor
   i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr`,
);
run(0, 0x79, "none", "11", "i64.clz i64.ctz i64.popcnt");
run(
  0,
  0x7c,
  "none",
  "21",
  `i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u i64.and i64.or i64.xor
   i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr`,
);
run(0, 0x8b, "none", "11", "f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt");
run(0, 0x92, "none", "21", "f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign");
run(0, 0x99, "none", "11", "f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt");
run(0, 0xa0, "none", "21", "f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign");
run(
  0,
  0xa7,
  "none",
  "11",
  `i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
   i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
   f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
   f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
   i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
   i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s`,
);

// References.
run(0, 0xd0, "heap", "01", "ref.null");
run(0, 0xd1, "none", "11", "ref.is_null");
run(0, 0xd2, "func", "01", "ref.func");
run(0, 0xd3, "none", "21", "ref.eq");
run(0, 0xd4, "none", "11", "ref.as_non_null");
run(0, 0xd5, "label", "?", "br_on_null br_on_non_null");

// 0xfb: GC.
run(0xfb, 0, "type", "?", "struct.new");
run(0xfb, 1, "type", "01", "struct.new_default");
run(0xfb, 2, "type_field", "11", "struct.get struct.get_s struct.get_u");
run(0xfb, 5, "type_field", "20", "struct.set");
run(0xfb, 6, "type", "21", "array.new");
run(0xfb, 7, "type", "11", "array.new_default");
run(0xfb, 8, "type_count", "?", "array.new_fixed");
run(0xfb, 9, "type_data", "21", "array.new_data");
run(0xfb, 10, "type_elem", "21", "array.new_elem");
run(0xfb, 11, "type", "21", "array.get array.get_s array.get_u");
run(0xfb, 14, "type", "30", "array.set");
run(0xfb, 15, "none", "11", "array.len");
run(0xfb, 16, "type", "40", "array.fill");
run(0xfb, 17, "type_type", "50", "array.copy");
run(0xfb, 18, "type_data", "40", "array.init_data");
run(0xfb, 19, "type_elem", "40", "array.init_elem");
run(0xfb, 20, "ref", "11", "ref.test");
run(0xfb, 21, "ref_null", "11", "ref.test");
run(0xfb, 22, "ref", "11", "ref.cast");
run(0xfb, 23, "ref_null", "11", "ref.cast");
run(0xfb, 24, "br_on_cast", "?", "br_on_cast br_on_cast_fail");
run(0xfb, 26, "none", "11", "any.convert_extern extern.convert_any ref.i31 i31.get_s i31.get_u");

// 0xfc: saturating truncation, bulk memory and tables.
run(
  0xfc,
  0,
  "none",
  "11",
  `i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
   i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`,
);
run(0xfc, 8, "memory_init", "30", "memory.init");
run(0xfc, 9, "data", "00", "data.drop");
run(0xfc, 10, "memory_copy", "30", "memory.copy");
run(0xfc, 11, "memory", "30", "memory.fill");
run(0xfc, 12, "table_init", "30", "table.init");
run(0xfc, 13, "elem", "00", "elem.drop");
run(0xfc, 14, "table_copy", "30", "table.copy");
run(0xfc, 15, "table", "21", "table.grow");
run(0xfc, 16, "table", "01", "table.size");
run(0xfc, 17, "table", "30", "table.fill");

// 0xfd: SIMD.
run(
  0xfd,
  0x00,
  "memarg",
  "11",
  `v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s
   v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat`,
);
run(0xfd, 0x0b, "memarg", "20", "v128.store");
run(0xfd, 0x0c, "v128", "01", "v128.const");
run(0xfd, 0x0d, "shuffle", "21", "i8x16.shuffle");
run(0xfd, 0x0e, "none", "21", "i8x16.swizzle");
run(0xfd, 0x0f, "none", "11", "i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat");
run(0xfd, 0x15, "lane", "11", "i8x16.extract_lane_s i8x16.extract_lane_u");
run(0xfd, 0x17, "lane", "21", "i8x16.replace_lane");
run(0xfd, 0x18, "lane", "11", "i16x8.extract_lane_s i16x8.extract_lane_u");
run(0xfd, 0x1a, "lane", "21", "i16x8.replace_lane");
run(0xfd, 0x1b, "lane", "11", "i32x4.extract_lane");
run(0xfd, 0x1c, "lane", "21", "i32x4.replace_lane");
run(0xfd, 0x1d, "lane", "11", "i64x2.extract_lane");
run(0xfd, 0x1e, "lane", "21", "i64x2.replace_lane");
run(0xfd, 0x1f, "lane", "11", "f32x4.extract_lane");
run(0xfd, 0x20, "lane", "21", "f32x4.replace_lane");
run(0xfd, 0x21, "lane", "11", "f64x2.extract_lane");
run(0xfd, 0x22, "lane", "21", "f64x2.replace_lane");
run(
  0xfd,
  0x23,
  "none",
  "21",
  `i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
   i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
   i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
   f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
   f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge`,
);
run(0xfd, 0x4d, "none", "11", "v128.not");
run(0xfd, 0x4e, "none", "21", "v128.and v128.andnot v128.or v128.xor");
run(0xfd, 0x52, "none", "31", "v128.bitselect");
run(0xfd, 0x53, "none", "11", "v128.any_true");
run(0xfd, 0x54, "memarg_lane", "21", "v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane");
run(
  0xfd,
  0x58,
  "memarg_lane",
  "20",
  "v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane",
);
run(0xfd, 0x5c, "memarg", "11", "v128.load32_zero v128.load64_zero");
run(
  0xfd,
  0x5e,
  "none",
  "11",
  `f32x4.demote_f64x2_zero f64x2.promote_low_f32x4 i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true
   i8x16.bitmask`,
);
run(0xfd, 0x65, "none", "21", "i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u");
run(0xfd, 0x67, "none", "11", "f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest");
run(
  0xfd,
  0x6b,
  "none",
  "21",
  "i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s",
);
run(0xfd, 0x73, "none", "21", "i8x16.sub_sat_u");
run(0xfd, 0x74, "none", "11", "f64x2.ceil f64x2.floor");
run(0xfd, 0x76, "none", "21", "i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u");
run(0xfd, 0x7a, "none", "11", "f64x2.trunc");
run(0xfd, 0x7b, "none", "21", "i8x16.avgr_u");
run(
  0xfd,
  0x7c,
  "none",
  "11",
  `i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s
   i32x4.extadd_pairwise_i16x8_u i16x8.abs i16x8.neg`,
);
run(0xfd, 0x82, "none", "21", "i16x8.q15mulr_sat_s");
run(0xfd, 0x83, "none", "11", "i16x8.all_true i16x8.bitmask");
run(0xfd, 0x85, "none", "21", "i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u");
run(
  0xfd,
  0x87,
  "none",
  "11",
  "i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u",
);
run(
  0xfd,
  0x8b,
  "none",
  "21",
  "i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub i16x8.sub_sat_s",
);
run(0xfd, 0x93, "none", "21", "i16x8.sub_sat_u");
run(0xfd, 0x94, "none", "11", "f64x2.nearest");
run(
  0xfd,
  0x95,
  "none",
  "21",
  `i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u _ i16x8.avgr_u
   i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u`,
);
run(0xfd, 0xa0, "none", "11", "i32x4.abs i32x4.neg _ i32x4.all_true i32x4.bitmask");
run(
  0xfd,
  0xa7,
  "none",
  "11",
  "i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u",
);
run(
  0xfd,
  0xab,
  "none",
  "21",
  `i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add _ _ i32x4.sub _ _ _ i32x4.mul i32x4.min_s i32x4.min_u
   i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s _ i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s
   i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u`,
);
run(0xfd, 0xc0, "none", "11", "i64x2.abs i64x2.neg _ i64x2.all_true i64x2.bitmask");
run(
  0xfd,
  0xc7,
  "none",
  "11",
  "i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u",
);
run(
  0xfd,
  0xcb,
  "none",
  "21",
  `i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add _ _ i64x2.sub _ _ _ i64x2.mul i64x2.eq i64x2.ne
   i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s
   i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u`,
);
run(0xfd, 0xe0, "none", "11", "f32x4.abs f32x4.neg _ f32x4.sqrt");
run(
  0xfd,
  0xe4,
  "none",
  "21",
  "f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin f32x4.pmax",
);
run(0xfd, 0xec, "none", "11", "f64x2.abs f64x2.neg _ f64x2.sqrt");
run(
  0xfd,
  0xf0,
  "none",
  "21",
  "f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin f64x2.pmax",
);
run(
  0xfd,
  0xf8,
  "none",
  "11",
  `i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
   i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s
   f64x2.convert_low_i32x4_u`,
);
// Relaxed SIMD.
run(0xfd, 0x100, "none", "21", "i8x16.relaxed_swizzle");
run(
  0xfd,
  0x101,
  "none",
  "11",
  `i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u i32x4.relaxed_trunc_f64x2_s_zero
   i32x4.relaxed_trunc_f64x2_u_zero`,
);
run(
  0xfd,
  0x105,
  "none",
  "31",
  `f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
   i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect`,
);
run(
  0xfd,
  0x10d,
  "none",
  "21",
  `f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max i16x8.relaxed_q15mulr_s
   i16x8.relaxed_dot_i8x16_i7x16_s`,
);
run(0xfd, 0x113, "none", "31", "i32x4.relaxed_dot_i8x16_i7x16_add_s");

const alignments = new Map<string, number>();

/**
 * The natural alignment (log2 of bytes) of a memory instruction, which the text leaves out: the access
 * width in its name (`load8`, `store32`, `load8x8`), else the width of its type.
 */
export function naturalAlignment(name: string): number {
  let align = alignments.get(name);
  if (align === undefined) {
    const lanes = /(?:load|store)(\d+)x(\d+)/.exec(name);
    const width = lanes ? Number(lanes[1]) * Number(lanes[2]) : Number(
      /(?:load|store)(\d+)/.exec(name)?.[1] ?? (name.startsWith("v128") ? 128 : name.slice(1, 3)),
    );
    align = Math.log2(width / 8);
    alignments.set(name, align);
  }
  return align;
}
