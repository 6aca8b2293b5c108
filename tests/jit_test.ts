/**
 * The JS tier (src/jit/): the parts where it does its own work rather than reusing the interpreter's
 * closures — i64 arithmetic on 32-bit halves, traps and their backtraces, the JS-stack budget, host
 * re-entrancy and memory growth seen across calls — checked against V8 and against the interpreter.
 */
import assert from "node:assert/strict";
import { fuelConsumed, profileOf, WebAssembly as Ours } from "../mod.ts";
import { PROGRAMS } from "../bench/programs.ts";
import { jitCounts, jitFailures } from "../src/engine/tiering.ts";
import { wat } from "./wat.ts";

type Fn = (...args: unknown[]) => unknown;

/** The JS tier on its own: every function compiled at its first call. */
const JS = { tierUp: 0 };
type Exports = Record<string, Fn>;

/** The result, or the trap's message, so that both are compared. */
function outcome(f: Fn, args: unknown[]): unknown {
  try {
    return f(...args);
  } catch (e) {
    return `trap: ${(e as Error).message}`;
  }
}

/** Our trap messages follow the spec's wording; V8's differ, so only "it trapped" is compared. */
function sameOutcome(ours: unknown, v8: unknown): boolean {
  if (typeof ours === "string" && typeof v8 === "string") return true;
  return ours === v8;
}

function instances(text: string): { js: Exports; interp: Exports; v8: Exports } {
  const bytes = wat(text);
  return {
    js: new Ours.Instance(new Ours.Module(bytes), {}, JS).exports as Exports,
    interp: new Ours.Instance(new Ours.Module(bytes), {}, { jit: false }).exports as Exports,
    v8: new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Exports,
  };
}

const AMOUNTS = [0, 1, 7, 31, 32, 33, 40, 63, 64, 65, 127];
const SHIFTS = ["shl", "shr_s", "shr_u", "rotl", "rotr"];

Deno.test({
  name: "i64 shifts and rotations by constants agree with V8",
  fn() {
    const funcs = SHIFTS.flatMap((op) =>
      AMOUNTS.map((c) =>
        `(func (export "${op}_${c}") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const ${c})))`
      )
    );
    const vars = SHIFTS.map((op) =>
      `(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0) (local.get 1)))`
    );
    const { js, v8 } = instances(`(module ${funcs.join(" ")} ${vars.join(" ")})`);
    const values = [0n, 1n, -1n, 0x123456789abcdefn, -(2n ** 63n), 2n ** 63n - 1n, 0xdeadbeefn, 0x80000000n];
    for (const x of values) {
      for (const op of SHIFTS) {
        for (const c of AMOUNTS) {
          assert.equal(js[`${op}_${c}`](x), v8[`${op}_${c}`](x), `${op} ${x} by constant ${c}`);
          assert.equal(js[op](x, BigInt(c)), v8[op](x, BigInt(c)), `${op} ${x} by ${c}`);
        }
      }
    }
  },
});

/** Random i64 operands in the size classes the division fast paths distinguish. */
function operands(count: number): bigint[] {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const word = () => BigInt(next());
  const out = [0n, 1n, -1n, 2n, -2n, 7n, 1000003n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n, 2n ** 32n];
  for (let i = 0; i < count; i++) {
    const full = BigInt.asIntN(64, (word() << 32n) | word());
    const bits = [8, 21, 22, 32, 33, 52, 53, 54, 64][i % 9];
    const v = BigInt.asIntN(64, full & ((1n << BigInt(bits)) - 1n));
    out.push(i % 3 === 0 ? -v : v);
  }
  return out;
}

