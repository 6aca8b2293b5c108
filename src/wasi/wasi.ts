/**
 * The `WASI` class, shaped like Node's `node:wasi`: give it args, env, preopens and stdio, put
 * `getImportObject()` (or `wasiImport`) into the instantiation, then `start(instance)` a command or
 * `initialize(instance)` a reactor. It only touches `instance.exports.memory` and exported functions,
 * so it works with any engine that implements the WebAssembly JS API.
 */
import { ALL_RIGHTS, DIR_RIGHTS } from "./constants.ts";
import { HostContext } from "./context.ts";
import { WasiExit } from "./errors.ts";
import { FdTable } from "./fd_table.ts";
import type { HostFunctions } from "./functions.ts";
import { denoGate, openGate, type PermissionGate, type PermissionRefusal } from "./gate.ts";
import { preview1Imports, unstableImports } from "./imports.ts";
import { bytesOf, type MemoryLike } from "./memory.ts";
import type { TraceScope } from "./trace.ts";
import { createBackend } from "./fs/select.ts";
import type { DirHandle, FsBackend } from "./fs/types.ts";
import { openListener, SOCKET_RIGHTS } from "./sockets.ts";
import { type StdinOption, StdioStream, type StdoutOption } from "./stdio.ts";

/** A preopened directory with options. */
export interface PreopenOptions {
  /** The host directory. */
  path: string;
  /** Refuse every change through this preopen with EROFS. */
  readOnly?: boolean;
}

/** Options of the `WASI` constructor (those of node:wasi, plus read-only preopens and the gate). */
export interface WASIOptions {
  /**
   * Which namespace `wasiImport` and `getImportObject()` are for, as in node:wasi (which requires
   * it). Without it `wasiImport` is wasi_snapshot_preview1 and `getImportObject()` offers both.
   */
  version?: "preview1" | "unstable";
  /** The guest's argv, argv[0] included. */
  args?: string[];
  /** The guest's environment; nothing is inherited from the host. */
  env?: Record<string, string>;
  /** Guest path → host directory (or `{ path, readOnly }`). */
  preopens?: Record<string, string | PreopenOptions>;
  /**
   * Listening TCP sockets to preopen, as "HOST:PORT" (an IPv4 literal, `localhost`, or `[IPv6]`):
   * each becomes the next fd after the preopened directories (so wasi-libc's scan of preopens,
   * which stops at the first fd that is not one, still finds every directory), for the guest to
   * `sock_accept` from. Needs Deno's FFI (Linux) and, with the default permission gate, Deno's net
   * permission for the address. Not part of node:wasi (wasmtime's `--tcplisten`).
   */
  listen?: string[];
  /**
   * The guest's fd 0: a host file descriptor (default 0, the process's stdin), or bytes/text/a
   * source to read from. As in node:wasi any host fd is accepted: 0, 1 and 2 are the process's own
   * streams, any other (one from `node:fs`'s `openSync`, say) is read through Deno's FFI, so it
   * needs FFI permission (Linux).
   */
  stdin?: StdinOption;
  /** The guest's fd 1: a host file descriptor (default 1; see `stdin`), or a sink. */
  stdout?: StdoutOption;
  /** The guest's fd 2: a host file descriptor (default 2; see `stdin`), or a sink. */
  stderr?: StdoutOption;
  /** When the guest calls proc_exit: return its code from start() (default) or exit this process. */
  returnOnExit?: boolean;
  /**
   * The second gate before host file access: "deno" (default) asks Deno.permissions; "none" skips
   * it (the sandbox still applies); or a custom gate.
   */
  permissions?: "deno" | "none" | PermissionGate;
  /**
   * How the host reaches the preopened directories. "native": real directory descriptors through
   * the C library (Deno's FFI, Linux), so containment holds even while other processes change the
   * directories, and times are exact to the nanosecond. "deno": Deno's path APIs, each stored
   * path re-checked on every use (see docs/sandbox.md for what stays racy there). "auto" (the
   * default): native when Deno's FFI is permitted and the platform is supported, else deno.
   */
  fsBackend?: "auto" | "native" | "deno";
  /**
   * When blocking waits must end (poll_oneoff sleeps, reads of the process's stdin): returns a
   * `performance.now()` time, or Infinity. The `WASI` that mod.ts exports defaults it to the deadline
   * of the wasmrun engine call that is running (its `timeoutMs` option), so a guest cannot sleep
   * through its timeout; this host itself knows no engine and defaults to no deadline.
   */
  deadline?: () => number;
  /**
   * Logs every host call, one line before it runs and one after it returns (without newlines):
   * `==> fd_write(fd=1, iovs=0x1000, iovs_len=1, nwritten=0x2000)` then
   * `<== errno=SUCCESS nwritten=12`. Not part of node:wasi.
   */
  trace?: (line: string) => void;
  /** Which functions `trace` logs, by scope (`["fs", "clock"]`; see trace.ts); all by default. */
  traceScopes?: readonly TraceScope[];
  /**
   * Called each time a permission check refuses the guest a host access: the guest's call still
   * fails with EACCES and the guest goes on; this says which path and access, and who refused.
   * The command line prints it once per path and access, as `Deno refused write access to /x (the
   * program got EACCES); add --allow-write=/x`. Not part of node:wasi; by default nothing is said.
   */
  onPermissionDenied?: (refusal: PermissionRefusal) => void;
}

