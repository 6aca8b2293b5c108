/**
 * Binary decoder: turns module bytes into a `ModuleInfo`. It checks everything the binary format
 * itself requires (framing, section order and sizes, encodings, counts) and nothing more; typing
 * rules live in `validator.ts`. Function bodies and constant expressions are kept as byte ranges.
 */
import { CompileError } from "./errors.ts";
import { GcOp, isKnownOpcode, isKnownSimdOp, Op, SimdOp } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import {
  type ConstExpr,
  type ConstInstr,
  type DataSegment,
  type DefType,
  type ElemSegment,
  type Export,
  ExternKind,
  type FieldType,
  type FuncBody,
  type GlobalType,
  HeapType,
  type Import,
  type Limits,
  type MemoryType,
  type ModuleInfo,
  type NameSection,
  Packed,
  refType,
  SegmentMode,
  type TableType,
  TYPE_HEAP,
  TypeKind,
  ValType,
} from "./types.ts";

/** Engines refuse functions with more locals than this; checking it first keeps huge counts cheap. */
export const MAX_LOCALS = 50000;

const enum SectionId {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
  Tag = 13,
}

/**
 * Position of each non-custom section in the required order (data count sits between element and code,
 * tag between memory and global).
 */
const SECTION_RANK = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6];

export function decodeModule(bytes: Uint8Array): ModuleInfo {
  const r = new Reader(bytes);
  readHeader(r);
  const m: ModuleInfo = {
    bytes,
    types: [],
    imports: [],
    funcTypeIndices: [],
    importedFuncCount: 0,
    funcs: [],
    tables: [],
    importedTableCount: 0,
    memories: [],
    importedMemoryCount: 0,
    globalTypes: [],
    importedGlobalCount: 0,
    tags: [],
    importedTagCount: 0,
    globals: [],
    exports: [],
    elems: [],
    datas: [],
    customs: [],
    names: { functions: new Map(), locals: new Map() },
    sections: [],
  };
  let lastRank = 0;
  let definedFuncCount = 0; // from the function section
  let codeCount = -1; // -1: no code section
  let sawData = false;
  while (!r.atEnd()) {
    const idAt = r.pos;
    const id = r.u8();
    if (id > SectionId.Tag) r.fail("malformed section id", idAt);
    const size = r.u32();
    const start = r.pos;
    if (size > bytes.length - start) r.fail("length out of bounds", start);
    const end = start + size;
    if (id !== SectionId.Custom) {
      const rank = SECTION_RANK[id];
      if (rank <= lastRank) r.fail("unexpected content after last section", idAt);
      lastRank = rank;
    }
    m.sections.push({ id, start, size });
    const s = new Reader(bytes, start, end);
    s.section = true;
    switch (id) {
      case SectionId.Custom:
        readCustomSection(s, m);
        s.pos = end; // the payload is opaque
        break;
      case SectionId.Type:
        readTypeSection(s, m);
        break;
      case SectionId.Import:
        readImportSection(s, m);
        break;
      case SectionId.Function: {
        const n = vecLength(s);
        definedFuncCount = n;
        for (let i = 0; i < n; i++) m.funcTypeIndices.push(s.u32());
        break;
      }
      case SectionId.Table: {
        const n = vecLength(s);
        for (let i = 0; i < n; i++) {
          // 0x40 0x00: a table with an initialiser expression (typed function references).
          if (s.pos + 1 < s.end && s.bytes[s.pos] === 0x40 && s.bytes[s.pos + 1] === 0x00) {
            s.pos += 2;
            const type = readTableType(s);
            m.tables.push({ ...type, init: readConstExpr(s) });
          } else m.tables.push(readTableType(s));
        }
        break;
      }
      case SectionId.Memory: {
        const n = vecLength(s);
        for (let i = 0; i < n; i++) m.memories.push({ limits: readLimits(s, false) });
        break;
      }
      case SectionId.Global: {
        const n = vecLength(s);
        for (let i = 0; i < n; i++) {
          const type = readGlobalType(s);
          m.globalTypes.push(type);
          m.globals.push({ type, init: readConstExpr(s) });
        }
        break;
      }
      case SectionId.Tag: {
        const n = vecLength(s);
        for (let i = 0; i < n; i++) m.tags.push(readTagType(s));
        break;
      }
      case SectionId.Export:
        readExportSection(s, m);
        break;
      case SectionId.Start:
        m.start = s.u32();
        break;
      case SectionId.Element: {
        const n = vecLength(s);
        for (let i = 0; i < n; i++) m.elems.push(readElemSegment(s));
        break;
      }
      case SectionId.DataCount:
        m.dataCount = s.u32();
        break;
      case SectionId.Code:
        codeCount = readCodeSection(s, m);
        break;
      case SectionId.Data: {
        sawData = true;
        const n = vecLength(s);
        if (m.dataCount !== undefined && n !== m.dataCount) {
          s.fail("data count and data section have inconsistent lengths", start);
        }
        for (let i = 0; i < n; i++) m.datas.push(readDataSegment(s));
        break;
      }
    }
    if (s.pos !== end) r.fail("section size mismatch", s.pos);
    r.pos = end;
  }
  // Checked last, as the reference interpreter does, so misordered sections get the ordering error.
  if (Math.max(codeCount, 0) !== definedFuncCount) {
    r.fail("function and code section have inconsistent lengths");
  }
  if (!sawData && m.dataCount !== undefined && m.dataCount !== 0) {
    r.fail("data count and data section have inconsistent lengths");
  }
  return m;
}

