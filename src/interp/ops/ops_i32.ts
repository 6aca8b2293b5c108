/**
 * Closure factories for i32 operations. Operands and results are frame slots (locals and operand
 * stack alike); the `Imm` variants take a constant right operand, so `x + 1` is one closure.
 */
import { I32 } from "../../runtime/machine.ts";
import { type Op, trap } from "../../runtime/objects.ts";
import { Op as Opcode } from "../../wasm/opcodes.ts";

export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

function divS(a: number, b: number): number {
  if (b === 0) trap("integer divide by zero");
  if (a === -0x80000000 && b === -1) trap("integer overflow");
  return (a / b) | 0;
}

function divU(a: number, b: number): number {
  if (b === 0) trap("integer divide by zero");
  return ((a >>> 0) / (b >>> 0)) | 0;
}

function remS(a: number, b: number): number {
  if (b === 0) trap("integer divide by zero");
  return (a % b) | 0;
}

function remU(a: number, b: number): number {
  if (b === 0) trap("integer divide by zero");
  return ((a >>> 0) % (b >>> 0)) | 0;
}

/** i32 binary opcodes that have a constant-operand variant. */
export function i32HasImm(op: number): boolean {
  return (op >= Opcode.I32Eq && op <= Opcode.I32GeU) || op === Opcode.I32Add || op === Opcode.I32Sub ||
    op === Opcode.I32Mul || (op >= Opcode.I32And && op <= Opcode.I32Rotr);
}

/** Binary op (0x46..0x4f comparisons, 0x6a..0x78 arithmetic): slot d = slot a OP slot b. */
export function i32Binary(op: number, d: number, a: number, b: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1, b <<= 1;
  switch (op) {
    case Opcode.I32Eq:
      return (p) => (i32[p + d] = +(i32[p + a] === i32[p + b]), next);
    case Opcode.I32Ne:
      return (p) => (i32[p + d] = +(i32[p + a] !== i32[p + b]), next);
    case Opcode.I32LtS:
      return (p) => (i32[p + d] = +(i32[p + a] < i32[p + b]), next);
    case Opcode.I32LtU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) < (i32[p + b] >>> 0)), next);
    case Opcode.I32GtS:
      return (p) => (i32[p + d] = +(i32[p + a] > i32[p + b]), next);
    case Opcode.I32GtU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) > (i32[p + b] >>> 0)), next);
    case Opcode.I32LeS:
      return (p) => (i32[p + d] = +(i32[p + a] <= i32[p + b]), next);
    case Opcode.I32LeU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) <= (i32[p + b] >>> 0)), next);
    case Opcode.I32GeS:
      return (p) => (i32[p + d] = +(i32[p + a] >= i32[p + b]), next);
    case Opcode.I32GeU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) >= (i32[p + b] >>> 0)), next);
    case Opcode.I32Add:
      return (p) => (i32[p + d] = i32[p + a] + i32[p + b], next);
    case Opcode.I32Sub:
      return (p) => (i32[p + d] = i32[p + a] - i32[p + b], next);
    case Opcode.I32Mul:
      return (p) => (i32[p + d] = Math.imul(i32[p + a], i32[p + b]), next);
    case Opcode.I32DivS:
      return (p) => (i32[p + d] = divS(i32[p + a], i32[p + b]), next);
    case Opcode.I32DivU:
      return (p) => (i32[p + d] = divU(i32[p + a], i32[p + b]), next);
    case Opcode.I32RemS:
      return (p) => (i32[p + d] = remS(i32[p + a], i32[p + b]), next);
    case Opcode.I32RemU:
      return (p) => (i32[p + d] = remU(i32[p + a], i32[p + b]), next);
    case Opcode.I32And:
      return (p) => (i32[p + d] = i32[p + a] & i32[p + b], next);
    case Opcode.I32Or:
      return (p) => (i32[p + d] = i32[p + a] | i32[p + b], next);
    case Opcode.I32Xor:
      return (p) => (i32[p + d] = i32[p + a] ^ i32[p + b], next);
    case Opcode.I32Shl:
      return (p) => (i32[p + d] = i32[p + a] << i32[p + b], next);
    case Opcode.I32ShrS:
      return (p) => (i32[p + d] = i32[p + a] >> i32[p + b], next);
    case Opcode.I32ShrU:
      return (p) => (i32[p + d] = i32[p + a] >>> i32[p + b], next);
    case Opcode.I32Rotl:
      return (p) => {
        const x = i32[p + a], k = i32[p + b];
        i32[p + d] = (x << k) | (x >>> (32 - k));
        return next;
      };
    case Opcode.I32Rotr:
      return (p) => {
        const x = i32[p + a], k = i32[p + b];
        i32[p + d] = (x >>> k) | (x << (32 - k));
        return next;
      };
  }
  throw new Error(`not an i32 binary op: 0x${op.toString(16)}`);
}

