/**
 * Lowering of the numeric instructions (0x45..0xc4): comparisons, arithmetic and conversions, and the
 * fusions that fold an instruction into its neighbours (two i32 or f64 operations into one closure, a
 * load into float arithmetic, a multiply into a read-modify-write, constant shifts), over the state of
 * the lowering in lower.ts.
 */
import { ValType } from "../wasm/types.ts";
import type { Op } from "../runtime/objects.ts";
import {
  binaryThenBinary,
  i32Binary,
  i32BinaryImm,
  i32HasImm,
  i32Unary,
  shiftThenBinary,
} from "./ops/ops_i32.ts";
import { i64Binary, i64BinaryConst, i64Unary, i64XorShift, ShiftKind } from "./ops/ops_i64.ts";
import { f32Op, f64BinaryThenBinary, f64Op } from "./ops/ops_float.ts";
import { convert } from "./ops/ops_convert.ts";
import { f32BinaryMem, f64BinaryMem, mulAddReadModifyWrite } from "./ops/ops_memory.ts";
import { CONVERT_RESULT } from "../wasm/code.ts";
import { i64ShiftForm, i64XorShiftForm, opName, opNames } from "./forms.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";
import {
  COMMUTATIVE_I32,
  counts,
  isAddImm,
  Kind,
  type LoweringState,
  NO_EXTRA,
  type Pending,
  type PendingBinary,
  SWAPPED_COMPARE,
  tag,
} from "./lowering_state.ts";

export function numeric(l: LoweringState, op: number): void {
  if (op === Opcode.I32Eqz) { // i32.eqz
    const a = l.popSlot();
    return l.emitValue(
      ValType.I32,
      tag(counts && "i32Unary:i32.eqz", (d, next) => i32Unary(op, d, a, next)),
      { op, a, b: 0, imm: false },
    );
  }
  if (op >= Opcode.I32Eq && op <= Opcode.I32GeU) return lowerI32Binary(l, op, true);
  if (op >= Opcode.I32Clz && op <= Opcode.I32Popcnt) return unary(l, op, ValType.I32, i32Unary, "i32Unary");
  if (op >= Opcode.I32Add && op <= Opcode.I32Rotr) return lowerI32Binary(l, op, false);
  if (op === Opcode.I64Eqz) return unary(l, op, ValType.I32, i64Unary, "i64Unary");
  if (op >= Opcode.I64Eq && op <= Opcode.I64GeU) return binary(l, op, ValType.I32, i64Binary, "i64Binary");
  if (op >= Opcode.F32Eq && op <= Opcode.F32Ge) return binary(l, op, ValType.I32, f32Op, "f32Op");
  if (op >= Opcode.F64Eq && op <= Opcode.F64Ge) return binary(l, op, ValType.I32, f64Op, "f64Op");
  if (op >= Opcode.I64Clz && op <= Opcode.I64Popcnt) return unary(l, op, ValType.I64, i64Unary, "i64Unary");
  if (op >= Opcode.I64Add && op <= Opcode.I64Rotr) return lowerI64Binary(l, op);
  if (op >= Opcode.F32Abs && op <= Opcode.F32Sqrt) {
    return unary(l, op, ValType.F32, (o, d, a, n) => f32Op(o, d, a, a, n), "f32Op");
  }
  if (op >= Opcode.F32Add && op <= Opcode.F32Copysign) return binary(l, op, ValType.F32, f32Op, "f32Op");
  if (op >= Opcode.F64Abs && op <= Opcode.F64Sqrt) {
    return unary(l, op, ValType.F64, (o, d, a, n) => f64Op(o, d, a, a, n), "f64Op");
  }
  if (op >= Opcode.F64Add && op <= Opcode.F64Copysign) return binary(l, op, ValType.F64, f64Op, "f64Op");
  switch (op) {
    case Opcode.I32WrapI64:
      return unary(l, op, ValType.I32, i64Unary, "i64Unary");
    case Opcode.I64ExtendI32S:
    case Opcode.I64ExtendI32U:
    case Opcode.I64Extend8S:
    case Opcode.I64Extend16S:
    case Opcode.I64Extend32S:
      return unary(l, op, ValType.I64, i64Unary, "i64Unary");
    case Opcode.I32Extend8S:
    case Opcode.I32Extend16S:
      return unary(l, op, ValType.I32, i32Unary, "i32Unary");
    // Reinterpretations: the bits stay, only the type changes.
    case Opcode.I32ReinterpretF32:
      return retype(l, ValType.I32);
    case Opcode.I64ReinterpretF64:
      return retype(l, ValType.I64);
    case Opcode.F32ReinterpretI32:
      return retype(l, ValType.F32);
    case Opcode.F64ReinterpretI64:
      return retype(l, ValType.F64);
  }
  if (op >= Opcode.I32TruncF32S && op <= Opcode.F64PromoteF32) {
    const result = CONVERT_RESULT[op - Opcode.I32TruncF32S];
    return unary(l, op, result, (o, d, a, n) => convert(o, d, a, n), "convert");
  }
  throw new Error(`lowering: unknown opcode 0x${op.toString(16)} at ${l.at}`);
}

