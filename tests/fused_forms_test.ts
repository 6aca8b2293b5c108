/**
 * One test per fused closure of the interpreter (issue 10: a fused load+compare+branch that
 * compared unsigned as signed survived, because 18 of its 20 forms never ran in any test).
 *
 * `allFusedForms()` (src/interp/lower.ts) lists every fused or specialised closure the lowering can
 * produce. Each family below builds small functions shaped to produce its forms, with the operands
 * at the signed/unsigned and width edges (0, 1, -1, 0x7fffffff, 0x80000000, 0xffffffff, i8/i16
 * sign-extension edges, i64 halves, NaN and ±0) and, for memory accesses, the last valid and first
 * invalid address. Every function runs on the interpreter (`jit: false`) and on V8's WebAssembly;
 * before it runs, the harness checks that lowering it really made the forms it is about. The last
 * test checks that the families together produce every form in the list.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { allFusedForms, countForms } from "../src/interp/lower.ts";
import { F32, F64, I32, STACK_SLOTS } from "../src/runtime/machine.ts";
import { type InstanceState, MemoryInst, type Op } from "../src/runtime/objects.ts";
import * as mem_ from "../src/interp/ops/ops_memory.ts";
import * as i32_ from "../src/interp/ops/ops_i32.ts";
import * as i64_ from "../src/interp/ops/ops_i64.ts";
import * as float_ from "../src/interp/ops/ops_float.ts";
import {
  type Case,
  F32_AT,
  F64_AT,
  fillMemory,
  PAGE,
  runCases,
  SCALAR_LOADS,
  SCALAR_STORES,
  wat20,
  WORD_AT,
} from "./fused_harness.ts";
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

const CMPS = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"] as const;
const SWAPPED: Record<string, string> = {
  eq: "eq",
  ne: "ne",
  lt_s: "gt_s",
  lt_u: "gt_u",
  gt_s: "lt_s",
  gt_u: "lt_u",
  le_s: "ge_s",
  le_u: "ge_u",
  ge_s: "le_s",
  ge_u: "le_u",
};
/** i32 operands: both sides of zero, of the sign bit, and the ends of the range. */
const I32_EDGES = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff, 0x80, 0xffff];
/** Constants compared against (each needs its own function in an `imm` form). */
const I32_KS = [0, 1, -1, 0x7fffffff, -0x80000000];
const I64_EDGES = [
  0n,
  1n,
  -1n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  -0x80000000n,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  0x123456789abcdef0n,
  -0x7fffffff7fffffffn,
];
const F64_EDGES = [0, -0, 1, -1.5, 0.1, 1e308, -1e308, 5e-324, Infinity, -Infinity, NaN];
const F32_EDGES = [0, -0, 1, -1.5, 0.1, 3.4e38, -3.4e38, 1e-45, Infinity, -Infinity, NaN];

function wat32(k: number): string {
  return `(i32.const ${k | 0})`;
}

/** Values around `k`, wrapped to i32: k-1, k, k+1. */
function around(k: number): number[] {
  return [(k - 1) | 0, k | 0, (k + 1) | 0];
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Pairs of the given values (all of them). */
function pairs<T>(xs: readonly T[], ys: readonly T[] = xs): T[][] {
  return xs.flatMap((x) => ys.map((y) => [x, y]));
}

/**
 * Base addresses for an access of `width` bytes at `offset` with `k` folded in: those reaching the
 * effective addresses `data`, unaligned ones, the last valid and first invalid, the far end of the address
 * space and a base that only wraps into range through `+ k`.
 */
function addresses(width: number, offset: number, k = 0, data: number[] = WORD_AT.slice(0, 12)): number[] {
  const last = PAGE - width - offset - k;
  return unique([
    ...data.map((a) => (a - k - offset) | 0),
    (1 - k) | 0,
    (3 - k) | 0,
    (6 - k) | 0,
    last | 0,
    (last - 1) | 0,
    (last + 1) | 0,
    (last + width) | 0,
    -1,
    (-k - offset) | 0,
    0x7fffffff,
  ]);
}

// ---- compare and branch ----

/** How a comparison reaches its branch: br_if (jump when true), if (when false), br_if with a value. */
const SHAPES = ["br_if", "if", "br_if_value"] as const;
type Shape = typeof SHAPES[number];

/**
 * A function returning `(v, flag)`: flag 1 when the branch on `cond` was not taken. `prologue`
 * runs just before the condition, inside the block (entering a block flushes held-back ops).
 */
function branchBody(shape: Shape, cond: string, value: string, prologue = ""): string {
  switch (shape) {
    case "br_if":
      return `(block $out ${prologue} (br_if $out ${cond}) (local.set $r (i32.const 1))) ${value} (local.get $r)`;
    case "if":
      return `${prologue} (if ${cond} (then) (else (local.set $r (i32.const 1)))) ${value} (local.get $r)`;
    case "br_if_value":
      return `(local.set $r (block $out (result i32) (i32.const 0) ${prologue} (br_if $out ${cond}) (drop) ` +
        `(i32.const 1))) ${value} (local.get $r)`;
  }
}

/** Comparisons with this constant on the right that always go the same way. */
function oneWay(c: string, k: number): boolean {
  const u = k >>> 0;
  return (k === -0x80000000 && (c === "lt_s" || c === "ge_s")) ||
    (k === 0x7fffffff && (c === "gt_s" || c === "le_s")) ||
    (u === 0 && (c === "lt_u" || c === "ge_u")) || (u === 0xffffffff && (c === "gt_u" || c === "le_u"));
}

function compareBranchCases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $a i32) (param $b i32) (result i32 i32) (local $r i32)";
  for (const c of CMPS) {
    for (const shape of SHAPES) {
      for (const k of I32_KS) {
        cases.push({
          label: `i32.${c} a ${k} (${shape})`,
          forms: [`i32CompareBranch:${c}:imm`],
          sig,
          body: branchBody(shape, `(i32.${c} (local.get $a) ${wat32(k)})`, "(local.get $a)"),
          args: unique([...I32_EDGES, ...around(k)]).map((a) => [a, 0]),
          branch: !oneWay(c, k),
        });
      }
      // The constant on the left: the comparison is swapped to keep it as the immediate.
      cases.push({
        label: `i32.${c} 1 a (${shape})`,
        forms: [`i32CompareBranch:${SWAPPED[c]}:imm`],
        sig,
        body: branchBody(shape, `(i32.${c} (i32.const 1) (local.get $a))`, "(local.get $a)"),
        args: I32_EDGES.map((a) => [a, 0]),
        branch: true,
      });
      cases.push({
        label: `i32.${c} a b (${shape})`,
        forms: [`i32CompareBranch:${c}:reg`],
        sig,
        body: branchBody(shape, `(i32.${c} (local.get $a) (local.get $b))`, "(local.get $a)"),
        args: pairs(I32_EDGES),
        branch: true,
      });
    }
  }
  for (const shape of SHAPES) {
    cases.push({
      label: `i32.eqz (${shape})`,
      forms: ["branchIf:eqz"],
      sig,
      body: branchBody(shape, "(i32.eqz (local.get $a))", "(local.get $a)"),
      args: I32_EDGES.map((a) => [a, 0]),
      branch: true,
    });
  }
  return cases;
}

