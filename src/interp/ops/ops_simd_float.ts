/**
 * Closure factories for f32x4 and f64x2 lanes: arithmetic, comparisons, rounding and conversions
 * (see ops_simd.ts for the slot layout). f32 lanes are read and written through a Float32Array, so
 * every result is rounded to single precision (each basic operation, done in double first, is then
 * correctly rounded). abs, neg, pmin and pmax move bits, so NaN payloads survive exactly; where the
 * spec lets any NaN out, operations whose JS counterpart might pass a signalling NaN through
 * unchanged (rounding, min/max on f64) return the canonical NaN instead.
 */
import { V } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { nearest } from "./ops_float.ts";
import { VF32, VF64 } from "./ops_simd.ts";
import { SimdOp } from "../../wasm/opcodes.ts";

const ceil = (x: number) => x !== x ? NaN : Math.ceil(x);
const floor = (x: number) => x !== x ? NaN : Math.floor(x);
const trunc = (x: number) => x !== x ? NaN : Math.trunc(x);
const min = (x: number, y: number) => x !== x || y !== y ? NaN : Math.min(x, y);
const max = (x: number, y: number) => x !== x || y !== y ? NaN : Math.max(x, y);

/** Saturating truncation to i32 (NaN is 0). */
function satS(x: number): number {
  return x !== x ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x | 0;
}

/** Saturating truncation to u32, as an int32 bit pattern (NaN is 0). */
function satU(x: number): number {
  return x !== x || x <= -1 ? 0 : x >= 4294967295 ? -1 : x >>> 0;
}

