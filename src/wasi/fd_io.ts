/**
 * Reading, writing and positioning: fd_read, fd_pread, fd_write, fd_pwrite, fd_seek, fd_tell.
 * Scatter/gather goes through one host read or write, as readv/writev would, so a pipe returns what
 * it has instead of blocking to fill a second buffer.
 */
import type { Abi } from "./abi.ts";
import { Errno, FdFlags, Rights } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import type { Entry, FileEntry } from "./fd_table.ts";
import type { HostFunctions } from "./functions.ts";

/** Caps one host read, so a guest offering a huge buffer does not make the host allocate it. */
const MAX_READ = 16 << 20;

function totalLength(bufs: Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.length;
  return n;
}

function scatter(data: Uint8Array, bufs: Uint8Array[]): void {
  let at = 0;
  for (const b of bufs) {
    if (at >= data.length) break;
    const n = Math.min(b.length, data.length - at);
    b.set(data.subarray(at, at + n));
    at += n;
  }
}

function gather(bufs: Uint8Array[]): Uint8Array {
  if (bufs.length === 1) return bufs[0].slice();
  const out = new Uint8Array(totalLength(bufs));
  let at = 0;
  for (const b of bufs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The entry as a seekable file, or the POSIX error for what it is instead. */
function seekable(entry: Entry): FileEntry {
  if (entry.kind === "stream") fail(Errno.SPIPE);
  if (entry.kind === "dir") fail(Errno.ISDIR);
  return entry;
}

function readFile(handle: Deno.FsFile, into: Uint8Array): number {
  let done = 0;
  // Regular files return short counts only at end of file; keep reading until then.
  while (done < into.length) {
    const n = handle.readSync(into.subarray(done));
    if (n === null || n === 0) break;
    done += n;
  }
  return done;
}

function writeFile(handle: Deno.FsFile, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += handle.writeSync(data.subarray(done));
}

/** Runs `body` with the file positioned at `offset`, then puts the position back (pread/pwrite). */
function atOffset<T>(handle: Deno.FsFile, offset: bigint, body: () => T): T {
  const off = BigInt.asUintN(64, offset);
  if (off > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.INVAL);
  const saved = handle.seekSync(0, Deno.SeekMode.Current);
  handle.seekSync(Number(off), Deno.SeekMode.Start);
  try {
    return body();
  } finally {
    handle.seekSync(saved, Deno.SeekMode.Start);
  }
}

/** Honours the SYNC/DSYNC fdflags after a write. */
function syncAfterWrite(entry: FileEntry): void {
  if (entry.fdflags & FdFlags.SYNC) entry.handle.syncSync();
  else if (entry.fdflags & FdFlags.DSYNC) entry.handle.syncDataSync();
}

export function fdIoFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  return {
    fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number) {
      const entry = ctx.fds.get(fd);
      if (entry.kind === "dir") fail(Errno.ISDIR);
      ctx.need(entry, Rights.FD_READ);
      const bufs = ctx.mem.iovecs(iovs, iovsLen);
      ctx.mem.check(nreadPtr, 4);
      const temp = new Uint8Array(Math.min(totalLength(bufs), MAX_READ));
      const n = entry.kind === "stream" ? entry.stream.read(temp) : readFile(entry.handle, temp);
      // The read may have blocked; fetch the views again in case the memory was replaced meanwhile.
      scatter(temp.subarray(0, n), ctx.mem.iovecs(iovs, iovsLen));
      ctx.mem.setU32(nreadPtr, n);
    },

    fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number) {
      const entry = seekable(ctx.fds.get(fd));
      ctx.need(entry, Rights.FD_READ | Rights.FD_SEEK);
      const bufs = ctx.mem.iovecs(iovs, iovsLen);
      ctx.mem.check(nreadPtr, 4);
      const temp = new Uint8Array(Math.min(totalLength(bufs), MAX_READ));
      const n = atOffset(entry.handle, offset, () => readFile(entry.handle, temp));
      scatter(temp.subarray(0, n), bufs);
      ctx.mem.setU32(nreadPtr, n);
    },

    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) {
      const entry = ctx.fds.get(fd);
      if (entry.kind === "dir") fail(Errno.ISDIR);
      ctx.need(entry, Rights.FD_WRITE);
      const data = gather(ctx.mem.iovecs(iovs, iovsLen));
      ctx.mem.check(nwrittenPtr, 4);
      if (entry.kind === "stream") {
        entry.stream.write(data);
      } else {
        if (entry.fdflags & FdFlags.APPEND) entry.handle.seekSync(0, Deno.SeekMode.End);
        writeFile(entry.handle, data);
        syncAfterWrite(entry);
      }
      ctx.mem.setU32(nwrittenPtr, data.length);
    },

    fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number) {
      const entry = seekable(ctx.fds.get(fd));
      ctx.need(entry, Rights.FD_WRITE | Rights.FD_SEEK);
      const data = gather(ctx.mem.iovecs(iovs, iovsLen));
      ctx.mem.check(nwrittenPtr, 4);
      atOffset(entry.handle, offset, () => writeFile(entry.handle, data));
      syncAfterWrite(entry);
      ctx.mem.setU32(nwrittenPtr, data.length);
    },

    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number) {
      const entry = ctx.fds.get(fd);
      if (entry.kind === "stream") fail(Errno.SPIPE);
      if (entry.kind === "dir") fail(Errno.BADF);
      const mode = abi.seekMode(whence);
      if (mode === undefined) fail(Errno.INVAL);
      // A pure position query needs only FD_TELL, as in the spec.
      const isTell = offset === 0n && mode === Deno.SeekMode.Current;
      ctx.need(entry, isTell ? Rights.FD_TELL : Rights.FD_SEEK);
      ctx.mem.check(newOffsetPtr, 8);
      const current = entry.handle.seekSync(0, Deno.SeekMode.Current);
      const base = mode === Deno.SeekMode.Start
        ? 0n
        : mode === Deno.SeekMode.Current
        ? BigInt(current)
        : BigInt(entry.handle.statSync().size);
      const target = base + offset;
      if (target < 0n || target > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.INVAL);
      const pos = entry.handle.seekSync(Number(target), Deno.SeekMode.Start);
      ctx.mem.setU64(newOffsetPtr, BigInt(pos));
    },

    fd_tell(fd: number, offsetPtr: number) {
      const entry = ctx.fds.get(fd);
      if (entry.kind === "stream") fail(Errno.SPIPE);
      if (entry.kind === "dir") fail(Errno.BADF);
      ctx.need(entry, Rights.FD_TELL);
      ctx.mem.check(offsetPtr, 8);
      ctx.mem.setU64(offsetPtr, BigInt(entry.handle.seekSync(0, Deno.SeekMode.Current)));
    },
  };
}
