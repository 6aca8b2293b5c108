/**
 * The names of the closure forms the interpreter's lowering makes (see "observability" in
 * lower.ts): each fused factory's name plus what selects its closure, e.g.
 * `loadCompareBranch:lt_u:imm`, and the list of every fused form there is. Used only when someone
 * asks which forms a function got (tests, the fuzzer's census); the lowering itself never needs it.
 */
import { ShiftKind } from "./ops/ops_i64.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";

let opNameTable: Record<number, string> | null = null;

/** Wasm names of the memory opcodes 0x28..0x3e and of the numeric ones 0x45..0xc4 (built on first use). */
export function opNames(): Record<number, string> {
  if (opNameTable) return opNameTable;
  const names: Record<number, string> = {};
  const add = (first: number, list: string) => list.split(" ").forEach((n, i) => (names[first + i] = n));
  add(
    Opcode.I32Load,
    "i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u i64.load8_s " +
      "i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u i32.store i64.store f32.store " +
      "f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32",
  );
  const cmp = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u";
  const fcmp = "eq ne lt gt le ge";
  const bits = "add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr";
  const fl = "abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign";
  const pre = (t: string, list: string) => list.split(" ").map((n) => `${t}.${n}`).join(" ");
  add(
    Opcode.I32Eqz,
    `i32.eqz ${pre("i32", cmp)} i64.eqz ${pre("i64", cmp)} ${pre("f32", fcmp)} ${pre("f64", fcmp)}`,
  );
  add(Opcode.I32Clz, `${pre("i32", `clz ctz popcnt ${bits}`)} ${pre("i64", `clz ctz popcnt ${bits}`)}`);
  add(Opcode.F32Abs, `${pre("f32", fl)} ${pre("f64", fl)}`);
  add(
    Opcode.I32WrapI64,
    "i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.extend_i32_s " +
      "i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u f32.convert_i32_s " +
      "f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64 f64.convert_i32_s " +
      "f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32 i32.reinterpret_f32 " +
      "i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64 i32.extend8_s i32.extend16_s " +
      "i64.extend8_s i64.extend16_s i64.extend32_s",
  );
  return (opNameTable = names);
}

/** `i32.lt_u` → `lt_u`: the operator part of an opcode's name. */
export function opName(op: number): string {
  const n = opNames()[op];
  return n.slice(n.indexOf(".") + 1);
}

/** How a fused closure takes its second operand: an immediate or a register (slot). */
export const imm = (isImm: boolean): string => (isImm ? "imm" : "reg");

/** The closure `i64BinaryConst` picks for a constant shift or rotation: by the amount's range. */
export function i64ShiftForm(op: number, lo: number): string {
  const k = lo & 63;
  const range = k === 0 ? "0" : k < 32 ? "lt32" : op < Opcode.I64Rotl ? "ge32" : k === 32 ? "32" : "gt32";
  return `i64BinaryConst:${opName(op)}:${range}`;
}

/** The closure `i64XorShift` picks: a plain xor, or a shift right/left by less than 32 or more. */
export function i64XorShiftForm(kind: ShiftKind, k: number, multiply: boolean): string {
  k &= 63;
  const shift = kind === ShiftKind.None || k === 0
    ? "none"
    : `${kind === ShiftKind.Right ? "shr_u" : "shl"}:${k < 32 ? "lt32" : "ge32"}`;
  return `i64XorShift:${multiply ? "xormul" : "xor"}:${shift}`;
}

let fusedList: readonly string[] | null = null;

/**
 * Every fused or specialised form the lowering can produce (built on first use): each names one
 * closure of a fused factory (for the i64 constant forms and shiftThenBinary, one per input
 * opcode the lowering maps onto it). The tests in tests/fused_forms_test.ts produce and run each.
 */
export function allFusedForms(): readonly string[] {
  if (fusedList) return fusedList;
  const list: string[] = [];
  const cmps = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u".split(" ");
  const ir = ["imm", "reg"];
  const logic = ["add", "and", "or", "xor"];
  for (const c of cmps) {
    for (const m of ir) list.push(`i32CompareBranch:${c}:${m}`, `loadCompareBranch:${c}:${m}`);
  }
  list.push("branchIf:eqz", "addImm2");
  for (const a of ir) for (const c of cmps) for (const m of ir) list.push(`addCompareBranch:${a}:${c}:${m}`);
  for (const sh of ["shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    for (const op of logic) list.push(`shiftThenBinary:${sh}:${op}`);
  }
  for (const op1 of logic) {
    for (const op2 of logic) for (const m of ir) list.push(`binaryThenBinary:${op1}:${op2}:${m}`);
  }
  for (const op of [...cmps, "add", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    list.push(`i32BinaryImm:${op}`);
  }
  list.push("i64BinaryConst:mul");
  for (const sh of ["shl", "shr_s", "shr_u"]) {
    for (const r of ["0", "lt32", "ge32"]) list.push(`i64BinaryConst:${sh}:${r}`);
  }
  for (const sh of ["rotl", "rotr"]) {
    for (const r of ["0", "lt32", "32", "gt32"]) list.push(`i64BinaryConst:${sh}:${r}`);
  }
  for (const mul of ["xor", "xormul"]) {
    for (const s of ["none", "shr_u:lt32", "shr_u:ge32", "shl:lt32", "shl:ge32"]) {
      list.push(`i64XorShift:${mul}:${s}`);
    }
  }
  for (const op1 of ["add", "sub", "mul"]) {
    for (const op2 of ["add", "sub", "rsub", "mul"]) list.push(`f64BinaryThenBinary:${op1}:${op2}`);
  }
  for (const t of ["f32", "f64"]) {
    for (const op of ["add", "sub", "mul", "div"]) {
      list.push(`${t}StoreBinary:${op}`);
      for (const side of ["left", "right"]) {
        list.push(`${t}BinaryMem:${op}:${side}`, `${t}ReadModifyWrite:${op}:${side}`);
      }
    }
    // Only the add form: the lowering never meets `c[i] - y * b[j]` with c's load on the left of the
    // subtraction still held back (the multiply's own load flushes it), so `…:sub` is never made.
    list.push(`mulAddReadModifyWrite:${t}:add`);
  }
  for (let op = Opcode.I32Load; op <= Opcode.I64Load32U; op++) list.push(`load:${opNames()[op]}:folded`);
  for (let op = Opcode.I32Store; op <= Opcode.I64Store32; op++) list.push(`store:${opNames()[op]}:folded`);
  for (const op of [Opcode.I32Load, Opcode.F64Load, Opcode.I32Load8U]) {
    list.push(`loadIndexed:${opNames()[op]}`);
  }
  for (let n = 2; n <= 4; n++) list.push(`copyManyOp:${n}`);
  list.push("simdLoad:folded");
  return (fusedList = list);
}