/** Binary op with a constant right operand: slot d = slot a OP k. */
export function i32BinaryImm(op: number, d: number, a: number, k: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1;
  const ku = k >>> 0;
  switch (op) {
    case Opcode.I32Eq:
      return (p) => (i32[p + d] = +(i32[p + a] === k), next);
    case Opcode.I32Ne:
      return (p) => (i32[p + d] = +(i32[p + a] !== k), next);
    case Opcode.I32LtS:
      return (p) => (i32[p + d] = +(i32[p + a] < k), next);
    case Opcode.I32LtU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) < ku), next);
    case Opcode.I32GtS:
      return (p) => (i32[p + d] = +(i32[p + a] > k), next);
    case Opcode.I32GtU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) > ku), next);
    case Opcode.I32LeS:
      return (p) => (i32[p + d] = +(i32[p + a] <= k), next);
    case Opcode.I32LeU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) <= ku), next);
    case Opcode.I32GeS:
      return (p) => (i32[p + d] = +(i32[p + a] >= k), next);
    case Opcode.I32GeU:
      return (p) => (i32[p + d] = +((i32[p + a] >>> 0) >= ku), next);
    case Opcode.I32Add:
      return (p) => (i32[p + d] = i32[p + a] + k, next);
    case Opcode.I32Sub:
      return (p) => (i32[p + d] = i32[p + a] - k, next);
    case Opcode.I32Mul:
      return (p) => (i32[p + d] = Math.imul(i32[p + a], k), next);
    case Opcode.I32And:
      return (p) => (i32[p + d] = i32[p + a] & k, next);
    case Opcode.I32Or:
      return (p) => (i32[p + d] = i32[p + a] | k, next);
    case Opcode.I32Xor:
      return (p) => (i32[p + d] = i32[p + a] ^ k, next);
    case Opcode.I32Shl:
      return (p) => (i32[p + d] = i32[p + a] << k, next);
    case Opcode.I32ShrS:
      return (p) => (i32[p + d] = i32[p + a] >> k, next);
    case Opcode.I32ShrU:
      return (p) => (i32[p + d] = i32[p + a] >>> k, next);
    case Opcode.I32Rotl:
    case Opcode.I32Rotr: {
      const l = op === Opcode.I32Rotl ? k & 31 : (32 - (k & 31)) & 31, r = 32 - l;
      return (p) => (i32[p + d] = (i32[p + a] << l) | (i32[p + a] >>> r), next);
    }
  }
  throw new Error(`no immediate form for i32 op 0x${op.toString(16)}`);
}

/** Unary op: eqz (0x45), clz, ctz, popcnt, extend8_s, extend16_s. */
export function i32Unary(op: number, d: number, a: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1;
  switch (op) {
    case Opcode.I32Eqz:
      return (p) => (i32[p + d] = +(i32[p + a] === 0), next);
    case Opcode.I32Clz:
      return (p) => (i32[p + d] = Math.clz32(i32[p + a]), next);
    case Opcode.I32Ctz:
      return (p) => (i32[p + d] = ctz32(i32[p + a]), next);
    case Opcode.I32Popcnt:
      return (p) => (i32[p + d] = popcnt32(i32[p + a]), next);
    case Opcode.I32Extend8S:
      return (p) => (i32[p + d] = (i32[p + a] << 24) >> 24, next);
    case Opcode.I32Extend16S:
      return (p) => (i32[p + d] = (i32[p + a] << 16) >> 16, next);
  }
  throw new Error(`not an i32 unary op: 0x${op.toString(16)}`);
}

