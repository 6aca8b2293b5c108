/**
 * The lowering fuses common instruction sequences into single closures (compare + branch, counter
 * step + test, address folding, load + arithmetic, read-modify-write, two-op expressions, constant
 * shifts, copies …). Each function below is shaped to hit one fusion, and is run on wasmrun and on
 * V8 with edge-case inputs: results, traps and memory must agree.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { fusedForms } from "../src/interp/lower.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import { wat } from "./wat.ts";

const MODULE = `(module
  (memory (export "mem") 1)
  ;; counter step + test (add-imm, add-reg, sub-imm), both operand orders, wrapping at 2^31; with a
  ;; second step right before it (count_up, count_down) the two steps pair up instead (addImm2)
  (func (export "count_up") (param $from i32) (param $to i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_s (local.tee $from (i32.add (local.get $from) (i32.const 1))) (local.get $to))))
    (local.get $n))
  (func (export "count_plain") (param $from i32) (param $to i32) (result i32)
    (loop $l (br_if $l (i32.lt_s (local.tee $from (i32.add (local.get $from) (i32.const 1))) (local.get $to))))
    (local.get $from))
  (func (export "count_down") (param $i i32) (result i32) (local $n i32)
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.ne (i32.const 0) (local.tee $i (i32.sub (local.get $i) (i32.const 3))))))
    (local.get $n))
  (func (export "wrap_test") (param $x i32) (result i32)
    (if (result i32) (i32.lt_s (local.tee $x (i32.add (local.get $x) (i32.const 1))) (i32.const 0))
      (then (i32.const 1)) (else (i32.const 0))))
  ;; scan: load into a local and test it
  (func (export "scan") (param $p i32) (param $limit i32) (result i32) (local $v i32)
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (i32.lt_s (local.tee $v (i32.load (local.get $p))) (local.get $limit))))
    (local.get $p))
  ;; address folding: base + k (wraps before the offset is added), base + index
  (func (export "load_folded") (param $base i32) (result i32)
    (i32.load offset=8 (i32.add (local.get $base) (i32.const -4))))
  (func (export "load_indexed") (param $a i32) (param $b i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get $a) (local.get $b))))
  (func (export "store_folded") (param $base i32) (param $v i32)
    (i32.store offset=4 (i32.add (local.get $base) (i32.const 2)) (local.get $v)))
  ;; f64: load + arithmetic, arithmetic + store, two-op expressions; rmw and rmw32 are no
  ;; read-modify-write (the multiply flushes the load; tests/fused_forms_test.ts has those); axpy
  ;; is the multiply-add read-modify-write
  (func (export "rmw") (param $p i32) (param $x f64)
    (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (f64.mul (local.get $x) (f64.const 3)))))
  (func (export "mem_left") (param $p i32) (param $x f64) (result f64)
    (f64.div (f64.load offset=8 (local.get $p)) (local.get $x)))
  (func (export "mem_right") (param $p i32) (param $x f64) (result f64)
    (f64.sub (local.get $x) (f64.load (i32.add (local.get $p) (i32.const 16)))))
  (func (export "store_arith") (param $p i32) (param $x f64) (param $y f64)
    (f64.store offset=24 (local.get $p) (f64.add (local.get $x) (local.get $y))))
  (func (export "rmw32") (param $p i32) (param $x f32)
    (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.mul (local.get $x) (f32.const 3)))))
  (func (export "mem_left32") (param $p i32) (param $x f32) (result f32)
    (f32.div (f32.load offset=8 (local.get $p)) (local.get $x)))
  (func (export "mem_right32") (param $p i32) (param $x f32) (result f32)
    (f32.sub (local.get $x) (f32.load (i32.add (local.get $p) (i32.const 16)))))
  (func (export "store_arith32") (param $p i32) (param $x f32) (param $y f32)
    (f32.store offset=24 (local.get $p) (f32.mul (local.get $x) (local.get $y))))
  (func (export "axpy") (param $c i32) (param $b i32) (param $y f64)
    (local.get $c)
    (f64.mul (local.get $y) (f64.load offset=8 (local.get $b)))
    (f64.load (local.get $c))
    (f64.add)
    (f64.store))
  (func (export "axpy32") (param $c i32) (param $b i32) (param $y f32)
    (local.get $c)
    (f32.mul (local.get $y) (f32.load (i32.add (local.get $b) (i32.const 4))))
    (f32.load (local.get $c))
    (f32.add)
    (f32.store))
  (func (export "f64_pair") (param $a f64) (param $b f64) (param $c f64) (result f64)
    (f64.sub (local.get $c) (f64.mul (local.get $a) (local.get $b))))
  ;; i32: shift/rotate + op, two-op expressions, copies
  (func (export "sigma") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotr (local.get $x) (i32.const 2)) (i32.rotr (local.get $x) (i32.const 13)))
      (i32.shr_u (local.get $x) (i32.const 3))))
  (func (export "pair") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (i32.add (local.get $c) (i32.and (local.get $a) (local.get $b))))
  (func (export "shuffle") (param $a i32) (param $b i32) (param $c i32) (result i32) (local $t i32)
    (local.set $t (local.get $a)) (local.set $a (local.get $b)) (local.set $b (local.get $c)) (local.set $c (local.get $t))
    (i32.add (i32.mul (local.get $a) (i32.const 100)) (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $c))))
  ;; i64: constant shifts and rotations (0, 31, 32, 33, 63), constant multiply, xorshift step
  (func (export "i64_const_ops") (param $x i64) (result i64)
    (i64.xor
      (i64.xor (i64.rotl (local.get $x) (i64.const 32)) (i64.shr_s (local.get $x) (i64.const 63)))
      (i64.xor (i64.shl (local.get $x) (i64.const 33)) (i64.rotr (local.get $x) (i64.const 31)))))
  (func (export "xorshift") (param $x i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 12))))
    (local.set $x (i64.xor (i64.shr_u (local.get $x) (i64.const 40)) (local.get $x)))
    (i64.mul (local.get $x) (i64.const 0x2545F4914F6CDD1D)))
  (func (export "xorshift_left") (param $x i64) (param $y i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 25))))
    (local.set $x (i64.mul (i64.xor (i64.shl (local.get $x) (i64.const 40)) (local.get $x)) (i64.const 0x100000001b3)))
    (local.set $x (i64.mul (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 33))) (i64.const -7)))
    (i64.mul (i64.xor (local.get $x) (local.get $y)) (i64.const 0x9E3779B97F4A7C15)))
  (func (export "i64_shift0") (param $x i64) (result i64) (i64.shr_u (local.get $x) (i64.const 64))))`;

/** The fused forms lowering each function makes (so that no case silently runs unfused code). */
const FORMS: Record<string, string[]> = {
  count_up: ["addImm2", "i32CompareBranch:lt_s:reg"],
  count_plain: ["addCompareBranch:imm:lt_s:reg"],
  count_down: ["addImm2", "i32CompareBranch:ne:imm"],
  wrap_test: ["addCompareBranch:imm:lt_s:imm"],
  scan: ["i32BinaryImm:add", "loadCompareBranch:lt_s:reg"],
  load_folded: ["load:i32.load:folded"],
  load_indexed: ["loadIndexed:i32.load8_u"],
  store_folded: ["store:i32.store:folded"],
  rmw: ["f64BinaryThenBinary:mul:rsub"],
  mem_left: ["f64BinaryMem:div:left"],
  mem_right: ["f64BinaryMem:sub:right"],
  store_arith: ["f64StoreBinary:add"],
  rmw32: ["f32StoreBinary:add"],
  mem_left32: ["f32BinaryMem:div:left"],
  mem_right32: ["f32BinaryMem:sub:right"],
  store_arith32: ["f32StoreBinary:mul"],
  axpy: ["mulAddReadModifyWrite:f64:add"],
  axpy32: ["mulAddReadModifyWrite:f32:add"],
  f64_pair: ["f64BinaryThenBinary:mul:rsub"],
  sigma: ["i32BinaryImm:rotr", "shiftThenBinary:rotr:xor", "shiftThenBinary:shr_u:xor"],
  pair: ["binaryThenBinary:and:add:reg"],
  shuffle: ["binaryThenBinary:add:add:reg", "copyManyOp:4", "i32BinaryImm:mul"],
  i64_const_ops: [
    "i64BinaryConst:rotl:32",
    "i64BinaryConst:rotr:lt32",
    "i64BinaryConst:shl:ge32",
    "i64BinaryConst:shr_s:ge32",
  ],
  xorshift: ["i64BinaryConst:mul", "i64XorShift:xor:shr_u:ge32", "i64XorShift:xor:shr_u:lt32"],
  xorshift_left: [
    "i64XorShift:xor:shl:lt32",
    "i64XorShift:xormul:none",
    "i64XorShift:xormul:shl:ge32",
    "i64XorShift:xormul:shr_u:ge32",
  ],
  i64_shift0: ["i64BinaryConst:shr_u:0"],
};

