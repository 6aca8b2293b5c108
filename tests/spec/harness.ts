/**
 * The official spec tests as wabt's `wast2json` wrote them (../shared/spec/wasm-2.0-json), run by the
 * script runner (script_run.ts) against any object with the WebAssembly JS API, so the same runner checks
 * V8's built-in engine and ours. Binary modules only: text-format modules are counted as skipped (and
 * SIMD files, when asked to leave them out); the `.wast` runner (wast_suite.ts) runs those through our
 * parser. Also the report formatting and the engine loading both runners share.
 */
import { runScript } from "./script_run.ts";
import { describeError, type WasmApi } from "./engine_api.ts";
import type { FileReport, RunOptions } from "./report.ts";
import { readJsonScript } from "./json_script.ts";
import { missingPrerequisite } from "./prerequisites.ts";

export { describeError, type ErrorClass, makeSpectest, type WasmApi } from "./engine_api.ts";
export {
  type Failure,
  type FileReport,
  MESSAGE_CHECKED_COMMANDS,
  type MessageException,
  messageMatches,
  type RunOptions,
} from "./report.ts";

/** Where the suite lives: ../shared beside the repository root. */
export const defaultSpecRoot = new URL("../../../shared/spec/wasm-2.0-json/", import.meta.url);

export function isSimdFile(file: string): boolean {
  return file.startsWith("simd_");
}

/** Spec file names (e.g. "address"), sorted; empty when the folder is absent. */
export function listSpecFiles(root: URL = defaultSpecRoot): string[] {
  try {
    return [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * The spec files, for a test module: when the suite is missing, says so once per run, or with CI=true
 * registers a failing test (spec/prerequisites.ts), so a run without it is never silently green. Call at
 * module load.
 */
export function specFilesForTests(): string[] {
  const files = listSpecFiles();
  if (files.length === 0) {
    missingPrerequisite(
      `the spec suite (${defaultSpecRoot.pathname})`,
      "the spec, validator-spec and malformed-input tests",
      "it comes with the project's ../shared folder",
    );
  }
  return files;
}

/** Runs every command of one JSON spec file and counts the results (text-format modules skipped). */
export function runSpecFile(
  api: WasmApi,
  file: string,
  opts: RunOptions = {},
  root = defaultSpecRoot,
): FileReport {
  const commands = readJsonScript(root, file);
  const skipAll = isSimdFile(file) && opts.simd === false;
  return runScript(api, file, commands, { ...opts, text: undefined }, skipAll ? "simd" : undefined);
}

export interface Totals {
  passed: number;
  failed: number;
  skippedText: number;
  skippedSimd: number;
  deviations: number;
  couldNotRun: number;
  /** Scripts our parser could not read (none of their commands ran). */
  unparsed: number;
}

export function totals(reports: FileReport[]): Totals {
  const t: Totals = {
    passed: 0,
    failed: 0,
    skippedText: 0,
    skippedSimd: 0,
    deviations: 0,
    couldNotRun: 0,
    unparsed: 0,
  };
  for (const r of reports) {
    t.passed += r.passed;
    t.failed += r.failed;
    t.skippedText += r.skippedText;
    t.skippedSimd += r.skippedSimd;
    t.deviations += r.deviations;
    t.couldNotRun += r.couldNotRun;
    if (r.parseError !== undefined) t.unparsed++;
  }
  return t;
}

function counts(c: Totals): string {
  const n = (x: number) => String(x).padStart(5);
  const known = c.deviations ? `  known ${n(c.deviations)}` : "";
  const notRun = c.couldNotRun ? `  could not run ${n(c.couldNotRun)}` : "";
  const unparsed = c.unparsed ? `  unparsed ${c.unparsed}` : "";
  return `pass ${n(c.passed)}  fail ${n(c.failed)}  skip ${n(c.skippedText + c.skippedSimd)}${known}` +
    notRun + unparsed;
}

/**
 * One line per file, a total, the skipped files, then failure details (at most `maxDetails`). A file
 * with failures is marked `FAILED`.
 */
export function formatReports(reports: FileReport[], maxDetails = 50): string[] {
  const width = Math.max(...reports.map((r) => r.file.length), 5);
  const mark = "  FAILED";
  const lines = reports.map((r) =>
    `${r.file.padEnd(width)}  ${counts(totals([r]))}${r.failed || r.parseError ? mark : ""}`
  );
  const t = totals(reports);
  lines.push(`${"TOTAL".padEnd(width)}  ${counts(t)}`);
  const simd = reports.filter((r) => r.skippedSimd > 0);
  if (simd.length) {
    lines.push(
      `skipped SIMD: ${t.skippedSimd} commands in ${simd.length} files: ${simd.map((r) => r.file).join(" ")}`,
    );
  }
  const text = reports.filter((r) => r.skippedText > 0);
  if (text.length) {
    const list = text.map((r) => `${r.file}(${r.skippedText})`).join(" ");
    lines.push(`skipped text-format: ${t.skippedText} commands in ${text.length} files: ${list}`);
  }
  return [...lines, ...formatNotRun(reports), ...formatFailures(reports, maxDetails)];
}

/** Every script that could not be parsed and every command that could not run, with the reason. */
export function formatNotRun(reports: FileReport[]): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    if (r.parseError !== undefined) lines.push(`  could not parse ${r.file}.wast: ${r.parseError}`);
  }
  for (const f of reports.flatMap((r) => r.notRun)) {
    lines.push(`  could not run ${f.file}.wast:${f.line} ${f.command}: ${f.reason}`);
  }
  return lines;
}

/** "file.wast:line command: reason" for the first `maxDetails` failures, then how many more there are. */
export function formatFailures(reports: FileReport[], maxDetails = 50): string[] {
  const failures = reports.flatMap((r) => r.failures);
  const lines = failures.slice(0, maxDetails).map((f) =>
    `  ${f.file}.wast:${f.line} ${f.command}: ${f.reason}`
  );
  const hidden = totals(reports).failed - lines.length;
  if (hidden > 0) lines.push(`  ... ${hidden} more failures`);
  return lines;
}

/** Whether the SIMD files run: yes unless WASMRUN_SPEC_SIMD=0 leaves them out. */
export function simdRequested(): boolean {
  return Deno.env.get("WASMRUN_SPEC_SIMD") !== "0";
}

/**
 * The engine to test: "v8" is Deno's built-in WebAssembly, "wasmrun" ours from mod.ts. Loading ours never
 * falls back to V8: a missing mod.ts or export is an error.
 */
export async function loadEngine(name: string): Promise<WasmApi> {
  if (name === "v8") return globalThis.WebAssembly;
  if (name !== "wasmrun") throw new Error(`unknown engine ${name} (use v8 or wasmrun)`);
  // A computed specifier keeps type checking independent of whether mod.ts exists yet.
  const url = new URL("../../mod.ts", import.meta.url).href;
  let mod: { WebAssembly?: WasmApi };
  try {
    mod = await import(url);
  } catch (e) {
    throw new Error(`cannot load the wasmrun engine from ${url}: ${describeError(e)}`);
  }
  if (!mod.WebAssembly) throw new Error(`${url} does not export WebAssembly`);
  return mod.WebAssembly;
}
