/**
 * Runs one program one way as a subprocess (Deno start-up included), under GNU time for the peak
 * RSS when /usr/bin/time exists, and under coreutils `timeout` so that a hung run ends.
 */
import type { Program } from "./programs.ts";

export const WAYS = ["node:wasi", "wasmrun", "interpret", "2nd run", "3rd run"] as const;
export type Way = typeof WAYS[number];

/**
 * The script after `deno run -A` for each way (`cli` is wasmrun's cli.ts), and options before the
 * module path. "wasmrun" starts with an empty compile cache in `codeCache` (when given: a wasmrun
 * older than its compile cache has no such option), "2nd run" is the same command again, with what
 * the first run left there (wasmrun keeps V8's code cache of that file at its end), "3rd run" once
 * more, with V8's code cache too.
 */
function startOf(
  way: Way,
  cli: string,
  flags: string[] = [],
  codeCache?: string,
): { script: string; options: string[] } {
  if (way === "node:wasi") {
    return { script: new URL("./node_wasi_runner.ts", import.meta.url).pathname, options: [] };
  }
  if (way === "interpret") return { script: cli, options: ["exec", "--interpret"] };
  return { script: cli, options: ["exec", ...(codeCache ? ["--cache-dir", codeCache] : []), ...flags] };
}

/** Whether the wasmrun whose cli.ts is `cli` has a compile cache (the --cache-dir option). */
export function hasCompileCache(cli: string): boolean {
  try {
    return Deno.readTextFileSync(`${cli.slice(0, cli.lastIndexOf("/"))}/src/cli/args.ts`).includes(
      "--cache-dir",
    );
  } catch {
    return false;
  }
}

export const REPO = new URL("../../", import.meta.url).pathname;
export const GNU_TIME = (() => {
  try {
    return Deno.statSync("/usr/bin/time").isFile ? "/usr/bin/time" : undefined;
  } catch {
    return undefined;
  }
})();

export interface Run {
  seconds?: number;
  /** Peak resident set size in MB (undefined without /usr/bin/time). */
  rssMB?: number;
  error?: string;
}

export interface Setup {
  /** The module's path on the host. */
  wasm: string;
  /** Directory whose `share/` becomes the guest's /share, if the program has resources. */
  resources?: string;
  /** Writes the program's input files into a fresh work directory. */
  fill(work: string): Promise<void>;
}

/** Start-up scripts are compiled once before any timing, so no run pays Deno's first transpile. */
export async function warmUp(cli: string): Promise<void> {
  for (const way of ["node:wasi", "wasmrun"] as const) {
    const args = ["run", "-A", startOf(way, cli).script, "--help"];
    await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" }).output();
  }
}

/**
 * Runs `program` one `way` in a fresh temp directory (/work and /tmp) and checks its result. The
 * directory is removed afterwards unless `keep` is given, in which case it is returned too.
 */
export async function runOnce(
  program: Program,
  setup: Setup,
  way: Way,
  options: { cli: string; timeoutSeconds: number; keep?: boolean; flags?: string[]; codeCache?: string },
): Promise<Run & { dir?: string }> {
  const { cli, timeoutSeconds, keep, flags, codeCache } = options;
  const dir = await Deno.makeTempDir({ prefix: `wasmrun_real_${program.name}_` });
  const work = `${dir}/work`;
  await Deno.mkdir(work);
  await Deno.mkdir(`${dir}/tmp`);
  await setup.fill(work);
  const preopens = [`${work}::/work`, `${dir}/tmp::/tmp`];
  if (setup.resources) preopens.push(`${setup.resources}/share::/share`);

  const { script, options: before } = startOf(way, cli, flags, codeCache);
  const deno = [
    Deno.execPath(),
    ...["run", "-A", script, ...before, ...preopens.flatMap((p) => ["--dir", p])],
    ...["--argv0", program.argv0, setup.wasm, ...program.args],
  ];
  const timing = `${dir}/time.txt`;
  const timeout = ["timeout", "-k", "5", String(timeoutSeconds)];
  const command = GNU_TIME
    ? [GNU_TIME, "-f", "%M", "-o", timing, ...timeout, ...deno]
    : [...timeout, ...deno];

  const start = performance.now();
  const cwd = cli.slice(0, cli.lastIndexOf("/")); // so that Deno reads the deno.json beside it
  const out = await new Deno.Command(command[0], {
    args: command.slice(1),
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const seconds = (performance.now() - start) / 1000;
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);

  let result: Run;
  if (out.code === 124 || out.code === 137) {
    result = { error: `timed out after ${timeoutSeconds} s` };
  } else if (out.code !== 0) {
    const tail = stderr.trim().split("\n").filter((l) => !l.includes("ExperimentalWarning")).slice(-6);
    result = { error: `exit status ${out.code}${tail.length ? ":\n    " + tail.join("\n    ") : ""}` };
  } else {
    const wrong = program.check(work, stdout);
    result = wrong ? { error: `wrong output: ${wrong}` } : { seconds };
  }
  if (GNU_TIME && result.seconds !== undefined) {
    const lines = (await Deno.readTextFile(timing)).trim().split("\n");
    result.rssMB = Number(lines[lines.length - 1]) * 1024 / 1e6; // GNU time gives KiB
  }
  if (keep) return { ...result, dir };
  await Deno.remove(dir, { recursive: true });
  return result;
}
