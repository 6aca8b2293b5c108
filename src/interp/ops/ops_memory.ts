/**
 * Closure factories for memory access: loads and stores of every width with a constant offset folded
 * in, bounds-checked against the current size (effective addresses are 33-bit: base + offset may
 * exceed 2^32 and is compared exactly as a double), plus memory.size/grow and bulk memory.
 * 64-bit and float values move as 32-bit halves so NaN bit patterns survive.
 */
import { F32, F64, I32 } from "../../runtime/machine.ts";
import { LITTLE_ENDIAN, type Op, trap } from "../../runtime/objects.ts";
import { PAGE_SIZE } from "../../wasm/types.ts";
import { Op as Opcode } from "../../wasm/opcodes.ts";

/** The trap of a memory access out of bounds. */
export function oob(): never {
  trap("out of bounds memory access");
}

/**
 * Loads (0x28..0x35): slot d = mem[(slot a + k) mod 2^32 + offset]. `k` is an `i32.add` folded in
 * from the instruction before; it wraps like that add would, only the offset is added exactly.
 * Aligned addresses read through typed arrays; others through the DataView.
 */
export function load(
  op: number,
  d: number,
  a: number,
  k: number,
  offset: number,
  next: number,
): Op {
  const i32 = I32;
  d <<= 1, a <<= 1;
  if (!LITTLE_ENDIAN) return loadPortable(op, d, a, k, offset, next);
  switch (op) {
    case Opcode.I32Load: // i32.load
    case Opcode.F32Load: // f32.load (bits)
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        i32[p + d] = (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
        return next;
      };
    case Opcode.I64Load: // i64.load
    case Opcode.F64Load: // f64.load (bits)
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if ((ea & 3) === 0) {
          const m = mem.i32, q = ea >>> 2;
          i32[p + d] = m[q], i32[p + d + 1] = m[q + 1];
        } else {
          const v = mem.view;
          i32[p + d] = v.getInt32(ea, true), i32[p + d + 1] = v.getInt32(ea + 4, true);
        }
        return next;
      };
    case Opcode.I32Load8S:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        i32[p + d] = mem.i8[ea];
        return next;
      };
    case Opcode.I32Load8U:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        i32[p + d] = mem.u8[ea];
        return next;
      };
    case Opcode.I32Load16S:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        i32[p + d] = (ea & 1) === 0 ? mem.i16[ea >>> 1] : mem.view.getInt16(ea, true);
        return next;
      };
    case Opcode.I32Load16U:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        i32[p + d] = (ea & 1) === 0 ? mem.u16[ea >>> 1] : mem.view.getUint16(ea, true);
        return next;
      };
    case Opcode.I64Load8S:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        const v = mem.i8[ea];
        i32[p + d] = v, i32[p + d + 1] = v >> 31;
        return next;
      };
    case Opcode.I64Load8U:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        i32[p + d] = mem.u8[ea], i32[p + d + 1] = 0;
        return next;
      };
    case Opcode.I64Load16S:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        const v = (ea & 1) === 0 ? mem.i16[ea >>> 1] : mem.view.getInt16(ea, true);
        i32[p + d] = v, i32[p + d + 1] = v >> 31;
        return next;
      };
    case Opcode.I64Load16U:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        i32[p + d] = (ea & 1) === 0 ? mem.u16[ea >>> 1] : mem.view.getUint16(ea, true), i32[p + d + 1] = 0;
        return next;
      };
    case Opcode.I64Load32S:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const v = (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
        i32[p + d] = v, i32[p + d + 1] = v >> 31;
        return next;
      };
    case Opcode.I64Load32U:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        i32[p + d] = (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true), i32[p + d + 1] = 0;
        return next;
      };
  }
  throw new Error(`not a load: 0x${op.toString(16)}`);
}

/**
 * Loads through the DataView only (hosts whose byte order is not wasm's). `d`, `a` in 32-bit units.
 * Exported so that tests can run it on little-endian hosts too (tests/fused_forms_test.ts).
 */
