/**
 * The text format's tokens, found in one pass over the char codes. Tokens are kept as parallel typed
 * arrays (kind, start, end) and parentheses are matched on the way, so the parser can skip a whole
 * S-expression in O(1). Annotations `(@name …)` are left out of the token stream; `(@custom …)` ones are
 * kept aside (their tokens stay in the arrays, but out of the main sequence) for the module to place.
 */

import { CompileError } from "../wasm/errors.ts";

/** What a token is. `Atom` covers numbers, keywords and reserved words: whatever is made of idchars. */
export const enum Tok {
  LParen = 0,
  RParen = 1,
  Keyword = 2,
  Id = 3,
  String = 4,
  /** Made of idchars but starts with neither a letter nor `$`: a number, or reserved. */
  Number = 5,
  /** Anything else the spec calls reserved (e.g. idchars glued to a string). */
  Reserved = 6,
  Eof = 7,
}

/** A `(@custom …)` annotation: the token index of its `(`, in the separate token list. */
export interface CustomAnnotation {
  /** Index, in the token arrays, of the annotation's first token after `(@custom`. */
  first: number;
  /** Index of its closing `)`. */
  close: number;
  /** Where it was in the main sequence: the index of the main token that followed it. */
  before: number;
}

/** The tokens of a text. Index `count` holds an `Eof` token at the end of the text. */
export class Tokens {
  readonly text: string;
  readonly filename: string;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** For `(`: index of the matching `)`; for `)`: of the matching `(`. */
  match: Int32Array;
  count = 0;
  /** Tokens stored, including the custom annotations' ones kept after `Eof`. */
  total = 0;
  /** `(@custom …)` annotations in text order. */
  customs: CustomAnnotation[] = [];
  /** Limits and memory offsets are 32-bit numbers, as in Wasm 2.0's text (see `ParseWatOptions`). */
  limits32 = false;
  #lineStarts: number[] | undefined;
  #lastLine = 0;

  constructor(text: string, filename: string) {
    this.text = text;
    this.filename = filename;
    const guess = Math.max(16, text.length >> 2);
    this.kind = new Uint8Array(guess);
    this.start = new Int32Array(guess);
    this.end = new Int32Array(guess);
    this.match = new Int32Array(guess);
  }

  /** The source text of token `i`. */
  slice(i: number): string {
    return this.text.slice(this.start[i], this.end[i]);
  }

  push(kind: Tok, start: number, end: number): number {
    if (this.count === this.kind.length) this.#grow();
    const i = this.count++;
    this.total = this.count;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    this.match[i] = -1;
    return i;
  }

  #grow(): void {
    const n = this.kind.length * 2;
    const kind = new Uint8Array(n), start = new Int32Array(n), end = new Int32Array(n);
    const match = new Int32Array(n);
    kind.set(this.kind), start.set(this.start), end.set(this.end), match.set(this.match);
    this.kind = kind, this.start = start, this.end = end, this.match = match;
  }

  /** `line:column` (1-based) of a text offset. */
  position(offset: number): { line: number; column: number } {
    if (!this.#lineStarts) {
      const starts = [0];
      const t = this.text;
      for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) starts.push(i + 1);
      this.#lineStarts = starts;
    }
    const starts = this.#lineStarts;
    // Positions are mostly asked in text order: try the line of the last answer first.
    let line = this.#lastLine;
    if (!(starts[line] <= offset && (line + 1 >= starts.length || starts[line + 1] > offset))) {
      let lo = 0, hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      line = lo;
    }
    this.#lastLine = line;
    return { line: line + 1, column: offset - starts[line] + 1 };
  }

  /** A CompileError for text offset `offset`, as `file:line:column: message`. */
  errorAt(offset: number, message: string): CompileError {
    const { line, column } = this.position(offset);
    const where = this.filename ? `${this.filename}:${line}:${column}` : `${line}:${column}`;
    return new CompileError(`${where}: ${message}`);
  }

  /** A CompileError at token `i`. */
  error(i: number, message: string): CompileError {
    return this.errorAt(this.start[Math.min(i, this.total - 1)], message);
  }
}

