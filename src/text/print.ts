/**
 * The WebAssembly text printer: a binary module (Wasm 3.0) as readable text that parses back to the
 * same module, the reverse of a text parser (like `wasm2wat` or `wasm-tools print`).
 *
 * The binary is walked by print_binary.ts, instructions are printed by print_code.ts (flat or folded),
 * names come from the name section (print_names.ts), types from print_context.ts.
 */
import { CompileError } from "../wasm/errors.ts";
import { type BinaryModule, type Code, type CustomSection, readBinary } from "./print_binary.ts";
import { printCode } from "./print_code.ts";
import { TextOut } from "./print_layout.ts";
import { PrintContext } from "./print_context.ts";
import { NameKind, nameLiteral, readNames, stringLiteral } from "./print_names.ts";
import type { CompositeType, SubType } from "./print_types.ts";

/** How `printWat` lays out code. */
export interface PrintOptions {
  /** Fold instructions into S-expressions, `(i32.add (local.get 0) (i32.const 1))` (default: flat). */
  folded?: boolean;
}

/** Section names as `(@custom … (after …))` spells them, by section id. */
const SECTION_NAMES: Record<number, string> = {
  1: "type",
  2: "import",
  3: "func",
  4: "table",
  5: "memory",
  6: "global",
  7: "export",
  8: "start",
  9: "elem",
  10: "code",
  11: "data",
  12: "datacount",
  13: "tag",
};

/** Bytes of a data segment a line (at most 3 characters each, escaped). */
const DATA_LINE_BYTES = 32;
/** Width past which a list of indices goes on to the next line. */
const LIST_WIDTH = 90;

/** `words` joined with spaces, as lines of at most about `LIST_WIDTH` characters. */
function filled(words: string[]): string[][] {
  const lines: string[][] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && line.length + word.length >= LIST_WIDTH) {
      lines.push([line]);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push([line]);
  return lines;
}

/**
 * Prints a binary module as WebAssembly text. Names from the name section become `$identifiers`; other
 * custom sections are printed as `(@custom …)` annotations. Floats are printed exactly (shortest
 * round-trip decimal, `inf`, `nan:0x…`).
 *
 * @param bytes the binary module
 * @param options `folded: true` prints folded expressions where the operand stack allows it
 * @returns the text of the module, ending in a newline
 * @throws {CompileError} when the binary is malformed, with the byte offset of the problem
 */
export function printWat(bytes: Uint8Array, options: PrintOptions = {}): string {
  try {
    return new ModulePrinter(readBinary(bytes), options.folded ?? false).print();
  } catch (e) {
    if (e instanceof CompileError) throw e;
    // Anything else is a bug of the printer met on some input; callers are promised CompileError only.
    throw new CompileError(`cannot print module: ${e instanceof Error ? e.message : String(e)}`);
  }
}

class ModulePrinter {
  private readonly ctx: PrintContext;
  private readonly nameSection?: CustomSection;
  private readonly out = new TextOut();

  constructor(private readonly m: BinaryModule, private readonly folded: boolean) {
    const section = m.customs.find((c) => c.name === "name");
    const names = section && readNames(section.bytes);
    if (names) this.nameSection = section;
    this.ctx = new PrintContext(m, names);
  }

  print(): string {
    const moduleId = this.ctx.names?.module;
    this.types();
    this.imports();
    this.funcs();
    this.tables();
    this.memories();
    this.tags();
    this.globals();
    this.exports();
    if (this.m.start !== undefined) this.line(`(start ${this.ctx.ref(NameKind.Func, this.m.start)})`);
    this.elems();
    this.datas();
    this.customs();
    const head = `(module${moduleId ? ` ${moduleId}` : ""}`;
    if (this.out.length === 0) return `${head})\n`;
    return `${head}\n${this.out})\n`;
  }

  private line(text: string, depth = 1): void {
    this.out.line(depth, text);
  }

  /** `head`, then `lines` indented below it, closed with `)`. */
  private nested(head: string, lines: string[], depth = 1): void {
    if (lines.length === 0) return this.line(`${head})`, depth);
    this.line(head, depth);
    for (const l of lines) this.line(l, depth + 1);
    this.out.append(")");
  }

  /** `(head expr)` for a global or table: the constant expression on the head's line when it is one line. */
  private withExpr(head: string, code: Code): void {
    const lines = this.exprText(code);
    if (lines.length <= 1) return this.line(`${head}${lines.length ? ` ${lines[0]}` : ""})`);
    this.nested(head, lines);
  }

