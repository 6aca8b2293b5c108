/**
 * Errno rules per WASI function and kind of descriptor, pinned where wasmrun agrees with wasmtime
 * (crates/wasi/src/p1.rs and its test programs crates/test-programs/src/bin/preview1_*.rs), and the
 * SYNC/DSYNC fdflags, checked against what the host really does (strace, or Deno's file API).
 *
 * The full table, with the rows where wasmrun differs from wasmtime and why, is docs/WASI_ERRNOS.md
 * (pinned row by row by tests/wasi_errno_table_test.ts).
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { Errno, FileType, Harness, R, RD, RW, SANDBOX_FD, testBoth } from "./wasi_harness.ts";
import { FIXTURES, runWasi } from "./wasi_run.ts";
import { missingPrerequisite } from "./spec/prerequisites.ts";

const CREAT = 1, DIRECTORY = 2, EXCL = 4;
const FD_APPEND = 1, FD_DSYNC = 2, FD_NONBLOCK = 4, FD_RSYNC = 8, FD_SYNC = 16;
const CLOSED = 99;

/** A harness with one descriptor of each kind: a file, the preopen, a subdirectory, stdio, a closed fd. */
function kinds(h: Harness): Record<string, number> {
  Deno.writeTextFileSync(h.host("file"), "0123456789");
  Deno.mkdirSync(h.host("sub"));
  return {
    file: h.mustOpen("file", { rights: RW }),
    preopen: SANDBOX_FD,
    subdir: h.mustOpen("sub", { oflags: DIRECTORY }),
    stdin: 0,
    stdout: 1,
    stderr: 2,
    closed: CLOSED,
  };
}

type Rule = Partial<Record<"file" | "preopen" | "subdir" | "stdin" | "stdout" | "stderr" | "closed", number>>;

/** Checks `call` on each kind of descriptor named in `rule`. */
function pin(
  fds: Record<string, number>,
  what: string,
  rule: Rule,
  call: (fd: number) => number,
) {
  for (const [kind, errno] of Object.entries(rule)) {
    assert.equal(call(fds[kind]), errno, `${what} on ${kind}`);
  }
}

const { SUCCESS: OK, BADF, SPIPE, INVAL, NOTDIR, NAMETOOLONG, NOTSOCK } = Errno;

testBoth("errno: fd_seek and fd_tell: directories EBADF, stdio ESPIPE (p1.rs get_seekable)", () => {
  using h = new Harness();
  const fds = kinds(h);
  const out = h.alloc(8);
  const rule: Rule = {
    file: OK,
    preopen: BADF,
    subdir: BADF,
    stdin: SPIPE,
    stdout: SPIPE,
    stderr: SPIPE,
    closed: BADF,
  };
  for (const whence of [0, 1, 2]) {
    pin(fds, `fd_seek whence ${whence}`, rule, (fd) => h.fn.fd_seek(fd, 0n, whence, out));
  }
  pin(fds, "fd_tell", rule, (fd) => h.fn.fd_tell(fd, out));
  // On a file: before byte 0 and an unknown whence are EINVAL, past the end is fine.
  assert.equal(h.fn.fd_seek(fds.file, -1n, 0, out), INVAL);
  assert.equal(h.fn.fd_seek(fds.file, -11n, 2, out), INVAL);
  assert.equal(h.fn.fd_seek(fds.file, 3n, 0, out), OK);
  assert.equal(h.fn.fd_seek(fds.file, -4n, 1, out), INVAL);
  assert.equal(h.fn.fd_seek(fds.file, 0n, 3, out), INVAL);
  assert.equal(h.fn.fd_seek(fds.file, 1000n, 1, out), OK);
  assert.equal(h.u64(out), 1003n);
  assert.equal(h.fn.fd_tell(fds.file, out), OK);
  assert.equal(h.u64(out), 1003n);
  // A failed seek leaves the position alone.
  assert.equal(h.fn.fd_seek(fds.file, -2000n, 1, out), INVAL);
  assert.equal(h.fn.fd_tell(fds.file, out), OK);
  assert.equal(h.u64(out), 1003n);
});