/** `x = a + k` (or `a + b`), then a branch on `x OP K` (or `x OP c`): the counted-loop step. */
function addCompareBranchCases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $a i32) (param $b i32) (param $c i32) (result i32 i32) (local $x i32) (local $r i32)";
  const steps: [string, number][] = [["(i32.const 1)", 1], ["(i32.const -1)", -1]];
  for (const c of CMPS) {
    for (const shape of SHAPES) {
      for (const [step, k] of steps) {
        for (const K of [0, -1, 0x7fffffff, -0x80000000]) {
          cases.push({
            label: `x = a + ${k}; x ${c} ${K} (${shape})`,
            forms: [`addCompareBranch:imm:${c}:imm`],
            sig,
            body: branchBody(
              shape,
              `(i32.${c} (local.tee $x (i32.add (local.get $a) ${step})) ${wat32(K)})`,
              "(local.get $x)",
            ),
            args: unique([...I32_EDGES, ...around(K - k)]).map((a) => [a, 0, 0]),
            branch: !oneWay(c, K),
          });
        }
        cases.push({
          label: `x = a + ${k}; x ${c} c (${shape})`,
          forms: [`addCompareBranch:imm:${c}:reg`],
          sig,
          body: branchBody(
            shape,
            `(i32.${c} (local.tee $x (i32.add (local.get $a) ${step})) (local.get $c))`,
            "(local.get $x)",
          ),
          args: pairs(I32_EDGES).map(([a, c]) => [a, 0, c]),
          branch: true,
        });
      }
      for (const K of [0, -1, 0x7fffffff, -0x80000000]) {
        cases.push({
          label: `x = a + b; x ${c} ${K} (${shape})`,
          forms: [`addCompareBranch:reg:${c}:imm`],
          sig,
          body: branchBody(
            shape,
            `(i32.${c} (local.tee $x (i32.add (local.get $a) (local.get $b))) ${wat32(K)})`,
            "(local.get $x)",
          ),
          args: [...pairs(I32_EDGES, [0, 1, -1, 0x7fffffff]), ...around(K).map((a) => [a, 0])]
            .map(([a, b]) => [a, b, 0]),
          branch: !oneWay(c, K),
        });
      }
      cases.push({
        label: `x = a + b; x ${c} c (${shape})`,
        forms: [`addCompareBranch:reg:${c}:reg`],
        sig,
        body: branchBody(
          shape,
          `(i32.${c} (local.tee $x (i32.add (local.get $a) (local.get $b))) (local.get $c))`,
          "(local.get $x)",
        ),
        args: pairs(I32_EDGES, [0, 1, -1, 0x7fffffff, -0x80000000]).flatMap(([a, b]) =>
          [0, -1, 0x7fffffff, -0x80000000, 1].map((c) => [a, b, c])
        ),
        branch: true,
      });
    }
    // `c OP x` with the counter on the right is tested from the counter's side; and `x = a - 3`
    // is `x = a + (-3)`; and the step as a separate `local.set` followed by a `local.get`.
    cases.push({
      label: `x = a - 3; c ${c} x`,
      forms: [`addCompareBranch:imm:${SWAPPED[c]}:reg`],
      sig,
      body: branchBody(
        "br_if",
        `(i32.${c} (local.get $c) (local.tee $x (i32.sub (local.get $a) (i32.const 3))))`,
        "(local.get $x)",
      ),
      args: pairs(I32_EDGES).map(([a, c]) => [a, 0, c]),
      branch: true,
    });
    cases.push({
      label: `x = a + b (set); x ${c} c`,
      forms: [`addCompareBranch:reg:${c}:reg`],
      sig,
      body: branchBody(
        "if",
        `(i32.${c} (local.get $x) (local.get $c))`,
        "(local.get $x)",
        "(local.set $x (i32.add (local.get $a) (local.get $b)))",
      ),
      args: pairs(I32_EDGES, [-1, 0x7fffffff]).flatMap(([a, b]) => [0, -2, 0x7ffffffe].map((c) => [a, b, c])),
      branch: true,
    });
  }
  // A step and a test whose result is a value, not a branch: both stay separate closures.
  for (const c of ["lt_u", "ge_s"]) {
    cases.push({
      label: `x = a + 1; x ${c} c, as a value`,
      forms: [],
      without: [`addCompareBranch:imm:${c}:reg`],
      plain: [`i32Binary:i32.${c}`],
      sig,
      body: `(local.tee $x (i32.add (local.get $a) (i32.const 1))) (local.get $c) (i32.${c}) (local.set $r)
        (local.get $x) (local.get $r)`,
      args: pairs(I32_EDGES).map(([a, c]) => [a, 0, c]),
    });
  }
  // A real counted loop (step and test as its back edge), wrapping at 2^31.
  cases.push({
    label: "counted loop",
    forms: ["addCompareBranch:imm:lt_u:reg"],
    sig,
    body: `(local.set $x (local.get $a))
      (loop $l (local.set $r (i32.xor (local.get $r) (local.get $x)))
        (br_if $l (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $c))))
      (local.get $x) (local.get $r)`,
    args: [[0, 0, 10], [-5, 0, 3], [0x7ffffffd, 0, 0x80000002], [-2, 0, 0], [5, 0, 5]],
  });
  return cases;
}

