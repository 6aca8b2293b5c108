/**
 * Runs a fuzz module on one engine and records what it observably did: whether it compiled and
 * instantiated, every call to the logging imports, each export's result or trap, the exported
 * globals and a hash of the final memory. Engine-agnostic: given wasmrun's namespace or V8's.
 */
import { decodeModule } from "../src/wasm/decoder.ts";
import {
  ExternKind,
  type FuncType,
  heapOf,
  HeapType,
  isRefType,
  type ModuleInfo,
  ValType,
} from "../src/wasm/types.ts";
import { describeError, type ErrorKind } from "./traps.ts";

/** The part of the WebAssembly namespace the fuzzer uses; `options` is wasmrun's extension. */
export interface FuzzEngine {
  Module: {
    new (bytes: Uint8Array, options?: object): object;
    imports(module: object): { module: string; name: string; kind: string }[];
  };
  Instance: new (module: object, imports: object, options?: object) => { exports: Record<string, unknown> };
  RuntimeError: new (...args: never[]) => Error;
  Global: new (descriptor: { value: string; mutable?: boolean }, value?: unknown) => object;
  /** Exception handling's JS API: absent from wasmrun until it has exceptions. */
  Tag?: new (type: { parameters: string[] }) => object;
  Exception?: new (tag: object, payload: unknown[]) => FuzzException;
  JSTag?: object;
}

interface FuzzException {
  is(tag: object): boolean;
  getArg(tag: object, index: number): unknown;
}

/** What a module did on one engine; two engines agree when these are deep-equal. */
export interface Outcome {
  /** "ok", or the kind of error compiling threw. */
  compile: string;
  /** The first line of a CompileError's message (not compared: engines word them differently). */
  compileMessage?: string;
  /** "ok", or the kind of error instantiating threw (a trap in the start function, a link error). */
  instantiate?: string;
  /** In order: `log …` lines from the imports and `call NAME -> …` lines from the exports. */
  events: string[];
  /** Exported globals' final values. */
  globals?: string[];
  /** `pages:fnv1a` of each exported memory at the end (space-separated). */
  memory?: string;
  /** Each exported table at the end: its length and its elements (null, funcref, …). */
  tables?: string[];
  /** Set when our engine stopped on its fuel or time budget: nothing to compare then. */
  exhausted?: boolean;
}

/** wasmrun stops on fuel or time; the hang limits keep honest calls far below either. The interpreter: */
export const GUARD_OPTIONS = { fuel: 50_000_000, timeoutMs: 10_000, jit: false };
/**
 * The same budget on the JS tier, with every function compiled to JS at its first call (`tierUp:
 * 0`): with the default, a function called a few times, as nearly all generated ones are, would
 * stay on the interpreter.
 */
export const JS_TIER_OPTIONS = { fuel: 50_000_000, timeoutMs: 10_000, tierUp: 0 };
/** The default engine: functions and loops move to the JS tier once hot (tier-up, on-stack replacement). */
export const TIERED_OPTIONS = { fuel: 50_000_000, timeoutMs: 10_000 };

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
  if (isRefType(t)) return null; // every reference type (anyref would take 0 as an i31)
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

/** What the imports need of the instance they are linked into, set once it exists. */
interface LinkState {
  exports: Record<string, unknown>;
  /** Every export in the module's order (binaryen's call-export takes an index into it). */
  exportList: { name: string; value: unknown }[];
  /** `fuzzing-support`'s `wasmtag` (param i32), which `throw` uses for a nonzero argument. */
  wasmTag?: object;
}

const JS_VALUE_TYPE: Partial<Record<ValType, string>> = {
  [ValType.I32]: "i32",
  [ValType.I64]: "i64",
  [ValType.F32]: "f32",
  [ValType.F64]: "f64",
  [ValType.FuncRef]: "anyfunc",
  [ValType.ExternRef]: "externref",
};

/** The value an imported global of type `t` is given: the same on every engine. */
function importedGlobalValue(t: ValType): unknown {
  if (t === ValType.I64) return 7n;
  if (t === ValType.I32 || t === ValType.F32 || t === ValType.F64) return 7;
  if (!isRefType(t)) return null;
  // binaryen's GC modules import non-null `(ref extern)` globals (`__fuzz_import`): a string for
  // any extern type, an i31 (a small number) for any, eq and i31; null for the rest.
  const heap = heapOf(t);
  if (heap === HeapType.Extern) return "extern";
  if (heap === HeapType.Any || heap === HeapType.Eq || heap === HeapType.I31) return 7;
  return null;
}