testBoth("errno: fd_read/fd_write/fd_pread/fd_pwrite on stdio, files and closed fds", () => {
  using h = new Harness({ stdin: "in" });
  const fds = kinds(h);
  const buf = h.alloc(4), iov = h.alloc(8), n = h.alloc(4);
  h.view.setUint32(iov, buf, true);
  h.view.setUint32(iov + 4, 4, true);
  pin(fds, "fd_read", { stdin: OK, file: OK, closed: BADF }, (fd) => h.fn.fd_read(fd, iov, 1, n));
  pin(
    fds,
    "fd_write",
    { stdout: OK, stderr: OK, file: OK, closed: BADF },
    (fd) => h.fn.fd_write(fd, iov, 1, n),
  );
  // Positional I/O on a stream is ESPIPE, on stdin (fd_pread) and on stdout/stderr (fd_pwrite).
  pin(fds, "fd_pread", { stdin: SPIPE, file: OK, closed: BADF }, (fd) => h.fn.fd_pread(fd, iov, 1, 0n, n));
  pin(
    fds,
    "fd_pwrite",
    { stdout: SPIPE, stderr: SPIPE, file: OK, closed: BADF },
    (fd) => h.fn.fd_pwrite(fd, iov, 1, 0n, n),
  );
});

testBoth("errno: descriptor metadata on every kind of descriptor", () => {
  using h = new Harness();
  const fds = kinds(h);
  const buf = h.alloc(64);
  const all: Rule = { file: OK, preopen: OK, subdir: OK, stdin: OK, stdout: OK, stderr: OK, closed: BADF };
  pin(fds, "fd_fdstat_get", all, (fd) => h.fn.fd_fdstat_get(fd, buf));
  pin(fds, "fd_filestat_get", all, (fd) => h.fn.fd_filestat_get(fd, buf));
  // Only preopens have a prestat.
  pin(fds, "fd_prestat_get", {
    preopen: OK,
    file: BADF,
    subdir: BADF,
    stdin: BADF,
    stdout: BADF,
    stderr: BADF,
    closed: BADF,
  }, (fd) => h.fn.fd_prestat_get(fd, buf));
  // set_size: files only; stdio is EBADF (wasmtime: get_file_fd), whatever rights it has.
  pin(
    fds,
    "fd_filestat_set_size",
    { file: OK, stdin: BADF, stdout: BADF, stderr: BADF, closed: BADF },
    (fd) => h.fn.fd_filestat_set_size(fd, 4n),
  );
  // set_times: files and directories, never stdio (wasmtime: get_fd).
  const NOW = 2 | 8;
  pin(fds, "fd_filestat_set_times", {
    file: OK,
    preopen: OK,
    subdir: OK,
    stdin: BADF,
    stdout: BADF,
    stderr: BADF,
    closed: BADF,
  }, (fd) => h.fn.fd_filestat_set_times(fd, 0n, 0n, NOW));
  for (const flags of [1 | 2, 4 | 8, 0x10]) {
    assert.equal(h.fn.fd_filestat_set_times(fds.file, 0n, 0n, flags), INVAL, `fstflags ${flags}`);
  }
  // sync, datasync, advise, set_flags on files; every one of them EBADF on a closed fd.
  pin(fds, "fd_sync", { file: OK, closed: BADF }, (fd) => h.fn.fd_sync(fd));
  pin(fds, "fd_datasync", { file: OK, closed: BADF }, (fd) => h.fn.fd_datasync(fd));
  for (let advice = 0; advice <= 5; advice++) {
    pin(fds, `fd_advise ${advice}`, { file: OK, closed: BADF }, (fd) => h.fn.fd_advise(fd, 0n, 10n, advice));
  }
  assert.equal(h.fn.fd_advise(fds.file, 0n, 10n, 6), INVAL);
  for (const flags of [0, FD_APPEND, FD_NONBLOCK, FD_APPEND | FD_NONBLOCK]) {
    pin(
      fds,
      `fd_fdstat_set_flags ${flags}`,
      { file: OK, closed: BADF },
      (fd) => h.fn.fd_fdstat_set_flags(fd, flags),
    );
  }
  pin(fds, "fd_fdstat_set_rights", { closed: BADF }, (fd) => h.fn.fd_fdstat_set_rights(fd, 0n, 0n));
  pin(fds, "fd_allocate", { closed: BADF }, (fd) => h.fn.fd_allocate(fd, 0n, 1n));
  pin(
    fds,
    "fd_readdir",
    { preopen: OK, subdir: OK, closed: BADF },
    (fd) => h.fn.fd_readdir(fd, buf, 64, 0n, buf),
  );
  pin(fds, "fd_renumber from", { closed: BADF }, (fd) => h.fn.fd_renumber(fd, fds.file));
  pin(fds, "fd_renumber to", { closed: BADF }, (fd) => h.fn.fd_renumber(fds.file, fd));
  // Advice leaves the file as it was (wasmtime's preview1_fd_advise).
  assert.equal(h.fn.fd_filestat_get(fds.file, buf), OK);
  assert.equal(h.u64(buf + 32), 4n);
});