const I32_EDGES = [0, 1, -1, 2, 3, 7, 100, 0x7fffffff, -0x80000000, 65532, 65535, 65536, -4];
const F64_EDGES = [0, -0, 1.5, -2.25, 1e300, Infinity, NaN];
const I64_EDGES = [0n, 1n, -1n, 0x123456789abcdefn, -(2n ** 63n), 2n ** 63n - 1n, 0xdeadbeefn];

type Exports = Record<string, (...args: unknown[]) => unknown>;

/** Calls `name` with `args` on both engines (fresh memory each time) and compares everything. */
function agree(ours: Exports, v8: Exports, name: string, args: unknown[], setup?: (mem: DataView) => void) {
  const outcome = (e: Exports) => {
    const mem = new DataView((e.mem as unknown as WebAssembly.Memory).buffer);
    new Uint8Array(mem.buffer).fill(0);
    // Positive words: read as f64 they are never NaN, so results do not depend on NaN payload rules.
    for (let i = 0; i < 256; i += 4) mem.setInt32(i, i * 1000 + 7, true);
    setup?.(mem);
    let result: unknown;
    try {
      result = e[name](...args);
    } catch (err) {
      result = `trap: ${(err as Error).constructor.name}`;
    }
    const bytes = new Uint8Array(mem.buffer, 0, 512);
    return { result: Object.is(result, NaN) ? "NaN" : result, memory: bytes.join(",") };
  };
  assert.deepEqual(outcome(ours), outcome(v8), `${name}(${args.map(String).join(", ")})`);
}

