/**
 * The JS boundary, both ways and on both tiers: arguments and results are converted to wasm values
 * before anything is written to the value stack (a `valueOf` that re-enters wasm cannot overwrite a
 * live frame); whatever an import throws reaches the caller unchanged (Proxies, primitives, host
 * RangeErrors and RuntimeErrors included), while the engine's own stack overflow is still the trap
 * "call stack exhausted"; and a timeout binds as soon as an import that outlived it returns.
 */
import assert from "node:assert/strict";
import { currentDeadline, WebAssembly as W } from "../mod.ts";
import type { EngineOptions } from "../mod.ts";
import { wat } from "./wat.ts";

type Fn = (...args: unknown[]) => unknown;
type Exports = Record<string, Fn>;

const TIERS: [string, EngineOptions][] = [["JS tier", { tierUp: 0 }], ["interpreter", { jit: false }]];

/** One test per tier. */
function tiers(name: string, fn: (options: EngineOptions) => void | Promise<void>): void {
  for (const [tier, options] of TIERS) {
    Deno.test({ name: `${name} (${tier})`, fn: () => fn(options) });
  }
}

function instance(text: string, imports: object, options: EngineOptions): Exports {
  return new W.Instance(new W.Module(wat(text)), imports, options).exports as Exports;
}

/** What `f()` throws, compared by identity only (no property of it is read). */
function thrown(f: () => unknown): { value: unknown } {
  try {
    f();
  } catch (e) {
    return { value: e };
  }
  throw new Error("expected a throw");
}

const ADD = `(module
  (func (export "add3") (param i32 i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "add5") (param i32 i32 i32 i32 i32) (result i32)
    (i32.add (i32.add (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)) (local.get 4)))
  (func (export "add64") (param i64 i64 i64) (result i64)
    (i64.add (i64.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "addf") (param f64 f32 f64) (result f64)
    (f64.add (f64.add (local.get 0) (f64.promote_f32 (local.get 1))) (local.get 2))))`;

/** Writes its arguments and locals all over its frame (and beyond, through a callee). */
const NOISY = `(module
  (func $mix (param i32 i32 i32) (result i32) (local i32 i32 i32 i32)
    (local.set 3 (i32.mul (local.get 0) (i32.const 31)))
    (local.set 4 (i32.xor (local.get 1) (local.get 3)))
    (local.set 5 (i32.add (local.get 2) (local.get 4)))
    (local.set 6 (i32.mul (local.get 5) (local.get 5)))
    (i32.add (local.get 6) (i32.add (local.get 3) (local.get 4))))
  (func (export "noisy") (param i32 i32 i32) (result i32) (local i32 i32)
    (local.set 3 (call $mix (local.get 0) (local.get 1) (local.get 2)))
    (local.set 4 (call $mix (local.get 3) (local.get 2) (local.get 1)))
    (i32.add (local.get 3) (local.get 4)))
  (func (export "noisy64") (param i64 i64 i64) (result i64)
    (i64.mul (i64.add (local.get 0) (local.get 1)) (local.get 2))))`;

tiers("an argument's valueOf that calls another instance does not overwrite the arguments", (options) => {
  const a = instance(ADD, {}, options);
  const b = instance(NOISY, {}, options);
  const reenter = (value: unknown) => ({
    valueOf() {
      b.noisy(999, 999, 999);
      return value;
    },
  });
  assert.equal(a.add3(5, reenter(1), 7), 13);
  assert.equal(a.add3(reenter(1), reenter(2), reenter(3)), 6);
  assert.equal(a.add5(1, 2, reenter(3), 4, reenter(5)), 15);
  const big = { valueOf: () => (b.noisy64(9n, 9n, 9n), 2n) };
  assert.equal(a.add64(1n, big, 3n), 6n);
  assert.equal(a.addf(0.5, reenter(0.25), 0.125), 0.875);
});

tiers("an argument's valueOf that calls the same instance does not overwrite the arguments", (options) => {
  const a = instance(ADD, {}, options);
  const reenter = (value: number) => ({
    valueOf() {
      a.add5(100, 200, 300, 400, a.add3(1, 2, 3));
      return value;
    },
  });
  assert.equal(a.add3(5, reenter(1), 7), 13);
  assert.equal(a.add5(reenter(1), 2, 3, reenter(4), 5), 15);
});

tiers("a BigInt argument produced by an object that re-enters wasm", (options) => {
  const a = instance(ADD, {}, options);
  const b = instance(NOISY, {}, options);
  const toPrimitive = {
    [Symbol.toPrimitive]() {
      b.noisy(1, 2, 3);
      a.add64(7n, 8n, 9n);
      return 40n;
    },
  };
  assert.equal(a.add64(toPrimitive, 1n, toPrimitive), 81n);
  assert.throws(() => a.add64(1n, { valueOf: () => (b.noisy(1, 2, 3), 5) }, 1n), TypeError);
  assert.equal(a.add3(1, 2, 3), 6); // and the engine carries on
});

