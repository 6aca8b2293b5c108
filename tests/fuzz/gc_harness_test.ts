/**
 * The fuzzer's Wasm GC parts (fuzz/: `--generator gc`): GC traps of both engines sort into the same
 * kinds, a module V8 runs and wasmrun refuses as unsupported is reported as such, and the `gc`
 * generator's modules are binaryen3's with `--enable-gc` added (the same other flags for the same
 * seed and index).
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../../mod.ts";
import { wat } from "../wat.ts";
import { describeError } from "../../fuzz/traps.ts";
import { compareOutcomes } from "../../fuzz/compare.ts";
import { input3For, WASM3_GC } from "../../fuzz/generate.ts";

const TRAPS = wat(`(module
  (type $s (struct (field i32)))
  (type $t (sub (struct (field i32))))
  (type $a (array (mut i32)))
  (func (export "cast") (result i32)
    (struct.get $s 0 (ref.cast (ref $s) (array.new_default $a (i32.const 1)))))
  (func (export "array") (result i32) (array.get $a (array.new_default $a (i32.const 2)) (i32.const 2)))
  (func (export "struct_null") (result i32) (struct.get $s 0 (ref.null $s)))
  (func (export "array_null") (result i32) (array.len (ref.null $a)))
  (func (export "i31_null") (result i32) (i31.get_s (ref.null i31))))`);

Deno.test("GC traps of V8 and of both our tiers sort into the same kinds", () => {
  const kinds = (api: typeof Ours, options: object) => {
    const e = new api.Instance(new api.Module(TRAPS), {}, options).exports as Record<string, () => unknown>;
    return Object.keys(e).map((name) => {
      try {
        return `${name}: returned ${e[name]()}`;
      } catch (err) {
        return `${name}: ${describeError(err)}`;
      }
    });
  };
  const v8 = kinds(WebAssembly as unknown as typeof Ours, {});
  assert.deepEqual(v8, [
    "cast: trap:cast",
    "array: trap:oob-array",
    "struct_null: trap:null-ref",
    "array_null: trap:null-ref",
    "i31_null: trap:null-ref",
  ]);
  for (const options of [{ jit: false }, { tierUp: 0 }]) assert.deepEqual(kinds(Ours, options), v8);
});

Deno.test("a module wasmrun refuses as unsupported, which V8 runs, is reported as a refusal", () => {
  const v8 = { compile: "ok", instantiate: "ok", events: [] };
  const why = "GC type definitions (struct, array, sub, rec) are not supported (at byte offset 0xb)";
  const m = compareOutcomes({ compile: "CompileError", compileMessage: why, events: [] }, v8);
  assert.equal(m?.signature, "compile ours=refused (not supported) v8=ok");
  assert.equal(m?.detail, `wasmrun refuses a module V8 runs: ${why}`);
  // Any other CompileError stays a plain mismatch, with both messages.
  const other = compareOutcomes({ compile: "CompileError", compileMessage: "type mismatch", events: [] }, v8);
  assert.equal(other?.signature, "compile ours=CompileError v8=ok");
  assert.match(other!.detail, /type mismatch/);
});

Deno.test("the gc generator's flags: binaryen3's for the same module, with GC on", () => {
  for (const index of [0, 1, 2, 7, 40]) {
    const plain = input3For(5, index, { exceptions: true });
    const gc = input3For(5, index, { exceptions: true, gc: true });
    assert.deepEqual(gc.input, plain.input);
    assert.deepEqual(gc.flags, [...plain.flags, WASM3_GC]);
  }
});

Deno.test("globals of reference types without a shorthand cross from and to JS as in V8 (the harness's imports)", () => {
  const types = ["(ref extern)", "externref", "anyref", "(ref any)", "(ref eq)", "(ref i31)", "eqref"];
  const bytes = wat(`(module
    (type $s (struct (field i32)))
    ${types.map((t, i) => `(import "m" "g${i}" (global ${t}))`).join(" ")}
    ${types.map((_, i) => `(export "g${i}" (global ${i}))`).join(" ")}
    (global $s (ref $s) (struct.new $s (i32.const 1)))
    (export "s" (global $s)))`);
  const run = (api: typeof Ours) => {
    const values: Record<string, unknown> = {};
    types.forEach((t, i) => values[`g${i}`] = t.includes("extern") ? "extern" : 7);
    const e = new api.Instance(new api.Module(bytes), { m: values }).exports as Record<
      string,
      { value: unknown }
    >;
    return [...types.map((_, i) => e[`g${i}`].value), typeof e.s.value];
  };
  const v8 = run(WebAssembly as unknown as typeof Ours);
  assert.deepEqual(v8, ["extern", "extern", 7, 7, 7, 7, 7, "object"]);
  assert.deepEqual(run(Ours), v8);
});
