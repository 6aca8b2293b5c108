/**
 * Runs a fuzz module on one engine and records what it observably did: whether it compiled and
 * instantiated, every call to the logging imports, each export's result or trap, the exported
 * globals and a hash of the final memory. Engine-agnostic: given wasmrun's namespace or V8's.
 */
import { decodeModule } from "../src/wasm/decoder.ts";
import { ExternKind, type FuncType, type ModuleInfo, ValType } from "../src/wasm/types.ts";
import { describeError, type ErrorKind } from "./traps.ts";

/** The part of the WebAssembly namespace the fuzzer uses; `options` is wasmrun's extension. */
export interface FuzzEngine {
  Module: {
    new (bytes: Uint8Array, options?: object): object;
    imports(module: object): { module: string; name: string; kind: string }[];
  };
  Instance: new (module: object, imports: object, options?: object) => { exports: Record<string, unknown> };
}

/** What a module did on one engine; two engines agree when these are deep-equal. */
export interface Outcome {
  /** "ok", or the kind of error compiling threw. */
  compile: string;
  /** "ok", or the kind of error instantiating threw (a trap in the start function, a link error). */
  instantiate?: string;
  /** In order: `log …` lines from the imports and `call NAME -> …` lines from the exports. */
  events: string[];
  /** Exported globals' final values. */
  globals?: string[];
  /** `pages:fnv1a` of the exported memory at the end. */
  memory?: string;
  /** Set when our engine stopped on its fuel or time budget: nothing to compare then. */
  exhausted?: boolean;
}

/** wasmrun stops on fuel or time; the hang limits keep honest calls far below either. The interpreter: */
export const GUARD_OPTIONS = { fuel: 50_000_000, timeoutMs: 10_000, jit: false };
/** The same budget on the JS tier (the default engine). */
export const JS_TIER_OPTIONS = { fuel: 50_000_000, timeoutMs: 10_000 };

function formatNumber(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

export function formatValue(v: unknown): string {
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null) return "null";
  if (v === undefined) return "void";
  if (typeof v === "function") return "funcref";
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  return typeof v;
}

function zeroOf(t: ValType): unknown {
  if (t === ValType.I64) return 0n;
  if (t === ValType.FuncRef || t === ValType.ExternRef) return null;
  return 0;
}

// Edge values for a second call of each export with parameters (binaryen's own harness only
// passes zeros, which leaves most parameter-dependent code unexercised).
const I32_VALUES = [1, -1, 0x7fffffff, -0x80000000, 255, -256, 0x12345678, 65536, 31];
const I64_VALUES = [1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 1n << 32n, 63n];
const FLOAT_VALUES = [1.5, -0.5, -0, 1e10, -3.4e38, Infinity, -Infinity, 2147483648, 5e-324, 0.1];

/** The `k`th edge value of type `t` (cycling), the same on every engine. */
function edgeOf(t: ValType, k: number): unknown {
  switch (t) {
    case ValType.I32:
      return I32_VALUES[k % I32_VALUES.length];
    case ValType.I64:
      return I64_VALUES[k % I64_VALUES.length];
    case ValType.F32:
    case ValType.F64:
      return FLOAT_VALUES[k % FLOAT_VALUES.length];
  }
  return null;
}

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The imports of a fuzz module: logging functions that record, and emscripten's tempRet0 pair. */
function makeImports(
  engine: FuzzEngine,
  module: object,
  events: string[],
): Record<string, Record<string, unknown>> {
  let tempRet0 = 0;
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of engine.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    let fn: (...args: unknown[]) => unknown;
    if (imp.name === "setTempRet0") fn = (x) => void (tempRet0 = x as number);
    else if (imp.name === "getTempRet0") fn = () => tempRet0;
    else fn = (...args) => void events.push(`log ${imp.name} ${args.map(formatValue).join(" ")}`);
    (imports[imp.module] ??= {})[imp.name] = fn;
  }
  return imports;
}

function isExhaustion(kind: ErrorKind): boolean {
  return kind === "trap:fuel" || kind === "trap:timeout";
}

export function runModule(engine: FuzzEngine, bytes: Uint8Array, options?: object): Outcome {
  const events: string[] = [];
  const outcome: Outcome = { compile: "ok", events };
  let module: object;
  try {
    module = new engine.Module(bytes, options);
  } catch (err) {
    outcome.compile = describeError(err);
    return outcome;
  }
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new engine.Instance(module, makeImports(engine, module, events), options);
    outcome.instantiate = "ok";
  } catch (err) {
    outcome.instantiate = describeError(err);
    if (isExhaustion(outcome.instantiate)) outcome.exhausted = true;
    return outcome;
  }
  let info: ModuleInfo;
  try {
    info = decodeModule(bytes);
  } catch (err) {
    // wasmrun's decoder finds export signatures; on a module only V8 accepts, say so and stop.
    events.push(`harness: wasmrun cannot decode the module: ${describeError(err)}`);
    return outcome;
  }
  const typeOf = (index: number): FuncType => info.types[info.funcTypeIndices[index]];
  const exports = instance.exports;
  const resetHangLimit = exports.hangLimitInitializer as (() => void) | undefined;
  /** Calls an export and records the result; false when our engine ran out of budget. */
  const call = (name: string, args: unknown[], label: string): boolean => {
    try {
      if (typeof resetHangLimit === "function") resetHangLimit();
      const result = (exports[name] as (...args: unknown[]) => unknown)(...args);
      events.push(`call ${label} -> ${formatValue(result)}`);
    } catch (err) {
      const kind = describeError(err);
      events.push(`call ${label} -> ${kind}`);
      if (isExhaustion(kind)) return false;
    }
    return true;
  };
  const funcExports = info.exports.filter((e) => e.kind === ExternKind.Func);
  for (const exp of funcExports) {
    if (!call(exp.name, typeOf(exp.index).params.map(zeroOf), exp.name)) {
      outcome.exhausted = true;
      return outcome;
    }
  }
  funcExports.forEach((exp, e) => {
    const params = typeOf(exp.index).params;
    if (params.length === 0 || outcome.exhausted) return;
    const args = params.map((t, i) => edgeOf(t, e * 7 + i * 3));
    const label = `${exp.name}(${args.map(formatValue).join(", ")})`;
    if (!call(exp.name, args, label)) outcome.exhausted = true;
  });
  if (outcome.exhausted) return outcome;
  outcome.globals = info.exports.filter((e) => e.kind === ExternKind.Global)
    .map((e) => `${e.name}=${formatValue((exports[e.name] as { value: unknown }).value)}`);
  const memory = info.exports.find((e) => e.kind === ExternKind.Memory);
  if (memory) {
    const buffer = (exports[memory.name] as { buffer: ArrayBuffer }).buffer;
    outcome.memory = `${buffer.byteLength / 65536}:${fnv1a(new Uint8Array(buffer))}`;
  }
  return outcome;
}
