/**
 * Malformed-input robustness: corrupted copies of valid modules (the spec suite's, and our own compiled C)
 * must only ever make the engine throw the JS API's own errors, never crash it with another exception:
 *
 * - compiling: exactly a CompileError, and on wasmrun one the decoder, reader or validator raised on
 *   purpose (no `cause`, created in src/wasm/reader.ts, src/wasm/decoder.ts or src/wasm/validator.ts). Anything else is a
 *   bug: wasmrun reports it as an `InternalError`, never as a CompileError, and this test fails on it.
 *   `validate` must agree with `new Module` and never throw;
 * - instantiating: LinkError or RuntimeError, with every function lowered (and compiled to JS) at
 *   instantiation, on the JS tier and on the interpreter; the JS tier must not fail on any function;
 * - calling the exports (metered by fuel): RuntimeError only.
 *
 * A planted bug (a copy of src/ whose reader throws a TypeError in an error path) proves the test tells an
 * internal failure from a refusal, in the API and in the command line. Deterministic: a seeded sample of
 * modules and mutations (WASMRUN_MALFORMED_SEED to vary it).
 *
 * Engine: ours from mod.ts; WASMRUN_TEST_ENGINE=v8 runs the class checks on Deno's built-in engine.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import {
  defaultSpecRoot,
  describeError,
  type ErrorClass,
  loadEngine,
  specFilesForTests,
  type WasmApi,
} from "./spec/harness.ts";
import { type ImportDesc, type ModuleShape, moduleShape } from "./malformed/shape.ts";
import { KINDS, mutate, prng } from "./malformed/mutate.ts";
import { cli, isOneLineError } from "./cli_harness.ts";
import { jitFailures } from "../src/engine/tiering.ts";
import type { EngineLike } from "../src/cli/engine.ts";

const SEED = Number(Deno.env.get("WASMRUN_MALFORMED_SEED") ?? 0x5eed);
const MODULES = 300;
/** Two mutants of each kind per module. */
const MUTANTS_PER_MODULE = 2 * KINDS.length;
const ENGINE = Deno.env.get("WASMRUN_TEST_ENGINE") ?? "wasmrun";
/** Per-instance execution budget, for engines that take one (V8 ignores the extra argument). */
const INSTANCE_OPTIONS = { fuel: 1e6 };
/**
 * The instances each compiled mutant gets on wasmrun: every function compiled to JS (or lowered when the JS
 * tier declines it) at instantiation, and every function lowered for the interpreter alone; lowering a
 * function no export calls would otherwise never happen.
 */
const WASMRUN_VARIANTS = [
  { ...INSTANCE_OPTIONS, lowering: "eager" },
  { ...INSTANCE_OPTIONS, lowering: "eager", jit: false },
];
/**
 * Whether the engine honours INSTANCE_OPTIONS.fuel. Without it, code that may loop (or recurse in a tree)
 * is not run: only mutants whose code has no loop/call/call_indirect byte at all are instantiated with a
 * start function and have their exports called. Set true here once wasmrun meters fuel (or WASMRUN_FUEL=1).
 */
const WASMRUN_HAS_FUEL = true;
const FUEL = Deno.env.get("WASMRUN_FUEL") === "1" || (ENGINE === "wasmrun" && WASMRUN_HAS_FUEL);

/** The spec files (a missing suite is reported once, and fails the run with CI=true). */
const specFiles = specFilesForTests();

