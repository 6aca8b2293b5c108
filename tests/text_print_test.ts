/**
 * Tests of the text printer (`printWat`, src/text/print.ts). The oracles are other projects' parsers,
 * all from the npm registry, so the tests need nothing outside Deno and npm:
 *
 * - wasm-tools (its text parser and printer compiled to wasm, in npm:@bytecodealliance/jco) for the
 *   Wasm 2.0 and 3.0 spec suites, the repository's modules and the float constants: print, parse back,
 *   compare the bytes (custom sections aside), or, where the original uses an encoding wasm-tools does
 *   not choose, compare what wasm-tools prints for the two;
 * - npm:binaryen for the focused tests of Wasm 3.0 features (GC, try_table, legacy exceptions, relaxed
 *   SIMD…): binaryen builds a module, we print it, binaryen parses our text and must encode the same bytes.
 *
 * Our own parser (`parseWat`, src/text/parse.ts, through tests/wat.ts) builds the input modules of the
 * focused tests, whose printed text is checked against literal expectations, so no independent oracle
 * is needed there. Elsewhere it is no oracle for its sibling printer: it reads the printed texts back as
 * a second reader (custom sections, floats, the repository's modules, the 3.0 suite), never the only one.
 */
import assert from "node:assert/strict";
import { parseWat } from "../src/text/parse.ts";
import { printWat } from "../src/text/print.ts";
import { CompileError } from "../src/wasm/errors.ts";
import { missingPrerequisite } from "./spec/prerequisites.ts";
import { wat } from "./wat.ts";
import { canonicalSections } from "./text_parse_helpers.ts";
import { leb, name, section, vec } from "./spec/module_bytes.ts";

const SPEC_DIR = new URL("../../shared/spec/wasm-2.0-json/", import.meta.url).pathname;
const REPO = new URL("../", import.meta.url).pathname;
const haveSpec = (() => {
  try {
    return Deno.statSync(SPEC_DIR).isDirectory;
  } catch {
    return false;
  }
})();
if (!haveSpec) {
  missingPrerequisite(
    "the WebAssembly 2.0 spec suite",
    "the text printer's round trip over the spec suite",
    "put the spec suite's wast2json output in ../shared/spec/wasm-2.0-json",
  );
}

// binaryen is the Wasm 3.0 oracle; it comes from the npm registry when the test first runs.
// deno-lint-ignore no-explicit-any
type Binaryen = any;
// deno-lint-ignore no-import-prefix
const binaryen: Binaryen | undefined = await import("npm:binaryen@132").then(
  (m) => m.default,
  () => undefined,
);
if (!binaryen) {
  missingPrerequisite(
    "npm:binaryen",
    "the text printer's Wasm 3.0 round trips",
    "let deno fetch npm:binaryen@132 from the npm registry",
  );
}

// wasm-tools (its parser and printer, compiled to wasm, in npm:@bytecodealliance/jco) is the oracle
// for the round trips (both spec suites, the repository's modules, the floats): it reads every 3.0
// feature, and its parser does not validate. It comes from the npm registry when the test first runs.
interface WasmTools {
  parse(text: string): Promise<Uint8Array>;
  print(bytes: Uint8Array): Promise<string>;
}
// deno-lint-ignore no-import-prefix
const wasmTools: WasmTools | undefined = await import("npm:@bytecodealliance/jco@1.35.0").then(
  (m) => m as unknown as WasmTools,
  () => undefined,
);
if (!wasmTools) {
  missingPrerequisite(
    "npm:@bytecodealliance/jco",
    "the text printer's round trips through wasm-tools (spec suites, repository modules, floats)",
    "let deno fetch npm:@bytecodealliance/jco@1.35.0 from the npm registry",
  );
}
const SPEC3_DIR = new URL("../../shared/spec/wasm-3.0/", import.meta.url).pathname;
const haveSpec3 = (() => {
  try {
    return Deno.statSync(SPEC3_DIR).isDirectory;
  } catch {
    return false;
  }
})();
if (!haveSpec3) {
  missingPrerequisite(
    "the WebAssembly 3.0 spec suite",
    "the text printer's round trip over the 3.0 spec suite",
    "put the spec suite's .wast files in ../shared/spec/wasm-3.0",
  );
}

// ---- Small helpers ----

const moduleOf = (...sections: number[][]) =>
  new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections.flat()]);

/** A module with one function `() -> ()` whose body is `code` (without the final end). */
function withBody(code: number[], extraSections: number[][] = []): Uint8Array {
  const body = [0, ...code, 0x0b];
  return moduleOf(
    section(1, vec([[0x60, 0, 0]])),
    section(3, vec([[0]])),
    ...extraSections,
    section(10, vec([[...leb(body.length), ...body]])),
  );
}

