/**
 * The JS API's Memory, Table and Global objects (src/api/objects.ts, src/api/values.ts) against V8:
 * constructors and their descriptors (which members are read, in which order, how each converts),
 * value conversions and the TypeError/RangeError each bad input gives, the objects' methods and
 * accessors, and the identity of the objects an instance exports. Each case runs on V8's built-in
 * `WebAssembly` and on ours; the outcome (the value, or the error's class) must agree. The two
 * documented deviations (`shared` memories, the name "funcref") are pinned separately.
 */
import assert from "node:assert/strict";
import { WebAssembly as W } from "../mod.ts";
import { isRefType, ValType, valTypeName } from "../src/wasm/types.ts";
import { parseValueType } from "../src/api/values.ts";
import { wat } from "./wat.ts";

// deno-lint-ignore no-explicit-any
type NS = any;
const V8: NS = globalThis.WebAssembly;
const OURS: NS = W;

function fmt(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "function") return "function";
  if (typeof v === "symbol") return "symbol";
  if (Array.isArray(v)) return `[${v.map(fmt).join(", ")}]`;
  if (v instanceof ArrayBuffer) return `ArrayBuffer(${v.byteLength})`;
  if (typeof v === "object" && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

/** The value (formatted), or the class of what was thrown. */
function outcome(ns: NS, f: (ns: NS) => unknown): string {
  try {
    return `ok ${fmt(f(ns))}`;
  } catch (e) {
    return e instanceof Error ? e.constructor.name : `threw ${fmt(e)}`;
  }
}

function agree(cases: [string, (ns: NS) => unknown][]): void {
  for (const [what, f] of cases) {
    const v8 = outcome(V8, f), ours = outcome(OURS, f);
    assert.equal(ours, v8, `${what}: ours ${ours}, V8 ${v8}`);
  }
}

const big = 2 ** 32;
const valueOf = (n: unknown) => ({ valueOf: () => n });

Deno.test("Memory: the descriptor's members convert as WebIDL's [EnforceRange] unsigned long, as V8", () => {
  const mem = (d: unknown) => (ns: NS) => new ns.Memory(d).buffer;
  agree([
    ["initial 1", mem({ initial: 1 })],
    ["initial 0", mem({ initial: 0 })],
    ["initial 1.9 truncates", mem({ initial: 1.9 })],
    ["initial '2' converts", mem({ initial: "2" })],
    ["initial null is 0", mem({ initial: null })],
    ["initial true is 1", mem({ initial: true })],
    ["initial from valueOf", mem({ initial: valueOf(2) })],
    ["initial missing", mem({})],
    ["initial undefined", mem({ initial: undefined })],
    ["initial NaN", mem({ initial: NaN })],
    ["initial Infinity", mem({ initial: Infinity })],
    ["initial -1", mem({ initial: -1 })],
    ["initial -0.5", mem({ initial: -0.5 })],
    ["initial 2^32", mem({ initial: big })],
    ["initial a BigInt", mem({ initial: 1n })],
    ["initial a Symbol", mem({ initial: Symbol("x") })],
    ["initial 'x'", mem({ initial: "x" })],
    ["initial 65536 (the limit)", (ns) => new ns.Memory({ initial: 65536, maximum: 65536 }) && "created"],
    ["initial 65537", mem({ initial: 65537 })],
    ["maximum equal to initial", mem({ initial: 2, maximum: 2 })],
    ["maximum undefined", mem({ initial: 1, maximum: undefined })],
    ["maximum below initial", mem({ initial: 2, maximum: 1 })],
    ["maximum 65537", mem({ initial: 1, maximum: 65537 })],
    ["maximum 2^32", mem({ initial: 1, maximum: big })],
    ["maximum NaN", mem({ initial: 1, maximum: NaN })],
    ["maximum a BigInt", mem({ initial: 1, maximum: 2n })],
    ["shared without maximum", mem({ initial: 1, shared: true })],
    ["shared false without maximum", mem({ initial: 1, shared: false })],
    ["a function as the descriptor", mem(Object.assign(() => {}, { initial: 1 }))],
    ["an array as the descriptor", mem([])],
    ["no descriptor", (ns) => new ns.Memory()],
    ["null descriptor", mem(null)],
    ["a number as the descriptor", mem(1)],
    ["a string as the descriptor", mem("initial")],
    ["called without new", (ns) => ns.Memory({ initial: 1 })],
  ]);
});

Deno.test("Memory: grow, buffer and their errors, as V8", () => {
  agree([
    ["grow returns the old size", (ns) => new ns.Memory({ initial: 1 }).grow(2)],
    ["grow(1.5) truncates", (ns) => new ns.Memory({ initial: 1 }).grow(1.5)],
    ["grow('1')", (ns) => new ns.Memory({ initial: 1 }).grow("1")],
    ["grow() with no delta", (ns) => new ns.Memory({ initial: 1 }).grow()],
    ["grow(-1)", (ns) => new ns.Memory({ initial: 1 }).grow(-1)],
    ["grow(1n)", (ns) => new ns.Memory({ initial: 1 }).grow(1n)],
    ["grow(NaN)", (ns) => new ns.Memory({ initial: 1 }).grow(NaN)],
    ["grow(2^32)", (ns) => new ns.Memory({ initial: 1 }).grow(big)],
    ["grow past the maximum", (ns) => new ns.Memory({ initial: 1, maximum: 2 }).grow(2)],
    ["grow past 65536 pages", (ns) => new ns.Memory({ initial: 1 }).grow(65536)],
    ["grow to 65536 pages", (ns) => new ns.Memory({ initial: 0, maximum: 1 }).grow(1)],
    ["grow(0) replaces the buffer and detaches the old one", (ns) => {
      const m = new ns.Memory({ initial: 1 });
      const before = m.buffer;
      const old = m.grow(0);
      return [old, before === m.buffer, before.byteLength, m.buffer.byteLength];
    }],
    ["grow keeps the contents", (ns) => {
      const m = new ns.Memory({ initial: 1, maximum: 3 });
      new Uint8Array(m.buffer)[65535] = 7;
      m.grow(2);
      const b = new Uint8Array(m.buffer);
      return [b.length, b[65535], b[65536], b[3 * 65536 - 1]];
    }],
    ["buffer is the same object between growths", (ns) => {
      const m = new ns.Memory({ initial: 1 });
      return m.buffer === m.buffer;
    }],
    ["buffer of an empty memory", (ns) => new ns.Memory({ initial: 0 }).buffer],
    ["buffer is extensible", (ns) => Object.isExtensible(new ns.Memory({ initial: 0 }).buffer)],
    [
      "buffer getter on a non-Memory",
      (ns) => Object.getOwnPropertyDescriptor(ns.Memory.prototype, "buffer")!.get!.call({}),
    ],
    ["grow on a non-Memory", (ns) => ns.Memory.prototype.grow.call({}, 1)],
    ["toStringTag", (ns) => Object.prototype.toString.call(new ns.Memory({ initial: 0 }))],
  ]);
});

Deno.test("Table: descriptor, initial value, get/set/grow and their conversions, as V8", () => {
  const table = (d: unknown, ...v: unknown[]) => (ns: NS) => new ns.Table(d, ...v).length;
  agree([
    ["anyfunc", table({ element: "anyfunc", initial: 2 })],
    ["externref", table({ element: "externref", initial: 2 })],
    ["element from toString", table({ element: { toString: () => "anyfunc" }, initial: 1 })],
    ["element a String object", table({ element: new String("externref"), initial: 1 })],
    ["element a Symbol", table({ element: Symbol("anyfunc"), initial: 1 })],
    ["element i32", table({ element: "i32", initial: 1 })],
    ["element v128", table({ element: "v128", initial: 1 })],
    ["element missing", table({ initial: 1 })],
    ["initial missing", table({ element: "anyfunc" })],
    ["initial -1", table({ element: "anyfunc", initial: -1 })],
    ["initial 1.5", table({ element: "anyfunc", initial: 1.5 })],
    ["initial a BigInt", table({ element: "anyfunc", initial: 1n })],
    ["initial 10,000,000 (the limit)", table({ element: "anyfunc", initial: 10_000_000 })],
    ["initial 10,000,001", table({ element: "anyfunc", initial: 10_000_001 })],
    ["maximum below initial", table({ element: "anyfunc", initial: 2, maximum: 1 })],
    ["maximum 2^32", table({ element: "anyfunc", initial: 1, maximum: big })],
    ["maximum 2^32 - 1", table({ element: "anyfunc", initial: 1, maximum: big - 1 })],
    ["a function as the descriptor", table(Object.assign(() => {}, { element: "anyfunc", initial: 1 }))],
    ["no descriptor", (ns) => new ns.Table()],
    ["a string descriptor", table("anyfunc")],
    ["funcref initial value 5", table({ element: "anyfunc", initial: 1 }, 5)],
    ["funcref initial value a JS function", table({ element: "anyfunc", initial: 1 }, () => 0)],
    [
      "funcref initial value undefined",
      (ns) => new ns.Table({ element: "anyfunc", initial: 1 }, undefined).get(0),
    ],
    ["funcref initial value null", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }, null).get(0)],
    ["externref default entries", (ns) => new ns.Table({ element: "externref", initial: 2 }).get(1)],
    [
      "externref undefined initial value",
      (ns) => new ns.Table({ element: "externref", initial: 1 }, undefined).get(0),
    ],
    ["externref initial value", (ns) => new ns.Table({ element: "externref", initial: 2 }, "x").get(1)],
    ["externref null initial value", (ns) => new ns.Table({ element: "externref", initial: 1 }, null).get(0)],
    ["get(0.9) truncates", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get(0.9)],
    ["get('0')", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get("0")],
    ["get() with no index", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get()],
    ["get(1n)", (ns) => new ns.Table({ element: "anyfunc", initial: 2 }).get(1n)],
    ["get(NaN)", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get(NaN)],
    ["get(-0.5)", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get(-0.5)],
    ["get at the length", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).get(1)],
    ["set without a value (externref)", (ns) => {
      const t = new ns.Table({ element: "externref", initial: 1 }, 5);
      t.set(0);
      return t.get(0);
    }],
    ["set without a value (funcref)", (ns) => {
      const t = new ns.Table({ element: "anyfunc", initial: 1 });
      t.set(0);
      return t.get(0);
    }],
    ["set undefined (externref)", (ns) => {
      const t = new ns.Table({ element: "externref", initial: 1 }, 5);
      t.set(0, undefined);
      return t.get(0);
    }],
    ["set an object (externref)", (ns) => {
      const t = new ns.Table({ element: "externref", initial: 1 });
      const o = {};
      t.set(0, o);
      return t.get(0) === o;
    }],
    ["set a non-function (funcref)", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).set(0, {})],
    ["set a JS function (funcref)", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).set(0, () => 1)],
    ["set at the length", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).set(1, null)],
    ["set(-1)", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).set(-1, null)],
    ["grow returns the old length", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).grow(2)],
    ["grow without a value (externref)", (ns) => {
      const t = new ns.Table({ element: "externref", initial: 1 }, 5);
      t.grow(1);
      return t.get(1);
    }],
    ["grow with a value (externref)", (ns) => {
      const t = new ns.Table({ element: "externref", initial: 1 });
      t.grow(2, "y");
      return [t.length, t.get(0), t.get(1), t.get(2)];
    }],
    ["grow with a bad funcref", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).grow(1, 5)],
    ["grow(-1)", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).grow(-1)],
    ["grow past the maximum", (ns) => new ns.Table({ element: "anyfunc", initial: 1, maximum: 2 }).grow(2)],
    ["grow past 10,000,000", (ns) => new ns.Table({ element: "anyfunc", initial: 1 }).grow(10_000_000)],
    [
      "length getter on a non-Table",
      (ns) => Object.getOwnPropertyDescriptor(ns.Table.prototype, "length")!.get!.call({}),
    ],
    ["toStringTag", (ns) => Object.prototype.toString.call(new ns.Table({ element: "anyfunc", initial: 0 }))],
  ]);
});