function readHeader(r: Reader): void {
  if (r.bytes.length < 4) r.fail("unexpected end", 0);
  const b = r.bytes;
  if (b[0] !== 0x00 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    r.fail("magic header not detected", 0);
  }
  if (b.length < 8) r.fail("unexpected end", 4);
  if (b[4] !== 1 || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) r.fail("unknown binary version", 4);
  r.pos = 8;
}

/**
 * A vector length. Every vector item takes at least one byte, so a count larger than the bytes left
 * is refused here, before anything is allocated for it.
 */
function vecLength(r: Reader): number {
  const n = r.u32();
  if (n > r.end - r.pos) r.unexpectedEnd();
  return n;
}

export function readValType(r: Reader): ValType {
  const at = r.pos;
  const b = r.u8();
  switch (b) {
    case ValType.I32:
    case ValType.I64:
    case ValType.F32:
    case ValType.F64:
    case ValType.V128:
      return b;
  }
  return refTypeFrom(r, b, at, "malformed value type");
}

function readRefType(r: Reader): ValType {
  const at = r.pos;
  return refTypeFrom(r, r.u8(), at, "malformed reference type");
}

/**
 * The reference type whose encoding starts with byte `b` (read, at `at`): a shorthand (`funcref`,
 * `externref`, `anyref`, the bottoms `nullfuncref` …), or `0x63`/`0x64` and a heap type
 * (`(ref null ht)`, `(ref ht)`).
 */
function refTypeFrom(r: Reader, b: number, at: number, malformed: string): ValType {
  if (b === 0x63 || b === 0x64) return refType(readHeapType(r), b === 0x63);
  if (ABSTRACT_HEAPS.has(b)) return refType(b, true);
  return r.fail(malformed, at);
}

/** The abstract heap types, by their byte (each is also the shorthand of its nullable reference type). */
const ABSTRACT_HEAPS = new Set<number>([
  HeapType.Func,
  HeapType.Extern,
  HeapType.Exn,
  HeapType.NoFunc,
  HeapType.NoExtern,
  HeapType.NoExn,
  HeapType.Any,
  HeapType.Eq,
  HeapType.I31,
  HeapType.Struct,
  HeapType.Array,
  HeapType.None,
]);

/** A heap type: an abstract one (one byte, a negative s33) or a type index (checked by the validator). */
export function readHeapType(r: Reader): number {
  const at = r.pos;
  if (at < r.end && ABSTRACT_HEAPS.has(r.bytes[at])) return r.u8();
  const index = r.s33();
  if (index < 0) r.fail("malformed heap type", at);
  return TYPE_HEAP + index;
}

/**
 * Limits of a memory or table: a flags byte (bit 0: a maximum follows; bit 1: shared, which is the
 * threads proposal's; bit 2: 64-bit, sizes as u64), the minimum, the maximum.
 */
function readLimits(r: Reader, table: boolean): Limits {
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~0x07 || (table && flags & 0x02)) r.fail("malformed limits flags", at);
  if (flags & 0x02) {
    r.fail("shared memories (the threads proposal) are not supported", at);
  }
  const address64 = (flags & 0x04) !== 0;
  const size = () => address64 ? r.u64() : r.u32();
  const min = size();
  const limits: Limits = flags & 1 ? { min, max: size() } : { min };
  if (address64) limits.address64 = true;
  return limits;
}

