/**
 * The `.wast` spec scripts (../shared/spec/wasm-2.0 and wasm-3.0, `legacy/` included), read by our text
 * parser (`parseWast` of src/text/wast.ts) and run by the script runner (script_run.ts) on any engine.
 * A script the parser cannot read (or a parser that does not load) is reported as "could not parse" with
 * the error: the run goes on. Counts are grouped per feature (featureOf).
 */
import type { WastCommand } from "../../src/text/wast_types.ts";
import { runScript } from "./script_run.ts";
import { describeError, type TextParser, type WasmApi } from "./engine_api.ts";
import { emptyReport, type FileReport, type RunOptions } from "./report.ts";
import { type Totals, totals } from "./harness.ts";

export type Suite = "2.0" | "3.0";

/** Where each suite's scripts live: ../shared beside the repository root. */
export function wastRoot(suite: Suite): URL {
  return new URL(`../../../shared/spec/wasm-${suite}/`, import.meta.url);
}

/** Script names without `.wast`, relative to the suite's folder ("address", "legacy/throw"), sorted. */
export function listWastFiles(suite: Suite): string[] {
  const names: string[] = [];
  const walk = (dir: URL, prefix: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.isDirectory) walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".wast")) names.push(prefix + entry.name.slice(0, -5));
    }
  };
  try {
    walk(wastRoot(suite), "");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort();
}

/**
 * The feature a script tests, for the per-feature counts: its folder or its proposal's file names. The
 * numbered files of 3.0 (`load0`, `memory_size3`, …) come from the multi-memory proposal, the `…64` ones
 * from memory64 (which also brought 64-bit tables).
 */
export function featureOf(suite: Suite, file: string): string {
  if (file.startsWith("legacy/")) return "legacy exceptions";
  if (/^(relaxed_|i16x8_relaxed|i32x4_relaxed|i8x16_relaxed)/.test(file)) return "relaxed SIMD";
  if (suite === "3.0") {
    if ((file.endsWith("64") && !/^[fi]64$/.test(file)) || file === "memory64-imports") return "memory64";
    if (/memory-multi$/.test(file) || file === "memory_size_import") return "multi-memory";
    if (!file.startsWith("simd_") && /[a-z_]\d$/.test(file)) return "multi-memory";
    if (/^(tag|throw|throw_ref|try_table)$/.test(file)) return "exceptions";
    if (/^return_call/.test(file)) return "tail calls";
    if (/^(call_ref|br_on_null|br_on_non_null|ref_as_non_null|local_init|ref)$/.test(file)) {
      return "function references";
    }
    if (
      /^(array.*|struct|i31|extern|ref_cast|ref_test|ref_eq|br_on_cast.*|binary-gc|type-.*)$/.test(file)
    ) return "gc";
  }
  if (file.startsWith("simd_")) return "simd";
  return "others";
}

/** What src/text gives the runner. */
export interface WastParser {
  parseWast(text: string, filename: string, options?: { limits32?: boolean }): WastCommand[];
  parseWat(text: string, options?: { limits32?: boolean }): Uint8Array;
  CompileError: TextParser["CompileError"];
}

/**
 * The 2.0 scripts are read with 32-bit limits and memory offsets, as the 2.0 text format has them (Wasm
 * 3.0 made them 64-bit: the 2.0 suite's malformed texts of that kind are well-formed, invalid, since).
 */
const textOptions = (suite: Suite) => ({ limits32: suite === "2.0" });

/**
 * Our parser: `parseWast` and `parseWat` of src/text, which throw our engine's CompileError for malformed
 * text. Kept behind this function (and the `string` of "why it is missing") so that a run goes on, every
 * script counted as not parsed, if the module cannot be loaded.
 */
export async function loadWastParser(): Promise<WastParser | string> {
  try {
    const [{ parseWast, parseWat }, { CompileError }] = await Promise.all([
      import("../../src/text/mod.ts"),
      import("../../src/wasm/errors.ts"),
    ]);
    return { parseWast, parseWat, CompileError };
  } catch (e) {
    return `our text parser (src/text/mod.ts) does not load: ${describeError(e)}`;
  }
}

export type Parsed = { commands: WastCommand[] } | { error: string };

/** Parsed scripts, kept for the process: the key translation (line_map.ts) and the run both need them. */
const parsedScripts = new Map<string, Parsed>();

/** The commands of one script, or why our parser could not read it. */
export function parseScript(parser: WastParser | string, suite: Suite, file: string): Parsed {
  const key = `${suite}/${file}`;
  let parsed = parsedScripts.get(key);
  if (parsed) return parsed;
  if (typeof parser === "string") parsed = { error: parser };
  else {
    const text = Deno.readTextFileSync(new URL(`${file}.wast`, wastRoot(suite)));
    try {
      parsed = { commands: parser.parseWast(text, `${file}.wast`, textOptions(suite)) };
    } catch (e) {
      parsed = { error: describeError(e) };
    }
  }
  parsedScripts.set(key, parsed);
  return parsed;
}

/** Runs one script through our parser on `api`; a script that does not parse is one report saying so. */
export function runWastFile(
  api: WasmApi,
  parser: WastParser | string,
  suite: Suite,
  file: string,
  opts: RunOptions = {},
): FileReport {
  const parsed = parseScript(parser, suite, file);
  if ("error" in parsed) return { ...emptyReport(file), parseError: parsed.error };
  const p = parser as WastParser;
  const text: TextParser = {
    parseWat: (t) => p.parseWat(t, textOptions(suite)),
    CompileError: p.CompileError,
  };
  return runScript(api, file, parsed.commands, { ...opts, text });
}

/** Totals per feature, in a stable order ("others" last). */
export function totalsPerFeature(suite: Suite, reports: FileReport[]): [string, Totals][] {
  const groups = new Map<string, FileReport[]>();
  for (const r of reports) {
    const feature = featureOf(suite, r.file);
    groups.set(feature, [...groups.get(feature) ?? [], r]);
  }
  const names = [...groups.keys()].sort((a, b) =>
    a === "others" ? 1 : b === "others" ? -1 : a.localeCompare(b)
  );
  return names.map((name) => [name, totals(groups.get(name)!)]);
}

/** One line per feature: passed, failed, known deviations, could not run, scripts not parsed. */
export function formatFeatures(suite: Suite, reports: FileReport[]): string[] {
  const rows = totalsPerFeature(suite, reports);
  const width = Math.max(...rows.map(([name]) => name.length), 5);
  const n = (x: number) => String(x).padStart(5);
  const line = (name: string, t: Totals) =>
    `  ${name.padEnd(width)}  pass ${n(t.passed)}  fail ${n(t.failed)}  known ${n(t.deviations)}  ` +
    `could not run ${n(t.couldNotRun)}  unparsed scripts ${n(t.unparsed)}`;
  return [
    `per feature (wasm-${suite}):`,
    ...rows.map(([name, t]) => line(name, t)),
    line("TOTAL", totals(reports)),
  ];
}
