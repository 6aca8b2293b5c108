/**
 * The same scripts on wasmrun's `WASI` and on two others that users come from: Node's node:wasi
 * (uvwasi; one Node process runs every job, see fixtures/wasi/node_runner.mjs) and Deno's own
 * node:wasi (in this process). Every difference that remains is listed in KNOWN_DIFFERENCES with
 * the reason wasmrun's answer is the one it gives; the test fails on a difference that is not
 * listed, and on a listed one that is gone (a partner fixed it, or we changed: the list must say so).
 *
 * Each program script runs a fixture with its stdio on files opened with node:fs (host fds, as
 * node_runner.mjs does), so the three hosts are driven the same way. The API scripts call the class
 * itself (imports, errors) and run on Deno's node:wasi, which is in reach in-process.
 * Skipped for Node when `node` is not installed (said once per run; with CI=true a failing test
 * instead, see spec/prerequisites.ts).
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WASI as DenoNodeWASI } from "node:wasi";
import { WASI as Ours } from "../src/wasi/mod.ts";
import { escapeScene, FIXTURES, listTree } from "./wasi_run.ts";
import { missingPrerequisite } from "./spec/prerequisites.ts";
import { wat } from "./wat.ts";

const hasNode = (() => {
  try {
    return new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();
if (!hasNode) missingPrerequisite("node", "the node:wasi comparison", "install Node.js 20 or later");

type Partner = "node" | "deno";

/** What a program script gives: its exit code and output, or the error the host threw. */
interface Outcome {
  code?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
  /** escape: the attempts that succeeded, and what is outside the sandbox afterwards. */
  succeeded?: string[];
  outside?: string[];
}

interface Job {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** A fresh empty directory as /sandbox, or the escape scene (wasi_run.ts). */
  scene?: "empty" | "escape";
}

const JOBS: Job[] = [
  { name: "stdio", stdin: "héllo\nwörld\n" },
  { name: "args_env", args: ["prog", "é", "日本語"], env: { ZED: "ü", A: "1=2" } },
  { name: "exit_code", args: ["x", "42"] },
  { name: "clock_sleep", args: ["x", "20"] },
  { name: "clock_res" },
  { name: "proc_raise", args: ["proc_raise", "0"] },
  { name: "start_section" },
  { name: "fs_tour", scene: "empty" },
  { name: "escape", scene: "escape" },
];

/** A difference from a partner, and why wasmrun's answer is what it is. */
interface KnownDifference {
  partner: Partner;
  script: string;
  why: string;
  /** Turns our outcome into the partner's, changing exactly what this difference is about. */
  theirs: (ours: Outcome) => Outcome;
}

/** A difference in the output text: each [ours, theirs] replaced once (it must be there). */
function text(...pairs: [string, string][]): (o: Outcome) => Outcome {
  return (o) => {
    let stdout = o.stdout!;
    for (const [from, to] of pairs) {
      assert.ok(stdout.includes(from), `the output no longer has ${JSON.stringify(from)}`);
      stdout = stdout.replace(from, to);
    }
    return { ...o, stdout };
  };
}

/** fs_tour's listings without "." and "..": two fewer entries in the big directory. */
function withoutDots(o: Outcome): Outcome {
  const t = text(["many: 302 entries", "many: 300 entries"])(o);
  assert.ok(t.stdout!.includes(" d:. d:.."));
  return { ...t, stdout: t.stdout!.replaceAll(" d:. d:..", "") };
}

const OUR_ESCAPE: Outcome = { code: 0, succeeded: ["open /sandbox/mine"], outside: ["secret"] };

