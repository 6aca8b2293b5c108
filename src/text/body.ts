/**
 * Instructions, flat and folded, straight to bytes. A folded `(op imm* arg*)` writes its operands
 * first: its own bytes wait in a scratch writer, appended after the operands. Open blocks and folded
 * instructions are frames on an explicit stack (no JS recursion, so no depth limit). Labels are a
 * stack of names resolved as they are met; block-like instructions are numbered for the label names.
 */

import type { Cursor } from "./cursor.ts";
import { idKey, IndexSpace } from "./cursor.ts";
import type { ModuleContext } from "./context.ts";
import { Writer } from "./encode.ts";
import { Imm, type Instr, INSTRUCTIONS } from "./instructions.ts";
import { Tok } from "./lexer.ts";
import { parseF32, parseF64Into, parseI64, parseIntN, parseSmallInt, parseU32, parseU64 } from "./numbers.ts";
import { heapTypeOf, isNullable, parseHeapType, parseRefType, parseTypeUse, parseValType } from "./types.ts";

/** What an open block or folded instruction is; the flat ones first (see `#run`). */
const enum Frame {
  FlatBlock,
  FlatIf,
  FlatTry,
  FoldedBlock,
  FoldedIf,
  FoldedTry,
  FoldedPlain,
}

/** An open block or folded instruction. */
interface FrameState {
  kind: Frame;
  label: string | null;
  /**
   * Where an if or try is: 0 at the start; FlatIf: 1 after `else`; FlatTry: 1 after a catch, 2 after
   * catch_all; the folded ones: IF_* and TRY_* below.
   */
  state: number;
  /** A folded plain instruction's bytes, written after its operands. */
  own: Writer | null;
  /** A folded if's block type (written once its condition is). */
  blockType: number[] | null;
  /** A folded try's handlers so far. */
  handlers: number;
}

function frame(kind: Frame, label: string | null, own: Writer | null): FrameState {
  return { kind, label, state: 0, own, blockType: null, handlers: 0 };
}

// States of a folded if and a folded try.
const IF_CONDITION = 10, IF_THEN = 11, IF_AFTER_THEN = 12, IF_ELSE = 13, IF_AFTER_ELSE = 14;
const TRY_DO = 0, TRY_HANDLERS = 1, TRY_CATCH = 2, TRY_CATCH_ALL = 3, TRY_AFTER_CATCH_ALL = 4;

/** Whether flat instructions may come next inside `f` (not between the clauses of a folded if or try). */
function takesFlatInstructions(f: FrameState): boolean {
  switch (f.kind) {
    case Frame.FoldedPlain:
      return false;
    case Frame.FoldedIf:
      return f.state === IF_THEN || f.state === IF_ELSE;
    case Frame.FoldedTry:
      return f.state === TRY_DO || f.state === TRY_CATCH || f.state === TRY_CATCH_ALL;
    default:
      return true;
  }
}

function isTerminator(imm: Imm): boolean {
  return imm === Imm.End || imm === Imm.Else || imm === Imm.Catch || imm === Imm.CatchAll ||
    imm === Imm.Delegate;
}

/** The locals of a constant expression: none (a numeric `local.get` is still encoded, for the validator). */
const NO_LOCALS = new IndexSpace("local");

/** Parses the instructions of one function body or constant expression. */
export class BodyParser {
  readonly c: Cursor;
  readonly m: ModuleContext;
  /** The function's locals (params first); none in a constant expression (where they are invalid). */
  readonly locals: IndexSpace;
  /** Enclosing labels' names, innermost last. */
  readonly labels: (string | null)[] = [];
  /** Named labels, by their block's ordinal in the body (for the name section). */
  readonly labelNames: [number, string][] = [];
  #blocks = 0;
  /** Scratch writers of folded plain instructions, by nesting depth. */
  readonly #scratch: Writer[] = [];

