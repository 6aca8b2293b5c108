/**
 * Reading, writing and positioning: fd_read, fd_pread, fd_write, fd_pwrite, fd_seek, fd_tell.
 * Scatter/gather works on the guest's own buffers, one iovec after the other (a guest-controlled
 * total is never gathered into host memory): reads go straight into them, and writes take large
 * buffers as they are and copy small ones into one bounded scratch buffer first, so a thousand
 * one-byte iovecs are one host write. At most IOV_MAX iovecs are looked at per call, as writev(2)
 * allows: the rest is a short count, which callers loop on. A stream (stdio)
 * read fills only the first non-empty buffer, so a pipe returns what it has instead of blocking to
 * fill a second one; it ends at the deadline of a --timeout.
 */
import type { Abi } from "./abi.ts";
import { Errno, FdFlags, Rights } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { errnoOf, fail } from "./errors.ts";
import type { Entry, FileEntry, StreamEntry } from "./fd_table.ts";
import type { HostFunctions } from "./functions.ts";
import type { GuestMemory } from "./memory.ts";

/** Linux's IOV_MAX: iovecs looked at per call. */
export const IOV_MAX = 1024;
/** A stream read goes through a host buffer of at most this size (the source is user code). */
const STREAM_CHUNK = 64 << 10;
/** Writes of iovecs smaller than this are gathered, up to this many bytes, into one host write. */
const GATHER = 64 << 10;

/** The scratch buffer small iovecs are gathered in (shared: a WASI call runs to completion). */
const gatherBuffer = new Uint8Array(GATHER);

/**
 * Writes the iovecs in order through `write(chunk, at)` (`at`: bytes written so far) and returns
 * the total; stops at a short write. Small buffers are copied together first (see above).
 */
function writeAll(
  mem: GuestMemory,
  iovs: number[],
  write: (chunk: Uint8Array, at: number) => number,
): number {
  let total = 0, fill = 0;
  /** Writes `chunk` fully; false after a short write. */
  const put = (chunk: Uint8Array): boolean => {
    let done = 0;
    while (done < chunk.length) {
      const n = write(chunk.subarray(done), total);
      total += n, done += n;
      if (n === 0) return false;
    }
    return true;
  };
  const flush = (): boolean => {
    const ok = fill === 0 || put(gatherBuffer.subarray(0, fill));
    fill = 0;
    return ok;
  };
  for (let i = 0; i < iovs.length; i += 2) {
    const len = iovs[i + 1];
    if (len === 0) continue;
    if (len >= GATHER / 2) {
      if (!flush() || !put(mem.bytes(iovs[i], len))) return total;
    } else {
      if (fill + len > GATHER && !flush()) return total;
      gatherBuffer.set(mem.bytes(iovs[i], len), fill);
      fill += len;
    }
  }
  flush();
  return total;
}

/**
 * The (ptr, len) pairs of an iovec array, bounds-checked up front (EFAULT before anything is
 * done), at most IOV_MAX of them. Views are taken one at a time by the caller.
 */
function iovecList(mem: GuestMemory, ptr: number, count: number): number[] {
  const n = Math.min(count >>> 0, IOV_MAX);
  mem.check(ptr, n * 8);
  const out = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) {
    const p = mem.u32(ptr + i * 8), len = mem.u32(ptr + i * 8 + 4);
    mem.check(p, len);
    out[2 * i] = p, out[2 * i + 1] = len;
  }
  return out;
}

/**
 * The entry as a file for positional I/O (`read`: fd_pread, else fd_pwrite), or the error for what
 * it is instead, as wasmtime gives them: ESPIPE for the stream of that direction (stdin for pread,
 * stdout/stderr for pwrite), EBADF for the other streams and for directories.
 */
function positional(entry: Entry, read: boolean): FileEntry {
  if (entry.kind === "stream") fail(streamCan(entry, read) ? Errno.SPIPE : Errno.BADF);
  if (entry.kind === "dir") fail(Errno.BADF);
  return entry;
}

/** Whether a stream goes the way of the call (stdin reads, stdout and stderr write). */
function streamCan(entry: StreamEntry, read: boolean): boolean {
  return (entry.stream.rights & (read ? Rights.FD_READ : Rights.FD_WRITE)) !== 0n;
}

/**
 * The checks fd_read/fd_write start with. What the descriptor cannot do at all is EBADF, as in
 * wasmtime and POSIX: a directory, the stream of the other direction, a file the host opened
 * without that access. A right the guest dropped (fd_fdstat_set_rights, or not asked for in
 * path_open on a file opened for both) is ENOTCAPABLE.
 */
function checkIo(ctx: HostContext, entry: Entry, read: boolean): asserts entry is StreamEntry | FileEntry {
  if (entry.kind === "dir") fail(Errno.BADF);
  if (entry.kind === "stream" && !streamCan(entry, read)) fail(Errno.BADF);
  if (entry.kind === "file" && !(read ? entry.hostRead : entry.hostWrite)) fail(Errno.BADF);
  ctx.need(entry, read ? Rights.FD_READ : Rights.FD_WRITE);
}

/** Honours the SYNC/DSYNC fdflags after a write. */
function syncAfterWrite(entry: FileEntry): void {
  if (entry.fdflags & FdFlags.SYNC) entry.handle.sync();
  else if (entry.fdflags & FdFlags.DSYNC) entry.handle.datasync();
}

function checkOffset(offset: bigint): number {
  const off = BigInt.asUintN(64, offset);
  if (off > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.INVAL);
  return Number(off);
}

