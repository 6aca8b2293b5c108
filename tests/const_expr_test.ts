/**
 * Constant expressions (src/engine/instantiate.ts `evalConst`). A `global.get` of an imported global copies every
 * bit of it (an i64's odd low half, an f64's NaN payload, all of a v128); an imported i32 places a
 * data or element segment, unsigned; extended constant expressions (Wasm 3.0: `i32/i64.add/sub/mul`,
 * and `global.get` of the module's earlier immutable globals) compute what V8 computes.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

/** 64-bit values whose halves differ in every way that matters: odd low half, sign bits, zero halves. */
const I64S = [0x123456789n, -1n, 1n, -0x8000000000000000n, 0x7fffffff80000001n, 0xffffffffn, -0x100000000n];

Deno.test({
  name: "a global initialized from an imported i64 or f64 global gets all 64 bits",
  fn() {
    const bytes = wat(`(module
      (import "e" "i" (global $i i64)) (import "e" "f" (global $f f64))
      (global $gi i64 (global.get $i)) (global $gf f64 (global.get $f))
      (global $mi (mut i64) (global.get $i))
      (func (export "read") (result i64 i64 i64)
        (global.get $gi) (i64.reinterpret_f64 (global.get $gf)) (global.get $mi))
      (export "gi" (global $gi)))`);
    for (const x of I64S) {
      const bits = new BigInt64Array([x]);
      const f = new Float64Array(bits.buffer)[0];
      const run = (W: typeof WebAssembly) => {
        const e = new W.Instance(new W.Module(bytes), {
          e: { i: new W.Global({ value: "i64" }, x), f: new W.Global({ value: "f64" }, f) },
        }).exports;
        return [(e.read as () => bigint[])(), (e.gi as WebAssembly.Global).value];
      };
      const ours = run(Ours as unknown as typeof WebAssembly);
      assert.deepEqual(ours, run(WebAssembly), `i64 ${x}`);
      const [[gi, , mi], exported] = ours as [bigint[], bigint];
      assert.equal(gi, x);
      assert.equal(mi, x);
      assert.equal(exported, x);
    }
  },
});

Deno.test({
  name: "a v128 global initialized from an imported one (through a wasm export) keeps its 16 bytes",
  fn() {
    const source = wat(
      `(module (global (export "v") v128 (v128.const i32x4 0x89abcdef 0x01234567 -1 0x80000001)))`,
    );
    const bytes = wat(
      `(module (import "e" "v" (global $v v128)) (global $g v128 (global.get $v)) (memory (export "mem") 1)
        (func (export "run") (v128.store (i32.const 0) (global.get $g))))`,
    );
    const v = new Ours.Instance(new Ours.Module(source)).exports.v;
    const e = new Ours.Instance(new Ours.Module(bytes), { e: { v } }).exports;
    (e.run as () => void)();
    assert.deepEqual(
      [...new Int32Array((e.mem as WebAssembly.Memory).buffer, 0, 4)],
      [0x89abcdef | 0, 0x01234567, -1, 0x80000001 | 0],
    );
  },
});

Deno.test({
  name: "segment offsets from an imported i32 global are unsigned: past 2^31 they trap, as V8's",
  fn() {
    const bytes = wat(`(module
      (import "e" "at" (global $at i32))
      (memory (export "mem") 1) (table (export "t") 4 funcref)
      (func $f (result i32) (i32.const 7))
      (data (global.get $at) "\\2a")
      (elem (global.get $at) $f))`);
    for (const at of [0, 3, 4, -1, -0x80000000, 0x7fffffff]) {
      const run = (W: typeof WebAssembly) => {
        try {
          const e =
            new W.Instance(new W.Module(bytes), { e: { at: new W.Global({ value: "i32" }, at) } }).exports;
          const table = e.t as WebAssembly.Table;
          return {
            byte: new Uint8Array((e.mem as WebAssembly.Memory).buffer)[at],
            elem: (table.get(at) as () => number)(),
          };
        } catch (err) {
          return { trap: (err as Error).constructor.name };
        }
      };
      assert.deepEqual(run(Ours as unknown as typeof WebAssembly), run(WebAssembly), `offset ${at}`);
    }
  },
});

Deno.test({
  name:
    "extended constant expressions compute i32/i64 add, sub, mul over imported and earlier globals, as V8",
  fn() {
    const bytes = wat(`(module
      (import "e" "i" (global $i i64)) (import "e" "j" (global $j i32))
      (global $a i64 (i64.add (global.get $i) (i64.const 1)))
      (global $b i64 (i64.mul (global.get $a) (i64.sub (i64.const 0x7fffffff) (global.get $i))))
      (global $c i32 (i32.mul (i32.add (global.get $j) (i32.const 0x7fffffff)) (i32.const -3)))
      (global $d i32 (i32.sub (global.get $c) (global.get $j)))
      (memory (export "mem") 1)
      (data (i32.add (global.get $j) (i32.const 2)) "\\2a")
      (func (export "read") (result i64 i64 i32 i32) (global.get $a) (global.get $b) (global.get $c) (global.get $d)))`);
    for (
      const [i, j] of [[0n, 0], [-1n, 5], [0x7fffffffffffffffn, 100], [0x123456789abcn, 65000], [-7n, -3]]
    ) {
      const run = (W: typeof WebAssembly) => {
        try {
          const e = new W.Instance(new W.Module(bytes), {
            e: { i: new W.Global({ value: "i64" }, i), j: new W.Global({ value: "i32" }, j) },
          }).exports;
          const byte = new Uint8Array((e.mem as WebAssembly.Memory).buffer).indexOf(0x2a);
          return { values: (e.read as () => unknown[])(), byte };
        } catch (err) {
          return { trap: (err as Error).constructor.name };
        }
      };
      assert.deepEqual(run(Ours as unknown as typeof WebAssembly), run(WebAssembly), `i=${i} j=${j}`);
    }
  },
});

Deno.test({
  name:
    "constant expressions: the same modules are valid for us as for V8 (global.get order, mutability, types)",
  fn() {
    const cases = [
      "(global i32 (i32.const 1)) (global i32 (global.get 0))", // an earlier global: valid in 3.0
      "(global i32 (global.get 1)) (global i32 (i32.const 1))", // a later one: unknown global
      "(global (mut i32) (i32.const 1)) (global i32 (global.get 0))", // mutable: not constant
      "(global i32 (i32.add (i64.const 1) (i64.const 2)))", // operand types
      "(global i64 (i32.add (i32.const 1) (i32.const 2)))", // result type
      "(global i32 (i32.add (i32.const 1)))", // too few operands
      "(global i32 (i32.const 1) (i32.const 2) (i32.add) (i32.const 3))", // too many values
      "(global i32 (i32.div_s (i32.const 1) (i32.const 2)))", // not a constant instruction
      '(memory 1) (global i32 (i32.const 1)) (data (i32.mul (global.get 0) (i32.const 8)) "x")',
    ];
    for (const c of cases) {
      const bytes = wat(`(module ${c})`);
      assert.equal(Ours.validate(bytes), WebAssembly.validate(bytes), c);
    }
  },
});
