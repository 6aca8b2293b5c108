/**
 * Moving values between frame slots and JS, following the JS API's ToJSValue / ToWebAssemblyValue:
 * i64 is a BigInt, f32 is rounded, funcref is an exported function (or null), externref is any value.
 */
import { ValType } from "../wasm/types.ts";
import { F32, F64, I32, R } from "./machine.ts";
import type { FuncInst } from "./objects.ts";

/** Maps exported JS functions back to the function instances behind them. */
export const funcOfJs: WeakMap<object, FuncInst> = new WeakMap();

/** Set by the API layer: wraps a function instance as a callable JS function (created once). */
export const exporter: { wrap: (f: FuncInst) => (...args: unknown[]) => unknown } = {
  wrap: () => {
    throw new Error("exporter not installed");
  },
};

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
    case ValType.FuncRef: {
      const f = R[s] as FuncInst | null | undefined;
      return f ? exporter.wrap(f) : null;
    }
    case ValType.ExternRef:
      return R[s]; // an externref may hold undefined (the JS API keeps it)
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

/** Converts a JS value to a reference of `type`, checking that funcrefs are wasm functions. */
export function jsToRef(type: ValType, v: unknown): unknown {
  if (type === ValType.ExternRef) return v;
  if (v === null) return null;
  const f = typeof v === "function" ? funcOfJs.get(v) : undefined;
  if (!f) throw new TypeError("a funcref must be null or an exported WebAssembly function");
  return f;
}

/**
 * ToWebAssemblyValue without the write: the wasm value of JS value `v` as `type` (a number for
 * i32/f32/f64, a BigInt for i64, the reference for funcref/externref). This is where user code runs
 * (valueOf, toString, Symbol.toPrimitive), so callers convert everything before writing any slot.
 */
export function toWasmValue(type: ValType, v: unknown): unknown {
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
  throw new TypeError(`type ${type} cannot cross the JS boundary`);
}