/** `v = i32.load(…); if (v OP c)`: the scanning-loop step. */
function loadCompareBranchCases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $p i32) (param $c i32) (result i32 i32) (local $v i32) (local $r i32)";
  const data = WORD_AT.slice(0, 24);
  for (const c of CMPS) {
    for (const shape of SHAPES) {
      for (const K of I32_KS) {
        cases.push({
          label: `v = i32.load(p); v ${c} ${K} (${shape})`,
          forms: [`loadCompareBranch:${c}:imm`],
          sig,
          body: branchBody(
            shape,
            `(i32.${c} (local.tee $v (i32.load (local.get $p))) ${wat32(K)})`,
            "(local.get $v)",
          ),
          args: addresses(4, 0, 0, data).map((p) => [p, 0]),
          branch: !oneWay(c, K),
          bounds: true,
        });
      }
      cases.push({
        label: `v = i32.load offset=3 (p + 5); v ${c} c (${shape})`,
        forms: [`loadCompareBranch:${c}:reg`],
        sig,
        body: branchBody(
          shape,
          `(i32.${c} (local.tee $v (i32.load offset=3 (i32.add (local.get $p) (i32.const 5)))) (local.get $c))`,
          "(local.get $v)",
        ),
        args: [
          ...addresses(4, 3, 5, data).map((p) => [p, 0x7f]),
          ...pairs(data.map((p) => p - 8), [0, 1, -1, 0x7fffffff, -0x80000000]),
        ],
        branch: true,
        bounds: true,
      });
    }
    // The load stored with local.set and read back, the constant on the left, the counter on the right.
    cases.push({
      label: `local.set v (i32.load offset=4 (p - 8)); 1 ${c} v`,
      forms: [`loadCompareBranch:${SWAPPED[c]}:imm`],
      sig,
      body: branchBody(
        "br_if",
        `(i32.${c} (i32.const 1) (local.get $v))`,
        "(local.get $v)",
        "(local.set $v (i32.load offset=4 (i32.sub (local.get $p) (i32.const 8))))",
      ),
      args: addresses(4, 4, -8, [...data, 100]).map((p) => [p, 0]),
      branch: true,
      bounds: true,
    });
    cases.push({
      label: `v = i32.load(p); c ${c} v`,
      forms: [`loadCompareBranch:${SWAPPED[c]}:reg`],
      sig,
      body: branchBody(
        "if",
        `(i32.${c} (local.get $c) (local.tee $v (i32.load (local.get $p))))`,
        "(local.get $v)",
      ),
      args: pairs(data, [0, -1, 0x7fffffff, -0x80000000, 0xff]),
      branch: true,
    });
  }
  // A load and a test whose result is a value: separate closures.
  cases.push({
    label: "v = i32.load(p); v lt_u 5, as a value",
    forms: [],
    without: ["loadCompareBranch:lt_u:imm"],
    plain: ["i32BinaryImm:lt_u"],
    sig,
    body: "(local.set $v (i32.load (local.get $p))) (i32.lt_u (local.get $v) (i32.const 5)) (local.set $r) " +
      "(local.get $v) (local.get $r)",
    args: addresses(4, 0, 0, data).map((p) => [p, 0]),
    bounds: true,
  });
  // The scan of fusion_test, with unsigned bounds: `while (a[i] <u limit) i++`.
  cases.push({
    label: "unsigned scan",
    forms: ["loadCompareBranch:lt_u:reg"],
    sig,
    body: `(loop $l (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br_if $l (i32.lt_u (local.tee $v (i32.load (local.get $p))) (local.get $c))))
      (local.get $p) (local.get $v)`,
    args: [[-4, 0x80000000 | 0], [-4, 2], [-4, -1], [PAGE - 16, -1], [PAGE - 16, 0x7f]],
  });
  return cases;
}

// ---- i32 arithmetic ----

