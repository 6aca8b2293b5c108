/** Types in the text: value, heap and reference types, type uses, and type definitions (`type`, `rec`). */

import type { Cursor } from "./cursor.ts";
import { idKey } from "./cursor.ts";
import type { FuncSig, ModuleContext, TypeDef, ValType } from "./context.ts";
import { sigKey, writeFuncType } from "./context.ts";
import { Writer } from "./encode.ts";
import { Tok } from "./lexer.ts";

/** Abstract heap types → their byte. */
export const HEAP_TYPES: ReadonlyMap<string, number> = new Map([
  ["func", 0x70],
  ["extern", 0x6f],
  ["any", 0x6e],
  ["eq", 0x6d],
  ["i31", 0x6c],
  ["struct", 0x6b],
  ["array", 0x6a],
  ["exn", 0x69],
  ["none", 0x71],
  ["noextern", 0x72],
  ["nofunc", 0x73],
  ["noexn", 0x74],
]);

/** Value type keywords → their encoding (reference type keywords are `(ref null ht)` abbreviations). */
const VALUE_TYPES: ReadonlyMap<string, ValType> = new Map([
  ["i32", [0x7f]],
  ["i64", [0x7e]],
  ["f32", [0x7d]],
  ["f64", [0x7c]],
  ["v128", [0x7b]],
  ["funcref", [0x70]],
  ["externref", [0x6f]],
  ["anyref", [0x6e]],
  ["eqref", [0x6d]],
  ["i31ref", [0x6c]],
  ["structref", [0x6b]],
  ["arrayref", [0x6a]],
  ["exnref", [0x69]],
  ["nullref", [0x71]],
  ["nullexternref", [0x72]],
  ["nullfuncref", [0x73]],
  ["nullexnref", [0x74]],
]);

/** Signed LEB128 bytes of a small non-negative integer (a type index as a heap type). */
function s33(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v === 0 && (b & 0x40) === 0) return out.push(b), out;
    out.push(b | 0x80);
  }
}

/** A heap type: an abstract one's byte, or a type index as s33. */
export function parseHeapType(c: Cursor, m: ModuleContext): number[] {
  if (c.kind() === Tok.Keyword) {
    const b = HEAP_TYPES.get(c.text());
    if (b === undefined) throw c.unexpected("a heap type");
    c.p++;
    return [b];
  }
  return s33(m.types.resolve(c));
}

/** Whether the current token starts a value type. */
export function atValType(c: Cursor): boolean {
  if (c.kind() === Tok.Keyword) return VALUE_TYPES.has(c.text());
  return c.isOpen("ref");
}

/** A value type. */
export function parseValType(c: Cursor, m: ModuleContext): ValType {
  if (c.kind() === Tok.Keyword) {
    const t = VALUE_TYPES.get(c.text());
    if (t !== undefined) {
      c.p++;
      return t;
    }
  } else if (c.isOpen("ref")) return parseRefTypeParens(c, m);
  throw c.unexpected("a value type");
}

/** `(ref null? ht)`, from its `(`. */
function parseRefTypeParens(c: Cursor, m: ModuleContext): ValType {
  c.enter();
  const nullable = c.isKw("null");
  if (nullable) c.p++;
  const ht = parseHeapType(c, m);
  c.expectRParen();
  // `(ref null func)` and the like have a one-byte form.
  if (nullable && ht.length === 1 && ht[0] >= 0x69 && ht[0] <= 0x74) return ht;
  return [nullable ? 0x63 : 0x64, ...ht];
}

/** A reference type (a value type that must be one). */
export function parseRefType(c: Cursor, m: ModuleContext): ValType {
  const at = c.p;
  const t = parseValType(c, m);
  if (!isRefType(t)) throw c.error("expected a reference type", at);
  return t;
}

/** Whether an encoded value type is a reference type. */
export function isRefType(t: ValType): boolean {
  return t[0] === 0x63 || t[0] === 0x64 || (t[0] >= 0x69 && t[0] <= 0x74);
}

/** Whether a reference type is nullable. */
export function isNullable(t: ValType): boolean {
  return t[0] !== 0x64;
}

/** The heap type part of a reference type's encoding. */
export function heapTypeOf(t: ValType): number[] {
  return t[0] === 0x63 || t[0] === 0x64 ? t.slice(1) : t;
}

/** A type use as written: `(type x)?`, then `(param …)*`, then `(result …)*`. */
export interface TypeUse {
  index: number | null;
  /** The inline signature, or null if neither params nor results were written. */
  sig: FuncSig | null;
  /** Parameter names (null for unnamed), parallel to sig.params. */
  paramNames: (string | null)[];
  paramAt: number[];
  /** Where the type use starts, for errors. */
  at: number;
}

/**
 * Parses a type use. `namedParams` allows `(param $x t)` (functions); elsewhere ids are malformed.
 */
