/**
 * Facts about instruction streams that both tiers read while walking a validated body: block types,
 * the immediates to skip, and the result types of conversions and loads.
 */
import { BLOCK_TYPE_EMPTY, GcOp, Op, SimdImm, simdImmediate } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import { readHeapType, readValType } from "./decoder.ts";
import { type FuncType, ValType } from "./types.ts";

/** Result types of 0xa8..0xbb (and of the saturating forms 0xfc 0..7). */
export const CONVERT_RESULT: ValType[] = [
  ValType.I32,
  ValType.I32,
  ValType.I32,
  ValType.I32,
  ValType.I64, // 0xac extend_i32_s
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.I64,
  ValType.F32, // 0xb2
  ValType.F32,
  ValType.F32,
  ValType.F32,
  ValType.F32,
  ValType.F64, // 0xb7
  ValType.F64,
  ValType.F64,
  ValType.F64,
  ValType.F64,
];
// For the saturating forms, indices 4..7 are i64 truncations; CONVERT_RESULT[4..7] are I64 too.

/** Result types of the loads 0x28..0x35. */
export const LOAD_RESULT: ValType[] = [
  ValType.I32,
  ValType.I64,
  ValType.F32,
  ValType.F64,
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
];

/** Reads a (validated) block type: empty, one value type, or a type index. */
export function readBlockType(r: Reader, types: FuncType[]): { params: ValType[]; results: ValType[] } {
  const b = r.bytes[r.pos];
  if (b === BLOCK_TYPE_EMPTY) {
    r.pos++;
    return { params: [], results: [] };
  }
  if (b >= 0x40 && b < 0x80) return { params: [], results: [readValType(r)] }; // one value type
  const t = types[r.s33()];
  return { params: t.params, results: t.results };
}

/** Skips a (validated) block type. */
function skipBlockType(r: Reader): void {
  const b = r.bytes[r.pos];
  if (b === BLOCK_TYPE_EMPTY) r.pos++;
  else if (b >= 0x40 && b < 0x80) readValType(r);
  else r.s33();
}

/** What a `try_table` catch clause catches: a tag's exceptions, or all; with the exnref or without. */
export const enum CatchKind {
  Catch = 0,
  CatchRef = 1,
  CatchAll = 2,
  CatchAllRef = 3,
}

/** One catch clause of a `try_table`: its kind, tag (-1 for `catch_all`) and label. */
export interface CatchClause {
  kind: CatchKind;
  tag: number;
  label: number;
}

/** Reads a (validated) `try_table`'s catch clauses: the reader is after its block type. */
export function readCatches(r: Reader): CatchClause[] {
  const n = r.u32();
  const clauses: CatchClause[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.u8() as CatchKind;
    const tag = kind <= CatchKind.CatchRef ? r.u32() : -1;
    clauses.push({ kind, tag, label: r.u32() });
  }
  return clauses;
}

/** Skips the immediates of `op` (unreachable code, or code a tier does not look into). */
export function skipImmediates(r: Reader, op: number): void {
  switch (op) {
    case Op.Throw:
    case Op.Rethrow:
    case Op.Catch:
    case Op.Delegate:
      r.u32();
      return;
    case Op.Try:
      skipBlockType(r);
      return;
    case Op.TryTable:
      skipBlockType(r);
      readCatches(r);
      return;
    case Op.Br:
    case Op.BrIf:
    case Op.Call:
    case Op.ReturnCall:
    case Op.LocalGet:
    case Op.LocalSet:
    case Op.LocalTee:
    case Op.GlobalGet:
    case Op.GlobalSet:
    case Op.TableGet:
    case Op.TableSet:
    case Op.RefFunc:
    case Op.CallRef:
    case Op.ReturnCallRef:
    case Op.BrOnNull:
    case Op.BrOnNonNull:
      r.u32();
      return;
    case Op.BrTable: {
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return;
    }
    case Op.CallIndirect:
    case Op.ReturnCallIndirect:
      r.u32(), r.u32();
      return;
    case Op.SelectT: {
      const n = r.u32();
      for (let i = 0; i < n; i++) readValType(r);
      return;
    }
    case Op.MemorySize:
    case Op.MemoryGrow:
      r.u32(); // the memory
      return;
    case Op.RefNull:
      readHeapType(r);
      return;
    case Op.I32Const:
      r.s32();
      return;
    case Op.I64Const:
      r.s64();
      return;
    case Op.F32Const:
      r.pos += 4;
      return;
    case Op.F64Const:
      r.pos += 8;
      return;
    case Op.PrefixFC: {
      const sub = r.u32();
      if (sub === 8 || sub === 12 || sub === 14) r.u32(), r.u32();
      else if (sub === 10) r.u32(), r.u32();
      else if (sub === 9 || sub === 11 || sub === 13 || sub === 15 || sub === 16 || sub === 17) r.u32();
      return;
    }
    case Op.PrefixGC:
      return skipGcImmediates(r);
    case Op.PrefixSIMD:
      return skipSimdImmediates(r);
  }
  if (op >= Op.I32Load && op <= Op.I64Store32) readMemarg(r);
}

