/**
 * JS String Builtins (the `wasm:js-string` import namespace of Wasm 3.0's JS API): the functions, each
 * as the proposal's pseudo-code says over JS values (`charCodeAt(s, i)`…), the exact function type each
 * must be imported with, checked at compile time, and the host functions an instance gets for them.
 *
 * Those host functions run at the slot level (`HostFunc.direct`): their arguments are read from the
 * frame and their result written there, with no conversion of values and no `HostThrow`, because a
 * module that uses them calls them in its inner loops (Kotlin's and Java's string code), and a failed
 * check is a trap (uncatchable by wasm), not an exception from JS.
 */
import { I32, R } from "../runtime/machine.ts";
import { trap } from "../runtime/objects.ts";
import { HostFunc } from "../runtime/boundary.ts";
import { type GcArray, i16Elements } from "../runtime/gc.ts";
import {
  type DefType,
  type FuncType,
  HeapType,
  isNullable,
  type ModuleInfo,
  Packed,
  refType,
  typeIndexOf,
  TypeKind,
  ValType,
} from "../wasm/types.ts";

/** The import module name of the builtins, enabled by `builtins: ["js-string"]` at compile time. */
export const JS_STRING_MODULE = "wasm:js-string";

// ---- The builtins over JS values, as the proposal defines them ----
// i32 arguments come signed, as ToJSValue gives them; each function reinterprets them as unsigned.

function castTrap(): never {
  return trap("illegal cast");
}

/** A string, or the trap of a failed cast. */
export function cast(s: unknown): string {
  return typeof s === "string" ? s : castTrap();
}

export function test(s: unknown): number {
  return typeof s === "string" ? 1 : 0;
}

export function fromCharCode(code: number): string {
  return String.fromCharCode(code >>> 0);
}

export function fromCodePoint(code: number): string {
  const c = code >>> 0;
  if (c > 0x10ffff) trap(`invalid code point ${c}`);
  return String.fromCodePoint(c);
}

export function charCodeAt(s: unknown, index: number): number {
  if (typeof s !== "string") castTrap();
  const i = index >>> 0;
  if (i >= s.length) trap("string offset out of bounds");
  return s.charCodeAt(i);
}

export function codePointAt(s: unknown, index: number): number {
  if (typeof s !== "string") castTrap();
  const i = index >>> 0;
  if (i >= s.length) trap("string offset out of bounds");
  return s.codePointAt(i)!;
}

export function length(s: unknown): number {
  return typeof s === "string" ? s.length : castTrap();
}

export function concat(a: unknown, b: unknown): string {
  if (typeof a !== "string" || typeof b !== "string") castTrap();
  return a + b;
}

export function substring(s: unknown, start: number, end: number): string {
  if (typeof s !== "string") castTrap();
  const from = start >>> 0, to = end >>> 0;
  // An unordered or out-of-range start is the empty string (not `substring`'s swapping).
  if (from > to || from > s.length) return "";
  return s.substring(from, to);
}

export function equals(a: unknown, b: unknown): number {
  // null is a value here (two nulls are equal); any other non-string traps.
  if (a !== null && typeof a !== "string" || b !== null && typeof b !== "string") castTrap();
  return a === b ? 1 : 0;
}

