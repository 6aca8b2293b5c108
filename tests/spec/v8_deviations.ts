/**
 * Assertions Deno's V8 (15.0, Deno 2.9) is known to fail for a reason of its own, keyed "file:line" as the
 * runners' `knownDeviations` option takes them. They count as "known" for V8 only, whether they fail or
 * not in a run, so the pinned counts do not depend on them; each has its reason.
 */

/**
 * Wasm 2.0 assertions that Wasm 3.0 reverses: modules 2.0 rejects and 3.0 accepts, with several memories
 * (multi-memory, which also turns the memory.grow/size zero byte into an index) and global.get of defined
 * globals in constant expressions (extended const). V8 and wasmrun both follow 3.0 here.
 */
export const WASM3_IN_2_0: ReadonlyMap<string, string> = new Map([
  ...[146, 166, 185, 204, 243, 262, 280, 298].map((line) => [`binary:${line}`, "multi-memory index byte"]),
  ...["data:89", "data:93", "elem:171", "elem:175", "global:352", "global:356"].map((
    k,
  ) => [k, "extended const"]),
  ...["imports:488", "imports:492", "imports:496", "memory:10", "memory:11"].map((k) => [k, "multi-memory"]),
] as [string, string][]);

/**
 * Wasm 3.0: V8 15 implements all of it that the scripts test; it refuses at compile time, as its
 * implementation limits, memories and tables that the spec finds valid (only instantiating them may fail).
 */
export const V8_DEVIATIONS_3_0: ReadonlyMap<string, string> = new Map<string, string>([
  ["memory64:8", "V8 limit: 2^48 initial pages of a 64-bit memory refused at compile time"],
  ["memory64:9", "V8 limit: a maximum of 2^48 pages refused at compile time"],
  ["table:9", "V8 limit: a table of 2^32 - 1 initial elements refused at compile time"],
  ["table64:9", "V8 limit: a 64-bit table of 2^64 - 1 initial elements refused at compile time"],
]);

/** V8 on Wasm 2.0: it follows Wasm 3.0 (`WASM3_IN_2_0`). */
export const V8_DEVIATIONS_2_0: ReadonlyMap<string, string> = WASM3_IN_2_0;

export function v8Deviations(suite: "2.0" | "3.0"): ReadonlyMap<string, string> {
  return suite === "2.0" ? V8_DEVIATIONS_2_0 : V8_DEVIATIONS_3_0;
}
