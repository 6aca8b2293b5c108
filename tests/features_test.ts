/**
 * `wasmrun inspect` names the post-MVP features a module uses (src/cli/features.ts). Each feature
 * is detected from every place it can show: a module built for it (from text with `parseWat` where our
 * decoder accepts it, by hand otherwise: a body's instructions are only walked, never validated,
 * so one function can hold exactly the instructions under test) must report that feature and no
 * other. Also: an MVP module reports none, an instruction the scanner cannot size marks its function
 * as unscanned, and the command line (in-process and as a subprocess) prints the result.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { decodeModule } from "../src/wasm/decoder.ts";
import { detectFeatures, type Feature } from "../src/cli/features.ts";
import { cli } from "./cli_harness.ts";
import { wat } from "./wat.ts";

// ---- a small binary writer: one function of raw instructions, plus whatever sections are asked for ----

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const I32 = 0x7f, I64 = 0x7e, V128 = 0x7b, FUNCREF = 0x70, EXTERNREF = 0x6f;

interface Parts {
  /** Function types as [params, results]; type 0 is the function's (default `[] -> []`). */
  types?: [number[], number[]][];
  imports?: number[][];
  /** Table types (element type, limits flag, min). */
  tables?: number[][];
  memories?: number;
  globals?: number[][];
  exports?: number[][];
  elems?: number[][];
  dataCount?: number;
  datas?: number[][];
  /** Local declarations of the function: [count, type] pairs. */
  locals?: [number, number][];
  /** The function's instructions, without the final `end`; omitted: no function at all. */
  body?: number[];
  /** Extra raw functions (instructions without `end`), all of type 0. */
  more?: number[][];
}

function build(p: Parts): Uint8Array {
  const types = p.types ?? [[[], []]];
  const bodies = p.body === undefined ? [] : [p.body, ...(p.more ?? [])];
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  out.push(
    ...section(
      1,
      vec(types.map(([ps, rs]) => [0x60, ...vec(ps.map((t) => [t])), ...vec(rs.map((t) => [t]))])),
    ),
  );
  if (p.imports) out.push(...section(2, vec(p.imports)));
  if (bodies.length) out.push(...section(3, vec(bodies.map(() => [0]))));
  if (p.tables) out.push(...section(4, vec(p.tables)));
  if (p.memories) out.push(...section(5, vec(Array.from({ length: p.memories }, () => [0x00, 0x01]))));
  if (p.globals) out.push(...section(6, vec(p.globals)));
  if (p.exports) out.push(...section(7, vec(p.exports)));
  if (p.elems) out.push(...section(9, vec(p.elems)));
  if (p.dataCount !== undefined) out.push(...section(12, uleb(p.dataCount)));
  if (bodies.length) {
    const locals = vec((p.locals ?? []).map(([n, t]) => [...uleb(n), t]));
    out.push(...section(
      10,
      vec(bodies.map((b, i) => {
        const code = [...(i === 0 ? locals : [0]), ...b, 0x0b];
        return [...uleb(code.length), ...code];
      })),
    ));
  }
  if (p.datas) out.push(...section(11, vec(p.datas)));
  return new Uint8Array(out);
}

const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const memarg = [0x02, 0x00]; // align 2, offset 0

function features(bytes: Uint8Array): { features: Feature[]; unscanned: number[] } {
  return detectFeatures(decodeModule(bytes));
}

/** Asserts that `bytes` use exactly `expected` (and that every body was walked to its end). */
function uses(what: string, bytes: Uint8Array, expected: Feature[]): void {
  const r = features(bytes);
  assert.deepEqual(r.features, expected, what);
  assert.deepEqual(r.unscanned, [], `${what}: every body walked`);
}

// ---- by hand ----

