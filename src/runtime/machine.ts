/**
 * The machine state shared by every instance in this JS realm: one value stack that all wasm frames
 * live on, addressed by fixed slot offsets from a frame base, and the call-depth bookkeeping.
 *
 * A slot is 8 bytes. i32 and f32 live in the low 4 bytes (read through `I32`/`F32` at index 2·slot),
 * i64 as two 32-bit halves (low at 2·slot, high at 2·slot+1), f64 in all 8 (through `F64` at slot).
 * Moves of 64-bit values go through the two halves: V8 may quiet a signalling NaN when a double passes
 * through a JS value, and wasm must preserve NaN bit patterns. References live in `R`, indexed by slot.
 *
 * Ops receive `b`, the frame base in 32-bit units (2·slot), because 32-bit accesses are the most common.
 */

/** Capacity of the value stack in slots (32 MiB; the OS commits pages only when touched). */
export const STACK_SLOTS = 4 * 1024 * 1024;

const buffer = new ArrayBuffer(STACK_SLOTS * 8);
/**
 * The slots as 32-bit integers. Closure factories copy it into a local first (`const i32 = I32`): their
 * closures then read a context slot of their own, which V8 makes cheaper than a module binding.
 */
export const I32: Int32Array = new Int32Array(buffer);
export const F32: Float32Array = new Float32Array(buffer);
export const F64: Float64Array = new Float64Array(buffer);
export const R: unknown[] = [];
/** v128 values, 4 ints per slot (index 4·slot), apart from the 8-byte slots like `R` (committed lazily). */
export const V: Int32Array = new Int32Array(STACK_SLOTS * 4);

/** Scratch cell for bit conversions between integers and floats. */
const scratch = new ArrayBuffer(8);
export const scratchI32: Int32Array = new Int32Array(scratch);
export const scratchF32: Float32Array = new Float32Array(scratch);
export const scratchF64: Float64Array = new Float64Array(scratch);

/** Default maximum wasm call depth; an instance option can change it. */
export const DEFAULT_MAX_CALL_DEPTH = 30000;

/**
 * Mutable machine registers. `top` is the first free slot above every live frame; it is kept exact
 * only at the boundaries where JS can re-enter wasm (host calls), which is all nested runs need.
 */
export const machine = {
  top: 0,
  depth: 0,
  /** Call depth at which the running call from JS traps with "call stack exhausted". */
  limit: DEFAULT_MAX_CALL_DEPTH,
  /** Bytes of JS stack held by functions compiled to JS (see `src/jit/`), against their budget. */
  jsStack: 0,
};

/**
 * How a call op hands its callee to the run loop: the op stores the callee and the slot (relative
 * to the caller's frame) where the arguments start, then returns CALL. That slot becomes the
 * callee's frame base, so arguments are passed without copying. A hot loop's op returning OSR
 * leaves the loop's byte offset in `osrAt`.
 */
export const callState: { fn: unknown; argSlot: number; osrAt: number } = { fn: null, argSlot: 0, osrAt: 0 };

/** Bytes of JS stack compiled frames may take before calls continue on the interpreter. */
export const JS_BUDGET = 384 * 1024;

/** Deepest wasm call nesting any instance may ask for (the interpreter's saved-frame arrays hold this many). */
export const MAX_DEPTH = 1_000_000;

/**
 * The deadline (performance.now() ms) of the innermost running call from JS of an instance with a
 * timeout, and that timeout, for the trap's message; Infinity when none is running. Kept by
 * `Meter.enter`/`leave`; read by `currentDeadline` and after every host call.
 */
export const timing: { deadline: number; timeoutMs: number } = { deadline: Infinity, timeoutMs: Infinity };
