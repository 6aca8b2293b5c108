/**
 * Resource caps a hostile guest must not get past, through the command line as a subprocess:
 *   5a poll_oneoff sleeping 20 s (and 2^64-1 ns) under --timeout 1s
 *   5b one fd_write of 256 iovecs × the same 8 MiB buffer (2 GiB), and of 16 Mi one-byte iovecs
 *   5c memory.grow to 61,440 pages (3.75 GiB) in 15 steps, and 1,023 one-page grows
 *   5d 65,532 directory opens without closing
 *   5e fd_filestat_set_times / set_size / allocate on stdio fds redirected to host files
 * Assertions are functional (exit status, output sizes) plus generous bounds on time and peak RSS
 * that only a broken host exceeds (each stated next to its check); the measured figures are printed.
 *
 * Peak RSS: the subprocess runs under GNU time (`/usr/bin/time -f %M`, the exact ru_maxrss of the
 * deno process from wait4). Without /usr/bin/time it is sampled from /proc/<pid>/status (VmHWM, the
 * kernel's own high-water mark, so a peak is never missed unless it comes in the last ~20 ms).
 * A ulimit -v cap is not used: V8 reserves far more address space than it touches.
 */
import assert from "node:assert/strict";
import {
  type Config,
  CONFIGS,
  denoArgs,
  ensureFixtures,
  label,
  type Layout,
  makeLayout,
  removeLayout,
  wasm,
} from "./attack_harness.ts";

await ensureFixtures();

const NATIVE_ALL = CONFIGS.find((c) => c.backend === "native" && c.perms === "all")!;
const DENO_ALL = CONFIGS.find((c) => c.backend === "deno" && c.perms === "all")!;

/** GNU time, unless WASMRUN_CAPS_NO_GNU_TIME=1 asks for the /proc sampling instead. */
const GNU_TIME = (() => {
  if (Deno.env.get("WASMRUN_CAPS_NO_GNU_TIME") === "1") return undefined;
  try {
    return Deno.statSync("/usr/bin/time").isFile ? "/usr/bin/time" : undefined;
  } catch {
    return undefined;
  }
})();

interface Measured {
  code: number;
  stdoutBytes: number;
  /** The first 64 KiB of stdout, as text. */
  stdoutHead: string;
  stderr: string;
  ms: number;
  peakRssKiB: number;
  rssSource: string;
  killed: boolean;
}

function vmHwmKiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Children of `pid` (so that the deno under /usr/bin/time can be killed too). */
function childrenOf(pid: number): number[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean).map(
      Number,
    );
  } catch {
    return [];
  }
}