/** Every distinct binary module a spec file instantiates (so it is valid), in a stable order. */
function validModules(): { name: string; bytes: Uint8Array }[] {
  const modules = new Map<string, { name: string; bytes: Uint8Array }>();
  for (const file of specFiles) {
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
  /** Instances created (one per variant of a compiled mutant). */
  instantiated: number;
  calls: number;
  notRun: number;
  /** Exports with v128 in their signature: the JS API forbids calling them (TypeError before anything runs). */
  v128: number;
}

function newStats(): Stats {
  return { mutants: 0, rejected: 0, unreadable: 0, instantiated: 0, calls: 0, notRun: 0, v128: 0 };
}

/** How strictly a run judges the errors, and which instances it makes. */
interface Checks {
  /** CompileErrors must be the decoder's/validator's own (see deliberateOrigin). Ours only. */
  origin: boolean;
  /** Options of each instance made of a compiled mutant. */
  variants: object[];
}

const CHECKS: Checks = ENGINE === "wasmrun"
  ? { origin: true, variants: WASMRUN_VARIANTS }
  : { origin: false, variants: [INSTANCE_OPTIONS] };

/** Where wasmrun raises CompileErrors on purpose: `Reader.fail` and the validator's `fail`s. */
const DELIBERATE_SOURCES = /\/src\/wasm\/(reader|decoder|validator)\.ts:\d+:\d+\)?$/;

/**
 * Why a CompileError is not one of the deliberate refusals, or null when it is: it must carry no `cause`
 * (a relabelled exception would) and be created in the decoder, reader or validator (its stack's top
 * frame), not by a catch-all somewhere above them.
 */
function deliberateOrigin(e: Error): string | null {
  if (e.cause !== undefined) {
    return `a CompileError with a cause (${describeError(e.cause)}): a relabelled exception`;
  }
  const top = (e.stack ?? "").split("\n").find((l) => l.trimStart().startsWith("at "))?.trim() ?? "no stack";
  return DELIBERATE_SOURCES.test(top)
    ? null
    : `a CompileError created outside the decoder/validator (${top})`;
}

function withCause(e: unknown): string {
  const cause = (e as { cause?: unknown })?.cause;
  return cause === undefined ? describeError(e) : `${describeError(e)} [cause: ${describeError(cause)}]`;
}

