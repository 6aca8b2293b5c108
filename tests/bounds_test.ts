/**
 * Every bounds check of the engine at its exact edge, on both tiers and against V8: for each access,
 * the last valid position works and the first invalid one traps, with the spec's message ("out of
 * bounds memory access", "out of bounds table access", "undefined element", …; V8 words its own
 * differently, so V8 is only required to trap with its equivalent). Covered:
 *
 * - loads and stores of every width (8/16/32/64, f32/f64, every v128 form) with offsets, the address
 *   as a local, as `base + constant` (which wraps like the `i32.add` it is), as `base + index`, and
 *   as a constant; the interpreter's fused forms (float arithmetic on a loaded value, read-modify-
 *   write, multiply-add, stores of arithmetic, load + compare + branch);
 * - memories grown since the last call: by `memory.grow` in one call, by `Memory.grow` from JS between
 *   calls, inside the same function (by `memory.grow`, by a host import, through `call_indirect`);
 * - memory.fill/copy/init and data segments (active at instantiation, passive), zero lengths at the
 *   end included, and nothing written by an access that traps;
 * - table.get/set/grow/fill/copy/init, elem.drop, call_indirect, element segments;
 * - the JS API's Memory and Table objects (grow, get, set).
 *
 * After every step the memories of the three engines are compared byte for byte.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import type { EngineOptions } from "../mod.ts";
import { wat } from "./wat.ts";
import { SCALAR_LOADS, SCALAR_STORES } from "./fused_harness.ts";

const PAGE = 65536;

// ---- three engines, one script ----

interface Namespace {
  Module: new (bytes: Uint8Array, options?: EngineOptions) => object;
  Instance: new (module: object, imports?: object, options?: EngineOptions) => { exports: Exports };
  Memory: new (d: object) => MemoryLike;
  Table: new (d: object, v?: unknown) => TableLike;
  RuntimeError: new () => Error;
}
interface MemoryLike {
  buffer: ArrayBuffer;
  grow(n: number): number;
}
interface TableLike {
  length: number;
  get(i: number): unknown;
  set(i: number, v?: unknown): void;
  grow(n: number, v?: unknown): number;
}
type Exports = Record<string, unknown>;

interface Engine {
  label: string;
  ns: Namespace;
  options?: EngineOptions;
  v8: boolean;
}

const ENGINES: Engine[] = [
  { label: "V8", ns: globalThis.WebAssembly as unknown as Namespace, v8: true },
  { label: "JS tier", ns: W as unknown as Namespace, options: { tierUp: 0 }, v8: false },
  { label: "interpreter", ns: W as unknown as Namespace, options: { jit: false }, v8: false },
];

/** The spec's trap messages, and how V8 words each. */
const V8_WORDING: Record<string, RegExp> = {
  "out of bounds memory access": /memory access out of bounds|data segment \d+ is out of bounds/,
  "out of bounds table access":
    /table index is out of bounds|element segment out of bounds|table .*out of bounds/,
  "undefined element": /table index is out of bounds/,
  "uninitialized element": /null function/,
  "indirect call type mismatch": /function signature mismatch/,
};
const OOB = "out of bounds memory access";
const TOOB = "out of bounds table access";

type Outcome = { ok: unknown } | { trap: string } | { error: string };

function attempt(engine: Engine, f: () => unknown): Outcome {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof engine.ns.RuntimeError) return { trap: (e as Error).message };
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function show(o: Outcome): string {
  if ("ok" in o) return `ok ${fmt(o.ok)}`;
  return "trap" in o ? `trap "${o.trap}"` : `error ${o.error}`;
}

function fmt(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (Array.isArray(v)) return `[${v.map(fmt).join(", ")}]`;
  if (typeof v === "function") return "function";
  return String(v);
}

/** `ok` (any value, the same on every engine), a value, a trap's spec message, or a JS error class. */
type Expect = "ok" | { value: unknown } | { trap: string } | { throws: "RangeError" | "TypeError" };

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  return Object.is(a, b);
}

/** Checks one step's outcomes (in ENGINES order) against `expect` and against each other. */
function judge(outcomes: Outcome[], expect: Expect, what: string): void {
  const [v8, ...ours] = outcomes;
  const table = ENGINES.map((e, i) => `${e.label}: ${show(outcomes[i])}`).join("; ");
  const where = `${what} (${table})`;
  if (expect === "ok" || "value" in expect) {
    assert.ok("ok" in v8, `V8 should succeed: ${where}`);
    if (typeof expect === "object") assert.ok(sameValue(v8.ok, expect.value), `V8's value: ${where}`);
    for (const o of ours) {
      assert.ok("ok" in o, `should succeed: ${where}`);
      assert.ok(sameValue(o.ok, v8.ok), `same value as V8: ${where}`);
    }
  } else if ("trap" in expect) {
    assert.ok("trap" in v8 && V8_WORDING[expect.trap].test(v8.trap), `V8 should trap: ${where}`);
    for (const o of ours) {
      assert.ok("trap" in o && o.trap === expect.trap, `should trap "${expect.trap}": ${where}`);
    }
  } else {
    for (const o of outcomes) {
      assert.ok(
        "error" in o && o.error.startsWith(`${expect.throws}:`),
        `should throw ${expect.throws}: ${where}`,
      );
    }
  }
}

/** Byte-for-byte equality of the engines' memories (the first difference reported). */
function sameMemories(mems: (MemoryLike | undefined)[], what: string): void {
  if (!mems[0]) return;
  const ref = new Uint8Array(mems[0].buffer);
  for (let i = 1; i < mems.length; i++) {
    const m = new Uint8Array(mems[i]!.buffer);
    assert.equal(m.length, ref.length, `${ENGINES[i].label}: memory size after ${what}`);
    for (let j = 0; j < ref.length; j++) {
      if (m[j] !== ref[j]) {
        assert.fail(`${ENGINES[i].label}: byte ${j} is ${m[j]}, V8 has ${ref[j]}, after ${what}`);
      }
    }
  }
}

