/**
 * Closure factories for relaxed SIMD (Wasm 3.0, sub-opcodes 0xfd 0x100..0x113), on the slot layout of
 * ops_simd.ts. The spec lets each of these return one of a few results; wasmrun always returns the one
 * V8 computes on x86-64 (with FMA and AVX-VNNI, as on the machines it was measured on), bit for bit, so a
 * module gives the same answers here as under Deno's own WebAssembly (tests/relaxed_simd_test.ts runs both
 * tiers against it; docs/RATIONALE.md, "Relaxed SIMD: V8's x86-64 results"):
 *
 * - i8x16.relaxed_swizzle (pshufb): an index byte with its top bit set gives 0, any other picks lane
 *   `index & 15` (so 16..127 wrap instead of giving 0).
 * - i32x4.relaxed_trunc_f32x4_s, _f64x2_s_zero (cvttps2dq, cvttpd2dq): NaN and out-of-range lanes give
 *   0x80000000 (INT32_MIN), whichever their sign. The unsigned forms saturate as trunc_sat does (NaN → 0,
 *   negative → 0, too big → 0xffffffff). The _zero forms zero lanes 2 and 3.
 * - f32x4/f64x2.relaxed_madd, nmadd (vfmadd, vfnmadd): fused, a single rounding of ±a·b + c. A NaN
 *   operand is returned quieted, the first of a, b, c that is one (a's sign kept by nmadd too); a NaN
 *   made from numbers (∞·0, ∞ − ∞) is x86's default NaN, 0xffc00000 / 0xfff8000000000000.
 * - i*x*.relaxed_laneselect(a, b, m) (pblendvb, blendvps, blendvpd): a where the top bit of the mask is
 *   set, else b, per byte for i8x16 *and i16x8*, per 32-bit lane for i32x4, per 64-bit lane for i64x2.
 * - f32x4/f64x2.relaxed_min(a, b) = a < b ? a : b, relaxed_max(a, b) = a > b ? a : b (minps, maxps): when
 *   either is NaN, or both are zeros, b comes out, its bits unchanged (a signalling NaN stays one).
 * - i16x8.relaxed_q15mulr_s (pmulhrsw): (a·b + 0x4000) >> 15 wrapped to 16 bits: -32768 · -32768 gives
 *   -32768.
 * - i16x8.relaxed_dot_i8x16_i7x16_s (pmaddubsw): a's bytes signed, b's unsigned, each pair's sum
 *   saturated to int16.
 * - i32x4.relaxed_dot_i8x16_i7x16_add_s (vpdpbusd): a's bytes signed, b's unsigned, the four products
 *   summed exactly into 32 bits, then c added, wrapping. (Without AVX-VNNI V8 saturates each pair to
 *   int16 first; without FMA it rounds madd twice: docs/RATIONALE.md.)
 */
import { V } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { SimdOp } from "../../wasm/opcodes.ts";
import { S, SU8, U8, V16, V8, VF32, VF64 } from "./ops_simd.ts";

/** How many v128 operands relaxed instruction `sub` takes (its result is one v128). */
export function relaxedOperands(sub: number): number {
  if (sub >= SimdOp.I32x4RelaxedTruncF32x4S && sub <= SimdOp.I32x4RelaxedTruncF64x2UZero) return 1;
  if (sub >= SimdOp.F32x4RelaxedMadd && sub <= SimdOp.I64x2RelaxedLaneselect) return 3;
  return sub === SimdOp.I32x4RelaxedDotI8x16I7x16AddS ? 3 : 2;
}

const INT32_MIN = -2147483648;
const F32_DEFAULT_NAN = 0xffc00000 | 0;
const F64_DEFAULT_NAN_HIGH = 0xfff80000 | 0;

/** cvttps2dq / cvttpd2dq: NaN and out of range are INT32_MIN. */
function truncS(x: number): number {
  return x > -2147483649 && x < 2147483648 ? x | 0 : INT32_MIN;
}

/** Saturating truncation to u32, as an int32 bit pattern (NaN is 0). */
function truncU(x: number): number {
  return x !== x || x <= -1 ? 0 : x >= 4294967295 ? -1 : x >>> 0;
}