/**
 * The imports of a fuzz module: emscripten's tempRet0 pair and binaryen's `fuzzing-support`
 * module as its fuzz_shell.js defines it — logging functions that record; `throw` (a JS Error for
 * 0, else a wasm exception of `wasmtag`); `call-export`/`call-ref` (call an export, or a funcref,
 * with nulls for arguments; flag 1: through a catch that rethrows) and their `-catch` forms (1 if
 * the call threw anything but a trap); `table-get`/`table-set` on the exported `table`; `sleep`
 * (returns its id); the `wasmtag` and `jstag` tags. Other imported globals get fixed values.
 */
function makeImports(
  engine: FuzzEngine,
  module: object,
  info: ModuleInfo | undefined,
  events: string[],
  link: LinkState,
): Record<string, Record<string, unknown>> {
  let tempRet0 = 0;
  const callFunc = (func: unknown) => {
    const f = func as (...args: unknown[]) => unknown;
    return f.apply(null, new Array(f.length).fill(null));
  };
  const tryCall = (fn: () => unknown, rethrow = false): number => {
    try {
      fn();
      return 0;
    } catch (e) {
      // Traps and host limits are not caught (a stack overflow is a RangeError on V8).
      if (e instanceof engine.RuntimeError || e instanceof RangeError) throw e;
      let text = "";
      try {
        text = String(e);
      } catch { /* an object without a string form */ }
      if (text.includes("call stack") || text.includes("out of memory")) throw e;
      if (rethrow) throw e;
      return 1;
    }
  };
  const toAddress = (table: { length: unknown }, index: number) =>
    typeof table.length === "bigint" ? BigInt(index >>> 0) : index >>> 0;
  const table = () =>
    link.exports.table as { length: unknown; get(i: unknown): unknown; set(i: unknown, v: unknown): void };
  const support: Record<string, unknown> = {
    "throw": (which: number) => {
      if (!which) throw new Error("js exception");
      if (!engine.Exception || !link.wasmTag) throw new Error("no exceptions");
      throw new engine.Exception(link.wasmTag, [which]);
    },
    "table-get": (index: number) => table().get(toAddress(table(), index)),
    "table-set": (index: number, value: unknown) => table().set(toAddress(table(), index), value),
    "call-export": (index: number, flags: number) => {
      const f = () => callFunc(link.exportList[index]?.value);
      if (flags & 1) tryCall(f, true);
      else f();
    },
    "call-export-catch": (index: number) => tryCall(() => callFunc(link.exportList[index]?.value)),
    "call-ref": (ref: unknown, flags: number) => {
      if (flags & 1) tryCall(() => callFunc(ref), true);
      else callFunc(ref);
    },
    "call-ref-catch": (ref: unknown) => tryCall(() => callFunc(ref)),
    "sleep": (_ms: number, id: number) => id,
  };
  const imports: Record<string, Record<string, unknown>> = {};
  const descs = info?.imports;
  engine.Module.imports(module).forEach((imp, i) => {
    let value: unknown;
    if (imp.kind === "function") {
      if (imp.name === "setTempRet0") value = (x: number) => void (tempRet0 = x);
      else if (imp.name === "getTempRet0") value = () => tempRet0;
      else if (imp.module === "fuzzing-support" && imp.name in support) value = support[imp.name];
      else {value = (...args: unknown[]) =>
          void events.push(`log ${imp.name} ${args.map(formatValue).join(" ")}`);}
    } else if (imp.kind === "tag") {
      if (!engine.Tag) return;
      if (imp.name === "jstag") value = engine.JSTag;
      else if (imp.name === "wasmtag") value = link.wasmTag ??= new engine.Tag({ parameters: ["i32"] });
      else return;
    } else if (imp.kind === "global") {
      const desc = descs?.[i]?.desc;
      if (desc?.kind !== ExternKind.Global) return;
      const init = importedGlobalValue(desc.type.type);
      const name = JS_VALUE_TYPE[desc.type.type];
      if (desc.type.mutable) {
        if (!name) return;
        value = new engine.Global({ value: name, mutable: true }, init);
      } else value = init;
    } else return;
    (imports[imp.module] ??= {})[imp.name] = value;
  });
  return imports;
}

function isExhaustion(kind: ErrorKind): boolean {
  return kind === "trap:fuel" || kind === "trap:timeout";
}

