/**
 * A real Wasm GC program, run on V8 and on wasmrun: bench/gc/program.mbt, written in MoonBit and
 * compiled to Wasm GC (`wasm-gc` target: structs and arrays on the GC heap, casts, i31) by the MoonBit
 * compiler that the npm package @moonbit/moonpad-monaco ships (`dist/moonc-worker.js`, the compiler
 * built with js_of_ocaml, run here in a Web Worker), together with the sources of MoonBit's core
 * library it needs (the `abort` and `builtin` packages, embedded in `dist/moonpad-monaco.js`).
 *
 *   deno run -A bench/real/gc_program.ts [--fetch] [--runs N] [--json]
 *
 * `--fetch` only downloads the package (9.7 MB, pinned by integrity) into the bench cache
 * (bench/real/cache.ts) and compiles the program there (about half a minute: the core library is
 * compiled too); nothing is written to the repository. Otherwise each engine runs the program
 * `--runs` times (default 3) through the same glue (MoonBit's wasm-gc programs import one function,
 * `spectest.print_char`, a UTF-16 code unit at a time, and export `_start`), handed that engine's
 * `WebAssembly` namespace: V8's, wasmrun's (default, `jit: false`, `tierUp: 0`). The output of each
 * must be V8's; the table gives the fastest run of each (compile, instantiate and run) and its
 * ratio to V8's. Exit status 1 on any difference or error.
 */
import { parseArgs } from "node:util";
import { cacheDir, exists, unpackedPackage } from "./cache.ts";
import type { Program } from "./programs.ts";
import { WebAssembly as Wasmrun } from "../../mod.ts";

/** The npm package that ships the compiler and the core library's sources. */
export const MOONPAD: Program = {
  name: "moonbit-gc",
  what: "a MoonBit program compiled to Wasm GC (binary trees, sorting structs, a hash map of strings)",
  package: "@moonbit/moonpad-monaco",
  version: "0.1.202602255",
  integrity:
    "sha512-RxSLivsbRy5DQCRaGMKydLZrXDl2Nk83sYHFs1ZPsZG9cyW6sTNpa4+5Sqzn8636scZDuUtwM6eWdh76fWm6BA==",
  wasm: "",
  argv0: "moonbit-gc",
  args: [],
  check: () => undefined,
};

const SOURCE = new URL("../gc/program.mbt", import.meta.url);

export const ENGINES = ["v8", "wasmrun", "wasmrun-interp", "wasmrun-eager"] as const;
export type Engine = typeof ENGINES[number];

/** Each engine's namespace and the options its instances get. */
const ENGINE_SETUP: Record<Engine, [namespace: unknown, options: object]> = {
  "v8": [globalThis.WebAssembly, {}],
  "wasmrun": [Wasmrun, {}],
  "wasmrun-interp": [Wasmrun, { jit: false }],
  "wasmrun-eager": [Wasmrun, { tierUp: 0 }],
};

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

/** Where the compiled program is kept: named by the package version and the source's hash. */
async function programPath(): Promise<string> {
  const source = await Deno.readTextFile(SOURCE);
  return `${cacheDir()}/moonbit-gc-program-${MOONPAD.version}-${await sha256(source)}.wasm`;
}

/** The compiled program when the cache has it (nothing is downloaded or compiled). */
export async function cachedProgram(): Promise<string | undefined> {
  const path = await programPath();
  return exists(path) ? path : undefined;
}

/** The compiled program: the package downloaded and the program compiled, once, when not cached. */
export async function fetchProgram(log: (line: string) => void = (l) => console.error(l)): Promise<string> {
  const path = await programPath();
  if (exists(path)) return path;
  const dir = await unpackedPackage(MOONPAD, log);
  log("compiling bench/gc/program.mbt to Wasm GC with the package's MoonBit compiler ...");
  const bytes = await compileMoonBit(`${dir}/package/dist`, await Deno.readTextFile(SOURCE));
  await Deno.writeFile(`${path}.tmp`, bytes);
  await Deno.rename(`${path}.tmp`, path);
  return path;
}

// ---- The compiler ----

/**
 * The sources of core library package `pkg` embedded in the package's bundle (a table of base64
 * strings keyed by `/lib/core/<pkg>/<file>`), without tests and without the files other targets take
 * (the manifests that say so are not in the bundle: these are their names' conventions).
 */