Deno.test("features: an MVP module (every MVP immediate layout) uses none", () => {
  uses("empty module", build({}), []);
  const body = [
    0x02,
    0x40,
    0x0b, // block
    0x03,
    0x7f,
    0x41,
    0x00,
    0x0b,
    0x1a, // loop (result i32) i32.const 0 end drop
    0x41,
    0x01,
    0x04,
    0x40,
    0x01,
    0x05,
    0x01,
    0x0b, // if nop else nop end
    0x41,
    0x00,
    0x0e,
    0x02,
    0x00,
    0x00,
    0x00, // br_table 0 0 0
    0x0c,
    0x00,
    0x0d,
    0x00, // br, br_if
    0x10,
    0x00, // call 0
    0x41,
    0x00,
    0x11,
    0x00,
    0x00, // call_indirect type 0, table 0
    0x20,
    0x00,
    0x21,
    0x00,
    0x22,
    0x00,
    0x23,
    0x00,
    0x24,
    0x00, // local.*, global.*
    0x41,
    0x00,
    0x28,
    ...memarg,
    0x36,
    ...memarg, // i32.load, i32.store
    0x3f,
    0x00,
    0x40,
    0x00, // memory.size, memory.grow (memory 0)
    0x42,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x01, // i64.const
    0x43,
    0,
    0,
    0x80,
    0x3f,
    0x44,
    0,
    0,
    0,
    0,
    0,
    0,
    0xf0,
    0x3f, // f32.const, f64.const
    0x6a,
    0xa7,
    0xbf, // i32.add, i32.wrap_i64, f64.reinterpret_i64
    0x1b,
    0x1a,
    0x0f,
    0x00, // select, drop, return, unreachable
  ];
  uses(
    "MVP instructions",
    build({ body, memories: 1, tables: [[FUNCREF, 0x00, 1]], locals: [[1, I32]] }),
    [],
  );
  // An immutable global exported or imported, one funcref table, an MVP element segment: still MVP.
  uses(
    "MVP globals, table, elements",
    build({
      imports: [[...name("m"), ...name("g"), 0x03, I32, 0x00]],
      tables: [[FUNCREF, 0x00, 1]],
      globals: [[I32, 0x00, 0x41, 0x00, 0x0b]],
      exports: [[...name("g"), 0x03, 0x01]],
      elems: [[0x00, 0x41, 0x00, 0x0b, ...vec([[0]])]],
      body: [],
      datas: [[0x00, 0x41, 0x00, 0x0b, ...vec([[1]])]],
      memories: 1,
    }),
    [],
  );
});

Deno.test("features: multi-value from a type with two results and from a block with a type index", () => {
  uses("two results", build({ types: [[[], []], [[], [I32, I32]]] }), ["multi-value"]);
  uses("block type index", build({ body: [0x02, 0x00, 0x0b] }), ["multi-value"]);
  uses("if type index", build({ body: [0x41, 0x00, 0x04, 0x00, 0x0b] }), ["multi-value"]);
});

Deno.test("features: mutable globals, imported or exported", () => {
  uses("imported mutable", build({ imports: [[...name("m"), ...name("g"), 0x03, I32, 0x01]] }), [
    "mutable-globals",
  ]);
  uses(
    "exported mutable",
    build({ globals: [[I64, 0x01, 0x42, 0x00, 0x0b]], exports: [[...name("g"), 0x03, 0x00]] }),
    ["mutable-globals"],
  );
  uses("defined mutable, not exported", build({ globals: [[I64, 0x01, 0x42, 0x00, 0x0b]] }), []);
});

Deno.test("features: sign extension, non-trapping conversions, bulk memory", () => {
  for (const op of [0xc0, 0xc1, 0xc2, 0xc3, 0xc4]) {
    uses(`0x${op.toString(16)}`, build({ body: [op] }), ["sign-extension"]);
  }
  for (let sub = 0; sub <= 7; sub++) {
    uses(`0xfc ${sub}`, build({ body: [0xfc, sub] }), ["nontrapping-float-to-int"]);
  }
  const bulk: [string, number[]][] = [
    ["memory.init", [0xfc, 8, 0, 0]],
    ["data.drop", [0xfc, 9, 0]],
    ["memory.copy", [0xfc, 10, 0, 0]],
    ["memory.fill", [0xfc, 11, 0]],
    ["table.init", [0xfc, 12, 0, 0]],
    ["elem.drop", [0xfc, 13, 0]],
    ["table.copy", [0xfc, 14, 0, 0]],
  ];
  for (const [what, body] of bulk) uses(what, build({ body }), ["bulk-memory"]);
  uses("data count section", build({ dataCount: 0 }), ["bulk-memory"]);
  uses("passive data", build({ memories: 1, datas: [[0x01, ...vec([[1]])]] }), ["bulk-memory"]);
  uses("passive elements", build({ body: [], elems: [[0x01, 0x00, ...vec([[0]])]] }), ["bulk-memory"]);
  uses("declared elements", build({ body: [], elems: [[0x03, 0x00, ...vec([[0]])]] }), ["bulk-memory"]);
});

