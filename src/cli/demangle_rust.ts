/**
 * Rust symbol names: the legacy mangling (`_ZN…17h<hash>E`, Itanium-shaped with `$…$` escapes) and
 * v0 (`_R…`, RFC 2603: paths, generic arguments, types, constants, back-references). Printed as
 * rustc-demangle's alternate form prints them: no hashes, no crate disambiguators. Each function
 * returns null for a name it cannot read, and throws nothing.
 */

/** `_ZN3foo3bar17h0123456789abcdefE` → `foo::bar`; null unless it is a legacy Rust name. */
export function demangleRustLegacy(name: string): string | null {
  let s = name;
  if (s.startsWith("__ZN")) s = s.slice(1);
  if (!s.startsWith("_ZN")) return null;
  const parts: string[] = [];
  let i = 3;
  while (s[i] !== "E") {
    const m = /^[1-9]\d*/.exec(s.slice(i, i + 10));
    if (!m) return null;
    i += m[0].length;
    const len = Number(m[0]);
    if (i + len > s.length) return null;
    parts.push(s.slice(i, i + len));
    i += len;
  }
  const rest = s.slice(i + 1);
  // Only a vendor suffix (`.llvm.123`) may follow; parameters after `E` make it C++.
  if (rest !== "" && !rest.startsWith(".")) return null;
  const hashed = parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1]);
  if (!hashed && !parts.some((p) => p.includes("$") || p.includes("."))) return null;
  if (hashed) parts.pop();
  const out: string[] = [];
  for (const part of parts) {
    const text = unescapeLegacy(part);
    if (text === null) return null;
    out.push(text);
  }
  return out.join("::");
}

const LEGACY_ESCAPES: Record<string, string> = {
  SP: "@",
  BP: "*",
  RF: "&",
  LT: "<",
  GT: ">",
  LP: "(",
  RP: ")",
  C: ",",
};

/** One legacy path component: `$LT$` and friends, `$u7b$` (a code point), `..` for `::`. */
function unescapeLegacy(part: string): string | null {
  let s = part.startsWith("_$") ? part.slice(1) : part;
  let out = "";
  while (s.length > 0) {
    if (s.startsWith("..")) {
      out += "::", s = s.slice(2);
    } else if (s[0] === "$") {
      const end = s.indexOf("$", 1);
      if (end < 0) return null;
      const code = s.slice(1, end);
      let text = LEGACY_ESCAPES[code];
      if (text === undefined && /^u[0-9a-f]{1,6}$/.test(code)) {
        const cp = parseInt(code.slice(1), 16);
        if (cp > 0x10ffff) return null;
        text = String.fromCodePoint(cp);
      }
      if (text === undefined) return null;
      out += text, s = s.slice(end + 1);
    } else {
      out += s[0], s = s.slice(1);
    }
  }
  return out;
}

/** Deeper than this (nesting, or back-references within back-references) is refused. */
const MAX_DEPTH = 300;
/** An output longer than this (back-references can repeat a path exponentially) is refused. */
const MAX_OUTPUT = 1 << 16;

class Fail extends Error {}

const BASIC_TYPES: Record<string, string> = {
  a: "i8",
  b: "bool",
  c: "char",
  d: "f64",
  e: "str",
  f: "f32",
  h: "u8",
  i: "isize",
  j: "usize",
  l: "i32",
  m: "u32",
  n: "i128",
  o: "u128",
  s: "i16",
  t: "u16",
  u: "()",
  v: "...",
  x: "i64",
  y: "u64",
  z: "!",
  p: "_",
};

/** `_RNvCs1234_7mycrate3foo` → `mycrate::foo`; null unless it is a v0 name we can read. */
export function demangleRustV0(name: string): string | null {
  let s = name;
  if (s.startsWith("__R")) s = s.slice(1);
  if (!s.startsWith("_R")) return null;
  // A vendor suffix (`.llvm.…`) is not part of the name.
  const dot = s.indexOf(".");
  if (dot >= 0) s = s.slice(0, dot);
  try {
    const p = new V0(s.slice(2));
    if (/^\d/.test(p.s)) return null; // an encoding version other than the first
    const out = p.path(true);
    if (!p.done) p.path(false); // the instantiating crate: not shown
    return p.done ? out : null;
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return null;
    throw e;
  }
}