Deno.test("Global: descriptor, value conversions for every type, mutability, as V8", () => {
  const g = (d: unknown, ...v: unknown[]) => (ns: NS) => new ns.Global(d, ...v).value;
  const set = (d: unknown, initial: unknown, v: unknown) => (ns: NS) => {
    const x = new ns.Global(d, initial);
    x.value = v;
    return x.value;
  };
  agree([
    ["i32 default", g({ value: "i32" })],
    ["i64 default", g({ value: "i64" })],
    ["f32 default", g({ value: "f32" })],
    ["f64 default", g({ value: "f64" })],
    ["externref default", g({ value: "externref" })],
    ["anyfunc default", g({ value: "anyfunc" })],
    ["i32 undefined is the default", g({ value: "i32" }, undefined)],
    ["i64 undefined is the default", g({ value: "i64" }, undefined)],
    ["i32 1.9", g({ value: "i32" }, 1.9)],
    ["i32 2^32 + 5 wraps", g({ value: "i32" }, big + 5)],
    ["i32 2^31 wraps", g({ value: "i32" }, 2 ** 31)],
    ["i32 '7'", g({ value: "i32" }, "7")],
    ["i32 null", g({ value: "i32" }, null)],
    ["i32 NaN", g({ value: "i32" }, NaN)],
    ["i32 valueOf", g({ value: "i32" }, valueOf(9))],
    ["i32 a BigInt", g({ value: "i32" }, 1n)],
    ["i32 a Symbol", g({ value: "i32" }, Symbol("s"))],
    ["i64 5n", g({ value: "i64" }, 5n)],
    ["i64 -1n", g({ value: "i64" }, -1n)],
    ["i64 2^63 wraps", g({ value: "i64" }, 2n ** 63n)],
    ["i64 2^64 + 1 wraps", g({ value: "i64" }, 2n ** 64n + 1n)],
    ["i64 a number", g({ value: "i64" }, 5)],
    ["i64 '5'", g({ value: "i64" }, "5")],
    ["i64 'x'", g({ value: "i64" }, "x")],
    ["i64 true", g({ value: "i64" }, true)],
    ["i64 null", g({ value: "i64" }, null)],
    ["i64 valueOf giving a number", g({ value: "i64" }, valueOf(5))],
    ["i64 valueOf giving a BigInt", g({ value: "i64" }, valueOf(6n))],
    ["f32 0.1 rounds", g({ value: "f32" }, 0.1)],
    ["f32 1e40 overflows", g({ value: "f32" }, 1e40)],
    ["f32 -0", g({ value: "f32" }, -0)],
    ["f32 a BigInt", g({ value: "f32" }, 1n)],
    ["f64 '1.5'", g({ value: "f64" }, "1.5")],
    ["f64 NaN", g({ value: "f64" }, NaN)],
    ["f64 -0", g({ value: "f64" }, -0)],
    ["externref an object", (ns) => {
      const o = {};
      return new ns.Global({ value: "externref" }, o).value === o;
    }],
    ["externref null", g({ value: "externref" }, null)],
    ["externref 5", g({ value: "externref" }, 5)],
    ["anyfunc null", g({ value: "anyfunc" }, null)],
    ["anyfunc a JS function", g({ value: "anyfunc" }, () => 1)],
    ["anyfunc 5", g({ value: "anyfunc" }, 5)],
    ["value type from toString", g({ value: { toString: () => "f64" } }, 2.5)],
    ["value type a String object", g({ value: new String("i64") }, 3n)],
    ["value type v128", g({ value: "v128" })],
    ["value type i8", g({ value: "i8" })],
    ["value type missing", g({})],
    ["value type a Symbol", g({ value: Symbol("i32") })],
    ["no descriptor", (ns) => new ns.Global()],
    ["null descriptor", g(null)],
    ["a string descriptor", g("i32")],
    ["a function as the descriptor", g(Object.assign(() => {}, { value: "i32" }), 4)],
    ["set an immutable global", set({ value: "i32" }, 1, 2)],
    ["set an immutable global (mutable: 0)", set({ value: "i32", mutable: 0 }, 1, 2)],
    ["set a mutable global", set({ value: "i32", mutable: true }, 1, 2)],
    ["mutable: 'false' is true", set({ value: "i32", mutable: "false" }, 1, 3)],
    ["set a mutable f64 'x'", set({ value: "f64", mutable: true }, 1, "x")],
    ["set a mutable i64 a number", set({ value: "i64", mutable: true }, 1n, 2)],
    ["set a mutable i64", set({ value: "i64", mutable: true }, 1n, -3n)],
    ["set a mutable f32", set({ value: "f32", mutable: true }, 1, 1 / 3)],
    ["set a mutable externref undefined", set({ value: "externref", mutable: true }, 5, undefined)],
    ["set a mutable anyfunc null", set({ value: "anyfunc", mutable: true }, null, null)],
    ["set a mutable anyfunc {}", set({ value: "anyfunc", mutable: true }, null, {})],
    ["valueOf", (ns) => new ns.Global({ value: "i64" }, 7n).valueOf()],
    [
      "value getter on a non-Global",
      (ns) => Object.getOwnPropertyDescriptor(ns.Global.prototype, "value")!.get!.call({}),
    ],
    ["toStringTag", (ns) => Object.prototype.toString.call(new ns.Global({ value: "i32" }))],
  ]);
});