/** What the WASI class needs of an instance, from any engine. */
export interface InstanceLike {
  /** The instance's exports: `memory` and `_start`/`_initialize` are looked up here. */
  exports: Record<string, unknown>;
}

/** An error with the `code` node:wasi gives it, so that code written for node:wasi can tell. */
function nodeError<E extends Error>(error: E, code: string): E & { code: string } {
  return Object.assign(error, { code });
}

function alreadyStarted(): Error {
  return nodeError(
    new Error("this WASI object has already been started or initialized"),
    "ERR_WASI_ALREADY_STARTED",
  );
}

/** node:wasi's type checks of the options it shares with ours: a TypeError with ERR_INVALID_ARG_TYPE. */
function checkOptionTypes(options: WASIOptions): void {
  const wrong = (name: string, what: string, v: unknown) =>
    nodeError(
      new TypeError(`the "options.${name}" property must be ${what}, got ${v === null ? "null" : typeof v}`),
      "ERR_INVALID_ARG_TYPE",
    );
  if (typeof options !== "object" || options === null) {
    throw nodeError(new TypeError(`the "options" argument must be an object`), "ERR_INVALID_ARG_TYPE");
  }
  if (options.args !== undefined && !Array.isArray(options.args)) {
    throw wrong("args", "an array", options.args);
  }
  const version = options.version as unknown;
  if (version !== undefined && version !== "preview1" && version !== "unstable") {
    throw nodeError(
      new TypeError(
        `the "options.version" property must be "preview1" or "unstable", got ${String(version)}`,
      ),
      "ERR_INVALID_ARG_VALUE",
    );
  }
  for (const name of ["stdin", "stdout", "stderr"] as const) {
    const v = options[name];
    // node:wasi takes any int32 fd >= 0; a negative or fractional one is its ERR_OUT_OF_RANGE.
    if (typeof v === "number" && !(Number.isInteger(v) && v >= 0 && v <= 0x7fffffff)) {
      throw nodeError(
        new RangeError(`the value of "options.${name}" is out of range: it must be an fd >= 0, got ${v}`),
        "ERR_OUT_OF_RANGE",
      );
    }
  }
  for (const name of ["env", "preopens"] as const) {
    const v = options[name];
    if (v !== undefined && (typeof v !== "object" || v === null)) throw wrong(name, "an object", v);
  }
}

/** `strings` as UTF-8; each item coerced with String() first, as node:wasi does (`args: [1, 2]`). */
function encodeStrings(kind: string, strings: readonly unknown[]): Uint8Array[] {
  const encoder = new TextEncoder();
  return [...strings].map((item) => {
    const s = String(item);
    if (s.includes("\0")) {
      throw new TypeError(`${kind} must not contain NUL characters: ${JSON.stringify(s)}`);
    }
    return encoder.encode(s);
  });
}

function openPreopen(
  fs: FsBackend,
  option: string | PreopenOptions,
): { handle: DirHandle; readOnly: boolean } {
  const { path, readOnly = false } = typeof option === "string" ? { path: option } : option;
  try {
    const hostPath = Deno.realPathSync(path);
    if (!Deno.statSync(hostPath).isDirectory) throw new Error("not a directory");
    return { handle: fs.openPreopen(hostPath), readOnly };
  } catch (err) {
    const why = err instanceof Error && err.name !== "WasiError" ? err.message : "cannot open it";
    throw new Error(`cannot preopen ${JSON.stringify(path)}: ${why}`);
  }
}

