/**
 * The run loop. Wasm-to-wasm calls and returns switch frames inside this loop instead of recursing in
 * JS, so call depth is bounded by our own limit (never by the JS stack), and blocks are just jumps.
 */
import { callState, F64, I32, JS_BUDGET, machine, MAX_DEPTH, R, STACK_SLOTS, V } from "../runtime/machine.ts";
import { CALL, type FuncInst, type Op, OSR, TAIL, trap, type WasmFunc } from "../runtime/objects.ts";
import { callHost } from "../runtime/boundary.ts";
import { isRefType, ValType } from "../wasm/types.ts";
import { addFrame, frameOf, trapOf } from "../runtime/trap.ts";
import { caught, type Exn, payloadLength, payloadToSlots, type Tag, tagOf } from "../runtime/exceptions.ts";
import { lowerFunction, lowering } from "./lower.ts";
import { fibers, isSuspend, type Suspended } from "../runtime/jspi.ts";

/** Saved frames of the callers, by depth (typed arrays: no boxing, no write barriers). */
const frameFn: WasmFunc[] = [];
const framePc = new Int32Array(MAX_DEPTH);
const frameBase = new Int32Array(MAX_DEPTH);

function enterFrame(f: WasmFunc, slot: number): Op[] {
  const code = f.code ?? lowerFunction(f);
  f.usedIn = lowering.period;
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

/** Where the run loop was when an exception went out of it: what `interpret` needs to find a handler. */
const left = { f: null as unknown as WasmFunc, pc: 0, b: 0, depth: 0, replacing: false };

/**
 * The interpreter: runs `fn` with its frame at absolute slot `slot`, up to `machine.limit` deep. An
 * exception (never a trap) that a handler of a frame of this run catches goes on there: the innermost
 * frame with one (the current frame's, unless compiled code had taken its place) continues at the
 * handler, with the caught values in place; the frames above it are dropped, and the call depth and
 * the JS stack are what they were in that frame. The run loop itself (`run`) knows nothing of this,
 * so code without exceptions runs exactly as fast as before.
 */
export function interpret(
  fn: WasmFunc,
  slot: number,
  pc0 = -1, // the call starts; else where a resumed computation goes on (see `resumeInterpret`)
  depth0 = machine.depth,
  baseDepth = depth0,
  thrown?: unknown,
): void {
  // One function, not a wrapper around another: each nested entry costs JS stack, which the budgets count.
  const baseJs = machine.jsStack; // what compiled callees count is theirs: a caught exception restores it
  let f = fn, b = slot * 2, pc = pc0, depth = depth0;
  for (;;) {
    try {
      if (thrown !== undefined) {
        const e = thrown;
        thrown = undefined;
        throw e;
      }
      return run(f, b, pc, depth, baseDepth);
    } catch (e) {
      if (isSuspend(e) && e.state === null && e.suspender.baseDepth === baseDepth) {
        e.state = suspended(baseDepth);
      }
      const x = caught(e);
      if (x === null) throw e;
      const tag = tagOf(x);
      let at = -1, d = left.depth;
      if (!left.replacing && left.f.handlers !== null) at = handlerPc(x, tag, left.f, left.pc, left.b);
      if (at < 0) {
        for (d = left.depth - 1; d >= baseDepth; d--) {
          const g = frameFn[d];
          if (g.handlers !== null && (at = handlerPc(x, tag, g, framePc[d] - 1, frameBase[d])) >= 0) break;
        }
      }
      if (at < 0) throw e;
      if (d < left.depth) f = frameFn[d], b = frameBase[d], depth = d;
      else f = left.f, b = left.b, depth = left.depth;
      pc = at;
      machine.depth = depth, machine.jsStack = baseJs;
    }
  }
}

/**
 * A computation that `promising` suspended (JSPI) goes on: its frames back in place, from the op after
 * the host call that suspended it, whose results are in place; or, with `thrown`, as if that call had
 * thrown it (a rejected promise).
 */
export function resumeInterpret(s: Suspended, baseDepth: number, thrown?: unknown): void {
  machine.depth = s.depth;
  if (thrown === undefined) return interpret(s.f, s.b >> 1, s.pc + 1, s.depth, baseDepth);
  left.f = s.f, left.pc = s.pc, left.b = s.b, left.depth = s.depth, left.replacing = false;
  interpret(s.f, s.b >> 1, s.pc, s.depth, baseDepth, thrown);
}

/** Puts a suspended computation's frames and value stack back where they were (before `resumeInterpret`). */
export function restoreSuspended(s: Suspended, baseDepth: number): void {
  I32.set(s.i32, 2 * s.from);
  for (let i = 0; i < s.refs.length; i++) R[s.from + i] = s.refs[i];
  V.set(s.v128, 4 * s.from);
  s.frames.forEach((fr, i) => {
    frameFn[baseDepth + i] = fr.f, framePc[baseDepth + i] = fr.pc, frameBase[baseDepth + i] = fr.b;
  });
}

/** Frames and stack of this run at a suspension (see `resumeInterpret`), put aside; null when it cannot resume. */
function suspended(baseDepth: number): Suspended | null {
  if (left.replacing) return null; // a tail call or compiled code had the frame: nothing to resume
  const from = frameBase[baseDepth] >> 1, to = (left.b >> 1) + left.f.frameSize;
  const frames = [];
  for (let d = baseDepth; d < left.depth; d++) {
    frames.push({ f: frameFn[d], pc: framePc[d], b: frameBase[d] });
  }
  const first = left.depth === baseDepth ? left.b >> 1 : from;
  return {
    f: left.f,
    pc: left.pc,
    b: left.b,
    depth: left.depth,
    frames,
    from: first,
    to,
    i32: I32.slice(2 * first, 2 * to),
    refs: R.slice(first, to),
    v128: V.slice(4 * first, 4 * to),
  };
}

/**
 * The run loop: runs `fn`'s frame (based at `b0`, in 32-bit units) at call depth `depth0` from pc
 * `pc0` (-1: from its entry), and the calls it makes, until the frame at `baseDepth` returns.
 */
function run(fn: WasmFunc, b0: number, pc0: number, depth0: number, baseDepth: number): void {
  const limit = machine.limit, baseJs = machine.jsStack; // interpreted frames take no JS stack of the budget's
  let f = fn;
  let vm = fn.inst; // the instance whose code runs: its ops find their memory, globals… there
  let code = pc0 < 0 ? enterFrame(fn, b0 >> 1) : fn.code ?? lowerFunction(fn);
  let b = b0;
  let pc = pc0 < 0 ? 0 : pc0;
  let depth = depth0;
  let replacing = false; // compiled code is running the rest of the current frame's call (OSR, tail call)
  try {
    for (;;) {
      const op = code[pc];
      const r = op(b, vm);
      let tail: unknown; // a function to run in the current frame's place (a tail call)
      if (r >= 0) {
        pc = r;
        continue;
      } else if (r === CALL) {
        if (depth >= limit) trap("call stack exhausted");
        const callee = callState.fn as WasmFunc;
        const calleeSlot = (b >> 1) + callState.argSlot;
        const compiled = callee.jit === undefined ? callee.inst.tiering.compiled(callee) : callee.jit;
        // Under `promising` (JSPI) every frame stays on the interpreter, which can put it aside.
        if (compiled !== null && machine.jsStack + callee.jsCost <= JS_BUDGET && fibers.running === 0) {
          // A trap in there gets this frame added below, at the call. Compiled code leaves the
          // machine's depth and JS stack as they come (see `CompiledCode`): they are put back.
          tail = compiled(calleeSlot);
          machine.depth = depth, machine.jsStack = baseJs;
          if (tail === undefined) {
            pc++;
            continue;
          }
          // The callee ended in a tail call: its frame is the next one's.
          frameFn[depth] = f, framePc[depth] = pc + 1, frameBase[depth] = b;
          machine.depth = ++depth;
          b = calleeSlot * 2;
        } else {
          frameFn[depth] = f, framePc[depth] = pc + 1, frameBase[depth] = b;
          machine.depth = ++depth;
          f = callee, vm = callee.inst;
          pc = 0; // before entering: a trap there (fuel, stack) is reported at the callee's start
          code = enterFrame(f, calleeSlot);
          b = calleeSlot * 2;
          continue;
        }
      } else if (r === TAIL) {
        tail = callState.fn;
        moveArgs((tail as FuncInst).type.params, b >> 1, (b >> 1) + callState.argSlot);
      } else if (r === OSR) {
        replacing = true;
        tail = replaced(f, b >> 1, depth, pc);
        replacing = false;
        if (typeof tail === "number") {
          pc = tail;
          continue;
        }
      }
      // A tail call: the current frame (call depth, slot) is the callee's now; then it returns.
      while (tail !== undefined) {
        const g = tail as FuncInst;
        if (g.kind !== "wasm") {
          replacing = true; // the frame is gone: a trap in the host is not reported in it
          callHost(g, b >> 1);
          replacing = false;
          tail = undefined;
          break;
        }
        const compiled = g.jit === undefined ? g.inst.tiering.compiled(g) : g.jit;
        if (compiled === null || machine.jsStack + g.jsCost > JS_BUDGET || fibers.running !== 0) {
          f = g, vm = g.inst;
          pc = 0;
          code = enterFrame(f, b >> 1);
          break;
        }
        machine.depth = depth - 1; // its entry counts the frame again, as the call did
        replacing = true; // a trap in there carries its own frame, the one replacing this
        tail = compiled(b >> 1);
        replacing = false;
        machine.depth = depth, machine.jsStack = baseJs;
      }
      if (tail !== undefined) continue; // the frame goes on, running the callee's code
      if (depth === baseDepth) return;
      machine.depth = --depth;
      f = frameFn[depth], pc = framePc[depth], b = frameBase[depth];
      vm = f.inst, code = f.code ?? lowerFunction(f); // let go of meanwhile: the same again
    }
  } catch (e) {
    left.f = f, left.pc = pc, left.b = b, left.depth = depth, left.replacing = replacing;
    throw withBacktrace(e, f, pc, depth, baseDepth, !replacing);
  } finally {
    machine.depth = baseDepth;
  }
}

/**
 * The pc at which the handler of function `g`'s frame (based at `b`, in 32-bit units) for exnref `x`
 * of `tag`, thrown at pc `at`, goes on, after writing the caught values (and the exnref, when the
 * clause asks for it) into the frame; -1 when no handler of the frame catches it.
 */
function handlerPc(x: Exn, tag: Tag, g: WasmFunc, at: number, b: number): number {
  const table = g.handlers!;
  let i = 0;
  while (i < table.length && (at < table[i].start || at >= table[i].end)) i++;
  const tags = g.inst.tags;
  for (; i >= 0 && i < table.length; i = table[i].next) {
    const region = table[i], clauses = region.clauses;
    for (let k = 0; k < clauses.length; k += 3) {
      const t = clauses[k];
      if (t >= 0 && tags[t] !== tag) continue;
      const base = (b >> 1) + region.dst;
      if (t >= 0) payloadToSlots(x, base);
      const keep = clauses[k + 1];
      if (keep === 1) R[base + (t >= 0 ? payloadLength(tag) : 0)] = x;
      else if (keep === 2) R[(b >> 1) + region.exnSlot] = x;
      return clauses[k + 2];
    }
  }
  return -1;
}

/**
 * Moves a tail call's arguments, of types `params`, from slot `from` on down to `to` (the frame's base),
 * lowest first: `to` is below `from`, so none is overwritten before it is read.
 */
function moveArgs(params: readonly ValType[], to: number, from: number): void {
  if (from === to) return;
  for (let i = 0; i < params.length; i++) {
    const t = params[i];
    if (t === ValType.V128) {
      const d = 4 * (to + i), s = 4 * (from + i);
      V[d] = V[s], V[d + 1] = V[s + 1], V[d + 2] = V[s + 2], V[d + 3] = V[s + 3];
    } else if (isRefType(t)) {
      R[to + i] = R[from + i];
    } else {
      const d = 2 * (to + i), s = 2 * (from + i);
      I32[d] = I32[s], I32[d + 1] = I32[s + 1];
    }
  }
}

/**
 * On-stack replacement: the hot loop whose first op is at `pc` (its byte offset in `callState.osrAt`)
 * asks for `f`'s frame at `slot` (at call depth `depth`) to go on in compiled code from that loop's
 * start, with the locals the frame holds. Undefined when compiled code ran the rest of the call
 * (results in place); a function when that ended in a tail call (to run in the frame's place); else
 * the pc where the run loop goes on: the loop's next op when there is no such code or it found no
 * room to run, or where code that ran only the loop left it (its locals and the values carried then
 * in the frame). A trap in it carries the frame already.
 */
function replaced(f: WasmFunc, slot: number, depth: number, pc: number): unknown {
  if (fibers.running !== 0) return pc + 1; // under `promising`: the frame stays interpreted
  const code = f.inst.tiering.osr(f, callState.osrAt);
  if (code === null) return pc + 1; // the loop's op stands first in it: the loop goes on at the next one
  const jsStack = machine.jsStack;
  machine.depth = depth - 1; // its entry counts the frame again, as a call would
  let out: unknown;
  try {
    out = code(slot, 1);
  } finally {
    machine.depth = depth, machine.jsStack = jsStack;
  }
  if (out === 1) return pc + 1;
  return typeof out === "number" ? labelPc(f.labels!, out) : out;
}

/** The pc of label `key` (see `WasmFunc.labels`): where code that ran one loop says the call goes on. */
function labelPc(labels: Int32Array, key: number): number {
  let lo = 0, hi = labels.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, k = labels[2 * mid];
    if (k === key) return labels[2 * mid + 1];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new Error(`no label ${key} in the lowered code`);
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