export function retype(l: LoweringState, t: ValType): void {
  l.type[l.h - 1] = t; // a constant keeps its bits, a slot keeps its contents
}

/** A unary op from `make` (the factory named `factory`, for the form census). */
export function unary(
  l: LoweringState,
  op: number,
  result: ValType,
  make: (op: number, d: number, a: number, next: number) => Op,
  factory: string,
  form: string | null = counts && `${factory}:${opNames()[op]}`,
): void {
  const a = l.popSlot();
  l.emitValue(result, tag(form, (d, next) => make(op, d, a, next)));
}

export function binary(
  l: LoweringState,
  op: number,
  result: ValType,
  make: (op: number, d: number, a: number, b: number, next: number) => Op,
  factory: string,
): void {
  // add/sub/mul/div of f64 or f32: candidates for load, store and pair fusion
  const floatArith = (op >= Opcode.F64Add && op <= Opcode.F64Div) ||
    (op >= Opcode.F32Add && op <= Opcode.F32Div);
  if (floatArith && (fuseFloatLoad(l, op) || fuseF64Pair(l, op))) return;
  const b = l.popSlot();
  const a = l.popSlot();
  l.emitValue(
    result,
    tag(counts && `${factory}:${opNames()[op]}`, (d, next) => make(op, d, a, b, next)),
    null,
    floatArith ? { f64: { op, a, b } } : {},
  );
}

