/**
 * Hostile guests against the WASI sandbox, run through the command line as subprocesses, each in
 * four configurations (native backend with -A, native with read/write on <tmp> and --allow-ffi,
 * deno backend with read/write on the preopen only, deno backend with -A; the two without -A are
 * attack 3: Deno's permissions are not what stops them). Each guest prints one line per escape
 * attempt (see tests/fixtures/attacks/attack.h); a run fails when any line says ESCAPED, when the
 * secret's text appears anywhere in its output, when anything in <tmp> but the preopen changed, or
 * when a step an attack needs did not happen (so no attack is skipped without notice).
 *
 *   1 / 1b  stale_fd.c        a directory fd whose directory is replaced by a link ".." (two levels;
 *                             also a renamed directory, and a renamed parent)
 *   1c      nested.c          nested preopens: cross-preopen rename, the inner root replaced
 *   2       symlink_rename.c  links harmless where made, moved up; escaping links as parents
 *   4a / 4b race.c, swapper.ts a host process / a second guest swapping directories and links
 *   6       misc.c, ro_rw.c   loops, absolute links, "..", odd paths, NUL; read-only preopens
 *
 * "guest" variants make their symlinks with path_symlink; "host" variants find them made by the test
 * (Deno allows symlink creation only with unscoped read and write, so without -A only those run).
 * Races run for a few seconds: on the native backend they must never win; on the deno backend they
 * are a documented limitation, so their figures are printed, not asserted.
 *
 * Guests: tests/fixtures/attacks/ (prebuilt .wasm committed; sh tests/fixtures/attacks/build.sh
 * rebuilds them, and the tests do when a source is newer and clang-19 is installed). To point the
 * file at older code: WASMRUN_ATTACKS_CLI=<its cli.ts> WASMRUN_ATTACKS_NO_BACKEND_FLAG=1.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import {
  ATTACKS,
  type Config,
  CONFIGS,
  denoArgs,
  diffSnapshots,
  ensureFixtures,
  escapedLines,
  label,
  type Layout,
  link,
  makeLayout,
  pool,
  type Proc,
  removeLayout,
  reportLines,
  runDeno,
  SECRET,
  snapshot,
  snapshotOutsidePre,
  wasm,
} from "./attack_harness.ts";

await ensureFixtures();

type Mode = "guest" | "host";

interface Attack {
  title: string;
  program: string;
  /** guest: the guest makes its symlinks itself; host: the test made them (no path_symlink needed). */
  mode?: Mode;
  /** --dir options. */
  dirs(l: Layout): string[];
  args?(l: Layout, mode?: Mode): string[];
  /** Host-side setup before the snapshot. */
  prepare?(l: Layout, mode?: Mode): void;
  /** Setup steps that must report "ok" in host mode (in guest mode too unless a symlink was refused). */
  steps: string[];
  /** Other directories (inside pre) that must not change. */
  protect?(l: Layout): { root: string; skip: string[] }[];
  /** Further expectations: problems found. */
  check?(lines: Map<string, string>, symlinksRefused: boolean): string[];
}

const SANDBOX = (l: Layout) => ["--dir", `${l.pre}::/sandbox`];
const ERRNO = /^E[A-Z0-9]+$/;

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Attack 1 / 1b: a directory fd whose directory is replaced by a link "..", at one and two levels. */
const staleFd = (mode: Mode): Attack => ({
  title: `1${mode === "host" ? "b" : ""} stale directory fd after rmdir + rename of a link ".." (${
    mode === "host" ? "links made by the host, the guest only renames" : "links made by the guest"
  })`,
  program: "stale_fd",
  mode,
  dirs: SANDBOX,
  args: (l) => [mode, basename(l.tmp)],
  prepare(l) {
    if (mode !== "host") return;
    link("..", `${l.pre}/dd/l`);
    link("../..", `${l.pre}/dd2/ee/l`);
    link("..", `${l.pre}/dd3/l`);
    link("..", `${l.pre}/dd4/l`);
  },
  steps: [
    "open /sandbox",
    "mkdir a",
    "open a",
    "rmdir a",
    "rename dd/l a",
    "mkdir b",
    "open b",
    "rmdir b",
    "rename dd2/ee/l b",
    "mkdir c",
    "open c",
    "rename c c_away",
    "rename dd3/l c",
    "mkdir p/outside",
    "open p/outside",
    "rename p p_away",
    "rename dd4/l p",
  ],
});

