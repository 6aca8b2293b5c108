/**
 * Replays the differential fuzzer's regression cases (tests/fuzz/*.wasm + .json, written by
 * `deno task fuzz`) on wasmrun: each must now behave as V8 did. Cases still marked `"open"` are
 * known engine bugs and are skipped (shown as ignored) until fixed. Also checks the fuzzer's own
 * comparison on a small hand-written module, so a harness that compares nothing would fail here.
 */
import assert from "node:assert/strict";
import { WebAssembly as Wasmrun } from "../mod.ts";
import { compareOutcomes } from "../fuzz/compare.ts";
import { type FuzzEngine, GUARD_OPTIONS, type Outcome, runModule } from "../fuzz/execute.ts";
import type { RegressionCase } from "../fuzz/save.ts";
import { wat } from "./wat.ts";

const DIR = new URL("./fuzz/", import.meta.url).pathname;
const ours = Wasmrun as unknown as FuzzEngine;
const v8 = globalThis.WebAssembly as unknown as FuzzEngine;

const cases = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".json")).map((e) => e.name).sort();

for (const name of cases) {
  const entry = JSON.parse(Deno.readTextFileSync(DIR + name)) as RegressionCase;
  const base = name.slice(0, -".json".length);
  Deno.test({
    name: `fuzz regression ${base}: ${entry.signature}`,
    ignore: entry.open,
    fn() {
      const bytes = Deno.readFileSync(`${DIR}${base}.wasm`);
      const got = runModule(ours, bytes, GUARD_OPTIONS);
      assert.equal(got.exhausted, undefined, "ran out of fuel or time");
      const mismatch = compareOutcomes(got, entry.v8);
      assert.equal(mismatch, undefined, mismatch?.detail);
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
