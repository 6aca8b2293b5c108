/**
 * Exception handling (Wasm 3.0's `throw`, `throw_ref`, `try_table`, and the legacy `try`/`catch`/
 * `rethrow`/`delegate`) on both tiers, against V8 in-process: exceptions cross JS frames both ways
 * (a host's `WebAssembly.Exception` is caught by its tag, a wasm exception reaches JS as one, with its
 * identity kept through `catch_ref`/`throw_ref`), `JSTag` catches what JS throws and gives it back
 * unchanged, payloads keep their bits (i64, f32/f64 NaNs, v128, references), traps are never caught,
 * handlers find their frame across many interpreted and compiled frames and across instances, and
 * the machine (call depth, JS stack, fuel) is exactly restored where a handler catches.
 */
import assert from "node:assert/strict";
import { fuelConsumed, type Instance, WebAssembly as W } from "../mod.ts";
import { jitCounts, jitFailures } from "../src/engine/tiering.ts";
import { DEFAULT_TIER_UP } from "../src/runtime/objects.ts";
import { machine } from "../src/runtime/machine.ts";
import { wat } from "./wat.ts";

type Fn = (...args: unknown[]) => unknown;
type Exports = Record<string, Fn & unknown>;

/** An engine: V8's WebAssembly, or ours on one tier. */
interface Engine {
  name: string;
  api: typeof W;
  options?: Record<string, unknown>;
}

const V8 = globalThis.WebAssembly as unknown as typeof W;
const INTERPRETER: Engine = { name: "interpreter", api: W, options: { jit: false } };
const JS_TIER: Engine = { name: "JS tier", api: W, options: { tierUp: 0 } };
const ENGINES: Engine[] = [{ name: "V8", api: V8 }, INTERPRETER, JS_TIER];
const OURS: Engine[] = [INTERPRETER, JS_TIER];

function instantiate(
  e: Engine,
  text: string,
  imports: Record<string, Record<string, unknown>> = {},
): Exports {
  const module = new e.api.Module(wat(text));
  return (new e.api.Instance(module, imports, e.options) as Instance).exports as Exports;
}

/** What calling `f` gives: its result, or what it threw (described where engines' objects differ). */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    // Trap messages are worded differently by the engines: that it is one is compared.
    if (e instanceof V8.RuntimeError || e instanceof W.RuntimeError) return { trap: true };
    if (e instanceof V8.Exception || e instanceof W.Exception) return { exception: true };
    return { threw: e };
  }
}

/** Runs `run` on every engine and checks that they agree (V8 first: its result is the expectation). */
function sameOnAll(run: (e: Engine) => unknown, engines = ENGINES): unknown {
  const [first, ...rest] = engines.map((e) => ({ e, result: run(e) }));
  for (const { e, result } of rest) assert.deepEqual(result, first.result, `${e.name} vs ${first.e.name}`);
  return first.result;
}