// ---- fused multiply-add ----

const D = new Float64Array(1);
const DI = new Int32Array(D.buffer);

/** x + y rounded to odd: the exact sum if it is a double, else its odd neighbour on that side. */
export function addOdd(x: number, y: number): number {
  const s = x + y, bb = s - x;
  const e = (x - (s - bb)) + (y - bb);
  if (e === 0) return s;
  D[0] = s;
  if ((DI[0] & 1) !== 0) return s;
  if ((e > 0) === (s > 0)) DI[0] |= 1; // one ulp away from zero: the low bit was clear
  else if (DI[0] === 0) DI[0] = -1, DI[1]--; // one ulp toward zero
  else DI[0]--;
  return D[0];
}

/**
 * fma(x, y, z) in single precision, all three finite or infinite floats (no NaN). The product is exact
 * in double; the sum, rounded to odd in 53 bits, then rounds to 24 correctly (Boldo and Melquiond).
 */
export function fma32(x: number, y: number, z: number): number {
  const p = x * y, s = p + z;
  if (s - s !== 0) return s; // an infinity or NaN: exact
  return Math.fround(addOdd(p, z));
}

const SPLIT = 134217729; // 2^27 + 1

/**
 * fma(x, y, z) in double precision (no NaN operand). Finite operands of ordinary size take the
 * emulation of Boldo and Melquiond (exact product by Dekker's splitting, the sum of its error and the
 * low part of z + high product rounded to odd, then one rounding); the rest are computed exactly.
 */
export function fma64(x: number, y: number, z: number): number {
  if (x - x !== 0 || y - y !== 0) return x * y + z; // an infinite factor: ∞·0 NaN, ∞ + -∞ NaN
  if (z - z !== 0) return z; // the product is finite
  if (x === 0 || y === 0) return x * y + z; // an exact zero product: the sign of zero as an add gives it
  const p = x * y;
  if (z === 0) return p; // one rounding of the product (a tiny product keeps its sign)
  const ap = p < 0 ? -p : p, ax = x < 0 ? -x : x, ay = y < 0 ? -y : y, az = z < 0 ? -z : z;
  if (ap > 2 ** -968 && ap < 2 ** 1020 && ax < 2 ** 995 && ay < 2 ** 995 && az < 2 ** 1020) {
    let t = SPLIT * x;
    const xh = t - (t - x), xl = x - xh;
    t = SPLIT * y;
    const yh = t - (t - y), yl = y - yh;
    const pl = ((xh * yh - p) + xh * yl + xl * yh) + xl * yl; // p + pl = x·y exactly
    const th = z + p, bb = th - z;
    const tl = (z - (th - bb)) + (p - bb); // th + tl = z + p exactly
    const r = th + addOdd(tl, pl);
    const ar = r < 0 ? -r : r;
    if (ar > 2 ** -968 && ar < 2 ** 1020) return r;
  }
  return fmaExact(x, y, z);
}

/** A finite nonzero double as m · 2^e, m an integer. */
function decompose(x: number): [bigint, number] {
  D[0] = x;
  const hi = DI[1], exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(DI[0] >>> 0);
  if (exp !== 0) m |= 1n << 52n;
  return [hi < 0 ? -m : m, exp === 0 ? -1074 : exp - 1075];
}

/** x·y + z rounded once, by integer arithmetic (finite operands, x and y nonzero). */
function fmaExact(x: number, y: number, z: number): number {
  const [mx, ex] = decompose(x), [my, ey] = decompose(y);
  const [mz, ez] = z === 0 ? [0n, ex + ey] : decompose(z);
  const e = Math.min(ex + ey, ez);
  let n = ((mx * my) << BigInt(ex + ey - e)) + (mz << BigInt(ez - e));
  if (n === 0n) return 0;
  const negative = n < 0n;
  if (negative) n = -n;
  const top = n.toString(2).length - 1 + e;
  if (top > 1023) return negative ? -Infinity : Infinity;
  const q = Math.max(top - 52, -1074), shift = q - e;
  let m: bigint;
  if (shift <= 0) m = n << BigInt(-shift);
  else {
    const s = BigInt(shift);
    m = n >> s;
    const rest = n - (m << s), half = 1n << (s - 1n);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m++;
  }
  const r = Number(m) * 2 ** q; // exact, or the overflow to infinity rounding gives
  return negative ? -r : r;
}