/**
 * A comparison fused with a conditional branch: jumps to `target` when (slot a OP slot b) is
 * `when`, else falls through to `next`. `b` is a constant when `imm` is set.
 */
export function i32CompareBranch(
  op: number,
  a: number,
  b: number,
  imm: boolean,
  when: boolean,
  target: number,
  next: number,
): Op {
  const i32 = I32;
  a <<= 1;
  const t = when ? target : next, f = when ? next : target;
  if (imm) {
    const k = b, ku = b >>> 0;
    switch (op) {
      case Opcode.I32Eq:
        return (p) => i32[p + a] === k ? t : f;
      case Opcode.I32Ne:
        return (p) => i32[p + a] !== k ? t : f;
      case Opcode.I32LtS:
        return (p) => i32[p + a] < k ? t : f;
      case Opcode.I32LtU:
        return (p) => (i32[p + a] >>> 0) < ku ? t : f;
      case Opcode.I32GtS:
        return (p) => i32[p + a] > k ? t : f;
      case Opcode.I32GtU:
        return (p) => (i32[p + a] >>> 0) > ku ? t : f;
      case Opcode.I32LeS:
        return (p) => i32[p + a] <= k ? t : f;
      case Opcode.I32LeU:
        return (p) => (i32[p + a] >>> 0) <= ku ? t : f;
      case Opcode.I32GeS:
        return (p) => i32[p + a] >= k ? t : f;
      case Opcode.I32GeU:
        return (p) => (i32[p + a] >>> 0) >= ku ? t : f;
    }
  } else {
    b <<= 1;
    switch (op) {
      case Opcode.I32Eq:
        return (p) => i32[p + a] === i32[p + b] ? t : f;
      case Opcode.I32Ne:
        return (p) => i32[p + a] !== i32[p + b] ? t : f;
      case Opcode.I32LtS:
        return (p) => i32[p + a] < i32[p + b] ? t : f;
      case Opcode.I32LtU:
        return (p) => (i32[p + a] >>> 0) < (i32[p + b] >>> 0) ? t : f;
      case Opcode.I32GtS:
        return (p) => i32[p + a] > i32[p + b] ? t : f;
      case Opcode.I32GtU:
        return (p) => (i32[p + a] >>> 0) > (i32[p + b] >>> 0) ? t : f;
      case Opcode.I32LeS:
        return (p) => i32[p + a] <= i32[p + b] ? t : f;
      case Opcode.I32LeU:
        return (p) => (i32[p + a] >>> 0) <= (i32[p + b] >>> 0) ? t : f;
      case Opcode.I32GeS:
        return (p) => i32[p + a] >= i32[p + b] ? t : f;
      case Opcode.I32GeU:
        return (p) => (i32[p + a] >>> 0) >= (i32[p + b] >>> 0) ? t : f;
    }
  }
  throw new Error(`not an i32 comparison: 0x${op.toString(16)}`);
}

/** Branch on a slot being non-zero (`when` true) or zero (`when` false). */
export function branchIf(a: number, when: boolean, target: number, next: number): Op {
  const i32 = I32;
  a <<= 1;
  return when ? (p) => i32[p + a] !== 0 ? target : next : (p) => i32[p + a] === 0 ? target : next;
}

/**
 * `x = a + b` (or `a + k`), then branch on `x OP c` (or `x OP k2`): the step and test of a counted
 * loop in one closure. Jumps to `target` when the comparison is `when`.
 */
