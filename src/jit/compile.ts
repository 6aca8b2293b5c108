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
 * Rare operations (table and bulk-memory instructions, conversions that trap, most SIMD) reuse the
 * interpreter's closures through a few scratch slots of the frame instead of a second copy. Fuel and
 * profiles are charged exactly as the interpreter charges them, so the count does not depend on
 * the tier.
 */
import { Reader } from "../reader.ts";
import { type FuncType, ValType } from "../types.ts";
import type { InstanceState, Op, WasmFunc } from "../interp/runtime.ts";
import { STACK_SLOTS } from "../interp/machine.ts";
import { skipImmediates } from "../interp/lower.ts";
import { convert } from "../interp/ops_convert.ts";
import { memoryCopy, memoryFill, memoryGrow, memoryInit } from "../interp/ops_memory.ts";
import { tableOp } from "../interp/ops_table.ts";
import { lowerSimd, skipSimdImmediates } from "../interp/lower_simd.ts";

/** The function cannot be compiled to JS (nesting too deep for a JS parser); it stays interpreted. */
export class Unsupported extends Error {}

/** Generated source, and the objects it refers to as `K[i]`. */
export interface JsUnit {
  source: string;
  consts: unknown[];
  /** Bytes of JS stack a call may take, counted against the tier's budget. */
  jsCost: number;
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
  /** For loops, when metered: `count` at the start, and the line that charges an iteration. */
  countStart?: number;
  meterLine?: number;
  at: number;
}

const OOB = '"out of bounds memory access"';
const LOAD_SIZE = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4];
const STORE_SIZE = [4, 8, 4, 8, 1, 2, 1, 2, 4];

function letter(t: ValType): string {
  switch (t) {
    case ValType.I32:
      return "i";
    case ValType.I64:
      return "x";
    case ValType.F32:
      return "f";
    case ValType.F64:
      return "d";
    case ValType.FuncRef:
    case ValType.ExternRef:
      return "r";
  }
  return "v"; // v128: four int32 lanes, `v3_0` … `v3_3`
}

const LANES = [0, 1, 2, 3];

/** The JS variables holding a value of type `t` whose variable (or low half) is `base`. */
function partsOf(t: ValType, base: string, hi: string): string[] {
  if (t === ValType.I64) return [base, hi];
  if (t === ValType.V128) return LANES.map((i) => `${base}_${i}`);
  return [base];
}

/** `a = b` for every part of two values of the same type. */
function assign(to: string[], from: string[]): string {
  return to.map((name, i) => `${name} = ${from[i]};`).join(" ");
}

/** JS for the bits of the f32 number `v` (a variable): plain unless it is a NaN. */
function f32Bits(v: string): string {
  return `(${v} === ${v} ? B(${v}) : E.f32NaNBits(${v}))`;
}

/** JS for the f32 number of the bits `e` (an expression). */
function f32FromBits(e: string): string {
  return `E.f32FromBits(${e})`;
}

/** A JS literal for the f32 with the given bits. */
function f32Literal(bits: number): string {
  const cell = new DataView(new ArrayBuffer(4));
  cell.setInt32(0, bits, true);
  const x = cell.getFloat32(0, true);
  if (x !== x) return `E.f32FromBits(${bits})`;
  return Object.is(x, -0) ? "-0" : String(x);
}

