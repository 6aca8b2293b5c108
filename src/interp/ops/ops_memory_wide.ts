/**
 * Closure factories for memory instructions on any memory: memory `m` of the instance (multiple
 * memories) with 32- or 64-bit addresses (memory64). Memory 0 with 32-bit addresses, what nearly all
 * code uses, keeps the specialised ops of ops_memory.ts; these read `vm.memories[m]` and go through
 * the DataView, which costs a little more per access and nothing to code that does not use them.
 *
 * A 64-bit address is its slot's two halves, unsigned: `hi · 2^32 + lo` as a double, plus the offset
 * (a u64 up to 2^64). Doubles are exact to 2^53; any address beyond is far above every memory's
 * size (at most 4 GiB here), so the bounds check traps as it must, and nothing wraps.
 */
import { I32 } from "../../runtime/machine.ts";
import type { Op } from "../../runtime/objects.ts";
import { PAGE_SIZE } from "../../wasm/types.ts";
import { Op as Opcode } from "../../wasm/opcodes.ts";
import { oob } from "./ops_memory.ts";

const TWO_32 = 2 ** 32;

/** Where a memory's address, length or delta operand is: its slot (in 32-bit units) and its width. */
function reader(slot: number, wide: boolean): (p: number) => number {
  const i32 = I32;
  const lo = slot << 1, hi = lo + 1;
  return wide ? (p) => (i32[p + hi] >>> 0) * TWO_32 + (i32[p + lo] >>> 0) : (p) => i32[p + lo] >>> 0;
}

/** Bytes each load (0x28..0x35) and store (0x36..0x3e) accesses. */
const WIDTH = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4];

type Access = (v: DataView, ea: number, i32: Int32Array, q: number) => void;

/** Each load's read, writing slot halves `q`, `q + 1` (both for an i64 or f64; bits, not values). */
const LOADS: Record<number, Access> = {
  [Opcode.I32Load]: (v, ea, i32, q) => i32[q] = v.getInt32(ea, true),
  [Opcode.I64Load]: (v, ea, i32, q) => (i32[q] = v.getInt32(ea, true), i32[q + 1] = v.getInt32(ea + 4, true)),
  [Opcode.I32Load8S]: (v, ea, i32, q) => i32[q] = v.getInt8(ea),
  [Opcode.I32Load8U]: (v, ea, i32, q) => i32[q] = v.getUint8(ea),
  [Opcode.I32Load16S]: (v, ea, i32, q) => i32[q] = v.getInt16(ea, true),
  [Opcode.I32Load16U]: (v, ea, i32, q) => i32[q] = v.getUint16(ea, true),
  [Opcode.I64Load8S]: (v, ea, i32, q) => (i32[q] = v.getInt8(ea), i32[q + 1] = i32[q] >> 31),
  [Opcode.I64Load8U]: (v, ea, i32, q) => (i32[q] = v.getUint8(ea), i32[q + 1] = 0),
  [Opcode.I64Load16S]: (v, ea, i32, q) => (i32[q] = v.getInt16(ea, true), i32[q + 1] = i32[q] >> 31),
  [Opcode.I64Load16U]: (v, ea, i32, q) => (i32[q] = v.getUint16(ea, true), i32[q + 1] = 0),
  [Opcode.I64Load32S]: (v, ea, i32, q) => (i32[q] = v.getInt32(ea, true), i32[q + 1] = i32[q] >> 31),
  [Opcode.I64Load32U]: (v, ea, i32, q) => (i32[q] = v.getInt32(ea, true), i32[q + 1] = 0),
};
LOADS[Opcode.F32Load] = LOADS[Opcode.I32Load];
LOADS[Opcode.F64Load] = LOADS[Opcode.I64Load];

/** Each store's write, from slot halves `q`, `q + 1`. */
const STORES: Record<number, Access> = {
  [Opcode.I32Store]: (v, ea, i32, q) => v.setInt32(ea, i32[q], true),
  [Opcode.I64Store]: (v, ea, i32, q) => (v.setInt32(ea, i32[q], true), v.setInt32(ea + 4, i32[q + 1], true)),
  [Opcode.I32Store8]: (v, ea, i32, q) => v.setInt8(ea, i32[q]),
  [Opcode.I32Store16]: (v, ea, i32, q) => v.setInt16(ea, i32[q], true),
};
STORES[Opcode.F32Store] = STORES[Opcode.I64Store32] = STORES[Opcode.I32Store];
STORES[Opcode.F64Store] = STORES[Opcode.I64Store];
STORES[Opcode.I64Store8] = STORES[Opcode.I32Store8];
STORES[Opcode.I64Store16] = STORES[Opcode.I32Store16];

