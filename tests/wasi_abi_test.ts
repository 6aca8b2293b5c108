/**
 * The numbers of the wasi_snapshot_preview1 ABI (src/wasi/constants.ts) against the specification:
 * the witx definitions of WebAssembly/WASI (legacy/preview1/witx/typenames.witx, rendered in
 * legacy/preview1/docs.md). An enum's value is the position of its case there, a flag's bit the
 * position of its name in the flags list. The lists below are written in the spec's order and
 * checked against wasi-libc's <wasi/api.h> (generated from the same witx): a guest compiled
 * against it reads whatever number we write, so a wrong one is a wrong answer, not a style issue.
 * Also: the host's file types map onto these numbers (a block device is 1, not a character device).
 */
import assert from "node:assert/strict";
import {
  Advice,
  ALL_FDFLAGS,
  ALL_OFLAGS,
  ALL_RIGHTS,
  ClockId,
  Errno,
  errnoName,
  EVENTRW_HANGUP,
  EventType,
  FdFlags,
  FileType,
  FstFlags,
  LOOKUP_SYMLINK_FOLLOW,
  OFlags,
  PREOPENTYPE_DIR,
  Rights,
  SdFlags,
  Signal,
  SUBCLOCK_ABSTIME,
  Whence,
} from "../src/wasi/constants.ts";
import { fileTypeOf } from "../src/wasi/filestat.ts";

/** `(typename $errno (enum (@witx tag u16) $success $2big $acces …))`. */
// deno-fmt-ignore
const ERRNO = [
  "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again", "already", "badf",
  "badmsg", "busy", "canceled", "child", "connaborted", "connrefused", "connreset", "deadlk",
  "destaddrreq", "dom", "dquot", "exist", "fault", "fbig", "hostunreach", "idrm", "ilseq", "inprogress",
  "intr", "inval", "io", "isconn", "isdir", "loop", "mfile", "mlink", "msgsize", "multihop",
  "nametoolong", "netdown", "netreset", "netunreach", "nfile", "nobufs", "nodev", "noent", "noexec",
  "nolck", "nolink", "nomem", "nomsg", "noprotoopt", "nospc", "nosys", "notconn", "notdir", "notempty",
  "notrecoverable", "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead", "perm", "pipe",
  "proto", "protonosupport", "prototype", "range", "rofs", "spipe", "srch", "stale", "timedout",
  "txtbsy", "xdev", "notcapable",
];

/** `(typename $filetype (enum (@witx tag u8) …))`. */
// deno-fmt-ignore
const FILETYPE = [
  "unknown", "block_device", "character_device", "directory", "regular_file", "socket_dgram",
  "socket_stream", "symbolic_link",
];

/** `(typename $rights (flags (@witx repr u64) …))`. */
// deno-fmt-ignore
const RIGHTS = [
  "fd_datasync", "fd_read", "fd_seek", "fd_fdstat_set_flags", "fd_sync", "fd_tell", "fd_write",
  "fd_advise", "fd_allocate", "path_create_directory", "path_create_file", "path_link_source",
  "path_link_target", "path_open", "fd_readdir", "path_readlink", "path_rename_source",
  "path_rename_target", "path_filestat_get", "path_filestat_set_size", "path_filestat_set_times",
  "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "path_symlink",
  "path_remove_directory", "path_unlink_file", "poll_fd_readwrite", "sock_shutdown", "sock_accept",
];

/** `(typename $signal (enum (@witx tag u8) …))`. */
// deno-fmt-ignore
const SIGNAL = [
  "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv", "usr2",
  "pipe", "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg", "xcpu", "xfsz",
  "vtalrm", "prof", "winch", "poll", "pwr", "sys",
];

