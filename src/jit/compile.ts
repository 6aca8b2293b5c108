/**
 * The JS tier: compiles one validated function body to the source of a JS function, which V8 then
 * optimises like any other JS. Wasm locals and operand-stack positions become JS variables (named by
 * type and depth, so every path agrees on where a value lives), blocks and loops become labelled JS
 * blocks and loops, and branches become `break`/`continue`. No dispatch remains at run time.
 *
 * Representation: i32 is an int32 number; i64 is two int32 variables (low `x`, high `y`), so the hot
 * path allocates no BigInt; f64 is a number; f32 is a number too, rounded by `Math.fround` after each
 * operation, with signalling NaNs marked so that their bits survive (see `f32FromBits` in
 * support.ts); v128 is four int32 variables. References are the objects the interpreter uses.
 *
 * The calling convention is the interpreter's: arguments arrive in the value-stack slots at `s`,
 * results leave in the same slots. So compiled and interpreted functions call each other freely.
 * Rare operations (table and bulk-memory instructions, conversions that trap, less common SIMD) reuse the
 * interpreter's closures through a few scratch slots of the frame instead of a second copy. Fuel and
 * profiles are charged exactly as the interpreter charges them, so the count does not depend on
 * the tier.
 */
import { Reader } from "../wasm/reader.ts";
import { type FuncType, isRefType, type ModuleInfo, ValType } from "../wasm/types.ts";
import { readHeapType, readValType } from "../wasm/decoder.ts";
import { HUGE_BODY_BYTES, type InstanceState, signatureIds, type WasmFunc } from "../runtime/objects.ts";
import { JS_BUDGET, STACK_SLOTS } from "../runtime/machine.ts";
import { bridgeAt, bridgesText } from "./bridges.ts";
import {
  type CatchClause,
  CatchKind,
  type FuelCosts,
  fuelCosts,
  hasTailCall,
  type LoopLocals,
  loopLocals,
  pathToLoop,
  readBlockType,
  readCatches,
  readMemarg,
  skipUnreachable,
  Unreachable,
} from "../wasm/code.ts";
import {
  assign,
  f32Bits,
  f32FromBits,
  f32Literal,
  f64Literal,
  LANES,
  letter,
  namesText,
  partsOf,
  RT,
  sourceEnding,
  sourceStart,
} from "./names.ts";
import { numeric, numericText } from "./numeric.ts";
import { simd, simdText } from "./simd.ts";
import { gc, gcText } from "./gc.ts";
import { FIELDS, layoutOf, refTester, structMaker } from "../runtime/gc.ts";
import { canonicalHeap } from "../wasm/type_canon.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";

/** The function cannot be compiled to JS (nesting too deep for a JS parser); it stays interpreted. */
export class Unsupported extends Error {}

/**
 * Generated source, and the keys of the objects it refers to as `K[i]` (see `constGetter`). The
 * source depends on the module, the function and the instance's kind of meter only: every instance
 * of the module binds the same unit, and so can a later run that reads it back (the compile cache).
 */
export interface JsUnit {
  source: string;
  consts: string[];
  /** How many of the consts are interpreter closures the code runs (for rare operations). */
  bridged: number;
  /** Bytes of JS stack a call may take, counted against the tier's budget. */
  jsCost: number;
  /**
   * The code takes direct calls only (`WasmFunc.invoke`): arguments as JS values, the result
   * returned. A call with the frame goes through an adapter (engine/frame_entry.ts).
   */
  direct: boolean;
}

/**
 * What constant `key` of the generated code (see `Compiler.constant`) is in an instance of `module`.
 * Interpreter closures (`op AT SCRATCH`) are made once, here: they take the instance as an argument.
 */
export function constGetter(key: string, module: ModuleInfo): (inst: InstanceState) => unknown {
  const [kind, a, b] = key.split(" ");
  const x = Number(a);
  switch (kind) {
    case "memory":
      return (i) => i.memories[0];
    case "meter":
      return (i) => i.meter;
    case "instance":
      return (i) => i;
    case "empty":
      return () => EMPTY;
    case "global":
      return b === "cell"
        ? (i) => i.globals[x]
        : b === "i32"
        ? (i) => i.globals[x].i32
        : (i) => i.globals[x].f64;
    case "func":
      return (i) => i.func(x);
    case "sig": { // type x's signature id (see runtime/objects.ts `signatureIds`)
      const id = signatureIds(module)[x];
      return () => id;
    }
    case "table":
      return (i) => i.tables[x];
    case "tag":
      return (i) => i.tags[x];
    case "op": {
      const op = bridgeAt(module, x, Number(b)).op;
      return () => op;
    }
    case "fields":
      return () => FIELDS;
    case "struct": { // a new struct of type x: from its entries, or (null) with every field at its default
      const make = structMaker(layoutOf(module, x));
      return () => make;
    }
    case "cast": { // the test of a cast to heap type x (a module's own code), nullable when b is 1
      const test = refTester(canonicalHeap(x, signatureIds(module)), b === "1");
      return () => test;
    }
  }
  throw new Error(`js tier: unknown constant ${key}`);
}

/**
 * JS parsers recurse on nested statements (V8 manages about 2,000 levels on an empty stack);
 * deeper wasm nesting stays on the interpreter.
 */
const MAX_NESTING = 500;

const enum Kind {
  Block,
  Loop,
  If,
  Func,
  /** A construct around the loop that code compiled for that loop alone leaves to (see `loop`). */
  Exit,
  /** `try_table`, and the legacy `try`'s body and handlers: JS `try`/`catch` (see `endTry`). */
  TryTable,
  Try,
  Catch,
}

interface Frame {
  kind: Kind;
  label: string;
  /** Operand stack height below the block's parameters. */
  height: number;
  params: ValType[];
  results: ValType[];
  unreachable: boolean;
  /** Opened inside unreachable code: nothing of it is emitted. */
  dead: boolean;
  /** For `if` with parameters: copies for the else branch (the then branch may overwrite them). */
  saved: string[][];
  at: number;
  /** A `try_table`'s catch clauses. */
  clauses?: CatchClause[];
  /** A legacy handler that is `catch_all`. */
  catchAll?: boolean;
  /** For an `Exit` frame: what the code returns to say where the run loop goes on (`WasmFunc.labels`). */
  exitKey?: number;
}

/**
 * Compiles one function. Control flow, locals, calls, memory and the function's frame live here;
 * numeric.ts and simd.ts emit their instruction groups through this class's stack and line helpers,
 * which is why its members are not private.
 */
export class Compiler {
  readonly r: Reader;
  readonly inst: InstanceState;
  readonly type: FuncType;
  readonly localTypes: ValType[];
  out: string[] = [];
  consts: string[] = [];
  constIds = new Map<string, string>();
  bridged = 0;
  vars = new Map<string, string>(); // name → initial value
  /** Depth and type letter (`depth * 128 + letter code`) of the values `push` declared already. */
  pushed = new Set<number>();
  types: ValType[] = [];
  /**
   * Virtual operands: the JS expressions (one per part) of stack entries that are still a local or a
   * constant, not yet copied into their variables. Instructions in VIRTUAL_AWARE read operands with
   * `read`; before any other instruction, and where control flow splits or joins, they are copied.
   * This keeps `local.get` and constants out of the generated source, which V8 must parse.
   */
  virt: (string[] | null)[] = [];
  /**
   * Stack depths holding a v128 whose lanes are f32 numbers rather than bits: what f32x4 arithmetic
   * produces, so that a chain of it converts only at its ends. `parts` converts back on any other use.
   */
  floatLanes = new Set<number>();
  /** Constant values (bits) of stack depths written by a `const` and not since. */
  known: (number[] | null)[] = [];
  h = 0;
  ctrl: Frame[] = [];
  labels = 0;
  /** Byte offset in the module of the instruction being compiled. */
  at = 0;

  /**
   * The instruction being compiled as the code names it (`site`, a trap's offset): from the start
   * of the function's body, a number that takes fewer bytes of V8 bytecode than the module's offset
   * (support.ts `unwind` adds the start back).
   */
  get site(): number {
    return this.siteOf(this.at);
  }

  /** The site of the instruction at byte offset `at` in the module (see `site`). */
  siteOf(at: number): number {
    return at - this.fn.body.codeStart;
  }
  /** The last line is `v = (cmp) ? 1 : 0`: a branch on `v` may use `cmp` and drop the line. */
  lastCmp: { line: number; depth: number; expr: string } | null = null;
  /**
   * Slots of the frame: params/results, then four scratch slots, then the callee's frame; for code
   * that runs one loop, the scratch slots start above the interpreter's frame, which stays in use.
   */
  readonly scratch: number;
  readonly callBase: number;
  maxArgs = 0;
  readonly memory: string | null;
  /** The body reads `dv` (loads, stores): only then is it kept up to date. */
  usesMemory = false;
  /** The body reads `ms`, the memory's size (SIMD accesses check their bounds themselves). */
  usesSize = false;
  /** The instance's meter (fuel, timeout, profile), when it has one. */
  readonly meter: string | null;
  /** What the function's calls and loop iterations charge (wasm/code.ts), when metered. */
  readonly costs: FuelCosts | null;

  /**
   * For code that can also take over a running call at one loop (on-stack replacement): the loop's
   * path (wasm/code.ts `pathToLoop`). Called with `osr` set, the function loads every local from the
   * frame and skips, in each construct on the path, what comes before the next one on it: the loop's
   * start clears `osr`, so later iterations of the constructs around it run in full.
   */
  readonly osr: { path: Set<number>; inElse: Set<number>; loopAt: number } | null;
  /** For code that runs one loop: the byte offsets of the constructs around it, outermost first. */
  readonly around: number[];

