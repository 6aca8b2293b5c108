/**
 * A second module generator, aimed at what binaryen 108's -ttf rarely produces: dense numeric code.
 * Each function computes random typed expression trees over its parameters, locals, globals and
 * memory with every i32/i64/f32/f64 operator and conversion, inside blocks (multi-value and with
 * parameters too), ifs, br_if/br_table with values, bounded loops, direct calls and call_indirect
 * through a table (with null entries, out-of-range indices and structurally equal types), and with
 * `tailCalls` (Wasm 3.0) return_call/return_call_indirect anywhere a value is wanted; `wasm3` adds
 * those, a second memory (memory64 for half of them), exported immutable globals initialised by
 * extended constant expressions, and with `exceptions` a tag with throws, try_table handlers and
 * throw_ref (see `mem1Statement`, `extendedConst`, `exceptionStatement`). A shared
 * hang-limit global, counted down at every function entry and loop back-edge, makes every call
 * terminate.
 *
 * NaN bit patterns may legitimately differ between engines, so a float that comes out of
 * arithmetic is turned into 0 when it is NaN before anything can observe its bits (store,
 * reinterpret, copysign's sign operand). Loads, stores, abs/neg and reinterpret are bit-exact in
 * the spec, so one statement kind copies loaded (possibly NaN) floats through them unsanitised.
 *
 * About a third of the statements are written in the shapes the interpreter fuses into one
 * closure (see src/interp/lower.ts): a load into a local tested by a br_if or if, a local
 * compared with a constant or another local and branched on, a counted loop whose step and test
 * are its back edge, `c[i] += y * b[j]` and `c[i] = c[i] OP x`, arithmetic stored, float
 * arithmetic on a loaded value, narrow and sign-extending loads and stores at `base + k` with
 * offsets, pointer steps, shift-then-op and two-op expressions, xorshift steps. Their operands sit
 * at the edges where a wrong signedness or width shows (0, ±1, 0x7fffffff, 0x80000000, 0xff…),
 * memory holds such values (an edge-value data segment, and the last bytes of the first page), and
 * their addresses reach the last valid and the first invalid byte. What they compute lands in the
 * exported globals (g0 records which way each branch went), so a wrong result is seen.
 */
import { Prng } from "./prng.ts";
import { ByteWriter, moduleBytes } from "./wasm_writer.ts";

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;
type T = typeof I32 | typeof I64 | typeof F32 | typeof F64;
const TYPES: T[] = [I32, I64, F32, F64];

// Operators by type: [opcode, ...] (0xfc-prefixed ones as 0xfc00 | sub-opcode).
const UNARY: Record<T, number[]> = {
  [I32]: [0x67, 0x68, 0x69, 0xc0, 0xc1],
  [I64]: [0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4],
  [F32]: [0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91],
  [F64]: [0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f],
};
const BINARY: Record<T, number[]> = {
  [I32]: range(0x6a, 0x78),
  [I64]: range(0x7c, 0x8a),
  [F32]: range(0x92, 0x97), // copysign (0x98) is generated separately
  [F64]: range(0xa0, 0xa5), // copysign (0xa6) likewise
};
const COMPARE: Record<T, number[]> = {
  [I32]: range(0x46, 0x4f),
  [I64]: range(0x51, 0x5a),
  [F32]: range(0x5b, 0x60),
  [F64]: range(0x61, 0x66),
};
const EQZ: Partial<Record<T, number>> = { [I32]: 0x45, [I64]: 0x50 };
const DIVISIONS = new Set([0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82]);
/** Conversions: [opcode, from, to]. Trapping truncations are listed apart. */
const CONVERT: [number, T, T][] = [
  [0xa7, I64, I32],
  [0xac, I32, I64],
  [0xad, I32, I64],
  [0xb2, I32, F32],
  [0xb3, I32, F32],
  [0xb4, I64, F32],
  [0xb5, I64, F32],
  [0xb6, F64, F32],
  [0xb7, I32, F64],
  [0xb8, I32, F64],
  [0xb9, I64, F64],
  [0xba, I64, F64],
  [0xbb, F32, F64],
  [0xbe, I32, F32],
  [0xbf, I64, F64],
  [0xfc00, F32, I32],
  [0xfc01, F32, I32],
  [0xfc02, F64, I32],
  [0xfc03, F64, I32],
  [0xfc04, F32, I64],
  [0xfc05, F32, I64],
  [0xfc06, F64, I64],
  [0xfc07, F64, I64],
];
const TRAPPING_TRUNC: [number, T, T][] = [
  [0xa8, F32, I32],
  [0xa9, F32, I32],
  [0xaa, F64, I32],
  [0xab, F64, I32],
  [0xae, F32, I64],
  [0xaf, F32, I64],
  [0xb0, F64, I64],
  [0xb1, F64, I64],
];
const REINTERPRET_TO_INT: Partial<Record<T, number>> = { [I32]: 0xbc, [I64]: 0xbd };
/** Loads by result type: [opcode, natural alignment log2]. */
const LOADS: Record<T, [number, number][]> = {
  [I32]: [[0x28, 2], [0x2c, 0], [0x2d, 0], [0x2e, 1], [0x2f, 1]],
  [I64]: [[0x29, 3], [0x30, 0], [0x31, 0], [0x32, 1], [0x33, 1], [0x34, 2], [0x35, 2]],
  [F32]: [[0x2a, 2]],
  [F64]: [[0x2b, 3]],
};
const STORES: Record<T, [number, number][]> = {
  [I32]: [[0x36, 2], [0x3a, 0], [0x3b, 1]],
  [I64]: [[0x37, 3], [0x3c, 0], [0x3d, 1], [0x3e, 2]],
  [F32]: [[0x38, 2]],
  [F64]: [[0x39, 3]],
};

/** i32 values at the edges of signedness and width: what a fused op gets wrong if it is wrong. */
const EDGE_I32 = [
  0,
  1,
  -1,
  2,
  -2,
  0x7f,
  0x80,
  0xff,
  0x100,
  -0x80,
  -0x81,
  0x7fff,
  0x8000,
  0xffff,
  -0x8000,
  0x10000,
  0x7fffffff,
  -0x80000000,
  0x7ffffffe,
  -0x7fffffff,
];
const EDGE_I64 = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x8000000000000000n];
/** Where the edge values are in memory (a data segment), and the bytes at the end of page 1. */
const EDGE_DATA_AT = 1024;
const PAGE = 65536;
const TAIL_BYTES = [
  0x00,
  0x00,
  0x00,
  0x80,
  0xff,
  0xff,
  0xff,
  0x7f,
  0x01,
  0x80,
  0x7f,
  0xff,
  0x00,
  0x80,
  0xff,
  0x80,
];
const I32_COMPARES = range(0x46, 0x4f);
/** i32 loads: [opcode, width, natural alignment]; i64 loads and all stores likewise. */
const I32_LOADS: [number, number, number][] = [[0x28, 4, 2], [0x2c, 1, 0], [0x2d, 1, 0], [0x2e, 2, 1], [
  0x2f,
  2,
  1,
]];
const I64_LOADS: [number, number, number][] = [
  [0x29, 8, 3],
  [0x30, 1, 0],
  [0x31, 1, 0],
  [0x32, 2, 1],
  [0x33, 2, 1],
  [0x34, 4, 2],
  [0x35, 4, 2],
];
const I32_STORES: [number, number, number][] = [[0x36, 4, 2], [0x3a, 1, 0], [0x3b, 2, 1]];
const I64_STORES: [number, number, number][] = [[0x37, 8, 3], [0x3c, 1, 0], [0x3d, 2, 1], [0x3e, 4, 2]];

