/**
 * Developer CLI for the spec suite: per-file counts and failure details.
 *
 *   deno run -A tests/spec/run.ts [--engine v8|wasmrun] [--no-simd] [--max-failures N] [file-filter...]
 *
 * A filter is a spec file name ("i32") or a prefix ending in "*" ("f32*"). Files named exactly run even
 * when they are SIMD files; otherwise SIMD files run unless --no-simd or WASMRUN_SPEC_SIMD=0 leaves them
 * out (--simd, the default, is still accepted).
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

/**
 * Where V8 (Deno 2.9's V8 15) already follows Wasm 3.0 and so accepts modules that 2.0 rejects: several
 * memories (multi-memory, which also turns the memory.grow/size zero byte into an index) and global.get of
 * defined globals in constant expressions. Counted as "known" for --engine v8 only.
 */
const V8_DEVIATIONS = new Map<string, string>([
  ...[146, 166, 185, 204, 243, 262, 280, 298].map((line) => [`binary:${line}`, "multi-memory index byte"]),
  ...["data:89", "data:93", "elem:171", "elem:175", "global:352", "global:356"].map((
    k,
  ) => [k, "extended const"]),
  ...["imports:488", "imports:492", "imports:496", "memory:10", "memory:11"].map((k) => [k, "multi-memory"]),
] as [string, string][]);

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    engine: { type: "string", default: "v8" },
    simd: { type: "boolean", default: true },
    "no-simd": { type: "boolean", default: false },
    "max-failures": { type: "string", default: "50" },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: true,
});

if (values.help) {
  console.log(
    "usage: deno run -A tests/spec/run.ts [--engine v8|wasmrun] [--no-simd] [--max-failures N] [file...]",
  );
  Deno.exit(0);
}

const files = listSpecFiles();
if (files.length === 0) {
  console.error(`spec suite not found at ${defaultSpecRoot.pathname}`);
  Deno.exit(2);
}

function selected(file: string): boolean {
  if (positionals.length === 0) return true;
  return positionals.some((f) => f.endsWith("*") ? file.startsWith(f.slice(0, -1)) : file === f);
}

const chosen = files.filter(selected);
if (chosen.length === 0) {
  console.error(`no spec file matches ${positionals.join(" ")}`);
  Deno.exit(2);
}

const api = await loadEngine(values.engine);
const start = performance.now();
const reports: FileReport[] = chosen.map((file) =>
  runSpecFile(api, file, {
    simd: (!values["no-simd"] && simdRequested()) || (isSimdFile(file) && positionals.includes(file)),
    exhaustionRangeError: values.engine === "v8",
    knownDeviations: values.engine === "v8" ? V8_DEVIATIONS : undefined,
    maxFailuresPerFile: Number(values["max-failures"]),
  })
);
const seconds = ((performance.now() - start) / 1000).toFixed(1);
for (const line of formatReports(reports, Number(values["max-failures"]))) console.log(line);
console.log(`engine ${values.engine}, ${chosen.length} files, ${seconds} s`);
Deno.exit(totals(reports).failed ? 1 : 0);
