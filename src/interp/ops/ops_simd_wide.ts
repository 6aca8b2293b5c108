/**
 * Closure factories for i32x4 and i64x2 lane arithmetic, plus the lane tests of every shape
 * (all_true, bitmask). See ops_simd.ts for the slot layout. i64 lanes are pairs of 32-bit words
 * (low first): carries, products and comparisons are built from the halves, without BigInt.
 */
import { I32, V } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { S, S16, SU16, V16 } from "./ops_simd.ts";
import { SimdOp } from "../../wasm/opcodes.ts";

let productHigh = 0;

/** Low 32 bits of the unsigned 64-bit product of a and b; the high 32 bits go to `productHigh`. */
function mulWide(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const mid = a1 * b0 + a0 * b1; // < 2^33: exact in a double
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  productHigh = (a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / 4294967296)) | 0;
  return low | 0;
}

/** Signed 32×32→64 product: the unsigned one, with the high word corrected for negative factors. */
function mulWideSigned(a: number, b: number): number {
  const low = mulWide(a, b);
  productHigh = (productHigh - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  return low;
}

/** Unary i32x4/i64x2 ops: abs, neg, extend, extadd_pairwise from i16x8. */
export function wideIntUnary(op: number, d: number, a: number, next: number): Op {
  const v = V, v16 = V16, s16 = S16, su16 = SU16, s = S;
  const d4 = d << 2, a4 = a << 2, a8 = a << 3;
  switch (op) {
    case SimdOp.I32x4ExtaddPairwiseI16x8S: // i32x4.extadd_pairwise_i16x8_s (lane i reads exactly the halves it overwrites)
      return (p) => {
        const q = (p << 1) + d4, x = (p << 2) + a8;
        for (let i = 0; i < 4; i++) v[q + i] = v16[x + 2 * i] + v16[x + 2 * i + 1];
        return next;
      };
    case SimdOp.I32x4ExtaddPairwiseI16x8U: // i32x4.extadd_pairwise_i16x8_u
      return (p) => {
        const q = (p << 1) + d4, x = (p << 1) + a4;
        for (let i = 0; i < 4; i++) {
          const w = v[x + i];
          v[q + i] = (w & 0xffff) + (w >>> 16);
        }
        return next;
      };
    case SimdOp.I32x4Abs: // i32x4.abs
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const k = v[q + a4 + i];
          v[q + d4 + i] = k < 0 ? -k : k;
        }
        return next;
      };
    case SimdOp.I32x4Neg: // i32x4.neg
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -v[q + a4 + i];
        return next;
      };
    case SimdOp.I32x4ExtendLowI16x8S: // i32x4.extend_low_i16x8_s
    case SimdOp.I32x4ExtendHighI16x8S: { // i32x4.extend_high_i16x8_s
      const from = op === SimdOp.I32x4ExtendLowI16x8S ? 0 : 4;
      return (p) => {
        const q = p << 1, x = q + a4;
        s[0] = v[x], s[1] = v[x + 1], s[2] = v[x + 2], s[3] = v[x + 3];
        for (let i = 0; i < 4; i++) v[q + d4 + i] = s16[from + i];
        return next;
      };
    }
    case SimdOp.I32x4ExtendLowI16x8U: // i32x4.extend_low_i16x8_u
    case SimdOp.I32x4ExtendHighI16x8U: { // i32x4.extend_high_i16x8_u
      const from = op === SimdOp.I32x4ExtendLowI16x8U ? 0 : 4;
      return (p) => {
        const q = p << 1, x = q + a4;
        s[0] = v[x], s[1] = v[x + 1], s[2] = v[x + 2], s[3] = v[x + 3];
        for (let i = 0; i < 4; i++) v[q + d4 + i] = su16[from + i];
        return next;
      };
    }
    case SimdOp.I64x2Abs: // i64x2.abs
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const lo = v[q + a4 + i], hi = v[q + a4 + i + 1];
          if (hi < 0) v[q + d4 + i] = -lo, v[q + d4 + i + 1] = lo === 0 ? -hi : ~hi;
          else v[q + d4 + i] = lo, v[q + d4 + i + 1] = hi;
        }
        return next;
      };
    case SimdOp.I64x2Neg: // i64x2.neg
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const lo = v[q + a4 + i], hi = v[q + a4 + i + 1];
          v[q + d4 + i] = -lo, v[q + d4 + i + 1] = lo === 0 ? -hi : ~hi;
        }
        return next;
      };
    case SimdOp.I64x2ExtendLowI32x4S: // i64x2.extend_low_i32x4_s
    case SimdOp.I64x2ExtendHighI32x4S: { // i64x2.extend_high_i32x4_s
      const from = op === SimdOp.I64x2ExtendLowI32x4S ? 0 : 2;
      return (p) => {
        const q = p << 1;
        const x = v[q + a4 + from], y = v[q + a4 + from + 1];
        v[q + d4] = x, v[q + d4 + 1] = x >> 31, v[q + d4 + 2] = y, v[q + d4 + 3] = y >> 31;
        return next;
      };
    }
    case SimdOp.I64x2ExtendLowI32x4U: // i64x2.extend_low_i32x4_u
    case SimdOp.I64x2ExtendHighI32x4U: { // i64x2.extend_high_i32x4_u
      const from = op === SimdOp.I64x2ExtendLowI32x4U ? 0 : 2;
      return (p) => {
        const q = p << 1;
        const x = v[q + a4 + from], y = v[q + a4 + from + 1];
        v[q + d4] = x, v[q + d4 + 1] = 0, v[q + d4 + 2] = y, v[q + d4 + 3] = 0;
        return next;
      };
    }
  }
  throw new Error(`not an i32x4/i64x2 unary op: 0x${op.toString(16)}`);
}

