/**
 * The interpreter's closures address frame slots as `p + a`: `p` the frame base (in 32-bit units;
 * `p >> 1` in the f64 view, `p << 1` in the v128 one), `a` an operand's slot. A function called from
 * JS runs at frame base 0, and a case whose first operand is its first parameter has `a = 0`, so
 * `p - a`, `p << 1` for `p >> 1` or a dropped shift all go unnoticed there.
 *
 * Here every case runs shifted: three padding parameters come first (so no operand is in slot 0),
 * and it is called through one or two wasm wrappers whose own locals hold other values (so its frame
 * base is not 0, and a slot read below or beyond the frame finds something else). The cases are the
 * plain-closure families of tests/fused_plain.ts and, below, the fused forms whose operands sit in
 * several slots (two-op expressions, float pairs and memory forms, copies, i64 constants); each must
 * still produce its forms, and agree with V8 (results, traps, memory) on the interpreter
 * (`jit: false`). Last, a few lowering paths whose slot bookkeeping only shows with such operands:
 * multi-value returns with a v128 and a 64-bit value in later slots, a constant i64 multiplier on
 * the left, four 64-bit copies in one closure, and the type of a reinterpreted operand.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import { fusedForms, loweredForms } from "../src/interp/lower.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";
import { describeError } from "../fuzz/traps.ts";
import { type Case, F32_AT, F64_AT, fillMemory, PAGE, wat20 } from "./fused_harness.ts";
import {
  BULK_MEMORY_EXTRA,
  bulkMemoryCases,
  conversionCases,
  floatCases as plainFloatCases,
  integerCases,
  LOWERING_EXTRA,
  LOWERING_IMPORTS,
  loweringCases,
  meteredCases,
  plainMemoryCases,
  SIMD_EXTRA,
  simdLoweringCases,
} from "./fused_plain.ts";
import { wat } from "./wat.ts";

// ---- the shifted module ----

/** The parameter and result types of a case's signature (locals stay in the case's function). */
function signature(sig: string): { params: string[]; results: string[] } {
  const params: string[] = [], results: string[] = [];
  for (const [, kind, inner] of sig.matchAll(/\((param|result|local)([^()]*)\)/g)) {
    const words = inner.trim().split(/\s+/).filter((w) => w !== "");
    const types = words[0]?.startsWith("$") ? words.slice(1) : words;
    if (kind === "param") params.push(...types);
    if (kind === "result") results.push(...types);
  }
  return { params, results };
}

/** Padding parameters before the case's own, and the values the wrappers pass them. */
const PADDING = "(param $__i i32) (param $__l i64) (param $__d f64)";
const PADDING_ARGS = "(i32.const 0x5a5a5a5a) (i64.const 0x0123456789abcdef) (f64.const -7.25)";

/** Locals of a wrapper, each set to a value of its own before the call. */
function junk(n: number, seed: number): { decl: string; init: string } {
  const types = ["i64", "f64", "i32", "i64"];
  const decl: string[] = [], init: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = types[(i + seed) % types.length], k = 0x1f3 * (i + 1) + seed;
    decl.push(`(local $__j${i} ${t})`);
    const value = t === "f64" ? `${k}.5` : t === "i64" ? `${-k * 0x10000001}` : `${k ^ 0x6b6b6b6b}`;
    init.push(`(local.set $__j${i} (${t}.const ${value}))`);
  }
  return { decl: decl.join(" "), init: init.join(" ") };
}

/**
 * Case i becomes `$__f<i>` (padded, exported as `f<i>`), `w<i>` calling it from a frame with five
 * locals of its own, and `v<i>` calling `w<i>` from one with two more: two frame bases above 0.
 */