/** Runs one mutant as far as it goes; returns null when only permitted errors came out. */
function tryMutant(api: WasmApi, bytes: Uint8Array, stats: Stats, checks: Checks): string | null {
  const unexpected = (stage: string, e: unknown, allowed: ErrorClass[]) =>
    allowed.some((c) => e instanceof c) ? null : `${stage} threw ${withCause(e)}`;
  let module: object | undefined;
  let compileError: unknown;
  try {
    module = new api.Module(bytes);
  } catch (e) {
    compileError = e;
  }
  if (module === undefined) {
    stats.rejected++;
    const problem = unexpected("compile", compileError, [api.CompileError]);
    if (problem) return problem;
    if (checks.origin) {
      const origin = deliberateOrigin(compileError as Error);
      if (origin) return `compile threw ${origin}`;
    }
  }
  let valid: unknown;
  try {
    valid = api.validate?.(bytes);
  } catch (e) {
    return `validate threw ${withCause(e)}`;
  }
  if (module === undefined) {
    if (valid === true) return `validate said true, new Module threw ${describeError(compileError)}`;
    return null;
  }
  if (valid === false) return "validate said false, new Module compiled it";
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
  for (const options of checks.variants) {
    const label = JSON.stringify(options);
    let exports: Record<string, unknown>;
    try {
      exports = new api.Instance(module, stubImports(api, shape), options).exports;
    } catch (e) {
      const problem = unexpected(`instantiate ${label}`, e, [api.LinkError, api.RuntimeError]);
      if (problem) return problem;
      continue;
    }
    stats.instantiated++;
    if (!runnable) {
      stats.notRun++;
      continue;
    }
    for (const { name, type } of shape.funcExports) {
      const fn = exports[name];
      if (typeof fn !== "function") return `export ${name} is not a function`;
      // The JS API refuses v128 in a signature with a TypeError before running anything: nothing to learn.
      if ([...type.params, ...type.results].includes("v128")) {
        stats.v128++;
        continue;
      }
      // V8 reports stack overflow as RangeError.
      const allowed: ErrorClass[] = [api.RuntimeError];
      if (ENGINE === "v8") allowed.push(RangeError);
      try {
        stats.calls++;
        fn(...type.params.map(zero));
      } catch (e) {
        const problem = unexpected(`calling ${name} ${label}`, e, allowed);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/** Runs `modules` × MUTANTS_PER_MODULE mutants; returns the problems ("module: mutation: problem"). */
function runMutants(
  api: WasmApi,
  modules: { name: string; bytes: Uint8Array }[],
  random: () => number,
  stats: Stats,
  checks: Checks,
): string[] {
  const failures: string[] = [];
  for (const { name, bytes } of modules) {
    for (let kind = 0; kind < MUTANTS_PER_MODULE; kind++) {
      const mutant = mutate(bytes, kind, random);
      stats.mutants++;
      const problem = tryMutant(api, mutant.bytes, stats, checks);
      if (problem) failures.push(`${name}: ${mutant.how}: ${problem}`);
    }
  }
  return failures;
}

const corpus = validModules();

Deno.test({
  name:
    `malformed modules only raise CompileError/LinkError/RuntimeError, never an internal error (${ENGINE})`,
  ignore: corpus.length === 0,
  async fn() {
    const api = await loadEngine(ENGINE);
    const random = prng(SEED);
    const start = performance.now();
    const stats = newStats();
    const jitFailuresBefore = jitFailures.length;
    const failures = runMutants(api, sample(corpus, MODULES, random), random, stats, CHECKS);
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    console.log(
      `malformed (${ENGINE}, seed ${SEED}, fuel ${FUEL}): ${corpus.length} valid modules, ${stats.mutants} ` +
        `mutants, ${stats.rejected} rejected, ${stats.instantiated} instances (${CHECKS.variants.length} per ` +
        `compiled mutant), ${stats.calls} export calls, ${stats.v128} v128 exports not callable, ` +
        `${stats.notRun} not run (may loop), ${stats.unreadable} unreadable by the test; ${seconds} s`,
    );
    // The details go into the message too: `deno test --quiet` hides console output even on failure.
    const details = failures.slice(0, 30).map((f) => `  ${f}`).join("\n");
    assert.equal(
      failures.length,
      0,
      `${failures.length} mutants raised a disallowed exception (seed ${SEED}):\n${details}`,
    );
    // The JS tier falls back to the interpreter when it throws: a bug it must not hide.
    const jit = jitFailures.slice(jitFailuresBefore).map((f) =>
      `  function ${f.index}: ${describeError(f.error)}`
    );
    assert.deepEqual(
      jit,
      [],
      `the JS tier failed on ${jit.length} mutant functions:\n${jit.slice(0, 20).join("\n")}`,
    );
    // The mutations must actually exercise both paths, or this test proves nothing.
    assert.ok(stats.rejected > stats.mutants / 10 && stats.instantiated > stats.mutants / 50);
  },
});

// ---- The test tells an internal failure from a refusal: a planted bug ----

const ROOT = new URL("../", import.meta.url);
/** The first statement of `Reader.fail`, where the planted bug goes. */
const PLANT_SITE = /(\n\s*fail\(message: string, at = this\.pos\): never \{\n)/;
/** A decoder bug in an error path: where a truncated module should be refused, a TypeError. */
const PLANTED =
  `    if (message === "unexpected end") (undefined as unknown as { planted(): void }).planted();\n`;

function copyTree(from: URL, to: URL): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    if (e.isDirectory) copyTree(new URL(`${e.name}/`, from), new URL(`${e.name}/`, to));
    else if (e.isFile) Deno.copyFileSync(new URL(e.name, from), new URL(e.name, to));
  }
}

/** A copy of the engine and command line (src/, mod.ts, cli.ts, deno.json) with the planted bug. */
function plantedCopy(): URL {
  const dir = new URL(`file://${Deno.makeTempDirSync({ prefix: "wasmrun-planted-" })}/`);
  copyTree(new URL("src/", ROOT), new URL("src/", dir));
  for (const f of ["mod.ts", "cli.ts", "deno.json"]) Deno.copyFileSync(new URL(f, ROOT), new URL(f, dir));
  const reader = new URL("src/wasm/reader.ts", dir);
  const text = Deno.readTextFileSync(reader);
  assert.match(
    text,
    PLANT_SITE,
    "Reader.fail not found in src/wasm/reader.ts: update PLANT_SITE in this test",
  );
  Deno.writeTextFileSync(reader, text.replace(PLANT_SITE, `$1${PLANTED}`));
  return dir;
}

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error("nothing thrown");
}

/** The smallest module the planted bug hits: a section id and then nothing. */
const TRUNCATED = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01]);

