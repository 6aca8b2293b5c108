/**
 * The guest's file descriptor table. An fd is a stdio stream, an open host file, or a directory
 * (a preopen or one opened below it) remembered as a location inside its preopen, never as a host
 * handle: every path operation goes back through the sandbox resolver.
 */
import { Errno } from "./constants.ts";
import { fail } from "./errors.ts";
import type { Location } from "./sandbox.ts";
import type { StdioStream } from "./stdio.ts";

interface EntryBase {
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** WASI fdflags (APPEND, DSYNC, NONBLOCK, RSYNC, SYNC), as the guest set them. */
  fdflags: number;
}

export interface StreamEntry extends EntryBase {
  kind: "stream";
  stream: StdioStream;
}

export interface FileEntry extends EntryBase, Location {
  kind: "file";
  handle: Deno.FsFile;
  filetype: number;
}

/** One entry of a directory listing as `fd_readdir` serves it. */
export interface ListedEntry {
  name: Uint8Array;
  filetype: number;
  ino: bigint;
}

export interface DirEntry extends EntryBase, Location {
  kind: "dir";
  /** Set on preopened directories: the name the guest sees in `fd_prestat_dir_name`. */
  preopenName?: string;
  /** Snapshot taken by `fd_readdir` at cookie 0, so later cookies index a stable list. */
  listing?: ListedEntry[];
}

export type Entry = StreamEntry | FileEntry | DirEntry;

/** A generous cap, so a leaking guest gets EMFILE rather than exhausting the host. */
const MAX_FDS = 1 << 16;

export class FdTable {
  readonly #entries = new Map<number, Entry>();

  get(fd: number): Entry {
    const entry = this.#entries.get(fd >>> 0);
    if (!entry) fail(Errno.BADF);
    return entry;
  }

  has(fd: number): boolean {
    return this.#entries.has(fd >>> 0);
  }

  /** Places `entry` at the lowest free descriptor, as POSIX does. */
  add(entry: Entry): number {
    if (this.#entries.size >= MAX_FDS) fail(Errno.MFILE);
    let fd = 0;
    while (this.#entries.has(fd)) fd++;
    this.#entries.set(fd, entry);
    return fd;
  }

  /** Closes `fd`, releasing its host handle. */
  close(fd: number): void {
    const entry = this.get(fd);
    this.#entries.delete(fd >>> 0);
    if (entry.kind === "file") entry.handle.close();
  }

  /** Moves `from` onto `to` (which must be open and is closed first). */
  renumber(from: number, to: number): void {
    const entry = this.get(from);
    this.get(to);
    if (from >>> 0 === to >>> 0) return;
    this.close(to);
    this.#entries.delete(from >>> 0);
    this.#entries.set(to >>> 0, entry);
  }

  /**
   * After a rename, descriptors below the old path follow it to the new one, as open directories
   * do on a real file system (the host tracks directories by path, not by handle).
   */
  movePaths(from: Location, to: Location): void {
    const n = from.parts.length;
    for (const entry of this.#entries.values()) {
      if (entry.kind === "stream" || entry.preopen !== from.preopen || entry.parts.length < n) continue;
      if (!from.parts.every((p, i) => entry.parts[i] === p)) continue;
      entry.preopen = to.preopen;
      entry.parts = [...to.parts, ...entry.parts.slice(n)];
    }
  }

  /** Closes every host handle (when the instance is done). */
  closeAll(): void {
    for (const fd of [...this.#entries.keys()]) this.close(fd);
  }
}
