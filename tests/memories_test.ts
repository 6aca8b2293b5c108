/**
 * Wasm 3.0's multiple memories, memory64 and table64 on both tiers (the interpreter, `jit: false`, and
 * the JS tier, `tierUp: 0`), compared with Deno's built-in engine running the same bytes: every access
 * on memories other than a 32-bit memory 0 (src/interp/ops/ops_memory_wide.ts, bridged by the JS tier),
 * 64-bit addresses at the edges (2^32, 2^53, 2^64 - 1: they trap, never wrap), i64 sizes, and the JS
 * API's `address: "i64"` descriptors and BigInt sizes.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

type Api = typeof WebAssembly;
const TIERS: [string, object][] = [["interpreter", { jit: false }], ["JS tier", { tierUp: 0 }]];

/** Each call's result, or the class of what it threw: what both engines must agree on. */
function outcomes(api: Api, bytes: Uint8Array, calls: [string, ...unknown[]][], options = {}): unknown[] {
  const module = new api.Module(bytes as BufferSource);
  const exports =
    new (api.Instance as unknown as new (m: unknown, i: object, o: object) => WebAssembly.Instance)(
      module,
      {},
      options,
    ).exports as Record<string, (...args: unknown[]) => unknown>;
  return calls.map(([name, ...args]) => {
    try {
      return exports[name](...args);
    } catch (e) {
      return (e as Error).constructor.name; // the messages differ between the engines; the class may not
    }
  });
}

function sameAsV8(bytes: Uint8Array, calls: [string, ...unknown[]][]): void {
  const expected = outcomes(WebAssembly, bytes, calls);
  for (const [tier, options] of TIERS) {
    const got = outcomes(Ours as unknown as Api, bytes, calls, options);
    calls.forEach((call, i) =>
      assert.deepEqual(got[i], expected[i], `${tier}: ${JSON.stringify(call, big)}`)
    );
  }
}

const big = (_: string, v: unknown) => typeof v === "bigint" ? `${v}n` : v;

Deno.test("two memories: loads, stores, size, grow, fill, copy and init address the memory they name", () => {
  const bytes = wat(`(module
    (memory $a 1 2) (memory $b 2 3)
    (data (memory $b) (i32.const 70000) "\\01\\02\\03\\04")
    (data $p "wxyz")
    (func (export "store_b") (param i32 i64) (i64.store $b (local.get 0) (local.get 1)))
    (func (export "load_a") (param i32) (result i64) (i64.load $a (local.get 0)))
    (func (export "load_b") (param i32) (result i64) (i64.load $b offset=3 (local.get 0)))
    (func (export "load8_b") (param i32) (result i32) (i32.load8_s $b (local.get 0)))
    (func (export "f64_b") (param i32 f64) (result f64)
      (f64.store $b (local.get 0) (local.get 1)) (f64.load $b (local.get 0)))
    (func (export "sizes") (result i32) (i32.add (i32.mul (memory.size $a) (i32.const 10)) (memory.size $b)))
    (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
    (func (export "fill_b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy_ba") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
    (func (export "init_b") (param i32 i32 i32) (memory.init $b $p (local.get 0) (local.get 1) (local.get 2))))`);
  sameAsV8(bytes, [
    ["load_b", 69997],
    ["load8_b", 70001],
    ["store_b", 8, 0x1122334455667788n],
    ["load_a", 8],
    ["load_b", 5],
    ["store_b", 131065, 1n], // 3 bytes past the end of $b
    ["store_b", 131064, -1n],
    ["load_b", 131061],
    ["f64_b", 100, -0.5],
    ["sizes"],
    ["grow_b", 1],
    ["grow_b", 1], // above $b's maximum
    ["sizes"],
    ["fill_b", 0, 0x5a, 16],
    ["load_b", 0],
    ["fill_b", 196600, 1, 100], // out of bounds
    ["copy_ba", 16, 70000, 4],
    ["load_a", 13],
    ["copy_ba", 65535, 0, 2], // past $a's end
    ["init_b", 40, 1, 3],
    ["load_b", 37],
    ["init_b", 40, 2, 3], // past the segment's end
  ]);
});

