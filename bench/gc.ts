/**
 * `deno task bench:gc` (and the GC part of `deno task bench`): Wasm GC allocation benchmarks written in
 * WebAssembly text (bench/gc/*.wat), turned into binaries by wasmrun's own parser, run on V8 and on
 * wasmrun (default, and `jit: false`), timed as the other benchmarks are, with the wasmrun/V8 ratio.
 * Every call's checksum must be the recorded one (V8's).
 *
 *   deno run -A bench/gc.ts [--json] [--runs N] [--warmup N] [--engine both|v8|wasmrun]
 *   deno run -A bench/gc.ts --peak-rss [--count N]   peak RSS of N (10^8) short-lived structs, per engine
 *
 * `--peak-rss` runs a loop that allocates N structs of which only the last stays reachable, each engine
 * in a subprocess of its own, and prints the process's peak resident set (VmHWM): a collector that
 * reclaims them keeps it flat whatever N is.
 */
import { parseArgs } from "node:util";
import { parseWat } from "../src/text/mod.ts";
import { type Engine, ENGINE_CHOICES, type EngineChoice, errorText, loadEngines } from "./engines.ts";
import { geometricMean, timeRuns, type TimingOptions } from "./measure.ts";

/** One GC benchmark: a text module exporting `run(arg)` that returns an i32 checksum. */
export interface GcProgram {
  name: string;
  what: string;
  /** File name in bench/gc/. */
  file: string;
  /** Sized for some 20-100 ms on V8 after warm-up. */
  arg: number;
  /** The checksum V8 returned when the program was written (a live V8 run is compared too). */
  expected: number;
}

export const GC_PROGRAMS: GcProgram[] = [
  {
    name: "gc_binary_trees",
    what: "struct allocation: binary trees, nearly all short-lived",
    file: "binary_trees.wat",
    arg: 14,
    expected: 3222190,
  },
  {
    name: "gc_arrays",
    what: "i32/f64/ref arrays: allocate, fill, copy, sum",
    file: "arrays.wat",
    arg: 2000,
    expected: -1217514586,
  },
];

/** The module of `program`, from its text by our parser (the same bytes for every engine). */
export function gcProgramBytes(program: GcProgram): Uint8Array {
  const url = new URL(`./gc/${program.file}`, import.meta.url);
  return parseWat(Deno.readTextFileSync(url), { filename: program.file });
}

export interface GcEngineRun {
  seconds?: number;
  checksum?: number;
  error?: string;
}

export interface GcResult {
  name: string;
  what: string;
  arg: number;
  engines: Record<string, GcEngineRun>;
  /** wasmrun seconds / V8 seconds; `interpreterRatio` the same with `jit: false`. */
  ratio?: number;
  interpreterRatio?: number;
}

function runOne(program: GcProgram, bytes: Uint8Array, engine: Engine, timing: TimingOptions): GcEngineRun {
  let checksum: number | undefined;
  try {
    const module = new engine.api.Module(bytes);
    const run = new engine.api.Instance(module, {}, engine.instanceOptions).exports.run as (
      n: number,
    ) => number;
    const t = timeRuns(() => run(program.arg), timing, (result) => {
      checksum = result;
      if (result !== program.expected) {
        throw new Error(`checksum mismatch: got ${result}, expected ${program.expected}`);
      }
    });
    return { seconds: t.best, checksum };
  } catch (err) {
    return {
      error: err instanceof Error && err.message.startsWith("checksum") ? err.message : errorText(err),
      checksum,
    };
  }
}

/** Runs every GC program on every engine (the "fuel" engine skipped: it measures metering, not GC). */
export function runGcPrograms(
  engines: Engine[],
  timing: TimingOptions,
  errors: string[],
  filter: (name: string) => boolean = () => true,
): { results: GcResult[]; geomeanRatio?: number } {
  const results: GcResult[] = [];
  for (const program of GC_PROGRAMS.filter((p) => filter(p.name))) {
    const bytes = gcProgramBytes(program);
    const result: GcResult = { name: program.name, what: program.what, arg: program.arg, engines: {} };
    for (const engine of engines.filter((e) => e.name !== "fuel")) {
      console.error(`${program.name} (${program.what}), n=${program.arg}: ${engine.name} ...`);
      const run = runOne(program, bytes, engine, timing);
      result.engines[engine.name] = run;
      if (run.error) errors.push(`${program.name} [${engine.name}]: ${run.error}`);
    }
    const { v8, wasmrun, interpreter } = result.engines;
    if (v8?.seconds && wasmrun?.seconds) result.ratio = wasmrun.seconds / v8.seconds;
    if (v8?.seconds && interpreter?.seconds) result.interpreterRatio = interpreter.seconds / v8.seconds;
    results.push(result);
  }
  const ratios = results.flatMap((r) => r.ratio ? [r.ratio] : []);
  return { results, geomeanRatio: ratios.length > 0 ? geometricMean(ratios) : undefined };
}

