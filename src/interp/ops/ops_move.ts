/**
 * Closure factories for moving values between frame slots: copies (one or several at once) and
 * constants. Used by the lowering wherever a virtual operand must become real.
 */
import { isRefType, ValType } from "../../wasm/types.ts";
import { I32, R } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { v128Copy } from "./ops_simd.ts";
import { is64 } from "../../wasm/types.ts";

/** Copies slot s to slot d (frame-relative) for a value of type t. */
export function copyOp(t: ValType, d: number, s: number, next: number): Op {
  if (t === ValType.V128) return v128Copy(d, s, next);
  if (isRefType(t)) return (p) => (R[(p >> 1) + d] = R[(p >> 1) + s], next);
  d <<= 1, s <<= 1;
  if (is64(t)) return (p) => (I32[p + d] = I32[p + s], I32[p + d + 1] = I32[p + s + 1], next);
  return (p) => (I32[p + d] = I32[p + s], next);
}

/**
 * Several numeric slot-to-slot copies in one closure, in order (register shuffles such as
 * `h = g; g = f; …` at the end of a hash round). Whole 8-byte slots are copied: the high half of
 * an i32 slot is never read, so copying it along is harmless.
 */
export function copyManyOp(pairs: number[], next: number): Op {
  const i32 = I32;
  const [d1, s1, d2, s2, d3, s3, d4, s4] = pairs.map((x) => x << 1);
  switch (pairs.length / 2) {
    case 1:
      return (p) => (i32[p + d1] = i32[p + s1], i32[p + d1 + 1] = i32[p + s1 + 1], next);
    case 2:
      return (p) => (
        i32[p + d1] = i32[p + s1],
          i32[p + d1 + 1] = i32[p + s1 + 1],
          i32[p + d2] = i32[p + s2],
          i32[p + d2 + 1] = i32[p + s2 + 1],
          next
      );
    case 3:
      return (p) => (
        i32[p + d1] = i32[p + s1],
          i32[p + d1 + 1] = i32[p + s1 + 1],
          i32[p + d2] = i32[p + s2],
          i32[p + d2 + 1] = i32[p + s2 + 1],
          i32[p + d3] = i32[p + s3],
          i32[p + d3 + 1] = i32[p + s3 + 1],
          next
      );
  }
  return (p) => (
    i32[p + d1] = i32[p + s1],
      i32[p + d1 + 1] = i32[p + s1 + 1],
      i32[p + d2] = i32[p + s2],
      i32[p + d2 + 1] = i32[p + s2 + 1],
      i32[p + d3] = i32[p + s3],
      i32[p + d3 + 1] = i32[p + s3 + 1],
      i32[p + d4] = i32[p + s4],
      i32[p + d4 + 1] = i32[p + s4 + 1],
      next
  );
}

export function constI32Op(d: number, k: number, next: number): Op {
  d <<= 1;
  return (p) => (I32[p + d] = k, next);
}

export function const64Op(d: number, lo: number, hi: number, next: number): Op {
  d <<= 1;
  return (p) => (I32[p + d] = lo, I32[p + d + 1] = hi, next);
}

export function constOp(t: ValType, d: number, lo: number, hi: number, next: number): Op {
  return is64(t) ? const64Op(d, lo, hi, next) : constI32Op(d, lo, next);
}