/** Attack 1c: nested preopens, made stale by a rename through the other one, or by moving the inner root. */
const nested = (mode: Mode): Attack => ({
  title:
    `1c nested preopens: cross-preopen rename and the inner preopen's root replaced by a link (${mode} links)`,
  program: "nested",
  mode,
  dirs: (l) => ["--dir", `${l.pre}::/sandbox`, "--dir", `${l.pre}/nest::/inner`],
  args: () => [mode],
  prepare(l) {
    Deno.mkdirSync(`${l.pre}/nest`);
    if (mode !== "host") return;
    link("..", `${l.pre}/dd/l`);
    link("../..", `${l.pre}/dd/ee/l`);
  },
  steps: [
    "open /sandbox",
    "mkdir /inner/r",
    "open /sandbox/nest/r",
    "rename /inner/r /inner/r_away",
    "rename dd/ee/l /inner/r",
    "open /inner",
    "rename nest nest_away",
    "rename dd/l nest",
  ],
});

/** Attack 2: links that were harmless where they were made, moved one level up. */
const movedLinks = (mode: Mode): Attack => ({
  title: `2 symlinks checked only at creation, then moved up (${mode} links)`,
  program: "symlink_rename",
  mode,
  dirs: SANDBOX,
  args: () => [mode],
  prepare(l) {
    if (mode !== "host") return;
    link("../outside/secret", `${l.pre}/dd/l2`);
    link("..", `${l.pre}/dd/l3`);
    link("../..", `${l.pre}/dd/ee/l5`);
    link("../made_by_guest", `${l.pre}/dd/l6`);
  },
  steps: [
    "open /sandbox",
    "rename dd/l2 l2",
    "rename dd/l3 l3",
    "rename dd/ee ee",
    "rename dd/l6 l6",
    "rename l3 ee/l3b",
  ],
});

const LOOPS = [
  "loop self",
  "loop self/x",
  "loop cycle",
  "loop nofollow",
  "loop exponential",
  "loop dirloop x45",
];

/** 6: loops, absolute and escaping host links, ".." from directory fds, odd paths and raw calls. */
const misc = (mode: Mode): Attack => ({
  title: `6 loops, absolute links, ".." from directory fds, odd paths, NUL bytes (${mode} loop links)`,
  program: "misc",
  mode,
  dirs: SANDBOX,
  args: (l) => [mode, l.tmp],
  prepare(l) {
    const p = l.pre;
    link("/", `${p}/abs_root`);
    link("/proc/self/root", `${p}/proc_root`);
    link("/proc/self/cwd", `${p}/proc_cwd`);
    link("/proc/self/fd", `${p}/proc_fd`);
    link("../outside/secret", `${p}/rel_up`);
    link("../".repeat(16) + "proc/self/root", `${p}/rel_deep`);
    if (mode !== "host") return;
    link("loop_self", `${p}/loop_self`);
    link("loop_b", `${p}/loop_a`);
    link("loop_a", `${p}/loop_b`);
    link(".", `${p}/dirloop`);
    link(".", `${p}/x0`);
    for (let i = 1; i <= 6; i++) link(`x${i - 1}/`.repeat(8) + ".", `${p}/x${i}`);
  },
  steps: ["open /sandbox", "open s1/s2", "open deep/a/b/c", "rename deep/a/b/c cm"],
  check(lines, symlinksRefused) {
    const problems: string[] = [];
    if (!symlinksRefused) {
      for (const name of LOOPS) {
        if (lines.get(name) !== "ELOOP") problems.push(`${name}: expected ELOOP, got ${lines.get(name)}`);
        const t = /^ok (\d+) ms$/.exec(lines.get(`time ${name}`) ?? "");
        if (!t) problems.push(`time ${name}: missing`);
        else if (Number(t[1]) > 2000) problems.push(`${name}: took ${t[1]} ms (bound 2000 ms)`);
      }
    }
    // Each directory fd is the root of what is resolved from it (as in wasmtime / cap-std).
    const dotdot = lines.get("subdir-dotdot ../x");
    if (dotdot !== "ENOTCAPABLE") problems.push(`subdir-dotdot ../x: expected ENOTCAPABLE, got ${dotdot}`);
    return problems;
  },
});

