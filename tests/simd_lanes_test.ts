/**
 * Every SIMD operation writes exactly its 16 bytes, at any frame base, with its operands in later
 * slots. The interpreter keeps a v128 local in `V` at 4·slot, so a lane loop that runs one lane too
 * far (`i <= 16`) writes into the next local, and a frame base or operand offset with the wrong sign
 * or shift reads another slot: neither shows when the result goes to the top of the stack (nothing
 * lives above it) or when the function runs at frame base 0 (as a call from JS does).
 *
 * So each operation gets a function whose result goes through `local.set` into `$r`, the local just
 * below `$live`, a v128 that holds a value of its own and is checked afterwards, as are the operands
 * `$a`, `$b`, `$c` (after four scalar parameters, so no operand is in slot 0). The function first
 * calls itself `depth` times, so it also runs at three frame bases above 0. Each runs on the
 * interpreter (`jit: false`), on the JS tier and on V8, on seeded random and edge-case vectors; all
 * the memory it writes must agree (float results with any NaN matching any NaN, the rest bit for bit).
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

type Api = typeof globalThis.WebAssembly;
type Lanes = "int" | "f32" | "f64";

const INT_COMPARE = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
const EXT = (h: string, s: string) => [
  `i16x8.extend_${h}_i8x16_${s}`,
  `i32x4.extend_${h}_i16x8_${s}`,
  `i64x2.extend_${h}_i32x4_${s}`,
];

/** Operations `v128 … → v128` on `$a` (and `$b`, `$c`), and how their result lanes compare. */
const UNARY = [
  "v128.not",
  ...["abs", "neg", "popcnt"].map((o) => `i8x16.${o}`),
  ...["abs", "neg"].flatMap((o) => [`i16x8.${o}`, `i32x4.${o}`, `i64x2.${o}`]),
  ...["low", "high"].flatMap((h) => ["s", "u"].flatMap((s) => EXT(h, s))),
  ...["s", "u"].flatMap((s) => [`i16x8.extadd_pairwise_i8x16_${s}`, `i32x4.extadd_pairwise_i16x8_${s}`]),
  ...["ceil", "floor", "trunc", "nearest", "abs", "neg", "sqrt"].flatMap((o) => [`f32x4.${o}`, `f64x2.${o}`]),
  "i32x4.trunc_sat_f32x4_s",
  "i32x4.trunc_sat_f32x4_u",
  "i32x4.trunc_sat_f64x2_s_zero",
  "i32x4.trunc_sat_f64x2_u_zero",
  "f32x4.convert_i32x4_s",
  "f32x4.convert_i32x4_u",
  "f64x2.convert_low_i32x4_s",
  "f64x2.convert_low_i32x4_u",
  "f32x4.demote_f64x2_zero",
  "f64x2.promote_low_f32x4",
];
const BINARY = [
  "i8x16.swizzle",
  ...["and", "andnot", "or", "xor"].map((o) => `v128.${o}`),
  ...INT_COMPARE.flatMap((o) => [`i8x16.${o}`, `i16x8.${o}`, `i32x4.${o}`]),
  ...["eq", "ne", "lt_s", "gt_s", "le_s", "ge_s"].map((o) => `i64x2.${o}`),
  ...["eq", "ne", "lt", "gt", "le", "ge"].flatMap((o) => [`f32x4.${o}`, `f64x2.${o}`]),
  ...["add", "sub", "add_sat_s", "add_sat_u", "sub_sat_s", "sub_sat_u", "min_s", "min_u", "max_s", "max_u"]
    .flatMap((o) => [`i8x16.${o}`, `i16x8.${o}`]),
  ...["add", "sub", "mul", "min_s", "min_u", "max_s", "max_u"].map((o) => `i32x4.${o}`),
  "i8x16.avgr_u",
  "i16x8.avgr_u",
  "i16x8.mul",
  "i16x8.q15mulr_sat_s",
  "i64x2.add",
  "i64x2.sub",
  "i64x2.mul",
  "i8x16.narrow_i16x8_s",
  "i8x16.narrow_i16x8_u",
  "i16x8.narrow_i32x4_s",
  "i16x8.narrow_i32x4_u",
  "i32x4.dot_i16x8_s",
  ...["low", "high"].flatMap((h) =>
    ["s", "u"].flatMap((s) => [
      `i16x8.extmul_${h}_i8x16_${s}`,
      `i32x4.extmul_${h}_i16x8_${s}`,
      `i64x2.extmul_${h}_i32x4_${s}`,
    ])
  ),
  ...["add", "sub", "mul", "div", "min", "max", "pmin", "pmax"].flatMap((o) => [`f32x4.${o}`, `f64x2.${o}`]),
];
const SHIFTS = ["shl", "shr_s", "shr_u"].flatMap((o) =>
  ["i8x16", "i16x8", "i32x4", "i64x2"].map((t) => `${t}.${o}`)
);
/** Shuffles: whole aligned words (a fast path), bytes, a single source, the identity, reversals. */
const SHUFFLES = [
  "0 1 2 3 20 21 22 23 8 9 10 11 28 29 30 31",
  "16 17 18 19 4 5 6 7 24 25 26 27 12 13 14 15",
  "31 0 17 3 16 5 30 7 8 9 10 11 12 13 14 15",
  "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
  "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
  "15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0",
  // Groups that start on a word but run downwards: bytes, not a word.
  "4 3 2 1 8 7 6 5 28 27 26 25 16 17 18 19",
];
/** [shape, lane count, scalar parameter, store] for splat, extract_lane and replace_lane. */
const SHAPES: [string, number, string, string][] = [
  ["i8x16", 16, "$n", "i32.store"],
  ["i16x8", 8, "$n", "i32.store"],
  ["i32x4", 4, "$n", "i32.store"],
  ["i64x2", 2, "$x", "i64.store"],
  ["f32x4", 4, "$g", "f32.store"],
  ["f64x2", 2, "$f", "f64.store"],
];

