/**
 * `lowering: "eager"` prepares every function of the instance at instantiation: on the JS tier each
 * is compiled to JS (`jitCounts.compiled` counts them, each function instance holds its code), and a
 * function the JS tier cannot take is lowered to threaded code instead; with `jit: false` each is
 * lowered. `"lazy"` (the default) does neither until a function's first call. Observed through the
 * function instances behind exported functions (`funcOfJs`) and the JS tier's counters.
 */
import assert from "node:assert/strict";
import { fuelConsumed, type Instance, WebAssembly as W } from "../mod.ts";
import type { EngineOptions } from "../mod.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import { DEFAULT_TIER_UP, type WasmFunc } from "../src/runtime/objects.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { wat } from "./wat.ts";

/** Three exported functions and one that is only called (never exported), plus an import. */
const TEXT = `(module
  (import "js" "f" (func $imported (result i32)))
  (func $hidden (result i32) i32.const 40)
  (func (export "a") (result i32) call $hidden i32.const 2 i32.add)
  (func (export "b") (result i32) call $imported)
  (func (export "c") (param i32) (result i32) local.get 0 i32.const 1 i32.shl))`;

const DEFINED = 4; // $hidden, a, b, c

function funcOf(f: unknown): WasmFunc {
  return funcOfJs.get(f as object) as WasmFunc;
}

/** The module's own (defined) function instances, in index order (made now if not used yet: that prepares nothing). */
function defined(inst: Instance): WasmFunc[] {
  const state = funcOf(inst.exports.a).inst;
  const first = state.module.importedFuncCount;
  return state.module.funcs.map((_, i) => state.func(first + i) as WasmFunc);
}

const imports = { js: { f: () => 7 } };

/** Functions compiled to JS (`jit` a function) and lowered (`code` set) so far. */
function prepared(inst: Instance): { compiled: number; lowered: number } {
  const fs = defined(inst);
  assert.equal(fs.length, DEFINED);
  return {
    compiled: fs.filter((f) => typeof f.jit === "function").length,
    lowered: fs.filter((f) => f.code !== null).length,
  };
}

function make(options: EngineOptions, on: "module" | "instance" = "instance"): Instance {
  const bytes = wat(TEXT);
  if (on === "module") return new W.Instance(new W.Module(bytes, options), imports);
  return new W.Instance(new W.Module(bytes), imports, options);
}

Deno.test({
  name: "lowering eager (JS tier): every defined function is compiled to JS at instantiation",
  fn() {
    const before = jitCounts.compiled;
    const inst = make({ lowering: "eager" });
    // All four, the unexported $hidden included, before any call; the import is not ours to compile.
    assert.equal(jitCounts.compiled - before, DEFINED);
    assert.deepEqual(prepared(inst), { compiled: DEFINED, lowered: 0 });
    // Calls compile nothing more, and the code runs.
    assert.equal((inst.exports.a as () => number)(), 42);
    assert.equal((inst.exports.b as () => number)(), 7);
    assert.equal((inst.exports.c as (x: number) => number)(21), 42);
    assert.equal(jitCounts.compiled - before, DEFINED);
  },
});

Deno.test({
  name: "lowering lazy (JS tier at the first call): nothing is compiled until a function's first call",
  fn() {
    for (const options of [{ tierUp: 0 }, { lowering: "lazy" as const, tierUp: 0 }]) {
      const before = jitCounts.compiled;
      const inst = make(options);
      assert.equal(jitCounts.compiled - before, 0);
      assert.deepEqual(prepared(inst), { compiled: 0, lowered: 0 });
      // a() compiles a and $hidden (its callee); b and c stay untouched.
      assert.equal((inst.exports.a as () => number)(), 42);
      assert.equal(jitCounts.compiled - before, 2);
      assert.deepEqual(prepared(inst), { compiled: 2, lowered: 0 });
      assert.equal(typeof funcOf(inst.exports.c).jit, "undefined");
      assert.equal((inst.exports.c as (x: number) => number)(2), 4);
      assert.equal(jitCounts.compiled - before, 3);
    }
  },
});