export function fdIoFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  /**
   * Reads a file into the iovecs in order; `at` is the file offset for pread, or undefined for
   * the current position. Stops at end of file (a short read).
   */
  function readFile(entry: FileEntry, iovs: number[], at: number | undefined): number {
    let total = 0;
    for (let i = 0; i < iovs.length; i += 2) {
      const buf = ctx.mem.bytes(iovs[i], iovs[i + 1]);
      let done = 0;
      while (done < buf.length) {
        const part = buf.subarray(done);
        const n = at === undefined ? entry.handle.read(part) : entry.handle.pread(part, at + total + done);
        if (n === 0) return total + done;
        done += n;
      }
      total += done;
    }
    return total;
  }

  /** Writes the iovecs to a file at its position (or at `at` for pwrite). */
  function writeFile(entry: FileEntry, iovs: number[], at: number | undefined): number {
    const append = (entry.fdflags & FdFlags.APPEND) !== 0;
    return writeAll(
      ctx.mem,
      iovs,
      at === undefined
        ? (chunk) => entry.handle.write(chunk, append)
        : (chunk, done) => entry.handle.pwrite(chunk, at + done),
    );
  }

  return {
    fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number) {
      const entry = ctx.fds.get(fd);
      checkIo(ctx, entry, true);
      const list = iovecList(ctx.mem, iovs, iovsLen);
      ctx.mem.check(nreadPtr, 4);
      let n = 0;
      if (entry.kind === "stream") {
        const i = list.findIndex((len, k) => k % 2 === 1 && len > 0);
        if (i >= 0) {
          const temp = new Uint8Array(Math.min(list[i], STREAM_CHUNK));
          n = entry.stream.read(temp, ctx.deadline(), (entry.fdflags & FdFlags.NONBLOCK) !== 0);
          // The source is user code: take the view only now, after it ran.
          ctx.mem.write(list[i - 1], temp.subarray(0, n));
        }
      } else {
        n = readFile(entry, list, undefined);
      }
      ctx.mem.setU32(nreadPtr, n);
    },

    fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number) {
      const entry = positional(ctx.fds.get(fd), true);
      checkIo(ctx, entry, true);
      ctx.need(entry, Rights.FD_SEEK);
      const list = iovecList(ctx.mem, iovs, iovsLen);
      ctx.mem.check(nreadPtr, 4);
      ctx.mem.setU32(nreadPtr, readFile(entry, list, checkOffset(offset)));
    },

    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) {
      const entry = ctx.fds.get(fd);
      checkIo(ctx, entry, false);
      const list = iovecList(ctx.mem, iovs, iovsLen);
      ctx.mem.check(nwrittenPtr, 4);
      let n = 0;
      if (entry.kind === "stream") {
        const stream = entry.stream;
        const nonblock = (entry.fdflags & FdFlags.NONBLOCK) !== 0;
        n = writeAll(ctx.mem, list, (chunk, at) => {
          try {
            return stream.write(chunk, ctx.deadline(), nonblock);
          } catch (err) {
            // Non-blocking and the pipe is full after some bytes went: a short write, not EAGAIN.
            if (nonblock && at > 0 && errnoOf(err) === Errno.AGAIN) return 0;
            throw err;
          }
        });
      } else {
        n = writeFile(entry, list, undefined);
        syncAfterWrite(entry);
      }
      ctx.mem.setU32(nwrittenPtr, n);
    },

    fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number) {
      const entry = positional(ctx.fds.get(fd), false);
      checkIo(ctx, entry, false);
      ctx.need(entry, Rights.FD_SEEK);
      const list = iovecList(ctx.mem, iovs, iovsLen);
      ctx.mem.check(nwrittenPtr, 4);
      const n = writeFile(entry, list, checkOffset(offset));
      syncAfterWrite(entry);
      ctx.mem.setU32(nwrittenPtr, n);
    },

    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number) {
      // An unknown whence is EINVAL before the descriptor is looked at (wasmtime decodes it first).
      const mode = abi.seekMode(whence);
      if (mode === undefined) fail(Errno.INVAL);
      const entry = ctx.fds.get(fd);
      if (entry.kind === "stream") fail(Errno.SPIPE);
      if (entry.kind === "dir") fail(Errno.BADF);
      // A pure position query needs only FD_TELL, as in the spec.
      const isTell = offset === 0n && mode === Deno.SeekMode.Current;
      ctx.need(entry, isTell ? Rights.FD_TELL : Rights.FD_SEEK);
      ctx.mem.check(newOffsetPtr, 8);
      const h = entry.handle;
      const base = mode === Deno.SeekMode.Start
        ? 0n
        : mode === Deno.SeekMode.Current
        ? BigInt(h.seek(0, 1))
        : h.stat().size;
      const target = base + offset;
      if (target < 0n || target > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.INVAL);
      ctx.mem.setU64(newOffsetPtr, BigInt(h.seek(Number(target), 0)));
    },

    fd_tell(fd: number, offsetPtr: number) {
      const entry = ctx.fds.get(fd);
      if (entry.kind === "stream") fail(Errno.SPIPE);
      if (entry.kind === "dir") fail(Errno.BADF);
      ctx.need(entry, Rights.FD_TELL);
      ctx.mem.check(offsetPtr, 8);
      ctx.mem.setU64(offsetPtr, BigInt(entry.handle.seek(0, 1)));
    },
  };
}