/** Skips a GC instruction's sub-opcode and immediates (type and field indices, heap types, a label). */
function skipGcImmediates(r: Reader): void {
  const sub = r.u32();
  if (sub <= GcOp.ArrayFill) {
    if (sub === GcOp.ArrayLen) return;
    r.u32(); // the type
    // A field index, array.new_fixed's count, the segment of array.new_data/elem.
    if (
      (sub >= GcOp.StructGet && sub <= GcOp.StructSet) ||
      (sub >= GcOp.ArrayNewFixed && sub <= GcOp.ArrayNewElem)
    ) {
      r.u32();
    }
  } else if (sub <= GcOp.ArrayInitElem) {
    r.u32(), r.u32(); // array.copy's two types; array.init_data/elem's type and segment
  } else if (sub <= GcOp.RefCastNull) {
    r.s33();
  } else if (sub <= GcOp.BrOnCastFail) {
    r.u8(), r.u32(), r.s33(), r.s33();
  }
}

/** A memory access's immediate: its alignment (a hint), memory and offset. */
export interface Memarg {
  memory: number;
  offset: number;
}

/** Reads a validated memarg: flags (bit 6: a memory index follows), the memory, the offset (a u64). */
export function readMemarg(r: Reader): Memarg {
  const flags = r.u32();
  const memory = flags & 0x40 ? r.u32() : 0;
  return { memory, offset: r.u64() };
}

/** Skips the immediates of SIMD instruction (unreachable code); the reader is after the 0xfd. */
export function skipSimdImmediates(r: Reader): void {
  switch (simdImmediate(r.u32())) {
    case SimdImm.MemArg:
      readMemarg(r);
      return;
    case SimdImm.MemArgLane:
      readMemarg(r), r.u8();
      return;
    case SimdImm.Lane:
      r.u8();
      return;
    case SimdImm.Bytes16:
      r.pos += 16;
      return;
  }
}

/** What an instruction in unreachable code means for the control structure around it. */
export const enum Unreachable {
  /** Nothing: its immediates were skipped. */
  Other,
  /** `block`, `loop` or `if`: a frame opens (its block type was read). */
  Open,
  /** `else`: the other branch of the innermost `if` starts. */
  Else,
  /** `end`: the innermost frame closes. */
  End,
  /** `catch` or `catch_all` (its tag was read): the next handler of the innermost legacy `try` starts. */
  Catch,
  /** `delegate` (its label was read): the innermost legacy `try` ends. */
  Delegate,
}

/**
 * Steps over instruction `op` (the reader is after its opcode) in code that cannot be reached, where
 * nothing is emitted and only the nesting matters; says what it did to the nesting.
 */
export function skipUnreachable(r: Reader, op: number, types: FuncType[]): Unreachable {
  switch (op) {
    case Op.Block:
    case Op.Loop:
    case Op.If:
    case Op.Try:
      readBlockType(r, types);
      return Unreachable.Open;
    case Op.TryTable:
      readBlockType(r, types);
      readCatches(r);
      return Unreachable.Open;
    case Op.Else:
      return Unreachable.Else;
    case Op.End:
      return Unreachable.End;
    case Op.Catch:
    case Op.CatchAll:
      skipImmediates(r, op);
      return Unreachable.Catch;
    case Op.Delegate:
      r.u32();
      return Unreachable.Delegate;
  }
  skipImmediates(r, op);
  return Unreachable.Other;
}

/** Whether the validated body `[start, end)` holds a tail call (`return_call`, `_indirect`, `_ref`). */
export function hasTailCall(bytes: Uint8Array, start: number, end: number, types: FuncType[]): boolean {
  const r = new Reader(bytes, start, end);
  while (r.pos < end) {
    const op = r.u8();
    if (op === Op.ReturnCall || op === Op.ReturnCallIndirect || op === Op.ReturnCallRef) return true;
    skipUnreachable(r, op, types); // every instruction's immediates, blocks' types included
  }
  return false;
}

/**
 * What a metered function's code charges (the fuel rule, for both tiers): `entry`, at every call, is
 * the number of its reachable instructions outside every loop; each iteration of a loop charges the
 * reachable instructions inside it, an inner loop's included (`loops`, keyed by the byte offset of the
 * `loop` instruction). Every reachable instruction counts 1, `else` and `end` included; code after an
 * `unreachable`, `br`, `br_table` or `return` up to the end of its block is not reachable. At least 1 each.
 */
export interface FuelCosts {
  entry: number;
  loops: Map<number, number>;
}

interface CostFrame {
  /** The rest of the frame cannot be reached (after a branch, a return or `unreachable`). */
  unreachable: boolean;
  /** Opened inside unreachable code: all of it is unreachable, `else` included. */
  dead: boolean;
  /** For a loop: its offset and the count when it began. */
  loopAt?: number;
  countStart?: number;
}