/** A load (0x28..0x35) from memory `m`: slot d = mem[address in slot a + offset]. */
export function loadFrom(
  m: number,
  wide: boolean,
  op: number,
  d: number,
  a: number,
  offset: number,
  next: number,
): Op {
  const i32 = I32, address = reader(a, wide), width = WIDTH[op - Opcode.I32Load], read = LOADS[op];
  d <<= 1;
  return (p, vm) => {
    const mem = vm.memories[m];
    const ea = address(p) + offset;
    if (ea + width > mem.size) oob();
    read(mem.view, ea, i32, p + d);
    return next;
  };
}

/** A store (0x36..0x3e) to memory `m`: mem[address in slot a + offset] = slot v. */
export function storeTo(
  m: number,
  wide: boolean,
  op: number,
  a: number,
  v: number,
  offset: number,
  next: number,
): Op {
  const i32 = I32, address = reader(a, wide), width = WIDTH[op - Opcode.I32Load], write = STORES[op];
  v <<= 1;
  return (p, vm) => {
    const mem = vm.memories[m];
    const ea = address(p) + offset;
    if (ea + width > mem.size) oob();
    write(mem.view, ea, i32, p + v);
    return next;
  };
}

/** memory.size of memory `m`, in pages: an i64 for a 64-bit memory. */
export function memorySizeOf(m: number, wide: boolean, d: number, next: number): Op {
  const i32 = I32;
  d <<= 1;
  return (p, vm) => {
    i32[p + d] = vm.memories[m].size / PAGE_SIZE;
    if (wide) i32[p + d + 1] = 0;
    return next;
  };
}

/** memory.grow of memory `m` by slot a's pages: the old size, or -1 (an i64 for a 64-bit memory). */
export function memoryGrowOf(m: number, wide: boolean, d: number, a: number, next: number): Op {
  const i32 = I32, delta = reader(a, wide);
  d <<= 1;
  return (p, vm) => {
    const by = delta(p);
    const old = by > TWO_32 ? -1 : vm.memories[m].grow(by); // more than 2^32 pages: always refused
    i32[p + d] = old;
    if (wide) i32[p + d + 1] = old < 0 ? -1 : 0;
    return next;
  };
}

/** memory.fill of memory `m`: `len` bytes at `dst` set to the low byte of slot `val`. */
export function memoryFillOf(
  m: number,
  wide: boolean,
  dst: number,
  val: number,
  len: number,
  next: number,
): Op {
  const i32 = I32, at = reader(dst, wide), length = reader(len, wide);
  val <<= 1;
  return (p, vm) => {
    const mem = vm.memories[m];
    const d = at(p), n = length(p);
    if (d + n > mem.size) oob();
    mem.u8.fill(i32[p + val], d, d + n);
    return next;
  };
}

/**
 * memory.copy from memory `sm` to memory `dm` (either may be 64-bit; the length is an i64 only when
 * both are). Overlapping ranges of one memory copy as if through a buffer.
 */
export function memoryCopyOf(
  dm: number,
  sm: number,
  dstWide: boolean,
  srcWide: boolean,
  dst: number,
  src: number,
  len: number,
  next: number,
): Op {
  const to = reader(dst, dstWide), from = reader(src, srcWide), length = reader(len, dstWide && srcWide);
  return (p, vm) => {
    const dmem = vm.memories[dm], smem = vm.memories[sm];
    const d = to(p), s = from(p), n = length(p);
    if (d + n > dmem.size || s + n > smem.size) oob();
    if (dmem === smem) dmem.u8.copyWithin(d, s, s + n);
    else dmem.u8.set(smem.u8.subarray(s, s + n), d);
    return next;
  };
}

/** memory.init of memory `m` from data segment `seg` (`data.drop` may have emptied it). */
export function memoryInitOf(
  seg: number,
  m: number,
  wide: boolean,
  dst: number,
  src: number,
  len: number,
  next: number,
): Op {
  const to = reader(dst, wide), from = reader(src, false), length = reader(len, false);
  return (p, vm) => {
    const mem = vm.memories[m], data = vm.datas[seg];
    const d = to(p), s = from(p), n = length(p);
    if (s + n > data.length || d + n > mem.size) oob();
    mem.u8.set(data.subarray(s, s + n), d);
    return next;
  };
}

/**
 * A SIMD load or store (`op`, a closure of ops_simd.ts, which accesses `vm.mem` at the low 32 bits
 * of address slot `a` plus its offset) on memory `m`: `vm.mem` is that memory while it runs. A
 * 64-bit address with high bits set is beyond any memory (at most 4 GiB here): out of bounds.
 */
export function simdMemoryOn(m: number, wide: boolean, a: number, op: Op): Op {
  const i32 = I32, hi = (a << 1) + 1;
  return (p, vm) => {
    if (wide && i32[p + hi] !== 0) oob();
    const saved = vm.mem;
    vm.mem = vm.memories[m];
    try {
      return op(p, vm);
    } finally {
      vm.mem = saved;
    }
  };
}
