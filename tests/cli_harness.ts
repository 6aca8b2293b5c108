/** Runs wasmrun's `main` in-process with in-memory stdio, on a chosen engine. */
import "./cache_dir.ts";
import { main } from "../cli.ts";
import * as wasmrun from "../mod.ts";
import { type EngineLike, withExtensions } from "../src/cli/engine.ts";
import { BufferSink } from "../src/wasi/mod.ts";

export const FIX = new URL("./fixtures/wasi/", import.meta.url).pathname;
export const EXAMPLES = new URL("../examples/", import.meta.url).pathname;

/** Both engines the command line must work with. */
export const ENGINES: [string, EngineLike][] = [
  ["wasmrun", withExtensions(wasmrun.WebAssembly, wasmrun)],
  ["V8", globalThis.WebAssembly as unknown as EngineLike],
];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(
  args: string[],
  opts: { stdin?: string; engine?: EngineLike } = {},
): Promise<CliResult> {
  const stdout = new BufferSink(), stderr = new BufferSink();
  const code = await main(args, {
    stdin: opts.stdin ?? "",
    stdout,
    stderr,
    engine: opts.engine ?? ENGINES[0][1],
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A one-line `wasmrun: …` complaint and nothing else (no stack trace, nothing on stdout). */
export function isOneLineError(r: CliResult): boolean {
  return r.code !== 0 && r.stdout === "" && /^wasmrun: [^\n]+\n$/.test(r.stderr) &&
    !/\n\s+at /.test(r.stderr);
}
