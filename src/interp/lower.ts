/**
 * Lowering: turns one validated function body into threaded code — a flat array of closures, each
 * reading and writing fixed frame slots and returning the next pc. Runs once per function, on its
 * first call (or at instantiation with eager lowering).
 *
 * Frame layout: [params | locals | constant pool | operand stack]; stack height h lives in slot
 * `stackBase + h`. To save copies, an operand may stay virtual: a `local.get` leaves a reference to
 * the local's slot and a constant leaves its bits (read from the pool when an op needs a slot).
 * Virtual operands are made real ("materialised") wherever their meaning could change: before the
 * local is written, at block boundaries and branches.
 *
 * A closure call costs more than most wasm instructions, so frequent sequences become one closure.
 * The last value-producing op is held back (`pending`) and the next instruction may take it over:
 * `local.set` retargets its destination; br_if/if fuse a comparison (with the counter step or load
 * before it); loads and stores fold a `base + k` address; arithmetic takes over a load, a store an
 * arithmetic result (read-modify-write when the addresses match); two ALU ops become one.
 * Closures are created only in `finish`, once every branch target is known, so jumps are threaded.
 *
 * Which closures a function got can be asked: `fusedForms(fn)` / `loweredForms(fn)` lower it afresh
 * and name each closure by its form (`loadCompareBranch:lt_u:imm`: the factory, then what selects
 * its closure), `allFusedForms()` lists every fused form there is, and `countForms(map)` counts the
 * forms of all functions lowered meanwhile (the fuzzer's census). Unless asked, nothing is named.
 */
import { Reader } from "../wasm/reader.ts";
import { isRefType, ValType, valTypeName } from "../wasm/types.ts";
import { callState, I32, R } from "../runtime/machine.ts";
import { callHost } from "../runtime/boundary.ts";
import {
  CALL,
  type FuncInst,
  type GlobalInst,
  type InstanceState,
  type Op,
  RETURN,
  type TableInst,
  trap,
  type WasmFunc,
} from "../runtime/objects.ts";
import type { HostFunc } from "../runtime/boundary.ts";
import {
  addCompareBranch,
  addImm2,
  binaryThenBinary,
  branchIf,
  i32Binary,
  i32BinaryImm,
  i32CompareBranch,
  i32HasImm,
  i32Unary,
  shiftThenBinary,
} from "./ops/ops_i32.ts";
import { i64Binary, i64BinaryConst, i64Unary, i64XorShift, ShiftKind } from "./ops/ops_i64.ts";
import { f32Op, f64BinaryThenBinary, f64Op } from "./ops/ops_float.ts";
import { convert } from "./ops/ops_convert.ts";
import {
  f32BinaryMem,
  f32ReadModifyWrite,
  f32StoreBinary,
  f64BinaryMem,
  f64ReadModifyWrite,
  f64StoreBinary,
  load as load_,
  loadCompareBranch,
  loadIndexed,
  memoryCopy,
  memoryFill,
  memoryGrow,
  memoryInit,
  memorySize,
  mulAddReadModifyWrite,
  store,
} from "./ops/ops_memory.ts";
import { tableOp } from "./ops/ops_table.ts";
import { constOp, copyManyOp, copyOp } from "./ops/ops_move.ts";
import { lowerSimd } from "./lower_simd.ts";
import {
  CONVERT_RESULT,
  type FuelCosts,
  fuelCosts,
  LOAD_RESULT,
  readBlockType,
  skipImmediates,
} from "../wasm/code.ts";
import { allFusedForms, i64ShiftForm, i64XorShiftForm, imm, opName, opNames } from "./forms.ts";

export { allFusedForms };
import { returnWithV128, v128GlobalGet, v128GlobalSet, v128Return, v128Select } from "./ops/ops_simd.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";

// ---- observability: which closure forms the lowering makes (names in forms.ts) ----

/**
 * While someone asks (`loweredForms`, `fusedForms`, `countForms`), every closure the lowering
 * creates is counted here under its form: the factory's name and what selects its closure, e.g.
 * `loadCompareBranch:lt_u:imm` or `i32Binary:i32.add`. Otherwise null, and the lowering builds no
 * name and wraps nothing: call sites pass `counts && \`…\``, so the name is not even formatted.
 */
let counts: Map<string, number> | null = null;

function bump(into: Map<string, number>, form: string): void {
  into.set(form, (into.get(form) ?? 0) + 1);
}

/** `make`, counting `form` each time it creates a closure while counting; else `make` itself. */
function tag<A extends unknown[]>(form: string | null, make: (...args: A) => Op): (...args: A) => Op {
  const into = counts;
  if (form === null || into === null) return make;
  return (...args) => (bump(into, form), make(...args));
}

/**
 * The forms of the closures that lowering `fn` makes, with how many of each (for tests and
 * debugging: lowers `fn` afresh, leaving its installed code alone).
 */
export function loweredForms(fn: WasmFunc): Map<string, number> {
  const saved = counts;
  const mine = new Map<string, number>();
  counts = mine;
  try {
    const l = new Lowerer(fn);
    l.run();
    l.finish();
  } finally {
    counts = saved;
  }
  return mine;
}

/** The fused forms (see `allFusedForms`) among the closures lowering `fn` makes, sorted. */
export function fusedForms(fn: WasmFunc): string[] {
  const fused = new Set(allFusedForms());
  return [...loweredForms(fn).keys()].filter((f) => fused.has(f)).sort();
}

/**
 * Counts the forms of every closure lowered from now on into `into` (the fuzzer's form census),
 * until called with null. Returns the previous map.
 */
export function countForms(into: Map<string, number> | null): Map<string, number> | null {
  const previous = counts;
  counts = into;
  return previous;
}

const enum Kind {
  Stack, // in its canonical slot
  Local, // still the local at `slot`
  Const, // still a constant: bits `value` (low) and `value2` (high, 64-bit types)
}

const enum FrameKind {
  Block,
  Loop,
  If,
  Else,
  Func,
}

interface ControlFrame {
  kind: FrameKind;
  /** Operand stack height below the block's parameters. */
  height: number;
  params: ValType[];
  results: ValType[];
  /** For loops: the pc branches jump to. */
  loopPc: number;
  /** Patches to apply once the end's pc is known (forward branches). */
  fixups: ((pc: number) => void)[];
  /** For `if`: patches the jump taken when the condition is false. */
  elseFixup: ((pc: number) => void) | null;
  /** The rest of this frame is unreachable (after br, return, unreachable). */
  unreachable: boolean;
  /** The whole frame sits in unreachable code: nothing in it is emitted. */
  dead: boolean;
}

/**
 * The held-back op. It is emitted ("flushed") before anything else is, unless the next instruction
 * fuses with it: `local.set` retargets `dst`, br_if/if take over a comparison, a load takes over an
 * address computation, f64 arithmetic takes over a load, a store takes over f64 arithmetic.
 */
interface Pending {
  make: (dst: number, next: number) => Op;
  dst: number;
  at: number;
  /** For i32 ops: the operands, so a consumer can redo the op inside its own closure. */
  bin: PendingBinary | null;
  /** For loads: the address operands. */
  load: PendingLoad | null;
  /** For f64 add/sub/mul/div on two slots. */
  f64: { op: number; a: number; b: number } | null;
  /** For held-back copies: (destination, source) slot pairs. */
  copies?: number[];
  /** For i64 shifts by a constant (shr_u, shl). */
  i64shift?: { a: number; kind: ShiftKind; k: number };
  /** For i64 xor, possibly of a shifted operand: `(a SH k) ^ b`. */
  i64xor?: { a: number; kind: ShiftKind; k: number; b: number };
  /** For f64 arithmetic with one operand from memory. */
  f64mem?: { op: number; x: number; load: PendingLoad; memLeft: boolean };
  /** An op that was held back too (it runs first); see `condition`. */
  prev: Pending | null;
}

interface PendingLoad {
  op: number;
  a: number;
  k: number;
  offset: number;
}

/** The operands of a held-back i32 op. */
interface PendingBinary {
  op: number; // i32 opcode (0x45 eqz, 0x46..0x4f comparisons, 0x6a.. arithmetic)
  a: number;
  b: number;
  imm: boolean;
}

const SWAPPED_COMPARE: Record<number, number> = {
  0x46: 0x46,
  0x47: 0x47,
  0x48: 0x4a,
  0x49: 0x4b,
  0x4a: 0x48,
  0x4b: 0x49,
  0x4c: 0x4e,
  0x4d: 0x4f,
  0x4e: 0x4c,
  0x4f: 0x4d,
};
const COMMUTATIVE_I32 = new Set([0x46, 0x47, 0x6a, 0x6c, 0x71, 0x72, 0x73]);

