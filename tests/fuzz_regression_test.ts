/**
 * Replays the differential fuzzer's regression cases (tests/fuzz/*.wasm + .json, written by
 * `deno task fuzz`) on wasmrun, on both tiers: each must now behave as V8 did. Cases still marked `"open"` are
 * known engine bugs and are skipped (shown as ignored) until fixed. Also checks the fuzzer's own
 * comparison on a small hand-written module, so a harness that compares nothing would fail here.
 */
import assert from "node:assert/strict";
import { WebAssembly as Wasmrun } from "../mod.ts";
import { compareOutcomes } from "../fuzz/compare.ts";
import {
  type FuzzEngine,
  GUARD_OPTIONS,
  JS_TIER_OPTIONS,
  type Outcome,
  runModule,
  TIERED_OPTIONS,
} from "../fuzz/execute.ts";
import type { RegressionCase } from "../fuzz/save.ts";
import { generateExprModule } from "../fuzz/exprgen.ts";
import { printWat } from "../src/text/print.ts";
import { wat } from "./wat.ts";
import { skipIf } from "./skips.ts";

const DIR = new URL("./fuzz/", import.meta.url).pathname;
const ours = Wasmrun as unknown as FuzzEngine;
const v8 = globalThis.WebAssembly as unknown as FuzzEngine;

const cases = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".json")).map((e) => e.name).sort();

for (const name of cases) {
  const entry = JSON.parse(Deno.readTextFileSync(DIR + name)) as RegressionCase;
  const base = name.slice(0, -".json".length);
  Deno.test({
    name: `fuzz regression ${base}: ${entry.signature}`,
    ignore: skipIf(
      entry.open,
      `fuzz regression ${base}`,
      `a known bug, open ("open": true in tests/fuzz/${name})`,
    ),
    fn() {
      const bytes = Deno.readFileSync(`${DIR}${base}.wasm`);
      const configs = [["interpreter", GUARD_OPTIONS], ["JS tier", JS_TIER_OPTIONS], [
        "tiered",
        TIERED_OPTIONS,
      ]];
      for (const [tier, options] of configs as [string, object][]) {
        const got = runModule(ours, bytes, options);
        assert.equal(got.exhausted, undefined, `${tier}: ran out of fuel or time`);
        const mismatch = compareOutcomes(got, entry.v8);
        assert.equal(mismatch, undefined, `${tier}: ${mismatch?.detail}`);
      }
    },
  });
}

Deno.test({
  name: "fuzz harness: records logs, results, traps, globals and memory, and sees a difference",
  fn() {
    const bytes = wat(`(module
      (import "fuzzing-support" "log-i32" (func $log (param i32)))
      (import "fuzzing-support" "log-f64" (func $logf (param f64)))
      (memory (export "memory") 1 2)
      (global (export "g") (mut i64) (i64.const 5))
      (func (export "hangLimitInitializer"))
      (func (export "f") (result i32)
        (call $log (i32.const 7)) (call $logf (f64.const -0))
        (i32.store (i32.const 8) (i32.const 0x12345678))
        (global.set 0 (i64.const -1))
        (i32.const 42))
      (func (export "g64") (param i64 f32) (result i64 f32) (local.get 0) (local.get 1))
      (func (export "oob") (drop (i32.load (i32.const 65536))))
      (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0))))`);
    const a = runModule(ours, bytes, GUARD_OPTIONS), b = runModule(v8, bytes);
    const expected: Outcome = {
      compile: "ok",
      instantiate: "ok",
      events: [
        "call hangLimitInitializer -> void",
        "log log-i32 7",
        "log log-f64 -0",
        "call f -> 42",
        "call g64 -> [0n, 0]",
        "call oob -> trap:oob-memory",
        "call div -> trap:div-zero",
        // Then each export with parameters once more, with edge values.
        "call g64(1n, 2147483648) -> [1n, 2147483648]",
        "call div(-1) -> -1",
      ],
      globals: ["g=-1n"],
      memory: b.memory,
    };
    assert.deepEqual(b, expected);
    assert.equal(compareOutcomes(a, b), undefined, JSON.stringify(a));
    // Any change to what was observed is a mismatch.
    const changed: Outcome = { ...b, events: b.events.map((e) => e.replace("-> 42", "-> 43")) };
    assert.match(compareOutcomes(a, changed)!.detail, /ours call f -> 42, V8 call f -> 43/);
    assert.equal(compareOutcomes(a, { ...b, memory: "1:00000000" })!.signature, "memory");
    assert.equal(compareOutcomes(a, { ...b, globals: ["g=5n"] })!.signature, "globals");
  },
});

Deno.test({
  name:
    "fuzz harness: binaryen's fuzzing-support imports (throw, call-export, tags) act alike on both engines",
  fn() {
    const bytes = wat(`(module
      (import "fuzzing-support" "log-i32" (func $log (param i32)))
      (import "fuzzing-support" "throw" (func $throw (param i32)))
      (import "fuzzing-support" "call-export-catch" (func $catch (param i32) (result i32)))
      (import "fuzzing-support" "log-v128" (func $logv (param v128)))
      (import "fuzzing-support" "wasmtag" (tag $wt (param i32)))
      (tag $t (export "t") (param i32 i64))
      (memory (export "m0") 1) (memory (export "m1") i64 1)
      (table (export "table") 2 funcref)
      (func $thrower (export "thrower") (call $throw (i32.const 5)))
      (func (export "caught") (result i32)
        (block $h (result i32)
          (try_table (catch $wt $h) (call $throw (i32.const 9)))
          (i32.const -1)))
      (func (export "js-caught") (result i32)
        (block $h (try_table (catch_all $h) (call $logv (v128.const i64x2 0 0))))
        (call $catch (i32.const 4)))
      (func (export "escapes") (throw $t (i32.const 3) (i64.const -4)))
      (func (export "v128") (result v128) (i64.store (i32.const 0) (i64.const 1)) (v128.const i64x2 0 0)))`);
    const a = runModule(ours, bytes, GUARD_OPTIONS), b = runModule(v8, bytes);
    assert.deepEqual(b.events, [
      "call thrower -> exception wasmtag(5)",
      "call caught -> 9",
      "call js-caught -> 1",
      "call escapes -> exception t(3, -4n)",
      "call v128 -> TypeError",
    ]);
    assert.equal(b.tables?.[0], "table[2]=null,null");
    assert.equal(b.memory?.split(" ").length, 2);
    assert.equal(compareOutcomes(a, b), undefined, JSON.stringify(a));
    assert.equal(compareOutcomes(runModule(ours, bytes, JS_TIER_OPTIONS), b), undefined);
  },
});

Deno.test({
  name: "fuzz generator: exprgen's Wasm 3.0 modules are valid and use what they should",
  fn() {
    let memories = 0, tails = 0, tags = 0;
    for (let i = 0n; i < 40n; i++) {
      const bytes = generateExprModule(i * 7919n + 3n, { wasm3: true, exceptions: true });
      const module = new globalThis.WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>); // V8 validates it
      const exports = globalThis.WebAssembly.Module.exports(module);
      if (exports.some((e) => e.name === "memory1")) memories++;
      if (exports.some((e) => e.name === "tag")) tags++;
      if (/return_call/.test(printWat(bytes))) tails++;
      assert.ok(exports.some((e) => e.name === "c0"), "an extended-const global");
    }
    assert.ok(memories > 10 && tags === 40 && tails > 10, `${memories} ${tags} ${tails}`);
  },
});
