/**
 * C++ symbol names in the Itanium ABI's mangling (what clang and gcc emit, Emscripten and wasi-sdk
 * included): nested names, templates and template parameters, function parameter types,
 * substitutions (`S_`, `St`, `Sa`, `Ss` …), operators, constructors and destructors, local names and
 * lambdas, special names (vtables, typeinfo, thunks, guard variables) and clone suffixes. Printed as
 * c++filt prints them. A form not read here (most template expressions, decltype, vendor
 * qualifiers) makes the whole name unreadable: null, never an exception.
 */

type Node =
  /** Text as it prints; `last`: the name a constructor of it takes (`std::string` → basic_string). */
  | { k: "name"; text: string; last?: string; auto?: number }
  | { k: "qual"; scope: Node; name: Node }
  | { k: "tmpl"; name: Node; args: Node[] }
  | { k: "ptr"; op: string; inner: Node }
  | { k: "cv"; quals: string; inner: Node }
  | { k: "fn"; ret: Node | null; params: Node[]; quals: string }
  | { k: "arr"; dim: string; inner: Node }
  | { k: "memptr"; cls: Node; inner: Node }
  | { k: "pack"; inner: Node }
  | { k: "args"; items: Node[] }
  | { k: "special"; prefix: string; inner: Node }
  /** A function: its name, then its type (return type for templates, parameters, qualifiers). */
  | { k: "func"; name: Node; type: Node & { k: "fn" } };

class Fail extends Error {}

const MAX_DEPTH = 256;
const MAX_STEPS = 200_000;

const BUILTIN: Record<string, string> = {
  v: "void",
  w: "wchar_t",
  b: "bool",
  c: "char",
  a: "signed char",
  h: "unsigned char",
  s: "short",
  t: "unsigned short",
  i: "int",
  j: "unsigned int",
  l: "long",
  m: "unsigned long",
  x: "long long",
  y: "unsigned long long",
  n: "__int128",
  o: "unsigned __int128",
  f: "float",
  d: "double",
  e: "long double",
  g: "__float128",
  z: "...",
};

const D_BUILTIN: Record<string, string> = {
  d: "decimal64",
  e: "decimal128",
  f: "decimal32",
  h: "half",
  i: "char32_t",
  s: "char16_t",
  u: "char8_t",
  a: "auto",
  c: "decltype(auto)",
  n: "decltype(nullptr)",
};

/** Operator codes: what `operator…` they name, and how many operands they take in an expression. */
const OPERATORS: Record<string, [string, number]> = {
  nw: ["new", 0],
  na: ["new[]", 0],
  dl: ["delete", 0],
  da: ["delete[]", 0],
  ps: ["+", 1],
  ng: ["-", 1],
  ad: ["&", 1],
  de: ["*", 1],
  co: ["~", 1],
  pl: ["+", 2],
  mi: ["-", 2],
  ml: ["*", 2],
  dv: ["/", 2],
  rm: ["%", 2],
  an: ["&", 2],
  or: ["|", 2],
  eo: ["^", 2],
  aS: ["=", 2],
  pL: ["+=", 2],
  mI: ["-=", 2],
  mL: ["*=", 2],
  dV: ["/=", 2],
  rM: ["%=", 2],
  aN: ["&=", 2],
  oR: ["|=", 2],
  eO: ["^=", 2],
  ls: ["<<", 2],
  rs: [">>", 2],
  lS: ["<<=", 2],
  rS: [">>=", 2],
  eq: ["==", 2],
  ne: ["!=", 2],
  lt: ["<", 2],
  gt: [">", 2],
  le: ["<=", 2],
  ge: [">=", 2],
  ss: ["<=>", 2],
  nt: ["!", 1],
  aa: ["&&", 2],
  oo: ["||", 2],
  pp: ["++", 1],
  mm: ["--", 1],
  cm: [",", 2],
  pm: ["->*", 2],
  pt: ["->", 2],
  cl: ["()", 0],
  ix: ["[]", 2],
  qu: ["?", 3],
  aw: ["co_await", 1],
};

const STD_STRING = "std::basic_string<char, std::char_traits<char>, std::allocator<char> >";

