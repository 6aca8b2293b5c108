/**
 * Closure factories for v128 values that are not lane arithmetic: moves, constants, globals, select,
 * returns, memory accesses, splats, lane access, shuffles and bitwise operations.
 *
 * A v128 in frame slot s lives in `V` at 4·s..4·s+3 (see machine.ts). Ops receive `p`, the frame base
 * in I32 units (2·slot), so the frame's v128 base is 2·p in `V`, 8·p in the byte views, 4·p in the
 * 16-bit views and p in the f64 view. Every factory returns one closure per operation, with the lane
 * loop inside, and reads all inputs a lane depends on before writing it: the destination may be an
 * operand (a `local.set` retargets the op to a local it also reads).
 */
import { I32, R, V } from "../../runtime/machine.ts";
import { type Op, RETURN } from "../../runtime/objects.ts";
import { isRefType, ValType } from "../../wasm/types.ts";
import { SimdOp } from "../../wasm/opcodes.ts";
import { oob } from "./ops_memory.ts";

/** Views of the v128 stack, by lane type. */
export const V8: Int8Array = new Int8Array(V.buffer);
export const U8: Uint8Array = new Uint8Array(V.buffer);
export const V16: Int16Array = new Int16Array(V.buffer);
export const U16: Uint16Array = new Uint16Array(V.buffer);
export const VF32: Float32Array = new Float32Array(V.buffer);
export const VF64: Float64Array = new Float64Array(V.buffer);

/** Scratch v128 pair for operations whose output lanes read other input lanes (8 ints: a, then b). */
export const S: Int32Array = new Int32Array(8);
export const S8: Int8Array = new Int8Array(S.buffer);
export const SU8: Uint8Array = new Uint8Array(S.buffer);
export const S16: Int16Array = new Int16Array(S.buffer);
export const SU16: Uint16Array = new Uint16Array(S.buffer);
export const SF32: Float32Array = new Float32Array(S.buffer);
export const SF64: Float64Array = new Float64Array(S.buffer);

// ---- moves ----

export function v128Copy(d: number, s: number, next: number): Op {
  const v = V;
  d <<= 2, s <<= 2;
  return (p) => {
    const q = p << 1;
    v[q + d] = v[q + s],
      v[q + d + 1] = v[q + s + 1],
      v[q + d + 2] = v[q + s + 2],
      v[q + d + 3] = v[q + s + 3];
    return next;
  };
}

export function v128Const(d: number, c: Int32Array, next: number): Op {
  const v = V;
  const c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
  d <<= 2;
  return (p) => {
    const q = (p << 1) + d;
    v[q] = c0, v[q + 1] = c1, v[q + 2] = c2, v[q + 3] = c3;
    return next;
  };
}

/** `select` of v128 values; `c2` is the condition's slot in I32 units (2·slot). */
export function v128Select(d: number, a: number, b: number, c2: number, next: number): Op {
  const v = V, i32 = I32;
  d <<= 2, a <<= 2, b <<= 2;
  return (p) => {
    const q = p << 1;
    const s = q + (i32[p + c2] !== 0 ? a : b);
    v[q + d] = v[s], v[q + d + 1] = v[s + 1], v[q + d + 2] = v[s + 2], v[q + d + 3] = v[s + 3];
    return next;
  };
}

export function v128GlobalGet(x: number, d: number, next: number): Op {
  const v = V;
  d <<= 2;
  return (p, vm) => {
    const q = (p << 1) + d, cell = vm.globals[x].i32;
    v[q] = cell[0], v[q + 1] = cell[1], v[q + 2] = cell[2], v[q + 3] = cell[3];
    return next;
  };
}

export function v128GlobalSet(x: number, s: number, next: number): Op {
  const v = V;
  s <<= 2;
  return (p, vm) => {
    const cell = vm.globals[x].i32;
    const q = (p << 1) + s;
    cell[0] = v[q], cell[1] = v[q + 1], cell[2] = v[q + 2], cell[3] = v[q + 3];
    return next;
  };
}

/** Returns the single v128 result held in slot s (it goes to slot 0). */
export function v128Return(s: number): Op {
  const v = V;
  s <<= 2;
  return (p) => {
    const q = p << 1;
    v[q] = v[q + s], v[q + 1] = v[q + s + 1], v[q + 2] = v[q + s + 2], v[q + 3] = v[q + s + 3];
    return RETURN;
  };
}

