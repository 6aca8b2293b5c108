/** The JS API's `Instance`: import resolution from a JS object, exports as JS values. */
import { LinkError } from "../wasm/errors.ts";
import { ExternKind, type GlobalType, type Limits, ValType } from "../wasm/types.ts";
import {
  type EngineOptions,
  GlobalInst,
  type InstanceState,
  MemoryInst,
  signatureIds,
  TableInst,
} from "../runtime/objects.ts";
import { HostFunc } from "../runtime/boundary.ts";
import { type ExternValue, instantiateModule } from "../engine/instantiate.ts";
import { funcOfJs, wrapFunction } from "../runtime/boundary.ts";
import { internalOf, wrapGlobal, wrapMemory, wrapTable } from "./objects.ts";
import { type Module, moduleInfo, moduleOptionsOf } from "./module.ts";
import { writeGlobal } from "./values.ts";
import { Tag, tagSigId } from "../runtime/exceptions.ts";
import { matchesAcross, sigMatches } from "../wasm/type_canon.ts";
import { suspendingFunction } from "../runtime/jspi.ts";
import { foreignGlobal, foreignMemory, foreignRefusal } from "./foreign.ts";
import { allImportsProvided, providedImport } from "./compile_options.ts";

function limitsMatch(actualMin: number, actualMax: number | undefined, wanted: Limits): boolean {
  if (actualMin < wanted.min) return false;
  if (wanted.max === undefined) return true;
  return actualMax !== undefined && actualMax <= wanted.max;
}

function resolveGlobal(
  value: unknown,
  type: GlobalType,
  where: string,
  sigIds: readonly number[],
): GlobalInst {
  const inner = internalOf(value);
  if (inner instanceof GlobalInst) {
    // A mutable global's type must be the same; an immutable one's may be a subtype.
    const fits = matchesAcross(inner.type, inner.sigIds, type.type, sigIds, type.mutable);
    if (!fits || inner.mutable !== type.mutable) {
      throw new LinkError(`${where}: imported global does not match the expected type`);
    }
    return inner;
  }
  const adopted = foreignGlobal(value, type, where); // a built-in WebAssembly.Global
  if (adopted !== undefined) return adopted;
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
  g.sigIds = sigIds; // a (ref $t) global's value is checked against the importing module's $t
  writeGlobal(g, value);
  return g;
}

/** Resolves every import of `module` from `importObject`, checking kinds and types. */
function resolveImports(module: Module, importObject: unknown): ExternValue[] {
  const info = moduleInfo(module);
  const needed = info.imports.length > 0 && !allImportsProvided(info);
  if (needed && (typeof importObject !== "object" || importObject === null)) {
    throw new TypeError("the module has imports, but no import object was given");
  }
  const ns = importObject as Record<string, unknown>;
  const sigIds = signatureIds(info);
  return info.imports.map((imp, k) => {
    const builtin = providedImport(info, k, sigIds); // a builtin or string constant: never looked up
    if (builtin !== undefined) return builtin;
    const table = ns[imp.module];
    const where = () => `import "${imp.module}" "${imp.name}"`; // only for errors: no string per import
    if (typeof table !== "object" && typeof table !== "function" || table === null) {
      throw new TypeError(`${where()}: module "${imp.module}" is not an object in the import object`);
    }
    const value = (table as Record<string, unknown>)[imp.name];
    const desc = imp.desc;
    switch (desc.kind) {
      case ExternKind.Func: {
        const suspending = suspendingFunction(value); // WebAssembly.Suspending (JSPI)
        if (suspending !== undefined) {
          const host = new HostFunc(info.types[desc.typeIndex], sigIds[desc.typeIndex], suspending, sigIds);
          host.suspending = true;
          return host;
        }
        if (typeof value !== "function") throw new LinkError(`${where()}: expected a function`);
        const type = info.types[desc.typeIndex];
        const known = funcOfJs.get(value);
        if (known) {
          if (!sigMatches(known.sigId, sigIds[desc.typeIndex])) {
            throw new LinkError(`${where()}: imported function does not match the expected type`);
          }
          return known;
        }
        return new HostFunc(type, sigIds[desc.typeIndex], value as (...args: unknown[]) => unknown, sigIds);
      }
      case ExternKind.Global:
        return resolveGlobal(value, desc.type, where(), sigIds);
      case ExternKind.Tag: {
        if (!Tag.is(value)) {
          throw foreignRefusal(value, where()) ?? new LinkError(`${where()}: expected a WebAssembly.Tag`);
        }
        if (tagSigId(value) !== sigIds[desc.typeIndex]) {
          throw new LinkError(`${where()}: incompatible import type (the tag's type differs)`);
        }
        return value;
      }
      case ExternKind.Memory: {
        const mem = internalOf(value);
        if (!(mem instanceof MemoryInst)) {
          // A built-in WebAssembly.Memory is shared (V8 judges its type); anything else is refused.
          const adopted = foreignMemory(value, desc.type, where());
          if (adopted === undefined) throw new LinkError(`${where()}: expected a WebAssembly.Memory`);
          return adopted;
        }
        if (mem.address64 !== (desc.type.limits.address64 === true)) {
          throw new LinkError(`${where()}: incompatible import type (the memory's address type differs)`);
        }
        if (!limitsMatch(mem.pages, mem.max, desc.type.limits)) {
          throw new LinkError(`${where()}: memory limits do not match`);
        }
        return mem;
      }
      case ExternKind.Table: {
        const t = internalOf(value);
        if (!(t instanceof TableInst)) {
          throw foreignRefusal(value, where()) ?? new LinkError(`${where()}: expected a WebAssembly.Table`);
        }
        if (t.address64 !== (desc.type.limits.address64 === true)) {
          throw new LinkError(`${where()}: incompatible import type (the table's address type differs)`);
        }
        const fits = matchesAcross(t.elemType, t.sigIds, desc.type.elem, sigIds, true);
        if (!fits || !limitsMatch(t.size, t.max, desc.type.limits)) {
          throw new LinkError(`${where()}: table type does not match`);
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
   * extension, see `EngineOptions`) override the module's, one by one.
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
          exports[e.name] = wrapFunction(inst.func(e.index));
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
        case ExternKind.Tag:
          exports[e.name] = inst.tags[e.index];
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