/** Closes the descriptors of WASI hosts that were dropped without `close()`. */
const unclosed = new FinalizationRegistry<FdTable>((fds) => fds.closeAll());

/** True for the exit signal thrown by proc_exit, even if an engine re-created the error object. */
export function isWasiExit(err: unknown): err is WasiExit {
  return err instanceof WasiExit ||
    ((err as { name?: unknown })?.name === "WasiExit" &&
      typeof (err as { code?: unknown }).code === "number");
}

/** A memory of any engine: something with an ArrayBuffer (or SharedArrayBuffer) `buffer`. */
function isMemory(memory: unknown): memory is MemoryLike {
  if (typeof memory !== "object" || memory === null) return false;
  const buffer: unknown = bytesOf(memory as MemoryLike);
  return buffer instanceof ArrayBuffer || buffer instanceof SharedArrayBuffer;
}

/** No deadline: blocking waits last as long as the guest asks. */
const noDeadline = (): number => Infinity;

/**
 * A WASI preview1 host for one guest instance, shaped like node:wasi.
 *
 * ```ts
 * const wasi = new WASI({ args: ["app"], preopens: { "/data": "./data" } });
 * const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject());
 * const exitCode = wasi.start(instance);
 * ```
 */
export class WASI {
  /** The host functions of the namespace chosen by `version` (default wasi_snapshot_preview1). */
  readonly wasiImport: HostFunctions;
  /** The file system backend in use (see `fsBackend` in the options). Not part of node:wasi. */
  readonly fsBackend: "native" | "deno";
  readonly #ctx: HostContext;
  readonly #unstable: HostFunctions;
  readonly #preview1: HostFunctions;
  readonly #returnOnExit: boolean;
  readonly #version: "preview1" | "unstable" | undefined;
  #started = false;

  /** Checks the options and opens the preopened directories (throws if one is not a directory). */
  constructor(options: WASIOptions = {}) {
    checkOptionTypes(options);
    const env = Object.entries(options.env ?? {}).map(([k, v]) => {
      if (k.includes("=")) throw new TypeError(`environment variable names must not contain "=": ${k}`);
      return `${k}=${v}`;
    });
    const gate = options.permissions === "none"
      ? openGate
      : options.permissions === undefined || options.permissions === "deno"
      ? denoGate
      : options.permissions;
    const fs = createBackend(options.fsBackend ?? "auto", gate);
    const fds = new FdTable();
    const stdio = [
      new StdioStream(0, options.stdin ?? 0),
      new StdioStream(1, options.stdout ?? 1),
      new StdioStream(2, options.stderr ?? 2),
    ];
    for (const stream of stdio) {
      fds.add({ kind: "stream", stream, rightsBase: stream.rights, rightsInheriting: 0n, fdflags: 0 });
    }
    for (const [guest, host] of Object.entries(options.preopens ?? {})) {
      const { handle, readOnly } = openPreopen(fs, host);
      fds.add({
        kind: "dir",
        handle,
        readOnly,
        preopenName: guest,
        rightsBase: DIR_RIGHTS,
        rightsInheriting: ALL_RIGHTS,
        fdflags: 0,
      });
    }
    try {
      for (const spec of options.listen ?? []) {
        const socket = openListener(spec, gate === denoGate);
        fds.add({
          kind: "stream",
          stream: socket,
          rightsBase: socket.rights,
          rightsInheriting: SOCKET_RIGHTS,
          fdflags: 0,
        });
      }
    } catch (err) {
      fds.closeAll(); // the preopens and listeners opened so far
      throw err;
    }
    this.#ctx = new HostContext(
      fds,
      encodeStrings("args", options.args ?? []),
      encodeStrings("env", env),
      gate,
      fs,
      options.deadline ?? noDeadline,
      options.onPermissionDenied,
      gate === denoGate ? "deno" : "gate",
    );
    this.fsBackend = fs.name;
    // A reactor nobody closes must not keep its host descriptors until the process ends: once
    // the host context (which the instance's imports hold) is unreachable, they are closed.
    unclosed.register(this.#ctx, fds, fds);
    const trace = options.trace && { sink: options.trace, scopes: options.traceScopes };
    this.#preview1 = preview1Imports(this.#ctx, trace);
    this.#unstable = unstableImports(this.#ctx, trace);
    this.wasiImport = options.version === "unstable" ? this.#unstable : this.#preview1;
    this.#version = options.version;
    this.#returnOnExit = options.returnOnExit ?? true;
  }

