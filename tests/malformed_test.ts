/**
 * Malformed-input robustness: corrupted copies of the spec suite's valid modules must only ever make the
 * engine throw the JS API's own errors (CompileError, LinkError, RuntimeError), never crash it with another
 * exception. Deterministic: a seeded sample of modules and mutations (WASMRUN_MALFORMED_SEED to vary it).
 *
 * Engine: ours from mod.ts; WASMRUN_TEST_ENGINE=v8 runs the same checks on Deno's built-in engine.
 */
import assert from "node:assert/strict";
import {
  defaultSpecRoot,
  describeError,
  type ErrorClass,
  listSpecFiles,
  loadEngine,
  type WasmApi,
} from "./spec/harness.ts";
import { type ImportDesc, type ModuleShape, moduleShape } from "./malformed/shape.ts";
import { KINDS, mutate, prng } from "./malformed/mutate.ts";

const SEED = Number(Deno.env.get("WASMRUN_MALFORMED_SEED") ?? 0x5eed);
const MODULES = 300;
/** Two mutants of each kind per module. */
const MUTANTS_PER_MODULE = 2 * KINDS.length;
const ENGINE = Deno.env.get("WASMRUN_TEST_ENGINE") ?? "wasmrun";
/** Per-instance execution budget, for engines that take one (V8 ignores the extra argument). */
const INSTANCE_OPTIONS = { fuel: 1e6 };
/**
 * Whether the engine honours INSTANCE_OPTIONS.fuel. Without it, code that may loop (or recurse in a tree)
 * is not run: only mutants whose code has no loop/call/call_indirect byte at all are instantiated with a
 * start function and have their exports called. Set true here once wasmrun meters fuel (or WASMRUN_FUEL=1).
 */
const WASMRUN_HAS_FUEL = true;
const FUEL = Deno.env.get("WASMRUN_FUEL") === "1" || (ENGINE === "wasmrun" && WASMRUN_HAS_FUEL);

/** Every distinct binary module a spec file instantiates (so it is valid), in a stable order. */
function validModules(): { name: string; bytes: Uint8Array }[] {
  const modules = new Map<string, { name: string; bytes: Uint8Array }>();
  for (const file of listSpecFiles()) {
    const dir = new URL(`${file}/`, defaultSpecRoot);
    const { commands } = JSON.parse(Deno.readTextFileSync(new URL(`${file}.json`, dir)));
    for (const cmd of commands) {
      if (cmd.type !== "module" || !cmd.filename.endsWith(".wasm")) continue;
      const bytes = Deno.readFileSync(new URL(cmd.filename, dir));
      const key = bytes.join(",");
      if (!modules.has(key)) modules.set(key, { name: cmd.filename, bytes });
    }
  }
  // Our own modules too: compiled C (benchmarks, WASI fixtures, the example) has a different shape.
  for (const dir of ["../bench/wasm/", "../tests/fixtures/wasi/", "../examples/"]) {
    const url = new URL(dir, import.meta.url);
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(url)].map((e) => e.name).filter((n) => n.endsWith(".wasm")).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const bytes = Deno.readFileSync(new URL(name, url));
      modules.set(bytes.join(","), { name, bytes });
    }
  }
  return [...modules.values()];
}

function sample<T>(items: T[], n: number, random: () => number): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

function zero(type: string): unknown {
  if (type === "i64") return 0n;
  if (type === "funcref" || type === "externref") return null;
  return type === "v128" ? undefined : 0;
}

/** A spectest-style stand-in for one import, or undefined (a LinkError then) where none is sensible. */
function stub(api: WasmApi, desc: ImportDesc): unknown {
  switch (desc.kind) {
    case "func": {
      const { params, results } = desc.type;
      if ([...params, ...results].includes("v128")) return undefined;
      const values = results.map(zero);
      return values.length > 1 ? () => values : () => values[0];
    }
    case "memory": {
      const { flags, min, max } = desc.limits;
      if (flags > 1 || min > 16 || (max ?? 0) > 65536) return undefined;
      return new api.Memory({ initial: min, maximum: max });
    }
    case "table": {
      const { flags, min, max } = desc.limits;
      if (flags > 1 || min > 1000 || (max ?? 0) > 10_000_000) return undefined;
      const element = (desc.element === "funcref" ? "anyfunc" : desc.element) as "anyfunc";
      return new api.Table({ element, initial: min, maximum: max });
    }
    case "global": {
      if (desc.type === "v128") return undefined;
      const value = (desc.type === "funcref" ? "anyfunc" : desc.type) as "i32";
      return new api.Global({ value, mutable: desc.mutable }, zero(desc.type));
    }
  }
}

