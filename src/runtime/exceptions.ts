/**
 * Exception handling's runtime (Wasm 3.0, and the legacy form): tags, the exceptions wasm code throws
 * and catches, and what a handler may catch.
 *
 * An exception travels through the engine as a thrown JS value, on both tiers: an `Exception` (what
 * `throw` makes, or a `WebAssembly.Exception` that JS made and threw), or a `HostThrow` (any other
 * value a host function threw: it is caught as an exception of `JSTag`, its payload the value). An
 * exnref holds one of the two, so `throw_ref` and `rethrow` throw it again unchanged, and when it leaves
 * wasm the caller sees what was thrown: the same `Exception` object, or the host's value itself. A wasm
 * `throw` of `JSTag` makes a `HostThrow` of its payload, which JS then receives as such.
 *
 * Traps are never caught: a handler takes only those two (`caught`), and a trap that went out to JS
 * and comes back through a host function stays a trap (`trap.ts` `isTrap`), as in V8.
 *
 * `Tag` and `Exception` are the JS API's classes (`WebAssembly.Tag`, `WebAssembly.Exception`): the
 * engine's tags and exceptions are these objects, so identity holds both ways across the boundary.
 */
import { type FuncType, ValType, valTypeOfJsName } from "../wasm/types.ts";
import { I32, machine, R, STACK_SLOTS, V } from "./machine.ts";
import { signatureId } from "./objects.ts";
import { slotToJs, storeSlot, toWasmValue } from "./boundary.ts";
import { HostThrow, isTrap } from "./trap.ts";

/**
 * What the engine's own construction of a tag or an exception takes (set just before it, so that the
 * JS API's constructor skips its conversions); null otherwise.
 */
let rawTag: { type: FuncType; sigId: number } | null = null;
let rawException: { words: Int32Array; refs: unknown[] | null } | null = null;

/** The value types a `Tag`'s `parameters` may name. */
export type TagValueType =
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "v128"
  | "externref"
  | "anyfunc"
  | "funcref"
  | "exnref";

/** The descriptor of `new Tag(...)`: the types of an exception's values. */
export interface TagType {
  /** The types of the values an exception of this tag carries, in order. */
  parameters: Iterable<TagValueType>;
}

function valueType(name: unknown): ValType {
  const t = valTypeOfJsName(typeof name === "string" ? name : `${name as string}`);
  if (t === undefined) throw new TypeError(`WebAssembly.Tag(): invalid value type ${String(name)}`);
  return t;
}

let paramsOf: (tag: Tag) => readonly ValType[];
let sigIdOf: (tag: Tag) => number;

/**
 * An exception tag (`WebAssembly.Tag`): what a `catch` clause names. Every tag is distinct, even of
 * the same type; a module's tags are created per instance, and an exported tag is this same object.
 */
export class Tag {
  #params: readonly ValType[];
  #sigId: number;
  /** A tag whose exceptions carry values of `type.parameters` (`"i32"`, `"externref"`, …). */
  constructor(type: TagType) {
    if (rawTag !== null) {
      this.#params = rawTag.type.params, this.#sigId = rawTag.sigId;
      rawTag = null;
      return;
    }
    const parameters = (typeof type === "object" || typeof type === "function") && type !== null
      ? (type as { parameters?: unknown }).parameters
      : undefined;
    if (
      parameters === undefined || parameters === null || typeof parameters !== "object" ||
      !(Symbol.iterator in parameters)
    ) {
      throw new TypeError("WebAssembly.Tag(): Argument 0 must be a tag type with 'parameters'");
    }
    const params = [...(parameters as Iterable<unknown>)].map(valueType);
    this.#params = params, this.#sigId = signatureId({ params, results: [] });
  }

  static {
    paramsOf = (tag) => tag.#params;
    sigIdOf = (tag) => tag.#sigId;
  }

  /** `x` is a tag (a brand check: no user code runs). */
  static is(x: unknown): x is Tag {
    return typeof x === "object" && x !== null && #params in x;
  }
}

/** The engine's tag of type `type` (a module's own tag; `sigId`: the type's id in that module). */
export function newTag(type: FuncType, sigId: number): Tag {
  rawTag = { type, sigId };
  return new Tag(undefined as unknown as TagType);
}

/** The parameter types of `tag`. */
export function tagParams(tag: Tag): readonly ValType[] {
  return paramsOf(tag);
}

