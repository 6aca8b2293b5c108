/**
 * What the spec runners need of an engine: the part of the WebAssembly JS API they use (which
 * `globalThis.WebAssembly` and ours both fit), our text parser's entry points, and the `spectest` host
 * module every script may import, built from the engine under test.
 */
import { describeJs } from "./values.ts";

export type ErrorClass = abstract new (...args: never[]) => Error;

/** The part of the WebAssembly namespace the runner uses; `globalThis.WebAssembly` fits it. */
export interface WasmApi {
  // deno-lint-ignore no-explicit-any
  Module: new (bytes: any) => object;
  // deno-lint-ignore no-explicit-any
  Instance: new (module: any, imports?: any, options?: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => object;
  // deno-lint-ignore no-explicit-any
  Table: new (descriptor: any) => object;
  Global: new (
    descriptor: { value: "i32" | "i64" | "f32" | "f64"; mutable?: boolean },
    value?: unknown,
  ) => object;
  CompileError: ErrorClass;
  LinkError: ErrorClass;
  RuntimeError: ErrorClass;
  /** What an uncaught wasm exception is thrown as (`WebAssembly.Exception`), where the engine has it. */
  Exception?: ErrorClass | (abstract new (...args: never[]) => object);
  /** `WebAssembly.validate`, where the engine has it. */
  // deno-lint-ignore no-explicit-any
  validate?: (bytes: any) => boolean;
}

/** Our text parser, which makes the modules of `(module quote …)` when a command runs. */
export interface TextParser {
  parseWat(text: string): Uint8Array;
  /** What `parseWat` throws for malformed text. */
  CompileError: ErrorClass;
}

/** The `spectest` host module every spec file may import, built from the engine under test. */
export function makeSpectest(api: WasmApi): Record<string, unknown> {
  const spectest: Record<string, unknown> = {
    print: () => {},
    print_i32: (_: number) => {},
    print_i64: (_: bigint) => {},
    print_f32: (_: number) => {},
    print_f64: (_: number) => {},
    print_i32_f32: (_a: number, _b: number) => {},
    print_f64_f64: (_a: number, _b: number) => {},
    global_i32: new api.Global({ value: "i32", mutable: false }, 666),
    global_i64: new api.Global({ value: "i64", mutable: false }, 666n),
    global_f32: new api.Global({ value: "f32", mutable: false }, 666.6),
    global_f64: new api.Global({ value: "f64", mutable: false }, 666.6),
    table: new api.Table({ element: "anyfunc", initial: 10, maximum: 20 }),
    memory: new api.Memory({ initial: 1, maximum: 2 }),
  };
  // Wasm 3.0 (table64.wast): the same table with 64-bit indices. An engine without table64 refuses the
  // descriptor (or ignores `address`); the import then fails to link, which the test counts.
  try {
    spectest.table64 = new api.Table({ element: "anyfunc", initial: 10n, maximum: 20n, address: "i64" });
  } catch {
    // left out: importing it is a LinkError
  }
  return spectest;
}

/** An error in one line for reports: its class and message. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 200);
  return `non-Error thrown: ${describeJs(e)}`.slice(0, 200);
}
