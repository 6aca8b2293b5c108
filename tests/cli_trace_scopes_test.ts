/**
 * `--trace=SCOPES` (wazero's scopes: fs, clock, proc, random, poll, sock) and the symbolic decoding
 * of flags, enumerations and poll_oneoff's subscriptions and events. A scoped trace must be exactly
 * the full trace of the same run with the other scopes' calls left out.
 */
import assert from "node:assert/strict";
import { cli, FIX, isOneLineError } from "./cli_harness.ts";
import { GuestMemory } from "../src/wasi/memory.ts";
import { parseTraceScopes, scopeOf, TRACE_SCOPES, traced } from "../src/wasi/trace.ts";
import { enumName, flagNames, rightsNames } from "../src/wasi/trace_flags.ts";
import { PREVIEW1_FUNCTIONS } from "../src/wasi/mod.ts";

const TRACE = new URL("./fixtures/trace/", import.meta.url).pathname;

/** The traced calls of a stderr, as [function, its `<==` line] pairs (proc_exit has none). */
function calls(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /^(==>|<==) /.test(l));
}

function callName(line: string): string | undefined {
  return /^==> (\w+)\(/.exec(line)?.[1];
}

/** The full trace's lines of the calls in `scopes` (each `==>` with the `<==` that follows it). */
function onlyScopes(lines: string[], scopes: string[]): string[] {
  const out: string[] = [];
  let keep = false;
  for (const line of lines) {
    const name = callName(line);
    if (name !== undefined) keep = scopes.includes(scopeOf(name));
    if (keep) out.push(line);
  }
  return out;
}

Deno.test("--trace=SCOPES keeps exactly the calls of those scopes", async () => {
  const sandbox = Deno.makeTempDirSync();
  try {
    const run = (trace: string) =>
      cli([trace, "--env", "WHO=you", "--dir", `${sandbox}::/sandbox`, `${TRACE}files.wasm`]);
    const full = await run("--trace");
    assert.equal(full.code, 3, full.stderr);
    const all = calls(full.stderr);
    // The run has calls of several scopes, so filtering is tested, not assumed.
    const seen = new Set(all.map(callName).filter((n) => n !== undefined).map((n) => scopeOf(n!)));
    assert.deepEqual([...seen].sort(), ["fs", "proc"]);
    for (const scopes of [["fs"], ["proc"], ["clock"], ["fs", "proc"], ["poll", "proc"]]) {
      Deno.removeSync(sandbox, { recursive: true });
      Deno.mkdirSync(sandbox);
      const r = await run(`--trace=${scopes.join(",")}`);
      assert.equal(r.code, 3, r.stderr);
      assert.deepEqual(calls(r.stderr), onlyScopes(all, scopes), `--trace=${scopes}`);
    }
    Deno.removeSync(sandbox, { recursive: true });
    Deno.mkdirSync(sandbox);
    assert.deepEqual(calls((await run("--trace=all")).stderr), all);
  } finally {
    Deno.removeSync(sandbox, { recursive: true });
  }
});

Deno.test("--trace with an unknown scope is a one-line usage error", async () => {
  for (const bad of ["--trace=filesystem", "--trace=fs,", "--trace=", "--trace=FS"]) {
    const r = await cli([bad, `${FIX}exit_code.wasm`]);
    assert.ok(isOneLineError(r), `${bad}: ${JSON.stringify(r)}`);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown trace scope .*fs, clock, proc, random, poll, sock/);
  }
});

Deno.test("every WASI function has a scope; scope lists parse as wazero's do", () => {
  const byScope = new Map<string, string[]>();
  for (const name of PREVIEW1_FUNCTIONS) {
    byScope.set(scopeOf(name), [...byScope.get(scopeOf(name)) ?? [], name]);
  }
  assert.deepEqual([...byScope.keys()].sort(), [...TRACE_SCOPES].sort());
  assert.deepEqual(byScope.get("poll"), ["poll_oneoff"]);
  assert.deepEqual(byScope.get("random"), ["random_get"]);
  assert.deepEqual(byScope.get("clock"), ["clock_res_get", "clock_time_get"]);
  assert.deepEqual(byScope.get("proc"), [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "proc_exit",
    "proc_raise",
    "sched_yield",
  ]);
  assert.deepEqual(parseTraceScopes("fs, poll,fs"), ["fs", "poll"]);
  assert.deepEqual(parseTraceScopes("all"), [...TRACE_SCOPES]);
});