/** Unary float ops: rounding, abs, neg, sqrt, conversions, demote/promote. */
export function floatUnary(op: number, d: number, a: number, next: number): Op {
  const v = V, f32 = VF32, f64 = VF64;
  const d4 = d << 2, a4 = a << 2, d2 = d << 1, a2 = a << 1;
  switch (op) {
    case SimdOp.F32x4Ceil:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = ceil(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.F32x4Floor:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = floor(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.F32x4Trunc:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = trunc(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.F32x4Nearest:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = nearest(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.F64x2Ceil:
      return (p) => (f64[p + d2] = ceil(f64[p + a2]), f64[p + d2 + 1] = ceil(f64[p + a2 + 1]), next);
    case SimdOp.F64x2Floor:
      return (p) => (f64[p + d2] = floor(f64[p + a2]), f64[p + d2 + 1] = floor(f64[p + a2 + 1]), next);
    case SimdOp.F64x2Trunc:
      return (p) => (f64[p + d2] = trunc(f64[p + a2]), f64[p + d2 + 1] = trunc(f64[p + a2 + 1]), next);
    case SimdOp.F64x2Nearest:
      return (p) => (f64[p + d2] = nearest(f64[p + a2]), f64[p + d2 + 1] = nearest(f64[p + a2 + 1]), next);
    case SimdOp.F32x4Abs: // f32x4.abs
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = v[q + a4 + i] & 0x7fffffff;
        return next;
      };
    case SimdOp.F32x4Neg: // f32x4.neg
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = v[q + a4 + i] ^ 0x80000000;
        return next;
      };
    case SimdOp.F32x4Sqrt:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = Math.sqrt(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.F64x2Abs: // f64x2.abs
      return (p) => {
        const q = p << 1;
        v[q + d4] = v[q + a4], v[q + d4 + 1] = v[q + a4 + 1] & 0x7fffffff;
        v[q + d4 + 2] = v[q + a4 + 2], v[q + d4 + 3] = v[q + a4 + 3] & 0x7fffffff;
        return next;
      };
    case SimdOp.F64x2Neg: // f64x2.neg
      return (p) => {
        const q = p << 1;
        v[q + d4] = v[q + a4], v[q + d4 + 1] = v[q + a4 + 1] ^ 0x80000000;
        v[q + d4 + 2] = v[q + a4 + 2], v[q + d4 + 3] = v[q + a4 + 3] ^ 0x80000000;
        return next;
      };
    case SimdOp.F64x2Sqrt:
      return (
        p,
      ) => (f64[p + d2] = Math.sqrt(f64[p + a2]), f64[p + d2 + 1] = Math.sqrt(f64[p + a2 + 1]), next);
    case SimdOp.I32x4TruncSatF32x4S: // i32x4.trunc_sat_f32x4_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = satS(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.I32x4TruncSatF32x4U: // i32x4.trunc_sat_f32x4_u
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = satU(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.F32x4ConvertI32x4S: // f32x4.convert_i32x4_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = v[q + a4 + i];
        return next;
      };
    case SimdOp.F32x4ConvertI32x4U: // f32x4.convert_i32x4_u
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = v[q + a4 + i] >>> 0;
        return next;
      };
    case SimdOp.I32x4TruncSatF64x2SZero: // i32x4.trunc_sat_f64x2_s_zero
      return (p) => {
        const x = f64[p + a2], y = f64[p + a2 + 1], q = (p << 1) + d4;
        v[q] = satS(x), v[q + 1] = satS(y), v[q + 2] = 0, v[q + 3] = 0;
        return next;
      };
    case SimdOp.I32x4TruncSatF64x2UZero: // i32x4.trunc_sat_f64x2_u_zero
      return (p) => {
        const x = f64[p + a2], y = f64[p + a2 + 1], q = (p << 1) + d4;
        v[q] = satU(x), v[q + 1] = satU(y), v[q + 2] = 0, v[q + 3] = 0;
        return next;
      };
    case SimdOp.F64x2ConvertLowI32x4S: // f64x2.convert_low_i32x4_s
      return (p) => {
        const q = (p << 1) + a4, x = v[q], y = v[q + 1];
        f64[p + d2] = x, f64[p + d2 + 1] = y;
        return next;
      };
    case SimdOp.F64x2ConvertLowI32x4U: // f64x2.convert_low_i32x4_u
      return (p) => {
        const q = (p << 1) + a4, x = v[q] >>> 0, y = v[q + 1] >>> 0;
        f64[p + d2] = x, f64[p + d2 + 1] = y;
        return next;
      };
    case SimdOp.F32x4DemoteF64x2Zero: // f32x4.demote_f64x2_zero
      return (p) => {
        const x = f64[p + a2], y = f64[p + a2 + 1], q = (p << 1) + d4;
        f32[q] = x, f32[q + 1] = y, v[q + 2] = 0, v[q + 3] = 0;
        return next;
      };
    case SimdOp.F64x2PromoteLowF32x4: // f64x2.promote_low_f32x4
      return (p) => {
        const q = (p << 1) + a4, x = f32[q], y = f32[q + 1];
        f64[p + d2] = x, f64[p + d2 + 1] = y;
        return next;
      };
  }
  throw new Error(`not a float unary op: 0x${op.toString(16)}`);
}

/** Binary float ops: comparisons (lane masks), add, sub, mul, div, min, max, pmin, pmax. */
export function floatBinary(op: number, d: number, a: number, b: number, next: number): Op {
  const v = V, f32 = VF32, f64 = VF64;
  const d4 = d << 2, a4 = a << 2, b4 = b << 2, a2 = a << 1, b2 = b << 1, d2 = d << 1;
  switch (op) {
    // ---- f32x4 ----
    case SimdOp.F32x4Eq:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(f32[q + a4 + i] === f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Ne:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(f32[q + a4 + i] !== f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Lt:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(f32[q + a4 + i] < f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Gt:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(f32[q + a4 + i] > f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Le:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(f32[q + a4 + i] <= f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Ge:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(f32[q + a4 + i] >= f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Add:
      return (p) => {
        const q = p << 1;
        f32[q + d4] = f32[q + a4] + f32[q + b4], f32[q + d4 + 1] = f32[q + a4 + 1] + f32[q + b4 + 1];
        f32[q + d4 + 2] = f32[q + a4 + 2] + f32[q + b4 + 2],
          f32[q + d4 + 3] = f32[q + a4 + 3] + f32[q + b4 + 3];
        return next;
      };
    case SimdOp.F32x4Sub:
      return (p) => {
        const q = p << 1;
        f32[q + d4] = f32[q + a4] - f32[q + b4], f32[q + d4 + 1] = f32[q + a4 + 1] - f32[q + b4 + 1];
        f32[q + d4 + 2] = f32[q + a4 + 2] - f32[q + b4 + 2],
          f32[q + d4 + 3] = f32[q + a4 + 3] - f32[q + b4 + 3];
        return next;
      };
    case SimdOp.F32x4Mul:
      return (p) => {
        const q = p << 1;
        f32[q + d4] = f32[q + a4] * f32[q + b4], f32[q + d4 + 1] = f32[q + a4 + 1] * f32[q + b4 + 1];
        f32[q + d4 + 2] = f32[q + a4 + 2] * f32[q + b4 + 2],
          f32[q + d4 + 3] = f32[q + a4 + 3] * f32[q + b4 + 3];
        return next;
      };
    case SimdOp.F32x4Div:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = f32[q + a4 + i] / f32[q + b4 + i];
        return next;
      };
    case SimdOp.F32x4Min:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = min(f32[q + a4 + i], f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Max:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) f32[q + d4 + i] = max(f32[q + a4 + i], f32[q + b4 + i]);
        return next;
      };
    case SimdOp.F32x4Pmin: // f32x4.pmin: b < a ? b : a, as bits
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          v[q + d4 + i] = f32[q + b4 + i] < f32[q + a4 + i] ? v[q + b4 + i] : v[q + a4 + i];
        }
        return next;
      };
    case SimdOp.F32x4Pmax: // f32x4.pmax: a < b ? b : a, as bits
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          v[q + d4 + i] = f32[q + a4 + i] < f32[q + b4 + i] ? v[q + b4 + i] : v[q + a4 + i];
        }
        return next;
      };
    // ---- f64x2 ----
    case SimdOp.F64x2Eq:
      return (p) => f64Mask(p, d4, f64[p + a2] === f64[p + b2], f64[p + a2 + 1] === f64[p + b2 + 1], next);
    case SimdOp.F64x2Ne:
      return (p) => f64Mask(p, d4, f64[p + a2] !== f64[p + b2], f64[p + a2 + 1] !== f64[p + b2 + 1], next);
    case SimdOp.F64x2Lt:
      return (p) => f64Mask(p, d4, f64[p + a2] < f64[p + b2], f64[p + a2 + 1] < f64[p + b2 + 1], next);
    case SimdOp.F64x2Gt:
      return (p) => f64Mask(p, d4, f64[p + a2] > f64[p + b2], f64[p + a2 + 1] > f64[p + b2 + 1], next);
    case SimdOp.F64x2Le:
      return (p) => f64Mask(p, d4, f64[p + a2] <= f64[p + b2], f64[p + a2 + 1] <= f64[p + b2 + 1], next);
    case SimdOp.F64x2Ge:
      return (p) => f64Mask(p, d4, f64[p + a2] >= f64[p + b2], f64[p + a2 + 1] >= f64[p + b2 + 1], next);
    case SimdOp.F64x2Add:
      return (
        p,
      ) => (f64[p + d2] = f64[p + a2] + f64[p + b2],
        f64[p + d2 + 1] = f64[p + a2 + 1] + f64[p + b2 + 1],
        next);
    case SimdOp.F64x2Sub:
      return (
        p,
      ) => (f64[p + d2] = f64[p + a2] - f64[p + b2],
        f64[p + d2 + 1] = f64[p + a2 + 1] - f64[p + b2 + 1],
        next);
    case SimdOp.F64x2Mul:
      return (
        p,
      ) => (f64[p + d2] = f64[p + a2] * f64[p + b2],
        f64[p + d2 + 1] = f64[p + a2 + 1] * f64[p + b2 + 1],
        next);
    case SimdOp.F64x2Div:
      return (
        p,
      ) => (f64[p + d2] = f64[p + a2] / f64[p + b2],
        f64[p + d2 + 1] = f64[p + a2 + 1] / f64[p + b2 + 1],
        next);
    case SimdOp.F64x2Min:
      return (p) => {
        const x = min(f64[p + a2], f64[p + b2]), y = min(f64[p + a2 + 1], f64[p + b2 + 1]);
        f64[p + d2] = x, f64[p + d2 + 1] = y;
        return next;
      };
    case SimdOp.F64x2Max:
      return (p) => {
        const x = max(f64[p + a2], f64[p + b2]), y = max(f64[p + a2 + 1], f64[p + b2 + 1]);
        f64[p + d2] = x, f64[p + d2 + 1] = y;
        return next;
      };
    case SimdOp.F64x2Pmin: // f64x2.pmin, as bits
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 2; i++) {
          const s = f64[p + b2 + i] < f64[p + a2 + i] ? b4 : a4;
          v[q + d4 + 2 * i] = v[q + s + 2 * i], v[q + d4 + 2 * i + 1] = v[q + s + 2 * i + 1];
        }
        return next;
      };
    case SimdOp.F64x2Pmax: // f64x2.pmax, as bits
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 2; i++) {
          const s = f64[p + a2 + i] < f64[p + b2 + i] ? b4 : a4;
          v[q + d4 + 2 * i] = v[q + s + 2 * i], v[q + d4 + 2 * i + 1] = v[q + s + 2 * i + 1];
        }
        return next;
      };
  }
  throw new Error(`not a float binary op: 0x${op.toString(16)}`);
}

/** Writes the two f64x2 comparison results of slot d (V offset d4) as all-ones / all-zeros lanes. */
function f64Mask(p: number, d4: number, x: boolean, y: boolean, next: number): number {
  const q = (p << 1) + d4, v = V;
  v[q] = v[q + 1] = -x;
  v[q + 2] = v[q + 3] = -y;
  return next;
}
