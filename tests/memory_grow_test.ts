/**
 * Memory growth without copying: memories live in a built-in `WebAssembly.Memory` used as a byte
 * store (grown in place by V8), or, without a built-in WebAssembly (`--jitless`), in a resizable
 * ArrayBuffer with a geometric reservation. Checked on both tiers and through the JS API: contents
 * survive every growth, the old `Memory.buffer` is detached, limits still bind.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import type { EngineOptions } from "../mod.ts";
import { MemoryInst } from "../src/runtime/objects.ts";
import { wat } from "./wat.ts";

type Fn = (...args: unknown[]) => number;
const TIERS: [string, EngineOptions][] = [["JS tier", { tierUp: 0 }], ["interpreter", { jit: false }]];
const PAGE = 65536;

const GROWER = `(module
  (memory (export "mem") 1 65536)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "growAndPoke") (param i32) (result i32) (local i32)
    ;; grows by one page, writes the page number at its start and end, reads both back
    (local.set 1 (memory.grow (i32.const 1)))
    (i32.store (i32.mul (local.get 1) (i32.const 65536)) (local.get 0))
    (i32.store (i32.sub (i32.mul (i32.add (local.get 1) (i32.const 1)) (i32.const 65536)) (i32.const 4))
      (local.get 0))
    (i32.add (i32.load (i32.mul (local.get 1) (i32.const 65536)))
      (i32.load (i32.sub (i32.mul (i32.add (local.get 1) (i32.const 1)) (i32.const 65536)) (i32.const 4))))))`;

for (const [tier, options] of TIERS) {
  Deno.test({
    name: `1,023 one-page grows keep every byte, detach each old buffer (${tier})`,
    fn() {
      const e = new Ours.Instance(new Ours.Module(wat(GROWER)), {}, options).exports as Record<string, Fn>;
      const mem = e.mem as unknown as WebAssembly.Memory;
      e.poke(0, 0x12345678);
      for (let i = 1; i <= 1023; i++) {
        const old = mem.buffer;
        assert.equal(e.growAndPoke(i), 2 * i);
        assert.equal(old.byteLength, 0, `old buffer detached after grow ${i}`);
        assert.equal(mem.buffer.byteLength, (i + 1) * PAGE);
      }
      assert.equal(e.size(), 1024);
      assert.equal(e.peek(0), 0x12345678);
      const view = new DataView(mem.buffer);
      for (let i = 1; i <= 1023; i++) {
        assert.equal(e.peek(i * PAGE), i);
        assert.equal(view.getInt32(i * PAGE, true), i);
        assert.equal(view.getInt32((i + 1) * PAGE - 4, true), i);
      }
      // writes through the JS API's buffer are seen by wasm and the other way round
      view.setInt32(1000 * PAGE + 8, -7, true);
      assert.equal(e.peek(1000 * PAGE + 8), -7);
      assert.throws(() => e.peek(1024 * PAGE), Ours.RuntimeError);
    },
  });

  Deno.test({
    name: `a large growth, above 2 GiB, copies nothing and keeps the contents (${tier})`,
    fn() {
      const e = new Ours.Instance(new Ours.Module(wat(GROWER)), {}, options).exports as Record<string, Fn>;
      e.poke(65532, 99);
      assert.equal(e.grow(40_000), 1);
      assert.equal(e.peek(65532), 99);
      const high = 40_000 * PAGE + 12; // above 2^31
      e.poke(high, 0x7eadbeef);
      assert.equal(e.peek(high), 0x7eadbeef);
      assert.equal(
        new DataView((e.mem as unknown as WebAssembly.Memory).buffer).getInt32(high, true),
        0x7eadbeef,
      );
      assert.equal(e.grow(30_000), -1, "past 65536 pages");
      assert.equal(e.size(), 40_001);
    },
  });

  Deno.test({
    name: `maxMemoryPages still caps growth, and a failed grow changes nothing (${tier})`,
    fn() {
      const e = new Ours.Instance(new Ours.Module(wat(GROWER)), {}, { ...options, maxMemoryPages: 10 })
        .exports as Record<string, Fn>;
      const mem = e.mem as unknown as WebAssembly.Memory;
      e.poke(100, 5);
      assert.equal(e.grow(9), 1);
      const buffer = mem.buffer;
      assert.equal(e.grow(1), -1);
      assert.equal(mem.buffer, buffer, "a failed grow keeps the buffer");
      assert.equal(buffer.byteLength, 10 * PAGE);
      assert.equal(e.peek(100), 5);
      assert.throws(() => mem.grow(1), RangeError);
    },
  });

  Deno.test({
    name: `an imported memory grown by JS and by another instance is seen by compiled code (${tier})`,
    fn() {
      const bytes = wat(`(module (import "m" "mem" (memory 1))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
        (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1))))`);
      const mem = new Ours.Memory({ initial: 1, maximum: 100 });
      const a = new Ours.Instance(new Ours.Module(bytes), { m: { mem } }, options).exports as Record<
        string,
        Fn
      >;
      const b = new Ours.Instance(new Ours.Module(bytes), { m: { mem } }, { jit: options.jit === false })
        .exports as Record<string, Fn>;
      a.poke(4, 11);
      assert.equal(mem.grow(2), 1);
      a.poke(2 * PAGE + 4, 22);
      assert.equal(b.peek(2 * PAGE + 4), 22);
      assert.equal(b.grow(3), 3);
      b.poke(5 * PAGE, 33);
      assert.equal(a.peek(5 * PAGE), 33);
      assert.equal(a.peek(4), 11);
      assert.equal(new Int32Array(mem.buffer)[5 * PAGE / 4], 33);
    },
  });
}

Deno.test("the JS API: grow keeps contents, detaches the old buffer, grow(0) gives a new one", () => {
  for (const W of [Ours, WebAssembly] as unknown as (typeof WebAssembly)[]) {
    const mem = new W.Memory({ initial: 1, maximum: 1100 });
    new Uint8Array(mem.buffer).set([1, 2, 3], 65533);
    for (let i = 1; i <= 1023; i++) {
      const old = mem.buffer;
      assert.equal(mem.grow(1), i);
      assert.equal(old.byteLength, 0);
      new Uint8Array(mem.buffer)[i * PAGE] = i & 0xff;
    }
    const bytes = new Uint8Array(mem.buffer);
    assert.deepEqual([...bytes.subarray(65533, 65536)], [1, 2, 3]);
    for (let i = 1; i <= 1023; i++) assert.equal(bytes[i * PAGE], i & 0xff);
    const before = mem.buffer;
    assert.equal(mem.grow(0), 1024);
    assert.notEqual(mem.buffer, before);
    assert.equal(before.byteLength, 0);
    assert.equal(mem.buffer.byteLength, 1024 * PAGE);
    assert.equal(new Uint8Array(mem.buffer)[1023 * PAGE], 1023 & 0xff);
    assert.equal((mem.buffer as ArrayBuffer).resizable, false);
    assert.throws(() => mem.grow(100), RangeError);
    assert.equal(mem.buffer.byteLength, 1024 * PAGE);
  }
});

Deno.test("memory.grow(0) inside wasm keeps the buffer; growth of the byte store is in place", () => {
  const mem = new MemoryInst(1, undefined);
  const storeOf = () => (mem as unknown as { store: unknown }).store;
  // A memory that never grows is a plain buffer: no address space is reserved for it.
  assert.equal(storeOf(), null);
  const buffer = mem.buffer as ArrayBuffer;
  assert.equal(buffer.resizable, false);
  assert.equal(mem.grow(0), 1);
  assert.equal(mem.buffer, buffer);
  // The first growth moves the bytes once into V8's own WebAssembly.Memory, the same object
  // through every later growth: nothing more is reallocated (V8 reserves the address space up
  // front and commits pages as they are used). JS has not seen `buffer`: the store is a shared
  // memory, and the plain buffer is left as it was (detaching it would cost Maglev its inline
  // DataView accesses, see MemoryInst).
  mem.u8[7] = 42;
  assert.equal(mem.grow(1), 1);
  const store = storeOf();
  assert.ok(store instanceof WebAssembly.Memory);
  assert.ok(store.buffer instanceof SharedArrayBuffer);
  for (let i = 1; i < 1023; i++) assert.equal(mem.grow(1), i + 1);
  assert.equal(storeOf(), store);
  assert.equal(mem.buffer, (store as WebAssembly.Memory).buffer);
  assert.equal(mem.size, 1024 * PAGE);
  assert.equal(mem.u8.length, 1024 * PAGE);
  assert.equal(mem.f64.length, 1024 * PAGE / 8);
  assert.equal(mem.u8[7], 42);
  assert.equal(buffer.byteLength, PAGE);
});

Deno.test("once JS has seen Memory.buffer, it is an ArrayBuffer with the bytes, detached by the next growth", () => {
  for (const [tier, options] of TIERS) {
    const e = new Ours.Instance(new Ours.Module(wat(GROWER)), {}, options).exports as Record<string, Fn> & {
      mem: WebAssembly.Memory;
    };
    e.poke(8, 0x01020304);
    for (let i = 1; i <= 3; i++) assert.equal(e.growAndPoke(i), 2 * i, tier);
    // Grown inside wasm before JS asked: the engine kept the bytes in a shared store until now.
    const seen = e.mem.buffer;
    assert.ok(seen instanceof ArrayBuffer && !(seen instanceof SharedArrayBuffer), tier);
    assert.equal(seen.byteLength, 4 * PAGE, tier);
    const view = new DataView(seen);
    assert.equal(view.getInt32(8, true), 0x01020304, tier);
    assert.equal(view.getInt32(3 * PAGE, true), 3, tier);
    // Writes through it and through wasm meet in the same bytes from now on.
    view.setInt32(16, 77, true);
    assert.equal(e.peek(16), 77, tier);
    e.poke(20, 88);
    assert.equal(view.getInt32(20, true), 88, tier);
    assert.equal(e.mem.buffer, seen, tier);
    assert.equal(e.growAndPoke(4), 8, tier);
    assert.equal(seen.byteLength, 0, `${tier}: the buffer JS had is detached`);
    assert.equal(new DataView(e.mem.buffer).getInt32(20, true), 88, tier);
  }
});

Deno.test("an import that first reads Memory.buffer in the middle of a call: wasm sees what it wrote, and JS what wasm wrote", () => {
  const bytes = wat(`(module
    (import "env" "touch" (func $touch))
    (memory (export "mem") 1)
    (func (export "run") (result i32)
      (drop (memory.grow (i32.const 2)))
      (i32.store (i32.const 70000) (i32.const 5))
      (call $touch)
      (i32.add (i32.load (i32.const 70000)) (i32.load (i32.const 70004)))))`);
  for (const [tier, options] of TIERS) {
    const exported: { mem?: WebAssembly.Memory } = {};
    const touch = () => {
      const view = new DataView(exported.mem!.buffer); // the bytes move out of the shared store here
      view.setInt32(70004, 100 + view.getInt32(70000, true), true);
    };
    const e = new Ours.Instance(new Ours.Module(bytes), { env: { touch } }, options).exports;
    exported.mem = e.mem as WebAssembly.Memory;
    assert.equal((e.run as () => number)(), 110, tier);
  }
});

/**
 * Run with V8's --trace-protector-invalidation: a WASI program that grows its memory a page at a
 * time, as malloc does, must leave V8's "no ArrayBuffer with a DataView was ever detached" protector intact.
 */