const PAYLOADS = `(module
  (tag $i32 (param i32)) (tag $i64 (param i64)) (tag $f32 (param f32)) (tag $f64 (param f64))
  (tag $v128 (param v128)) (tag $ext (param externref)) (tag $fn (param funcref))
  (tag $many (param i32 i64 f32 f64 externref))
  (func $g (result i32) (i32.const 77))
  (elem declare func $g)
  (func $deep (param i32) (param i64)
    (if (i32.eqz (local.get 0)) (then (throw $i64 (local.get 1))))
    (call $deep (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
  (func (export "i32") (param i32) (result i32)
    (block $h (result i32) (try_table (catch $i32 $h) (throw $i32 (local.get 0)))
      (unreachable)))
  (func (export "i64") (param i64) (result i64)
    (block $h (result i64) (try_table (catch $i64 $h) (call $deep (i32.const 10) (local.get 0)))
      (unreachable)))
  (func (export "f32bits") (param i32) (result i32)
    (block $h (result f32) (try_table (catch $f32 $h) (throw $f32 (f32.reinterpret_i32 (local.get 0))))
      (unreachable))
    (i32.reinterpret_f32))
  (func (export "f64bits") (param i64) (result i64)
    (block $h (result f64) (try_table (catch $f64 $h) (throw $f64 (f64.reinterpret_i64 (local.get 0))))
      (unreachable))
    (i64.reinterpret_f64))
  (func (export "v128") (param i32 i32 i32 i32) (result i32)
    (local $v v128)
    (block $h (result v128)
      (try_table (catch $v128 $h)
        (throw $v128 (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1
          (i32x4.splat (local.get 0)) (local.get 1)) (local.get 2)) (local.get 3))))
      (unreachable))
    (local.set $v)
    (i32.xor (i32.xor (i32x4.extract_lane 0 (local.get $v)) (i32.rotl (i32x4.extract_lane 1 (local.get $v)) (i32.const 8)))
      (i32.xor (i32.rotl (i32x4.extract_lane 2 (local.get $v)) (i32.const 16))
        (i32.rotl (i32x4.extract_lane 3 (local.get $v)) (i32.const 24)))))
  (func (export "ext") (param externref) (result externref)
    (block $h (result externref) (try_table (catch $ext $h) (throw $ext (local.get 0))) (unreachable)))
  (func (export "fn") (result i32)
    (block $h (result funcref) (try_table (catch $fn $h) (throw $fn (ref.func $g))) (unreachable))
    (ref.is_null))
  (func (export "many") (param i32 i64 f32 f64 externref) (result i32 i64 f32 f64 externref)
    (block $h (result i32 i64 f32 f64 externref)
      (try_table (catch $many $h)
        (throw $many (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
      (unreachable)))
)`;

Deno.test("exceptions: payloads keep their values and bits (i64, NaN payloads, v128, references), both tiers as V8", () => {
  const obj = { x: 1 };
  sameOnAll((e) => {
    const x = instantiate(e, PAYLOADS);
    return [
      x.i32(-5),
      x.i64(0x123456789abcdef0n - 2n ** 64n),
      x.i64(-1n),
      x.f32bits(0x7fa00001), // signalling NaN
      x.f32bits(0xffc00123 | 0),
      x.f64bits(0x7ff0000000000001n), // signalling NaN
      x.f64bits(-0x0008000000000123n),
      x.v128(0x01020304, 0x05060708, -1, 0x7fffffff),
      x.ext(obj) === obj,
      x.ext(undefined),
      x.fn(),
      x.many(1, 2n, 1.5, -0, obj),
    ];
  });
});

const ACROSS = `(module
  (import "m" "t" (tag $t (param i32)))
  (import "m" "jstag" (tag $js (param externref)))
  (import "m" "f" (func $f))
  (tag $e (export "e") (param i32 f64))
  (tag $other)
  (func (export "throwE") (param i32) (throw $e (local.get 0) (f64.const -2.5)))
  (func (export "throwJs") (param externref) (throw $js (local.get 0)))
  (func (export "catchT") (result i32)
    (block $h (result i32) (try_table (catch $t $h) (call $f)) (i32.const -1)))
  (func (export "catchJs") (result externref)
    (block $h (result externref) (try_table (catch $js $h) (call $f)) (ref.null extern)))
  (func (export "catchAll") (result i32)
    (block $h (try_table (catch_all $h) (call $f)) (return (i32.const 0))) (i32.const 1))
  (func (export "catchOther") (result i32)
    (block $h (try_table (catch $other $h) (call $f)) (return (i32.const 0))) (i32.const 1))
  (func (export "rethrowAll")
    (block $h (result exnref) (try_table (catch_all_ref $h) (call $f)) (return)) (throw_ref))
  (func (export "rethrowT") (result i32)
    (block $h (result i32 exnref) (try_table (catch_ref $t $h) (call $f)) (return (i32.const 0)))
    (throw_ref))
)`;

