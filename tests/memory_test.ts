/**
 * Linear memory above 2 GiB: addresses there do not fit a signed 32-bit integer, so every access
 * path (typed-array views, DataView, fused loads and stores) must treat them as unsigned.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

const MODULE = `(module
  (memory (export "mem") 32769)
  (func (export "i32") (param $a i32) (param $v i32) (result i32)
    (i32.store (local.get $a) (local.get $v)) (i32.load (local.get $a)))
  (func (export "i64") (param $a i32) (param $v i64) (result i64)
    (i64.store offset=8 (local.get $a) (local.get $v)) (i64.load offset=8 (local.get $a)))
  (func (export "i16") (param $a i32) (param $v i32) (result i32)
    (i32.store16 (local.get $a) (local.get $v)) (i32.load16_s (local.get $a)))
  (func (export "u8") (param $a i32) (param $v i32) (result i32)
    (i32.store8 (i32.add (local.get $a) (i32.const 3)) (local.get $v)) (i32.load8_u (i32.add (local.get $a) (i32.const 3))))
  (func (export "f64") (param $a i32) (param $v f64) (result f64)
    (f64.store (local.get $a) (local.get $v))
    (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.const 1)))
    (f64.mul (f64.load (local.get $a)) (f64.const 2))))`;

// Both tiers: the JS tier (the default) and the threaded-code interpreter (`jit: false`).
for (const [tier, options] of [["JS tier", { tierUp: 0 }], ["interpreter", { jit: false }]] as const) {
  Deno.test({
    name: `loads and stores above 2 GiB agree with V8 (${tier})`,
    fn() {
      const bytes = wat(MODULE);
      const ours = new Ours.Instance(new Ours.Module(bytes), {}, options).exports as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      for (const addr of [0x7ffffff8, 0x80000000, 0x80000004, 0x8000fff0, 0x80000002]) {
        assert.equal(ours.i32(addr, 0x12345678), v8.i32(addr, 0x12345678), `i32 at ${addr}`);
        assert.equal(ours.i64(addr, -5n), v8.i64(addr, -5n), `i64 at ${addr}`);
        assert.equal(ours.i16(addr, 0xfedc), v8.i16(addr, 0xfedc), `i16 at ${addr}`);
        assert.equal(ours.u8(addr, 0xab), v8.u8(addr, 0xab), `u8 at ${addr}`);
        assert.equal(ours.f64(addr, 1.5), v8.f64(addr, 1.5), `f64 at ${addr}`);
      }
      assert.throws(() => ours.i32(0x80010000, 1), Ours.RuntimeError);
    },
  });
}
