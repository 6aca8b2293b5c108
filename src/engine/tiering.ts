/**
 * Tiering, the one place that knows both tiers: a function is compiled to JS on its first call. A
 * function the JS tier cannot take (nesting deeper than a JS parser allows) stays on the threaded-code
 * interpreter, as does everything of an instance created with `jit: false`; compiled code that finds
 * the JS stack full continues on the interpreter. Every instance is handed `tiering` (runtime/objects.ts
 * declares the interface).
 */
import { machine } from "../runtime/machine.ts";
import { type Tiering, trap, type WasmFunc } from "../runtime/objects.ts";
import { compileToJs, Unsupported } from "../jit/compile.ts";
import { env, type JitEnv } from "../jit/support.ts";
import { interpret } from "../interp/run.ts";

/** Functions whose compilation failed unexpectedly (a bug in the JS tier); they ran interpreted. */
export const jitFailures: { index: number; error: unknown }[] = [];

/** Functions compiled to JS, and those left to the interpreter by design, in this realm so far. */
export const jitCounts = { compiled: 0, unsupported: 0 };

let compilations = 0;

type Factory = (consts: unknown[], env: JitEnv, fn: WasmFunc) => (s: number) => void;

/** What compiled code closes over: the JS tier's helpers, and where it goes when it must not go deeper. */
const jitEnv: JitEnv = { ...env, deep: interpretDeep };

/** The JS code of `f`, compiling it on first use; null when `f` runs on the interpreter. */
export function compiledCode(f: WasmFunc): ((s: number) => void) | null {
  if (f.jit !== undefined) return f.jit;
  f.jit = null;
  if (!f.inst.jit) return null;
  try {
    const unit = compileToJs(f);
    // A distinct source per compilation: V8 would otherwise share one SharedFunctionInfo among the
    // instances of a module, and code shared by several closures cannot embed their constants.
    const tag = `// wasm function ${f.index}, compilation ${++compilations}\n`;
    const factory = new Function("K", "E", "F", tag + unit.source) as Factory;
    const code = factory(unit.consts, jitEnv, f);
    f.jit = code;
    f.jsCost = unit.jsCost;
    f.entry = code;
    jitCounts.compiled++;
  } catch (e) {
    if (e instanceof Unsupported) jitCounts.unsupported++;
    // Compiled while the JS stack was nearly full (V8's parser recurses): try again on a later call.
    else if (e instanceof RangeError && e.message.includes("call stack")) f.jit = undefined;
    else jitFailures.push({ index: f.index, error: e });
  }
  return f.jit ?? null;
}

/** A call from compiled code to a function not compiled yet (or never compiled). */
function callFromCompiled(fn: WasmFunc, slot: number): void {
  const code = fn.jit === undefined ? compiledCode(fn) : fn.jit;
  if (code !== null) code(slot); // its entry sends it to `interpretDeep` when there is no room
  else interpretDeep(fn, slot);
}

/** Compiled code out of JS stack (or at the depth limit) runs the call on the interpreter. */
function interpretDeep(fn: WasmFunc, slot: number): void {
  if (machine.depth >= machine.limit) trap("call stack exhausted");
  interpret(fn, slot);
}

/** How every instance runs its functions. */
export const tiering: Tiering = { compiled: compiledCode, interpret, call: callFromCompiled };