  /**
   * The code takes direct calls only (see `WasmFunc.invoke`): `dc` and `dd` are the caller's room, the
   * arguments follow them, and a result is returned. Not code with an OSR entry.
   */
  readonly direct: boolean;

  /**
   * Code for the loop at `osr.loopAt` alone, for a function too big to compile whole (runtime/objects.ts
   * `HUGE_BODY_BYTES`): called by the interpreter at that loop's start (`osr` set), it takes the locals
   * the loop names from the frame; a branch out of the loop (or its end) writes back those it assigns,
   * puts the values the branch carries at the frame's operand stack (`WasmFunc.stackBase`) and returns
   * the label's key (see `Frame.exitKey`), where the run loop goes on. A `return` ends the call as usual.
   */
  readonly loop: LoopLocals | null;

  constructor(readonly fn: WasmFunc, loopAt = -1, loopOnly = false) {
    this.inst = fn.inst;
    this.type = fn.type;
    const module = fn.inst.module;
    this.r = new Reader(module.bytes, fn.body.codeStart, fn.body.codeEnd);
    this.localTypes = [...fn.type.params, ...fn.body.locals];
    this.loop = loopOnly ? loopLocals(module.bytes, loopAt, fn.body.codeEnd, module.types) : null;
    // A loop as big as a huge function would be as slow in V8: it stays interpreted, its inner loops get code.
    if (this.loop && this.loop.end - loopAt > HUGE_BODY_BYTES) throw new Unsupported("a huge loop");
    this.scratch = loopOnly ? fn.frameSize : Math.max(fn.type.params.length, fn.type.results.length);
    this.callBase = this.scratch + 4;
    this.memory = fn.inst.memories.length > 0 ? this.constant("memory") : null;
    const meter = fn.inst.meter;
    this.meter = meter ? this.constant("meter") : null;
    this.costs = meter ? fuelCosts(module.bytes, fn.body.codeStart, fn.body.codeEnd, module.types) : null;
    const path = loopAt < 0
      ? null
      : pathToLoop(module.bytes, fn.body.codeStart, fn.body.codeEnd, module.types, loopAt);
    if (loopAt >= 0 && path === null) throw new Error(`js tier: no loop at ${loopAt}`);
    this.around = loopOnly ? path!.path.slice(0, -1) : [];
    // Code for the loop alone is entered only there: no construct around it is compiled.
    this.osr = path &&
      { path: new Set(loopOnly ? [loopAt] : path.path), inElse: loopOnly ? new Set() : path.inElse, loopAt };
    this.direct = this.osr === null && this.directCallable(fn.index);
  }

  /**
   * Charges `n` instructions to the meter (the interpreter's rule: a call charges the function's
   * instructions outside loops, each loop iteration the loop's), for the instruction at `at`.
   */
  charge(n: number, at: number): string {
    const m = this.meter;
    const site = this.siteOf(at);
    if (this.fuelOnly) {
      return `if ((fl -= ${n}) < 0) { site = ${site}; ${m}.left = fl; fl = ${FUEL_IN_CALL}; ${m}.refill(); fl = ${m}.left; }`;
    }
    return `site = ${site}; ${m}.charge(${n}, ${this.fn.index});`;
  }

  /**
   * With fuel alone, the function spends from a local copy `fl` of the meter's `left` (a property
   * write per loop iteration costs as much as a small loop): it is written back around calls and
   * on the way out. During a call (and a refill) `fl` holds FUEL_IN_CALL, so an exception passing
   * through does not write back a stale copy over what the meter counted since.
   */
  get fuelOnly(): boolean {
    return this.fn.inst.meter?.fuelOnly === true;
  }

  // ---- names ----

  /**
   * The name of constant `key` in the generated code: what `constGetter(key)` takes from the instance
   * the code is bound to (its memory, a callee, a global's cell …). The source names only keys, so
   * that every instance of the module can share it.
   */
  constant(key: string): string {
    let id = this.constIds.get(key);
    if (id === undefined) {
      id = `k${this.consts.length}`;
      this.consts.push(key);
      this.constIds.set(key, id);
    }
    return id;
  }

  declare(name: string, init: string): string {
    if (!this.vars.has(name)) this.vars.set(name, init);
    return name;
  }

  /** Variable of the value at stack depth `k` (its low half, for i64). */
  v(k: number): string {
    return `${letter(this.types[k])}${k}`;
  }

  /** High half of the i64 at depth `k`. */
  vh(k: number): string {
    return `y${k}`;
  }

  local(x: number): string {
    return `l${x}`;
  }

  localHi(x: number): string {
    return `h${x}`;
  }

  /** Every variable of the value at depth `k` (two for i64, four for v128 lanes as bits). */
  parts(k: number): string[] {
    if (this.floatLanes.has(k)) {
      this.floatLanes.delete(k);
      this.emit(this.lanes(k).map((x) => `${x} = ${f32Bits(x)};`).join(" "));
    }
    return partsOf(this.types[k], this.v(k), `y${k}`);
  }

  /** The lane variables of the v128 at depth `k`, in whatever form they are. */
  lanes(k: number): string[] {
    return LANES.map((i) => `v${k}_${i}`);
  }

  /**
   * Back to bits: every v128 whose lanes hold f32 numbers. Called where control flow splits or
   * joins, so that all paths agree on the form of every value.
   */
  canonical(): void {
    this.materializeAll();
    for (const k of this.floatLanes) {
      if (k < this.h) this.emit(this.lanes(k).map((x) => `${x} = ${f32Bits(x)};`).join(" "));
    }
    this.floatLanes.clear();
  }

  /** Every variable of local `x`. */
  localParts(x: number): string[] {
    return partsOf(this.localTypes[x], this.local(x), this.localHi(x));
  }

  push(t: ValType): number {
    const k = this.h++;
    // A comparison whose result was dropped no longer sits at this depth: a branch on what is
    // pushed here (a virtual `local.get` or constant, which writes no line) must not test it.
    if (this.lastCmp !== null && this.lastCmp.depth >= k) this.lastCmp = null;
    this.types[k] = t;
    this.known[k] = null;
    this.virt[k] = null;
    this.floatLanes.delete(k);
    // Every push of a type at a depth names the same variables: declared the first time only (a big
    // function pushes hundreds of thousands of times, and building and looking up the names cost).
    const key = k * 128 + letter(t).charCodeAt(0);
    if (!this.pushed.has(key)) {
      this.pushed.add(key);
      const init = isRefType(t) ? "null" : "0";
      for (const name of this.parts(k)) this.declare(name, init);
    }
    return k;
  }

  pop(): number {
    return --this.h;
  }

  /** Pushes a virtual operand: `parts` are its expressions (low and high for i64). */
  pushVirtual(t: ValType, parts: string[]): number {
    const k = this.push(t);
    this.virt[k] = parts;
    return k;
  }

  /** The expression for the value at depth `k` (its low half, for i64). */
  read(k: number): string {
    return this.virt[k]?.[0] ?? this.v(k);
  }

  /** The expression for the high half of the i64 at depth `k`. */
  readHi(k: number): string {
    return this.virt[k]?.[1] ?? `y${k}`;
  }

  /** The variable of depth `k`, about to be written: the entry stops being virtual. */
  dest(k: number): string {
    this.virt[k] = null;
    return this.v(k);
  }

  /** Copies a virtual operand into its variables. */
  materialize(k: number): void {
    const parts = this.virt[k];
    if (!parts) return;
    this.virt[k] = null;
    // Not through `emit`: the value is unchanged, so what is known of it (a constant) stays known.
    this.out.push(assign(partsOf(this.types[k], this.v(k), `y${k}`), parts));
    this.lastCmp = null;
  }

  materializeAll(): void {
    for (let k = 0; k < this.h; k++) this.materialize(k);
  }

  /** Before local `x` changes: entries that still read it get their own copy. */
  materializeLocal(x: number): void {
    const names = this.localParts(x);
    for (let k = 0; k < this.h; k++) {
      if (this.virt[k]?.some((e) => names.includes(e))) this.materialize(k);
    }
  }

  emit(line: string): void {
    this.out.push(line);
    this.lastCmp = null;
    // whatever this line wrote at the top is no longer a known constant (pushes set it again after)
    if (this.h > 0) this.known[this.h - 1] = null;
  }

  /**
   * `local.set x` (or `local.tee x`) of a value the last line just computed into its variable, when
   * nothing on the stack still reads the local: that line assigns the local instead (`l2 = (l2 + 4) | 0;`
   * rather than through `i0`), one statement fewer for V8's interpreter and baseline tiers to run. After
   * a tee the value stays on the stack as the local (virtual).
   */
  assignedInPlace(x: number, tee: boolean): boolean {
    const k = this.h - 1, t = this.types[k];
    if (this.virt[k] !== null || t === ValType.I64 || t === ValType.V128 || this.floatLanes.has(k)) {
      return false;
    }
    const last = this.out.length - 1, line = this.out[last];
    // `v = e;`, or a load's `site = N; v = e;`
    const m = line === undefined ? null : /^(site = \d+; )?([a-z]\d+) = ([^;]*);$/.exec(line);
    if (m === null || m[2] !== this.v(k)) return false;
    const local = this.local(x);
    for (let j = 0; j < this.h; j++) if (this.virt[j]?.includes(local)) return false;
    this.out[last] = `${m[1] ?? ""}${local} = ${m[3]};`;
    this.lastCmp = null;
    if (tee) this.virt[k] = [local];
    else this.pop();
    return true;
  }