/** Whether `c` may appear in a keyword, identifier or number (the spec's idchar). */
export function isIdChar(c: number): boolean {
  return c < 128 && ID_CHAR[c] === 1;
}

const ID_CHAR = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) ID_CHAR[c] = 1;
for (const c of ' ",;()[]{}') ID_CHAR[c.charCodeAt(0)] = 0;
/** Characters that are no idchars but may appear in reserved tokens. */
const RESERVED_CHAR = new Uint8Array(128);
for (const c of ",;[]{}") RESERVED_CHAR[c.charCodeAt(0)] = 1;

/** Splits `text` into tokens; malformed lexical structure throws a CompileError at its place. */
export function tokenize(text: string, filename = ""): Tokens {
  const toks = new Tokens(text, filename);
  const n = text.length;
  /** Indices of the open `(` tokens, innermost last. */
  const open: number[] = [];
  /** Text offsets of those parens, for the "unclosed" error. */
  const openAt: number[] = [];
  /** For each open paren: 0 for a main one, 1 for an annotation, 2 for a `@custom` annotation. */
  const openAnnot: number[] = [];
  let annotDepth = 0;
  const pendingCustoms: { first: number; openIndex: number }[] = [];
  // Annotation tokens are stored after the main ones would overwrite them, so they go to a side array.
  const side = new Tokens(text, filename);
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) {
      i++;
      continue;
    }
    if (c === 0x3b /* ; */ && text.charCodeAt(i + 1) === 0x3b) {
      // A line comment ends at a line feed or a carriage return.
      for (let d = text.charCodeAt(i); i < n && d !== 0x0a && d !== 0x0d; d = text.charCodeAt(++i));
      continue;
    }
    const dest = annotDepth > 0 ? side : toks;
    if (c === 0x28 /* ( */) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x3b /* ; */) {
        i = skipBlockComment(toks, i);
        continue;
      }
      if (next === 0x40 /* @ */) {
        // An annotation: its name is idchars or a string, right after the `@`.
        let j = i + 2;
        if (text.charCodeAt(j) === 0x22) j = skipString(toks, j);
        else while (j < n && isIdChar(text.charCodeAt(j))) j++;
        if (j === i + 2 && annotDepth === 0) throw toks.errorAt(i, "empty annotation id");
        if (text.charCodeAt(i + 2) === 0x22 && annotDepth === 0) {
          const idBytes = stringBytesAt(text, i + 3, j - 1);
          if (idBytes.length === 0) throw toks.errorAt(i, "empty annotation id");
          if (decodeUtf8(idBytes) === null) {
            throw toks.errorAt(i, "malformed UTF-8 encoding in annotation id");
          }
        }
        const name = text.slice(i + 2, j);
        const idx = side.push(Tok.LParen, i, j);
        open.push(idx);
        openAt.push(i);
        const isCustom = annotDepth === 0 && name === "custom";
        openAnnot.push(isCustom ? 2 : 1);
        if (isCustom) pendingCustoms.push({ first: side.count, openIndex: idx });
        annotDepth++;
        i = j;
        continue;
      }
      open.push(dest.push(Tok.LParen, i, i + 1));
      openAt.push(i);
      openAnnot.push(0);
      i++;
      continue;
    }
    if (c === 0x29 /* ) */) {
      if (open.length === 0) throw toks.errorAt(i, 'unexpected ")"');
      const o = open.pop()!;
      openAt.pop();
      const a = openAnnot.pop()!;
      if (a === 0) {
        const close = dest.push(Tok.RParen, i, i + 1);
        dest.match[o] = close;
        dest.match[close] = o;
      } else {
        const close = side.push(Tok.RParen, i, i + 1);
        side.match[o] = close;
        side.match[close] = o;
        annotDepth--;
        if (a === 2) {
          const p = pendingCustoms.pop()!;
          toks.customs.push({ first: p.first, close, before: toks.count });
        }
      }
      i++;
      continue;
    }
    if (c === 0x22 || (c < 128 && (ID_CHAR[c] === 1 || RESERVED_CHAR[c] === 1))) {
      i = scanToken(toks, dest, i);
      continue;
    }
    throw toks.errorAt(
      i,
      `unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(i)!))}`,
    );
  }
  if (open.length > 0) throw toks.errorAt(openAt[openAt.length - 1], 'unclosed "("');
  toks.push(Tok.Eof, n, n);
  toks.customs.sort((a, b) => a.before - b.before);
  // The custom annotations' tokens live in `side`; append them after Eof so indices stay valid.
  if (toks.customs.length > 0) {
    const shift = toks.count;
    for (let k = 0; k < side.count; k++) {
      const idx = toks.push(side.kind[k] as Tok, side.start[k], side.end[k]);
      toks.match[idx] = side.match[k] < 0 ? -1 : side.match[k] + shift;
    }
    toks.total = toks.count;
    toks.count = shift; // the main sequence still ends at Eof
    for (const c of toks.customs) c.first += shift, c.close += shift;
  }
  return toks;
}