interface OpCase {
  label: string;
  /** The expression whose value goes to `$r` (v128) or, when `store` is set, to memory at 64. */
  expr: string;
  lanes: Lanes;
  /** For a scalar result: the store instruction that writes it. */
  store?: string;
}

function resultLanes(op: string): Lanes {
  const [shape, name] = op.split(".");
  if (/^(eq|ne|lt|gt|le|ge)$/.test(name) || name.startsWith("trunc_sat")) return "int";
  if (shape === "f32x4") return "f32";
  if (shape === "f64x2") return "f64";
  return "int";
}

function cases(): OpCase[] {
  const out: OpCase[] = [];
  const v = (op: string, args: string) =>
    out.push({ label: op, expr: `(${op} ${args})`, lanes: resultLanes(op) });
  for (const op of UNARY) v(op, "(local.get $a)");
  for (const op of BINARY) v(op, "(local.get $a) (local.get $b)");
  for (const op of SHIFTS) v(op, "(local.get $b) (local.get $n)");
  out.push({
    label: "v128.bitselect",
    expr: "(v128.bitselect (local.get $a) (local.get $b) (local.get $c))",
    lanes: "int",
  });
  for (const lanes of SHUFFLES) {
    out.push({
      label: `i8x16.shuffle ${lanes}`,
      expr: `(i8x16.shuffle ${lanes} (local.get $b) (local.get $c))`,
      lanes: "int",
    });
  }
  for (const [shape, count, scalar, store] of SHAPES) {
    const lanes = resultLanes(`${shape}.x`);
    out.push({ label: `${shape}.splat`, expr: `(${shape}.splat (local.get ${scalar}))`, lanes });
    for (const lane of [0, count >> 1, count - 1]) {
      const sign = count > 4 ? ["_s", "_u"] : [""];
      for (const s of sign) {
        out.push({
          label: `${shape}.extract_lane${s} ${lane}`,
          expr: `(${shape}.extract_lane${s} ${lane} (local.get $b))`,
          lanes: "int",
          store,
        });
      }
      out.push({
        label: `${shape}.replace_lane ${lane}`,
        expr: `(${shape}.replace_lane ${lane} (local.get $b) (local.get ${scalar}))`,
        lanes: "int",
      });
    }
  }
  for (
    const op of [
      "v128.any_true",
      ...["i8x16", "i16x8", "i32x4", "i64x2"].flatMap((t) => [`${t}.all_true`, `${t}.bitmask`]),
    ]
  ) {
    out.push({ label: op, expr: `(${op} (local.get $b))`, lanes: "int", store: "i32.store" });
  }
  // Loads whose value is a v128 (address 5: unaligned, inside the operands' bytes).
  for (const op of ["load8x8_s", "load8x8_u", "load16x4_s", "load16x4_u", "load32x2_s", "load32x2_u"]) {
    out.push({ label: `v128.${op}`, expr: `(v128.${op} (i32.const 5))`, lanes: "int" });
  }
  for (
    const op of ["load8_splat", "load16_splat", "load32_splat", "load64_splat", "load32_zero", "load64_zero"]
  ) {
    out.push({ label: `v128.${op}`, expr: `(v128.${op} (i32.const 5))`, lanes: "int" });
  }
  for (
    const [op, last] of [["load8_lane", 15], ["load16_lane", 7], ["load32_lane", 3], [
      "load64_lane",
      1,
    ]] as const
  ) {
    for (const lane of [0, last]) {
      out.push({
        label: `v128.${op} ${lane}`,
        expr: `(v128.${op} ${lane} (i32.const 5) (local.get $b))`,
        lanes: "int",
      });
    }
  }
  return out;
}

