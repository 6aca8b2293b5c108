/**
 * Spec conformance: every binary-format command of the official Wasm 2.0 suite (../shared/spec) must pass
 * on wasmrun's engine, the simd_* files included (WASMRUN_SPEC_SIMD=0 leaves them out). Only text-format
 * modules are counted as skipped. WASMRUN_TEST_ENGINE=v8 runs the same on Deno's built-in engine (V8 15
 * follows Wasm 3.0 in a few places and fails 19 assertions; see tests/spec/run.ts). For details:
 * deno run -A tests/spec/run.ts.
 */
import assert from "node:assert/strict";
import {
  defaultSpecRoot,
  formatFailures,
  formatReports,
  listSpecFiles,
  loadEngine,
  runSpecFile,
  simdRequested,
  totals,
} from "./spec/harness.ts";
import { jitCounts, jitFailures } from "../src/jit/tier.ts";

const ENGINE = Deno.env.get("WASMRUN_TEST_ENGINE") ?? "wasmrun";
const files = listSpecFiles();
if (files.length === 0) {
  console.warn(`spec suite not found at ${defaultSpecRoot.pathname}: spec test skipped`);
}

/**
 * Ours runs twice: with its default JS tier (every non-SIMD function compiled to JS) and with
 * `jit: false`, the threaded-code interpreter alone (which also runs whatever the JS tier leaves out).
 */
const variants: { label: string; options?: object }[] = ENGINE === "v8"
  ? [{ label: "v8" }]
  : [{ label: "wasmrun, JS tier" }, { label: "wasmrun, interpreter", options: { jit: false } }];

for (const variant of variants) {
  Deno.test({
    name: `spec suite wasm-2.0 (${variant.label})`,
    ignore: files.length === 0,
    async fn() {
      // Loading ours fails loudly when mod.ts or its WebAssembly export is missing: no silent fallback to V8.
      const api = await loadEngine(ENGINE);
      const simd = simdRequested();
      const failuresBefore = jitFailures.length, compiledBefore = jitCounts.compiled;
      const reports = files.map((file) =>
        runSpecFile(api, file, {
          simd,
          exhaustionRangeError: ENGINE === "v8",
          instanceOptions: variant.options,
        })
      );
      console.log(formatReports(reports, 50).join("\n"));
      const t = totals(reports);
      assert.ok(t.passed > 0, "no spec assertion ran");
      if (simd) assert.equal(t.skippedSimd, 0, "SIMD commands were skipped");
      // The details go into the message too: `deno test --quiet` hides console output even on failure.
      const details = formatFailures(reports, 20).join("\n");
      assert.equal(t.failed, 0, `${t.failed} spec assertions failed (${t.passed} passed):\n${details}`);
      // A function the JS tier failed to compile would have passed on the interpreter: not good enough.
      const failed = jitFailures.slice(failuresBefore).map((f) => `function ${f.index}: ${f.error}`);
      assert.deepEqual(failed, [], "the JS tier failed to compile some functions");
      const compiled = jitCounts.compiled - compiledBefore;
      console.log(`functions compiled to JS: ${compiled}`);
      if (!variant.options) assert.ok(compiled > 2000, `only ${compiled} functions were compiled to JS`);
      else assert.equal(compiled, 0, "jit: false still compiled functions to JS");
    },
  });
}
