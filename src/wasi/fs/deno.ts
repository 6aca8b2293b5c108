/**
 * The Deno-API backend, for when Deno's FFI is not permitted. Deno's file APIs take path strings,
 * so a directory handle is a host path plus the identity (dev, ino) of the directory it named when
 * it was opened. Every use re-checks it, every component: each one must still be a real directory
 * (never a symlink, since the path was built from real directories only) and the last one must be
 * the same directory. A handle whose directory was removed or replaced fails with ENOENT, as a
 * descriptor of a removed directory does, instead of following whatever now sits at its path.
 *
 * What cannot be made race-free here: between the checks and the Deno call that uses the path,
 * another process (a second guest or the host) may swap a directory on the path for a symlink.
 * Opened files are checked afterwards (the directories on the way must still be the ones entered,
 * and the handle's dev and ino what was looked up, or it is closed unread), which catches a single
 * swap but not one timed both ways around the lookup and the open; and a create, mkdir, unlink,
 * rename, link, symlink or set-times can land in the swapped-in place. The native backend has no
 * such window (see docs/sandbox.md).
 */
import { joinPath, parentPath } from "../../host/paths.ts";
import { Errno, FileType } from "../constants.ts";
import { fail, refused } from "../errors.ts";
import { type Filestat, filestatOf, fileTypeOf } from "../filestat.ts";
import type { PermissionGate } from "../gate.ts";
import { utf8Encoder } from "../memory.ts";
import type {
  DirHandle,
  FileHandle,
  FsBackend,
  ListedEntry,
  NewTime,
  OpenFileOptions,
  Resolved,
} from "./types.ts";
import { lastComponentOf, namesDirectory, walk, type WalkOps } from "./walk.ts";

/** The absolute path's components, for walking it from "/". */
function split(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

function sameFile(a: Filestat, b: Deno.FileInfo): boolean {
  return a.dev === BigInt(b.dev ?? 0) && a.ino === BigInt(b.ino ?? 0);
}

function nsToSeconds(ns: bigint): number {
  // Deno's utime takes seconds as a number; splitting keeps the sub-second part as exact as a
  // double allows at today's dates (about 0.2 µs).
  const n = BigInt.asUintN(64, ns);
  return Number(n / 1_000_000_000n) + Number(n % 1_000_000_000n) / 1e9;
}

/** The (atime, mtime) pair Deno's utime wants, reading the current times for "keep". */
function utimeArgs(
  current: () => Deno.FileInfo,
  atime: NewTime,
  mtime: NewTime,
): [number | Date, number | Date] {
  const now = new Date();
  let info: Deno.FileInfo | undefined;
  const pick = (t: NewTime, which: "atime" | "mtime"): number | Date => {
    if (t === "now") return now;
    if (t !== "keep") return nsToSeconds(t);
    info ??= current();
    return info[which] ?? now;
  };
  return [pick(atime, "atime"), pick(mtime, "mtime")];
}

/**
 * Checks that every component of absolute `path` is still a real directory (none a symlink) and
 * returns the lstat of the last. Components the process may not read are skipped: they were real
 * directories when the preopen was opened, and only the host can change them.
 */
function checkRealPath(gate: PermissionGate, path: string): Deno.FileInfo {
  let at = "/";
  let st: Deno.FileInfo | undefined;
  for (const c of split(path)) {
    at = joinPath(at, c);
    if (at !== path && !gate.read(at)) continue;
    if (at === path && !gate.read(at)) refused("read", at);
    try {
      st = Deno.lstatSync(at);
    } catch {
      fail(Errno.NOENT);
    }
    if (st.isSymlink || !st.isDirectory) fail(Errno.NOENT);
  }
  return st ?? Deno.lstatSync("/");
}

class DenoDir implements DirHandle {
  readonly kind = "dir";
  constructor(
    readonly backend: DenoBackend,
    /** The host path where the directory was last known to be (absolute, symlink-free). */
    public path: string,
    readonly dev: bigint,
    readonly ino: bigint,
  ) {}

  hostPath(): string {
    const last = checkRealPath(this.backend.gate, this.path);
    if (BigInt(last.dev ?? 0) !== this.dev || BigInt(last.ino ?? 0) !== this.ino) fail(Errno.NOENT);
    return this.path;
  }

  stat(): Filestat {
    return filestatOf(Deno.statSync(this.hostPath()));
  }

  list(): ListedEntry[] {
    const host = this.hostPath();
    const gate = this.backend.gate;
    const out: ListedEntry[] = [];
    for (const e of Deno.readDirSync(host)) {
      const path = `${host}/${e.name}`;
      let filetype: number = e.isFile
        ? FileType.REGULAR_FILE
        : e.isDirectory
        ? FileType.DIRECTORY
        : e.isSymlink
        ? FileType.SYMBOLIC_LINK
        : FileType.UNKNOWN;
      let ino = 0n;
      if (gate.read(path)) {
        try {
          const st = Deno.lstatSync(path);
          filetype = fileTypeOf(st);
          ino = BigInt(st.ino ?? 0);
        } catch {
          // Removed since the listing was read: keep what readDir said.
        }
      }
      out.push({ name: utf8Encoder.encode(e.name), filetype, ino });
    }
    return out;
  }

  parentIno(isPreopen: boolean): bigint {
    const host = this.hostPath();
    const up = parentPath(host);
    if (isPreopen || !this.backend.gate.read(up)) return this.ino;
    return BigInt(Deno.statSync(up).ino ?? 0);
  }

  setTimes(atime: NewTime, mtime: NewTime): void {
    const host = this.hostPath();
    const [a, m] = utimeArgs(() => Deno.statSync(host), atime, mtime);
    Deno.utimeSync(host, a, m);
  }

  sync(): void {
    this.#withHandle((h) => h.syncSync());
  }

  datasync(): void {
    this.#withHandle((h) => h.syncDataSync());
  }

  #withHandle(body: (h: Deno.FsFile) => void): void {
    const handle = Deno.openSync(this.hostPath(), { read: true });
    try {
      body(handle);
    } finally {
      handle.close();
    }
  }

  close(): void {
    this.backend.dirs.delete(this);
  }
}

