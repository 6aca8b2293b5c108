/** The shape shared by every group of host functions: import name → implementation. */

// Host functions take i32 (number) and i64 (bigint) parameters in many combinations.
// deno-lint-ignore no-explicit-any
export type HostFunction = (...args: any[]) => number | void;

export type HostFunctions = Record<string, HostFunction>;