/** The standard abbreviations, spelt out as c++filt does, and the name their constructors take. */
const ABBREVIATIONS: Record<string, [string, string]> = {
  a: ["std::allocator", "allocator"],
  b: ["std::basic_string", "basic_string"],
  s: [STD_STRING, "basic_string"],
  i: ["std::basic_istream<char, std::char_traits<char> >", "basic_istream"],
  o: ["std::basic_ostream<char, std::char_traits<char> >", "basic_ostream"],
  d: ["std::basic_iostream<char, std::char_traits<char> >", "basic_iostream"],
};

/** What a name was read as: the node, the qualifiers a member function has, and its template-ness. */
interface NameInfo {
  node: Node;
  quals: string;
  /** The last component has template arguments (a function template then encodes its return type). */
  template: boolean;
  /** A constructor, destructor or conversion operator: no return type even as a template. */
  noReturn: boolean;
}

/** `_ZN3foo3barEv` → `foo::bar()`; null when the name is not one this reads. */
export function demangleItanium(name: string): string | null {
  let s = name;
  if (s.startsWith("__Z")) s = s.slice(1);
  if (!s.startsWith("_Z")) return null;
  try {
    const p = new Parser(s, 2);
    let out = print(p.encoding(), p);
    out += p.cloneSuffixes();
    return p.done ? out : null;
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return null;
    throw e;
  }
}

class Parser {
  subs: Node[] = [];
  /** The template arguments `T_` refers to: those of the function's own name. */
  tparams: Node[] | null = null;
  /** Reading the function's name (not a type inside it): its template arguments become `tparams`. */
  private tagTemplates = false;
  depth = 0;
  steps = 0;
  /** Reading a lambda's parameter types (`Ul … E`). */
  private lambdaSignature = 0;
  /** The substitution candidates read there (they may hold its `auto` parameters). */
  private readonly inLambda = new Set<Node>();

  /** `n` with each `auto` parameter replaced by the function's template argument it stands for. */
  private withoutAuto(n: Node): Node {
    step(this);
    const r = (x: Node) => this.withoutAuto(x);
    switch (n.k) {
      case "name": {
        if (n.auto === undefined) return n;
        const param = this.tparams?.[n.auto];
        if (param === undefined) throw new Fail();
        return param;
      }
      case "pack":
        return { ...n, inner: r(n.inner) };
    }
    return mapChildren(n, r);
  }
  constructor(readonly s: string, public i: number) {}

  get done(): boolean {
    return this.i === this.s.length;
  }
  peek(offset = 0): string {
    return this.s[this.i + offset] ?? "";
  }
  eat(text: string): boolean {
    if (!this.s.startsWith(text, this.i)) return false;
    this.i += text.length;
    return true;
  }
  expect(text: string): void {
    if (!this.eat(text)) throw new Fail();
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Fail();
  }

  number(): number {
    const m = /^n?\d+/.exec(this.s.slice(this.i, this.i + 12));
    if (!m) throw new Fail();
    this.i += m[0].length;
    return m[0][0] === "n" ? -Number(m[0].slice(1)) : Number(m[0]);
  }

  /** `[.suffix]…`: ` [clone .cold]`, ` [clone .isra.0]` … as c++filt shows compiler clones. */
  cloneSuffixes(): string {
    let out = "";
    for (;;) {
      const m = /^\.[A-Za-z_][A-Za-z_0-9]*(\.\d+)*|^(\.\d+)+/.exec(this.s.slice(this.i));
      if (!m) return out;
      out += ` [clone ${m[0]}]`;
      this.i += m[0].length;
    }
  }

