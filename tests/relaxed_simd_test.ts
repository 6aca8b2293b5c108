/**
 * Relaxed SIMD (src/interp/ops/ops_simd_relaxed.ts, src/jit/simd.ts) against V8 in the same process:
 * wasmrun returns the results V8 computes on x86-64, bit for bit (NaN payloads included), so every
 * instruction runs here on edge-case and random inputs on the interpreter (`jit: false`), on the JS tier
 * (`tierUp: 0`: compiled at the first call) and on the built-in WebAssembly, and the three must agree.
 *
 * Two choices of V8 depend on the host CPU: without FMA it rounds relaxed_madd/nmadd twice, without
 * AVX-VNNI it saturates the pairs of i32x4.relaxed_dot_i8x16_i7x16_add_s to int16. wasmrun always
 * takes the FMA and VNNI results; on a host where V8 does not, those instructions cannot be judged by
 * it and are left out, with a line saying so (the fused results are then still checked against an
 * exact computation below).
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { compileToJs } from "../src/jit/compile.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";
import { addOdd, fma32, fma64 } from "../src/interp/ops/ops_simd_relaxed.ts";
import { wat } from "./wat.ts";

type Kind = "i8" | "i16" | "i32" | "f32" | "f64";

/** Each instruction, the lane kinds of its operands. */
const OPS: [string, Kind[]][] = [
  ["i8x16.relaxed_swizzle", ["i8", "i8"]],
  ["i32x4.relaxed_trunc_f32x4_s", ["f32"]],
  ["i32x4.relaxed_trunc_f32x4_u", ["f32"]],
  ["i32x4.relaxed_trunc_f64x2_s_zero", ["f64"]],
  ["i32x4.relaxed_trunc_f64x2_u_zero", ["f64"]],
  ["f32x4.relaxed_madd", ["f32", "f32", "f32"]],
  ["f32x4.relaxed_nmadd", ["f32", "f32", "f32"]],
  ["f64x2.relaxed_madd", ["f64", "f64", "f64"]],
  ["f64x2.relaxed_nmadd", ["f64", "f64", "f64"]],
  ["i8x16.relaxed_laneselect", ["i8", "i8", "i8"]],
  ["i16x8.relaxed_laneselect", ["i8", "i8", "i16"]],
  ["i32x4.relaxed_laneselect", ["i8", "i8", "i32"]],
  ["i64x2.relaxed_laneselect", ["i8", "i8", "i32"]],
  ["f32x4.relaxed_min", ["f32", "f32"]],
  ["f32x4.relaxed_max", ["f32", "f32"]],
  ["f64x2.relaxed_min", ["f64", "f64"]],
  ["f64x2.relaxed_max", ["f64", "f64"]],
  ["i16x8.relaxed_q15mulr_s", ["i16", "i16"]],
  ["i16x8.relaxed_dot_i8x16_i7x16_s", ["i8", "i8"]],
  ["i32x4.relaxed_dot_i8x16_i7x16_add_s", ["i8", "i8", "i32"]],
];

/**
 * One function per instruction: operands from memory 0, 16, 32, the result to 48. Then the same
 * instructions on operands from f32x4 arithmetic (the JS tier keeps those lanes as numbers) and with
 * a destination that is also an operand.
 */
function moduleText(): string {
  const load = (o: number) => `(v128.load (i32.const ${o}))`;
  const funcs = OPS.map(([op, kinds]) =>
    `(func (export "${op}") (v128.store (i32.const 48) (${op} ${
      kinds.map((_, i) => load(16 * i)).join(" ")
    })))`
  );
  const floaty = OPS.map(([op, kinds]) => {
    const args = kinds.map((_, i) => `(f32x4.add ${load(16 * i)} (v128.const f32x4 0.5 0.5 0.5 0.5))`);
    return `(func (export "floaty ${op}") (v128.store (i32.const 48) (${op} ${args.join(" ")})))`;
  });
  const aliased = OPS.map(([op, kinds]) => {
    const args = kinds.map((_, i) => `(local.get ${i})`).join(" ");
    const locals = kinds.map(() => "v128").join(" ");
    const sets = kinds.map((_, i) => `(local.set ${i} ${load(16 * i)})`).join(" ");
    return `(func (export "aliased ${op}") (local ${locals}) ${sets}
      (local.set ${kinds.length - 1} (${op} ${args})) (v128.store (i32.const 48) (local.get ${
      kinds.length - 1
    })))`;
  });
  return `(module (memory (export "mem") 1)\n${[...funcs, ...floaty, ...aliased].join("\n")})`;
}