/** The module without its custom sections (the part a text round trip must keep byte for byte). */
function withoutCustomSections(b: Uint8Array, dropDataCount = false): Uint8Array {
  const out: number[] = [...b.subarray(0, 8)];
  let p = 8;
  while (p < b.length) {
    const start = p++;
    let size = 0;
    for (let shift = 0;; shift += 7) {
      const x = b[p++];
      size += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) break;
    }
    if (b[start] !== 0 && !(dropDataCount && b[start] === 12)) out.push(...b.subarray(start, p + size));
    p += size;
  }
  return new Uint8Array(out);
}

/**
 * Whether a module has a data count section that no instruction needs: binaryen writes one whenever bulk
 * memory is on; the text format cannot say so, and encoders write it only for `memory.init` and `data.drop`.
 */
function needlessDataCount(b: Uint8Array): boolean {
  return withoutCustomSections(b, true).length !== withoutCustomSections(b).length &&
    sameBytes(withoutCustomSections(b, true), withoutCustomSections(parseWat(printWat(b))));
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * `text` as wasm-tools will read it. Its lexer refuses, anywhere in the text, the bidirectional
 * formatting characters of "Trojan Source" attacks (U+202A, U+202B, U+202D, U+202E, U+2066 to U+2069,
 * U+206C), though the text format allows any character in a string. Such a character can only stand in
 * a string or a comment, where the escape `\u{…}` means the same, so this escapes them. (The spec
 * suites' names.wast has them raw in export names, and we print them raw: wabt read them.)
 */
const forWasmTools = (text: string) =>
  text.replace(
    /[\u202a\u202b\u202d\u202e\u2066-\u2069\u206c]/g,
    (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );

/** wasm-tools' parser on our text: the module's bytes, or the first lines of its complaint. */
async function toolsParse(text: string): Promise<Uint8Array | string> {
  try {
    return await wasmTools!.parse(forWasmTools(text));
  } catch (e) {
    return String(e).split("\n").slice(0, 2).join(" | ");
  }
}

/**
 * wasm-tools' printer on two modules, custom sections aside: whether they are one module encoded two
 * ways (over-long LEB128s, empty sections…).
 */
async function samePrinted(a: Uint8Array, b: Uint8Array): Promise<boolean> {
  const tools = wasmTools!;
  return await tools.print(withoutCustomSections(a)) === await tools.print(withoutCustomSections(b));
}

/** Prints, parses back with binaryen, and checks that binaryen encodes the same bytes. */
function binaryenRoundTrip(text: string, folded = false): { bytes: Uint8Array; printed: string } {
  binaryen.setDebugInfo(true);
  const original = binaryen.parseText(text);
  original.setFeatures(binaryen.Features.All);
  assert.ok(original.validate(), "binaryen validates the test module");
  const bytes: Uint8Array = original.emitBinary();
  original.dispose();
  new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>); // V8 agrees it is a valid Wasm 3.0 module
  const printed = printWat(bytes, { folded });
  const back = binaryen.parseText(printed);
  back.setFeatures(binaryen.Features.All);
  const again: Uint8Array = back.emitBinary();
  back.dispose();
  assert.ok(sameBytes(bytes, again), `binaryen re-encodes our text to other bytes:\n${printed}`);
  return { bytes, printed };
}

function assertHas(text: string, ...parts: string[]): void {
  for (const part of parts) assert.ok(text.includes(part), `missing ${JSON.stringify(part)} in:\n${text}`);
}

// ---- Focused tests ----

Deno.test("printWat: flat and folded forms of one function", () => {
  const bytes = wat(`(module (func $inc (export "inc") (param $x i32) (result i32)
    (i32.add (local.get $x) (i32.const 1))))`);
  assert.equal(
    printWat(bytes),
    `(module
  (type (func (param i32) (result i32)))
  (func $inc (type 0) (param $x i32) (result i32)
    local.get $x
    i32.const 1
    i32.add)
  (export "inc" (func $inc)))
`,
  );
  assertHas(printWat(bytes, { folded: true }), "(i32.add (local.get $x) (i32.const 1)))");
});

Deno.test("printWat: folding follows the stack, not the text", () => {
  // The call's two results and a value left under a block cannot be nested: they stay flat statements.
  const bytes = wat(`(module
    (func $two (result i32 i32) (i32.const 1) (i32.const 2))
    (func (result i32)
      (local i32)
      (call $two)
      (i32.add)
      (i32.const 5)
      (block (result i32) (br_if 0 (i32.const 7) (local.get 0)))
      (i32.mul)
      (i32.add)
      (if (i32.eqz (local.get 0)) (then (local.set 0 (i32.const 3))) (else (nop)))))`);
  const text = printWat(bytes, { folded: true });
  assertHas(
    text,
    "(call $two)\n    i32.add",
    "(i32.mul\n      (i32.const 5)\n      (block (result i32)\n" +
      "        (br_if 0 (i32.const 7) (local.get 0))))",
    "(if\n      (i32.eqz (local.get 0))\n      (then\n        (local.set 0 (i32.const 3)))",
  );
});

Deno.test("printWat: names of every index space, quoted and kept unique", async () => {
  const nameMap = (entries: [number, string][]) => vec(entries.map(([i, n]) => [...leb(i), ...name(n)]));
  const sub = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  const names = [
    ...sub(0, name("mod")),
    ...sub(1, nameMap([[0, "f"], [1, "f"], [2, "has space"]])),
    ...sub(2, vec([[...leb(0), ...nameMap([[0, "p"], [1, "l"]])]])),
    ...sub(3, vec([[...leb(0), ...nameMap([[0, "outer"]])]])),
    ...sub(4, nameMap([[0, "sig"]])),
    ...sub(7, nameMap([[0, "g"]])),
  ];
  const body = [1, 1, 0x7f, 0x02, 0x40, 0x0c, 0, 0x0b, 0x20, 0, 0x21, 1, 0x0b];
  const bytes = moduleOf(
    section(1, vec([[0x60, 1, 0x7f, 0]])),
    section(3, vec([[0], [0], [0]])),
    section(6, vec([[0x7f, 0, 0x41, 5, 0x0b]])),
    section(10, vec([[...leb(body.length), ...body], [2, 0, 0x0b], [2, 0, 0x0b]])),
    section(0, [...name("name"), ...names]),
  );
  const text = printWat(bytes);
  assertHas(
    text,
    "(module $mod",
    "(type $sig (func (param i32)))",
    "(func $f (type $sig) (param $p i32)\n    (local $l i32)\n    block $outer\n      br $outer",
    "local.get $p\n    local.set $l",
    "(func $f.1 (type $sig)",
    '(func $"has space" (type $sig)',
    "(global $g i32 (i32.const 5))",
  );
  assert.ok(!text.includes("@custom"), "a name section that was read is not also printed as bytes");
  if (wasmTools) {
    // wasm-tools reads quoted identifiers, and refuses duplicates.
    const back = await wasmTools.parse(text);
    assert.deepEqual(withoutCustomSections(back), withoutCustomSections(bytes));
  }
});

Deno.test("printWat: a malformed name section is ignored, and printed as a custom section", () => {
  const bytes = moduleOf(section(0, [...name("name"), 1, 5, 1]));
  assert.equal(printWat(bytes), '(module\n  (@custom "name" (before first) "\\01\\05\\01"))\n');
});

Deno.test("printWat: custom sections keep their place", async () => {
  const bytes = moduleOf(
    section(0, [...name("first"), 1, 2]),
    section(1, vec([[0x60, 0, 0]])),
    section(0, [...name("after types"), 0x22, 0x5c]),
  );
  const text = printWat(bytes);
  assertHas(
    text,
    '(@custom "first" (before first) "\\01\\02")',
    '(@custom "after types" (after type) "\\22\\5c")',
  );
  // wasm-tools is the oracle; our own parser must read the annotations back to the same bytes too.
  if (wasmTools) assert.deepEqual(await wasmTools.parse(text), bytes);
  assert.deepEqual(parseWat(text), bytes);
});

/** A deterministic stream of 32-bit patterns (xorshift), so a failure can be reproduced. */
function* bitPatterns(seed: number, count: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield x >>> 0;
  }
}

Deno.test(
  "printWat: floats print exactly, NaN payloads and signs included",
  { ignore: !wasmTools },
  async () => {
    const f32 = [
      0,
      0x80000000,
      1,
      0x80000001,
      0x007fffff,
      0x00800000,
      0x7f7fffff,
      0x7f800000,
      0xff800000,
      0x7fc00000,
      0xffc00000,
      0x7f800001,
      0x7fa00000,
      0xffffffff,
      0x3f800000,
      0x3dcccccd,
      0x4b7fffff,
      0x4b800001,
      ...bitPatterns(0x9e3779b9, 3000),
    ];
    const f64 = [
      [0, 0],
      [0, 0x80000000],
      [1, 0],
      [0xffffffff, 0x000fffff],
      [0xffffffff, 0x7fefffff],
      [0, 0x7ff00000],
      [0, 0xfff80000],
      [1, 0x7ff00000],
      [0, 0x7ff40000],
      [0x9999999a, 0x3fb99999],
      ...[...bitPatterns(0x1234567, 6000)].map((x, i, all) => [x, all[i ^ 1]]).filter((_, i) => i % 2 === 0),
    ];
    const le = (x: number) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24];
    const code = [
      ...f32.flatMap((bits) => [0x43, ...le(bits), 0x1a]),
      ...f64.flatMap(([lo, hi]) => [0x44, ...le(lo), ...le(hi), 0x1a]),
    ];
    const bytes = withBody(code);
    const text = printWat(bytes);
    assertHas(text, "f32.const -0\n", "f32.const 1e-45\n", "f32.const 3.4028235e+38\n", "f32.const -inf\n");
    assertHas(text, "f32.const nan\n", "f32.const -nan\n", "f32.const nan:0x1\n", "f32.const nan:0x200000\n");
    assertHas(text, "f32.const -nan:0x7fffff\n", "f32.const 0.1\n", "f64.const 5e-324\n", "f64.const -nan\n");
    assertHas(text, "f64.const nan:0x1\n", "f64.const nan:0x4000000000000\n", "f64.const 0.1\n");
    // wasm-tools' float parser is the oracle (an independent reading of the text's decimal and hex
    // floats and NaN payloads); our own parseWat must agree with it.
    for (const folded of [false, true]) {
      const back = await toolsParse(printWat(bytes, { folded }));
      assert.ok(back instanceof Uint8Array, String(back));
      assert.ok(sameBytes(back, bytes), "every float constant reads back to its bits with wasm-tools");
      assert.ok(sameBytes(parseWat(printWat(bytes, { folded })), bytes), "and with parseWat");
    }
  },
);