type Step =
  | { call: string; args?: unknown[]; expect: Expect }
  | { js: string; run: (x: Exports) => unknown; expect: Expect };

interface Scenario {
  bytes: Uint8Array<ArrayBuffer>;
  /** Imports, given the instance's exports once they exist (for hosts that grow its memory). */
  imports?: (exports: () => Exports, ns: Namespace) => object;
  /** Writes a byte pattern over the exported memory "mem" first (default true). */
  pattern?: boolean;
  steps: Step[];
}

function pattern(mem: MemoryLike): void {
  const b = new Uint8Array(mem.buffer);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 17) & 255;
}

/** Runs the steps on the three engines side by side. */
function play(name: string, s: Scenario): void {
  const instances = ENGINES.map((e) => {
    let exports: Exports = {};
    const imports = s.imports?.(() => exports, e.ns) ?? {};
    exports = new e.ns.Instance(new e.ns.Module(s.bytes, e.options), imports, e.options).exports;
    const mem = exports.mem as MemoryLike | undefined;
    if (mem && s.pattern !== false) pattern(mem);
    return exports;
  });
  const mems = () => instances.map((x) => x.mem as MemoryLike | undefined);
  for (const step of s.steps) {
    const what = "call" in step
      ? `${name}: ${step.call}(${(step.args ?? []).map(fmt).join(", ")})`
      : `${name}: ${step.js}`;
    const outcomes = instances.map((x, i) =>
      attempt(ENGINES[i], () => {
        if ("run" in step) return step.run(x);
        return (x[step.call] as (...a: unknown[]) => unknown)(...(step.args ?? []));
      })
    );
    judge(outcomes, step.expect, what);
    sameMemories(mems(), what);
  }
}

/** Instantiation on the three engines: it works, or traps with `trap` (spec text). */
function instantiates(
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  expect: Expect,
  imports?: (ns: Namespace) => object,
) {
  const outcomes = ENGINES.map((e) =>
    attempt(
      e,
      () => void new e.ns.Instance(new e.ns.Module(bytes, e.options), imports?.(e.ns) ?? {}, e.options),
    )
  );
  judge(outcomes, expect, name);
}

const ok: Expect = "ok";
const trap = (message: string): Expect => ({ trap: message });
const value = (v: unknown): Expect => ({ value: v });

// ---- loads and stores of every width ----

interface Access {
  op: string;
  width: number;
  /** Scalar result/operand type, or "v128". */
  type: "i32" | "i64" | "f32" | "f64" | "v128";
  store: boolean;
  /** Lane immediate of the v128 lane forms. */
  lane?: number;
}

const SCALAR: Access[] = [...SCALAR_LOADS, ...SCALAR_STORES].map(([op, width, type]) => ({
  op: op as string,
  width: width as number,
  type: type as Access["type"],
  store: (op as string).includes("store"),
}));

const VECTOR: Access[] = [
  ["v128.load", 16],
  ["v128.load8x8_s", 8],
  ["v128.load8x8_u", 8],
  ["v128.load16x4_s", 8],
  ["v128.load16x4_u", 8],
  ["v128.load32x2_s", 8],
  ["v128.load32x2_u", 8],
  ["v128.load8_splat", 1],
  ["v128.load16_splat", 2],
  ["v128.load32_splat", 4],
  ["v128.load64_splat", 8],
  ["v128.load32_zero", 4],
  ["v128.load64_zero", 8],
  ["v128.load8_lane", 1, 15],
  ["v128.load16_lane", 2, 7],
  ["v128.load32_lane", 4, 3],
  ["v128.load64_lane", 8, 1],
  ["v128.store", 16],
  ["v128.store8_lane", 1, 15],
  ["v128.store16_lane", 2, 7],
  ["v128.store32_lane", 4, 3],
  ["v128.store64_lane", 8, 1],
].map(([op, width, lane]) => ({
  op: op as string,
  width: width as number,
  type: "v128" as const,
  store: (op as string).includes("store"),
  lane: lane as number | undefined,
}));

const CONSTANT: Record<Access["type"], string> = {
  i32: "(i32.const 0x5a6b7c8d)",
  i64: "(i64.const 0x0102030405060708)",
  f32: "(f32.const -1.5)",
  f64: "(f64.const 3.25)",
  v128: "(v128.const i64x2 0x1112131415161718 0x2122232425262728)",
};

/**
 * The access with `addr` as its address operand: a load returns its value (a v128 as its two i64
 * lanes), a store stores a constant and returns nothing; `value` replaces the stored constant.
 */
function access(a: Access, offset: number, addr: string, value?: string): string {
  const imm = `offset=${offset}${a.lane !== undefined ? ` ${a.lane}` : ""}`;
  const vec = CONSTANT.v128;
  if (a.store) return `(${a.op} ${imm} ${addr} ${value ?? CONSTANT[a.type]})`;
  const load = a.lane !== undefined ? `(${a.op} ${imm} ${addr} ${vec})` : `(${a.op} ${imm} ${addr})`;
  if (a.type !== "v128") return load;
  return `(local.set $v ${load}) (i64x2.extract_lane 0 (local.get $v)) (i64x2.extract_lane 1 (local.get $v))`;
}

function resultOf(a: Access): string {
  if (a.store) return "";
  return a.type === "v128" ? "(result i64 i64) (local $v v128)" : `(result ${a.type})`;
}

/** Reads the value a store test passes for a local-valued store. */
const PARAM_VALUE: Record<Access["type"], unknown> = {
  i32: -2023406815,
  i64: -2n,
  f32: 0.25,
  f64: -0.125,
  v128: 0,
};