const I32_CONSTS = [
  0,
  1,
  -1,
  2,
  7,
  31,
  32,
  33,
  255,
  0x7fff,
  0x8000,
  0xffff,
  0x7fffffff,
  -0x80000000,
  0x55555555,
];
const I64_CONSTS = [
  0n,
  1n,
  -1n,
  63n,
  64n,
  0xffffffffn,
  1n << 32n,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  0x5555555555555555n,
];
const FLOAT_CONSTS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2.5,
  -2.5,
  1e-40,
  3.4e38,
  2 ** 31,
  2 ** 63,
  2 ** 64,
  Infinity,
  -Infinity,
  NaN,
];

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

const GLOBALS: T[] = [I32, I64, F32, F64];
/**
 * A fifth global counts function entries and loop iterations down across all functions, like
 * binaryen's hang limit: at zero a function returns at once and loops stop.
 */
const HANG_GLOBAL = GLOBALS.length;
const HANG_LIMIT = 2000;
/**
 * What a call costs from the hang limit: at most HANG_LIMIT / CALL_COST = 100 nested calls, far
 * from either engine's stack limit (whose depth differs and would show up as false mismatches).
 */
const CALL_COST = 20;
/** Calls per function body: with the hang limit this keeps call trees small. */
const MAX_CALLS = 2;
/** Statements written in a shape the interpreter fuses (see `fusedStatement`). */
const FUSED_PERCENT = 40;

/** The type section. Entries are added without merging equal ones, so call_indirect meets
 * structurally equal types with different indices. */
class TypeTable {
  readonly entries: { params: T[]; results: T[] }[] = [];

  add(params: T[], results: T[]): number {
    this.entries.push({ params, results });
    return this.entries.length - 1;
  }

  /** An existing entry with this signature, else a new one. */
  find(params: T[], results: T[]): number {
    const key = `${params}:${results}`;
    const i = this.entries.findIndex((e) => `${e.params}:${e.results}` === key);
    return i >= 0 ? i : this.add(params, results);
  }

  encode(): ByteWriter {
    const w = new ByteWriter().u32(this.entries.length);
    for (const e of this.entries) {
      w.byte(0x60).u32(e.params.length).byte(...e.params).u32(e.results.length).byte(...e.results);
    }
    return w;
  }
}

interface ModuleContext {
  types: TypeTable;
  funcs: { sig: FuncSig; typeIndex: number }[];
  /** Table size: the functions, then two null entries. */
  tableSize: number;
  /** Wasm 3.0's tail calls: some calls are `return_call`/`return_call_indirect`. */
  tailCalls: boolean;
  /** Wasm 3.0's second memory (multiple memories), with 64-bit addresses when `wide` (memory64). */
  mem1?: { wide: boolean };
  /** Wasm 3.0's exceptions: tag 0, `(param i32)`, exported as "tag". */
  exceptions: boolean;
}
const MEMORY_PAGES = 1, MEMORY_MAX = 3;

interface FuncSig {
  params: T[];
  result: T;
}

class FuncGen {
  readonly code = new ByteWriter();
  readonly locals: T[];
  /** Locals that are loop counters: never assigned by random statements. */
  readonly counters = new Set<number>();
  readonly #scratch = new Map<T, number>();
  /** Expressions left before only leaves are generated: bounds the body's size. */
  budget: number;
  /** Calls in this body so far: with at most MAX_CALLS each, the call tree stays small. */
  calls = 0;

  constructor(
    readonly rng: Prng,
    readonly sig: FuncSig,
    readonly ctx: ModuleContext,
  ) {
    this.locals = [...sig.params];
    const extra = rng.int(0, 4);
    for (let i = 0; i < extra; i++) this.locals.push(this.pick(TYPES));
    this.budget = rng.int(30, 160);
  }

  pick<X>(items: readonly X[]): X {
    return items[this.rng.int(0, items.length - 1)];
  }

  chance(percent: number): boolean {
    return this.rng.int(0, 99) < percent;
  }

  op(opcode: number): void {
    if (opcode >= 0xfc00) this.code.byte(0xfc).u32(opcode & 0xff);
    else this.code.byte(opcode);
  }

  newLocal(t: T): number {
    this.locals.push(t);
    return this.locals.length - 1;
  }

  scratch(t: T): number {
    let i = this.#scratch.get(t);
    if (i === undefined) {
      i = this.newLocal(t);
      this.#scratch.set(t, i);
    }
    return i;
  }

  /** Leaves 0 instead of a NaN on the stack, so its bits cannot be observed. */
  sanitize(t: T): void {
    if (t !== F32 && t !== F64) return;
    const s = this.scratch(t);
    this.code.byte(0x22).u32(s);
    this.constant(t, 0);
    this.code.byte(0x20).u32(s).byte(0x20).u32(s).byte(t === F32 ? 0x5b : 0x61).byte(0x1b);
  }

  constant(t: T, value?: number | bigint): void {
    switch (t) {
      case I32:
        this.code.byte(0x41).sleb(value ?? (this.chance(60) ? this.pick(I32_CONSTS) : this.rng.next() | 0));
        return;
      case I64:
        this.code.byte(0x42).sleb(
          value ??
            (this.chance(60)
              ? this.pick(I64_CONSTS)
              : (BigInt(this.rng.next()) << 32n) | BigInt(this.rng.next())),
        );
        return;
      case F32:
        this.code.byte(0x43).f32(Number(value ?? this.floatConst()));
        return;
      case F64:
        this.code.byte(0x44).f64(Number(value ?? this.floatConst()));
        return;
    }
  }

  floatConst(): number {
    return this.chance(70) ? this.pick(FLOAT_CONSTS) : (this.rng.next() - 2 ** 31) / (this.rng.int(1, 1000));
  }

  /** An address for a memory access: nearly always masked into the first 32 KiB. */
  address(depth: number): void {
    this.expr(I32, depth);
    if (this.chance(97)) {
      this.constant(I32, 0x7ff8);
      this.code.byte(0x71);
    }
  }

  memarg(naturalAlign: number): void {
    this.code.u32(this.rng.int(0, naturalAlign)).u32(this.chance(70) ? 0 : this.rng.int(0, 64));
  }

  localsOf(t: T, assignable: boolean): number[] {
    return this.locals.map((lt, i) => (lt === t && !(assignable && this.counters.has(i)) ? i : -1))
      .filter((i) => i >= 0);
  }

