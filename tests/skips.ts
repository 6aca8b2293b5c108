/**
 * Skips that are not a missing prerequisite (those are spec/prerequisites.ts, which fails a CI run):
 * a test that means nothing here (a terminal test off Linux), an optional native oracle (clang-19
 * building the libc programs for Linux; `.ci/run` installs it), a fuzz case kept open as a known bug. Each still says why, on stderr, once per run and reason; never a failure.
 */

/** Whether `reason` was already said in this run (`deno test` runs each file in its own isolate). */
function saidBefore(reason: string): boolean {
  const mark = `WASMRUN_TESTS_SKIP_${reason.toUpperCase().replace(/[^A-Z0-9]+/g, "_").slice(0, 80)}`;
  try {
    if (Deno.env.get(mark)) return true;
    Deno.env.set(mark, "1");
  } catch {
    // Without env permission every file says it: noisy, never silent (and permissions_test.ts fails).
  }
  return false;
}

/**
 * `condition`, for a test's `ignore`; when true, one `NOTE:` line says that `skipped` are skipped
 * and why. Call it at module load, where the test is registered.
 */
export function skipIf(condition: boolean, skipped: string, reason: string): boolean {
  if (condition && !saidBefore(reason)) console.warn(`NOTE: ${skipped} skipped: ${reason}`);
  return condition;
}