Deno.test("printWat: memory64, multiple memories, tables with initialisers, extended constants", {
  ignore: !binaryen,
}, () => {
  const { printed } = binaryenRoundTrip(
    `(module
    (type $f (func (param i32) (result i32)))
    (import "env" "mem" (memory $m0 i64 1 10))
    (memory $m1 2 3)
    (table $t64 i64 2 funcref)
    (table $ti 1 (ref null $f) (ref.func $inc))
    (global $base i32 (i32.const 40))
    (global $k i32 (i32.add (i32.const 1) (i32.mul (i32.const 2) (global.get $base))))
    (data (memory $m1) (i32.const 8) "hi\\00\\ff")
    (data $pd "passive")
    (elem $e (table $t64) (i64.const 0) func $inc)
    (func $inc (type $f) (i32.add (local.get 0) (i32.const 1)))
    (func $mem (param i64) (result i32)
      (i64.store offset=4294967300 align=4 (local.get 0) (i64.const -1))
      (i32.store $m1 offset=4 (i32.const 0) (i32.load8_u $m1 (i32.const 1)))
      (memory.copy $m1 $m1 (i32.const 0) (i32.const 0) (i32.const 1))
      (memory.init $m1 $pd (i32.const 0) (i32.const 0) (i32.const 1))
      (drop (memory.grow $m1 (i32.const 1)))
      (drop (memory.size $m0))
      (table.set $t64 (i64.const 1) (table.get $t64 (i64.const 0)))
      (i32.load (local.get 0))))`,
    true,
  );
  assertHas(
    printed,
    '(import "env" "mem" (memory $m0 i64 1 10))',
    "(table $t64 i64 2 funcref)",
    "(table $ti 1 (ref null $f) (ref.func $inc))",
    "(global $k i32 (i32.add (i32.const 1) (i32.mul (i32.const 2) (global.get $base))))",
    "(i64.store offset=4294967300 align=4 (local.get 0) (i64.const -1))",
    "(i32.store $m1 offset=4 (i32.const 0) (i32.load8_u $m1 (i32.const 1)))",
    "(memory.init $m1 $pd",
    "(elem $e (offset (i64.const 0)) func $inc)",
    '(data (memory $m1) (offset (i32.const 8)) "hi\\00\\ff")',
  );
});

