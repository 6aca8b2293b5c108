/**
 * One engine's run of `bench/real/exceptions.ts` (started by it, one subprocess per engine): loads
 * clingo-wasm's own JS glue (its `Runner` class over the Emscripten module `clingo.js`) with the global
 * `WebAssembly` set to the engine's namespace, runs every case of exceptions.ts on one instance, and
 * prints one line `RESULT <json>` (a `ChildResult`) on stdout.
 *
 *   deno run -A bench/real/exceptions_child.ts ENGINE PACKAGE_DIR [--patch-throws TAG]
 *
 * ENGINE: `v8` (the built-in namespace, untouched), `wasmrun` (mod.ts, default options: functions start
 * on the interpreter and the hot ones move to the JS tier), `wasmrun-interp` (mod.ts with `{ jit: false }`
 * passed to every instantiate/compile: the interpreter only) or `wasmrun-eager` (`{ tierUp: 0 }`: every
 * function compiled to JS at its first call, so the JS tier runs all the try/catch code). wasmrun is imported
 * before the global is replaced, so the built-in `WebAssembly.Memory` it keeps as a byte store is V8's.
 *
 * Every instance the glue makes through the namespace must be of that engine's `Instance` class (and
 * `Runner.init` must make exactly one), so that a run cannot pass on the wrong engine unnoticed.
 *
 * `--patch-throws TAG` (for exceptions.ts `--prove`): the module's `throw TAG` instructions are
 * replaced by `unreachable; nop` before it is instantiated, and every case runs on a fresh instance,
 * so a case whose output then changes is one that executed such a `throw`.
 */
import { type CaseResult, CASES, type ChildResult, normalize, THROW_SITES } from "./exceptions_cases.ts";

type Namespace = typeof WebAssembly;
type Instantiate = (source: unknown, imports?: unknown, options?: unknown) => Promise<unknown>;

const [engine, packageDir, flag, tagText] = Deno.args;
if (!engine || !packageDir || (flag !== undefined && flag !== "--patch-throws")) {
  console.error(
    "usage: exceptions_child.ts v8|wasmrun|wasmrun-interp|wasmrun-eager PACKAGE_DIR [--patch-throws 0|1]",
  );
  Deno.exit(2);
}

/** The engine's namespace, and the class its instances must be of. */
async function namespaceOf(name: string): Promise<{ ns: Namespace; Instance: unknown }> {
  if (name === "v8") return { ns: globalThis.WebAssembly, Instance: globalThis.WebAssembly.Instance };
  const wasmrun = await import("../../mod.ts");
  if (name === "wasmrun") return { ns: { ...wasmrun } as unknown as Namespace, Instance: wasmrun.Instance };
  const options = name === "wasmrun-interp"
    ? { jit: false }
    : name === "wasmrun-eager"
    ? { tierUp: 0 }
    : undefined;
  if (!options) throw new Error(`unknown engine ${name}`);
  const instantiate = wasmrun.instantiate as Instantiate;
  const compile = wasmrun.compile as (bytes: unknown, options?: unknown) => Promise<unknown>;
  const streaming = wasmrun.instantiateStreaming as Instantiate;
  const ns = {
    ...wasmrun,
    instantiate: (source: unknown, imports?: unknown) => instantiate(source, imports, options),
    instantiateStreaming: (source: unknown, imports?: unknown) => streaming(source, imports, options),
    compile: (bytes: unknown) => compile(bytes, options),
  } as unknown as Namespace;
  return { ns, Instance: wasmrun.Instance };
}

/**
 * The namespace with its `instantiate` checked: each instance it makes must be of `Instance` (so the
 * glue runs on the engine it is meant to), and `count.instances` counts them.
 */
function checked(ns: Namespace, Instance: unknown, count: { instances: number }): Namespace {
  const instantiate = ns.instantiate as unknown as Instantiate;
  const wrapped = async (source: unknown, imports?: unknown) => {
    const made = await instantiate(source, imports) as { instance?: unknown };
    const instance = made.instance ?? made;
    if (!(instance instanceof (Instance as new () => unknown))) {
      throw new Error(`the instance made is not ${engine}'s`);
    }
    count.instances++;
    return made;
  };
  return { ...ns, instantiate: wrapped } as unknown as Namespace;
}

/** The namespace with `throw tag` replaced by `unreachable; nop` in every module it instantiates. */
function patchingThrows(ns: Namespace, tag: number): Namespace {
  const instantiate = ns.instantiate as unknown as Instantiate;
  const patched = (source: unknown, imports?: unknown) => {
    const bytes = new Uint8Array(
      source instanceof ArrayBuffer ? source.slice(0) : (source as Uint8Array).slice(),
    );
    for (const site of THROW_SITES) {
      if (bytes[site.offset] !== 0x08 || bytes[site.offset + 1] !== site.tag) {
        throw new Error(`no throw ${site.tag} at byte ${site.offset}: not the pinned clingo.wasm`);
      }
      if (site.tag === tag) bytes.set([0x00, 0x01], site.offset); // unreachable; nop
    }
    return instantiate(bytes, imports);
  };
  return { ...ns, instantiate: patched } as unknown as Namespace;
}

interface Runner {
  init(): Promise<void>;
  run(program: string, models?: number, options?: string[]): unknown;
}
type RunnerClass = new (params: { singleThreaded: boolean }) => Runner;

const count = { instances: 0 };
const chosen = await namespaceOf(engine);
let ns = checked(chosen.ns, chosen.Instance, count);
if (flag) ns = patchingThrows(ns, Number(tagText));
const host = globalThis.WebAssembly;
const result: ChildResult = { engine, initMs: 0, runMs: 0, cases: [] };
try {
  // The glue looks `WebAssembly` up on the global object whenever it uses it: the engine's namespace
  // stays there for the whole run (this process does nothing else).
  Object.defineProperty(globalThis, "WebAssembly", { value: ns, writable: true, configurable: true });
  const { Runner } = await import(new URL(`file://${packageDir}/package/dist/run.js`).href) as {
    Runner: RunnerClass;
  };
  const started = performance.now();
  let runner = new Runner({ singleThreaded: true });
  await runner.init();
  result.initMs = performance.now() - started;
  if (count.instances !== 1) {
    throw new Error(`the glue made ${count.instances} instances through ${engine}'s namespace`);
  }
  for (const c of CASES) {
    if (flag) {
      runner = new Runner({ singleThreaded: true });
      await runner.init();
    }
    const t = performance.now();
    const output = normalize(runner.run(c.program, c.models, c.options));
    const ms = performance.now() - t;
    result.runMs += ms;
    result.cases.push({ name: c.name, ms, output } satisfies CaseResult);
  }
} catch (e) {
  const error = e as Error;
  result.error = `${error?.name ?? "Error"}: ${error?.message ?? String(e)}`;
} finally {
  Object.defineProperty(globalThis, "WebAssembly", { value: host, writable: true, configurable: true });
}
console.log(`RESULT ${JSON.stringify(result)}`);
