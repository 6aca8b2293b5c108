/**
 * `parseWast`: a `.wast` spec script → its commands (the model of wast_types.ts). Text modules are
 * encoded here with the module parser; quoted modules stay text (parsed when the command runs).
 */

import { Cursor, idKey } from "./cursor.ts";
import { decodeUtf8, plainString, Tok, tokenize } from "./lexer.ts";
import { encodeModule } from "./module.ts";
import { parseF32, parseF64, parseI64, parseIntN } from "./numbers.ts";
import { guardDepth } from "./parse.ts";
import type { WastAction, WastCommand, WastExpected, WastModuleSource, WastValue } from "./wast_types.ts";
import { REF_SHORTHANDS } from "./ref_shorthands.ts";

export type { WastCommand } from "./wast_types.ts";

/**
 * Parses a spec script. A malformed script (or a malformed text module outside `(module quote …)`)
 * throws a `CompileError` with `file:line:column`.
 */
export function parseWast(text: string, filename = "", options: { limits32?: boolean } = {}): WastCommand[] {
  return guardDepth(() => {
    const toks = tokenize(text, filename);
    toks.limits32 = options.limits32 ?? false; // see ParseWatOptions
    const c = new Cursor(toks, 0);
    const out: WastCommand[] = [];
    const first = c.openKeyword();
    if (first !== null && MODULE_FIELDS.has(first)) {
      // A script made of module fields alone is one module.
      const { line, column } = toks.position(toks.start[0]);
      const bytes = encodeModule(toks, 0, toks.count - 1, null);
      return [{ line, column, type: "module", module: { kind: "binary", bytes } }];
    }
    while (c.kind() !== Tok.Eof) out.push(command(c));
    return out;
  });
}

const MODULE_FIELDS = new Set([
  "type",
  "rec",
  "import",
  "func",
  "table",
  "memory",
  "global",
  "tag",
  "export",
  "start",
  "elem",
  "data",
]);

function command(c: Cursor): WastCommand {
  const at = c.p;
  const { line, column } = c.toks.position(c.toks.start[at]);
  const kw = c.openKeyword();
  if (kw === null) throw c.unexpected("a command");
  if (kw === "module") return { line, column, ...moduleCommand(c) };
  if (kw === "invoke" || kw === "get") return { line, column, type: "action", action: action(c) };
  c.enter();
  let cmd: WastCommand;
  switch (kw) {
    case "register": {
      const as = utf8Name(c);
      const name = c.kind() === Tok.Id ? c.text(c.p++) : undefined;
      cmd = { line, column, type: "register", as, ...(name === undefined ? {} : { name }) };
      break;
    }
    case "assert_return": {
      const act = action(c);
      const expected: WastExpected[] = [];
      while (c.kind() === Tok.LParen) expected.push(result(c));
      cmd = { line, column, type: "assert_return", action: act, expected };
      break;
    }
    case "assert_trap":
      if (c.isOpen("module")) {
        const m = moduleCommand(c);
        if (m.type !== "module") throw c.error("expected a module", at);
        cmd = { line, column, type: "assert_uninstantiable", module: m.module, text: utf8Name(c) };
      } else cmd = { line, column, type: "assert_trap", action: action(c), text: utf8Name(c) };
      break;
    case "assert_exhaustion":
      cmd = { line, column, type: "assert_exhaustion", action: action(c), text: utf8Name(c) };
      break;
    case "assert_exception":
      cmd = { line, column, type: "assert_exception", action: action(c) };
      break;
    case "assert_invalid":
    case "assert_malformed":
    case "assert_unlinkable": {
      const m = moduleCommand(c);
      if (m.type !== "module") throw c.error("expected a module", at);
      cmd = { line, column, type: kw, module: m.module, text: utf8Name(c) };
      break;
    }
    default:
      throw c.error(`unknown command ${JSON.stringify(kw)}`, at + 1);
  }
  c.expectRParen();
  return cmd;
}

type ModuleCommand =
  | { type: "module"; name?: string; definition?: boolean; module: WastModuleSource }
  | { type: "module_instance"; instance?: string; module?: string };

/** `(module …)` in any of its forms, from its `(`. */
function moduleCommand(c: Cursor): ModuleCommand {
  const at = c.p;
  c.enter();
  if (c.isKw("instance")) {
    c.p++;
    const instance = c.kind() === Tok.Id ? c.text(c.p++) : undefined;
    const module = c.kind() === Tok.Id ? c.text(c.p++) : undefined;
    c.expectRParen();
    return {
      type: "module_instance",
      ...(instance === undefined ? {} : { instance }),
      ...(module === undefined ? {} : { module }),
    };
  }
  const definition = c.isKw("definition");
  if (definition) c.p++;
  const nameAt = c.p;
  const name = c.kind() === Tok.Id ? c.text(c.p++) : undefined;
  let module: WastModuleSource;
  if (c.isKw("binary")) {
    c.p++;
    const bytes = c.strings();
    module = { kind: "binary", bytes: new Uint8Array(bytes) };
    c.expectRParen();
  } else if (c.isKw("quote")) {
    c.p++;
    const bytes = c.strings();
    const text = decodeUtf8(bytes);
    // Text that is not UTF-8 is malformed; a lone surrogate keeps it malformed for the parser.
    module = { kind: "quote", text: text ?? "\ud800" + new TextDecoder().decode(bytes) };
    c.expectRParen();
  } else {
    const close = c.toks.match[at];
    const moduleName = name === undefined ? null : idKey(c, nameAt);
    module = { kind: "binary", bytes: encodeModule(c.toks, c.p, close, moduleName) };
    c.p = close + 1;
  }
  return {
    type: "module",
    ...(name === undefined ? {} : { name }),
    ...(definition ? { definition } : {}),
    module,
  };
}

