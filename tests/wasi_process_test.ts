/**
 * args, environ, clocks, random, proc_exit/proc_raise, sched_yield, poll_oneoff and the sock_*
 * functions of the WASI host, called directly.
 */
import assert from "node:assert/strict";
import { WASI, WasiExit } from "../src/wasi/mod.ts";
import { Errno, Harness, R, RW, SANDBOX_FD } from "./wasi_harness.ts";

Deno.test("args_sizes_get / args_get count UTF-8 bytes and NUL-terminate", () => {
  using h = new Harness({ args: ["prog", "é", "日本", ""] });
  const sizes = h.alloc(8);
  assert.equal(h.fn.args_sizes_get(sizes, sizes + 4), 0);
  assert.equal(h.u32(sizes), 4);
  assert.equal(h.u32(sizes + 4), 5 + 3 + 7 + 1);
  const argv = h.alloc(16), buf = h.alloc(16);
  assert.equal(h.fn.args_get(argv, buf), 0);
  assert.equal(h.u32(argv), buf);
  assert.equal(h.text(h.u32(argv + 4), 2), "é");
  assert.equal(h.u8(h.u32(argv + 4) + 2), 0);
  assert.equal(h.text(h.u32(argv + 8), 6), "日本");
  assert.equal(h.u32(argv + 12), buf + 15);
  assert.equal(h.u8(buf + 15), 0);
  assert.equal(h.fn.args_get(65534, buf), Errno.FAULT);
});

Deno.test("environ_sizes_get / environ_get", () => {
  using h = new Harness({ env: { A: "1", "ÜBER": "ñ=2" } });
  const sizes = h.alloc(8);
  assert.equal(h.fn.environ_sizes_get(sizes, sizes + 4), 0);
  assert.equal(h.u32(sizes), 2);
  assert.equal(h.u32(sizes + 4), 4 + 11);
  const env = h.alloc(8), buf = h.alloc(16);
  assert.equal(h.fn.environ_get(env, buf), 0);
  assert.equal(h.text(h.u32(env), 3), "A=1");
  assert.equal(h.text(h.u32(env + 4), 10), "ÜBER=ñ=2");
});

Deno.test("an empty environment and no args", () => {
  using h = new Harness();
  const sizes = h.alloc(8);
  assert.equal(h.fn.environ_sizes_get(sizes, sizes + 4), 0);
  assert.deepEqual([h.u32(sizes), h.u32(sizes + 4)], [0, 0]);
  assert.equal(h.fn.args_sizes_get(sizes, sizes + 4), 0);
  assert.deepEqual([h.u32(sizes), h.u32(sizes + 4)], [0, 0]);
});

Deno.test("clock_time_get and clock_res_get for all four clocks; unknown clock EINVAL", () => {
  using h = new Harness();
  const t = h.alloc(8);
  assert.equal(h.fn.clock_time_get(0, 1n, t), 0);
  const real = h.u64(t);
  assert.ok(real > BigInt(Date.now() - 1000) * 1_000_000n && real < BigInt(Date.now() + 1000) * 1_000_000n);
  assert.equal(h.fn.clock_time_get(1, 1n, t), 0);
  const m1 = h.u64(t);
  assert.equal(h.fn.clock_time_get(1, 1n, t), 0);
  assert.ok(h.u64(t) >= m1, "monotonic");
  const subMs = new Set<bigint>();
  for (let i = 0; i < 20; i++) {
    h.fn.clock_time_get(1, 1n, t);
    subMs.add(h.u64(t) % 1_000_000n);
  }
  assert.ok(subMs.size > 1, "monotonic time has sub-millisecond digits");
  assert.equal(h.fn.clock_time_get(2, 1n, t), 0);
  assert.ok(h.u64(t) > 0n, "process CPU time");
  assert.equal(h.fn.clock_time_get(3, 1n, t), 0);
  assert.equal(h.fn.clock_time_get(4, 1n, t), Errno.INVAL);
  for (const id of [0, 1, 2, 3]) {
    assert.equal(h.fn.clock_res_get(id, t), 0);
    assert.ok(h.u64(t) > 0n && h.u64(t) <= 1000n);
  }
  assert.equal(h.fn.clock_res_get(9, t), Errno.INVAL);
  assert.equal(h.fn.clock_time_get(0, 1n, 65535), Errno.FAULT);
});