/** One result of a multi-value return, as the lowering describes it. */
export interface ReturnSource {
  type: ValType;
  isConst: boolean;
  lo: number;
  hi: number;
  slot: number;
}

/**
 * A return of several results among which is a v128 (rare: a generic closure). Every source is read
 * before any result is written, since sources may be the slots 0..n-1 the results go to.
 */
export function returnWithV128(sources: ReturnSource[]): Op {
  const n = sources.length;
  const bits = new Int32Array(4 * n);
  const refs: unknown[] = new Array(n);
  return (p) => {
    const base = p >> 1, q = p << 1;
    for (let i = 0; i < n; i++) {
      const src = sources[i], k = 4 * i;
      if (src.isConst) bits[k] = src.lo, bits[k + 1] = src.hi;
      else if (src.type === ValType.V128) bits.set(V.subarray(q + 4 * src.slot, q + 4 * src.slot + 4), k);
      else if (isRefType(src.type)) refs[i] = R[base + src.slot];
      else bits[k] = I32[p + 2 * src.slot], bits[k + 1] = I32[p + 2 * src.slot + 1];
    }
    for (let i = 0; i < n; i++) {
      const t = sources[i].type, k = 4 * i;
      if (t === ValType.V128) V.set(bits.subarray(k, k + 4), q + 4 * i);
      else if (isRefType(t)) R[base + i] = refs[i];
      else I32[p + 2 * i] = bits[k], I32[p + 2 * i + 1] = bits[k + 1];
    }
    return RETURN;
  };
}

// ---- memory ----

/**
 * v128 loads (0xfd 0x00..0x0a, 0x5c, 0x5d) into slot d from ((slot a + k) mod 2^32) + offset, where k
 * is an `i32.add` folded in. Effective addresses are 33-bit (the offset is added exactly, as a double).
 */
export function simdLoad(
  op: number,
  d: number,
  a: number,
  k: number,
  offset: number,
  next: number,
): Op {
  const v = V, i32 = I32, v16 = V16, u16 = U16;
  const d4 = d << 2, d8 = d << 3, a2 = a << 1;
  switch (op) {
    case SimdOp.V128Load: // v128.load
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 16 > mem.size) oob();
        const q = (p << 1) + d4;
        if ((ea & 3) === 0) {
          const m = mem.i32, w = ea >>> 2;
          v[q] = m[w], v[q + 1] = m[w + 1], v[q + 2] = m[w + 2], v[q + 3] = m[w + 3];
        } else {
          const m = mem.view;
          v[q] = m.getInt32(ea, true), v[q + 1] = m.getInt32(ea + 4, true);
          v[q + 2] = m.getInt32(ea + 8, true), v[q + 3] = m.getInt32(ea + 12, true);
        }
        return next;
      };
    case SimdOp.V128Load8x8S: // v128.load8x8_s
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.u8, q = (p << 2) + d8;
        for (let i = 0; i < 8; i++) v16[q + i] = (m[ea + i] << 24) >> 24;
        return next;
      };
    case SimdOp.V128Load8x8U: // v128.load8x8_u
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.u8, q = (p << 2) + d8;
        for (let i = 0; i < 8; i++) u16[q + i] = m[ea + i];
        return next;
      };
    case SimdOp.V128Load16x4S: // v128.load16x4_s
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.view, q = (p << 1) + d4;
        for (let i = 0; i < 4; i++) v[q + i] = m.getInt16(ea + 2 * i, true);
        return next;
      };
    case SimdOp.V128Load16x4U: // v128.load16x4_u
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.view, q = (p << 1) + d4;
        for (let i = 0; i < 4; i++) v[q + i] = m.getUint16(ea + 2 * i, true);
        return next;
      };
    case SimdOp.V128Load32x2S: // v128.load32x2_s
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.view, q = (p << 1) + d4;
        const x = m.getInt32(ea, true), y = m.getInt32(ea + 4, true);
        v[q] = x, v[q + 1] = x >> 31, v[q + 2] = y, v[q + 3] = y >> 31;
        return next;
      };
    case SimdOp.V128Load32x2U: // v128.load32x2_u
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.view, q = (p << 1) + d4;
        v[q] = m.getInt32(ea, true), v[q + 1] = 0, v[q + 2] = m.getInt32(ea + 4, true), v[q + 3] = 0;
        return next;
      };
    case SimdOp.V128Load8Splat: // v128.load8_splat
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea >= mem.size) oob();
        const x = Math.imul(mem.u8[ea], 0x01010101), q = (p << 1) + d4;
        v[q] = x, v[q + 1] = x, v[q + 2] = x, v[q + 3] = x;
        return next;
      };
    case SimdOp.V128Load16Splat: // v128.load16_splat
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        const x = Math.imul(mem.view.getUint16(ea, true), 0x10001), q = (p << 1) + d4;
        v[q] = x, v[q + 1] = x, v[q + 2] = x, v[q + 3] = x;
        return next;
      };
    case SimdOp.V128Load32Splat: // v128.load32_splat
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const x = mem.view.getInt32(ea, true), q = (p << 1) + d4;
        v[q] = x, v[q + 1] = x, v[q + 2] = x, v[q + 3] = x;
        return next;
      };
    case SimdOp.V128Load64Splat: // v128.load64_splat
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.view, lo = m.getInt32(ea, true), hi = m.getInt32(ea + 4, true), q = (p << 1) + d4;
        v[q] = lo, v[q + 1] = hi, v[q + 2] = lo, v[q + 3] = hi;
        return next;
      };
    case SimdOp.V128Load32Zero: // v128.load32_zero
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        const q = (p << 1) + d4;
        v[q] = mem.view.getInt32(ea, true), v[q + 1] = 0, v[q + 2] = 0, v[q + 3] = 0;
        return next;
      };
    case SimdOp.V128Load64Zero: // v128.load64_zero
      return (p, vm) => {
        const mem = vm.mem;
        const ea = ((i32[p + a2] + k) >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const m = mem.view, q = (p << 1) + d4;
        v[q] = m.getInt32(ea, true), v[q + 1] = m.getInt32(ea + 4, true), v[q + 2] = 0, v[q + 3] = 0;
        return next;
      };
  }
  throw new Error(`not a v128 load: 0x${op.toString(16)}`);
}

