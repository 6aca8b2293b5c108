/**
 * The `wasmrun` command line: `wasmrun [exec] [options] <module.wasm> [args…]`, `wasmrun inspect`,
 * `wasmrun validate`, `wasmrun print`, `wasmrun parse`, `wasmrun help`. `main` returns the exit status
 * instead of exiting, so it can be called from tests and scripts; run as the main module, this file
 * exits with it.
 *
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import { parseCommandLine } from "./src/cli/args.ts";
import { type EngineLike, withExtensions } from "./src/cli/engine.ts";
import { checkV8Flags, v8Engine } from "./src/cli/engine_v8.ts";
import { runExecWithTimeout } from "./src/cli/timeout_v8.ts";
import { runExec } from "./src/cli/exec.ts";
import { helpText } from "./src/cli/help.ts";
import { runInspect } from "./src/cli/inspect.ts";
import { type CliIo, out, processIo, reportFailure, writeAll } from "./src/cli/io.ts";
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

/**
 * The engine modules run on, loaded only when a command needs one: mod.ts's namespace and extensions,
 * from their own modules rather than through mod.ts, which loads the text format too (26 modules that
 * build their tables at load, 15 ms of every start-up; a `.wat` module loads them when it is read).
 */
async function defaultEngine(): Promise<EngineLike> {
  const [namespace, { profileOf }, { currentDeadline }, { loadCompiledCode, saveCompiledCode }] =
    await Promise.all([
      import("./src/api/namespace.ts"),
      import("./src/api/instance.ts"),
      import("./src/runtime/objects.ts"),
      import("./src/api/code_cache.ts"),
    ]);
  return withExtensions(namespace, { profileOf, currentDeadline, loadCompiledCode, saveCompiledCode });
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
        if (cmd.engine === "v8") {
          checkV8Flags(cmd);
          // V8 cannot stop a running guest from the same thread: with --timeout it runs in a worker.
          if (cmd.timeoutMs !== undefined) return await runExecWithTimeout(cmd, io);
          return await runExec(cmd, io, v8Engine());
        }
        // --engine wasmrun is wasmrun's own engine, whatever engine the caller's io names.
        return await runExec(
          cmd,
          io,
          (cmd.engine === undefined ? io.engine : undefined) ?? await defaultEngine(),
        );
    }
  } catch (err) {
    return reportFailure(io, err);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
