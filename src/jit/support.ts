/**
 * What code compiled to JS calls at run time: traps that remember the instruction's offset, the
 * unwinding step that adds a compiled function's frame to a trap's backtrace, and the few i64 and
 * float helpers too long to inline. Pure TypeScript, like the rest of the engine.
 */
import { sigMatches } from "../wasm/type_canon.ts";
import type { RuntimeError } from "../wasm/errors.ts";
import { F64, I32, machine, R, scratchF32, scratchF64, scratchI32, V } from "../runtime/machine.ts";
import type { WasmFunc } from "../runtime/objects.ts";
import { addFrame, frameAt, newTrap, trapOf, type WasmFrame } from "../runtime/trap.ts";
import { nearest } from "../interp/ops/ops_float.ts";
import { ctz32, popcnt32 } from "../interp/ops/ops_i32.ts";
import { i64Hi, isMinByMinusOne, sdiv64, udiv64 } from "../interp/ops/ops_i64.ts";
import { RT } from "./names.ts";
import { caught, exceptionFromSlots, payloadToSlots, tagOf } from "../runtime/exceptions.ts";

/** A trap raised by compiled code, carrying the offset of the instruction that raised it. */
interface SitedError extends RuntimeError {
  jitSite?: number;
  wasmFrames?: WasmFrame[];
}

/** What V8's DataView throws for an access past its end (read from V8 itself, not spelled out). */
const DATAVIEW_OUT_OF_BOUNDS = (() => {
  try {
    new DataView(new ArrayBuffer(0)).getInt8(0);
  } catch (e) {
    return (e as Error).message;
  }
})();

/** Throws trap `message` for the instruction at `at` (an offset from the start of the function's body). */
function trapAt(at: number, message: string): never {
  const e = newTrap(message) as SitedError;
  e.jitSite = at;
  throw e;
}

/** The trap of a memory access at `at` (see `trapAt`) past the end of memory. */
function oob(at: number): never {
  return trapAt(at, "out of bounds memory access");
}

/**
 * Adds the frame of compiled function `f` (stopped at `site`, unless the trap carries its own
 * offset) to the error's wasm backtrace; a JS stack overflow becomes "call stack exhausted". A
 * host's thrown value (a `HostThrow`) passes untouched: nothing of it is read.
 */
function unwind(e: unknown, f: WasmFunc, site: number): unknown {
  // Compiled loads and stores leave their bounds check to the DataView (compile.ts `effectiveAddress`).
  if (e instanceof RangeError && e.message === DATAVIEW_OUT_OF_BOUNDS) {
    e = newTrap("out of bounds memory access");
  }
  const err = trapOf(e) as SitedError | null;
  if (err === null) return e;
  let offset = site;
  if (err.jitSite !== undefined) offset = err.jitSite, err.jitSite = undefined;
  // Compiled code counts its sites from the start of the function's body (compile.ts `site`).
  addFrame(err, frameAt(f, f.body.codeStart + offset));
  return err;
}

function divU64(al: number, ah: number, bl: number, bh: number, at: number): number {
  if ((bl | bh) === 0) trapAt(at, "integer divide by zero");
  return udiv64(al, ah, bl, bh, false);
}

function remU64(al: number, ah: number, bl: number, bh: number, at: number): number {
  if ((bl | bh) === 0) trapAt(at, "integer divide by zero");
  return udiv64(al, ah, bl, bh, true);
}

function divS64(al: number, ah: number, bl: number, bh: number, at: number): number {
  if ((bl | bh) === 0) trapAt(at, "integer divide by zero");
  if (isMinByMinusOne(al, ah, bl, bh)) trapAt(at, "integer overflow");
  return sdiv64(al, ah, bl, bh, false);
}

function remS64(al: number, ah: number, bl: number, bh: number, at: number): number {
  if ((bl | bh) === 0) trapAt(at, "integer divide by zero");
  return sdiv64(al, ah, bl, bh, true);
}

// Math.floor and friends hand a signalling NaN back unchanged; wasm wants it quieted.
const ceil = (x: number) => x !== x ? NaN : Math.ceil(x);
const floor = (x: number) => x !== x ? NaN : Math.floor(x);
const trunc = (x: number) => x !== x ? NaN : Math.trunc(x);

