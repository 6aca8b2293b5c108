/**
 * Descriptor management and metadata: fd_close, fd_renumber, fd_fdstat_*, fd_filestat_*,
 * fd_advise, fd_allocate, fd_sync, fd_datasync, fd_prestat_get, fd_prestat_dir_name.
 */
import type { Abi } from "./abi.ts";
import { ALL_FDFLAGS, Errno, FileType, PREOPENTYPE_DIR, Rights } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import type { Entry, FileEntry } from "./fd_table.ts";
import type { Filestat } from "./filestat.ts";
import type { HostFunctions } from "./functions.ts";
import { utf8Encoder } from "./memory.ts";
import { newTimes } from "./times.ts";

function filetypeOf(entry: Entry): number {
  switch (entry.kind) {
    case "stream":
      return entry.stream.filetype;
    case "file":
      return entry.filetype;
    case "dir":
      return FileType.DIRECTORY;
  }
}

/** The entry as an open file: anything else (stdio, a directory) is EBADF, as in wasmtime. */
function fileOnly(entry: Entry): FileEntry {
  if (entry.kind !== "file") fail(Errno.BADF);
  return entry;
}

function u64(value: bigint): bigint {
  return BigInt.asUintN(64, value);
}

export function fdMetaFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  function statOf(entry: Entry): Filestat {
    switch (entry.kind) {
      case "stream":
        return entry.stream.stat();
      case "file":
        return { ...entry.handle.stat(), filetype: entry.filetype };
      case "dir":
        ctx.mayRead(entry.handle.hostPath());
        return entry.handle.stat();
    }
  }

  return {
    fd_close(fd: number) {
      ctx.fds.close(fd);
    },

    fd_renumber(from: number, to: number) {
      ctx.fds.renumber(from, to);
    },

    fd_fdstat_get(fd: number, ptr: number) {
      const entry = ctx.fds.get(fd);
      const mem = ctx.mem;
      mem.check(ptr, 24);
      mem.bytes(ptr, 8).fill(0);
      mem.setU8(ptr, filetypeOf(entry));
      mem.setU16(ptr + 2, entry.fdflags);
      mem.setU64(ptr + 8, entry.rightsBase);
      mem.setU64(ptr + 16, entry.rightsInheriting);
    },

    fd_fdstat_set_flags(fd: number, flags: number) {
      if (flags & ~ALL_FDFLAGS) fail(Errno.INVAL);
      const entry = ctx.fds.get(fd);
      // A directory has no flags to set (wasmtime: EBADF). stdio keeps its NONBLOCK/APPEND (where
      // wasmtime says EBADF): fcntl(0, F_SETFL, O_NONBLOCK) is how a program asks for it.
      if (entry.kind === "dir") fail(Errno.BADF);
      ctx.need(entry, Rights.FD_FDSTAT_SET_FLAGS);
      entry.fdflags = flags;
    },

    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint) {
      const entry = ctx.fds.get(fd);
      const b = u64(base);
      const i = u64(inheriting);
      // Rights can only be dropped, never gained.
      if ((b & ~entry.rightsBase) !== 0n || (i & ~entry.rightsInheriting) !== 0n) fail(Errno.NOTCAPABLE);
      entry.rightsBase = b;
      entry.rightsInheriting = i;
    },

    fd_filestat_get(fd: number, ptr: number) {
      const entry = ctx.fds.get(fd);
      ctx.need(entry, Rights.FD_FILESTAT_GET);
      abi.writeFilestat(ctx.mem, ptr, statOf(entry));
    },

    fd_filestat_set_size(fd: number, size: bigint) {
      const entry = ctx.fds.get(fd);
      // Files only, as in wasmtime: stdio is EBADF (the host file behind a redirected stdout is
      // never truncated or touched), and so is a directory, before the rights it lacks are looked at.
      const file = fileOnly(entry);
      if (file.readOnly) fail(Errno.ROFS);
      if (!file.hostWrite) fail(Errno.INVAL); // opened read-only: EINVAL, as ftruncate(2) (so wasmtime)
      ctx.need(file, Rights.FD_FILESTAT_SET_SIZE);
      const n = u64(size);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.FBIG);
      file.handle.setSize(Number(n));
    },

    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number) {
      // The flags are judged first (EINVAL whatever the fd), then the descriptor: stdio is EBADF.
      const [a, m] = newTimes(atim, mtim, flags);
      const entry = ctx.fds.get(fd);
      if (entry.kind === "stream") fail(Errno.BADF);
      ctx.need(entry, Rights.FD_FILESTAT_SET_TIMES);
      if (entry.readOnly) fail(Errno.ROFS);
      if (entry.kind === "dir") {
        const host = entry.handle.hostPath();
        ctx.mayWrite(entry, host);
        ctx.mayRead(host);
      }
      entry.handle.setTimes(a, m);
    },

    fd_advise(fd: number, offset: bigint, len: bigint, advice: number) {
      // An unknown advice is EINVAL whatever the fd; anything but a file is EBADF (as wasmtime).
      if (advice < 0 || advice > 5) fail(Errno.INVAL);
      const entry = fileOnly(ctx.fds.get(fd));
      ctx.need(entry, Rights.FD_ADVISE);
      if (offset < 0n || len < 0n) fail(Errno.INVAL);
      // Advice is a hint about future access; Deno exposes no fadvise, and ignoring a hint is a
      // correct implementation of it.
    },

    fd_allocate(fd: number, offset: bigint, len: bigint) {
      const entry = fileOnly(ctx.fds.get(fd));
      if (!entry.hostWrite) fail(Errno.BADF); // opened read-only: EBADF, as posix_fallocate(3)
      ctx.need(entry, Rights.FD_ALLOCATE);
      const off = u64(offset);
      const n = u64(len);
      if (n === 0n) fail(Errno.INVAL);
      if (entry.readOnly) fail(Errno.ROFS);
      if (off + n > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.FBIG);
      // posix_fallocate: afterwards the file is at least offset + len bytes long; data is never lost.
      entry.handle.allocate(Number(off), Number(n));
    },

    fd_datasync(fd: number) {
      const entry = fileOnly(ctx.fds.get(fd));
      ctx.need(entry, Rights.FD_DATASYNC);
      entry.handle.datasync();
    },

    fd_sync(fd: number) {
      const entry = ctx.fds.get(fd);
      // stdio is EBADF, as in wasmtime. A directory is synced (fsync(2) of a directory is how a
      // program makes a rename durable), where wasmtime says EBADF.
      if (entry.kind === "stream") fail(Errno.BADF);
      ctx.need(entry, Rights.FD_SYNC);
      if (entry.kind === "dir") ctx.mayRead(entry.handle.hostPath());
      entry.handle.sync();
    },

    fd_prestat_get(fd: number, ptr: number) {
      const entry = ctx.fds.get(fd);
      if (entry.kind !== "dir" || entry.preopenName === undefined) fail(Errno.BADF);
      ctx.mem.check(ptr, 8);
      ctx.mem.bytes(ptr, 8).fill(0);
      ctx.mem.setU8(ptr, PREOPENTYPE_DIR);
      ctx.mem.setU32(ptr + 4, utf8Encoder.encode(entry.preopenName).length);
    },

    fd_prestat_dir_name(fd: number, ptr: number, len: number) {
      const entry = ctx.fds.get(fd);
      // An open descriptor that is not a preopen: ENOTDIR (wasmtime; fd_prestat_get says EBADF).
      if (entry.kind !== "dir" || entry.preopenName === undefined) fail(Errno.NOTDIR);
      const name = utf8Encoder.encode(entry.preopenName);
      if ((len >>> 0) < name.length) fail(Errno.NAMETOOLONG);
      ctx.mem.write(ptr, name);
    },
  };
}
