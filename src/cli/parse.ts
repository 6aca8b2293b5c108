/**
 * `wasmrun parse [-o FILE] <module>`: the binary a WebAssembly text file encodes (a binary passes
 * through unchanged), written to FILE, or to stdout when that is not a terminal, like `wasm-tools
 * parse`. The text is encoded as written, not validated: `wasmrun validate` does that.
 */
import type { ParseCommand } from "./args.ts";
import { errorMessage } from "./engine.ts";
import { CliFailure, UsageError } from "./failure.ts";
import type { CliIo } from "./io.ts";
import { loadModule } from "./load.ts";
import type { ByteSink } from "../wasi/mod.ts";

/** Binary output would only garble a terminal. An in-memory stdout (tests, scripts) is never one. */
function stdoutIsTerminal(io: CliIo): boolean {
  return io.stdout === 1 && Deno.stdout.isTerminal();
}

function writeAllTo(sink: ByteSink, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += sink.writeSync(bytes.subarray(done));
}

function cannotWrite(path: string, err: unknown): CliFailure {
  if (err instanceof Deno.errors.NotFound) return new CliFailure(`cannot write ${path}: no such directory`);
  if (err instanceof Deno.errors.IsADirectory) {
    return new CliFailure(`cannot write ${path}: it is a directory`);
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new CliFailure(`cannot write ${path}: permission denied`);
  }
  return new CliFailure(`cannot write ${path}: ${errorMessage(err)}`);
}

function writeFile(path: string, bytes: Uint8Array): void {
  if (Deno.permissions.querySync({ name: "write", path }).state !== "granted") {
    throw new CliFailure(
      `cannot write ${path}: Deno has no write permission for it (add --allow-write=${path})`,
    );
  }
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { write: true, create: true, truncate: true });
  } catch (err) {
    throw cannotWrite(path, err); // nothing was changed
  }
  try {
    writeAllTo(file, bytes);
  } catch (err) {
    // A write that failed part-way (a full disk) must not leave a module cut short behind.
    file.close();
    removeQuietly(path);
    throw cannotWrite(path, err);
  }
  file.close();
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // it cannot be removed either: the error already says what went wrong
  }
}

export async function runParse(cmd: ParseCommand, io: CliIo): Promise<number> {
  if (cmd.output === undefined && stdoutIsTerminal(io)) {
    throw new UsageError("will not write a binary module to a terminal: give -o FILE, or redirect stdout");
  }
  // Parsed completely before anything is written: a malformed text leaves no output file at all.
  const { bytes } = await loadModule(cmd.module, io.stdin);
  if (cmd.output === undefined) writeAllTo(io.stdout === 1 ? Deno.stdout : io.stdout, bytes);
  else writeFile(cmd.output, bytes);
  return 0;
}