function accessModule(a: Access, offset: number, pages: number): Uint8Array<ArrayBuffer> {
  const size = pages * PAGE;
  const last = size - a.width - offset; // the last valid effective base address (may be negative)
  const r = resultOf(a);
  const valueParam = a.store && a.type !== "v128" ? `(param $x ${a.type})` : "";
  const fns = [
    `(func (export "plain") (param $a i32) ${r} ${access(a, offset, "(local.get $a)")})`,
    `(func (export "addk") (param $a i32) ${r} ${
      access(a, offset, "(i32.add (local.get $a) (i32.const 8))")
    })`,
    `(func (export "indexed") (param $a i32) (param $b i32) ${r} ${
      access(a, offset, "(i32.add (local.get $a) (local.get $b))")
    })`,
    // constant addresses: the last valid one, the first invalid one, and 0
    `(func (export "constLast") ${r} ${access(a, offset, `(i32.const ${last >= 0 ? last : 0})`)})`,
    `(func (export "constFirstBad") ${r} ${access(a, offset, `(i32.const ${(last + 1) | 0})`)})`,
  ];
  if (valueParam) {
    fns.push(
      `(func (export "fromLocal") (param $a i32) ${valueParam} ${
        access(a, offset, "(local.get $a)", "(local.get $x)")
      })`,
    );
  }
  return wat(`(module (memory (export "mem") ${pages}) ${fns.join("\n")})`);
}

/** The steps that probe one access at the edges of a memory of `pages` pages. */
function accessSteps(a: Access, offset: number, pages: number): Step[] {
  const size = pages * PAGE;
  const last = size - a.width - offset;
  const fits = last >= 0;
  const at = (expectOk: boolean): Expect => (expectOk ? ok : trap(OOB));
  const steps: Step[] = [
    { call: "plain", args: [last], expect: at(fits) },
    { call: "plain", args: [last + 1], expect: trap(OOB) },
    { call: "plain", args: [0], expect: at(fits) },
    { call: "plain", args: [-1], expect: trap(OOB) }, // 0xffffffff: unsigned, never wraps to 0
    { call: "plain", args: [-0x80000000], expect: trap(OOB) },
    // base + 8, wrapping as i32.add does: -8 + 8 = 0 is valid, -9 + 8 = 0xffffffff is not
    { call: "addk", args: [last - 8], expect: at(fits) },
    { call: "addk", args: [last - 7], expect: trap(OOB) },
    { call: "addk", args: [-8], expect: at(fits) },
    { call: "addk", args: [-9], expect: trap(OOB) },
    { call: "indexed", args: [last - 8, 8], expect: at(fits) },
    { call: "indexed", args: [8, last - 7], expect: trap(OOB) },
    { call: "indexed", args: [-1, 1], expect: at(fits) },
    { call: "indexed", args: [-1, 0], expect: trap(OOB) },
    { call: "constLast", expect: at(fits) },
    { call: "constFirstBad", expect: trap(OOB) },
  ];
  if (a.store && a.type !== "v128") {
    steps.push(
      { call: "fromLocal", args: [last, PARAM_VALUE[a.type]], expect: at(fits) },
      { call: "fromLocal", args: [last + 1, PARAM_VALUE[a.type]], expect: trap(OOB) },
    );
  }
  return steps;
}

/** Offsets: none, odd (unaligned), most of a page, and one that no address can survive. */
const OFFSETS = [0, 7, 60000, 0xffffffff];

for (const [group, list] of [["scalar", SCALAR], ["v128", VECTOR]] as const) {
  Deno.test({
    name:
      `bounds: ${group} loads and stores of every width, every offset, at the last valid and first invalid address`,
    fn() {
      for (const a of list) {
        for (const offset of OFFSETS) {
          play(`${a.op} offset=${offset}`, {
            bytes: accessModule(a, offset, 1),
            steps: accessSteps(a, offset, 1),
          });
        }
      }
    },
  });
}

Deno.test({
  name: "bounds: a memory of 0 pages admits no access at all",
  fn() {
    for (const a of [...SCALAR, VECTOR[0], VECTOR[7]]) {
      play(`${a.op} in 0 pages`, { bytes: accessModule(a, 0, 0), steps: accessSteps(a, 0, 0) });
    }
    const bytes = wat(`(module (memory (export "mem") 0)
      (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
      (func (export "size") (result i32) memory.size))`);
    play("memory.fill in 0 pages", {
      bytes,
      steps: [
        { call: "size", expect: value(0) },
        { call: "fill", args: [0, 0], expect: ok },
        { call: "fill", args: [0, 1], expect: trap(OOB) },
        { call: "fill", args: [1, 0], expect: trap(OOB) },
      ],
    });
  },
});

// ---- memories that grew since the last call ----

function growModule(a: Access): Uint8Array<ArrayBuffer> {
  const r = resultOf(a);
  const at = (addr: string) => access(a, 7, addr);
  return wat(
    `(module
      (import "js" "grow" (func $hostGrow))
      (memory (export "mem") 1 4)
      (table funcref (elem $hostGrow))
      (func (export "at") (param $a i32) ${r} ${at("(local.get $a)")})
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "growThenAt") (param $a i32) ${r} (drop (memory.grow (i32.const 1))) ${
      at("(local.get $a)")
    })
      (func (export "hostGrowThenAt") (param $a i32) ${r} (call $hostGrow) ${at("(local.get $a)")})
      (func (export "indirectGrowThenAt") (param $a i32) ${r} (call_indirect (i32.const 0)) ${
      at("(local.get $a)")
    }))`,
  );
}

/** A host import that grows the instance's memory by one page from JS. */
const growingHost = (exports: () => Exports) => ({
  js: { grow: () => void (exports().mem as MemoryLike).grow(1) },
});