export function loadPortable(
  op: number,
  d: number,
  a: number,
  k: number,
  offset: number,
  next: number,
): Op {
  const i32 = I32;
  const width = LOAD_WIDTH[op - Opcode.I32Load];
  return (p, vm) => {
    const mem = vm.mem;
    const ea = ((i32[p + a] + k) >>> 0) + offset;
    if (ea + width > mem.size) oob();
    const v = mem.view;
    switch (op) {
      case Opcode.I32Load:
      case Opcode.F32Load:
        i32[p + d] = v.getInt32(ea, true);
        break;
      case Opcode.I64Load:
      case Opcode.F64Load:
        i32[p + d] = v.getInt32(ea, true), i32[p + d + 1] = v.getInt32(ea + 4, true);
        break;
      case Opcode.I32Load8S:
        i32[p + d] = v.getInt8(ea);
        break;
      case Opcode.I32Load8U:
        i32[p + d] = v.getUint8(ea);
        break;
      case Opcode.I32Load16S:
        i32[p + d] = v.getInt16(ea, true);
        break;
      case Opcode.I32Load16U:
        i32[p + d] = v.getUint16(ea, true);
        break;
      default: {
        const x = op === Opcode.I64Load8S
          ? v.getInt8(ea)
          : op === Opcode.I64Load8U
          ? v.getUint8(ea)
          : op === Opcode.I64Load16S
          ? v.getInt16(ea, true)
          : op === Opcode.I64Load16U
          ? v.getUint16(ea, true)
          : v.getInt32(ea, true);
        i32[p + d] = x,
          i32[p + d + 1] = op === Opcode.I64Load8U || op === Opcode.I64Load16U || op === Opcode.I64Load32U
            ? 0
            : x >> 31;
      }
    }
    return next;
  };
}

const LOAD_WIDTH = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4];

/** Stores (0x36..0x3e): mem[(slot a + k) mod 2^32 + offset] = slot v; `k` as for loads. */
export function store(
  op: number,
  a: number,
  k: number,
  v: number,
  offset: number,
  next: number,
): Op {
  const i32 = I32;
  a <<= 1, v <<= 1;
  const aligned = LITTLE_ENDIAN;
  switch (op) {
    case Opcode.I32Store:
    case Opcode.F32Store:
    case Opcode.I64Store32:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (aligned && (ea & 3) === 0) mem.i32[ea >>> 2] = i32[p + v];
        else mem.view.setInt32(ea, i32[p + v], true);
        return next;
      };
    case Opcode.I64Store:
    case Opcode.F64Store:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (aligned && (ea & 3) === 0) {
          const m = mem.i32, q = ea >>> 2;
          m[q] = i32[p + v], m[q + 1] = i32[p + v + 1];
        } else {
          const view = mem.view;
          view.setInt32(ea, i32[p + v], true);
          view.setInt32(ea + 4, i32[p + v + 1], true);
        }
        return next;
      };
    case Opcode.I32Store8:
    case Opcode.I64Store8:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        mem.u8[ea] = i32[p + v];
        return next;
      };
    case Opcode.I32Store16:
    case Opcode.I64Store16:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        if (aligned && (ea & 1) === 0) mem.i16[ea >>> 1] = i32[p + v];
        else mem.view.setInt16(ea, i32[p + v], true);
        return next;
      };
  }
  throw new Error(`not a store: 0x${op.toString(16)}`);
}

export function memorySize(d: number, next: number): Op {
  const i32 = I32;
  d <<= 1;
  return (p, vm) => (i32[p + d] = vm.mem.size / PAGE_SIZE, next);
}

export function memoryGrow(d: number, a: number, next: number): Op {
  const i32 = I32;
  d <<= 1, a <<= 1;
  return (p, vm) => (i32[p + d] = vm.mem.grow(i32[p + a] >>> 0), next);
}

/** memory.fill d=dest, v=value, n=length. */
export function memoryFill(dst: number, val: number, len: number, next: number): Op {
  const i32 = I32;
  dst <<= 1, val <<= 1, len <<= 1;
  return (p, vm) => {
    const mem = vm.mem;
    const d = i32[p + dst] >>> 0, n = i32[p + len] >>> 0;
    if (d + n > mem.size) oob();
    mem.u8.fill(i32[p + val], d, d + n);
    return next;
  };
}