const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    partner: "node",
    script: "fs_tour",
    why: 'uvwasi\'s fd_readdir leaves out "." and ".."; readdir(3) returns them (and wasmtime does)',
    theirs: withoutDots,
  },
  {
    partner: "node",
    script: "fs_tour",
    why: "uvwasi opens the target of a symlink even without SYMLINK_FOLLOW, where open(O_NOFOLLOW) must " +
      "fail with ELOOP (the errno it prints is stale, from the check before)",
    theirs: text(["O_NOFOLLOW on link           ok", "O_NOFOLLOW on link           Is a directory"]),
  },
  {
    partner: "node",
    script: "escape",
    why: "uvwasi checks paths lexically and lets the OS follow symlinks in the middle of a path: a link " +
      'to "/" or ".." walks out of the sandbox (it opens /etc/passwd, creates a directory and a hard ' +
      "link outside, deletes a file outside); wasmrun resolves every component itself and refuses all",
    theirs: () => ({
      code: 0,
      succeeded: [
        "open /sandbox/root_link/etc/passwd",
        "open /sandbox/parent_link/outside/secret",
        "mkdir",
        "link",
        "unlink",
        "open /sandbox/mine",
      ],
      outside: ["escaped_dir", "linked"],
    }),
  },
  {
    partner: "node",
    script: "clock_res",
    why: "uvwasi passes on clock_getres(CLOCK_PROCESS_CPUTIME_ID), 1 ns; wasmrun reads CPU time with " +
      "process.cpuUsage(), in microseconds, and says so",
    theirs: text(["process getres=0 res=0.000001000", "process getres=0 res=0.000000001"]),
  },
  {
    partner: "node",
    script: "proc_raise",
    why: "uvwasi's proc_raise is ENOSYS (52); signal 0 does nothing, as raise(0) and wasmtime's",
    theirs: text(["proc_raise returned 0", "proc_raise returned 52"]),
  },
  {
    partner: "deno",
    script: "fs_tour",
    why: 'Deno\'s fd_readdir leaves out "." and ".." (as uvwasi)',
    theirs: withoutDots,
  },
  {
    partner: "deno",
    script: "fs_tour",
    why: "Deno's filestat does not give a file's link count: 2 after link() (its errno is stale)",
    theirs: text([
      "nlink 2                      ok",
      "nlink 2                      No such file or directory",
    ]),
  },
  {
    partner: "deno",
    script: "fs_tour",
    why: "Deno opens a directory for writing with EEXIST; open(2) says EISDIR",
    theirs: text(["open dir for write           ok", "open dir for write           File exists"]),
  },
  {
    partner: "deno",
    script: "fs_tour",
    why: "Deno opens the target of a symlink without SYMLINK_FOLLOW, as uvwasi (ELOOP expected)",
    theirs: text(["O_NOFOLLOW on link           ok", "O_NOFOLLOW on link           Is a directory"]),
  },
  {
    partner: "deno",
    script: "fs_tour",
    why: "Deno's path_unlink_file follows a symlink and removes its target: unlink(link) deleted " +
      "sub/moved.txt and left the link; unlink(2) removes the link itself",
    theirs: text(
      ["unlink moved                 ok", "unlink moved                 No such file or directory"],
      ["ls /sandbox: d:many f:data.bin\n", "ls /sandbox: d:many f:data.bin l:link\n"],
    ),
  },
  {
    partner: "deno",
    script: "clock_res",
    why: "Deno says the realtime clock has microsecond resolution; wasmrun's advances with the " +
      "nanosecond monotonic timer (anchored to Date.now()), so it says 1 ns, as clock_getres(2) on Linux",
    theirs: text(["realtime getres=0 res=0.000000001", "realtime getres=0 res=0.000001000"]),
  },
  {
    partner: "deno",
    script: "proc_raise",
    why: "Deno's proc_raise is ENOSYS (52), as uvwasi's; signal 0 does nothing, as raise(0) and wasmtime's",
    theirs: text(["proc_raise returned 0", "proc_raise returned 52"]),
  },
  {
    partner: "deno",
    script: "escape",
    why: "Deno creates symlinks whose targets lead out (/etc/passwd, ../outside/secret); following one " +
      "would still be refused, but wasmrun refuses to make them (ENOTCAPABLE), so that host programs " +
      "reading the directory are not led out either",
    theirs: (o) => ({ ...o, succeeded: ["symlink", "symlink..", ...o.succeeded!] }),
  },
  {
    partner: "deno",
    script: "error codes",
    why: "Deno's node:wasi takes a negative stdio fd; Node's refuses it with ERR_OUT_OF_RANGE, and so " +
      "does wasmrun",
    theirs: (o) =>
      (o as unknown as string[]).map((c) => c === "RangeError ERR_OUT_OF_RANGE" ? "no error" : c) as Outcome,
  },
];

