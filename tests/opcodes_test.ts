/**
 * The opcode tables of src/wasm/opcodes.ts against the text parser's (src/text/instructions.ts, a table
 * of its own, which the spec suites check through V8): every member's name, written as the text format
 * spells it (`I32x4TruncSatF64x2SZero` → `i32x4.trunc_sat_f64x2_s_zero`), is assembled by `parseWat`
 * and must encode to the member's value. The engine's decoder is not involved, so a wrong value is caught
 * even for members no code refers to yet (the next walkers and tiers will).
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import * as opcodes from "../src/wasm/opcodes.ts";
import { Op } from "../src/wasm/opcodes.ts";
import { wat } from "./wat.ts";

/**
 * The enums as objects: TypeScript inlines const enums, but Deno compiles each module alone and so emits
 * them as ordinary enums (name → value and value → name).
 */
const tables = opcodes as unknown as Record<"Op" | "FcOp" | "SimdOp", Record<string, string | number>>;

/** An enum's members as [name, value]. */
function members(table: Record<string, string | number>): [string, number][] {
  return Object.entries(table).filter((entry): entry is [string, number] => typeof entry[1] === "number");
}

const NAMESPACES = new Set([
  "i32",
  "i64",
  "f32",
  "f64",
  "v128",
  "i8x16",
  "i16x8",
  "i32x4",
  "i64x2",
  "f32x4",
  "f64x2",
  "memory",
  "local",
  "global",
  "table",
  "ref",
  "elem",
  "data",
]);

/** `I32Load8S` → `i32.load8_s`, `BrIf` → `br_if`, `V128AnyTrue` → `v128.any_true`. */
function mnemonic(name: string): string {
  const words = name.split(/(?=[A-Z])/).map((w) => w.toLowerCase());
  return NAMESPACES.has(words[0]) && words.length > 1
    ? `${words[0]}.${words.slice(1).join("_")}`
    : words.join("_");
}

/** The immediates the text format needs after a mnemonic (the module below declares what they name). */
function immediates(text: string): string {
  if (/\.(extract|replace)_lane/.test(text)) return " 0";
  if (/^v128\.(load|store)\d+_lane$/.test(text)) return " 0";
  if (text === "i8x16.shuffle") return " 0".repeat(16);
  if (text === "v128.const") return " i64x2 0 0";
  if (/^[if](32|64)\.const$/.test(text)) return " 0";
  if (
    /^(br|br_if|br_table|(return_)?call|local\.\w+|global\.\w+|table\.(get|set|size|grow|fill))$/.test(text)
  ) {
    return " 0";
  }
  if (/^(ref\.func|memory\.init|data\.drop|elem\.drop)$/.test(text)) return " 0";
  if (text === "table.init") return " 0 0";
  if (text === "table.copy") return " 0 0";
  if (text === "ref.null") return " func";
  if (text === "call_indirect" || text === "return_call_indirect") return " (type 0)";
  if (text === "call_ref" || text === "return_call_ref") return " 0"; // a type index
  if (text === "br_on_null" || text === "br_on_non_null") return " 0"; // a label
  return "";
}

/**
 * Each instruction in a function of its own, between two `unreachable`s so that any operand and result
 * types validate.
 */
function instruction(name: string): string {
  switch (name) {
    case "Block":
      return "block end";
    case "Loop":
      return "loop end";
    case "If":
      return "if end";
    case "Else":
      return "if nop else nop end"; // wabt drops an empty else
    case "End":
      return "nop";
    case "SelectT":
      return "select (result i32)";
    // Exception handling: the legacy handlers and delegate stand inside a `try` (see HANDLER_AT).
    case "Try":
      return "try end";
    case "Catch":
      return "try catch 0 end";
    case "CatchAll":
      return "try catch_all end";
    case "Delegate":
      return "try delegate 0";
    case "Rethrow":
      return "try catch_all rethrow 0 end";
    case "Throw":
      return "throw 0";
    case "TryTable":
      return "try_table end";
  }
  const text = mnemonic(name);
  return text + immediates(text);
}

interface Encoded {
  name: string;
  /** the instruction's bytes, between the two `unreachable`s */
  code: number[];
  /** the whole body, for `end` */
  body: number[];
}

