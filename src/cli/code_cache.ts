/**
 * Where the command line keeps its compile cache, and whether it may: on by default, in
 * $WASMRUN_CACHE_DIR or else `wasmrun/` under Deno's cache directory (DENO_DIR, else the platform's
 * default), off with --no-cache, and
 * silently off when read and write permission to the directory (or env permission to find it) is
 * not granted — queried, never prompted.
 */
import { joinPath } from "../host/paths.ts";
import type { ExecCommand } from "./args.ts";

/** The compile cache's directory for this run, or null when there is none to use. */
export function compileCacheDir(cmd: ExecCommand): string | null {
  if (!cmd.cache || cmd.interpret) return null; // the interpreter alone compiles nothing
  const dir = cmd.cacheDir ?? defaultDir();
  if (dir === null) return null;
  const granted = (name: "read" | "write") =>
    Deno.permissions.querySync({ name, path: dir }).state === "granted";
  return granted("read") && granted("write") ? dir : null;
}

function envVar(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
  return Deno.env.get(name) || undefined;
}

/** $WASMRUN_CACHE_DIR, else Deno's own rule for its cache directory, plus `wasmrun`. */
function defaultDir(): string | null {
  const own = envVar("WASMRUN_CACHE_DIR");
  if (own) return own;
  const denoDir = envVar("DENO_DIR");
  if (denoDir) return joinPath(denoDir, "wasmrun");
  let base: string | undefined;
  switch (Deno.build.os) {
    case "windows":
      base = envVar("LOCALAPPDATA");
      break;
    case "darwin": {
      const home = envVar("HOME");
      base = home && joinPath(home, "Library", "Caches");
      break;
    }
    default: {
      const home = envVar("HOME");
      base = envVar("XDG_CACHE_HOME") ?? (home && joinPath(home, ".cache"));
    }
  }
  return base ? joinPath(base, "deno", "wasmrun") : null;
}
