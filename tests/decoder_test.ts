/** Unit tests of the byte reader's LEB128/UTF-8 rules and of the module decoder's framing checks. */
import assert from "node:assert/strict";
import { decodeModule, MAX_LOCALS } from "../src/wasm/decoder.ts";
import { CompileError } from "../src/wasm/errors.ts";
import { Reader } from "../src/wasm/reader.ts";
import { HeapType, refType, SegmentMode, ValType } from "../src/wasm/types.ts";

// ---- A minimal module builder (bytes as number arrays) ----

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const str = (s: string) => {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
};
const vec = (items: number[][]) => [...u32(items.length), ...items.flat()];
const section = (id: number, payload: number[]) => [id, ...u32(payload.length), ...payload];
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const wasm = (...sections: number[][]) => new Uint8Array([...HEADER, ...sections.flat()]);
const TYPE_VOID = section(1, vec([[0x60, 0, 0]])); // one type: [] -> []
const FUNC_ONE = section(3, vec([[0]])); // one function of type 0
const body = (locals: number[][], code: number[]) => {
  const b = [...vec(locals), ...code];
  return [...u32(b.length), ...b];
};

function throwsCompile(fn: () => unknown, message: string): CompileError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CompileError, `expected CompileError, got ${e}`);
    assert.ok(e.message.startsWith(message), `expected "${message}", got "${e.message}"`);
    return e;
  }
  assert.fail(`expected CompileError "${message}"`);
}

const reader = (...bytes: number[]) => new Reader(new Uint8Array(bytes));

// ---- LEB128 ----

Deno.test("u32: minimal, padded and extreme encodings", () => {
  assert.equal(reader(0x00).u32(), 0);
  assert.equal(reader(0x7f).u32(), 127);
  assert.equal(reader(0x80, 0x01).u32(), 128);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).u32(), 0xffffffff);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x00).u32(), 0); // padding up to 5 bytes is allowed
  const r = reader(0xe5, 0x8e, 0x26, 0x7f);
  assert.equal(r.u32(), 624485);
  assert.equal(r.pos, 3);
});

Deno.test("u32: too long, unused bits set, truncated", () => {
  throwsCompile(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(), "integer representation too long");
  throwsCompile(() => reader(0xff, 0xff, 0xff, 0xff, 0x1f).u32(), "integer too large");
  throwsCompile(() => reader(0x82, 0x80, 0x80, 0x80, 0x70).u32(), "integer too large");
  throwsCompile(() => reader(0x80, 0x80).u32(), "unexpected end");
  throwsCompile(() => reader().u32(), "unexpected end");
});

Deno.test("s32: sign extension and the 5th byte rule", () => {
  assert.equal(reader(0x7f).s32(), -1);
  assert.equal(reader(0x40).s32(), -64);
  assert.equal(reader(0x3f).s32(), 63);
  assert.equal(reader(0xc0, 0x00).s32(), 64);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x78).s32(), -0x80000000);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x07).s32(), 0x7fffffff);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x7f).s32(), -1); // padded -1
  throwsCompile(() => reader(0xff, 0xff, 0xff, 0xff, 0x0f).s32(), "integer too large"); // sign bits unset
  throwsCompile(() => reader(0x80, 0x80, 0x80, 0x80, 0x70).s32(), "integer too large"); // sign bits set
  throwsCompile(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f).s32(), "integer representation too long");
});

Deno.test("s33: block type range", () => {
  assert.equal(reader(0x40).s33(), -64);
  assert.equal(reader(0x7f).s33(), -1);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).s33(), 0xffffffff);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x70).s33(), -(2 ** 32));
  throwsCompile(() => reader(0x80, 0x80, 0x80, 0x80, 0x20).s33(), "integer too large");
  throwsCompile(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s33(), "integer representation too long");
});

