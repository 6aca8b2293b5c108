/**
 * Tail calls (Wasm 3.0: `return_call`, `return_call_indirect`) on both tiers: long mutual tail recursion
 * runs in constant space (value stack, call depth, JS stack), the callee's results are the caller's, a
 * tail call reaches host functions and other instances, traps report the frames that are still there,
 * fuel charges a tail call as a call, and the call-depth limit is the same on either tier. Results are
 * compared with V8's where its JS API can call the functions.
 */
import assert from "node:assert/strict";
import { fuelConsumed, type Instance, profileOf, WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { wat } from "./wat.ts";

type Fn = (...args: unknown[]) => unknown;
type Exports = Record<string, Fn>;

/** The interpreter alone, the JS tier alone, the default tiering, and a tiny budget (tiers switch mid-run). */
const TIERS: { tier: string; options: Record<string, unknown> }[] = [
  { tier: "interpreter", options: { jit: false } },
  { tier: "JS tier", options: { tierUp: 0 } },
  { tier: "default tiering", options: {} },
  { tier: "tier-up mid-run", options: { tierUp: 150 } },
];

/** A tail call must not add a frame: this limit would trap at once if one did. */
const SHALLOW = { maxCallDepth: 4 };

const STEPS = 10_000_000;

const MUTUAL = `(module
  (type $t (func (param i32) (result i32)))
  (table $tab 2 funcref)
  (elem (table $tab) (i32.const 0) func $ieven $iodd)
  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 44))
      (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (export "odd") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 99))
      (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func $ieven (export "ieven") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 44))
      (else (return_call_indirect $tab (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
  (func $iodd (export "iodd") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 99))
      (else (return_call_indirect $tab (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
  ;; an ordinary call of a function that ends in tail calls, and a loop (hot: OSR) before one
  (func (export "viaCall") (param i32) (result i32) (i32.add (call $even (local.get 0)) (i32.const 1)))
  (func $spin (export "spin") (param i32 i32) (result i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (br_if $l (i32.and (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 1023))))
    (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $spin (local.get 0) (local.get 1)))))
  ;; i64 / f64 (NaN bits) / multi-value / v128 / externref arguments moved down to the frame's base
  (func $mix (param i64 f64 v128 externref i32) (result i64 f64 externref)
    (if (result i64 f64 externref) (i32.eqz (local.get 4))
      (then (i64.add (local.get 0) (i64x2.extract_lane 1 (local.get 2))) (local.get 1) (local.get 3))
      (else (return_call $mix
        (i64.add (local.get 0) (i64.const 0x100000001)) (local.get 1)
        (i64x2.add (local.get 2) (v128.const i64x2 0 1)) (local.get 3)
        (i32.sub (local.get 4) (i32.const 1))))))
  (func (export "mix") (param i64 f64 externref i32) (result i64 f64 externref)
    (local i32 i64 f64 f64 f64) ;; a bigger frame than $mix's params
    (return_call $mix (local.get 0) (local.get 1) (v128.const i64x2 0 0) (local.get 2) (local.get 3)))
)`;

function mutual(options: Record<string, unknown>): Exports {
  return new W.Instance(new W.Module(wat(MUTUAL)), {}, { ...options, ...SHALLOW }).exports as Exports;
}

for (const { tier, options } of TIERS) {
  Deno.test({
    name: `tail calls (${tier}): 10^7 steps of mutual tail recursion in constant space, direct and indirect`,
    fn() {
      const compiled = jitCounts.compiled;
      const e = mutual(options);
      for (
        const [name, n, want] of [["even", STEPS, 44], ["odd", STEPS, 99], ["even", STEPS + 1, 99]] as const
      ) {
        assert.equal(e[name](n), want, `${name}(${n})`);
      }
      for (
        const [name, n, want] of [["ieven", STEPS, 44], ["iodd", STEPS + 1, 44], ["iodd", 0, 99]] as const
      ) {
        assert.equal(e[name](n), want, `${name}(${n})`);
      }
      assert.equal(e.viaCall(1_000_001), 100);
      assert.equal(e.spin(1_000_000, 0), 3_000_000);
      if (options.jit !== false) assert.ok(jitCounts.compiled > compiled, "the JS tier took functions");
    },
  });
}

Deno.test("tail calls: the same results as V8, with i64, f64 NaN bits, v128 and externref arguments", () => {
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(wat(MUTUAL))).exports as unknown as Exports;
  const ref = { r: 1 };
  const nan = new Float64Array(new BigUint64Array([0x7ff4_0000_dead_beefn]).buffer)[0];
  const bits = (x: number) => new BigUint64Array(new Float64Array([x]).buffer)[0];
  for (const { tier, options } of TIERS) {
    const e = mutual(options);
    for (const n of [0, 1, 2, 7, 1000, 100_001]) {
      for (const name of ["even", "odd", "ieven", "iodd", "viaCall"]) {
        assert.equal(e[name](n), v8[name](n), `${tier}: ${name}(${n})`);
      }
      assert.equal(e.spin(n + 1, 5), v8.spin(n + 1, 5), `${tier}: spin(${n + 1})`);
    }
    for (const n of [0, 1, 5, 5000]) {
      for (const args of [[-1n, 2.5, ref, n], [0x7fff_ffff_ffffn, nan, null, n]]) {
        const ours = e.mix(...args) as [bigint, number, unknown];
        const theirs = v8.mix(...args) as [bigint, number, unknown];
        assert.equal(ours[0], theirs[0], `${tier}: mix(${n}) i64`);
        assert.equal(bits(ours[1]), bits(theirs[1]), `${tier}: mix(${n}) f64 bits`);
        assert.equal(ours[2], theirs[2], `${tier}: mix(${n}) externref`);
      }
    }
  }
});

