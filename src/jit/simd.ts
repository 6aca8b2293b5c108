/**
 * The JS tier's SIMD instructions. A v128 is four int32 variables (lane 0 lowest); frequent
 * operations are emitted inline, the rest run the interpreter's closure on copies of their operands
 * in the frame's scratch slots.
 */
import { ValType } from "../wasm/types.ts";
import type { Compiler } from "./compile.ts";
import { assign, f32Bits, f32FromBits, RT } from "./names.ts";
import { Op as Opcode, SimdImm, simdImmediate, SimdOp } from "../wasm/opcodes.ts";
/**
 * A v128 is four int32 variables (lane 0 lowest). Frequent operations are inline; the rest run the
 * interpreter's closure on copies of their operands in the scratch slots (`V` for v128 values).
 */
export function simd(c: Compiler, sub: number): void {
  // Loads and stores inline only on a 32-bit memory 0; others go through the interpreter's closure.
  const imm = simdImmediate(sub);
  const memory = imm === SimdImm.MemArg || imm === SimdImm.MemArgLane;
  if ((!memory || c.inlineMemarg()) && simdInline(c, sub)) return;
  c.bridge();
}

/** Emits SIMD instruction `sub` as JS when it is one of the inline ones; false otherwise. */
function simdInline(c: Compiler, sub: number): boolean {
  const r = c.r;
  const top = () => c.parts(c.h - 1);
  const binary = (lane: (a: string, b: string) => string) => {
    const b = c.parts(c.pop()), a = top();
    c.emit(a.map((x, i) => `${x} = ${lane(x, b[i])};`).join(" "));
    return true;
  };
  switch (sub) {
    case SimdOp.V128Load: { // v128.load
      const check = c.checkedByView(c.pop());
      const k = c.push(ValType.V128);
      // Straight into f32x4 arithmetic: load the lanes as numbers (a NaN would be quieted anyway).
      const asFloats = nextIsF32x4Arithmetic(c);
      const get = asFloats ? "getFloat32" : "getInt32";
      c.emit(
        `${check} ${c.lanes(k).map((x, i) => `${x} = dv.${get}(ea + ${4 * i}, true);`).join(" ")}`,
      );
      if (asFloats) c.floatLanes.add(k);
      return true;
    }
    case SimdOp.V128Load8x8S: // v128.load8x8_s/u: bytes widened to 16-bit lanes, two per word
    case SimdOp.V128Load8x8U: {
      const check = c.checkedByView(c.pop());
      const v = c.parts(c.push(ValType.V128));
      const byte = (i: number) =>
        sub === SimdOp.V128Load8x8S ? `dv.getInt8(ea + ${i})` : `dv.getUint8(ea + ${i})`;
      const words = v.map((x, i) => `${x} = (${byte(2 * i)} & 0xffff) | (${byte(2 * i + 1)} << 16);`);
      c.emit(`${check} ${words.join(" ")}`);
      return true;
    }
    case SimdOp.V128Load16x4S: // v128.load16x4_s/u
    case SimdOp.V128Load16x4U: {
      const check = c.checkedByView(c.pop());
      const v = c.parts(c.push(ValType.V128));
      const get = sub === SimdOp.V128Load16x4S ? "getInt16" : "getUint16";
      c.emit(`${check} ${v.map((x, i) => `${x} = dv.${get}(ea + ${2 * i}, true);`).join(" ")}`);
      return true;
    }
    case SimdOp.V128Load32x2S: // v128.load32x2_s/u: two i64 lanes
    case SimdOp.V128Load32x2U: {
      const check = c.checkedByView(c.pop());
      const [a, b, e, d] = c.parts(c.push(ValType.V128));
      const high = (lo: string) => sub === SimdOp.V128Load32x2S ? `${lo} >> 31` : "0";
      c.emit(
        `${check} ${a} = dv.getInt32(ea, true); ${b} = ${high(a)}; ${e} = dv.getInt32(ea + 4, true); ` +
          `${d} = ${high(e)};`,
      );
      return true;
    }
    case SimdOp.I8x16Shuffle: { // i8x16.shuffle: each result byte picked from a (0..15) or b (16..31)
      const lanes = r.take(16);
      const b = c.parts(c.pop()), a = top();
      const source = [...a, ...b];
      const temps = ["m0", "m1", "m2", "m3"];
      const words = temps.map((m, w) => {
        const picks = [0, 1, 2, 3].map((j) => lanes[4 * w + j]);
        // a whole source word in order: no byte arithmetic
        if (picks[0] % 4 === 0 && picks.every((l, j) => l === picks[0] + j)) {
          return `${m} = ${source[picks[0] >> 2]};`;
        }
        const bytes = picks.map((l, j) => `(((${source[l >> 2]} >>> ${8 * (l & 3)}) & 0xff) << ${8 * j})`);
        return `${m} = ${bytes.join(" | ")};`;
      });
      c.emit(`${words.join(" ")} ${assign(a, temps)}`);
      return true;
    }
    case SimdOp.I8x16ExtractLaneS: // i8x16.extract_lane_s/u
    case SimdOp.I8x16ExtractLaneU: {
      const lane = r.u8();
      const v = c.parts(c.pop());
      const w = v[lane >> 2], shift = 8 * (lane & 3);
      const value = sub === SimdOp.I8x16ExtractLaneS
        ? `(${w} << ${24 - shift}) >> 24`
        : `(${w} >>> ${shift}) & 0xff`;
      c.emit(`i${c.push(ValType.I32)} = ${value};`);
      return true;
    }
    case SimdOp.I16x8ExtractLaneS: // i16x8.extract_lane_s/u
    case SimdOp.I16x8ExtractLaneU: {
      const lane = r.u8();
      const v = c.parts(c.pop());
      const w = v[lane >> 1], shift = 16 * (lane & 1);
      const value = sub === SimdOp.I16x8ExtractLaneS
        ? `(${w} << ${16 - shift}) >> 16`
        : `(${w} >>> ${shift}) & 0xffff`;
      c.emit(`i${c.push(ValType.I32)} = ${value};`);
      return true;
    }
    case SimdOp.I8x16ReplaceLane: // i8x16.replace_lane
    case SimdOp.I16x8ReplaceLane: { // i16x8.replace_lane
      const lane = r.u8();
      const x = c.v(c.pop());
      const [per, mask] = sub === SimdOp.I8x16ReplaceLane ? [4, 0xff] : [2, 0xffff];
      const w = top()[Math.floor(lane / per)], shift = (32 / per) * (lane % per);
      c.emit(`${w} = (${w} & ${~(mask << shift)}) | ((${x} & ${mask}) << ${shift});`);
      return true;
    }
    case SimdOp.F32x4ExtractLane: { // f32x4.extract_lane (bits)
      const lane = r.u8();
      const v = c.parts(c.pop());
      c.emit(`f${c.push(ValType.F32)} = ${f32FromBits(v[lane])};`);
      return true;
    }
    case SimdOp.F32x4ReplaceLane: { // f32x4.replace_lane
      const lane = r.u8();
      const x = c.v(c.pop());
      c.emit(`${top()[lane]} = ${f32Bits(x)};`);
      return true;
    }
    case SimdOp.I16x8Mul: // i16x8.mul
      return binary((a, b) =>
        `(Math.imul(${a}, ${b}) & 0xffff) | (Math.imul(${a} >>> 16, ${b} >>> 16) << 16)`
      );
    case SimdOp.I32x4ExtendLowI16x8S: // i32x4.extend_low/high_i16x8_s/u
    case SimdOp.I32x4ExtendHighI16x8S:
    case SimdOp.I32x4ExtendLowI16x8U:
    case SimdOp.I32x4ExtendHighI16x8U: {
      const v = top();
      const [w0, w1] = sub === SimdOp.I32x4ExtendLowI16x8S || sub === SimdOp.I32x4ExtendLowI16x8U
        ? [v[0], v[1]]
        : [v[2], v[3]];
      const signed = sub <= SimdOp.I32x4ExtendHighI16x8S;
      const low = (w: string) => signed ? `(${w} << 16) >> 16` : `${w} & 0xffff`;
      const high = (w: string) => signed ? `${w} >> 16` : `${w} >>> 16`;
      c.emit(
        `m0 = ${w0}; m1 = ${w1}; ${v[0]} = ${low("m0")}; ${v[1]} = ${high("m0")}; ` +
          `${v[2]} = ${low("m1")}; ${v[3]} = ${high("m1")};`,
      );
      return true;
    }
    case SimdOp.I32x4Shl: // i32x4.shl, shr_s, shr_u (the count is taken mod 32, as JS does)
    case SimdOp.I32x4ShrS:
    case SimdOp.I32x4ShrU: {
      const n = c.v(c.pop());
      const o = sub === SimdOp.I32x4Shl ? "<<" : sub === SimdOp.I32x4ShrS ? ">>" : ">>>";
      c.emit(top().map((x) => `${x} = (${x} ${o} ${n}) | 0;`).join(" "));
      return true;
    }
    case SimdOp.I32x4DotI16x8S: // i32x4.dot_i16x8_s
      return binary((a, b) =>
        `(Math.imul((${a} << 16) >> 16, (${b} << 16) >> 16) + Math.imul(${a} >> 16, ${b} >> 16)) | 0`
      );
    case SimdOp.F32x4ConvertI32x4S: // f32x4.convert_i32x4_s/u
      c.emit(top().map((x) => `${x} = ${RT.B}(${x});`).join(" "));
      return true;
    case SimdOp.F32x4ConvertI32x4U:
      c.emit(top().map((x) => `${x} = ${RT.B}(${x} >>> 0);`).join(" "));
      return true;
    case SimdOp.V128Load8Splat: // v128.load8/16/32_splat: one element repeated
    case SimdOp.V128Load16Splat:
    case SimdOp.V128Load32Splat: {
      const check = c.checkedByView(c.pop());
      const v = c.parts(c.push(ValType.V128));
      const word = sub === SimdOp.V128Load8Splat
        ? "Math.imul(dv.getUint8(ea), 0x01010101)"
        : sub === SimdOp.V128Load16Splat
        ? "Math.imul(dv.getUint16(ea, true), 0x10001)"
        : "dv.getInt32(ea, true)";
      c.emit(`${check} t = ${word}; ${v.map((x) => `${x} = t;`).join(" ")}`);
      return true;
    }
    case SimdOp.V128Load32Zero: // v128.load32_zero, load64_zero
    case SimdOp.V128Load64Zero: {
      const check = c.checkedByView(c.pop());
      const [a, b, d, e] = c.parts(c.push(ValType.V128));
      const second = sub === SimdOp.V128Load32Zero ? "0" : "dv.getInt32(ea + 4, true)";
      c.emit(`${check} ${a} = dv.getInt32(ea, true); ${b} = ${second}; ${d} = 0; ${e} = 0;`);
      return true;
    }
    case SimdOp.V128Load8Lane: // v128.load8/16/32/64_lane: one lane from memory, the others kept
    case SimdOp.V128Load16Lane:
    case SimdOp.V128Load32Lane:
    case SimdOp.V128Load64Lane: {
      const size = [1, 2, 4, 8][sub - SimdOp.V128Load8Lane];
      const v = c.parts(c.pop());
      const check = c.address(c.pop(), size);
      const lane = c.r.u8();
      const k = c.push(ValType.V128);
      const out = c.parts(k);
      const copy = assign(out, v);
      if (size >= 4) {
        const first = (lane * size) / 4;
        const words = size === 4 ? [first] : [first, first + 1];
        c.emit(
          `${check} ${copy} ${
            words.map((w, i) => `${out[w]} = dv.getInt32(ea + ${4 * i}, true);`).join(" ")
          }`,
        );
        return true;
      }
      const perWord = 4 / size, mask = size === 1 ? 0xff : 0xffff;
      const w = out[Math.floor(lane / perWord)], shift = 8 * size * (lane % perWord);
      const get = size === 1 ? "dv.getUint8(ea)" : "dv.getUint16(ea, true)";
      c.emit(`${check} ${copy} ${w} = (${w} & ${~(mask << shift)}) | (${get} << ${shift});`);
      return true;
    }
    case SimdOp.V128Store8Lane: // v128.store8/16/32/64_lane
    case SimdOp.V128Store16Lane:
    case SimdOp.V128Store32Lane:
    case SimdOp.V128Store64Lane: {
      const size = [1, 2, 4, 8][sub - SimdOp.V128Store8Lane];
      const v = c.parts(c.pop());
      const check = c.address(c.pop(), size);
      const lane = c.r.u8();
      if (size >= 4) {
        const first = (lane * size) / 4;
        const words = size === 4 ? [first] : [first, first + 1];
        c.emit(`${check} ${words.map((w, i) => `dv.setInt32(ea + ${4 * i}, ${v[w]}, true);`).join(" ")}`);
        return true;
      }
      const perWord = 4 / size;
      const w = v[Math.floor(lane / perWord)], shift = 8 * size * (lane % perWord);
      const set = size === 1 ? `dv.setInt8(ea, ${w} >> ${shift})` : `dv.setInt16(ea, ${w} >> ${shift}, true)`;
      c.emit(`${check} ${set};`);
      return true;
    }
    case SimdOp.V128Store: { // v128.store
      const k = c.h - 1;
      // f32x4 arithmetic's lanes (numbers) are stored as floats, unless NaN (whose bits V8 may change).
      const floats = c.floatLanes.has(k);
      const v = floats ? (c.floatLanes.delete(k), c.lanes(k)) : c.parts(k);
      c.pop();
      const check = c.checkedByView(c.pop());
      const word = (x: string, i: number) =>
        floats
          ? `if (${x} === ${x}) dv.setFloat32(ea + ${4 * i}, ${x}, true); ` +
            `else dv.setInt32(ea + ${4 * i}, ${RT.E}.f32NaNBits(${x}), true);`
          : `dv.setInt32(ea + ${4 * i}, ${x}, true);`;
      // The last word first: when it does not fit, nothing may be written.
      const words = v.map(word).reverse();
      c.emit(`${check} ${words.join(" ")}`);
      return true;
    }
    case SimdOp.V128Const: { // v128.const
      const bytes = r.take(16);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
      const v = c.parts(c.push(ValType.V128));
      c.emit(v.map((x, i) => `${x} = ${view.getInt32(4 * i, true)};`).join(" "));
      return true;
    }
    case SimdOp.F32x4Splat: { // f32x4.splat: lanes as numbers
      const a = c.v(c.pop());
      const k = c.push(ValType.V128);
      c.emit(c.lanes(k).map((x) => `${x} = ${a};`).join(" "));
      c.floatLanes.add(k);
      return true;
    }
    case SimdOp.I8x16Splat: // i8x16.splat
    case SimdOp.I16x8Splat: // i16x8.splat
    case SimdOp.I32x4Splat: { // i32x4.splat
      const a = c.v(c.pop());
      const word = sub === SimdOp.I8x16Splat
        ? `Math.imul(${a} & 0xff, 0x01010101)`
        : sub === SimdOp.I16x8Splat
        ? `Math.imul(${a} & 0xffff, 0x10001)`
        : a;
      const v = c.parts(c.push(ValType.V128));
      c.emit(`t = ${word}; ${v.map((x) => `${x} = t;`).join(" ")}`);
      return true;
    }
    case SimdOp.I32x4ExtractLane: { // i32x4.extract_lane
      const lane = r.u8();
      const v = c.parts(c.pop());
      c.emit(`i${c.push(ValType.I32)} = ${v[lane]};`);
      return true;
    }
    case SimdOp.I32x4ReplaceLane: { // i32x4.replace_lane
      const lane = r.u8();
      const x = c.v(c.pop());
      c.emit(`${top()[lane]} = ${x};`);
      return true;
    }
    case SimdOp.V128Not: // v128.not
      c.emit(top().map((x) => `${x} = ~${x};`).join(" "));
      return true;
    case SimdOp.V128And:
      return binary((a, b) => `${a} & ${b}`);
    case SimdOp.V128Andnot:
      return binary((a, b) => `${a} & ~${b}`);
    case SimdOp.V128Or:
      return binary((a, b) => `${a} | ${b}`);
    case SimdOp.V128Xor:
      return binary((a, b) => `${a} ^ ${b}`);
    case SimdOp.V128Bitselect: { // v128.bitselect
      const m = c.parts(c.pop()), b = c.parts(c.pop()), a = top();
      c.emit(a.map((x, i) => `${x} = (${x} & ${m[i]}) | (${b[i]} & ~${m[i]});`).join(" "));
      return true;
    }
    case SimdOp.I8x16RelaxedLaneselect: // relaxed_laneselect (V8 x64: blendv, by the mask's top bits;
    case SimdOp.I16x8RelaxedLaneselect: // per byte for i8x16 and i16x8 alike, see ops_simd_relaxed.ts)
    case SimdOp.I32x4RelaxedLaneselect:
    case SimdOp.I64x2RelaxedLaneselect: {
      const m = c.parts(c.pop()), b = c.parts(c.pop()), a = top();
      const mask = (i: number) =>
        sub === SimdOp.I32x4RelaxedLaneselect
          ? `(${m[i]} >> 31)`
          : sub === SimdOp.I64x2RelaxedLaneselect
          ? `(${m[i | 1]} >> 31)`
          : `Math.imul((${m[i]} & 0x80808080) >>> 7, 0xff)`;
      c.emit(a.map((x, i) => `t = ${mask(i)}; ${x} = (${x} & t) | (${b[i]} & ~t);`).join(" "));
      return true;
    }
    case SimdOp.V128AnyTrue: { // v128.any_true
      const v = c.parts(c.pop());
      c.emitCompare(`(${v.join(" | ")}) !== 0`);
      return true;
    }
    case SimdOp.I8x16Eq: // i8x16.eq: a zero byte of a ^ b becomes 0xff
      return binary((a, b) =>
        `Math.imul((~(((t = ${a} ^ ${b}) & 0x7f7f7f7f) + 0x7f7f7f7f | t) & 0x80808080) >>> 7, 0xff)`
      );
    case SimdOp.I8x16Bitmask: { // i8x16.bitmask: the top bit of each byte, byte 0 lowest
      const v = c.parts(c.pop());
      // A word's four top bits gathered by one multiplication, as the interpreter does (ops_simd_wide.ts):
      // moved to bits 0, 8, 16 and 24, times 1 + 2^7 + 2^14 + 2^21 they land side by side at bits 21-24.
      const nibble = (x: string, i: number) =>
        `((Math.imul((${x} >>> 7) & 0x01010101, 0x204081) >>> 21) & 15) << ${4 * i}`;
      c.emit(`i${c.push(ValType.I32)} = ${v.map(nibble).join(" | ")};`);
      return true;
    }
    case SimdOp.I8x16Add: // i8x16.add, lane by lane within each word
      return binary((a, b) => `((${a} & 0x7f7f7f7f) + (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ${b}) & 0x80808080)`);
    case SimdOp.I8x16Sub: // i8x16.sub
      return binary((a, b) => `((${a} | 0x80808080) - (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ~${b}) & 0x80808080)`);
    case SimdOp.I16x8Add: // i16x8.add
      return binary((a, b) => `((${a} & 0x7fff7fff) + (${b} & 0x7fff7fff)) ^ ((${a} ^ ${b}) & 0x80008000)`);
    case SimdOp.I16x8Sub: // i16x8.sub
      return binary((a, b) => `((${a} | 0x80008000) - (${b} & 0x7fff7fff)) ^ ((${a} ^ ~${b}) & 0x80008000)`);
    case SimdOp.I32x4Add:
      return binary((a, b) => `(${a} + ${b}) | 0`);
    case SimdOp.I32x4Sub:
      return binary((a, b) => `(${a} - ${b}) | 0`);
    case SimdOp.I32x4Mul:
      return binary((a, b) => `Math.imul(${a}, ${b})`);
    case SimdOp.I32x4Eq: // i32x4 comparisons: all ones where true
    case SimdOp.I32x4Ne:
    case SimdOp.I32x4LtS:
    case SimdOp.I32x4LtU:
    case SimdOp.I32x4GtS:
    case SimdOp.I32x4GtU:
    case SimdOp.I32x4LeS:
    case SimdOp.I32x4LeU:
    case SimdOp.I32x4GeS:
    case SimdOp.I32x4GeU: {
      const o = ["===", "!==", "<", "<", ">", ">", "<=", "<=", ">=", ">="][sub - SimdOp.I32x4Eq];
      const unsigned = sub >= SimdOp.I32x4LtS && (sub - SimdOp.I32x4LtS) % 2 === 1;
      const u = (x: string) => unsigned ? `(${x} >>> 0)` : x;
      return binary((a, b) => `${u(a)} ${o} ${u(b)} ? -1 : 0`);
    }
    case SimdOp.I32x4MinS: // i32x4.min_s, min_u, max_s, max_u
    case SimdOp.I32x4MinU:
    case SimdOp.I32x4MaxS:
    case SimdOp.I32x4MaxU: {
      const o = sub <= SimdOp.I32x4MinU ? "<" : ">";
      const u = (x: string) => sub === SimdOp.I32x4MinU || sub === SimdOp.I32x4MaxU ? `(${x} >>> 0)` : x;
      return binary((a, b) => `${u(a)} ${o} ${u(b)} ? ${a} : ${b}`);
    }
    case SimdOp.I32x4Abs: // i32x4.abs (of the minimum: itself), neg
      c.emit(top().map((x) => `${x} = ${x} < 0 ? -${x} | 0 : ${x};`).join(" "));
      return true;
    case SimdOp.I32x4Neg:
      c.emit(top().map((x) => `${x} = -${x} | 0;`).join(" "));
      return true;
    case SimdOp.F32x4Add: // f32x4 add, sub, mul, div: lanes as numbers in and out
    case SimdOp.F32x4Sub:
    case SimdOp.F32x4Mul:
    case SimdOp.F32x4Div: {
      const o = ["+", "-", "*", "/"][sub - SimdOp.F32x4Add];
      const b = c.pop(), a = c.h - 1;
      const num = (k: number) => c.lanes(k).map((x) => c.floatLanes.has(k) ? x : `${RT.N}(${x})`);
      const x = num(a), y = num(b);
      c.emit(c.lanes(a).map((v, i) => `${v} = Math.fround(${x[i]} ${o} ${y[i]});`).join(" "));
      c.floatLanes.add(a);
      return true;
    }
  }
  return false;
}

/**
 * Whether the next instruction is f32x4 add, sub, mul or div (0xfd 0xe4..0xe7, two-byte LEB: for a
 * sub-opcode 0x80..0xff the first byte equals the sub-opcode, the second is 0x01).
 */
function nextIsF32x4Arithmetic(c: Compiler): boolean {
  const b = c.r.bytes, p = c.r.pos;
  return b[p] === Opcode.PrefixSIMD && b[p + 1] >= SimdOp.F32x4Add && b[p + 1] <= SimdOp.F32x4Div &&
    b[p + 2] === 0x01;
}

/** The code this file generates with, for the compile cache's key (compile.ts `generatorText`). */
export function simdText(): string {
  return [simd, simdInline, nextIsF32x4Arithmetic].map(String).join("\n");
}