/** i64 arithmetic: constant shift amounts and multipliers get their own closures. */
export function lowerI64Binary(l: LoweringState, op: number): void {
  const top = l.h - 1;
  if (op === Opcode.I64Mul && l.kind[top - 1] === Kind.Const && l.kind[top] !== Kind.Const) {
    const lo = l.value[top - 1], hi = l.value2[top - 1];
    const a = l.popSlot();
    l.h--; // the constant
    return l.emitValue(
      ValType.I64,
      tag(counts && "i64BinaryConst:mul", (d, next) => i64BinaryConst(op, d, a, lo, hi, next)),
    );
  }
  if ((op === Opcode.I64Mul || (op >= Opcode.I64Shl && op <= Opcode.I64Rotr)) && l.kind[top] === Kind.Const) {
    const lo = l.value[top], hi = l.value2[top];
    if (op === Opcode.I64Mul) {
      // `(x ^ y) * K` or `(x ^ (x >> k)) * K`: the held-back xor moves into the multiply.
      const xor = l.pendingProduces(top - 1)?.i64xor;
      if (xor && l.pending!.prev === null) {
        l.pending = null;
        l.h -= 2;
        const { a, kind, k, b } = xor;
        return l.emitValue(
          ValType.I64,
          tag(
            counts && i64XorShiftForm(kind, k, true),
            (d, next) => i64XorShift(d, a, kind, k, b, true, lo, hi, next),
          ),
        );
      }
    }
    l.h--;
    const a = l.popSlot();
    const kind = op === Opcode.I64ShrU ? ShiftKind.Right : op === Opcode.I64Shl ? ShiftKind.Left : -1;
    const extra = kind >= 0 ? { i64shift: { a, kind, k: lo & 63 } } : NO_EXTRA;
    const form = counts && (op === Opcode.I64Mul ? "i64BinaryConst:mul" : i64ShiftForm(op, lo));
    return l.emitValue(
      ValType.I64,
      tag(form, (d, next) => i64BinaryConst(op, d, a, lo, hi, next)),
      null,
      extra,
    );
  }
  if (op === Opcode.I64Xor) {
    // xor with a value the held-back op just shifted by a constant: the xorshift step in one closure
    let shift = l.pendingProduces(top)?.i64shift, b = -1;
    if (shift && l.pending!.prev === null) {
      l.pending = null;
      l.h--;
      b = l.popSlot();
    } else {
      shift = l.pendingProduces(top - 1)?.i64shift;
      if (shift && l.pending!.prev === null && l.kind[top] === Kind.Local) {
        b = l.slotOf[top];
        l.pending = null;
        l.h -= 2;
      }
    }
    if (b >= 0) {
      const { a, kind, k } = shift!;
      const i64xor = { a, kind, k, b };
      return l.emitValue(
        ValType.I64,
        tag(
          counts && i64XorShiftForm(kind, k, false),
          (d, next) => i64XorShift(d, a, kind, k, b, false, 0, 0, next),
        ),
        null,
        { i64xor },
      );
    }
    const y = l.popSlot(), x = l.popSlot();
    const i64xor = { a: x, kind: ShiftKind.None, k: 0, b: y };
    return l.emitValue(
      ValType.I64,
      tag(counts && "i64Binary:i64.xor", (d, next) => i64Binary(op, d, x, y, next)),
      null,
      { i64xor },
    );
  }
  binary(l, op, ValType.I64, i64Binary, "i64Binary");
}

/** f64 `(a OP1 b) OP2 c` (or `c - (a OP1 b)`) for add/sub/mul: the held-back op moves in. */
export function fuseF64Pair(l: LoweringState, op: number): boolean {
  if (op < Opcode.F64Add || op > Opcode.F64Mul) return false;
  const top = l.h - 1;
  const fusable = (p: Pending | null) =>
    p !== null && p.prev === null && p.f64 !== null && p.f64.op >= Opcode.F64Add && p.f64.op <= Opcode.F64Mul;
  let inner = l.pendingProduces(top);
  let c: number, reversed: boolean;
  if (fusable(inner)) {
    l.pending = null;
    l.h--;
    c = l.popSlot();
    reversed = op === Opcode.F64Sub; // c - (a OP1 b); add and mul commute
  } else {
    inner = l.pendingProduces(top - 1);
    const k = l.kind[top];
    if (!fusable(inner) || (k !== Kind.Local && !(k === Kind.Const && l.poolSlot(top) >= 0))) {
      return false;
    }
    c = k === Kind.Local ? l.slotOf[top] : l.poolSlot(top);
    l.pending = null;
    l.h -= 2;
    reversed = false;
  }
  const { op: op1, a, b } = inner!.f64!;
  l.emitValue(
    ValType.F64,
    tag(
      counts && `f64BinaryThenBinary:${opName(op1)}:${reversed ? "rsub" : opName(op)}`,
      (d, next) => f64BinaryThenBinary(op1, a, b, op, c, reversed, d, next),
    ),
  );
  return true;
}

/**
 * `c[i] += y * b[j]`: the op just emitted multiplied by a loaded value into a stack slot that
 * this read-modify-write of `c` consumes; both become one closure at the multiply's pc.
 */
