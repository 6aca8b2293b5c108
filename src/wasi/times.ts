/**
 * The `fstflags` rules shared by fd_filestat_set_times and path_filestat_set_times: each of atime
 * and mtime is left alone, set to a given nanosecond time, or set to now; asking for both "given"
 * and "now" is EINVAL. Deno's utime takes Dates, so the host keeps millisecond precision.
 */
import { Errno, FstFlags } from "./constants.ts";
import { fail } from "./errors.ts";

const KNOWN = FstFlags.ATIM | FstFlags.ATIM_NOW | FstFlags.MTIM | FstFlags.MTIM_NOW;

export function checkFstFlags(flags: number): void {
  if (flags & ~KNOWN) fail(Errno.INVAL);
  if ((flags & FstFlags.ATIM) && (flags & FstFlags.ATIM_NOW)) fail(Errno.INVAL);
  if ((flags & FstFlags.MTIM) && (flags & FstFlags.MTIM_NOW)) fail(Errno.INVAL);
}

function nsToDate(ns: bigint): Date {
  return new Date(Number(BigInt.asUintN(64, ns) / 1_000_000n));
}

/** The (atime, mtime) pair to hand to Deno, given the file's current times. */
export function chooseTimes(
  current: { atime: Date | null; mtime: Date | null },
  atim: bigint,
  mtim: bigint,
  flags: number,
): [Date, Date] {
  checkFstFlags(flags);
  const now = new Date();
  const atime = flags & FstFlags.ATIM_NOW
    ? now
    : flags & FstFlags.ATIM
    ? nsToDate(atim)
    : current.atime ?? now;
  const mtime = flags & FstFlags.MTIM_NOW
    ? now
    : flags & FstFlags.MTIM
    ? nsToDate(mtim)
    : current.mtime ?? now;
  return [atime, mtime];
}
