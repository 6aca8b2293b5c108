/**
 * Numeric literals of the text format: integers (decimal or hex, with `_` between digits) and floats
 * (decimal, hex, `inf`, `nan`, `nan:0x…`), rounded exactly: f32 literals are never rounded through f64
 * (that rounds twice), hex floats and f32 midpoints go through exact BigInt arithmetic.
 */

import { hexValue } from "./lexer.ts";

/** The end of the digits from `i` (single `_` between digits), or -1 if none or malformed. */
function digitsEnd(s: string, i: number, hex: boolean): number {
  const start = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      if (i === start || s.charCodeAt(i - 1) === 0x5f) return -1;
      continue;
    }
    if (hex ? hexValue(c) < 0 : (c < 0x30 || c > 0x39)) break;
  }
  if (i === start || s.charCodeAt(i - 1) === 0x5f) return -1;
  return i;
}

/** The unsigned value of `s` (no sign), or -1 if malformed or above `max`. Exact up to 2^53. */
function unsignedNumber(s: string, from: number, max: number): number {
  let hex = false;
  let i = from;
  if (s.charCodeAt(i) === 0x30 && s.charCodeAt(i + 1) === 0x78) hex = true, i += 2;
  if (digitsEnd(s, i, hex) !== s.length) return -1;
  let v = 0;
  const base = hex ? 16 : 10;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) continue;
    v = v * base + (hex ? hexValue(c) : c - 0x30);
    if (v > max) return -1;
  }
  return v;
}

/** The unsigned value of `s` from `from` as a BigInt, or null if malformed. */
function unsignedBig(s: string, from: number): bigint | null {
  let hex = false;
  let i = from;
  if (s.charCodeAt(i) === 0x30 && s.charCodeAt(i + 1) === 0x78) hex = true, i += 2;
  if (digitsEnd(s, i, hex) !== s.length) return null;
  const digits = s.slice(i).replaceAll("_", "");
  return BigInt(hex ? "0x" + digits : digits);
}

/** A `u32` (an index, a lane, a count): its value, or -1 if malformed or out of range. */
export function parseU32(s: string): number {
  return unsignedNumber(s, 0, 0xffffffff);
}

/** A `u64` (a memory offset), or null. */
export function parseU64(s: string): bigint | null {
  const c = s.charCodeAt(0);
  if (c === 0x2b || c === 0x2d) return null;
  const v = unsignedBig(s, 0);
  return v === null || v >= 1n << 64n ? null : v;
}

/**
 * An `iN` literal for N ≤ 32: unsigned up to 2^N − 1, or signed (`+n` below 2^(N−1), `-n` down to −2^(N−1)).
 * Returns the value wrapped to a signed N-bit integer, or null if malformed or out of range.
 */
export function parseIntN(s: string, bits: number): number | null {
  const c = s.charCodeAt(0);
  const negative = c === 0x2d;
  const from = negative || c === 0x2b ? 1 : 0;
  // sN of the spec: `+n` below 2^(N-1), `-n` down to -2^(N-1); uN (no sign) up to 2^N - 1.
  const limit = negative ? 2 ** (bits - 1) : from === 1 ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const v = unsignedNumber(s, from, limit);
  if (v < 0) return null;
  const value = negative ? -v : v;
  return bits === 32 ? value | 0 : (value << (32 - bits)) >> (32 - bits);
}

/** A short decimal integer literal (below 2^53 in magnitude) as a number, or null for anything else. */
export function parseSmallInt(s: string): number | null {
  const c = s.charCodeAt(0);
  const from = c === 0x2d || c === 0x2b ? 1 : 0;
  if (s.length - from > 15 || s.charCodeAt(from + 1) === 0x78) return null;
  const v = unsignedNumber(s, from, Number.MAX_SAFE_INTEGER);
  if (v < 0) return null;
  return c === 0x2d ? -v : v;
}

/** An `i64` literal as a signed BigInt, or null if malformed or out of range. */
export function parseI64(s: string): bigint | null {
  const c = s.charCodeAt(0);
  const negative = c === 0x2d;
  const from = negative || c === 0x2b ? 1 : 0;
  if (s.length - from < 16 && s.charCodeAt(from + 1) !== 0x78) {
    // Short decimal: fits a double exactly.
    const v = unsignedNumber(s, from, Number.MAX_SAFE_INTEGER);
    if (v >= 0) return BigInt(negative ? -v : v);
    if (v < 0 && digitsEnd(s, from, false) !== s.length) return null;
  }
  const v = unsignedBig(s, from);
  if (v === null) return null;
  if (negative ? v > 1n << 63n : v >= (from === 1 ? 1n << 63n : 1n << 64n)) return null;
  return BigInt.asIntN(64, negative ? -v : v);
}

