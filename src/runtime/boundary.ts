/**
 * The JS ⇄ wasm boundary. Values between frame slots and JS, following the JS API's ToJSValue /
 * ToWebAssemblyValue (i64 is a BigInt, f32 is rounded, funcref is an exported function or null,
 * externref is any value); the JS functions that call wasm functions (exports); calling a host (JS)
 * function from wasm code; and what the engine needs around that: the marker that carries a host's
 * thrown value through the engine untouched, and the deadline of the running call from JS, which binds
 * after each host call.
 */
import { RuntimeError } from "../wasm/errors.ts";
import { rttOf, sigMatches } from "../wasm/type_canon.ts";
import { refTester } from "./gc.ts";
import {
  type FuncType,
  heapOf,
  HeapType,
  isNullable,
  isRefType,
  REF_BASE,
  TYPE_HEAP,
  typeIndexOf,
  TypeKind,
  ValType,
  valTypeName,
} from "../wasm/types.ts";
import { F32, F64, I32, machine, R, STACK_SLOTS, timing } from "./machine.ts";
import { type FuncInst, trap, WasmFunc } from "./objects.ts";
import { execute } from "./call.ts";
import { engineError, HostThrow, timeoutTrap } from "./trap.ts";
import { fibers, isSuspend, isThenable, Suspend, SuspendError } from "./jspi.ts";
import { foreignLinks, pullForeign, pushForeign } from "./foreign.ts";

/**
 * JS stack a host call is assumed to take (its frame, the host function's, and the exported
 * function's and run loop's when the host calls back into wasm), counted in `machine.jsStack`.
 */
// Measured: a level of wasm -> host -> wasm takes about 1.6 KB of real stack (611 levels fill V8's), so at
// 1.25 KiB a level the budget below stops at 512 levels, short of V8's own limit.
const HOST_JS_COST = 1280;
/**
 * Past this much counted JS stack, calling a host function traps "call stack exhausted": recursion
 * through JS imports then ends in the engine's trap, well before V8's own stack limit (about 1 MB)
 * would be hit somewhere in the host's code.
 */
const HOST_JS_LIMIT = 640 * 1024;

/** Calls `f` with its arguments at absolute slot `base`; its results are written from `base` on. */
export function callHost(f: HostFunc, base: number): void {
  if (f.direct !== undefined) return f.direct(base);
  const type = f.type, params = type.params, results = type.results;
  const np = params.length, nr = results.length;
  const savedJs = machine.jsStack;
  if (savedJs > HOST_JS_LIMIT) throw new RuntimeError("call stack exhausted");
  // Arguments out of their slots first (this runs no user code), as locals when there are few.
  let a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, args: unknown[] | undefined;
  try {
    if (np > 5) {
      args = new Array(np);
      for (let i = 0; i < np; i++) args[i] = slotToJs(params[i], base + i);
    } else if (np > 0) {
      a0 = slotToJs(params[0], base);
      if (np > 1) {
        a1 = slotToJs(params[1], base + 1);
        if (np > 2) {
          a2 = slotToJs(params[2], base + 2);
          if (np > 3) {
            a3 = slotToJs(params[3], base + 3);
            if (np > 4) a4 = slotToJs(params[4], base + 4);
          }
        }
      }
    }
  } catch (e) {
    // A v128 or exnref argument: the host function throws a TypeError (JS API), which wasm sees
    // as any exception from JS (catch_all catches it).
    throw new HostThrow(e);
  }
  const fn = f.callable; // called with `this` undefined, as the JS API does
  const savedTop = machine.top;
  // A re-entrant call into wasm, from the host or from a conversion of its results (valueOf,
  // iterators), must place its frames above everything live here: `top` stays raised until all
  // results are converted, and only then are they written.
  machine.top = base + (np > nr ? np : nr) + 1;
  machine.jsStack = savedJs + HOST_JS_COST;
  fibers.hostNesting++;
  if (foreignLinks !== 0) pushForeign(); // the host may look at V8's objects we share
  let out: unknown;
  try {
    let ret: unknown;
    switch (np) {
      case 0:
        ret = fn();
        break;
      case 1:
        ret = fn(a0);
        break;
      case 2:
        ret = fn(a0, a1);
        break;
      case 3:
        ret = fn(a0, a1, a2);
        break;
      case 4:
        ret = fn(a0, a1, a2, a3);
        break;
      case 5:
        ret = fn(a0, a1, a2, a3, a4);
        break;
      default:
        ret = fn(...args!);
    }
    if (f.suspending && isThenable(ret)) throw suspension(f, base, ret);
    if (nr === 1) out = toWasmValue(results[0], ret, f.sigIds);
    else if (nr > 1) out = multipleResults(f, ret);
  } catch (e) {
    throw HostThrow.is(e) || isSuspend(e) ? e : new HostThrow(e);
  } finally {
    machine.top = savedTop, machine.jsStack = savedJs;
    fibers.hostNesting--;
    if (foreignLinks !== 0) pullForeign();
  }
  if (nr === 1) storeSlot(results[0], out, base);
  else if (nr > 1) {
    const values = out as unknown[];
    for (let i = 0; i < nr; i++) storeSlot(results[i], values[i], base + i);
  }
  // A host that blocked (a sleep, a read) until the deadline returns to a trap at once.
  if (timing.deadline !== Infinity && performance.now() > timing.deadline) timeoutTrap(timing.timeoutMs);
}