/** V8 refuses a module that mixes the legacy instructions with the new ones: a module of their own. */
const ACROSS_LEGACY = `(module
  (import "m" "f" (func $f))
  (func (export "legacyRethrow")
    (try (do (call $f)) (catch_all (rethrow 0))))
)`;

Deno.test("exceptions: across JS both ways: tags, WebAssembly.Exception identity, JSTag, rethrow unchanged", () => {
  for (const e of ENGINES) {
    const t = new e.api.Tag({ parameters: ["i32"] });
    let thrower: () => void = () => {};
    const x = {
      ...instantiate(e, ACROSS, { m: { t, jstag: e.api.JSTag, f: () => thrower() } }),
      ...instantiate(e, ACROSS_LEGACY, { m: { f: () => thrower() } }),
    };
    const where = e.name;
    // wasm → JS: a WebAssembly.Exception of the exported tag, its values by getArg.
    try {
      x.throwE(9);
      assert.fail("no exception");
    } catch (err) {
      const ex = err as InstanceType<typeof W.Exception>;
      assert.ok(ex instanceof e.api.Exception, where);
      assert.ok(ex.is(x.e as unknown as InstanceType<typeof W.Tag>), where);
      assert.ok(!ex.is(t), where);
      assert.equal(ex.getArg(x.e as unknown as InstanceType<typeof W.Tag>, 0), 9, where);
      assert.equal(ex.getArg(x.e as unknown as InstanceType<typeof W.Tag>, 1), -2.5, where);
      assert.equal(ex.stack, undefined, where);
      assert.throws(() => ex.getArg(t, 0), TypeError, where);
      assert.throws(() => ex.getArg(x.e as unknown as InstanceType<typeof W.Tag>, 2), RangeError, where);
    }
    // JS → wasm: caught by its tag; identity kept through catch_ref/throw_ref and legacy rethrow.
    const ex = new e.api.Exception(t, [42]);
    thrower = () => {
      throw ex;
    };
    assert.equal(x.catchT(), 42, where);
    assert.equal(x.catchAll(), 1, where);
    assert.throws(() => x.catchJs(), (got) => got === ex, where);
    assert.throws(() => x.catchOther(), (got) => got === ex, where);
    assert.throws(() => x.rethrowAll(), (got) => got === ex, where);
    assert.throws(() => x.rethrowT(), (got) => got === ex, where);
    assert.throws(() => x.legacyRethrow(), (got) => got === ex, where);
    // Any other JS value: JSTag's payload, and back to JS as it was.
    for (
      const value of [{ o: 1 }, 42, undefined, null, "s", new Error("js"), new e.api.RuntimeError("js made")]
    ) {
      thrower = () => {
        throw value;
      };
      assert.equal(x.catchJs(), value, where);
      assert.equal(x.catchAll(), 1, where);
      assert.throws(() => x.catchT(), (got) => got === value, where);
      assert.throws(() => x.rethrowAll(), (got) => got === value, where);
      assert.throws(() => x.legacyRethrow(), (got) => got === value, where);
    }
    // A wasm throw of JSTag reaches JS as the value itself.
    const v = { mine: true };
    assert.throws(() => x.throwJs(v), (got) => got === v, where);
    // The JS API's checks.
    assert.throws(() => new e.api.Exception(e.api.JSTag, [1]), TypeError, where);
    assert.throws(() => new e.api.Exception(t, []), TypeError, where);
    assert.throws(() => new e.api.Exception(t, 5 as unknown as unknown[]), TypeError, where);
    assert.throws(() => ex.is({} as InstanceType<typeof W.Tag>), TypeError, where);
    assert.equal(Object.prototype.toString.call(ex), "[object WebAssembly.Exception]", where);
    assert.equal(Object.prototype.toString.call(t), "[object WebAssembly.Tag]", where);
    assert.ok(e.api.JSTag instanceof e.api.Tag, where);
    const traced = new e.api.Exception(t, [1], { traceStack: true });
    assert.equal(typeof traced.stack, "string", where);
    assert.deepEqual(Object.getOwnPropertyNames(ex), [], where);
  }
});