Deno.test("printWat: GC types and instructions, typed function references", { ignore: !binaryen }, () => {
  const { printed } = binaryenRoundTrip(
    `(module
    (rec
      (type $node (sub (struct (field $val (mut i32)) (field $next (ref null $node)))))
      (type $leaf (sub final $node
        (struct (field $val (mut i32)) (field $next (ref null $node)) (field $w i8)))))
    (type $arr (array (mut i16)))
    (type $f (func (param i32) (result i32)))
    (global $g (ref null $node) (ref.null none))
    (elem declare func $id)
    (func $id (type $f) (local.get 0))
    (func $main (export "main") (param $p i32) (result i32)
      (local $n (ref null $node))
      (local $a (ref $arr))
      (local.set $n (struct.new $node (i32.const 1) (ref.null none)))
      (struct.set $node $val (local.get $n) (i32.const 5))
      (local.set $a (array.new $arr (i32.const 7) (i32.const 3)))
      (array.set $arr (local.get $a) (i32.const 0) (i32.const 9))
      (drop (array.get_u $arr (local.get $a) (i32.const 1)))
      (drop (ref.test (ref $leaf) (local.get $n)))
      (drop (ref.cast (ref null $node) (local.get $n)))
      (drop (block $l (result (ref null $node))
        (br_on_cast $l (ref null $node) (ref $leaf) (local.get $n)) (drop) (ref.null none)))
      (drop (i31.get_s (ref.i31 (i32.const 3))))
      (drop (any.convert_extern (ref.null noextern)))
      (drop (call_ref $f (i32.const 1) (ref.func $id)))
      (i32.add (struct.get $node $val (local.get $n))
        (array.len (array.new_fixed $arr 2 (i32.const 1) (i32.const 2))))))`,
    true,
  );
  assertHas(
    printed,
    "(rec\n    (type $node (sub (struct (field $val (mut i32)) (field $next (ref null $node)))))",
    "(type $leaf (sub final $node (struct (field $val (mut i32)) (field $next (ref null $node)) " +
      "(field $w i8)))))",
    "(type $arr (array (mut i16)))",
    "(local $n (ref null $node))",
    "(struct.set $node $val (local.get $n) (i32.const 5))",
    "(ref.test (ref $leaf) (local.get $n))",
    "(drop (br_on_cast 0 (ref null $node) (ref $leaf) (local.get $n)))",
    "(array.len (array.new_fixed $arr 2 (i32.const 1) (i32.const 2)))",
    "(call_ref $f (i32.const 1) (ref.func $id))",
    "(elem declare func $id)",
  );
});