const MS = 1_000_000n;

/** What a run saw of the clocks: every monotonic reading and every relative sleep asked for, in ns. */
interface Clocks {
  monotonic: bigint[];
  sleeps: bigint[];
}

/**
 * A partner's clock_sleep output, accepted as "slept long enough" when it woke early only by what a
 * millisecond timer allows: uvwasi (and Deno) turn a clock subscription into a timer of whole
 * milliseconds, measured on a millisecond loop clock, so the program can observe down to
 * (timeout - 1 ms - timeout mod 1 ms) of monotonic time, about 1 run in 100 of a 20 ms sleep.
 * Anything shorter still fails. Ours is held to the exact "long enough".
 */
function sleepAccepted(partner: Partner, o: Outcome, clocks: Clocks | undefined): Outcome {
  if (!o.stdout?.includes("slept too short")) return o;
  assert.ok(clocks && clocks.sleeps.length === 1 && clocks.monotonic.length === 2, `${partner}: clocks`);
  const asked = clocks.sleeps[0], seen = clocks.monotonic[1] - clocks.monotonic[0];
  const tolerance = MS + asked % MS;
  assert.ok(
    asked - seen <= tolerance,
    `${partner} slept ${seen} ns of ${asked}: shorter than ms timers explain`,
  );
  console.log(`${partner} woke ${asked - seen} ns early from a ${asked} ns sleep (within ${tolerance} ns)`);
  return { ...o, stdout: o.stdout.replace("slept too short", "slept long enough") };
}

// deno-lint-ignore no-explicit-any
type AnyWasi = any;
type WasiClass = new (options: object) => AnyWasi;

/** The imports, with clock_time_get and poll_oneoff recording into `clocks` (behaviour unchanged). */
function observed(wasi: AnyWasi, clocks: Clocks, memory: () => WebAssembly.Memory) {
  const base = wasi.getImportObject().wasi_snapshot_preview1;
  const view = () => new DataView(memory().buffer);
  return {
    wasi_snapshot_preview1: {
      ...base,
      clock_time_get(id: number, precision: bigint, at: number) {
        const errno = base.clock_time_get(id, precision, at);
        if (errno === 0 && id === 1) clocks.monotonic.push(view().getBigUint64(at, true));
        return errno;
      },
      poll_oneoff(subs: number, events: number, count: number, nevents: number) {
        for (let i = 0; i < count; i++) {
          const s = subs + i * 48; // tag at 8; clock: timeout at 24, flags at 40 (1: absolute)
          if (view().getUint8(s + 8) === 0 && (view().getUint16(s + 40, true) & 1) === 0) {
            clocks.sleeps.push(view().getBigUint64(s + 24, true));
          }
        }
        return base.poll_oneoff(subs, events, count, nevents);
      },
    },
  };
}

/** The escape program's outcome: which attempts succeeded, and what is outside afterwards. */
function escapeOutcome(o: Outcome, outside: string): Outcome {
  if (o.error !== undefined) return o;
  const succeeded = o.stdout!.split("\n")
    .filter((l) => /\b(OPENED|CREATED|MOVED|LINKED|REMOVED)$/.test(l))
    .map((l) =>
      l.replace(/\s+(OPENED|CREATED|MOVED|LINKED|REMOVED)$/, "").replace(/^(\w+)\s+/, "$1 ").trim()
    );
  return { code: o.code, succeeded, outside: listTree(outside) };
}

