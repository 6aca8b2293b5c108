/**
 * The JS tier's rewrites of what unoptimized C code is full of (jit/compile.ts `negateCompare`,
 * jit/numeric.ts `i32.and`, `effectiveAddress`): a comparison under `i32.eqz` is negated in place,
 * a comparison masked with 1 is itself, a constant address is one number, a global is set from the
 * local or constant it is given. Each as a value and as a branch condition, floats with NaN
 * included, against V8 and the interpreter.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { wat } from "./wat.ts";

type Fn = (...args: (number | bigint)[]) => unknown;

const MODULE = `(module
  (memory 1)
  (data (i32.const 16) "\\2a\\00\\00\\00\\07\\00\\00\\00")
  ;; eqz of a comparison, kept as a value
  (func (export "notLess") (param $a i32) (param $b i32) (result i32)
    (i32.eqz (i32.lt_s (local.get $a) (local.get $b))))
  ;; eqz of eqz of a comparison
  (func (export "twice") (param $a i32) (param $b i32) (result i32)
    (i32.eqz (i32.eqz (i32.gt_u (local.get $a) (local.get $b)))))
  ;; eqz of a float comparison: NaN compares false, so its eqz is 1
  (func (export "notLt") (param $a f64) (param $b f64) (result i32)
    (i32.eqz (f64.lt (local.get $a) (local.get $b))))
  ;; a comparison masked with 1, then eqz, as a branch condition (clang -O0's bool)
  (func (export "branch") (param $a i32) (param $b i32) (result i32)
    (block
      (br_if 0 (i32.eqz (i32.and (i32.gt_s (local.get $a) (local.get $b)) (i32.const 1))))
      (return (i32.const 100)))
    (i32.const 200))
  ;; masked with 1 as a value, and a comparison's own variable as its operand
  (func (export "masked") (param $a i32) (result i32)
    (i32.and (i32.ge_s (local.get $a) (i32.const 3)) (i32.const 1)))
  ;; masked with something else than 1 stays an and
  (func (export "maskedTwo") (param $a i32) (result i32)
    (i32.and (i32.ge_s (local.get $a) (i32.const 3)) (i32.const 2)))
  ;; globals set from locals (changed right after) and constants
  (global $g (mut i32) (i32.const 0))
  (global $h (mut i64) (i64.const 0))
  (global $d (mut f64) (f64.const 0))
  (func (export "globals") (param $a i32) (param $b i64) (param $c f64) (result i64)
    (global.set $g (local.tee $a (i32.add (local.get $a) (i32.const 1))))
    (local.set $a (i32.const 99))
    (global.set $h (local.get $b))
    (local.set $b (i64.const 5))
    (global.set $d (local.get $c))
    (local.set $c (f64.const 1))
    (i64.add (i64.add (i64.extend_i32_u (global.get $g)) (global.get $h))
      (i64.add (i64.reinterpret_f64 (global.get $d)) (i64.add (local.get $b) (i64.extend_i32_u (local.get $a))))))
  (func (export "globalConst") (result i64)
    (global.set $h (i64.const -81985529216486896))
    (global.set $g (i32.const -7))
    (i64.add (global.get $h) (i64.extend_i32_s (global.get $g))))
  ;; loads and stores at constant addresses (with offsets), and one past the end
  (func (export "constLoad") (param $at i32) (result i32)
    (i32.store offset=8 (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.load offset=4 (i32.const 16))))
    (i32.add (i32.load offset=24 (i32.const 0)) (i32.load (local.get $at)))))`;

const CALLS: [string, (number | bigint)[]][] = [
  ["globals", [41, -3n, -0]],
  ["globals", [-1, 1n << 62n, 2.5]],
  ["globalConst", []],
  ["notLess", [1, 2]],
  ["notLess", [2, 1]],
  ["notLess", [-5, -5]],
  ["twice", [-1, 1]],
  ["twice", [1, -1]],
  ["notLt", [1, 2]],
  ["notLt", [2, 1]],
  ["notLt", [NaN, 1]],
  ["notLt", [1, NaN]],
  ["branch", [5, 3]],
  ["branch", [3, 5]],
  ["branch", [-1, -1]],
  ["masked", [3]],
  ["masked", [2]],
  ["maskedTwo", [7]],
  ["constLoad", [0]],
  ["constLoad", [20]],
];

function outcome(f: Fn, args: (number | bigint)[]): unknown {
  try {
    return f(...args);
  } catch (e) {
    return `trap: ${(e as Error).message}`;
  }
}

Deno.test("JS tier: negated and masked comparisons, constant addresses and globals set from locals give V8's results", () => {
  const bytes = wat(MODULE);
  const v8 = new globalThis.WebAssembly.Instance(new globalThis.WebAssembly.Module(bytes)).exports;
  const before = jitCounts.compiled;
  const js = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 }).exports;
  const interp = new W.Instance(new W.Module(bytes), {}, { jit: false }).exports;
  for (const [name, args] of CALLS) {
    const expected = outcome(v8[name] as Fn, args);
    assert.equal(outcome(js[name] as Fn, args), expected, `JS tier: ${name}(${args})`);
    assert.equal(outcome(interp[name] as Fn, args), expected, `interpreter: ${name}(${args})`);
  }
  assert.ok(jitCounts.compiled - before >= 9, "the functions ran compiled");
  // Out of bounds at a constant address traps on both tiers as on V8.
  const past = wat(
    `(module (memory 1) (func (export "f") (result i32) (i32.load offset=65533 (i32.const 0))))`,
  );
  const message = (f: Fn) => outcome(f, []);
  const expected = message(
    new globalThis.WebAssembly.Instance(new globalThis.WebAssembly.Module(past)).exports.f as Fn,
  );
  assert.match(String(expected), /^trap: .*out of bounds/);
  for (const options of [{ tierUp: 0 }, { jit: false }]) {
    const f = new W.Instance(new W.Module(past), {}, options).exports.f as Fn;
    assert.match(String(message(f)), /^trap: out of bounds memory access$/);
  }
});
