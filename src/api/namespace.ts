/** The `WebAssembly` namespace: the same shape as the built-in one, backed by wasmrun. */
import { CompileError, LinkError, RuntimeError } from "../wasm/errors.ts";
import type { EngineOptions } from "../runtime/objects.ts";
import { Global, Memory, Table } from "./objects.ts";
import { type BufferSource, bytesOf, compileInfo, Module } from "./module.ts";
import { Instance } from "./instance.ts";
import { Exception, JS_TAG, Tag } from "../runtime/exceptions.ts";
import { applyCompileOptions, type WebAssemblyCompileOptions } from "./compile_options.ts";

/**
 * `WebAssembly.JSTag`: the tag under which wasm catches what JS throws (the value, as an externref);
 * rethrown to JS, the value comes out unchanged.
 */
export const JSTag: Tag = JS_TAG;

/**
 * Whether `bytes` is a valid module. Never throws for bad bytes; an `InternalError` (a bug of
 * wasmrun's, see module.ts) is not an answer about the module and propagates.
 */
export function validate(bytes: BufferSource, options?: WebAssemblyCompileOptions): boolean {
  const copy = bytesOf(bytes);
  try {
    applyCompileOptions(compileInfo(copy), options);
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}

/** Compiles `bytes` into a `Module`. */
export function compile(
  bytes: BufferSource,
  options?: EngineOptions & WebAssemblyCompileOptions,
): Promise<Module> {
  return new Promise((resolve) => resolve(new Module(bytes, options)));
}

/** What `instantiate(bytes)` resolves to. */
export interface WebAssemblyInstantiatedSource {
  /** The compiled module, reusable for more instances. */
  module: Module;
  /** The instance created from it, with its exports. */
  instance: Instance;
}

/** Compiles and instantiates `bytes`; resolves to both the module and the instance. */
export function instantiate(
  bytes: BufferSource,
  importObject?: object,
  options?: EngineOptions & WebAssemblyCompileOptions,
): Promise<WebAssemblyInstantiatedSource>;
/** Instantiates an already compiled `Module`; resolves to the instance alone. */
export function instantiate(
  module: Module,
  importObject?: object,
  options?: EngineOptions & WebAssemblyCompileOptions,
): Promise<Instance>;
export function instantiate(
  source: BufferSource | Module,
  importObject?: object,
  options?: EngineOptions & WebAssemblyCompileOptions,
): Promise<WebAssemblyInstantiatedSource | Instance> {
  return new Promise((resolve) => {
    if (source instanceof Module) return resolve(new Instance(source, importObject, options));
    const module = new Module(source as BufferSource, options);
    resolve({ module, instance: new Instance(module, importObject, options) });
  });
}

/** A fetch `Response` (or a promise of one) holding module bytes. */
export type ResponseSource = Response | PromiseLike<Response>;

async function responseBytes(source: ResponseSource): Promise<ArrayBuffer> {
  const response = await source;
  if (!(response instanceof Response)) throw new TypeError("expected a Response or a promise of one");
  if (!response.ok) throw new TypeError(`cannot compile a module from an HTTP ${response.status} response`);
  return await response.arrayBuffer();
}

/** Compiles the bytes of a fetch `Response` (like the built-in, without requiring a wasm MIME type). */
export async function compileStreaming(
  source: ResponseSource,
  options?: EngineOptions & WebAssemblyCompileOptions,
): Promise<Module> {
  return new Module(await responseBytes(source), options);
}

/** Compiles and instantiates the bytes of a fetch `Response`. */
export async function instantiateStreaming(
  source: ResponseSource,
  importObject?: object,
  options?: EngineOptions & WebAssemblyCompileOptions,
): Promise<WebAssemblyInstantiatedSource> {
  const module = new Module(await responseBytes(source), options);
  return { module, instance: new Instance(module, importObject, options) };
}

export { CompileError, Exception, Global, Instance, LinkError, Memory, Module, RuntimeError, Table, Tag };
export { SuspendError, Suspending } from "../runtime/jspi.ts";
export { promising } from "../engine/jspi.ts";
