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