Deno.test({
  name: "i64 division, remainder and multiplication agree with V8 on operands of every size",
  fn() {
    const ops = ["div_s", "div_u", "rem_s", "rem_u", "mul"];
    const { js, v8 } = instances(
      `(module ${
        ops.map((op) =>
          `(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0) (local.get 1)))`
        ).join(" ")
      } (func (export "mul_const") (param i64) (result i64) (i64.mul (local.get 0) (i64.const 0x9E3779B97F4A7C15))))`,
    );
    const xs = operands(120);
    for (const a of xs) {
      assert.equal(js.mul_const(a), v8.mul_const(a), `mul_const ${a}`);
      for (const b of xs) {
        for (const op of ops) {
          const ours = outcome(js[op], [a, b]), theirs = outcome(v8[op], [a, b]);
          assert.ok(sameOutcome(ours, theirs), `${op}(${a}, ${b}): ours ${ours}, V8 ${theirs}`);
        }
      }
    }
    assert.equal(outcome(js.div_s, [-(2n ** 63n), -1n]), "trap: integer overflow");
    assert.equal(outcome(js.rem_s, [-(2n ** 63n), -1n]), 0n);
    assert.equal(outcome(js.div_u, [5n, 0n]), "trap: integer divide by zero");
  },
});

Deno.test({
  name:
    "unsigned i64 division and remainder by a constant (inline up to 32 bits, a helper above) agree with V8",
  fn() {
    const divisors = [
      1n,
      2n,
      3n,
      7n,
      1000003n,
      0x200001n,
      0x7fffffffn,
      0x80000000n,
      0xffffffffn,
      1n << 32n,
      -1n,
    ];
    const { js, v8 } = instances(
      `(module ${
        divisors.flatMap((d, i) =>
          ["div_u", "rem_u"].map((op) =>
            `(func (export "${op}${i}") (param i64) (result i64) (i64.${op} (local.get 0) (i64.const ${d})))`
          )
        ).join(" ")
      })`,
    );
    const xs = [...operands(200), 0n, 1n, -1n, -(2n ** 63n), 2n ** 63n - 1n, (1n << 53n) + 1n];
    for (const a of xs) {
      for (const [i, d] of divisors.entries()) {
        for (const op of ["div_u", "rem_u"]) {
          assert.equal(js[op + i](a), v8[op + i](a), `${op}(${a}, ${d})`);
        }
      }
    }
  },
});

const TRAPS = `(module
  (type $v (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $leaf_div)
  (func $leaf_div (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $leaf_load (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func $middle (param i32 i32) (result i32)
    (block (br_if 0 (i32.eqz (local.get 1))) (return (call $leaf_load (local.get 0))))
    (call $leaf_div (local.get 0)))
  (func (export "div") (param i32) (result i32) (call $middle (local.get 0) (i32.const 0)))
  (func (export "load") (param i32) (result i32) (call $middle (local.get 0) (i32.const 1)))
  (func (export "indirect") (param i32) (call_indirect (type $v) (local.get 0)))
  (func (export "unreachable") (call $middle (i32.const 0) (i32.const 0)) drop unreachable))`;

Deno.test({
  name: "traps in compiled code have the interpreter's message and backtrace",
  fn() {
    const { js, interp } = instances(TRAPS);
    const report = (f: Fn, args: unknown[]) => {
      try {
        f(...args);
      } catch (e) {
        return { message: (e as Error).message, frames: (e as { wasmFrames?: unknown }).wasmFrames };
      }
      return "no trap";
    };
    for (
      const [name, args] of [["div", [0]], ["load", [65530]], ["indirect", [0]], ["indirect", [1]], [
        "indirect",
        [5],
      ]] as const
    ) {
      const ours = report(js[name], [...args]);
      assert.notEqual(ours, "no trap", `${name}(${args}) did not trap`);
      assert.deepEqual(ours, report(interp[name], [...args]), `${name}(${args})`);
    }
    // The first frame names the trapping function (from the name section).
    const div = report(js.div, [0]) as { frames: { name?: string }[] };
    assert.deepEqual(div.frames.map((f) => f.name), ["leaf_div", "middle", undefined]);
  },
});