Deno.test({
  name:
    "a WASI program growing its memory through the CLI detaches no buffer with a DataView (Maglev keeps inline access)",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "wasmrun-protector-" });
    try {
      // 40 pages grown one at a time by memory.grow, each page written by the guest.
      const grower = `(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start") (local i32)
          (loop $l
            (local.set 0 (memory.grow (i32.const 1)))
            (i32.store (i32.mul (local.get 0) (i32.const 65536)) (local.get 0))
            (br_if $l (i32.lt_u (local.get 0) (i32.const 40))))
          (call $exit (i32.sub (i32.load (i32.const 2621440)) (i32.const 40)))))`;
      await Deno.writeFile(`${dir}/grow.wasm`, wat(grower));
      const cli = new URL("../cli.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--v8-flags=--trace-protector-invalidation",
          cli,
          "exec",
          "--no-cache",
          `${dir}/grow.wasm`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.doesNotMatch(text, /ArrayBufferDetaching/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Run under `--v8-flags=--jitless`, where there is no built-in WebAssembly (the resizable fallback). */
const JITLESS_SCRIPT = `
import assert from "node:assert/strict";
import { WebAssembly as W } from "MOD";
assert.equal(typeof globalThis.WebAssembly, "undefined");
const bytes = Deno.readFileSync(Deno.args[0]);
const PAGE = 65536;
for (const options of [{}, { jit: false }]) {
  const e = new W.Instance(new W.Module(bytes), {}, options).exports;
  const mem = e.mem;
  e.poke(0, 0x12345678);
  let buffer = mem.buffer, moves = 0;
  assert.equal(buffer.resizable, false); // until it grows, a memory is a plain buffer
  for (let i = 1; i <= 4095; i++) {
    assert.equal(e.growAndPoke(i), 2 * i);
    if (mem.buffer !== buffer) {
      moves++;
      assert.equal(buffer.byteLength, 0, "the old buffer is emptied when the bytes move");
      buffer = mem.buffer;
    }
    assert.equal(buffer.byteLength, (i + 1) * PAGE);
  }
  assert.equal(mem.buffer.resizable, true);
  // The first growth moves the bytes to a buffer reserving 16 MiB, then each move reserves twice
  // the size needed: 1 + 4 moves up to 256 MiB.
  assert.equal(moves, 5);
  assert.equal(e.peek(0), 0x12345678);
  for (let i = 1; i <= 4095; i++) assert.equal(e.peek(i * PAGE), i);
  assert.equal(new DataView(mem.buffer).getInt32(4095 * PAGE, true), 4095);
  assert.equal(e.grow(65536), -1);
  assert.equal(e.grow(0), 4096);
  const api = new W.Memory({ initial: 1, maximum: 3 });
  new Uint8Array(api.buffer)[5] = 9;
  assert.equal(api.grow(2), 1);
  assert.equal(new Uint8Array(api.buffer)[5], 9);
  assert.equal(api.buffer.byteLength, 3 * PAGE);
  assert.throws(() => api.grow(1), RangeError);
}
console.log("ok");
`;

Deno.test({
  name: "without a built-in WebAssembly (--jitless): a resizable buffer, moved only past its reservation",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "wasmrun-jitless-" });
    try {
      const mod = new URL("../mod.ts", import.meta.url).href;
      await Deno.writeTextFile(`${dir}/run.ts`, JITLESS_SCRIPT.replace("MOD", mod));
      await Deno.writeFile(`${dir}/grower.wasm`, wat(GROWER));
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--v8-flags=--jitless", `${dir}/run.ts`, `${dir}/grower.wasm`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.ok(out.success, text);
      assert.match(text, /^ok$/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