/** Keeps values in locals and operand-stack slots across calls of imports. */
const CALLER = `(module
  (import "h" "one" (func $one (result i32)))
  (import "h" "two" (func $two (result i32 i32)))
  (import "h" "wide" (func $wide (result i64)))
  (func (export "one") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))
    (i32.add (local.get 2) (i32.add (local.get 0) (call $one))))
  (func (export "two") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))
    (call $two)
    (local.set 3)
    (i32.mul (i32.const 10))
    (i32.add (local.get 3))
    (i32.add (local.get 2)))
  (func (export "wide") (param i32) (result i64) (local i64)
    (local.set 1 (i64.extend_i32_s (i32.mul (local.get 0) (i32.const 3))))
    (i64.add (local.get 1) (call $wide))))`;

tiers(
  "an import's result whose valueOf calls another instance leaves the caller's frame alone",
  (options) => {
    const b = instance(NOISY, {}, options);
    const reenter = (value: unknown) => ({
      valueOf() {
        b.noisy(999, 999, 999);
        b.noisy(-1, -2, -3);
        return value;
      },
    });
    const c = instance(CALLER, {
      h: {
        one: () => reenter(5),
        two: () => [reenter(1), reenter(2)],
        wide: () => ({ valueOf: () => (b.noisy64(5n, 6n, 7n), 100n) }),
      },
    }, options);
    assert.equal(c.one(3, 4), 3004 + 3 + 5);
    assert.equal(c.two(3, 4), 3004 + 10 * 1 + 2);
    assert.equal(c.wide(7), 121n);
  },
);

tiers(
  "an import's result whose valueOf calls the same instance leaves the caller's frame alone",
  (options) => {
    let c: Exports = {};
    let depth = 0;
    const reenter = (value: number) => ({
      valueOf() {
        if (depth++ < 3) c.one(50, 60);
        depth--;
        return value;
      },
    });
    c = instance(CALLER, { h: { one: () => reenter(5), two: () => [1, 2], wide: () => 0n } }, options);
    assert.equal(c.one(3, 4), 3004 + 3 + 5);
  },
);

tiers("a multi-value import: the iterable and its elements' valueOf may re-enter", (options) => {
  const b = instance(NOISY, {}, options);
  function* gen() {
    b.noisy(7, 7, 7);
    yield { valueOf: () => (b.noisy(8, 8, 8), 1) };
    b.noisy(9, 9, 9);
    yield { valueOf: () => (b.noisy(10, 10, 10), 2) };
  }
  const c = instance(CALLER, { h: { one: () => 0, two: gen, wide: () => 0n } }, options);
  assert.equal(c.two(3, 4), 3004 + 10 * 1 + 2);
  const bad = instance(CALLER, { h: { one: () => 0, two: () => [1], wide: () => 0n } }, options);
  assert.throws(() => bad.two(1, 2), TypeError);
  assert.equal(c.two(3, 4), 3004 + 10 * 1 + 2);
});

const THROWER = `(module
  (import "h" "f" (func $f (param i32) (result i32)))
  (import "h" "g" (func $g (param i32 i32 i32 i32) (result i32)))
  (table (export "t") 2 funcref) (elem (i32.const 0) $f $g)
  (func (export "run") (param i32) (result i32) (i32.add (i32.const 1) (call $f (local.get 0))))
  (func (export "run4") (result i32) (call $g (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
  (export "f" (func $f)))`;

/** A Proxy whose every trap throws: any inspection of it by the engine would replace it. */
function hostileProxy(): object {
  const fail = () => {
    throw new Error("trap!");
  };
  return new Proxy({}, {
    getPrototypeOf: fail,
    get: fail,
    has: fail,
    getOwnPropertyDescriptor: fail,
    ownKeys: fail,
    set: fail,
    defineProperty: fail,
  });
}

tiers("a Proxy thrown by an import reaches the caller unchanged", (options) => {
  const p = hostileProxy();
  const e = instance(THROWER, {
    h: {
      f: () => {
        throw p;
      },
      g: () => {
        throw p;
      },
    },
  }, options);
  assert.ok(thrown(() => e.run(1)).value === p);
  assert.ok(thrown(() => e.run4()).value === p);
  assert.ok(thrown(() => e.indirect(1)).value === p, "through call_indirect");
  assert.ok(thrown(() => e.f(1)).value === p, "a re-exported import");
  const table = e.t as unknown as { get(i: number): Fn };
  assert.ok(thrown(() => table.get(0)(1)).value === p, "through a table");
  // a result's conversion that throws a Proxy
  const q = instance(THROWER, {
    h: {
      f: () => ({
        valueOf() {
          throw p;
        },
      }),
      g: () => 0,
    },
  }, options);
  assert.ok(thrown(() => q.run(1)).value === p, "thrown by valueOf of the result");
});

