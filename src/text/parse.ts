/** `parseWat`: WebAssembly text (a module, or its fields alone) → the binary module. */

import { CompileError } from "../wasm/errors.ts";
import { Cursor } from "./cursor.ts";
import { tokenize, type Tokens } from "./lexer.ts";
import { encodeModule } from "./module.ts";

/** Options of {@link parseWat}. */
export interface ParseWatOptions {
  /** Named in error messages (`file:line:column: reason`). */
  filename?: string;
  /**
   * Read limits and memory offsets as Wasm 2.0's text does: 32-bit numbers, a larger one malformed.
   * Wasm 3.0 made them 64-bit in the text (for memory64 and table64), so that by default a 32-bit
   * memory's offset of 2^32 is well-formed text, and invalid. The 2.0 spec suite expects malformed.
   */
  limits32?: boolean;
}

/**
 * Encodes a WebAssembly text module. Malformed text throws a `CompileError` whose message starts with
 * `file:line:column:`; text that is well-formed but invalid is encoded as written (validation is the
 * engine's job).
 */
export function parseWat(text: string, options: ParseWatOptions = {}): Uint8Array<ArrayBuffer> {
  return guardDepth(() => {
    const toks = tokenize(text, options.filename ?? "");
    toks.limits32 = options.limits32 ?? false;
    const c = new Cursor(toks, 0);
    if (c.isOpen("module")) {
      const close = toks.match[0];
      const bytes = parseModuleForm(toks, 0);
      if (close + 1 !== toks.count - 1) throw toks.error(close + 1, "unexpected text after the module");
      return bytes;
    }
    return encodeModule(toks, 0, toks.count - 1, null);
  });
}

/** A `(module $id? field*)` starting at token `at`: its bytes. */
export function parseModuleForm(toks: Tokens, at: number): Uint8Array<ArrayBuffer> {
  const c = new Cursor(toks, at + 2);
  const name = c.optionalId();
  return encodeModule(toks, c.p, toks.match[at], name);
}

/**
 * Runs `parse`, turning a RangeError (a JS stack overflow or an allocation too large, which no input
 * should cause, but a safety net) into a CompileError: nothing else may come out of the text parser.
 */
export function guardDepth<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new CompileError(`input too large or too deeply nested to parse (${e.message})`);
    }
    throw e;
  }
}