/** A parser that prints as it reads (back-references re-read what they point to). */
class V0 {
  i = 0;
  depth = 0;
  /** Lifetimes bound by the enclosing `for<…>` binders. */
  bound = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.i === this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? "";
  }
  next(): string {
    if (this.i >= this.s.length) throw new Fail();
    return this.s[this.i++];
  }
  eat(c: string): boolean {
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }

  /** `{0-9a-zA-Z} _`: "_" is 0, digits d… are d + 1. */
  base62(): number {
    if (this.eat("_")) return 0;
    let n = 0;
    for (;;) {
      const c = this.next();
      if (c === "_") return n + 1;
      const d = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".indexOf(c);
      if (d < 0) throw new Fail();
      n = n * 62 + d; // a crate's hash exceeds 2^53: inexact then, and only ever skipped
    }
  }
  /** `s <base-62>`: 0 when absent, else the number + 1. */
  disambiguator(): number {
    return this.eat("s") ? this.base62() + 1 : 0;
  }
  decimal(): number {
    const m = /^(0|[1-9]\d*)/.exec(this.s.slice(this.i, this.i + 12));
    if (!m) throw new Fail();
    this.i += m[0].length;
    return Number(m[0]);
  }
  /** `[u] <decimal> [_] <bytes>`: `u` marks Punycode. */
  ident(): string {
    const puny = this.eat("u");
    const len = this.decimal();
    this.eat("_");
    if (this.i + len > this.s.length) throw new Fail();
    const raw = this.s.slice(this.i, this.i + len);
    this.i += len;
    return puny ? punycode(raw) : raw;
  }

  /** Runs `f` with the parser at a back-reference's target, then comes back. */
  backref<T>(f: () => T): T {
    const start = this.i - 1;
    const target = this.base62();
    if (target >= start) throw new Fail(); // only backwards: no loops
    const saved = this.i;
    this.i = target;
    try {
      return f();
    } finally {
      this.i = saved;
    }
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Fail();
  }
  checked(text: string): string {
    if (text.length > MAX_OUTPUT) throw new Fail();
    return text;
  }

  /** A path; `value`: in an expression (generic arguments as `::<…>`) rather than a type. */
  path(value: boolean): string {
    this.enter();
    try {
      return this.checked(this.pathInner(value));
    } finally {
      this.depth--;
    }
  }
  private pathInner(value: boolean): string {
    const c = this.next();
    switch (c) {
      case "C":
        this.disambiguator();
        return this.ident();
      case "M": {
        this.disambiguator();
        this.path(false); // the impl's own path: not shown
        return `<${this.type()}>`;
      }
      case "X": {
        this.disambiguator();
        this.path(false);
        const self = this.type();
        return `<${self} as ${this.path(false)}>`;
      }
      case "Y": {
        const self = this.type();
        return `<${self} as ${this.path(false)}>`;
      }
      case "N": {
        const ns = this.next();
        if (!/[a-zA-Z]/.test(ns)) throw new Fail();
        const parent = this.path(value);
        const dis = this.disambiguator();
        const name = this.ident();
        if (ns >= "a" && ns <= "z") return name === "" ? parent : `${parent}::${name}`;
        const kind = ns === "C" ? "closure" : ns === "S" ? "shim" : ns;
        return `${parent}::{${kind}${name === "" ? "" : `:${name}`}#${dis}}`;
      }
      case "I": {
        const base = this.path(value);
        const args: string[] = [];
        while (!this.eat("E")) args.push(this.genericArg());
        return `${base}${value ? "::" : ""}<${args.join(", ")}>`;
      }
      case "B":
        return this.backref(() => this.path(value));
    }
    throw new Fail();
  }

  genericArg(): string {
    if (this.peek() === "L") {
      this.i++;
      return this.lifetime(this.base62());
    }
    if (this.eat("K")) return this.constant();
    return this.type();
  }

  lifetime(n: number): string {
    if (n === 0) return "'_";
    const depth = this.bound - n;
    if (depth < 0) throw new Fail();
    return depth < 26 ? `'${String.fromCharCode(97 + depth)}` : `'_${depth}`;
  }

  /** `G <base-62>`: `for<'a, …> ` binding that many more lifetimes (until `leave` is called). */
  binder(): string {
    if (!this.eat("G")) return "";
    const n = this.base62() + 1;
    this.bound += n;
    const names: string[] = [];
    for (let k = 0; k < n; k++) names.push(this.lifetime(n - k));
    return `for<${names.join(", ")}> `;
  }

  type(): string {
    this.enter();
    try {
      return this.checked(this.typeInner());
    } finally {
      this.depth--;
    }
  }
  private typeInner(): string {
    const c = this.next();
    const basic = BASIC_TYPES[c];
    if (basic !== undefined) return basic;
    switch (c) {
      case "A": {
        const elem = this.type();
        return `[${elem}; ${this.constant()}]`;
      }
      case "S":
        return `[${this.type()}]`;
      case "T": {
        const items: string[] = [];
        while (!this.eat("E")) items.push(this.type());
        return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
      }
      case "R":
      case "Q": {
        let lt = "";
        if (this.eat("L")) {
          const n = this.base62();
          if (n !== 0) lt = `${this.lifetime(n)} `;
        }
        return `&${lt}${c === "Q" ? "mut " : ""}${this.type()}`;
      }
      case "P":
        return `*const ${this.type()}`;
      case "O":
        return `*mut ${this.type()}`;
      case "F":
        return this.bound0(() => this.fnSig());
      case "D":
        return this.bound0(() => this.dyn());
      case "B":
        return this.backref(() => this.type());
      case "C":
      case "M":
      case "X":
      case "Y":
      case "N":
      case "I":
        this.i--;
        return this.path(false);
    }
    throw new Fail();
  }

  /** Runs `f`, then drops the lifetimes a binder inside it bound. */
  private bound0(f: () => string): string {
    const saved = this.bound;
    try {
      return f();
    } finally {
      this.bound = saved;
    }
  }

  fnSig(): string {
    const binder = this.binder();
    const unsafe = this.eat("U") ? "unsafe " : "";
    let abi = "";
    if (this.eat("K")) abi = `extern "${this.eat("C") ? "C" : this.ident().replaceAll("_", "-")}" `;
    const params: string[] = [];
    while (!this.eat("E")) params.push(this.type());
    const ret = this.type();
    return `${binder}${unsafe}${abi}fn(${params.join(", ")})${ret === "()" ? "" : ` -> ${ret}`}`;
  }

  dyn(): string {
    const binder = this.binder();
    const traits: string[] = [];
    while (!this.eat("E")) {
      let t = this.dynTrait();
      const bindings: string[] = [];
      while (this.eat("p")) {
        const name = this.ident();
        bindings.push(`${name} = ${this.type()}`);
      }
      if (bindings.length > 0) {
        // `Trait<Item = T>`, or `Trait<A, Item = T>` when the trait has generic arguments.
        t = t.endsWith(">") ? `${t.slice(0, -1)}, ${bindings.join(", ")}>` : `${t}<${bindings.join(", ")}>`;
      }
      traits.push(t);
    }
    if (!this.eat("L")) throw new Fail();
    const lt = this.base62();
    const life = lt === 0 ? "" : ` + ${this.lifetime(lt)}`;
    return `dyn ${binder}${traits.join(" + ")}${life}`;
  }
  private dynTrait(): string {
    return this.path(false);
  }

  constant(): string {
    if (this.eat("p")) return "_";
    if (this.eat("B")) return this.backref(() => this.constant());
    const ty = this.next();
    const negative = this.eat("n");
    const start = this.i;
    while (/[0-9a-f]/.test(this.peek())) this.i++;
    const hex = this.s.slice(start, this.i);
    if (!this.eat("_")) throw new Fail();
    const value = hex === "" ? 0n : BigInt(`0x${hex}`);
    switch (ty) {
      case "b":
        if (value > 1n) throw new Fail();
        return value === 1n ? "true" : "false";
      case "c": {
        if (value > 0x10ffffn) throw new Fail();
        return JSON.stringify(String.fromCodePoint(Number(value))).replace(/^"|"$/g, "'");
      }
      case "a":
      case "s":
      case "l":
      case "x":
      case "n":
      case "i":
        return `${negative ? "-" : ""}${value}`;
      case "h":
      case "t":
      case "m":
      case "y":
      case "o":
      case "j":
        if (negative) throw new Fail();
        return `${value}`;
    }
    throw new Fail(); // str, references, arrays, structs as constants: not read here
  }
}