for (const [group, list] of [["scalar", SCALAR], ["v128", VECTOR]] as const) {
  Deno.test({
    name:
      `bounds: ${group} accesses see a memory grown by memory.grow, by Memory.grow from JS, and by a host inside the call`,
    fn() {
      for (const a of list) {
        const last = (pages: number) => pages * PAGE - a.width - 7;
        const bytes = growModule(a);
        play(`${a.op} after growth between calls`, {
          bytes,
          imports: growingHost,
          steps: [
            { call: "at", args: [last(1)], expect: ok },
            { call: "at", args: [last(1) + 1], expect: trap(OOB) },
            // memory.grow in one call, the new last byte in the next one
            { call: "grow", args: [1], expect: value(1) },
            { call: "at", args: [last(1) + 1], expect: ok },
            { call: "at", args: [last(2)], expect: ok },
            { call: "at", args: [last(2) + 1], expect: trap(OOB) },
            // Memory.grow from JS between calls
            { js: "mem.grow(1)", run: (x) => (x.mem as MemoryLike).grow(1), expect: value(2) },
            { call: "at", args: [last(3)], expect: ok },
            { call: "at", args: [last(3) + 1], expect: trap(OOB) },
            // memory.grow inside the function, before the access
            { call: "growThenAt", args: [last(4)], expect: ok },
            { call: "at", args: [last(4) + 1], expect: trap(OOB) },
            // at the maximum: memory.grow fails, the size stays
            { call: "growThenAt", args: [last(4) + 1], expect: trap(OOB) },
            { call: "grow", args: [0], expect: value(4) },
          ],
        });
        play(`${a.op} after growth by a host inside the call`, {
          bytes,
          imports: growingHost,
          steps: [
            { call: "at", args: [last(1) + 1], expect: trap(OOB) },
            { call: "hostGrowThenAt", args: [last(2)], expect: ok },
            { call: "hostGrowThenAt", args: [last(3) + 1], expect: trap(OOB) }, // grew to 3 pages only
            { call: "indirectGrowThenAt", args: [last(4)], expect: ok },
            { call: "at", args: [last(4) + 1], expect: trap(OOB) },
          ],
        });
      }
    },
  });
}

Deno.test({
  name: "bounds: maxMemoryPages caps growth; the capped size is the bound",
  fn() {
    const bytes = wat(`(module (memory (export "mem") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "at") (param i32) (result i32) (i32.load8_u (local.get 0))))`);
    for (const options of [{ maxMemoryPages: 2 }, { maxMemoryPages: 2, jit: false }]) {
      const x = new W.Instance(new W.Module(bytes), {}, options).exports as Record<
        string,
        (n: number) => number
      >;
      assert.equal(x.grow(1), 1);
      assert.equal(x.grow(1), -1);
      assert.equal(x.at(2 * PAGE - 1), 0);
      assert.throws(() => x.at(2 * PAGE), (e: unknown) => e instanceof W.RuntimeError && e.message === OOB);
      assert.throws(() => (x.mem as unknown as MemoryLike).grow(1), RangeError);
      assert.equal(x.grow(0), 2);
    }
  },
});

// ---- the interpreter's fused memory forms (and the JS tier on the same code) ----

Deno.test({
  name: "bounds: float arithmetic on a loaded value, read-modify-write, multiply-add and stored arithmetic",
  fn() {
    for (const t of ["f64", "f32"] as const) {
      const w = t === "f64" ? 8 : 4;
      const last = PAGE - w - 3; // every access below has offset=3 (multiply-add's b: offset=5)
      const lastB = PAGE - w - 5;
      const fns: string[] = [];
      const steps: Step[] = [];
      for (const op of ["add", "sub", "mul", "div"]) {
        const load = (addr = "(local.get $a)") => `(${t}.load offset=3 ${addr})`;
        fns.push(
          // x OP mem, mem OP x, mem OP constant, x OP mem[base + 8]
          `(func (export "${op}Right") (param $a i32) (param $x ${t}) (result ${t})
            (${t}.${op} (local.get $x) ${load()}))`,
          `(func (export "${op}Left") (param $a i32) (param $x ${t}) (result ${t})
            (${t}.${op} ${load()} (local.get $x)))`,
          `(func (export "${op}Const") (param $a i32) (result ${t}) (${t}.${op} ${load()} (${t}.const 2)))`,
          `(func (export "${op}Addk") (param $a i32) (param $x ${t}) (result ${t})
            (${t}.${op} (local.get $x) ${load("(i32.add (local.get $a) (i32.const 8))")}))`,
          // mem[a] = mem[a] OP x, mem[a] = x OP mem[a]
          `(func (export "${op}RmwLeft") (param $a i32) (param $x ${t})
            (${t}.store offset=3 (local.get $a) (${t}.${op} ${load()} (local.get $x))))`,
          `(func (export "${op}RmwRight") (param $a i32) (param $x ${t})
            (${t}.store offset=3 (local.get $a) (${t}.${op} (local.get $x) ${load()})))`,
          // mem[a] = x OP y
          `(func (export "${op}Store") (param $a i32) (param $x ${t}) (param $y ${t})
            (${t}.store offset=3 (local.get $a) (${t}.${op} (local.get $x) (local.get $y))))`,
        );
        steps.push(
          { call: `${op}Right`, args: [last, 1.5], expect: ok },
          { call: `${op}Right`, args: [last + 1, 1.5], expect: trap(OOB) },
          { call: `${op}Left`, args: [last, 1.5], expect: ok },
          { call: `${op}Left`, args: [last + 1, 1.5], expect: trap(OOB) },
          { call: `${op}Const`, args: [last], expect: ok },
          { call: `${op}Const`, args: [last + 1], expect: trap(OOB) },
          { call: `${op}Addk`, args: [last - 8, 1.5], expect: ok },
          { call: `${op}Addk`, args: [last - 7, 1.5], expect: trap(OOB) },
          { call: `${op}Addk`, args: [-8, 1.5], expect: ok },
          { call: `${op}RmwLeft`, args: [last, 0.5], expect: ok },
          { call: `${op}RmwLeft`, args: [last + 1, 0.5], expect: trap(OOB) },
          { call: `${op}RmwRight`, args: [last, 2], expect: ok },
          { call: `${op}RmwRight`, args: [last + 1, 2], expect: trap(OOB) },
          { call: `${op}RmwRight`, args: [-1, 2], expect: trap(OOB) },
          { call: `${op}Store`, args: [last, 1, 2], expect: ok },
          { call: `${op}Store`, args: [last + 1, 1, 2], expect: trap(OOB) },
        );
      }
      // c[i] += y * b[j]: b is checked (and read) first, then c
      fns.push(`(func (export "mulAdd") (param $c i32) (param $b i32) (param $y ${t})
        (${t}.store offset=3 (local.get $c)
          (${t}.add (${t}.mul (local.get $y) (${t}.load offset=5 (local.get $b))) (${t}.load offset=3 (local.get $c)))))`);
      steps.push(
        { call: "mulAdd", args: [last, lastB, 3], expect: ok },
        { call: "mulAdd", args: [last + 1, 0, 3], expect: trap(OOB) },
        { call: "mulAdd", args: [0, lastB + 1, 3], expect: trap(OOB) },
        { call: "mulAdd", args: [last + 1, lastB + 1, 3], expect: trap(OOB) },
        { call: "mulAdd", args: [-1, 0, 3], expect: trap(OOB) },
      );
      play(`${t} fused forms`, { bytes: wat(`(module (memory (export "mem") 1) ${fns.join("\n")})`), steps });
    }
  },
});

