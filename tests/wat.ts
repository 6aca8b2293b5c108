/**
 * Test helper: builds small modules from WebAssembly text with wasmrun's own parser (`parseWat`),
 * so the tests need nothing outside Deno. Every module gets a name section from its identifiers.
 */
import { parseWat } from "../src/text/parse.ts";

const cache = new Map<string, Uint8Array<ArrayBuffer>>();

/** Compiles WAT text to module bytes (any feature the text format has; validation is the engine's). */
export function wat(text: string): Uint8Array<ArrayBuffer> {
  let bytes = cache.get(text);
  if (bytes === undefined) cache.set(text, bytes = parseWat(text, { filename: "test.wat" }));
  return bytes;
}
