/**
 * Differential fuzzing: `deno task fuzz [--seed S] [--count N]`. Generates modules, runs each on
 * wasmrun (the threaded-code interpreter with `jit: false`; the JS tier, every function compiled at
 * its first call with `tierUp: 0`; the default engine, which tiers up hot code) and on V8 (Deno's built-in WebAssembly), and compares compile/instantiate outcomes, logged values,
 * export results, traps and exceptions (with their tag and payload), exported globals, every
 * exported memory and every exported table at the end. By default (`mixed3`), Wasm 3.0 modules:
 *
 * - even indices: npm binaryen 132's `wasm-opt -ttf` (run in this process: binaryen132.ts), from
 *   `--mvp-features` plus the 2.0 features, each of tail calls, multiple memories, memory64 (with
 *   table64), extended constants, SIMD and relaxed SIMD on for three modules in four, and exception
 *   handling (exnref: `--emit-exnref`) once the engine has it (generate.ts, `WASM3_*`). Its
 *   `fuzzing-support` imports (throw, call-export, call-ref, table-get/set, wasmtag, jstag…) behave
 *   as binaryen's fuzz_shell.js defines them (execute.ts).
 * - odd indices: exprgen.ts (dense numeric code, which binaryen seldom writes) in its 3.0 mode:
 *   return_call/return_call_indirect anywhere, a second memory (memory64 for half of them) with
 *   stores, loads, size, grow and fill, exported globals and a data offset initialised by extended
 *   constant expressions, and (with exception handling on) throw, try_table with catch, catch_all
 *   and catch_all_ref, and throw_ref, across calls and tail calls.
 *
 * `--generator gc`: binaryen 132's `-ttf` as binaryen3's, with Wasm GC (`--enable-gc`: structs, arrays,
 * i31, casts, typed function references) on in every module; `--v8-only` runs the modules on V8 alone,
 * to judge a generator: how many modules it writes per second and how many V8 refuses.
 *
 * `--generator mixed` is the Wasm 2.0 fuzzer: Debian's binaryen 108 (`wasm-opt -ttf`, 2.0
 * features) alternating with exprgen's 2.0 modules. A mismatch is reduced (a 2.0 module with
 * Debian's wasm-reduce; a 3.0 one with reduce3.ts, in this process) and saved under tests/fuzz/ as
 * a regression case. Exit status 1 when any mismatch was found.
 *
 * Both engines run in this process. Every generated call terminates (binaryen's hang limit and
 * exprgen's loop fuel bound loops and calls, both reset by `hangLimitInitializer` before each
 * call), so V8 needs no watchdog; wasmrun still gets a fuel and time budget, and exhausting it is
 * reported as a mismatch (wasmrun looped where V8 did not).
 *
 * Options: --seed S (default 1), --count N (default 100), --only I (just module I of the seed),
 * --out DIR (default tests/fuzz), --no-reduce, --reduce-time SECONDS (default 120),
 * --max-saved N (cases saved per mismatch signature, default 2), --generator
 * binaryen|binaryen3|expr|mixed|mixed3|gc (default mixed3: binaryen3 for even indices, exprgen's 3.0
 * mode for odd ones; mixed: binaryen 108 and exprgen's 2.0 mode; expr: exprgen 2.0; gc: binaryen3
 * with GC), --v8-only, --exceptions on|off|auto (binaryen3's exception
 * handling; auto, the default: on when wasmrun's namespace has Tag), --quiet, --forms (at the end,
 * how often the interpreter's lowering produced each fused form over the run, and which it never
 * produced: see `allFusedForms` in src/interp/lower.ts).
 */
import { parseArgs, stripVTControlCharacters } from "node:util";
import { type Check, checkBytes } from "./check.ts";
import { engineHasExceptions, generateModule, GENERATOR_CHOICES, type GeneratorChoice } from "./generate.ts";
import { reduce } from "./reduce.ts";
import { caseName, saveCase } from "./save.ts";
import { allFusedForms, countForms } from "../src/interp/lower.ts";
import { BINARYEN_NPM, wasmOpt132 } from "./binaryen132.ts";
import { type FuzzEngine, runModule } from "./execute.ts";