  constructor(c: Cursor, m: ModuleContext, locals: IndexSpace = NO_LOCALS) {
    this.c = c;
    this.m = m;
    this.locals = locals;
  }

  /** Instructions up to the `)` that ends them (not consumed), or the end of input. */
  instrs(w: Writer): void {
    this.#run(w, []);
  }

  /** One folded instruction, from its `(` to just after its `)`. */
  folded(w: Writer): void {
    const frames: FrameState[] = [];
    this.#openFolded(w, frames);
    if (frames.length > 0) this.#run(w, frames);
  }

  /**
   * The instruction loop. Nesting lives in `frames`, not in the JS stack, so depth is bounded by
   * memory only. With frames given (a folded instruction being parsed), it returns once they are all
   * closed; with none, at a `)` or the end of input outside any block.
   */
  #run(w: Writer, frames: FrameState[]): void {
    const c = this.c;
    const stopWhenClosed = frames.length > 0;
    for (;;) {
      const k = c.kind();
      const top = frames.length > 0 ? frames[frames.length - 1] : null;
      if (k === Tok.LParen) {
        if (top === null || !this.#foldedClause(w, top, frames)) this.#openFolded(w, frames);
      } else if (k === Tok.RParen) {
        if (top === null) return;
        this.#closeParen(w, top, frames);
        if (stopWhenClosed && frames.length === 0) return;
      } else if (k === Tok.Keyword) {
        const info = this.#lookup(c.p);
        if (top !== null && top.kind <= Frame.FlatTry && isTerminator(info.imm)) {
          this.#flatClause(w, top, info, frames);
        } else if (isTerminator(info.imm)) throw c.unexpected(top === null ? 'an instruction or ")"' : '")"');
        else if (top !== null && !takesFlatInstructions(top)) throw c.unexpected('"(" or ")"');
        else {
          c.p++;
          this.#flatInstr(w, info, frames);
        }
      } else if (k === Tok.Eof && top === null) return;
      else throw c.unexpected(top === null ? "an instruction" : 'an instruction or ")"');
    }
  }

