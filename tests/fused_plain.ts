/**
 * The interpreter's other closures, for tests/fused_forms_test.ts: every plain (unfused) numeric
 * op, conversion, load and store at the edges of its operands, memory and table instructions, and
 * the lowering's own paths (blocks with parameters, br_table with values, multi-value and reference
 * returns, selects, globals, calls through tables and to the host, unreachable code with every kind
 * of immediate, a constant pool that overflows, metering). Each case says which closure form it
 * must produce, so the census shows the unfused path really ran.
 */
import { type Case, F32_AT, F64_AT, PAGE, SCALAR_LOADS, WORD_AT } from "./fused_harness.ts";

const V32 = [0, 1, -1, 2, -2, 7, -7, 31, 32, 33, 0x7fffffff, -0x80000000, 0x12345678, 0x80, 0xffff];
const V64 = [
  0n,
  1n,
  -1n,
  2n,
  -7n,
  31n,
  32n,
  63n,
  64n,
  65n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  0x123456789abcdef0n,
];
const VF = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 0.1, 1e10, -1e300, 5e-324, Infinity, -Infinity, NaN];
/** Around the limits of every truncation. */
const TRUNC = [
  0,
  -0,
  0.9,
  -0.9,
  -1,
  2147483647,
  2147483647.5,
  2147483648,
  -2147483648,
  -2147483648.9,
  -2147483649,
  4294967295,
  4294967296,
  9223372036854775807,
  9223372036854774784,
  -9223372036854775808,
  18446744073709551615,
  18446744073709549568,
  1e300,
  Infinity,
  -Infinity,
  NaN,
];

function pairs<T>(xs: readonly T[], ys: readonly T[] = xs): T[][] {
  return xs.flatMap((x) => ys.map((y) => [x, y]));
}

const CMP = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
const INT_BINARY = [
  "add",
  "sub",
  "mul",
  "div_s",
  "div_u",
  "rem_s",
  "rem_u",
  "and",
  "or",
  "xor",
  "shl",
  "shr_s",
  "shr_u",
  "rotl",
  "rotr",
];

export function integerCases(): Case[] {
  const cases: Case[] = [];
  for (const op of [...CMP, ...INT_BINARY]) {
    cases.push({
      label: `i32.${op} a b`,
      forms: [],
      plain: [`i32Binary:i32.${op}`],
      sig: "(param $a i32) (param $b i32) (result i32)",
      body: `(i32.${op} (local.get $a) (local.get $b))`,
      args: pairs(V32),
    });
    cases.push({
      label: `i64.${op} a b`,
      forms: [],
      plain: [`i64Binary:i64.${op}`],
      sig: `(param $a i64) (param $b i64) (result ${CMP.includes(op) ? "i32" : "i64"})`,
      body: `(i64.${op} (local.get $a) (local.get $b))`,
      args: pairs(V64),
    });
  }
  for (const op of ["eqz", "clz", "ctz", "popcnt", "extend8_s", "extend16_s"]) {
    cases.push({
      label: `i32.${op}`,
      forms: [],
      plain: [`i32Unary:i32.${op}`],
      sig: "(param $a i32) (result i32)",
      body: `(i32.${op} (local.get $a))`,
      args: [...V32, 0x7f, 0x8000, 0x7fff, 0xff00, 0x100].map((a) => [a]),
    });
  }
  for (
    const [op, result] of [
      ["i64.eqz", "i32"],
      ["i64.clz", "i64"],
      ["i64.ctz", "i64"],
      ["i64.popcnt", "i64"],
      ["i64.extend8_s", "i64"],
      ["i64.extend16_s", "i64"],
      ["i64.extend32_s", "i64"],
      ["i32.wrap_i64", "i32"],
    ]
  ) {
    cases.push({
      label: op,
      forms: [],
      plain: [`i64Unary:${op}`],
      sig: `(param $a i64) (result ${result})`,
      body: `(${op} (local.get $a))`,
      args: [...V64, 0x80n, 0x8000n, 0xff00000000n, 1n << 40n].map((a) => [a]),
    });
  }
  for (const op of ["i64.extend_i32_s", "i64.extend_i32_u"]) {
    cases.push({
      label: op,
      forms: [],
      plain: [`i64Unary:${op}`],
      sig: "(param $a i32) (result i64)",
      body: `(${op} (local.get $a))`,
      args: V32.map((a) => [a]),
    });
  }
  return cases;
}