function i32ArithCases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $a i32) (param $b i32) (param $c i32) (result i32)";
  const three = [0, 1, -1, 0x7fffffff, -0x80000000, 0x0ff00ff0, 31, 32];
  const args3 = three.flatMap((a) =>
    [0, -1, 0x7fffffff, -0x80000000, 33].flatMap((b) => [[a, b, 5], [a, b, -1]])
  );
  const logic = ["add", "and", "or", "xor"];
  for (const sh of ["shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    for (const op of logic) {
      for (const k of [0, 1, 7, 31, 32, 33]) {
        cases.push({
          label: `(a ${sh} ${k}) ${op} b`,
          forms: [`shiftThenBinary:${sh}:${op}`],
          sig,
          body: k % 2 === 0
            ? `(i32.${op} (i32.${sh} (local.get $a) ${wat32(k)}) (local.get $b))`
            : `(i32.${op} (local.get $b) (i32.${sh} (local.get $a) ${wat32(k)}))`,
          args: args3,
        });
      }
    }
  }
  for (const op1 of logic) {
    for (const op2 of logic) {
      for (const k of [-1, 0x7fffffff, -0x80000000, 0x00ff00ff]) {
        cases.push({
          label: `(a ${op1} ${k}) ${op2} c`,
          forms: [`binaryThenBinary:${op1}:${op2}:imm`],
          sig,
          body: k === -1
            ? `(i32.${op2} (local.get $c) (i32.${op1} (local.get $a) ${wat32(k)}))`
            : `(i32.${op2} (i32.${op1} (local.get $a) ${wat32(k)}) (local.get $c))`,
          args: args3,
        });
      }
      cases.push({
        label: `(a ${op1} b) ${op2} c`,
        forms: [`binaryThenBinary:${op1}:${op2}:reg`],
        sig,
        body: `(i32.${op2} (i32.${op1} (local.get $a) (local.get $b)) (local.get $c))`,
        args: args3,
      });
      cases.push({
        label: `c ${op2} (a ${op1} b)`,
        forms: [`binaryThenBinary:${op1}:${op2}:reg`],
        sig,
        body: `(i32.${op2} (local.get $c) (i32.${op1} (local.get $a) (local.get $b)))`,
        args: args3,
      });
    }
  }
  // `x - k` is `x + (-k)`: the add forms.
  cases.push({
    label: "(a - 5) ^ c",
    forms: ["binaryThenBinary:add:xor:imm"],
    sig,
    body: "(i32.xor (i32.sub (local.get $a) (i32.const 5)) (local.get $c))",
    args: args3,
  });
  const immOps = [...CMPS, "add", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"];
  for (const op of immOps) {
    const isShift = ["shl", "shr_s", "shr_u", "rotl", "rotr"].includes(op);
    const ks = isShift ? [0, 1, 31, 32, 33, -1] : [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345];
    for (const k of ks) {
      cases.push({
        label: `a ${op} ${k}`,
        forms: [`i32BinaryImm:${op}`],
        sig,
        body: `(i32.${op} (local.get $a) ${wat32(k)})`,
        args: unique([...I32_EDGES, ...around(k)]).map((a) => [a, 0, 0]),
      });
    }
  }
  // A constant on the left: commutative ops and comparisons keep it as the immediate.
  for (const op of ["add", "mul", "and", "or", "xor", "eq", "ne"]) {
    cases.push({
      label: `-0x80000000 ${op} a`,
      forms: [`i32BinaryImm:${op}`],
      sig,
      body: `(i32.${op} ${wat32(-0x80000000)} (local.get $a))`,
      args: I32_EDGES.map((a) => [a, 0, 0]),
    });
  }
  for (const c of CMPS) {
    cases.push({
      label: `-1 ${c} a`,
      forms: [`i32BinaryImm:${SWAPPED[c]}`],
      sig,
      body: `(i32.${c} ${wat32(-1)} (local.get $a))`,
      args: I32_EDGES.map((a) => [a, 0, 0]),
    });
  }
  cases.push({
    label: "a - k",
    forms: ["i32BinaryImm:add"],
    sig,
    body: "(i32.sub (local.get $a) (i32.const -0x80000000))",
    args: I32_EDGES.map((a) => [a, 0, 0]),
  });
  // Two pointer steps in a row.
  for (const [k1, k2] of [[4, -4], [0x7fffffff, 1], [-0x80000000, -1]]) {
    cases.push({
      label: `a += ${k1}; b += ${k2}`,
      forms: ["addImm2"],
      sig: "(param $a i32) (param $b i32) (param $c i32) (result i32 i32)",
      body: `(local.set $a (i32.add (local.get $a) ${wat32(k1)}))
        (local.set $b (i32.add (local.get $b) ${wat32(k2)})) (local.get $a) (local.get $b)`,
      args: pairs(I32_EDGES.slice(0, 7)).map(([a, b]) => [a, b, 0]),
    });
  }
  return cases;
}

// ---- i64 ----

function i64Cases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $x i64) (param $y i64) (result i64)";
  const args = I64_EDGES.flatMap((x) => [0n, -1n, 0x5555555555555555n, 0x80000000n].map((y) => [x, y]));
  const amounts: Record<string, number[]> = {
    "0": [0, 64, 128],
    lt32: [1, 12, 31, 65],
    ge32: [32, 33, 63],
    "32": [32, 96],
    gt32: [33, 40, 63],
  };
  for (const sh of ["shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    const ranges = sh.startsWith("rot") ? ["0", "lt32", "32", "gt32"] : ["0", "lt32", "ge32"];
    for (const range of ranges) {
      for (const k of amounts[range]) {
        cases.push({
          label: `x ${sh} ${k}`,
          forms: [`i64BinaryConst:${sh}:${range}`],
          sig,
          body: `(i64.${sh} (local.get $x) (i64.const ${k}))`,
          args,
        });
      }
    }
  }
  for (const K of [0n, 1n, -1n, 0x100000001b3n, -0x61c8864680b583ebn, 0xffffffffn, 0x80000000n, 0xffffn]) {
    cases.push({
      label: `x * ${K}`,
      forms: ["i64BinaryConst:mul"],
      sig,
      body: K === 0xffffn
        ? `(i64.mul (i64.const ${K}) (local.get $x))`
        : `(i64.mul (local.get $x) (i64.const ${K}))`,
      args,
    });
  }
  const shifts: [string, string, number[]][] = [
    ["shr_u", "shr_u:lt32", [1, 12, 31]],
    ["shr_u", "shr_u:ge32", [32, 33, 63]],
    ["shl", "shl:lt32", [1, 25, 31]],
    ["shl", "shl:ge32", [32, 40, 63]],
    ["shr_u", "none", [0, 64]],
    ["shl", "none", [0]],
  ];
  for (const [sh, form, ks] of shifts) {
    for (const k of ks) {
      const shifted = `(i64.${sh} (local.get $x) (i64.const ${k}))`;
      cases.push({
        label: `y ^ (x ${sh} ${k})`,
        forms: [`i64XorShift:xor:${form}`],
        sig,
        body: k % 2 === 0 ? `(i64.xor (local.get $y) ${shifted})` : `(i64.xor ${shifted} (local.get $y))`,
        args,
      });
      cases.push({
        label: `(y ^ (x ${sh} ${k})) * K`,
        forms: [`i64XorShift:xormul:${form}`],
        sig,
        body:
          `(i64.mul (i64.xor ${k % 2 === 0 ? `(local.get $y) ${shifted}` : `${shifted} (local.get $y)`}) ` +
          `(i64.const -0x61c8864680b583eb))`,
        args,
      });
    }
  }
  cases.push({
    label: "(x ^ y) * K",
    forms: ["i64XorShift:xormul:none"],
    sig,
    body: "(i64.mul (i64.xor (local.get $x) (local.get $y)) (i64.const 0x100000001b3))",
    args,
  });
  return cases;
}

// ---- floats ----

