/**
 * The four WASI clocks in nanoseconds. Monotonic time comes from the high-resolution timer
 * (`performance.now()`, in milliseconds with nanosecond digits); wall-clock time is anchored to
 * Date.now() and advanced with that timer (re-anchored if the two drift apart, e.g. after the system
 * clock is set), which gives it sub-millisecond granularity. CPU time comes from Node's
 * process.cpuUsage() (microseconds); the guest runs on one thread, so its thread CPU time is the
 * process's.
 */
import { ClockId } from "./constants.ts";

let wallAnchor = BigInt(Date.now()) * 1_000_000n;
let monoAnchor = monotonicNow();
const MAX_DRIFT = 5_000_000n; // 5 ms

export function monotonicNow(): bigint {
  // Rounding keeps it monotonic; a double holds whole nanoseconds exactly for over 100 days.
  return BigInt(Math.round(performance.now() * 1e6));
}

export function realtimeNow(): bigint {
  const mono = monotonicNow();
  const estimate = wallAnchor + (mono - monoAnchor);
  const wall = BigInt(Date.now()) * 1_000_000n;
  const drift = estimate - wall;
  if (drift > MAX_DRIFT || drift < -MAX_DRIFT) {
    wallAnchor = wall;
    monoAnchor = mono;
    return wall;
  }
  return estimate;
}

/** Deno's global `process`, taken only when a guest asks for CPU time: the first use loads Node's layer. */
interface CpuUsageSource {
  cpuUsage(): { user: number; system: number };
}

function cpuNow(): bigint {
  const usage = (globalThis as unknown as { process: CpuUsageSource }).process.cpuUsage();
  return BigInt(usage.user + usage.system) * 1000n;
}

/** The current time of `id` in ns, or undefined for an unknown clock. */
export function clockNow(id: number): bigint | undefined {
  switch (id) {
    case ClockId.REALTIME:
      return realtimeNow();
    case ClockId.MONOTONIC:
      return monotonicNow();
    case ClockId.PROCESS_CPUTIME:
    case ClockId.THREAD_CPUTIME:
      return cpuNow();
  }
  return undefined;
}

/** The resolution of `id` in ns, or undefined for an unknown clock. */
export function clockResolution(id: number): bigint | undefined {
  switch (id) {
    case ClockId.REALTIME:
    case ClockId.MONOTONIC:
      return 1n;
    case ClockId.PROCESS_CPUTIME:
    case ClockId.THREAD_CPUTIME:
      return 1000n;
  }
  return undefined;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ns` nanoseconds (the guest is synchronous, so the host sleeps with it). */
export function sleepNs(ns: bigint): void {
  if (ns <= 0n) return;
  const deadline = monotonicNow() + ns;
  for (;;) {
    const left = deadline - monotonicNow();
    if (left <= 0n) return;
    Atomics.wait(sleeper, 0, 0, Number(left) / 1e6);
  }
}