  /** Emits code that leaves one value of type `t`. */
  expr(t: T, depth: number): void {
    this.budget--;
    if (depth <= 0 || this.budget <= 0) return this.leaf(t);
    const r = this.rng.int(0, 99);
    const d = depth - 1;
    if (r < 12) return this.leaf(t);
    if (r < 40) {
      const op = this.pick(BINARY[t]);
      this.expr(t, d);
      this.expr(t, d);
      // Divisors are usually made odd, so most divisions do not trap.
      if (DIVISIONS.has(op) && this.chance(92)) {
        this.constant(t, t === I64 ? 1n : 1);
        this.code.byte(t === I64 ? 0x84 : 0x72);
      }
      return this.op(op);
    }
    if (r < 50) {
      this.expr(t, d);
      return this.op(this.pick(UNARY[t]));
    }
    if (r < 58 && t === I32) {
      const from = this.pick(TYPES);
      if (EQZ[from] !== undefined && this.chance(25)) {
        this.expr(from, d);
        return this.op(EQZ[from]!);
      }
      this.expr(from, d);
      this.expr(from, d);
      return this.op(this.pick(COMPARE[from]));
    }
    if (r < 68) {
      const trapping = (t === I32 || t === I64) && this.chance(5);
      const options = (trapping ? TRAPPING_TRUNC : CONVERT).filter(([, , to]) => to === t);
      const reinterpret = REINTERPRET_TO_INT[t];
      if (reinterpret !== undefined && this.chance(15)) {
        this.expr(t === I32 ? F32 : F64, d);
        this.sanitize(t === I32 ? F32 : F64);
        return this.op(reinterpret);
      }
      const [op, from] = this.pick(options);
      this.expr(from, d);
      return this.op(op);
    }
    if (r < 74) {
      const [op, align] = this.pick(LOADS[t]);
      this.address(d);
      this.op(op);
      return this.memarg(align);
    }
    if (r < 78) {
      this.expr(t, d);
      this.expr(t, d);
      this.expr(I32, d);
      return void this.code.byte(0x1b);
    }
    if (r < 82) {
      const target = this.pick(this.localsOf(t, true).concat([this.newLocal(t)]));
      this.expr(t, d);
      return void this.code.byte(0x22).u32(target);
    }
    if (r < 86) return this.ifElse(t, d);
    if (r < 89) return this.blockWithBrIf(t, d);
    if (r < 91) return this.brTable(t, d);
    if (r < 94 && (t === F32 || t === F64)) {
      this.expr(t, d);
      this.expr(t, d);
      this.sanitize(t);
      return this.op(t === F32 ? 0x98 : 0xa6);
    }
    if (r < 97 && this.calls < MAX_CALLS) {
      // A tail call, anywhere a value is wanted (it is stack-polymorphic, as `return` is): to a
      // function with this one's result, directly or through the table.
      const tails = this.ctx.tailCalls && this.chance(30)
        ? this.ctx.funcs.map((f, index) => ({ ...f, index })).filter((f) => f.sig.result === this.sig.result)
        : [];
      if (tails.length > 0) {
        this.calls++;
        const f = this.pick(tails);
        for (const p of f.sig.params) this.expr(p, d);
        if (this.chance(60)) return void this.code.byte(0x12).u32(f.index);
        const index = this.chance(85) ? f.index : this.rng.int(0, this.ctx.tableSize);
        this.constant(I32, index);
        return void this.code.byte(0x13).u32(f.typeIndex).byte(0x00);
      }
      const targets = this.ctx.funcs.map((f, index) => ({ ...f, index })).filter((f) => f.sig.result === t);
      if (targets.length > 0) {
        this.calls++;
        const f = this.pick(targets);
        for (const p of f.sig.params) this.expr(p, d);
        if (this.chance(60)) return void this.code.byte(0x10).u32(f.index);
        // Through the table: usually the right entry, sometimes another (a signature mismatch
        // unless the types are structurally equal), a null one or one past the end.
        const index = this.chance(85) ? f.index : this.rng.int(0, this.ctx.tableSize);
        this.constant(I32, index);
        return void this.code.byte(0x11).u32(f.typeIndex).byte(0x00);
      }
    }
    if (r < 99) return this.multiValueBlock(t, d);
    if (t === I32 && this.chance(50)) {
      if (this.chance(20)) return void this.code.byte(0xfc).u32(16).byte(0x00);
      if (this.chance(50)) return void this.code.byte(0x3f, 0x00);
      this.constant(I32, this.rng.int(0, 1));
      return void this.code.byte(0x40, 0x00);
    }
    // A block whose body runs statements first.
    this.code.byte(0x02, t);
    this.statements(d, this.rng.int(1, 2));
    this.expr(t, d);
    this.code.byte(0x0b);
  }

  leaf(t: T): void {
    const locals = this.localsOf(t, false);
    const r = this.rng.int(0, 99);
    if (r < 45 && locals.length > 0) return void this.code.byte(0x20).u32(this.pick(locals));
    if (r < 55) return void this.code.byte(0x23).u32(GLOBALS.indexOf(t));
    this.constant(t);
  }

  ifElse(t: T, d: number): void {
    this.expr(I32, d);
    this.code.byte(0x04, t);
    if (this.chance(30)) this.statements(d, 1);
    this.expr(t, d);
    this.code.byte(0x05);
    this.expr(t, d);
    this.code.byte(0x0b);
  }

  /**
   * A block typed by a type index: `[] -> [t u]` (left through br_if or the end, then u dropped),
   * or `[t] -> [t]` taking its operand from the stack.
   */
  multiValueBlock(t: T, d: number): void {
    if (this.chance(50)) {
      const u = this.pick(TYPES);
      this.code.byte(0x02).sleb(this.ctx.types.find([], [t, u]));
      this.expr(t, d);
      this.expr(u, d);
      if (this.chance(50)) {
        this.expr(I32, d);
        this.code.byte(0x0d, 0x00);
      }
      this.code.byte(0x0b, 0x1a);
      return;
    }
    this.expr(t, d);
    this.code.byte(this.chance(70) ? 0x02 : 0x03).sleb(this.ctx.types.find([t], [t]));
    this.op(this.pick(UNARY[t]));
    this.code.byte(0x0b);
  }

  /** `block (result t) value cond br_if 0 drop value end`: exercises br_if carrying a value. */
  blockWithBrIf(t: T, d: number): void {
    this.code.byte(0x02, t);
    this.expr(t, d);
    this.expr(I32, d);
    this.code.byte(0x0d, 0x00, 0x1a);
    this.expr(t, d);
    this.code.byte(0x0b);
  }

  /** Two nested blocks selected by br_table, each path producing a value for the outer block. */
  brTable(t: T, d: number): void {
    this.code.byte(0x02, t, 0x02, 0x40, 0x02, 0x40);
    this.expr(I32, d);
    const n = this.rng.int(0, 4);
    this.code.byte(0x0e).u32(n);
    for (let i = 0; i < n; i++) this.code.u32(this.rng.int(0, 1));
    this.code.u32(this.rng.int(0, 1));
    this.code.byte(0x0b);
    this.expr(t, d);
    this.code.byte(0x0c, 0x01, 0x0b);
    this.expr(t, d);
    this.code.byte(0x0b);
  }

  statements(depth: number, count: number): void {
    for (let i = 0; i < count; i++) this.statement(depth);
  }