/** An error as a comparable string: a wasm exception with its tag and payload, when known. */
function describeThrown(engine: FuzzEngine, err: unknown, link: LinkState, info: ModuleInfo): string {
  if (engine.Exception && err instanceof engine.Exception) {
    const tags: [string, object, number][] = [];
    if (link.wasmTag) tags.push(["wasmtag", link.wasmTag, 1]);
    for (const e of info.exports) {
      if (e.kind !== ExternKind.Tag) continue;
      const type = info.types[info.tags[e.index]];
      tags.push([e.name, link.exports[e.name] as object, type?.params.length ?? 0]);
    }
    for (const [name, tag, arity] of tags) {
      if (!err.is(tag)) continue;
      const args: string[] = [];
      for (let i = 0; i < arity; i++) {
        try {
          args.push(formatValue(err.getArg(tag, i)));
        } catch (e) {
          args.push(describeError(e));
        }
      }
      return `exception ${name}(${args.join(", ")})`;
    }
    return "exception (a tag not exported)";
  }
  return describeError(err);
}

export function runModule(engine: FuzzEngine, bytes: Uint8Array, options?: object): Outcome {
  const events: string[] = [];
  const outcome: Outcome = { compile: "ok", events };
  let module: object;
  try {
    module = new engine.Module(bytes, options);
  } catch (err) {
    outcome.compile = describeError(err);
    if (outcome.compile === "CompileError") {
      outcome.compileMessage = String((err as Error).message).split("\n")[0];
    }
    return outcome;
  }
  let info: ModuleInfo | undefined;
  try {
    info = decodeModule(bytes);
  } catch {
    // wasmrun's decoder finds signatures; on a module only V8 accepts, noted after instantiation.
  }
  const link: LinkState = { exports: {}, exportList: [] };
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new engine.Instance(module, makeImports(engine, module, info, events, link), options);
    outcome.instantiate = "ok";
  } catch (err) {
    outcome.instantiate = describeError(err);
    if (isExhaustion(outcome.instantiate)) outcome.exhausted = true;
    return outcome;
  }
  if (!info) {
    events.push("harness: wasmrun cannot decode the module");
    return outcome;
  }
  const exports = instance.exports;
  link.exports = exports;
  link.exportList = info.exports.map((e) => ({ name: e.name, value: exports[e.name] }));
  const typeOf = (index: number): FuncType => info.types[info.funcTypeIndices[index]];
  const resetHangLimit = exports.hangLimitInitializer as (() => void) | undefined;
  /** Calls an export and records the result; false when our engine ran out of budget. */
  const call = (name: string, args: unknown[], label: string): boolean => {
    try {
      if (typeof resetHangLimit === "function") resetHangLimit();
      const result = (exports[name] as (...args: unknown[]) => unknown)(...args);
      events.push(`call ${label} -> ${formatValue(result)}`);
    } catch (err) {
      const kind = describeThrown(engine, err, link, info);
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
  outcome.globals = info.exports.filter((e) => e.kind === ExternKind.Global).map((e) => {
    let value: string;
    try {
      value = formatValue((exports[e.name] as { value: unknown }).value);
    } catch (err) {
      value = describeError(err); // a v128 or exnref global: not readable from JS
    }
    return `${e.name}=${value}`;
  });
  // Every exported memory (multiple memories), then every exported table's contents.
  const memories = info.exports.filter((e) => e.kind === ExternKind.Memory).map((e) => {
    const buffer = (exports[e.name] as { buffer: ArrayBuffer }).buffer;
    return `${buffer.byteLength / 65536}:${fnv1a(new Uint8Array(buffer))}`;
  });
  if (memories.length > 0) outcome.memory = memories.join(" ");
  const tables = info.exports.filter((e) => e.kind === ExternKind.Table).map((e) => {
    const t = exports[e.name] as { length: number | bigint; get(i: number | bigint): unknown };
    const n = Number(t.length), items: string[] = [];
    for (let i = 0; i < Math.min(n, 1000); i++) {
      try {
        items.push(formatValue(t.get(typeof t.length === "bigint" ? BigInt(i) : i)));
      } catch (err) {
        items.push(describeError(err)); // exnref elements cannot be read from JS
      }
    }
    return `${e.name}[${formatValue(t.length)}]=${items.join(",")}`;
  });
  if (tables.length > 0) outcome.tables = tables;
  return outcome;
}
