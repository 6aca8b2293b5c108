/**
 * Operations on paths below a directory fd (everything but path_open): create/remove directories,
 * stat and touch, hard links, symlinks, rename, unlink. Every path goes through the sandbox
 * resolver; every change is checked against read-only preopens and the permission gate first.
 */
import type { Abi } from "./abi.ts";
import { Errno, LOOKUP_SYMLINK_FOLLOW, Rights } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import { filestatOf } from "./filestat.ts";
import type { HostFunctions } from "./functions.ts";
import { utf8Encoder } from "./memory.ts";
import { type Resolved, symlinkTargetStaysInside } from "./sandbox.ts";
import { checkFstFlags, chooseTimes } from "./times.ts";

function follows(flags: number): boolean {
  return (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
}

function existing(r: Resolved): Deno.FileInfo {
  if (!r.info) fail(Errno.NOENT);
  return r.info;
}

export function pathFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  /** Deno wants read and write on both ends of a rename or link. */
  function mayReadWrite(r: Resolved): void {
    ctx.mayWrite(r);
    ctx.mayRead(r.host);
  }

  return {
    path_create_directory(fd: number, ptr: number, len: number) {
      const r = ctx.resolveAt(fd, Rights.PATH_CREATE_DIRECTORY, ptr, len, false);
      if (r.info) fail(Errno.EXIST);
      ctx.mayWrite(r);
      Deno.mkdirSync(r.host);
    },

    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number) {
      const r = ctx.resolveAt(fd, Rights.PATH_FILESTAT_GET, ptr, len, follows(flags));
      abi.writeFilestat(ctx.mem, buf, filestatOf(existing(r)));
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
      checkFstFlags(fstFlags);
      const r = ctx.resolveAt(fd, Rights.PATH_FILESTAT_SET_TIMES, ptr, len, follows(flags));
      const info = existing(r);
      // Deno can only set times through a link (utime follows it), not on the link itself.
      if (info.isSymlink) fail(Errno.NOTSUP);
      ctx.mayWrite(r);
      const [a, m] = chooseTimes(info, atim, mtim, fstFlags);
      Deno.utimeSync(r.host, a, m);
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
      const from = ctx.resolveAt(oldFd, Rights.PATH_LINK_SOURCE, oldPtr, oldLen, follows(oldFlags));
      const to = ctx.resolveAt(newFd, Rights.PATH_LINK_TARGET, newPtr, newLen, false);
      const info = existing(from);
      if (info.isDirectory) fail(Errno.PERM);
      if (to.info) fail(Errno.EXIST);
      if (to.mustBeDir) fail(Errno.NOENT);
      // A second name in a writable preopen would make a read-only preopen's file writable:
      // refuse it the way a link across mounts is refused.
      if (from.preopen.readOnly && !to.preopen.readOnly) fail(Errno.XDEV);
      mayReadWrite(to);
      if (!ctx.gate.read(from.host) || !ctx.gate.write(from.host)) fail(Errno.ACCES);
      Deno.linkSync(from.host, to.host);
    },

    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, bufusedPtr: number) {
      const r = ctx.resolveAt(fd, Rights.PATH_READLINK, ptr, len, false);
      if (!existing(r).isSymlink) fail(Errno.INVAL);
      const out = ctx.mem.bytes(buf, bufLen);
      ctx.mem.check(bufusedPtr, 4);
      const target = utf8Encoder.encode(Deno.readLinkSync(r.host));
      // Like readlink(2): a short buffer gets the first bytes, without a terminator.
      const n = Math.min(target.length, out.length);
      out.set(target.subarray(0, n));
      ctx.mem.setU32(bufusedPtr, n);
    },

    path_remove_directory(fd: number, ptr: number, len: number) {
      const r = ctx.resolveAt(fd, Rights.PATH_REMOVE_DIRECTORY, ptr, len, false);
      if (r.lastComponent === ".") fail(Errno.INVAL);
      if (r.lastComponent === "..") fail(Errno.NOTEMPTY);
      if (!existing(r).isDirectory) fail(Errno.NOTDIR);
      if (r.parts.length === 0) fail(Errno.BUSY); // the preopen itself
      ctx.mayWrite(r);
      Deno.removeSync(r.host);
    },

    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
      const from = ctx.resolveAt(fd, Rights.PATH_RENAME_SOURCE, oldPtr, oldLen, false);
      const to = ctx.resolveAt(newFd, Rights.PATH_RENAME_TARGET, newPtr, newLen, false);
      const info = existing(from);
      for (const r of [from, to]) {
        if (r.lastComponent === "." || r.lastComponent === "..") fail(Errno.INVAL);
        if (r.parts.length === 0) fail(Errno.BUSY);
      }
      if (!info.isDirectory && (from.mustBeDir || to.mustBeDir)) fail(Errno.NOTDIR);
      mayReadWrite(from);
      mayReadWrite(to);
      Deno.renameSync(from.host, to.host);
      ctx.fds.movePaths(from, to);
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) {
      const target = ctx.mem.string(oldPtr, oldLen);
      if (target.includes("\0")) fail(Errno.INVAL);
      if (target === "") fail(Errno.NOENT);
      const r = ctx.resolveAt(fd, Rights.PATH_SYMLINK, newPtr, newLen, false);
      if (r.info) fail(Errno.EXIST);
      if (r.mustBeDir) fail(Errno.NOENT);
      // A link whose target leaves the sandbox would be a door out for whoever follows it later.
      if (!symlinkTargetStaysInside(r.parts.slice(0, -1), target)) fail(Errno.NOTCAPABLE);
      ctx.mayWrite(r);
      if (!ctx.gate.symlink()) fail(Errno.ACCES);
      Deno.symlinkSync(target, r.host);
    },

    path_unlink_file(fd: number, ptr: number, len: number) {
      const r = ctx.resolveAt(fd, Rights.PATH_UNLINK_FILE, ptr, len, false);
      if (existing(r).isDirectory) fail(Errno.ISDIR);
      ctx.mayWrite(r);
      Deno.removeSync(r.host);
    },
  };
}