  /** Pushes the i32 result of a comparison, remembering it so a branch can test `expr` directly. */
  emitCompare(expr: string): void {
    const k = this.push(ValType.I32);
    this.out.push(`i${k} = (${expr}) ? 1 : 0;`);
    this.lastCmp = { line: this.out.length - 1, depth: k, expr };
  }

  /** Whether the value at depth `k` is the comparison (0 or 1) the last line made (`emitCompare`). */
  freshCompare(k: number): boolean {
    const c = this.lastCmp;
    return c !== null && c.depth === k && c.line === this.out.length - 1;
  }

  /**
   * `i32.eqz` of the comparison the last line made (see `freshCompare`): the comparison negated, in
   * that line's place (it read its operands before writing its variable, and so does its negation).
   */
  negateCompare(): void {
    const expr = this.lastCmp!.expr;
    this.out.pop();
    this.pop();
    this.emitCompare(`!(${expr})`);
  }

  /** Pops an i32 and returns a JS condition for it being non-zero. */
  condition(): string {
    const k = this.pop();
    if (this.freshCompare(k)) {
      const c = this.lastCmp!;
      this.out.pop();
      this.lastCmp = null;
      return c.expr;
    }
    return `${this.read(k)} !== 0`;
  }

  // ---- slots ----

  /** Stores the value at depth `k` into frame slot `slot`. */
  toSlot(k: number, slot: number): string {
    const t = this.types[k];
    if (t === ValType.V128) {
      return `t = 4 * (s + ${slot}); ` + this.parts(k).map((p, i) => `${RT.V}[t + ${i}] = ${p};`).join(" ");
    }
    return slotWrite(t, slot, this.read(k), t === ValType.I64 ? this.readHi(k) : "");
  }

  /** Loads frame slot `slot` into the value at depth `k`. */
  fromSlot(k: number, slot: number): string {
    const t = this.types[k], v = this.v(k);
    switch (t) {
      case ValType.I32:
        return `${v} = ${RT.I32}[s2 + ${2 * slot}];`;
      case ValType.F32:
        return `${v} = ${f32FromBits(`${RT.I32}[s2 + ${2 * slot}]`)};`;
      case ValType.I64:
        return `${v} = ${RT.I32}[s2 + ${2 * slot}]; ${this.vh(k)} = ${RT.I32}[s2 + ${2 * slot + 1}];`;
      case ValType.F64:
        return `${v} = ${RT.F64}[s + ${slot}];`;
      case ValType.V128:
        return `t = 4 * (s + ${slot}); ` + this.parts(k).map((p, i) => `${p} = ${RT.V}[t + ${i}];`).join(" ");
    }
    return `${v} = ${RT.R}[s + ${slot}];`;
  }

  /**
   * Runs the current instruction (at `this.at`) with an interpreter closure (see bridges.ts): its
   * operands at the top of the stack are stored in the scratch slots (first operand first), its
   * result comes from the slot after them. The closure finds the instance's objects in its `vm`
   * argument, so one serves every instance.
   */
  bridge(): void {
    const { operands, result, end } = bridgeAt(this.inst.module, this.at, this.scratch);
    this.r.pos = end;
    const lines: string[] = [];
    for (let i = 0; i < operands; i++) lines.push(this.toSlot(this.h - operands + i, this.scratch + i));
    this.h -= operands;
    const dst = this.scratch + 3;
    const op = this.constant(`op ${this.at} ${this.scratch}`);
    this.bridged++;
    this.emit(`${lines.join(" ")} site = ${this.site}; ${op}(s2, ${this.instance()});`);
    if (result !== null) {
      const k = this.push(result);
      this.emit(this.fromSlot(k, dst));
    }
  }

  // ---- control ----

  blockType(): { params: ValType[]; results: ValType[] } {
    return readBlockType(this.r, this.inst.module.types);
  }

  pushFrame(kind: Kind, params: ValType[], results: ValType[], dead: boolean): Frame {
    if (this.ctrl.length > MAX_NESTING) throw new Unsupported("nesting");
    this.known = []; // loop parameters change from one iteration to the next
    if (!dead) this.canonical();
    const frame: Frame = {
      kind,
      label: `L${this.labels++}`,
      height: this.h - params.length,
      params,
      results,
      unreachable: dead,
      dead,
      saved: [],
      at: this.at,
    };
    this.ctrl.push(frame);
    return frame;
  }

  frame(): Frame {
    return this.ctrl[this.ctrl.length - 1];
  }

  setUnreachable(): void {
    this.floatLanes.clear();
    const f = this.frame();
    f.unreachable = true;
    this.h = f.height;
  }