interface Engine {
  name: string;
  run(fn: string, operands: Uint8Array): Uint8Array;
}

function engine(name: string, exports: Record<string, unknown>): Engine {
  const mem = new Uint8Array((exports.mem as WebAssembly.Memory).buffer);
  return {
    name,
    run(fn, operands) {
      mem.set(operands, 0);
      mem.fill(0xee, 48, 64);
      (exports[fn] as () => void)();
      return mem.slice(48, 64);
    },
  };
}

const bytes = wat(moduleText());
const v8 = engine("V8", new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports);
const interp = engine("interpreter", new Ours.Instance(new Ours.Module(bytes), {}, { jit: false }).exports);
const jitExports = new Ours.Instance(new Ours.Module(bytes), {}, { tierUp: 0 }).exports;
const jit = engine("JS tier", jitExports);

// ---- inputs ----

let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13, seed ^= seed >>> 17, seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

const F32_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  -0.9,
  1.5,
  -1.5,
  Infinity,
  -Infinity,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1.401298464324817e-45,
  -1.401298464324817e-45,
  1.1754943508222875e-38,
  2147483648,
  2147483520,
  -2147483648,
  -2147483904,
  4294967296,
  4294967040,
  1e10,
  -1e10,
  1 + 2 ** -22,
  1 + 2 ** -15,
  -(1 + 2 ** -15 + 2 ** -22),
];
const F32_NAN_BITS = [0x7fc00000, 0xffc00000, 0x7fc00001, 0xffc00123, 0x7f800001, 0xff800abc, 0x7fbfffff];
const F64_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  -0.99,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  2147483647.9,
  2147483648,
  -2147483648.9,
  -2147483649,
  4294967295.9,
  4294967296,
  -1,
  1e300,
  1e-300,
  2 ** -540,
  2 ** 520,
  1 + 2 ** -52,
  1 - 2 ** -53,
];
const F64_NAN_BITS = [
  [0, 0x7ff80000],
  [0, 0xfff80000],
  [1, 0x7ff80000],
  [0x123, 0xfff00000],
  [1, 0x7ff00000],
  [0xffffffff, 0x7ff7ffff],
];
const BYTE_SPECIAL = [
  0,
  1,
  2,
  5,
  15,
  16,
  17,
  31,
  32,
  0x3f,
  0x40,
  0x7f,
  0x80,
  0x81,
  0x8f,
  0x90,
  0xc0,
  0xfe,
  0xff,
];

/** A random f32 bit pattern of the given style, written at lane `i` of `view`. */
function f32Lane(words: Uint32Array, f: Float32Array, i: number, style: number): void {
  const r = random();
  if (style === 0 || r < 0.15) words[i] = (random() * 2 ** 32) >>> 0;
  else if (r < 0.35) f[i] = pick(F32_SPECIAL);
  else if (r < 0.45) words[i] = pick(F32_NAN_BITS);
  else f[i] = (random() - 0.5) * 2 ** Math.floor(random() * 80 - 40);
}

function f64Lane(words: Uint32Array, f: Float64Array, i: number, style: number): void {
  const r = random();
  if (style === 0 || r < 0.15) {
    words[2 * i] = (random() * 2 ** 32) >>> 0, words[2 * i + 1] = (random() * 2 ** 32) >>> 0;
  } else if (r < 0.35) f[i] = pick(F64_SPECIAL);
  else if (r < 0.45) [words[2 * i], words[2 * i + 1]] = pick(F64_NAN_BITS);
  else f[i] = (random() - 0.5) * 2 ** Math.floor(random() * 200 - 100);
}

