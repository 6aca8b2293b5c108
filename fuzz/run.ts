/**
 * Differential fuzzing: `deno task fuzz [--seed S] [--count N]`. Generates modules with binaryen's
 * `wasm-opt -ttf` and with exprgen.ts (dense numeric code, which binaryen 108 seldom writes),
 * runs each on wasmrun (on both tiers: the JS tier, then the threaded-code interpreter with
 * `jit: false`) and on V8 (Deno's built-in WebAssembly), and compares
 * compile/instantiate outcomes, logged values, export results and traps, exported globals and
 * the final memory. A mismatch is reduced with wasm-reduce and saved under tests/fuzz/ as a
 * regression case. Exit status 1 when any mismatch was found.
 *
 * Both engines run in this process. Every generated call terminates (binaryen's hang limit and
 * exprgen's loop fuel bound loops and calls, both reset by `hangLimitInitializer` before each
 * call), so V8 needs no watchdog; wasmrun still gets a fuel and time budget, and exhausting it is
 * reported as a mismatch (wasmrun looped where V8 did not).
 *
 * Options: --seed S (default 1), --count N (default 100), --only I (just module I of the seed),
 * --out DIR (default tests/fuzz), --no-reduce, --reduce-time SECONDS (default 120),
 * --max-saved N (cases saved per mismatch signature, default 2), --generator binaryen|expr|mixed
 * (default mixed: binaryen for even indices, exprgen for odd ones), --quiet, --forms (at the end,
 * how often the interpreter's lowering produced each fused form over the run, and which it never
 * produced: see `allFusedForms` in src/interp/lower.ts).
 */
import { parseArgs } from "node:util";
import { type Check, checkBytes } from "./check.ts";
import { generateModule, type GeneratorChoice } from "./generate.ts";
import { reduce } from "./reduce.ts";
import { caseName, saveCase } from "./save.ts";
import { allFusedForms, countForms } from "../src/interp/lower.ts";

const ROOT = new URL("../", import.meta.url).pathname;

interface Stats {
  generated: number;
  byGenerator: { binaryen: number; expr: number };
  compared: number;
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
      generator: { type: "string", default: "mixed" },
      forms: { type: "boolean", default: false },
    },
  });
  const int = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer`);
    return n;
  };
  const seed = int("seed", values.seed);
  const generator = values.generator as GeneratorChoice;
  if (!["binaryen", "expr", "mixed"].includes(generator)) {
    throw new Error("--generator: expected binaryen, expr or mixed");
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
    forms: values.forms,
  };
}

async function main(): Promise<number> {
  const opts = parse();
  const workDir = await Deno.makeTempDir({ prefix: "wasmrun_fuzz_" });
  const stats: Stats = {
    generated: 0,
    byGenerator: { binaryen: 0, expr: 0 },
    compared: 0,
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
  try {
    for (const index of opts.indices) {
      const generated = await generateModule(opts.seed, index, workDir, opts.generator);
      stats.generated++;
      stats.byGenerator[generated.generator]++;
      let check: Check;
      try {
        check = checkBytes(generated.bytes);
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
      else stats.compared++;
      if (mismatch) {
        stats.mismatches++;
        const seen = (stats.bySignature.get(mismatch.signature) ?? 0) + 1;
        stats.bySignature.set(mismatch.signature, seen);
        console.log(`MISMATCH ${generated.id} (${generated.generator}): ${mismatch.detail}`);
        if (seen <= opts.maxSaved) {
          const reduced = opts.reduce
            ? await reduce(generated.bytes, workDir, opts.reduceMs)
            : generated.bytes;
          const again = checkBytes(reduced);
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
      `${stats.byGenerator.expr} exprgen; ${stats.compared} compared, ${stats.bothInvalid} ` +
      `invalid on both, ${stats.beyond20} beyond Wasm 2.0, ${stats.exhausted} out of fuel/time, ` +
      `${stats.harnessErrors} harness errors), ${stats.mismatches} mismatches, ${secs} s`,
  );
  for (const [signature, n] of stats.bySignature) console.log(`  ${n} x ${signature}`);
  if (census) printCensus(census);
  return stats.mismatches + stats.harnessErrors > 0 ? 1 : 0;
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