/**
 * One token from `i`: the maximal run of idchars, strings and the reserved characters `,;[]{}` (a `;;`
 * ends it). Unless the run is exactly one keyword, identifier, number or string, it is reserved.
 */
function scanToken(toks: Tokens, dest: Tokens, i: number): number {
  const text = toks.text;
  const n = text.length;
  let j = i;
  let strings = 0, others = 0;
  let firstStringEnd = -1;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d === 0x22) {
      const e = skipString(toks, j);
      if (strings++ === 0) firstStringEnd = e;
      j = e;
    } else if (d < 128 && ID_CHAR[d] === 1) j++;
    else if (d < 128 && RESERVED_CHAR[d] === 1 && !(d === 0x3b && text.charCodeAt(j + 1) === 0x3b)) {
      others++, j++;
    } else break;
  }
  const c = text.charCodeAt(i);
  let kind: Tok;
  if (others > 0) kind = Tok.Reserved;
  else if (c === 0x22) kind = strings === 1 && j === firstStringEnd ? Tok.String : Tok.Reserved;
  else if (c === 0x24 && text.charCodeAt(i + 1) === 0x22) {
    kind = strings === 1 && j === firstStringEnd ? Tok.Id : Tok.Reserved;
    if (kind === Tok.Id && j === i + 3) throw toks.errorAt(i, "empty identifier");
  } else if (strings > 0) kind = Tok.Reserved;
  else if (c === 0x24) kind = j === i + 1 ? Tok.Reserved : Tok.Id;
  else kind = c >= 0x61 && c <= 0x7a ? Tok.Keyword : Tok.Number;
  dest.push(kind, i, j);
  return j;
}

function skipBlockComment(toks: Tokens, at: number): number {
  const text = toks.text;
  let depth = 1;
  let i = at + 2;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x28 && text.charCodeAt(i + 1) === 0x3b) depth++, i += 2;
    else if (c === 0x3b && text.charCodeAt(i + 1) === 0x29) {
      i += 2;
      if (--depth === 0) return i;
    } else i++;
  }
  throw toks.errorAt(at, "unclosed block comment");
}