export function floatCases(): Case[] {
  const cases: Case[] = [];
  for (const t of ["f32", "f64"]) {
    for (
      const op of ["add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le", "ge"]
    ) {
      const cmp = ["eq", "ne", "lt", "gt", "le", "ge"].includes(op);
      cases.push({
        label: `${t}.${op} a b`,
        forms: [],
        plain: [`${t}Op:${t}.${op}`],
        sig: `(param $a ${t}) (param $b ${t}) (result ${cmp ? "i32" : t})`,
        body: `(${t}.${op} (local.get $a) (local.get $b))`,
        args: pairs(VF),
      });
    }
    for (const op of ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"]) {
      cases.push({
        label: `${t}.${op}`,
        forms: [],
        plain: [`${t}Op:${t}.${op}`],
        sig: `(param $a ${t}) (result ${t})`,
        body: `(${t}.${op} (local.get $a))`,
        args: [...VF, 2.5, 3.5, -3.5, -0.4, 0.5000001, 4503599627370497, -4503599627370497, 8388609.5].map((
          a,
        ) => [a]),
      });
    }
  }
  // The sign operations on the bits: NaN payloads and signs must come through exactly.
  const nan32 = [0x7fc00001, -0x3fffff, 0x7f800001, -0x7fffff, -0x80000000, 0, 0x3f800000];
  const nan64 = [0x7ff8000000000001n, -0x7ffffffffffffn, 0x7ff0000000000001n, -0x8000000000000000n, 0n];
  for (const op of ["abs", "neg"]) {
    cases.push({
      label: `f32.${op} on bits`,
      forms: [],
      plain: [`f32Op:f32.${op}`],
      sig: "(param $a i32) (result i32)",
      body: `(i32.reinterpret_f32 (f32.${op} (f32.reinterpret_i32 (local.get $a))))`,
      args: nan32.map((a) => [a]),
    });
    cases.push({
      label: `f64.${op} on bits`,
      forms: [],
      plain: [`f64Op:f64.${op}`],
      sig: "(param $a i64) (result i64)",
      body: `(i64.reinterpret_f64 (f64.${op} (f64.reinterpret_i64 (local.get $a))))`,
      args: nan64.map((a) => [a]),
    });
  }
  cases.push({
    label: "f32.copysign on bits",
    forms: [],
    plain: ["f32Op:f32.copysign"],
    sig: "(param $a i32) (param $b i32) (result i32)",
    body:
      "(i32.reinterpret_f32 (f32.copysign (f32.reinterpret_i32 (local.get $a)) (f32.reinterpret_i32 (local.get $b))))",
    args: pairs(nan32),
  });
  cases.push({
    label: "f64.copysign on bits",
    forms: [],
    plain: ["f64Op:f64.copysign"],
    sig: "(param $a i64) (param $b i64) (result i64)",
    body:
      "(i64.reinterpret_f64 (f64.copysign (f64.reinterpret_i64 (local.get $a)) (f64.reinterpret_i64 (local.get $b))))",
    args: pairs(nan64),
  });
  return cases;
}

