/**
 * The call-depth limit is exact and the same on every tier: the deepest recursion that runs under
 * `maxCallDepth` is one number, whether the frames are interpreted, compiled to JS (which counts
 * them in its own variables and passes what is left to direct callees), or both, and whichever way
 * the calls go: direct, indirect (the callee reads the machine's registers), after a caught exception,
 * after tail calls. (A call from JS starts a new count: recursion through a JS import is bounded by
 * the JS stack, tests/limits_test.ts.)
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { wat } from "./wat.ts";

const TIERS = [
  { tier: "interpreter", options: { jit: false } },
  { tier: "JS tier", options: { tierUp: 0 } },
  { tier: "tier-up mid-run", options: { tierUp: 150 } },
] as const;

const MAX_DEPTH = 300;

// Each export recurses n levels deep one way, and returns n.
const MODULE = `(module
  (type $t (func (param i32) (result i32)))
  (tag $e)
  (table 1 funcref)
  (elem (i32.const 0) $indirect)
  (func $direct (export "direct") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $direct i32.const 1 i32.add end)
  (func $indirect (export "indirect") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub i32.const 0 call_indirect (type $t) i32.const 1 i32.add end)
  ;; throws from 20 frames down, catches it, then recurses directly
  (func $throwDown (param i32)
    local.get 0 i32.eqz if throw $e end
    local.get 0 i32.const 1 i32.sub call $throwDown)
  (func (export "afterCatch") (param i32) (result i32)
    block $h (try_table (catch_all $h) i32.const 20 call $throwDown) end
    local.get 0 call $direct)
  ;; tail calls in a loop of 50, then direct recursion from where they ended
  (func $tail (param i32 i32) (result i32)
    local.get 1 i32.eqz if (result i32) local.get 0 call $direct
    else local.get 0 local.get 1 i32.const 1 i32.sub return_call $tail end)
  (func (export "afterTail") (param i32) (result i32) local.get 0 i32.const 50 call $tail))`;

/** The largest n for which `f(n)` runs (it traps with "call stack exhausted" beyond). */
function deepest(f: (n: number) => number): number {
  let n = 0;
  for (;; n++) {
    try {
      assert.equal(f(n), n);
    } catch (e) {
      assert.ok(e instanceof W.RuntimeError, String(e));
      assert.equal(e.message, "call stack exhausted");
      return n - 1;
    }
  }
}

for (const way of ["direct", "indirect", "afterCatch", "afterTail"]) {
  Deno.test(`maxCallDepth is exact and the same on every tier: recursion ${way}`, () => {
    const found = TIERS.map(({ options }) => {
      const inst = new W.Instance(new W.Module(wat(MODULE)), {}, { ...options, maxCallDepth: MAX_DEPTH });
      const f = inst.exports[way] as (n: number) => number;
      // Twice: what the first run leaves behind (a trap deep down) must not change the second.
      return [deepest(f), deepest(f)];
    });
    for (let i = 1; i < TIERS.length; i++) assert.deepEqual(found[i], found[0], TIERS[i].tier);
    // A call from JS counts as one frame, each level one more: `direct` gets to MAX_DEPTH - 1.
    if (way === "direct") assert.deepEqual(found[0], [MAX_DEPTH - 1, MAX_DEPTH - 1]);
  });
}

// An interpreted frame calls compiled code twice: what the first call leaves in the machine's
// registers (it wrote them for a call of its own) must not shorten the second one's recursion.
const CALLEE = `(module
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $leaf)
  (func $leaf)
  (func (export "touch") i32.const 0 call_indirect (type $v))
  (func $direct (export "direct") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $direct i32.const 1 i32.add end))`;
const CALLER = `(module
  (import "b" "touch" (func $touch))
  (import "b" "direct" (func $direct (param i32) (result i32)))
  (func (export "run") (param i32) (result i32) call $touch local.get 0 call $direct))`;

Deno.test("maxCallDepth is exact when an interpreted frame calls compiled code again", () => {
  const found = [{ jit: false }, { tierUp: 0 }].map((calleeOptions) => {
    const b = new W.Instance(new W.Module(wat(CALLEE)), {}, { ...calleeOptions, maxCallDepth: MAX_DEPTH });
    const a = new W.Instance(new W.Module(wat(CALLER)), { b: b.exports }, {
      jit: false,
      maxCallDepth: MAX_DEPTH,
    });
    return deepest(a.exports.run as (n: number) => number);
  });
  assert.equal(found[1], found[0]);
  assert.equal(found[0], MAX_DEPTH - 2); // run's frame, then direct's n + 1
});