Deno.test("descriptors: each member is read once, in WebIDL's order, and converted as it is read", () => {
  const reads = (ns: NS) => {
    const log: string[] = [];
    const spy = (o: Record<string, unknown>) =>
      new Proxy(o, {
        get(t, k, r) {
          // V8 also reads "address" (memory64/table64, beyond Wasm 2.0): not part of the comparison.
          if (k !== "address") log.push(String(k));
          return Reflect.get(t, k, r);
        },
      });
    const counted = (name: string, n: unknown) => ({ valueOf: () => (log.push(`${name}()`), n) });
    new ns.Memory(spy({ initial: counted("initial", 1), maximum: counted("maximum", 2), shared: false }));
    log.push("|");
    new ns.Table(spy({ element: "anyfunc", initial: counted("initial", 1), maximum: counted("maximum", 2) }));
    log.push("|");
    new ns.Global(spy({ value: "i32", mutable: true }), counted("value", 1));
    return log.join(" ");
  };
  assert.equal(reads(OURS), reads(V8));
  assert.equal(
    reads(OURS),
    "initial initial() maximum maximum() shared | element initial initial() maximum maximum() | mutable value value()",
  );
});

Deno.test("deviations from V8, documented: shared memories throw, 'funcref' names anyfunc", () => {
  // `shared: true` (with a maximum) is a SharedArrayBuffer in V8; we have no threads, and say so.
  assert.ok(new V8.Memory({ initial: 1, maximum: 2, shared: true }).buffer instanceof SharedArrayBuffer);
  assert.throws(
    () => new W.Memory({ initial: 1, maximum: 2, shared: true }),
    (e: Error) => e instanceof TypeError && e.message.includes("threads"),
  );
  // Without a maximum both refuse it alike.
  assert.throws(() => new V8.Memory({ initial: 1, shared: true }), TypeError);
  assert.throws(() => new W.Memory({ initial: 1, shared: true }), TypeError);
  // "funcref" is accepted where the JS API (and V8) only know "anyfunc".
  assert.throws(() => new V8.Global({ value: "funcref" }), TypeError);
  assert.equal(new W.Global({ value: "funcref" as "anyfunc" }).value, null);
  assert.equal(new W.Table({ element: "funcref", initial: 2 }).length, 2);
});