/** v128.store: the 16 bytes of slot s at slot a + offset. */
export function simdStore(a: number, s: number, offset: number, next: number): Op {
  const v = V, i32 = I32;
  const a2 = a << 1, s4 = s << 2;
  return (p, vm) => {
    const mem = vm.mem;
    const ea = (i32[p + a2] >>> 0) + offset;
    if (ea + 16 > mem.size) oob();
    const q = (p << 1) + s4;
    if ((ea & 3) === 0) {
      const m = mem.i32, w = ea >>> 2;
      m[w] = v[q], m[w + 1] = v[q + 1], m[w + 2] = v[q + 2], m[w + 3] = v[q + 3];
    } else {
      const m = mem.view;
      m.setInt32(ea, v[q], true), m.setInt32(ea + 4, v[q + 1], true);
      m.setInt32(ea + 8, v[q + 2], true), m.setInt32(ea + 12, v[q + 3], true);
    }
    return next;
  };
}

/** v128.loadN_lane (0x54..0x57): slot d = slot s with lane `lane` loaded from slot a + offset. */
export function simdLoadLane(
  op: number,
  d: number,
  a: number,
  s: number,
  offset: number,
  lane: number,
  next: number,
): Op {
  const v = V, i32 = I32, u8 = U8, u16 = U16;
  const a2 = a << 1, d4 = d << 2, s4 = s << 2;
  const copy = (q: number) => {
    v[q + d4] = v[q + s4], v[q + d4 + 1] = v[q + s4 + 1], v[q + d4 + 2] = v[q + s4 + 2];
    v[q + d4 + 3] = v[q + s4 + 3];
  };
  switch (op) {
    case SimdOp.V128Load8Lane: {
      const at = (d << 4) + lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea >= mem.size) oob();
        copy(p << 1);
        u8[(p << 3) + at] = mem.u8[ea];
        return next;
      };
    }
    case SimdOp.V128Load16Lane: {
      const at = (d << 3) + lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        copy(p << 1);
        u16[(p << 2) + at] = mem.view.getUint16(ea, true);
        return next;
      };
    }
    case SimdOp.V128Load32Lane: {
      const at = d4 + lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        copy(p << 1);
        v[(p << 1) + at] = mem.view.getInt32(ea, true);
        return next;
      };
    }
    case SimdOp.V128Load64Lane: {
      const at = d4 + 2 * lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const q = p << 1;
        copy(q);
        v[q + at] = mem.view.getInt32(ea, true), v[q + at + 1] = mem.view.getInt32(ea + 4, true);
        return next;
      };
    }
  }
  throw new Error(`not a v128 lane load: 0x${op.toString(16)}`);
}