Deno.test("memory64: i64 addresses at 2^32, 2^53 and 2^64 - 1 trap, offsets add without wrapping", () => {
  const bytes = wat(`(module
    (memory i64 1 3)
    (data (i64.const 65530) "\\aa\\bb\\cc\\dd\\ee\\ff")
    (func (export "load") (param i64) (result i32) (i32.load8_u (local.get 0)))
    (func (export "load32") (param i64) (result i32) (i32.load offset=4294967295 (local.get 0)))
    (func (export "load_huge") (param i64) (result i32) (i32.load offset=18446744073709551615 (local.get 0)))
    (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
    (func (export "load64") (param i64) (result i64) (i64.load (local.get 0)))
    (func (export "size") (result i64) (memory.size))
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
    (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2))))`);
  sameAsV8(bytes, [
    ["load", 65530n],
    ["load", 65535n],
    ["load", 65536n],
    ["load", 1n << 32n],
    ["load", (1n << 32n) + 5n],
    ["load", 1n << 53n],
    ["load", (1n << 53n) + 1n],
    ["load", -1n],
    ["load32", 0n],
    ["load32", -4294967295n],
    ["load_huge", 0n],
    ["load_huge", 1n],
    ["store", 65528n, -2n],
    ["load64", 65528n],
    ["store", 65529n, 0n],
    ["size"],
    ["grow", 2n],
    ["grow", 1n],
    ["grow", 1n << 32n],
    ["grow", -1n],
    ["size"],
    ["load", 196607n],
    ["fill", 100n, 7, 10n],
    ["load", 109n],
    ["fill", 196600n, 7, 1n << 40n],
    ["copy", 0n, 100n, 10n],
    ["load", 9n],
    ["copy", 0n, 196600n, 100n],
  ]);
});

Deno.test("table64: i64 indices and sizes, call_indirect beyond 2^32 is an undefined element", () => {
  const bytes = wat(`(module
    (type $r (func (result i32)))
    (table $t i64 4 10 funcref)
    (table $u 2 funcref)
    (func $seven (result i32) (i32.const 7))
    (func $nine (result i32) (i32.const 9))
    (elem (table $t) (i64.const 1) func $seven $nine)
    (elem $e func $nine $seven)
    (func (export "call") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0)))
    (func (export "size") (result i64) (table.size $t))
    (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
    (func (export "set") (param i64) (table.set $t (local.get 0) (ref.func $nine)))
    (func (export "fill") (param i64 i64) (table.fill $t (local.get 0) (ref.func $seven) (local.get 1)))
    (func (export "copy_tu") (param i64 i32 i32) (table.copy $t $u (local.get 0) (local.get 1) (local.get 2)))
    (func (export "init") (param i64 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2))))`);
  sameAsV8(bytes, [
    ["call", 1n],
    ["call", 2n],
    ["call", 0n],
    ["call", 4n],
    ["call", (1n << 32n) + 1n],
    ["call", -1n],
    ["size"],
    ["grow", 2n],
    ["grow", 5n],
    ["grow", 1n << 33n],
    ["size"],
    ["is_null", 5n],
    ["is_null", 6n],
    ["set", 5n],
    ["call", 5n],
    ["set", 1n << 32n],
    ["fill", 3n, 3n],
    ["call", 4n],
    ["fill", 5n, 2n],
    ["init", 0n, 0, 2],
    ["call", 0n],
    ["init", 5n, 1, 2],
    ["copy_tu", 0n, 0, 2],
    ["call", 0n],
  ]);
});

Deno.test("the JS API's 64-bit memories and tables: BigInt sizes, and imports must match the address type", () => {
  for (const api of [Ours as unknown as Api, WebAssembly]) {
    const desc = { initial: 1n, maximum: 3n, address: "i64" } as unknown as WebAssembly.MemoryDescriptor;
    const memory = new api.Memory(desc);
    assert.equal(memory.buffer.byteLength, 65536);
    assert.equal(memory.grow(1n as unknown as number), 1n);
    assert.throws(() => memory.grow(1), TypeError); // a number where a BigInt is due
    assert.throws(() => new api.Memory({ initial: 1, address: "i64" } as never), TypeError);
    assert.throws(() => new api.Memory({ initial: 1, address: "i65" } as never), TypeError);
    const table = new api.Table({ element: "anyfunc", initial: 2n, address: "i64" } as never);
    assert.equal(table.length, 2n);
    assert.equal(table.grow(1n as unknown as number), 2n);
    assert.equal(table.get(2n as unknown as number), null);
    assert.throws(() => table.get(0), TypeError);

    const imports64 = wat(`(module (import "m" "mem" (memory i64 1)) (import "m" "tab" (table i64 1 funcref))
      (func (export "size") (result i64) (memory.size)))`);
    const m = new api.Module(imports64);
    const linked = new api.Instance(m, { m: { mem: memory, tab: table } });
    assert.equal((linked.exports.size as () => bigint)(), 2n);
    const plainMemory = new api.Memory({ initial: 1 });
    assert.throws(() => new api.Instance(m, { m: { mem: plainMemory, tab: table } }), api.LinkError);
    const plainTable = new api.Table({ element: "anyfunc", initial: 1 });
    assert.throws(() => new api.Instance(m, { m: { mem: memory, tab: plainTable } }), api.LinkError);

    const exported = wat(`(module (memory (export "mem") i64 1 2) (table (export "tab") i64 1 funcref))`);
    const e = new api.Instance(new api.Module(exported)).exports;
    assert.equal((e.mem as WebAssembly.Memory).grow(1n as unknown as number), 1n);
    assert.equal((e.tab as WebAssembly.Table).length, 1n);
  }
});
