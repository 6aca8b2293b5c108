/**
 * The C library calls of the native backend, through Deno's FFI (`Deno.dlopen`, which needs
 * `--allow-ffi`). Linux only, on glibc, x86_64 and aarch64: the constants below are Linux's (two
 * open flags differ by architecture) and `statx` gives one struct layout on every architecture.
 * Each wrapper returns the call's result or throws the WASI errno for the C errno.
 */
import { Errno, FileType } from "../constants.ts";
import { WasiError } from "../errors.ts";

const ARCH_FLAGS = Deno.build.arch === "aarch64"
  ? { DIRECTORY: 0o40000, NOFOLLOW: 0o100000 }
  : { DIRECTORY: 0o200000, NOFOLLOW: 0o400000 };

export const O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
  PATH: 0o10000000,
  ...ARCH_FLAGS,
} as const;

export const AT = {
  FDCWD: -100,
  SYMLINK_NOFOLLOW: 0x100,
  REMOVEDIR: 0x200,
  EMPTY_PATH: 0x1000,
} as const;

export const RESOLVE = { NO_MAGICLINKS: 0x02, BENEATH: 0x08 } as const;

const SYS_OPENAT2 = 437; // the same on every Linux architecture (a new-style syscall number)
const STATX_BASIC_STATS = 0x7ff;
const STATX_SIZE = 256;
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;
export const POLLIN = 1;
export const POLLPRI = 2;
export const POLLOUT = 4;
export const POLLERR = 8;
export const POLLHUP = 16;
export const POLLNVAL = 32;

/** The file type bits of a `st_mode`, and those of a regular file. */
const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
const FILETYPE_OF_MODE: Record<number, number> = {
  0o010000: FileType.UNKNOWN, // FIFO: WASI has no type for it
  0o020000: FileType.CHARACTER_DEVICE,
  0o040000: FileType.DIRECTORY,
  0o060000: FileType.BLOCK_DEVICE,
  [S_IFREG]: FileType.REGULAR_FILE,
  0o120000: FileType.SYMBOLIC_LINK,
  0o140000: FileType.SOCKET_STREAM,
};

/** The WASI file type of a `st_mode`. */
export function fileTypeOfMode(mode: number): number {
  return FILETYPE_OF_MODE[mode & S_IFMT] ?? FileType.UNKNOWN;
}

/** Linux errno → WASI errno (only the codes file, stream and socket calls return). */
const ERRNO: Record<number, number> = {
  1: Errno.PERM,
  2: Errno.NOENT,
  4: Errno.INTR,
  5: Errno.IO,
  6: Errno.NXIO,
  7: Errno.TOOBIG,
  9: Errno.BADF,
  11: Errno.AGAIN,
  12: Errno.NOMEM,
  13: Errno.ACCES,
  14: Errno.FAULT,
  16: Errno.BUSY,
  17: Errno.EXIST,
  18: Errno.XDEV,
  19: Errno.NODEV,
  20: Errno.NOTDIR,
  21: Errno.ISDIR,
  22: Errno.INVAL,
  23: Errno.NFILE,
  24: Errno.MFILE,
  25: Errno.NOTTY,
  26: Errno.TXTBSY,
  27: Errno.FBIG,
  28: Errno.NOSPC,
  29: Errno.SPIPE,
  30: Errno.ROFS,
  31: Errno.MLINK,
  32: Errno.PIPE,
  36: Errno.NAMETOOLONG,
  37: Errno.NOLCK,
  38: Errno.NOSYS,
  39: Errno.NOTEMPTY,
  40: Errno.LOOP,
  61: Errno.NOENT, // ENODATA
  75: Errno.OVERFLOW,
  84: Errno.ILSEQ,
  88: Errno.NOTSOCK,
  95: Errno.NOTSUP,
  97: Errno.AFNOSUPPORT,
  98: Errno.ADDRINUSE,
  99: Errno.ADDRNOTAVAIL,
  101: Errno.NETUNREACH,
  103: Errno.CONNABORTED,
  104: Errno.CONNRESET,
  107: Errno.NOTCONN,
  110: Errno.TIMEDOUT,
  116: Errno.STALE,
  122: Errno.DQUOT,
};

/**
 * What a run needs from its start (the preopens, stdio, reading and writing files): bound when the
 * backend is first asked for. Binding costs Deno about 0.5 ms a symbol, so the rest (`moreSymbols`)
 * is bound on the first use of any of them.
 */
