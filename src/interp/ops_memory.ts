/**
 * Closure factories for memory access: loads and stores of every width with a constant offset folded
 * in, bounds-checked against the current size (effective addresses are 33-bit: base + offset may
 * exceed 2^32 and is compared exactly as a double), plus memory.size/grow and bulk memory.
 * 64-bit and float values move as 32-bit halves so NaN bit patterns survive.
 */
import { I32 } from "./machine.ts";
import { type MemoryInst, type Op, PAGE_SIZE, trap } from "./runtime.ts";

function oob(): never {
  trap("out of bounds memory access");
}

/**
 * Loads (0x28..0x35): slot d = mem[(slot a + k) mod 2^32 + offset]. `k` is an `i32.add` folded in
 * from the instruction before; it wraps like that add would, only the offset is added exactly.
 */
export function load(
  op: number,
  mem: MemoryInst,
  d: number,
  a: number,
  k: number,
  offset: number,
  next: number,
): Op {
  d <<= 1, a <<= 1;
  switch (op) {
    case 0x28: // i32.load
    case 0x2a: // f32.load (bits)
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        I32[p + d] = mem.view.getInt32(ea, true);
        return next;
      };
    case 0x29: // i64.load
    case 0x2b: // f64.load (bits)
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const v = mem.view;
        I32[p + d] = v.getInt32(ea, true);
        I32[p + d + 1] = v.getInt32(ea + 4, true);
        return next;
      };
    case 0x2c:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        I32[p + d] = (mem.u8[ea] << 24) >> 24;
        return next;
      };
    case 0x2d:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        I32[p + d] = mem.u8[ea];
        return next;
      };
    case 0x2e:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        I32[p + d] = mem.view.getInt16(ea, true);
        return next;
      };
    case 0x2f:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        I32[p + d] = mem.view.getUint16(ea, true);
        return next;
      };
    case 0x30:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        const v = (mem.u8[ea] << 24) >> 24;
        I32[p + d] = v, I32[p + d + 1] = v >> 31;
        return next;
      };
    case 0x31:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        I32[p + d] = mem.u8[ea], I32[p + d + 1] = 0;
        return next;
      };
    case 0x32:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        const v = mem.view.getInt16(ea, true);
        I32[p + d] = v, I32[p + d + 1] = v >> 31;
        return next;
      };
    case 0x33:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        I32[p + d] = mem.view.getUint16(ea, true), I32[p + d + 1] = 0;
        return next;
      };
    case 0x34:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const v = mem.view.getInt32(ea, true);
        I32[p + d] = v, I32[p + d + 1] = v >> 31;
        return next;
      };
    case 0x35:
      return (p) => {
        const ea = ((I32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        I32[p + d] = mem.view.getInt32(ea, true), I32[p + d + 1] = 0;
        return next;
      };
  }
  throw new Error(`not a load: 0x${op.toString(16)}`);
}

/** Stores (0x36..0x3e): mem[slot a + offset] = slot v. */
export function store(op: number, mem: MemoryInst, a: number, v: number, offset: number, next: number): Op {
  a <<= 1, v <<= 1;
  switch (op) {
    case 0x36:
    case 0x38:
    case 0x3e:
      return (p) => {
        const ea = (I32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        mem.view.setInt32(ea, I32[p + v], true);
        return next;
      };
    case 0x37:
    case 0x39:
      return (p) => {
        const ea = (I32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const view = mem.view;
        view.setInt32(ea, I32[p + v], true);
        view.setInt32(ea + 4, I32[p + v + 1], true);
        return next;
      };
    case 0x3a:
    case 0x3c:
      return (p) => {
        const ea = (I32[p + a] >>> 0) + offset;
        if (ea >= mem.size) oob();
        mem.u8[ea] = I32[p + v];
        return next;
      };
    case 0x3b:
    case 0x3d:
      return (p) => {
        const ea = (I32[p + a] >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        mem.view.setInt16(ea, I32[p + v], true);
        return next;
      };
  }
  throw new Error(`not a store: 0x${op.toString(16)}`);
}

export function memorySize(mem: MemoryInst, d: number, next: number): Op {
  d <<= 1;
  return (p) => (I32[p + d] = mem.size / PAGE_SIZE, next);
}

export function memoryGrow(mem: MemoryInst, d: number, a: number, next: number): Op {
  d <<= 1, a <<= 1;
  return (p) => (I32[p + d] = mem.grow(I32[p + a] >>> 0), next);
}

/** memory.fill d=dest, v=value, n=length. */
export function memoryFill(mem: MemoryInst, dst: number, val: number, len: number, next: number): Op {
  dst <<= 1, val <<= 1, len <<= 1;
  return (p) => {
    const d = I32[p + dst] >>> 0, n = I32[p + len] >>> 0;
    if (d + n > mem.size) oob();
    mem.u8.fill(I32[p + val], d, d + n);
    return next;
  };
}

export function memoryCopy(mem: MemoryInst, dst: number, src: number, len: number, next: number): Op {
  dst <<= 1, src <<= 1, len <<= 1;
  return (p) => {
    const d = I32[p + dst] >>> 0, s = I32[p + src] >>> 0, n = I32[p + len] >>> 0;
    if (d + n > mem.size || s + n > mem.size) oob();
    mem.u8.copyWithin(d, s, s + n);
    return next;
  };
}

/** memory.init: copies from a data segment, which `data.drop` may have emptied (read at run time). */
export function memoryInit(
  mem: MemoryInst,
  datas: Uint8Array[],
  seg: number,
  dst: number,
  src: number,
  len: number,
  next: number,
): Op {
  dst <<= 1, src <<= 1, len <<= 1;
  return (p) => {
    const data = datas[seg];
    const d = I32[p + dst] >>> 0, s = I32[p + src] >>> 0, n = I32[p + len] >>> 0;
    if (s + n > data.length || d + n > mem.size) oob();
    mem.u8.set(data.subarray(s, s + n), d);
    return next;
  };
}