/** The default of `emitValue`'s `extra`: nothing to add to the held-back record. */
const NO_EXTRA: Partial<Pending> = Object.freeze({});

function isAddImm(bin: PendingBinary | null): boolean {
  return bin !== null && bin.op === 0x6a && bin.imm;
}

function is64(t: ValType): boolean {
  return t === ValType.I64 || t === ValType.F64;
}

/** At most this many constants per function live in the frame's constant pool. */
const MAX_POOL = 64;

/** Counts the bytes that could be const opcodes: an upper bound on the constants a body holds. */
function countConstOpcodes(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end && n < MAX_POOL; i++) {
    const b = bytes[i];
    if (b >= 0x41 && b <= 0x44) n++;
  }
  return n;
}

class Lowerer {
  readonly offsets: number[] = [];
  readonly inst: InstanceState;
  readonly r: Reader;
  readonly nLocals: number;
  readonly localTypes: ValType[];
  // operand stack (virtual)
  kind: Kind[] = [];
  slotOf: number[] = [];
  value: number[] = [];
  value2: number[] = [];
  type: ValType[] = [];
  /**
   * Constant pool: constants used as operands get a frame slot, written once at frame entry, so
   * every op can read them like a local (no const op per use, no immediate variant per op).
   * Layout of a frame: [params | locals | pool | operand stack].
   */
  readonly pool = new Map<string | number, number>();
  readonly poolInit: number[] = [];
  readonly poolCap: number;
  /** Slot of operand stack height 0. */
  readonly stackBase: number;
  h = 0;
  maxH = 0;
  ctrl: ControlFrame[] = [];
  /** Byte offset of the instruction being lowered. */
  at = 0;
  pending: Pending | null = null;
  // Ops are created at the end (`finish`), once every branch target is known, so that jumps can be
  // threaded: an op whose successor is a plain jump continues at the jump's target instead.
  readonly makers: (((next: number) => Op) | null)[] = [];
  readonly branchMake = new Map<number, (target: number, next: number) => Op>();
  readonly branchTarget: number[] = [];
  readonly plainJumps = new Set<number>();
  /** Return ops do not depend on their position: a jump to one can become a copy of it. */
  readonly returns = new Set<number>();
  readonly tables: Int32Array[] = [];
  /** Held-back ops that were emitted unfused: factory and destination, by pc. */
  readonly valueMakers: ((dst: number, next: number) => Op)[] = [];
  readonly valueDsts: number[] = [];

  constructor(readonly fn: WasmFunc) {
    this.inst = fn.inst;
    const m = fn.inst.module;
    this.r = new Reader(m.bytes, fn.body.codeStart, fn.body.codeEnd);
    this.localTypes = [...fn.type.params, ...fn.body.locals];
    this.nLocals = this.localTypes.length;
    this.poolCap = countConstOpcodes(m.bytes, fn.body.codeStart, fn.body.codeEnd);
    this.stackBase = this.nLocals + this.poolCap;
    this.costs = fn.inst.meter ? fuelCosts(m.bytes, fn.body.codeStart, fn.body.codeEnd, m.types) : null;
  }

  /** What the function's calls and loop iterations charge (wasm/code.ts), when metered. */
  readonly costs: FuelCosts | null;

  // ---- emitting ----

  /** For lower_simd.ts: `make`, counted under `form` while closure forms are counted. */
  named<A extends unknown[]>(form: string, make: (...args: A) => Op): (...args: A) => Op {
    return tag(counts && form, make);
  }

  /** Appends an op; `make` receives the pc that follows it. */
  emit(make: (next: number) => Op): void {
    this.flush();
    this.push(make);
  }

  private push(make: (next: number) => Op, at = this.at): void {
    this.makers.push(make);
    this.offsets.push(at);
  }

  /** Appends a held-back op: its factory and destination are kept, the closure is made in `finish`. */
  private pushValue(make: (dst: number, next: number) => Op, dst: number, at: number): void {
    const pc = this.makers.length;
    this.makers.push(null);
    this.offsets.push(at);
    this.valueMakers[pc] = make;
    this.valueDsts[pc] = dst;
  }

  /** The latest pc some branch may jump to: no fusion may reach back across it. */
  lastLabel = -1;
  /** The last held-back op that was emitted on its own, and where. */
  lastValue: { pc: number; p: Pending } | null = null;

  /** The pc the next op will get. */
  get pc(): number {
    return this.makers.length;
  }

  /** Emits the held-back op (and any op held back before it). */
  flush(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    this.emitPending(p);
  }

  private emitPending(p: Pending): void {
    const prev = p.prev;
    if (prev && prev.prev === null && isAddImm(prev.bin) && isAddImm(p.bin)) {
      const x1 = prev.dst, a1 = prev.bin!.a, k1 = prev.bin!.b, x2 = p.dst, a2 = p.bin!.a, k2 = p.bin!.b;
      return this.push(tag(counts && "addImm2", (next) => addImm2(x1, a1, k1, x2, a2, k2, next)), prev.at);
    }
    if (prev) this.emitPending(prev);
    this.pushValue(p.make, p.dst, p.at);
    this.lastValue = { pc: this.makers.length - 1, p };
  }

  /**
   * The held-back op `p`, with any op held back before it emitted now (that one wrote a local, so
   * running it first keeps the order), ready to be fused on its own.
   */
  detached(p: Pending | null): Pending | null {
    if (p?.prev) {
      this.emitPending(p.prev);
      p.prev = null;
    }
    return p;
  }

  /** Does the held-back op produce stack entry h (and nothing has been fused onto it)? */
  pendingProduces(h: number): Pending | null {
    const p = this.pending;
    return p !== null && this.kind[h] === Kind.Stack && p.dst === this.canonical(h) ? p : null;
  }

  /** Emits an op producing a value of type t on top of the stack, held back for fusion. */
  emitValue(
    t: ValType,
    make: (dst: number, next: number) => Op,
    bin: PendingBinary | null = null,
    extra: Partial<Pending> = NO_EXTRA,
  ): void {
    this.flush();
    this.hold(t, make, bin, extra);
  }

  private hold(
    t: ValType,
    make: (dst: number, next: number) => Op,
    bin: PendingBinary | null,
    extra: Partial<Pending>,
  ) {
    const h = this.pushStack(t);
    const p: Pending = { make, dst: this.stackBase + h, at: this.at, bin, load: null, f64: null, prev: null };
    if (extra !== NO_EXTRA) Object.assign(p, extra);
    this.pending = p;
  }

  /** Emits a branch; its target is `frame`'s label, known now (loops) or patched at the frame's end. */
  emitBranch(frame: ControlFrame, make: (target: number, next: number) => Op, plain = false): void {
    this.flush();
    const pc = this.pc;
    this.makers.push(null);
    this.offsets.push(this.at);
    this.branchMake.set(pc, make);
    if (plain) this.plainJumps.add(pc);
    if (frame.kind === FrameKind.Loop) this.branchTarget[pc] = frame.loopPc;
    else frame.fixups.push((target) => (this.branchTarget[pc] = target));
  }

  /** Creates the closures: resolves branch targets and threads jumps. */
  finish(): Op[] {
    const n = this.makers.length;
    const resolve = (t: number): number => {
      for (let guard = 0; this.plainJumps.has(t) && guard < 64; guard++) {
        const u = this.branchTarget[t];
        if (u === t) break; // `loop br 0`: a real infinite loop
        t = u;
      }
      return t;
    };
    const code: Op[] = new Array(n);
    for (let pc = 0; pc < n; pc++) {
      const make = this.makers[pc];
      if (make) code[pc] = make(resolve(pc + 1));
      else if (this.valueMakers[pc]) code[pc] = this.valueMakers[pc](this.valueDsts[pc], resolve(pc + 1));
    }
    for (const [pc, make] of this.branchMake) {
      const target = resolve(this.branchTarget[pc]);
      if (this.plainJumps.has(pc)) code[pc] = this.returns.has(target) ? code[target] : () => target;
      else code[pc] = make(target, resolve(pc + 1));
    }
    for (const targets of this.tables) {
      for (let i = 0; i < targets.length; i++) targets[i] = resolve(targets[i]);
    }
    return code;
  }

  // ---- the virtual operand stack ----

  canonical(h: number): number {
    return this.stackBase + h;
  }

  pushStack(t: ValType): number {
    const h = this.h++;
    this.kind[h] = Kind.Stack;
    this.type[h] = t;
    if (this.h > this.maxH) this.maxH = this.h;
    return h;
  }

  pushLocal(t: ValType, slot: number): void {
    const h = this.pushStack(t);
    this.kind[h] = Kind.Local;
    this.slotOf[h] = slot;
  }