Deno.test({
  name: "lowering lazy (tiering by heat): a first call lowers what it runs; compiling waits until it is hot",
  fn() {
    const before = jitCounts.compiled;
    // The default budget, flat (this module is small enough to compile at the first call by default).
    const inst = make({ tierUp: DEFAULT_TIER_UP });
    assert.deepEqual(prepared(inst), { compiled: 0, lowered: 0 });
    assert.equal((inst.exports.a as () => number)(), 42); // a and $hidden, once each: cold
    assert.deepEqual(prepared(inst), { compiled: 0, lowered: 2 });
    for (let i = 0; i < 150; i++) assert.equal((inst.exports.a as () => number)(), 42);
    assert.deepEqual(prepared(inst), { compiled: 0, lowered: 2 }); // 151 calls at 100 heat each: still cold
    // The budget, 20,000, is spent at the 200th call.
    for (let i = 0; i < 60; i++) assert.equal((inst.exports.a as () => number)(), 42);
    assert.deepEqual(prepared(inst), { compiled: 2, lowered: 2 });
    assert.equal(jitCounts.compiled - before, 2);
  },
});

Deno.test({
  name: "lowering eager (interpreter): every defined function is lowered at instantiation, lazy lowers none",
  fn() {
    const before = jitCounts.compiled;
    const eager = make({ lowering: "eager", jit: false });
    assert.deepEqual(prepared(eager), { compiled: 0, lowered: DEFINED });
    assert.equal(jitCounts.compiled - before, 0);
    assert.equal((eager.exports.a as () => number)(), 42);

    const lazy = make({ jit: false });
    assert.deepEqual(prepared(lazy), { compiled: 0, lowered: 0 });
    assert.equal((lazy.exports.c as (x: number) => number)(5), 10);
    assert.deepEqual(prepared(lazy), { compiled: 0, lowered: 1 });
    assert.equal((lazy.exports.a as () => number)(), 42);
    assert.deepEqual(prepared(lazy), { compiled: 0, lowered: 3 });
  },
});

Deno.test({
  name: "lowering eager given to the Module applies at instantiation; the Instance's option overrides it",
  fn() {
    const before = jitCounts.compiled;
    const inst = make({ lowering: "eager" }, "module");
    assert.equal(jitCounts.compiled - before, DEFINED);
    assert.deepEqual(prepared(inst), { compiled: DEFINED, lowered: 0 });
    const overridden = new W.Instance(new W.Module(wat(TEXT), { lowering: "eager" }), imports, {
      lowering: "lazy",
    });
    assert.deepEqual(prepared(overridden), { compiled: 0, lowered: 0 });
    const interp = make({ lowering: "eager", jit: false }, "module");
    assert.deepEqual(prepared(interp), { compiled: 0, lowered: DEFINED });
  },
});

Deno.test({
  name: "lowering eager through instantiate(); it runs no code and charges no fuel",
  async fn() {
    const before = jitCounts.compiled;
    const { instance } = await W.instantiate(wat(TEXT), imports, { lowering: "eager", fuel: 100 });
    assert.equal(jitCounts.compiled - before, DEFINED);
    assert.equal(fuelConsumed(instance), 0);
    // a (4) + $hidden (2): a: call, i32.const, i32.add, end; $hidden: i32.const, end.
    assert.equal((instance.exports.a as () => number)(), 42);
    assert.equal(fuelConsumed(instance), 6);
  },
});

/** A function nested 600 blocks deep: too deep for the JS tier (its limit is 500), fine lowered. */
function deepModule(): Uint8Array<ArrayBuffer> {
  const depth = 600;
  let body = "";
  for (let i = 0; i < depth; i++) body += "block ";
  body += "i32.const 42 return ";
  for (let i = 0; i < depth; i++) body += "end ";
  return wat(`(module
    (func (export "deep") (result i32) ${body} i32.const 0)
    (func (export "flat") (result i32) i32.const 1))`);
}