/** v128.storeN_lane (0x58..0x5b): lane `lane` of slot s to slot a + offset. */
export function simdStoreLane(
  op: number,
  a: number,
  s: number,
  offset: number,
  lane: number,
  next: number,
): Op {
  const v = V, i32 = I32, u8 = U8, u16 = U16;
  const a2 = a << 1;
  switch (op) {
    case SimdOp.V128Store8Lane: {
      const at = (s << 4) + lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea >= mem.size) oob();
        mem.u8[ea] = u8[(p << 3) + at];
        return next;
      };
    }
    case SimdOp.V128Store16Lane: {
      const at = (s << 3) + lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea + 2 > mem.size) oob();
        mem.view.setUint16(ea, u16[(p << 2) + at], true);
        return next;
      };
    }
    case SimdOp.V128Store32Lane: {
      const at = (s << 2) + lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea + 4 > mem.size) oob();
        mem.view.setInt32(ea, v[(p << 1) + at], true);
        return next;
      };
    }
    case SimdOp.V128Store64Lane: {
      const at = (s << 2) + 2 * lane;
      return (p, vm) => {
        const mem = vm.mem;
        const ea = (i32[p + a2] >>> 0) + offset;
        if (ea + 8 > mem.size) oob();
        const q = (p << 1) + at;
        mem.view.setInt32(ea, v[q], true), mem.view.setInt32(ea + 4, v[q + 1], true);
        return next;
      };
    }
  }
  throw new Error(`not a v128 lane store: 0x${op.toString(16)}`);
}

// ---- splats and lanes ----

/** Splats (0x0f..0x14): every lane of slot d = the scalar in slot a. */
export function splat(op: number, d: number, a: number, next: number): Op {
  const v = V, i32 = I32;
  const d4 = d << 2, a2 = a << 1;
  switch (op) {
    case SimdOp.I8x16Splat: // i8x16
      return (p) => {
        const x = Math.imul(i32[p + a2] & 0xff, 0x01010101), q = (p << 1) + d4;
        v[q] = x, v[q + 1] = x, v[q + 2] = x, v[q + 3] = x;
        return next;
      };
    case SimdOp.I16x8Splat: // i16x8
      return (p) => {
        const x = Math.imul(i32[p + a2] & 0xffff, 0x10001), q = (p << 1) + d4;
        v[q] = x, v[q + 1] = x, v[q + 2] = x, v[q + 3] = x;
        return next;
      };
    case SimdOp.I32x4Splat: // i32x4
    case SimdOp.F32x4Splat: // f32x4 (bits)
      return (p) => {
        const x = i32[p + a2], q = (p << 1) + d4;
        v[q] = x, v[q + 1] = x, v[q + 2] = x, v[q + 3] = x;
        return next;
      };
    case SimdOp.I64x2Splat: // i64x2
    case SimdOp.F64x2Splat: // f64x2 (bits)
      return (p) => {
        const lo = i32[p + a2], hi = i32[p + a2 + 1], q = (p << 1) + d4;
        v[q] = lo, v[q + 1] = hi, v[q + 2] = lo, v[q + 3] = hi;
        return next;
      };
  }
  throw new Error(`not a splat: 0x${op.toString(16)}`);
}

