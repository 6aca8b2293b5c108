/**
 * Spec-test values (wabt JSON: unsigned decimal bit patterns) converted to and compared against what
 * crosses the JS API (numbers, BigInts, references) or what the SIMD bridge leaves in memory (raw bytes).
 */

/** One typed value of a wabt JSON command; `value` is a lane list for v128, absent for "any non-null ref". */
export interface SpecValue {
  type: string;
  value?: string | string[];
  lane_type?: string;
}

const scratch = new DataView(new ArrayBuffer(8));

export function f32FromBits(bits: number): number {
  scratch.setUint32(0, bits >>> 0, true);
  return scratch.getFloat32(0, true);
}

export function f64FromBits(bits: bigint): number {
  scratch.setBigUint64(0, BigInt.asUintN(64, bits), true);
  return scratch.getFloat64(0, true);
}

/** The unique host object standing for `externref N`, so identity survives a round trip through wasm. */
const hostRefs = new Map<number, object>();
export function hostRef(n: number): object {
  let ref = hostRefs.get(n);
  if (!ref) {
    ref = Object.freeze({ externref: n });
    hostRefs.set(n, ref);
  }
  return ref;
}

function scalar(v: SpecValue): string {
  if (typeof v.value !== "string") throw new Error(`${v.type} value missing`);
  return v.value;
}

/**
 * Reference types whose values are JS objects (or null) on the JS API's side. An exnref has no JS form:
 * only its nullness comes back, through the exn bridge (exn_bridge.ts).
 */
const REF_TYPES: ReadonlySet<string> = new Set([
  "exnref",
  "nullexnref",
  "externref",
  "funcref",
  "anyref",
  "eqref",
  "i31ref",
  "structref",
  "arrayref",
  "nullref",
  "nullfuncref",
  "nullexternref",
  "refnull",
]);

/** Types the JS API cannot carry in either direction (calling a function with one in its type throws). */
const NO_JS_FORM: ReadonlySet<string> = new Set(["exnref", "nullexnref"]);

/** A value the harness cannot express through the JS API: the command is counted as "could not run". */
export class CannotRun extends Error {}

/** Why a value cannot cross the JS API, or null when it can (v128 goes through the SIMD bridge). */
export function inexpressible(v: SpecValue): string | null {
  if (NO_JS_FORM.has(v.type)) return `${v.type} values cannot cross the JS API`;
  return null;
}

/** The JS value passed for an argument, following the JS API's ToWebAssemblyValue in reverse. */
export function toJs(v: SpecValue): unknown {
  switch (v.type) {
    case "i32":
      return Number(scalar(v)) | 0;
    case "i64":
      return BigInt.asIntN(64, BigInt(scalar(v)));
    case "f32":
      return f32FromBits(Number(scalar(v)));
    case "f64":
      return f64FromBits(BigInt(scalar(v)));
  }
  if (REF_TYPES.has(v.type)) {
    if (v.value === "null") return null;
    // `ref.extern N` and `ref.host N` are the same host object: the spec's JS harness makes one per N,
    // and `any.convert_extern` of `ref.extern N` must give back `ref.host N`.
    if (v.type === "externref" || v.type === "anyref") return hostRef(Number(scalar(v)));
    throw new CannotRun(`a non-null ${v.type} argument is not expressible in a script`);
  }
  throw new CannotRun(inexpressible(v) ?? `cannot pass ${v.type} through the JS API`);
}

export function describe(v: SpecValue): string {
  if (Array.isArray(v.value)) return `v128:${v.lane_type}[${v.value.join(" ")}]`;
  return `${v.type}:${v.value ?? "<non-null>"}`;
}

export function describeJs(x: unknown): string {
  if (typeof x === "bigint") return `${x}n`;
  if (typeof x === "function") return "<function>";
  if (typeof x === "number" && Object.is(x, -0)) return "-0";
  if (x !== null && typeof x === "object") return JSON.stringify(x) ?? String(x);
  return String(x);
}

/**
 * Whether a JS result matches the expectation. NaN payloads do not survive the JS API: any NaN fits a NaN
 * here (the runner sends calls that expect a NaN through the bridge, whose raw bits are checked). `probe`
 * tells structs from arrays (ref_probe.ts).
 */
export function matchesJs(expected: SpecValue, actual: unknown, probe?: RefProbe): boolean {
  switch (expected.type) {
    case "i32":
      return typeof actual === "number" && actual === (Number(scalar(expected)) | 0);
    case "i64":
      return typeof actual === "bigint" && actual === BigInt.asIntN(64, BigInt(scalar(expected)));
    case "f32":
    case "f64": {
      if (typeof actual !== "number") return false;
      const text = scalar(expected);
      if (text.startsWith("nan:")) return Number.isNaN(actual);
      const want = expected.type === "f32" ? f32FromBits(Number(text)) : f64FromBits(BigInt(text));
      return Number.isNaN(want) ? Number.isNaN(actual) : Object.is(actual, want);
    }
  }
  if (!REF_TYPES.has(expected.type)) return false;
  if (expected.value === "null") return actual === null;
  if (expected.value !== undefined) return actual === hostRef(Number(scalar(expected)));
  return matchesNonNullRef(expected.type, actual, probe);
}

