/** The JS API's `Instance`: import resolution from a JS object, exports as JS values. */
import { LinkError } from "../wasm/errors.ts";
import { ExternKind, type FuncType, type GlobalType, type Limits, ValType } from "../wasm/types.ts";
import { engineError, execute } from "../interp/exec.ts";
import { I32, machine, STACK_SLOTS } from "../runtime/machine.ts";
import {
  type EngineOptions,
  type FuncInst,
  GlobalInst,
  HostFunc,
  type InstanceState,
  MemoryInst,
  signatureId,
  TableInst,
  trap,
  WasmFunc,
} from "../runtime/objects.ts";
import { type ExternValue, instantiateModule } from "../interp/instantiate.ts";
import { exporter, funcOfJs, slotToJs, storeSlot, toWasmValue } from "../runtime/values.ts";
import { callHost, HostThrow } from "../runtime/host_call.ts";
import { internalOf, wrapGlobal, wrapMemory, wrapTable } from "./objects.ts";
import { type Module, moduleInfo, moduleOptionsOf } from "./module.ts";
import { writeGlobal } from "./values.ts";

function hasV128(type: FuncType): boolean {
  return type.params.includes(ValType.V128) || type.results.includes(ValType.V128);
}

/**
 * Makes the JS function that calls `f` (once per function instance, so identity is stable).
 *
 * Every argument is converted (ToWebAssemblyValue, which may run user code: valueOf, BigInt
 * conversions) before anything is written to the value stack, and the frame is placed at
 * `machine.top` only then: a conversion that calls into wasm again finds `top` above every live
 * frame and leaves it there when it returns. Up to three parameters need no allocation.
 */
function wrapFunction(f: FuncInst): (...args: unknown[]) => unknown {
  if (f.jsFunction) return f.jsFunction;
  const { params, results } = f.type;
  const room = Math.max(params.length, results.length) + 1;
  const wasm = f instanceof WasmFunc ? f : null;
  const host = f instanceof HostFunc ? f : null;
  /** Runs `f` with its arguments written at `slot`; returns its results as JS values. */
  const run = (slot: number): unknown => {
    try {
      if (wasm === null) callHost(host!, slot);
      else {
        const meter = wasm.inst.meter;
        if (meter === null) execute(wasm, slot);
        else {
          meter.enter();
          try {
            execute(wasm, slot);
          } finally {
            meter.leave();
          }
        }
      }
    } catch (e) {
      // Back in JS: a host's thrown value is rethrown as it was; anything else is our own error.
      throw HostThrow.is(e) ? e.value : engineError(e);
    }
    if (results.length === 0) return undefined;
    if (results.length === 1) return slotToJs(results[0], slot);
    return results.map((t, i) => slotToJs(t, slot + i));
  };
  /** Where the frame goes, once the arguments are converted. */
  const frame = (): number => {
    const slot = machine.top;
    if (slot + room > STACK_SLOTS) trap("call stack exhausted");
    return slot;
  };
  const [t0, t1, t2] = params;
  let call: (...args: unknown[]) => unknown;
  if (hasV128(f.type)) {
    call = () => {
      throw new TypeError("a function with v128 in its signature cannot be called from JS");
    };
  } else {
    switch (params.length) {
      case 0:
        call = function () {
          return run(frame());
        };
        break;
      case 1:
        call = function (a: unknown) {
          const x = toWasmValue(t0, a);
          const slot = frame();
          storeSlot(t0, x, slot);
          return run(slot);
        };
        break;
      case 2:
        call = function (a: unknown, b: unknown) {
          const x = toWasmValue(t0, a), y = toWasmValue(t1, b);
          const slot = frame();
          storeSlot(t0, x, slot), storeSlot(t1, y, slot + 1);
          return run(slot);
        };
        break;
      case 3:
        call = function (a: unknown, b: unknown, c: unknown) {
          const x = toWasmValue(t0, a), y = toWasmValue(t1, b), z = toWasmValue(t2, c);
          const slot = frame();
          storeSlot(t0, x, slot), storeSlot(t1, y, slot + 1), storeSlot(t2, z, slot + 2);
          return run(slot);
        };
        break;
      default:
        call = function (...args: unknown[]) {
          // converted in place: the rest array is this call's own
          for (let i = 0; i < params.length; i++) {
            const t = params[i]; // i32 inline: loops do not inline the generic conversions
            args[i] = t === ValType.I32 ? +(args[i] as number) : toWasmValue(t, args[i]);
          }
          const slot = frame();
          for (let i = 0; i < params.length; i++) {
            const t = params[i];
            if (t === ValType.I32) I32[2 * (slot + i)] = args[i] as number;
            else storeSlot(t, args[i], slot + i);
          }
          return run(slot);
        };
    }
  }
  const index = f instanceof WasmFunc ? f.index : 0;
  Object.defineProperty(call, "name", { value: String(index) });
  Object.defineProperty(call, "length", { value: params.length });
  f.jsFunction = call;
  funcOfJs.set(call, f);
  return call;
}
exporter.wrap = wrapFunction;

function limitsMatch(actualMin: number, actualMax: number | undefined, wanted: Limits): boolean {
  if (actualMin < wanted.min) return false;
  if (wanted.max === undefined) return true;
  return actualMax !== undefined && actualMax <= wanted.max;
}

function sameType(a: FuncType, b: FuncType): boolean {
  return signatureId(a) === signatureId(b);
}