Deno.test({
  name:
    "lowering eager (JS tier): a function the JS tier cannot take is known unsupported and lowered at instantiation",
  fn() {
    const bytes = deepModule();
    const compiled = jitCounts.compiled, unsupported = jitCounts.unsupported;
    const inst = new W.Instance(new W.Module(bytes), {}, { lowering: "eager" });
    assert.equal(jitCounts.unsupported - unsupported, 1);
    assert.equal(jitCounts.compiled - compiled, 1);
    const deep = funcOf(inst.exports.deep), flat = funcOf(inst.exports.flat);
    assert.equal(deep.jit, null); // tried, left to the interpreter
    assert.notEqual(deep.code, null); // and lowered already
    assert.equal(typeof flat.jit, "function");
    assert.equal(flat.code, null);
    assert.equal((inst.exports.deep as () => number)(), 42);
    assert.equal(jitCounts.unsupported - unsupported, 1); // not tried again

    // Lazily, the attempt (and the lowering) waits for the first call.
    const lazy = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 });
    assert.equal(jitCounts.unsupported - unsupported, 1);
    assert.equal(funcOf(lazy.exports.deep).code, null);
    assert.equal((lazy.exports.deep as () => number)(), 42);
    assert.equal(jitCounts.unsupported - unsupported, 2);
    assert.notEqual(funcOf(lazy.exports.deep).code, null);
  },
});

Deno.test({
  name: "block types that name a type index of two LEB bytes (128 and up) on both tiers, as V8",
  fn() {
    // Types 0-127 are fillers, so $bt is index 128: its s33 starts with the byte 0x80.
    const fillers = Array.from({ length: 128 }, (_, i) => `(type (func (result ${i % 2 ? "i64" : "f32"})))`);
    const bytes = wat(`(module ${fillers.join(" ")}
      (type $bt (func (param i32) (result i32 i32)))
      (func (export "f") (param i32) (result i32 i32 i32 i32 i32 i32)
        local.get 0 block (type $bt) i32.const 1 i32.add i32.const 5 end
        local.get 0 loop (type $bt) i32.const 2 i32.mul i32.const 6 end
        local.get 0 local.get 0 if (type $bt) i32.const 3 i32.sub i32.const 7 else i32.const 8 end))`);
    type F = (x: number) => number[];
    const calls = (f: F) => [0, 9].map((x) => f(x));
    const v8 = calls(new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f as F);
    const ours = (options: EngineOptions) =>
      calls(new W.Instance(new W.Module(bytes), {}, options).exports.f as F);
    assert.deepEqual(v8, [[1, 5, 0, 6, 0, 8], [10, 5, 18, 6, 6, 7]]);
    assert.deepEqual(ours({}), v8);
    assert.deepEqual(ours({ jit: false }), v8);
  },
});

Deno.test("lowered code keeps nothing of the lowering: under 250 bytes of heap per lowered op", () => {
  // A child with --expose-gc lowers a generated 2 MB module. An op closure made where it could see the
  // lowering state once kept all of it alive per function: 380 bytes per op, 155 without.
  const out = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL("./lowering_memory_child.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { bytes, ops } = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.ok(ops > 100_000, `${ops} ops lowered`);
  assert.ok(bytes / ops < 250, `${(bytes / ops).toFixed(0)} bytes of heap per lowered op`);
});

Deno.test("instantiation makes no object per function: exports', element segments' and start's only, the rest at first use", () => {
  for (const options of [{ jit: false }, { tierUp: 0 }]) {
    const inst = new W.Instance(
      new W.Module(wat(`(module
        (import "js" "f" (func $imported (result i32)))
        (table 1 funcref) (elem (i32.const 0) $in_table)
        (global $g (mut i32) (i32.const 0))
        (start $start)
        (func $start (global.set $g (i32.const 1)))
        (func $in_table (result i32) (i32.const 5))
        (func $hidden (result i32) (i32.const 40))
        (func $never (result i32) (i32.const 0))
        (func (export "a") (result i32) (i32.add (call $hidden) (global.get $g))))`)),
      imports,
      options,
    );
    const state = funcOf(inst.exports.a).inst;
    const made = () => state.funcs.flatMap((f, x) => f === undefined ? [] : [x]);
    assert.deepEqual(made(), [0, 1, 2, 5], "the import, $start, $in_table, a");
    assert.equal((inst.exports.a as () => number)(), 41);
    assert.deepEqual(made(), [0, 1, 2, 3, 5], "and $hidden once called");
  }
});