  encoding(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "T" || (c === "G" && /[VRT]/.test(this.peek(1)))) return this.special();
      const savedTag = this.tagTemplates;
      try {
        this.tagTemplates = true;
        const info = this.name();
        this.tagTemplates = false; // the types' own template arguments are not the function's
        const end = this.done || this.peek() === "E" || this.peek() === ".";
        if (end) {
          if (info.quals !== "") throw new Fail();
          return info.node;
        }
        const ret = info.template && !info.noReturn ? this.type() : null;
        const params = this.params();
        return { k: "func", name: info.node, type: { k: "fn", ret, params, quals: info.quals } };
      } finally {
        this.tagTemplates = savedTag;
      }
    } finally {
      this.depth--;
    }
  }

  /** A function's parameter types, up to the end of the name (or of a local name's function). */
  params(): Node[] {
    const params: Node[] = [];
    while (!this.done && this.peek() !== "E" && this.peek() !== ".") {
      params.push(this.type());
    }
    if (params.length === 0) throw new Fail();
    return params;
  }

  special(): Node {
    const two = this.s.slice(this.i, this.i + 2);
    this.i += 2;
    switch (two) {
      case "TV":
        return { k: "special", prefix: "vtable for ", inner: this.type() };
      case "TT":
        return { k: "special", prefix: "VTT for ", inner: this.type() };
      case "TI":
        return { k: "special", prefix: "typeinfo for ", inner: this.type() };
      case "TS":
        return { k: "special", prefix: "typeinfo name for ", inner: this.type() };
      case "TH":
        return { k: "special", prefix: "TLS init function for ", inner: this.name().node };
      case "TW":
        return { k: "special", prefix: "TLS wrapper function for ", inner: this.name().node };
      case "Th":
        this.callOffset("h");
        return { k: "special", prefix: "non-virtual thunk to ", inner: this.encoding() };
      case "Tv":
        this.callOffset("v");
        return { k: "special", prefix: "virtual thunk to ", inner: this.encoding() };
      case "Tc":
        this.callOffset(this.s[this.i++]), this.callOffset(this.s[this.i++]);
        return { k: "special", prefix: "covariant return thunk to ", inner: this.encoding() };
      case "TC": {
        const derived = this.type();
        this.number();
        this.expect("_");
        const base = this.type();
        return { k: "special", prefix: `construction vtable for ${print(base, this)}-in-`, inner: derived };
      }
      case "GV":
        return { k: "special", prefix: "guard variable for ", inner: this.name().node };
      case "GR": {
        const inner = this.name().node;
        let n = 0;
        if (!this.eat("_")) {
          const m = /^[0-9A-Z]*_/.exec(this.s.slice(this.i));
          if (!m) throw new Fail();
          n = m[0].length > 1 ? parseInt(m[0].slice(0, -1), 36) + 1 : 0;
          this.i += m[0].length;
        }
        return { k: "special", prefix: `reference temporary #${n} for `, inner };
      }
      case "GT":
        this.i++; // t or n: transaction-safe clones
        return { k: "special", prefix: "transaction clone for ", inner: this.encoding() };
    }
    throw new Fail();
  }

  /** `h <offset> _` or `v <offset> _ <offset> _`: a thunk's adjustment, not shown. */
  callOffset(kind: string): void {
    this.number(), this.expect("_");
    if (kind === "v") this.number(), this.expect("_");
    else if (kind !== "h") throw new Fail();
  }

  name(): NameInfo {
    this.enter();
    try {
      const c = this.peek();
      if (c === "N") return this.nested();
      if (c === "Z") return this.local();
      let node: Node;
      const fromSubstitution = c === "S" && this.peek(1) !== "t";
      if (this.eat("St")) {
        node = { k: "qual", scope: { k: "name", text: "std" }, name: this.unqualified(null) };
      } else if (c === "S") {
        node = this.substitution();
        if (this.peek() !== "I") throw new Fail(); // a substitution names a template here
      } else {
        node = this.unqualified(null);
      }
      const noReturn = isConversion(node);
      if (this.peek() === "I") {
        if (!fromSubstitution) this.subs.push(node); // an unscoped template name is a candidate
        node = { k: "tmpl", name: node, args: this.templateArgs() };
        return { node, quals: "", template: true, noReturn };
      }
      return { node, quals: "", template: false, noReturn };
    } finally {
      this.depth--;
    }
  }

  cvQualifiers(): string {
    let q = "";
    if (this.eat("r")) q = " restrict";
    if (this.eat("V")) q = " volatile" + q;
    if (this.eat("K")) q = " const" + q;
    return q;
  }

  nested(): NameInfo {
    this.expect("N");
    let quals = this.cvQualifiers();
    if (this.eat("R")) quals += " &";
    else if (this.eat("O")) quals += " &&";
    let node: Node | null = null;
    let template = false, noReturn = false;
    while (!this.eat("E")) {
      const c = this.peek();
      if (c !== "I") template = false, noReturn = false;
      if (c === "S" && this.peek(1) === "t") {
        if (node !== null) throw new Fail();
        this.i += 2;
        node = { k: "name", text: "std" };
        continue;
      }
      if (c === "S") {
        if (node !== null) throw new Fail();
        node = this.substitution();
        continue;
      }
      if (c === "I") {
        if (node === null) throw new Fail();
        node = { k: "tmpl", name: node, args: this.templateArgs() };
        template = true;
        if (this.peek() !== "E") this.subs.push(node);
        continue;
      }
      if (c === "T") {
        if (node !== null) throw new Fail();
        node = this.templateParam();
        this.subs.push(node);
        continue;
      }
      if (c === "M") { // a data member prefix (a lambda in a member's initializer)
        this.i++;
        continue;
      }
      if (c === "D" && (this.peek(1) === "t" || this.peek(1) === "T")) throw new Fail();
      const un = this.unqualified(node);
      noReturn = isCtorDtor(un) || isConversion(un);
      node = node === null ? un : { k: "qual", scope: node, name: un };
      if (this.peek() !== "E") this.subs.push(node);
    }
    if (node === null) throw new Fail();
    return { node, quals, template, noReturn };
  }

  local(): NameInfo {
    this.expect("Z");
    const fn = this.encoding();
    this.expect("E");
    if (this.eat("s")) {
      this.discriminator();
      return {
        node: { k: "qual", scope: fn, name: { k: "name", text: "string literal" } },
        quals: "",
        template: false,
        noReturn: false,
      };
    }
    if (this.peek() === "d") throw new Fail(); // a default argument's entity
    const entity = this.name();
    this.discriminator();
    return { ...entity, node: { k: "qual", scope: fn, name: entity.node } };
  }

  discriminator(): void {
    if (this.peek() !== "_") return;
    if (this.peek(1) === "_") {
      this.i += 2;
      this.number();
      this.expect("_");
    } else if (/\d/.test(this.peek(1))) this.i += 2;
  }

  /** A source name, operator, constructor or destructor, unnamed type or lambda (with ABI tags). */
  unqualified(scope: Node | null): Node {
    let node: Node;
    const c = this.peek();
    if (/\d/.test(c)) node = this.sourceName();
    else if (c === "L") {
      this.i++; // internal linkage (gcc)
      node = this.sourceName();
      this.discriminator();
    } else if (c === "C" && /[1-5I]/.test(this.peek(1))) {
      this.i++;
      let name = lastName(scope);
      if (this.eat("I")) {
        this.i++;
        name = lastName(this.type()); // an inheriting constructor: named after the base class
      } else this.i++;
      node = { k: "name", text: name, last: "ctor" };
    } else if (c === "D" && /[0-25]/.test(this.peek(1))) {
      this.i += 2;
      node = { k: "name", text: `~${lastName(scope)}`, last: "dtor" };
    } else if (c === "U" && this.peek(1) === "t") {
      this.i += 2;
      node = { k: "name", text: `{unnamed type#${this.seqNumber() + 1}}` };
    } else if (c === "U" && this.peek(1) === "l") {
      this.i += 2;
      const params = [];
      this.lambdaSignature++;
      try {
        while (!this.eat("E")) params.push(this.type());
      } finally {
        this.lambdaSignature--;
      }
      const fn: Node = { k: "fn", ret: null, params, quals: "" };
      node = { k: "name", text: `{lambda${right(fn, this)}#${this.seqNumber() + 1}}` };
    } else if (c === "D" && this.peek(1) === "C") {
      this.i += 2;
      const names = [];
      while (!this.eat("E")) names.push(print(this.sourceName(), this));
      node = { k: "name", text: `[${names.join(", ")}]` };
    } else if (/[a-z]/.test(c)) node = this.operatorName();
    else throw new Fail();
    while (this.peek() === "B") {
      this.i++;
      const tag = this.sourceName() as { text: string };
      node = { k: "name", text: `${print(node, this)}[abi:${tag.text}]`, last: lastName(node) };
    }
    return node;
  }

  /** `[<number>] _`: 0 for a lone `_`, n + 1 for `n_`. */
  seqNumber(): number {
    if (this.eat("_")) return 0;
    const n = this.number();
    this.expect("_");
    return n + 1;
  }

  sourceName(): Node {
    const m = /^\d+/.exec(this.s.slice(this.i, this.i + 10));
    if (!m) throw new Fail();
    this.i += m[0].length;
    const len = Number(m[0]);
    if (len === 0 || this.i + len > this.s.length) throw new Fail();
    const text = this.s.slice(this.i, this.i + len);
    this.i += len;
    return { k: "name", text: text.startsWith("_GLOBAL__N") ? "(anonymous namespace)" : text };
  }

  operatorName(): Node {
    const code = this.s.slice(this.i, this.i + 2);
    this.i += 2;
    if (code === "cv") {
      const saved = this.tagTemplates;
      this.tagTemplates = false;
      const t = this.type();
      this.tagTemplates = saved;
      return { k: "name", text: `operator ${print(t, this)}`, last: "conversion" };
    }
    if (code === "li") return { k: "name", text: `operator"" ${print(this.sourceName(), this)}` };
    if (code[0] === "v" && /\d/.test(code[1])) {
      return { k: "name", text: `operator ${print(this.sourceName(), this)}` };
    }
    const op = OPERATORS[code];
    if (op === undefined) throw new Fail();
    return { k: "name", text: /^[a-z]/.test(op[0]) ? `operator ${op[0]}` : `operator${op[0]}` };
  }

  /** `S_`, `S<seq-id>_`, or one of the standard abbreviations. */
  substitution(): Node {
    this.expect("S");
    const c = this.peek();
    const abbreviation = ABBREVIATIONS[c];
    if (abbreviation !== undefined) {
      this.i++;
      return { k: "name", text: abbreviation[0], last: abbreviation[1] };
    }
    let n = 0;
    if (!this.eat("_")) {
      const m = /^[0-9A-Z]+_/.exec(this.s.slice(this.i, this.i + 10));
      if (!m) throw new Fail();
      n = parseInt(m[0].slice(0, -1), 36) + 1;
      this.i += m[0].length;
    }
    const node = this.subs[n];
    if (node === undefined) throw new Fail();
    // A lambda's `auto` parameter was a template parameter: outside the lambda, it is the function's.
    if (this.inLambda.has(node) && this.lambdaSignature === 0) return this.withoutAuto(node);
    return node;
  }

  templateParam(): Node {
    this.expect("T");
    const n = this.seqNumber();
    // In a generic lambda's signature, its own parameters: `auto` ones, numbered as c++filt does.
    if (this.lambdaSignature > 0) return { k: "name", text: `auto:${n + 1}`, auto: n };
    const node = this.tparams?.[n];
    if (node === undefined) throw new Fail();
    return node;
  }

  templateArgs(): Node[] {
    this.expect("I");
    const tag = this.tagTemplates;
    this.tagTemplates = false;
    const args: Node[] = [];
    while (!this.eat("E")) args.push(this.templateArg());
    this.tagTemplates = tag;
    if (tag) this.tparams = args;
    return args;
  }

  templateArg(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "L") return this.exprPrimary();
      if (c === "X") {
        this.i++;
        const e = this.expression();
        this.expect("E");
        return e;
      }
      if (c === "J") {
        this.i++;
        const items: Node[] = [];
        while (!this.eat("E")) items.push(this.templateArg());
        return { k: "args", items };
      }
      return this.type();
    } finally {
      this.depth--;
    }
  }

  /** `L <type> <value> E`, `L _Z <encoding> E`: a literal template argument. */
  exprPrimary(): Node {
    this.expect("L");
    if (this.eat("_Z")) {
      const e = this.encoding();
      this.expect("E");
      return e;
    }
    const type = this.type();
    const m = /^n?[0-9a-f]*/.exec(this.s.slice(this.i))!;
    this.i += m[0].length;
    this.expect("E");
    const raw = m[0], value = raw.startsWith("n") ? `-${raw.slice(1)}` : raw;
    const t = print(type, this);
    if (t === "decltype(nullptr)" && raw === "") return { k: "name", text: "nullptr" };
    const suffix: Record<string, string> = {
      int: "",
      "unsigned int": "u",
      long: "l",
      "unsigned long": "ul",
      "long long": "ll",
      "unsigned long long": "ull",
    };
    if (t === "bool" && (raw === "0" || raw === "1")) {
      return { k: "name", text: raw === "1" ? "true" : "false" };
    }
    if (t in suffix && /^-?\d+$/.test(value)) return { k: "name", text: value + suffix[t] };
    if (!/^-?\d+$/.test(value)) throw new Fail(); // float literals: hex of their bits
    return { k: "name", text: `(${t})${value}` };
  }

  /** The expressions of template arguments that are common: literals, parameters, operators. */
  expression(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === "L") return this.exprPrimary();
      if (c === "T") return this.templateParam();
      if (this.eat("fp")) {
        this.cvQualifiers();
        const n = this.seqNumber();
        return { k: "name", text: n === 0 ? "{parm#1}" : `{parm#${n + 1}}` };
      }
      if (this.eat("sr")) {
        const scope = this.type();
        const name = this.unqualified(null);
        return { k: "qual", scope, name };
      }
      if (this.eat("sp")) return { k: "pack", inner: this.expression() };
      if (this.eat("st")) return { k: "name", text: `sizeof (${print(this.type(), this)})` };
      if (this.eat("sz")) return { k: "name", text: `sizeof (${print(this.expression(), this)})` };
      const code = this.s.slice(this.i, this.i + 2);
      const op = OPERATORS[code];
      if (op === undefined || op[1] === 0 || op[1] === 3) throw new Fail();
      this.i += 2;
      const a = print(this.expression(), this);
      if (op[1] === 1) return { k: "name", text: `${op[0]}${a}` };
      const b = print(this.expression(), this);
      return { k: "name", text: `(${a})${op[0]}(${b})` };
    } finally {
      this.depth--;
    }
  }

  type(): Node {
    this.enter();
    try {
      return this.typeInner();
    } finally {
      this.depth--;
    }
  }

  private typeInner(): Node {
    const c = this.peek();
    const builtin = BUILTIN[c];
    if (builtin !== undefined) {
      this.i++;
      return { k: "name", text: builtin };
    }
    let node: Node;
    switch (c) {
      case "D": {
        const d = this.peek(1);
        if (D_BUILTIN[d] !== undefined) {
          this.i += 2;
          return { k: "name", text: D_BUILTIN[d] };
        }
        if (d === "F") {
          this.i += 2;
          const bits = this.number();
          this.expect("_");
          return { k: "name", text: `_Float${bits}` };
        }
        if (d === "p") {
          this.i += 2;
          node = { k: "pack", inner: this.type() };
          break;
        }
        if (d === "x" || d === "o" || d === "O" || d === "w") {
          node = this.functionType();
          break;
        }
        throw new Fail(); // decltype, vector types
      }
      case "u":
        this.i++;
        return this.sourceName();
      case "r":
      case "V":
      case "K": {
        const quals = this.cvQualifiers();
        const inner = this.type();
        // A qualified template argument qualified again (`K T_` with `T_` = `X const`) is said once.
        if (inner.k === "fn") node = { ...inner, quals: quals + inner.quals };
        else if (inner.k === "cv") {
          node = { k: "cv", quals: mergeQuals(quals, inner.quals), inner: inner.inner };
        } else node = { k: "cv", quals, inner };
        break;
      }
      case "P":
      case "R":
      case "O":
        this.i++;
        node = { k: "ptr", op: c === "P" ? "*" : c === "R" ? "&" : "&&", inner: this.type() };
        break;
      case "C":
      case "G":
        this.i++;
        node = { k: "cv", quals: c === "C" ? " _Complex" : " _Imaginary", inner: this.type() };
        break;
      case "F":
        node = this.functionType();
        break;
      case "A": {
        this.i++;
        let dim = "";
        if (/\d/.test(this.peek())) dim = String(this.number());
        else if (this.peek() !== "_") dim = print(this.expression(), this);
        this.expect("_");
        node = { k: "arr", dim, inner: this.type() };
        break;
      }
      case "M": {
        this.i++;
        const cls = this.type();
        node = { k: "memptr", cls, inner: this.type() };
        break;
      }
      case "T": {
        node = this.templateParam();
        if (this.peek() === "I") {
          this.subs.push(node);
          node = { k: "tmpl", name: node, args: this.templateArgs() };
        }
        break;
      }
      case "S": {
        if (this.peek(1) === "t") {
          node = this.name().node;
          break;
        }
        const sub = this.substitution();
        if (this.peek() !== "I") return sub;
        node = { k: "tmpl", name: sub, args: this.templateArgs() };
        break;
      }
      case "N":
      case "Z":
        node = this.name().node;
        break;
      default:
        if (!/\d/.test(c)) throw new Fail();
        node = this.name().node;
    }
    this.subs.push(node);
    if (this.lambdaSignature > 0) this.inLambda.add(node);
    return node;
  }

  /** `[<exception spec>] F [Y] <return type> <parameters> [R | O] E`. */
  functionType(): Node & { k: "fn" } {
    let quals = "";
    if (this.eat("Dx")) quals = " noexcept";
    else if (this.eat("Do")) quals = " noexcept";
    else if (this.eat("DO")) {
      quals = ` noexcept(${print(this.expression(), this)})`;
      this.expect("E");
    } else if (this.eat("Dw")) {
      const types = [];
      while (!this.eat("E")) types.push(print(this.type(), this));
      quals = ` throw(${types.join(", ")})`;
    }
    this.expect("F");
    this.eat("Y");
    const ret = this.type();
    const params: Node[] = [];
    let ref = "";
    for (;;) {
      if (this.eat("E")) break;
      if (this.peek() === "R" && this.peek(1) === "E") ref = " &", this.i++;
      else if (this.peek() === "O" && this.peek(1) === "E") ref = " &&", this.i++;
      else params.push(this.type());
    }
    return { k: "fn", ret, params, quals: ref + quals };
  }
}