const coreSymbols = {
  syscall: { parameters: ["i64", "i32", "buffer", "buffer", "usize"], result: "i64" },
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  pwrite: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

const moreSymbols = {
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  fsync: { parameters: ["i32"], result: "i32" },
  fdatasync: { parameters: ["i32"], result: "i32" },
  posix_fallocate: { parameters: ["i32", "i64", "i64"], result: "i32" },
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  futimens: { parameters: ["i32", "buffer"], result: "i32" },
  mkdirat: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  unlinkat: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  renameat: { parameters: ["i32", "buffer", "i32", "buffer"], result: "i32" },
  linkat: { parameters: ["i32", "buffer", "i32", "buffer", "i32"], result: "i32" },
  symlinkat: { parameters: ["buffer", "i32", "buffer"], result: "i32" },
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  fdopendir: { parameters: ["i32"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  // Variadic in C; its third argument is always a pointer here (FIONREAD), passed as the ABI would.
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  // Sockets (--tcplisten).
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "pointer", "pointer", "i32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
} as const;

type Lib =
  & Deno.DynamicLibrary<typeof coreSymbols>["symbols"]
  & Deno.DynamicLibrary<typeof moreSymbols>["symbols"];

/**
 * The bindings: the core ones, and a getter for each of the others. The first use of one binds them
 * all (a second `dlopen` of the same library), and `lib` becomes a plain object of every binding.
 */
function bindings(): Lib {
  const core = Deno.dlopen("libc.so.6", coreSymbols).symbols;
  let full: Lib | undefined;
  const bindAll = () => full ??= { ...core, ...Deno.dlopen("libc.so.6", moreSymbols).symbols };
  const partial = { ...core } as Lib;
  for (const name of Object.keys(moreSymbols) as (keyof typeof moreSymbols)[]) {
    Object.defineProperty(partial, name, {
      get() {
        lib = bindAll();
        return lib[name];
      },
      enumerable: true,
    });
  }
  return partial;
}

let lib: Lib | null | undefined;
let errnoView: Deno.UnsafePointerView;

/** Why the native backend cannot be used here, or undefined when it can. */
export function nativeUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return `it supports Linux only (this is ${Deno.build.os})`;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    return `it supports x86_64 and aarch64 only (this is ${Deno.build.arch})`;
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "Deno's FFI is not permitted (add --allow-ffi or -A to deno's flags)";
  }
  if (lib === undefined) {
    try {
      lib = bindings();
      errnoView = new Deno.UnsafePointerView(lib.__errno_location()!);
    } catch (err) {
      lib = null;
      return `the C library could not be loaded: ${(err as Error).message}`;
    }
  }
  return lib === null ? "the C library could not be loaded" : undefined;
}

/** The bindings (call `nativeUnavailable()` first). */
export function libc(): Lib {
  if (!lib) throw new Error(`native file system backend unavailable: ${nativeUnavailable()}`);
  return lib;
}

/** The WASI errno for the C `errno` of the call that just failed. */
export function lastErrno(): number {
  return ERRNO[errnoView.getInt32()] ?? Errno.IO;
}

/** Throws the errno unless `result` is non-negative; returns it as a number. */
export function check(result: number | bigint): number {
  const n = Number(result);
  if (n < 0) throw new WasiError(lastErrno());
  return n;
}

const encoder = new TextEncoder();

/** A NUL-terminated C string. */
export function cstr(s: string): Uint8Array {
  return encoder.encode(s + "\0");
}

/**
 * openat2(dirfd, path, { flags, mode, resolve }); EXDEV (an escape) is reported as ENOTCAPABLE.
 * EAGAIN means a rename raced with a `..` in the lookup: the kernel refused it; try again.
 */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const how = new Uint8Array(new BigUint64Array([BigInt(flags), BigInt(mode), BigInt(resolve)]).buffer);
  const p = cstr(path);
  for (let attempt = 0;; attempt++) {
    const fd = Number(libc().syscall(BigInt(SYS_OPENAT2), dirfd, p, how, 24n));
    if (fd >= 0) return fd;
    const code = errnoView.getInt32();
    if ((code === 11 || code === 4) && attempt < 16) continue; // EAGAIN, EINTR
    if (code === 18) throw new WasiError(Errno.NOTCAPABLE);
    if (code === 38) throw new WasiError(Errno.NOSYS); // a kernel before 5.6
    throw new WasiError(ERRNO[code] ?? Errno.IO);
  }
}