function readTableType(r: Reader): TableType {
  const elem = readRefType(r);
  return { elem, limits: readLimits(r, true) };
}

function readGlobalType(r: Reader): GlobalType {
  const type = readValType(r);
  const at = r.pos;
  const mut = r.u8();
  if (mut > 1) r.fail("malformed mutability", at);
  return { type, mutable: mut === 1 };
}

/**
 * The type section: recursion groups (`rec`, or a single type that is a group of its own) of
 * subtypes (`sub`, `sub final`, or a bare composite type, which is final), each a function, struct or
 * array type. Whether the indices make sense is the validator's to check.
 */
function readTypeSection(r: Reader, m: ModuleInfo): void {
  const n = vecLength(r);
  for (let i = 0; i < n; i++) {
    if (r.bytes[r.pos] === 0x4e) {
      r.pos++;
      const size = vecLength(r), group = m.types.length;
      for (let k = 0; k < size; k++) m.types.push(readSubType(r, group, size));
    } else {
      m.types.push(readSubType(r, m.types.length, 1));
    }
  }
}

function readSubType(r: Reader, group: number, groupSize: number): DefType {
  const at = r.pos;
  const form = r.u8();
  let final = true, supertype = -1;
  if (form === 0x50 || form === 0x4f) {
    final = form === 0x4f;
    const supers = vecLength(r);
    if (supers > 1) r.fail("multiple supertypes", at);
    if (supers === 1) supertype = r.u32();
    return { ...readCompositeType(r), final, supertype, group, groupSize };
  }
  r.pos = at;
  return { ...readCompositeType(r), final, supertype, group, groupSize };
}

function readCompositeType(r: Reader): Pick<DefType, "kind" | "params" | "results" | "fields"> {
  const at = r.pos;
  const form = r.u8();
  if (form & 0x80) r.fail("integer representation too long", at); // a longer (negative) type code
  switch (form) {
    case 0x60: {
      const params = readValTypes(r);
      return { kind: TypeKind.Func, params, results: readValTypes(r), fields: [] };
    }
    case 0x5f: {
      const n = vecLength(r);
      const fields: FieldType[] = [];
      for (let i = 0; i < n; i++) fields.push(readFieldType(r));
      return { kind: TypeKind.Struct, params: [], results: [], fields };
    }
    case 0x5e:
      return { kind: TypeKind.Array, params: [], results: [], fields: [readFieldType(r)] };
  }
  return r.fail("malformed function type", at);
}

function readFieldType(r: Reader): FieldType {
  const b = r.bytes[r.pos];
  const type = b === Packed.I8 || b === Packed.I16 ? r.u8() as Packed : readValType(r);
  const at = r.pos;
  const mut = r.u8();
  if (mut > 1) r.fail("malformed mutability", at);
  return { type, mutable: mut === 1 };
}