export function conversionCases(): Case[] {
  const cases: Case[] = [];
  const trunc: [string, string][] = [
    ["i32.trunc_f32_s", "f32"],
    ["i32.trunc_f32_u", "f32"],
    ["i32.trunc_f64_s", "f64"],
    ["i32.trunc_f64_u", "f64"],
    ["i64.trunc_f32_s", "f32"],
    ["i64.trunc_f32_u", "f32"],
    ["i64.trunc_f64_s", "f64"],
    ["i64.trunc_f64_u", "f64"],
  ];
  for (const [op, from] of trunc) {
    const to = op.slice(0, 3);
    for (const sat of ["", "_sat"]) {
      const name = op.replace("trunc_", `trunc${sat}_`);
      cases.push({
        label: name,
        forms: [],
        plain: [`convert:${op}${sat}`],
        sig: `(param $a ${from}) (result ${to})`,
        body: `(${name} (local.get $a))`,
        args: TRUNC.map((a) => [a]),
      });
    }
  }
  const i64ToFloat = [
    ...V64,
    (1n << 53n) + 1n,
    (1n << 63n) + 1025n,
    (1n << 63n) + 1024n,
    0xffffffffffffffffn,
    0x8000008000000001n,
    0x20000020000001n,
    -((1n << 53n) + 1n),
    0x1fffffffffffffn,
    -0x7fffff7fffffffffn,
  ];
  const conversions: [string, string, string, unknown[]][] = [
    ["f32.convert_i32_s", "i32", "f32", [...V32, 16777217, -16777217, 0x7fffffc0]],
    ["f32.convert_i32_u", "i32", "f32", [...V32, 16777217, -16777217, -64]],
    ["f32.convert_i64_s", "i64", "f32", i64ToFloat],
    ["f32.convert_i64_u", "i64", "f32", i64ToFloat],
    ["f32.demote_f64", "f64", "f32", [
      ...VF,
      3.4028235677973366e38,
      3.4028236e38,
      1.401298464324817e-45,
      7e-46,
    ]],
    ["f64.convert_i32_s", "i32", "f64", V32],
    ["f64.convert_i32_u", "i32", "f64", V32],
    ["f64.convert_i64_s", "i64", "f64", i64ToFloat],
    ["f64.convert_i64_u", "i64", "f64", i64ToFloat],
    ["f64.promote_f32", "f32", "f64", VF],
  ];
  for (const [op, from, to, args] of conversions) {
    cases.push({
      label: op,
      forms: [],
      plain: [`convert:${op}`],
      sig: `(param $a ${from}) (result ${to})`,
      body: `(${op} (local.get $a))`,
      args: args.map((a) => [a]),
    });
  }
  // Reinterpretations are no closure at all: the bits stay in the slot.
  for (
    const [op, from, to, args] of [
      ["i32.reinterpret_f32", "f32", "i32", VF],
      ["i64.reinterpret_f64", "f64", "i64", VF],
      ["f32.reinterpret_i32", "i32", "f32", V32],
      ["f64.reinterpret_i64", "i64", "f64", V64],
    ] as const
  ) {
    cases.push({
      label: op,
      forms: [],
      sig: `(param $a ${from}) (result ${to})`,
      body: `(${op} (local.get $a))`,
      args: [...args].map((a) => [a]),
    });
  }
  return cases;
}

const LOADS = SCALAR_LOADS;
/** The stores, with float values passed as their bits (so NaN payloads arrive whole). */
const STORES: [string, number, string][] = [
  ["i32.store", 4, "i32"],
  ["i64.store", 8, "i64"],
  ["f32.store", 4, "i32"],
  ["f64.store", 8, "i64"],
  ["i32.store8", 1, "i32"],
  ["i32.store16", 2, "i32"],
  ["i64.store8", 1, "i64"],
  ["i64.store16", 2, "i64"],
  ["i64.store32", 4, "i64"],
];

/** Aligned, unaligned, last valid and first invalid addresses for a `width`-byte access at `offset`. */
function plainAddresses(width: number, offset: number): number[] {
  const data = [...WORD_AT.slice(0, 8), F64_AT, F64_AT + 8, F32_AT + 4, 1, 2, 3, 5, 6, 7, 9, 13];
  const last = PAGE - width - offset;
  return [...data.map((a) => a - offset), last, last - 1, last + 1, -1, 0x7fffffff, PAGE];
}

