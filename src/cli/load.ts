/**
 * Reading and compiling the module file, with a one-line explanation for every way it can go
 * wrong: no permission, missing, a directory, empty, WebAssembly text, not WebAssembly at all, a
 * component, or a module the engine rejects.
 */
import { type EngineLike, errorMessage, errorName } from "./engine.ts";
import { CliFailure } from "./failure.ts";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

function readPermissionDenied(path: string): boolean {
  return Deno.permissions.querySync({ name: "read", path }).state !== "granted";
}

export function readModuleBytes(path: string): Uint8Array {
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
  checkHeader(path, bytes);
  return bytes;
}

function checkHeader(path: string, bytes: Uint8Array): void {
  if (bytes.length === 0) throw new CliFailure(`${path} is empty, not a WebAssembly module`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) {
    const start = new TextDecoder().decode(bytes.subarray(0, 256)).replace(/^\uFEFF/, "").trimStart();
    if (start.startsWith("(module") || start.startsWith("(component") || start.startsWith(";;")) {
      throw new CliFailure(
        `${path} is WebAssembly text, not a binary module (convert it with wat2wasm first)`,
      );
    }
    throw new CliFailure(`${path} is not a WebAssembly module (it does not start with \\0asm)`);
  }
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
