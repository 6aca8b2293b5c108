/**
 * Typed function references (Wasm 3.0) on both tiers, compared with Deno's built-in engine running the
 * same bytes: `(ref $t)` and `(ref null $t)`, `call_ref` and `return_call_ref`, `ref.as_non_null`,
 * `br_on_null`, `br_on_non_null`, non-nullable locals and the rule for reading them, tables of typed
 * references with an initialiser, type equivalence across modules and the JS boundary's checks.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

type Api = typeof WebAssembly;
const OURS = Ours as unknown as Api;
const TIERS: [string, object][] = [["interpreter", { jit: false }], ["JS tier", { tierUp: 0 }]];

function instantiate(api: Api, bytes: Uint8Array, imports: object = {}, options: object = {}) {
  const module = new api.Module(bytes as BufferSource);
  const make = api.Instance as unknown as new (m: unknown, i: object, o: object) => WebAssembly.Instance;
  return new make(module, imports, options).exports as Record<string, (...args: unknown[]) => unknown>;
}

/** Each call's result, or the class of what it threw. */
function outcomes(exports: Record<string, (...args: unknown[]) => unknown>, calls: [string, ...unknown[]][]) {
  return calls.map(([name, ...args]) => {
    try {
      return exports[name](...args);
    } catch (e) {
      return (e as Error).constructor.name;
    }
  });
}

function sameAsV8(bytes: Uint8Array, calls: [string, ...unknown[]][]): void {
  const expected = outcomes(instantiate(WebAssembly, bytes), calls);
  for (const [tier, options] of TIERS) {
    const got = outcomes(instantiate(OURS, bytes, {}, options), calls);
    calls.forEach((call, i) => assert.deepEqual(got[i], expected[i], `${tier}: ${JSON.stringify(call)}`));
  }
}

Deno.test("call_ref, ref.as_non_null, br_on_null and br_on_non_null compute what V8 computes", () => {
  const bytes = wat(`(module
    (type $un (func (param i32) (result i32)))
    (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
    (func $negate (type $un) (i32.sub (i32.const 0) (local.get 0)))
    (table $fs 2 (ref null $un))
    (elem (table $fs) (i32.const 0) (ref null $un) (ref.func $double) (ref.func $negate))
    (elem declare func $double $negate)
    (func $pick (param i32) (result (ref null $un)) (table.get $fs (local.get 0)))
    (func (export "call") (param i32 i32) (result i32)
      (call_ref $un (local.get 1) (call $pick (local.get 0))))
    (func (export "call_null") (param i32) (result i32) (call_ref $un (local.get 0) (ref.null $un)))
    (func (export "as_non_null") (param i32) (result i32)
      (call_ref $un (i32.const 5) (ref.as_non_null (call $pick (local.get 0)))))
    (func (export "on_null") (param i32) (result i32)
      (block $null (result i32)
        (br_on_null $null (i32.const -1) (call $pick (local.get 0)))
        (drop) (drop) (i32.const 1)))
    (func (export "on_non_null") (param i32) (result i32) (local $f (ref null $un))
      (local.set $f
        (block $some (result (ref $un))
          (br_on_non_null $some (call $pick (local.get 0)))
          (return (i32.const 100))))
      (call_ref $un (i32.const 21) (local.get $f)))
    (func (export "clear") (param i32) (table.set $fs (local.get 0) (ref.null $un))))`);
  sameAsV8(bytes, [
    ["call", 0, 21],
    ["call", 1, 21],
    ["call", 2, 21], // out of the table
    ["call_null", 3],
    ["as_non_null", 0],
    ["on_null", 1],
    ["on_non_null", 0],
    ["on_non_null", 1],
    ["clear", 1],
    ["call", 1, 21], // null now: a trap
    ["as_non_null", 1],
    ["on_null", 1],
    ["on_non_null", 1],
  ]);
});

Deno.test("return_call_ref runs 10^6 steps in constant stack on both tiers", () => {
  const bytes = wat(`(module
    (type $step (func (param i32 i64) (result i64)))
    (elem declare func $even $odd)
    (func $even (type $step)
      (if (result i64) (i32.eqz (local.get 0)) (then (local.get 1))
        (else (return_call_ref $step (i32.sub (local.get 0) (i32.const 1))
          (i64.add (local.get 1) (i64.const 2)) (ref.func $odd)))))
    (func $odd (type $step)
      (if (result i64) (i32.eqz (local.get 0)) (then (i64.sub (i64.const 0) (local.get 1)))
        (else (return_call_ref $step (i32.sub (local.get 0) (i32.const 1))
          (i64.add (local.get 1) (i64.const 1)) (ref.func $even)))))
    (func (export "run") (param i32) (result i64) (call $even (local.get 0) (i64.const 0))))`);
  for (
    const [tier, options] of [["interpreter", { jit: false, maxCallDepth: 8 }], ["JS tier", {
      tierUp: 0,
      maxCallDepth: 8,
    }]] as const
  ) {
    const run = instantiate(OURS, bytes, {}, options).run as (n: number) => bigint;
    assert.equal(
      run(1_000_000),
      (instantiate(WebAssembly, bytes).run as (n: number) => bigint)(1_000_000),
      tier,
    );
    assert.equal(run(7), -11n, tier);
  }
});

