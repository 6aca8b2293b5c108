/**
 * The compile cache (like wasmtime's): the JS generated for a module's hot functions is kept in a
 * directory, one script file per module (`<name>.js`, named by the SHA-256 of its bytes and of the
 * code generator), and read back by a later run: its functions run compiled from their first call
 * instead of being interpreted until hot and compiled again. Beside it, `<name>.v8` keeps V8's own
 * code cache of that script (its bytecode), made at the end of a run that read the script and had
 * nothing to add, so that later runs need not parse it again. The files are executable code: the
 * directory must be as trusted as Deno's own cache (where the default lives).
 *
 * Not an ES module read with `import()`: Deno analyses a module file it has not seen before (its
 * imports, with a full parse of its own), which took 3.5 s and 430 MB for clang's 11 MB of code.
 * `node:vm` is imported only to read a script big enough for V8's code cache to pay (see
 * `scriptReading`): importing any of Deno's Node modules first loads its Node compatibility layer
 * (60–90 ms). The hashes are Web Crypto's where the caller can wait for them, ours (host/sha256.ts)
 * where it cannot.
 */
import type { Script } from "node:vm";
import { joinPath } from "../host/paths.ts";
import { hex, sha256 } from "../host/sha256.ts";
import type { ModuleInfo } from "../wasm/types.ts";
import { generatorText } from "../jit/compile.ts";
import { frameLayoutText } from "../interp/lower.ts";
import { env } from "../jit/support.ts";
import { restoreUnits, type SavedUnit, savedUnits } from "./tiering.ts";

/** Bumped when the file's layout changes. */
const FORMAT = 3;

let generator: string | undefined;

/** What the generated code depends on besides the module (hashed into the cache files' names). */
function generatorInputs(): string {
  // The generator's text (see generatorText), the interpreter's frame layout, whose slots code for
  // one loop reads and writes, and the helpers compiled code calls.
  const helpers = Object.values(env).filter((v) => typeof v === "function").map(String).join("\n");
  return `${FORMAT}\n${generatorText()}\n${frameLayoutText()}\n${helpers}`;
}

/** The generator's part of a cache file's name (hashed with our SHA-256 if no `load` hashed it). */
function generatorHash(): string {
  generator ??= hex(sha256(generatorInputs())).slice(0, 16);
  return generator;
}

