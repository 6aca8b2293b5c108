/**
 * How a trap is reported: `Error: <message>` and, when the engine attached `wasmFrames` to the
 * error (wasmrun's engine does, V8 does not), a backtrace innermost first in the wasmtime style:
 * `  0: 0x2bb - fib` (frame, byte offset in the module, name from the name section or `$index`).
 * A runaway recursion shows its innermost and outermost frames only.
 */
import { errorMessage, errorName, type WasmFrame } from "./engine.ts";
import { oneLine } from "./load.ts";

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

function frameLine(f: WasmFrame, i: number): string {
  const at = typeof f.offset === "number" ? `0x${f.offset.toString(16)}` : "?";
  return `  ${i}: ${at} - ${f.name ?? `$${f.index}`}`;
}

export function formatTrap(err: unknown): string {
  const lines = [`Error: ${oneLine(errorMessage(err))}`];
  const frames = framesOf(err);
  if (frames.length > 0) {
    lines.push("wasm backtrace:");
    if (frames.length <= MAX_FRAMES_SHOWN) {
      frames.forEach((f, i) => lines.push(frameLine(f, i)));
    } else {
      const inner = MAX_FRAMES_SHOWN - OUTER_FRAMES_SHOWN;
      const outerStart = frames.length - OUTER_FRAMES_SHOWN;
      for (let i = 0; i < inner; i++) lines.push(frameLine(frames[i], i));
      lines.push(`  ... ${outerStart - inner} frames not shown ...`);
      for (let i = outerStart; i < frames.length; i++) lines.push(frameLine(frames[i], i));
    }
  }
  return lines.join("\n") + "\n";
}