function floatCases(): Case[] {
  const cases: Case[] = [];
  const sig = "(param $a f64) (param $b f64) (param $c f64) (result f64)";
  const edges = [0, -0, 1, -1.5, 1e308, -1e308, Infinity, -Infinity, NaN, 5e-324];
  const args3 = edges.flatMap((a) =>
    [0, -0, 1e308, Infinity, NaN, -2].flatMap((b) => [[a, b, -0], [a, b, -Infinity]])
  );
  const ops = ["add", "sub", "mul"];
  for (const op1 of ops) {
    for (const op2 of ["add", "sub", "rsub", "mul"]) {
      const inner = `(f64.${op1} (local.get $a) (local.get $b))`;
      const real = op2 === "rsub" ? "sub" : op2;
      const bodies = op2 === "rsub"
        ? [`(f64.sub (local.get $c) ${inner})`, `(f64.sub (f64.const -0) ${inner})`]
        : [`(f64.${real} ${inner} (local.get $c))`, `(f64.${real} ${inner} (f64.const -0))`];
      if (op2 === "add" || op2 === "mul") bodies.push(`(f64.${real} (local.get $c) ${inner})`);
      for (const body of bodies) {
        cases.push({ label: body, forms: [`f64BinaryThenBinary:${op1}:${op2}`], sig, body, args: args3 });
      }
    }
  }
  // One operand loaded from memory.
  for (
    const [t, at, values, width] of [["f64", F64_AT, F64_EDGES, 8], ["f32", F32_AT, F32_EDGES, 4]] as const
  ) {
    const slots = Array.from({ length: 14 }, (_, i) => at + width * i);
    for (const op of ["add", "sub", "mul", "div"]) {
      const load = `(${t}.load offset=4 (local.get $p))`;
      const folded = `(${t}.load offset=4 (i32.add (local.get $p) (i32.const -8)))`;
      const fsig = `(param $p i32) (param $x ${t}) (result ${t})`;
      const fargs = (k: number) => [
        ...pairs(slots.map((s) => s - 4 - k), values),
        ...addresses(width, 4, k, [at + 1, at + 2]).map((p) => [p, 1.5]),
      ];
      cases.push({
        label: `x ${t}.${op} load`,
        forms: [`${t}BinaryMem:${op}:right`],
        sig: fsig,
        body: `(${t}.${op} (local.get $x) ${load})`,
        args: fargs(0),
        bounds: true,
      });
      cases.push({
        label: `load(p - 8) ${t}.${op} x`,
        forms: [`${t}BinaryMem:${op}:left`],
        sig: fsig,
        body: `(${t}.${op} ${folded} (local.get $x))`,
        args: fargs(-8),
        bounds: true,
      });
      cases.push({
        label: `load ${t}.${op} -0`,
        forms: [`${t}BinaryMem:${op}:left`],
        sig: fsig,
        body: `(${t}.${op} ${load} (${t}.const -0))`,
        args: fargs(0),
        bounds: true,
      });
      // Arithmetic stored, and a read-modify-write of one address.
      const ssig = `(param $p i32) (param $x ${t}) (param $y ${t})`;
      const sargs = [
        ...pairs([0, -0, 1.5, Infinity, NaN, -1e300], values).map(([x, y]) => [at, x, y]),
        ...addresses(width, 16, 0, [at + 1, at + 2, at + 4]).map((p) => [p, 1.25, -3]),
      ];
      cases.push({
        label: `${t}.store offset=16 p (x ${op} y)`,
        forms: [`${t}StoreBinary:${op}`],
        sig: ssig,
        body: `(${t}.store offset=16 (local.get $p) (${t}.${op} (local.get $x) (local.get $y)))`,
        args: sargs,
        bounds: true,
      });
      const rargs = [
        ...pairs(slots.map((s) => s - 8), values.slice(0, 9)).map(([p, x]) => [p, x, 0]),
        ...addresses(width, 8, 0, [at + 1, at + 2, at + 4]).map((p) => [p, 2, 0]),
      ];
      cases.push({
        label: `p[8] = p[8] ${op} x`,
        forms: [`${t}ReadModifyWrite:${op}:left`],
        sig: ssig,
        body:
          `(${t}.store offset=8 (local.get $p) (${t}.${op} (${t}.load offset=8 (local.get $p)) (local.get $x)))`,
        args: rargs,
        bounds: true,
      });
      cases.push({
        label: `p[8] = x ${op} p[8]`,
        forms: [`${t}ReadModifyWrite:${op}:right`],
        sig: ssig,
        body:
          `(${t}.store offset=8 (local.get $p) (${t}.${op} (local.get $x) (${t}.load offset=8 (local.get $p))))`,
        args: rargs,
        bounds: true,
      });
    }
    // c[i] += y * b[j]: the multiply by a loaded value moves into the read-modify-write of c.
    const width_ = width;
    cases.push({
      label: `${t} c += y * b`,
      forms: [`mulAddReadModifyWrite:${t}:add`],
      sig: `(param $c i32) (param $b i32) (param $y ${t})`,
      body: `(local.get $c)
        (${t}.mul (local.get $y) (${t}.load offset=8 (i32.add (local.get $b) (i32.const -4))))
        (${t}.load offset=4 (local.get $c)) (${t}.add) (${t}.store offset=4)`,
      args: [
        ...pairs(slots.slice(0, 6).map((s) => s - 4), slots.slice(0, 12).map((s) => s - 4)).flatMap((
          [c, b],
        ) => [0, -0, 1.5, NaN, Infinity].map((y) => [c, b, y])),
        ...addresses(width_, 4, 0, [at + 1, at + 3]).map((c) => [c, at, 2]),
        ...addresses(width_, 4, 0, [at + 1]).map((b) => [at, b, 2]),
      ],
      bounds: true,
    });
    cases.push({
      label: `${t} c += b * y (unaligned)`,
      forms: [`mulAddReadModifyWrite:${t}:add`],
      sig: `(param $c i32) (param $b i32) (param $y ${t})`,
      body: `(local.get $c) (${t}.mul (local.get $y) (${t}.load (local.get $b)))
        (${t}.load (local.get $c)) (${t}.add) (${t}.store)`,
      args: [[at + 1, at + 2, 3], [at + 3, at + 1, -1], [at + 4, at + 12, 0.5], [
        PAGE - width,
        PAGE - width,
        2,
      ]],
    });
  }
  return cases;
}