export function compare(a: unknown, b: unknown): number {
  if (typeof a !== "string" || typeof b !== "string") castTrap();
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The i16 elements of `array` (a `(ref null (array (mut i16)))`), `length` of them: a null traps. */
function charCodes(array: unknown): Int16Array {
  if (array === null) trap("dereferencing a null pointer");
  const codes = i16Elements(array);
  // Only the type check at compile time lets anything but an i16 array come here.
  if (codes === undefined) throw new TypeError("fromCharCodeArray/intoCharCodeArray: not an i16 array");
  const n = (array as GcArray).length;
  return codes.length === n ? codes : codes.subarray(0, n);
}

/** Chunk of char codes turned into a string at a time (below engines' argument-count limits). */
const CHUNK = 8192;

export function fromCharCodeArray(array: unknown, start: number, end: number): string {
  const codes = charCodes(array);
  const from = start >>> 0, to = end >>> 0;
  if (from > to || to > codes.length) trap("array element access out of bounds");
  // Int16Array entries are signed: String.fromCharCode takes them modulo 2^16, the unsigned code.
  if (to - from <= CHUNK) {
    return String.fromCharCode.apply(null, codes.subarray(from, to) as unknown as number[]);
  }
  let out = "";
  for (let i = from; i < to; i += CHUNK) {
    out += String.fromCharCode.apply(null, codes.subarray(i, Math.min(i + CHUNK, to)) as unknown as number[]);
  }
  return out;
}

export function intoCharCodeArray(s: unknown, array: unknown, start: number): number {
  const codes = charCodes(array);
  if (typeof s !== "string") castTrap();
  const at = start >>> 0, n = s.length;
  if (at + n > codes.length) trap("array element access out of bounds");
  for (let i = 0; i < n; i++) codes[at + i] = s.charCodeAt(i);
  return n;
}

// ---- Their types and slot-level entries ----

/** A parameter or result of a builtin: a value type, or the proposal's `(ref null $array_i16)`. */
const I16_ARRAY = "i16 array";
type BuiltinParam = ValType | typeof I16_ARRAY;

const EXTERN = ValType.ExternRef;
const REF_EXTERN = refType(HeapType.Extern, false);
const I32T = ValType.I32;

interface Builtin {
  params: BuiltinParam[];
  results: ValType[];
  /** The builtin over JS values (for the paths that call a host function with them). */
  fn: (...args: never[]) => unknown;
  /** The call with its frame at slot `s` (i32 `k` at `I32[2 * (s + k)]`, a reference at `R[s + k]`). */
  direct: (s: number) => void;
}

const i32At = (s: number) => I32[2 * s];

/** Every builtin by import name: its exact type and its code. */
const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ["cast", { params: [EXTERN], results: [REF_EXTERN], fn: cast, direct: (s) => void (R[s] = cast(R[s])) }],
  ["test", { params: [EXTERN], results: [I32T], fn: test, direct: (s) => void (I32[2 * s] = test(R[s])) }],
  ["fromCharCode", {
    params: [I32T],
    results: [REF_EXTERN],
    fn: fromCharCode,
    direct: (s) => void (R[s] = fromCharCode(i32At(s))),
  }],
  ["fromCodePoint", {
    params: [I32T],
    results: [REF_EXTERN],
    fn: fromCodePoint,
    direct: (s) => void (R[s] = fromCodePoint(i32At(s))),
  }],
  ["charCodeAt", {
    params: [EXTERN, I32T],
    results: [I32T],
    fn: charCodeAt,
    direct: (s) => void (I32[2 * s] = charCodeAt(R[s], i32At(s + 1))),
  }],
  ["codePointAt", {
    params: [EXTERN, I32T],
    results: [I32T],
    fn: codePointAt,
    direct: (s) => void (I32[2 * s] = codePointAt(R[s], i32At(s + 1))),
  }],
  ["length", {
    params: [EXTERN],
    results: [I32T],
    fn: length,
    direct: (s) => void (I32[2 * s] = length(R[s])),
  }],
  ["concat", {
    params: [EXTERN, EXTERN],
    results: [REF_EXTERN],
    fn: concat,
    direct: (s) => void (R[s] = concat(R[s], R[s + 1])),
  }],
  ["substring", {
    params: [EXTERN, I32T, I32T],
    results: [REF_EXTERN],
    fn: substring,
    direct: (s) => void (R[s] = substring(R[s], i32At(s + 1), i32At(s + 2))),
  }],
  ["equals", {
    params: [EXTERN, EXTERN],
    results: [I32T],
    fn: equals,
    direct: (s) => void (I32[2 * s] = equals(R[s], R[s + 1])),
  }],
  ["compare", {
    params: [EXTERN, EXTERN],
    results: [I32T],
    fn: compare,
    direct: (s) => void (I32[2 * s] = compare(R[s], R[s + 1])),
  }],
  ["fromCharCodeArray", {
    params: [I16_ARRAY, I32T, I32T],
    results: [REF_EXTERN],
    fn: fromCharCodeArray,
    direct: (s) => void (R[s] = fromCharCodeArray(R[s], i32At(s + 1), i32At(s + 2))),
  }],
  ["intoCharCodeArray", {
    params: [EXTERN, I16_ARRAY, I32T],
    results: [I32T],
    fn: intoCharCodeArray,
    direct: (s) => void (I32[2 * s] = intoCharCodeArray(R[s], R[s + 1], i32At(s + 2))),
  }],
]);

/** Whether `name` is a builtin of `wasm:js-string` (other names there are ordinary imports, as in V8). */
export function isJsStringBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}

/**
 * Whether type `t` is a function type of its own: final, without a supertype, alone in its recursion
 * group. A builtin's type is such a type, and a function type matches only an equivalent one.
 */
function isLoneFinal(t: DefType | FuncType): boolean {
  const d = t as Partial<DefType>;
  // A module decoded before GC (no `kind`) has only lone final function types.
  return d.kind === undefined || (d.final === true && d.supertype === -1 && d.groupSize === 1);
}

/** `(ref null $a)` where `$a` is `(array (mut i16))`, final, alone in its group: the proposal's array type. */
function isI16ArrayRef(info: ModuleInfo, t: ValType): boolean {
  const x = typeIndexOf(t);
  if (x < 0 || !isNullable(t)) return false;
  const a = info.types[x] as Partial<DefType> | undefined;
  if (a === undefined || a.kind !== TypeKind.Array || !isLoneFinal(a as DefType)) return false;
  const elem = a.fields![0];
  return elem.type === Packed.I16 && elem.mutable;
}

/**
 * Why the import of builtin `name` with function type index `typeIndex` does not match its type, or
 * undefined when it does (`name` must be a builtin).
 */
export function builtinTypeMismatch(info: ModuleInfo, name: string, typeIndex: number): string | undefined {
  const want = BUILTINS.get(name)!;
  const t = info.types[typeIndex];
  const fits = t !== undefined && ((t as Partial<DefType>).kind ?? TypeKind.Func) === TypeKind.Func &&
    isLoneFinal(t) && t.params.length === want.params.length && t.results.length === want.results.length &&
    want.params.every((p, i) => p === I16_ARRAY ? isI16ArrayRef(info, t.params[i]) : p === t.params[i]) &&
    want.results.every((r, i) => r === t.results[i]);
  return fits
    ? undefined
    : `imported builtin function "${JS_STRING_MODULE}" "${name}" has incorrect signature`;
}

/**
 * The host function an instance gets for builtin `name` (a new one per instance, as the JS API says),
 * of the import's type `type` (checked at compile time).
 */
export function builtinFunc(
  name: string,
  type: FuncType,
  sigId: number,
  sigIds: readonly number[],
): HostFunc {
  const b = BUILTINS.get(name)!;
  return new HostFunc(type, sigId, b.fn as (...args: unknown[]) => unknown, sigIds, b.direct);
}

/** @internal For tests: the builtins' names. */
export const BUILTIN_NAMES: readonly string[] = [...BUILTINS.keys()];
