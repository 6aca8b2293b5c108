/**
 * Compiled loads and stores check no bounds themselves: the DataView does, and its RangeError becomes
 * the trap of the instruction (src/jit/compile.ts `effectiveAddress`). These tests hold that trap to the
 * interpreter's and V8's: the same message, the same frames and offsets, nothing written by a store
 * that does not fit (an i64 or v128 store half past the end included), and a host's own RangeError,
 * worded as the DataView's, passing through untouched. v128 accesses made of several DataView
 * accesses rely on the one that reaches the last byte.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { wat } from "./wat.ts";

const PAGE = 65536;
const ACCESSES = [
  ["i32.load", 4],
  ["i64.load", 8],
  ["f32.load", 4],
  ["f64.load", 8],
  ["i32.load8_u", 1],
  ["i64.load16_s", 2],
  ["i64.load32_u", 4],
  ["i32.store", 4],
  ["i64.store", 8],
  ["f32.store", 4],
  ["f64.store", 8],
  ["i32.store8", 1],
  ["i64.store16", 2],
  ["i64.store32", 4],
  ["v128.load", 16],
  ["v128.load32x2_s", 8],
  ["v128.load16_splat", 2],
  ["v128.load64_zero", 8],
  ["v128.store", 16],
] as const;

/**
 * One function per access, called through another so that the backtrace has two frames. Without an
 * offset the compiled access takes the int32 address as it is (compile.ts `effectiveAddress`).
 */
function accessModule(offset: number): Uint8Array<ArrayBuffer> {
  const funcs = ACCESSES.map(([op], i) => {
    const value = op.startsWith("v128") ? "(v128.const i32x4 -1 -1 -1 -1)" : `(${op.slice(0, 3)}.const -1)`;
    const body = op.includes("store")
      ? `(${op} offset=${offset} (local.get 0) ${value})`
      : `(drop (${op} offset=${offset} (local.get 0)))`;
    return `(func $a${i} (param i32) nop ${body})
      (func (export "a${i}") (param i32) nop (call $a${i} (local.get 0)))`;
  });
  return wat(`(module (memory (export "mem") 1) ${funcs.join("\n")})`);
}

type Exports = Record<string, (a: number) => void> & { mem: { buffer: ArrayBuffer } };

/** The trap's message and wasm frames (`wasm-function[N]:0xOFF`), or "ok". */
function outcome(run: () => void): string {
  try {
    run();
    return "ok";
  } catch (e) {
    const frames = [...(e as Error).stack!.matchAll(/wasm-function\[(\d+)\]:(0x[0-9a-f]+)/g)];
    return `${(e as Error).message}: ${frames.map((m) => `${m[1]}@${m[2]}`).join(" ")}`;
  }
}

for (const offset of [3, 0]) {
  Deno.test(`a compiled access past the end traps at its own instruction, as on the interpreter (offset ${offset})`, () => {
    const bytes = accessModule(offset);
    const before = jitCounts.compiled;
    const js = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 }).exports as unknown as Exports;
    const interp = new W.Instance(new W.Module(bytes), {}, { jit: false }).exports as unknown as Exports;
    const v8 = new globalThis.WebAssembly.Instance(new globalThis.WebAssembly.Module(bytes))
      .exports as unknown as Exports;
    ACCESSES.forEach(([op, size], i) => {
      // The last address that fits, one past it, the end, and addresses of 4 GiB - 4 and - 1 (negative
      // as int32: an i64's second half at 4 GiB - 4 + 4 would wrap to 0).
      for (const at of [PAGE - offset - size, PAGE - offset - size + 1, PAGE, 0xfffffffc, 0xffffffff]) {
        const expected = outcome(() => interp[`a${i}`](at));
        assert.equal(outcome(() => js[`a${i}`](at)), expected, `${op} at ${at}`);
        // V8 words the trap its own way, and Deno prints its frames as wasm-function[0]: the offsets agree.
        const frames = (s: string) => s.replace(/^[^:]*:/, "").replace(/\d+@/g, "");
        assert.equal(frames(outcome(() => v8[`a${i}`](at))), frames(expected), `${op} at ${at} on V8`);
        if (at === PAGE - offset - size) assert.equal(expected, "ok");
        else assert.match(expected, /^out of bounds memory access: \d+@0x[0-9a-f]+ \d+@0x/);
      }
      const mine = new Uint8Array(js.mem.buffer), theirs = new Uint8Array(v8.mem.buffer);
      assert.deepEqual(mine.subarray(PAGE - 16), theirs.subarray(PAGE - 16), `${op}: the bytes at the end`);
      assert.deepEqual(mine.subarray(0, 16), theirs.subarray(0, 16), `${op}: the bytes at the start`);
    });
    assert.ok(jitCounts.compiled > before, "the functions ran compiled to JS");
  });
}

Deno.test("an i64 store half past the end writes neither half on the JS tier", () => {
  const bytes = wat(`(module (memory (export "mem") 1)
    (func (export "st") (param i32) (i64.store (local.get 0) (i64.const -1))))`);
  const ex = new W.Instance(new W.Module(bytes), {}, { tierUp: 0 }).exports as unknown as Exports;
  assert.throws(() => ex.st(PAGE - 4), /out of bounds memory access/);
  assert.deepEqual([...new Uint8Array(ex.mem.buffer).subarray(PAGE - 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  ex.st(PAGE - 8);
  assert.deepEqual([...new Uint8Array(ex.mem.buffer).subarray(PAGE - 8)], new Array(8).fill(255));
});

Deno.test("a host's RangeError worded as the DataView's passes through compiled code untouched", () => {
  let message = "";
  try {
    new DataView(new ArrayBuffer(0)).getInt8(0);
  } catch (e) {
    message = (e as Error).message;
  }
  const thrown = new RangeError(message);
  const bytes = wat(`(module (import "env" "f" (func $f)) (memory 1)
    (func (export "run") (param i32) (drop (i32.load (local.get 0))) (call $f)))`);
  const ex = new W.Instance(new W.Module(bytes), {
    env: {
      f: () => {
        throw thrown;
      },
    },
  }, { tierUp: 0 })
    .exports as unknown as Exports;
  assert.throws(() => ex.run(0), (e) => e === thrown);
});