const EXPORTS = `(module
  (memory (export "mem") 1 3)
  (table (export "tab") 2 funcref)
  (table (export "ext") 1 externref)
  (global (export "i32") (mut i32) (i32.const -5))
  (global (export "i64") (mut i64) (i64.const -0x7fffffffffffffff))
  (global (export "f32") f32 (f32.const 0.1))
  (global (export "f64") (mut f64) (f64.const -0))
  (global (export "fref") (mut funcref) (ref.null func))
  (global (export "eref") (mut externref) (ref.null extern))
  (global (export "vec") (mut v128) (v128.const i32x4 1 2 3 4))
  (func $f (export "f") (result i32) i32.const 42)
  (elem (i32.const 1) func $f)
  (func (export "getI64") (result i64) global.get 1)
  (func (export "callFref") (result i32) (call_indirect (result i32) (i32.const 1))))`;

Deno.test({
  name: "exported memories, tables and globals: values, identity and writes seen by wasm, as V8",
  fn() {
    const bytes = wat(EXPORTS);
    const run = (ns: NS) => {
      const x = new ns.Instance(new ns.Module(bytes), {}).exports;
      const out: unknown[] = [];
      out.push(x.mem === x.mem, x.tab === x.tab, x.i32 === x.i32, x.mem.buffer.byteLength);
      out.push(x.i32.value, x.i64.value, x.f32.value, x.f64.value, x.fref.value, x.eref.value);
      out.push(x.tab.get(0), x.tab.get(1) === x.f, x.tab.get(1)(), x.ext.get(0));
      x.i64.value = 2n ** 63n; // wraps to -2^63
      out.push(x.getI64(), x.i64.value);
      x.fref.value = x.f;
      out.push(x.fref.value === x.f);
      x.eref.value = "s";
      out.push(x.eref.value);
      x.tab.set(0, x.f);
      out.push(x.tab.get(0) === x.tab.get(1));
      out.push(outcome(ns, () => (x.f32.value = 1)));
      out.push(outcome(ns, () => x.vec.value), outcome(ns, () => (x.vec.value = 1)));
      out.push(x.mem.grow(1), x.mem.buffer.byteLength, outcome(ns, () => x.mem.grow(1)));
      out.push(x.callFref());
      return out.map(fmt).join(" ");
    };
    assert.equal(run(OURS), run(V8));
  },
});