Deno.test({
  name: "a host function catches a trap from a nested call and goes on; so does deep recursion after it",
  fn() {
    const bytes = wat(`(module
      (import "host" "call" (func $host (param i32) (result i32)))
      (func (export "trap") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
      (func (export "outer") (param i32) (result i32)
        (i32.add (call $host (local.get 0)) (call $down (i32.const 100)))))`);
    let exports: Exports = {};
    const host = (x: number) => {
      try {
        return exports.trap(x) as number;
      } catch {
        return -1;
      }
    };
    exports = new Ours.Instance(new Ours.Module(bytes), { host: { call: host } }, JS).exports as Exports;
    assert.equal(exports.outer(0), 99);
    assert.equal(exports.outer(7), 101);
    // Deeper than the JS tier's stack budget: the rest of the recursion runs on the interpreter.
    assert.equal(exports.down(29_000), 29_000);
    assert.throws(() => exports.down(100_000), /call stack exhausted/);
    assert.equal(exports.outer(0), 99);
  },
});

Deno.test({
  name: "memory grown by a callee is seen by its compiled caller",
  fn() {
    const { js, v8 } = instances(`(module (memory 1)
      (func $grow (result i32) (memory.grow (i32.const 2)))
      (func (export "f") (result i32)
        (drop (call $grow))
        (i32.store (i32.const 131072) (i32.const 42))
        (i32.add (i32.load (i32.const 131072)) (memory.size))))`);
    assert.equal(js.f(), v8.f());
    assert.equal(js.f(), v8.f());
  },
});

