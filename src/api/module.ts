/** The JS API's `Module`: decoded and validated bytes, ready to instantiate any number of times. */
import { CompileError } from "../wasm/errors.ts";
import { decodeModule } from "../wasm/decoder.ts";
import { validateModule } from "../wasm/validator.ts";
import { ExternKind, type ModuleInfo } from "../wasm/types.ts";
import type { EngineOptions } from "../runtime/objects.ts";
import { applyCompileOptions, isProvidedImport, type WebAssemblyCompileOptions } from "./compile_options.ts";

const KIND_NAMES = ["function", "table", "memory", "global", "tag"] as const;

/** What `Module.imports` lists for each import. */
export interface ModuleImportDescriptor {
  /** First level of the import name: the key in the import object (e.g. "env"). */
  module: string;
  /** Second level of the import name: the key inside `importObject[module]`. */
  name: string;
  /** What sort of value the import must supply. */
  kind: "function" | "table" | "memory" | "global" | "tag";
}

/** What `Module.exports` lists for each export. */
export interface ModuleExportDescriptor {
  /** The key the export appears under in `instance.exports`. */
  name: string;
  /** What sort of value the export is. */
  kind: "function" | "table" | "memory" | "global" | "tag";
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

/**
 * A bug of wasmrun's, not a problem of the module: an exception the decoder or validator did not
 * throw on purpose (a `TypeError`, a `RangeError`, …) while compiling. It is never relabelled as a
 * `CompileError`, so neither a caller nor a test can take it for a refusal of bad bytes; the
 * original exception is its `cause`.
 */
export class InternalError extends Error {
  /** `cause` is what was thrown; `during` says what the engine was doing. */
  constructor(during: string, cause: unknown) {
    super(
      `wasmrun internal error while ${during}: ${describeCause(cause)} ` +
        "(a bug in wasmrun, not in the module: please report it, with the module)",
      { cause },
    );
    this.name = "InternalError";
  }
}

function describeCause(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split("\n")[0]}`;
  try {
    return `non-Error thrown: ${String(e)}`;
  } catch {
    return "non-Error thrown";
  }
}

/**
 * Decodes and validates. Bad bytes raise a `CompileError`: only the ones the decoder, reader and
 * validator throw on purpose (always the `CompileError` class itself), passed on unchanged. Any other
 * exception is a bug of ours and raises an `InternalError` carrying it as `cause`.
 */
export function compileInfo(bytes: Uint8Array): ModuleInfo {
  try {
    const info = decodeModule(bytes);
    validateModule(info);
    return info;
  } catch (e) {
    if (e instanceof CompileError) throw e;
    throw new InternalError("compiling a module", e);
  }
}

/** A compiled WebAssembly module. */
export class Module {
  /**
   * Decodes and validates `bytes`. `options` (a wasmrun extension, see `EngineOptions`: fuel, timeoutMs,
   * maxMemoryPages, maxCallDepth, profile, lowering, jit) applies to every instance of the module;
   * the JS API's compile options (`builtins`, `importedStringConstants`) go in the same object.
   */
  constructor(bytes: BufferSource, options?: EngineOptions & WebAssemblyCompileOptions) {
    const info = compileInfo(bytesOf(bytes));
    applyCompileOptions(info, options);
    infos.set(this, info);
    if (options) moduleOptions.set(this, options);
  }

  /** The module's imports, in order (but those the engine provides: builtins, string constants). */
  static imports(module: Module): ModuleImportDescriptor[] {
    const info = moduleInfo(module);
    return info.imports.filter((_, k) => !isProvidedImport(info, k)).map((i) => ({
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
    // As the built-in: the name is required (undefined too); anything else is converted to a string.
    if (name === undefined) {
      throw new TypeError("WebAssembly.Module.customSections(): Argument 1 is required");
    }
    const wanted = String(name);
    return info.customs.filter((c) => c.name === wanted).map((c) => info.bytes.slice(c.start, c.end).buffer);
  }
}

export { ExternKind };

Object.defineProperty(Module.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Module",
  configurable: true,
});