/** Runs `deno <args>`, counting its stdout, measuring wall time and peak RSS, killing it after `limitMs`. */
async function measure(args: string[], limitMs: number): Promise<Measured> {
  const rssFile = GNU_TIME ? Deno.makeTempFileSync({ prefix: "wasmrun_rss_" }) : undefined;
  const [cmd, cmdArgs] = GNU_TIME
    ? [GNU_TIME, ["-f", "%M", "-o", rssFile!, Deno.execPath(), ...args]]
    : [Deno.execPath(), args];
  const t0 = performance.now();
  const child = new Deno.Command(cmd, { args: cmdArgs, stdin: "null", stdout: "piped", stderr: "piped" })
    .spawn();
  let killed = false, sampled = 0;
  const sampler = setInterval(() => {
    if (!GNU_TIME) sampled = Math.max(sampled, vmHwmKiB(child.pid) ?? 0);
  }, 20);
  const timer = setTimeout(() => {
    killed = true;
    for (const pid of childrenOf(child.pid)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, limitMs);
  let stdoutBytes = 0;
  const head: Uint8Array[] = [];
  let headBytes = 0;
  const counting = (async () => {
    for await (const chunk of child.stdout) {
      stdoutBytes += chunk.length;
      if (headBytes < 65536) {
        head.push(chunk.slice(0, 65536 - headBytes));
        headBytes += Math.min(chunk.length, 65536 - headBytes);
      }
    }
  })();
  const stderrText = new Response(child.stderr).text();
  const status = await child.status;
  await counting;
  const stderr = await stderrText;
  clearInterval(sampler);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  let peakRssKiB = sampled, rssSource = "VmHWM samples";
  if (rssFile) {
    const text = Deno.readTextFileSync(rssFile).trim().split("\n").pop() ?? "";
    Deno.removeSync(rssFile);
    peakRssKiB = Number(text) || 0;
    rssSource = "/usr/bin/time";
  }
  const bytes = new Uint8Array(headBytes);
  let at = 0;
  for (const c of head) {
    bytes.set(c, at);
    at += c.length;
  }
  // GNU time adds "Command terminated by signal" / "Command exited with non-zero status" lines.
  const cleanStderr = GNU_TIME ? stderr.replace(/^Command (terminated|exited) .*\n?/gm, "") : stderr;
  return {
    code: status.code,
    stdoutBytes,
    stdoutHead: new TextDecoder().decode(bytes),
    stderr: cleanStderr,
    ms,
    peakRssKiB,
    rssSource,
    killed,
  };
}

function show(what: string, cfg: Config, m: Measured): void {
  console.log(
    `  ${what} [${label(cfg)}]: exit ${m.code}${m.killed ? " (killed)" : ""}, ${
      (m.ms / 1000).toFixed(2)
    } s, ` +
      `peak RSS ${(m.peakRssKiB / 1024).toFixed(0)} MiB (${m.rssSource}), stdout ${m.stdoutBytes} bytes`,
  );
}

async function withLayout<T>(body: (l: Layout) => Promise<T>): Promise<T> {
  const l = makeLayout("wasmrun_caps_");
  try {
    return await body(l);
  } finally {
    removeLayout(l);
  }
}

Deno.test("cap 5a poll_oneoff with a 20 s (and a 2^64-1 ns) clock under --timeout 1s ends in a timeout trap", async () => {
  const runs = [NATIVE_ALL, DENO_ALL].flatMap((cfg) =>
    ["poll_sleep", "poll_forever"].map((p) => ({ cfg, p }))
  );
  const results = await Promise.all(
    runs.map(({ cfg, p }) =>
      withLayout(async (l) => ({
        cfg,
        p,
        m: await measure(denoArgs(cfg, l, wasm(p), ["--timeout", "1s"]), 15_000),
      }))
    ),
  );
  const problems: string[] = [];
  for (const { cfg, p, m } of results) {
    show(`5a ${p}`, cfg, m);
    const where = `${p} [${label(cfg)}]`;
    if (m.code !== 134) {
      problems.push(`${where}: exit ${m.code}${m.killed ? " (killed after 15 s)" : ""}, not 134`);
    }
    if (!/timeout/i.test(m.stderr)) {
      problems.push(`${where}: no "timeout" on stderr: ${m.stderr.slice(0, 300)}`);
    }
    // Loose functional bound: the timeout is 1 s, the sleep 20 s.
    if (m.ms >= 10_000) problems.push(`${where}: took ${(m.ms / 1000).toFixed(1)} s (bound 10 s)`);
    if (m.stdoutHead.includes("poll returned")) problems.push(`${where}: the poll returned to the guest`);
  }
  assert.deepEqual(problems, []);
});

// A host that gathers the iovecs of one call into one buffer needs the whole 2 GiB at once; one that
// writes them as they are needs little beyond the guest's memory (8 MiB, or 144 MiB for the 16 Mi
// iovec array and its buffer). Bound: peak RSS 1 GiB, 60 s.
Deno.test("cap 5b fd_write of 256 iovecs × one 8 MiB buffer (2 GiB) and of 16 Mi one-byte iovecs", async () => {
  const problems: string[] = [];
  for (const [mode, total] of [["big", 2 ** 31], ["many", 2 ** 24]] as const) {
    const m = await withLayout((l) => measure(denoArgs(NATIVE_ALL, l, wasm("big_iov"), [], [mode]), 120_000));
    show(`5b ${mode}`, NATIVE_ALL, m);
    console.log(`    guest: ${m.stderr.trim().replaceAll("\n", "; ")}`);
    if (m.code !== 0) {
      problems.push(`${mode}: exit ${m.code}${m.killed ? " (killed)" : ""}: ${m.stderr.slice(0, 300)}`);
    }
    if (m.stdoutBytes !== total) {
      problems.push(`${mode}: ${m.stdoutBytes} bytes on stdout, expected ${total}`);
    }
    if (!m.stderr.includes(`total=${total} `)) {
      problems.push(`${mode}: the guest did not report total=${total}`);
    }
    if (m.peakRssKiB > 1024 * 1024) problems.push(`${mode}: peak RSS ${m.peakRssKiB} KiB (bound 1 GiB)`);
    if (m.peakRssKiB <= 0) problems.push(`${mode}: no peak RSS measured (${m.rssSource})`);
    if (m.ms > 60_000) problems.push(`${mode}: took ${(m.ms / 1000).toFixed(1)} s (bound 60 s)`);
  }
  assert.deepEqual(problems, []);
});

// The guest touches one byte per 256 MiB step (or per page): a host that keeps memory lazily
// committed stays small; one that copies the whole memory on every grow touches all of it (3.75 GiB
// and more resident, 26 GiB copied). Bounds: 3.75 GiB case 2 GiB RSS and 20 s; 1,023 grows 1 GiB, 10 s.
Deno.test("cap 5c memory.grow to 61,440 pages (3.75 GiB) in 15 steps, and 1,023 one-page grows", async () => {
  const problems: string[] = [];
  for (
    const [name, pages, rssBound, msBound] of [
      ["grow_big", 61440, 2 * 1024 * 1024, 20_000],
      ["grow_small", 1024, 1024 * 1024, 10_000],
    ] as const
  ) {
    const m = await withLayout((l) => measure(denoArgs(NATIVE_ALL, l, wasm(name), []), 90_000));
    show(`5c ${name}`, NATIVE_ALL, m);
    if (m.code !== 0) {
      problems.push(`${name}: exit ${m.code}${m.killed ? " (killed)" : ""}: ${m.stderr.slice(0, 300)}`);
    }
    if (m.stdoutHead !== `pages=${pages}\n`) {
      problems.push(`${name}: printed ${JSON.stringify(m.stdoutHead)}`);
    }
    if (m.peakRssKiB > rssBound) {
      problems.push(`${name}: peak RSS ${m.peakRssKiB} KiB (bound ${rssBound} KiB)`);
    }
    if (m.ms > msBound) {
      problems.push(`${name}: took ${(m.ms / 1000).toFixed(1)} s (bound ${msBound / 1000} s)`);
    }
  }
  assert.deepEqual(problems, []);
});

// The host may cap the table (the native backend holds a host fd per directory, under the process's
// RLIMIT_NOFILE): the guest must then get EMFILE/ENFILE and go on, and everything must work again
// once it closes them. Bounds: at least 1,000 opens succeed; 45 s (a runaway bound, not a speed test: the
// run takes 5–17 s here depending on the load, and the child is killed at 90 s).
Deno.test("cap 5d 65,532 directory opens without closing", async () => {
  const problems: string[] = [];
  for (const cfg of [NATIVE_ALL, DENO_ALL]) {
    const m = await withLayout((l) =>
      measure(denoArgs(cfg, l, wasm("many_dirs"), ["--dir", `${l.pre}::/sandbox`]), 90_000)
    );
    show("5d many_dirs", cfg, m);
    console.log(`    guest: ${m.stdoutHead.trim().replaceAll("\n", "; ")}`);
    const where = `[${label(cfg)}]`;
    const r = /opened=(\d+) failed=(\d+) firsterr=(\S+)/.exec(m.stdoutHead);
    if (m.code !== 0) {
      problems.push(`${where}: exit ${m.code}${m.killed ? " (killed)" : ""}: ${m.stderr.slice(0, 300)}`);
    }
    if (!r) problems.push(`${where}: no report`);
    else {
      if (Number(r[1]) < 1000) problems.push(`${where}: only ${r[1]} opens succeeded`);
      if (Number(r[2]) > 0 && !["EMFILE", "ENFILE"].includes(r[3])) {
        problems.push(`${where}: first failure ${r[3]}`);
      }
      if (Number(r[1]) + Number(r[2]) !== 65532) problems.push(`${where}: ${r[1]} + ${r[2]} attempts`);
    }
    if (!/^closed=\d+ close_errors=0 /m.test(m.stdoutHead)) problems.push(`${where}: closing failed`);
    if (!/^open file after closing: ok$/m.test(m.stdoutHead)) {
      problems.push(`${where}: could not open a file afterwards`);
    }
    if (m.ms > 45_000) problems.push(`${where}: took ${(m.ms / 1000).toFixed(1)} s (bound 45 s)`);
  }
  assert.deepEqual(problems, []);
});

Deno.test("cap 5e set_times / set_size / allocate on stdio redirected to host files change nothing", async () => {
  const problems: string[] = [];
  for (const cfg of [NATIVE_ALL, DENO_ALL]) {
    await withLayout(async (l) => {
      // The files stdin and stdout are redirected to, outside the preopen, with a known past mtime.
      const input = `${l.tmp}/stdin.txt`, output = `${l.tmp}/stdout.txt`;
      Deno.writeTextFileSync(input, "input line\n");
      Deno.writeTextFileSync(output, "existing output\n");
      const past = new Date("2001-01-01T00:00:00Z");
      Deno.utimeSync(input, past, past);
      Deno.utimeSync(output, past, past);
      const before = [input, output].map((p) => ({
        p,
        st: Deno.statSync(p),
        text: Deno.readTextFileSync(p),
      }));
      // `exec deno … <in >>out`: the CLI's own fds 0 and 1 are the files (Deno.Command pipes would not be).
      const child = new Deno.Command("sh", {
        args: [
          "-c",
          'in=$1; out=$2; shift 2; exec "$@" <"$in" >>"$out"',
          "sh",
          input,
          output,
          Deno.execPath(),
          ...denoArgs(cfg, l, wasm("stdio_meta"), []),
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });
      const out = await child.output();
      const stderr = new TextDecoder().decode(out.stderr);
      console.log(
        `  5e stdio_meta [${label(cfg)}]: exit ${out.code}; ${stderr.trim().replaceAll("\n", "; ")}`,
      );
      const where = `[${label(cfg)}]`;
      if (out.code !== 0) problems.push(`${where}: exit ${out.code}: ${stderr.slice(0, 300)}`);
      if (!/^done$/m.test(stderr)) problems.push(`${where}: the guest did not finish`);
      for (const { p, st, text } of before) {
        const now = Deno.statSync(p);
        const name = p.slice(l.tmp.length + 1);
        if (now.mtime?.getTime() !== st.mtime?.getTime()) {
          problems.push(`${where}: ${name} mtime ${st.mtime?.toISOString()} -> ${now.mtime?.toISOString()}`);
        }
        if (now.size !== st.size) problems.push(`${where}: ${name} size ${st.size} -> ${now.size}`);
        if (Deno.readTextFileSync(p) !== text) problems.push(`${where}: ${name} content changed`);
      }
    });
  }
  assert.deepEqual(problems, []);
});