  pushConst(t: ValType, lo: number, hi = 0): void {
    const h = this.pushStack(t);
    this.kind[h] = Kind.Const;
    this.value[h] = lo;
    this.value2[h] = is64(t) ? hi : 0;
  }

  /** The pool slot holding constant entry h, or -1 when the pool is full. */
  poolSlot(h: number): number {
    const lo = this.value[h], hi = this.value2[h];
    const key = hi === 0 ? lo : `${lo},${hi}`; // small constants: no string to build
    let s = this.pool.get(key);
    if (s === undefined) {
      if (this.pool.size >= this.poolCap) return -1;
      s = this.nLocals + this.pool.size;
      this.pool.set(key, s);
      this.poolInit.push(2 * s, lo, hi);
    }
    return s;
  }

  /** Makes stack entry h real: its value in its canonical slot. */
  materialize(h: number): void {
    const k = this.kind[h];
    if (k === Kind.Stack) return;
    const d = this.canonical(h);
    if (k === Kind.Local) {
      const s = this.slotOf[h], t = this.type[h];
      this.emit(tag(counts && `copyOp:${valTypeName(t)}`, (next) => copyOp(t, d, s, next)));
    } else {
      const t = this.type[h], lo = this.value[h], hi = this.value2[h];
      this.emit(tag(counts && `constOp:${valTypeName(t)}`, (next) => constOp(t, d, lo, hi, next)));
    }
    this.kind[h] = Kind.Stack;
  }

  materializeRange(from: number, to: number): void {
    for (let h = from; h < to; h++) this.materialize(h);
  }

  /** Before entering a block: local references could change meaning inside it. */
  materializeLocalRefs(): void {
    for (let h = 0; h < this.h; h++) if (this.kind[h] === Kind.Local) this.materialize(h);
  }

  /** Before local `slot` is written: entries still reading it must take its current value. */
  materializeRefsTo(slot: number): void {
    for (let h = 0; h < this.h; h++) {
      if (this.kind[h] === Kind.Local && this.slotOf[h] === slot) this.materialize(h);
    }
  }

  /** Pops the top entry and returns the slot its value can be read from (materialising a constant). */
  popSlot(): number {
    const h = --this.h;
    const k = this.kind[h];
    if (k === Kind.Local) return this.slotOf[h];
    if (k === Kind.Const) {
      const s = this.poolSlot(h);
      if (s >= 0) return s;
      this.materialize(h);
    }
    return this.canonical(h);
  }

  topIsConst(): boolean {
    return this.kind[this.h - 1] === Kind.Const;
  }

  popConst(): number {
    return this.value[--this.h];
  }

  // ---- control ----

  blockType(): { params: ValType[]; results: ValType[] } {
    return readBlockType(this.r, this.inst.module.types);
  }

  pushFrame(kind: FrameKind, params: ValType[], results: ValType[], dead: boolean): ControlFrame {
    const frame: ControlFrame = {
      kind,
      height: this.h - params.length,
      params,
      results,
      loopPc: 0,
      fixups: [],
      elseFixup: null,
      unreachable: dead,
      dead,
    };
    this.ctrl.push(frame);
    return frame;
  }

  /** The values a branch to `frame` carries: a loop's parameters, otherwise its results. */
  labelTypes(frame: ControlFrame): ValType[] {
    return frame.kind === FrameKind.Loop ? frame.params : frame.results;
  }

  /** Does a branch to `frame` need to move its values into place? */
  needsMove(frame: ControlFrame): boolean {
    const n = this.labelTypes(frame).length;
    if (n === 0) return false;
    if (this.h - n !== frame.height) return true;
    for (let h = this.h - n; h < this.h; h++) if (this.kind[h] !== Kind.Stack) return true;
    return false;
  }

  /** Emits the copies that put a branch's values where `frame` expects them (stack unchanged). */
  emitMoves(frame: ControlFrame): void {
    const types = this.labelTypes(frame);
    const n = types.length;
    for (let i = 0; i < n; i++) {
      const h = this.h - n + i;
      const d = this.canonical(frame.height + i);
      const k = this.kind[h];
      if (k === Kind.Const) {
        const lo = this.value[h], hi = this.value2[h];
        this.emit(
          tag(counts && `constOp:${valTypeName(types[i])}`, (next) => constOp(types[i], d, lo, hi, next)),
        );
      } else {
        const s = k === Kind.Local ? this.slotOf[h] : this.canonical(h);
        if (s !== d) {
          this.emit(tag(counts && `copyOp:${valTypeName(types[i])}`, (next) => copyOp(types[i], d, s, next)));
        }
      }
    }
  }

  /** Unconditional branch to relative depth `depth`. */
  branch(depth: number): void {
    const frame = this.ctrl[this.ctrl.length - 1 - depth];
    if (frame.kind === FrameKind.Func) return this.emitReturn();
    this.emitMoves(frame);
    this.emitBranch(frame, (target) => () => target, true);
  }

  /** Pops the condition and returns an op factory that jumps when it is `when`. */
  condition(): (when: boolean, target: number, next: number) => Op {
    const p = this.pendingProduces(this.h - 1);
    const cmp = p?.bin;
    if (p && cmp && cmp.op <= 0x4f) {
      // Fuse: drop the held-back comparison, branch on its operands directly.
      this.pending = null;
      this.h--;
      const add = p.prev;
      if (add && add.prev === null && cmp.op !== 0x45 && !this.stackReads(add.dst)) {
        const x = add.dst;
        if (add.load) {
          // `x = load(…); if (x OP c)`: a scan step in one closure.
          const L = add.load, mem = this.inst.memories[0];
          return tag(
            counts && `loadCompareBranch:${opName(cmp.op)}:${imm(cmp.imm)}`,
            (when: boolean, target: number, next: number) =>
              loadCompareBranch(mem, L.a, L.k, L.offset, x, cmp.op, cmp.b, cmp.imm, when, target, next),
          );
        }
        // `x = a + b; if (x OP c)`: a loop counter step and its test in one closure.
        const s = add.bin!;
        return tag(
          counts && `addCompareBranch:${imm(s.imm)}:${opName(cmp.op)}:${imm(cmp.imm)}`,
          (when: boolean, target: number, next: number) =>
            addCompareBranch(x, s.a, s.b, s.imm, cmp.op, cmp.b, cmp.imm, when, target, next),
        );
      }
      if (add) this.emitPending(add);
      if (cmp.op === 0x45) {
        return tag(
          counts && "branchIf:eqz",
          (when: boolean, target: number, next: number) => branchIf(cmp.a, !when, target, next),
        );
      }
      return tag(
        counts && `i32CompareBranch:${opName(cmp.op)}:${imm(cmp.imm)}`,
        (when: boolean, target: number, next: number) =>
          i32CompareBranch(cmp.op, cmp.a, cmp.b, cmp.imm, when, target, next),
      );
    }
    if (this.topIsConst()) {
      const k = this.popConst();
      return tag(
        counts && "branchConst",
        (when: boolean, target: number, next: number) => (k !== 0) === when ? () => target : () => next,
      );
    }
    const s = this.popSlot();
    return tag(
      counts && "branchIf",
      (when: boolean, target: number, next: number) => branchIf(s, when, target, next),
    );
  }

  /** Does any stack entry still read local `slot`? */
  stackReads(slot: number): boolean {
    for (let h = 0; h < this.h; h++) if (this.kind[h] === Kind.Local && this.slotOf[h] === slot) return true;
    return false;
  }

  brIf(depth: number): void {
    const cond = this.condition();
    const frame = this.ctrl[this.ctrl.length - 1 - depth];
    if (frame.kind !== FrameKind.Func && !this.needsMove(frame)) {
      this.emitBranch(frame, (target, next) => cond(true, target, next));
      return;
    }
    // Values must move (or the target is the function): skip over the moves when not taken.
    const skip = this.newLabel();
    this.emitBranch(skip, (target, next) => cond(false, target, next));
    this.branch(depth);
    this.placeLabel(skip);
  }

  /** A bare forward label, used for local jumps the lowering itself creates. */
  newLabel(): ControlFrame {
    return {
      kind: FrameKind.Block,
      height: 0,
      params: [],
      results: [],
      loopPc: 0,
      fixups: [],
      elseFixup: null,
      unreachable: false,
      dead: false,
    };
  }

  placeLabel(frame: ControlFrame): void {
    this.flush();
    const pc = this.pc;
    this.lastLabel = pc;
    for (const fix of frame.fixups) fix(pc);
  }

