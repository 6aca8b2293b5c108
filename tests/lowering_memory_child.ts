/**
 * Run by tests/lowering_test.ts as `deno run --v8-flags=--expose-gc`: lowers every function of a
 * generated 2 MB module for the interpreter and prints, as one JSON line, the heap in use after a
 * full GC before and after, and the number of lowered ops.
 */
import { WebAssembly as W } from "../mod.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import { generateBigModule } from "../bench/big_module.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
const heap = () => (gc!(), gc!(), Deno.memoryUsage().heapUsed);

const big = generateBigModule({ targetCodeBytes: 2 * 1024 * 1024, seed: 7 });
const module = new W.Module(big.bytes);
const before = heap();
const instance = new W.Instance(module, {}, { lowering: "eager", jit: false });
const after = heap();
const entry = funcOfJs.get(instance.exports.entry as object) as WasmFunc;
const ops = entry.inst.funcs.reduce((n, f) => n + ((f as WasmFunc).code?.length ?? 0), 0);
console.log(JSON.stringify({ bytes: after - before, ops }));