/** Operands for an instruction: three v128 values (48 bytes), the lanes of each of kind `kinds[k]`. */
function operands(op: string, kinds: Kind[]): Uint8Array {
  const out = new Uint8Array(48);
  const style = Math.floor(random() * 3);
  kinds.forEach((kind, k) => {
    const buf = out.buffer, at = 16 * k;
    const words = new Uint32Array(buf, at, 4);
    switch (kind) {
      case "f32": {
        const f = new Float32Array(buf, at, 4);
        for (let i = 0; i < 4; i++) f32Lane(words, f, i, style);
        break;
      }
      case "f64": {
        const f = new Float64Array(buf, at, 2);
        for (let i = 0; i < 2; i++) f64Lane(words, f, i, style);
        break;
      }
      case "i16": {
        const h = new Int16Array(buf, at, 8);
        for (let i = 0; i < 8; i++) {
          h[i] = random() < 0.5
            ? pick([0, 1, -1, 0x4000, -0x4000, 32767, -32768, 0x7f, 0x80, -129])
            : random() * 65536;
        }
        break;
      }
      default:
        for (let i = 0; i < 16; i++) out[at + i] = random() < 0.5 ? pick(BYTE_SPECIAL) : random() * 256;
    }
  });
  // min/max: equal lanes, zeros of both signs and NaNs against each other
  if (/_m(in|ax)$/.test(op) && random() < 0.5) {
    const words = new Uint32Array(out.buffer, 0, 8);
    const same = [0, 0x80000000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x3f800000, 0xbf800000];
    for (let i = 0; i < 8; i++) {
      if (kinds[0] === "f64" && i % 2 === 0) words[i] = random() < 0.5 ? 0 : words[i];
      else words[i] = pick(same);
    }
  }
  // madd: c close to -(a·b), where one rounding and two differ
  if (/madd/.test(op) && random() < 0.4) {
    if (kinds[0] === "f32") {
      const f = new Float32Array(out.buffer, 0, 12);
      for (let i = 0; i < 4; i++) {
        const p = f[i] * f[4 + i] * (op.includes("nmadd") ? -1 : 1);
        f[8 + i] = -Math.fround(p) * (random() < 0.5 ? 1 : 1 + (random() - 0.5) * 2 ** -20);
      }
    } else {
      const f = new Float64Array(out.buffer, 0, 6);
      for (let i = 0; i < 2; i++) {
        const p = f[i] * f[2 + i] * (op.includes("nmadd") ? -1 : 1);
        f[4 + i] = -p * (random() < 0.5 ? 1 : 1 + (random() - 0.5) * 2 ** -45);
      }
    }
  }
  return out;
}

// ---- the host's V8 ----

/** Whether V8 fuses relaxed_madd here (FLT_MAX · 2 − FLT_MAX is FLT_MAX only when fused). */
function v8Fuses(): boolean {
  const x = new Uint8Array(48);
  new Float32Array(x.buffer).set([3.4028234663852886e38, 0, 0, 0, 2, 0, 0, 0, -3.4028234663852886e38]);
  return new Float32Array(v8.run("f32x4.relaxed_madd", x).buffer)[0] === 3.4028234663852886e38;
}

/** Whether V8 sums relaxed_dot_i8x16_i7x16_add_s exactly (-128 · 255 · 4, unsaturated). */
function v8DotExact(): boolean {
  const x = new Uint8Array(48);
  x.fill(0x80, 0, 4), x.fill(0xff, 16, 20);
  return new Int32Array(v8.run("i32x4.relaxed_dot_i8x16_i7x16_add_s", x).buffer)[0] === -130560;
}

const fused = v8Fuses(), dotExact = v8DotExact();
if (!fused) {
  console.log("relaxed SIMD: V8 does not fuse relaxed_madd on this host (no FMA): madd/nmadd not compared");
}
if (!dotExact) {
  console.log(
    "relaxed SIMD: V8 saturates relaxed_dot_i8x16_i7x16_add_s on this host (no AVX-VNNI): not compared",
  );
}

function judged(op: string): boolean {
  if (/madd/.test(op)) return fused;
  if (op === "i32x4.relaxed_dot_i8x16_i7x16_add_s") return dotExact;
  return true;
}

const hex = (u: Uint8Array) =>
  [...new Uint32Array(u.buffer.slice(0))].map((w) => w.toString(16).padStart(8, "0"));

function compare(fn: string, x: Uint8Array): void {
  const want = v8.run(fn, x);
  for (const e of [interp, jit]) {
    const got = e.run(fn, x);
    if (!got.every((b, i) => b === want[i])) {
      assert.fail(
        `${fn} on ${e.name}: operands ${hex(x).join(" ")}\n  got  ${hex(got).join(" ")}\n  want ${
          hex(want).join(" ")
        } (V8)`,
      );
    }
  }
}

Deno.test({
  name: "relaxed SIMD: every instruction, on both tiers, gives V8's results on edge cases and random lanes",
  fn() {
    for (const [op, kinds] of OPS) {
      if (!judged(op)) continue;
      for (let n = 0; n < 4000; n++) compare(op, operands(op, kinds));
    }
  },
});