// ---- memory: folded addresses ----

const LOADS = SCALAR_LOADS;
const STORES = SCALAR_STORES;

/** Float results leave as their bits (reinterpreted: no closure, the load stays as it is). */
function asBits(type: string, expr: string): string {
  return type === "f32"
    ? `(i32.reinterpret_f32 ${expr})`
    : type === "f64"
    ? `(i64.reinterpret_f64 ${expr})`
    : expr;
}

function memoryCases(): Case[] {
  const cases: Case[] = [];
  const data = [
    ...WORD_AT.slice(0, 24),
    F64_AT,
    F64_AT + 8,
    F64_AT + 96,
    F64_AT + 104,
    F32_AT + 48,
    F32_AT + 52,
  ];
  const tail = [PAGE - 16, PAGE - 12, PAGE - 9, PAGE - 8, PAGE - 5, PAGE - 4, PAGE - 3, PAGE - 2, PAGE - 1];
  for (const [op, width, type] of LOADS) {
    const rt = type === "f32" ? "i32" : type === "f64" ? "i64" : type;
    for (const [k, offset] of [[4, 0], [-4, 3], [0x7fffffff, 1]]) {
      cases.push({
        label: `${op} offset=${offset} (p + ${k})`,
        forms: [`load:${op}:folded`],
        sig: `(param $p i32) (result ${rt})`,
        body: asBits(type, `(${op} offset=${offset} (i32.add (local.get $p) ${wat32(k)}))`),
        args: [
          ...addresses(width, offset, k, [...data, ...tail.filter((a) => a + width <= PAGE)]).map((p) => [p]),
        ],
        bounds: true,
      });
    }
  }
  for (
    const [op, width, type] of LOADS.filter(([op]) => ["i32.load", "f64.load", "i32.load8_u"].includes(op))
  ) {
    cases.push({
      label: `${op} offset=2 (a + b)`,
      forms: [`loadIndexed:${op}`],
      sig: `(param $a i32) (param $b i32) (result ${type === "f64" ? "i64" : type})`,
      body: asBits(type, `(${op} offset=2 (i32.add (local.get $a) (local.get $b)))`),
      args: [
        ...addresses(width, 2, 0, data).flatMap((a) => [[a, 0], [(a - 6) | 0, 6]]),
        [-1, 1],
        [0x7fffffff, 0x7fffffff],
        [-0x80000000, -0x80000000],
        [PAGE, -8],
      ],
      bounds: true,
    });
  }
  // A pointer step held back before the address: it runs first, then the access folds `q + k`.
  cases.push({
    label: "p += 4; i32.load8_s offset=1 (q + 8)",
    forms: ["load:i32.load8_s:folded"],
    sig: "(param $p i32) (param $q i32) (result i32 i32)",
    body: "(local.set $p (i32.add (local.get $p) (i32.const 4))) " +
      "(i32.load8_s offset=1 (i32.add (local.get $q) (i32.const 8))) (local.get $p)",
    args: addresses(1, 1, 8, [...data, ...tail]).map((q) => [q, q]),
    bounds: true,
  });
  cases.push({
    label: "p += 4; i32.store16 (q + 8) v",
    forms: ["store:i32.store16:folded"],
    sig: "(param $p i32) (param $q i32) (result i32)",
    body: "(local.set $p (i32.add (local.get $p) (i32.const 4))) " +
      "(i32.store16 (i32.add (local.get $q) (i32.const 8)) (local.get $p)) (local.get $p)",
    args: addresses(2, 0, 8, [0, 3, 500]).map((q) => [-0x7fff, q]),
    bounds: true,
  });
  const values: Record<string, unknown[]> = {
    i32: [0, -1, 0x7fffffff, -0x80000000, 0x12345678, 0x80, 0x7fff],
    i64: [0n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, 0x80000000n],
  };
  for (const [op, width, type] of STORES) {
    const vt = type === "f32" ? "i32" : type === "f64" ? "i64" : type;
    const value = type === "f32"
      ? "(f32.reinterpret_i32 (local.get $v))"
      : type === "f64"
      ? "(f64.reinterpret_i64 (local.get $v))"
      : "(local.get $v)";
    for (const [k, offset] of [[8, 0], [-3, 5]]) {
      cases.push({
        label: `${op} offset=${offset} (p + ${k}) v`,
        forms: [`store:${op}:folded`],
        sig: `(param $p i32) (param $v ${vt})`,
        body: `(${op} offset=${offset} (i32.add (local.get $p) ${wat32(k)}) ${value})`,
        args: [
          ...addresses(width, offset, k, [0, 1, 3, 8, 520]).flatMap((p) =>
            values[vt].slice(0, 2).map((v) => [p, v])
          ),
          ...values[vt].map((v) => [500, v]),
          ...values[vt].map((v) => [PAGE - width - offset - k, v]),
        ],
        bounds: true,
      });
    }
    const constant = vt === "i32" ? "(i32.const -0x7f7f7f80)" : "(i64.const -0x7f7f7f7f7f7f7f80)";
    const cvalue = type === "f32"
      ? `(f32.reinterpret_i32 ${constant})`
      : type === "f64"
      ? `(f64.reinterpret_i64 ${constant})`
      : constant;
    cases.push({
      label: `${op} (p + 1) const`,
      forms: [`store:${op}:folded`],
      sig: "(param $p i32)",
      body: `(${op} (i32.add (local.get $p) (i32.const 1)) ${cvalue})`,
      args: addresses(width, 0, 1, [0, 3, 600]).map((p) => [p]),
      bounds: true,
    });
  }
  return cases;
}

// ---- copies ----