Deno.test("printWat: exceptions (try_table), tail calls", { ignore: !binaryen }, () => {
  const { printed } = binaryenRoundTrip(`(module
    (type $f (func (param i32) (result i32)))
    (table $t 1 funcref)
    (tag $e (param i32))
    (tag $e0)
    (func $inc (type $f) (i32.add (local.get 0) (i32.const 1)))
    (func $tail (param i32) (result i32) (return_call $inc (local.get 0)))
    (func $tail2 (param i32) (result i32) (return_call_indirect $t (type $f) (local.get 0) (i32.const 0)))
    (func $new (param i32) (result i32)
      (drop (block $out (result i32)
        (try_table (result i32) (catch $e $out)
          (throw $e (local.get 0)))))
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (throw $e0))
        (unreachable))
      (throw_ref)))`);
  assertHas(
    printed,
    "(tag $e (type 1) (param i32))",
    "return_call $inc",
    "return_call_indirect (type $f)",
    "try_table (result i32) (catch $e 0)",
    "try_table (catch_all_ref 0)",
    "throw_ref",
  );
});

Deno.test("printWat: legacy exceptions (try, catch, delegate, rethrow)", { ignore: !binaryen }, () => {
  const { printed } = binaryenRoundTrip(`(module
    (tag $e (param i32))
    (func $old (param $x i32) (result i32)
      (try $t (result i32)
        (do (throw $e (local.get $x)))
        (catch $e (i32.add (i32.const 1)))
        (catch_all (i32.const 2))))
    (func $nested
      (try $a
        (do (try (do (call $nested)) (delegate $a)))
        (catch_all (rethrow $a)))))`);
  assertHas(
    printed,
    "try (result i32)\n      local.get $x\n      throw $e\n    catch $e\n" +
      "      i32.const 1\n      i32.add\n    catch_all",
    "try\n      try\n        call $nested\n      delegate 0\n    catch_all\n      rethrow 0\n    end",
  );
  const folded = printWat(binaryen.parseText(printed).emitBinary(), { folded: true });
  assertHas(folded, "(try (result i32)\n      (do\n        (throw $e (local.get $x)))\n      (catch $e");
  assertHas(folded, "(try\n          (do\n            (call $nested))\n          (delegate 0)))");
});

Deno.test("printWat: SIMD and relaxed SIMD", { ignore: !binaryen }, () => {
  const { printed } = binaryenRoundTrip(
    `(module
    (memory 1)
    (func $simd (param v128) (result v128)
      (local.set 0 (f32x4.relaxed_madd (local.get 0) (v128.const f32x4 1.5 -0 nan inf) (local.get 0)))
      (local.set 0 (i8x16.relaxed_swizzle
        (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (local.get 0) (local.get 0)) (local.get 0)))
      (local.set 0 (v128.load16_lane offset=2 align=1 5 (i32.const 0) (local.get 0)))
      (local.set 0 (i16x8.replace_lane 7 (local.get 0) (i16x8.extract_lane_u 1 (local.get 0))))
      (local.set 0 (i32x4.relaxed_laneselect (local.get 0) (local.get 0) (local.get 0)))
      (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 0) (local.get 0))))`,
    true,
  );
  assertHas(
    printed,
    "(v128.const i32x4 0x3fc00000 0x80000000 0x7fc00000 0x7f800000)",
    "(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (local.get 0) (local.get 0))",
    "(v128.load16_lane offset=2 align=1 5 (i32.const 0) (local.get 0))",
    "(i16x8.replace_lane 7 (local.get 0) (i16x8.extract_lane_u 1 (local.get 0)))",
    "i32x4.relaxed_laneselect",
    "(i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 0) (local.get 0))",
  );
});

