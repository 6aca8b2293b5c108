/**
 * CLOCK_REALTIME (src/wasi/clocks.ts): anchored to Date.now() and advanced with the high-resolution
 * timer, so it has sub-millisecond granularity (clock_res_get says 1 ns) while it stays with the
 * system's wall clock, and it is re-anchored when the two drift apart (the system clock was set).
 */
import assert from "node:assert/strict";
import { Harness } from "./wasi_harness.ts";

const REALTIME = 0;
const MS = 1_000_000n;

function realtime(h: Harness): bigint {
  const out = h.alloc(8);
  assert.equal(h.fn.clock_time_get(REALTIME, 1n, out), 0);
  return h.u64(out);
}

Deno.test("clock_time_get(realtime) is finer than a millisecond and follows Date.now()", () => {
  using h = new Harness();
  const readings: bigint[] = [];
  for (let i = 0; i < 50; i++) {
    const before = BigInt(Date.now()) * MS;
    const t = realtime(h);
    const after = BigInt(Date.now()) * MS;
    readings.push(t);
    // Within the re-anchoring bound (5 ms) of the wall clock, whole milliseconds included.
    assert.ok(t >= before - 6n * MS && t <= after + 6n * MS, `${t} not near [${before}, ${after}]`);
  }
  // Date.now() alone only gives whole milliseconds; a reading from the timer is one almost never.
  const fine = readings.filter((t) => t % MS !== 0n);
  assert.ok(fine.length >= 40, `only ${fine.length} of 50 readings had a sub-millisecond part`);
});

Deno.test("clock_time_get(realtime) is re-anchored when the wall clock is set, either way", () => {
  using h = new Harness();
  const realNow = Date.now;
  try {
    for (const shift of [3_600_000, -86_400_000, 0]) {
      Date.now = () => realNow() + shift;
      const wall = BigInt(Date.now()) * MS;
      const t = realtime(h);
      assert.ok(t >= wall - 6n * MS && t < wall + 1000n * MS, `shift ${shift} ms: ${t} not near ${wall}`);
      // Re-anchored, it keeps the timer's resolution and advances from there.
      let later = realtime(h);
      for (let i = 0; i < 20 && later % MS === 0n; i++) later = realtime(h);
      assert.ok(later >= t && later - t < 1000n * MS, `shift ${shift} ms: ${later} after ${t}`);
      assert.notEqual(later % MS, 0n, `shift ${shift} ms: whole milliseconds only`);
    }
  } finally {
    Date.now = realNow;
  }
});
