/**
 * Operations on paths below a directory fd (everything but path_open): create/remove directories,
 * stat and touch, hard links, symlinks, rename, unlink. Every path is resolved by the file system
 * backend below its directory (which holds the parent until the call is done); every change is
 * checked against read-only preopens and the permission gate first.
 */
import type { Abi } from "./abi.ts";
import { Errno, FileType, LOOKUP_SYMLINK_FOLLOW, Rights } from "./constants.ts";
import { checkLookupFlags, type HostContext } from "./context.ts";
import { fail, refused } from "./errors.ts";
import type { Filestat } from "./filestat.ts";
import type { Resolved } from "./fs/types.ts";
import { targetStaysInside } from "./fs/walk.ts";
import type { HostFunctions } from "./functions.ts";
import { checkFstFlags, newTimes } from "./times.ts";

/** Whether lookupflags ask to follow a final symlink (validated first: unknown bits are EINVAL). */
function follows(flags: number): boolean {
  checkLookupFlags(flags);
  return (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
}

function existing(r: Resolved): Filestat {
  if (!r.info) fail(Errno.NOENT);
  return r.info;
}

export function pathFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  /** Deno wants read and write on both ends of a rename or link. */
  function mayReadWrite(dir: { readOnly: boolean }, r: Resolved): void {
    ctx.mayWrite(dir, r.host);
    ctx.mayRead(r.host);
  }

  return {
    path_create_directory(fd: number, ptr: number, len: number) {
      const dir = ctx.dir(fd, Rights.PATH_CREATE_DIRECTORY);
      using r = ctx.resolveIn(dir, ptr, len, false);
      if (r.info) fail(Errno.EXIST);
      ctx.mayWrite(dir, r.host);
      ctx.fs.mkdir(r);
    },

    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number) {
      const follow = follows(flags);
      const dir = ctx.dir(fd, Rights.PATH_FILESTAT_GET);
      using r = ctx.resolveIn(dir, ptr, len, follow);
      abi.writeFilestat(ctx.mem, buf, existing(r));
    },

    path_filestat_set_times(
      fd: number,
      flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fstFlags: number,
    ) {
      const follow = follows(flags);
      checkFstFlags(fstFlags);
      const dir = ctx.dir(fd, Rights.PATH_FILESTAT_SET_TIMES);
      using r = ctx.resolveIn(dir, ptr, len, follow);
      existing(r);
      ctx.mayWrite(dir, r.host);
      const [a, m] = newTimes(atim, mtim, fstFlags);
      ctx.fs.setTimes(r, a, m);
    },

    path_link(
      oldFd: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ) {
      const follow = follows(oldFlags);
      const fromDir = ctx.dir(oldFd, Rights.PATH_LINK_SOURCE);
      const toDir = ctx.dir(newFd, Rights.PATH_LINK_TARGET);
      using from = ctx.resolveIn(fromDir, oldPtr, oldLen, follow);
      using to = ctx.resolveIn(toDir, newPtr, newLen, false);
      const info = existing(from);
      if (info.filetype === FileType.DIRECTORY) fail(Errno.PERM);
      if (to.info) fail(Errno.EXIST);
      if (to.mustBeDir) fail(Errno.NOENT);
      // A second name in a writable preopen would make a read-only preopen's file writable:
      // refuse it the way a link across mounts is refused.
      if (fromDir.readOnly && !toDir.readOnly) fail(Errno.XDEV);
      mayReadWrite(toDir, to);
      if (!ctx.gate.read(from.host)) refused("read", from.host);
      if (!ctx.gate.write(from.host)) refused("write", from.host);
      ctx.fs.link(from, to);
    },

    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, bufusedPtr: number) {
      const dir = ctx.dir(fd, Rights.PATH_READLINK);
      using r = ctx.resolveIn(dir, ptr, len, false);
      if (existing(r).filetype !== FileType.SYMBOLIC_LINK) fail(Errno.INVAL);
      ctx.mem.bytes(buf, bufLen);
      ctx.mem.check(bufusedPtr, 4);
      const target = ctx.fs.readlink(r);
      // Like readlink(2): a short buffer gets the first bytes, without a terminator.
      const n = Math.min(target.length, bufLen >>> 0);
      ctx.mem.write(buf, target.subarray(0, n));
      ctx.mem.setU32(bufusedPtr, n);
    },

    path_remove_directory(fd: number, ptr: number, len: number) {
      const dir = ctx.dir(fd, Rights.PATH_REMOVE_DIRECTORY);
      using r = ctx.resolveIn(dir, ptr, len, false);
      if (r.lastComponent === ".") fail(Errno.INVAL);
      if (r.lastComponent === "..") fail(Errno.NOTEMPTY);
      if (existing(r).filetype !== FileType.DIRECTORY) fail(Errno.NOTDIR);
      if (r.isRoot) fail(Errno.BUSY); // the directory the path is resolved from
      ctx.mayWrite(dir, r.host);
      ctx.fs.rmdir(r);
    },

    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
      const fromDir = ctx.dir(fd, Rights.PATH_RENAME_SOURCE);
      const toDir = ctx.dir(newFd, Rights.PATH_RENAME_TARGET);
      using from = ctx.resolveIn(fromDir, oldPtr, oldLen, false);
      using to = ctx.resolveIn(toDir, newPtr, newLen, false);
      const info = existing(from);
      for (const r of [from, to]) {
        if (r.lastComponent === "." || r.lastComponent === "..") fail(Errno.INVAL);
        if (r.isRoot) fail(Errno.BUSY);
      }
      const isDir = info.filetype === FileType.DIRECTORY;
      if (!isDir && (from.mustBeDir || to.mustBeDir)) fail(Errno.NOTDIR);
      mayReadWrite(fromDir, from);
      mayReadWrite(toDir, to);
      ctx.fs.rename(from, to);
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) {
      const target = ctx.mem.string(oldPtr, oldLen);
      if (target.includes("\0")) fail(Errno.INVAL);
      if (target === "") fail(Errno.NOENT);
      const dir = ctx.dir(fd, Rights.PATH_SYMLINK);
      using r = ctx.resolveIn(dir, newPtr, newLen, false);
      if (r.info) fail(Errno.EXIST);
      if (r.mustBeDir) fail(Errno.NOENT);
      // Containment never relies on this: a target is judged whenever the link is followed, from
      // wherever it sits then. But a link that points out of the directory it is made in would
      // lead host programs out too, so it is refused (absolute targets always are).
      if (!targetStaysInside(r.depth, target)) fail(Errno.NOTCAPABLE);
      ctx.mayWrite(dir, r.host);
      if (!ctx.gate.symlink()) refused("symlink", r.host);
      ctx.fs.symlink(target, r);
    },

    path_unlink_file(fd: number, ptr: number, len: number) {
      const dir = ctx.dir(fd, Rights.PATH_UNLINK_FILE);
      using r = ctx.resolveIn(dir, ptr, len, false);
      if (existing(r).filetype === FileType.DIRECTORY) fail(Errno.ISDIR);
      ctx.mayWrite(dir, r.host);
      ctx.fs.unlink(r);
    },
  };
}