testBoth(
  "errno: fd_close and fd_prestat_dir_name (preview1_close_preopen, preview1_dir_fd_op_failures)",
  () => {
    using h = new Harness();
    const fds = kinds(h);
    const buf = h.alloc(32);
    // The name into a buffer one byte short, and into a larger one (only the name is written).
    assert.equal(h.fn.fd_prestat_dir_name(SANDBOX_FD, buf, 7), NAMETOOLONG);
    assert.equal(h.fn.fd_prestat_dir_name(SANDBOX_FD, buf, 0), NAMETOOLONG);
    h.bytes.fill(0x7e, buf, buf + 32);
    assert.equal(h.fn.fd_prestat_dir_name(SANDBOX_FD, buf, 9), OK);
    assert.equal(h.text(buf, 9), "/sandbox~");
    assert.equal(h.fn.fd_prestat_dir_name(CLOSED, buf, 32), BADF);
    // Closing a preopen works; it is gone afterwards; closing twice is EBADF.
    assert.equal(h.fn.fd_close(fds.file), OK);
    assert.equal(h.fn.fd_close(fds.file), BADF);
    assert.equal(h.fn.fd_close(SANDBOX_FD), OK);
    assert.equal(h.fn.fd_fdstat_get(SANDBOX_FD, buf), BADF);
    assert.equal(h.fn.fd_fdstat_get(fds.subdir, buf), OK); // a directory opened from it stays open
    assert.equal(h.u8(buf), FileType.DIRECTORY);
    assert.equal(h.fn.fd_close(CLOSED), BADF);
  },
);

testBoth("errno: fd_renumber keeps the fdstat of the source (preview1_renumber)", () => {
  using h = new Harness();
  const from = h.mustOpen("file1", { oflags: CREAT, rights: R.READ | R.WRITE, fdflags: FD_APPEND });
  const to = h.mustOpen("file2", { oflags: CREAT, rights: RW });
  const before = h.alloc(24), after = h.alloc(24);
  assert.equal(h.fn.fd_fdstat_get(from, before), OK);
  assert.equal(h.fn.fd_renumber(from, to), OK);
  assert.equal(h.fn.fd_close(from), BADF);
  assert.equal(h.fn.fd_fdstat_get(to, after), OK);
  assert.deepEqual([...h.bytes.slice(after, after + 24)], [...h.bytes.slice(before, before + 24)]);
});