export function memoryCopy(dst: number, src: number, len: number, next: number): Op {
  const i32 = I32;
  dst <<= 1, src <<= 1, len <<= 1;
  return (p, vm) => {
    const mem = vm.mem;
    const d = i32[p + dst] >>> 0, s = i32[p + src] >>> 0, n = i32[p + len] >>> 0;
    if (d + n > mem.size || s + n > mem.size) oob();
    mem.u8.copyWithin(d, s, s + n);
    return next;
  };
}

/** memory.init: copies from a data segment, which `data.drop` may have emptied (read at run time). */
export function memoryInit(seg: number, dst: number, src: number, len: number, next: number): Op {
  const i32 = I32;
  dst <<= 1, src <<= 1, len <<= 1;
  return (p, vm) => {
    const mem = vm.mem;
    const data = vm.datas[seg];
    const d = i32[p + dst] >>> 0, s = i32[p + src] >>> 0, n = i32[p + len] >>> 0;
    if (s + n > data.length || d + n > mem.size) oob();
    mem.u8.set(data.subarray(s, s + n), d);
    return next;
  };
}

/**
 * f64 add/sub/mul/div (0xa0..0xa3) with one operand loaded from memory, the load folded in:
 * slot d = slot x OP mem[…] (or mem[…] OP slot x when `memLeft`). The loaded bits only feed
 * arithmetic here, so reading them as a double is exact enough (NaN payloads may change, as the
 * arithmetic may change them anyway).
 */
export function f64BinaryMem(
  op: number,
  d: number,
  x: number,
  a: number,
  k: number,
  offset: number,
  memLeft: boolean,
  next: number,
): Op {
  const i32 = I32, f64 = F64;
  a <<= 1;
  const key = (op - Opcode.F64Add) * 2 + (memLeft ? 1 : 0);
  // Each case spells the address check out: one closure, no helper call on the hot path.
  switch (key) {
    case 0:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = f64[(p >> 1) + x] + m;
        return next;
      };
    case 1:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = m + f64[(p >> 1) + x];
        return next;
      };
    case 2:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = f64[(p >> 1) + x] - m;
        return next;
      };
    case 3:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = m - f64[(p >> 1) + x];
        return next;
      };
    case 4:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = f64[(p >> 1) + x] * m;
        return next;
      };
    case 5:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = m * f64[(p >> 1) + x];
        return next;
      };
    case 6:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = f64[(p >> 1) + x] / m;
        return next;
      };
    case 7:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 7) === 0 ? mem.f64[ea >>> 3] : mem.view.getFloat64(ea, true);
        f64[(p >> 1) + d] = m / f64[(p >> 1) + x];
        return next;
      };
  }
  throw new Error(`not an f64 arithmetic op: 0x${op.toString(16)}`);
}

/** f64.store of `slot x OP slot y` (0xa0..0xa3), the arithmetic folded in. */
export function f64StoreBinary(
  a: number,
  offset: number,
  op: number,
  x: number,
  y: number,
  next: number,
): Op {
  const i32 = I32, f64 = F64;
  a <<= 1;
  switch (op) {
    case Opcode.F64Add:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const v = f64[(p >> 1) + x] + f64[(p >> 1) + y];
        if (LITTLE_ENDIAN && (ea & 7) === 0) mem.f64[ea >>> 3] = v;
        else mem.view.setFloat64(ea, v, true);
        return next;
      };
    case Opcode.F64Sub:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const v = f64[(p >> 1) + x] - f64[(p >> 1) + y];
        if (LITTLE_ENDIAN && (ea & 7) === 0) mem.f64[ea >>> 3] = v;
        else mem.view.setFloat64(ea, v, true);
        return next;
      };
    case Opcode.F64Mul:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const v = f64[(p >> 1) + x] * f64[(p >> 1) + y];
        if (LITTLE_ENDIAN && (ea & 7) === 0) mem.f64[ea >>> 3] = v;
        else mem.view.setFloat64(ea, v, true);
        return next;
      };
    case Opcode.F64Div:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const v = f64[(p >> 1) + x] / f64[(p >> 1) + y];
        if (LITTLE_ENDIAN && (ea & 7) === 0) mem.f64[ea >>> 3] = v;
        else mem.view.setFloat64(ea, v, true);
        return next;
      };
  }
  throw new Error(`not an f64 arithmetic op: 0x${op.toString(16)}`);
}