  /** Moves the top `n` values down to depths from `height` (a branch's arguments). */
  moveDown(height: number, n: number): void {
    const from = this.h - n;
    if (from === height) return;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const src = from + i, dst = height + i;
      this.known[dst] = null;
      this.types[dst] = this.types[src]; // same types: validation guarantees the branch's arity matches
      const init = isRefType(this.types[src]) ? "null" : "0";
      for (const name of this.parts(dst)) this.declare(name, init);
      lines.push(assign(this.parts(dst), this.parts(src)));
    }
    this.emit(lines.join(" "));
  }

  /** Code that branches to the frame `depth` levels out (values are moved, then break/continue). */
  branch(depth: number): void {
    this.canonical();
    const target = this.ctrl[this.ctrl.length - 1 - depth];
    if (target.kind === Kind.Func) return this.emitReturn();
    if (target.kind === Kind.Exit) return this.emitExit(target.exitKey!, target.results.length);
    const saved = this.h;
    const types = this.types.slice();
    if (target.kind === Kind.Loop) {
      this.moveDown(target.height, target.params.length);
      this.emit(`continue ${target.label};`);
    } else {
      this.moveDown(target.height, target.results.length);
      this.emit(`break ${target.label};`);
    }
    this.h = saved, this.types = types;
  }

  /**
   * Leaves code that runs one loop (see `loop`) for the label whose key is `key`, with the top `n`
   * values: they go to the interpreter's operand stack (the height of every construct around the
   * loop is 0), the locals the loop assigns to their slots.
   */
  emitExit(key: number, n: number): void {
    this.canonical();
    const base = this.fn.stackBase;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, base + i));
    for (const x of this.loop!.written) lines.push(this.writeLocal(x));
    if (this.fuelOnly) lines.push(`${this.meter}.left = fl;`);
    lines.push(`return ${key};`);
    this.emit(lines.join(" "));
  }

  emitReturn(): void {
    this.canonical();
    const n = this.type.results.length;
    const lines: string[] = [];
    if (this.direct && n === 1) {
      // A direct call gets the result as the value returned (see `WasmFunc.invoke`).
      const k = this.h - 1;
      const value = this.types[k] === ValType.I64
        ? `${RT.HI}.v = ${this.readHi(k)}; return ${this.read(k)};`
        : `return ${this.read(k)};`;
      const fuel = this.fuelOnly ? `${this.meter}.left = fl; ` : "";
      return this.emit(fuel + value);
    }
    for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, i));
    if (this.fuelOnly) lines.push(`${this.meter}.left = fl;`);
    lines.push("return;");
    this.emit(lines.join(" "));
  }

  end(): void {
    const frame = this.ctrl.pop()!;
    if (frame.dead) return;
    if (frame.unreachable) this.floatLanes.clear();
    else this.canonical();
    if (frame.kind === Kind.Func) {
      if (!frame.unreachable) this.emitReturn();
      return;
    }
    if (frame.kind === Kind.Loop && !frame.unreachable) this.emit(`break ${frame.label};`);
    this.emit("}");
    this.h = frame.height;
    for (const t of frame.results) this.push(t);
  }

  elseBranch(frame: Frame): void {
    if (frame.unreachable) this.floatLanes.clear();
    else this.canonical();
    this.emit("} else {");
    this.known = [];
    frame.unreachable = false;
    this.h = frame.height;
    frame.params.forEach((t, i) => {
      const k = this.push(t);
      this.emit(assign(this.parts(k), frame.saved[i]));
    });
    if (this.osr?.inElse.has(frame.at)) this.skipOnEntry(frame.at);
  }

  // ---- the main loop ----

  compile(): JsUnit {
    const r = this.r;
    this.pushFrame(Kind.Func, [], this.type.results, false);
    const bottom = this.loop ? this.openAround() : 0;
    if (this.osr && !this.loop) this.emit("if (!osr) {");
    let first = this.loop !== null; // the loop's own opcode, whose frame ends the loop below
    while (first || this.ctrl.length > bottom) {
      first = false;
      this.at = r.pos;
      const op = r.u8();
      const frame = this.frame();
      if (frame.unreachable) {
        this.skip(op, frame);
        continue;
      }
      if (this.osr?.path.has(this.at) && !this.loop) this.skippedUntilHere(op === Opcode.If ? 1 : 0);
      if (!VIRTUAL_AWARE[op]) this.materializeAll();
      this.instruction(op);
    }
    // The loop's end: on after it, with its results.
    if (this.loop) this.emitExit(2 * this.osr!.loopAt, this.h);
    return this.assemble();
  }

  /**
   * For code that runs one loop: a frame for each construct around it, whose label is a way out
   * (see `Frame.exitKey`), and the reader at the loop. Not a loop inside a `try`: an exception the
   * loop throws would have to reach that handler in the interpreter's frame.
   */
  openAround(): number {
    const module = this.inst.module;
    for (const at of this.around) {
      const r = new Reader(module.bytes, at, this.fn.body.codeEnd);
      const op = r.u8();
      if (op === Opcode.Try || op === Opcode.TryTable) throw new Unsupported("a loop inside a try");
      const bt = readBlockType(r, module.types);
      this.at = at;
      const frame = this.pushFrame(Kind.Exit, [], op === Opcode.Loop ? bt.params : bt.results, false);
      frame.exitKey = op === Opcode.Loop ? 2 * at + 1 : 2 * at;
    }
    this.r.pos = this.osr!.loopAt;
    return this.ctrl.length;
  }

  /**
   * Ends the part of a construct that a call entering at the OSR loop skips: the next construct on
   * the path starts here. Nothing compiled may assume what that part left (both ways join here), and
   * the operand stack holds nothing but an `if`'s condition (the interpreter asks to enter only loops
   * where it is empty; the condition is not read on the way in).
   */
  skippedUntilHere(operands: number): void {
    if (this.h !== operands) throw new Unsupported("operands on the stack at an OSR path");
    this.known = [];
    this.lastCmp = null;
    this.floatLanes.clear();
    this.emit("}");
  }

  /** Opens what a call entering at the OSR loop skips in the construct just opened (see `osr`). */
  skipOnEntry(at: number): void {
    if (!this.osr?.path.has(at)) return;
    this.emit(at === this.osr.loopAt ? "osr = 0;" : "if (!osr) {");
  }

  /** Unreachable code: decoded to keep the nesting straight, nothing emitted. */
  skip(op: number, frame: Frame): void {
    // A legacy `catch`, `catch_all` or `delegate` after an unreachable body still ends it.
    if (!frame.dead && (frame.kind === Kind.Try || frame.kind === Kind.Catch)) {
      if (op === Opcode.Catch || op === Opcode.CatchAll) return this.legacyCatch(op, frame);
      if (op === Opcode.Delegate) return this.delegate(frame);
    }
    if (op === Opcode.End && !frame.dead && frame.kind >= Kind.TryTable) return this.endTry(frame);
    switch (skipUnreachable(this.r, op, this.inst.module.types)) {
      case Unreachable.Open:
        this.pushFrame(Kind.Block, [], [], true);
        return;
      case Unreachable.Else:
        if (!frame.dead) this.elseBranch(frame);
        return;
      case Unreachable.End:
      case Unreachable.Delegate: // of a legacy `try` opened in unreachable code
        return this.end();
    }
  }

  instruction(op: number): void {
    const r = this.r;
    switch (op) {
      case Opcode.Unreachable:
        this.emit(`${RT.E}.trapAt(${this.site}, "unreachable");`);
        return this.setUnreachable();
      case Opcode.Nop:
        return;
      case Opcode.Block:
      case Opcode.Loop: {
        const at = this.at;
        const bt = this.blockType();
        const f = this.pushFrame(op === Opcode.Block ? Kind.Block : Kind.Loop, bt.params, bt.results, false);
        this.emit(op === Opcode.Block ? `${f.label}: {` : `${f.label}: for (;;) {`);
        this.skipOnEntry(at);
        if (op === Opcode.Loop && this.costs) this.emit(this.charge(this.costs.loops.get(at)!, at));
        return;
      }
      case Opcode.If: {
        const bt = this.blockType();
        const cond = this.condition();
        const f = this.pushFrame(Kind.If, bt.params, bt.results, false);
        const copies: string[] = [];
        bt.params.forEach((t, i) => {
          const k = f.height + i;
          const saved = this.parts(k).map((p) =>
            this.declare(`${p}_${f.label}`, isRefType(t) ? "null" : "0")
          );
          f.saved.push(saved);
          copies.push(assign(saved, this.parts(k)));
        });
        if (copies.length) this.emit(copies.join(" "));
        if (!this.osr?.path.has(f.at)) this.emit(`${f.label}: if (${cond}) {`);
        else if (this.osr.inElse.has(f.at)) this.emit(`${f.label}: if (!osr && (${cond})) {`);
        else {
          this.emit(`${f.label}: if (osr || (${cond})) {`);
          this.skipOnEntry(f.at);
        }
        return;
      }
      case Opcode.Else:
        return this.elseBranch(this.frame());
      case Opcode.End: {
        const frame = this.frame();
        return frame.kind >= Kind.TryTable ? this.endTry(frame) : this.end();
      }
      case Opcode.TryTable:
      case Opcode.Try: {
        const at = this.at;
        const bt = this.blockType();
        const kind = op === Opcode.Try ? Kind.Try : Kind.TryTable;
        const f = this.pushFrame(kind, bt.params, bt.results, false);
        if (op === Opcode.TryTable) f.clauses = readCatches(r);
        this.declare("tg", "null"), this.declare(`x${f.label}`, "null");
        this.usesTry = true;
        this.emit(`${f.label}: { try {`);
        this.skipOnEntry(at);
        return;
      }
      case Opcode.Catch:
      case Opcode.CatchAll:
        return this.legacyCatch(op, this.frame());
      case Opcode.Delegate:
        return this.delegate(this.frame());
      case Opcode.Throw: {
        const x = r.u32();
        const tag = this.constant(`tag ${x}`);
        const n = this.tagParams(x).length;
        const lines: string[] = [];
        for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, this.callBase + i));
        this.h -= n;
        this.maxArgs = Math.max(this.maxArgs, n);
        this.emit(`${lines.join(" ")} throw ${RT.E}.exception(${tag}, s + ${this.callBase});`);
        return this.setUnreachable();
      }
      case Opcode.ThrowRef: {
        const a = this.pop();
        this.emit(
          `if (r${a} === null) ${RT.E}.trapAt(${this.site}, "null exception reference"); throw r${a};`,
        );
        return this.setUnreachable();
      }
      case Opcode.Rethrow:
        this.emit(`throw x${this.ctrl[this.ctrl.length - 1 - r.u32()].label};`);
        return this.setUnreachable();
      case Opcode.Br:
        this.branch(r.u32());
        return this.setUnreachable();
      case Opcode.BrIf: {
        const depth = r.u32();
        const cond = this.condition();
        this.canonical(); // both ways on, values are bits
        this.emit(`if (${cond}) {`);
        this.branch(depth);
        this.emit("}");
        return;
      }
      case Opcode.BrTable:
        return this.brTable();
      case Opcode.Return:
        this.emitReturn();
        return this.setUnreachable();
      case Opcode.Call:
        return this.call(r.u32());
      case Opcode.CallIndirect:
        return this.callIndirect(r.u32(), r.u32());
      case Opcode.ReturnCall:
        return this.returnCall(r.u32());
      case Opcode.ReturnCallIndirect:
        return this.returnCallIndirect(r.u32(), r.u32());
      case Opcode.CallRef:
      case Opcode.ReturnCallRef: {
        const type = this.inst.module.types[r.u32()];
        const sel = this.pop(); // the callee, never virtual (see VIRTUAL_AWARE)
        this.emit(`cf = r${sel}; if (cf === null) ${RT.E}.trapAt(${this.site}, "null function reference");`);
        if (op === Opcode.CallRef) return this.callWith(type.params.length, type.results, "cf.entry");
        return this.returnCallWith(type.params.length, "cf");
      }
      case Opcode.RefAsNonNull: {
        const a = this.pop();
        const k = this.push(this.types[a]);
        return this.emit(
          `if (r${a} === null) ${RT.E}.trapAt(${this.site}, "null reference"); r${k} = r${a};`,
        );
      }
      case Opcode.BrOnNull:
      case Opcode.BrOnNonNull: {
        // br_on_null branches without the reference (and keeps it after), br_on_non_null with it.
        const depth = r.u32(), onNull = op === Opcode.BrOnNull;
        const a = this.h - 1, t = this.types[a];
        if (onNull) this.pop();
        this.canonical();
        this.emit(`if (r${a} ${onNull ? "===" : "!=="} null) {`);
        this.branch(depth);
        this.emit("}");
        if (onNull) this.push(t);
        else this.pop();
        return;
      }
      case Opcode.Drop:
        this.pop();
        return;
      case Opcode.Select:
        return this.select();
      case Opcode.SelectT: {
        const n = r.u32();
        for (let i = 0; i < n; i++) readValType(r);
        return this.select();
      }
      case Opcode.LocalGet: {
        const x = r.u32();
        const t = this.localTypes[x];
        if (t !== ValType.V128) return void this.pushVirtual(t, this.localParts(x));
        const k = this.push(t);
        return this.emit(assign(this.parts(k), this.localParts(x)));
      }
      case Opcode.LocalSet:
      case Opcode.LocalTee: {
        const x = r.u32();
        if (this.assignedInPlace(x, op === Opcode.LocalTee)) return;
        this.materializeLocal(x);
        const k = op === Opcode.LocalSet ? this.pop() : this.h - 1;
        if (this.types[k] === ValType.V128) return this.emit(assign(this.localParts(x), this.parts(k)));
        const value = this.types[k] === ValType.I64 ? [this.read(k), this.readHi(k)] : [this.read(k)];
        return this.emit(assign(this.localParts(x), value));
      }
      case Opcode.GlobalGet:
        return this.globalGet(r.u32());
      case Opcode.GlobalSet:
        return this.globalSet(r.u32());
      case Opcode.TableGet:
      case Opcode.TableSet:
        return this.bridge();
      case Opcode.MemorySize: {
        if (r.u32() !== 0 || this.memory0Wide) return this.bridge();
        const k = this.push(ValType.I32);
        return this.emit(`i${k} = (${this.memory}.size / 65536) | 0;`);
      }
      case Opcode.MemoryGrow: {
        this.bridge();
        return this.emit(REFRESH);
      }
      case Opcode.I32Const: {
        const v = r.s32();
        this.known[this.pushVirtual(ValType.I32, [String(v)])] = [v];
        return;
      }
      case Opcode.I64Const: {
        const v = r.s64();
        const lo = Number(BigInt.asIntN(32, v)), hi = Number(BigInt.asIntN(32, v >> 32n));
        this.known[this.pushVirtual(ValType.I64, [String(lo), String(hi)])] = [lo, hi];
        return;
      }
      case Opcode.F32Const: {
        return void this.pushVirtual(ValType.F32, [f32Literal(r.bits32() | 0)]);
      }
      case Opcode.F64Const: {
        const [lo, hi] = r.bits64();
        return void this.pushVirtual(ValType.F64, [f64Literal(lo | 0, hi | 0)]);
      }
      case Opcode.RefNull: {
        readHeapType(r);
        const k = this.push(ValType.FuncRef); // a reference: where it lives is all that matters here
        return this.emit(`r${k} = null;`);
      }
      case Opcode.RefIsNull: {
        const a = this.pop();
        return this.emitCompare(`r${a} === null`);
      }
      case Opcode.RefFunc: {
        const f = this.func(r.u32());
        const k = this.push(ValType.FuncRef);
        return this.emit(`r${k} = ${f};`);
      }
      case Opcode.RefEq: {
        const b = this.pop(), a = this.pop();
        return this.emitCompare(`${this.read(a)} === ${this.read(b)}`);
      }
      case Opcode.PrefixGC:
        return gc(this, r.u32());
      case Opcode.PrefixFC:
        return this.prefixed(r.u32());
      case Opcode.PrefixSIMD:
        return simd(this, r.u32());
    }
    // Memories other than a 32-bit memory 0 (multiple memories, memory64) go through the interpreter's
    // closures (ops_memory_wide.ts): memory 0's accesses stay inline and as fast as before.
    if (op >= Opcode.I32Load && op <= Opcode.I64Store32 && !this.inlineMemarg()) return this.bridge();
    if (op >= Opcode.I32Load && op <= Opcode.I64Load32U) return this.load(op);
    if (op >= Opcode.I32Store && op <= Opcode.I64Store32) return this.store(op);
    numeric(this, op);
  }

  // ---- exception handling ----

  /** The body has a `try_table` or a legacy `try`: its entry keeps `hd` and `hj` (see `catchEntry`). */
  usesTry = false;
  /**
   * A legacy `delegate` was compiled: from then on, every handler's `catch` first looks at `dl`, the
   * region the exception is delegated to (0: none), and lets pass what is for another.
   */
  sawDelegate = false;

  /** The parameters of tag `x`. */
  tagParams(x: number): ValType[] {
    const m = this.inst.module;
    return m.types[m.tags[x]].params;
  }

  /** The number of the handler region of frame `f` (its label's), for `dl`. */
  regionId(f: Frame): number {
    return Number(f.label.slice(1)) + 1;
  }

  /**
   * The start of the JS `catch` of region frame `f` (its exception `e<label>`): what is delegated
   * elsewhere and what no handler may catch (traps) go on; else `x<label>` is the exnref, `tg` its
   * tag, and what the frames the exception left changed is taken back (the fuel copy, memory).
   */
  catchEntry(f: Frame): string {
    const e = `e${f.label}`, x = `x${f.label}`;
    const lines = [`} catch (${e}) {`];
    if (this.sawDelegate) lines.push(`if (dl !== 0) { if (dl !== ${this.regionId(f)}) throw ${e}; dl = 0; }`);
    lines.push(`${x} = ${RT.E}.caught(${e}); if (${x} === null) throw ${e};`);
    if (this.fuelOnly) lines.push(`if (fl === ${FUEL_IN_CALL}) fl = ${this.meter}.left;`);
    if (this.memory) lines.push(REFRESH);
    lines.push(`tg = ${RT.E}.tagOf(${x});`);
    return lines.join(" ");
  }

  /** Pushes the values of the exception `x<label>` of frame `f` (caught as one of tag `x`'s). */
  pushPayload(f: Frame, x: number): void {
    const params = this.tagParams(x);
    const lines = [`${RT.E}.payload(x${f.label}, s + ${this.callBase});`];
    this.maxArgs = Math.max(this.maxArgs, params.length);
    params.forEach((t, i) => lines.push(this.fromSlot(this.push(t), this.callBase + i)));
    this.emit(lines.join(" "));
  }

  /**
   * A legacy `catch` or `catch_all`: the body (or the handler before) ends, and a handler starts, in
   * the JS `catch` of the `try` (an `if` on the tag per handler), with the tag's values on the stack.
   */
  legacyCatch(op: number, frame: Frame): void {
    const x = op === Opcode.Catch ? this.r.u32() : -1;
    if (frame.unreachable) this.floatLanes.clear();
    else this.canonical();
    const test = x >= 0 ? `if (tg === ${this.constant(`tag ${x}`)}) {` : "{";
    if (frame.kind === Kind.Try) this.emit(`${this.catchEntry(frame)} ${test}`);
    else this.emit(`} else ${test}`);
    frame.kind = Kind.Catch;
    frame.catchAll = x < 0;
    frame.unreachable = false;
    this.known = [];
    this.h = frame.height;
    if (x >= 0) this.pushPayload(frame, x);
  }

  /**
   * `delegate l`: the legacy `try` ends; its `catch` hands what its body threw to the region label
   * `l` leads to (that of its `try` or `try_table`, else the one around its block; -1: the caller).
   */
  delegate(frame: Frame): void {
    const target = this.ctrl.length - 2 - this.r.u32();
    let id = -1;
    for (let i = target; i >= 0 && id < 0; i--) {
      const k = this.ctrl[i].kind;
      if (k === Kind.TryTable || k === Kind.Try) id = this.regionId(this.ctrl[i]);
    }
    this.ctrl.pop();
    if (frame.unreachable) this.floatLanes.clear();
    else this.canonical();
    const e = `e${frame.label}`;
    const check = this.sawDelegate ? `if (dl !== 0 && dl !== ${this.regionId(frame)}) throw ${e}; ` : "";
    this.sawDelegate = true;
    this.declare("dl", "0");
    this.emit(`} catch (${e}) { ${check}dl = ${id}; throw ${e}; } }`);
    this.known = [];
    this.h = frame.height;
    for (const t of frame.results) this.push(t);
  }

  /**
   * `end` of a `try_table` or a legacy `try`. A try_table's catch clauses are branches to their labels
   * in its JS `catch`, with the caught values pushed; the legacy handlers' chain of `if`s is closed,
   * and what none of them takes goes on.
   */
  endTry(frame: Frame): void {
    this.ctrl.pop();
    if (frame.unreachable) this.floatLanes.clear();
    else this.canonical();
    const e = `e${frame.label}`;
    if (frame.kind === Kind.Catch) this.emit(frame.catchAll ? "} } }" : `} else throw ${e}; } }`);
    else {
      this.emit(this.catchEntry(frame));
      this.known = [];
      for (const c of frame.clauses ?? []) {
        this.h = frame.height;
        this.emit(c.tag >= 0 ? `if (tg === ${this.constant(`tag ${c.tag}`)}) {` : "{");
        if (c.tag >= 0) this.pushPayload(frame, c.tag);
        if (c.kind === CatchKind.CatchRef || c.kind === CatchKind.CatchAllRef) {
          this.emit(`r${this.push(ValType.ExnRef)} = x${frame.label};`);
        }
        this.branch(c.label);
        this.emit("}");
      }
      this.emit(`throw ${e}; } }`);
    }
    this.known = [];
    this.h = frame.height;
    for (const t of frame.results) this.push(t);
  }

  brTable(): void {
    const r = this.r;
    const n = r.u32();
    const targets: number[] = [];
    for (let i = 0; i < n; i++) targets.push(r.u32());
    const fallback = r.u32();
    const index = this.pop();
    const cases = new Map<number, number[]>();
    targets.forEach((t, i) => {
      if (t === fallback) return;
      const list = cases.get(t) ?? [];
      list.push(i);
      cases.set(t, list);
    });
    const selector = this.read(index);
    this.canonical();
    this.emit(`switch (${selector}) {`);
    for (const [target, values] of cases) {
      this.emit(values.map((v) => `case ${v}:`).join(" ") + " {");
      this.branch(target);
      this.emit("}");
    }
    this.emit("default: {");
    this.branch(fallback);
    this.emit("}");
    this.emit("}");
    this.setUnreachable();
  }

  select(): void {
    const a = this.h - 3, b = this.h - 2;
    if (this.types[a] === ValType.V128) {
      this.materializeAll();
      const c = this.pop();
      this.pop();
      return this.emit(`if (i${c} === 0) { ${assign(this.parts(a), this.parts(b))} }`);
    }
    // Operands may be virtual, and the condition a comparison just made (`condition`).
    const cond = this.condition();
    this.pop();
    const from = (k: number) =>
      this.types[k] === ValType.I64 ? [this.read(k), this.readHi(k)] : [this.read(k)];
    const [pa, pb] = [from(a), from(b)];
    this.dest(a);
    const to = partsOf(this.types[a], this.v(a), this.vh(a));
    // An i64's halves in one branch: the condition may read the variables written.
    this.emit(
      to.length === 1
        ? `${to[0]} = (${cond}) ? ${pa[0]} : ${pb[0]};`
        : `if (${cond}) { ${assign(to, pa)} } else { ${assign(to, pb)} }`,
    );
  }

  /**
   * Writes the top `n` values as arguments at the callee's frame and calls `target` there. A callee
   * that may end in a tail call (`mayTail`) can hand back a function to run there in its place
   * (see `returnCallWith`): the call site runs those until none comes back.
   */
  callWith(n: number, results: ValType[], target: string, mayTail = true): void {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, this.callBase + i));
    this.h -= n;
    this.maxArgs = Math.max(this.maxArgs, n, results.length);
    const m = this.meter;
    if (this.fuelOnly) lines.push(`${m}.left = fl; fl = ${FUEL_IN_CALL};`);
    const frame = `s + ${this.callBase}`;
    // The callee takes its frame: what it needs of this call's depth and JS stack, it finds in the machine.
    const publish = `${RT.M}.depth = ${RT.M}.limit - dr; ${RT.M}.jsStack = ${JS_BUDGET} - jr;`;
    if (mayTail) {
      this.declare("tc", "undefined");
      lines.push(
        `site = ${this.site}; ${publish} if ((tc = ${target}(${frame})) !== undefined) ` +
          `do { ${publish} tc = tc.entry(${frame}); } while (tc !== undefined);`,
      );
    } else lines.push(`site = ${this.site}; ${publish} ${target}(${frame});`);
    if (this.fuelOnly) lines.push(`fl = ${m}.left;`);
    if (this.memory) lines.push(REFRESH);
    for (let i = 0; i < results.length; i++) {
      const k = this.push(results[i]);
      lines.push(this.fromSlot(k, this.callBase + i));
    }
    this.emit(lines.join(" "));
  }

  /** Global `x`'s cell, or its value seen as int32 or float64 words. */
  global(x: number, view: "i32" | "f64" | "cell"): string {
    return this.constant(`global ${x} ${view}`);
  }

  /** The instance itself (for dropping its segments). */
  instance(): string {
    return this.constant("instance");
  }

  /** The function at `index` of the instance's function space. */
  func(index: number): string {
    return this.constant(`func ${index}`);
  }

  /** The type of function `index` (without making the instance's function object). */
  funcType(index: number): FuncType {
    const m = this.inst.module;
    return m.types[m.funcTypeIndices[index]];
  }

  call(index: number): void {
    const type = this.funcType(index);
    // `self` is this code, which takes direct calls unless it has an OSR entry; code for one loop
    // calls its own function as any other (it stays interpreted).
    const own = index === this.fn.index && this.loop === null;
    if (own ? this.direct : this.directCallable(index)) {
      return this.callDirect(type, own ? "self" : `${this.func(index)}.invoke`);
    }
    this.callWith(
      type.params.length,
      type.results,
      own ? "self" : `${this.func(index)}.entry`,
      this.mayTail(index),
    );
  }

  /**
   * Whether calls of function `index` pass the arguments as JS values and get the result as the value
   * returned (see `WasmFunc.invoke`): a function of the module (an import's `entry` takes the frame),
   * with no tail call to hand back, at most one result, and no v128 (four values).
   */
  directCallable(index: number): boolean {
    if (index < this.inst.module.importedFuncCount || this.mayTail(index)) return false;
    const { params, results } = this.funcType(index);
    return results.length <= 1 && !params.includes(ValType.V128) && !results.includes(ValType.V128);
  }

  /** A direct call of `target` (see `directCallable`) with the top values as its arguments. */
  callDirect(type: FuncType, target: string): void {
    const n = type.params.length;
    const args: string[] = [];
    for (let k = this.h - n; k < this.h; k++) {
      args.push(this.read(k));
      if (this.types[k] === ValType.I64) args.push(this.readHi(k));
    }
    this.h -= n;
    this.maxArgs = Math.max(this.maxArgs, n, type.results.length);
    const m = this.meter;
    const lines: string[] = [];
    if (this.fuelOnly) lines.push(`${m}.left = fl; fl = ${FUEL_IN_CALL};`);
    const call = `${target}(s + ${this.callBase}, jr, dr${args.map((a) => `, ${a}`).join("")})`;
    if (type.results.length === 0) lines.push(`site = ${this.site}; ${call};`);
    else {
      const k = this.push(type.results[0]);
      const hi = this.types[k] === ValType.I64 ? ` ${this.vh(k)} = ${RT.HI}.v;` : "";
      lines.push(`site = ${this.site}; ${this.v(k)} = ${call};${hi}`);
    }
    if (this.fuelOnly) lines.push(`fl = ${m}.left;`);
    if (this.memory) lines.push(REFRESH);
    this.emit(lines.join(" "));
  }

  /**
   * Whether a call to function `index` may come back with a tail callee to run (see `callWith`): an
   * import may be anything; a function of the module only when its body has a tail call (decoded only
   * when a byte of it could be one).
   */
  mayTail(index: number): boolean {
    const m = this.inst.module;
    if (index < m.importedFuncCount) return true;
    let known = tailCallers.get(m);
    if (known === undefined) tailCallers.set(m, known = new Uint8Array(m.funcTypeIndices.length));
    if (known[index] === 0) {
      const body = m.funcs[index - m.importedFuncCount];
      known[index] = 1;
      for (let i = body.codeStart; i < body.codeEnd; i++) {
        const b = m.bytes[i];
        if (b === Opcode.ReturnCall || b === Opcode.ReturnCallIndirect || b === RETURN_CALL_REF) {
          // A byte that looks like one: decode the body to know (a big function has such bytes in
          // its immediates, and a callee that may tail-call takes no direct calls).
          if (hasTailCall(m.bytes, body.codeStart, body.codeEnd, m.types)) known[index] = 2;
          break;
        }
      }
    }
    return known[index] === 2;
  }

  /**
   * A tail call of `target` (a function, or an expression for one) with the top `n` values: they are
   * written as its arguments at this frame's own base, the frame's depth and JS stack are given back
   * as by a return, and the callee goes back to the caller, which runs it at the same slot (`callWith`,
   * the interpreter, `execute`): so tail recursion grows neither the JS stack nor the call depth.
   */
  returnCallWith(n: number, target: string): void {
    this.canonical();
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, i));
    this.h -= n;
    this.maxArgs = Math.max(this.maxArgs, n);
    if (this.fuelOnly) lines.push(`${this.meter}.left = fl;`);
    lines.push(`return ${target};`);
    this.emit(lines.join(" "));
    this.setUnreachable();
  }

  returnCall(index: number): void {
    const type = this.funcType(index);
    this.returnCallWith(type.params.length, index === this.fn.index ? "F" : this.func(index));
  }

  returnCallIndirect(typeIndex: number, tableIndex: number): void {
    const type = this.inst.module.types[typeIndex];
    this.indirectCallee(typeIndex, tableIndex);
    this.returnCallWith(type.params.length, "cf");
  }

  callIndirect(typeIndex: number, tableIndex: number): void {
    const type = this.inst.module.types[typeIndex];
    this.indirectCallee(typeIndex, tableIndex);
    this.callWith(type.params.length, type.results, "cf.entry");
  }

  /** Pops the table index of an indirect call: `cf` is the callee, checked against type `typeIndex`. */
  indirectCallee(typeIndex: number, tableIndex: number): void {
    // A constant, not a number in the source: ids are this process's numbering, and the compile cache
    // hands the source to another process.
    const sig = this.constant(`sig ${typeIndex}`);
    const table = this.constant(`table ${tableIndex}`);
    const sel = this.pop();
    const at = this.site;
    // A 64-bit table's index: beyond 2^32 it is out of bounds (no table is that long).
    const wide = this.inst.module.tables[tableIndex].limits.address64 === true;
    const index = wide ? `(${this.readHi(sel)} !== 0 ? -1 : ${this.read(sel)})` : `i${sel}`;
    this.emit(
      `t = ${index} >>> 0; cf = ${table}.elements; if (t >= cf.length) ${RT.E}.trapAt(${at}, "undefined element"); ` +
        `cf = cf[t]; if (cf === null) ${RT.E}.trapAt(${at}, "uninitialized element"); ` +
        `if (cf.sigId !== ${sig} && !${RT.E}.sigMatches(cf.sigId, ${sig})) ` +
        `${RT.E}.trapAt(${at}, "indirect call type mismatch");`,
    );
  }

  globalGet(x: number): void {
    const g = this.inst.globals[x];
    const k = this.push(g.type);
    const v = this.v(k);
    switch (g.type) {
      case ValType.I32:
        return this.emit(`${v} = ${this.global(x, "i32")}[0];`);
      case ValType.F32:
        return this.emit(`${v} = ${f32FromBits(`${this.global(x, "i32")}[0]`)};`);
      case ValType.I64: {
        const c = this.global(x, "i32");
        return this.emit(`${v} = ${c}[0]; y${k} = ${c}[1];`);
      }
      case ValType.F64:
        return this.emit(`${v} = ${this.global(x, "f64")}[0];`);
      case ValType.V128: {
        const c = this.global(x, "i32");
        return this.emit(this.parts(k).map((p, i) => `${p} = ${c}[${i}];`).join(" "));
      }
    }
    this.emit(`${v} = ${this.global(x, "cell")}.ref;`);
  }

  globalSet(x: number): void {
    const g = this.inst.globals[x];
    // An i32, i64 or f64 is stored as it is read (a local or a constant, virtual: C's stack pointer
    // written back from the local that holds it); other types from their variables.
    const direct = g.type === ValType.I32 || g.type === ValType.I64 || g.type === ValType.F64;
    if (!direct) this.materialize(this.h - 1);
    const k = this.pop();
    const v = this.read(k);
    switch (g.type) {
      case ValType.I32:
        return this.emit(`${this.global(x, "i32")}[0] = ${v};`);
      case ValType.F32:
        return this.emit(`${this.global(x, "i32")}[0] = ${f32Bits(v)};`);
      case ValType.I64: {
        const c = this.global(x, "i32");
        return this.emit(`${c}[0] = ${v}; ${c}[1] = ${this.readHi(k)};`);
      }
      case ValType.F64:
        return this.emit(`${this.global(x, "f64")}[0] = ${v};`);
      case ValType.V128: {
        const c = this.global(x, "i32");
        return this.emit(this.parts(k).map((p, i) => `${c}[${i}] = ${p};`).join(" "));
      }
    }
    this.emit(`${this.global(x, "cell")}.ref = ${v};`);
  }

  // ---- memory ----

  /** Memory 0 has 64-bit addresses: its instructions are bridged too. */
  get memory0Wide(): boolean {
    const memories = this.inst.module.memories;
    return memories.length > 0 && memories[0].limits.address64 === true;
  }

  /** The memarg ahead (not consumed) addresses a 32-bit memory 0: the access is compiled inline. */
  inlineMemarg(): boolean {
    const r = this.r, pos = r.pos;
    const memory = readMemarg(r).memory;
    r.pos = pos;
    return memory === 0 && !this.memory0Wide;
  }

  /** Sets `ea` to the effective address of the access and traps when `size` bytes do not fit. */
  address(k: number, size: number): string {
    this.usesSize = true;
    return `ea = ${this.effectiveAddress(k)}; if (ea > ms - ${size}) ${RT.E}.oob(${this.site});`;
  }

  /**
   * `ea` = the effective address of an access made of several DataView accesses, one of which
   * reaches its last byte: their own bounds checks are the access's (see `effectiveAddress`).
   */
  checkedByView(k: number): string {
    return `site = ${this.site}; ea = ${this.effectiveAddress(k)};`;
  }

  /**
   * The effective address of a load or store at depth `k`, checked by no bounds check of ours: the
   * DataView checks them as exactly as wasm asks (it covers the memory's bytes and no more), and its
   * RangeError becomes, in `unwind`, the trap of the instruction at `site`, which the access sets
   * first. A redundant check of our own costs about as much as the access (an unsigned address is a
   * float64 to V8).
   */
  effectiveAddress(k: number): string {
    const offset = readMemarg(this.r).offset; // memory 0, 32-bit: `inlineMemarg`
    const a = this.read(k);
    this.usesMemory = true;
    // A constant address (a C global's) is one number: one instruction fewer for V8's lower tiers.
    const constant = a === "" ? NaN : Number(a);
    if (Number.isInteger(constant)) return String((constant >>> 0) + offset);
    return offset === 0 ? `${a} >>> 0` : `(${a} >>> 0) + ${offset}`;
  }

  load(op: number): void {
    const a = this.pop();
    const ea = this.effectiveAddress(a);
    const LOAD_TYPE = [
      ValType.I32,
      ValType.I64,
      ValType.F32,
      ValType.F64,
      ValType.I32,
      ValType.I32,
      ValType.I32,
      ValType.I32,
    ];
    const k = this.push(op < Opcode.I64Load8S ? LOAD_TYPE[op - Opcode.I32Load] : ValType.I64);
    const v = this.v(k);
    let code: string;
    switch (op) {
      case Opcode.I32Load:
        code = `${v} = dv.getInt32(${ea}, true);`;
        break;
      case Opcode.F32Load:
        code = `ea = ${ea}; ${v} = dv.getFloat32(ea, true); ` +
          `if (${v} !== ${v}) ${v} = ${RT.E}.f32FromBits(dv.getInt32(ea, true));`;
        break;
      case Opcode.I64Load: // the high word first: it is the one past the end when either is
        code = `ea = ${ea}; y${k} = dv.getInt32(ea + 4, true); ${v} = dv.getInt32(ea, true);`;
        break;
      case Opcode.F64Load:
        code = `${v} = dv.getFloat64(${ea}, true);`;
        break;
      case Opcode.I32Load8S:
        code = `${v} = dv.getInt8(${ea});`;
        break;
      case Opcode.I32Load8U:
        code = `${v} = dv.getUint8(${ea});`;
        break;
      case Opcode.I32Load16S:
        code = `${v} = dv.getInt16(${ea}, true);`;
        break;
      case Opcode.I32Load16U:
        code = `${v} = dv.getUint16(${ea}, true);`;
        break;
      case Opcode.I64Load8S:
        code = `${v} = dv.getInt8(${ea}); y${k} = ${v} >> 31;`;
        break;
      case Opcode.I64Load8U:
        code = `${v} = dv.getUint8(${ea}); y${k} = 0;`;
        break;
      case Opcode.I64Load16S:
        code = `${v} = dv.getInt16(${ea}, true); y${k} = ${v} >> 31;`;
        break;
      case Opcode.I64Load16U:
        code = `${v} = dv.getUint16(${ea}, true); y${k} = 0;`;
        break;
      case Opcode.I64Load32S:
        code = `${v} = dv.getInt32(${ea}, true); y${k} = ${v} >> 31;`;
        break;
      default:
        code = `${v} = dv.getInt32(${ea}, true); y${k} = 0;`;
    }
    this.emit(`site = ${this.site}; ${code}`);
  }

  store(op: number): void {
    const k = this.pop();
    const a = this.pop();
    const ea = this.effectiveAddress(a);
    const v = this.read(k);
    let code: string;
    switch (op) {
      case Opcode.I32Store:
      case Opcode.I64Store32:
        code = `dv.setInt32(${ea}, ${v}, true);`;
        break;
      case Opcode.F32Store:
        code = `ea = ${ea}; ` +
          `if (${v} === ${v}) dv.setFloat32(ea, ${v}, true); else dv.setInt32(ea, ${RT.E}.f32NaNBits(${v}), true);`;
        break;
      case Opcode.I64Store: // the high word first: when it does not fit, nothing may be written
        code = `ea = ${ea}; dv.setInt32(ea + 4, ${this.readHi(k)}, true); dv.setInt32(ea, ${v}, true);`;
        break;
      case Opcode.F64Store:
        code = `dv.setFloat64(${ea}, ${v}, true);`;
        break;
      case Opcode.I32Store8:
      case Opcode.I64Store8:
        code = `dv.setInt8(${ea}, ${v});`;
        break;
      default:
        code = `dv.setInt16(${ea}, ${v}, true);`;
    }
    this.emit(`site = ${this.site}; ${code}`);
  }

  prefixed(sub: number): void {
    switch (sub) {
      case 9: // data.drop
        return this.emit(`${this.instance()}.datas[${this.r.u32()}] = ${this.constant("empty")};`);
      case 13: // elem.drop
        return this.emit(`${this.instance()}.elems[${this.r.u32()}] = [];`);
    }
    // saturating truncations, bulk memory and the other table instructions
    if (sub <= 17) return this.bridge();
    throw new Error(`js tier: unknown 0xfc opcode ${sub}`);
  }

  // ---- the function ----

  /** What a call charges on entry (not a call taken over at the OSR loop: it was charged). */
  entryCharge(): string {
    const charge = this.charge(this.costs!.entry, this.fn.body.codeStart);
    return this.osr ? `if (!osr) { ${charge} }` : charge;
  }

  /** The statement that reads local `x` from the frame at `s` (`s2` = 2·s). */
  loadLocal(x: number): string {
    const l = this.local(x);
    switch (this.localTypes[x]) {
      case ValType.V128:
        return `t = 4 * (s + ${x}); ` +
          this.localParts(x).map((p, i) => `${p} = ${RT.V}[t + ${i}];`).join(" ");
      case ValType.I32:
        return `${l} = ${RT.I32}[s2 + ${2 * x}];`;
      case ValType.F32:
        return `${l} = ${f32FromBits(`${RT.I32}[s2 + ${2 * x}]`)};`;
      case ValType.I64:
        return `${l} = ${RT.I32}[s2 + ${2 * x}]; ${this.localHi(x)} = ${RT.I32}[s2 + ${2 * x + 1}];`;
      case ValType.F64:
        return `${l} = ${RT.F64}[s + ${x}];`;
    }
    return `${l} = ${RT.R}[s + ${x}];`;
  }

  /** The statement that writes local `x`, of any type, into the frame at `s`. */
  writeLocal(x: number): string {
    if (this.localTypes[x] !== ValType.V128) return this.storeLocal(x);
    return `t = 4 * (s + ${x}); ` + this.localParts(x).map((p, i) => `${RT.V}[t + ${i}] = ${p};`).join(" ");
  }

  /** The statement that writes local `x` (a parameter) into the frame at `s`. */
  storeLocal(x: number): string {
    return slotWrite(this.localTypes[x], x, this.local(x), this.localHi(x)); // no v128: see `directCallable`
  }

  assemble(): JsUnit {
    const fn = this.fn;
    const params = fn.type.params;
    // Parameters come in the frame (or, to a direct call, as JS parameters); the declarations below
    // start the other locals at zero (or null), unless the call is taken over at the OSR loop: then
    // they come in the frame too.
    const loop = this.loop;
    // Direct code takes its parameters as JS parameters only (a call with the frame goes through
    // an adapter, engine/frame_entry.ts): no loads, and the bytes V8 counts against inlining it stay few.
    const loads = loop ? loop.used.map((x) => this.loadLocal(x)) : params.map((_, x) => this.loadLocal(x));
    const paramNames = params.flatMap((_, x) => this.localParts(x));
    const prologue = this.direct ? [] : loads;
    if (this.osr && !loop && this.localTypes.length > params.length) {
      const rest = this.localTypes.slice(params.length).map((_, i) => this.loadLocal(params.length + i));
      prologue.push(`if (osr) { ${rest.join(" ")} }`);
    }
    const decls = [...this.vars].map(([name, init]) => `${name} = ${init}`);
    const declared = loop ? loop.used : [...this.localTypes.keys()].slice(this.direct ? params.length : 0);
    for (const x of declared) {
      const init = isRefType(this.localTypes[x]) ? "null" : "0";
      for (const name of this.localParts(x)) decls.push(`${name} = ${init}`);
    }
    // The scratch variables only where the body names them: each declaration is an instruction of
    // every call (V8's interpreter and baseline tiers run much of a real program's code).
    const body = this.out.join("\n");
    const named = scratchNamed([prologue.join("\n"), body], SCANNED);
    for (const [name, init] of SCRATCH) if (named.has(name)) decls.push(`${name} = ${init}`);
    decls.push("site = 0");
    if (this.fuelOnly) decls.push(`fl = ${this.meter}.left`);
    if (this.usesMemory) decls.push(`dv = ${this.memory}.view`);
    if (this.usesSize) decls.push(`ms = ${this.memory}.size`);
    // The declarations, `jr` and `dr`, and for a direct call its parameters, `dc` and `dd` among them.
    const jsCost = 8 * (decls.length + 2 + (this.direct ? paramNames.length + 2 : 0) + 24);
    const refresh = (this.usesMemory ? `dv = ${this.memory}.view;` : "") +
      (this.usesSize ? ` ms = ${this.memory}.size;` : "");
    const slotLimit = STACK_SLOTS - this.callBase - this.maxArgs - 1;
    const consts = this.consts.map((_, i) => `k${i} = K[${i}]`);
    const M = RT.M;
    // Out of room: the call goes on on the interpreter, which counts it from the machine's registers.
    const publish = `${M}.depth = ${M}.limit - dr - 1; ${M}.jsStack = ${JS_BUDGET - jsCost} - jr;`;
    let deep = `{ ${publish} return ${RT.E}.deep(F, s); }`;
    if (this.osr) deep = `{ if (osr) return 1; ${publish} return ${RT.E}.deep(F, s); }`;
    else if (this.direct) {
      // A direct call that must go on on the interpreter: its arguments into the frame, its result out
      // (engine/tiering.ts `deepDirect`, which reads the caller's room from `dc` and `dd`).
      deep = `return ${RT.E}.deepDirect(F, s, dc, dd, [${paramNames.join(", ")}]);`;
    }
    const signature = this.osr ? "s, osr" : this.direct ? ["s", "dc", "dd", ...paramNames].join(", ") : "s";
    // What is left after this frame (see `WasmFunc.invoke`): JS stack `jr` and call depth `dr`, from the
    // direct caller's arguments, or else from the machine's registers.
    const left = this.direct
      ? `const jr = dc - ${jsCost}, dr = dd - 1;`
      : `const jr = ${JS_BUDGET - jsCost} - ${M}.jsStack, dr = ${M}.limit - ${M}.depth - 1;`;
    const source = [
      '"use strict";',
      consts.length ? `const ${consts.join(", ")};` : "",
      // In parentheses: V8 compiles the function with the one around it, so a compile cache that
      // keeps this source (engine/code_cache.ts) gets its bytecode into V8's code cache.
      sourceStart(fn.inst.module, fn.index, signature), // `const self = ({ "<wasm name>": (function (s) {`
      named.has("s2") ? "const s2 = s * 2;" : "",
      left,
      `if (dr < 0 || jr < 0 || s > ${slotLimit}) ${deep}`,
      `let ${decls.join(", ")};`,
      ...prologue,
      "try {",
      this.costs && !loop ? this.entryCharge() : "",
      ...(this.out.length > 0 ? [body.replaceAll(REFRESH, refresh)] : []),
      this.fuelOnly
        ? `} catch (e) { if (fl !== ${FUEL_IN_CALL}) ${this.meter}.left = fl; throw ${RT.E}.unwind(e, F, site); }`
        : `} catch (e) { throw ${RT.E}.unwind(e, F, site); }`,
      sourceEnding(fn.inst.module, fn.index), // `}) })["<wasm name>"];`, and its wasm URL (names.ts)
    ].join("\n");
    return { source, consts: this.consts, bridged: this.bridged, jsCost, direct: this.direct };
  }
}

