/**
 * Lowering: turns one validated function body into threaded code — a flat array of closures, each
 * reading and writing fixed frame slots and returning the next pc. Runs once per function of a
 * module (and kind of meter), on the first call in any of its instances (or at instantiation with
 * eager lowering): the closures see the module only, and find the running instance's memory,
 * globals, tables and functions in their `vm` argument.
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
import { type FuncType, isRefType, type ModuleInfo, refType, ValType, valTypeName } from "../wasm/types.ts";
import { readHeapType, readValType } from "../wasm/decoder.ts";
import { callState, I32, R } from "../runtime/machine.ts";
import { callHost } from "../runtime/boundary.ts";
import {
  CALL,
  type FuncInst,
  type HandlerTable,
  HUGE_BODY_BYTES,
  type InstanceState,
  type Op,
  OSR,
  RETURN,
  signatureIds,
  TAIL,
  trap,
  type WasmFunc,
} from "../runtime/objects.ts";
import type { HostFunc } from "../runtime/boundary.ts";
import { addCompareBranch, addImm2, branchIf, i32CompareBranch } from "./ops/ops_i32.ts";
import { convert } from "./ops/ops_convert.ts";
import {
  loadCompareBranch,
  memoryCopy,
  memoryFill,
  memoryGrow,
  memoryInit,
  memorySize,
} from "./ops/ops_memory.ts";
import { tableOp } from "./ops/ops_table.ts";
import { constOp, copyManyOp, copyOp } from "./ops/ops_move.ts";
import { lowerSimd } from "./lower_simd.ts";
import { isWide, memoryAccess } from "./lower_memory.ts";
import {
  memoryCopyOf,
  memoryFillOf,
  memoryGrowOf,
  memoryInitOf,
  memorySizeOf,
} from "./ops/ops_memory_wide.ts";
import {
  CatchKind,
  CONVERT_RESULT,
  type FuelCosts,
  fuelCosts,
  readBlockType,
  readCatches,
  skipUnreachable,
  Unreachable,
} from "../wasm/code.ts";
import { allFusedForms, imm, opName, opNames } from "./forms.ts";
import { exceptionFromSlots } from "../runtime/exceptions.ts";
import { castTest, lowerGc, lowerRefEq } from "./ops/ops_gc.ts";
import { sigMatches } from "../wasm/type_canon.ts";

export { allFusedForms };
import { returnWithV128, v128GlobalGet, v128GlobalSet, v128Return, v128Select } from "./ops/ops_simd.ts";
import { FcOp, GcOp, Op as Opcode } from "../wasm/opcodes.ts";
import {
  bump,
  counts,
  isAddImm,
  Kind,
  type LoweringState,
  NO_EXTRA,
  type Pending,
  type PendingBinary,
  setCounts,
  tag,
} from "./lowering_state.ts";
import { numeric, unary } from "./lower_numeric.ts";
import { is64 } from "../wasm/types.ts";

// ---- observability: which closure forms the lowering makes (names in forms.ts) ----

/**
 * The forms of the closures that lowering `fn` makes, with how many of each (for tests and
 * debugging: lowers `fn` afresh, leaving its installed code alone).
 */
export function loweredForms(fn: WasmFunc): Map<string, number> {
  const mine = new Map<string, number>();
  const saved = setCounts(mine);
  try {
    const l = new Lowerer(fn.inst.module, fn.index, loweringConfig(fn.inst));
    l.run();
    l.finish();
  } finally {
    setCounts(saved);
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
  return setCounts(into);
}

const enum FrameKind {
  Block,
  Loop,
  If,
  Else,
  Func,
  /** `try_table`, and the legacy `try`'s body and handlers (exception handling): from here on. */
  TryTable,
  Try,
  Catch,
}

/** A handler region while it is lowered (see `HandlerRegion`). */
interface RegionBuild {
  start: number;
  end: number;
  clauses: number[];
  dst: number;
  /** For a legacy `try`: which of the frame's exnref slots its handlers keep the exception in. */
  exnIndex: number;
  /** The index in `ctrl` of the frame of its `try_table` or `try`. */
  frameIndex: number;
  /** The region around it when it opened. */
  parent: RegionBuild | null;
  /** For a legacy `try … delegate l`: the region label `l` leads to (null: the caller); else undefined. */
  delegateTo?: RegionBuild | null;
  /** Its place in the function's handler table, once closed. */
  index: number;
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
  /** Byte offset of the instruction that opened it (-1: a label of the lowering's own). */
  at: number;
}

/** At most this many constants per function live in the frame's constant pool. */
const MAX_POOL = 64;

/** Counts the bytes that could be const opcodes: an upper bound on the constants a body holds. */
function countConstOpcodes(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end && n < MAX_POOL; i++) {
    const b = bytes[i];
    if (b >= Opcode.I32Const && b <= Opcode.F64Const) n++;
  }
  return n;
}

export class Lowerer implements LoweringState {
  readonly offsets: number[] = [];
  readonly r: Reader;
  readonly fnType: FuncType;
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
   * Layout of a frame: [params | locals | pool | operand stack]. `pool` finds the slot of a constant
   * whose high half is 0 by its low half; `poolInit` holds every one as (slot·2, low, high).
   */
  readonly pool = new Map<number, number>();
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
  /**
   * Where the run loop can go on after compiled code that ran one loop (`Lowered.labels`): pairs of
   * a key, 2·offset of a construct for its end and 2·offset + 1 of a loop for its start, and the pc.
   * Only for code that tiers up, of a huge function.
   */
  readonly labels: number[] | null;