function coreSources(bundle: string, pkg: string): [string, string][] {
  const skip =
    /(_test|_wbtest)\.mbt$|_js\.mbt$|_native\.mbt$|assert_debug\.mbt$|stringbuilder_concat\.mbt$|(?<!_js)_wasm\.mbt$/;
  const files: [string, string][] = [];
  const entry = new RegExp(`\\bi\\["/lib/core/${pkg}/([^"/]+\\.mbt)"\\] = (\\w+);`, "g");
  for (const [, file, variable] of bundle.matchAll(entry)) {
    if (skip.test(file)) continue;
    const def = new RegExp(`\\b${variable} = d\\("([A-Za-z0-9+/=]*)"\\)`).exec(bundle);
    if (!def) throw new Error(`core/${pkg}/${file}: no contents in the bundle`);
    const bytes = Uint8Array.from(atob(def[1]), (c) => c.charCodeAt(0));
    files.push([file, new TextDecoder().decode(bytes)]);
  }
  if (files.length === 0) throw new Error(`core/${pkg}: not in the bundle`);
  return files;
}

/** The compiler's worker, spoken to as comlink (which it uses) expects. */
class Moonc {
  #worker: Worker;
  #next = 1;
  constructor(url: string) {
    this.#worker = new Worker(url, { type: "module" });
  }
  call(method: string, arg: unknown): Promise<Record<string, unknown>> {
    const id = String(this.#next++);
    return new Promise((resolve, reject) => {
      const onMessage = (e: MessageEvent) => {
        if (e.data?.id !== id) return;
        this.#worker.removeEventListener("message", onMessage);
        if (e.data.type === "HANDLER") reject(new Error(`moonc ${method}: ${JSON.stringify(e.data.value)}`));
        else resolve(e.data.value);
      };
      this.#worker.addEventListener("message", onMessage);
      this.#worker.postMessage({
        id,
        type: "APPLY",
        path: [method],
        argumentList: [{ type: "RAW", value: arg }],
      });
    });
  }
  terminate(): void {
    this.#worker.terminate();
  }
}

/** Compiles one MoonBit package (`mbt` files) for wasm-gc: its `.core` and `.mi`, or the errors. */
async function buildPackage(
  moonc: Moonc,
  pkg: string,
  files: [string, string][],
  imports: [string, Uint8Array][],
  isMain: boolean,
): Promise<{ core: Uint8Array; mi: Uint8Array }> {
  const r = await moonc.call("buildPackage", {
    mbtFiles: files,
    miFiles: imports,
    indirectImportMiFiles: [],
    stdMiFiles: [],
    target: "wasm-gc",
    pkg,
    pkgSources: [`${pkg}:/src/${pkg}`],
    isMain,
    errorFormat: "human",
    enableValueTracing: false,
    noOpt: false,
  });
  if (!(r.core instanceof Uint8Array) || !(r.mi instanceof Uint8Array)) {
    const errors = (r.diagnostics as string[]).filter((d) => !/Warning/.test(d)).slice(0, 5).join("");
    throw new Error(`moonc cannot compile ${pkg}:\n${errors}`);
  }
  return { core: r.core, mi: r.mi };
}

/**
 * `source` (one main package that imports the core library's `builtin` as `@builtin`) compiled and
 * linked to a Wasm GC module, with core's `abort` and `builtin` compiled from their sources first.
 */