Deno.test("features: reference types, from every place they can show", () => {
  const ref: Feature[] = ["reference-types"];
  uses("a funcref parameter", build({ types: [[[FUNCREF], []]] }), ref);
  uses("an externref result", build({ types: [[[], [EXTERNREF]]] }), ref);
  uses("an externref global", build({ globals: [[EXTERNREF, 0x00, 0xd0, EXTERNREF, 0x0b]] }), ref);
  uses("a funcref local", build({ body: [], locals: [[1, FUNCREF]] }), ref);
  uses("two tables", build({ tables: [[FUNCREF, 0x00, 1], [FUNCREF, 0x00, 1]] }), ref);
  uses("an externref table", build({ tables: [[EXTERNREF, 0x00, 1]] }), ref);
  uses(
    "elements as expressions",
    build({ body: [], elems: [[0x04, 0x41, 0x00, 0x0b, ...vec([[0xd2, 0, 0x0b]])]] }),
    ref,
  );
  uses(
    "elements into table 1",
    build({ body: [], elems: [[0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, ...vec([[0]])]] }),
    ref,
  );
  uses(
    "externref elements",
    build({ body: [], elems: [[0x05, EXTERNREF, ...vec([[0xd0, EXTERNREF, 0x0b]])]] }),
    ["bulk-memory", "reference-types"],
  );
  const instructions: [string, number[]][] = [
    ["block (result funcref)", [0x02, FUNCREF, 0x0b]],
    ["block (result externref)", [0x02, EXTERNREF, 0x0b]],
    ["call_indirect through table 1", [0x11, 0x00, 0x01]],
    ["select (result i32)", [0x1c, 0x01, I32]],
    ["table.get", [0x25, 0x00]],
    ["table.set", [0x26, 0x00]],
    ["ref.null", [0xd0, FUNCREF]],
    ["ref.is_null", [0xd1]],
    ["ref.func", [0xd2, 0x00]],
    ["table.grow", [0xfc, 15, 0]],
    ["table.size", [0xfc, 16, 0]],
    ["table.fill", [0xfc, 17, 0]],
  ];
  for (const [what, body] of instructions) uses(what, build({ body }), ref);
  uses("table.init into table 1", build({ body: [0xfc, 12, 0, 1] }), ["bulk-memory", "reference-types"]);
  uses("table.copy from table 1", build({ body: [0xfc, 14, 0, 1] }), ["bulk-memory", "reference-types"]);
  uses("table.copy into table 1", build({ body: [0xfc, 14, 1, 0] }), ["bulk-memory", "reference-types"]);
});