Deno.test("random_get fills the buffer, in chunks beyond 64 KiB", () => {
  using h = new Harness();
  h.memory.grow(2);
  const p = 70000, n = 100000;
  assert.equal(h.fn.random_get(p, n), 0);
  const bytes = h.bytes.subarray(p, p + n);
  const counts = new Array(256).fill(0);
  for (const b of bytes) counts[b]++;
  assert.ok(counts.every((c) => c > 200), "roughly uniform bytes, none missing");
  assert.equal(h.fn.random_get(0, 0), 0);
  assert.equal(h.fn.random_get(3 * 65536 - 4, 8), Errno.FAULT);
});

Deno.test("proc_exit unwinds with WasiExit; proc_raise terminates or ignores by signal", () => {
  using h = new Harness();
  assert.throws(() => h.fn.proc_exit(3), (e) => e instanceof WasiExit && e.code === 3);
  assert.throws(() => h.fn.proc_exit(-1), (e) => e instanceof WasiExit && e.code === 0xffffffff);
  assert.equal(h.fn.proc_raise(0), 0);
  assert.equal(h.fn.proc_raise(16), 0); // SIGCHLD is ignored by default
  assert.equal(h.fn.proc_raise(27), 0); // SIGWINCH
  assert.equal(h.fn.proc_raise(31), Errno.INVAL);
  assert.throws(() => h.fn.proc_raise(6), (e) => e instanceof WasiExit && e.code === 134); // SIGABRT
  assert.throws(() => h.fn.proc_raise(15), (e) => e instanceof WasiExit && e.code === 143); // SIGTERM
  assert.throws(() => h.fn.proc_raise(30), (e) => e instanceof WasiExit && e.code === 128 + 31); // SIGSYS
  assert.equal(h.fn.sched_yield(), 0);
});

/** Writes subscriptions (preview1 layout, 48 bytes each) and runs poll_oneoff. */
function poll(
  h: Harness,
  subs: ({ clock: bigint; id?: number; abs?: boolean } | { read: number } | { write: number })[],
) {
  const inPtr = h.alloc(48 * subs.length), out = h.alloc(32 * subs.length), n = h.alloc(4);
  subs.forEach((s, i) => {
    const at = inPtr + i * 48;
    h.view.setBigUint64(at, BigInt(100 + i), true);
    if ("clock" in s) {
      h.view.setUint8(at + 8, 0);
      h.view.setUint32(at + 16, s.id ?? 1, true);
      h.view.setBigUint64(at + 24, s.clock, true);
      h.view.setUint16(at + 40, s.abs ? 1 : 0, true);
    } else {
      h.view.setUint8(at + 8, "read" in s ? 1 : 2);
      h.view.setUint32(at + 16, "read" in s ? s.read : s.write, true);
    }
  });
  const errno = h.fn.poll_oneoff(inPtr, out, subs.length, n);
  const events = [];
  for (let i = 0; i < (errno === 0 ? h.u32(n) : 0); i++) {
    const at = out + i * 32;
    events.push({ userdata: h.u64(at), error: h.u16(at + 8), type: h.u8(at + 10), nbytes: h.u64(at + 16) });
  }
  return { errno, events };
}

Deno.test("poll_oneoff: a relative clock subscription really sleeps", () => {
  using h = new Harness();
  const t0 = performance.now();
  const { errno, events } = poll(h, [{ clock: 30_000_000n }]);
  const took = performance.now() - t0;
  assert.equal(errno, 0);
  assert.deepEqual(events, [{ userdata: 100n, error: 0, type: 0, nbytes: 0n }]);
  assert.ok(took >= 29 && took < 500, `slept ${took} ms`);
});