/** i32.load / f64.load / i32.load8_u whose address is `slot a + slot b` (an i32.add folded in). */
export function loadIndexed(
  op: number,
  d: number,
  a: number,
  b: number,
  offset: number,
  next: number,
): Op {
  const i32 = I32;
  d <<= 1, a <<= 1, b <<= 1;
  switch (op) {
    case Opcode.I32Load:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + i32[p + b]) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        i32[p + d] = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
        return next;
      };
    case Opcode.F64Load:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + i32[p + b]) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.i32, q = ea >>> 2;
          i32[p + d] = m[q], i32[p + d + 1] = m[q + 1];
        } else {
          const v = mem.view;
          i32[p + d] = v.getInt32(ea, true), i32[p + d + 1] = v.getInt32(ea + 4, true);
        }
        return next;
      };
    case Opcode.I32Load8U:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + i32[p + b]) >>> 0) + offset;
        if (ea >= mem.size) oob();
        i32[p + d] = mem.u8[ea];
        return next;
      };
  }
  throw new Error(`no indexed form for load 0x${op.toString(16)}`);
}

/**
 * `mem[ea] = mem[ea] OP slot x` (or `slot x OP mem[ea]` unless `memLeft`) for f64 add/sub/mul/div:
 * a load, the arithmetic and a store back to the same address in one closure (`c[i] += …`).
 */
export function f64ReadModifyWrite(
  a: number,
  offset: number,
  op: number,
  x: number,
  memLeft: boolean,
  next: number,
): Op {
  const i32 = I32, f64 = F64; // context slots of each closure: cheaper than module bindings
  a <<= 1;
  switch ((op - Opcode.F64Add) * 2 + (memLeft ? 1 : 0)) {
    case 0:
    case 1:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 7) === 0) {
          const m = mem.f64[ea >>> 3];
          mem.f64[ea >>> 3] = m + f64[(p >> 1) + x];
        } else {
          const m = mem.view.getFloat64(ea, true);
          mem.view.setFloat64(ea, m + f64[(p >> 1) + x], true);
        }
        return next;
      };
    case 2:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 7) === 0) {
          const m = mem.f64[ea >>> 3];
          mem.f64[ea >>> 3] = f64[(p >> 1) + x] - m;
        } else {
          const m = mem.view.getFloat64(ea, true);
          mem.view.setFloat64(ea, f64[(p >> 1) + x] - m, true);
        }
        return next;
      };
    case 3:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 7) === 0) {
          const m = mem.f64[ea >>> 3];
          mem.f64[ea >>> 3] = m - f64[(p >> 1) + x];
        } else {
          const m = mem.view.getFloat64(ea, true);
          mem.view.setFloat64(ea, m - f64[(p >> 1) + x], true);
        }
        return next;
      };
    case 4:
    case 5:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 7) === 0) {
          const m = mem.f64[ea >>> 3];
          mem.f64[ea >>> 3] = m * f64[(p >> 1) + x];
        } else {
          const m = mem.view.getFloat64(ea, true);
          mem.view.setFloat64(ea, m * f64[(p >> 1) + x], true);
        }
        return next;
      };
    case 6:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 7) === 0) {
          const m = mem.f64[ea >>> 3];
          mem.f64[ea >>> 3] = f64[(p >> 1) + x] / m;
        } else {
          const m = mem.view.getFloat64(ea, true);
          mem.view.setFloat64(ea, f64[(p >> 1) + x] / m, true);
        }
        return next;
      };
    case 7:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 7) === 0) {
          const m = mem.f64[ea >>> 3];
          mem.f64[ea >>> 3] = m / f64[(p >> 1) + x];
        } else {
          const m = mem.view.getFloat64(ea, true);
          mem.view.setFloat64(ea, m / f64[(p >> 1) + x], true);
        }
        return next;
      };
  }
  throw new Error(`not an f64 arithmetic op: 0x${op.toString(16)}`);
}

