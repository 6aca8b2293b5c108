/** Value-type names of the JS API ("i32", "anyfunc", …) and conversions for globals and tables. */
import { REF_BASE, ValType, valTypeName, valTypeOfJsName } from "../wasm/types.ts";
import type { GlobalInst } from "../runtime/objects.ts";
import { HostFunc, jsIncompatible, jsToRef, toBigInt64, wrapFunction } from "../runtime/boundary.ts";
import { type FuncInst, WasmFunc } from "../runtime/objects.ts";

/**
 * A value or element type by its JS API name. The name goes through ToString first, as WebIDL
 * converts an enum (an object whose toString gives "i32" names i32; a Symbol is a TypeError). Beyond
 * the JS API's names, "funcref" is accepted for "anyfunc" (V8 accepts only "anyfunc").
 */
export function parseValueType(name: unknown): ValType {
  const t = valTypeOfJsName(typeof name === "string" ? name : `${name as string}`);
  if (t === undefined || t === ValType.ExnRef) throw new TypeError(`invalid value type ${String(name)}`);
  return t;
}

/** A reference as JS sees it: function instances become their exported functions. */
export function refToJs(type: ValType, ref: unknown): unknown {
  if (type === ValType.FuncRef) return ref === null ? null : wrapFunction(ref as FuncInst);
  return ref;
}

export function readGlobal(g: GlobalInst): unknown {
  if (jsIncompatible(g.type)) throw new TypeError(`a ${valTypeName(g.type)} global cannot be read from JS`);
  switch (g.type) {
    case ValType.I32:
      return g.i32[0];
    case ValType.I64:
      return (BigInt(g.i32[1]) << 32n) | BigInt(g.i32[0] >>> 0);
    case ValType.F32:
      return g.f32[0];
    case ValType.F64:
      return g.f64[0];
    case ValType.FuncRef:
    case ValType.ExternRef:
      return refToJs(g.type, g.ref);
  }
  // Any other reference type ((ref extern), (ref $t), GC's): a function is seen as its exported
  // function (the type index alone does not say whether $t is a function type), the rest as it is.
  if (g.type >= REF_BASE) {
    const r = g.ref;
    return r instanceof WasmFunc || r instanceof HostFunc ? wrapFunction(r) : r;
  }
  throw new TypeError(`a ${valTypeName(g.type)} global cannot be read from JS`);
}

export function writeGlobal(g: GlobalInst, v: unknown): void {
  if (jsIncompatible(g.type)) {
    throw new TypeError(`a ${valTypeName(g.type)} global cannot be written from JS`);
  }
  switch (g.type) {
    case ValType.I32:
      g.i32[0] = +(v as number);
      return;
    case ValType.I64: {
      const x = toBigInt64(v);
      g.i32[0] = Number(BigInt.asIntN(32, x));
      g.i32[1] = Number(x >> 32n);
      return;
    }
    case ValType.F32:
      g.f32[0] = +(v as number);
      return;
    case ValType.F64:
      g.f64[0] = +(v as number);
      return;
    case ValType.FuncRef:
    case ValType.ExternRef:
      g.ref = jsToRef(g.type, v);
      return;
  }
  if (g.type >= REF_BASE) {
    g.ref = jsToRef(g.type, v, g.sigIds); // checks null against a non-null type, a function's type
    return;
  }
  throw new TypeError(`a ${valTypeName(g.type)} global cannot be written from JS`);
}
