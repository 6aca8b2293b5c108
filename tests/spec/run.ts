/**
 * Developer CLI for the spec suite: per-file counts and failure details.
 *
 *   deno run -A tests/spec/run.ts [--engine v8|wasmrun] [--no-simd] [--max-failures N] [file-filter...]
 *   deno run -A tests/spec/run.ts --wast [--suite 2.0|3.0|all] [--engine v8|wasmrun] [file-filter...]
 *
 * Without --wast: wabt's JSON of the 2.0 suite (binary modules; text modules skipped). With --wast: the
 * `.wast` scripts themselves, every module made by our parser (src/text/wast.ts), with counts per file and
 * per feature, every command that could not run and every script that could not be parsed.
 *
 * A filter is a spec file name ("i32", "legacy/throw") or a prefix ending in "*" ("f32*"). Files named
 * exactly run even when they are SIMD files; otherwise SIMD files run unless --no-simd or
 * WASMRUN_SPEC_SIMD=0 leaves them out (JSON suite only). --interpret runs ours on the interpreter alone,
 * --js-tier with every function compiled to JS at its first call (the spec configurations' JS tier).
 */
import { parseArgs } from "node:util";
import {
  defaultSpecRoot,
  type FileReport,
  formatReports,
  isSimdFile,
  listSpecFiles,
  loadEngine,
  runSpecFile,
  simdRequested,
  totals,
} from "./harness.ts";
import {
  formatFeatures,
  listWastFiles,
  loadWastParser,
  parseScript,
  runWastFile,
  type Suite,
  wastRoot,
} from "./wast_suite.ts";
import { v8Deviations } from "./v8_deviations.ts";
import { translateKeys } from "./line_map.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    engine: { type: "string", default: "v8" },
    simd: { type: "boolean", default: true },
    "no-simd": { type: "boolean", default: false },
    "max-failures": { type: "string", default: "50" },
    wast: { type: "boolean", default: false },
    suite: { type: "string", default: "2.0" },
    interpret: { type: "boolean", default: false },
    "js-tier": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: true,
});

if (values.help) {
  console.log(
    "usage: deno run -A tests/spec/run.ts [--engine v8|wasmrun] [--no-simd] [--max-failures N] [file...]\n" +
      "       deno run -A tests/spec/run.ts --wast [--suite 2.0|3.0|all] [--engine v8|wasmrun] [file...]\n" +
      "       (--interpret: wasmrun on its interpreter alone; --js-tier: every function compiled to JS)",
  );
  Deno.exit(0);
}

function selected(file: string): boolean {
  if (positionals.length === 0) return true;
  return positionals.some((f) => f.endsWith("*") ? file.startsWith(f.slice(0, -1)) : file === f);
}

const maxFailures = Number(values["max-failures"]);
const isV8 = values.engine === "v8";
const instanceOptions = values.interpret ? { jit: false } : values["js-tier"] ? { tierUp: 0 } : undefined;
const api = await loadEngine(values.engine);
const start = performance.now();
let failed = 0;

if (values.wast) {
  const suites: Suite[] = values.suite === "all" ? ["2.0", "3.0"] : [values.suite as Suite];
  if (!suites.every((s) => s === "2.0" || s === "3.0")) {
    console.error(`unknown suite ${values.suite} (use 2.0, 3.0 or all)`);
    Deno.exit(2);
  }
  const parser = await loadWastParser();
  if (typeof parser === "string") console.log(`NOTE: ${parser}: every script counts as not parsed`);
  for (const suite of suites) {
    const files = listWastFiles(suite).filter(selected);
    if (files.length === 0) {
      console.error(`no .wast script of ${wastRoot(suite).pathname} matches ${positionals.join(" ")}`);
      Deno.exit(2);
    }
    // The 2.0 list is in wabt's lines: translated to our parser's (line_map.ts).
    const commandsOf = (file: string) => {
      const parsed = parseScript(parser, suite, file);
      return "commands" in parsed ? parsed.commands : undefined;
    };
    const deviations = suite === "2.0" ? translateKeys(v8Deviations(suite), commandsOf) : v8Deviations(suite);
    const reports = files.map((file) =>
      runWastFile(api, parser, suite, file, {
        exhaustionRangeError: isV8,
        knownDeviations: isV8 ? deviations : undefined,
        maxFailuresPerFile: maxFailures,
        instanceOptions,
      })
    );
    console.log(`== wasm-${suite} .wast scripts, engine ${values.engine}, modules by our parser`);
    for (const line of formatReports(reports, maxFailures)) console.log(line);
    for (const line of formatFeatures(suite, reports)) console.log(line);
    const t = totals(reports);
    failed += t.failed + t.unparsed;
  }
} else {
  const files = listSpecFiles();
  if (files.length === 0) {
    console.error(`spec suite not found at ${defaultSpecRoot.pathname}`);
    Deno.exit(2);
  }
  const chosen = files.filter(selected);
  if (chosen.length === 0) {
    console.error(`no spec file matches ${positionals.join(" ")}`);
    Deno.exit(2);
  }
  const reports: FileReport[] = chosen.map((file) =>
    runSpecFile(api, file, {
      simd: (!values["no-simd"] && simdRequested()) || (isSimdFile(file) && positionals.includes(file)),
      exhaustionRangeError: isV8,
      knownDeviations: isV8 ? v8Deviations("2.0") : undefined,
      maxFailuresPerFile: maxFailures,
      instanceOptions,
    })
  );
  for (const line of formatReports(reports, maxFailures)) console.log(line);
  failed = totals(reports).failed;
}
const seconds = ((performance.now() - start) / 1000).toFixed(1);
console.log(`engine ${values.engine}, ${seconds} s`);
Deno.exit(failed ? 1 : 0);