Deno.test("features: SIMD, from types, globals, locals, blocks and every immediate layout of 0xfd", () => {
  const simd: Feature[] = ["simd"];
  uses("a v128 parameter", build({ types: [[[V128], []]] }), simd);
  uses("a v128 global", build({ globals: [[V128, 0x00, 0xfd, 12, ...new Array(16).fill(0), 0x0b]] }), simd);
  uses("a v128 local", build({ body: [], locals: [[2, V128]] }), simd);
  uses("block (result v128)", build({ body: [0x02, V128, 0x0b] }), simd);
  uses("select (result v128)", build({ body: [0x1c, 0x01, V128] }), ["reference-types", "simd"]);
  const v = (sub: number, ...imm: number[]) => [0xfd, ...uleb(sub), ...imm];
  const bodies: [string, number[]][] = [
    ["v128.load", v(0, ...memarg)],
    ["v128.store", v(11, ...memarg)],
    ["v128.load32_zero", v(92, ...memarg)],
    ["v128.load64_zero", v(93, ...memarg)],
    ["v128.const", v(12, ...new Array(16).fill(7))],
    ["i8x16.shuffle", v(13, ...Array.from({ length: 16 }, (_, i) => i))],
    ["i8x16.extract_lane_s", v(21, 15)],
    ["f64x2.replace_lane", v(34, 1)],
    ["v128.load8_lane", v(84, ...memarg, 15)],
    ["v128.store64_lane", v(91, ...memarg, 1)],
    ["i8x16.swizzle (no immediate)", v(14)],
    ["i32x4.add (a two-byte sub-opcode)", v(174)],
    ["f64x2.promote_low_f32x4", v(95)],
  ];
  for (const [what, body] of bodies) uses(what, build({ body: [...body, 0x01] }), simd);
});

Deno.test("features: tail calls, threads, exception handling", () => {
  uses("return_call", build({ body: [0x12, 0x00] }), ["tail-call"]);
  uses("return_call_indirect", build({ body: [0x13, 0x00, 0x00] }), ["tail-call"]);
  uses("atomic.fence", build({ body: [0xfe, 0x03, 0x00] }), ["threads"]);
  uses("memory.atomic.notify", build({ body: [0xfe, 0x00, ...memarg] }), ["threads"]);
  uses("i64.atomic.rmw.cmpxchg", build({ body: [0xfe, ...uleb(0x49), 0x03, 0x00] }), ["threads"]);
  const eh: [string, number[]][] = [
    ["try", [0x06, 0x40, 0x0b]],
    ["try (result i32)", [0x06, I32, 0x0b]],
    ["catch", [0x07, 0x00]],
    ["throw", [0x08, 0x00]],
    ["rethrow", [0x09, 0x00]],
    ["delegate", [0x18, 0x00]],
    ["catch_all", [0x19]],
    ["throw_ref", [0x0a]],
  ];
  for (const [what, body] of eh) uses(what, build({ body }), ["exception-handling"]);
  uses("try (result v128)", build({ body: [0x06, V128, 0x0b] }), ["simd", "exception-handling"]);
});

Deno.test("features: multi-memory from two memories and from every memory index immediate", () => {
  const mm: Feature[] = ["multi-memory"];
  uses("two memories", build({ memories: 2 }), mm);
  uses("a load from memory 1", build({ body: [0x41, 0, 0x28, 0x40 | 2, 0x01, 0x00] }), mm);
  uses("a store to memory 1", build({ body: [0x36, 0x40 | 2, 0x01, 0x08] }), mm);
  uses("a load from memory 0, said explicitly", build({ body: [0x28, 0x40 | 2, 0x00, 0x00] }), []);
  // Every load and store, 0x28 (i32.load) to 0x3e (i64.store32), takes a memarg, with or without a memory index.
  for (let op = 0x28; op <= 0x3e; op++) {
    const name = `load/store 0x${op.toString(16)}`;
    uses(`${name} (memory 0)`, build({ body: [op, 0x02, 0x10, 0x1a] }), []);
    uses(`${name} from memory 1`, build({ body: [op, 0x40 | 2, 0x01, 0x10, 0x1a] }), mm);
  }
  uses("memory.size 1", build({ body: [0x3f, 0x01] }), mm);
  uses("memory.grow 1", build({ body: [0x40, 0x01] }), mm);
  uses("memory.init into memory 1", build({ body: [0xfc, 8, 0, 1] }), ["bulk-memory", "multi-memory"]);
  uses("memory.copy from memory 1", build({ body: [0xfc, 10, 0, 1] }), ["bulk-memory", "multi-memory"]);
  uses("memory.copy into memory 1", build({ body: [0xfc, 10, 1, 0] }), ["bulk-memory", "multi-memory"]);
  uses("memory.fill memory 1", build({ body: [0xfc, 11, 1] }), ["bulk-memory", "multi-memory"]);
});