export function addCompareBranch(
  x: number,
  a: number,
  b: number,
  addImm: boolean,
  op: number,
  c: number,
  cmpImm: boolean,
  when: boolean,
  target: number,
  next: number,
): Op {
  const i32 = I32;
  x <<= 1, a <<= 1;
  if (!addImm) b <<= 1;
  if (!cmpImm) c <<= 1;
  const t = when ? target : next, f = when ? next : target;
  const k = b, kc = c, kcu = c >>> 0;
  // The stored value is the wrapped sum: `(… ) | 0` makes the assignment yield it too.
  // One closure per (add form, compare form, comparison) keeps each call site monomorphic.
  if (addImm && cmpImm) {
    switch (op) {
      case Opcode.I32Eq:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) === kc ? t : f;
      case Opcode.I32Ne:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) !== kc ? t : f;
      case Opcode.I32LtS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) < kc ? t : f;
      case Opcode.I32LtU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) < kcu ? t : f;
      case Opcode.I32GtS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) > kc ? t : f;
      case Opcode.I32GtU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) > kcu ? t : f;
      case Opcode.I32LeS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) <= kc ? t : f;
      case Opcode.I32LeU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) <= kcu ? t : f;
      case Opcode.I32GeS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) >= kc ? t : f;
      case Opcode.I32GeU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) >= kcu ? t : f;
    }
  } else if (addImm) {
    switch (op) {
      case Opcode.I32Eq:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) === i32[p + c] ? t : f;
      case Opcode.I32Ne:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) !== i32[p + c] ? t : f;
      case Opcode.I32LtS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) < i32[p + c] ? t : f;
      case Opcode.I32LtU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) < (i32[p + c] >>> 0) ? t : f;
      case Opcode.I32GtS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) > i32[p + c] ? t : f;
      case Opcode.I32GtU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) > (i32[p + c] >>> 0) ? t : f;
      case Opcode.I32LeS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) <= i32[p + c] ? t : f;
      case Opcode.I32LeU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) <= (i32[p + c] >>> 0) ? t : f;
      case Opcode.I32GeS:
        return (p) => (i32[p + x] = (i32[p + a] + k) | 0) >= i32[p + c] ? t : f;
      case Opcode.I32GeU:
        return (p) => ((i32[p + x] = (i32[p + a] + k) | 0) >>> 0) >= (i32[p + c] >>> 0) ? t : f;
    }
  } else if (cmpImm) {
    switch (op) {
      case Opcode.I32Eq:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) === kc ? t : f;
      case Opcode.I32Ne:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) !== kc ? t : f;
      case Opcode.I32LtS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) < kc ? t : f;
      case Opcode.I32LtU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) < kcu ? t : f;
      case Opcode.I32GtS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) > kc ? t : f;
      case Opcode.I32GtU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) > kcu ? t : f;
      case Opcode.I32LeS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) <= kc ? t : f;
      case Opcode.I32LeU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) <= kcu ? t : f;
      case Opcode.I32GeS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >= kc ? t : f;
      case Opcode.I32GeU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) >= kcu ? t : f;
    }
  } else {
    switch (op) {
      case Opcode.I32Eq:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) === i32[p + c] ? t : f;
      case Opcode.I32Ne:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) !== i32[p + c] ? t : f;
      case Opcode.I32LtS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) < i32[p + c] ? t : f;
      case Opcode.I32LtU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) < (i32[p + c] >>> 0) ? t : f;
      case Opcode.I32GtS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) > i32[p + c] ? t : f;
      case Opcode.I32GtU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) > (i32[p + c] >>> 0) ? t : f;
      case Opcode.I32LeS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) <= i32[p + c] ? t : f;
      case Opcode.I32LeU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) <= (i32[p + c] >>> 0) ? t : f;
      case Opcode.I32GeS:
        return (p) => (i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >= i32[p + c] ? t : f;
      case Opcode.I32GeU:
        return (p) => ((i32[p + x] = (i32[p + a] + i32[p + b]) | 0) >>> 0) >= (i32[p + c] >>> 0) ? t : f;
    }
  }
  throw new Error(`not an i32 comparison: 0x${op.toString(16)}`);
}