/**
 * Checks a result against "any non-null reference of this type" (`(ref.func)`, `(ref.struct)`, …). From
 * JS, a function is a function and an i31 a number; struct, array and eq need a look from inside wasm:
 * the `probe` of the engine under test (ref_probe.ts).
 */
function matchesNonNullRef(type: string, actual: unknown, probe?: RefProbe): boolean {
  if (actual === null || actual === undefined) return false;
  switch (type) {
    case "funcref":
      return typeof actual === "function";
    case "externref":
    case "anyref":
      return true;
    case "i31ref":
      return typeof actual === "number" && Number.isInteger(actual) && actual >= -(2 ** 30) &&
        actual < 2 ** 30;
  }
  const kind = probe?.(actual);
  if (kind === undefined) return false;
  if (type === "structref") return kind === "struct";
  if (type === "arrayref") return kind === "array";
  if (type === "eqref") return kind === "struct" || kind === "array" || kind === "i31";
  return false;
}

/** What a GC reference is, as seen from inside wasm; undefined when the engine cannot tell. */
export type RefKind = "struct" | "array" | "i31" | "other";
export type RefProbe = (x: unknown) => RefKind | undefined;

// ---- raw values, as the SIMD bridge stores them in memory ----

/** Bit width of one lane of each v128 lane type. */
const LANE_BITS: Record<string, number> = { i8: 8, i16: 16, i32: 32, i64: 64, f32: 32, f64: 64 };

/** Width in bytes of the raw storage of each value type; references cannot be stored. */
export const RAW_SIZE: Record<string, number> = { i32: 4, i64: 8, f32: 4, f64: 8, v128: 16 };

function readBits(view: DataView, offset: number, bits: number): bigint {
  switch (bits) {
    case 8:
      return BigInt(view.getUint8(offset));
    case 16:
      return BigInt(view.getUint16(offset, true));
    case 32:
      return BigInt(view.getUint32(offset, true));
  }
  return view.getBigUint64(offset, true);
}

function writeBits(view: DataView, offset: number, bits: number, value: bigint): void {
  const v = BigInt.asUintN(bits, value);
  switch (bits) {
    case 8:
      return view.setUint8(offset, Number(v));
    case 16:
      return view.setUint16(offset, Number(v), true);
    case 32:
      return view.setUint32(offset, Number(v), true);
  }
  view.setBigUint64(offset, v, true);
}

/** Lanes of a value as [bit width, is float, decimal text] triples; scalars are a single lane. */
function lanes(v: SpecValue): { bits: number; float: boolean; values: string[] } {
  if (v.type === "v128") {
    const laneType = v.lane_type ?? "";
    const bits = LANE_BITS[laneType];
    if (!bits || !Array.isArray(v.value)) throw new Error(`bad v128 value ${JSON.stringify(v)}`);
    return { bits, float: laneType.startsWith("f"), values: v.value };
  }
  const size = RAW_SIZE[v.type];
  if (!size) throw new Error(`${v.type} cannot be stored in memory`);
  return { bits: size * 8, float: v.type.startsWith("f"), values: [scalar(v)] };
}

export function writeRaw(view: DataView, offset: number, v: SpecValue): void {
  const { bits, values } = lanes(v);
  values.forEach((text, i) => writeBits(view, offset + i * bits / 8, bits, BigInt(text)));
}

/** NaN checks on raw bits: canonical = quiet bit only; arithmetic = quiet bit set, any payload. */
function nanMatches(kind: string, raw: bigint, bits: number): boolean {
  const mantissaBits = bits === 32 ? 23n : 52n;
  const exponentAndQuiet = ((1n << BigInt(bits - 1)) - 1n) & ~((1n << (mantissaBits - 1n)) - 1n);
  const magnitude = raw & ((1n << BigInt(bits - 1)) - 1n);
  if (kind === "nan:canonical") return magnitude === exponentAndQuiet;
  if (kind === "nan:arithmetic") return (magnitude & exponentAndQuiet) === exponentAndQuiet;
  return false;
}

/** Whether raw memory matches exactly (bit patterns are observable here, so NaN kinds are checked). */
export function matchesRaw(expected: SpecValue, view: DataView, offset: number): boolean {
  const { bits, float, values } = lanes(expected);
  return values.every((text, i) => {
    const raw = readBits(view, offset + i * bits / 8, bits);
    if (float && text.startsWith("nan:")) return nanMatches(text, raw, bits);
    return raw === BigInt.asUintN(bits, BigInt(text));
  });
}

export function describeRaw(type: string, view: DataView, offset: number): string {
  const size = RAW_SIZE[type] ?? 0;
  const hex = Array.from({ length: size }, (_, i) => view.getUint8(offset + i).toString(16).padStart(2, "0"));
  return `${type}:0x${hex.reverse().join("")}`;
}
