/**
 * The run loop. Wasm-to-wasm calls and returns switch frames inside this loop instead of recursing in
 * JS, so call depth is bounded by our own limit (never by the JS stack), and blocks are just jumps.
 */
import { RuntimeError } from "../wasm/errors.ts";
import { callState, F64, I32, machine, R, STACK_SLOTS, V } from "../runtime/machine.ts";
import { CALL, dispatch, type Op, trap, type WasmFunc } from "../runtime/objects.ts";
import { lowerFunction } from "./lower.ts";
import { compiledCode } from "../jit/tier.ts";
import { JS_BUDGET } from "../jit/compile.ts";
import { env } from "../jit/support.ts";
import { HostThrow } from "../runtime/host_call.ts";

/** One frame of a wasm backtrace, innermost first. */
export interface WasmFrame {
  /** Function index in its module. */
  index: number;
  /** Name from the module's name section, when present. */
  name?: string;
  /** Byte offset in the module of the instruction that was executing. */
  offset?: number;
}

/** Saved frames of the callers, by depth (typed arrays: no boxing, no write barriers). */
const MAX_DEPTH = 1_000_000;
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
    const code = fn.jit === undefined ? compiledCode(fn) : fn.jit;
    if (code !== null && machine.jsStack + fn.jsCost <= JS_BUDGET) code(slot);
    else interpret(fn, slot);
  } catch (e) {
    throw engineError(e);
  } finally {
    machine.depth = baseDepth, machine.limit = savedLimit, machine.jsStack = savedJsStack;
  }
}

/**
 * An error raised while the engine ran (never a host's value: those come as `HostThrow`, returned
 * as they are): V8's own stack overflow in our code becomes the trap "call stack exhausted".
 */
export function engineError(e: unknown): unknown {
  if (HostThrow.is(e)) return e;
  return e instanceof RangeError && e.message.includes("call stack")
    ? new RuntimeError("call stack exhausted")
    : e;
}

/** A call from compiled code to a function not compiled yet (or never compiled). */
function callFromCompiled(fn: WasmFunc, slot: number): void {
  const code = fn.jit === undefined ? compiledCode(fn) : fn.jit;
  if (code !== null) code(slot); // its entry sends it to `interpretDeep` when there is no room
  else interpretDeep(fn, slot);
}

/** Compiled code out of JS stack (or at the depth limit) runs the call on the interpreter. */
function interpretDeep(fn: WasmFunc, slot: number): void {
  if (machine.depth >= machine.limit) trap("call stack exhausted");
  interpret(fn, slot);
}

dispatch.run = callFromCompiled;
env.deep = interpretDeep;

/** The interpreter: runs `fn` with its frame at absolute slot `slot`, up to `machine.limit` deep. */
function interpret(fn: WasmFunc, slot: number): void {
  const baseDepth = machine.depth;
  const limit = machine.limit;
  let f = fn;
  let code = enterFrame(fn, slot);
  let b = slot * 2;
  let pc = 0;
  let depth = baseDepth;
  try {
    for (;;) {
      const op = code[pc];
      const r = op(b);
      if (r >= 0) {
        pc = r;
      } else if (r === CALL) {
        if (depth >= limit) trap("call stack exhausted");
        const callee = callState.fn as WasmFunc;
        const calleeSlot = (b >> 1) + callState.argSlot;
        const compiled = callee.jit === undefined ? compiledCode(callee) : callee.jit;
        if (compiled !== null && machine.jsStack + callee.jsCost <= JS_BUDGET) {
          compiled(calleeSlot); // a trap in there gets this frame added below, at the call
          pc++;
          continue;
        }
        frameFn[depth] = f, framePc[depth] = pc + 1, frameBase[depth] = b;
        machine.depth = ++depth;
        f = callee;
        pc = 0; // before entering: a trap there (fuel, stack) is reported at the callee's start
        code = enterFrame(f, calleeSlot);
        b = calleeSlot * 2;
      } else {
        if (depth === baseDepth) return;
        machine.depth = --depth;
        f = frameFn[depth], pc = framePc[depth], b = frameBase[depth];
        code = f.code!;
      }
    }
  } catch (e) {
    throw withBacktrace(e, f, pc, depth, baseDepth);
  } finally {
    machine.depth = baseDepth;
  }
}

/**
 * Turns a JS stack overflow into a trap and records the wasm frames on the error. Only errors the
 * engine raised are looked at: a host's thrown value comes wrapped in a `HostThrow`.
 */
function withBacktrace(e: unknown, f: WasmFunc, pc: number, depth: number, baseDepth: number): unknown {
  if (HostThrow.is(e)) return e; // a host's value: passed on untouched
  let err = e;
  // The JS stack ran out (deep recursion through host functions). No regex here: near the limit,
  // compiling one overflows again; whatever overflows in here is converted by an outer run instead.
  if (e instanceof RangeError && e.message.includes("call stack")) {
    err = new RuntimeError("call stack exhausted");
  }
  if (!(err instanceof RuntimeError)) return err;
  const frames: WasmFrame[] = (err as { wasmFrames?: WasmFrame[] }).wasmFrames ?? [];
  frames.push(frameOf(f, pc));
  for (let d = depth - 1; d >= baseDepth && frames.length < 1000; d--) {
    frames.push(frameOf(frameFn[d], framePc[d] - 1));
  }
  (err as { wasmFrames?: WasmFrame[] }).wasmFrames = frames;
  return err;
}

function frameOf(f: WasmFunc, pc: number): WasmFrame {
  const name = f.inst.module.names.functions.get(f.index);
  const offset = f.offsets?.[pc];
  return { index: f.index, name, offset };
}
