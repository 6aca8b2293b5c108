/**
 * The WebAssembly JS API as wasmrun implements it: the same script must behave the same with our
 * namespace and with the built-in one, so most checks run against both engines.
 */
import assert from "node:assert/strict";
import { install, InternalError, WebAssembly as Ours } from "../mod.ts";
import { compileInfo } from "../src/api/module.ts";
import { wat } from "./wat.ts";

type Api = typeof globalThis.WebAssembly;
const engines: [string, Api][] = [["wasmrun", Ours as unknown as Api], ["v8", globalThis.WebAssembly]];

function both(name: string, fn: (W: Api) => void | Promise<void>) {
  for (const [engine, W] of engines) Deno.test({ name: `${name} (${engine})`, fn: () => fn(W) });
}

const ARITH = `(module
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "f32id") (param f32) (result f32) local.get 0)
  (func (export "pair") (param i32) (result i32 f64) local.get 0 local.get 0 f64.convert_i32_s)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))`;

both("i64 crosses as BigInt, f32 is rounded, multi-value returns an array", (W) => {
  const inst = new W.Instance(new W.Module(wat(ARITH)));
  const e = inst.exports as Record<string, (...a: unknown[]) => unknown>;
  assert.equal(e.add64(2n ** 63n - 1n, 1n), -(2n ** 63n));
  assert.throws(() => e.add64(1, 2), TypeError);
  assert.equal(e.f32id(0.1), Math.fround(0.1));
  assert.deepEqual(e.pair(7), [7, 7]);
  assert.throws(() => e.div(1, 0), W.RuntimeError);
});

both("Memory.grow replaces buffer and detaches the old one", (W) => {
  const mem = new W.Memory({ initial: 1, maximum: 3 });
  const old = mem.buffer;
  assert.equal(old.byteLength, 65536);
  assert.equal(mem.grow(1), 1);
  assert.equal(old.byteLength, 0);
  assert.equal(mem.buffer.byteLength, 131072);
  assert.throws(() => mem.grow(5), RangeError);
});

both("memory.grow inside wasm is visible through the exported Memory", (W) => {
  const inst = new W.Instance(
    new W.Module(wat(`(module (memory (export "m") 1 4)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))`)),
  );
  const m = inst.exports.m as WebAssembly.Memory;
  const before = m.buffer;
  assert.equal((inst.exports.grow as (n: number) => number)(2), 1);
  assert.equal(before.byteLength, 0);
  assert.equal(m.buffer.byteLength, 3 * 65536);
  assert.equal((inst.exports.grow as (n: number) => number)(2), -1);
});

both("Table and Global objects, shared between JS and instances", (W) => {
  const g = new W.Global({ value: "i64", mutable: true }, 5n);
  const t = new W.Table({ element: "anyfunc", initial: 2 });
  const inst = new W.Instance(
    new W.Module(wat(`(module
      (import "env" "g" (global $g (mut i64)))
      (import "env" "t" (table 2 funcref))
      (func $seven (result i32) i32.const 7)
      (elem (i32.const 1) func $seven)
      (func (export "bump") global.get $g i64.const 1 i64.add global.set $g)
      (func (export "callAt") (param i32) (result i32) local.get 0 call_indirect (result i32)))`)),
    { env: { g, t } },
  );
  const e = inst.exports as Record<string, (...a: unknown[]) => unknown>;
  e.bump();
  assert.equal(g.value, 6n);
  const seven = t.get(1) as () => number;
  assert.equal(seven(), 7);
  assert.equal(t.get(1), seven, "the same function object every time");
  t.set(0, seven);
  assert.equal(e.callAt(0), 7);
  t.set(0, null);
  assert.throws(() => e.callAt(0), W.RuntimeError);
  assert.throws(() => t.set(0, () => 1), TypeError);
  const immutable = new W.Global({ value: "i32" }, 1);
  assert.throws(() => {
    immutable.value = 2;
  }, TypeError);
});