  statement(depth: number): void {
    const d = depth - 1;
    if (this.ctx.mem1 && this.chance(15)) return this.mem1Statement(d, this.ctx.mem1.wide);
    if (this.ctx.exceptions && this.chance(10)) return this.exceptionStatement(d);
    if (this.chance(FUSED_PERCENT)) return this.fusedStatement(d);
    const r = this.rng.int(0, 99);
    if (r < 25 || depth <= 0) {
      const t = this.pick(TYPES);
      const targets = this.localsOf(t, true);
      const target = targets.length > 0 ? this.pick(targets) : this.newLocal(t);
      this.expr(t, d);
      this.code.byte(0x21).u32(target);
      return;
    }
    if (r < 45) {
      const t = this.pick(TYPES);
      const [op, align] = this.pick(STORES[t]);
      this.address(d);
      this.expr(t, d);
      this.sanitize(t);
      this.op(op);
      return this.memarg(align);
    }
    if (r < 52) return this.bitExactCopy(d);
    if (r < 60) {
      const t = this.pick(TYPES);
      this.expr(t, d);
      this.sanitize(t);
      this.code.byte(0x24).u32(GLOBALS.indexOf(t));
      return;
    }
    if (r < 72) return this.loop(d);
    if (r < 80) {
      this.expr(I32, d);
      this.code.byte(0x04, 0x40);
      this.statements(d, this.rng.int(1, 2));
      if (this.chance(50)) {
        this.code.byte(0x05);
        this.statements(d, 1);
      }
      this.code.byte(0x0b);
      return;
    }
    if (r < 85) {
      // memory.fill / memory.copy over a short, usually in-bounds range.
      this.address(d);
      if (this.chance(50)) this.expr(I32, d);
      else this.address(d);
      this.expr(I32, d);
      this.constant(I32, 0xff);
      this.code.byte(0x71);
      this.code.byte(0xfc);
      if (this.chance(50)) this.code.u32(11).byte(0x00);
      else this.code.u32(10).byte(0x00, 0x00);
      return;
    }
    if (r < 90) {
      // Leave early from the function with a value.
      this.expr(I32, d);
      this.code.byte(0x04, 0x40);
      this.expr(this.sig.result, d);
      this.code.byte(0x0f, 0x0b);
      return;
    }
    const t = this.pick(TYPES);
    this.expr(t, d);
    this.code.byte(0x1a);
  }

  // ---- the shapes the interpreter fuses ----

  fusedStatement(d: number): void {
    const r = this.rng.int(0, 99);
    if (r < 22) return this.loadCompareBranch(d);
    if (r < 34) return this.compareBranch(d);
    if (r < 50) return this.countedLoop(d);
    if (r < 63) return this.foldedAccess(d);
    if (r < 76) return this.floatMemory(d);
    if (r < 86) return this.twoOps(d);
    if (r < 92) return this.pointerSteps();
    return this.xorshift(d);
  }

  edgeI32(): number {
    return this.chance(85) ? this.pick(EDGE_I32) : this.rng.next() | 0;
  }

  /** g0 = g0 * 31 + tag: records that (and in which order) code ran. */
  mark(): void {
    this.code.byte(0x23).u32(0);
    this.constant(I32, 31);
    this.code.byte(0x6c);
    this.constant(I32, this.rng.int(1, 1 << 20));
    this.code.byte(0x6a, 0x24).u32(0);
  }

  /** Mixes an i32 (on the stack) into g0, an i64 into g1. */
  /**
   * An access to memory 1 (multiple memories; memory64 when `wide`): a store of a random width
   * near an edge of its first page, a load of another width at the same place, observed; or its
   * memory.size, memory.grow (by 0 or 1) or memory.fill. Offsets include one past 2^32 when wide.
   */
  mem1Statement(d: number, wide: boolean): void {
    const at = (t: T) => {
      const r = this.rng.int(0, 99);
      const target = r < 40
        ? this.rng.int(0, 600)
        : r < 80
        ? PAGE - this.rng.int(1, 12)
        : PAGE + this.rng.int(0, 4);
      // The offset is taken off the address, except 2^32 (out of bounds whatever the address).
      let offset = wide && this.chance(5) ? 2 ** 32 : this.pick([0, 0, 0, 1, 8, 100]);
      if (offset > target && offset < 2 ** 32) offset = 0;
      const address = offset < 2 ** 32 ? target - offset : target;
      if (t === I64) this.constant(I64, BigInt(address));
      else this.constant(I32, address);
      return offset;
    };
    const addr: T = wide ? I64 : I32;
    const memarg = (align: number, offset: number) =>
      this.code.u32(this.rng.int(0, align) | 0x40).u32(1).u64(offset);
    const r = this.rng.int(0, 99);
    if (r < 70) {
      const wideValue = this.chance(50);
      const [sop, , salign] = this.pick(wideValue ? I64_STORES : I32_STORES);
      // A fixed address for both accesses: the offset of the store is the load's.
      const mark = this.code.bytes.length;
      const offset = at(addr);
      const addressBytes = this.code.bytes.slice(mark);
      this.expr(wideValue ? I64 : I32, d);
      this.code.byte(sop);
      memarg(salign, offset);
      const loadWide = this.chance(50);
      const [lop, , lalign] = this.pick(loadWide ? I64_LOADS : I32_LOADS);
      this.code.byte(...addressBytes, lop);
      memarg(lalign, offset);
      return this.observe(loadWide ? I64 : I32);
    }
    if (r < 80) {
      this.code.byte(0x3f, 0x01); // memory.size 1
      if (wide) this.code.byte(0xa7); // i32.wrap_i64
      return this.observe(I32);
    }
    if (r < 88) {
      if (wide) this.constant(I64, BigInt(this.rng.int(0, 1)));
      else this.constant(I32, this.rng.int(0, 1));
      this.code.byte(0x40, 0x01); // memory.grow 1
      if (wide) this.code.byte(0xa7);
      return this.observe(I32);
    }
    // memory.fill 1: d, byte, n (n past the end traps)
    const n = this.rng.int(0, 40);
    at(addr); // (fill has no offset: the address alone)
    this.expr(I32, d);
    if (wide) this.constant(I64, BigInt(n));
    else this.constant(I32, n);
    this.code.byte(0xfc).u32(11).u32(1);
  }

  /**
   * Exceptions (tag 0, one i32): a conditional `throw`, or statements (whose calls may throw) in a
   * `try_table` that catches the tag (its payload observed, -1 when nothing was thrown), catches
   * anything (`catch_all`), or catches with the exnref and throws it again (`throw_ref`) when a
   * condition holds.
   */
  exceptionStatement(d: number): void {
    const r = this.rng.int(0, 99);
    if (r < 35) {
      this.expr(I32, d);
      this.code.byte(0x04, 0x40); // if
      this.expr(I32, d);
      this.code.byte(0x08, 0x00, 0x0b); // throw 0, end
      return;
    }
    if (r < 75) {
      // block (result i32) try_table (catch 0 0) … end i32.const -1 end
      this.code.byte(0x02, I32, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00);
      this.statements(d, this.rng.int(1, 3));
      this.code.byte(0x0b);
      this.constant(I32, -1);
      this.code.byte(0x0b);
      return this.observe(I32);
    }
    if (r < 88) {
      // block try_table (catch_all 0) … end end: just survives
      this.code.byte(0x02, 0x40, 0x1f, 0x40, 0x01, 0x02, 0x00);
      this.statements(d, this.rng.int(1, 3));
      this.code.byte(0x0b, 0x0b);
      return;
    }
    // block (result exnref) try_table (catch_all_ref 0) … end return-ish: ref.null exn end; then
    // throw_ref it when non-null and a condition holds, else drop it.
    this.code.byte(0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00);
    this.statements(d, this.rng.int(1, 3));
    this.code.byte(0x0b, 0xd0, 0x69, 0x0b); // end; ref.null exn; end
    const x = this.newLocal(0x69 as T);
    this.code.byte(0x22).u32(x).byte(0xd1); // local.tee x; ref.is_null
    this.code.byte(0x04, 0x40);
    this.code.byte(0x05); // else: caught something
    this.expr(I32, d);
    this.code.byte(0x04, 0x40).byte(0x20).u32(x).byte(0x0a, 0x0b); // if cond: local.get x; throw_ref
    this.code.byte(0x0b);
  }

