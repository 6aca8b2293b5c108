/**
 * The interpreter's fused memory forms above 2 GiB (tests/memory_test.ts covers the plain loads and
 * stores there): a load folded into a compare and branch, into arithmetic, a folded or indexed
 * address, arithmetic stored, a read-modify-write. An effective address of 2^31 or more does not fit
 * a signed 32-bit integer, so every typed-array index must be taken unsigned (`ea >>> 2`, not
 * `ea >> 2`). Each function is checked to make its fused form, then runs on the interpreter
 * (`jit: false`) and on V8 at aligned, unaligned, last valid and first invalid addresses past 2 GiB;
 * results, traps and the bytes around the address must agree.
 */
import assert from "node:assert/strict";
import { WebAssembly as Ours } from "../mod.ts";
import { funcOfJs } from "../src/runtime/boundary.ts";
import { fusedForms } from "../src/interp/lower.ts";
import type { WasmFunc } from "../src/runtime/objects.ts";
import { wat } from "./wat.ts";

const PAGES = 32769, SIZE = PAGES * 65536; // 2 GiB and one page
const CMPS = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];

interface Fn {
  name: string;
  form: string;
  /** Params, results and locals, then the body. */
  text: string;
  /** Argument lists; the first is the address. */
  args: unknown[][];
}

/** Addresses past 2^31: aligned, unaligned, the last valid for `width` bytes and the first invalid. */
function high(width: number, offset = 0): number[] {
  const last = SIZE - width - offset;
  return [0x80000000, 0x80000008, 0x80000001, 0x80000003, 0x8000fff0 - offset, last, last + 1].map((a) =>
    a | 0
  );
}

function functions(): Fn[] {
  const out: Fn[] = [];
  for (const c of CMPS) {
    for (const k of [0, -1, 0x12345678]) {
      out.push({
        name: `load_${c}_${k}`,
        form: `loadCompareBranch:${c}:imm`,
        text: `(param $p i32) (result i32 i32) (local $v i32) (local $r i32)
          (block $out (br_if $out (i32.${c} (local.tee $v (i32.load (local.get $p))) (i32.const ${k})))
            (local.set $r (i32.const 1)))
          (local.get $v) (local.get $r)`,
        args: high(4).map((p) => [p]),
      });
    }
    out.push({
      name: `load_${c}_reg`,
      form: `loadCompareBranch:${c}:reg`,
      text: `(param $p i32) (param $c i32) (result i32 i32) (local $v i32) (local $r i32)
        (block $out
          (br_if $out (i32.${c} (local.tee $v (i32.load offset=3 (i32.add (local.get $p) (i32.const 5))))
            (local.get $c)))
          (local.set $r (i32.const 1)))
        (local.get $v) (local.get $r)`,
      args: high(4, 8).flatMap((p) => [[p, 0], [p, -0x7f7f7f80], [p, 0x7fffffff]]),
    });
  }
  const loads: [string, number, string][] = [
    ["i32.load", 4, "i32"],
    ["i64.load", 8, "i64"],
    ["f64.load", 8, "f64"],
    ["i32.load8_u", 1, "i32"],
    ["i32.load16_s", 2, "i32"],
    ["i64.load32_u", 4, "i64"],
  ];
  for (const [op, width, type] of loads) {
    const result = type === "f64" ? "i64" : type;
    const asBits = (e: string) => (type === "f64" ? `(i64.reinterpret_f64 ${e})` : e);
    out.push({
      name: `${op}_folded`,
      form: `load:${op}:folded`,
      text: `(param $p i32) (result ${result}) ${
        asBits(`(${op} offset=2 (i32.add (local.get $p) (i32.const 6)))`)
      }`,
      args: high(width, 8).map((p) => [p]),
    });
  }
  for (
    const [op, width, type] of loads.filter(([op]) => ["i32.load", "f64.load", "i32.load8_u"].includes(op))
  ) {
    const result = type === "f64" ? "i64" : type;
    const asBits = (e: string) => (type === "f64" ? `(i64.reinterpret_f64 ${e})` : e);
    out.push({
      name: `${op}_indexed`,
      form: `loadIndexed:${op}`,
      text: `(param $p i32) (param $i i32) (result ${result})
        ${asBits(`(${op} offset=2 (i32.add (local.get $p) (local.get $i)))`)}`,
      args: high(width, 2).flatMap((p) => [[p, 0], [(p - 0x100) | 0, 0x100]]),
    });
  }
  for (
    const [op, width, type] of [["i32.store", 4, "i32"], ["i64.store", 8, "i64"], ["i32.store16", 2, "i32"]]
  ) {
    const value = type === "i64" ? "0x0123456789abcdef" : "-0x7f7f7f80";
    out.push({
      name: `${op}_folded`,
      form: `store:${op}:folded`,
      text: `(param $p i32) (${op} offset=1 (i32.add (local.get $p) (i32.const 3)) (${type}.const ${value}))`,
      args: high(width as number, 4).map((p) => [p]),
    });
  }
  for (const [t, width] of [["f64", 8], ["f32", 4]] as const) {
    for (const op of ["add", "sub", "mul", "div"]) {
      out.push({
        name: `${t}_${op}_mem_right`,
        form: `${t}BinaryMem:${op}:right`,
        text:
          `(param $p i32) (param $x ${t}) (result ${t}) (${t}.${op} (local.get $x) (${t}.load (local.get $p)))`,
        args: high(width).map((p) => [p, -1.5]),
      });
      out.push({
        name: `${t}_${op}_mem_left`,
        form: `${t}BinaryMem:${op}:left`,
        text: `(param $p i32) (param $x ${t}) (result ${t})
          (${t}.${op} (${t}.load offset=8 (i32.add (local.get $p) (i32.const -8))) (local.get $x))`,
        args: high(width).map((p) => [p, 3]),
      });
      out.push({
        name: `${t}_${op}_store`,
        form: `${t}StoreBinary:${op}`,
        text: `(param $p i32) (param $x ${t}) (param $y ${t})
          (${t}.store (local.get $p) (${t}.${op} (local.get $x) (local.get $y)))`,
        args: high(width).map((p) => [p, 2.5, -0.5]),
      });
      for (const [side, expr] of [["left", "LOAD (local.get $x)"], ["right", "(local.get $x) LOAD"]]) {
        out.push({
          name: `${t}_${op}_rmw_${side}`,
          form: `${t}ReadModifyWrite:${op}:${side}`,
          text: `(param $p i32) (param $x ${t})
            (${t}.store offset=8 (local.get $p)
              (${t}.${op} ${expr.replace("LOAD", `(${t}.load offset=8 (local.get $p))`)}))`,
          args: high(width, 8).map((p) => [p, 1.25]),
        });
      }
    }
    out.push({
      name: `${t}_mul_add`,
      form: `mulAddReadModifyWrite:${t}:add`,
      text: `(param $c i32) (param $b i32) (param $y ${t})
        (local.get $c) (${t}.mul (local.get $y) (${t}.load (local.get $b)))
        (${t}.load (local.get $c)) (${t}.add) (${t}.store)`,
      args: high(width).flatMap((c) => [[c, 0x80000010 | 0, 2], [0x80000020 | 0, c, -3]]),
    });
  }
  return out;
}

