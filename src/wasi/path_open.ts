/**
 * path_open: the one way to get a new descriptor. Honours oflags (CREAT, DIRECTORY, EXCL, TRUNC),
 * lookupflags (a symlink as the last component without SYMLINK_FOLLOW is ELOOP, like O_NOFOLLOW),
 * trailing slashes, fdflags, and rights: the new fd gets the requested rights, which must be among
 * those the directory passes on, narrowed to what a file or a directory can do.
 */
import {
  ALL_FDFLAGS,
  ALL_OFLAGS,
  ALL_RIGHTS,
  DIR_RIGHTS,
  Errno,
  FILE_RIGHTS,
  FileType,
  LOOKUP_SYMLINK_FOLLOW,
  OFlags,
  Rights,
} from "./constants.ts";
import { checkLookupFlags, type HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import type { Entry } from "./fd_table.ts";
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
      // Every argument is decoded before the descriptor is looked at (as wasmtime's bindings do):
      // unknown flag or rights bits are EINVAL whatever the fd.
      checkLookupFlags(lookupFlags);
      if (oflags & ~ALL_OFLAGS || fdflags & ~ALL_FDFLAGS) fail(Errno.INVAL);
      const base = BigInt.asUintN(64, rightsBase);
      const inheriting = BigInt.asUintN(64, rightsInheriting);
      if ((base | inheriting) & ~ALL_RIGHTS) fail(Errno.INVAL);
      // Below a file: ENOTDIR (wasmtime); below stdio: EBADF (ctx.dir).
      if (ctx.fds.get(fd).kind === "file") fail(Errno.NOTDIR);
      const dir = ctx.dir(fd, Rights.PATH_OPEN);
      // DIRECTORY with CREAT, EXCL or TRUNC asks for something no directory open can be: EINVAL, as
      // in wasmtime, before the path is looked at.
      if ((oflags & OFlags.DIRECTORY) && (oflags & (OFlags.CREAT | OFlags.EXCL | OFlags.TRUNC))) {
        fail(Errno.INVAL);
      }
      if ((base & ~dir.rightsInheriting) !== 0n || (inheriting & ~dir.rightsInheriting) !== 0n) {
        fail(Errno.NOTCAPABLE);
      }
      const creat = (oflags & OFlags.CREAT) !== 0;
      const trunc = (oflags & OFlags.TRUNC) !== 0;
      if (creat) ctx.need(dir, Rights.PATH_CREATE_FILE);
      if (trunc) ctx.need(dir, Rights.PATH_FILESTAT_SET_SIZE);
      ctx.mem.check(fdPtr, 4);

      using r = ctx.resolveIn(dir, ptr, len, (lookupFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const write = trunc || (base & WRITE_RIGHTS) !== 0n;
      const read = (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n || !write;
      const readOnly = dir.readOnly;
      let entry: Entry;

      if (r.info) {
        if (creat && (oflags & OFlags.EXCL)) fail(Errno.EXIST);
        if (r.info.filetype === FileType.SYMBOLIC_LINK) fail(Errno.LOOP); // not followed: O_NOFOLLOW
        if (r.info.filetype === FileType.DIRECTORY) {
          if (write) fail(Errno.ISDIR);
          ctx.mayRead(r.host);
          entry = {
            kind: "dir",
            handle: ctx.fs.openDir(r),
            readOnly,
            rightsBase: base & DIR_RIGHTS,
            rightsInheriting: inheriting,
            fdflags,
          };
        } else {
          if (oflags & OFlags.DIRECTORY) fail(Errno.NOTDIR);
          if (write) ctx.mayWrite(dir, r.host);
          if (read) ctx.mayRead(r.host);
          entry = {
            kind: "file",
            handle: ctx.fs.openFile(r, { read, write, create: false, truncate: trunc }),
            filetype: r.info.filetype,
            readOnly,
            hostRead: read,
            hostWrite: write,
            rightsBase: base & FILE_RIGHTS,
            rightsInheriting: inheriting,
            fdflags,
          };
        }
      } else {
        if (!creat) fail(Errno.NOENT);
        if (r.mustBeDir) fail(Errno.ISDIR); // open("name/", O_CREAT)
        if (oflags & OFlags.DIRECTORY) fail(Errno.INVAL);
        ctx.mayWrite(dir, r.host);
        if (read) ctx.mayRead(r.host);
        // Created exclusively: a file that appeared since the lookup is not silently reused.
        const handle = ctx.fs.openFile(r, { read, write: true, create: true, truncate: false });
        entry = {
          kind: "file",
          handle,
          filetype: FileType.REGULAR_FILE,
          readOnly,
          hostRead: read,
          hostWrite: true,
          rightsBase: base & FILE_RIGHTS,
          rightsInheriting: inheriting,
          fdflags,
        };
      }
      try {
        ctx.mem.setU32(fdPtr, ctx.fds.add(entry));
      } catch (err) {
        entry.handle.close(); // EMFILE: the host handle must not outlive the failed call
        throw err;
      }
    },
  };
}
