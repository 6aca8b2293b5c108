/**
 * Reading and compiling the module file, with a one-line explanation for every way it can go
 * wrong: no permission, missing, a directory, empty, malformed WebAssembly text, not WebAssembly at
 * all, a component, or a module the engine rejects. A file is a binary when it starts with `\0asm`,
 * else WebAssembly text when it reads as such (text.ts); its name does not matter.
 */
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

/** The module in file `path`, parsed first when it is text. */
export async function loadModule(path: string): Promise<LoadedModule> {
  const file = readFileBytes(path);
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

/** The binary module in file `path` (parsed from its text when it is text). */
export async function readModuleBytes(path: string): Promise<Uint8Array> {
  return (await loadModule(path)).bytes;
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