/** The shape of an IEEE binary format. */
interface FloatFormat {
  /** Significand bits including the implicit one (24, 53). */
  precision: number;
  /** Exponent of the smallest normal number (−126, −1022). */
  minExp: number;
  /** The all-ones biased exponent (255, 2047). */
  maxBiased: number;
}

const F32: FloatFormat = { precision: 24, minExp: -126, maxBiased: 255 };
const F64: FloatFormat = { precision: 53, minExp: -1022, maxBiased: 2047 };

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return 4 * hex.length - (Math.clz32(parseInt(hex[0], 16)) - 28);
}

/**
 * The bits (without sign) of num/den rounded to nearest, ties to even, in format `f`; null when that
 * rounds to infinity (the text format calls such a literal out of range).
 */
function roundRational(num: bigint, den: bigint, f: FloatFormat): bigint | null {
  if (num === 0n) return 0n;
  // e: the exponent of the leading bit, so that 2^e ≤ num/den < 2^(e+1).
  let e = bitLength(num) - bitLength(den);
  if (e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den) e--;
  const ulpExp = Math.max(e, f.minExp) - (f.precision - 1);
  let n = num, d = den;
  if (ulpExp < 0) n <<= BigInt(-ulpExp);
  else d <<= BigInt(ulpExp);
  let q = n / d;
  const r2 = (n - q * d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  let exp = ulpExp;
  const top = 1n << BigInt(f.precision);
  if (q === top) q >>= 1n, exp++;
  const half = top >> 1n;
  if (q < half) return q; // subnormal (exp is at its minimum)
  const biased = exp + (f.precision - 1) - f.minExp + 1;
  if (biased >= f.maxBiased) return null;
  return (BigInt(biased) << BigInt(f.precision - 1)) | (q - half);
}

/** A float literal taken apart: sign, then either a special or an exact rational value. */
type FloatParts =
  | { negative: boolean; kind: "inf" }
  | { negative: boolean; kind: "nan"; payload: bigint | null }
  | { negative: boolean; kind: "decimal"; text: string }
  | { negative: boolean; kind: "rational"; num: bigint; den: bigint }
  /** A value a double holds exactly. */
  | { negative: boolean; kind: "exact"; value: number }
  | { negative: boolean; kind: "zero" }
  | { negative: boolean; kind: "huge" };

/** Exponents beyond these make any nonzero value overflow or vanish in f64 (and so in f32). */
const EXP_CAP = 5000;

function floatParts(s: string): FloatParts | null {
  const c = s.charCodeAt(0);
  const negative = c === 0x2d;
  let i = negative || c === 0x2b ? 1 : 0;
  if (s.startsWith("inf", i)) return s.length === i + 3 ? { negative, kind: "inf" } : null;
  if (s.startsWith("nan", i)) {
    if (s.length === i + 3) return { negative, kind: "nan", payload: null };
    if (!s.startsWith(":0x", i + 3)) return null;
    const payload = unsignedBig(s, i + 4);
    return payload === null ? null : { negative, kind: "nan", payload };
  }
  const hex = s.charCodeAt(i) === 0x30 && s.charCodeAt(i + 1) === 0x78;
  if (hex) i += 2;
  const intEnd = digitsEnd(s, i, hex);
  if (intEnd < 0) return null;
  let j = intEnd;
  let fracStart = j, fracEnd = j;
  if (s.charCodeAt(j) === 0x2e) {
    fracStart = fracEnd = j + 1;
    if (
      fracStart < s.length &&
      (hex ? hexValue(s.charCodeAt(fracStart)) >= 0 : isDigit(s.charCodeAt(fracStart)))
    ) {
      fracEnd = digitsEnd(s, fracStart, hex);
      if (fracEnd < 0) return null;
    }
    j = fracEnd;
  }
  let exp = 0;
  if (j < s.length) {
    const e = s.charCodeAt(j) | 0x20;
    if (e !== (hex ? 0x70 : 0x65)) return null;
    j++;
    const sign = s.charCodeAt(j);
    const expNegative = sign === 0x2d;
    if (sign === 0x2d || sign === 0x2b) j++;
    if (digitsEnd(s, j, false) !== s.length) return null;
    let v = 0;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d !== 0x5f) v = Math.min(v * 10 + d - 0x30, 1e9);
    }
    exp = expNegative ? -v : v;
  }
  if (!hex) return { negative, kind: "decimal", text: s };
  let mantissa = s.slice(i, intEnd) + s.slice(fracStart, fracEnd);
  mantissa = mantissa.replaceAll("_", "");
  let binExp = exp - 4 * (fracEnd - fracStart - countUnderscores(s, fracStart, fracEnd));
  let zeros = 0;
  while (zeros < mantissa.length - 1 && mantissa.charCodeAt(mantissa.length - 1 - zeros) === 0x30) zeros++;
  if (zeros > 0) mantissa = mantissa.slice(0, mantissa.length - zeros), binExp += 4 * zeros;
  if (mantissa.length <= 14 && binExp >= -1022 && binExp <= 1023) {
    // Below 2^53 times a normal power of two: the double product is exact (or overflows to ∞).
    const m = parseInt(mantissa, 16);
    if (m <= 2 ** 53) {
      const value = m * 2 ** binExp;
      return value === 0 ? { negative, kind: "zero" } : { negative, kind: "exact", value };
    }
  }
  const m = BigInt("0x" + mantissa);
  if (m === 0n) return { negative, kind: "zero" };
  const magnitude = binExp + bitLength(m);
  if (magnitude > EXP_CAP) return { negative, kind: "huge" };
  if (magnitude < -EXP_CAP) return { negative, kind: "zero" };
  return binExp >= 0
    ? { negative, kind: "rational", num: m << BigInt(binExp), den: 1n }
    : { negative, kind: "rational", num: m, den: 1n << BigInt(-binExp) };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function countUnderscores(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x5f) n++;
  return n;
}