export function fuseMulAdd(
  l: LoweringState,
  isF32: boolean,
  arith: number,
  x: number,
  memLeft: boolean,
  cA: number,
  cOff: number,
): boolean {
  const last = l.lastValue;
  const mul = last?.p.f64mem;
  const isAdd = arith === (isF32 ? Opcode.F32Add : Opcode.F64Add);
  const isSub = arith === (isF32 ? Opcode.F32Sub : Opcode.F64Sub);
  if (
    !last || !mul || mul.op !== (isF32 ? Opcode.F32Mul : Opcode.F64Mul) || last.pc !== l.makers.length - 1 ||
    last.p.dst !== x || x < l.stackBase || l.lastLabel > last.pc || !(isAdd || (isSub && memLeft))
  ) {
    return false;
  }
  const { x: y, load: b } = mul;
  delete l.valueMakers[last.pc];
  l.makers[last.pc] = tag(
    counts && `mulAddReadModifyWrite:${isF32 ? "f32" : "f64"}:${isSub ? "sub" : "add"}`,
    (next: number) => mulAddReadModifyWrite(isF32, y, b.a, b.k, b.offset, cA, cOff, isSub, next),
  );
  l.lastValue = null;
  return true;
}

/** Float arithmetic on a value the held-back op just loaded: the load moves into the arithmetic. */
export function fuseFloatLoad(l: LoweringState, op: number): boolean {
  const top = l.h - 1;
  const isF32 = op < Opcode.F64Add;
  const loadOp = isF32 ? Opcode.F32Load : Opcode.F64Load, type = isF32 ? ValType.F32 : ValType.F64;
  const binaryMem = isF32 ? f32BinaryMem : f64BinaryMem;
  const right = l.pendingProduces(top);
  if (right?.load?.op === loadOp && right.prev === null) {
    const L = right.load;
    l.pending = null;
    l.h--;
    const x = l.popSlot();
    l.emitValue(
      type,
      tag(
        counts && `${isF32 ? "f32" : "f64"}BinaryMem:${opName(op)}:right`,
        (d, next) => binaryMem(op, d, x, L.a, L.k, L.offset, false, next),
      ),
      null,
      { f64mem: { op, x, load: L, memLeft: false } },
    );
    return true;
  }
  const left = l.pendingProduces(top - 1);
  const k = l.kind[top];
  if (left?.load?.op === loadOp && left.prev === null && (k === Kind.Local || k === Kind.Const)) {
    const y = k === Kind.Local ? l.slotOf[top] : l.poolSlot(top);
    if (y < 0) return false;
    const L = left.load;
    l.pending = null;
    l.h -= 2;
    l.emitValue(
      type,
      tag(
        counts && `${isF32 ? "f32" : "f64"}BinaryMem:${opName(op)}:left`,
        (d, next) => binaryMem(op, d, y, L.a, L.k, L.offset, true, next),
      ),
      null,
      { f64mem: { op, x: y, load: L, memLeft: true } },
    );
    return true;
  }
  return false;
}

export function lowerI32Binary(l: LoweringState, op: number, isCompare: boolean): void {
  if (fuseShift(l, op) || fuseI32Pair(l, op)) return;
  const bConst = l.topIsConst();
  const aConst = l.kind[l.h - 2] === Kind.Const;
  if (bConst && i32HasImm(op)) {
    const k = l.popConst();
    const a = l.popSlot();
    // x - k is x + (-k) mod 2^32: one form for every fusion that knows additions.
    if (op === Opcode.I32Sub) return emitI32Imm(l, Opcode.I32Add, a, -k | 0, false);
    return emitI32Imm(l, op, a, k, isCompare);
  }
  if (aConst && !bConst && (COMMUTATIVE_I32.has(op) || isCompare)) {
    // k OP x  →  x OP' k
    const b = l.popSlot();
    const k = l.popConst();
    return emitI32Imm(l, isCompare ? SWAPPED_COMPARE[op] : op, b, k, isCompare);
  }
  const b = l.popSlot();
  const a = l.popSlot();
  emitI32(
    l,
    ValType.I32,
    tag(counts && `i32Binary:${opNames()[op]}`, (d, next) => i32Binary(op, d, a, b, next)),
    { op, a, b, imm: false },
    isCompare,
  );
}

export function emitI32Imm(l: LoweringState, op: number, a: number, k: number, isCompare: boolean): void {
  emitI32(
    l,
    ValType.I32,
    tag(counts && `i32BinaryImm:${opName(op)}`, (d, next) => i32BinaryImm(op, d, a, k, next)),
    { op, a, b: k, imm: true },
    isCompare,
  );
}

