/**
 * How errors leave the engine: V8's own stack overflow in engine code becomes the trap "call stack
 * exhausted", and traps carry the wasm frames they passed (`wasmFrames`, innermost first).
 */
import { RuntimeError } from "../wasm/errors.ts";
import { HostThrow } from "./boundary.ts";
import type { WasmFunc } from "./objects.ts";

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
  return e instanceof RangeError && e.message.includes("call stack")
    ? new RuntimeError("call stack exhausted")
    : e;
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