function copyCases(): Case[] {
  const cases: Case[] = [];
  const sig =
    "(param $a i64) (param $b f64) (param $c i32) (param $d i64) (result i64 f64 i32 i64) (local $t i64)";
  const args = [
    [0x123456789abcdef0n, -0, -1, -0x8000000000000000n],
    [-1n, 1e308, 0x7fffffff, 0n],
  ];
  cases.push({
    label: "two copies",
    forms: ["copyManyOp:2"],
    sig,
    body: "(local.set $t (local.get $a)) (local.set $a (local.get $d)) (local.get $a) (local.get $b) " +
      "(local.get $c) (local.get $t)",
    args,
  });
  cases.push({
    label: "three copies",
    forms: ["copyManyOp:3"],
    sig,
    body: "(local.set $t (local.get $a)) (local.set $a (local.get $d)) (local.set $d (local.get $t)) " +
      "(local.get $a) (local.get $b) (local.get $c) (local.get $d)",
    args,
  });
  cases.push({
    label: "five copies: four, then one",
    forms: ["copyManyOp:4"],
    sig:
      "(param $a i32) (param $b i32) (param $c i32) (param $d i32) (result i32 i32 i32 i32) (local $t i32)",
    body: "(local.set $t (local.get $a)) (local.set $a (local.get $b)) (local.set $b (local.get $c)) " +
      "(local.set $c (local.get $d)) (local.set $d (local.get $t)) " +
      "(local.get $a) (local.get $b) (local.get $c) (local.get $d)",
    args: [[1, 2, 3, 4], [-1, 0x7fffffff, -0x80000000, 0]],
  });
  return cases;
}

const FAMILIES: [string, () => Case[]][] = [
  ["compare + branch", compareBranchCases],
  ["add + compare + branch (counter step and test)", addCompareBranchCases],
  ["load + compare + branch", loadCompareBranchCases],
  ["i32: shift/two-op/immediate forms, pointer steps", i32ArithCases],
  ["i64: constant shifts, rotations, multiplies, xorshift", i64Cases],
  ["floats: two-op forms, load + arithmetic, arithmetic + store, read-modify-write", floatCases],
  ["memory: folded and indexed addresses", memoryCases],
  ["copies", copyCases],
];

const covered = new Set<string>();

for (const [name, family] of FAMILIES) {
  Deno.test({
    name: `fused forms agree with V8 at the edges: ${name}`,
    fn() {
      runCases(family(), { covered });
    },
  });
}

Deno.test({
  name: "fused forms: a v128 load folds its `base + k` address",
  fn() {
    const cases: Case[] = [];
    for (
      const [op, width] of [["v128.load", 16], ["v128.load32_zero", 4], ["v128.load8_splat", 1]] as const
    ) {
      cases.push({
        label: `${op} offset=2 (p + 3)`,
        forms: ["simdLoad:folded"],
        sig: "(param $p i32) (result i32 i32 i32 i32)",
        body: `(local.set $v (${op} offset=2 (i32.add (local.get $p) (i32.const 3))))
          (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v))
          (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v))`.replace(
          "(param $p i32) (result i32 i32 i32 i32)",
          "",
        ),
        args: addresses(width, 2, 3, [0, 1, 4, 7]).map((p) => [p]),
        bounds: true,
      });
    }
    for (const c of cases) c.sig += " (local $v v128)";
    runCases(cases, { covered });
  },
});

Deno.test({
  name: "fused forms: every form the lowering knows is produced and checked by a family above",
  fn() {
    const missing = allFusedForms().filter((f) => !covered.has(f));
    assert.deepEqual(missing, [], `fused forms no test produced: ${missing.join(", ")}`);
  },
});

// ---- the closures that are not fused, and the lowering's other paths ----

const PLAIN: [string, () => Case[], Parameters<typeof runCases>[1]][] = [
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
  ["a metered loop (profile)", meteredCases, { options: { profile: true } }],
];

for (const [name, family, options] of PLAIN) {
  Deno.test({
    name: `unfused closures agree with V8 at the edges: ${name}`,
    fn() {
      runCases(family(), options);
    },
  });
}

// ---- the factories called directly: what no valid module can reach from a little-endian host ----

/** A frame far above anything the tests' wasm calls use; `slot(i)` is its base in 32-bit units. */
const BASE = 2 * (STACK_SLOTS - 64);

/** An instance as the memory closures see it: only its memory. */
function instanceWith(memory: MemoryInst): InstanceState {
  return { mem: memory } as InstanceState;
}

