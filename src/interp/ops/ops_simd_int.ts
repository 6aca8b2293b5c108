/**
 * Closure factories for i8x16 and i16x8 lane arithmetic (see ops_simd.ts for the slot layout).
 * Additions, subtractions and equality work on whole 32-bit words (SWAR: lanes kept apart by masking
 * the top bit of each lane); the rest loops over the lanes of a typed view. Factories pre-scale the
 * slot numbers to the view's element size: byte lanes at 8·p + 16·slot, 16-bit lanes at 4·p + 8·slot.
 */
import { I32, V } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { S, S16, S8, SU8, U16, U8, V16, V8 } from "./ops_simd.ts";
import { SimdOp } from "../../wasm/opcodes.ts";

const UC: Uint8ClampedArray = new Uint8ClampedArray(V.buffer);

/** Set bits per byte value, for i8x16.popcnt. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, x) => {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
});

/** Copies the v128 at V index x (and y, when given) into the scratch pair S. */
function toScratch(x: number, y: number): void {
  const v = V, s = S;
  s[0] = v[x], s[1] = v[x + 1], s[2] = v[x + 2], s[3] = v[x + 3];
  s[4] = v[y], s[5] = v[y + 1], s[6] = v[y + 2], s[7] = v[y + 3];
}

/** Unary i8x16/i16x8 ops: abs, neg, popcnt, extend, extadd_pairwise. */
export function narrowIntUnary(op: number, d: number, a: number, next: number): Op {
  const v8 = V8, u8 = U8, v16 = V16, u16 = U16, s8 = S8, su8 = SU8;
  const d16 = d << 4, a16 = a << 4, d8 = d << 3, a8 = a << 3, a4 = a << 2;
  switch (op) {
    case SimdOp.I8x16Abs: // i8x16.abs
      return (p) => {
        const o = (p << 3) + d16, x = (p << 3) + a16;
        for (let i = 0; i < 16; i++) {
          const k = v8[x + i];
          v8[o + i] = k < 0 ? -k : k;
        }
        return next;
      };
    case SimdOp.I8x16Neg: // i8x16.neg
      return (p) => {
        const o = (p << 3) + d16, x = (p << 3) + a16;
        for (let i = 0; i < 16; i++) v8[o + i] = -v8[x + i];
        return next;
      };
    case SimdOp.I8x16Popcnt: // i8x16.popcnt
      return (p) => {
        const o = (p << 3) + d16, x = (p << 3) + a16;
        for (let i = 0; i < 16; i++) u8[o + i] = POPCOUNT[u8[x + i]];
        return next;
      };
    case SimdOp.I16x8ExtaddPairwiseI8x16S: // i16x8.extadd_pairwise_i8x16_s (lane i reads exactly the bytes it overwrites)
      return (p) => {
        const o = (p << 2) + d8, x = (p << 3) + a16;
        for (let i = 0; i < 8; i++) v16[o + i] = v8[x + 2 * i] + v8[x + 2 * i + 1];
        return next;
      };
    case SimdOp.I16x8ExtaddPairwiseI8x16U: // i16x8.extadd_pairwise_i8x16_u
      return (p) => {
        const o = (p << 2) + d8, x = (p << 3) + a16;
        for (let i = 0; i < 8; i++) u16[o + i] = u8[x + 2 * i] + u8[x + 2 * i + 1];
        return next;
      };
    case SimdOp.I16x8Abs: // i16x8.abs
      return (p) => {
        const o = (p << 2) + d8, x = (p << 2) + a8;
        for (let i = 0; i < 8; i++) {
          const k = v16[x + i];
          v16[o + i] = k < 0 ? -k : k;
        }
        return next;
      };
    case SimdOp.I16x8Neg: // i16x8.neg
      return (p) => {
        const o = (p << 2) + d8, x = (p << 2) + a8;
        for (let i = 0; i < 8; i++) v16[o + i] = -v16[x + i];
        return next;
      };
    case SimdOp.I16x8ExtendLowI8x16S: // i16x8.extend_low_i8x16_s
    case SimdOp.I16x8ExtendHighI8x16S: { // i16x8.extend_high_i8x16_s
      const from = op === SimdOp.I16x8ExtendLowI8x16S ? 0 : 8;
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + a4);
        const o = (p << 2) + d8;
        for (let i = 0; i < 8; i++) v16[o + i] = s8[from + i];
        return next;
      };
    }
    case SimdOp.I16x8ExtendLowI8x16U: // i16x8.extend_low_i8x16_u
    case SimdOp.I16x8ExtendHighI8x16U: { // i16x8.extend_high_i8x16_u
      const from = op === SimdOp.I16x8ExtendLowI8x16U ? 0 : 8;
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + a4);
        const o = (p << 2) + d8;
        for (let i = 0; i < 8; i++) u16[o + i] = su8[from + i];
        return next;
      };
    }
  }
  throw new Error(`not an i8x16/i16x8 unary op: 0x${op.toString(16)}`);
}

