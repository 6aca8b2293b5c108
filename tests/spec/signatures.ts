/**
 * The signatures of a module's exported functions, read from its binary. A script's `assert_trap` or
 * bare action names no result types (nor does a `(ref.null)` pattern), yet a function returning v128 can
 * only be called through the SIMD bridge, which must import it with its exact type, and one with an
 * exnref in its type cannot be called from JS at all. Reads just the type, import, function and export
 * sections (Wasm 3.0 included: rec groups, subtypes, typed references, 64-bit limits); the engine under
 * test judges the module itself.
 */

/** Value types by their one-byte code; everything else is a reference (not carried by the bridge). */
const NUMERIC: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128" };

class Bytes {
  offset = 0;
  constructor(private readonly bytes: Uint8Array, readonly end = bytes.length) {}

  byte(): number {
    if (this.offset >= this.end) throw new Error("unexpected end");
    return this.bytes[this.offset++];
  }

  /** An unsigned or signed LEB128, as a number (indices and counts fit; limits are only skipped). */
  leb(signed = false): number {
    let result = 0, shift = 0, b: number;
    do {
      b = this.byte();
      if (shift < 49) result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (signed && shift < 49 && b & 0x40) result -= 2 ** shift;
    return result;
  }

  skip(n: number): void {
    this.offset += n;
  }

  slice(from: number, to: number): number[] {
    return [...this.bytes.subarray(from, to)];
  }
}

/** The heap types exn and noexn, as one byte and as an s33 heap type. */
const EXN_CODES = new Set([0x69, 0x74]);
const EXN_HEAP_TYPES = new Set([0x69 - 0x80, 0x74 - 0x80]);

/**
 * A value type: a numeric name, "exnref" for a reference to an exception (which no JS value stands for),
 * or "ref" for any other reference (abbreviated, or 0x63/0x64 + heap type).
 */
function valType(r: Bytes): string {
  const code = r.byte();
  if (NUMERIC[code]) return NUMERIC[code];
  if (EXN_CODES.has(code)) return "exnref";
  if ((code === 0x63 || code === 0x64) && EXN_HEAP_TYPES.has(r.leb(true))) return "exnref";
  return "ref";
}

function limits(r: Bytes): void {
  const flags = r.leb();
  r.leb();
  if (flags & 0x01) r.leb();
  if (flags & 0x08) r.leb(); // custom page size
}

/** A function type's parameter and result types, and their bytes as the binary encodes them. */
export interface Signature {
  params: string[];
  results: string[];
  encoded: { params: number[][]; results: number[][] };
}

/** A value type, with its encoding. */
function encodedValType(r: Bytes): [string, number[]] {
  const start = r.offset;
  const name = valType(r);
  return [name, r.slice(start, r.offset)];
}

/** One entry of the type section: a function type, or null for struct/array types. */
function compositeType(r: Bytes): Signature | null {
  let form = r.byte();
  if (form === 0x50 || form === 0x4f) { // sub / sub final: supertypes, then the composite type
    const n = r.leb();
    for (let i = 0; i < n; i++) r.leb();
    form = r.byte();
  }
  if (form === 0x60) {
    const params = Array.from({ length: r.leb() }, () => encodedValType(r));
    const results = Array.from({ length: r.leb() }, () => encodedValType(r));
    return {
      params: params.map(([name]) => name),
      results: results.map(([name]) => name),
      encoded: { params: params.map(([, bytes]) => bytes), results: results.map(([, bytes]) => bytes) },
    };
  }
  if (form === 0x5f) { // struct: fields of storage type and mutability
    const n = r.leb();
    for (let i = 0; i < n; i++) storageType(r), r.byte();
    return null;
  }
  if (form === 0x5e) return storageType(r), r.byte(), null; // array
  throw new Error(`unknown type form 0x${form.toString(16)}`);
}

function storageType(r: Bytes): void {
  const code = r.byte();
  if (code === 0x78 || code === 0x77) return; // i8, i16
  r.offset--;
  valType(r);
}

/**
 * Export name → signature, for the exported functions of `bytes`; undefined when the binary cannot be
 * read this way (the engine will have refused it anyway, or a later feature: the caller falls back).
 */
export function exportedSignatures(bytes: Uint8Array): Map<string, Signature> | undefined {
  try {
    return read(bytes);
  } catch {
    return undefined;
  }
}

function read(bytes: Uint8Array): Map<string, Signature> {
  const types: (Signature | null)[] = [];
  const funcTypes: number[] = [];
  const exports = new Map<string, Signature>();
  const top = new Bytes(bytes);
  top.skip(8);
  while (top.offset < bytes.length) {
    const id = top.byte();
    const size = top.leb();
    const r = new Bytes(bytes, top.offset + size);
    r.offset = top.offset;
    top.skip(size);
    if (id === 1) {
      for (let n = r.leb(); n > 0; n--) {
        if (r.byte() === 0x4e) { // rec group
          for (let m = r.leb(); m > 0; m--) types.push(compositeType(r));
        } else {
          r.offset--;
          types.push(compositeType(r));
        }
      }
    } else if (id === 2) {
      for (let n = r.leb(); n > 0; n--) {
        r.skip(r.leb()); // module name
        r.skip(r.leb()); // field name
        const kind = r.byte();
        if (kind === 0x00) funcTypes.push(r.leb());
        else if (kind === 0x01) valType(r), limits(r);
        else if (kind === 0x02) limits(r);
        else if (kind === 0x03) valType(r), r.byte();
        else if (kind === 0x04) r.byte(), r.leb();
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let n = r.leb(); n > 0; n--) funcTypes.push(r.leb());
    } else if (id === 7) {
      for (let n = r.leb(); n > 0; n--) {
        const length = r.leb();
        const name = new TextDecoder().decode(bytes.subarray(r.offset, r.offset + length));
        r.skip(length);
        const kind = r.byte();
        const index = r.leb();
        const signature = kind === 0x00 ? types[funcTypes[index]] : undefined;
        if (signature) exports.set(name, signature);
      }
    }
  }
  return exports;
}
