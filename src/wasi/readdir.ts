/**
 * fd_readdir: lists `.` and `..` first, then the directory's entries, each as a 24-byte dirent
 * header followed by its name. The cookie of an entry is its index + 1, so a guest resumes where it
 * left off; the listing is snapshotted at cookie 0 so later cookies stay meaningful. The last entry
 * that does not fit is written truncated to fill the buffer exactly, which tells the guest to call
 * again (with a bigger buffer if not even the header fitted).
 */
import { FileType, Rights } from "./constants.ts";
import type { HostContext } from "./context.ts";
import type { DirEntry } from "./fd_table.ts";
import type { ListedEntry } from "./fs/types.ts";
import type { HostFunctions } from "./functions.ts";
import { utf8Encoder } from "./memory.ts";

const DIRENT_SIZE = 24;

function listing(ctx: HostContext, dir: DirEntry): ListedEntry[] {
  ctx.mayRead(dir.handle.hostPath());
  const self = dir.handle.stat().ino;
  // At a preopen's root, ".." is the root itself: the sandbox has no parent to show.
  const parent = dir.handle.parentIno(dir.preopenName !== undefined);
  return [
    { name: utf8Encoder.encode("."), filetype: FileType.DIRECTORY, ino: self },
    { name: utf8Encoder.encode(".."), filetype: FileType.DIRECTORY, ino: parent },
    ...dir.handle.list(),
  ];
}

function encodeDirent(e: ListedEntry, next: number): Uint8Array {
  const bytes = new Uint8Array(DIRENT_SIZE + e.name.length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(next), true);
  view.setBigUint64(8, e.ino, true);
  view.setUint32(16, e.name.length, true);
  view.setUint8(20, e.filetype);
  bytes.set(e.name, DIRENT_SIZE);
  return bytes;
}

export function readdirFunctions(ctx: HostContext): HostFunctions {
  return {
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number) {
      const entry = ctx.dir(fd, Rights.FD_READDIR); // a file or stdio: EBADF, as in wasmtime
      const out = ctx.mem.bytes(buf, bufLen);
      ctx.mem.check(bufusedPtr, 4);
      const start = BigInt.asUintN(64, cookie);
      if (start === 0n || !entry.listing) entry.listing = listing(ctx, entry);
      const entries = entry.listing;
      let used = 0;
      const first = start > BigInt(entries.length) ? entries.length : Number(start);
      for (let i = first; i < entries.length; i++) {
        const bytes = encodeDirent(entries[i], i + 1);
        const n = Math.min(bytes.length, out.length - used);
        out.set(bytes.subarray(0, n), used);
        used += n;
        if (n < bytes.length) break;
      }
      ctx.mem.setU32(bufusedPtr, used);
    },
  };
}