function stubImports(api: WasmApi, shape: ModuleShape): Record<string, Record<string, unknown>> {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of shape.imports) {
    const value = stub(api, imp);
    imports[imp.module] ??= {};
    if (value !== undefined) imports[imp.module][imp.name] = value;
  }
  return imports;
}

/** Code without any loop (0x03), call (0x10) or call_indirect (0x11) byte runs in time linear in its size. */
function surelyTerminates(shape: ModuleShape): boolean {
  return !shape.code.some((b) => b === 0x03 || b === 0x10 || b === 0x11);
}

interface Stats {
  mutants: number;
  rejected: number;
  unreadable: number;
  instantiated: number;
  calls: number;
  notRun: number;
}

/** Runs one mutant as far as it goes; returns null when only permitted errors came out. */
function tryMutant(api: WasmApi, bytes: Uint8Array, stats: Stats): string | null {
  const unexpected = (stage: string, e: unknown, allowed: ErrorClass[]) =>
    allowed.some((c) => e instanceof c) ? null : `${stage} threw ${describeError(e)}`;
  let module: object;
  try {
    module = new api.Module(bytes);
  } catch (e) {
    stats.rejected++;
    return unexpected("compile", e, [api.CompileError]);
  }
  let shape: ModuleShape;
  try {
    shape = moduleShape(bytes);
  } catch {
    stats.unreadable++;
    return null;
  }
  const runnable = FUEL || surelyTerminates(shape);
  if (!runnable && shape.hasStart) {
    stats.notRun++;
    return null;
  }
  let exports: Record<string, unknown>;
  try {
    exports = new api.Instance(module, stubImports(api, shape), INSTANCE_OPTIONS).exports;
  } catch (e) {
    return unexpected("instantiate", e, [api.LinkError, api.RuntimeError]);
  }
  stats.instantiated++;
  if (!runnable) {
    stats.notRun++;
    return null;
  }
  for (const { name, type } of shape.funcExports) {
    const fn = exports[name];
    if (typeof fn !== "function") return `export ${name} is not a function`;
    // The JS API refuses v128 in a signature with TypeError; V8 reports stack overflow as RangeError.
    const allowed: ErrorClass[] = [api.RuntimeError];
    if ([...type.params, ...type.results].includes("v128")) allowed.push(TypeError);
    if (ENGINE === "v8") allowed.push(RangeError);
    try {
      stats.calls++;
      fn(...type.params.map(zero));
    } catch (e) {
      const problem = unexpected(`calling ${name}`, e, allowed);
      if (problem) return problem;
    }
  }
  return null;
}

const haveSuite = listSpecFiles().length > 0;
if (!haveSuite) {
  console.warn(`spec suite not found at ${defaultSpecRoot.pathname}: malformed-input test skipped`);
}

Deno.test({
  name: `malformed modules only raise CompileError/LinkError/RuntimeError (${ENGINE})`,
  ignore: !haveSuite,
  async fn() {
    const api = await loadEngine(ENGINE);
    const random = prng(SEED);
    const start = performance.now();
    const stats: Stats = { mutants: 0, rejected: 0, unreadable: 0, instantiated: 0, calls: 0, notRun: 0 };
    const failures: string[] = [];
    for (const { name, bytes } of sample(validModules(), MODULES, random)) {
      for (let kind = 0; kind < MUTANTS_PER_MODULE; kind++) {
        const mutant = mutate(bytes, kind, random);
        stats.mutants++;
        const problem = tryMutant(api, mutant.bytes, stats);
        if (problem) failures.push(`${name}: ${mutant.how}: ${problem}`);
      }
    }
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    console.log(
      `malformed (${ENGINE}, seed ${SEED}, fuel ${FUEL}): ${stats.mutants} mutants, ${stats.rejected} rejected, ` +
        `${stats.instantiated} instantiated, ${stats.calls} export calls, ${stats.notRun} not run (may loop), ` +
        `${stats.unreadable} unreadable by the test; ${seconds} s`,
    );
    // The details go into the message too: `deno test --quiet` hides console output even on failure.
    const details = failures.slice(0, 30).map((f) => `  ${f}`).join("\n");
    assert.equal(
      failures.length,
      0,
      `${failures.length} mutants raised a disallowed exception (seed ${SEED}):\n${details}`,
    );
    // The mutations must actually exercise both paths, or this test proves nothing.
    assert.ok(stats.rejected > stats.mutants / 10 && stats.instantiated > stats.mutants / 50);
  },
});
