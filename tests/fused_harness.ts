/**
 * Harness of tests/fused_forms_test.ts: builds one module from many small functions ("cases"),
 * runs each on the threaded-code interpreter (`jit: false`) and on V8's own WebAssembly with the
 * same arguments and the same starting memory, and compares results, traps (kind, and our message
 * against the spec's text) and memory. Before running a case it asserts, through the lowering's
 * form census (`fusedForms` in src/interp/lower.ts), that the function really produced the fused
 * closures the case is about, so a case cannot silently test the unfused path.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import { allFusedForms, fusedForms, loweredForms } from "../src/interp/lower.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";
import { describeError } from "../fuzz/traps.ts";
import { wat } from "./wat.ts";

/** WAT to module bytes (tests/wat.ts: wasmrun's own parser). */
export function wat20(text: string): Uint8Array<ArrayBuffer> {
  return wat(text);
}

export interface Case {
  /** What the case is about, for messages. */
  label: string;
  /** Fused forms lowering this function must produce (see `allFusedForms`). */
  forms: string[];
  /** Forms it must not produce (to pin that a sequence stays unfused). */
  without?: string[];
  /** Other (unfused) forms it must produce, such as `i32Binary:i32.add` or `brTable`. */
  plain?: string[];
  /** Params, results and locals, in WAT: `(param $a i32) (result i32) (local $x i32)`. */
  sig: string;
  body: string;
  args: unknown[][];
  /** A branch case: returns `(…, flag)`, and its arguments must take the branch both ways. */
  branch?: boolean;
  /** A memory access case: its arguments must reach both a last valid and a first invalid address. */
  bounds?: boolean;
}

/** Every scalar load and store: its mnemonic, its width in bytes, and the type of its value. */
export const SCALAR_LOADS: [string, number, string][] = [
  ["i32.load", 4, "i32"],
  ["i64.load", 8, "i64"],
  ["f32.load", 4, "f32"],
  ["f64.load", 8, "f64"],
  ["i32.load8_s", 1, "i32"],
  ["i32.load8_u", 1, "i32"],
  ["i32.load16_s", 2, "i32"],
  ["i32.load16_u", 2, "i32"],
  ["i64.load8_s", 1, "i64"],
  ["i64.load8_u", 1, "i64"],
  ["i64.load16_s", 2, "i64"],
  ["i64.load16_u", 2, "i64"],
  ["i64.load32_s", 4, "i64"],
  ["i64.load32_u", 4, "i64"],
];
export const SCALAR_STORES: [string, number, string][] = [
  ["i32.store", 4, "i32"],
  ["i64.store", 8, "i64"],
  ["f32.store", 4, "f32"],
  ["f64.store", 8, "f64"],
  ["i32.store8", 1, "i32"],
  ["i32.store16", 2, "i32"],
  ["i64.store8", 1, "i64"],
  ["i64.store16", 2, "i64"],
  ["i64.store32", 4, "i64"],
];

/** The memory both engines start every call with (page 1 of 1; the end holds sign-edge bytes). */
export const PAGE = 65536;
export const WORDS = [
  0,
  1,
  -1,
  0x7fffffff,
  -0x80000000,
  0x7f,
  0x80,
  0xff,
  0x7fff,
  0x8000,
  0xffff,
  0x10000,
  2,
  -2,
  0x12345678,
  -0x7fffffff,
  0x7ffffffe,
  0x00ff00ff,
  -0x0100,
  0x80808080,
  0x7f7f7f7f,
  0x01020304,
  -0x7f7f7f80,
  0x40000000,
] as const;
/** Byte addresses of the words above. */
export const WORD_AT = WORDS.map((_, i) => 4 * i);
export const F64_AT = 128; // f64 values from here, 8 bytes apart
export const F64_MEM = [0, -0, 1.5, -2.25, Infinity, -Infinity, 1e308, -5e-324, 0.1, 3, -1, 2 ** 53, NaN];
export const F32_AT = 256; // f32 values, 4 bytes apart
export const F32_MEM = [0, -0, 1.5, -2.25, Infinity, -Infinity, 3.4e38, -1e-45, 0.1, 3, -1, 16777217, NaN];
/** The last 16 bytes of memory: sign edges for narrow loads at the last valid addresses. */
export const TAIL = [
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0xf8,
  0x7f,
  0x00,
  0x00,
  0x00,
  0x80,
  0x7f,
  0xff,
  0x80,
  0xff,
];

