/**
 * The native backend: every directory the guest holds is a real descriptor, and every path is
 * resolved by the kernel from one. On Linux 5.6+ that is one `openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS)` for the parent of the final component, which refuses `..` above the
 * directory, absolute paths and any symlink leading out (EXDEV, reported as ENOTCAPABLE) at the
 * moment of the lookup; on older kernels each component is opened with O_NOFOLLOW from the one
 * before (see walk.ts). The final component is then acted on with an `*at` call relative to the
 * parent's descriptor. Nothing is ever looked up by a stored path, so renaming, removing or
 * replacing directories — by the guest, another guest or the host — cannot redirect a descriptor.
 */
import { Errno, FileType } from "../constants.ts";
import { fail, WasiError } from "../errors.ts";
import type { Filestat } from "../filestat.ts";
import {
  AT,
  check,
  cstr,
  fileTypeOfMode,
  libc,
  O,
  openat2,
  type RawStat,
  readAllEntries,
  readlinkat,
  RESOLVE,
  statx,
  timespecs,
  UTIME_NOW,
  UTIME_OMIT,
} from "./libc.ts";
import type {
  DirHandle,
  FileHandle,
  FsBackend,
  ListedEntry,
  NewTime,
  OpenFileOptions,
  Resolved,
} from "./types.ts";
import {
  checkGuestPath,
  checkName,
  components,
  depthOf,
  lastComponentOf,
  MAX_SYMLINKS,
  namesDirectory,
  walk,
  type WalkOps,
} from "./walk.ts";

/** d_type values of readdir(3). */
const FILETYPE_OF_DTYPE: Record<number, number> = {
  2: FileType.CHARACTER_DEVICE,
  4: FileType.DIRECTORY,
  6: FileType.BLOCK_DEVICE,
  8: FileType.REGULAR_FILE,
  10: FileType.SYMBOLIC_LINK,
  12: FileType.SOCKET_STREAM,
};

const DIR_FLAGS = O.RDONLY | O.DIRECTORY | O.CLOEXEC;
const PATH_FLAGS = O.PATH | O.DIRECTORY | O.CLOEXEC;
const BENEATH = RESOLVE.BENEATH | RESOLVE.NO_MAGICLINKS;
const decoder = new TextDecoder();

function filestat(st: RawStat): Filestat {
  return { ...st, filetype: fileTypeOfMode(st.mode) };
}

function fstat(fd: number): Filestat {
  return filestat(statx(fd, "", AT.EMPTY_PATH));
}

function lstatOrNull(dirfd: number, name: string): Filestat | null {
  try {
    return filestat(statx(dirfd, name, AT.SYMLINK_NOFOLLOW));
  } catch (err) {
    if (err instanceof WasiError && err.errno === Errno.NOENT) return null;
    throw err;
  }
}

/** Retries a call interrupted by a signal (EINTR). */
function retry(call: () => number | bigint): number {
  for (;;) {
    try {
      return check(call());
    } catch (err) {
      if (!(err instanceof WasiError && err.errno === Errno.INTR)) throw err;
    }
  }
}

function timespec(t: NewTime): [bigint, bigint] {
  if (t === "now") return [0n, BigInt(UTIME_NOW)];
  if (t === "keep") return [0n, BigInt(UTIME_OMIT)];
  const ns = BigInt.asUintN(64, t);
  return [ns / 1_000_000_000n, ns % 1_000_000_000n];
}

/** The current host path of an open directory, read from /proc (as the kernel sees it now). */
function pathOfFd(fd: number, fallback: string): string {
  try {
    const path = decoder.decode(readlinkat(AT.FDCWD, `/proc/self/fd/${fd}`));
    return path.startsWith("/") ? path : fallback;
  } catch {
    return fallback; // no /proc: the path it was opened at is the best there is
  }
}