/** Binary i8x16/i16x8 ops: comparisons, narrowing, add/sub (wrapping and saturating), mul, min/max, avgr, extmul. */
export function narrowIntBinary(op: number, d: number, a: number, b: number, next: number): Op {
  const v = V, v8 = V8, u8 = U8, uc = UC, v16 = V16, u16 = U16, s8 = S8, su8 = SU8, s16 = S16;
  const d16 = d << 4, a16 = a << 4, b16 = b << 4, d8 = d << 3, a8 = a << 3, b8 = b << 3;
  const d4 = d << 2, a4 = a << 2, b4 = b << 2;
  switch (op) {
    // ---- i8x16 ----
    case SimdOp.I8x16Eq: // eq: a byte of x ^ y is zero exactly when its top bit survives this test
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const t = v[q + a4 + i] ^ v[q + b4 + i];
          const z = ~(((t & 0x7f7f7f7f) + 0x7f7f7f7f) | t | 0x7f7f7f7f);
          v[q + d4 + i] = Math.imul(z >>> 7, 0xff);
        }
        return next;
      };
    case SimdOp.I8x16Ne: // ne
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const t = v[q + a4 + i] ^ v[q + b4 + i];
          const z = ~(((t & 0x7f7f7f7f) + 0x7f7f7f7f) | t | 0x7f7f7f7f);
          v[q + d4 + i] = ~Math.imul(z >>> 7, 0xff);
        }
        return next;
      };
    case SimdOp.I8x16LtS:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(v8[o + a16 + i] < v8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16LtU:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(u8[o + a16 + i] < u8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16GtS:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(v8[o + a16 + i] > v8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16GtU:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(u8[o + a16 + i] > u8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16LeS:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(v8[o + a16 + i] <= v8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16LeU:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(u8[o + a16 + i] <= u8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16GeS:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(v8[o + a16 + i] >= v8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16GeU:
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = -(u8[o + a16 + i] >= u8[o + b16 + i]);
        return next;
      };
    case SimdOp.I8x16NarrowI16x8S: // i8x16.narrow_i16x8_s
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        const o = (p << 3) + d16;
        for (let i = 0; i < 16; i++) {
          const k = s16[i];
          v8[o + i] = k > 127 ? 127 : k < -128 ? -128 : k;
        }
        return next;
      };
    case SimdOp.I8x16NarrowI16x8U: // i8x16.narrow_i16x8_u
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        const o = (p << 3) + d16;
        for (let i = 0; i < 16; i++) uc[o + i] = s16[i];
        return next;
      };
    case SimdOp.I8x16Add: // i8x16.add
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & 0x80808080);
        }
        return next;
      };
    case SimdOp.I8x16AddSatS: // i8x16.add_sat_s
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) {
          const k = v8[o + a16 + i] + v8[o + b16 + i];
          v8[o + d16 + i] = k > 127 ? 127 : k < -128 ? -128 : k;
        }
        return next;
      };
    case SimdOp.I8x16AddSatU: // i8x16.add_sat_u
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) uc[o + d16 + i] = u8[o + a16 + i] + u8[o + b16 + i];
        return next;
      };
    case SimdOp.I8x16Sub: // i8x16.sub
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = ((x | 0x80808080) - (y & 0x7f7f7f7f)) ^ ((x ^ ~y) & 0x80808080);
        }
        return next;
      };
    case SimdOp.I8x16SubSatS: // i8x16.sub_sat_s
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) {
          const k = v8[o + a16 + i] - v8[o + b16 + i];
          v8[o + d16 + i] = k > 127 ? 127 : k < -128 ? -128 : k;
        }
        return next;
      };
    case SimdOp.I8x16SubSatU: // i8x16.sub_sat_u
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) uc[o + d16 + i] = u8[o + a16 + i] - u8[o + b16 + i];
        return next;
      };
    case SimdOp.I8x16MinS: // i8x16.min_s
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) {
          const x = v8[o + a16 + i], y = v8[o + b16 + i];
          v8[o + d16 + i] = x < y ? x : y;
        }
        return next;
      };
    case SimdOp.I8x16MinU: // i8x16.min_u
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) {
          const x = u8[o + a16 + i], y = u8[o + b16 + i];
          u8[o + d16 + i] = x < y ? x : y;
        }
        return next;
      };
    case SimdOp.I8x16MaxS: // i8x16.max_s
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) {
          const x = v8[o + a16 + i], y = v8[o + b16 + i];
          v8[o + d16 + i] = x > y ? x : y;
        }
        return next;
      };
    case SimdOp.I8x16MaxU: // i8x16.max_u
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) {
          const x = u8[o + a16 + i], y = u8[o + b16 + i];
          u8[o + d16 + i] = x > y ? x : y;
        }
        return next;
      };
    case SimdOp.I8x16AvgrU: // i8x16.avgr_u
      return (p) => {
        const o = p << 3;
        for (let i = 0; i < 16; i++) u8[o + d16 + i] = (u8[o + a16 + i] + u8[o + b16 + i] + 1) >>> 1;
        return next;
      };
    // ---- i16x8 ----
    case SimdOp.I16x8Eq: // eq
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const t = v[q + a4 + i] ^ v[q + b4 + i];
          const z = ~(((t & 0x7fff7fff) + 0x7fff7fff) | t | 0x7fff7fff);
          v[q + d4 + i] = Math.imul(z >>> 15, 0xffff);
        }
        return next;
      };
    case SimdOp.I16x8Ne: // ne
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const t = v[q + a4 + i] ^ v[q + b4 + i];
          const z = ~(((t & 0x7fff7fff) + 0x7fff7fff) | t | 0x7fff7fff);
          v[q + d4 + i] = ~Math.imul(z >>> 15, 0xffff);
        }
        return next;
      };
    case SimdOp.I16x8LtS:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(v16[o + a8 + i] < v16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8LtU:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(u16[o + a8 + i] < u16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8GtS:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(v16[o + a8 + i] > v16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8GtU:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(u16[o + a8 + i] > u16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8LeS:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(v16[o + a8 + i] <= v16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8LeU:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(u16[o + a8 + i] <= u16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8GeS:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(v16[o + a8 + i] >= v16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8GeU:
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = -(u16[o + a8 + i] >= u16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8Q15mulrSatS: // i16x8.q15mulr_sat_s: only -32768 · -32768 overflows
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const k = (v16[o + a8 + i] * v16[o + b8 + i] + 0x4000) >> 15;
          v16[o + d8 + i] = k > 32767 ? 32767 : k;
        }
        return next;
      };
    case SimdOp.I16x8NarrowI32x4S: // i16x8.narrow_i32x4_s
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        const o = (p << 2) + d8, s = S;
        for (let i = 0; i < 8; i++) {
          const k = s[i];
          v16[o + i] = k > 32767 ? 32767 : k < -32768 ? -32768 : k;
        }
        return next;
      };
    case SimdOp.I16x8NarrowI32x4U: // i16x8.narrow_i32x4_u
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        const o = (p << 2) + d8, s = S;
        for (let i = 0; i < 8; i++) {
          const k = s[i];
          u16[o + i] = k > 65535 ? 65535 : k < 0 ? 0 : k;
        }
        return next;
      };
    case SimdOp.I16x8Add: // i16x8.add
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = ((x & 0x7fff7fff) + (y & 0x7fff7fff)) ^ ((x ^ y) & 0x80008000);
        }
        return next;
      };
    case SimdOp.I16x8AddSatS: // i16x8.add_sat_s
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const k = v16[o + a8 + i] + v16[o + b8 + i];
          v16[o + d8 + i] = k > 32767 ? 32767 : k < -32768 ? -32768 : k;
        }
        return next;
      };
    case SimdOp.I16x8AddSatU: // i16x8.add_sat_u
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const k = u16[o + a8 + i] + u16[o + b8 + i];
          u16[o + d8 + i] = k > 65535 ? 65535 : k;
        }
        return next;
      };
    case SimdOp.I16x8Sub: // i16x8.sub
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = v[q + a4 + i], y = v[q + b4 + i];
          v[q + d4 + i] = ((x | 0x80008000) - (y & 0x7fff7fff)) ^ ((x ^ ~y) & 0x80008000);
        }
        return next;
      };
    case SimdOp.I16x8SubSatS: // i16x8.sub_sat_s
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const k = v16[o + a8 + i] - v16[o + b8 + i];
          v16[o + d8 + i] = k > 32767 ? 32767 : k < -32768 ? -32768 : k;
        }
        return next;
      };
    case SimdOp.I16x8SubSatU: // i16x8.sub_sat_u
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const k = u16[o + a8 + i] - u16[o + b8 + i];
          u16[o + d8 + i] = k < 0 ? 0 : k;
        }
        return next;
      };
    case SimdOp.I16x8Mul: // i16x8.mul
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = Math.imul(v16[o + a8 + i], v16[o + b8 + i]);
        return next;
      };
    case SimdOp.I16x8MinS: // i16x8.min_s
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const x = v16[o + a8 + i], y = v16[o + b8 + i];
          v16[o + d8 + i] = x < y ? x : y;
        }
        return next;
      };
    case SimdOp.I16x8MinU: // i16x8.min_u
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const x = u16[o + a8 + i], y = u16[o + b8 + i];
          u16[o + d8 + i] = x < y ? x : y;
        }
        return next;
      };
    case SimdOp.I16x8MaxS: // i16x8.max_s
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const x = v16[o + a8 + i], y = v16[o + b8 + i];
          v16[o + d8 + i] = x > y ? x : y;
        }
        return next;
      };
    case SimdOp.I16x8MaxU: // i16x8.max_u
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) {
          const x = u16[o + a8 + i], y = u16[o + b8 + i];
          u16[o + d8 + i] = x > y ? x : y;
        }
        return next;
      };
    case SimdOp.I16x8AvgrU: // i16x8.avgr_u
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) u16[o + d8 + i] = (u16[o + a8 + i] + u16[o + b8 + i] + 1) >>> 1;
        return next;
      };
    case SimdOp.I16x8ExtmulLowI8x16S: // i16x8.extmul_low_i8x16_s
    case SimdOp.I16x8ExtmulHighI8x16S: { // i16x8.extmul_high_i8x16_s
      const from = op === SimdOp.I16x8ExtmulLowI8x16S ? 0 : 8;
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        const o = (p << 2) + d8;
        for (let i = 0; i < 8; i++) v16[o + i] = s8[from + i] * s8[16 + from + i];
        return next;
      };
    }
    case SimdOp.I16x8ExtmulLowI8x16U: // i16x8.extmul_low_i8x16_u
    case SimdOp.I16x8ExtmulHighI8x16U: { // i16x8.extmul_high_i8x16_u
      const from = op === SimdOp.I16x8ExtmulLowI8x16U ? 0 : 8;
      return (p) => {
        const q = p << 1;
        toScratch(q + a4, q + b4);
        const o = (p << 2) + d8;
        for (let i = 0; i < 8; i++) u16[o + i] = su8[from + i] * su8[16 + from + i];
        return next;
      };
    }
  }
  throw new Error(`not an i8x16/i16x8 binary op: 0x${op.toString(16)}`);
}