/** Runs `job` in this process on a node:wasi-shaped class, stdio on files (host fds). */
function runHere(W: WasiClass, job: Job): { outcome: Outcome; clocks?: Clocks } {
  const dir = mkdtempSync(join(Deno.realPathSync(Deno.env.get("TMPDIR") ?? "/tmp"), "wasi_cmp_"));
  const scene = job.scene === "escape" ? escapeScene() : undefined;
  const sandbox = job.scene === "empty" ? Deno.makeTempDirSync() : scene?.sandbox;
  const files = ["in", "out", "err"].map((n) => join(dir, n));
  writeFileSync(files[0], job.stdin ?? "");
  const fds = [openSync(files[0], "r"), openSync(files[1], "w"), openSync(files[2], "w")];
  const clocks = job.name === "clock_sleep" ? { monotonic: [], sleeps: [] } : undefined;
  try {
    const wasi = new W({
      version: "preview1",
      args: job.args ?? [job.name],
      env: job.env ?? {},
      preopens: sandbox ? { "/sandbox": sandbox } : {},
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
      returnOnExit: true,
    });
    const module = new WebAssembly.Module(Deno.readFileSync(`${FIXTURES}${job.name}.wasm`));
    // The memory exists only once the instance does; the observer asks for it at each call.
    const made: { instance?: WebAssembly.Instance } = {};
    const imports = clocks
      ? observed(wasi, clocks, () => made.instance!.exports.memory as WebAssembly.Memory)
      : wasi.getImportObject();
    const instance = made.instance = new WebAssembly.Instance(module, imports);
    const code = wasi.start(instance);
    const outcome = { code, stdout: readFileSync(files[1], "utf8"), stderr: readFileSync(files[2], "utf8") };
    return { outcome: scene ? escapeOutcome(outcome, scene.outside) : outcome, clocks };
  } catch (err) {
    return { outcome: { error: String(err) } };
  } finally {
    fds.forEach((fd) => closeSync(fd));
    rmSync(dir, { recursive: true, force: true });
    if (job.scene === "empty") rmSync(sandbox!, { recursive: true, force: true });
    if (scene) rmSync(scene.base, { recursive: true, force: true });
  }
}

/** Every job under Node's node:wasi, in one Node process. */
async function runNode(jobs: Job[]): Promise<{ outcome: Outcome; clocks?: Clocks }[]> {
  const scenes = jobs.map((j) => j.scene === "escape" ? escapeScene() : undefined);
  const sandboxes = jobs.map((j, i) => j.scene === "empty" ? Deno.makeTempDirSync() : scenes[i]?.sandbox);
  try {
    const input = JSON.stringify(jobs.map((j, i) => ({
      wasm: `${FIXTURES}${j.name}.wasm`,
      args: j.args ?? [j.name],
      env: j.env,
      stdin: j.stdin,
      preopens: sandboxes[i] ? { "/sandbox": sandboxes[i] } : undefined,
      observeClocks: j.name === "clock_sleep",
    })));
    const child = new Deno.Command("node", {
      args: ["--no-warnings", new URL("./fixtures/wasi/node_runner.mjs", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
    const results: (Outcome & { clocks?: { monotonic: string[]; sleeps: string[] } })[] = JSON.parse(
      new TextDecoder().decode((await child.output()).stdout),
    );
    return results.map(({ clocks, ...outcome }, i) => ({
      outcome: scenes[i] ? escapeOutcome(outcome, scenes[i]!.outside) : outcome,
      clocks: clocks && { monotonic: clocks.monotonic.map(BigInt), sleeps: clocks.sleeps.map(BigInt) },
    }));
  } finally {
    sandboxes.forEach((d, i) => d && !scenes[i] && rmSync(d, { recursive: true, force: true }));
    scenes.forEach((s) => s && rmSync(s.base, { recursive: true, force: true }));
  }
}

/** API scripts: what a program written for node:wasi sees of the class itself. */
const API_SCRIPTS: Record<string, (W: WasiClass) => unknown> = {
  "getImportObject per version": (W) =>
    (["preview1", "unstable"] as const).map((version) => {
      const imports = new W({ version }).getImportObject();
      return Object.keys(imports).map((ns) => [ns, Object.keys(imports[ns]).includes("fd_write")]);
    }),
  "wasiImport is the version's namespace": (W) => {
    const w = new W({ version: "unstable" });
    return w.wasiImport === w.getImportObject().wasi_unstable;
  },
  "error codes": (W) => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
        return "no error";
      } catch (e) {
        return `${(e as Error).name} ${(e as { code?: string }).code}`;
      }
    };
    const mem = () => new WebAssembly.Memory({ initial: 1 });
    const started = new W({ version: "preview1" });
    started.start({ exports: { memory: mem(), _start() {} } });
    return [
      codeOf(() => new W({ version: "x" })),
      codeOf(() => new W({ version: "preview1", args: "x" })),
      codeOf(() => new W({ version: "preview1", env: 5 })),
      codeOf(() => new W({ version: "preview1", preopens: 5 })),
      codeOf(() => new W({ version: "preview1", stdout: -1 })),
      codeOf(() => started.start({ exports: { memory: mem(), _start() {} } })),
      codeOf(() => started.initialize({ exports: { memory: mem() } })),
      codeOf(() => new W({ version: "preview1" }).finalizeBindings({ exports: {} })),
    ];
  },
  "finalizeBindings then call an export": (W) => {
    const bytes = wat(`(module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
      (import "env" "memory" (memory 1))
      (func (export "count") (result i32) (drop (call $sizes (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))`);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const wasi = new W({ version: "preview1", args: ["a", "b", "c"] });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      ...wasi.getImportObject(),
      env: { memory },
    });
    wasi.finalizeBindings(instance, { memory });
    return (instance.exports.count as () => number)();
  },
};

