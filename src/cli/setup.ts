/**
 * Start-up checks that turn --env and --dir into WASI options, each failure a one-line message
 * naming what to fix: a Deno permission flag to add, a directory that is missing or unreadable.
 */
import { envGranted } from "../wasi/gate.ts";
import type { PreopenOptions } from "../wasi/mod.ts";
import type { DirSpec, EnvSpec } from "./args.ts";
import { CliFailure } from "./failure.ts";

export function buildEnv(specs: EnvSpec[], inherit: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  if (inherit) {
    if (Deno.permissions.querySync({ name: "env" }).state !== "granted") {
      throw new CliFailure(
        "--inherit-env needs access to the whole environment: add --allow-env to deno's flags",
      );
    }
    Object.assign(env, Deno.env.toObject());
  }
  for (const { name, value } of specs) {
    if (value !== undefined) {
      env[name] = value;
      continue;
    }
    if (!envGranted(name)) {
      throw new CliFailure(
        `--env ${name} needs permission to read that variable: add --allow-env=${name} to deno's flags`,
      );
    }
    const host = Deno.env.get(name);
    if (host !== undefined) env[name] = host;
  }
  return env;
}

/**
 * The directories to preopen: those of --dir, else the current directory as `.`, so that a program
 * run on files beside it finds them (`wasmrun prog.wasm data.txt`). The default asks for nothing the
 * user did not grant: without Deno's read permission for `.` it is left out, silently (it was not
 * asked for, so it is no error), and writes need Deno's write permission as for any --dir.
 */
export function preopenSpecs(dirs: DirSpec[], defaultDir: boolean): DirSpec[] {
  if (dirs.length > 0 || !defaultDir) return dirs;
  if (Deno.permissions.querySync({ name: "read", path: "." }).state !== "granted") return [];
  try {
    Deno.readDirSync(".")[Symbol.iterator]().next(); // a directory the OS will not list is left out too
  } catch {
    return [];
  }
  return [{ host: ".", guest: ".", readOnly: false }];
}

export function buildPreopens(dirs: DirSpec[]): Record<string, PreopenOptions> {
  const preopens: Record<string, PreopenOptions> = {};
  for (const { host, guest, readOnly } of dirs) {
    if (guest in preopens) throw new CliFailure(`--dir: the guest path ${guest} is given twice`, 2);
    if (Deno.permissions.querySync({ name: "read", path: host }).state !== "granted") {
      throw new CliFailure(`--dir ${host}: Deno has no read permission for it (add --allow-read=${host})`);
    }
    try {
      if (!Deno.statSync(host).isDirectory) throw new CliFailure(`--dir ${host}: not a directory`);
      // Listing it once finds a directory the OS will not let us read.
      Deno.readDirSync(host)[Symbol.iterator]().next();
    } catch (err) {
      if (err instanceof CliFailure) throw err;
      if (err instanceof Deno.errors.NotFound) throw new CliFailure(`--dir ${host}: no such directory`);
      if (err instanceof Deno.errors.NotADirectory) {
        throw new CliFailure(`--dir ${host}: no such directory (a directory in the path is a file)`);
      }
      if (err instanceof Deno.errors.PermissionDenied) {
        throw new CliFailure(`--dir ${host}: permission denied`);
      }
      throw new CliFailure(`--dir ${host}: ${(err as Error).message}`);
    }
    preopens[guest] = { path: host, readOnly };
  }
  return preopens;
}