const ROOT = new URL("../", import.meta.url).pathname;

interface Stats {
  generated: number;
  byGenerator: { binaryen: number; binaryen3: number; expr: number };
  compared: number;
  /** Modules compared on each tier and how many of them mismatched there. */
  perTier: {
    interp: [compared: number, mismatched: number];
    js: [compared: number, mismatched: number];
    tiered: [compared: number, mismatched: number];
  };
  /** Rejected by both engines (binaryen 108 emits some reference-type code 2.0 does not allow). */
  bothInvalid: number;
  /** Accepted by V8 only, and not valid Wasm 2.0 by wabt either (V8 implements later proposals). */
  beyond20: number;
  exhausted: number;
  harnessErrors: number;
  mismatches: number;
  bySignature: Map<string, number>;
}

function parse() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "1" },
      count: { type: "string", default: "100" },
      only: { type: "string" },
      out: { type: "string", default: `${ROOT}tests/fuzz` },
      "no-reduce": { type: "boolean", default: false },
      "reduce-time": { type: "string", default: "120" },
      "max-saved": { type: "string", default: "2" },
      quiet: { type: "boolean", default: false },
      generator: { type: "string", default: "mixed3" },
      exceptions: { type: "string", default: "auto" },
      forms: { type: "boolean", default: false },
      "v8-only": { type: "boolean", default: false },
    },
  });
  const int = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer`);
    return n;
  };
  const seed = int("seed", values.seed);
  const generator = values.generator as GeneratorChoice;
  if (!GENERATOR_CHOICES.includes(generator)) {
    throw new Error(`--generator: expected one of ${GENERATOR_CHOICES.join(", ")}`);
  }
  if (!["on", "off", "auto"].includes(values.exceptions)) {
    throw new Error("--exceptions: expected on, off or auto");
  }
  const only = values.only === undefined ? undefined : int("only", values.only);
  return {
    seed,
    indices: only === undefined ? [...Array(int("count", values.count)).keys()] : [only],
    out: values.out,
    reduce: !values["no-reduce"],
    reduceMs: int("reduce-time", values["reduce-time"]) * 1000,
    maxSaved: int("max-saved", values["max-saved"]),
    quiet: values.quiet,
    generator,
    exceptions: values.exceptions as "on" | "off" | "auto",
    forms: values.forms,
    v8Only: values["v8-only"],
  };
}

/** What the generators of `choice` need beyond Deno, looked for once: null, or one line saying what is missing. */
async function missingTool(choice: GeneratorChoice): Promise<string | null> {
  if (choice === "binaryen3" || choice === "mixed3" || choice === "gc") {
    try {
      await wasmOpt132();
    } catch (e) {
      // deno's own error text, without its colours and backtrace
      const why = stripVTControlCharacters(String((e as Error).message ?? e)).split("\n")[0];
      return `the ${choice} generator needs ${BINARYEN_NPM}, which Deno fetches from the npm registry: ${why}`;
    }
  }
  if (choice === "binaryen" || choice === "mixed") {
    let found = false;
    try {
      found =
        new Deno.Command("wasm-opt", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
          .success;
    } catch { /* not on PATH */ }
    if (!found) {
      return `the ${choice} generator needs binaryen 108's wasm-opt on PATH (Debian package binaryen)`;
    }
  }
  return null;
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse();
  } catch (e) {
    // A bad option (parseArgs's TypeError or one of parse's own): one line and the usage, no stack.
    console.error(
      `fuzz: ${
        (e as Error).message
      }\nusage: deno task fuzz [options] (the options are listed at the top of fuzz/run.ts)`,
    );
    return 2;
  }
  const missing = await missingTool(opts.generator);
  if (missing !== null) {
    console.error(`fuzz: ${missing}`);
    return 1;
  }
  const workDir = await Deno.makeTempDir({ prefix: "wasmrun_fuzz_" });
  const stats: Stats = {
    generated: 0,
    byGenerator: { binaryen: 0, binaryen3: 0, expr: 0 },
    compared: 0,
    perTier: { interp: [0, 0], js: [0, 0], tiered: [0, 0] },
    bothInvalid: 0,
    beyond20: 0,
    exhausted: 0,
    harnessErrors: 0,
    mismatches: 0,
    bySignature: new Map(),
  };
  const started = performance.now();
  const census = opts.forms ? new Map<string, number>() : null;
  if (census) countForms(census);
  const exceptions = opts.exceptions === "auto" ? await engineHasExceptions() : opts.exceptions === "on";
  if (opts.generator.endsWith("3") || opts.generator === "gc") {
    console.log(
      `binaryen3: exception handling ${exceptions ? "on" : "off"}${opts.generator === "gc" ? ", GC on" : ""}`,
    );
  }
  if (opts.v8Only) {
    try {
      return await v8Only(opts, workDir, exceptions);
    } finally {
      await Deno.remove(workDir, { recursive: true });
    }
  }
  try {
    for (const index of opts.indices) {
      const generated = await generateModule(opts.seed, index, workDir, opts.generator, { exceptions });
      const wasm3 = generated.wasm3 === true;
      stats.generated++;
      stats.byGenerator[generated.generator]++;
      let check: Check;
      try {
        check = checkBytes(generated.bytes, { wasm3 });
      } catch (err) {
        // A bug in the harness (or an engine error escaping it): note it and go on.
        stats.harnessErrors++;
        console.log(`HARNESS ERROR ${generated.id}: ${(err as Error).stack ?? err}`);
        continue;
      }
      const { ours, v8, mismatch, beyond20 } = check;
      if (beyond20) stats.beyond20++;
      else if (ours.exhausted) stats.exhausted++;
      else if (ours.compile !== "ok" && v8.compile !== "ok") stats.bothInvalid++;
      else {
        stats.compared++;
        stats.perTier.interp[0]++;
        if (check.tiers.interp) stats.perTier.interp[1]++;
        if (check.jsRan) {
          stats.perTier.js[0]++;
          if (check.tiers.js) stats.perTier.js[1]++;
          stats.perTier.tiered[0]++;
          if (check.tiers.tiered) stats.perTier.tiered[1]++;
        }
      }
      if (mismatch) {
        stats.mismatches++;
        const seen = (stats.bySignature.get(mismatch.signature) ?? 0) + 1;
        stats.bySignature.set(mismatch.signature, seen);
        console.log(`MISMATCH ${generated.id} (${generated.generator}): ${mismatch.detail}`);
        if (seen <= opts.maxSaved) {
          const reduced = opts.reduce
            ? await reduce(generated.bytes, workDir, opts.reduceMs, { wasm3, signature: mismatch.signature })
            : generated.bytes;
          const again = checkBytes(reduced, { wasm3 });
          // Keep the reduced module only if it still shows a mismatch with the same signature.
          const useReduced = again.mismatch?.signature === mismatch.signature;
          const kept = useReduced ? again : check;
          const keptBytes = useReduced ? reduced : generated.bytes;
          const path = await saveCase(opts.out, caseName(generated.id, mismatch), keptBytes, {
            source: `${generated.id} (${generated.generator})`,
            signature: mismatch.signature,
            detail: (kept.mismatch ?? mismatch).detail,
            v8: kept.v8,
            ours: kept.ours,
            open: true,
          });
          console.log(`  saved ${path} (${generated.bytes.length} -> ${keptBytes.length} bytes)`);
        }
      }
      if (!opts.quiet && stats.generated % 100 === 0) {
        const secs = ((performance.now() - started) / 1000).toFixed(0);
        console.log(`${stats.generated} modules, ${stats.mismatches} mismatches, ${secs} s`);
      }
    }
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz seed ${opts.seed}: ${stats.generated} modules (${stats.byGenerator.binaryen} binaryen, ` +
      `${stats.byGenerator.binaryen3} binaryen3, ` +
      `${stats.byGenerator.expr} exprgen; ${stats.compared} compared, ${stats.bothInvalid} ` +
      `invalid on both, ${stats.beyond20} beyond Wasm 2.0, ${stats.exhausted} out of fuel/time, ` +
      `${stats.harnessErrors} harness errors), ${stats.mismatches} mismatches, ${secs} s`,
  );
  const [ic, im] = stats.perTier.interp, [jc, jm] = stats.perTier.js, [tc, tm] = stats.perTier.tiered;
  console.log(
    `  interpreter: ${ic} compared, ${im} mismatches; JS tier: ${jc} compared, ${jm} mismatches; ` +
      `tiered (default engine): ${tc} compared, ${tm} mismatches`,
  );
  for (const [signature, n] of stats.bySignature) console.log(`  ${n} x ${signature}`);
  if (census) printCensus(census);
  return stats.mismatches + stats.harnessErrors > 0 ? 1 : 0;
}

/**
 * `--v8-only`: the generator judged by V8 alone. Counts the modules it wrote (and the time writing
 * them took: modules per second), and how many V8 refused to compile or instantiate, by reason.
 */
async function v8Only(opts: ReturnType<typeof parse>, workDir: string, exceptions: boolean): Promise<number> {
  let generated = 0, generateMs = 0, compiled = 0, instantiated = 0, failedToGenerate = 0;
  const reasons = new Map<string, number>();
  const started = performance.now();
  for (const index of opts.indices) {
    const t0 = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = (await generateModule(opts.seed, index, workDir, opts.generator, { exceptions })).bytes;
    } catch (err) {
      failedToGenerate++;
      console.log(`GENERATOR FAILED ${opts.seed}:${index}: ${(err as Error).message.split("\n")[0]}`);
      continue;
    } finally {
      generateMs += performance.now() - t0;
    }
    generated++;
    const v8 = runModule(globalThis.WebAssembly as unknown as FuzzEngine, bytes);
    if (v8.compile === "ok") compiled++;
    if (v8.instantiate === "ok") {
      instantiated++;
      continue;
    }
    // A compile error is a refusal of what the generator wrote; a failed instantiation (a trap or a
    // throw in the start function, a link error) is an outcome that a normal run compares.
    const refused = v8.compile !== "ok";
    const why = refused ? `compile: ${v8.compileMessage ?? v8.compile}` : `instantiate: ${v8.instantiate}`;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
    if (!opts.quiet) {
      console.log(`V8 ${refused ? "REFUSED" : "DID NOT INSTANTIATE"} ${opts.seed}:${index}: ${why}`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(
    `fuzz seed ${opts.seed} (${opts.generator}, V8 only): ${generated} modules written in ` +
      `${(generateMs / 1000).toFixed(1)} s (${(generated / (generateMs / 1000)).toFixed(1)} a second), ` +
      `${failedToGenerate} generator failures; V8 refused ${generated - compiled}, compiled ${compiled}, ` +
      `instantiated ${instantiated}; ${secs.toFixed(1)} s in all`,
  );
  for (const [why, n] of reasons) console.log(`  ${n} x ${why}`);
  return failedToGenerate + generated - compiled > 0 ? 1 : 0;
}

/** The fused forms the run produced (how often) and those it never did. */
function printCensus(census: Map<string, number>): void {
  countForms(null);
  const fused = allFusedForms();
  const made = fused.filter((f) => census.has(f));
  console.log(`fused forms produced: ${made.length} of ${fused.length}`);
  const byFamily = new Map<string, number>();
  for (const f of made) {
    const family = f.slice(0, f.indexOf(":") < 0 ? f.length : f.indexOf(":"));
    byFamily.set(family, (byFamily.get(family) ?? 0) + census.get(f)!);
  }
  for (const [family, n] of [...byFamily].sort((a, b) => b[1] - a[1])) console.log(`  ${family}: ${n}`);
  const never = fused.filter((f) => !census.has(f));
  if (never.length > 0) console.log(`never produced: ${never.join(" ")}`);
  const lcb = fused.filter((f) => f.startsWith("loadCompareBranch:"));
  console.log(`loadCompareBranch forms: ${lcb.map((f) => `${f.slice(18)}=${census.get(f) ?? 0}`).join(" ")}`);
}

if (import.meta.main) Deno.exit(await main());