/** Runs `op` (of an instance with `memory`) and returns the trap message, or null. */
function trapOf(op: Op, memory = new MemoryInst(0, 0)): string | null {
  try {
    op(BASE, instanceWith(memory));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

Deno.test("factories refuse opcodes they have no closure for", () => {
  const bad = 0x01;
  const refuse = (make: () => unknown) => assert.throws(make, Error);
  refuse(() => mem_.load(bad, 0, 0, 0, 0, 0));
  refuse(() => mem_.store(bad, 0, 0, 0, 0, 0));
  refuse(() => mem_.loadIndexed(0x2c, 0, 0, 0, 0, 0));
  refuse(() => mem_.f64BinaryMem(0xa4, 0, 0, 0, 0, 0, false, 0));
  refuse(() => mem_.f32BinaryMem(0x96, 0, 0, 0, 0, 0, false, 0));
  refuse(() => mem_.f64StoreBinary(0, 0, 0xa4, 0, 0, 0));
  refuse(() => mem_.f32StoreBinary(0, 0, 0x96, 0, 0, 0));
  refuse(() => mem_.f64ReadModifyWrite(0, 0, 0xa4, 0, false, 0));
  refuse(() => mem_.f32ReadModifyWrite(0, 0, 0x96, 0, false, 0));
  refuse(() => mem_.loadCompareBranch(0, 0, 0, 0, 0x45, 0, true, true, 0, 0));
  refuse(() => mem_.loadCompareBranch(0, 0, 0, 0, 0x45, 0, false, true, 0, 0));
  refuse(() => i32_.i32Binary(0x45, 0, 0, 0, 0));
  refuse(() => i32_.i32BinaryImm(0x6d, 0, 0, 0, 0));
  refuse(() => i32_.i32Unary(0x6a, 0, 0, 0));
  refuse(() => i32_.i32CompareBranch(0x45, 0, 0, true, true, 0, 0));
  refuse(() => i32_.i32CompareBranch(0x45, 0, 0, false, true, 0, 0));
  for (const [addImm, cmpImm] of [[true, true], [true, false], [false, true], [false, false]]) {
    refuse(() => i32_.addCompareBranch(0, 0, 0, addImm, 0x45, 0, cmpImm, true, 0, 0));
  }
  refuse(() => i32_.shiftThenBinary(0x74, 0, 1, 0x6c, 0, 0, 0));
  refuse(() => i32_.binaryThenBinary(0x6c, 0, 0, true, 0x6a, 0, 0, 0));
  refuse(() => i32_.binaryThenBinary(0x6c, 0, 0, false, 0x6a, 0, 0, 0));
  refuse(() => i64_.i64Binary(0x50, 0, 0, 0, 0));
  refuse(() => i64_.i64Unary(0x7c, 0, 0, 0));
  refuse(() => i64_.i64BinaryConst(0x7c, 0, 0, 1, 0, 0));
  refuse(() => float_.f64BinaryThenBinary(0xa3, 0, 0, 0xa0, 0, false, 0, 0));
});

Deno.test("the big-endian load path agrees with the typed-array one on every load", () => {
  const memory = new MemoryInst(1, 1);
  fillMemory(memory.u8);
  const addresses = [
    0,
    1,
    2,
    3,
    4,
    5,
    12,
    16,
    19,
    F64_AT,
    F64_AT + 3,
    PAGE - 9,
    PAGE - 8,
    PAGE - 5,
    PAGE - 4,
  ];
  for (let op = 0x28; op <= 0x35; op++) {
    for (const [k, offset] of [[0, 0], [-4, 3], [0x7fffffff, 0x7fffffff]]) {
      for (const a of [...addresses, PAGE - 3, PAGE - 2, PAGE - 1, PAGE, -1].map((x) => x - k - offset)) {
        const run = (portable: boolean) => {
          I32[BASE] = a, I32[BASE + 2] = 0x5a5a5a5a, I32[BASE + 3] = 0x5a5a5a5a;
          const op_ = portable
            ? mem_.loadPortable(op, 2, 0, k, offset, 7)
            : mem_.load(op, 1, 0, k, offset, 7);
          const trap = trapOf(op_, memory);
          return { trap, lo: I32[BASE + 2], hi: I32[BASE + 3] };
        };
        assert.deepEqual(run(true), run(false), `0x${op.toString(16)} at ${a} + ${k} + ${offset}`);
      }
    }
  }
});

Deno.test("fused forms the lowering never makes still compute what their instructions would", () => {
  // `c[i] -= y * b[j]` (f32 and f64): the lowering meets the subtraction with c's load flushed.
  const memory = new MemoryInst(1, 1);
  for (const f32 of [false, true]) {
    for (const [c, b, y] of [[1.5, 2, 3], [0.1, 0.2, 0.3], [Infinity, 1, Infinity], [-0, 0, 5]]) {
      // The last valid and first invalid address of c and of b, for both widths (PAGE - 7: the first
      // invalid f64, a valid f32; PAGE - 3: the first invalid f32).
      const edges = [[PAGE - 8, 0], [PAGE - 7, 0], [PAGE - 4, 0], [PAGE - 3, 0], [0, PAGE - 7], [
        0,
        PAGE - 3,
      ]];
      for (const [cA, bA] of [[8, 16], [9, 18], ...edges, [PAGE - 2, 0], [0, PAGE - 2]]) {
        fillMemory(memory.u8);
        const width = f32 ? 4 : 8;
        const write = (at: number, v: number) => {
          if (at + width > PAGE) return;
          if (f32) memory.view.setFloat32(at, v, true);
          else memory.view.setFloat64(at, v, true);
        };
        write(cA, c), write(bA, b);
        I32[BASE] = cA, I32[BASE + 2] = bA - 4;
        if (f32) F32[BASE + 4] = y;
        else F64[BASE / 2 + 2] = y;
        const op = mem_.mulAddReadModifyWrite(f32, 2, 1, 4, 0, 0, 0, true, 5);
        const fits = cA + width <= PAGE && bA + width <= PAGE;
        assert.equal(trapOf(op, memory), fits ? null : "out of bounds memory access");
        if (!fits) continue;
        const got = f32 ? memory.view.getFloat32(cA, true) : memory.view.getFloat64(cA, true);
        const want = f32
          ? Math.fround(Math.fround(c) - Math.fround(Math.fround(y) * Math.fround(b)))
          : c - y * b;
        assert.ok(Object.is(got, want), `${f32 ? "f32" : "f64"} ${c} - ${y} * ${b}: ${got}, not ${want}`);
      }
    }
  }
  // `x - k` with a constant is lowered as `x + (-k)`; the sub closure still subtracts.
  for (const [a, k] of [[0, 1], [-0x80000000, 1], [5, -0x80000000], [0x7fffffff, -1]]) {
    I32[BASE + 2] = a;
    i32_.i32BinaryImm(0x6b, 0, 1, k, 0)(BASE, instanceWith(new MemoryInst(0, 0)));
    assert.equal(I32[BASE], (a - k) | 0);
  }
});

Deno.test({
  name: "countForms counts the forms of every function lowered while it is on",
  fn() {
    const bytes = wat20(`(module (memory 1)
      (func (export "scan") (param $p i32) (result i32) (local $v i32)
        (loop $l (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br_if $l (i32.lt_u (local.tee $v (i32.load (local.get $p))) (i32.const 0x80000000))))
        (local.get $p)))`);
    const counts = new Map<string, number>();
    const before = countForms(counts);
    try {
      const exports = new Ours.Instance(new Ours.Module(bytes), {}, { jit: false }).exports;
      assert.equal((exports.scan as (p: number) => number)(0), PAGE);
    } catch (err) {
      assert.match((err as Error).message, /out of bounds/);
    } finally {
      countForms(before);
    }
    assert.equal(counts.get("loadCompareBranch:lt_u:imm"), 1);
    assert.equal(counts.get("i32BinaryImm:add"), 1);
  },
});