/** Binary i32x4/i64x2 ops: comparisons, add, sub, mul, min/max, dot, extmul. */
export function wideIntBinary(op: number, d: number, a: number, b: number, next: number): Op {
  const v = V, v16 = V16;
  const d4 = d << 2, a4 = a << 2, b4 = b << 2, a8 = a << 3, b8 = b << 3;
  switch (op) {
    // ---- i32x4 ----
    case SimdOp.I32x4Eq:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(v[q + a4 + i] === v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4Ne:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(v[q + a4 + i] !== v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4LtS:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(v[q + a4 + i] < v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4LtU:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -((v[q + a4 + i] >>> 0) < (v[q + b4 + i] >>> 0));
        return next;
      };
    case SimdOp.I32x4GtS:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(v[q + a4 + i] > v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4GtU:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -((v[q + a4 + i] >>> 0) > (v[q + b4 + i] >>> 0));
        return next;
      };
    case SimdOp.I32x4LeS:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(v[q + a4 + i] <= v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4LeU:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -((v[q + a4 + i] >>> 0) <= (v[q + b4 + i] >>> 0));
        return next;
      };
    case SimdOp.I32x4GeS:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -(v[q + a4 + i] >= v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4GeU:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = -((v[q + a4 + i] >>> 0) >= (v[q + b4 + i] >>> 0));
        return next;
      };
    case SimdOp.I32x4Add: // i32x4.add
      return (p) => {
        const q = p << 1;
        v[q + d4] = v[q + a4] + v[q + b4], v[q + d4 + 1] = v[q + a4 + 1] + v[q + b4 + 1];
        v[q + d4 + 2] = v[q + a4 + 2] + v[q + b4 + 2], v[q + d4 + 3] = v[q + a4 + 3] + v[q + b4 + 3];
        return next;
      };
    case SimdOp.I32x4Sub: // i32x4.sub
      return (p) => {
        const q = p << 1;
        v[q + d4] = v[q + a4] - v[q + b4], v[q + d4 + 1] = v[q + a4 + 1] - v[q + b4 + 1];
        v[q + d4 + 2] = v[q + a4 + 2] - v[q + b4 + 2], v[q + d4 + 3] = v[q + a4 + 3] - v[q + b4 + 3];
        return next;
      };
    case SimdOp.I32x4Mul: // i32x4.mul
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = Math.imul(v[q + a4 + i], v[q + b4 + i]);
        return next;
      };
    case SimdOp.I32x4MinS: // i32x4.min_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = x < y ? x : y;
        }
        return next;
      };
    case SimdOp.I32x4MinU: // i32x4.min_u
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = (x >>> 0) < (y >>> 0) ? x : y;
        }
        return next;
      };
    case SimdOp.I32x4MaxS: // i32x4.max_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = x > y ? x : y;
        }
        return next;
      };
    case SimdOp.I32x4MaxU: // i32x4.max_u
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = (x >>> 0) > (y >>> 0) ? x : y;
        }
        return next;
      };
    case SimdOp.I32x4DotI16x8S: // i32x4.dot_i16x8_s (lane i reads exactly the halves it overwrites)
      return (p) => {
        const q = (p << 1) + d4, x = (p << 2) + a8, y = (p << 2) + b8;
        for (let i = 0; i < 4; i++) {
          v[q + i] = v16[x + 2 * i] * v16[y + 2 * i] + v16[x + 2 * i + 1] * v16[y + 2 * i + 1];
        }
        return next;
      };
    case SimdOp.I32x4ExtmulLowI16x8S: // i32x4.extmul_low_i16x8_s
    case SimdOp.I32x4ExtmulHighI16x8S: { // i32x4.extmul_high_i16x8_s
      const from = op === SimdOp.I32x4ExtmulLowI16x8S ? 0 : 4;
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        for (let i = 0; i < 4; i++) v[q + d4 + i] = S16[from + i] * S16[8 + from + i];
        return next;
      };
    }
    case SimdOp.I32x4ExtmulLowI16x8U: // i32x4.extmul_low_i16x8_u
    case SimdOp.I32x4ExtmulHighI16x8U: { // i32x4.extmul_high_i16x8_u (the product may exceed 2^31: the store wraps it)
      const from = op === SimdOp.I32x4ExtmulLowI16x8U ? 0 : 4;
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        for (let i = 0; i < 4; i++) v[q + d4 + i] = SU16[from + i] * SU16[8 + from + i];
        return next;
      };
    }
    // ---- i64x2 ----
    case SimdOp.I64x2Add: // i64x2.add
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const xl = v[q + a4 + i], yl = v[q + b4 + i], lo = (xl + yl) | 0;
          const carry = (lo >>> 0) < (xl >>> 0) ? 1 : 0;
          v[q + d4 + i + 1] = v[q + a4 + i + 1] + v[q + b4 + i + 1] + carry;
          v[q + d4 + i] = lo;
        }
        return next;
      };
    case SimdOp.I64x2Sub: // i64x2.sub
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const xl = v[q + a4 + i], yl = v[q + b4 + i];
          const borrow = (xl >>> 0) < (yl >>> 0) ? 1 : 0;
          v[q + d4 + i + 1] = v[q + a4 + i + 1] - v[q + b4 + i + 1] - borrow;
          v[q + d4 + i] = xl - yl;
        }
        return next;
      };
    case SimdOp.I64x2Mul: // i64x2.mul: the low product in full, the cross products' low halves
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const xl = v[q + a4 + i], xh = v[q + a4 + i + 1], yl = v[q + b4 + i], yh = v[q + b4 + i + 1];
          v[q + d4 + i] = mulWide(xl >>> 0, yl >>> 0);
          v[q + d4 + i + 1] = productHigh + Math.imul(xl, yh) + Math.imul(xh, yl);
        }
        return next;
      };
    case SimdOp.I64x2Eq: // i64x2.eq
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const r = -(v[q + a4 + i] === v[q + b4 + i] && v[q + a4 + i + 1] === v[q + b4 + i + 1]);
          v[q + d4 + i] = r, v[q + d4 + i + 1] = r;
        }
        return next;
      };
    case SimdOp.I64x2Ne: // i64x2.ne
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const r = -(v[q + a4 + i] !== v[q + b4 + i] || v[q + a4 + i + 1] !== v[q + b4 + i + 1]);
          v[q + d4 + i] = r, v[q + d4 + i + 1] = r;
        }
        return next;
      };
    case SimdOp.I64x2LtS: // i64x2.lt_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const r = -lessThan64(v[q + a4 + i], v[q + a4 + i + 1], v[q + b4 + i], v[q + b4 + i + 1]);
          v[q + d4 + i] = r, v[q + d4 + i + 1] = r;
        }
        return next;
      };
    case SimdOp.I64x2GtS: // i64x2.gt_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const r = -lessThan64(v[q + b4 + i], v[q + b4 + i + 1], v[q + a4 + i], v[q + a4 + i + 1]);
          v[q + d4 + i] = r, v[q + d4 + i + 1] = r;
        }
        return next;
      };
    case SimdOp.I64x2LeS: // i64x2.le_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const r = -!lessThan64(v[q + b4 + i], v[q + b4 + i + 1], v[q + a4 + i], v[q + a4 + i + 1]);
          v[q + d4 + i] = r, v[q + d4 + i + 1] = r;
        }
        return next;
      };
    case SimdOp.I64x2GeS: // i64x2.ge_s
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const r = -!lessThan64(v[q + a4 + i], v[q + a4 + i + 1], v[q + b4 + i], v[q + b4 + i + 1]);
          v[q + d4 + i] = r, v[q + d4 + i + 1] = r;
        }
        return next;
      };
    case SimdOp.I64x2ExtmulLowI32x4S: // i64x2.extmul_low_i32x4_s
    case SimdOp.I64x2ExtmulHighI32x4S: { // i64x2.extmul_high_i32x4_s
      const from = op === SimdOp.I64x2ExtmulLowI32x4S ? 0 : 2;
      return (p) => {
        const q = p << 1;
        const x0 = v[q + a4 + from],
          x1 = v[q + a4 + from + 1],
          y0 = v[q + b4 + from],
          y1 = v[q + b4 + from + 1];
        v[q + d4] = mulWideSigned(x0, y0), v[q + d4 + 1] = productHigh;
        v[q + d4 + 2] = mulWideSigned(x1, y1), v[q + d4 + 3] = productHigh;
        return next;
      };
    }
    case SimdOp.I64x2ExtmulLowI32x4U: // i64x2.extmul_low_i32x4_u
    case SimdOp.I64x2ExtmulHighI32x4U: { // i64x2.extmul_high_i32x4_u
      const from = op === SimdOp.I64x2ExtmulLowI32x4U ? 0 : 2;
      return (p) => {
        const q = p << 1;
        const x0 = v[q + a4 + from],
          x1 = v[q + a4 + from + 1],
          y0 = v[q + b4 + from],
          y1 = v[q + b4 + from + 1];
        v[q + d4] = mulWide(x0 >>> 0, y0 >>> 0), v[q + d4 + 1] = productHigh;
        v[q + d4 + 2] = mulWide(x1 >>> 0, y1 >>> 0), v[q + d4 + 3] = productHigh;
        return next;
      };
    }
  }
  throw new Error(`not an i32x4/i64x2 binary op: 0x${op.toString(16)}`);
}

