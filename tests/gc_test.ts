/**
 * Wasm GC on both tiers (and the default tiering, which moves a function to the JS tier in the middle
 * of its loop), compared with Deno's built-in engine running the same bytes: structs and arrays of
 * every storage type (packed, i64, f64 bits, v128, references), the bulk array instructions, casts
 * and `br_on_cast`, `i31`, `ref.eq`, GC values in globals, tables and constant expressions; the JS
 * boundary (opaque objects that come back unchanged, i31 as numbers, type checks); canonical type
 * identity across modules; fuel equal across tiers; and bounded memory for short-lived objects.
 */
import assert from "node:assert/strict";
import { fuelConsumed, WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

type Api = typeof WebAssembly;
type Exports = Record<string, (...args: unknown[]) => unknown>;
const OURS = Ours as unknown as Api;
const TIERS: [string, object][] = [
  ["interpreter", { jit: false }],
  ["JS tier", { tierUp: 0 }],
  ["default tiering", {}],
];

function instantiate(api: Api, bytes: Uint8Array, imports: object = {}, options: object = {}): Exports {
  const module = new api.Module(bytes as BufferSource);
  const make = api.Instance as unknown as new (m: unknown, i: object, o: object) => WebAssembly.Instance;
  return new make(module, imports, options).exports as Exports;
}

/** Each call's result, or the class and message of what it threw. */
function outcomes(exports: Exports, calls: [string, ...unknown[]][]): unknown[] {
  return calls.map(([name, ...args]) => {
    try {
      return exports[name](...args);
    } catch (e) {
      return `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
  });
}

function sameAsV8(bytes: Uint8Array, calls: [string, ...unknown[]][], imports: object = {}): void {
  const expected = outcomes(instantiate(WebAssembly, bytes, imports), calls);
  for (const [tier, options] of TIERS) {
    const got = outcomes(instantiate(OURS, bytes, imports, options), calls);
    calls.forEach((call, i) => {
      const [want, have] = [expected[i], got[i]];
      // V8 words some traps its own way: the class must match, and the message where V8 uses the spec's.
      if (typeof want === "string" && typeof have === "string" && want.startsWith("RuntimeError")) {
        assert.ok(have.startsWith("RuntimeError"), `${tier}: ${Deno.inspect(call)}: ${have}, V8: ${want}`);
      } else assert.deepEqual(have, want, `${tier}: ${Deno.inspect(call)}`);
    });
  }
}

const STRUCTS = wat(`(module
  (type $s (struct (field $a (mut i8)) (field $b (mut i16)) (field $c (mut i32)) (field $d (mut i64))
                   (field $e (mut f32)) (field $f (mut f64)) (field $r (mut (ref null $s)))))
  (type $v (struct (field (mut v128))))
  (func $make (param i32) (result (ref $s))
    (struct.new $s (local.get 0) (local.get 0) (local.get 0) (i64.extend_i32_s (local.get 0))
      (f32.convert_i32_s (local.get 0)) (f64.convert_i32_s (local.get 0)) (ref.null $s)))
  (func (export "packed") (param i32) (result i32 i32 i32 i32)
    (local $x (ref $s)) (local.set $x (call $make (local.get 0)))
    (struct.get_s $s $a (local.get $x)) (struct.get_u $s $a (local.get $x))
    (struct.get_s $s $b (local.get $x)) (struct.get_u $s $b (local.get $x)))
  (func (export "wide") (param i64) (result i64)
    (local $x (ref $s)) (local.set $x (struct.new_default $s))
    (struct.set $s $d (local.get $x) (local.get 0))
    (struct.get $s $d (local.get $x)))
  (func (export "nan_bits") (param i64) (result i64)
    (local $x (ref $s)) (local.set $x (struct.new_default $s))
    (struct.set $s $f (local.get $x) (f64.reinterpret_i64 (local.get 0)))
    (i64.reinterpret_f64 (struct.get $s $f (local.get $x))))
  (func (export "f32_bits") (param i32) (result i32)
    (local $x (ref $s)) (local.set $x (struct.new_default $s))
    (struct.set $s $e (local.get $x) (f32.reinterpret_i32 (local.get 0)))
    (i32.reinterpret_f32 (struct.get $s $e (local.get $x))))
  (func (export "vector") (param i32) (result i32)
    (local $x (ref $v)) (local.set $x (struct.new $v (i32x4.splat (local.get 0))))
    (i32x4.extract_lane 3 (struct.get $v 0 (local.get $x))))
  (func (export "list") (param $n i32) (result i32)
    (local $head (ref null $s)) (local $sum i32)
    (loop $build
      (local.set $head (struct.new $s (i32.const 0) (i32.const 0) (local.get $n) (i64.const 0)
        (f32.const 0) (f64.const 0) (local.get $head)))
      (br_if $build (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (loop $walk
      (local.set $sum (i32.add (local.get $sum) (struct.get $s $c (local.get $head))))
      (local.set $head (struct.get $s $r (local.get $head)))
      (br_if $walk (i32.eqz (ref.is_null (local.get $head)))))
    (local.get $sum))
  (func (export "null_get") (result i32) (struct.get $s $c (ref.null $s)))
)`);

Deno.test("structs of every storage type, on both tiers, as on V8", () => {
  sameAsV8(STRUCTS, [
    ["packed", 0x1ff81],
    ["packed", -1],
    ["wide", -0x123456789abcdefn],
    ["nan_bits", 0x7ff4000000000001n], // a signalling NaN keeps its bits in a field
    ["f32_bits", 0x7fa00001],
    ["vector", 42],
    ["list", 3000],
    ["null_get"],
  ]);
});

const ARRAYS = wat(`(module
  (type $b (array (mut i8)))
  (type $w (array (mut i16)))
  (type $l (array (mut i64)))
  (type $r (array (mut (ref null $b))))
  (type $c (array i8))
  (data $d "\\01\\02\\03\\04\\05\\06\\07\\08\\ff\\fe")
  (elem $e (ref null $b) (item (array.new_default $b (i32.const 1))) (item (ref.null $b)))
  (global $g (ref $c) (array.new_fixed $c 3 (i32.const -1) (i32.const 2) (i32.const 300)))
  (func (export "fixed") (param i32) (result i32 i32) (array.get_s $c (global.get $g) (local.get 0))
    (array.get_u $c (global.get $g) (local.get 0)))
  (func (export "data16") (param i32) (result i32)
    (array.get_s $w (array.new_data $w $d (i32.const 1) (i32.const 4)) (local.get 0)))
  (func (export "fill_copy") (param $d i32) (param $s i32) (param $n i32) (result i64)
    (local $a (ref $l)) (local $i i32) (local $h i64)
    (local.set $a (array.new $l (i64.const 0) (i32.const 8)))
    (loop $set (array.set $l (local.get $a) (local.get $i) (i64.shl (i64.const 3) (i64.extend_i32_u (local.get $i))))
      (br_if $set (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 8))))
    (array.copy $l $l (local.get $a) (local.get $d) (local.get $a) (local.get $s) (local.get $n))
    (array.fill $l (local.get $a) (i32.const 7) (i64.const -1) (i32.const 1))
    (local.set $i (i32.const 0))
    (loop $mix (local.set $h (i64.add (i64.mul (local.get $h) (i64.const 31)) (array.get $l (local.get $a) (local.get $i))))
      (br_if $mix (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 8))))
    (local.get $h))
  (func (export "init") (param $at i32) (param $from i32) (param $n i32) (result i32)
    (local $a (ref $b)) (local.set $a (array.new_default $b (i32.const 6)))
    (array.init_data $b $d (local.get $a) (local.get $at) (local.get $from) (local.get $n))
    (i32.add (array.len (local.get $a)) (array.get_u $b (local.get $a) (i32.const 2))))
  (func (export "elems") (param i32) (result i32)
    (local $a (ref $r)) (local.set $a (array.new_elem $r $e (i32.const 0) (i32.const 2)))
    (array.init_elem $r $e (local.get $a) (i32.const 0) (local.get 0) (i32.const 1))
    (ref.is_null (array.get $r (local.get $a) (i32.const 0))))
  (func (export "oob") (param i32) (result i32) (array.get_u $b (array.new_default $b (i32.const 2)) (local.get 0)))
)`);

Deno.test("arrays: new, new_fixed, new_data, new_elem, get, set, fill, copy, init, on both tiers, as on V8", () => {
  sameAsV8(ARRAYS, [
    ["fixed", 0],
    ["fixed", 2],
    ["fixed", 3],
    ["data16", 0],
    ["data16", 3],
    ["data16", 4],
    ["fill_copy", 1, 0, 7], // overlapping, forwards
    ["fill_copy", 0, 1, 7], // overlapping, backwards
    ["fill_copy", 4, 4, 5], // out of bounds
    ["init", 1, 7, 3],
    ["init", 4, 0, 3],
    ["init", 0, 9, 2],
    ["elems", 0],
    ["elems", 1],
    ["elems", 2],
    ["oob", 1],
    ["oob", -1],
  ]);
});

const CASTS = wat(`(module
  (type $p (sub (struct (field i32))))
  (type $q (sub $p (struct (field i32) (field i64))))
  (type $f (sub final $q (struct (field i32) (field i64) (field f32))))
  (type $a (array i32))
  (type $fn (func (result i32)))
  (global $things (mut (ref null $things_t)) (ref.null $things_t))
  (type $things_t (array (ref null any)))
  (table $t 8 anyref)
  (func $seven (type $fn) (i32.const 7))
  (elem declare func $seven)
  (func (export "setup")
    (table.set $t (i32.const 0) (struct.new $p (i32.const 1)))
    (table.set $t (i32.const 1) (struct.new $q (i32.const 2) (i64.const 0)))
    (table.set $t (i32.const 2) (struct.new $f (i32.const 3) (i64.const 0) (f32.const 0)))
    (table.set $t (i32.const 3) (array.new_default $a (i32.const 1)))
    (table.set $t (i32.const 4) (ref.i31 (i32.const -5)))
    (table.set $t (i32.const 5) (ref.null any)))
  (func (export "tests") (param i32) (result i32)
    (local $v anyref) (local.set $v (table.get $t (local.get 0)))
    (i32.or (i32.or (i32.or (ref.test (ref $p) (local.get $v)) (i32.shl (ref.test (ref $q) (local.get $v)) (i32.const 1)))
                    (i32.or (i32.shl (ref.test (ref $f) (local.get $v)) (i32.const 2)) (i32.shl (ref.test (ref $a) (local.get $v)) (i32.const 3))))
            (i32.or (i32.or (i32.shl (ref.test (ref i31) (local.get $v)) (i32.const 4)) (i32.shl (ref.test (ref eq) (local.get $v)) (i32.const 5)))
                    (i32.or (i32.shl (ref.test (ref null struct) (local.get $v)) (i32.const 6)) (i32.shl (ref.test (ref array) (local.get $v)) (i32.const 7))))))
  (func (export "cast_q") (param i32) (result i32)
    (struct.get $q 0 (ref.cast (ref $q) (table.get $t (local.get 0)))))
  (func (export "branch") (param i32) (result i32)
    (block $is_p (result (ref $p))
      (block $not_struct (result anyref)
        (br_on_cast_fail $not_struct anyref (ref struct) (table.get $t (local.get 0)))
        (br_on_cast $is_p (ref struct) (ref $p))
        (return (i32.const -1)))
      (br_on_cast $is_p anyref (ref $p))
      (drop) (return (i32.const -2)))
    (struct.get $p 0))
  (func (export "i31") (param i32) (result i32 i32)
    (i31.get_s (ref.i31 (local.get 0))) (i31.get_u (ref.i31 (local.get 0))))
  (func (export "eq") (param i32 i32) (result i32)
    (ref.eq (ref.cast (ref null eq) (table.get $t (local.get 0))) (ref.cast (ref null eq) (table.get $t (local.get 1)))))
  (func (export "func_cast") (result i32)
    (call_ref $fn (ref.cast (ref $fn) (ref.func $seven))))
)`);

Deno.test("casts, br_on_cast(_fail), ref.test on every heap type, i31 and ref.eq, on both tiers, as on V8", () => {
  const calls: [string, ...unknown[]][] = [["setup"]];
  for (let i = 0; i < 6; i++) calls.push(["tests", i], ["cast_q", i], ["branch", i]);
  calls.push(["i31", 0x7fffffff], ["i31", -1], ["i31", 0x40000000], ["eq", 0, 0], ["eq", 0, 1], ["eq", 4, 4]);
  calls.push(["eq", 5, 5], ["func_cast"]);
  // One instance per engine: "setup" fills the table the other calls read.
  sameAsV8(CASTS, calls);
});

const BOUNDARY = wat(`(module
  (type $s (struct (field (mut i32))))
  (type $t (struct (field (mut f64))))
  (func (export "make") (param i32) (result (ref $s)) (struct.new $s (local.get 0)))
  (func (export "get") (param (ref null $s)) (result i32) (struct.get $s 0 (local.get 0)))
  (func (export "id_any") (param anyref) (result anyref) (local.get 0))
  (func (export "id_eq") (param eqref) (result eqref) (local.get 0))
  (func (export "id_i31") (param i31ref) (result i31ref) (local.get 0))
  (func (export "is_i31") (param anyref) (result i32) (ref.test (ref i31) (local.get 0)))
  (func (export "is_s") (param anyref) (result i32) (ref.test (ref $s) (local.get 0)))
  (func (export "extern") (param anyref) (result externref) (extern.convert_any (local.get 0)))
  (func (export "intern") (param externref) (result anyref) (any.convert_extern (local.get 0)))
  (func (export "make_t") (result (ref $t)) (struct.new $t (f64.const 1)))
)`);

Deno.test("GC references at the JS boundary: opaque, unchanged on the way back, i31 as numbers, type-checked", () => {
  for (const [tier, options] of TIERS) {
    const e = instantiate(OURS, BOUNDARY, {}, options);
    const v8 = instantiate(WebAssembly, BOUNDARY);
    const s = e.make(41) as object;
    assert.equal(typeof s, "object", tier);
    assert.deepEqual(Object.keys(s), [], tier);
    // V8's objects have no prototype at all; ours have an empty one without Object.prototype above it.
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(s)), null, tier);
    assert.equal(s instanceof Object, false, tier);
    assert.equal(String(Object.keys(Object.getPrototypeOf(s))), "", tier);
    assert.equal(e.get(s), 41, tier);
    assert.equal(e.id_any(s), s, tier);
    assert.equal(e.extern(s), s, tier);
    assert.equal(e.intern(s), s, tier);
    assert.equal(e.is_s(s), 1, tier);
    // What JS gives as anyref, as V8 has it: i31-range integers become i31, everything else stays itself.
    for (const v of [5, -0x40000000, 0x3fffffff, 0x40000000, 1.5, -0, "str", null, {}, 7n]) {
      assert.deepEqual(
        [e.is_i31(v), e.id_any(v)],
        [v8.is_i31(v), v8.id_any(v)],
        `${tier}: ${Deno.inspect(v)}`,
      );
      assert.deepEqual(e.intern(v), v8.intern(v), `${tier}: intern ${Deno.inspect(v)}`);
    }
    const refusals: [string, unknown][] = [["id_eq", "str"], ["id_eq", 1.5], ["id_i31", 0x40000000], [
      "get",
      {},
    ]];
    refusals.push(["id_eq", {}], ["id_i31", 1.5]);
    for (const [name, v] of refusals) {
      assert.throws(() => e[name](v), TypeError, `${tier}: ${name}(${Deno.inspect(v)})`);
      assert.throws(() => v8[name](v), TypeError, `V8: ${name}(${Deno.inspect(v)})`);
    }
    // Another engine's struct, or one of another type, is not a (ref null $s).
    for (const v of [v8.make(1), e.make_t(), e.id_any(e.make_t())]) {
      assert.throws(() => e.get(v), TypeError, `${tier}: get(${Deno.inspect(v)})`);
    }
    assert.throws(() => e.id_i31(s), TypeError, tier);
    assert.equal(e.id_eq(s), s, tier);
    assert.equal(e.id_i31(-7), -7, tier);
    assert.throws(() => e.get(null), OURS.RuntimeError, tier);
  }
});

const REC =
  `(rec (type $node (struct (field i32) (field (ref null $pair)))) (type $pair (struct (field (ref $node)))))`;

Deno.test("the same recursion group in two modules is the same type: imports link, casts and calls pass", () => {
  const producer = wat(`(module ${REC}
    (func (export "make") (param i32) (result (ref $node)) (struct.new $node (local.get 0) (ref.null $pair)))
    (func (export "read") (param (ref $node)) (result i32) (struct.get $node 0 (local.get 0))))`);
  const consumer = wat(`(module ${REC}
    (import "p" "make" (func $make (param i32) (result (ref $node))))
    (import "p" "read" (func $read (param (ref $node)) (result i32)))
    (func (export "run") (param i32) (result i32)
      (call $read (ref.cast (ref $node) (call $make (local.get 0))))))`);
  const other = wat(
    `(module (rec (type $node (struct (field i32) (field (ref null $pair)))) (type $pair (struct (field (ref null $node)))))
    (import "p" "make" (func (param i32) (result (ref $node)))))`,
  );
  for (const [tier, options] of TIERS) {
    for (const api of [OURS, WebAssembly]) {
      const p = instantiate(api, producer, {}, options);
      assert.equal(instantiate(api, consumer, { p }, options).run(17), 17, tier);
      assert.throws(() => instantiate(api, other, { p }, options), api.LinkError, tier);
    }
  }
});

Deno.test("fuel is the same on both tiers for GC code", () => {
  const used = TIERS.map(([, options]) => {
    const instance = new Ours.Instance(new Ours.Module(STRUCTS), {}, { ...options, fuel: 10_000_000 });
    (instance.exports.list as (n: number) => number)(2000);
    return fuelConsumed(instance);
  });
  assert.ok(used[0] > 2000 * 10, `fuel used: ${used[0]}`);
  assert.deepEqual(used, [used[0], used[0], used[0]]);
});

Deno.test("a loop allocating short-lived structs runs in bounded memory (V8's collector reclaims them)", () => {
  const bytes = wat(`(module (type $s (struct (field (mut i64)) (field (ref null $s))))
    (func (export "churn") (param $n i32) (result i64) (local $x (ref null $s)) (local $sum i64)
      (loop $l
        (local.set $x (struct.new $s (i64.extend_i32_u (local.get $n)) (ref.null $s)))
        (local.set $sum (i64.add (local.get $sum) (struct.get $s 0 (local.get $x))))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $sum)))`);
  for (const [tier, options] of TIERS) {
    const e = instantiate(OURS, bytes, {}, options);
    const n = tier === "interpreter" ? 1_000_000 : 5_000_000;
    const before = Deno.memoryUsage().rss;
    assert.equal(e.churn(n), BigInt(n) * BigInt(n + 1) / 2n, tier);
    const grew = Deno.memoryUsage().rss - before;
    // Each struct takes about 100 bytes: kept, they would take 100 MB or more.
    assert.ok(grew < 64 * 1024 * 1024, `${tier}: RSS grew by ${(grew / 2 ** 20).toFixed(1)} MiB`);
  }
});

Deno.test("an array one element past V8's size limit traps as on V8, for each element width", () => {
  const types = ["i8", "i16", "i32", "i64", "f64", "anyref", "v128"];
  const bytes = wat(`(module ${types.map((t, i) => `(type $t${i} (array (mut ${t})))`).join(" ")}
    ${
    types.map((_, i) =>
      `(func (export "f${i}") (param i32) (result i32) (array.len (array.new_default $t${i} (local.get 0))))`
    )
      .join(" ")
  })`);
  // V8's limits: just under 1 GiB of elements, a reference counted as 8 bytes.
  const limits = [
    2 ** 30 - 32,
    2 ** 29 - 16,
    2 ** 28 - 8,
    2 ** 27 - 8,
    2 ** 27 - 8,
    2 ** 27 - 8,
    2 ** 26 - 8,
  ];
  const calls: [string, ...unknown[]][] = types.flatMap((
    _,
    i,
  ) => [[`f${i}`, limits[i] + 1], [`f${i}`, 1000]]);
  sameAsV8(bytes, calls);
  const e = instantiate(OURS, bytes);
  assert.throws(() => e.f0(limits[0] + 1), (x: Error) => x.message === "requested new array is too large");
});
