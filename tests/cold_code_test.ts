/**
 * Lowered code that has not run for a while is let go of and lowered again when called
 * (interp/lower.ts `lowering`). With a period of one op every new lowering lets go of all that did
 * not just run, frames on the stack and frames with a handler included: results, fuel and
 * backtraces must stay those of a run that keeps everything.
 */
import assert from "node:assert/strict";
import { fuelConsumed, WebAssembly as W } from "../mod.ts";
import { lowering, loweringCounts } from "../src/interp/lower.ts";
import { trapOutcome } from "./trap_outcome.ts";
import { wat } from "./wat.ts";

const LEAVES = 60, PHASES = 6;

/**
 * `run(n)` goes through phases, each calling its own leaves n times (so each phase lowers new code
 * while `run`, entered once, stays on the stack), and catches an exception thrown two calls down;
 * `trap(n)` recurses n deep, calling a leaf at each level, into `unreachable`.
 */
function program(): Uint8Array {
  const leaves = Array.from(
    { length: LEAVES },
    (_, i) =>
      `(func $leaf${i} (param i32) (result i32) local.get 0 i32.const ${
        i * 7 + 3
      } i32.mul i32.const ${i} i32.xor)`,
  );
  const phase = (p: number) => {
    const calls = Array.from(
      { length: LEAVES / PHASES },
      (_, k) => `local.get $acc call $leaf${p * (LEAVES / PHASES) + k} local.set $acc`,
    ).join("\n");
    return `(local.set $i (i32.const 0))
      (loop $again ${calls}
        (local.set $acc (i32.add (local.get $acc) (call $catcher (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (local.get 0))))`;
  };
  return wat(`(module
    (tag $e (param i32))
    ${leaves.join("\n")}
    (func $thrower (param i32) (if (i32.and (local.get 0) (i32.const 1)) (then (throw $e (local.get 0)))))
    (func $middle (param i32) local.get 0 call $thrower)
    (func $catcher (param i32) (result i32)
      (block $caught (result i32)
        (try_table (catch $e $caught) (call $middle (local.get 0)))
        (i32.const 1000))
      (i32.const 3) i32.mul)
    (func (export "run") (param i32) (result i32) (local $acc i32) (local $i i32)
      ${Array.from({ length: PHASES }, (_, p) => phase(p)).join("\n")}
      local.get $acc)
    (func $deep (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then unreachable))
      (call $deep (i32.sub (local.get 0) (i32.const 1)))
      (call $leaf0 (local.get 0))
      i32.add)
    (func (export "trap") (param i32) (result i32) (call $deep (local.get 0))))`);
}

type Fn = (n: number) => number;

for (
  const [tier, options] of [
    ["interpreter", { jit: false, fuel: 1e9 }],
    ["default tiering", { tierUp: 2_000, fuel: 1e9 }],
  ] as const
) {
  Deno.test(`code let go of and lowered again runs as code kept (${tier})`, () => {
    const bytes = program();
    const outcome = () => {
      const run = new W.Instance(new W.Module(bytes), {}, options);
      const result = (run.exports.run as Fn)(50);
      const fuel = fuelConsumed(run);
      const trap = trapOutcome(new W.Instance(new W.Module(bytes), {}, options), (e) => e.trap(40));
      return { result, fuel, trap };
    };
    const lowerings = () => {
      const before = { letGo: lowering.letGo, lowered: loweringCounts.functions };
      const result = outcome();
      return {
        result,
        lost: lowering.letGo - before.letGo,
        lowered: loweringCounts.functions - before.lowered,
      };
    };
    const withPeriod = (ops: number) => {
      const saved = lowering.periodOps;
      lowering.periodOps = ops;
      try {
        return lowerings();
      } finally {
        lowering.periodOps = saved;
      }
    };
    const kept = withPeriod(Infinity), letGo = withPeriod(1);
    assert.deepEqual(letGo.result, kept.result);
    assert.equal(kept.result.trap.message, "unreachable");
    assert.equal(kept.lost, 0);
    assert.ok(letGo.lost > LEAVES, `${letGo.lost} functions let go of`);
    assert.ok(letGo.lowered > kept.lowered, `${letGo.lowered} lowerings, ${kept.lowered} without letting go`);
  });
}
