/**
 * How a trap is reported: `Error: <message>` and, when the engine attached `wasmFrames` to the
 * error (wasmrun's engine does, V8 does not), a backtrace innermost first in the wasmtime style:
 * `  0: 0x2bb - fib` (frame, byte offset in the module, name from the name section or `$index`).
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

export function formatTrap(err: unknown): string {
  const lines = [`Error: ${oneLine(errorMessage(err))}`];
  const frames = framesOf(err);
  if (frames.length > 0) {
    lines.push("wasm backtrace:");
    frames.forEach((f, i) => {
      const at = typeof f.offset === "number" ? `0x${f.offset.toString(16)}` : "?";
      lines.push(`  ${i}: ${at} - ${f.name ?? `$${f.index}`}`);
    });
  }
  return lines.join("\n") + "\n";
}
