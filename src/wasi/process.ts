/**
 * Process-level functions: args_*, environ_*, clock_*, random_get, proc_exit, proc_raise,
 * sched_yield. Strings are counted in UTF-8 bytes, each with its terminating NUL.
 */
import { clockNow, clockResolution } from "./clocks.ts";
import { Errno, Signal } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail, WasiExit } from "./errors.ts";
import type { HostFunctions } from "./functions.ts";
import type { GuestMemory } from "./memory.ts";

function sizesGet(mem: GuestMemory, strings: Uint8Array[], countPtr: number, sizePtr: number): void {
  mem.check(countPtr, 4);
  mem.check(sizePtr, 4);
  mem.setU32(countPtr, strings.length);
  mem.setU32(sizePtr, strings.reduce((n, s) => n + s.length + 1, 0));
}

function stringsGet(mem: GuestMemory, strings: Uint8Array[], ptrs: number, buf: number): void {
  mem.check(ptrs, strings.length * 4);
  mem.check(buf, strings.reduce((n, s) => n + s.length + 1, 0));
  let at = buf >>> 0;
  strings.forEach((s, i) => {
    mem.setU32(ptrs + i * 4, at);
    mem.write(at, s);
    mem.setU8(at + s.length, 0);
    at += s.length + 1;
  });
}

/** Signals whose default action is to do nothing (or to stop and continue, which we cannot do). */
const IGNORED_SIGNALS = new Set<number>([
  Signal.CHLD,
  Signal.CONT,
  Signal.URG,
  Signal.WINCH,
  Signal.STOP,
  Signal.TSTP,
  Signal.TTIN,
  Signal.TTOU,
]);

/** WASI signal number → the POSIX (Linux) number, for the 128+N exit status of a killed process. */
const POSIX_SIGNAL: Record<number, number> = {
  [Signal.XCPU]: 24,
  [Signal.XFSZ]: 25,
  [Signal.VTALRM]: 26,
  [Signal.PROF]: 27,
  [Signal.POLL]: 29,
  [Signal.PWR]: 30,
  [Signal.SYS]: 31,
};

export function processFunctions(ctx: HostContext): HostFunctions {
  return {
    args_sizes_get: (countPtr: number, sizePtr: number) => sizesGet(ctx.mem, ctx.args, countPtr, sizePtr),
    args_get: (argv: number, buf: number) => stringsGet(ctx.mem, ctx.args, argv, buf),
    environ_sizes_get: (countPtr: number, sizePtr: number) => sizesGet(ctx.mem, ctx.env, countPtr, sizePtr),
    environ_get: (environ: number, buf: number) => stringsGet(ctx.mem, ctx.env, environ, buf),

    clock_res_get(id: number, ptr: number) {
      const res = clockResolution(id);
      if (res === undefined) fail(Errno.INVAL);
      ctx.mem.setU64(ptr, res);
    },

    clock_time_get(id: number, _precision: bigint, ptr: number) {
      ctx.mem.check(ptr, 8);
      const now = clockNow(id);
      if (now === undefined) fail(Errno.INVAL);
      ctx.mem.setU64(ptr, now);
    },

    random_get(buf: number, len: number) {
      const out = ctx.mem.bytes(buf, len);
      // getRandomValues fills at most 64 KiB per call and refuses views of shared memory.
      const chunk = new Uint8Array(Math.min(out.length, 65536));
      for (let at = 0; at < out.length; at += chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, out.length - at));
        crypto.getRandomValues(part);
        out.set(part, at);
      }
    },

    proc_exit(code: number): never {
      throw new WasiExit(code >>> 0);
    },

    proc_raise(sig: number) {
      if (sig < 0 || sig > Signal.SYS) fail(Errno.INVAL);
      if (sig === Signal.NONE || IGNORED_SIGNALS.has(sig)) return;
      // Every other signal's default action terminates the process, as a signal would.
      throw new WasiExit(128 + (POSIX_SIGNAL[sig] ?? sig));
    },

    sched_yield() {
      // One guest thread and nothing else to run: yielding returns at once.
    },
  };
}