/** 6: read-only preopens: writes through links, hard links, renames, fds, and a stale fd. */
const readOnly: Attack = {
  title: "6 read-only preopens: links, hard links, renames, fd calls and a stale fd into /ro",
  program: "ro_rw",
  dirs: (l) => [
    "--dir",
    `${l.pre}/w::/w`,
    "--dir",
    `${l.pre}/ro::/ro:ro`,
    "--dir",
    `${l.pre}/ro/inner::/rw_in_ro`,
  ],
  prepare(l) {
    Deno.mkdirSync(`${l.pre}/w`);
    Deno.mkdirSync(`${l.pre}/ro/inner`, { recursive: true });
    Deno.writeTextFileSync(`${l.pre}/ro/file`, "READONLY");
    Deno.writeTextFileSync(`${l.pre}/w/x`, "x");
    link("inner", `${l.pre}/ro/toinner`);
    link("../ro", `${l.pre}/w/toro`);
    link("..", `${l.pre}/w/dd/l`);
  },
  steps: ["ro open file read-only", "open /w/a", "rmdir /w/a", "rename /w/dd/l /w/a"],
  protect: (l) => [{ root: `${l.pre}/ro`, skip: [`${l.pre}/ro/inner`] }],
};

const ATTACK_LIST: Attack[] = [
  staleFd("guest"),
  staleFd("host"),
  nested("guest"),
  nested("host"),
  movedLinks("guest"),
  movedLinks("host"),
  misc("guest"),
  misc("host"),
  readOnly,
];

interface Outcome {
  cfg: Config;
  proc: Proc;
  problems: string[];
  attempts: number;
  notes: string[];
}

async function runAttack(attack: Attack, cfg: Config): Promise<Outcome> {
  const l = makeLayout();
  try {
    attack.prepare?.(l, attack.mode);
    const protect = attack.protect?.(l) ?? [];
    const snap = () => [
      snapshotOutsidePre(l),
      ...protect.map((p) => snapshot(p.root, (path) => p.skip.includes(path))),
    ];
    const before = snap();
    const module = wasm(attack.program);
    const proc = await runDeno(denoArgs(cfg, l, module, attack.dirs(l), attack.args?.(l, attack.mode)));
    const after = snap();

    const problems: string[] = [];
    const notes: string[] = [];
    if (proc.killed) problems.push(`killed after ${Math.round(proc.ms)} ms`);
    if (proc.code !== 0) {
      problems.push(`exit status ${proc.code}; stderr: ${proc.stderr.trim().slice(0, 2000)}`);
    }
    for (const line of escapedLines(proc.stdout)) problems.push(line);
    if (proc.stdout.includes(SECRET) || proc.stderr.includes(SECRET)) {
      problems.push(`the secret's text appears in the output`);
    }
    before.forEach((b, i) => {
      const where = i === 0 ? "<tmp> outside pre" : protect[i - 1].root.slice(l.tmp.length + 1);
      for (const d of diffSnapshots(b, after[i])) problems.push(`${where} ${d}`);
    });
    const lines = reportLines(proc.stdout);
    if (!/^done$/m.test(proc.stdout)) problems.push('the guest did not finish (no "done" line)');
    const refusedSymlinks = [...lines].filter(([name, r]) => name.startsWith("step symlink") && r !== "ok");
    const symlinksRefused = refusedSymlinks.length > 0;
    if (symlinksRefused) {
      // Only in guest mode (host mode makes no symlinks): Deno grants symlink creation only with
      // unscoped read and write, and a backend may refuse some targets.
      notes.push(
        `guest-made symlinks refused (${
          refusedSymlinks.map(([n, r]) => `${n.slice(5)}: ${r}`).join(", ")
        }): ` +
          "the attacks that need them were not attempted in this run; the host-link variant covers them",
      );
    } else {
      for (const step of attack.steps) {
        const r = lines.get(`step ${step}`);
        if (r !== "ok") {
          problems.push(`setup step "${step}" did not succeed (${r ?? "missing"}): the attack was not tried`);
        }
      }
      for (const [name, r] of lines) if (r.startsWith("skipped")) problems.push(`${name}: ${r}`);
    }
    problems.push(...(attack.check?.(lines, symlinksRefused) ?? []));
    const attempts = [...lines].filter(([name, r]) =>
      !name.startsWith("step ") && (ERRNO.test(r) || r.startsWith("ESCAPED"))
    ).length;
    return { cfg, proc, problems, attempts, notes };
  } finally {
    removeLayout(l);
  }
}