both("JS imports, exported functions imported by another instance, and re-entrancy", (W) => {
  const calls: number[] = [];
  const lib = new W.Instance(
    new W.Module(
      wat(`(module (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul))`),
    ),
  );
  const text = `(module
    (import "js" "log" (func $log (param i32) (result i32)))
    (import "lib" "double" (func $double (param i32) (result i32)))
    (func (export "run") (param i32) (result i32)
      local.get 0 call $double call $log)
    (func (export "fact") (param i32) (result i32)
      local.get 0 i32.eqz if (result i32) i32.const 1 else local.get 0 local.get 0 i32.const 1 i32.sub call $log i32.mul end))`;
  const late: { fact?: (n: number) => number } = {};
  const log = (x: number) => {
    calls.push(x);
    // re-enter wasm from JS: fact recurses through this host function
    if (x === 0) return 1;
    return x < 5 ? late.fact!(x) : x;
  };
  const inst = new W.Instance(new W.Module(wat(text)), { js: { log }, lib: lib.exports });
  late.fact = inst.exports.fact as (n: number) => number;
  assert.equal((inst.exports.run as (n: number) => number)(21), 42);
  assert.equal((inst.exports.fact as (n: number) => number)(5), 120);
  assert.deepEqual(calls, [42, 4, 3, 2, 1, 0]);
});

both("instantiate overloads, compile, validate, Module reflection", async (W) => {
  const plain = wat(`(module (import "a" "b" (func)) (memory (export "mem") 1) (func (export "f")))`);
  // append a custom section "hello" holding "xyz"
  const custom = [0, 9, 5, ...new TextEncoder().encode("helloxyz")];
  const bytes = new Uint8Array([...plain, ...custom]);
  assert.equal(W.validate(bytes), true);
  assert.equal(W.validate(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0])), false);
  const { module, instance } = await W.instantiate(bytes, { a: { b: () => {} } });
  assert.ok(module instanceof W.Module);
  assert.ok(instance instanceof W.Instance);
  const again = await W.instantiate(await W.compile(bytes), { a: { b: () => {} } });
  assert.ok(again instanceof W.Instance);
  assert.deepEqual(W.Module.imports(module), [{ module: "a", name: "b", kind: "function" }]);
  assert.deepEqual(W.Module.exports(module), [{ name: "mem", kind: "memory" }, {
    name: "f",
    kind: "function",
  }]);
  const [section] = W.Module.customSections(module, "hello");
  assert.deepEqual([...new Uint8Array(section)], [120, 121, 122]);
  await assert.rejects(() => W.instantiate(bytes, {}), TypeError);
  await assert.rejects(() => W.instantiate(bytes, { a: { b: 1 } }), W.LinkError);
  await assert.rejects(() => W.compile(new Uint8Array([1, 2, 3])), W.CompileError);
});

both("a trap in the start function fails instantiation with RuntimeError", (W) => {
  const bytes = wat(`(module (func $s unreachable) (start $s))`);
  assert.throws(() => new W.Instance(new W.Module(bytes)), W.RuntimeError);
});

Deno.test({
  name: "CompileError carries the byte offset",
  fn() {
    const bytes = wat(`(module (func (result i32) i32.const 1))`);
    const broken = bytes.slice(0, bytes.length - 1);
    try {
      new Ours.Module(broken);
      assert.fail("should not compile");
    } catch (e) {
      assert.ok(e instanceof Ours.CompileError);
      assert.match((e as Error).message, /offset 0x[0-9a-f]+/);
    }
  },
});

Deno.test({
  name: "a trap carries wasm frames with names from the name section",
  fn() {
    const bytes = wat(`(module
    (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
    (func $outer (export "outer") (param i32) (result i32) local.get 0 call $inner))`);
    const inst = new Ours.Instance(new Ours.Module(bytes));
    try {
      (inst.exports.outer as (n: number) => number)(1);
      assert.fail("should trap");
    } catch (e) {
      assert.ok(e instanceof Ours.RuntimeError);
      assert.equal((e as Error).message, "integer divide by zero");
      const frames = (e as { wasmFrames?: { name?: string; offset?: number }[] }).wasmFrames!;
      assert.deepEqual(frames.map((f) => f.name), ["inner", "outer"]);
      assert.ok(frames.every((f) => typeof f.offset === "number" && f.offset > 0));
    }
  },
});

both("instantiateStreaming and compileStreaming take a fetch Response", async (W) => {
  const bytes = wat(`(module (func (export "seven") (result i32) i32.const 7))`);
  const response = () => new Response(bytes, { headers: { "content-type": "application/wasm" } });
  const { instance } = await W.instantiateStreaming(response(), {});
  assert.equal((instance.exports.seven as () => number)(), 7);
  const module = await W.compileStreaming(Promise.resolve(response()));
  assert.equal(Object.prototype.toString.call(module), "[object WebAssembly.Module]");
});

