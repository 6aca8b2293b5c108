/**
 * The script URL by which a module's code is known in stack traces and CPU profiles, spelled as V8
 * spells the built-in engine's: `wasm://wasm/<hash>`, or `wasm://wasm/<name>-<hash>` when the name
 * section names the module, and `<url>:wasm-function[<index>]` for one of its functions. The hash is
 * ours (8 hex digits of FNV-1a over the module's bytes): V8's is not specified, so the two differ,
 * but the same bytes give the same URL on every run, and the compile cache's code keeps it.
 */
import type { ModuleInfo } from "../wasm/types.ts";

const urls = new WeakMap<ModuleInfo, string>();

/** `wasm://wasm/[name-]hash` for `module` (hashed once per module, when first asked). */
export function moduleUrl(module: ModuleInfo): string {
  let url = urls.get(module);
  if (url === undefined) {
    const hash = fnv1a(module.bytes).toString(16).padStart(8, "0");
    const name = module.names.module;
    urls.set(module, url = `wasm://wasm/${name ? `${urlSafe(name)}-` : ""}${hash}`);
  }
  return url;
}

/** `wasm://wasm/…:wasm-function[index]`: where V8 places function `index` of `module`. */
export function functionUrl(module: ModuleInfo, index: number): string {
  return `${moduleUrl(module)}:wasm-function[${index}]`;
}

/**
 * The module's name as a URL path segment: the name section is the module author's text, and the URL
 * ends up in a `//# sourceURL=` comment of generated code, where a line break would end the comment.
 */
function urlSafe(name: string): string {
  return name.replace(/[^\w.$~-]/gu, (c) => encodeURIComponent(c.isWellFormed() ? c : "\ufffd"));
}

/**
 * 32-bit FNV-1a over the bytes taken four at a time (a little-endian word per step, then the bytes
 * left over): enough to tell modules apart in a trace, and a quarter of the steps, which matters
 * for a module of 66 MB (clang's: about 90 ms byte by byte).
 */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  const words = bytes.length >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) h = Math.imul(h ^ view.getInt32(4 * i, true), 0x01000193);
  for (let i = 4 * words; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}
