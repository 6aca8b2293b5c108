/**
 * `wasmrun exec`: compile, link against the WASI host, then run the entry point (`_start`, else
 * `main`) or the function named by --invoke, within the limits of --fuel, --timeout, --max-memory
 * and --max-stack (passed to the engine as its instance options). Exit status: the guest's exit
 * code, 134 after a trap (running out of fuel or time included), 1 for a module that cannot be
 * read, compiled, linked or fitted under --max-memory, 2 for usage errors. The engine is the
 * caller's (wasmrun's or V8's: cli.ts picks it from --engine); the module may come from stdin (`-`).
 */
import { decodeModule } from "../wasm/decoder.ts";
import { ExternKind, type FuncType, ValType } from "../wasm/types.ts";
import {
  describeRefusal,
  isWasiExit,
  oncePerPath,
  PREVIEW1_FUNCTIONS,
  UNSTABLE_FUNCTIONS,
  WASI,
  type WASIOptions,
} from "../wasi/mod.ts";
import type { ExecCommand } from "./args.ts";
import { type EngineLike, type EngineLimits, errorMessage, errorName } from "./engine.ts";
import { CliFailure } from "./failure.ts";
import { type CliIo, out, writeAll } from "./io.ts";
import { compileModule, moduleLabel, oneLine, readModuleBytes, STDIN_MODULE } from "./load.ts";
import { capMemoryMaximum } from "./memory_cap_v8.ts";
import { compileCacheDir } from "./code_cache.ts";
import { writeProfile } from "./profile.ts";
import { buildEnv, buildPreopens, preopenSpecs } from "./setup.ts";
import { formatTrap, isTrap } from "./trap.ts";
import { formatValue, parseValue } from "./values.ts";

export const TRAP_STATUS = 134;

const PROVIDED: Record<string, readonly string[]> = {
  wasi_snapshot_preview1: PREVIEW1_FUNCTIONS,
  wasi_unstable: UNSTABLE_FUNCTIONS,
};

function checkImports(engine: EngineLike, module: object, path: string): void {
  const missing = engine.Module.imports(module).filter((i) =>
    !(i.kind === "function" && PROVIDED[i.module]?.includes(i.name))
  );
  if (missing.length > 0) {
    const list = missing.map((i) => `${i.module}.${i.name} (${i.kind})`).join(", ");
    throw new CliFailure(`${path} needs imports wasmrun does not provide: ${list}`);
  }
}

function exportedFunctions(engine: EngineLike, module: object): string {
  const names = engine.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
  return names.length ? names.join(", ") : "(none)";
}

/** The signature of exported function `name`, read with wasmrun's decoder. */
function signatureOf(bytes: Uint8Array, name: string): FuncType {
  const info = decodeModule(bytes);
  const exp = info.exports.find((e) => e.name === name && e.kind === ExternKind.Func);
  if (!exp) throw new CliFailure(`no exported function ${name}`, 2);
  return info.types[info.funcTypeIndices[exp.index]];
}

function resultsOf(value: unknown, count: number): unknown[] {
  if (count === 0) return [];
  if (count === 1) return [value];
  return [...(value as Iterable<unknown>)];
}

type Instance = { exports: Record<string, unknown> };

function invoke(
  cmd: ExecCommand,
  io: CliIo,
  engine: EngineLike,
  module: object,
  type: FuncType | undefined,
  wasi: WASI,
  instance: Instance,
): number {
  const name = cmd.invoke!;
  const exports = instance.exports;
  const fn = exports[name];
  if (typeof fn !== "function") {
    throw new CliFailure(
      `${moduleLabel(cmd.module)} exports no function ${JSON.stringify(name)}; exported functions: ${
        exportedFunctions(engine, module)
      }`,
      2,
    );
  }
  if (type === undefined) throw new CliFailure(`no exported function ${name}`, 2);
  if (cmd.guestArgs.length !== type.params.length) {
    throw new CliFailure(
      `${name} takes ${type.params.length} argument(s), got ${cmd.guestArgs.length}`,
      2,
    );
  }
  const args = cmd.guestArgs.map((text, i) => parseValue(text, type.params[i], i + 1));
  if (typeof exports._initialize === "function" && exports._start === undefined) wasi.initialize(instance);
  else wasi.attach(instance);
  const results = resultsOf(fn(...args), type.results.length);
  results.forEach((v, i) => out(io, formatValue(v, type.results[i])));
  return 0;
}