testBoth("errno: path functions on closed and non-directory descriptors", () => {
  using h = new Harness();
  const fds = kinds(h);
  const [p, n] = h.str("x");
  const out = h.alloc(64);
  // path_open below a file: ENOTDIR (preview1_path_open_dirfd_not_dir); below a closed fd: EBADF.
  pin(
    fds,
    "path_open",
    { file: NOTDIR, closed: BADF },
    (fd) => h.fn.path_open(fd, 0, p, n, CREAT, RW, RW, 0, out),
  );
  const calls: [string, (fd: number) => number][] = [
    ["path_create_directory", (fd) => h.fn.path_create_directory(fd, p, n)],
    ["path_filestat_get", (fd) => h.fn.path_filestat_get(fd, 0, p, n, out)],
    ["path_filestat_set_times", (fd) => h.fn.path_filestat_set_times(fd, 0, p, n, 0n, 0n, 2)],
    ["path_link (source)", (fd) => h.fn.path_link(fd, 0, p, n, SANDBOX_FD, p, n)],
    ["path_link (target)", (fd) => h.fn.path_link(SANDBOX_FD, 0, p, n, fd, p, n)],
    ["path_readlink", (fd) => h.fn.path_readlink(fd, p, n, out, 8, out + 8)],
    ["path_remove_directory", (fd) => h.fn.path_remove_directory(fd, p, n)],
    ["path_rename (source)", (fd) => h.fn.path_rename(fd, p, n, SANDBOX_FD, p, n)],
    ["path_rename (target)", (fd) => h.fn.path_rename(SANDBOX_FD, p, n, fd, p, n)],
    ["path_symlink", (fd) => h.fn.path_symlink(p, n, fd, p, n)],
    ["path_unlink_file", (fd) => h.fn.path_unlink_file(fd, p, n)],
  ];
  for (const [name, call] of calls) pin(fds, name, { closed: BADF }, call);
});

testBoth("errno: path_open (preview1_nofollow_errors, path_open_create_existing, path_open_missing)", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("file"), "f");
  Deno.mkdirSync(h.host("dir"));
  Deno.symlinkSync("dir", h.host("dir_link"));
  Deno.symlinkSync("file", h.host("file_link"));
  assert.equal(h.open("missing")[0], Errno.NOENT);
  assert.equal(h.open("missing", { oflags: DIRECTORY })[0], Errno.NOENT);
  assert.equal(h.open("file", { oflags: CREAT | EXCL, rights: RW })[0], Errno.EXIST);
  assert.equal(h.open("file", { oflags: DIRECTORY })[0], NOTDIR);
  assert.equal(h.open("file/")[0], NOTDIR);
  // A directory cannot be opened for writing.
  assert.equal(h.open(".", { oflags: DIRECTORY, rights: R.READ | R.WRITE })[0], Errno.ISDIR);
  assert.equal(h.open("dir", { rights: R.READ | R.WRITE })[0], Errno.ISDIR);
  // Without SYMLINK_FOLLOW a symlink is ELOOP (wasmtime accepts ELOOP or ENOTDIR with DIRECTORY).
  assert.equal(h.open("dir_link", { follow: false, oflags: DIRECTORY })[0], Errno.LOOP);
  assert.equal(h.open("dir_link", { follow: false })[0], Errno.LOOP);
  assert.equal(h.open("file_link", { follow: false })[0], Errno.LOOP);
  assert.equal(h.open("dir_link", { oflags: DIRECTORY })[0], OK);
  assert.equal(h.open("file_link", { oflags: DIRECTORY })[0], NOTDIR);
  assert.equal(h.open("file_link")[0], OK);
});