/** The name a constructor or destructor of `scope` repeats: its last component, without arguments. */
function lastName(scope: Node | null): string {
  if (scope === null) throw new Fail();
  switch (scope.k) {
    case "name":
      return scope.last ?? scope.text;
    case "qual":
      return lastName(scope.name);
    case "tmpl":
      return lastName(scope.name);
  }
  throw new Fail();
}

/** `n` prints nothing at its end: an empty pack, or a pack whose last element is one. */
function endsEmpty(n: Node, p: Parser): boolean {
  if (n.k === "args") return n.items.length === 0 || endsEmpty(n.items[n.items.length - 1], p);
  return print(n, p) === "";
}

/** ` const` and ` volatile const`: each qualifier once, in c++filt's order. */
function mergeQuals(a: string, b: string): string {
  const all = new Set(`${a}${b}`.split(" ").filter((q) => q !== ""));
  return ["const", "volatile", "restrict"].filter((q) => all.has(q)).map((q) => ` ${q}`).join("");
}

function isCtorDtor(n: Node): boolean {
  return n.k === "name" && (n.last === "ctor" || n.last === "dtor");
}

function isConversion(n: Node): boolean {
  return n.k === "name" && n.last === "conversion";
}

/** A pointer to a function or array: its left part ends inside the `(*` it opened. */
function opensDeclarator(n: Node | null): boolean {
  return n !== null && (n.k === "ptr" || n.k === "memptr") && isFnOrArr(n.inner);
}

