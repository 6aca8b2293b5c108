/**
 * JS promise integration (JSPI): `WebAssembly.promising`. A call of the function it returns runs the
 * wasm function on the interpreter alone (every frame of it, callees included: compiled code cannot be
 * put aside), with a `Suspender` active; when a `WebAssembly.Suspending` import returns a promise, the
 * run loop leaves with its frames and the value stack they use copied out (interp/run.ts `suspended`),
 * the call's promise waits for the import's, and when that settles the frames go back in place and the
 * run goes on after the import's call, with its result (or its rejection thrown there, as a JS
 * exception wasm may catch). Other wasm may run meanwhile: nothing of the suspended computation stays
 * on the shared stack.
 */
import { HostThrow } from "../runtime/trap.ts";
import { engineError } from "../runtime/trap.ts";
import { funcOfJs, slotToJs, storeSlot, toWasmValue } from "../runtime/boundary.ts";
import { machine, MAX_DEPTH } from "../runtime/machine.ts";
import { WasmFunc } from "../runtime/objects.ts";
import { fibers, isSuspend, type Suspend, type Suspender, SuspendError } from "../runtime/jspi.ts";
import { restoreSuspended, resumeInterpret } from "../interp/run.ts";
import { foreignLinks, pullForeign, pushForeign } from "../runtime/foreign.ts";

/** `WebAssembly.promising(f)`: `f`, an exported wasm function, as one that returns a promise. */
export function promising(exported: unknown): (...args: unknown[]) => Promise<unknown> {
  const f = typeof exported === "function" ? funcOfJs.get(exported) : undefined;
  if (!(f instanceof WasmFunc)) {
    throw new TypeError("WebAssembly.promising(): argument must be a WebAssembly exported function");
  }
  const call = exported as (...args: unknown[]) => unknown;
  return (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      const s: Suspender = { baseDepth: machine.depth + 1, hostNesting: fibers.hostNesting };
      const outer = fibers.active;
      fibers.active = s, fibers.running++;
      try {
        resolve(call(...args));
      } catch (e) {
        if (isSuspend(e)) wait(f, s, e, resolve, reject);
        else reject(e);
      } finally {
        fibers.active = outer, fibers.running--;
      }
    });
}

/** Waits for the promise of suspension `susp` of `f`'s computation, then resumes it. */
function wait(
  f: WasmFunc,
  s: Suspender,
  susp: Suspend,
  resolve: (v: unknown) => void,
  reject: (e: unknown) => void,
): void {
  const state = susp.state;
  if (state === null) return reject(new SuspendError("trying to suspend JS frames"));
  const resume = (value: unknown, thrown: unknown) => {
    const host = susp.host, results = host.type.results;
    let out: unknown[] = [];
    if (thrown === undefined) {
      try {
        // The import's result, converted as a host function's return value is.
        out = results.length === 1
          ? [toWasmValue(results[0], value, host.sigIds)]
          : results.length === 0
          ? []
          : [...(value as Iterable<unknown>)].map((v, i) => toWasmValue(results[i], v, host.sigIds));
      } catch (e) {
        thrown = new HostThrow(e);
      }
    }
    const saved = { top: machine.top, depth: machine.depth, limit: machine.limit, jsStack: machine.jsStack };
    const outer = fibers.active;
    const meter = f.inst.meter;
    fibers.active = s, fibers.running++;
    machine.top = state.from; // the call's own frame, as while it ran
    machine.limit = Math.min(s.baseDepth - 1 + f.inst.maxCallDepth, MAX_DEPTH);
    meter?.enter();
    try {
      if (foreignLinks !== 0) pullForeign(); // V8's objects we share may have changed while it waited
      restoreSuspended(state, s.baseDepth);
      if (thrown === undefined) out.forEach((v, i) => storeSlot(results[i], v, susp.slot + i));
      resumeInterpret(state, s.baseDepth, thrown);
      const r = f.type.results;
      resolve(
        r.length === 0
          ? undefined
          : r.length === 1
          ? slotToJs(r[0], state.from)
          : r.map((t, i) => slotToJs(t, state.from + i)),
      );
    } catch (e) {
      if (isSuspend(e)) wait(f, s, e, resolve, reject);
      else reject(HostThrow.is(e) ? e.value : engineError(e));
    } finally {
      if (foreignLinks !== 0) pushForeign();
      meter?.leave();
      fibers.active = outer, fibers.running--;
      machine.top = saved.top, machine.depth = saved.depth, machine.limit = saved.limit;
      machine.jsStack = saved.jsStack;
    }
  };
  susp.promise.then((v) => resume(v, undefined), (e) => resume(undefined, new HostThrow(e)));
}
