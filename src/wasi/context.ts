/**
 * The state one WASI instance's functions share: the guest memory (known once the instance
 * exists), the fd table, argv/environment, the file system backend, the permission gate, the
 * deadline of blocking waits, and the checks most functions start with (right held, fd is a
 * directory, path resolved, write allowed).
 */
import { Errno, LOOKUP_SYMLINK_FOLLOW } from "./constants.ts";
import { fail, refused } from "./errors.ts";
import type { DirEntry, Entry, FdTable } from "./fd_table.ts";
import type { PermissionGate, PermissionRefusal } from "./gate.ts";
import type { FsBackend, Resolved } from "./fs/types.ts";
import { GuestMemory, type MemoryLike } from "./memory.ts";

/** lookupflags has one bit (SYMLINK_FOLLOW); any other is EINVAL, before anything else is looked at. */
export function checkLookupFlags(flags: number): void {
  if ((flags >>> 0) & ~LOOKUP_SYMLINK_FOLLOW) fail(Errno.INVAL);
}

export class HostContext {
  #memory: GuestMemory | undefined;
  /** The permission refusal behind the running (or last) call's EACCES, for the tracer. */
  lastRefusal: PermissionRefusal | undefined;

  constructor(
    readonly fds: FdTable,
    /** argv and environment strings, UTF-8 encoded, each without its NUL. */
    readonly args: Uint8Array[],
    readonly env: Uint8Array[],
    readonly gate: PermissionGate,
    readonly fs: FsBackend,
    /** When blocking waits must end (a performance.now() time; Infinity: never). */
    readonly deadline: () => number,
    /** Told of every access a permission check refused (the `onPermissionDenied` option). */
    readonly onRefusal?: (refusal: PermissionRefusal) => void,
    /** Who the gate is, as refusals report it: Deno's permissions or a custom gate. */
    readonly gateName: "deno" | "gate" = "deno",
  ) {}

  /** Records a refusal for the tracer and passes it on. */
  refuse(refusal: PermissionRefusal): void {
    this.lastRefusal = refusal;
    this.onRefusal?.(refusal);
  }

  bindMemory(memory: MemoryLike): void {
    this.#memory = new GuestMemory(memory);
  }

  /** The guest memory, or undefined before it is bound (for the tracer, which must not throw). */
  get boundMemory(): GuestMemory | undefined {
    return this.#memory;
  }

  get mem(): GuestMemory {
    if (!this.#memory) {
      throw new Error("a WASI function was called before WASI.start() or WASI.initialize() bound the memory");
    }
    return this.#memory;
  }

  /** Fails with ENOTCAPABLE unless `entry` holds every right in `rights`. */
  need(entry: Entry, rights: bigint): void {
    if ((entry.rightsBase & rights) !== rights) fail(Errno.NOTCAPABLE);
  }

  /**
   * The directory `fd` refers to, holding `right`. Any other descriptor is EBADF, as in wasmtime
   * (path_open below a file is ENOTDIR: it checks that first).
   */
  dir(fd: number, right: bigint): DirEntry {
    const entry = this.fds.get(fd);
    if (entry.kind !== "dir") fail(Errno.BADF);
    this.need(entry, right);
    return entry;
  }

  /**
   * Reads the guest path at (ptr, len) and resolves it below directory `dir`; the result holds a
   * handle of its parent directory, so take it with `using`.
   */
  resolveIn(dir: DirEntry, ptr: number, len: number, followLast: boolean): Resolved {
    const r = this.fs.resolve(dir.handle, this.mem.string(ptr, len), followLast);
    // Even looking at an entry (does it exist, what is it) needs read permission for its path.
    if (!this.gate.read(r.host)) {
      r[Symbol.dispose]();
      refused("read", r.host);
    }
    return r;
  }

  /** Fails unless the host may modify `host`: EROFS below read-only preopens, EACCES without a grant. */
  mayWrite(entry: { readOnly: boolean }, host: string): void {
    if (entry.readOnly) fail(Errno.ROFS);
    if (!this.gate.write(host)) refused("write", host);
  }

  mayRead(host: string): void {
    if (!this.gate.read(host)) refused("read", host);
  }
}
