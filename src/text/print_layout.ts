/**
 * How printed code is laid out: `FlatSink` puts one instruction a line, blocks indented; `FoldedSink`
 * nests each instruction's operands in it as S-expressions when they are the values on top of the
 * stack (unfolding the text gives back the same instruction sequence, so folding never reorders).
 * Both write into a `TextOut`.
 */

/** Folded operands are joined on one line up to this width. */
const LINE_WIDTH = 100;

const INDENTS: string[] = [];
/** Two spaces a level, each string made once. */
function indent(depth: number): string {
  return INDENTS[depth] ??= "  ".repeat(depth);
}

/**
 * Where printed lines go, indented as they are added. Lines are concatenated in chunks (V8 keeps each
 * chunk as a rope until it is read), and the chunks joined once at the end.
 */
export class TextOut {
  private readonly chunks: string[] = [];
  private chunk = "";
  private count = 0;
  /** Adds `text` as a line `depth` levels deep. */
  line(depth: number, text: string): void {
    if (this.count % CHUNK_LINES === 0) {
      if (this.count > 0) this.chunks.push(flat(this.chunk));
      this.chunk = indent(depth) + text;
    } else this.chunk += "\n" + indent(depth) + text;
    this.count++;
  }
  /** Appends `text` to the last line (the closing parentheses of S-expressions). */
  append(text: string): void {
    this.chunk += text;
  }
  /** How many lines there are. */
  get length(): number {
    return this.count;
  }
  /** The lines, joined with newlines. */
  toString(): string {
    return this.count === 0 ? "" : [...this.chunks, this.chunk].join("\n");
  }
  /** The lines one by one. */
  get lines(): string[] {
    return this.count === 0 ? [] : this.toString().split("\n");
  }
}

/**
 * `text` as one flat string: reading a character makes V8 flatten a rope in place, so that the garbage
 * collector no longer traces its many small pieces.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** Lines a chunk of `TextOut` holds. */
const CHUNK_LINES = 1024;

/** Receives the instructions in order and lays them out. */
export interface Sink {
  /** Whether `plain` needs the stack effect (only folding does; it costs a look at the types). */
  readonly wantsEffects: boolean;
  /** A plain instruction; `effect` is [pops, pushes] when known. */
  plain(text: string, effect: [number, number] | undefined): void;
  /** block, loop, if, try, try_table; `params`/`results` of its block type when known. */
  open(keyword: string, text: string, params: number | undefined, results: number | undefined): void;
  /** else, catch, catch_all: a new arm of the innermost block. */
  arm(text: string): void;
  /** end (or `delegate …`, given as `closing`). */
  close(closing?: string): void;
  /** Writes what is not written yet. */
  finish(out: TextOut, depth: number): void;
}

/** One instruction a line; the body of a block one level deeper. */
export class FlatSink implements Sink {
  readonly wantsEffects = false;
  constructor(private readonly out: TextOut, private depth: number) {}

  plain(text: string): void {
    this.out.line(this.depth, text);
  }
  open(_keyword: string, text: string): void {
    this.out.line(this.depth++, text);
  }
  arm(text: string): void {
    this.out.line(this.depth - 1, text);
  }
  close(closing = "end"): void {
    this.out.line(--this.depth, closing);
  }
  finish(): void {}
}

/** An S-expression: one line, or a head with its children below it (the `)` closes the last one). */
type Node = string | { readonly head: string; readonly children: Node[] };

/** A block being folded: its finished statements and the values computed but not yet consumed. */
interface Frame {
  readonly keyword: string;
  readonly text: string;
  readonly params?: number;
  readonly results?: number;
  /** The arms before the current one: `then` of an if, `do` and earlier catches of a try. */
  readonly arms: { head: string; nodes: Node[] }[];
  head: string;
  condition?: Node;
  nodes: Node[];
  /** Expressions each leaving one value on the stack, oldest first, not yet used by an instruction. */
  pending: Node[];
}