function shiftedModule(cases: Case[], extra: string, memory: string): string {
  const funcs = cases.map((c, i) => {
    const { params, results } = signature(c.sig);
    const sig = `${params.map((t) => `(param ${t})`).join(" ")} ${
      results.length ? `(result ${results.join(" ")})` : ""
    }`;
    const forward = params.map((_, k) => `(local.get ${k})`).join(" ");
    const w = junk(5, i), v = junk(2, i + 1);
    return `(func $__f${i} (export "f${i}") ${PADDING} ${c.sig}\n${c.body})
      (func $__w${i} (export "w${i}") ${sig} ${w.decl} ${w.init} (call $__f${i} ${PADDING_ARGS} ${forward}))
      (func (export "v${i}") ${sig} ${v.decl} ${v.init} (call $__w${i} ${forward}))`;
  });
  return `(module ${extra}\n(memory (export "mem") ${memory})\n${funcs.join("\n")})`;
}

// ---- running against V8 ----

type Exports = Record<string, unknown>;

function show(v: unknown): unknown {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "funcref";
  if (Array.isArray(v)) return v.map(show);
  return v;
}

/** The memory a call may have written: the test data at the start and the last kilobyte. */
const REGIONS: [number, number][] = [[0, 1024], [PAGE - 1024, PAGE]];

interface Outcome {
  result: string;
  /** The regions above, concatenated. */
  memory: Uint8Array;
}

function outcome(exports: Exports, name: string, args: unknown[]): Outcome {
  const buffer = (exports.mem as WebAssembly.Memory).buffer;
  fillMemory(new Uint8Array(buffer));
  let result: unknown;
  try {
    result = show((exports[name] as (...a: unknown[]) => unknown)(...args));
  } catch (err) {
    result = describeError(err);
  }
  const bytes = new Uint8Array((exports.mem as WebAssembly.Memory).buffer); // grown, perhaps
  const memory = new Uint8Array(2048);
  memory.set(bytes.subarray(...REGIONS[0]), 0), memory.set(bytes.subarray(...REGIONS[1]), 1024);
  return { result: JSON.stringify(result), memory };
}

/** Where two outcomes differ, or null. */
function difference(a: Outcome, b: Outcome): string | null {
  if (a.result !== b.result) return `ours ${a.result}, V8 ${b.result}`;
  for (let i = 0; i < a.memory.length; i++) {
    if (a.memory[i] !== b.memory[i]) {
      const at = i < 1024 ? i : PAGE - 2048 + i;
      return `memory[${at}]: ours ${a.memory[i]}, V8 ${b.memory[i]}`;
    }
  }
  return null;
}

interface Options {
  extra?: string;
  memory?: string;
  imports?: WebAssembly.Imports;
  /** wasmrun instance options besides `jit: false`. */
  options?: object;
}

/**
 * Checks that each case still makes its forms when padded, then that its two shifted calls agree
 * with V8 for every argument list. Fails with the first few disagreements.
 */
