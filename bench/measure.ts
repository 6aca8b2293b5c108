/** Timing helpers: warm-up, min-of-N timing under a time budget, and the geometric mean. */

export interface TimingOptions {
  /** Untimed calls first, so both engines are measured with their JIT/caches warm. */
  warmup: number;
  /** Timed calls; the reported time is the fastest. */
  runs: number;
  /** Stop timing early (after at least one timed run) once this much time has been spent. */
  budgetSeconds: number;
}

export interface Timing {
  /** Fastest timed run, in seconds. */
  best: number;
  /** Every timed run, in seconds. */
  times: number[];
}

/**
 * Calls `fn` `warmup` times untimed and then up to `runs` times timed. Every result (warm-up
 * included) is handed to `check`, which throws to abort on a wrong answer.
 */
export function timeRuns<T>(fn: () => T, options: TimingOptions, check: (result: T) => void): Timing {
  const start = performance.now();
  for (let i = 0; i < options.warmup; i++) check(fn());
  const times: number[] = [];
  while (times.length < Math.max(1, options.runs)) {
    const t0 = performance.now();
    const result = fn();
    const t1 = performance.now();
    check(result);
    times.push((t1 - t0) / 1000);
    if ((t1 - start) / 1000 > options.budgetSeconds) break;
  }
  return { best: Math.min(...times), times };
}

export function geometricMean(values: number[]): number {
  if (values.length === 0) return NaN;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
