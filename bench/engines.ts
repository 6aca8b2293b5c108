/**
 * The engines the benchmark compares: V8 (Deno's built-in WebAssembly) and wasmrun (the
 * `WebAssembly` namespace exported by ../mod.ts). Both are used through the same small slice of
 * the JS API, so every measurement runs identical code apart from the engine.
 */

/**
 * Extra argument to `new WebAssembly.Module(bytes, options)` understood by wasmrun.
 * `lowering: "eager"` asks the engine to lower every function at compile time instead of on
 * first call; V8 ignores unknown options.
 */
export interface ModuleOptions {
  lowering?: "eager" | "lazy";
}

/** The part of the WebAssembly JS API the benchmarks use. */
export interface WasmApi {
  Module: new (bytes: Uint8Array, options?: ModuleOptions) => object;
  Instance: new (module: object, imports?: Record<string, Record<string, unknown>>, options?: object) => {
    exports: Record<string, unknown>;
  };
}

/**
 * "wasmrun" is the default engine (functions compiled to JS); "interpreter" is wasmrun with
 * `jit: false` (the threaded-code interpreter alone); "fuel" is wasmrun with a (never reached) fuel
 * budget: against "wasmrun" it measures what metering costs.
 */
export type EngineName = "v8" | "wasmrun" | "interpreter" | "fuel";

export interface Engine {
  name: EngineName;
  api: WasmApi;
  /** Extra argument for `new Instance` (wasmrun's options). */
  instanceOptions?: object;
}

/** The fuel budget of the "fuel" engine: large enough never to run out. */
export const FUEL_BUDGET = 1e15;

/** Engine selections accepted by `--engine`. */
export const ENGINE_CHOICES = ["both", "v8", "wasmrun"] as const;
export type EngineChoice = typeof ENGINE_CHOICES[number];

export class EngineLoadError extends Error {}

export function v8Engine(): Engine {
  return { name: "v8", api: globalThis.WebAssembly as unknown as WasmApi };
}

/**
 * Imports ../mod.ts at run time (a dynamic import, so this file still type-checks and V8-only
 * runs still work while the engine does not exist) and returns its `WebAssembly` namespace.
 */
export async function wasmrunEngine(): Promise<Engine> {
  const url = new URL("../mod.ts", import.meta.url).href;
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (err) {
    throw new EngineLoadError(`cannot import the wasmrun engine from ${url}: ${errorText(err)}`);
  }
  const api = mod.WebAssembly as Partial<WasmApi> | undefined;
  if (typeof api?.Module !== "function" || typeof api?.Instance !== "function") {
    throw new EngineLoadError(`${url} does not export a \`WebAssembly\` namespace with Module and Instance`);
  }
  return { name: "wasmrun", api: api as WasmApi };
}

export async function loadEngines(choice: EngineChoice): Promise<Engine[]> {
  const engines: Engine[] = [];
  if (choice !== "wasmrun") engines.push(v8Engine());
  if (choice !== "v8") {
    const wasmrun = await wasmrunEngine();
    engines.push(
      wasmrun,
      { name: "interpreter", api: wasmrun.api, instanceOptions: { jit: false } },
      { name: "fuel", api: wasmrun.api, instanceOptions: { fuel: FUEL_BUDGET } },
    );
  }
  return engines;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
