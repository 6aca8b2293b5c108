/**
 * The frame entry of code that takes direct calls only (jit/compile.ts `directCallable`): whoever
 * calls a function with its frame (the interpreter, an export's call, an indirect or tail call,
 * compiled code calling one it cannot call directly) goes through this adapter, which reads the
 * arguments out of the frame, calls the code with them and the caller's room as the machine's
 * registers hold it, and writes the result back. Keeping that out of every function's own code
 * keeps its bytecode small enough for V8 to inline it into its callers.
 *
 * One adapter source per signature, generated once in this realm; it is engine code, not a wasm
 * function: JS stacks do not show it as a wasm frame.
 */
import { F64, I32, JS_BUDGET, machine, R } from "../runtime/machine.ts";
import type { CompiledCode } from "../runtime/objects.ts";
import { type FuncType, ValType } from "../wasm/types.ts";
import { env, f32ValueBits } from "../jit/support.ts";
import { i64Hi } from "../interp/ops/ops_i64.ts";

/**
 * Bytes of JS stack the adapter's own frame may take: the code it calls gets that much less room
 * than the caller's (compiled code keeps its use of the JS stack within `JS_BUDGET`).
 */
const ADAPTER_COST = 64;

type MakeAdapter = (code: CompiledCode) => CompiledCode;

/** The adapter maker of each signature seen, by its text. */
const makers = new Map<string, MakeAdapter>();

/** The frame entry of `code`, direct code of a function of type `type`. */
export function frameEntry(type: FuncType, code: CompiledCode): CompiledCode {
  const key = `${type.params.join(",")}:${type.results.join(",")}`;
  let make = makers.get(key);
  if (make === undefined) makers.set(key, make = adapterMaker(type));
  return make(code);
}

function adapterMaker({ params, results }: FuncType): MakeAdapter {
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
  const source = `return (code) => function (s) { const s2 = s * 2; ${body} };`;
  return new Function("I32", "F64", "R", "M", "HI", "fromBits", "valueBits", source)(
    I32,
    F64,
    R,
    machine,
    i64Hi,
    env.f32FromBits,
    f32ValueBits,
  ) as MakeAdapter;
}