Deno.test({
  name: "imported Memory, Table and Global objects are the exported ones again, and share their state",
  fn() {
    const bytes = wat(`(module
      (import "m" "mem" (memory 1))
      (import "m" "tab" (table 1 funcref))
      (import "m" "g" (global (mut i32)))
      (export "mem" (memory 0)) (export "tab" (table 0)) (export "g" (global 0))
      (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1)))
        (i32.store8 (i32.const 3) (i32.const 9))))`);
    const run = (ns: NS) => {
      const mem = new ns.Memory({ initial: 1 });
      const tab = new ns.Table({ element: "anyfunc", initial: 1 });
      const g = new ns.Global({ value: "i32", mutable: true }, 41);
      const x = new ns.Instance(new ns.Module(bytes), { m: { mem, tab, g } }).exports;
      x.bump();
      return [x.mem === mem, x.tab === tab, x.g === g, g.value, new Uint8Array(mem.buffer)[3]].map(fmt).join(
        " ",
      );
    };
    assert.equal(run(OURS), run(V8));
    assert.equal(run(OURS), "true true true 42 9");
  },
});

Deno.test("value type names: parseValueType, valTypeName and isRefType", () => {
  const names: [string, ValType][] = [
    ["i32", ValType.I32],
    ["i64", ValType.I64],
    ["f32", ValType.F32],
    ["f64", ValType.F64],
    ["v128", ValType.V128],
    ["funcref", ValType.FuncRef],
    ["externref", ValType.ExternRef],
  ];
  for (const [name, t] of names) {
    assert.equal(parseValueType(name), t);
    assert.equal(valTypeName(t), name);
    assert.equal(isRefType(t), t === ValType.FuncRef || t === ValType.ExternRef, name);
  }
  assert.equal(parseValueType("anyfunc"), ValType.FuncRef);
  assert.equal(parseValueType({ toString: () => "i64" }), ValType.I64);
  assert.throws(() => parseValueType("I32"), TypeError);
  assert.throws(() => parseValueType(Symbol("i32")), TypeError);
  // A byte that is no value type is shown as hex.
  assert.equal(valTypeName(0x40 as ValType), "0x40");
  assert.equal(valTypeName(0x6e as ValType), "0x6e");
});