/** Web Crypto's SHA-256 of `data` (a string as its UTF-8 bytes). */
async function digest(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/** The module's cache files (without their extension), by module (its bytes' hash, computed once) and generator. */
const names = new WeakMap<ModuleInfo, string>();

/** The module's cache files in `dir`, hashing its bytes now if no `load` did (see `names`). */
function cacheFile(module: ModuleInfo, dir: string): string {
  let name = names.get(module);
  if (name === undefined) names.set(module, name = `${hex(sha256(module.bytes))}-${generatorHash()}`);
  return joinPath(dir, name);
}

/**
 * The script a run read (and its text's hash), while it has no code cache that V8 took: at the end of
 * the run its bytecode (of the functions that ran, too) becomes one.
 */
const uncached = new WeakMap<ModuleInfo, { script: Script; textHash: Uint8Array }>();

/**
 * A code cache file starts with the hashes of its script's text and of itself: V8 checks only the
 * source's length before it takes a code cache, and (in release builds) not the cache's checksum.
 */
const HASH_BYTES = 32;

function codeCacheFile(textHash: Uint8Array, codeCache: Uint8Array): Uint8Array[] {
  return [textHash, sha256(codeCache), codeCache];
}

/** The code cache in `path` if it is whole and belongs to the text whose hash is `textHash`. */
async function codeCacheOf(path: string, textHash: Uint8Array): Promise<Uint8Array | undefined> {
  let file: Uint8Array;
  try {
    file = Deno.readFileSync(path);
  } catch {
    return undefined;
  }
  const codeCache = file.subarray(2 * HASH_BYTES);
  const same = (at: number, hash: Uint8Array) => hash.every((b, i) => file[at + i] === b);
  if (file.length <= 2 * HASH_BYTES || !same(0, textHash) || !same(HASH_BYTES, await digest(codeCache))) {
    return undefined;
  }
  return codeCache;
}

/**
 * Reads the module's cached code from `dir`, if there is any: returns how many functions got code
 * from it. A missing, unreadable or damaged file is no cache (0), never an error.
 */
export async function loadCompiledCode(module: ModuleInfo, dir: string): Promise<number> {
  // The name `cacheFile` would make, by Web Crypto.
  generator ??= hex(await digest(generatorInputs())).slice(0, 16);
  if (!names.has(module)) names.set(module, `${hex(await digest(module.bytes))}-${generatorHash()}`);
  const path = cacheFile(module, dir);
  let text: string;
  try {
    text = Deno.readTextFileSync(`${path}.js`);
  } catch {
    return 0;
  }
  try {
    if (text.length < scriptReading.minCodeCacheChars) return restore(module, globalEval(text));
    const textHash = await digest(text);
    const cachedData = await codeCacheOf(`${path}.v8`, textHash);
    const { Script } = await import("node:vm");
    const script = new Script(text, { filename: `${path}.js`, cachedData });
    const restored = restore(module, script.runInThisContext());
    if (cachedData === undefined || script.cachedDataRejected) uncached.set(module, { script, textHash });
    return restored;
  } catch {
    return 0; // damaged (say, a run killed while another wrote it): the next save replaces it
  }
}

/**
 * Scripts shorter than this (in characters) are read as plain JS, without V8's code cache: compiling
 * one takes V8 less (30–38 ms for 256 K characters here) than importing `node:vm` (40–50 ms, Node's
 * layer). Tests set it to 0 to exercise the code cache on small modules.
 */
export const scriptReading = { minCodeCacheChars: 256 * 1024 };

/** Runs a cache script in the global scope (its value is the object it ends with). */
const globalEval = eval;

/** Gives the module the units of the cache file's value; how many it had no code for. */
function restore(module: ModuleInfo, file: { format?: unknown; units?: unknown } | undefined): number {
  if (file?.format !== FORMAT || !Array.isArray(file.units)) return 0;
  return restoreUnits(module, file.units as SavedUnit[]);
}

/**
 * Writes the module's compiled code to `dir` when this run compiled functions the cache did not
 * hold (all of them: what was read back and what is new), and else V8's code cache of the script
 * this run read, if it had none. Returns whether it wrote the code (not only V8's cache of it).
 */
export function saveCompiledCode(module: ModuleInfo, dir: string): boolean {
  const path = cacheFile(module, dir);
  if (savedUnits(module, true).length === 0) {
    const read = uncached.get(module);
    if (read !== undefined) {
      uncached.delete(module);
      writeAtomically(`${path}.v8`, codeCacheFile(read.textHash, read.script.createCachedData()));
    }
    return false;
  }
  const lines = [
    "// wasmrun compile cache: the JS code of one module's hot functions (generated; safe to delete)",
    '"use strict";',
    `({ format: ${FORMAT}, units: [`,
    ...savedUnits(module).map(([key, jsCost, direct, consts, factory]) =>
      `[${JSON.stringify(key)}, ${jsCost}, ${direct}, ${JSON.stringify(consts)}, (${factory.toString()})],`
    ),
    "] });",
    "",
  ];
  Deno.mkdirSync(dir, { recursive: true });
  writeAtomically(`${path}.js`, [new TextEncoder().encode(lines.join("\n"))]);
  uncached.delete(module);
  return true;
}

/** Writes a file whole under another name and then renames it, so that a reader never sees half of it. */
function writeAtomically(path: string, parts: Uint8Array[]): void {
  const temp = `${path}.${Deno.pid}.tmp`;
  try {
    const file = Deno.openSync(temp, { write: true, create: true, truncate: true });
    try {
      for (const part of parts) {
        for (let done = 0; done < part.length;) done += file.writeSync(part.subarray(done));
      }
    } finally {
      file.close();
    }
    Deno.renameSync(temp, path);
  } catch (e) {
    try {
      Deno.removeSync(temp);
    } catch { /* never written */ }
    throw e;
  }
}
