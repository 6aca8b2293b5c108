/**
 * Custom sections from `(@custom "name" place? "bytes"*)` annotations, where place is
 * `(before first|last|<section>)` or `(after …)`; without a place, the section goes after the last one.
 */

import { Cursor } from "./cursor.ts";
import { Writer } from "./encode.ts";
import { Tok, type Tokens } from "./lexer.ts";

/** A custom section and where it goes. */
export interface CustomSection {
  body: Writer;
  after: boolean;
  /** Rank of the anchor section in the binary's order; -1 for `first`, Infinity for `last`. */
  rank: number;
}

/** The binary order of the non-custom sections, by id. */
const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
const SECTION_IDS: Record<string, number> = {
  type: 1,
  import: 2,
  func: 3,
  table: 4,
  memory: 5,
  tag: 13,
  global: 6,
  export: 7,
  start: 8,
  elem: 9,
  datacount: 12,
  code: 10,
  data: 11,
};

/** The `(@custom …)` annotations of the module whose tokens are [first, end). */
export function parseCustomAnnotations(toks: Tokens, first: number, end: number): CustomSection[] {
  const out: CustomSection[] = [];
  for (const a of toks.customs) {
    if (a.before < first || a.before > end) continue;
    const c = new Cursor(toks, a.first);
    const body = new Writer(32);
    body.name(c.expectName());
    let after = true;
    let rank = Infinity;
    if (c.kind() === Tok.LParen) {
      const side = c.openKeyword();
      if (side !== "before" && side !== "after") throw c.unexpected('"(before" or "(after"');
      c.enter();
      after = side === "after";
      const anchor = c.kind() === Tok.Keyword ? c.text() : "";
      if (anchor === "first") rank = -1;
      else if (anchor === "last") rank = Infinity;
      else if (anchor in SECTION_IDS) rank = ORDER.indexOf(SECTION_IDS[anchor]);
      else throw c.unexpected("a section name");
      c.p++;
      c.expectRParen();
    }
    body.raw(c.strings());
    if (c.p !== a.close) throw c.unexpected("a string");
    out.push({ body, after, rank });
  }
  return out;
}

/** The sections in order with the custom ones inserted where they were placed. */
export function placeCustoms(sections: [number, Writer][], customs: CustomSection[]): [number, Writer][] {
  if (customs.length === 0) return sections;
  const rankOf = (id: number) => ORDER.indexOf(id);
  const out: [number, Writer][] = [];
  const pending = [...customs];
  const flush = (accept: (c: CustomSection) => boolean) => {
    for (let i = 0; i < pending.length;) {
      if (accept(pending[i])) out.push([0, pending.splice(i, 1)[0].body]);
      else i++;
    }
  };
  for (const [id, w] of sections) {
    const r = rankOf(id);
    flush((c) => (c.after ? c.rank < r : c.rank <= r));
    out.push([id, w]);
  }
  flush(() => true);
  return out;
}
