/**
 * Run by tests/instances_test.ts as `deno run --v8-flags=--expose-gc`: creates, calls and drops
 * `ROUNDS` × `PER_ROUND` instances of one module with the engine options given as JSON in the first
 * argument, and prints the heap in use after a full GC at the start and after each round (bytes,
 * one JSON line).
 */
import { WebAssembly as W } from "../mod.ts";

const ROUNDS = 4, PER_ROUND = 1000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
const options = JSON.parse(Deno.args[0] ?? "{}");
const module = new W.Module(Deno.readFileSync(new URL("../bench/wasm/fib.wasm", import.meta.url)));

function round(n: number): void {
  for (let i = 0; i < n; i++) {
    const instance = new W.Instance(module, {}, options);
    if ((instance.exports.run as (n: number) => number)(12) !== 144) throw new Error("fib(12) is not 144");
  }
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

round(100); // warm: whatever is kept once (compiled code of the module's functions) is kept by now
const heap = [heapAfterGc()];
for (let r = 0; r < ROUNDS; r++) {
  round(PER_ROUND);
  heap.push(heapAfterGc());
}
console.log(JSON.stringify({ perRound: PER_ROUND, heap }));