Deno.test({
  name: "relaxed SIMD: operands from f32x4 arithmetic, and a result written over an operand",
  fn() {
    for (const [op, kinds] of OPS) {
      if (!judged(op)) continue;
      for (let n = 0; n < 300; n++) {
        const x = operands(op, kinds);
        compare(`aliased ${op}`, x);
        // f32x4.add quiets NaNs, whose bits the spec leaves open: finite lanes only
        for (let i = 0; i < 12; i++) {
          const f = new Float32Array(x.buffer);
          if (!Number.isFinite(f[i])) f[i] = i;
        }
        compare(`floaty ${op}`, x);
      }
    }
  },
});

Deno.test({
  name: "relaxed SIMD: the JS tier compiles laneselect inline and bridges the others",
  fn() {
    for (const [op] of OPS) {
      const fn = funcOfJs.get(jitExports[op] as object) as WasmFunc;
      assert.equal(compileToJs(fn).bridged, op.endsWith("laneselect") ? 0 : 1, op);
    }
  },
});

/** A finite double as m / 2^e exactly (BigInt m, e ≥ 0). */
function rational(v: number): [bigint, bigint] {
  let a = Math.abs(v), e = 0n;
  while (a !== Math.floor(a)) a *= 2, e++; // exact: doubling a double
  return [v < 0 ? -BigInt(a) : BigInt(a), e];
}

const F = new Float64Array(1), B = new BigInt64Array(F.buffer);
const G = new Float32Array(1), GI = new Int32Array(G.buffer);
/** The double or single `k` steps (of one unit in the last place) above `x` (below for negative k). */
function step(x: number, k: number, single: boolean): number {
  if (single) return G[0] = x, GI[0] += x < 0 || Object.is(x, -0) ? -k : k, G[0];
  return F[0] = x, B[0] += BigInt(x < 0 || Object.is(x, -0) ? -k : k), F[0];
}
const lowBit = (x: number, single: boolean) => single ? (G[0] = x, GI[0] & 1) : (F[0] = x, Number(B[0] & 1n));

/**
 * x·y + z rounded once to double (or single), by exact rational arithmetic: the nearest of the
 * values around an approximation, ties to the even one. An independent check of fma64 and fma32.
 */
function exactFma(x: number, y: number, z: number, single: boolean): number {
  const [mx, ex] = rational(x), [my, ey] = rational(y), [mz, ez] = rational(z);
  const e = ex + ey > ez ? ex + ey : ez;
  const n = mx * my * 2n ** (e - ex - ey) + mz * 2n ** (e - ez); // (x·y + z) · 2^e
  if (n === 0n) return 0;
  const len = BigInt((n < 0n ? -n : n).toString(2).length), cut = len > 60n ? len - 60n : 0n;
  const approx = Number(n >> cut) * 2 ** Number(cut - e);
  const start = single ? Math.fround(approx) : approx;
  const candidates = [-2, -1, 0, 1, 2].map((k) => step(start, k, single)).filter(Number.isFinite);
  const distance = (c: number) => {
    const [mc, ec] = rational(c);
    const k = e > ec ? e : ec;
    const diff = n * 2n ** (k - e) - mc * 2n ** (k - ec);
    return diff < 0n ? -diff : diff;
  };
  let best = candidates[0], bestD = distance(best);
  for (const c of candidates.slice(1)) {
    const d = distance(c);
    if (d < bestD || (d === bestD && lowBit(c, single) === 0)) best = c, bestD = d;
  }
  return best;
}