class DenoFile implements FileHandle {
  readonly kind = "file";
  constructor(readonly handle: Deno.FsFile) {}

  read(into: Uint8Array): number {
    return into.length === 0 ? 0 : this.handle.readSync(into) ?? 0;
  }

  pread(into: Uint8Array, offset: number): number {
    return this.#at(offset, () => this.read(into));
  }

  write(data: Uint8Array, append: boolean): number {
    if (append) this.handle.seekSync(0, Deno.SeekMode.End);
    return this.handle.writeSync(data);
  }

  pwrite(data: Uint8Array, offset: number): number {
    return this.#at(offset, () => this.handle.writeSync(data));
  }

  /** Runs `body` positioned at `offset`, then puts the position back (Deno has no pread/pwrite). */
  #at<T>(offset: number, body: () => T): T {
    const saved = this.handle.seekSync(0, Deno.SeekMode.Current);
    this.handle.seekSync(offset, Deno.SeekMode.Start);
    try {
      return body();
    } finally {
      this.handle.seekSync(saved, Deno.SeekMode.Start);
    }
  }

  seek(offset: number, whence: 0 | 1 | 2): number {
    const mode = [Deno.SeekMode.Start, Deno.SeekMode.Current, Deno.SeekMode.End][whence];
    return this.handle.seekSync(offset, mode);
  }

  stat(): Filestat {
    return filestatOf(this.handle.statSync());
  }

  setSize(size: number): void {
    this.handle.truncateSync(size);
  }

  allocate(offset: number, len: number): void {
    // Deno has no fallocate; growing the file is what posix_fallocate guarantees to be visible.
    if (this.handle.statSync().size < offset + len) this.handle.truncateSync(offset + len);
  }

  setTimes(atime: NewTime, mtime: NewTime): void {
    const [a, m] = utimeArgs(() => this.handle.statSync(), atime, mtime);
    this.handle.utimeSync(a, m);
  }

  sync(): void {
    this.handle.syncSync();
  }

  datasync(): void {
    this.handle.syncDataSync();
  }

  close(): void {
    this.handle.close();
  }
}

/**
 * A directory entered during a walk: its path, the identity it had when it was looked at, and the
 * directory it was entered from (null for the walk's root, checked by `DenoDir.hostPath`).
 */
interface DirRef {
  path: string;
  dev: bigint;
  ino: bigint;
  up: DirRef | null;
}

/**
 * Checks that every directory entered on the way to `ref` is still a directory, not a symlink,
 * with the identity it had. Done after the last lookup and again after an open: a lookup below a
 * directory that was swapped for a symlink meanwhile went through the symlink, and this sees it.
 */
function checkChain(ref: DirRef): void {
  for (let r: DirRef | null = ref; r !== null; r = r.up) {
    const st = lstatOrNull(r.path);
    if (
      !st || st.isSymlink || !st.isDirectory || BigInt(st.dev ?? 0) !== r.dev || BigInt(st.ino ?? 0) !== r.ino
    ) {
      fail(Errno.NOTCAPABLE);
    }
  }
}

/** A resolved name: `parent` is a checked host directory path. */
class DenoResolved implements Resolved {
  constructor(
    readonly chain: DirRef,
    readonly parent: string,
    readonly name: string,
    readonly info: Filestat | null,
    readonly isRoot: boolean,
    readonly depth: number,
    readonly mustBeDir: boolean,
    readonly lastComponent: string,
  ) {}
  get host(): string {
    return this.name === "." ? this.parent : joinPath(this.parent, this.name);
  }
  [Symbol.dispose](): void {}
}

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