/** The id of `tag`'s type, which an import of the tag must have (see `signatureIds`). */
export function tagSigId(tag: Tag): number {
  return sigIdOf(tag);
}

/** `WebAssembly.JSTag`: the tag of what JS throws through wasm, caught with the thrown value as an externref. */
export const JS_TAG: Tag = newTag(
  { params: [ValType.ExternRef], results: [] },
  signatureId({ params: [ValType.ExternRef], results: [] }),
);

/** Options of `new Exception(...)`. */
export interface ExceptionOptions {
  /** Record the JS stack where the exception is created, as its `stack` (default false). */
  traceStack?: boolean;
}

let exnTagOf: (e: Exception) => Tag;
let exnWords: (e: Exception) => Int32Array;
let exnRefs: (e: Exception) => unknown[] | null;

/** Words of payload per value: four, the most a value takes (a v128). */
const WORDS = 4;

/**
 * An exception (`WebAssembly.Exception`): a tag and the values it carries. What wasm's `throw` makes
 * and `catch_ref` hands over, and what JS may create and throw into wasm, where it is caught by its tag.
 */
export class Exception {
  #tag: Tag;
  #words: Int32Array;
  #refs: unknown[] | null;
  /**
   * An exception of `tag` carrying `payload` (one JS value per parameter, converted as wasm's values
   * are). `options.traceStack`: record the JS stack, as `stack`.
   */
  constructor(tag: Tag, payload: Iterable<unknown>, options?: ExceptionOptions) {
    if (rawException !== null) {
      this.#tag = tag, this.#words = rawException.words, this.#refs = rawException.refs;
      rawException = null;
      return;
    }
    if (!Tag.is(tag)) throw new TypeError("WebAssembly.Exception(): Argument 0 must be a WebAssembly.Tag");
    if (tag === JS_TAG) {
      throw new TypeError("WebAssembly.Exception(): Argument 0 cannot be WebAssembly.JSTag");
    }
    if (
      payload === null || (typeof payload !== "object" && typeof payload !== "function") ||
      !(Symbol.iterator in payload)
    ) {
      throw new TypeError("WebAssembly.Exception(): Exception values must be an iterable object");
    }
    const params = paramsOf(tag);
    const values = [...payload];
    if (values.length !== params.length) {
      throw new TypeError(
        "WebAssembly.Exception(): Number of exception values does not match signature length",
      );
    }
    // Every value converted (user code may run) before anything is stored.
    const converted = values.map((v, i) => toWasmValue(params[i], v));
    const words = new Int32Array(WORDS * params.length);
    let refs: unknown[] | null = null;
    const slot = scratchSlot();
    params.forEach((t, i) => {
      storeSlot(t, converted[i], slot);
      if (!isNumeric(t)) (refs ??= new Array(params.length).fill(null))[i] = R[slot];
      else words[WORDS * i] = I32[2 * slot], words[WORDS * i + 1] = I32[2 * slot + 1];
    });
    this.#tag = tag, this.#words = words, this.#refs = refs;
    if (options?.traceStack) {
      const trace = new Error();
      Error.captureStackTrace(trace, Exception);
      Object.defineProperty(this, "stack", { value: trace.stack, writable: true, configurable: true });
    }
  }

  static {
    exnTagOf = (e) => e.#tag;
    exnWords = (e) => e.#words;
    exnRefs = (e) => e.#refs;
  }

  /** `x` is an exception (a brand check: no user code runs). */
  static is(x: unknown): x is Exception {
    return typeof x === "object" && x !== null && #tag in x;
  }

  /** Whether the exception is of `tag`. */
  is(tag: Tag): boolean {
    if (!Tag.is(tag)) throw new TypeError("WebAssembly.Exception.is(): Argument 0 must be a WebAssembly.Tag");
    return this.#tag === tag;
  }

