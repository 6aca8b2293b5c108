/** The benchmark results' shape and their plain-text rendering. */

import type { EngineName } from "./engines.ts";

export interface EngineRun {
  /** Fastest timed run, in seconds. */
  seconds?: number;
  times?: number[];
  /** The checksum `run` returned (BigInts end in "n"). */
  checksum?: string;
  error?: string;
}

export interface ProgramResult {
  name: string;
  what: string;
  arg: number;
  engines: Partial<Record<EngineName, EngineRun>>;
  /** wasmrun seconds / V8 seconds, when both ran cleanly. */
  ratio?: number;
  /** wasmrun seconds with `jit: false` / V8 seconds. */
  interpreterRatio?: number;
  /** Extra time with a fuel budget, as a fraction of the time without (0.1 = 10 % slower). */
  fuelOverhead?: number;
}

export interface BigModuleRun {
  /** `new Module(bytes)`: decode + validate (and whatever else the engine does eagerly). */
  decodeSeconds?: number;
  decodeMBps?: number;
  /** `new Module(bytes, { lowering: "eager" })`; absent for V8, which ignores the option. */
  eagerSeconds?: number;
  eagerMBps?: number;
  /** The same with `jit: false`: every function lowered for the interpreter; absent for V8. */
  lowerSeconds?: number;
  lowerMBps?: number;
  /** Module + Instance + first call of the exported `entry`. */
  firstCallSeconds?: number;
  error?: string;
}

export interface BigModuleResult {
  moduleBytes: number;
  codeBytes: number;
  functionCount: number;
  generateSeconds: number;
  /** The extra argument used for the eager-lowering measurement, as source text. */
  eagerOption: string;
  engines: Partial<Record<EngineName, BigModuleRun>>;
}

export interface Report {
  engines: EngineName[];
  warmup: number;
  runs: number;
  programs: ProgramResult[];
  /** Geometric mean of the wasmrun/V8 ratios over the programs where both ran cleanly. */
  geomeanRatio?: number;
  /** The same for the interpreter alone (`jit: false`). */
  geomeanInterpreterRatio?: number;
  bigModule?: BigModuleResult;
  /** Every failure or checksum mismatch; non-empty means the run failed. */
  errors: string[];
}

const MB = 1024 * 1024;

function seconds(s: number | undefined): string {
  return s === undefined ? "-" : s.toFixed(4);
}

function millis(s: number | undefined): string {
  return s === undefined ? "-" : `${(s * 1000).toFixed(1)} ms`;
}

/** Left-aligns the first column and right-aligns the others. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "))
    .join("\n");
}

function programTable(report: Report): string {
  const rows = [[
    "benchmark",
    "n",
    "V8 s",
    "wasmrun s",
    "wasmrun/V8",
    "interp s",
    "interp/V8",
    "+fuel s",
    "fuel cost",
    "checksum",
  ]];
  const ratio = (r: number | undefined) => (r ? `${r.toFixed(1)}x` : "-");
  for (const p of report.programs) {
    const { v8, wasmrun, interpreter, fuel } = p.engines;
    const cell = (run: EngineRun | undefined) => (run?.error ? "ERROR" : seconds(run?.seconds));
    const checksum = v8?.checksum ?? wasmrun?.checksum ?? "-";
    rows.push([
      p.name,
      String(p.arg),
      cell(v8),
      cell(wasmrun),
      ratio(p.ratio),
      cell(interpreter),
      ratio(p.interpreterRatio),
      cell(fuel),
      p.fuelOverhead === undefined ? "-" : `${(100 * p.fuelOverhead).toFixed(0)}%`,
      checksum,
    ]);
  }
  const overheads = report.programs.flatMap((
    p,
  ) => (p.fuelOverhead === undefined ? [] : [1 + p.fuelOverhead]));
  const fuelMean = overheads.length
    ? overheads.reduce((a, b) => a * b) ** (1 / overheads.length) - 1
    : undefined;
  rows.push([
    "geometric mean",
    "",
    "",
    "",
    ratio(report.geomeanRatio),
    "",
    ratio(report.geomeanInterpreterRatio),
    "",
    fuelMean === undefined ? "-" : `${(100 * fuelMean).toFixed(0)}%`,
    "",
  ]);
  return table(rows);
}

function bigModuleTable(big: BigModuleResult): string {
  const rows = [["engine", "decode+validate", "eager compile", "eager lowering", "first instruction"]];
  for (const [name, run] of Object.entries(big.engines)) {
    if (run.error) {
      rows.push([name, "ERROR", "", "", ""]);
      continue;
    }
    const rate = (
      mbps?: number,
      s?: number,
    ) => (mbps === undefined ? "n/a" : `${mbps.toFixed(1)} MB/s (${millis(s)})`);
    rows.push([
      name,
      rate(run.decodeMBps, run.decodeSeconds),
      rate(run.eagerMBps, run.eagerSeconds),
      rate(run.lowerMBps, run.lowerSeconds),
      millis(run.firstCallSeconds),
    ]);
  }
  return table(rows);
}

export function formatReport(report: Report): string {
  const out: string[] = [];
  if (report.programs.length > 0) {
    out.push(
      `Programs: fastest of ${report.runs} timed runs after ${report.warmup} warm-up, in seconds. ` +
        "wasmrun = default (functions compiled to JS); interp = jit: false; +fuel = wasmrun with a fuel budget",
    );
    out.push(programTable(report), "");
  }
  const big = report.bigModule;
  if (big) {
    out.push(
      `Large module: ${(big.codeBytes / MB).toFixed(2)} MB code section, ${big.functionCount} functions, ` +
        `${(big.moduleBytes / MB).toFixed(2)} MB total (generated in ${big.generateSeconds.toFixed(2)} s)`,
    );
    out.push(bigModuleTable(big));
    out.push(
      `MB/s are code-section MB per second of \`new WebAssembly.Module(bytes)\`; eager compile is Module + ` +
        `Instance with ${big.eagerOption} (decode, validate and compile every function to JS; not measured on V8); ` +
        `eager lowering is the same with \`jit: false\` (every function lowered for the interpreter instead); ` +
        `first instruction = Module + Instance + first call of \`entry\` (lazy lowering).`,
      "",
    );
  }
  if (report.errors.length > 0) {
    out.push(`ERRORS (${report.errors.length}):`);
    for (const e of report.errors) out.push(`  ${e}`);
  }
  return out.join("\n");
}