function runShifted(cases: Case[], opts: Options = {}): void {
  const bytes = wat20(shiftedModule(cases, opts.extra ?? "", opts.memory ?? "1 1"));
  const imports = opts.imports ?? {};
  const ours = new Ours.Instance(new Ours.Module(bytes), imports, { ...opts.options, jit: false })
    .exports as Exports;
  const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as Exports;
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const fn = funcOfJs.get(ours[`f${i}`] as object) as WasmFunc;
    const made = fusedForms(fn), all = loweredForms(fn);
    for (const form of [...c.forms, ...(c.plain ?? [])]) {
      if (!made.includes(form) && !all.has(form)) {
        failures.push(`${c.label}: padded, it no longer makes ${form} (${[...all.keys()].join(", ")})`);
      }
    }
    for (const args of c.args) {
      for (const name of [`w${i}`, `v${i}`]) {
        const diff = difference(outcome(ours, name, args), outcome(v8, name, args));
        if (diff !== null) {
          failures.push(`${c.label}(${args.map((x) => String(show(x))).join(", ")}) via ${name}: ${diff}`);
          return;
        }
      }
    }
  });
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${cases.length} cases failed`);
}

// ---- the plain closures (tests/fused_plain.ts), shifted ----

const PLAIN: [string, () => Case[], Options][] = [
  ["i32 and i64 operators", integerCases, {}],
  ["f32 and f64 operators", plainFloatCases, {}],
  ["conversions", conversionCases, {}],
  ["loads and stores without a folded address", plainMemoryCases, {}],
  ["bulk memory, memory.size and memory.grow", bulkMemoryCases, { extra: BULK_MEMORY_EXTRA, memory: "1 2" }],
  ["control, calls, returns, references, tables, globals, dead code", loweringCases, {
    extra: LOWERING_EXTRA + BULK_MEMORY_EXTRA,
    imports: LOWERING_IMPORTS,
  }],
  ["v128 values through the lowering", simdLoweringCases, { extra: SIMD_EXTRA }],
  ["a metered loop (fuel)", meteredCases, { options: { fuel: 1e7 } }],
];

for (const [name, family, options] of PLAIN) {
  Deno.test({
    name: `operands in later slots, frames above 0: ${name}`,
    fn: () => runShifted(family(), options),
  });
}

// ---- fused forms with operands in several slots ----

const I32S = [0, 1, -1, 0x7fffffff, -0x80000000, 0x0ff00ff0, 0x12345678, 33];
const LOGIC = ["add", "and", "or", "xor"];

function i32Cases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $a i32) (param $b i32) (param $c i32) (result i32)";
  const args = I32S.flatMap((a) => [[a, -0x7f7f7f80, 0x5555aaaa], [a, 0x00ff00ff, -1], [0x3c3c3c3c, a, 7]]);
  for (const op1 of LOGIC) {
    for (const op2 of LOGIC) {
      cases.push({
        label: `(a ${op1} b) ${op2} c`,
        forms: [`binaryThenBinary:${op1}:${op2}:reg`],
        sig,
        body: `(i32.${op2} (i32.${op1} (local.get $a) (local.get $b)) (local.get $c))`,
        args,
      });
      cases.push({
        label: `c ${op2} (b ${op1} a)`,
        forms: [`binaryThenBinary:${op1}:${op2}:reg`],
        sig,
        body: `(i32.${op2} (local.get $c) (i32.${op1} (local.get $b) (local.get $a)))`,
        args,
      });
      cases.push({
        label: `(b ${op1} 0x00ff00ff) ${op2} a`,
        forms: [`binaryThenBinary:${op1}:${op2}:imm`],
        sig,
        body: `(i32.${op2} (i32.${op1} (local.get $b) (i32.const 0x00ff00ff)) (local.get $a))`,
        args,
      });
    }
  }
  for (const sh of ["shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    for (const op of LOGIC) {
      cases.push({
        label: `(b ${sh} 7) ${op} c`,
        forms: [`shiftThenBinary:${sh}:${op}`],
        sig,
        body: `(i32.${op} (i32.${sh} (local.get $b) (i32.const 7)) (local.get $c))`,
        args,
      });
    }
  }
  for (const op of ["add", "mul", "and", "xor", "shl", "rotr", "lt_u", "ge_s"]) {
    cases.push({
      label: `c ${op} 5`,
      forms: [`i32BinaryImm:${op}`],
      sig,
      body: `(i32.${op} (local.get $c) (i32.const 5))`,
      args,
    });
  }
  const bsig = "(param $a i32) (param $b i32) (param $c i32) (result i32 i32) (local $r i32)";
  for (const cmp of ["eq", "lt_s", "gt_u"]) {
    cases.push({
      label: `br_if (c ${cmp} b)`,
      forms: [`i32CompareBranch:${cmp}:reg`],
      sig: bsig,
      body: `(block $out (br_if $out (i32.${cmp} (local.get $c) (local.get $b))) (local.set $r (i32.const 1)))
        (local.get $c) (local.get $r)`,
      args,
    });
    cases.push({
      label: `x = c + b; br_if (x ${cmp} a)`,
      forms: [`addCompareBranch:reg:${cmp}:reg`],
      sig: bsig,
      body: `(block $out (br_if $out (i32.${cmp} (local.tee $r (i32.add (local.get $c) (local.get $b)))
        (local.get $a))) (local.set $r (i32.const 1))) (local.get $c) (local.get $r)`,
      args,
    });
  }
  return cases;
}

const I64S = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x123456789abcdef0n];

function i64Cases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $x i64) (param $y i64) (result i64)";
  const args = I64S.flatMap((x) => [[x, -0x5555555555555556n], [0x0f0f0f0f0f0f0f0fn, x]]);
  for (
    const [sh, k, form] of [["shl", 12, "shl:lt32"], ["shr_s", 40, "shr_s:ge32"], ["rotl", 32, "rotl:32"]]
  ) {
    cases.push({
      label: `y ${sh} ${k}`,
      forms: [`i64BinaryConst:${form}`],
      sig,
      body: `(i64.${sh} (local.get $y) (i64.const ${k}))`,
      args,
    });
  }
  // A constant multiplier on the left, with a high half of its own.
  for (const K of [-5n, 0x100000003n, 0xffffn, -0x61c8864680b583ebn]) {
    cases.push({
      label: `${K} * y`,
      forms: ["i64BinaryConst:mul"],
      sig,
      body: `(i64.mul (i64.const ${K}) (local.get $y))`,
      args,
    });
    cases.push({
      label: `y * ${K}`,
      forms: ["i64BinaryConst:mul"],
      sig,
      body: `(i64.mul (local.get $y) (i64.const ${K}))`,
      args,
    });
  }
  cases.push({
    label: "x ^ (y >> 33)",
    forms: ["i64XorShift:xor:shr_u:ge32"],
    sig,
    body: "(i64.xor (local.get $x) (i64.shr_u (local.get $y) (i64.const 33)))",
    args,
  });
  cases.push({
    label: "(x ^ (y << 7)) * K",
    forms: ["i64XorShift:xormul:shl:lt32"],
    sig,
    body:
      "(i64.mul (i64.xor (local.get $x) (i64.shl (local.get $y) (i64.const 7))) (i64.const 0x100000001b3))",
    args,
  });
  return cases;
}

const F64S = [0, -0, 1, -1.5, 1e308, Infinity, -Infinity, NaN, 5e-324, 0.1];

function floatCases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $a f64) (param $b f64) (param $c f64) (result f64)";
  const args = F64S.flatMap((a) => [[a, 3, -0.25], [2.5, a, 1e300], [-7, 0.5, a]]);
  for (const op1 of ["add", "sub", "mul"]) {
    for (const op2 of ["add", "sub", "mul"]) {
      const inner = `(f64.${op1} (local.get $b) (local.get $c))`;
      cases.push({
        label: `(b ${op1} c) ${op2} a`,
        forms: [`f64BinaryThenBinary:${op1}:${op2}`],
        sig,
        body: `(f64.${op2} ${inner} (local.get $a))`,
        args,
      });
    }
    cases.push({
      label: `a - (b ${op1} c)`,
      forms: [`f64BinaryThenBinary:${op1}:rsub`],
      sig,
      body: `(f64.sub (local.get $a) (f64.${op1} (local.get $b) (local.get $c)))`,
      args,
    });
  }
  for (const [t, at, width] of [["f64", F64_AT, 8], ["f32", F32_AT, 4]] as const) {
    // No NaN: a stored NaN's bits may differ between engines (the spec leaves them open).
    const values = [0, -0, 1.5, -1e300, Infinity, 3];
    const slots = [0, 1, 2, 3, 8, 10].map((i) => at + width * i);
    const msig = `(param $q i32) (param $p i32) (param $x ${t}) (result ${t})`;
    const margs = slots.flatMap((p) => values.map((x) => [7, p, x]));
    const ssig = `(param $q i32) (param $p i32) (param $x ${t}) (param $y ${t})`;
    const sargs = slots.flatMap((p) => values.map((x) => [7, p, x, -2.5]));
    for (const op of ["add", "sub", "mul", "div"]) {
      cases.push({
        label: `x ${t}.${op} load`,
        forms: [`${t}BinaryMem:${op}:right`],
        sig: msig,
        body: `(${t}.${op} (local.get $x) (${t}.load (local.get $p)))`,
        args: margs,
      });
      cases.push({
        label: `load ${t}.${op} x`,
        forms: [`${t}BinaryMem:${op}:left`],
        sig: msig,
        body: `(${t}.${op} (${t}.load offset=8 (i32.add (local.get $p) (i32.const -8))) (local.get $x))`,
        args: margs,
      });
      cases.push({
        label: `${t}.store p (x ${op} y)`,
        forms: [`${t}StoreBinary:${op}`],
        sig: ssig,
        body: `(${t}.store offset=16 (local.get $p) (${t}.${op} (local.get $x) (local.get $y)))`,
        args: sargs,
      });
      for (const [side, expr] of [["left", "(LOAD) (local.get $x)"], ["right", "(local.get $x) (LOAD)"]]) {
        cases.push({
          label: `p[8] = ${side === "left" ? `p[8] ${op} x` : `x ${op} p[8]`}`,
          forms: [`${t}ReadModifyWrite:${op}:${side}`],
          sig: ssig,
          body: `(${t}.store offset=8 (local.get $p) (${t}.${op} ${
            expr.replace("(LOAD)", `(${t}.load offset=8 (local.get $p))`)
          }))`,
          args: sargs,
        });
      }
    }
    cases.push({
      label: `${t} c += y * b`,
      forms: [`mulAddReadModifyWrite:${t}:add`],
      sig: `(param $q i32) (param $c i32) (param $b i32) (param $y ${t})`,
      body: `(local.get $c) (${t}.mul (local.get $y) (${t}.load (local.get $b)))
        (${t}.load (local.get $c)) (${t}.add) (${t}.store)`,
      args: slots.flatMap((c) => [[7, c, at + 16, 1.5], [7, c, at + 8, -0], [7, c, at, -3]]),
    });
  }
  return cases;
}

function copyCases(): Case[] {
  // Four 64-bit copies in one closure: `t = a; a = b; b = c; c = t` and the like.
  const sig =
    "(param $a i64) (param $b f64) (param $c i64) (param $d i64) (result i64 f64 i64 i64) (local $t i64)";
  const args = [
    [0x123456789abcdef0n, -0, -1n, -0x8000000000000000n],
    [-1n, 1e308, 0x7fffffff00000001n, 0n],
    [0x100000000n, 5e-324, 0xffffffffn, 0x80000000n],
  ];
  return [
    {
      label: "four 64-bit copies, then a fifth",
      forms: ["copyManyOp:4"],
      sig,
      body: `(local.set $t (local.get $a)) (local.set $a (local.get $d)) (local.set $d (local.get $c))
        (local.set $c (local.get $t)) (local.set $t (i64.const 0))
        (local.get $a) (local.get $b) (local.get $c) (local.get $d)`,
      args,
    },
    {
      label: "four 64-bit copies, the last into the slot below a live one",
      forms: ["copyManyOp:4"],
      sig,
      body: `(local.set $t (local.get $d)) (local.set $d (local.get $a)) (local.set $a (local.get $t))
        (local.set $c (local.get $a))
        (local.get $a) (local.get $b) (local.get $c) (local.get $d)`,
      args,
    },
  ];
}

const FUSED: [string, () => Case[]][] = [
  ["i32 two-op expressions, shifts, immediates, compare + branch", i32Cases],
  ["i64 constants (a multiplier on the left too) and xorshift", i64Cases],
  ["f64 pairs, float load + arithmetic, arithmetic + store, read-modify-write", floatCases],
  ["four 64-bit copies", copyCases],
];

for (const [name, family] of FUSED) {
  Deno.test({
    name: `operands in later slots, frames above 0, fused: ${name}`,
    fn: () => runShifted(family()),
  });
}

// ---- lowering bookkeeping ----

Deno.test({
  name: "a multi-value return with a v128 takes its i64 and f64 results from their own later slots",
  fn() {
    const bytes = wat(
      `(module (memory (export "mem") 1)
        (func $ret (param $pad i32) (param $x i64) (param $y f64) (param $z i64) (result i64 v128 f64 i64)
          (local $v v128)
          (local.set $v (v128.load (i32.const 0)))
          (local.get $z) (local.get $v) (local.get $y) (local.get $x))
        (func (export "run") (param $x i64) (param $y f64) (param $z i64) (result i64 i64 i64 i64 f64)
          (local $v v128) (local $junk i64)
          (local.set $junk (i64.const -0x2152411021524111))
          (call $ret (i32.const 0x7f7f7f7f) (local.get $x) (local.get $y) (local.get $z))
          (local.set $z) (local.set $y) (local.set $v)
          (i64x2.extract_lane 0 (local.get $v)) (i64x2.extract_lane 1 (local.get $v))
          (local.get $z) (local.get $y)))`,
    );
    const ours = new Ours.Instance(new Ours.Module(bytes), {}, { jit: false }).exports;
    const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    for (
      const [x, y, z] of [
        [0x123456789abcdef0n, -2.5, -0x0fedcba987654321n],
        [-1n, 1e300, 0x100000001n],
        [0n, -0, 0x7fffffff80000000n],
      ] as const
    ) {
      const fill = (e: Record<string, unknown>) =>
        new BigInt64Array((e.mem as WebAssembly.Memory).buffer, 0, 2).set([0x1111222233334444n, -5n]);
      fill(ours), fill(v8);
      const got = (ours.run as (...a: unknown[]) => unknown[])(x, y, z);
      assert.deepEqual(got, (v8.run as (...a: unknown[]) => unknown[])(x, y, z));
      assert.deepEqual(got, [z, 0x1111222233334444n, -5n, x, y]);
    }
  },
});

Deno.test({
  name: "a reinterpreted operand has its new type in the lowering: copies and selects are named by it",
  fn() {
    const bytes = wat20(`(module
      (func (export "f") (param $i i32) (param $l i64) (param $c i32) (result f32 f64 f32 i64)
        (f32.reinterpret_i32 (local.get $i))
        (f64.reinterpret_i64 (local.get $l))
        (block (param f32 f64) (result f32 f64))
        (select (f32.reinterpret_i32 (local.get $i)) (f32.const 1) (local.get $c))
        (i64.reinterpret_f64 (f64.const -0))))`);
    const exports = new Ours.Instance(new Ours.Module(bytes), {}, { jit: false }).exports;
    const forms = loweredForms(funcOfJs.get(exports.f as object) as WasmFunc);
    for (const form of ["copyOp:f32", "copyOp:f64", "select:f32"]) {
      assert.ok(forms.has(form), `${form} among ${[...forms.keys()].join(", ")}`);
    }
    for (const form of ["copyOp:i32", "copyOp:i64", "select:i32"]) {
      assert.ok(!forms.has(form), `${form} should not be made: ${[...forms.keys()].join(", ")}`);
    }
    const f = exports.f as (i: number, l: bigint, c: number) => unknown[];
    assert.deepEqual(f(0x3fc00000, 0x4004000000000000n, 1), [1.5, 2.5, 1.5, -0x8000000000000000n]);
    assert.deepEqual(f(0xc0200000 | 0, -1n, 0).slice(0, 1), [-2.5]);
  },
});
