/**
 * Mutation testing for wasmrun: are the tests able to notice a small fault in src/?
 *
 *   deno run -A tools/mutate/run.ts [--sample 200] [--seed 1] [--files src/wasi/ …] [--jobs 2]
 *                                   [--json out.json] [--resume] [--timeout SECONDS] [--worktree] [--dry-run]
 *
 * 1. Exports the committed tree (`git archive HEAD`; with --worktree the working tree as it is, uncommitted
 *    changes included, not .git) into one temporary workspace per job, beside a link to ../shared, so the
 *    real src/ is never touched. Everything below works on that snapshot: an edit made meanwhile in the
 *    checkout cannot shift a mutant.
 * 2. Lists every mutant of the chosen files (tools/mutate/mutants.ts), shuffles them with the seed and keeps
 *    the first `--sample` valid ones: the mutated file must still type-check (tools/mutate/typecheck.ts).
 * 3. Runs, unmutated, each set of tests the sample needs (the baseline: it must pass, and its time sets the
 *    timeout), then each mutant: the mutated file is written into a workspace and the tests mapped to it
 *    (tools/mutate/mapping.ts) run with `deno test -A --no-check --fail-fast`. A failing run kills the
 *    mutant; a passing one means it survived; past the timeout it is killed by timeout.
 * 4. Prints the score (killed + timeout) / (killed + timeout + survived) and every survivor with its place
 *    and diff. With --json the results are written after every mutant; --resume continues such a file
 *    (same seed, sample and files) after an interruption, skipping what is done; with --recheck-survivors
 *    it runs the survivors again on the current tree (after tests were written for them).
 *
 * Exit status: 0 when the run completed (whatever the score), 1 on a usage or setup error.
 */
import { parseArgs } from "node:util";
import { type Mutant, mutantsOf } from "./mutants.ts";
import { TypeChecker } from "./typecheck.ts";
import { testsFor } from "./mapping.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sample: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
    files: { type: "string", multiple: true },
    jobs: { type: "string", default: "1" },
    json: { type: "string" },
    resume: { type: "boolean", default: false },
    "recheck-survivors": { type: "boolean", default: false },
    timeout: { type: "string" },
    worktree: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(
    "usage: deno run -A tools/mutate/run.ts [--sample N] [--seed S] [--files PREFIX]... [--jobs N]\n" +
      "         [--json FILE] [--resume [--recheck-survivors]] [--timeout SECONDS] [--worktree] [--dry-run]\n" +
      "see docs/testing.md",
  );
  Deno.exit(0);
}

function usage(message: string): never {
  console.error(`mutate: ${message}`);
  Deno.exit(1);
}

const SAMPLE = Number(values.sample), SEED = Number(values.seed), JOBS = Number(values.jobs);
if (!Number.isInteger(SAMPLE) || SAMPLE < 1) usage("--sample must be a positive integer");
if (!Number.isInteger(SEED)) usage("--seed must be an integer");
if (!Number.isInteger(JOBS) || JOBS < 1) usage("--jobs must be a positive integer");
const FILES = (values.files ?? ["src/"]).map((f) => f.replace(/^\.\//, ""));
const FIXED_TIMEOUT = values.timeout === undefined ? undefined : Number(values.timeout);
if (FIXED_TIMEOUT !== undefined && !(FIXED_TIMEOUT > 0)) usage("--timeout must be a number of seconds");
if (values.resume && !values.json) usage("--resume needs --json FILE (the file to continue)");
if (values["recheck-survivors"] && !values.resume) usage("--recheck-survivors needs --resume --json FILE");

type Status = "killed" | "survived" | "timeout" | "skipped" | "stale";

interface Result {
  id: string;
  status: Status;
  seconds: number;
  /** The first failing test (killed), or why it was skipped. */
  detail?: string;
}

interface SampledMutant extends Mutant {
  /** The original text of the replaced range. */
  original: string;
  /** A hash of the whole original file: a resumed run skips mutants of files changed since. */
  fileHash: string;
  tests: string[];
}

interface Baseline {
  /** Whether any of the set passes unmutated. */
  ok: boolean;
  seconds: number;
  /** The test files used for the mutants, and those left out because they fail unmutated. */
  effective: string[];
  dropped: string[];
}

interface State {
  version: 1;
  config: { seed: number; sample: number; files: string[] };
  /** What was tested: HEAD (commit), or the working tree (`worktree`, and whether it differed from HEAD). */
  tree: { commit: string; worktree: boolean; dirty: boolean };
  startedAt: string;
  candidates: number;
  invalid: number;
  mutants: SampledMutant[];
  baselines: Record<string, Baseline>;
  results: Record<string, Result>;
  /** The first results of survivors run again with --recheck-survivors. */
  firstResults?: Record<string, Result>;
  finishedAt?: string;
}

/** mulberry32, as the malformed-input test uses. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** The .ts files at or under `prefix` in `root`, repository-relative. */
function sourceFiles(root: string, prefix: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const info = Deno.statSync(`${root}/${rel}`);
    if (info.isFile) {
      if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) out.push(rel);
      return;
    }
    for (const e of Deno.readDirSync(`${root}/${rel}`)) walk(`${rel.replace(/\/$/, "")}/${e.name}`);
  };
  walk(prefix);
  return out.sort();
}