/** A decimal literal as an exact rational (num/den), or a verdict for absurd exponents. */
function decimalRational(s: string): FloatParts {
  const negative = s.charCodeAt(0) === 0x2d;
  let body = s.replaceAll("_", "");
  if (negative || body.charCodeAt(0) === 0x2b) body = body.slice(1);
  const eAt = body.search(/[eE]/);
  const exp = eAt < 0 ? 0 : Math.max(-1e9, Math.min(1e9, Number(body.slice(eAt + 1))));
  const mantissa = eAt < 0 ? body : body.slice(0, eAt);
  const dot = mantissa.indexOf(".");
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const exp10 = exp - (dot < 0 ? 0 : mantissa.length - dot - 1);
  const m = BigInt(digits);
  if (m === 0n) return { negative, kind: "zero" };
  const magnitude = exp10 + digits.length;
  if (magnitude > EXP_CAP) return { negative, kind: "huge" };
  if (magnitude < -EXP_CAP) return { negative, kind: "zero" };
  return exp10 >= 0
    ? { negative, kind: "rational", num: m * 10n ** BigInt(exp10), den: 1n }
    : { negative, kind: "rational", num: m, den: 10n ** BigInt(-exp10) };
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
const f64Scratch = new Float64Array(1);
const u64Scratch = new BigUint64Array(f64Scratch.buffer);
const f64ScratchBytes = new Uint8Array(f64Scratch.buffer);

function f32Bits(x: number): number {
  f32Scratch[0] = x;
  return u32Scratch[0];
}

/** The bits of an `f32` literal as an unsigned integer, or null if malformed or out of range. */
export function parseF32(s: string): number | null {
  if (isPlainDecimal(s)) return decimalF32(s);
  const parts = floatParts(s);
  if (parts === null) return null;
  const sign = parts.negative ? 0x80000000 : 0;
  switch (parts.kind) {
    case "inf":
      return (sign | 0x7f800000) >>> 0;
    case "nan": {
      const payload = parts.payload ?? 0x400000n;
      if (payload === 0n || payload >= 1n << 23n) return null;
      return (sign | 0x7f800000 | Number(payload)) >>> 0;
    }
    case "zero":
      return sign >>> 0;
    case "huge":
      return null;
    case "decimal":
      return decimalF32(s);
    case "rational":
      return exactF32(parts, sign);
    case "exact": {
      const f = Math.fround(parts.value);
      return Number.isFinite(f) ? (sign | f32Bits(f)) >>> 0 : null;
    }
  }
}

/** A decimal f32 literal (well-formed; underscores allowed). */
function decimalF32(s: string): number | null {
  const d = Number(s.includes("_") ? s.replaceAll("_", "") : s);
  if (Number.isNaN(d)) return null;
  const f = Math.fround(d);
  if (Number.isFinite(f) && (f === d || !isF32Midpoint(d, f))) return f32Bits(f);
  // Rounding through f64 might have landed on a midpoint (or the overflow bound): round exactly.
  return exactF32(decimalRational(s), s.charCodeAt(0) === 0x2d ? 0x80000000 : 0);
}

/** Whether the double `d` lies exactly halfway between the float `f` (its rounding) and f's neighbour. */
function isF32Midpoint(d: number, f: number): boolean {
  const bits = f32Bits(f);
  const away = Math.abs(d) > Math.abs(f);
  let other: number;
  if (f === 0) other = d > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  else {
    u32Scratch[0] = away ? bits + 1 : bits - 1;
    other = f32Scratch[0];
  }
  return (f + other) / 2 === d;
}

function exactF32(parts: FloatParts, sign: number): number | null {
  if (parts.kind === "zero") return sign >>> 0;
  if (parts.kind !== "rational") return null;
  const bits = roundRational(parts.num, parts.den, F32);
  return bits === null ? null : (sign | Number(bits)) >>> 0;
}

/** The bits of an `f64` literal, or null if malformed or out of range. */
export function parseF64(s: string): bigint | null {
  if (isPlainDecimal(s)) {
    const d = Number(s);
    if (!Number.isFinite(d)) return null;
    f64Scratch[0] = d;
    return u64Scratch[0];
  }
  const parts = floatParts(s);
  if (parts === null) return null;
  const sign = parts.negative ? 1n << 63n : 0n;
  switch (parts.kind) {
    case "inf":
      return sign | 0x7ff0000000000000n;
    case "nan": {
      const payload = parts.payload ?? 1n << 51n;
      if (payload === 0n || payload >= 1n << 52n) return null;
      return sign | 0x7ff0000000000000n | payload;
    }
    case "zero":
      return sign;
    case "huge":
      return null;
    case "decimal": {
      // V8's string-to-double conversion is correctly rounded.
      const d = Number(s.includes("_") ? s.replaceAll("_", "") : s);
      if (!Number.isFinite(d)) return null;
      f64Scratch[0] = d;
      return u64Scratch[0];
    }
    case "rational": {
      const bits = roundRational(parts.num, parts.den, F64);
      return bits === null ? null : sign | bits;
    }
    case "exact": {
      if (!Number.isFinite(parts.value)) return null;
      f64Scratch[0] = parts.value;
      return sign | u64Scratch[0];
    }
  }
}

/**
 * Whether `s` is a sign, then digits, `.`, exponents and signs only, starting with a digit: for such
 * text Number() and the text format agree on what is a decimal float (Number gives NaN otherwise).
 */
function isPlainDecimal(s: string): boolean {
  const from = s.charCodeAt(0) === 0x2d || s.charCodeAt(0) === 0x2b ? 1 : 0;
  const c = s.charCodeAt(from);
  if (c < 0x30 || c > 0x39) return false;
  for (let i = from + 1; i < s.length; i++) {
    const d = s.charCodeAt(i);
    if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d)) {
      return false;
    }
  }
  return true;
}

/** Writes the 8 bytes (little-endian) of an `f64` literal into `out`; false if malformed or out of range. */
export function parseF64Into(s: string, out: Uint8Array): boolean {
  const d = isPlainDecimal(s) ? Number(s) : NaN;
  if (Number.isFinite(d)) {
    f64Scratch[0] = d;
  } else {
    const bits = parseF64(s);
    if (bits === null) return false;
    u64Scratch[0] = bits;
  }
  out.set(f64ScratchBytes);
  return true;
}

/** The value of a float literal as a double (for `f64` it is exact; NaN payloads are lost). */
export function f64FromBits(bits: bigint): number {
  u64Scratch[0] = bits;
  return f64Scratch[0];
}
