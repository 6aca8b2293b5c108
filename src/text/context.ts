/**
 * What a module's parse knows so far: its index spaces (filled by the first pass, so references may
 * point forward), its type table, and the implicit type rule: a type use written as `(param …)
 * (result …)` means the first existing type with that signature (a lone final function type without
 * supertypes), or else a new one appended after all explicit types, in order of first use.
 */

import { type Cursor, IndexSpace } from "./cursor.ts";
import { Writer } from "./encode.ts";

/** A value type as its binary encoding (one byte, or a reference type with its heap type). */
export type ValType = number[];

/** A function signature. */
export interface FuncSig {
  params: ValType[];
  results: ValType[];
}

/** What later parsing needs to know of a defined type. */
export interface TypeDef {
  kind: "func" | "struct" | "array";
  /** For function types. */
  sig?: FuncSig;
  /** Struct field names → field index. */
  fields: Map<string, number>;
  /** The same, in index order, for the name section. */
  fieldNames: [number, string][];
}

/** The key of a signature for the implicit-type lookup. */
export function sigKey(sig: FuncSig): string {
  return sig.params.map((t) => t.join(".")).join(",") + ">" + sig.results.map((t) => t.join(".")).join(",");
}

/** Encodes a function type (`0x60 params results`) into `w`. */
export function writeFuncType(w: Writer, sig: FuncSig): void {
  w.byte(0x60);
  w.u32(sig.params.length);
  for (const t of sig.params) for (const b of t) w.byte(b);
  w.u32(sig.results.length);
  for (const t of sig.results) for (const b of t) w.byte(b);
}

/** A module being parsed. */
export class ModuleContext {
  readonly funcs = new IndexSpace("function");
  readonly tables = new IndexSpace("table");
  readonly memories = new IndexSpace("memory");
  readonly globals = new IndexSpace("global");
  readonly tags = new IndexSpace("tag");
  readonly elems = new IndexSpace("elem segment");
  readonly datas = new IndexSpace("data segment");
  readonly types = new IndexSpace("type");
  /** Types by index, explicit ones first (after the type pass), implicit ones appended. */
  readonly typeDefs: TypeDef[] = [];
  /** The type section's entries (a rec group or a single subtype each), encoded. */
  readonly typeEntries: Uint8Array[] = [];
  /** Signature key → index of the first type an implicit type use may refer to. */
  readonly matchable = new Map<string, number>();
  /** Whether a `memory.init` or `data.drop` occurs (the data count section is then needed). */
  usesDataCount = false;

  /** The type index a type use stands for; `index` is the explicit `(type x)`, if written. */
  typeUse(c: Cursor, index: number | null, sig: FuncSig | null, at: number): number {
    if (index !== null) {
      const def = this.typeDefs[index];
      if (sig !== null && def === undefined) throw c.error(`unknown type ${index}`, at);
      if (sig !== null && def !== undefined && def.sig !== undefined && sigKey(sig) !== sigKey(def.sig)) {
        throw c.error("inline function type does not match the type it names", at);
      }
      if (
        sig !== null && def !== undefined && def.kind !== "func" && (sig.params.length || sig.results.length)
      ) {
        throw c.error("inline function type does not match the type it names", at);
      }
      return index;
    }
    const s = sig ?? { params: [], results: [] };
    const key = sigKey(s);
    const found = this.matchable.get(key);
    if (found !== undefined) return found;
    const created = this.types.count++;
    this.typeDefs.push({ kind: "func", sig: s, fields: new Map(), fieldNames: [] });
    const w = new Writer(16);
    writeFuncType(w, s);
    this.typeEntries.push(w.result());
    this.matchable.set(key, created);
    return created;
  }

  /** The parameter count of type `index` if it is a known function type, else 0. */
  paramsOf(index: number): ValType[] {
    return this.typeDefs[index]?.sig?.params ?? [];
  }
}