function git(args: string[]): string {
  const out = new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "null" }).outputSync();
  return out.success ? new TextDecoder().decode(out.stdout).trim() : "";
}

async function hash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].slice(0, 12).map((b) => b.toString(16).padStart(2, "0")).join("");
}

function saveState(state: State): void {
  if (!values.json) return;
  const tmp = `${values.json}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(state, null, 1) + "\n");
  Deno.renameSync(tmp, values.json);
}

function testKey(tests: string[]): string {
  return tests.join(" ");
}

function describe(m: Mutant): string {
  return `${m.file}:${m.line}:${m.column} ${m.operator}`;
}

// ---- 1. Workspaces ----

interface Workspace {
  root: string;
}

function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    if ([".git", "node_modules"].includes(e.name)) continue;
    const a = `${from}/${e.name}`, b = `${to}/${e.name}`;
    if (e.isDirectory) copyTree(a, b);
    else if (e.isFile) Deno.copyFileSync(a, b);
    else if (e.isSymlink) Deno.symlinkSync(Deno.readLinkSync(a), b);
  }
}

/** The tree to test, into `to`: HEAD's files (git archive), or with --worktree the working tree. */
async function exportTree(to: string): Promise<void> {
  if (values.worktree) return copyTree(ROOT, to);
  Deno.mkdirSync(to, { recursive: true });
  const archive = new Deno.Command("git", {
    args: ["archive", "--format=tar", "HEAD"],
    cwd: ROOT,
    stdout: "piped",
  })
    .outputSync();
  if (!archive.success) usage("git archive HEAD failed (--worktree tests a tree that is not a git checkout)");
  const tar = new Deno.Command("tar", { args: ["-x", "-C", to], stdin: "piped" }).spawn();
  const writer = tar.stdin.getWriter();
  await writer.write(archive.stdout);
  await writer.close();
  if (!(await tar.output()).success) usage("tar -x of git archive HEAD failed");
}

/** `n` workspaces holding one snapshot: the first exported from the tree, the others copies of it. */
async function makeWorkspaces(n: number): Promise<{ base: string; spaces: Workspace[] }> {
  const base = Deno.makeTempDirSync({ prefix: "wasmrun-mutate-" });
  let shared: string | undefined;
  try {
    shared = Deno.realPathSync(`${ROOT}/../shared`);
  } catch {
    console.log("note: ../shared not found: the workspaces have no spec suite either");
  }
  const spaces: Workspace[] = [];
  for (let i = 0; i < n; i++) {
    const dir = `${base}/job${i}`;
    if (i === 0) await exportTree(`${dir}/main`);
    else copyTree(spaces[0].root, `${dir}/main`);
    if (shared) Deno.symlinkSync(shared, `${dir}/shared`);
    spaces.push({ root: `${dir}/main` });
  }
  return { base, spaces };
}

// ---- 2. The sample ----

/** The sample, taken from `tree` (the first workspace). */
async function sample(tree: string): Promise<State> {
  for (const f of FILES) {
    try {
      Deno.statSync(`${tree}/${f}`);
    } catch {
      usage(
        `--files ${f}: no such file or folder${values.worktree ? "" : " in HEAD (--worktree: uncommitted)"}`,
      );
    }
  }
  const files = [...new Set(FILES.flatMap((f) => sourceFiles(tree, f)))];
  if (files.length === 0) usage(`no TypeScript file under ${FILES.join(" ")}`);
  const started = performance.now();
  const texts = new Map(files.map((f) => [f, Deno.readTextFileSync(`${tree}/${f}`)]));
  const hashes = new Map<string, string>();
  for (const [f, t] of texts) hashes.set(f, await hash(t));
  const candidates = files.flatMap((f) => mutantsOf(f, texts.get(f)!));
  // Every file of src/ is in the type-checking program, whatever --files selects.
  const checker = new TypeChecker(sourceFiles(tree, "src/").map((f) => `${tree}/${f}`));
  const chosen: SampledMutant[] = [];
  let invalid = 0;
  for (const m of shuffle(candidates, prng(SEED))) {
    if (chosen.length >= SAMPLE) break;
    const text = texts.get(m.file)!;
    const mutated = text.slice(0, m.start) + m.replacement + text.slice(m.end);
    if (checker.check(`${tree}/${m.file}`, mutated).length > 0) {
      invalid++;
      continue;
    }
    const original = text.slice(m.start, m.end);
    chosen.push({ ...m, original, fileHash: hashes.get(m.file)!, tests: testsFor(tree, m.file) });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${candidates.length} mutants in ${files.length} files; ${chosen.length} valid sampled (seed ${SEED}), ` +
      `${invalid} rejected by the type check; ${seconds} s`,
  );
  if (chosen.length < SAMPLE) console.log(`only ${chosen.length} valid mutants exist in ${FILES.join(" ")}`);
  return {
    version: 1,
    config: { seed: SEED, sample: SAMPLE, files: FILES },
    tree: {
      commit: git(["rev-parse", "HEAD"]),
      worktree: values.worktree,
      dirty: values.worktree && git(["status", "--porcelain", "--", "src", "tests", "bench"]) !== "",
    },
    startedAt: new Date().toISOString(),
    candidates: candidates.length,
    invalid,
    mutants: chosen,
    baselines: {},
    results: {},
  };
}

