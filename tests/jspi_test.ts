/**
 * JS promise integration (JSPI): `WebAssembly.Suspending` imports and `WebAssembly.promising` exports,
 * compared with Deno's built-in engine: a suspension deep in wasm recursion, many computations
 * suspended at once and interleaved, a rejection caught by wasm, the errors where no suspension can
 * happen, and fuel counted as on a synchronous run. Under `promising` every frame runs on the
 * interpreter (src/engine/jspi.ts); the instances are made for both tiers all the same.
 */
import assert from "node:assert/strict";
import { fuelConsumed, WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

// deno-lint-ignore no-explicit-any
type Api = any;
const OURS = Ours as Api, V8 = WebAssembly as Api;
const TIERS: [string, object][] = [["interpreter", { jit: false }], ["JS tier", { tierUp: 0 }]];

/** A recursion `n` deep whose innermost call awaits the import, then adds on the way out. */
const DEEP = wat(`(module
  (import "m" "fetch" (func $fetch (param i32) (result i32)))
  (memory (export "mem") 1)
  (func $down (export "down") (param $n i32) (param $k i32) (result i32)
    (i32.store (i32.shl (local.get $k) (i32.const 2)) (local.get $n))
    (if (result i32) (i32.eqz (local.get $n))
      (then (call $fetch (local.get $k)))
      (else (i32.add (local.get $n) (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $k)))))))`);

function deep(api: Api, fetch: (k: number) => unknown, options: object = {}) {
  const imports = { m: { fetch: new api.Suspending(fetch) } };
  return new api.Instance(new api.Module(DEEP), imports, options).exports;
}

Deno.test("a promise awaited at the bottom of a deep recursion: the same results as V8, on both tiers", async () => {
  const fetch = async (k: number) => {
    await new Promise((r) => setTimeout(r, 1));
    return k * 1000;
  };
  const expected = await V8.promising(deep(V8, fetch).down)(500, 7);
  for (const [tier, options] of TIERS) {
    assert.equal(await OURS.promising(deep(OURS, fetch, options).down)(500, 7), expected, tier);
  }
});

Deno.test("many computations suspended at once, resumed in turn: results and memory as V8's", async () => {
  const run = async (api: Api, options: object = {}) => {
    let turn = 0;
    const e = deep(api, (k: number) => Promise.resolve().then(() => k * 10 + turn++), options);
    const down = api.promising(e.down);
    const results = await Promise.all(Array.from({ length: 20 }, (_, k) => down(k * 3, k)));
    return { results, memory: [...new Int32Array(e.mem.buffer, 0, 20)] };
  };
  const expected = await run(V8);
  for (const [tier, options] of TIERS) assert.deepEqual(await run(OURS, options), expected, tier);
});

Deno.test("a rejected promise is a JS exception where the import was called: wasm catches it", async () => {
  const bytes = wat(`(module
    (import "m" "fetch" (func $fetch (param i32) (result i32)))
    (func (export "run") (param i32) (result i32)
      (block $caught
        (try_table (catch_all $caught) (return (i32.add (i32.const 1) (call $fetch (local.get 0))))))
      (i32.const -1)))`);
  const fetch = (k: number) => k < 0 ? Promise.reject(new Error("negative")) : Promise.resolve(k);
  const results = async (api: Api, options: object = {}) => {
    const run = api.promising(
      new api.Instance(new api.Module(bytes), { m: { fetch: new api.Suspending(fetch) } }, options).exports
        .run,
    );
    return [await run(5), await run(-5)];
  };
  const expected = await results(V8);
  assert.deepEqual(expected, [6, -1]);
  for (const [tier, options] of TIERS) assert.deepEqual(await results(OURS, options), expected, tier);
});

Deno.test("where nothing can suspend, a SuspendError: outside promising, and across a JS frame", async () => {
  const nested = wat(`(module
    (import "m" "fetch" (func $fetch (param i32) (result i32)))
    (import "m" "js" (func $js (param i32) (result i32)))
    (func (export "inner") (param i32) (result i32) (call $fetch (local.get 0)))
    (func (export "outer") (param i32) (result i32) (call $js (local.get 0))))`);
  const outcome = async (api: Api) => {
    const imports: Record<string, unknown> = {};
    const e = new api.Instance(new api.Module(nested), {
      m: {
        fetch: new api.Suspending((x: number) => Promise.resolve(x)),
        js: (x: number) => (imports.inner as (x: number) => number)(x),
      },
    }).exports;
    imports.inner = e.inner;
    const classOf = async (f: () => unknown) => {
      try {
        await f();
        return "no error";
      } catch (err) {
        return (err as Error).name;
      }
    };
    return [await classOf(() => e.inner(1)), await classOf(() => api.promising(e.outer)(1))];
  };
  const expected = await outcome(V8);
  assert.deepEqual(await outcome(OURS), expected);
  assert.equal(expected[0], "SuspendError");
});

Deno.test("fuel: a computation that suspends uses what the same computation uses without suspending", async () => {
  const make = (fetch: unknown) =>
    new Ours.Instance(new Ours.Module(DEEP), { m: { fetch } } as never, { fuel: 1e9 } as never);
  const sync = make((k: number) => k);
  const expected = (sync.exports.down as (n: number, k: number) => number)(200, 3);
  const suspending = make(new Ours.Suspending((k: number) => Promise.resolve(k)));
  assert.equal(await Ours.promising(suspending.exports.down)(200, 3), expected);
  assert.ok(fuelConsumed(sync) > 200);
  assert.equal(fuelConsumed(suspending), fuelConsumed(sync));
});