export function plainMemoryCases(): Case[] {
  const cases: Case[] = [];
  for (const [op, width, type] of LOADS) {
    const bits = type === "f32" ? "i32.reinterpret_f32" : type === "f64" ? "i64.reinterpret_f64" : "";
    const load = `(${op} offset=3 (local.get $p))`;
    cases.push({
      label: `${op} offset=3 p`,
      forms: [],
      plain: [`load:${op}`],
      sig: `(param $p i32) (result ${type === "f32" ? "i32" : type === "f64" ? "i64" : type})`,
      body: bits ? `(${bits} ${load})` : load,
      args: plainAddresses(width, 3).map((p) => [p]),
      bounds: true,
    });
  }
  for (const [op, width, vt] of STORES) {
    const value = op.startsWith("f32")
      ? "(f32.reinterpret_i32 (local.get $v))"
      : op.startsWith("f64")
      ? "(f64.reinterpret_i64 (local.get $v))"
      : "(local.get $v)";
    const values = vt === "i32"
      ? [-1, 0x7fc00001, 0x12345678]
      : [-1n, 0x7ff0000000000001n, 0x123456789abcdef0n];
    cases.push({
      label: `${op} offset=5 p v`,
      forms: [],
      plain: [`store:${op}`],
      sig: `(param $p i32) (param $v ${vt})`,
      body: `(${op} offset=5 (local.get $p) ${value})`,
      args: plainAddresses(width, 5).flatMap((p) => values.map((v) => [p, v])),
      bounds: true,
    });
  }
  return cases;
}

/** memory.size/grow/fill/copy/init and data.drop, in a module whose memory may grow to 2 pages. */
export const BULK_MEMORY_EXTRA = `(data $d "\\01\\02\\03\\04\\05\\06\\07\\08\\80\\ff") (data $e "\\aa\\bb")`;
export function bulkMemoryCases(): Case[] {
  const cases: Case[] = [];
  const ranges = [[0, 10, 8], [PAGE - 8, 0, 8], [PAGE - 8, 0, 9], [10, 0, 0], [PAGE, 0, 0], [PAGE + 1, 0, 0]];
  cases.push({
    label: "memory.fill",
    forms: [],
    plain: ["memoryFill"],
    sig: "(param $d i32) (param $v i32) (param $n i32)",
    body: "(memory.fill (local.get $d) (local.get $v) (local.get $n))",
    args: [[1, 0x1ff, 5], [PAGE - 4, -1, 4], [PAGE - 4, 7, 5], [PAGE, 1, 0], [PAGE + 1, 1, 0], [-1, 0, 2]],
  });
  cases.push({
    label: "memory.copy",
    forms: [],
    plain: ["memoryCopy"],
    sig: "(param $d i32) (param $s i32) (param $n i32)",
    body: "(memory.copy (local.get $d) (local.get $s) (local.get $n))",
    args: [[2, 0, 16], [0, 2, 16], [PAGE - 8, 0, 8], [0, PAGE - 8, 9], [PAGE - 8, 0, 9], [PAGE, PAGE, 0], [
      0,
      -1,
      1,
    ]],
  });
  cases.push({
    label: "memory.init",
    forms: [],
    plain: ["memoryInit"],
    sig: "(param $d i32) (param $s i32) (param $n i32)",
    body: "(memory.init $d (local.get $d) (local.get $s) (local.get $n))",
    args: [...ranges.map(([d, , n]) => [d, 1, n]), [0, 2, 8], [0, 2, 9], [0, 10, 0], [0, 11, 0]],
  });
  cases.push({
    label: "data.drop, then memory.init",
    forms: [],
    plain: ["data.drop", "memoryInit"],
    sig: "(param $d i32) (param $n i32)",
    body: "(memory.init $e (local.get $d) (i32.const 0) (local.get $n)) (data.drop $e)",
    args: [[0, 2], [0, 0], [0, 1]],
  });
  cases.push({
    label: "memory.size and memory.grow",
    forms: [],
    plain: ["memorySize", "memoryGrow"],
    sig: "(param $n i32) (result i32 i32 i32)",
    body: "(memory.size) (memory.grow (local.get $n)) (memory.size)",
    args: [[0], [2], [-1], [1], [1], [0]],
  });
  return cases;
}