/** What `statx` says of a file, as WASI's filestat fields (see filestat.ts). */
export interface RawStat {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

const statBuf = new Uint8Array(STATX_SIZE);
const statView = new DataView(statBuf.buffer);

function timestamp(at: number): bigint {
  return statView.getBigInt64(at, true) * 1_000_000_000n + BigInt(statView.getUint32(at + 8, true));
}

/** glibc's makedev, so dev numbers match what stat(2) (and Deno) report. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** statx(dirfd, path, flags); with path "" and AT_EMPTY_PATH it is fstat of dirfd. */
export function statx(dirfd: number, path: string, flags: number): RawStat {
  check(libc().statx(dirfd, cstr(path), flags, STATX_BASIC_STATS, statBuf));
  const v = statView;
  return {
    mode: v.getUint16(28, true),
    nlink: BigInt(v.getUint32(16, true)),
    ino: v.getBigUint64(32, true),
    size: v.getBigUint64(40, true),
    atim: timestamp(64),
    ctim: timestamp(96),
    mtim: timestamp(112),
    dev: makedev(v.getUint32(136, true), v.getUint32(140, true)),
  };
}

/** Two `struct timespec` for utimensat/futimens. */
export function timespecs(a: [bigint, bigint], m: [bigint, bigint]): Uint8Array {
  return new Uint8Array(new BigInt64Array([a[0], a[1], m[0], m[1]]).buffer);
}

const linkBuf = new Uint8Array(4096);

/** readlinkat(dirfd, path) as raw bytes. */
export function readlinkat(dirfd: number, path: string): Uint8Array {
  const n = check(libc().readlinkat(dirfd, cstr(path), linkBuf, BigInt(linkBuf.length)));
  return linkBuf.slice(0, n);
}

/** One directory entry as readdir(3) returns it. */
export interface RawDirent {
  name: Uint8Array;
  ino: bigint;
  type: number;
}

/** Every entry of the directory open at `fd` (which is consumed), `.` and `..` included. */
export function readAllEntries(fd: number): RawDirent[] {
  const c = libc();
  const dir = c.fdopendir(fd);
  if (dir === null) {
    const err = lastErrno();
    c.close(fd);
    throw new WasiError(err);
  }
  const out: RawDirent[] = [];
  try {
    for (;;) {
      const ent = c.readdir(dir);
      if (ent === null) break;
      // glibc's struct dirent: d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name[].
      const view = new Deno.UnsafePointerView(ent);
      const reclen = view.getUint16(16);
      let len = 0;
      while (19 + len < reclen && view.getUint8(19 + len) !== 0) len++;
      const name = new Uint8Array(len);
      if (len > 0) view.copyInto(name, 19);
      out.push({ name, ino: view.getBigUint64(0), type: view.getUint8(18) });
    }
  } finally {
    c.closedir(dir);
  }
  return out;
}

/**
 * Waits until `fd` is readable or `timeoutMs` passes (-1: no limit); true when readable (or
 * closed, or in error: the read that follows reports it).
 */
export function pollReadable(fd: number, timeoutMs: number): boolean {
  return pollFds([{ fd, events: POLLIN }], timeoutMs)[0] !== 0;
}

const FIONREAD = 0x541b; // the same on x86_64 and aarch64

/** How many bytes can be read from `fd` without blocking (FIONREAD), or 0 when it cannot say. */
export function bytesReadable(fd: number): number {
  const out = new Int32Array(1);
  if (libc().ioctl(fd, BigInt(FIONREAD), new Uint8Array(out.buffer)) < 0) return 0;
  return Math.max(0, out[0]);
}

/** Waits until `fd` is writable or `timeoutMs` passes (-1: no limit), like pollReadable. */
export function pollWritable(fd: number, timeoutMs: number): boolean {
  return pollFds([{ fd, events: POLLOUT }], timeoutMs)[0] !== 0;
}

/**
 * poll(2) on host descriptors: waits until one of them has an event or `timeoutMs` passes (-1: no
 * limit; an EINTR restarts the wait with what is left of it). Returns each descriptor's revents.
 */
export function pollFds(fds: readonly { fd: number; events: number }[], timeoutMs: number): number[] {
  const pfd = new Uint8Array(8 * fds.length);
  const v = new DataView(pfd.buffer);
  fds.forEach((f, i) => {
    v.setInt32(8 * i, f.fd, true);
    v.setInt16(8 * i + 4, f.events, true);
  });
  const end = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  for (let ms = timeoutMs;;) {
    const n = libc().poll(pfd, BigInt(fds.length), Math.min(ms, 0x7fffffff));
    if (n >= 0) break;
    // Anything but EINTR (EFAULT, EINVAL, ENOMEM) cannot be waited out: report every fd as ready
    // with an error, so the call that follows reports the real one.
    if (errnoView.getInt32() !== 4) return fds.map(() => POLLERR);
    if (end !== Infinity) ms = Math.max(0, Math.ceil(end - performance.now()));
  }
  return fds.map((_, i) => v.getUint16(8 * i + 6, true));
}