const TRAPS = `(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (table 4 funcref)
  (elem (i32.const 0) func $div $nop)
  (func $div (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))
  (func $nop)
  (func $via (param i32 i32) (result i32)
    (return_call_indirect (type $ii) (local.get 0) (local.get 1)))
  (func $tailDiv (param i32) (result i32) (return_call $div (local.get 0)))
  (func (export "indirect") (param i32 i32) (result i32) (i32.add (call $via (local.get 0) (local.get 1)) (i32.const 1)))
  (func (export "direct") (param i32) (result i32) (i32.add (call $tailDiv (local.get 0)) (i32.const 1)))
  (func (export "top") (param i32) (result i32) (return_call $tailDiv (local.get 0)))
)`;

/** The trap's message and the names of its wasm frames, innermost first; or "no trap". */
function trapOf(f: () => unknown): { message: string; frames: (string | undefined)[] } | string {
  try {
    f();
  } catch (e) {
    const frames = (e as { wasmFrames?: { name?: string }[] }).wasmFrames ?? [];
    return { message: (e as Error).message, frames: frames.map((x) => x.name) };
  }
  return "no trap";
}

Deno.test("tail calls: traps (signature mismatch, in the callee) and their backtraces, as V8 traps", () => {
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(wat(TRAPS))).exports as unknown as Exports;
  const cases: [string, number[], string, (string | undefined)[]][] = [
    // the mismatch traps at the return_call_indirect, in $via's frame
    ["indirect", [1, 1], "indirect call type mismatch", ["via", undefined]],
    ["indirect", [1, 3], "uninitialized element", ["via", undefined]],
    ["indirect", [1, 9], "undefined element", ["via", undefined]],
    // a trap in the callee: the frame its tail call replaced ($via, $tailDiv) is gone
    ["indirect", [0, 0], "integer divide by zero", ["div", undefined]],
    ["direct", [0], "integer divide by zero", ["div", undefined]],
    ["top", [0], "integer divide by zero", ["div"]],
  ];
  for (const { tier, options } of TIERS) {
    const e = new W.Instance(new W.Module(wat(TRAPS)), {}, options).exports as Exports;
    for (let round = 0; round < 3; round++) { // the later rounds run compiled code where it tiers up
      for (const [name, args, message, frames] of cases) {
        assert.deepEqual(trapOf(() => e[name](...args)), { message, frames }, `${tier}: ${name}(${args})`);
        assert.notEqual(trapOf(() => v8[name](...args)), "no trap", `V8: ${name}(${args})`);
      }
      assert.equal(e.indirect(2, 0), 4);
      assert.equal(e.direct(7), 2);
      for (let i = 0; i < 300; i++) e.direct(1); // heat
    }
  }
});

