/**
 * What the lowering's driver (lower.ts) and its per-family parts (lower_numeric.ts, lower_memory.ts,
 * lower_simd.ts) share: the state interface the parts work on, the census of closure forms, the
 * kinds of operand-stack entries, and the held-back op.
 */
import type { Op } from "../runtime/objects.ts";
import type { Reader } from "../wasm/reader.ts";
import type { ModuleInfo, ValType } from "../wasm/types.ts";
import type { ShiftKind } from "./ops/ops_i64.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";

/**
 * The part of the lowering (the `Lowerer` of lower.ts) that the per-family files use: the virtual
 * operand stack, the held-back op, and emitting. Nothing else of the driver (control frames,
 * branches, the final closure array) is theirs to touch.
 */
export interface LoweringState {
  readonly module: ModuleInfo;
  readonly r: Reader;
  readonly nLocals: number;
  /** Byte offset of the instruction being lowered. */
  readonly at: number;

  // the virtual operand stack: entry h is in its canonical slot, still a local, or still a constant
  h: number;
  readonly kind: Kind[];
  readonly slotOf: number[];
  readonly value: number[];
  readonly value2: number[];
  readonly type: ValType[];
  /** Slot of operand stack height 0. */
  readonly stackBase: number;
  /** The frame slot of stack entry h when it is in a slot of its own. */
  canonical(h: number): number;
  /** The pool slot holding constant entry h, or -1 when the pool is full. */
  poolSlot(h: number): number;
  /** Pops the top entry; returns the slot its value can be read from (materialising a constant). */
  popSlot(): number;
  topIsConst(): boolean;
  popConst(): number;

  // the held-back op (see Pending) and the ops emitted so far
  pending: Pending | null;
  /** The last held-back op that was emitted on its own, and where. */
  lastValue: { pc: number; p: Pending } | null;
  /** The latest pc some branch may jump to: no fusion may reach back across it. */
  readonly lastLabel: number;
  readonly makers: (((next: number) => Op) | null)[];
  readonly valueMakers: ((dst: number, next: number) => Op)[];
  /** Does the held-back op produce stack entry h (and nothing has been fused onto it)? */
  pendingProduces(h: number): Pending | null;
  /** `p` with any op held back before it emitted now, ready to be fused on its own. */
  detached(p: Pending | null): Pending | null;

  /** Appends an op with no result; `make` receives the pc that follows it. */
  emit(make: (next: number) => Op): void;
  /** Emits an op producing a value of type t on top of the stack, held back for fusion. */
  emitValue(
    t: ValType,
    make: (dst: number, next: number) => Op,
    bin?: PendingBinary | null,
    extra?: Partial<Pending>,
  ): void;
  /** Holds back an op without flushing the one held before it (which it may read). */
  hold(
    t: ValType,
    make: (dst: number, next: number) => Op,
    bin: PendingBinary | null,
    extra: Partial<Pending>,
  ): void;
  /** `make`, counted under `form` while closure forms are counted. */
  named<A extends unknown[]>(form: string, make: (...args: A) => Op): (...args: A) => Op;
}

// ---- observability: which closure forms the lowering makes (names in forms.ts) ----

/**
 * While someone asks (`loweredForms`, `fusedForms`, `countForms`), every closure the lowering
 * creates is counted here under its form: the factory's name and what selects its closure, e.g.
 * `loadCompareBranch:lt_u:imm` or `i32Binary:i32.add`. Otherwise null, and the lowering builds no
 * name and wraps nothing: call sites pass `counts && \`…\``, so the name is not even formatted.
 */
export let counts: Map<string, number> | null = null;

/** Sets `counts` (null: stop counting); returns what it was. */
export function setCounts(into: Map<string, number> | null): Map<string, number> | null {
  const previous = counts;
  counts = into;
  return previous;
}

export function bump(into: Map<string, number>, form: string): void {
  into.set(form, (into.get(form) ?? 0) + 1);
}

/** `make`, counting `form` each time it creates a closure while counting; else `make` itself. */
export function tag<A extends unknown[]>(form: string | null, make: (...args: A) => Op): (...args: A) => Op {
  const into = counts;
  if (form === null || into === null) return make;
  return (...args) => (bump(into, form), make(...args));
}

export const enum Kind {
  Stack, // in its canonical slot
  Local, // still the local at `slot`
  Const, // still a constant: bits `value` (low) and `value2` (high, 64-bit types)
}

/**
 * The held-back op. It is emitted ("flushed") before anything else is, unless the next instruction
 * fuses with it: `local.set` retargets `dst`, br_if/if take over a comparison, a load takes over an
 * address computation, f64 arithmetic takes over a load, a store takes over f64 arithmetic.
 */
export interface Pending {
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

export interface PendingLoad {
  op: number;
  a: number;
  k: number;
  offset: number;
}

/** The operands of a held-back i32 op. */
export interface PendingBinary {
  op: number; // i32 opcode (0x45 eqz, 0x46..0x4f comparisons, 0x6a.. arithmetic)
  a: number;
  b: number;
  imm: boolean;
}

export const SWAPPED_COMPARE: Record<number, number> = {
  [Opcode.I32Eq]: Opcode.I32Eq,
  [Opcode.I32Ne]: Opcode.I32Ne,
  [Opcode.I32LtS]: Opcode.I32GtS,
  [Opcode.I32LtU]: Opcode.I32GtU,
  [Opcode.I32GtS]: Opcode.I32LtS,
  [Opcode.I32GtU]: Opcode.I32LtU,
  [Opcode.I32LeS]: Opcode.I32GeS,
  [Opcode.I32LeU]: Opcode.I32GeU,
  [Opcode.I32GeS]: Opcode.I32LeS,
  [Opcode.I32GeU]: Opcode.I32LeU,
};
export const COMMUTATIVE_I32 = new Set<number>([
  Opcode.I32Eq,
  Opcode.I32Ne,
  Opcode.I32Add,
  Opcode.I32Mul,
  Opcode.I32And,
  Opcode.I32Or,
  Opcode.I32Xor,
]);

/** The default of `emitValue`'s `extra`: nothing to add to the held-back record. */
export const NO_EXTRA: Partial<Pending> = Object.freeze({});

export function isAddImm(bin: PendingBinary | null): boolean {
  return bin !== null && bin.op === Opcode.I32Add && bin.imm;
}
