/**
 * A text module → its binary. Three passes over the fields: the first defines every identifier (so
 * references may point forward) and checks that imports come first; the second parses the types; the
 * third encodes the other fields in text order (implicit types are appended as they are first used),
 * with the abbreviations expanded: inline imports and exports, inline elem and data, offsets.
 */

import { Cursor, idKey, IndexSpace } from "./cursor.ts";
import { BodyParser } from "./body.ts";
import { ModuleContext, type ValType } from "./context.ts";
import { Writer } from "./encode.ts";
import { INSTRUCTIONS } from "./instructions.ts";
import { Tok, type Tokens } from "./lexer.ts";
import { type CustomSection, parseCustomAnnotations, placeCustoms } from "./custom.ts";
import { type FunctionNames, nameSection } from "./names.ts";
import { parseU64 } from "./numbers.ts";
import { atValType, parseRefType, parseTypeDefinition, parseTypeUse, parseValType } from "./types.ts";

/** A section being filled: its entry count and bytes. */
class Section {
  count = 0;
  readonly w = new Writer();
}

const EXPORT_KINDS: Record<string, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

/** Parses the module whose fields run from token `first` to the `)` (or end) at token `end`. */
export function encodeModule(
  toks: Tokens,
  first: number,
  end: number,
  moduleName: string | null,
): Uint8Array<ArrayBuffer> {
  return new ModuleEncoder(toks, first, end, moduleName).encode();
}

class ModuleEncoder {
  readonly c: Cursor;
  readonly m = new ModuleContext();
  readonly first: number;
  readonly end: number;
  readonly moduleName: string | null;
  readonly imports = new Section();
  readonly functions = new Section();
  readonly tables = new Section();
  readonly memories = new Section();
  readonly tags = new Section();
  readonly globals = new Section();
  readonly exports = new Section();
  readonly elems = new Section();
  readonly code = new Section();
  readonly datas = new Section();
  start = -1;
  readonly functionNames: FunctionNames[] = [];
  /** Next index to give in each space during the encoding pass (they mirror the first pass). */
  readonly next = { func: 0, table: 0, memory: 0, global: 0, tag: 0, elem: 0, data: 0 };

  constructor(toks: Tokens, first: number, end: number, moduleName: string | null) {
    this.c = new Cursor(toks, first);
    this.first = first;
    this.end = end;
    this.moduleName = moduleName;
  }

  encode(): Uint8Array<ArrayBuffer> {
    this.#defineAll();
    const c = this.c;
    for (c.p = this.first; c.p < this.end;) {
      if (c.isOpen("type") || c.isOpen("rec")) parseTypeDefinition(c, this.m);
      else c.skipSexpr();
    }
    for (c.p = this.first; c.p < this.end;) this.#field();
    return this.#assemble();
  }

