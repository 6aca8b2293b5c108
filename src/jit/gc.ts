/**
 * The JS tier's GC instructions (prefix 0xfb). Field and element access of the common kinds
 * (references, i32, i64, f32 and the packed ones), `array.len`, casts and `i31` are inline: a struct's
 * fields are one JS array and an array's elements one typed array (runtime/gc.ts), which V8 optimises
 * as any other. Allocation and the bulk array instructions run the interpreter's closure
 * (interp/lower_gc.ts) on copies of their operands in the frame's scratch slots.
 */
import { readHeapType } from "../wasm/decoder.ts";
import { GcOp } from "../wasm/opcodes.ts";
import { HeapType, isNullable, refType, TYPE_HEAP, unpackedType, ValType } from "../wasm/types.ts";
import { layoutOf, Storage } from "../runtime/gc.ts";
import type { Compiler } from "./compile.ts";
import { f32Bits, f32FromBits, RT } from "./names.ts";

export function gc(c: Compiler, sub: number): void {
  if (!gcInline(c, sub)) c.bridge();
}

function gcInline(c: Compiler, sub: number): boolean {
  const r = c.r, m = c.inst.module, at = c.site;
  const trap = (message: string) => `${RT.E}.trapAt(${at}, "${message}")`;
  const fields = c.constant("fields");
  switch (sub) {
    case GcOp.StructNew:
    case GcOp.StructNewDefault: {
      const x = r.u32(), layout = layoutOf(m, x), fieldTypes = m.types[x].fields;
      const kinds = layout.storage;
      if (!kinds.every(inlineKind)) return false;
      const make = c.constant(`struct ${x}`);
      // Every struct of a type starts as a copy of its defaults, so that all have the same JS shape
      // (elements kind) whichever tier made them: field loads stay monomorphic.
      const lines: string[] = [];
      const g = c.declare("g", "null"), gf = c.declare("gf", "null");
      if (sub === GcOp.StructNew) {
        const first = c.h - kinds.length;
        kinds.forEach((s, i) => {
          const t = unpackedType(fieldTypes[i].type), k = first + i, v = c.read(k), o = layout.offsets[i];
          switch (s) {
            case Storage.I8:
              return lines.push(`${gf}[${o}] = ${v} & 0xff;`);
            case Storage.I16:
              return lines.push(`${gf}[${o}] = ${v} & 0xffff;`);
            case Storage.I32:
              return lines.push(`${gf}[${o}] = ${t === ValType.F32 ? f32Bits(v) : v};`);
            case Storage.I64:
              return lines.push(
                t === ValType.I64
                  ? `${gf}[${o}] = ${v}; ${gf}[${o + 1}] = ${c.readHi(k)};`
                  : `${RT.SD}[0] = ${v}; ${gf}[${o}] = ${RT.SI}[0]; ${gf}[${o + 1}] = ${RT.SI}[1];`,
              );
          }
          return lines.push(`${gf}[${o}] = ${v};`);
        });
        c.h = first;
      }
      const k = c.push(refType(TYPE_HEAP + x, false));
      const init = lines.length === 0 ? "" : `${gf} = ${g}[${c.constant("fields")}]; ${lines.join(" ")} `;
      c.emit(`${g} = ${make}(); ${init}${c.dest(k)} = ${g};`);
      return true;
    }
    case GcOp.StructGet:
    case GcOp.StructGetS:
    case GcOp.StructGetU: {
      const x = r.u32(), i = r.u32(), layout = layoutOf(m, x);
      const storage = layout.storage[i], o = layout.offsets[i];
      const t = unpackedType(m.types[x].fields[i].type);
      if (!inlineKind(storage)) return false;
      const ref = c.read(c.pop());
      const g = c.declare("g", "null");
      c.emit(
        `${g} = ${ref}; if (${g} === null) ${trap("null structure reference")}; ${g} = ${g}[${fields}];`,
      );
      const k = c.push(t);
      const entry = (d: number) => `${g}[${o + d}]`;
      c.emit(read(c, k, storage, t, entry, sub === GcOp.StructGetS));
      return true;
    }
    case GcOp.StructSet: {
      const x = r.u32(), i = r.u32(), layout = layoutOf(m, x);
      const storage = layout.storage[i], o = layout.offsets[i];
      const t = unpackedType(m.types[x].fields[i].type);
      if (!inlineKind(storage)) return false;
      const v = c.pop(), a = c.pop();
      const g = c.declare("g", "null");
      c.emit(
        `${g} = ${c.read(a)}; if (${g} === null) ${
          trap("null structure reference")
        }; ${g} = ${g}[${fields}];`,
      );
      c.emit(write(c, v, storage, t, (d) => `${g}[${o + d}]`));
      return true;
    }
    case GcOp.ArrayGet:
    case GcOp.ArrayGetS:
    case GcOp.ArrayGetU: {
      const x = r.u32(), storage = layoutOf(m, x).storage[0];
      const t = unpackedType(m.types[x].fields[0].type);
      if (!inlineKind(storage)) return false;
      const i = c.pop(), a = c.pop();
      const g = c.declare("g", "null"), n = c.declare("gi", "0");
      c.emit(checkIndex(c, g, n, a, i, trap));
      const k = c.push(t);
      const scale = storage === Storage.I64 ? 2 : 1;
      const entry = (d: number) => scale === 1 ? `${g}[${n}]` : `${g}[2 * ${n} + ${d}]`;
      c.emit(read(c, k, storage, t, entry, false, sub === GcOp.ArrayGetU)); // typed arrays sign-extend
      return true;
    }
    case GcOp.ArraySet: {
      const x = r.u32(), storage = layoutOf(m, x).storage[0];
      const t = unpackedType(m.types[x].fields[0].type);
      if (!inlineKind(storage)) return false;
      const v = c.pop(), i = c.pop(), a = c.pop();
      const g = c.declare("g", "null"), n = c.declare("gi", "0");
      c.emit(checkIndex(c, g, n, a, i, trap));
      const entry = (d: number) => storage === Storage.I64 ? `${g}[2 * ${n} + ${d}]` : `${g}[${n}]`;
      c.emit(write(c, v, storage, t, entry));
      return true;
    }
    case GcOp.ArrayLen: {
      const a = c.pop(), v = c.read(a);
      const k = c.push(ValType.I32);
      c.emit(`if (${v} === null) ${trap("null array reference")}; ${c.dest(k)} = ${v}.length;`);
      return true;
    }
    case GcOp.RefTest:
    case GcOp.RefTestNull: {
      const test = castConstant(c, readHeapType(r), sub === GcOp.RefTestNull);
      const a = c.pop();
      c.emitCompare(`${test}(${c.read(a)})`);
      return true;
    }
    case GcOp.RefCast:
    case GcOp.RefCastNull: {
      const heap = readHeapType(r), nullable = sub === GcOp.RefCastNull;
      const test = castConstant(c, heap, nullable);
      const v = c.read(c.pop());
      c.emit(`if (!${test}(${v})) ${trap("cast failure")};`);
      retype(c, v, refType(heap, nullable));
      return true;
    }
    case GcOp.AnyConvertExtern:
    case GcOp.ExternConvertAny: { // the same JS value in both hierarchies (see runtime/gc.ts)
      const a = c.pop(), nullable = isNullable(c.types[a]);
      retype(c, c.read(a), refType(sub === GcOp.AnyConvertExtern ? HeapType.Any : HeapType.Extern, nullable));
      return true;
    }
    case GcOp.RefI31: {
      const a = c.pop(), value = c.read(a);
      const k = c.push(refType(HeapType.I31, false));
      c.emit(`${c.dest(k)} = (${value} << 1) >> 1;`);
      return true;
    }
    case GcOp.I31GetS:
    case GcOp.I31GetU: {
      const v = c.read(c.pop());
      const k = c.push(ValType.I32);
      const mask = sub === GcOp.I31GetU ? " & 0x7fffffff" : "";
      c.emit(`if (${v} === null) ${trap("null i31 reference")}; ${c.dest(k)} = ${v}${mask};`);
      return true;
    }
    case GcOp.BrOnCast:
    case GcOp.BrOnCastFail: {
      const fail = sub === GcOp.BrOnCastFail;
      const flags = r.u8(), depth = r.u32(), h1 = readHeapType(r), h2 = readHeapType(r);
      const test = castConstant(c, h2, (flags & 2) !== 0);
      const a = c.h - 1;
      c.canonical();
      c.emit(`if (${fail ? "!" : ""}${test}(r${a})) {`);
      c.branch(depth);
      c.emit("}");
      // What falls through: the cast's type (br_on_cast_fail), else the operand's minus it.
      const rt1 = refType(h1, (flags & 1) !== 0), rt2 = refType(h2, (flags & 2) !== 0);
      c.types[a] = fail ? rt2 : (flags & 2) !== 0 ? refType(h1, false) : rt1;
      return true;
    }
  }
  return false;
}