function readValTypes(r: Reader): ValType[] {
  const n = vecLength(r);
  const out: ValType[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readValType(r);
  return out;
}

function readImportSection(r: Reader, m: ModuleInfo): void {
  const n = vecLength(r);
  for (let i = 0; i < n; i++) {
    const module = r.name();
    const name = r.name();
    const at = r.pos;
    const kind = r.u8();
    let imp: Import;
    switch (kind) {
      case ExternKind.Func: {
        const typeIndex = r.u32();
        imp = { module, name, desc: { kind, typeIndex } };
        m.funcTypeIndices.push(typeIndex);
        m.importedFuncCount++;
        break;
      }
      case ExternKind.Table: {
        const type = readTableType(r);
        imp = { module, name, desc: { kind, type } };
        m.tables.push(type);
        m.importedTableCount++;
        break;
      }
      case ExternKind.Memory: {
        const type: MemoryType = { limits: readLimits(r, false) };
        imp = { module, name, desc: { kind, type } };
        m.memories.push(type);
        m.importedMemoryCount++;
        break;
      }
      case ExternKind.Global: {
        const type = readGlobalType(r);
        imp = { module, name, desc: { kind, type } };
        m.globalTypes.push(type);
        m.importedGlobalCount++;
        break;
      }
      case ExternKind.Tag: {
        const typeIndex = readTagType(r);
        imp = { module, name, desc: { kind, typeIndex } };
        m.tags.push(typeIndex);
        m.importedTagCount++;
        break;
      }
      default:
        return r.fail("malformed import kind", at);
    }
    m.imports.push(imp);
  }
}

/** A tag's type: the attribute byte (0, an exception), then its function type's index. */
function readTagType(r: Reader): number {
  const at = r.pos;
  if (r.u8() !== 0x00) r.fail("malformed tag attribute", at);
  return r.u32();
}

function readExportSection(r: Reader, m: ModuleInfo): void {
  const n = vecLength(r);
  for (let i = 0; i < n; i++) {
    const name = r.name();
    const at = r.pos;
    const kind = r.u8();
    if (kind > ExternKind.Tag) r.fail("malformed export kind", at);
    m.exports.push({ name, kind, index: r.u32() } satisfies Export);
  }
}

/**
 * Decodes a constant expression. Only constant instructions are decoded; anything else is refused at
 * once (a known opcode is invalid there, an unknown one malformed), so no general instruction decoder
 * is needed here. The validator checks the types.
 */
export function readConstExpr(r: Reader): ConstExpr {
  const instrs: ConstInstr[] = [];
  for (;;) {
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case Op.End:
        return { instrs, end: at };
      case Op.I32Const:
        instrs.push({ kind: "value", at, type: ValType.I32, words: [r.s32()] });
        break;
      case Op.I64Const: {
        const x = r.s64();
        instrs.push({
          kind: "value",
          at,
          type: ValType.I64,
          words: [Number(BigInt.asIntN(32, x)), Number(x >> 32n)],
        });
        break;
      }
      case Op.F32Const:
        instrs.push({ kind: "value", at, type: ValType.F32, words: [r.bits32()] });
        break;
      case Op.F64Const:
        instrs.push({ kind: "value", at, type: ValType.F64, words: r.bits64() });
        break;
      case Op.RefNull:
        instrs.push({ kind: "ref.null", at, type: refType(readHeapType(r), true) });
        break;
      case Op.RefFunc:
        instrs.push({ kind: "ref.func", at, index: r.u32() });
        break;
      case Op.GlobalGet:
        instrs.push({ kind: "global.get", at, index: r.u32() });
        break;
      case Op.I32Add:
      case Op.I32Sub:
      case Op.I32Mul:
        instrs.push({ kind: "arith", at, op, type: ValType.I32 });
        break;
      case Op.I64Add:
      case Op.I64Sub:
      case Op.I64Mul:
        instrs.push({ kind: "arith", at, op, type: ValType.I64 });
        break;
      case Op.PrefixGC: {
        const sub = r.u32();
        switch (sub) {
          case GcOp.StructNew:
          case GcOp.StructNewDefault:
          case GcOp.ArrayNew:
          case GcOp.ArrayNewDefault:
            instrs.push({ kind: "gc", at, op: sub, index: r.u32(), count: 0 });
            break;
          case GcOp.ArrayNewFixed: {
            const index = r.u32();
            instrs.push({ kind: "gc", at, op: sub, index, count: r.u32() });
            break;
          }
          case GcOp.RefI31:
          case GcOp.AnyConvertExtern:
          case GcOp.ExternConvertAny:
            instrs.push({ kind: "gc", at, op: sub, index: 0, count: 0 });
            break;
          default:
            return r.fail(sub <= GcOp.I31GetU ? "constant expression required" : "illegal opcode", at);
        }
        break;
      }
      case Op.PrefixSIMD: {
        const sub = r.u32();
        if (sub !== SimdOp.V128Const) {
          return r.fail(isKnownSimdOp(sub) ? "constant expression required" : "illegal opcode", at);
        }
        instrs.push({
          kind: "value",
          at,
          type: ValType.V128,
          words: [r.bits32(), r.bits32(), r.bits32(), r.bits32()],
        });
        break;
      }
      default:
        return r.fail(isKnownOpcode(op) ? "constant expression required" : "illegal opcode", at);
    }
  }
}

function readElemKind(r: Reader): ValType {
  const at = r.pos;
  if (r.u8() !== 0x00) r.fail("malformed element kind", at);
  return refType(HeapType.Func, false); // function indices: never null
}