Deno.test("flags and enumerations by name; unnamed bits and values stay visible", () => {
  assert.equal(flagNames("oflags", 0), "0");
  assert.equal(flagNames("oflags", 0b1001), "CREAT|TRUNC");
  assert.equal(flagNames("oflags", 0x102), "DIRECTORY|0x100");
  assert.equal(flagNames("fdflags", 0x1f), "APPEND|DSYNC|NONBLOCK|RSYNC|SYNC");
  assert.equal(flagNames("fstflags", 0b1010), "ATIM_NOW|MTIM_NOW");
  assert.equal(flagNames("lookupflags", 3), "SYMLINK_FOLLOW|0x2");
  assert.equal(flagNames("riflags", 3), "RECV_PEEK|RECV_WAITALL");
  assert.equal(flagNames("sdflags", 2), "WR");
  assert.equal(flagNames("siflags", 1), "0x1");
  assert.equal(rightsNames(0n), "0");
  assert.equal(rightsNames((1n << 1n) | (1n << 6n)), "FD_READ|FD_WRITE");
  assert.equal(rightsNames((1n << 30n) - 1n), "ALL");
  assert.equal(rightsNames((1n << 29n) - 1n), "ALL&~(SOCK_ACCEPT)");
  assert.equal(rightsNames(1n << 40n), "0x10000000000");
  assert.equal(rightsNames(2n | (1n << 40n)), "FD_READ|0x10000000000");
  // whence is numbered differently in snapshot 0.
  assert.deepEqual([0, 1, 2, 3].map((w) => enumName("whence", w, "preview1")), ["SET", "CUR", "END", "3"]);
  assert.deepEqual([0, 1, 2].map((w) => enumName("whence", w, "unstable")), ["CUR", "END", "SET"]);
  assert.equal(enumName("clockid", 1, "preview1"), "MONOTONIC");
  assert.equal(enumName("advice", 4, "preview1"), "DONTNEED");
  assert.equal(enumName("signal", 15, "preview1"), "TERM");
});

Deno.test("poll_oneoff: subscriptions decoded from memory (both layouts), events after the call", () => {
  const memory = { buffer: new ArrayBuffer(65536) };
  const mem = new GuestMemory(memory);
  const lines: string[] = [];
  const view = new DataView(memory.buffer);
  const poll = (layout: "preview1" | "unstable") =>
    traced(
      "poll_oneoff",
      (_in, out: number, _n, nevents: number) => {
        // Two events: the clock fired, fd 0 is readable with 5 bytes and hung up.
        view.setBigUint64(out, 7n, true);
        view.setUint8(out + 10, 0);
        view.setBigUint64(out + 32, 8n, true);
        view.setUint8(out + 32 + 10, 1);
        view.setBigUint64(out + 32 + 16, 5n, true);
        view.setUint16(out + 32 + 24, 1, true);
        view.setUint32(nevents, 2, true);
        return 0;
      },
      () => mem,
      layout,
      (l) => lines.push(l),
    );
  // preview1: clock fields at +16; snapshot 0: an identifier first, so at +24.
  for (const [layout, size, clockAt] of [["preview1", 48, 16], ["unstable", 56, 24]] as const) {
    const at = 0x100;
    view.setUint8(at + 8, 0);
    view.setUint32(at + clockAt, 1, true);
    view.setBigUint64(at + clockAt + 8, 20_000_000n, true);
    view.setUint16(at + clockAt + 24, 1, true);
    view.setUint8(at + size + 8, 1);
    view.setUint32(at + size + 16, 0, true);
    poll(layout)(at, 0x400, 2, 0x500);
  }
  const expected = [
    "==> poll_oneoff(in=0x100[clock(id=MONOTONIC timeout=20000000 flags=ABSTIME), fd_read(fd=0)], " +
    "out=0x400, nsubscriptions=2, nevents=0x500)",
    "<== errno=SUCCESS nevents=2 out=[clock(userdata=7), fd_read(userdata=8 nbytes=5 flags=HANGUP)]",
  ];
  assert.deepEqual(lines, [...expected, ...expected]);
});