Deno.test("s64: extremes and the 10th byte rule", () => {
  const ten = (last: number, fill = 0x80) => reader(...new Array(9).fill(fill), last);
  assert.equal(ten(0x7f).s64(), -(2n ** 63n));
  assert.equal(ten(0x00, 0xff).s64(), 2n ** 63n - 1n);
  assert.equal(reader(0x7f).s64(), -1n);
  assert.equal(reader(0xc0, 0xbb, 0x78).s64(), -123456n);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x01).s64(), 2n ** 35n);
  throwsCompile(() => ten(0x7e).s64(), "integer too large");
  throwsCompile(() => ten(0x01, 0xff).s64(), "integer too large");
  throwsCompile(() => reader(...new Array(10).fill(0xff), 0x7f).s64(), "integer representation too long");
});

Deno.test("names: UTF-8 checked, byte order mark kept", () => {
  assert.equal(reader(2, 0xc3, 0xa9).name(), "é");
  assert.equal(reader(3, 0xef, 0xbb, 0xbf).name(), "\ufeff");
  throwsCompile(() => reader(1, 0xff).name(), "malformed UTF-8 encoding");
  throwsCompile(() => reader(2, 0xed, 0xa0).name(), "malformed UTF-8 encoding");
  throwsCompile(() => reader(5, 0x61).name(), "unexpected end");
});

// ---- Module framing ----

Deno.test("header: magic and version", () => {
  assert.equal(decodeModule(wasm()).funcs.length, 0);
  throwsCompile(() => decodeModule(new Uint8Array([0x00, 0x61])), "unexpected end");
  throwsCompile(() => decodeModule(new Uint8Array([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0])), "magic header");
  throwsCompile(() => decodeModule(new Uint8Array([...HEADER.slice(0, 4), 1, 0])), "unexpected end");
  throwsCompile(
    () => decodeModule(new Uint8Array([...HEADER.slice(0, 4), 2, 0, 0, 0])),
    "unknown binary version",
  );
});

Deno.test("sections: id, order, size", () => {
  throwsCompile(() => decodeModule(wasm([14, 0])), "malformed section id"); // 13 is the tag section
  throwsCompile(() => decodeModule(wasm(FUNC_ONE, TYPE_VOID)), "unexpected content after last section");
  throwsCompile(() => decodeModule(wasm(TYPE_VOID, TYPE_VOID)), "unexpected content after last section");
  // Data count (12) goes between element (9) and code (10).
  assert.equal(decodeModule(wasm(section(12, [0]), section(10, [0]))).dataCount, 0);
  throwsCompile(() => decodeModule(wasm(section(10, [0]), section(12, [0]))), "unexpected content");
  throwsCompile(() => decodeModule(wasm([1, 5, 1, 0x60, 0, 0])), "length out of bounds");
  throwsCompile(() => decodeModule(wasm([1, 5, 1, 0x60, 0, 0, 0])), "section size mismatch");
  const e = throwsCompile(() => decodeModule(wasm([1, 3, 2, 0x60, 0])), "unexpected end");
  assert.ok(e.offset !== undefined && e.offset >= 8);
});

Deno.test("absurd vector counts are refused before allocating", () => {
  const t0 = performance.now();
  throwsCompile(() => decodeModule(wasm([1, 6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x60])), "unexpected end");
  throwsCompile(
    () => decodeModule(wasm(TYPE_VOID, FUNC_ONE, section(10, u32(0xffffffff)))),
    "unexpected end",
  );
  throwsCompile(() => decodeModule(wasm(section(11, vec([[0x01, ...u32(0xfffffff0)]])))), "unexpected end");
  throwsCompile(() => decodeModule(wasm(section(1, vec([[0x60, ...u32(1e9)]])))), "unexpected end");
  assert.ok(performance.now() - t0 < 100);
});

Deno.test("locals: expanded, capped cheaply", () => {
  const m = decodeModule(wasm(TYPE_VOID, FUNC_ONE, section(10, vec([body([[2, 0x7f], [1, 0x7c]], [0x0b])]))));
  assert.deepEqual(m.funcs[0].locals, [ValType.I32, ValType.I32, ValType.F64]);
  assert.equal(m.funcs[0].codeEnd - m.funcs[0].codeStart, 1);
  assert.equal(m.bytes[m.funcs[0].codeStart], 0x0b);
  const many = (counts: number[]) =>
    decodeModule(
      wasm(TYPE_VOID, FUNC_ONE, section(10, vec([body(counts.map((n) => [...u32(n), 0x7f]), [0x0b])]))),
    );
  assert.equal(many([MAX_LOCALS]).funcs[0].locals.length, MAX_LOCALS);
  const t0 = performance.now();
  throwsCompile(() => many([MAX_LOCALS, 1]), "too many locals");
  throwsCompile(() => many([0xffffffff, 0xffffffff]), "too many locals");
  assert.ok(performance.now() - t0 < 100);
});