function isFnOrArr(n: Node): boolean {
  return n.k === "fn" || n.k === "arr";
}

function step(p: Parser): void {
  if (++p.steps > MAX_STEPS) throw new Fail();
}

function print(n: Node, p: Parser): string {
  return left(n, p) + right(n, p);
}

function params(list: Node[], p: Parser): string {
  if (list.length === 1 && list[0].k === "name" && list[0].text === "void") return "";
  return list.map((x) => print(x, p)).filter((x) => x !== "").join(", ");
}

/** What goes before a declarator's name (or its `(*`), in C++'s inside-out declarator syntax. */
function left(n: Node, p: Parser): string {
  step(p);
  switch (n.k) {
    case "name":
      return n.text;
    case "qual": // a local name's function shows without its return type
      return `${
        print(n.scope.k === "func" ? { ...n.scope, type: { ...n.scope.type, ret: null } } : n.scope, p)
      }::${print(n.name, p)}`;
    case "tmpl": {
      const base = print(n.name, p);
      const printed = n.args.map((a) => print(a, p));
      const args = printed.filter((a) => a !== "").join(", ");
      // `> >`, as c++filt writes nested arguments (not after an empty pack: it writes `>>` there).
      const last = n.args[n.args.length - 1];
      const space = args.endsWith(">") && !(last !== undefined && endsEmpty(last, p));
      return `${base}${base.endsWith("<") ? " " : ""}<${args}${space ? " " : ""}>`;
    }
    case "ptr":
    case "memptr": {
      const collapsed = collapse(n);
      if (collapsed !== n) return left(collapsed, p);
      const inner = left(n.inner, p);
      const what = n.k === "ptr" ? n.op : `${print(n.cls, p)}::*`;
      if (isFnOrArr(n.inner)) {
        const open = inner.endsWith(" ") || (n.inner.k === "fn" && opensDeclarator(n.inner.ret));
        return `${inner}${open ? "" : " "}(${what}`;
      }
      return n.k === "memptr" ? `${inner} ${what}` : `${inner}${what}`;
    }
    case "cv":
      return left(n.inner, p) + n.quals;
    case "fn": // `int (*(*)())()`: no space inside a declarator that the return type opened
      if (n.ret === null) return "";
      return left(n.ret, p) + (opensDeclarator(n.ret) ? "" : " ");
    case "arr":
      return left(n.inner, p);
    case "pack":
      return expand(n, p);
    case "args":
      return n.items.map((x) => print(x, p)).filter((x) => x !== "").join(", ");
    case "special":
      return n.prefix + print(n.inner, p);
    case "func": {
      const ret = n.type.ret ? `${left(n.type.ret, p)} ` : "";
      return `${ret}${print(n.name, p)}`;
    }
  }
}

