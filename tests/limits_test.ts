/**
 * Depth limits: wasm recursion is bounded by our own call-depth limit (never by the JS stack),
 * deeply nested blocks lower without recursion, and nothing but RuntimeError escapes.
 */
import assert from "node:assert/strict";
import { fuelConsumed, profileOf, WebAssembly as W } from "../mod.ts";
import { wat } from "./wat.ts";

const RECURSE = `(module
  (func $down (export "down") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0 else local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add end)
  (func $forever (export "forever") call $forever))`;

Deno.test({
  name: "recursion runs 10,000 frames deep by default",
  fn() {
    const inst = new W.Instance(new W.Module(wat(RECURSE)));
    const down = inst.exports.down as (n: number) => number;
    assert.equal(down(10_000), 10_000);
    assert.equal(down(25_000), 25_000);
  },
});

Deno.test({
  name: "unbounded recursion traps with 'call stack exhausted', then the engine still works",
  fn() {
    const inst = new W.Instance(new W.Module(wat(RECURSE)));
    assert.throws(() => (inst.exports.forever as () => void)(), (e: unknown) => {
      assert.ok(e instanceof W.RuntimeError);
      assert.equal((e as Error).message, "call stack exhausted");
      return true;
    });
    assert.equal((inst.exports.down as (n: number) => number)(100), 100);
  },
});

Deno.test({
  name: "maxCallDepth option sets the limit",
  fn() {
    const inst = new W.Instance(new W.Module(wat(RECURSE)), {}, { maxCallDepth: 50 });
    const down = inst.exports.down as (n: number) => number;
    assert.equal(down(40), 40);
    assert.throws(() => down(60), W.RuntimeError);
  },
});

Deno.test({
  name: "options given to the Module apply to its instances; the Instance's own options win",
  fn() {
    const module = new W.Module(wat(RECURSE), { maxCallDepth: 50 });
    const down = new W.Instance(module, {}).exports.down as (n: number) => number;
    assert.equal(down(40), 40);
    assert.throws(() => down(60), /call stack exhausted/);
    const deeper = new W.Instance(module, {}, { maxCallDepth: 500 }).exports.down as (n: number) => number;
    assert.equal(deeper(400), 400);
  },
});

Deno.test({
  name: "recursion through a JS import never leaks a RangeError",
  fn() {
    const late: { viaJs?: (n: number) => number } = {};
    const bounce = (n: number): number => late.viaJs!(n);
    const inst = new W.Instance(
      new W.Module(wat(`(module (import "js" "bounce" (func $b (param i32) (result i32)))
      (func (export "viaJs") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $b))`)),
      { js: { bounce } },
    );
    late.viaJs = inst.exports.viaJs as (n: number) => number;
    assert.throws(() => late.viaJs!(0), W.RuntimeError);
  },
});

/** A module whose one function nests `depth` blocks and returns 42 from the innermost one. */
function nestedBlocks(depth: number): Uint8Array<ArrayBuffer> {
  const body = [0x00]; // no locals
  for (let i = 0; i < depth; i++) body.push(0x02, 0x40);
  body.push(0x41, 42, 0x0f); // i32.const 42; return
  for (let i = 0; i < depth; i++) body.push(0x0b);
  body.push(0x41, 0, 0x0b); // i32.const 0; end
  const leb = (n: number) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload];
  const code = [1, ...leb(body.length), ...body];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [1, 0x60, 0, 1, 0x7f]),
    ...section(3, [1, 0]),
    ...section(7, [1, 1, 0x66, 0, 0]),
    ...section(10, code),
  ]);
}

Deno.test("10,000 nested blocks validate, lower and run", () => {
  const inst = new W.Instance(new W.Module(nestedBlocks(10_000)));
  assert.equal((inst.exports.f as () => number)(), 42);
});

const SPIN = `(module
  (memory (export "mem") 1 100)
  (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`;

Deno.test({
  name: "fuel: a loop forever traps with 'fuel exhausted', and the use is reported",
  fn() {
    const inst = new W.Instance(new W.Module(wat(SPIN)), {}, { fuel: 10_000 });
    assert.throws(() => (inst.exports.spin as () => void)(), /fuel exhausted/);
    assert.ok(fuelConsumed(inst) > 10_000);
  },
});

Deno.test({
  name: "fuel is deterministic and proportional to the work done",
  fn() {
    const used = (n: number) => {
      const inst = new W.Instance(new W.Module(wat(SPIN)), {}, { fuel: 1e12 });
      assert.equal((inst.exports.count as (n: number) => number)(n), n);
      return fuelConsumed(inst);
    };
    assert.equal(used(1000), used(1000));
    const [small, big] = [used(1000), used(100_000)];
    assert.ok(big > 90 * small && big < 110 * small, `fuel ${small} vs ${big}`);
  },
});

Deno.test({
  name: "timeout stops `loop br 0` without a worker",
  fn() {
    const inst = new W.Instance(new W.Module(wat(SPIN)), {}, { timeoutMs: 50 });
    const t = performance.now();
    assert.throws(() => (inst.exports.spin as () => void)(), (e: unknown) => {
      assert.ok(e instanceof W.RuntimeError);
      assert.match((e as Error).message, /^timeout/);
      return true;
    });
    assert.ok(performance.now() - t < 5000);
  },
});

Deno.test({
  name: "maxMemoryPages caps memory.grow and refuses a larger minimum",
  fn() {
    const inst = new W.Instance(new W.Module(wat(SPIN)), {}, { maxMemoryPages: 4 });
    const grow = inst.exports.grow as (n: number) => number;
    assert.equal(grow(3), 1);
    assert.equal(grow(1), -1);
    const big = wat(`(module (memory 10))`);
    assert.throws(() => new W.Instance(new W.Module(big), {}, { maxMemoryPages: 4 }), /memory limit/);
  },
});

Deno.test({
  name: "profile counts instructions per function",
  fn() {
    const inst = new W.Instance(new W.Module(wat(RECURSE)), {}, { profile: true });
    (inst.exports.down as (n: number) => number)(100);
    const profile = profileOf(inst)!;
    assert.equal(profile[0].name, "down");
    assert.ok(profile[0].ops > 100);
    assert.equal(profileOf(new W.Instance(new W.Module(wat(RECURSE)))), undefined);
  },
});

Deno.test({
  name: "a table larger than the host limit fails instantiation quickly",
  fn() {
    const t = performance.now();
    assert.throws(
      () => new W.Instance(new W.Module(wat(`(module (table 20000000 funcref))`))),
      /table limit/,
    );
    assert.ok(performance.now() - t < 2000);
  },
});
