/**
 * Pins every row of docs/WASI_ERRNOS.md: the errno wasmrun returns for each WASI preview1
 * function and error condition, next to the one wasmtime returns (crates/wasi/src/p1.rs).
 *
 * The document is the source: this file parses its table, runs the probe named by each row's id
 * on every file system backend, and checks that
 * - the result is the row's "wasmrun" column (a cell may name a different result for the deno
 *   backend as `X (deno: Y)`);
 * - a row marked `same` or `fixed` has wasmtime's errno, one marked `differs` has not (so a
 *   change on either side shows up as a failing row, not as a silently stale table);
 * - every row has a probe and every probe a row, every preview1 function has rows, and the
 *   document's summary line has the right counts.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { Errno, Harness, R, RD, RO_FD, RW, SANDBOX_FD, testBoth } from "./wasi_harness.ts";
import { WasiExit } from "../src/wasi/errors.ts";
import { PREVIEW1_FUNCTIONS } from "../src/wasi/imports.ts";

const DOC = new URL("../docs/WASI_ERRNOS.md", import.meta.url);

interface Row {
  id: string;
  fn: string;
  condition: string;
  wasmtime: string;
  ours: string;
  status: string;
}

/** The rows of the document's tables (every line `| \`id\` | … |` with six cells). */
function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("| `")) continue;
    const cells = line.slice(1, -1).split(" | ").map((c) => c.trim());
    assert.equal(cells.length, 6, `a row has six cells: ${line}`);
    const [id, fn, condition, wasmtime, ours, status] = cells.map((c) => c.replace(/^`|`$/g, ""));
    rows.push({ id, fn, condition, wasmtime, ours, status });
  }
  return rows;
}

/** An errno name (`EBADF`, `SUCCESS`) as its number; other results (`trap`, `exit 138`) as text. */
function resultOf(name: string): number | string {
  if (name === "SUCCESS") return Errno.SUCCESS;
  const m = /^E([A-Z2]+)$/.exec(name);
  if (m) {
    const key = m[1] === "2BIG" ? "TOOBIG" : m[1];
    const n = (Errno as Record<string, number>)[key];
    assert.ok(n !== undefined, `unknown errno ${name}`);
    return n;
  }
  return name;
}

/** The expected result on `backend`: `X` or `X (deno: Y)`. */
function oursOn(cell: string, backend: "native" | "deno"): string {
  const m = /^(\S+) \(deno: (\S+)\)$/.exec(cell);
  if (!m) return cell;
  return backend === "deno" ? m[2] : m[1];
}

function nameOf(result: number | string): string {
  if (typeof result === "string") return result;
  if (result === 0) return "SUCCESS";
  const key = Object.entries(Errno).find(([, v]) => v === result)?.[0];
  return key === "TOOBIG" ? "E2BIG" : `E${key}`;
}

// ---------------------------------------------------------------------------------------------
// The probes: one per row, each on a fresh sandbox.

const CLOSED = 99;
const CREAT = 1, DIRECTORY = 2, EXCL = 4;
const ATIM = 1, ATIM_NOW = 2, MTIM = 4;

/** A sandbox with one of everything, and helpers to call the functions with exact arguments. */
class Env {
  readonly h: Harness;
  readonly file: number;
  readonly ro: number;
  readonly wo: number;
  readonly subdir: number;
  readonly out: number;

  constructor() {
    this.h = new Harness({ readOnlyPreopen: true, stdin: "in" });
    const h = this.h;
    Deno.writeTextFileSync(h.host("file"), "0123456789");
    Deno.mkdirSync(h.host("dir"));
    Deno.writeTextFileSync(h.host("dir/x"), "x");
    Deno.mkdirSync(h.host("empty"));
    Deno.symlinkSync("file", h.host("link"));
    Deno.writeTextFileSync(`${h.roRoot}/rofile`, "ro");
    this.file = h.mustOpen("file", { rights: RW });
    this.ro = h.mustOpen("file", { rights: RD });
    this.wo = h.mustOpen("file", { rights: R.WRITE | R.SEEK | R.TELL | R.FILESTAT_GET });
    this.subdir = h.mustOpen("dir", { oflags: DIRECTORY });
    this.out = h.alloc(256);
  }