/** Two `x = a + k` steps in one closure (unrolled loops advance several pointers at once). */
export function addImm2(
  x1: number,
  a1: number,
  k1: number,
  x2: number,
  a2: number,
  k2: number,
  next: number,
): Op {
  const i32 = I32;
  x1 <<= 1, a1 <<= 1, x2 <<= 1, a2 <<= 1;
  return (p) => (i32[p + x1] = i32[p + a1] + k1, i32[p + x2] = i32[p + a2] + k2, next);
}

/**
 * `(a SH k) OP b` for SH in shl/shr_s/shr_u/rotl/rotr by a constant and OP in add/and/or/xor: the
 * shape of hash and checksum rounds (sha256's Σ functions are rotations xor-ed together).
 */
export function shiftThenBinary(
  sh: number,
  a: number,
  k: number,
  op: number,
  b: number,
  d: number,
  next: number,
): Op {
  const i32 = I32;
  d <<= 1, a <<= 1, b <<= 1;
  k &= 31;
  if (sh === Opcode.I32Rotr) sh = Opcode.I32Rotl, k = (32 - k) & 31; // rotr k = rotl (32 - k)
  const r = 32 - k;
  switch (sh * 256 + op) {
    case 0x746a:
      return (p) => (i32[p + d] = (i32[p + a] << k) + i32[p + b], next);
    case 0x7471:
      return (p) => (i32[p + d] = (i32[p + a] << k) & i32[p + b], next);
    case 0x7472:
      return (p) => (i32[p + d] = (i32[p + a] << k) | i32[p + b], next);
    case 0x7473:
      return (p) => (i32[p + d] = (i32[p + a] << k) ^ i32[p + b], next);
    case 0x756a:
      return (p) => (i32[p + d] = (i32[p + a] >> k) + i32[p + b], next);
    case 0x7571:
      return (p) => (i32[p + d] = (i32[p + a] >> k) & i32[p + b], next);
    case 0x7572:
      return (p) => (i32[p + d] = (i32[p + a] >> k) | i32[p + b], next);
    case 0x7573:
      return (p) => (i32[p + d] = (i32[p + a] >> k) ^ i32[p + b], next);
    case 0x766a:
      return (p) => (i32[p + d] = (i32[p + a] >>> k) + i32[p + b], next);
    case 0x7671:
      return (p) => (i32[p + d] = (i32[p + a] >>> k) & i32[p + b], next);
    case 0x7672:
      return (p) => (i32[p + d] = (i32[p + a] >>> k) | i32[p + b], next);
    case 0x7673:
      return (p) => (i32[p + d] = (i32[p + a] >>> k) ^ i32[p + b], next);
    case 0x776a:
      return (p) => (i32[p + d] = ((i32[p + a] << k) | (i32[p + a] >>> r)) + i32[p + b], next);
    case 0x7771:
      return (p) => (i32[p + d] = ((i32[p + a] << k) | (i32[p + a] >>> r)) & i32[p + b], next);
    case 0x7772:
      return (p) => (i32[p + d] = ((i32[p + a] << k) | (i32[p + a] >>> r)) | i32[p + b], next);
    case 0x7773:
      return (p) => (i32[p + d] = ((i32[p + a] << k) | (i32[p + a] >>> r)) ^ i32[p + b], next);
  }
  throw new Error(`no fused form for 0x${sh.toString(16)} then 0x${op.toString(16)}`);
}

/**
 * Two-operation expressions `(a OP1 b) OP2 c` for OP1, OP2 in add/and/or/xor (b a constant when
 * `imm`): the common shape of hash, checksum and address arithmetic, one closure instead of two.
 */
