/**
 * Closure factories for f32 and f64 operations. f32 values are read and written through `F32` at
 * index 2·slot (stores round to single precision, which makes each basic operation correctly
 * rounded), f64 through `F64` at index slot. Sign operations (abs, neg, copysign) work on the bits so
 * that NaN payloads survive as the spec requires.
 */
import { F32, F64, I32 } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";

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
  const i32 = I32, f32 = F32; // a context slot of each closure: cheaper than a module binding
  d <<= 1, a <<= 1, b <<= 1;
  switch (op) {
    case 0x5b:
      return (p) => (i32[p + d] = +(f32[p + a] === f32[p + b]), next);
    case 0x5c:
      return (p) => (i32[p + d] = +(f32[p + a] !== f32[p + b]), next);
    case 0x5d:
      return (p) => (i32[p + d] = +(f32[p + a] < f32[p + b]), next);
    case 0x5e:
      return (p) => (i32[p + d] = +(f32[p + a] > f32[p + b]), next);
    case 0x5f:
      return (p) => (i32[p + d] = +(f32[p + a] <= f32[p + b]), next);
    case 0x60:
      return (p) => (i32[p + d] = +(f32[p + a] >= f32[p + b]), next);
    case 0x8b:
      return (p) => (i32[p + d] = i32[p + a] & 0x7fffffff, next);
    case 0x8c:
      return (p) => (i32[p + d] = i32[p + a] ^ 0x80000000, next);
    case 0x8d:
      return (p) => (f32[p + d] = Math.ceil(f32[p + a]), next);
    case 0x8e:
      return (p) => (f32[p + d] = Math.floor(f32[p + a]), next);
    case 0x8f:
      return (p) => (f32[p + d] = Math.trunc(f32[p + a]), next);
    case 0x90:
      return (p) => (f32[p + d] = nearest(f32[p + a]), next);
    case 0x91:
      return (p) => (f32[p + d] = Math.sqrt(f32[p + a]), next);
    case 0x92:
      return (p) => (f32[p + d] = f32[p + a] + f32[p + b], next);
    case 0x93:
      return (p) => (f32[p + d] = f32[p + a] - f32[p + b], next);
    case 0x94:
      return (p) => (f32[p + d] = f32[p + a] * f32[p + b], next);
    case 0x95:
      return (p) => (f32[p + d] = f32[p + a] / f32[p + b], next);
    case 0x96:
      return (p) => (f32[p + d] = Math.min(f32[p + a], f32[p + b]), next);
    case 0x97:
      return (p) => (f32[p + d] = Math.max(f32[p + a], f32[p + b]), next);
    case 0x98:
      return (p) => (i32[p + d] = (i32[p + a] & 0x7fffffff) | (i32[p + b] & 0x80000000), next);
  }
  throw new Error(`not an f32 op: 0x${op.toString(16)}`);
}

/** f64 unary (0x99..0x9f), binary (0xa0..0xa6) and comparisons (0x61..0x66, result i32). */
export function f64Op(op: number, d: number, a: number, b: number, next: number): Op {
  const i32 = I32, f64 = F64; // a context slot of each closure: cheaper than a module binding
  const d2 = d << 1, a2 = a << 1, b2 = b << 1;
  switch (op) {
    case 0x61:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] === f64[(p >> 1) + b]), next);
    case 0x62:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] !== f64[(p >> 1) + b]), next);
    case 0x63:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] < f64[(p >> 1) + b]), next);
    case 0x64:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] > f64[(p >> 1) + b]), next);
    case 0x65:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] <= f64[(p >> 1) + b]), next);
    case 0x66:
      return (p) => (i32[p + d2] = +(f64[(p >> 1) + a] >= f64[(p >> 1) + b]), next);
    case 0x99:
      return (p) => (i32[p + d2] = i32[p + a2], i32[p + d2 + 1] = i32[p + a2 + 1] & 0x7fffffff, next);
    case 0x9a:
      return (p) => (i32[p + d2] = i32[p + a2], i32[p + d2 + 1] = i32[p + a2 + 1] ^ 0x80000000, next);
    case 0x9b:
      return (p) => (f64[(p >> 1) + d] = ceil(f64[(p >> 1) + a]), next);
    case 0x9c:
      return (p) => (f64[(p >> 1) + d] = floor(f64[(p >> 1) + a]), next);
    case 0x9d:
      return (p) => (f64[(p >> 1) + d] = trunc(f64[(p >> 1) + a]), next);
    case 0x9e:
      return (p) => (f64[(p >> 1) + d] = nearest(f64[(p >> 1) + a]), next);
    case 0x9f:
      return (p) => (f64[(p >> 1) + d] = Math.sqrt(f64[(p >> 1) + a]), next);
    case 0xa0:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] + f64[(p >> 1) + b], next);
    case 0xa1:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] - f64[(p >> 1) + b], next);
    case 0xa2:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] * f64[(p >> 1) + b], next);
    case 0xa3:
      return (p) => (f64[(p >> 1) + d] = f64[(p >> 1) + a] / f64[(p >> 1) + b], next);
    case 0xa4:
      return (p) => (f64[(p >> 1) + d] = Math.min(f64[(p >> 1) + a], f64[(p >> 1) + b]), next);
    case 0xa5:
      return (p) => (f64[(p >> 1) + d] = Math.max(f64[(p >> 1) + a], f64[(p >> 1) + b]), next);
    case 0xa6:
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
  const f64 = F64; // a context slot of each closure: cheaper than a module binding
  const key = (op1 - 0xa0) * 16 + (op2 - 0xa0) * 2 + (reversed ? 1 : 0);
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
