/**
 * `deno task bench`: runs every benchmark program on V8 and on wasmrun in this process, prints
 * the timings, the wasmrun/V8 ratios and their geometric mean, then the large-module decode /
 * validate / lowering / first-instruction timings, then the Wasm GC programs (bench/gc.ts). Exits
 * non-zero on any error or checksum mismatch.
 *
 *   deno run -A bench/run.ts [--engine both|v8|wasmrun] [--filter NAME[,NAME]] [--json]
 *                            [--runs N] [--warmup N] [--big-mb MB]
 */

import { parseArgs } from "node:util";
import { ENGINE_CHOICES, type EngineChoice, EngineLoadError, loadEngines } from "./engines.ts";
import { PROGRAMS } from "./programs.ts";
import { formatReport, type Report } from "./report.ts";
import { runBigModule, runPrograms } from "./suite.ts";
import { formatGcReport, GC_PROGRAMS, runGcPrograms } from "./gc.ts";

const BIG_MODULE_NAME = "big-module";

const USAGE = `usage: deno run -A bench/run.ts [options]
  --engine both|v8|wasmrun  engines to run (default both; v8 needs no wasmrun engine)
  --filter NAME[,NAME]      only benchmarks whose name contains one of these
                            (programs: ${PROGRAMS.map((p) => p.name).join(", ")}; ${BIG_MODULE_NAME};
                            ${GC_PROGRAMS.map((p) => p.name).join(", ")})
  --json                    print the results as JSON instead of tables
  --runs N                  timed runs per measurement, fastest is reported (default 3)
  --warmup N                untimed runs before timing (default 1)
  --big-mb MB               code section size of the generated large module (default 8)`;

function fail(message: string, code = 2): never {
  if (code === 0) console.log(message);
  else console.error(message);
  Deno.exit(code);
}

function positiveNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    fail(`${flag} must be a number >= ${min}, got "${text}"\n${USAGE}`);
  }
  return value;
}

function parseCommandLine() {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        engine: { type: "string", default: "both" },
        filter: { type: "string" },
        json: { type: "boolean", default: false },
        runs: { type: "string", default: "3" },
        warmup: { type: "string", default: "1" },
        "big-mb": { type: "string", default: "8" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) fail(USAGE, 0);
    if (!(ENGINE_CHOICES as readonly string[]).includes(values.engine)) {
      fail(`--engine must be one of ${ENGINE_CHOICES.join(", ")}\n${USAGE}`);
    }
    return {
      engine: values.engine as EngineChoice,
      filters: values.filter?.split(",").map((f) => f.trim().toLowerCase()).filter((f) => f !== ""),
      json: values.json,
      runs: Math.floor(positiveNumber("--runs", values.runs, 1)),
      warmup: Math.floor(positiveNumber("--warmup", values.warmup, 0)),
      bigMB: positiveNumber("--big-mb", values["big-mb"], 0.01),
    };
  } catch (err) {
    fail(`${err instanceof Error ? err.message : err}\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const options = parseCommandLine();
  const selected = (name: string) => !options.filters || options.filters.some((f) => name.includes(f));
  const programs = PROGRAMS.filter((p) => selected(p.name));
  const withBigModule = selected(BIG_MODULE_NAME);
  const withGc = GC_PROGRAMS.some((p) => selected(p.name));
  if (programs.length === 0 && !withBigModule && !withGc) fail(`--filter matches no benchmark\n${USAGE}`);

  let engines;
  try {
    engines = await loadEngines(options.engine);
  } catch (err) {
    if (!(err instanceof EngineLoadError)) throw err;
    fail(
      `error: ${err.message}\nThe wasmrun engine is not available; use --engine v8 to benchmark V8 alone.`,
      1,
    );
  }

  // A generous per-measurement budget keeps a slow engine from stretching the suite past minutes.
  const timing = { warmup: options.warmup, runs: options.runs, budgetSeconds: 12 };
  const errors: string[] = [];
  const { results, geomeanRatio, geomeanInterpreterRatio } = runPrograms(programs, engines, timing, errors);
  const report: Report = {
    engines: engines.map((e) => e.name),
    warmup: options.warmup,
    runs: options.runs,
    programs: results,
    geomeanRatio,
    geomeanInterpreterRatio,
    bigModule: withBigModule ? runBigModule(options.bigMB, engines, timing, errors) : undefined,
    errors,
  };
  const gc = withGc ? runGcPrograms(engines, timing, errors, selected) : undefined;
  if (options.json) console.log(JSON.stringify({ ...report, gc }, null, 2));
  else {
    // The GC programs' failures are in `errors`, so among the report's ERRORS.
    if (gc) console.log(`${formatGcReport(gc.results, gc.geomeanRatio)}\n`);
    console.log(formatReport(report));
  }
  if (errors.length > 0) Deno.exit(1);
}

await main();
