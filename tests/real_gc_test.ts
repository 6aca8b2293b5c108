/**
 * A real Wasm GC program, run with its glue: bench/gc/program.mbt, a MoonBit program compiled to Wasm
 * GC by the MoonBit compiler of the npm package @moonbit/moonpad-monaco (bench/real/gc_program.ts).
 * V8's run is the reference, checked against what the program computes; wasmrun's runs with default
 * options, with `jit: false` (the interpreter only) and with `tierUp: 0` (the JS tier only) must print
 * exactly what V8's does.
 *
 * Skipped, with one line on stderr, when the bench cache (bench/real/cache.ts) does not have the
 * compiled program (a missing prerequisite: with CI=true the run fails instead; `.ci/run` makes it):
 * this test downloads and compiles nothing. `deno run -A bench/real/gc_program.ts --fetch` puts it
 * there (9.7 MB from the npm registry, then about half a minute of compiling).
 */
import assert from "node:assert/strict";
import { cachedProgram, type Engine, type EngineRun, MOONPAD, runEngine } from "../bench/real/gc_program.ts";
import { missingPrerequisite } from "./spec/prerequisites.ts";

const path = await cachedProgram();
if (!path) {
  missingPrerequisite(
    `${MOONPAD.package}@${MOONPAD.version}'s build of bench/gc/program.mbt in the bench cache`,
    "the real-program Wasm GC tests",
    "deno run -A bench/real/gc_program.ts --fetch downloads the compiler and compiles it",
  );
}
const bytes = path ? Deno.readFileSync(path) : new Uint8Array();

let v8: EngineRun | undefined;
const reference = () => v8 ??= runEngine("v8", bytes);

Deno.test({
  name: "the MoonBit Wasm GC program on V8: the reference prints what the program computes",
  ignore: !path,
  fn() {
    const run = reference();
    assert.equal(run.error, undefined, run.error);
    const out = run.output!;
    // A tree of depth d has 2^(d+1) - 1 nodes; 2^(14-d+4) trees of each depth d.
    assert.match(out, /^stretch tree of depth 15 check: 65535$/m);
    for (const d of [4, 6, 8, 10, 12, 14]) {
      const n = 2 ** (14 - d + 4);
      assert.match(out, new RegExp(`^${n} trees of depth ${d} check: ${n * (2 ** (d + 1) - 1)}$`, "m"));
    }
    assert.match(out, /^long lived tree of depth 14 check: 32767$/m);
    assert.match(out, /^20000 points sorted: first 0,\d+ last 999,\d+ checksum \d+$/m);
    assert.match(out, /^12 words: the=4 quick=1 .* ünïcödé=2 😀=3 $/m);
    assert.match(out, /^length in UTF-16 units 99, chars 96$/m);
  },
});

for (const engine of ["wasmrun", "wasmrun-interp", "wasmrun-eager"] as Engine[]) {
  Deno.test({
    name: `the MoonBit Wasm GC program with its glue on ${engine}: V8's output`,
    ignore: !path,
    fn() {
      const run = runEngine(engine, bytes);
      assert.equal(run.error, undefined, run.error);
      assert.equal(run.output, reference().output);
    },
  });
}
