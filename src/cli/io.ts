/**
 * Where the command line reads and writes. The process's own streams by default; tests pass
 * in-memory ones (and may pick the engine) to run `main` in-process.
 */
import type { ByteSink, StdinOption } from "../wasi/mod.ts";
import type { EngineLike } from "./engine.ts";
import { CliFailure, UsageError } from "./failure.ts";
import { internalErrorLine } from "./load.ts";

/** The streams and engine `main` uses. */
export interface CliIo {
  /** The guest's stdin: 0 for the process's own, or bytes/text/a source. */
  stdin: StdinOption;
  /** Where the guest's stdout and wasmrun's own output go: 1 for the process's stdout, or a sink. */
  stdout: ByteSink | 1;
  /** Where the guest's stderr and wasmrun's messages go: 2 for the process's stderr, or a sink. */
  stderr: ByteSink | 2;
  /** The WebAssembly engine to run modules on (default: wasmrun's). */
  engine?: EngineLike;
}

export const processIo: CliIo = { stdin: 0, stdout: 1, stderr: 2 };

const encoder = new TextEncoder();

function sinkOf(target: ByteSink | 1 | 2): ByteSink {
  return target === 1 ? Deno.stdout : target === 2 ? Deno.stderr : target;
}

export function writeAll(target: ByteSink | 1 | 2, text: string): void {
  const sink = sinkOf(target);
  const bytes = encoder.encode(text);
  let done = 0;
  while (done < bytes.length) done += sink.writeSync(bytes.subarray(done));
}

/** Prints lines to wasmrun's stdout (only `--invoke` results, inspect output, help, version). */
export function out(io: CliIo, text: string): void {
  writeAll(io.stdout, text.endsWith("\n") ? text : text + "\n");
}

/** Prints a one-line `wasmrun: …` message to stderr. */
export function complain(io: CliIo, message: string): void {
  writeAll(io.stderr, `wasmrun: ${message}\n`);
}

/**
 * Reports what a command threw and returns the exit status: a usage error is 2, a CliFailure its own
 * status, anything else is wasmrun's bug (1). One `wasmrun: …` line each, never a stack trace.
 */
export function reportFailure(io: CliIo, err: unknown): number {
  if (err instanceof UsageError) {
    complain(io, err.message);
    return 2;
  }
  if (err instanceof CliFailure) {
    complain(io, err.message);
    return err.status;
  }
  complain(io, internalErrorLine("running", err));
  return 1;
}