/** Pushes reference `value` (the expression of the operand just popped) as type `t`. */
function retype(c: Compiler, value: string, t: ValType): void {
  const k = c.push(t), v = c.v(k);
  if (value !== v) c.emit(`${v} = ${value};`);
}

/** The constant holding the test of a cast to `(ref null? heap)` (bound per module: see `constGetter`). */
function castConstant(c: Compiler, heap: number, nullable: boolean): string {
  return c.constant(`cast ${heap} ${nullable ? 1 : 0}`);
}

/** The kinds inline access handles: all but v128 (references, packed, 32-bit, and 64-bit as halves). */
function inlineKind(s: Storage): boolean {
  return s !== Storage.V128;
}

/** Loads array `a`'s elements into `g` and index `i` into `n`, trapping on null or out of bounds. */
function checkIndex(
  c: Compiler,
  g: string,
  n: string,
  a: number,
  i: number,
  trap: (m: string) => string,
): string {
  return `${g} = ${c.read(a)}; if (${g} === null) ${trap("null array reference")}; ${n} = ${
    c.read(i)
  } >>> 0; ` +
    `if (${n} >= ${g}.length) ${trap("out of bounds array access")}; ${g} = ${g}[${c.constant("fields")}];`;
}

/**
 * Reads a field or element (its entries by `entry(d)`) into the value at depth `k`. Struct fields
 * keep packed values zero-extended (`signed` extends them); arrays keep them in a typed array of
 * their width, sign-extended (`unsigned` masks them).
 */