/**
 * Opcodes whose handlers read their operands with `read` (or only move or drop them), so virtual
 * operands may reach them: control (whose joins materialize), locals, constants, i32 and f64
 * arithmetic and comparisons, loads and stores. Before any other instruction they are materialized.
 */
const VIRTUAL_AWARE: boolean[] = (() => {
  const aware: boolean[] = [];
  const mark = (from: number, to: number) => {
    for (let op = from; op <= to; op++) aware[op] = true;
  };
  mark(Opcode.Unreachable, Opcode.Else); // unreachable, nop, block, loop, if, else
  mark(Opcode.End, Opcode.Return); // end, br, br_if, br_table, return
  mark(Opcode.Drop, Opcode.SelectT); // drop, select
  mark(Opcode.LocalGet, Opcode.LocalTee); // local.get, local.set, local.tee
  mark(Opcode.GlobalSet, Opcode.GlobalSet);
  mark(Opcode.I32Load, Opcode.I64Store32); // loads and stores
  mark(Opcode.I32Const, Opcode.F64Const); // constants
  mark(Opcode.I32Eqz, Opcode.I32GeU); // i32 comparisons
  mark(Opcode.I64Eqz, Opcode.I64GeU); // i64 comparisons
  mark(Opcode.F64Eq, Opcode.F64Ge); // f64 comparisons
  mark(Opcode.I32Add, Opcode.I32Rotr); // i32 arithmetic
  mark(Opcode.I64Add, Opcode.I64Rotr); // i64 arithmetic (not clz, ctz, popcnt)
  mark(Opcode.F64Add, Opcode.F64Max); // f64 arithmetic
  return aware;
})();

