/**
 * Prints an expression (a function body or a constant expression) as text lines: flat, one instruction
 * a line with blocks indented, or folded, where an instruction takes the instructions that computed its
 * operands as nested S-expressions whenever those operands are the values on top of the stack.
 */
import { CompileError } from "../wasm/errors.ts";
import { Reader } from "../wasm/reader.ts";
import type { Code } from "./print_binary.ts";
import type { PrintContext } from "./print_context.ts";
import { type BlockType, type Decoded, nesting, readInstruction } from "./print_decode.ts";
import { f32Text, f64Text } from "./print_floats.ts";
import { naturalAlignment } from "./print_instructions.ts";
import { FlatSink, FoldedSink, type Sink, type TextOut } from "./print_layout.ts";
import { type IdMap, NameKind } from "./print_names.ts";

/** What an expression's instructions refer to besides the module: its function's locals and labels. */
export interface CodeScope {
  readonly localIds?: IdMap;
  readonly labelIds?: IdMap;
  /** How many results `return` takes. */
  readonly results: number;
}

/** A label on the control stack: its identifier and how many values a branch to it takes. */
interface Label {
  readonly id?: string;
  readonly arity: number;
  /** The instruction that opened it, then the arm it is in: "else" after an if's else, "catch"… */
  part: string;
}

/** The arms that may follow, by the part a block is in (anything else takes none). */
const NEXT_ARMS: Record<string, string[]> = {
  if: ["else"],
  try: ["catch", "catch_all", "delegate"],
  catch: ["catch", "catch_all"],
};

/**
 * Prints the expression at `code` (its closing `end` left out) into `out`, `depth` levels deep; throws
 * `CompileError` where the code is malformed.
 */
export function printCode(
  ctx: PrintContext,
  code: Code,
  scope: CodeScope,
  folded: boolean,
  out: TextOut,
  depth: number,
): void {
  const r = new Reader(ctx.module.bytes, code.start, code.end);
  r.section = true;
  const printer = new InstructionText(ctx, scope);
  const sink = folded ? new FoldedSink() : new FlatSink(out, depth);
  for (;;) {
    const d = readInstruction(r);
    if (printer.step(d, sink)) break;
  }
  if (r.pos !== code.end) throw new CompileError("section size mismatch", r.pos);
  sink.finish(out, depth);
}

/** Decodes immediates into text and keeps the control stack, for both layouts. */
class InstructionText {
  private readonly labels: Label[];
  private labelCount = 0;

  constructor(private readonly ctx: PrintContext, private readonly scope: CodeScope) {
    this.labels = [{ arity: scope.results, part: "func" }];
  }

  /** Hands `d` to the sink; true once the expression's final `end` has been read. */
  step(d: Decoded, sink: Sink): boolean {
    const name = d.op.name;
    if (nesting(d.op) === 1) {
      this.openBlock(d, sink);
      return false;
    }
    const top = this.labels[this.labels.length - 1];
    if (name === "else" || name === "catch" || name === "catch_all" || name === "delegate") {
      if (!NEXT_ARMS[top.part]?.includes(name)) throw new CompileError(`misplaced ${name}`, d.at);
      top.part = name;
    }
    if (name === "end" || name === "delegate") {
      if (this.labels.length === 1) return true;
      this.labels.pop();
      sink.close(name === "delegate" ? `delegate ${this.label(d.index!)}` : undefined);
      return false;
    }
    if (name === "else" || name === "catch" || name === "catch_all") {
      sink.arm(name + this.immediates(d));
      return false;
    }
    if ((name === "memory.init" || name === "data.drop") && this.ctx.module.dataCount === undefined) {
      // The binary format wants the count before the code that names data segments (so one pass can check).
      throw new CompileError("data count section required", d.at);
    }
    sink.plain(name + this.immediates(d), sink.wantsEffects ? this.effect(d) : undefined);
    return false;
  }

  private openBlock(d: Decoded, sink: Sink): void {
    const type = this.blockArity(d.block!);
    const id = this.scope.labelIds?.get(this.labelCount++);
    const name = d.op.name;
    let text = name + (id === undefined ? "" : ` ${id}`) + this.blockType(d.block!);
    for (const c of d.catches ?? []) {
      const tag = c.tag === undefined ? "" : ` ${this.ctx.ref(NameKind.Tag, c.tag)}`;
      text += ` (${c.kind}${tag} ${this.label(c.label)})`;
    }
    // Labels inside the catch clauses are resolved outside the try_table, so the label is pushed after.
    this.labels.push({ id, arity: (name === "loop" ? type?.params : type?.results) ?? -1, part: name });
    sink.open(name, text, type?.params, type?.results);
  }

