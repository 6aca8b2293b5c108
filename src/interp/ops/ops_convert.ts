/**
 * Closure factories for conversions between number types: truncations (trapping and saturating),
 * int→float conversions with a single correct rounding, demote/promote. Reinterpretations need no
 * closure of their own: in our slot layout they are plain copies of the bits.
 */
import { F32, F64, I32 } from "../../runtime/machine.ts";
import { type Op, trap } from "../../runtime/objects.ts";
import { Op as Opcode } from "../../wasm/opcodes.ts";

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

/** Writes the integer-valued double `t` (|t| < 2^64) as a two's-complement i64. */
function writeIntegral(d: number, t: number): void {
  const neg = t < 0;
  const u = neg ? -t : t;
  const hi = Math.floor(u / TWO32);
  const lo = u - hi * TWO32;
  if (!neg) {
    I32[d] = lo, I32[d + 1] = hi;
  } else if (lo === 0) {
    I32[d] = 0, I32[d + 1] = -hi;
  } else {
    I32[d] = -lo, I32[d + 1] = ~hi;
  }
}

/** Unsigned 64-bit (lo, hi) to f32 with one rounding: low bits beyond 53 fold into a sticky bit. */
function u64ToF32(lo: number, hi: number): number {
  const h = hi >>> 0;
  if (h < 0x200000) return Math.fround(h * TWO32 + (lo >>> 0));
  const kept = (lo & ~0x7ff) | ((lo & 0x7ff) !== 0 ? 0x800 : 0);
  return Math.fround(h * TWO32 + (kept >>> 0));
}

function s64ToF32(lo: number, hi: number): number {
  if (hi >= 0) return u64ToF32(lo, hi);
  // magnitude of a negative value: two's complement negation
  const nlo = -lo | 0;
  const nhi = lo === 0 ? -hi | 0 : ~hi;
  return -u64ToF32(nlo, nhi);
}

function truncChecked(x: number, min: number, max: number): number {
  if (x !== x) trap("invalid conversion to integer");
  const t = Math.trunc(x);
  if (t < min || t > max) trap("integer overflow");
  return t;
}

function sat(x: number, min: number, max: number): number {
  if (x !== x) return 0;
  const t = Math.trunc(x);
  return t < min ? min : t > max ? max : t;
}

/**
 * Conversions by opcode (0xa8..0xbb); `sat` selects the saturating 0xfc 0..7 forms, which reuse the
 * trapping opcodes' numbering (0xfc 0 = 0xa8 … 0xfc 7 = 0xb1).
 */
export function convert(op: number, d: number, a: number, next: number, saturating = false): Op {
  const i32 = I32, f32 = F32, f64 = F64;
  const d2 = d << 1, a2 = a << 1;
  const conv = saturating ? sat : truncChecked;
  switch (op) {
    case Opcode.I32TruncF32S:
      return (p) => (i32[p + d2] = conv(f32[p + a2], -2147483648, 2147483647), next);
    case Opcode.I32TruncF32U:
      return (p) => (i32[p + d2] = conv(f32[p + a2], saturating ? 0 : -0.9999, 4294967295), next);
    case Opcode.I32TruncF64S:
      return (p) => (i32[p + d2] = conv(f64[(p >> 1) + a], -2147483648, 2147483647), next);
    case Opcode.I32TruncF64U:
      return (p) => (i32[p + d2] = conv(f64[(p >> 1) + a], saturating ? 0 : -0.9999, 4294967295), next);
    case Opcode.I64TruncF32S:
      return (p) => (i64FromFloat(p + d2, f32[p + a2], true, saturating), next);
    case Opcode.I64TruncF32U:
      return (p) => (i64FromFloat(p + d2, f32[p + a2], false, saturating), next);
    case Opcode.I64TruncF64S:
      return (p) => (i64FromFloat(p + d2, f64[(p >> 1) + a], true, saturating), next);
    case Opcode.I64TruncF64U:
      return (p) => (i64FromFloat(p + d2, f64[(p >> 1) + a], false, saturating), next);
    case Opcode.F32ConvertI32S:
      return (p) => (f32[p + d2] = i32[p + a2], next);
    case Opcode.F32ConvertI32U:
      return (p) => (f32[p + d2] = i32[p + a2] >>> 0, next);
    case Opcode.F32ConvertI64S:
      return (p) => (f32[p + d2] = s64ToF32(i32[p + a2], i32[p + a2 + 1]), next);
    case Opcode.F32ConvertI64U:
      return (p) => (f32[p + d2] = u64ToF32(i32[p + a2], i32[p + a2 + 1]), next);
    case Opcode.F32DemoteF64:
      return (p) => (f32[p + d2] = f64[(p >> 1) + a], next);
    case Opcode.F64ConvertI32S:
      return (p) => (f64[(p >> 1) + d] = i32[p + a2], next);
    case Opcode.F64ConvertI32U:
      return (p) => (f64[(p >> 1) + d] = i32[p + a2] >>> 0, next);
    case Opcode.F64ConvertI64S:
      return (p) => (f64[(p >> 1) + d] = i32[p + a2 + 1] * TWO32 + (i32[p + a2] >>> 0), next);
    case Opcode.F64ConvertI64U:
      return (p) => (f64[(p >> 1) + d] = (i32[p + a2 + 1] >>> 0) * TWO32 + (i32[p + a2] >>> 0), next);
    case Opcode.F64PromoteF32:
      return (p) => (f64[(p >> 1) + d] = f32[p + a2], next);
  }
  throw new Error(`not a conversion: 0x${op.toString(16)}`);
}

function i64FromFloat(d: number, x: number, signed: boolean, saturating: boolean): void {
  if (x !== x) {
    if (!saturating) trap("invalid conversion to integer");
    I32[d] = 0, I32[d + 1] = 0;
    return;
  }
  const t = Math.trunc(x);
  const inRange = signed ? t >= -TWO63 && t < TWO63 : t > -1 && t < TWO64;
  if (inRange) return writeIntegral(d, t === 0 ? 0 : t);
  if (!saturating) trap("integer overflow");
  if (signed) {
    I32[d] = t < 0 ? 0 : -1, I32[d + 1] = t < 0 ? 0x80000000 : 0x7fffffff;
  } else {
    I32[d] = t < 0 ? 0 : -1, I32[d + 1] = t < 0 ? 0 : -1;
  }
}
