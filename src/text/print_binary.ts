/**
 * The printer's structural walk of a Wasm 3.0 binary: every section decoded into a `BinaryModule`, with
 * code (function bodies and constant expressions) kept as byte ranges that the instruction printer reads.
 * It checks what makes a binary malformed (not what makes it invalid), and throws `CompileError` with
 * the byte offset for it.
 */
import { Reader } from "../wasm/reader.ts";
import { skipExpression } from "./print_decode.ts";
import {
  readRecGroup,
  readRefType,
  readU64,
  readValType,
  readVec,
  type RefType,
  type SubType,
  type ValType,
} from "./print_types.ts";

/** A byte range of the module: a constant expression or a function body, up to and including `end`. */
export interface Code {
  readonly start: number;
  readonly end: number;
}

/** Table and memory limits; `index64` for memory64 / table64. */
export interface Limits {
  readonly min: bigint;
  readonly max?: bigint;
  readonly shared: boolean;
  readonly index64: boolean;
}

/** A table's element type and limits. */
export interface TableType {
  readonly element: RefType;
  readonly limits: Limits;
}
/** A global's value type and mutability. */
export interface GlobalType {
  readonly type: ValType;
  readonly mutable: boolean;
}

/** What an import or export names. */
export type ExternKind = "func" | "table" | "memory" | "global" | "tag";
const EXTERN_KINDS: ExternKind[] = ["func", "table", "memory", "global", "tag"];

/** What an import brings in, with its type (a type index for functions and tags). */
export type ImportDesc =
  | { readonly kind: "func" | "tag"; readonly type: number }
  | { readonly kind: "table"; readonly type: TableType }
  | { readonly kind: "memory"; readonly type: Limits }
  | { readonly kind: "global"; readonly type: GlobalType };

/** One import: module name, field name, what it is. */
export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}

/** One export: its name and the index it names in its kind's space. */
export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}

/** An element segment: items are function indices (the legacy form) or expressions. */
export interface ElemSegment {
  readonly mode: "active" | "passive" | "declarative";
  /** Present when the binary names the table (flags 2 and 6), so that printing keeps the encoding. */
  readonly table?: number;
  readonly offset?: Code;
  /** Absent for flags 0 and 4, whose type is implicitly funcref. */
  readonly type?: RefType;
  readonly funcs?: number[];
  readonly exprs?: Code[];
}

/** A data segment: passive when it has no offset. */
export interface DataSegment {
  readonly memory?: number; // present for flag 2
  readonly offset?: Code; // absent for passive segments
  readonly bytes: Uint8Array;
}

/** A function body: its local declarations and its code. */
export interface FuncBody {
  /** Local declarations as in the binary: runs of one type. */
  readonly locals: { count: number; type: ValType }[];
  readonly code: Code;
}

/** A custom section and where it stood: after the last non-custom section before it (none: first). */
export interface CustomSection {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly after?: number; // section id
}

/** Every section of a module, decoded; code is left as byte ranges of `bytes`. */
export interface BinaryModule {
  readonly bytes: Uint8Array;
  readonly recGroups: { rec: boolean; types: SubType[] }[];
  /** All defined types, flattened out of their recursion groups. */
  readonly types: SubType[];
  readonly imports: Import[];
  /** Type index of each defined function. */
  readonly funcs: number[];
  readonly tables: { type: TableType; init?: Code }[];
  readonly memories: Limits[];
  readonly tags: number[];
  readonly globals: { type: GlobalType; init: Code }[];
  readonly exports: Export[];
  start?: number;
  readonly elems: ElemSegment[];
  dataCount?: number;
  readonly bodies: FuncBody[];
  readonly datas: DataSegment[];
  readonly customs: CustomSection[];
}

/** Sections in their required order (the tag section, 13, sits between memory and global). */
const SECTION_ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

function readLimits(r: Reader): Limits {
  const at = r.pos;
  const flags = r.u8();
  if (flags > 7) r.fail("malformed limits flags", at);
  // Wasm 3.0 encodes limits as u64 for both address types; validation checks the range.
  const min = readU64(r);
  const max = flags & 1 ? readU64(r) : undefined;
  return { min, max, shared: (flags & 2) !== 0, index64: (flags & 4) !== 0 };
}

function readTableType(r: Reader): TableType {
  const element = readRefType(r);
  return { element, limits: readLimits(r) };
}

function readGlobalType(r: Reader): GlobalType {
  const type = readValType(r);
  const at = r.pos;
  const mutability = r.u8();
  if (mutability > 1) r.fail("malformed mutability", at);
  return { type, mutable: mutability === 1 };
}

function readTagType(r: Reader): number {
  const at = r.pos;
  if (r.u8() !== 0) r.fail("malformed tag attribute", at);
  return r.u32();
}

/** Skips a constant expression up to its `end`; which instructions it may hold is validation's concern. */
export function skipConstExpr(r: Reader): Code {
  const start = r.pos;
  skipExpression(r);
  return { start, end: r.pos };
}

function readElemSegment(r: Reader): ElemSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 7) r.fail("malformed elements segment kind", at);
  const mode = flags & 1 ? (flags & 2 ? "declarative" : "passive") : "active";
  const table = mode === "active" && flags & 2 ? r.u32() : undefined;
  const offset = mode === "active" ? skipConstExpr(r) : undefined;
  const usesExprs = (flags & 4) !== 0;
  let type: RefType | undefined;
  if (flags & 3) {
    if (usesExprs) type = readRefType(r);
    else {
      const kindAt = r.pos;
      if (r.u8() !== 0) r.fail("malformed element kind", kindAt);
    }
  }
  if (usesExprs) return { mode, table, offset, type, exprs: readVec(r, skipConstExpr) };
  return { mode, table, offset, type, funcs: readVec(r, (r) => r.u32()) };
}

