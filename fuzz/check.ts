/**
 * `deno run -A fuzz/check.ts module.wasm`: runs one module on wasmrun (on each tier: the threaded
 * interpreter and the JS tier, both under fuel and a timeout) and on V8. Prints the
 * mismatch's coarse signature and exits 1 when they disagree; prints "agree" and exits 0 when they
 * do. This is the interestingness test wasm-reduce runs while it shrinks a module.
 */
import { WebAssembly as Wasmrun } from "../mod.ts";
import { compareOutcomes, type Mismatch } from "./compare.ts";
import { type FuzzEngine, GUARD_OPTIONS, JS_TIER_OPTIONS, type Outcome, runModule } from "./execute.ts";

/**
 * Whether wabt's wasm-validate accepts the module with its default features, which are exactly
 * Wasm 2.0's. V8 implements later proposals too (GC types among them), so when V8 accepts a
 * module that wasmrun rejects, wabt breaks the tie.
 */
function wabtAccepts(bytes: Uint8Array): boolean {
  const path = Deno.makeTempFileSync({ suffix: ".wasm" });
  try {
    Deno.writeFileSync(path, bytes);
    return new Deno.Command("wasm-validate", { args: [path], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } finally {
    Deno.removeSync(path);
  }
}

export interface Check {
  ours: Outcome;
  v8: Outcome;
  mismatch?: Mismatch;
  /** V8 accepted a module that is not Wasm 2.0 (wabt rejects it as wasmrun does): not compared. */
  beyond20?: boolean;
}

export function checkBytes(bytes: Uint8Array): Check {
  const engine = Wasmrun as unknown as FuzzEngine;
  const v8 = runModule(globalThis.WebAssembly as unknown as FuzzEngine, bytes);
  let ours = runModule(engine, bytes, GUARD_OPTIONS);
  let mismatch = compareOutcomes(ours, v8);
  if (!mismatch && !ours.exhausted) {
    ours = runModule(engine, bytes, JS_TIER_OPTIONS);
    const js = compareOutcomes(ours, v8);
    if (js) mismatch = { signature: `js tier: ${js.signature}`, detail: `JS tier: ${js.detail}` };
  }
  if (mismatch && ours.compile === "CompileError" && v8.compile === "ok" && !wabtAccepts(bytes)) {
    return { ours, v8, beyond20: true };
  }
  return { ours, v8, mismatch };
}

if (import.meta.main) {
  const { mismatch } = checkBytes(Deno.readFileSync(Deno.args[0]));
  console.log(mismatch ? `mismatch: ${mismatch.signature}` : "agree");
  Deno.exit(mismatch ? 1 : 0);
}