const TRAPS = `(module
  (import "m" "f" (func $f))
  (memory 1)
  (func $rec (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const 1)))
  (func $guard (param i32) (result i32)
    (block $h (try_table (catch_all $h)
      (if (i32.eq (local.get 0) (i32.const 0)) (then (unreachable)))
      (if (i32.eq (local.get 0) (i32.const 1)) (then (drop (i32.load (i32.const 70000)))))
      (if (i32.eq (local.get 0) (i32.const 2)) (then (drop (i32.div_s (i32.const 1) (i32.const 0)))))
      (if (i32.eq (local.get 0) (i32.const 3)) (then (drop (call $rec (i32.const 0)))))
      (if (i32.eq (local.get 0) (i32.const 4)) (then (call $f)))
      (return (i32.const 10)))
    ) (i32.const 20))
  (func (export "guard") (param i32) (result i32) (call $guard (local.get 0)))
)`;

const TRAPS_LEGACY = `(module
  (func (export "legacy") (param i32) (result i32)
    (try (result i32) (do (i32.div_u (i32.const 1) (local.get 0))) (catch_all (i32.const 30))))
)`;

Deno.test("exceptions: traps are never caught (unreachable, memory, division, stack exhausted, a trap through JS)", () => {
  const trapper = instantiate(INTERPRETER, `(module (func (export "t") unreachable))`);
  const v8Trapper = instantiate({ name: "V8", api: V8 }, `(module (func (export "t") unreachable))`);
  sameOnAll((e) => {
    const inner = e.api === V8 ? v8Trapper : trapper;
    let mode = 0;
    const x = instantiate(e, TRAPS, {
      m: {
        f: () => {
          if (mode === 0) inner.t(); // a trap of wasm, through this JS frame
          let caught: unknown;
          try {
            inner.t();
          } catch (err) {
            caught = err;
          }
          throw caught; // the same trap, thrown later by JS: still not catchable
        },
      },
    });
    const results = [0, 1, 2, 3].map((i) => outcome(() => x.guard(i)));
    const viaJs = [0, 1].map((m) => (mode = m, outcome(() => x.guard(4))));
    const legacy = outcome(() => instantiate(e, TRAPS_LEGACY).legacy(0));
    // Stack exhaustion: a RangeError in V8, our trap here; that nothing caught it is what matters.
    const exhausted = results[3] as { trap?: string; threw?: unknown };
    assert.ok(exhausted.trap !== undefined || exhausted.threw instanceof RangeError, `${e.name}: exhausted`);
    results[3] = "exhausted";
    return [results, viaJs, legacy, x.guard(7)];
  });
});

Deno.test("exceptions: fuel and timeouts trap through handlers; fuel counts alike on both tiers", () => {
  const text = `(module
    (tag $e (param i32))
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func (export "spin") (loop $l (block $h (try_table (catch_all $h) (br $l)))))
    (func (export "count") (param i32) (result i32) (local $s i32)
      (loop $l
        (block $h (result i32) (try_table (catch $e $h) (call $thrower (local.get 0))) (i32.const 0))
        (local.set $s (i32.add (local.get $s)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get $s)))`;
  const used: number[] = [];
  for (const e of OURS) {
    const module = new W.Module(wat(text));
    const fuelled = new W.Instance(module, {}, { ...e.options, fuel: 100_000 });
    const x = fuelled.exports as Exports;
    assert.equal(x.count(1000), 500500, e.name);
    used.push(fuelConsumed(fuelled));
    assert.throws(() => x.spin(), /fuel exhausted/, e.name);
    const timed = new W.Instance(module, {}, { ...e.options, timeoutMs: 50 });
    assert.throws(() => (timed.exports as Exports).spin(), /timeout/, e.name);
  }
  assert.equal(used[0], used[1], "fuel on the interpreter and the JS tier");
});

