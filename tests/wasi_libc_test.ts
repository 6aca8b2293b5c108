/**
 * Real C programs (wasi-libc) for every WASI function, each printing what it got so the test
 * compares exact output: tests/fixtures/wasi/libc_*.c, wasi_only.c and proc_raise.c. Each runs on
 * both engines (wasmrun's, through the CLI in-process, and V8, through the WASI class) and on both
 * file system backends.
 *
 * The expected output of the libc_*.c programs is the Linux answer: the same source built natively
 * (clang-19), run on a fresh directory, is the oracle. Its output is committed as
 * tests/fixtures/wasi/<name>.expected after the few substitutions WASI or wasi-libc make
 * necessary, each listed below with its reason; when clang-19 is there, a test rebuilds the
 * native program and checks that the committed file is still exactly what it prints (set
 * WASI_LIBC_WRITE_EXPECTED=1 to rewrite the files from it instead). The host tree each program
 * leaves behind must be the native run's too (committed as <name>.tree, checked the same way). wasi_only.c and proc_raise.c reach what only
 * <wasi/api.h> reaches; their expected output follows from the WASI preview1 specification.
 */
import assert from "node:assert/strict";
import { cli, ENGINES } from "./cli_harness.ts";
import { FIXTURES, listTree, runWasi } from "./wasi_run.ts";
import { PREVIEW1_FUNCTIONS } from "../src/wasi/imports.ts";
import { skipIf } from "./skips.ts";

type Backend = "native" | "deno";
const BACKENDS: Backend[] = ["native", "deno"];

interface Difference {
  /** The line as the native program prints it (exactly once). */
  native: string;
  /** The line the WASI program prints instead. */
  wasi: string;
  why: string;
}

interface Program {
  name: string;
  /** Takes a base directory as argv[1] ("/sandbox" under WASI, a fresh directory natively). */
  base: boolean;
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Lines where WASI (or wasi-libc) differs from Linux. */
  wasi?: Difference[];
  /** Lines where the Deno backend differs from the native one (native line → deno line). */
  denoBackend?: Difference[];
}

const PROGRAMS: Program[] = [
  {
    name: "libc_paths",
    base: true,
    wasi: [{
      native: "getcwd: /t",
      wasi: "getcwd: /t/a/..",
      why: "wasi-libc emulates the working directory as the string chdir() was given, joined to the " +
        'previous one: after chdir("..") getcwd() says /t/a/.. (the same directory, not normalized). ' +
        "The host has no working directory at all.",
    }],
  },
  {
    name: "libc_fdops",
    base: true,
    stdin: "abc",
    wasi: [
      {
        native: "ftruncate stdout: EINVAL",
        wasi: "ftruncate stdout: EBADF",
        why: "stdio is a stream, not a file of the guest's: fd_filestat_set_size on it is EBADF (as in " +
          "wasmtime, and as docs/sandbox.md says), where Linux says EINVAL for a pipe.",
      },
      {
        native: "read on a directory: -1 EISDIR",
        wasi: "read on a directory: -1 EBADF",
        why: "fd_read on a directory is EBADF, as wasmtime gives it (docs/WASI_ERRNOS.md), where Linux " +
          "says EISDIR.",
      },
    ],
  },
  {
    name: "libc_times",
    base: true,
    denoBackend: [
      {
        native: "utimensat tl AT_SYMLINK_NOFOLLOW: ok",
        wasi: "utimensat tl AT_SYMLINK_NOFOLLOW: ENOTSUP",
        why: "Deno's utime follows symlinks: the Deno backend cannot set a link's own times (fs/deno.ts).",
      },
      {
        native: "lstat tl: atime=1600000000.625000000 mtime=1600000002.000000000",
        wasi: "lstat tl: unchanged",
        why: "(the same)",
      },
    ],
  },
  {
    name: "libc_clocks",
    base: false,
    wasi: ["process", "thread"].map((clock) => ({
      native: `${clock} getres: ok res=0.000000001`,
      wasi: `${clock} getres: ok res=0.000001000`,
      why: "The host's CPU time comes from process.cpuUsage(), in microseconds (clocks.ts), so it " +
        "reports a 1 µs resolution; Linux's CPU clocks report 1 ns.",
    })),
  },
  {
    name: "libc_misc",
    base: true,
    args: ["x", "é", "a b"],
    env: { T_EQ: "a=b", T_UTF: "é日", T_EMPTY: "" },
  },
];

