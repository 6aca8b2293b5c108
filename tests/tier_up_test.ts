/**
 * Tiering by hotness (src/engine/tiering.ts): functions start on the interpreter and move to the JS
 * tier when hot; a loop that gets hot in the middle of a call hands the rest of that call to compiled
 * code entered at the loop (on-stack replacement, src/interp/run.ts and `Compiler.osr`). A call that
 * runs partly on each tier must give what either tier alone gives: results, fuel, profiles, traps and
 * their backtraces. `tierUp` (the heat budget) is set small here so that the switch happens early.
 */
import assert from "node:assert/strict";
import { fuelConsumed, profileOf, WebAssembly as Ours } from "../mod.ts";
import { PROGRAMS } from "../bench/programs.ts";
import { jitCounts, jitFailures } from "../src/engine/tiering.ts";
import { DEFAULT_TIER_UP, SMALL_MODULE_CODE_BYTES } from "../src/runtime/objects.ts";
import { generateBigModule } from "../bench/big_module.ts";
import { wat } from "./wat.ts";
import { trapOutcome } from "./trap_outcome.ts";

type Fn = (...args: unknown[]) => unknown;

const INTERPRETER = { jit: false };
const JS_TIER = { tierUp: 0 };
/**
 * Heat budgets that switch tiers after a few iterations, and the default one (for a module this small:
 * compiled at the first call, see `SMALL_MODULE_CODE_BYTES`). In `nested`, 150 enters
 * at the inner loop (then branch, block), 330 with n = 60 at the loop in the else branch.
 */
const MIXED = [{ tierUp: 150 }, { tierUp: 330 }, {}];

/**
 * Loops at every kind of place on the path from the function body: inside a block inside an `if`'s
 * then branch inside an outer loop, in an `else` branch, after code that left values in locals of
 * every type. Each result mixes all the locals, so a local the compiled code failed to take over
 * from the interpreter's frame changes it.
 */
const LOOPS = `(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func $bump (param i32) (result i32) (global.set $g (i32.add (global.get $g) (local.get 0))) (global.get $g))
  (func (export "nested") (param $n i32) (param $salt i64) (result i64)
    (local $i i32) (local $j i32) (local $w i64) (local $x f32) (local $y f64) (local $r externref)
    (local.set $w (local.get $salt))
    (local.set $x (f32.const 1.25))
    (local.set $y (f64.const -3.5))
    (loop $outer
      (if (i32.eqz (i32.and (local.get $i) (i32.const 1)))
        (then
          (block $done
            (local.set $j (i32.const 0))
            (loop $inner
              (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
              (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 0x100000001b3))
                                     (i64.extend_i32_u (local.get $j))))
              (local.set $x (f32.add (local.get $x) (f32.const 0.5)))
              (i32.store (i32.shl (i32.and (local.get $j) (i32.const 255)) (i32.const 2)) (local.get $j))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $inner))))
        (else
          (local.set $j (local.get $n))
          (loop $down
            (local.set $y (f64.add (local.get $y) (f64.convert_i32_s (local.get $j))))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br_if $down (i32.gt_s (local.get $j) (i32.const 0))))))
      (drop (call $bump (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 6))))
    (i64.add (i64.add (local.get $w) (i64.trunc_f64_s (local.get $y)))
      (i64.add (i64.extend_i32_u (i32.reinterpret_f32 (local.get $x)))
               (i64.extend_i32_u (i32.add (global.get $g) (i32.load (i32.const 40)))))))
  (func $leaf (export "leaf") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.div_u (i32.const 100) (i32.sub (local.get $i) (i32.const 50))))
  (func $middle (param $n i32) (result i32) (i32.add (call $leaf (local.get $n)) (i32.const 1)))
  (func (export "outer") (param $n i32) (result i32) (i32.mul (call $middle (local.get $n)) (i32.const 2))))`;

/** Calls taken over by compiled code while `nested` ran (see `run`). */
let nestedOsr = 0;

function run(options: object, n: number): { results: unknown[]; fuel?: number; profile?: unknown } {
  const instance = new Ours.Instance(new Ours.Module(wat(LOOPS)), {}, options);
  const e = instance.exports as Record<string, Fn>;
  const osrBefore = jitCounts.osr;
  const results = [e.nested(n, 7n), e.nested(n, -1n)];
  nestedOsr = jitCounts.osr - osrBefore;
  results.push(e.outer(n), e.outer(n * 3));
  return { results, fuel: fuelConsumed(instance), profile: profileOf(instance) };
}

Deno.test({
  name: "tier-up in the middle of a loop: the same results, fuel and profile as either tier alone",
  fn() {
    for (const n of [60, 500, 3000]) {
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(wat(LOOPS))).exports as Record<string, Fn>;
      const expected = [v8.nested(n, 7n), v8.nested(n, -1n), v8.outer(n), v8.outer(n * 3)];
      for (const meter of [{}, { fuel: 1e12, profile: true }, { fuel: 1e12 }, { timeoutMs: 60_000 }]) {
        const alone = run({ ...INTERPRETER, ...meter }, n);
        assert.deepEqual(alone.results, expected, `interpreter, n = ${n}`);
        assert.deepEqual(run({ ...JS_TIER, ...meter }, n), alone, `JS tier, n = ${n}`);
        for (const mixed of MIXED) {
          assert.deepEqual(run({ ...mixed, ...meter }, n), alone, `${JSON.stringify(mixed)}, n = ${n}`);
          if ("tierUp" in mixed) {
            assert.equal(nestedOsr, 1, `${JSON.stringify(mixed)}, n = ${n}: OSR in nested`);
          }
        }
      }
    }
    assert.deepEqual(jitFailures, []);
  },
});