  get fn() {
    return this.h.fn;
  }

  /** An iovec array of one 8-byte buffer: [iovs, nPtr]. */
  iov(): [number, number] {
    const buf = this.h.alloc(8), iov = this.h.alloc(8), n = this.h.alloc(4);
    this.h.view.setUint32(iov, buf, true);
    this.h.view.setUint32(iov + 4, 8, true);
    return [iov, n];
  }
  read(fd: number): number {
    return this.fn.fd_read(fd, ...this.iov());
  }
  write(fd: number): number {
    return this.fn.fd_write(fd, ...this.iov());
  }
  pread(fd: number): number {
    const [iov, n] = this.iov();
    return this.fn.fd_pread(fd, iov, 1, 0n, n);
  }
  pwrite(fd: number): number {
    const [iov, n] = this.iov();
    return this.fn.fd_pwrite(fd, iov, 1, 0n, n);
  }
  /** A path function taking (fd, path, len). */
  path(name: string, path: string, fd = SANDBOX_FD): number {
    return this.h.pathCall(name, path, fd);
  }
  open(path: string, opts: Parameters<Harness["open"]>[1] = {}): number {
    return this.h.open(path, opts)[0];
  }
  stat(path: string, flags = 1, fd = SANDBOX_FD): number {
    const [p, n] = this.h.str(path);
    return this.fn.path_filestat_get(fd, flags, p, n, this.out);
  }
  setTimes(path: string, follow: boolean, flags = MTIM, fd = SANDBOX_FD): number {
    const [p, n] = this.h.str(path);
    return this.fn.path_filestat_set_times(fd, follow ? 1 : 0, p, n, 0n, 1_000_000_000_123n, flags);
  }
  link(from: string, to: string, fromFd = SANDBOX_FD): number {
    const [p, n] = this.h.str(from), [q, m] = this.h.str(to);
    return this.fn.path_link(fromFd, 0, p, n, SANDBOX_FD, q, m);
  }
  rename(from: string, to: string, fromFd = SANDBOX_FD): number {
    const [p, n] = this.h.str(from), [q, m] = this.h.str(to);
    return this.fn.path_rename(fromFd, p, n, SANDBOX_FD, q, m);
  }
  symlink(target: string, at: string, fd = SANDBOX_FD): number {
    const [p, n] = this.h.str(target), [q, m] = this.h.str(at);
    return this.fn.path_symlink(p, n, fd, q, m);
  }
  readlink(path: string, fd = SANDBOX_FD): number {
    const [p, n] = this.h.str(path);
    return this.fn.path_readlink(fd, p, n, this.out, 64, this.out + 64);
  }
  /** poll_oneoff of the given subscriptions (48 bytes each, preview1 layout). */
  poll(subs: ({ clock: bigint; id?: number } | { read: number } | { type: number })[]): number {
    const h = this.h;
    const inPtr = h.alloc(48 * subs.length), outPtr = h.alloc(32 * subs.length), nPtr = h.alloc(4);
    subs.forEach((s, i) => {
      const at = inPtr + 48 * i;
      h.view.setBigUint64(at, BigInt(i), true);
      if ("clock" in s) {
        h.view.setUint8(at + 8, 0);
        h.view.setUint32(at + 16, s.id ?? 1, true);
        h.view.setBigUint64(at + 24, s.clock, true);
      } else if ("read" in s) {
        h.view.setUint8(at + 8, 1);
        h.view.setUint32(at + 16, s.read, true);
      } else {
        h.view.setUint8(at + 8, s.type);
      }
    });
    return this.fn.poll_oneoff(inPtr, outPtr, subs.length, nPtr);
  }
  /** proc_exit: `exit N` as it unwinds. */
  exit(code: number): string {
    try {
      this.fn.proc_exit(code);
    } catch (err) {
      if (err instanceof WasiExit) return `exit ${err.code}`;
      throw err;
    }
    return "returned";
  }
  /** proc_raise: its errno, or `exit N` when the signal ends the program. */
  raise(sig: number): number | string {
    try {
      return this.fn.proc_raise(sig);
    } catch (err) {
      if (err instanceof WasiExit) return `exit ${err.code}`;
      throw err;
    }
  }
}