/** A JS literal for an f64 given by its bits, exact for -0, infinities and NaN payloads. */
function f64Literal(lo: number, hi: number): string {
  const cell = new DataView(new ArrayBuffer(8));
  cell.setInt32(0, lo, true), cell.setInt32(4, hi, true);
  const x = cell.getFloat64(0, true);
  if (x !== x) return `(SI[0] = ${lo}, SI[1] = ${hi}, SD[0])`;
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

class Compiler {
  private readonly r: Reader;
  private readonly inst: InstanceState;
  private readonly type: FuncType;
  private readonly localTypes: ValType[];
  private out: string[] = [];
  private consts: unknown[] = [];
  private constIds = new Map<unknown, string>();
  private vars = new Map<string, string>(); // name → initial value
  private types: ValType[] = [];
  /**
   * Stack depths holding a v128 whose lanes are f32 numbers rather than bits: what f32x4 arithmetic
   * produces, so that a chain of it converts only at its ends. `parts` converts back on any other use.
   */
  private floatLanes = new Set<number>();
  /** Constant values (bits) of stack depths written by a `const` and not since. */
  private known: (number[] | null)[] = [];
  private h = 0;
  private ctrl: Frame[] = [];
  private labels = 0;
  private at = 0;
  /** The last line is `v = (cmp) ? 1 : 0`: a branch on `v` may use `cmp` and drop the line. */
  private lastCmp: { line: number; depth: number; expr: string } | null = null;
  /** Slots of the frame: params/results, then four scratch slots, then the callee's frame. */
  private readonly scratch: number;
  private readonly callBase: number;
  private maxArgs = 0;
  private readonly memory: string | null;
  /** Checks the clock every few thousand calls and loop iterations (the instance has a timeout). */
  /** The instance's meter (fuel, timeout, profile), when it has one. */
  private readonly meter: string | null;
  /** Instructions compiled so far, and those outside any loop: fuel counts them as the interpreter does. */
  private count = 0;
  private flatCount = 0;
  private loopDepth = 0;

  constructor(private readonly fn: WasmFunc) {
    this.inst = fn.inst;
    this.type = fn.type;
    const module = fn.inst.module;
    this.r = new Reader(module.bytes, fn.body.codeStart, fn.body.codeEnd);
    this.localTypes = [...fn.type.params, ...fn.body.locals];
    this.scratch = Math.max(fn.type.params.length, fn.type.results.length);
    this.callBase = this.scratch + 4;
    this.memory = fn.inst.memories.length > 0 ? this.constant(fn.inst.memories[0]) : null;
    const meter = fn.inst.meter;
    this.meter = meter ? this.constant(meter) : null;
  }

  /**
   * Charges `n` instructions to the meter (the interpreter's rule: a call charges the function's
   * instructions outside loops, each loop iteration the loop's), for the instruction at `at`.
   */
  private charge(n: number, at: number): string {
    const m = this.meter;
    if (this.fuelOnly) {
      return `if ((fl -= ${n}) < 0) { site = ${at}; ${m}.left = fl; fl = ${FUEL_IN_CALL}; ${m}.refill(); fl = ${m}.left; }`;
    }
    return `site = ${at}; ${m}.charge(${n}, ${this.fn.index});`;
  }

  /**
   * With fuel alone, the function spends from a local copy `fl` of the meter's `left` (a property
   * write per loop iteration costs as much as a small loop): it is written back around calls and
   * on the way out. During a call (and a refill) `fl` holds FUEL_IN_CALL, so an exception passing
   * through does not write back a stale copy over what the meter counted since.
   */
  private get fuelOnly(): boolean {
    return this.fn.inst.meter?.fuelOnly === true;
  }

  // ---- names ----

  private constant(v: unknown): string {
    let id = this.constIds.get(v);
    if (id === undefined) {
      id = `k${this.consts.length}`;
      this.consts.push(v);
      this.constIds.set(v, id);
    }
    return id;
  }

  private declare(name: string, init: string): string {
    if (!this.vars.has(name)) this.vars.set(name, init);
    return name;
  }

  /** Variable of the value at stack depth `k` (its low half, for i64). */
  private v(k: number): string {
    return `${letter(this.types[k])}${k}`;
  }

  /** High half of the i64 at depth `k`. */
  private vh(k: number): string {
    return `y${k}`;
  }

  private local(x: number): string {
    return `l${x}`;
  }

  private localHi(x: number): string {
    return `h${x}`;
  }

  /** Every variable of the value at depth `k` (two for i64, four for v128 lanes as bits). */
  private parts(k: number): string[] {
    if (this.floatLanes.has(k)) {
      this.floatLanes.delete(k);
      this.emit(this.lanes(k).map((x) => `${x} = ${f32Bits(x)};`).join(" "));
    }
    return partsOf(this.types[k], this.v(k), `y${k}`);
  }

  /** The lane variables of the v128 at depth `k`, in whatever form they are. */
  private lanes(k: number): string[] {
    return LANES.map((i) => `v${k}_${i}`);
  }

  /**
   * Back to bits: every v128 whose lanes hold f32 numbers. Called where control flow splits or
   * joins, so that all paths agree on the form of every value.
   */
  private canonical(): void {
    for (const k of this.floatLanes) {
      if (k < this.h) this.emit(this.lanes(k).map((x) => `${x} = ${f32Bits(x)};`).join(" "));
    }
    this.floatLanes.clear();
  }

  /** Every variable of local `x`. */
  private localParts(x: number): string[] {
    return partsOf(this.localTypes[x], this.local(x), this.localHi(x));
  }

  private push(t: ValType): number {
    const k = this.h++;
    this.types[k] = t;
    this.known[k] = null;
    this.floatLanes.delete(k);
    const init = isRef(t) ? "null" : "0";
    for (const name of this.parts(k)) this.declare(name, init);
    return k;
  }

  private pop(): number {
    return --this.h;
  }

  private emit(line: string): void {
    this.out.push(line);
    this.lastCmp = null;
    // whatever this line wrote at the top is no longer a known constant (pushes set it again after)
    if (this.h > 0) this.known[this.h - 1] = null;
  }

  /** Pushes the i32 result of a comparison, remembering it so a branch can test `expr` directly. */
  private emitCompare(expr: string): void {
    const k = this.push(ValType.I32);
    this.out.push(`i${k} = (${expr}) ? 1 : 0;`);
    this.lastCmp = { line: this.out.length - 1, depth: k, expr };
  }

  /** Pops an i32 and returns a JS condition for it being non-zero. */
  private condition(): string {
    const k = this.pop();
    const c = this.lastCmp;
    if (c && c.depth === k && c.line === this.out.length - 1) {
      this.out.pop();
      this.lastCmp = null;
      return c.expr;
    }
    return `i${k} !== 0`;
  }

  // ---- slots ----

  /** Stores the value at depth `k` into frame slot `slot`. */
  private toSlot(k: number, slot: number): string {
    const t = this.types[k], v = this.v(k);
    switch (t) {
      case ValType.I32:
        return `I32[s2 + ${2 * slot}] = ${v};`;
      case ValType.F32:
        return `I32[s2 + ${2 * slot}] = ${f32Bits(v)};`;
      case ValType.I64:
        return `I32[s2 + ${2 * slot}] = ${v}; I32[s2 + ${2 * slot + 1}] = ${this.vh(k)};`;
      case ValType.F64:
        return `F64[s + ${slot}] = ${v};`;
      case ValType.V128:
        return `t = 4 * (s + ${slot}); ` + this.parts(k).map((p, i) => `V[t + ${i}] = ${p};`).join(" ");
    }
    return `R[s + ${slot}] = ${v};`;
  }

  /** Loads frame slot `slot` into the value at depth `k`. */
  private fromSlot(k: number, slot: number): string {
    const t = this.types[k], v = this.v(k);
    switch (t) {
      case ValType.I32:
        return `${v} = I32[s2 + ${2 * slot}];`;
      case ValType.F32:
        return `${v} = ${f32FromBits(`I32[s2 + ${2 * slot}]`)};`;
      case ValType.I64:
        return `${v} = I32[s2 + ${2 * slot}]; ${this.vh(k)} = I32[s2 + ${2 * slot + 1}];`;
      case ValType.F64:
        return `${v} = F64[s + ${slot}];`;
      case ValType.V128:
        return `t = 4 * (s + ${slot}); ` + this.parts(k).map((p, i) => `${p} = V[t + ${i}];`).join(" ");
    }
    return `${v} = R[s + ${slot}];`;
  }

  /**
   * Runs an interpreter closure on the operands at the top of the stack: they are stored in the
   * scratch slots (first operand first), `make` gets those slots and a result slot.
   */
  private bridge(operands: number, result: ValType | null, make: (slots: number[], dst: number) => Op): void {
    const slots: number[] = [];
    const lines: string[] = [];
    for (let i = 0; i < operands; i++) {
      const slot = this.scratch + i;
      slots.push(slot);
      lines.push(this.toSlot(this.h - operands + i, slot));
    }
    this.h -= operands;
    const dst = this.scratch + 3;
    const op = this.constant(make(slots, dst));
    this.emit(`${lines.join(" ")} site = ${this.at}; ${op}(s2);`);
    if (result !== null) {
      const k = this.push(result);
      this.emit(this.fromSlot(k, dst));
    }
  }

  // ---- control ----

  private blockType(): { params: ValType[]; results: ValType[] } {
    const r = this.r;
    const b = r.bytes[r.pos];
    if (b === 0x40) {
      r.pos++;
      return { params: [], results: [] };
    }
    if (b >= 0x6f && b <= 0x7f) {
      r.pos++;
      return { params: [], results: [b as ValType] };
    }
    const t = this.inst.module.types[r.s33()];
    return { params: t.params, results: t.results };
  }

  private pushFrame(kind: Kind, params: ValType[], results: ValType[], dead: boolean): Frame {
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

  private frame(): Frame {
    return this.ctrl[this.ctrl.length - 1];
  }

  private setUnreachable(): void {
    this.floatLanes.clear();
    const f = this.frame();
    f.unreachable = true;
    this.h = f.height;
  }

  /** Moves the top `n` values down to depths from `height` (a branch's arguments). */
  private moveDown(height: number, n: number): void {
    const from = this.h - n;
    if (from === height) return;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const src = from + i, dst = height + i;
      this.known[dst] = null;
      this.types[dst] = this.types[src]; // same types: validation guarantees the branch's arity matches
      const init = isRef(this.types[src]) ? "null" : "0";
      for (const name of this.parts(dst)) this.declare(name, init);
      lines.push(assign(this.parts(dst), this.parts(src)));
    }
    this.emit(lines.join(" "));
  }

  /** Code that branches to the frame `depth` levels out (values are moved, then break/continue). */
  private branch(depth: number): void {
    this.canonical();
    const target = this.ctrl[this.ctrl.length - 1 - depth];
    if (target.kind === Kind.Func) return this.emitReturn();
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

  private emitReturn(): void {
    this.canonical();
    const n = this.type.results.length;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, i));
    if (this.fuelOnly) lines.push(`${this.meter}.left = fl;`);
    lines.push("M.depth--; M.jsStack -= COST; return;");
    this.emit(lines.join(" "));
  }

  private end(): void {
    const frame = this.ctrl.pop()!;
    if (frame.dead) return;
    if (frame.unreachable) this.floatLanes.clear();
    else this.canonical();
    if (frame.countStart !== undefined) {
      this.out[frame.meterLine!] = this.charge(Math.max(1, this.count - frame.countStart), frame.at);
      this.loopDepth--;
    }
    if (frame.kind === Kind.Func) {
      if (!frame.unreachable) this.emitReturn();
      return;
    }
    if (frame.kind === Kind.Loop && !frame.unreachable) this.emit(`break ${frame.label};`);
    this.emit("}");
    this.h = frame.height;
    for (const t of frame.results) this.push(t);
  }

  private elseBranch(frame: Frame): void {
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
  }

  // ---- the main loop ----

  compile(): JsUnit {
    const r = this.r;
    this.pushFrame(Kind.Func, [], this.type.results, false);
    while (this.ctrl.length > 0) {
      this.at = r.pos;
      const op = r.u8();
      const frame = this.frame();
      if (frame.unreachable) {
        this.skip(op, frame);
        continue;
      }
      this.count++;
      if (this.loopDepth === 0) this.flatCount++;
      this.instruction(op);
    }
    return this.assemble();
  }

  /** Unreachable code: decoded to keep the nesting straight, nothing emitted. */
  private skip(op: number, frame: Frame): void {
    switch (op) {
      case 0x02:
      case 0x03:
      case 0x04:
        this.blockType();
        this.pushFrame(Kind.Block, [], [], true);
        return;
      case 0x05:
        if (!frame.dead) this.elseBranch(frame);
        return;
      case 0x0b:
        return this.end();
      case 0xfd:
        return skipSimdImmediates(this.r);
    }
    skipImmediates(this.r, op);
  }

  private instruction(op: number): void {
    const r = this.r;
    switch (op) {
      case 0x00:
        this.emit(`E.trapAt(${this.at}, "unreachable");`);
        return this.setUnreachable();
      case 0x01:
        return;
      case 0x02:
      case 0x03: {
        const bt = this.blockType();
        const f = this.pushFrame(op === 0x02 ? Kind.Block : Kind.Loop, bt.params, bt.results, false);
        this.emit(op === 0x02 ? `${f.label}: {` : `${f.label}: for (;;) {`);
        if (op === 0x03 && this.meter) {
          f.countStart = this.count;
          this.loopDepth++;
          f.meterLine = this.out.length;
          this.emit(""); // the charge, once the loop's size is known
        }
        return;
      }
      case 0x04: {
        const bt = this.blockType();
        const cond = this.condition();
        const f = this.pushFrame(Kind.If, bt.params, bt.results, false);
        const copies: string[] = [];
        bt.params.forEach((t, i) => {
          const k = f.height + i;
          const saved = this.parts(k).map((p) => this.declare(`${p}_${f.label}`, isRef(t) ? "null" : "0"));
          f.saved.push(saved);
          copies.push(assign(saved, this.parts(k)));
        });
        if (copies.length) this.emit(copies.join(" "));
        this.emit(`${f.label}: if (${cond}) {`);
        return;
      }
      case 0x05:
        return this.elseBranch(this.frame());
      case 0x0b:
        return this.end();
      case 0x0c:
        this.branch(r.u32());
        return this.setUnreachable();
      case 0x0d: {
        const depth = r.u32();
        const cond = this.condition();
        this.canonical(); // both ways on, values are bits
        this.emit(`if (${cond}) {`);
        this.branch(depth);
        this.emit("}");
        return;
      }
      case 0x0e:
        return this.brTable();
      case 0x0f:
        this.emitReturn();
        return this.setUnreachable();
      case 0x10:
        return this.call(r.u32());
      case 0x11:
        return this.callIndirect(r.u32(), r.u32());
      case 0x1a:
        this.pop();
        return;
      case 0x1b:
        return this.select();
      case 0x1c: {
        const n = r.u32();
        for (let i = 0; i < n; i++) r.u8();
        return this.select();
      }
      case 0x20: {
        const x = r.u32();
        const k = this.push(this.localTypes[x]);
        return this.emit(assign(this.parts(k), this.localParts(x)));
      }
      case 0x21:
      case 0x22: {
        const x = r.u32();
        const k = op === 0x21 ? this.pop() : this.h - 1;
        return this.emit(assign(this.localParts(x), this.parts(k)));
      }
      case 0x23:
        return this.globalGet(r.u32());
      case 0x24:
        return this.globalSet(r.u32());
      case 0x25: {
        const table = this.inst.tables[r.u32()];
        return this.bridge(1, table.elemType, ([i], d) => tableOp("get", table, [d, i], 0));
      }
      case 0x26: {
        const table = this.inst.tables[r.u32()];
        return this.bridge(2, null, ([i, v]) => tableOp("set", table, [i, v], 0));
      }
      case 0x3f: {
        r.u8();
        const k = this.push(ValType.I32);
        return this.emit(`i${k} = (ms / 65536) | 0;`);
      }
      case 0x40: {
        r.u8();
        const mem = this.inst.memories[0];
        this.bridge(1, ValType.I32, ([a], d) => memoryGrow(mem, d, a, 0));
        return this.emit(`dv = ${this.memory}.view; ms = ${this.memory}.size;`);
      }
      case 0x41: {
        const k = this.push(ValType.I32);
        const v = r.s32();
        this.emit(`i${k} = ${v};`);
        this.known[k] = [v];
        return;
      }
      case 0x42: {
        const v = r.s64();
        const k = this.push(ValType.I64);
        const lo = Number(BigInt.asIntN(32, v)), hi = Number(BigInt.asIntN(32, v >> 32n));
        this.emit(`x${k} = ${lo}; y${k} = ${hi};`);
        this.known[k] = [lo, hi];
        return;
      }
      case 0x43: {
        const k = this.push(ValType.F32);
        return this.emit(`f${k} = ${f32Literal(r.bits32() | 0)};`);
      }
      case 0x44: {
        const [lo, hi] = r.bits64();
        const k = this.push(ValType.F64);
        return this.emit(`d${k} = ${f64Literal(lo | 0, hi | 0)};`);
      }
      case 0xd0: {
        r.u8();
        const k = this.push(ValType.FuncRef);
        return this.emit(`r${k} = null;`);
      }
      case 0xd1: {
        const a = this.pop();
        return this.emitCompare(`r${a} === null`);
      }
      case 0xd2: {
        const f = this.constant(this.inst.funcs[r.u32()]);
        const k = this.push(ValType.FuncRef);
        return this.emit(`r${k} = ${f};`);
      }
      case 0xfc:
        return this.prefixed(r.u32());
      case 0xfd:
        return this.simd(r.u32());
    }
    if (op >= 0x28 && op <= 0x35) return this.load(op);
    if (op >= 0x36 && op <= 0x3e) return this.store(op);
    this.numeric(op);
  }

  private brTable(): void {
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
    this.canonical();
    this.emit(`switch (i${index}) {`);
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

  private select(): void {
    const c = this.pop();
    const b = this.pop();
    const a = this.h - 1;
    this.emit(`if (i${c} === 0) { ${assign(this.parts(a), this.parts(b))} }`);
  }

  /** Writes the top `n` values as arguments at the callee's frame and calls `target` there. */
  private callWith(n: number, results: ValType[], target: string): void {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.toSlot(this.h - n + i, this.callBase + i));
    this.h -= n;
    this.maxArgs = Math.max(this.maxArgs, n, results.length);
    const m = this.meter;
    if (this.fuelOnly) lines.push(`${m}.left = fl; fl = ${FUEL_IN_CALL};`);
    lines.push(`site = ${this.at}; ${target}(s + ${this.callBase});`);
    if (this.fuelOnly) lines.push(`fl = ${m}.left;`);
    if (this.memory) lines.push(`dv = ${this.memory}.view; ms = ${this.memory}.size;`);
    for (let i = 0; i < results.length; i++) {
      const k = this.push(results[i]);
      lines.push(this.fromSlot(k, this.callBase + i));
    }
    this.emit(lines.join(" "));
  }

  private call(index: number): void {
    const f = this.inst.funcs[index];
    const target = f === this.fn ? "self" : `${this.constant(f)}.entry`;
    this.callWith(f.type.params.length, f.type.results, target);
  }

  private callIndirect(typeIndex: number, tableIndex: number): void {
    const type = this.inst.module.types[typeIndex];
    const sig = this.inst.sigIds[typeIndex];
    const table = this.constant(this.inst.tables[tableIndex]);
    const sel = this.pop();
    const at = this.at;
    this.emit(
      `t = i${sel} >>> 0; cf = ${table}.elements; if (t >= cf.length) E.trapAt(${at}, "undefined element"); ` +
        `cf = cf[t]; if (cf === null) E.trapAt(${at}, "uninitialized element"); ` +
        `if (cf.sigId !== ${sig}) E.trapAt(${at}, "indirect call type mismatch");`,
    );
    this.callWith(type.params.length, type.results, "cf.entry");
  }

  private globalGet(x: number): void {
    const g = this.inst.globals[x];
    const k = this.push(g.type);
    const v = this.v(k);
    switch (g.type) {
      case ValType.I32:
        return this.emit(`${v} = ${this.constant(g.i32)}[0];`);
      case ValType.F32:
        return this.emit(`${v} = ${f32FromBits(`${this.constant(g.i32)}[0]`)};`);
      case ValType.I64: {
        const c = this.constant(g.i32);
        return this.emit(`${v} = ${c}[0]; y${k} = ${c}[1];`);
      }
      case ValType.F64:
        return this.emit(`${v} = ${this.constant(g.f64)}[0];`);
      case ValType.V128: {
        const c = this.constant(g.i32);
        return this.emit(this.parts(k).map((p, i) => `${p} = ${c}[${i}];`).join(" "));
      }
    }
    this.emit(`${v} = ${this.constant(g)}.ref;`);
  }

  private globalSet(x: number): void {
    const g = this.inst.globals[x];
    const k = this.pop();
    const v = this.v(k);
    switch (g.type) {
      case ValType.I32:
        return this.emit(`${this.constant(g.i32)}[0] = ${v};`);
      case ValType.F32:
        return this.emit(`${this.constant(g.i32)}[0] = ${f32Bits(v)};`);
      case ValType.I64: {
        const c = this.constant(g.i32);
        return this.emit(`${c}[0] = ${v}; ${c}[1] = y${k};`);
      }
      case ValType.F64:
        return this.emit(`${this.constant(g.f64)}[0] = ${v};`);
      case ValType.V128: {
        const c = this.constant(g.i32);
        return this.emit(this.parts(k).map((p, i) => `${c}[${i}] = ${p};`).join(" "));
      }
    }
    this.emit(`${this.constant(g)}.ref = ${v};`);
  }

  // ---- memory ----

  /** Sets `ea` to the effective address of the access and traps when `size` bytes do not fit. */
  private address(k: number, size: number): string {
    this.r.u32(); // alignment: a hint only
    const offset = this.r.u32();
    const ea = offset === 0 ? `i${k} >>> 0` : `(i${k} >>> 0) + ${offset}`;
    return `ea = ${ea}; if (ea > ms - ${size}) E.trapAt(${this.at}, ${OOB});`;
  }

  private load(op: number): void {
    const a = this.pop();
    const check = this.address(a, LOAD_SIZE[op - 0x28]);
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
    const k = this.push(op < 0x30 ? LOAD_TYPE[op - 0x28] : ValType.I64);
    const v = this.v(k);
    let code: string;
    switch (op) {
      case 0x28:
        code = `${v} = dv.getInt32(ea, true);`;
        break;
      case 0x2a:
        code =
          `${v} = dv.getFloat32(ea, true); if (${v} !== ${v}) ${v} = E.f32FromBits(dv.getInt32(ea, true));`;
        break;
      case 0x29:
        code = `${v} = dv.getInt32(ea, true); y${k} = dv.getInt32(ea + 4, true);`;
        break;
      case 0x2b:
        code = `${v} = dv.getFloat64(ea, true);`;
        break;
      case 0x2c:
        code = `${v} = dv.getInt8(ea);`;
        break;
      case 0x2d:
        code = `${v} = dv.getUint8(ea);`;
        break;
      case 0x2e:
        code = `${v} = dv.getInt16(ea, true);`;
        break;
      case 0x2f:
        code = `${v} = dv.getUint16(ea, true);`;
        break;
      case 0x30:
        code = `${v} = dv.getInt8(ea); y${k} = ${v} >> 31;`;
        break;
      case 0x31:
        code = `${v} = dv.getUint8(ea); y${k} = 0;`;
        break;
      case 0x32:
        code = `${v} = dv.getInt16(ea, true); y${k} = ${v} >> 31;`;
        break;
      case 0x33:
        code = `${v} = dv.getUint16(ea, true); y${k} = 0;`;
        break;
      case 0x34:
        code = `${v} = dv.getInt32(ea, true); y${k} = ${v} >> 31;`;
        break;
      default:
        code = `${v} = dv.getInt32(ea, true); y${k} = 0;`;
    }
    this.emit(`${check} ${code}`);
  }

  private store(op: number): void {
    const k = this.pop();
    const a = this.pop();
    const check = this.address(a, STORE_SIZE[op - 0x36]);
    const v = this.v(k);
    let code: string;
    switch (op) {
      case 0x36:
      case 0x3e:
        code = `dv.setInt32(ea, ${v}, true);`;
        break;
      case 0x38:
        code =
          `if (${v} === ${v}) dv.setFloat32(ea, ${v}, true); else dv.setInt32(ea, E.f32NaNBits(${v}), true);`;
        break;
      case 0x37:
        code = `dv.setInt32(ea, ${v}, true); dv.setInt32(ea + 4, y${k}, true);`;
        break;
      case 0x39:
        code = `dv.setFloat64(ea, ${v}, true);`;
        break;
      case 0x3a:
      case 0x3c:
        code = `dv.setInt8(ea, ${v});`;
        break;
      default:
        code = `dv.setInt16(ea, ${v}, true);`;
    }
    this.emit(`${check} ${code}`);
  }

  // ---- numbers ----

  private unaryI32(expr: (a: string) => string): void {
    const a = this.v(this.h - 1);
    this.emit(`${a} = ${expr(a)};`);
  }

  private binaryI32(expr: (a: string, b: string) => string): void {
    const b = this.v(this.pop());
    const a = this.v(this.h - 1);
    this.emit(`${a} = ${expr(a, b)};`);
  }

  /** Pops two values of the same type and pushes the i32 result of comparing them. */
  private compare(expr: (a: number, b: number) => string): void {
    const b = this.pop();
    const a = this.pop();
    this.emitCompare(expr(a, b));
  }

  private numeric(op: number): void {
    const at = this.at;
    switch (op) {
      case 0x45: {
        const a = this.pop();
        return this.emitCompare(`i${a} === 0`);
      }
      case 0x46:
        return this.compare((a, b) => `i${a} === i${b}`);
      case 0x47:
        return this.compare((a, b) => `i${a} !== i${b}`);
      case 0x48:
        return this.compare((a, b) => `i${a} < i${b}`);
      case 0x49:
        return this.compare((a, b) => `(i${a} >>> 0) < (i${b} >>> 0)`);
      case 0x4a:
        return this.compare((a, b) => `i${a} > i${b}`);
      case 0x4b:
        return this.compare((a, b) => `(i${a} >>> 0) > (i${b} >>> 0)`);
      case 0x4c:
        return this.compare((a, b) => `i${a} <= i${b}`);
      case 0x4d:
        return this.compare((a, b) => `(i${a} >>> 0) <= (i${b} >>> 0)`);
      case 0x4e:
        return this.compare((a, b) => `i${a} >= i${b}`);
      case 0x4f:
        return this.compare((a, b) => `(i${a} >>> 0) >= (i${b} >>> 0)`);
      case 0x50: {
        const a = this.pop();
        return this.emitCompare(`(x${a} | y${a}) === 0`);
      }
      case 0x51:
        return this.compare((a, b) => `x${a} === x${b} && y${a} === y${b}`);
      case 0x52:
        return this.compare((a, b) => `x${a} !== x${b} || y${a} !== y${b}`);
      case 0x53:
        return this.compare((a, b) => ltS(a, b));
      case 0x54:
        return this.compare((a, b) => ltU(a, b));
      case 0x55:
        return this.compare((a, b) => ltS(b, a));
      case 0x56:
        return this.compare((a, b) => ltU(b, a));
      case 0x57:
        return this.compare((a, b) => `!(${ltS(b, a)})`);
      case 0x58:
        return this.compare((a, b) => `!(${ltU(b, a)})`);
      case 0x59:
        return this.compare((a, b) => `!(${ltS(a, b)})`);
      case 0x5a:
        return this.compare((a, b) => `!(${ltU(a, b)})`);
      case 0x5b:
        return this.compare((a, b) => `f${a} === f${b}`);
      case 0x5c:
        return this.compare((a, b) => `f${a} !== f${b}`);
      case 0x5d:
        return this.compare((a, b) => `f${a} < f${b}`);
      case 0x5e:
        return this.compare((a, b) => `f${a} > f${b}`);
      case 0x5f:
        return this.compare((a, b) => `f${a} <= f${b}`);
      case 0x60:
        return this.compare((a, b) => `f${a} >= f${b}`);
      case 0x61:
        return this.compare((a, b) => `d${a} === d${b}`);
      case 0x62:
        return this.compare((a, b) => `d${a} !== d${b}`);
      case 0x63:
        return this.compare((a, b) => `d${a} < d${b}`);
      case 0x64:
        return this.compare((a, b) => `d${a} > d${b}`);
      case 0x65:
        return this.compare((a, b) => `d${a} <= d${b}`);
      case 0x66:
        return this.compare((a, b) => `d${a} >= d${b}`);
      case 0x67:
        return this.unaryI32((a) => `Math.clz32(${a})`);
      case 0x68:
        return this.unaryI32((a) => `E.ctz32(${a})`);
      case 0x69:
        return this.unaryI32((a) => `E.popcnt32(${a})`);
      case 0x6a:
        return this.binaryI32((a, b) => `(${a} + ${b}) | 0`);
      case 0x6b:
        return this.binaryI32((a, b) => `(${a} - ${b}) | 0`);
      case 0x6c:
        return this.binaryI32((a, b) => `Math.imul(${a}, ${b})`);
      case 0x6d:
        return this.binaryI32((a, b) =>
          `${b} === 0 ? E.trapAt(${at}, "integer divide by zero") : ` +
          `${a} === -2147483648 && ${b} === -1 ? E.trapAt(${at}, "integer overflow") : (${a} / ${b}) | 0`
        );
      case 0x6e:
        return this.binaryI32((a, b) =>
          `${b} === 0 ? E.trapAt(${at}, "integer divide by zero") : ((${a} >>> 0) / (${b} >>> 0)) | 0`
        );
      case 0x6f:
        return this.binaryI32((a, b) =>
          `${b} === 0 ? E.trapAt(${at}, "integer divide by zero") : (${a} % ${b}) | 0`
        );
      case 0x70:
        return this.binaryI32((a, b) =>
          `${b} === 0 ? E.trapAt(${at}, "integer divide by zero") : ((${a} >>> 0) % (${b} >>> 0)) | 0`
        );
      case 0x71:
        return this.binaryI32((a, b) => `${a} & ${b}`);
      case 0x72:
        return this.binaryI32((a, b) => `${a} | ${b}`);
      case 0x73:
        return this.binaryI32((a, b) => `${a} ^ ${b}`);
      case 0x74:
        return this.binaryI32((a, b) => `${a} << ${b}`);
      case 0x75:
        return this.binaryI32((a, b) => `${a} >> ${b}`);
      case 0x76:
        return this.binaryI32((a, b) => `(${a} >>> ${b}) | 0`);
      case 0x77:
        return this.binaryI32((a, b) => `(${a} << ${b}) | (${a} >>> (32 - ${b}))`);
      case 0x78:
        return this.binaryI32((a, b) => `(${a} >>> ${b}) | (${a} << (32 - ${b}))`);
    }
    if (op >= 0x79 && op <= 0x8a) return this.i64(op);
    if (op >= 0x8b && op <= 0x98) return this.f32(op);
    if (op >= 0x99 && op <= 0xa6) return this.f64(op);
    this.conversion(op);
  }

  private i64(op: number): void {
    if (op <= 0x7b) {
      const a = this.h - 1;
      const x = `x${a}`, y = `y${a}`;
      switch (op) {
        case 0x79:
          return this.emit(`${x} = ${y} !== 0 ? Math.clz32(${y}) : 32 + Math.clz32(${x}); ${y} = 0;`);
        case 0x7a:
          return this.emit(`${x} = ${x} !== 0 ? E.ctz32(${x}) : 32 + E.ctz32(${y}); ${y} = 0;`);
        default:
          return this.emit(`${x} = E.popcnt32(${x}) + E.popcnt32(${y}); ${y} = 0;`);
      }
    }
    const b = this.h - 1, a = this.h - 2;
    const al = `x${a}`, ah = `y${a}`, bl = `x${b}`, bh = `y${b}`;
    switch (op) {
      case 0x7c:
        this.pop();
        return this.emit(
          `t = (${al} >>> 0) + (${bl} >>> 0); ${ah} = (${ah} + ${bh} + (t > 4294967295 ? 1 : 0)) | 0; ${al} = t | 0;`,
        );
      case 0x7d:
        this.pop();
        return this.emit(
          `t = (${al} >>> 0) - (${bl} >>> 0); ${ah} = (${ah} - ${bh} - (t < 0 ? 1 : 0)) | 0; ${al} = t | 0;`,
        );
      case 0x7e: {
        // inline, from 16-bit partial products so every step is exact in a double
        const known = this.known[b];
        this.pop();
        const [b0, b1] = known ? [known[0] & 0xffff, known[0] >>> 16] : ["m3", "m4"];
        return this.emit(
          (known ? "" : `m3 = ${bl} & 0xffff; m4 = ${bl} >>> 16; `) +
            `m0 = ${al} & 0xffff; m1 = ${al} >>> 16; m2 = m0 * ${b0}; m0 = m0 * ${b1}; t = m1 * ${b0}; ` +
            `m2 = (m2 >>> 16) + (m0 & 0xffff) + (t & 0xffff); ` +
            `m2 = m1 * ${b1} + (m0 >>> 16) + (t >>> 16) + Math.floor(m2 / 65536); ` +
            `${ah} = (m2 + Math.imul(${al}, ${bh}) + Math.imul(${ah}, ${bl})) | 0; ${al} = Math.imul(${al}, ${bl});`,
        );
      }
      case 0x83:
      case 0x84:
      case 0x85: {
        this.pop();
        const o = op === 0x83 ? "&" : op === 0x84 ? "|" : "^";
        return this.emit(`${al} = ${al} ${o} ${bl}; ${ah} = ${ah} ${o} ${bh};`);
      }
      case 0x86:
      case 0x87:
      case 0x88:
      case 0x89:
      case 0x8a: {
        const amount = this.known[b];
        this.pop();
        if (amount) return this.i64ShiftBy(op, a, amount[0]);
        const helper = ["shl64", "shrS64", "shrU64", "rotl64", "rotl64"][op - 0x86];
        const k = op === 0x8a ? `64 - (${bl} & 63)` : bl;
        return this.emit(`${al} = E.${helper}(${al}, ${ah}, ${k}); ${ah} = HI.v;`);
      }
    }
    this.pop();
    const helper = ["divS64", "divU64", "remS64", "remU64"][op - 0x7f];
    this.emit(`${al} = E.${helper}(${al}, ${ah}, ${bl}, ${bh}, ${this.at}); ${ah} = HI.v;`);
  }

  /** i64 shift or rotation by the constant `c`, on the value at depth `a`, without a helper call. */
  private i64ShiftBy(op: number, a: number, c: number): void {
    const x = `x${a}`, y = `y${a}`;
    c &= 63;
    if (op === 0x8a) op = 0x89, c = (64 - c) & 63;
    if (c === 0) return;
    switch (op) {
      case 0x86:
        return this.emit(
          c < 32
            ? `${y} = (${y} << ${c}) | (${x} >>> ${32 - c}); ${x} = ${x} << ${c};`
            : `${y} = ${x} << ${c - 32}; ${x} = 0;`,
        );
      case 0x87:
        return this.emit(
          c < 32
            ? `${x} = (${x} >>> ${c}) | (${y} << ${32 - c}); ${y} = ${y} >> ${c};`
            : `${x} = ${y} >> ${c - 32}; ${y} = ${y} >> 31;`,
        );
      case 0x88:
        return this.emit(
          c < 32
            ? `${x} = (${x} >>> ${c}) | (${y} << ${32 - c}); ${y} = (${y} >>> ${c}) | 0;`
            : `${x} = (${y} >>> ${c - 32}) | 0; ${y} = 0;`,
        );
    }
    // rotl: by 32 or more is a swap of the halves, then a rotation by the rest
    let [p, q] = [x, y];
    if (c >= 32) [p, q] = [y, x], c -= 32;
    if (c === 0) return this.emit(`t = ${x}; ${x} = ${y}; ${y} = t;`);
    this.emit(
      `t = ${p}; m0 = ${q}; ${x} = (t << ${c}) | (m0 >>> ${32 - c}); ${y} = (m0 << ${c}) | (t >>> ${
        32 - c
      });`,
    );
  }

  /** f32 values are numbers (see the module comment); every result is rounded with `Math.fround`. */
  private f32(op: number): void {
    if (op <= 0x91) {
      const a = `f${this.h - 1}`;
      const fn = ["Math.abs", "-", "E.ceil", "E.floor", "E.trunc", "E.nearest"][op - 0x8b];
      return this.emit(fn ? `${a} = ${fn}(${a});` : `${a} = Math.fround(Math.sqrt(${a}));`);
    }
    const b = `f${this.pop()}`, a = `f${this.h - 1}`;
    switch (op) {
      case 0x92:
        return this.emit(`${a} = Math.fround(${a} + ${b});`);
      case 0x93:
        return this.emit(`${a} = Math.fround(${a} - ${b});`);
      case 0x94:
        return this.emit(`${a} = Math.fround(${a} * ${b});`);
      case 0x95:
        return this.emit(`${a} = Math.fround(${a} / ${b});`);
      case 0x96: // fround: a NaN that comes out is quiet, whatever went in
        return this.emit(`${a} = Math.fround(Math.min(${a}, ${b}));`);
      case 0x97:
        return this.emit(`${a} = Math.fround(Math.max(${a}, ${b}));`);
      default:
        return this.emit(`${a} = E.copysign64(${a}, ${b});`);
    }
  }

  private f64(op: number): void {
    if (op <= 0x9f) {
      const a = `d${this.h - 1}`;
      const fn = ["Math.abs", "-", "E.ceil", "E.floor", "E.trunc", "E.nearest", "Math.sqrt"][op - 0x99];
      return this.emit(`${a} = ${fn}(${a});`);
    }
    const b = `d${this.pop()}`, a = `d${this.h - 1}`;
    switch (op) {
      case 0xa0:
        return this.emit(`${a} = ${a} + ${b};`);
      case 0xa1:
        return this.emit(`${a} = ${a} - ${b};`);
      case 0xa2:
        return this.emit(`${a} = ${a} * ${b};`);
      case 0xa3:
        return this.emit(`${a} = ${a} / ${b};`);
      case 0xa4:
        return this.emit(`${a} = Math.min(${a}, ${b});`);
      case 0xa5:
        return this.emit(`${a} = Math.max(${a}, ${b});`);
      default:
        return this.emit(`${a} = E.copysign64(${a}, ${b});`);
    }
  }

  /** Replaces the top value by one of type `t` computed from it (`a`: the old variable). */
  private retype(t: ValType, code: (a: string, d: string, k: number) => string): void {
    const k = this.pop();
    const a = this.v(k);
    const d = this.v(this.push(t));
    this.emit(code(a, d, k));
  }

  private conversion(op: number): void {
    switch (op) {
      case 0xa7:
        return this.retype(ValType.I32, (a, d) => `${d} = ${a};`);
      case 0xac:
        return this.retype(ValType.I64, (a, d, k) => `${d} = ${a}; y${k} = ${a} >> 31;`);
      case 0xad:
        return this.retype(ValType.I64, (a, d, k) => `${d} = ${a}; y${k} = 0;`);
      case 0xb2:
        return this.retype(ValType.F32, (a, d) => `${d} = Math.fround(${a});`);
      case 0xb3:
        return this.retype(ValType.F32, (a, d) => `${d} = Math.fround(${a} >>> 0);`);
      case 0xb6:
        return this.retype(ValType.F32, (a, d) => `${d} = Math.fround(${a});`);
      case 0xb7:
        return this.retype(ValType.F64, (a, d) => `${d} = ${a};`);
      case 0xb8:
        return this.retype(ValType.F64, (a, d) => `${d} = ${a} >>> 0;`);
      case 0xb9:
        return this.retype(ValType.F64, (a, d, k) => `${d} = y${k} * 4294967296 + (${a} >>> 0);`);
      case 0xba:
        return this.retype(ValType.F64, (a, d, k) => `${d} = (y${k} >>> 0) * 4294967296 + (${a} >>> 0);`);
      case 0xbb: // a marked signalling NaN is a quiet NaN as an f64: an arithmetic NaN, as promote wants
        return this.retype(ValType.F64, (a, d) => `${d} = ${a};`);
      case 0xbc:
        return this.retype(ValType.I32, (a, d) => `${d} = ${f32Bits(a)};`);
      case 0xbd:
        return this.retype(ValType.I64, (a, d, k) => `SD[0] = ${a}; ${d} = SI[0]; y${k} = SI[1];`);
      case 0xbe:
        return this.retype(ValType.F32, (a, d) => `${d} = ${f32FromBits(a)};`);
      case 0xbf:
        return this.retype(ValType.F64, (a, d, k) => `SI[0] = ${a}; SI[1] = y${k}; ${d} = SD[0];`);
      case 0xc0:
        return this.unaryI32((a) => `(${a} << 24) >> 24`);
      case 0xc1:
        return this.unaryI32((a) => `(${a} << 16) >> 16`);
      case 0xc2:
      case 0xc3:
      case 0xc4: {
        const k = this.h - 1;
        const shift = op === 0xc2 ? 24 : op === 0xc3 ? 16 : 0;
        return this.emit(`x${k} = (x${k} << ${shift}) >> ${shift}; y${k} = x${k} >> 31;`);
      }
    }
    if (op >= 0xa8 && op <= 0xbb) {
      // trapping truncations and i64 → f32: the interpreter's closures (exact rounding, traps)
      return this.bridge(1, CONVERT_RESULT[op - 0xa8], ([a], d) => convert(op, d, a, 0));
    }
    throw new Error(`js tier: unknown opcode 0x${op.toString(16)} at ${this.at}`);
  }

  private prefixed(sub: number): void {
    const r = this.r;
    const inst = this.inst;
    if (sub <= 7) {
      const op = sub < 4 ? 0xa8 + sub : 0xaa + sub; // the i64 forms skip extend_i32_s/u
      return this.bridge(1, CONVERT_RESULT[op - 0xa8], ([a], d) => convert(op, d, a, 0, true));
    }
    switch (sub) {
      case 8: {
        const seg = r.u32();
        r.u8();
        const mem = inst.memories[0];
        return this.bridge(3, null, ([d, s, n]) => memoryInit(mem, inst.datas, seg, d, s, n, 0));
      }
      case 9:
        return this.emit(`${this.constant(inst)}.datas[${r.u32()}] = ${this.constant(EMPTY)};`);
      case 10: {
        r.u8(), r.u8();
        const mem = inst.memories[0];
        return this.bridge(3, null, ([d, s, n]) => memoryCopy(mem, d, s, n, 0));
      }
      case 11: {
        r.u8();
        const mem = inst.memories[0];
        return this.bridge(3, null, ([d, v, n]) => memoryFill(mem, d, v, n, 0));
      }
      case 12: {
        const seg = r.u32();
        const table = inst.tables[r.u32()];
        return this.bridge(3, null, ([d, s, n]) => tableOp("init", table, [d, s, n], 0, inst.elems, seg));
      }
      case 13:
        return this.emit(`${this.constant(inst)}.elems[${r.u32()}] = [];`);
      case 14: {
        const dst = inst.tables[r.u32()];
        const src = inst.tables[r.u32()];
        return this.bridge(3, null, ([d, s, n]) => tableOp("copy", dst, [d, s, n], 0, undefined, 0, src));
      }
      case 15: {
        const table = inst.tables[r.u32()];
        return this.bridge(2, ValType.I32, ([v, n], d) => tableOp("grow", table, [d, v, n], 0));
      }
      case 16: {
        const table = inst.tables[r.u32()];
        return this.bridge(0, ValType.I32, (_, d) => tableOp("size", table, [d], 0));
      }
      case 17: {
        const table = inst.tables[r.u32()];
        return this.bridge(3, null, ([i, v, n]) => tableOp("fill", table, [i, v, n], 0));
      }
    }
    throw new Error(`js tier: unknown 0xfc opcode ${sub}`);
  }

  // ---- SIMD ----

  /**
   * A v128 is four int32 variables (lane 0 lowest). Frequent operations are inline; the rest run the
   * interpreter's closure on copies of their operands in the scratch slots (`V` for v128 values).
   */
  private simd(sub: number): void {
    if (this.simdInline(sub)) return;
    const at = this.at;
    const lines: string[] = [];
    let used = 0;
    const run = (op: Op) => `${lines.join(" ")} site = ${at}; ${this.constant(op)}(s2);`;
    lowerSimd({
      r: this.r,
      inst: this.inst,
      h: this.h,
      pending: null,
      pendingProduces: () => null,
      detached: (p) => p,
      popSlot: () => {
        const slot = this.scratch + used++;
        lines.push(this.toSlot(this.pop(), slot));
        return slot;
      },
      emit: (make) => this.emit(run(make(0))),
      emitValue: (t, make) => {
        const dst = this.scratch + 3;
        this.emit(run(make(dst, 0)));
        this.emit(this.fromSlot(this.push(t), dst));
      },
    }, sub);
  }

  /** Emits SIMD instruction `sub` as JS when it is one of the inline ones; false otherwise. */
  private simdInline(sub: number): boolean {
    const r = this.r;
    const top = () => this.parts(this.h - 1);
    const binary = (lane: (a: string, b: string) => string) => {
      const b = this.parts(this.pop()), a = top();
      this.emit(a.map((x, i) => `${x} = ${lane(x, b[i])};`).join(" "));
      return true;
    };
    switch (sub) {
      case 0x00: { // v128.load
        const check = this.address(this.pop(), 16);
        const k = this.push(ValType.V128);
        // Straight into f32x4 arithmetic: load the lanes as numbers (a NaN would be quieted anyway).
        const asFloats = this.nextIsF32x4Arithmetic();
        const get = asFloats ? "getFloat32" : "getInt32";
        this.emit(
          `${check} ${this.lanes(k).map((x, i) => `${x} = dv.${get}(ea + ${4 * i}, true);`).join(" ")}`,
        );
        if (asFloats) this.floatLanes.add(k);
        return true;
      }
      case 0x01: // v128.load8x8_s/u: bytes widened to 16-bit lanes, two per word
      case 0x02: {
        const check = this.address(this.pop(), 8);
        const v = this.parts(this.push(ValType.V128));
        const byte = (i: number) => sub === 0x01 ? `dv.getInt8(ea + ${i})` : `dv.getUint8(ea + ${i})`;
        const words = v.map((x, i) => `${x} = (${byte(2 * i)} & 0xffff) | (${byte(2 * i + 1)} << 16);`);
        this.emit(`${check} ${words.join(" ")}`);
        return true;
      }
      case 0x03: // v128.load16x4_s/u
      case 0x04: {
        const check = this.address(this.pop(), 8);
        const v = this.parts(this.push(ValType.V128));
        const get = sub === 0x03 ? "getInt16" : "getUint16";
        this.emit(`${check} ${v.map((x, i) => `${x} = dv.${get}(ea + ${2 * i}, true);`).join(" ")}`);
        return true;
      }
      case 0x05: // v128.load32x2_s/u: two i64 lanes
      case 0x06: {
        const check = this.address(this.pop(), 8);
        const [a, b, c, d] = this.parts(this.push(ValType.V128));
        const high = (lo: string) => sub === 0x05 ? `${lo} >> 31` : "0";
        this.emit(
          `${check} ${a} = dv.getInt32(ea, true); ${b} = ${high(a)}; ${c} = dv.getInt32(ea + 4, true); ` +
            `${d} = ${high(c)};`,
        );
        return true;
      }
      case 0x0d: { // i8x16.shuffle: each result byte picked from a (0..15) or b (16..31)
        const lanes = r.take(16);
        const b = this.parts(this.pop()), a = top();
        const source = [...a, ...b];
        const temps = ["m0", "m1", "m2", "m3"];
        const words = temps.map((m, w) => {
          const picks = [0, 1, 2, 3].map((j) => lanes[4 * w + j]);
          // a whole source word in order: no byte arithmetic
          if (picks[0] % 4 === 0 && picks.every((l, j) => l === picks[0] + j)) {
            return `${m} = ${source[picks[0] >> 2]};`;
          }
          const bytes = picks.map((l, j) => `(((${source[l >> 2]} >>> ${8 * (l & 3)}) & 0xff) << ${8 * j})`);
          return `${m} = ${bytes.join(" | ")};`;
        });
        this.emit(`${words.join(" ")} ${assign(a, temps)}`);
        return true;
      }
      case 0x15: // i8x16.extract_lane_s/u
      case 0x16: {
        const lane = r.u8();
        const v = this.parts(this.pop());
        const w = v[lane >> 2], shift = 8 * (lane & 3);
        const value = sub === 0x15 ? `(${w} << ${24 - shift}) >> 24` : `(${w} >>> ${shift}) & 0xff`;
        this.emit(`i${this.push(ValType.I32)} = ${value};`);
        return true;
      }
      case 0x18: // i16x8.extract_lane_s/u
      case 0x19: {
        const lane = r.u8();
        const v = this.parts(this.pop());
        const w = v[lane >> 1], shift = 16 * (lane & 1);
        const value = sub === 0x18 ? `(${w} << ${16 - shift}) >> 16` : `(${w} >>> ${shift}) & 0xffff`;
        this.emit(`i${this.push(ValType.I32)} = ${value};`);
        return true;
      }
      case 0x17: // i8x16.replace_lane
      case 0x1a: { // i16x8.replace_lane
        const lane = r.u8();
        const x = this.v(this.pop());
        const [per, mask] = sub === 0x17 ? [4, 0xff] : [2, 0xffff];
        const w = top()[Math.floor(lane / per)], shift = (32 / per) * (lane % per);
        this.emit(`${w} = (${w} & ${~(mask << shift)}) | ((${x} & ${mask}) << ${shift});`);
        return true;
      }
      case 0x1f: { // f32x4.extract_lane (bits)
        const lane = r.u8();
        const v = this.parts(this.pop());
        this.emit(`f${this.push(ValType.F32)} = ${f32FromBits(v[lane])};`);
        return true;
      }
      case 0x20: { // f32x4.replace_lane
        const lane = r.u8();
        const x = this.v(this.pop());
        this.emit(`${top()[lane]} = ${f32Bits(x)};`);
        return true;
      }
      case 0x95: // i16x8.mul
        return binary((a, b) =>
          `(Math.imul(${a}, ${b}) & 0xffff) | (Math.imul(${a} >>> 16, ${b} >>> 16) << 16)`
        );
      case 0xa7: // i32x4.extend_low/high_i16x8_s/u
      case 0xa8:
      case 0xa9:
      case 0xaa: {
        const v = top();
        const [w0, w1] = sub === 0xa7 || sub === 0xa9 ? [v[0], v[1]] : [v[2], v[3]];
        const signed = sub <= 0xa8;
        const low = (w: string) => signed ? `(${w} << 16) >> 16` : `${w} & 0xffff`;
        const high = (w: string) => signed ? `${w} >> 16` : `${w} >>> 16`;
        this.emit(
          `m0 = ${w0}; m1 = ${w1}; ${v[0]} = ${low("m0")}; ${v[1]} = ${high("m0")}; ` +
            `${v[2]} = ${low("m1")}; ${v[3]} = ${high("m1")};`,
        );
        return true;
      }
      case 0xab: // i32x4.shl, shr_s, shr_u (the count is taken mod 32, as JS does)
      case 0xac:
      case 0xad: {
        const n = this.v(this.pop());
        const o = sub === 0xab ? "<<" : sub === 0xac ? ">>" : ">>>";
        this.emit(top().map((x) => `${x} = (${x} ${o} ${n}) | 0;`).join(" "));
        return true;
      }
      case 0xba: // i32x4.dot_i16x8_s
        return binary((a, b) =>
          `(Math.imul((${a} << 16) >> 16, (${b} << 16) >> 16) + Math.imul(${a} >> 16, ${b} >> 16)) | 0`
        );
      case 0xfa: // f32x4.convert_i32x4_s/u
        this.emit(top().map((x) => `${x} = B(${x});`).join(" "));
        return true;
      case 0xfb:
        this.emit(top().map((x) => `${x} = B(${x} >>> 0);`).join(" "));
        return true;
      case 0x0b: { // v128.store
        const v = this.parts(this.pop());
        const check = this.address(this.pop(), 16);
        this.emit(`${check} ${v.map((x, i) => `dv.setInt32(ea + ${4 * i}, ${x}, true);`).join(" ")}`);
        return true;
      }
      case 0x0c: { // v128.const
        const bytes = r.take(16);
        const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
        const v = this.parts(this.push(ValType.V128));
        this.emit(v.map((x, i) => `${x} = ${view.getInt32(4 * i, true)};`).join(" "));
        return true;
      }
      case 0x13: { // f32x4.splat: lanes as numbers
        const a = this.v(this.pop());
        const k = this.push(ValType.V128);
        this.emit(this.lanes(k).map((x) => `${x} = ${a};`).join(" "));
        this.floatLanes.add(k);
        return true;
      }
      case 0x0f: // i8x16.splat
      case 0x10: // i16x8.splat
      case 0x11: { // i32x4.splat
        const a = this.v(this.pop());
        const word = sub === 0x0f
          ? `Math.imul(${a} & 0xff, 0x01010101)`
          : sub === 0x10
          ? `Math.imul(${a} & 0xffff, 0x10001)`
          : a;
        const v = this.parts(this.push(ValType.V128));
        this.emit(`t = ${word}; ${v.map((x) => `${x} = t;`).join(" ")}`);
        return true;
      }
      case 0x1b: { // i32x4.extract_lane
        const lane = r.u8();
        const v = this.parts(this.pop());
        this.emit(`i${this.push(ValType.I32)} = ${v[lane]};`);
        return true;
      }
      case 0x1c: { // i32x4.replace_lane
        const lane = r.u8();
        const x = this.v(this.pop());
        this.emit(`${top()[lane]} = ${x};`);
        return true;
      }
      case 0x4d: // v128.not
        this.emit(top().map((x) => `${x} = ~${x};`).join(" "));
        return true;
      case 0x4e:
        return binary((a, b) => `${a} & ${b}`);
      case 0x4f:
        return binary((a, b) => `${a} & ~${b}`);
      case 0x50:
        return binary((a, b) => `${a} | ${b}`);
      case 0x51:
        return binary((a, b) => `${a} ^ ${b}`);
      case 0x52: { // v128.bitselect
        const c = this.parts(this.pop()), b = this.parts(this.pop()), a = top();
        this.emit(a.map((x, i) => `${x} = (${x} & ${c[i]}) | (${b[i]} & ~${c[i]});`).join(" "));
        return true;
      }
      case 0x53: { // v128.any_true
        const v = this.parts(this.pop());
        this.emitCompare(`(${v.join(" | ")}) !== 0`);
        return true;
      }
      case 0x23: // i8x16.eq: a zero byte of a ^ b becomes 0xff
        return binary((a, b) =>
          `Math.imul((~(((t = ${a} ^ ${b}) & 0x7f7f7f7f) + 0x7f7f7f7f | t) & 0x80808080) >>> 7, 0xff)`
        );
      case 0x64: { // i8x16.bitmask: the top bit of each byte, byte 0 lowest
        const v = this.parts(this.pop());
        const nibble = (x: string, i: number) =>
          `(((${x} >>> 7) & 1) | ((${x} >>> 14) & 2) | ((${x} >>> 21) & 4) | ((${x} >>> 28) & 8)) << ${
            4 * i
          }`;
        this.emit(`i${this.push(ValType.I32)} = ${v.map(nibble).join(" | ")};`);
        return true;
      }
      case 0x6e: // i8x16.add, lane by lane within each word
        return binary((a, b) => `((${a} & 0x7f7f7f7f) + (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ${b}) & 0x80808080)`);
      case 0x71: // i8x16.sub
        return binary((a, b) =>
          `((${a} | 0x80808080) - (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ~${b}) & 0x80808080)`
        );
      case 0x8e: // i16x8.add
        return binary((a, b) => `((${a} & 0x7fff7fff) + (${b} & 0x7fff7fff)) ^ ((${a} ^ ${b}) & 0x80008000)`);
      case 0x91: // i16x8.sub
        return binary((a, b) =>
          `((${a} | 0x80008000) - (${b} & 0x7fff7fff)) ^ ((${a} ^ ~${b}) & 0x80008000)`
        );
      case 0xae:
        return binary((a, b) => `(${a} + ${b}) | 0`);
      case 0xb1:
        return binary((a, b) => `(${a} - ${b}) | 0`);
      case 0xb5:
        return binary((a, b) => `Math.imul(${a}, ${b})`);
      case 0x37: // i32x4.eq
        return binary((a, b) => `${a} === ${b} ? -1 : 0`);
      case 0xe4: // f32x4 add, sub, mul, div: lanes as numbers in and out
      case 0xe5:
      case 0xe6:
      case 0xe7: {
        const o = ["+", "-", "*", "/"][sub - 0xe4];
        const b = this.pop(), a = this.h - 1;
        const num = (k: number) => this.lanes(k).map((x) => this.floatLanes.has(k) ? x : `N(${x})`);
        const x = num(a), y = num(b);
        this.emit(this.lanes(a).map((v, i) => `${v} = Math.fround(${x[i]} ${o} ${y[i]});`).join(" "));
        this.floatLanes.add(a);
        return true;
      }
    }
    return false;
  }

  /** Whether the next instruction is f32x4 add, sub, mul or div (0xfd 0xe4..0xe7, two-byte LEB). */
  private nextIsF32x4Arithmetic(): boolean {
    const b = this.r.bytes, p = this.r.pos;
    return b[p] === 0xfd && b[p + 1] >= 0xe4 && b[p + 1] <= 0xe7 && b[p + 2] === 0x01;
  }

  // ---- the function ----

  private assemble(): JsUnit {
    const fn = this.fn;
    const params = fn.type.params;
    const prologue: string[] = [];
    this.localTypes.forEach((t, x) => {
      if (x >= params.length) return; // the declarations below start them at zero (or null)
      const l = this.local(x);
      switch (t) {
        case ValType.V128:
          return prologue.push(
            `t = 4 * (s + ${x}); ` + this.localParts(x).map((p, i) => `${p} = V[t + ${i}];`).join(" "),
          );
        case ValType.I32:
          return prologue.push(`${l} = I32[s2 + ${2 * x}];`);
        case ValType.F32:
          return prologue.push(`${l} = ${f32FromBits(`I32[s2 + ${2 * x}]`)};`);
        case ValType.I64:
          return prologue.push(`${l} = I32[s2 + ${2 * x}]; ${this.localHi(x)} = I32[s2 + ${2 * x + 1}];`);
        case ValType.F64:
          return prologue.push(`${l} = F64[s + ${x}];`);
      }
      prologue.push(`${l} = R[s + ${x}];`);
    });
    const decls = [...this.vars].map(([name, init]) => `${name} = ${init}`);
    for (let x = 0; x < this.localTypes.length; x++) {
      const init = isRef(this.localTypes[x]) ? "null" : "0";
      for (const name of this.localParts(x)) decls.push(`${name} = ${init}`);
    }
    decls.push("t = 0", "ea = 0", "site = 0", "cf = null", "m0 = 0", "m1 = 0", "m2 = 0", "m3 = 0", "m4 = 0");
    if (this.fuelOnly) decls.push(`fl = ${this.meter}.left`);
    if (this.memory) decls.push(`dv = ${this.memory}.view`, `ms = ${this.memory}.size`);
    const jsCost = 8 * (decls.length + 24);
    const slotLimit = STACK_SLOTS - this.callBase - this.maxArgs - 1;
    const consts = this.consts.map((_, i) => `k${i} = K[${i}]`);
    const source = [
      '"use strict";',
      "const I32 = E.I32, F64 = E.F64, R = E.R, V = E.V, M = E.machine, SI = E.scratchI32, " +
      "SF = E.scratchF32, SD = E.scratchF64, HI = E.hi;",
      `const COST = ${jsCost};`,
      consts.length ? `const ${consts.join(", ")};` : "",
      "function N(x) { SI[0] = x; return SF[0]; }",
      "function B(v) { SF[0] = v; return SI[0]; }",
      `return function self(s) {`,
      `if (M.depth >= M.limit || M.jsStack > ${Math.max(0, JS_BUDGET - jsCost)} || s > ${slotLimit}) ` +
      "return E.deep(F, s);",
      "M.depth++; M.jsStack += COST;",
      "const s2 = s * 2;",
      `let ${decls.join(", ")};`,
      ...prologue,
      "try {",
      this.meter ? this.charge(Math.max(1, this.flatCount), this.fn.body.codeStart) : "",
      ...this.out,
      this.fuelOnly
        ? `} catch (e) { if (fl !== ${FUEL_IN_CALL}) ${this.meter}.left = fl; throw E.unwind(e, F, site); }`
        : "} catch (e) { throw E.unwind(e, F, site); }",
      "};",
    ].join("\n");
    return { source, consts: this.consts, jsCost };
  }
}