/** Imports and the fields the lowering cases use: globals of every type, a table, elements. */
export const LOWERING_EXTRA = `
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "pair" (func $pair (param i64 f64) (result f64 i64)))
  (type $ii (func (param i32) (result i32)))
  (type $ii2 (func (param i32) (result i32)))
  (type $v (func))
  (global $gi (mut i32) (i32.const -5))
  (global $gl (mut i64) (i64.const 0x123456789))
  (global $gf (mut f32) (f32.const 1.5))
  (global $gd (mut f64) (f64.const -2.5))
  (global $gr (mut funcref) (ref.null func))
  (global $ge (mut externref) (ref.null extern))
  (table $t 6 8 funcref)
  (table $t2 4 externref)
  (elem $seg func $inc $dec $twice)
  (elem (table $t) (i32.const 0) func $inc $dec $twice $nop)
  (elem $dropped declare func $inc)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dec (type $ii2) (i32.sub (local.get 0) (i32.const 1)))
  (func $nop (type $v))
  (func $rev (param i32 i64 f64) (result f64 i64 i32) (local.get 2) (local.get 1) (local.get 0))
  (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
  (func $consts (result i32 i64 f32 f64) (i32.const -1) (i64.const 0x7fffffffffffffff) (f32.const -0) (f64.const nan))
  (func $refs (param externref) (result funcref externref i32) (ref.func $inc) (local.get 0) (i32.const 7))
`;

/** Host functions of LOWERING_EXTRA (the same objects for both engines). */
export const LOWERING_IMPORTS = {
  env: {
    twice: (x: number) => 2 * x,
    pair: (a: bigint, b: number) => [b * 2, a + 1n],
  },
};

