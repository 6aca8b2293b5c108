/**
 * Closure factories for f32 and f64 operations. f32 values are read and written through `F32` at
 * index 2·slot (stores round to single precision, which makes each basic operation correctly
 * rounded), f64 through `F64` at index slot. Sign operations (abs, neg, copysign) work on the bits so
 * that NaN payloads survive as the spec requires.
 */
import { F32, F64, I32 } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { Op as Opcode } from "../../wasm/opcodes.ts";

/** Round half to even, keeping the sign of zero. */
export function nearest(x: number): number {
  if (x !== x) return NaN;
  if (!Number.isFinite(x) || x === 0) return x;
  let r = Math.round(x); // rounds halves towards +Infinity
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  return r === 0 && x < 0 ? -0 : r;
}

// Math.floor and friends hand a signalling NaN back unchanged; wasm wants it quieted.
const ceil = (x: number) => x !== x ? NaN : Math.ceil(x);
const floor = (x: number) => x !== x ? NaN : Math.floor(x);
const trunc = (x: number) => x !== x ? NaN : Math.trunc(x);

/** f32 unary (0x8b..0x91) and binary (0x92..0x98) and comparisons (0x5b..0x60, result i32). */
export function f32Op(op: number, d: number, a: number, b: number, next: number): Op {
  const i32 = I32, f32 = F32;
  d <<= 1, a <<= 1, b <<= 1;
  switch (op) {
    case Opcode.F32Eq:
      return (p) => (i32[p + d] = +(f32[p + a] === f32[p + b]), next);
    case Opcode.F32Ne:
      return (p) => (i32[p + d] = +(f32[p + a] !== f32[p + b]), next);
    case Opcode.F32Lt:
      return (p) => (i32[p + d] = +(f32[p + a] < f32[p + b]), next);
    case Opcode.F32Gt:
      return (p) => (i32[p + d] = +(f32[p + a] > f32[p + b]), next);
    case Opcode.F32Le:
      return (p) => (i32[p + d] = +(f32[p + a] <= f32[p + b]), next);
    case Opcode.F32Ge:
      return (p) => (i32[p + d] = +(f32[p + a] >= f32[p + b]), next);
    case Opcode.F32Abs:
      return (p) => (i32[p + d] = i32[p + a] & 0x7fffffff, next);
    case Opcode.F32Neg:
      return (p) => (i32[p + d] = i32[p + a] ^ 0x80000000, next);
    case Opcode.F32Ceil:
      return (p) => (f32[p + d] = Math.ceil(f32[p + a]), next);
    case Opcode.F32Floor:
      return (p) => (f32[p + d] = Math.floor(f32[p + a]), next);
    case Opcode.F32Trunc:
      return (p) => (f32[p + d] = Math.trunc(f32[p + a]), next);
    case Opcode.F32Nearest:
      return (p) => (f32[p + d] = nearest(f32[p + a]), next);
    case Opcode.F32Sqrt:
      return (p) => (f32[p + d] = Math.sqrt(f32[p + a]), next);
    case Opcode.F32Add:
      return (p) => (f32[p + d] = f32[p + a] + f32[p + b], next);
    case Opcode.F32Sub:
      return (p) => (f32[p + d] = f32[p + a] - f32[p + b], next);
    case Opcode.F32Mul:
      return (p) => (f32[p + d] = f32[p + a] * f32[p + b], next);
    case Opcode.F32Div:
      return (p) => (f32[p + d] = f32[p + a] / f32[p + b], next);
    case Opcode.F32Min:
      return (p) => (f32[p + d] = minimum(f32[p + a], f32[p + b]), next);
    case Opcode.F32Max:
      return (p) => (f32[p + d] = maximum(f32[p + a], f32[p + b]), next);
    case Opcode.F32Copysign:
      return (p) => (i32[p + d] = (i32[p + a] & 0x7fffffff) | (i32[p + b] & 0x80000000), next);
  }
  throw new Error(`not an f32 op: 0x${op.toString(16)}`);
}

