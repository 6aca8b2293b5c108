/**
 * Moving values between frame slots and JS, following the JS API's ToJSValue / ToWebAssemblyValue:
 * i64 is a BigInt, f32 is rounded, funcref is an exported function (or null), externref is any value.
 */
import { ValType } from "../types.ts";
import { F32, F64, I32, R } from "./machine.ts";
import type { FuncInst } from "./runtime.ts";

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
      return R[s] === undefined ? null : R[s];
  }
  throw new TypeError(`type ${type} cannot cross the JS boundary`);
}

/** ToBigInt64 of the JS API: numbers are a TypeError, not converted. */
export function toBigInt64(v: unknown): bigint {
  if (typeof v === "number") throw new TypeError("Cannot convert a Number to a BigInt for an i64 value");
  return BigInt.asIntN(64, BigInt(v as string | boolean | bigint));
}

/** Converts a JS value to a reference of `type`, checking that funcrefs are wasm functions. */
export function jsToRef(type: ValType, v: unknown): unknown {
  if (type === ValType.ExternRef) return v;
  if (v === null) return null;
  const f = typeof v === "function" ? funcOfJs.get(v) : undefined;
  if (!f) throw new TypeError("a funcref must be null or an exported WebAssembly function");
  return f;
}

/** Writes JS value `v` into slot `s` as `type`. */
export function jsToSlot(type: ValType, v: unknown, s: number): void {
  switch (type) {
    case ValType.I32:
      I32[2 * s] = +(v as number);
      return;
    case ValType.I64: {
      const x = toBigInt64(v);
      I32[2 * s] = Number(BigInt.asIntN(32, x));
      I32[2 * s + 1] = Number(x >> 32n);
      return;
    }
    case ValType.F32:
      F32[2 * s] = +(v as number);
      return;
    case ValType.F64:
      F64[s] = +(v as number);
      return;
    case ValType.FuncRef:
    case ValType.ExternRef:
      R[s] = jsToRef(type, v);
      return;
  }
  throw new TypeError(`type ${type} cannot cross the JS boundary`);
}
