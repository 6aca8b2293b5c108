/**
 * How a trap is reported: `Error: <message>` and, when the engine attached `wasmFrames` to the
 * error (wasmrun's engine does, V8 does not), a backtrace innermost first in the wasmtime style:
 * `  0: 0x2bb - fib` (frame, byte offset in the module, name from the name section or `$index`,
 * demangled when it is a Rust or C++ symbol).
 * A runaway recursion shows its innermost and outermost frames only.
 */
import { errorMessage, errorName, type WasmFrame } from "./engine.ts";
import { oneLine } from "./load.ts";
import { demangle } from "./demangle.ts";

/** A trap from either engine: RuntimeError, or V8's RangeError for an exhausted call stack. */
export function isTrap(err: unknown): boolean {
  const name = errorName(err);
  return name === "RuntimeError" || (name === "RangeError" && /call stack/i.test(errorMessage(err)));
}

function framesOf(err: unknown): WasmFrame[] {
  const frames = (err as { wasmFrames?: unknown })?.wasmFrames;
  return Array.isArray(frames) ? frames as WasmFrame[] : [];
}

/** A backtrace longer than this (a runaway recursion) shows its innermost and outermost frames. */
export const MAX_FRAMES_SHOWN = 40;
const OUTER_FRAMES_SHOWN = 10;

function frameLine(f: WasmFrame, i: number, demangled: boolean): string {
  const at = typeof f.offset === "number" ? `0x${f.offset.toString(16)}` : "?";
  const name = f.name === undefined ? `$${f.index}` : demangled ? demangle(f.name) : f.name;
  return `  ${i}: ${at} - ${name}`;
}

/** The report of trap `err`; with `demangled` (the default), Rust and C++ names are demangled. */
export function formatTrap(err: unknown, demangled = true): string {
  const lines = [`Error: ${oneLine(errorMessage(err))}`];
  const frames = framesOf(err);
  if (frames.length > 0) {
    lines.push("wasm backtrace:");
    if (frames.length <= MAX_FRAMES_SHOWN) {
      frames.forEach((f, i) => lines.push(frameLine(f, i, demangled)));
    } else {
      const inner = MAX_FRAMES_SHOWN - OUTER_FRAMES_SHOWN;
      const outerStart = frames.length - OUTER_FRAMES_SHOWN;
      for (let i = 0; i < inner; i++) lines.push(frameLine(frames[i], i, demangled));
      lines.push(`  ... ${outerStart - inner} frames not shown ...`);
      for (let i = outerStart; i < frames.length; i++) lines.push(frameLine(frames[i], i, demangled));
    }
  }
  return lines.join("\n") + "\n";
}