  /**
   * Lowers function `index` of `module` for instances of kind `config`. Only the module is seen:
   * the code is shared by all its instances, which the ops find as their `vm` argument.
   */
  constructor(readonly module: ModuleInfo, readonly index: number, readonly config: LoweringConfig) {
    const m = module;
    const body = m.funcs[index - m.importedFuncCount];
    this.fnType = m.types[body.typeIndex];
    this.r = new Reader(m.bytes, body.codeStart, body.codeEnd);
    this.localTypes = [...this.fnType.params, ...body.locals];
    this.nLocals = this.localTypes.length;
    this.poolCap = countConstOpcodes(m.bytes, body.codeStart, body.codeEnd);
    this.stackBase = this.nLocals + this.poolCap;
    // Only a huge function's loops get code that leaves them for a label (engine/tiering.ts `loopCode`).
    this.labels = config.hotLoops && body.codeEnd - body.codeStart > HUGE_BODY_BYTES ? [] : null;
    this.costs = config.meter !== MeterKind.None
      ? fuelCosts(m.bytes, body.codeStart, body.codeEnd, m.types)
      : null;
  }

  /** What the function's calls and loop iterations charge (wasm/code.ts), when metered. */
  readonly costs: FuelCosts | null;

  // ---- emitting ----

  /** `make`, counted under `form` while closure forms are counted (for the per-family files). */
  named<A extends unknown[]>(form: string, make: (...args: A) => Op): (...args: A) => Op {
    return tag(counts && form, make);
  }

  /** Appends an op; `make` receives the pc that follows it. */
  emit(make: (next: number) => Op): void {
    this.flush();
    this.push(make);
  }

  push(make: (next: number) => Op, at = this.at): void {
    this.makers.push(make);
    this.offsets.push(at);
  }

