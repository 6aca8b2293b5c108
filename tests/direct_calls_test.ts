/**
 * Direct calls between compiled functions (`WasmFunc.invoke(s, jsLeft, depthLeft, ...args)`): arguments as JS values,
 * the result as the value returned. Each value type crosses both ways, a signalling NaN's bits
 * included, whatever the callee runs on: compiled code, the interpreter (a function the JS tier does
 * not take), and the interpreter again when the JS stack budget runs out in deep recursion; and the
 * other way, an interpreted caller's call of direct code through its frame entry
 * (engine/frame_entry.ts). Results are compared with V8's and the interpreter's.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { adapterCounts, OWN_ADAPTER_CALLS } from "../src/engine/frame_entry.ts";
import { wat } from "./wat.ts";

/** 600 nested blocks: deeper than the JS tier takes (its MAX_NESTING), so the function stays interpreted. */
const TOO_DEEP = "(block ".repeat(600) + ")".repeat(600);

/** Callees of every parameter and result type, and callers that mix their values into an i64. */
function module(calleeBody: string, callerBody = ""): Uint8Array<ArrayBuffer> {
  return wat(`(module
    (func $i32 (param i32 i64 f32 f64 externref) (result i32) ${calleeBody}
      (i32.add (local.get 0) (i32.wrap_i64 (local.get 1))))
    (func $i64 (param i32 i64 f32 f64 externref) (result i64) ${calleeBody}
      (i64.add (local.get 1) (i64.extend_i32_s (local.get 0))))
    (func $f32 (param i32 i64 f32 f64 externref) (result f32) ${calleeBody} (local.get 2))
    (func $f64 (param i32 i64 f32 f64 externref) (result f64) ${calleeBody}
      (f64.add (local.get 3) (f64.convert_i32_s (local.get 0))))
    (func $ref (param i32 i64 f32 f64 externref) (result externref) ${calleeBody} (local.get 4))
    (func $none (param i32 i64 f32 f64 externref) ${calleeBody})
    (func (export "mix") (param $a i32) (param $b i64) (param $bits i32) (param $d f64) (param $r externref)
      (result i64)
      (local $f f32) ${callerBody}
      (local.set $f (f32.reinterpret_i32 (local.get $bits)))
      (call $none (local.get $a) (local.get $b) (local.get $f) (local.get $d) (local.get $r))
      (i64.add
        (i64.add
          (i64.extend_i32_u (call $i32 (local.get $a) (local.get $b) (local.get $f) (local.get $d) (local.get $r)))
          (call $i64 (local.get $a) (local.get $b) (local.get $f) (local.get $d) (local.get $r)))
        (i64.add
          (i64.extend_i32_u (i32.reinterpret_f32
            (call $f32 (local.get $a) (local.get $b) (local.get $f) (local.get $d) (local.get $r))))
          (i64.reinterpret_f64
            (call $f64 (local.get $a) (local.get $b) (local.get $f) (local.get $d) (local.get $r))))))
    (func (export "ref") (param externref) (result externref) ${callerBody}
      (call $ref (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4) (local.get 0)))
    ;; Recursion deeper than the JS stack budget: the calls below it go on on the interpreter.
    (func $down (export "down") (param $n i32) (param $x i64) (param $f f32) (param $d f64) (result i64)
      (if (result i64) (i32.eqz (local.get $n))
        (then (i64.add (local.get $x)
          (i64.add (i64.extend_i32_u (i32.reinterpret_f32 (local.get $f))) (i64.reinterpret_f64 (local.get $d)))))
        (else (i64.add (i64.const 1)
          (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $x) (local.get $f) (local.get $d)))))))`);
}

type Exports = {
  mix(a: number, b: bigint, bits: number, d: number, r: unknown): bigint;
  ref(r: unknown): unknown;
  down(n: number, x: bigint, f: number, d: number): bigint;
};

const CASES: [number, bigint, number, number][] = [
  [7, 5n, 0x3fc00000, 2.5],
  [-1, -(1n << 63n), 0x7fa00001, -0], // a signalling NaN with a payload
  [0x7fffffff, (1n << 62n) + 3n, 0xffc00000, Number.MAX_VALUE],
];

function results(ex: Exports): unknown[] {
  const token = { token: true };
  const out: unknown[] = CASES.map(([a, b, bits, d]) => ex.mix(a, b, bits, d, token));
  out.push(ex.ref(token) === token, ex.ref(null));
  out.push(ex.down(6_000, 1n << 40n, 1.5, 0.25));
  return out;
}

const VARIANTS = [
  ["a callee that runs compiled", "nop", "", 0],
  ["a callee that runs interpreted", TOO_DEEP, "", 6],
  ["compiled callees of interpreted callers (the frame entry)", "nop", TOO_DEEP, 2],
] as const;

for (const [what, calleeBody, callerBody, interpreted] of VARIANTS) {
  Deno.test(`direct calls carry every value type, ${what}`, () => {
    const bytes = module(calleeBody, callerBody);
    const v8 = new globalThis.WebAssembly.Instance(new globalThis.WebAssembly.Module(bytes)).exports;
    const expected = results(v8 as unknown as Exports);
    const before = { ...jitCounts };
    const js = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 }).exports as unknown as Exports;
    assert.deepEqual(results(js), expected);
    assert.equal(jitCounts.unsupported - before.unsupported, interpreted);
    assert.ok(jitCounts.compiled - before.compiled >= 3, "at least three functions ran compiled");
    const interp = new W.Instance(new W.Module(bytes), {}, { jit: false }).exports as unknown as Exports;
    assert.deepEqual(results(interp), expected);
  });
}

Deno.test("a function called with its frame often gets an adapter of its own, with the same results", () => {
  const bytes = module("nop", TOO_DEEP);
  const v8 = new globalThis.WebAssembly.Instance(new globalThis.WebAssembly.Module(bytes)).exports;
  const expected = results(v8 as unknown as Exports);
  const js = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 }).exports as unknown as Exports;
  const before = adapterCounts.own;
  // Each round calls every callee with its frame three times or more (results' mix calls).
  for (let round = 0; round < OWN_ADAPTER_CALLS / 3 + 10; round++) {
    assert.deepEqual(results(js), expected, `round ${round}`);
  }
  assert.ok(adapterCounts.own - before >= 5, "the callees of mix got adapters of their own");
});

Deno.test("a direct call past the depth limit traps as on the interpreter", () => {
  const bytes = module("nop");
  for (const options of [{ tierUp: 0 }, { jit: false }]) {
    const ex = new W.Instance(new W.Module(bytes), {}, { ...options, maxCallDepth: 5_000 })
      .exports as unknown as Exports;
    assert.equal(ex.down(4_998, 0n, 0, 0), 4_998n);
    assert.throws(() => ex.down(5_000, 0n, 0, 0), /call stack exhausted/);
  }
});