/** Signed 64-bit x < y, from (low, high) halves. */
function lessThan64(xl: number, xh: number, yl: number, yh: number): boolean {
  return xh < yh || (xh === yh && (xl >>> 0) < (yl >>> 0));
}

function toScratch(x: number, y: number): void {
  const v = V, s = S;
  s[0] = v[x], s[1] = v[x + 1], s[2] = v[x + 2], s[3] = v[x + 3];
  s[4] = v[y], s[5] = v[y + 1], s[6] = v[y + 2], s[7] = v[y + 3];
}

/** i32x4 and i64x2 shifts (0xab..0xad, 0xcb..0xcd) of slot a by the i32 in slot s (modulo the lane width). */
export function wideIntShift(op: number, d: number, a: number, s: number, next: number): Op {
  const v = V, i32 = I32;
  const d4 = d << 2, a4 = a << 2, s2 = s << 1;
  switch (op) {
    case SimdOp.I32x4Shl: // JS shifts already take the count modulo 32
      return (p) => {
        const k = i32[p + s2], q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = v[q + a4 + i] << k;
        return next;
      };
    case SimdOp.I32x4ShrS:
      return (p) => {
        const k = i32[p + s2], q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = v[q + a4 + i] >> k;
        return next;
      };
    case SimdOp.I32x4ShrU:
      return (p) => {
        const k = i32[p + s2], q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = v[q + a4 + i] >>> k;
        return next;
      };
    case SimdOp.I64x2Shl: // i64x2.shl
      return (p) => {
        const k = i32[p + s2] & 63, q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const lo = v[q + a4 + i], hi = v[q + a4 + i + 1];
          if (k === 0) v[q + d4 + i] = lo, v[q + d4 + i + 1] = hi;
          else if (k < 32) v[q + d4 + i] = lo << k, v[q + d4 + i + 1] = (hi << k) | (lo >>> (32 - k));
          else v[q + d4 + i] = 0, v[q + d4 + i + 1] = lo << (k - 32);
        }
        return next;
      };
    case SimdOp.I64x2ShrS: // i64x2.shr_s
      return (p) => {
        const k = i32[p + s2] & 63, q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const lo = v[q + a4 + i], hi = v[q + a4 + i + 1];
          if (k === 0) v[q + d4 + i] = lo, v[q + d4 + i + 1] = hi;
          else if (k < 32) v[q + d4 + i] = (lo >>> k) | (hi << (32 - k)), v[q + d4 + i + 1] = hi >> k;
          else v[q + d4 + i] = hi >> (k - 32), v[q + d4 + i + 1] = hi >> 31;
        }
        return next;
      };
    case SimdOp.I64x2ShrU: // i64x2.shr_u
      return (p) => {
        const k = i32[p + s2] & 63, q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const lo = v[q + a4 + i], hi = v[q + a4 + i + 1];
          if (k === 0) v[q + d4 + i] = lo, v[q + d4 + i + 1] = hi;
          else if (k < 32) v[q + d4 + i] = (lo >>> k) | (hi << (32 - k)), v[q + d4 + i + 1] = hi >>> k;
          else v[q + d4 + i] = hi >>> (k - 32), v[q + d4 + i + 1] = 0;
        }
        return next;
      };
  }
  throw new Error(`not an i32x4/i64x2 shift: 0x${op.toString(16)}`);
}