Deno.test({
  name: "bounds: stores to base + constant with a local or constant value",
  fn() {
    for (
      const [op, w, t] of [
        ["i32.store", 4, "i32"],
        ["i64.store", 8, "i64"],
        ["i32.store8", 1, "i32"],
        [
          "i32.store16",
          2,
          "i32",
        ],
        ["f64.store", 8, "f64"],
        ["f32.store", 4, "f32"],
      ] as const
    ) {
      const bytes = wat(`(module (memory (export "mem") 1)
        (func (export "local") (param $a i32) (param $v ${t})
          (${op} offset=3 (i32.add (local.get $a) (i32.const 4)) (local.get $v)))
        (func (export "const") (param $a i32)
          (${op} offset=3 (i32.add (local.get $a) (i32.const 4)) (${t}.const 99))))`);
      const last = PAGE - w - 3 - 4;
      const v = t === "i64" ? -5n : 7;
      play(`${op} to base + 4`, {
        bytes,
        steps: [
          { call: "local", args: [last, v], expect: ok },
          { call: "local", args: [last + 1, v], expect: trap(OOB) },
          { call: "local", args: [-4, v], expect: ok },
          { call: "const", args: [last], expect: ok },
          { call: "const", args: [last + 1], expect: trap(OOB) },
          { call: "const", args: [-5], expect: trap(OOB) },
        ],
      });
    }
  },
});

Deno.test({
  name: "bounds: load + compare + branch, for every comparison, against a constant and a local",
  fn() {
    const ops = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
    // `x = load(…); if (x OP …)`: the load's value goes to a local that the comparison tests.
    const test = (cmp: string, addr: string, b: string, swapped = false) => {
      const x = `(local.tee $x (i32.load offset=3 ${addr}))`;
      return `(if (result i32) (i32.${cmp} ${swapped ? `${b} ${x}` : `${x} ${b}`})
        (then (i32.const 1)) (else (i32.const 0)))`;
    };
    const a = "(local.get $a)", addk = "(i32.add (local.get $a) (i32.const 8))";
    const fns = ops.flatMap((cmp) => [
      `(func (export "${cmp}_imm") (param $a i32) (result i32) (local $x i32)
        ${test(cmp, a, "(i32.const 0x40000000)")})`,
      `(func (export "${cmp}_reg") (param $a i32) (param $n i32) (result i32) (local $x i32)
        ${test(cmp, a, "(local.get $n)")})`,
      `(func (export "${cmp}_swapped") (param $a i32) (param $n i32) (result i32) (local $x i32)
        ${test(cmp, a, "(local.get $n)", true)})`,
      `(func (export "${cmp}_addk") (param $a i32) (result i32) (local $x i32)
        ${test(cmp, addk, "(i32.const 7)")})`,
      // a scan loop, set then tested
      `(func (export "${cmp}_loop") (param $a i32) (result i32) (local $x i32) (local $i i32)
        (block $out (loop $scan
          (local.set $x (i32.load offset=3 (local.get $a)))
          (br_if $out (i32.${cmp} (local.get $x) (i32.const 7)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $scan (i32.lt_u (local.get $i) (i32.const 2)))))
        (local.get $i))`,
    ]);
    const bytes = wat(`(module (memory (export "mem") 1) ${fns.join("\n")})`);
    const last = PAGE - 4 - 3;
    const steps: Step[] = ops.flatMap((cmp): Step[] => [
      { call: `${cmp}_imm`, args: [last], expect: ok },
      { call: `${cmp}_imm`, args: [last + 1], expect: trap(OOB) },
      { call: `${cmp}_reg`, args: [last, 0x12345678], expect: ok },
      { call: `${cmp}_reg`, args: [last + 1, 0x12345678], expect: trap(OOB) },
      { call: `${cmp}_swapped`, args: [last, -5], expect: ok },
      { call: `${cmp}_swapped`, args: [last + 1, -5], expect: trap(OOB) },
      { call: `${cmp}_addk`, args: [last - 8], expect: ok },
      { call: `${cmp}_addk`, args: [last - 7], expect: trap(OOB) },
      { call: `${cmp}_addk`, args: [-8], expect: ok },
      { call: `${cmp}_loop`, args: [last], expect: ok },
      { call: `${cmp}_loop`, args: [last + 1], expect: trap(OOB) },
    ]);
    play("load + compare + branch", { bytes, steps });
  },
});

// ---- bulk memory and data segments ----

const BULK = `(module
  (memory (export "mem") 1 2)
  (data $hello "hello")
  (data (i32.const 65531) "edge!")
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 0xab) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $hello (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $hello))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0))))`;