  observe(t: T): void {
    if (t === I64) this.code.byte(0x23).u32(1).byte(0x85, 0x24).u32(1);
    else this.code.byte(0x23).u32(0).byte(0x73, 0x24).u32(0);
  }

  /**
   * Sets a fresh local to a base address for a `width`-byte access at `base + k` plus `offset`,
   * and returns them: usually an edge value in the data segment or the test data, or any 8-aligned
   * place; sometimes the last bytes of page 1, or just past them (a trap unless memory grew), or a
   * base that reaches its target only by wrapping `base + k` around 2^32.
   */
  fusedAddress(width: number, d: number, folded = true): { base: number; k: number; offset: number } {
    const base = this.newLocal(I32);
    // Wide accesses are mostly aligned: the typed-array path (unaligned ones take the DataView's).
    const aligned = width >= 4 && this.chance(70);
    const offset = aligned ? this.pick([0, 0, 8, 16]) : this.pick([0, 0, 0, 1, 2, 3, 4, 8, 16, 100]);
    const k = !folded || this.chance(25)
      ? 0
      : this.pick(aligned ? [8, -8, 16, -0x80000000] : [1, 2, 3, 4, 8, -4, -8, 16, -0x80000000]);
    const r = this.rng.int(0, 99);
    let target: number;
    if (r < 40) {
      target = EDGE_DATA_AT + 4 * this.rng.int(0, EDGE_I32.length - 1) +
        (this.chance(20) ? this.rng.int(1, 3) : 0);
    } else if (r < 55) target = this.rng.int(0, 600);
    else if (r < 83) target = PAGE - width - this.rng.int(0, 6);
    else if (r < 90) target = PAGE - width + this.rng.int(1, 3);
    else if (r < 96 && offset > 0) target = 2 ** 32 + this.rng.int(0, offset - 1); // past 2^32 by the offset only
    else target = -1;
    if (aligned && target >= 0 && target < PAGE) target -= target % width;
    if (target === -1) {
      // Any 8-aligned place in the first 32 KiB, computed.
      this.expr(I32, d);
      this.constant(I32, 0x7ff8);
      this.code.byte(0x71);
    } else this.constant(I32, (target - k - offset) | 0);
    this.code.byte(0x21).u32(base);
    return { base, k, offset };
  }

  /** Pushes `base + k` (folded into the access that follows). */
  foldedAddressExpr(a: { base: number; k: number }): void {
    this.code.byte(0x20).u32(a.base);
    if (a.k !== 0 || this.chance(50)) {
      if (a.k < 0 && this.chance(50)) {
        this.constant(I32, -a.k | 0);
        this.code.byte(0x6b); // base - k: the same fold
      } else {
        this.constant(I32, a.k);
        this.code.byte(0x6a);
      }
    }
  }

  memargAt(align: number, offset: number): void {
    this.code.u32(this.rng.int(0, align)).u32(offset);
  }

  /** An i32 local holding an edge value (or any i32 local), for the right side of a comparison. */
  edgeLocal(): number {
    const ints = this.localsOf(I32, false);
    if (ints.length > 0 && this.chance(40)) return this.pick(ints);
    const l = this.newLocal(I32);
    this.constant(I32, this.edgeI32());
    this.code.byte(0x21).u32(l);
    return l;
  }

  /**
   * `cond` as the condition of one of the three branch shapes: `block … br_if 0 … end` (jump when
   * true), `if … end` (jump when false), and a br_if that carries a value to its block. `prologue`
   * runs inside the block, just before the condition.
   */
  branchOn(prologue: () => void, cond: () => void): void {
    const shape = this.rng.int(0, 2);
    if (shape === 0) {
      this.code.byte(0x02, 0x40);
      prologue();
      cond();
      this.code.byte(0x0d, 0x00);
      this.mark();
      this.code.byte(0x0b);
    } else if (shape === 1) {
      prologue();
      cond();
      this.code.byte(0x04, 0x40);
      this.mark();
      if (this.chance(50)) {
        this.code.byte(0x05);
        this.mark();
      }
      this.code.byte(0x0b);
    } else {
      this.code.byte(0x02, I32);
      this.constant(I32, this.rng.int(1, 1000));
      prologue();
      cond();
      this.code.byte(0x0d, 0x00, 0x1a);
      this.constant(I32, this.rng.int(1001, 2000));
      this.code.byte(0x0b);
      this.observe(I32);
    }
  }

  /** `v = i32.load(base + k); br_if (v OP c)` (and the if forms): the scan step. */
  loadCompareBranch(d: number): void {
    const a = this.fusedAddress(4, d);
    if (this.chance(35)) {
      // Put an edge value there first (through a folded store).
      this.foldedAddressExpr(a);
      this.constant(I32, this.edgeI32());
      this.code.byte(0x36);
      this.memargAt(2, a.offset);
    }
    const v = this.newLocal(I32);
    const op = this.pick(I32_COMPARES);
    const constRight = this.chance(60);
    const other = constRight ? -1 : this.edgeLocal();
    const k = this.edgeI32();
    const swapped = this.chance(25);
    const load = () => {
      this.foldedAddressExpr(a);
      this.code.byte(0x28);
      this.memargAt(2, a.offset);
    };
    const operand = () => constRight ? this.constant(I32, k) : void this.code.byte(0x20).u32(other);
    // The load goes into v by local.tee in the condition, or by a local.set just before it.
    const stored = !swapped && this.chance(30);
    this.branchOn(
      () => {
        if (stored) load(), this.code.byte(0x21).u32(v);
      },
      () => {
        if (swapped) operand();
        if (stored) this.code.byte(0x20).u32(v);
        else load(), this.code.byte(0x22).u32(v);
        if (!swapped) operand();
        this.code.byte(op);
      },
    );
    this.code.byte(0x20).u32(v);
    this.observe(I32);
  }

  /** `br_if (x OP c)` on a local and a constant or another local (and the if forms). */
  compareBranch(_d: number): void {
    const x = this.edgeLocal();
    const op = this.chance(10) ? 0x45 : this.pick(I32_COMPARES);
    const y = this.chance(50) ? -1 : this.edgeLocal();
    const k = this.edgeI32();
    const swapped = this.chance(25);
    this.branchOn(() => {}, () => {
      if (op === 0x45) return void this.code.byte(0x20).u32(x).byte(0x45);
      const right = () => y < 0 ? this.constant(I32, k) : void this.code.byte(0x20).u32(y);
      if (swapped) right();
      this.code.byte(0x20).u32(x);
      if (!swapped) right();
      this.code.byte(op);
    });
  }

