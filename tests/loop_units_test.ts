/**
 * Code for one loop (src/runtime/objects.ts `HUGE_BODY_BYTES`, src/engine/tiering.ts, `Compiler.loop`): a function too big for
 * V8 to optimize stays interpreted, and each of its hot loops gets compiled code of its own, entered
 * at the loop's start and left at every way out of it, where the interpreter goes on in the same
 * frame. Each function here is padded with `nop`s past that size. The interpreter alone, the JS tier
 * alone and every mix must agree on results, fuel, profiles, traps and their backtraces.
 */
import assert from "node:assert/strict";
import { fuelConsumed, profileOf, WebAssembly as Ours } from "../mod.ts";
import { jitCounts, jitFailures, savedUnits } from "../src/engine/tiering.ts";
import { HUGE_BODY_BYTES } from "../src/runtime/objects.ts";
import { moduleInfo } from "../src/api/module.ts";
import { wat } from "./wat.ts";
import { trapOutcome } from "./trap_outcome.ts";

type Fn = (...args: unknown[]) => unknown;

const PAD = "(nop)".repeat(HUGE_BODY_BYTES + 1);

/**
 * `huge`: a loop with a result left at its end, with calls inside (whose frames must not land on the
 * interpreter's: `call_indirect` passes its argument in the frame; one calls the function itself); an inner loop that branches to its outer loop and out of a block with two values;
 * a `br_table` loop with three ways out; a loop that returns. Locals of every type, one that no loop
 * names (`$keep`) and constants after the loops: all go into the result.
 */
const MODULE = `(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (type $unary (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $bump)
  (func $bump (param i32) (result i32) (global.set $g (i32.add (global.get $g) (local.get 0))) (global.get $g))
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1000) (local.get 0)))
  (func $huge (export "huge") (param $n i32) (param $salt i64) (result i64)
    (local $i i32) (local $j i32) (local $k i32) (local $w i64) (local $x f32) (local $y f64)
    (local $v v128) (local $r externref) (local $keep i32)
    ${PAD}
    (local.set $keep (i32.const 0x5eed))
    (local.set $w (local.get $salt))
    (local.set $x (f32.const 1.25))
    (local.set $y (f64.const -3.5))
    (local.set $k
      (loop $count (result i32)
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 0x100000001b3)) (i64.extend_i32_u (local.get $j))))
        (drop (call $bump (local.get $j)))
        (drop (call_indirect (type $unary) (i32.xor (local.get $j) (i32.const 5)) (i32.const 0)))
        (if (i32.and (i64.eq (local.get $salt) (i64.const 3)) (i32.eq (local.get $j) (i32.const 50)))
          (then (local.set $w (i64.add (local.get $w) (call $huge (i32.const 90) (i64.const 9))))))
        (br_if $count (i32.lt_u (local.get $j) (local.get $n)))
        (i32.mul (local.get $j) (i32.const 3))))
    (local.set $k (i32.add (local.get $k) (local.get $j)))
    (block $two (result i32 f64)
      (loop $outer
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (local.set $x (f32.add (local.get $x) (f32.const 0.5)))
          (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $j))))
          (i32.store (i32.shl (i32.and (local.get $j) (i32.const 255)) (i32.const 2)) (local.get $j))
          (br_if $two (local.get $i) (local.get $y) (i32.gt_u (local.get $i) (i32.const 40)))
          (drop)
          (drop)
          (br_if $outer (i32.ge_u (local.get $j) (local.get $n)))
          (local.set $y (f64.add (local.get $y) (f64.convert_i32_s (local.get $j))))
          (br $inner)))
      (unreachable))
    (local.set $y (f64.add (local.get $y)))
    (local.set $k (i32.add (local.get $k)))
    (local.set $j (i32.const 0))
    (block $t0
      (block $t1
        (block $t2
          (loop $sw
            (local.set $j (i32.add (local.get $j) (i32.const 7)))
            (br_table $sw $t0 $t1 $t2
              (select (i32.add (i32.rem_u (local.get $j) (i32.const 3)) (i32.const 1)) (i32.const 0)
                (i32.gt_u (local.get $j) (i32.mul (local.get $n) (i32.const 20)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1))))
        (local.set $k (i32.add (local.get $k) (i32.const 10))))
      (local.set $k (i32.add (local.get $k) (i32.const 100)))
    (local.set $k (i32.add (local.get $k) (local.get $j)))
    (if (i64.lt_s (local.get $salt) (i64.const 0))
      (then
        (loop $ret
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eq (local.get $i) (i32.add (local.get $n) (i32.const 100)))
            (then (return (i64.add (local.get $w) (i64.extend_i32_u (i32.add (local.get $keep) (local.get $k)))))))
          (br $ret))))
    (i64.add (i64.add (local.get $w) (i64.trunc_f64_s (local.get $y)))
      (i64.add
        (i64.extend_i32_u (i32.add (i32.reinterpret_f32 (local.get $x)) (i32.add (local.get $k) (local.get $keep))))
        (i64.extend_i32_u
          (i32.add (i32x4.extract_lane 0 (local.get $v))
            (i32.add (i32x4.extract_lane 3 (local.get $v))
              (i32.add (global.get $g) (i32.add (i32.load (i32.const 40)) (i32.const 0x1234567)))))))))
  (func (export "divides") (param $n i32) (result i32) (local $j i32) (local $s i32)
    ${PAD}
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $div (i32.sub (local.get $n) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l))
    (unreachable))
  (func (export "tried") (param $n i32) (result i32) (local $j i32)
    ${PAD}
    (block $h
      (try_table (catch_all $h)
        (loop $l
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $j) (local.get $n))))))
    (local.get $j))
  (func (export "bigloop") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    (loop $big
      ${PAD}
      (local.set $j (i32.const 0))
      (loop $small
        (local.set $s (i32.add (local.get $s) (i32.xor (local.get $j) (local.get $i))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $small (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $big (i32.lt_u (local.get $i) (i32.const 30))))
    (local.get $s)))`;

