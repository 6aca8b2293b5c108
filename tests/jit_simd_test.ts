/**
 * The JS tier's inline SIMD code (src/jit/simd.ts): the frequent operations become JS on four int32
 * variables instead of running the interpreter's closure on copies in scratch slots. For each of them
 * this checks that the compiled function really has no interpreter closure among its constants (so a
 * case label that stops matching, and the operation falls back to the closure, is noticed), and that
 * the inline code agrees with V8 at every lane index it takes and on edge-case lanes: results, the
 * locals around them and memory.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { compileToJs } from "../src/jit/compile.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";
import { wat } from "./wat.ts";

const INT_COMPARE = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];

/** Expressions over `$a`, `$b`, `$c` (v128) and `$n` (i32), `$g` (f32), each to be compiled inline. */
interface InlineCase {
  label: string;
  body: string;
  /** f32x4 arithmetic: a NaN lane may be any NaN (the spec leaves its bits open). */
  floats?: boolean;
}

function inlineCases(): InlineCase[] {
  const out: InlineCase[] = [];
  /** A v128 value into `$r`. */
  const v = (label: string, expr: string) =>
    out.push({
      label,
      body: `(local.set $r ${expr}) (v128.store (i32.const 64) (local.get $r))`,
      floats: /^f32x4\.(add|sub|mul|div)/.test(label),
    });
  /** A scalar stored with `store`. */
  const s = (label: string, store: string, expr: string) =>
    out.push({ label, body: `(${store} (i32.const 64) ${expr})` });
  for (const op of ["v128.and", "v128.andnot", "v128.or", "v128.xor"]) {
    v(op, `(${op} (local.get $a) (local.get $b))`);
  }
  v("v128.not", "(v128.not (local.get $a))");
  v("v128.bitselect", "(v128.bitselect (local.get $a) (local.get $b) (local.get $c))");
  s("v128.any_true", "i32.store", "(v128.any_true (local.get $a))");
  for (const op of ["i8x16.eq", "i8x16.add", "i8x16.sub", "i16x8.add", "i16x8.sub", "i16x8.mul"]) {
    v(op, `(${op} (local.get $a) (local.get $b))`);
  }
  for (const op of ["add", "sub", "mul", "min_s", "min_u", "max_s", "max_u", "dot_i16x8_s", ...INT_COMPARE]) {
    v(`i32x4.${op}`, `(i32x4.${op} (local.get $a) (local.get $b))`);
  }
  for (const op of ["abs", "neg"]) v(`i32x4.${op}`, `(i32x4.${op} (local.get $a))`);
  for (const op of ["shl", "shr_s", "shr_u"]) v(`i32x4.${op}`, `(i32x4.${op} (local.get $a) (local.get $n))`);
  for (const h of ["low", "high"]) {
    for (const sign of ["s", "u"]) {
      v(`i32x4.extend_${h}_i16x8_${sign}`, `(i32x4.extend_${h}_i16x8_${sign} (local.get $a))`);
    }
  }
  for (const sign of ["s", "u"]) {
    v(`f32x4.convert_i32x4_${sign}`, `(f32x4.convert_i32x4_${sign} (local.get $a))`);
  }
  for (const op of ["add", "sub", "mul", "div"]) {
    v(`f32x4.${op}`, `(f32x4.${op} (local.get $a) (local.get $b))`);
    // Straight from a load: the lanes are read as numbers.
    v(`f32x4.${op} of a load`, `(f32x4.${op} (v128.load (i32.const 16)) (local.get $a))`);
  }
  s("i8x16.bitmask", "i32.store", "(i8x16.bitmask (local.get $a))");
  v(
    "i8x16.shuffle (words)",
    "(i8x16.shuffle 0 1 2 3 20 21 22 23 8 9 10 11 28 29 30 31 (local.get $a) (local.get $b))",
  );
  v(
    "i8x16.shuffle (bytes)",
    "(i8x16.shuffle 31 0 17 3 16 5 30 7 8 9 10 11 12 13 14 15 (local.get $a) (local.get $b))",
  );
  v(
    "i8x16.shuffle (descending from a word start: bytes, not a word)",
    "(i8x16.shuffle 4 3 2 1 8 7 6 5 28 27 26 25 16 17 18 19 (local.get $a) (local.get $b))",
  );
  for (const shape of ["i8x16", "i16x8", "i32x4"]) v(`${shape}.splat`, `(${shape}.splat (local.get $n))`);
  v("f32x4.splat", "(f32x4.splat (local.get $g))");
  v("v128.const", "(v128.const i32x4 0x80000000 -1 0x7fffffff 0x01020304)");
  // Every lane index of the lane instructions the tier inlines.
  for (let lane = 0; lane < 16; lane++) {
    for (const sign of ["s", "u"]) {
      s(
        `i8x16.extract_lane_${sign} ${lane}`,
        "i32.store",
        `(i8x16.extract_lane_${sign} ${lane} (local.get $a))`,
      );
    }
    v(`i8x16.replace_lane ${lane}`, `(i8x16.replace_lane ${lane} (local.get $a) (local.get $n))`);
    v(`v128.load8_lane ${lane}`, `(v128.load8_lane ${lane} (i32.const 37) (local.get $a))`);
    out.push({
      label: `v128.store8_lane ${lane}`,
      body: `(v128.store8_lane ${lane} (i32.const 67) (local.get $a))`,
    });
  }
  for (let lane = 0; lane < 8; lane++) {
    for (const sign of ["s", "u"]) {
      s(
        `i16x8.extract_lane_${sign} ${lane}`,
        "i32.store",
        `(i16x8.extract_lane_${sign} ${lane} (local.get $a))`,
      );
    }
    v(`i16x8.replace_lane ${lane}`, `(i16x8.replace_lane ${lane} (local.get $a) (local.get $n))`);
    v(`v128.load16_lane ${lane}`, `(v128.load16_lane ${lane} (i32.const 37) (local.get $a))`);
    out.push({
      label: `v128.store16_lane ${lane}`,
      body: `(v128.store16_lane ${lane} (i32.const 67) (local.get $a))`,
    });
  }
  for (let lane = 0; lane < 4; lane++) {
    s(`i32x4.extract_lane ${lane}`, "i32.store", `(i32x4.extract_lane ${lane} (local.get $a))`);
    s(`f32x4.extract_lane ${lane}`, "f32.store", `(f32x4.extract_lane ${lane} (local.get $a))`);
    v(`i32x4.replace_lane ${lane}`, `(i32x4.replace_lane ${lane} (local.get $a) (local.get $n))`);
    v(`f32x4.replace_lane ${lane}`, `(f32x4.replace_lane ${lane} (local.get $a) (local.get $g))`);
    v(`v128.load32_lane ${lane}`, `(v128.load32_lane ${lane} (i32.const 37) (local.get $a))`);
    out.push({
      label: `v128.store32_lane ${lane}`,
      body: `(v128.store32_lane ${lane} (i32.const 67) (local.get $a))`,
    });
  }
  for (let lane = 0; lane < 2; lane++) {
    v(`v128.load64_lane ${lane}`, `(v128.load64_lane ${lane} (i32.const 37) (local.get $a))`);
    out.push({
      label: `v128.store64_lane ${lane}`,
      body: `(v128.store64_lane ${lane} (i32.const 67) (local.get $a))`,
    });
  }
  for (
    const op of [
      "v128.load",
      "v128.load8x8_s",
      "v128.load8x8_u",
      "v128.load16x4_s",
      "v128.load16x4_u",
      "v128.load32x2_s",
      "v128.load32x2_u",
      "v128.load8_splat",
      "v128.load16_splat",
      "v128.load32_splat",
      "v128.load32_zero",
      "v128.load64_zero",
    ]
  ) {
    v(op, `(${op} (i32.const 37))`);
  }
  out.push({ label: "v128.store", body: "(v128.store (i32.const 67) (local.get $b))" });
  return out;
}