type Probe = (e: Env) => number | string;

const PROBES: Record<string, Probe> = {
  // process
  "args.sizes": (e) => e.fn.args_sizes_get(e.out, e.out + 4),
  "args.get": (e) => e.fn.args_get(e.out, e.out + 64),
  "environ.sizes": (e) => e.fn.environ_sizes_get(e.out, e.out + 4),
  "environ.get": (e) => e.fn.environ_get(e.out, e.out + 64),
  "memory.oob": (e) => e.fn.args_sizes_get(e.h.memory.buffer.byteLength - 2, e.out),
  "clock_res.realtime": (e) => e.fn.clock_res_get(0, e.out),
  "clock_res.monotonic": (e) => e.fn.clock_res_get(1, e.out),
  "clock_res.cputime": (e) => e.fn.clock_res_get(2, e.out),
  "clock_res.unknown": (e) => e.fn.clock_res_get(4, e.out),
  "clock_time.realtime": (e) => e.fn.clock_time_get(0, 1n, e.out),
  "clock_time.monotonic": (e) => e.fn.clock_time_get(1, 1n, e.out),
  "clock_time.cputime": (e) => e.fn.clock_time_get(3, 1n, e.out),
  "clock_time.unknown": (e) => e.fn.clock_time_get(4, 1n, e.out),
  "random_get.ok": (e) => e.fn.random_get(e.out, 32),
  "sched_yield.ok": (e) => e.fn.sched_yield(),
  "proc_exit.ok": (e) => e.exit(3),
  "proc_exit.large": (e) => e.exit(200),
  "proc_raise.none": (e) => e.raise(0),
  "proc_raise.terminating": (e) => e.raise(10), // SIGUSR1
  "proc_raise.invalid": (e) => e.raise(99),

  // fd_advise
  "fd_advise.file": (e) => e.fn.fd_advise(e.file, 0n, 10n, 1),
  "fd_advise.dir": (e) => e.fn.fd_advise(e.subdir, 0n, 10n, 1),
  "fd_advise.stdio": (e) => e.fn.fd_advise(1, 0n, 10n, 1),
  "fd_advise.closed": (e) => e.fn.fd_advise(CLOSED, 0n, 10n, 1),
  "fd_advise.bad_advice": (e) => e.fn.fd_advise(CLOSED, 0n, 10n, 6),
  "fd_advise.negative_len": (e) => e.fn.fd_advise(e.file, 0n, -1n, 1),
  // fd_allocate
  "fd_allocate.file": (e) => e.fn.fd_allocate(e.file, 0n, 20n),
  "fd_allocate.dir": (e) => e.fn.fd_allocate(e.subdir, 0n, 20n),
  "fd_allocate.stdio": (e) => e.fn.fd_allocate(1, 0n, 20n),
  "fd_allocate.closed": (e) => e.fn.fd_allocate(CLOSED, 0n, 20n),
  // fd_close
  "fd_close.file": (e) => e.fn.fd_close(e.file),
  "fd_close.twice": (e) => (e.fn.fd_close(e.file), e.fn.fd_close(e.file)),
  "fd_close.preopen": (e) => e.fn.fd_close(SANDBOX_FD),
  "fd_close.stdin": (e) => e.fn.fd_close(0),
  // fd_datasync
  "fd_datasync.file": (e) => e.fn.fd_datasync(e.file),
  "fd_datasync.readonly": (e) => e.fn.fd_datasync(e.ro),
  "fd_datasync.dir": (e) => e.fn.fd_datasync(e.subdir),
  "fd_datasync.stdio": (e) => e.fn.fd_datasync(1),
  "fd_datasync.closed": (e) => e.fn.fd_datasync(CLOSED),
  // fd_fdstat_get
  "fd_fdstat_get.any": (e) =>
    Math.max(...[e.file, e.subdir, SANDBOX_FD, 0, 1, 2].map((fd) => e.fn.fd_fdstat_get(fd, e.out))),
  "fd_fdstat_get.closed": (e) => e.fn.fd_fdstat_get(CLOSED, e.out),
  // fd_fdstat_set_flags
  "fd_fdstat_set_flags.append": (e) => e.fn.fd_fdstat_set_flags(e.file, 1),
  "fd_fdstat_set_flags.sync": (e) => e.fn.fd_fdstat_set_flags(e.file, 16),
  "fd_fdstat_set_flags.dir": (e) => e.fn.fd_fdstat_set_flags(e.subdir, 0),
  "fd_fdstat_set_flags.stdio": (e) => e.fn.fd_fdstat_set_flags(0, 4),
  "fd_fdstat_set_flags.unknown": (e) => e.fn.fd_fdstat_set_flags(CLOSED, 0x20),
  "fd_fdstat_set_flags.closed": (e) => e.fn.fd_fdstat_set_flags(CLOSED, 0),
  // fd_fdstat_set_rights
  "fd_fdstat_set_rights.drop": (e) => e.fn.fd_fdstat_set_rights(e.file, R.READ, 0n),
  "fd_fdstat_set_rights.gain": (e) => e.fn.fd_fdstat_set_rights(e.ro, R.WRITE, 0n),
  "fd_fdstat_set_rights.closed": (e) => e.fn.fd_fdstat_set_rights(CLOSED, 0n, 0n),
  // fd_filestat_get
  "fd_filestat_get.any": (e) =>
    Math.max(...[e.file, e.subdir, 0, 1].map((fd) => e.fn.fd_filestat_get(fd, e.out))),
  "fd_filestat_get.closed": (e) => e.fn.fd_filestat_get(CLOSED, e.out),
  // fd_filestat_set_size
  "fd_filestat_set_size.file": (e) => e.fn.fd_filestat_set_size(e.file, 4n),
  "fd_filestat_set_size.readonly": (e) => e.fn.fd_filestat_set_size(e.ro, 4n),
  "fd_filestat_set_size.dir": (e) => e.fn.fd_filestat_set_size(e.subdir, 4n),
  "fd_filestat_set_size.stdio": (e) => e.fn.fd_filestat_set_size(1, 4n),
  "fd_filestat_set_size.closed": (e) => e.fn.fd_filestat_set_size(CLOSED, 4n),
  "fd_filestat_set_size.ro_preopen": (e) =>
    e.fn.fd_filestat_set_size(e.h.mustOpen("rofile", { dirFd: RO_FD }), 0n),
  // fd_filestat_set_times
  "fd_filestat_set_times.file": (e) => e.fn.fd_filestat_set_times(e.file, 0n, 5n, MTIM),
  "fd_filestat_set_times.dir": (e) => e.fn.fd_filestat_set_times(e.subdir, 0n, 5n, MTIM),
  "fd_filestat_set_times.stdio": (e) => e.fn.fd_filestat_set_times(1, 0n, 5n, MTIM),
  "fd_filestat_set_times.closed": (e) => e.fn.fd_filestat_set_times(CLOSED, 0n, 5n, MTIM),
  "fd_filestat_set_times.both": (e) => e.fn.fd_filestat_set_times(e.file, 0n, 5n, ATIM | ATIM_NOW),
  "fd_filestat_set_times.unknown": (e) => e.fn.fd_filestat_set_times(CLOSED, 0n, 5n, 0x10),
  "fd_filestat_set_times.ro_preopen": (e) =>
    e.fn.fd_filestat_set_times(e.h.mustOpen("rofile", { dirFd: RO_FD }), 0n, 5n, MTIM),
  // fd_pread / fd_pwrite
  "fd_pread.file": (e) => e.pread(e.file),
  "fd_pread.stdin": (e) => e.pread(0),
  "fd_pread.stdout": (e) => e.pread(1),
  "fd_pread.dir": (e) => e.pread(e.subdir),
  "fd_pread.writeonly": (e) => e.pread(e.wo),
  "fd_pread.closed": (e) => e.pread(CLOSED),
  "fd_pwrite.file": (e) => e.pwrite(e.file),
  "fd_pwrite.stdout": (e) => e.pwrite(1),
  "fd_pwrite.stdin": (e) => e.pwrite(0),
  "fd_pwrite.dir": (e) => e.pwrite(e.subdir),
  "fd_pwrite.readonly": (e) => e.pwrite(e.ro),
  "fd_pwrite.closed": (e) => e.pwrite(CLOSED),
  // fd_prestat_*
  "fd_prestat_get.preopen": (e) => e.fn.fd_prestat_get(SANDBOX_FD, e.out),
  "fd_prestat_get.other": (e) =>
    Math.min(...[e.file, e.subdir, 0, 1].map((fd) => e.fn.fd_prestat_get(fd, e.out))),
  "fd_prestat_get.closed": (e) => e.fn.fd_prestat_get(CLOSED, e.out),
  "fd_prestat_dir_name.preopen": (e) => e.fn.fd_prestat_dir_name(SANDBOX_FD, e.out, 8),
  "fd_prestat_dir_name.short": (e) => e.fn.fd_prestat_dir_name(SANDBOX_FD, e.out, 7),
  "fd_prestat_dir_name.file": (e) => e.fn.fd_prestat_dir_name(e.file, e.out, 64),
  "fd_prestat_dir_name.subdir": (e) => e.fn.fd_prestat_dir_name(e.subdir, e.out, 64),
  "fd_prestat_dir_name.closed": (e) => e.fn.fd_prestat_dir_name(CLOSED, e.out, 64),
  // fd_read / fd_write
  "fd_read.file": (e) => e.read(e.file),
  "fd_read.stdin": (e) => e.read(0),
  "fd_read.dir": (e) => e.read(e.subdir),
  "fd_read.stdout": (e) => e.read(1),
  "fd_read.writeonly": (e) => e.read(e.wo),
  "fd_read.dropped": (e) => (e.fn.fd_fdstat_set_rights(e.file, R.WRITE, 0n), e.read(e.file)),
  "fd_read.closed": (e) => e.read(CLOSED),
  "fd_write.file": (e) => e.write(e.file),
  "fd_write.stdout": (e) => e.write(1),
  "fd_write.dir": (e) => e.write(e.subdir),
  "fd_write.stdin": (e) => e.write(0),
  "fd_write.readonly": (e) => e.write(e.ro),
  "fd_write.closed": (e) => e.write(CLOSED),
  // fd_readdir
  "fd_readdir.dir": (e) => e.fn.fd_readdir(e.subdir, e.out, 128, 0n, e.out + 128),
  "fd_readdir.file": (e) => e.fn.fd_readdir(e.file, e.out, 128, 0n, e.out + 128),
  "fd_readdir.stdio": (e) => e.fn.fd_readdir(0, e.out, 128, 0n, e.out + 128),
  "fd_readdir.closed": (e) => e.fn.fd_readdir(CLOSED, e.out, 128, 0n, e.out + 128),
  // fd_renumber
  "fd_renumber.ok": (e) => e.fn.fd_renumber(e.file, e.ro),
  "fd_renumber.from_closed": (e) => e.fn.fd_renumber(CLOSED, e.ro),
  "fd_renumber.to_closed": (e) => e.fn.fd_renumber(e.file, CLOSED),
  // fd_seek / fd_tell
  "fd_seek.file": (e) => e.fn.fd_seek(e.file, 3n, 0, e.out),
  "fd_seek.dir": (e) => e.fn.fd_seek(e.subdir, 0n, 0, e.out),
  "fd_seek.stdio": (e) => e.fn.fd_seek(0, 0n, 1, e.out),
  "fd_seek.negative": (e) => e.fn.fd_seek(e.file, -1n, 0, e.out),
  "fd_seek.bad_whence": (e) => e.fn.fd_seek(CLOSED, 0n, 3, e.out),
  "fd_seek.closed": (e) => e.fn.fd_seek(CLOSED, 0n, 0, e.out),
  "fd_tell.file": (e) => e.fn.fd_tell(e.file, e.out),
  "fd_tell.dir": (e) => e.fn.fd_tell(e.subdir, e.out),
  "fd_tell.stdio": (e) => e.fn.fd_tell(1, e.out),
  // fd_sync
  "fd_sync.file": (e) => e.fn.fd_sync(e.file),
  "fd_sync.dir": (e) => e.fn.fd_sync(e.subdir),
  "fd_sync.stdio": (e) => e.fn.fd_sync(1),
  "fd_sync.closed": (e) => e.fn.fd_sync(CLOSED),

  // path_create_directory
  "path_create_directory.ok": (e) => e.path("path_create_directory", "new"),
  "path_create_directory.exists": (e) => e.path("path_create_directory", "dir"),
  "path_create_directory.missing_parent": (e) => e.path("path_create_directory", "no/new"),
  "path_create_directory.file_fd": (e) => e.path("path_create_directory", "new", e.file),
  "path_create_directory.stdio_fd": (e) => e.path("path_create_directory", "new", 1),
  "path_create_directory.closed": (e) => e.path("path_create_directory", "new", CLOSED),
  "path_create_directory.escape": (e) => e.path("path_create_directory", "../new"),
  "path_create_directory.ro_preopen": (e) => e.path("path_create_directory", "new", RO_FD),
  // path_filestat_get
  "path_filestat_get.ok": (e) => e.stat("dir/x"),
  "path_filestat_get.missing": (e) => e.stat("missing"),
  "path_filestat_get.bad_lookupflags": (e) => e.stat("file", 2),
  "path_filestat_get.file_fd": (e) => e.stat("x", 1, e.file),
  "path_filestat_get.escape": (e) => e.stat("dir/../../file"),
  "path_filestat_get.absolute": (e) => e.stat("/file"),
  // path_filestat_set_times
  "path_filestat_set_times.ok": (e) => e.setTimes("file", true),
  "path_filestat_set_times.symlink_nofollow": (e) => e.setTimes("link", false),
  "path_filestat_set_times.missing": (e) => e.setTimes("missing", true),
  "path_filestat_set_times.both": (e) => e.setTimes("file", true, ATIM | ATIM_NOW),
  "path_filestat_set_times.file_fd": (e) => e.setTimes("x", true, MTIM, e.file),
  "path_filestat_set_times.ro_preopen": (e) => e.setTimes("rofile", true, MTIM, RO_FD),
  // path_link
  "path_link.ok": (e) => e.link("file", "file2"),
  "path_link.dir_source": (e) => e.link("dir", "dir2"),
  "path_link.exists": (e) => e.link("file", "dir/x"),
  "path_link.missing": (e) => e.link("missing", "new"),
  "path_link.follow": (e) => {
    const [p, n] = e.h.str("link"), [q, m] = e.h.str("hard");
    return e.fn.path_link(SANDBOX_FD, 1, p, n, SANDBOX_FD, q, m);
  },
  "path_link.file_fd": (e) => e.link("x", "new", e.file),
  // path_open
  "path_open.ok": (e) => e.open("dir/x"),
  "path_open.missing": (e) => e.open("missing"),
  "path_open.excl_exists": (e) => e.open("file", { oflags: CREAT | EXCL, rights: RW }),
  "path_open.directory_on_file": (e) => e.open("file", { oflags: DIRECTORY }),
  "path_open.trailing_slash_file": (e) => e.open("file/"),
  "path_open.dir_for_writing": (e) => e.open("dir", { rights: RW }),
  "path_open.symlink_nofollow": (e) => e.open("link", { follow: false }),
  "path_open.creat_directory": (e) => e.open("new", { oflags: CREAT | DIRECTORY }),
  "path_open.directory_trunc": (e) => e.open("dir", { oflags: DIRECTORY | 8 }),
  "path_open.directory_excl": (e) => e.open("dir", { oflags: DIRECTORY | EXCL }),
  "path_open.sync_fdflags": (e) => e.open("file", { rights: RW, fdflags: 16 }),
  "path_open.file_fd": (e) => e.open("x", { dirFd: e.file }),
  "path_open.stdio_fd": (e) => e.open("x", { dirFd: 1 }),
  "path_open.closed": (e) => e.open("x", { dirFd: CLOSED }),
  "path_open.bad_oflags": (e) => e.open("x", { dirFd: CLOSED, oflags: 0x10 }),
  "path_open.bad_rights": (e) => e.open("file", { rights: 1n << 40n }),
  "path_open.escape": (e) => e.open("../file"),
  "path_open.too_many_dotdot": (
    e,
  ) => (Deno.mkdirSync(e.h.host("dir/nested")), e.open("dir/nested/../../../dir/nested/file")),
  "path_open.dotdot_through_missing": (e) => e.open("nodir/../../file"),
  "path_open.too_many_dotdot_existing": (e) => e.open("dir/../../dir/x"),
  "path_open.absolute": (e) => e.open("/file"),
  "path_open.creat_ro_preopen": (e) => e.open("new", { dirFd: RO_FD, oflags: CREAT, rights: RW }),
  // path_readlink
  "path_readlink.ok": (e) => e.readlink("link"),
  "path_readlink.not_link": (e) => e.readlink("file"),
  "path_readlink.missing": (e) => e.readlink("missing"),
  "path_readlink.file_fd": (e) => e.readlink("x", e.file),
  // path_remove_directory
  "path_remove_directory.ok": (e) => e.path("path_remove_directory", "empty"),
  "path_remove_directory.file": (e) => e.path("path_remove_directory", "file"),
  "path_remove_directory.nonempty": (e) => e.path("path_remove_directory", "dir"),
  "path_remove_directory.missing": (e) => e.path("path_remove_directory", "missing"),
  "path_remove_directory.dot": (e) => e.path("path_remove_directory", "dir/."),
  "path_remove_directory.file_fd": (e) => e.path("path_remove_directory", "x", e.file),
  // path_rename
  "path_rename.ok": (e) => e.rename("file", "renamed"),
  "path_rename.dir_over_nonempty": (e) => e.rename("empty", "dir"),
  "path_rename.file_over_dir": (e) => e.rename("file", "empty"),
  "path_rename.dir_over_file": (e) => e.rename("empty", "file"),
  "path_rename.missing": (e) => e.rename("missing", "new"),
  "path_rename.file_fd": (e) => e.rename("x", "new", e.file),
  // path_symlink
  "path_symlink.ok": (e) => e.symlink("file", "link2"),
  "path_symlink.exists": (e) => e.symlink("file", "dir"),
  "path_symlink.file_fd": (e) => e.symlink("file", "x", e.file),
  // path_unlink_file
  "path_unlink_file.ok": (e) => e.path("path_unlink_file", "dir/x"),
  "path_unlink_file.dir": (e) => e.path("path_unlink_file", "dir"),
  "path_unlink_file.trailing_slash": (e) => e.path("path_unlink_file", "file/"),
  "path_unlink_file.missing": (e) => e.path("path_unlink_file", "missing"),
  "path_unlink_file.file_fd": (e) => e.path("path_unlink_file", "x", e.file),

  // poll_oneoff
  "poll_oneoff.clock": (e) => e.poll([{ clock: 1000n }]),
  "poll_oneoff.none": (e) => e.poll([]),
  "poll_oneoff.unknown_clock": (e) => e.poll([{ clock: 1000n, id: 9 }]),
  "poll_oneoff.cputime_clock": (e) => e.poll([{ clock: 1000n, id: 2 }]),
  "poll_oneoff.bad_type": (e) => e.poll([{ type: 3 }]),
  "poll_oneoff.file": (e) => e.poll([{ read: e.file }]),
  "poll_oneoff.closed_fd": (e) => e.poll([{ read: CLOSED }]),
  "poll_oneoff.dir_fd": (e) => e.poll([{ read: e.subdir }]),

  // sockets
  "sock_accept.not_socket": (e) => e.fn.sock_accept(e.file, 0, e.out),
  "sock_accept.closed": (e) => e.fn.sock_accept(CLOSED, 0, e.out),
  "sock_accept.bad_flags": (e) => e.fn.sock_accept(e.file, 0x20, e.out),
  "sock_recv.not_socket": (e) => e.fn.sock_recv(0, e.out, 0, 0, e.out, e.out + 4),
  "sock_recv.closed": (e) => e.fn.sock_recv(CLOSED, e.out, 0, 0, e.out, e.out + 4),
  "sock_recv.bad_flags": (e) => e.fn.sock_recv(0, e.out, 0, 4, e.out, e.out + 4),
  "sock_send.not_socket": (e) => e.fn.sock_send(1, e.out, 0, 0, e.out),
  "sock_send.closed": (e) => e.fn.sock_send(CLOSED, e.out, 0, 0, e.out),
  "sock_shutdown.not_socket": (e) => e.fn.sock_shutdown(SANDBOX_FD, 3),
  "sock_shutdown.closed": (e) => e.fn.sock_shutdown(CLOSED, 3),
  "sock_shutdown.bad_flags": (e) => e.fn.sock_shutdown(SANDBOX_FD, 4),
};

