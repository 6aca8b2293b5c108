/**
 * The guest's file descriptor table. An fd is a stream (stdio or a socket), an open file or a
 * directory (a preopen or one opened below it), each holding the file system backend's handle for it. New
 * descriptors take the lowest free number, as POSIX does; freed numbers wait in a min-heap, so
 * finding one costs O(log n) however full the table is.
 */
import { Errno } from "./constants.ts";
import { fail } from "./errors.ts";
import type { DirHandle, FileHandle, ListedEntry } from "./fs/types.ts";
import type { GuestStream } from "./stdio.ts";

interface EntryBase {
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** WASI fdflags (APPEND, DSYNC, NONBLOCK, RSYNC, SYNC), as the guest set them. */
  fdflags: number;
}

export interface StreamEntry extends EntryBase {
  kind: "stream";
  stream: GuestStream;
}

export interface FileEntry extends EntryBase {
  kind: "file";
  handle: FileHandle;
  filetype: number;
  /** Opened through a read-only preopen: every change is EROFS. */
  readOnly: boolean;
  /**
   * How the host file was opened. Reading a file opened write-only (or writing one opened
   * read-only) is EBADF, as the OS and wasmtime say; a right the guest dropped later is ENOTCAPABLE.
   */
  hostRead: boolean;
  hostWrite: boolean;
}

export interface DirEntry extends EntryBase {
  kind: "dir";
  handle: DirHandle;
  readOnly: boolean;
  /** Set on preopened directories: the name the guest sees in `fd_prestat_dir_name`. */
  preopenName?: string;
  /** Snapshot taken by `fd_readdir` at cookie 0, so later cookies index a stable list. */
  listing?: ListedEntry[];
}

export type Entry = StreamEntry | FileEntry | DirEntry;

/** A generous cap, so a leaking guest gets EMFILE rather than exhausting the host. */
const MAX_FDS = 1 << 16;

/** Free descriptor numbers below the high-water mark, smallest on top. */
class MinHeap {
  readonly #items: number[] = [];
  get size(): number {
    return this.#items.length;
  }
  push(n: number): void {
    const a = this.#items;
    let i = a.push(n) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up] <= n) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = n;
  }
  pop(): number | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      let v = last;
      if (l < a.length && a[l] < v) m = l, v = a[l];
      if (r < a.length && a[r] < v) m = r;
      if (m === i) break;
      a[i] = a[m];
      i = m;
    }
    a[i] = last;
    return top;
  }
}

export class FdTable {
  readonly #entries = new Map<number, Entry>();
  readonly #free = new MinHeap();
  /** Every number at or above this is free. */
  #next = 0;

  get(fd: number): Entry {
    const entry = this.#entries.get(fd >>> 0);
    if (!entry) fail(Errno.BADF);
    return entry;
  }

  has(fd: number): boolean {
    return this.#entries.has(fd >>> 0);
  }

  /** Places `entry` at the lowest free descriptor. */
  add(entry: Entry): number {
    if (this.#entries.size >= MAX_FDS) fail(Errno.MFILE);
    const fd = this.#free.pop() ?? this.#next++;
    this.#entries.set(fd, entry);
    return fd;
  }

  /** Closes `fd`, releasing its host handle. */
  close(fd: number): void {
    const entry = this.get(fd);
    this.#entries.delete(fd >>> 0);
    this.#free.push(fd >>> 0);
    if (entry.kind !== "stream") entry.handle.close();
    else entry.stream.close?.();
  }

  /** Moves `from` onto `to` (which must be open and is closed first). */
  renumber(from: number, to: number): void {
    const entry = this.get(from);
    const old = this.get(to);
    if (from >>> 0 === to >>> 0) return;
    this.#entries.delete(from >>> 0);
    this.#free.push(from >>> 0);
    this.#entries.set(to >>> 0, entry);
    if (old.kind !== "stream") old.handle.close();
    else old.stream.close?.();
  }

  /** Closes every host handle (when the instance is done). */
  closeAll(): void {
    for (const fd of [...this.#entries.keys()]) this.close(fd);
  }
}
