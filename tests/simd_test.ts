/**
 * SIMD (v128) tests beyond the spec suite: every lane operation against V8 on seeded random and
 * edge-case inputs (also with the result written over an operand, which the lowering does for
 * `local.set`), v128 in locals, globals, select, blocks and multi-value returns, validation of lane
 * immediates, and the JS-boundary rules. Modules are built from text with `parseWat` (tests/wat.ts).
 */
import { wat } from "./wat.ts";
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";

type Api = typeof globalThis.WebAssembly;
const OURS = Ours as unknown as Api;
const V8 = globalThis.WebAssembly;

/** WAT to bytes (the parser reads SIMD like everything else). */
const simdWat = wat;

// ---- differential tests against V8 ----

/** How results are compared: exact bytes, or float lanes where any NaN matches any NaN. */
type Lanes = "int" | "f32" | "f64";

const UNARY = [
  "v128.not",
  ...["abs", "neg", "popcnt"].map((o) => `i8x16.${o}`),
  ...["abs", "neg"].flatMap((o) => [`i16x8.${o}`, `i32x4.${o}`, `i64x2.${o}`]),
  ...["low", "high"].flatMap((h) =>
    ["s", "u"].flatMap((s) => [
      `i16x8.extend_${h}_i8x16_${s}`,
      `i32x4.extend_${h}_i16x8_${s}`,
      `i64x2.extend_${h}_i32x4_${s}`,
    ])
  ),
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

const INT_COMPARE = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
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
const TESTS = [
  "v128.any_true",
  ...["i8x16", "i16x8", "i32x4", "i64x2"].flatMap((t) => [`${t}.all_true`, `${t}.bitmask`]),
];

function resultLanes(op: string): Lanes {
  const [shape, name] = op.split(".");
  if (/^(eq|ne|lt|gt|le|ge)$/.test(name) || name.startsWith("trunc_sat")) return "int";
  if (shape === "f32x4") return "f32";
  if (shape === "f64x2") return "f64";
  return "int";
}

/**
 * The module under test: a and b from memory 0 and 16, shift count from 96. The result goes to 32
 * (fresh slot), then to 48 (written over a) and 64 (written over b) through `local.set`.
 */
function opModule(op: string, arity: 1 | 2 | "shift" | "test"): string {
  const args = arity === 1
    ? "(local.get $a)"
    : arity === "shift"
    ? "(local.get $a) (local.get $k)"
    : arity === "test"
    ? "(local.get $a)"
    : "(local.get $a) (local.get $b)";
  const load = `(local.set $a (v128.load (i32.const 0))) (local.set $b (v128.load (i32.const 16)))`;
  if (arity === "test") {
    return `(module (memory (export "mem") 1)
      (func (export "run") (local $a v128) (local $b v128) ${load}
        (i32.store (i32.const 32) (${op} ${args}))))`;
  }
  return `(module (memory (export "mem") 1)
    (func (export "run") (local $a v128) (local $b v128) (local $k i32)
      ${load} (local.set $k (i32.load (i32.const 96)))
      (v128.store (i32.const 32) (${op} ${args}))
      (local.set $a (${op} ${args}))
      (v128.store (i32.const 48) (local.get $a))
      ${load}
      (local.set $b (${op} ${args}))
      (v128.store (i32.const 64) (local.get $b))))`;
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
  0xff800000,
  0x7fc00000,
  0xffc00000,
  0x7fa00001,
  0x7f800001,
  1,
  0x3f000000,
  0x3fc00000,
  0x40200000,
  0xc0200000,
  0x4f000000,
  0xcf000000,
  0x4f800000,
  0x3effffff,
  0x7f7fffff,
];
const F64_EDGES: [number, number][] = [
  [0, 0],
  [0, 0x80000000],
  [0, 0x7ff00000],
  [0, 0x7ff80000],
  [1, 0x7ff00000],
  [5, 0x7ff40000],
  [1, 0],
  [0, 0x3fe00000],
  [0, 0x3ff80000],
  [0, 0x41e00000],
  [0, 0xc1e00000],
  [0, 0x41f00000],
  [0xffe00000, 0x41efffff],
  [0xffffffff, 0x7fefffff],
  [0, 0x43300000],
];
const INT_EDGES = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000];