/** The end of the string starting at the `"` at `at`; checks its characters and escapes. */
function skipString(toks: Tokens, at: number): number {
  const text = toks.text;
  let i = at + 1;
  for (;;) {
    if (i >= text.length) throw toks.errorAt(at, "unclosed string");
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20 || c === 0x7f) throw toks.errorAt(i, "illegal character in string");
    if (c === 0x5c /* \ */) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75 /* u */) {
        const end = text.indexOf("}", i);
        if (text.charCodeAt(i + 2) !== 0x7b || end < 0) throw toks.errorAt(i, "illegal escape");
        const value = hexDigitsValue(text, i + 3, end);
        if (value < 0 || value >= 0x110000 || (value >= 0xd800 && value < 0xe000)) {
          throw toks.errorAt(i, "illegal escape");
        }
        i = end + 1;
      } else if (hexValue(e) >= 0) {
        if (hexValue(text.charCodeAt(i + 2)) < 0) throw toks.errorAt(i, "illegal escape");
        i += 3;
      } else if (e === 0x6e || e === 0x74 || e === 0x72 || e === 0x22 || e === 0x27 || e === 0x5c) {
        i += 2;
      } else throw toks.errorAt(i, "illegal escape");
    } else if (c >= 0xd800 && c < 0xdc00) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d < 0xe000)) throw toks.errorAt(i, "malformed UTF-8 encoding");
      i += 2;
    } else if (c >= 0xdc00 && c < 0xe000) {
      throw toks.errorAt(i, "malformed UTF-8 encoding");
    } else i++;
  }
}

/** The value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** The value of hex digits with optional single underscores between them in text[from, to), or -1. */
function hexDigitsValue(text: string, from: number, to: number): number {
  if (from >= to) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f && i > from && i + 1 < to && text.charCodeAt(i - 1) !== 0x5f) continue;
    const h = hexValue(c);
    if (h < 0) return -1;
    v = v * 16 + h;
    if (v > 0x10ffff) return 0x110000;
  }
  return v;
}

const utf8 = new TextEncoder();

/** The bytes a string token stands for (escapes decoded, characters as UTF-8). */
export function stringBytes(toks: Tokens, i: number): Uint8Array {
  const from = toks.start[i] + (toks.text.charCodeAt(toks.start[i]) === 0x24 ? 2 : 1);
  return stringBytesAt(toks.text, from, toks.end[i] - 1);
}

/** A string token's text when it is plain ASCII without escapes (its bytes are its characters), else null. */
export function plainString(toks: Tokens, i: number): string | null {
  const text = toks.text;
  const from = toks.start[i] + (text.charCodeAt(toks.start[i]) === 0x24 ? 2 : 1);
  const to = toks.end[i] - 1;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5c || c >= 0x80) return null;
  }
  return text.slice(from, to);
}

/** The bytes of the (checked) string contents text[from, to). */
function stringBytesAt(text: string, from: number, to: number): Uint8Array {
  // Fast path: no escapes and ASCII only.
  let plain = true;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5c || c >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const out = new Uint8Array(to - from);
    for (let k = from; k < to; k++) out[k - from] = text.charCodeAt(k);
    return out;
  }
  const out: number[] = [];
  for (let k = from; k < to;) {
    const c = text.charCodeAt(k);
    if (c === 0x5c) {
      const e = text.charCodeAt(k + 1);
      if (e === 0x75) {
        const end = text.indexOf("}", k);
        const cp = hexDigitsValue(text, k + 3, end);
        for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
        k = end + 1;
      } else if (hexValue(e) >= 0) {
        out.push(hexValue(e) * 16 + hexValue(text.charCodeAt(k + 2)));
        k += 3;
      } else {
        out.push(e === 0x6e ? 10 : e === 0x74 ? 9 : e === 0x72 ? 13 : e);
        k += 2;
      }
    } else if (c < 0x80) {
      out.push(c);
      k++;
    } else {
      const cp = text.codePointAt(k)!;
      for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
      k += cp > 0xffff ? 2 : 1;
    }
  }
  return new Uint8Array(out);
}

// ignoreBOM: a U+FEFF in a name is a character of the name, not a byte order mark.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The bytes as a string if they are valid UTF-8, else null. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && bytes.length < 64) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