// Both tiers: the JS tier (the default) and the threaded-code interpreter (`jit: false`).
for (const [tier, options] of [["JS tier", { tierUp: 0 }], ["interpreter", { jit: false }]] as const) {
  Deno.test({
    name: `fused instruction sequences agree with V8 on edge cases (${tier})`,
    fn() {
      const bytes = wat(MODULE);
      const ours = new Ours.Instance(new Ours.Module(bytes), {}, options).exports as Exports;
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Exports;
      for (const [name, forms] of Object.entries(FORMS)) {
        assert.deepEqual(fusedForms(funcOfJs.get(ours[name]) as WasmFunc), forms, `fused forms of ${name}`);
      }
      for (const [from, to] of [[0, 10], [5, 5], [0x7ffffff0, 0x7fffffff], [-5, 3]]) {
        agree(ours, v8, "count_up", [from, to]);
        agree(ours, v8, "count_plain", [from, to]);
      }
      for (const i of [3, 30, 300]) agree(ours, v8, "count_down", [i]);
      for (const x of I32_EDGES) {
        agree(ours, v8, "wrap_test", [x]);
        agree(ours, v8, "load_folded", [x]);
        agree(ours, v8, "store_folded", [x, 0x1234567]);
        agree(ours, v8, "sigma", [x]);
        for (const y of [0, 1, -1, 65535, 65534]) agree(ours, v8, "load_indexed", [x, y]);
      }
      for (const limit of [7, 50000, 300000]) agree(ours, v8, "scan", [0, limit]);
      agree(ours, v8, "scan", [65520, 0x7fffffff]); // runs off the end of memory: a trap
      for (const p of [0, 8, 3, 65528, 65532, 65536]) {
        for (const x of F64_EDGES) {
          agree(ours, v8, "rmw", [p, x], (m) => p + 8 <= m.byteLength && m.setFloat64(p, 10.5, true));
          agree(ours, v8, "mem_left", [p, x]);
          agree(ours, v8, "mem_right", [p, x]);
          agree(ours, v8, "store_arith", [p, x, 0.25]);
          agree(ours, v8, "rmw32", [p, x], (m) => p + 4 <= m.byteLength && m.setFloat32(p, 10.1, true));
          agree(ours, v8, "mem_left32", [p, x]);
          agree(ours, v8, "mem_right32", [p, x]);
          agree(ours, v8, "store_arith32", [p, x, 0.1]);
          for (const q of [0, 4, 16, 65528, 65536]) {
            agree(ours, v8, "axpy", [p, q, x], (m) => p + 8 <= m.byteLength && m.setFloat64(p, 0.1, true));
            agree(ours, v8, "axpy32", [p, q, x], (m) => p + 4 <= m.byteLength && m.setFloat32(p, 0.1, true));
          }
        }
      }
      for (const a of F64_EDGES) for (const b of F64_EDGES) agree(ours, v8, "f64_pair", [a, b, 1]);
      for (const a of I32_EDGES) agree(ours, v8, "pair", [a, 0x0ff0, 7]);
      agree(ours, v8, "shuffle", [1, 2, 3]);
      for (const x of I64_EDGES) {
        agree(ours, v8, "i64_const_ops", [x]);
        agree(ours, v8, "xorshift", [x]);
        agree(ours, v8, "i64_shift0", [x]);
        for (const y of I64_EDGES) agree(ours, v8, "xorshift_left", [x, y]);
      }
    },
  });
}
