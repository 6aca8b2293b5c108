/**
 * Run by tests/tier_up_test.ts with and without `--v8-flags=--jitless`: one call of fib.wasm's `run(1)`
 * with default options, then prints how many functions that compiled to JS (JSON).
 */
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";

const module = new W.Module(Deno.readFileSync(new URL("../bench/wasm/fib.wasm", import.meta.url)));
const result = (new W.Instance(module, {}).exports.run as (n: number) => number)(1);
console.log(JSON.stringify({ result, compiled: jitCounts.compiled }));