function resolveGlobal(value: unknown, type: GlobalType, where: string): GlobalInst {
  const inner = internalOf(value);
  if (inner instanceof GlobalInst) {
    if (inner.type !== type.type || inner.mutable !== type.mutable) {
      throw new LinkError(`${where}: imported global does not match the expected type`);
    }
    return inner;
  }
  if (type.mutable) {
    throw new LinkError(`${where}: a mutable global must be imported as a WebAssembly.Global`);
  }
  if (type.type === ValType.V128) throw new LinkError(`${where}: v128 globals cannot be imported from JS`);
  const isNumberType = type.type === ValType.I32 || type.type === ValType.F32 || type.type === ValType.F64;
  if (type.type === ValType.I64 && typeof value !== "bigint") {
    throw new LinkError(`${where}: an i64 global must be imported as a BigInt or WebAssembly.Global`);
  }
  if (isNumberType && typeof value !== "number") {
    throw new LinkError(`${where}: a global must be imported as a number or WebAssembly.Global`);
  }
  const g = new GlobalInst(type.type, false);
  writeGlobal(g, value);
  return g;
}

/** Resolves every import of `module` from `importObject`, checking kinds and types. */
function resolveImports(module: Module, importObject: unknown): ExternValue[] {
  const info = moduleInfo(module);
  if (info.imports.length > 0 && (typeof importObject !== "object" || importObject === null)) {
    throw new TypeError("the module has imports, but no import object was given");
  }
  const ns = importObject as Record<string, unknown>;
  return info.imports.map((imp) => {
    const where = `import "${imp.module}" "${imp.name}"`;
    const table = ns[imp.module];
    if (typeof table !== "object" && typeof table !== "function" || table === null) {
      throw new TypeError(`${where}: module "${imp.module}" is not an object in the import object`);
    }
    const value = (table as Record<string, unknown>)[imp.name];
    const desc = imp.desc;
    switch (desc.kind) {
      case ExternKind.Func: {
        if (typeof value !== "function") throw new LinkError(`${where}: expected a function`);
        const type = info.types[desc.typeIndex];
        const known = funcOfJs.get(value);
        if (known) {
          if (!sameType(known.type, type)) {
            throw new LinkError(`${where}: imported function does not match the expected type`);
          }
          return known;
        }
        return new HostFunc(type, signatureId(type), value as (...args: unknown[]) => unknown);
      }
      case ExternKind.Global:
        return resolveGlobal(value, desc.type, where);
      case ExternKind.Memory: {
        const mem = internalOf(value);
        if (!(mem instanceof MemoryInst)) throw new LinkError(`${where}: expected a WebAssembly.Memory`);
        if (!limitsMatch(mem.pages, mem.max, desc.type.limits)) {
          throw new LinkError(`${where}: memory limits do not match`);
        }
        return mem;
      }
      case ExternKind.Table: {
        const t = internalOf(value);
        if (!(t instanceof TableInst)) throw new LinkError(`${where}: expected a WebAssembly.Table`);
        if (t.elemType !== desc.type.elem || !limitsMatch(t.size, t.max, desc.type.limits)) {
          throw new LinkError(`${where}: table type does not match`);
        }
        return t;
      }
    }
  });
}

const states = new WeakMap<Instance, InstanceState>();

/**
 * Fuel used so far by `instance`, in instructions (see the `fuel` option); 0 when it was created
 * without `fuel`, `timeoutMs` or `profile`.
 */
export function fuelConsumed(instance: Instance): number {
  return states.get(instance)?.meter?.used ?? 0;
}

/** One function's share of the executed instructions, from `profileOf`. */
export interface FunctionProfile {
  /** Function index in the module. */
  index: number;
  /** Name from the name section, or `$index`. */
  name: string;
  /** Instructions executed (as fuel counts them). */
  ops: number;
}

/**
 * Executed instructions per function, most first, for an instance created with `profile: true`;
 * undefined otherwise.
 */
export function profileOf(instance: Instance): FunctionProfile[] | undefined {
  const state = states.get(instance);
  const counts = state?.meter?.perFunction;
  if (!state || !counts) return undefined;
  const names = state.module.names.functions;
  return [...counts].map(([index, ops]) => ({ index, name: names.get(index) ?? `$${index}`, ops }))
    .sort((a, b) => b.ops - a.ops);
}

/** An instantiated module: its exports are live functions, memories, tables and globals. */
export class Instance {
  /** The exported values, by name (a frozen object without prototype). */
  readonly exports: Record<string, unknown>;
  /**
   * Links `module` against `importObject` and runs its start function. `options` (a wasmrun
   * extension) overrides the module's: `maxCallDepth`, `lowering`.
   */
  constructor(module: Module, importObject?: object, options?: EngineOptions) {
    const info = moduleInfo(module);
    const opts = { ...moduleOptionsOf(module), ...options };
    const inst = instantiateModule(info, resolveImports(module, importObject), opts);
    states.set(this, inst);
    const exports: Record<string, unknown> = Object.create(null);
    for (const e of info.exports) {
      switch (e.kind) {
        case ExternKind.Func:
          exports[e.name] = wrapFunction(inst.funcs[e.index]);
          break;
        case ExternKind.Table:
          exports[e.name] = wrapTable(inst.tables[e.index]);
          break;
        case ExternKind.Memory:
          exports[e.name] = wrapMemory(inst.memories[e.index]);
          break;
        case ExternKind.Global:
          exports[e.name] = wrapGlobal(inst.globals[e.index]);
          break;
      }
    }
    this.exports = Object.freeze(exports);
  }
}

Object.defineProperty(Instance.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Instance",
  configurable: true,
});
