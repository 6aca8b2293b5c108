/**
 * JS-tier regressions found by the differential fuzzer, each as a focused test that runs the JS
 * tier (checked through `jitCounts`), the interpreter and V8 on the same module; plus a replay of
 * every closed case in tests/fuzz/ on the JS tier (tests/fuzz_regression_test.ts replays them on the
 * interpreter only, so a JS-tier bug would pass there).
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { compareOutcomes } from "../fuzz/compare.ts";
import { type FuzzEngine, JS_TIER_OPTIONS, runModule } from "../fuzz/execute.ts";
import type { RegressionCase } from "../fuzz/save.ts";
import { wat } from "./wat.ts";

type Fn = (...args: number[]) => number;

/** Runs `name(args)` on V8, on the JS tier and on the interpreter; returns the three results. */
function onAll(bytes: Uint8Array<ArrayBuffer>, name: string, args: number[]): [number, number, number] {
  const v8 = new globalThis.WebAssembly.Instance(new globalThis.WebAssembly.Module(bytes))
    .exports[name] as Fn;
  const before = jitCounts.compiled;
  const js = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 }).exports[name] as Fn;
  const jsResult = js(...args);
  assert.ok(jitCounts.compiled > before, "the function ran compiled to JS");
  const interp = new W.Instance(new W.Module(bytes), {}, { jit: false }).exports[name] as Fn;
  return [v8(...args), jsResult, interp(...args)];
}

// Fuzz case 7:243 (seed 7, exprgen): `i32.le_u` whose result was dropped, then `local.get` and `if`.
// The JS tier remembered the comparison as the last line written for that stack depth, and neither
// `drop` nor the virtual `local.get` (which writes no line) forgot it: the `if` tested `5 <= l0`
// instead of `l0`. The whole function returned 870195541n instead of 0n, the loop before it having
// run past the iteration where its `br_if` should have left.
Deno.test({
  name: "JS tier: a branch on a value pushed where a dropped comparison was tests that value (fuzz 7:243)",
  fn() {
    const bytes = wat(`(module
      ;; if: the dropped comparison (5 <= x) is false for x = 1, the condition (x) is true
      (func (export "ifLocal") (param $x i32) (result i32)
        i32.const 5 local.get $x i32.le_u drop
        local.get $x
        if (result i32) i32.const 10 else i32.const 20 end)
      ;; br_if on a constant pushed in its place
      (func (export "brIfConst") (param $x i32) (result i32)
        block
          local.get $x i32.const 100 i32.gt_s drop
          i32.const 1
          br_if 0
          i32.const 7
          return
        end
        i32.const 8)
      ;; the same with a constant 0: never taken, whatever the comparison says
      (func (export "brIfZero") (param $x i32) (result i32)
        block
          local.get $x i32.const 100 i32.lt_s drop
          i32.const 0
          br_if 0
          i32.const 7
          return
        end
        i32.const 8)
      ;; a loop whose exit condition follows a dropped comparison (the shape of the fuzz case)
      (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $more i32)
        loop
          local.get $i i32.const 1 i32.add local.tee $i
          i32.const 4 i32.lt_u local.set $more
          local.get $i local.get $n i32.lt_u drop
          local.get $more
          br_if 0
        end
        local.get $i)
      ;; a comparison used directly still fuses, and still branches right
      (func (export "fused") (param $x i32) (result i32)
        local.get $x i32.const 5 i32.le_u
        if (result i32) i32.const 10 else i32.const 20 end))`);
    const cases: [string, number[], number][] = [
      ["ifLocal", [1], 10],
      ["ifLocal", [0], 20],
      ["ifLocal", [9], 10],
      ["brIfConst", [0], 8],
      ["brIfConst", [500], 8],
      ["brIfZero", [0], 7],
      ["brIfZero", [500], 7],
      ["loop", [100], 4],
      ["loop", [1], 4],
      ["fused", [3], 10],
      ["fused", [6], 20],
    ];
    for (const [name, args, expected] of cases) {
      assert.deepEqual(onAll(bytes, name, args), [expected, expected, expected], `${name}(${args})`);
    }
  },
});

Deno.test({
  name: "JS tier: every closed fuzz regression case behaves as V8 did",
  fn() {
    const dir = new URL("./fuzz/", import.meta.url).pathname;
    const names = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".json")).map((e) => e.name);
    assert.ok(names.length > 0, "tests/fuzz/ holds cases");
    for (const name of names) {
      const entry = JSON.parse(Deno.readTextFileSync(dir + name)) as RegressionCase;
      if (entry.open) continue;
      const bytes = Deno.readFileSync(dir + name.replace(/\.json$/, ".wasm"));
      const got = runModule(W as unknown as FuzzEngine, bytes, JS_TIER_OPTIONS);
      assert.equal(got.exhausted, undefined, `${name}: ran out of fuel or time`);
      const mismatch = compareOutcomes(got, entry.v8);
      assert.equal(mismatch, undefined, `${name}: ${mismatch?.detail}`);
    }
  },
});