Deno.test({
  name: "relaxed SIMD: the fused multiply-add helpers round once (exact rationals, whatever the host's V8)",
  fn() {
    const ok = (v: number) => Number.isFinite(v) && v !== 0 && Math.abs(v) > 1e-80 && Math.abs(v) < 1e80;
    let checked64 = 0, checked32 = 0;
    for (let n = 0; n < 3000; n++) {
      const lanes = operands("f64x2.relaxed_madd", ["f64", "f64", "f64"]);
      const f = new Float64Array(lanes.buffer, 0, 6);
      const [x, y, z] = [f[0], f[2], f[4]];
      if (ok(x) && ok(y) && ok(z)) {
        assert.equal(fma64(x, y, z), exactFma(x, y, z, false), `fma64(${x}, ${y}, ${z})`);
        checked64++;
      }
      const g = new Float32Array(lanes.buffer, 0, 12);
      const [a, b, c] = [g[1], g[5], Math.fround(-g[1] * g[5] * (1 + (random() - 0.5) * 2 ** -20))];
      if (ok(a) && ok(b) && ok(c) && ok(a * b)) {
        assert.equal(fma32(a, b, c), exactFma(a, b, c, true), `fma32(${a}, ${b}, ${c})`);
        checked32++;
      }
    }
    assert.ok(checked64 > 500 && checked32 > 500, `${checked64} and ${checked32} cases checked`);
    // Single precision where rounding the sum to double first lands on a midpoint between two
    // singles: z ± half an ulp of z ∓ a little, the product (u/2)(1 + 2^-j)(1 - 2^-j).
    for (let n = 0; n < 2000; n++) {
      const z = Math.fround((random() + 0.5) * 2 ** Math.floor(random() * 40 - 20)) *
        (random() < 0.5 ? 1 : -1);
      const u = step(z, 1, true) - z, j = 12 + Math.floor(random() * 12);
      const a = Math.fround((u / 2) * (1 + 2 ** -j) * (random() < 0.5 ? 1 : -1)),
        b = Math.fround(1 - 2 ** -j);
      assert.equal(fma32(a, b, z), exactFma(a, b, z, true), `fma32(${a}, ${b}, ${z})`);
    }
  },
});

Deno.test({
  name: "relaxed SIMD: validation types the operands, and sub-opcodes past 0x113 are illegal (as in V8)",
  fn() {
    const v = "(v128.const i64x2 0 0)";
    const cases: [string, boolean][] = [];
    for (const [op, kinds] of OPS) {
      const n = kinds.length;
      cases.push([`(${op} ${Array(n).fill(v).join(" ")})`, true]);
      cases.push([`(${op} ${Array(n - 1).fill(v).join(" ")} (i32.const 0))`, false]);
      if (n > 1) cases.push([`(drop ${v}) (${op} ${Array(n - 1).fill(v).join(" ")})`, false]);
    }
    for (const [body, valid] of cases) {
      const text = `(module (func (result v128) ${body}))`;
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = wat(text);
      } catch {
        assert.ok(!valid, body); // our parser may reject the text already: still no module
        continue;
      }
      assert.equal(WebAssembly.validate(bytes), valid, `V8: ${body}`);
      assert.equal(Ours.validate(bytes), valid, body);
    }
    // i8x16.relaxed_swizzle is 0xfd 0x80 0x02; 0x93 0x02 (0x113) is the last, 0x94 0x02 none
    const bytes = wat(`(module (func (result v128) (i8x16.relaxed_swizzle ${v} ${v})))`);
    const at = bytes.findIndex((b, i) => b === 0xfd && bytes[i + 1] === 0x80 && bytes[i + 2] === 0x02);
    for (const [sub, valid] of [[0x80, true], [0x94, false], [0xff, false]] as const) {
      const patched = bytes.slice();
      patched[at + 1] = sub;
      assert.equal(WebAssembly.validate(patched), valid, `V8: 0x${sub.toString(16)}`);
      assert.equal(Ours.validate(patched), valid, `0x${sub.toString(16)}`);
      if (!valid) assert.throws(() => new Ours.Module(patched), /illegal opcode/);
    }
  },
});

Deno.test({
  name: "relaxed SIMD: the sum rounded to odd is the exact sum, or the odd one of the two doubles around it",
  fn() {
    for (let n = 0; n < 5000; n++) {
      const x = (random() - 0.5) * 2 ** Math.floor(random() * 100 - 50);
      const y = (random() - 0.5) * 2 ** Math.floor(random() * 100 - 50) * (random() < 0.2 ? 0 : 1);
      const [mx, ex] = rational(x), [my, ey] = rational(y);
      const e = ex > ey ? ex : ey;
      const sum = mx * 2n ** (e - ex) + my * 2n ** (e - ey); // (x + y) · 2^e
      const cmp = (c: number) => {
        const [mc, ec] = rational(c), k = e > ec ? e : ec;
        const d = mc * 2n ** (k - ec) - sum * 2n ** (k - e);
        return d < 0n ? -1 : d > 0n ? 1 : 0;
      };
      const r = addOdd(x, y);
      if (cmp(r) === 0) continue; // exact
      assert.equal(lowBit(r, false), 1, `addOdd(${x}, ${y}) = ${r} is even`);
      // the exact sum lies between r and its neighbour on the other side
      const other = step(r, -cmp(r), false);
      assert.equal(cmp(other), -cmp(r), `addOdd(${x}, ${y}) = ${r} is not next to the sum`);
    }
  },
});