function joinName(dir: string, name: string): string {
  if (name === ".") return dir;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** What file and directory descriptors share: metadata, times, sync, close. */
class NativeDescriptor {
  constructor(readonly fd: number) {}

  stat(): Filestat {
    return fstat(this.fd);
  }

  setTimes(atime: NewTime, mtime: NewTime): void {
    check(libc().futimens(this.fd, timespecs(timespec(atime), timespec(mtime))));
  }

  sync(): void {
    retry(() => libc().fsync(this.fd));
  }

  datasync(): void {
    retry(() => libc().fdatasync(this.fd));
  }

  close(): void {
    libc().close(this.fd);
  }
}

class NativeDir extends NativeDescriptor implements DirHandle {
  readonly kind = "dir";
  readonly #id: { dev: bigint; ino: bigint };
  constructor(fd: number, readonly openedAt: string) {
    super(fd);
    this.#id = fstat(fd);
  }

  /** Whether `st` is this very directory. */
  is(st: Filestat): boolean {
    return st.dev === this.#id.dev && st.ino === this.#id.ino;
  }

  hostPath(): string {
    return pathOfFd(this.fd, this.openedAt);
  }

  list(): ListedEntry[] {
    const fd = check(libc().openat(this.fd, cstr("."), DIR_FLAGS, 0));
    const out: ListedEntry[] = [];
    for (const e of readAllEntries(fd)) {
      if (e.name.length <= 2 && e.name.every((b) => b === 0x2e)) continue; // "." and ".."
      let filetype = FILETYPE_OF_DTYPE[e.type];
      if (filetype === undefined) {
        // DT_UNKNOWN (some file systems do not fill it in) or a FIFO: ask the inode.
        const st = lstatOrNull(this.fd, decoder.decode(e.name));
        filetype = st?.filetype ?? FileType.UNKNOWN;
      }
      out.push({ name: e.name, filetype, ino: e.ino });
    }
    return out;
  }

  parentIno(isPreopen: boolean): bigint {
    if (isPreopen) return this.#id.ino;
    return filestat(statx(this.fd, "..", 0)).ino;
  }
}

class NativeFile extends NativeDescriptor implements FileHandle {
  readonly kind = "file";

  read(into: Uint8Array): number {
    return into.length === 0 ? 0 : retry(() => libc().read(this.fd, into, BigInt(into.length)));
  }

  pread(into: Uint8Array, offset: number): number {
    return into.length === 0
      ? 0
      : retry(() => libc().pread(this.fd, into, BigInt(into.length), BigInt(offset)));
  }

  write(data: Uint8Array, append: boolean): number {
    if (append) check(libc().lseek(this.fd, 0n, 2));
    return retry(() => libc().write(this.fd, data, BigInt(data.length)));
  }

  pwrite(data: Uint8Array, offset: number): number {
    return retry(() => libc().pwrite(this.fd, data, BigInt(data.length), BigInt(offset)));
  }

  seek(offset: number, whence: 0 | 1 | 2): number {
    return check(libc().lseek(this.fd, BigInt(offset), whence));
  }

  setSize(size: number): void {
    retry(() => libc().ftruncate(this.fd, BigInt(size)));
  }

  allocate(offset: number, len: number): void {
    // posix_fallocate returns the error number instead of setting errno.
    const err = libc().posix_fallocate(this.fd, BigInt(offset), BigInt(len));
    if (err !== 0) {
      const errno = { 9: Errno.BADF, 22: Errno.INVAL, 27: Errno.FBIG, 28: Errno.NOSPC, 29: Errno.SPIPE }[err];
      fail(errno ?? (err === 95 ? Errno.NOTSUP : Errno.IO));
    }
  }
}

/**
 * The per-component walk (walk.ts) on descriptors, for kernels without openat2. Exported for
 * tests: `enter` refusing a symlink matters only when one is swapped in after the walk's lstat
 * saw a directory, which no sequence of WASI calls can arrange deterministically.
 */
export const nativeWalkOps: WalkOps<number> = {
  lstat: lstatOrNull,
  readlink: (dir, name) => decoder.decode(readlinkat(dir, name)),
  enter: (dir, name) => {
    const fd = check(libc().openat(dir, cstr(name), PATH_FLAGS | O.NOFOLLOW, 0));
    // O_PATH|O_NOFOLLOW would open a symlink swapped in since the lstat: it must be a directory.
    if (fstat(fd).filetype !== FileType.DIRECTORY) {
      libc().close(fd);
      fail(Errno.NOTDIR);
    }
    return fd;
  },
  release: (fd) => void libc().close(fd),
  stat: fstat,
};

/** A name in a parent directory held open by descriptor (closed on dispose unless borrowed). */
class NativeResolved implements Resolved {
  #host?: string;
  constructor(
    readonly parentFd: number,
    readonly parentPath: () => string,
    readonly owned: boolean,
    readonly name: string,
    readonly info: Filestat | null,
    readonly isRoot: boolean,
    readonly depth: number,
    readonly mustBeDir: boolean,
    readonly lastComponent: string,
  ) {}
  get host(): string {
    return this.#host ??= joinName(pathOfFd(this.parentFd, this.parentPath()), this.name);
  }
  [Symbol.dispose](): void {
    if (this.owned) libc().close(this.parentFd);
  }
}

export class NativeBackend implements FsBackend {
  readonly name = "native";
  /** openat2 is used until the kernel says it has none (before Linux 5.6). */
  #openat2: boolean;
  /** `resolver: "walk"` forces the per-component resolution (tests use it on new kernels too). */
  constructor(options: { resolver?: "openat2" | "walk" } = {}) {
    this.#openat2 = options.resolver !== "walk";
  }

  openPreopen(hostPath: string): DirHandle {
    const fd = check(libc().openat(AT.FDCWD, cstr(hostPath), DIR_FLAGS, 0));
    return new NativeDir(fd, hostPath);
  }

  resolve(dir: DirHandle, path: string, followLast: boolean): Resolved {
    const root = dir as NativeDir;
    checkGuestPath(path);
    const mustBeDir = namesDirectory(path);
    const last = lastComponentOf(path);
    if (this.#openat2) {
      try {
        return this.#resolveBeneath(root, path, followLast, mustBeDir, last);
      } catch (err) {
        if (!(err instanceof WasiError && err.errno === Errno.NOSYS)) throw err;
        this.#openat2 = false;
      }
    }
    const w = walk(nativeWalkOps, root.fd, path, followLast);
    const owned = w.parent !== root.fd;
    const hint = () => root.hostPath();
    return new NativeResolved(w.parent, hint, owned, w.name, w.info, w.isRoot, w.depth, mustBeDir, last);
  }

  /** The openat2 resolver: the parent in one call, the final symlink (if followed) expanded here. */
  #resolveBeneath(
    root: NativeDir,
    path: string,
    follow: boolean,
    mustBeDir: boolean,
    last: string,
  ): Resolved {
    const fallback = () => root.hostPath();
    let p = path;
    for (let links = 0;; links++) {
      const comps = components(p);
      const name = comps[comps.length - 1];
      if (name === undefined || name === "." || name === "..") {
        // The path names a directory itself: open that.
        const fd = openat2(root.fd, p, PATH_FLAGS, BENEATH);
        const info = closeOnError(fd, () => fstat(fd));
        return new NativeResolved(fd, fallback, true, ".", info, root.is(info), depthOf(p), mustBeDir, last);
      }
      checkName(name);
      const parentPath = comps.length > 1 ? comps.slice(0, -1).join("/") : ".";
      const parent = openat2(root.fd, parentPath, PATH_FLAGS, BENEATH);
      const info = closeOnError(parent, () => lstatOrNull(parent, name));
      const finalDir = namesDirectory(p);
      if (info?.filetype === FileType.SYMBOLIC_LINK && (follow || finalDir)) {
        const target = closeOnError(parent, () => decoder.decode(readlinkat(parent, name)));
        libc().close(parent);
        if (links >= MAX_SYMLINKS) fail(Errno.LOOP);
        if (target === "") fail(Errno.NOENT);
        if (target.startsWith("/")) fail(Errno.NOTCAPABLE);
        p = (parentPath === "." ? "" : parentPath + "/") + target + (finalDir ? "/" : "");
        continue;
      }
      if (finalDir && info !== null && info.filetype !== FileType.DIRECTORY) {
        libc().close(parent);
        fail(Errno.NOTDIR);
      }
      return new NativeResolved(
        parent,
        fallback,
        true,
        name,
        info,
        false,
        depthOf(parentPath),
        mustBeDir,
        last,
      );
    }
  }

  openDir(r: Resolved): DirHandle {
    const n = r as NativeResolved;
    const fd = check(libc().openat(n.parentFd, cstr(n.name), DIR_FLAGS | O.NOFOLLOW, 0));
    return new NativeDir(fd, n.host);
  }

  openFile(r: Resolved, options: OpenFileOptions): FileHandle {
    const n = r as NativeResolved;
    const access = options.read && options.write ? O.RDWR : options.write ? O.WRONLY : O.RDONLY;
    let flags = access | O.NOFOLLOW | O.CLOEXEC | O.NOCTTY;
    if (options.create) flags |= O.CREAT | O.EXCL;
    if (options.truncate) flags |= O.TRUNC;
    const fd = retry(() => libc().openat(n.parentFd, cstr(n.name), flags, 0o666));
    return new NativeFile(fd);
  }

  mkdir(r: Resolved): void {
    const n = r as NativeResolved;
    check(libc().mkdirat(n.parentFd, cstr(n.name), 0o777));
  }

  unlink(r: Resolved): void {
    const n = r as NativeResolved;
    check(libc().unlinkat(n.parentFd, cstr(n.name), 0));
  }

  rmdir(r: Resolved): void {
    const n = r as NativeResolved;
    check(libc().unlinkat(n.parentFd, cstr(n.name), AT.REMOVEDIR));
  }

  rename(from: Resolved, to: Resolved): void {
    const a = from as NativeResolved, b = to as NativeResolved;
    check(libc().renameat(a.parentFd, cstr(a.name), b.parentFd, cstr(b.name)));
  }

  link(from: Resolved, to: Resolved): void {
    const a = from as NativeResolved, b = to as NativeResolved;
    check(libc().linkat(a.parentFd, cstr(a.name), b.parentFd, cstr(b.name), 0));
  }

  symlink(target: string, at: Resolved): void {
    const n = at as NativeResolved;
    check(libc().symlinkat(cstr(target), n.parentFd, cstr(n.name)));
  }

  readlink(r: Resolved): Uint8Array {
    const n = r as NativeResolved;
    return readlinkat(n.parentFd, n.name);
  }

  setTimes(r: Resolved, atime: NewTime, mtime: NewTime): void {
    const n = r as NativeResolved;
    const ts = timespecs(timespec(atime), timespec(mtime));
    check(libc().utimensat(n.parentFd, cstr(n.name), ts, AT.SYMLINK_NOFOLLOW));
  }
}

function closeOnError<T>(fd: number, body: () => T): T {
  try {
    return body();
  } catch (err) {
    libc().close(fd);
    throw err;
  }
}
