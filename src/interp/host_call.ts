/** Calling a host (JS) function from wasm code: arguments out of slots, results back into them. */
import { machine } from "./machine.ts";
import type { HostFunc } from "./runtime.ts";
import { jsToSlot, slotToJs } from "./values.ts";

/** Calls `f` with its arguments at absolute slot `base`; its results are written from `base` on. */
export function callHost(f: HostFunc, base: number): void {
  const { params, results } = f.type;
  const args = new Array(params.length);
  for (let i = 0; i < params.length; i++) args[i] = slotToJs(params[i], base + i);
  const savedTop = machine.top;
  // A re-entrant call into wasm must place its frames above everything live here.
  machine.top = base + Math.max(params.length, results.length) + 1;
  let result: unknown;
  try {
    result = f.callable(...args);
  } finally {
    machine.top = savedTop;
  }
  if (results.length === 1) jsToSlot(results[0], result, base);
  else if (results.length > 1) {
    if (result === null || typeof result !== "object" || !(Symbol.iterator in result)) {
      throw new TypeError("a host function with several results must return an iterable");
    }
    const values = [...(result as Iterable<unknown>)];
    if (values.length !== results.length) {
      throw new TypeError(`expected ${results.length} results from the host function, got ${values.length}`);
    }
    for (let i = 0; i < results.length; i++) jsToSlot(results[i], values[i], base + i);
  }
}