  brTable(): void {
    const r = this.r;
    const count = r.u32();
    const depths: number[] = [];
    for (let i = 0; i <= count; i++) depths.push(r.u32());
    const frames = this.ctrl;
    if (this.frame().unreachable) return;
    let sel: number;
    if (this.topIsConst()) {
      const k = this.popConst() >>> 0;
      this.branch(depths[k < count ? k : count]);
      return this.setUnreachable();
    } else sel = this.popSlot() << 1;
    const targets = new Int32Array(count + 1);
    this.tables.push(targets);
    const n = count;
    this.flush();
    this.push(tag(counts && "brTable", () => (p) => {
      const i = I32[p + sel] >>> 0;
      return targets[i < n ? i : n];
    }));
    // Targets needing moves or a return get a stub after the table.
    for (let i = 0; i <= count; i++) {
      const frame = frames[frames.length - 1 - depths[i]];
      if (frame.kind === FrameKind.Func || this.needsMove(frame)) {
        targets[i] = this.pc;
        this.branch(depths[i]);
        this.flush();
      } else if (frame.kind === FrameKind.Loop) {
        targets[i] = frame.loopPc;
      } else {
        frame.fixups.push((pc) => (targets[i] = pc));
      }
    }
    this.setUnreachable();
  }

  /** Emits a return of the top values; the lowering state is left as it was (br_if needs that). */
  emitReturn(): void {
    this.emitReturnOp();
    this.returns.add(this.pc - 1);
  }

  private emitReturnOp(): void {
    const results = this.fn.type.results;
    const n = results.length;
    const h = this.h - n;
    if (n === 0) return this.emit(tag(counts && "return:none", () => () => RETURN));
    if (n === 1) {
      const t = results[0];
      if (this.kind[h] === Kind.Const) {
        const lo = this.value[h], hi = this.value2[h];
        return this.emit(tag(counts && "return:const", () => (p) => (I32[p] = lo, I32[p + 1] = hi, RETURN)));
      }
      const s = this.kind[h] === Kind.Local ? this.slotOf[h] : this.canonical(h);
      if (isRefType(t)) {
        return this.emit(tag(counts && "return:ref", () => (p) => (R[p >> 1] = R[(p >> 1) + s], RETURN)));
      }
      if (t === ValType.V128) return this.emit(tag(counts && "return:v128", () => v128Return(s)));
      const s2 = s << 1;
      if (is64(t)) {
        return this.emit(
          tag(
            counts && "return:64",
            () => (p) => (I32[p] = I32[p + s2], I32[p + 1] = I32[p + s2 + 1], RETURN),
          ),
        );
      }
      return this.emit(tag(counts && "return:32", () => (p) => (I32[p] = I32[p + s2], RETURN)));
    }
    // Several results: read them all before writing any, since sources may be locals in 0..n-1.
    const sources: { type: ValType; isConst: boolean; lo: number; hi: number; slot: number }[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.kind[h + i];
      sources.push({
        type: results[i],
        isConst: k === Kind.Const,
        lo: this.value[h + i],
        hi: this.value2[h + i],
        slot: k === Kind.Local ? this.slotOf[h + i] : this.canonical(h + i),
      });
    }
    if (results.includes(ValType.V128)) {
      return this.emit(tag(counts && "return:many:v128", () => returnWithV128(sources)));
    }
    this.emit(tag(counts && "return:many", () => (p) => {
      const base = p >> 1;
      const values = sources.map((src) =>
        src.isConst
          ? [src.lo, src.hi]
          : isRefType(src.type)
          ? R[base + src.slot]
          : readRaw64(p + 2 * src.slot)
      );
      for (let i = 0; i < n; i++) {
        if (isRefType(sources[i].type)) R[base + i] = values[i];
        else {
          const [lo, hi] = values[i] as [number, number];
          I32[p + 2 * i] = lo, I32[p + 2 * i + 1] = hi;
        }
      }
      return RETURN;
    }));
  }

  doReturn(): void {
    this.emitReturn();
    this.setUnreachable();
  }

  frame(): ControlFrame {
    return this.ctrl[this.ctrl.length - 1];
  }

  setUnreachable(): void {
    this.flush();
    const f = this.frame();
    f.unreachable = true;
    this.h = f.height + f.params.length; // anything; no code is emitted until the frame ends
  }

  /** Ends the current frame (`end`). */
  end(): void {
    const frame = this.ctrl.pop()!;
    if (frame.dead) return;
    if (!frame.unreachable) this.materializeRange(frame.height, this.h);
    if (frame.kind === FrameKind.Func) {
      if (!frame.unreachable) this.emitReturn();
      return;
    }
    this.flush();
    const pc = this.pc;
    this.lastLabel = pc;
    if (frame.elseFixup) frame.elseFixup(pc);
    for (const fix of frame.fixups) fix(pc);
    this.h = frame.height;
    for (const t of frame.results) this.pushStack(t);
  }

  // ---- the main loop ----

  run(): void {
    const r = this.r;
    const fnType = this.fn.type;
    this.pushFrame(FrameKind.Func, [], fnType.results, false);
    while (this.ctrl.length > 0) {
      this.at = r.pos;
      const op = r.u8();
      const frame = this.ctrl[this.ctrl.length - 1];
      if (frame.unreachable) {
        this.skip(op, frame);
        continue;
      }
      this.instruction(op);
    }
  }

  /** A fuel/timeout/profile check charging `n` instructions. */
  emitMeter(n: number): void {
    const meter = this.inst.meter!;
    const fn = this.fn.index;
    this.push(tag(counts && (meter.fuelOnly ? "meter:fuel" : "meter"), (next) => {
      // Fuel alone is the common case: keep its check down to an add and a compare.
      if (meter.fuelOnly) return () => ((meter.left -= n) < 0 && meter.refill(), next);
      return () => (meter.charge(n, fn), next);
    }));
  }

  /** Unreachable code: decode to keep nesting straight, emit nothing. */
  skip(op: number, frame: ControlFrame): void {
    switch (op) {
      case Opcode.Block:
      case Opcode.Loop:
      case Opcode.If:
        this.blockType();
        this.pushFrame(FrameKind.Block, [], [], true);
        return;
      case Opcode.Else:
        if (frame.dead) return;
        return this.elseBranch(frame);
      case Opcode.End:
        return this.end();
    }
    skipImmediates(this.r, op);
  }

  elseBranch(frame: ControlFrame): void {
    if (!frame.unreachable) {
      this.materializeRange(frame.height, this.h);
      this.emitBranch(frame, (target) => () => target, true);
    }
    this.flush();
    this.lastLabel = this.pc;
    frame.elseFixup!(this.pc);
    frame.elseFixup = null;
    frame.kind = FrameKind.Else;
    frame.unreachable = false;
    this.h = frame.height;
    for (const t of frame.params) this.pushStack(t);
  }