Deno.test("tail calls: to a host import (called, its results returned), and through one in a chain", () => {
  const text = `(module
    (import "js" "add" (func $add (param i32 i32) (result i32)))
    (import "js" "boom" (func $boom (param i32) (result i32)))
    (type $ii (func (param i32 i32) (result i32)))
    (table 1 funcref) (elem (i32.const 0) $add)
    (func $count (export "count") (param i32 i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (return_call $add (local.get 1) (i32.const 1000)))
        (else (return_call $count (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 2))))))
    (func (export "indirect") (param i32 i32) (result i32)
      (return_call_indirect (type $ii) (local.get 0) (local.get 1) (i32.const 0)))
    (func (export "nested") (param i32) (result i32) (i32.mul (call $count (local.get 0) (i32.const 0)) (i32.const 2)))
    (func (export "boom") (param i32) (result i32) (return_call $boom (local.get 0))))`;
  let calls = 0;
  const js = {
    add: (a: number, b: number) => (calls++, a + b),
    boom: (x: number) => {
      throw new Error(`boom ${x}`);
    },
  };
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(wat(text)), { js })
    .exports as unknown as Exports;
  for (const { tier, options } of TIERS) {
    const e = new W.Instance(new W.Module(wat(text)), { js }, { ...options, ...SHALLOW }).exports as Exports;
    for (const n of [0, 1, 10, 1_000_000]) {
      calls = 0;
      assert.equal(e.count(n, 5), v8.count(n, 5), `${tier}: count(${n})`);
      assert.equal(calls, 2, "the host function ran once per call (ours, V8's)");
      assert.equal(e.nested(n), v8.nested(n), `${tier}: nested(${n})`);
    }
    assert.equal(e.indirect(20, 22), 42);
    assert.throws(() => e.boom(7), /boom 7/, `${tier}: the host's exception passes through`);
    assert.equal(e.count(3, 0), 1006, `${tier}: runs on after the host threw`);
  }
});

Deno.test("tail calls: across instances (a wasm import, a table shared between them), across tiers", () => {
  const a = `(module
    (import "b" "tab" (table 1 funcref))
    (type $t (func (param i32) (result i32)))
    (func $odd (export "odd") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 99))
        (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))))))`;
  const b = `(module
    (import "a" "odd" (func $odd (param i32) (result i32)))
    (table (export "tab") 1 funcref)
    (func $even (export "even") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 44))
        (else (return_call $odd (i32.sub (local.get 0) (i32.const 1)))))))`;
  for (const first of TIERS) {
    for (const second of TIERS) {
      const tab = new W.Table({ element: "anyfunc", initial: 1 });
      const ia: Instance = new W.Instance(new W.Module(wat(a)), { b: { tab } }, {
        ...first.options,
        ...SHALLOW,
      });
      const ib = new W.Instance(new W.Module(wat(b)), { a: { odd: ia.exports.odd } }, {
        ...second.options,
        ...SHALLOW,
      });
      tab.set(0, ib.exports.even as Fn);
      const label = `${first.tier} → ${second.tier}`;
      // The full length between the interpreter and the JS tier (either way round); shorter elsewhere.
      const pair = new Set([first.tier, second.tier]);
      const steps = pair.has("interpreter") && pair.has("JS tier") ? STEPS : 200_000;
      assert.equal((ib.exports.even as Fn)(steps), 44, label);
      assert.equal((ia.exports.odd as Fn)(steps + 1), 44, label);
      assert.equal((ia.exports.odd as Fn)(0), 99, label);
    }
  }
});

Deno.test("tail calls: fuel charges a tail call as a call, the same on every tier", () => {
  // count's instructions: local.get, i64.eqz, if, local.get, else, local.get, i64.const, i64.sub,
  // return_call, and the function's end (the if's end follows the return_call: unreachable) = 10.
  const text = `(module
    (func $count (export "count") (param i64) (result i64)
      local.get 0
      i64.eqz
      if (result i64)
        local.get 0
      else
        local.get 0
        i64.const 1
        i64.sub
        return_call $count
      end)
    (func (export "viaCall") (param i64) (result i64) (call $count (local.get 0))))`; // 3 more
  for (const { tier, options } of TIERS) {
    for (const n of [0n, 1n, 99n, 100_000n]) {
      const inst = new W.Instance(new W.Module(wat(text)), {}, { ...options, fuel: 1e9 });
      assert.equal((inst.exports.count as Fn)(n), 0n);
      assert.equal(fuelConsumed(inst), 10 * (Number(n) + 1), `${tier}: count(${n})`);
      assert.equal((inst.exports.viaCall as Fn)(n), 0n);
      assert.equal(fuelConsumed(inst), 2 * 10 * (Number(n) + 1) + 3, `${tier}: viaCall(${n})`);
    }
    const limited = new W.Instance(new W.Module(wat(text)), {}, { ...options, fuel: 10 * 5000 + 5 });
    assert.throws(() => (limited.exports.count as Fn)(1_000_000n), /fuel exhausted/, tier);
    // The meter's full `charge` (profile, timeout): every tail call is booked to its callee.
    const profiled = new W.Instance(new W.Module(wat(text)), {}, {
      ...options,
      profile: true,
      timeoutMs: 60_000,
    });
    assert.equal((profiled.exports.viaCall as Fn)(1000n), 0n);
    assert.deepEqual(
      profileOf(profiled)?.map((p) => [p.name, p.ops]),
      [["count", 10 * 1001], ["$1", 3]],
      `${tier}: profile`,
    );
  }
});