  /** A constant expression's lines, folded, not indented. */
  private exprText(code: Code): string[] {
    const text = new TextOut();
    printCode(this.ctx, code, { results: 1 }, true, text, 0);
    return text.lines;
  }

  private types(): void {
    let index = 0;
    for (const group of this.m.recGroups) {
      if (!group.rec) {
        this.line(this.typeDef(index++, group.types[0]));
        continue;
      }
      if (group.types.length === 0) {
        this.line("(rec)");
        continue;
      }
      this.line("(rec");
      for (const t of group.types) this.line(this.typeDef(index++, t), 2);
      this.out.append(")");
    }
  }

  private typeDef(index: number, t: SubType): string {
    const ctx = this.ctx;
    let body = this.composite(index, t.composite);
    if (t.sub) {
      const supers = t.sub.supers.map((s) => ` ${ctx.ref(NameKind.Type, s)}`).join("");
      body = `(sub${t.sub.final ? " final" : ""}${supers} ${body})`;
    }
    return `(type${ctx.binder(NameKind.Type, index)} ${body})`;
  }

  private composite(index: number, c: CompositeType): string {
    const ctx = this.ctx;
    switch (c.kind) {
      case "func":
        return `(func${ctx.valTypes("param", c.params)}${ctx.valTypes("result", c.results)})`;
      case "array":
        return `(array ${ctx.fieldType(c.element)})`;
      case "struct": {
        const ids = ctx.nested(NameKind.Field, index);
        const fields = c.fields.map((f, i) => {
          const id = ids?.get(i);
          return ` (field${id === undefined ? "" : ` ${id}`} ${ctx.fieldType(f)})`;
        });
        return `(struct${fields.join("")})`;
      }
    }
  }

  private imports(): void {
    const ctx = this.ctx;
    const counters = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
    for (const imp of this.m.imports) {
      const desc = imp.desc;
      const index = counters[desc.kind]++;
      let text: string;
      switch (desc.kind) {
        case "func":
          text = `(func${ctx.binder(NameKind.Func, index)} ${
            ctx.typeUse(desc.type, ctx.nested(NameKind.Local, index))
          })`;
          break;
        case "tag":
          text = `(tag${ctx.binder(NameKind.Tag, index)} ${ctx.typeUse(desc.type)})`;
          break;
        case "table":
          text = `(table${ctx.binder(NameKind.Table, index)} ${ctx.limits(desc.type.limits)} ${
            ctx.refType(desc.type.element)
          })`;
          break;
        case "memory":
          text = `(memory${ctx.binder(NameKind.Memory, index)} ${ctx.limits(desc.type)})`;
          break;
        case "global":
          text = `(global${ctx.binder(NameKind.Global, index)} ${ctx.globalType(desc.type)})`;
          break;
      }
      this.line(`(import ${nameLiteral(imp.module)} ${nameLiteral(imp.name)} ${text})`);
    }
  }

  private importCount(kind: string): number {
    return this.m.imports.filter((i) => i.desc.kind === kind).length;
  }

  private funcs(): void {
    const ctx = this.ctx;
    const first = this.importCount("func");
    this.m.bodies.forEach((body, k) => {
      const index = first + k;
      const typeIndex = this.m.funcs[k];
      const localIds = ctx.nested(NameKind.Local, index);
      const head = `(func${ctx.binder(NameKind.Func, index)} ${ctx.typeUse(typeIndex, localIds)}`;
      const lines: string[] = [];
      let local = ctx.funcType(typeIndex)?.params.length ?? 0;
      for (const run of body.locals) {
        const type = ctx.valType(run.type);
        let unnamed: string[] = [];
        for (let i = 0; i < run.count; i++, local++) {
          const id = localIds?.get(local);
          if (id === undefined) {
            unnamed.push(type);
            continue;
          }
          if (unnamed.length) lines.push(`(local ${unnamed.join(" ")})`);
          unnamed = [];
          lines.push(`(local ${id} ${type})`);
        }
        if (unnamed.length) lines.push(`(local ${unnamed.join(" ")})`);
      }
      const results = ctx.funcType(typeIndex)?.results.length ?? -1;
      const scope = { localIds, labelIds: ctx.nested(NameKind.Label, index), results };
      this.line(head);
      for (const l of lines) this.line(l, 2);
      printCode(ctx, body.code, scope, this.folded, this.out, 2);
      this.out.append(")");
    });
  }