  /**
   * A loop whose back edge is `br_if (i = i + step) OP limit`: the counter step and its test in
   * one closure. The counter starts near where the step wraps or the test flips; the hang limit
   * (checked first) ends it when the test never fails.
   */
  countedLoop(d: number): void {
    const i = this.newLocal(I32);
    this.counters.add(i);
    const step = this.pick([1, 1, 2, -1, -3, 4, 0x40000000]);
    const limit = this.edgeI32();
    const op = this.pick(I32_COMPARES);
    // A few steps before the limit, or before the step wraps (signed or unsigned), or anywhere.
    const r = this.rng.int(0, 99);
    const signed = this.chance(70);
    const wrapsAt = step > 0 ? (signed ? 0x7fffffff : -1) : (signed ? -0x80000000 : 0);
    const start = r < 30
      ? (limit - step * this.rng.int(0, 4)) | 0
      : r < 80
      ? (wrapsAt - step * this.rng.int(0, 2)) | 0
      : this.edgeI32();
    const stepLocal = this.chance(25) ? this.newLocal(I32) : -1;
    const limitLocal = this.chance(40) ? this.newLocal(I32) : -1;
    if (stepLocal >= 0) this.constant(I32, step), this.code.byte(0x21).u32(stepLocal);
    if (limitLocal >= 0) this.constant(I32, limit), this.code.byte(0x21).u32(limitLocal);
    this.constant(I32, start);
    this.code.byte(0x21).u32(i);
    this.code.byte(0x02, 0x40, 0x03, 0x40);
    if (this.chance(40)) this.statements(d, 1);
    this.code.byte(0x20).u32(i);
    this.observe(I32);
    // The hang limit: count down, leave when used up.
    this.code.byte(0x23).u32(HANG_GLOBAL);
    this.constant(I32, 1);
    this.code.byte(0x6b, 0x24).u32(HANG_GLOBAL);
    this.code.byte(0x23).u32(HANG_GLOBAL);
    this.constant(I32, 0);
    this.code.byte(0x4c, 0x0d, 0x01);
    // The back edge.
    this.code.byte(0x20).u32(i);
    if (stepLocal >= 0) this.code.byte(0x20).u32(stepLocal).byte(0x6a);
    else if (step < 0 && this.chance(50)) this.constant(I32, -step), this.code.byte(0x6b);
    else this.constant(I32, step), this.code.byte(0x6a);
    this.code.byte(0x22).u32(i);
    if (limitLocal >= 0) this.code.byte(0x20).u32(limitLocal);
    else this.constant(I32, limit);
    this.code.byte(op, 0x0d, 0x00, 0x0b, 0x0b);
    this.code.byte(0x20).u32(i);
    this.observe(I32);
  }

  /**
   * Loads and stores of every width at `base + k` with an offset (or `a + b`), at the edges; float
   * ones move bits (reinterpreted), which the spec makes exact even for NaNs.
   */
  foldedAccess(d: number): void {
    const kind = this.rng.int(0, 9);
    const [wide, float] = [kind >= 5 && kind < 8, kind >= 8];
    const [op, width, align] = float
      ? (kind === 8 ? [0x2a, 4, 2] : [0x2b, 8, 3])
      : this.pick(wide ? I64_LOADS : I32_LOADS);
    const bits = float ? (op === 0x2a ? I32 : I64) : wide ? I64 : I32;
    const a = this.fusedAddress(width, d);
    if (this.chance(50)) {
      const [sop, , salign] = float
        ? (op === 0x2a ? [0x38, 4, 2] : [0x39, 8, 3])
        : this.pick(wide ? I64_STORES : I32_STORES);
      this.foldedAddressExpr(a);
      if (bits === I64) {
        const v = this.localsOf(I64, false);
        if (v.length > 0 && this.chance(30)) this.code.byte(0x20).u32(this.pick(v));
        else this.constant(I64, this.pick(EDGE_I64));
      } else if (this.chance(30)) {
        const l = this.edgeLocal(); // it may emit the code that sets a fresh local: first
        this.code.byte(0x20).u32(l);
      } else this.constant(I32, this.edgeI32());
      if (float) this.code.byte(op === 0x2a ? 0xbe : 0xbf); // reinterpret: the bits as they are
      this.code.byte(sop);
      this.memargAt(salign, a.offset);
    }
    if (this.chance(30) && (op === 0x28 || op === 0x2b || op === 0x2d)) {
      // `a + b` as the address.
      this.code.byte(0x20).u32(a.base);
      const b = this.newLocal(I32);
      this.constant(I32, a.k);
      this.code.byte(0x21).u32(b).byte(0x20).u32(b).byte(0x6a);
    } else this.foldedAddressExpr(a);
    this.code.byte(op);
    this.memargAt(align, a.offset);
    if (float) this.code.byte(op === 0x2a ? 0xbc : 0xbd);
    this.observe(bits);
  }

  /** A float local holding a sanitised value of `t` (never NaN). */
  floatLocal(t: T, d: number): number {
    const l = this.newLocal(t);
    if (this.chance(50)) this.constant(t, this.pick([0, -0, 1, -1.5, 0.5, 3, 1e300, -Infinity, 2.5]));
    else {
      this.expr(t, d);
      this.sanitize(t);
    }
    this.code.byte(0x21).u32(l);
    return l;
  }

  /** Loads the float at `base + offset` and stores it back with NaN turned into 0. */
  sanitizeAt(t: T, base: number, offset: number): void {
    const [load, store] = t === F32 ? [0x2a, 0x38] : [0x2b, 0x39];
    this.code.byte(0x20).u32(base).byte(0x20).u32(base).byte(load);
    this.memargAt(0, offset);
    this.sanitize(t);
    this.code.byte(store);
    this.memargAt(0, offset);
  }

  /**
   * `c[i] += y * b[j]`, `c[i] = c[i] OP x` (either side), `p[o] = x OP y` and `x OP load`: float
   * arithmetic with memory operands. Memory may hold any bits, so every float that arithmetic
   * wrote is sanitised right after (its NaN payload is not deterministic).
   */
  floatMemory(d: number): void {
    const t = this.chance(50) ? F64 : F32;
    const width = t === F64 ? 8 : 4;
    const [load, store, add] = t === F64 ? [0x2b, 0x39, 0xa0] : [0x2a, 0x38, 0x92];
    const arith = add + this.rng.int(0, 3); // add sub mul div
    const r = this.rng.int(0, 99);
    // c is read and written back at `base + offset` (a read-modify-write needs no `+ k` there).
    const c = this.fusedAddress(width, d, r >= 80);
    const x = this.floatLocal(t, d);
    if (r < 30) {
      const b = this.fusedAddress(width, d);
      this.code.byte(0x20).u32(c.base);
      this.code.byte(0x20).u32(x);
      this.foldedAddressExpr(b);
      this.code.byte(load);
      this.memargAt(0, b.offset);
      this.code.byte(add + 2); // mul
      this.code.byte(0x20).u32(c.base).byte(load);
      this.memargAt(0, c.offset);
      this.code.byte(add, store);
      this.memargAt(0, c.offset);
      return this.sanitizeAt(t, c.base, c.offset);
    }
    if (r < 60) {
      this.code.byte(0x20).u32(c.base);
      const memLeft = this.chance(50);
      if (!memLeft) this.code.byte(0x20).u32(x);
      this.code.byte(0x20).u32(c.base).byte(load);
      this.memargAt(0, c.offset);
      if (memLeft) this.code.byte(0x20).u32(x);
      this.code.byte(arith, store);
      this.memargAt(0, c.offset);
      return this.sanitizeAt(t, c.base, c.offset);
    }
    if (r < 80) {
      const y = this.floatLocal(t, d);
      this.code.byte(0x20).u32(c.base).byte(0x20).u32(x).byte(0x20).u32(y).byte(arith, store);
      this.memargAt(0, c.offset);
      return this.sanitizeAt(t, c.base, c.offset);
    }
    // x OP load (or load OP x), then into the float global.
    const memLeft = this.chance(50);
    if (!memLeft) this.code.byte(0x20).u32(x);
    this.foldedAddressExpr(c);
    this.code.byte(load);
    this.memargAt(0, c.offset);
    if (memLeft) this.code.byte(0x20).u32(x);
    this.code.byte(arith);
    this.sanitize(t);
    this.code.byte(0x24).u32(GLOBALS.indexOf(t));
  }