/** Decodes Punycode (RFC 3492) as v0 spells it: `_` where Punycode has its last `-`. */
function punycode(raw: string): string {
  const split = raw.lastIndexOf("_");
  const out = [...(split >= 0 ? raw.slice(0, split) : "")].map((c) => c.codePointAt(0)!);
  const digits = split >= 0 ? raw.slice(split + 1) : raw;
  const base = 36, tMin = 1, tMax = 26;
  let n = 0x80, bias = 72, i = 0, k = 0, first = true;
  while (k < digits.length) {
    const oldI = i;
    let w = 1;
    for (let t = base;; t += base) {
      if (k >= digits.length) throw new Fail();
      const c = digits.charCodeAt(k++);
      const d = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : -1;
      if (d < 0) throw new Fail();
      i += d * w;
      const th = t <= bias ? tMin : t >= bias + tMax ? tMax : t - bias;
      if (d < th) break;
      w *= base - th;
      if (i > 0x10ffff * 64) throw new Fail();
    }
    const len = out.length + 1;
    let delta = first ? Math.floor((i - oldI) / 700) : Math.floor((i - oldI) / 2);
    first = false;
    delta += Math.floor(delta / len);
    let kk = 0;
    while (delta > ((base - tMin) * tMax) >> 1) delta = Math.floor(delta / (base - tMin)), kk += base;
    bias = kk + Math.floor(((base - tMin + 1) * delta) / (delta + 38));
    n += Math.floor(i / len);
    i %= len;
    if (n > 0x10ffff) throw new Fail();
    out.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...out);
}
