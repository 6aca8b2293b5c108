/**
 * Tiering: a function is compiled to JS on its first call. A function the JS tier cannot take
 * (nesting deeper than a JS parser allows) stays on the threaded-code interpreter, as does everything
 * of an instance created with `jit: false`.
 */
import type { WasmFunc } from "../runtime/objects.ts";
import { compileToJs, Unsupported } from "./compile.ts";
import { env, type JitEnv } from "./support.ts";

/** Functions whose compilation failed unexpectedly (a bug in the JS tier); they ran interpreted. */
export const jitFailures: { index: number; error: unknown }[] = [];

/** Functions compiled to JS, and those left to the interpreter by design, in this realm so far. */
export const jitCounts = { compiled: 0, unsupported: 0 };

let compilations = 0;

type Factory = (consts: unknown[], env: JitEnv, fn: WasmFunc) => (s: number) => void;

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
    const code = factory(unit.consts, env, f);
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
