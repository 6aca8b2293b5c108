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
  /** Instantiates a compiled module synchronously (running its start function). */
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => {
    exports: Record<string, unknown>;
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