function dirOf(prefix: string): string {
  return Deno.realPathSync(Deno.makeTempDirSync({ prefix }));
}

function programArgs(p: Program, base: string): string[] {
  return [...(p.base ? [base] : []), ...(p.args ?? [])];
}

/** What the WASI program must print on `backend`: the .expected file with the backend's lines. */
function expectedFor(p: Program, backend: Backend): string {
  let text = Deno.readTextFileSync(`${FIXTURES}${p.name}.expected`);
  if (backend === "deno") { for (const d of p.denoBackend ?? []) text = replaceLine(text, d.native, d.wasi); }
  return text;
}

function replaceLine(text: string, from: string, to: string): string {
  const lines = text.split("\n");
  const at = lines.flatMap((l, i) => (l === from ? [i] : []));
  assert.equal(at.length, 1, `the line ${JSON.stringify(from)} must be there exactly once`);
  lines[at[0]] = to;
  return lines.join("\n");
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  args: string[];
  env?: Record<string, string>;
  stdin?: string;
  dirs: Record<string, string>;
}

/** Runs a fixture on wasmrun's engine through the CLI, in-process. */
async function runCli(name: string, backend: Backend, options: RunOptions): Promise<Result> {
  const envFlags = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
  const dirFlags = Object.entries(options.dirs).flatMap(([guest, host]) => ["--dir", `${host}::${guest}`]);
  return await cli(
    ["exec", "--fs-backend", backend, ...dirFlags, ...envFlags, `${FIXTURES}${name}.wasm`, ...options.args],
    { stdin: options.stdin ?? "", engine: ENGINES[0][1] },
  );
}

/** Runs a fixture on V8 through the WASI class. */
function runV8(name: string, backend: Backend, options: RunOptions): Result {
  return runWasi(name, {
    args: [name, ...options.args],
    env: options.env,
    stdin: options.stdin ?? "",
    preopens: options.dirs,
    fsBackend: backend,
  });
}