export function loweringCases(): Case[] {
  const cases: Case[] = [];
  // (Small: the loop below counts up to 20 from its parameter, so 0x7fffffff would wrap and count 2^31 times.)
  const ints = [0, 1, 2, 3, 4, 5, 6, 7, -1, -20, 25].map((a) => [a]);
  cases.push({
    label: "blocks, loops and ifs with parameters",
    forms: [],
    sig: "(param $a i32) (result i32)",
    body: `(local.get $a) (i32.const 10)
      (block $b (param i32 i32) (result i32) (i32.add) (br_if $b (i32.lt_u (local.get $a) (i32.const 3))) (i32.const 1) (i32.add))
      (local.get $a)
      (loop $l (param i32) (result i32) (i32.const 1) (i32.add) (local.tee $a) (br_if $l (i32.lt_s (local.get $a) (i32.const 20))))
      (i32.add)
      (if (param i32) (result i32) (i32.and (local.get $a) (i32.const 1))
        (then (i32.const 3) (i32.mul)) (else (i32.const -3) (i32.mul)))`,
    args: ints,
  });
  cases.push({
    label: "br_table with values, to blocks, the loop and the function",
    forms: [],
    plain: ["brTable"],
    sig: "(param $a i32) (result i32) (local $n i32)",
    body: `(i32.const 100)
      (loop $l (param i32) (result i32)
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (block $b2 (param i32) (result i32)
          (block $b1 (param i32) (result i32)
            (block $b0 (param i32) (result i32)
              (br_table $b0 $b1 $b2 $l 4 $b2 (i32.add (local.get $a) (local.get $n))))
            (i32.const 1) (i32.add))
          (i32.const 10) (i32.add))
        (i32.const 1000) (i32.add))
      (local.get $n) (i32.add)`,
    args: [[-1], [0], [1], [2], [3], [4], [-2], [0x7fffffff]],
  });
  cases.push({
    label: "br_table moving a local's value",
    forms: [],
    plain: ["brTable"],
    sig: "(param $a i32) (result i32)",
    body: `(block $b1 (result i32)
        (block $b0 (result i32)
          (br_table $b0 $b1 1 (local.get $a) (local.get $a)))
        (i32.const 7) (i32.add))
      (i32.const 100) (i32.add)`,
    args: [[0], [1], [2], [3], [-1]],
  });
  cases.push({
    label: "br_table on a constant",
    forms: [],
    sig: "(result i32)",
    body:
      `(block $a (result i32) (block $b (result i32) (i32.const 5) (i32.const 1) (br_table $a $b $a)) (i32.const 10) (i32.add))
      (block $c (result i32) (i32.const 3) (i32.const 9) (br_table $c $c)) (i32.add)`,
    args: [[]],
  });
  cases.push({
    label: "branches on constants and to the function",
    forms: [],
    plain: ["branchConst"],
    sig: "(param $a i32) (result i32)",
    body: `(block $b (br_if $b (i32.const 0)) (local.set $a (i32.add (local.get $a) (i32.const 1))))
      (block $c (br_if $c (i32.const 7)) (local.set $a (i32.const 99)))
      (if (i32.const 0) (then (local.set $a (i32.const 98))))
      (br_if 0 (local.get $a) (i32.gt_s (local.get $a) (i32.const 5))) (drop)
      (if (i32.eqz (local.get $a)) (then (br 1 (i32.const -1))))
      (local.get $a) (i32.const 1000) (i32.add)`,
    args: ints,
  });
  cases.push({
    label: "br_if on a value, to a block with a result",
    forms: [],
    plain: ["branchIf"],
    sig: "(param $a i32) (param $b i32) (result i32)",
    body: `(block $b (result i32) (local.get $a) (br_if $b (local.get $b)) (i32.const 1) (i32.add))
      (if (result i32) (local.get $b) (then (i32.const 10)) (else (i32.const 20))) (i32.add)`,
    args: pairs([0, 1, -1, 5], [0, 1, 0x80000000 | 0]),
  });
  cases.push({
    label: "multi-value returns: constants, swapped parameters, the host, references",
    forms: [],
    plain: ["return:many", "call", "call:import"],
    sig:
      "(param $a i32) (param $b i64) (param $c f64) (result i32 i32 f64 i64 i32 i32 i64 f32 f64 i32 f64 i64)",
    body: `(call $swap (local.get $a) (i32.const 9))
      (call $rev (local.get $a) (local.get $b) (local.get $c))
      (call $consts)
      (call $twice (local.get $a))
      (call $pair (local.get $b) (local.get $c))`,
    args: [[1, 2n, 3.5], [-1, -1n, -0], [0x7fffffff, 0x7fffffffffffffffn, NaN]],
  });
  cases.push({
    label: "returns of locals in their own slots",
    forms: [],
    sig: "(param $a i32) (param $b i32) (param $c i64) (result i64 i32 i32)",
    body:
      "(if (local.get $a) (then (return (local.get $c) (local.get $b) (local.get $a)))) (local.get $c) (i32.const 4) (local.get $b)",
    args: [[0, 1, 2n], [5, 6, -7n]],
  });
  cases.push({
    label: "references: ref.func, ref.null, ref.is_null, returned and through globals",
    forms: [],
    plain: [
      "ref.func",
      "ref.null",
      "ref.is_null",
      "return:many",
      "global.get:funcref",
      "global.set:externref",
    ],
    sig: "(param $x externref) (result i32 i32 funcref i32 funcref i32)",
    body: `(global.set $gr (ref.func $inc)) (global.set $ge (local.get $x))
      (ref.is_null (global.get $gr)) (ref.is_null (ref.null func))
      (call $refs (global.get $ge)) (drop) (drop)
      (ref.is_null (local.get $x))
      (global.get $gr)
      (call_indirect $t (type $ii) (i32.const 41) (i32.const 0))`,
    args: [[null], [{ tag: 1 }], ["text"]],
  });
  cases.push({
    label: "a reference result",
    forms: [],
    plain: ["return:ref"],
    sig: "(param $x externref) (result externref)",
    body: "(local.get $x)",
    args: [[null], [{ a: 1 }]],
  });
  cases.push({
    label: "globals of every number type",
    forms: [],
    plain: [
      "global.get:i32",
      "global.set:i32",
      "global.get:i64",
      "global.set:i64",
      "global.set:f32",
      "global.get:f64",
    ],
    sig: "(param $a i32) (result i32 i64 f32 f64)",
    body: `(global.set $gi (i32.add (global.get $gi) (local.get $a)))
      (global.set $gl (i64.add (global.get $gl) (i64.extend_i32_s (local.get $a))))
      (global.set $gf (f32.mul (global.get $gf) (f32.convert_i32_s (local.get $a))))
      (global.set $gd (f64.sub (global.get $gd) (f64.convert_i32_u (local.get $a))))
      (global.get $gi) (global.get $gl) (global.get $gf) (global.get $gd)`,
    args: ints,
  });
  cases.push({
    label: "select on every type",
    forms: [],
    plain: ["select:i32", "select:i64", "select:f64", "select:funcref", "select:externref"],
    sig: "(param $c i32) (param $x externref) (result i32 i64 f64 i32 externref)",
    body: `(select (i32.const 1) (i32.const 2) (local.get $c))
      (select (i64.const -1) (i64.const 0x100000000) (local.get $c))
      (select (f64.const -0) (f64.const 2.5) (local.get $c))
      (ref.is_null (select (result funcref) (ref.func $inc) (ref.null func) (local.get $c)))
      (select (result externref) (local.get $x) (ref.null extern) (local.get $c))`,
    args: [[0, "x"], [1, "y"], [-1, null]],
  });
  cases.push({
    label: "tables: get, set, size, grow, fill, copy, init, elem.drop, call_indirect",
    forms: [],
    plain: [
      "table.get",
      "table.set",
      "table.size",
      "table.grow",
      "table.fill",
      "table.copy",
      "table.init",
      "elem.drop",
      "call_indirect",
    ],
    sig: "(param $i i32) (param $x i32) (result i32 i32 i32 i32)",
    body: `(table.set $t (i32.const 4) (table.get $t (i32.and (local.get $i) (i32.const 3))))
      (table.copy $t $t (i32.const 5) (i32.const 4) (i32.const 1))
      (table.init $t $seg (i32.const 1) (i32.const 1) (i32.const 2))
      (elem.drop $dropped)
      (table.fill $t2 (i32.const 1) (ref.null extern) (i32.const 2))
      (call_indirect $t (type $ii) (local.get $x) (local.get $i))
      (table.size $t)
      (table.grow $t (ref.null func) (i32.const 1))
      (table.grow $t2 (ref.null extern) (i32.const 100))`,
    args: [[0, 5], [1, 5], [2, 5], [5, 5], [3, 5], [4, 1], [6, 1], [100, 1], [-1, 1]],
  });
  cases.push({
    label: "table out of bounds",
    forms: [],
    sig: "(param $i i32) (result i32)",
    body: `(table.init $t $seg (local.get $i) (i32.const 0) (i32.const 3))
      (table.fill $t (local.get $i) (ref.null func) (i32.const 2))
      (table.copy $t $t (local.get $i) (i32.const 0) (i32.const 2))
      (ref.is_null (table.get $t (local.get $i)))`,
    args: [[0], [3], [4], [5], [6], [7], [-1]],
  });
  cases.push({
    label: "unreachable code with every kind of immediate",
    forms: [],
    plain: ["unreachable"],
    sig: "(param $a i32) (result i32) (local $l i64)",
    body: `(block $b
      (br_if $b (local.get $a))
      (unreachable)
      i32.const 1 drop i64.const 2 drop f32.const 3 drop f64.const 4 drop
      local.get 0 local.set 0 local.get 0 local.tee 0 drop global.get $gi global.set $gi
      i32.const 0 table.get $t drop i32.const 0 ref.null func table.set $t ref.func $inc drop ref.null extern drop
      i32.const 0 i32.load offset=4 align=2 drop i32.const 0 i64.const 0 i64.store8 offset=1
      memory.size drop i32.const 0 memory.grow drop
      call $nop i32.const 0 i32.const 0 call_indirect $t (type $ii) drop
      i32.const 0 i32.const 1 i32.const 1 select drop i32.const 0 i32.const 1 i32.const 1 select (result i32) drop
      i32.const 0 i32.const 0 i32.const 0 memory.init $d data.drop $d
      i32.const 0 i32.const 0 i32.const 0 memory.copy i32.const 0 i32.const 0 i32.const 0 memory.fill
      i32.const 0 i32.const 0 i32.const 0 table.init $t $seg elem.drop $seg
      i32.const 0 i32.const 0 i32.const 0 table.copy $t $t ref.null func i32.const 0 table.grow $t drop
      table.size $t drop i32.const 0 ref.null func i32.const 0 table.fill $t
      f32.const 0 i32.trunc_sat_f32_s drop f64.const 0 i64.trunc_sat_f64_u drop
      block (result i32) i32.const 1 end drop loop end i32.const 0 if nop else nop end
      i32.const 0 br_if 0 i32.const 0 br_table 0 0 br 0 return nop)
      (if (result i32) (local.get $a) (then (br 1 (i32.const 5)) (i32.const 1)) (else (i32.const 2)))`,
    args: [[0], [1]],
  });
  cases.push({
    label: "local.get kept virtual across a write of the local and a block entry",
    forms: [],
    sig: "(param $a i32) (param $b i64) (result i32 i32 i64 i64)",
    body: `(local.get $a) (local.set $a (i32.const 5))
      (local.get $a) (block (local.set $a (i32.const 6))) (i32.add)
      (local.get $a)
      (local.get $b) (local.set $b (i64.const 9)) (local.get $b) (local.tee $b (i64.const -1)) (i64.add)`,
    args: [[1, 2n], [-1, -2n]],
  });
  cases.push({
    label: "a branch leaving values below its own, an infinite loop lowered but not run, nop",
    forms: [],
    sig: "(param $a i32) (param $c i32) (result i32)",
    body: `(nop)
      (if (i32.eq (local.get $a) (i32.const 12345)) (then (loop $forever (br $forever))))
      (block $b (result i32) (i32.const 7) (local.get $a) (br_if $b (local.get $c)) (i32.add))`,
    args: pairs([0, 1, -1], [0, 1]),
  });
  const consts = Array.from({ length: 70 }, (_, i) => i + 0.25);
  cases.push({
    label: "more constants than the pool holds",
    forms: [],
    sig: "(param $x f64) (param $y i64) (result f64 i64)",
    body: consts.map((k) => `(local.set $x (f64.add (local.get $x) (f64.const ${k})))`).join(" ") +
      consts.map((_, i) => `(local.set $y (i64.add (local.get $y) (i64.const ${i * 1000003})))`).join(" ") +
      "(f64.add (f64.load (i32.const 136)) (f64.const 99.5)) (local.get $x) (f64.add) (local.get $y)",
    args: [[0, 0n], [-1e300, -1n]],
  });
  return cases;
}

