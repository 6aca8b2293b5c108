/**
 * Code belongs to the module: instances of one module run the same lowered closures (and the same
 * compiled JS), and each still sees only its own memory, globals, tables, segments, imports and
 * meter. What the closures must not do is keep any instance's objects: these tests would catch an
 * instance reading or writing another's state through shared code.
 */
import assert from "node:assert/strict";
import { fuelConsumed, WebAssembly as W } from "../mod.ts";
import { loweringCounts } from "../src/interp/lower.ts";
import { wat } from "./wat.ts";

const TEXT = `(module
  (import "env" "ext" (func $ext (result i32)))
  (type $r (func (result i32)))
  (memory 1 4)
  (global $g (mut i32) (i32.const 0))
  (global $w (mut i64) (i64.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $own $ext)
  (data $d "\\07")
  (func $own (result i32) (i32.add (global.get $g) (i32.const 100)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "bump") (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (global.set $w (i64.add (global.get $w) (i64.const 0x100000000)))
    (global.get $g))
  (func (export "wide") (result i64) (global.get $w))
  (func (export "ext") (result i32) (call $ext))
  (func (export "indirect") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
  (func (export "grow") (result i32) (drop (memory.grow (i32.const 1))) (memory.size))
  (func (export "init") (param i32) (result i32) (memory.init $d (local.get 0) (i32.const 0) (i32.const 1))
    (i32.load8_u (local.get 0)))
  (func (export "drop") (data.drop $d))
  (func (export "count") (param i32) (result i32) (local $s i32)
    (loop $l (local.set $s (i32.add (local.get $s) (local.get 0)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $s)))`;

type Exports = Record<string, (...args: number[]) => number & bigint>;

function pair(options: object) {
  const module = new W.Module(wat(TEXT));
  // One instance imports a host function, the other another instance's wasm function.
  const a = new W.Instance(module, { env: { ext: () => 1 } }, options);
  const helper = new W.Instance(
    new W.Module(wat(`(module (func (export "two") (result i32) (i32.const 2)))`)),
  );
  const b = new W.Instance(module, { env: { ext: helper.exports.two } }, options);
  return { a, b, x: a.exports as Exports, y: b.exports as Exports };
}

for (
  const [tier, options] of [
    ["interpreter", { jit: false }],
    ["interpreter, fuel", { jit: false, fuel: 1e9 }],
    ["JS tier", { tierUp: 0 }],
    ["tiering up", { tierUp: 300 }],
  ] as const
) {
  Deno.test({
    name: `instances of one module share code and keep their own state (${tier})`,
    fn() {
      const { a, b, x, y } = pair(options);
      for (let round = 0; round < 3; round++) { // hot enough to tier up, where the tier may
        x.store(8, 11), y.store(8, 22);
        assert.equal(x.load(8), 11), assert.equal(y.load(8), 22);
        assert.equal(x.ext(), 1), assert.equal(y.ext(), 2);
        assert.equal(x.count(40), 820), assert.equal(y.count(10), 55);
      }
      assert.equal(x.bump(), 1), assert.equal(x.bump(), 2), assert.equal(y.bump(), 1);
      assert.equal(x.wide(), 2n << 32n), assert.equal(y.wide(), 1n << 32n);
      assert.equal(x.indirect(0), 102), assert.equal(y.indirect(0), 101);
      assert.equal(x.indirect(1), 1), assert.equal(y.indirect(1), 2);
      assert.equal(x.grow(), 2), assert.equal(y.load(65536 - 4), 0);
      assert.throws(() => y.load(65536), /out of bounds/);
      x.drop();
      assert.throws(() => x.init(16), /out of bounds/);
      assert.equal(y.init(16), 7);
      if ("fuel" in options) assert.notEqual(fuelConsumed(a as never), fuelConsumed(b as never));
    },
  });
}

Deno.test({
  name: "a second instance lowers nothing: the module's closures serve it",
  fn() {
    const module = new W.Module(wat(TEXT));
    const run = () => {
      const before = loweringCounts.functions;
      const e = new W.Instance(module, { env: { ext: () => 1 } }, { jit: false }).exports as Exports;
      assert.equal(e.count(5) + e.load(0) + e.indirect(0), 115);
      return loweringCounts.functions - before;
    };
    assert.equal(run(), 4); // count, load, indirect and $own
    assert.equal(run(), 0);
    // Another kind of meter is another lowering (its loops charge fuel), done once too.
    const fueled = () => {
      const before = loweringCounts.functions;
      (new W.Instance(module, { env: { ext: () => 1 } }, { jit: false, fuel: 100 }).exports as Exports).count(
        5,
      );
      return loweringCounts.functions - before;
    };
    assert.equal(fueled(), 1);
    assert.equal(fueled(), 0);
  },
});