Deno.test({
  name:
    "f32 bit patterns, signalling NaNs included, survive moves, calls, globals, memory and sign operations",
  fn() {
    const { js, interp, v8 } = instances(`(module (memory 1) (global $g (mut f32) (f32.const 0))
      (func $id (param f32) (result f32) (local f32) (local.set 1 (local.get 0)) (local.get 1))
      (func (export "moves") (param i32) (result i32)
        (global.set $g (call $id (f32.neg (f32.neg (f32.reinterpret_i32 (local.get 0))))))
        (f32.store (i32.const 8) (select (global.get $g) (f32.const 1) (i32.const 1)))
        (i32.load (i32.const 8)))
      (func (export "load") (param i32) (result i32)
        (i32.store (i32.const 4) (local.get 0))
        (i32.reinterpret_f32 (f32.abs (f32.load (i32.const 4)))))
      (func (export "copysign") (param i32 i32) (result i32)
        (i32.reinterpret_f32 (f32.copysign (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
      (func (export "promote") (param i32) (result i32)
        (i32.reinterpret_f32 (f32.demote_f64 (f64.promote_f32 (f32.reinterpret_i32 (local.get 0))))))
      (func (export "arith") (param i32) (result i32)
        (i32.reinterpret_f32 (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.const 1)))))`);
    const patterns = [
      0,
      0x80000000,
      0x3f800000,
      0x7f800000,
      0xff800000,
      0x7f800001,
      0xffa00000,
      0x7fbfffff,
      0x7fc00000,
      0x7fc00001,
      0xffffffff,
      1,
    ]
      .map((x) => x | 0);
    for (const x of patterns) {
      for (const f of ["moves", "load"]) {
        assert.equal(js[f](x), v8[f](x), `${f}(0x${(x >>> 0).toString(16)})`);
        assert.equal(interp[f](x), v8[f](x), `interpreter ${f}(0x${(x >>> 0).toString(16)})`);
      }
      for (const y of [0, -1]) assert.equal(js.copysign(x, y), v8.copysign(x, y), `copysign(${x}, ${y})`);
      // promote/demote and arithmetic only promise a quiet NaN: compare NaN-ness and the quiet bit
      for (const f of ["promote", "arith"]) {
        const ours = js[f](x) as number, theirs = v8[f](x) as number;
        const isNaN = (b: number) => (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0;
        if (isNaN(theirs)) assert.ok(isNaN(ours) && (ours & 0x400000) !== 0, `${f}(${x}) is a quiet NaN`);
        else assert.equal(ours, theirs, `${f}(${x})`);
      }
    }
  },
});

Deno.test({
  name: "fuel and profiles count the same on both tiers, to the instruction",
  fn() {
    for (const program of PROGRAMS) {
      const bytes = Deno.readFileSync(new URL(`../bench/wasm/${program.file}`, import.meta.url));
      const n = Math.max(1, Math.floor(program.arg / 50));
      const run = (options: object) => {
        const instance = new Ours.Instance(new Ours.Module(bytes), {}, options);
        const result = (instance.exports.run as Fn)(n);
        return { result, fuel: fuelConsumed(instance), profile: profileOf(instance) };
      };
      const compiledBefore = jitCounts.compiled;
      const js = run({ fuel: 1e12, profile: true, ...JS });
      assert.ok(jitCounts.compiled > compiledBefore, `${program.name}: the JS tier was not used`);
      const interp = run({ fuel: 1e12, profile: true, jit: false });
      assert.deepEqual(js, interp, program.name);
      // Running out: the same trap after the same count.
      const budget = Math.floor(js.fuel! / 3);
      const stop = (options: object) => {
        const instance = new Ours.Instance(new Ours.Module(bytes), {}, { fuel: budget, ...options });
        return { trap: outcome(instance.exports.run as Fn, [n]), fuel: fuelConsumed(instance) };
      };
      const stopped = stop(JS);
      assert.equal(stopped.trap, "trap: fuel exhausted", program.name);
      assert.deepEqual(stopped, stop({ jit: false }), `${program.name} out of fuel`);
    }
  },
});

Deno.test({
  name: "fuel spent before a trap is counted the same on both tiers",
  fn() {
    const spent = (options: object) => {
      const instance = new Ours.Instance(new Ours.Module(wat(TRAPS)), {}, { fuel: 1e9, ...options });
      const exports = instance.exports as Exports;
      return [["div", 0], ["load", 65530], ["indirect", 1], ["div", 3]].map(([name, arg]) => {
        outcome(exports[name], [arg]);
        return fuelConsumed(instance);
      });
    };
    assert.deepEqual(spent(JS), spent({ jit: false }));
  },
});

Deno.test({
  name: "jit: false keeps every function on the interpreter; a timeout keeps the JS tier",
  fn() {
    const bytes = wat(
      `(module (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))`,
    );
    const calls = (options: object) => {
      const before = jitCounts.compiled;
      assert.equal((new Ours.Instance(new Ours.Module(bytes), {}, options).exports.f as Fn)(5), 15);
      return jitCounts.compiled - before;
    };
    assert.equal(calls({ jit: false }), 0);
    assert.equal(calls({ jit: false, fuel: 100 }), 0);
    assert.equal(calls({ timeoutMs: 1000, ...JS }), 1);
    assert.equal(calls({ fuel: 100, profile: true, ...JS }), 1);
    assert.deepEqual(jitFailures, []);
  },
});

Deno.test({
  name: "deeply nested blocks: 400 levels compile to JS, 5,000 stay on the interpreter, both run",
  fn() {
    const nested = (depth: number) =>
      `(module (func (export "f") (param i32) (result i32) ${"(block ".repeat(depth)}` +
      `(br_if ${depth - 1} (local.get 0))${")".repeat(depth)} (i32.const 7)))`;
    for (const [depth, compiles] of [[400, true], [5000, false]] as const) {
      const before = { ...jitCounts };
      const f = new Ours.Instance(new Ours.Module(wat(nested(depth))), {}, JS).exports.f as Fn;
      assert.equal(f(1), 7);
      assert.equal(f(0), 7);
      assert.equal(jitCounts.compiled - before.compiled, compiles ? 1 : 0, `${depth} levels`);
      assert.equal(jitCounts.unsupported - before.unsupported, compiles ? 0 : 1, `${depth} levels`);
    }
    assert.deepEqual(jitFailures, []);
  },
});

Deno.test({
  name: "f32x4 lanes kept as numbers between operations agree with V8 across blocks, branches and selects",
  fn() {
    const bytes = wat(
      `(module (memory 1)
      (func $sum (param v128) (result i32)
        (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get 0)) (i32.rotl (i32x4.extract_lane 1 (local.get 0)) (i32.const 1)))
          (i32.add (i32.rotl (i32x4.extract_lane 2 (local.get 0)) (i32.const 2))
            (i32.rotl (i32x4.extract_lane 3 (local.get 0)) (i32.const 3)))))
      (func (export "chain") (param f32 i32) (result i32)
        (local $v v128)
        (f32.store (i32.const 0) (local.get 0))
        (f32x4.mul (f32x4.splat (local.get 0)) (v128.load (i32.const 0)))
        (block (param v128) (result v128)
          (f32x4.add (v128.load (i32.const 16)))
          (br_if 0 (local.get 1))
          (f32x4.sub (f32x4.splat (f32.const 1.5))))
        (if (param v128) (result v128) (local.get 1)
          (then (f32x4.div (f32x4.splat (f32.const 3))))
          (else (i32x4.add (v128.const i32x4 1 2 3 4))))
        (local.set $v)
        (select (local.get $v) (f32x4.mul (local.get $v) (local.get $v)) (local.get 1))
        (call $sum))
      (func (export "loop") (param i32) (result i32)
        (f32x4.splat (f32.const 1.25))
        (loop (param v128) (result v128)
          (f32x4.mul (f32x4.splat (f32.const 1.0625)))
          (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_if 0))
        (call $sum)))`,
    );
    const ours = new Ours.Instance(new Ours.Module(bytes), {}, JS).exports as Exports;
    const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Exports;
    for (const x of [0, 1.5, -2.25, 1e30, Infinity, NaN, 3.4e38]) {
      for (const c of [0, 1]) assert.equal(ours.chain(x, c), v8.chain(x, c), `chain(${x}, ${c})`);
    }
    for (const n of [1, 2, 10, 1000]) assert.equal(ours.loop(n), v8.loop(n), `loop(${n})`);
  },
});

Deno.test({
  name: "an operand read from a local keeps its value when the local is written before it is used",
  fn() {
    const { js, interp, v8 } = instances(`(module
      (func (export "tee") (param i32) (result i32) (i32.sub (local.get 0) (local.tee 0 (i32.const 7))))
      (func (export "set") (param i32 i32) (result i32)
        (local.get 0) (local.get 1) (local.get 0) (local.set 1) (local.set 0)
        (i32.mul (local.get 0) (i32.add (local.get 1) (i32.const 3))) (i32.add))
      (func (export "i64") (param i64) (result i64)
        (i64.add (local.get 0) (local.tee 0 (i64.mul (local.get 0) (i64.const 3)))))
      (func (export "f64") (param f64) (result f64)
        (f64.sub (local.get 0) (local.tee 0 (f64.const 0.5))))
      (func (export "deep") (param i32) (result i32)
        (local.get 0) (i32.const 1) (local.get 0)
        (local.set 0 (i32.const 100))
        (i32.add) (i32.add) (local.get 0) (i32.add)))`);
    for (
      const [name, args] of [["tee", [5]], ["set", [2, 9]], ["i64", [11n]], ["f64", [2.25]], ["deep", [
        4,
      ]]] as const
    ) {
      assert.equal(js[name](...args), v8[name](...args), name);
      assert.equal(interp[name](...args), v8[name](...args), `interpreter ${name}`);
    }
  },
});

Deno.test({
  name: "a function the JS tier fails to compile runs on the interpreter, and the failure is recorded",
  fn() {
    const bytes = wat(
      `(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 7))))`,
    );
    const before = { failures: jitFailures.length, compiled: jitCounts.compiled };
    const realFunction = globalThis.Function;
    // The tier builds each function with `new Function`: make that fail once, as a bug in the
    // generated source would.
    globalThis.Function = function () {
      throw new SyntaxError("planted: the generated source does not parse");
    } as unknown as FunctionConstructor;
    let result: unknown;
    try {
      result = (new Ours.Instance(new Ours.Module(bytes), {}, JS).exports.f as Fn)(35);
    } finally {
      globalThis.Function = realFunction;
    }
    assert.equal(result, 42);
    assert.equal(jitCounts.compiled, before.compiled);
    const recorded = jitFailures.splice(before.failures);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].index, 0);
    assert.match(String(recorded[0].error), /planted/);
  },
});
