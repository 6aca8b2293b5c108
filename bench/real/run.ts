/**
 * `deno task bench:real`: real WASI programs from npm packages (bench/real/programs.ts), each run
 * end to end as a subprocess on Deno's `node:wasi` (V8's WebAssembly), on wasmrun, on wasmrun
 * `--interpret` and on wasmrun again, twice (the "2nd run" with the compile cache the first one wrote, the
 * "3rd run" also with V8's code cache of it, which the 2nd kept). Prints wall
 * seconds and peak RSS per way, the ratios to node:wasi and their geometric means. Downloads go to
 * a cache outside the repository (see cache.ts). Exits 1 when any run failed or was wrong.
 *
 *   deno run -A bench/real/run.ts [--filter NAME[,NAME]] [--runs N] [--timeout S] [--wasmrun DIR] [--json]
 */
import { parseArgs } from "node:util";
import { cacheDir, codeSectionBytes, materializedResources, unpackedPackage } from "./cache.ts";
import { type Program, PROGRAMS } from "./programs.ts";
import { formatReport, geomeans, type ProgramResult, ratios, type Report } from "./report.ts";
import { GNU_TIME, hasCompileCache, REPO, type Run, runOnce, type Setup, warmUp, WAYS } from "./runner.ts";

const NAMES = PROGRAMS.map((p) => p.name).join(", ");
const USAGE = `usage: deno run -A bench/real/run.ts [options]
  --filter NAME[,NAME]  only programs whose name contains one of these (${NAMES})
  --runs N              runs of each way, the fastest is reported (default 1)
  --timeout S           seconds before a run is stopped and reported as an error (default 300)
  --wasmrun DIR         run the wasmrun whose cli.ts is in DIR (default: this checkout), e.g. a
                        snapshot made with \`git archive\`, so that edits made meanwhile don't count
  --flags="F …"         extra flags for wasmrun's default and 2nd-run ways (e.g. --flags="--tier-up 0")
  --ways W[,W]          only these ways (${WAYS.join(", ")}; default all)
  --json                print the results as JSON instead of tables
cache: $WASMRUN_BENCH_CACHE, else ~/.cache/wasmrun-bench (now ${cacheDir()})`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    filter: { type: "string" },
    runs: { type: "string", default: "1" },
    timeout: { type: "string", default: "300" },
    wasmrun: { type: "string", default: REPO },
    json: { type: "boolean", default: false },
    flags: { type: "string", default: "" },
    ways: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const runs = Number(values.runs), timeoutSeconds = Number(values.timeout);
if (!(runs >= 1) || !(timeoutSeconds > 0)) {
  console.error(USAGE);
  Deno.exit(2);
}
const filters = values.filter?.split(",") ?? [];
const flags = values.flags.split(" ").filter((f) => f !== "");
const ways: readonly string[] = values.ways?.split(",") ?? WAYS;
const selected = PROGRAMS.filter((p) => filters.length === 0 || filters.some((f) => p.name.includes(f)));
if (selected.length === 0) {
  console.error(`no program matches --filter ${values.filter}\n${USAGE}`);
  Deno.exit(2);
}
const log = (line: string) => console.error(line);
const cli = `${Deno.realPathSync(values.wasmrun)}/cli.ts`;

const setups = new Map<string, Promise<Setup>>();
const setupOf = (program: Program) => {
  if (!setups.has(program.name)) setups.set(program.name, makeSetup(program));
  return setups.get(program.name)!;
};

async function makeSetup(program: Program): Promise<Setup> {
  const dir = await unpackedPackage(program, log);
  const resources = program.resources ? await materializedResources(dir, program.resources) : undefined;
  const needed: [string, string][] = [];
  for (const need of program.needs ?? []) needed.push([need.file, await produced(need.program, need.file)]);
  return {
    wasm: `${dir}/${program.wasm}`,
    resources,
    async fill(work) {
      for (const file of program.inputs ?? []) {
        await Deno.copyFile(new URL(`./inputs/${file}`, import.meta.url), `${work}/${file}`);
      }
      for (const [file, path] of needed) await Deno.copyFile(path, `${work}/${file}`);
    },
  };
}

const byName = (name: string) => PROGRAMS.find((p) => p.name === name)!;
const inputText = (file: string) => Deno.readTextFileSync(new URL(`./inputs/${file}`, import.meta.url));

