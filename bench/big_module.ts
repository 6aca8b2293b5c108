/**
 * Generates a large, valid WebAssembly module (several MB of code) for the decode / validate /
 * lowering benchmark. Thousands of distinct functions with varied arithmetic over i32/i64/f64,
 * memory access, globals, direct and indirect calls, and structured control flow (if/else,
 * blocks with br_if, bounded loops, br_table). Deterministic for a given seed.
 *
 * Only the exported `entry` function is meant to run: it is tiny, so "time to first instruction"
 * measures module preparation rather than execution. Its i32 constant (the salt) can be patched
 * with `withSalt` so each measurement sees fresh bytes and no engine can reuse a cached compile.
 */

import { ByteWriter, patchPaddedS32, Section, Val } from "./wasm_writer.ts";

export interface BigModule {
  bytes: Uint8Array<ArrayBuffer>;
  /** Size of the code section payload: the figure MB/s numbers are based on. */
  codeBytes: number;
  /** Functions in the module, including `entry`. */
  functionCount: number;
  /** Byte offset of the 5-byte LEB128 immediate of `entry`'s salt constant. */
  saltOffset: number;
}

export interface BigModuleOptions {
  /** Stop adding functions once the code section reaches this many bytes. */
  targetCodeBytes: number;
  seed?: number;
}

type NumType = typeof Val.I32 | typeof Val.I64 | typeof Val.F64;

/** The four signatures generated functions use, indexed by type index; type 4 is `entry`. */
const SIGNATURES: { params: NumType[]; result: NumType }[] = [
  { params: [Val.I32, Val.I32], result: Val.I32 },
  { params: [Val.I64, Val.I64], result: Val.I64 },
  { params: [Val.F64, Val.F64], result: Val.F64 },
  { params: [Val.I32], result: Val.I32 },
];
const ENTRY_TYPE = SIGNATURES.length;

/** Declared locals beyond the parameters: two loop counters, then three of each number type. */
const LOCAL_GROUPS: [number, NumType][] = [[2, Val.I32], [3, Val.I32], [3, Val.I64], [3, Val.F64]];
const TABLE_SIZE = 256;

// Opcodes grouped by the shape they have, so expressions can pick one at random.
const I32_BINARY = [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78];
const I32_UNARY = [0x45, 0x67, 0x68, 0x69, 0xc0]; // eqz clz ctz popcnt extend8_s
const I32_COMPARE = [0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f];
const I64_COMPARE = [0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a];
const F64_COMPARE = [0x61, 0x62, 0x63, 0x64, 0x65, 0x66];
const I64_BINARY = [0x7c, 0x7d, 0x7e, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a];
const I64_UNARY = [0x79, 0x7a, 0x7b, 0xc4]; // clz ctz popcnt extend32_s
const F64_BINARY = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6];
const F64_UNARY = [0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f];

/** xorshift32: a tiny deterministic PRNG so the module is identical on every run. */
class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Writes one function body's instructions; knows the locals and callable functions. */
class BodyGenerator {
  readonly w = new ByteWriter();
  #rng: Rng;
  #locals = new Map<NumType, number[]>();
  #counters: number[] = [];
  #result: NumType = Val.I32;
  /** Type index of every function generated so far (the ones a body may call). */
  #callable: number[];

  constructor(rng: Rng, callable: number[]) {
    this.#rng = rng;
    this.#callable = callable;
  }

  /** Generates a complete body (local declarations, instructions, `end`) of about `size` bytes. */
  generate(typeIndex: number, size: number): Uint8Array {
    const sig = SIGNATURES[typeIndex];
    this.w.reset();
    this.#result = sig.result;
    this.#locals = new Map([[Val.I32, []], [Val.I64, []], [Val.F64, []]]);
    sig.params.forEach((t, i) => this.#locals.get(t)!.push(i));
    let index = sig.params.length;
    this.#counters = [index, index + 1];
    this.w.u32(LOCAL_GROUPS.length);
    for (const [count, type] of LOCAL_GROUPS) {
      this.w.u32(count).byte(type);
      if (index >= sig.params.length + 2) {
        for (let i = 0; i < count; i++) this.#locals.get(type)!.push(index + i);
      }
      index += count;
    }
    while (this.w.length < size) this.#statement(3, 0);
    this.#expr(sig.result, 3);
    this.w.byte(0x0b);
    return this.w.view();
  }

  #local(type: NumType): number {
    return this.#rng.pick(this.#locals.get(type)!);
  }