  instruction(op: number): void {
    const r = this.r;
    switch (op) {
      case Opcode.Unreachable:
        this.emit(tag(counts && "unreachable", () => () => trap("unreachable")));
        return this.setUnreachable();
      case Opcode.Nop:
        return;
      case Opcode.Block: // block
      case Opcode.Loop: { // loop
        const bt = this.blockType();
        this.materializeLocalRefs();
        this.materializeRange(this.h - bt.params.length, this.h);
        this.flush();
        const f = this.pushFrame(
          op === 0x02 ? FrameKind.Block : FrameKind.Loop,
          bt.params,
          bt.results,
          false,
        );
        f.loopPc = this.lastLabel = this.pc;
        // Every iteration passes here: charge the loop body's instructions.
        if (op === 0x03 && this.costs) this.emitMeter(this.costs.loops.get(this.at)!);
        return;
      }
      case Opcode.If: { // if
        const bt = this.blockType();
        const cond = this.condition();
        this.materializeLocalRefs();
        this.materializeRange(this.h - bt.params.length, this.h);
        const f = this.pushFrame(FrameKind.If, bt.params, bt.results, false);
        const label = this.newLabel();
        this.emitBranch(label, (target, next) => cond(false, target, next));
        f.elseFixup = (pc) => label.fixups[0](pc);
        return;
      }
      case Opcode.Else:
        return this.elseBranch(this.frame());
      case Opcode.End:
        return this.end();
      case Opcode.Br:
        this.branch(r.u32());
        return this.setUnreachable();
      case Opcode.BrIf:
        return this.brIf(r.u32());
      case Opcode.BrTable:
        return this.brTable();
      case Opcode.Return:
        return this.doReturn();
      case Opcode.Call:
        return this.call(this.inst.funcs[r.u32()]);
      case Opcode.CallIndirect:
        return this.callIndirect(r.u32(), r.u32());
      case Opcode.Drop: // drop
        this.h--;
        return;
      case Opcode.Select: // select
        return this.select();
      case Opcode.SelectT: { // typed select
        const n = r.u32();
        for (let i = 0; i < n; i++) r.u8();
        return this.select();
      }
      case Opcode.LocalGet: { // local.get
        const x = r.u32();
        return this.pushLocal(this.localTypes[x], x);
      }
      case Opcode.LocalSet:
        return this.localSet(r.u32(), false);
      case Opcode.LocalTee:
        return this.localSet(r.u32(), true);
      case Opcode.GlobalGet:
        return this.globalGet(this.inst.globals[r.u32()]);
      case Opcode.GlobalSet:
        return this.globalSet(this.inst.globals[r.u32()]);
      case Opcode.TableGet:
      case Opcode.TableSet:
        return this.tableInstr(op, r.u32());
      case Opcode.MemorySize: {
        r.u8();
        const mem = this.inst.memories[0];
        return this.emitValue(
          ValType.I32,
          tag(counts && "memorySize", (d, next) => memorySize(mem, d, next)),
        );
      }
      case Opcode.MemoryGrow: {
        r.u8();
        const mem = this.inst.memories[0];
        const a = this.popSlot();
        return this.emitValue(
          ValType.I32,
          tag(counts && "memoryGrow", (d, next) => memoryGrow(mem, d, a, next)),
        );
      }
      case Opcode.I32Const:
        return this.pushConst(ValType.I32, r.s32());
      case Opcode.I64Const: {
        const v = r.s64();
        return this.pushConst(ValType.I64, Number(BigInt.asIntN(32, v)), Number(v >> 32n));
      }
      case Opcode.F32Const:
        return this.pushConst(ValType.F32, r.bits32() | 0);
      case Opcode.F64Const: {
        const [lo, hi] = r.bits64();
        return this.pushConst(ValType.F64, lo | 0, hi | 0);
      }
      case Opcode.RefNull: { // ref.null
        const t = r.u8() as ValType;
        return this.emitValue(
          t,
          tag(counts && "ref.null", (d, next) => (p) => (R[(p >> 1) + d] = null, next)),
        );
      }
      case Opcode.RefIsNull: { // ref.is_null
        const s = this.popSlot();
        return this.emitValue(
          ValType.I32,
          tag(counts && "ref.is_null", (d, next) => {
            d <<= 1;
            return (p) => (I32[p + d] = +(R[(p >> 1) + s] === null), next);
          }),
        );
      }
      case Opcode.RefFunc: { // ref.func
        const f = this.inst.funcs[r.u32()];
        return this.emitValue(
          ValType.FuncRef,
          tag(counts && "ref.func", (d, next) => (p) => (R[(p >> 1) + d] = f, next)),
        );
      }
      case Opcode.PrefixFC:
        return this.prefixed(r.u32());
      case Opcode.PrefixSIMD:
        return lowerSimd(this, r.u32());
    }
    if (op >= 0x28 && op <= 0x3e) return this.memoryAccess(op);
    this.numeric(op);
  }

  numeric(op: number): void {
    if (op === 0x45) { // i32.eqz
      const a = this.popSlot();
      return this.emitValue(
        ValType.I32,
        tag(counts && "i32Unary:i32.eqz", (d, next) => i32Unary(op, d, a, next)),
        { op, a, b: 0, imm: false },
      );
    }
    if (op >= 0x46 && op <= 0x4f) return this.i32Binary(op, true);
    if (op >= 0x67 && op <= 0x69) return this.unary(op, ValType.I32, i32Unary, "i32Unary");
    if (op >= 0x6a && op <= 0x78) return this.i32Binary(op, false);
    if (op === 0x50) return this.unary(op, ValType.I32, i64Unary, "i64Unary");
    if (op >= 0x51 && op <= 0x5a) return this.binary(op, ValType.I32, i64Binary, "i64Binary");
    if (op >= 0x5b && op <= 0x60) return this.binary(op, ValType.I32, f32Op, "f32Op");
    if (op >= 0x61 && op <= 0x66) return this.binary(op, ValType.I32, f64Op, "f64Op");
    if (op >= 0x79 && op <= 0x7b) return this.unary(op, ValType.I64, i64Unary, "i64Unary");
    if (op >= 0x7c && op <= 0x8a) return this.i64Binary(op);
    if (op >= 0x8b && op <= 0x91) {
      return this.unary(op, ValType.F32, (o, d, a, n) => f32Op(o, d, a, a, n), "f32Op");
    }
    if (op >= 0x92 && op <= 0x98) return this.binary(op, ValType.F32, f32Op, "f32Op");
    if (op >= 0x99 && op <= 0x9f) {
      return this.unary(op, ValType.F64, (o, d, a, n) => f64Op(o, d, a, a, n), "f64Op");
    }
    if (op >= 0xa0 && op <= 0xa6) return this.binary(op, ValType.F64, f64Op, "f64Op");
    switch (op) {
      case Opcode.I32WrapI64:
        return this.unary(op, ValType.I32, i64Unary, "i64Unary");
      case Opcode.I64ExtendI32S:
      case Opcode.I64ExtendI32U:
      case Opcode.I64Extend8S:
      case Opcode.I64Extend16S:
      case Opcode.I64Extend32S:
        return this.unary(op, ValType.I64, i64Unary, "i64Unary");
      case Opcode.I32Extend8S:
      case Opcode.I32Extend16S:
        return this.unary(op, ValType.I32, i32Unary, "i32Unary");
      // Reinterpretations: the bits stay, only the type changes.
      case Opcode.I32ReinterpretF32:
        return this.retype(ValType.I32);
      case Opcode.I64ReinterpretF64:
        return this.retype(ValType.I64);
      case Opcode.F32ReinterpretI32:
        return this.retype(ValType.F32);
      case Opcode.F64ReinterpretI64:
        return this.retype(ValType.F64);
    }
    if (op >= 0xa8 && op <= 0xbb) {
      const result = CONVERT_RESULT[op - 0xa8];
      return this.unary(op, result, (o, d, a, n) => convert(o, d, a, n), "convert");
    }
    throw new Error(`lowering: unknown opcode 0x${op.toString(16)} at ${this.at}`);
  }

  retype(t: ValType): void {
    this.type[this.h - 1] = t; // a constant keeps its bits, a slot keeps its contents
  }

  /** A unary op from `make` (the factory named `factory`, for the form census). */
  unary(
    op: number,
    result: ValType,
    make: (op: number, d: number, a: number, next: number) => Op,
    factory: string,
    form: string | null = counts && `${factory}:${opNames()[op]}`,
  ): void {
    const a = this.popSlot();
    this.emitValue(result, tag(form, (d, next) => make(op, d, a, next)));
  }

  binary(
    op: number,
    result: ValType,
    make: (op: number, d: number, a: number, b: number, next: number) => Op,
    factory: string,
  ): void {
    // add/sub/mul/div of f64 or f32: candidates for load, store and pair fusion
    const floatArith = (op >= 0xa0 && op <= 0xa3) || (op >= 0x92 && op <= 0x95);
    if (floatArith && (this.fuseFloatLoad(op) || this.fuseF64Pair(op))) return;
    const b = this.popSlot();
    const a = this.popSlot();
    this.emitValue(
      result,
      tag(counts && `${factory}:${opNames()[op]}`, (d, next) => make(op, d, a, b, next)),
      null,
      floatArith ? { f64: { op, a, b } } : {},
    );
  }