/** extract_lane (0x15, 0x16, 0x18, 0x19, 0x1b, 0x1d, 0x1f, 0x21): scalar slot d = lane of slot a. */
export function extractLane(op: number, d: number, a: number, lane: number, next: number): Op {
  const v = V, i32 = I32, v8 = V8, u8 = U8, v16 = V16, u16 = U16;
  const d2 = d << 1;
  switch (op) {
    case SimdOp.I8x16ExtractLaneS: {
      const at = (a << 4) + lane;
      return (p) => (i32[p + d2] = v8[(p << 3) + at], next);
    }
    case SimdOp.I8x16ExtractLaneU: {
      const at = (a << 4) + lane;
      return (p) => (i32[p + d2] = u8[(p << 3) + at], next);
    }
    case SimdOp.I16x8ExtractLaneS: {
      const at = (a << 3) + lane;
      return (p) => (i32[p + d2] = v16[(p << 2) + at], next);
    }
    case SimdOp.I16x8ExtractLaneU: {
      const at = (a << 3) + lane;
      return (p) => (i32[p + d2] = u16[(p << 2) + at], next);
    }
    case SimdOp.I32x4ExtractLane:
    case SimdOp.F32x4ExtractLane: { // f32 lanes move as bits
      const at = (a << 2) + lane;
      return (p) => (i32[p + d2] = v[(p << 1) + at], next);
    }
    case SimdOp.I64x2ExtractLane:
    case SimdOp.F64x2ExtractLane: {
      const at = (a << 2) + 2 * lane;
      return (p) => {
        const q = (p << 1) + at;
        i32[p + d2] = v[q], i32[p + d2 + 1] = v[q + 1];
        return next;
      };
    }
  }
  throw new Error(`not an extract_lane: 0x${op.toString(16)}`);
}

/** replace_lane (0x17, 0x1a, 0x1c, 0x1e, 0x20, 0x22): slot d = slot a with one lane from scalar slot x. */
export function replaceLane(op: number, d: number, a: number, x: number, lane: number, next: number): Op {
  const v = V, i32 = I32, u8 = U8, u16 = U16;
  const d4 = d << 2, a4 = a << 2, x2 = x << 1;
  const copy = (q: number) => {
    v[q + d4] = v[q + a4], v[q + d4 + 1] = v[q + a4 + 1], v[q + d4 + 2] = v[q + a4 + 2];
    v[q + d4 + 3] = v[q + a4 + 3];
  };
  switch (op) {
    case SimdOp.I8x16ReplaceLane: {
      const at = (d << 4) + lane;
      return (p) => (copy(p << 1), u8[(p << 3) + at] = i32[p + x2], next);
    }
    case SimdOp.I16x8ReplaceLane: {
      const at = (d << 3) + lane;
      return (p) => (copy(p << 1), u16[(p << 2) + at] = i32[p + x2], next);
    }
    case SimdOp.I32x4ReplaceLane:
    case SimdOp.F32x4ReplaceLane: {
      const at = d4 + lane;
      return (p) => (copy(p << 1), v[(p << 1) + at] = i32[p + x2], next);
    }
    case SimdOp.I64x2ReplaceLane:
    case SimdOp.F64x2ReplaceLane: {
      const at = d4 + 2 * lane;
      return (p) => {
        const q = p << 1;
        copy(q);
        v[q + at] = i32[p + x2], v[q + at + 1] = i32[p + x2 + 1];
        return next;
      };
    }
  }
  throw new Error(`not a replace_lane: 0x${op.toString(16)}`);
}

/** i8x16.shuffle: byte i of slot d = byte lanes[i] of the 32 bytes of slots a and b. */
export function shuffle(d: number, a: number, b: number, lanes: Uint8Array, next: number): Op {
  const v = V, u8 = U8, s = S, su8 = SU8;
  const idx = Uint8Array.from(lanes);
  const d16 = d << 4, a4 = a << 2, b4 = b << 2;
  const words = wordShuffle(idx);
  if (words) {
    // Whole 32-bit lanes move (the usual i32x4/f32x4 shuffles of reductions): four word copies.
    const [w0, w1, w2, w3] = words.map((w) => (w < 4 ? a4 : b4) + (w & 3));
    const d4 = d << 2;
    return (p) => {
      const q = p << 1;
      const x0 = v[q + w0], x1 = v[q + w1], x2 = v[q + w2], x3 = v[q + w3];
      v[q + d4] = x0, v[q + d4 + 1] = x1, v[q + d4 + 2] = x2, v[q + d4 + 3] = x3;
      return next;
    };
  }
  return (p) => {
    const q = p << 1;
    s[0] = v[q + a4], s[1] = v[q + a4 + 1], s[2] = v[q + a4 + 2], s[3] = v[q + a4 + 3];
    s[4] = v[q + b4], s[5] = v[q + b4 + 1], s[6] = v[q + b4 + 2], s[7] = v[q + b4 + 3];
    const o = (p << 3) + d16;
    for (let i = 0; i < 16; i++) u8[o + i] = su8[idx[i]];
    return next;
  };
}