  #randomType(): NumType {
    return this.#rng.pick([Val.I32, Val.I32, Val.I64, Val.F64]);
  }

  /** Pushes an in-bounds, 16-byte-aligned address of the single memory page. */
  #address(): void {
    this.#expr(Val.I32, 1);
    this.w.byte(0x41).s32(0xfff0).byte(0x71);
  }

  #const(type: NumType): void {
    const r = this.#rng;
    if (type === Val.I32) this.w.byte(0x41).s32(r.next() >> r.below(32));
    else if (type === Val.I64) {
      if (r.below(4) === 0) this.w.byte(0x42).s64((BigInt(r.next()) << 32n) | BigInt(r.next()));
      else this.w.byte(0x42).s32(r.next() >> r.below(32));
    } else this.w.byte(0x44).f64((r.next() / 65536) * (r.below(2) ? 1 : -1));
  }

  /** Emits instructions that push exactly one value of `type`. */
  #expr(type: NumType, depth: number): void {
    const r = this.#rng;
    const w = this.w;
    if (depth <= 0 || r.below(5) === 0) {
      if (r.below(3) === 0) this.#const(type);
      else w.byte(0x20).u32(this.#local(type));
      return;
    }
    const d = depth - 1;
    const choice = r.below(8);
    if (type === Val.I32) {
      switch (choice) {
        case 0:
        case 1:
          this.#expr(Val.I32, d);
          this.#expr(Val.I32, d);
          w.byte(r.pick(I32_BINARY));
          return;
        case 2:
          this.#expr(Val.I32, d);
          w.byte(r.pick(I32_UNARY));
          return;
        case 3: {
          const t = this.#randomType();
          this.#expr(t, d);
          this.#expr(t, d);
          w.byte(r.pick(t === Val.I32 ? I32_COMPARE : t === Val.I64 ? I64_COMPARE : F64_COMPARE));
          return;
        }
        case 4:
          this.#address();
          w.byte(r.below(2) ? 0x28 : 0x2d).byte(0).u32(r.below(2) * 4); // i32.load / i32.load8_u
          return;
        case 5:
          if (r.below(2)) {
            this.#expr(Val.I64, d);
            w.byte(0xa7); // i32.wrap_i64
          } else {
            this.#expr(Val.F64, d);
            w.byte(0xfc).u32(2); // i32.trunc_sat_f64_s
          }
          return;
        case 6: // unsigned division by an odd, hence non-zero, divisor
          this.#expr(Val.I32, d);
          this.#expr(Val.I32, d);
          w.byte(0x41).s32(1).byte(0x72).byte(r.below(2) ? 0x6e : 0x70);
          return;
        default:
          this.#expr(Val.I32, d);
          this.#expr(Val.I32, d);
          this.#expr(Val.I32, d);
          w.byte(0x1b); // select
          return;
      }
    }
    if (type === Val.I64) {
      switch (choice) {
        case 0:
        case 1:
        case 2:
          this.#expr(Val.I64, d);
          this.#expr(Val.I64, d);
          w.byte(r.pick(I64_BINARY));
          return;
        case 3:
          this.#expr(Val.I64, d);
          w.byte(r.pick(I64_UNARY));
          return;
        case 4:
          this.#address();
          w.byte(0x29).byte(3).u32(r.below(2) * 8); // i64.load
          return;
        case 5:
          this.#expr(Val.I32, d);
          w.byte(r.below(2) ? 0xac : 0xad); // i64.extend_i32_s / _u
          return;
        case 6:
          this.#expr(Val.F64, d);
          w.byte(0xbd); // i64.reinterpret_f64
          return;
        default:
          w.byte(0x23).u32(1); // global.get of the i64 global
          return;
      }
    }
    switch (choice) {
      case 0:
      case 1:
      case 2:
        this.#expr(Val.F64, d);
        this.#expr(Val.F64, d);
        w.byte(r.pick(F64_BINARY));
        return;
      case 3:
        this.#expr(Val.F64, d);
        w.byte(r.pick(F64_UNARY));
        return;
      case 4:
        this.#address();
        w.byte(0x2b).byte(3).u32(0); // f64.load
        return;
      case 5:
        this.#expr(Val.I32, d);
        w.byte(r.below(2) ? 0xb7 : 0xb8); // f64.convert_i32_s / _u
        return;
      case 6:
        this.#expr(Val.I64, d);
        w.byte(r.below(2) ? 0xb9 : 0xba); // f64.convert_i64_s / _u
        return;
      default:
        this.#expr(Val.F64, d);
        w.byte(0xb6).byte(0xbb); // f32.demote_f64, f64.promote_f32
        return;
    }
  }

  /** Emits instructions with no net effect on the operand stack. */
  #statement(depth: number, loops: number): void {
    const r = this.#rng;
    const w = this.w;
    const choice = depth <= 0 ? r.below(5) : r.below(13);
    switch (choice) {
      case 0:
      case 1: {
        const t = this.#randomType();
        this.#expr(t, 3);
        w.byte(0x21).u32(this.#local(t));
        return;
      }
      case 2: {
        const t = this.#randomType();
        this.#address();
        this.#expr(t, 2);
        if (t === Val.I32) w.byte(r.below(2) ? 0x36 : 0x3a).byte(0).u32(0); // i32.store / i32.store8
        else w.byte(t === Val.I64 ? 0x37 : 0x39).byte(3).u32(8);
        return;
      }
      case 3:
        this.#expr(Val.I32, 2);
        w.byte(0x24).u32(0); // global.set
        return;
      case 4: {
        this.#expr(this.#randomType(), 2);
        w.byte(0x1a); // drop
        return;
      }
      case 5:
        this.#expr(Val.I32, 2);
        w.byte(0x04).byte(Val.Empty);
        this.#statements(depth - 1, loops);
        if (r.below(2)) {
          w.byte(0x05);
          this.#statements(depth - 1, loops);
        }
        w.byte(0x0b);
        return;
      case 6: {
        const t = this.#randomType();
        this.#expr(Val.I32, 2);
        w.byte(0x04).byte(t);
        this.#expr(t, 2);
        w.byte(0x05);
        this.#expr(t, 2);
        w.byte(0x0b).byte(0x21).u32(this.#local(t));
        return;
      }
      case 7:
        w.byte(0x02).byte(Val.Empty);
        this.#statements(depth - 1, loops);
        this.#expr(Val.I32, 2);
        w.byte(0x0d).u32(0); // br_if 0
        this.#statements(depth - 1, loops);
        w.byte(0x0b);
        return;
      case 8: // block with a result and a value-carrying br_if
        w.byte(0x02).byte(Val.I32);
        this.#expr(Val.I32, 2);
        this.#expr(Val.I32, 2);
        w.byte(0x0d).u32(0).byte(0x1a);
        this.#expr(Val.I32, 2);
        w.byte(0x0b).byte(0x21).u32(this.#local(Val.I32));
        return;
      case 9: { // bounded loop on a dedicated counter local
        if (loops >= this.#counters.length) return this.#statement(0, loops);
        const counter = this.#counters[loops];
        w.byte(0x41).s32(2 + r.below(5)).byte(0x21).u32(counter);
        w.byte(0x03).byte(Val.Empty);
        this.#statements(depth - 1, loops + 1);
        w.byte(0x20).u32(counter).byte(0x41).s32(1).byte(0x6b).byte(0x22).u32(counter).byte(0x0d).u32(0);
        w.byte(0x0b);
        return;
      }
      case 10: { // switch: three nested blocks left by br_table
        w.byte(0x02).byte(Val.Empty).byte(0x02).byte(Val.Empty).byte(0x02).byte(Val.Empty);
        this.#expr(Val.I32, 2);
        w.byte(0x0e).u32(3).u32(0).u32(1).u32(2).u32(2);
        w.byte(0x0b);
        this.#statements(depth - 1, loops);
        w.byte(0x0b);
        this.#statements(depth - 1, loops);
        w.byte(0x0b);
        return;
      }
      case 11: {
        if (this.#callable.length === 0) return this.#statement(0, loops);
        // Call one of the most recent functions, so call targets spread over the whole module.
        const target = this.#callable.length - 1 - r.below(Math.min(500, this.#callable.length));
        const sig = SIGNATURES[this.#callable[target]];
        for (const p of sig.params) this.#expr(p, 1);
        w.byte(0x10).u32(target).byte(0x21).u32(this.#local(sig.result));
        return;
      }
      default: {
        if (r.below(2)) { // call_indirect through the table
          const typeIndex = r.below(SIGNATURES.length);
          const sig = SIGNATURES[typeIndex];
          for (const p of sig.params) this.#expr(p, 1);
          this.#expr(Val.I32, 1);
          w.byte(0x41).s32(TABLE_SIZE - 1).byte(0x71);
          w.byte(0x11).u32(typeIndex).byte(0);
          w.byte(0x21).u32(this.#local(sig.result));
        } else { // early return
          this.#expr(Val.I32, 1);
          w.byte(0x04).byte(Val.Empty);
          this.#expr(this.#result, 2);
          w.byte(0x0f).byte(0x0b);
        }
        return;
      }
    }
  }

  #statements(depth: number, loops: number): void {
    const count = 1 + this.#rng.below(3);
    for (let i = 0; i < count; i++) this.#statement(depth, loops);
  }
}

/** Builds the module. Takes a fraction of a second per MB. */
export function generateBigModule(options: BigModuleOptions): BigModule {
  const rng = new Rng(options.seed ?? 0x5eed);
  const types: number[] = [];
  const code = new ByteWriter();
  const gen = new BodyGenerator(rng, types);
  let bodies = 0;
  while (code.length < options.targetCodeBytes) {
    const typeIndex = rng.below(SIGNATURES.length);
    const body = gen.generate(typeIndex, 300 + rng.below(2500));
    code.u32(body.length).bytes(body);
    types.push(typeIndex);
    bodies++;
  }
  // entry: () -> i32 { i32.const SALT (padded to 5 bytes); global.get 0; i32.add }
  const entryIndex = bodies;
  const entry = [0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x23, 0x00, 0x6a, 0x0b];
  const entryBody = new ByteWriter().u32(entry.length).bytes(entry);
  const saltInBody = entryBody.length - entry.length + 2;
  types.push(ENTRY_TYPE);

  const module = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, build: (s: ByteWriter) => void) => {
    const s = new ByteWriter();
    build(s);
    module.byte(id).sized(s);
  };
  section(Section.Type, (s) => {
    s.u32(SIGNATURES.length + 1);
    for (const sig of SIGNATURES) {
      s.byte(0x60).u32(sig.params.length).bytes(sig.params).u32(1).byte(sig.result);
    }
    s.byte(0x60).u32(0).u32(1).byte(Val.I32);
  });
  section(Section.Function, (s) => {
    s.u32(types.length);
    for (const t of types) s.u32(t);
  });
  section(Section.Table, (s) => s.u32(1).byte(Val.FuncRef).byte(0).u32(TABLE_SIZE));
  section(Section.Memory, (s) => s.u32(1).byte(0).u32(1));
  section(Section.Global, (s) => {
    s.u32(2);
    s.byte(Val.I32).byte(1).byte(0x41).s32(0).byte(0x0b);
    s.byte(Val.I64).byte(1).byte(0x42).s32(7).byte(0x0b);
  });
  section(Section.Export, (s) => {
    s.u32(2);
    s.name("entry").byte(0).u32(entryIndex);
    s.name("memory").byte(2).u32(0);
  });
  section(Section.Element, (s) => {
    const count = Math.min(TABLE_SIZE, bodies);
    s.u32(1).byte(0).byte(0x41).s32(0).byte(0x0b).u32(count);
    for (let i = 0; i < count; i++) s.u32(i);
  });
  const codeStart = new ByteWriter().u32(types.length);
  const codeBytes = codeStart.length + code.length + entryBody.length;
  module.byte(Section.Code).u32(codeBytes).bytes(codeStart.view()).bytes(code.view());
  const saltOffset = module.length + saltInBody;
  module.bytes(entryBody.view());
  return { bytes: module.view().slice(), codeBytes, functionCount: types.length, saltOffset };
}

/** A copy of the module whose `entry` returns a different constant: defeats compile caches. */
export function withSalt(big: BigModule, salt: number): Uint8Array<ArrayBuffer> {
  const copy = big.bytes.slice();
  patchPaddedS32(copy, big.saltOffset, salt & 0x7fffffff);
  return copy;
}
