/**
 * What the WASI host needs from a file system backend. Two implement it: `native.ts` (real
 * directory descriptors through the C library, race-free) and `deno.ts` (Deno's path APIs, with
 * every stored path re-checked on each use). The host functions keep WASI's rules (rights, errno
 * order, read-only preopens, the permission gate); a backend only resolves and acts.
 *
 * The containment rule both follow: a path is resolved from a directory handle, and that
 * directory is the root of the resolution — `..` above it, absolute paths and absolute symlink
 * targets fail with ENOTCAPABLE, and a symlink's target is judged when it is followed.
 */
import type { Filestat } from "../filestat.ts";

/** One entry of a directory listing as `fd_readdir` serves it. */
export interface ListedEntry {
  name: Uint8Array;
  filetype: number;
  ino: bigint;
}

/** A new access or modification time: nanoseconds since the epoch, the current time, or unchanged. */
export type NewTime = bigint | "now" | "keep";

/** A directory the guest holds a descriptor for (a preopen or one opened below it). */
export interface DirHandle {
  readonly kind: "dir";
  /** Where it is on the host now (for the permission gate); fails if it is no longer there. */
  hostPath(): string;
  stat(): Filestat;
  /** Its entries, without `.` and `..`. */
  list(): ListedEntry[];
  /** The inode number of its parent, or of itself when the parent is not the guest's to see. */
  parentIno(isPreopen: boolean): bigint;
  setTimes(atime: NewTime, mtime: NewTime): void;
  sync(): void;
  datasync(): void;
  close(): void;
}

/** An open regular file (or another non-directory the OS lets us open). */
export interface FileHandle {
  readonly kind: "file";
  /** One read at the current position; 0 at end of file. */
  read(into: Uint8Array): number;
  /** One read at `offset`, leaving the position alone. */
  pread(into: Uint8Array, offset: number): number;
  /** One write at the current position (or at the end with `append`); returns the bytes taken. */
  write(data: Uint8Array, append: boolean): number;
  /** One write at `offset`, leaving the position alone. */
  pwrite(data: Uint8Array, offset: number): number;
  /** Moves the position (whence as lseek: 0 start, 1 current, 2 end); returns the new one. */
  seek(offset: number, whence: 0 | 1 | 2): number;
  stat(): Filestat;
  setSize(size: number): void;
  /** posix_fallocate: afterwards the file is at least offset + len bytes long. */
  allocate(offset: number, len: number): void;
  setTimes(atime: NewTime, mtime: NewTime): void;
  sync(): void;
  datasync(): void;
  close(): void;
}

/**
 * A path resolved below a directory handle: a name in a parent directory the backend holds on
 * to until the operation is done (release it with `using`). The name is never `..` and never a
 * symlink that was asked to be followed; it is `.` when the path names a directory itself.
 */
export interface Resolved extends Disposable {
  /** The host path of the named entry, for the permission gate. */
  readonly host: string;
  /** Metadata of the entry (of the link itself when it was not followed); null if it does not exist. */
  readonly info: Filestat | null;
  /** The path named the directory it was resolved from (`.`, `a/..`, a link to `.`). */
  readonly isRoot: boolean;
  /** How many directories below the root the parent is (counted as the path is written). */
  readonly depth: number;
  /** The guest path ended in `/` (or `/.`): the entry must be a directory. */
  readonly mustBeDir: boolean;
  /** The last component as the guest wrote it ("", ".", ".." or a name). */
  readonly lastComponent: string;
}

/** How to open a file. The entry is never followed if it is a symlink (that was resolve's job). */
export interface OpenFileOptions {
  read: boolean;
  write: boolean;
  /** Create it; it must not exist (the caller checked; O_EXCL keeps a race from reusing one). */
  create: boolean;
  truncate: boolean;
}

/** The backend of one WASI instance. */
export interface FsBackend {
  readonly name: "native" | "deno";
  /** Opens a host directory given to the guest. */
  openPreopen(hostPath: string): DirHandle;
  /** Resolves `path` below `dir` (see the module comment); follows a final symlink when asked. */
  resolve(dir: DirHandle, path: string, followLast: boolean): Resolved;
  /** Opens the resolved directory. */
  openDir(r: Resolved): DirHandle;
  /** Opens (or creates) the resolved file. */
  openFile(r: Resolved, options: OpenFileOptions): FileHandle;
  mkdir(r: Resolved): void;
  unlink(r: Resolved): void;
  rmdir(r: Resolved): void;
  rename(from: Resolved, to: Resolved): void;
  link(from: Resolved, to: Resolved): void;
  symlink(target: string, at: Resolved): void;
  readlink(r: Resolved): Uint8Array;
  /** Sets the times of the entry itself (a symlink's own, when it was not followed). */
  setTimes(r: Resolved, atime: NewTime, mtime: NewTime): void;
}
