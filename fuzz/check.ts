/**
 * `deno run -A fuzz/check.ts [--wasm3] module.wasm`: runs one module on wasmrun (the threaded
 * interpreter, the JS tier, and the default engine that tiers up, all under fuel and a timeout) and on V8. Prints the
 * mismatch's coarse signature and exits 1 when they disagree; prints "agree" and exits 0 when they
 * do. This is the interestingness test wasm-reduce runs while it shrinks a module. `--wasm3`: the
 * module is meant as Wasm 3.0 (binaryen3's), so a module V8 accepts and wasmrun rejects is a
 * mismatch, with no appeal to wabt (whose default features are 2.0's).
 */
import { WebAssembly as Wasmrun } from "../mod.ts";
import { compareOutcomes, type Mismatch } from "./compare.ts";
import {
  type FuzzEngine,
  GUARD_OPTIONS,
  JS_TIER_OPTIONS,
  type Outcome,
  runModule,
  TIERED_OPTIONS,
} from "./execute.ts";

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
  /** The outcome of the first tier that disagreed with V8 (the JS tier's when both agreed). */
  ours: Outcome;
  v8: Outcome;
  /** The interpreter's mismatch if it has one, else the JS tier's (its signature says "js tier"). */
  mismatch?: Mismatch;
  /**
   * Each configuration's own mismatch (all run, unless the interpreter ran out of budget): the
   * interpreter, the JS tier (every function compiled at its first call) and the default engine
   * (tiering up when hot, on-stack replacement in hot loops).
   */
  tiers: { interp?: Mismatch; js?: Mismatch; tiered?: Mismatch };
  /** Whether the JS tier ran (not when the interpreter exhausted its budget). */
  jsRan: boolean;
  /** V8 accepted a module that is not Wasm 2.0 (wabt rejects it as wasmrun does): not compared. */
  beyond20?: boolean;
}

export function checkBytes(bytes: Uint8Array, options: { wasm3?: boolean } = {}): Check {
  const engine = Wasmrun as unknown as FuzzEngine;
  const v8 = runModule(globalThis.WebAssembly as unknown as FuzzEngine, bytes);
  const interp = runModule(engine, bytes, GUARD_OPTIONS);
  const tiers: Check["tiers"] = {};
  tiers.interp = compareOutcomes(interp, v8);
  let ours = interp, jsRan = false;
  if (!interp.exhausted) {
    const js = runModule(engine, bytes, JS_TIER_OPTIONS);
    jsRan = true;
    const m = compareOutcomes(js, v8);
    if (m) tiers.js = { signature: `js tier: ${m.signature}`, detail: `JS tier: ${m.detail}` };
    const tiered = runModule(engine, bytes, TIERED_OPTIONS);
    const t = compareOutcomes(tiered, v8);
    if (t) {
      tiers.tiered = { signature: `tiered: ${t.signature}`, detail: `default engine (tiering): ${t.detail}` };
    }
    if (!tiers.interp) ours = m || !t ? js : tiered;
  }
  const mismatch = tiers.interp ?? tiers.js ?? tiers.tiered;
  if (
    mismatch && !options.wasm3 && ours.compile === "CompileError" && v8.compile === "ok" &&
    !wabtAccepts(bytes)
  ) {
    return { ours, v8, tiers: {}, jsRan, beyond20: true };
  }
  return { ours, v8, mismatch, tiers, jsRan };
}

if (import.meta.main) {
  const wasm3 = Deno.args.includes("--wasm3");
  const path = Deno.args.filter((a) => a !== "--wasm3")[0];
  const { mismatch } = checkBytes(Deno.readFileSync(path), { wasm3 });
  console.log(mismatch ? `mismatch: ${mismatch.signature}` : "agree");
  Deno.exit(mismatch ? 1 : 0);
}
