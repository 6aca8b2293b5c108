/**
 * Reading and compiling the module file, with a one-line explanation for every way it can go
 * wrong: no permission, missing, a directory, empty, malformed WebAssembly text, not WebAssembly at
 * all, a component, or a module the engine rejects. A file is a binary when it starts with `\0asm`,
 * else WebAssembly text when it reads as such (text.ts); its name does not matter.
 */
import type { StdinOption } from "../wasi/mod.ts";
import { type EngineLike, errorMessage, errorName } from "./engine.ts";
import { CliFailure } from "./failure.ts";
import { parseModuleText, textKind } from "./text.ts";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

function readPermissionDenied(path: string): boolean {
  return Deno.permissions.querySync({ name: "read", path }).state !== "granted";
}

/** A module file as the rest of the command line sees it: binary, whatever the file held. */
export interface LoadedModule {
  bytes: Uint8Array;
  /** The file was WebAssembly text, and `bytes` are what it encodes. */
  fromText: boolean;
}

/** The module path that means "read the module from stdin", as `cat -` and `python -` take it. */
export const STDIN_MODULE = "-";

/** How messages name the module at `path`: `<stdin>` for `-`, else the path as given. */
export function moduleLabel(path: string): string {
  return path === STDIN_MODULE ? "<stdin>" : path;
}

/**
 * The module in file `source`, parsed first when it is text; `-` reads it from `stdin` to its end (the
 * process's own stdin by default, the caller's bytes or source otherwise).
 */
export async function loadModule(source: string, stdin: StdinOption = 0): Promise<LoadedModule> {
  const file = source === STDIN_MODULE ? await readAllOf(stdin) : readFileBytes(source);
  const path = moduleLabel(source);
  if (file.length === 0) throw new CliFailure(`${path} is empty, not a WebAssembly module`);
  if (MAGIC.every((b, i) => file[i] === b)) {
    checkHeader(path, file);
    return { bytes: file, fromText: false };
  }
  const kind = textKind(file);
  if (kind === "component") throw new CliFailure(`${path} is a WebAssembly component, not a core module`);
  if (kind === "other") {
    throw new CliFailure(`${path} is not a WebAssembly module (it does not start with \\0asm)`);
  }
  try {
    return { bytes: await parseModuleText(path, file), fromText: true };
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    throw new CliFailure(internalErrorLine(`parsing ${path}`, err));
  }
}

/** The binary module in file `path` (parsed from its text when it is text; `-`: from `stdin`). */
export async function readModuleBytes(path: string, stdin: StdinOption = 0): Promise<Uint8Array> {
  return (await loadModule(path, stdin)).bytes;
}

/** Everything `stdin` holds, up to its end. */
async function readAllOf(stdin: StdinOption): Promise<Uint8Array> {
  if (typeof stdin === "string") return new TextEncoder().encode(stdin);
  if (stdin instanceof Uint8Array) return stdin;
  try {
    // The stream, not readSync: a stdin left non-blocking by the parent must be waited on, not refused.
    if (typeof stdin === "number") return await new Response(Deno.stdin.readable).bytes();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const chunk = new Uint8Array(65536);
      const n = stdin.readSync(chunk);
      if (!n) break;
      chunks.push(chunk.subarray(0, n));
    }
    return await new Blob(chunks as BlobPart[]).bytes();
  } catch (err) {
    throw new CliFailure(`cannot read the module from stdin: ${oneLine(errorMessage(err))}`);
  }
}

function readFileBytes(path: string): Uint8Array {
  if (readPermissionDenied(path)) {
    throw new CliFailure(
      `cannot read ${path}: Deno has no read permission for it (add --allow-read=${path})`,
    );
  }
  let bytes: Uint8Array;
  try {
    if (Deno.statSync(path).isDirectory) {
      throw new CliFailure(`${path} is a directory, not a WebAssembly module`);
    }
    bytes = Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    if (err instanceof Deno.errors.NotFound) throw new CliFailure(`${path}: no such file`);
    if (err instanceof Deno.errors.NotADirectory) {
      throw new CliFailure(`${path}: no such file (a directory in the path is a file)`);
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new CliFailure(`cannot read ${path}: permission denied`);
    }
    throw new CliFailure(`cannot read ${path}: ${errorMessage(err)}`);
  }
  return bytes;
}

/** The version and layer fields after `\0asm`: a core module of version 1. */
function checkHeader(path: string, bytes: Uint8Array): void {
  if (bytes.length < 8) {
    throw new CliFailure(`${path}: invalid module: truncated header (${bytes.length} bytes)`);
  }
  const version = bytes[4] | (bytes[5] << 8);
  const layer = bytes[6] | (bytes[7] << 8);
  if (layer === 1) throw new CliFailure(`${path} is a WebAssembly component, not a core module`);
  if (version !== 1 || layer !== 0) {
    throw new CliFailure(`${path}: invalid module: unsupported binary version ${version}`);
  }
}

/** One line: the first line of a message, without trailing whitespace. */
export function oneLine(message: string): string {
  return message.split("\n")[0].trimEnd();
}

/**
 * Compiles the module. A `CompileError` is the module's fault: one line, exit status 1. Anything
 * else thrown while compiling is a bug of the engine (wasmrun wraps it in an `InternalError`; the
 * built-in engine should never throw one): one line that says so and asks for a report, exit
 * status 1, no stack trace.
 */
export function compileModule(engine: EngineLike, path: string, bytes: Uint8Array): object {
  try {
    return new engine.Module(bytes);
  } catch (err) {
    if (errorName(err) === "CompileError") {
      throw new CliFailure(`${path}: invalid module: ${oneLine(errorMessage(err))}`);
    }
    throw new CliFailure(internalErrorLine(`compiling ${path}`, err));
  }
}

/**
 * "internal error while …: <the original exception>" and a request to report it, on one line.
 * For wasmrun's `InternalError` the original is its `cause`, so the line names the real exception.
 */
export function internalErrorLine(during: string, err: unknown): string {
  const original = errorName(err) === "InternalError" && (err as { cause?: unknown }).cause !== undefined
    ? (err as { cause: unknown }).cause
    : err;
  const name = errorName(original);
  const what = original instanceof Error && name
    ? `${name}: ${errorMessage(original)}`
    : errorMessage(original);
  return `internal error while ${during}: ${oneLine(what)} ` +
    "(a bug in wasmrun, not in the module: please report it, with the module)";
}