/** f64.copysign on the bits, so that a NaN keeps its payload. */
function copysign64(a: number, b: number): number {
  scratchF64[0] = b;
  // Only `b`'s sign is read through the scratch views: `a` stays a number, as Math.abs and negation
  // touch its sign bit alone (a store would be one more place where V8 may quiet a NaN).
  const abs = Math.abs(a);
  return scratchI32[1] < 0 ? -abs : abs;
}

/**
 * f32 values live in JS numbers in compiled code. Converting float to double quiets a signalling NaN,
 * so one is kept as the quiet double NaN it converts to, marked by the lowest mantissa bit (which a
 * converted float never sets): moves, `neg`, `abs` and `copysign` keep the mark; arithmetic, whose
 * result goes through `Math.fround`, drops it, as the quieting the spec asks for.
 */
function f32FromBits(bits: number): number {
  scratchI32[0] = bits;
  const x = scratchF32[0];
  if (x === x || (bits & 0x400000) !== 0) return x; // not NaN, or a quiet NaN: the conversion is exact
  scratchF64[0] = x;
  scratchI32[0] |= 1;
  return scratchF64[0];
}

/** The bits of an f32 NaN held as a number (marked when it was signalling). */
function f32NaNBits(x: number): number {
  scratchF64[0] = x;
  const signalling = (scratchI32[0] & 1) !== 0;
  scratchF32[0] = x;
  return signalling ? scratchI32[0] & ~0x400000 : scratchI32[0];
}

/** The environment every compiled function closes over (passed to its factory as `E`). */
export const env = {
  I32,

  F64,
  R,
  V,
  machine,
  scratchI32,
  scratchF32,
  scratchF64,
  hi: i64Hi,
  trapAt,
  oob,
  unwind,
  divU64,
  remU64,
  divS64,
  remS64,
  ctz32,
  popcnt32,
  ceil,
  floor,
  trunc,
  nearest,
  copysign64,
  f32FromBits,
  f32NaNBits,
  /** Exception handling: `throw`'s exception, what a handler catches, its tag, its values into slots. */
  exception: exceptionFromSlots,
  caught,
  tagOf,
  payload: payloadToSlots,
  /** call_indirect's check when the ids differ: a subtype of the expected function type also fits. */
  sigMatches,
};

/**
 * The environment as generated code sees it (`E`): the helpers above, and `deep`, which runs `f` on the
 * threaded interpreter (deep recursion, or no room on the JS stack), bound by engine/tiering.ts
 * (with `deepDirect`).
 */
export type JitEnv = typeof env & {
  deep: (f: WasmFunc, s: number) => void;
  /**
   * The same for a direct call (see `WasmFunc.invoke`): given the caller's room (`jsLeft`, `depthLeft`)
   * and the arguments, it returns the result as a direct call does.
   */
  deepDirect: (f: WasmFunc, s: number, jsLeft: number, depthLeft: number, args: unknown[]) => unknown;
};

/** The number of an f32 given by its bits (`N`) and the bits of an f32 number (`B`), through scratch views. */
function f32OfBits(x: number): number {
  scratchI32[0] = x;
  return scratchF32[0];
}
function bitsOfF32(v: number): number {
  scratchF32[0] = v;
  return scratchI32[0];
}

/** The bits of an f32 as compiled code holds it (a number; a NaN maybe marked, see `f32FromBits`). */
export function f32ValueBits(x: number): number {
  return x === x ? bitsOfF32(x) : f32NaNBits(x);
}

/**
 * Defines the read-only globals through which generated code reaches the realm (names.ts `RT`):
 * once per realm and engine copy, by engine/tiering.ts, which binds `deep` and `deepDirect`.
 */
export function installRealm(e: JitEnv): void {
  const values: Record<keyof typeof RT, unknown> = {
    I32,
    F64,
    R,
    V,
    M: machine,
    SI: scratchI32,
    SF: scratchF32,
    SD: scratchF64,
    HI: i64Hi,
    E: e,
    N: f32OfBits,
    B: bitsOfF32,
  };
  for (const [key, name] of Object.entries(RT)) {
    Object.defineProperty(globalThis, name, { value: values[key as keyof typeof RT], writable: false });
  }
}
