/**
 * TEMPORARY: the engine the command line runs modules on, until wasmrun's own engine is switched in
 * (then this file goes away and cli.ts imports `{ WebAssembly as Engine }` from "./mod.ts").
 */
export const Engine = globalThis.WebAssembly;
