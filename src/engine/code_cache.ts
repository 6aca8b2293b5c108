/**
 * The compile cache (like wasmtime's): the JS generated for a module's hot functions is kept in a
 * directory, one ES module file per module (named by the SHA-256 of its bytes and of the code
 * generator), and read back by a later run. Loaded with `import()`, the file gets V8's own code
 * cache as any module does, and its functions run compiled from their first call instead of being
 * interpreted until hot and compiled again. The file is executable code: the directory must be as
 * trusted as Deno's own cache (where the default lives).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ModuleInfo } from "../wasm/types.ts";
import { generatorText } from "../jit/compile.ts";
import { frameLayoutText } from "../interp/lower.ts";
import { env } from "../jit/support.ts";
import { restoreUnits, type SavedUnit, savedUnits } from "./tiering.ts";

/** Bumped when the file's layout changes. */
const FORMAT = 1;

let generator: string | undefined;

/**
 * What the generated code depends on besides the module: the generator's text (see generatorText),
 * and the interpreter's frame layout, whose slots code for one loop reads and writes.
 */
function generatorHash(): string {
  if (generator === undefined) {
    const helpers = Object.values(env).filter((v) => typeof v === "function").map(String).join("\n");
    generator = sha256(`${FORMAT}\n${generatorText()}\n${frameLayoutText()}\n${helpers}`);
  }
  return generator.slice(0, 16);
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The module's cache file in `dir`, by module (its bytes' hash, computed once) and generator. */
const files = new WeakMap<ModuleInfo, string>();

function cacheFile(module: ModuleInfo, dir: string): string {
  let name = files.get(module);
  if (name === undefined) files.set(module, name = `${sha256(module.bytes)}-${generatorHash()}.js`);
  return join(dir, name);
}

/**
 * Reads the module's cached code from `dir`, if there is any: returns how many functions got code
 * from it. A missing, unreadable or damaged file is no cache (0), never an error.
 */
export async function loadCompiledCode(module: ModuleInfo, dir: string): Promise<number> {
  const path = cacheFile(module, dir);
  try {
    Deno.statSync(path);
  } catch {
    return 0;
  }
  try {
    const file = await import(pathToFileURL(path).href);
    if (file.format !== FORMAT || !Array.isArray(file.units)) return 0;
    return restoreUnits(module, file.units as SavedUnit[]);
  } catch {
    return 0; // damaged (say, a run killed while another wrote it): the next save replaces it
  }
}

/**
 * Writes the module's compiled code to `dir` when this run compiled functions the cache did not
 * hold (all of them: what was read back and what is new). Returns whether it wrote. The file is
 * written whole under another name and then renamed, so a reader never sees half of it.
 */
export function saveCompiledCode(module: ModuleInfo, dir: string): boolean {
  if (savedUnits(module, true).length === 0) return false;
  const path = cacheFile(module, dir);
  const lines = [
    "// wasmrun compile cache: the JS code of one module's hot functions (generated; safe to delete)",
    `export const format = ${FORMAT};`,
    "export const units = [",
    ...savedUnits(module).map(([key, jsCost, consts, factory]) =>
      `[${JSON.stringify(key)}, ${jsCost}, ${JSON.stringify(consts)}, (${factory.toString()})],`
    ),
    "];",
    "",
  ];
  Deno.mkdirSync(dir, { recursive: true });
  const temp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.writeTextFileSync(temp, lines.join("\n"));
    Deno.renameSync(temp, path);
  } catch (e) {
    try {
      Deno.removeSync(temp);
    } catch { /* never written */ }
    throw e;
  }
  return true;
}
