/**
 * NaN results that the spec pins: `min` and `max` with a NaN operand give the canonical NaN (sign
 * either way, payload only the quiet bit), also once V8 has optimised the code that computes them
 * (Math.min's NaN then carries the hardware's bits). Many calls, so that V8 optimises both tiers.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { wat } from "./wat.ts";

const TEXT = `(module
  (func (export "min64") (param i64 i64) (result i64)
    (i64.reinterpret_f64 (f64.min (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  (func (export "max64") (param i64 i64) (result i64)
    (i64.reinterpret_f64 (f64.max (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  (func (export "min32") (param i32 i32) (result i32)
    (i32.reinterpret_f32 (f32.min (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "max32") (param i32 i32) (result i32)
    (i32.reinterpret_f32 (f32.max (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1))))))`;

const canonical64 = (bits: bigint) =>
  (BigInt.asUintN(64, bits) & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
const canonical32 = (bits: number) => (bits & 0x7fffffff) === 0x7fc00000;

for (const [tier, options] of [["interpreter", { jit: false }], ["JS tier", { tierUp: 0 }]] as const) {
  Deno.test(`f32/f64 min and max of a NaN give the canonical NaN, hot or not (${tier})`, () => {
    const exports = new W.Instance(new W.Module(wat(TEXT)), {}, options).exports;
    const e64 = exports as Record<string, (a: bigint, b: bigint) => bigint>;
    const e32 = exports as Record<string, (a: number, b: number) => number>;
    const nan64 = [0x7ff8000000000000n, 0x7ff4000000000001n, -0x0008000000000001n, 0x7fffffffffffffffn];
    const nan32 = [0x7fc00000, 0x7fa00001, 0xffc00001 | 0, 0x7fffffff];
    for (let i = 0; i < 20_000; i++) {
      const x = nan64[i & 3], y = BigInt(i);
      for (const f of ["min64", "max64"]) {
        const got = [e64[f](x, y), e64[f](y, x)];
        assert.ok(got.every(canonical64), `${f}(${x}, ${y}) = ${got.map((g) => g.toString(16))}`);
      }
      const a = nan32[i & 3], b = i;
      for (const f of ["min32", "max32"]) {
        const got = [e32[f](a, b), e32[f](b, a)];
        assert.ok(got.every(canonical32), `${f}(${a}, ${b}) = ${got.map((g) => (g >>> 0).toString(16))}`);
      }
    }
  });
}