  /** i64 arithmetic: constant shift amounts and multipliers get their own closures. */
  i64Binary(op: number): void {
    const top = this.h - 1;
    if (op === 0x7e && this.kind[top - 1] === Kind.Const && this.kind[top] !== Kind.Const) {
      const lo = this.value[top - 1], hi = this.value2[top - 1];
      const a = this.popSlot();
      this.h--; // the constant
      return this.emitValue(
        ValType.I64,
        tag(counts && "i64BinaryConst:mul", (d, next) => i64BinaryConst(op, d, a, lo, hi, next)),
      );
    }
    if ((op === 0x7e || (op >= 0x86 && op <= 0x8a)) && this.kind[top] === Kind.Const) {
      const lo = this.value[top], hi = this.value2[top];
      if (op === 0x7e) {
        // `(x ^ y) * K` or `(x ^ (x >> k)) * K`: the held-back xor moves into the multiply.
        const xor = this.pendingProduces(top - 1)?.i64xor;
        if (xor && this.pending!.prev === null) {
          this.pending = null;
          this.h -= 2;
          const { a, kind, k, b } = xor;
          return this.emitValue(
            ValType.I64,
            tag(
              counts && i64XorShiftForm(kind, k, true),
              (d, next) => i64XorShift(d, a, kind, k, b, true, lo, hi, next),
            ),
          );
        }
      }
      this.h--;
      const a = this.popSlot();
      const kind = op === 0x88 ? ShiftKind.Right : op === 0x86 ? ShiftKind.Left : -1;
      const extra = kind >= 0 ? { i64shift: { a, kind, k: lo & 63 } } : NO_EXTRA;
      const form = counts && (op === 0x7e ? "i64BinaryConst:mul" : i64ShiftForm(op, lo));
      return this.emitValue(
        ValType.I64,
        tag(form, (d, next) => i64BinaryConst(op, d, a, lo, hi, next)),
        null,
        extra,
      );
    }
    if (op === 0x85) {
      // xor with a value the held-back op just shifted by a constant: the xorshift step in one closure
      let shift = this.pendingProduces(top)?.i64shift, b = -1;
      if (shift && this.pending!.prev === null) {
        this.pending = null;
        this.h--;
        b = this.popSlot();
      } else {
        shift = this.pendingProduces(top - 1)?.i64shift;
        if (shift && this.pending!.prev === null && this.kind[top] === Kind.Local) {
          b = this.slotOf[top];
          this.pending = null;
          this.h -= 2;
        }
      }
      if (b >= 0) {
        const { a, kind, k } = shift!;
        const i64xor = { a, kind, k, b };
        return this.emitValue(
          ValType.I64,
          tag(
            counts && i64XorShiftForm(kind, k, false),
            (d, next) => i64XorShift(d, a, kind, k, b, false, 0, 0, next),
          ),
          null,
          { i64xor },
        );
      }
      const y = this.popSlot(), x = this.popSlot();
      const i64xor = { a: x, kind: ShiftKind.None, k: 0, b: y };
      return this.emitValue(
        ValType.I64,
        tag(counts && "i64Binary:i64.xor", (d, next) => i64Binary(op, d, x, y, next)),
        null,
        { i64xor },
      );
    }
    this.binary(op, ValType.I64, i64Binary, "i64Binary");
  }

  /** f64 `(a OP1 b) OP2 c` (or `c - (a OP1 b)`) for add/sub/mul: the held-back op moves in. */
  fuseF64Pair(op: number): boolean {
    if (op < 0xa0 || op > 0xa2) return false;
    const top = this.h - 1;
    const fusable = (p: Pending | null) =>
      p !== null && p.prev === null && p.f64 !== null && p.f64.op >= 0xa0 && p.f64.op <= 0xa2;
    let inner = this.pendingProduces(top);
    let c: number, reversed: boolean;
    if (fusable(inner)) {
      this.pending = null;
      this.h--;
      c = this.popSlot();
      reversed = op === 0xa1; // c - (a OP1 b); add and mul commute
    } else {
      inner = this.pendingProduces(top - 1);
      const k = this.kind[top];
      if (!fusable(inner) || (k !== Kind.Local && !(k === Kind.Const && this.poolSlot(top) >= 0))) {
        return false;
      }
      c = k === Kind.Local ? this.slotOf[top] : this.poolSlot(top);
      this.pending = null;
      this.h -= 2;
      reversed = false;
    }
    const { op: op1, a, b } = inner!.f64!;
    this.emitValue(
      ValType.F64,
      tag(
        counts && `f64BinaryThenBinary:${opName(op1)}:${reversed ? "rsub" : opName(op)}`,
        (d, next) => f64BinaryThenBinary(op1, a, b, op, c, reversed, d, next),
      ),
    );
    return true;
  }

  /**
   * `c[i] += y * b[j]`: the op just emitted multiplied by a loaded value into a stack slot that
   * this read-modify-write of `c` consumes; both become one closure at the multiply's pc.
   */
  fuseMulAdd(isF32: boolean, arith: number, x: number, memLeft: boolean, cA: number, cOff: number): boolean {
    const last = this.lastValue;
    const mul = last?.p.f64mem;
    const isAdd = arith === (isF32 ? 0x92 : 0xa0), isSub = arith === (isF32 ? 0x93 : 0xa1);
    if (
      !last || !mul || mul.op !== (isF32 ? 0x94 : 0xa2) || last.pc !== this.makers.length - 1 ||
      last.p.dst !== x || x < this.stackBase || this.lastLabel > last.pc || !(isAdd || (isSub && memLeft))
    ) {
      return false;
    }
    const { x: y, load: b } = mul;
    const mem = this.inst.memories[0];
    delete this.valueMakers[last.pc];
    this.makers[last.pc] = tag(
      counts && `mulAddReadModifyWrite:${isF32 ? "f32" : "f64"}:${isSub ? "sub" : "add"}`,
      (next: number) => mulAddReadModifyWrite(isF32, mem, y, b.a, b.k, b.offset, cA, cOff, isSub, next),
    );
    this.lastValue = null;
    return true;
  }

  /** Float arithmetic on a value the held-back op just loaded: the load moves into the arithmetic. */
  fuseFloatLoad(op: number): boolean {
    const mem = this.inst.memories[0];
    const top = this.h - 1;
    const isF32 = op < 0xa0;
    const loadOp = isF32 ? 0x2a : 0x2b, type = isF32 ? ValType.F32 : ValType.F64;
    const binaryMem = isF32 ? f32BinaryMem : f64BinaryMem;
    const right = this.pendingProduces(top);
    if (right?.load?.op === loadOp && right.prev === null) {
      const L = right.load;
      this.pending = null;
      this.h--;
      const x = this.popSlot();
      this.emitValue(
        type,
        tag(
          counts && `${isF32 ? "f32" : "f64"}BinaryMem:${opName(op)}:right`,
          (d, next) => binaryMem(op, d, x, mem, L.a, L.k, L.offset, false, next),
        ),
        null,
        { f64mem: { op, x, load: L, memLeft: false } },
      );
      return true;
    }
    const left = this.pendingProduces(top - 1);
    const k = this.kind[top];
    if (left?.load?.op === loadOp && left.prev === null && (k === Kind.Local || k === Kind.Const)) {
      const y = k === Kind.Local ? this.slotOf[top] : this.poolSlot(top);
      if (y < 0) return false;
      const L = left.load;
      this.pending = null;
      this.h -= 2;
      this.emitValue(
        type,
        tag(
          counts && `${isF32 ? "f32" : "f64"}BinaryMem:${opName(op)}:left`,
          (d, next) => binaryMem(op, d, y, mem, L.a, L.k, L.offset, true, next),
        ),
        null,
        { f64mem: { op, x: y, load: L, memLeft: true } },
      );
      return true;
    }
    return false;
  }

  i32Binary(op: number, isCompare: boolean): void {
    if (this.fuseShift(op) || this.fuseI32Pair(op)) return;
    const bConst = this.topIsConst();
    const aConst = this.kind[this.h - 2] === Kind.Const;
    if (bConst && i32HasImm(op)) {
      const k = this.popConst();
      const a = this.popSlot();
      // x - k is x + (-k) mod 2^32: one form for every fusion that knows additions.
      if (op === 0x6b) return this.emitI32Imm(0x6a, a, -k | 0, false);
      return this.emitI32Imm(op, a, k, isCompare);
    }
    if (aConst && !bConst && (COMMUTATIVE_I32.has(op) || isCompare)) {
      // k OP x  →  x OP' k
      const b = this.popSlot();
      const k = this.popConst();
      return this.emitI32Imm(isCompare ? SWAPPED_COMPARE[op] : op, b, k, isCompare);
    }
    const b = this.popSlot();
    const a = this.popSlot();
    this.emitI32(
      ValType.I32,
      tag(counts && `i32Binary:${opNames()[op]}`, (d, next) => i32Binary(op, d, a, b, next)),
      { op, a, b, imm: false },
      isCompare,
    );
  }

  emitI32Imm(op: number, a: number, k: number, isCompare: boolean): void {
    this.emitI32(
      ValType.I32,
      tag(counts && `i32BinaryImm:${opName(op)}`, (d, next) => i32BinaryImm(op, d, a, k, next)),
      { op, a, b: k, imm: true },
      isCompare,
    );
  }