/**
 * Where memory may have grown (after calls and memory.grow), the cached view and size are reloaded;
 * a marker in the body until the function is known to use them.
 */
const REFRESH = "/*refresh*/";

/** The statement that writes a value of type `t` (not v128), `lo` (and `hi` for an i64), into frame slot `slot`. */
function slotWrite(t: ValType, slot: number, lo: string, hi: string): string {
  switch (t) {
    case ValType.I32:
      return `${RT.I32}[s2 + ${2 * slot}] = ${lo};`;
    case ValType.F32:
      return `${RT.I32}[s2 + ${2 * slot}] = ${f32Bits(lo)};`;
    case ValType.I64:
      return `${RT.I32}[s2 + ${2 * slot}] = ${lo}; ${RT.I32}[s2 + ${2 * slot + 1}] = ${hi};`;
    case ValType.F64:
      return `${RT.F64}[s + ${slot}] = ${lo};`;
  }
  return `${RT.R}[s + ${slot}] = ${lo};`;
}

/** The scratch variables generated code may use, and their initial values. */
const SCRATCH = [
  ["t", "0"],
  ["ea", "0"],
  ["cf", "null"],
  ["m0", "0"],
  ["m1", "0"],
  ["m2", "0"],
  ["m3", "0"],
  ["m4", "0"],
];