Deno.test("features: a body with an instruction the scanner cannot size is listed, the rest still counted", () => {
  const imported = [[...name("m"), ...name("f"), 0x00, 0x00]]; // one imported function: index 0
  for (
    const [what, bad] of [
      ["an unknown 0xfb sub-opcode", [0xfb, 31]],
      ["an unknown 0xfc sub-opcode", [0xfc, 18]],
      ["an unassigned opcode", [0xff]],
      ["an overlong immediate", [0x41, 0x80, 0x80, 0x80, 0x80, 0x80]],
    ] as [string, number[]][]
  ) {
    const r = features(build({ imports: imported, body: [0xc0], more: [bad, [0xfc, 0]] }));
    // functions 1 (sign extension), 2 (bad) and 3 (a saturating conversion): only 2 is unscanned
    assert.deepEqual(r, { features: ["sign-extension", "nontrapping-float-to-int"], unscanned: [2] }, what);
  }
});

// ---- modules as a toolchain writes them, from text ----

const WAT_FEATURES: [Feature[], string][] = [
  [["multi-value"], `(func (result i32 i64) i32.const 0 i64.const 0)`],
  [["mutable-globals"], `(global (export "g") (mut i32) (i32.const 0))`],
  [["sign-extension"], `(func (param i32) (result i32) (i32.extend8_s (local.get 0)))`],
  [["nontrapping-float-to-int"], `(func (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0)))`],
  [["bulk-memory"], `(memory 1) (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)))`],
  [
    ["reference-types"],
    `(table 1 externref) (func (param externref) (table.set 0 (i32.const 0) (local.get 0)))`,
  ],
  [["simd"], `(func (param v128) (result v128) (i32x4.add (local.get 0) (local.get 0)))`],
  [["tail-call"], `(func $f (return_call $f))`],
  [["exception-handling"], `(func (try (do nop) (catch_all nop)))`],
  [["multi-memory"], `(memory 1) (memory $b 1) (func (result i32) (i32.load $b (i32.const 0)))`],
  [["memory64"], `(memory i64 1) (func (result i32) (i32.load (i64.const 0)))`],
  [
    ["reference-types", "function-references"],
    `(type $f (func)) (func $g (param (ref $f)) (call_ref $f (local.get 0)))`,
  ],
  [
    ["gc"],
    `(type $s (struct (field i32))) (func (result i32) (struct.get $s 0 (struct.new $s (i32.const 1))))`,
  ],
  [["gc"], `(func (result i32) (i31.get_u (ref.i31 (i32.const 1))))`],
];

Deno.test({
  name: "features: modules built from text for each feature, through `wasmrun inspect --json`",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "wasmrun-features-" });
    try {
      for (const [expected, body] of WAT_FEATURES) {
        const path = `${dir}/m.wasm`;
        await Deno.writeFile(path, wat(`(module ${body})`));
        const r = await cli(["inspect", "--json", path]);
        assert.equal(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepEqual(report.features, expected, body);
        assert.deepEqual(report.unscannedFunctions, [], body);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "features: the text report names them, says 'none beyond the MVP', and counts unscanned bodies",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "wasmrun-features-" });
    try {
      const path = `${dir}/m.wasm`;
      await Deno.writeFile(path, build({ body: [0xc0], more: [[0xff]] }));
      const r = await cli(["inspect", path]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /\nfeatures: sign-extension\n {2}\(1 function bodies use instructions the scanner does not know\)/,
      );
      await Deno.writeFile(path, build({ body: [] }));
      assert.match((await cli(["inspect", path])).stdout, /\nfeatures: none beyond the MVP\n$/);

      // And as a subprocess, the way a user runs it.
      await Deno.writeFile(path, build({ body: [0x12, 0x00, 0xfe, 0x03, 0x00], memories: 2 }));
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../cli.ts", import.meta.url).pathname, "inspect", "--json", path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const report = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.deepEqual(report.features, ["tail-call", "threads", "multi-memory"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