  /** The first pass: every identifier of every index space. */
  #defineAll(): void {
    const c = this.c;
    const m = this.m;
    let definitionSeen = "";
    for (c.p = this.first; c.p < this.end;) {
      const at = c.p;
      if (c.kind() !== Tok.LParen) throw c.unexpected("a module field");
      const kw = c.openKeyword();
      const close = c.toks.match[at];
      c.p = at + 2;
      switch (kw) {
        case "type":
          m.types.define(c, c.optionalId(), at + 2);
          break;
        case "rec":
          while (c.isOpen("type")) {
            const t = c.p;
            c.enter();
            m.types.define(c, c.optionalId(), t + 2);
            c.p = c.toks.match[t] + 1;
          }
          break;
        case "import": {
          c.expectString();
          c.expectString();
          const desc = c.openKeyword();
          const space = desc === null ? undefined : this.#space(desc);
          if (space === undefined) throw c.unexpected("an import description");
          if (definitionSeen) throw c.error(`import after ${definitionSeen}`, at);
          c.enter();
          space.define(c, c.optionalId(), c.p - 1);
          space.imports++;
          break;
        }
        case "func":
        case "table":
        case "memory":
        case "global":
        case "tag": {
          const space = this.#space(kw)!;
          const idAt = c.p;
          space.define(c, c.optionalId(), idAt);
          while (c.isOpen("export")) c.skipSexpr();
          if (c.isOpen("import")) {
            if (definitionSeen) throw c.error(`import after ${definitionSeen}`, at);
            space.imports++;
          } else {
            definitionSeen = `a ${space.what} definition`;
            if (kw === "table" || kw === "memory") {
              for (; c.p < close; c.kind() === Tok.LParen ? c.skipSexpr() : c.p++) {
                if (kw === "table" && c.isOpen("elem")) m.elems.define(c, null, c.p);
                if (kw === "memory" && c.isOpen("data")) m.datas.define(c, null, c.p);
              }
            }
          }
          break;
        }
        case "elem":
          m.elems.define(c, c.optionalId(), at + 2);
          break;
        case "data":
          m.datas.define(c, c.optionalId(), at + 2);
          break;
        case "export":
        case "start":
          break;
        default:
          throw c.error(
            kw === null ? "expected a module field" : `unknown module field ${JSON.stringify(kw)}`,
            at + 1,
          );
      }
      c.p = close + 1;
    }
  }

  #space(kw: string): IndexSpace | undefined {
    const m = this.m;
    switch (kw) {
      case "func":
        return m.funcs;
      case "table":
        return m.tables;
      case "memory":
        return m.memories;
      case "global":
        return m.globals;
      case "tag":
        return m.tags;
    }
    return undefined;
  }

  /** The encoding pass: one field, from its `(`. */
  #field(): void {
    const c = this.c;
    const at = c.p;
    const close = c.toks.match[at];
    const kw = c.openKeyword();
    switch (kw) {
      case "type":
      case "rec":
        c.p = close + 1;
        return;
      case "import":
        return this.#importField();
      case "func":
        return this.#funcField();
      case "table":
        return this.#tableField();
      case "memory":
        return this.#memoryField();
      case "global":
        return this.#globalField();
      case "tag":
        return this.#tagField();
      case "export": {
        c.enter();
        const name = c.expectName();
        const k = c.openKeyword();
        const kind = k === null ? undefined : EXPORT_KINDS[k];
        if (kind === undefined) throw c.unexpected("an export description");
        c.enter();
        const index = this.#space(k!)!.resolve(c);
        c.expectRParen();
        c.expectRParen();
        return this.#export(name, kind, index);
      }
      case "start":
        c.enter();
        if (this.start >= 0) throw c.error("multiple start sections", at);
        this.start = this.m.funcs.resolve(c);
        c.expectRParen();
        return;
      case "elem":
        return this.#elemField();
      case "data":
        return this.#dataField();
    }
    throw c.error("unknown module field", at);
  }

  #export(name: Uint8Array, kind: number, index: number): void {
    this.exports.count++;
    this.exports.w.name(name);
    this.exports.w.byte(kind);
    this.exports.w.u32(index);
  }

  /** `(export "name")*` after a field's id: exports of entry `index`. */
  #inlineExports(kind: number, index: number): void {
    const c = this.c;
    while (c.isOpen("export")) {
      c.enter();
      const name = c.expectName();
      c.expectRParen();
      this.#export(name, kind, index);
    }
  }

  /** `(import "m" "n")`, if present: writes the import's head and returns true. */
  #inlineImport(): boolean {
    const c = this.c;
    if (!c.isOpen("import")) return false;
    c.enter();
    this.#importHead();
    c.expectRParen();
    return true;
  }

  #importHead(): void {
    const c = this.c;
    const w = this.imports.w;
    w.name(c.expectName());
    w.name(c.expectName());
    this.imports.count++;
  }

  #importField(): void {
    const c = this.c;
    c.enter();
    this.#importHead();
    const kw = c.openKeyword()!;
    c.enter();
    c.optionalId();
    this.#importDesc(kw);
    c.expectRParen();
    c.expectRParen();
  }

  /** The description of an import of kind `kw` (after its id), written to the import section. */
  #importDesc(kw: string): void {
    const c = this.c;
    const w = this.imports.w;
    switch (kw) {
      case "func": {
        const use = parseTypeUse(c, this.m, true);
        w.byte(0);
        w.u32(this.m.typeUse(c, use.index, use.sig, use.at));
        this.next.func++;
        return;
      }
      case "table":
        w.byte(1);
        this.#tableType(w);
        this.next.table++;
        return;
      case "memory":
        w.byte(2);
        this.#limits(w);
        this.next.memory++;
        return;
      case "global":
        w.byte(3);
        this.#globalType(w);
        this.next.global++;
        return;
      case "tag": {
        const use = parseTypeUse(c, this.m, false);
        w.byte(4);
        w.byte(0);
        w.u32(this.m.typeUse(c, use.index, use.sig, use.at));
        this.next.tag++;
        return;
      }
    }
  }

  #funcField(): void {
    const c = this.c;
    const at = c.p;
    c.enter();
    c.optionalId();
    const index = this.next.func;
    this.#inlineExports(0, index);
    if (this.#inlineImport()) {
      this.#importDesc("func");
      c.expectRParen();
      return;
    }
    this.next.func++;
    const use = parseTypeUse(c, this.m, true);
    const typeIndex = this.m.typeUse(c, use.index, use.sig, use.at);
    this.functions.count++;
    this.functions.w.u32(typeIndex);
    const locals = new IndexSpace("local");
    if (use.sig !== null) {
      use.paramNames.forEach((name, i) => locals.define(c, name, use.paramAt[i]));
    } else {
      for (let i = 0; i < this.m.paramsOf(typeIndex).length; i++) locals.define(c, null, at);
    }
    const localTypes: ValType[] = [];
    while (c.isOpen("local")) {
      c.enter();
      if (c.kind() === Tok.Id) {
        const idAt = c.p;
        const name = idKey(c, c.p++);
        locals.define(c, name, idAt);
        localTypes.push(parseValType(c, this.m));
      } else {
        while (c.kind() !== Tok.RParen) {
          locals.define(c, null, c.p);
          localTypes.push(parseValType(c, this.m));
        }
      }
      c.expectRParen();
    }
    const body = new Writer(64);
    writeLocals(body, localTypes);
    const parser = new BodyParser(c, this.m, locals);
    parser.instrs(body);
    c.expectRParen();
    body.byte(0x0b);
    this.code.count++;
    this.code.w.sized(body);
    this.#nameLocals(index, locals, parser.labelNames);
  }

  /** Records a function's local and label names for the name section, if it has any. */
  #nameLocals(index: number, locals: IndexSpace, labels: [number, string][]): void {
    if (locals.named.length > 0 || labels.length > 0) {
      this.functionNames.push({ index, locals: locals.named, labels });
    }
  }

  /** A table type (`addrtype? limits reftype`) into `w`: the binary puts the reference type first. */
  #tableType(w: Writer): void {
    const limits = new Writer(12);
    this.#limits(limits);
    for (const b of parseRefType(this.c, this.m)) w.byte(b);
    w.append(limits);
  }

  /** `addrtype? min max? shared?` into `w` (flags, then the bounds). */
  #limits(w: Writer): void {
    const c = this.c;
    let is64 = false;
    if (c.isKw("i64")) is64 = true, c.p++;
    else if (c.isKw("i32")) c.p++;
    const min = this.#bound();
    let max: bigint | null = null;
    if (c.kind() === Tok.Number) max = this.#bound();
    let flags = max === null ? 0 : 1;
    if (c.isKw("shared")) flags |= 2, c.p++;
    if (is64) flags |= 4;
    w.byte(flags);
    w.u64(min);
    if (max !== null) w.u64(max);
  }

  /** A limit: u64 in the text whatever the address type (the validator checks the range). */
  #bound(): bigint {
    const c = this.c;
    if (c.kind() !== Tok.Number) throw c.unexpected("a limit");
    const v = parseU64(c.text());
    if (v === null || (c.toks.limits32 && v > 0xffffffffn)) {
      throw c.error(`malformed limit ${JSON.stringify(c.text())}`);
    }
    c.p++;
    return v;
  }

  #globalType(w: Writer): void {
    const c = this.c;
    if (c.isOpen("mut")) {
      c.enter();
      for (const b of parseValType(c, this.m)) w.byte(b);
      c.expectRParen();
      w.byte(1);
    } else {
      for (const b of parseValType(c, this.m)) w.byte(b);
      w.byte(0);
    }
  }

  /** A constant expression up to the closing `)` (not consumed), with its `end`. */
  #constExpr(w: Writer): void {
    new BodyParser(this.c, this.m).instrs(w);
    w.byte(0x0b);
  }

  #tableField(): void {
    const c = this.c;
    c.enter();
    c.optionalId();
    const index = this.next.table;
    this.#inlineExports(1, index);
    if (this.#inlineImport()) {
      this.#importDesc("table");
      c.expectRParen();
      return;
    }
    this.next.table++;
    // Inline elements: `addrtype? reftype (elem …)`.
    const save = c.p;
    let is64 = false;
    if (c.isKw("i64") || c.isKw("i32")) is64 = c.isKw("i64"), c.p++;
    if (atValType(c)) {
      const type = parseRefType(c, this.m);
      if (!c.isOpen("elem")) throw c.unexpected('"(elem"');
      c.enter();
      const seg = this.#elemList(type);
      c.expectRParen();
      c.expectRParen();
      const w = this.tables.w;
      this.tables.count++;
      for (const b of type) w.byte(b);
      w.byte(is64 ? 5 : 1);
      w.u32(seg.count);
      w.u32(seg.count);
      const offset = new Writer(4);
      offset.byte(is64 ? 0x42 : 0x41);
      offset.byte(0);
      offset.byte(0x0b);
      this.#writeElem({ mode: "active", table: index, offset, ...seg });
      return;
    }
    c.p = save;
    const w = new Writer(16);
    this.#tableType(w);
    this.tables.count++;
    if (c.kind() === Tok.RParen) this.tables.w.append(w);
    else {
      this.tables.w.byte(0x40);
      this.tables.w.byte(0);
      this.tables.w.append(w);
      this.#constExpr(this.tables.w);
    }
    c.expectRParen();
  }

  #memoryField(): void {
    const c = this.c;
    c.enter();
    c.optionalId();
    const index = this.next.memory;
    this.#inlineExports(2, index);
    if (this.#inlineImport()) {
      this.#importDesc("memory");
      c.expectRParen();
      return;
    }
    this.next.memory++;
    const save = c.p;
    let is64 = false;
    if (c.isKw("i64") || c.isKw("i32")) is64 = c.isKw("i64"), c.p++;
    if (c.isOpen("data")) {
      c.enter();
      const bytes = c.strings();
      c.expectRParen();
      c.expectRParen();
      const pages = Math.ceil(bytes.length / 65536);
      const w = this.memories.w;
      w.byte(is64 ? 5 : 1);
      w.u32(pages);
      w.u32(pages);
      this.memories.count++;
      const offset = new Writer(4);
      offset.byte(is64 ? 0x42 : 0x41);
      offset.byte(0);
      offset.byte(0x0b);
      this.#writeData({ memory: index, offset, bytes });
      return;
    }
    c.p = save;
    this.#limits(this.memories.w);
    this.memories.count++;
    c.expectRParen();
  }

  #globalField(): void {
    const c = this.c;
    c.enter();
    c.optionalId();
    const index = this.next.global;
    this.#inlineExports(3, index);
    if (this.#inlineImport()) {
      this.#importDesc("global");
      c.expectRParen();
      return;
    }
    this.next.global++;
    this.globals.count++;
    this.#globalType(this.globals.w);
    this.#constExpr(this.globals.w);
    c.expectRParen();
  }

  #tagField(): void {
    const c = this.c;
    c.enter();
    c.optionalId();
    const index = this.next.tag;
    this.#inlineExports(4, index);
    if (this.#inlineImport()) {
      this.#importDesc("tag");
      c.expectRParen();
      return;
    }
    this.next.tag++;
    const use = parseTypeUse(c, this.m, false);
    this.tags.count++;
    this.tags.w.byte(0);
    this.tags.w.u32(this.m.typeUse(c, use.index, use.sig, use.at));
    c.expectRParen();
  }

  /**
   * An element list: `func funcidx*` or `reftype elemexpr*`; the legacy forms without either (after an
   * offset, or in a table's inline `(elem …)`, whose type is `tableType`) may hold either kind. Function
   * indices stay indices (elements of type `(ref func)`), expressions stay expressions.
   */
  #elemList(tableType: ValType | null): ElemList {
    const c = this.c;
    let type: ValType | null = tableType;
    let indicesOnly = false;
    if (c.isKw("func")) {
      c.p++;
      indicesOnly = true;
    } else if (atValType(c)) type = parseRefType(c, this.m);
    const funcIndices: number[] = [];
    const items: Writer[] = [];
    while (c.kind() !== Tok.RParen) {
      if (c.atIndex() && (indicesOnly || type === tableType) && items.length === 0) {
        funcIndices.push(this.m.funcs.resolve(c));
        continue;
      }
      if (indicesOnly || funcIndices.length > 0) throw c.unexpected("a function index");
      const w = new Writer(8);
      if (c.isOpen("item")) {
        c.enter();
        new BodyParser(c, this.m).instrs(w);
        c.expectRParen();
      } else if (c.kind() === Tok.LParen) {
        new BodyParser(c, this.m).folded(w);
      } else throw c.unexpected("an element expression");
      w.byte(0x0b);
      items.push(w);
    }
    const isFuncref = tableType === null || (tableType.length === 1 && tableType[0] === 0x70);
    if (items.length === 0 && type === tableType && isFuncref) {
      return { type: [0x70], items, funcIndices, count: funcIndices.length };
    }
    // A table's inline indices have the table's element type: as expressions, unless that is funcref.
    for (const f of funcIndices) {
      const w = new Writer(6);
      w.byte(0xd2), w.u32(f), w.byte(0x0b);
      items.push(w);
    }
    return { type: type ?? [0x70], items, funcIndices: null, count: items.length };
  }

  #elemField(): void {
    const c = this.c;
    c.enter();
    c.optionalId();
    let mode: ElemSegment["mode"] = "passive";
    let table = 0;
    let offset: Writer | null = null;
    if (c.isKw("declare")) mode = "declarative", c.p++;
    else {
      if (c.isOpen("table")) {
        c.enter();
        table = this.m.tables.resolve(c);
        c.expectRParen();
        mode = "active";
      }
      if (c.isOpen("offset")) {
        c.enter();
        offset = new Writer(8);
        this.#constExpr(offset);
        c.expectRParen();
        mode = "active";
      } else if (c.kind() === Tok.LParen && this.#atInstruction()) {
        offset = new Writer(8);
        new BodyParser(c, this.m).folded(offset);
        offset.byte(0x0b);
        mode = "active";
      } else if (mode === "active") throw c.unexpected("an offset");
    }
    const list = this.#elemList(null);
    c.expectRParen();
    this.#writeElem({ mode, table, offset, ...list });
  }

  /** Whether the current `(` opens an instruction (as opposed to a type or `item`). */
  #atInstruction(): boolean {
    const kw = this.c.openKeyword();
    return kw !== null && INSTRUCTIONS.has(kw);
  }

  #writeElem(seg: ElemSegment): void {
    this.next.elem++;
    const s = this.elems;
    const w = s.w;
    s.count++;
    const isFuncref = seg.type.length === 1 && seg.type[0] === 0x70;
    const useExprs = seg.funcIndices === null;
    const explicit = seg.mode === "active" && (seg.table !== 0 || (useExprs && !isFuncref));
    let flags = useExprs ? 4 : 0;
    if (seg.mode === "passive") flags |= 1;
    else if (seg.mode === "declarative") flags |= 3;
    else if (explicit) flags |= 2;
    w.byte(flags);
    if (seg.mode === "active") {
      if (explicit) w.u32(seg.table);
      w.append(seg.offset!);
    }
    if (seg.mode !== "active" || explicit) {
      if (useExprs) { for (const b of seg.type) w.byte(b); }
      else w.byte(0);
    }
    w.u32(seg.count);
    if (useExprs) { for (const item of seg.items) w.append(item); }
    else for (const f of seg.funcIndices!) w.u32(f);
  }

  #dataField(): void {
    const c = this.c;
    c.enter();
    c.optionalId();
    let memory = 0;
    let offset: Writer | null = null;
    if (c.isOpen("memory")) {
      c.enter();
      memory = this.m.memories.resolve(c);
      c.expectRParen();
      if (c.kind() !== Tok.LParen) throw c.unexpected("an offset");
    }
    if (c.isOpen("offset")) {
      c.enter();
      offset = new Writer(8);
      this.#constExpr(offset);
      c.expectRParen();
    } else if (c.kind() === Tok.LParen) {
      offset = new Writer(8);
      new BodyParser(c, this.m).folded(offset);
      offset.byte(0x0b);
    }
    const bytes = c.strings();
    c.expectRParen();
    this.#writeData({ memory, offset, bytes });
  }

  #writeData(seg: { memory: number; offset: Writer | null; bytes: Uint8Array }): void {
    this.next.data++;
    const s = this.datas;
    s.count++;
    if (seg.offset === null) s.w.byte(1);
    else if (seg.memory === 0) s.w.byte(0), s.w.append(seg.offset);
    else s.w.byte(2), s.w.u32(seg.memory), s.w.append(seg.offset);
    s.w.name(seg.bytes);
  }

  #assemble(): Uint8Array<ArrayBuffer> {
    const m = this.m;
    const sections: [number, Writer][] = [];
    const section = (id: number, s: Section) => {
      if (s.count === 0) return;
      const w = new Writer(s.w.length + 5);
      w.u32(s.count);
      w.append(s.w);
      sections.push([id, w]);
    };
    if (m.typeEntries.length > 0) {
      const w = new Writer(m.typeEntries.reduce((n, e) => n + e.length, 5));
      w.u32(m.typeEntries.length);
      for (const e of m.typeEntries) w.raw(e);
      sections.push([1, w]);
    }
    section(2, this.imports);
    section(3, this.functions);
    section(4, this.tables);
    section(5, this.memories);
    section(13, this.tags);
    section(6, this.globals);
    section(7, this.exports);
    if (this.start >= 0) {
      const w = new Writer(6);
      w.u32(this.start);
      sections.push([8, w]);
    }
    section(9, this.elems);
    if (m.usesDataCount) {
      const w = new Writer(6);
      w.u32(this.datas.count);
      sections.push([12, w]);
    }
    section(10, this.code);
    section(11, this.datas);
    const names = nameSection(this.moduleName, m, this.functionNames);
    const customs: CustomSection[] = parseCustomAnnotations(this.c.toks, this.first, this.end);
    const all = placeCustoms(sections, customs);
    if (names !== null) all.push([0, names]);
    const out = new Writer(all.reduce((n, [, w]) => n + w.length + 6, 8));
    out.raw(HEADER);
    for (const [id, w] of all) {
      out.byte(id);
      out.sized(w);
    }
    // The capacity was exact: hand over the buffer itself when it is full.
    return out.length === out.bytes.length ? out.bytes : out.result();
  }
}

/** The magic number and version 1. */
const HEADER = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

/** An element segment's contents. */
interface ElemList {
  type: ValType;
  /** Each item as an expression (with `end`). */
  items: Writer[];
  /** The items as function indices, when written so (then `items` is empty). */
  funcIndices: number[] | null;
  count: number;
}

interface ElemSegment extends ElemList {
  mode: "active" | "passive" | "declarative";
  table: number;
  offset: Writer | null;
}

/** Locals as the code section groups them: runs of equal types. */
function writeLocals(w: Writer, types: ValType[]): void {
  const runs: [number, ValType][] = [];
  for (const t of types) {
    const last = runs[runs.length - 1];
    if (last && last[1].length === t.length && last[1].every((b, i) => b === t[i])) last[0]++;
    else runs.push([1, t]);
  }
  w.u32(runs.length);
  for (const [n, t] of runs) {
    w.u32(n);
    for (const b of t) w.byte(b);
  }
}
