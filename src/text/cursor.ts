/** Walking the token stream: a cursor with the small checks every parser step needs, and index spaces. */

import type { CompileError } from "../wasm/errors.ts";
import { decodeUtf8, stringBytes, Tok, type Tokens } from "./lexer.ts";
import { parseU32 } from "./numbers.ts";

/** A position in a token stream, with helpers that throw a located CompileError on malformed text. */
export class Cursor {
  readonly toks: Tokens;
  /** The current token. */
  p: number;

  constructor(toks: Tokens, p: number) {
    this.toks = toks;
    this.p = p;
  }

  kind(at = this.p): Tok {
    return this.toks.kind[at] as Tok;
  }

  /** Whether token `at` is the keyword `kw`. */
  isKw(kw: string, at = this.p): boolean {
    const t = this.toks;
    return t.kind[at] === Tok.Keyword && t.end[at] - t.start[at] === kw.length &&
      t.text.startsWith(kw, t.start[at]);
  }

  /** Whether the current token is `(` followed by the keyword `kw`. */
  isOpen(kw: string): boolean {
    return this.toks.kind[this.p] === Tok.LParen && this.isKw(kw, this.p + 1);
  }

  /** The keyword after the current `(`, or null. */
  openKeyword(): string | null {
    if (this.toks.kind[this.p] !== Tok.LParen || this.toks.kind[this.p + 1] !== Tok.Keyword) return null;
    return this.toks.slice(this.p + 1);
  }

  text(at = this.p): string {
    return this.toks.slice(at);
  }

  error(message: string, at = this.p): CompileError {
    return this.toks.error(at, message);
  }

  /** An error about the current token, saying what was expected instead. */
  unexpected(expected: string, at = this.p): CompileError {
    const k = this.toks.kind[at];
    const got = k === Tok.Eof
      ? "end of input"
      : k === Tok.LParen
      ? '"("'
      : k === Tok.RParen
      ? '")"'
      : JSON.stringify(this.text(at));
    return this.error(`unexpected token ${got}, expected ${expected}`, at);
  }

  expectLParen(): void {
    if (this.toks.kind[this.p] !== Tok.LParen) throw this.unexpected('"("');
    this.p++;
  }

  expectRParen(): void {
    if (this.toks.kind[this.p] !== Tok.RParen) throw this.unexpected('")"');
    this.p++;
  }

  /** Consumes `(kw`; the caller has checked it is there. */
  enter(): void {
    this.p += 2;
  }

  expectKw(kw: string): void {
    if (!this.isKw(kw)) throw this.unexpected(JSON.stringify(kw));
    this.p++;
  }

  /** Consumes an identifier if there is one and returns its key (its name). */
  optionalId(): string | null {
    if (this.toks.kind[this.p] !== Tok.Id) return null;
    return idKey(this, this.p++);
  }

  expectString(): Uint8Array {
    if (this.toks.kind[this.p] !== Tok.String) throw this.unexpected("a string");
    return stringBytes(this.toks, this.p++);
  }

  /** A string that must be valid UTF-8 (an import or export name). */
  expectName(): Uint8Array {
    const at = this.p;
    const bytes = this.expectString();
    let ascii = true;
    for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i] < 0x80;
    if (!ascii && decodeUtf8(bytes) === null) throw this.error("malformed UTF-8 encoding", at);
    return bytes;
  }

  /** The concatenation of the strings that follow (a data string). */
  strings(): Uint8Array {
    const parts: Uint8Array[] = [];
    let length = 0;
    while (this.toks.kind[this.p] === Tok.String) {
      const b = stringBytes(this.toks, this.p++);
      parts.push(b);
      length += b.length;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(length);
    let at = 0;
    for (const b of parts) out.set(b, at), at += b.length;
    return out;
  }

  expectU32(): number {
    if (this.toks.kind[this.p] !== Tok.Number) throw this.unexpected("a natural number");
    const v = parseU32(this.text());
    if (v < 0) throw this.error(`malformed number ${JSON.stringify(this.text())} (not a u32)`);
    this.p++;
    return v;
  }

  /** Skips from a `(` to just after its `)`. */
  skipSexpr(): void {
    this.p = this.toks.match[this.p] + 1;
  }

  /** Whether the current token is an index: a number or an identifier. */
  atIndex(at = this.p): boolean {
    const k = this.toks.kind[at];
    return k === Tok.Number || k === Tok.Id;
  }
}

/** The name an identifier token stands for: the text after `$`, or the quoted string's contents. */
export function idKey(c: Cursor, at: number): string {
  const t = c.toks;
  if (t.text.charCodeAt(t.start[at] + 1) !== 0x22) return t.text.slice(t.start[at] + 1, t.end[at]);
  const s = decodeUtf8(stringBytes(t, at));
  if (s === null) throw c.error("malformed UTF-8 encoding in identifier", at);
  if (s.length === 0) throw c.error("empty identifier", at);
  return s;
}

/** One index space of a module (functions, tables, …): its size so far and its names. */
export class IndexSpace {
  readonly what: string;
  count = 0;
  /** How many of the entries are imports (they come first). */
  imports = 0;
  readonly names = new Map<string, number>();
  /** Names in index order, for the name section. */
  readonly named: [number, string][] = [];

  constructor(what: string) {
    this.what = what;
  }

  /** Adds an entry, with its identifier (token `at`) if any; a duplicate identifier is malformed. */
  define(c: Cursor, name: string | null, at: number): number {
    const index = this.count++;
    if (name !== null) {
      if (this.names.has(name)) throw c.error(`duplicate ${this.what} $${name}`, at);
      this.names.set(name, index);
      this.named.push([index, name]);
    }
    return index;
  }

  /** Consumes an index (number or identifier) and resolves it. */
  resolve(c: Cursor): number {
    const at = c.p;
    const k = c.kind();
    if (k === Tok.Id) {
      const index = this.names.get(idKey(c, at));
      if (index === undefined) throw c.error(`unknown ${this.what} ${c.text(at)}`, at);
      c.p++;
      return index;
    }
    if (k === Tok.Number) return c.expectU32();
    throw c.unexpected(`a ${this.what} index`);
  }
}
