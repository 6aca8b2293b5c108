/**
 * Harness for the hostile-guest tests (sandbox_attacks_test.ts, sandbox_caps_test.ts): every guest
 * runs through the real command line as a subprocess, `deno run <permissions> cli.ts exec
 * --fs-backend=<backend> …`, in a fresh temp layout
 *
 *     <tmp>/pre             the preopen (what the guest is given)
 *     <tmp>/outside/secret  "TOP SECRET", next to victim, victim2 and an empty sub/
 *
 * and everything in <tmp> but `pre` is snapshotted (names, types, sizes, contents, link targets,
 * mtimes, ctimes, inodes, link counts) before and after, to prove that it was not touched.
 *
 * Two environment variables point the same tests at other code, to see what they catch there:
 *   WASMRUN_ATTACKS_CLI=/path/to/cli.ts        run that command line instead of this checkout's
 *   WASMRUN_ATTACKS_NO_BACKEND_FLAG=1          leave --fs-backend out (for code that predates it)
 */
import "./cache_dir.ts";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

export const ROOT = new URL("../", import.meta.url).pathname;
export const ATTACKS = `${ROOT}tests/fixtures/attacks/`;
export const CLI = Deno.env.get("WASMRUN_ATTACKS_CLI") ?? `${ROOT}cli.ts`;
const WITH_BACKEND_FLAG = Deno.env.get("WASMRUN_ATTACKS_NO_BACKEND_FLAG") !== "1";

export const SECRET = "TOP SECRET";

export type Backend = "native" | "deno";
/**
 * "all": `-A`. "scoped": no -A; for the native backend read+write on <tmp> and --allow-ffi, for the
 * deno backend read+write on <tmp>/pre only (plus read of the module file, in both cases).
 */
export type PermMode = "all" | "scoped";

export interface Config {
  backend: Backend;
  perms: PermMode;
}

/** The four configurations every sandbox attack runs in. */
export const CONFIGS: Config[] = [
  { backend: "native", perms: "all" },
  { backend: "native", perms: "scoped" },
  { backend: "deno", perms: "scoped" },
  { backend: "deno", perms: "all" },
];

export function label(cfg: Config): string {
  const perms = cfg.perms === "all"
    ? "-A"
    : cfg.backend === "native"
    ? "--allow-read/write=<tmp> --allow-ffi"
    : "--allow-read/write=<tmp>/pre";
  return `${cfg.backend} ${perms}`;
}

/** The compiled guest `name` (without .wasm), committed next to its source. */
export function wasm(name: string): string {
  return `${ATTACKS}${name}.wasm`;
}

/**
 * Checks that every guest is built. The .wasm files are committed, like the other fixtures; after
 * editing a source, rebuild them with `sh tests/fixtures/attacks/build.sh` (clang-19, wat2wasm).
 */
export function ensureFixtures(): Promise<void> {
  const missing: string[] = [];
  for (const e of Deno.readDirSync(ATTACKS)) {
    const m = /^(.*)\.(c|wat)$/.exec(e.name);
    if (!m) continue;
    try {
      Deno.statSync(`${ATTACKS}${m[1]}.wasm`);
    } catch {
      missing.push(`${m[1]}.wasm`);
    }
  }
  if (missing.length) {
    throw new Error(`missing ${missing.join(", ")}: build them with sh tests/fixtures/attacks/build.sh`);
  }
  return Promise.resolve();
}

export interface Layout {
  /** The temp directory (real path, no symlinks). */
  tmp: string;
  pre: string;
  outside: string;
}

/** A fresh <tmp> with <tmp>/pre and <tmp>/outside/{secret,victim,victim2,sub/}. */
export function makeLayout(prefix = "wasmrun_attack_"): Layout {
  const tmp = Deno.realPathSync(Deno.makeTempDirSync({ prefix }));
  const pre = `${tmp}/pre`, outside = `${tmp}/outside`;
  Deno.mkdirSync(pre);
  Deno.mkdirSync(`${outside}/sub`, { recursive: true });
  Deno.writeTextFileSync(`${outside}/secret`, SECRET);
  Deno.writeTextFileSync(`${outside}/victim`, "victim\n");
  Deno.writeTextFileSync(`${outside}/victim2`, "victim2\n");
  return { tmp, pre, outside };
}