/** Memory: $a, $b, $c, $live at 0, 16, 32, 48; the function writes 64..143. */
const RESULT_AT = 64, END = 144;

function moduleText(list: OpCase[]): string {
  const funcs = list.map((c, i) => {
    const result = c.store
      ? `(${c.store} (i32.const 64) ${c.expr})`
      : `(local.set $r ${c.expr}) (v128.store (i32.const 64) (local.get $r))`;
    return `(func $f${i} (export "f${i}") (param $depth i32) (param $n i32) (param $x i64) (param $f f64) (param $g f32)
      (local $a v128) (local $b v128) (local $c v128) (local $r v128) (local $live v128)
      (if (local.get $depth) (then
        (call $f${i} (i32.sub (local.get $depth) (i32.const 1)) (local.get $n) (local.get $x) (local.get $f) (local.get $g))
        (return)))
      (local.set $a (v128.load (i32.const 0)))
      (local.set $b (v128.load (i32.const 16)))
      (local.set $c (v128.load (i32.const 32)))
      (local.set $live (v128.load (i32.const 48)))
      ${result}
      (v128.store (i32.const 80) (local.get $live))
      (v128.store (i32.const 96) (local.get $a))
      (v128.store (i32.const 112) (local.get $b))
      (v128.store (i32.const 128) (local.get $c)))`;
  });
  return `(module (memory (export "mem") 1)\n${funcs.join("\n")})`;
}

/** A small seeded generator (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
    return x >>> 0;
  };
}

const F32_EDGES = [
  0,
  0x80000000,
  0x7f800000,
  0x7fc00000,
  0x7fa00001,
  1,
  0x3f000000,
  0x3fc00000,
  0x4f000000,
  0x4f800000,
  0x7f7fffff,
];
const F64_HIGH = [
  0,
  0x80000000,
  0x7ff00000,
  0x7ff80000,
  0x3fe00000,
  0x3ff80000,
  0x41e00000,
  0xc1e00000,
  0x41f00000,
  0x43300000,
];
const INT_EDGES = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000];

/** 16 bytes: random, integer edge lanes, or float edge lanes. */
function vector(next: () => number): Uint32Array {
  const w = new Uint32Array(4);
  const kind = next() % 4;
  for (let i = 0; i < 4; i++) {
    if (kind === 0) w[i] = next();
    else if (kind === 1) {
      w[i] = next() % 2
        ? INT_EDGES[next() % INT_EDGES.length]
        : (INT_EDGES[next() % 11] << 8 * (next() % 4)) | (next() & 0xff);
    } else if (kind === 2) w[i] = F32_EDGES[next() % F32_EDGES.length] ^ (next() % 3 === 0 ? 0x80000000 : 0);
    else w[i] = i % 2 === 0 ? next() % 3 : F64_HIGH[next() % F64_HIGH.length] | (next() % 2);
  }
  return w;
}

