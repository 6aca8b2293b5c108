/**
 * The `fstflags` rules shared by fd_filestat_set_times and path_filestat_set_times: each of atime
 * and mtime is left alone, set to a given nanosecond time, or set to now; asking for both "given"
 * and "now" is EINVAL. How exactly a time is kept is the backend's: to the nanosecond on the
 * native one, to about 0.2 µs through Deno's utime (and read back in milliseconds).
 */
import { Errno, FstFlags } from "./constants.ts";
import { fail } from "./errors.ts";
import type { NewTime } from "./fs/types.ts";

const KNOWN = FstFlags.ATIM | FstFlags.ATIM_NOW | FstFlags.MTIM | FstFlags.MTIM_NOW;

export function checkFstFlags(flags: number): void {
  if (flags & ~KNOWN) fail(Errno.INVAL);
  if ((flags & FstFlags.ATIM) && (flags & FstFlags.ATIM_NOW)) fail(Errno.INVAL);
  if ((flags & FstFlags.MTIM) && (flags & FstFlags.MTIM_NOW)) fail(Errno.INVAL);
}

/** The (atime, mtime) pair the flags ask for. */
export function newTimes(atim: bigint, mtim: bigint, flags: number): [NewTime, NewTime] {
  checkFstFlags(flags);
  const pick = (now: number, given: number, ns: bigint): NewTime =>
    flags & now ? "now" : flags & given ? BigInt.asUintN(64, ns) : "keep";
  return [pick(FstFlags.ATIM_NOW, FstFlags.ATIM, atim), pick(FstFlags.MTIM_NOW, FstFlags.MTIM, mtim)];
}
