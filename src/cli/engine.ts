/**
 * The part of the WebAssembly JS API the command line needs, so it runs on wasmrun's engine and
 * on the built-in one alike. Errors are told apart by `name` ("CompileError", "LinkError",
 * "RuntimeError"), never by instanceof, for the same reason.
 */

export interface ImportDescriptor {
  module: string;
  name: string;
  kind: string;
}

export interface ExportDescriptor {
  name: string;
  kind: string;
}

export interface EngineLike {
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): ImportDescriptor[];
    exports(module: object): ExportDescriptor[];
  };
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
