/** The shape shared by every group of host functions: import name → implementation. */

/** One host function: i32 parameters arrive as numbers, i64 as bigints; returns an errno. */
// deno-lint-ignore no-explicit-any
export type HostFunction = (...args: any[]) => number | void;

/** A namespace of host functions, by import name. */
export type HostFunctions = Record<string, HostFunction>;