function read(
  c: Compiler,
  k: number,
  s: Storage,
  t: ValType,
  entry: (d: number) => string,
  signed: boolean,
  unsigned = false,
): string {
  const dst = c.dest(k);
  switch (s) {
    case Storage.Ref:
      return `${dst} = ${entry(0)};`;
    case Storage.I8:
      return unsigned
        ? `${dst} = ${entry(0)} & 0xff;`
        : signed
        ? `${dst} = (${entry(0)} << 24) >> 24;`
        : `${dst} = ${entry(0)};`;
    case Storage.I16:
      return unsigned
        ? `${dst} = ${entry(0)} & 0xffff;`
        : signed
        ? `${dst} = (${entry(0)} << 16) >> 16;`
        : `${dst} = ${entry(0)};`;
    case Storage.I32:
      return t === ValType.F32 ? `${dst} = ${f32FromBits(entry(0))};` : `${dst} = ${entry(0)};`;
    case Storage.I64:
      return t === ValType.I64
        ? `${dst} = ${entry(0)}; ${c.vh(k)} = ${entry(1)};`
        : `${RT.SI}[0] = ${entry(0)}; ${RT.SI}[1] = ${entry(1)}; ${dst} = ${RT.SD}[0];`;
  }
  throw new Error(`js tier: no inline read of storage ${s}`);
}

/** Writes the value at depth `v` into a field or element (its entries by `entry(d)`). */
function write(c: Compiler, v: number, s: Storage, t: ValType, entry: (d: number) => string): string {
  const value = c.read(v);
  switch (s) {
    case Storage.Ref:
    case Storage.I32:
      return t === ValType.F32 ? `${entry(0)} = ${f32Bits(value)};` : `${entry(0)} = ${value};`;
    case Storage.I8:
      return `${entry(0)} = ${value} & 0xff;`;
    case Storage.I16:
      return `${entry(0)} = ${value} & 0xffff;`;
    case Storage.I64:
      return t === ValType.I64
        ? `${entry(0)} = ${value}; ${entry(1)} = ${c.readHi(v)};`
        : `${RT.SD}[0] = ${value}; ${entry(0)} = ${RT.SI}[0]; ${entry(1)} = ${RT.SI}[1];`;
  }
  throw new Error(`js tier: no inline write of storage ${s}`);
}

/** The code this file generates with, for the compile cache's key (compile.ts `generatorText`). */
export function gcText(): string {
  return [gc, gcInline, retype, castConstant, inlineKind, checkIndex, read, write].map(String).join("\n");
}