  private tables(): void {
    const ctx = this.ctx;
    const first = this.importCount("table");
    this.m.tables.forEach((t, k) => {
      const head = `(table${ctx.binder(NameKind.Table, first + k)} ${ctx.limits(t.type.limits)} ${
        ctx.refType(t.type.element)
      }`;
      if (t.init) this.withExpr(head, t.init);
      else this.line(`${head})`);
    });
  }

  private memories(): void {
    const first = this.importCount("memory");
    this.m.memories.forEach((l, k) => {
      this.line(`(memory${this.ctx.binder(NameKind.Memory, first + k)} ${this.ctx.limits(l)})`);
    });
  }

  private tags(): void {
    const first = this.importCount("tag");
    this.m.tags.forEach((type, k) => {
      this.line(`(tag${this.ctx.binder(NameKind.Tag, first + k)} ${this.ctx.typeUse(type)})`);
    });
  }

  private globals(): void {
    const first = this.importCount("global");
    this.m.globals.forEach((g, k) => {
      const head = `(global${this.ctx.binder(NameKind.Global, first + k)} ${this.ctx.globalType(g.type)}`;
      this.withExpr(head, g.init);
    });
  }

  private exports(): void {
    const kinds = {
      func: NameKind.Func,
      table: NameKind.Table,
      memory: NameKind.Memory,
      global: NameKind.Global,
    };
    for (const e of this.m.exports) {
      const kind = e.kind === "tag" ? NameKind.Tag : kinds[e.kind];
      this.line(`(export ${nameLiteral(e.name)} (${e.kind} ${this.ctx.ref(kind, e.index)}))`);
    }
  }

  private elems(): void {
    const ctx = this.ctx;
    this.m.elems.forEach((e, index) => {
      let head = `(elem${ctx.binder(NameKind.Elem, index)}`;
      if (e.mode === "declarative") head += " declare";
      if (e.table !== undefined) head += ` (table ${ctx.ref(NameKind.Table, e.table)})`;
      const parts: string[][] = [];
      if (e.offset) parts.push(this.wrap("(offset", this.exprText(e.offset)));
      if (e.funcs) parts.push(...filled(["func", ...e.funcs.map((f) => ctx.ref(NameKind.Func, f))]));
      else {
        parts.push([e.type ? ctx.refType(e.type) : "funcref"]);
        for (const item of e.exprs!) parts.push(this.wrap("(item", this.exprText(item)));
      }
      this.declaration(head, parts);
    });
  }

  private datas(): void {
    const ctx = this.ctx;
    this.m.datas.forEach((d, index) => {
      let head = `(data${ctx.binder(NameKind.Data, index)}`;
      if (d.memory !== undefined) head += ` (memory ${ctx.ref(NameKind.Memory, d.memory)})`;
      const parts: string[][] = [];
      if (d.offset) parts.push(this.wrap("(offset", this.exprText(d.offset)));
      // Long data is cut into several strings (the text concatenates them), a line each.
      for (let at = 0; at < d.bytes.length; at += DATA_LINE_BYTES) {
        parts.push([stringLiteral(d.bytes.subarray(at, at + DATA_LINE_BYTES))]);
      }
      this.declaration(head, parts);
    });
  }

  /** `(head expr)` on one line when the expression is, else nested. */
  private wrap(head: string, lines: string[]): string[] {
    if (lines.length <= 1) return [`${head}${lines.length ? ` ${lines[0]}` : ""})`];
    const out = [head, ...lines.map((l) => `  ${l}`)];
    out[out.length - 1] += ")";
    return out;
  }

  /** A segment: its parts on the head's line while they are one line each. */
  private declaration(head: string, parts: string[][]): void {
    const oneLine = parts.every((p) => p.length === 1) && parts.reduce((n, p) => n + p[0].length, 0) < 100;
    if (oneLine) return this.line([head, ...parts.map((p) => p[0])].join(" ") + ")");
    this.nested(head, parts.flat());
  }

  private customs(): void {
    for (const c of this.m.customs) {
      if (c === this.nameSection) continue;
      // The annotation names no data count section: right after it is right before the code section.
      const place = c.after === undefined
        ? "(before first)"
        : c.after === 12
        ? "(before code)"
        : `(after ${SECTION_NAMES[c.after]})`;
      this.line(`(@custom ${nameLiteral(c.name)} ${place} ${stringLiteral(c.bytes)})`);
    }
  }
}