/** The source words (0..7: a's, then b's) when a shuffle moves whole aligned 32-bit lanes, else null. */
function wordShuffle(idx: Uint8Array): number[] | null {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 4) {
    const first = idx[i];
    if (first % 4 !== 0 || idx[i + 1] !== first + 1 || idx[i + 2] !== first + 2 || idx[i + 3] !== first + 3) {
      return null;
    }
    words.push(first / 4);
  }
  return words;
}

/** i8x16.swizzle: byte i of slot d = byte (slot b)[i] of slot a, or 0 when that index is 16 or more. */
export function swizzle(d: number, a: number, b: number, next: number): Op {
  const v = V, u8 = U8, s = S, su8 = SU8;
  const d16 = d << 4, a4 = a << 2, b16 = b << 4;
  return (p) => {
    const q = p << 1;
    s[0] = v[q + a4], s[1] = v[q + a4 + 1], s[2] = v[q + a4 + 2], s[3] = v[q + a4 + 3];
    const o = (p << 3) + d16, x = (p << 3) + b16;
    for (let i = 0; i < 16; i++) {
      const k = u8[x + i];
      u8[o + i] = k < 16 ? su8[k] : 0;
    }
    return next;
  };
}

// ---- bitwise ----

/** v128.not, and, andnot, or, xor (0x4d..0x51). */
export function bitwise(op: number, d: number, a: number, b: number, next: number): Op {
  const v = V;
  d <<= 2, a <<= 2, b <<= 2;
  switch (op) {
    case SimdOp.V128Not:
      return (p) => {
        const q = p << 1;
        v[q + d] = ~v[q + a], v[q + d + 1] = ~v[q + a + 1], v[q + d + 2] = ~v[q + a + 2];
        v[q + d + 3] = ~v[q + a + 3];
        return next;
      };
    case SimdOp.V128And:
      return (p) => {
        const q = p << 1;
        v[q + d] = v[q + a] & v[q + b], v[q + d + 1] = v[q + a + 1] & v[q + b + 1];
        v[q + d + 2] = v[q + a + 2] & v[q + b + 2], v[q + d + 3] = v[q + a + 3] & v[q + b + 3];
        return next;
      };
    case SimdOp.V128Andnot:
      return (p) => {
        const q = p << 1;
        v[q + d] = v[q + a] & ~v[q + b], v[q + d + 1] = v[q + a + 1] & ~v[q + b + 1];
        v[q + d + 2] = v[q + a + 2] & ~v[q + b + 2], v[q + d + 3] = v[q + a + 3] & ~v[q + b + 3];
        return next;
      };
    case SimdOp.V128Or:
      return (p) => {
        const q = p << 1;
        v[q + d] = v[q + a] | v[q + b], v[q + d + 1] = v[q + a + 1] | v[q + b + 1];
        v[q + d + 2] = v[q + a + 2] | v[q + b + 2], v[q + d + 3] = v[q + a + 3] | v[q + b + 3];
        return next;
      };
    case SimdOp.V128Xor:
      return (p) => {
        const q = p << 1;
        v[q + d] = v[q + a] ^ v[q + b], v[q + d + 1] = v[q + a + 1] ^ v[q + b + 1];
        v[q + d + 2] = v[q + a + 2] ^ v[q + b + 2], v[q + d + 3] = v[q + a + 3] ^ v[q + b + 3];
        return next;
      };
  }
  throw new Error(`not a bitwise op: 0x${op.toString(16)}`);
}

/** v128.bitselect: bits of a where the mask c is set, of b elsewhere. */
export function bitselect(d: number, a: number, b: number, c: number, next: number): Op {
  const v = V;
  d <<= 2, a <<= 2, b <<= 2, c <<= 2;
  return (p) => {
    const q = p << 1;
    for (let i = 0; i < 4; i++) {
      const m = v[q + c + i];
      v[q + d + i] = (v[q + a + i] & m) | (v[q + b + i] & ~m);
    }
    return next;
  };
}

/** v128.any_true: whether any bit of slot a is set. */
export function anyTrue(d: number, a: number, next: number): Op {
  const v = V, i32 = I32;
  const d2 = d << 1, a4 = a << 2;
  return (p) => {
    const q = (p << 1) + a4;
    i32[p + d2] = +((v[q] | v[q + 1] | v[q + 2] | v[q + 3]) !== 0);
    return next;
  };
}