/** A hash of what a program's output depends on: its version, arguments, inputs and needs. */
function inputKey(program: Program): string {
  const inputs = (program.inputs ?? []).map(inputText);
  const needs = (program.needs ?? []).map((need) => [need.file, inputKey(byName(need.program))]);
  const text = JSON.stringify([program.version, program.args, inputs, needs]);
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/** A file that `name` writes, made once on node:wasi and kept in the cache, keyed by its inputs. */
async function produced(name: string, file: string): Promise<string> {
  const source = byName(name);
  const path = `${cacheDir()}/outputs/${source.name}-${inputKey(source)}/${file}`;
  try {
    Deno.statSync(path);
    return path;
  } catch { /* not made yet */ }
  const setup = await setupOf(source);
  log(`making ${file} with ${source.name} on node:wasi`);
  const run = await runOnce(source, setup, "node:wasi", { cli, timeoutSeconds, keep: true });
  try {
    if (run.error !== undefined) throw new Error(`making ${file} with ${name}: ${run.error}`);
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${run.dir}/work/${file}`, path);
    return path;
  } finally {
    await Deno.remove(run.dir!, { recursive: true });
  }
}

/** Which wasmrun runs: its commit and a hash of its uncommitted changes ("" outside a git checkout). */
function revision(): { commit: string; changes: string } {
  const git = (...args: string[]) => {
    const cwd = cli.slice(0, cli.lastIndexOf("/"));
    const out = new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "";
  };
  const diff = git("diff", "HEAD", "--", ".", ":!bench/real");
  let hash = 0;
  for (let i = 0; i < diff.length; i++) hash = Math.imul(hash ^ diff.charCodeAt(i), 0x01000193) >>> 0;
  return { commit: git("rev-parse", "--short", "HEAD"), changes: diff ? hash.toString(16) : "" };
}

const started = performance.now();
const load = Deno.loadavg().map((l) => l.toFixed(2)).join(" ");
const before = revision();
await warmUp(cli);
const results: ProgramResult[] = [];
for (const program of selected) {
  const result: ProgramResult = {
    name: program.name,
    package: `${program.package}@${program.version}`,
    what: program.what,
    codeMB: NaN,
    fileMB: NaN,
    ways: {},
    ratios: {},
  };
  results.push(result);
  let setup: Setup;
  try {
    setup = await setupOf(program);
  } catch (e) {
    for (const way of WAYS) result.ways[way] = { error: `setup failed: ${(e as Error).message}` };
    log(`${program.name}: setup failed: ${(e as Error).message}`);
    continue;
  }
  const bytes = await Deno.readFile(setup.wasm);
  result.codeMB = codeSectionBytes(bytes) / 1e6;
  result.fileMB = bytes.length / 1e6;
  const size = `${result.codeMB.toFixed(2)} MB of code`;
  log(`${program.name} (${result.package}, ${size}): ${program.what}`);
  // Each first run starts with an empty compile cache; the 2nd run after it finds what it left.
  const codeCache = hasCompileCache(cli)
    ? await Deno.makeTempDir({ prefix: "wasmrun_code_cache_" })
    : undefined;
  for (let i = 0; i < runs; i++) {
    for (const way of WAYS) {
      if (result.ways[way]?.error !== undefined || !ways.includes(way)) continue;
      if (way === "wasmrun" && codeCache) {
        await Deno.remove(codeCache, { recursive: true });
        await Deno.mkdir(codeCache);
      }
      const run: Run = await runOnce(program, setup, way, { cli, timeoutSeconds, flags, codeCache });
      const rss = run.rssMB === undefined ? "" : `  ${Math.round(run.rssMB)} MB`;
      log(`  ${way.padEnd(10)} ${run.error ?? `${run.seconds!.toFixed(2)} s${rss}`}`);
      const best = result.ways[way];
      if (run.error !== undefined || best === undefined || run.seconds! < best.seconds!) {
        result.ways[way] = run;
      }
    }
  }
  result.ratios = ratios(result.ways);
  if (codeCache) await Deno.remove(codeCache, { recursive: true });
}

const report: Report = {
  date: new Date().toISOString(),
  deno: Deno.version.deno,
  cpus: navigator.hardwareConcurrency,
  load,
  wasmrun: cli.slice(0, cli.lastIndexOf("/")),
  commit: before.commit,
  dirty: before.changes !== "",
  changedDuringRun: JSON.stringify(revision()) !== JSON.stringify(before),
  runs,
  timeoutSeconds,
  rssAvailable: GNU_TIME !== undefined,
  programs: results,
  geomean: geomeans(results),
  totalSeconds: (performance.now() - started) / 1000,
};
console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
const failed = results.some((p) => WAYS.some((w) => p.ways[w]?.error !== undefined));
Deno.exit(failed ? 1 : 0);