testBoth(
  "errno: directories, unlink, rename, links (preview1_remove_directory, unlink_file_trailing_slashes, path_rename, path_link, symlink_create)",
  () => {
    using h = new Harness();
    Deno.writeTextFileSync(h.host("file"), "f");
    Deno.mkdirSync(h.host("dir"));
    Deno.mkdirSync(h.host("full"));
    Deno.writeTextFileSync(h.host("full/x"), "x");
    Deno.mkdirSync(h.host("empty"));
    const call = (name: string, ...paths: string[]) => {
      const ps = paths.map((p) => h.str(p));
      switch (name) {
        case "mkdir":
          return h.fn.path_create_directory(SANDBOX_FD, ...ps[0]);
        case "rmdir":
          return h.fn.path_remove_directory(SANDBOX_FD, ...ps[0]);
        case "unlink":
          return h.fn.path_unlink_file(SANDBOX_FD, ...ps[0]);
        case "rename":
          return h.fn.path_rename(SANDBOX_FD, ...ps[0], SANDBOX_FD, ...ps[1]);
        case "link":
          return h.fn.path_link(SANDBOX_FD, 0, ...ps[0], SANDBOX_FD, ...ps[1]);
        case "symlink":
          return h.fn.path_symlink(...ps[0], SANDBOX_FD, ...ps[1]);
        case "readlink":
          return h.fn.path_readlink(SANDBOX_FD, ...ps[0], h.alloc(16), 16, h.alloc(4));
      }
      throw new Error(name);
    };
    const rules: [string, string[], number][] = [
      ["mkdir", ["dir"], Errno.EXIST],
      ["mkdir", ["file"], Errno.EXIST],
      ["mkdir", ["missing/dir"], Errno.NOENT],
      ["rmdir", ["file"], NOTDIR],
      ["rmdir", ["file/"], NOTDIR],
      ["rmdir", ["full"], Errno.NOTEMPTY],
      ["rmdir", ["missing"], Errno.NOENT],
      ["unlink", ["dir"], Errno.ISDIR],
      ["unlink", ["dir/"], Errno.ISDIR],
      ["unlink", ["file/"], NOTDIR],
      ["unlink", ["missing"], Errno.NOENT],
      ["rename", ["dir", "full"], Errno.NOTEMPTY],
      ["rename", ["dir", "full/x"], NOTDIR],
      ["rename", ["file", "dir"], Errno.ISDIR],
      ["rename", ["missing", "other"], Errno.NOENT],
      ["link", ["dir", "dir2"], Errno.PERM],
      ["link", ["file", "full/x"], Errno.EXIST],
      ["link", ["missing", "other"], Errno.NOENT],
      ["symlink", ["anything", "file"], Errno.EXIST],
      ["symlink", ["anything", "dir"], Errno.EXIST],
      ["readlink", ["file"], INVAL],
      ["readlink", ["dir"], INVAL],
      ["readlink", ["missing"], Errno.NOENT],
      // and the ones that work
      ["rename", ["dir", "empty"], OK],
      ["rename", ["file", "full/x"], OK],
      ["unlink", ["full/x"], OK],
      ["rmdir", ["full"], OK],
    ];
    for (const [name, paths, errno] of rules) {
      assert.equal(call(name, ...paths), errno, `${name} ${paths.join(" ")}`);
    }
    assert.ok(Deno.statSync(h.host("empty")).isDirectory);
    assert.throws(() => Deno.statSync(h.host("dir")));
  },
);

Deno.test("errno: clocks, poll_oneoff, sockets, sched_yield", () => {
  using h = new Harness();
  const out = h.alloc(64);
  for (const id of [4, 5, 255, -1]) {
    assert.equal(h.fn.clock_res_get(id, out), INVAL, `clock_res_get ${id}`);
    assert.equal(h.fn.clock_time_get(id, 0n, out), INVAL, `clock_time_get ${id}`);
  }
  for (const id of [0, 1]) {
    assert.equal(h.fn.clock_res_get(id, out), OK);
    assert.equal(h.fn.clock_time_get(id, 0n, out), OK);
  }
  assert.equal(h.fn.poll_oneoff(out, out, 0, out), INVAL); // preview1_poll_oneoff_files: empty poll
  for (const fd of [0, 1, 2, SANDBOX_FD]) {
    assert.equal(h.fn.sock_accept(fd, 0, out), NOTSOCK);
    assert.equal(h.fn.sock_recv(fd, out, 0, 0, out, out), NOTSOCK);
    assert.equal(h.fn.sock_send(fd, out, 0, 0, out), NOTSOCK);
    assert.equal(h.fn.sock_shutdown(fd, 3), NOTSOCK);
  }
  for (const fd of [CLOSED, 3000]) {
    assert.equal(h.fn.sock_accept(fd, 0, out), BADF);
    assert.equal(h.fn.sock_recv(fd, out, 0, 0, out, out), BADF);
    assert.equal(h.fn.sock_send(fd, out, 0, 0, out), BADF);
    assert.equal(h.fn.sock_shutdown(fd, 3), BADF);
  }
  assert.equal(h.fn.sched_yield(), OK);
});

// ---------------------------------------------------------------------------------------------
// SYNC / DSYNC fdflags: the host must really sync what it writes through such a descriptor.

/** Events on one host file, in order: W (a write), S (fsync), D (fdatasync). */
type Events = Record<string, string>;