Deno.test({
  name:
    "a planted decoder bug surfaces as an internal error, in the API, this test and the CLI (not a CompileError)",
  ignore: ENGINE !== "wasmrun" || corpus.length === 0,
  async fn() {
    const dir = plantedCopy();
    try {
      const planted: WasmApi = (await import(new URL("mod.ts", dir).href)).WebAssembly;
      // The API: not a CompileError, says what it is, keeps the TypeError; validate() does not answer false.
      const e: Error = caught(() => new planted.Module(TRUNCATED));
      assert.ok(
        !((e as unknown) instanceof planted.CompileError),
        `relabelled as a CompileError: ${describeError(e)}`,
      );
      assert.equal(e.name, "InternalError");
      assert.match(e.message, /internal error while compiling a module: TypeError: .*please report it/);
      assert.ok(e.cause instanceof TypeError);
      assert.throws(() => planted.validate!(TRUNCATED), (x: Error) => x.name === "InternalError");

      // The mutation run flags it, on every mutant that reaches the planted path, and on nothing else.
      const stats = newStats();
      const failures = runMutants(planted, sample(corpus, 40, prng(SEED)), prng(SEED + 1), stats, CHECKS);
      const planted_ = failures.filter((f) =>
        /: compile threw InternalError: .*TypeError: Cannot read properties of undefined \(reading 'planted'\)/
          .test(f)
      );
      console.log(`planted bug: ${failures.length} of ${stats.mutants} mutants flagged`);
      assert.ok(
        planted_.length >= 10,
        `only ${planted_.length} mutants hit the planted bug:\n${failures.join("\n")}`,
      );
      assert.deepEqual(failures.filter((f) => !planted_.includes(f)), [], "other problems flagged");

      // The real engine refuses the same bytes with the reader's own CompileError.
      const real = await loadEngine("wasmrun");
      assert.throws(
        () => new real.Module(TRUNCATED),
        (x: Error) => x instanceof real.CompileError && !deliberateOrigin(x),
      );

      // The command line: one line saying it is an internal error and asking for a report, exit 1, no stack.
      const file = new URL("truncated.wasm", dir);
      Deno.writeFileSync(file, TRUNCATED);
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", new URL("cli.ts", dir).pathname, "validate", file.pathname],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert.equal(run.code, 1, stderr);
      assert.match(
        stderr,
        /^wasmrun: internal error while compiling \S+truncated\.wasm: TypeError: Cannot read properties of undefined \(reading 'planted'\) \(a bug in wasmrun, not in the module: please report it, with the module\)\n$/,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("CLI: an engine's unexpected exception while compiling is one line asking for a report; a CompileError is not", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-internal-" });
  try {
    const path = `${dir}/m.wasm`;
    Deno.writeFileSync(path, TRUNCATED);
    const throwing = (make: () => unknown): EngineLike =>
      ({
        Module: class {
          constructor() {
            throw make();
          }
          static imports = () => [];
          static exports = () => [];
        },
      }) as unknown as EngineLike;
    const internal = await cli(["validate", path], { engine: throwing(() => new RangeError("boom")) });
    assert.ok(isOneLineError(internal), internal.stderr);
    assert.equal(internal.code, 1);
    assert.match(
      internal.stderr,
      /internal error while compiling .*m\.wasm: RangeError: boom \(a bug in wasmrun.*please report it/,
    );
    const refused = await cli(["validate", path]);
    assert.ok(isOneLineError(refused), refused.stderr);
    assert.match(refused.stderr, /m\.wasm: invalid module: unexpected end/);
    assert.doesNotMatch(refused.stderr, /internal error/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