for (const attack of ATTACK_LIST) {
  Deno.test(`attack ${attack.title}`, async () => {
    const outcomes = await pool(4, CONFIGS.map((cfg) => () => runAttack(attack, cfg)));
    const report: string[] = [];
    for (const o of outcomes) {
      const escaped = escapedLines(o.proc.stdout).length;
      console.log(
        `  [${label(o.cfg)}] ${o.attempts} attempts, ${escaped} escaped, ${o.problems.length} problems, ${
          Math.round(o.proc.ms)
        } ms`,
      );
      for (const n of o.notes) console.log(`    note: ${n}`);
      if (o.problems.length) report.push(`[${label(o.cfg)}]\n    ${o.problems.join("\n    ")}`);
    }
    assert.equal(report.length, 0, `${attack.title}:\n${report.join("\n")}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Attack 4: races.

const RACE_MS = 3000;

interface RaceFigures {
  cfg: Config;
  reader: Proc;
  swapper: Proc;
  /** Per path the reader opened: iterations, secret, other, errors. */
  paths: Map<string, Record<string, number>>;
  attempts: number;
  created: number;
  createdOutside: number;
  swaps: number;
  changes: string[];
}

function figures(text: string, name: string): Record<string, number> {
  const line = text.split("\n").find((l) => l.startsWith(name + ":"));
  const out: Record<string, number> = {};
  for (const m of line?.matchAll(/(\w+)=(\d+)/g) ?? []) out[m[1]] = Number(m[2]);
  return out;
}

function countCreatedOutside(l: Layout): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.name.startsWith("created_by_guest.")) n++;
      if (e.isDirectory) walk(`${dir}/${e.name}`);
    }
  };
  walk(l.outside);
  // Anything else in <tmp> but pre and outside counts too.
  for (const e of Deno.readDirSync(l.tmp)) if (e.name !== "pre" && e.name !== "outside") n++;
  return n;
}

/** Starts `deno args`, resolving once stdout has shown `marker` (or the process ended). */
function spawnWith(args: string[], limitMs: number) {
  const child = new Deno.Command(Deno.execPath(), { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .spawn();
  const t0 = performance.now();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, limitMs);
  const done = child.output().then((out): Proc => {
    clearTimeout(timer);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return {
      code: out.code,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
      ms: performance.now() - t0,
      killed,
    };
  });
  return { child, done };
}

async function waitFor(path: string, limitMs: number, running: Promise<unknown>): Promise<void> {
  let ended = false;
  running.then(() => ended = true);
  const t0 = performance.now();
  for (;;) {
    try {
      Deno.lstatSync(path);
      return;
    } catch { /* not yet */ }
    if (ended || performance.now() - t0 > limitMs) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** 4a: the host swaps pre/d between a directory (decoy secret) and a link to ../outside. */
async function hostSwapRace(cfg: Config): Promise<RaceFigures> {
  const l = makeLayout();
  try {
    Deno.mkdirSync(`${l.pre}/d`);
    Deno.writeTextFileSync(`${l.pre}/d/secret`, "decoy");
    link("../outside", `${l.pre}/d_alt`);
    const before = snapshotOutsidePre(l);
    const swapper = spawnWith([
      "run",
      "--no-prompt",
      "--quiet",
      `--allow-read=${l.pre}`,
      `--allow-write=${l.pre}`,
      "--allow-ffi",
      `${ATTACKS}swapper.ts`,
      l.pre,
      "20000",
    ], 30_000);
    // It creates pre/swapper_started once it runs, and stops when the reader creates pre/done.
    await waitFor(`${l.pre}/swapper_started`, 20_000, swapper.done);
    const module = wasm("race");
    const guest = await runDeno(
      denoArgs(cfg, l, module, SANDBOX(l), ["reader", String(RACE_MS), "/sandbox/d", "/sandbox/d/secret"]),
      30_000,
    );
    const sw = await swapper.done;
    const after = snapshotOutsidePre(l);
    return {
      cfg,
      reader: guest,
      swapper: sw,
      paths: new Map([["/sandbox/d/secret", figures(guest.stdout, "race /sandbox/d/secret")]]),
      attempts: figures(guest.stdout, "race create /sandbox/d").attempts ?? 0,
      created: figures(guest.stdout, "race create /sandbox/d").created ?? 0,
      createdOutside: countCreatedOutside(l),
      swaps: figures(sw.stdout, "swapper").swaps ?? 0,
      changes: diffSnapshots(before, after),
    };
  } finally {
    removeLayout(l);
  }
}

/** 4b: two guests on one preopen: A swaps d (dir / link "..") and f (file / link to the secret). */
async function twoGuestRace(cfg: Config): Promise<RaceFigures> {
  const l = makeLayout();
  try {
    Deno.mkdirSync(`${l.pre}/d/outside`, { recursive: true });
    Deno.writeTextFileSync(`${l.pre}/d/outside/secret`, "decoy");
    Deno.writeTextFileSync(`${l.pre}/f`, "decoy");
    link("..", `${l.pre}/dd/l`);
    link("../outside/secret", `${l.pre}/dd/l2`);
    const before = snapshotOutsidePre(l);
    const module = wasm("race");
    const a = spawnWith(denoArgs(cfg, l, module, SANDBOX(l), ["swapper", "20000"]), 30_000);
    await waitFor(`${l.pre}/swapper_started`, 20_000, a.done);
    const b = await runDeno(
      denoArgs(cfg, l, module, SANDBOX(l), [
        "reader",
        String(RACE_MS),
        "/sandbox/d/outside",
        "/sandbox/d/outside/secret",
        "/sandbox/f",
      ]),
      30_000,
    );
    const sw = await a.done;
    const after = snapshotOutsidePre(l);
    const create = figures(b.stdout, "race create /sandbox/d/outside");
    return {
      cfg,
      reader: b,
      swapper: sw,
      paths: new Map([
        ["/sandbox/d/outside/secret", figures(b.stdout, "race /sandbox/d/outside/secret")],
        ["/sandbox/f", figures(b.stdout, "race /sandbox/f")],
      ]),
      attempts: create.attempts ?? 0,
      created: create.created ?? 0,
      createdOutside: countCreatedOutside(l),
      swaps: figures(sw.stdout, "swapper").cycles ?? 0,
      changes: diffSnapshots(before, after),
    };
  } finally {
    removeLayout(l);
  }
}

/**
 * The deno backend's help text says that what stays racy there is where creates, mkdir, remove,
 * rename, link and set-times land: an opened file must be the one that was checked. A read of the
 * secret is therefore worth pointing out, even in a measured run.
 */
function noteReads(f: RaceFigures): void {
  for (const [p, v] of f.paths) {
    if (v.secret > 0) {
      console.log(`    NOTE: ${p} read the secret ${v.secret} times: reads escaped too, not only creates`);
    }
  }
}

function describe(kind: string, f: RaceFigures): string {
  const paths = [...f.paths].map(([p, v]) =>
    `${p}: ${v.iterations ?? "?"} opens, ${v.secret ?? "?"} got the secret, ${v.other ?? "?"} the decoy, ${
      v.errors ?? "?"
    } refused`
  );
  return `race ${kind} [${label(f.cfg)}]: ${
    paths.join("; ")
  }; creates: ${f.created}/${f.attempts} succeeded, ` +
    `${f.createdOutside} landed outside; swapper: ${f.swaps} swaps (${
      f.swapper.stdout.trim().split("\n").pop()
    }); ` +
    `${f.changes.length} changes outside pre`;
}

/** What must hold for every race run, whatever the backend: both sides really ran. */
function raceRan(f: RaceFigures): string[] {
  const problems: string[] = [];
  if (f.reader.code !== 0 || f.reader.killed) {
    problems.push(`reader: exit ${f.reader.code}: ${f.reader.stderr}`);
  }
  if (f.swapper.code !== 0 || f.swapper.killed) {
    problems.push(`swapper: exit ${f.swapper.code}: ${f.swapper.stderr}`);
  }
  if (f.swaps <= 0) problems.push("the swapper made no swaps");
  for (const [p, v] of f.paths) {
    if (!(v.iterations >= 50)) problems.push(`${p}: only ${v.iterations} iterations`);
  }
  return problems;
}

/** Zero escapes: no secret read, nothing created or changed outside, and both states were seen. */
function raceLost(f: RaceFigures): string[] {
  const problems = raceRan(f);
  for (const [p, v] of f.paths) {
    if (v.secret !== 0) problems.push(`${p}: read the secret ${v.secret} times`);
    if (!(v.other > 0)) problems.push(`${p}: never read the decoy (the directory state was never seen)`);
    if (!(v.errors > 0)) problems.push(`${p}: never refused (the link state was never seen)`);
  }
  if (f.createdOutside !== 0) problems.push(`${f.createdOutside} files created outside pre`);
  problems.push(...f.changes);
  if (
    escapedLines(f.reader.stdout).length || f.reader.stdout.includes(SECRET) ||
    f.reader.stderr.includes(SECRET)
  ) {
    problems.push("the secret's text or ESCAPED appears in the reader's output");
  }
  return problems;
}

const NATIVE = CONFIGS.filter((c) => c.backend === "native");
const DENO = CONFIGS.filter((c) => c.backend === "deno");

Deno.test("race 4a host swaps pre/d between a directory and a link to ../outside: native backend never loses", async () => {
  const results = await Promise.all(NATIVE.map(hostSwapRace));
  const report: string[] = [];
  for (const f of results) {
    console.log("  " + describe("host-swap", f));
    const p = raceLost(f);
    if (p.length) report.push(`[${label(f.cfg)}]\n    ${p.join("\n    ")}`);
  }
  assert.equal(report.length, 0, report.join("\n"));
});

Deno.test("race 4a host swaps pre/d between a directory and a link to ../outside: deno backend, measured (documented limitation)", async () => {
  const results = await Promise.all(DENO.map(hostSwapRace));
  const report: string[] = [];
  for (const f of results) {
    console.log("  " + describe("host-swap", f));
    noteReads(f);
    const p = raceRan(f);
    if (p.length) report.push(`[${label(f.cfg)}]\n    ${p.join("\n    ")}`);
  }
  assert.equal(report.length, 0, report.join("\n"));
});

Deno.test("race 4b two guests on one preopen, one swapping d and f for links: native backend never loses", async () => {
  const results = await Promise.all(NATIVE.map(twoGuestRace));
  const report: string[] = [];
  for (const f of results) {
    console.log("  " + describe("two-guests", f));
    const p = raceLost(f);
    if (p.length) report.push(`[${label(f.cfg)}]\n    ${p.join("\n    ")}`);
  }
  assert.equal(report.length, 0, report.join("\n"));
});

Deno.test("race 4b two guests on one preopen, one swapping d and f for links: deno backend, measured (documented limitation)", async () => {
  const results = await Promise.all(DENO.map(twoGuestRace));
  const report: string[] = [];
  for (const f of results) {
    console.log("  " + describe("two-guests", f));
    noteReads(f);
    const p = raceRan(f);
    if (p.length) report.push(`[${label(f.cfg)}]\n    ${p.join("\n    ")}`);
  }
  assert.equal(report.length, 0, report.join("\n"));
});