Deno.test("function/code and data count consistency", () => {
  throwsCompile(() => decodeModule(wasm(TYPE_VOID, FUNC_ONE)), "function and code section have inconsistent");
  throwsCompile(
    () => decodeModule(wasm(TYPE_VOID, section(10, vec([body([], [0x0b])])))),
    "function and code section have inconsistent",
  );
  throwsCompile(() => decodeModule(wasm(section(12, [1]))), "data count and data section have inconsistent");
  const passive = [0x01, ...u32(2), 0xaa, 0xbb];
  throwsCompile(
    () => decodeModule(wasm(section(12, [2]), section(11, vec([passive])))),
    "data count and data section have inconsistent",
  );
  const m = decodeModule(wasm(section(12, [1]), section(11, vec([passive]))));
  assert.equal(m.datas[0].mode, SegmentMode.Passive);
  assert.deepEqual([...m.bytes.subarray(m.datas[0].start, m.datas[0].end)], [0xaa, 0xbb]);
});

Deno.test("element segments: all eight encodings", () => {
  const offset = [0x41, 0x00, 0x0b]; // i32.const 0; end
  const refFunc = [0xd2, 0x00, 0x0b];
  const segs = [
    [0x00, ...offset, ...vec([[0]])],
    [0x01, 0x00, ...vec([[0]])],
    [0x02, 0x00, ...offset, 0x00, ...vec([[0]])],
    [0x03, 0x00, ...vec([[0]])],
    [0x04, ...offset, ...vec([refFunc])],
    [0x05, 0x6f, ...vec([[0xd0, 0x6f, 0x0b]])],
    [0x06, 0x00, ...offset, 0x70, ...vec([refFunc])],
    [0x07, 0x70, ...vec([refFunc])],
  ];
  const m = decodeModule(wasm(section(9, vec(segs))));
  const modes = [0, 1, 0, 2, 0, 1, 0, 2] as SegmentMode[];
  m.elems.forEach((s, i) => {
    assert.equal(s.mode, modes[i], `segment ${i}`);
    // Function indices (encodings 0-3) are never null: `(ref func)`; expressions may be.
    const type = i === 5 ? ValType.ExternRef : i < 4 ? refType(HeapType.Func, false) : ValType.FuncRef;
    assert.equal(s.type, type, `segment ${i}`);
    assert.equal(s.offset !== undefined, modes[i] === SegmentMode.Active);
    if (i < 4) assert.deepEqual(s.funcIndices, [0]);
    else assert.equal(s.init.length, 1);
  });
  const e = m.elems[4].init[0];
  assert.deepEqual(e.instrs, [{ kind: "ref.func", at: e.end - 2, index: 0 }]);
  assert.deepEqual([...m.bytes.subarray(e.instrs[0].at, e.end + 1)], refFunc);
  assert.deepEqual(m.elems[5].init[0].instrs.map((i) => [i.kind, "type" in i && i.type]), [[
    "ref.null",
    ValType.ExternRef,
  ]]);
  throwsCompile(() => decodeModule(wasm(section(9, vec([[0x08]])))), "malformed elements segment kind");
  throwsCompile(() => decodeModule(wasm(section(9, vec([[0x01, 0x01, 0x00]])))), "malformed element kind");
});