export function binaryThenBinary(
  op1: number,
  a: number,
  b: number,
  imm: boolean,
  op2: number,
  c: number,
  d: number,
  next: number,
): Op {
  const i32 = I32;
  d <<= 1, a <<= 1, c <<= 1;
  if (imm) {
    const k = b;
    switch (op1 * 256 + op2) {
      case 0x6a6a:
        return (p) => (i32[p + d] = ((i32[p + a] + k) | 0) + i32[p + c], next);
      case 0x6a71:
        return (p) => (i32[p + d] = (i32[p + a] + k) & i32[p + c], next);
      case 0x6a72:
        return (p) => (i32[p + d] = (i32[p + a] + k) | i32[p + c], next);
      case 0x6a73:
        return (p) => (i32[p + d] = (i32[p + a] + k) ^ i32[p + c], next);
      case 0x716a:
        return (p) => (i32[p + d] = (i32[p + a] & k) + i32[p + c], next);
      case 0x7171:
        return (p) => (i32[p + d] = i32[p + a] & k & i32[p + c], next);
      case 0x7172:
        return (p) => (i32[p + d] = (i32[p + a] & k) | i32[p + c], next);
      case 0x7173:
        return (p) => (i32[p + d] = (i32[p + a] & k) ^ i32[p + c], next);
      case 0x726a:
        return (p) => (i32[p + d] = (i32[p + a] | k) + i32[p + c], next);
      case 0x7271:
        return (p) => (i32[p + d] = (i32[p + a] | k) & i32[p + c], next);
      case 0x7272:
        return (p) => (i32[p + d] = i32[p + a] | k | i32[p + c], next);
      case 0x7273:
        return (p) => (i32[p + d] = (i32[p + a] | k) ^ i32[p + c], next);
      case 0x736a:
        return (p) => (i32[p + d] = (i32[p + a] ^ k) + i32[p + c], next);
      case 0x7371:
        return (p) => (i32[p + d] = (i32[p + a] ^ k) & i32[p + c], next);
      case 0x7372:
        return (p) => (i32[p + d] = (i32[p + a] ^ k) | i32[p + c], next);
      case 0x7373:
        return (p) => (i32[p + d] = i32[p + a] ^ k ^ i32[p + c], next);
    }
  } else {
    b <<= 1;
    switch (op1 * 256 + op2) {
      case 0x6a6a:
        return (p) => (i32[p + d] = ((i32[p + a] + i32[p + b]) | 0) + i32[p + c], next);
      case 0x6a71:
        return (p) => (i32[p + d] = (i32[p + a] + i32[p + b]) & i32[p + c], next);
      case 0x6a72:
        return (p) => (i32[p + d] = (i32[p + a] + i32[p + b]) | i32[p + c], next);
      case 0x6a73:
        return (p) => (i32[p + d] = (i32[p + a] + i32[p + b]) ^ i32[p + c], next);
      case 0x716a:
        return (p) => (i32[p + d] = (i32[p + a] & i32[p + b]) + i32[p + c], next);
      case 0x7171:
        return (p) => (i32[p + d] = i32[p + a] & i32[p + b] & i32[p + c], next);
      case 0x7172:
        return (p) => (i32[p + d] = (i32[p + a] & i32[p + b]) | i32[p + c], next);
      case 0x7173:
        return (p) => (i32[p + d] = (i32[p + a] & i32[p + b]) ^ i32[p + c], next);
      case 0x726a:
        return (p) => (i32[p + d] = (i32[p + a] | i32[p + b]) + i32[p + c], next);
      case 0x7271:
        return (p) => (i32[p + d] = (i32[p + a] | i32[p + b]) & i32[p + c], next);
      case 0x7272:
        return (p) => (i32[p + d] = i32[p + a] | i32[p + b] | i32[p + c], next);
      case 0x7273:
        return (p) => (i32[p + d] = (i32[p + a] | i32[p + b]) ^ i32[p + c], next);
      case 0x736a:
        return (p) => (i32[p + d] = (i32[p + a] ^ i32[p + b]) + i32[p + c], next);
      case 0x7371:
        return (p) => (i32[p + d] = (i32[p + a] ^ i32[p + b]) & i32[p + c], next);
      case 0x7372:
        return (p) => (i32[p + d] = (i32[p + a] ^ i32[p + b]) | i32[p + c], next);
      case 0x7373:
        return (p) => (i32[p + d] = i32[p + a] ^ i32[p + b] ^ i32[p + c], next);
    }
  }
  throw new Error(`no fused form for 0x${op1.toString(16)} then 0x${op2.toString(16)}`);
}