  /** `(a SH k) OP b` and `(a OP1 k|b) OP2 c` into a local, then observed. */
  twoOps(d: number): void {
    const a = this.edgeLocal(), b = this.edgeLocal();
    const logic = [0x6a, 0x71, 0x72, 0x73];
    const outer = this.pick(logic);
    const inner = this.chance(50) ? this.pick([0x74, 0x75, 0x76, 0x77, 0x78]) : this.pick(logic);
    const innerFirst = this.chance(50);
    const innerExpr = () => {
      this.code.byte(0x20).u32(a);
      if (inner >= 0x74 || this.chance(50)) {
        this.constant(I32, inner >= 0x74 ? this.pick([0, 1, 7, 31, 32, 33]) : this.edgeI32());
      } else this.code.byte(0x20).u32(b);
      this.code.byte(inner);
    };
    if (innerFirst) innerExpr(), this.code.byte(0x20).u32(b);
    else this.code.byte(0x20).u32(b), innerExpr();
    this.code.byte(outer);
    if (this.chance(30)) {
      // and a comparison of the result, branched on
      const r = this.newLocal(I32);
      this.code.byte(0x21).u32(r);
      this.branchOn(() => {}, () => {
        this.code.byte(0x20).u32(r);
        this.constant(I32, this.edgeI32());
        this.code.byte(this.pick(I32_COMPARES));
      });
      this.code.byte(0x20).u32(r);
    }
    this.observe(I32);
    void d;
  }

  /** Two pointer steps in a row (`p += k1; q += k2`), then both observed. */
  pointerSteps(): void {
    const p = this.edgeLocal(), q = this.newLocal(I32);
    this.constant(I32, this.edgeI32());
    this.code.byte(0x21).u32(q);
    this.code.byte(0x20).u32(p);
    this.constant(I32, this.pick([1, 4, 8, -4, 0x7fffffff, -0x80000000]));
    this.code.byte(0x6a, 0x21).u32(p);
    this.code.byte(0x20).u32(q);
    this.constant(I32, this.pick([1, 4, -1, -8, 0x7fffffff]));
    this.code.byte(0x6a, 0x21).u32(q);
    this.code.byte(0x20).u32(p).byte(0x20).u32(q).byte(0x73);
    this.observe(I32);
  }

  /** `x ^= x >> k`, `x ^= x << k`, `x = (x ^ y) * K`: constant shifts and multiplies on i64. */
  xorshift(d: number): void {
    const x = this.newLocal(I64);
    if (this.chance(60)) this.constant(I64, this.chance(50) ? this.pick(EDGE_I64) : undefined);
    else this.expr(I64, d);
    this.code.byte(0x21).u32(x);
    for (let n = this.rng.int(1, 3); n > 0; n--) {
      const shift = this.pick([0x86, 0x88]);
      const k = this.pick([0, 1, 12, 25, 31, 32, 33, 40, 63, 64]);
      const shiftFirst = this.chance(50);
      if (!shiftFirst) this.code.byte(0x20).u32(x);
      this.code.byte(0x20).u32(x);
      this.constant(I64, BigInt(k));
      this.code.byte(shift);
      if (shiftFirst) this.code.byte(0x20).u32(x);
      this.code.byte(0x85);
      if (this.chance(50)) {
        this.constant(I64, this.pick([0x2545f4914f6cdd1dn, 0x100000001b3n, -7n, 0xffffffffn]));
        this.code.byte(0x7e);
      }
      this.code.byte(0x21).u32(x);
    }
    this.code.byte(0x20).u32(x);
    this.observe(I64);
  }

  /** Copies a possibly-NaN float through load, abs/neg and store: the bits must survive exactly. */
  bitExactCopy(d: number): void {
    const t = this.chance(50) ? F32 : F64;
    this.address(d);
    const fromInt = this.chance(30);
    if (fromInt) {
      this.expr(t === F32 ? I32 : I64, d);
      this.code.byte(t === F32 ? 0xbe : 0xbf);
    } else {
      this.address(d);
      this.code.byte(t === F32 ? 0x2a : 0x2b);
      this.memarg(0);
    }
    if (this.chance(50)) this.code.byte(t === F32 ? this.pick([0x8b, 0x8c]) : this.pick([0x99, 0x9a]));
    this.code.byte(t === F32 ? 0x38 : 0x39);
    this.memarg(0);
  }

  /**
   * A loop running a few times: its own counter, and the shared hang limit (reset before each
   * export call by `hangLimitInitializer`), so nested loops and calls in loops stay bounded.
   */
  loop(d: number): void {
    const counter = this.newLocal(I32);
    this.counters.add(counter);
    this.constant(I32, this.rng.int(1, 6));
    this.code.byte(0x21).u32(counter);
    this.code.byte(0x03, 0x40);
    this.statements(d, this.rng.int(1, 3));
    this.code.byte(0x23).u32(HANG_GLOBAL);
    this.constant(I32, 1);
    this.code.byte(0x6b, 0x24).u32(HANG_GLOBAL);
    this.code.byte(0x20).u32(counter);
    this.constant(I32, 1);
    this.code.byte(0x6b, 0x22).u32(counter);
    this.code.byte(0x23).u32(HANG_GLOBAL);
    this.constant(I32, 0);
    this.code.byte(0x4a, 0x71, 0x0d, 0x00, 0x0b);
  }

  body(): ByteWriter {
    // Entry: return at once when the hang limit is nearly used up, else charge this call.
    this.code.byte(0x23).u32(HANG_GLOBAL);
    this.constant(I32, CALL_COST);
    this.code.byte(0x48, 0x04, 0x40);
    this.constant(this.sig.result);
    this.code.byte(0x0f, 0x0b);
    this.code.byte(0x23).u32(HANG_GLOBAL);
    this.constant(I32, CALL_COST);
    this.code.byte(0x6b, 0x24).u32(HANG_GLOBAL);
    this.statements(4, this.rng.int(1, 4));
    this.expr(this.sig.result, 5);
    this.code.byte(0x0b);
    const w = new ByteWriter();
    const declared = this.locals.slice(this.sig.params.length);
    w.u32(declared.length);
    for (const t of declared) w.u32(1).byte(t);
    w.byte(...this.code.bytes);
    return w;
  }
}

/**
 * A random valid module: functions `f0`…, `hangLimitInitializer` (resets the hang limit), four
 * mutable globals `g0`…, a memory with random data, and a table holding the functions.
 */
