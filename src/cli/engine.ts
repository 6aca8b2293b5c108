/**
 * The part of the WebAssembly JS API the command line needs, so it runs on wasmrun's engine and
 * on the built-in one alike. Errors are told apart by `name` ("CompileError", "LinkError",
 * "RuntimeError"), never by instanceof, for the same reason.
 */

/** What `WebAssembly.Module.imports()` lists. */
export interface ImportDescriptor {
  /** The import's module name. */
  module: string;
  /** The import's field name. */
  name: string;
  /** "function", "table", "memory" or "global". */
  kind: string;
}

/** What `WebAssembly.Module.exports()` lists. */
export interface ExportDescriptor {
  /** The export's name. */
  name: string;
  /** "function", "table", "memory" or "global". */
  kind: string;
}

/** The subset of the `WebAssembly` namespace the command line uses. */
export interface EngineLike {
  /** Compiles bytes synchronously; lists a module's imports and exports. */
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): ImportDescriptor[];
    exports(module: object): ExportDescriptor[];
  };
  /**
   * Instantiates a compiled module synchronously (running its start function). `options` are
   * wasmrun's engine options (fuel, timeoutMs, maxMemoryPages, maxCallDepth, profile); the
   * built-in engine ignores them.
   */
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
    options?: EngineLimits,
  ) => {
    exports: Record<string, unknown>;
  };
  /** wasmrun's per-function profile of an instance created with `profile: true`, if the engine has one. */
  profileOf?: (instance: object) => ProfileEntry[] | undefined;
  /** When the running call's timeout ends (`performance.now()` time), if the engine has timeouts. */
  currentDeadline?: () => number;
  /** Reads a compile cache in `dir` for `module` (wasmrun's `loadCompiledCode`), if the engine has one. */
  loadCompiledCode?: (module: object, dir: string) => Promise<number>;
  /** Writes `module`'s compiled code to the compile cache in `dir` (wasmrun's `saveCompiledCode`). */
  saveCompiledCode?: (module: object, dir: string) => boolean;
}

/** The engine options the command line sets (see wasmrun's EngineOptions). */
export interface EngineLimits {
  /** Budget of executed work; the guest traps with "fuel exhausted" when it runs out. */
  fuel?: number;
  /** Wall-clock limit of a call into the guest, in milliseconds. */
  timeoutMs?: number;
  /** Cap on a memory's size in 64 KiB pages. */
  maxMemoryPages?: number;
  /** Maximum wasm call depth. */
  maxCallDepth?: number;
  /** Count executed operations per function. */
  profile?: boolean;
  /** false: the threaded-code interpreter only, no compilation to JS. */
  jit?: boolean;
  /** Interpreted work before a function is compiled to JS (0: at its first call). */
  tierUp?: number;
}

/** One function of a profile: how many lowered operations it executed. */
export interface ProfileEntry {
  /** The function's name from the name section, or "" when it has none. */
  name: string;
  /** Its index in the function index space. */
  index: number;
  /** Operations executed in it. */
  ops: number;
}

/**
 * wasmrun's `WebAssembly` namespace plus the extensions mod.ts exports beside it (profileOf,
 * currentDeadline, the compile cache), taken only when present so the command line works with an engine that lacks them.
 */
export function withExtensions(namespace: object, mod: Record<string, unknown>): EngineLike {
  const { profileOf, currentDeadline, loadCompiledCode, saveCompiledCode } = mod;
  const present = <T>(f: unknown) => typeof f === "function" ? f as T : undefined;
  return {
    ...(namespace as EngineLike),
    profileOf: present<EngineLike["profileOf"]>(profileOf),
    currentDeadline: present<() => number>(currentDeadline),
    loadCompiledCode: present<EngineLike["loadCompiledCode"]>(loadCompiledCode),
    saveCompiledCode: present<EngineLike["saveCompiledCode"]>(saveCompiledCode),
  };
}

/** One frame of a trap's backtrace, as wasmrun's engine attaches them to a RuntimeError. */
export interface WasmFrame {
  index: number;
  name?: string;
  offset?: number;
}

export function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown })?.name;
  return typeof name === "string" ? name : undefined;
}

export function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown })?.message;
  return typeof message === "string" ? message : String(err);
}