  /** Value `index` of the exception, whose tag must be `tag` (i64 as a BigInt). */
  getArg(tag: Tag, index: number): unknown {
    if (!Tag.is(tag)) {
      throw new TypeError("WebAssembly.Exception.getArg(): Argument 0 must be a WebAssembly.Tag");
    }
    if (this.#tag !== tag) {
      throw new TypeError("WebAssembly.Exception.getArg(): First argument does not match the exception tag");
    }
    const n = +index;
    const params = paramsOf(tag);
    if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) {
      throw new TypeError("WebAssembly.Exception.getArg(): Argument 1 must be convertible to a valid number");
    }
    const i = Math.trunc(n);
    if (i >= params.length) throw new RangeError("WebAssembly.Exception.getArg(): Index out of range");
    const slot = scratchSlot();
    writeValue(this, i, slot);
    return slotToJs(params[i], slot);
  }

  /** The JS stack where the exception was created, when `traceStack` was asked for; else undefined. */
  get stack(): string | undefined {
    return undefined;
  }
}

Object.defineProperty(Tag.prototype, Symbol.toStringTag, { value: "WebAssembly.Tag", configurable: true });
Object.defineProperty(Exception.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Exception",
  configurable: true,
});

function isNumeric(t: ValType): boolean {
  return t === ValType.I32 || t === ValType.I64 || t === ValType.F32 || t === ValType.F64;
}

/** A free slot of the value stack, above every live frame, for one value's conversion. */
function scratchSlot(): number {
  const slot = machine.top;
  if (slot + 1 >= STACK_SLOTS) throw new RangeError("call stack exhausted");
  return slot;
}

/** Writes value `i` of exception `e` into absolute slot `slot`. */
function writeValue(e: Exception, i: number, slot: number): void {
  const t = paramsOf(exnTagOf(e))[i];
  const words = exnWords(e);
  if (t === ValType.V128) {
    const q = 4 * slot, w = WORDS * i;
    V[q] = words[w], V[q + 1] = words[w + 1], V[q + 2] = words[w + 2], V[q + 3] = words[w + 3];
  } else if (isNumeric(t)) {
    I32[2 * slot] = words[WORDS * i], I32[2 * slot + 1] = words[WORDS * i + 1];
  } else R[slot] = exnRefs(e)![i];
}

// ---- what the tiers use ----

const NO_VALUES: unknown[] = [];

/** What an exnref holds: an exception, or a host's thrown value (an exception of `JSTag`). */
export type Exn = Exception | HostThrow;

/**
 * The exception of `tag` whose values are in the slots from absolute slot `base` on (what `throw`
 * throws): a `HostThrow` of the value for `JSTag`, which JS gets back as it was.
 */
export function exceptionFromSlots(tag: Tag, base: number): Exn {
  if (tag === JS_TAG) return new HostThrow(R[base]);
  const params = paramsOf(tag);
  const n = params.length;
  const words = new Int32Array(WORDS * n);
  let refs: unknown[] | null = null;
  for (let i = 0; i < n; i++) {
    const t = params[i], s = base + i, w = WORDS * i;
    if (t === ValType.V128) {
      const q = 4 * s;
      words[w] = V[q], words[w + 1] = V[q + 1], words[w + 2] = V[q + 2], words[w + 3] = V[q + 3];
    } else if (isNumeric(t)) words[w] = I32[2 * s], words[w + 1] = I32[2 * s + 1];
    else (refs ??= new Array(n).fill(null))[i] = R[s];
  }
  rawException = { words, refs };
  return new Exception(tag, NO_VALUES);
}

/**
 * What a handler may catch of the thrown value `e`, as an exnref: an exception, or a host's thrown
 * value (a `HostThrow`; one carrying an exception is that exception); null for anything else, traps
 * above all (a trap a host function let through too), which no handler catches.
 */
export function caught(e: unknown): Exn | null {
  if (Exception.is(e)) return e;
  if (!HostThrow.is(e)) return null;
  const v = e.value;
  if (Exception.is(v)) return v;
  return isTrap(v) ? null : e;
}

/** The tag of exnref `x`: a host's thrown value is of `JSTag`. */
export function tagOf(x: Exn): Tag {
  return Exception.is(x) ? exnTagOf(x) : JS_TAG;
}

/** Writes the values of exnref `x` into the slots from absolute slot `base` on (a caught exception's payload). */
export function payloadToSlots(x: Exn, base: number): void {
  if (!Exception.is(x)) {
    R[base] = x.value;
    return;
  }
  const n = paramsOf(exnTagOf(x)).length;
  for (let i = 0; i < n; i++) writeValue(x, i, base + i);
}

/** How many values an exception of `tag` carries. */
export function payloadLength(tag: Tag): number {
  return paramsOf(tag).length;
}