const DEEP = `(module
  (import "m" "probe" (func $probe (param i32)))
  (tag $e (export "e") (param i32))
  (func $down (export "down") (param i32) (param i32) (result i32)
    ;; recursion to depth $0; throws at the bottom unless $1 is 0
    (if (result i32) (i32.eqz (local.get 0))
      (then (if (local.get 1) (then (throw $e (i32.const 123)))) (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1)) (local.get 1)) (i32.const 1)))))
  (func (export "catchAt") (param i32) (result i32)
    (call $probe (i32.const 0))
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $down (local.get 0) (i32.const 1))))
    (call $probe (i32.const 1)))
  (func (export "legacyAt") (param i32) (result i32)
    (call $probe (i32.const 0))
    (try (result i32) (do (call $down (local.get 0) (i32.const 1)))
      (catch $e (call $probe (i32.const 1)))))
)`;

Deno.test("exceptions: deep unwinding across interpreted and compiled frames restores depth and JS stack exactly", () => {
  for (const e of [...OURS, { name: "default tiering", api: W, options: {} }]) {
    const seen: [number, number][] = [];
    const probe = () => void seen.push([machine.depth, machine.jsStack]);
    const x = instantiate(e, DEEP, { m: { probe } });
    for (const depth of [0, 1, 50, 3000, 25_000]) {
      for (const entry of [x.catchAt, x.legacyAt]) {
        seen.length = 0;
        assert.equal(entry(depth), 123, `${e.name} at depth ${depth}`);
        assert.equal(seen.length, 2);
        assert.deepEqual(
          seen[1],
          seen[0],
          `${e.name}: depth and JS stack after the catch, at depth ${depth}`,
        );
      }
    }
    // The machine is as before: the deepest recursion still fits.
    assert.equal(x.down(29_990, 0), 29_990, e.name);
    assert.equal(machine.depth, 0);
    assert.equal(machine.jsStack, 0);
  }
  assert.deepEqual(jitFailures, []);
});

Deno.test("exceptions: across instances (wasm to wasm imports, tags exported and imported)", () => {
  sameOnAll((e) => {
    const a = instantiate(
      e,
      `(module
      (tag $e (export "e") (param i64))
      (func (export "thrower") (param i64) (throw $e (local.get 0))))`,
    );
    const b = instantiate(
      e,
      `(module
      (import "a" "e" (tag $e (param i64)))
      (import "a" "thrower" (func $thrower (param i64)))
      (func (export "relay") (param i64) (call $thrower (local.get 0)))
      (func (export "catch") (param i64) (result i64)
        (block $h (result i64) (try_table (catch $e $h) (call $thrower (local.get 0))) (i64.const -1))))`,
      {
        a: { e: a.e, thrower: a.thrower },
      },
    );
    const c = instantiate(
      e,
      `(module
      (import "a" "e" (tag $e (param i64)))
      (import "b" "relay" (func $relay (param i64)))
      (func (export "catch") (param i64) (result i64)
        (try (result i64) (do (call $relay (local.get 0)) (i64.const -1))
          (catch $e (i64.const 1) (i64.add)))))`,
      {
        a: { e: a.e },
        b: { relay: b.relay },
      },
    );
    return [b.catch(5n), c.catch(-7n), outcome(() => b.relay(1n))];
  });
});