/** v128 values through copies, globals, selects, returns and block results (needs SIMD text). */
export const SIMD_EXTRA = `(global $gv (mut v128) (v128.const i32x4 1 2 3 4))
  (func $vpair (param v128 i32) (result v128 i32) (local.get 0) (local.get 1))
  (func $vret (param v128) (result v128) (local.get 0))`;
export function simdLoweringCases(): Case[] {
  return [{
    label: "v128 copies, global, select, returns and dead SIMD code",
    forms: [],
    plain: ["copyOp:v128", "global.get:v128", "global.set:v128", "select:v128"],
    sig: "(param $c i32) (result i32 i32 i32) (local $v v128) (local $w v128)",
    body: `(local.set $v (v128.load (i32.const 0)))
      (local.set $w (local.get $v))
      (global.set $gv (i32x4.add (global.get $gv) (local.get $w)))
      (local.set $v (select (global.get $gv) (local.get $w) (local.get $c)))
      (local.set $v (call $vret (local.get $v)))
      (call $vpair (local.get $v) (i32.const 3))
      (local.set $c (i32.add (local.get $c)))
      (local.set $v)
      (block $b (br_if $b (i32.const 1))
        unreachable
        v128.const i32x4 0 0 0 0 drop
        v128.const i32x4 0 0 0 0 v128.const i32x4 0 0 0 0 i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 drop
        i32.const 0 v128.load offset=16 drop
        i32.const 0 v128.const i32x4 0 0 0 0 v128.load8_lane 1 drop
        v128.const i32x4 0 0 0 0 i8x16.extract_lane_s 3 drop)
      (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)) (local.get $c)`,
    args: [[0], [1], [5]],
  }];
}

/** A loop, for the metered instances (fuel, profile). */
export function meteredCases(): Case[] {
  return [{
    label: "a loop under metering",
    forms: [],
    sig: "(param $n i32) (result i32) (local $s i32)",
    body: `(block $out (loop $l (br_if $out (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))
      (local.get $s)`,
    args: [[0], [1], [100], [1000]],
  }];
}
