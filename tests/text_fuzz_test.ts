/**
 * A deterministic fuzz of the text parser: spec modules (and a few built-in ones) mutated by token
 * deletion, insertion, duplication, random characters and deep nesting. Whatever the input, parseWat
 * and parseWast must return or throw a CompileError: no other exception, no hang.
 */

import nodeAssert from "node:assert/strict";
import { Prng } from "../fuzz/prng.ts";
import { INSTRUCTIONS } from "../src/text/instructions.ts";
import { parseWat } from "../src/text/parse.ts";
import { parseWast } from "../src/text/wast.ts";
import { CompileError } from "../src/wasm/errors.ts";
import { wastFiles } from "./text_parse_helpers.ts";

const SEED = 20261201;
/** Inputs per run; with inputs of at most MAX_CHARS characters this stays within a few seconds. */
const INPUTS = 60_000;
const MAX_CHARS = 8000;

const BUILT_IN = [
  `(module (type $t (func (param i32) (result i32))) (func $f (type $t) (local.get 0))
     (table 1 funcref) (elem (i32.const 0) $f) (memory 1) (data (i32.const 0) "a\\00b")
     (func (export "g") (result i32) (call_indirect (type $t) (i32.const 1) (i32.const 0))))`,
  `(module (rec (type $a (sub (struct (field $x (mut i32))))) (type $b (sub final $a (struct (field i32)))))
     (tag $e (param i32)) (global $g (mut (ref null $a)) (ref.null $a))
     (func (param $p v128) (result i32) (block $l (result i32) (try_table (catch $e $l)
       (throw $e (i32.const 1)))) (i8x16.extract_lane_u 3 (local.get $p)) i32.add))`,
  `(module (func $f (param f64) (result f32) f32.const 0x1.8p-3 f64.const -nan:0x1 drop
     block $b loop $c br_if $b (i32.const 0) br $c end end (f32.demote_f64 (local.get 0)))
     (memory i64 1) (func (i64.store offset=0x1_0000 align=8 (i64.const 0) (i64.const -1))))`,
];

/** Top-level `(module …)` texts of a script, found by matching parentheses outside strings and comments. */
function modulesOf(text: string): string[] {
  const out: string[] = [];
  let at = text.indexOf("(module");
  while (at >= 0 && out.length < 40) {
    let depth = 0, i = at;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      } else if (c === ";" && text[i + 1] === ";") {
        while (i < text.length && text[i] !== "\n") i++;
      } else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) break;
    }
    const module = text.slice(at, i + 1);
    if (
      module.length <= MAX_CHARS && !module.startsWith("(module binary") &&
      !module.startsWith("(module quote")
    ) {
      out.push(module);
    }
    at = text.indexOf("(module", i);
  }
  return out;
}

function seeds(): string[] {
  const out = [...BUILT_IN];
  for (const dir of ["wasm-2.0", "wasm-3.0"]) {
    for (const path of wastFiles(dir) ?? []) out.push(...modulesOf(Deno.readTextFileSync(path)));
  }
  return out;
}

const VOCABULARY = [
  "(",
  ")",
  "(",
  ")",
  "$x",
  '$"q"',
  '"str"',
  '"\\ff"',
  "0",
  "-1",
  "0x1p+3",
  "nan:0x1",
  "inf",
  "1e40",
  "offset=4",
  "align=3",
  "(type 0)",
  "(param i32)",
  "(result i32)",
  "(local $x i32)",
  "(@a x)",
  "(;c;)",
  ";;c\n",
  "end",
  "else",
  "then",
  "func",
  "i64",
  "(ref null 0)",
  "anyref",
  "(mut i32)",
  '(import "a" "b")',
  '(export "e")',
  ...[...INSTRUCTIONS.keys()].filter((_, i) => i % 7 === 0),
];

/** Splits text into rough tokens (with their separators) for token-level mutations. */
function roughTokens(text: string): string[] {
  return text.match(/\s+|[()]|"(?:[^"\\]|\\.)*"|[^\s()"]+/g) ?? [];
}