/** S-expressions: operands nested in the instruction that uses them, blocks with their bodies inside. */
export class FoldedSink implements Sink {
  readonly wantsEffects = true;
  private readonly frames: Frame[] = [this.frame("", "")];

  private frame(keyword: string, text: string, params?: number, results?: number): Frame {
    const head = keyword === "if" ? "then" : keyword === "try" ? "do" : "";
    return { keyword, text, params, results, arms: [], head, nodes: [], pending: [] };
  }
  private get top(): Frame {
    return this.frames[this.frames.length - 1];
  }
  /** Values left pending become statements: they stay on the stack for whatever follows. */
  private flush(f = this.top): void {
    for (const expr of f.pending) f.nodes.push(expr);
    f.pending = [];
  }
  private emit(expr: Node, pushes: number, f = this.top): void {
    if (pushes === 1) f.pending.push(expr);
    else {
      this.flush(f);
      f.nodes.push(expr);
    }
  }

  plain(text: string, effect: [number, number] | undefined): void {
    const f = this.top;
    if (!effect || effect[0] > f.pending.length) {
      this.flush(f);
      f.nodes.push(text);
      return;
    }
    const operands = f.pending.splice(f.pending.length - effect[0], effect[0]);
    this.emit(compose(`(${text}`, operands), effect[1]);
  }

  open(keyword: string, text: string, params: number | undefined, results: number | undefined): void {
    const parent = this.top;
    const f = this.frame(keyword, text, params, results);
    if (params !== 0) this.flush(parent); // its parameters are on the stack, not nested in it
    else if (keyword === "if") {
      if (parent.pending.length > 0) f.condition = parent.pending.pop();
      else this.flush(parent);
    }
    this.frames.push(f);
  }

  arm(text: string): void {
    const f = this.top;
    this.flush(f);
    f.arms.push({ head: f.head, nodes: f.nodes });
    f.head = text;
    f.nodes = [];
  }

  close(closing?: string): void {
    const f = this.top;
    this.flush(f);
    this.frames.pop();
    let expr: Node;
    if (f.head === "") expr = block(`(${f.text}`, f.nodes);
    else {
      const children: Node[] = f.condition === undefined ? [] : [f.condition];
      for (const arm of [...f.arms, { head: f.head, nodes: f.nodes }]) {
        children.push(block(`(${arm.head}`, arm.nodes));
      }
      if (closing) children.push(`(${closing})`);
      expr = { head: `(${f.text}`, children };
    }
    this.emit(expr, f.params === 0 && f.results === 1 ? 1 : 0);
  }

  finish(out: TextOut, depth: number): void {
    const f = this.frames[0];
    this.flush(f);
    for (const node of f.nodes) render(node, depth, out);
  }
}

/** `(head` and the body below it, closed on the last line. */
function block(head: string, children: Node[]): Node {
  return children.length === 0 ? `${head})` : { head, children };
}

/** `(head operand…)`: on one line when every operand is one short line, else one operand a line. */
function compose(head: string, operands: Node[]): Node {
  if (operands.every((o) => typeof o === "string")) {
    const line = operands.length === 0 ? `${head})` : `${head} ${operands.join(" ")})`;
    if (line.length <= LINE_WIDTH) return line;
  }
  return block(head, operands);
}

const CLOSE = Symbol("close");

/** Writes `node` into `out`; with a stack of its own, so that deep nesting cannot overflow JS's. */
function render(node: Node, depth: number, out: TextOut): void {
  const todo: [Node | typeof CLOSE, number][] = [[node, depth]];
  while (todo.length > 0) {
    const [next, at] = todo.pop()!;
    if (next === CLOSE) out.append(")");
    else if (typeof next === "string") out.line(at, next);
    else {
      out.line(at, next.head);
      todo.push([CLOSE, at]);
      for (let i = next.children.length - 1; i >= 0; i--) todo.push([next.children[i], at + 1]);
    }
  }
}
