/**
 * The `wasmrun` command line: `wasmrun [exec] [options] <module.wasm> [args…]`, `wasmrun inspect`,
 * `wasmrun validate`, `wasmrun print`, `wasmrun parse`, `wasmrun help`. `main` returns the exit status
 * instead of exiting, so it can be called from tests and scripts; run as the main module, this file
 * exits with it.
 *
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import { parseCommandLine, UsageError } from "./src/cli/args.ts";
import { type EngineLike, withExtensions } from "./src/cli/engine.ts";
import { runExec } from "./src/cli/exec.ts";
import { CliFailure } from "./src/cli/failure.ts";
import { helpText } from "./src/cli/help.ts";
import { runInspect } from "./src/cli/inspect.ts";
import { type CliIo, complain, out, processIo, writeAll } from "./src/cli/io.ts";
import { internalErrorLine } from "./src/cli/load.ts";
import { runParse } from "./src/cli/parse.ts";
import { runPrint } from "./src/cli/print.ts";
import { runValidate } from "./src/cli/validate.ts";

export type { CliIo } from "./src/cli/io.ts";
export type {
  EngineLike,
  EngineLimits,
  ExportDescriptor,
  ImportDescriptor,
  ProfileEntry,
} from "./src/cli/engine.ts";
export type { ByteSink, ByteSource, StdinOption } from "./src/wasi/mod.ts";

/** The engine modules run on; loaded only when a command needs one. */
async function defaultEngine(): Promise<EngineLike> {
  const mod = await import("./mod.ts");
  return withExtensions(mod.WebAssembly, mod);
}

/** Runs the command line `args` (without the program name) and returns the exit status. */
export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  try {
    const cmd = parseCommandLine(args);
    switch (cmd.command) {
      case "help":
        if (cmd.toStderr) {
          writeAll(io.stderr, helpText(cmd.topic) + "\n");
          return 2;
        }
        out(io, helpText(cmd.topic));
        return 0;
      case "version":
        out(io, `wasmrun ${denoJson.version}`);
        return 0;
      case "inspect":
        return await runInspect(cmd.module, cmd.json, io);
      case "validate":
        return await runValidate(cmd.module, io, io.engine ?? await defaultEngine());
      case "print":
        return await runPrint(cmd.module, cmd.folded, io);
      case "parse":
        return await runParse(cmd, io);
      case "exec":
        return await runExec(cmd, io, io.engine ?? await defaultEngine());
    }
  } catch (err) {
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
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
