/**
 * How errors leave the engine: what a host threw passes through untouched (`HostThrow`), V8's own stack
 * overflow in engine code becomes the trap "call stack exhausted", a call past its timeout traps
 * (`timeoutTrap`), and traps carry the wasm frames they passed (`wasmFrames`, innermost first).
 */
import { RuntimeError } from "../wasm/errors.ts";
import type { WasmFunc } from "./objects.ts";

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

/** The trap of a call from JS that ran past its `timeoutMs`. */
export function timeoutTrap(timeoutMs: number): never {
  throw new RuntimeError(`timeout: execution took longer than ${timeoutMs} ms`);
}

/** One frame of a wasm backtrace, innermost first. */
export interface WasmFrame {
  /** Function index in its module. */
  index: number;
  /** Name from the module's name section, when present. */
  name?: string;
  /** Byte offset in the module of the instruction that was executing. */
  offset?: number;
}

/**
 * An error raised while the engine ran (never a host's value: those come as `HostThrow`, returned
 * as they are): V8's own stack overflow in our code becomes the trap "call stack exhausted".
 */
export function engineError(e: unknown): unknown {
  if (HostThrow.is(e)) return e;
  const err = e instanceof RangeError && e.message.includes("call stack")
    ? new RuntimeError("call stack exhausted")
    : e;
  if (err instanceof RuntimeError) traps.add(err);
  return err;
}

/**
 * The engine's traps that went this way (only its own errors pass `engineError`: a host's values come
 * as `HostThrow`, never looked at). One that leaves to JS and comes back into wasm through a host
 * function stays uncatchable by wasm's handlers, as in V8.
 */
const traps = new WeakSet<object>();

/** `v` is a trap of the engine's (see `traps`): no handler may catch it. Runs no user code. */
export function isTrap(v: unknown): boolean {
  return typeof v === "object" && v !== null && traps.has(v);
}

/** The backtrace record of `f` at pc `pc` (an index into its lowered code, or into its compiled sites). */
export function frameOf(f: WasmFunc, pc: number): WasmFrame {
  const name = f.inst.module.names.functions.get(f.index);
  const offset = f.offsets?.[pc];
  return { index: f.index, name, offset };
}

/** The longest backtrace a trap keeps: its innermost frames. */
export const MAX_FRAMES = 1000;

/** A trap with the backtrace the engine records on it. */
export type Trap = RuntimeError & { wasmFrames?: WasmFrame[] };

/**
 * `e` as a trap, V8's stack overflow included ("call stack exhausted"), so that the frames it passes
 * can be added; null for a host's value (a `HostThrow`) or an error that is no trap, which pass as
 * they are.
 */
export function trapOf(e: unknown): Trap | null {
  const err = engineError(e);
  return err instanceof RuntimeError ? err : null;
}

/** Adds `frame` to the trap's backtrace; false, adding nothing, when it holds `MAX_FRAMES` already. */
export function addFrame(err: Trap, frame: WasmFrame): boolean {
  const frames = err.wasmFrames ??= [];
  if (frames.length >= MAX_FRAMES) return false;
  frames.push(frame);
  return true;
}