/** all_true and bitmask of every integer shape (0x63, 0x64, 0x83, 0x84, 0xa3, 0xa4, 0xc3, 0xc4): i32 results. */
export function laneTest(op: number, d: number, a: number, next: number): Op {
  const v = V, i32 = I32;
  const d2 = d << 1, a4 = a << 2;
  switch (op) {
    case SimdOp.I8x16AllTrue: // i8x16.all_true: no word has a zero byte
      return (p) => {
        const q = (p << 1) + a4;
        let all = -1;
        for (let i = 0; i < 4; i++) {
          const w = v[q + i];
          all &= ((w & 0x7f7f7f7f) + 0x7f7f7f7f) | w | 0x7f7f7f7f;
        }
        i32[p + d2] = +(all === -1);
        return next;
      };
    case SimdOp.I8x16Bitmask: // i8x16.bitmask: the four top bits of a word gathered by one multiplication
      return (p) => {
        const q = (p << 1) + a4;
        let mask = 0;
        for (let i = 0; i < 4; i++) {
          const m = (v[q + i] >>> 7) & 0x01010101;
          mask |= ((Math.imul(m, 0x204081) >>> 21) & 0xf) << (4 * i);
        }
        i32[p + d2] = mask;
        return next;
      };
    case SimdOp.I16x8AllTrue: // i16x8.all_true
      return (p) => {
        const q = (p << 1) + a4;
        let all = -1;
        for (let i = 0; i < 4; i++) {
          const w = v[q + i];
          all &= ((w & 0x7fff7fff) + 0x7fff7fff) | w | 0x7fff7fff;
        }
        i32[p + d2] = +(all === -1);
        return next;
      };
    case SimdOp.I16x8Bitmask: // i16x8.bitmask
      return (p) => {
        const q = (p << 1) + a4;
        let mask = 0;
        for (let i = 0; i < 4; i++) {
          const w = v[q + i];
          mask |= (((w >>> 15) & 1) | ((w >>> 30) & 2)) << (2 * i);
        }
        i32[p + d2] = mask;
        return next;
      };
    case SimdOp.I32x4AllTrue: // i32x4.all_true
      return (p) => {
        const q = (p << 1) + a4;
        i32[p + d2] = +(v[q] !== 0 && v[q + 1] !== 0 && v[q + 2] !== 0 && v[q + 3] !== 0);
        return next;
      };
    case SimdOp.I32x4Bitmask: // i32x4.bitmask
      return (p) => {
        const q = (p << 1) + a4;
        i32[p + d2] = (v[q] >>> 31) | ((v[q + 1] >>> 31) << 1) | ((v[q + 2] >>> 31) << 2) |
          ((v[q + 3] >>> 31) << 3);
        return next;
      };
    case SimdOp.I64x2AllTrue: // i64x2.all_true
      return (p) => {
        const q = (p << 1) + a4;
        i32[p + d2] = +((v[q] | v[q + 1]) !== 0 && (v[q + 2] | v[q + 3]) !== 0);
        return next;
      };
    case SimdOp.I64x2Bitmask: // i64x2.bitmask
      return (p) => {
        const q = (p << 1) + a4;
        i32[p + d2] = (v[q + 1] >>> 31) | ((v[q + 3] >>> 31) << 1);
        return next;
      };
  }
  throw new Error(`not a lane test: 0x${op.toString(16)}`);
}