const LEGACY = `(module
  (tag $a (param i32)) (tag $b)
  (func $throw (param i32)
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $a (i32.const 10))))
    (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $b))))
  (func (export "handlers") (param i32) (result i32)
    (try (result i32) (do (call $throw (local.get 0)) (i32.const 0))
      (catch $a (i32.const 100) (i32.add))
      (catch $b (i32.const 200))))
  (func (export "nested") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do (call $throw (local.get 0)) (i32.const 0))
            (catch $a (drop) (rethrow 0))))
      (catch_all (i32.const 7))))
  (func (export "delegated") (param i32) (result i32)
    (try $outer (result i32)
      (do (try (result i32)
            (do (try (result i32) (do (call $throw (local.get 0)) (i32.const 0)) (delegate $outer)))
            (catch_all (i32.const 1))))
      (catch_all (i32.const 2))))
  (func (export "deadCode") (param i32) (result i32)
    (block $b (result i32)
      (br $b (i32.add (local.get 0) (i32.const 5)))
      (try (do (throw $a (i32.const 1))) (delegate 0))
      (try (result i32) (do (i32.const 1)) (catch $a) (catch_all (i32.const 2)))
      (try (result i32) (do (i32.const 1)) (catch $a (rethrow 0)))
      (i32.add)))
  (func (export "unreachableBody") (param i32) (result i32)
    (try (result i32) (do (call $throw (local.get 0)) (throw $b) (i32.const 1))
      (catch $b (i32.const 2)) (catch $a (i32.const 3) (i32.add)))
    (try (result i32) (do (throw $b)) (delegate 0))
    (drop))
  (func (export "toCaller") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do (call $throw (local.get 0)) (i32.const 0)) (delegate 1)))
      (catch_all (i32.const 3))))
)`;

/** Legacy and new handlers in one function (which V8 refuses): both tiers against hand-made results. */
const MIXED = `(module
  (tag $a (param i32)) (tag $b)
  (func $throw (param i32)
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $a (i32.const 10))))
    (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $b))))
  (func (export "mixed") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $a $h)
        (try (result i32) (do (call $throw (local.get 0)) (i32.const 0))
          (catch $b (throw $a (i32.const 55))))))
    (i32.const 1000) (i32.add))
  (func (export "delegateToTable") (param i32) (result i32)
    (block $h (result i32)
      (try_table $t (result i32) (catch $a $h)
        (try (result i32)
          (do (try (result i32) (do (call $throw (local.get 0)) (i32.const 0)) (delegate $t)))
          (catch_all (i32.const 5)))))
    (i32.const 2000) (i32.add))
)`;

Deno.test("exceptions: the legacy form (try, catch, catch_all, rethrow, delegate) as V8 runs it", () => {
  sameOnAll((e) => {
    const x = instantiate(e, LEGACY);
    return ["handlers", "nested", "delegated", "toCaller", "deadCode", "unreachableBody"].map((name) =>
      [0, 1, 2].map((i) => outcome(() => x[name](i)))
    );
  });
  const mixed = sameOnAll((e) => {
    const x = instantiate(e, MIXED);
    return ["mixed", "delegateToTable"].map((name) => [0, 1, 2].map((i) => outcome(() => x[name](i))));
  }, OURS);
  assert.deepEqual(mixed, [
    [{ value: 1000 }, { value: 1010 }, { value: 1055 }],
    // delegated to the try_table, whose clause does not take $b: the catch_all inside it is skipped
    [{ value: 2000 }, { value: 2010 }, { exception: true }],
  ]);
});

Deno.test("exceptions: a hot loop inside a try_table goes on in compiled code (OSR) and still catches", () => {
  const text = `(module
    (tag $e (param i32))
    (func (export "run") (param i32) (result i32) (local $i i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e $h)
          (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.eq (local.get $i) (local.get 0)) (then (throw $e (local.get $i))))
            (br $l))
          (unreachable)))))`;
  const before = jitCounts.osr;
  sameOnAll((e) => instantiate(e, text).run(200_000), [{ name: "V8", api: V8 }, {
    name: "tiering by heat", // the default budget, which a small module's functions do without
    api: W,
    options: { tierUp: DEFAULT_TIER_UP },
  }]);
  assert.ok(jitCounts.osr > before, "the loop was taken over by compiled code");
  assert.deepEqual(jitFailures, []);
});