Deno.test({
  name: "bounds: memory.fill, memory.copy and memory.init at the exact ends, zero lengths included",
  fn() {
    const E = PAGE;
    play("bulk memory", {
      bytes: wat(BULK),
      pattern: false, // the active segment's bytes stay where instantiation put them
      steps: [
        // the active data segment ends exactly at the end of memory
        { call: "byte", args: [E - 1], expect: value("!".charCodeAt(0)) },
        { call: "byte", args: [E - 5], expect: value("e".charCodeAt(0)) },
        // fill
        { call: "fill", args: [E - 1, 1], expect: ok },
        { call: "fill", args: [E - 1, 2], expect: trap(OOB) },
        { call: "fill", args: [E - 3, 4], expect: trap(OOB) }, // writes nothing (memories compared)
        { call: "fill", args: [E, 0], expect: ok },
        { call: "fill", args: [E + 1, 0], expect: trap(OOB) },
        { call: "fill", args: [0, E], expect: ok },
        { call: "fill", args: [1, E], expect: trap(OOB) },
        { call: "fill", args: [0, -1], expect: trap(OOB) },
        { call: "fill", args: [-1, 1], expect: trap(OOB) },
        // init from the passive segment ("hello", 5 bytes)
        { call: "init", args: [E - 5, 0, 5], expect: ok },
        { call: "byte", args: [E - 1], expect: value("o".charCodeAt(0)) },
        { call: "init", args: [E - 4, 0, 5], expect: trap(OOB) },
        { call: "init", args: [0, 1, 5], expect: trap(OOB) },
        { call: "init", args: [0, 5, 0], expect: ok },
        { call: "init", args: [0, 6, 0], expect: trap(OOB) },
        { call: "init", args: [E, 0, 0], expect: ok },
        { call: "init", args: [E + 1, 0, 0], expect: trap(OOB) },
        { call: "init", args: [10, 2, 3], expect: ok },
        // copy: both ends, both directions, overlapping at the end
        { call: "copy", args: [E - 2, 10, 2], expect: ok },
        { call: "copy", args: [E - 1, 10, 2], expect: trap(OOB) },
        { call: "copy", args: [10, E - 1, 2], expect: trap(OOB) },
        { call: "copy", args: [E - 8, E - 10, 10], expect: trap(OOB) },
        { call: "copy", args: [E - 10, E - 8, 8], expect: ok },
        { call: "copy", args: [E - 8, E - 10, 8], expect: ok },
        { call: "copy", args: [E, 0, 0], expect: ok },
        { call: "copy", args: [0, E, 0], expect: ok },
        { call: "copy", args: [E + 1, 0, 0], expect: trap(OOB) },
        { call: "copy", args: [0, E + 1, 0], expect: trap(OOB) },
        { call: "copy", args: [0, 0, -1], expect: trap(OOB) },
        // after growth the new end is the bound, for all three
        { call: "grow", args: [1], expect: value(1) },
        { call: "fill", args: [2 * E - 1, 1], expect: ok },
        { call: "fill", args: [2 * E - 1, 2], expect: trap(OOB) },
        { call: "copy", args: [2 * E - 4, 0, 4], expect: ok },
        { call: "copy", args: [2 * E - 3, 0, 4], expect: trap(OOB) },
        { call: "init", args: [2 * E - 5, 0, 5], expect: ok },
        { call: "init", args: [2 * E - 4, 0, 5], expect: trap(OOB) },
        // a dropped segment has length 0
        { call: "drop", expect: ok },
        { call: "init", args: [0, 0, 0], expect: ok },
        { call: "init", args: [2 * E, 0, 0], expect: ok },
        { call: "init", args: [0, 0, 1], expect: trap(OOB) },
        { call: "init", args: [0, 1, 0], expect: trap(OOB) },
        { call: "drop", expect: ok },
        // and Memory.grow from JS moves the bound as well
        { js: "mem.grow(0)", run: (x) => (x.mem as MemoryLike).grow(0), expect: value(2) },
        { call: "fill", args: [2 * E, 0], expect: ok },
        { call: "fill", args: [2 * E, 1], expect: trap(OOB) },
      ],
    });
  },
});

Deno.test({
  name: "bounds: active data segments at instantiation, at the exact end and one past it",
  fn() {
    const mod = (data: string) => wat(`(module (memory 1) ${data})`);
    instantiates("data ending at the end", mod(`(data (i32.const 65533) "abc")`), ok);
    instantiates("data one past the end", mod(`(data (i32.const 65534) "abc")`), trap(OOB));
    instantiates("empty data at the end", mod(`(data (i32.const 65536) "")`), ok);
    instantiates("empty data past the end", mod(`(data (i32.const 65537) "")`), trap(OOB));
    instantiates("data at 0xffffffff", mod(`(data (i32.const -1) "x")`), trap(OOB));
    instantiates("data at 0x80000000", mod(`(data (i32.const 0x80000000) "")`), trap(OOB));
    const viaGlobal = wat(`(module (import "m" "off" (global i32)) (memory 1) (data (global.get 0) "xy"))`);
    instantiates("data at an imported global's offset", viaGlobal, trap(OOB), () => ({ m: { off: 65535 } }));
    instantiates("data at an imported global's offset", viaGlobal, ok, () => ({ m: { off: 65534 } }));

    // Segments apply in order: those before the failing one stay written (seen in an imported memory).
    const bytes = wat(`(module (import "m" "mem" (memory 1))
      (data (i32.const 0) "first") (data (i32.const 65535) "xy") (data (i32.const 10) "never"))`);
    const seen = ENGINES.map((e) => {
      const mem = new e.ns.Memory({ initial: 1 });
      const o = attempt(
        e,
        () => new e.ns.Instance(new e.ns.Module(bytes, e.options), { m: { mem } }, e.options),
      );
      const b = new Uint8Array(mem.buffer);
      return {
        trapped: "trap" in o,
        head: String.fromCharCode(...b.subarray(0, 5)),
        at10: b[10],
        last: b[65535],
      };
    });
    for (const s of seen) assert.deepEqual(s, { trapped: true, head: "first", at10: 0, last: 0 });
  },
});