/** Compares one script's outcomes; returns what went wrong, or undefined. */
function compare(partner: Partner, script: string, ours: unknown, theirs: unknown): string | undefined {
  const listed = KNOWN_DIFFERENCES.filter((d) => d.partner === partner && d.script === script);
  if (listed.length === 0) {
    try {
      assert.deepEqual(theirs, ours);
      return undefined;
    } catch (e) {
      return `${partner}/${script}: a difference that KNOWN_DIFFERENCES does not list:\n${
        (e as Error).message
      }`;
    }
  }
  let expected = ours as Outcome;
  for (const d of listed) {
    const next = d.theirs(expected);
    try {
      assert.notDeepStrictEqual(next, expected);
    } catch {
      return `${partner}/${script}: the listed difference changes nothing (${d.why})`;
    }
    expected = next;
  }
  try {
    assert.deepEqual(theirs, expected);
    return undefined;
  } catch (e) {
    return `${partner}/${script}: not the listed differences (one gone, or another one):\n${
      (e as Error).message
    }`;
  }
}

function check(partner: Partner, outcomes: { outcome: Outcome; clocks?: Clocks }[]) {
  const ours = JOBS.map((job) => runHere(Ours as unknown as WasiClass, job));
  const problems: string[] = [];
  JOBS.forEach((job, i) => {
    const mine = ours[i].outcome;
    if (job.name === "clock_sleep") {
      assert.match(
        mine.stdout ?? "",
        /^slept long enough\n/,
        "wasmrun's host woke up before the sleep was over",
      );
    }
    if (job.name === "escape") assert.deepEqual(mine, OUR_ESCAPE, "wasmrun's host let the program out");
    const theirs = sleepAccepted(partner, outcomes[i].outcome, outcomes[i].clocks);
    const problem = compare(partner, job.name, mine, theirs);
    if (problem) problems.push(problem);
  });
  return problems;
}

Deno.test({
  name: "Node's node:wasi runs the same programs; every difference listed and explained",
  ignore: !hasNode,
  async fn() {
    const problems = check("node", await runNode(JOBS));
    assert.deepEqual(problems, []);
  },
});

Deno.test("Deno's node:wasi runs the same programs and API scripts; every difference listed and explained", () => {
  const Deno_ = DenoNodeWASI as unknown as WasiClass;
  const problems = check("deno", JOBS.map((job) => runHere(Deno_, job)));
  for (const [name, script] of Object.entries(API_SCRIPTS)) {
    const outcome = (W: WasiClass) => {
      try {
        return script(W);
      } catch (e) {
        return `threw ${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const problem = compare("deno", name, outcome(Ours as unknown as WasiClass), outcome(Deno_));
    if (problem) problems.push(problem);
  }
  assert.deepEqual(problems, []);
});

Deno.test("KNOWN_DIFFERENCES names only scripts that exist, each with a reason", () => {
  const scripts = new Set([...JOBS.map((j) => j.name), ...Object.keys(API_SCRIPTS)]);
  for (const d of KNOWN_DIFFERENCES) {
    assert.ok(scripts.has(d.script), `${d.partner}/${d.script}: no such script`);
    assert.ok(d.why.length > 20, `${d.partner}/${d.script}: say why`);
  }
});