/** What goes after it: parameter lists, array bounds, the `)` closing a `(*`. */
function right(n: Node, p: Parser): string {
  step(p);
  switch (n.k) {
    case "ptr":
    case "memptr": {
      const collapsed = collapse(n);
      if (collapsed !== n) return right(collapsed, p);
      return (isFnOrArr(n.inner) ? ")" : "") + right(n.inner, p);
    }
    case "cv":
      return right(n.inner, p);
    case "fn":
      return `(${params(n.params, p)})${n.quals}${n.ret ? right(n.ret, p) : ""}`;
    case "arr": {
      let dims = "";
      let a: Node = n;
      while (a.k === "arr") dims += `[${a.dim}]`, a = a.inner;
      return ` ${dims}${right(a, p)}`;
    }
    case "func":
      return `(${params(n.type.params, p)})${n.type.quals}${n.type.ret ? right(n.type.ret, p) : ""}`;
  }
  return "";
}

/** A reference to a reference (a template argument made it so) collapses: `&&` only from two `&&`. */
function collapse(n: Node): Node {
  if (n.k !== "ptr" || n.op === "*" || n.inner.k !== "ptr" || n.inner.op === "*") return n;
  return collapse({ k: "ptr", op: n.op === "&&" && n.inner.op === "&&" ? "&&" : "&", inner: n.inner.inner });
}