// ---- tables ----

const TABLES = `(module
  (type $v (func (result i32)))
  (table $t (export "t") 4 8 funcref)
  (func $f0 (export "f0") (result i32) i32.const 100)
  (func $f1 (result i32) i32.const 101)
  (func $f2 (result i32) i32.const 102)
  (func $wrong (param i32))
  (elem $seg func $f0 $f1 $f2)
  ;; funcref values to store: [f0, f1, f2] (under function references a ref.func is typed more narrowly)
  (table $fns funcref (elem $f0 $f1 $f2))
  ;; active, ending exactly at the end of the table: [null, f1, f2, wrong]
  (elem (table $t) (i32.const 1) func $f1 $f2 $wrong)
  (func (export "call") (param i32) (result i32) (call_indirect $t (type $v) (local.get 0)))
  (func (export "isNull") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set") (param i32) (table.set $t (local.get 0) (table.get $fns (i32.const 0))))
  (func (export "setNull") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "size") (result i32) (table.size $t))
  (func (export "grow") (param i32) (result i32) (table.grow $t (table.get $fns (i32.const 1)) (local.get 0)))
  (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (table.get $fns (i32.const 2)) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (table.init $t $seg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (elem.drop $seg)))`;

/** What each entry of the table does when called: the value, or the trap; one string per entry. */
function tableState(x: Exports): string {
  const t = x.t as TableLike;
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    try {
      out.push(String((x.call as (i: number) => number)(i)));
    } catch (e) {
      out.push(
        (e as Error).message.includes("null") || (e as Error).message.includes("uninitialized")
          ? "null"
          : "bad",
      );
    }
  }
  return out.join(" ");
}

const state = (expected: string): Step => ({ js: "table state", run: tableState, expect: value(expected) });

Deno.test({
  name:
    "bounds: call_indirect, table.get/set/fill/copy/init/grow at the last valid index and the first invalid",
  fn() {
    play("tables", {
      bytes: wat(TABLES),
      steps: [
        state("null 101 102 bad"),
        { call: "size", expect: value(4) },
        // call_indirect: each failure its own trap
        { call: "call", args: [1], expect: value(101) },
        { call: "call", args: [0], expect: trap("uninitialized element") },
        { call: "call", args: [3], expect: trap("indirect call type mismatch") },
        { call: "call", args: [4], expect: trap("undefined element") },
        { call: "call", args: [-1], expect: trap("undefined element") },
        // get / set
        { call: "isNull", args: [3], expect: value(0) },
        { call: "isNull", args: [0], expect: value(1) },
        { call: "isNull", args: [4], expect: trap(TOOB) },
        { call: "isNull", args: [-1], expect: trap(TOOB) },
        { call: "set", args: [3], expect: ok },
        { call: "set", args: [4], expect: trap(TOOB) },
        state("null 101 102 100"),
        // fill
        { call: "fill", args: [3, 1], expect: ok },
        { call: "fill", args: [4, 0], expect: ok },
        { call: "fill", args: [5, 0], expect: trap(TOOB) },
        { call: "fill", args: [2, 3], expect: trap(TOOB) },
        { call: "fill", args: [0, -1], expect: trap(TOOB) },
        state("null 101 102 102"), // the failed fills wrote nothing
        { call: "setNull", args: [3], expect: ok },
        // copy
        { call: "copy", args: [2, 0, 2], expect: ok },
        state("null 101 null 101"),
        { call: "copy", args: [3, 0, 2], expect: trap(TOOB) },
        { call: "copy", args: [0, 3, 2], expect: trap(TOOB) },
        { call: "copy", args: [4, 0, 0], expect: ok },
        { call: "copy", args: [0, 4, 0], expect: ok },
        { call: "copy", args: [5, 0, 0], expect: trap(TOOB) },
        { call: "copy", args: [0, 5, 0], expect: trap(TOOB) },
        { call: "copy", args: [1, 0, 3], expect: ok }, // overlapping, backwards
        state("null null 101 null"),
        // init from the passive segment [f0, f1, f2]
        { call: "init", args: [1, 0, 3], expect: ok },
        state("null 100 101 102"),
        { call: "init", args: [2, 0, 3], expect: trap(TOOB) },
        { call: "init", args: [0, 1, 3], expect: trap(TOOB) },
        { call: "init", args: [4, 3, 0], expect: ok },
        { call: "init", args: [5, 0, 0], expect: trap(TOOB) },
        { call: "init", args: [0, 4, 0], expect: trap(TOOB) },
        state("null 100 101 102"),
        { call: "drop", expect: ok },
        { call: "init", args: [0, 0, 0], expect: ok },
        { call: "init", args: [0, 0, 1], expect: trap(TOOB) },
        // grow: in one call, the new entries usable in the next
        { call: "grow", args: [3], expect: value(4) },
        { call: "size", expect: value(7) },
        { call: "call", args: [6], expect: value(101) },
        { call: "call", args: [7], expect: trap("undefined element") },
        { call: "isNull", args: [7], expect: trap(TOOB) },
        { call: "grow", args: [2], expect: value(-1) }, // past the maximum of 8
        { call: "grow", args: [1], expect: value(7) },
        { call: "grow", args: [0], expect: value(8) },
        { call: "grow", args: [1], expect: value(-1) },
        { call: "fill", args: [8, 0], expect: ok },
        { call: "fill", args: [7, 2], expect: trap(TOOB) },
        state("null 100 101 102 101 101 101 101"),
      ],
    });
  },
});