function utf8Name(c: Cursor): string {
  const at = c.p;
  if (c.kind() === Tok.String) {
    const plain = plainString(c.toks, at);
    if (plain !== null) return c.p++, plain;
  }
  const s = decodeUtf8(c.expectString());
  if (s === null) throw c.error("malformed UTF-8 encoding", at);
  return s;
}

/** `(invoke $m? "name" arg*)` or `(get $m? "name")`. */
function action(c: Cursor): WastAction {
  const kw = c.openKeyword();
  if (kw !== "invoke" && kw !== "get") throw c.unexpected('"(invoke" or "(get"');
  c.enter();
  const module = c.kind() === Tok.Id ? c.text(c.p++) : undefined;
  const field = utf8Name(c);
  const args: WastValue[] = [];
  while (c.kind() === Tok.LParen) args.push(value(c, false));
  c.expectRParen();
  return { type: kw, ...(module === undefined ? {} : { module }), field, args };
}

function result(c: Cursor): WastExpected {
  if (c.isOpen("either")) {
    c.enter();
    const values: WastValue[] = [];
    while (c.kind() === Tok.LParen) values.push(value(c, true));
    c.expectRParen();
    return { type: "either", values };
  }
  return value(c, true);
}

/** `(ref.X)` patterns (any non-null reference of that kind) → their type. */
const REF_PATTERNS: Record<string, string> = {
  "ref.extern": "externref",
  "ref.func": "funcref",
  "ref.struct": "structref",
  "ref.array": "arrayref",
  "ref.i31": "i31ref",
  "ref.eq": "eqref",
  "ref.any": "anyref",
  "ref.exn": "exnref",
  "ref.host": "anyref",
};

/** A constant argument or expected result, from its `(`. */
function value(c: Cursor, expectation: boolean): WastValue {
  const at = c.p;
  const kw = c.openKeyword();
  if (kw === null) throw c.unexpected("a constant");
  c.enter();
  let v: WastValue;
  switch (kw) {
    case "i32.const":
    case "i64.const":
    case "f32.const":
    case "f64.const": {
      const type = kw.slice(0, 3);
      v = { type, value: scalar(c, type, expectation) };
      break;
    }
    case "v128.const": {
      const shape = c.kind() === Tok.Keyword ? c.text() : "";
      const lanes = LANES[shape];
      if (lanes === undefined) throw c.unexpected("a v128 shape");
      c.p++;
      const laneType = shape.slice(0, 3).replace(/x$/, "");
      const values: string[] = [];
      for (let i = 0; i < lanes; i++) values.push(scalar(c, laneType, expectation));
      v = { type: "v128", lane_type: laneType, value: values };
      break;
    }
    case "ref.null": {
      if (c.kind() === Tok.RParen) v = { type: "refnull", value: "null" };
      else if (c.kind() === Tok.Keyword && REF_SHORTHANDS[c.text()]) {
        v = { type: REF_SHORTHANDS[c.text()], value: "null" };
        c.p++;
      } else if (c.atIndex()) {
        c.p++;
        v = { type: "refnull", value: "null" };
      } else throw c.unexpected("a heap type");
      break;
    }
    default: {
      const type = REF_PATTERNS[kw];
      if (type === undefined) throw c.error(`unknown constant ${JSON.stringify(kw)}`, at + 1);
      if (c.kind() === Tok.Number) {
        v = { type, value: BigInt(c.text().replaceAll("_", "")).toString() };
        c.p++;
      } else {
        if (!expectation && kw !== "ref.extern" && kw !== "ref.host") {
          throw c.error(`${kw} needs a number as an argument`, at + 1);
        }
        v = { type };
      }
    }
  }
  c.expectRParen();
  return v;
}

const LANES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };

/** One scalar (or lane) literal as the unsigned decimal of its bits, or a NaN pattern. */
function scalar(c: Cursor, type: string, expectation: boolean): string {
  const k = c.kind();
  if (k !== Tok.Number && k !== Tok.Keyword) throw c.unexpected(`an ${type} literal`);
  const s = c.text();
  let out: string | null = null;
  if (expectation && (s === "nan:canonical" || s === "nan:arithmetic") && type[0] === "f") out = s;
  else {
    switch (type) {
      case "i8":
      case "i16":
      case "i32": {
        const bits = Number(type.slice(1));
        const v = k === Tok.Number ? parseIntN(s, bits) : null;
        if (v !== null) out = String(bits === 32 ? v >>> 0 : v & ((1 << bits) - 1));
        break;
      }
      case "i64": {
        const v = k === Tok.Number ? parseI64(s) : null;
        if (v !== null) out = BigInt.asUintN(64, v).toString();
        break;
      }
      case "f32": {
        const v = parseF32(s);
        if (v !== null) out = String(v);
        break;
      }
      case "f64": {
        const v = parseF64(s);
        if (v !== null) out = v.toString();
        break;
      }
    }
  }
  if (out === null) throw c.error(`malformed ${type} literal ${JSON.stringify(s)}`);
  c.p++;
  return out;
}
