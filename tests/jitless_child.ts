/**
 * Run by tests/tier_up_test.ts with and without `--v8-flags=--jitless`: one call of a big module's
 * `entry` (big enough to keep the heat budget by default, see `SMALL_MODULE_CODE_BYTES`) with default
 * options, then prints what it returned and how many functions that compiled to JS (JSON).
 */
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { SMALL_MODULE_CODE_BYTES } from "../src/runtime/objects.ts";
import { generateBigModule } from "../bench/big_module.ts";

const module = new W.Module(
  generateBigModule({ targetCodeBytes: SMALL_MODULE_CODE_BYTES + (64 << 10) }).bytes,
);
const result = (new W.Instance(module, {}).exports.entry as () => number)();
console.log(JSON.stringify({ result, compiled: jitCounts.compiled }));