Deno.test("tail calls: an endless tail recursion ends at the fuel limit or the timeout, on every tier", () => {
  const text = `(module
    (func $f (export "f") (param i32) (return_call $g (i32.add (local.get 0) (i32.const 1))))
    (func $g (param i32) (return_call $f (local.get 0))))`;
  for (const { tier, options } of TIERS) {
    const fuel = new W.Instance(new W.Module(wat(text)), {}, { ...options, ...SHALLOW, fuel: 3_000_000 });
    assert.throws(() => (fuel.exports.f as Fn)(0), /fuel exhausted/, tier);
    assert.ok(fuelConsumed(fuel) >= 3_000_000, tier);
    const timed = new W.Instance(new W.Module(wat(text)), {}, { ...options, ...SHALLOW, timeoutMs: 200 });
    assert.throws(() => (timed.exports.f as Fn)(0), /timeout/, tier);
  }
});

Deno.test("tail calls: the call-depth limit is exact and the same on every tier", () => {
  // down recurses through ordinary calls; tdown's calls go to $mid, which tail-calls on: its frame
  // is replaced, so tdown reaches exactly as deep as down.
  const text = `(module
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
    (func $tdown (export "tdown") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (call $mid (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
    (func $mid (param i32) (result i32) (return_call $mid2 (local.get 0)))
    (func $mid2 (param i32) (result i32) (return_call $tdown (local.get 0))))`;
  const LIMIT = 50;
  for (const { tier, options } of TIERS) {
    for (const name of ["down", "tdown"]) {
      const e = new W.Instance(new W.Module(wat(text)), {}, { ...options, maxCallDepth: LIMIT })
        .exports as Exports;
      // maxCallDepth frames: the export's and LIMIT - 1 nested ones
      assert.equal(e[name](LIMIT - 1), LIMIT - 1, `${tier}: ${name}(${LIMIT - 1})`);
      assert.throws(() => e[name](LIMIT), /call stack exhausted/, `${tier}: ${name}(${LIMIT})`);
      assert.equal(e[name](LIMIT - 1), LIMIT - 1, `${tier}: ${name} again`);
    }
    // Deeper than compiled frames fit in the JS-stack budget: the rest of the way runs interpreted.
    const deep = new W.Instance(new W.Module(wat(text)), {}, options).exports as Exports;
    assert.equal(deep.tdown(25_000), 25_000, `${tier}: tdown(25000)`);
  }
});

Deno.test("tail calls: validation (the callee's results must be the caller's)", () => {
  const invalid = [
    `(module (func $f (result i64) (i64.const 0)) (func (result i32) (return_call $f)))`,
    `(module (func $f (result i32 i32) (i32.const 0) (i32.const 0)) (func (result i32) (return_call $f)))`,
    `(module (func $f (param i64) (result i32) (i32.const 0)) (func (result i32) (return_call $f (i32.const 1))))`,
    `(module (type $t (func (result i64))) (table 1 funcref)
      (func (result i32) (return_call_indirect (type $t) (i32.const 0))))`,
    `(module (type $t (func (param i32) (result i32))) (table 1 funcref)
      (func (result i32) (return_call_indirect (type $t) (i64.const 0) (i32.const 0))))`,
    `(module (type $t (func (param i32) (result i32))) (table 1 funcref)
      (func (result i32) (return_call_indirect (type $t) (i32.const 0) (i64.const 0))))`,
  ];
  for (const text of invalid) {
    const bytes = wat(text);
    assert.equal(W.validate(bytes), false, text);
    assert.equal(WebAssembly.validate(bytes), false, `V8: ${text}`);
    assert.throws(() => new W.Module(bytes), /type mismatch/, text);
  }
  const valid = [
    `(module (func $f (result i32) (i32.const 0)) (func (result i32) (return_call $f)))`,
    // code after a tail call is unreachable: anything types there
    `(module (func $f (result i32) (i32.const 0)) (func (result i32) (return_call $f) (i64.const 0) drop))`,
    `(module (type $t (func (param f64) (result i32 i64))) (table 1 funcref)
      (func (result i32 i64) (return_call_indirect (type $t) (f64.const 1) (i32.const 0))))`,
  ];
  for (const text of valid) {
    const bytes = wat(text);
    assert.equal(W.validate(bytes), true, text);
    assert.equal(WebAssembly.validate(bytes), true, `V8: ${text}`);
  }
});