export function removeLayout(layout: Layout): void {
  Deno.removeSync(layout.tmp, { recursive: true });
}

/** Deno's permission flags for `cfg`: the guest's module must be readable, and nothing else given. */
function permissionFlags(cfg: Config, layout: Layout, module: string): string[] {
  if (cfg.perms === "all") return ["-A"];
  if (cfg.backend === "native") {
    return [`--allow-read=${layout.tmp},${module}`, `--allow-write=${layout.tmp}`, "--allow-ffi"];
  }
  return [`--allow-read=${layout.pre},${module}`, `--allow-write=${layout.pre}`];
}

/**
 * The whole `deno` argument list that runs `module` under wasmrun in configuration `cfg`:
 * `run <permissions> cli.ts exec --fs-backend=<backend> <options> <module> <guest args>`.
 * The one place that knows the --fs-backend flag.
 */
export function denoArgs(
  cfg: Config,
  layout: Layout,
  module: string,
  options: string[],
  guestArgs: string[] = [],
): string[] {
  const backend = WITH_BACKEND_FLAG ? [`--fs-backend=${cfg.backend}`] : [];
  return [
    "run",
    "--no-prompt",
    "--quiet",
    ...permissionFlags(cfg, layout, module),
    CLI,
    "exec",
    ...backend,
    ...options,
    module,
    ...guestArgs,
  ];
}

export interface Proc {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** Killed after the time limit. */
  killed: boolean;
}

/** Runs `deno <args>` to completion (killing it after `limitMs`), stdin closed. */
export async function runDeno(args: string[], limitMs = 60_000): Promise<Proc> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, limitMs);
  const out = await child.output();
  clearTimeout(timer);
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: text(out.stdout),
    stderr: text(out.stderr),
    ms: performance.now() - t0,
    killed,
  };
}

/** One entry per path below `root` (and `root` itself as "."), except those `skip` rejects. */
export function snapshot(root: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: string, rel: string) => {
    const st = lstatSync(path, { bigint: true });
    const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "link" : "other";
    let desc =
      `${type} size=${st.size} mtime=${st.mtimeNs} ctime=${st.ctimeNs} ino=${st.ino} nlink=${st.nlink} mode=${st.mode}`;
    if (st.isFile()) desc += ` content=${JSON.stringify(readFileSync(path, "latin1"))}`;
    if (st.isSymbolicLink()) desc += ` target=${JSON.stringify(readlinkSync(path))}`;
    out.set(rel, desc);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const child = `${path}/${name}`;
        if (!skip(child)) walk(child, rel === "." ? name : `${rel}/${name}`);
      }
    }
  };
  walk(root, ".");
  return out;
}

/** Everything in <tmp> but the preopen `pre` (and whatever else `alsoSkip` names). */
export function snapshotOutsidePre(layout: Layout, alsoSkip: string[] = []): Map<string, string> {
  const skip = new Set([layout.pre, ...alsoSkip]);
  return snapshot(layout.tmp, (p) => skip.has(p));
}

/** Human-readable differences between two snapshots (empty when equal). */
export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, desc] of before) {
    const now = after.get(path);
    if (now === undefined) out.push(`removed: ${path} (${desc})`);
    else if (now !== desc) out.push(`changed: ${path}\n      was ${desc}\n      now ${now}`);
  }
  for (const [path, desc] of after) if (!before.has(path)) out.push(`created: ${path} (${desc})`);
  return out;
}

/** The guest's report lines, "name: result", as a map (a repeated name keeps its last result). */
export function reportLines(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const at = line.lastIndexOf(": ");
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 2).trim());
  }
  return out;
}

/** Lines of output that report an escape. */
export function escapedLines(text: string): string[] {
  return text.split("\n").filter((l) => /\bESCAPED\b/.test(l));
}

/** Runs `jobs` with at most `limit` of them at a time, keeping their order in the results. */
export async function pool<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** Makes a symlink, creating its parent directories. */
export function link(target: string, path: string): void {
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  Deno.symlinkSync(target, path);
}