Deno.test("constant expressions: non-constant and unknown instructions", () => {
  const global = (expr: number[]) => wasm(section(6, vec([[0x7f, 0x00, ...expr]])));
  const m = decodeModule(global([0x41, 0x2a, 0x0b]));
  // after header, section header, count, type: i32.const 42 at 13, its end at 15
  assert.deepEqual(m.globals[0].init, {
    instrs: [{ kind: "value", at: 13, type: ValType.I32, words: [42] }],
    end: 15,
  });
  // Extended constant expressions (Wasm 3.0): i32.add decodes; i32.div_s is not constant.
  assert.deepEqual(decodeModule(global([0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b])).globals[0].init.instrs[2], {
    kind: "arith",
    at: 17,
    op: 0x6a,
    type: ValType.I32,
  });
  throwsCompile(
    () => decodeModule(global([0x41, 0x01, 0x41, 0x02, 0x6d, 0x0b])),
    "constant expression required",
  );
  throwsCompile(() => decodeModule(global([0xf3, 0x0b])), "illegal opcode");
  throwsCompile(() => decodeModule(global([0x41, 0x00])), "unexpected end");
  throwsCompile(
    () => decodeModule(wasm(section(6, vec([[0x7f, 0x02, 0x41, 0x00, 0x0b]])))),
    "malformed mutability",
  );
});

Deno.test("limits, import kinds and SIMD types", () => {
  assert.deepEqual(decodeModule(wasm(section(5, vec([[0x01, 0x01, 0x02]])))).memories[0].limits, {
    min: 1,
    max: 2,
  });
  // memory64: flags bit 2, sizes as u64 (here a maximum of 2^32 pages).
  assert.deepEqual(
    decodeModule(wasm(section(5, vec([[0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10]])))).memories[0].limits,
    { min: 1, max: 2 ** 32, address64: true },
  );
  throwsCompile(
    () => decodeModule(wasm(section(5, vec([[0x03, 0x00, 0x01]])))),
    "shared memories (the threads proposal) are not supported",
  );
  throwsCompile(() => decodeModule(wasm(section(5, vec([[0x08, 0x00]])))), "malformed limits flags");
  throwsCompile(() => decodeModule(wasm(section(5, vec([[0x81, 0x00, 0x00]])))), "malformed limits flags");
  throwsCompile(() => decodeModule(wasm(section(4, vec([[0x70, 0x02, 0x00]])))), "malformed limits flags");
  throwsCompile(
    () => decodeModule(wasm(section(2, vec([[...str("a"), ...str("b"), 0x05]])))), // 4: a tag
    "malformed import kind",
  );
  assert.deepEqual(decodeModule(wasm(section(1, vec([[0x60, 1, 0x7b, 0]])))).types[0].params, [0x7b]);
  throwsCompile(() => decodeModule(wasm(section(1, vec([[0x60, 1, 0x75, 0]])))), "malformed value type");
});

Deno.test("custom sections: kept as ranges; name section parsed, or ignored when malformed", () => {
  const names = section(0, [
    ...str("name"),
    ...section(0, str("mod")),
    ...section(1, vec([[0, ...str("f")]])),
    ...section(2, vec([[0, ...vec([[0, ...str("x")], [1, ...str("y")]])]])),
  ]);
  const m = decodeModule(wasm(section(0, [...str("hello"), 1, 2, 3]), TYPE_VOID, names));
  assert.equal(m.customs.length, 2);
  assert.equal(m.customs[0].name, "hello");
  assert.deepEqual([...m.bytes.subarray(m.customs[0].start, m.customs[0].end)], [1, 2, 3]);
  assert.equal(m.names.module, "mod");
  assert.equal(m.names.functions.get(0), "f");
  assert.equal(m.names.locals.get(0)?.get(1), "y");

  const broken = section(0, [...str("name"), ...section(1, [5, 0, 1, 0xff])]); // bad count and UTF-8
  const b = decodeModule(wasm(broken, TYPE_VOID));
  assert.equal(b.types.length, 1);
  assert.equal(b.names.functions.size, 0);
  // The custom section's own name must still be valid UTF-8 and fit in the section.
  throwsCompile(() => decodeModule(wasm(section(0, [1, 0xff]))), "malformed UTF-8 encoding");
  throwsCompile(() => decodeModule(wasm(section(0, [5, 0x61]))), "unexpected end");
});