Deno.test("printWat: a malformed binary is a CompileError with its offset", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([0, 0x61, 0x73]), /unexpected end/],
    [new Uint8Array([1, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), /magic header/],
    [new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), /unknown binary version/],
    [moduleOf(section(14, [])), /malformed section id \(at byte offset 0x8\)/],
    [moduleOf(section(3, vec([[0]]))), /inconsistent lengths/],
    [withBody([0xff]), /illegal opcode 0xff/],
    [withBody([0xfd, 0x9a, 0x01]), /illegal opcode 0xfd/],
    [withBody([0x41]), /unexpected end/],
    [withBody([0x28, 0x80, 0x01, 0]), /malformed memop flags/],
    [withBody([0x02, 0x40]), /unexpected end|section size/],
    [moduleOf(section(1, vec([[0x60, 1, 0x55, 0]]))), /malformed value type \(at byte offset 0xd\)/],
    [moduleOf(section(7, vec([[...name("x"), 9, 0]]))), /malformed export kind/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => printWat(bytes), (e) => e instanceof CompileError && message.test(e.message));
  }
});

Deno.test("printWat: damaged modules throw CompileError or print, never anything else", () => {
  const seeds = ["bench/wasm/fib.wasm", "bench/wasm/matmul.wasm", "bench/wasm/saxpy_simd.wasm"]
    .map((p) => Deno.readFileSync(REPO + p));
  const random = bitPatterns(0xdecafbad, 1 << 20);
  const next = () => random.next().value as number;
  let compileErrors = 0;
  for (let i = 0; i < 3000; i++) {
    const bytes = seeds[i % seeds.length].slice();
    for (let k = 1 + (next() % 3); k > 0; k--) bytes[next() % bytes.length] = next() & 0xff;
    const cut = i % 5 === 0 ? bytes.subarray(0, next() % bytes.length) : bytes;
    try {
      printWat(cut, { folded: i % 2 === 0 });
    } catch (e) {
      if (!(e instanceof CompileError) || /cannot print module/.test(e.message)) throw e;
      compileErrors++;
    }
  }
  assert.ok(compileErrors > 500, `only ${compileErrors} of the damaged modules were rejected`);
});

// ---- Round trips over the corpora ----

interface Corpus {
  /** Each binary, and the command that uses it when it is not a plain module (assert_malformed…). */
  files: { path: string; role: string }[];
}

function specCorpus(): Corpus {
  const files: Corpus["files"] = [];
  for (const dir of [...Deno.readDirSync(SPEC_DIR)].filter((d) => d.isDirectory).map((d) => d.name).sort()) {
    const script = JSON.parse(Deno.readTextFileSync(`${SPEC_DIR}${dir}/${dir}.json`));
    const roles = new Map<string, string>();
    for (const c of script.commands) if (c.filename) roles.set(c.filename, c.type);
    for (const [file, role] of roles) {
      if (file.endsWith(".wasm")) files.push({ path: `${SPEC_DIR}${dir}/${file}`, role });
    }
  }
  return { files };
}

/**
 * Every .wasm file of the repository (the bench programs, the examples, the test fixtures), found by
 * walking the tree rather than asking git, so the test needs no tool outside Deno. Hidden directories
 * (.git…), node_modules and the git-ignored tmp/ are left out.
 */
function repoCorpus(): Corpus {
  const paths: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(REPO + dir)) {
      if (e.isDirectory && !e.name.startsWith(".") && e.name !== "node_modules" && dir + e.name !== "tmp") {
        walk(`${dir}${e.name}/`);
      } else if (e.isFile && e.name.endsWith(".wasm")) paths.push(dir + e.name);
    }
  };
  walk("");
  return { files: paths.sort().map((p) => ({ path: REPO + p, role: "module" })) };
}

/**
 * Prints every binary, parses the text back with wasm-tools and compares: the same bytes (custom
 * sections aside), or, where the original used an encoding wasm-tools does not choose (over-long LEB128,
 * empty sections), the same wasm-tools print. Returns the counts by outcome and the odd cases.
 */
async function roundTrip(
  corpus: Corpus,
  folded: (index: number) => boolean,
): Promise<{ counts: Record<string, number>; odd: string[] }> {
  const counts: Record<string, number> = {};
  const odd: string[] = [];
  const count = (k: string) => counts[k] = (counts[k] ?? 0) + 1;
  const labelOf = (path: string) => path.slice(path.lastIndexOf("/", path.lastIndexOf("/") - 1) + 1);
  for (const [index, file] of corpus.files.entries()) {
    const bytes = Deno.readFileSync(file.path);
    const label = `${labelOf(file.path)} (${file.role})`;
    let text: string;
    try {
      text = printWat(bytes, { folded: folded(index) });
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      count(file.role === "assert_malformed" ? "malformed, rejected" : "rejected");
      if (file.role !== "assert_malformed") odd.push(`${label}: ${e.message}`);
      continue;
    }
    // A binary malformed in Wasm 2.0 that this printer reads is well-formed in Wasm 3.0, which
    // wasm-tools reads too: it goes round as well, counted apart.
    const outcome = (k: string) => count(file.role === "assert_malformed" ? `malformed in 2.0: ${k}` : k);
    const back = await toolsParse(text);
    if (typeof back === "string") {
      outcome("wasm-tools rejects the text");
      odd.push(`${label}: wasm-tools: ${back}`);
    } else if (sameBytes(withoutCustomSections(bytes), withoutCustomSections(back))) outcome("equal bytes");
    else if (await samePrinted(bytes, back)) outcome("equal by wasm-tools print");
    else {
      outcome("different");
      odd.push(`${label}: different`);
    }
  }
  return { counts, odd: odd.sort() };
}

