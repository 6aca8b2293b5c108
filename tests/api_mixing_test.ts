/**
 * Mixing engines (src/api/foreign.ts): V8's own WebAssembly.Memory and WebAssembly.Global given to our
 * instances as imports. A memory stays one memory: bytes written on either side are read on the other,
 * and a growth on either side (ours, JS's, a V8 instance's, during a host call, across a JSPI wait) is
 * seen by both. A global is read, and a mutable one written, by both. What cannot be shared (built-in
 * tables and tags, funcref globals) is a LinkError saying so, and so is a type that does not fit. The
 * other way round, V8 refuses our objects: that is V8's behaviour, pinned here so that a change shows.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { wat } from "./wat.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
const V8: Any = globalThis.WebAssembly;
const PAGE = 65536;

/** Both of our tiers: the interpreter alone, and the JS tier from the first call. */
const TIERS = [{ name: "interpreter", options: { jit: false } }, { name: "JS tier", options: { tierUp: 0 } }];

const MEMORY_USER = wat(`(module
  (import "m" "hook" (func $hook))
  (import "m" "mem" (memory 1))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "size") (result i32) memory.size)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "callThenLoad") (param i32) (result i32) call $hook (i32.load (local.get 0)))
  (func (export "callThenSize") (result i32)
    (block $caught (try_table (catch_all $caught) call $hook))
    memory.size)
  (export "mem" (memory 0)))`);

/** A module V8 compiles: it grows and writes the same built-in memory. */
const V8_MEMORY_USER = wat(`(module
  (import "m" "mem" (memory 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))`);

function word(memory: { buffer: ArrayBuffer }, at: number): number {
  return new DataView(memory.buffer).getInt32(at, true);
}

for (const tier of TIERS) {
  Deno.test(`built-in Memory: bytes and growth are shared both ways (${tier.name})`, () => {
    const builtin = new V8.Memory({ initial: 1, maximum: 10 });
    let hook = () => {};
    const { exports: e }: Any = new W.Instance(
      new W.Module(MEMORY_USER),
      { m: { mem: builtin, hook: () => hook() } },
      tier.options,
    );
    assert.equal(e.mem, builtin, "re-exported, the import is the same object");

    new DataView(builtin.buffer).setInt32(8, 1234, true);
    assert.equal(e.load(8), 1234);
    e.store(16, 99);
    assert.equal(word(builtin, 16), 99);

    // Our memory.grow grows V8's memory in place: its old buffer is detached, the new one longer.
    const before = builtin.buffer;
    assert.equal(e.grow(1), 1);
    assert.equal(before.detached, true);
    assert.equal(builtin.buffer.byteLength, 2 * PAGE);
    e.store(PAGE + 4, 7);
    assert.equal(word(builtin, PAGE + 4), 7);

    // Grown from JS between our calls.
    assert.equal(builtin.grow(1), 2);
    assert.equal(e.size(), 3);
    e.store(2 * PAGE, 5);
    assert.equal(word(builtin, 2 * PAGE), 5);

    // Grown (and written) by a host function while our code runs.
    hook = () => {
      builtin.grow(1);
      new DataView(builtin.buffer).setInt32(3 * PAGE, 42, true);
    };
    assert.equal(e.callThenLoad(3 * PAGE), 42);

    // Grown by a V8 instance that imports the same memory, called from JS and from our host call.
    const v8: Any = new V8.Instance(new V8.Module(V8_MEMORY_USER), { m: { mem: builtin } }).exports;
    assert.equal(v8.grow(1), 4);
    assert.equal(e.size(), 5);
    v8.store(4 * PAGE + 8, -3);
    assert.equal(e.load(4 * PAGE + 8), -3);
    hook = () => void v8.grow(1);
    assert.equal(e.callThenLoad(4 * PAGE + 8), -3);
    assert.equal(e.size(), 6);

    // A host function that grows and then throws: the handler after it sees the new size.
    hook = () => {
      builtin.grow(1);
      throw new Error("after growing");
    };
    assert.equal(e.callThenSize(), 7);

    // V8 keeps the maximum: our memory.grow past it fails as it would on ours.
    assert.equal(e.grow(4), -1);
    assert.equal(e.grow(3), 7);
    assert.equal(builtin.buffer.byteLength, 10 * PAGE);
  });
}