  private blockArity(b: BlockType): { params: number; results: number } | undefined {
    if (b.kind === "empty") return { params: 0, results: 0 };
    if (b.kind === "value") return { params: 0, results: 1 };
    return this.ctx.arityOfType(b.index);
  }

  private blockType(b: BlockType): string {
    if (b.kind === "empty") return "";
    if (b.kind === "value") return ` (result ${this.ctx.valType(b.type)})`;
    return ` (type ${this.ctx.ref(NameKind.Type, b.index)})`;
  }

  /** A branch target at relative `depth`: its identifier, else (when none, or shadowed) the depth. */
  private label(depth: number): string {
    const labels = this.labels;
    const id = labels[labels.length - 1 - depth]?.id;
    if (id === undefined) return String(depth);
    for (let inner = labels.length - depth; inner < labels.length; inner++) {
      if (labels[inner].id === id) return String(depth);
    }
    return id;
  }

  private labelArity(depth: number): number {
    return this.labels[this.labels.length - 1 - depth]?.arity ?? -1;
  }

  private local(index: number): string {
    return this.scope.localIds?.get(index) ?? String(index);
  }

  /** The immediates of `d` as text, with a leading space when there are any. */
  private immediates(d: Decoded): string {
    const ctx = this.ctx;
    const i = d.index!, j = d.index2!;
    const nonZero = (kind: NameKind, index: number) => index === 0 ? "" : ` ${ctx.ref(kind, index)}`;
    switch (d.op.immediate) {
      case "none":
      case "block":
      case "try_table":
        return "";
      case "label":
        return ` ${this.label(i)}`;
      case "br_table":
        return d.labels!.map((l) => ` ${this.label(l)}`).join("");
      case "func":
        return ` ${ctx.ref(NameKind.Func, i)}`;
      case "call_indirect":
        return `${nonZero(NameKind.Table, j)} (type ${ctx.ref(NameKind.Type, i)})`;
      case "type":
        return ` ${ctx.ref(NameKind.Type, i)}`;
      case "local":
        return ` ${this.local(i)}`;
      case "global":
        return ` ${ctx.ref(NameKind.Global, i)}`;
      case "table":
        return ` ${ctx.ref(NameKind.Table, i)}`;
      case "memory":
        return nonZero(NameKind.Memory, i);
      case "tag":
        return ` ${ctx.ref(NameKind.Tag, i)}`;
      case "data":
        return ` ${ctx.ref(NameKind.Data, i)}`;
      case "elem":
        return ` ${ctx.ref(NameKind.Elem, i)}`;
      case "memarg":
        return this.memarg(d);
      case "memarg_lane":
        return `${this.memarg(d)} ${d.lane}`;
      case "lane":
        return ` ${d.lane}`;
      case "i32":
      case "i64":
        return ` ${d.value}`;
      case "f32":
        return ` ${f32Text(d.value as number)}`;
      case "f64":
        return ` ${f64Text(d.value as [number, number])}`;
      case "v128":
        return ` i32x4 ${v128Lanes(d.bytes!)}`;
      case "shuffle":
        return ` ${[...d.bytes!].join(" ")}`;
      case "select_t": // even with no types: `select (result)` is not the plain select's encoding
        return ` (result${d.types!.map((t) => ` ${ctx.valType(t)}`).join("")})`;
      case "heap":
        return ` ${ctx.heapType(d.heap!)}`;
      case "ref":
      case "ref_null":
        return ` ${ctx.refType({ nullable: d.op.immediate === "ref_null", heap: d.heap! })}`;
      case "br_on_cast": {
        const from = ctx.refType({ nullable: (d.flags! & 1) !== 0, heap: d.heap! });
        const to = ctx.refType({ nullable: (d.flags! & 2) !== 0, heap: d.heap2! });
        return ` ${this.label(i)} ${from} ${to}`;
      }
      case "type_field":
        return ` ${ctx.ref(NameKind.Type, i)} ${ctx.nested(NameKind.Field, i)?.get(j) ?? j}`;
      case "type_type":
        return ` ${ctx.ref(NameKind.Type, i)} ${ctx.ref(NameKind.Type, j)}`;
      case "type_data":
        return ` ${ctx.ref(NameKind.Type, i)} ${ctx.ref(NameKind.Data, j)}`;
      case "type_elem":
        return ` ${ctx.ref(NameKind.Type, i)} ${ctx.ref(NameKind.Elem, j)}`;
      case "type_count":
        return ` ${ctx.ref(NameKind.Type, i)} ${j}`;
      case "memory_init":
        return `${nonZero(NameKind.Memory, j)} ${ctx.ref(NameKind.Data, i)}`;
      case "memory_copy":
        return i === 0 && j === 0 ? "" : ` ${ctx.ref(NameKind.Memory, i)} ${ctx.ref(NameKind.Memory, j)}`;
      case "table_init":
        return `${nonZero(NameKind.Table, j)} ${ctx.ref(NameKind.Elem, i)}`;
      case "table_copy":
        return i === 0 && j === 0 ? "" : ` ${ctx.ref(NameKind.Table, i)} ${ctx.ref(NameKind.Table, j)}`;
    }
  }