/** f64 unary (0x99..0x9f), binary (0xa0..0xa6) and comparisons (0x61..0x66, result i32). */
export function f64Op(op: number, d: number, a: number, b: number, next: number): Op {
  const i32 = I32, f64 = F64;
  const d2 = d << 1, a2 = a << 1, b2 = b << 1;
  switch (op) {
    case Opcode.F64Eq:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] === f64[(p >> 1) + b]), next);
    case Opcode.F64Ne:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] !== f64[(p >> 1) + b]), next);
    case Opcode.F64Lt:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] < f64[(p >> 1) + b]), next);
    case Opcode.F64Gt:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] > f64[(p >> 1) + b]), next);
    case Opcode.F64Le:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] <= f64[(p >> 1) + b]), next);
    case Opcode.F64Ge:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] >= f64[(p >> 1) + b]), next);
    case Opcode.F64Abs:
      return (p) => (i32[p + d2] = i32[p + a2], i32[p + d2 + 1] = i32[p + a2 + 1] & 0x7fffffff, next);
    case Opcode.F64Neg:
      return (p) => (i32[p + d2] = i32[p + a2], i32[p + d2 + 1] = i32[p + a2 + 1] ^ 0x80000000, next);
    case Opcode.F64Ceil:
      return (p) => (f64[(p >> 1) + d] = ceil(f64[(p >> 1) + a]), next);
    case Opcode.F64Floor:
      return (p) => (f64[(p >> 1) + d] = floor(f64[(p >> 1) + a]), next);
    case Opcode.F64Trunc:
      return (p) => (f64[(p >> 1) + d] = trunc(f64[(p >> 1) + a]), next);
    case Opcode.F64Nearest:
      return (p) => (f64[(p >> 1) + d] = nearest(f64[(p >> 1) + a]), next);
    case Opcode.F64Sqrt:
      return (p) => (f64[(p >> 1) + d] = Math.sqrt(f64[(p >> 1) + a]), next);
    case Opcode.F64Add:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] + f64[(p >> 1) + b], next);
    case Opcode.F64Sub:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] - f64[(p >> 1) + b], next);
    case Opcode.F64Mul:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] * f64[(p >> 1) + b], next);
    case Opcode.F64Div:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] / f64[(p >> 1) + b], next);
    case Opcode.F64Min:
      return (p) => (f64[(p >> 1) + d] = minimum(f64[(p >> 1) + a], f64[(p >> 1) + b]), next);
    case Opcode.F64Max:
      return (p) => (f64[(p >> 1) + d] = maximum(f64[(p >> 1) + a], f64[(p >> 1) + b]), next);
    case Opcode.F64Copysign:
      return (p) => (
        i32[p + d2] = i32[p + a2],
          i32[p + d2 + 1] = (i32[p + a2 + 1] & 0x7fffffff) | (i32[p + b2 + 1] & 0x80000000),
          next
      );
  }
  throw new Error(`not an f64 op: 0x${op.toString(16)}`);
}

/**
 * f64 `(a OP1 b) OP2 c` for OP1, OP2 in add/sub/mul, or `c - (a OP1 b)` when `reversed` (OP2 is
 * sub): dot products and vector arithmetic without an intermediate op. Each intermediate result
 * rounds to f64 exactly as two separate ops would.
 */
export function f64BinaryThenBinary(
  op1: number,
  a: number,
  b: number,
  op2: number,
  c: number,
  reversed: boolean,
  d: number,
  next: number,
): Op {
  const f64 = F64;
  const key = (op1 - Opcode.F64Add) * 16 + (op2 - Opcode.F64Add) * 2 + (reversed ? 1 : 0);
  switch (key) {
    case 0x00:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] + f64[(p >> 1) + b] + f64[(p >> 1) + c], next);
    case 0x02:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] + f64[(p >> 1) + b] - f64[(p >> 1) + c], next);
    case 0x03:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + c] - (f64[(p >> 1) + a] + f64[(p >> 1) + b]), next);
    case 0x04:
      return (p) => (f64[(p >> 1) + d] = (f64[(p >> 1) + a] + f64[(p >> 1) + b]) * f64[(p >> 1) + c], next);
    case 0x10:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] - f64[(p >> 1) + b] + f64[(p >> 1) + c], next);
    case 0x12:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] - f64[(p >> 1) + b] - f64[(p >> 1) + c], next);
    case 0x13:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + c] - (f64[(p >> 1) + a] - f64[(p >> 1) + b]), next);
    case 0x14:
      return (p) => (f64[(p >> 1) + d] = (f64[(p >> 1) + a] - f64[(p >> 1) + b]) * f64[(p >> 1) + c], next);
    case 0x20:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] * f64[(p >> 1) + b] + f64[(p >> 1) + c], next);
    case 0x22:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] * f64[(p >> 1) + b] - f64[(p >> 1) + c], next);
    case 0x23:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + c] - f64[(p >> 1) + a] * f64[(p >> 1) + b], next);
    case 0x24:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] * f64[(p >> 1) + b] * f64[(p >> 1) + c], next);
  }
  throw new Error(`no fused form for f64 0x${op1.toString(16)} then 0x${op2.toString(16)}`);
}

/**
 * `min`/`max` with a NaN operand give the canonical NaN. Math.min/Math.max give a NaN too, but once V8
 * has optimised them its bits are the hardware's (0xffff_ffff_ffff_ffff seen), which a typed array then
 * stores: the NaN literal is the canonical one.
 */
export function minimum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : Math.min(a, b);
}

/** See `minimum`. */
export function maximum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : Math.max(a, b);
}
