/**
 * Run by tests/code_cache_test.ts in two processes: `save DIR` compiles a module whose function calls
 * through a table and writes its compile cache to DIR; `load DIR` first compiles another module (so
 * that this process numbers function types differently), then reads the cache back and calls the
 * same function. Prints `{ result, restored }` (JSON).
 */
import { loadCompiledCode, saveCompiledCode, WebAssembly as W } from "../mod.ts";
import { wat } from "./wat.ts";

const CALLS_THROUGH_TABLE = wat(`(module
  (type $unary (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double $square)
  (func $double (type $unary) (i32.add (local.get 0) (local.get 0)))
  (func $square (type $unary) (i32.mul (local.get 0) (local.get 0)))
  (func (export "run") (param i32) (result i32)
    (i32.add (call_indirect (type $unary) (local.get 0) (i32.const 0))
             (call_indirect (type $unary) (local.get 0) (i32.const 1)))))`);

const [mode, dir] = Deno.args;
if (mode === "load") {
  new W.Module(wat(`(module (func (export "f") (param f64 f64) (result f64) (local.get 0)))`));
}
const module = new W.Module(CALLS_THROUGH_TABLE);
const restored = mode === "load" ? await loadCompiledCode(module, dir) : 0;
const result = (new W.Instance(module, {}, { tierUp: 0 }).exports.run as (n: number) => number)(7);
if (mode === "save" && !saveCompiledCode(module, dir)) throw new Error("nothing saved");
console.log(JSON.stringify({ result, restored }));