/**
 * Holds back an i32 op. A comparison of a local that the held-back `i32.add` just wrote keeps
 * that add held back too, so that a br_if can fuse all three (see `condition`).
 */
export function emitI32(
  l: LoweringState,
  t: ValType,
  make: (dst: number, next: number) => Op,
  bin: PendingBinary,
  isCompare: boolean,
): void {
  const prev = l.pending;
  // A local just written by an add, or by an i32.load, whose new value this compare tests.
  const counter = prev !== null && (prev.bin?.op === Opcode.I32Add || prev.load?.op === Opcode.I32Load) &&
      prev.prev === null &&
      prev.dst < l.nLocals
    ? prev.dst
    : -1;
  if (isCompare && counter >= 0 && bin.a === counter) {
    l.pending = null;
    return l.hold(t, make, bin, { prev });
  }
  if (isCompare && counter >= 0 && !bin.imm && bin.b === counter && bin.op !== Opcode.I32Eqz) {
    // `n != i` tests the counter too: seen from the counter's side it is `i != n`.
    l.pending = null;
    return l.hold(t, make, { op: SWAPPED_COMPARE[bin.op], a: bin.b, b: bin.a, imm: false }, { prev });
  }
  if (
    isAddImm(bin) && prev !== null && prev.prev === null && isAddImm(prev.bin) && prev.dst < l.nLocals
  ) {
    // Two pointer steps in a row become one closure (see emitPending).
    l.pending = null;
    return l.hold(t, make, bin, { prev });
  }
  l.emitValue(t, make, bin);
}

/** `(a OP1 b) OP2 c` with OP1, OP2 in add/and/or/xor: the held-back op moves into this one. */
export function fuseI32Pair(l: LoweringState, op: number): boolean {
  if (op !== Opcode.I32Add && (op < Opcode.I32And || op > Opcode.I32Xor)) return false;
  const top = l.h - 1;
  const fusable = (p: Pending | null) =>
    p !== null && p.prev === null && p.bin !== null &&
    (p.bin.op === Opcode.I32Add || (p.bin.op >= Opcode.I32And && p.bin.op <= Opcode.I32Xor));
  let inner = l.pendingProduces(top);
  let c: number;
  if (fusable(inner)) {
    l.pending = null;
    l.h--;
    c = l.popSlot();
  } else {
    inner = l.pendingProduces(top - 1);
    if (!fusable(inner) || l.kind[top] !== Kind.Local) return false;
    c = l.slotOf[top];
    l.pending = null;
    l.h -= 2;
  }
  const { op: op1, a, b, imm } = inner!.bin!;
  l.emitValue(
    ValType.I32,
    tag(
      counts && `binaryThenBinary:${opName(op1)}:${opName(op)}:${imm ? "imm" : "reg"}`,
      (d, next) => binaryThenBinary(op1, a, b, imm, op, c, d, next),
    ),
  );
  return true;
}

/** i32 add/and/or/xor of a value the held-back op just shifted or rotated by a constant. */
export function fuseShift(l: LoweringState, op: number): boolean {
  if (op !== Opcode.I32Add && (op < Opcode.I32And || op > Opcode.I32Xor)) return false;
  const top = l.h - 1;
  const isShift = (p: Pending | null) =>
    p !== null && p.prev === null && p.bin !== null && p.bin.imm && p.bin.op >= Opcode.I32Shl &&
    p.bin.op <= Opcode.I32Rotr;
  let shifted = l.pendingProduces(top);
  let other: number;
  if (isShift(shifted)) {
    l.pending = null;
    l.h--;
    other = l.popSlot();
  } else {
    shifted = l.pendingProduces(top - 1);
    const k = l.kind[top];
    if (!isShift(shifted) || k !== Kind.Local) return false;
    other = l.slotOf[top];
    l.pending = null;
    l.h -= 2;
  }
  const { op: sh, a, b: k } = shifted!.bin!;
  const b = other;
  l.emitValue(
    ValType.I32,
    tag(
      counts && `shiftThenBinary:${opName(sh)}:${opName(op)}`,
      (d, next) => shiftThenBinary(sh, a, k, op, b, d, next),
    ),
  );
  return true;
}