function mutate(rng: Prng, text: string): string {
  const tokens = roughTokens(text);
  const pick = () => rng.int(0, Math.max(0, tokens.length - 1));
  const times = rng.int(1, 3);
  for (let t = 0; t < times; t++) {
    switch (rng.int(0, 5)) {
      case 0: // delete a run of tokens
        tokens.splice(pick(), rng.int(1, 3));
        break;
      case 1: // insert a token from the vocabulary
        tokens.splice(pick(), 0, " ", VOCABULARY[rng.int(0, VOCABULARY.length - 1)], " ");
        break;
      case 2: { // duplicate a span
        const at = pick();
        tokens.splice(at, 0, ...tokens.slice(at, at + rng.int(1, 8)));
        break;
      }
      case 3: { // a random character (ASCII, control, or beyond)
        const at = pick();
        const code = rng.int(0, 9) === 0 ? rng.int(0x80, 0x10ffff) : rng.int(0, 127);
        const char = code >= 0xd800 && code < 0xe000 ? "\ud800" : String.fromCodePoint(code);
        tokens[at] = (tokens[at] ?? "") + char;
        break;
      }
      case 4: { // swap two tokens
        const a = pick(), b = pick();
        [tokens[a], tokens[b]] = [tokens[b], tokens[a]];
        break;
      }
      case 5: { // change a number
        const at = pick();
        if (/^[-+]?[0-9]/.test(tokens[at] ?? "")) tokens[at] = String(rng.next() - 0x80000000);
        break;
      }
    }
  }
  return tokens.join("").slice(0, MAX_CHARS);
}

/** Runs one input; returns whether it parsed. Anything but a CompileError fails the test. */
function attempt(input: string, parse: (text: string) => unknown): boolean {
  const t0 = performance.now();
  try {
    parse(input);
    return true;
  } catch (e) {
    if (!(e instanceof CompileError)) {
      throw new Error(`not a CompileError (${e}) for input ${JSON.stringify(input.slice(0, 300))}`);
    }
    return false;
  } finally {
    const ms = performance.now() - t0;
    nodeAssert.ok(ms < 2000, `${ms.toFixed(0)} ms for an input of ${input.length} characters`);
  }
}

Deno.test("fuzz: mutated modules parse or throw CompileError", () => {
  const rng = new Prng(SEED);
  const pool = seeds();
  let ok = 0, errors = 0;
  for (let i = 0; i < INPUTS; i++) {
    const input = mutate(rng, pool[rng.int(0, pool.length - 1)]);
    if (attempt(input, (t) => parseWat(t))) ok++;
    else errors++;
  }
  console.log(`text fuzz: ${INPUTS} inputs from ${pool.length} seeds: ${ok} parsed, ${errors} CompileErrors`);
  nodeAssert.ok(ok > 0 && errors > 0, "the mutations should produce both outcomes");
});

Deno.test("fuzz: mutated scripts parse or throw CompileError", () => {
  const rng = new Prng(SEED + 1);
  const script = `(module $m (func (export "f") (param i32) (result i32) (local.get 0)))
    (assert_return (invoke $m "f" (i32.const 1)) (i32.const 1))
    (assert_return (invoke "f" (i32.const 2)) (either (i32.const 2) (f32.const nan:canonical)))
    (assert_malformed (module quote "(func") "x") (register "r" $m)
    (assert_trap (invoke "f" (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)) "t")`;
  let ok = 0, errors = 0;
  for (let i = 0; i < 500; i++) {
    if (attempt(mutate(rng, script), (t) => parseWast(t))) ok++;
    else errors++;
  }
  console.log(`wast fuzz: 500 scripts: ${ok} parsed, ${errors} CompileErrors`);
  nodeAssert.ok(ok > 0 && errors > 0);
});

Deno.test("fuzz: deep nesting and random bytes", () => {
  const rng = new Prng(SEED + 2);
  const deep = [
    "(".repeat(100_000),
    "(".repeat(100_000) + ")".repeat(100_000),
    "(module (func " + "(block ".repeat(100_000) + ")".repeat(100_001) + ")",
    "(module (func " + "block ".repeat(100_000) + "end ".repeat(100_000) + "))",
    "(module (func " + "(i32.add ".repeat(100_000) + "(i32.const 0)" + ")".repeat(100_002),
    "(module (type " + "(struct (field (ref ".repeat(20_000) + ")",
    "(module (func (@a " + "(".repeat(100_000) + ")".repeat(100_000) + ")))",
    "(; ".repeat(100_000) + ";) ".repeat(100_000) + "(module)",
  ];
  for (const input of deep) attempt(input, (t) => parseWat(t));
  let bytes = 0;
  for (let i = 0; i < 300; i++) {
    const chars = Array.from(rng.bytes(rng.int(0, 200)), (b) => String.fromCharCode(b));
    const input = "(module " + chars.join("") + ")";
    attempt(input, (t) => parseWat(t));
    bytes += input.length;
  }
  console.log(`deep-nesting inputs: ${deep.length}; random-byte inputs: 300 (${bytes} characters)`);
});