/** The fuel costs of the validated body `[start, end)` (locals excluded) of a module with `types`. */
export function fuelCosts(bytes: Uint8Array, start: number, end: number, types: FuncType[]): FuelCosts {
  const r = new Reader(bytes, start, end);
  const loops = new Map<number, number>();
  const frames: CostFrame[] = [{ unreachable: false, dead: false }];
  let count = 0, flat = 0, loopDepth = 0;
  const close = () => {
    const f = frames.pop()!;
    if (f.dead || f.countStart === undefined) return;
    loops.set(f.loopAt!, Math.max(1, count - f.countStart));
    loopDepth--;
  };
  while (frames.length > 0) {
    const at = r.pos;
    const op = r.u8();
    const top = frames[frames.length - 1];
    if (top.unreachable) {
      switch (skipUnreachable(r, op, types)) {
        case Unreachable.Open:
          frames.push({ unreachable: true, dead: true });
          break;
        case Unreachable.Else:
        case Unreachable.Catch:
          if (!top.dead) top.unreachable = false;
          break;
        case Unreachable.End:
        case Unreachable.Delegate:
          close();
      }
      continue;
    }
    count++;
    if (loopDepth === 0) flat++;
    switch (op) {
      case Op.Block:
      case Op.If:
      case Op.Try:
        readBlockType(r, types);
        frames.push({ unreachable: false, dead: false });
        break;
      case Op.TryTable:
        readBlockType(r, types);
        readCatches(r);
        frames.push({ unreachable: false, dead: false });
        break;
      case Op.Delegate:
        r.u32();
        close();
        break;
      case Op.Loop:
        readBlockType(r, types);
        frames.push({ unreachable: false, dead: false, loopAt: at, countStart: count });
        loopDepth++;
        break;
      case Op.End:
        close();
        break;
      case Op.Unreachable:
      case Op.Br:
      case Op.BrTable:
      case Op.Return:
      case Op.ReturnCall:
      case Op.ReturnCallIndirect:
      case Op.ReturnCallRef:
      case Op.Throw:
      case Op.ThrowRef:
      case Op.Rethrow:
        skipImmediates(r, op);
        top.unreachable = true;
        break;
      default:
        skipImmediates(r, op);
    }
  }
  return { entry: Math.max(1, flat), loops };
}

/**
 * Where the loop at byte offset `loopAt` sits in the validated body `[start, end)` (locals excluded):
 * the byte offsets of the `block`, `loop` and `if` instructions around it and of the loop itself
 * (`path`, outermost first), and which of those `if`s hold it in their else branch (`inElse`). What a
 * tier needs to enter the body at that loop in the middle of a call (on-stack replacement).
 */
export interface LoopPath {
  path: number[];
  inElse: Set<number>;
}

export function pathToLoop(
  bytes: Uint8Array,
  start: number,
  end: number,
  types: FuncType[],
  loopAt: number,
): LoopPath | null {
  const r = new Reader(bytes, start, end);
  const open: { at: number; inElse: boolean }[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case Op.Block:
      case Op.Loop:
      case Op.If:
      case Op.Try:
      case Op.TryTable:
        readBlockType(r, types);
        if (op === Op.TryTable) readCatches(r);
        if (at === loopAt) {
          if (op !== Op.Loop) return null;
          const inElse = new Set(open.filter((o) => o.inElse).map((o) => o.at));
          return { path: [...open.map((o) => o.at), at], inElse };
        }
        open.push({ at, inElse: false });
        break;
      case Op.Else:
        open[open.length - 1].inElse = true;
        break;
      case Op.End:
        open.pop();
        break;
      case Op.Delegate:
        r.u32();
        open.pop();
        break;
      default:
        skipImmediates(r, op);
    }
  }
  return null;
}

/** The locals a loop's body names (`used`) and those it assigns (`written`), in ascending order. */
export interface LoopLocals {
  used: number[];
  written: number[];
  /** Byte offset after the loop's `end`. */
  end: number;
}

/**
 * The locals that the loop at byte offset `loopAt` of a validated body ending at `end` reads or
 * writes: what code that runs only that loop must take from the frame and give back to it.
 */
export function loopLocals(bytes: Uint8Array, loopAt: number, end: number, types: FuncType[]): LoopLocals {
  const r = new Reader(bytes, loopAt, end);
  const used = new Set<number>(), written = new Set<number>();
  let depth = 0;
  do {
    const op = r.u8();
    if (op === Op.LocalGet || op === Op.LocalSet || op === Op.LocalTee) {
      const x = r.u32();
      used.add(x);
      if (op !== Op.LocalGet) written.add(x);
      continue;
    }
    const nesting = skipUnreachable(r, op, types); // every instruction's immediates, blocks' types included
    if (nesting === Unreachable.Open) depth++;
    else if (nesting === Unreachable.End || nesting === Unreachable.Delegate) depth--;
  } while (depth > 0 && r.pos < end);
  const ascending = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { used: ascending(used), written: ascending(written), end: r.pos };
}
