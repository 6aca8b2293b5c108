/**
 * How errors leave the engine: what a host threw passes through untouched (`HostThrow`), V8's own stack
 * overflow in engine code becomes the trap "call stack exhausted", a call past its timeout traps
 * (`timeoutTrap`), and traps carry the wasm frames they passed (`wasmFrames`, innermost first), which
 * their `stack` shows as V8 shows the built-in engine's (`withWasmStack`).
 */
import { RuntimeError } from "../wasm/errors.ts";
import type { WasmFunc } from "./objects.ts";
import type { ModuleInfo } from "../wasm/types.ts";
import { functionUrl } from "./wasm_url.ts";

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

/**
 * Frames V8 records of a trap beyond `Error.stackTraceLimit`: the engine's own (its run loop,
 * compiled code, the adapters and boundary between them and JS) come first and are dropped from
 * `stack` (see `withWasmStack`), and the JS frames after them must still be there to show.
 */
const ENGINE_FRAMES = 32;

/** A new trap `message`, its V8 stack deep enough to reach past the engine's frames. */
export function newTrap(message: string): RuntimeError {
  const limit = Error.stackTraceLimit;
  if (typeof limit !== "number" || !Number.isFinite(limit)) return new RuntimeError(message);
  Error.stackTraceLimit = limit + ENGINE_FRAMES;
  try {
    return new RuntimeError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The trap of a call from JS that ran past its `timeoutMs`. */
export function timeoutTrap(timeoutMs: number): never {
  throw newTrap(`timeout: execution took longer than ${timeoutMs} ms`);
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
  return frameAt(f, f.offsets?.[pc]);
}

/** The backtrace record of `f` stopped at byte offset `offset` in its module. */
export function frameAt(f: WasmFunc, offset: number | undefined): WasmFrame {
  const module = f.inst.module;
  const frame = { index: f.index, name: module.names.functions.get(f.index), offset };
  moduleOfFrame.set(frame, module);
  return frame;
}

/** Each frame's module, for its URL in `stack` (kept off the record, which stays plain data). */
const moduleOfFrame = new WeakMap<WasmFrame, ModuleInfo>();

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
  if (err.wasmFrames === undefined) withWasmStack(err);
  const frames = err.wasmFrames ??= [];
  if (frames.length >= MAX_FRAMES) return false;
  frames.push(frame);
  return true;
}

/**
 * Gives the trap a `stack` that reads as V8's does for the built-in engine: its wasm frames first,
 * `    at name (wasm://wasm/<hash>:wasm-function[N]:0xOFF)`, then the JS frames outside the engine,
 * `Error.stackTraceLimit` frames in all. The engine's own frames (the run loop, the trap helpers,
 * compiled code's) are dropped: they say nothing to the user. Rendered when read, from the frames
 * recorded by then and V8's own (lazily formatted) stack. Left alone when the program formats
 * stacks itself (`Error.prepareStackTrace`), or when the property is not V8's accessor.
 */
function withWasmStack(err: Trap): void {
  if ((Error as { prepareStackTrace?: unknown }).prepareStackTrace !== undefined) return;
  const own = Object.getOwnPropertyDescriptor(err, "stack");
  if (own?.get === undefined || !own.configurable) return;
  const limit = Error.stackTraceLimit;
  const header = err.message === "" ? err.name : `${err.name}: ${err.message}`;
  Object.defineProperty(err, "stack", {
    configurable: true,
    enumerable: false,
    get(this: Trap) {
      return renderStack(header, this.wasmFrames ?? [], String(own.get!.call(this)), limit);
    },
    set(this: Trap, value: unknown) {
      Object.defineProperty(this, "stack", { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/** The engine's source folder: frames in its files are the engine's own. */
const ENGINE_SRC = new URL("../", import.meta.url).href;

/**
 * One V8 stack line in the engine: its files, its generated code, the compile cache's copy of that
 * (engine/code_cache.ts names it `<sha-256>-<generator hash>.js`).
 */
function isEngineLine(line: string): boolean {
  return line.includes(ENGINE_SRC) || line.includes("wasm://wasm/") ||
    /[0-9a-f]{64}-[0-9a-f]+\.js:/.test(line);
}

/** `stack` of a trap: see `withWasmStack`. */
function renderStack(header: string, frames: WasmFrame[], v8Stack: string, limit: number): string {
  const lines = [header];
  const max = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : Infinity;
  for (const f of frames) {
    if (lines.length > max) break;
    lines.push(`    at ${f.name || "<anonymous>"} (${frameLocation(f)})`);
  }
  // V8's frames: the engine's first (where the trap was raised, up to where JS called in), then JS.
  const v8Lines = v8Stack.split("\n").filter((l) => /^\s+at /.test(l));
  let i = 0;
  while (i < v8Lines.length && isEngineLine(v8Lines[i])) i++;
  for (; i < v8Lines.length && lines.length <= max; i++) {
    if (!v8Lines[i].includes(ENGINE_SRC)) lines.push(v8Lines[i]);
  }
  return lines.join("\n");
}

/** `wasm://wasm/<hash>:wasm-function[N]:0xOFF`, V8's location of a wasm frame. */
function frameLocation(f: WasmFrame): string {
  const module = moduleOfFrame.get(f);
  const url = module ? functionUrl(module, f.index) : `wasm://wasm/unknown:wasm-function[${f.index}]`;
  return typeof f.offset === "number" ? `${url}:0x${f.offset.toString(16)}` : url;
}
