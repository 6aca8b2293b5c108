/**
 * Calling a host (JS) function from wasm code: arguments out of slots, results back into them; and
 * what the engine needs around it — the marker that carries a host's thrown value through the
 * engine untouched, and the deadline of the running call from JS, which binds after each host call.
 */
import { RuntimeError } from "../wasm/errors.ts";
import { machine } from "./machine.ts";
import type { HostFunc } from "./objects.ts";
import { slotToJs, storeSlot, toWasmValue } from "./values.ts";

/**
 * Whatever a host function threw (or its results' conversion did), on its way through wasm frames.
 * Engine catch blocks let it pass untouched, and every place where wasm execution returns to JS
 * rethrows `value`, so the caller gets exactly what the host threw: a Proxy, a primitive, a host
 * RangeError or RuntimeError, all unchanged. It is recognised by its private brand, a check that
 * never runs user code (a thrown value itself is never inspected: `instanceof` or a property read
 * could run a Proxy's traps or a getter).
 */
export class HostThrow {
  #brand = true;
  constructor(readonly value: unknown) {}

  /** `e` is a HostThrow (no user code runs: a private brand check triggers no Proxy trap). */
  static is(e: unknown): e is HostThrow {
    return typeof e === "object" && e !== null && #brand in e;
  }

  /** What JS should see of an error that left wasm execution: the host's value, or `e` itself. */
  static unwrap(e: unknown): unknown {
    return HostThrow.is(e) ? e.value : e;
  }
}

/**
 * The deadline (performance.now() ms) of the innermost running call from JS of an instance with a
 * timeout, and that timeout, for the trap's message; Infinity when none is running. Kept by
 * `Meter.enter`/`leave`; read by `currentDeadline` and after every host call.
 */
export const timing: { deadline: number; timeoutMs: number } = { deadline: Infinity, timeoutMs: Infinity };

/** The trap of a call from JS that ran past its `timeoutMs`. */
export function timeoutTrap(timeoutMs: number): never {
  throw new RuntimeError(`timeout: execution took longer than ${timeoutMs} ms`);
}

/**
 * JS stack a host call is assumed to take (its frame, the host function's, and the exported
 * function's and run loop's when the host calls back into wasm), counted in `machine.jsStack`.
 */
const HOST_JS_COST = 1024;
/**
 * Past this much counted JS stack, calling a host function traps "call stack exhausted": recursion
 * through JS imports then ends in the engine's trap, well before V8's own stack limit (about 1 MB)
 * would be hit somewhere in the host's code.
 */
const HOST_JS_LIMIT = 640 * 1024;

/** Calls `f` with its arguments at absolute slot `base`; its results are written from `base` on. */
export function callHost(f: HostFunc, base: number): void {
  const type = f.type, params = type.params, results = type.results;
  const np = params.length, nr = results.length;
  const savedJs = machine.jsStack;
  if (savedJs > HOST_JS_LIMIT) throw new RuntimeError("call stack exhausted");
  // Arguments out of their slots first (this runs no user code), as locals when there are few.
  let a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, args: unknown[] | undefined;
  if (np > 5) {
    args = new Array(np);
    for (let i = 0; i < np; i++) args[i] = slotToJs(params[i], base + i);
  } else if (np > 0) {
    a0 = slotToJs(params[0], base);
    if (np > 1) {
      a1 = slotToJs(params[1], base + 1);
      if (np > 2) {
        a2 = slotToJs(params[2], base + 2);
        if (np > 3) {
          a3 = slotToJs(params[3], base + 3);
          if (np > 4) a4 = slotToJs(params[4], base + 4);
        }
      }
    }
  }
  const fn = f.callable; // called with `this` undefined, as the JS API does
  const savedTop = machine.top;
  // A re-entrant call into wasm, from the host or from a conversion of its results (valueOf,
  // iterators), must place its frames above everything live here: `top` stays raised until all
  // results are converted, and only then are they written.
  machine.top = base + (np > nr ? np : nr) + 1;
  machine.jsStack = savedJs + HOST_JS_COST;
  let out: unknown;
  try {
    let ret: unknown;
    switch (np) {
      case 0:
        ret = fn();
        break;
      case 1:
        ret = fn(a0);
        break;
      case 2:
        ret = fn(a0, a1);
        break;
      case 3:
        ret = fn(a0, a1, a2);
        break;
      case 4:
        ret = fn(a0, a1, a2, a3);
        break;
      case 5:
        ret = fn(a0, a1, a2, a3, a4);
        break;
      default:
        ret = fn(...args!);
    }
    if (nr === 1) out = toWasmValue(results[0], ret);
    else if (nr > 1) out = multipleResults(f, ret);
  } catch (e) {
    throw HostThrow.is(e) ? e : new HostThrow(e);
  } finally {
    machine.top = savedTop, machine.jsStack = savedJs;
  }
  if (nr === 1) storeSlot(results[0], out, base);
  else if (nr > 1) {
    const values = out as unknown[];
    for (let i = 0; i < nr; i++) storeSlot(results[i], values[i], base + i);
  }
  // A host that blocked (a sleep, a read) until the deadline returns to a trap at once.
  if (timing.deadline !== Infinity && performance.now() > timing.deadline) timeoutTrap(timing.timeoutMs);
}

/** The results of a host function with several: an iterable of exactly that many, converted. */
function multipleResults(f: HostFunc, ret: unknown): unknown[] {
  const results = f.type.results;
  if (ret === null || typeof ret !== "object" || !(Symbol.iterator in ret)) {
    throw new TypeError("a host function with several results must return an iterable");
  }
  const values = [...(ret as Iterable<unknown>)];
  if (values.length !== results.length) {
    throw new TypeError(`expected ${results.length} results from the host function, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) values[i] = toWasmValue(results[i], values[i]);
  return values;
}
