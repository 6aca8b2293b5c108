/**
 * A second module generator, aimed at what binaryen 108's -ttf rarely produces: dense numeric code.
 * Each function computes random typed expression trees over its parameters, locals, globals and
 * memory with every i32/i64/f32/f64 operator and conversion, inside blocks (multi-value and with
 * parameters too), ifs, br_if/br_table with values, bounded loops, direct calls and call_indirect
 * through a table (with null entries, out-of-range indices and structurally equal types). A shared
 * hang-limit global, counted down at every function entry and loop back-edge, makes every call
 * terminate.
 *
 * NaN bit patterns may legitimately differ between engines, so a float that comes out of
 * arithmetic is turned into 0 when it is NaN before anything can observe its bits (store,
 * reinterpret, copysign's sign operand). Loads, stores, abs/neg and reinterpret are bit-exact in
 * the spec, so one statement kind copies loaded (possibly NaN) floats through them unsanitised.
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
export function generateExprModule(seed: bigint): Uint8Array {
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
  const ctx: ModuleContext = { types, funcs, tableSize: nFuncs + 2 };
  const resetType = types.find([], []);

  const globals = new ByteWriter().u32(GLOBALS.length + 1);
  const init = new FuncGen(rng, { params: [], result: I32 }, ctx);
  for (const t of GLOBALS) {
    globals.byte(t, 0x01);
    init.code.bytes = [];
    init.constant(t);
    globals.byte(...init.code.bytes, 0x0b);
  }
  globals.byte(I32, 0x01, 0x41).sleb(HANG_LIMIT).byte(0x0b);

  const code = new ByteWriter().u32(nFuncs + 1);
  for (const f of funcs) code.sized(new FuncGen(rng, f.sig, ctx).body());
  code.sized(new ByteWriter().byte(0x00, 0x41).sleb(HANG_LIMIT).byte(0x24).u32(HANG_GLOBAL).byte(0x0b));

  // Bodies may have added block types, so the type section is written last.
  const funcSection = new ByteWriter().u32(nFuncs + 1);
  for (const f of funcs) funcSection.u32(f.typeIndex);
  funcSection.u32(resetType);
  const table = new ByteWriter().u32(1).byte(0x70, 0x00).u32(ctx.tableSize);
  const memory = new ByteWriter().u32(1).byte(0x01).u32(MEMORY_PAGES).u32(MEMORY_MAX);
  const exports = new ByteWriter().u32(nFuncs + 2 + GLOBALS.length);
  for (let i = 0; i < nFuncs; i++) exports.name(`f${i}`).byte(0x00).u32(i);
  exports.name("hangLimitInitializer").byte(0x00).u32(nFuncs);
  exports.name("memory").byte(0x02).u32(0);
  GLOBALS.forEach((_, i) => exports.name(`g${i}`).byte(0x03).u32(i));
  const elems = new ByteWriter().u32(1).byte(0x00, 0x41, 0x00, 0x0b).u32(nFuncs);
  for (let i = 0; i < nFuncs; i++) elems.u32(i);
  const data = new ByteWriter().u32(1).byte(0x00, 0x41).sleb(rng.int(0, 64)).byte(0x0b);
  data.sized(new ByteWriter().byte(...rng.bytes(rng.int(16, 512))));
  return moduleBytes([
    [1, types.encode()],
    [3, funcSection],
    [4, table],
    [5, memory],
    [6, globals],
    [7, exports],
    [9, elems],
    [10, code],
    [11, data],
  ]);
}