function readU32(bytes: Uint8Array, at: { pos: number }): number {
  let result = 0, shift = 0, byte: number;
  do {
    byte = bytes[at.pos++];
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return result >>> 0;
}

/** The function bodies of a module's code section (section 10), each without its local declarations. */
function bodies(bytes: Uint8Array): number[][] {
  const at = { pos: 8 };
  while (at.pos < bytes.length) {
    const id = bytes[at.pos++];
    const size = readU32(bytes, at);
    if (id !== 10) {
      at.pos += size;
      continue;
    }
    const count = readU32(bytes, at);
    const out: number[][] = [];
    for (let i = 0; i < count; i++) {
      const bodySize = readU32(bytes, at);
      const end = at.pos + bodySize;
      const groups = readU32(bytes, at);
      for (let g = 0; g < groups; g++) {
        readU32(bytes, at);
        at.pos++;
      }
      out.push([...bytes.subarray(at.pos, end)]);
      at.pos = end;
    }
    return out;
  }
  throw new Error("no code section");
}

/** Where in its `try` (after `try` and its block type, or a handler too) each of these instructions stands. */
const HANDLER_AT: Record<string, number> = { Catch: 2, CatchAll: 2, Delegate: 2, Rethrow: 3 };

function assemble(names: string[]): Encoded[] {
  const funcs = names.map((name) => `(func (local i32) unreachable ${instruction(name)} unreachable)`);
  const module = `(module
    (type (func))
    (memory 1)
    (table 1 funcref)
    (global (mut i32) (i32.const 0))
    (elem func 0)
    (data "")
    (tag)
    ${funcs.join("\n    ")})`;
  return bodies(wat(module)).map((body, i) => ({
    name: names[i],
    body,
    // body = unreachable, the instruction, unreachable, end
    code: body.slice(1, -2),
  }));
}

/** The prefix byte and u32 LEB128 sub-opcode of a prefixed instruction. */
function prefixed(code: number[]): [number, number] {
  const at = { pos: 1 };
  return [code[0], readU32(Uint8Array.from(code), at)];
}

Deno.test({
  name: "opcodes: every one-byte opcode is what the text parser assembles its name to",
  fn() {
    const names = members(tables.Op).map(([name]) => name).filter((name) => !name.startsWith("Prefix"));
    const seen: string[] = [];
    for (const { name, code, body } of assemble(names)) {
      const value = tables.Op[name];
      if (name === "End") assertEquals(body.at(-1), value, name);
      else if (name === "Else") assertEquals(code.slice(0, 4), [Op.If, 0x40, Op.Nop, value], name);
      else if (name in HANDLER_AT) assertEquals(code[HANDLER_AT[name]], value, name);
      else assertEquals(code[0], value, `${name} (${instruction(name)})`);
      seen.push(name);
    }
    // 183 of Wasm 2.0, return_call and return_call_indirect, 8 of exception handling (the legacy form's
    // included), 5 of typed function references, GC's ref.eq
    assertEquals(seen.length, 199);
    // The prefixes, from an instruction of each.
    assertEquals(assemble(["I32TruncSatF32S", "V128Not"]).map((e) => e.code[0]), [
      Op.PrefixFC,
      Op.PrefixSIMD,
    ]);
  },
});

Deno.test({
  name: "opcodes: every 0xfc and 0xfd sub-opcode is what the text parser assembles its name to",
  fn() {
    for (
      const [table, prefix, count] of [[tables.FcOp, Op.PrefixFC, 18], [
        tables.SimdOp,
        Op.PrefixSIMD,
        256, // 236 of Wasm 2.0, 20 of relaxed SIMD
      ]] as const
    ) {
      const entries = members(table);
      assertEquals(entries.length, count);
      const encoded = assemble(entries.map(([name]) => name));
      encoded.forEach(({ name, code }, i) => {
        assertEquals(prefixed(code), [prefix, entries[i][1]], `${name} (${instruction(name)})`);
      });
    }
  },
});

Deno.test("local copies of the opcode and type enums (kept for literal switch cases) match the shared ones", () => {
  // Deno inlines a const enum only in the file that declares it: validator.ts keeps its own copies so
  // that its hot switch has literal cases. Each member must have the value of the shared member.
  const read = (file: string) => Deno.readTextFileSync(new URL(`../src/wasm/${file}`, import.meta.url));
  const members = (source: string, name: string) => {
    const body = new RegExp(`const enum ${name} \\{([^}]*)\\}`).exec(source)?.[1];
    if (body === undefined) throw new Error(`no const enum ${name}`);
    return new Map([...body.matchAll(/(\w+) = (0x[0-9a-f]+|\d+)/g)].map(([, m, v]) => [m, Number(v)]));
  };
  const validator = read("validator.ts");
  for (const [local, file, shared] of [["Code", "opcodes.ts", "Op"], ["Type", "types.ts", "ValType"]]) {
    const copy = members(validator, local), original = members(read(file), shared);
    assertEquals(copy.size > 0, true, `${local} has members`);
    for (const [member, value] of copy) assertEquals(value, original.get(member), `${local}.${member}`);
  }
});