function runEntry(
  cmd: ExecCommand,
  engine: EngineLike,
  module: object,
  mainType: FuncType | undefined,
  wasi: WASI,
  instance: Instance,
): number {
  const exports = instance.exports;
  if (typeof exports._start === "function") {
    if (exports._initialize !== undefined) {
      throw new CliFailure(
        `${
          moduleLabel(cmd.module)
        } exports both _start and _initialize; it is neither a command nor a reactor`,
      );
    }
    if (!(exports.memory && typeof exports.memory === "object")) {
      // No memory to bind (node:wasi's start() insists on one): fine for a program making no WASI calls.
      wasi.attach(instance);
      try {
        (exports._start as () => void)();
        return 0;
      } catch (err) {
        if (isWasiExit(err)) return err.code & 0xff;
        throw err;
      }
    }
    return wasi.start(instance) & 0xff;
  }
  if (typeof exports.main === "function" && mainType !== undefined) {
    const type = mainType;
    wasi.attach(instance);
    // Parameters, if any, get zero values: there is no C runtime here to build argc/argv.
    const result = (exports.main as (...a: unknown[]) => unknown)(
      ...type.params.map((t) => (t === ValType.I64 ? 0n : 0)),
    );
    return typeof result === "number" ? result & 0xff : 0;
  }
  const kind = typeof exports._initialize === "function"
    ? "is a reactor (it exports _initialize, not _start)"
    : "has no entry point (_start or main)";
  throw new CliFailure(
    `${moduleLabel(cmd.module)} ${kind}: call a function with --invoke NAME; exported functions: ${
      exportedFunctions(engine, module)
    }`,
  );
}

/** The engine options the flags ask for; undefined when none was given. */
/** Keeps what this run compiled for the next one; a cache that cannot be written changes nothing else. */
function saveCache(engine: EngineLike, module: object, dir: string): void {
  try {
    engine.saveCompiledCode?.(module, dir);
  } catch {
    // a full disk, a read-only directory: the run's own result stands
  }
}

export function engineLimits(cmd: ExecCommand): EngineLimits | undefined {
  const limits: EngineLimits = {};
  if (cmd.fuel !== undefined) limits.fuel = cmd.fuel;
  if (cmd.timeoutMs !== undefined) limits.timeoutMs = cmd.timeoutMs;
  if (cmd.maxMemoryPages !== undefined) limits.maxMemoryPages = cmd.maxMemoryPages;
  if (cmd.maxStack !== undefined) limits.maxCallDepth = cmd.maxStack;
  if (cmd.profile) limits.profile = true;
  if (cmd.interpret) limits.jit = false;
  if (cmd.tierUp !== undefined) limits.tierUp = cmd.tierUp;
  return Object.keys(limits).length > 0 ? limits : undefined;
}

function instantiate(cmd: ExecCommand, engine: EngineLike, module: object, wasi: WASI): Instance {
  try {
    return new engine.Instance(module, wasi.getImportObject(), engineLimits(cmd));
  } catch (err) {
    if (errorName(err) === "LinkError") {
      throw new CliFailure(`${moduleLabel(cmd.module)}: cannot link: ${oneLine(errorMessage(err))}`);
    }
    // The engine refuses a memory whose minimum is above --max-memory before anything runs.
    if (errorName(err) === "RuntimeError" && errorMessage(err).startsWith("memory limit:")) {
      throw new CliFailure(`${moduleLabel(cmd.module)}: cannot instantiate: ${oneLine(errorMessage(err))}`);
    }
    throw err; // a trap or proc_exit in the start function is handled by the caller
  }
}

/** The WASI host; a backend that cannot be used here is a one-line failure. */
function createWasi(cmd: ExecCommand, options: WASIOptions): WASI {
  try {
    return new WASI(options);
  } catch (err) {
    const message = (err as Error).message;
    if (message.startsWith("the native file system backend")) {
      throw new CliFailure(`--fs-backend ${cmd.fsBackend}: ${message}`);
    }
    if (message.startsWith("listening on") || message.startsWith("cannot listen on")) {
      throw new CliFailure(`--tcplisten: ${oneLine(message)}`);
    }
    throw new CliFailure(oneLine(message));
  }
}