function loadState(): State {
  const state: State = JSON.parse(Deno.readTextFileSync(values.json!));
  const c = state.config;
  if (c.seed !== SEED || c.sample !== SAMPLE || c.files.join(" ") !== FILES.join(" ")) {
    usage(`${values.json} was made with --seed ${c.seed} --sample ${c.sample} --files ${c.files.join(" ")}`);
  }
  if (state.tree.worktree !== values.worktree) {
    usage(`${values.json} was made ${state.tree.worktree ? "with" : "without"} --worktree`);
  }
  return state;
}

/**
 * --recheck-survivors: the survivors run again, on the tree as it is now (the tests written for them
 * included), each with the tests the mapping gives it now. Their first results are kept in the file
 * as `firstResults`, so the score before the new tests can still be reported.
 */
function forgetSurvivors(state: State, tree: string): void {
  const first = state.firstResults ??= {};
  let n = 0;
  for (const m of state.mutants) {
    const r = state.results[m.id];
    if (r?.status !== "survived") continue;
    first[m.id] ??= r;
    delete state.results[m.id];
    m.tests = testsFor(tree, m.file);
    n++;
  }
  console.log(`rechecking ${n} survivors on the current tree`);
}

/** Resuming: a mutant whose file changed since the sample (as the new workspaces hold it) is stale. */
async function markStale(state: State, tree: string): Promise<void> {
  const hashes = new Map<string, string>();
  for (const m of state.mutants) {
    if (state.results[m.id]) continue;
    if (!hashes.has(m.file)) {
      let text = "";
      try {
        text = Deno.readTextFileSync(`${tree}/${m.file}`);
      } catch {
        // removed: stale
      }
      hashes.set(m.file, await hash(text));
    }
    if (hashes.get(m.file) !== m.fileHash) {
      state.results[m.id] = {
        id: m.id,
        status: "stale",
        seconds: 0,
        detail: "the file changed since the sample",
      };
    }
  }
  const done = Object.keys(state.results).length;
  console.log(`resuming ${values.json}: ${done} of ${state.mutants.length} mutants done or stale`);
}

// ---- 3. Running tests ----