Deno.test("poll_oneoff: absolute deadlines, the earliest of two clocks, past deadlines", () => {
  using h = new Harness();
  const t = h.alloc(8);
  h.fn.clock_time_get(0, 1n, t);
  const t0 = performance.now();
  let r = poll(h, [{ clock: h.u64(t) + 20_000_000n, id: 0, abs: true }, { clock: 5_000_000_000n }]);
  assert.ok(performance.now() - t0 >= 15);
  assert.deepEqual(r.events.map((e) => e.userdata), [100n]); // only the earlier one fired
  r = poll(h, [{ clock: 1n, id: 0, abs: true }]); // long past: at once
  assert.deepEqual(r.events.map((e) => [e.userdata, e.error]), [[100n, 0]]);
  // An unknown clock fails the whole call, as in wasmtime.
  assert.equal(poll(h, [{ clock: 1n, id: 7 }]).errno, Errno.INVAL);
});

Deno.test("poll_oneoff: fd readiness with bytes left, errors per subscription, and no waiting", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "0123456789");
  const fd = h.mustOpen("f", { rights: RW });
  h.read(fd, 4);
  const t0 = performance.now();
  const r = poll(h, [{ clock: 2_000_000_000n }, { read: fd }, { write: 1 }, { read: 99 }]);
  assert.ok(performance.now() - t0 < 1000, "ready fds do not wait for the clock");
  assert.deepEqual(r.events.map((e) => [e.userdata, e.type, e.error, e.nbytes]), [
    [101n, 1, 0, 6n],
    [102n, 2, 0, 0n],
    [103n, 1, Errno.BADF, 0n],
  ]);
  const noPoll = h.mustOpen("f", { rights: R.READ });
  assert.deepEqual(poll(h, [{ read: noPoll }]).events.map((e) => e.error), [Errno.NOTCAPABLE]);
  assert.equal(poll(h, []).errno, Errno.INVAL);
});

Deno.test("sock_*: EBADF for closed fds, ENOTSOCK for files, dirs and stdio", () => {
  using h = new Harness();
  const p = h.alloc(16);
  for (const fd of [0, 1, SANDBOX_FD]) {
    assert.equal(h.fn.sock_accept(fd, 0, p), Errno.NOTSOCK);
    assert.equal(h.fn.sock_recv(fd, p, 1, 0, p, p + 4), Errno.NOTSOCK);
    assert.equal(h.fn.sock_send(fd, p, 1, 0, p), Errno.NOTSOCK);
    assert.equal(h.fn.sock_shutdown(fd, 1), Errno.NOTSOCK);
  }
  assert.equal(h.fn.sock_accept(40, 0, p), Errno.BADF);
  assert.equal(h.fn.sock_recv(40, p, 1, 0, p, p + 4), Errno.BADF);
  assert.equal(h.fn.sock_send(40, p, 1, 0, p), Errno.BADF);
  assert.equal(h.fn.sock_shutdown(40, 1), Errno.BADF);
});

Deno.test("clock_res_get as the very first call on a fresh memory, and into pages grown since (the C library's path)", () => {
  // What wasi-libc's clock_getres does first in a program: no other WASI call has looked at memory
  // yet, so the host's views of it are not made; after memory.grow they are stale. Both must work
  // (the accessors check, and so refresh their views, before they read one).
  for (const id of [0, 1]) {
    const fresh = new WebAssembly.Memory({ initial: 1 });
    const wasi = new WASI({ stdin: "" });
    wasi.initialize({ exports: { memory: fresh } });
    const fn = wasi.wasiImport as Record<string, (...args: unknown[]) => number>;
    assert.equal(fn.clock_res_get(id, 64), 0);
    assert.equal(new DataView(fresh.buffer).getBigUint64(64, true), 1n);
    fresh.grow(1);
    assert.equal(fn.clock_res_get(id, 65536 + 8), 0);
    assert.equal(new DataView(fresh.buffer).getBigUint64(65536 + 8, true), 1n);
    assert.equal(fn.clock_time_get(id, 1n, 65536 + 16), 0);
    wasi.close();
  }
});