/**
 * `x = i32.load(…); if (x OP c)`: a load into a local and a test of it in one closure (scanning
 * loops: `while (a[i] < pivot) i++`). `c` is a constant when `imm`. Jumps to `target` when the
 * comparison is `when`.
 */
export function loadCompareBranch(
  a: number,
  k: number,
  offset: number,
  x: number,
  op: number,
  c: number,
  imm: boolean,
  when: boolean,
  target: number,
  next: number,
): Op {
  const i32 = I32;
  a <<= 1, x <<= 1;
  if (!imm) c <<= 1;
  const t = when ? target : next, f = when ? next : target;
  const kc = c, kcu = c >>> 0;
  const aligned = LITTLE_ENDIAN;
  if (imm) {
    switch (op) {
      case Opcode.I32Eq:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v === kc ? t : f;
        };
      case Opcode.I32Ne:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v !== kc ? t : f;
        };
      case Opcode.I32LtS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v < kc ? t : f;
        };
      case Opcode.I32LtU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) < kcu ? t : f;
        };
      case Opcode.I32GtS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v > kc ? t : f;
        };
      case Opcode.I32GtU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) > kcu ? t : f;
        };
      case Opcode.I32LeS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v <= kc ? t : f;
        };
      case Opcode.I32LeU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) <= kcu ? t : f;
        };
      case Opcode.I32GeS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v >= kc ? t : f;
        };
      case Opcode.I32GeU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) >= kcu ? t : f;
        };
    }
  } else {
    switch (op) {
      case Opcode.I32Eq:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v === i32[p + c] ? t : f;
        };
      case Opcode.I32Ne:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v !== i32[p + c] ? t : f;
        };
      case Opcode.I32LtS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v < i32[p + c] ? t : f;
        };
      case Opcode.I32LtU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) < (i32[p + c] >>> 0) ? t : f;
        };
      case Opcode.I32GtS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v > i32[p + c] ? t : f;
        };
      case Opcode.I32GtU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) > (i32[p + c] >>> 0) ? t : f;
        };
      case Opcode.I32LeS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v <= i32[p + c] ? t : f;
        };
      case Opcode.I32LeU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) <= (i32[p + c] >>> 0) ? t : f;
        };
      case Opcode.I32GeS:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return v >= i32[p + c] ? t : f;
        };
      case Opcode.I32GeU:
        return (p, vm) => {
          const mem = vm.mem;
          const ea = ((i32[p + a] + k) >>> 0) + offset;
          if (ea + 4 > mem.size) oob();
          const v = i32[p + x] = aligned && (ea & 3) === 0 ? mem.i32[ea >>> 2] : mem.view.getInt32(ea, true);
          return (v >>> 0) >= (i32[p + c] >>> 0) ? t : f;
        };
    }
  }
  throw new Error(`not an i32 comparison: 0x${op.toString(16)}`);
}

/**
 * f32 add/sub/mul/div (0x92..0x95) with one operand loaded from memory, the load folded in:
 * slot d = slot x OP mem[…] (or mem[…] OP slot x when `memLeft`). The loaded bits only feed
 * arithmetic here, so reading them as a double is exact enough (NaN payloads may change, as the
 * arithmetic may change them anyway).
 */