const haveSetsid = (() => {
  try {
    return new Deno.Command("setsid", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

/** The test processes running now (with setsid, each the leader of its own process group). */
const running = new Set<number>();

/** Ends a test run: with setsid its whole group (deno test and whatever its tests started). */
function killGroup(pid: number): void {
  try {
    Deno.kill(haveSetsid ? -pid : pid, "SIGKILL");
  } catch {
    // already gone
  }
}

interface TestRun {
  ok: boolean;
  timedOut: boolean;
  seconds: number;
  firstFailure?: string;
}

/** `deno test` on `tests` in `ws`, in a process group of its own so a timeout ends its subprocesses too. */
async function runTests(ws: Workspace, tests: string[], timeoutS: number): Promise<TestRun> {
  const denoArgs = ["test", "-A", "--no-check", "--fail-fast", ...tests];
  const started = performance.now();
  const child = new Deno.Command(haveSetsid ? "setsid" : Deno.execPath(), {
    args: haveSetsid ? [Deno.execPath(), ...denoArgs] : denoArgs,
    cwd: ws.root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  running.add(child.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutS * 1000);
  const out = await child.output();
  clearTimeout(timer);
  running.delete(child.pid);
  const seconds = (performance.now() - started) / 1000;
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const failure = text.match(/^(.*) \.\.\. FAILED/m)?.[1] ?? text.match(/^error: (.*)$/m)?.[1];
  return { ok: out.success && !timedOut, timedOut, seconds, firstFailure: failure?.slice(0, 160) };
}

function timeoutFor(state: State, tests: string[]): number {
  if (FIXED_TIMEOUT !== undefined) return FIXED_TIMEOUT;
  const base = state.baselines[testKey(tests)]?.seconds ?? 30;
  return Math.max(30, Math.ceil(3 * base + 10));
}

/**
 * Runs each needed test set unmutated. A set that fails is split: its files run one by one, and those that
 * fail alone are left out of it (and listed), so a red test file elsewhere does not make every mutant look
 * killed, nor stop the run.
 */
async function baselines(state: State, spaces: Workspace[]): Promise<void> {
  const needed = [...new Set(state.mutants.filter((m) => !state.results[m.id]).map((m) => testKey(m.tests)))]
    .filter((k) => !state.baselines[k]);
  const limit = FIXED_TIMEOUT ?? 600;
  await Promise.all(spaces.map(async (ws) => {
    for (let key = needed.shift(); key !== undefined; key = needed.shift()) {
      const tests = key.split(" ");
      let run = await runTests(ws, tests, limit);
      let dropped: string[] = [];
      if (!run.ok) {
        for (const t of tests) if (!(await runTests(ws, [t], limit)).ok) dropped.push(t);
        const kept = tests.filter((t) => !dropped.includes(t));
        if (kept.length) run = await runTests(ws, kept, limit);
        if (!run.ok) dropped = tests; // fails only together: nothing left to trust
      }
      const effective = tests.filter((t) => !dropped.includes(t));
      state.baselines[key] = {
        ok: effective.length > 0,
        seconds: Math.round(run.seconds * 10) / 10,
        effective,
        dropped,
      };
      saveState(state);
      console.log(
        `baseline ${effective.length ? "ok    " : "FAILED"} ${run.seconds.toFixed(1).padStart(5)} s  ` +
          `${effective.length} test files` +
          (dropped.length ? `; failing unmutated, left out: ${dropped.join(" ")}` : "") + `  [${key}]`,
      );
    }
  }));
}

async function runMutants(state: State, spaces: Workspace[]): Promise<void> {
  const todo = state.mutants.filter((m) => !state.results[m.id]);
  const total = state.mutants.length;
  let done = total - todo.length;
  await Promise.all(spaces.map(async (ws) => {
    for (let m = todo.shift(); m !== undefined; m = todo.shift()) {
      let result: Result;
      const base = state.baselines[testKey(m.tests)];
      if (!base?.ok) {
        result = { id: m.id, status: "skipped", seconds: 0, detail: "its tests fail unmutated (baseline)" };
      } else {
        const path = `${ws.root}/${m.file}`;
        const text = Deno.readTextFileSync(path);
        Deno.writeTextFileSync(path, text.slice(0, m.start) + m.replacement + text.slice(m.end));
        try {
          const run = await runTests(ws, base.effective, timeoutFor(state, m.tests));
          const status: Status = run.timedOut ? "timeout" : run.ok ? "survived" : "killed";
          result = { id: m.id, status, seconds: Math.round(run.seconds * 10) / 10, detail: run.firstFailure };
        } finally {
          Deno.writeTextFileSync(path, text);
        }
      }
      state.results[m.id] = result;
      done++;
      saveState(state);
      const what = result.status === "killed" && result.detail ? ` by "${result.detail}"` : "";
      console.log(
        `[${String(done).padStart(String(total).length)}/${total}] ${
          result.status.toUpperCase().padEnd(8)
        } ` +
          `${result.seconds.toFixed(1).padStart(5)} s  ${
            describe(m)
          }: ${m.original} → ${m.replacement}${what}`,
      );
    }
  }));
}

// ---- 4. The report ----

function report(state: State): string[] {
  const results = state.mutants.map((m) => ({ m, r: state.results[m.id] })).filter((x) => x.r);
  const count = (s: Status) => results.filter((x) => x.r.status === s).length;
  const killed = count("killed"), survived = count("survived"), timeout = count("timeout");
  const judged = killed + survived + timeout;
  const score = judged ? (100 * (killed + timeout) / judged).toFixed(1) : "n/a";
  const run = results.filter((x) => ["killed", "survived", "timeout"].includes(x.r.status));
  const perMutant = run.length ? (run.reduce((n, x) => n + x.r.seconds, 0) / run.length).toFixed(1) : "n/a";
  const lines = [
    "",
    `mutation score ${score} %: ${killed} killed, ${timeout} timeout, ${survived} survived` +
    ` (${count("skipped")} skipped, ${count("stale")} stale; ${
      state.mutants.length - results.length
    } not run)` +
    `; ${perMutant} s of tests per mutant`,
  ];
  if (state.firstResults && Object.keys(state.firstResults).length > 0) {
    // The score before the survivors were rechecked: their first results in place of the new ones.
    const before = state.mutants.map((m) => (state.firstResults![m.id] ?? state.results[m.id])?.status);
    const caught = before.filter((st) => st === "killed" || st === "timeout").length;
    const missed = before.filter((st) => st === "survived").length;
    const rechecked = Object.keys(state.firstResults).map((id) => state.results[id]?.status);
    lines.push(
      `first pass ${(100 * caught / (caught + missed)).toFixed(1)} %: ${missed} survived; rechecked on the ` +
        `current tree: ${rechecked.filter((st) => st === "killed" || st === "timeout").length} killed now, ` +
        `${rechecked.filter((st) => st === "stale").length} stale (their file changed)`,
    );
  }
  const dropped = [...new Set(Object.values(state.baselines).flatMap((b) => b.dropped))];
  if (dropped.length) {
    lines.push(`test files failing unmutated, left out of their sets: ${dropped.join(" ")}`);
  }
  const byFile = new Map<string, { k: number; s: number }>();
  for (const { m, r } of run) {
    const e = byFile.get(m.file) ?? { k: 0, s: 0 };
    if (r.status === "survived") e.s++;
    else e.k++;
    byFile.set(m.file, e);
  }
  lines.push("per file (killed+timeout / run):");
  for (const [f, e] of [...byFile].sort()) lines.push(`  ${f.padEnd(34)} ${e.k}/${e.k + e.s}`);
  const survivors = results.filter((x) => x.r.status === "survived");
  if (survivors.length) lines.push(`survivors (${survivors.length}):`);
  for (const { m } of survivors.sort((a, b) => a.m.file.localeCompare(b.m.file) || a.m.line - b.m.line)) {
    lines.push(`  ${describe(m)}  [tests: ${m.tests.map((t) => t.replace(/^tests\//, "")).join(" ")}]`);
    lines.push(`    - ${m.before.trim()}`);
    lines.push(`    + ${m.after.trim()}`);
  }
  return lines;
}

// ---- main ----

const resumed = values.resume ? loadState() : undefined;
const { base, spaces } = await makeWorkspaces(values["dry-run"] ? 1 : JOBS);
// Interrupted: the results so far are in --json already (continue with --resume); the rest goes.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    for (const pid of running) killGroup(pid);
    Deno.removeSync(base, { recursive: true });
    console.log(`\ninterrupted${values.json ? `: continue with --resume --json ${values.json}` : ""}`);
    Deno.exit(130);
  });
}
try {
  const state = resumed ?? await sample(spaces[0].root);
  if (resumed && values["recheck-survivors"]) forgetSurvivors(state, spaces[0].root);
  if (resumed) await markStale(state, spaces[0].root);
  saveState(state);
  if (values["dry-run"]) {
    for (const m of state.mutants) {
      console.log(`${describe(m)}: ${m.original} → ${m.replacement}  [${m.tests.length} test files]`);
      console.log(`    - ${m.before.trim()}\n    + ${m.after.trim()}`);
    }
  } else {
    const source = values.worktree ? "the working tree" : `HEAD ${state.tree.commit.slice(0, 12)}`;
    console.log(
      `${spaces.length} workspaces of ${source} in ${base}; tests: deno test -A --no-check --fail-fast`,
    );
    await baselines(state, spaces);
    await runMutants(state, spaces);
    state.finishedAt = new Date().toISOString();
    saveState(state);
    console.log(report(state).join("\n"));
    if (values.json) console.log(`results: ${values.json}`);
  }
} finally {
  Deno.removeSync(base, { recursive: true });
}