tiers("a Proxy passes unchanged through nested host -> wasm -> host calls", (options) => {
  const p = hostileProxy();
  const inner = instance(THROWER, {
    h: {
      f: () => {
        throw p;
      },
      g: () => 0,
    },
  }, options);
  // outer's import calls inner (whose import throws p) and lets it through
  const outer = instance(THROWER, { h: { f: (x: number) => inner.run(x), g: () => 0 } }, options);
  assert.ok(thrown(() => outer.run(1)).value === p);
  // a host in the middle catches and rethrows the value
  const rethrow = instance(THROWER, {
    h: {
      f: (x: number) => {
        try {
          return outer.run(x);
        } catch (e) {
          throw e;
        }
      },
      g: () => 0,
    },
  }, options);
  assert.ok(thrown(() => rethrow.run(1)).value === p);
  assert.equal(instance(THROWER, { h: { f: (x: number) => x * 2, g: () => 0 } }, options).run(20), 41);
});

tiers("thrown primitives pass through", (options) => {
  const sym = Symbol("s");
  for (const value of [42, undefined, null, "text", sym, 7n, false]) {
    const e = instance(THROWER, {
      h: {
        f: () => {
          throw value;
        },
        g: () => 0,
      },
    }, options);
    assert.ok(thrown(() => e.run(1)).value === value, `throw ${String(value)}`);
  }
});

tiers("a host RangeError that mentions the call stack arrives unchanged", (options) => {
  const err = new RangeError("my call stack thing");
  const e = instance(THROWER, {
    h: {
      f: () => {
        throw err;
      },
      g: () => 0,
    },
  }, options);
  const got = thrown(() => e.run(1)).value;
  assert.ok(got === err);
  assert.ok(!(got instanceof W.RuntimeError));
  assert.equal(Object.hasOwn(err, "wasmFrames"), false);
});

tiers("a RuntimeError thrown by a host function arrives unchanged, without wasm frames", (options) => {
  const err = new W.RuntimeError("thrown by the host");
  const e = instance(THROWER, {
    h: {
      f: () => {
        throw err;
      },
      g: () => 0,
    },
  }, options);
  assert.ok(thrown(() => e.run(1)).value === err);
  assert.ok(thrown(() => e.indirect(1)).value === err);
  assert.equal(Object.hasOwn(err, "wasmFrames"), false);
  assert.equal(err.message, "thrown by the host");
});

const RECURSE = `(module
  (import "js" "bounce" (func $b (param i32) (result i32)))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func $forever (export "forever") (call $forever))
  (func (export "viaJs") (param i32) (result i32) (call $b (i32.add (local.get 0) (i32.const 1))))
  (func (export "trap") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0))))`;

tiers("deep recursion still traps with 'call stack exhausted', and the engine goes on", (options) => {
  const e = instance(RECURSE, { js: { bounce: (x: number) => x } }, options);
  const err = thrown(() => e.forever()).value;
  assert.ok(err instanceof W.RuntimeError);
  assert.equal(err.message, "call stack exhausted");
  assert.ok(Array.isArray((err as { wasmFrames?: unknown }).wasmFrames));
  assert.equal(e.down(10_000), 10_000);
});

tiers("recursion through a JS import traps with 'call stack exhausted' (never a RangeError)", (options) => {
  let e: Exports = {};
  let depth = 0, deepest = 0;
  const bounce = (n: number): number => {
    deepest = Math.max(deepest, ++depth);
    try {
      return e.viaJs(n) as number;
    } finally {
      depth--;
    }
  };
  e = instance(RECURSE, { js: { bounce } }, options);
  for (let i = 0; i < 3; i++) {
    const err = thrown(() => e.viaJs(0)).value;
    assert.ok(err instanceof W.RuntimeError, `got ${String(err)}`);
    assert.equal(err.message, "call stack exhausted");
  }
  assert.ok(deepest >= 100, `${deepest} levels`);
  assert.equal(e.down(100), 100);
});

tiers("a host catching a trap and calling back in still works", (options) => {
  let e: Exports = {};
  const bounce = (x: number) => {
    try {
      return e.trap(x) as number;
    } catch (err) {
      assert.ok(err instanceof W.RuntimeError);
      return -1;
    }
  };
  e = instance(RECURSE, { js: { bounce } }, options);
  assert.equal(e.viaJs(-1), -1); // 7 / 0 traps inside, the host returns -1
  assert.equal(e.viaJs(6), 1);
  assert.equal(e.down(50), 50);
});

