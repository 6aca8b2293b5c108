/**
 * poll_oneoff on the process's own stdin, as a real pipe (src/wasi/poll.ts with poll(2)): wasmrun
 * runs tests/fixtures/wasi/poll_stdin.c as a subprocess and the test writes to its stdin step by
 * step. A poll with a timeout and nothing to read waits and times out; a clock next to a not-ready
 * stdin fires alone (relative MONOTONIC, absolute REALTIME); data makes stdin ready with its byte
 * count; the writer closing is a hangup; `--timeout` ends a poll that would wait forever. Without
 * Deno's FFI permission there is no poll(2): stdin is reported ready at once. And, with
 * direct calls, clock subscriptions on every clock id, relative and absolute.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { Harness } from "./wasi_harness.ts";
import { runPiped } from "./wasi_subprocess.ts";

const POLL = new URL("./fixtures/wasi/poll_stdin.wasm", import.meta.url).pathname;

/** What both runs of the fixture do with its stdin: wait for it to ask, send 3 bytes, then close it. */
const feedAndClose = async (io: Parameters<Parameters<typeof runPiped>[3]>[0]) => {
  await io.next("waiting for data");
  await io.write("abc");
  await io.next("read 3");
  await io.next("waiting for the end");
  await io.close();
  await io.next("read at end");
};

Deno.test("poll_oneoff on a piped stdin: waits for data, times out without it, reports nbytes and the hangup", async () => {
  const r = await runPiped(["-A"], POLL, [], feedAndClose);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, [
    "poll 200ms: 0 ready, waited enough 1",
    "monotonic relative 100ms: errno 0, 1 event(s), first userdata 2 type 0, waited enough 1",
    "realtime absolute +100ms: errno 0, 1 event(s), first userdata 2 type 0, waited enough 1",
    "waiting for data",
    "data: 1 ready, IN 1, FIONREAD 3",
    "read 3",
    "waiting for the end",
    "end: 1 ready, HUP 1",
    "read at end 0",
  ]);
});

Deno.test("poll_oneoff on a piped stdin without FFI: reported ready at once (nothing can ask poll(2)); reads block", async () => {
  const r = await runPiped(["--allow-read"], POLL, [], feedAndClose);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, [
    "poll 200ms: 1 ready, waited enough 0",
    "monotonic relative 100ms: errno 0, 1 event(s), first userdata 1 type 1, waited enough 0",
    "realtime absolute +100ms: errno 0, 1 event(s), first userdata 1 type 1, waited enough 0",
    "waiting for data",
    "data: 1 ready, IN 1, FIONREAD 0",
    "read 3",
    "waiting for the end",
    "end: 1 ready, HUP 0",
    "read at end 0",
  ]);
});

Deno.test("poll_oneoff on stdin with no timeout still ends at --timeout", async () => {
  const t0 = performance.now();
  const r = await runPiped(["-A"], ["--timeout", "400ms", POLL], ["forever"], async (io) => {
    await io.next("polling forever");
  });
  const took = performance.now() - t0;
  assert.equal(r.code, 134, r.stderr);
  assert.match(r.stderr, /timeout/);
  assert.ok(took < 15_000, `took ${took} ms`);
  assert.deepEqual(r.lines, ["polling forever"]);
});

/** One clock subscription (preview1 layout); returns [errno, nevents, ms waited]. */
function clockPoll(h: Harness, id: number, timeout: bigint, abs: boolean): [number, number, number] {
  const sub = h.alloc(48), ev = h.alloc(32), n = h.alloc(4);
  h.view.setBigUint64(sub, 7n, true);
  h.view.setUint8(sub + 8, 0);
  h.view.setUint32(sub + 16, id, true);
  h.view.setBigUint64(sub + 24, timeout, true);
  h.view.setUint16(sub + 40, abs ? 1 : 0, true);
  const t0 = performance.now();
  const errno = h.fn.poll_oneoff(sub, ev, 1, n);
  return [errno, h.u32(n), performance.now() - t0];
}

Deno.test("poll_oneoff: clock subscriptions on every clock id, relative and absolute", () => {
  using h = new Harness();
  const now = h.alloc(8);
  for (const id of [0, 1, 2, 3]) {
    const [e1, n1, waited] = clockPoll(h, id, 30_000_000n, false);
    assert.deepEqual([e1, n1], [0, 1], `clock ${id} relative`);
    assert.ok(waited >= 29, `clock ${id} relative waited ${waited} ms`);
    assert.equal(h.fn.clock_time_get(id, 1n, now), 0);
    const [e2, n2, waited2] = clockPoll(h, id, h.u64(now) + 30_000_000n, true);
    assert.deepEqual([e2, n2], [0, 1], `clock ${id} absolute`);
    assert.ok(waited2 >= 25, `clock ${id} absolute waited ${waited2} ms`);
    // An absolute time already past fires at once.
    const [e3, n3, waited3] = clockPoll(h, id, 1n, true);
    assert.deepEqual([e3, n3], [0, 1]);
    assert.ok(waited3 < 1000);
  }
});
