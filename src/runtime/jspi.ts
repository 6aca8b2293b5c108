/**
 * JS promise integration (JSPI), the runtime's part: `Suspending` marks a JS function imported by a
 * module as one whose promise suspends the wasm computation; `Suspend` is what a host call of one
 * throws to leave the run loop when it returns a promise; `fibers` is the state that says whether a
 * suspension can happen here. The interpreter captures the computation (interp/run.ts) and
 * engine/jspi.ts's `promising` resumes it when the promise settles.
 */
import type { HostFunc } from "./boundary.ts";
import type { WasmFunc } from "./objects.ts";

/** `WebAssembly.SuspendError`: a suspending import returned a promise where nothing can suspend. */
export class SuspendError extends Error {
  /** "SuspendError", as the built-in class names itself. */
  override name = "SuspendError";
}

const suspendingFns = new WeakMap<object, (...args: unknown[]) => unknown>();

/** `WebAssembly.Suspending`: wraps a JS function for import; its promises suspend the computation. */
export class Suspending {
  /** `fn` is called as an import is; a promise it returns suspends the wasm that called it. */
  constructor(fn: (...args: never[]) => unknown) {
    if (typeof fn !== "function") {
      throw new TypeError("WebAssembly.Suspending(): argument must be a function");
    }
    suspendingFns.set(this, fn as (...args: unknown[]) => unknown);
  }
}

/** The function a `Suspending` wraps, or undefined for anything else. */
export function suspendingFunction(v: unknown): ((...args: unknown[]) => unknown) | undefined {
  return typeof v === "object" && v !== null ? suspendingFns.get(v) : undefined;
}

/** One `promising` call's computation: where it started (see `fibers`). */
export interface Suspender {
  /** Call depth of its outermost frame. */
  readonly baseDepth: number;
  /** `fibers.hostNesting` when it started: a suspension must come from no deeper host call. */
  readonly hostNesting: number;
}

/**
 * The realm's JSPI state: the computation of the innermost running `promising` call (null when none
 * runs), how many are running (while any does, every call runs on the interpreter, whose frames can be
 * put aside), and how many host calls are in progress (a suspension may not cross JS frames).
 */
export const fibers = { active: null as Suspender | null, running: 0, hostNesting: 0 };

/** Where a suspended computation stood: its frames and the part of the value stack they used. */
export interface Suspended {
  f: WasmFunc;
  pc: number;
  b: number;
  depth: number;
  frames: { f: WasmFunc; pc: number; b: number }[];
  /** Slots [from, to) of the value stack, copied: other computations may use them meanwhile. */
  from: number;
  to: number;
  i32: Int32Array;
  refs: unknown[];
  v128: Int32Array;
}

/** Every `Suspend` made: telling one from a thrown value must run no user code (`instanceof` on a Proxy would). */
const suspends = new WeakSet<object>();

/** Whether `e` is a `Suspend`; runs no user code. */
export function isSuspend(e: unknown): e is Suspend {
  return typeof e === "object" && e !== null && suspends.has(e);
}

/** Thrown by a host call whose suspending function returned `promise`: the computation waits for it. */
export class Suspend {
  /** Filled by the run loop of the computation that can suspend (else it cannot: a SuspendError). */
  state: Suspended | null = null;
  constructor(
    readonly promise: PromiseLike<unknown>,
    readonly host: HostFunc,
    readonly slot: number,
    readonly suspender: Suspender,
  ) {
    suspends.add(this);
  }
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}