tiers("a start function's thrown value reaches the Instance constructor unchanged", (options) => {
  const p = hostileProxy();
  const bytes = wat(`(module (import "h" "f" (func $f))
    (func $start (call $f)) (start $start))`);
  const fail = () => {
    throw p;
  };
  const got = thrown(() => new W.Instance(new W.Module(bytes), { h: { f: fail } }, options)).value;
  assert.ok(got === p);
  const direct = wat(`(module (import "h" "f" (func $f)) (start $f))`);
  assert.ok(thrown(() => new W.Instance(new W.Module(direct), { h: { f: fail } }, options)).value === p);
});

/** Blocks the thread for `ms` milliseconds (Atomics.wait on a SharedArrayBuffer: a real sleep). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const SLEEPER = `(module
  (import "h" "sleep" (func $sleep))
  (import "h" "spin" (func $spin))
  (func $loop (export "loop") (loop $l (call $sleep) (br $l)))
  (func (export "spinLoop") (loop $l (call $spin) (br $l)))
  (func (export "once") (call $sleep)))`;

tiers("a timeout traps as soon as an import that outlived it returns", (options) => {
  let calls = 0;
  const deadlines: number[] = [];
  const starts: number[] = [];
  const e = instance(SLEEPER, {
    h: {
      sleep: () => {
        calls++;
        starts.push(performance.now());
        deadlines.push(currentDeadline());
        sleep(80);
      },
      spin: () => {
        calls++;
        const end = performance.now() + 80;
        while (performance.now() < end) { /* busy */ }
      },
    },
  }, { ...options, timeoutMs: 50 });
  const t0 = performance.now();
  const err = thrown(() => e.loop()).value;
  assert.ok(err instanceof W.RuntimeError);
  assert.equal(err.message, "timeout: execution took longer than 50 ms");
  assert.equal(calls, 1, "trapped right after the first call returned");
  assert.ok(performance.now() - t0 < 1000);
  const frames = (err as { wasmFrames?: { name?: string }[] }).wasmFrames ?? [];
  assert.equal(frames[0]?.name, "loop");
  // the deadline seen by the import: finite, about timeoutMs after the call started
  assert.ok(Number.isFinite(deadlines[0]));
  assert.ok(deadlines[0] >= starts[0] && deadlines[0] <= starts[0] + 50 + 1, `${deadlines[0] - starts[0]}`);
  calls = 0;
  assert.throws(() => e.spinLoop(), /^RuntimeError: timeout: execution took longer than 50 ms$/);
  assert.equal(calls, 1);
  assert.equal(currentDeadline(), Infinity);
});

tiers("currentDeadline: Infinity without a limit, the outer call's deadline in nested calls", (options) => {
  const seen: number[] = [];
  const b = instance(SLEEPER, { h: { sleep: () => seen.push(currentDeadline()), spin: () => {} } }, options);
  b.once();
  assert.deepEqual(seen, [Infinity]);
  assert.equal(currentDeadline(), Infinity);
  // A (with a timeout) calls a host function that calls B (no limits), whose import asks
  let before = 0;
  const a = instance(SLEEPER, {
    h: {
      sleep: () => {
        before = performance.now();
        seen.length = 0;
        b.once();
        seen.push(currentDeadline());
      },
      spin: () => {},
    },
  }, { ...options, timeoutMs: 10_000 });
  a.once();
  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1]);
  assert.ok(seen[0] > before && seen[0] <= before + 10_000, `${seen[0] - before}`);
  assert.equal(currentDeadline(), Infinity);
  // B with its own shorter timeout, nested in A: B's deadline while B runs, A's again afterwards
  const inner: number[] = [];
  const b2 = instance(SLEEPER, { h: { sleep: () => inner.push(currentDeadline()), spin: () => {} } }, {
    ...options,
    timeoutMs: 1000,
  });
  const a2 = instance(SLEEPER, {
    h: {
      sleep: () => {
        inner.push(currentDeadline());
        b2.once();
        inner.push(currentDeadline());
      },
      spin: () => {},
    },
  }, { ...options, timeoutMs: 100_000 });
  a2.once();
  assert.equal(inner.length, 3);
  assert.equal(inner[0], inner[2]);
  assert.ok(inner[1] < inner[0]);
});

tiers("a host error thrown after the deadline passes is the host's, not a timeout", (options) => {
  const err = new Error("late");
  const e = instance(SLEEPER, {
    h: {
      sleep: () => {
        sleep(60);
        throw err;
      },
      spin: () => {},
    },
  }, { ...options, timeoutMs: 20 });
  assert.ok(thrown(() => e.once()).value === err);
});
