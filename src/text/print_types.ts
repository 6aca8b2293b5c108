/**
 * Value, reference and composite types as the printer's binary walker reads them (Wasm 3.0: typed
 * references and GC types included), and how they are read from the binary.
 */
import type { Reader } from "../wasm/reader.ts";

/** An abstract heap type by its text name (`func`, `any`, `none`, …), or a type index. */
export type HeapType = string | number;
/** A reference type. */
export interface RefType {
  readonly nullable: boolean;
  readonly heap: HeapType;
}
/** A number or vector type by its text name, or a reference type. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | RefType;
/** The type of a struct field or array element: a value type or a packed `i8` / `i16`. */
export interface FieldType {
  readonly storage: ValType | "i8" | "i16";
  readonly mutable: boolean;
}
/** A function, struct or array type. */
export type CompositeType =
  | { readonly kind: "func"; readonly params: ValType[]; readonly results: ValType[] }
  | { readonly kind: "struct"; readonly fields: FieldType[] }
  | { readonly kind: "array"; readonly element: FieldType };
/** One defined type: `sub` is absent for the plain form (final, no supertypes). */
export interface SubType {
  readonly sub?: { readonly final: boolean; readonly supers: number[] };
  readonly composite: CompositeType;
}

const NUMERIC: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128" };

/** Abstract heap types by their binary code. */
export const ABSTRACT_HEAP: Record<number, string> = {
  0x70: "func",
  0x6f: "extern",
  0x6e: "any",
  0x6d: "eq",
  0x6c: "i31",
  0x6b: "struct",
  0x6a: "array",
  0x69: "exn",
  0x74: "noexn",
  0x73: "nofunc",
  0x72: "noextern",
  0x71: "none",
};

/** A heap type: a non-negative s33 is a type index, a negative one the code of an abstract type. */
export function readHeapType(r: Reader): HeapType {
  const at = r.pos;
  const code = r.s33();
  if (code >= 0) return code;
  const name = ABSTRACT_HEAP[code + 0x80];
  return name ?? r.fail("malformed heap type", at);
}

/** A reference type after its first byte `code` has been read. */
function readRefTypeAfter(r: Reader, code: number, at: number): RefType | undefined {
  if (code === 0x63 || code === 0x64) return { nullable: code === 0x63, heap: readHeapType(r) };
  const shorthand = ABSTRACT_HEAP[code];
  if (shorthand) return { nullable: true, heap: shorthand };
  r.pos = at;
  return undefined;
}

/** A value type. */
export function readValType(r: Reader): ValType {
  const at = r.pos;
  const code = r.u8();
  return NUMERIC[code] ?? readRefTypeAfter(r, code, at) ?? r.fail("malformed value type", at);
}

/** A reference type (tables, element segments). */
export function readRefType(r: Reader): RefType {
  const at = r.pos;
  return readRefTypeAfter(r, r.u8(), at) ?? r.fail("malformed reference type", at);
}

function readFieldType(r: Reader): FieldType {
  const at = r.pos;
  const code = r.u8();
  const storage = code === 0x78 ? "i8" : code === 0x77 ? "i16" : (r.pos = at, readValType(r));
  const mutability = r.u8();
  if (mutability > 1) r.fail("malformed mutability", r.pos - 1);
  return { storage, mutable: mutability === 1 };
}

/** A vector of `item`s. */
export function readVec<T>(r: Reader, item: (r: Reader) => T): T[] {
  const count = r.u32();
  // Each item takes at least one byte: a count past the remaining bytes is malformed, not a huge array.
  if (count > r.end - r.pos) r.unexpectedEnd();
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(item(r));
  return items;
}

function readComposite(r: Reader, code: number, at: number): CompositeType {
  switch (code) {
    case 0x60:
      return { kind: "func", params: readVec(r, readValType), results: readVec(r, readValType) };
    case 0x5f:
      return { kind: "struct", fields: readVec(r, readFieldType) };
    case 0x5e:
      return { kind: "array", element: readFieldType(r) };
    default:
      return r.fail("malformed type form", at);
  }
}

/** One subtype (0x50 `sub`, 0x4f `sub final`, or a bare composite type). */
function readSubType(r: Reader): SubType {
  const at = r.pos;
  const code = r.u8();
  if (code === 0x50 || code === 0x4f) {
    const supers = readVec(r, (r) => r.u32());
    const compositeAt = r.pos;
    return { sub: { final: code === 0x4f, supers }, composite: readComposite(r, r.u8(), compositeAt) };
  }
  return { composite: readComposite(r, code, at) };
}

/** One entry of the type section: a recursion group (`rec`, 0x4e) or a single subtype. */
export function readRecGroup(r: Reader): { rec: boolean; types: SubType[] } {
  if (r.pos < r.end && r.bytes[r.pos] === 0x4e) {
    r.pos++;
    return { rec: true, types: readVec(r, readSubType) };
  }
  return { rec: false, types: [readSubType(r)] };
}

/** Unsigned 64-bit LEB128 (memory64 limits and offsets), as a BigInt. */
export function readU64(r: Reader): bigint {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    const at = r.pos;
    const b = r.u8();
    if (i === 9) {
      if (b & 0x80) r.fail("integer representation too long", at);
      if (b & 0x7e) r.fail("integer too large", at);
    }
    result |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (!(b & 0x80)) return result;
  }
  return r.fail("integer representation too long");
}
