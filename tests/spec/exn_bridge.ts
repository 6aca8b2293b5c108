/**
 * Calls an exported function whose one result is an exnref, which the JS API refuses to convert: a tiny
 * generated module imports it with its exact type, calls it and returns `ref.is_null` of the result. So
 * `(ref.null)`, `(ref.null exn)` and `(ref.null noexn)` expectations, and traps, can be checked. Built
 * and run with the engine under test.
 */
import type { WasmApi } from "./engine_api.ts";
import type { Signature } from "./signatures.ts";
import { leb, name, section, vec } from "./module_bytes.ts";

/** What stands for a non-null exnref on the JS side (it matches no expectation but "any non-null"). */
export const NON_NULL_EXNREF: object = Object.freeze({ exnref: "non-null" });

/** A reference to a defined type cannot be copied into another module: only abstract ones are. */
function abstract(encoded: number[]): boolean {
  return encoded.length === 1 || (encoded.length === 2 && encoded[1] >= 0x40);
}

/** Whether the bridge can call a function of this type: one exnref result, params JS can carry. */
export function exnBridgeFits(signature: Signature): boolean {
  const { params, results, encoded } = signature;
  return results.length === 1 && results[0] === "exnref" && !params.includes("exnref") &&
    [...encoded.params, ...encoded.results].every(abstract);
}

/** The bridge's binary: imports m.f with the function's type, exports run(params…) → i32 (is null). */
export function exnBridgeBinary(signature: Signature): Uint8Array {
  const { params, results } = signature.encoded;
  const body = [...params.flatMap((_, i) => [0x20, ...leb(i)]), 0x10, 0x00, 0xd1, 0x0b];
  const func = [0x00, ...body]; // no locals
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec(params), ...vec(results)], [0x60, ...vec(params), 1, 0x7f]])),
    ...section(2, vec([[...name("m"), ...name("f"), 0x00, 0x00]])),
    ...section(3, vec([[0x01]])),
    ...section(7, vec([[...name("run"), 0x00, 0x01]])),
    ...section(10, vec([[...leb(func.length), ...func]])),
  ]);
}

/** Calls `fn` through the bridge: null, or NON_NULL_EXNREF. Traps propagate as the engine throws them. */
export function callExnBridge(
  api: WasmApi,
  fn: unknown,
  signature: Signature,
  args: unknown[],
  instanceOptions?: object,
): unknown {
  const module = new api.Module(exnBridgeBinary(signature));
  const run = new api.Instance(module, { m: { f: fn } }, instanceOptions).exports.run as (
    ...a: unknown[]
  ) => number;
  return run(...args) === 1 ? null : NON_NULL_EXNREF;
}
