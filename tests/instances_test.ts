/**
 * Many instances of one module: nothing an instance alone kept outlives it. A child process (with
 * `--expose-gc`) creates, calls and drops 4 × 1,000 instances of a small module on each tier and
 * reports the heap after a full GC; the heap it keeps must stay under a fixed bound, not grow with
 * the number of dropped instances. (Compiling a distinct JS source per instance once kept every
 * compiled function alive in V8's compilation cache: 8 MB per 1,000 instances.)
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { DEFAULT_TIER_UP } from "../src/runtime/objects.ts";

const CHILD = new URL("./instances_child.ts", import.meta.url);
/** What 4,000 dropped instances may leave behind in all: the bound is 1 MB per 1,000. */
const BOUND = 1_000_000;

function heapAfterRounds(options: object): { perRound: number; heap: number[] } {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", CHILD.pathname, JSON.stringify(options)],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

for (
  const [tier, options] of [
    ["JS tier", { tierUp: 0 }],
    ["default tiering, hot", { tierUp: 150 }],
    ["interpreter", { jit: false }],
  ] as const
) {
  Deno.test(`4,000 dropped instances (${tier}) keep less than 1 MB of heap`, () => {
    const { perRound, heap } = heapAfterRounds(options);
    const kept = heap[heap.length - 1] - heap[0];
    const mb = heap.map((h) => ((h - heap[0]) / 1e6).toFixed(2)).join(", ");
    assert.ok(kept < BOUND, `heap kept after rounds of ${perRound} instances: ${mb} MB`);
  });
}

Deno.test("instances of one module share its compiled code: a second instance generates no JS source", () => {
  const module = new W.Module(Deno.readFileSync(new URL("../bench/wasm/sha256.wasm", import.meta.url)));
  const run = (options: object) => {
    const before = { ...jitCounts };
    const result = (new W.Instance(module, {}, options).exports.run as (n: number) => number)(3);
    return {
      result,
      sources: jitCounts.sources - before.sources,
      compiled: jitCounts.compiled - before.compiled,
    };
  };
  const first = run({ tierUp: 0 });
  assert.ok(first.sources > 0 && first.compiled === first.sources, JSON.stringify(first));
  const second = run({ tierUp: 0 });
  assert.deepEqual(second, { ...first, sources: 0 }, "the second instance binds the first one's code");
  // Another kind of meter is another source (it charges fuel), generated once too.
  const fueled = run({ tierUp: 0, fuel: 1e9 });
  assert.ok(fueled.sources > 0);
  assert.deepEqual(run({ tierUp: 0, fuel: 1e9 }), { ...fueled, sources: 0 });
});

/** The default budget, flat (a module as small as fib.wasm compiles at the first call by default). */
const HEAT = { tierUp: DEFAULT_TIER_UP };

Deno.test("a function that got hot in one instance starts compiled in the next one", () => {
  const module = new W.Module(Deno.readFileSync(new URL("../bench/wasm/fib.wasm", import.meta.url)));
  const compiledBy = (n: number) => {
    const before = jitCounts.compiled;
    assert.equal(
      (new W.Instance(module, {}, HEAT).exports.run as (n: number) => number)(n),
      [0, 1, 1, 2, 3, 5][n] ?? 6765,
    );
    return jitCounts.compiled - before;
  };
  assert.equal(compiledBy(1), 0, "run(1) calls fib once: both cold");
  assert.equal(compiledBy(20), 1, "run(20) calls fib about 22,000 times: fib gets hot, run (once) not");
  assert.equal(compiledBy(1), 1, "fib is called once, but it is hot in the module already");
});