export function generateExprModule(
  seed: bigint,
  options: { tailCalls?: boolean; wasm3?: boolean; exceptions?: boolean } = {},
): Uint8Array {
  const rng = new Prng(seed);
  const nFuncs = rng.int(1, 6);
  const types = new TypeTable();
  const funcs: ModuleContext["funcs"] = [];
  for (let i = 0; i < nFuncs; i++) {
    // Now and then the same signature as an earlier function, under a type index of its own.
    const sig = i > 0 && rng.int(0, 3) === 0 ? funcs[rng.int(0, i - 1)].sig : {
      params: Array.from({ length: rng.int(0, 4) }, () => TYPES[rng.int(0, 3)]),
      result: TYPES[rng.int(0, 3)],
    };
    funcs.push({ sig, typeIndex: types.add(sig.params, [sig.result]) });
  }
  const wasm3 = options.wasm3 === true;
  const ctx: ModuleContext = {
    types,
    funcs,
    tableSize: nFuncs + 2,
    tailCalls: options.tailCalls === true || wasm3,
    exceptions: wasm3 && options.exceptions === true,
  };
  // Wasm 3.0: a second memory (three in four, 64-bit addresses for half of them) and immutable
  // globals `c0`… whose initialisers are extended constant expressions.
  if (wasm3 && rng.int(0, 3) !== 0) ctx.mem1 = { wide: rng.int(0, 1) === 1 };
  const constGlobals: { t: T; bytes: number[] }[] = [];
  if (wasm3) {
    for (let k = rng.int(1, 4); k > 0; k--) constGlobals.push(extendedConst(rng, constGlobals));
  }
  const resetType = types.find([], []);
  const tagType = ctx.exceptions ? types.find([I32], []) : -1;

  const globals = new ByteWriter().u32(GLOBALS.length + 1 + constGlobals.length);
  const init = new FuncGen(rng, { params: [], result: I32 }, ctx);
  for (const t of GLOBALS) {
    globals.byte(t, 0x01);
    init.code.bytes = [];
    init.constant(t);
    globals.byte(...init.code.bytes, 0x0b);
  }
  globals.byte(I32, 0x01, 0x41).sleb(HANG_LIMIT).byte(0x0b);
  for (const c of constGlobals) globals.byte(c.t, 0x00, ...c.bytes, 0x0b);

  const code = new ByteWriter().u32(nFuncs + 1);
  for (const f of funcs) code.sized(new FuncGen(rng, f.sig, ctx).body());
  code.sized(new ByteWriter().byte(0x00, 0x41).sleb(HANG_LIMIT).byte(0x24).u32(HANG_GLOBAL).byte(0x0b));

  // Bodies may have added block types, so the type section is written last.
  const funcSection = new ByteWriter().u32(nFuncs + 1);
  for (const f of funcs) funcSection.u32(f.typeIndex);
  funcSection.u32(resetType);
  const table = new ByteWriter().u32(1).byte(0x70, 0x00).u32(ctx.tableSize);
  const memory = new ByteWriter().u32(ctx.mem1 ? 2 : 1).byte(0x01).u32(MEMORY_PAGES).u32(MEMORY_MAX);
  if (ctx.mem1) memory.byte(ctx.mem1.wide ? 0x05 : 0x01).u32(1).u32(2);
  const exports = new ByteWriter().u32(
    nFuncs + 2 + GLOBALS.length + constGlobals.length + (ctx.mem1 ? 1 : 0) + (ctx.exceptions ? 1 : 0),
  );
  if (ctx.exceptions) exports.name("tag").byte(0x04).u32(0);
  for (let i = 0; i < nFuncs; i++) exports.name(`f${i}`).byte(0x00).u32(i);
  exports.name("hangLimitInitializer").byte(0x00).u32(nFuncs);
  exports.name("memory").byte(0x02).u32(0);
  if (ctx.mem1) exports.name("memory1").byte(0x02).u32(1);
  GLOBALS.forEach((_, i) => exports.name(`g${i}`).byte(0x03).u32(i));
  constGlobals.forEach((_, k) => exports.name(`c${k}`).byte(0x03).u32(GLOBALS.length + 1 + k));
  const elems = new ByteWriter().u32(1).byte(0x00, 0x41, 0x00, 0x0b).u32(nFuncs);
  for (let i = 0; i < nFuncs; i++) elems.u32(i);
  const data = new ByteWriter().u32(ctx.mem1 ? 4 : 3).byte(0x00, 0x41).sleb(rng.int(0, 64)).byte(0x0b);
  data.sized(new ByteWriter().byte(...rng.bytes(rng.int(16, 512))));
  // The edge values, and sign-edge bytes at the end of the first page (see `fusedAddress`).
  const edges = new ByteWriter();
  for (const v of EDGE_I32) edges.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  data.byte(0x00, 0x41).sleb(EDGE_DATA_AT).byte(0x0b).sized(edges);
  data.byte(0x00, 0x41).sleb(PAGE - TAIL_BYTES.length).byte(0x0b).sized(new ByteWriter().byte(...TAIL_BYTES));
  if (ctx.mem1) {
    // Memory 1's data, at an offset that is an extended constant expression (a + b).
    const bytes = rng.bytes(rng.int(8, 256)), at = rng.int(0, PAGE - bytes.length), a = rng.int(0, at);
    const c = ctx.mem1.wide ? 0x42 : 0x41, add = ctx.mem1.wide ? 0x7c : 0x6a;
    data.byte(0x02).u32(1).byte(c).sleb(a).byte(c).sleb(at - a).byte(add, 0x0b).sized(
      new ByteWriter().byte(...bytes),
    );
  }
  return moduleBytes([
    [1, types.encode()],
    [3, funcSection],
    [4, table],
    [5, memory],
    ...(ctx.exceptions
      ? [[13, new ByteWriter().u32(1).byte(0x00).u32(tagType)] as [number, ByteWriter]]
      : []),
    [6, globals],
    [7, exports],
    [9, elems],
    [10, code],
    [11, data],
  ]);
}

/**
 * An extended constant expression (Wasm 3.0) of type i32 or i64: constants combined with add, sub
 * and mul, sometimes with an earlier one of these globals (`global.get` of an immutable global).
 */
function extendedConst(rng: Prng, earlier: { t: T }[]): { t: T; bytes: number[] } {
  const t: T = rng.int(0, 1) === 0 ? I32 : I64;
  const w = new ByteWriter();
  const leaf = () => {
    const same = earlier.map((g, k) => (g.t === t ? k : -1)).filter((k) => k >= 0);
    if (same.length > 0 && rng.int(0, 2) === 0) {
      return void w.byte(0x23).u32(GLOBALS.length + 1 + same[rng.int(0, same.length - 1)]);
    }
    const edges = t === I32 ? I32_CONSTS : I64_CONSTS;
    const v = rng.int(0, 1) === 0 ? edges[rng.int(0, edges.length - 1)] : rng.next() | 0;
    w.byte(t === I32 ? 0x41 : 0x42).sleb(v);
  };
  leaf();
  for (let n = rng.int(1, 4); n > 0; n--) {
    leaf();
    const k = rng.int(0, 2); // add, sub, mul
    w.byte(t === I32 ? 0x6a + k : 0x7c + k);
  }
  return { t, bytes: w.bytes };
}