export function fillMemory(bytes: Uint8Array): void {
  bytes.fill(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  WORDS.forEach((w, i) => view.setInt32(4 * i, w, true));
  F64_MEM.forEach((x, i) => view.setFloat64(F64_AT + 8 * i, x, true));
  // A NaN with a payload (and the sign bit) at the end of the f64 and f32 tables: bit-exact paths.
  view.setUint32(F64_AT + 8 * F64_MEM.length, 0x00000001, true);
  view.setUint32(F64_AT + 8 * F64_MEM.length + 4, 0xfff00000, true);
  F32_MEM.forEach((x, i) => view.setFloat32(F32_AT + 4 * i, x, true));
  view.setUint32(F32_AT + 4 * F32_MEM.length, 0xff800001, true);
  for (let i = 320; i < 512; i++) bytes[i] = (i * 37) & 0xff;
  bytes.set(TAIL, PAGE - TAIL.length);
}

/** Memory that a call may have written: the test data at the start and the last kilobyte. */
const REGIONS: [number, number][] = [[0, 1024], [PAGE - 1024, PAGE]];

/** Spec trap messages by the fuzzer's categories: our engine must use these words exactly. */
const SPEC_MESSAGES: Record<string, string[]> = {
  "trap:oob-memory": ["out of bounds memory access"],
  "trap:div-zero": ["integer divide by zero"],
  "trap:int-range": ["integer overflow", "invalid conversion to integer"],
  "trap:unreachable": ["unreachable"],
  "trap:oob-table": ["undefined element", "out of bounds table access"],
  "trap:indirect-call": ["indirect call type mismatch", "uninitialized element"],
};

type Exports = Record<string, unknown>;

function show(v: unknown): unknown {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "funcref";
  if (Array.isArray(v)) return v.map(show);
  return v;
}

interface Outcome {
  result?: unknown;
  trap?: string;
  memory: Uint8Array[];
}

function outcome(exports: Exports, name: string, args: unknown[], ours: boolean): Outcome {
  const memory = exports.mem as WebAssembly.Memory;
  fillMemory(new Uint8Array(memory.buffer));
  const out: Outcome = { memory: [] };
  try {
    out.result = show((exports[name] as (...a: unknown[]) => unknown)(...args));
  } catch (err) {
    const kind = describeError(err);
    out.trap = kind;
    if (ours) {
      const message = (err as Error).message;
      assert.ok(
        SPEC_MESSAGES[kind]?.includes(message),
        `${name}(${args.map(String).join(", ")}): trap message "${message}" (${kind})`,
      );
    }
  }
  const bytes = new Uint8Array(memory.buffer); // a new buffer if the call grew the memory
  out.memory = REGIONS.map(([from, to]) => bytes.slice(from, to));
  return out;
}

function firstDifference(a: Uint8Array[], b: Uint8Array[]): string | null {
  for (let r = 0; r < a.length; r++) {
    const x = a[r], y = b[r];
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) return `memory[${REGIONS[r][0] + i}]: ours ${x[i]}, V8 ${y[i]}`;
    }
  }
  return null;
}

/** The parameter and result types of a case's signature, in order. */
function signatureTypes(sig: string): { params: string[]; results: string[] } {
  const types = (kind: string) =>
    [...sig.matchAll(new RegExp(`\\(${kind}(?: \\$[\\w.]+)?((?: \\w+)+)\\)`, "g"))]
      .flatMap((m) => m[1].trim().split(/\s+/));
  return { params: types("param"), results: types("result") };
}

/**
 * The module holding every case as export `c<i>`, with an exported memory (one page by default).
 * With `called`, each case also gets an export `t<i>` that calls it from wasm, from a frame with
 * locals of its own, so that the case's frame does not start at the base of the value stack.
 */
export function moduleText(cases: Case[], extra = "", memory = "1 1", called = false): string {
  const funcs = cases.map((c, i) => {
    const func = `(func $c${i} (export "c${i}") ${c.sig}\n${c.body})`;
    if (!called) return func;
    const { params, results } = signatureTypes(c.sig);
    const args = params.map((_, k) => `(local.get ${k})`).join(" ");
    const result = results.length > 0 ? `(result ${results.join(" ")})` : "";
    return `${func}\n(func (export "t${i}") (param ${params.join(" ")}) ${result} (local i64 i64 i64)
      (call $c${i} ${args}))`;
  });
  return `(module ${extra}\n(memory (export "mem") ${memory})\n${funcs.join("\n")})`;
}

export interface RunOptions {
  /** Module fields before the memory (imports first), and the memory's limits. */
  extra?: string;
  memory?: string;
  /** Imports, the same for both engines. */
  imports?: WebAssembly.Imports;
  /** wasmrun instance options besides `jit: false` (fuel, profile…). */
  options?: object;
  covered?: Set<string>;
}

