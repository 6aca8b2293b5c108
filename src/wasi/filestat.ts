/**
 * WASI's view of file metadata: host `Deno.FileInfo` turned into WASI filetypes and nanosecond
 * timestamps, and the two memory layouts of `filestat` (preview1 and the older wasi_unstable).
 */
import { FileType } from "./constants.ts";
import type { GuestMemory } from "./memory.ts";

export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export function fileTypeOf(info: Deno.FileInfo): number {
  if (info.isFile) return FileType.REGULAR_FILE;
  if (info.isDirectory) return FileType.DIRECTORY;
  if (info.isSymlink) return FileType.SYMBOLIC_LINK;
  if (info.isBlockDevice) return FileType.BLOCK_DEVICE;
  if (info.isCharDevice) return FileType.CHARACTER_DEVICE;
  if (info.isSocket) return FileType.SOCKET_STREAM;
  return FileType.UNKNOWN; // FIFOs: WASI has no type for them
}

/** Deno reports times as Dates (millisecond precision); WASI wants nanoseconds since the epoch. */
export function dateToNs(date: Date | null | undefined): bigint {
  return date ? BigInt(date.getTime()) * 1_000_000n : 0n;
}

export function filestatOf(info: Deno.FileInfo, filetype = fileTypeOf(info)): Filestat {
  return {
    dev: BigInt(info.dev ?? 0),
    ino: BigInt(info.ino ?? 0),
    filetype,
    nlink: BigInt(info.nlink ?? 1),
    size: BigInt(info.size),
    atim: dateToNs(info.atime),
    mtim: dateToNs(info.mtime),
    ctim: dateToNs(info.ctime ?? info.mtime),
  };
}

/** Metadata for something that is not a host file (an in-memory stdio stream). */
export function syntheticFilestat(filetype: number): Filestat {
  return { dev: 0n, ino: 0n, filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
}

/** preview1 layout: 64 bytes, nlink is u64. */
export function writeFilestat(mem: GuestMemory, ptr: number, st: Filestat): void {
  mem.check(ptr, 64);
  mem.setU64(ptr, st.dev);
  mem.setU64(ptr + 8, st.ino);
  mem.bytes(ptr + 16, 8).fill(0);
  mem.setU8(ptr + 16, st.filetype);
  mem.setU64(ptr + 24, st.nlink);
  mem.setU64(ptr + 32, st.size);
  mem.setU64(ptr + 40, st.atim);
  mem.setU64(ptr + 48, st.mtim);
  mem.setU64(ptr + 56, st.ctim);
}

/** wasi_unstable layout: 56 bytes, nlink is u32. */
export function writeFilestatUnstable(mem: GuestMemory, ptr: number, st: Filestat): void {
  mem.check(ptr, 56);
  mem.setU64(ptr, st.dev);
  mem.setU64(ptr + 8, st.ino);
  mem.bytes(ptr + 16, 8).fill(0);
  mem.setU8(ptr + 16, st.filetype);
  mem.setU32(ptr + 20, Number(BigInt.asUintN(32, st.nlink)));
  mem.setU64(ptr + 24, st.size);
  mem.setU64(ptr + 32, st.atim);
  mem.setU64(ptr + 40, st.mtim);
  mem.setU64(ptr + 48, st.ctim);
}