export function f32BinaryMem(
  op: number,
  d: number,
  x: number,
  a: number,
  k: number,
  offset: number,
  memLeft: boolean,
  next: number,
): Op {
  const i32 = I32, f32 = F32;
  a <<= 1, d <<= 1, x <<= 1; // f32 slots are read at 2·slot
  const key = (op - Opcode.F32Add) * 2 + (memLeft ? 1 : 0);
  // Each case spells the address check out: one closure, no helper call on the hot path.
  switch (key) {
    case 0:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = f32[p + x] + m;
        return next;
      };
    case 1:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = m + f32[p + x];
        return next;
      };
    case 2:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = f32[p + x] - m;
        return next;
      };
    case 3:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = m - f32[p + x];
        return next;
      };
    case 4:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = f32[p + x] * m;
        return next;
      };
    case 5:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = m * f32[p + x];
        return next;
      };
    case 6:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = f32[p + x] / m;
        return next;
      };
    case 7:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const m = LITTLE_ENDIAN && (ea & 3) === 0 ? mem.f32[ea >>> 2] : mem.view.getFloat32(ea, true);
        f32[p + d] = m / f32[p + x];
        return next;
      };
  }
  throw new Error(`not an f32 arithmetic op: 0x${op.toString(16)}`);
}

/** f32.store of `slot x OP slot y` (0x92..0x95), the arithmetic folded in. */
export function f32StoreBinary(
  a: number,
  offset: number,
  op: number,
  x: number,
  y: number,
  next: number,
): Op {
  const i32 = I32, f32 = F32;
  a <<= 1, x <<= 1, y <<= 1;
  switch (op) {
    case Opcode.F32Add:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const v = f32[p + x] + f32[p + y];
        if (LITTLE_ENDIAN && (ea & 3) === 0) mem.f32[ea >>> 2] = v;
        else mem.view.setFloat32(ea, v, true);
        return next;
      };
    case Opcode.F32Sub:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const v = f32[p + x] - f32[p + y];
        if (LITTLE_ENDIAN && (ea & 3) === 0) mem.f32[ea >>> 2] = v;
        else mem.view.setFloat32(ea, v, true);
        return next;
      };
    case Opcode.F32Mul:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const v = f32[p + x] * f32[p + y];
        if (LITTLE_ENDIAN && (ea & 3) === 0) mem.f32[ea >>> 2] = v;
        else mem.view.setFloat32(ea, v, true);
        return next;
      };
    case Opcode.F32Div:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const v = f32[p + x] / f32[p + y];
        if (LITTLE_ENDIAN && (ea & 3) === 0) mem.f32[ea >>> 2] = v;
        else mem.view.setFloat32(ea, v, true);
        return next;
      };
  }
  throw new Error(`not an f32 arithmetic op: 0x${op.toString(16)}`);
}

/**
 * `mem[ea] = mem[ea] OP slot x` (or `slot x OP mem[ea]` unless `memLeft`) for f32 add/sub/mul/div:
 * a load, the arithmetic and a store back to the same address in one closure (`c[i] += …`).
 */
export function f32ReadModifyWrite(
  a: number,
  offset: number,
  op: number,
  x: number,
  memLeft: boolean,
  next: number,
): Op {
  const i32 = I32, f32 = F32; // context slots of each closure: cheaper than module bindings
  a <<= 1, x <<= 1;
  switch ((op - Opcode.F32Add) * 2 + (memLeft ? 1 : 0)) {
    case 0:
    case 1:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.f32[ea >>> 2];
          mem.f32[ea >>> 2] = m + f32[p + x];
        } else {
          const m = mem.view.getFloat32(ea, true);
          mem.view.setFloat32(ea, m + f32[p + x], true);
        }
        return next;
      };
    case 2:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.f32[ea >>> 2];
          mem.f32[ea >>> 2] = f32[p + x] - m;
        } else {
          const m = mem.view.getFloat32(ea, true);
          mem.view.setFloat32(ea, f32[p + x] - m, true);
        }
        return next;
      };
    case 3:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.f32[ea >>> 2];
          mem.f32[ea >>> 2] = m - f32[p + x];
        } else {
          const m = mem.view.getFloat32(ea, true);
          mem.view.setFloat32(ea, m - f32[p + x], true);
        }
        return next;
      };
    case 4:
    case 5:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.f32[ea >>> 2];
          mem.f32[ea >>> 2] = m * f32[p + x];
        } else {
          const m = mem.view.getFloat32(ea, true);
          mem.view.setFloat32(ea, m * f32[p + x], true);
        }
        return next;
      };
    case 6:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.f32[ea >>> 2];
          mem.f32[ea >>> 2] = f32[p + x] / m;
        } else {
          const m = mem.view.getFloat32(ea, true);
          mem.view.setFloat32(ea, f32[p + x] / m, true);
        }
        return next;
      };
    case 7:
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        if (LITTLE_ENDIAN && (ea & 3) === 0) {
          const m = mem.f32[ea >>> 2];
          mem.f32[ea >>> 2] = m / f32[p + x];
        } else {
          const m = mem.view.getFloat32(ea, true);
          mem.view.setFloat32(ea, m / f32[p + x], true);
        }
        return next;
      };
  }
  throw new Error(`not an f32 arithmetic op: 0x${op.toString(16)}`);
}