  /**
   * Holds back an i32 op. A comparison of a local that the held-back `i32.add` just wrote keeps
   * that add held back too, so that a br_if can fuse all three (see `condition`).
   */
  emitI32(t: ValType, make: (dst: number, next: number) => Op, bin: PendingBinary, isCompare: boolean): void {
    const prev = this.pending;
    // A local just written by an add, or by an i32.load, whose new value this compare tests.
    const counter =
      prev !== null && (prev.bin?.op === 0x6a || prev.load?.op === 0x28) && prev.prev === null &&
        prev.dst < this.nLocals
        ? prev.dst
        : -1;
    if (isCompare && counter >= 0 && bin.a === counter) {
      this.pending = null;
      return this.hold(t, make, bin, { prev });
    }
    if (isCompare && counter >= 0 && !bin.imm && bin.b === counter && bin.op !== 0x45) {
      // `n != i` tests the counter too: seen from the counter's side it is `i != n`.
      this.pending = null;
      return this.hold(t, make, { op: SWAPPED_COMPARE[bin.op], a: bin.b, b: bin.a, imm: false }, { prev });
    }
    if (
      isAddImm(bin) && prev !== null && prev.prev === null && isAddImm(prev.bin) && prev.dst < this.nLocals
    ) {
      // Two pointer steps in a row become one closure (see emitPending).
      this.pending = null;
      return this.hold(t, make, bin, { prev });
    }
    this.emitValue(t, make, bin);
  }

  /** `(a OP1 b) OP2 c` with OP1, OP2 in add/and/or/xor: the held-back op moves into this one. */
  fuseI32Pair(op: number): boolean {
    if (op !== 0x6a && (op < 0x71 || op > 0x73)) return false;
    const top = this.h - 1;
    const fusable = (p: Pending | null) =>
      p !== null && p.prev === null && p.bin !== null &&
      (p.bin.op === 0x6a || (p.bin.op >= 0x71 && p.bin.op <= 0x73));
    let inner = this.pendingProduces(top);
    let c: number;
    if (fusable(inner)) {
      this.pending = null;
      this.h--;
      c = this.popSlot();
    } else {
      inner = this.pendingProduces(top - 1);
      if (!fusable(inner) || this.kind[top] !== Kind.Local) return false;
      c = this.slotOf[top];
      this.pending = null;
      this.h -= 2;
    }
    const { op: op1, a, b, imm } = inner!.bin!;
    this.emitValue(
      ValType.I32,
      tag(
        counts && `binaryThenBinary:${opName(op1)}:${opName(op)}:${imm ? "imm" : "reg"}`,
        (d, next) => binaryThenBinary(op1, a, b, imm, op, c, d, next),
      ),
    );
    return true;
  }

  /** i32 add/and/or/xor of a value the held-back op just shifted or rotated by a constant. */
  fuseShift(op: number): boolean {
    if (op !== 0x6a && (op < 0x71 || op > 0x73)) return false;
    const top = this.h - 1;
    const isShift = (p: Pending | null) =>
      p !== null && p.prev === null && p.bin !== null && p.bin.imm && p.bin.op >= 0x74 && p.bin.op <= 0x78;
    let shifted = this.pendingProduces(top);
    let other: number;
    if (isShift(shifted)) {
      this.pending = null;
      this.h--;
      other = this.popSlot();
    } else {
      shifted = this.pendingProduces(top - 1);
      const k = this.kind[top];
      if (!isShift(shifted) || k !== Kind.Local) return false;
      other = this.slotOf[top];
      this.pending = null;
      this.h -= 2;
    }
    const { op: sh, a, b: k } = shifted!.bin!;
    const b = other;
    this.emitValue(
      ValType.I32,
      tag(
        counts && `shiftThenBinary:${opName(sh)}:${opName(op)}`,
        (d, next) => shiftThenBinary(sh, a, k, op, b, d, next),
      ),
    );
    return true;
  }

  localSet(x: number, tee: boolean): void {
    const top = this.h - 1;
    const t = this.localTypes[x];
    const p = this.pendingProduces(top);
    if (p !== null && (p.prev === null || !this.stackReads(x))) {
      // Retarget the held-back op to write the local directly; it stays held back for fusion.
      this.pending = null;
      this.h--;
      this.materializeRefsTo(x);
      this.flush();
      this.pending = { ...p, dst: x };
    } else {
      const k = this.kind[top];
      this.h--;
      this.materializeRefsTo(x);
      if (k === Kind.Const) {
        const lo = this.value[top], hi = this.value2[top];
        this.emit(tag(counts && `constOp:${valTypeName(t)}`, (next) => constOp(t, x, lo, hi, next)));
      } else {
        const s = k === Kind.Local ? this.slotOf[top] : this.canonical(top);
        if (s !== x) {
          if (isRefType(t) || t === ValType.V128) {
            this.emit(tag(counts && `copyOp:${valTypeName(t)}`, (next) => copyOp(t, x, s, next)));
          } else this.holdCopy(x, s);
        }
      }
    }
    if (tee) this.pushLocal(t, x);
  }

  /** Holds back a numeric copy; copies that follow one another share one closure (up to four). */
  holdCopy(d: number, s: number): void {
    const p = this.pending;
    if (p?.copies && p.copies.length < 8) {
      p.copies.push(d, s);
      return;
    }
    this.flush();
    const copies = [d, s];
    const into = counts;
    // `make` runs when the closures are created, after the list is complete.
    this.pending = {
      make: (_dst, next) => {
        if (into) bump(into, `copyManyOp:${copies.length / 2}`);
        return copyManyOp(copies, next);
      },
      dst: -1,
      at: this.at,
      bin: null,
      load: null,
      f64: null,
      prev: null,
      copies,
    };
  }

  globalGet(g: GlobalInst): void {
    const t = g.type;
    this.emitValue(
      t,
      tag(counts && `global.get:${valTypeName(t)}`, (d, next) => {
        if (isRefType(t)) return (p) => (R[(p >> 1) + d] = g.ref, next);
        if (t === ValType.V128) return v128GlobalGet(g, d, next);
        const cell = g.i32;
        d <<= 1;
        if (is64(t)) return (p) => (I32[p + d] = cell[0], I32[p + d + 1] = cell[1], next);
        return (p) => (I32[p + d] = cell[0], next);
      }),
    );
  }

  globalSet(g: GlobalInst): void {
    const t = g.type;
    const s = this.popSlot();
    const form = counts && `global.set:${valTypeName(t)}`;
    if (isRefType(t)) return this.emit(tag(form, (next) => (p) => (g.ref = R[(p >> 1) + s], next)));
    if (t === ValType.V128) return this.emit(tag(form, (next) => v128GlobalSet(g, s, next)));
    const cell = g.i32, s2 = s << 1;
    if (is64(t)) {
      return this.emit(tag(form, (next) => (p) => (cell[0] = I32[p + s2], cell[1] = I32[p + s2 + 1], next)));
    }
    this.emit(tag(form, (next) => (p) => (cell[0] = I32[p + s2], next)));
  }

  select(): void {
    const c = this.popSlot() << 1;
    const b = this.popSlot();
    const a = this.popSlot();
    const t = this.type[this.h];
    this.emitValue(
      t,
      tag(counts && `select:${valTypeName(t)}`, (d, next) => {
        if (t === ValType.V128) return v128Select(d, a, b, c, next);
        if (isRefType(t)) {
          return (p) => {
            const base = p >> 1;
            R[base + d] = I32[p + c] !== 0 ? R[base + a] : R[base + b];
            return next;
          };
        }
        const d2 = d << 1, a2 = a << 1, b2 = b << 1;
        return (p) => {
          const s = I32[p + c] !== 0 ? a2 : b2;
          I32[p + d2] = I32[p + s], I32[p + d2 + 1] = I32[p + s + 1];
          return next;
        };
      }),
    );
  }

