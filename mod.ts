/**
 * wasmrun: a WebAssembly runtime written in TypeScript.
 *
 * The API mirrors the built-in `WebAssembly` namespace, so a script written for it runs unchanged:
 *
 * ```ts
 * import { WebAssembly } from "./mod.ts"; // jsr:@wasmrun/cli once the package is published
 * const { instance } = await WebAssembly.instantiate(bytes, imports);
 * ```
 *
 * Every constructor and `instantiate`/`compile` accept an optional extra argument of
 * {@link EngineOptions} (a wasmrun extension that the built-in API ignores), which also takes the
 * JS API's compile options (`builtins: ["js-string"]`, `importedStringConstants`).
 *
 * Run as the main module, this file is the `wasmrun` command line.
 *
 * @module
 */
import {
  compile,
  CompileError,
  compileStreaming,
  Exception,
  Global,
  Instance,
  instantiate,
  instantiateStreaming,
  JSTag,
  LinkError,
  Memory,
  Module,
  promising,
  RuntimeError,
  SuspendError,
  Suspending,
  Table,
  Tag,
  validate,
} from "./src/api/namespace.ts";

export {
  compile,
  CompileError,
  compileStreaming,
  Exception,
  Global,
  Instance,
  instantiate,
  instantiateStreaming,
  JSTag,
  LinkError,
  Memory,
  Module,
  promising,
  RuntimeError,
  SuspendError,
  Suspending,
  Table,
  Tag,
  validate,
};
export type { EngineOptions } from "./src/runtime/objects.ts";
export { fuelConsumed, profileOf } from "./src/api/instance.ts";
export { loadCompiledCode, saveCompiledCode } from "./src/api/code_cache.ts";
export { parseWat, type ParseWatOptions } from "./src/text/parse.ts";
export { type PrintOptions, printWat } from "./src/text/print.ts";
export { InternalError } from "./src/api/module.ts";
/**
 * `currentDeadline()`: the deadline (`performance.now()` ms) of the innermost running call from JS
 * of an instance created with `timeoutMs`, or Infinity; for host functions that block.
 */
export { currentDeadline } from "./src/runtime/objects.ts";
export type { FunctionProfile } from "./src/api/instance.ts";
export type { WasmFrame } from "./src/runtime/trap.ts";
export type { BufferSource, ModuleExportDescriptor, ModuleImportDescriptor } from "./src/api/module.ts";
export type { GlobalDescriptor, MemoryDescriptor, TableDescriptor } from "./src/api/objects.ts";
export type { ExceptionOptions, TagType, TagValueType } from "./src/runtime/exceptions.ts";
export type { ResponseSource, WebAssemblyInstantiatedSource } from "./src/api/namespace.ts";
export type { WebAssemblyCompileOptions } from "./src/api/compile_options.ts";
export { BufferSink, BytesSource, Errno, isWasiExit, WasiExit } from "./src/wasi/mod.ts";
import { WASI as WasiHost, type WASIOptions as HostOptions } from "./src/wasi/mod.ts";
import { currentDeadline as engineDeadline } from "./src/runtime/objects.ts";
/**
 * The WASI host on its own, for any engine (the built-in `WebAssembly` included): like `WASI`, but
 * without a deadline unless `deadline` gives one.
 */
export { WasiHost };

/**
 * The WASI preview1 host, shaped like node:wasi's `WASI` (see `WASIOptions` for what it adds). Its
 * blocking waits (poll_oneoff sleeps, reads of the process's stdin) end at the deadline of the running
 * wasmrun call (`timeoutMs`) unless `deadline` says otherwise.
 */
export class WASI extends WasiHost {
  /** Creates the host; `options` as node:wasi's, plus wasmrun's (preopen modes, permissions, backend…). */
  constructor(options: HostOptions = {}) {
    super({ ...options, deadline: options.deadline ?? engineDeadline });
  }
}
export type {
  Access,
  ByteSink,
  ByteSource,
  HostFunction,
  HostFunctions,
  InstanceLike,
  MemoryLike,
  PermissionGate,
  PermissionRefusal,
  PreopenOptions,
  StdinOption,
  StdoutOption,
  TraceScope,
  WASIOptions,
} from "./src/wasi/mod.ts";

/**
 * `api`, frozen, with the built-in namespace's `Symbol.toStringTag` (not enumerable, as there: spreading
 * or listing the namespace shows only the API).
 */
function namespaceObject<T extends object>(api: T): T & { readonly [Symbol.toStringTag]: "WebAssembly" } {
  Object.defineProperty(api, Symbol.toStringTag, { value: "WebAssembly", configurable: true });
  return Object.freeze(api) as T & { readonly [Symbol.toStringTag]: "WebAssembly" };
}

/** The whole API as one namespace object, shaped like the built-in `WebAssembly`. */
export const WebAssembly: {
  validate: typeof validate;
  compile: typeof compile;
  compileStreaming: typeof compileStreaming;
  instantiate: typeof instantiate;
  instantiateStreaming: typeof instantiateStreaming;
  Module: typeof Module;
  Instance: typeof Instance;
  Memory: typeof Memory;
  Table: typeof Table;
  Global: typeof Global;
  Tag: typeof Tag;
  Exception: typeof Exception;
  JSTag: Tag;
  Suspending: typeof Suspending;
  promising: typeof promising;
  SuspendError: typeof SuspendError;
  CompileError: typeof CompileError;
  LinkError: typeof LinkError;
  RuntimeError: typeof RuntimeError;
  readonly [Symbol.toStringTag]: "WebAssembly";
} = namespaceObject({
  validate,
  compile,
  compileStreaming,
  instantiate,
  instantiateStreaming,
  Module,
  Instance,
  Memory,
  Table,
  Global,
  Tag,
  Exception,
  JSTag,
  Suspending,
  promising,
  SuspendError,
  CompileError,
  LinkError,
  RuntimeError,
});

/**
 * Replaces `globalThis.WebAssembly` with wasmrun's namespace, for glue code (Emscripten's,
 * wasm-bindgen's) that reaches for the global; returns a function that puts the previous one back.
 */
export function install(): () => void {
  const previous = Object.getOwnPropertyDescriptor(globalThis, "WebAssembly");
  Object.defineProperty(globalThis, "WebAssembly", {
    value: WebAssembly,
    writable: true,
    configurable: true,
    enumerable: false, // as the built-in's
  });
  return () => {
    if (previous) Object.defineProperty(globalThis, "WebAssembly", previous);
    else delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
  };
}

if (import.meta.main) {
  const { main } = await import("./cli.ts");
  Deno.exit(await main(Deno.args));
}