export class DenoBackend implements FsBackend {
  readonly name = "deno";
  /** Open directory handles, so a rename can carry them along (a descriptor follows its directory). */
  readonly dirs: Set<DenoDir> = new Set();
  readonly #walkOps: WalkOps<DirRef>;

  constructor(readonly gate: PermissionGate) {
    const checked = (path: string): string => {
      if (!gate.read(path)) refused("read", path);
      return path;
    };
    this.#walkOps = {
      lstat: (dir, name) => {
        const st = lstatOrNull(checked(joinPath(dir.path, name)));
        return st && filestatOf(st);
      },
      readlink: (dir, name) => Deno.readLinkSync(joinPath(dir.path, name)),
      enter: (dir, name) => {
        const path = joinPath(dir.path, name);
        const st = Deno.lstatSync(path);
        if (st.isSymlink || !st.isDirectory) fail(Errno.NOTCAPABLE); // swapped since its lstat
        return { path, dev: BigInt(st.dev ?? 0), ino: BigInt(st.ino ?? 0), up: dir };
      },
      release: () => {},
      stat: (dir) => filestatOf(Deno.lstatSync(checked(dir.path))),
    };
  }

  openPreopen(hostPath: string): DirHandle {
    const real = Deno.realPathSync(hostPath);
    const st = Deno.statSync(real);
    if (!st.isDirectory) fail(Errno.NOTDIR);
    return this.#track(real, st);
  }

  #track(path: string, st: Deno.FileInfo): DenoDir {
    const dir = new DenoDir(this, path, BigInt(st.dev ?? 0), BigInt(st.ino ?? 0));
    this.dirs.add(dir);
    return dir;
  }

  resolve(dir: DirHandle, path: string, followLast: boolean): Resolved {
    const d = dir as DenoDir;
    const root: DirRef = { path: d.hostPath(), dev: d.dev, ino: d.ino, up: null };
    const w = walk(this.#walkOps, root, path, followLast);
    checkChain(w.parent);
    const last = lastComponentOf(path);
    return new DenoResolved(
      w.parent,
      w.parent.path,
      w.name,
      w.info,
      w.isRoot,
      w.depth,
      namesDirectory(path),
      last,
    );
  }

  openDir(r: Resolved): DirHandle {
    const d = r as DenoResolved;
    const st = Deno.lstatSync(d.host);
    if (!st.isDirectory || !d.info || !sameFile(d.info, st)) fail(Errno.NOTCAPABLE);
    checkChain(d.chain);
    return this.#track(d.host, st);
  }

  openFile(r: Resolved, options: OpenFileOptions): FileHandle {
    const d = r as DenoResolved;
    const handle = Deno.openSync(d.host, {
      read: options.read,
      write: options.write || options.create,
      truncate: options.truncate,
      createNew: options.create,
    });
    // The path may have been swapped for a link since it was resolved: the file opened must be
    // the one that was resolved (or, when created, the one now at the resolved place).
    try {
      const opened = handle.statSync();
      checkChain(d.chain); // still the directories it was resolved through
      let expected = d.info;
      if (options.create) {
        // Created through a swapped-in link, the file would sit elsewhere: the parent must still
        // be a real directory and hold it. (It cannot be undone then; see the module comment.)
        checkRealPath(this.gate, d.parent);
        const created = lstatOrNull(d.host);
        expected = created && filestatOf(created);
      }
      if (!expected || !sameFile(expected, opened)) fail(Errno.NOTCAPABLE);
    } catch (err) {
      handle.close();
      throw err;
    }
    return new DenoFile(handle);
  }

  mkdir(r: Resolved): void {
    Deno.mkdirSync(r.host);
  }

  unlink(r: Resolved): void {
    Deno.removeSync(r.host);
  }

  rmdir(r: Resolved): void {
    Deno.removeSync(r.host);
  }

  rename(from: Resolved, to: Resolved): void {
    Deno.renameSync(from.host, to.host);
    // Descriptors below the old path follow it to the new one, as open directories do.
    const old = from.host, now = to.host;
    for (const dir of this.dirs) {
      if (dir.path === old) dir.path = now;
      else if (dir.path.startsWith(old + "/")) dir.path = now + dir.path.slice(old.length);
    }
  }

  link(from: Resolved, to: Resolved): void {
    Deno.linkSync(from.host, to.host);
  }

  symlink(target: string, at: Resolved): void {
    Deno.symlinkSync(target, at.host);
  }

  readlink(r: Resolved): Uint8Array {
    return utf8Encoder.encode(Deno.readLinkSync(r.host));
  }

  setTimes(r: Resolved, atime: NewTime, mtime: NewTime): void {
    // Deno's utime follows a symlink; it cannot set the times of the link itself.
    if (r.info?.filetype === FileType.SYMBOLIC_LINK) fail(Errno.NOTSUP);
    const [a, m] = utimeArgs(() => Deno.statSync(r.host), atime, mtime);
    Deno.utimeSync(r.host, a, m);
  }
}
