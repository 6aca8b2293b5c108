/**
 * Closure factories for i64 operations on two 32-bit halves (low at 2·slot, high at 2·slot+1), so the
 * hot path allocates no BigInt. Division and remainder use doubles where they are exact and BigInt
 * otherwise (`udiv64`, `sdiv64`, which the JS tier's helpers call too).
 */
import { I32 } from "../../runtime/machine.ts";
import { ctz32, popcnt32 } from "./ops_i32.ts";
import { type Op, trap } from "../../runtime/objects.ts";
import { Op as Opcode } from "../../wasm/opcodes.ts";

export function readI64(p: number): bigint {
  return (BigInt(I32[p + 1]) << 32n) | BigInt(I32[p] >>> 0);
}

export function writeI64(p: number, v: bigint): void {
  I32[p] = Number(BigInt.asIntN(32, v));
  I32[p + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** d = a * b (mod 2^64), from 16-bit partial products so every step is exact in a double. */
function mul(d: number, a: number, b: number): void {
  const al = I32[a], ah = I32[a + 1], bl = I32[b], bh = I32[b + 1];
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536);
  I32[d] = Math.imul(al, bl);
  I32[d + 1] = carry + Math.imul(al, bh) + Math.imul(ah, bl);
}

function shl(d: number, lo: number, hi: number, k: number): void {
  k &= 63;
  if (k === 0) I32[d] = lo, I32[d + 1] = hi;
  else if (k < 32) I32[d + 1] = (hi << k) | (lo >>> (32 - k)), I32[d] = lo << k;
  else I32[d + 1] = lo << (k - 32), I32[d] = 0;
}

function shrS(d: number, lo: number, hi: number, k: number): void {
  k &= 63;
  if (k === 0) I32[d] = lo, I32[d + 1] = hi;
  else if (k < 32) I32[d] = (lo >>> k) | (hi << (32 - k)), I32[d + 1] = hi >> k;
  else I32[d] = hi >> (k - 32), I32[d + 1] = hi >> 31;
}

function shrU(d: number, lo: number, hi: number, k: number): void {
  k &= 63;
  if (k === 0) I32[d] = lo, I32[d + 1] = hi;
  else if (k < 32) I32[d] = (lo >>> k) | (hi << (32 - k)), I32[d + 1] = hi >>> k;
  else I32[d] = hi >>> (k - 32), I32[d + 1] = 0;
}

function rotl(d: number, lo: number, hi: number, k: number): void {
  k &= 63;
  if (k >= 32) {
    const t = lo;
    lo = hi, hi = t, k -= 32;
  }
  if (k === 0) I32[d] = lo, I32[d + 1] = hi;
  else I32[d + 1] = (hi << k) | (lo >>> (32 - k)), I32[d] = (lo << k) | (hi >>> (32 - k));
}

const TWO32 = 4294967296;

/**
 * The high half of the last result of `udiv64`/`sdiv64` (they return the low half), for both tiers: the
 * closures below and the JS tier's helpers.
 */
export const i64Hi = { v: 0 };

/** Unsigned (al, ah) / (bl, bh), or the remainder; b ≠ 0. Exact in doubles when b is small or both fit 53 bits. */
export function udiv64(al: number, ah: number, bl: number, bh: number, rem: boolean): number {
  const hiA = ah >>> 0, loA = al >>> 0, loB = bl >>> 0;
  if (bh === 0) {
    // long division in 16-bit digits: every partial dividend stays below 2^48
    const qh = Math.floor(hiA / loB);
    let r = hiA - qh * loB;
    const n1 = r * 65536 + (loA >>> 16), q1 = Math.floor(n1 / loB);
    r = n1 - q1 * loB;
    const n0 = r * 65536 + (loA & 0xffff), q0 = Math.floor(n0 / loB);
    if (rem) return i64Hi.v = 0, (n0 - q0 * loB) | 0;
    return i64Hi.v = qh | 0, (q1 * 65536 + q0) | 0;
  }
  if (hiA < 0x200000 && (bh >>> 0) < 0x200000) {
    const a = hiA * TWO32 + loA, b = (bh >>> 0) * TWO32 + loB;
    const x = rem ? a % b : Math.floor(a / b); // floor(a / b) is exact below 2^53
    return i64Hi.v = Math.floor(x / TWO32) | 0, x | 0;
  }
  const a = (BigInt(hiA) << 32n) | BigInt(loA), b = (BigInt(bh >>> 0) << 32n) | BigInt(loB);
  return split(rem ? a % b : a / b);
}

/** Signed (al, ah) / (bl, bh), or the remainder; b ≠ 0, and not -2^63 / -1 for the quotient. */
export function sdiv64(al: number, ah: number, bl: number, bh: number, rem: boolean): number {
  if (ah >= 0 && bh >= 0) return udiv64(al, ah, bl, bh, rem);
  const x = (BigInt(ah) << 32n) | BigInt(al >>> 0), y = (BigInt(bh) << 32n) | BigInt(bl >>> 0);
  return split(rem ? x % y : x / y);
}

/** Whether (al, ah) / (bl, bh) is -2^63 / -1, the one signed quotient that overflows. */
export function isMinByMinusOne(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === -2147483648 && al === 0 && bl === -1 && bh === -1;
}

function split(x: bigint): number {
  i64Hi.v = Number(BigInt.asIntN(32, x >> 32n));
  return Number(BigInt.asIntN(32, x));
}

/** d = a / b or a % b (`signed`, `rem`), trapping as wasm does. */
function divide(d: number, a: number, b: number, signed: boolean, rem: boolean): void {
  const al = I32[a], ah = I32[a + 1], bl = I32[b], bh = I32[b + 1];
  if ((bl | bh) === 0) trap("integer divide by zero");
  if (signed && !rem && isMinByMinusOne(al, ah, bl, bh)) trap("integer overflow");
  I32[d] = signed ? sdiv64(al, ah, bl, bh, rem) : udiv64(al, ah, bl, bh, rem);
  I32[d + 1] = i64Hi.v;
}

function ltU(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === bh ? (al >>> 0) < (bl >>> 0) : (ah >>> 0) < (bh >>> 0);
}

function ltS(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === bh ? (al >>> 0) < (bl >>> 0) : ah < bh;
}

/** Comparisons (0x51..0x5a, result i32) and arithmetic (0x7c..0x8a). */
export function i64Binary(op: number, d: number, a: number, b: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1, b <<= 1;
  switch (op) {
    case Opcode.I64Eq:
      return (p) => (i32[p + d] = +(i32[p + a] === i32[p + b] && i32[p + a + 1] === i32[p + b + 1]), next);
    case Opcode.I64Ne:
      return (p) => (i32[p + d] = +(i32[p + a] !== i32[p + b] || i32[p + a + 1] !== i32[p + b + 1]), next);
    case Opcode.I64LtS:
      return (p) => (i32[p + d] = +ltS(i32[p + a], i32[p + a + 1], i32[p + b], i32[p + b + 1]), next);
    case Opcode.I64LtU:
      return (p) => (i32[p + d] = +ltU(i32[p + a], i32[p + a + 1], i32[p + b], i32[p + b + 1]), next);
    case Opcode.I64GtS:
      return (p) => (i32[p + d] = +ltS(i32[p + b], i32[p + b + 1], i32[p + a], i32[p + a + 1]), next);
    case Opcode.I64GtU:
      return (p) => (i32[p + d] = +ltU(i32[p + b], i32[p + b + 1], i32[p + a], i32[p + a + 1]), next);
    case Opcode.I64LeS:
      return (p) => (i32[p + d] = +!ltS(i32[p + b], i32[p + b + 1], i32[p + a], i32[p + a + 1]), next);
    case Opcode.I64LeU:
      return (p) => (i32[p + d] = +!ltU(i32[p + b], i32[p + b + 1], i32[p + a], i32[p + a + 1]), next);
    case Opcode.I64GeS:
      return (p) => (i32[p + d] = +!ltS(i32[p + a], i32[p + a + 1], i32[p + b], i32[p + b + 1]), next);
    case Opcode.I64GeU:
      return (p) => (i32[p + d] = +!ltU(i32[p + a], i32[p + a + 1], i32[p + b], i32[p + b + 1]), next);
    case Opcode.I64Add:
      return (p) => {
        const al = i32[p + a], bl = i32[p + b];
        const lo = (al >>> 0) + (bl >>> 0);
        i32[p + d] = lo;
        i32[p + d + 1] = i32[p + a + 1] + i32[p + b + 1] + (lo > 0xffffffff ? 1 : 0);
        return next;
      };
    case Opcode.I64Sub:
      return (p) => {
        const al = i32[p + a], bl = i32[p + b];
        const lo = (al >>> 0) - (bl >>> 0);
        i32[p + d] = lo;
        i32[p + d + 1] = i32[p + a + 1] - i32[p + b + 1] - (lo < 0 ? 1 : 0);
        return next;
      };
    case Opcode.I64Mul:
      return (p) => (mul(p + d, p + a, p + b), next);
    case Opcode.I64DivS:
      return (p) => (divide(p + d, p + a, p + b, true, false), next);
    case Opcode.I64DivU:
      return (p) => (divide(p + d, p + a, p + b, false, false), next);
    case Opcode.I64RemS:
      return (p) => (divide(p + d, p + a, p + b, true, true), next);
    case Opcode.I64RemU:
      return (p) => (divide(p + d, p + a, p + b, false, true), next);
    case Opcode.I64And:
      return (
        p,
      ) => (i32[p + d] = i32[p + a] & i32[p + b], i32[p + d + 1] = i32[p + a + 1] & i32[p + b + 1], next);
    case Opcode.I64Or:
      return (
        p,
      ) => (i32[p + d] = i32[p + a] | i32[p + b], i32[p + d + 1] = i32[p + a + 1] | i32[p + b + 1], next);
    case Opcode.I64Xor:
      return (
        p,
      ) => (i32[p + d] = i32[p + a] ^ i32[p + b], i32[p + d + 1] = i32[p + a + 1] ^ i32[p + b + 1], next);
    case Opcode.I64Shl:
      return (p) => (shl(p + d, i32[p + a], i32[p + a + 1], i32[p + b]), next);
    case Opcode.I64ShrS:
      return (p) => (shrS(p + d, i32[p + a], i32[p + a + 1], i32[p + b]), next);
    case Opcode.I64ShrU:
      return (p) => (shrU(p + d, i32[p + a], i32[p + a + 1], i32[p + b]), next);
    case Opcode.I64Rotl:
      return (p) => (rotl(p + d, i32[p + a], i32[p + a + 1], i32[p + b]), next);
    case Opcode.I64Rotr:
      return (p) => (rotl(p + d, i32[p + a], i32[p + a + 1], 64 - (i32[p + b] & 63)), next);
  }
  throw new Error(`not an i64 binary op: 0x${op.toString(16)}`);
}

/** Unary: eqz (0x50, result i32), clz, ctz, popcnt, extend8/16/32_s, and i32↔i64 (0xa7, 0xac, 0xad). */
export function i64Unary(op: number, d: number, a: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1;
  switch (op) {
    case Opcode.I64Eqz:
      return (p) => (i32[p + d] = +((i32[p + a] | i32[p + a + 1]) === 0), next);
    case Opcode.I64Clz:
      return (p) => {
        const hi = i32[p + a + 1];
        i32[p + d] = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(i32[p + a]);
        i32[p + d + 1] = 0;
        return next;
      };
    case Opcode.I64Ctz:
      return (p) => {
        const lo = i32[p + a];
        i32[p + d] = lo !== 0 ? ctz32(lo) : 32 + ctz32(i32[p + a + 1]);
        i32[p + d + 1] = 0;
        return next;
      };
    case Opcode.I64Popcnt:
      return (p) => (i32[p + d] = popcnt32(i32[p + a]) + popcnt32(i32[p + a + 1]), i32[p + d + 1] = 0, next);
    case Opcode.I64Extend8S:
      return (p) => {
        const v = (i32[p + a] << 24) >> 24;
        i32[p + d] = v, i32[p + d + 1] = v >> 31;
        return next;
      };
    case Opcode.I64Extend16S:
      return (p) => {
        const v = (i32[p + a] << 16) >> 16;
        i32[p + d] = v, i32[p + d + 1] = v >> 31;
        return next;
      };
    case Opcode.I64Extend32S:
    case Opcode.I64ExtendI32S:
      return (p) => {
        const v = i32[p + a];
        i32[p + d] = v, i32[p + d + 1] = v >> 31;
        return next;
      };
    case Opcode.I64ExtendI32U:
      return (p) => (i32[p + d] = i32[p + a], i32[p + d + 1] = 0, next);
    case Opcode.I32WrapI64:
      return (p) => (i32[p + d] = i32[p + a], next);
  }
  throw new Error(`not an i64 unary op: 0x${op.toString(16)}`);
}

/**
 * i64 shifts and rotations by a constant (0x86..0x8a), and mul by a constant (0x7e): the amount
 * or the constant's 16-bit pieces are worked out at lowering time, so the closure has no branches.
 * `lo`/`hi` are the constant's halves.
 */
export function i64BinaryConst(op: number, d: number, a: number, lo: number, hi: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1;
  if (op === Opcode.I64Mul) {
    const b0 = lo & 0xffff, b1 = lo >>> 16;
    return (p) => {
      const al = i32[p + a], ah = i32[p + a + 1];
      const a0 = al & 0xffff, a1 = al >>> 16;
      const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
      const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
      i32[p + d] = Math.imul(al, lo);
      i32[p + d + 1] = carry + Math.imul(al, hi) + Math.imul(ah, lo);
      return next;
    };
  }
  let k = lo & 63;
  if (op === Opcode.I64Rotr) op = Opcode.I64Rotl, k = (64 - k) & 63; // rotr k = rotl (64 - k)
  if (k === 0) return (p) => (i32[p + d] = i32[p + a], i32[p + d + 1] = i32[p + a + 1], next);
  const r = 32 - k, k2 = k - 32;
  switch (op) {
    case Opcode.I64Shl:
      if (k < 32) {
        return (p) => {
          const l = i32[p + a];
          i32[p + d + 1] = (i32[p + a + 1] << k) | (l >>> r);
          i32[p + d] = l << k;
          return next;
        };
      }
      return (p) => (i32[p + d + 1] = i32[p + a] << k2, i32[p + d] = 0, next);
    case Opcode.I64ShrS:
      if (k < 32) {
        return (p) => {
          const h = i32[p + a + 1];
          i32[p + d] = (i32[p + a] >>> k) | (h << r);
          i32[p + d + 1] = h >> k;
          return next;
        };
      }
      return (p) => {
        const h = i32[p + a + 1];
        i32[p + d] = h >> k2, i32[p + d + 1] = h >> 31;
        return next;
      };
    case Opcode.I64ShrU:
      if (k < 32) {
        return (p) => {
          const h = i32[p + a + 1];
          i32[p + d] = (i32[p + a] >>> k) | (h << r);
          i32[p + d + 1] = h >>> k;
          return next;
        };
      }
      return (p) => (i32[p + d] = i32[p + a + 1] >>> k2, i32[p + d + 1] = 0, next);
    case Opcode.I64Rotl:
      if (k === 32) {
        return (p) => {
          const l = i32[p + a];
          i32[p + d] = i32[p + a + 1], i32[p + d + 1] = l;
          return next;
        };
      }
      if (k < 32) {
        return (p) => {
          const l = i32[p + a], h = i32[p + a + 1];
          i32[p + d + 1] = (h << k) | (l >>> r), i32[p + d] = (l << k) | (h >>> r);
          return next;
        };
      }
      return (p) => {
        const l = i32[p + a], h = i32[p + a + 1];
        i32[p + d + 1] = (l << k2) | (h >>> (32 - k2)), i32[p + d] = (h << k2) | (l >>> (32 - k2));
        return next;
      };
  }
  throw new Error(`no constant form for i64 op 0x${op.toString(16)}`);
}

/** xorshift shapes: no shift (a plain xor), shift right (unsigned), shift left. */
export const enum ShiftKind {
  None,
  Right,
  Left,
}

/**
 * `(a SH k) ^ b`, optionally multiplied by the constant (lo, hi): the steps of xorshift and
 * splitmix-style hashes (`x ^= x >> 12`, `(z ^ (z >> 30)) * K`, `(h ^ v) * prime`) in one closure.
 */
export function i64XorShift(
  d: number,
  a: number,
  kind: ShiftKind,
  k: number,
  b: number,
  multiply: boolean,
  lo: number,
  hi: number,
  next: number,
): Op {
  const i32 = I32;
  d <<= 1, a <<= 1, b <<= 1;
  k &= 63;
  if (k === 0) kind = ShiftKind.None;
  const r = 32 - k, k2 = k - 32;
  const m0 = lo & 0xffff, m1 = lo >>> 16;
  // The 64-bit product of (xl, xh) and (lo, hi), as in i64BinaryConst.
  const product = (p: number, xl: number, xh: number) => {
    const a0 = xl & 0xffff, a1 = xl >>> 16;
    const p00 = a0 * m0, p01 = a0 * m1, p10 = a1 * m0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const carry = a1 * m1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    i32[p + d] = Math.imul(xl, lo);
    i32[p + d + 1] = carry + Math.imul(xl, hi) + Math.imul(xh, lo);
  };
  if (!multiply) {
    if (kind === ShiftKind.None) {
      return (
        p,
      ) => (i32[p + d] = i32[p + a] ^ i32[p + b], i32[p + d + 1] = i32[p + a + 1] ^ i32[p + b + 1], next);
    }
    if (kind === ShiftKind.Right) {
      if (k >= 32) {
        return (
          p,
        ) => (i32[p + d] = (i32[p + a + 1] >>> k2) ^ i32[p + b], i32[p + d + 1] = i32[p + b + 1], next);
      }
      return (p) => {
        const h = i32[p + a + 1];
        i32[p + d] = ((i32[p + a] >>> k) | (h << r)) ^ i32[p + b];
        i32[p + d + 1] = (h >>> k) ^ i32[p + b + 1];
        return next;
      };
    }
    if (k >= 32) {
      return (p) => (i32[p + d + 1] = (i32[p + a] << k2) ^ i32[p + b + 1], i32[p + d] = i32[p + b], next);
    }
    return (p) => {
      const l = i32[p + a];
      i32[p + d + 1] = ((i32[p + a + 1] << k) | (l >>> r)) ^ i32[p + b + 1];
      i32[p + d] = (l << k) ^ i32[p + b];
      return next;
    };
  }
  if (kind === ShiftKind.None) {
    return (p) => (product(p, i32[p + a] ^ i32[p + b], i32[p + a + 1] ^ i32[p + b + 1]), next);
  }
  if (kind === ShiftKind.Right) {
    if (k >= 32) return (p) => (product(p, (i32[p + a + 1] >>> k2) ^ i32[p + b], i32[p + b + 1]), next);
    return (p) => {
      const h = i32[p + a + 1];
      product(p, ((i32[p + a] >>> k) | (h << r)) ^ i32[p + b], (h >>> k) ^ i32[p + b + 1]);
      return next;
    };
  }
  if (k >= 32) return (p) => (product(p, i32[p + b], (i32[p + a] << k2) ^ i32[p + b + 1]), next);
  return (p) => {
    const l = i32[p + a];
    product(p, (l << k) ^ i32[p + b], ((i32[p + a + 1] << k) | (l >>> r)) ^ i32[p + b + 1]);
    return next;
  };
}
