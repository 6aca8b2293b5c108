/**
 * The run loop. Wasm-to-wasm calls and returns switch frames inside this loop instead of recursing in
 * JS, so call depth is bounded by our own limit (never by the JS stack), and blocks are just jumps.
 */
import { callState, F64, I32, JS_BUDGET, machine, MAX_DEPTH, R, STACK_SLOTS, V } from "../runtime/machine.ts";
import { CALL, type Op, OSR, trap, type WasmFunc } from "../runtime/objects.ts";
import { addFrame, frameOf, trapOf } from "../runtime/trap.ts";
import { lowerFunction } from "./lower.ts";

/** Saved frames of the callers, by depth (typed arrays: no boxing, no write barriers). */
const frameFn: WasmFunc[] = [];
const framePc = new Int32Array(MAX_DEPTH);
const frameBase = new Int32Array(MAX_DEPTH);

function enterFrame(f: WasmFunc, slot: number): Op[] {
  const code = f.code ?? lowerFunction(f);
  if (slot + f.frameSize > STACK_SLOTS) trap("call stack exhausted");
  if (f.plainEntry) return code; // no locals, constants or metering to set up
  // Locals start at zero (references at null); parameters are already in place. A plain loop:
  // most functions have a handful of locals, and TypedArray.fill costs more than it saves there.
  for (let i = slot + f.nParams, end = slot + f.nLocals; i < end; i++) F64[i] = 0;
  const pool = f.poolInit;
  for (let i = 0, b = slot * 2; i < pool.length; i += 3) {
    const q = b + pool[i];
    I32[q] = pool[i + 1], I32[q + 1] = pool[i + 2];
  }
  const meter = f.inst.meter;
  if (meter !== null) meter.charge(f.entryCost, f.index); // loops charge at their back-edges
  const refs = f.refLocals;
  if (refs.length !== 0) { for (let i = 0; i < refs.length; i++) R[slot + refs[i]] = null; }
  const vecs = f.v128Locals;
  for (let i = 0; i < vecs.length; i++) {
    const q = 4 * (slot + vecs[i]);
    V[q] = 0, V[q + 1] = 0, V[q + 2] = 0, V[q + 3] = 0;
  }
  return code;
}

/** The interpreter: runs `fn` with its frame at absolute slot `slot`, up to `machine.limit` deep. */
export function interpret(fn: WasmFunc, slot: number): void {
  const baseDepth = machine.depth;
  const limit = machine.limit;
  let f = fn;
  let vm = fn.inst; // the instance whose code runs: its ops find their memory, globals… there
  let code = enterFrame(fn, slot);
  let b = slot * 2;
  let pc = 0;
  let depth = baseDepth;
  let replacing = false; // compiled code is running the rest of the current frame's call (OSR)
  try {
    for (;;) {
      const op = code[pc];
      const r = op(b, vm);
      if (r >= 0) {
        pc = r;
      } else if (r === CALL) {
        if (depth >= limit) trap("call stack exhausted");
        const callee = callState.fn as WasmFunc;
        const calleeSlot = (b >> 1) + callState.argSlot;
        const compiled = callee.jit === undefined ? callee.inst.tiering.compiled(callee) : callee.jit;
        if (compiled !== null && machine.jsStack + callee.jsCost <= JS_BUDGET) {
          compiled(calleeSlot); // a trap in there gets this frame added below, at the call
          pc++;
          continue;
        }
        frameFn[depth] = f, framePc[depth] = pc + 1, frameBase[depth] = b;
        machine.depth = ++depth;
        f = callee, vm = callee.inst;
        pc = 0; // before entering: a trap there (fuel, stack) is reported at the callee's start
        code = enterFrame(f, calleeSlot);
        b = calleeSlot * 2;
      } else {
        if (r === OSR) {
          replacing = true;
          const done = replaced(f, b >> 1, depth);
          replacing = false;
          if (!done) {
            pc++; // the loop's op stands first in it: the loop goes on at the next one
            continue;
          }
        }
        if (depth === baseDepth) return;
        machine.depth = --depth;
        f = frameFn[depth], pc = framePc[depth], b = frameBase[depth];
        vm = f.inst, code = f.code!;
      }
    }
  } catch (e) {
    throw withBacktrace(e, f, pc, depth, baseDepth, !replacing);
  } finally {
    machine.depth = baseDepth;
  }
}

/**
 * On-stack replacement: the hot loop at `callState.osrAt` asks for `f`'s frame at `slot` (at call
 * depth `depth`) to go on in compiled code from that loop's start, with the locals the frame holds.
 * True when compiled code ran the rest of the call (results in place); false when there is no such
 * code, or it found no room to run (it returns 1 then). A trap in it carries the frame already.
 */
function replaced(f: WasmFunc, slot: number, depth: number): boolean {
  const code = f.inst.tiering.osr(f, callState.osrAt);
  if (code === null) return false;
  machine.depth = depth - 1; // its entry counts the frame again, as a call would
  try {
    return code(slot, 1) !== 1;
  } finally {
    machine.depth = depth;
  }
}

/**
 * The error leaving the run loop: a trap (a JS stack overflow included) gets the wasm frames of this
 * run added, innermost first (the current frame's only `withTop`: compiled code adds its own); a host's thrown value (a `HostThrow`) and other errors pass untouched.
 */
function withBacktrace(
  e: unknown,
  f: WasmFunc,
  pc: number,
  depth: number,
  baseDepth: number,
  withTop: boolean,
): unknown {
  const err = trapOf(e);
  if (err === null) return e;
  if (withTop && !addFrame(err, frameOf(f, pc))) return err;
  for (let d = depth - 1; d >= baseDepth && addFrame(err, frameOf(frameFn[d], framePc[d] - 1)); d--);
  return err;
}