/** The names `assemble` declares only where the code uses them: the scratch variables, and `s2` (2·s). */
const SCANNED = [...SCRATCH.map(([name]) => name), "s2"];

/**
 * The names of `names` that `texts` name (as whole words): one scan, which looks from where it found
 * a name on for the names not found yet, instead of a scan of the whole body per variable.
 */
export function scratchNamed(texts: string[], names: readonly string[] = SCANNED): Set<string> {
  const named = new Set<string>();
  for (const text of texts) {
    for (let from = 0;;) {
      const left = names.filter((name) => !named.has(name));
      if (left.length === 0) return named;
      const word = new RegExp(`\\b(?:${left.join("|")})\\b`, "g");
      word.lastIndex = from;
      const found = word.exec(text);
      if (found === null) break;
      named.add(found[0]);
      from = found.index + found[0].length;
    }
  }
  return named;
}

/** What the local fuel copy holds while a call runs (a value `left` never takes: see `fuelOnly`). */
const FUEL_IN_CALL = -2147483648;

const EMPTY = new Uint8Array(0);

/** `return_call_ref`'s opcode (typed function references): compiled callers look for it already. */
const RETURN_CALL_REF = 0x15;

/** Per module, by function index: 0 not known yet, 1 no tail call in its body, 2 maybe (`mayTail`). */
const tailCallers = new WeakMap<ModuleInfo, Uint8Array>();

/**
 * The text of what decides how generated JS looks (this compiler, its parts and the names the code
 * uses): code that a compile cache kept from a different text may not fit this engine.
 */
export function generatorText(): string {
  return [
    Compiler,
    compileToJs,
    constGetter,
    slotWrite,
    scratchNamed,
    hasTailCall,
    JSON.stringify({
      MAX_NESTING,
      VIRTUAL_AWARE,
      REFRESH,
      SCRATCH,
      SCANNED,
      FUEL_IN_CALL,
      RETURN_CALL_REF,
      JS_BUDGET,
    }),
    numericText(),
    simdText(),
    gcText(),
    namesText(),
    bridgesText(),
  ].map(String).join("\n");
}

/**
 * Compiles `fn` to JS source, able to take over a running call at the loop at byte offset `loopAt`
 * when that is not -1; throws `Unsupported` when it must stay on the interpreter.
 */
export function compileToJs(fn: WasmFunc, loopAt = -1, loopOnly = false): JsUnit {
  return new Compiler(fn, loopAt, loopOnly).compile();
}
