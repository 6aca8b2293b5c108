/** The WebAssembly text format: `parseWat` (a module) and `parseWast` (a spec script). */

export { parseWat, type ParseWatOptions } from "./parse.ts";
export { parseWast } from "./wast.ts";
export type * from "./wast_types.ts";