Deno.test("printWat: the Wasm 2.0 spec suite's binaries round-trip through wasm-tools", {
  ignore: !haveSpec || !wasmTools,
}, async () => {
  // Every other module is printed folded: both forms are checked, in the time of one.
  const { counts, odd } = await roundTrip(specCorpus(), (index) => index % 2 === 1);
  console.log("spec suite:", counts);
  // 21 modules are malformed in 2.0 but well-formed in 3.0, which this printer and wasm-tools read:
  // memory.size and memory.grow with a memory index (or a zero in a long LEB128), alignments of 2^32 and
  // up, limits and offsets past 32 bits (u64 in 3.0, whatever the address type). They go round too (the
  // former oracle, wabt 1.0.32, read no 3.0, so they were only counted): 7 byte for byte, 14 to shorter
  // LEB128s. 2 more are malformed in 2.0 and 3.0 but expected as invalid: wast2json wrote them without
  // the data count section that their data.drop needs (binary.wast checks that rule). The rest that are
  // not byte-equal differ from wasm-tools' encoding only (over-long LEB128s, empty sections): wasm-tools
  // prints both the same.
  // Against wabt, one module moved from "equal by print" to "equal bytes": binary.70, a passive segment
  // of `ref.func` expressions, which wabt re-encoded as function indices and wasm-tools keeps as written.
  // names.2 has bidirectional formatting characters in export names, which wasm-tools' lexer refuses
  // raw: it reads our text with them escaped (forWasmTools).
  assert.deepEqual(odd.map((line) => line.replace(/:.*/, "")), [
    "memory_init/memory_init.4.wasm (assert_invalid)",
    "memory_init/memory_init.9.wasm (assert_invalid)",
  ]);
  assert.deepEqual(counts, {
    "equal bytes": 3815,
    "equal by wasm-tools print": 45,
    "malformed in 2.0: equal bytes": 7,
    "malformed in 2.0: equal by wasm-tools print": 14,
    "malformed, rejected": 698,
    "rejected": 2,
  });
});

Deno.test("printWat: the repository's modules round-trip through wasm-tools, flat and folded", {
  ignore: !wasmTools,
}, async () => {
  for (const folded of [false, true]) {
    const corpus = repoCorpus();
    const { counts, odd } = await roundTrip(corpus, () => folded);
    assert.deepEqual(odd, []);
    // Modules binaryen wrote (tests/fuzz/) may carry a data count section nothing needs: text cannot keep it.
    const needless = corpus.files.filter((f) => needlessDataCount(Deno.readFileSync(f.path))).length;
    const expected: Record<string, number> = { "equal bytes": corpus.files.length - needless };
    if (needless > 0) expected["equal by wasm-tools print"] = needless;
    assert.deepEqual(counts, expected);
  }
});

Deno.test("printWat: the repository's modules round-trip through our own parseWat", () => {
  for (const [index, file] of repoCorpus().files.entries()) {
    const bytes = Deno.readFileSync(file.path);
    const back = parseWat(printWat(bytes, { folded: index % 2 === 0 }));
    const needless = needlessDataCount(bytes);
    assert.ok(sameBytes(withoutCustomSections(bytes, needless), withoutCustomSections(back)), file.path);
  }
});

/** The top-level S-expressions of `text` between `from` and `to`, as [start, end) offsets. */
function sExpressions(text: string, from = 0, to = text.length): [number, number][] {
  const found: [number, number][] = [];
  let depth = 0, start = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < to && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === ";" && text[i + 1] === ";") {
      while (i < to && text[i] !== "\n") i++;
    } else if (c === "(" && text[i + 1] === ";") {
      // A block comment; they nest.
      let nested = 1;
      for (i += 2; i < to && nested > 0; i++) {
        if (text.startsWith("(;", i)) (nested++, i++);
        else if (text.startsWith(";)", i)) (nested--, i++);
      }
      i--;
    } else if (c === "(") {
      if (depth++ === 0) start = i;
    } else if (c === ")" && --depth === 0) found.push([start, i + 1]);
  }
  return found;
}

