/** The compile cache on the API's `Module` (see engine/code_cache.ts). */
import { loadCompiledCode as load, saveCompiledCode as save } from "../engine/code_cache.ts";
import { type Module, moduleInfo } from "./module.ts";

/**
 * Reads JS code that an earlier run generated for `module`'s hot functions from the compile cache in
 * `dir` (the command line's default: `wasmrun` in Deno's cache directory). Those functions then run
 * compiled from their first call. Resolves to how many functions got code; a missing or damaged
 * cache is 0, not an error. The cache holds executable code: use a directory only you can write.
 */
export function loadCompiledCode(module: Module, dir: string): Promise<number> {
  return load(moduleInfo(module), dir);
}

/**
 * Writes the JS code generated for `module` (read back or compiled in this run) to the compile cache
 * in `dir`, when this run compiled something the cache did not hold. Returns whether it wrote. When
 * it had nothing to add, it keeps V8's code cache of the file it read instead (once), so that later
 * runs need not parse that file.
 */
export function saveCompiledCode(module: Module, dir: string): boolean {
  return save(moduleInfo(module), dir);
}