  /**
   * The imports to pass to instantiation: the namespace of `version` (`{ wasi_unstable }` or
   * `{ wasi_snapshot_preview1 }`, as node:wasi gives), or both when no version was given.
   */
  getImportObject(): Record<string, HostFunctions> {
    if (this.#version === "unstable") return { wasi_unstable: this.#unstable };
    if (this.#version === "preview1") return { wasi_snapshot_preview1: this.#preview1 };
    return { wasi_snapshot_preview1: this.#preview1, wasi_unstable: this.#unstable };
  }

  /**
   * Runs a command: calls `_start` and returns its exit code (0 when `_start` returns, the
   * proc_exit code otherwise). Traps propagate as the engine's RuntimeError.
   */
  start(instance: InstanceLike): number {
    const start = this.#bind(instance, "_start", "_initialize");
    if (typeof start !== "function") throw new TypeError("the instance does not export a _start function");
    try {
      start();
      return 0;
    } catch (err) {
      if (!isWasiExit(err)) throw err;
      if (!this.#returnOnExit) Deno.exit(err.code & 0xff);
      return err.code;
    } finally {
      this.#ctx.fds.closeAll();
    }
  }

  /** Prepares a reactor: calls `_initialize` when it is exported. Its exports can be called afterwards. */
  initialize(instance: InstanceLike): void {
    const init = this.#bind(instance, "_initialize", "_start");
    if (init !== undefined) {
      if (typeof init !== "function") {
        throw new TypeError("the instance's _initialize export is not a function");
      }
      init();
    }
  }

  /**
   * Binds an instance's memory without running anything, so its exports can be called directly
   * (wasmrun's `--invoke` on a command, or a module that exports no memory and calls no WASI
   * function that needs one). Not part of node:wasi.
   */
  attach(instance: InstanceLike): void {
    if (this.#started) throw alreadyStarted();
    this.#started = true;
    const memory = instance.exports.memory as MemoryLike | undefined;
    if (memory && typeof memory === "object" && "buffer" in memory) this.#ctx.bindMemory(memory);
  }

  /**
   * Binds an instance without running anything, as node:wasi's `finalizeBindings` does: its memory
   * is `options.memory` when given (a module that imports its memory), else its `memory` export,
   * which must then be a memory. After this the instance's exports can be called directly;
   * start() and initialize() refuse it, as after either of them. A second call binds again, as in
   * Deno's node:wasi (Node's own refuses it).
   */
  finalizeBindings(instance: InstanceLike, options?: { memory?: MemoryLike }): void {
    const exports = instance?.exports;
    if (
      typeof instance !== "object" || instance === null || typeof exports !== "object" || exports === null
    ) {
      throw nodeError(
        new TypeError(`the "instance" argument must be a WebAssembly instance`),
        "ERR_INVALID_ARG_TYPE",
      );
    }
    const memory = options?.memory ?? exports.memory as MemoryLike | undefined;
    if (!isMemory(memory)) {
      throw nodeError(
        new TypeError(`the "instance.exports.memory" property must be a WebAssembly.Memory object`),
        "ERR_INVALID_ARG_TYPE",
      );
    }
    this.#started = true;
    this.#ctx.bindMemory(memory);
  }

  /** Releases the host files the guest left open (start() does this itself). */
  close(): void {
    this.#ctx.fds.closeAll();
    unclosed.unregister(this.#ctx.fds);
  }

  #bind(instance: InstanceLike, entry: string, forbidden: string): unknown {
    if (this.#started) throw alreadyStarted();
    const exports = instance?.exports;
    if (!exports || typeof exports !== "object") throw new TypeError("expected a WebAssembly instance");
    const memory = exports.memory as MemoryLike | undefined;
    if (!isMemory(memory)) throw new TypeError('the instance does not export its memory as "memory"');
    if (exports[forbidden] !== undefined) {
      throw new TypeError(
        `the instance exports ${forbidden}, so it cannot be used with ${
          entry === "_start" ? "start()" : "initialize()"
        }`,
      );
    }
    this.#started = true;
    this.#ctx.bindMemory(memory);
    return exports[entry];
  }
}