/** The eight element segment encodings: bit 0 passive/declarative, bit 1 explicit table or declarative, bit 2 expressions. */
function readElemSegment(r: Reader): ElemSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 7) r.fail("malformed elements segment kind", at);
  const mode = (flags & 1) === 0
    ? SegmentMode.Active
    : (flags & 2) === 0
    ? SegmentMode.Passive
    : SegmentMode.Declarative;
  const explicitTable = (flags & 3) === 2;
  const usesExprs = (flags & 4) !== 0;
  const table = explicitTable ? r.u32() : 0;
  const offset = mode === SegmentMode.Active ? readConstExpr(r) : undefined;
  // Flag 0 implies `(ref func)` (function indices are never null), 4 `funcref`; the others name the
  // element type (or kind) explicitly.
  let type = flags === 0 ? refType(HeapType.Func, false) : ValType.FuncRef;
  if ((flags & 3) !== 0) type = usesExprs ? readRefType(r) : readElemKind(r);
  const n = vecLength(r);
  const seg: ElemSegment = { mode, table, offset, type, init: [] };
  if (usesExprs) {
    for (let i = 0; i < n; i++) seg.init.push(readConstExpr(r));
  } else {
    const indices: number[] = new Array(n);
    for (let i = 0; i < n; i++) indices[i] = r.u32();
    seg.funcIndices = indices;
  }
  return seg;
}

function readDataSegment(r: Reader): DataSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 2) r.fail("malformed data segment kind", at);
  const memory = flags === 2 ? r.u32() : 0;
  const offset = flags === 1 ? undefined : readConstExpr(r);
  const len = r.u32();
  const start = r.pos;
  r.take(len);
  const mode = flags === 1 ? SegmentMode.Passive : SegmentMode.Active;
  return { mode, memory, offset, start, end: start + len };
}

/** Reads the bodies; returns their count (checked against the function section at the end). */
function readCodeSection(r: Reader, m: ModuleInfo): number {
  const n = vecLength(r);
  // One reader for every body's local declarations, re-aimed at each (bodies are many and small).
  const body = new Reader(r.bytes);
  body.section = true;
  const funcs = m.funcs, typeIndices = m.funcTypeIndices, imported = m.importedFuncCount;
  for (let i = 0; i < n; i++) {
    const bodyOffset = r.pos;
    const size = r.u32();
    if (size > r.end - r.pos) r.unexpectedEnd(bodyOffset);
    const codeEnd = r.pos + size;
    body.pos = r.pos;
    body.end = codeEnd;
    const locals = readLocals(body);
    funcs.push(
      {
        typeIndex: typeIndices[imported + i],
        locals,
        codeStart: body.pos,
        codeEnd,
        bodyOffset,
      } satisfies FuncBody,
    );
    r.pos = codeEnd;
  }
  return n;
}

function readLocals(r: Reader): ValType[] {
  const groups = vecLength(r);
  if (groups === 0) return [];
  // Count first, then fill an array of the exact size: growing one by push leaves slack that every
  // function of a big module would keep (and the garbage collector would copy).
  const start = r.pos;
  let total = 0;
  for (let g = 0; g < groups; g++) {
    const at = r.pos;
    const count = r.u32();
    total += count;
    if (total > MAX_LOCALS) r.fail("too many locals", at);
    readValType(r);
  }
  const locals: ValType[] = new Array(total);
  r.pos = start;
  let i = 0;
  for (let g = 0; g < groups; g++) {
    const count = r.u32();
    const t = readValType(r);
    for (let k = 0; k < count; k++) locals[i++] = t;
  }
  return locals;
}

function readCustomSection(r: Reader, m: ModuleInfo): void {
  const name = r.name();
  m.customs.push({ name, start: r.pos, end: r.end });
  if (name === "name") {
    // The name section is advisory: a malformed one is ignored, not an error.
    try {
      m.names = readNameSection(new Reader(r.bytes, r.pos, r.end));
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
    }
  }
}

function readNameSection(r: Reader): NameSection {
  const names: NameSection = { functions: new Map(), locals: new Map() };
  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.u32();
    if (size > r.end - r.pos) r.unexpectedEnd();
    const sub = new Reader(r.bytes, r.pos, r.pos + size);
    r.pos += size;
    if (id === 0) {
      names.module = sub.name();
    } else if (id === 1) {
      names.functions = readNameMap(sub);
    } else if (id === 2) {
      const n = vecLength(sub);
      for (let i = 0; i < n; i++) {
        const func = sub.u32();
        names.locals.set(func, readNameMap(sub));
      }
    }
  }
  return names;
}

function readNameMap(r: Reader): Map<number, string> {
  const map = new Map<number, string>();
  const n = vecLength(r);
  for (let i = 0; i < n; i++) {
    const index = r.u32();
    map.set(index, r.name());
  }
  return map;
}