const INTERPRETER = { jit: false };
/** The JS tier from the first call: the huge functions compile whole (no loop tiers up). */
const JS_TIER = { tierUp: 0 };
/** Budgets that switch tiers after some iterations, and the default one. */
const MIXED = [{ tierUp: 150 }, { tierUp: 2000 }, {}];
const METERS = [{}, { fuel: 1e12, profile: true }, { fuel: 1e12 }, { timeoutMs: 60_000 }];

function instantiate(options: object) {
  const module = new Ours.Module(wat(MODULE));
  return { module, instance: new Ours.Instance(module, {}, options) };
}

function run(options: object, n: number) {
  const { instance } = instantiate(options);
  const e = instance.exports as Record<string, Fn>;
  const results = [e.huge(n, 7n), e.huge(n, -1n), e.huge(n * 2, 3n), e.tried(n * 40), e.bigloop(n)];
  return { results, fuel: fuelConsumed(instance), profile: profileOf(instance) };
}

Deno.test({
  name: "loops of a huge function tier up alone: the same results, fuel and profile as either tier alone",
  fn() {
    for (const n of [60, 700]) {
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(wat(MODULE))).exports as Record<string, Fn>;
      const expected = [v8.huge(n, 7n), v8.huge(n, -1n), v8.huge(n * 2, 3n), v8.tried(n * 40), v8.bigloop(n)];
      for (const meter of METERS) {
        const alone = run({ ...INTERPRETER, ...meter }, n);
        assert.deepEqual(alone.results, expected, `interpreter, n = ${n}`);
        assert.deepEqual(run({ ...JS_TIER, ...meter }, n), alone, `JS tier, n = ${n}`);
        for (const mixed of MIXED) {
          assert.deepEqual(run({ ...mixed, ...meter }, n), alone, `${JSON.stringify(mixed)}, n = ${n}`);
        }
      }
    }
    assert.deepEqual(jitFailures, []);
  },
});

Deno.test("a huge function gets code for its hot loops only, never a whole copy", () => {
  const { module, instance } = instantiate({ tierUp: 150 });
  const e = instance.exports as Record<string, Fn>;
  const before = { ...jitCounts };
  e.huge(700, 7n);
  e.bigloop(700);
  assert.equal(e.tried(30_000), 30_000);
  // Units of the padded functions, 2 (huge) to 5 (bigloop), by their keys ("index loop meter loop").
  const keys = savedUnits(moduleInfo(module), false, true).map(([key]) => String(key)).filter((k) =>
    /^[2-5] /.test(k)
  );
  const of = (f: number) => keys.filter((k) => k.startsWith(`${f} `));
  assert.ok(keys.every((k) => k.endsWith(" loop")), `units: ${keys.join(", ")}`);
  // huge: its loops with a result, the inner one and the br_table one (the outer loop starts 41
  // times a call: not hot); tried: none (its loop is in a try); bigloop: the inner loop only (the
  // outer one is itself huge).
  assert.equal(of(2).length, 3, `units: ${keys.join(", ")}`);
  assert.deepEqual(of(4), []);
  assert.equal(of(5).length, 1, `units: ${keys.join(", ")}`);
  assert.ok(jitCounts.osr - before.osr > 10, "loop code entered again at each start of the loop");
});

Deno.test("a trap in a loop's own code has the backtrace the interpreter gives, and fuel runs out at the same count", () => {
  const failure = (options: object, call: (e: Record<string, Fn>) => unknown) =>
    trapOutcome(instantiate(options).instance, call);
  const divide = (e: Record<string, Fn>) => e.divides(3000);
  const expected = failure(INTERPRETER, divide);
  assert.equal(expected.message, "integer divide by zero");
  assert.equal(expected.frames?.length, 2);
  for (const options of [JS_TIER, ...MIXED]) assert.deepEqual(failure(options, divide), expected);
  const spend = (e: Record<string, Fn>) => e.huge(5000, 3n);
  for (const fuel of [30_000, 200_000]) {
    const outOfFuel = failure({ ...INTERPRETER, fuel }, spend);
    assert.equal(outOfFuel.message, "fuel exhausted");
    for (const options of [JS_TIER, ...MIXED]) {
      assert.deepEqual(failure({ ...options, fuel }, spend), outOfFuel);
    }
  }
});

Deno.test("a huge function called often compiles whole after all, and gives the same results", () => {
  const { module, instance } = instantiate({ tierUp: 150 });
  const tried = instance.exports.tried as Fn;
  const interpreted = instantiate(INTERPRETER).instance.exports.tried as Fn;
  for (let i = 0; i < 150; i++) assert.equal(tried(i * 7), interpreted(i * 7));
  // `tried` is function 4: its whole code's key is 4 · 3 (no meter), a number (see tiering.ts unitKey).
  const keys = savedUnits(moduleInfo(module)).map(([key]) => key);
  assert.ok(keys.includes(12), `units: ${keys.join(", ")}`);
});
