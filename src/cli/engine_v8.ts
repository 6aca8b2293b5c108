/**
 * `--engine v8`: the guest runs on the JS runtime's built-in WebAssembly (V8 under Deno) with the
 * same WASI host. The flags that steer wasmrun's own engine mean nothing there, so they are refused
 * before anything runs rather than silently ignored; --max-memory is applied to the module itself
 * (memory_cap_v8.ts), since V8 has no per-instance cap.
 */
import type { ExecCommand } from "./args.ts";
import type { EngineLike } from "./engine.ts";
import { UsageError } from "./failure.ts";

/** The built-in `WebAssembly` namespace, as the command line uses an engine. */
export function v8Engine(): EngineLike {
  return globalThis.WebAssembly as unknown as EngineLike;
}

/**
 * The flags given in `cmd` that only wasmrun's engine implements, as typed. --no-cache is not among
 * them: it asks for nothing (V8 keeps no cache of ours), so it is accepted with either engine.
 */
export function engineOnlyFlags(cmd: ExecCommand): string[] {
  const given: [boolean, string][] = [
    [cmd.fuel !== undefined, "--fuel"],
    [cmd.maxStack !== undefined, "--max-stack"],
    [Boolean(cmd.profile), "--profile"],
    [cmd.interpret, "--interpret"],
    [cmd.tierUp !== undefined, "--tier-up"],
    [cmd.cacheDir !== undefined, "--cache-dir"],
  ];
  return given.filter(([on]) => on).map(([, flag]) => flag);
}

/** Refuses (a usage error, exit status 2) a command that asks V8 for what only wasmrun's engine does. */
export function checkV8Flags(cmd: ExecCommand): void {
  const flags = engineOnlyFlags(cmd);
  if (flags.length === 0) return;
  const list = flags.join(", ");
  const verb = flags.length === 1 ? "needs" : "need";
  throw new UsageError(
    `${list} ${verb} wasmrun's engine: drop ${flags.length === 1 ? "it" : "them"} or --engine v8`,
  );
}
