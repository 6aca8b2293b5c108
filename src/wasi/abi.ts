/**
 * The places where `wasi_unstable` (snapshot 0) and `wasi_snapshot_preview1` lay data out
 * differently: filestat (nlink u32 vs u64), `whence` numbering, and the clock subscription
 * (snapshot 0 has an extra `identifier` field). Everything else is shared.
 */
import { EventType, Whence } from "./constants.ts";
import { type Filestat, writeFilestat, writeFilestatUnstable } from "./filestat.ts";
import type { GuestMemory } from "./memory.ts";

export type Subscription =
  | { userdata: bigint; type: typeof EventType.CLOCK; clockId: number; timeout: bigint; flags: number }
  | { userdata: bigint; type: typeof EventType.FD_READ | typeof EventType.FD_WRITE; fd: number }
  | { userdata: bigint; type: number; invalid: true };

export interface Abi {
  writeFilestat(mem: GuestMemory, ptr: number, st: Filestat): void;
  /** The host seek mode for a guest `whence`, or undefined when it is not a valid one. */
  seekMode(whence: number): Deno.SeekMode | undefined;
  subscriptionSize: number;
  readSubscription(mem: GuestMemory, ptr: number): Subscription;
}

function readSubscription(mem: GuestMemory, ptr: number, clockAt: number): Subscription {
  const userdata = mem.u64(ptr);
  const type = mem.u8(ptr + 8);
  if (type === EventType.CLOCK) {
    return {
      userdata,
      type,
      clockId: mem.u32(ptr + clockAt),
      timeout: mem.u64(ptr + clockAt + 8),
      flags: mem.u16(ptr + clockAt + 24),
    };
  }
  if (type === EventType.FD_READ || type === EventType.FD_WRITE) {
    return { userdata, type, fd: mem.u32(ptr + 16) };
  }
  return { userdata, type, invalid: true };
}

export const preview1Abi: Abi = {
  writeFilestat,
  seekMode(whence) {
    switch (whence) {
      case Whence.SET:
        return Deno.SeekMode.Start;
      case Whence.CUR:
        return Deno.SeekMode.Current;
      case Whence.END:
        return Deno.SeekMode.End;
    }
    return undefined;
  },
  subscriptionSize: 48,
  readSubscription: (mem, ptr) => readSubscription(mem, ptr, 16),
};

export const unstableAbi: Abi = {
  writeFilestat: writeFilestatUnstable,
  seekMode(whence) {
    // snapshot 0: CUR = 0, END = 1, SET = 2
    switch (whence) {
      case 0:
        return Deno.SeekMode.Current;
      case 1:
        return Deno.SeekMode.End;
      case 2:
        return Deno.SeekMode.Start;
    }
    return undefined;
  },
  subscriptionSize: 56,
  readSubscription: (mem, ptr) => readSubscription(mem, ptr, 24),
};