Deno.test({
  name: "exported functions: name (the function index) and length (the parameter count), as V8",
  fn() {
    const bytes = wat(`(module
      (import "m" "h" (func $h (param i32 i64 f32)))
      (func (export "none"))
      (func (export "two") (param i32 f64) (result i32) local.get 0)
      (func (export "five") (param i32 i32 i64 f32 f64))
      (export "h" (func $h)))`);
    const run = (ns: NS) => {
      const x = new ns.Instance(new ns.Module(bytes), { m: { h: () => {} } }).exports;
      return ["none", "two", "five", "h"].map((e) => `${e}:${x[e].name}/${x[e].length}`).join(" ");
    };
    assert.equal(run(OURS), run(V8));
    // A re-exported import is an exported function too: named by its index, its length from its type.
    assert.equal(run(OURS), "none:1/0 two:2/2 five:3/5 h:0/3");
  },
});

Deno.test({
  name:
    "imported globals given as plain values: immutable ones take numbers and BigInts, mutable ones need a Global, as V8",
  fn() {
    const module = (type: string) =>
      wat(
        `(module (import "m" "g" (global ${type})) (func (export "get") (result ${
          type.replace(/[()]|mut /g, "")
        })
        global.get 0))`,
      );
    const cases: [string, unknown][] = [
      ["i32", 42],
      ["i32", 2 ** 32 + 5], // ToInt32
      ["f64", -0.5],
      ["f32", 0.1],
      ["i64", 5n],
      ["i64", 5], // a number for an i64: LinkError
      ["i32", 5n], // a BigInt for an i32: LinkError
      ["i32", "7"], // not a number: LinkError
      ["(mut i32)", 42], // mutable: only a Global
      ["(mut i64)", 5n],
    ];
    const run = (ns: NS) =>
      cases.map(([type, value]) =>
        outcome(ns, (ns) => new ns.Instance(new ns.Module(module(type)), { m: { g: value } }).exports.get())
      ).join(" ");
    assert.equal(run(OURS), run(V8));
    assert.equal(
      run(OURS),
      "ok 42 ok 5 ok -0.5 ok 0.10000000149011612 ok 5n LinkError LinkError LinkError LinkError LinkError",
    );
  },
});