export function parseTypeUse(c: Cursor, m: ModuleContext, namedParams: boolean): TypeUse {
  const at = c.p;
  let index: number | null = null;
  if (c.isOpen("type")) {
    c.enter();
    index = m.types.resolve(c);
    c.expectRParen();
  }
  const params: ValType[] = [];
  const results: ValType[] = [];
  const paramNames: (string | null)[] = [];
  const paramAt: number[] = [];
  let written = false;
  while (c.isOpen("param")) {
    written = true;
    c.enter();
    if (c.kind() === Tok.Id) {
      if (!namedParams) throw c.unexpected("a value type");
      const idAt = c.p;
      const name = idKey(c, c.p++);
      params.push(parseValType(c, m));
      paramNames.push(name);
      paramAt.push(idAt);
      c.expectRParen();
      continue;
    }
    while (c.kind() !== Tok.RParen) {
      paramAt.push(c.p);
      params.push(parseValType(c, m));
      paramNames.push(null);
    }
    c.p++;
  }
  while (c.isOpen("result")) {
    written = true;
    c.enter();
    while (c.kind() !== Tok.RParen) results.push(parseValType(c, m));
    c.p++;
  }
  return { index, sig: written ? { params, results } : null, paramNames, paramAt, at };
}

/** A storage type or `(mut storagetype)`: appends its encoding and the mutability byte to `w`. */
function parseFieldType(c: Cursor, m: ModuleContext, w: Writer): void {
  const mutable = c.isOpen("mut");
  if (mutable) c.enter();
  if (c.isKw("i8")) w.byte(0x78), c.p++;
  else if (c.isKw("i16")) w.byte(0x77), c.p++;
  else for (const b of parseValType(c, m)) w.byte(b);
  w.byte(mutable ? 1 : 0);
  if (mutable) c.expectRParen();
}

/** A composite type `(func …)`, `(struct …)` or `(array …)`, encoded into `w`. */
function parseCompType(c: Cursor, m: ModuleContext, w: Writer): TypeDef {
  const def: TypeDef = { kind: "func", fields: new Map(), fieldNames: [] };
  if (c.isOpen("func")) {
    c.enter();
    const use = parseTypeUse(c, m, true);
    if (use.index !== null) throw c.error("unexpected type use in a function type", use.at);
    def.sig = use.sig ?? { params: [], results: [] };
    writeFuncType(w, def.sig);
  } else if (c.isOpen("struct")) {
    c.enter();
    def.kind = "struct";
    const fields = new Writer(16);
    let count = 0;
    while (c.isOpen("field")) {
      c.enter();
      if (c.kind() === Tok.Id) {
        const at = c.p;
        const name = idKey(c, c.p++);
        if (def.fields.has(name)) throw c.error(`duplicate field $${name}`, at);
        def.fields.set(name, count);
        def.fieldNames.push([count, name]);
        parseFieldType(c, m, fields);
        count++;
      } else {
        while (c.kind() !== Tok.RParen) parseFieldType(c, m, fields), count++;
      }
      c.expectRParen();
    }
    w.byte(0x5f);
    w.u32(count);
    w.append(fields);
  } else if (c.isOpen("array")) {
    c.enter();
    def.kind = "array";
    w.byte(0x5e);
    parseFieldType(c, m, w);
  } else throw c.unexpected('"(func", "(struct" or "(array"');
  c.expectRParen();
  return def;
}

/** A subtype: `(sub final? x* comptype)` or a bare composite type. */
function parseSubType(c: Cursor, m: ModuleContext, w: Writer): { def: TypeDef; plain: boolean } {
  if (!c.isOpen("sub")) return { def: parseCompType(c, m, w), plain: true };
  c.enter();
  const final = c.isKw("final");
  if (final) c.p++;
  const supers: number[] = [];
  while (c.atIndex()) supers.push(m.types.resolve(c));
  if (final && supers.length === 0) {
    const def = parseCompType(c, m, w);
    c.expectRParen();
    return { def, plain: true };
  }
  w.byte(final ? 0x4f : 0x50);
  w.u32(supers.length);
  for (const s of supers) w.u32(s);
  const def = parseCompType(c, m, w);
  c.expectRParen();
  return { def, plain: false };
}

/** One `(type $id? subtype)`, from its `(`; the name was defined by the first pass. */
function parseTypeField(c: Cursor, m: ModuleContext, w: Writer): { def: TypeDef; plain: boolean } {
  c.enter();
  c.optionalId();
  const r = parseSubType(c, m, w);
  c.expectRParen();
  return r;
}

/** Parses a `(type …)` or `(rec …)` field into the module's type table. */
export function parseTypeDefinition(c: Cursor, m: ModuleContext): void {
  const w = new Writer(32);
  if (c.isOpen("rec")) {
    c.enter();
    const body = new Writer(32);
    const defs: { def: TypeDef; plain: boolean }[] = [];
    while (c.isOpen("type")) defs.push(parseTypeField(c, m, body));
    c.expectRParen();
    w.byte(0x4e);
    w.u32(defs.length);
    w.append(body);
    const first = m.typeDefs.length;
    for (const d of defs) m.typeDefs.push(d.def);
    if (defs.length === 1) noteMatchable(m, first, defs[0]);
  } else {
    const d = parseTypeField(c, m, w);
    noteMatchable(m, m.typeDefs.length, d);
    m.typeDefs.push(d.def);
  }
  m.typeEntries.push(w.result());
}

function noteMatchable(m: ModuleContext, index: number, d: { def: TypeDef; plain: boolean }): void {
  if (!d.plain || d.def.sig === undefined) return;
  const key = sigKey(d.def.sig);
  if (!m.matchable.has(key)) m.matchable.set(key, index);
}