for (const p of PROGRAMS) {
  for (const backend of BACKENDS) {
    Deno.test(`${p.name}.c on wasmrun and V8 [${backend} backend]: exact output, same host tree as Linux`, async () => {
      const want = expectedFor(p, backend);
      const wantTree = nativeTree(p);
      for (const engine of ["wasmrun", "V8"]) {
        const dir = dirOf(`wasi_libc_${p.name}_`);
        try {
          const options = {
            args: programArgs(p, "/sandbox"),
            env: p.env,
            stdin: p.stdin,
            dirs: { "/sandbox": dir },
          };
          const r = engine === "V8"
            ? runV8(p.name, backend, options)
            : await runCli(p.name, backend, options);
          assert.equal(r.stderr, "", `${engine}: stderr`);
          assert.equal(r.code, 0, `${engine}: exit status`);
          assert.equal(r.stdout, want, `${engine} [${backend}]`);
          if (wantTree !== undefined) {
            assert.deepEqual(listTree(dir), wantTree, `${engine}: the tree left behind`);
          }
        } finally {
          Deno.removeSync(dir, { recursive: true });
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The native oracle.

const CLANG = "clang-19";
const haveClang = (() => {
  try {
    return new Deno.Command(CLANG, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();
skipIf(
  !haveClang,
  "the 2 native-oracle tests (libc_*.c and raise(3) built for Linux)",
  `${CLANG} is not installed (LLVM's Debian package clang-19)`,
);

const nativeBuilds = new Map<string, string>();
const buildDirs: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const d of buildDirs) Deno.removeSync(d, { recursive: true });
});
function nativeBinary(name: string, source?: string): string {
  let bin = nativeBuilds.get(name);
  if (bin) return bin;
  const dir = dirOf("wasi_libc_native_");
  buildDirs.push(dir);
  bin = `${dir}/${name}`;
  const src = source === undefined ? `${FIXTURES}${name}.c` : `${dir}/${name}.c`;
  if (source !== undefined) Deno.writeTextFileSync(src, source);
  const out = new Deno.Command(CLANG, { args: ["-O2", "-w", "-o", bin, src], stderr: "piped" }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  nativeBuilds.set(name, bin);
  return bin;
}

interface NativeRun {
  code: number;
  stdout: string;
  tree?: string[];
}
const nativeRuns = new Map<string, NativeRun>();

/** The program built for Linux, run on a fresh directory, with the same arguments, env and stdin. */
async function runNative(p: Program): Promise<NativeRun> {
  const cached = nativeRuns.get(p.name);
  if (cached) return cached;
  const dir = dirOf(`wasi_libc_native_${p.name}_`);
  try {
    const child = new Deno.Command(nativeBinary(p.name), {
      args: programArgs(p, dir),
      clearEnv: true,
      env: p.env ?? {},
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(p.stdin ?? ""));
    await writer.close();
    const out = await child.output();
    assert.equal(new TextDecoder().decode(out.stderr), "", `${p.name} (native): stderr`);
    const run = {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      tree: p.base ? listTree(dir) : undefined,
    };
    nativeRuns.set(p.name, run);
    return run;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** The tree a native run left (committed as <name>.tree, checked by the oracle test). */
function nativeTree(p: Program): string[] | undefined {
  if (!p.base) return undefined;
  return Deno.readTextFileSync(`${FIXTURES}${p.name}.tree`).split("\n").filter((l) => l !== "");
}

/** The native output with the WASI differences applied: what the .expected file must say. */
function wasiFromNative(p: Program, native: string): string {
  let text = native;
  for (const d of p.wasi ?? []) text = replaceLine(text, d.native, d.wasi);
  return text;
}

const WRITE = Deno.env.get("WASI_LIBC_WRITE_EXPECTED") === "1";

Deno.test({
  name: "libc_*.c built natively for Linux print what the .expected files say (after the WASI differences)",
  ignore: !haveClang,
  async fn() {
    for (const p of PROGRAMS) {
      const run = await runNative(p);
      assert.equal(run.code, 0, `${p.name} (native) exit status`);
      const want = wasiFromNative(p, run.stdout);
      // The Deno-backend lines must exist in the native output too.
      for (const d of p.denoBackend ?? []) replaceLine(run.stdout, d.native, d.wasi);
      if (WRITE) {
        Deno.writeTextFileSync(`${FIXTURES}${p.name}.expected`, want);
        if (run.tree) Deno.writeTextFileSync(`${FIXTURES}${p.name}.tree`, run.tree.join("\n") + "\n");
        continue;
      }
      assert.equal(Deno.readTextFileSync(`${FIXTURES}${p.name}.expected`), want, p.name);
      if (run.tree) {
        const committed = Deno.readTextFileSync(`${FIXTURES}${p.name}.tree`).split("\n").filter((l) =>
          l !== ""
        );
        assert.deepEqual(committed, run.tree, `${p.name}.tree`);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// proc_raise: the exit status of a signal's default action.

/**
 * WASI signal number → what the process does: exits with 128 + the Linux signal number, or
 * returns 0 from proc_raise (the default action is to ignore the signal). WASI numbers the signals
 * as Linux does up to SIGTERM (15); from 16 on, Linux has SIGSTKFLT in between, so WASI n is Linux
 * n + 1. The stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) cannot stop a WASI process, so the
 * host ignores them (process.ts); they are not compared with Linux, where they would stop it.
 */
const SIGNALS: [wasi: number, linux: number | null, what: "terminates" | "ignored"][] = [
  [1, 1, "terminates"], // HUP
  [2, 2, "terminates"], // INT
  [3, 3, "terminates"], // QUIT
  [6, 6, "terminates"], // ABRT
  [9, 9, "terminates"], // KILL
  [10, 10, "terminates"], // USR1
  [11, 11, "terminates"], // SEGV
  [13, 13, "terminates"], // PIPE
  [14, 14, "terminates"], // ALRM
  [15, 15, "terminates"], // TERM
  [16, 17, "ignored"], // CHLD
  [17, 18, "ignored"], // CONT
  [18, null, "ignored"], // STOP
  [19, null, "ignored"], // TSTP
  [22, 23, "ignored"], // URG
  [23, 24, "terminates"], // XCPU
  [24, 25, "terminates"], // XFSZ
  [25, 26, "terminates"], // VTALRM
  [27, 28, "ignored"], // WINCH
  [28, 29, "terminates"], // POLL
  [29, 30, "terminates"], // PWR
  [30, 31, "terminates"], // SYS
];

function raiseExpected(wasi: number, linux: number | null, what: string): Result {
  return what === "terminates"
    ? { code: 128 + (linux ?? 0), stdout: `raising ${wasi}\n`, stderr: "" }
    : { code: 3, stdout: `raising ${wasi}\nproc_raise returned 0\n`, stderr: "" };
}

Deno.test("proc_raise.c on wasmrun and V8: a signal's default action, as the exit status", async () => {
  for (const [wasi, linux, what] of SIGNALS) {
    const want = raiseExpected(wasi, linux, what);
    const r = runWasi("proc_raise", { args: ["proc_raise", String(wasi)] });
    assert.deepEqual(r, want, `V8, signal ${wasi}`);
    const c = await runCli("proc_raise", "native", { args: [String(wasi)], dirs: {} });
    assert.deepEqual(c, want, `wasmrun, signal ${wasi}`);
  }
  // Signal 0 and numbers past SIGSYS: proc_raise returns (0, and EINVAL = 28).
  assert.deepEqual(runWasi("proc_raise", { args: ["p", "0"] }), {
    code: 3,
    stdout: "raising 0\nproc_raise returned 0\n",
    stderr: "",
  });
  assert.deepEqual(runWasi("proc_raise", { args: ["p", "31"] }), {
    code: 3,
    stdout: "raising 31\nproc_raise returned 28\n",
    stderr: "",
  });
});

const RAISE_NATIVE = `#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  printf("raising %s\\n", argv[1]);
  fflush(stdout);
  // The default action, whatever this process inherited (a shell's background job ignores SIGQUIT).
  signal(atoi(argv[2]), SIG_DFL);
  raise(atoi(argv[2]));
  printf("proc_raise returned 0\\n");
  return 3;
}
`;

Deno.test({
  name: "proc_raise: the exit statuses are Linux's for the same signals (raise(3) built natively)",
  ignore: !haveClang,
  async fn() {
    const bin = nativeBinary("raise_native", RAISE_NATIVE);
    for (const [wasi, linux, what] of SIGNALS) {
      if (linux === null) continue;
      const out = await new Deno.Command(bin, {
        args: [String(wasi), String(linux)],
        stdout: "piped",
        stderr: "null",
      })
        .output();
      const got = { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: "" };
      assert.deepEqual(got, raiseExpected(wasi, linux, what), `Linux signal ${linux} (WASI ${wasi})`);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// wasi_only.c: what only <wasi/api.h> reaches.

const T1 = "1000000000123456789", T2 = "1100000000987654321";
/** The expected output, on the native backend (times to the nanosecond). */
const WASI_ONLY = `prestat fd 3: tag=0 len=8 name=/sandbox (ok)
  dir_name into a buffer one byte short: ENAMETOOLONG
prestat fd 4: tag=0 len=6 name=/other (ok)
  dir_name into a buffer one byte short: ENAMETOOLONG
prestat fd 5: EBADF
prestat of stdout: EBADF
renumber a onto b: ok
write through a: EBADF
write through b: ok
renumber b onto 99 (not open): EBADF
renumber 98 onto b (not open): EBADF
renumber b onto itself: ok
fd_tell b: ok
  position 4
fd_tell stdout: ESPIPE
fd_tell /sandbox: EBADF
fd_tell a (closed by the renumber): EBADF
rights have FD_WRITE: 1 FD_READ: 1
drop FD_WRITE: ok
rights have FD_WRITE: 0 FD_READ: 1
fd_write without FD_WRITE: ENOTCAPABLE
write() without FD_WRITE: -1 Bad file descriptor
fd_read still allowed: ok
regain FD_WRITE: ENOTCAPABLE
gain an inheriting right: ENOTCAPABLE
drop FD_SEEK and FD_TELL: ok
fd_tell without FD_TELL: ENOTCAPABLE
lseek() without FD_SEEK: -1 Invalid seek
set_rights on closed fd 77: EBADF
fdstat flags after F_SETFL O_APPEND|O_NONBLOCK: APPEND=1 NONBLOCK=1 filetype=4
fdstat_set_flags unknown bit: EINVAL
fd set times ATIM|MTIM: ok
  : atim=${T1} mtim=${T2}
fd set times MTIM_NOW only: ok
  : atim=${T1} mtim=now
fd set times ATIM_NOW|MTIM: ok
  : atim=now mtim=${T2}
fd set times none: ok
  : atim=now mtim=${T2}
fd set times ATIM_NOW|MTIM_NOW: ok
  : atim=now mtim=now
fd set times ATIM|ATIM_NOW: EINVAL
fd set times MTIM|MTIM_NOW: EINVAL
fd set times unknown flag: EINVAL
fd set times on stdout: EBADF
path set times ATIM|MTIM: ok
  : atim=${T2} mtim=${T1}
path set times ATIM_NOW only: ok
  : atim=now mtim=${T1}
path set times MTIM_NOW|ATIM: ok
  : atim=${T1} mtim=now
path set times ATIM|ATIM_NOW: EINVAL
path set times missing: ENOENT
sock_accept /sandbox: ENOTSOCK
sock_accept closed fd 77: EBADF
sock_recv file: ENOTSOCK
sock_recv closed fd 77: EBADF
sock_send stdout: ENOTSOCK
sock_send closed fd 77: EBADF
sock_shutdown stdin: ENOTSOCK
sock_shutdown closed fd 77: EBADF
stdout moves to /other/stdout.txt
`;

/** The Deno backend reads times back in milliseconds (Deno.FileInfo dates): the sub-ms part is lost. */
function toMilliseconds(text: string): string {
  return text.replaceAll(/\b(\d{13})(\d{6})\b/g, (_, ms) => `${ms}000000`);
}

for (const backend of BACKENDS) {
  Deno.test(`wasi_only.c on wasmrun and V8 [${backend} backend]: prestat, renumber, rights, tell, set-times, sockets`, async () => {
    const want = backend === "deno" ? toMilliseconds(WASI_ONLY) : WASI_ONLY;
    for (const engine of ["wasmrun", "V8"]) {
      const sandbox = dirOf("wasi_only_"), other = dirOf("wasi_only_other_");
      try {
        const options = { args: [], dirs: { "/sandbox": sandbox, "/other": other } };
        const r = engine === "V8"
          ? runV8("wasi_only", backend, options)
          : await runCli("wasi_only", backend, options);
        assert.deepEqual(r, { code: 0, stdout: want, stderr: "" }, engine);
        // The renumbered descriptors wrote where they now point.
        assert.equal(Deno.readTextFileSync(`${sandbox}/a`), "A1A2");
        assert.equal(Deno.readTextFileSync(`${sandbox}/b`), "B1");
        assert.equal(
          Deno.readTextFileSync(`${other}/stdout.txt`),
          "renumber file onto stdout: ok\nthis line is in the file\nwrite to the old fd: EBADF\n",
        );
        assert.deepEqual(listTree(sandbox), ["a", "b", "g", "r"]);
      } finally {
        Deno.removeSync(sandbox, { recursive: true });
        Deno.removeSync(other, { recursive: true });
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------

Deno.test("every WASI function is called by one of these real programs (wasmrun --trace)", async () => {
  const called = new Set<string>();
  const runs: [string, string[], string?][] = [
    ...PROGRAMS.map((p): [string, string[], string?] => [p.name, programArgs(p, "/sandbox"), p.stdin]),
    ["libc_sync", ["/sandbox"]],
    ["wasi_only", []],
    ["proc_raise", ["15"]],
    ["proc_raise", ["16"]],
  ];
  for (const [name, args, stdin] of runs) {
    const sandbox = dirOf("wasi_trace_"), other = dirOf("wasi_trace_other_");
    try {
      const r = await cli(
        [
          "exec",
          "--trace",
          "--dir",
          `${sandbox}::/sandbox`,
          "--dir",
          `${other}::/other`,
          "--env",
          "T_A=1",
          `${FIXTURES}${name}.wasm`,
          ...args,
        ],
        { stdin: stdin ?? "" },
      );
      for (const m of r.stderr.matchAll(/^==> (\w+)\(/gm)) called.add(m[1]);
    } finally {
      Deno.removeSync(sandbox, { recursive: true });
      Deno.removeSync(other, { recursive: true });
    }
  }
  assert.deepEqual(PREVIEW1_FUNCTIONS.filter((f) => !called.has(f)), []);
});
