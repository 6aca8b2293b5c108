/** The JS API's `Module`: decoded and validated bytes, ready to instantiate any number of times. */
import { CompileError } from "../errors.ts";
import { decodeModule } from "../decoder.ts";
import { validateModule } from "../validator.ts";
import { ExternKind, type ModuleInfo } from "../types.ts";
import type { EngineOptions } from "../interp/runtime.ts";

const KIND_NAMES = ["function", "table", "memory", "global"] as const;

/** What `Module.imports` lists for each import. */
export interface ModuleImportDescriptor {
  /** First level of the import name: the key in the import object (e.g. "env"). */
  module: string;
  /** Second level of the import name: the key inside `importObject[module]`. */
  name: string;
  /** What sort of value the import must supply. */
  kind: "function" | "table" | "memory" | "global";
}

/** What `Module.exports` lists for each export. */
export interface ModuleExportDescriptor {
  /** The key the export appears under in `instance.exports`. */
  name: string;
  /** What sort of value the export is. */
  kind: "function" | "table" | "memory" | "global";
}

/** Bytes of a module, as the JS API accepts them. */
export type BufferSource = ArrayBuffer | ArrayBufferView;

/** Copies the bytes (the JS API snapshots them: later changes to the buffer do not matter). */
export function bytesOf(source: BufferSource): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
  }
  throw new TypeError("WebAssembly module bytes must be an ArrayBuffer or a typed array");
}

const infos = new WeakMap<Module, ModuleInfo>();
const moduleOptions = new WeakMap<Module, EngineOptions>();

/** @internal The decoded module behind a `Module`. */
export function moduleInfo(m: unknown): ModuleInfo {
  const info = m instanceof Module ? infos.get(m) : undefined;
  if (!info) throw new TypeError("argument is not a WebAssembly.Module");
  return info;
}

/** @internal The options a `Module` was compiled with. */
export function moduleOptionsOf(m: Module): EngineOptions {
  return moduleOptions.get(m) ?? {};
}

/** Decodes and validates; throws CompileError, never another error type, for bad bytes. */
export function compileInfo(bytes: Uint8Array): ModuleInfo {
  try {
    const info = decodeModule(bytes);
    validateModule(info);
    return info;
  } catch (e) {
    if (e instanceof CompileError) throw e;
    // A bug of ours must still surface as a compile failure of this module, with the cause kept.
    throw new CompileError(`internal error while compiling: ${(e as Error)?.message ?? e}`);
  }
}

/** A compiled WebAssembly module. */
export class Module {
  /**
   * Decodes and validates `bytes`. `options` (a wasmrun extension) applies to every instance:
   * `maxCallDepth`, and `lowering: "eager"` to lower all functions at instantiation.
   */
  constructor(bytes: BufferSource, options?: EngineOptions) {
    infos.set(this, compileInfo(bytesOf(bytes)));
    if (options) moduleOptions.set(this, options);
  }

  /** The module's imports, in order. */
  static imports(module: Module): ModuleImportDescriptor[] {
    return moduleInfo(module).imports.map((i) => ({
      module: i.module,
      name: i.name,
      kind: KIND_NAMES[i.desc.kind],
    }));
  }

  /** The module's exports, in order. */
  static exports(module: Module): ModuleExportDescriptor[] {
    return moduleInfo(module).exports.map((e) => ({ name: e.name, kind: KIND_NAMES[e.kind] }));
  }

  /** The contents of every custom section called `name`. */
  static customSections(module: Module, name: string): ArrayBuffer[] {
    const info = moduleInfo(module);
    const wanted = String(name);
    return info.customs.filter((c) => c.name === wanted).map((c) => info.bytes.slice(c.start, c.end).buffer);
  }
}

export { ExternKind };

Object.defineProperty(Module.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Module",
  configurable: true,
});