function readDataSegment(r: Reader): DataSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 2) r.fail("malformed data segment kind", at);
  const memory = flags === 2 ? r.u32() : undefined;
  const offset = flags === 1 ? undefined : skipConstExpr(r);
  return { memory, offset, bytes: r.take(r.u32()) };
}

/** The most locals a function may declare here (the binary allows 2^32 - 1; no engine takes that many). */
const MAX_LOCALS = 1_000_000;

function readBody(r: Reader): FuncBody {
  const sizeAt = r.pos;
  const size = r.u32();
  const start = r.pos;
  if (size > r.end - start) r.fail("unexpected end of section or function", sizeAt);
  const body = new Reader(r.bytes, start, start + size);
  body.section = true;
  let total = 0;
  const locals = readVec(body, (b) => {
    const at = b.pos;
    const count = b.u32();
    total += count;
    if (total > MAX_LOCALS) b.fail("too many locals", at);
    return { count, type: readValType(b) };
  });
  r.pos = start + size;
  return { locals, code: { start: body.pos, end: start + size } };
}

/** Walks the whole binary; throws `CompileError` for anything malformed. */
export function readBinary(bytes: Uint8Array): BinaryModule {
  const r = new Reader(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    r.fail(bytes.length < 4 ? "unexpected end" : "magic header not detected", 0);
  }
  r.pos = 4;
  if (bytes.length < 8) r.fail("unexpected end", 4);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    r.fail("unknown binary version", 4);
  }
  r.pos = 8;
  const m: BinaryModule = {
    bytes,
    recGroups: [],
    types: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    tags: [],
    globals: [],
    exports: [],
    elems: [],
    bodies: [],
    datas: [],
    customs: [],
  };
  let lastId: number | undefined;
  let lastRank = 0;
  while (!r.atEnd()) {
    const idAt = r.pos;
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    if (size > bytes.length - start) r.fail("length out of bounds", idAt + 1);
    const s = new Reader(bytes, start, start + size);
    s.section = true;
    if (id === 0) {
      const name = s.name();
      m.customs.push({ name, bytes: bytes.subarray(s.pos, start + size), after: lastId });
      r.pos = start + size;
      continue;
    }
    const rank = SECTION_ORDER[id];
    if (rank === undefined) r.fail("malformed section id", idAt);
    if (rank <= lastRank) r.fail("unexpected content after last section", idAt);
    lastRank = rank;
    lastId = id;
    readSection(m, id, s);
    if (s.pos !== s.end) r.fail("section size mismatch", s.pos);
    r.pos = start + size;
  }
  if (m.funcs.length !== m.bodies.length) {
    r.fail("function and code section have inconsistent lengths", r.pos);
  }
  if (m.dataCount !== undefined && m.dataCount !== m.datas.length) {
    r.fail("data count and data section have inconsistent lengths", r.pos);
  }
  return m;
}

function readSection(m: BinaryModule, id: number, s: Reader): void {
  switch (id) {
    case 1:
      for (const group of readVec(s, readRecGroup)) {
        m.recGroups.push(group);
        m.types.push(...group.types);
      }
      break;
    case 2:
      m.imports.push(...readVec(s, readImport));
      break;
    case 3:
      m.funcs.push(...readVec(s, (r) => r.u32()));
      break;
    case 4:
      m.tables.push(...readVec(s, readTable));
      break;
    case 5:
      m.memories.push(...readVec(s, readLimits));
      break;
    case 13:
      m.tags.push(...readVec(s, readTagType));
      break;
    case 6:
      m.globals.push(...readVec(s, (r) => ({ type: readGlobalType(r), init: skipConstExpr(r) })));
      break;
    case 7:
      m.exports.push(...readVec(s, readExport));
      break;
    case 8:
      m.start = s.u32();
      break;
    case 9:
      m.elems.push(...readVec(s, readElemSegment));
      break;
    case 12:
      m.dataCount = s.u32();
      break;
    case 10:
      m.bodies.push(...readVec(s, readBody));
      break;
    case 11:
      m.datas.push(...readVec(s, readDataSegment));
      break;
  }
}

function readImport(r: Reader): Import {
  const module = r.name();
  const name = r.name();
  const at = r.pos;
  const kind = EXTERN_KINDS[r.u8()] ?? r.fail("malformed import kind", at);
  switch (kind) {
    case "func":
      return { module, name, desc: { kind, type: r.u32() } };
    case "tag":
      return { module, name, desc: { kind, type: readTagType(r) } };
    case "table":
      return { module, name, desc: { kind, type: readTableType(r) } };
    case "memory":
      return { module, name, desc: { kind, type: readLimits(r) } };
    case "global":
      return { module, name, desc: { kind, type: readGlobalType(r) } };
  }
}

function readTable(r: Reader): { type: TableType; init?: Code } {
  if (r.pos < r.end && r.bytes[r.pos] === 0x40) {
    const at = r.pos;
    r.pos++;
    if (r.u8() !== 0) r.fail("malformed table", at);
    const type = readTableType(r);
    return { type, init: skipConstExpr(r) };
  }
  return { type: readTableType(r) };
}

function readExport(r: Reader): Export {
  const name = r.name();
  const at = r.pos;
  const kind = EXTERN_KINDS[r.u8()] ?? r.fail("malformed export kind", at);
  return { name, kind, index: r.u32() };
}