/** The smaller enums and flag sets, in the spec's order. */
const ENUMS: [string, Record<string, number>, string[]][] = [
  ["clockid", ClockId, ["realtime", "monotonic", "process_cputime_id", "thread_cputime_id"]],
  ["whence", Whence, ["set", "cur", "end"]],
  ["advice", Advice, ["normal", "sequential", "random", "willneed", "dontneed", "noreuse"]],
  ["eventtype", EventType, ["clock", "fd_read", "fd_write"]],
];
const FLAGS: [string, Record<string, number>, string[]][] = [
  ["fdflags", FdFlags, ["append", "dsync", "nonblock", "rsync", "sync"]],
  ["oflags", OFlags, ["creat", "directory", "excl", "trunc"]],
  ["fstflags", FstFlags, ["atim", "atim_now", "mtim", "mtim_now"]],
  ["sdflags", SdFlags, ["rd", "wr"]],
];

/** Our names that are not the witx name in upper case. */
const ALIASES: Record<string, string> = {
  "2big": "TOOBIG", // an identifier cannot start with a digit
  process_cputime_id: "PROCESS_CPUTIME",
  thread_cputime_id: "THREAD_CPUTIME",
};
const key = (name: string) => ALIASES[name] ?? name.toUpperCase();

Deno.test("ABI: every errno has its witx number, and errnoName gives the witx name back", () => {
  assert.equal(Object.keys(Errno).length, ERRNO.length, "no errno missing or extra");
  ERRNO.forEach((name, value) => {
    assert.equal((Errno as Record<string, number>)[key(name)], value, name);
    assert.equal(errnoName(value), name.toUpperCase(), `errnoName(${value})`);
  });
  assert.equal(errnoName(77), "77");
});

Deno.test("ABI: file types, rights and signals have their witx numbers", () => {
  assert.deepEqual(
    Object.entries(FileType),
    FILETYPE.map((name, value) => [key(name), value]),
  );
  assert.deepEqual(
    Object.entries(Rights),
    RIGHTS.map((name, bit) => [key(name), 1n << BigInt(bit)]),
  );
  assert.equal(ALL_RIGHTS, (1n << BigInt(RIGHTS.length)) - 1n);
  assert.deepEqual(
    Object.entries(Signal),
    SIGNAL.map((name, value) => [key(name), value]),
  );
});

Deno.test("ABI: clocks, whence, advice, event types and the flag sets have their witx numbers", () => {
  for (const [what, ours, spec] of ENUMS) {
    assert.deepEqual(Object.entries(ours), spec.map((name, value) => [key(name), value]), what);
  }
  for (const [what, ours, spec] of FLAGS) {
    assert.deepEqual(Object.entries(ours), spec.map((name, bit) => [key(name), 1 << bit]), what);
  }
  assert.equal(ALL_FDFLAGS, (1 << 5) - 1);
  assert.equal(ALL_OFLAGS, (1 << 4) - 1);
  assert.equal(LOOKUP_SYMLINK_FOLLOW, 1); // lookupflags: symlink_follow
  assert.equal(SUBCLOCK_ABSTIME, 1); // subclockflags: subscription_clock_abstime
  assert.equal(EVENTRW_HANGUP, 1); // eventrwflags: fd_readwrite_hangup
  assert.equal(PREOPENTYPE_DIR, 0); // preopentype: dir
});

Deno.test("ABI: the host's file types map onto the witx file types", () => {
  const info = (kind: Partial<Deno.FileInfo>): Deno.FileInfo =>
    ({
      isFile: false,
      isDirectory: false,
      isSymlink: false,
      isBlockDevice: false,
      isCharDevice: false,
      isSocket: false,
      isFifo: false,
      ...kind,
    }) as Deno.FileInfo;
  assert.equal(fileTypeOf(info({ isFile: true })), 4);
  assert.equal(fileTypeOf(info({ isDirectory: true })), 3);
  assert.equal(fileTypeOf(info({ isSymlink: true })), 7);
  assert.equal(fileTypeOf(info({ isBlockDevice: true })), 1);
  assert.equal(fileTypeOf(info({ isCharDevice: true })), 2);
  assert.equal(fileTypeOf(info({ isSocket: true })), 6); // a Unix socket: stream is all the host knows
  assert.equal(fileTypeOf(info({ isFifo: true })), 0); // WASI has no type for a FIFO
  // And what the host really reports for a character device and a directory.
  assert.equal(fileTypeOf(Deno.statSync("/dev/null")), 2);
  assert.equal(fileTypeOf(Deno.lstatSync("/")), 3);
});