/** Every module of a .wast script, text or binary (not quoted), with the command that holds it. */
function wastModules(text: string): { text: string; role: string }[] {
  const modules: { text: string; role: string }[] = [];
  const isModule = (at: number) => /^\(\s*module\b/.test(text.slice(at, at + 12));
  for (const [start, end] of sExpressions(text)) {
    let role = "module", span: [number, number] | undefined = [start, end];
    if (!isModule(start)) {
      role = /^\(\s*([a-z_]+)/.exec(text.slice(start, start + 40))?.[1] ?? "";
      span = sExpressions(text, start + 1, end - 1)[0];
      if (!span || !isModule(span[0])) continue;
    }
    const module = text.slice(span[0], span[1]).replace(/^\(\s*module\s+definition\b/, "(module");
    if (!/^\(\s*module\s+quote\b/.test(module)) modules.push({ text: module, role });
  }
  return modules;
}

Deno.test("printWat: the Wasm 3.0 spec suite's modules round-trip through wasm-tools, flat and folded", {
  ignore: !haveSpec3 || !wasmTools,
}, async () => {
  const tools = wasmTools!;
  // Our own parser (src/text/parse.ts) reads every printed text too (see the end for how its bytes compare).
  const ours = { equal: 0, canonical: 0, samePrint: 0, other: 0, rejected: 0 };
  const oursOther: string[] = [];
  const ourParser = (bytes: Uint8Array, printed: string, folded: boolean, where: string) => {
    let back;
    try {
      back = parseWat(printed);
    } catch {
      ours.rejected++;
      return;
    }
    if (sameBytes(withoutCustomSections(bytes), withoutCustomSections(back))) ours.equal++;
    else if (canonicalSections(bytes).join("|") === canonicalSections(back).join("|")) ours.canonical++;
    else if (printWat(back, { folded }) === printed) ours.samePrint++; // the same module, other encodings
    else ours.other++, oursOther.push(where);
  };
  const counts: Record<string, number> = {};
  const odd: string[] = [];
  const count = (k: string) => counts[k] = (counts[k] ?? 0) + 1;
  let index = 0;
  const scripts = (dir: string): string[] =>
    [...Deno.readDirSync(SPEC3_DIR + dir)].sort((x, y) => x.name < y.name ? -1 : 1).flatMap((e) =>
      e.isDirectory ? scripts(`${dir}${e.name}/`) : e.name.endsWith(".wast") ? [dir + e.name] : []
    );
  for (const file of scripts("")) { // legacy/ holds the scripts of the legacy exception handling
    for (const { text, role } of wastModules(Deno.readTextFileSync(SPEC3_DIR + file))) {
      let bytes: Uint8Array;
      try {
        bytes = await tools.parse(forWasmTools(text));
      } catch {
        count("not a module for wasm-tools"); // `module instance` and the like
        continue;
      }
      let printed: string, folded = false;
      try {
        folded = index++ % 2 === 1;
        printed = printWat(bytes, { folded });
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        count(role === "assert_malformed" ? "malformed, rejected" : "rejected");
        if (role !== "assert_malformed") odd.push(`${file} (${role}): ${e.message}`);
        continue;
      }
      if (role === "assert_malformed") {
        count("malformed, printed");
        odd.push(`${file}: malformed, printed`);
        continue;
      }
      ourParser(bytes, printed, folded, `${file} (${role})`);
      const back = await tools.parse(forWasmTools(printed)).catch((e) => String(e));
      if (typeof back === "string") {
        count("wasm-tools rejects the text");
        odd.push(`${file} (${role}): ${back.slice(0, 200)}`);
      } else if (sameBytes(bytes, back)) count("equal bytes, names and custom sections included");
      else if (sameBytes(withoutCustomSections(bytes), withoutCustomSections(back))) {
        count("equal but customs");
      } else if (await tools.print(bytes) === await tools.print(back)) count("equal by wasm-tools print");
      else {
        count("different");
        odd.push(`${file} (${role}): different`);
      }
    }
  }
  console.log("3.0 spec suite:", counts, "parseWat:", ours);
  assert.deepEqual(odd, []);
  // wasm-tools writes a name section for the identifiers of the text, so the names printed from it
  // come back byte for byte. The rest use encodings wasm-tools does not choose (over-long LEB128s).
  assert.deepEqual(counts, {
    "equal bytes, names and custom sections included": 5150,
    "equal but customs": 2,
    "equal by wasm-tools print": 49,
    "malformed, rejected": 711,
    // 3 `module instance` forms, and 12 modules of legacy try…delegate, which this wasm-tools build does
    // not parse (the binaryen test above covers those instructions). names.wast's module, with raw
    // bidirectional formatting characters, is read through forWasmTools, so it is not among them.
    "not a module for wasm-tools": 15,
  });
  // parseWat(printWat(b)) is b: byte for byte (custom sections aside), or with element segments in a
  // canonical form (our parser leaves an active segment's table 0 implicit where wasm-tools writes it;
  // both encodings are the same segment), or printing the same text (other encoding choices). The 5 left
  // are the same modules too: 4 of binary-leb128.wast have data and elem segments that name memory 0 or
  // table 0, which our parser leaves implicit; custom.wast's `(@custom … (after type))` of a module without
  // a type section comes back `(before first)`, the same place.
  assert.deepEqual(ours, { equal: 4949, canonical: 204, samePrint: 43, other: 5, rejected: 0 });
  assert.deepEqual(oursOther, [...Array(4).fill("binary-leb128.wast (module)"), "custom.wast (module)"]);
});