// ---- the closures ----

/** The closure of relaxed instruction `sub`: operands in slots a, b, c (as many as it takes), result d. */
export function relaxedSimd(sub: number, d: number, a: number, b: number, c: number, next: number): Op {
  const v = V, f32 = VF32, f64 = VF64;
  const d4 = d << 2, a4 = a << 2, b4 = b << 2, c4 = c << 2;
  switch (sub) {
    case SimdOp.I8x16RelaxedSwizzle: { // pshufb
      const u8 = U8, s = S, su8 = SU8;
      const d16 = d << 4, b16 = b << 4;
      return (p) => {
        const q = p << 1;
        s[0] = v[q + a4], s[1] = v[q + a4 + 1], s[2] = v[q + a4 + 2], s[3] = v[q + a4 + 3];
        const o = (p << 3) + d16, x = (p << 3) + b16;
        for (let i = 0; i < 16; i++) {
          const k = u8[x + i];
          u8[o + i] = k & 0x80 ? 0 : su8[k & 15];
        }
        return next;
      };
    }
    case SimdOp.I32x4RelaxedTruncF32x4S:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = truncS(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.I32x4RelaxedTruncF32x4U:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) v[q + d4 + i] = truncU(f32[q + a4 + i]);
        return next;
      };
    case SimdOp.I32x4RelaxedTruncF64x2SZero:
    case SimdOp.I32x4RelaxedTruncF64x2UZero: {
      const t = sub === SimdOp.I32x4RelaxedTruncF64x2SZero ? truncS : truncU;
      const a2 = a << 1;
      return (p) => {
        const x = f64[p + a2], y = f64[p + a2 + 1], q = (p << 1) + d4;
        v[q] = t(x), v[q + 1] = t(y), v[q + 2] = 0, v[q + 3] = 0;
        return next;
      };
    }
    case SimdOp.F32x4RelaxedMadd:
    case SimdOp.F32x4RelaxedNmadd: {
      const sign = sub === SimdOp.F32x4RelaxedMadd ? 1 : -1;
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = f32[q + a4 + i], y = f32[q + b4 + i], z = f32[q + c4 + i];
          if (x !== x || y !== y || z !== z) {
            const bits = x !== x ? v[q + a4 + i] : y !== y ? v[q + b4 + i] : v[q + c4 + i];
            v[q + d4 + i] = bits | 0x400000;
            continue;
          }
          const r = fma32(sign * x, y, z);
          if (r !== r) v[q + d4 + i] = F32_DEFAULT_NAN;
          else f32[q + d4 + i] = r;
        }
        return next;
      };
    }
    case SimdOp.F64x2RelaxedMadd:
    case SimdOp.F64x2RelaxedNmadd: {
      const sign = sub === SimdOp.F64x2RelaxedMadd ? 1 : -1;
      const d2 = d << 1, a2 = a << 1, b2 = b << 1, c2 = c << 1;
      return (p) => {
        for (let i = 0; i < 2; i++) {
          const x = f64[p + a2 + i], y = f64[p + b2 + i], z = f64[p + c2 + i];
          if (x !== x || y !== y || z !== z) {
            const w = (p << 1) + (x !== x ? a4 : y !== y ? b4 : c4) + 2 * i, o = (p << 1) + d4 + 2 * i;
            v[o] = v[w], v[o + 1] = v[w + 1] | 0x80000;
            continue;
          }
          const r = fma64(sign * x, y, z);
          if (r === r) f64[p + d2 + i] = r;
          else {
            const o = (p << 1) + d4 + 2 * i;
            v[o] = 0, v[o + 1] = F64_DEFAULT_NAN_HIGH;
          }
        }
        return next;
      };
    }
    case SimdOp.I8x16RelaxedLaneselect: // pblendvb: by the top bit of each byte
    case SimdOp.I16x8RelaxedLaneselect:
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const m = Math.imul((v[q + c4 + i] & 0x80808080) >>> 7, 0xff);
          v[q + d4 + i] = (v[q + a4 + i] & m) | (v[q + b4 + i] & ~m);
        }
        return next;
      };
    case SimdOp.I32x4RelaxedLaneselect: // blendvps: by the top bit of each 32-bit lane
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const m = v[q + c4 + i] >> 31;
          v[q + d4 + i] = (v[q + a4 + i] & m) | (v[q + b4 + i] & ~m);
        }
        return next;
      };
    case SimdOp.I64x2RelaxedLaneselect: // blendvpd: by the top bit of each 64-bit lane
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i += 2) {
          const m = v[q + c4 + i + 1] >> 31;
          v[q + d4 + i] = (v[q + a4 + i] & m) | (v[q + b4 + i] & ~m);
          v[q + d4 + i + 1] = (v[q + a4 + i + 1] & m) | (v[q + b4 + i + 1] & ~m);
        }
        return next;
      };
    case SimdOp.F32x4RelaxedMin: // minps: a < b ? a : b, bits moved as they are
    case SimdOp.F32x4RelaxedMax: { // maxps: a > b ? a : b
      const isMin = sub === SimdOp.F32x4RelaxedMin;
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 4; i++) {
          const x = f32[q + a4 + i], y = f32[q + b4 + i];
          v[q + d4 + i] = (isMin ? x < y : x > y) ? v[q + a4 + i] : v[q + b4 + i];
        }
        return next;
      };
    }
    case SimdOp.F64x2RelaxedMin: // minpd, maxpd
    case SimdOp.F64x2RelaxedMax: {
      const isMin = sub === SimdOp.F64x2RelaxedMin;
      const a2 = a << 1, b2 = b << 1;
      return (p) => {
        const q = p << 1;
        for (let i = 0; i < 2; i++) {
          const x = f64[p + a2 + i], y = f64[p + b2 + i];
          const w = q + ((isMin ? x < y : x > y) ? a4 : b4) + 2 * i, o = q + d4 + 2 * i;
          v[o] = v[w], v[o + 1] = v[w + 1];
        }
        return next;
      };
    }
    case SimdOp.I16x8RelaxedQ15mulrS: { // pmulhrsw: -32768 · -32768 wraps to -32768
      const v16 = V16, d8 = d << 3, a8 = a << 3, b8 = b << 3;
      return (p) => {
        const o = p << 2;
        for (let i = 0; i < 8; i++) v16[o + d8 + i] = (v16[o + a8 + i] * v16[o + b8 + i] + 0x4000) >> 15;
        return next;
      };
    }
    case SimdOp.I16x8RelaxedDotI8x16I7x16S: { // pmaddubsw: a signed, b unsigned, pairs saturated
      const s8 = V8, u8 = U8, v16 = V16, d8 = d << 3, a16 = a << 4, b16 = b << 4;
      return (p) => {
        const o = p << 3, x = o + a16, y = o + b16, w = (p << 2) + d8;
        for (let i = 0; i < 8; i++) {
          const k = s8[x + 2 * i] * u8[y + 2 * i] + s8[x + 2 * i + 1] * u8[y + 2 * i + 1];
          v16[w + i] = k > 32767 ? 32767 : k < -32768 ? -32768 : k;
        }
        return next;
      };
    }
    case SimdOp.I32x4RelaxedDotI8x16I7x16AddS: { // vpdpbusd: a signed, b unsigned, exact, + c
      const s8 = V8, u8 = U8, a16 = a << 4, b16 = b << 4;
      return (p) => {
        const q = p << 1, o = p << 3, x = o + a16, y = o + b16;
        for (let i = 0; i < 4; i++) {
          const j = 4 * i;
          const k = s8[x + j] * u8[y + j] + s8[x + j + 1] * u8[y + j + 1] + s8[x + j + 2] * u8[y + j + 2] +
            s8[x + j + 3] * u8[y + j + 3];
          v[q + d4 + i] = (k + v[q + c4 + i]) | 0;
        }
        return next;
      };
    }
  }
  throw new Error(`relaxed SIMD: no sub-opcode 0x${sub.toString(16)}`);
}