  private memarg(d: Decoded): string {
    const { memory, offset, align } = d.memarg!;
    let text = memory === 0 ? "" : ` ${this.ctx.ref(NameKind.Memory, memory)}`;
    if (offset !== 0n) text += ` offset=${offset}`;
    if (align !== naturalAlignment(d.op.name)) text += ` align=${2n ** BigInt(align)}`;
    return text;
  }

  /** [pops, pushes] of an instruction whose effect depends on types; undefined when not known. */
  private effect(d: Decoded): [number, number] | undefined {
    const op = d.op;
    if (op.pops >= 0) return [op.pops, op.pushes];
    const ctx = this.ctx;
    if (op.immediate === "label" || op.immediate === "br_on_cast" || op.immediate === "br_table") {
      const target = op.immediate === "br_table" ? d.labels![d.labels!.length - 1] : d.index!;
      const arity = this.labelArity(target);
      return arity < 0 ? undefined : branchEffect(op.name, arity);
    }
    switch (op.name) {
      case "return":
        return this.scope.results >= 0 ? [this.scope.results, 0] : undefined;
      case "throw": {
        const type = ctx.arityOfType(ctx.tagTypes[d.index!] ?? -1);
        return type && [type.params, 0];
      }
      case "struct.new": {
        const composite = ctx.type(d.index!)?.composite;
        return composite?.kind === "struct" ? [composite.fields.length, 1] : undefined;
      }
      case "array.new_fixed":
        return [d.index2!, 1];
    }
    // Calls, and tail calls (which return: nothing follows them on this stack).
    const call = op.name.replace(/^return_/, "");
    const type = call === "call"
      ? ctx.arityOfType(ctx.funcTypes[d.index!] ?? -1)
      : call === "call_indirect" || call === "call_ref"
      ? ctx.arityOfType(d.index!)
      : undefined;
    if (!type) return undefined;
    const pops = type.params + (call === "call" ? 0 : 1); // the table index or the reference
    return [pops, call === op.name ? type.results : 0];
  }
}

/** The stack effect of a branch to a label taking `arity` values (rethrow and delegate take none). */
function branchEffect(name: string, arity: number): [number, number] | undefined {
  switch (name) {
    case "br":
    case "br_table":
      return [arity + (name === "br" ? 0 : 1), 0];
    case "br_if":
      return [arity + 1, arity];
    case "br_on_null":
      return [arity + 1, arity + 1];
    // The label's values end with the reference tested: it stays, or (non_null) goes with the branch.
    case "br_on_non_null":
      return arity >= 1 ? [arity, arity - 1] : undefined;
    case "br_on_cast":
    case "br_on_cast_fail":
      return arity >= 1 ? [arity, arity] : undefined;
  }
  return undefined;
}

/** v128 bytes as four i32 lanes in hex: exact, and short. */
function v128Lanes(b: Uint8Array): string {
  const lanes: string[] = [];
  for (let i = 0; i < 16; i += 4) {
    const lane = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
    lanes.push(`0x${lane.toString(16).padStart(8, "0")}`);
  }
  return lanes.join(" ");
}
