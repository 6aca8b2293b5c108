/**
 * The frame entry of code that takes direct calls only (jit/compile.ts `directCallable`): whoever
 * calls a function with its frame (the interpreter, an export's call, an indirect or tail call,
 * compiled code calling one it cannot call directly) goes through this adapter, which reads the
 * arguments out of the frame, calls the code with them and the caller's room as the machine's
 * registers hold it, and writes the result back. Keeping that out of every function's own code
 * keeps its bytecode small enough for V8 to inline it into its callers.
 *
 * A function's first calls with the frame go through an adapter shared by its signature; one called
 * so often (OWN_ADAPTER_CALLS) gets one of its own. A shared adapter shares V8's feedback too, so
 * its call of the code is megamorphic: 31 ns a call against 12-22 ns for its own (a microbenchmark
 * of 64 functions), and yosys makes six million such calls. But making an adapter of its own (a
 * `new Function`) costs ~110 us here, and most compiled functions are called with the frame rarely
 * or never: yosys calls 913 with it, 449 of them 1,000 times or more; icepack 6. It is engine code,
 * not a wasm function: JS stacks do not show it as a wasm frame.
 */
import { F64, I32, JS_BUDGET, machine, R } from "../runtime/machine.ts";
import type { CompiledCode, WasmFunc } from "../runtime/objects.ts";
import { type FuncType, ValType } from "../wasm/types.ts";
import { env, f32ValueBits } from "../jit/support.ts";
import { i64Hi } from "../interp/ops/ops_i64.ts";

/**
 * Bytes of JS stack the adapter's own frame may take: the code it calls gets that much less room
 * than the caller's (compiled code keeps its use of the JS stack within `JS_BUDGET`).
 */
const ADAPTER_COST = 64;

type MakeAdapter = (code: CompiledCode) => CompiledCode;

/** Calls with the frame after which a function gets an adapter of its own. */
export const OWN_ADAPTER_CALLS = 1000;

/** Adapters of their own made in this realm so far (see OWN_ADAPTER_CALLS). */
export const adapterCounts = { own: 0 };

/** The adapter source and the shared adapter maker of each signature seen, by its text. */
const shared = new Map<string, { source: string; make: MakeAdapter }>();

/** The frame entry of `code`, direct code of `f`. */
export function frameEntry(f: WasmFunc, code: CompiledCode): CompiledCode {
  const key = `${f.type.params.join(",")}:${f.type.results.join(",")}`;
  let signature = shared.get(key);
  if (signature === undefined) {
    const source = adapterSource(f.type);
    shared.set(key, signature = { source, make: maker(source) });
  }
  const { source, make } = signature;
  const common = make(code);
  let calls = 0;
  const counting = (s: number): unknown => {
    if (++calls < OWN_ADAPTER_CALLS) return common(s);
    // A distinct source, so that V8 gives the adapter its own code and feedback.
    const own = maker(`// ${f.index}\n${source}`)(code);
    adapterCounts.own++;
    if (f.jit === counting) f.jit = own;
    if (f.entry === counting) f.entry = own;
    return own(s);
  };
  return counting;
}

function maker(source: string): MakeAdapter {
  const make = new Function("I32", "F64", "R", "M", "HI", "fromBits", "valueBits", source);
  return make(I32, F64, R, machine, i64Hi, env.f32FromBits, f32ValueBits) as MakeAdapter;
}

function adapterSource({ params, results }: FuncType): string {
  const args: string[] = [];
  params.forEach((t, i) => {
    switch (t) {
      case ValType.I32:
        return args.push(`I32[s2 + ${2 * i}]`);
      case ValType.I64:
        return args.push(`I32[s2 + ${2 * i}]`, `I32[s2 + ${2 * i + 1}]`);
      case ValType.F32:
        return args.push(`fromBits(I32[s2 + ${2 * i}])`);
      case ValType.F64:
        return args.push(`F64[s + ${i}]`);
      default: // a reference (no v128: see `directCallable`)
        return args.push(`R[s + ${i}]`);
    }
  });
  const call = `code(s, ${JS_BUDGET - ADAPTER_COST} - M.jsStack, M.limit - M.depth${
    args.map((a) => `, ${a}`).join("")
  })`;
  let body: string;
  switch (results[0]) {
    case undefined:
      body = `${call};`;
      break;
    case ValType.I32:
      body = `I32[s2] = ${call};`;
      break;
    case ValType.I64:
      body = `I32[s2] = ${call}; I32[s2 + 1] = HI.v;`;
      break;
    case ValType.F32:
      body = `I32[s2] = valueBits(${call});`;
      break;
    case ValType.F64:
      body = `F64[s] = ${call};`;
      break;
    default:
      body = `R[s] = ${call};`;
  }
  return `return (code) => function (s) { const s2 = s * 2; ${body} };`;
}
