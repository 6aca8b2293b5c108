/**
 * path_open: the one way to get a new descriptor. Honours oflags (CREAT, DIRECTORY, EXCL, TRUNC),
 * lookupflags (a symlink as the last component without SYMLINK_FOLLOW is ELOOP, like O_NOFOLLOW),
 * trailing slashes, fdflags, and rights: the new fd gets the requested rights, which must be among
 * those the directory passes on, narrowed to what a file or a directory can do.
 */
import {
  ALL_FDFLAGS,
  ALL_OFLAGS,
  DIR_RIGHTS,
  Errno,
  FILE_RIGHTS,
  LOOKUP_SYMLINK_FOLLOW,
  OFlags,
  Rights,
} from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import type { Entry } from "./fd_table.ts";
import { fileTypeOf } from "./filestat.ts";
import type { HostFunctions } from "./functions.ts";

/** Rights that need the host file opened for writing. */
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_DATASYNC;

export function pathOpenFunctions(ctx: HostContext): HostFunctions {
  return {
    path_open(
      fd: number,
      lookupFlags: number,
      ptr: number,
      len: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ) {
      const dir = ctx.dir(fd, Rights.PATH_OPEN);
      if (oflags & ~ALL_OFLAGS || fdflags & ~ALL_FDFLAGS) fail(Errno.INVAL);
      const base = BigInt.asUintN(64, rightsBase);
      const inheriting = BigInt.asUintN(64, rightsInheriting);
      if ((base & ~dir.rightsInheriting) !== 0n || (inheriting & ~dir.rightsInheriting) !== 0n) {
        fail(Errno.NOTCAPABLE);
      }
      const creat = (oflags & OFlags.CREAT) !== 0;
      const trunc = (oflags & OFlags.TRUNC) !== 0;
      if (creat) ctx.need(dir, Rights.PATH_CREATE_FILE);
      if (trunc) ctx.need(dir, Rights.PATH_FILESTAT_SET_SIZE);
      ctx.mem.check(fdPtr, 4);

      const r = ctx.resolveAt(fd, Rights.PATH_OPEN, ptr, len, (lookupFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const write = trunc || (base & WRITE_RIGHTS) !== 0n;
      const read = (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !write;
      let entry: Entry;

      if (r.info) {
        if (creat && (oflags & OFlags.EXCL)) fail(Errno.EXIST);
        if (r.info.isSymlink) fail(Errno.LOOP); // not followed: O_NOFOLLOW semantics
        if (r.info.isDirectory) {
          if (write) fail(Errno.ISDIR);
          ctx.mayRead(r.host);
          entry = {
            kind: "dir",
            preopen: r.preopen,
            parts: r.parts,
            rightsBase: base & DIR_RIGHTS,
            rightsInheriting: inheriting,
            fdflags,
          };
        } else {
          if (oflags & OFlags.DIRECTORY) fail(Errno.NOTDIR);
          if (write) ctx.mayWrite(r);
          if (read) ctx.mayRead(r.host);
          const handle = Deno.openSync(r.host, { read, write, truncate: trunc });
          entry = {
            kind: "file",
            preopen: r.preopen,
            parts: r.parts,
            handle,
            filetype: fileTypeOf(r.info),
            rightsBase: base & FILE_RIGHTS,
            rightsInheriting: inheriting,
            fdflags,
          };
        }
      } else {
        if (!creat) fail(Errno.NOENT);
        if (r.mustBeDir) fail(Errno.ISDIR); // open("name/", O_CREAT)
        if (oflags & OFlags.DIRECTORY) fail(Errno.INVAL);
        ctx.mayWrite(r);
        if (read) ctx.mayRead(r.host);
        // createNew is O_EXCL: a file that appeared since the lookup is not silently reused.
        const handle = Deno.openSync(r.host, { read, write: true, createNew: true });
        entry = {
          kind: "file",
          preopen: r.preopen,
          parts: r.parts,
          handle,
          filetype: fileTypeOf(handle.statSync()),
          rightsBase: base & FILE_RIGHTS,
          rightsInheriting: inheriting,
          fdflags,
        };
      }
      ctx.mem.setU32(fdPtr, ctx.fds.add(entry));
    },
  };
}
