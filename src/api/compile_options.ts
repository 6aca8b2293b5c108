/**
 * The JS API's compile options (`WebAssemblyCompileOptions`: `builtins`, `importedStringConstants`),
 * taken by `new Module`, `validate`, `compile`, `instantiate(bytes, …)` and the streaming forms. They
 * decide, at compile time, which imports the engine provides itself: the functions of an enabled
 * builtin set (`wasm:js-string`) and the string constants (every import of the module named by
 * `importedStringConstants` is an immutable externref global whose value is the import's name). Those
 * imports are checked now (a wrong type is a `CompileError`), are not listed by `Module.imports`, and
 * are never looked up in the import object.
 */
import { CompileError } from "../wasm/errors.ts";
import {
  ExternKind,
  type FuncType,
  HeapType,
  type Import,
  type ModuleInfo,
  refType,
  ValType,
} from "../wasm/types.ts";
import { GlobalInst } from "../runtime/objects.ts";
import type { HostFunc } from "../runtime/boundary.ts";
import {
  builtinFunc,
  builtinTypeMismatch,
  isJsStringBuiltin,
  JS_STRING_MODULE,
} from "../engine/js_string.ts";

/** The compile options as the JS API reads them (wasmrun's own options may share the object). */
export interface WebAssemblyCompileOptions {
  /** Builtin sets to enable: `"js-string"` is the one there is (other names are ignored, as in V8). */
  builtins?: string[];
  /** The import module name whose imports are string constants (their names are the strings). */
  importedStringConstants?: string;
}

/** An import the engine provides: a builtin function by name, or a string constant. */
type Provided = { builtin: string } | { string: string };

/** Per module (by its decoded form): what each import index is provided with, if by the engine. */
const provided = new WeakMap<ModuleInfo, readonly (Provided | undefined)[]>();

/**
 * The enabled builtin set names of `options`, read as V8 reads them: an object with a `length`,
 * whose string elements are the names (anything else, and options that are not an object, ignored).
 */
function builtinSets(options: object): Set<string> {
  const list = (options as { builtins?: unknown }).builtins;
  const sets = new Set<string>();
  if (typeof list !== "object" || list === null) return sets;
  const n = Number((list as { length?: unknown }).length);
  for (let i = 0; i < n; i++) {
    const name = (list as Record<number, unknown>)[i];
    if (typeof name === "string") sets.add(name);
  }
  return sets;
}

function stringConstantsModule(options: object): string | undefined {
  const name = (options as { importedStringConstants?: unknown }).importedStringConstants;
  return typeof name === "string" ? name : undefined; // V8 ignores a non-string (a String object too)
}

/** `externref` or `(ref extern)`: the immutable global types a string value fits. */
const STRING_GLOBAL_TYPES: readonly ValType[] = [ValType.ExternRef, refType(HeapType.Extern, false)];

function stringConstantError(imp: Import, k: number): string | undefined {
  const desc = imp.desc;
  const fits = desc.kind === ExternKind.Global && !desc.type.mutable &&
    STRING_GLOBAL_TYPES.includes(desc.type.type);
  return fits
    ? undefined
    : `string constant import #${k} "${imp.name}" must be an immutable global subtyping externref`;
}

/**
 * Applies `options` to the compiled module `info`: decides which imports the engine provides and
 * checks them, throwing a `CompileError` for one of the wrong type. Without options nothing changes.
 */
export function applyCompileOptions(info: ModuleInfo, options: unknown): void {
  if (typeof options !== "object" || options === null) return;
  const jsString = builtinSets(options).has("js-string");
  const constants = stringConstantsModule(options);
  if (!jsString && constants === undefined) return;
  const plan: (Provided | undefined)[] = [];
  let any = false;
  info.imports.forEach((imp, k) => {
    if (imp.module === constants) {
      const error = stringConstantError(imp, k);
      if (error !== undefined) throw new CompileError(error);
      plan[k] = { string: imp.name };
    } else if (
      jsString && imp.module === JS_STRING_MODULE && imp.desc.kind === ExternKind.Func &&
      isJsStringBuiltin(imp.name)
    ) {
      const error = builtinTypeMismatch(info, imp.name, imp.desc.typeIndex);
      if (error !== undefined) throw new CompileError(error);
      plan[k] = { builtin: imp.name };
    } else return;
    any = true;
  });
  if (any) provided.set(info, plan);
}

/** Whether import `k` of `info` is provided by the engine (and so not listed, nor looked up). */
export function isProvidedImport(info: ModuleInfo, k: number): boolean {
  return provided.get(info)?.[k] !== undefined;
}

/** Whether every import of `info` is provided by the engine (no import object is needed). */
export function allImportsProvided(info: ModuleInfo): boolean {
  const plan = provided.get(info);
  return plan !== undefined && info.imports.every((_, k) => plan[k] !== undefined);
}

/**
 * What the engine gives an instance for import `k` of `info`: a new builtin host function, or a new
 * global holding the string constant; undefined for an import the import object must provide.
 */
export function providedImport(
  info: ModuleInfo,
  k: number,
  sigIds: readonly number[],
): HostFunc | GlobalInst | undefined {
  const what = provided.get(info)?.[k];
  if (what === undefined) return undefined;
  const desc = info.imports[k].desc;
  if ("builtin" in what) {
    const typeIndex = (desc as { typeIndex: number }).typeIndex;
    return builtinFunc(what.builtin, info.types[typeIndex] as FuncType, sigIds[typeIndex], sigIds);
  }
  const g = new GlobalInst((desc as { type: { type: ValType } }).type.type, false);
  g.ref = what.string;
  return g;
}