/** The bytes written before each call around address `a` (and read back after): 32 on each side. */
function around(a: number): number {
  return Math.max(0, Math.min((a >>> 0) - 32, SIZE - 64));
}

function pattern(at: number): Uint8Array {
  return Uint8Array.from({ length: 64 }, (_, i) => ((at + i) * 151 + 7) & 0xff);
}

for (const [tier, options] of [["interpreter", { jit: false }], ["JS tier", { tierUp: 0 }]] as const) {
  Deno.test({
    name: `fused memory forms above 2 GiB agree with V8 (${tier})`,
    fn() {
      const list = functions();
      const text = `(module (memory (export "mem") ${PAGES})\n${
        list.map((f) => `(func (export "${f.name}") ${f.text})`).join("\n")
      })`;
      const bytes = wat(text);
      const ours = new Ours.Instance(new Ours.Module(bytes), {}, options).exports as Record<string, unknown>;
      const v8 = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, unknown>;
      const failures: string[] = [];
      for (const f of list) {
        if (tier === "interpreter") {
          const forms = fusedForms(funcOfJs.get(ours[f.name] as object) as WasmFunc);
          if (!forms.includes(f.form)) failures.push(`${f.name}: no ${f.form} among ${forms.join(", ")}`);
        }
        for (const args of f.args) {
          // Every address argument's neighbourhood gets the same bytes in both memories.
          const spots = args.filter((a): a is number => typeof a === "number" && (a >>> 0) >= 0x7fff0000)
            .map(around);
          const run = (e: Record<string, unknown>) => {
            const mem = new Uint8Array((e.mem as WebAssembly.Memory).buffer);
            for (const at of spots) mem.set(pattern(at), at);
            let result: unknown;
            try {
              result = (e[f.name] as (...a: unknown[]) => unknown)(...args);
            } catch (err) {
              result = `trap ${(err as Error).constructor.name}`;
            }
            const shown = typeof result === "number" && Number.isNaN(result) ? "NaN" : result;
            return JSON.stringify(
              [shown, spots.map((at) => [...mem.subarray(at, at + 64)])],
              (_, v) => typeof v === "bigint" ? `${v}n` : v,
            );
          };
          const a = run(ours), b = run(v8);
          if (a !== b) {
            failures.push(`${f.name}(${args.join(", ")}): ours ${a.slice(0, 200)}, V8 ${b.slice(0, 200)}`);
          }
        }
      }
      assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failures`);
    },
  });
}