/** Memory: $a, $b, $c, $live at 0, 16, 32, 48; a function writes 64..143. */
function moduleText(list: { body: string }[]): string {
  const funcs = list.map((c, i) =>
    `(func (export "f${i}") (param $n i32) (param $g f32)
      (local $a v128) (local $b v128) (local $c v128) (local $r v128) (local $live v128)
      (local.set $a (v128.load (i32.const 0)))
      (local.set $b (v128.load (i32.const 16)))
      (local.set $c (v128.load (i32.const 32)))
      (local.set $live (v128.load (i32.const 48)))
      ${c.body}
      (v128.store (i32.const 96) (local.get $live))
      (v128.store (i32.const 112) (local.get $a))
      (v128.store (i32.const 128) (local.get $b)))`
  );
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

/** Lanes at the edges of every lane width, and float edges (no NaN: arithmetic may pick any NaN). */
const EDGES = [
  0,
  1,
  0xffffffff,
  0x7fffffff,
  0x80000000,
  0x7f7f7f7f,
  0x80808080,
  0x7fff8000,
  0x8000ffff,
  0x00ff00ff,
  0xff00ff00,
  0x3fc00000,
  0xbf800000,
  0x7f800000,
  0x4f000000,
  0x00000001,
];

function words(next: () => number, round: number): number[] {
  return Array.from({ length: 16 }, (_, i) => (round % 2 === 0 ? EDGES[(i + round) % EDGES.length] : next()));
}

/** Equal bytes; with `floats`, the result's f32 lanes (the first 16 bytes) match when both are NaN. */
function same(x: Uint8Array, y: Uint8Array, floats = false): boolean {
  const fx = new Float32Array(x.buffer, x.byteOffset, 4), fy = new Float32Array(y.buffer, y.byteOffset, 4);
  return x.every((b, i) =>
    b === y[i] || (floats && i < 16 && Number.isNaN(fx[i >> 2]) && Number.isNaN(fy[i >> 2]))
  );
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

Deno.test({
  name: "JS tier: the inline SIMD operations compile without an interpreter closure",
  fn() {
    const list = inlineCases();
    const exports = new Ours.Instance(new Ours.Module(wat(moduleText(list))), {}, { tierUp: 0 }).exports;
    const closures = list.filter((_, i) => {
      const fn = funcOfJs.get(exports[`f${i}`] as object) as WasmFunc;
      return compileToJs(fn).bridged > 0;
    });
    assert.deepEqual(closures.map((c) => c.label), [], "operations that ran the interpreter's closure");
    // And the count sees a closure where there is one: memory.fill runs the interpreter's.
    const fill = new Ours.Instance(
      new Ours.Module(
        wat(
          `(module (memory 1) (func (export "f") (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))))`,
        ),
      ),
      {},
      { tierUp: 0 },
    ).exports.f;
    assert.equal(compileToJs(funcOfJs.get(fill as object) as WasmFunc).bridged, 1);
  },
});

Deno.test({
  name: "JS tier: inline SIMD code agrees with V8 at every lane index and on edge lanes",
  fn() {
    const list = inlineCases();
    const bytes = wat(moduleText(list));
    const ours = new Ours.Instance(new Ours.Module(bytes), {}, { tierUp: 0 }).exports;
    const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    const failures: string[] = [];
    list.forEach((c, i) => {
      const next = rng(17 + 31 * i);
      for (let round = 0; round < 8; round++) {
        const input = new Uint8Array(new Uint32Array(words(next, round)).buffer);
        const n = [0, 1, 31, 32, 33, -1, 0x1ff, 0x12345678][round];
        const g = [1.5, -0, Infinity, -2.5e-40, 3.4e38, 0, -1, 0.1][round];
        const out = [ours, v8].map((e) => {
          const mem = new Uint8Array((e.mem as WebAssembly.Memory).buffer);
          mem.fill(0, 0, 160), mem.set(input);
          (e[`f${i}`] as (n: number, g: number) => void)(n, g);
          return mem.slice(64, 144);
        });
        if (!same(out[0], out[1], c.floats) && failures.length < 12) {
          failures.push(
            `${c.label} (n ${n}, g ${g}, input ${hex(input)}): ${hex(out[0])}, V8 ${hex(out[1])}`,
          );
        }
      }
    });
    assert.deepEqual(failures, []);
  },
});