/**
 * A pack expansion (`Dp`, `sp`): the pattern printed once per element of the argument pack it
 * holds (`T&&...` over {int, char} is `int&&, char&&`); `pattern...` when it holds none.
 */
function expand(n: Node & { k: "pack" }, p: Parser): string {
  const pack = findPack(n.inner);
  if (pack === null) return `${print(n.inner, p)}...`;
  return pack.items.map((item) => print(replace(n.inner, pack, item), p)).filter((x) => x !== "").join(", ");
}

function findPack(n: Node): (Node & { k: "args" }) | null {
  switch (n.k) {
    case "args":
      return n;
    case "ptr":
    case "cv":
    case "arr":
      return findPack(n.inner);
    case "memptr":
      return findPack(n.cls) ?? findPack(n.inner);
    case "qual":
      return findPack(n.scope) ?? findPack(n.name);
    case "tmpl":
      for (const a of n.args) {
        const found = findPack(a);
        if (found) return found;
      }
      return findPack(n.name);
    case "fn":
      for (const a of n.params) {
        const found = findPack(a);
        if (found) return found;
      }
      return n.ret ? findPack(n.ret) : null;
  }
  return null;
}

/** `n` with the argument pack `pack` replaced by one of its elements. */
function replace(n: Node, pack: Node, item: Node): Node {
  if (n === pack) return item;
  return mapChildren(n, (x) => replace(x, pack, item));
}

/** `n` with `f` applied to each node it is made of (a copy), packs aside; any other node is itself. */
function mapChildren(n: Node, f: (x: Node) => Node): Node {
  switch (n.k) {
    case "ptr":
    case "cv":
    case "arr":
      return { ...n, inner: f(n.inner) };
    case "memptr":
      return { ...n, cls: f(n.cls), inner: f(n.inner) };
    case "qual":
      return { ...n, scope: f(n.scope), name: f(n.name) };
    case "tmpl":
      return { ...n, name: f(n.name), args: n.args.map(f) };
    case "fn":
      return { ...n, ret: n.ret && f(n.ret), params: n.params.map(f) };
  }
  return n;
}