Deno.test("validation: non-null locals must be set before they are read, in the block that set them", () => {
  const cases = [
    "(func (local (ref func)) (drop (local.get 0)))", // read before set
    "(elem declare func 0) (func (local (ref func)) (local.set 0 (ref.func 0)) (drop (local.get 0)))",
    "(elem declare func 0) (func (local (ref func)) (block (local.set 0 (ref.func 0))) (drop (local.get 0)))",
    "(elem declare func 0) (func (local (ref func)) (block (local.set 0 (ref.func 0)) (drop (local.get 0))))",
    "(func (param (ref func)) (drop (local.get 0)))", // parameters are set
    "(func (local (ref null func)) (drop (local.get 0)))", // nullable: null by default
    "(type $t (func)) (func (param (ref null $t)) (call_ref $t (local.get 0)))",
    "(type $t (func)) (func (param funcref) (call_ref $t (local.get 0)))", // funcref is no (ref $t)
    "(type $t (func)) (table 1 (ref $t))", // a non-null table needs an initialiser
    "(type $t (func)) (func $f (type $t)) (elem declare func $f) (table 1 (ref $t) (ref.func $f))",
    "(func (result (ref func)) (ref.null func))", // null is no (ref func)
    "(type $t (func)) (func (param (ref $t)) (result funcref) (local.get 0))", // a subtype
    "(type $t (func)) (func (param (ref $t)) (result externref) (local.get 0))",
    "(type $t (func (param (ref $t))))", // a type may refer to itself
    "(type $t (func (param (ref 1)))) (type (func))", // not to a later one
  ];
  for (const c of cases) {
    const bytes = wat(`(module ${c})`);
    assert.equal(Ours.validate(bytes), WebAssembly.validate(bytes), c);
  }
});

Deno.test("equivalent types of two modules are one type: imports, tables and call_indirect agree", () => {
  const a = wat(`(module
    (type $t (func (param (ref null $t)) (result i32)))
    (func $f (export "f") (type $t) (i32.const 42))
    (table (export "tab") 1 (ref null $t)) (elem (i32.const 0) (ref null $t) (ref.func $f)))`);
  const b = wat(`(module
    (type $u (func (result i32)))
    (type $s (func (param (ref null $s)) (result i32)))
    (import "a" "f" (func $g (type $s)))
    (import "a" "tab" (table 1 (ref null $s)))
    (func (export "via_table") (result i32) (call_indirect (type $s) (ref.null $s) (i32.const 0)))
    (func (export "via_import") (result i32) (call $g (ref.null $s))))`);
  const wrong = wat(
    `(module (type $s (func (param (ref null extern)) (result i32))) (import "a" "f" (func (type $s))))`,
  );
  for (const api of [OURS, WebAssembly]) {
    const ea = instantiate(api, a);
    const eb = instantiate(api, b, { a: ea });
    assert.equal(eb.via_table(), 42);
    assert.equal(eb.via_import(), 42);
    assert.throws(() => instantiate(api, wrong, { a: ea }), api.LinkError);
  }
});

Deno.test("the JS boundary checks typed references: null, the wrong function type, a plain JS function", () => {
  const bytes = wat(`(module
    (type $t (func (result i32)))
    (type $u (func (result i64)))
    (func $seven (export "seven") (type $t) (i32.const 7))
    (func (export "wide") (type $u) (i64.const 7))
    (func (export "call") (param (ref $t)) (result i32) (call_ref $t (local.get 0)))
    (func (export "call_nullable") (param (ref null $t)) (result i32)
      (block $null (br_on_null $null (local.get 0)) (return (call_ref $t)))
      (i32.const -1))
    (func (export "make") (result (ref $t)) (ref.func $seven))
    (func (export "extern") (param (ref extern)) (result (ref extern)) (local.get 0)))`);
  const results = (api: Api) => {
    const e = instantiate(api, bytes);
    return outcomes(e, [
      ["call", e.seven],
      ["call", null],
      ["call", e.wide],
      ["call", () => 7],
      ["call_nullable", null],
      ["call_nullable", e.seven],
      ["extern", "x"],
      ["extern", null],
    ]).concat([(e.make as () => () => number)()()]);
  };
  assert.deepEqual(results(OURS), results(WebAssembly));
});