/** i8x16 and i16x8 shifts (0x6b..0x6d, 0x8b..0x8d) of slot a by the i32 in slot s (modulo the lane width). */
export function narrowIntShift(op: number, d: number, a: number, s: number, next: number): Op {
  const v = V, i32 = I32, v8 = V8, v16 = V16;
  const d4 = d << 2, a4 = a << 2, d16 = d << 4, a16 = a << 4, d8 = d << 3, a8 = a << 3, s2 = s << 1;
  switch (op) {
    case SimdOp.I8x16Shl: // i8x16.shl: shift whole words, clear the bits that crossed into the next lane
      return (p) => {
        const k = i32[p + s2] & 7, m = Math.imul((0xff << k) & 0xff, 0x01010101), q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = (v[q + a4 + i] << k) & m;
        return next;
      };
    case SimdOp.I8x16ShrS: // i8x16.shr_s
      return (p) => {
        const k = i32[p + s2] & 7, o = p << 3;
        for (let i = 0; i < 16; i++) v8[o + d16 + i] = v8[o + a16 + i] >> k;
        return next;
      };
    case SimdOp.I8x16ShrU: // i8x16.shr_u
      return (p) => {
        const k = i32[p + s2] & 7, m = Math.imul(0xff >>> k, 0x01010101), q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = (v[q + a4 + i] >>> k) & m;
        return next;
      };
    case SimdOp.I16x8Shl: // i16x8.shl
      return (p) => {
        const k = i32[p + s2] & 15, m = Math.imul((0xffff << k) & 0xffff, 0x10001), q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = (v[q + a4 + i] << k) & m;
        return next;
      };
    case SimdOp.I16x8ShrS: // i16x8.shr_s
      return (p) => {
        const k = i32[p + s2] & 15, o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = v16[o + a8 + i] >> k;
        return next;
      };
    case SimdOp.I16x8ShrU: // i16x8.shr_u
      return (p) => {
        const k = i32[p + s2] & 15, m = Math.imul(0xffff >>> k, 0x10001), q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = (v[q + a4 + i] >>> k) & m;
        return next;
      };
  }
  throw new Error(`not an i8x16/i16x8 shift: 0x${op.toString(16)}`);
}