Deno.test({
  name: "bounds: a table grown or changed by the JS API between calls",
  fn() {
    play("tables through the JS API", {
      bytes: wat(TABLES),
      steps: [
        {
          js: "t.get(3) is a function",
          run: (x) => typeof (x.t as TableLike).get(3),
          expect: value("function"),
        },
        { js: "t.get(0)", run: (x) => (x.t as TableLike).get(0), expect: value(null) },
        { js: "t.get(4)", run: (x) => (x.t as TableLike).get(4), expect: { throws: "RangeError" } },
        {
          js: "t.set(4, null)",
          run: (x) => (x.t as TableLike).set(4, null),
          expect: { throws: "RangeError" },
        },
        { js: "t.grow(1)", run: (x) => (x.t as TableLike).grow(1), expect: value(4) },
        { call: "call", args: [4], expect: trap("uninitialized element") },
        { call: "call", args: [5], expect: trap("undefined element") },
        { call: "isNull", args: [4], expect: value(1) },
        { js: "t.set(4, f0)", run: (x) => (x.t as TableLike).set(4, x.f0), expect: ok },
        { call: "call", args: [4], expect: value(100) },
        { js: "t.grow(3, f0)", run: (x) => (x.t as TableLike).grow(3, x.f0), expect: value(5) },
        { call: "call", args: [7], expect: value(100) },
        {
          js: "t.grow(1) past the maximum",
          run: (x) => (x.t as TableLike).grow(1),
          expect: { throws: "RangeError" },
        },
        { js: "t.length", run: (x) => (x.t as TableLike).length, expect: value(8) },
        {
          js: "t.get(7) calls f0",
          run: (x) => ((x.t as TableLike).get(7) as () => number)(),
          expect: value(100),
        },
        { js: "t.get(8)", run: (x) => (x.t as TableLike).get(8), expect: { throws: "RangeError" } },
        { call: "size", expect: value(8) },
      ],
    });
  },
});

Deno.test({
  name: "bounds: active element segments at instantiation, at the exact end and one past it",
  fn() {
    const mod = (elems: string) => wat(`(module (table 2 funcref) (func $f) ${elems})`);
    instantiates("elements ending at the end", mod(`(elem (i32.const 1) func $f)`), ok);
    instantiates("elements one past the end", mod(`(elem (i32.const 1) func $f $f)`), trap(TOOB));
    instantiates("empty elements at the end", mod(`(elem (i32.const 2) func)`), ok);
    instantiates("empty elements past the end", mod(`(elem (i32.const 3) func)`), trap(TOOB));
    instantiates("elements at 0xffffffff", mod(`(elem (i32.const -1) func $f)`), trap(TOOB));
    instantiates(
      "expression elements past the end",
      mod(`(elem (i32.const 2) funcref (ref.null func))`),
      trap(TOOB),
    );

    // In order: element segments before the failing one stay applied, and no data segment is.
    const bytes = wat(`(module (import "m" "t" (table 2 funcref)) (import "m" "mem" (memory 1)) (func $f)
      (elem (i32.const 0) func $f) (elem (i32.const 2) func $f) (data (i32.const 0) "x"))`);
    for (const e of ENGINES) {
      const t = new e.ns.Table({ element: "anyfunc", initial: 2 }), mem = new e.ns.Memory({ initial: 1 });
      const o = attempt(
        e,
        () => new e.ns.Instance(new e.ns.Module(bytes, e.options), { m: { t, mem } }, e.options),
      );
      assert.ok("trap" in o, `${e.label}: traps`);
      assert.equal(typeof t.get(0), "function", `${e.label}: the first segment was applied`);
      assert.equal(t.get(1), null, e.label);
      assert.equal(new Uint8Array(mem.buffer)[0], 0, `${e.label}: no data segment was applied`);
    }
  },
});

// ---- the JS API's own bounds ----

Deno.test({
  name: "bounds: Memory.grow and Table.get/set/grow from JS at their limits, as V8",
  fn() {
    const cases: [string, (ns: Namespace) => unknown, Expect][] = [
      ["Memory grow to the maximum", (ns) => new ns.Memory({ initial: 1, maximum: 3 }).grow(2), value(1)],
      ["Memory grow past the maximum", (ns) => new ns.Memory({ initial: 1, maximum: 3 }).grow(3), {
        throws: "RangeError",
      }],
      [
        "Memory grow by 0 at the maximum",
        (ns) => new ns.Memory({ initial: 3, maximum: 3 }).grow(0),
        value(3),
      ],
      ["Memory grow past 65536 pages", (ns) => new ns.Memory({ initial: 1 }).grow(65536), {
        throws: "RangeError",
      }],
      ["Memory buffer after grow", (ns) => {
        const m = new ns.Memory({ initial: 0, maximum: 2 });
        m.grow(2);
        return m.buffer.byteLength;
      }, value(2 * PAGE)],
      [
        "Table get at length - 1",
        (ns) => new ns.Table({ element: "anyfunc", initial: 3 }).get(2),
        value(null),
      ],
      ["Table get at length", (ns) => new ns.Table({ element: "anyfunc", initial: 3 }).get(3), {
        throws: "RangeError",
      }],
      ["Table set at length", (ns) => new ns.Table({ element: "externref", initial: 3 }).set(3, 1), {
        throws: "RangeError",
      }],
      ["Table set at length - 1", (ns) => {
        const t = new ns.Table({ element: "externref", initial: 3 });
        t.set(2, "x");
        return t.get(2);
      }, value("x")],
      [
        "Table grow to the maximum",
        (ns) => new ns.Table({ element: "anyfunc", initial: 1, maximum: 4 }).grow(3),
        value(
          1,
        ),
      ],
      [
        "Table grow past the maximum",
        (ns) => new ns.Table({ element: "anyfunc", initial: 1, maximum: 4 }).grow(4),
        {
          throws: "RangeError",
        },
      ],
      ["Table get past 2^32", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get(2 ** 32), {
        throws: "TypeError",
      }],
      ["Table get at -1", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get(-1), {
        throws: "TypeError",
      }],
    ];
    for (const [what, run, expect] of cases) {
      judge(ENGINES.map((e) => attempt(e, () => run(e.ns))), expect, what);
    }
  },
});