Deno.test("built-in Memory: two of our instances importing it share one memory", () => {
  const builtin = new V8.Memory({ initial: 1 });
  const imports = { m: { mem: builtin, hook: () => {} } };
  const a: Any = new W.Instance(new W.Module(MEMORY_USER), imports).exports;
  const b: Any = new W.Instance(new W.Module(MEMORY_USER), imports).exports;
  a.store(0, 11);
  assert.equal(b.load(0), 11);
  assert.equal(a.grow(2), 1);
  b.store(2 * PAGE, 12);
  assert.equal(a.load(2 * PAGE), 12);
  assert.equal(a.mem, b.mem);
});

Deno.test("built-in Memory: a 64-bit one is shared too", () => {
  const builtin = new V8.Memory({ initial: 1n, address: "i64" });
  const { exports: e }: Any = new W.Instance(
    new W.Module(wat(`(module (import "m" "mem" (memory i64 1))
      (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
      (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1))))`)),
    { m: { mem: builtin } },
  );
  assert.equal(e.grow(1n), 1n);
  e.store(BigInt(PAGE + 4), 77);
  assert.equal(word(builtin, PAGE + 4), 77);
  assert.equal(builtin.grow(1n), 2n);
  e.store(BigInt(2 * PAGE), 78);
  assert.equal(word(builtin, 2 * PAGE), 78);
});