/** 16 bytes: random, integer edge lanes, or float edge lanes. */
function vector(next: () => number): Uint32Array {
  const w = new Uint32Array(4);
  const kind = next() % 4;
  for (let i = 0; i < 4; i++) {
    if (kind === 0) w[i] = next();
    else if (kind === 1) {
      const e = INT_EDGES[next() % INT_EDGES.length], sh = 8 * (next() % 4);
      w[i] = next() % 2 ? e : (e << sh) | (next() & 0xff);
    } else if (kind === 2) w[i] = F32_EDGES[next() % F32_EDGES.length] ^ (next() % 3 === 0 ? 0x80000000 : 0);
    else if (i % 2 === 0) [w[i], w[i + 1]] = F64_EDGES[next() % F64_EDGES.length];
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
    const same = size === 4
      ? X.getUint32(o, true) === Y.getUint32(o, true)
      : X.getBigUint64(o, true) === Y.getBigUint64(o, true);
    if (!same) return false;
  }
  return true;
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

function differential(op: string, arity: 1 | 2 | "shift" | "test", rounds: number): void {
  const bytes = simdWat(opModule(op, arity));
  const run = (W: Api) => {
    const e = new W.Instance(new W.Module(bytes)).exports as unknown as {
      run: () => void;
      mem: { buffer: ArrayBuffer };
    };
    return { run: e.run, mem: () => new Uint8Array(e.mem.buffer) };
  };
  const ours = run(OURS), ref = run(V8);
  const next = rng(op.length * 7919 + op.charCodeAt(0));
  const lanes = resultLanes(op);
  const size = arity === "test" ? 4 : 48;
  for (let r = 0; r < rounds; r++) {
    const input = new Uint8Array(100);
    input.set(new Uint8Array(vector(next).buffer), 0);
    input.set(new Uint8Array(vector(next).buffer), 16);
    new DataView(input.buffer).setUint32(96, r < 70 ? r : next(), true);
    for (const e of [ours, ref]) e.mem().set(input), e.run();
    const got = ours.mem().slice(32, 32 + size), want = ref.mem().slice(32, 32 + size);
    const where = `${op}(${hex(input.subarray(0, 16))}, ${hex(input.subarray(16, 32))}, k=${input[96]})`;
    if (arity === "test") {
      assert.deepEqual(got, want, where);
      continue;
    }
    assert.ok(
      sameLanes(lanes, got.subarray(0, 16), want.subarray(0, 16)),
      `${where}: ${hex(got)} vs ${hex(want)}`,
    );
    // Written over an operand, the result must be the same bits as into a fresh slot.
    assert.deepEqual(got.subarray(16, 32), got.subarray(0, 16), `${where} over a`);
    assert.deepEqual(got.subarray(32, 48), got.subarray(0, 16), `${where} over b`);
  }
}

Deno.test({
  name: "SIMD lane operations match V8 (unary, binary, shifts, tests)",
  fn() {
    for (const op of UNARY) differential(op, 1, 150);
    for (const op of BINARY) differential(op, 2, 150);
    for (const op of SHIFTS) differential(op, "shift", 150);
    for (const op of TESTS) differential(op, "test", 150);
  },
});

Deno.test({
  name: "SIMD shuffles, splats, lanes and memory forms match V8",
  fn() {
    const body = `
      (v128.store (i32.const 200) (i8x16.shuffle 31 0 17 3 16 5 30 7 8 9 10 11 12 13 14 15 (local.get $a) (local.get $b)))
      (local.set $a (i8x16.shuffle 1 0 17 3 16 5 30 7 8 9 10 11 12 13 14 15 (local.get $a) (local.get $b)))
      (v128.store (i32.const 216) (local.get $a))
      (v128.store (i32.const 232) (i8x16.splat (i32.load (i32.const 0))))
      (v128.store (i32.const 248) (i16x8.splat (i32.load (i32.const 0))))
      (v128.store (i32.const 264) (i64x2.splat (i64.load (i32.const 4))))
      (v128.store (i32.const 280) (f64x2.splat (f64.load (i32.const 8))))
      (i32.store (i32.const 296) (i8x16.extract_lane_s 15 (local.get $b)))
      (i32.store (i32.const 300) (i8x16.extract_lane_u 15 (local.get $b)))
      (i32.store (i32.const 304) (i16x8.extract_lane_s 7 (local.get $b)))
      (i32.store (i32.const 308) (i16x8.extract_lane_u 6 (local.get $b)))
      (i64.store (i32.const 312) (i64x2.extract_lane 1 (local.get $b)))
      (f32.store (i32.const 320) (f32x4.extract_lane 2 (local.get $b)))
      (v128.store (i32.const 324) (i8x16.replace_lane 9 (local.get $b) (i32.const 0x1ff)))
      (v128.store (i32.const 340) (i16x8.replace_lane 3 (local.get $b) (i32.const 0x12345)))
      (v128.store (i32.const 356) (f64x2.replace_lane 0 (local.get $b) (f64.load (i32.const 16))))
      (v128.store (i32.const 372) (v128.bitselect (local.get $a) (local.get $b) (v128.load (i32.const 5))))
      (v128.store (i32.const 388) (v128.load8x8_s (i32.const 3)))
      (v128.store (i32.const 404) (v128.load16x4_u (i32.const 7)))
      (v128.store (i32.const 420) (v128.load32x2_s offset=1 (i32.const 8)))
      (v128.store (i32.const 436) (v128.load8_splat (i32.const 9)))
      (v128.store (i32.const 452) (v128.load64_zero (i32.const 11)))
      (v128.store (i32.const 468) (v128.load16_lane 5 (i32.const 13) (local.get $b)))
      (v128.store32_lane 3 (i32.const 484) (local.get $b))
      (v128.store8_lane 14 (i32.const 488) (local.get $b))
      (v128.store (i32.const 492) (i8x16.shuffle 8 9 10 11 28 29 30 31 0 1 2 3 16 17 18 19 (local.get $a) (local.get $b)))
      (local.set $b (i8x16.shuffle 4 5 6 7 4 5 6 7 24 25 26 27 12 13 14 15 (local.get $a) (local.get $b)))
      (v128.store (i32.const 508) (local.get $b))
      (v128.store offset=1 (i32.const 580) (v128.load offset=2 (i32.const 1)))`;
    const bytes = simdWat(`(module (memory (export "mem") 1)
      (func (export "run") (local $a v128) (local $b v128)
        (local.set $a (v128.load (i32.const 0))) (local.set $b (v128.load (i32.const 16))) ${body}))`);
    const make = (W: Api) =>
      new W.Instance(new W.Module(bytes)).exports as unknown as {
        run: () => void;
        mem: { buffer: ArrayBuffer };
      };
    const ours = make(OURS), ref = make(V8);
    const next = rng(42);
    for (let r = 0; r < 200; r++) {
      const input = new Uint8Array(new Uint32Array([...vector(next), ...vector(next)]).buffer);
      for (const e of [ours, ref]) {
        const mem = new Uint8Array(e.mem.buffer);
        mem.fill(0, 0, 600), mem.set(input), e.run();
      }
      assert.deepEqual(
        new Uint8Array(ours.mem.buffer, 0, 600),
        new Uint8Array(ref.mem.buffer, 0, 600),
        `input ${hex(input)}`,
      );
    }
  },
});

// ---- v128 as a value type ----

const VALUES = `(module
  (import "env" "host" (func $host (param v128)))
  (memory (export "mem") 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (global (export "gv") v128 (v128.const i64x2 -1 7))
  (func $pick (param $c i32) (param $x v128) (param $y v128) (result v128 i32)
    (select (local.get $x) (local.get $y) (local.get $c)) (local.get $c))
  (func $dirty (local v128 v128 v128)
    (local.set 0 (v128.const i32x4 -1 -1 -1 -1)) (local.set 1 (local.get 0)) (local.set 2 (local.get 1)))
  (func $fresh (result v128) (local v128 v128 v128) (local.get 2))
  (func (export "run") (param $c i32)
    (local $v v128) (local $n i32)
    (call $dirty) ;; leaves -1 in the frame slots $fresh's locals get next
    (local.set $v (call $fresh))
    (v128.store (i32.const 0) (local.get $v))
    (call $pick (local.get $c) (global.get $g) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))
    (local.set $n) (local.set $v)
    (i32.store (i32.const 16) (local.get $n))
    (v128.store (i32.const 32) (local.get $v))
    (global.set $g (i32x4.add (global.get $g) (global.get $g)))
    (v128.store (i32.const 48)
      (block (result v128)
        (br_if 0 (global.get $g) (local.get $c))
        (drop)
        (v128.const f32x4 1.5 -0 nan inf))))
  (func (export "takes") (param v128))
  (func (export "gives") (result v128) (v128.const i32x4 0 0 0 0))
  (func (export "callsHost") (call $host (v128.const i32x4 0 0 0 0))))`;

Deno.test({
  name: "v128 locals start at zero; select, globals, blocks and multi-value carry all 16 bytes",
  fn() {
    const inst = new OURS.Instance(new OURS.Module(simdWat(VALUES)), { env: { host: () => {} } });
    const e = inst.exports as unknown as { run: (c: number) => void; mem: { buffer: ArrayBuffer } };
    const words = (at: number) => [...new Int32Array(e.mem.buffer, at, 4)];
    e.run(1);
    assert.deepEqual(words(0), [0, 0, 0, 0], "a v128 local must start at zero");
    assert.equal(new Int32Array(e.mem.buffer, 16, 1)[0], 1);
    assert.deepEqual(words(32), [1, 2, 3, 4]);
    assert.deepEqual(words(48), [2, 4, 6, 8]);
    e.run(0);
    assert.deepEqual(words(32), Array(4).fill(0x09090909));
    assert.deepEqual(words(48), [0x3fc00000, 0x80000000 | 0, 0x7fc00000, 0x7f800000]);
  },
});

Deno.test({
  name: "v128 at the JS boundary: TypeError for calls both ways and for global values",
  fn() {
    for (const W of [OURS, V8]) {
      const inst = new W.Instance(new W.Module(simdWat(VALUES)), { env: { host: () => {} } });
      const e = inst.exports as Record<string, unknown>;
      assert.throws(() => (e.takes as (x: unknown) => void)(0), TypeError);
      assert.throws(() => (e.gives as () => void)(), TypeError);
      assert.throws(() => (e.callsHost as () => void)(), TypeError);
      assert.throws(() => (e.gv as { value: unknown }).value, TypeError);
    }
  },
});

Deno.test({
  name: "SIMD validation: lane indices, shuffle lanes, alignment, operand types",
  fn() {
    // [a module that must validate, the same with one immediate or operand made invalid]
    const cases: [string, string][] = [
      [
        "(i8x16.extract_lane_u 15 (v128.const i64x2 0 0))",
        "(i8x16.extract_lane_u 16 (v128.const i64x2 0 0))",
      ],
      ["(i64x2.extract_lane 1 (v128.const i64x2 0 0))", "(i64x2.extract_lane 2 (v128.const i64x2 0 0))"],
      [
        "(v128.load8_lane 15 (i32.const 0) (v128.const i64x2 0 0))",
        "(v128.load8_lane 16 (i32.const 0) (v128.const i64x2 0 0))",
      ],
      ["(v128.load align=16 (i32.const 0))", "(v128.load align=32 (i32.const 0))"],
      ["(v128.load32_splat align=4 (i32.const 0))", "(v128.load32_splat align=8 (i32.const 0))"],
      [
        "(v128.load64_lane align=8 1 (i32.const 0) (v128.const i64x2 0 0))",
        "(v128.load64_lane align=16 1 (i32.const 0) (v128.const i64x2 0 0))",
      ],
      [
        "(i32x4.shl (v128.const i64x2 0 0) (i32.const 1))",
        "(i32x4.shl (v128.const i64x2 0 0) (i64.const 1))",
      ],
    ];
    for (const [good, bad] of cases) {
      const wrap = (e: string) => `(module (memory 1) (func (drop ${e})))`;
      for (const W of [OURS, V8]) {
        new W.Module(simdWat(wrap(good)));
        // The parser encodes invalid forms as written: the engines must refuse them.
        assert.throws(() => new W.Module(watNoCheck(wrap(bad))), W.CompileError, bad);
      }
    }
    // i8x16.shuffle lane 32 (the binary allows any byte): patch the last lane of a valid module.
    const shuffle = simdWat(
      `(module (func (drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))))`,
    ).slice();
    const at = shuffle.lastIndexOf(31);
    new OURS.Module(shuffle);
    shuffle[at] = 32;
    for (const W of [OURS, V8]) assert.throws(() => new W.Module(shuffle), W.CompileError);
  },
});

/** WAT to bytes, invalid modules included (the parser encodes what it reads; validation is the engine's). */
const watNoCheck = wat;

Deno.test({
  name: "v128.load of base + k: the address wraps like i32.add, then the offset is added exactly",
  fn() {
    const bytes = simdWat(`(module (memory (export "mem") 1)
      (func (export "load") (param $x i32) (result i32)
        (i32x4.extract_lane 1 (v128.load offset=4 (i32.add (local.get $x) (i32.const -16))))))`);
    for (const W of [OURS, V8]) {
      const e = new W.Instance(new W.Module(bytes)).exports as unknown as {
        load: (x: number) => number;
        mem: { buffer: ArrayBuffer };
      };
      new Int32Array(e.mem.buffer, 0, 4).set([1, 2, 3, 4]);
      assert.equal(e.load(16), 3);
      assert.equal(e.load(20), 4);
      // (12 - 16) wraps to 2^32 - 4, and the offset takes it to 2^32: out of bounds, not address 0.
      assert.throws(() => e.load(12), W.RuntimeError);
    }
  },
});

Deno.test({
  name: "v128 through calls, loop parameters, if/else, br_table and tee match V8",
  fn() {
    const bytes = simdWat(`(module (memory (export "mem") 1)
      (type $vv (func (param v128 i32 v128) (result v128 v128)))
      (table 1 funcref) (elem (i32.const 0) $swapAdd)
      (func $swapAdd (type $vv) (i32x4.add (local.get 2) (i32x4.splat (local.get 1))) (local.get 0))
      (func (export "run") (param $n i32) (local $t v128)
        (v128.load (i32.const 0))
        (loop $l (param v128) (result v128)
          (local.tee $t)
          (i32.const 3)
          (v128.load (i32.const 16))
          (call_indirect (type $vv) (i32.const 0))
          (i8x16.sub)
          (if (param v128) (result v128) (i32.and (local.get $n) (i32.const 1))
            (then (i16x8.add (local.get $t)))
            (else (v128.xor (local.get $t))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $l (local.get $n)))
        (block $b2 (param v128) (result v128)
          (block $b1 (param v128) (result v128)
            (block $b0 (param v128) (result v128)
              (br_table $b0 $b1 $b2 (i32.load (i32.const 32))))
            (local.set $t (i32x4.neg)) (v128.store (i32.const 48) (local.get $t)) (return))
          (i64x2.add (v128.load (i32.const 16))))
        (local.set $t)
        (v128.store (i32.const 48) (local.get $t))))`);
    const make = (W: Api) =>
      new W.Instance(new W.Module(bytes)).exports as unknown as {
        run: (n: number) => void;
        mem: { buffer: ArrayBuffer };
      };
    const ours = make(OURS), ref = make(V8);
    const next = rng(7);
    for (let r = 0; r < 60; r++) {
      const input = new Uint8Array(
        new Uint32Array([...vector(next), ...vector(next), r % 4, 0, 0, 0]).buffer,
      );
      for (const e of [ours, ref]) {
        const mem = new Uint8Array(e.mem.buffer);
        mem.fill(0, 0, 64), mem.set(input), e.run(1 + (r % 5));
      }
      assert.deepEqual(
        new Uint8Array(ours.mem.buffer, 0, 64),
        new Uint8Array(ref.mem.buffer, 0, 64),
        `round ${r}`,
      );
    }
  },
});