function sameLanes(lanes: Lanes, x: Uint8Array, y: Uint8Array): boolean {
  if (lanes === "int") return x.every((b, i) => b === y[i]);
  const X = new DataView(x.buffer, x.byteOffset, 16), Y = new DataView(y.buffer, y.byteOffset, 16);
  const size = lanes === "f32" ? 4 : 8;
  for (let o = 0; o < 16; o += size) {
    const a = size === 4 ? X.getFloat32(o, true) : X.getFloat64(o, true);
    const b = size === 4 ? Y.getFloat32(o, true) : Y.getFloat64(o, true);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    for (let i = o; i < o + size; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

interface Engine {
  name: string;
  exports: Record<string, unknown>;
}

function engines(bytes: Uint8Array<ArrayBuffer>): Engine[] {
  const ours = (options: object) => new Ours.Instance(new Ours.Module(bytes), {}, options).exports;
  return [
    { name: "interpreter", exports: ours({ jit: false }) },
    { name: "JS tier", exports: ours({ tierUp: 0 }) },
    {
      name: "V8",
      exports: new (globalThis.WebAssembly as Api).Instance(new WebAssembly.Module(bytes)).exports,
    },
  ];
}

/** Scalar arguments, none NaN: V8 need not keep a NaN's bits across the JS boundary. */
const F64_ARGS = [0, -0, 1.5, -2.5, 2 ** 31, -(2 ** 63), 1e308, 5e-324, Infinity, -Infinity, 0.1];

const ROUNDS = 12, DEPTHS = [0, 1, 2, 3];

Deno.test({
  name: "SIMD results land in their own 16 bytes at every frame base: neighbours and operands keep theirs",
  fn() {
    const list = cases();
    const all = engines(wat(moduleText(list)));
    const failures: string[] = [];
    list.forEach((c, i) => {
      const next = rng(1 + i * 7919);
      for (let round = 0; round < ROUNDS && failures.length < 12; round++) {
        const words = [...vector(next), ...vector(next), ...vector(next), ...vector(next)];
        const input = new Uint8Array(new Uint32Array(words).buffer);
        const n = round < 6 ? [0, 1, 7, 8, 15, 33][round] : next();
        const x = BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next()));
        const f = F64_ARGS[next() % F64_ARGS.length] * (round + 1);
        const g = Math.fround(F64_ARGS[next() % F64_ARGS.length] / (round + 1));
        for (const depth of DEPTHS) {
          const out = all.map((e) => {
            const mem = new Uint8Array((e.exports.mem as WebAssembly.Memory).buffer);
            mem.fill(0, 0, END), mem.set(input);
            (e.exports[`f${i}`] as (...a: unknown[]) => void)(depth, n, x, f, g);
            return mem.slice(RESULT_AT, END);
          });
          const want = out[out.length - 1];
          const where = `${c.label} at depth ${depth} (a b c live ${
            hex(input)
          }, n ${n}, x ${x}, f ${f}, g ${g})`;
          all.slice(0, -1).forEach((e, k) => {
            const got = out[k];
            if (!sameLanes(c.lanes, got.subarray(0, 16), want.subarray(0, 16))) {
              failures.push(
                `${e.name}: ${where}: result ${hex(got.subarray(0, 16))}, V8 ${hex(want.subarray(0, 16))}`,
              );
            }
            const rest = got.subarray(16), restWant = want.subarray(16);
            if (!rest.every((b, j) => b === restWant[j])) {
              failures.push(
                `${e.name}: ${where}: live, a, b, c afterwards ${hex(rest)}, V8 ${hex(restWant)}`,
              );
            }
          });
        }
      }
    });
    assert.deepEqual(failures.slice(0, 12), [], `${failures.length} failures`);
  },
});
