/**
 * Names for the text printer: the name section (with the extended subsections: labels, types, tables,
 * memories, globals, element and data segments, fields and tags) read into identifiers that are valid
 * and unique in their index space, and the text format's string and identifier quoting.
 */
import { CompileError } from "../wasm/errors.ts";
import { Reader } from "../wasm/reader.ts";

/** Name subsection ids. */
export const enum NameKind {
  Module = 0,
  Func = 1,
  Local = 2,
  Label = 3,
  Type = 4,
  Table = 5,
  Memory = 6,
  Global = 7,
  Elem = 8,
  Data = 9,
  Field = 10,
  Tag = 11,
}

/** Identifiers (`$…`, ready to print) by index, unique within their space. */
export type IdMap = Map<number, string>;

/** The identifiers a name section gives, by subsection. */
export interface Names {
  module?: string;
  /** Direct spaces (functions, types, tables, …). */
  readonly spaces: Map<NameKind, IdMap>;
  /** Indirect spaces (locals and labels by function, fields by type). */
  readonly nested: Map<NameKind, Map<number, IdMap>>;
}

const ID_CHARS = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;
const encoder = new TextEncoder();

/** A string literal of the text format: printable ASCII as is, every other byte as `\hh`. */
export function stringLiteral(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) out += String.fromCharCode(b);
    else out += "\\" + b.toString(16).padStart(2, "0");
  }
  return out + '"';
}

/** A name as a string literal: its UTF-8 bytes, with characters outside ASCII kept readable. */
export function nameLiteral(name: string): string {
  let out = '"';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80) out += ch;
    else out += stringLiteral(encoder.encode(ch)).slice(1, -1);
  }
  return out + '"';
}

/** `$name`, or `$"name"` when the name has characters that an identifier cannot. */
export function idText(name: string): string {
  return ID_CHARS.test(name) ? `$${name}` : `$${nameLiteral(name)}`;
}

/** `unique`: a repeated name gets a suffix (labels may repeat: an inner one shadows the outer). */
function readNameMap(r: Reader, unique = true): IdMap {
  const ids: IdMap = new Map();
  const taken = new Set<string>();
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const index = r.u32();
    const name = r.name();
    if (name === "") continue; // `$""` is no identifier: the index prints as a number
    let id = idText(name);
    // Another index with the same name gets a suffix, so that every identifier names one thing.
    for (let n = 1; unique && taken.has(id); n++) id = idText(`${name}.${n}`);
    taken.add(id);
    ids.set(index, id);
  }
  return ids;
}

function readIndirectNameMap(r: Reader, unique: boolean): Map<number, IdMap> {
  const outer = new Map<number, IdMap>();
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const index = r.u32();
    outer.set(index, readNameMap(r, unique));
  }
  return outer;
}

const INDIRECT = new Set([NameKind.Local, NameKind.Label, NameKind.Field]);

/**
 * Reads the `name` custom section's content. A malformed name section does not make the module
 * malformed (custom sections are not checked), so then this returns undefined and the module prints
 * without names.
 */
export function readNames(bytes: Uint8Array): Names | undefined {
  const names: Names = { spaces: new Map(), nested: new Map() };
  const r = new Reader(bytes);
  try {
    let last = -1;
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.u32();
      const sub = new Reader(bytes, r.pos, r.pos + size);
      if (sub.end > bytes.length || id <= last) return undefined;
      last = id;
      if (id === NameKind.Module) {
        const name = sub.name();
        if (name !== "") names.module = idText(name);
      } else if (INDIRECT.has(id)) names.nested.set(id, readIndirectNameMap(sub, id !== NameKind.Label));
      else if (id <= NameKind.Tag) names.spaces.set(id, readNameMap(sub));
      else sub.pos = sub.end; // a subsection of a later proposal
      if (sub.pos !== sub.end) return undefined;
      r.pos = sub.end;
    }
  } catch (e) {
    if (e instanceof CompileError) return undefined;
    throw e;
  }
  return names;
}