both("an externref keeps undefined and null apart, through params, locals, tables and globals", (W) => {
  const inst = new W.Instance(
    new W.Module(wat(`(module
      (func (export "id") (param externref) (result externref) local.get 0)
      (func (export "fresh") (result externref) (local externref) local.get 0)
      (table (export "t") 2 externref)
      (func (export "put") (param externref) i32.const 1 local.get 0 table.set 0)
      (func (export "at") (result externref) i32.const 1 table.get 0)
      (global (export "g") (mut externref) (ref.null extern)))`)),
  );
  const e = inst.exports as Record<string, (...a: unknown[]) => unknown>;
  const t = inst.exports.t as WebAssembly.Table, g = inst.exports.g as WebAssembly.Global;
  assert.equal(e.id(undefined), undefined);
  assert.equal(e.id(null), null);
  assert.equal(e.fresh(), null);
  e.put(undefined);
  assert.equal(e.at(), undefined);
  assert.equal(t.get(1), undefined);
  assert.equal(t.get(0), null);
  g.value = undefined;
  assert.equal(g.value, undefined);
});

Deno.test("Module: bytes must be a buffer, a module argument a Module (TypeError, as V8)", () => {
  for (const ns of [Ours, WebAssembly] as const) {
    assert.throws(() => new ns.Module("\0asm" as unknown as ArrayBuffer), TypeError);
    assert.throws(() => ns.Module.imports({} as WebAssembly.Module), TypeError);
    assert.throws(() => ns.Module.exports(null as unknown as WebAssembly.Module), TypeError);
  }
});