/**
 * `mem[c] = mem[c] ± y · mem[b]` (f64, or f32 when `f32`): multiply by a loaded value, then add to
 * (or subtract from) a value read and written back at another address: the inner step of matrix
 * products, saxpy and convolutions. `b` is addressed as (slot bA + bK) + bOff, `c` as slot cA + cOff;
 * `b` is checked and read first, as the separate instructions would. With `subtractFrom`,
 * mem[c] - y·mem[b]; otherwise mem[c] + y·mem[b].
 */
export function mulAddReadModifyWrite(
  f32: boolean,
  y: number,
  bA: number,
  bK: number,
  bOff: number,
  cA: number,
  cOff: number,
  subtractFrom: boolean,
  next: number,
): Op {
  const i32 = I32, f64 = F64, fl32 = F32; // context slots of each closure: cheaper than module bindings
  bA <<= 1, cA <<= 1;
  if (f32) {
    const y2 = y << 1;
    const sign = subtractFrom ? -1 : 1;
    return (p, vm) => {
      const mem = vm.mem;
      const eb = ((i32[p + bA] + bK) >>> 0) + bOff;
      if (eb + 4 > mem.size) oob();
      const mb = LITTLE_ENDIAN && (eb & 3) === 0 ? mem.f32[eb >>> 2] : mem.view.getFloat32(eb, true);
      const ec = (i32[p + cA] >>> 0) + cOff;
      if (ec + 4 > mem.size) oob();
      // Each step rounds to f32 as the separate instructions would.
      const t = Math.fround(fl32[p + y2] * mb) * sign;
      if (LITTLE_ENDIAN && (ec & 3) === 0) mem.f32[ec >>> 2] = mem.f32[ec >>> 2] + t;
      else mem.view.setFloat32(ec, mem.view.getFloat32(ec, true) + t, true);
      return next;
    };
  }
  if (subtractFrom) {
    return (p, vm) => {
      const mem = vm.mem;
      const eb = ((i32[p + bA] + bK) >>> 0) + bOff;
      if (eb + 8 > mem.size) oob();
      const mb = LITTLE_ENDIAN && (eb & 7) === 0 ? mem.f64[eb >>> 3] : mem.view.getFloat64(eb, true);
      const ec = (i32[p + cA] >>> 0) + cOff;
      if (ec + 8 > mem.size) oob();
      const t = f64[(p >> 1) + y] * mb;
      if (LITTLE_ENDIAN && (ec & 7) === 0) mem.f64[ec >>> 3] = mem.f64[ec >>> 3] - t;
      else mem.view.setFloat64(ec, mem.view.getFloat64(ec, true) - t, true);
      return next;
    };
  }
  return (p, vm) => {
    const mem = vm.mem;
    const eb = ((i32[p + bA] + bK) >>> 0) + bOff;
    if (eb + 8 > mem.size) oob();
    const mb = LITTLE_ENDIAN && (eb & 7) === 0 ? mem.f64[eb >>> 3] : mem.view.getFloat64(eb, true);
    const ec = (i32[p + cA] >>> 0) + cOff;
    if (ec + 8 > mem.size) oob();
    const t = f64[(p >> 1) + y] * mb;
    if (LITTLE_ENDIAN && (ec & 7) === 0) mem.f64[ec >>> 3] = mem.f64[ec >>> 3] + t;
    else mem.view.setFloat64(ec, mem.view.getFloat64(ec, true) + t, true);
    return next;
  };
}