export async function compileMoonBit(distDir: string, source: string): Promise<Uint8Array> {
  const bundle = await Deno.readTextFile(`${distDir}/moonpad-monaco.js`);
  // js_of_ocaml's runtime takes a global `process` for node's and calls `require`: a worker without it.
  const wrapper = `${cacheDir()}/moonc-worker-${MOONPAD.version}.js`;
  await Deno.writeTextFile(
    wrapper,
    `delete globalThis.process;\nawait import(${
      JSON.stringify(new URL(`file://${distDir}/moonc-worker.js`).href)
    });\n`,
  );
  const moonc = new Moonc(new URL(`file://${wrapper}`).href);
  try {
    const core = "moonbitlang/core";
    const abort = await buildPackage(moonc, `${core}/abort`, coreSources(bundle, "abort"), [], false);
    const abortMi: [string, Uint8Array] = [`/src/${core}/abort:abort`, abort.mi];
    const builtin = await buildPackage(
      moonc,
      `${core}/builtin`,
      coreSources(bundle, "builtin"),
      [abortMi],
      false,
    );
    const builtinMi: [string, Uint8Array] = [`/src/${core}/builtin:builtin`, builtin.mi];
    const main = await buildPackage(moonc, "wasmrun/gc", [["program.mbt", source]], [builtinMi], true);
    const linked = await moonc.call("linkCore", {
      coreFiles: [abort.core, builtin.core, main.core],
      main: "wasmrun/gc",
      pkgSources: [
        `${core}/abort:/src/${core}/abort`,
        `${core}/builtin:/src/${core}/builtin`,
        "wasmrun/gc:/src/wasmrun/gc",
      ],
      target: "wasm-gc",
      exportedFunctions: [],
      outputFormat: "wasm",
      testMode: false,
      debug: false,
      noOpt: false,
      sourceMap: false,
      sources: {},
      stopOnMain: false,
    });
    if (!(linked.result instanceof Uint8Array)) throw new Error("moonc linkCore gave no module");
    return linked.result;
  } finally {
    moonc.terminate();
  }
}

// ---- Running it ----

/** The glue: the program's one import, and its `_start`. Returns what it printed. */
export function runProgram(namespace: unknown, bytes: Uint8Array, options: object): string {
  const api = namespace as {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (m: object, imports: object, options?: object) => { exports: Record<string, unknown> };
  };
  let out = "";
  const imports = { spectest: { print_char: (unit: number) => void (out += String.fromCharCode(unit)) } };
  const instance = new api.Instance(new api.Module(bytes), imports, options);
  (instance.exports._start as () => void)();
  return out;
}

export interface EngineRun {
  engine: Engine;
  output?: string;
  /** The fastest run: compile, instantiate, run. */
  seconds?: number;
  error?: string;
}

export function runEngine(engine: Engine, bytes: Uint8Array, runs = 1): EngineRun {
  const [namespace, options] = ENGINE_SETUP[engine];
  let best = Infinity, output: string | undefined;
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      output = runProgram(namespace, bytes, options);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return { engine, output, seconds: best };
  } catch (e) {
    return {
      engine,
      output,
      error: e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e),
    };
  }
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: Deno.args,
      options: {
        fetch: { type: "boolean", default: false },
        runs: { type: "string", default: "3" },
        json: { type: "boolean", default: false },
      },
    }).values;
  } catch (e) {
    console.error(`gc_program: ${(e as Error).message} (usage: [--fetch] [--runs N] [--json])`);
    return 2;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`gc_program: --runs must be a positive integer, got "${values.runs}"`);
    return 2;
  }
  let path: string;
  try {
    path = await fetchProgram();
  } catch (e) {
    console.error(`gc_program: ${(e as Error).message}`);
    return 1;
  }
  if (values.fetch) {
    console.log(path);
    return 0;
  }
  const bytes = await Deno.readFile(path);
  const results = ENGINES.map((engine) => {
    console.error(`${MOONPAD.name}: ${engine} ...`);
    return runEngine(engine, bytes, runs);
  });
  const v8 = results[0];
  const problems = results.flatMap((r) =>
    r.error
      ? [`${r.engine}: ${r.error}`]
      : r.output !== v8.output
      ? [`${r.engine}: output differs from V8's`]
      : []
  );
  if (values.json) {
    console.log(JSON.stringify({ program: MOONPAD, module: path, bytes: bytes.length, results }, null, 2));
  } else {
    console.log(`${MOONPAD.package}@${MOONPAD.version}: ${MOONPAD.what}; ${bytes.length} bytes of Wasm GC`);
    for (const r of results) {
      const time = r.seconds === undefined ? "error" : `${(r.seconds * 1000).toFixed(0)} ms`;
      const ratio = r.seconds && v8.seconds ? `${(r.seconds / v8.seconds).toFixed(1)}x` : "-";
      console.log(`  ${r.engine.padEnd(15)} ${time.padStart(9)}  ${ratio.padStart(7)}`);
    }
    console.log(v8.output ?? "");
    if (problems.length > 0) console.log(`ERRORS\n${problems.join("\n")}`);
  }
  return problems.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