/** What the local fuel copy holds while a call runs (a value `left` never takes: see `fuelOnly`). */
const FUEL_IN_CALL = -2147483648;

/** Bytes of JS stack compiled frames may take before calls continue on the interpreter. */
export const JS_BUDGET = 384 * 1024;

function isRef(t: ValType): boolean {
  return t === ValType.FuncRef || t === ValType.ExternRef;
}

function ltS(a: number, b: number): string {
  return `y${a} < y${b} || (y${a} === y${b} && (x${a} >>> 0) < (x${b} >>> 0))`;
}

function ltU(a: number, b: number): string {
  return `(y${a} >>> 0) < (y${b} >>> 0) || (y${a} === y${b} && (x${a} >>> 0) < (x${b} >>> 0))`;
}

const EMPTY = new Uint8Array(0);

/** Result types of 0xa8..0xbb. */
const CONVERT_RESULT: ValType[] = [
  ValType.I32,
  ValType.I32,
  ValType.I32,
  ValType.I32,
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.F32,
  ValType.F32,
  ValType.F32,
  ValType.F32,
  ValType.F32,
  ValType.F64,
  ValType.F64,
  ValType.F64,
  ValType.F64,
  ValType.F64,
];

/** Compiles `fn` to JS source; throws `Unsupported` when it must stay on the interpreter. */
export function compileToJs(fn: WasmFunc): JsUnit {
  return new Compiler(fn).compile();
}