Deno.test({
  name:
    "a trap after the tier-up has the backtrace either tier alone gives, and fuel runs out at the same count",
  fn() {
    const failure = (options: object, call: (e: Record<string, Fn>) => unknown) =>
      trapOutcome(new Ours.Instance(new Ours.Module(wat(LOOPS)), {}, options), call);
    // leaf's loop runs 50 times, then divides by zero, two calls deep below the export.
    const divide = (e: Record<string, Fn>) => e.outer(50);
    const expected = failure(INTERPRETER, divide);
    assert.equal(expected.message, "integer divide by zero");
    assert.equal(expected.frames?.length, 3);
    for (const options of [JS_TIER, ...MIXED]) assert.deepEqual(failure(options, divide), expected);
    // Fuel that runs out inside the inner loop, after the switch.
    const spend = (e: Record<string, Fn>) => e.nested(2000, 3n);
    const budget = { fuel: 20_000 };
    const outOfFuel = failure({ ...INTERPRETER, ...budget }, spend);
    assert.equal(outOfFuel.message, "fuel exhausted");
    for (const options of [JS_TIER, ...MIXED]) {
      assert.deepEqual(failure({ ...options, ...budget }, spend), outOfFuel);
    }
  },
});

Deno.test({
  name: "the bench kernels give the same results, fuel and profiles when they tier up mid-call",
  fn() {
    for (const program of PROGRAMS) {
      const bytes = Deno.readFileSync(new URL(`../bench/wasm/${program.file}`, import.meta.url));
      const n = Math.max(1, Math.floor(program.arg / 50));
      const measure = (options: object) => {
        const instance = new Ours.Instance(new Ours.Module(bytes), {}, {
          fuel: 1e12,
          profile: true,
          ...options,
        });
        const result = (instance.exports.run as Fn)(n);
        return { result, fuel: fuelConsumed(instance), profile: profileOf(instance) };
      };
      const alone = measure(INTERPRETER);
      for (const options of MIXED) {
        assert.deepEqual(measure(options), alone, `${program.name} ${JSON.stringify(options)}`);
      }
    }
    assert.deepEqual(jitFailures, []);
  },
});

Deno.test({
  name: "tiering by heat: cold code stays on the interpreter, a hot loop moves its call to the JS tier once",
  fn() {
    // The default budget, as a big module's functions have it (a small module's compile at once).
    const instance = new Ours.Instance(new Ours.Module(wat(LOOPS)), {}, { tierUp: DEFAULT_TIER_UP });
    const leaf = instance.exports.leaf as Fn;
    const before = { ...jitCounts };
    assert.equal(leaf(60), 10); // 60 iterations: cold
    assert.deepEqual({ ...jitCounts }, before);
    assert.equal(leaf(100_000), 0); // hot within the call: compiled, entered at the loop
    assert.equal(jitCounts.compiled - before.compiled, 1);
    assert.equal(jitCounts.osr - before.osr, 1);
    assert.equal(leaf(100_000), 0); // from now on compiled from the start: no OSR again
    assert.equal(jitCounts.osr - before.osr, 1);
  },
});

Deno.test("by default a small module compiles at the first call, a big one keeps the heat budget", () => {
  const compiledByOneCall = (bytes: Uint8Array, name: string) => {
    const before = jitCounts.compiled;
    (new Ours.Instance(new Ours.Module(bytes), {}).exports[name] as Fn)(1);
    return jitCounts.compiled - before;
  };
  const fib = Deno.readFileSync(new URL("../bench/wasm/fib.wasm", import.meta.url));
  assert.equal(compiledByOneCall(fib, "run"), 2, "fib.wasm (158 bytes): run and fib");
  // Function bodies a little over the bound (the code section also holds each body's size).
  const big = generateBigModule({ targetCodeBytes: SMALL_MODULE_CODE_BYTES + (64 << 10) });
  assert.equal(compiledByOneCall(big.bytes, "entry"), 0, `${big.codeBytes} bytes of code: one call is cold`);
});

Deno.test("without a JIT in the host (--jitless), functions are compiled at their first call by default", () => {
  const run = (flags: string[]) => {
    const child = new URL("./jitless_child.ts", import.meta.url).pathname;
    const out = new Deno.Command(Deno.execPath(), { args: ["run", "-A", ...flags, child], stdout: "piped" })
      .outputSync();
    assert.equal(out.code, 0);
    return JSON.parse(new TextDecoder().decode(out.stdout));
  };
  assert.deepEqual(run([]), { result: 0, compiled: 0 }, "with V8's JIT: one call is cold");
  assert.deepEqual(
    run(["--v8-flags=--jitless"]),
    { result: 0, compiled: 1 },
    "jitless: entry compiled",
  );
});