Deno.test("built-in Memory: a type that does not fit is a LinkError saying why", () => {
  const link = (importType: string, mem: unknown) =>
    new W.Instance(new W.Module(wat(`(module (import "m" "mem" (memory ${importType})))`)), { m: { mem } });
  const cases: [string, unknown, RegExp][] = [
    [
      "2",
      new V8.Memory({ initial: 1 }),
      /^import "m" "mem": memory import has 1 pages which is smaller than/,
    ],
    ["1 4", new V8.Memory({ initial: 1 }), /^import "m" "mem": memory import has no maximum limit/],
    [
      "1 2",
      new V8.Memory({ initial: 1, maximum: 4 }),
      /^import "m" "mem": memory import has a larger maximum/,
    ],
    ["i64 1", new V8.Memory({ initial: 1 }), /^import "m" "mem": cannot import i32 memory as i64/],
    // A size V8 cannot have at all: no built-in memory fits.
    [
      "i64 300000",
      new V8.Memory({ initial: 1n, address: "i64" }),
      /^import "m" "mem": initial memory size \(300000 pages\) is larger than implementation limit \(\d+ pages\) \(/,
    ],
  ];
  for (const [type, mem, message] of cases) {
    assert.throws(() => link(type, mem), (e: Error) => {
      assert.ok(e instanceof W.LinkError, `${type}: ${e}`);
      assert.match(e.message, message);
      assert.match(e.message, /\(a built-in WebAssembly\.Memory\)$/);
      return true;
    });
  }
  // Fits: a larger minimum, a smaller maximum.
  assert.ok(link("1 4", new V8.Memory({ initial: 2, maximum: 3 })));
});

Deno.test("built-in Global: immutable ones are read, a mutable one is shared both ways", () => {
  const globals = {
    i: new V8.Global({ value: "i32" }, -5),
    l: new V8.Global({ value: "i64" }, 1n << 40n),
    f: new V8.Global({ value: "f32" }, 1.5),
    d: new V8.Global({ value: "f64" }, Math.PI),
    x: new V8.Global({ value: "externref" }, globalThis),
    m: new V8.Global({ value: "i32", mutable: true }, 4),
  };
  for (const tier of TIERS) {
    let hook = () => {};
    const { exports: e }: Any = new W.Instance(
      new W.Module(wat(`(module
        (import "g" "i" (global $i i32)) (import "g" "l" (global $l i64))
        (import "g" "f" (global $f f32)) (import "g" "d" (global $d f64))
        (import "g" "x" (global $x externref)) (import "g" "m" (global $m (mut i32)))
        (import "g" "hook" (func $hook))
        (func (export "i") (result i32) global.get $i) (func (export "l") (result i64) global.get $l)
        (func (export "f") (result f32) global.get $f) (func (export "d") (result f64) global.get $d)
        (func (export "x") (result externref) global.get $x)
        (func (export "m") (result i32) global.get $m)
        (func (export "setM") (param i32) (global.set $m (local.get 0)))
        (func (export "bump") (result i32)
          (global.set $m (i32.add (global.get $m) (i32.const 1)))
          call $hook
          global.get $m)
        (export "gm" (global $m)))`)),
      { g: { ...globals, hook: () => hook() } },
      tier.options,
    );
    assert.deepEqual([e.i(), e.l(), e.f(), e.d(), e.x()], [-5, 1n << 40n, 1.5, Math.PI, globalThis]);
    assert.equal(e.gm, globals.m, "re-exported, the import is the same object");
    globals.m.value = 4;
    e.setM(6);
    assert.equal(globals.m.value, 6, `${tier.name}: our write seen by V8's global`);
    globals.m.value = 9;
    assert.equal(e.m(), 9, `${tier.name}: V8's write seen by our code`);
    let seen = 0;
    hook = () => {
      seen = globals.m.value;
      globals.m.value = seen * 10;
    };
    assert.equal(e.bump(), 100, `${tier.name}: the host's write seen after the call`);
    assert.equal(seen, 10, `${tier.name}: our write seen by the host`);
    assert.equal(globals.m.value, 100);
  }
});

Deno.test("built-in Global: a V8 instance and ours share a mutable global", () => {
  const g = new V8.Global({ value: "i64", mutable: true }, 1n);
  const v8: Any = new V8.Instance(
    new V8.Module(wat(`(module (import "g" "g" (global $g (mut i64)))
      (func (export "double") (global.set $g (i64.mul (global.get $g) (i64.const 2)))))`)),
    { g: { g } },
  ).exports;
  const ours: Any = new W.Instance(
    new W.Module(wat(`(module (import "g" "g" (global $g (mut i64))) (import "g" "double" (func $double))
      (func (export "addThenDouble") (result i64)
        (global.set $g (i64.add (global.get $g) (i64.const 3)))
        call $double
        global.get $g))`)),
    { g: { g, double: v8.double } },
  ).exports;
  assert.equal(ours.addThenDouble(), 8n);
  v8.double();
  assert.equal(ours.addThenDouble(), 38n);
  assert.equal(g.value, 38n);
});

Deno.test("built-in Global: a type that does not fit, or a funcref one, is a LinkError saying why", () => {
  const link = (importType: string, g: unknown) =>
    new W.Instance(new W.Module(wat(`(module (import "g" "g" (global ${importType})))`)), { g: { g } });
  const cases: [string, unknown, RegExp][] = [
    [
      "i64",
      new V8.Global({ value: "i32" }, 1),
      /^import "g" "g": imported global does not match the expected type/,
    ],
    [
      "(mut i32)",
      new V8.Global({ value: "i32" }, 1),
      /expected mutability \(a built-in WebAssembly\.Global\)$/,
    ],
    ["i32", new V8.Global({ value: "i32", mutable: true }, 1), /expected mutability/],
    [
      "funcref",
      new V8.Global({ value: "anyfunc" }, null),
      /of type funcref cannot be imported by a wasmrun instance/,
    ],
  ];
  for (const [type, g, message] of cases) {
    assert.throws(() => link(type, g), (e: Error) => {
      assert.ok(e instanceof W.LinkError, `${type}: ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("built-in Table and Tag: a LinkError that says they cannot be shared", () => {
  const table = new V8.Table({ element: "externref", initial: 1 });
  assert.throws(
    () =>
      new W.Instance(new W.Module(wat(`(module (import "t" "t" (table 1 externref)))`)), { t: { t: table } }),
    (e: Error) =>
      e instanceof W.LinkError &&
      /^import "t" "t": a built-in WebAssembly\.Table cannot be imported by a wasmrun instance/.test(
        e.message,
      ) &&
      /create it with wasmrun's WebAssembly\.Table$/.test(e.message),
  );
  const tag = new V8.Tag({ parameters: ["i32"] });
  assert.throws(
    () => new W.Instance(new W.Module(wat(`(module (import "t" "t" (tag (param i32))))`)), { t: { t: tag } }),
    (e: Error) =>
      e instanceof W.LinkError && /a built-in WebAssembly\.Tag cannot be imported/.test(e.message),
  );
  // Anything else is still the plain refusal.
  assert.throws(
    () =>
      new W.Instance(new W.Module(wat(`(module (import "t" "t" (table 1 externref)))`)), { t: { t: {} } }),
    (e: Error) => e instanceof W.LinkError && /expected a WebAssembly\.Table$/.test(e.message),
  );
});

Deno.test("built-in Memory: growth while a JSPI computation waits is seen when it resumes", async () => {
  const builtin = new V8.Memory({ initial: 1 });
  const { exports: e }: Any = new W.Instance(
    new W.Module(wat(`(module (import "m" "wait" (func $wait)) (import "m" "mem" (memory 1))
      (func (export "run") (result i32) call $wait (i32.load (i32.const 65536))))`)),
    {
      m: {
        mem: builtin,
        wait: new W.Suspending(async () => {
          await null;
          builtin.grow(1);
          new DataView(builtin.buffer).setInt32(PAGE, 321, true);
        }),
      },
    },
  );
  assert.equal(await W.promising(e.run)(), 321);
});

Deno.test("the other way round: V8 refuses our Memory and Global, takes our functions", () => {
  const memUser = new V8.Module(wat(`(module (import "m" "mem" (memory 1)))`));
  assert.throws(
    () => new V8.Instance(memUser, { m: { mem: new W.Memory({ initial: 1 }) } }),
    (e: Error) =>
      e instanceof V8.LinkError && /memory import must be a WebAssembly\.Memory object/.test(e.message),
  );
  const globalUser = new V8.Module(wat(`(module (import "g" "g" (global i32)))`));
  assert.throws(
    () => new V8.Instance(globalUser, { g: { g: new W.Global({ value: "i32" }, 1) } }),
    (e: Error) => e instanceof V8.LinkError && /global import must be a number/.test(e.message),
  );
  const ours: Any = new W.Instance(
    new W.Module(wat(`(module (func (export "twice") (param i32) (result i32)
      (i32.mul (local.get 0) (i32.const 2))))`)),
  ).exports;
  const v8: Any = new V8.Instance(
    new V8.Module(wat(`(module (import "f" "twice" (func $twice (param i32) (result i32)))
      (func (export "run") (result i32) (call $twice (i32.const 21))))`)),
    { f: { twice: ours.twice } },
  ).exports;
  assert.equal(v8.run(), 42);
});

Deno.test("built-in objects given to instances that are gone are no longer kept in step (collected)", async () => {
  // In a process of its own, with the collector exposed: 50 instances each adopt a built-in memory and
  // a mutable built-in global; once they are collected, a crossing finds no link left to keep in step.
  const url = (path: string) => new URL(path, import.meta.url).href;
  const code = `
    import { WebAssembly as W } from "${url("../mod.ts")}";
    import { wat } from "${url("./wat.ts")}";
    import * as foreign from "${url("../src/runtime/foreign.ts")}";
    const user = new W.Module(wat('(module (import "m" "mem" (memory 1)) (import "m" "g" (global (mut i32))))'));
    (() => {
      for (let i = 0; i < 50; i++) {
        const g = new WebAssembly.Global({ value: "i32", mutable: true }, i);
        new W.Instance(user, { m: { mem: new WebAssembly.Memory({ initial: 1 }), g } });
      }
    })();
    const adopted = foreign.foreignLinks;
    const e = new W.Instance(new W.Module(wat('(module (func (export "f")))'))).exports;
    for (let k = 0; k < 5; k++) await new Promise((r) => setTimeout(r, 10)), globalThis.gc();
    e.f();
    console.log(JSON.stringify([adopted, foreign.foreignLinks]));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--expose-gc", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [100, 0]);
});
