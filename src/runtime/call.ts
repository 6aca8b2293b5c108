/** A call from JS into an instance: the entry every exported function goes through. */
import { JS_BUDGET, machine, MAX_DEPTH } from "./machine.ts";
import { type FuncInst, trap, type WasmFunc } from "./objects.ts";
import { engineError } from "./trap.ts";
import { fibers } from "./jspi.ts";
import { foreignLinks, pullForeign, pushForeign } from "./foreign.ts";

/**
 * Runs `fn`, called from JS, with its frame (arguments already written) at absolute slot `slot`:
 * compiled to JS when it can be, else on the interpreter. Restores the machine's bookkeeping after
 * a trap, so a host that catches it can go on calling. What a host function threw arrives as a
 * `HostThrow`: the caller, where execution returns to JS, unwraps it (`HostThrow.unwrap`).
 */
export function execute(fn: WasmFunc, slot: number): void {
  const baseDepth = machine.depth, savedLimit = machine.limit, savedJsStack = machine.jsStack;
  machine.limit = Math.min(baseDepth + fn.inst.maxCallDepth, MAX_DEPTH);
  try {
    if (foreignLinks !== 0) pullForeign(); // V8's objects we share may have changed meanwhile
    const code = fn.jit === undefined ? fn.inst.tiering.compiled(fn) : fn.jit;
    // Under `promising` (JSPI) everything runs on the interpreter, whose frames can be put aside.
    if (code !== null && machine.jsStack + fn.jsCost <= JS_BUDGET && fibers.running === 0) {
      // Compiled code that ends in a tail call hands back the callee, to run in its place.
      // Each runs with the machine's depth and JS stack as they were (compiled code leaves them).
      for (let tail = code(slot); tail !== undefined;) {
        machine.depth = baseDepth, machine.jsStack = savedJsStack;
        tail = (tail as FuncInst).entry(slot);
      }
    } else {
      // The interpreter counts the frame as compiled code's entry does: `maxCallDepth` frames either way.
      if (baseDepth >= machine.limit) trap("call stack exhausted");
      machine.depth = baseDepth + 1;
      fn.inst.tiering.interpret(fn, slot);
    }
  } catch (e) {
    throw engineError(e);
  } finally {
    machine.depth = baseDepth, machine.limit = savedLimit, machine.jsStack = savedJsStack;
    if (foreignLinks !== 0) pushForeign();
  }
}