  /** Appends a held-back op: its factory and destination are kept, the closure is made in `finish`. */
  pushValue(make: (dst: number, next: number) => Op, dst: number, at: number): void {
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

  emitPending(p: Pending): void {
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

  hold(
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

  /**
   * Creates the closures: resolves branch targets and threads jumps. No closure made here may see
   * `this`: an op that did would keep the whole lowering state alive as long as the code lives.
   */
  finish(): Op[] {
    const n = this.makers.length;
    const resolve = threader(this.plainJumps, this.branchTarget);
    const code: Op[] = new Array(n);
    for (let pc = 0; pc < n; pc++) {
      const make = this.makers[pc];
      if (make) code[pc] = make(resolve(pc + 1));
      else if (this.valueMakers[pc]) code[pc] = this.valueMakers[pc](this.valueDsts[pc], resolve(pc + 1));
    }
    for (const [pc, make] of this.branchMake) {
      const target = resolve(this.branchTarget[pc]);
      if (this.plainJumps.has(pc)) code[pc] = this.returns.has(target) ? code[target] : jumpTo(target);
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
    const lo = this.value[h], hi = this.value2[h], init = this.poolInit;
    if (hi === 0) {
      const s = this.pool.get(lo);
      if (s !== undefined) return s;
    } else {
      // A wide constant (i64, f64): looked for among the pool's at most MAX_POOL, no key to build.
      for (let i = 0; i < init.length; i += 3) {
        if (init[i + 1] === lo && init[i + 2] === hi) return init[i] >> 1;
      }
    }
    const size = init.length / 3;
    if (size >= this.poolCap) return -1;
    const s = this.nLocals + size;
    if (hi === 0) this.pool.set(lo, s);
    init.push(2 * s, lo, hi);
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
    return readBlockType(this.r, this.module.types);
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
      at: this.at,
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
    if (p && cmp && cmp.op <= Opcode.I32GeU) {
      // Fuse: drop the held-back comparison, branch on its operands directly.
      this.pending = null;
      this.h--;
      const add = p.prev;
      if (add && add.prev === null && cmp.op !== Opcode.I32Eqz && !this.stackReads(add.dst)) {
        const x = add.dst;
        if (add.load) {
          // `x = load(…); if (x OP c)`: a scan step in one closure.
          const L = add.load;
          return tag(
            counts && `loadCompareBranch:${opName(cmp.op)}:${imm(cmp.imm)}`,
            (when: boolean, target: number, next: number) =>
              loadCompareBranch(L.a, L.k, L.offset, x, cmp.op, cmp.b, cmp.imm, when, target, next),
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
      if (cmp.op === Opcode.I32Eqz) {
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
    this.branchOn(depth, this.condition());
  }

  /**
   * `br_on_null` (`onNull`) or `br_on_non_null` to relative depth `depth`. The reference stays in its
   * canonical slot: `br_on_null` pops it for the branch (the label takes what is below) and pushes it
   * back for the code after; `br_on_non_null` branches with it (the label's last value) and pops it
   * after, where it is null.
   */
  brOnNull(depth: number, onNull: boolean): void {
    const h = this.h - 1, t = this.type[h];
    this.materializeRange(h, h + 1);
    const s = this.canonical(h);
    const cond = (when: boolean, target: number, next: number): Op => {
      const taken = when === onNull; // jump when the reference is null (or, when !taken, when it is not)
      return (p) => (R[(p >> 1) + s] === null) === taken ? target : next;
    };
    if (onNull) {
      this.h--;
      this.branchOn(depth, tag(counts && "br_on_null", cond));
      this.pushStack(t);
    } else {
      this.branchOn(depth, tag(counts && "br_on_non_null", cond));
      this.h--;
    }
  }

  /**
   * `br_on_cast` (or, `fail`, `br_on_cast_fail`): branches with the reference when it passes the cast
   * (fails it), which stays in its canonical slot for the code after, with the type left for it there.
   */
  brOnCast(fail: boolean): void {
    const r = this.r;
    const flags = r.u8(), depth = r.u32();
    const h1 = readHeapType(r), h2 = readHeapType(r);
    const test = castTest(this, h2, (flags & 2) !== 0);
    const h = this.h - 1;
    this.materializeRange(h, h + 1);
    const s = this.canonical(h);
    const cond = (when: boolean, target: number, next: number): Op => {
      const taken = when !== fail; // jump when the test passes (for br_on_cast_fail, when it fails)
      return (p) => test(R[(p >> 1) + s]) === taken ? target : next;
    };
    this.branchOn(depth, tag(counts && "br_on_cast", cond));
    // What falls through: the cast's type (br_on_cast_fail), else the operand's minus it.
    const rt1 = refType(h1, (flags & 1) !== 0), rt2 = refType(h2, (flags & 2) !== 0);
    this.type[h] = fail ? rt2 : (flags & 2) !== 0 ? refType(h1, false) : rt1;
  }

  /** A conditional branch to relative depth `depth` on `cond` (see `condition`). */
  branchOn(depth: number, cond: (when: boolean, target: number, next: number) => Op): void {
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
      at: -1,
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

  emitReturnOp(): void {
    const results = this.fnType.results;
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
    if (this.labels !== null && frame.at >= 0) this.labels.push(2 * frame.at, pc);
    if (frame.elseFixup) frame.elseFixup(pc);
    for (const fix of frame.fixups) fix(pc);
    this.h = frame.height;
    for (const t of frame.results) this.pushStack(t);
  }

  // ---- the main loop ----

  run(): void {
    const r = this.r;
    const fnType = this.fnType;
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
    this.exnBox.base = this.stackBase + this.maxH + 1; // legacy handlers' exnref slots (see `rethrowOp`)
  }

  /** A fuel/timeout/profile check charging `n` instructions. */
  emitMeter(n: number): void {
    const fuelOnly = this.config.meter === MeterKind.Fuel;
    const fn = this.index;
    this.push(tag(counts && (fuelOnly ? "meter:fuel" : "meter"), (next) => {
      // Fuel alone is the common case: keep its check down to an add and a compare.
      if (fuelOnly) {
        return (_, vm) => {
          const meter = vm.meter!;
          if ((meter.left -= n) < 0) meter.refill();
          return next;
        };
      }
      return (_, vm) => (vm.meter!.charge(n, fn), next);
    }));
  }

  /**
   * The first op of the loop at byte offset `at` (its operand stack empty): spends a unit of the
   * function's heat per iteration and, once it is hot, asks the run loop to go on in compiled code
   * from here (OSR). Only while the instance may tier up: the interpreter alone counts nothing.
   */
  emitHotLoop(at: number): void {
    const i = this.index;
    this.push(
      tag(counts && "hotLoop", (next) => (_, vm) => --vm.heat[i] > 0 ? next : (callState.osrAt = at, OSR)),
    );
  }

  /** Unreachable code: decode to keep nesting straight, emit nothing. */
  skip(op: number, frame: ControlFrame): void {
    // A legacy `catch`, `catch_all` or `delegate` after an unreachable body still ends it.
    if (!frame.dead && (frame.kind === FrameKind.Try || frame.kind === FrameKind.Catch)) {
      if (op === Opcode.Catch || op === Opcode.CatchAll) return this.legacyCatch(op, frame);
      if (op === Opcode.Delegate) return this.delegate(frame);
    }
    if (op === Opcode.End && !frame.dead && frame.kind >= FrameKind.TryTable) return this.endTry(frame);
    switch (skipUnreachable(this.r, op, this.module.types)) {
      case Unreachable.Open:
        this.pushFrame(FrameKind.Block, [], [], true);
        return;
      case Unreachable.Else:
        if (!frame.dead) this.elseBranch(frame);
        return;
      case Unreachable.End:
      case Unreachable.Delegate: // of a legacy `try` opened in unreachable code
        return this.end();
    }
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
          op === Opcode.Block ? FrameKind.Block : FrameKind.Loop,
          bt.params,
          bt.results,
          false,
        );
        f.loopPc = this.lastLabel = this.pc;
        if (op === Opcode.Loop) {
          if (this.labels !== null) this.labels.push(2 * this.at + 1, f.loopPc);
          // Every iteration passes here: count it towards tiering up, charge the loop body's instructions.
          if (this.h === 0 && this.config.hotLoops && this.catchDepth === 0) {
            this.emitHotLoop(this.at);
          }
          if (this.costs) this.emitMeter(this.costs.loops.get(this.at)!);
        }
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
      case Opcode.End: {
        const frame = this.frame();
        return frame.kind >= FrameKind.TryTable ? this.endTry(frame) : this.end();
      }
      case Opcode.TryTable:
        return this.tryTable();
      case Opcode.Try:
        return this.legacyTry();
      case Opcode.Catch:
      case Opcode.CatchAll:
        return this.legacyCatch(op, this.frame());
      case Opcode.Delegate:
        return this.delegate(this.frame());
      case Opcode.Throw:
        return this.throwTag(r.u32());
      case Opcode.ThrowRef: {
        const s = this.popSlot();
        this.emit(tag(counts && "throw_ref", () => (p) => {
          const x = R[(p >> 1) + s];
          if (x === null) trap("null exception reference");
          throw x;
        }));
        return this.setUnreachable();
      }
      case Opcode.Rethrow: {
        const frame = this.ctrl[this.ctrl.length - 1 - r.u32()];
        this.emit(tag(counts && "rethrow", rethrowOp(this.exnBox, this.tryRegions.get(frame)!.exnIndex)));
        return this.setUnreachable();
      }
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
        return this.call(r.u32());
      case Opcode.CallIndirect:
        return this.callIndirect(r.u32(), r.u32());
      case Opcode.ReturnCall:
        return this.returnCall(r.u32());
      case Opcode.ReturnCallIndirect:
        return this.returnCallIndirect(r.u32(), r.u32());
      case Opcode.CallRef:
        return this.callRef(r.u32());
      case Opcode.ReturnCallRef:
        return this.returnCallRef(r.u32());
      case Opcode.RefAsNonNull: { // ref.as_non_null
        const s = this.popSlot();
        return this.emitValue(
          ValType.FuncRef, // a reference: only where it lives matters here
          tag(counts && "ref.as_non_null", (d, next) => (p) => {
            const v = R[(p >> 1) + s];
            if (v === null) trap("null reference");
            R[(p >> 1) + d] = v;
            return next;
          }),
        );
      }
      case Opcode.BrOnNull:
        return this.brOnNull(r.u32(), true);
      case Opcode.BrOnNonNull:
        return this.brOnNull(r.u32(), false);
      case Opcode.Drop: // drop
        this.h--;
        return;
      case Opcode.Select: // select
        return this.select();
      case Opcode.SelectT: { // typed select
        const n = r.u32();
        for (let i = 0; i < n; i++) readValType(r);
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
        return this.globalGet(r.u32());
      case Opcode.GlobalSet:
        return this.globalSet(r.u32());
      case Opcode.TableGet:
      case Opcode.TableSet:
        return this.tableInstr(op, r.u32());
      case Opcode.MemorySize: {
        const m = r.u32(), wide = isWide(this, m);
        if (m !== 0 || wide) {
          const make = (d: number, next: number) => memorySizeOf(m, wide, d, next);
          return this.emitValue(wide ? ValType.I64 : ValType.I32, tag(counts && "memorySizeOf", make));
        }
        return this.emitValue(
          ValType.I32,
          tag(counts && "memorySize", (d, next) => memorySize(d, next)),
        );
      }
      case Opcode.MemoryGrow: {
        const m = r.u32(), wide = isWide(this, m);
        const a = this.popSlot();
        if (m !== 0 || wide) {
          const make = (d: number, next: number) => memoryGrowOf(m, wide, d, a, next);
          return this.emitValue(wide ? ValType.I64 : ValType.I32, tag(counts && "memoryGrowOf", make));
        }
        return this.emitValue(
          ValType.I32,
          tag(counts && "memoryGrow", (d, next) => memoryGrow(d, a, next)),
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
        const t = refType(readHeapType(r), true);
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
        const f = r.u32();
        return this.emitValue(
          ValType.FuncRef,
          tag(counts && "ref.func", (d, next) => (p, vm) => (R[(p >> 1) + d] = vm.func(f), next)),
        );
      }
      case Opcode.RefEq:
        return lowerRefEq(this);
      case Opcode.PrefixGC: {
        const sub = r.u32();
        if (sub === GcOp.BrOnCast || sub === GcOp.BrOnCastFail) {
          return this.brOnCast(sub === GcOp.BrOnCastFail);
        }
        return lowerGc(this, sub);
      }
      case Opcode.PrefixFC:
        return this.prefixed(r.u32());
      case Opcode.PrefixSIMD:
        return lowerSimd(this, r.u32());
    }
    if (op >= Opcode.I32Load && op <= Opcode.I64Store32) return memoryAccess(this, op);
    numeric(this, op);
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

  globalGet(x: number): void {
    const t = this.module.globalTypes[x].type;
    this.emitValue(
      t,
      tag(counts && `global.get:${valTypeName(t)}`, (d, next) => {
        if (isRefType(t)) return (p, vm) => (R[(p >> 1) + d] = vm.globals[x].ref, next);
        if (t === ValType.V128) return v128GlobalGet(x, d, next);
        d <<= 1;
        if (is64(t)) {
          return (p, vm) => {
            const cell = vm.globals[x].i32;
            I32[p + d] = cell[0], I32[p + d + 1] = cell[1];
            return next;
          };
        }
        return (p, vm) => (I32[p + d] = vm.globals[x].i32[0], next);
      }),
    );
  }

  globalSet(x: number): void {
    const t = this.module.globalTypes[x].type;
    const s = this.popSlot();
    const form = counts && `global.set:${valTypeName(t)}`;
    if (isRefType(t)) {
      return this.emit(tag(form, (next) => (p, vm) => (vm.globals[x].ref = R[(p >> 1) + s], next)));
    }
    if (t === ValType.V128) return this.emit(tag(form, (next) => v128GlobalSet(x, s, next)));
    const s2 = s << 1;
    if (is64(t)) {
      return this.emit(tag(form, (next) => (p, vm) => {
        const cell = vm.globals[x].i32;
        cell[0] = I32[p + s2], cell[1] = I32[p + s2 + 1];
        return next;
      }));
    }
    this.emit(tag(form, (next) => (p, vm) => (vm.globals[x].i32[0] = I32[p + s2], next)));
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

  call(x: number): void {
    const m = this.module;
    const type = m.types[m.funcTypeIndices[x]];
    const np = type.params.length;
    this.materializeRange(this.h - np, this.h);
    const argSlot = this.canonical(this.h - np);
    this.h -= np;
    if (x >= m.importedFuncCount) {
      this.emit(
        tag(
          counts && "call",
          () => (_, vm) => (callState.fn = vm.funcs[x] ?? vm.func(x), callState.argSlot = argSlot, CALL),
        ),
      );
    } else {
      // An import is a host function in one instance, another instance's wasm function in the next.
      this.emit(tag(counts && "call:import", (next) => (p, vm) => {
        const f = vm.funcs[x]!; // imports are all there
        if (f.kind === "wasm") {
          callState.fn = f, callState.argSlot = argSlot;
          return CALL;
        }
        callHost(f, (p >> 1) + argSlot);
        return next;
      }));
    }
    this.flush();
    for (const t of type.results) this.pushStack(t);
  }

  callIndirect(typeIndex: number, tableIndex: number): void {
    const type = this.module.types[typeIndex];
    const sig = signatureIds(this.module)[typeIndex];
    const sel = this.popSlot() << 1;
    const np = type.params.length;
    this.materializeRange(this.h - np, this.h);
    const argSlot = this.canonical(this.h - np);
    this.h -= np;
    const wide = this.tableIsWide(tableIndex); // a 64-bit index beyond 2^32 is out of bounds
    this.emit(tag(counts && "call_indirect", (next) => (p, vm) => {
      const i = wide && I32[p + sel + 1] !== 0 ? -1 >>> 0 : I32[p + sel] >>> 0;
      const elems = vm.tables[tableIndex].elements;
      if (i >= elems.length) trap("undefined element");
      const f = elems[i] as FuncInst | null;
      if (f === null) trap("uninitialized element");
      if (f.sigId !== sig && !sigMatches(f.sigId, sig)) trap("indirect call type mismatch");
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

  /**
   * `call_ref $t`: the callee is the reference on top (null traps); its type is `$t` by validation. Its
   * dispatch to wasm or host is written out as in `callIndirect`: a shared helper measured 5 % slower on an
   * interpreted call_indirect loop.
   */
  callRef(typeIndex: number): void {
    const type = this.module.types[typeIndex];
    const sel = this.popSlot();
    const np = type.params.length;
    this.materializeRange(this.h - np, this.h);
    const argSlot = this.canonical(this.h - np);
    this.h -= np;
    this.emit(tag(counts && "call_ref", (next) => (p) => {
      const f = R[(p >> 1) + sel] as FuncInst | null;
      if (f === null) trap("null function reference");
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

  returnCallRef(typeIndex: number): void {
    const sel = this.popSlot();
    const argSlot = this.tailArgs(this.module.types[typeIndex]);
    this.emit(tag(counts && "return_call_ref", () => (p) => {
      const f = R[(p >> 1) + sel] as FuncInst | null;
      if (f === null) trap("null function reference");
      callState.fn = f, callState.argSlot = argSlot;
      return TAIL;
    }));
    this.setUnreachable();
  }

  /**
   * A tail call's arguments: in their canonical slots, popped; returns where they start. The op then
   * names the callee and returns TAIL: the run loop moves them down to the frame's base and runs the
   * callee there, in this frame's place (`return_call_ref` will name its callee the same way).
   */
  tailArgs(type: FuncType): number {
    const np = type.params.length;
    this.materializeRange(this.h - np, this.h);
    const argSlot = this.canonical(this.h - np);
    this.h -= np;
    return argSlot;
  }

  returnCall(x: number): void {
    const m = this.module;
    const argSlot = this.tailArgs(m.types[m.funcTypeIndices[x]]);
    this.emit(
      tag(
        counts && "return_call",
        () => (_, vm) => (callState.fn = vm.funcs[x] ?? vm.func(x), callState.argSlot = argSlot, TAIL),
      ),
    );
    this.setUnreachable();
  }

  returnCallIndirect(typeIndex: number, tableIndex: number): void {
    const type = this.module.types[typeIndex];
    const sig = signatureIds(this.module)[typeIndex];
    const sel = this.popSlot() << 1;
    const argSlot = this.tailArgs(type);
    const wide = this.tableIsWide(tableIndex);
    this.emit(tag(counts && "return_call_indirect", () => (p, vm) => {
      const i = wide && I32[p + sel + 1] !== 0 ? -1 >>> 0 : I32[p + sel] >>> 0;
      const elems = vm.tables[tableIndex].elements;
      if (i >= elems.length) trap("undefined element");
      const f = elems[i] as FuncInst | null;
      if (f === null) trap("uninitialized element");
      if (f.sigId !== sig && !sigMatches(f.sigId, sig)) trap("indirect call type mismatch");
      callState.fn = f, callState.argSlot = argSlot;
      return TAIL;
    }));
    this.setUnreachable();
  }

  tableInstr(op: number, x: number): void {
    const wide = this.tableIsWide(x);
    if (op === Opcode.TableGet) { // table.get
      const i = this.popSlot();
      return this.emitValue(
        this.module.tables[x].elem,
        tag(counts && "table.get", (d, next) => tableOp("get", x, [d, i], next, 0, 0, wide)),
      );
    }
    const v = this.popSlot();
    const i = this.popSlot();
    this.emit(tag(counts && "table.set", (next) => tableOp("set", x, [i, v], next, 0, 0, wide)));
  }

  /** Table `t` has 64-bit indices (table64). */
  tableIsWide(t: number): boolean {
    return this.module.tables[t].limits.address64 === true;
  }

  // ---- exception handling ----

  /** Handler regions: those closed (innermost first: a region closes before those around it), those open. */
  readonly closedRegions: RegionBuild[] = [];
  readonly openRegions: RegionBuild[] = [];
  /** The region of each `try_table` and legacy `try` frame. */
  readonly tryRegions = new Map<ControlFrame, RegionBuild>();
  /** Legacy handlers around the code being lowered, and the most at once (each keeps its exnref in a slot). */
  catchDepth = 0;
  maxCatchDepth = 0;
  /** Where those slots start: above the operand stack, whose size is known once the body is lowered. */
  readonly exnBox = { base: 0 };

  /** The parameters of tag `x`. */
  tagParams(x: number): ValType[] {
    const m = this.module;
    return m.types[m.tags[x]].params;
  }

  /** Opens the handler region of `frame`'s body, which starts here. */
  openRegion(frame: ControlFrame, exnIndex: number): RegionBuild {
    const region: RegionBuild = {
      start: this.pc,
      end: this.pc,
      clauses: [],
      dst: this.canonical(frame.height),
      exnIndex,
      frameIndex: this.ctrl.length - 1,
      parent: this.openRegions[this.openRegions.length - 1] ?? null,
      index: -1,
    };
    this.openRegions.push(region);
    this.tryRegions.set(frame, region);
    return region;
  }

  /** Closes the innermost open region, `region`, here. */
  closeRegion(region: RegionBuild): void {
    region.end = this.pc;
    this.openRegions.pop();
    region.index = this.closedRegions.length;
    this.closedRegions.push(region);
  }

  /**
   * `try_table`: a block whose body is a handler region. Each catch clause is a branch to its label
   * with the caught values in the slots from the block's height on, emitted before the body (which a
   * jump skips); the run loop writes the values there and goes on at the clause's branch.
   */
  tryTable(): void {
    const bt = this.blockType();
    const clauses = readCatches(this.r);
    this.materializeLocalRefs();
    this.materializeRange(this.h - bt.params.length, this.h);
    this.flush();
    const h0 = this.h - bt.params.length;
    const params = this.type.slice(h0, this.h);
    const pcs: number[] = [];
    if (clauses.length > 0) {
      const skip = this.newLabel();
      this.emitBranch(skip, (target) => () => target, true);
      for (const c of clauses) {
        this.h = h0;
        if (c.tag >= 0) { for (const t of this.tagParams(c.tag)) this.pushStack(t); }
        if (c.kind === CatchKind.CatchRef || c.kind === CatchKind.CatchAllRef) this.pushStack(ValType.ExnRef);
        this.flush();
        pcs.push(this.lastLabel = this.pc);
        this.branch(c.label);
        this.flush();
      }
      this.h = h0;
      for (const t of params) this.pushStack(t);
      this.placeLabel(skip);
    }
    const f = this.pushFrame(FrameKind.TryTable, bt.params, bt.results, false);
    f.loopPc = this.lastLabel = this.pc;
    const region = this.openRegion(f, -1);
    clauses.forEach((c, i) => {
      const ref = c.kind === CatchKind.CatchRef || c.kind === CatchKind.CatchAllRef;
      region.clauses.push(c.tag, ref ? 1 : 0, pcs[i]);
    });
  }

  /** The legacy `try`: a block whose body is a handler region; its handlers follow (`legacyCatch`). */
  legacyTry(): void {
    const bt = this.blockType();
    this.materializeLocalRefs();
    this.materializeRange(this.h - bt.params.length, this.h);
    this.flush();
    const f = this.pushFrame(FrameKind.Try, bt.params, bt.results, false);
    f.loopPc = this.lastLabel = this.pc;
    this.openRegion(f, this.catchDepth);
  }

  /**
   * A legacy `catch` or `catch_all`: the body (or the handler before) goes to the end, and a handler
   * starts with the tag's values on the stack; the run loop keeps the exception for `rethrow`.
   */
  legacyCatch(op: number, frame: ControlFrame): void {
    const x = op === Opcode.Catch ? this.r.u32() : -1;
    const region = this.tryRegions.get(frame)!;
    if (!frame.unreachable) {
      this.materializeRange(frame.height, this.h);
      this.emitBranch(frame, (target) => () => target, true);
    }
    this.flush();
    if (frame.kind === FrameKind.Try) {
      this.closeRegion(region);
      if (++this.catchDepth > this.maxCatchDepth) this.maxCatchDepth = this.catchDepth;
    }
    this.lastLabel = this.pc;
    region.clauses.push(x, 2, this.pc);
    frame.kind = FrameKind.Catch;
    frame.unreachable = false;
    this.h = frame.height;
    if (x >= 0) { for (const t of this.tagParams(x)) this.pushStack(t); }
  }

  /**
   * `delegate l`: the legacy `try` ends; what its body throws goes to the handlers label `l` leads to
   * (those of its `try` or `try_table`, else the ones around its block; the caller's for the function).
   */
  delegate(frame: ControlFrame): void {
    const target = this.ctrl.length - 2 - this.r.u32();
    const region = this.tryRegions.get(frame)!;
    let to: RegionBuild | null = null;
    for (let i = this.openRegions.length - 2; i >= 0 && to === null; i--) {
      if (this.openRegions[i].frameIndex <= target) to = this.openRegions[i];
    }
    region.delegateTo = to;
    this.end();
    this.closeRegion(region);
  }

  /** `end` of a `try_table` or a legacy `try`: its region closes (the body's, when it had no handler). */
  endTry(frame: ControlFrame): void {
    const kind = frame.kind;
    this.end();
    if (kind === FrameKind.Catch) this.catchDepth--;
    else this.closeRegion(this.tryRegions.get(frame)!);
  }

  /** `throw x`: the tag's values, from their canonical slots, make the exception thrown. */
  throwTag(x: number): void {
    const n = this.tagParams(x).length;
    this.materializeRange(this.h - n, this.h);
    const base = this.canonical(this.h - n);
    this.h -= n;
    this.emit(tag(counts && "throw", () => (p, vm) => {
      throw exceptionFromSlots(vm.tags[x], (p >> 1) + base);
    }));
    this.setUnreachable();
  }

  /** The function's handler table (see `HandlerRegion`), null without handlers. */
  handlerTable(): HandlerTable | null {
    if (this.closedRegions.length === 0) return null;
    return this.closedRegions.map((r) => ({
      start: r.start,
      end: r.end,
      clauses: r.clauses,
      dst: r.dst,
      exnSlot: this.exnBox.base + r.exnIndex,
      next: r.delegateTo !== undefined ? (r.delegateTo?.index ?? -1) : (r.parent?.index ?? -1),
    }));
  }

  prefixed(sub: number): void {
    const r = this.r;
    if (sub <= 7) {
      const op = sub < FcOp.I64TruncSatF32S // the i64 forms skip extend_i32_s/u
        ? Opcode.I32TruncF32S + sub
        : Opcode.I64TruncF32S + (sub - FcOp.I64TruncSatF32S);
      const form = counts && `convert:${opNames()[op]}_sat`;
      return unary(this, op, CONVERT_RESULT[sub], (o, d, a, n) => convert(o, d, a, n, true), "convert", form);
    }
    switch (sub) {
      case 8: { // memory.init
        const seg = r.u32();
        const m = r.u32(), wide = isWide(this, m);
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        if (m !== 0 || wide) {
          return this.emit(
            tag(counts && "memoryInitOf", (next) => memoryInitOf(seg, m, wide, d, s, n, next)),
          );
        }
        return this.emit(tag(counts && "memoryInit", (next) => memoryInit(seg, d, s, n, next)));
      }
      case 9: { // data.drop
        const seg = r.u32();
        return this.emit(tag(counts && "data.drop", (next) => (_, vm) => (vm.datas[seg] = EMPTY, next)));
      }
      case 10: { // memory.copy
        const dm = r.u32(), sm = r.u32(), dw = isWide(this, dm), sw = isWide(this, sm);
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        if (dm !== 0 || sm !== 0 || dw) {
          const make = (next: number) => memoryCopyOf(dm, sm, dw, sw, d, s, n, next);
          return this.emit(tag(counts && "memoryCopyOf", make));
        }
        return this.emit(tag(counts && "memoryCopy", (next) => memoryCopy(d, s, n, next)));
      }
      case 11: { // memory.fill
        const m = r.u32(), wide = isWide(this, m);
        const [n, v, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        if (m !== 0 || wide) {
          return this.emit(tag(counts && "memoryFillOf", (next) => memoryFillOf(m, wide, d, v, n, next)));
        }
        return this.emit(tag(counts && "memoryFill", (next) => memoryFill(d, v, n, next)));
      }
      case 12: { // table.init
        const seg = r.u32();
        const table = r.u32();
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        const wide = this.tableIsWide(table);
        return this.emit(
          tag(counts && "table.init", (next) => tableOp("init", table, [d, s, n], next, seg, 0, wide)),
        );
      }
      case 13: { // elem.drop
        const seg = r.u32();
        return this.emit(tag(counts && "elem.drop", (next) => (_, vm) => (vm.elems[seg] = [], next)));
      }
      case 14: { // table.copy
        const dst = r.u32();
        const src = r.u32();
        const [n, s, d] = [this.popSlot(), this.popSlot(), this.popSlot()];
        const [dw, sw] = [this.tableIsWide(dst), this.tableIsWide(src)];
        return this.emit(
          tag(counts && "table.copy", (next) => tableOp("copy", dst, [d, s, n], next, 0, src, dw, sw)),
        );
      }
      case 15: { // table.grow
        const table = r.u32();
        const [n, v] = [this.popSlot(), this.popSlot()];
        const wide = this.tableIsWide(table);
        return this.emitValue(
          wide ? ValType.I64 : ValType.I32,
          tag(counts && "table.grow", (d, next) => tableOp("grow", table, [d, v, n], next, 0, 0, wide)),
        );
      }
      case 16: { // table.size
        const table = r.u32();
        const wide = this.tableIsWide(table);
        return this.emitValue(
          wide ? ValType.I64 : ValType.I32,
          tag(counts && "table.size", (d, next) => tableOp("size", table, [d], next, 0, 0, wide)),
        );
      }
      case 17: { // table.fill
        const table = r.u32();
        const [n, v, i] = [this.popSlot(), this.popSlot(), this.popSlot()];
        const wide = this.tableIsWide(table);
        return this.emit(
          tag(counts && "table.fill", (next) => tableOp("fill", table, [i, v, n], next, 0, 0, wide)),
        );
      }
    }
    throw new Error(`lowering: unknown 0xfc opcode ${sub}`);
  }
}

const EMPTY = new Uint8Array(0);

/**
 * `rethrow`'s op factory: throws again the exception the legacy handler keeps in exnref slot `k` of
 * the frame (those slots lie above the operand stack, whose size is known only once lowered: `box`).
 */
function rethrowOp(box: { base: number }, k: number): () => Op {
  return () => {
    const slot = box.base + k;
    return (p) => {
      throw R[(p >> 1) + slot];
    };
  };
}

/** The pc a branch to `t` ends at, through plain jumps (threaded), given the lowering's jump tables. */
function threader(plainJumps: Set<number>, branchTarget: number[]): (t: number) => number {
  if (plainJumps.size === 0) return (t) => t;
  return (t) => {
    for (let guard = 0; plainJumps.has(t) && guard < 64; guard++) {
      const u = branchTarget[t];
      if (u === t) break; // `loop br 0`: a real infinite loop
      t = u;
    }
    return t;
  };
}

/** A plain jump's op, made out of any method so that it closes over its target alone. */
function jumpTo(target: number): Op {
  return () => target;
}

function readRaw64(s: number): [number, number] {
  return [I32[s], I32[s + 1]];
}

// ---- lowered code, owned by the module ----

/** The kind of meter the code charges: with the module, all that lowered code depends on. */
export const enum MeterKind {
  None,
  /** Fuel alone: the check is an add and a compare. */
  Fuel,
  /** A timeout or a profile too: every charge goes through `Meter.charge`. */
  Full,
}

/** What lowered code depends on besides the module; instances alike in this share it. */
export interface LoweringConfig {
  meter: MeterKind;
  /** Loop headers spend heat towards tiering up (only while the instance may tier up). */
  hotLoops: boolean;
}

/** The kind of code instance `inst` runs. */
export function loweringConfig(inst: InstanceState): LoweringConfig {
  const meter = inst.meter === null ? MeterKind.None : inst.meter.fuelOnly ? MeterKind.Fuel : MeterKind.Full;
  return { meter, hotLoops: inst.tierUp > 0 && inst.tierUp !== Infinity };
}

/** One function's lowered code and the frame facts that go with it. */
interface Lowered {
  code: Op[];
  offsets: Int32Array;
  /** Pairs (key, pc), ascending by key: see `Lowerer.labels`. */
  labels: Int32Array | null;
  stackBase: number;
  frameSize: number;
  poolInit: Int32Array;
  entryCost: number;
  handlers: HandlerTable | null;
}

/** Each module's lowered functions, by kind of code (`codeKey`) and function index. */
const loweredOf = new WeakMap<ModuleInfo, (Lowered | typeof LET_GO | undefined)[][]>();

function codeKey(config: LoweringConfig): number {
  return config.meter * 2 + (config.hotLoops ? 1 : 0);
}

/** Functions lowered in this realm so far (each once per module and kind of code, unless let go of and lowered again). */
export const loweringCounts = { functions: 0 };

/**
 * Lowered code is let go of when it has not run for a while, as V8 flushes the bytecode of old
 * functions: a big program runs much of its code once or in one phase (clang lowered 2.1 million
 * closures, 270 MB of them and their contexts, into its run of 12 s). Time here is the lowering
 * itself: a period ends each time `periodOps` ops more have been lowered, and then the code of
 * functions whose frames started in neither that period nor the one before goes; one called again
 * is lowered again, to the same code. When more than half of what a period lowered was lowered
 * before, it lets go too early: the periods get twice as long. A program that lowers nothing new
 * never pays for this. Backtraces, labels and handler tables stay (they are small).
 */
export const lowering = {
  /** The current period (see `WasmFunc.usedIn`). */
  period: 1,
  /** Ops lowered per period. */
  periodOps: 200_000,
  /** Functions let go of so far (in this realm). */
  letGo: 0,
};
/** Ops lowered in this period so far, and how many of them lowered a function again. */
let periodOps = 0, againOps = 0;
/**
 * The function of each lowering, in the instance that lowered it (weakly: a dropped instance is not
 * kept alive; one WeakRef per lowering, not per instance). Other instances that took the same code
 * keep it while they live; one made after it was let go of lowers it again.
 */
let holders: WeakRef<WasmFunc>[] = [];
/** Marks a function of the module map whose code was let go of (see `againOps`). */
const LET_GO = null;

function lower(module: ModuleInfo, index: number, config: LoweringConfig): Lowered {
  loweringCounts.functions++;
  const l = new Lowerer(module, index, config);
  l.run();
  return {
    code: l.finish(),
    offsets: new Int32Array(l.offsets),
    labels: l.labels && sortedPairs(l.labels),
    stackBase: l.stackBase,
    frameSize: l.stackBase + l.maxH + 1 + l.maxCatchDepth,
    handlers: l.handlerTable(),
    poolInit: new Int32Array(l.poolInit),
    entryCost: l.costs?.entry ?? 1,
  };
}

/**
 * The text of what decides where a lowered frame keeps its locals, constants and operand stack, and
 * which labels it has: code compiled for one loop (jit/compile.ts `loop`) names those slots, so a
 * compile cache keyed by a different text must not serve it.
 */
export function frameLayoutText(): string {
  return [Lowerer, lower, countConstOpcodes, sortedPairs, JSON.stringify({ MAX_POOL })].map(String).join(
    "\n",
  );
}

/** (key, value) pairs sorted by key. */
function sortedPairs(pairs: number[]): Int32Array {
  const order = Array.from({ length: pairs.length / 2 }, (_, i) => i).sort((a, b) =>
    pairs[2 * a] - pairs[2 * b]
  );
  const sorted = new Int32Array(pairs.length);
  order.forEach((i, k) => (sorted[2 * k] = pairs[2 * i], sorted[2 * k + 1] = pairs[2 * i + 1]));
  return sorted;
}

/**
 * Returns `fn`'s code, lowering it first if no instance of its module (of the same kind) has: the
 * first instance to call a function lowers it, the others take the same closures.
 */
export function lowerFunction(fn: WasmFunc): Op[] {
  if (fn.code) return fn.code;
  const module = fn.inst.module, config = loweringConfig(fn.inst);
  let byKind = loweredOf.get(module);
  if (byKind === undefined) loweredOf.set(module, byKind = []);
  const functions = byKind[codeKey(config)] ??= [];
  const known = functions[fn.index];
  let l: Lowered;
  if (known) l = known;
  else {
    l = functions[fn.index] = lower(module, fn.index, config);
    periodOps += l.code.length;
    if (known === LET_GO) againOps += l.code.length;
    holders.push(new WeakRef(fn));
  }
  fn.usedIn = lowering.period;
  fn.offsets = l.offsets;
  fn.labels = l.labels;
  fn.stackBase = l.stackBase;
  fn.frameSize = l.frameSize;
  fn.poolInit = l.poolInit;
  fn.entryCost = l.entryCost;
  fn.handlers = l.handlers;
  fn.plainEntry = fn.nLocals === fn.nParams && l.poolInit.length === 0 && config.meter === MeterKind.None;
  fn.code = l.code;
  if (periodOps >= lowering.periodOps) letGoOfColdCode();
  return l.code;
}

/** Ends a period of lowering: lets go of the code of the functions that did not run in it or the one before. */
function letGoOfColdCode(): void {
  if (2 * againOps > periodOps) lowering.periodOps *= 2;
  periodOps = againOps = 0;
  const stillUsed = lowering.period - 1;
  lowering.period++;
  const kept: WeakRef<WasmFunc>[] = [];
  for (const ref of holders) {
    const fn = ref.deref();
    if (fn === undefined || fn.code === null) continue;
    if (fn.usedIn >= stillUsed) {
      kept.push(ref);
      continue;
    }
    const functions = loweredOf.get(fn.inst.module)?.[codeKey(loweringConfig(fn.inst))];
    if (functions?.[fn.index]?.code === fn.code) functions[fn.index] = LET_GO;
    fn.code = null;
    lowering.letGo++;
  }
  holders = kept;
}