Deno.test("compiling: an exception that is not a refusal of the bytes is an InternalError, never a CompileError", () => {
  // Not bytes at all, past the API's own check: the decoder fails on it with a TypeError of its own.
  let err: unknown;
  try {
    compileInfo(null as unknown as Uint8Array);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof InternalError && !(err instanceof Ours.CompileError));
  assert.equal(err.name, "InternalError");
  assert.ok(err.cause instanceof TypeError);
  assert.match(
    err.message,
    /^wasmrun internal error while compiling a module: TypeError: .* \(a bug in wasmrun, not in the module: please report it, with the module\)$/,
  );
  const thrown = new InternalError("lowering", "a string");
  assert.equal(thrown.message.split(":")[1].trim(), "non-Error thrown");
  assert.match(thrown.message, /non-Error thrown: a string/);
  const hostile = {
    toString() {
      throw new Error("no");
    },
  };
  assert.match(new InternalError("lowering", hostile).message, /while lowering: non-Error thrown \(a bug/);
});

Deno.test({
  name: "imports with 0 to 8 parameters of every type get their arguments, on both tiers, as V8",
  fn() {
    const types = ["i32", "i64", "f32", "f64", "externref", "i32", "f64", "i64"];
    const values = [
      "(i32.const -7)",
      "(i64.const -0x123456789)",
      "(f32.const 1.5)",
      "(f64.const -0.25)",
      "(local.get 0)",
      "(i32.const 0x7fffffff)",
      "(f64.const 1e300)",
      "(i64.const 5)",
    ];
    const imports = types.map((_, n) =>
      `(import "js" "h${n}" (func $h${n} ${n ? `(param ${types.slice(0, n).join(" ")})` : ""}))`
    ).join("\n");
    const calls = types.map((_, n) => `(call $h${n} ${values.slice(0, n).join(" ")})`).join(" ");
    const bytes = wat(`(module ${imports} (func $h8 (import "js" "h8") (param ${types.join(" ")}))
      (func (export "run") (param externref) ${calls} (call $h8 ${values.join(" ")})))`);
    type Make = (js: WebAssembly.ModuleImports) => Record<string, unknown>;
    const run = (make: Make) => {
      const seen: string[] = [];
      const record = (n: number) => (...args: unknown[]) => {
        seen.push(`${n}: ${args.map((a) => typeof a === "bigint" ? `${a}n` : String(a)).join(" ")}`);
      };
      const js = Object.fromEntries(Array.from({ length: 9 }, (_, n) => [`h${n}`, record(n)]));
      (make(js).run as (x: unknown) => void)("ref");
      return seen;
    };
    const v8 = run((js) => new WebAssembly.Instance(new WebAssembly.Module(bytes), { js }).exports);
    assert.equal(v8.at(-1), "8: -7 -4886718345n 1.5 -0.25 ref 2147483647 1e+300 5n");
    assert.deepEqual(run((js) => new Ours.Instance(new Ours.Module(bytes), { js }).exports), v8);
    assert.deepEqual(
      run((js) => new Ours.Instance(new Ours.Module(bytes), { js }, { jit: false }).exports),
      v8,
    );
  },
});

Deno.test({
  name: "a trap's backtrace keeps the innermost 1,000 frames, on both tiers",
  fn() {
    const bytes = wat(`(module (func $down (export "down") (param i32)
      (if (i32.eqz (local.get 0)) (then unreachable))
      (call $down (i32.sub (local.get 0) (i32.const 1)))))`);
    for (const jit of [true, false]) {
      const down = new Ours.Instance(new Ours.Module(bytes), {}, { jit }).exports.down as (n: number) => void;
      for (const [depth, frames] of [[998, 999], [999, 1000], [1500, 1000]]) {
        try {
          down(depth);
          assert.fail("should trap");
        } catch (e) {
          assert.equal((e as Error).message, "unreachable");
          const got = (e as { wasmFrames?: { name?: string }[] }).wasmFrames!;
          assert.equal(got.length, frames, `jit ${jit}, depth ${depth}`);
          assert.ok(got.every((f) => f.name === "down"));
        }
      }
    }
  },
});

Deno.test({
  name: "a function with v128 in its signature cannot be called from JS (TypeError, as V8)",
  fn() {
    const bytes = wat(
      `(module
        (global $ran (export "ran") (mut i32) (i32.const 0))
        (func (export "takes") (param v128) (global.set $ran (i32.const 1)))
        (func (export "gives") (result v128) (global.set $ran (i32.const 2)) (v128.const i32x4 1 2 3 4))
        (func (export "plain") (result i32) (i32.const 7)))`,
    );
    for (const ns of [Ours, WebAssembly] as const) {
      const exports = new ns.Instance(new ns.Module(bytes)).exports;
      const x = exports as Record<string, (...a: unknown[]) => unknown>;
      assert.throws(() => x.takes(0), TypeError);
      assert.throws(() => x.gives(), TypeError);
      // Refused before it runs: the body never started.
      assert.equal((exports.ran as WebAssembly.Global).value, 0);
      assert.equal(x.plain(), 7);
    }
  },
});

Deno.test({
  name: "v128 locals start at zero in every lane on the interpreter, whatever the frame's slots held",
  fn() {
    const bytes = wat(
      `(module
        (func (export "dirty") (local v128) (local.set 0 (v128.const i32x4 -1 -1 -1 -1)))
        (func (export "lanes") (result i32 i32 i32 i32) (local v128)
          (i32x4.extract_lane 0 (local.get 0)) (i32x4.extract_lane 1 (local.get 0))
          (i32x4.extract_lane 2 (local.get 0)) (i32x4.extract_lane 3 (local.get 0))))`,
    );
    for (const jit of [false, true]) {
      const x = new Ours.Instance(new Ours.Module(bytes), {}, { jit }).exports as Record<
        string,
        () => unknown
      >;
      x.dirty(); // leaves -1 in the slots the next call's local takes
      assert.deepEqual(x.lanes(), [0, 0, 0, 0], `jit ${jit}`);
    }
  },
});

Deno.test("Module.customSections: the name is required, as the built-in's (undefined too); others become strings", () => {
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 0, 6, 4, 110, 117, 108, 108, 7]); // a "null" section
  for (const api of [Ours, WebAssembly] as unknown as (typeof WebAssembly)[]) {
    const m = new api.Module(bytes);
    const customSections = api.Module.customSections as (...args: unknown[]) => ArrayBuffer[];
    assert.throws(() => customSections(m), TypeError);
    assert.throws(() => customSections(m, undefined), TypeError);
    assert.equal(customSections(m, null).length, 1);
    assert.equal(customSections(m, "x").length, 0);
  }
});

Deno.test("install() makes the global WebAssembly ours for glue code, and its result puts the built-in back", async () => {
  const builtin = globalThis.WebAssembly;
  const uninstall = install();
  try {
    assert.equal(globalThis.WebAssembly, Ours as unknown as typeof WebAssembly);
    assert.equal(Object.getOwnPropertyDescriptor(globalThis, "WebAssembly")?.enumerable, false);
    // Glue written for the global: it now runs on wasmrun.
    const { instance } = await globalThis.WebAssembly.instantiate(
      wat(`(module (func (export "f") (result i32) i32.const 7))`),
    );
    assert.ok(instance instanceof Ours.Instance);
    assert.equal((instance.exports.f as () => number)(), 7);
  } finally {
    uninstall();
  }
  assert.equal(globalThis.WebAssembly, builtin);
});