  /** A flat instruction (its keyword consumed): block-like ones open a frame. */
  #flatInstr(w: Writer, info: Instr, frames: FrameState[]): void {
    switch (info.imm) {
      case Imm.Block:
      case Imm.Loop:
      case Imm.If:
      case Imm.Try: {
        const label = this.#label();
        const bt = this.#blockType();
        w.byte(info.code);
        for (const b of bt) w.byte(b);
        this.labels.push(label);
        const kind = info.imm === Imm.If
          ? Frame.FlatIf
          : info.imm === Imm.Try
          ? Frame.FlatTry
          : Frame.FlatBlock;
        frames.push(frame(kind, label, null));
        return;
      }
      case Imm.TryTable: {
        const label = this.#tryTableHead(w);
        frames.push(frame(Frame.FlatBlock, label, null));
        return;
      }
      default:
        this.plain(w, info);
    }
  }

  /** `end`, `else`, `catch`, `catch_all` or `delegate` of the innermost flat block. */
  #flatClause(w: Writer, top: FrameState, info: Instr, frames: FrameState[]): void {
    const c = this.c;
    const at = c.p;
    c.p++;
    switch (info.imm) {
      case Imm.End:
        this.#closingId(top.label);
        this.labels.pop();
        w.byte(0x0b);
        frames.pop();
        return;
      case Imm.Else:
        if (top.kind !== Frame.FlatIf || top.state !== 0) break;
        this.#closingId(top.label);
        w.byte(0x05);
        top.state = 1;
        return;
      case Imm.Catch:
        if (top.kind !== Frame.FlatTry || top.state > 1) break;
        w.byte(0x07);
        w.u32(this.m.tags.resolve(c));
        top.state = 1;
        return;
      case Imm.CatchAll:
        if (top.kind !== Frame.FlatTry || top.state > 1) break;
        w.byte(0x19);
        top.state = 2; // catch_all is the last handler
        return;
      case Imm.Delegate:
        if (top.kind !== Frame.FlatTry || top.state !== 0) break;
        this.labels.pop();
        w.byte(0x18);
        w.u32(this.#resolveLabel());
        frames.pop();
        return;
    }
    throw c.error(`unexpected ${JSON.stringify(c.text(at))}`, at);
  }

  /** Opens the folded instruction at `(`: pushes its frame (a plain one may complete at once). */
  #openFolded(w: Writer, frames: FrameState[]): void {
    const c = this.c;
    if (c.kind(c.p + 1) !== Tok.Keyword) throw c.unexpected("an instruction", c.p + 1);
    const info = this.#lookup(c.p + 1);
    c.enter();
    switch (info.imm) {
      case Imm.Block:
      case Imm.Loop:
      case Imm.Try: {
        const label = this.#label();
        const bt = this.#blockType();
        w.byte(info.code);
        for (const b of bt) w.byte(b);
        this.labels.push(label);
        if (info.imm === Imm.Try) {
          if (!c.isOpen("do")) throw c.unexpected('"(do"');
          c.enter();
          frames.push(frame(Frame.FoldedTry, label, null));
        } else frames.push(frame(Frame.FoldedBlock, label, null));
        return;
      }
      case Imm.If: {
        // The condition comes first; the if's own block is numbered after the condition's blocks.
        const label = c.optionalId();
        const f = frame(Frame.FoldedIf, label, null);
        f.blockType = this.#blockType();
        f.state = IF_CONDITION;
        frames.push(f);
        return;
      }
      case Imm.TryTable: {
        const label = this.#tryTableHead(w);
        frames.push(frame(Frame.FoldedBlock, label, null));
        return;
      }
      case Imm.End:
      case Imm.Else:
      case Imm.Catch:
      case Imm.CatchAll:
      case Imm.Delegate:
        throw c.error(`unexpected ${JSON.stringify(c.text(c.p - 1))} in a folded instruction`, c.p - 1);
      default: {
        // The instruction's bytes wait in a scratch writer (one per depth) until its operands are written.
        const own = this.#scratch[frames.length] ??= new Writer(16);
        own.length = 0;
        this.plain(own, info);
        if (c.kind() === Tok.RParen) {
          c.p++;
          w.append(own);
          return;
        }
        frames.push(frame(Frame.FoldedPlain, null, own));
      }
    }
  }

  /**
   * A parenthesized clause of the innermost folded if or try (`(then`, `(else`, `(catch`, …); false
   * when the `(` opens an instruction instead.
   */
  #foldedClause(w: Writer, top: FrameState, frames: FrameState[]): boolean {
    const c = this.c;
    if (top.kind === Frame.FoldedIf) {
      if (top.state === IF_CONDITION && c.isOpen("then")) {
        c.enter();
        const ordinal = this.#blocks++;
        if (top.label !== null) this.labelNames.push([ordinal, top.label]);
        w.byte(0x04);
        for (const b of top.blockType!) w.byte(b);
        this.labels.push(top.label);
        top.state = IF_THEN;
        return true;
      }
      if (top.state === IF_AFTER_THEN && c.isOpen("else")) {
        c.enter();
        w.byte(0x05);
        top.state = IF_ELSE;
        return true;
      }
      if (top.state === IF_AFTER_THEN || top.state === IF_AFTER_ELSE) throw c.unexpected('"(else" or ")"');
      return false;
    }
    if (top.kind === Frame.FoldedTry && (top.state === TRY_HANDLERS || top.state === TRY_AFTER_CATCH_ALL)) {
      if (top.state === TRY_AFTER_CATCH_ALL) throw c.unexpected('")"');
      const kw = c.openKeyword();
      if (kw === "catch") {
        c.enter();
        w.byte(0x07);
        w.u32(this.m.tags.resolve(c));
        top.state = TRY_CATCH;
      } else if (kw === "catch_all") {
        c.enter();
        w.byte(0x19);
        top.state = TRY_CATCH_ALL;
      } else if (kw === "delegate" && top.handlers === 0) {
        c.enter();
        this.labels.pop();
        w.byte(0x18);
        w.u32(this.#resolveLabel());
        c.expectRParen();
        c.expectRParen();
        frames.pop();
      } else throw c.unexpected('"(catch", "(catch_all", "(delegate" or ")"');
      return true;
    }
    return false;
  }

  /** A `)` closing the innermost frame, or one of its clauses. */
  #closeParen(w: Writer, top: FrameState, frames: FrameState[]): void {
    const c = this.c;
    switch (top.kind) {
      case Frame.FoldedPlain:
        c.p++;
        w.append(top.own!);
        frames.pop();
        return;
      case Frame.FoldedBlock:
        c.p++;
        this.labels.pop();
        w.byte(0x0b);
        frames.pop();
        return;
      case Frame.FoldedIf:
        if (top.state === IF_CONDITION) throw c.unexpected('"(then"');
        c.p++;
        if (top.state === IF_THEN) top.state = IF_AFTER_THEN;
        else if (top.state === IF_ELSE) top.state = IF_AFTER_ELSE;
        else {
          this.labels.pop();
          w.byte(0x0b);
          frames.pop();
        }
        return;
      case Frame.FoldedTry:
        c.p++;
        if (top.state === TRY_DO) top.state = TRY_HANDLERS;
        else if (top.state === TRY_CATCH) top.state = TRY_HANDLERS, top.handlers++;
        else if (top.state === TRY_CATCH_ALL) top.state = TRY_AFTER_CATCH_ALL, top.handlers++;
        else {
          this.labels.pop();
          w.byte(0x0b);
          frames.pop();
        }
        return;
      default:
        throw c.unexpected('"end"');
    }
  }

  #lookup(at: number): Instr {
    const name = this.c.text(at);
    const info = INSTRUCTIONS.get(name);
    if (info === undefined) throw this.c.error(`unknown operator ${JSON.stringify(name)}`, at);
    return info;
  }

  /** A label id (optional) for a new block; counts the block for the label names. */
  #label(): string | null {
    const ordinal = this.#blocks++;
    const name = this.c.optionalId();
    if (name !== null) this.labelNames.push([ordinal, name]);
    return name;
  }

  /** `end $id?` (or `else $id?`): the id, if any, must repeat the block's label. */
  #closingId(label: string | null): void {
    const c = this.c;
    if (c.kind() !== Tok.Id) return;
    const at = c.p;
    const name = idKey(c, c.p++);
    if (name !== label) throw c.error(`mismatching label ${c.text(at)}`, at);
  }

  #expectEnd(label: string | null): void {
    const c = this.c;
    if (!c.isKw("end")) throw c.unexpected('"end"');
    c.p++;
    this.#closingId(label);
  }

  /** A block type, as the bytes to write: 0x40, a value type, or a type index. */
  #blockType(): number[] {
    if (this.c.kind() !== Tok.LParen) return EMPTY_BLOCK;
    const use = parseTypeUse(this.c, this.m, false);
    if (use.index === null) {
      const sig = use.sig;
      if (sig === null || (sig.params.length === 0 && sig.results.length === 0)) return EMPTY_BLOCK;
      if (sig.params.length === 0 && sig.results.length === 1) return sig.results[0];
    }
    const index = this.m.typeUse(this.c, use.index, use.sig, use.at);
    const w = new Writer(5);
    w.s32(index);
    return Array.from(w.result());
  }

  /** `try_table $l? bt catch*`: writes the head, pushes the label and returns it. */
  #tryTableHead(w: Writer): string | null {
    const c = this.c;
    const label = this.#label();
    const bt = this.#blockType();
    const clauses = new Writer(16);
    let count = 0;
    for (;; count++) {
      const kw = c.openKeyword();
      if (kw === "catch" || kw === "catch_ref") {
        c.enter();
        clauses.byte(kw === "catch" ? 0 : 1);
        clauses.u32(this.m.tags.resolve(c));
      } else if (kw === "catch_all" || kw === "catch_all_ref") {
        c.enter();
        clauses.byte(kw === "catch_all" ? 2 : 3);
      } else break;
      clauses.u32(this.#resolveLabel());
      c.expectRParen();
    }
    w.byte(0x1f);
    for (const b of bt) w.byte(b);
    w.u32(count);
    w.append(clauses);
    this.labels.push(label);
    return label;
  }

  #resolveLabel(): number {
    const c = this.c;
    if (c.kind() === Tok.Id) {
      const name = idKey(c, c.p);
      for (let i = this.labels.length - 1; i >= 0; i--) {
        if (this.labels[i] === name) {
          c.p++;
          return this.labels.length - 1 - i;
        }
      }
      throw c.error(`unknown label ${c.text()}`);
    }
    if (c.kind() === Tok.Number) return c.expectU32();
    throw c.unexpected("a label");
  }

  /** An instruction without structure: its opcode and immediates. */
  plain(w: Writer, info: Instr): void {
    const c = this.c;
    const m = this.m;
    if (info.prefix < 0) w.byte(info.code);
    else if (info.imm !== Imm.RefTest) w.byte(info.prefix), w.u32(info.code);
    switch (info.imm) {
      case Imm.None:
        return;
      case Imm.Label:
        return w.u32(this.#resolveLabel());
      case Imm.BrTable: {
        const targets: number[] = [];
        while (c.atIndex()) targets.push(this.#resolveLabel());
        if (targets.length === 0) throw c.unexpected("a label");
        w.u32(targets.length - 1);
        for (const t of targets) w.u32(t);
        return;
      }
      case Imm.Func:
        return w.u32(m.funcs.resolve(c));
      case Imm.CallIndirect: {
        const table = c.atIndex() ? m.tables.resolve(c) : 0;
        const use = parseTypeUse(c, m, false);
        w.u32(m.typeUse(c, use.index, use.sig, use.at));
        return w.u32(table);
      }
      case Imm.Type:
        return w.u32(m.types.resolve(c));
      case Imm.StructField: {
        const type = m.types.resolve(c);
        w.u32(type);
        if (c.kind() === Tok.Id) {
          const field = m.typeDefs[type]?.fields.get(idKey(c, c.p));
          if (field === undefined) throw c.error(`unknown field ${c.text()}`);
          c.p++;
          return w.u32(field);
        }
        return w.u32(c.expectU32());
      }
      case Imm.ArrayFixed:
        w.u32(m.types.resolve(c));
        return w.u32(c.expectU32());
      case Imm.ArrayData:
        m.usesDataCount = true;
        w.u32(m.types.resolve(c));
        return w.u32(m.datas.resolve(c));
      case Imm.ArrayElem:
        w.u32(m.types.resolve(c));
        return w.u32(m.elems.resolve(c));
      case Imm.ArrayCopy:
        w.u32(m.types.resolve(c));
        return w.u32(m.types.resolve(c));
      case Imm.BrOnCast: {
        const label = this.#resolveLabel();
        const from = parseRefType(c, m);
        const to = parseRefType(c, m);
        w.byte((isNullable(from) ? 1 : 0) | (isNullable(to) ? 2 : 0));
        w.u32(label);
        for (const b of heapTypeOf(from)) w.byte(b);
        for (const b of heapTypeOf(to)) w.byte(b);
        return;
      }
      case Imm.RefTest: {
        const t = parseRefType(c, m);
        w.byte(info.prefix);
        w.u32(info.code + (isNullable(t) ? 1 : 0));
        for (const b of heapTypeOf(t)) w.byte(b);
        return;
      }
      case Imm.RefNull:
        for (const b of parseHeapType(c, m)) w.byte(b);
        return;
      case Imm.Select: {
        if (!c.isOpen("result")) return;
        const types: number[][] = [];
        while (c.isOpen("result")) {
          c.enter();
          while (c.kind() !== Tok.RParen) types.push(parseValType(c, m));
          c.p++;
        }
        w.bytes[w.length - 1] = 0x1c;
        w.u32(types.length);
        for (const t of types) for (const b of t) w.byte(b);
        return;
      }
      case Imm.Local:
        return w.u32(this.locals.resolve(c));
      case Imm.Global:
        return w.u32(m.globals.resolve(c));
      case Imm.Table:
        return w.u32(c.atIndex() ? m.tables.resolve(c) : 0);
      case Imm.TableCopy: {
        const dst = c.atIndex() ? m.tables.resolve(c) : 0;
        const src = c.atIndex() ? m.tables.resolve(c) : 0;
        w.u32(dst);
        return w.u32(src);
      }
      case Imm.TableInit: {
        // `table.init x? y`: with two indices the first is the table.
        const table = c.atIndex(c.p + 1) ? m.tables.resolve(c) : 0;
        w.u32(m.elems.resolve(c));
        return w.u32(table);
      }
      case Imm.Elem:
        return w.u32(m.elems.resolve(c));
      case Imm.Memory:
        return w.u32(c.atIndex() ? m.memories.resolve(c) : 0);
      case Imm.MemoryCopy: {
        const dst = c.atIndex() ? m.memories.resolve(c) : 0;
        const src = c.atIndex() ? m.memories.resolve(c) : 0;
        w.u32(dst);
        return w.u32(src);
      }
      case Imm.MemoryInit: {
        m.usesDataCount = true;
        const memory = c.atIndex(c.p + 1) ? m.memories.resolve(c) : 0;
        w.u32(m.datas.resolve(c));
        return w.u32(memory);
      }
      case Imm.Data:
        m.usesDataCount = true;
        return w.u32(m.datas.resolve(c));
      case Imm.MemArg: {
        const mem = c.atIndex() ? m.memories.resolve(c) : 0;
        return this.#memarg(w, info, mem);
      }
      case Imm.MemArgLane: {
        // `memidx? memarg lane`: a leading number is a memory index only if more follows.
        const k = c.kind();
        const next = c.kind(c.p + 1);
        const hasMem = k === Tok.Id ||
          (k === Tok.Number && (next === Tok.Number || this.#atMemargKw(c.p + 1)));
        this.#memarg(w, info, hasMem ? m.memories.resolve(c) : 0);
        return w.byte(this.#lane(255));
      }
      case Imm.I32: {
        const v = c.kind() === Tok.Number ? parseIntN(c.text(), 32) : null;
        if (v === null) throw this.#badConstant("i32");
        c.p++;
        return w.s32(v);
      }
      case Imm.I64: {
        const text = c.kind() === Tok.Number ? c.text() : "";
        const small = parseSmallInt(text);
        c.p++;
        if (small !== null) return w.s53(small);
        const v = text === "" ? null : parseI64(text);
        if (v === null) throw this.#badConstant("i64", c.p - 1);
        return w.s64(v);
      }
      case Imm.F32:
        return w.u32le(this.#f32());
      case Imm.F64:
        return this.#f64(w);
      case Imm.V128:
        return this.#v128(w);
      case Imm.Shuffle:
        for (let i = 0; i < 16; i++) w.byte(this.#lane(255));
        return;
      case Imm.Lane:
        return w.byte(this.#lane(255));
      case Imm.Tag:
        return w.u32(m.tags.resolve(c));
      default:
        throw c.error("unexpected instruction");
    }
  }

  #atMemargKw(at: number): boolean {
    const c = this.c;
    if (c.kind(at) !== Tok.Keyword) return false;
    const t = c.toks;
    return t.text.startsWith("offset=", t.start[at]) || t.text.startsWith("align=", t.start[at]);
  }

  #memarg(w: Writer, info: Instr, mem: number): void {
    const c = this.c;
    let offset: number | bigint = 0;
    let alignLog = info.align;
    if (c.kind() === Tok.Keyword && c.toks.text.startsWith("offset=", c.toks.start[c.p])) {
      const digits = c.text().slice(7);
      const v = parseU32(digits) >= 0 ? parseU32(digits) : c.toks.limits32 ? null : parseU64(digits);
      if (v === null) throw c.error(`malformed memory offset ${JSON.stringify(c.text())}`);
      offset = v;
      c.p++;
    }
    if (c.kind() === Tok.Keyword && c.toks.text.startsWith("align=", c.toks.start[c.p])) {
      const v = parseU64(c.text().slice(6));
      if (v === null || v === 0n || (v & (v - 1n)) !== 0n) {
        throw c.error(`malformed memory alignment ${JSON.stringify(c.text())}`);
      }
      alignLog = v.toString(2).length - 1;
      c.p++;
    }
    if (mem !== 0) {
      w.u32(alignLog | 0x40);
      w.u32(mem);
    } else w.u32(alignLog);
    if (typeof offset === "number") w.u32(offset);
    else w.u64(offset);
  }

  #lane(max: number): number {
    const c = this.c;
    if (c.kind() !== Tok.Number) throw c.unexpected("a lane index");
    const v = parseU32(c.text());
    if (v < 0 || v > max) throw c.error(`malformed lane index ${JSON.stringify(c.text())}`);
    c.p++;
    return v;
  }

  #badConstant(type: string, at = this.c.p) {
    const c = this.c;
    const k = c.kind(at);
    if (k === Tok.Number || k === Tok.Keyword) {
      return c.error(
        `constant out of range or malformed: ${JSON.stringify(c.text(at))} is not a valid ${type}`,
        at,
      );
    }
    return c.unexpected(`an ${type} literal`, at);
  }

  #f32(): number {
    const c = this.c;
    const k = c.kind();
    const v = k === Tok.Number || k === Tok.Keyword ? parseF32(c.text()) : null;
    if (v === null) throw this.#badConstant("f32");
    c.p++;
    return v;
  }

  #f64(w: Writer): void {
    const c = this.c;
    const k = c.kind();
    if ((k !== Tok.Number && k !== Tok.Keyword) || !parseF64Into(c.text(), f64Bytes)) {
      throw this.#badConstant("f64");
    }
    c.p++;
    w.raw(f64Bytes);
  }

  #v128(w: Writer): void {
    const c = this.c;
    const shape = c.kind() === Tok.Keyword ? c.text() : "";
    const lanes = V128_SHAPES[shape];
    if (lanes === undefined) throw c.unexpected("a v128 shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)");
    c.p++;
    for (let i = 0; i < lanes; i++) {
      if (shape === "f32x4") w.u32le(this.#f32());
      else if (shape === "f64x2") this.#f64(w);
      else if (shape === "i64x2") {
        const v = c.kind() === Tok.Number ? parseI64(c.text()) : null;
        if (v === null) throw this.#badConstant("i64");
        c.p++;
        w.u64le(BigInt.asUintN(64, v));
      } else {
        const bits = shape === "i8x16" ? 8 : shape === "i16x8" ? 16 : 32;
        const v = c.kind() === Tok.Number ? parseIntN(c.text(), bits) : null;
        if (v === null) throw this.#badConstant(`i${bits}`);
        c.p++;
        for (let b = 0; b < bits; b += 8) w.byte((v >>> b) & 0xff);
      }
    }
  }
}

const EMPTY_BLOCK = [0x40];
const f64Bytes = new Uint8Array(8);

const V128_SHAPES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