  memoryAccess(op: number): void {
    const r = this.r;
    r.u32(); // alignment: a hint only
    const offset = r.u32();
    const mem = this.inst.memories[0];
    if (op <= 0x35) {
      // An address computed by the op just before (`base + k`) is folded into the load.
      const p = this.detached(this.pendingProduces(this.h - 1));
      const pb = p?.bin;
      if (
        p && pb && p.prev === null && pb.op === 0x6a && !pb.imm && (op === 0x28 || op === 0x2b || op === 0x2d)
      ) {
        this.pending = null;
        this.h--;
        return this.emitValue(
          LOAD_RESULT[op - 0x28],
          tag(
            counts && `loadIndexed:${opNames()[op]}`,
            (d, next) => loadIndexed(op, mem, d, pb.a, pb.b, offset, next),
          ),
        );
      }
      if (p && pb && p.prev === null && pb.op === 0x6a && pb.imm) {
        this.pending = null;
        this.h--;
        const load = { op, a: pb.a, k: pb.b, offset };
        return this.emitValue(
          LOAD_RESULT[op - 0x28],
          tag(
            counts && `load:${opNames()[op]}:folded`,
            (d, next) => load_(op, mem, d, pb.a, pb.b, offset, next),
          ),
          null,
          { load },
        );
      }
      const a = this.popSlot();
      return this.emitValue(
        LOAD_RESULT[op - 0x28],
        tag(counts && `load:${opNames()[op]}`, (d, next) => load_(op, mem, d, a, 0, offset, next)),
        null,
        { load: { op, a, k: 0, offset } },
      );
    }
    const value = this.pendingProduces(this.h - 1);
    const rmw = value?.f64mem;
    const storesFloat = op === 0x39 || op === 0x38;
    const isF32 = op === 0x38;
    const fits = (arith: number) => isF32 ? arith >= 0x92 && arith <= 0x95 : arith >= 0xa0 && arith <= 0xa3;
    if (
      storesFloat && rmw && fits(rmw.op) && value!.prev === null && rmw.load.k === 0 &&
      rmw.load.offset === offset
    ) {
      // Stored back where it was loaded from: `c[i] += x` in one closure.
      const addr = this.h - 2;
      const addrSlot = this.kind[addr] === Kind.Local
        ? this.slotOf[addr]
        : this.kind[addr] === Kind.Stack
        ? this.canonical(addr)
        : -1;
      if (addrSlot === rmw.load.a) {
        this.pending = null;
        this.h -= 2;
        const { op: arith, x, memLeft } = rmw;
        if (this.fuseMulAdd(isF32, arith, x, memLeft, addrSlot, offset)) return;
        const rmwOp = isF32 ? f32ReadModifyWrite : f64ReadModifyWrite;
        return this.emit(tag(
          counts && `${isF32 ? "f32" : "f64"}ReadModifyWrite:${opName(arith)}:${memLeft ? "left" : "right"}`,
          (next) => rmwOp(mem, addrSlot, offset, arith, x, memLeft, next),
        ));
      }
    }
    if (storesFloat && value?.f64 && fits(value.f64.op) && value.prev === null) {
      const { op: arith, a: x, b: y } = value.f64;
      this.pending = null;
      this.h--;
      const a = this.popSlot();
      const storeOp = isF32 ? f32StoreBinary : f64StoreBinary;
      return this.emit(tag(
        counts && `${isF32 ? "f32" : "f64"}StoreBinary:${opName(arith)}`,
        (next) => storeOp(mem, a, offset, arith, x, y, next),
      ));
    }
    // An address the held-back op computed as `base + k` (with a value that needs no op) folds in.
    const addr = this.detached(this.pendingProduces(this.h - 2));
    const vk = this.kind[this.h - 1];
    if (
      addr?.bin && isAddImm(addr.bin) &&
      (vk === Kind.Local || (vk === Kind.Const && this.poolSlot(this.h - 1) >= 0))
    ) {
      const v = vk === Kind.Local ? this.slotOf[this.h - 1] : this.poolSlot(this.h - 1);
      const { a, b: k } = addr.bin;
      this.pending = null;
      this.h -= 2;
      return this.emit(
        tag(counts && `store:${opNames()[op]}:folded`, (next) => store(op, mem, a, k, v, offset, next)),
      );
    }
    const v = this.popSlot();
    const a = this.popSlot();
    this.emit(tag(counts && `store:${opNames()[op]}`, (next) => store(op, mem, a, 0, v, offset, next)));
  }

  call(f: FuncInst): void {
    const np = f.type.params.length;
    this.materializeRange(this.h - np, this.h);
    const argSlot = this.canonical(this.h - np);
    this.h -= np;
    if (f.kind === "wasm") {
      this.emit(tag(counts && "call", () => () => (callState.fn = f, callState.argSlot = argSlot, CALL)));
    } else {
      this.emit(tag(counts && "call:host", (next) => (p) => (callHost(f, (p >> 1) + argSlot), next)));
    }
    this.flush();
    for (const t of f.type.results) this.pushStack(t);
  }

  callIndirect(typeIndex: number, tableIndex: number): void {
    const type = this.inst.module.types[typeIndex];
    const sig = this.inst.sigIds[typeIndex];
    const table = this.inst.tables[tableIndex];
    const sel = this.popSlot() << 1;
    const np = type.params.length;
    this.materializeRange(this.h - np, this.h);
    const argSlot = this.canonical(this.h - np);
    this.h -= np;
    this.emit(tag(counts && "call_indirect", (next) => (p) => {
      const i = I32[p + sel] >>> 0;
      const elems = table.elements;
      if (i >= elems.length) trap("undefined element");
      const f = elems[i] as FuncInst | null;
      if (f === null) trap("uninitialized element");
      if (f.sigId !== sig) trap("indirect call type mismatch");
      if (f.kind === "wasm") {
        callState.fn = f, callState.argSlot = argSlot;
        return CALL;
      }
      callHost(f as HostFunc, (p >> 1) + argSlot);
      return next;
    }));
    this.flush();
    for (const t of type.results) this.pushStack(t);
  }

  tableInstr(op: number, x: number): void {
    const table: TableInst = this.inst.tables[x];
    if (op === 0x25) { // table.get
      const i = this.popSlot();
      return this.emitValue(
        table.elemType,
        tag(counts && "table.get", (d, next) => tableOp("get", table, [d, i], next)),
      );
    }
    const v = this.popSlot();
    const i = this.popSlot();
    this.emit(tag(counts && "table.set", (next) => tableOp("set", table, [i, v], next)));
  }

  prefixed(sub: number): void {
    const r = this.r;
    if (sub <= 7) {
      const op = sub < 4 ? 0xa8 + sub : 0xaa + sub; // the i64 forms skip extend_i32_s/u
      const form = counts && `convert:${opNames()[op]}_sat`;
      return this.unary(op, CONVERT_RESULT[sub], (o, d, a, n) => convert(o, d, a, n, true), "convert", form);
    }
    const inst = this.inst;
    switch (sub) {
      case 8: { // memory.init
        const seg = r.u32();
        r.u8();
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        const mem = inst.memories[0];
        return this.emit(
          tag(counts && "memoryInit", (next) => memoryInit(mem, inst.datas, seg, d, s, n, next)),
        );
      }
      case 9: { // data.drop
        const seg = r.u32();
        return this.emit(tag(counts && "data.drop", (next) => () => (inst.datas[seg] = EMPTY, next)));
      }
      case 10: { // memory.copy
        r.u8(), r.u8();
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        const mem = inst.memories[0];
        return this.emit(tag(counts && "memoryCopy", (next) => memoryCopy(mem, d, s, n, next)));
      }
      case 11: { // memory.fill
        r.u8();
        const [n, v, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        const mem = inst.memories[0];
        return this.emit(tag(counts && "memoryFill", (next) => memoryFill(mem, d, v, n, next)));
      }
      case 12: { // table.init
        const seg = r.u32();
        const table = inst.tables[r.u32()];
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        return this.emit(
          tag(counts && "table.init", (next) => tableOp("init", table, [d, s, n], next, inst.elems, seg)),
        );
      }
      case 13: { // elem.drop
        const seg = r.u32();
        return this.emit(tag(counts && "elem.drop", (next) => () => (inst.elems[seg] = [], next)));
      }
      case 14: { // table.copy
        const dst = inst.tables[r.u32()];
        const src = inst.tables[r.u32()];
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        return this.emit(
          tag(counts && "table.copy", (next) => tableOp("copy", dst, [d, s, n], next, undefined, 0, src)),
        );
      }
      case 15: { // table.grow
        const table = inst.tables[r.u32()];
        const [n, v] = [this.popSlot(), this.popSlot()];
        return this.emitValue(
          ValType.I32,
          tag(counts && "table.grow", (d, next) => tableOp("grow", table, [d, v, n], next)),
        );
      }
      case 16: { // table.size
        const table = inst.tables[r.u32()];
        return this.emitValue(
          ValType.I32,
          tag(counts && "table.size", (d, next) => tableOp("size", table, [d], next)),
        );
      }
      case 17: { // table.fill
        const table = inst.tables[r.u32()];
        const [n, v, i] = [this.popSlot(), this.popSlot(), this.popSlot()];
        return this.emit(tag(counts && "table.fill", (next) => tableOp("fill", table, [i, v, n], next)));
      }
    }
    throw new Error(`lowering: unknown 0xfc opcode ${sub}`);
  }
}

const EMPTY = new Uint8Array(0);

function readRaw64(s: number): [number, number] {
  return [I32[s], I32[s + 1]];
}

/** Lowers `fn` (once) and returns its code. */
export function lowerFunction(fn: WasmFunc): Op[] {
  if (fn.code) return fn.code;
  const l = new Lowerer(fn);
  l.run();
  fn.code = l.finish();
  fn.offsets = Int32Array.from(l.offsets);
  fn.frameSize = l.stackBase + l.maxH + 1;
  fn.poolInit = Int32Array.from(l.poolInit);
  fn.entryCost = l.costs?.entry ?? 1;
  fn.plainEntry = fn.nLocals === fn.nParams && fn.poolInit.length === 0 && fn.inst.meter === null;
  return fn.code;
}