/**
 * The module compiled, and the type of the function the run will call when it is not `_start`
 * (`--invoke NAME`, or `main`). The file's bytes go out of scope here: the engine keeps its own copy,
 * and a big module (clang: 66 MB) need not be held twice while the program runs.
 */
async function load(
  cmd: ExecCommand,
  io: CliIo,
  engine: EngineLike,
): Promise<{ module: object; entry?: FuncType }> {
  const label = moduleLabel(cmd.module);
  let bytes = await readModuleBytes(cmd.module, io.stdin);
  // V8 has no memory cap of its own: the module's maxima are lowered to it instead.
  if (cmd.engine === "v8" && cmd.maxMemoryPages !== undefined) {
    bytes = capMemoryMaximum(bytes, cmd.maxMemoryPages, label);
  }
  const module = compileModule(engine, label, bytes);
  checkImports(engine, module, label);
  const functions = new Set(
    engine.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name),
  );
  const name = cmd.invoke ?? (functions.has("_start") ? undefined : "main");
  return { module, entry: name !== undefined && functions.has(name) ? signatureOf(bytes, name) : undefined };
}

/** Optional hooks of a run. */
export interface ExecHooks {
  /** Called once the module is compiled and the WASI host set up, just before the guest starts running. */
  beforeRun?: () => void;
}

export async function runExec(
  cmd: ExecCommand,
  io: CliIo,
  engine: EngineLike,
  hooks: ExecHooks = {},
): Promise<number> {
  const env = buildEnv(cmd.env, cmd.inheritEnv);
  const preopens = buildPreopens(preopenSpecs(cmd.dirs, cmd.defaultDir));
  const { module, entry } = await load(cmd, io, engine);
  const cacheDir = compileCacheDir(cmd);
  if (cacheDir !== null) await engine.loadCompiledCode?.(module, cacheDir);
  const wasi = createWasi(cmd, {
    // argv[0]: the module's file name, as wasmtime and wazero give it (the path is the host's business);
    // "-" for a module from stdin, as python and node give a script read from stdin.
    args: [cmd.argv0 ?? basename(cmd.module), ...(cmd.invoke === undefined ? cmd.guestArgs : [])],
    env,
    preopens,
    listen: cmd.tcpListen,
    fsBackend: cmd.fsBackend,
    // A module read from stdin used it up: the guest finds its stdin at end of input.
    stdin: cmd.module === STDIN_MODULE ? "" : io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    returnOnExit: true,
    trace: cmd.trace ? (line) => writeAll(io.stderr, line + "\n") : undefined,
    traceScopes: cmd.traceScopes,
    // The program got EACCES and goes on; the user is told once per path what to grant.
    onPermissionDenied: oncePerPath((r) => writeAll(io.stderr, `wasmrun: ${describeRefusal(r)}\n`)),
    deadline: engine.currentDeadline,
  });
  let instance: Instance | undefined;
  // A module that cannot be linked, or an entry point that cannot be called, ran nothing to profile.
  let nothingRan = false;
  try {
    hooks.beforeRun?.();
    instance = instantiate(cmd, engine, module, wasi);
    return cmd.invoke === undefined
      ? runEntry(cmd, engine, module, entry, wasi, instance)
      : invoke(cmd, io, engine, module, entry, wasi, instance);
  } catch (err) {
    if (isWasiExit(err)) return err.code & 0xff;
    if (isTrap(err)) {
      writeAll(io.stderr, formatTrap(err, cmd.demangle !== false));
      return TRAP_STATUS;
    }
    nothingRan = err instanceof CliFailure;
    throw err;
  } finally {
    wasi.close();
    if (cmd.profile && !nothingRan) writeProfile(io, engine, instance, cmd);
    if (cacheDir !== null && !nothingRan) saveCache(engine, module, cacheDir);
  }
}

/** The last component of a host path (either separator), the whole path when it has none. */
function basename(path: string): string {
  const name = path.replace(/[\\/]+$/, "").split(/[\\/]/).pop();
  return name === undefined || name === "" ? path : name;
}