export function formatGcReport(results: GcResult[], geomeanRatio?: number): string {
  const ms = (run?: GcEngineRun) =>
    run?.seconds ? `${(run.seconds * 1000).toFixed(1)} ms` : run?.error ? "error" : "-";
  const x = (r?: number) => r ? `${r.toFixed(2)}x` : "-";
  const rows = [["program", "n", "v8", "wasmrun", "interp", "wasmrun/v8", "interp/v8"]];
  for (const r of results) {
    const e = r.engines;
    rows.push([
      r.name,
      String(r.arg),
      ms(e.v8),
      ms(e.wasmrun),
      ms(e.interpreter),
      x(r.ratio),
      x(r.interpreterRatio),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) =>
    row.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  ")
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  lines.unshift("Wasm GC (bench/gc/*.wat, parsed by wasmrun's parser)");
  if (geomeanRatio) lines.push(`geometric mean wasmrun/v8: ${geomeanRatio.toFixed(2)}x`);
  return lines.join("\n");
}

// ---- Peak RSS of many short-lived structs ----

/**
 * A loop allocating `count` structs, each stored into a global (so that no optimiser can elide it)
 * and garbage at the next iteration: only the last one stays reachable.
 */
const ALLOC_LOOP = `(module
  (type $cell (struct (field $n i64) (field $next (ref null $cell))))
  (global $last (mut (ref null $cell)) (ref.null $cell))
  (func (export "run") (param $count i32) (result i64)
    (local $i i32)
    (loop $next
      (global.set $last (struct.new $cell (i64.extend_i32_u (local.get $i)) (ref.null $cell)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $count))))
    (struct.get $cell $n (global.get $last))))`;

/** The peak resident set of this process so far, in bytes (Linux's VmHWM). */
function peakRss(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** In the child: runs the loop on `engine`, prints one JSON line. */
async function allocChild(engineName: string, count: number): Promise<void> {
  const engines = await loadEngines(engineName === "v8" ? "v8" : "wasmrun");
  const engine = engines.find((e) => e.name === engineName)!;
  const before = peakRss();
  const t0 = performance.now();
  const module = new engine.api.Module(parseWat(ALLOC_LOOP));
  const run = new engine.api.Instance(module, {}, engine.instanceOptions).exports.run as (
    n: number,
  ) => bigint;
  const result = run(count);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({ engine: engineName, count, result: String(result), seconds, before, peak: peakRss() }),
  );
}

interface RssRun {
  engine: string;
  count: number;
  result?: string;
  seconds?: number;
  before?: number;
  peak?: number;
  error?: string;
}

async function peakRssRuns(count: number, engineNames: string[]): Promise<RssRun[]> {
  const runs: RssRun[] = [];
  for (const engine of engineNames) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--alloc-child",
        engine,
        "--count",
        String(count),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    if (!out.success || !text.startsWith("{")) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0] ?? "";
      runs.push({ engine, count, error: `exit ${out.code}: ${why}` });
    } else runs.push(JSON.parse(text));
  }
  return runs;
}

const MIB = 1024 * 1024;

function formatRss(runs: RssRun[]): string {
  return runs.map((r) =>
    r.error
      ? `${r.engine}: ${r.count} structs: ${r.error}`
      : `${r.engine}: ${r.count} short-lived structs in ${r.seconds!.toFixed(1)} s, ` +
        `peak RSS ${(r.peak! / MIB).toFixed(0)} MiB (${
          (r.before! / MIB).toFixed(0)
        } MiB before the loop), result ${r.result}`
  ).join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "boolean", default: false },
      runs: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      engine: { type: "string", default: "both" },
      "peak-rss": { type: "boolean", default: false },
      count: { type: "string", default: "100000000" },
      "alloc-child": { type: "string" },
    },
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 2 ** 32 - 1) {
    console.error(`--count must be an integer from 1 to 2^32-1, got "${values.count}"`);
    Deno.exit(2);
  }
  if (values["alloc-child"]) return await allocChild(values["alloc-child"], count);
  if (!(ENGINE_CHOICES as readonly string[]).includes(values.engine)) {
    console.error(`--engine must be one of ${ENGINE_CHOICES.join(", ")}`);
    Deno.exit(2);
  }
  const choice = values.engine as EngineChoice;
  if (values["peak-rss"]) {
    const names = choice === "v8" ? ["v8"] : choice === "wasmrun" ? ["wasmrun"] : ["v8", "wasmrun"];
    const runs = await peakRssRuns(count, names);
    console.log(values.json ? JSON.stringify(runs, null, 2) : formatRss(runs));
    if (runs.some((r) => r.error)) Deno.exit(1);
    return;
  }
  const runs = Number(values.runs), warmup = Number(values.warmup);
  if (!(runs >= 1) || !(warmup >= 0)) {
    console.error("--runs must be >= 1 and --warmup >= 0");
    Deno.exit(2);
  }
  const engines = await loadEngines(choice);
  const errors: string[] = [];
  const { results, geomeanRatio } = runGcPrograms(engines, { runs, warmup, budgetSeconds: 12 }, errors);
  console.log(
    values.json
      ? JSON.stringify({ results, geomeanRatio, errors }, null, 2)
      : formatGcReport(results, geomeanRatio),
  );
  if (errors.length > 0) {
    if (!values.json) console.log(`\nERRORS\n${errors.join("\n")}`);
    Deno.exit(1);
  }
}

if (import.meta.main) await main();