/**
 * A suspending import returned a promise: the `Suspend` that takes the computation out of the run
 * loop, when it runs under `promising` with no JS frame between (else a SuspendError, as in V8).
 */
function suspension(f: HostFunc, base: number, promise: PromiseLike<unknown>): Suspend {
  const s = fibers.active;
  if (s === null) throw new SuspendError("trying to suspend without WebAssembly.promising");
  if (fibers.hostNesting !== s.hostNesting + 1) throw new SuspendError("trying to suspend JS frames");
  return new Suspend(promise, f, base, s);
}

/** The results of a host function with several: an iterable of exactly that many, converted. */
function multipleResults(f: HostFunc, ret: unknown): unknown[] {
  const results = f.type.results;
  if (ret === null || typeof ret !== "object" || !(Symbol.iterator in ret)) {
    throw new TypeError("a host function with several results must return an iterable");
  }
  const values = [...(ret as Iterable<unknown>)];
  if (values.length !== results.length) {
    throw new TypeError(`expected ${results.length} results from the host function, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) values[i] = toWasmValue(results[i], values[i], f.sigIds);
  return values;
}

/** Maps exported JS functions back to the function instances behind them. */
export const funcOfJs: WeakMap<object, FuncInst> = new WeakMap();

/** Reads slot `s` (absolute slot index) as a JS value. */
export function slotToJs(type: ValType, s: number): unknown {
  switch (type) {
    case ValType.I32:
      return I32[2 * s];
    case ValType.I64:
      return (BigInt(I32[2 * s + 1]) << 32n) | BigInt(I32[2 * s] >>> 0);
    case ValType.F32:
      return F32[2 * s];
    case ValType.F64:
      return F64[s];
    case ValType.ExternRef:
      return R[s]; // an externref may hold undefined (the JS API keeps it)
  }
  // A function reference leaves as its JS function; every other reference (GC objects, i31 values
  // as numbers, host values) is itself in JS.
  if (isRefType(type) && !jsIncompatible(type)) { // exnref never crosses (the JS API)
    const v = R[s];
    return v instanceof WasmFunc || v instanceof HostFunc ? wrapFunction(v) : v;
  }
  throw new TypeError(`type ${type} cannot cross the JS boundary`);
}

/**
 * ToBigInt64 of the JS API. `BigInt.asIntN` applies ToBigInt itself: numbers are a TypeError, also
 * when an object's valueOf returns one (`BigInt(v)` would convert those).
 */
export function toBigInt64(v: unknown): bigint {
  if (typeof v === "number") throw new TypeError("Cannot convert a Number to a BigInt for an i64 value");
  return BigInt.asIntN(64, v as bigint);
}

/**
 * Converts a JS value to a reference of `type`, checking that funcrefs are wasm functions, that a
 * non-null type gets no null, and that a function of a concrete type (`(ref $t)`) has that type:
 * `sigIds` are the canonical ids of the types of the module the type comes from (without them, no
 * function passes as a concrete type).
 */
export function jsToRef(type: ValType, v: unknown, sigIds?: readonly number[]): unknown {
  if (type === ValType.ExternRef) return v;
  if (v === null) {
    if (!isNullable(type)) throw new TypeError(`null is not a value of type ${valTypeName(type)}`);
    return null;
  }
  const heap = heapOf(type);
  switch (heap) {
    case HeapType.Extern:
    case HeapType.Any: // a host value stands for itself in the any hierarchy too (see runtime/gc.ts)
      return v;
    case HeapType.Func:
      return jsToFunc(type, v, sigIds);
    case HeapType.Eq:
    case HeapType.I31:
    case HeapType.Struct:
    case HeapType.Array:
      if (!refTester(heap, false)(v)) throw new TypeError(`the value is not of type ${valTypeName(type)}`);
      return v;
  }
  if (heap < TYPE_HEAP) throw new TypeError(`only null is a value of type ${valTypeName(type)}`);
  const id = sigIds?.[heap - TYPE_HEAP];
  if (id === undefined) throw new TypeError(`type ${valTypeName(type)} cannot cross the JS boundary`);
  if (rttOf(id).kind === TypeKind.Func) return jsToFunc(type, v, sigIds);
  if (!refTester(TYPE_HEAP + id, false)(v)) {
    throw new TypeError(`the value is not of type ${valTypeName(type)}`);
  }
  return v;
}

/** A function reference from JS: one of our exported functions, of the concrete type if `type` names one. */
function jsToFunc(type: ValType, v: unknown, sigIds?: readonly number[]): FuncInst {
  const f = typeof v === "function" ? funcOfJs.get(v) : undefined;
  if (!f) throw new TypeError("a funcref must be null or an exported WebAssembly function");
  const x = typeIndexOf(type);
  if (x >= 0 && (sigIds === undefined || !sigMatches(f.sigId, sigIds[x]))) {
    throw new TypeError(`the function is not of type ${valTypeName(type)}`);
  }
  return f;
}

/**
 * ToWebAssemblyValue without the write: the wasm value of JS value `v` as `type` (a number for
 * i32/f32/f64, a BigInt for i64, the reference for funcref/externref). This is where user code runs
 * (valueOf, toString, Symbol.toPrimitive), so callers convert everything before writing any slot.
 */
export function toWasmValue(type: ValType, v: unknown, sigIds?: readonly number[]): unknown {
  switch (type) {
    case ValType.I32:
    case ValType.F32:
    case ValType.F64:
      return +(v as number);
    case ValType.I64:
      return toBigInt64(v);
    case ValType.FuncRef:
    case ValType.ExternRef:
      return jsToRef(type, v);
  }
  if (type >= REF_BASE) return jsToRef(type, v, sigIds);
  throw new TypeError(`type ${type} cannot cross the JS boundary`);
}

/** Writes `x`, a value converted by `toWasmValue` for `type`, into slot `s`. Runs no user code. */
export function storeSlot(type: ValType, x: unknown, s: number): void {
  switch (type) {
    case ValType.I32:
      I32[2 * s] = x as number;
      return;
    case ValType.I64: {
      const b = x as bigint;
      I32[2 * s] = Number(BigInt.asIntN(32, b));
      I32[2 * s + 1] = Number(b >> 32n);
      return;
    }
    case ValType.F32:
      F32[2 * s] = x as number;
      return;
    case ValType.F64:
      F64[s] = x as number;
      return;
    case ValType.FuncRef:
    case ValType.ExternRef:
      R[s] = x;
      return;
  }
  if (type >= REF_BASE) {
    R[s] = x;
    return;
  }
  throw new TypeError(`type ${type} cannot cross the JS boundary`);
}

/** v128 or an exception reference (exnref, nullexnref): types JS cannot pass or take (JS API). */
export function jsIncompatible(t: ValType): boolean {
  if (t === ValType.V128 || t === ValType.ExnRef) return true;
  return t >= REF_BASE && (heapOf(t) === HeapType.Exn || heapOf(t) === HeapType.NoExn);
}

/** Whether a call from JS is a TypeError before it starts (v128 or exnref in the signature). */
function hasV128(type: FuncType): boolean {
  return type.params.some(jsIncompatible) || type.results.some(jsIncompatible);
}

/**
 * Makes the JS function that calls `f` (once per function instance, so identity is stable).
 *
 * Every argument is converted (ToWebAssemblyValue, which may run user code: valueOf, BigInt
 * conversions) before anything is written to the value stack, and the frame is placed at
 * `machine.top` only then: a conversion that calls into wasm again finds `top` above every live
 * frame and leaves it there when it returns. Up to three parameters need no allocation.
 */
export function wrapFunction(f: FuncInst): (...args: unknown[]) => unknown {
  if (f.jsFunction) return f.jsFunction;
  const { params, results } = f.type;
  const room = Math.max(params.length, results.length) + 1;
  const wasm = f instanceof WasmFunc ? f : null;
  const host = f instanceof HostFunc ? f : null;
  const ids = wasm !== null ? wasm.inst.sigIds : host!.sigIds; // for typed references among the params
  /** Runs `f` with its arguments written at `slot`; returns its results as JS values. */
  const run = (slot: number): unknown => {
    try {
      if (wasm === null) callHost(host!, slot);
      else {
        const meter = wasm.inst.meter;
        if (meter === null) execute(wasm, slot);
        else {
          meter.enter();
          try {
            execute(wasm, slot);
          } finally {
            meter.leave();
          }
        }
      }
    } catch (e) {
      // Back in JS: a host's thrown value is rethrown as it was; anything else is our own error.
      throw HostThrow.is(e) ? e.value : engineError(e);
    }
    if (results.length === 0) return undefined;
    if (results.length === 1) return slotToJs(results[0], slot);
    return results.map((t, i) => slotToJs(t, slot + i));
  };
  /** Where the frame goes, once the arguments are converted. */
  const frame = (): number => {
    const slot = machine.top;
    if (slot + room > STACK_SLOTS) trap("call stack exhausted");
    return slot;
  };
  const [t0, t1, t2] = params;
  let call: (...args: unknown[]) => unknown;
  if (hasV128(f.type)) {
    call = () => {
      throw new TypeError("a function with v128 in its signature cannot be called from JS");
    };
  } else {
    switch (params.length) {
      case 0:
        call = function () {
          return run(frame());
        };
        break;
      case 1:
        call = function (a: unknown) {
          const x = toWasmValue(t0, a, ids);
          const slot = frame();
          storeSlot(t0, x, slot);
          return run(slot);
        };
        break;
      case 2:
        call = function (a: unknown, b: unknown) {
          const x = toWasmValue(t0, a, ids), y = toWasmValue(t1, b, ids);
          const slot = frame();
          storeSlot(t0, x, slot), storeSlot(t1, y, slot + 1);
          return run(slot);
        };
        break;
      case 3:
        call = function (a: unknown, b: unknown, c: unknown) {
          const x = toWasmValue(t0, a, ids), y = toWasmValue(t1, b, ids), z = toWasmValue(t2, c, ids);
          const slot = frame();
          storeSlot(t0, x, slot), storeSlot(t1, y, slot + 1), storeSlot(t2, z, slot + 2);
          return run(slot);
        };
        break;
      default:
        call = function (...args: unknown[]) {
          // converted in place: the rest array is this call's own
          for (let i = 0; i < params.length; i++) {
            const t = params[i]; // i32 inline: loops do not inline the generic conversions
            args[i] = t === ValType.I32 ? +(args[i] as number) : toWasmValue(t, args[i], ids);
          }
          const slot = frame();
          for (let i = 0; i < params.length; i++) {
            const t = params[i];
            if (t === ValType.I32) I32[2 * (slot + i)] = args[i] as number;
            else storeSlot(t, args[i], slot + i);
          }
          return run(slot);
        };
    }
  }
  const index = f instanceof WasmFunc ? f.index : 0;
  Object.defineProperty(call, "name", { value: String(index) });
  Object.defineProperty(call, "length", { value: params.length });
  f.jsFunction = call;
  funcOfJs.set(call, f);
  return call;
}

/** A function provided by the host (a JS function imported by a module). */
export class HostFunc {
  readonly kind = "host";
  jsFunction?: (...args: unknown[]) => unknown;
  /** Imported as a `WebAssembly.Suspending`: a promise it returns suspends the computation (JSPI). */
  suspending = false;
  /**
   * A builtin's code at the slot level (JS string builtins, engine/js_string.ts), called in place of
   * `callable`: it reads its arguments from the frame at `s`, writes its results there, and what it
   * throws is a trap (never seen by wasm's handlers as a JS exception).
   */
  readonly direct: ((s: number) => void) | undefined;
  /** How compiled code calls this function: its arguments at slot `s`, results written there. */
  readonly entry: (s: number) => void;
  /**
   * `sigIds`: the canonical type ids of the importing module (typed references in `type`); `direct`: a
   * builtin's slot-level code (see `direct`).
   */
  constructor(
    readonly type: FuncType,
    readonly sigId: number,
    readonly callable: (...args: unknown[]) => unknown,
    readonly sigIds?: readonly number[],
    direct?: (s: number) => void,
  ) {
    this.direct = direct;
    this.entry = direct ?? ((s) => callHost(this, s)); // compiled code calls a builtin's code directly
  }
}