export interface Run {
  /** Forms the cases were checked to produce. */
  covered: Set<string>;
  calls: number;
}

/**
 * The case with one more parameter in front: every parameter and local of its own then sits a slot
 * further from the frame's base. A closure that reads slot `p - a` instead of `p + a`, or ignores
 * `a`, is only wrong when `a` is not 0, and the cases as written mostly put their first operand there.
 * (The second run also calls each case from wasm, so that `p`, the frame's base, is not 0 either.)
 */
function withLeadingParam(c: Case): Case {
  return {
    ...c,
    label: `${c.label} [after a leading i64 param, called from wasm]`,
    sig: `(param $lead i64) ${c.sig}`,
    args: c.args.map((args) => [-0x5a5a5a5a5a5a5a5bn, ...args]),
  };
}

/**
 * Instantiates `cases` on both engines and checks every one: first that each produces its forms
 * (those found go into `covered` even when something else fails), then each call against V8. A
 * disagreement fails the run, listing the first few cases that disagreed. Every case runs as written,
 * called from JS, and once more after a leading parameter and called from wasm (`withLeadingParam`).
 */
export function runCases(cases: Case[], options: RunOptions = {}): Run {
  const first = runCasesOnce(cases, options, false);
  const second = runCasesOnce(cases.map(withLeadingParam), { ...options, covered: first.covered }, true);
  return { covered: second.covered, calls: first.calls + second.calls };
}

function runCasesOnce(cases: Case[], options: RunOptions, called: boolean): Run {
  const bytes = wat20(moduleText(cases, options.extra, options.memory, called));
  const imports = options.imports ?? {};
  const engineOptions = { ...options.options, jit: false };
  const ours = new Ours.Instance(new Ours.Module(bytes), imports, engineOptions).exports as Exports;
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as Exports;
  const known = new Set(allFusedForms());
  const covered = options.covered ?? new Set<string>();
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const fn = funcOfJs.get(ours[`c${i}`] as object) as WasmFunc;
    const made = fusedForms(fn);
    for (const form of c.forms) {
      assert.ok(known.has(form), `${c.label}: "${form}" is not a fused form the lowering knows`);
      if (made.includes(form)) covered.add(form);
      else {failures.push(
          `${c.label}: expected ${form}, lowering made ${[...loweredForms(fn).keys()].join(", ")}`,
        );}
    }
    const all = loweredForms(fn);
    for (const form of c.without ?? []) {
      if (all.has(form)) failures.push(`${c.label}: ${form} should not be made`);
    }
    for (const form of c.plain ?? []) {
      if (!all.has(form)) {
        failures.push(`${c.label}: expected ${form}, lowering made ${[...all.keys()].join(", ")}`);
      }
    }
  });
  let calls = 0;
  cases.forEach((c, i) => {
    const name = called ? `t${i}` : `c${i}`;
    const flags = new Set<unknown>();
    let traps = 0, fine = 0, failed = false;
    for (const args of c.args) {
      const what = `${c.label}(${args.map((x) => show(x)).join(", ")})`;
      calls++;
      try {
        const a = outcome(ours, name, args, true);
        const b = outcome(v8, name, args, false);
        assert.deepEqual({ result: a.result, trap: a.trap }, { result: b.result, trap: b.trap }, what);
        const diff = firstDifference(a.memory, b.memory);
        if (diff !== null) throw new Error(`${what}: ${diff}`);
        if (b.trap) traps++;
        else fine++;
        if (c.branch && Array.isArray(b.result)) flags.add(b.result[b.result.length - 1]);
      } catch (err) {
        const e = err as { actual?: unknown; expected?: unknown; message: string };
        failures.push(
          "actual" in e
            ? `${what}: ours ${JSON.stringify(e.actual)}, V8 ${JSON.stringify(e.expected)}`
            : e.message,
        );
        failed = true;
        break; // one failing call per case is enough
      }
    }
    if (failed) return;
    if (c.branch && flags.size !== 2) {
      failures.push(`${c.label}: the arguments must take the branch both ways`);
    }
    if (c.bounds && !(traps > 0 && fine > 0)) {
      failures.push(`${c.label}: the arguments must reach both sides of the bound`);
    }
  });
  if (failures.length > 0) {
    const shown = failures.slice(0, 12).join("\n  ");
    assert.fail(`${failures.length} failures in ${cases.length} cases (${calls} calls):\n  ${shown}`);
  }
  return { covered, calls };
}