Deno.test("exceptions: try_table in unreachable code, with parameters, to a loop's label", () => {
  sameOnAll((e) => {
    const x = instantiate(
      e,
      `(module
      (tag $a (param i32))
      (func (export "dead") (param i32) (result i32)
        (block $b (result i32)
          (br $b (local.get 0))
          (block $h (result i32) (try_table (catch $a $h) (throw $a (i32.const 1))) (i32.const 0))))
      (func (export "params") (param i32) (result i32)
        (block $h (result i32)
          (local.get 0) (i32.const 3)
          (try_table (param i32 i32) (result i32) (catch $a $h)
            (i32.add) (throw $a)))
        (i32.const 1) (i32.add))
      (func (export "retry") (param i32) (result i32) (local $n i32)
        ;; catch to a loop label: runs the body again until it stops throwing
        (loop $again (result i32)
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (block $h
            (try_table (catch_all $again)
              (if (i32.lt_u (local.get $n) (local.get 0)) (then (throw $a (local.get $n))))))
          (local.get $n))))`,
    );
    return [x.dead(4), x.params(10), x.retry(5), x.retry(0)];
  });
});

Deno.test("exceptions: the tag section (13) stands between the memory and global sections", () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = [1, 4, 1, 0x60, 0, 0]; // one type: [] -> []
  const tags = [13, 3, 1, 0, 0]; // one tag of type 0
  const memory = [5, 3, 1, 0, 1];
  const global = [6, 6, 1, 0x7f, 0, 0x41, 0, 0x0b];
  const cases: [number[][], boolean][] = [
    [[types, memory, tags, global], true],
    [[types, tags, memory], false],
    [[types, global, tags], false],
  ];
  for (const [sections, ok] of cases) {
    const bytes = new Uint8Array([...header, ...sections.flat()]);
    assert.equal(W.validate(bytes), ok, JSON.stringify(sections));
    assert.equal(V8.validate(bytes), ok, JSON.stringify(sections));
  }
});

Deno.test("exceptions: validation of tags and handlers", () => {
  const invalid = [
    `(module (tag (param i32)) (func (throw 0)))`,
    `(module (func (throw 0)))`,
    `(module (func (throw_ref (ref.null extern))))`,
    `(module (func (rethrow 0)))`,
    `(module (tag) (func (try (do) (catch 0 (rethrow 1)))))`,
    `(module (tag (param i64)) (func (result i32) (block $l (result i32) (try_table (catch 0 $l)) (unreachable))))`,
    `(module (func (result exnref) (try_table (catch_all 0)) (unreachable)))`,
  ];
  for (const text of invalid) {
    const bytes = wat(text);
    assert.equal(V8.validate(bytes), false, text);
    assert.equal(W.validate(bytes), false, text);
  }
  const valid = `(module (import "m" "t" (tag $t)) (tag $e (export "e") (param i32))
    (func (result exnref) (block $l (result exnref) (try_table (catch_all_ref $l)) (unreachable))))`;
  assert.equal(W.validate(wat(valid)), true);
  const module = new W.Module(wat(valid));
  assert.deepEqual(W.Module.imports(module), [{ module: "m", name: "t", kind: "tag" }]);
  assert.deepEqual(W.Module.exports(module), [{ name: "e", kind: "tag" }]);
  assert.throws(() => new W.Instance(module, { m: { t: new W.Tag({ parameters: ["i32"] }) } }), W.LinkError);
  assert.throws(() => new W.Instance(module, { m: { t: 1 } }), W.LinkError);
  const inst = new W.Instance(module, { m: { t: new W.Tag({ parameters: [] }) } });
  assert.ok((inst.exports as Record<string, unknown>).e instanceof W.Tag);
  assert.equal((inst.exports as Record<string, unknown>).e, (inst.exports as Record<string, unknown>).e);
});