/** What the host did to the files of directory `dir`, from an strace log (-f -y). */
function eventsFromStrace(log: string, dir: string): { events: Events; openFlags: Record<string, string> } {
  const events: Events = {}, openFlags: Record<string, string> = {};
  const esc = dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const call = new RegExp(
    `^(?:\\d+ +)?(write|pwrite64|writev|pwritev2?|fsync|fdatasync)\\(\\d+<${esc}/([^>/]+)>`,
  );
  const open = new RegExp(`^(?:\\d+ +)?openat\\([^,]+, "(?:${esc}/)?([^"/]+)", ([A-Z_|]+)`);
  for (const line of log.split("\n")) {
    const m = call.exec(line);
    if (m) {
      const kind = m[1] === "fsync" ? "S" : m[1] === "fdatasync" ? "D" : "W";
      events[m[2]] = (events[m[2]] ?? "") + kind;
      continue;
    }
    const o = open.exec(line);
    if (o && line.includes(dir)) openFlags[o[1]] = (openFlags[o[1]] ?? "") + o[2];
  }
  return { events, openFlags };
}

/**
 * libc_sync.c's files and the events each must show: every write through a SYNC descriptor is
 * followed by an fsync, through a DSYNC one by an fdatasync (or the stronger fsync); other writes
 * by nothing. An open with O_SYNC/O_DSYNC itself would be as good (the kernel syncs each write);
 * the host then needs no explicit sync for that file. fcntl(F_SETFL) cannot set O_SYNC on Linux,
 * so the switched file needs explicit syncs.
 */
const SYNC_EXPECTED: Record<string, { pattern: string; openFlag?: string }> = {
  sync_open: { pattern: "WSWSWSWS", openFlag: "O_SYNC" },
  dsync_open: { pattern: "WDWD", openFlag: "O_DSYNC" },
  switched: { pattern: "WWSWSWDWDWDW" },
  explicit: { pattern: "WWSD" },
  plain: { pattern: "WWWWW" },
};

function checkSyncEvents(events: Events, openFlags: Record<string, string>, where: string): void {
  for (const [file, { pattern, openFlag }] of Object.entries(SYNC_EXPECTED)) {
    const got = events[file] ?? "";
    const synced = openFlag !== undefined &&
      (openFlags[file] ?? "").split("|").some((f) => f === "O_SYNC" || f === openFlag);
    if (synced) {
      assert.equal(
        got.replace(/[SD]/g, ""),
        pattern.replace(/[SD]/g, ""),
        `${where} ${file} (opened ${openFlag})`,
      );
    } else {
      // fsync in place of fdatasync is allowed (it syncs more), never the other way round.
      const accept = new RegExp(`^${pattern.replaceAll("D", "[DS]")}$`);
      assert.match(got, accept, `${where} ${file}: host events ${got}, want ${pattern}`);
    }
  }
}