// ---------------------------------------------------------------------------------------------

const docText = Deno.readTextFileSync(DOC);
const rows = parseRows(docText);

Deno.test("WASI_ERRNOS.md: every row has a probe, every probe a row; statuses agree with the columns", () => {
  const ids = rows.map((r) => r.id);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], "duplicate ids");
  assert.deepEqual(ids.filter((id) => !(id in PROBES)), [], "rows without a probe");
  assert.deepEqual(Object.keys(PROBES).filter((id) => !ids.includes(id)), [], "probes without a row");
  const count = (pred: (s: string) => boolean) => rows.filter((r) => pred(r.status)).length;
  const fns = new Set(rows.map((r) => r.fn));
  assert.deepEqual(PREVIEW1_FUNCTIONS.filter((f) => !fns.has(f)), [], "functions without a row");
  const summary = `Summary: ${rows.length} rows over all ${PREVIEW1_FUNCTIONS.length} functions; ` +
    `${count((s) => s === "same")} same, ${count((s) => s.startsWith("fixed"))} fixed, ` +
    `${count((s) => s.startsWith("differs"))} differ.`;
  assert.ok(docText.includes(summary), `the document's summary line should read: ${summary}`);
  for (const r of rows) {
    const theirs = resultOf(r.wasmtime);
    const ours = resultOf(oursOn(r.ours, "native"));
    if (r.status === "same" || r.status.startsWith("fixed")) {
      assert.equal(ours, theirs, `${r.id}: marked ${r.status} but wasmtime ${r.wasmtime}, wasmrun ${r.ours}`);
    } else {
      assert.match(r.status, /^differs/, `${r.id}: status is same, fixed (was X) or differs`);
      assert.notEqual(ours, theirs, `${r.id}: marked differs but both are ${r.wasmtime}`);
    }
    const was = /^fixed \(was (\S+)\)$/.exec(r.status);
    if (r.status.startsWith("fixed")) {
      assert.ok(was, `${r.id}: a fixed row says what it was: fixed (was X)`);
      assert.notEqual(resultOf(was[1]), ours, `${r.id}: fixed from a different errno`);
    }
  }
});

testBoth("WASI_ERRNOS.md: every row's errno, as wasmrun returns it", (backend) => {
  const wrong: string[] = [];
  for (const r of rows) {
    const probe = PROBES[r.id];
    if (!probe) continue;
    const e = new Env();
    try {
      const got = nameOf(probe(e));
      const want = oursOn(r.ours, backend);
      if (got !== want) {
        wrong.push(`${r.id} (${r.fn}: ${r.condition}): wasmrun gives ${got}, the table ${want}`);
      }
    } finally {
      e.h[Symbol.dispose]();
    }
  }
  assert.deepEqual(wrong, []);
});