const haveStrace = (() => {
  try {
    return new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();
if (!haveStrace) {
  missingPrerequisite("strace", "the strace SYNC/DSYNC tests", "Debian package strace; .ci/run installs it");
}

for (const backend of ["native", "deno"] as const) {
  Deno.test({
    name: `SYNC/DSYNC fdflags [${backend}]: the host fsyncs/fdatasyncs every write through them (strace)`,
    ignore: !haveStrace,
    async fn() {
      const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_sync_" }));
      const log = `${dir}.strace`;
      try {
        const cli = new URL("../cli.ts", import.meta.url).pathname;
        const out = await new Deno.Command("strace", {
          args: [
            "-f",
            "-qq",
            "-y",
            "-e",
            "trace=write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,openat",
            "-o",
            log,
            Deno.execPath(),
            "run",
            "-A",
            cli,
            "exec",
            "--fs-backend",
            backend,
            "--dir",
            `${dir}::/sandbox`,
            `${FIXTURES}libc_sync.wasm`,
            "/sandbox",
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stdout = new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        // Each fcntl(F_SETFL, O_SYNC/O_DSYNC) either succeeded (then it must be honoured, checked
        // below) or was refused with EINVAL, as wasmtime does; wasmrun accepts them.
        assert.equal(
          stdout,
          [
            "open sync_open O_SYNC: ok",
            "pwrite sync_open: ok",
            "F_GETFL has O_SYNC: 1",
            "open dsync_open O_DSYNC: ok",
            "F_GETFL has O_DSYNC: 1",
            "F_SETFL O_SYNC: ok",
            "F_SETFL O_DSYNC: ok",
            "F_SETFL 0: ok",
            "fsync explicit: ok",
            "fdatasync explicit: ok",
            "done",
            "",
          ].join("\n"),
        );
        const { events, openFlags } = eventsFromStrace(Deno.readTextFileSync(log), dir);
        checkSyncEvents(events, openFlags, backend);
      } finally {
        Deno.removeSync(dir, { recursive: true });
        try {
          Deno.removeSync(log);
        } catch {
          // no log
        }
      }
    },
  });
}

Deno.test("SYNC/DSYNC fdflags [deno backend, no strace needed]: every write through them reaches syncSync/syncDataSync", () => {
  // The Deno backend syncs through Deno.FsFile; counting those calls (per inode) observes it.
  const proto = Deno.FsFile.prototype;
  const { syncSync, syncDataSync, writeSync } = proto;
  const log: { ino: number; kind: string }[] = [];
  const record = (file: Deno.FsFile, kind: string) => log.push({ ino: file.statSync().ino ?? -1, kind });
  const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_sync_" }));
  try {
    proto.syncSync = function (this: Deno.FsFile) {
      record(this, "S");
      return syncSync.call(this);
    };
    proto.syncDataSync = function (this: Deno.FsFile) {
      record(this, "D");
      return syncDataSync.call(this);
    };
    proto.writeSync = function (this: Deno.FsFile, p: Uint8Array) {
      record(this, "W");
      return writeSync.call(this, p);
    };
    const r = runWasi("libc_sync", {
      args: ["libc_sync", "/sandbox"],
      preopens: { "/sandbox": dir },
      fsBackend: "deno",
    });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    proto.syncSync = syncSync;
    proto.syncDataSync = syncDataSync;
    proto.writeSync = writeSync;
  }
  try {
    const events: Events = {};
    for (const name of Object.keys(SYNC_EXPECTED)) {
      const ino = Deno.statSync(`${dir}/${name}`).ino;
      events[name] = log.filter((e) => e.ino === ino).map((e) => e.kind).join("");
    }
    checkSyncEvents(events, {}, "deno (in process)");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

testBoth("SYNC/DSYNC fdflags set by path_open and fd_fdstat_set_flags are reported and kept per fd", () => {
  using h = new Harness();
  const st = h.alloc(24);
  for (const flags of [FD_SYNC, FD_DSYNC, FD_RSYNC, FD_SYNC | FD_DSYNC | FD_APPEND]) {
    const fd = h.mustOpen(`f${flags}`, { oflags: CREAT, rights: RW, fdflags: flags });
    assert.equal(h.fn.fd_fdstat_get(fd, st), OK);
    assert.equal(h.u16(st + 2), flags);
    assert.deepEqual(h.write(fd, "abc"), [OK, 3]);
    assert.equal(Deno.readTextFileSync(h.host(`f${flags}`)), "abc");
  }
  const plain = h.mustOpen("plain", { oflags: CREAT, rights: RW });
  assert.equal(h.fn.fd_fdstat_set_flags(plain, FD_DSYNC), OK);
  assert.equal(h.fn.fd_fdstat_get(plain, st), OK);
  assert.equal(h.u16(st + 2), FD_DSYNC);
  assert.equal(h.fn.fd_fdstat_set_flags(plain, 0x20), INVAL); // not an fdflag
  assert.equal(h.fn.fd_fdstat_get(plain, st), OK);
  assert.equal(h.u16(st + 2), FD_DSYNC);
  // A read-only descriptor with SYNC reads as usual.
  const ro = h.mustOpen("plain", { rights: RD, fdflags: FD_SYNC | FD_RSYNC });
  assert.deepEqual(h.read(ro, 10), [OK, ""]);
});

/*
 * Where wasmrun differs from current wasmtime, and why: docs/WASI_ERRNOS.md, whose every row (the
 * same and the different ones) tests/wasi_errno_table_test.ts pins.
 */
